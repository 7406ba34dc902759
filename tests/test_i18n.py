"""The plugin speaks Chinese under a zh_CN QGIS and English otherwise."""
import re

import pytest

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def chinese():
    from linxia_tianguan_plugin import i18n

    assert i18n.install_translator("zh_CN"), "compiled zh_CN translation missing (make i18n)"
    yield
    i18n.remove_translator()


def _fresh_algorithms(registry):
    provider = registry.providerById("linxia_tianguan")
    out = []
    for algorithm in provider.algorithms():
        fresh = algorithm.createInstance()
        fresh.initAlgorithm()
        out.append(fresh)
    return out


def test_algorithms_parameters_and_help_are_chinese_under_zh_cn(processing_registry, chinese):
    from linxia_tianguan_plugin.processing.provider import TianguanProvider

    assert CJK.search(TianguanProvider().name())
    for algorithm in _fresh_algorithms(processing_registry):
        assert CJK.search(algorithm.displayName()), algorithm.name()
        assert CJK.search(algorithm.group()), algorithm.name()
        assert CJK.search(algorithm.shortHelpString()), algorithm.name()
        for parameter in algorithm.parameterDefinitions():
            assert CJK.search(parameter.description()), (algorithm.name(), parameter.name())
        for output in algorithm.outputDefinitions():
            assert CJK.search(output.description()), (algorithm.name(), output.name())


def test_english_without_translator(processing_registry):
    from linxia_tianguan_plugin import i18n

    i18n.remove_translator()
    names = {a.name(): a.displayName() for a in _fresh_algorithms(processing_registry)}
    assert names["space_code"] == "One-click space coding"


def test_locale_mapping(monkeypatch):
    from linxia_tianguan_plugin import i18n

    assert i18n.install_translator("zh_TW")  # any Chinese locale gets the zh_CN translation
    i18n.remove_translator()
    assert not i18n.install_translator("fr_FR")


#: words that stay as they are in the Chinese UI (formats, products, units)
KEEP = {"PDF", "PNG", "XLSX", "CSV", "GPX", "KML", "GeoPackage", "GPKG", "PostGIS", "QGIS", "QR", "ID", "UUID",
        "QField", "DLTB", "DK", "CJDCQ", "XZQ", "EPSG", "URL", "UTC", "OK", "m", "km", "s", "h"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _untranslated(text: str) -> bool:
    """A text a Chinese user would read as English: Latin words other than formats and names, no CJK."""
    words = [w for w in LATIN_WORD.findall(text or "") if w not in KEEP]
    return bool(words) and not CJK.search(text)


def _ours(child) -> bool:
    """Not a part of a QGIS widget (a file chooser's “Browse”…): QGIS translates those itself."""
    from qgis.gui import QgsFileWidget

    parent = child.parent()
    while parent is not None:
        if isinstance(parent, QgsFileWidget):
            return False
        parent = parent.parent()
    return True


def _widget_texts(widget) -> list[str]:
    from qgis.PyQt.QtWidgets import QAbstractButton, QGroupBox, QLabel, QTableView, QTabWidget

    texts = [widget.windowTitle()]
    for child in filter(_ours, widget.findChildren(QAbstractButton)):
        texts += [child.text(), child.toolTip()]
    for child in filter(_ours, widget.findChildren(QLabel)):
        texts.append(child.text())
    for child in widget.findChildren(QGroupBox):
        texts.append(child.title())
    for child in widget.findChildren(QTabWidget):
        texts += [child.tabText(i) for i in range(child.count())]
    for child in widget.findChildren(QTableView):
        model = child.model()
        if model is not None:
            from qgis.PyQt.QtCore import Qt

            texts += [str(model.headerData(i, Qt.Horizontal) or "") for i in range(model.columnCount())]
    return [t for t in texts if t]


def test_the_plugin_ui_is_chinese_under_zh_cn(qgis_iface, chinese, tmp_path):
    """Menu, toolbar and every dock the plugin opens show Chinese (formats and product names aside)."""
    from linxia_tianguan_plugin.plugin import TianguanPlugin

    plugin = TianguanPlugin(qgis_iface)
    plugin.initGui()
    try:
        assert CJK.search(plugin.menu_title) and CJK.search(plugin.toolbar.windowTitle())
        assert plugin.actions
        for action in plugin.actions:
            assert CJK.search(action.text()), action.objectName()
        plugin.show_replay()
        plugin.show_cases()
        plugin.show_dashboard()
        docks = [d for d in (plugin.replay_dock, plugin.case_dock, plugin.dashboard_dock) if d]
        assert len(docks) == 3
        for dock in docks:
            texts = _widget_texts(dock)
            assert texts, dock.objectName()
            bad = [t for t in texts if _untranslated(t)]
            assert not bad, (dock.objectName(), bad)
    finally:
        plugin.unload()
