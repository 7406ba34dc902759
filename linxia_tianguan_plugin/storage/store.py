"""The 田管库: the plugin's own GeoPackage (code registry with lineage, later grids, officers, tasks,
tracks and cases). Opened in WAL mode so QGIS can read it while a Processing run writes; every write
happens inside one transaction, so a cancelled or failed run leaves the store exactly as it was.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import glob
import json
import os
import re
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..core import clock, parallel
from ..core.admin import AdminDivisions
from ..core.coding.layers import Layer
from . import gpkg
from .migrations import LATEST, MIGRATIONS, SPACE_CODE_COLUMNS, SPACE_CODE_TABLE
from .rtree import node_size, pack, write_leaves, write_packed, write_upper


class StoreError(RuntimeError):
    """The store cannot be used as asked; the message says why and what to do."""


class NotAStoreError(StoreError):
    """The file exists but is not a 田管库 (a data GeoPackage, another SQLite file, not SQLite at all): the
    plugin never writes its tables into it. ``tables``: the file's own tables (layers), named in the message."""

    def __init__(self, path: str, reason: str, tables: list[str] | None = None):
        self.path, self.reason, self.tables = path, reason, list(tables or [])
        super().__init__(f"{path} is not a 田管库 ({reason}): {', '.join(self.tables[:5])}")


class StoreMissingError(StoreError):
    """No 田管库 at the path and no leave to create one (a typo must not make a new, empty store)."""

    def __init__(self, path: str):
        self.path = path
        super().__init__(f"田管库 {path} does not exist")


def store_kind(path: str | os.PathLike) -> str:
    """What is at ``path``: ``missing`` (no file, or an empty one), ``store`` (a 田管库, any version),
    ``empty`` (a GeoPackage without any table of its own: may become a store), or raises :class:`NotAStoreError`."""
    p = Path(path)
    if not p.exists() or (p.is_file() and p.stat().st_size == 0):
        return "missing"
    if p.is_dir():
        raise NotAStoreError(str(path), "folder")
    with open(p, "rb") as fh:
        head = fh.read(16)
    if head != b"SQLite format 3\x00":
        raise NotAStoreError(str(path), "not_sqlite")
    try:
        conn = gpkg.connect_read_only(str(p))
        try:
            names = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        _raise_file_fault(err, str(path))
        raise NotAStoreError(str(path), "unreadable", [str(err)]) from err
    if "tg_schema_migrations" in names:
        return "store"
    own = [n for n in names if not (n.startswith(("gpkg_", "rtree_", "sqlite_")) or n.startswith("tg_"))]
    if own:
        raise NotAStoreError(str(path), "other_tables", own)
    return "empty"


def _raise_file_fault(err: sqlite3.Error, path: str) -> None:
    """Raise the :class:`.faults.StoreFaultError` when ``err`` is a passing fault of the file (locked by another
    writer, a disk that fails) rather than a file that is no store: "not a tianguan store" would send the user
    after the wrong problem."""
    from .faults import classify

    fault = classify(err, path)
    if fault is not None and fault.kind in ("locked", "full", "io", "cantopen"):
        raise fault from err


@contextlib.contextmanager
def existing_store(path) -> Iterator[GpkgStore | None]:
    """The store at ``path`` if there is one that opens, else None; closed afterwards. For readers that
    have nothing to show without a store (locator, map tool, docks) rather than an error to raise."""
    try:
        store = GpkgStore(path, create=False, read_only=True) if path else None
    except (StoreError, OSError):
        store = None
    try:
        yield store
    finally:
        if store is not None:
            store.close()


def srs_wkt(epsg: int) -> str:
    from pyproj import CRS

    return CRS.from_epsg(epsg).to_wkt("WKT1_GDAL")


#: the page size of a store created here: the registry's rows (~600 bytes with their geometry) are written
#: a fifth faster than into SQLite's default 4 kB pages (a county's 300 000 in one run)
STORE_PAGE_SIZE = 16384


