"""Statistics of the 田管库: the one place every figure of the dashboard (领导田管驾驶舱), the statistics
maps and the assessment comes from, so that they all show the same numbers.

Pure functions over plain records (dataclasses, dicts, tuples) and numpy: no Qt, no QGIS, no database.
``storage/statistics.py`` reads a store into :class:`StatInputs`; the functions here only compute.

Common conventions, and why:

- Every figure takes ``prefix`` (a county's 6 or a township's 9 digits; '' for the prefecture) and, where
  time matters, ``period`` = (first day, last day), Beijing (Asia/Shanghai) calendar dates, both ends
  inclusive, ``None`` for all time. Codes are grouped by township = their first 9 digits (州/县 grids
  stand for themselves, as :func:`..core.patrol.tasks.township_of`).
- A task belongs to the month of its **due day** (``period_end``): a weekly task running over a month
  end is counted in the month it falls due, the month the assessment asks about it. The period filter
  uses the same day. Its status (已完成/未完成/已过期) is :func:`..core.patrol.tasks.statuses`, never re-derived.
- A case belongs to the period of its detection (``detected_at``, Beijing date). Closure days are
  ``closed_at − detected_at`` in days (24 h), from the case's events.
- Inputs may be per item or already aggregated (a ``count`` field, or farmland rows per township): the
  storage aggregates in SQL, unit tests pass single items; both go through the same code.
- Rows come back sorted deterministically (township code, then level/month/state …), rankings by their
  figure with ties broken by code.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..cases import workflow
from ..patrol import tasks as task_rules

if TYPE_CHECKING:  # the coverage rows are patrol_coverage's own; only their type is named here
    from ..patrol.coverage import GridRates

#: 临夏州 red lines (耕地保有量 369.51 万亩, 永久基本农田保护面积 304.85 万亩)
PREFECTURE_FARMLAND_MU = 3_695_100
PREFECTURE_BASIC_MU = 3_048_500
M2_PER_MU = 10000.0 / 15.0
DAY_S = 86400.0

RANK_BY = ("count", "area", "closure_days")


def township(code: str) -> str:
    return task_rules.township_of(code)


def mu(m2: float) -> float:
    return float(m2) / M2_PER_MU


def _under(code: str | None, prefix: str) -> bool:
    return not prefix or str(code or "").startswith(prefix)


def _period(period) -> tuple[dt.date, dt.date] | None:
    if period is None:
        return None
    first, last = period
    first = task_rules.as_date(first) if first not in (None, "") else dt.date.min
    last = task_rules.as_date(last) if last not in (None, "") else dt.date.max
    return first, last


def _within(day: dt.date, period: tuple[dt.date, dt.date] | None) -> bool:
    return period is None or period[0] <= day <= period[1]


def as_of(today) -> dt.datetime:
    """The instant figures are computed at: a date alone means its end (23:59:59 Beijing time)."""
    if isinstance(today, dt.date) and not isinstance(today, dt.datetime):
        return task_rules.parse_instant(dt.datetime.combine(today, dt.time(23, 59, 59)))
    return task_rules.parse_instant(today)


def _seconds(later: str, earlier: str) -> float:
    return (task_rules.parse_instant(later) - task_rules.parse_instant(earlier)).total_seconds()


# ---------------------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class OfficerRecord:
    """One roster row (or ``count`` identical ones): level 1..5, grid, role, vacant."""

    level: int
    grid_code: str
    role: str = "officer"
    vacant: bool = False
    count: int = 1


@dataclass(frozen=True)
class CaseRecord:
    """A case with the times its events give: when it entered its current state, first entered
    ``enforcing``, was first reported ``rectified`` and was ``closed`` (UTC text or None)."""

    case_id: str
    state: str
    kind: str
    category: str
    area_m2: float
    basic_m2: float = 0.0
    farmland_m2: float = 0.0
    grid_code: str = ""
    detected_at: str = ""
    entered_at: str | None = None
    enforcing_at: str | None = None
    rectified_at: str | None = None
    closed_at: str | None = None

    @property
    def township(self) -> str:
        return township(self.grid_code or "")


@dataclass(frozen=True)
class CaseTimes:
    entered_at: str | None = None
    enforcing_at: str | None = None
    rectified_at: str | None = None
    closed_at: str | None = None


def case_times(events: Iterable[Mapping]) -> dict[str, CaseTimes]:
    """case_id → :class:`CaseTimes` from ``tg_case_event`` rows (case_id, at, to_state; ``event_id`` orders
    them when present, else the given order): the last event's time, the first entry into enforcing,
    rectified and closed."""
    rows = list(events)
    if rows and all("event_id" in r for r in rows):
        rows.sort(key=lambda r: r["event_id"])
    out: dict[str, dict[str, str | None]] = {}
    for r in rows:
        times = out.setdefault(str(r["case_id"]), {})
        times["entered_at"] = r["at"]
        key = {workflow.ENFORCING: "enforcing_at", workflow.RECTIFIED: "rectified_at",
               workflow.CLOSED: "closed_at"}.get(r["to_state"])
        if key and not times.get(key):
            times[key] = r["at"]
    return {k: CaseTimes(**v) for k, v in out.items()}


def with_times(cases: Iterable[CaseRecord], events: Iterable[Mapping]) -> list[CaseRecord]:
    """Cases with their event times filled in from raw event rows."""
    from dataclasses import replace

    times = case_times(events)
    return [replace(c, **vars(times[c.case_id])) if c.case_id in times else c for c in cases]


@dataclass(frozen=True)
class FarmlandRow:
    """Farmland of a code (a parcel, or a township when aggregated): 耕地 and 永久基本农田 m²."""

    code: str
    farmland_m2: float
    basic_m2: float
    parcels: int = 1


@dataclass
class TaskTable:
    """Tasks as columns (a prefecture's year is a million of them): grid code as an integer, first and
    last day of the period as day numbers (days since 1970-01-01, Shanghai calendar) and the due instant
    in epoch seconds. What :func:`patrols_by_month` needs, read without making a Python object per task."""

    grid: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    due: np.ndarray

    def __len__(self) -> int:
        return len(self.grid)


@dataclass
class PatrolDays:
    """Valid patrols as columns: grid code as an integer and the Shanghai day number of their start."""

    grid: np.ndarray
    day: np.ndarray


def day_number(day) -> int:
    """Days since 1970-01-01 of a date (or ISO date text)."""
    return (task_rules.as_date(day) - dt.date(1970, 1, 1)).days


def township_numbers(codes: np.ndarray) -> np.ndarray:
    """:func:`township` of integer grid codes: the first 9 digits (州/县 codes stand for themselves)."""
    codes = np.asarray(codes, np.int64)
    digits = np.floor(np.log10(np.maximum(codes, 1))).astype(np.int64) + 1
    return codes // np.power(np.int64(10), np.maximum(digits - 9, 0))


@dataclass
class StatInputs:
    """Everything the figures need, as read by ``storage/statistics.load``. Tasks and patrols come either
    as rows (``tasks``/``patrols``: what the assessment needs) or as columns (``task_table``/``patrol_days``:
    what the dashboard reads for a whole prefecture); the figures are the same either way."""

    tasks: list = field(default_factory=list)  # core.patrol.tasks.Task
    patrols: task_rules.PatrolIndex | list = field(default_factory=list)
    task_table: TaskTable | None = None
    patrol_days: PatrolDays | None = None
    officers: list[OfficerRecord] = field(default_factory=list)
    cases: list[CaseRecord] = field(default_factory=list)
    farmland: list[FarmlandRow] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    rates: dict = field(default_factory=dict)  # core.patrol.coverage.GridRates by code, when computed


# ---------------------------------------------------------------------------------------- patrols
@dataclass(frozen=True)
class MonthPatrols:
    month: str  # YYYY-MM of the due day
    township: str
    tasks: int
    done: int
    undone: int  # 未完成: open, not due yet
    overdue: int

    @property
    def done_rate(self) -> float | None:
        return self.done / self.tasks if self.tasks else None


def patrols_by_month(tasks: Sequence, patrols, today, prefix: str = "", period=None) -> list[MonthPatrols]:
    """Tasks per due month and township with their status as of ``today`` (a date: its end in Beijing,
    or an instant), counted by :func:`..core.patrol.tasks.statuses`."""
    span = _period(period)
    chosen = [t for t in tasks if _under(t.grid_code, prefix) and _within(task_rules.as_date(t.period_end), span)]
    now = as_of(today)
    counts: dict[tuple[str, str], list[int]] = {}
    for task, status in zip(chosen, task_rules.statuses(chosen, patrols, now)):
        row = counts.setdefault((str(task.period_end)[:7], task.township), [0, 0, 0])
        row[(task_rules.DONE, task_rules.OPEN, task_rules.OVERDUE).index(status)] += 1
    return [MonthPatrols(m, t, sum(v), v[0], v[1], v[2]) for (m, t), v in sorted(counts.items())]


def patrols_by_month_table(table: TaskTable, patrols: PatrolDays, today, prefix: str = "",
                           period=None) -> list[MonthPatrols]:
    """:func:`patrols_by_month` of tasks and patrols as columns (:func:`..core.patrol.tasks.status_codes`, the same
    rule): the prefecture's year in a fraction of a second instead of a Python object per task."""
    keep = np.ones(len(table), bool)
    if prefix:
        digits = np.floor(np.log10(np.maximum(table.grid, 1))).astype(np.int64) + 1
        cut = np.power(np.int64(10), np.maximum(digits - len(prefix), 0))
        keep &= (digits >= len(prefix)) & (table.grid // cut == int(prefix))
    span = _period(period)
    if span is not None:
        if span[0] > dt.date.min:
            keep &= table.last_day >= day_number(span[0])
        if span[1] < dt.date.max:
            keep &= table.last_day <= day_number(span[1])
    grid, first, last, due = table.grid[keep], table.first_day[keep], table.last_day[keep], table.due[keep]
    if not len(grid):
        return []
    status = task_rules.status_codes(grid, first, last, due, patrols.grid, patrols.day, as_of(today).timestamp())
    months = last.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    keys = months * np.int64(10**10) + township_numbers(grid)
    uniq, inverse = np.unique(keys, return_inverse=True)
    counts = np.zeros((len(uniq), 3), np.int64)
    np.add.at(counts, (inverse, status.astype(np.int64)), 1)
    out = []
    for key, row in zip(uniq.tolist(), counts.tolist()):
        month = str(np.datetime64(key // 10**10, "M"))
        out.append(MonthPatrols(month, str(key % 10**10), sum(row), row[0], row[1], row[2]))
    return sorted(out, key=lambda r: (r.month, r.township))


# ---------------------------------------------------------------------------------------- officers
@dataclass(frozen=True)
class OfficerCount:
    level: int
    level_name: str  # 州县乡村社
    township: str
    grids: int  # posts (officer role) in the roster, filled or vacant
    officers: int  # filled officer posts
    assistants: int
    vacancies: int


def officer_counts(officers: Iterable[OfficerRecord], prefix: str = "") -> list[OfficerCount]:
    """Officers (filled posts), assistants and vacancies per level and township, by level then township."""
    counts: dict[tuple[int, str], list[int]] = {}
    for o in officers:
        if not _under(o.grid_code, prefix):
            continue
        row = counts.setdefault((int(o.level), township(o.grid_code)), [0, 0, 0, 0])
        n = int(o.count)
        if o.vacant:
            row[3] += n
        elif o.role == "assistant":
            row[2] += n
        else:
            row[1] += n
        if o.role != "assistant":
            row[0] += n
    return [OfficerCount(lv, task_rules.LEVEL_NAMES_ZH.get(lv, str(lv)), t, *v)
            for (lv, t), v in sorted(counts.items())]


# ---------------------------------------------------------------------------------------- cases
def _cases(cases: Iterable[CaseRecord], prefix: str, period) -> list[CaseRecord]:
    span = _period(period)
    return [c for c in cases if _under(c.grid_code, prefix)
            and (span is None or (c.detected_at and _within(task_rules.local_date(c.detected_at), span)))]


@dataclass(frozen=True)
class CaseClassCount:
    state: str
    state_name: str
    kind: str
    category: str
    cases: int
    area_m2: float
    basic_m2: float

    @property
    def area_mu(self) -> float:
        return mu(self.area_m2)


def _state_order(state: str) -> int:
    return workflow.STATES.index(state) if state in workflow.STATES else len(workflow.STATES)


def cases_by_state_and_class(cases: Iterable[CaseRecord], prefix: str = "", period=None) -> list[CaseClassCount]:
    """Cases, area and 永久基本农田 area per state (workflow order), kind and category."""
    sums: dict[tuple[str, str, str], list[float]] = {}
    for c in _cases(cases, prefix, period):
        row = sums.setdefault((c.state, c.kind, c.category), [0, 0.0, 0.0])
        row[0] += 1
        row[1] += float(c.area_m2 or 0.0)
        row[2] += float(c.basic_m2 or 0.0)
    keys = sorted(sums, key=lambda k: (_state_order(k[0]), k))
    return [CaseClassCount(s, workflow.STATE_NAMES.get(s, s), k, cat, int(sums[(s, k, cat)][0]),
                           sums[(s, k, cat)][1], sums[(s, k, cat)][2]) for s, k, cat in keys]


@dataclass(frozen=True)
class TownshipRank:
    rank: int
    township: str
    cases: int
    area_m2: float
    closed: int
    closure_days: float | None  # mean over closed cases
    value: float | None  # the figure ranked by


def township_ranking(cases: Iterable[CaseRecord], by: str = "count", prefix: str = "",
                     period=None) -> list[TownshipRank]:
    """Townships ranked by cases (``count``), case area (``area``) or mean closure days (``closure_days``),
    largest first (the most cases, the most area, the slowest closure head the list); ties share the
    rank (1, 1, 3) and are listed by township code; townships without a value (no closed case) come last."""
    if by not in RANK_BY:
        raise ValueError(f"unknown ranking {by!r} (one of {', '.join(RANK_BY)})")
    groups: dict[str, list] = {}
    for c in _cases(cases, prefix, period):
        g = groups.setdefault(c.township, [0, 0.0, []])
        g[0] += 1
        g[1] += float(c.area_m2 or 0.0)
        if c.closed_at and c.detected_at:
            g[2].append(max(0.0, _seconds(c.closed_at, c.detected_at)) / DAY_S)
    rows = []
    for code, (n, area, days) in groups.items():
        mean = sum(days) / len(days) if days else None
        value = {"count": float(n), "area": area, "closure_days": mean}[by]
        rows.append((code, n, area, len(days), mean, value))
    rows.sort(key=lambda r: (r[5] is None, -(r[5] or 0.0), r[0]))
    out, rank, last = [], 0, object()
    for i, r in enumerate(rows):
        if r[5] != last:
            rank, last = i + 1, r[5]
        out.append(TownshipRank(rank, *r))
    return out


@dataclass(frozen=True)
class Timeliness:
    """Rectification of one township: cases that had to be rectified (entered 执行中)."""

    township: str
    required: int
    on_time: int  # rectified (or closed) within the enforcing deadline
    late: int  # rectified after it
    open_on_time: int
    open_overdue: int  # not rectified and past the deadline
    overdue_open_cases: int  # open cases of any state past their current state's deadline

    @property
    def on_time_share(self) -> float | None:
        """on_time / (on_time + late + open_overdue): the cases whose outcome is known, or should be."""
        due = self.on_time + self.late + self.open_overdue
        return self.on_time / due if due else None


def rectification_timeliness(cases: Iterable[CaseRecord], now, deadlines: workflow.Deadlines | None = None,
                             prefix: str = "", period=None) -> list[Timeliness]:
    """Per township: of the cases that entered 执行中, how many were rectified (first 已整改, else 已结案)
    within ``deadlines.enforcing`` days of first entering it, late, or are still open (overdue or not); and
    open cases of any state past their state's deadline (:func:`..core.cases.workflow.is_overdue`).
    ``now`` is an instant, or a date meaning its end in Beijing time."""
    deadlines = deadlines or workflow.DEFAULT_DEADLINES
    now_text = task_rules.format_utc(as_of(now))
    days = deadlines.days(workflow.ENFORCING)
    allowed = None if days is None else days * DAY_S
    groups: dict[str, list[int]] = {}
    for c in _cases(cases, prefix, period):
        g = groups.setdefault(c.township, [0, 0, 0, 0, 0, 0])
        if c.state not in workflow.TERMINAL_STATES and c.entered_at and workflow.is_overdue(
                c.state, task_rules.format_utc(task_rules.parse_instant(c.entered_at)), now_text, deadlines):
            g[5] += 1
        if not c.enforcing_at:
            continue
        g[0] += 1
        done = c.rectified_at or c.closed_at
        if done:
            g[1 if allowed is None or _seconds(done, c.enforcing_at) <= allowed else 2] += 1
        else:
            g[4 if allowed is not None and _seconds(now_text, c.enforcing_at) > allowed else 3] += 1
    return [Timeliness(t, *v) for t, v in sorted(groups.items())]


# ---------------------------------------------------------------------------------------- farmland
@dataclass(frozen=True)
class FarmlandFigure:
    township: str
    parcels: int
    farmland_m2: float
    basic_m2: float
    farmland_mu: float
    basic_mu: float
    target_farmland_mu: float | None = None
    target_basic_mu: float | None = None

    @property
    def farmland_gap_mu(self) -> float | None:
        """Above (+) or below (−) the target."""
        return None if self.target_farmland_mu is None else self.farmland_mu - self.target_farmland_mu

    @property
    def basic_gap_mu(self) -> float | None:
        return None if self.target_basic_mu is None else self.basic_mu - self.target_basic_mu

    @property
    def meets_targets(self) -> bool | None:
        gaps = [g for g in (self.farmland_gap_mu, self.basic_gap_mu) if g is not None]
        return None if not gaps else all(g >= 0 for g in gaps)


def farmland_by_township(parcels: Iterable[FarmlandRow | tuple], targets: Mapping[str, tuple] | None = None,
                         prefix: str = "") -> list[FarmlandFigure]:
    """耕地 and 永久基本农田 (m² and 亩) per township from parcel rows or per-township rows (code, farmland_m2,
    basic_m2[, parcels]); ``targets`` maps a township to (farmland 亩, basic 亩) targets (None for none).
    Townships with a target but no parcel are listed with zeros."""
    sums: dict[str, list[float]] = {}
    for p in parcels:
        row = p if isinstance(p, FarmlandRow) else FarmlandRow(*p)
        if not _under(row.code, prefix):
            continue
        s = sums.setdefault(township(row.code), [0, 0.0, 0.0])
        s[0] += int(row.parcels)
        s[1] += float(row.farmland_m2 or 0.0)
        s[2] += float(row.basic_m2 or 0.0)
    targets = dict(targets or {})
    for code in targets:
        if _under(code, prefix):
            sums.setdefault(code, [0, 0.0, 0.0])
    out = []
    for code, (n, farm, basic) in sorted(sums.items()):
        target = tuple(targets.get(code) or (None, None)) + (None, None)
        out.append(FarmlandFigure(code, int(n), farm, basic, mu(farm), mu(basic),
                                  None if target[0] is None else float(target[0]),
                                  None if target[1] is None else float(target[1])))
    return out


@dataclass(frozen=True)
class TrendYear:
    year: int
    farmland_mu: float
    basic_mu: float
    farmland_change_mu: float | None  # against the previous year given
    basic_change_mu: float | None
    farmland_margin_mu: float | None  # above (+) or below (−) the red line
    basic_margin_mu: float | None

    @property
    def above_red_lines(self) -> bool | None:
        margins = [m for m in (self.farmland_margin_mu, self.basic_margin_mu) if m is not None]
        return None if not margins else all(m >= 0 for m in margins)


def _totals_mu(totals) -> tuple[float, float]:
    if isinstance(totals, Mapping):
        if "farmland_mu" in totals:
            return float(totals["farmland_mu"]), float(totals["basic_mu"])
        return mu(totals["farmland_m2"]), mu(totals["basic_m2"])
    if isinstance(totals, (list, tuple)):
        return float(totals[0]), float(totals[1])
    return float(totals.farmland_mu), float(totals.basic_mu)


def totals(figures: Iterable[FarmlandFigure]) -> dict[str, float]:
    """Sum of :func:`farmland_by_township` rows: the year's totals for :func:`trend`."""
    rows = list(figures)
    farm = sum(r.farmland_m2 for r in rows)
    basic = sum(r.basic_m2 for r in rows)
    return {"farmland_m2": farm, "basic_m2": basic, "farmland_mu": mu(farm), "basic_mu": mu(basic)}


def trend(years: Mapping[int, object], farmland_red_line: float | None = PREFECTURE_FARMLAND_MU,
          basic_red_line: float | None = PREFECTURE_BASIC_MU) -> list[TrendYear]:
    """Year-on-year farmland against the red lines (the prefecture's by default; pass None, or a county's
    own, when the totals are not the prefecture's). ``years`` maps a year to totals in 亩
    ({"farmland_mu", "basic_mu"}), in m² ({"farmland_m2", "basic_m2"}) or a (farmland 亩, basic 亩) pair."""
    out, previous = [], None
    for year in sorted(years):
        farm, basic = _totals_mu(years[year])
        out.append(TrendYear(
            int(year), farm, basic, None if previous is None else farm - previous[0],
            None if previous is None else basic - previous[1],
            None if farmland_red_line is None else farm - farmland_red_line,
            None if basic_red_line is None else basic - basic_red_line))
        previous = (farm, basic)
    return out


# ---------------------------------------------------------------------------------------- coverage
def coverage_by_township(rates: Mapping[str, GridRates], prefix: str = "") -> list[GridRates]:
    """The township rows (9-digit codes) of :func:`..core.patrol.coverage.grid_rates`, by code — the same
    rows the coverage run wrote, so the dashboard shows its numbers and no copy of them."""
    return [rates[code] for code in sorted(rates) if len(code) == 9 and _under(code, prefix)]


# ---------------------------------------------------------------------------------------- all at once
@dataclass
class Figures:
    patrols: list[MonthPatrols]
    officers: list[OfficerCount]
    cases: list[CaseClassCount]
    ranking: dict[str, list[TownshipRank]]
    timeliness: list[Timeliness]
    farmland: list[FarmlandFigure]
    coverage: list[GridRates]


def figures(inputs: StatInputs, today, prefix: str = "", period=None, targets: Mapping | None = None,
            deadlines: workflow.Deadlines | None = None) -> Figures:
    """Every figure of the dashboard from one :class:`StatInputs`, with the same filters."""
    if inputs.task_table is not None:
        monthly = patrols_by_month_table(inputs.task_table, inputs.patrol_days or PatrolDays(
            np.zeros(0, np.int64), np.zeros(0, np.int64)), today, prefix, period)
    else:
        patrols = inputs.patrols
        if not isinstance(patrols, task_rules.PatrolIndex):
            patrols = task_rules.PatrolIndex(patrols)
        monthly = patrols_by_month(inputs.tasks, patrols, today, prefix, period)
    return Figures(
        monthly,
        officer_counts(inputs.officers, prefix),
        cases_by_state_and_class(inputs.cases, prefix, period),
        {by: township_ranking(inputs.cases, by, prefix, period) for by in RANK_BY},
        rectification_timeliness(inputs.cases, today, deadlines, prefix, period),
        farmland_by_township(inputs.farmland, targets, prefix),
        coverage_by_township(inputs.rates, prefix))


__all__ = ["PREFECTURE_FARMLAND_MU", "PREFECTURE_BASIC_MU", "M2_PER_MU", "RANK_BY", "OfficerRecord", "CaseRecord",
           "TaskTable", "PatrolDays", "day_number", "township_numbers", "patrols_by_month_table",
           "CaseTimes", "FarmlandRow", "StatInputs", "MonthPatrols", "OfficerCount", "CaseClassCount",
           "TownshipRank", "Timeliness", "FarmlandFigure", "TrendYear", "Figures",
           "case_times", "with_times", "patrols_by_month", "officer_counts", "cases_by_state_and_class",
           "township_ranking", "rectification_timeliness", "farmland_by_township", "totals", "trend",
           "coverage_by_township", "figures", "mu", "township"]
