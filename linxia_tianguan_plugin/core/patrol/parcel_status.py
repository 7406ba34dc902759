"""码上查 — a parcel's status from its facts: its cases, its group's patrol tasks, and its patrol history.

The desk keys in (or scans) a parcel's space code and must see at once whether the parcel needs attention. Four
statuses, each one colour on the coded layer; when several apply the first of this precedence wins, because
it names the most urgent thing to do:

1. ``case`` (red, 有未结案件): a case touching the parcel is not closed and not yet being enforced or rectified —
   someone still has to verify, report or decide it;
2. ``rectifying`` (blue, 整改中): every unclosed case touching it is 执行中 or 已整改 (enforcement or rectification
   under way, waiting for the county to close it);
3. ``overdue`` (yellow, 巡田逾期): no unclosed case, but the parcel's group (社 grid) missed its patrol — the
   group's latest *decided* task (done or overdue; the current period, still open, decides nothing yet) is
   overdue;
4. ``clean`` (green, 正常): none of the above — the group patrolled within its last period (or has no task
   dispatched, so nothing is late) and every case touching the parcel is closed.

Like the task statuses (:mod:`.tasks`), the status is derived each time it is asked for, never stored, so a late
import of patrols or a case moved on is reflected at once. Plain Python (no Qt, no QGIS).

A case touches the parcels its ``parcel_codes`` list. When a listed code is no longer active (the parcel was recoded
since) or the case lists none (a field report or a video alarm placed off the coded parcels), it touches instead the
active parcels its polygon overlaps by at least :data:`MIN_OVERLAP_M2` — the pre-judgement's own rule
(:func:`..cases.prejudge.affected_codes`) — so a case never drops off the map because the codes moved on.

The coded layer needs every parcel of a county (300 000) at once: :class:`StatusFacts` holds what the statuses are
derived from — per parcel code the unclosed cases touching it (a few hundred cases, a few thousand codes), per group
its deciding task status and last patrol — read once, and :meth:`StatusFacts.evaluate` gives the statuses of any
chunk of parcels with array operations, the same answer as :func:`parcel_status` parcel by parcel.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..cases import workflow
from ..cases.prejudge import affected_codes
from . import tasks as task_rules

CASE, RECTIFYING, OVERDUE, CLEAN = "case", "rectifying", "overdue", "clean"
#: the statuses in precedence order: the first that applies is the parcel's
PRECEDENCE: tuple[str, ...] = (CASE, RECTIFYING, OVERDUE, CLEAN)
#: fixed Chinese names (the coded layer and lists handed to the desk, whatever the UI language)
STATUS_ZH: dict[str, str] = {CASE: "有未结案件", RECTIFYING: "整改中", OVERDUE: "巡田逾期", CLEAN: "正常"}
#: the colour of each status on the coded layer (resources/styles/parcel_status.qml uses the same)
COLOURS: dict[str, str] = {CASE: "#e31a1c", RECTIFYING: "#1f78b4", OVERDUE: "#ffd92f", CLEAN: "#33a02c"}

#: case states that mean enforcement or rectification is under way (blue rather than red)
RECTIFYING_STATES: frozenset[str] = frozenset({workflow.ENFORCING, workflow.RECTIFIED})

#: a track passing within this distance (metres, store CRS) of a parcel "saw" it: a walking officer looks at the
#: fields beside the path, and phone positions wander by 5–30 m
NEAR_M = 50.0

#: a case whose listed parcels are not all active touches the active parcels its polygon overlaps by this much (m²;
#: the pre-judgement's threshold: a shared boundary or a sliver is not touching)
MIN_OVERLAP_M2 = 1.0

#: kinds of rows of a parcel's history, with their fixed Chinese names
PATROL, CASE_EVENT = "patrol", "case_event"
HISTORY_KIND_ZH: dict[str, str] = {PATROL: "巡田", CASE_EVENT: "案件事件"}


def parcel_status(case_states: Iterable[str], group_task: str | None) -> str:
    """The parcel's status (:data:`PRECEDENCE`) from the states of the cases touching it and its group's deciding
    task status (:func:`deciding_task_status`; None when the group has no task)."""
    unclosed = {s for s in case_states if s not in workflow.TERMINAL_STATES}
    if unclosed - RECTIFYING_STATES:
        return CASE
    if unclosed:
        return RECTIFYING
    if group_task == task_rules.OVERDUE:
        return OVERDUE
    return CLEAN


def deciding_task_status(statuses: Sequence[str]) -> str | None:
    """The status of the latest *decided* task (done or overdue) among a group's task statuses in period order;
    None when none is decided yet. The current period's open task decides nothing: the officer still has time,
    so what the parcel shows is whether the last finished period was patrolled."""
    for status in reversed(statuses):
        if status != task_rules.OPEN:
            return status
    return None


def group_task_status(tasks: Iterable[task_rules.Task], patrols: Iterable[task_rules.Patrol],
                      now: dt.datetime) -> str | None:
    """:func:`deciding_task_status` of a group's tasks whose period has started by ``now`` (Beijing dates)."""
    today = task_rules.local_date(now)
    started = sorted((t for t in tasks if task_rules.as_date(t.period_start) <= today), key=lambda t: t.period_start)
    return deciding_task_status(task_rules.statuses(started, patrols, now))


