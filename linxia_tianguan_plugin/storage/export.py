"""Copy the active rows of a 田管库 into a new GeoPackage layer of another schema, with SQL alone.

Writing half a million coded parcels through a Processing sink costs the main process about 20 s of
QgsFeature building and OGR calls, more than the coding itself on two cores. When the destination is
a new GeoPackage file, the coding algorithm instead codes into a scratch 田管库 (whose rows the
worker processes already stage), and this module turns its registry table into the output layer:
one INSERT … SELECT through an attached database, and the R-tree packed from the registry's own.
The file is built under a temporary name and renamed into place, so a failed run leaves nothing half
written.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import gpkg
from .migrations import SPACE_CODE_TABLE
from .rtree import bulk_load
from .store import GpkgStore, srs_wkt


def _copy_rtree(conn: sqlite3.Connection, dest: str, src: str) -> None:
    """Fill R-tree ``dest`` with the source registry's active boxes (feature ids are kept).

    When every registry row is exported (a scratch store) and the node sizes agree, the source's
    packed tree is copied node for node; otherwise the active boxes are packed anew.
    """
    retired = conn.execute(f'SELECT 1 FROM src."{SPACE_CODE_TABLE}" WHERE status <> \'active\' LIMIT 1').fetchone()
    same_nodes = (conn.execute(f'SELECT length(data) FROM "{dest}_node" WHERE nodeno = 1').fetchone()
                  == conn.execute(f'SELECT length(data) FROM src."{src}_node" WHERE nodeno = 1').fetchone())
    if retired is None and same_nodes:
        for shadow in ("node", "rowid", "parent"):
            conn.execute(f'DELETE FROM "{dest}_{shadow}"')
            conn.execute(f'INSERT INTO "{dest}_{shadow}" SELECT * FROM src."{src}_{shadow}"')
        return
    boxes = np.array(conn.execute(
        f'SELECT r.id, r.minx, r.maxx, r.miny, r.maxy FROM src."{src}" r '
        f'JOIN src."{SPACE_CODE_TABLE}" t ON t.fid = r.id WHERE t.status = \'active\'').fetchall(),
        dtype=float).reshape(-1, 5)
    if len(boxes):
        # the registry's boxes are already float32-rounded outwards: packing them again is exact
        bulk_load(conn, dest, boxes[:, 0].astype(np.int64), boxes[:, 1], boxes[:, 2], boxes[:, 3], boxes[:, 4])


@dataclass(frozen=True)
class Column:
    name: str  # output field name
    sql_type: str  # TEXT(20), REAL, INTEGER …
    expression: str  # over the registry's columns


def export_active(store: GpkgStore, dest: str | os.PathLike, table: str, columns: list[Column],
                  description: str = "") -> int:
    """Write the store's active codes to a new GeoPackage ``dest`` as layer ``table``; return the count.

    ``dest`` must not exist (the caller decides about overwriting). Feature ids are the registry's.
    """
    dest = Path(dest)
    if dest.exists():
        raise FileExistsError(str(dest))
    partial = dest.with_name(f".{dest.name}.partial")
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(str(partial) + suffix)
    conn = sqlite3.connect(str(partial), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")  # a scratch file: the rename below is the commit
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-131072")
        conn.execute("BEGIN")
        gpkg.init_geopackage(conn)
        gpkg.ensure_srs(conn, store.srs_id, srs_wkt(store.srs_id), f"EPSG:{store.srs_id}", store.srs_id)
        decl = ", ".join(f'"{c.name}" {c.sql_type}' for c in columns)
        gpkg.create_feature_table(conn, table, decl, "MULTIPOLYGON", store.srs_id, description)
        gpkg.drop_insert_trigger(conn, table)
        conn.execute("ATTACH DATABASE ? AS src", (store.path,))
        names = ", ".join(f'"{c.name}"' for c in columns)
        exprs = ", ".join(c.expression for c in columns)
        conn.execute(f'INSERT INTO "{table}" (fid, geom, {names}) SELECT fid, geom, {exprs} '
                     f'FROM src."{SPACE_CODE_TABLE}" WHERE status = \'active\' ORDER BY fid')
        count = conn.execute("SELECT changes()").fetchone()[0]
        _copy_rtree(conn, f"rtree_{table}_geom", f"rtree_{SPACE_CODE_TABLE}_geom")
        gpkg.restore_insert_trigger(conn, table)
        gpkg.update_extent(conn, table)
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE src")
    except BaseException:
        conn.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(partial)
        raise
    conn.close()
    os.replace(partial, dest)
    return int(count)
