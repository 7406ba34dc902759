"""Copy the active rows of a 田管库 into a new GeoPackage layer of another schema, with SQL alone.

Writing half a million coded parcels through a Processing sink costs the main process about 20 s of
QgsFeature building and OGR calls, more than the coding itself on two cores. When the destination is
a new GeoPackage file, the coding algorithm instead has its worker processes stage the rows (as for a
田管库), and :class:`SessionExport` copies each township's staged rows into the output layer with one
INSERT … SELECT through the attached staging files while the workers code the next ones; the R-tree is
packed at the end. A store's active codes are copied the same way (:func:`export_active`). Every file is
built under a temporary name and renamed into place, so a failed run leaves nothing half written.

The coverage analysis writes its parcel layers the same way from the 田管库 itself: its per-parcel values
(seen, last seen …) are computed in Python, so they are staged in a temporary table (:class:`Staged`) and
joined to the registry's geometry by code in the same INSERT … SELECT.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import gpkg
from .grid import CodesChangedError
from .migrations import SPACE_CODE_TABLE
from .rtree import bulk_load
from .store import CodingSession, GpkgStore, StoreError, srs_wkt


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
    expression: str  # over the registry's columns (``t.`` with staged rows) or the staged ones (``s.``)


@dataclass(frozen=True)
class Staged:
    """Rows whose values were computed outside SQL, one per active code to export, in output order.

    Each row is ``(code, *values)``; ``columns`` are the (name, SQL type) of the values, read by the
    :class:`Column` expressions as ``s."name"``. The output's feature ids are the rows' positions from 1
    (what a sink would give them), its geometry the registry's of the same active code. ``rows`` may be a
    generator that waits for its rows: they are drawn and written a batch at a time.
    """
    columns: list[tuple[str, str]]
    rows: Iterable[tuple]
    #: (n, 4) x0 y0 x1 y1 of the rows as the registry's R-tree holds them (the caller often has them already:
    #: :func:`.grid.coded_parcel_table`), or a callable giving them once the rows are drawn; None: read from the
    #: R-tree
    boxes: np.ndarray | Callable[[], np.ndarray] | None = None


#: staged rows taken at a time: each batch is staged and copied beside its geometry before the next is drawn, so a
#: caller whose rows arrive township by township has its layer written while it still computes the rest
_BATCH = 50_000


def _insert_staged(conn: sqlite3.Connection, table: str, columns: list, staged: Staged) -> int:
    """Stage the rows a batch at a time, copy each one's registry geometry beside its values, and pack the R-tree
    from the registry's boxes under the new ids (the registry's are float32-rounded outwards: packing them is
    exact)."""
    decl = "".join(f', "{name}" {sql_type}' for name, sql_type in staged.columns)
    conn.execute(f"CREATE TEMP TABLE staged (fid INTEGER PRIMARY KEY, code TEXT NOT NULL{decl})")
    marks = ", ".join("?" * (len(staged.columns) + 1))
    joined = (f'FROM temp.staged s JOIN src."{SPACE_CODE_TABLE}" t ON t.code = s.code AND t.status = \'active\'')
    names = ", ".join(f'"{c.name}"' for c in columns)
    exprs = ", ".join(c.expression for c in columns)
    rows, wanted, count = iter(staged.rows), 0, 0
    while batch := list(itertools.islice(rows, _BATCH)):
        conn.executemany(f"INSERT INTO temp.staged VALUES (?, {marks})",
                         ((fid, *row) for fid, row in enumerate(batch, start=wanted + 1)))
        conn.execute(f'INSERT INTO "{table}" (fid, geom, {names}) SELECT s.fid, t.geom, {exprs} {joined} '
                     f"WHERE s.fid > ? ORDER BY s.fid", (wanted,))
        count += conn.execute("SELECT changes()").fetchone()[0]
        wanted += len(batch)
        if count != wanted:
            raise CodesChangedError("active space codes changed while the output was written")
    boxes = staged.boxes() if callable(staged.boxes) else staged.boxes
    if boxes is not None:
        box = np.asarray(boxes, dtype=float).reshape(-1, 4)
        boxes = np.c_[np.arange(1, len(box) + 1), box[:, 0], box[:, 2], box[:, 1], box[:, 3]]
    else:
        boxes = np.array(conn.execute(
            f'SELECT s.fid, r.minx, r.maxx, r.miny, r.maxy {joined} '
            f'JOIN src."rtree_{SPACE_CODE_TABLE}_geom" r ON r.id = t.fid ORDER BY s.fid').fetchall(),
            dtype=float).reshape(-1, 5)
    if len(boxes):
        bulk_load(conn, f"rtree_{table}_geom", boxes[:, 0].astype(np.int64), boxes[:, 1], boxes[:, 2], boxes[:, 3],
                  boxes[:, 4])
    conn.execute("DROP TABLE temp.staged")
    return int(count)


def export_active(store: GpkgStore, dest: str | os.PathLike, table: str, columns: list[Column],
                  description: str = "", staged: Staged | None = None, aliases: dict[str, str] | None = None) -> int:
    """Write the store's active codes to a new GeoPackage ``dest`` as layer ``table``; return the count.

    ``dest`` must not exist (the caller decides about overwriting). Feature ids are the registry's; with
    ``staged`` rows, only their codes are written, in their order and with their values (ids from 1), and
    :class:`.grid.CodesChangedError` is raised when one of their codes is no longer active. ``aliases``
    (field name → alias) are written as OGR writes a sink's field aliases; the extent is exact, as OGR's.
    """
    def fill(conn: sqlite3.Connection) -> int:  # (the attached store goes with the connection)
        conn.execute("ATTACH DATABASE ? AS src", (store.path,))
        if staged is not None:
            return _insert_staged(conn, table, columns, staged)
        names = ", ".join(f'"{c.name}"' for c in columns)
        exprs = ", ".join(c.expression for c in columns)
        conn.execute(f'INSERT INTO "{table}" (fid, geom, {names}) SELECT fid, geom, {exprs} '
                     f'FROM src."{SPACE_CODE_TABLE}" WHERE status = \'active\' ORDER BY fid')
        count = conn.execute("SELECT changes()").fetchone()[0]
        _copy_rtree(conn, f"rtree_{table}_geom", f"rtree_{SPACE_CODE_TABLE}_geom")
        return count

    return _new_layer(dest, store.srs_id, table, columns, description, aliases, fill)


class SessionExport:
    """A coding session's new rows written to a new GeoPackage ``dest`` as layer ``table`` *while it runs*: each
    township as its chunk arrives (:meth:`add`), in code order with feature ids from 1, then the spatial index and
    the rename into place (:meth:`finish`); :meth:`abort` leaves nothing. For the scratch store of a run without a
    田管库 (it holds no codes, so every staged row is new): no store is committed and nothing is copied twice.
    ``columns`` are over the registry's column names, which the staged rows share.

    The rows are read from the workers' staging files, attached as they appear, one statement per township without
    a transaction around them (the new file has no journal: its rename is the commit), so that a worker writing its
    next township into the same file is never kept waiting by the reader.
    """

    def __init__(self, session: CodingSession, dest: str | os.PathLike, table: str, columns: list[Column],
                 description: str = "", aliases: dict[str, str] | None = None):
        self.session, self.table, self.aliases = session, table, aliases
        self.layer = _NewLayer(dest, session.store.srs_id, table, columns, description)
        self.layer.conn.execute("COMMIT")  # (the layer's tables are made; rows go in one statement each)
        self._names = ", ".join(f'"{c.name}"' for c in columns)
        self._exprs = ", ".join(c.expression for c in columns)
        self._attached: list[str] = []
        self.count = 0

    def add(self, low: int, n: int) -> None:
        """Write a township's ``n`` new rows, staged with rids from ``low`` (see
        :meth:`~.store.CodingSession.latest_block`)."""
        conn = self.layer.conn
        for path in self.session.staging_files():
            if path not in self._attached:
                conn.execute(f"ATTACH DATABASE ? AS staged{len(self._attached)}", (path,))
                self._attached.append(path)
        if not n:
            return
        conn.execute(f'INSERT INTO "{self.table}" (fid, geom, {self._names}) SELECT ? + rid, geom, {self._exprs} '
                     f"FROM ({self._union()}) WHERE rid BETWEEN ? AND ?", (self.count + 1 - low, low, low + n - 1))
        self.count += conn.execute("SELECT changes()").fetchone()[0]

    def _union(self) -> str:
        return " UNION ALL ".join(f"SELECT * FROM staged{i}.rows" for i in range(len(self._attached)))

    def finish(self) -> int:
        """The spatial index, the extent and the aliases; the file put in place. Returns the count of rows."""
        conn = self.layer.conn
        try:
            if self._attached and conn.execute(f"SELECT 1 FROM ({self._union()}) WHERE rid < 0 LIMIT 1").fetchone():
                raise StoreError("staged rows that change a store's codes cannot be exported: commit them")
            boxes = self.session.new_boxes()
            conn.execute("BEGIN")
            if len(boxes):
                bulk_load(conn, f"rtree_{self.table}_geom", np.arange(1, len(boxes) + 1), boxes[:, 0], boxes[:, 2],
                          boxes[:, 1], boxes[:, 3])
        except BaseException:
            self.abort()
            raise
        self.layer.finish(self.aliases)
        return self.count

    def abort(self) -> None:
        self.layer.abort()


class _NewLayer:
    """A new GeoPackage ``dest`` holding an empty layer ``table`` of ``columns``, built under a hidden name and
    renamed into place by :meth:`finish` (:meth:`abort`: nothing is left). The connection is in a transaction."""

    def __init__(self, dest: str | os.PathLike, srs_id: int, table: str, columns: list[Column], description: str):
        self.dest, self.table = Path(dest), table
        if self.dest.exists():
            raise FileExistsError(str(self.dest))
        self.partial = self.dest.with_name(f".{self.dest.name}.partial")
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(str(self.partial) + suffix)
        self.conn = sqlite3.connect(str(self.partial), isolation_level=None)
        try:
            self.conn.execute("PRAGMA journal_mode=OFF")  # a scratch file: the rename is the commit
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("PRAGMA cache_size=-131072")
            self.conn.execute("BEGIN")
            gpkg.init_geopackage(self.conn)
            gpkg.ensure_srs(self.conn, srs_id, srs_wkt(srs_id), f"EPSG:{srs_id}", srs_id)
            decl = ", ".join(f'"{c.name}" {c.sql_type}' for c in columns)
            gpkg.create_feature_table(self.conn, table, decl, "MULTIPOLYGON", srs_id, description)
            gpkg.drop_insert_trigger(self.conn, table)
        except BaseException:
            self.abort()
            raise

    def finish(self, aliases: dict[str, str] | None) -> None:
        """Within the connection's transaction: the insert trigger again, the exact extent, the aliases; then the
        commit and the rename."""
        try:
            gpkg.restore_insert_trigger(self.conn, self.table)
            gpkg.update_exact_extent(self.conn, self.table)
            if aliases:
                gpkg.add_column_names(self.conn, self.table, aliases)
            self.conn.execute("COMMIT")
        except BaseException:
            self.abort()
            raise
        self.conn.close()
        os.replace(self.partial, self.dest)

    def abort(self) -> None:
        self.conn.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.partial)


def _new_layer(dest: str | os.PathLike, srs_id: int, table: str, columns: list[Column], description: str,
               aliases: dict[str, str] | None, fill: Callable[[sqlite3.Connection], int]) -> int:
    """A new GeoPackage ``dest`` holding layer ``table`` of ``columns``, its rows (and R-tree) written by ``fill``
    (which returns their count) in one transaction. Built under a hidden name and renamed into place: a failure
    leaves nothing."""
    layer = _NewLayer(dest, srs_id, table, columns, description)
    try:
        count = fill(layer.conn)
    except BaseException:
        layer.abort()
        raise
    layer.finish(aliases)
    return int(count)
