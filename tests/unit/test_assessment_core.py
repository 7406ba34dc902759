"""core/reports/assessment.py on hand-made inputs: periods, components, score, rankings with ties, 通报 reasons."""
from __future__ import annotations

import datetime as dt

import pytest

from linxia_tianguan_plugin.core.patrol.coverage import GridRates
from linxia_tianguan_plugin.core.patrol.tasks import Task, due_at, make_patrol
from linxia_tianguan_plugin.core.reports import assessment as a
from linxia_tianguan_plugin.core.reports import statistics as st

D = dt.date
T1, T2 = "622921001", "622921002"
G1, G2, G3 = T1 + "00101", T1 + "00102", T2 + "00101"
V1 = T1 + "001"


def _task(grid: str, level: int, first: str, last: str) -> Task:
    return Task(f"RW{grid}{first.replace('-', '')}", grid, level, first, last, due_at(D.fromisoformat(last)))


def _weeks(grid: str) -> list[Task]:
    """The weekly tasks of a group due in June 2025, plus the week due 2025-06-01 (May's last)."""
    starts = ["2025-05-26", "2025-06-02", "2025-06-09", "2025-06-16", "2025-06-23", "2025-06-30"]
    return [_task(grid, 5, s, (D.fromisoformat(s) + dt.timedelta(days=6)).isoformat()) for s in starts]


# ------------------------------------------------------------------------------------------ periods
@pytest.mark.parametrize("kind, day, expected", [
    ("month", "2025-06-15", (D(2025, 6, 1), D(2025, 6, 30))),
    ("month", D(2024, 2, 29), (D(2024, 2, 1), D(2024, 2, 29))),
    ("month", "2025-12-31", (D(2025, 12, 1), D(2025, 12, 31))),
    ("quarter", "2025-01-01", (D(2025, 1, 1), D(2025, 3, 31))),
    ("quarter", "2025-06-30", (D(2025, 4, 1), D(2025, 6, 30))),
    ("quarter", "2025-11-05", (D(2025, 10, 1), D(2025, 12, 31))),
    ("year", "2025-07-01", (D(2025, 1, 1), D(2025, 12, 31))),
])
def test_assessment_period_boundaries(kind, day, expected):
    assert a.assessment_period(kind, day) == expected


def test_previous_period_and_unknown_kinds():
    assert a.previous_period("month", (D(2025, 1, 1), D(2025, 1, 31))) == (D(2024, 12, 1), D(2024, 12, 31))
    assert a.previous_period("quarter", (D(2025, 4, 1), D(2025, 6, 30))) == (D(2025, 1, 1), D(2025, 3, 31))
    assert a.previous_period("year", (D(2025, 1, 1), D(2025, 12, 31))) == (D(2024, 1, 1), D(2024, 12, 31))
    with pytest.raises(a.AssessmentError):
        a.assessment_period("week", "2025-06-01")
    with pytest.raises(a.AssessmentError):
        a.assessment_period("month", "June")


def test_as_of_is_the_period_end_in_beijing_or_now_if_earlier():
    june = (D(2025, 6, 1), D(2025, 6, 30))
    # midnight after the last day in Beijing: the tasks due at 23:59:59 on the last day are past due
    assert a.as_of(june) == dt.datetime(2025, 6, 30, 16, 0, 0, tzinfo=dt.timezone.utc)
    assert a.as_of(june, "2025-07-09T00:00:00Z") == a.as_of(june)
    assert a.as_of(june, "2025-06-10T03:00:00Z") == dt.datetime(2025, 6, 10, 3, tzinfo=dt.timezone.utc)


# ------------------------------------------------------------------------------------------ score
def test_score_reweights_missing_components():
    full = {"frequency": 1.0, "coverage": 0.5, "authenticity": 1.0, "evidence": 0.0, "rectification": 1.0}
    assert a.score(full) == pytest.approx(100 * (40 + 15 + 10 + 0 + 10) / 100)
    part = {"frequency": 0.5, "coverage": None, "authenticity": 1.0, "evidence": None, "rectification": None}
    assert a.score(part) == pytest.approx(100 * (0.5 * 40 + 10) / 50)
    assert a.score({k: None for k in a.COMPONENTS}) is None
    assert sum(a.WEIGHTS.values()) == 100


