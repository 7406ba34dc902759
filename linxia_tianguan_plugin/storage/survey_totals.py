"""变更调查年度数据 — the official yearly farmland totals per county or township (table ``tg_survey_total``, desk
migration 17; ``survey_totals`` in the prefecture's shared store, schema version 9).

Why a table of its own: the desk knows one survey's farmland exactly (its coded parcels) and derives the other years
from change runs, as bounds (:mod:`..reports.survey_years`). The county receives the official totals of every annual
change survey as a table; imported here, they are what the dashboard's trend shows for their years.

**Replacing, never losing.** A row is keyed by (code, year). Importing a year again with other figures replaces the
row's values and appends the previous ones to its ``replaced`` column — a JSON list, oldest first, of
``{"farmland_m2", "basic_m2", "source", "imported_at", "replaced_at"}`` — so a wrong table imported over a right one
can be undone by hand, and the shared store's ``row_changes`` keeps the same history upstream. Importing the same
figures again changes nothing (the row is not touched). All SQL of the table, desk and shared, is here.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from ..core import clock
from .store import GpkgStore

TABLE = "tg_survey_total"
#: the shared store's table (:data:`.pg_prefecture.TABLES`)
SHARED_TABLE = "survey_totals"
#: figures equal to the centimetre² are the same figures (a unit converted twice is not a new figure)
_DIGITS = 2


@dataclass(frozen=True)
class SurveyTotal:
    """One county's or township's official totals of one survey year, in m² (``basic_m2`` None: not given)."""

    code: str
    year: int
    farmland_m2: float
    basic_m2: float | None
    source: str = ""


@dataclass
class ImportPlan:
    """What an import does (or would do): (code, year) keys of rows added, replaced, and left as they were."""

    added: list[tuple[str, int]] = field(default_factory=list)
    replaced: list[tuple[str, int]] = field(default_factory=list)
    unchanged: list[tuple[str, int]] = field(default_factory=list)

    @property
    def years_replaced(self) -> list[int]:
        return sorted({year for _, year in self.replaced})


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), _DIGITS)


def _now() -> str:
    return clock.now_utc().strftime("%Y-%m-%dT%H:%M:%SZ")


def _known(conn: sqlite3.Connection, totals: list[SurveyTotal]) -> dict[tuple[str, int], tuple]:
    """(code, year) → (farmland_m2, basic_m2, source, imported_at, replaced) of the stored rows of ``totals``."""
    keys = {(t.code, t.year) for t in totals}
    codes = sorted({c for c, _ in keys})
    out: dict[tuple[str, int], tuple] = {}
    for start in range(0, len(codes), 500):
        part = codes[start:start + 500]
        for row in conn.execute(
                f'SELECT code, year, farmland_m2, basic_m2, source, imported_at, replaced FROM "{TABLE}" '
                f"WHERE code IN ({', '.join('?' * len(part))})", part):
            if (row[0], int(row[1])) in keys:
                out[(row[0], int(row[1]))] = tuple(row[2:])
    return out


def _classify(totals: list[SurveyTotal], known: dict[tuple[str, int], tuple]) -> ImportPlan:
    plan = ImportPlan()
    for t in totals:
        key = (t.code, t.year)
        old = known.get(key)
        if old is None:
            plan.added.append(key)
        elif (_round(old[0]), _round(old[1])) == (_round(t.farmland_m2), _round(t.basic_m2)):
            plan.unchanged.append(key)
        else:
            plan.replaced.append(key)
    return plan


def plan_import(conn: sqlite3.Connection, totals: list[SurveyTotal]) -> ImportPlan:
    """What :func:`save_totals` would do with ``totals``, writing nothing (the algorithm's preview)."""
    return _classify(totals, _known(conn, totals))


def save_totals(store: GpkgStore, totals: list[SurveyTotal]) -> ImportPlan:
    """Add new (code, year) rows, replace the figures of known ones that differ (their previous values appended to
    ``replaced``), leave equal ones untouched; one transaction. ``totals`` must have one row per (code, year)."""
    now = _now()
    with store.transaction() as conn:
        known = _known(conn, totals)
        plan = _classify(totals, known)
        by_key = {(t.code, t.year): t for t in totals}
        conn.executemany(
            f'INSERT INTO "{TABLE}" (code, year, farmland_m2, basic_m2, source, imported_at) VALUES (?,?,?,?,?,?)',
            [(t.code, t.year, _round(t.farmland_m2), _round(t.basic_m2), t.source, now)
             for t in (by_key[k] for k in plan.added)])
        updates = []
        for key in plan.replaced:
            t, old = by_key[key], known[key]
            history = json.loads(old[4]) if old[4] else []
            history.append({"farmland_m2": old[0], "basic_m2": old[1], "source": old[2], "imported_at": old[3],
                            "replaced_at": now})
            updates.append((_round(t.farmland_m2), _round(t.basic_m2), t.source, now,
                            json.dumps(history, ensure_ascii=False), t.code, t.year))
        conn.executemany(f'UPDATE "{TABLE}" SET farmland_m2 = ?, basic_m2 = ?, source = ?, imported_at = ?, '
                         "replaced = ? WHERE code = ? AND year = ?", updates)
    return plan


def _scope(prefix: str) -> str:
    """The code range the totals of ``prefix`` are read from: its county (a township's trend may need the county's
    townships, a county's its townships), or everything under a shorter prefix."""
    return prefix[:6] if len(prefix) >= 6 else prefix


def totals(conn: sqlite3.Connection, prefix: str = "") -> list[SurveyTotal]:
    """The stored totals of the counties under ``prefix`` (of its county for a longer prefix), by code and year."""
    scope = _scope(prefix)
    return [SurveyTotal(c, int(y), float(f), None if b is None else float(b), s or "")
            for c, y, f, b, s in conn.execute(
                f'SELECT code, year, farmland_m2, basic_m2, source FROM "{TABLE}" WHERE code >= ? AND code < ? '
                "ORDER BY code, year", (scope, scope + "\uffff"))]


def history(conn: sqlite3.Connection, code: str, year: int) -> list[dict]:
    """Every figure a (code, year) has had, oldest first, the current one last (empty when it has none)."""
    row = conn.execute(f'SELECT farmland_m2, basic_m2, source, imported_at, replaced FROM "{TABLE}" '
                       "WHERE code = ? AND year = ?", (code, int(year))).fetchone()
    if row is None:
        return []
    previous = json.loads(row[4]) if row[4] else []
    return [*previous, {"farmland_m2": row[0], "basic_m2": row[1], "source": row[2], "imported_at": row[3]}]


def unit_codes(conn: sqlite3.Connection, prefix: str = "") -> list[str]:
    """County and township codes of the store's administrative units under ``prefix``'s county (or prefix): the
    places a year's totals must cover to stand for the whole scope."""
    scope = _scope(prefix)
    return [r[0] for r in conn.execute(
        "SELECT code FROM tg_admin_unit WHERE level IN ('county', 'township') AND code >= ? AND code < ? "
        "ORDER BY code", (scope, scope + "\uffff"))]


# ------------------------------------------------------------------------------------ the shared store
def _shared_tables(cur, schema: str) -> set[str]:
    cur.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname IN (%s, 'admin_units')", (schema, SHARED_TABLE))
    return {r[0] for r in cur.fetchall()}


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def totals_pg(pg, prefix: str = "") -> list[SurveyTotal]:
    """:func:`totals` of the prefecture's shared store (a ``PgStore``) as the connected role sees it; nothing when
    the schema predates the table (version 9)."""
    from psycopg2 import sql  # only with a shared store (a desk may have no psycopg2)

    with pg.transaction("reading the survey totals") as cur:
        cur.execute("SET TRANSACTION READ ONLY")
        if SHARED_TABLE not in _shared_tables(cur, pg.schema):
            return []
        cur.execute(sql.SQL("SELECT code, year, farmland_m2, basic_m2, source FROM {s}.{t} WHERE code LIKE %s "
                            "ORDER BY code COLLATE \"C\", year").format(
            s=sql.Identifier(pg.schema), t=sql.Identifier(SHARED_TABLE)), (_like(_scope(prefix)),))
        return [SurveyTotal(c, int(y), float(f), None if b is None else float(b), s or "")
                for c, y, f, b, s in cur.fetchall()]


def unit_codes_pg(pg, prefix: str = "") -> list[str]:
    """:func:`unit_codes` of the shared store, as the connected role sees it."""
    from psycopg2 import sql

    with pg.transaction("reading the administrative units") as cur:
        cur.execute("SET TRANSACTION READ ONLY")
        if "admin_units" not in _shared_tables(cur, pg.schema):
            return []
        cur.execute(sql.SQL("SELECT DISTINCT code FROM {s}.admin_units WHERE level IN ('county', 'township') "
                            "AND code LIKE %s").format(s=sql.Identifier(pg.schema)), (_like(_scope(prefix)),))
        return sorted(r[0] for r in cur.fetchall())


__all__ = ["TABLE", "SHARED_TABLE", "SurveyTotal", "ImportPlan", "plan_import", "save_totals", "totals", "history",
           "unit_codes", "totals_pg", "unit_codes_pg"]
