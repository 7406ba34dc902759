"""What the replay dock reads from the 田管库: the patrols to pick from, one patrol's fixes, and the
coded parcels near it. Read-only; the dock never writes."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import shapely

from . import gpkg
from .store import GpkgStore


def patrol_list(store: GpkgStore) -> list[dict]:
    """Every cleaned track: id, officer, grid code, start/end (UTC ISO), figures and flags."""
    if not store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'tg_track'").fetchone():
        return []
    rows = store.conn.execute(
        "SELECT track_id, coalesce(officer, ''), coalesce(grid_code, ''), started_at, ended_at, length_m, "
        "duration_s, coalesce(flags, '[]'), accepted FROM tg_track ORDER BY grid_code, started_at").fetchall()
    out = []
    for r in rows:
        try:
            flags = json.loads(r[7]) or []
        except ValueError:
            flags = []
        out.append({"track_id": r[0], "officer": r[1], "grid_code": r[2], "started_at": r[3], "ended_at": r[4],
                    "length_m": r[5], "duration_s": r[6], "flags": list(flags), "accepted": bool(r[8])})
    return out


def _epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def patrol_fixes(store: GpkgStore, track_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(xy in the store's projected CRS, UTC epoch seconds) of the track's kept fixes, in order.

    The track's vertices are its kept fixes one to one (see the importer), so coordinates come from
    the cleaned line and times from the raw fixes.
    """
    row = store.conn.execute("SELECT geom FROM tg_track WHERE track_id = ?", (track_id,)).fetchone()
    if row is None:
        raise KeyError(track_id)
    line = shapely.from_wkb(gpkg.decode_blob(row[0]))
    xy = shapely.get_coordinates(line)
    times = [r[0] for r in store.conn.execute(
        "SELECT time FROM tg_track_fix WHERE track_id = ? AND dropped IS NULL ORDER BY seq", (track_id,))]
    if len(times) != len(xy):
        raise ValueError(f"track {track_id}: {len(xy)} vertices but {len(times)} kept fixes")
    return xy, np.array([_epoch(t) for t in times], dtype=float)


def parcels_near(store: GpkgStore, xy: np.ndarray, distance: float) -> tuple[np.ndarray, np.ndarray]:
    """(codes, geometries) of the active coded parcels whose box is within ``distance`` of the track's box."""
    if len(xy) == 0:
        return np.zeros(0, dtype=str), np.zeros(0, dtype=object)
    x0, y0 = xy.min(axis=0) - distance
    x1, y1 = xy.max(axis=0) + distance
    rows = store.conn.execute(
        "SELECT s.code, s.geom FROM tg_space_code s JOIN rtree_tg_space_code_geom r ON r.id = s.fid "
        "WHERE s.status = 'active' AND r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ?",
        (x0, x1, y0, y1)).fetchall()
    return (np.array([r[0] for r in rows], dtype=str),
            shapely.from_wkb([gpkg.decode_blob(r[1]) for r in rows]) if rows else np.zeros(0, dtype=object))
