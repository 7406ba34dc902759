"""从州库下载 — a desk makes (or refreshes) its 田管库 from the prefecture's shared PostGIS store
(:mod:`.pg_prefecture`), for its county or one township: the grid, roster, tasks, tracks, coverage, codes with
their lineage, evidence (rows and files) and the cases with their events. A new analyst starts from the shared
truth instead of a colleague's copied file.

**A new store is all or nothing.** It is built in a temporary file beside ``path`` (and its evidence in a temporary
folder) and renamed into place only when complete: a failure or a cancel leaves nothing behind, and an existing file
is never touched. Everything is read in one ``REPEATABLE READ`` transaction, so the tables agree with each other
even while a county publishes.

**Geometry** comes back through ``ST_Transform`` into the desk's CRS (none when the CRS is the schema's) and is
written as GeoPackage blobs; the R-tree triggers keep the spatial indexes. A pulled code's ``row_hash`` (the coding
kernel's digest of its input, not shared) stays NULL: coding the county again on the pulled store compares the
parcels afresh.

**Publish state.** The rows written are recorded as held by the shared store (:func:`.publish.mark_published`,
the digests :func:`.publish.publish` compares), so publishing a store just pulled sends nothing.

**Refresh** (``refresh=True``) brings rows new or changed upstream into an existing desk store of the county, in one
transaction: a desk row changed since its last publish is kept (listed in :attr:`PullReport.kept_local`), rows only
the desk has stay, and only the columns a desk may change later (:attr:`.pg_prefecture.SharedTable.mutable`) are
updated. Cases: new ones come in with their events; a case the county moved further gets the missing events.

Plain Python, sqlite3 and psycopg2: no QGIS.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import shapely
from psycopg2 import sql

from ..core.cases.workflow import format_time
from . import gpkg, pg_prefecture, pg_schema, publish
from .cases import CASE_COLUMNS, CASE_TABLE, EVENT_TABLE
from .evidence import EVIDENCE_TABLE, evidence_dir, evidence_path
from .pg_prefecture import SharedTable
from .postgis import PgStore
from .store import GpkgStore

#: rows read from PostgreSQL and written to the desk at a time
BATCH_ROWS = 5000
#: the shared column that is the desk row's rowid (the officers' place in their roster)
_ROWID_COLUMNS = {"officers": "row_no"}
#: columns of a case the county may change later (besides state, version and the events)
_CASE_UPDATES = tuple(c for c in pg_schema.DESK_UPDATE_COLUMNS if c != "geom")


class PullError(RuntimeError):
    """A pull that cannot start or must stop; ``kind`` says why (for the words of the algorithm): ``exists``,
    ``missing``, ``bad_place``, ``not_visible``, ``old_schema``, ``other_county``, ``other_crs``, ``canceled``."""

    def __init__(self, kind: str, message: str, **details) -> None:
        super().__init__(message)
        self.kind = kind
        self.details = details


@dataclass
class PullTable:
    upstream: int = 0  # rows read from the shared store
    inserted: int = 0
    updated: int = 0
    kept_local: int = 0  # rows changed on the desk since its last publish, kept as they are


@dataclass
class PullReport:
    path: str
    county_code: str
    township: str | None
    target: str  # the shared store's identity (store_identity.store_id)
    refresh: bool
    tables: dict[str, PullTable] = field(default_factory=dict)
    #: (table, key) of desk rows kept instead of the shared version (changed on the desk since its last publish)
    kept_local: list[tuple[str, str]] = field(default_factory=list)
    #: (table, key) of those among them that changed upstream too
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    #: (table, key, reason) of shared rows the desk could not take (a local row holds their unique values)
    refused: list[tuple[str, str, str]] = field(default_factory=list)
    cases: dict[str, int] = field(default_factory=lambda: dict(upstream=0, inserted=0, updated=0, kept_local=0,
                                                                events_inserted=0))
    #: cases stored without their number because the desk holds the same number for another case
    case_number_clashes: list[str] = field(default_factory=list)
    evidence_files: int = 0
    evidence_problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"path": self.path, "county_code": self.county_code, "township": self.township,
                "refresh": self.refresh, "tables": {n: vars(t) for n, t in self.tables.items()},
                "kept_local": len(self.kept_local), "conflicts": len(self.conflicts), "refused": len(self.refused),
                "cases": self.cases, "evidence_files": self.evidence_files}


@dataclass
class _Source:
    """What one pull reads: the shared store, its transaction and the place asked for."""

    pg: PgStore
    cur: object
    county: str
    township: str | None
    srid: int
    desk_srid: int
    postgis: str
    report: PullReport
    on_progress: Callable[[str, int, int], None] | None
    is_canceled: Callable[[], bool] | None

    def check_canceled(self) -> None:
        if self.is_canceled is not None and self.is_canceled():
            raise PullError("canceled", "pull canceled")

    def progress(self, name: str, done: int, total: int) -> None:
        if self.on_progress is not None:
            self.on_progress(name, done, total)


# ------------------------------------------------------------------------------------ entry point
def pull(pg: PgStore, path, county_code: str, township: str | None = None, *, epsg: int | None = None,
         refresh: bool = False, on_progress: Callable[[str, int, int], None] | None = None,
         is_canceled: Callable[[], bool] | None = None) -> PullReport:
    """Make the 田管库 ``path`` from the shared store ``pg`` for ``county_code`` (or only ``township``, a 9-digit
    code of it), or refresh the existing one (``refresh``); returns the report. ``epsg``: the new store's CRS
    (default: the schema's). ``on_progress(table, done, total)`` reports rows, ``is_canceled()`` stops between
    batches (a new store is then not made; a refresh writes nothing). Raises :class:`PullError` or
    :class:`.postgis.PgStoreError`."""
    path = Path(path)
    _check_place(county_code, township)
    if not refresh and (path.exists() or path.is_symlink()):
        raise PullError("exists", f"{path} exists already: a pull makes a new store (or refreshes one)",
                        path=str(path))
    if refresh and not path.is_file():
        raise PullError("missing", f"{path} does not exist: nothing to refresh", path=str(path))
    with pg.transaction("pulling from the shared store") as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        target, srid, postgis = _upstream(cur, pg, county_code)
        if refresh:
            return _refresh(pg, cur, path, county_code, township, epsg, target, srid, postgis, on_progress,
                            is_canceled)
        source = _Source(pg, cur, county_code, township, srid, int(epsg or srid), postgis,
                         PullReport(str(path), county_code, township, target, False), on_progress, is_canceled)
        _fresh(source, path)
        return source.report


def _check_place(county: str, township: str | None) -> None:
    if not (isinstance(county, str) and len(county) == 6 and county.isascii() and county.isdigit()):
        raise PullError("bad_place", f"{county!r} is not a 6-digit county code", county=county)
    if township is not None and not (isinstance(township, str) and len(township) == 9 and township.isascii()
                                     and township.isdigit() and township.startswith(county)):
        raise PullError("bad_place", f"{township!r} is not a 9-digit township code of county {county}",
                        county=county, township=township)


def _upstream(cur, pg: PgStore, county: str) -> tuple[str, int, str]:
    """(store identity, schema SRID, PostGIS schema) after the checks: version 6, the county visible."""
    version = pg_schema.current_version(cur, pg.schema)
    if version < 6:
        raise PullError("old_schema", f"schema {pg.schema} is at version {version}; a pull needs version 6",
                        version=version)
    s = sql.Identifier(pg.schema)
    cur.execute(sql.SQL("SELECT store_id FROM {s}.store_identity").format(s=s))
    target = cur.fetchone()[0]
    cur.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {s}.space_codes WHERE county_code = %s) OR "
                        "EXISTS (SELECT 1 FROM {s}.admin_units WHERE county_code = %s)").format(s=s),
                (county, county))
    if not cur.fetchone()[0]:
        raise PullError("not_visible", f"county {county} has nothing in {pg.schema} that this role may read",
                        county=county)
    srid = pg_schema.schema_srid(cur, pg.schema) or pg.srid
    cur.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'postgis'")
    row = cur.fetchone()
    return target, int(srid), row[0] if row else "public"


def _shared_tables(source: _Source) -> tuple[pg_prefecture.SharedTable, ...]:
    """The shared tables the store's schema version has: a shared store not yet migrated to a later version (the
    administrator migrates it) lacks that version's tables, which a pull then skips instead of failing."""
    return pg_prefecture.tables_at(pg_schema.current_version(source.cur, source.pg.schema))


