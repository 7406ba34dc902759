"""Read a 田管库 into the inputs of :mod:`..core.reports.statistics`, in a few queries and bounded memory.

Whatever is natural to aggregate is aggregated by SQLite: farmland per township (``GROUP BY`` the first 9
digits of the space code, so a 2.5-million-parcel prefecture comes back as a few hundred rows), roster
posts per level/township/role/vacancy, and each case's event times (last event, first 执行中/已整改/已结案).
Tasks and patrols are read as rows because their status needs both (``core.patrol.tasks.statuses``).

Reading never writes: a path is opened read-only (``mode=ro``) without migrating, and tables a store does
not have yet (an older schema, or a store with only the code registry) simply give no rows.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from types import SimpleNamespace

import numpy as np

from ..core.cases import workflow
from ..core.patrol import tasks as task_rules
from ..core.reports import statistics as stats
from . import coverage as coverage_store
from . import tasks as task_store
from .cases import unit_names
from .roster import active_roster_id


def read_only(store) -> sqlite3.Connection:
    """A read-only connection to the store at a path (not migrated, never written), or a store's own."""
    if isinstance(store, (str, os.PathLike)):
        return sqlite3.connect(f"file:{os.fspath(store)}?mode=ro", uri=True, timeout=30.0)
    return store.conn


def tables(conn: sqlite3.Connection) -> set[str]:
    """Names of the store's tables and views: a store read without migrating may lack the newer ones."""
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}



def coded_totals(conn: sqlite3.Connection, prefix: str = "") -> tuple[float, float]:
    """(耕地 m², 永久基本农田 m²) of the active coded parcels under ``prefix``: the surveyed year's totals."""
    farm, basic = conn.execute("SELECT total(gdmj_m2), total(yjmj_m2) FROM tg_space_code WHERE status = 'active' "
                               "AND code >= ? AND code < ?", (prefix, prefix + "\uffff")).fetchone()
    return float(farm), float(basic)


def change_run_inputs(conn: sqlite3.Connection) -> list[tuple[str, str | None]]:
    """(run_id, inputs as stored JSON) of every change-detection run, oldest first: which layers each compared,
    from which the survey years are told."""
    return [(str(r), i) for r, i in conn.execute("SELECT run_id, inputs FROM tg_change_run ORDER BY run_at")]


def coding_parameters(conn: sqlite3.Connection) -> str | None:
    """The stored JSON parameters of the coding run the current codes come from (the latest not undone; a store
    older than undo has no ``undone_at`` column), or None when nothing was coded."""
    undone = any(r[1] == "undone_at" for r in conn.execute("PRAGMA table_info(tg_coding_run)"))
    row = conn.execute("SELECT parameters FROM tg_coding_run " + ("WHERE undone_at IS NULL " if undone else "")
                       + "ORDER BY started_at DESC LIMIT 1").fetchone()
    return row[0] if row else None


def survey_losses(conn: sqlite3.Connection, prefix: str = "") -> list[tuple[str, float, float]]:
    """(run_id, 耕地 m², 永久基本农田 m²) lost per change-detection run, summed over its survey-to-survey cases
    (``source = 'survey'``) of grids under ``prefix``: the change between two survey years."""
    return [(str(run), float(farm), float(basic)) for run, farm, basic in conn.execute(
        "SELECT run_id, total(farmland_m2), total(basic_m2) FROM tg_case WHERE source = 'survey' "
        "AND coalesce(grid_code, '') >= ? AND coalesce(grid_code, '') < ? GROUP BY run_id",
        (prefix, prefix + "\uffff"))]


