"""Chinese field aliases on every vector output (issue 8): field names stay ASCII, and the aliases
(空间码, 耕地面积(亩) …) are in the written file itself, so a fresh QgsVectorLayer — QGIS desktop,
qgis_process or a script — shows them; outputs Processing loads get them from the post-processor,
temporary outputs carry them on the layer.

Every algorithm of the desk runs once on the small session sample, under the zh_CN translation, writing
each output to its own GeoPackage; the files are then read back by a fresh QgsVectorLayer and, apart
from QGIS, by plain SQL on the GeoPackage's ``layer_styles`` table.
"""
from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import layer_uri
from tests.helpers import change_params, run

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
WEEK = ("2025-06-09", "2025-06-15")  # the sample's week of tracks
TRACK_FILES = 40  # GPX files imported (of the sample's week): enough for tracks in several groups


def _pending_translator(tmp: Path):
    """A translator of the translations still waiting in .pending_tr_*.json to be merged into the
    shipped .ts (compiled with lrelease as ``tools/i18n.py compile`` does); None when all are merged."""
    import json

    from qgis.PyQt.QtCore import QTranslator

    from linxia_tianguan_plugin.i18n import CONTEXT

    pending = {}
    for path in sorted(ROOT.glob(".pending_tr_*.json")):
        pending.update(json.loads(path.read_text(encoding="utf-8")))
    if not pending:
        return None
    root = ET.Element("TS", version="2.1", language="zh_CN")
    context = ET.SubElement(root, "context")
    ET.SubElement(context, "name").text = CONTEXT
    for source, translation in pending.items():
        message = ET.SubElement(context, "message")
        ET.SubElement(message, "source").text = source
        ET.SubElement(message, "translation").text = translation
    ts, qm = tmp / "pending.ts", tmp / "pending.qm"
    ts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + ET.tostring(root, encoding="unicode"),
                  encoding="utf-8")
    lrelease = shutil.which("lrelease") or "/usr/lib/qt5/bin/lrelease"
    subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    return translator


class Chinese:
    """The shipped zh_CN translation, plus the pending ones of this change until they are merged."""

    def __init__(self, pending):
        self.pending = pending

    def on(self) -> None:
        from qgis.PyQt.QtCore import QCoreApplication

        from linxia_tianguan_plugin import i18n

        assert i18n.install_translator("zh_CN"), "compiled zh_CN translation missing (make i18n)"
        if self.pending is not None:
            QCoreApplication.installTranslator(self.pending)

    def off(self) -> None:
        from qgis.PyQt.QtCore import QCoreApplication

        from linxia_tianguan_plugin import i18n

        if self.pending is not None:
            QCoreApplication.removeTranslator(self.pending)
        i18n.remove_translator()


@pytest.fixture(scope="module")
def chinese_module(qgis_app, tmp_path_factory):
    """Chinese for the whole module: the outputs are written under it."""
    chinese = Chinese(_pending_translator(tmp_path_factory.mktemp("tr")))
    chinese.on()
    yield chinese
    chinese.off()


