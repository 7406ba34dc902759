"""Patrol-task rules: how often each grid level patrols, the calendar periods, task rows and status.

The plan (临州办发〔2024〕52号 （四）2–3) asks 社 officers to patrol at least weekly, 村 monthly, 乡
quarterly, 县 and 州 at least twice a year, and the county desk to dispatch tasks on a fixed cycle and
watch which are 已完成 / 未完成 / 已过期. Periods are Asia/Shanghai calendar dates (both ends
inclusive); a task is due at the end of its period's last day in Shanghai, stored as UTC. The status is
derived from the patrols every time it is asked for, never stored, so a late import of patrols or a
correction (a patrol marked invalid) is reflected at once. The 预警 (warning) list adds open tasks falling
due within N Beijing calendar days (即将到期) to the overdue ones, per officer.

Plain Python (no Qt, no QGIS): the same rules serve Processing, the UI and, later, the server.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

try:  # Windows Pythons without the tzdata package have no zone database
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    SHANGHAI: dt.tzinfo = ZoneInfo("Asia/Shanghai")
except (ImportError, ZoneInfoNotFoundError):  # pragma: no cover - China has kept UTC+8 without DST since 1991
    SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

UTC = dt.timezone.utc

#: period kinds, shortest first
KINDS = ("week", "month", "quarter", "half_year", "year")

#: grid levels 1..5 = 州 / 县 / 乡 / 村 / 社 and the length of their codes
LEVEL_NAMES_ZH = {1: "州", 2: "县", 3: "乡", 4: "村", 5: "社"}
CODE_LENGTHS = {1: 4, 2: 6, 3: 9, 4: 12, 5: 14}

DONE, OPEN, OVERDUE = "done", "open", "overdue"
#: an open task falling due within the warning window (预警, :func:`warning_status`): never stored, never a status
#: of :func:`task_status` — only the task lists that warn ask for it
DUE_SOON = "due_soon"
#: status words of the plan, used in tables handed to the desk whatever the UI language
STATUS_ZH = {DONE: "已完成", OPEN: "未完成", DUE_SOON: "即将到期", OVERDUE: "已过期"}

TASK_PREFIX = "RW"  # 任务
PATROL_PREFIX = "XT"  # 巡田
PATROL_SOURCES = ("manual", "import", "track")


class TaskError(ValueError):
    """Input the task rules cannot use (unknown period kind or level, unparseable time)."""


# ---------------------------------------------------------------------------------------- rules
@dataclass(frozen=True)
class FrequencyRules:
    """Patrol frequency per grid level; the defaults are the plan's minimums."""

    by_level: Mapping[int, str] = field(default_factory=lambda: dict(DEFAULT_FREQUENCIES))

    def __post_init__(self) -> None:
        rules = {int(level): str(kind) for level, kind in dict(self.by_level).items()}
        for level, kind in rules.items():
            if level not in LEVEL_NAMES_ZH:
                raise TaskError(f"unknown grid level {level} (levels are 1 to 5)")
            if kind not in KINDS:
                raise TaskError(f"unknown period kind {kind!r} for level {level} (one of {', '.join(KINDS)})")
        object.__setattr__(self, "by_level", {**DEFAULT_FREQUENCIES, **rules})

    def kind(self, level: int) -> str:
        try:
            return self.by_level[int(level)]
        except KeyError:
            raise TaskError(f"unknown grid level {level} (levels are 1 to 5)") from None

    def to_dict(self) -> dict[str, str]:
        """String keys, so that the rules survive JSON and QgsSettings unchanged."""
        return {str(level): self.by_level[level] for level in sorted(self.by_level)}

    @classmethod
    def from_dict(cls, data: Mapping | None) -> FrequencyRules:
        """Rules from a dict such as ``{"5": "week"}``; levels left out keep their default."""
        return cls({int(k): v for k, v in dict(data or {}).items()})

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> FrequencyRules:
        return cls.from_dict(json.loads(text) if text and text.strip() else {})


DEFAULT_FREQUENCIES: dict[int, str] = {5: "week", 4: "month", 3: "quarter", 2: "half_year", 1: "half_year"}


