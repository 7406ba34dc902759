"""Every kind of file the plugin writes, read back WITHOUT QGIS: fiona (GDAL/OGR) for GeoPackage layers and
shapefiles, openpyxl for workbooks, GDAL's GeoPackage validator, sqlite3 and the sample's own input files for
the expectations.

One module-scoped chain runs the desk's workflow on the session sample (2 000 parcels) under the zh_CN
translation, as a Chinese desk has it: coding (direct GeoPackage, shapefile, issues), grid, roster, change
analysis, tasks, tracks, coverage, validation, grid check, the four workbooks and a field package. Sinks run
with the context QGIS's Processing dialog and ``processing.run`` make (``dataobjects.createContext``), except
one shapefile written with a bare ``QgsProcessingContext()`` — what ``qgis_process`` and scripts get.

The vector files are read in a separate Python process that never imports QGIS: QGIS sets GDAL's
SHAPE_ENCODING to "" for the whole process (it recodes itself), so fiona inside the test process would not
decode a shapefile by its .cpg as every other GDAL program does.

Expectations come from the inputs (read with fiona / csv), from the store (plain SQL) or from what the
algorithm reported — never from the plugin's own readers. Not covered here: PDF/PNG/GPX outputs (statistics
map, dashboard PDF, QR labels) — no vector or workbook content.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import shapely

from tests.helpers import change_params, run, sql_rows

pytestmark = pytest.mark.clock  # tasks, statuses and the assessment depend on the plugin's clock

CJK = re.compile(r"[\u4e00-\u9fff]")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EPSG_TRACKS = 4490  # field package track layer: CGCS2000 lon/lat, times as M (core.patrol.field_package)
LEVEL_ZH = {1: "州", 2: "县", 3: "乡", 4: "村", 5: "社"}  # the grid levels as the help texts name them
STATUS_ZH = {"已完成", "未完成", "已过期"}
JUNE = ("2025-06-01", "2025-06-30")
WEEK = ("2025-06-09", "2025-06-15")  # the sample's week of tracks

# ------------------------------------------------------------------------------------------- the chain


@pytest.fixture(scope="module")
def chain(processing_registry, sample_county, tmp_path_factory):
    """The desk's workflow on the sample, every output written to a file; (paths, results, issued case)."""
    from processing.tools import dataobjects

    from linxia_tianguan_plugin import i18n
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import take_action

    base = tmp_path_factory.mktemp("readers")
    src = sample_county / "sample_county.gpkg"
    layer = lambda name: f"{src}|layername={name}"  # noqa: E731
    store = base / "tianguan.gpkg"
    p = {name: base / name for name in (
        "coded_direct.gpkg", "coded.shp", "coded_bare.shp", "coding_issues.gpkg", "grid.gpkg", "roster_issues.gpkg",
        "changes.gpkg", "tasks.gpkg", "checked.gpkg", "seen.gpkg", "grids.shp", "unseen.gpkg", "rates.gpkg",
        "problems.gpkg", "grid_problems.gpkg", "tasks.xlsx", "roster.xlsx", "assessment.xlsx", "dashboard.xlsx")}
    p["tianguan.gpkg"] = store
    out = {}

    def step(key, alg, params, gui=True):
        # the Processing dialog's and processing.run's context; bare: qgis_process's and a script's
        out[key] = run(alg, params, context=dataobjects.createContext() if gui else None)

    assert i18n.install_translator("zh_CN"), "compiled zh_CN translation missing (make i18n)"
    try:
        coding = {"DLTB": layer("DLTB"), "DK": layer("DK"), "YJJBNT": layer("YJJBNTTB"), "CJDCQ": layer("CJDCQ")}
        step("direct", "linxia_tianguan:space_code", {**coding, "OUTPUT": str(p["coded_direct.gpkg"])})
        step("bare", "linxia_tianguan:space_code", {**coding, "OUTPUT": str(p["coded_bare.shp"])}, gui=False)
        step("code", "linxia_tianguan:space_code", {**coding, "STORE": str(store), "OUTPUT": str(p["coded.shp"]),
                                                     "ISSUES": str(p["coding_issues.gpkg"])})
        step("grid", "linxia_tianguan:build_grid", {"XZQ": layer("XZQ"), "CJDCQ": layer("CJDCQ"),
                                                    "STORE": str(store), "OUTPUT": str(p["grid.gpkg"])})
        step("roster", "linxia_tianguan:import_roster", {"INPUT": str(sample_county / "roster.csv"),
                                                         "STORE": str(store), "ISSUES": str(p["roster_issues.gpkg"])})
        step("changes", "linxia_tianguan:change_detection",
             change_params(src, STORE=str(store), OUTPUT=str(p["changes.gpkg"])))
        step("tasks", "linxia_tianguan:dispatch_tasks", {"STORE": str(store), "START": JUNE[0], "END": JUNE[1],
                                                        "OUTPUT": str(p["tasks.gpkg"])})
        tracks = base / "tracks"
        tracks.mkdir()
        for gpx in sorted((sample_county / "tracks").glob("*.gpx"))[:60]:
            shutil.copy(gpx, tracks / gpx.name)
        step("import_tracks", "linxia_tianguan:import_tracks", {"FOLDER": str(tracks), "STORE": str(store)})
        step("check", "linxia_tianguan:check_tracks", {"STORE": str(store), "OUTPUT": str(p["checked.gpkg"])})
        step("coverage", "linxia_tianguan:patrol_coverage", {
            "STORE": str(store), "START": WEEK[0], "END": WEEK[1], "PARCELS_OUT": str(p["seen.gpkg"]),
            "GRIDS_OUT": str(p["grids.shp"]), "UNSEEN_OUT": str(p["unseen.gpkg"]), "RATES_OUT": str(p["rates.gpkg"])})
        step("validate", "linxia_tianguan:validate_space_code", {
            "INPUT": str(p["coded_direct.gpkg"]), "CJDCQ": layer("CJDCQ"), "DLTB": layer("DLTB"),
            "STORE": str(store), "OUTPUT": str(p["problems.gpkg"])})
        step("grid_coverage", "linxia_tianguan:grid_coverage", {"STORE": str(store),
                                                                 "OUTPUT": str(p["grid_problems.gpkg"])})
        step("export_tasks", "linxia_tianguan:export_tasks", {"STORE": str(store), "START": JUNE[0], "END": JUNE[1],
                                                             "OUTPUT": str(p["tasks.xlsx"])})
        step("export_roster", "linxia_tianguan:export_roster", {"STORE": str(store), "OUTPUT": str(p["roster.xlsx"])})
        step("assessment", "linxia_tianguan:assessment", {"STORE": str(store), "PERIOD": 0, "DATE": "2025-06-15",
                                                         "OUTPUT": str(p["assessment.xlsx"])})
        step("dashboard", "linxia_tianguan:dashboard_report", {"STORE": str(store),
                                                              "OUTPUT_XLSX": str(p["dashboard.xlsx"])})
        cases_at_dashboard = sql_rows(store, "SELECT count(*) FROM tg_case")[0][0]
        # a case issued to a group, so that the field package has one
        gpkg = GpkgStore(store, create=False)
        try:
            case_id, grid = gpkg.conn.execute("SELECT case_id, grid_code FROM tg_case WHERE length(grid_code) = 14 "
                                              "ORDER BY case_id LIMIT 1").fetchone()
            take_action(gpkg, case_id, "issue", "tester", "county_reviewer", 1)
        finally:
            gpkg.close()
        step("package", "linxia_tianguan:field_package_export", {"STORE": str(store), "GRID": grid,
                                                                 "OUTPUT": str(base / "packages")})
        p["package.gpkg"] = base / "packages" / grid / "tianguan_field.gpkg"
    finally:
        i18n.remove_translator()
    return SimpleNamespace(base=base, path=p, out=out, store=store, issued=case_id, grid=grid,
                           cases_at_dashboard=cases_at_dashboard)


