"""导入变更调查数据: the official yearly totals of the annual change survey, imported from the table a county receives
(GBK / UTF-8 with BOM CSV from Excel, a workbook; Chinese or English headers; 亩, 公顷 or 平方米), kept per county or
township and year in the desk store (schema 17: a re-imported year replaced, its previous figures kept) and in the
prefecture's shared store (schema 9), and shown by the dashboard's trend as imported years — the table's source
column, the chart's solid markers — while the other years stay derived. Real GeoPackages, a real PostgreSQL +
PostGIS, no mocks; the clock is fixed (``TIANGUAN_NOW``) wherever a year is checked."""
from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import math

import numpy as np
import pytest
from psycopg2 import sql

from linxia_tianguan_plugin import reports as model
from linxia_tianguan_plugin.core.reports.statistics import M2_PER_MU
from linxia_tianguan_plugin.i18n import tr
from linxia_tianguan_plugin.reports.survey_years import imported_years, survey_years, survey_years_pg
from linxia_tianguan_plugin.storage import GpkgStore, pg_schema
from linxia_tianguan_plugin.storage import survey_totals as totals_store
from linxia_tianguan_plugin.storage.survey_totals import SurveyTotal
from tests import prefecture as pf
from tests.helpers import run, sql_rows, store_copy
from tests.pg_cluster import pg  # noqa: F401
from tests.prefecture import COUNTY_A, TOWNSHIP_A

TODAY = dt.date(2025, 6, 20)
MU = 1.0 / M2_PER_MU
NOW = "2026-03-01T10:00:00+08:00"  # the clock of every import here: 2025 is a past survey year, 2027 is not


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setenv("TIANGUAN_NOW", NOW)
    monkeypatch.delenv("TIANGUAN_NOW_SINCE", raising=False)


@pytest.fixture
def desk(filled_store, tmp_path):
    """A writable copy of the filled sample: 临夏县 coded on the 2024 survey, compared with 2025 (derived)."""
    return store_copy(filled_store, tmp_path / "desk")


def _coded(path) -> tuple[float, float]:
    return sql_rows(path, "SELECT sum(gdmj_m2), sum(yjmj_m2) FROM tg_space_code WHERE status = 'active'")[0]


def _gbk_csv(path, lines: list[str]) -> str:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return str(path)


def _import(store, path, **params) -> dict:
    return run("linxia_tianguan:import_survey_totals", {"INPUT": str(path), "STORE": str(store), **params})


