"""What an analyst meets in the Processing toolbox: an icon per step of the work, the groups in the order of the
work, the outputs gathered in one layer-tree group, and layout items named in the user's language."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import layer_uri

PROVIDER = "linxia_tianguan"
WORKFLOW_ZH = ["空间赋码", "巡田网格", "田管员与巡田任务", "变化分析与案件", "专题图与报表", "州库共享"]


@pytest.fixture
def chinese():
    from linxia_tianguan_plugin import i18n

    assert i18n.install_translator("zh_CN"), "compiled zh_CN translation missing (make i18n)"
    yield
    i18n.remove_translator()


def _algorithms(registry):
    return registry.providerById(PROVIDER).algorithms()


# ------------------------------------------------------------------------------------------------------ icons
def test_every_algorithm_has_an_icon_that_exists(processing_registry):
    for algorithm in _algorithms(processing_registry):
        assert not algorithm.icon().isNull(), algorithm.name()
        assert Path(algorithm.svgIconPath()).is_file(), (algorithm.name(), algorithm.svgIconPath())
        assert not algorithm.icon().pixmap(16, 16).isNull(), algorithm.name()


def test_each_group_shows_an_icon_of_its_own(processing_registry):
    """No longer one icon for most tools: every group has at least one icon no other group uses, and the group
    icons differ."""
    from linxia_tianguan_plugin.processing.base import GROUP_ICONS, GROUP_ORDER

    assert set(GROUP_ICONS) == set(GROUP_ORDER) and len(set(GROUP_ICONS.values())) == len(GROUP_ICONS)
    by_group: dict[str, set[str]] = {}
    for algorithm in _algorithms(processing_registry):
        by_group.setdefault(algorithm.groupId(), set()).add(Path(algorithm.svgIconPath()).name)
    assert set(by_group) == set(GROUP_ORDER)
    for group, icons in by_group.items():
        others = set().union(*(v for k, v in by_group.items() if k != group))
        assert icons - others, group
        assert GROUP_ICONS[group] in icons, group
    counts: dict[str, int] = {}
    for algorithm in _algorithms(processing_registry):
        counts[algorithm.svgIconPath()] = counts.get(algorithm.svgIconPath(), 0) + 1
    assert max(counts.values()) <= len(_algorithms(processing_registry)) // 2, counts


def test_algorithms_with_their_own_icon_keep_it(processing_registry):
    own = {"decode_space_code": "decode.svg", "validate_space_code": "validate.svg",
           "undo_space_code": "space_code.svg", "dashboard_report": "dashboard.svg"}
    icons = {a.name(): Path(a.svgIconPath()).name for a in _algorithms(processing_registry)}
    assert {name: icons[name] for name in own} == own


@pytest.mark.parametrize("name", ["group_grid.svg", "group_patrol.svg", "group_changes.svg", "group_maps.svg"])
def test_group_icons_are_small_flat_svgs(name):
    from linxia_tianguan_plugin.resources import icon_path

    text = Path(icon_path(name)).read_text(encoding="utf-8")
    assert 'viewBox="0 0 24 24"' in text
    assert not re.search(r"<(image|text|filter|linearGradient|radialGradient)\b", text)


# ------------------------------------------------------------------------------------------------ group order
def _toolbox_groups(registry) -> list[str]:
    """The provider's groups as the toolbox shows them (QGIS's own sorting proxy model; every algorithm of the
    provider has a group, so the provider node's children are its groups)."""
    from qgis.gui import QgsProcessingToolboxProxyModel

    proxy = QgsProcessingToolboxProxyModel(None, registry)
    provider = proxy.mapFromSource(proxy.toolboxModel().indexForProvider(PROVIDER))
    assert provider.isValid()
    return [proxy.index(r, 0, provider).data() for r in range(proxy.rowCount(provider))]


def test_toolbox_groups_follow_the_work_under_zh(processing_registry, chinese):
    groups = _toolbox_groups(processing_registry)
    assert groups == [f"{n} {name}" for n, name in enumerate(WORKFLOW_ZH, 1)]


def test_toolbox_groups_follow_the_work_in_english(processing_registry):
    assert _toolbox_groups(processing_registry) == [
        "1 Space coding", "2 Patrol grid", "3 Officers and patrol tasks", "4 Change analysis and cases",
        "5 Maps and reports", "6 Prefecture shared store"]


