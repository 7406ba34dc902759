"""storage/statistics.py on a real 田管库 (the 20 000-parcel change sample: coded, grid built, roster imported,
change analysis run, a month of tasks dispatched, some patrols and case moves): every figure is checked
against an independent computation (plain SQL or Python sums written differently from the module)."""
from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections import Counter, defaultdict

import pytest

from linxia_tianguan_plugin.core.cases.workflow import parse_time
from linxia_tianguan_plugin.core.reports import statistics as st
from linxia_tianguan_plugin.storage import statistics as stats_store
from tests.helpers import run
from tests.helpers import sql_rows as _sql

AS_OF = "2025-06-20T00:00:00Z"


@pytest.fixture(scope="module")
def store_path(filled_store, tmp_path_factory):
    """A copy of the session's filled store (a test below dispatches on it)."""
    path = tmp_path_factory.mktemp("statistics") / "tianguan.gpkg"
    shutil.copy(filled_store, path)
    return path


@pytest.fixture(scope="module")
def loaded(store_path):
    return stats_store.load(store_path)




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
    """The columns the dashboard reads give what dispatch reports, and the same rows as the Python rule."""
    status = run("linxia_tianguan:dispatch_tasks", {"STORE": str(store_path), "START": "2025-06-01",
                                                    "END": "2025-06-30", "AS_OF": AS_OF, "OUTPUT": None})
    rows = st.patrols_by_month_table(loaded.task_table, loaded.patrol_days, AS_OF)
    with_rows = stats_store.load(store_path, rows=True)
    assert len(with_rows.tasks) == len(loaded.task_table) > 0
    assert rows == st.patrols_by_month(with_rows.tasks, with_rows.patrols, AS_OF)
    assert st.figures(loaded, AS_OF).patrols == rows
    county = rows[0].township[:6]
    assert st.patrols_by_month_table(loaded.task_table, loaded.patrol_days, AS_OF, county[:4] + "21", (
        "2025-06-10", "2025-06-20")) == st.patrols_by_month(with_rows.tasks, with_rows.patrols, AS_OF,
                                                            county[:4] + "21", ("2025-06-10", "2025-06-20"))
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


def test_coverage_rates_are_the_coverage_runs_own(store_path, loaded):
    """The dashboard's coverage rows are what the coverage run stored, and they agree with the run's
    figures: the county's seen farmland equals the sum of its groups', its rate is FARMLAND_RATE."""
    runs = _sql(store_path, "SELECT run_id, period_start, period_end, counts FROM tg_coverage_run")
    assert len(runs) == 1 and runs[0][1:3] == ("2025-06-09", "2025-06-15")
    rows = st.coverage_by_township(loaded.rates)
    assert rows and all(len(r.code) == 9 for r in rows)
    groups = defaultdict(lambda: [0.0, 0.0])
    for code, farm, seen in _sql(store_path, "SELECT code, farmland_m2, seen_m2 FROM tg_coverage_rate "
                                             "WHERE length(code) = 14"):
        groups[code[:9]][0] += farm
        groups[code[:9]][1] += seen
    assert sorted(groups) == [r.code for r in rows]
    for r in rows:
        assert [r.farmland_m2, r.seen_m2] == pytest.approx(groups[r.code], rel=1e-9)
    import json
    county = [r for c, r in loaded.rates.items() if len(c) == 6]
    assert len(county) == 1
    assert county[0].rate == pytest.approx(json.loads(runs[0][3])["FARMLAND_RATE"])
    assert any(r.seen_m2 > 0 for r in rows)
    # a period without a run gives no rates; one overlapping the run's week gives them
    assert stats_store.load(store_path, start="2025-05-01", end="2025-05-31").rates == {}
    assert stats_store.load(store_path, start="2025-06-15", end="2025-06-30").rates == loaded.rates


def test_farmland_by_index_ranges_equals_the_group_by_of_an_older_store(store_path, tmp_path):
    """Schema v10's index serves the per-township sums as range scans; a store without it (an older one,
    read without migrating) gets them by GROUP BY: the same rows, for the prefecture and for a county."""
    older = tmp_path / "older.gpkg"
    source = sqlite3.connect(store_path)
    target = sqlite3.connect(older)
    source.backup(target)
    source.close()
    target.execute("DROP INDEX idx_tg_space_code_active")
    target.commit()
    target.close()
    for prefix in ("", "622921", "622921100"):
        fast = stats_store.load(store_path, prefix).farmland
        slow = stats_store.load(older, prefix).farmland
        assert fast and [r.code for r in fast] == [r.code for r in slow]
        for a, b in zip(fast, slow):
            assert (a.parcels, a.farmland_m2, a.basic_m2) == (b.parcels, pytest.approx(b.farmland_m2),
                                                              pytest.approx(b.basic_m2))