@pytest.fixture(scope="module")
def desk(processing_registry, sample_county, chinese_module, tmp_path_factory):
    """Every algorithm with a vector output, run as a desk would, each output to a GeoPackage."""
    base = tmp_path_factory.mktemp("aliases")
    src = sample_county / "sample_county.gpkg"
    store = str(base / "tianguan.gpkg")
    layers = {k: layer_uri(src, k) for k in ("DLTB", "DK", "YJJBNTTB", "CJDCQ", "XZQ")}
    out = {}
    coding = {"DLTB": layers["DLTB"], "DK": layers["DK"], "YJJBNT": layers["YJJBNTTB"], "CJDCQ": layers["CJDCQ"]}
    # without a store, a new GeoPackage is written directly (storage.export), not through a sink
    out["direct"] = run("linxia_tianguan:space_code", dict(coding, OUTPUT=str(base / "direct.gpkg"),
                                                           ISSUES=None))["OUTPUT"]
    result = run("linxia_tianguan:space_code", dict(coding, STORE=store, OUTPUT=str(base / "coded.gpkg"),
                                                    ISSUES=str(base / "coding_issues.gpkg")))
    out["coded"], out["coding_issues"] = result["OUTPUT"], result["ISSUES"]
    out["grid"] = run("linxia_tianguan:build_grid", {"XZQ": layers["XZQ"], "CJDCQ": layers["CJDCQ"], "STORE": store,
                                                     "OUTPUT": str(base / "grid.gpkg")})["OUTPUT"]
    out["roster_problems"] = run("linxia_tianguan:import_roster", {
        "INPUT": str(sample_county / "roster.csv"), "STORE": store,
        "ISSUES": str(base / "roster_problems.gpkg")})["ISSUES"]
    out["code_problems"] = run("linxia_tianguan:validate_space_code", {
        "INPUT": str(base / "coded.gpkg"), "CJDCQ": layers["CJDCQ"], "STORE": store,
        "OUTPUT": str(base / "code_problems.gpkg")})["OUTPUT"]
    out["grid_problems"] = run("linxia_tianguan:grid_coverage", {
        "STORE": store, "OUTPUT": str(base / "grid_problems.gpkg")})["OUTPUT"]
    out["tasks"] = run("linxia_tianguan:dispatch_tasks", {
        "STORE": store, "START": "2025-06-01", "END": "2025-06-30", "AS_OF": "2025-06-20 12:00",
        "OUTPUT": str(base / "tasks.gpkg")})["OUTPUT"]
    tracks = base / "tracks"
    tracks.mkdir()
    for gpx in sorted((sample_county / "tracks").rglob("*.gpx"))[:TRACK_FILES]:
        shutil.copy(gpx, tracks / gpx.name)
    run("linxia_tianguan:import_tracks", {"FOLDER": str(tracks), "STORE": store})
    out["tracks"] = run("linxia_tianguan:check_tracks", {"STORE": store,
                                                         "OUTPUT": str(base / "tracks.gpkg")})["OUTPUT"]
    # two outputs into one GeoPackage, as tables of it
    coverage = base / "coverage.gpkg"
    result = run("linxia_tianguan:patrol_coverage", {
        "STORE": store, "START": WEEK[0], "END": WEEK[1], "ONLY_ACCEPTED": False,
        "PARCELS_OUT": f"ogr:dbname='{coverage}' table=\"parcels\" (geom)",
        "UNSEEN_OUT": f"ogr:dbname='{coverage}' table=\"unseen\" (geom)",
        "GRIDS_OUT": str(base / "coverage_grid.gpkg"), "RATES_OUT": str(base / "coverage_rates.gpkg")})
    out.update(coverage_parcels=result["PARCELS_OUT"], coverage_unseen=result["UNSEEN_OUT"],
               coverage_grid=result["GRIDS_OUT"], coverage_rates=result["RATES_OUT"])
    out["changes"] = run("linxia_tianguan:change_detection", change_params(
        src, STORE=store, OUTPUT=str(base / "changes.gpkg")))["OUTPUT"]
    return {"base": base, "store": store, "out": out}


#: output of :func:`desk` → (registry entry, the file's table, a field and its alias in zh_CN written out here)
EXPECTED = {
    "direct": ("parcels", "direct", "GDMJM", "耕地面积（亩）"),
    "coded": ("parcels", "coded", "KJM", "空间码"),
    "coding_issues": ("coding_issues", "coding_issues", "MJ", "面积（㎡）"),
    "grid": ("grid", "grid", "WGBM", "网格编码"),
    "roster_problems": ("roster_problems", "roster_problems", "HH", "行号"),
    "code_problems": ("code_problems", "code_problems", "KJM", "空间码"),
    "grid_problems": ("grid_problems", "grid_problems", "XGBM", "相关编码"),
    "tasks": ("tasks", "tasks", "due_local", "截止时间"),
    "tracks": ("tracks", "tracks", "length_m", "长度（米）"),
    "coverage_parcels": ("coverage_parcels", "parcels", "KJM", "空间码"),
    "coverage_unseen": ("coverage_parcels", "unseen", "KJM", "空间码"),
    "coverage_grid": ("coverage_grid", "coverage_grid", "GDFGL", "耕地覆盖率"),
    "coverage_rates": ("coverage_rates", "coverage_rates", "JB", None),
    "changes": ("changes", "changes", "GDMJM", "耕地面积（亩）"),
}


def _gpkg(dest: str) -> str:
    return str(dest).split("|")[0]


