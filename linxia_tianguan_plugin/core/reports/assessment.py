"""考核 — assessment of the patrol officers and their grids over a month, a quarter or a year.

Pure functions over plain records (no Qt, no QGIS, no database): ``storage/assessment.py`` reads a
store into :class:`AssessInputs`; Processing (``processing/reports/assessment.py``) writes the tables.

Every figure comes from the same records and rules as :mod:`.statistics` (the dashboard), so the two
never disagree:

- **Frequency compliance** (巡田频次): the tasks of the grid *due* in the period (``period_end`` inside
  it, as :func:`.statistics.patrols_by_month` counts them), their status by :func:`.tasks.statuses` at
  the assessment instant (never re-derived). Rate = done / (done + overdue): a task not due yet is
  neither a success nor a failure.
- **Coverage** (巡田覆盖率): ``GridRates.rate`` of the grid's code from the persisted coverage rates
  (:attr:`.statistics.StatInputs.rates`); absent when no coverage run has a row for the grid.
- **Authenticity** (轨迹真实性): the grid's own tracks (``tg_track.grid_code`` = the grid) started in the
  period (Beijing date); a track is *flagged* when it was checked and has a flag or was not accepted.
  Tracks never checked are counted apart and judged neither way. Rate = 1 − flagged / checked.
- **Evidence timeliness** (举证及时率): the grid's cases (``tg_case.grid_code`` = the grid: the change
  analysis assigns a case to its 社 grid, whose officer gathers the evidence): from first entering 已下发
  (issued) to the first 已举证 (evidenced), against ``Deadlines.issued`` days.
- **Rectification** (整改时效): the same cases from first entering 执行中 (enforcing) to first 已整改, else
  已结案 (the :class:`.statistics.CaseRecord` times), against ``Deadlines.enforcing`` days.

  A case counts for a step in a period when the step was finished inside the period or is still open at
  its end (finished before the period: it was counted then). Outcomes: on time, late, open and overdue,
  open. Rate = on time / (on time + late + open overdue), as :class:`.statistics.Timeliness`.

The assessment instant (:func:`as_of`) is the end of the period (midnight Beijing after its last day) or
``now`` if earlier; events and tracks after it are ignored, so re-running a closed month gives the same table.

**Score** (综合得分, 0–100): ``100 × Σ weight × rate / Σ weight`` over the components that have a rate
(:data:`WEIGHTS`: frequency 40, coverage 30, authenticity 10, evidence 10, rectification 10); a missing
component (no task decided, no coverage row, no checked track, no case) is left out and the others are
re-weighted. No component at all: no score.

**Rankings**: officers within their township (the first 9 digits of the grid; 州/县 posts are not ranked
in a township) by score, townships within their county by the mean score of their grids. Highest first,
ties share the rank (1, 1, 3) and are listed by code; rows without a score come last, unranked.

**通报 list** (:class:`Notice`), one row per grid and reason:

- ``overdue_tasks``: tasks due in the period and overdue;
- ``repeated_failures``: overdue in two or more consecutive task periods of the grid (the run reaches into
  the assessment period; the grid's task just before the period counts too), or at least
  :data:`REPEATED_FLAGGED` flagged tracks in the period;
- ``slow_rectification``: rectification late or open past its deadline;
- ``overdue_evidence``: evidence submitted late or still missing past its deadline.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..cases import workflow
from ..patrol import tasks as task_rules
from . import statistics as stats

#: assessment periods
KINDS = ("month", "quarter", "year")
#: weights of the score's components (re-weighted over the components present)
WEIGHTS: dict[str, float] = {"frequency": 40, "coverage": 30, "authenticity": 10, "evidence": 10,
                             "rectification": 10}
COMPONENTS = tuple(WEIGHTS)
#: this many flagged tracks in a period make a repeated failure
REPEATED_FLAGGED = 3
#: reasons of the 通报 list, in the order they are listed
REASONS = ("overdue_tasks", "repeated_failures", "slow_rectification", "overdue_evidence")
#: outcomes of a timed step (evidence, rectification)
ON_TIME, LATE, OPEN_OVERDUE, OPEN = "on_time", "late", "open_overdue", "open"

DAY_S = stats.DAY_S


class AssessmentError(ValueError):
    """An unknown period kind or an unusable day."""


# ---------------------------------------------------------------------------------------- periods
def assessment_period(kind: str, day) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the month, quarter or year containing ``day`` (a date or YYYY-MM-DD)."""
    if kind not in KINDS:
        raise AssessmentError(f"unknown assessment period {kind!r} (one of {', '.join(KINDS)})")
    try:
        day = task_rules.as_date(day)
    except task_rules.TaskError as err:
        raise AssessmentError(str(err)) from None
    return task_rules.period_of(kind, day)


