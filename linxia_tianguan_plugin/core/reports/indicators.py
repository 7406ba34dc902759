"""Township indicators of the statistics maps (统计专题图) and their classes.

Pure functions (no Qt, no QGIS, no database). Every value is taken from :mod:`.statistics` — the one place
the dashboard, the maps and the assessment get their figures — and only picked per township and put in the
unit the map shows:

- ``coverage``: patrol coverage of farmland, % (:attr:`..core.patrol.coverage.GridRates.rate` of the township
  rows of :attr:`.statistics.Figures.coverage`, i.e. the persisted coverage run's own numbers); no run for a
  township → no value.
- ``cases``: problem change cases (预判 疑似违法 and 需外业核实 — the categories of :mod:`.prejudge` that are
  not lawful), count (:attr:`.statistics.TownshipRank.cases` of the figures of the problem cases); a township
  without one → 0.
- ``lost_area``: area of those cases, 亩 (:attr:`.statistics.TownshipRank.area_m2`, the figure the dashboard's
  ranking by area shows); a township without one → 0.
- ``rectification``: rectification rate, % of the cases that entered 执行中 which have been rectified (on time or
  late, :class:`.statistics.Timeliness`) — all cases, since a case judged lawful in the office can still turn
  out to need enforcement; no case to rectify → no value.

Class breaks (5 classes by default) are quantiles (nearest rank, so a break is always a value that occurs: counts
stay whole numbers) or Jenks natural breaks (Fisher's exact optimisation). Labels and colours are the
processing layer's business.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from ..cases.prejudge import CATEGORIES, LAWFUL
from . import statistics as st

INDICATORS = ("coverage", "cases", "lost_area", "rectification")
#: unit of each indicator's values: ``percent`` (0–100), ``count`` or ``mu`` (亩)
UNITS = {"coverage": "percent", "cases": "count", "lost_area": "mu", "rectification": "percent"}
#: 预判 categories counted as problem cases: 疑似违法, 需外业核实
PROBLEM_CATEGORIES = tuple(c for c in CATEGORIES if c not in LAWFUL)
METHODS = ("quantile", "jenks")
CLASSES = 5


def _check(indicator: str) -> None:
    if indicator not in INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r} (one of {', '.join(INDICATORS)})")


def problem_cases(cases: Iterable[st.CaseRecord]) -> list[st.CaseRecord]:
    """The cases whose pre-judgement is not lawful (疑似违法, 需外业核实)."""
    return [c for c in cases if c.category in PROBLEM_CATEGORIES]


def inputs_for(inputs: st.StatInputs, indicator: str) -> st.StatInputs:
    """The part of ``inputs`` the indicator's figures need (no tasks, patrols or roster: they cost time and
    none of the map's indicators reads them); for ``cases`` and ``lost_area`` only the problem cases."""
    _check(indicator)
    cases = problem_cases(inputs.cases) if indicator in ("cases", "lost_area") else list(inputs.cases)
    return replace(inputs, tasks=[], patrols=[], officers=[], farmland=[], cases=cases)


def township_values(figures: st.Figures, indicator: str, townships: Iterable[str] = ()) -> dict[str, float | None]:
    """Township code → the indicator's value (unit :data:`UNITS`) from ``figures``, for every township that
    has a figure and every one of ``townships``: counts and areas of townships without a case are 0,
    rates without a basis are None. ``figures`` must be computed from :func:`inputs_for` (problem cases for
    ``cases`` and ``lost_area``)."""
    _check(indicator)
    out: dict[str, float | None] = {}
    if indicator == "coverage":
        for row in figures.coverage:
            rate = row.rate
            out[row.code] = None if rate is None else 100.0 * rate
        missing = None
    elif indicator in ("cases", "lost_area"):
        for row in figures.ranking["count"]:
            out[row.township] = float(row.cases) if indicator == "cases" else st.mu(row.area_m2)
        missing = 0.0
    else:
        for row in figures.timeliness:
            done = row.on_time + row.late
            out[row.township] = 100.0 * done / row.required if row.required else None
        missing = None
    for code in townships:
        out.setdefault(str(code), missing)
    return dict(sorted(out.items()))


def values(inputs: st.StatInputs, indicator: str, today, prefix: str = "", period=None,
           townships: Iterable[str] = (), deadlines=None) -> dict[str, float | None]:
    """:func:`township_values` of :func:`.statistics.figures` over :func:`inputs_for` — what the map shows."""
    figures = st.figures(inputs_for(inputs, indicator), today, prefix, period, deadlines=deadlines)
    return township_values(figures, indicator, townships)


# ---------------------------------------------------------------------------------------- classes
def _clean(values: Iterable[float | None]) -> list[float]:
    out = []
    for v in values:
        if v is None:
            continue
        v = float(v)
        if not math.isnan(v):
            out.append(v)
    return sorted(out)


