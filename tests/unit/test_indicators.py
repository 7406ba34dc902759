"""core/reports/indicators.py on hand-made inputs: township values checked against sums written out by hand, class
breaks against brute force (every partition of a small sample) and hand-worked quantiles."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from linxia_tianguan_plugin.core.patrol.coverage import GridRates
from linxia_tianguan_plugin.core.reports import indicators as ind
from linxia_tianguan_plugin.core.reports import statistics as st

T1, T2, T3 = "622921001", "622921002", "622921003"
MU = 10000.0 / 15.0


def _case(n: int, township: str, category: str, area: float, state: str = "pending", **times) -> st.CaseRecord:
    return st.CaseRecord(f"C{n}", state, "nonagri", category, area, grid_code=township + "00100101",
                         detected_at="2025-06-01T02:00:00Z", **times)


CASES = [
    _case(1, T1, "suspect", 2 * MU),
    _case(2, T1, "verify", 1 * MU),
    _case(3, T1, "approved", 50 * MU),  # lawful: not a problem case
    _case(4, T2, "facility", 7 * MU),  # lawful
    _case(5, T2, "suspect", 0.5 * MU, "closed", enforcing_at="2025-06-02T00:00:00Z",
          rectified_at="2025-06-05T00:00:00Z", closed_at="2025-06-06T00:00:00Z"),
    _case(6, T2, "approved", 1 * MU, "enforcing", enforcing_at="2025-06-02T00:00:00Z"),
    _case(7, T1, "verify", 3 * MU, "rectified", enforcing_at="2025-06-02T00:00:00Z",
          rectified_at="2025-06-03T00:00:00Z"),
]
TODAY = dt.date(2025, 6, 30)


def test_problem_categories_are_the_not_lawful_ones():
    assert set(ind.PROBLEM_CATEGORIES) == {"suspect", "verify"}
    assert [c.case_id for c in ind.problem_cases(CASES)] == ["C1", "C2", "C5", "C7"]


def test_case_count_and_area_count_problem_cases_only_and_list_empty_townships_as_zero():
    inputs = st.StatInputs(cases=CASES)
    counts = ind.values(inputs, "cases", TODAY, townships=[T1, T2, T3])
    assert counts == {T1: 3.0, T2: 1.0, T3: 0.0}
    area = ind.values(inputs, "lost_area", TODAY, townships=[T1, T2, T3])
    assert area == pytest.approx({T1: 6.0, T2: 0.5, T3: 0.0})


def test_rectification_rate_counts_every_case_that_entered_enforcement():
    rates = ind.values(st.StatInputs(cases=CASES), "rectification", TODAY, townships=[T1, T2, T3])
    # T1: C7 rectified of 1; T2: C5 rectified, C6 still enforcing -> 1 of 2; T3: nothing to rectify
    assert rates == {T1: 100.0, T2: 50.0, T3: None}


def test_period_and_prefix_filter_the_cases():
    late = st.CaseRecord("C9", "pending", "nonagri", "suspect", MU, grid_code=T3 + "00100101",
                         detected_at="2025-07-03T02:00:00Z")
    inputs = st.StatInputs(cases=[*CASES, late])
    assert ind.values(inputs, "cases", TODAY, period=("2025-06-01", "2025-06-30")) == {T1: 3.0, T2: 1.0}
    assert ind.values(inputs, "cases", TODAY, prefix=T3) == {T3: 1.0}


def test_coverage_is_the_township_rows_rate_in_percent():
    rates = {T1: GridRates(T1, 400.0, 100.0, 0.0, 0.0, 4, 1), T2: GridRates(T2, 0.0, 0.0, 0.0, 0.0, 0, 0),
             T1 + "001": GridRates(T1 + "001", 400.0, 400.0, 0.0, 0.0, 4, 4), "622921": GridRates("622921", 1, 1, 0, 0,
                                                                                                 1, 1)}
    got = ind.values(st.StatInputs(rates=rates), "coverage", TODAY, townships=[T1, T2, T3])
    assert got == {T1: 25.0, T2: None, T3: None}  # villages and the county are not townships


def test_inputs_for_keeps_only_what_the_figures_need():
    inputs = st.StatInputs(cases=CASES, officers=[st.OfficerRecord(5, T1 + "00101")],
                           farmland=[st.FarmlandRow(T1, 1.0, 1.0)], names={T1: "x"})
    sub = ind.inputs_for(inputs, "lost_area")
    assert sub.officers == [] and sub.farmland == [] and sub.names == {T1: "x"}
    assert [c.case_id for c in sub.cases] == ["C1", "C2", "C5", "C7"]
    assert len(ind.inputs_for(inputs, "rectification").cases) == len(CASES)
    with pytest.raises(ValueError):
        ind.inputs_for(inputs, "nope")


# ---------------------------------------------------------------------------------------- classes
def test_quantile_breaks_take_the_value_at_each_rank():
    values = list(range(1, 11))  # ranks ceil(2), ceil(4), ceil(6), ceil(8), 10
    assert ind.quantile_breaks(values, 5) == [2, 4, 6, 8, 10]
    assert ind.quantile_breaks([5, 1, None, 3], 5) == [1, 3, 5]  # fewer values than classes
    assert ind.quantile_breaks([0, 0, 0, 0, 0, 0, 1, 4], 4) == [0, 4]  # repeated zeros merge classes
    assert ind.quantile_breaks([], 5) == [] and ind.quantile_breaks([None], 5) == []
    assert ind.quantile_breaks([7.0, 7.0], 5) == [7.0]


def _brute_force_jenks(values, k):
    """Least total squared deviation over every way of cutting the sorted values into k runs."""
    v = sorted(values)
    best, best_cuts = None, None
    for cuts in itertools.combinations(range(1, len(v)), k - 1):
        if any(v[c] == v[c - 1] for c in cuts):
            continue
        bounds = (0, *cuts, len(v))
        cost = 0.0
        for a, b in zip(bounds, bounds[1:]):
            part = v[a:b]
            mean = sum(part) / len(part)
            cost += sum((x - mean) ** 2 for x in part)
        if best is None or cost < best - 1e-12:
            best, best_cuts = cost, bounds
    return [v[b - 1] for b in best_cuts[1:]]


@pytest.mark.parametrize("values,k", [
    ([1, 2, 3, 10, 11, 12, 30, 31, 50, 52, 53], 5),
    ([0.5, 0.7, 3.2, 3.3, 3.9, 8.0, 8.1, 15.0, 15.5, 40.2], 4),
    ([4, 4, 4, 9, 9, 1, 1, 20, 21, 22, 23], 5),
    ([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7], 3),
])
def test_jenks_breaks_equal_the_brute_force_optimum(values, k):
    assert ind.jenks_breaks(values, k) == _brute_force_jenks(values, k)


def test_jenks_with_few_distinct_values_gives_one_class_per_value():
    assert ind.jenks_breaks([2, 2, 5, 5, 5], 5) == [2, 5]
    assert ind.class_breaks([3, 3, 3], 5, "jenks") == [3]
    with pytest.raises(ValueError):
        ind.class_breaks([1, 2], 5, "equal")


def test_class_ranges_cover_every_value_exactly_once():
    values = {f"T{i}": v for i, v in enumerate([0, 0, 0, 1, 2, 2, 5, 9, 12, None])}
    ranges = ind.class_ranges(values.values(), 5, "quantile")
    assert ranges[0] == (0, 0)  # the first class holds exactly the smallest value when it is its own bound
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    counts = ind.class_counts(values, ranges)
    assert sum(counts) == 9 and all(counts)
    assert ind.class_index(None, ranges) is None and ind.class_index(100, ranges) is None
    assert ind.class_index(5, ranges) == next(k for k, (lo, hi) in enumerate(ranges) if lo < 5 <= hi)
    spans = ind.class_spans(values, ranges)
    assert spans == [(0, 0), (1, 1), (2, 2), (5, 9), (12, 12)]
    assert ind.class_spans([1, 2, 10], [(0, 0), (0, 5), (5, 10)]) == [None, (1, 2), (10, 10)]
    for method in ind.METHODS:
        r = ind.class_ranges([1.5, 2.5, 9.75, 10.0, 33.3, 40.1, 41.0, 80.0], 5, method)
        assert len(r) == 5 and r[0][0] == 1.5 and r[-1][1] == 80.0
