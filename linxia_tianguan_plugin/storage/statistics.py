"""Read a 田管库 into the inputs of :mod:`..core.statistics`, in a few queries and bounded memory.

Whatever is natural to aggregate is aggregated by SQLite: farmland per township (``GROUP BY`` the first 9
digits of the space code, so a 2.5-million-parcel prefecture comes back as a few hundred rows), roster
posts per level/township/role/vacancy, and each case's event times (last event, first 执行中/已整改/已结案).
Tasks and patrols are read as rows because their status needs both (``core.tasks.statuses``).

Reading never writes: a path is opened read-only (``mode=ro``) without migrating, and tables a store does
not have yet (an older schema, or a store with only the code registry) simply give no rows.
"""
from __future__ import annotations

import os
import sqlite3
from types import SimpleNamespace

from ..core import case_workflow as workflow
from ..core import statistics as stats
from ..core import tasks as task_rules
from . import coverage as coverage_store
from . import tasks as task_store


def _connection(store) -> sqlite3.Connection:
    if isinstance(store, (str, os.PathLike)):
        return sqlite3.connect(f"file:{os.fspath(store)}?mode=ro", uri=True, timeout=30.0)
    return store.conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def _prefix(column: str, prefix: str) -> tuple[str, list]:
    """A range on ``column`` (index friendly) for codes starting with the digits of ``prefix``."""
    if not prefix:
        return "1", []
    return f"{column} >= ? AND {column} < ?", [prefix, prefix + "\uffff"]


def farmland(conn: sqlite3.Connection, prefix: str = "") -> list[stats.FarmlandRow]:
    """Active parcels' 耕地 / 永久基本农田 m² per township (first 9 digits of the space code)."""
    where, args = _prefix("code", prefix)
    sql = ("SELECT substr(code, 1, 9) AS t, total(gdmj_m2), total(yjmj_m2), count(*) FROM tg_space_code "
           f"WHERE status = 'active' AND {where} GROUP BY t ORDER BY t")
    return [stats.FarmlandRow(str(t), float(f), float(b), int(n)) for t, f, b, n in conn.execute(sql, args)]


def officers(conn: sqlite3.Connection, prefix: str = "") -> list[stats.OfficerRecord]:
    """Posts of the active roster counted per level, township, role and vacancy."""
    roster = task_store.active_roster(SimpleNamespace(conn=conn))
    if roster is None:
        return []
    where, args = _prefix("grid_code", prefix)
    sql = ("SELECT level, substr(grid_code, 1, 9) AS t, role, vacant, count(*) FROM tg_officer "
           f"WHERE roster_id = ? AND {where} GROUP BY level, t, role, vacant ORDER BY level, t, role, vacant")
    return [stats.OfficerRecord(int(lv), str(t), str(role), bool(v), int(n))
            for lv, t, role, v, n in conn.execute(sql, [roster, *args])]


def cases(conn: sqlite3.Connection, prefix: str = "") -> list[stats.CaseRecord]:
    """Cases with the times of their events (SQLite's bare columns of ``min``/``max`` aggregates)."""
    times: dict[str, dict[str, str]] = {}
    for case_id, _, at in conn.execute("SELECT case_id, max(event_id), at FROM tg_case_event GROUP BY case_id"):
        times.setdefault(case_id, {})["entered_at"] = at
    firsts = {workflow.ENFORCING: "enforcing_at", workflow.RECTIFIED: "rectified_at", workflow.CLOSED: "closed_at"}
    for case_id, state, _, at in conn.execute(
            "SELECT case_id, to_state, min(event_id), at FROM tg_case_event WHERE to_state IN (?, ?, ?) "
            "GROUP BY case_id, to_state", list(firsts)):
        times.setdefault(case_id, {})[firsts[state]] = at
    where, args = _prefix("grid_code", prefix)
    sql = ("SELECT case_id, state, kind, category, area_m2, coalesce(basic_m2, 0), coalesce(farmland_m2, 0), "
           f"coalesce(grid_code, ''), detected_at FROM tg_case WHERE {where} ORDER BY case_id")
    return [stats.CaseRecord(*row[:4], float(row[4] or 0.0), float(row[5]), float(row[6]), *row[7:],
                             **times.get(row[0], {})) for row in conn.execute(sql, args)]


def load(store, prefix: str = "", start=None, end=None) -> stats.StatInputs:
    """Everything :func:`..core.statistics.figures` needs from ``store`` (a GpkgStore or a path, opened
    read-only), under ``prefix``; tasks are limited to those whose period overlaps [start, end] if given,
    coverage rates are those of the latest coverage run overlapping it (:func:`.coverage.rates`)."""
    conn = _connection(store)
    try:
        have = _tables(conn)
        shim = SimpleNamespace(conn=conn)
        out = stats.StatInputs()
        if "tg_space_code" in have:
            out.farmland = farmland(conn, prefix)
        if "tg_officer" in have:
            out.officers = officers(conn, prefix)
        if "tg_task" in have:
            out.tasks = task_store.tasks(shim, prefix, start, end)
            out.patrols = task_rules.PatrolIndex(task_store.patrols(shim, prefix))
        if "tg_case" in have and "tg_case_event" in have:
            out.cases = cases(conn, prefix)
        if "tg_coverage_rate" in have:
            out.rates = coverage_store.rates(conn, prefix, start, end)
        if "tg_admin_unit" in have:
            out.names = dict(conn.execute("SELECT code, name FROM tg_admin_unit"))
        return out
    finally:
        if conn is not getattr(store, "conn", None):
            conn.close()
