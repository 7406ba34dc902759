"""Officer rosters in the 田管库: every import is kept, the active one is the current roster.

Tasks and patrols name officers of the roster that was active when they were made, so an import never
replaces rows in place: it adds a new roster and moves the ``active`` mark, in one transaction. Only a
roster that passed :func:`~..core.patrol.roster.validate` without errors is saved.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid

from ..core import clock
from ..core.patrol.roster import Officer
from .grid import active_cell_levels
from .store import GpkgStore

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
_COLUMNS = "level, grid_code, grid_name, name, role, post, phone, vacant"


def new_roster_id(now: dt.datetime | None = None) -> str:
    """``HMC`` (花名册) + Asia/Shanghai time + 4 hex digits, like the coding runs' ``FM…`` ids."""
    now = (now or clock.now_utc()).astimezone(SHANGHAI)
    return "HMC" + now.strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:4].upper()


def save_roster(store: GpkgStore, officers: list[Officer], source: str, counts: dict) -> str:
    """Insert the import and its officers, make it the active roster; all or nothing."""
    now = clock.now_utc().replace(microsecond=0)
    roster_id = new_roster_id(now)
    rows = [(roster_id, o.level, o.grid_code, o.grid_name or None, o.name or None, o.role, o.post or None,
             o.phone or None, int(o.vacant)) for o in officers]
    with store.transaction() as conn:
        conn.execute("UPDATE tg_roster_import SET active = 0 WHERE active <> 0")
        conn.execute("INSERT INTO tg_roster_import (roster_id, imported_at, source, counts, active) "
                     "VALUES (?, ?, ?, ?, 1)",
                     (roster_id, now.strftime("%Y-%m-%dT%H:%M:%SZ"), source,
                      json.dumps(counts, ensure_ascii=False, sort_keys=True)))
        conn.executemany(f"INSERT INTO tg_officer (roster_id, {_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)", rows)
    return roster_id


def active_roster_id(store: GpkgStore) -> str | None:
    """The current roster: the one import marked active (:func:`save_roster` keeps exactly one), the newest if a
    store edited by hand marks several — the same order as :func:`roster_history`. The one answer for the
    roster dock, dispatch, the statistics and the assessment, so they never name different rosters."""
    row = store.conn.execute("SELECT roster_id FROM tg_roster_import WHERE active <> 0 "
                             "ORDER BY imported_at DESC, rowid DESC LIMIT 1").fetchone()
    return row[0] if row else None


def active_officers(store: GpkgStore, prefix: str = "") -> list[Officer]:
    """Officers of the active roster whose grid code starts with ``prefix``, in the imported order."""
    roster_id = active_roster_id(store)
    if roster_id is None:
        return []
    rows = store.conn.execute(
        f"SELECT {_COLUMNS} FROM tg_officer WHERE roster_id = ? AND substr(grid_code, 1, ?) = ? ORDER BY rowid",
        (roster_id, len(prefix), prefix))
    return [Officer(level=int(r[0]), grid_code=r[1], grid_name=r[2] or "", name=r[3] or "", role=r[4],
                    post=r[5] or "", phone=r[6] or "", vacant=bool(r[7])) for r in rows]


def roster_history(store: GpkgStore) -> list[dict]:
    """Every import, newest first: id, time (UTC), source, counts (decoded), active, officer rows."""
    out = []
    for roster_id, at, source, counts, active, n in store.conn.execute(
            "SELECT i.roster_id, i.imported_at, i.source, i.counts, i.active, "
            "(SELECT count(*) FROM tg_officer o WHERE o.roster_id = i.roster_id) "
            "FROM tg_roster_import i ORDER BY i.imported_at DESC, i.rowid DESC"):
        out.append({"roster_id": roster_id, "imported_at": at, "source": source,
                    "counts": json.loads(counts) if counts else {}, "active": bool(active), "rows": int(n)})
    return out


def active_grid_codes(store: GpkgStore) -> dict[str, int] | None:
    """Codes and levels of the active grid build's cells; None when no (non-empty) grid was built."""
    return active_cell_levels(store) or None