# ------------------------------------------------------------------------------------ a new store
def _temporary_names(path: Path) -> tuple[Path, Path]:
    tag = uuid.uuid4().hex[:12]
    return (path.with_name(f".{path.name}.pull-{tag}.gpkg"),
            path.with_name(f".{path.stem}_evidence.pull-{tag}"))


def _remove_store_files(store_path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(str(store_path) + suffix)


def _fresh(source: _Source, path: Path) -> None:
    tmp, tmp_evidence = _temporary_names(path)
    store = None
    try:
        store = GpkgStore(tmp, epsg=source.desk_srid)
        with store.transaction():
            for table in _shared_tables(source):
                if store.has_table(table.desk):
                    _pull_table(source, store, table, fresh=True)
            _pull_cases(source, store, fresh=True)
            publish.mark_all_published(store, source.report.target)
        _pull_evidence_files(source, store, tmp_evidence, path)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the file itself before the rename
        store.close()
        store = None
        _place_evidence(tmp_evidence, evidence_dir(SimpleNamespace(path=str(path))))
        _place(tmp, path)
        _remove_store_files(tmp)  # an emptied -wal/-shm the rename left behind
    except BaseException:
        if store is not None:
            store.close()
        _remove_store_files(tmp)
        shutil.rmtree(tmp_evidence, ignore_errors=True)
        raise


def _place(tmp: Path, path: Path) -> None:
    """Rename the finished store into place, never over a file that appeared meanwhile."""
    try:
        os.link(tmp, path)  # fails when ``path`` exists (a rename would replace it on POSIX)
    except FileExistsError:
        raise PullError("exists", f"{path} appeared while the pull ran; it was left as it is",
                        path=str(path)) from None
    except OSError:  # no hard links here (some network shares): rename, which Windows refuses over a file
        if path.exists():
            raise PullError("exists", f"{path} appeared while the pull ran; it was left as it is",
                            path=str(path)) from None
        os.rename(tmp, path)
        return
    os.remove(tmp)


def _place_evidence(tmp: Path, final: Path) -> None:
    """The pulled evidence files into the store's evidence folder (made whole when there was none)."""
    if not tmp.exists():
        return
    if not final.exists():
        os.rename(tmp, final)
        return
    for file in sorted(p for p in tmp.rglob("*") if p.is_file()):
        target = final / file.relative_to(tmp)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(file, target)
    shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------ refresh
def _refresh(pg, cur, path, county, township, epsg, target, srid, postgis, on_progress, is_canceled) -> PullReport:
    store = GpkgStore(path, create=False)
    try:
        if epsg and int(epsg) != store.srs_id:
            raise PullError("other_crs", f"{path} uses EPSG:{store.srs_id}, not EPSG:{epsg}",
                            store_epsg=store.srs_id, epsg=int(epsg))
        try:
            held = publish.store_county(store)
        except publish.PublishError as exc:
            if exc.kind != "no_county":
                raise PullError("other_county", str(exc), **exc.details) from None
            held = county
        if held != county:
            raise PullError("other_county", f"{path} holds county {held}, not {county}", store_county=held,
                            county=county)
        source = _Source(pg, cur, county, township, srid, store.srs_id, postgis,
                         PullReport(str(path), county, township, target, True), on_progress, is_canceled)
        with store.transaction():
            for table in _shared_tables(source):
                if store.has_table(table.desk):
                    _pull_table(source, store, table, fresh=False)
            _pull_cases(source, store, fresh=False)
        _pull_evidence_files(source, store, evidence_dir(store), path)
        return source.report
    finally:
        store.close()


# ------------------------------------------------------------------------------------ tables
def _place_filter(source: _Source, column: str | None) -> tuple[sql.Composable, list]:
    """``county_code = …`` and, for a township, the rule of :func:`..core.prefecture.scopes.sees`."""
    where, args = sql.SQL("county_code = %s"), [source.county]
    if source.township and column:
        place = sql.SQL("coalesce({p}, county_code)").format(p=sql.Identifier(column))
        where = sql.SQL("{w} AND (starts_with({p}, %s) OR starts_with(%s, {p}))").format(w=where, p=place)
        args += [source.township, source.township]
    return where, args


def _geometry(source: _Source, column: str = "geom") -> sql.Composable:
    g, col = sql.Identifier(source.postgis), sql.Identifier(column)
    if source.desk_srid == source.srid:
        return sql.SQL("{g}.st_asbinary({c})").format(g=g, c=col)
    return sql.SQL("{g}.st_asbinary({g}.st_transform({c}, {d}))").format(g=g, c=col, d=sql.Literal(source.desk_srid))


def _read(source: _Source, query: sql.Composable, args: list, name: str) -> Iterator[list[tuple]]:
    """Rows of ``query`` in batches, through a server-side cursor of the pull's transaction."""
    with source.pg.conn.cursor(name=f"tg_pull_{name}") as named:
        named.itersize = BATCH_ROWS
        named.execute(query, args)
        while rows := named.fetchmany(BATCH_ROWS):
            yield rows


def _blobs(wkbs: list, srs_id: int) -> list[bytes | None]:
    """GeoPackage blobs of WKB values (None stays None)."""
    out: list[bytes | None] = [None] * len(wkbs)
    at = [i for i, w in enumerate(wkbs) if w is not None]
    if at:
        raw = np.empty(len(at), dtype=object)
        raw[:] = [bytes(wkbs[i]) for i in at]
        bounds = shapely.bounds(shapely.from_wkb(raw))
        for i, blob in zip(at, gpkg.encode_blobs(raw, bounds, srs_id)):
            out[i] = blob
    return out


def _desk_columns(store: GpkgStore, table: SharedTable) -> list[tuple[int, str]]:
    """(index in the shared row, desk column) of the shared columns the desk table keeps."""
    have = {r[1] for r in store.conn.execute(f'PRAGMA table_info("{table.desk}")')}
    rowid = _ROWID_COLUMNS.get(table.name)
    return [(i, "rowid" if name == rowid else name) for i, name in enumerate(table.names)
            if name == rowid or name in have]


def _pull_table(source: _Source, store: GpkgStore, table: SharedTable, fresh: bool) -> None:
    source.check_canceled()
    s, t = sql.Identifier(source.pg.schema), sql.Identifier(table.name)
    where, args = _place_filter(source, table.place)
    source.cur.execute(sql.SQL("SELECT count(*) FROM {s}.{t} WHERE {w}").format(s=s, t=t, w=where), args)
    entry = source.report.tables[table.name] = PullTable(upstream=int(source.cur.fetchone()[0]))
    cols = [sql.Identifier(n) for n in table.names] + ([_geometry(source)] if table.geometry else [])
    order = sql.SQL(", ").join(sql.Identifier(k) for k in table.key)
    query = sql.SQL("SELECT {c} FROM {s}.{t} WHERE {w} ORDER BY {o}").format(
        c=sql.SQL(", ").join(cols), s=s, t=t, w=where, o=order)
    desk_cols = _desk_columns(store, table)
    writer = _TableWriter(store, table, desk_cols, source.report, entry, fresh)
    done = 0
    for rows in _read(source, query, args, table.name):
        writer.write(rows)
        done += len(rows)
        source.progress(table.name, done, entry.upstream)
        source.check_canceled()
    writer.finish()
    if table.geometry:
        gpkg.update_extent(store.conn, table.desk)


class _TableWriter:
    """Writes batches of shared rows into one desk table: all of them (a new store) or, refreshing, the new ones
    and those changed upstream whose desk row is as last published."""

    def __init__(self, store: GpkgStore, table: SharedTable, desk_cols: list[tuple[int, str]], report: PullReport,
                 entry: PullTable, fresh: bool) -> None:
        self.store, self.table, self.desk_cols, self.report, self.entry = store, table, desk_cols, report, entry
        self.fresh = fresh
        self.conn = store.conn
        names = [c for _, c in desk_cols] + (["geom"] if table.geometry else [])
        self.insert = 'INSERT INTO "{}" ({}) VALUES ({})'.format(
            table.desk, ", ".join(f'"{n}"' if n != "rowid" else n for n in names), ", ".join("?" * len(names)))
        self.written: set[str] = set()
        if not fresh:
            self.published = ({} if table.append_only else
                              publish.published_digests(store, report.target, table))
            self.desk = {} if table.append_only else publish.desk_digests(store, table)
            self.mark_before = publish.published_mark(store, report.target, table) if table.append_only else 0
            self.max_before = int(self.conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{table.desk}"'
                                                    ).fetchone()[0])
            self.fix_keys = (set(self.conn.execute(f'SELECT file_hash, seq FROM "{table.desk}"'))
                             if table.append_only else set())

    def _desk_rows(self, rows: list[tuple]) -> list[tuple[tuple, list]]:
        """(shared values in desk order for digests, values to insert) per row."""
        width = len(self.table.names)
        blobs = _blobs([r[width] for r in rows], self.store.srs_id) if self.table.geometry else None
        out = []
        for n, row in enumerate(rows):
            shared = tuple(row[:width]) + ((blobs[n],) if blobs is not None else ())
            values = [row[i] for i, _ in self.desk_cols] + ([blobs[n]] if blobs is not None else [])
            out.append((shared, values))
        return out

    def write(self, rows: list[tuple]) -> None:
        prepared = self._desk_rows(rows)
        if self.fresh:
            self.conn.executemany(self.insert, [v for _, v in prepared])
            self.entry.inserted += len(prepared)
            return
        for shared, values in prepared:
            if self.table.append_only:
                self._append(shared, values)
            else:
                self._merge(shared, values)

    def _append(self, shared: tuple, values: list) -> None:
        names = self.table.names
        fix = (shared[names.index("file_hash")], shared[names.index("seq")])
        if fix not in self.fix_keys:
            self._insert(publish.row_key(self.table, shared), values)

    def _insert(self, key: str, values: list) -> bool:
        try:
            self.conn.execute(self.insert, values)
        except sqlite3.IntegrityError as exc:  # a local row holds a unique value (or the rowid) of this one
            self.report.refused.append((self.table.name, key, str(exc)))
            return False
        self.entry.inserted += 1
        self.written.add(key)
        return True

    def _merge(self, shared: tuple, values: list) -> None:
        key = publish.row_key(self.table, shared)
        upstream = publish.row_digest(shared)
        desk = self.desk.get(key)
        published = self.published.get(key)
        if desk is None:
            self._insert(key, values)
        elif desk == upstream:
            if published != desk:
                self.written.add(key)  # the same on both sides: held upstream as it is
        elif published == desk:
            self._update(shared)
            self.entry.updated += 1
            self.written.add(key)
        else:
            self.entry.kept_local += 1
            self.report.kept_local.append((self.table.name, key))
            if published != upstream:
                self.report.conflicts.append((self.table.name, key))

    def _update(self, shared: tuple) -> None:
        """The columns a desk may change later, from the shared row (the others are as published)."""
        names, table = self.table.names, self.table
        sets = [(c, shared[names.index(c)]) for c in table.mutable if c != "geom"]
        if table.geometry and "geom" in table.mutable:
            sets.append(("geom", shared[-1]))
        if not sets:
            return
        rowid = _ROWID_COLUMNS.get(table.name)
        where = [("rowid" if k == rowid else f'"{k}"', shared[names.index(k)]) for k in table.key]
        self.conn.execute('UPDATE "{}" SET {} WHERE {}'.format(
            table.desk, ", ".join(f'"{c}" = ?' for c, _ in sets), " AND ".join(f"{k} = ?" for k, _ in where)),
            [v for _, v in sets] + [v for _, v in where])

    def finish(self) -> None:
        """Record what the desk now holds as the shared store's (a new store: at the end, all at once)."""
        if self.fresh or not self.written:
            return
        if self.table.append_only:
            if self.mark_before >= self.max_before:  # nothing of the desk's own was waiting to be published
                publish.mark_published(self.store, self.report.target, self.table)
            return
        publish.mark_published(self.store, self.report.target, self.table, self.written)