def previous_period(kind: str, period) -> tuple[dt.date, dt.date]:
    """The period of ``kind`` just before ``period`` (whose first day is taken)."""
    first = task_rules.as_date(period[0])
    return assessment_period(kind, first - dt.timedelta(days=1))


def as_of(period, now=None) -> dt.datetime:
    """The assessment instant: the end of the period — midnight (Beijing) after its last day, when the tasks
    due on the last day (23:59:59) are past due —, or ``now`` if earlier."""
    end = task_rules.parse_instant(task_rules.as_date(period[1]) + dt.timedelta(days=1))
    if now is None:
        return end
    return min(end, stats.as_of(now))


def period_start_instant(period) -> dt.datetime:
    return task_rules.parse_instant(task_rules.as_date(period[0]))


# ---------------------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class Post:
    """An officer post of the active roster (role 'officer'): its grid, level and who holds it."""

    grid_code: str
    level: int
    name: str | None = None
    phone: str | None = None
    grid_name: str = ""
    vacant: bool = False

    @property
    def township(self) -> str:
        """The township ranked in: the first 9 digits of a 乡/村/社 grid; '' for 州 and 县 posts."""
        return self.grid_code[:9] if len(self.grid_code) >= 9 else ""


@dataclass(frozen=True)
class TrackRecord:
    """A patrol track as far as authenticity goes. ``flags`` None: never checked."""

    track_id: str
    grid_code: str
    started_at: str
    flags: tuple[str, ...] | None = None
    accepted: bool = False

    @property
    def checked(self) -> bool:
        return self.flags is not None

    @property
    def flagged(self) -> bool:
        return self.checked and (bool(self.flags) or not self.accepted)


@dataclass
class AssessInputs:
    """What :func:`assess` needs: the statistics' inputs (tasks — including each grid's task just before
    the period —, patrols, cases with their times, coverage rates, names), the roster's posts, the tracks
    and each case's first 已下发 / 已举证 times (case_id → (issued_at, evidenced_at), UTC text)."""

    stats: stats.StatInputs = field(default_factory=stats.StatInputs)
    posts: list[Post] = field(default_factory=list)
    tracks: list[TrackRecord] = field(default_factory=list)
    evidence: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------- steps
@dataclass(frozen=True)
class Steps:
    """Outcomes of one timed step (evidence or rectification) over some cases."""

    on_time: int = 0
    late: int = 0
    open_overdue: int = 0
    open: int = 0
    days: float = 0.0  # summed over the finished ones
    cases: tuple[str, ...] = ()  # late or open overdue: what the 通报 names

    @property
    def finished(self) -> int:
        return self.on_time + self.late

    @property
    def counted(self) -> int:
        return self.on_time + self.late + self.open_overdue + self.open

    @property
    def rate(self) -> float | None:
        due = self.on_time + self.late + self.open_overdue
        return self.on_time / due if due else None

    @property
    def mean_days(self) -> float | None:
        return self.days / self.finished if self.finished else None

    def __add__(self, other: Steps) -> Steps:
        return Steps(self.on_time + other.on_time, self.late + other.late, self.open_overdue + other.open_overdue,
                     self.open + other.open, self.days + other.days, tuple(sorted(set(self.cases + other.cases))))


