"""The three report algorithms — 导出驾驶舱报告, 导出统计专题图, 巡田考核 — read the prefecture's shared PostGIS store
as well as a desk's GeoPackage, through Processing with a saved QGIS connection: after a county publishes, the
county role's outputs from PostGIS are the desk's (the same workbook cells, the same townships and class values),
the 州 role's dashboard over two counties is the two counties' together, and a run given both sources or neither
is refused in words. Real PostgreSQL + PostGIS, real stores, real files read back."""
from __future__ import annotations

from pathlib import Path

import pytest

from linxia_tianguan_plugin.storage import pg_statistics
from tests import prefecture as pf
from tests.helpers import recording_feedback, run, store_copy
from tests.pg_cluster import pg  # noqa: F401
from tests.prefecture import COUNTY_A, COUNTY_B

ADMIN, DESK_A, DESK_B, ZHOU = "pr_admin", "pr_desk_a", "pr_desk_b", "pr_zhou"
SECRET = "pr-secret-Zh0u!"
JUNE = {"DATE_FROM": "2025-06-01", "DATE_TO": "2025-06-30"}
#: after June 2025: the assessment's instant is the end of June, whatever day the tests run
NOW = "2025-07-20T10:00:00+08:00"


# ------------------------------------------------------------------------------------ fixtures
@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    from linxia_tianguan_plugin.core import clock

    monkeypatch.setenv(clock.ENV, NOW)
    monkeypatch.delenv(clock.SINCE_ENV, raising=False)


@pytest.fixture(scope="module")
def roles(pg):  # noqa: F811
    return pf.make_roles(pg, ADMIN, (DESK_A, DESK_B, ZHOU))


@pytest.fixture(scope="module")
def desk_a(filled_store, tmp_path_factory):
    """County A's desk: the filled sample (a publish writes its marks into the desk store, so a copy)."""
    return store_copy(filled_store, tmp_path_factory.mktemp("pr_a"))


@pytest.fixture(scope="module")
def desk_b(county_b_store, tmp_path_factory):
    """County B's desk (康乐县 622922): coded, grid built, roster imported."""
    return store_copy(county_b_store, tmp_path_factory.mktemp("pr_b"))


@pytest.fixture(scope="module")
def shared(processing_registry, roles, desk_a, desk_b):
    """A shared store where counties A and B have published, and the QGIS connections of the roles:
    {"schema", role: connection name}. The 州's connection takes its user and password from an authcfg."""
    name = pf.new_schema(roles, ADMIN, pf.scopes_for(DESK_A, DESK_B, ZHOU), "pr_shared")
    pf.publish_all(roles, name, {DESK_A: desk_a, DESK_B: desk_b})
    return {"schema": name,
            DESK_A: pf.save_connection("pr_county_a", dict(roles, user=DESK_A)),
            DESK_B: pf.save_connection("pr_county_b", dict(roles, user=DESK_B)),
            ZHOU: pf.save_connection("pr_zhou", roles, pf.new_authcfg(ZHOU, SECRET, "pr test"))}


def _from_pg(shared: dict, role: str) -> dict:
    return {"PREFECTURE_CONNECTION": shared[role], "PREFECTURE_SCHEMA": shared["schema"]}