#: the reader run in its own process (no QGIS): requests as JSON on stdin, answers as JSON on stdout
READER = r"""
import json, sys
import fiona, shapely.geometry

def layer(path, name):
    with fiona.open(path, layer=name) as c:
        return {"schema": {"properties": dict(c.schema["properties"]), "geometry": c.schema["geometry"]},
                "epsg": c.crs.to_epsg() if c.crs else None, "crs_wkt": c.crs.to_wkt() if c.crs else "",
                "encoding": getattr(c, "encoding", None),
                "features": [[dict(f.properties), None if f.geometry is None
                              else shapely.geometry.shape(f.geometry).wkb_hex] for f in c]}

def validate(path):
    try:
        from osgeo_utils.samples import validate_gpkg
    except ImportError:
        return None
    return [list(e) for e in validate_gpkg.check(path, abort_at_first_error=False, extra_checks=True,
                                                 warning_msg=False)]

out = {}
for key, what, path, name in json.load(sys.stdin):
    if what == "layer":
        out[key] = layer(path, name)
    elif what == "layers":
        out[key] = fiona.listlayers(path)
    else:
        out[key] = validate(path)
json.dump(out, sys.stdout, ensure_ascii=False)
"""


def read_outside(requests: list) -> dict:
    """Answers of :data:`READER` for (key, "layer" | "layers" | "validate", path, layer name) requests."""
    env = {k: v for k, v in os.environ.items() if k not in ("SHAPE_ENCODING", "PYTHONSTARTUP")}
    proc = subprocess.run([sys.executable, "-c", READER], input=json.dumps(requests, default=str), env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


class Layer:
    """A layer as fiona saw it: schema, CRS, and (properties, shapely geometry) per feature."""

    def __init__(self, answer: dict):
        self.schema, self.epsg, self.crs_wkt = answer["schema"], answer["epsg"], answer["crs_wkt"]
        self.features = [(props, None if wkb is None else shapely.from_wkb(bytes.fromhex(wkb)))
                         for props, wkb in answer["features"]]
        self.props = [props for props, _ in self.features]


@pytest.fixture(scope="module")
def inputs(sample_county):
    """What the sample's input files say, read with fiona (outside QGIS) and csv."""
    src = str(sample_county / "sample_county.gpkg")
    got = read_outside([(name, "layer", src, name) for name in ("DLTB", "DLTB_2025", "XZQ", "CJDCQ")])
    layers = {name: Layer(answer) for name, answer in got.items()}

    def by(layer, key, value, cut=None):
        return {p[key][:cut] if cut else p[key]: p[value] for p in layers[layer].props}

    with open(sample_county / "roster.csv", encoding="utf-8-sig", newline="") as handle:
        roster = list(csv.reader(handle))
    officers = {}
    for row in roster[1:]:
        if row[4] == "田管员":
            officers.setdefault(row[1], row[3])
    return SimpleNamespace(
        epsg=layers["DLTB"].epsg, county_bounds=shapely.union_all([g for _, g in layers["XZQ"].features]).bounds,
        roster_header=roster[0], roster=roster[1:], officers=officers,
        dlmc=by("DLTB", "BSM", "DLMC"), dlmc_2025=by("DLTB_2025", "BSM", "DLMC"),
        townships=by("XZQ", "XZQDM", "XZQMC", 9), villages=by("CJDCQ", "ZLDWDM", "ZLDWMC", 12),
        grid_names={row[1]: row[2] for row in roster[1:]})


def _sql(chain, sql, args=()):
    return sql_rows(chain.store, sql, args)


def _active_codes(chain) -> dict:
    return {r[0]: r[1:] for r in _sql(chain, "SELECT code, dlmc, tbbsm, gdmj_m2, seq FROM tg_space_code "
                                             "WHERE status = 'active'")}


def _active_cells(chain) -> dict:
    return {r[0]: r[1:] for r in _sql(chain, "SELECT c.code, c.level, c.name, c.parcels FROM tg_grid_cell c JOIN "
                                             "tg_grid_build b USING (build_id) WHERE b.active = 1")}


# ------------------------------------------------------------------------------------------- schemas

PARCEL_SCHEMA = [("KJM", "str:20"), ("XDM", "str:6"), ("XZDM", "str:9"), ("CDM", "str:12"), ("ZDM", "str:14"),
                 ("SXH", "int"), ("DKLX", "str:3"), ("DLBM", "str:5"), ("DLMC", "str:20"), ("TBBSM", "str:18"),
                 ("TXMJ", "float:.2"), ("GDMJ", "float:.2"), ("GDMJM", "float:.4"), ("YJMJ", "float:.2"),
                 ("YJMJM", "float:.4"), ("DKBM", "str:19"), ("FBFBM", "str:14"), ("CBFBM", "str:18"),
                 ("BDWGM", "str:20"), ("JD", "float:.7"), ("WD", "float:.7"), ("EWM", "str:254"), ("BGLX", "str:2"),
                 ("FJM", "str:254"), ("FMSJ", "str:25"), ("FMPC", "str:32"), ("BZ", "str:254")]
GRID_SCHEMA = [("JB", "int"), ("JBMC", "str:10"), ("WGBM", "str:14"), ("SJBM", "str:12"), ("WGMC", "str:100"),
               ("GDMJ", "float"), ("GDMJM", "float"), ("YJMJ", "float"), ("DKSL", "int")]
ISSUE_SCHEMA = [("JB", "str:8"), ("LX", "str:40"), ("WT", "str:254"), ("TC", "str:80"), ("YSID", "int"),
                ("BM", "str:20"), ("MJ", "float")]
CHANGE_SCHEMA = [("AJBH", "str:36"), ("BHLX", "str:20"), ("BHLXMC", "str:80"), ("YPLB", "str:20"),
                 ("YPLBMC", "str:80"), ("YPYJ", "str:254"), ("YXJ", "int"), ("QDLBM", "str:10"), ("QDLMC", "str:30"),
                 ("HDLBM", "str:10"), ("HDLMC", "str:30"), ("HZZSX", "str:10"), ("QBSM", "str:18"), ("HBSM", "str:18"),
                 ("WPBH", "str:60"), ("MJ", "float"), ("MJM", "float"), ("GDMJ", "float"), ("GDMJM", "float"),
                 ("YJMJ", "float"), ("YJMJM", "float"), ("PZMJ", "float"), ("BAMJ", "float"), ("LSMJ", "float"),
                 ("KFBJMJ", "float"), ("PZWH", "str:254"), ("WGBM", "str:14"), ("TGY", "str:40"), ("DH", "str:30"),
                 ("KJM", "str:254"), ("GZBB", "str:20"), ("ZT", "str:20")]
TASK_SCHEMA = [("task_id", "str"), ("grid_code", "str"), ("grid_name", "str"), ("level", "int"),
               ("level_name", "str"), ("township", "str"), ("period_start", "str"), ("period_end", "str"),
               ("due_local", "str"), ("due_at", "str"), ("officer", "str"), ("phone", "str"), ("status", "str"),
               ("patrolled_at", "str")]
TRACK_SCHEMA = [("track_id", "str"), ("officer", "str"), ("grid_code", "str"), ("started_at", "str"),
                ("ended_at", "str"), ("length_m", "float"), ("duration_s", "float"), ("flags", "str"),
                ("flags_zh", "str"), ("accepted", "int"), ("figures", "str")]
SEEN_SCHEMA = [("KJM", "str:20"), ("SFXJ", "str:2"), ("ZJXJ", "str:19"), ("XJBL", "float"), ("GDMJ", "float"),
               ("YJMJ", "float")]
RATE_FIELDS = [("WGBM", "str:14"), ("WGMC", "str:100"), ("GDMJ", "float"), ("XJGDMJ", "float"), ("GDFGL", "float"),
               ("YJMJ", "float"), ("XJYJMJ", "float"), ("YJFGL", "float"), ("XTCS", "int"), ("DKSL", "int"),
               ("XJDKSL", "int")]
PROBLEM_SCHEMA = [("JB", "str"), ("LX", "str"), ("WT", "str"), ("KJM", "str"), ("YSID", "int"), ("MJ", "float")]
GRID_PROBLEM_SCHEMA = [("LX", "str:20"), ("LXSM", "str:80"), ("JB", "int"), ("JBMC", "str:10"), ("BM", "str:20"),
                       ("XGBM", "str:20"), ("MJ", "float")]
ROSTER_ISSUE_SCHEMA = [("HH", "int"), ("WGBM", "str"), ("JB", "str"), ("LX", "str"), ("WT", "str")]
PACKAGE_SCHEMAS = {
    "parcels": [("code", "str:20"), ("seq", "int"), ("dlmc", "str:60"), ("area_mu", "float"), ("yongnong", "int"),
                ("status", "str:10")],
    "tasks": [("task_id", "str"), ("grid_code", "str"), ("level", "int"), ("period_start", "str"),
              ("period_end", "str"), ("due_at", "str"), ("officer", "str"), ("status", "str")],
    "cases": [("case_id", "str"), ("title", "str"), ("state", "str"), ("state_name", "str"), ("version", "int"),
              ("kind", "str"), ("category", "str"), ("area_mu", "float"), ("priority", "int"), ("grid_code", "str"),
              ("officer", "str"), ("detected_at", "str"), ("accepts_evidence", "int")],
    "tracks": [("officer", "str"), ("started_at", "datetime"), ("grid_code", "str")],
    "evidence": [("case_id", "str"), ("photo", "str"), ("note", "str"), ("taken_at", "datetime"), ("officer", "str"),
                 ("x", "float"), ("y", "float")],
}


def _kind(fiona_type: str) -> tuple[str, int | None]:
    """fiona's 'str:20', 'int32', 'int:10', 'float:21.7' (and this file's 'float:.7': 7 decimals) → ('str', 20),
    ('int', None), ('float', 7)."""
    name, _, size = fiona_type.partition(":")
    name = "int" if name.startswith("int") else name
    if name == "str":
        return name, int(size) if size else None
    if name == "float":
        return name, int(size.split(".")[1]) if "." in size else None  # (a width alone says nothing here)
    return name, None


def _assert_schema(schema: dict, expected: list, shapefile: bool = False) -> None:
    """Field names in order and their kinds; widths of text fields where declared; decimals in a shapefile."""
    props = schema["properties"]
    assert list(props) == [name for name, _ in expected]
    for name, want in expected:
        got_kind, got_size = _kind(props[name])
        want_kind, want_size = _kind(want)
        assert got_kind == want_kind, (name, props[name], want)
        if want_kind == "str" and want_size is not None:
            assert got_size == want_size, (name, props[name], want)
        if want_kind == "float" and want_size is not None and shapefile:
            assert got_size == want_size, (name, props[name], want)


#: layers of problems: a feature shows the input's faulty shape (an invalid polygon that coding repaired …)
PROBLEM_LAYERS = {"space_code issues", "validate_space_code", "grid_coverage"}


def _gpkg_params():
    return [v.values[0] if hasattr(v, "values") else v for v in GEOPACKAGES]


@pytest.fixture(scope="module")
def rb(chain):
    """Every output layer, the layer lists of the GeoPackages and GDAL's validation, read outside QGIS."""
    requests = [(f"{name}|{layer or ''}", "layer", chain.path[name], layer)
                for name, layer, *_ in VECTORS.values()]
    requests += [(f"{name}|{layer or ''}", "layer", chain.path[name], layer) for name, layer in (
        ("tianguan.gpkg", "tg_officer"), ("coded_bare.shp", None))]
    gpkgs = sorted({name for name, *_ in VECTORS.values() if name.endswith(".gpkg")})
    requests += [(f"layers:{name}", "layers", chain.path[name], None) for name in gpkgs]
    requests += [(f"validate:{name}", "validate", chain.path[name], None) for name in _gpkg_params()]
    got = read_outside(requests)
    return {key: Layer(value) if "|" in key else value for key, value in got.items()}


def layer_of(rb, name, layer=None) -> Layer:
    return rb[f"{name}|{layer or ''}"]


# one row per vector output: file, layer, schema, geometry type (fiona's name; None: a table), expected count
VECTORS = {
    "space_code to GeoPackage (direct writer)": ("coded_direct.gpkg", None, PARCEL_SCHEMA, "MultiPolygon",
                                               lambda c: len(_active_codes(c))),
    "space_code to shapefile": ("coded.shp", None, PARCEL_SCHEMA, "Polygon", lambda c: len(_active_codes(c))),
    "space_code issues": ("coding_issues.gpkg", None, ISSUE_SCHEMA, "MultiPolygon",
                          lambda c: c.out["code"]["ISSUE_COUNT"]),
    "build_grid": ("grid.gpkg", None, GRID_SCHEMA, "MultiPolygon", lambda c: len(_active_cells(c))),
    "import_roster issues": ("roster_issues.gpkg", None, ROSTER_ISSUE_SCHEMA, None,
                             lambda c: c.out["roster"]["ERRORS"] + c.out["roster"]["WARNINGS"]),
    "change_detection": ("changes.gpkg", None, CHANGE_SCHEMA, "MultiPolygon",
                         lambda c: _sql(c, "SELECT count(*) FROM tg_case")[0][0]),
    "dispatch_tasks": ("tasks.gpkg", None, TASK_SCHEMA, None,
                       lambda c: _sql(c, "SELECT count(*) FROM tg_task WHERE period_start <= ? AND period_end >= ?",
                                      (JUNE[1], JUNE[0]))[0][0]),
    "check_tracks": ("checked.gpkg", None, TRACK_SCHEMA, "LineString",
                     lambda c: _sql(c, "SELECT count(*) FROM tg_track")[0][0]),
    "patrol_coverage parcels": ("seen.gpkg", None, SEEN_SCHEMA, "MultiPolygon", lambda c: len(_active_codes(c))),
    "patrol_coverage unseen": ("unseen.gpkg", None, SEEN_SCHEMA, "MultiPolygon",
                               lambda c: c.out["coverage"]["PARCELS_UNSEEN_WEEKS"]),
    "patrol_coverage group grids to shapefile": (
        "grids.shp", None, RATE_FIELDS, "Polygon",
        lambda c: sum(1 for level, *_ in _active_cells(c).values() if level == 5)),
    "patrol_coverage rates": ("rates.gpkg", None, [("JB", "int"), *RATE_FIELDS], None,
                              lambda c: _sql(c, "SELECT count(*) FROM tg_coverage_rate WHERE run_id = ?",
                                             (c.out["coverage"]["COVERAGE_RUN"],))[0][0]),
    "validate_space_code": ("problems.gpkg", None, PROBLEM_SCHEMA, "MultiPolygon",
                            lambda c: c.out["validate"]["ERRORS"] + c.out["validate"]["WARNINGS"]),
    "grid_coverage": ("grid_problems.gpkg", None, GRID_PROBLEM_SCHEMA, "MultiPolygon",
                      lambda c: c.out["grid_coverage"]["PROBLEMS"]),
    "field package parcels": ("package.gpkg", "parcels", PACKAGE_SCHEMAS["parcels"], "MultiPolygon",
                              lambda c: _sql(c, "SELECT count(*) FROM tg_space_code WHERE status = 'active' AND "
                                                "substr(code, 1, 14) = ?", (c.grid,))[0][0]),
    "field package tasks": ("package.gpkg", "tasks", PACKAGE_SCHEMAS["tasks"], "MultiPolygon",
                            lambda c: c.out["package"]["TASKS"]),
    "field package cases": ("package.gpkg", "cases", PACKAGE_SCHEMAS["cases"], "MultiPolygon",
                            lambda c: _sql(c, "SELECT count(*) FROM tg_case WHERE grid_code = ? AND state = 'issued'",
                                           (c.grid,))[0][0]),
    "field package tracks": ("package.gpkg", "tracks", PACKAGE_SCHEMAS["tracks"], "3D LineString", lambda c: 0),
    "field package evidence": ("package.gpkg", "evidence", PACKAGE_SCHEMAS["evidence"], "Point", lambda c: 0),
    "store tg_space_code": ("tianguan.gpkg", "tg_space_code", None, "MultiPolygon",
                            lambda c: _sql(c, "SELECT count(*) FROM tg_space_code")[0][0]),
    "store tg_grid_cell": ("tianguan.gpkg", "tg_grid_cell", None, "MultiPolygon",
                           lambda c: _sql(c, "SELECT count(*) FROM tg_grid_cell")[0][0]),
    "store tg_track": ("tianguan.gpkg", "tg_track", None, "LineString",
                       lambda c: _sql(c, "SELECT count(*) FROM tg_track")[0][0]),
    "store tg_case": ("tianguan.gpkg", "tg_case", None, "MultiPolygon",
                      lambda c: _sql(c, "SELECT count(*) FROM tg_case")[0][0]),
}


@pytest.mark.parametrize("output", list(VECTORS))
def test_vector_output_schema_crs_count_and_geometry(chain, inputs, rb, output):
    import pyproj

    name, layer, schema, geometry, count = VECTORS[output]
    path = chain.path[name]
    shapefile = path.suffix == ".shp"
    if not shapefile:
        assert (layer or path.stem) in rb[f"layers:{name}"]
    got = layer_of(rb, name, layer)
    if schema is not None:
        _assert_schema(got.schema, schema, shapefile)
    assert got.schema["geometry"] == (geometry or "None")
    assert len(got.features) == count(chain)
    if geometry is None:
        assert got.epsg is None and not got.crs_wkt
        return
    # the CRS the plugin claims: the county's (CGCS2000 3-degree zone 34 for the sample), or lon/lat for tracks
    want = EPSG_TRACKS if geometry == "3D LineString" else inputs.epsg
    assert got.epsg == want
    assert pyproj.CRS.from_wkt(got.crs_wkt).equals(pyproj.CRS.from_epsg(want), ignore_axis_order=True)
    geoms = np.array([g for _, g in got.features], dtype=object)
    assert all(g is not None for g in geoms)
    if len(geoms):
        assert not shapely.is_empty(geoms).any()
        if output not in PROBLEM_LAYERS:
            assert shapely.is_valid(geoms).all()
        # coordinates where the county is (the input's extent; tracks may stray a little beyond it)
        x0, y0, x1, y1 = inputs.county_bounds
        margin = 2000.0 if "LineString" in geometry else 1.0
        bx0, by0, bx1, by1 = shapely.total_bounds(geoms)
        assert x0 - margin <= bx0 and y0 - margin <= by0 and bx1 <= x1 + margin and by1 <= y1 + margin


def test_the_sample_is_cgcs2000_zone_34(inputs):
    assert inputs.epsg == 4522  # CGCS2000 / 3-degree Gauss-Kruger zone 34: what every output must claim


# ------------------------------------------------------------------------------------------- values


@pytest.mark.parametrize("name", ["coded_direct.gpkg", "coded.shp"])
def test_coded_parcels_values_round_trip(chain, rb, inputs, name):
    """Codes as in the store, 地类名称 exactly as in the input DLTB, areas as stored, and JD/WD (CGCS2000 lon/lat)
    on the parcel once projected into the CRS the file claims."""
    import pyproj

    got = layer_of(rb, name)
    feats = got.features
    stored = _active_codes(chain)
    codes = [p["KJM"] for p, _ in feats]
    assert len(codes) == len(set(codes)) and set(codes) == set(stored)
    assert [p["DLMC"] for p, _ in feats] == [inputs.dlmc[p["TBBSM"]] for p, _ in feats]
    assert any(CJK.search(p["DLMC"]) for p, _ in feats)
    for p, _ in feats:
        dlmc, tbbsm, gdmj, seq = stored[p["KJM"]]
        assert (p["DLMC"], p["TBBSM"], p["SXH"]) == (dlmc, tbbsm, seq)
        assert p["GDMJ"] == pytest.approx(gdmj, abs=0.0051)
        assert (p["XZDM"], p["ZDM"]) == (p["KJM"][:9], p["KJM"][:14])
    to_file = pyproj.Transformer.from_crs(4490, pyproj.CRS.from_wkt(got.crs_wkt), always_xy=True)
    x, y = to_file.transform([p["JD"] for p, _ in feats], [p["WD"] for p, _ in feats])
    assert shapely.distance(np.array([g for _, g in feats]), shapely.points(x, y)).max() < 0.05


# the store keeps the label point's lon/lat to the same 7 decimals the sink outputs declare (it kept 6)
def test_direct_geopackage_and_shapefile_agree_on_lon_lat(chain, rb):
    direct = {p["KJM"]: (p["JD"], p["WD"]) for p, _ in layer_of(rb, "coded_direct.gpkg").features}
    shp = {p["KJM"]: (p["JD"], p["WD"]) for p, _ in layer_of(rb, "coded.shp").features}
    assert set(direct) == set(shp)
    codes = sorted(direct)
    a, b = np.array([direct[k] for k in codes]), np.array([shp[k] for k in codes])
    assert np.allclose(a, b, rtol=0, atol=1.01e-7)  # one unit of the declared 7th decimal


def _assert_utf8_shapefile(path: Path) -> None:
    cpg = path.with_suffix(".cpg")
    assert cpg.exists(), f"{path.name} has no .cpg"
    assert cpg.read_text(encoding="ascii").strip().upper() in ("UTF-8", "UTF8", "65001"), cpg.read_text()
    with open(path.with_suffix(".dbf"), "rb") as handle:
        header = handle.read(32)
    assert header[29] in (0, 0x57), header[29]  # DBF language driver: none, or "ANSI" (the .cpg decides)


def test_shapefiles_say_utf8_and_keep_chinese(chain, rb, inputs):
    """Written through the Processing dialog's context: .cpg says UTF-8, Chinese round-trips exactly."""
    for name in ("coded.shp", "grids.shp"):
        _assert_utf8_shapefile(chain.path[name])
        assert all(len(f) <= 10 and f.isascii() for f in layer_of(rb, name).schema["properties"])
    cells = _active_cells(chain)
    grids = layer_of(rb, "grids.shp").features
    assert [p["WGMC"] for p, _ in grids] == [cells[p["WGBM"]][1] for p, _ in grids]
    assert all(CJK.search(p["WGMC"]) for p, _ in grids)
    assert all(cells[p["WGBM"]][0] == 5 for p, _ in grids)


# qgis_process, tools/demo.py, ui/one_click.py and scripts make a QgsProcessingContext() whose default encoding is
# unset: AlgorithmBase.parameterAsSink makes it UTF-8 (the .cpg said 'system' over a UTF-8 DBF: mojibake)
def test_shapefile_written_without_a_dialog_context_is_utf8(chain, rb, inputs):
    _assert_utf8_shapefile(chain.path["coded_bare.shp"])
    feats = layer_of(rb, "coded_bare.shp").features
    assert [p["DLMC"] for p, _ in feats] == [inputs.dlmc[p["TBBSM"]] for p, _ in feats]


@pytest.mark.parametrize("source", ["grid.gpkg", "store"])
def test_grid_cells_names_levels_and_sums(chain, rb, inputs, source):
    if source == "store":
        build = _sql(chain, "SELECT build_id FROM tg_grid_build WHERE active = 1")[0][0]
        rows = [(p["level"], p["code"], p["name"], p["parcels"], p["farmland_m2"])
                for p, _ in layer_of(rb, "tianguan.gpkg", "tg_grid_cell").features if p["build_id"] == build]
    else:
        feats = layer_of(rb, "grid.gpkg").features
        names = {(p["JB"], p["JBMC"]) for p, _ in feats}  # 乡镇 for 乡: the translated level name
        assert len(names) == 5 and all(name.startswith(LEVEL_ZH[level]) for level, name in names)
        rows = [(p["JB"], p["WGBM"], p["WGMC"], p["DKSL"], p["GDMJ"]) for p, _ in feats]
    assert Counter(level for level, *_ in rows) == Counter(
        {lv: chain.out["grid"][f"LEVEL{lv}"] for lv in range(1, 6)})
    names = {3: inputs.townships, 4: inputs.villages, 5: inputs.grid_names}
    checked = 0
    for level, code, name, *_ in rows:
        if level in names and code in names[level]:
            assert name == names[level][code], (level, code)
            checked += 1
    assert checked >= sum(1 for level, *_ in rows if level in (3, 4))
    stored = _active_codes(chain)
    assert sum(parcels for level, *_, parcels, _ in rows if level == 5) == len(stored)
    county = [farmland for level, *_, farmland in rows if level == 2]
    assert county == [pytest.approx(sum(v[2] for v in stored.values()), abs=1.0)]


def test_store_parcels_through_fiona_keep_the_input_land_class(chain, rb, inputs):
    feats = layer_of(rb, "tianguan.gpkg", "tg_space_code").features
    active = [p for p, _ in feats if p["status"] == "active"]
    assert len(active) == len(_active_codes(chain))
    assert [p["dlmc"] for p in active] == [inputs.dlmc[p["tbbsm"]] for p in active]


def test_store_officers_through_fiona_are_the_roster_file(chain, rb, inputs):
    """An attribute table of the store read by fiona: names, posts and phones exactly as in roster.csv."""
    roster_id = _sql(chain, "SELECT roster_id FROM tg_roster_import WHERE active = 1")[0][0]
    got = Counter((p["grid_code"], p["grid_name"], p["name"] or "", p["post"] or "", p["phone"] or "")
                  for p, g in layer_of(rb, "tianguan.gpkg", "tg_officer").features if p["roster_id"] == roster_id)
    want = Counter((r[1], r[2], r[3], r[5], r[6]) for r in inputs.roster)
    assert got == want and sum(got.values()) == chain.out["roster"]["IMPORTED"]


def test_change_candidates_values(chain, rb, inputs):
    feats = layer_of(rb, "changes.gpkg").features
    stored = {r[0]: r[1:] for r in _sql(chain, "SELECT case_id, area_m2, grid_code, officer FROM tg_case")}
    assert {p["AJBH"] for p, _ in feats} == set(stored)
    assert len(feats) == chain.out["changes"]["CANDIDATES"]
    for p, _ in feats:
        area, grid, officer = stored[p["AJBH"]]
        assert p["MJ"] == pytest.approx(area, abs=0.0051)
        assert p["WGBM"] == grid
        assert p["TGY"] == (inputs.officers.get(grid) or "") == (officer or "")
        if p["QBSM"]:
            assert p["QDLMC"] == inputs.dlmc[p["QBSM"]]
        if p["HBSM"]:
            assert p["HDLMC"] == inputs.dlmc_2025[p["HBSM"]]
        assert CJK.search(p["BHLXMC"]) and CJK.search(p["YPLBMC"])  # zh_CN labels, not mojibake
    assert any(p["QBSM"] and CJK.search(p["QDLMC"]) for p, _ in feats)


def test_task_table_values(chain, rb, inputs):
    feats = [p for p, _ in layer_of(rb, "tasks.gpkg").features]
    stored = {r[0]: r[1:] for r in _sql(chain, "SELECT task_id, grid_code, level, period_start, period_end, due_at, "
                                               "officer FROM tg_task")}
    assert {p["task_id"] for p in feats} == set(stored)
    for p in feats:
        grid, level, start, end, due, officer = stored[p["task_id"]]
        assert (p["grid_code"], p["level"], p["period_start"], p["period_end"], p["due_at"]) == (
            grid, level, start, end, due)
        assert p["officer"] == (officer or "") == (inputs.officers.get(grid) or "")
        assert p["level_name"] == LEVEL_ZH[level]
        if level == 3:
            assert p["grid_name"] == inputs.townships[grid]
    statuses = Counter(p["status"] for p in feats)
    assert set(statuses) <= STATUS_ZH
    result = chain.out["tasks"]
    assert (statuses["已完成"], statuses["未完成"], statuses["已过期"]) == (
        result["DONE"], result["OPEN"], result["OVERDUE"])


def test_checked_tracks_values(chain, rb):
    feats = layer_of(rb, "checked.gpkg").features
    stored = {r[0]: r[1:] for r in _sql(chain, "SELECT track_id, officer, grid_code, accepted FROM tg_track")}
    assert {p["track_id"] for p, _ in feats} == set(stored)
    for p, g in feats:
        assert (p["officer"], p["grid_code"], p["accepted"]) == stored[p["track_id"]]
        assert p["length_m"] == pytest.approx(g.length, rel=1e-3)
        assert bool(p["flags"]) == bool(p["flags_zh"]) and (not p["flags_zh"] or CJK.search(p["flags_zh"]))
    assert sum(p["accepted"] for p, _ in feats) == chain.out["check"]["ACCEPTED"]
    assert all(CJK.search(p["officer"]) for p, _ in feats)


def test_coverage_layers_values(chain, rb, inputs):
    result = chain.out["coverage"]
    seen = [p for p, _ in layer_of(rb, "seen.gpkg").features]
    assert {p["KJM"] for p in seen} == set(_active_codes(chain))
    flags = Counter(p["SFXJ"] for p in seen)
    assert set(flags) == {"是", "否"} and flags["是"] == result["PARCELS_SEEN"]
    assert all(ISO_DATE.match(p["ZJXJ"][:10]) for p in seen if p["SFXJ"] == "是")
    unseen = {p["KJM"] for p, _ in layer_of(rb, "unseen.gpkg").features}
    # every track of the sample lies in the analysed week: unseen for four weeks = not seen in the week
    assert unseen == {p["KJM"] for p in seen if p["SFXJ"] == "否"}
    rates = {p["WGBM"]: p for p, _ in layer_of(rb, "rates.gpkg").features}
    stored = {r[0]: r[1:] for r in _sql(chain, "SELECT code, parcels, seen_parcels FROM tg_coverage_rate "
                                               "WHERE run_id = ?", (result["COVERAGE_RUN"],))}
    assert set(rates) == set(stored)
    assert all((p["DKSL"], p["XJDKSL"]) == stored[code] for code, p in rates.items())
    county = [p for p in rates.values() if p["JB"] == 2]
    assert len(county) == 1 and county[0]["GDFGL"] == pytest.approx(result["FARMLAND_RATE"], abs=5e-5)
    assert county[0]["XTCS"] == result["TRACKS"]
    townships = [p for p in rates.values() if p["JB"] == 3]
    assert townships and all(p["WGMC"] == inputs.townships[p["WGBM"]] for p in townships)


def test_issue_layers_values(chain, rb, inputs):
    coding = [p for p, _ in layer_of(rb, "coding_issues.gpkg").features]
    assert coding and all(p["JB"] in ("警告", "错误") and CJK.search(p["WT"]) for p in coding)
    roster = [p for p, _ in layer_of(rb, "roster_issues.gpkg").features]
    assert roster and all(p["JB"] in ("警告", "错误") and CJK.search(p["WT"]) for p in roster)
    lines = [p for p in roster if p["HH"] is not None]  # (a grid missing from the file has no line)
    assert lines
    for p in lines:  # HH: the line of roster.csv (the header is line 1)
        assert inputs.roster[p["HH"] - 2][1] == p["WGBM"]


def test_field_package_values(chain, rb, inputs):
    path = chain.path["package.gpkg"]
    assert set(rb["layers:package.gpkg"]) >= set(PACKAGE_SCHEMAS)
    result = chain.out["package"]
    parcels = [p for p, _ in layer_of(rb, "package.gpkg", "parcels").features]
    stored = _active_codes(chain)
    assert len(parcels) == result["PARCELS"] and {p["code"] for p in parcels} <= set(stored)
    assert all(p["dlmc"] == stored[p["code"]][0] and CJK.search(p["dlmc"]) for p in parcels)
    tasks = [p for p, _ in layer_of(rb, "package.gpkg", "tasks").features]
    assert tasks and all(p["status"] in STATUS_ZH - {"已完成"} for p in tasks)
    assert all(p["officer"] == inputs.officers[p["grid_code"]] for p in tasks)
    assert {p["task_id"] for p in tasks} <= {r[0] for r in _sql(chain, "SELECT task_id FROM tg_task")}
    cases = [p for p, _ in layer_of(rb, "package.gpkg", "cases").features]
    assert [(p["case_id"], p["state"], p["state_name"], p["version"]) for p in cases] == [
        (chain.issued, "issued", "已下发", 2)]
    # the track layer has M (times) and Z, as QField's tracking needs: GeoPackage's own record of it
    row = sql_rows(path, "SELECT geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns WHERE table_name = ?",
                   ("tracks",))
    assert row == [("LINESTRING", EPSG_TRACKS, 1, 1)]


# ------------------------------------------------------------------------------------------- GeoPackage conformance

GEOPACKAGES = ["grid.gpkg", "changes.gpkg", "tasks.gpkg", "checked.gpkg", "seen.gpkg", "rates.gpkg",
               "coding_issues.gpkg", "roster_issues.gpkg", "package.gpkg",
               "coded_direct.gpkg",  # the plugin's own SQL writer (storage/gpkg.py)
               pytest.param("tianguan.gpkg", marks=pytest.mark.xfail(strict=True, reason=(
                   "the 田管库: the tg_* attribute tables registered in gpkg_contents have TEXT or no "
                   "INTEGER PRIMARY KEY (requirement 119: tg_task, tg_officer, tg_patrol, …)")))]


@pytest.mark.parametrize("name", GEOPACKAGES)
def test_geopackage_passes_gdals_validator(chain, rb, name):
    errors = rb[f"validate:{name}"]
    if errors is None:
        pytest.skip("GDAL's validate_gpkg (osgeo_utils) is not installed")
    assert errors == []


# ------------------------------------------------------------------------------------------- workbooks

TASK_HEADERS = ["任务编号", "网格编码", "网格名称", "网格级别", "级别", "乡镇编码", "周期开始", "周期结束", "截止时间",
                "截止时间(UTC)", "田管员", "联系电话", "状态", "巡田时间"]
RATES = ["频次达标率(%)", "覆盖率(%)", "轨迹真实率(%)", "举证及时率(%)", "整改及时率(%)", "综合得分"]
WORKBOOKS = {
    "tasks.xlsx": {"巡田任务": TASK_HEADERS, "过期汇总": ["乡镇编码", "乡镇名称", "过期任务数", "网格", "田管员"]},
    "roster.xlsx": {"田管员花名册": ["层级", "网格编码", "网格名称", "姓名", "角色", "职务", "电话", "是否空缺"]},
    "assessment.xlsx": {
        "考核明细": ["网格编码", "网格名称", "网格级别", "级别", "乡镇编码", "乡镇名称", "田管员", "联系电话",
                 "是否空缺", "应巡任务", "已完成", "未完成", "已过期", "耕地面积(亩)", "已巡耕地(亩)", "轨迹数",
                 "已检查轨迹", "存疑轨迹", "举证案件", "举证及时", "举证超期", "举证未到期", "整改案件", "整改按期",
                 "整改超期", "整改未到期", "整改平均天数", *RATES],
        "乡镇排名": ["乡镇编码", "乡镇名称", "排名", "田管员", "联系电话", "网格编码", "网格名称", "网格级别",
                 "应巡任务", "已完成", "已过期", *RATES],
        "县区排名": ["县区编码", "县区名称", "排名", "乡镇编码", "乡镇名称", "网格数", "有得分网格", "在岗田管员",
                 "应巡任务", "已完成", "已过期", "频次达标率(%)", "平均得分"],
        "通报名单": ["通报原因", "原因代码", "乡镇编码", "乡镇名称", "网格编码", "网格名称", "网格级别", "田管员",
                 "联系电话", "数量", "明细"],
        "分级汇总": ["网格级别", "级别", "网格数", "应巡任务", "已完成", "未完成", "已过期", "频次达标率(%)"],
        "考核说明": ["项目", "内容"]},
    "dashboard.xlsx": {
        "巡田任务": ["月份", "乡镇代码", "乡镇", "任务数", "已完成", "未完成", "超期", "完成率(%)"],
        "覆盖率": ["乡镇代码", "乡镇", "耕地(亩)", "已巡耕地(亩)", "覆盖率(%)", "永农（亩）", "已巡永久基本农田(亩)",
                "永久基本农田覆盖率(%)", "地块数", "已巡查地块数"],
        "田管员": ["级别", "区域编码", "区域", "岗位数", "田管员", "协管员", "空缺"],
        "案件数": ["状态", "类型", "预判", "案件数", "面积（亩）", "永农（亩）"],
        "乡镇排名": ["案件数排名", "乡镇代码", "乡镇", "案件数", "面积排名", "面积（亩）", "已结案", "结案时长排名",
                 "平均结案天数"],
        "整改及时性": ["乡镇代码", "乡镇", "应整改", "按期整改", "逾期整改", "未整改(未到期)", "未整改(已超期)",
                  "超期未办结案件(各环节)", "整改及时率(%)"],
        "耕地": ["乡镇代码", "乡镇", "地块数", "耕地(亩)", "永农（亩）", "耕地目标(亩)", "永久基本农田目标(亩)",
               "耕地较目标(亩)", "永久基本农田较目标(亩)", "是否达标"],
        "年度趋势": ["调查年度", "耕地(亩)", "永农（亩）", "耕地变化(亩)", "永久基本农田变化(亩)", "耕地高于红线(亩)",
                 "永久基本农田高于红线(亩)", "来源"]},
}
#: columns written as numbers (any sheet of any workbook); codes and phones must stay text
NUMBERS = {
    "网格级别", "过期任务数", "应巡任务", "已完成", "未完成", "已过期", "耕地面积(亩)", "已巡耕地(亩)", "轨迹数",
    "已检查轨迹", "存疑轨迹", "举证案件", "举证及时", "举证超期", "举证未到期", "整改案件", "整改按期", "整改超期",
    "整改未到期", "整改平均天数", *RATES, "排名", "网格数", "有得分网格", "在岗田管员", "平均得分", "数量", "任务数",
    "超期", "完成率(%)", "耕地(亩)", "永农（亩）", "已巡永久基本农田(亩)", "永久基本农田覆盖率(%)", "地块数",
    "已巡查地块数", "岗位数", "协管员", "空缺", "案件数", "面积（亩）", "案件数排名", "面积排名", "已结案",
    "结案时长排名", "平均结案天数", "应整改", "按期整改", "逾期整改", "未整改(未到期)", "未整改(已超期)",
    "超期未办结案件(各环节)", "整改及时率(%)", "调查年度", "耕地变化(亩)", "永久基本农田变化(亩)"}
CODES = {"网格编码", "乡镇编码", "县区编码", "乡镇代码", "区域编码", "电话", "联系电话"}
#: sheets where a header of NUMBERS means something else (the roster's and the dashboard's 田管员 …)
TEXT_SHEETS = {("roster.xlsx", "田管员花名册")}


def _book(chain, name):
    import openpyxl

    return openpyxl.load_workbook(chain.path[name])  # not read-only: the sheet dimensions are checked too


def _rows(book, sheet) -> list[dict]:
    rows = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.mark.parametrize("name", list(WORKBOOKS))
def test_workbook_sheets_headers_and_cell_types(chain, name):
    book = _book(chain, name)
    assert book.sheetnames == list(WORKBOOKS[name])
    numbers = 0
    for sheet, headers in WORKBOOKS[name].items():
        ws = book[sheet]
        rows = list(ws.iter_rows(values_only=True))
        assert list(rows[0]) == headers and all(CJK.search(h) for h in headers)
        assert ws.max_row == len(rows) >= 2 and ws.max_column == len(headers)  # no stray rows or columns
        assert all(any(v is not None for v in r) for r in rows)
        if (name, sheet) in TEXT_SHEETS:
            assert all(v is None or isinstance(v, str) for r in rows[1:] for v in r)
            continue
        for j, header in enumerate(headers):
            values = [r[j] for r in rows[1:] if j < len(r) and r[j] is not None]
            if header in NUMBERS:
                bad = [v for v in values if isinstance(v, bool) or not isinstance(v, (int, float))]
                assert not bad or (len(rows) == 2 and j == 0), (sheet, header, bad[:3])  # (the "no data" row)
                numbers += len(values) - len(bad)
            elif header in CODES:
                assert all(isinstance(v, str) and v.isdigit() for v in values), (sheet, header, values[:3])
    assert numbers > 0 or name == "roster.xlsx"


def test_task_workbook_values(chain, inputs):
    book = _book(chain, "tasks.xlsx")
    rows = _rows(book, "巡田任务")
    result = chain.out["export_tasks"]
    stored = {r[0]: r[1:] for r in _sql(chain, "SELECT task_id, grid_code, period_start, period_end, due_at, officer "
                                               "FROM tg_task WHERE period_start <= ? AND period_end >= ?",
                                        (JUNE[1], JUNE[0]))}
    assert len(rows) == result["ROWS"] == len(stored) and {r["任务编号"] for r in rows} == set(stored)
    for r in rows:
        grid, start, end, due, officer = stored[r["任务编号"]]
        assert (r["网格编码"], r["周期开始"], r["周期结束"], r["截止时间(UTC)"]) == (grid, start, end, due)
        assert ISO_DATE.match(r["周期开始"]) and ISO_DATE.match(r["周期结束"])  # dates are ISO text (documented)
        local = dt.datetime.strptime(due, "%Y-%m-%dT%H:%M:%SZ") + dt.timedelta(hours=8)
        assert r["截止时间"] == local.strftime("%Y-%m-%d %H:%M:%S")
        assert (r["田管员"] or "") == (officer or "") == (inputs.officers.get(grid) or "")
        assert r["状态"] in STATUS_ZH
        assert r["乡镇编码"] == grid[:9] or (len(grid) < 9 and r["乡镇编码"] == grid)
    assert sum(r["状态"] == "已过期" for r in rows) == result["OVERDUE"]
    summary = _rows(book, "过期汇总")
    assert sum(r["过期任务数"] for r in summary) == result["OVERDUE"]
    townships = [r for r in summary if r["乡镇编码"] in inputs.townships]
    assert townships and all(r["乡镇名称"] == inputs.townships[r["乡镇编码"]] for r in townships)


def test_roster_workbook_is_the_roster_file(chain, inputs):
    rows = list(_book(chain, "roster.xlsx")["田管员花名册"].iter_rows(values_only=True))
    assert list(rows[0]) == inputs.roster_header
    got = Counter(tuple(v or "" for v in r) for r in rows[1:])
    assert got == Counter(tuple(r) for r in inputs.roster)
    assert len(rows) - 1 == chain.out["export_roster"]["EXPORTED"]


#: the active roster's officer posts (first 'officer' row of a grid), in plain SQL
POSTS_SQL = ("SELECT o.grid_code, o.name, o.vacant FROM tg_officer o JOIN tg_roster_import r USING (roster_id) "
             "WHERE r.active = 1 AND o.role = 'officer' AND o.rowid = (SELECT min(x.rowid) FROM tg_officer x "
             "WHERE x.roster_id = o.roster_id AND x.grid_code = o.grid_code AND x.role = 'officer')")


def test_assessment_workbook_values(chain, inputs):
    book = _book(chain, "assessment.xlsx")
    result = chain.out["assessment"]
    detail = _rows(book, "考核明细")
    posts = {code: (name, vacant) for code, name, vacant in _sql(chain, POSTS_SQL)}
    assert len(detail) == result["GRIDS"] == len(posts) and {r["网格编码"] for r in detail} == set(posts)
    due = dict(_sql(chain, "SELECT grid_code, count(*) FROM tg_task WHERE period_end BETWEEN ? AND ? "
                           "GROUP BY grid_code", JUNE))
    for r in detail:
        name, vacant = posts[r["网格编码"]]
        assert r["应巡任务"] == due.get(r["网格编码"], 0)
        assert r["已完成"] + r["未完成"] + r["已过期"] == r["应巡任务"]
        assert r["是否空缺"] == ("是" if vacant else "否")
        assert (r["田管员"] or "") == ("" if vacant else name or "")
        assert r["级别"] == LEVEL_ZH[r["网格级别"]]
        if r["乡镇名称"] is not None:
            assert r["乡镇名称"] == inputs.townships[r["乡镇编码"]]
    assert len(_rows(book, "乡镇排名")) == result["OFFICERS"]
    assert len(_rows(book, "通报名单")) == result["NOTICES"]
    assert all(CJK.search(r["通报原因"]) for r in _rows(book, "通报名单"))
    levels = _rows(book, "分级汇总")
    assert {r["网格级别"]: r["应巡任务"] for r in levels} == {
        lv: sum(r["应巡任务"] for r in detail if r["网格级别"] == lv) for lv in {r["网格级别"] for r in detail}}
    about = {r["项目"]: r["内容"] for r in _rows(book, "考核说明")}
    assert (about["起始日期"], about["截止日期"]) == JUNE  # ISO text, as the sheet documents the period


# a township without coded farmland has no tg_admin_unit row: its name comes from its township grid cell
def test_assessment_names_every_township(chain, inputs):
    book = _book(chain, "assessment.xlsx")
    rows = [r for sheet in ("考核明细", "乡镇排名") for r in _rows(book, sheet) if r["乡镇编码"] in inputs.townships]
    assert rows
    assert [r["乡镇名称"] for r in rows] == [inputs.townships[r["乡镇编码"]] for r in rows]


def test_dashboard_workbook_values(chain, inputs):
    book = _book(chain, "dashboard.xlsx")
    stored = _active_codes(chain)
    assert sum(r["案件数"] for r in _rows(book, "案件数")) == chain.cases_at_dashboard
    farmland = _rows(book, "耕地")
    assert sum(r["地块数"] for r in farmland) == len(stored)
    assert all(r["乡镇"] == inputs.townships[r["乡镇代码"]] for r in farmland)
    assert sum(r["耕地(亩)"] for r in farmland) == pytest.approx(
        sum(v[2] for v in stored.values()) * 0.0015, abs=0.01 * len(farmland))
    coverage = _rows(book, "覆盖率")
    parcels = dict(_sql(chain, "SELECT code, parcels FROM tg_coverage_rate WHERE run_id = ? AND length(code) = 9",
                        (chain.out["coverage"]["COVERAGE_RUN"],)))
    assert {r["乡镇代码"]: r["地块数"] for r in coverage} == parcels
    tasks = _rows(book, "巡田任务")
    assert sum(r["任务数"] for r in tasks) == _sql(chain, "SELECT count(*) FROM tg_task")[0][0]
    assert all(r["已完成"] + r["未完成"] + r["超期"] == r["任务数"] for r in tasks)