@dataclass(frozen=True)
class HistoryRow:
    """One line of a parcel's history: when (UTC text), kind (:data:`HISTORY_KIND_ZH`), who, what."""

    at: str
    kind: str
    who: str
    what: str


def history(tracks: Iterable[dict], events: Iterable[dict]) -> list[HistoryRow]:
    """The parcel's history, oldest first: the tracks that saw it (``track_id``, ``officer``, ``started_at``,
    ``ended_at``, ``accepted``, ``distance_m``) and the events of its cases (``case_no``/``case_id``, ``at``,
    ``actor``, ``to_state``, ``comment``). ``what`` is Chinese text for the desk (fixed, like the state names)."""
    rows = []
    for t in tracks:
        verdict = "有效" if t.get("accepted") else "未计入"
        what = "轨迹 {} 距地块 {:.0f} 米，{}至{}（{}）".format(
            t["track_id"], float(t.get("distance_m") or 0.0), task_rules.local_text(t["started_at"])[:16],
            task_rules.local_text(t["ended_at"])[11:16], verdict)
        rows.append(HistoryRow(t["started_at"], PATROL, t.get("officer") or "", what))
    for e in events:
        state = workflow.STATE_NAMES.get(e["to_state"], e["to_state"])
        comment = "：{}".format(e["comment"]) if e.get("comment") else ""
        what = "案件 {} → {}{}".format(e.get("case_no") or e["case_id"], state, comment)
        rows.append(HistoryRow(e["at"], CASE_EVENT, e.get("actor") or "", what))
    return sorted(rows, key=lambda r: (r.at, r.kind, r.what))


def last_patrol(tracks: Iterable[dict]) -> dict | None:
    """The latest accepted track that saw the parcel (by start), or None."""
    accepted = [t for t in tracks if t.get("accepted")]
    return max(accepted, key=lambda t: (t["started_at"], t["track_id"])) if accepted else None


# ------------------------------------------------------------------------------------ which parcels a case touches
def needs_geometry(listed: Sequence[str], active: Collection[str]) -> bool:
    """Whether a case's polygon, not its list, says which parcels it touches: it lists none, or a listed code is
    not active any more (``active``: the active codes among ``listed``, or a superset)."""
    return not listed or any(code not in active for code in listed)


def touched_codes(listed: Sequence[str], active: Collection[str], case_geometry=None,
                  candidates: Sequence[tuple[str, object]] = ()) -> list[str]:
    """The active parcels a case touches, sorted: the listed codes that are active, and — when
    :func:`needs_geometry` — the ``candidates`` ((code, shapely polygon) of active parcels near it) its polygon
    overlaps by :data:`MIN_OVERLAP_M2` or more."""
    out = {code for code in listed if code in active}
    if needs_geometry(listed, active) and case_geometry is not None and len(candidates):
        codes = [code for code, _ in candidates]
        geoms = [geom for _, geom in candidates]
        out.update(affected_codes([case_geometry], geoms, codes, MIN_OVERLAP_M2)[0])
    return sorted(out)