class GpkgStore:
    """A 田管库 GeoPackage. Create it with the county's CRS; open it later without one."""

    def __init__(self, path: str | os.PathLike, epsg: int | None = None, create: bool = True,
                 target_version: int | None = None, read_only: bool = False):
        """Open (or create) the store and bring its schema up to ``target_version`` (default: latest);
        ``read_only``: only read it as it is (no migration, no journal change: see gpkg.connect_read_only)."""
        self.path = str(path)
        self.display_path = self.path  # the path messages name (a store being built: the one it will have)
        # an empty file or a GeoPackage without layers becomes a store only when asked to (like no file)
        exists = store_kind(self.path) == "store"
        if not exists and (not create or read_only):
            raise StoreMissingError(self.path)
        if read_only:
            try:
                self.conn = gpkg.connect_read_only(self.path)
                self.srs_id = self._stored_srs() or epsg or 4522
            except sqlite3.DatabaseError as err:
                _raise_file_fault(err, self.path)
                raise StoreError(f"田管库 {self.path} cannot be read: {err}") from err
            return
        self.conn = gpkg.connect(self.path, page_size=STORE_PAGE_SIZE)
        remove_stale_staging(self.path)
        if not exists or not self.has_table("gpkg_contents"):
            with self.transaction():
                gpkg.init_geopackage(self.conn)
        self.srs_id = self._stored_srs() or epsg or 4522
        if epsg and self._stored_srs() and epsg != self._stored_srs():
            raise StoreError(f"田管库 {self.path} uses EPSG:{self._stored_srs()}, not EPSG:{epsg}")
        self.migrate(target_version)

    # ------------------------------------------------------------------ schema
    def has_table(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE name=?", (name,)).fetchone() is not None

    def _stored_srs(self) -> int | None:
        if not self.has_table("gpkg_geometry_columns"):
            return None
        row = self.conn.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name=?",
                                (SPACE_CODE_TABLE,)).fetchone()
        return int(row[0]) if row else None

    @property
    def schema_version(self) -> int:
        if not self.has_table("tg_schema_migrations"):
            return 0
        return int(self.conn.execute("SELECT coalesce(max(version), 0) FROM tg_schema_migrations").fetchone()[0])

    def migrate(self, target: int | None = None) -> list[int]:
        """Apply the missing migrations up to ``target`` (default: latest); return those applied."""
        current = self.schema_version
        if current > LATEST:
            raise StoreError(
                f"田管库 {self.path} has schema version {current}, newer than this plugin ({LATEST}): "
                "update the plugin before writing to it")
        applied = []
        if current == 0:
            with self.transaction():
                gpkg.ensure_srs(self.conn, self.srs_id, srs_wkt(self.srs_id), f"EPSG:{self.srs_id}", self.srs_id)
                gpkg.create_attribute_table(
                    self.conn, "tg_schema_migrations",
                    "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL",
                    "田管库 schema migrations")
        for m in MIGRATIONS:
            if m.version <= current or (target is not None and m.version > target):
                continue
            with self.transaction():
                m.apply(self.conn, self.srs_id)
                self.conn.execute(
                    "INSERT INTO tg_schema_migrations VALUES (?, ?, ?)",
                    (m.version, m.description, clock.now_utc().strftime("%Y-%m-%dT%H:%M:%SZ")))
            applied.append(m.version)
        return applied

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception (including cancel) — a COMMIT that fails (a full
        disk) too: every write is all-or-nothing. The BEGIN waits for another writer and is tried again
        (:func:`.faults.begin_immediate`); a lock that outlasts it is a :class:`.faults.StoreFaultError`."""
        from .faults import begin_immediate, rollback_quietly

        begin_immediate(self.conn, self.path)
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            rollback_quietly(self.conn)
            raise

    @contextlib.contextmanager
    def bulk_journal(self) -> Iterator[bool]:
        """Rollback-journal mode for one big load, WAL again afterwards; yields whether it switched.

        In WAL mode every page of a big load is written twice (to the WAL at COMMIT, then into the
        database at the checkpoint); with a rollback journal, pages appended to the file are not
        journaled at all, so the load is written once and is just as atomic. SQLite refuses the
        switch while another connection (QGIS showing the layer, say) has the store open: the load
        then simply stays in WAL mode. The page cache grows to 128 MB meanwhile, so that the load and
        the index rebuilds do not spill to disk half-way.
        """
        cache = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute("PRAGMA cache_size=-131072")
        switched = False
        try:
            mode = self.conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            switched = str(mode).lower() == "delete"
        except sqlite3.OperationalError:
            switched = False
        try:
            yield switched
        finally:
            if switched:
                self._restore_wal()
            self.conn.execute(f"PRAGMA cache_size={int(cache)}")

    def _restore_wal(self) -> bool:
        """Back to WAL after a bulk load. SQLite keeps the rollback journal (silently) while another
        connection — a worker's, say — still has the file open; then :meth:`close` tries again, so the
        store never stays in rollback mode: the next writer would switch it while QGIS reads its layers,
        and they would come back empty."""
        try:
            mode = str(self.conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]).lower()
        except sqlite3.OperationalError:
            mode = ""
        self._wal_pending = mode != "wal"
        return not self._wal_pending

    def close(self) -> None:
        if getattr(self, "_wal_pending", False):
            self._restore_wal()
        self.conn.close()

    def layer_uri(self, table: str = SPACE_CODE_TABLE) -> str:
        return f"{self.path}|layername={table}"

    # ------------------------------------------------------------------ code registry
    def active_codes(self, township_prefixes: list[str] | None = None) -> Layer:
        """Active codes with geometry, as the ``previous`` input of a re-coding run."""
        sql = (f'SELECT s.fid, s.code, s.coded_at, s.run_id, s.row_hash, s.area_m2, s.geom, '
               f'r.minx, r.miny, r.maxx, r.maxy FROM "{SPACE_CODE_TABLE}" s '
               f'JOIN "rtree_{SPACE_CODE_TABLE}_geom" r ON r.id = s.fid WHERE s.status = \'active\'')
        rows = self.conn.execute(sql).fetchall()
        if township_prefixes is not None:
            keep = tuple(township_prefixes)
            rows = [r for r in rows if r[1].startswith(keep)]
        n = len(rows)
        col = list(zip(*rows)) if rows else [[]] * 11
        return Layer(
            "PREVIOUS",
            np.asarray(col[0], dtype=np.int64),
            np.array([gpkg.decode_blob(b) for b in col[6]], dtype=object),
            np.asarray([r[7:11] for r in rows], dtype=float).reshape(n, 4),
            np.asarray(col[5], dtype=float),
            {"code": np.asarray(col[1], dtype=object), "coded_at": np.asarray(col[2], dtype=object),
             "run_id": np.asarray(col[3], dtype=object), "row_hash": np.asarray(col[4], dtype=object)},
        )

    def used_maxima(self) -> dict[str, tuple[int, int]]:
        """Highest contract / unassigned sequence ever issued per group, retired codes included."""
        out: dict[str, tuple[int, int]] = {}
        for group, c, u in self.conn.execute(
                f'SELECT group_code, max(CASE WHEN seq < 90000 THEN seq ELSE 0 END), '
                f'max(CASE WHEN seq >= 90000 THEN seq ELSE 0 END) FROM "{SPACE_CODE_TABLE}" GROUP BY group_code'):
            out[group] = (int(c or 0), int(u or 0))
        return out

    def get_code(self, code: str) -> dict | None:
        cur = self.conn.execute(f'SELECT * FROM "{SPACE_CODE_TABLE}" WHERE code = ?', (code,))
        row = cur.fetchone()
        if row is None:
            return None
        return {d[0]: v for d, v in zip(cur.description, row) if d[0] != "geom"}

    def lineage(self, code: str) -> dict[str, list[str]]:
        parents = [r[0] for r in self.conn.execute(
            "SELECT parent FROM tg_code_lineage WHERE child = ? ORDER BY parent", (code,))]
        children = [r[0] for r in self.conn.execute(
            "SELECT child FROM tg_code_lineage WHERE parent = ? ORDER BY child", (code,))]
        return {"parents": parents, "children": children}

    def count_codes(self, status: str = "active") -> int:
        return int(self.conn.execute(f'SELECT count(*) FROM "{SPACE_CODE_TABLE}" WHERE status = ?',
                                     (status,)).fetchone()[0])

    def coding_session(self, run_id: str, started_at: str, parameters: dict, stream: bool = False) -> CodingSession:
        """The writes of one coding run (see :class:`CodingSession`; ``stream`` only for a store being built)."""
        return CodingSession(self, run_id, started_at, parameters, stream)

    def undoable_run(self) -> dict | None:
        """The latest coding run when it can be undone (the latest run, not undone, its undo data kept), else None:
        ``{"run_id", "finished_at", "counts"}``."""
        latest = self.conn.execute("SELECT run_id, finished_at, counts, undone_at FROM tg_coding_run "
                                   "ORDER BY finished_at DESC, rowid DESC LIMIT 1").fetchone()
        marked = self.conn.execute("SELECT value FROM tg_meta WHERE key = 'undo_run'").fetchone()
        if latest is None or latest[3] is not None or marked is None or marked[0] != latest[0]:
            return None
        return {"run_id": latest[0], "finished_at": latest[1], "counts": json.loads(latest[2] or "{}")}

    def undo_coding_run(self, run_id: str, when: str) -> dict:
        """Undo the latest coding run ``run_id`` in one transaction, exactly: the codes it retired are active again
        as they were (QR payloads and lineage before the run intact), the rows it changed get their old values
        back, its lineage links go, and the codes it issued are retired as ``undone`` — kept, so that their numbers
        are never issued to another parcel. Returns the counts restored / reverted / withdrawn."""
        run = self.undoable_run()
        if run is None or run["run_id"] != run_id:
            raise StoreError(f"coding run {run_id} is not the latest run of {self.path} that can be undone")
        table = SPACE_CODE_TABLE
        with self.transaction() as conn:
            restored = conn.execute(
                f"UPDATE {table} SET status = 'active', retired_at = NULL, retired_run = NULL, retire_reason = NULL, "
                "children = NULL WHERE retired_run = ? AND status = 'retired' AND retire_reason <> 'undone'",
                (run_id,)).rowcount
            withdrawn = conn.execute(
                f"UPDATE {table} SET status = 'retired', retired_at = ?, retired_run = ?, retire_reason = 'undone', "
                "children = NULL WHERE run_id = ? AND status = 'active' AND code NOT IN "
                "(SELECT code FROM tg_coding_undo WHERE undo_run = ?)", (when, run_id, run_id, run_id)).rowcount
            reverted = conn.execute(
                f"UPDATE {table} SET ({_UNDO}) = (SELECT {_UNDO} FROM tg_coding_undo u "
                f"WHERE u.undo_run = ? AND u.code = {table}.code) WHERE code IN "
                "(SELECT code FROM tg_coding_undo WHERE undo_run = ?)", (run_id, run_id)).rowcount
            conn.execute("DELETE FROM tg_code_lineage WHERE run_id = ?", (run_id,))
            conn.execute("UPDATE tg_coding_run SET undone_at = ? WHERE run_id = ?", (when, run_id))
            conn.execute("DELETE FROM tg_coding_undo")
            conn.execute("DELETE FROM tg_meta WHERE key = 'undo_run'")
            gpkg.update_extent(conn, table)
        return {"restored": restored, "reverted": reverted, "withdrawn": withdrawn}

    # ------------------------------------------------------------------ names
    def save_admin_units(self, rows: list[tuple[str, str, str, str | None]]) -> None:
        """Upsert (code, level, name, parent) rows — the names a decoded code is shown with."""
        known = {r[0]: tuple(r) for r in self.conn.execute("SELECT code, level, name, parent FROM tg_admin_unit")}
        rows = [r for r in rows if known.get(r[0]) != tuple(r)]
        if not rows:
            return
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO tg_admin_unit VALUES (?,?,?,?) ON CONFLICT(code) DO UPDATE SET "
                "level=excluded.level, name=excluded.name, parent=excluded.parent", rows)

    def admin_divisions(self, base: AdminDivisions | None = None) -> AdminDivisions:
        out = AdminDivisions(dict(base.names), dict(base.levels)) if base else AdminDivisions()
        for code, level, name in self.conn.execute("SELECT code, level, name FROM tg_admin_unit"):
            out.add(code, name, level)
        return out


_DATA_COLUMNS = [name for name, _ in SPACE_CODE_COLUMNS if name not in
                 ("status", "retired_at", "retired_run", "retire_reason", "children", "row_hash")]
_HASHED = [c for c in _DATA_COLUMNS if c not in ("coded_at", "run_id", "relation", "parents")]


_MIX = np.array([0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB], dtype=np.uint64)


def _splitmix(h: np.ndarray) -> np.ndarray:
    h = (h ^ (h >> np.uint64(30))) * _MIX[1]
    h = (h ^ (h >> np.uint64(27))) * _MIX[2]
    return h ^ (h >> np.uint64(31))


def _column_hash(values: np.ndarray) -> np.ndarray:
    """A 64-bit digest per element of a column, computed with numpy (no per-row Python)."""
    values = np.asarray(values)
    if values.dtype.kind == "f":
        return np.round(values.astype(float), 4).__add__(0.0).view(np.uint64)  # +0.0 folds -0.0 into 0.0
    if values.dtype.kind in "iub":
        return values.astype(np.int64).view(np.uint64)
    text = values if values.dtype.kind == "U" else np.asarray(["" if v is None else str(v) for v in values], dtype=str)
    width = max(text.dtype.itemsize // 4, 1)
    chars = np.ascontiguousarray(text).view(np.uint32).reshape(len(text), width)
    weights = _splitmix(np.arange(1, width + 1, dtype=np.uint64))
    # Σ char × weight (mod 2⁶⁴) as one product, without a (rows × width) 64-bit temporary
    return np.matmul(chars, weights, dtype=np.uint64) + np.uint64(width)


def row_hashes(columns: dict[str, np.ndarray], wkb: np.ndarray) -> np.ndarray:
    """64-bit digest of each coded parcel's data and geometry: a re-run rewrites only rows whose
    digest moved. Vectorised, because a prefecture writes 2.5 million of them."""
    with np.errstate(over="ignore"):
        h = np.full(len(wkb), _MIX[0], dtype=np.uint64)
        for name in _HASHED:
            h = _splitmix(h ^ _column_hash(columns[name]))
        geometry = np.fromiter((zlib.crc32(w) | (len(w) << 32) for w in wkb), dtype=np.uint64, count=len(wkb))
        return _splitmix(h ^ geometry).view(np.int64)


#: decimals kept of a REAL column (6 unless named): the label point's lon/lat keep the 7 of the outputs' JD/WD
#: (~1 cm), so that it stays inside its level-8 Beidou grid cell
_DECIMALS = {"lon": 7, "lat": 7}


def _as_lists(columns: dict[str, np.ndarray], names: list[str], idx: np.ndarray) -> list[list]:
    """Column values as plain Python lists for sqlite3 (numpy scalars are not bindable)."""
    out = []
    for name in names:
        col = np.asarray(columns[name])[idx]
        if col.dtype.kind == "f":
            out.append(np.round(col.astype(float), _DECIMALS.get(name, 6)).tolist())
        elif col.dtype.kind in "iub":
            out.append(col.astype(np.int64).tolist())
        elif col.dtype.kind == "U":
            out.append(col.tolist())
        else:
            out.append([None if v is None else str(v) for v in col])
    return out


_STAGED = ["geom", *_DATA_COLUMNS, "row_hash"]
_NAMES = ", ".join(f'"{c}"' for c in _STAGED)
#: the registry's columns but the code, as tg_coding_undo keeps a row (see CodingSession._apply, undo_coding_run)
_UNDO = ", ".join(["geom", *(f'"{name}"' for name, _ in SPACE_CODE_COLUMNS if name != "code")])


#: a staged row's rowid: new rows at (chunk << 32) + local, so that each township's new rows are one
#: rowid range stored in code order; changed rows (not new) below zero
_CHUNK_SHIFT = 32


#: a staging file untouched for this long belongs to a run that died (a live run writes one every township)
STALE_STAGING_S = 15 * 60


def remove_stale_staging(store_path: str, now: float | None = None) -> list[str]:
    """Remove the staging files of coding runs that were killed (the process gone, its files left beside the
    store: ~16 MB per 20 000 parcels); returns what was removed. Files written in the last
    :data:`STALE_STAGING_S` seconds may be a live run's (another desk's QGIS) and are kept."""
    import time

    now = time.time() if now is None else now
    removed = []
    for name in glob.glob(glob.escape(store_path) + ".staging-*"):
        try:
            if now - os.path.getmtime(name) > STALE_STAGING_S:
                os.remove(name)
                removed.append(name)
        except OSError:  # gone meanwhile, or held open (Windows): the next open tries again
            continue
    return removed


def building_path(path: str | os.PathLike) -> str:
    """Where a new store for ``path`` is built before it is put in place (:func:`put_in_place`): beside it, under a
    name of the store's staging files, so that a run killed half-way leaves nothing at ``path`` and its file goes
    with the next open's :func:`remove_stale_staging`."""
    import uuid

    return f"{path}.staging-new-{uuid.uuid4().hex[:8]}.gpkg"