def _log(store, path, **params) -> tuple[dict, str, str]:
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    class Feedback(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.infos, self.warnings = [], []

        def pushInfo(self, info):
            self.infos.append(info)

        def pushWarning(self, warning):
            self.warnings.append(warning)

    feedback = Feedback()
    result = run("linxia_tianguan:import_survey_totals", {"INPUT": str(path), "STORE": str(store), **params},
                 QgsProcessingContext(), feedback)
    return result, "\n".join(feedback.infos), "\n".join(feedback.warnings)


# ------------------------------------------------------------------------------------ the desk schema
def test_a_version_16_store_migrates_to_17_with_its_data_unchanged(tmp_path):
    path = tmp_path / "v16.gpkg"
    old = GpkgStore(path, epsg=4522, target_version=16)
    assert old.schema_version == 16 and not old.has_table(totals_store.TABLE)
    old.save_admin_units([("622921", "county", "临夏县", "6229"), (TOWNSHIP_A, "township", "韩集镇", "622921")])
    with old.transaction() as conn:
        conn.execute("INSERT INTO tg_change_run (run_id, run_at, rules_version, rules, inputs) VALUES "
                     "('R1', '2025-06-30T00:00:00Z', '1', '{}', '{}')")
    before = {t: sql_rows(path, f"SELECT * FROM {t} ORDER BY 1") for t in ("tg_admin_unit", "tg_change_run")}
    old.close()
    store = GpkgStore(path)
    try:
        assert store.schema_version == 17
        assert {t: [tuple(r) for r in store.conn.execute(f"SELECT * FROM {t} ORDER BY 1")] for t in before} == before
        assert store.conn.execute(f"SELECT count(*) FROM {totals_store.TABLE}").fetchone()[0] == 0
        assert store.conn.execute("SELECT description FROM gpkg_contents WHERE table_name = ?",
                                  (totals_store.TABLE,)).fetchone()[0].startswith("变更调查")
    finally:
        store.close()


def test_a_year_imported_again_is_replaced_and_its_previous_figures_kept(tmp_path):
    store = GpkgStore(tmp_path / "t.gpkg", epsg=4522)
    try:
        first = [SurveyTotal(COUNTY_A, 2023, 1000.0, 800.0, "2023年度变更调查.csv"),
                 SurveyTotal(COUNTY_A, 2024, 990.0, None, "2024年度变更调查.csv")]
        plan = totals_store.save_totals(store, first)
        assert plan.added == [(COUNTY_A, 2023), (COUNTY_A, 2024)] and not plan.replaced
        again = [SurveyTotal(COUNTY_A, 2023, 1000.0, 800.0, "copy.csv"), SurveyTotal(COUNTY_A, 2024, 985.5, 790.0,
                                                                                      "修正.xlsx")]
        preview = totals_store.plan_import(store.conn, again)
        assert preview.unchanged == [(COUNTY_A, 2023)] and preview.replaced == [(COUNTY_A, 2024)]
        assert store.conn.execute(f"SELECT farmland_m2 FROM {totals_store.TABLE} WHERE year = 2024").fetchone()[0] \
            == 990.0  # a preview writes nothing
        plan = totals_store.save_totals(store, again)
        assert plan.years_replaced == [2024] and plan.unchanged == [(COUNTY_A, 2023)]
        history = totals_store.history(store.conn, COUNTY_A, 2024)
        assert [(h["farmland_m2"], h["basic_m2"], h["source"]) for h in history] == [
            (990.0, None, "2024年度变更调查.csv"), (985.5, 790.0, "修正.xlsx")]
        assert history[0]["replaced_at"] == history[1]["imported_at"]
        assert totals_store.history(store.conn, COUNTY_A, 2023)[0]["source"] == "2023年度变更调查.csv"  # untouched
        assert [t.year for t in totals_store.totals(store.conn, TOWNSHIP_A)] == [2023, 2024]  # the county's rows
    finally:
        store.close()


# ------------------------------------------------------------------------------------ which years cover a scope
def test_imported_years_stand_for_a_scope_only_when_they_cover_it():
    t1, t2 = TOWNSHIP_A, "622921101"
    rows = [SurveyTotal(t1, 2023, 60.0, 50.0, "a"), SurveyTotal(t2, 2023, 40.0, None, "a"),
            SurveyTotal(t1, 2024, 59.0, 49.0, "b"), SurveyTotal(COUNTY_A, 2022, 101.0, 90.0, "c")]
    units = [COUNTY_A, t1, t2]
    county = imported_years(COUNTY_A, rows, units)
    assert county == {2022: (101.0, 90.0, "c"), 2023: (100.0, None, "a")}  # 2024: a township is missing
    assert imported_years("", rows, units) == county  # the desk's "all" is its one county
    assert imported_years(t1, rows, units) == {2023: (60.0, 50.0, "a"), 2024: (59.0, 49.0, "b")}
    assert imported_years(t1 + "001", rows, units) == {}  # a village: an official total is not split
    assert imported_years("6229", rows, units + ["622922"]) == {}  # 康乐县 has none: not the prefecture's figure


# ------------------------------------------------------------------------------------ the algorithm
def test_a_gbk_table_in_mu_becomes_the_trends_imported_years(desk, tmp_path):
    farm, basic = _coded(desk)
    before = survey_years(desk)
    assert before.sources == {2024: "coded", 2025: "derived"}
    f23, b23, f25, b25 = (farm * 1.004 * MU, basic * 1.001 * MU, farm * 0.998 * MU, basic * 0.9995 * MU)
    path = _gbk_csv(tmp_path / "变更调查.csv", [
        "临夏县耕地面积汇总表", "行政区代码,行政区名称,年份,耕地面积(亩),永久基本农田面积(亩)",
        f"{COUNTY_A},临夏县,2023年,\"{f23:,.2f}\",{b23:.2f}", f"{COUNTY_A},临夏县,2025,{f25:.2f},{b25:.2f}"])
    result, info, warnings = _log(desk, path, SOURCE="2023—2025年度国土变更调查")
    assert (result["ROWS"], result["ADDED"], result["REPLACED"], result["REFUSED"], result["YEARS"]) == (2, 2, 0, 0, 2)
    assert not warnings and "GB18030" in info
    years = survey_years(desk)
    assert years.sources == {2023: "imported", 2024: "coded", 2025: "imported"}
    assert years.totals[2023]["farmland_m2"] == pytest.approx(round(f23, 2) / MU, abs=0.01)
    assert years.totals[2025]["basic_m2"] == pytest.approx(round(b25, 2) / MU, abs=0.01)
    assert years.totals[2024] == {"farmland_m2": pytest.approx(farm), "basic_m2": pytest.approx(basic)}
    assert years.notes[2023] == "2023—2025年度国土变更调查"
    report = model.load_report(desk, TODAY)
    rows = report.tables["trend"].rows
    assert [r[0] for r in rows] == [2023, 2024, 2025]
    assert [r[-1] for r in rows] == [tr("annual change survey (imported)"), tr("coded parcels"),
                                     tr("annual change survey (imported)")]
    assert report.tables["trend"].kinds == ["imported", "coded", "imported"]
    assert rows[0][1] == pytest.approx(round(f23, 2), abs=0.006) and rows[2][2] == pytest.approx(round(b25, 2),
                                                                                                   abs=0.006)
    assert rows[1][3] == pytest.approx(farm * MU - round(f23, 2), abs=0.011)
    # the dashboard's other readers: a township keeps its derived years, the report marks the imported ones
    assert survey_years(desk, TOWNSHIP_A).sources == {2024: "coded", 2025: "derived"}


def test_the_trend_chart_draws_imported_years_solid_and_derived_ones_hollow(desk, tmp_path):
    from matplotlib.colors import to_rgba
    from matplotlib.figure import Figure

    farm, _ = _coded(desk)
    path = _gbk_csv(tmp_path / "t.csv", ["行政区代码,年份,耕地面积,永久基本农田面积",
                                         f"{COUNTY_A},2023,{farm * MU:.2f},"])
    assert _import(desk, path)["ADDED"] == 1
    report = model.load_report(desk, TODAY)
    assert report.tables["trend"].kinds == ["imported", "coded", "derived"]
    assert math.isnan(survey_years(desk).totals[2023]["basic_m2"])  # no 永农 given and none derived for 2023
    assert report.tables["trend"].rows[0][2] is None  # shown as no figure
    figure = Figure(figsize=(8, 5))
    with model.cjk_context():
        model.draw_chart(report, "trend", figure)
    ax = figure.axes[0]
    by_year: dict[int, set] = {}
    for collection in ax.collections:
        offsets = np.ma.getdata(collection.get_offsets())
        faces, edges = collection.get_facecolors(), collection.get_edgecolors()
        for i, (x, y) in enumerate(offsets):
            if np.isfinite(y):  # a NaN figure draws no marker
                face, edge = faces[min(i, len(faces) - 1)], edges[min(i, len(edges) - 1)]
                by_year.setdefault(int(round(x)), set()).add((tuple(face), tuple(edge)))
    white, black = to_rgba("white"), to_rgba("black")
    assert all(edge == black and face != white for face, edge in by_year[2023])  # imported: solid, black edge
    assert any(face == white for face, _ in by_year[2025])  # derived: hollow
    assert all(face != white for face, _ in by_year[2024])  # coded: solid
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert tr("annual change survey (imported)") in legend and tr("derived from change cases") in legend


def test_english_headers_hectares_an_xlsx_and_a_re_import(desk, tmp_path):
    import openpyxl

    farm, basic = _coded(desk)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "totals"
    sheet.append(["code", "year", "farmland", "basic_farmland", "source"])
    sheet.append([COUNTY_A, 2023, round(farm * 1.003 / 10000, 4), round(basic / 10000, 4), "2023年度国土变更调查"])
    sheet.append([COUNTY_A, 2022, round(farm * 1.005 / 10000, 4), None, None])
    book.save(tmp_path / "totals.xlsx")
    result = _import(desk, tmp_path / "totals.xlsx", UNIT=1)  # 公顷
    assert (result["ADDED"], result["REFUSED"]) == (2, 0)
    stored = dict(sql_rows(desk, f"SELECT year, farmland_m2 FROM {totals_store.TABLE}"))
    assert stored[2023] == pytest.approx(round(farm * 1.003 / 10000, 4) * 10000, abs=0.01)
    assert sql_rows(desk, f"SELECT source FROM {totals_store.TABLE} WHERE year = 2022")[0][0] == "totals.xlsx"
    # the same table again changes nothing; a corrected 2023 (in m², a UTF-8 CSV with BOM) replaces that year only
    assert _import(desk, tmp_path / "totals.xlsx", UNIT=1)["UNCHANGED"] == 2
    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes(("\ufeffcode,year,farmland (m2)\r\n" f"{COUNTY_A},2023,{farm:.2f}\r\n").encode())
    preview = _import(desk, fixed, PREVIEW=True)
    assert (preview["REPLACED"], preview["ADDED"]) == (1, 0)
    assert dict(sql_rows(desk, f"SELECT year, farmland_m2 FROM {totals_store.TABLE}")) == stored  # nothing written
    assert _import(desk, fixed)["REPLACED"] == 1
    (replaced,) = sql_rows(desk, f"SELECT replaced FROM {totals_store.TABLE} WHERE year = 2023")[0]
    assert json.loads(replaced)[0]["farmland_m2"] == pytest.approx(stored[2023])


def test_rows_that_cannot_be_used_are_named_by_row_and_column(desk, tmp_path):
    path = _gbk_csv(tmp_path / "bad.csv", [
        "行政区代码,年份,耕地面积(公顷),永久基本农田面积(公顷)",
        f"{COUNTY_A},2023,100,90",  # row 2: fine
        "622999,2023,100,90",  # 3: no such county
        "622922,2023,100,90",  # 4: 康乐县, not this store's county
        f"{COUNTY_A},2027,100,90",  # 5: a year to come
        f"{COUNTY_A},二〇二三,100,90",  # 6: not a year
        f"{TOWNSHIP_A},2023,12ab,",  # 7: not a number
        f"{TOWNSHIP_A},2023,10,20",  # 8: 永农 above 耕地
        f"{COUNTY_A},2023,101,90",  # 9: the same place and year again
        f"{TOWNSHIP_A}000,2024,-5,",  # 10: a 12-digit township code is fine; a negative area is not
        "62292110,2024,5,",  # 11: 8 digits
    ])
    result, _, warnings = _log(desk, path)
    assert (result["ADDED"], result["REFUSED"], result["ROWS"]) == (1, 9, 10)
    lines = warnings.splitlines()

    def line(row: int) -> str:
        found = [x for x in lines if f"row {row}, " in x]
        assert len(found) == 1, (row, lines)
        return found[0]

    assert "行政区代码" in line(3) and "622999" in line(3)
    assert "622922" in line(4) and COUNTY_A in line(4)
    assert "年份" in line(5) and "2027" in line(5)
    assert "年份" in line(6)
    assert "耕地面积(公顷)" in line(7) and "12ab" in line(7)
    assert "永久基本农田面积(公顷)" in line(8)
    assert "row 2" in line(9)
    assert "-5" in line(10)
    assert "62292110" in line(11)


def test_a_file_that_is_no_totals_table_is_refused_in_words(desk, tmp_path):
    from qgis.core import QgsProcessingException

    path = _gbk_csv(tmp_path / "roster.csv", ["姓名,电话", "马福禄,13800000000"])
    with pytest.raises(QgsProcessingException, match="行政区代码"):
        _import(desk, path)


def test_the_demo_imports_two_years_for_the_sample_county(desk, tmp_path, capsys):
    from tools.demo import survey_totals_demo

    summary: dict = {}
    survey_totals_demo(tmp_path, desk, summary)
    assert summary["survey_totals"]["ADDED"] == 2 and summary["survey_totals"]["REFUSED"] == 0
    assert summary["survey_totals"]["years"] == {"2023": "imported", "2024": "coded", "2025": "imported"}
    assert (tmp_path / "变更调查_耕地汇总.csv").read_bytes().decode("gbk").startswith("行政区代码")
    printed = capsys.readouterr().out
    assert "2023 年" in printed and "变更调查（导入）" in printed and "赋码地块" in printed


# ------------------------------------------------------------------------------------ the dock and the report
def test_the_dock_and_the_exported_report_show_the_imported_years(qgis_iface, desk, tmp_path):
    import openpyxl

    from linxia_tianguan_plugin.ui.dashboard import DashboardDock

    farm, basic = _coded(desk)
    path = _gbk_csv(tmp_path / "t.csv", ["行政区代码,年份,耕地面积(亩),永久基本农田面积(亩)",
                                         f"{COUNTY_A},2025,{farm * 0.999 * MU:.2f},{basic * MU:.2f}"])
    assert _import(desk, path)["ADDED"] == 1
    dock = DashboardDock(qgis_iface, store_path="")
    try:
        assert dock.set_store(desk)
        dock.set_filters("", "2025-06-01", "2025-06-30", today="2025-06-20")
        trend = dock.table("trend")
        cells = [[trend.data(trend.index(r, c)) for c in (0, 7)] for r in range(trend.rowCount())]
        assert cells == [[2024, tr("coded parcels")], [2025, tr("annual change survey (imported)")]]
        assert trend.data(trend.index(1, 1)) == pytest.approx(round(farm * 0.999 * MU, 2), abs=0.006)
        from qgis.PyQt.QtCore import Qt

        assert trend.data(trend.index(1, 7), Qt.ItemDataRole.ToolTipRole) == "t.csv"  # where the figure came from
    finally:
        dock.cleanup()
        dock.deleteLater()
    out = tmp_path / "report.xlsx"
    run("linxia_tianguan:dashboard_report", {"STORE": str(desk), "TODAY": "2025-06-20", "OUTPUT_XLSX": str(out)})
    book = openpyxl.load_workbook(out, read_only=True)
    rows = list(book[model.sheet_names()["trend"]].iter_rows(values_only=True))
    assert [(r[0], r[-1]) for r in rows[1:]] == [(2024, tr("coded parcels")),
                                                 (2025, tr("annual change survey (imported)"))]


# ------------------------------------------------------------------------------------ the shared store
ADMIN, DESK_A, ZHOU, XIANG = "st_admin", "st_desk_a", "st_zhou", "st_xiang_a"
_schemas = itertools.count(1)


@pytest.fixture(scope="module")
def roles(pg):  # noqa: F811
    return pf.make_roles(pg, ADMIN, (DESK_A, ZHOU, XIANG))


def test_the_shared_store_keeps_the_totals_and_gives_the_desks_trend(roles, desk, tmp_path):
    schema = pf.new_schema(roles, ADMIN, ((DESK_A, COUNTY_A), (ZHOU, "6229"), (XIANG, TOWNSHIP_A)),
                           f"st_test_{next(_schemas)}")
    farm, basic = _coded(desk)
    path = _gbk_csv(tmp_path / "t.csv", ["行政区代码,年份,耕地面积(亩),永久基本农田面积(亩)",
                                         f"{COUNTY_A},2023,{farm * 1.002 * MU:.2f},{basic * MU:.2f}",
                                         f"{COUNTY_A},2025,{farm * 0.999 * MU:.2f},"])
    assert _import(desk, path)["ADDED"] == 2
    report = pf.publish_as(roles, DESK_A, schema, desk)
    assert not report.mismatched and report.tables["survey_totals"].desk == 2
    desk_years = survey_years(desk)
    assert desk_years.sources == {2023: "imported", 2024: "coded", 2025: "imported"}
    for role, prefix in ((ZHOU, ""), (ZHOU, COUNTY_A), (DESK_A, "")):
        with pf.as_role(roles, role, schema) as pgs:
            shared = survey_years_pg(pgs, prefix)
        assert shared.sources == desk_years.sources, (role, prefix)
        assert shared.totals == desk_years.totals, (role, prefix)  # the same figures, to the bit
    with pf.as_role(roles, XIANG, schema) as pgs:  # a township reads its county's rows, not its own figure
        assert {t.code for t in totals_store.totals_pg(pgs, TOWNSHIP_A)} == {COUNTY_A}
    # a corrected 2025 replaces the shared row too, and the shared store keeps the old figure in row_changes
    fixed = _gbk_csv(tmp_path / "fixed.csv", ["行政区代码,年份,耕地面积(亩)", f"{COUNTY_A},2025,{farm * MU:.2f}"])
    assert _import(desk, fixed)["REPLACED"] == 1
    assert not pf.publish_as(roles, DESK_A, schema, desk).mismatched
    with contextlib.closing(pf.connect(roles)) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT farmland_m2 FROM {s}.survey_totals WHERE year = 2025").format(
            s=sql.Identifier(schema)))
        assert cur.fetchone()[0] == pytest.approx(round(farm * MU, 2) / MU, abs=0.01)
        cur.execute(sql.SQL("SELECT changes FROM {s}.row_changes WHERE table_name = 'survey_totals'").format(
            s=sql.Identifier(schema)))
        (changes,) = cur.fetchone()
    assert changes["farmland_m2"][0] == pytest.approx(round(farm * 0.999 * MU, 2) / MU, abs=0.01)
    # and a desk pulled from the shared store has the totals, history included
    from linxia_tianguan_plugin.storage.pull import pull

    with pf.as_role(roles, DESK_A, schema) as pgs:
        pull(pgs, tmp_path / "pulled.gpkg", COUNTY_A)
    assert sql_rows(tmp_path / "pulled.gpkg", f"SELECT code, year, farmland_m2, basic_m2, replaced FROM "
                                              f"{totals_store.TABLE} ORDER BY year") == \
        sql_rows(desk, f"SELECT code, year, farmland_m2, basic_m2, replaced FROM {totals_store.TABLE} ORDER BY year")