def test_step_outcomes_on_time_late_open_and_outside_the_period():
    began = a.period_start_instant((D(2025, 6, 1), D(2025, 6, 30)))
    now = a.as_of((D(2025, 6, 1), D(2025, 6, 30)))
    # 7 days allowed: exactly 7 days is on time, a second more is late
    assert a.step_outcome("2025-06-01T00:00:00Z", "2025-06-08T00:00:00Z", 7, now, began) == ("on_time", 7.0)
    assert a.step_outcome("2025-06-01T00:00:00Z", "2025-06-08T00:00:01Z", 7, now, began)[0] == "late"
    assert a.step_outcome("2025-06-20T00:00:00Z", None, 7, now, began) == ("open_overdue", None)
    assert a.step_outcome("2025-06-28T00:00:00Z", None, 7, now, began) == ("open", None)
    # finished after the assessment instant: still open then
    assert a.step_outcome("2025-06-28T00:00:00Z", "2025-07-02T00:00:00Z", 7, now, began) == ("open", None)
    # finished before the period: counted in its own period, not here; started after: not yet
    assert a.step_outcome("2025-05-01T00:00:00Z", "2025-05-03T00:00:00Z", 7, now, began) is None
    assert a.step_outcome("2025-07-01T00:00:00Z", None, 7, now, began) is None
    # started before the period, still open at its end: counted (and overdue)
    assert a.step_outcome("2025-05-01T00:00:00Z", None, 30, now, began) == ("open_overdue", None)
    assert a.step_outcome("2025-06-01T00:00:00Z", None, None, now, began) == ("open", None)


# ------------------------------------------------------------------------------------------ assess
def _inputs() -> a.AssessInputs:
    tasks = _weeks(G1) + _weeks(G2) + _weeks(G3) + [_task(V1, 4, "2025-06-01", "2025-06-30")]
    patrols = [
        # G1: every June week patrolled except the one of 06-23
        *[make_patrol(G1, "张三", f"{d} 09:00") for d in ("2025-06-03", "2025-06-10", "2025-06-17", "2025-07-01")],
        # G2: May's last week and June's first two missed (three in a row), then patrolled
        *[make_patrol(G2, "李四", f"{d} 09:00") for d in ("2025-06-18", "2025-06-25")],
        # G3: all June weeks (and a patrol marked invalid, which does not count)
        *[make_patrol(G3, "王五", f"{d} 09:00") for d in ("2025-05-27", "2025-06-04", "2025-06-11", "2025-06-19",
                                                          "2025-06-24")],
        make_patrol(V1, "赵六", "2025-06-05 10:00", valid=False),
    ]
    cases = [
        # G1: enforcing 06-02, rectified 06-20 (18 days, on time); evidence issued 05-20, evidenced 06-02 (late)
        st.CaseRecord("c1", "closed", "nonagri", "suspect", 100.0, grid_code=G1, detected_at="2025-05-10T00:00:00Z",
                      enforcing_at="2025-06-02T00:00:00Z", rectified_at="2025-06-20T00:00:00Z",
                      closed_at="2025-06-22T00:00:00Z"),
        # G2: enforcing 05-01, never rectified: open and overdue in June; evidence on time in April
        st.CaseRecord("c2", "enforcing", "nonagri", "suspect", 50.0, grid_code=G2,
                      detected_at="2025-04-01T00:00:00Z", enforcing_at="2025-05-01T00:00:00Z"),
        # G3: issued 06-25, not evidenced by the end of June: open, not overdue
        st.CaseRecord("c3", "issued", "nongrain", "suspect", 20.0, grid_code=G3, detected_at="2025-06-24T00:00:00Z"),
    ]
    evidence = {"c1": ("2025-05-20T00:00:00Z", "2025-06-02T00:00:00Z"),
                "c2": ("2025-04-02T00:00:00Z", "2025-04-05T00:00:00Z"),
                "c3": ("2025-06-25T00:00:00Z", None)}
    rates = {G1: GridRates(G1, 1000.0, 800.0, 0, 0, 10, 8), G2: GridRates(G2, 1000.0, 300.0, 0, 0, 10, 3),
             V1: GridRates(V1, 3000.0, 1500.0, 0, 0, 30, 15)}
    tracks = [a.TrackRecord(f"t{i}", G2, f"2025-06-{10 + i:02d}T01:00:00Z", ("driven",), False) for i in range(3)] + [
        a.TrackRecord("t9", G1, "2025-06-10T01:00:00Z", (), True),
        a.TrackRecord("t8", G1, "2025-06-11T01:00:00Z", ("regular_sampling",), True),  # a hint, still flagged
        a.TrackRecord("t7", G1, "2025-06-12T01:00:00Z", None, False),  # never checked
        a.TrackRecord("t6", G1, "2025-05-31T15:00:00Z", (), True),  # 05-31 23:00 Beijing: May
        a.TrackRecord("t5", G1, "2025-06-30T16:30:00Z", ("driven",), False),  # 07-01 in Beijing: July
    ]
    posts = [a.Post(G1, 5, "张三", "13900000001"), a.Post(G2, 5, "李四", "13900000002"),
             a.Post(G3, 5, "王五", "13900000003"), a.Post(V1, 4, "赵六", "13900000004"),
             a.Post(T2 + "00102", 5, vacant=True), a.Post("622921", 2, "县长", "0930")]
    data = st.StatInputs(tasks=tasks, patrols=patrols, cases=cases, rates=rates)
    return a.AssessInputs(data, posts, tracks, evidence)