# ------------------------------------------------------------------------------------ cases
def _pull_cases(source: _Source, store: GpkgStore, fresh: bool) -> None:
    """The county's (township's) cases with their events: new ones as they are upstream; refreshing, a case the
    county moved further gets the events it lacks."""
    source.check_canceled()
    s = sql.Identifier(source.pg.schema)
    where, args = sql.SQL("c.county_code = %s"), [source.county]
    if source.township:  # what a township role reads (the case's group grid in the township)
        where = sql.SQL("{w} AND starts_with(coalesce(c.grid_code, ''), %s)").format(w=where)
        args.append(source.township)
    others = [c for c in CASE_COLUMNS if c != "case_id"]
    query = sql.SQL("SELECT c.case_id::text, {cols}, c.version, {g} FROM {s}.cases c WHERE {w} "
                    "ORDER BY c.detected_at, c.case_id").format(
        cols=sql.SQL(", ").join(sql.SQL("c.{}").format(sql.Identifier(n)) for n in others),
        g=_geometry(source, "geom"), s=s, w=where)
    source.cur.execute(query, args)
    names = ["case_id", *others, "version", "wkb"]
    upstream = [dict(zip(names, r)) for r in source.cur.fetchall()]
    source.cur.execute(sql.SQL("SELECT e.case_id::text, e.at, e.actor, e.from_state, e.to_state, e.comment, "
                               "e.attachments FROM {s}.case_events e JOIN {s}.cases c ON c.case_id = e.case_id "
                               "WHERE {w} ORDER BY e.case_id, e.seq").format(s=s, w=where), args)
    events: dict[str, list[tuple]] = {}
    for cid, at, actor, from_state, to_state, comment, attachments in source.cur.fetchall():
        events.setdefault(cid, []).append((cid, _time(at), actor, from_state, to_state, comment,
                                           json.dumps(_as_list(attachments), ensure_ascii=False)))
    counts = source.report.cases
    counts["upstream"] = len(upstream)
    blobs = _blobs([c["wkb"] for c in upstream], store.srs_id)
    held = {} if fresh else {cid: (int(v), st) for cid, v, st in store.conn.execute(
        f"SELECT case_id, version, state FROM {CASE_TABLE}")}
    for n, (case, blob) in enumerate(zip(upstream, blobs), start=1):
        mine = held.get(case["case_id"])
        if mine is None:
            _insert_case(store, source.report, case, blob, events.get(case["case_id"], []))
        elif mine[0] < int(case["version"]):
            _advance_case(store, source.report, case, blob, events.get(case["case_id"], []), mine[0])
        elif mine[0] > int(case["version"]) or mine[1] != case["state"]:
            counts["kept_local"] += 1
            source.report.kept_local.append(("cases", case["case_id"]))
        if n % BATCH_ROWS == 0 or n == len(upstream):
            source.progress("cases", n, len(upstream))
            source.check_canceled()
    if upstream:
        gpkg.update_extent(store.conn, CASE_TABLE)


