"""码上查 readers: what the store knows about one parcel — its geometry, the tracks that passed it, its cases and
their events, and its group's tasks and patrols.

Patrol coverage is kept per grid cell (``tg_coverage_rate``), not per parcel, so "which tracks saw this parcel"
is answered from the tracks' lines: the R-tree of ``tg_track`` gives the candidates whose box comes within the
distance of the parcel's box, and the exact shapely distance keeps those really within it. Cases name their
parcels in ``tg_case.parcel_codes`` (a JSON list): a LIKE prefilter finds candidates, the decoded list decides.
A store from before the tables existed (opened read-only, not migrated) simply has nothing to say.
"""
from __future__ import annotations

import datetime as dt
import json

import shapely

from ..core.patrol.parcel_status import NEAR_M
from ..core.patrol.tasks import Patrol, Task
from . import gpkg
from .migrations import SPACE_CODE_TABLE
from .store import GpkgStore
from .tasks import patrols as stored_patrols
from .tasks import tasks as stored_tasks


def parcel_geometry(store: GpkgStore, code: str):
    """The parcel's polygon (store CRS) from the code registry, active or retired; None when unknown."""
    row = store.conn.execute(f'SELECT geom FROM "{SPACE_CODE_TABLE}" WHERE code = ?', (code,)).fetchone()
    if row is None or row[0] is None:
        return None
    return shapely.from_wkb(gpkg.decode_blob(row[0]))


def tracks_near(store: GpkgStore, geometry, distance: float = NEAR_M) -> list[dict]:
    """The tracks passing within ``distance`` metres of ``geometry``, by start: track_id, officer, grid_code,
    started_at, ended_at, accepted (bool), flags and distance_m (rounded to 0.1 m)."""
    if geometry is None or not store.has_table("rtree_tg_track_geom"):
        return []
    minx, miny, maxx, maxy = shapely.bounds(geometry).tolist()
    rows = store.conn.execute(
        "SELECT t.geom, t.track_id, t.officer, t.grid_code, t.started_at, t.ended_at, t.accepted, t.flags "
        "FROM rtree_tg_track_geom r JOIN tg_track t ON t.fid = r.id "
        "WHERE r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ? ORDER BY t.started_at, t.track_id",
        (minx - distance, maxx + distance, miny - distance, maxy + distance)).fetchall()
    out = []
    for blob, track_id, officer, grid_code, started, ended, accepted, flags in rows:
        gap = float(shapely.distance(shapely.from_wkb(gpkg.decode_blob(blob)), geometry))
        if gap <= distance:
            out.append({"track_id": track_id, "officer": officer, "grid_code": grid_code, "started_at": started,
                        "ended_at": ended, "accepted": bool(accepted), "flags": flags or "",
                        "distance_m": round(gap, 1)})
    return out


def cases_of(store: GpkgStore, code: str) -> list[dict]:
    """The cases whose ``parcel_codes`` list the code, by detection: case_id, case_no, state, kind, category,
    grid_code, officer, detected_at, updated_at."""
    if not store.has_table("tg_case"):
        return []
    number = "case_no" if "case_no" in _columns(store, "tg_case") else "NULL"
    cur = store.conn.execute(
        f"SELECT case_id, {number} AS case_no, state, kind, category, grid_code, officer, detected_at, updated_at, "
        "parcel_codes FROM tg_case WHERE parcel_codes LIKE ? ORDER BY detected_at, case_id", (f'%"{code}"%',))
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        rec = dict(zip(names, row))
        if code in _codes(rec.pop("parcel_codes")):
            out.append(rec)
    return out


def case_events(store: GpkgStore, case_ids: list[str]) -> list[dict]:
    """The events of the cases, in order: case_id, case_no, at, actor, from_state, to_state, comment."""
    if not case_ids or not store.has_table("tg_case_event"):
        return []
    marks = ", ".join("?" * len(case_ids))
    number = "c.case_no" if "case_no" in _columns(store, "tg_case") else "NULL"
    cur = store.conn.execute(
        f"SELECT e.case_id, {number} AS case_no, e.at, e.actor, e.from_state, e.to_state, e.comment "
        f"FROM tg_case_event e JOIN tg_case c ON c.case_id = e.case_id WHERE e.case_id IN ({marks}) "
        "ORDER BY e.event_id", list(case_ids))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def group_tasks(store: GpkgStore, group_code: str, until: dt.date) -> tuple[list[Task], list[Patrol]]:
    """The 社 (level 5) tasks of the parcel's group whose period started by ``until``, and the group's patrols —
    what its task statuses are derived from."""
    if not store.has_table("tg_task"):
        return [], []
    found = [t for t in stored_tasks(store, group_code, end=until, levels=[5]) if t.grid_code == group_code]
    return found, [p for p in stored_patrols(store, group_code) if p.grid_code == group_code]


def _columns(store: GpkgStore, table: str) -> set[str]:
    return {r[1] for r in store.conn.execute(f'PRAGMA table_info("{table}")')}


def _codes(text: str | None) -> list[str]:
    """The codes of a stored ``parcel_codes`` (JSON list; a ``;``-separated text is read too)."""
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return [c.strip() for c in str(text).split(";") if c.strip()]
    return [str(c) for c in value] if isinstance(value, list) else [str(value)]