def test_a_version_8_shared_store_migrates_to_9_and_its_roles_get_the_new_table(roles, monkeypatch, desk, tmp_path):
    schema = f"st_old_{next(_schemas)}"
    monkeypatch.setattr(pg_schema, "MIGRATIONS", [m for m in pg_schema.MIGRATIONS if m.version <= 8])
    monkeypatch.setattr(pg_schema, "LATEST", 8)
    with pf.as_role(roles, ADMIN, schema) as store:
        assert store.migrate() == 8
    with contextlib.closing(pf.connect(roles, ADMIN, autocommit=False)) as conn:
        for role, scope in ((DESK_A, COUNTY_A), (ZHOU, "6229")):
            pg_schema.grant_scope(conn, role, scope, schema)  # grants on version 8's tables
    monkeypatch.undo()
    # until the administrator migrates it, a desk with totals still publishes to and pulls from the version 8 store:
    # the table it does not have yet is skipped, not an error
    farm, _ = _coded(desk)
    assert _import(desk, _gbk_csv(tmp_path / "t.csv", ["行政区代码,年份,耕地面积(亩)",
                                                       f"{COUNTY_A},2023,{farm * MU:.2f}"]))["ADDED"] == 1
    report = pf.publish_as(roles, DESK_A, schema, desk)
    assert not report.mismatched and "survey_totals" not in report.tables and report.tables["space_codes"].desk
    from linxia_tianguan_plugin.storage.pull import pull

    with pf.as_role(roles, DESK_A, schema) as pgs:
        pull(pgs, tmp_path / "pulled.gpkg", COUNTY_A)
    assert sql_rows(tmp_path / "pulled.gpkg", f"SELECT count(*) FROM {totals_store.TABLE}") == [(0,)]
    with pf.as_role(roles, ADMIN, schema) as store:
        assert store.migrate() == pg_schema.LATEST == 9
    with contextlib.closing(pf.connect(roles)) as conn, conn.cursor() as cur:
        cur.execute("SELECT grantee, privilege_type FROM information_schema.role_table_grants WHERE table_schema = %s "
                    "AND table_name = 'survey_totals' AND grantee IN (%s, %s)", (schema, DESK_A, ZHOU))
        grants = set(cur.fetchall())
        cur.execute("SELECT has_column_privilege(%s, %s, 'farmland_m2', 'UPDATE'), "
                    "has_column_privilege(%s, %s, 'code', 'UPDATE')", (DESK_A, f"{schema}.survey_totals") * 2)
        assert cur.fetchone() == (True, False)  # only the figures of a year change, never its place or year
        cur.execute(sql.SQL("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = %s::regclass"),
                    (f"{schema}.survey_totals",))
        assert cur.fetchone() == (True, True)
    assert {(DESK_A, "SELECT"), (DESK_A, "INSERT"), (ZHOU, "SELECT")} <= grants
    assert (ZHOU, "INSERT") not in grants