# ---------------------------------------------------------------------------------------- periods
def period_start(kind: str, day: dt.date) -> dt.date:
    """First day of the ``kind`` period containing ``day`` (weeks start on Monday)."""
    if kind == "week":
        return day - dt.timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    if kind == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if kind == "half_year":
        return dt.date(day.year, 1 if day.month <= 6 else 7, 1)
    if kind == "year":
        return dt.date(day.year, 1, 1)
    raise TaskError(f"unknown period kind {kind!r} (one of {', '.join(KINDS)})")


def _next_start(kind: str, start: dt.date) -> dt.date:
    if kind == "week":
        return start + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}[kind]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_of(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the ``kind`` period containing ``day``."""
    start = period_start(kind, day)
    return start, _next_start(kind, start) - dt.timedelta(days=1)


def periods(kind: str, start_date: dt.date, end_date: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar periods of ``kind`` overlapping [start_date, end_date], both ends inclusive."""
    if end_date < start_date:
        raise TaskError(f"the range ends ({end_date}) before it starts ({start_date})")
    out = []
    first = period_start(kind, start_date)
    while first <= end_date:
        following = _next_start(kind, first)
        out.append((first, following - dt.timedelta(days=1)))
        first = following
    return out


# ---------------------------------------------------------------------------------------- instants
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def parse_instant(value: str | dt.datetime | dt.date) -> dt.datetime:
    """An aware UTC datetime from ISO text (``Z``, ``+08:00``, ``+0800`` or naive), a datetime or a date.

    Naive times are Asia/Shanghai local time (what an officer's phone or the desk types); a date alone
    is the start of that local day. Accepts ``/`` or ``.`` as date separators and a space or ``T``.
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        return _parse_text(str(value or ""))
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(UTC)


_UTC_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def _utc_text(text: str) -> dt.datetime | None:
    """The store's own form ``YYYY-MM-DDTHH:MM:SSZ`` read by slicing (ten times faster than the general
    parser), or None for any other form."""
    if _UTC_TEXT.fullmatch(text):
        try:
            return dt.datetime(int(text[:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16]),
                               int(text[17:19]), tzinfo=UTC)
        except ValueError:
            return None
    return None


@functools.lru_cache(maxsize=1 << 16)
def _parse_text(value: str) -> dt.datetime:
    """:func:`parse_instant` of text, remembered: statistics parse the same stored instants many times
    (every case's times for each ranking), and datetimes are immutable."""
    canonical = _utc_text(value)
    if canonical is not None:
        return canonical
    text = value.strip()
    if not text:
        raise TaskError("empty time")
    text = re.sub(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", text)
    match = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})(.*)$", text)
    if not match:
        raise TaskError(f"not a date and time: {value!r}")
    rest = match.group(4)
    text = f"{int(match.group(1)):04d}-{int(match.group(2)):02d}-{int(match.group(3)):02d}{rest}"
    if _DATE_ONLY.match(text):
        text += "T00:00:00"
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = _OFFSET.sub(lambda m: f"{m.group(1)}{m.group(2)}:{m.group(3)}", text) if len(text) > 16 else text
    # one-digit hours ("2026-03-02 8:05") are padded for Python 3.9's fromisoformat
    text = re.sub(r"^(\d{4}-\d{2}-\d{2})[ T](\d)(?=:)", r"\1T0\2", text)
    try:
        moment = dt.datetime.fromisoformat(text[:10] + "T" + text[11:] if len(text) > 10 else text)
    except ValueError:
        raise TaskError(f"not a date and time: {value!r}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(UTC)


def format_utc(moment: dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``, the store's form of an instant."""
    return parse_instant(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_date(value: str | dt.datetime) -> dt.date:
    """The Asia/Shanghai calendar date of an instant: what decides which period a patrol counts for."""
    return parse_instant(value).astimezone(SHANGHAI).date()


def local_text(value: str | dt.datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in Asia/Shanghai, for tables read by people."""
    return parse_instant(value).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def due_at(last_day: dt.date) -> str:
    """A period's due time: 23:59:59 Asia/Shanghai on its last day, as UTC text."""
    return format_utc(dt.datetime.combine(last_day, dt.time(23, 59, 59), tzinfo=SHANGHAI))


def as_date(value: str | dt.date) -> dt.date:
    """A calendar date from a date or ``YYYY-MM-DD`` text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise TaskError(f"not a date (YYYY-MM-DD): {value!r}") from None


# ---------------------------------------------------------------------------------------- tasks
@dataclass(frozen=True)
class Task:
    """One patrol task: a grid and a period (the columns of ``tg_task``)."""

    task_id: str
    grid_code: str
    level: int
    period_start: str
    period_end: str
    due_at: str
    officer: str | None = None
    phone: str | None = None
    dispatched_at: str = ""
    dispatch_run: str = ""

    COLUMNS = ("task_id", "grid_code", "level", "period_start", "period_end", "due_at", "officer", "phone",
               "dispatched_at", "dispatch_run")

    def as_row(self) -> tuple:
        return tuple(getattr(self, c) for c in self.COLUMNS)

    @property
    def township(self) -> str:
        return township_of(self.grid_code)


def task_id(grid_code: str, start: dt.date) -> str:
    """Deterministic: the same grid and period always give the same id, so re-dispatching adds nothing."""
    return f"{TASK_PREFIX}{grid_code}{start:%Y%m%d}"


def township_of(grid_code: str) -> str:
    """The township (first 9 digits) a grid belongs to; 州 and 县 grids stand for themselves."""
    return str(grid_code)[:9]


def make_tasks(grids: Iterable[tuple[str, int]], officers: Mapping[str, tuple[str | None, str | None]],
               rules: FrequencyRules, start: dt.date, end: dt.date, run_id: str,
               now: dt.datetime) -> list[Task]:
    """One task per grid and period of its level's kind overlapping [start, end], in code order."""
    if end < start:
        raise TaskError(f"the range ends ({end}) before it starts ({start})")
    dispatched = format_utc(now)
    by_kind: dict[str, list[tuple[dt.date, dt.date]]] = {}
    out = []
    for code, level in sorted({(str(c), int(lv)) for c, lv in grids}):
        kind = rules.kind(level)
        if kind not in by_kind:
            by_kind[kind] = periods(kind, start, end)
        name, phone = officers.get(code, (None, None))
        for first, last in by_kind[kind]:
            out.append(Task(task_id(code, first), code, level, first.isoformat(), last.isoformat(), due_at(last),
                            name or None, phone or None, dispatched, run_id))
    return out


# ---------------------------------------------------------------------------------------- patrols
@dataclass(frozen=True)
class Patrol:
    """One patrol of a grid (the columns of ``tg_patrol``); times are UTC text."""

    patrol_id: str
    grid_code: str
    officer: str | None
    started_at: str
    ended_at: str | None = None
    source: str = "import"
    valid: bool = True
    note: str | None = None

    COLUMNS = ("patrol_id", "grid_code", "officer", "started_at", "ended_at", "source", "valid", "note")

    def as_row(self) -> tuple:
        return tuple(int(v) if isinstance(v, bool) else v for v in (getattr(self, c) for c in self.COLUMNS))


def patrol_id(grid_code: str, officer: str | None, started_at: str) -> str:
    """Deterministic from grid, officer and start instant (UTC), so that re-importing adds nothing."""
    key = "|".join((str(grid_code), (officer or "").strip(), format_utc(parse_instant(started_at))))
    return PATROL_PREFIX + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def make_patrol(grid_code: str, officer: str | None, started_at, ended_at=None, valid: bool = True,
                note: str | None = None, source: str = "import") -> Patrol:
    """A patrol with normalised times; raises :class:`TaskError` on unparseable or reversed times."""
    if source not in PATROL_SOURCES:
        raise TaskError(f"unknown patrol source {source!r} (one of {', '.join(PATROL_SOURCES)})")
    start = format_utc(parse_instant(started_at))
    end = None
    if ended_at not in (None, ""):
        end = format_utc(parse_instant(ended_at))
        if end < start:
            raise TaskError(f"the patrol ends ({end}) before it starts ({start})")
    officer = (officer or "").strip() or None
    return Patrol(patrol_id(grid_code, officer, start), str(grid_code), officer, start, end, source, bool(valid),
                  (note or "").strip() or None)


class PatrolIndex:
    """Valid patrols by grid as sorted Shanghai dates: status of many tasks without rescanning."""

    def __init__(self, patrols: Iterable[Patrol]):
        days: dict[str, list[tuple[dt.date, str]]] = {}
        for p in patrols:
            if p.valid:
                days.setdefault(p.grid_code, []).append((local_date(p.started_at), p.started_at))
        self._days = {code: sorted(v) for code, v in days.items()}

    def first_in(self, grid_code: str, first: dt.date, last: dt.date) -> str | None:
        """Start (UTC text) of the earliest valid patrol of the grid within [first, last], if any."""
        days = self._days.get(grid_code)
        if not days:
            return None
        i = bisect_left(days, (first, ""))
        if i < len(days) and days[i][0] <= last:
            return days[i][1]
        return None


def task_status(task: Task, patrols: Iterable[Patrol] | PatrolIndex, now: dt.datetime) -> str:
    """'done' (a valid patrol started within the period, Shanghai dates), else 'open' until due, else 'overdue'."""
    index = patrols if isinstance(patrols, PatrolIndex) else PatrolIndex(
        p for p in patrols if p.grid_code == task.grid_code)
    if index.first_in(task.grid_code, as_date(task.period_start), as_date(task.period_end)) is not None:
        return DONE
    return OPEN if parse_instant(now) <= parse_instant(task.due_at) else OVERDUE


def statuses(tasks: Iterable[Task], patrols: Iterable[Patrol] | PatrolIndex, now: dt.datetime) -> list[str]:
    """:func:`task_status` of each task, with the patrols indexed once."""
    index = patrols if isinstance(patrols, PatrolIndex) else PatrolIndex(patrols)
    return [task_status(t, index, now) for t in tasks]


#: the statuses in the order of :func:`status_codes`'s codes 0, 1, 2
STATUS_ORDER = (DONE, OPEN, OVERDUE)


def status_codes(task_grid, task_first, task_last, task_due, patrol_grid, patrol_day, now_s: float):
    """:func:`task_status` of many tasks at once, for statistics over a prefecture's year (a million
    tasks): 0 done, 1 open, 2 overdue (:data:`STATUS_ORDER`).

    Tasks are columns — grid code as an integer, first and last day of the period as day numbers
    (days since 1970-01-01, Shanghai calendar), due instant in epoch seconds — and so are the *valid*
    patrols (grid, Shanghai day number of their start). The rule is :func:`task_status`'s: done when a
    valid patrol of the grid started on a day within the period, else open until due, else overdue.
    Grid and day are packed into one sorted key, so each task is two binary searches."""
    import numpy as np

    task_grid = np.asarray(task_grid, np.int64)
    patrol_grid = np.asarray(patrol_grid, np.int64)
    grids, inverse = np.unique(np.concatenate([task_grid, patrol_grid]), return_inverse=True)
    shift = np.int64(1 << 22)  # day numbers stay below 2**22 until the year 13 000
    tg, pg = inverse[:len(task_grid)].astype(np.int64), inverse[len(task_grid):].astype(np.int64)
    keys = np.sort(pg * shift + np.asarray(patrol_day, np.int64))
    lo = np.searchsorted(keys, tg * shift + np.asarray(task_first, np.int64), "left")
    hi = np.searchsorted(keys, tg * shift + np.asarray(task_last, np.int64), "right")
    out = np.where(float(now_s) <= np.asarray(task_due, np.float64), 1, 2).astype(np.int8)
    out[hi > lo] = 0
    return out


@dataclass
class TownshipOverdue:
    """Overdue tasks of one township, for reminders and the periodic 通报."""

    township: str
    name: str = ""
    tasks: list[Task] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.tasks)

    @property
    def grids(self) -> list[str]:
        return sorted({t.grid_code for t in self.tasks})

    @property
    def officers(self) -> list[str]:
        return sorted({t.officer for t in self.tasks if t.officer})


def overdue_by_township(tasks: Iterable[Task], patrols: Iterable[Patrol] | PatrolIndex, now: dt.datetime,
                        names: Mapping[str, str] | None = None) -> list[TownshipOverdue]:
    """Overdue tasks grouped by township (first 9 digits of the grid code), most overdue first."""
    tasks = list(tasks)
    groups: dict[str, TownshipOverdue] = {}
    for task, status in zip(tasks, statuses(tasks, patrols, now)):
        if status != OVERDUE:
            continue
        code = task.township
        if code not in groups:
            groups[code] = TownshipOverdue(code, (names or {}).get(code, ""))
        groups[code].tasks.append(task)
    return sorted(groups.values(), key=lambda g: (-g.count, g.township))


# ---------------------------------------------------------------------------------------- warnings (预警)
def due_soon(due: str | dt.datetime, as_of: dt.datetime, days: int) -> bool:
    """True when ``due`` is not yet past at ``as_of`` and falls on a Beijing calendar day at most ``days`` days
    after as_of's Beijing day: 0 is "due today", 1 "due today or tomorrow".

    Calendar days, not 24-hour spans: tasks fall due at 23:59:59 Beijing time, and the desk counts "due in three
    days" on the calendar. An instant already past is overdue, never due soon."""
    if int(days) < 0:
        raise TaskError(f"the warning window must be 0 days or more, not {days}")
    moment, deadline = parse_instant(as_of), parse_instant(due)
    if deadline < moment:
        return False
    return (local_date(deadline) - local_date(moment)).days <= int(days)


def warning_status(task: Task, status: str, as_of: dt.datetime, days: int) -> str:
    """``status`` (of :func:`task_status` at ``as_of``) with an open task falling due within ``days`` days made
    :data:`DUE_SOON`; done and overdue tasks keep theirs, so no task is counted both overdue and due soon."""
    return DUE_SOON if status == OPEN and due_soon(task.due_at, as_of, days) else status


def warning_statuses(tasks: Iterable[Task], patrols: Iterable[Patrol] | PatrolIndex, as_of: dt.datetime,
                     days: int) -> list[str]:
    """:func:`warning_status` of each task, with the patrols indexed once."""
    tasks = list(tasks)
    return [warning_status(t, s, as_of, days) for t, s in zip(tasks, statuses(tasks, patrols, as_of))]


@dataclass
class OfficerWarning:
    """The overdue and due-soon tasks of one officer: one line of the 预警 list the desk phones through.

    The officer is the one named on the tasks when they were dispatched (``tg_task``), the person the township
    reminds; tasks of a grid without an officer make a line of their own per grid, so a vacant post shows."""

    officer: str
    phone: str
    grids: list[str] = field(default_factory=list)
    overdue: int = 0
    due_soon: int = 0
    earliest_due: str = ""  # UTC text: the oldest overdue task, else the first to fall due

    @property
    def count(self) -> int:
        return self.overdue + self.due_soon


def officer_warnings(tasks: Iterable[Task], task_statuses: Iterable[str]) -> list[OfficerWarning]:
    """Overdue and due-soon tasks per officer (``task_statuses`` from :func:`warning_statuses`, one per task),
    most overdue first, then most due soon, then the earliest due; done and open tasks are left out."""
    groups: dict[tuple[str, str, str], OfficerWarning] = {}
    for task, status in zip(tasks, task_statuses):
        if status not in (OVERDUE, DUE_SOON):
            continue
        name, phone = (task.officer or "").strip(), (task.phone or "").strip()
        key = (name, phone, "") if name else ("", phone, task.grid_code)
        group = groups.setdefault(key, OfficerWarning(name, phone))
        if task.grid_code not in group.grids:
            group.grids.append(task.grid_code)
        if status == OVERDUE:
            group.overdue += 1
        else:
            group.due_soon += 1
        due = format_utc(parse_instant(task.due_at))
        if not group.earliest_due or due < group.earliest_due:
            group.earliest_due = due
    for group in groups.values():
        group.grids.sort()
    return sorted(groups.values(), key=lambda g: (-g.overdue, -g.due_soon, g.earliest_due, g.officer, g.grids))
