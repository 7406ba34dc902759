"""core/reports/statistics.py on hand-made inputs: every figure checked exactly."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from linxia_tianguan_plugin.core.cases.workflow import Deadlines
from linxia_tianguan_plugin.core.patrol.coverage import ParcelSet, grid_rates
from linxia_tianguan_plugin.core.patrol.tasks import Task, due_at, make_patrol
from linxia_tianguan_plugin.core.reports import statistics as st

T1, T2, T3 = "622921001", "622921002", "622922001"


def _task(grid: str, level: int, first: str, last: str) -> Task:
    return Task(f"RW{grid}{first}", grid, level, first, last, due_at(dt.date.fromisoformat(last)))


def test_patrols_by_month_counts_done_undone_overdue_by_due_month():
    tasks = [
        _task(T1 + "00101", 5, "2025-06-23", "2025-06-29"),  # done
        _task(T1 + "00101", 5, "2025-06-30", "2025-07-06"),  # due in July, patrol on 07-01 (Beijing) -> done
        _task(T1 + "00102", 5, "2025-06-23", "2025-06-29"),  # overdue
        _task(T1 + "00102", 5, "2025-06-30", "2025-07-06"),  # open until 07-06
        _task(T2 + "00101", 5, "2025-06-23", "2025-06-29"),  # overdue
        _task(T3 + "00101", 5, "2025-06-23", "2025-06-29"),  # another county
    ]
    patrols = [make_patrol(T1 + "00101", "a", "2025-06-25 09:00"),
               # 2025-06-30T16:30Z is 07-01 00:30 in Beijing: counts for the second week only
               make_patrol(T1 + "00101", "a", "2025-06-30T16:30:00Z"),
               make_patrol(T1 + "00102", "b", "2025-06-26 09:00", valid=False)]
    rows = st.patrols_by_month(tasks, patrols, dt.date(2025, 7, 2))
    got = [(r.month, r.township, r.tasks, r.done, r.undone, r.overdue) for r in rows]
    assert got == [("2025-06", T1, 2, 1, 0, 1), ("2025-06", T2, 1, 0, 0, 1), ("2025-06", T3, 1, 0, 0, 1),
                   ("2025-07", T1, 2, 1, 1, 0)]
    assert rows[0].done_rate == 0.5
    assert [(r.month, r.township) for r in st.patrols_by_month(tasks, patrols, dt.date(2025, 7, 2), "622921",
                                                               ("2025-07-01", "2025-07-31"))] == [("2025-07", T1)]
    # on 07-07 the open one is overdue
    july = st.patrols_by_month(tasks, patrols, dt.date(2025, 7, 7), T1, ("2025-07-01", None))
    assert [(r.done, r.undone, r.overdue) for r in july] == [(1, 0, 1)]


def test_officer_counts_per_level_and_township():
    rows = [st.OfficerRecord(5, T1 + "00101"), st.OfficerRecord(5, T1 + "00102", vacant=True),
            st.OfficerRecord(5, T1 + "00103", "assistant"), st.OfficerRecord(4, T1 + "001"),
            st.OfficerRecord(5, T2 + "00101", count=3), st.OfficerRecord(2, "622921"),
            st.OfficerRecord(5, T3 + "00101")]
    got = [(r.level, r.level_name, r.township, r.grids, r.officers, r.assistants, r.vacancies)
           for r in st.officer_counts(rows, "622921")]
    assert got == [(2, "县", "622921", 1, 1, 0, 0), (4, "村", T1, 1, 1, 0, 0), (5, "社", T1, 2, 1, 1, 1),
                   (5, "社", T2, 3, 3, 0, 0)]


def _cases() -> list[st.CaseRecord]:
    return [
        st.CaseRecord("a", "closed", "nonagri", "suspect", 100.0, 40.0, 90.0, T1 + "00101", "2025-06-01T02:00:00Z",
                      closed_at="2025-06-11T02:00:00Z", enforcing_at="2025-06-02T02:00:00Z",
                      rectified_at="2025-06-10T02:00:00Z", entered_at="2025-06-11T02:00:00Z"),
        st.CaseRecord("b", "closed", "nongrain", "approved", 50.0, 0.0, 50.0, T1 + "00102", "2025-06-01T02:00:00Z",
                      closed_at="2025-06-21T02:00:00Z", entered_at="2025-06-21T02:00:00Z"),
        st.CaseRecord("c", "enforcing", "nonagri", "suspect", 300.0, 300.0, 300.0, T2 + "00101",
                      "2025-06-05T02:00:00Z", enforcing_at="2025-06-06T02:00:00Z", entered_at="2025-06-06T02:00:00Z"),
        st.CaseRecord("d", "issued", "nonagri", "suspect", 10.0, 0.0, 10.0, T2 + "00101", "2025-06-05T02:00:00Z",
                      entered_at="2025-06-05T02:00:00Z"),
        st.CaseRecord("e", "enforcing", "nonagri", "suspect", 20.0, 0.0, 20.0, T3 + "00101", "2025-07-01T02:00:00Z",
                      enforcing_at="2025-07-02T02:00:00Z", entered_at="2025-07-02T02:00:00Z"),
        st.CaseRecord("f", "closed", "facility", "facility", 5.0, 0.0, 5.0, T2 + "00101", "2025-06-01T02:00:00Z",
                      enforcing_at="2025-06-01T02:00:00Z", rectified_at="2025-07-15T02:00:00Z",
                      closed_at="2025-07-16T02:00:00Z", entered_at="2025-07-16T02:00:00Z"),
    ]


def test_cases_by_state_and_class_in_workflow_order():
    got = [(r.state, r.state_name, r.kind, r.category, r.cases, r.area_m2, r.basic_m2)
           for r in st.cases_by_state_and_class(_cases())]
    assert got == [("issued", "已下发", "nonagri", "suspect", 1, 10.0, 0.0),
                   ("enforcing", "执行中", "nonagri", "suspect", 2, 320.0, 300.0),
                   ("closed", "已结案", "facility", "facility", 1, 5.0, 0.0),
                   ("closed", "已结案", "nonagri", "suspect", 1, 100.0, 40.0),
                   ("closed", "已结案", "nongrain", "approved", 1, 50.0, 0.0)]
    june = st.cases_by_state_and_class(_cases(), T1, ("2025-06-01", "2025-06-30"))
    assert [(r.state, r.cases) for r in june] == [("closed", 1), ("closed", 1)]
    assert st.cases_by_state_and_class(_cases(), period=("2025-07-01", "2025-07-01"))[0].area_m2 == 20.0


def test_township_ranking_by_count_area_and_closure_days():
    cases = _cases()
    by_count = st.township_ranking(cases, "count")
    assert [(r.rank, r.township, r.cases) for r in by_count] == [(1, T2, 3), (2, T1, 2), (3, T3, 1)]
    by_area = st.township_ranking(cases, "area")
    assert [(r.rank, r.township, r.area_m2) for r in by_area] == [(1, T2, 315.0), (2, T1, 150.0), (3, T3, 20.0)]
    by_days = st.township_ranking(cases, "closure_days")
    # T1: (10 + 20) / 2 = 15 days; T2: f closed after 45 days; T3: nothing closed -> last, no rank value
    assert [(r.rank, r.township, r.closed, r.closure_days) for r in by_days] == [
        (1, T2, 1, 45.0), (2, T1, 2, 15.0), (3, T3, 0, None)]
    ties = st.township_ranking([st.CaseRecord(str(i), "issued", "k", "c", 1.0, grid_code=code)
                                for i, code in enumerate([T3, T1, T2, T2])], "count")
    assert [(r.rank, r.township) for r in ties] == [(1, T2), (2, T1), (2, T3)]
    with pytest.raises(ValueError):
        st.township_ranking(cases, "speed")


def test_rectification_timeliness_against_the_enforcing_deadline():
    rows = st.rectification_timeliness(_cases(), "2025-07-20T00:00:00Z", Deadlines(enforcing=30))
    got = [(r.township, r.required, r.on_time, r.late, r.open_on_time, r.open_overdue, r.overdue_open_cases)
           for r in rows]
    # a: rectified 8 days after enforcing (on time); c: enforcing since 06-06, 44 days -> overdue;
    # f: rectified after 44 days (late); d: issued 06-05, 7-day deadline -> overdue open case;
    # e: enforcing since 07-02 (18 days, on time); b never enforced
    assert got == [(T1, 1, 1, 0, 0, 0, 0), (T2, 2, 0, 1, 0, 1, 2), (T3, 1, 0, 0, 1, 0, 0)]
    assert rows[0].on_time_share == 1.0 and rows[1].on_time_share == 0.0 and rows[2].on_time_share is None
    # a longer deadline makes f on time and c not yet due
    long = st.rectification_timeliness(_cases(), "2025-07-20T00:00:00Z", Deadlines(enforcing=60, issued=None))
    assert [(r.on_time, r.late, r.open_on_time, r.open_overdue, r.overdue_open_cases) for r in long][1] == (
        1, 0, 1, 0, 0)


def test_case_times_from_events_match_hand_filled_records():
    events = [{"event_id": 1, "case_id": "a", "at": "2025-06-01T02:00:00Z", "to_state": "pending"},
              {"event_id": 4, "case_id": "a", "at": "2025-06-02T02:00:00Z", "to_state": "enforcing"},
              {"event_id": 5, "case_id": "a", "at": "2025-06-03T02:00:00Z", "to_state": "rectified"},
              {"event_id": 6, "case_id": "a", "at": "2025-06-04T02:00:00Z", "to_state": "enforcing"},
              {"event_id": 7, "case_id": "a", "at": "2025-06-10T02:00:00Z", "to_state": "rectified"},
              {"event_id": 8, "case_id": "a", "at": "2025-06-11T02:00:00Z", "to_state": "closed"},
              {"event_id": 2, "case_id": "b", "at": "2025-06-01T03:00:00Z", "to_state": "pending"}]
    times = st.case_times(events)
    assert times["a"] == st.CaseTimes("2025-06-11T02:00:00Z", "2025-06-02T02:00:00Z", "2025-06-03T02:00:00Z",
                                      "2025-06-11T02:00:00Z")
    assert times["b"] == st.CaseTimes("2025-06-01T03:00:00Z")
    bare = [st.CaseRecord("a", "closed", "k", "c", 1.0), st.CaseRecord("z", "pending", "k", "c", 1.0)]
    filled = st.with_times(bare, events)
    assert filled[0].closed_at == "2025-06-11T02:00:00Z" and filled[1].entered_at is None


def test_farmland_by_township_with_targets():
    parcels = [(T1 + "00101001", 1000.0, 500.0), (T1 + "00102001", 2000.0, 0.0), (T2 + "00101001", 666.6666, 0.0),
               st.FarmlandRow(T3, 10000.0, 10000.0, 7)]
    rows = st.farmland_by_township(parcels, {T1: (4.0, 1.0), T2: (None, None), "622921009": (1.0, None)})
    got = [(r.township, r.parcels, r.farmland_m2, r.basic_m2) for r in rows]
    assert got == [(T1, 2, 3000.0, 500.0), (T2, 1, 666.6666, 0.0), ("622921009", 0, 0.0, 0.0), (T3, 7, 10000.0,
                                                                                                 10000.0)]
    assert rows[0].farmland_mu == pytest.approx(4.5) and rows[0].basic_mu == pytest.approx(0.75)
    assert rows[0].farmland_gap_mu == pytest.approx(0.5) and rows[0].basic_gap_mu == pytest.approx(-0.25)
    assert rows[0].meets_targets is False and rows[1].meets_targets is None and rows[2].meets_targets is False
    assert rows[3].farmland_mu == pytest.approx(15.0)
    assert [r.township for r in st.farmland_by_township(parcels, prefix="622922")] == [T3]
    total = st.totals(rows)
    assert total["farmland_m2"] == pytest.approx(13666.6666) and total["basic_mu"] == pytest.approx(15.75)


def test_trend_against_the_prefecture_red_lines():
    assert st.PREFECTURE_FARMLAND_MU == 3_695_100 and st.PREFECTURE_BASIC_MU == 3_048_500
    rows = st.trend({2025: (3_700_000.0, 3_048_000.0), 2023: {"farmland_mu": 3_710_000, "basic_mu": 3_050_000},
                     2024: {"farmland_m2": 3_705_000 * st.M2_PER_MU, "basic_m2": 3_049_000 * st.M2_PER_MU}})
    assert [r.year for r in rows] == [2023, 2024, 2025]
    assert rows[0].farmland_change_mu is None and rows[0].farmland_margin_mu == 14_900.0
    assert rows[1].farmland_change_mu == pytest.approx(-5_000) and rows[1].basic_margin_mu == pytest.approx(500)
    assert rows[2].basic_margin_mu == -500.0 and rows[2].above_red_lines is False and rows[0].above_red_lines
    county = st.trend({2025: (10.0, 5.0)}, None, None)
    assert county[0].farmland_margin_mu is None and county[0].above_red_lines is None


def test_coverage_by_township_reuses_grid_rates():
    codes = np.array([T1 + "00101001", T1 + "00102001", T2 + "00101001"])
    parcels = ParcelSet(code=codes, farmland=np.array([100.0, 300.0, 50.0]), basic=np.array([100.0, 0.0, 0.0]),
                        wkb=np.array([None] * 3, dtype=object), bounds=np.zeros((3, 4)))
    rates = grid_rates(parcels, np.array([True, False, True]))
    rows = st.coverage_by_township(rates)
    assert [(r.code, r.farmland_m2, r.seen_m2, r.rate, r.basic_rate, r.parcels, r.seen_parcels)
            for r in rows] == [(T1, 400.0, 100.0, 0.25, 1.0, 2, 1), (T2, 50.0, 50.0, 1.0, None, 1, 1)]
    assert [r.code for r in st.coverage_by_township(rates, T2)] == [T2]


def test_figures_bundles_every_figure_with_the_same_filters():
    inputs = st.StatInputs(
        tasks=[_task(T1 + "00101", 5, "2025-06-23", "2025-06-29")], patrols=[],
        officers=[st.OfficerRecord(5, T1 + "00101")], cases=_cases(),
        farmland=[st.FarmlandRow(T1, 1.0, 1.0), st.FarmlandRow(T3, 1.0, 1.0)])
    f = st.figures(inputs, dt.date(2025, 7, 20), T1)
    assert [r.overdue for r in f.patrols] == [1]
    assert [r.township for r in f.farmland] == [T1]
    assert {r.township for r in f.ranking["count"]} == {T1}
    assert [r.township for r in f.timeliness] == [T1] and f.coverage == []
