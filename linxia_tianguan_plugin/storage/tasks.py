"""Patrol tasks and patrols in the 田管库 (tables of schema v3), and the grids and officers they need.

Tasks refer to grid *codes*, which stay the same across grid builds and roster imports, so older
tasks keep their meaning when the grid is rebuilt. Every write is one transaction and idempotent:
task ids and patrol ids are deterministic, rows already there are left alone (INSERT OR IGNORE).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..core.patrol.tasks import Patrol, Task
from .grid import active_build, active_cell_names
from .roster import active_roster_id
from .store import GpkgStore, StoreError


class NoGridError(StoreError):
    """The store has neither an active grid build nor an active officer roster."""


def code_range(column: str, prefix: str) -> tuple[str, list]:
    """A range on ``column`` (index friendly) for codes starting with ``prefix``; everything for ''."""
    if not prefix:
        return "1", []
    return f"{column} >= ? AND {column} < ?", [prefix, prefix + "\uffff"]


def task_filter(prefix: str = "", start=None, end=None) -> tuple[str, list]:
    """WHERE clause of the tasks of grids under ``prefix`` whose period overlaps [start, end]."""
    where, args = code_range("grid_code", prefix)
    if start is not None:
        where += " AND period_end >= ?"
        args.append(str(start))
    if end is not None:
        where += " AND period_start <= ?"
        args.append(str(end))
    return where, args


def _insert_new_in(conn, table: str, columns: tuple[str, ...], rows: list[tuple]) -> int:
    """INSERT OR IGNORE ``rows`` inside the caller's transaction; return how many were new."""
    before = conn.total_changes
    conn.executemany(f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) "
                     f"VALUES ({', '.join('?' * len(columns))})", rows)
    return conn.total_changes - before


def _insert_new(store: GpkgStore, table: str, columns: tuple[str, ...], rows: list[tuple]) -> int:
    """INSERT OR IGNORE ``rows`` in one transaction; return how many were new."""
    with store.transaction() as conn:
        return _insert_new_in(conn, table, columns, rows)


def insert_tasks(store: GpkgStore, rows: Iterable[Task]) -> int:
    """Insert tasks not there yet (same grid and period start), in one transaction; return how many were new."""
    return _insert_new(store, "tg_task", Task.COLUMNS, [r.as_row() for r in rows])


def tasks(store: GpkgStore, prefix: str = "", start: dt.date | str | None = None,
          end: dt.date | str | None = None, levels: Iterable[int] | None = None) -> list[Task]:
    """Tasks of grids under ``prefix`` whose period overlaps [start, end], by grid code and period."""
    where, args = task_filter(prefix, start, end)
    if levels is not None:
        wanted = sorted({int(v) for v in levels})
        where += f" AND level IN ({', '.join('?' * len(wanted))})" if wanted else " AND 0"
        args += wanted
    sql = f"SELECT {', '.join(Task.COLUMNS)} FROM tg_task WHERE {where} ORDER BY grid_code, period_start"
    return [Task(*row) for row in store.conn.execute(sql, args)]


def add_patrols(store: GpkgStore, rows: Iterable[Patrol]) -> int:
    """Record patrols (by hand or imported) in one transaction; return how many were new."""
    return _insert_new(store, "tg_patrol", Patrol.COLUMNS, [r.as_row() for r in rows])


def add_patrols_in(conn, rows: Iterable[Patrol]) -> int:
    """:func:`add_patrols` inside the caller's open transaction (``store.transaction()``), for a write that
    records patrols together with something else, all or nothing; return how many were new."""
    return _insert_new_in(conn, "tg_patrol", Patrol.COLUMNS, [r.as_row() for r in rows])


def patrols(store: GpkgStore, prefix: str = "") -> list[Patrol]:
    """Patrols of grids under ``prefix``, by grid and start."""
    where, args = code_range("grid_code", prefix)
    sql = f"SELECT {', '.join(Patrol.COLUMNS)} FROM tg_patrol WHERE {where} ORDER BY grid_code, started_at"
    return [Patrol(*row[:6], bool(row[6]), row[7]) for row in store.conn.execute(sql, args)]


def grids_for_dispatch(store: GpkgStore, prefix: str = "", levels: Iterable[int] | None = None
                       ) -> list[tuple[str, int]]:
    """(code, level) of the active grid build's cells, else of the active roster's grids.

    Raises :class:`NoGridError` when the store has neither: build the grid or import a roster first.
    """
    where, args = code_range("code", prefix)
    build = active_build(store)
    if build is not None:
        rows = store.conn.execute(f"SELECT DISTINCT code, level FROM tg_grid_cell WHERE build_id = ? AND {where}",
                                  [build, *args]).fetchall()
    else:
        roster = active_roster_id(store)
        if roster is None:
            raise NoGridError(f"田管库 {store.path} has no active patrol grid and no active officer roster: "
                              "build the patrol grid or import an officer roster first")
        where, args = code_range("grid_code", prefix)
        rows = store.conn.execute(
            f"SELECT DISTINCT grid_code, level FROM tg_officer WHERE roster_id = ? AND {where}",
            [roster, *args]).fetchall()
    wanted = None if levels is None else {int(v) for v in levels}
    return sorted((str(code), int(level)) for code, level in rows if wanted is None or int(level) in wanted)


def known_grid_codes(store: GpkgStore) -> set[str]:
    """Grid codes a patrol may refer to: the active grid (or roster) and every grid that has tasks."""
    codes = {r[0] for r in store.conn.execute("SELECT DISTINCT grid_code FROM tg_task")}
    try:
        codes |= {code for code, _ in grids_for_dispatch(store)}
    except NoGridError:
        pass
    return codes


def officers_for(store: GpkgStore) -> dict[str, tuple[str | None, str | None]]:
    """grid code → (name, phone) of the active roster's officer in charge (not assistants, not vacant)."""
    roster = active_roster_id(store)
    if roster is None:
        return {}
    out: dict[str, tuple[str | None, str | None]] = {}
    for code, name, phone in store.conn.execute(
            "SELECT grid_code, name, phone FROM tg_officer WHERE roster_id = ? AND role = 'officer' "
            "AND vacant = 0 ORDER BY rowid", (roster,)):
        out.setdefault(str(code), (name or None, phone or None))
    return out


def grid_names(store: GpkgStore) -> dict[str, str]:
    """grid code → name, from the active grid build, completed from the active roster."""
    names: dict[str, str] = {}
    roster = active_roster_id(store)
    if roster is not None:
        names.update({str(c): n for c, n in store.conn.execute(
            "SELECT grid_code, grid_name FROM tg_officer WHERE roster_id = ? AND grid_name IS NOT NULL "
            "AND grid_name <> ''", (roster,))})
    names.update(active_cell_names(store))
    return names


def plan_starts(store: GpkgStore) -> tuple[dict[str, dt.date], dt.date | None]:
    """The first day of the patrol plan per grid code (its earliest task period), and of the whole store."""
    per_grid = {str(code): dt.date.fromisoformat(str(start)[:10]) for code, start in store.conn.execute(
        "SELECT grid_code, min(period_start) FROM tg_task GROUP BY grid_code")}
    return per_grid, (min(per_grid.values()) if per_grid else None)