JUNE = (D(2025, 6, 1), D(2025, 6, 30))


@pytest.fixture(scope="module")
def june() -> a.Result:
    return a.assess(_inputs(), "month", JUNE, now="2025-07-10T00:00:00Z")


def _grid(result, code) -> a.Assessment:
    return next(g for g in result.grids if g.grid_code == code)


def test_frequency_counts_tasks_due_in_the_period(june):
    g1, g2, g3, v1 = (_grid(june, c) for c in (G1, G2, G3, V1))
    # due in June: the weeks ending 06-01, 06-08, 06-15, 06-22, 06-29 (the one ending 07-06 is July's)
    assert (g1.tasks, g1.done, g1.open, g1.overdue) == (5, 3, 0, 2)  # 06-01 (May 26–Jun 1) and 06-23 missed
    assert (g2.tasks, g2.done, g2.overdue) == (5, 2, 3)
    assert (g3.tasks, g3.done, g3.overdue) == (5, 5, 0)
    assert (v1.tasks, v1.done, v1.overdue) == (1, 0, 1)  # its only patrol is invalid
    assert g1.frequency_rate == pytest.approx(3 / 5)
    # the same statuses as the statistics' monthly figures
    month = st.patrols_by_month(_inputs().stats.tasks, _inputs().stats.patrols, JUNE[1], T1, JUNE)
    assert sum(m.done for m in month) == g1.done + g2.done + v1.done


def test_current_period_leaves_tasks_not_due_open():
    mid = a.assess(_inputs(), "month", JUNE, now="2025-06-20T00:00:00Z")
    g1 = _grid(mid, G1)
    assert (g1.tasks, g1.done, g1.open, g1.overdue) == (5, 3, 1, 1)  # the week ending 06-29 is not due yet
    assert mid.as_of == dt.datetime(2025, 6, 20, tzinfo=dt.timezone.utc)


def test_coverage_tracks_and_case_steps(june):
    g1, g2, g3, v1 = (_grid(june, c) for c in (G1, G2, G3, V1))
    assert g1.coverage_rate == pytest.approx(0.8) and g3.coverage_rate is None and v1.coverage_rate == 0.5
    # G1's June tracks: t9 (clean), t8 (hint flag), t7 (unchecked); t6 is May's and t5 July's in Beijing
    assert (g1.tracks, g1.checked, g1.flagged) == (3, 2, 1) and g1.authenticity_rate == 0.5
    assert (g2.tracks, g2.flagged, g2.authenticity_rate) == (3, 3, 0.0)
    assert (g1.rectification.on_time, g1.rectification.mean_days) == (1, pytest.approx(18.0))
    assert (g1.evidence.late, g1.evidence.rate) == (1, 0.0)
    assert (g2.rectification.open_overdue, g2.rectification.rate, g2.evidence.counted) == (1, 0.0, 0)
    assert (g3.evidence.open, g3.evidence.rate) == (1, None)
    # cases count for their own grid only
    assert v1.rectification.counted == 0 and v1.evidence.counted == 0


