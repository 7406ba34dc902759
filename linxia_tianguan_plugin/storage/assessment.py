"""Read a 田管库 into the inputs of :mod:`..core.reports.assessment`, read-only and in a few queries.

The statistics' inputs (tasks, patrols, cases with their event times, persisted coverage rates, names)
come from :func:`.statistics.load`, the one reader every figure shares. Added here:

- each grid's task just before the period (one ``max(period_end)`` per grid), so that a run of overdue
  tasks reaching into the period is seen;
- the active roster's officer posts (role 'officer', the first row of a grid) with name and phone;
- the tracks started in the period (a day of margin either side; core filters by Beijing date) with
  their flags (JSON) and acceptance;
- each case's first 已下发 and first 已举证 event times.

A path is opened read-only (``mode=ro``) and never migrated; tables a store does not have give no rows.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from types import SimpleNamespace

from ..core.cases import workflow
from ..core.patrol import tasks as task_rules
from ..core.reports import assessment as core
from . import statistics as stats_store
from . import tasks as task_store
from .roster import active_roster_id


def posts(conn: sqlite3.Connection, prefix: str = "") -> list[core.Post]:
    """Officer posts of the active roster under ``prefix``: one per grid (its first 'officer' row)."""
    roster = active_roster_id(SimpleNamespace(conn=conn))
    if roster is None:
        return []
    where, args = task_store.code_range("grid_code", prefix)
    return post_records(conn.execute(
        "SELECT grid_code, level, name, phone, grid_name, vacant FROM tg_officer WHERE roster_id = ? "
        f"AND role = 'officer' AND {where} ORDER BY rowid", [roster, *args]))


def post_records(rows) -> list[core.Post]:
    """Posts of (grid_code, level, name, phone, grid_name, vacant) officer rows in roster order: a grid's first
    row holds its post (shared with :mod:`.pg_statistics`)."""
    out: dict[str, core.Post] = {}
    for code, level, name, phone, grid_name, vacant in rows:
        if str(code) not in out:
            out[str(code)] = core.Post(str(code), int(level), name or None, phone or None, grid_name or "",
                                       bool(vacant))
    return [out[k] for k in sorted(out)]


def previous_tasks(conn: sqlite3.Connection, prefix: str, first: dt.date) -> list[task_rules.Task]:
    """Each grid's last task due before ``first``."""
    where, args = task_store.code_range("t.grid_code", prefix)
    sql = (f"SELECT {', '.join('t.' + c for c in task_rules.Task.COLUMNS)} FROM tg_task t JOIN "
           "(SELECT grid_code, max(period_end) AS last_end FROM tg_task WHERE period_end < ? GROUP BY grid_code) p "
           f"ON p.grid_code = t.grid_code AND p.last_end = t.period_end WHERE {where} "
           "ORDER BY t.grid_code, t.period_start")
    return [task_rules.Task(*row) for row in conn.execute(sql, [first.isoformat(), *args])]


def _flags(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    try:
        value = json.loads(text) if text.strip() else []
    except ValueError:
        return (text,)
    if isinstance(value, dict):
        return tuple(sorted(str(k) for k, v in value.items() if v))
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),) if value else ()


def tracks(conn: sqlite3.Connection, prefix: str, first: dt.date, last: dt.date) -> list[core.TrackRecord]:
    """Tracks with a grid under ``prefix`` started from the day before ``first`` to the day after ``last``
    (UTC text compared; the core keeps those whose Beijing start date is in the period)."""
    where, args = task_store.code_range("grid_code", prefix)
    low, high = track_bounds(first, last)
    sql = ("SELECT track_id, grid_code, started_at, flags, accepted FROM tg_track WHERE grid_code IS NOT NULL "
           f"AND {where} AND started_at >= ? AND started_at < ? ORDER BY grid_code, started_at, track_id")
    return [track_record(row) for row in conn.execute(sql, [*args, low, high])]


def track_bounds(first: dt.date, last: dt.date) -> tuple[str, str]:
    """UTC text bounds [low, high) of the tracks read for a period: a day of margin either side."""
    return (first - dt.timedelta(days=1)).isoformat(), (last + dt.timedelta(days=2)).isoformat()


def track_record(row) -> core.TrackRecord:
    """A TrackRecord of (track_id, grid_code, started_at, flags JSON, accepted) (shared with
    :mod:`.pg_statistics`)."""
    t, g, s, f, a = row
    return core.TrackRecord(str(t), str(g), str(s), _flags(f), bool(a))


def evidence_times(conn: sqlite3.Connection, prefix: str = "") -> dict[str, tuple[str | None, str | None]]:
    """case_id → (first entry into 已下发, first entry into 已举证) from the case events."""
    where, args = task_store.code_range("c.grid_code", prefix)
    out: dict[str, list] = {}
    sql = ("SELECT e.case_id, e.to_state, min(e.event_id), e.at FROM tg_case_event e JOIN tg_case c "
           f"USING (case_id) WHERE e.to_state IN (?, ?) AND {where} GROUP BY e.case_id, e.to_state")
    for case_id, state, _, at in conn.execute(sql, [workflow.ISSUED, workflow.EVIDENCED, *args]):
        out.setdefault(str(case_id), [None, None])[0 if state == workflow.ISSUED else 1] = at
    return {k: (v[0], v[1]) for k, v in out.items()}


def load(store, prefix: str = "", period=None) -> core.AssessInputs:
    """Everything :func:`..core.reports.assessment.assess` needs for ``period`` (first, last) under ``prefix``,
    from ``store`` (a GpkgStore or a path, opened read-only)."""
    first, last = (task_rules.as_date(period[0]), task_rules.as_date(period[1]))
    conn = stats_store.read_only(store)
    try:
        have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        shim = SimpleNamespace(conn=conn)
        inputs = core.AssessInputs(stats_store.load(shim, prefix, first, last, rows=True))
        if "tg_task" in have:
            known = {t.task_id for t in inputs.stats.tasks}
            inputs.stats.tasks += [t for t in previous_tasks(conn, prefix, first) if t.task_id not in known]
        if "tg_officer" in have and "tg_roster_import" in have:
            inputs.posts = posts(conn, prefix)
        if "tg_track" in have:
            inputs.tracks = tracks(conn, prefix, first, last)
        if "tg_case" in have and "tg_case_event" in have:
            inputs.evidence = evidence_times(conn, prefix)
        return inputs
    finally:
        if conn is not getattr(store, "conn", None):
            conn.close()
