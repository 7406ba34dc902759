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
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..cases import workflow
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