def _cells(path) -> dict[str, list[tuple]]:
    """Every sheet of an XLSX workbook as its rows of cell values."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    finally:
        book.close()


# ------------------------------------------------------------------------------------ 导出驾驶舱报告
def _dashboard(tmp_path: Path, name: str, source: dict, prefix: str = "", feedback=None) -> dict[str, list[tuple]]:
    out = tmp_path / f"{name}.xlsx"
    result = run("linxia_tianguan:dashboard_report", {**source, "PREFIX": prefix, **JUNE, "TODAY": "2025-06-20",
                                                      "OUTPUT_XLSX": str(out)}, feedback=feedback)
    assert result["OUTPUT_XLSX"] == str(out)
    return _cells(out)


def test_the_county_roles_dashboard_from_postgis_is_the_desks(shared, desk_a, tmp_path):
    desk = _dashboard(tmp_path, "desk", {"STORE": str(desk_a)})
    for prefix in ("", COUNTY_A):
        from_pg = _dashboard(tmp_path, f"pg_{prefix}", _from_pg(shared, DESK_A), prefix)
        assert from_pg == (desk if not prefix else _dashboard(tmp_path, "desk_c", {"STORE": str(desk_a)}, prefix))
    assert sum(len(rows) for rows in desk.values()) > 20  # a real report, not empty sheets


def test_the_prefectures_dashboard_is_the_two_counties_together(shared, desk_a, desk_b, tmp_path):
    feedback = recording_feedback()
    prefecture = _dashboard(tmp_path, "zhou", _from_pg(shared, ZHOU), feedback=feedback)
    assert _dashboard(tmp_path, "zhou_6229", _from_pg(shared, ZHOU), "6229") == prefecture
    a = _dashboard(tmp_path, "a", {"STORE": str(desk_a)})
    b = _dashboard(tmp_path, "b", {"STORE": str(desk_b)})
    sheet = next(name for name, rows in prefecture.items() if rows and "Farmland target (mu)" in rows[0])
    header, rows = prefecture[sheet][0], prefecture[sheet][1:]
    assert sorted(rows) == sorted(a[sheet][1:] + b[sheet][1:])  # every township of both counties, as their desks
    farm = header.index("Farmland (mu)")
    assert sum(r[farm] for r in rows) == pytest.approx(sum(r[farm] for r in a[sheet][1:] + b[sheet][1:]))
    assert {r[0][:6] for r in rows} == {COUNTY_A, COUNTY_B}
    # each county's role reads only its own county from the same store
    assert _dashboard(tmp_path, "pg_b", _from_pg(shared, DESK_B))[sheet] == b[sheet]
    # the 州's password (from its authcfg) is never shown
    assert not any(SECRET in m for m in feedback.infos + feedback.warnings + feedback.errors)


# ------------------------------------------------------------------------------------ 巡田考核
def _assessment(tmp_path: Path, name: str, source: dict, prefix: str = "") -> tuple[dict, dict]:
    out = tmp_path / f"{name}.xlsx"
    result = run("linxia_tianguan:assessment", {**source, "PERIOD": 0, "DATE": "2025-06-15", "PREFIX": prefix,
                                                "OUTPUT": str(out)})
    sheets = _cells(out)
    # 考核说明 names what was read (the desk's file, the prefecture store's schema): the rest is the same
    sheets["考核说明"] = [row for row in sheets["考核说明"] if row[0] != "田管库"]
    return {k: v for k, v in result.items() if k != "OUTPUT"}, sheets


@pytest.mark.parametrize("prefix", ["", COUNTY_A])
def test_the_county_roles_assessment_from_postgis_is_the_desks(shared, desk_a, tmp_path, prefix):
    counts, desk = _assessment(tmp_path, "desk", {"STORE": str(desk_a)}, prefix)
    pg_counts, from_pg = _assessment(tmp_path, "pg", _from_pg(shared, DESK_A), prefix)
    assert pg_counts == counts and counts["GRIDS"] > 0 and counts["OFFICERS"] > 0
    assert from_pg == desk
    assert len(desk["考核明细"]) > 10


# ------------------------------------------------------------------------------------ 导出统计专题图
def _map(tmp_path: Path, name: str, source: dict, indicator: int, atlas: bool, prefix: str = ""):
    """The statistics map through Processing, its layers added to a project of its own: (result, code → (value,
    name, label) of the choropleth layer)."""
    from qgis.core import NULL, QgsGraduatedSymbolRenderer, QgsProcessingContext, QgsProject

    project = QgsProject()
    context = QgsProcessingContext()
    context.setProject(project)
    pdf = tmp_path / f"{name}.pdf"
    result = run("linxia_tianguan:statistics_map", {**source, "INDICATOR": indicator, "ATLAS": atlas, **JUNE,
                                                    "PREFIX": prefix, "ADD_TO_PROJECT": True,
                                                    "OUTPUT_PDF": str(pdf)}, context=context)
    assert pdf.is_file() and pdf.stat().st_size > 0 and result["OUTPUT_PDF"] == str(pdf)
    layer = next(layer for layer in project.mapLayers().values()
                 if isinstance(layer.renderer(), QgsGraduatedSymbolRenderer))
    values = {f["code"]: (None if f["value"] in (None, NULL) else f["value"], f["name"], f["label"])
              for f in layer.getFeatures()}
    ranges = [(r.lowerValue(), r.upperValue(), r.label()) for r in layer.renderer().ranges()]
    return result, values, ranges


@pytest.mark.parametrize(("indicator", "atlas"), [(0, False), (1, True)], ids=["coverage", "cases_atlas"])
def test_the_county_roles_map_from_postgis_is_the_desks(shared, desk_a, tmp_path, indicator, atlas):
    result, desk, desk_ranges = _map(tmp_path, "desk", {"STORE": str(desk_a)}, indicator, atlas)
    pg_result, from_pg, pg_ranges = _map(tmp_path, "pg", _from_pg(shared, DESK_A), indicator, atlas)
    assert pg_result["TOWNSHIPS"] == result["TOWNSHIPS"] == len(desk) > 5
    assert pg_result["PAGES"] == result["PAGES"] == (1 + len(desk) if atlas else 1)
    assert (pg_result["ATLAS_PDF"] is not None) == atlas and (not atlas or Path(pg_result["ATLAS_PDF"]).is_file())
    assert from_pg == desk  # the same townships, names, values and labels
    assert pg_ranges == desk_ranges  # the same classes
    assert any(v[0] is not None for v in desk.values())


def test_the_prefectures_map_has_every_countys_townships(shared, roles, desk_a, desk_b, tmp_path):
    result, prefecture, _ = _map(tmp_path, "zhou", _from_pg(shared, ZHOU), 1, False)
    _, a, _ = _map(tmp_path, "a", {"STORE": str(desk_a)}, 1, False)
    _, b, _ = _map(tmp_path, "b", {"STORE": str(desk_b)}, 1, False)
    assert set(prefecture) == set(a) | set(b) and result["TOWNSHIPS"] == len(a) + len(b)
    assert {code: v[:2] for code, v in prefecture.items()} == {code: v[:2] for code, v in {**a, **b}.items()}
    # the map reader gives the 州 the prefecture's cell once (each county's grid holds its part of it)
    with pf.as_role(roles, ZHOU, shared["schema"]) as pgs:
        cells = pg_statistics.map_cells(pgs)
    codes = [c[0] for c in cells.cells]
    assert len(codes) == len(set(codes)) and sum(1 for c in cells.cells if c[1] == 1) == 1
    assert {c[0] for c in cells.cells if c[1] == 2} == {COUNTY_A, COUNTY_B} and cells.srid == 4522


# ------------------------------------------------------------------------------------ refusals
ALGORITHMS = {"dashboard_report": {"TODAY": "2025-06-20"}, "statistics_map": {"INDICATOR": 1},
              "assessment": {"PERIOD": 0, "DATE": "2025-06-15"}}


@pytest.mark.parametrize("algorithm", list(ALGORITHMS))
def test_both_sources_or_neither_is_refused_in_words(shared, desk_a, tmp_path, algorithm):
    from qgis.core import QgsApplication, QgsProcessingContext

    from linxia_tianguan_plugin import compat

    alg = QgsApplication.processingRegistry().createAlgorithmById(f"linxia_tianguan:{algorithm}")
    for name in ("STORE", "PREFECTURE_CONNECTION", "PREFECTURE_SCHEMA"):
        flags = alg.parameterDefinition(name).flags()
        assert flags & compat.ProcessingParameterFlag.Optional, name
        assert bool(flags & compat.ProcessingParameterFlag.Advanced) == (name != "STORE"), name
    assert alg.parameterDefinition("PREFECTURE_SCHEMA").defaultValue() == "tianguan"
    outputs = {"OUTPUT_XLSX" if algorithm == "dashboard_report" else "OUTPUT_PDF" if algorithm == "statistics_map"
               else "OUTPUT": str(tmp_path / ("out.pdf" if algorithm == "statistics_map" else "out.xlsx"))}
    base = {**ALGORITHMS[algorithm], **outputs}
    context = QgsProcessingContext()
    ok, both = alg.checkParameterValues({**base, "STORE": str(desk_a), **_from_pg(shared, DESK_A)}, context)
    assert not ok and "not both" in both
    ok, neither = alg.checkParameterValues(base, context)
    assert not ok and "Choose the tianguan store" in neither and "PostgreSQL connection" in neither
    ok, message = alg.checkParameterValues({**base, **_from_pg(shared, DESK_A)}, context)
    assert ok, message
    ok, message = alg.checkParameterValues({**base, "STORE": str(desk_a)}, context)
    assert ok, message
    with pytest.raises(Exception, match="not both"):
        run(f"linxia_tianguan:{algorithm}", {**base, "STORE": str(desk_a), **_from_pg(shared, DESK_A)})
    assert not Path(next(iter(outputs.values()))).exists()


def test_a_schema_that_is_no_prefecture_store_and_an_unreachable_server_are_said_in_words(shared, roles, tmp_path):
    from qgis.core import QgsProcessingException

    feedback = recording_feedback()
    with pytest.raises(QgsProcessingException) as missing:
        run("linxia_tianguan:dashboard_report", {"PREFECTURE_CONNECTION": shared[ZHOU], "PREFECTURE_SCHEMA":
                                                 "pr_no_such_schema", "OUTPUT_XLSX": str(tmp_path / "d.xlsx")},
            feedback=feedback)
    assert "pr_no_such_schema" in str(missing.value) and "not a prefecture store" in str(missing.value)
    assert "Traceback" not in str(missing.value)
    # a server that does not answer: the error names where it tried, never the password of the authcfg
    closed = pf.save_connection("pr_closed", dict(roles, port=1), pf.new_authcfg(ZHOU, SECRET, "pr test"))
    with pytest.raises(QgsProcessingException) as unreachable:
        run("linxia_tianguan:assessment", {"PREFECTURE_CONNECTION": closed, "PREFECTURE_SCHEMA": shared["schema"],
                                           "PERIOD": 0, "DATE": "2025-06-15", "OUTPUT": str(tmp_path / "a.xlsx")},
            feedback=feedback)
    text = "\n".join([str(unreachable.value), *feedback.errors, *feedback.infos])
    assert "Cannot connect to the prefecture store" in text and "pr_closed" in text  # the connection, in words
    assert SECRET not in text and "Traceback" not in str(unreachable.value)
    assert not (tmp_path / "d.xlsx").exists() and not (tmp_path / "a.xlsx").exists()
