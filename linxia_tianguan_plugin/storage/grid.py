"""Patrol grid builds in the 田管库: every build is kept, the newest is active.

Tasks and patrols refer to grid codes, which stay the same when the grid is re-built, so keeping
every build lets the desk see which cell an old task meant without losing anything.
"""
from __future__ import annotations

import json
import sqlite3
import uuid
from zoneinfo import ZoneInfo

import numpy as np
import shapely

from ..core import clock
from . import gpkg
from .store import GpkgStore

SHANGHAI = ZoneInfo("Asia/Shanghai")
CELL_TABLE = "tg_grid_cell"


def save_grid(store: GpkgStore, level, code, parent, name, geom, farmland_m2, basic_m2, parcels,
              parameters: dict) -> str:
    """Store one build (one transaction) and make it the active one; return its id."""
    now = clock.now_utc().astimezone(SHANGHAI).replace(microsecond=0)
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


def _connection(store: GpkgStore | sqlite3.Connection) -> sqlite3.Connection:
    """A store's connection, or the connection itself: the dashboard reads through a bare read-only one."""
    return store if isinstance(store, sqlite3.Connection) else store.conn


def active_build(store: GpkgStore | sqlite3.Connection) -> str | None:
    """The id of the active grid build — the one grid the desk works on now (its cells are the tasks' grids,
    the maps' townships, the tracks' group cells); None when no grid was built, or the store (read without
    migrating) has no grid tables yet.

    :func:`save_grid` keeps exactly one build marked active; should a store ever have several, the newest
    wins, so every reader picks the same one. Every "which build is current" question goes through here."""
    conn = _connection(store)
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'tg_grid_build'").fetchone() is None:
        return None
    row = conn.execute("SELECT build_id FROM tg_grid_build WHERE active = 1 "
                       "ORDER BY built_at DESC, build_id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def active_cell_levels(store: GpkgStore, prefix: str = "") -> dict[str, int]:
    """Code → level of the active build's cells under ``prefix`` ({} when no grid was built): which grid
    codes exist now, without their geometry."""
    build = active_build(store)
    if build is None:
        return {}
    sql, args = f'SELECT code, level FROM "{CELL_TABLE}" WHERE build_id = ?', [build]
    if prefix:
        sql += " AND code >= ? AND code < ?"
        args += [prefix, prefix + "\uffff"]
    return {str(code): int(level) for code, level in store.conn.execute(sql, args)}


def active_cell_names(store: GpkgStore) -> dict[str, str]:
    """Code → name of the active build's named cells ({} when no grid was built): how tables name a grid."""
    build = active_build(store)
    if build is None:
        return {}
    return {str(c): n for c, n in store.conn.execute(
        f'SELECT code, name FROM "{CELL_TABLE}" WHERE build_id = ? AND name IS NOT NULL AND name <> \'\'',
        (build,))}


def active_cells_up_to(store: GpkgStore, level: int) -> list[tuple[str, int, str, bytes]]:
    """(code, level, name or '', WKB) of the active build's cells of ``level`` and above (prefecture,
    county, township …), by level and code; [] when no grid was built. The statistics map's townships."""
    build = active_build(store)
    if build is None:
        return []
    rows = store.conn.execute(f'SELECT code, level, coalesce(name, \'\'), geom FROM "{CELL_TABLE}" '
                              "WHERE build_id = ? AND level <= ? ORDER BY level, code", (build, int(level)))
    return [(str(c), int(lv), str(n), gpkg.decode_blob(g)) for c, lv, n, g in rows]


def active_cells(store: GpkgStore) -> dict[str, np.ndarray]:
    """The active build's cells: level, code, parent, name and geometry (shapely)."""
    rows = store.conn.execute(
        f'SELECT level, code, coalesce(parent, \'\'), name, geom FROM "{CELL_TABLE}" '
        "WHERE build_id = ? ORDER BY level, code", (active_build(store),)).fetchall()
    return {
        "level": np.array([r[0] for r in rows], dtype=np.int64),
        "code": np.array([r[1] for r in rows], dtype=object),
        "parent": np.array([r[2] for r in rows], dtype=object),
        "name": np.array([r[3] for r in rows], dtype=object),
        "geom": shapely.from_wkb([gpkg.decode_blob(r[4]) for r in rows]) if rows else np.zeros(0, dtype=object),
    }


def builds(store: GpkgStore) -> list[dict]:
    """Every build, oldest first: id, time, cell counts per level and whether it is the active one."""
    return [{"build_id": r[0], "built_at": r[1], "counts": json.loads(r[2] or "{}"), "active": bool(r[3])}
            for r in store.conn.execute("SELECT build_id, built_at, counts, active FROM tg_grid_build "
                                        "ORDER BY built_at")]


def coded_parcels(store: GpkgStore) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Active codes: (code, WKB, farmland m², basic farmland m²) — what the grid is built from."""
    rows = store.conn.execute("SELECT code, geom, coalesce(gdmj_m2, 0), coalesce(yjmj_m2, 0) FROM tg_space_code "
                              "WHERE status = 'active'").fetchall()
    return (np.array([r[0] for r in rows], dtype=str), np.array([gpkg.decode_blob(r[1]) for r in rows], dtype=object),
            np.array([r[2] for r in rows], dtype=float), np.array([r[3] for r in rows], dtype=float))


class CodesChangedError(RuntimeError):
    """The active codes changed while they were being read (another run recoded the store)."""


def coded_parcel_table(store: GpkgStore) -> dict[str, np.ndarray]:
    """Active codes in code order without their geometry: code, farmland m², basic farmland m² and
    the box from the R-tree — a prefecture's worth fits in a few hundred MB."""
    rows = store.conn.execute(
        "SELECT s.code, coalesce(s.gdmj_m2, 0), coalesce(s.yjmj_m2, 0), r.minx, r.miny, r.maxx, r.maxy "
        "FROM tg_space_code s JOIN rtree_tg_space_code_geom r ON r.id = s.fid WHERE s.status = 'active' "
        "ORDER BY s.code")
    code, farmland, basic, box = [], [], [], []
    while batch := rows.fetchmany(100_000):
        code.append(np.array([r[0] for r in batch], dtype=str))
        farmland.append(np.array([r[1] for r in batch], dtype=float))
        basic.append(np.array([r[2] for r in batch], dtype=float))
        box.append(np.array([r[3:7] for r in batch], dtype=float))
    if not code:
        return {"code": np.zeros(0, dtype=str), "farmland": np.zeros(0), "basic": np.zeros(0),
                "bounds": np.zeros((0, 4))}
    return {"code": np.concatenate(code), "farmland": np.concatenate(farmland), "basic": np.concatenate(basic),
            "bounds": np.concatenate(box)}


class CodedGeometry:
    """WKB of active coded parcels by their position in :func:`coded_parcel_table`'s order.

    Each call reads one code range through the code index (positions should be close together — a
    township, a block of rows), so the geometry of a prefecture is never all in memory at once.
    """

    def __init__(self, store: GpkgStore, codes: np.ndarray):
        self.conn = store.conn
        self.codes = np.asarray(codes).astype(str)

    def __call__(self, index: np.ndarray) -> np.ndarray:
        index = np.asarray(index, dtype=np.int64)
        if len(index) == 0:
            return np.zeros(0, dtype=object)
        wanted = self.codes[index]
        rows = self.conn.execute(
            "SELECT code, geom FROM tg_space_code WHERE code BETWEEN ? AND ? AND status = 'active' ORDER BY code",
            (str(self.codes[index.min()]), str(self.codes[index.max()]))).fetchall()
        codes = np.array([r[0] for r in rows], dtype=str)
        pos = np.minimum(np.searchsorted(codes, wanted), max(len(codes) - 1, 0))
        if len(codes) == 0 or not np.array_equal(codes[pos], wanted):
            raise CodesChangedError("active space codes changed while they were read")
        blobs = [rows[i][1] for i in pos.tolist()]
        return np.array([gpkg.decode_blob(b) for b in blobs], dtype=object)


def coded_near(store: GpkgStore, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code, WKB) of the active coded parcels whose R-tree box meets one of ``boxes`` (x0 y0 x1 y1):
    a handful of change polygons need their parcels, not the prefecture's."""
    found: dict[str, bytes] = {}
    for x0, y0, x1, y1 in np.asarray(boxes, dtype=float).reshape(-1, 4).tolist():
        rows = store.conn.execute(
            "SELECT s.code, s.geom FROM rtree_tg_space_code_geom r JOIN tg_space_code s ON s.fid = r.id "
            "WHERE r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ? AND s.status = 'active'",
            (x0, x1, y0, y1))
        for code, blob in rows:
            if code not in found:
                found[code] = gpkg.decode_blob(blob)
    codes = sorted(found)
    return np.array(codes, dtype=object), np.array([found[c] for c in codes], dtype=object)


def top_grid_cells(store: GpkgStore) -> list:
    """The active grid's top-level cells (the county's, else the prefecture's …) as shapely geometries."""
    cells = active_cells(store)
    if not len(cells["level"]):
        return []
    top = int(cells["level"].min())
    return cells["geom"][cells["level"] == top].tolist()


def coded_extent(store: GpkgStore) -> tuple[float, float, float, float] | None:
    """The box of every coded parcel (from the spatial index), or None when nothing is coded."""
    row = store.conn.execute("SELECT min(minx), min(miny), max(maxx), max(maxy) FROM "
                             "rtree_tg_space_code_geom").fetchone()
    return tuple(row) if row is not None and row[0] is not None else None