def test_scores_from_the_documented_weights(june):
    g1, g3, v1 = (_grid(june, c) for c in (G1, G3, V1))
    assert g1.score == pytest.approx(100 * (0.6 * 40 + 0.8 * 30 + 0.5 * 10 + 0 * 10 + 1 * 10) / 100)
    assert g3.score == pytest.approx(100.0)  # frequency only
    # village: frequency 0, coverage 0.5, no track, no case
    assert v1.score == pytest.approx(100 * (0 * 40 + 0.5 * 30) / 70)


def test_vacant_and_county_posts(june):
    vacant = _grid(june, T2 + "00102")
    assert vacant.vacant and vacant.officer is None and vacant.score is None
    assert {o.officer for o in june.officers} == {"张三", "李四", "王五", "赵六", "县长"}
    ranked = {r.assessment.officer for r in june.township_ranking}
    assert "县长" not in ranked and len(ranked) == 4


def test_rankings_and_ties():
    # two groups of T1 with identical figures share the rank; the next one is third
    grids = [G1, G2, T1 + "00103"]
    tasks = [t for g in grids for t in _weeks(g)]
    patrols = [make_patrol(g, "x", f"{d} 09:00") for g in grids[:2] for d in ("2025-06-03", "2025-06-10")]
    posts = [a.Post(g, 5, f"o{i}", str(i)) for i, g in enumerate(grids)] + [a.Post(G3, 5, "w", "9")]
    result = a.assess(a.AssessInputs(st.StatInputs(tasks=tasks, patrols=patrols), posts), "month", JUNE)
    rows = [(r.township, r.rank, r.assessment.grid_code) for r in result.township_ranking]
    assert rows == [(T1, 1, G1), (T1, 1, G2), (T1, 3, T1 + "00103"), (T2, None, G3)]
    counties = [(t.county, t.rank, t.township, t.mean_score) for t in result.county_ranking]
    assert counties[0][:3] == ("622921", 1, T1) and counties[1][:3] == ("622921", None, T2)
    assert counties[0][3] == pytest.approx((40 + 40 + 0) / 3)
    assert a.ranks([3.0, 3.0, 2.0, 2.0, 1.0, None]) == [1, 1, 3, 3, 5, None]


def test_notice_reasons(june):
    got = {(n.reason, n.grid_code): n.items for n in june.notices}
    assert set(got) == {("overdue_tasks", G1), ("overdue_tasks", G2), ("overdue_tasks", V1),
                        ("repeated_failures", G2), ("slow_rectification", G2), ("overdue_evidence", G1)}
    assert got[("overdue_tasks", G1)] == ("2025-05-26~2025-06-01", "2025-06-23~2025-06-29")
    # three weeks in a row, and three flagged tracks
    assert got[("repeated_failures", G2)] == ("2025-05-26~2025-06-01", "2025-06-02~2025-06-08",
                                              "2025-06-09~2025-06-15", "t0", "t1", "t2")
    assert got[("slow_rectification", G2)] == ("c2",)
    assert [n.reason for n in june.notices] == sorted((n.reason for n in june.notices), key=a.REASONS.index)


def test_a_run_before_the_period_alone_is_not_repeated():
    # no patrol at all: of the tasks before July only the last (due 06-29) extends July's overdue task
    tasks = _weeks(G1)
    result = a.assess(a.AssessInputs(st.StatInputs(tasks=tasks), [a.Post(G1, 5, "x")]), "month",
                      (D(2025, 7, 1), D(2025, 7, 31)))
    g1 = result.grids[0]
    assert (g1.tasks, g1.overdue, g1.overdue_run) == (1, 1, 2)
    result = a.assess(a.AssessInputs(st.StatInputs(tasks=tasks[:2]), [a.Post(G1, 5, "x")]), "month",
                      (D(2025, 7, 1), D(2025, 7, 31)))
    assert result.grids[0].overdue_run == 0 and result.notices == []


def test_level_summary_and_unknown_weights(june):
    levels = {s.level: (s.posts, s.tasks, s.done, s.overdue) for s in june.levels}
    assert levels[5] == (4, 15, 10, 5) and levels[4] == (1, 1, 0, 1) and levels[2] == (1, 0, 0, 0)
    with pytest.raises(a.AssessmentError):
        a.assess(_inputs(), "month", JUNE, weights={"speed": 1})