def _fresh(dest: str):
    """The output as anyone opens it: a new QgsVectorLayer with QGIS's defaults (default style loaded)."""
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(str(dest), "fresh", "ogr")
    assert layer.isValid(), dest
    return layer


@pytest.mark.parametrize("output", sorted(EXPECTED))
def test_every_field_of_the_written_file_has_a_chinese_alias_and_an_ascii_name(desk, output):
    from linxia_tianguan_plugin.processing.fields import aliases

    entry, table, field, alias = EXPECTED[output]
    dest = desk["out"][output]
    assert dest, output
    layer = _fresh(dest)
    names = [f.name() for f in layer.fields() if f.name() != "fid"]
    assert names, output
    for f in layer.fields():
        if f.name() == "fid":
            continue
        assert f.name().isascii() and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", f.name()), (output, f.name())
        assert f.alias(), (output, f.name())
        assert CJK.search(f.alias()), (output, f.name(), f.alias())
    assert set(names) == set(aliases(entry))  # the registry names every field, and only those
    if alias is not None:
        assert layer.fields().field(field).alias() == alias


def test_the_aliases_are_the_files_default_style_read_with_sql(desk):
    """Apart from QGIS: each output table has a default style in its GeoPackage's layer_styles, whose
    QML names the Chinese alias of each field."""
    for output, (_entry, table, field, alias) in EXPECTED.items():
        con = sqlite3.connect(_gpkg(desk["out"][output]))
        try:
            rows = con.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = ? AND useAsDefault = 1",
                               (table,)).fetchall()
        finally:
            con.close()
        assert len(rows) == 1, output
        written = {a.get("field"): a.get("name") for a in ET.fromstring(rows[0][0]).iter("alias")}
        assert written.get(field), output
        assert all(CJK.search(name or "") for f, name in written.items() if f != "fid"), output
        if alias is not None:
            assert written[field] == alias, output


def test_styled_outputs_keep_their_symbology_in_the_file(desk):
    """The grid, the coded parcels and the change candidates carry the plugin's bundled symbology with
    the aliases: a fresh layer draws as one the bundled .qml was loaded on."""
    from qgis.core import QgsVectorLayer

    from linxia_tianguan_plugin.resources import resource_path

    for output, qml in (("grid", "patrol_grid.qml"), ("coded", "space_code_parcels.qml"),
                        ("changes", "change_candidates.qml")):
        options = QgsVectorLayer.LayerOptions()
        options.loadDefaultStyle = False
        plain = QgsVectorLayer(desk["out"][output], "plain", "ogr", options)
        assert plain.renderer().type() == "singleSymbol"  # what QGIS gives a layer without a style
        plain.loadNamedStyle(str(resource_path("styles", qml)))
        fresh = _fresh(desk["out"][output])
        assert fresh.renderer().type() == plain.renderer().type() != "singleSymbol", output
        assert fresh.labelsEnabled() == plain.labelsEnabled(), output


def test_data_and_field_names_are_as_before(desk):
    """The aliases change no field name or value: the task table still has its ASCII columns and rows."""
    con = sqlite3.connect(_gpkg(desk["out"]["tasks"]))
    try:
        columns = [r[1] for r in con.execute("PRAGMA table_info(tasks)")]
        rows = con.execute("SELECT count(*) FROM tasks").fetchone()[0]
    finally:
        con.close()
    assert columns[1:] == ["task_id", "grid_code", "grid_name", "level", "level_name", "township", "period_start",
                           "period_end", "due_local", "due_at", "officer", "phone", "status", "patrolled_at"]
    assert rows > 0


def test_a_shapefile_output_gets_a_sidecar_style(desk, tmp_path):
    out = tmp_path / "problems.shp"
    dest = run("linxia_tianguan:grid_coverage", {"STORE": desk["store"], "OUTPUT": str(out)})["OUTPUT"]
    assert (tmp_path / "problems.qml").is_file()
    layer = _fresh(dest)
    assert layer.fields().field("XGBM").alias() == "相关编码"


