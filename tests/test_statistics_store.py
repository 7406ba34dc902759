"""storage/statistics.py on a real 田管库 (the 20 000-parcel change sample: coded, grid built, roster imported,
change analysis run, a month of tasks dispatched, some patrols and case moves): every figure is checked
against an independent computation (plain SQL or Python sums written differently from the module)."""
from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter, defaultdict

import pytest

from linxia_tianguan_plugin.core import statistics as st
from linxia_tianguan_plugin.core.case_workflow import format_time, parse_time
from linxia_tianguan_plugin.core.tasks import make_patrol
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage import statistics as stats_store
from linxia_tianguan_plugin.storage.cases import take_action
from linxia_tianguan_plugin.storage.tasks import add_patrols
from tests.helpers import change_params, prepared_store, run

AS_OF = "2025-06-20T00:00:00Z"
CLOSE_PATH = [("issue", "county_reviewer", "", ()), ("submit_evidence", "group_officer", "", ("p.jpg",)),
              ("report", "village_township", "", ()), ("approve", "county_reviewer", "", ())]


@pytest.fixture(scope="module")
def store_path(processing_registry, change_sample, tmp_path_factory):
    base = tmp_path_factory.mktemp("statistics")
    src = change_sample / "sample_county.gpkg"
    path = base / "tianguan.gpkg"
    prepared_store(change_sample, path)
    run("linxia_tianguan:change_detection", change_params(src, STORE=str(path), OUTPUT=str(base / "changes.gpkg")))
    run("linxia_tianguan:dispatch_tasks", {"STORE": str(path), "START": "2025-06-01", "END": "2025-06-30",
                                           "OUTPUT": None})
    store = GpkgStore(path, create=False)
    try:
        groups = [r[0] for r in store.conn.execute("SELECT DISTINCT grid_code FROM tg_task WHERE level = 5 "
                                                   "ORDER BY grid_code")]
        add_patrols(store, [make_patrol(code, "巡田员", f"2025-06-0{2 + i % 3} 09:00")
                            for i, code in enumerate(groups) if i % 3 != 0])
        ids = store.conn.execute("SELECT case_id, detected_at FROM tg_case ORDER BY case_id").fetchall()
        assert len(ids) >= 6, "the change sample has too few cases"
        for n, (case_id, detected) in enumerate(ids[:6]):
            version, day = 1, 1
            steps = list(CLOSE_PATH)
            if n < 2:
                steps.append(("close", "county_reviewer", "合法用地", ()))
            elif n < 5:
                steps += [("start_enforcement", "enforcement", "", ())]
                if n < 4:
                    steps += [("report_rectified", "group_officer", "", ("after.jpg",)),
                              ("close", "county_reviewer", "", ())]
            for action, role, comment, files in steps:
                day += n + 1
                take_action(store, case_id, action, "tester", role, version, comment, files,
                            at=format_time(parse_time(detected) + dt.timedelta(days=day, hours=n)))
                version += 1
    finally:
        store.close()
    return path


@pytest.fixture(scope="module")
def loaded(store_path):
    return stats_store.load(store_path)


def _sql(path, sql, args=()):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def test_load_reads_read_only_and_leaves_the_store_unchanged(store_path):
    before = store_path.read_bytes()
    stats_store.load(store_path)
    assert store_path.read_bytes() == before


def test_farmland_per_township_equals_the_parcel_sums(store_path, loaded):
    expected = defaultdict(lambda: [0, 0.0, 0.0])
    for code, farm, basic in _sql(store_path, "SELECT code, gdmj_m2, yjmj_m2 FROM tg_space_code "
                                              "WHERE status = 'active'"):
        e = expected[code[:9]]
        e[0] += 1
        e[1] += farm or 0.0
        e[2] += basic or 0.0
    rows = st.farmland_by_township(loaded.farmland)
    assert [r.township for r in rows] == sorted(expected)
    for r in rows:
        n, farm, basic = expected[r.township]
        assert r.parcels == n
        assert r.farmland_m2 == pytest.approx(farm, rel=1e-9) and r.basic_m2 == pytest.approx(basic, rel=1e-9)
        assert r.farmland_mu == pytest.approx(farm * 0.0015, rel=1e-9)
    county = rows[0].township[:6]
    assert [r.township for r in st.farmland_by_township(stats_store.load(store_path, county).farmland)] == \
        [r.township for r in rows if r.township.startswith(county)]