def quantile_breaks(values: Iterable[float | None], classes: int = CLASSES) -> list[float]:
    """Upper bounds of ``classes`` quantile classes (nearest rank: the value at rank ⌈i·n/k⌉), ascending and
    distinct, so that a class may come out empty only by being merged; fewer bounds when values repeat."""
    v = _clean(values)
    if not v:
        return []
    k = max(1, int(classes))
    n = len(v)
    bounds = [v[max(0, math.ceil(i * n / k) - 1)] for i in range(1, k)] + [v[-1]]
    return sorted(set(bounds))


def jenks_breaks(values: Iterable[float | None], classes: int = CLASSES) -> list[float]:
    """Upper bounds of Jenks natural-breaks classes: the partition of the sorted values into at most
    ``classes`` runs with the least sum of squared deviations from the run means (Fisher's dynamic
    programme, exact; O(k·n²), for the hundred or so townships of a prefecture)."""
    v = _clean(values)
    if not v:
        return []
    distinct = sorted(set(v))
    k = max(1, min(int(classes), len(distinct)))
    if k == len(distinct):
        return distinct
    n = len(v)
    # prefix sums for the squared deviation of v[i:j]
    s1, s2 = [0.0], [0.0]
    for x in v:
        s1.append(s1[-1] + x)
        s2.append(s2[-1] + x * x)

    def ssd(i: int, j: int) -> float:  # v[i:j], j > i
        total = s1[j] - s1[i]
        return (s2[j] - s2[i]) - total * total / (j - i)

    inf = float("inf")
    # cost[c][j]: best cost of v[:j] in c + 1 classes; cut[c][j]: start of the last class
    cost = [[inf] * (n + 1) for _ in range(k)]
    cut = [[0] * (n + 1) for _ in range(k)]
    for j in range(1, n + 1):
        cost[0][j] = ssd(0, j)
    for c in range(1, k):
        for j in range(c + 1, n + 1):
            best, at = inf, c
            for i in range(c, j):
                if v[i] == v[i - 1]:
                    continue  # a class boundary never splits equal values
                candidate = cost[c - 1][i] + ssd(i, j)
                if candidate < best:
                    best, at = candidate, i
            cost[c][j], cut[c][j] = best, at
    classes_used = k
    while classes_used > 1 and cost[classes_used - 1][n] == inf:
        classes_used -= 1
    bounds, j = [], n
    for c in range(classes_used - 1, 0, -1):
        i = cut[c][j]
        bounds.append(v[j - 1])
        j = i
    bounds.append(v[j - 1])
    return sorted(set(bounds))


def class_breaks(values: Iterable[float | None], classes: int = CLASSES, method: str = "quantile") -> list[float]:
    """Upper bounds of the classes (ascending, distinct; None values left out) by ``method``."""
    if method == "quantile":
        return quantile_breaks(values, classes)
    if method == "jenks":
        return jenks_breaks(values, classes)
    raise ValueError(f"unknown classification {method!r} (one of {', '.join(METHODS)})")


def class_ranges(values: Iterable[float | None], classes: int = CLASSES,
                 method: str = "quantile") -> list[tuple[float, float]]:
    """(lower, upper) of each class: the first starts at the smallest value (and holds exactly it when its
    upper bound is that value), each next one at the previous upper bound, exclusive. A value belongs to the
    first class whose range holds it (lower ≤ v ≤ upper), as QGIS's graduated renderer decides."""
    v = _clean(values)
    bounds = class_breaks(v, classes, method)
    if not bounds:
        return []
    lowers = [v[0], *bounds[:-1]]
    return list(zip(lowers, bounds))


def class_index(value: float | None, ranges: Sequence[tuple[float, float]]) -> int | None:
    """The class (0-based) of ``value``, or None (no value, or outside every range)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    for k, (lower, upper) in enumerate(ranges):
        if lower <= value <= upper:
            return k
    return None


def class_spans(values: Mapping[str, float | None] | Iterable[float | None],
                ranges: Sequence[tuple[float, float]]) -> list[tuple[float, float] | None]:
    """The smallest and largest value in each class (None for an empty class): what a legend should say,
    since a class's lower bound belongs to the class before it."""
    items = values.values() if isinstance(values, Mapping) else values
    spans: list[list[float] | None] = [None] * len(ranges)
    for v in items:
        k = class_index(v, ranges)
        if k is None:
            continue
        span = spans[k]
        spans[k] = [v, v] if span is None else [min(span[0], v), max(span[1], v)]
    return [None if s is None else (float(s[0]), float(s[1])) for s in spans]


def class_counts(values: Mapping[str, float | None] | Iterable[float | None],
                 ranges: Sequence[tuple[float, float]]) -> list[int]:
    """How many values fall in each class."""
    items = values.values() if isinstance(values, Mapping) else values
    counts = [0] * len(ranges)
    for v in items:
        k = class_index(v, ranges)
        if k is not None:
            counts[k] += 1
    return counts


__all__ = ["INDICATORS", "UNITS", "PROBLEM_CATEGORIES", "METHODS", "CLASSES", "problem_cases", "inputs_for",
           "township_values", "values", "quantile_breaks", "jenks_breaks", "class_breaks", "class_ranges",
           "class_index", "class_spans", "class_counts"]