def step_outcome(started: str | None, finished: str | None, allowed_days: int | None, now: dt.datetime,
                 period_start: dt.datetime) -> tuple[str, float | None] | None:
    """(outcome, days taken or None) of a step started at ``started`` and finished at ``finished`` (UTC
    text or None) as of ``now``; None when the step does not count in the period (not started by ``now``,
    or finished before the period began). Times after ``now`` are not known yet."""
    if not started:
        return None
    begin = task_rules.parse_instant(started)
    if begin > now:
        return None
    end = task_rules.parse_instant(finished) if finished else None
    if end is not None and end > now:
        end = None
    allowed = None if allowed_days is None else allowed_days * DAY_S
    if end is not None:
        if end < period_start:
            return None
        seconds = max(0.0, (end - begin).total_seconds())
        return (ON_TIME if allowed is None or seconds <= allowed else LATE), seconds / DAY_S
    if allowed is not None and (now - begin).total_seconds() > allowed:
        return OPEN_OVERDUE, None
    return OPEN, None


def _steps(outcomes: Iterable[tuple[str, tuple[str, float | None]]]) -> Steps:
    counts = {ON_TIME: 0, LATE: 0, OPEN_OVERDUE: 0, OPEN: 0}
    days, named = 0.0, []
    for case_id, (outcome, taken) in outcomes:
        counts[outcome] += 1
        if taken is not None:
            days += taken
        if outcome in (LATE, OPEN_OVERDUE):
            named.append(case_id)
    return Steps(counts[ON_TIME], counts[LATE], counts[OPEN_OVERDUE], counts[OPEN], days, tuple(sorted(named)))


# ---------------------------------------------------------------------------------------- score
def score(rates: Mapping[str, float | None], weights: Mapping[str, float] = WEIGHTS) -> float | None:
    """``100 × Σ w·rate / Σ w`` over the components with a rate; None when none has one."""
    present = [(float(weights[k]), float(r)) for k, r in rates.items() if r is not None and weights.get(k)]
    total = sum(w for w, _ in present)
    if not total:
        return None
    return 100.0 * sum(w * r for w, r in present) / total


# ---------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Assessment:
    """The assessment of one grid post, or of one officer over their posts."""

    grid_codes: tuple[str, ...]
    level: int
    township: str
    officer: str | None = None
    phone: str | None = None
    grid_name: str = ""
    vacant: bool = False
    tasks: int = 0
    done: int = 0
    open: int = 0
    overdue: int = 0
    farmland_m2: float | None = None  # of the coverage row(s); None: no coverage row
    seen_m2: float | None = None
    tracks: int = 0
    checked: int = 0
    flagged: int = 0
    evidence: Steps = Steps()
    rectification: Steps = Steps()
    overdue_run: int = 0  # longest run of consecutive overdue tasks reaching into the period
    overdue_periods: tuple[str, ...] = ()  # 'first~last' of the overdue tasks due in the period
    run_periods: tuple[str, ...] = ()  # of the longest run
    flagged_tracks: tuple[str, ...] = ()
    weights: Mapping[str, float] = field(default_factory=lambda: dict(WEIGHTS), compare=False, repr=False)

    @property
    def grid_code(self) -> str:
        return self.grid_codes[0] if self.grid_codes else ""

    @property
    def frequency_rate(self) -> float | None:
        decided = self.done + self.overdue
        return self.done / decided if decided else None

    @property
    def coverage_rate(self) -> float | None:
        if self.farmland_m2 is None or self.seen_m2 is None or self.farmland_m2 <= 0:
            return None
        return self.seen_m2 / self.farmland_m2

    @property
    def authenticity_rate(self) -> float | None:
        return 1.0 - self.flagged / self.checked if self.checked else None

    @property
    def rates(self) -> dict[str, float | None]:
        return {"frequency": self.frequency_rate, "coverage": self.coverage_rate,
                "authenticity": self.authenticity_rate, "evidence": self.evidence.rate,
                "rectification": self.rectification.rate}

    @property
    def score(self) -> float | None:
        return score(self.rates, self.weights)


