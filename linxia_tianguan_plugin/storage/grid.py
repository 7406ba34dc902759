"""Patrol grid builds in the 田管库: every build is kept, the newest is active.

Tasks and patrols refer to grid codes, which stay the same when the grid is re-built, so keeping
every build lets the desk see which cell an old task meant without losing anything.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from zoneinfo import ZoneInfo

import numpy as np
import shapely

from . import gpkg
from .store import GpkgStore

SHANGHAI = ZoneInfo("Asia/Shanghai")
CELL_TABLE = "tg_grid_cell"


def save_grid(store: GpkgStore, level, code, parent, name, geom, farmland_m2, basic_m2, parcels,
              parameters: dict) -> str:
    """Store one build (one transaction) and make it the active one; return its id."""
    now = dt.datetime.now(SHANGHAI).replace(microsecond=0)
    build_id = "WG" + now.strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:4].upper()
    geoms = shapely.multipolygons(shapely.get_parts(geom), indices=shapely.get_parts(geom, return_index=True)[1]) \
        if len(geom) else np.zeros(0, dtype=object)
    blobs = gpkg.encode_blobs(np.asarray(shapely.to_wkb(geoms), dtype=object), shapely.bounds(geoms), store.srs_id)
    counts = {int(lv): int((np.asarray(level) == lv).sum()) for lv in np.unique(level)}
    with store.transaction() as conn:
        conn.execute("UPDATE tg_grid_build SET active = 0 WHERE active = 1")
        conn.execute("INSERT INTO tg_grid_build VALUES (?, ?, ?, ?, 1)",
                     (build_id, now.isoformat(), json.dumps(parameters, ensure_ascii=False), json.dumps(counts)))
        conn.executemany(
            f'INSERT INTO "{CELL_TABLE}" (geom, build_id, level, code, parent, name, farmland_m2, basic_m2, parcels) '
            "VALUES (?,?,?,?,?,?,?,?,?)",
            zip(blobs, [build_id] * len(blobs), np.asarray(level, dtype=np.int64).tolist(),
                [str(c) for c in code], [str(p) or None for p in parent], [str(n) for n in name],
                np.round(np.asarray(farmland_m2, float), 2).tolist(), np.round(np.asarray(basic_m2, float), 2).tolist(),
                np.asarray(parcels, dtype=np.int64).tolist()))
        gpkg.update_extent(conn, CELL_TABLE)
    return build_id


def active_build(store: GpkgStore) -> str | None:
    row = store.conn.execute("SELECT build_id FROM tg_grid_build WHERE active = 1").fetchone()
    return row[0] if row else None


def active_cells(store: GpkgStore) -> dict[str, np.ndarray]:
    """The active build's cells: level, code, parent, name and geometry (shapely)."""
    rows = store.conn.execute(
        f'SELECT level, code, coalesce(parent, \'\'), name, geom FROM "{CELL_TABLE}" c '
        "JOIN tg_grid_build b ON b.build_id = c.build_id WHERE b.active = 1 ORDER BY level, code").fetchall()
    return {
        "level": np.array([r[0] for r in rows], dtype=np.int64),
        "code": np.array([r[1] for r in rows], dtype=object),
        "parent": np.array([r[2] for r in rows], dtype=object),
        "name": np.array([r[3] for r in rows], dtype=object),
        "geom": shapely.from_wkb([gpkg.decode_blob(r[4]) for r in rows]) if rows else np.zeros(0, dtype=object),
    }


def builds(store: GpkgStore) -> list[dict]:
    return [{"build_id": r[0], "built_at": r[1], "counts": json.loads(r[2] or "{}"), "active": bool(r[3])}
            for r in store.conn.execute("SELECT build_id, built_at, counts, active FROM tg_grid_build "
                                        "ORDER BY built_at")]


def coded_parcels(store: GpkgStore) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Active codes: (code, WKB, farmland m², basic farmland m²) — what the grid is built from."""
    rows = store.conn.execute("SELECT code, geom, coalesce(gdmj_m2, 0), coalesce(yjmj_m2, 0) FROM tg_space_code "
                              "WHERE status = 'active'").fetchall()
    return (np.array([r[0] for r in rows], dtype=str), np.array([gpkg.decode_blob(r[1]) for r in rows], dtype=object),
            np.array([r[2] for r in rows], dtype=float), np.array([r[3] for r in rows], dtype=float))