# ------------------------------------------------------------------------------------ every parcel at once
def case_counts(touches: Iterable[tuple[str, Iterable[str]]]) -> dict[str, tuple[int, int]]:
    """Per parcel code: (unclosed cases still to be acted on, cases being enforced or rectified), from
    (case state, codes it touches) pairs; closed cases count nowhere (they change no status)."""
    out: dict[str, list[int]] = {}
    for state, codes in touches:
        if state in workflow.TERMINAL_STATES:
            continue
        slot = 1 if state in RECTIFYING_STATES else 0
        for code in set(codes):
            out.setdefault(code, [0, 0])[slot] += 1
    return {code: (red, blue) for code, (red, blue) in out.items()}


def group_task_statuses(tasks: Iterable[task_rules.Task], patrols: Iterable[task_rules.Patrol] |
                        task_rules.PatrolIndex, now: dt.datetime) -> dict[str, str | None]:
    """:func:`group_task_status` of every group with a task, the patrols indexed once: per group its started
    tasks newest first, stopping at the first decided one (most groups: one or two tasks looked at)."""
    today = task_rules.local_date(now)
    index = patrols if isinstance(patrols, task_rules.PatrolIndex) else task_rules.PatrolIndex(patrols)
    by_group: dict[str, list[task_rules.Task]] = {}
    for task in tasks:
        if task_rules.as_date(task.period_start) <= today:
            by_group.setdefault(task.grid_code, []).append(task)
    out: dict[str, str | None] = {}
    for group, found in by_group.items():
        decided = None
        for task in sorted(found, key=lambda t: t.period_start, reverse=True):
            status = task_rules.task_status(task, index, now)
            if status != task_rules.OPEN:
                decided = status
                break
        out[group] = decided
    return out


def last_patrols(patrols: Iterable[task_rules.Patrol]) -> dict[str, str]:
    """Per grid: the start (UTC text) of its latest valid patrol — what says a group was last walked."""
    out: dict[str, str] = {}
    for p in patrols:
        if p.valid and p.started_at > out.get(p.grid_code, ""):
            out[p.grid_code] = p.started_at
    return out


#: digits of a parcel's group (社) code: its space code's first 14; the group's grid and task level (社)
GROUP_DIGITS, GROUP_LEVEL = 14, 5


@dataclass(frozen=True)
class StatusFacts:
    """What every parcel's status is derived from, read once for a county: per code the unclosed cases touching it
    (:func:`case_counts`), per group its deciding task status (:func:`group_task_statuses`; a group without a
    started task is absent) and its last valid patrol (:func:`last_patrols`)."""

    cases: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    group_task: Mapping[str, str | None] = field(default_factory=dict)
    last_patrol: Mapping[str, str] = field(default_factory=dict)

    def evaluate(self, codes: Sequence[str]) -> dict[str, np.ndarray]:
        """Columns for ``codes``: ``status`` (:data:`PRECEDENCE`), ``open_cases`` (unclosed cases touching the
        parcel), ``group_task`` (its group's deciding task status, None without one) and ``last_patrol`` (UTC
        text of its group's latest valid patrol, None without one). Array operations: a binary search of the
        few case-touched codes, one dictionary look-up per distinct group."""
        code = np.asarray(list(codes), dtype="U20")
        n = len(code)
        red, blue = np.zeros(n, np.int64), np.zeros(n, np.int64)
        if n and self.cases:
            items = sorted(self.cases.items())
            keys = np.array([k for k, _ in items], dtype="U20")
            counts = np.array([c for _, c in items], dtype=np.int64).reshape(-1, 2)
            at = np.minimum(np.searchsorted(keys, code), len(keys) - 1)
            hit = keys[at] == code
            red[hit], blue[hit] = counts[at[hit], 0], counts[at[hit], 1]
        groups, inverse = np.unique(code.astype(f"U{GROUP_DIGITS}"), return_inverse=True)
        decided = _looked_up(self.group_task, groups.tolist())
        overdue = np.array([s == task_rules.OVERDUE for s in decided.tolist()], dtype=bool)
        status = np.select([red > 0, blue > 0, overdue[inverse]], [CASE, RECTIFYING, OVERDUE], CLEAN).astype("U10")
        return {"code": code, "status": status, "open_cases": red + blue, "group_task": decided[inverse],
                "last_patrol": _looked_up(self.last_patrol, groups.tolist())[inverse]}


def _looked_up(mapping: Mapping[str, str | None], keys: list[str]) -> np.ndarray:
    """``mapping``'s values of ``keys`` as an object array (None where absent)."""
    out = np.empty(len(keys), dtype=object)
    out[:] = [mapping.get(k) for k in keys]
    return out