def farmland(conn: sqlite3.Connection, prefix: str = "") -> list[stats.FarmlandRow]:
    """Active parcels' 耕地 / 永久基本农田 m² per township (first 9 digits of the space code).

    With schema v10's covering index of the active codes, township by township as index range scans
    (the next township found by one index seek): a prefecture's 2.5 million codes in well under a
    second, where scanning the table (whose rows carry the geometry) takes seconds. Older stores, which
    this read-only reader does not migrate, get the plain ``GROUP BY``."""
    indexed = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'idx_tg_space_code_active'"
                           ).fetchone()
    if not indexed:
        where, args = task_store.code_range("code", prefix)
        sql = ("SELECT substr(code, 1, 9) AS t, total(gdmj_m2), total(yjmj_m2), count(*) FROM tg_space_code "
               f"WHERE status = 'active' AND {where} GROUP BY t ORDER BY t")
        return [stats.FarmlandRow(str(t), float(f), float(b), int(n)) for t, f, b, n in conn.execute(sql, args)]
    if len(prefix) >= 9:  # within one township: its part under the prefix (a village, a group)
        farm, basic, n = conn.execute("SELECT total(gdmj_m2), total(yjmj_m2), count(*) FROM tg_space_code "
                                      "WHERE status = 'active' AND code >= ? AND code < ?",
                                      (prefix, prefix + "\uffff")).fetchone()
        return [stats.FarmlandRow(prefix[:9], float(farm), float(basic), int(n))] if n else []
    rows, key, stop = [], prefix, prefix + "\uffff"
    while True:
        found = conn.execute("SELECT substr(code, 1, 9) FROM tg_space_code WHERE status = 'active' AND code >= ? "
                             "AND code < ? ORDER BY code LIMIT 1", (key, stop)).fetchone()
        if found is None:
            return rows
        township = str(found[0])
        upto = township + "\uffff"
        farm, basic, n = conn.execute("SELECT total(gdmj_m2), total(yjmj_m2), count(*) FROM tg_space_code "
                                      "WHERE status = 'active' AND code >= ? AND code < ?", (township, upto)).fetchone()
        rows.append(stats.FarmlandRow(township, float(farm), float(basic), int(n)))
        key = upto


def officers(conn: sqlite3.Connection, prefix: str = "") -> list[stats.OfficerRecord]:
    """Posts of the active roster counted per level, township, role and vacancy."""
    roster = active_roster_id(SimpleNamespace(conn=conn))
    if roster is None:
        return []
    where, args = task_store.code_range("grid_code", prefix)
    sql = ("SELECT level, substr(grid_code, 1, 9) AS t, role, vacant, count(*) FROM tg_officer "
           f"WHERE roster_id = ? AND {where} GROUP BY level, t, role, vacant ORDER BY level, t, role, vacant")
    return [stats.OfficerRecord(int(lv), str(t), str(role), bool(v), int(n))
            for lv, t, role, v, n in conn.execute(sql, [roster, *args])]


def _ints(conn: sqlite3.Connection, sql: str, args, width: int) -> np.ndarray:
    """Integer columns of a query as an (n, width) array, from one ``group_concat`` text: SQLite formats
    the numbers in C and numpy parses them, instead of a Python tuple per row (a million tasks)."""
    return int_columns(conn.execute(sql, args).fetchone()[0], width)


def int_columns(text: str | None, width: int) -> np.ndarray:
    """Comma-separated integers as an (n, width) array (shared with :mod:`.pg_statistics`)."""
    if not text:
        return np.zeros((0, width), np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",").reshape(-1, width)


#: day number (days since 1970-01-01) of a date column, or of an instant's Shanghai date
_DAY = "CAST(julianday({}) - 2440587.5 AS INTEGER)"


def task_table(conn: sqlite3.Connection, prefix: str = "", start=None, end=None) -> stats.TaskTable:
    """Tasks under ``prefix`` whose period overlaps [start, end], as columns
    (:class:`..core.reports.statistics.TaskTable`).

    Read grouped by period (a year has some 70 distinct periods and due instants): each group's grid codes
    come as one text, so the dates are converted 70 times, not a million (schema v9's period index serves
    the grouping without a sort)."""
    where, args = task_store.task_filter(prefix, start, end)
    return task_columns(conn.execute(
        f"SELECT period_start, period_end, due_at, group_concat(grid_code) FROM tg_task WHERE {where} "
        "GROUP BY period_end, period_start, due_at", args))


def task_columns(groups) -> stats.TaskTable:
    """:class:`..core.reports.statistics.TaskTable` of (period_start, period_end, due_at, comma-separated grid
    codes) groups: the one conversion of the GeoPackage and the PostGIS readers (:mod:`.pg_statistics`)."""
    grids, first, last, due = [], [], [], []
    for period_start, period_end, due_at, codes in groups:
        block = np.fromstring(codes, dtype=np.int64, sep=",")
        grids.append(block)
        first.append(np.full(len(block), stats.day_number(period_start), np.int64))
        last.append(np.full(len(block), stats.day_number(period_end), np.int64))
        due.append(np.full(len(block), task_rules.parse_instant(due_at).timestamp(), np.float64))
    if not grids:
        empty = np.zeros(0, np.int64)
        return stats.TaskTable(empty, empty, empty, np.zeros(0, np.float64))
    return stats.TaskTable(*(np.concatenate(c) for c in (grids, first, last, due)))


