"""What the replay dock reads from the 田管库: the patrols to pick from, one patrol's fixes, and the
coded parcels near it. Read-only; the dock never writes."""
from __future__ import annotations

import numpy as np
import shapely

from . import gpkg
from .cases import unit_names
from .store import GpkgStore
from .tracks import track_fixes, tracks


def patrol_list(store: GpkgStore) -> list[dict]:
    """Every cleaned track: id, officer, grid code, start/end (UTC ISO), figures and flags."""
    if not store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'tg_track'").fetchone():
        return []
    out = []
    for rec in tracks(store):
        flags = rec.get("flags") or []
        out.append({"track_id": rec["track_id"], "officer": rec.get("officer") or "",
                    "grid_code": rec.get("grid_code") or "", "started_at": rec["started_at"],
                    "ended_at": rec["ended_at"], "length_m": rec.get("length_m"), "duration_s": rec.get("duration_s"),
                    "flags": list(flags) if isinstance(flags, list) else [], "accepted": bool(rec.get("accepted"))})
    return out


def patrol_fixes(store: GpkgStore, track_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(xy in the store's projected CRS, UTC epoch seconds) of the track's kept fixes, in order."""
    fixes = track_fixes(store, track_id)
    if len(fixes["x"]) == 0:
        raise KeyError(track_id)
    if len(fixes["x"]) != len(fixes["epoch"]):
        raise ValueError(f"track {track_id}: {len(fixes['x'])} vertices but {len(fixes['epoch'])} kept fixes")
    return np.column_stack([fixes["x"], fixes["y"]]), fixes["epoch"]


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


def place_names(store: GpkgStore) -> dict[str, str]:
    """Administrative code → name, for the county / township / village / group pickers."""
    return unit_names(store)