def test_group_order_holds_under_a_chinese_collation_too(chinese):
    """A desk's zh_CN collation (pinyin: 变化… before 空间…) keeps the work's order too."""
    from qgis.PyQt.QtCore import QCollator, QLocale

    from linxia_tianguan_plugin.processing.base import GROUP_ORDER, group_name

    names = [group_name(g) for g in GROUP_ORDER]
    collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    assert sorted(names, key=collator.sortKey) == names
    assert sorted(names) == names


# ------------------------------------------------------------------------------------ the results layer group
def _tree_path(project, layer) -> list[str]:
    node = project.layerTreeRoot().findLayer(layer.id())
    assert node is not None, layer.name()
    names = []
    parent = node.parent()
    while parent is not None and parent.parent() is not None:
        names.append(parent.name())
        parent = parent.parent()
    return names[::-1]


def test_outputs_load_into_the_plugin_group(processing_registry, sample_gpkg, tmp_path, chinese):
    """processing.runAndLoadResults (what the dialog does after a run: postProcessAlgorithm, then Processing's
    handleAlgorithmResults) puts the output into 临夏田管, not at the root of the layer tree."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject

    project = QgsProject.instance()
    before = set(project.mapLayers())
    context = QgsProcessingContext()
    context.setProject(project)
    try:
        result = processing.runAndLoadResults("linxia_tianguan:build_grid", {
            "XZQ": layer_uri(sample_gpkg, "XZQ"), "CJDCQ": layer_uri(sample_gpkg, "CJDCQ"),
            "STORE": str(tmp_path / "tg.gpkg"), "NEW_STORE": True, "OUTPUT": str(tmp_path / "grid.gpkg")},
            feedback=QgsProcessingFeedback(), context=context)
        assert result["OUTPUT"]
        added = [project.mapLayer(i) for i in set(project.mapLayers()) - before]
        assert added, "nothing was loaded"
        for layer in added:
            assert _tree_path(project, layer) == ["临夏田管"], layer.name()
        assert [g.name() for g in project.layerTreeRoot().findGroups()].count("临夏田管") == 1
    finally:
        project.removeMapLayers(list(set(project.mapLayers()) - before))
        group = project.layerTreeRoot().findGroup("临夏田管")
        if group is not None:
            project.layerTreeRoot().removeChildNode(group)


def test_a_group_the_caller_chose_is_kept(processing_registry):
    from qgis.core import QgsProcessingContext, QgsProject

    from linxia_tianguan_plugin.processing.base import put_outputs_in_results_group

    algorithm = processing_registry.createAlgorithmById("linxia_tianguan:build_grid")
    context = QgsProcessingContext()
    mine = QgsProcessingContext.LayerDetails("grid", QgsProject.instance(), "OUTPUT")
    mine.groupName = "my group"
    context.addLayerToLoadOnCompletion("a", mine)
    context.addLayerToLoadOnCompletion("b", QgsProcessingContext.LayerDetails("grid", QgsProject.instance(), "OUTPUT"))
    context.addLayerToLoadOnCompletion("c", QgsProcessingContext.LayerDetails("x", QgsProject.instance(), "OTHER"))
    assert put_outputs_in_results_group(algorithm, context) == 1
    groups = {key: context.layerToLoadOnCompletionDetails(key).groupName for key in ("a", "b", "c")}
    assert groups == {"a": "my group", "b": "Linxia farmland patrol", "c": ""}


# ------------------------------------------------------------------------------------------ layout item names
def test_template_items_are_named_in_chinese_under_zh(qgis_app, chinese):
    from qgis.core import QgsPrintLayout, QgsProject

    from linxia_tianguan_plugin.processing.layout_text import items_by_key, name_items
    from linxia_tianguan_plugin.processing.reports.statistics_map import (
        ATLAS_TEMPLATE,
        ITEM_IDS,
        MAP_TEMPLATE,
        load_template,
    )

    project = QgsProject()  # held: a layout outliving its project crashes
    for template in (MAP_TEMPLATE, ATLAS_TEMPLATE):
        layout = load_template(QgsPrintLayout(project), template)
        keyed = items_by_key(layout)
        assert set(ITEM_IDS) <= set(keyed), template
        assert name_items(layout) >= len(ITEM_IDS)
        ids = {item.id() for item in layout.items() if hasattr(item, "id") and item.id()}
        assert {"标题", "图例", "比例尺", "指北针", "地图"} <= ids, ids
        assert not ids & set(ITEM_IDS), ids
        assert {key: item.id() for key, item in items_by_key(layout).items()} == {
            key: item.id() for key, item in keyed.items()}
        assert name_items(layout) == 0  # already named