def put_in_place(building: str, path: str | os.PathLike) -> None:
    """Move a closed store built at ``building`` to ``path``: its bytes on disk first, then the rename (and the
    folder's entry on disk). :class:`FileExistsError` when something appeared at ``path`` meanwhile: it is never
    overwritten, and the built store is left for the caller to remove."""
    fd = os.open(building, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    if os.path.lexists(path):
        raise FileExistsError(str(path))
    os.replace(building, path)
    with contextlib.suppress(OSError, AttributeError):  # (Windows opens no folder; its rename is durable as is)
        folder = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def remove_store_file(path: str) -> None:
    """Remove a store file and its journal files (a store being built that is not put in place)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path + suffix)


def create_staging(path: str) -> None:
    """An empty staging database: a run's new and changed rows wait here until the commit.

    ``rid`` orders new rows by township block and code (see :data:`_CHUNK_SHIFT`), so the commit
    appends them to the registry in feature-id order: a new row's place in its township's block of
    feature ids (assigned at commit) is ``rid`` less the block's first. The boxes travel back to the
    commit with the chunk, not through the file. No index on ``code``: the commit indexes the few
    changed rows it looks up by code (see :meth:`CodingSession._apply`)
    instead of every worker growing a B-tree of every new code.
    """
    conn = sqlite3.connect(path)
    cols = ", ".join(f'"{c}"' for c in _STAGED if c != "code")
    conn.execute(f"CREATE TABLE IF NOT EXISTS rows (rid INTEGER PRIMARY KEY, code TEXT NOT NULL, {cols})")
    conn.commit()
    conn.close()


def stage_rows(store_path: str, staging: str, srs_id: int, chunk: int, columns: dict[str, np.ndarray],
               wkb: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Stage one township's new and changed rows, in the worker process that coded it.

    Building and binding millions of rows is the expensive part of writing; done here it runs beside
    the coding. Codes already in the store with the same digest are not staged at all, so a re-run on
    unchanged input stages (and later writes) nothing. Returns the boxes of the new rows in their
    ``local`` order, which is all the commit needs to pack the spatial index.
    """
    if len(wkb) == 0:
        return np.zeros((0, 4))
    codes = [str(c) for c in columns["code"]]
    hashes = row_hashes(columns, wkb).tolist()
    conn = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True, timeout=600.0)
    try:
        known = dict(conn.execute(
            f'SELECT code, row_hash FROM "{SPACE_CODE_TABLE}" WHERE code BETWEEN ? AND ?',
            (min(codes), max(codes))).fetchall())
    finally:
        conn.close()
    is_new = np.array([c not in known for c in codes], dtype=bool)
    stage = np.flatnonzero(is_new | np.array([known.get(c, h) != h for c, h in zip(codes, hashes)], dtype=bool))
    if len(stage) == 0:
        return np.zeros((0, 4))
    local = np.where(is_new[stage], np.cumsum(is_new[stage]) - 1, -1)
    changed = np.cumsum(~is_new[stage])
    rid = np.where(local >= 0, (int(chunk) << _CHUNK_SHIFT) + local, -((int(chunk) << _CHUNK_SHIFT) + changed))
    rows = zip(rid.tolist(), *_row_values(columns, wkb, bounds, srs_id, stage, hashes))
    part = f"{staging}.{os.getpid()}"  # one staging file per worker process: writers never wait
    if not os.path.exists(part):
        create_staging(part)
    out = sqlite3.connect(part, timeout=600.0)
    try:
        # a scratch file, read once by the commit and removed: written once (no journal), never synced — a run
        # that dies mid-write leaves a staging file that is removed, not trusted
        out.execute("PRAGMA journal_mode=OFF")
        out.execute("PRAGMA synchronous=OFF")
        with out:
            marks = ", ".join("?" * (len(_STAGED) + 1))
            out.executemany(f"INSERT OR REPLACE INTO rows (rid, {_NAMES}) VALUES ({marks})", rows)
    finally:
        out.close()
    return bounds[stage][is_new[stage]]