def test_an_output_processing_loads_gets_the_aliases_from_the_post_processor(desk, tmp_path):
    """Processing opens what it loads without the default style: the post-processor puts them on."""
    from qgis.core import (
        QgsProcessingContext,
        QgsProcessingFeedback,
        QgsProcessingOutputLayerDefinition,
        QgsProject,
        QgsVectorLayer,
    )

    context = QgsProcessingContext()
    definition = QgsProcessingOutputLayerDefinition(str(tmp_path / "problems.gpkg"), QgsProject.instance())
    dest = run("linxia_tianguan:grid_coverage", {"STORE": desk["store"], "OUTPUT": definition},
               context=context)["OUTPUT"]
    assert context.willLoadLayerOnCompletion(dest)
    processor = context.layerToLoadOnCompletionDetails(dest).postProcessor()
    assert processor is not None
    options = QgsVectorLayer.LayerOptions()
    options.loadDefaultStyle = False  # as Processing opens its results
    layer = QgsVectorLayer(dest, "loaded", "ogr", options)
    assert layer.isValid()
    # GDAL ≥ 3.7 may already carry the alias as the GeoPackage column's alternative name: clear it on the layer
    layer.setFieldAlias(layer.fields().indexOf("LXSM"), "")
    assert layer.fields().field("LXSM").alias() == ""
    processor.postProcessLayer(layer, context, QgsProcessingFeedback())
    assert layer.fields().field("LXSM").alias() == "问题说明"


def test_a_temporary_output_carries_the_aliases_on_its_layer(desk):
    from qgis.core import QgsProcessingContext

    context = QgsProcessingContext()
    result = run("linxia_tianguan:dispatch_tasks", {"STORE": desk["store"], "START": "2025-06-01",
                                                    "END": "2025-06-30", "OUTPUT": "TEMPORARY_OUTPUT"},
                 context=context)
    layer = result["OUTPUT"]
    if isinstance(layer, str):
        layer = context.getMapLayer(layer)
    assert layer is not None and layer.providerType() == "memory"
    assert {f.name(): f.alias() for f in layer.fields()}["task_id"] == "任务编号"
    assert all(CJK.search(f.alias()) for f in layer.fields())


def test_without_the_translation_the_aliases_are_english(desk, chinese_module, tmp_path):
    """The aliases follow the UI language at the time of the run (English sources without zh_CN)."""
    from qgis.PyQt.QtCore import QCoreApplication

    from linxia_tianguan_plugin.i18n import CONTEXT

    chinese_module.off()
    try:
        assert QCoreApplication.translate(CONTEXT, "Related code") == "Related code"
        dest = run("linxia_tianguan:grid_coverage", {"STORE": desk["store"],
                                                     "OUTPUT": str(tmp_path / "english.gpkg")})["OUTPUT"]
    finally:
        chinese_module.on()
    layer = _fresh(dest)
    assert {f.name(): f.alias() for f in layer.fields() if f.name() != "fid"} == {
        "LX": "Problem type", "LXSM": "Problem", "JB": "Level", "JBMC": "Level name", "BM": "Code",
        "XGBM": "Related code", "MJ": "Area (m²)"}


def test_the_registry_names_every_output_of_every_algorithm(processing_registry):
    """Every vector output parameter of the algorithms in this change has a registry entry, and every
    entry has an alias for each name."""
    from qgis.core import QgsProcessingParameterFeatureSink

    from linxia_tianguan_plugin.processing.fields import OUTPUTS, output_aliases

    provider = processing_registry.providerById("linxia_tianguan")
    mine = {algorithm.name() for algorithm in provider.algorithms()}  # every algorithm of the plugin
    sinks = set()
    for algorithm in provider.algorithms():
        if algorithm.name() in mine:
            sinks |= {(algorithm.name(), p.name()) for p in algorithm.parameterDefinitions()
                      if isinstance(p, QgsProcessingParameterFeatureSink)}
    assert sinks == set(OUTPUTS)
    registry = output_aliases()
    # and the shared PostGIS tables (导出到 PostGIS saves theirs as the tables' default style)
    assert set(OUTPUTS.values()) | {"pg_cases", "pg_case_events"} == set(registry)
    for entry, names in registry.items():
        assert names and all(name.isascii() and alias for name, alias in names.items()), entry


#: output of :func:`desk` → coded fields that must show a name, never the code (issue 16)
CODED = {"direct": ("DKLX", "BGLX"), "coded": ("DKLX", "BGLX"), "coding_issues": ("LX",),
         "code_problems": ("LX",), "changes": ("BHLX", "YPLB", "ZT"), "roster_problems": ("LX",),
         "grid_problems": ("LX",)}