def _time(value) -> str | None:
    return None if value is None else (value if isinstance(value, str) else format_time(value))


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _case_values(case: dict) -> dict:
    out = dict(case)
    for key in ("reasons", "parcel_codes"):
        out[key] = json.dumps(_as_list(case.get(key)), ensure_ascii=False)
    for key in ("detected_at", "updated_at"):
        out[key] = _time(case.get(key))
    return out


def _insert_case(store: GpkgStore, report: PullReport, case: dict, blob, events: list[tuple]) -> None:
    values = _case_values(case)
    conn = store.conn
    if values.get("case_no") and conn.execute(f"SELECT 1 FROM {CASE_TABLE} WHERE case_no = ?",
                                              (values["case_no"],)).fetchone():
        report.case_number_clashes.append(case["case_id"])
        values["case_no"] = None  # numbers are unique on a desk: the case comes without, never with another's
    cols = [*CASE_COLUMNS, "version"]
    try:
        conn.execute(f"INSERT INTO {CASE_TABLE} (geom, {', '.join(cols)}) VALUES ({', '.join('?' * (len(cols) + 1))})",
                     [blob, *(values.get(c) for c in cols)])
    except sqlite3.IntegrityError as exc:  # the desk holds the case's key under another id
        report.refused.append(("cases", case["case_id"], str(exc)))
        return
    _insert_events(conn, events)
    report.cases["inserted"] += 1
    report.cases["events_inserted"] += len(events)


