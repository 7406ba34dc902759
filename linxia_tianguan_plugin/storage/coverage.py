"""Persisted patrol-coverage rates (schema v8): written by every coverage run, read by the statistics.

The coverage analysis (``processing/patrol/patrol_coverage.py``) is the only place rates are computed; it saves
each run's rates of every county/township/village/group here. The dashboard, the statistics maps and the
assessment read them back through :func:`rates`, so they all show the run's own numbers.
"""
from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Mapping

from ..core import clock
from ..core.patrol.coverage import GridRates
from ..core.patrol.tasks import format_utc


def new_run_id() -> str:
    return "FG" + clock.now_utc().strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:4].upper()


def save_rates(store, start, end, rates: Mapping[str, GridRates], parameters: Mapping | None = None,
               counts: Mapping | None = None, run_id: str | None = None) -> str:
    """Store one run's rates (all grid codes) in one transaction; returns the run id."""
    run_id = run_id or new_run_id()
    with store.transaction() as conn:
        conn.execute("INSERT INTO tg_coverage_run (run_id, run_at, period_start, period_end, parameters, counts) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     (run_id, format_utc(clock.now_utc()), str(start), str(end),
                      json.dumps(dict(parameters or {}), ensure_ascii=False, default=str),
                      json.dumps(dict(counts or {}), ensure_ascii=False, default=str)))
        conn.executemany(
            "INSERT INTO tg_coverage_rate (run_id, code, farmland_m2, seen_m2, basic_m2, basic_seen_m2, parcels, "
            "seen_parcels) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(run_id, r.code, r.farmland_m2, r.seen_m2, r.basic_m2, r.basic_seen_m2, r.parcels, r.seen_parcels)
             for r in rates.values()])
    return run_id


def latest_run(conn: sqlite3.Connection, start=None, end=None) -> tuple[str, str, str] | None:
    """(run_id, period_start, period_end) of the latest run whose period overlaps [start, end] (either
    end open), or None. Latest = the latest period end, then the latest run."""
    if "tg_coverage_run" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}:
        return None
    where, args = ["1"], []
    if start not in (None, ""):
        where.append("period_end >= ?")
        args.append(str(start))
    if end not in (None, ""):
        where.append("period_start <= ?")
        args.append(str(end))
    row = conn.execute(f"SELECT run_id, period_start, period_end FROM tg_coverage_run WHERE {' AND '.join(where)} "
                       "ORDER BY period_end DESC, run_at DESC, run_id DESC LIMIT 1", args).fetchone()
    return tuple(row) if row else None


def rates(conn: sqlite3.Connection, prefix: str = "", start=None, end=None) -> dict[str, GridRates]:
    """Rates (code → GridRates) of the latest run overlapping [start, end], codes under ``prefix``;
    {} when no run does."""
    run = latest_run(conn, start, end)
    if run is None:
        return {}
    sql = ("SELECT code, farmland_m2, seen_m2, basic_m2, basic_seen_m2, parcels, seen_parcels FROM tg_coverage_rate "
           "WHERE run_id = ?")
    args: list = [run[0]]
    if prefix:
        sql += " AND code >= ? AND code < ?"
        args += [prefix, prefix + "\uffff"]
    return {str(row[0]): grid_rates(row) for row in conn.execute(sql, args)}


def grid_rates(row) -> GridRates:
    """GridRates of (code, farmland_m2, seen_m2, basic_m2, basic_seen_m2, parcels, seen_parcels) (shared with
    :mod:`.pg_statistics`)."""
    return GridRates(str(row[0]), float(row[1]), float(row[2]), float(row[3]), float(row[4]), int(row[5]),
                     int(row[6]))


def rates_if_kept(conn: sqlite3.Connection, prefix: str = "", start=None, end=None) -> dict[str, GridRates] | None:
    """:func:`rates`, or None when the store keeps no rates at all (made before schema v8 and read without
    migrating) — so a reader can tell "no run overlaps" ({}) from "rates are not kept here" (None)."""
    if "tg_coverage_rate" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}:
        return None
    return rates(conn, prefix, start, end)