def test_cases_by_state_and_class_equal_a_group_by(store_path, loaded):
    expected = {(s, k, c): (n, a) for s, k, c, n, a in _sql(
        store_path, "SELECT state, kind, category, count(*), sum(area_m2) FROM tg_case GROUP BY 1, 2, 3")}
    rows = st.cases_by_state_and_class(loaded.cases)
    assert {(r.state, r.kind, r.category): r.cases for r in rows} == {k: v[0] for k, v in expected.items()}
    for r in rows:
        assert r.area_m2 == pytest.approx(expected[(r.state, r.kind, r.category)][1])
    states = Counter(r.state for r in loaded.cases)
    assert states["closed"] == 4 and states["enforcing"] == 1


def test_event_times_from_sql_match_the_events_folded_in_python(store_path, loaded):
    con = sqlite3.connect(store_path)
    con.row_factory = sqlite3.Row
    events = [dict(r) for r in con.execute("SELECT * FROM tg_case_event ORDER BY case_id, at DESC")]
    con.close()
    bare = [st.CaseRecord(c.case_id, c.state, c.kind, c.category, c.area_m2, c.basic_m2, c.farmland_m2,
                          c.grid_code, c.detected_at) for c in loaded.cases]
    assert st.with_times(bare, events) == loaded.cases


def test_ranking_order_and_closure_days(store_path, loaded):
    expected = [t for t, _ in _sql(store_path, "SELECT substr(grid_code, 1, 9) AS t, count(*) AS n FROM tg_case "
                                               "GROUP BY t ORDER BY n DESC, t")]
    assert [r.township for r in st.township_ranking(loaded.cases, "count")] == expected
    days = defaultdict(list)
    for grid, detected, closed in _sql(
            store_path, "SELECT c.grid_code, c.detected_at, e.at FROM tg_case c JOIN tg_case_event e "
                        "USING (case_id) WHERE e.to_state = 'closed'"):
        span = sqlite3.connect(":memory:").execute("SELECT julianday(?) - julianday(?)", (closed[:19],
                                                                                          detected[:19])).fetchone()
        days[grid[:9]].append(span[0])
    ranked = st.township_ranking(loaded.cases, "closure_days")
    with_days = [r for r in ranked if r.closure_days is not None]
    assert {r.township: r.closure_days for r in with_days} == pytest.approx(
        {t: sum(v) / len(v) for t, v in days.items()})
    assert [r.closure_days for r in with_days] == sorted((r.closure_days for r in with_days), reverse=True)
    assert all(r.closure_days is None for r in ranked[len(with_days):])


def test_rectification_timeliness_counts_the_enforced_cases(loaded):
    latest = max(parse_time(c.detected_at) for c in loaded.cases)
    rows = st.rectification_timeliness(loaded.cases, latest + dt.timedelta(days=200))
    assert sum(r.required for r in rows) == 3
    assert sum(r.on_time + r.late for r in rows) == 2 and sum(r.open_overdue for r in rows) == 1


def test_patrols_by_month_equal_the_dispatch_status(store_path, loaded):
    status = run("linxia_tianguan:dispatch_tasks", {"STORE": str(store_path), "START": "2025-06-01",
                                                    "END": "2025-06-30", "AS_OF": AS_OF, "OUTPUT": None})
    rows = st.patrols_by_month(loaded.tasks, loaded.patrols, AS_OF)
    assert sum(r.done for r in rows) == status["DONE"] > 0
    assert sum(r.undone for r in rows) == status["OPEN"]
    assert sum(r.overdue for r in rows) == status["OVERDUE"] > 0
    per = Counter()
    for code, end in _sql(store_path, "SELECT grid_code, period_end FROM tg_task"):
        per[(end[:7], code[:9])] += 1
    assert {(r.month, r.township): r.tasks for r in rows} == dict(per)


def test_officer_counts_equal_the_roster(store_path, loaded):
    expected = {(lv, t): (o, v) for lv, t, o, v in _sql(
        store_path, "SELECT o.level, substr(o.grid_code, 1, 9), sum(o.role = 'officer' AND NOT o.vacant), "
                    "sum(o.vacant) FROM tg_officer o JOIN tg_roster_import r USING (roster_id) WHERE r.active "
                    "GROUP BY 1, 2")}
    rows = st.officer_counts(loaded.officers)
    assert {(r.level, r.township): (r.officers, r.vacancies) for r in rows} == expected
