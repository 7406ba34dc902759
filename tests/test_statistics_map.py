"""导出统计专题图 on the filled sample store (real QGIS layouts, real PDF/PNG files read back with poppler and Qt).

The PDFs must have one page for the overview and one per township for the atlas, and hold the Chinese text as
text (pdftotext finds the county, the title, every township and the source), printed in a CJK font; the
township values on the map must equal plain SQL over the store; the PNGs must show a coloured map; the bundled
templates must load with the items the algorithm fills; a missing store or one without a grid must fail with a
message that says so.
"""
from __future__ import annotations

import re
import subprocess
from collections import defaultdict

import pytest

from linxia_tianguan_plugin.i18n import tr
from tests.helpers import recording_feedback
from tests.helpers import sql_rows as _sql

INDICATORS = ("coverage", "cases", "lost_area", "rectification")
MU = 10000.0 / 15.0
ITEMS = ("title", "subtitle", "map", "county", "north_arrow", "legend", "scalebar", "date", "source", "crs")


def _pages(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _text(pdf, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(["pdftotext", *pages, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", out)


def _run(params: dict, project=None):
    from qgis.core import QgsProcessingContext

    from linxia_tianguan_plugin.processing.reports.statistics_map import StatisticsMapAlgorithm

    alg = StatisticsMapAlgorithm()
    alg.initAlgorithm({})
    context = QgsProcessingContext()
    if project is not None:
        context.setProject(project)
    feedback = recording_feedback()
    result, ok = alg.run(params, context, feedback)
    return result, ok, feedback


@pytest.fixture(scope="module")
def grid(filled_store):
    """The county, its name and its townships (code → name) from the active build, read with SQL."""
    cells = _sql(filled_store, "SELECT c.level, c.code FROM tg_grid_cell c JOIN tg_grid_build b USING (build_id) "
                               "WHERE b.active = 1 AND c.level IN (2, 3) ORDER BY c.code")
    names = dict(_sql(filled_store, "SELECT code, name FROM tg_admin_unit"))
    county = next(code for level, code in cells if level == 2)
    townships = {code: names[code] for level, code in cells if level == 3}
    assert len(townships) > 5
    return county, names[county], townships


@pytest.fixture(scope="module")
def atlas(processing_registry, filled_store, tmp_path_factory):
    """The coverage map with its atlas, as PDF and PNG."""
    base = tmp_path_factory.mktemp("statistics_map")
    result, ok, feedback = _run({"STORE": str(filled_store), "INDICATOR": 0, "ATLAS": True,
                                 "OUTPUT_PDF": str(base / "coverage.pdf"), "OUTPUT_PNG": str(base / "coverage.png")})
    assert ok, feedback.errors
    return result, base


def test_templates_load_with_the_items_the_algorithm_fills(qgis_app):
    from qgis.core import QgsLayoutItemPage, QgsPrintLayout, QgsProject

    from linxia_tianguan_plugin.processing.reports.statistics_map import ATLAS_TEMPLATE, MAP_TEMPLATE, load_template

    project = QgsProject()
    for name, extra in ((MAP_TEMPLATE, ()), (ATLAS_TEMPLATE, ("value",))):
        layout = load_template(QgsPrintLayout(project), name)
        ids = {item.id() for item in layout.items() if hasattr(item, "id")}
        assert set(ITEMS) | set(extra) <= ids, name
        page = layout.pageCollection().page(0)
        assert layout.pageCollection().pageCount() == 1
        assert (round(page.pageSize().width()), round(page.pageSize().height())) == (297, 210)
        assert page.orientation() == QgsLayoutItemPage.Landscape


def test_overview_pdf_is_one_page_with_the_chinese_text(atlas, grid):
    result, _ = atlas
    _, county_name, _ = grid
    assert _pages(result["OUTPUT_PDF"]) == 1
    text = _text(result["OUTPUT_PDF"])
    title = tr("{county}: {indicator} by township").format(county=county_name,
                                                           indicator=tr("Patrol coverage of farmland"))
    for expected in (county_name, title, tr("Source: Linxia tianguan store"), tr("Legend")):
        assert expected in text, expected
    assert "\ufffd" not in text and "□" not in text
    fonts = subprocess.run(["pdffonts", result["OUTPUT_PDF"]], capture_output=True, text=True, check=True).stdout
    assert re.search(r"WenQuanYi|Noto ?Sans ?CJK|SourceHanSans|Microsoft ?YaHei|SimHei", fonts), fonts


def test_atlas_has_one_page_per_township_in_code_order(atlas, grid):
    result, _ = atlas
    _, county_name, townships = grid
    assert result["TOWNSHIPS"] == len(townships)
    assert _pages(result["ATLAS_PDF"]) == len(townships)
    assert result["PAGES"] == 1 + len(townships)
    indicator = tr("Patrol coverage of farmland")
    title = tr("{county}: {indicator} by township").format(county=county_name, indicator=indicator)
    for page, (code, name) in enumerate(sorted(townships.items()), start=1):
        text = _text(result["ATLAS_PDF"], page)
        assert tr("{township}: {indicator}").format(township=name, indicator=indicator) in text, (page, code)
        assert county_name in text and title in text and tr("Source: Linxia tianguan store") in text


def test_png_overview_and_one_png_per_township_are_coloured_maps(atlas, grid):
    from qgis.PyQt.QtGui import QImage

    result, base = atlas
    _, _, townships = grid

    def colours(path) -> int:
        image = QImage(str(path))
        assert not image.isNull(), path
        assert image.width() > 1000 and image.height() > 700
        return len({image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)})

    assert colours(result["OUTPUT_PNG"]) >= 6  # five classes, white, lines
    pages = sorted(base.glob("coverage_*.png"))
    assert [p.name for p in pages] == [f"coverage_{code}.png" for code in sorted(townships)]
    assert colours(pages[0]) >= 4
    assert not [p for p in base.iterdir() if p.name.startswith(".")], "a temporary file was left behind"


def _township_layer(project):
    """The choropleth layer the algorithm added to ``project`` (the one with a graduated renderer) as
    code → (value, name, label)."""
    from qgis.core import NULL, QgsGraduatedSymbolRenderer

    layer = next(layer for layer in project.mapLayers().values()
                 if isinstance(layer.renderer(), QgsGraduatedSymbolRenderer))
    return {f["code"]: (None if f["value"] in (None, NULL) else f["value"], f["name"], f["label"])
            for f in layer.getFeatures()}, layer


def _expected(store, indicator: str, townships) -> dict:
    """The indicator per township, written out in SQL (the module's code is not used)."""
    if indicator == "cases":
        rows = dict(_sql(store, "SELECT substr(grid_code, 1, 9), count(*) FROM tg_case "
                                "WHERE category IN ('suspect', 'verify') GROUP BY 1"))
        return {t: float(rows.get(t, 0)) for t in townships}
    if indicator == "lost_area":
        rows = dict(_sql(store, "SELECT substr(grid_code, 1, 9), sum(area_m2) FROM tg_case "
                                "WHERE category IN ('suspect', 'verify') GROUP BY 1"))
        return {t: rows.get(t, 0.0) / MU for t in townships}
    if indicator == "coverage":
        rows = dict(_sql(store, "SELECT code, 100.0 * seen_m2 / farmland_m2 FROM tg_coverage_rate "
                                "WHERE length(code) = 9 AND farmland_m2 > 0 AND run_id = (SELECT run_id FROM "
                                "tg_coverage_run ORDER BY period_end DESC, run_at DESC LIMIT 1)"))
        return {t: rows.get(t) for t in townships}
    rows = {t: 100.0 * done / n for t, n, done in _sql(
        store, "SELECT substr(c.grid_code, 1, 9), count(*), sum(EXISTS (SELECT 1 FROM tg_case_event r "
               "WHERE r.case_id = c.case_id AND r.to_state IN ('rectified', 'closed'))) FROM tg_case c "
               "WHERE EXISTS (SELECT 1 FROM tg_case_event e WHERE e.case_id = c.case_id AND e.to_state = 'enforcing') "
               "GROUP BY 1")}
    return {t: rows.get(t) for t in townships}


@pytest.mark.parametrize("index,indicator", list(enumerate(INDICATORS)))
def test_township_values_equal_sql_and_the_layouts_open_in_the_project(processing_registry, filled_store, grid,
                                                                       tmp_path, index, indicator):
    from qgis.core import QgsProject

    county, county_name, townships = grid
    project = QgsProject()
    pdf = tmp_path / f"{indicator}.pdf"
    title = f"{county_name}统计专题图：{indicator}"  # a Chinese title, whatever the UI language
    result, ok, feedback = _run({"STORE": str(filled_store), "INDICATOR": index, "ATLAS": index == 1,
                                 "ADD_TO_PROJECT": True, "OUTPUT_PDF": str(pdf), "PREFIX": county, "TITLE": title},
                                project)
    assert ok, feedback.errors
    assert _pages(pdf) == 1 and result["PAGES"] == (1 + len(townships) if index == 1 else 1)
    assert (result["ATLAS_PDF"] is not None) == (index == 1)
    text = _text(pdf)
    assert county_name in text and title in text and tr("Source: Linxia tianguan store") in text

    layouts = project.layoutManager().printLayouts()
    assert len(layouts) == (2 if index == 1 else 1)
    for layout in layouts:
        # every template item is there, named for the user (标题, 图例 … under zh; its key found by items_by_key)
        from linxia_tianguan_plugin.processing.layout_text import item_names, items_by_key

        assert set(items_by_key(layout)) >= set(ITEMS)
        named = {item_names()[key] for key in ITEMS}
        assert {item.id() for item in layout.items() if hasattr(item, "id")} >= named
    got, layer = _township_layer(project)
    # the map's layers sit in their own group inside the one every output of the plugin goes to (临夏田管)
    from linxia_tianguan_plugin.labels import results_group_name

    node = project.layerTreeRoot().findLayer(layer.id())
    assert node is not None and node.parent().parent().name() == results_group_name()
    if index == 1:  # the atlas runs over the township layer, in the project
        atlas = next(layout.atlas() for layout in layouts if layout.atlas().enabled())
        assert atlas.coverageLayer() is layer and atlas.count() == len(townships)
    expected = _expected(filled_store, indicator, townships)
    assert set(got) == set(townships)
    assert {code: name for code, (_, name, _) in got.items()} == townships
    for code, value in expected.items():
        if value is None:
            assert got[code][0] is None and got[code][2] == tr("No data"), code
        else:
            assert got[code][0] == pytest.approx(value, rel=1e-9, abs=1e-9), code
    renderer = layer.renderer()
    for code, (value, _, _) in got.items():
        if value is not None:
            assert renderer.rangeForValue(value) is not None, (code, value)
    assert 1 <= len(renderer.ranges()) <= 5
    if indicator in ("cases", "lost_area"):
        assert any(v for v in expected.values()), "the sample should have problem cases"


def test_period_filters_the_cases_by_detection_day(processing_registry, filled_store, grid, tmp_path):
    from qgis.core import QgsProject

    _, _, townships = grid
    days = _sql(filled_store, "SELECT min(date(detected_at, '+8 hours')), max(date(detected_at, '+8 hours')) "
                              "FROM tg_case")[0]
    project = QgsProject()
    result, ok, feedback = _run({"STORE": str(filled_store), "INDICATOR": 1, "ATLAS": True, "ADD_TO_PROJECT": True,
                                 "DATE_FROM": "2000-01-01", "DATE_TO": "2000-12-31",
                                 "OUTPUT_PDF": str(tmp_path / "old.pdf")}, project)
    assert ok, feedback.errors
    assert days[0] > "2000-12-31"
    got, _ = _township_layer(project)
    assert {v[0] for v in got.values()} == {0.0}  # no case detected then: every township 0
    assert tr("Period: {start} to {end}").format(start="2000-01-01", end="2000-12-31") in _text(tmp_path / "old.pdf")

    project = QgsProject()
    _run({"STORE": str(filled_store), "INDICATOR": 1, "ATLAS": True, "ADD_TO_PROJECT": True,
          "DATE_FROM": days[0], "DATE_TO": days[1], "OUTPUT_PDF": str(tmp_path / "now.pdf")}, project)
    got, _ = _township_layer(project)
    _run({"STORE": str(filled_store), "INDICATOR": 1, "ATLAS": False, "ADD_TO_PROJECT": True,
          "OUTPUT_PDF": str(tmp_path / "now2.pdf")}, project)
    assert len(project.layoutManager().printLayouts()) == 3  # a second run's layout gets its own name
    counts = defaultdict(float)
    for (t,) in _sql(filled_store, "SELECT substr(grid_code, 1, 9) FROM tg_case WHERE category IN ('suspect', "
                                   "'verify') AND date(detected_at, '+8 hours') BETWEEN ? AND ?", days):
        counts[t] += 1
    assert {c: v[0] for c, v in got.items()} == {t: counts.get(t, 0.0) for t in townships}


def test_a_failed_export_leaves_the_project_as_it_was(processing_registry, filled_store, tmp_path):
    from qgis.core import QgsProject

    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    project = QgsProject()
    _, ok, feedback = _run({"STORE": str(filled_store), "INDICATOR": 1, "ATLAS": False, "ADD_TO_PROJECT": True,
                            "OUTPUT_PDF": str(blocker / "map.pdf")}, project)
    assert not ok and "not_a_folder" in " ".join(feedback.errors)
    assert project.mapLayers() == {} and project.layoutManager().printLayouts() == []


def test_missing_store_no_grid_and_bad_input_fail_clearly(processing_registry, tmp_path):
    from linxia_tianguan_plugin.storage import GpkgStore

    pdf = tmp_path / "map.pdf"
    _, ok, feedback = _run({"STORE": str(tmp_path / "nowhere.gpkg"), "INDICATOR": 0, "OUTPUT_PDF": str(pdf)})
    assert not ok and "nowhere.gpkg" in " ".join(feedback.errors)
    GpkgStore(tmp_path / "empty.gpkg", epsg=4522).close()
    _, ok, feedback = _run({"STORE": str(tmp_path / "empty.gpkg"), "INDICATOR": 0, "OUTPUT_PDF": str(pdf)})
    assert not ok and "patrol grid" in " ".join(feedback.errors)
    _, ok, feedback = _run({"STORE": str(tmp_path / "empty.gpkg"), "INDICATOR": 0, "OUTPUT_PDF": str(pdf),
                            "DATE_FROM": "2025/06/01"})
    assert not ok and "YYYY-MM-DD" in " ".join(feedback.errors)
    assert not pdf.exists() and not list(tmp_path.glob(".*"))


def test_algorithm_metadata(qgis_app):
    from qgis.core import QgsProcessingAlgorithm

    from linxia_tianguan_plugin.processing.reports.statistics_map import StatisticsMapAlgorithm

    alg = StatisticsMapAlgorithm()
    alg.initAlgorithm({})
    assert alg.name() == "statistics_map" and alg.groupId() == "reports"
    assert alg.flags() & QgsProcessingAlgorithm.FlagNoThreading
    assert alg.displayName() == tr("Export statistics map") and alg.shortHelpString()
    names = {p.name() for p in alg.parameterDefinitions()}
    assert {"STORE", "INDICATOR", "DATE_FROM", "DATE_TO", "PREFIX", "TITLE", "ATLAS", "OUTPUT_PDF", "OUTPUT_PNG",
            "ADD_TO_PROJECT"} <= names
    assert {o.name() for o in alg.outputDefinitions()} >= {"OUTPUT_PDF", "OUTPUT_PNG", "PAGES", "TOWNSHIPS"}