@pytest.mark.parametrize("output", sorted(CODED))
def test_coded_fields_show_names_not_codes(desk, output):
    """A fresh layer of the written file (its default style) shows, through its editor widget and QGIS's field
    formatter — what the attribute table, forms and identify display — a Chinese name for every value of every
    coded field of the label registry: no raw code is displayed."""

    from linxia_tianguan_plugin.labels import field_value_maps

    layer = _fresh(desk["out"][output])
    maps = field_value_maps(EXPECTED[output][0])
    coded = [f.name() for f in layer.fields() if f.name() in maps]
    assert set(CODED[output]) <= set(coded)
    seen = sum(len(_names_shown(layer, name, maps[name])) for name in coded)
    # parcels and changes hold codes; the sample's issue layers may be empty (see the tests below)
    assert seen or output in ("coding_issues", "code_problems", "grid_problems"), output


def _names_shown(layer, name: str, names: dict) -> list[str]:
    """What QGIS's field formatter shows for each value of ``name`` (the attribute table, forms, identify): asserts
    the field has a ValueMap and no value is shown as its code; the shown names."""
    from qgis.core import QgsApplication

    index = layer.fields().indexOf(name)
    setup = layer.editorWidgetSetup(index)
    assert setup.type() == "ValueMap", name
    formatter = QgsApplication.fieldFormatterRegistry().fieldFormatter(setup.type())
    shown = []
    for value in layer.uniqueValues(index):
        if value is None or (hasattr(value, "isNull") and value.isNull()):
            continue
        text = formatter.representValue(layer, index, setup.config(), None, value)
        assert text == names[value] and CJK.search(text) and str(value) not in text, (name, value, text)
        shown.append(text)
    return shown


def test_roster_problems_show_their_kind_by_name(desk, sample_county, tmp_path):
    """导入田管员花名册's LX (problem kind) is named — not the coding issues' names, whose LX is another family."""
    from linxia_tianguan_plugin.labels import roster_problem_labels

    roster = tmp_path / "roster.csv"
    text = (sample_county / "roster.csv").read_text(encoding="utf-8-sig")
    roster.write_text(text + "镇,622921,某乡,张三,田管员,乡长,13800000000,否\n"
                             "社,62292110210401,某社,,田管员,社长,12345,否\n", encoding="utf-8-sig")
    dest = run("linxia_tianguan:import_roster", {"INPUT": str(roster), "STORE": desk["store"], "CHECK_ONLY": True,
                                                 "ISSUES": str(tmp_path / "problems.gpkg")})["ISSUES"]
    shown = _names_shown(_fresh(dest), "LX", roster_problem_labels())
    assert {"缺少姓名", "电话号码格式错误"} <= set(shown)


def test_grid_problems_show_their_kind_by_name(desk, tmp_path):
    """网格覆盖检查's LX is named: a grid with one group cell taken out has gaps and uncovered farmland."""
    from linxia_tianguan_plugin.labels import grid_problem_labels

    grid = tmp_path / "grid.gpkg"
    shutil.copy(desk["out"]["grid"], grid)
    with sqlite3.connect(grid) as conn:
        table = conn.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'").fetchone()[0]
        conn.execute(f'DELETE FROM "{table}" WHERE fid = (SELECT max(fid) FROM "{table}" WHERE JB = 5)')
    dest = run("linxia_tianguan:grid_coverage", {"GRID": str(grid), "STORE": desk["store"],
                                                 "OUTPUT": str(tmp_path / "problems.gpkg")})["OUTPUT"]
    shown = _names_shown(_fresh(dest), "LX", grid_problem_labels())
    assert grid_problem_labels()["gap"] in shown


@pytest.mark.parametrize("output, field", [("coded", "TXMJ"), ("changes", "MJ")])
def test_areas_show_two_decimals(desk, output, field):
    from qgis.core import QgsApplication

    layer = _fresh(desk["out"][output])
    index = layer.fields().indexOf(field)
    setup = layer.editorWidgetSetup(index)
    assert setup.type() == "Range" and setup.config()["Precision"] == 2
    formatter = QgsApplication.fieldFormatterRegistry().fieldFormatter("Range")
    shown = formatter.representValue(layer, index, setup.config(), None, 872.88315)
    assert re.fullmatch(r"872[.,]88", shown), shown