def patrol_days(conn: sqlite3.Connection, prefix: str = "") -> stats.PatrolDays:
    """Valid patrols under ``prefix`` as columns: grid code and Shanghai day number of their start
    (Shanghai keeps +8 h all year). A start SQLite cannot read is left out, as it could not count."""
    where, args = task_store.code_range("grid_code", prefix)
    day = _DAY.format("started_at, '+8 hours'")
    cols = _ints(conn, f"SELECT group_concat(grid_code || ',' || {day}, ',') FROM tg_patrol "
                       f"WHERE valid = 1 AND julianday(started_at) IS NOT NULL AND {where}", args, 2)
    return stats.PatrolDays(cols[:, 0], cols[:, 1])


def cases(conn: sqlite3.Connection, prefix: str = "") -> list[stats.CaseRecord]:
    """Cases with the times of their events (SQLite's bare columns of ``min``/``max`` aggregates)."""
    times: dict[str, dict[str, str]] = {}
    for case_id, _, at in conn.execute("SELECT case_id, max(event_id), at FROM tg_case_event GROUP BY case_id"):
        times.setdefault(case_id, {})["entered_at"] = at
    firsts = FIRST_TIMES
    for case_id, state, _, at in conn.execute(
            "SELECT case_id, to_state, min(event_id), at FROM tg_case_event WHERE to_state IN (?, ?, ?) "
            "GROUP BY case_id, to_state", list(firsts)):
        times.setdefault(case_id, {})[firsts[state]] = at
    where, args = task_store.code_range("grid_code", prefix)
    sql = ("SELECT case_id, state, kind, category, area_m2, coalesce(basic_m2, 0), coalesce(farmland_m2, 0), "
           f"coalesce(grid_code, ''), detected_at FROM tg_case WHERE {where} ORDER BY case_id")
    return [case_record(row, times) for row in conn.execute(sql, args)]


#: a case's first entry into these states, as :class:`..core.reports.statistics.CaseRecord` fields
FIRST_TIMES = {workflow.ENFORCING: "enforcing_at", workflow.RECTIFIED: "rectified_at", workflow.CLOSED: "closed_at"}


def case_record(row, times: dict[str, dict[str, str]]) -> stats.CaseRecord:
    """A CaseRecord of (case_id, state, kind, category, area, basic, farmland, grid, detected_at) and the case's
    event times (shared with :mod:`.pg_statistics`)."""
    return stats.CaseRecord(*row[:4], float(row[4] or 0.0), float(row[5]), float(row[6]), *row[7:],
                            **times.get(row[0], {}))


def load(store, prefix: str = "", start=None, end=None, rows: bool = False) -> stats.StatInputs:
    """Everything :func:`..core.reports.statistics.figures` needs from ``store`` (a GpkgStore or a path, opened
    read-only), under ``prefix``; tasks are limited to those whose period overlaps [start, end] if given,
    coverage rates are those of the latest coverage run overlapping it (:func:`.coverage.rates`).

    Tasks and patrols are read as columns (:class:`..core.reports.statistics.TaskTable`), or as rows too with
    ``rows`` (what the assessment works on). The farmland sums are read meanwhile in a thread on a second
    connection: SQLite works without the GIL, so both cores are busy."""
    conn = read_only(store)
    try:
        have = tables(conn)
        shim = SimpleNamespace(conn=conn)
        out = stats.StatInputs()
        worker, result = None, {}
        if "tg_space_code" in have:
            path = os.fspath(store) if isinstance(store, (str, os.PathLike)) else getattr(store, "path", None)
            if path:
                def read_farmland() -> None:
                    second = read_only(path)
                    try:
                        result["rows"] = farmland(second, prefix)
                    except sqlite3.Error as err:  # raised on the caller's thread
                        result["error"] = err
                    finally:
                        second.close()

                worker = threading.Thread(target=read_farmland, name="tianguan-farmland", daemon=True)
                worker.start()
            else:
                out.farmland = farmland(conn, prefix)
        if "tg_officer" in have:
            out.officers = officers(conn, prefix)
        if "tg_task" in have:
            out.task_table = task_table(conn, prefix, start, end)
            out.patrol_days = patrol_days(conn, prefix)
            if rows:
                out.tasks = task_store.tasks(shim, prefix, start, end)
                out.patrols = task_rules.PatrolIndex(task_store.patrols(shim, prefix))
        if "tg_case" in have and "tg_case_event" in have:
            out.cases = cases(conn, prefix)
        if "tg_coverage_rate" in have:
            out.rates = coverage_store.rates(conn, prefix, start, end)
        if "tg_admin_unit" in have:
            out.names = unit_names(shim)
        if worker is not None:
            worker.join()
            if "error" in result:
                raise result["error"]
            out.farmland = result["rows"]
        return out
    finally:
        if conn is not getattr(store, "conn", None):
            conn.close()