def _row_values(columns: dict[str, np.ndarray], wkb: np.ndarray, bounds: np.ndarray, srs_id: int, rows: np.ndarray,
                hashes: list[int]) -> list[list]:
    """The registry's values of ``rows`` as columns in :data:`_STAGED` order (geometry blob, data, digest)."""
    return [gpkg.encode_blobs(np.asarray(wkb, dtype=object)[rows], bounds[rows], srs_id),
            *_as_lists(columns, _DATA_COLUMNS, rows), [hashes[i] for i in rows]]


def insert_rows(store_path: str, srs_id: int, columns: dict[str, np.ndarray], wkb: np.ndarray,
                bounds: np.ndarray) -> tuple[int, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Write one township's rows straight into the registry of a store being built (a streaming
    :class:`CodingSession`: it holds no codes, nobody else sees it, and its insert trigger is off), in the worker
    process that coded it, with the leaves of the spatial index over them (:func:`~.rtree.write_leaves`). Returns
    (the first row's feature id, the rows' boxes, the leaves' numbers and boxes): the rows of one call get
    consecutive ids. The workers take turns at the file's write lock; there is no journal (a failed run's store is
    thrown away) and no sync (the session syncs the file)."""
    if len(wkb) == 0:
        return 0, np.zeros((0, 4)), (np.zeros(0, dtype=np.int64), np.zeros((0, 4), dtype=np.float32))
    every = np.arange(len(wkb))
    rows = zip(*_row_values(columns, wkb, bounds, srs_id, every, row_hashes(columns, wkb).tolist()))
    b = np.asarray(bounds, dtype=float).reshape(-1, 4)
    conn = sqlite3.connect(store_path, timeout=600.0, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-65536")  # (the code index's pages stay in memory for the whole township)
        with parallel.exclusive():  # the workers' turns (SQLite's busy timeout stays the guard)
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(f'INSERT INTO "{SPACE_CODE_TABLE}" ({_NAMES}) '
                             f'VALUES ({", ".join("?" * len(_STAGED))})', rows)
            first = conn.execute("SELECT last_insert_rowid()").fetchone()[0] - len(wkb) + 1
            leaves = write_leaves(conn, f"rtree_{SPACE_CODE_TABLE}_geom", int(first), b[:, 0], b[:, 2], b[:, 1],
                                  b[:, 3])
            conn.execute("COMMIT")
    finally:
        conn.close()
    return int(first), b, leaves


def _led_by_code(index_sql: str) -> bool:
    """Whether a CREATE INDEX statement's first column is ``code``."""
    first = re.match(r'\s*"?(\w+)"?', index_sql.split("(", 1)[1]) if "(" in index_sql else None
    return first is not None and first.group(1).lower() == "code"


