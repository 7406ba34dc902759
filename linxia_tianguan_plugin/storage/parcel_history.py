"""码上查 readers: what the store knows about one parcel — its geometry, the tracks that passed it, its cases and
their events, and its group's tasks and patrols.

Patrol coverage is kept per grid cell (``tg_coverage_rate``), not per parcel, so "which tracks saw this parcel"
is answered from the tracks' lines: the R-tree of ``tg_track`` gives the candidates whose box comes within the
distance of the parcel's box, and the exact shapely distance keeps those really within it. Cases name their
parcels in ``tg_case.parcel_codes`` (a JSON list): a LIKE prefilter finds candidates, the decoded list decides.
A case whose list names no active parcel any more, or only some (recoded since, or a field report placed off the
parcels), touches the active parcels its polygon overlaps (:func:`..core.patrol.parcel_status.touched_codes`): the
R-tree of ``tg_case`` finds those near the parcel. The layer of every parcel's status
(:mod:`.parcel_status`) applies the same rule, so the map and 码上查 agree.
A store from before the tables existed (opened read-only, not migrated) simply has nothing to say.
"""
from __future__ import annotations

import datetime as dt
import json

import shapely

from ..core.patrol.parcel_status import NEAR_M, needs_geometry, touched_codes
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


#: the columns of a case :func:`cases_of` gives (``case_no`` is NULL in a store from before case numbers)
_CASE_COLUMNS = "case_id, {number} AS case_no, state, kind, category, grid_code, officer, detected_at, updated_at"


def cases_of(store: GpkgStore, code: str) -> list[dict]:
    """The cases touching the parcel, by detection: those whose ``parcel_codes`` list the code, and those whose
    polygon overlaps it while their list names no active parcel or a retired one (:func:`cases_over`): case_id,
    case_no, state, kind, category, grid_code, officer, detected_at, updated_at."""
    if not store.has_table("tg_case"):
        return []
    columns = _CASE_COLUMNS.format(number="case_no" if "case_no" in _columns(store, "tg_case") else "NULL")
    cur = store.conn.execute(
        f"SELECT {columns}, parcel_codes FROM tg_case WHERE parcel_codes LIKE ? ORDER BY detected_at, case_id",
        (f'%"{code}"%',))
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        rec = dict(zip(names, row))
        if code in listed_codes(rec.pop("parcel_codes")):
            out.append(rec)
    out += cases_over(store, code, {c["case_id"] for c in out})
    return sorted(out, key=lambda c: (c["detected_at"], c["case_id"]))


def cases_over(store: GpkgStore, code: str, known: set[str] = frozenset()) -> list[dict]:
    """The cases (not in ``known``) that touch the active parcel ``code`` by their polygon rather than their list
    (:func:`..core.patrol.parcel_status.needs_geometry`); [] for a retired or unknown code."""
    if not store.has_table("rtree_tg_case_geom"):
        return []
    row = store.conn.execute(f'SELECT geom FROM "{SPACE_CODE_TABLE}" WHERE code = ? AND status = ?',
                             (code, "active")).fetchone()
    if row is None or row[0] is None:
        return []
    parcel = shapely.from_wkb(gpkg.decode_blob(row[0]))
    minx, miny, maxx, maxy = shapely.bounds(parcel).tolist()
    columns = _CASE_COLUMNS.format(number="case_no" if "case_no" in _columns(store, "tg_case") else "NULL")
    cur = store.conn.execute(
        f"SELECT {columns}, c.parcel_codes, c.geom FROM rtree_tg_case_geom r JOIN tg_case c ON c.fid = r.id "
        "WHERE r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ?", (minx, maxx, miny, maxy))
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        rec = dict(zip(names, row))
        listed, blob = listed_codes(rec.pop("parcel_codes")), rec.pop("geom")
        if rec["case_id"] in known or blob is None:
            continue
        active = active_codes(store, listed)
        if needs_geometry(listed, active) and code in touched_codes(
                listed, active, shapely.from_wkb(gpkg.decode_blob(blob)), [(code, parcel)]):
            out.append(rec)
    return out


def active_codes(store: GpkgStore, codes) -> set[str]:
    """The codes among ``codes`` that are active in the registry (500 at a time: SQLite's variable limit)."""
    wanted = sorted({str(c) for c in codes if c})
    found: set[str] = set()
    for i in range(0, len(wanted), 500):
        part = wanted[i:i + 500]
        found.update(r[0] for r in store.conn.execute(
            f'SELECT code FROM "{SPACE_CODE_TABLE}" WHERE status = ? AND code IN ({", ".join("?" * len(part))})',
            ["active", *part]))
    return found


def active_near(store: GpkgStore, geometry) -> list[tuple[str, object]]:
    """(code, shapely polygon) of the active parcels whose box meets ``geometry``'s box (the registry's R-tree)."""
    if geometry is None or not store.has_table(f"rtree_{SPACE_CODE_TABLE}_geom"):
        return []
    minx, miny, maxx, maxy = shapely.bounds(geometry).tolist()
    rows = store.conn.execute(
        f'SELECT s.code, s.geom FROM "rtree_{SPACE_CODE_TABLE}_geom" r JOIN "{SPACE_CODE_TABLE}" s ON s.fid = r.id '
        "WHERE r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ? AND s.status = ?",
        (minx, maxx, miny, maxy, "active")).fetchall()
    return [(code, shapely.from_wkb(gpkg.decode_blob(blob))) for code, blob in rows if blob is not None]


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


def listed_codes(text: str | None) -> list[str]:
    """The codes of a stored ``parcel_codes`` (JSON list; a ``;``-separated text is read too)."""
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return [c.strip() for c in str(text).split(";") if c.strip()]
    return [str(c) for c in value] if isinstance(value, list) else [str(value)]