def _insert_events(conn, events: list[tuple]) -> None:
    conn.executemany(f"INSERT INTO {EVENT_TABLE} (case_id, at, actor, from_state, to_state, comment, attachments) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", events)


def _advance_case(store: GpkgStore, report: PullReport, case: dict, blob, events: list[tuple],
                  version: int) -> None:
    """A case the county moved past the desk's version: the events after it, when the desk's history is the start
    of the shared one (else the desk's case is kept, as a conflict)."""
    conn = store.conn
    mine = conn.execute(f"SELECT at, to_state FROM {EVENT_TABLE} WHERE case_id = ? ORDER BY event_id",
                        (case["case_id"],)).fetchall()
    if len(mine) != version or len(events) < int(case["version"]) or \
            [tuple(m) for m in mine] != [(e[1], e[4]) for e in events[:version]]:
        report.cases["kept_local"] += 1
        report.kept_local.append(("cases", case["case_id"]))
        report.conflicts.append(("cases", case["case_id"]))
        return
    values = _case_values(case)
    _insert_events(conn, events[version:])
    sets = ["state", "version", *_CASE_UPDATES]
    conn.execute(f"UPDATE {CASE_TABLE} SET geom = ?, {', '.join(f'{c} = ?' for c in sets)} WHERE case_id = ?",
                 [blob, *(values.get(c) for c in sets), case["case_id"]])
    report.cases["updated"] += 1
    report.cases["events_inserted"] += len(events) - version


