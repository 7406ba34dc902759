"""巡田考核 on the filled sample store (``filled_store``): the store reader and the assessment's figures
against independent SQL, and the Processing algorithm's workbook read back with openpyxl."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from collections import Counter, defaultdict

import pytest

from linxia_tianguan_plugin.core import clock
from linxia_tianguan_plugin.core.cases.workflow import Deadlines
from linxia_tianguan_plugin.core.reports import assessment as core
from linxia_tianguan_plugin.storage import assessment as assess_store
from tests.helpers import sql_rows as _sql

JUNE = (dt.date(2025, 6, 1), dt.date(2025, 6, 30))


#: the active roster's officer posts (first 'officer' row of a grid), in plain SQL
POSTS_SQL = ("SELECT o.grid_code, o.level, o.name, o.phone, o.vacant FROM tg_officer o JOIN tg_roster_import r "
             "USING (roster_id) WHERE r.active = 1 AND o.role = 'officer' AND o.rowid = (SELECT min(x.rowid) FROM "
             "tg_officer x WHERE x.roster_id = o.roster_id AND x.grid_code = o.grid_code AND x.role = 'officer')")


@pytest.fixture(scope="module")
def store(filled_store, tmp_path_factory):
    path = tmp_path_factory.mktemp("assessment") / "tianguan.gpkg"
    shutil.copy(filled_store, path)
    return path


@pytest.fixture(scope="module")
def june(store):
    return core.assess(assess_store.load(store, "", JUNE), "month", JUNE)


def test_load_is_read_only(store):
    before = store.read_bytes()
    assess_store.load(store, "", JUNE)
    assert store.read_bytes() == before


def test_posts_are_the_active_rosters_officer_posts(store, june):
    expected = {code: (lv, None if v else (name or None), None if v else (phone or None), bool(v))
                for code, lv, name, phone, v in _sql(store, POSTS_SQL)}
    assert {g.grid_code: (g.level, g.officer, g.phone, g.vacant) for g in june.grids} == expected


def test_frequency_equals_sql_on_tasks_and_valid_patrols(store, june):
    # a task due in June is done when a valid patrol of its grid started on a Beijing date inside its period;
    # assessed after June, every other one is overdue
    rows = _sql(store, "SELECT t.grid_code, count(*), sum(EXISTS (SELECT 1 FROM tg_patrol p WHERE p.grid_code = "
                       "t.grid_code AND p.valid = 1 AND date(p.started_at, '+8 hours') BETWEEN t.period_start AND "
                       "t.period_end)) FROM tg_task t WHERE t.period_end BETWEEN '2025-06-01' AND '2025-06-30' "
                       "GROUP BY t.grid_code")
    expected = {code: (n, done, n - done) for code, n, done in rows}
    got = {g.grid_code: (g.tasks, g.done, g.overdue) for g in june.grids if g.tasks}
    posts = {g.grid_code for g in june.grids}
    assert got == {k: v for k, v in expected.items() if k in posts}
    assert sum(v[1] for v in got.values()) > 0 and sum(v[2] for v in got.values()) > 0
    assert all(g.open == 0 for g in june.grids)
    # per level, as the summary sheet gives it
    levels = Counter()
    for code, lv, *_ in _sql(store, POSTS_SQL):
        levels[lv] += expected.get(code, (0, 0, 0))[1]
    assert {s.level: s.done for s in june.levels} == dict(levels)


def test_coverage_is_the_persisted_run(store, june):
    rates = dict(_sql(store, "SELECT code, seen_m2 / farmland_m2 FROM tg_coverage_rate WHERE farmland_m2 > 0 AND "
                             "run_id = (SELECT run_id FROM tg_coverage_run WHERE period_start <= '2025-06-30' AND "
                             "period_end >= '2025-06-01' ORDER BY period_end DESC, run_at DESC LIMIT 1)"))
    assert rates
    got = {g.grid_code: g.coverage_rate for g in june.grids if g.coverage_rate is not None}
    assert got == pytest.approx({k: v for k, v in rates.items() if k in {g.grid_code for g in june.grids}})


def test_tracks_and_flags_equal_sql(store, june):
    rows = _sql(store, "SELECT grid_code, count(*), sum(flags IS NOT NULL), sum(flags IS NOT NULL AND "
                       "(flags NOT IN ('[]', '') OR accepted = 0)) FROM tg_track WHERE date(started_at, '+8 hours') "
                       "BETWEEN '2025-06-01' AND '2025-06-30' GROUP BY grid_code")
    posts = {g.grid_code for g in june.grids}
    expected = {code: (n, c, f) for code, n, c, f in rows if code in posts}
    assert {g.grid_code: (g.tracks, g.checked, g.flagged) for g in june.grids if g.tracks} == expected
    assert sum(f for _, _, f in expected.values()) > 0
    flagged = next(g for g in june.grids if g.flagged)
    assert flagged.authenticity_rate == pytest.approx(1 - flagged.flagged / flagged.checked)


def _steps_by_sql(store, first: str, last: str, deadlines: Deadlines) -> dict:
    """Per grid: (on time, late, open overdue, open) of evidence and rectification, from the events, written
    with julianday arithmetic."""
    end = dt.datetime.combine(dt.date.fromisoformat(last) + dt.timedelta(days=1), dt.time()) - dt.timedelta(hours=8)
    end_jd = _sql(store, "SELECT julianday(?)", (end.strftime("%Y-%m-%d %H:%M:%S"),))[0][0]
    start = dt.datetime.combine(dt.date.fromisoformat(first), dt.time()) - dt.timedelta(hours=8)
    start_jd = _sql(store, "SELECT julianday(?)", (start.strftime("%Y-%m-%d %H:%M:%S"),))[0][0]
    firsts = defaultdict(dict)
    for case_id, state, jd in _sql(store, "SELECT case_id, to_state, julianday(replace(at, 'Z', '')) FROM "
                                          "tg_case_event ORDER BY event_id"):
        firsts[case_id].setdefault(state, jd)
    grids = dict(_sql(store, "SELECT case_id, grid_code FROM tg_case"))
    out = defaultdict(lambda: {"evidence": [0, 0, 0, 0], "rectification": [0, 0, 0, 0]})
    for case_id, times in firsts.items():
        done = times.get("rectified", times.get("closed"))
        for step, begin, finish, days in (("evidence", times.get("issued"), times.get("evidenced"), deadlines.issued),
                                          ("rectification", times.get("enforcing"), done, deadlines.enforcing)):
            if begin is None or begin > end_jd:
                continue
            if finish is not None and finish > end_jd:
                finish = None
            if finish is not None and finish < start_jd:
                continue
            slot = (0 if finish - begin <= days + 1e-9 else 1) if finish is not None else (
                2 if end_jd - begin > days else 3)
            out[grids[case_id]][step][slot] += 1
    return out


@pytest.mark.parametrize("deadlines", [Deadlines(), Deadlines(issued=2, enforcing=4)])
def test_evidence_and_rectification_equal_the_events(store, deadlines):
    # the sample's cases are moved from their detection on: assess the year of the first issue
    first_issue = _sql(store, "SELECT min(at) FROM tg_case_event WHERE to_state = 'issued'")[0][0]
    period = core.assessment_period("year", first_issue[:10])
    result = core.assess(assess_store.load(store, "", period), "year", period, deadlines=deadlines)
    expected = _steps_by_sql(store, period[0].isoformat(), period[1].isoformat(), deadlines)
    posts = {g.grid_code for g in result.grids}
    for step in ("evidence", "rectification"):
        got = {g.grid_code: [getattr(g, step).on_time, getattr(g, step).late, getattr(g, step).open_overdue,
                             getattr(g, step).open] for g in result.grids if getattr(g, step).counted}
        assert got == {k: v[step] for k, v in expected.items() if k in posts and any(v[step])}
    assert sum(g.evidence.counted for g in result.grids) == 6  # six cases were issued
    assert sum(g.rectification.counted for g in result.grids) == 3  # three entered enforcement
    slow = {n.grid_code for n in result.notices if n.reason == "slow_rectification"}
    assert slow == {k for k, v in expected.items() if k in posts and (v["rectification"][1] or v["rectification"][2])}
    if deadlines.enforcing == 4:
        assert slow  # the strict deadlines make some rectification late


def test_rankings_follow_the_scores(june):
    for town in {r.township for r in june.township_ranking}:
        rows = [r for r in june.township_ranking if r.township == town]
        scores = [r.assessment.score for r in rows if r.rank is not None]
        assert scores == sorted(scores, reverse=True)
        assert [r.rank for r in rows][0] in (1, None)
        for r in rows:
            if r.rank is not None:  # the rank is 1 + the number of better scores
                assert r.rank == 1 + sum(1 for s in scores if s - r.assessment.score > 1e-9)
    means = defaultdict(list)
    for g in june.grids:
        if len(g.grid_code) >= 9 and g.score is not None:
            means[g.grid_code[:9]].append(g.score)
    assert {t.township: t.mean_score for t in june.county_ranking if t.mean_score is not None} == pytest.approx(
        {k: sum(v) / len(v) for k, v in means.items()})


def test_repeated_failures_are_consecutive_overdue_tasks(store, june):
    # weekly tasks of a group: consecutive periods; a notice needs two overdue weeks in a row (or May's last)
    statuses = defaultdict(list)
    for code, done in _sql(
            store, "SELECT t.grid_code, EXISTS (SELECT 1 FROM tg_patrol p WHERE "
                   "p.grid_code = t.grid_code AND p.valid = 1 AND date(p.started_at, '+8 hours') BETWEEN "
                   "t.period_start AND t.period_end) FROM tg_task t WHERE t.level = 5 AND t.period_end <= '2025-06-30' "
                   "ORDER BY t.grid_code, t.period_start"):
        statuses[code].append(not done)
    flagged = Counter(code for code, in _sql(
        store, "SELECT grid_code FROM tg_track WHERE flags IS NOT NULL AND (flags <> '[]' OR accepted = 0) AND "
               "date(started_at, '+8 hours') BETWEEN '2025-06-01' AND '2025-06-30'"))
    expected = {code for code, s in statuses.items()
                if any(a and b for a, b in zip(s, s[1:])) or flagged[code] >= core.REPEATED_FLAGGED}
    posts = {g.grid_code for g in june.grids if g.level == 5}
    got = {n.grid_code for n in june.notices if n.reason == "repeated_failures" and n.level == 5}
    assert got == expected & posts and got


# ------------------------------------------------------------------------------------------ processing
def _run(params):
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    from linxia_tianguan_plugin.processing.reports.assessment import AssessmentAlgorithm

    alg = AssessmentAlgorithm()
    alg.initAlgorithm({})
    result, ok = alg.run(params, QgsProcessingContext(), QgsProcessingFeedback())
    return result, ok


def _sheets(path) -> dict[str, list[tuple]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        out = {}
        for ws in book.worksheets:
            rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
            width = max((len(r) for r in rows), default=0)
            out[ws.title] = [r + (None,) * (width - len(r)) for r in rows]  # empty trailing cells are not read
        return out
    finally:
        book.close()


def test_algorithm_metadata(processing_registry):
    from linxia_tianguan_plugin.processing.reports.assessment import AssessmentAlgorithm

    before = clock.today_beijing().isoformat()
    alg = AssessmentAlgorithm()
    alg.initAlgorithm({})
    after = clock.today_beijing().isoformat()
    assert alg.name() == "assessment" and alg.groupId() == "reports"
    assert alg.displayName() and "巡田考核" in alg.shortHelpString()
    assert {p.name() for p in alg.parameterDefinitions()} == {"STORE", "PERIOD", "DATE", "PREFIX", "OUTPUT",
                                                              "PREFECTURE_CONNECTION", "PREFECTURE_SCHEMA"}
    date = alg.parameterDefinition("DATE")  # the dialog shows today in Beijing; a run without DATE takes today
    assert date.defaultValue() is None and date.guiDefaultValueOverride().toString("yyyy-MM-dd") in (before, after)


def test_workbook_has_the_sheets_and_rows(processing_registry, store, tmp_path):
    out = tmp_path / "考核" / "2025-06.xlsx"
    result, ok = _run({"STORE": str(store), "PERIOD": 0, "DATE": "2025-06-15", "OUTPUT": str(out)})
    assert ok, result
    sheets = _sheets(out)
    assert list(sheets)[:4] == ["考核明细", "乡镇排名", "县区排名", "通报名单"]
    posts = _sql(store, POSTS_SQL)
    detail = sheets["考核明细"]
    assert len(detail) - 1 == len(posts) == result["GRIDS"]
    header = detail[0]
    col = {h: i for i, h in enumerate(header)}
    assert {"网格编码", "田管员", "应巡任务", "已完成", "已过期", "覆盖率(%)", "存疑轨迹", "综合得分"} <= set(header)
    tasks = _sql(store, "SELECT count(*) FROM tg_task WHERE period_end BETWEEN '2025-06-01' AND '2025-06-30' AND "
                        f"grid_code IN (SELECT grid_code FROM ({POSTS_SQL}))")[0][0]
    assert sum(r[col["应巡任务"]] for r in detail[1:]) == tasks
    # officers of a township (乡/村/社 posts, filled) ranked; townships of the posts ranked
    officers = {(code[:9], name, phone or "") for code, lv, name, phone, vacant in posts if lv >= 3 and not vacant
                and name}
    assert len(sheets["乡镇排名"]) - 1 == len(officers) == result["OFFICERS"]
    townships = {code[:9] for code, lv, *_ in posts if lv >= 3}
    assert len(sheets["县区排名"]) - 1 == len(townships) == result["TOWNSHIPS"]
    june = core.assess(assess_store.load(store, "", JUNE), "month", JUNE)
    assert len(sheets["通报名单"]) - 1 == len(june.notices) == result["NOTICES"] > 0  # (none: one row "（无）")
    reasons = {r[1] for r in sheets["通报名单"][1:]}
    assert reasons <= set(core.REASONS) and "overdue_tasks" in reasons
    # every score is the documented weighting of the rates in its row (missing rates re-weighted)
    weights = {"频次达标率(%)": 40, "覆盖率(%)": 30, "轨迹真实率(%)": 10, "举证及时率(%)": 10, "整改及时率(%)": 10}
    scored = 0
    for r in detail[1:]:
        present = {h: w for h, w in weights.items() if r[col[h]] is not None}
        if not present:
            assert r[col["综合得分"]] is None
            continue
        expected = sum(w * r[col[h]] for h, w in present.items()) / sum(present.values())
        assert r[col["综合得分"]] == pytest.approx(expected, abs=0.02)
        scored += 1
    assert scored > 0
    # rates against the row's own counts
    for r in detail[1:]:
        decided = r[col["已完成"]] + r[col["已过期"]]
        if decided:
            assert r[col["频次达标率(%)"]] == pytest.approx(100 * r[col["已完成"]] / decided, abs=0.006)
    assert not [p for p in out.parent.iterdir() if p.name != out.name]  # no partial file left behind


def test_prefix_and_quarter(processing_registry, store, tmp_path):
    town = _sql(store, "SELECT substr(grid_code, 1, 9) FROM tg_task WHERE level = 5 ORDER BY grid_code LIMIT 1")[0][0]
    out = tmp_path / "q2.xlsx"
    result, ok = _run({"STORE": str(store), "PERIOD": 1, "DATE": "2025-05-20", "PREFIX": town, "OUTPUT": str(out)})
    assert ok, result
    detail = _sheets(out)["考核明细"]
    assert len(detail) > 1 and all(str(r[0]).startswith(town) for r in detail[1:])
    about = dict(r for r in _sheets(out)["考核说明"][1:])
    assert about["起始日期"] == "2025-04-01" and about["截止日期"] == "2025-06-30"


def test_clear_errors(processing_registry, store, tmp_path):
    from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback

    from linxia_tianguan_plugin.processing.reports.assessment import AssessmentAlgorithm

    def failing(params) -> str:
        alg = AssessmentAlgorithm()
        alg.initAlgorithm({})
        with pytest.raises(QgsProcessingException) as err:
            alg.processAlgorithm(params, QgsProcessingContext(), QgsProcessingFeedback())
        return str(err.value)

    message = failing({"STORE": str(store), "PERIOD": 2, "DATE": "2023-03-01", "OUTPUT": str(tmp_path / "a.xlsx")})
    assert "tg_task" in message and str(store) in message
    assert not (tmp_path / "a.xlsx").exists()
    empty = tmp_path / "empty.gpkg"
    shutil.copy(store, empty)
    con = sqlite3.connect(empty)
    con.execute("UPDATE tg_roster_import SET active = 0")
    con.commit()
    con.close()
    message = failing({"STORE": str(empty), "PERIOD": 0, "DATE": "2025-06-15", "OUTPUT": str(tmp_path / "b.xlsx")})
    assert "tg_officer" in message and str(empty) in message
    assert "2025-13" in failing({"STORE": str(store), "PERIOD": 0, "DATE": "2025-13-01",
                                 "OUTPUT": str(tmp_path / "c.xlsx")})
    assert ".xlsx" in failing({"STORE": str(store), "PERIOD": 0, "DATE": "2025-06-01",
                               "OUTPUT": str(tmp_path / "c.csv")})


def test_flags_json_forms():
    assert assess_store._flags(None) is None
    assert assess_store._flags("[]") == () and assess_store._flags("") == ()
    assert assess_store._flags(json.dumps(["driven", "too_short"])) == ("driven", "too_short")


def test_an_empty_sheet_keeps_its_header(processing_registry, tmp_path):
    from linxia_tianguan_plugin.processing.reports.assessment import EMPTY, NOTICE_HEADERS, write_xlsx

    path = tmp_path / "e.xlsx"
    write_xlsx(str(path), [("通报名单", NOTICE_HEADERS, []), ("考核说明", ["项目", "内容"], [["a", "b"]])])
    sheets = _sheets(path)
    assert sheets["通报名单"][0] == tuple(NOTICE_HEADERS) and sheets["通报名单"][1][0] == EMPTY
    assert sheets["考核说明"] == [("项目", "内容"), ("a", "b")]
