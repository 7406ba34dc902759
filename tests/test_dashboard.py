"""领导田管驾驶舱 report model and export on the filled sample 田管库: every table is checked against an
independent computation (plain SQL on the store, folded in Python written apart from core.reports.statistics), and
the export algorithm's PDF / PNG / XLSX files are read back with other tools (pdfinfo/pdftotext, QImage,
openpyxl)."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from linxia_tianguan_plugin import reports as model
from linxia_tianguan_plugin.core.reports import statistics as stats
from linxia_tianguan_plugin.i18n import tr
from linxia_tianguan_plugin.reports.survey_years import _year_of
from tests.helpers import sql_rows as _sql

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2025, 6, 20)  # mid-June 2025: done, not done and overdue tasks all occur
LATER = dt.date(2027, 6, 30)  # after every case event: closure and rectification are known
MU = 0.0015
CJK = re.compile(r"[\u4e00-\u9fff]")



def _town(code: str) -> str:
    return code[:9] if len(code) >= 9 else code


@pytest.fixture(scope="module")
def report(filled_store):
    return model.load_report(filled_store, TODAY)


@pytest.fixture(scope="module")
def later(filled_store):
    return model.load_report(filled_store, LATER)


def _rows(report, name):
    return report.tables[name].rows


# ---------------------------------------------------------------------------------------- tables
def test_load_report_only_reads_the_store(filled_store, tmp_path):
    copy = tmp_path / "copy.gpkg"
    shutil.copy(filled_store, copy)
    before = copy.read_bytes()
    model.load_report(copy, TODAY)
    assert copy.read_bytes() == before


def test_patrol_table_equals_task_statuses_in_sql(filled_store, report):
    now = "2025-06-20T15:59:59Z"  # the end of 20 June in Beijing
    expected = defaultdict(lambda: [0, 0, 0, 0])
    for grid, end, due, done in _sql(filled_store, """
            SELECT t.grid_code, t.period_end, t.due_at, EXISTS (
                SELECT 1 FROM tg_patrol p WHERE p.grid_code = t.grid_code AND p.valid
                AND date(replace(replace(p.started_at, 'T', ' '), 'Z', ''), '+8 hours')
                    BETWEEN t.period_start AND t.period_end)
            FROM tg_task t"""):
        e = expected[(end[:7], _town(grid))]
        e[0] += 1
        e[1 if done else 2 if due >= now else 3] += 1
    rows = _rows(report, "patrols")
    got = {(r[0], r[1]): r[3:7] for r in rows}
    assert got == {k: v for k, v in expected.items()}
    assert sum(r[4] for r in rows) > 0 and sum(r[5] for r in rows) > 0 and sum(r[6] for r in rows) > 0
    for r in rows:
        assert r[7] == pytest.approx(100.0 * r[4] / r[3], abs=0.006)


def test_officer_table_equals_the_active_roster(filled_store, report):
    expected = {}
    for level, town, posts, officers, assistants, vacant in _sql(filled_store, """
            SELECT o.level, CASE WHEN length(o.grid_code) >= 9 THEN substr(o.grid_code, 1, 9) ELSE o.grid_code END,
                   sum(o.role = 'officer'), sum(o.role = 'officer' AND NOT o.vacant),
                   sum(o.role = 'assistant' AND NOT o.vacant), sum(o.vacant)
            FROM tg_officer o JOIN tg_roster_import r USING (roster_id) WHERE r.active GROUP BY 1, 2"""):
        expected[("州县乡村社"[level - 1], town)] = [posts, officers, assistants, vacant]
    assert {(r[0], r[1]): r[3:7] for r in _rows(report, "officers")} == expected


def test_case_table_equals_a_group_by(filled_store, report):
    kinds, categories = model.kind_names(), model.category_names()
    from linxia_tianguan_plugin.core.cases.workflow import STATE_NAMES

    sql = ("SELECT state, kind, category, count(*), sum(area_m2), sum(coalesce(basic_m2, 0)) FROM tg_case "
           "GROUP BY 1, 2, 3")
    expected = {(STATE_NAMES[s], kinds[k], categories[c]): (n, round(a * MU, 2), round(b * MU, 2))
                for s, k, c, n, a, b in _sql(filled_store, sql)}
    got = {(r[0], r[1], r[2]): (r[3], r[4], r[5]) for r in _rows(report, "cases")}
    assert got.keys() == expected.keys()
    for key, (n, area, basic) in expected.items():
        assert got[key][0] == n
        assert got[key][1] == pytest.approx(area, abs=0.011) and got[key][2] == pytest.approx(basic, abs=0.011)
    states = {r[0] for r in _rows(report, "cases")}
    assert {"已结案", "执行中"} <= states


def test_ranking_table_equals_sql_counts_areas_and_closure_days(filled_store, later):
    counts = {t: (n, a) for t, n, a in _sql(filled_store, "SELECT substr(grid_code, 1, 9), count(*), sum(area_m2) "
                                                          "FROM tg_case GROUP BY 1")}
    closure = defaultdict(list)
    for town, days in _sql(filled_store, """
            SELECT substr(c.grid_code, 1, 9), julianday(replace(replace(min(e.at), 'T', ' '), 'Z', ''))
                   - julianday(replace(replace(c.detected_at, 'T', ' '), 'Z', ''))
            FROM tg_case c JOIN tg_case_event e USING (case_id) WHERE e.to_state = 'closed' GROUP BY c.case_id"""):
        closure[town].append(days)
    rows = _rows(later, "ranking")
    assert {r[1]: r[3] for r in rows} == {t: v[0] for t, v in counts.items()}
    for r in rows:
        assert r[5] == pytest.approx(counts[r[1]][1] * MU, abs=0.006)
        days = closure.get(r[1])
        assert r[6] == len(days or [])
        assert (r[8] is None) == (not days)
        if days:
            assert r[8] == pytest.approx(sum(days) / len(days), abs=0.006)
    # rank by cases: the most cases first, equal counts share a rank
    by_count = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
    assert [r[1] for r in rows] == [t for t, _ in by_count]
    for r in rows:
        assert r[0] == 1 + sum(1 for _, (n, _) in counts.items() if n > r[3])
        assert r[4] == 1 + sum(1 for _, (_, a) in counts.items() if a > counts[r[1]][1])
    slowest = max(closure, key=lambda t: sum(closure[t]) / len(closure[t]))
    assert next(r for r in rows if r[1] == slowest)[7] == 1


def test_timeliness_table_equals_the_case_events(filled_store, later):
    from linxia_tianguan_plugin.core.cases.workflow import DEFAULT_DEADLINES

    allowed = DEFAULT_DEADLINES.days("enforcing")
    now = dt.datetime.combine(LATER, dt.time(15, 59, 59))  # end of the day in Beijing, as UTC
    expected = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    events = defaultdict(list)
    for case_id, at, to in _sql(filled_store, "SELECT case_id, at, to_state FROM tg_case_event ORDER BY event_id"):
        events[case_id].append((dt.datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ"), to))
    for case_id, grid, state in _sql(filled_store, "SELECT case_id, grid_code, state FROM tg_case"):
        e = expected[grid[:9]]
        evs = events.get(case_id, [])
        if state != "closed" and evs:
            days = DEFAULT_DEADLINES.days(state)
            if days is not None and now > evs[-1][0] + dt.timedelta(days=days):
                e[5] += 1
        enforcing = next((t for t, s in evs if s == "enforcing"), None)
        if enforcing is None:
            continue
        e[0] += 1
        done = next((t for t, s in evs if s == "rectified"), None) or next((t for t, s in evs if s == "closed"), None)
        if done is not None:
            e[1 if done - enforcing <= dt.timedelta(days=allowed) else 2] += 1
        else:
            e[4 if now - enforcing > dt.timedelta(days=allowed) else 3] += 1
    got = {r[0]: r[2:8] for r in _rows(later, "timeliness")}
    assert got == dict(expected)
    assert sum(v[0] for v in got.values()) == 3


def test_farmland_table_equals_the_parcel_sums(filled_store, report):
    expected = {t: (n, f * MU, b * MU) for t, n, f, b in _sql(
        filled_store, "SELECT substr(code, 1, 9), count(*), sum(gdmj_m2), sum(yjmj_m2) FROM tg_space_code "
                      "WHERE status = 'active' GROUP BY 1")}
    rows = _rows(report, "farmland")
    assert [r[0] for r in rows] == sorted(expected)
    names = dict(_sql(filled_store, "SELECT code, name FROM tg_admin_unit"))
    for r in rows:
        n, farm, basic = expected[r[0]]
        assert r[1] == names[r[0]] and r[2] == n
        assert r[3] == pytest.approx(farm, abs=0.006) and r[4] == pytest.approx(basic, abs=0.006)
        assert r[5:] == [None] * 5  # no targets given


def test_coverage_table_equals_the_persisted_rates(filled_store, report):
    run = _sql(filled_store, "SELECT run_id FROM tg_coverage_run ORDER BY period_end DESC, run_at DESC LIMIT 1")
    assert run, "the filled store has no coverage run"
    rates = _sql(filled_store, "SELECT code, farmland_m2, seen_m2, basic_m2, basic_seen_m2, parcels, seen_parcels "
                               "FROM tg_coverage_rate WHERE run_id = ? AND length(code) = 9 ORDER BY code", run[0])
    rows = _rows(report, "coverage")
    assert [r[0] for r in rows] == [r[0] for r in rates] and rows
    for r, (_code, farm, seen, basic, bseen, parcels, seen_parcels) in zip(rows, rates):
        assert r[2] == pytest.approx(farm * MU, abs=0.006) and r[3] == pytest.approx(seen * MU, abs=0.006)
        assert r[4] == pytest.approx(100 * seen / farm, abs=0.006)
        assert r[7] == (None if not basic else pytest.approx(100 * bseen / basic, abs=0.006))
        assert (r[8], r[9]) == (parcels, seen_parcels)
    assert any(r[4] and r[4] > 0 for r in rows)


def test_trend_is_the_coded_survey_and_the_next_one_less_the_lost_farmland(filled_store, report):
    farm, basic = _sql(filled_store, "SELECT sum(gdmj_m2), sum(yjmj_m2) FROM tg_space_code WHERE status = 'active'")[0]
    lost, lost_basic = _sql(filled_store, "SELECT sum(farmland_m2), sum(basic_m2) FROM tg_case "
                                          "WHERE source = 'survey'")[0]
    rows = _rows(report, "trend")
    assert [r[0] for r in rows] == [2024, 2025]  # DLTB (SJNF 2024) coded, compared with DLTB_2025
    assert rows[0][1] == pytest.approx(farm * MU, abs=0.006) and rows[0][2] == pytest.approx(basic * MU, abs=0.006)
    assert rows[1][1] == pytest.approx((farm - lost) * MU, abs=0.006)
    assert rows[1][2] == pytest.approx((basic - lost_basic) * MU, abs=0.006)
    assert rows[1][3] == pytest.approx(-lost * MU, abs=0.011)
    assert rows[0][5] is None  # one county is not the prefecture: no margin against its red lines
    prefecture = model.build(stats.StatInputs(names={f"62290{i}": "县" for i in range(8)}), TODAY,
                             years=model.SurveyYears({2024: {"farmland_mu": 3_700_000.0, "basic_mu": 3_000_000.0}}))
    assert prefecture.tables["trend"].rows[0][5:7] == [pytest.approx(4900.0), pytest.approx(-48500.0)]


def test_filters_narrow_every_table(filled_store, report):
    township = report.tables["farmland"].rows[3][0]
    narrow = model.load_report(filled_store, TODAY, township, (dt.date(2025, 6, 1), dt.date(2025, 6, 15)))
    assert [r[0] for r in narrow.tables["farmland"].rows] == [township]
    assert {r[1] for r in narrow.tables["patrols"].rows} == {township}
    ends = _sql(filled_store, "SELECT count(*) FROM tg_task WHERE grid_code >= ? AND grid_code < ? "
                              "AND period_end BETWEEN '2025-06-01' AND '2025-06-15'", (township, township + "z"))
    assert sum(r[3] for r in narrow.tables["patrols"].rows) == ends[0][0]
    assert all(r[1].startswith(township) for r in narrow.tables["officers"].rows)
    detected = _sql(filled_store, "SELECT min(detected_at) FROM tg_case")[0][0]
    assert not narrow.tables["cases"].rows and detected > "2025-06-16"  # the cases were detected later


def test_targets_from_csv(filled_store, tmp_path, report):
    rows = report.tables["farmland"].rows
    first, second = rows[0], rows[1]
    path = tmp_path / "targets.csv"
    path.write_bytes(("乡镇编码,耕地目标(亩),永农目标(亩)\n"
                      f"{first[0]},{first[3] - 10:.2f},{first[4] + 5:.2f}\n{second[0]},1,\n").encode("gbk"))
    targets = model.read_targets(path)
    assert targets[second[0]] == (1.0, None)
    with_targets = model.load_report(filled_store, TODAY, targets=targets).tables["farmland"].rows
    a = next(r for r in with_targets if r[0] == first[0])
    b = next(r for r in with_targets if r[0] == second[0])
    assert a[7] == pytest.approx(10.0, abs=0.01) and a[8] == pytest.approx(-5.0, abs=0.01) and a[9] == tr("no")
    assert b[7] == pytest.approx(second[3] - 1, abs=0.01) and b[8] is None and b[9] == tr("yes")


def test_survey_years_from_layer_names():
    assert _year_of("/x/sample_county.gpkg|layername=DLTB_2025") == 2025
    assert _year_of("/nowhere/dltb2023.gpkg") == 2023
    assert _year_of("/nowhere/a.gpkg|layername=DLTB") is None


# ---------------------------------------------------------------------------------------- export
@pytest.fixture
def chinese():
    """Chinese as a zh_CN QGIS has it: the compiled translation the plugin ships."""
    from linxia_tianguan_plugin import i18n

    assert i18n.install_translator("zh_CN"), "compiled zh_CN translation missing (make i18n)"
    yield
    i18n.remove_translator()


def _run(params):
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    from linxia_tianguan_plugin.processing.reports.dashboard_report import DashboardReportAlgorithm

    alg = DashboardReportAlgorithm()
    alg.initAlgorithm({})
    feedback = QgsProcessingFeedback()
    return alg.run(params, QgsProcessingContext(), feedback, catchExceptions=False)


def test_the_algorithm_writes_pdf_png_and_xlsx(qgis_app, filled_store, tmp_path, chinese):
    from qgis.PyQt.QtGui import QImage

    titles = model.panel_titles()
    assert all(CJK.search(t) for t in titles.values()), titles
    out = tmp_path / "out"
    result, ok = _run({"STORE": str(filled_store), "PREFIX": "", "DATE_FROM": "2025-06-01", "DATE_TO": "",
                       "TODAY": "2025-06-20", "OUTPUT_PDF": str(out / "驾驶舱.pdf"),
                       "OUTPUT_XLSX": str(out / "驾驶舱.xlsx"), "OUTPUT_PNG_FOLDER": str(out / "png")})
    assert ok, result
    assert result["PAGES"] == len(model.PANELS)
    info = subprocess.run(["pdfinfo", str(out / "驾驶舱.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+(\d+)", info).group(1) == str(len(model.PANELS))
    text = subprocess.run(["pdftotext", str(out / "驾驶舱.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    compact = re.sub(r"\s+", "", text)
    for title in titles.values():
        assert re.sub(r"\s+", "", title) in compact, title
    assert "韩集镇" in compact and "已结案" in compact and "临夏县" in compact
    report = model.load_report(filled_store, TODAY, "", (dt.date(2025, 6, 1), None))
    pngs = sorted((out / "png").glob("*.png"))
    assert [p.name for p in pngs] == [model.png_name(i, n) for i, n in enumerate(model.PANELS)]
    for png in pngs:
        image = QImage(str(png))
        assert not image.isNull() and image.width() > 500
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
        assert len(colours) > 5, png.name  # not blank
    import openpyxl

    book = openpyxl.load_workbook(out / "驾驶舱.xlsx", read_only=True)
    sheets = model.sheet_names()
    assert book.sheetnames == [sheets[n] for n in model.PANELS]
    for name in model.PANELS:
        table = report.tables[name]
        rows = list(book[sheets[name]].iter_rows(values_only=True))
        assert list(rows[0]) == table.headers
        if table.rows:
            assert len(rows) == 1 + len(table.rows)
            for got, want in zip(rows[1:], table.rows):
                got = [None if v == "" else v for v in got] + [None] * (len(want) - len(got))  # trailing blanks
                assert got == pytest.approx(want), name
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_a_township_report_and_the_rejected_inputs(qgis_app, filled_store, tmp_path):
    from qgis.core import QgsProcessingException

    township = _sql(filled_store, "SELECT substr(code, 1, 9) FROM tg_space_code ORDER BY code LIMIT 1")[0][0]
    result, ok = _run({"STORE": str(filled_store), "PREFIX": township, "TODAY": "2025-06-20",
                       "OUTPUT_XLSX": str(tmp_path / "t.xlsx")})
    assert ok and Path(result["OUTPUT_XLSX"]).exists() and "OUTPUT_PDF" not in result
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "t.xlsx", read_only=True)
    farm = list(book[model.sheet_names()["farmland"]].iter_rows(values_only=True))
    assert len(farm) == 2 and farm[1][0] == township
    for params, message in (({"PREFIX": "62x"}, "62x"), ({"DATE_FROM": "2025-13-01"}, "2025-13-01"),
                            ({"DATE_FROM": "2025-06-30", "DATE_TO": "2025-06-01"}, "2025-06-01"),
                            ({"OUTPUT_PDF": None}, "PDF")):
        params = {"STORE": str(filled_store), "OUTPUT_PDF": str(tmp_path / "x.pdf"), **params}
        with pytest.raises(QgsProcessingException, match=re.escape(message)):
            _run(params)
    with pytest.raises(QgsProcessingException):
        _run({"STORE": str(tmp_path / "none.gpkg"), "OUTPUT_PDF": str(tmp_path / "x.pdf")})
    assert not (tmp_path / "x.pdf").exists()


def test_a_cancelled_export_leaves_nothing(qgis_app, filled_store, tmp_path):
    from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback

    from linxia_tianguan_plugin.processing.reports.dashboard_report import DashboardReportAlgorithm

    alg = DashboardReportAlgorithm()
    alg.initAlgorithm({})
    feedback = QgsProcessingFeedback()
    feedback.cancel()
    with pytest.raises(QgsProcessingException):
        alg.run({"STORE": str(filled_store), "OUTPUT_PDF": str(tmp_path / "r.pdf")}, QgsProcessingContext(),
                feedback, catchExceptions=False)
    assert list(tmp_path.iterdir()) == []
    report = model.load_report(filled_store, TODAY)
    (tmp_path / "r.pdf").write_bytes(b"old report")
    with pytest.raises(RuntimeError):
        model.write_pdf(report, tmp_path / "r.pdf", step=lambda i: (_ for _ in ()).throw(RuntimeError("stop")))
    assert (tmp_path / "r.pdf").read_bytes() == b"old report" and len(list(tmp_path.iterdir())) == 1