class CodingSession:
    """One coding run's writes to the registry, committed together at the end or not at all.

    Worker processes stage new and changed rows while they code (:func:`stage_rows`); the commit is
    one transaction that moves them in with SQL alone, repacks the spatial index when many rows
    arrived (:func:`~.rtree.bulk_load`), retires, links lineage and records the run. A run that
    changes nothing writes nothing, so re-running on identical input leaves the store untouched; a
    cancelled or failed run only leaves its staging file, which is removed.

    ``stream``: the store is a new one being built where nobody sees it (see :func:`building_path`), which the
    caller throws away unless the run succeeds. The workers then write each township's rows straight into its
    registry (:func:`insert_rows`), with the leaves of the spatial index over them, instead of staging them, so the
    commit only tops the spatial index and records the run; the main process syncs the file a township at a time
    meanwhile.
    """

    def __init__(self, store: GpkgStore, run_id: str, started_at: str, parameters: dict, stream: bool = False):
        self.store, self.run_id, self.started_at, self.parameters = store, run_id, started_at, parameters
        self.stream = stream
        self._first_fids: list[int] = []  # streaming: each township's first feature id, as the worker wrote it
        self._leaves: list[tuple[np.ndarray, np.ndarray]] = []  # streaming: the spatial index's leaves over them
        self._syncing: concurrent.futures.Future | None = None
        self._sync_fd: int | None = None
        self.counts = {"inserted": 0, "updated": 0, "retired": 0, "lineage": 0}
        self.staging = f"{store.path}.staging-{run_id}.sqlite"
        self._retired: list[tuple[str, str, list[str]]] = []
        self._retired_at = ""
        self._chunks: list[tuple[int, np.ndarray]] = []  # (chunk id, boxes of its new rows) in order
        self._edges: list[tuple[str, str, float]] = []
        self._discarded = False
        self.bulk = False

    @property
    def changed(self) -> bool:
        c = self.counts
        return bool(c["inserted"] or c["updated"] or c["retired"] or c["lineage"])

    def __enter__(self) -> CodingSession:
        self._remove_staging()
        try:
            create_staging(self.staging)
            if self.stream:
                self._start_stream()
        except BaseException:  # a full disk: no __exit__ follows, so the half-made file goes here
            self._remove_staging()
            raise
        return self

    def _start_stream(self) -> None:
        """A store being built is written without journal (a failed run throws the file away) and without the
        insert trigger (the index is packed at the end). Each township's rows are synced as they are written,
        while the workers code, so that putting the store in place (:func:`put_in_place`) has little left to sync."""
        conn = self.store.conn
        if conn.execute(f'SELECT count(*) FROM "{SPACE_CODE_TABLE}"').fetchone()[0]:
            raise StoreError(f"田管库 {self.store.path} already holds codes: it is not a store being built")
        conn.execute("PRAGMA journal_mode=OFF")
        gpkg.drop_insert_trigger(conn, SPACE_CODE_TABLE)

    def write(self, columns: dict[str, np.ndarray], wkb: np.ndarray, bounds: np.ndarray) -> None:
        """Stage rows coded in this process (worker processes call :func:`stage_rows` themselves)."""
        chunk = len(self._chunks)
        if self.stream:
            self.add_chunk(chunk, *insert_rows(self.store.path, self.store.srs_id, columns, wkb, bounds))
            return
        self.add_chunk(chunk, stage_rows(self.store.path, self.staging, self.store.srs_id, chunk, columns, wkb,
                                         bounds))

    def add_chunk(self, chunk: int, new_boxes: np.ndarray, first_fid: int = 0,
                  leaves: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Record a township staged by a worker: its new rows get the next block of feature ids — or, streaming,
        the worker wrote them into the registry already, from ``first_fid``, with the ``leaves`` of the spatial
        index over them (see :func:`insert_rows`)."""
        self._chunks.append((int(chunk), np.asarray(new_boxes, dtype=float).reshape(-1, 4)))
        if self.stream:
            if leaves is None:
                raise StoreError(f"township {chunk} of a store being built came without its spatial index leaves")
            self._first_fids.append(int(first_fid))
            self._leaves.append(leaves)
            self._sync()

    def retire(self, retired: list[tuple[str, str, list[str]]], when: str) -> None:
        """Retire codes at commit: (code, reason, child codes). Retired codes are never issued again."""
        self._retired += retired
        self._retired_at = when

    def link(self, edges: list[tuple[str, str, float]]) -> None:
        """Record lineage edges (parent code, child code, shared m²) at commit."""
        self._edges += edges

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._stop_syncing()
            if exc_type is None and not self._discarded:
                self._commit()
        finally:
            self._remove_staging()

    def _sync(self) -> None:
        """Streaming: have the file synced in the background (unless a sync still runs), so that the rows the
        workers wrote reach the disk while they code and the final sync finds little left."""
        if self._syncing is not None and not self._syncing.done():
            return
        if self._sync_fd is None:
            # held until the end, when no statement runs: closing a descriptor drops the process's POSIX locks
            self._sync_fd = os.open(self.store.path, os.O_RDWR)
            self._syncer = concurrent.futures.ThreadPoolExecutor(1)
        self._syncing = self._syncer.submit(os.fsync, self._sync_fd)

    def _stop_syncing(self) -> None:
        if self._sync_fd is None:
            return
        self._syncer.shutdown(wait=True)
        os.close(self._sync_fd)
        self._sync_fd = None

    def new_boxes(self) -> np.ndarray:
        """The boxes (x0 y0 x1 y1) of the new rows staged so far, township after township in code order."""
        return np.concatenate([b for _, b in self._chunks]) if self._chunks else np.zeros((0, 4))

    def latest_block(self) -> tuple[int, int]:
        """The latest township's new rows as staged, for writing them elsewhere than the store
        (:class:`.export.SessionExport`): (first rid, count)."""
        chunk, boxes = self._chunks[-1]
        return int(chunk) << _CHUNK_SHIFT, len(boxes)

    def staging_files(self) -> list[str]:
        """The session's staging files so far (a worker's appears with its first township)."""
        return [self.staging, *self._parts()]

    def discard(self) -> None:
        """Leave the store as it is at the end of the session (its rows were written elsewhere): the staging files
        are removed, nothing is committed."""
        self._discarded = True

    def _parts(self) -> list[str]:
        """The staging files of the worker processes (one each, see :func:`stage_rows`)."""
        return sorted(glob.glob(glob.escape(self.staging) + ".*[0-9]"))

    def _commit(self) -> None:
        conn = self.store.conn
        table = f'"{SPACE_CODE_TABLE}"'
        sources = [self.staging, *self._parts()]
        if len(sources) > 9:  # SQLite attaches at most 10 databases (parallel.cpu_count caps workers at 8)
            raise StoreError(f"{len(sources) - 1} staging files for one run: too many worker processes")
        for i, path in enumerate(sources):
            conn.execute(f"ATTACH DATABASE ? AS staged{i}", (path,))
        conn.execute("CREATE TEMP VIEW staged_rows AS " + " UNION ALL ".join(
            f"SELECT * FROM staged{i}.rows" for i in range(len(sources))))

        def detach() -> None:
            conn.execute("DROP VIEW IF EXISTS temp.staged_rows")
            for i in range(len(sources)):
                conn.execute(f"DETACH DATABASE staged{i}")

        try:
            with contextlib.ExitStack() as stack:
                self.bulk = self._bulk(conn, table)
                if self.bulk:
                    stack.enter_context(self.store.bulk_journal())  # (a streamed store: a journal, then WAL again)
                self._transaction(conn, table)
            if self.stream and not self.bulk:
                self.store._restore_wal()  # (it was written without journal)
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # the fault itself (a full disk) is what the user must hear
                detach()
            raise
        detach()

    def _bulk(self, conn: sqlite3.Connection, table: str) -> bool:
        """Whether this run loads so many rows that indexes are rebuilt rather than grown."""
        new = sum(len(b) for _, b in self._chunks)
        # (a streamed store held nothing before the workers wrote its rows)
        before = 0 if self.stream else conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return new >= max(20_000, before // 5)

    def _transaction(self, conn: sqlite3.Connection, table: str) -> None:
        """The run's one write transaction (see :meth:`GpkgStore.transaction` for the retried BEGIN and the
        ROLLBACK after a failed COMMIT)."""
        from .faults import begin_immediate, rollback_quietly

        begin_immediate(conn, self.store.path)
        try:
            self._apply(conn, table)
            if not self.changed:
                conn.execute("ROLLBACK")
                return
            gpkg.update_extent(conn, SPACE_CODE_TABLE)
            conn.execute(
                "INSERT INTO tg_coding_run (run_id, started_at, finished_at, parameters, counts) "
                "VALUES (?, ?, ?, ?, ?)",
                (self.run_id, self.started_at, clock.now_utc().strftime("%Y-%m-%dT%H:%M:%SZ"),
                 json.dumps(self.parameters, ensure_ascii=False),
                 json.dumps(self.counts)))
            conn.execute("COMMIT")
        except BaseException:
            rollback_quietly(conn)
            raise

    def _apply(self, conn: sqlite3.Connection, table: str) -> None:
        # only the latest run can be undone: its rows changed in place are kept as they were (see undo_coding_run)
        undo = self.store.has_table("tg_coding_undo")  # (a store held at an older schema version has no undo)
        if undo:
            conn.execute("DELETE FROM tg_coding_undo")
            conn.execute("INSERT OR REPLACE INTO tg_meta (key, value) VALUES ('undo_run', ?)", (self.run_id,))
        counts = np.array([len(b) for _, b in self._chunks], dtype=np.int64)
        if self.stream:  # the workers wrote the rows already, each township from its first feature id
            starts = np.array(self._first_fids, dtype=np.int64)
            self.counts["inserted"] = int(counts.sum())
        else:
            last = conn.execute(f"SELECT coalesce(max(fid), 0) FROM {table}").fetchone()[0]
            starts = last + 1 + np.cumsum(counts) - counts
        staged_new = int(counts.sum())
        bulk = self.bulk  # repack the spatial index instead of growing it
        rtree = f"rtree_{SPACE_CODE_TABLE}_geom"
        gpkg.drop_insert_trigger(conn, SPACE_CODE_TABLE)
        # a big load rebuilds the secondary indexes afterwards: one sort beats millions of B-tree inserts — except
        # an index led by the code, which the load appends to in order (as to the code's own UNIQUE index)
        indexes = [(name, sql) for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (SPACE_CODE_TABLE,)) if not _led_by_code(sql)] if bulk else []
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        packing, executor = None, None
        if staged_new and not self.stream:
            fids = np.concatenate([np.arange(st, st + n) for st, n in zip(starts, counts)])
            boxes = self.new_boxes()
            if bulk:
                old = np.array(conn.execute(f'SELECT id, minx, maxx, miny, maxy FROM "{rtree}"').fetchall(),
                               dtype=float).reshape(-1, 5)
                fids = np.concatenate([old[:, 0].astype(np.int64), fids])
                boxes = np.concatenate([old[:, [1, 3, 2, 4]], boxes])
                # the tree is packed (numpy) in a thread while SQLite appends the rows (both drop the GIL)
                executor = concurrent.futures.ThreadPoolExecutor(1)
                packing = executor.submit(
                    pack, fids, boxes[:, 0], boxes[:, 2], boxes[:, 1], boxes[:, 3], node_size(conn, rtree))
        # township by township in code order: feature ids and codes both grow, so every row is appended
        # to the table and to its code index (a rowid range per township and staging file)
        insert = (f"INSERT INTO {table} (fid, {_NAMES}) SELECT ? + rid, {_NAMES} FROM staged_rows "
                  "WHERE rid BETWEEN ? AND ?")
        try:
            for (chunk, _), start, n in zip(self._chunks, starts.tolist(), counts.tolist()):
                if n and not self.stream:
                    low = chunk << _CHUNK_SHIFT
                    conn.execute(insert, (start - low, low, low + n - 1))
                    self.counts["inserted"] += conn.execute("SELECT changes()").fetchone()[0]
            for _, sql in indexes:
                conn.execute(sql)
            gpkg.restore_insert_trigger(conn, SPACE_CODE_TABLE)
            if self.stream:  # the workers wrote the leaves with the rows: the inner levels and the root
                write_upper(conn, rtree, np.concatenate([n for n, _ in self._leaves] or [np.zeros(0, np.int64)]),
                            np.concatenate([b for _, b in self._leaves] or [np.zeros((0, 4), np.float32)]))
            elif packing is not None:
                write_packed(conn, rtree, packing.result())
            elif staged_new:
                conn.executemany(f'INSERT INTO "{rtree}" VALUES (?,?,?,?,?)',
                                 zip(fids.tolist(), boxes[:, 0].tolist(), boxes[:, 2].tolist(),
                                     boxes[:, 1].tolist(), boxes[:, 3].tolist()))
        finally:
            if executor is not None:
                executor.shutdown(wait=True)
        if conn.execute("SELECT 1 FROM staged_rows WHERE rid < 0 LIMIT 1").fetchone():
            # the changed rows, indexed by code for the update (the staging files have no code index)
            conn.execute("DROP TABLE IF EXISTS temp.changed_rows")
            conn.execute("CREATE TEMP TABLE changed_rows AS SELECT * FROM staged_rows WHERE rid < 0")
            conn.execute("CREATE UNIQUE INDEX temp.changed_rows_code ON changed_rows (code)")
            if undo:
                conn.execute(f"INSERT INTO tg_coding_undo (undo_run, code, {_UNDO}) SELECT ?, code, {_UNDO} "
                             f"FROM {table} WHERE code IN (SELECT code FROM changed_rows)", (self.run_id,))
            sets = ", ".join(f'"{c}"' for c in _STAGED if c != "code")
            conn.execute(f"UPDATE {table} SET ({sets}, status) = (SELECT {sets}, 'active' FROM changed_rows r "
                         f"WHERE r.code = {table}.code) WHERE code IN (SELECT code FROM changed_rows)")
            self.counts["updated"] = conn.execute("SELECT changes()").fetchone()[0]
            conn.execute("DROP TABLE temp.changed_rows")
        if self._retired:
            conn.executemany(
                f"UPDATE {table} SET status = 'retired', retired_at = ?, retired_run = ?, "
                f"retire_reason = ?, children = ? WHERE code = ? AND status = 'active'",
                [(self._retired_at, self.run_id, reason, ";".join(kids), code) for code, reason, kids in self._retired])
            self.counts["retired"] = len(self._retired)
        if self._edges:
            cur = conn.executemany("INSERT OR IGNORE INTO tg_code_lineage VALUES (?,?,?,?)",
                                   [(p, c, round(float(a), 2), self.run_id) for p, c, a in self._edges])
            self.counts["lineage"] = max(cur.rowcount, 0)

    def _remove_staging(self) -> None:
        for base in [self.staging, *self._parts()]:
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(base + suffix)