def _key_sum(values: Iterable[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return sum(got) if got else None


def combine(items: Sequence[Assessment]) -> Assessment:
    """One officer's posts summed (counts added, coverage area-weighted); the first post's level/township."""
    first = items[0]
    return Assessment(
        tuple(c for a in items for c in a.grid_codes), min(a.level for a in items), first.township, first.officer,
        first.phone, "、".join(a.grid_name for a in items if a.grid_name), all(a.vacant for a in items),
        sum(a.tasks for a in items), sum(a.done for a in items), sum(a.open for a in items),
        sum(a.overdue for a in items), _key_sum(a.farmland_m2 for a in items),
        _key_sum(a.seen_m2 for a in items if a.farmland_m2 is not None),
        sum(a.tracks for a in items), sum(a.checked for a in items), sum(a.flagged for a in items),
        sum((a.evidence for a in items), Steps()), sum((a.rectification for a in items), Steps()),
        max(a.overdue_run for a in items), tuple(p for a in items for p in a.overdue_periods),
        max(items, key=lambda a: a.overdue_run).run_periods, tuple(t for a in items for t in a.flagged_tracks),
        first.weights)


@dataclass(frozen=True)
class OfficerRank:
    rank: int | None
    township: str
    assessment: Assessment


@dataclass(frozen=True)
class TownshipScore:
    rank: int | None
    county: str
    township: str
    grids: int
    scored: int  # grids with a score
    mean_score: float | None
    tasks: int
    done: int
    overdue: int
    officers: int  # filled posts

    @property
    def frequency_rate(self) -> float | None:
        decided = self.done + self.overdue
        return self.done / decided if decided else None


@dataclass(frozen=True)
class LevelSummary:
    """Frequency compliance per grid level (州县乡村社)."""

    level: int
    level_name: str
    posts: int
    tasks: int
    done: int
    open: int
    overdue: int

    @property
    def rate(self) -> float | None:
        decided = self.done + self.overdue
        return self.done / decided if decided else None


@dataclass(frozen=True)
class Notice:
    """A row of the 通报 list: a grid, why it is named, how many things and which (periods, cases, tracks)."""

    reason: str
    grid_code: str
    level: int
    township: str
    officer: str | None
    phone: str | None
    grid_name: str
    count: int
    items: tuple[str, ...]


@dataclass
class Result:
    kind: str
    period: tuple[dt.date, dt.date]
    as_of: dt.datetime
    grids: list[Assessment]
    officers: list[Assessment]
    township_ranking: list[OfficerRank]
    county_ranking: list[TownshipScore]
    notices: list[Notice]
    levels: list[LevelSummary]


# ---------------------------------------------------------------------------------------- rankings
def ranks(values: Sequence[float | None]) -> list[int | None]:
    """Competition ranks of values in the given order (already sorted best first): ties share the rank
    (1, 1, 3); None has no rank."""
    out, rank, last = [], 0, object()
    for i, v in enumerate(values):
        if v is None:
            out.append(None)
            continue
        if v != last:
            rank, last = i + 1, v
        out.append(rank)
    return out


def _order(value: float | None, code: str) -> tuple:
    return (value is None, -(value or 0.0), code)


def _round(value: float | None) -> float | None:
    """Scores are compared at 1e-9 so that sums in another order still tie."""
    return None if value is None else round(value, 9)


def township_ranking(officers: Iterable[Assessment]) -> list[OfficerRank]:
    """Officers ranked within their township by score (highest first, ties share the rank); 州/县 posts
    (no township) are left out. Listed by township code, then rank, then grid code."""
    groups: dict[str, list[Assessment]] = {}
    for a in officers:
        if a.township:
            groups.setdefault(a.township, []).append(a)
    out = []
    for town in sorted(groups):
        items = sorted(groups[town], key=lambda a: _order(_round(a.score), a.grid_code))
        for rank, a in zip(ranks([_round(a.score) for a in items]), items):
            out.append(OfficerRank(rank, town, a))
    return out


def county_ranking(grids: Iterable[Assessment]) -> list[TownshipScore]:
    """Townships ranked within their county by the mean score of their grids (乡/村/社 posts)."""
    groups: dict[str, list[Assessment]] = {}
    for a in grids:
        if a.township:
            groups.setdefault(a.township, []).append(a)
    rows = []
    for town, items in groups.items():
        scores = [a.score for a in items if a.score is not None]
        rows.append((town[:6], town, len(items), len(scores), sum(scores) / len(scores) if scores else None,
                     sum(a.tasks for a in items), sum(a.done for a in items), sum(a.overdue for a in items),
                     sum(1 for a in items if not a.vacant and a.officer)))
    out = []
    for county in sorted({r[0] for r in rows}):
        mine = sorted((r for r in rows if r[0] == county), key=lambda r: _order(_round(r[4]), r[1]))
        for rank, r in zip(ranks([_round(r[4]) for r in mine]), mine):
            out.append(TownshipScore(rank, *r))
    return out


def level_summary(grids: Iterable[Assessment]) -> list[LevelSummary]:
    sums: dict[int, list[int]] = {}
    for a in grids:
        s = sums.setdefault(a.level, [0, 0, 0, 0, 0])
        s[0] += 1
        s[1] += a.tasks
        s[2] += a.done
        s[3] += a.open
        s[4] += a.overdue
    return [LevelSummary(lv, task_rules.LEVEL_NAMES_ZH.get(lv, str(lv)), *v) for lv, v in sorted(sums.items())]


def notices(grids: Iterable[Assessment], flagged_limit: int = REPEATED_FLAGGED) -> list[Notice]:
    """The 通报 list: one row per grid and reason (see the module's docstring), by reason, township, grid."""
    out = []
    for a in grids:
        found = []
        if a.overdue:
            found.append(("overdue_tasks", a.overdue_periods))
        if a.overdue_run >= 2 or a.flagged >= flagged_limit:
            items = (a.run_periods if a.overdue_run >= 2 else ()) + (
                a.flagged_tracks if a.flagged >= flagged_limit else ())
            found.append(("repeated_failures", items))
        if a.rectification.late or a.rectification.open_overdue:
            found.append(("slow_rectification", a.rectification.cases))
        if a.evidence.late or a.evidence.open_overdue:
            found.append(("overdue_evidence", a.evidence.cases))
        for reason, items in found:
            out.append(Notice(reason, a.grid_code, a.level, a.township, a.officer, a.phone, a.grid_name,
                              len(items), tuple(items)))
    return sorted(out, key=lambda n: (REASONS.index(n.reason), n.township, n.grid_code))


# ---------------------------------------------------------------------------------------- assess
def _period_text(task) -> str:
    return f"{task.period_start}~{task.period_end}"


def _task_figures(tasks: list, patrols, now: dt.datetime, period) -> dict[str, tuple]:
    """grid → (tasks, done, open, overdue, overdue periods, longest run, run periods) of the tasks due in
    the period; the grid's last task due before the period only extends a run of consecutive overdue tasks
    into the period (earlier ones are ignored, so the answer does not depend on how many are given)."""
    first, last = period
    by_grid: dict[str, list] = {}
    for task, status in zip(tasks, task_rules.statuses(tasks, patrols, now)):
        by_grid.setdefault(task.grid_code, []).append((task, status))
    out = {}
    for code, rows in by_grid.items():
        rows.sort(key=lambda r: str(r[0].period_start))
        before = [r for r in rows if task_rules.as_date(r[0].period_end) < first]
        rows = before[-1:] + [r for r in rows if task_rules.as_date(r[0].period_end) >= first]
        counts = {task_rules.DONE: 0, task_rules.OPEN: 0, task_rules.OVERDUE: 0}
        overdue, run, best = [], [], []
        for task, status in rows:
            due = task_rules.as_date(task.period_end)
            if due > last:
                continue
            inside = due >= first
            if inside:
                counts[status] += 1
                if status == task_rules.OVERDUE:
                    overdue.append(_period_text(task))
            if status == task_rules.OVERDUE:
                run.append((inside, _period_text(task)))
                if any(i for i, _ in run) and len(run) > len(best):
                    best = list(run)
            else:
                run = []
        out[code] = (sum(counts.values()), counts[task_rules.DONE], counts[task_rules.OPEN],
                     counts[task_rules.OVERDUE], tuple(overdue), len(best), tuple(p for _, p in best))
    return out


def _under(code: str, prefix: str) -> bool:
    return not prefix or str(code or "").startswith(prefix)


def assess(inputs: AssessInputs, kind: str, period, now=None, prefix: str = "",
           deadlines: workflow.Deadlines | None = None, weights: Mapping[str, float] = WEIGHTS,
           flagged_limit: int = REPEATED_FLAGGED) -> Result:
    """Assess every officer post of ``inputs.posts`` under ``prefix`` over ``period`` (first, last) of
    ``kind``, as of :func:`as_of` (``now``: the instant the run happens; None: the period's end)."""
    if kind not in KINDS:
        raise AssessmentError(f"unknown assessment period {kind!r} (one of {', '.join(KINDS)})")
    unknown = set(weights) - set(COMPONENTS)
    if unknown:
        raise AssessmentError(f"unknown score components {sorted(unknown)} (components: {', '.join(COMPONENTS)})")
    period = (task_rules.as_date(period[0]), task_rules.as_date(period[1]))
    instant = as_of(period, now)
    began = period_start_instant(period)
    deadlines = deadlines or workflow.DEFAULT_DEADLINES
    data = inputs.stats
    patrols = data.patrols if isinstance(data.patrols, task_rules.PatrolIndex) else task_rules.PatrolIndex(
        data.patrols)
    posts = sorted((p for p in inputs.posts if _under(p.grid_code, prefix)), key=lambda p: p.grid_code)
    wanted = {p.grid_code for p in posts}
    tasks = [t for t in data.tasks if t.grid_code in wanted]
    figures = _task_figures(tasks, patrols, instant, period)

    tracks: dict[str, list[TrackRecord]] = {}
    for t in inputs.tracks:
        if t.grid_code in wanted and task_rules.parse_instant(t.started_at) <= instant and \
                period[0] <= task_rules.local_date(t.started_at) <= period[1]:
            tracks.setdefault(t.grid_code, []).append(t)

    evidence_days = deadlines.days(workflow.ISSUED)
    enforcing_days = deadlines.days(workflow.ENFORCING)
    evid: dict[str, list] = {}
    rect: dict[str, list] = {}
    for case in data.cases:
        code = case.grid_code or ""
        if code not in wanted:
            continue
        issued, evidenced = inputs.evidence.get(case.case_id, (None, None))
        e = step_outcome(issued, evidenced, evidence_days, instant, began)
        r = step_outcome(case.enforcing_at, case.rectified_at or case.closed_at, enforcing_days, instant, began)
        if e is not None:
            evid.setdefault(code, []).append((case.case_id, e))
        if r is not None:
            rect.setdefault(code, []).append((case.case_id, r))

    grids = []
    for p in posts:
        n, done, open_, overdue, overdue_periods, run, run_periods = figures.get(p.grid_code, (0, 0, 0, 0, (), 0, ()))
        rates = data.rates.get(p.grid_code)
        mine = tracks.get(p.grid_code, [])
        flagged = sorted(t.track_id for t in mine if t.flagged)
        grids.append(Assessment(
            (p.grid_code,), int(p.level), p.township, None if p.vacant else p.name, None if p.vacant else p.phone,
            p.grid_name or data.names.get(p.grid_code, ""), bool(p.vacant), n, done, open_, overdue,
            None if rates is None else float(rates.farmland_m2), None if rates is None else float(rates.seen_m2),
            len(mine), sum(1 for t in mine if t.checked), len(flagged),
            _steps(evid.get(p.grid_code, [])), _steps(rect.get(p.grid_code, [])),
            run, overdue_periods, run_periods, tuple(flagged), dict(weights)))

    by_officer: dict[tuple, list[Assessment]] = {}
    for a in grids:
        if a.officer and not a.vacant:
            by_officer.setdefault((a.township, a.officer, a.phone or ""), []).append(a)
    officers = sorted((combine(v) for v in by_officer.values()), key=lambda a: (a.township, a.grid_code))
    return Result(kind, period, instant, grids, officers, township_ranking(officers), county_ranking(grids),
                  notices(grids, flagged_limit), level_summary(grids))


__all__ = ["KINDS", "WEIGHTS", "COMPONENTS", "REPEATED_FLAGGED", "REASONS", "ON_TIME", "LATE", "OPEN_OVERDUE",
           "OPEN", "AssessmentError", "assessment_period", "previous_period", "as_of", "Post", "TrackRecord",
           "AssessInputs", "Steps", "step_outcome", "score", "Assessment", "combine", "OfficerRank",
           "TownshipScore", "LevelSummary", "Notice", "Result", "ranks", "township_ranking", "county_ranking",
           "level_summary", "notices", "assess"]