# ------------------------------------------------------------------------------------ evidence files
def _pull_evidence_files(source: _Source, store: GpkgStore, folder: Path, final: Path) -> None:
    """The files of the desk's evidence rows it lacks (or holds damaged) into ``folder``, each checked against its
    SHA-256; ``final`` is the store's own path (whose evidence folder ``folder`` becomes)."""
    if not store.has_table(EVIDENCE_TABLE):
        return
    place = SimpleNamespace(path=str(final))
    base = evidence_dir(place).resolve()
    wanted: dict[str, list[Path]] = {}
    for sha, rel in store.conn.execute(f"SELECT sha256, rel_path FROM {EVIDENCE_TABLE}"):
        try:
            relative = evidence_path(place, rel).relative_to(base)
        except ValueError as exc:
            source.report.evidence_problems.append(f"{rel}: {exc}")
            continue
        existing = evidence_dir(place) / relative
        if existing.is_file() and _sha256(existing) == sha:
            continue
        wanted.setdefault(sha, []).append(folder / relative)
    if not wanted:
        return
    query = sql.SQL("SELECT sha256, content FROM {s}.evidence_files WHERE county_code = %s AND sha256 = ANY(%s) "
                    "ORDER BY sha256").format(s=sql.Identifier(source.pg.schema))
    found = set()
    with source.pg.conn.cursor(name="tg_pull_evidence") as named:
        named.itersize = 8  # photos are a few MB each
        named.execute(query, (source.county, sorted(wanted)))
        for sha, content in named:
            data = bytes(content)
            found.add(sha)
            if hashlib.sha256(data).hexdigest() != sha:
                source.report.evidence_problems.append(f"{sha}: the shared file does not match its SHA-256")
                continue
            for target in wanted[sha]:
                _write_file(target, data)
                source.report.evidence_files += 1
            source.progress("evidence_files", len(found), len(wanted))
            source.check_canceled()
    for sha in sorted(set(wanted) - found):
        source.report.evidence_problems.append(f"{sha}: not in the shared store")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _write_file(target: Path, data: bytes) -> None:
    """Atomically: a temporary name in the same folder, flushed, renamed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".incoming-{uuid.uuid4().hex}{target.suffix}")
    try:
        with open(temp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


__all__ = ["pull", "PullError", "PullReport", "PullTable"]
