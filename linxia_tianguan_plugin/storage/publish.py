"""发布到州库 — a county desk pushes what changed in its 田管库 since its last publish into the prefecture's shared
PostGIS store (:mod:`.pg_prefecture`).

**Incremental.** For every table of :data:`.pg_prefecture.TABLES` the desk keeps, per shared store, a digest of each
row it published (``tg_publish_row``; append-only tables such as the track fixes keep the last published rowid,
``tg_publish_mark``). A publish reads the desk table once to find the rows whose digest changed, then again to send
just those: a day's changes on a county of 300 000 parcels are a few thousand rows.

**Batches, resumable, idempotent.** Rows go up in batches, each one PostgreSQL transaction (``COPY`` into a
temporary table, then one ``INSERT … ON CONFLICT`` that appends new rows and updates only the columns a desk may
change later); the desk records a batch's digests only after PostgreSQL committed it. A publish killed anywhere
(connection dropped, laptop closed) leaves whole batches upstream, and the next one sends the rest; a batch sent
twice changes nothing.

**History.** Before anything is written, the desk's changed codes are compared with the shared store's
(:func:`..core.prefecture.history.code_conflicts`): a code re-issued with another identity or a retired code made
active again refuses the whole publish, naming the codes. The database refuses the same rows (triggers), whoever
writes them.

**Evidence** files go up content-addressed (``evidence_files``: county + SHA-256, ``bytea``), each checked against
its hash on the desk first, and never overwritten. **Cases** and their events go through the case store's own
export (:meth:`.postgis.PgStore.export_cases`: ``create_cases`` and ``move_case``).

**Counts.** At the end every table's rows for the county are counted on both sides; the report says which differ.
Plain Python, sqlite3 and psycopg2: no QGIS.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import psycopg2.extras
from psycopg2 import sql

from ..core import clock
from ..core.cases.workflow import format_time
from ..core.prefecture.history import IDENTITY, CodeConflict, code_conflicts
from . import cases as case_store
from . import gpkg, pg_prefecture, pg_schema
from .pg_prefecture import SharedTable
from .postgis import PgStore, PgStoreError
from .store import GpkgStore

#: rows per PostgreSQL transaction
BATCH_ROWS = 5000
#: append-only tables (track fixes: narrow rows, nothing to merge) go up in batches this many times larger
APPEND_BATCH_FACTOR = 10
#: evidence bytes per transaction (photos are a few MB each)
BATCH_BYTES = 64 * 1024 * 1024


class PublishError(RuntimeError):
    """A publish that cannot start or must stop; ``kind`` says why (for the words of the algorithm)."""

    def __init__(self, kind: str, message: str, **details) -> None:
        super().__init__(message)
        self.kind = kind
        self.details = details


class HistoryConflictError(PublishError):
    """The desk's codes contradict the shared store's history; nothing was written."""

    def __init__(self, conflicts: list[CodeConflict]) -> None:
        codes = ", ".join(c.code for c in conflicts[:20])
        super().__init__("history", f"{len(conflicts)} codes contradict the shared store's history: {codes}",
                         conflicts=conflicts)
        self.conflicts = conflicts


@dataclass
class TableReport:
    sent: int = 0  # rows sent (new or changed on the desk)
    inserted: int = 0
    updated: int = 0
    desk: int = 0  # rows of the desk table at the end
    upstream: int = 0  # the county's rows upstream at the end


@dataclass
class PublishReport:
    publish_id: str
    county_code: str
    target: str
    tables: dict[str, TableReport] = field(default_factory=dict)
    evidence_files: int = 0
    evidence_problems: list[str] = field(default_factory=list)
    cases: dict = field(default_factory=dict)
    batches: int = 0

    @property
    def mismatched(self) -> dict[str, tuple[int, int]]:
        """Tables whose county rows upstream are fewer than the desk's (something did not arrive)."""
        return {n: (t.desk, t.upstream) for n, t in self.tables.items() if t.upstream < t.desk}

    def as_dict(self) -> dict:
        return {"publish_id": self.publish_id, "county_code": self.county_code, "batches": self.batches,
                "evidence_files": self.evidence_files, "cases": self.cases,
                "tables": {n: vars(t) for n, t in self.tables.items()}}


# ------------------------------------------------------------------------------------ desk side
def _desk_sql(table: SharedTable, *, with_rowid: bool = False, rowids: int = 0) -> str:
    """The desk query of ``table``: its columns in shared order (and ``geom``), then the rowid when asked (append-only
    tables always: ``rowid > ?`` in rowid order); ``rowids``: only the rows of that many ``?`` rowids."""
    base = table.desk_select or "SELECT {} FROM {}".format(", ".join(f'"{c}"' for c in table.names), table.desk)
    if table.geometry:
        base = base.replace(" FROM ", ", geom FROM ", 1)
    if table.append_only:
        alias = "f." if "tg_track_fix f" in base else ""
        return base.replace(" FROM ", f", {alias}rowid FROM ", 1) + f" WHERE {alias}rowid > ? ORDER BY {alias}rowid"
    if with_rowid:
        base = base.replace(" FROM ", ", rowid FROM ", 1)
    if rowids:
        base += " WHERE rowid IN ({}) ORDER BY rowid".format(", ".join("?" * rowids))
    return base


@functools.cache
def _layout(table: SharedTable) -> tuple[int, tuple[int, ...]]:
    """(width of a row's data — columns and geometry —, positions of the key columns): computed once per table."""
    names = table.names
    return len(names) + (1 if table.geometry else 0), tuple(names.index(k) for k in table.key)


def _key_of(table: SharedTable, row: tuple) -> str:
    _, at = _layout(table)
    return "\x1f".join(str(row[i]) for i in at)


def _digest(row: tuple) -> str:
    h = hashlib.blake2b(digest_size=12)
    for value in row:
        if isinstance(value, (bytes, bytearray, memoryview)):
            h.update(b"b")
            h.update(bytes(value))
        else:
            h.update(repr(value).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def desk_has_table(store: GpkgStore, name: str) -> bool:
    return store.has_table(name)


# ---- the change log: which desk rows were written since a publish (so a day's publish reads a day's rows)
LOG_TABLE = "tg_change_log"
#: tg_publish_mark rows ``log:<table>`` hold the change-log sequence up to which a target has seen ``table``
LOG_MARK = "log:"
#: rowids per ``IN (…)`` query
_CHUNK = 900


def _logged_tables() -> list[SharedTable]:
    return [t for t in pg_prefecture.TABLES if not t.append_only]


def _trigger_names(table: SharedTable) -> tuple[str, str]:
    return f"tg_log_{table.desk}_insert", f"tg_log_{table.desk}_update"


def ensure_change_log(store: GpkgStore) -> set[str]:
    """Install the triggers that log every insert and update of a shared desk table into ``tg_change_log``; returns
    the tables whose triggers were missing (their log cannot be trusted: the next publish compares them whole).

    Installed by the first publish or pull, not by the migration: a desk that never publishes pays nothing on its
    bulk writes. A table rebuilt by some other tool loses its triggers, which shows here."""
    conn = store.conn
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE "
                                          "'tg_log_%'")}
    missing = set()
    for table in _logged_tables():
        if not store.has_table(table.desk):
            continue
        insert, update = _trigger_names(table)
        if insert in present and update in present:
            continue
        missing.add(table.name)
        for name, event in ((insert, "INSERT"), (update, "UPDATE")):
            conn.execute(f'CREATE TRIGGER IF NOT EXISTS "{name}" AFTER {event} ON "{table.desk}" BEGIN '
                         f"INSERT INTO {LOG_TABLE} (tbl, rid) VALUES ('{table.name}', NEW.rowid); END")
    return missing


def _log_seq(store: GpkgStore) -> int:
    return int(store.conn.execute(f"SELECT coalesce(max(seq), 0) FROM {LOG_TABLE}").fetchone()[0])


def _log_mark(store: GpkgStore, target: str, table: SharedTable) -> int | None:
    row = store.conn.execute("SELECT last_rowid FROM tg_publish_mark WHERE target = ? AND tbl = ?",
                             (target, LOG_MARK + table.name)).fetchone()
    return None if row is None else int(row[0])


def set_log_mark(store: GpkgStore, target: str, table: SharedTable, seq: int) -> None:
    """``target`` has seen every change of ``table`` logged up to ``seq`` (in the caller's transaction, if any)."""
    store.conn.execute("INSERT INTO tg_publish_mark (target, tbl, last_rowid) VALUES (?, ?, ?) "
                       "ON CONFLICT (target, tbl) DO UPDATE SET last_rowid = excluded.last_rowid",
                       (target, LOG_MARK + table.name, seq))


def _prune_log(store: GpkgStore) -> None:
    """Forget the log entries every target has seen (none are kept for tables no target follows)."""
    with store.conn:
        store.conn.execute(f"DELETE FROM {LOG_TABLE} WHERE seq <= (SELECT coalesce(min(last_rowid), 0) FROM "
                           "tg_publish_mark WHERE tbl LIKE 'log:%')")


@dataclass
class Plan:
    """What one table sends: the changed rows' keys, digests and rowids (None: append-only, by the mark)."""

    keys: set[str]
    digests: dict[str, str]
    rowids: list[int] | None
    total: int


def _chunks(values: list, size: int = _CHUNK) -> Iterator[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def changed_keys(store: GpkgStore, target: str, table: SharedTable, logged: bool = False) -> Plan:
    """The rows of ``table`` new or changed since the last publish to ``target``: when ``logged`` (its triggers were
    in place) and the target has a log mark, only the rows the change log names since then are read; else the whole
    table. Their digests are compared with those recorded at the last publish."""
    conn = store.conn
    total = conn.execute(f'SELECT count(*) FROM "{table.desk}"').fetchone()[0]
    if table.append_only:
        return Plan(set(), {}, None, total)
    width, _ = _layout(table)
    keys, digests, rowids = set(), {}, []
    mark = _log_mark(store, target, table) if logged else None

    def compare(rows: list[tuple], published: dict[str, str]) -> None:
        for row in rows:
            key, digest = _key_of(table, row), _digest(row[:width])
            if published.get(key) != digest:
                keys.add(key)
                digests[key] = digest
                rowids.append(int(row[width]))

    if mark is None:
        published = dict(conn.execute("SELECT key, digest FROM tg_publish_row WHERE target = ? AND tbl = ?",
                                      (target, table.name)))
        cursor = conn.execute(_desk_sql(table, with_rowid=True))
        for rows in iter(lambda: cursor.fetchmany(10_000), []):  # streamed: a county's parcels stay on disk
            compare(rows, published)
        return Plan(keys, digests, rowids, total)
    logged_rows = [r[0] for r in conn.execute(f"SELECT DISTINCT rid FROM {LOG_TABLE} WHERE tbl = ? AND seq > ? "
                                              "ORDER BY rid", (table.name, mark))]
    for chunk in _chunks(logged_rows):
        rows = conn.execute(_desk_sql(table, with_rowid=True, rowids=len(chunk)), chunk).fetchall()
        found = [_key_of(table, r) for r in rows]
        published = {}
        for part in _chunks(found):
            published.update(conn.execute(
                "SELECT key, digest FROM tg_publish_row WHERE target = ? AND tbl = ? AND key IN ({})".format(
                    ", ".join("?" * len(part))), (target, table.name, *part)))
        compare(rows, published)
    return Plan(keys, digests, rowids, total)


def _mark(store: GpkgStore, target: str, table: SharedTable) -> int:
    row = store.conn.execute("SELECT last_rowid FROM tg_publish_mark WHERE target = ? AND tbl = ?",
                             (target, table.name)).fetchone()
    return int(row[0]) if row else 0


def _desk_rows(store: GpkgStore, target: str, table: SharedTable, plan: Plan) -> Iterator[tuple]:
    """The rows to send, in rowid order: the changed ones (by their rowids), or (append-only) those after the mark."""
    if table.append_only:
        yield from store.conn.execute(_desk_sql(table), (_mark(store, target, table),))
        return
    for chunk in _chunks(sorted(plan.rowids or [])):
        yield from store.conn.execute(_desk_sql(table, rowids=len(chunk)), chunk)


def _record(store: GpkgStore, target: str, table: SharedTable, sent: list[tuple], digests: dict[str, str]) -> None:
    """After PostgreSQL committed a batch: remember what it holds now."""
    with store.conn:
        if table.append_only:
            last = max(int(r[-1]) for r in sent)
            store.conn.execute("INSERT INTO tg_publish_mark (target, tbl, last_rowid) VALUES (?, ?, ?) "
                               "ON CONFLICT (target, tbl) DO UPDATE SET last_rowid = excluded.last_rowid",
                               (target, table.name, last))
        else:
            store.conn.executemany(
                "INSERT OR REPLACE INTO tg_publish_row (target, tbl, key, digest) VALUES (?, ?, ?, ?)",
                [(target, table.name, k, digests[k]) for k in (_key_of(table, r) for r in sent)])


# ------------------------------------------------------------------------------------ upstream side
def _hex_wkb(blob) -> str | None:
    if blob is None:
        return None
    wkb = gpkg.decode_blob(blob)
    return None if wkb is None else "\\x" + wkb.hex()


def _stage_and_merge(cur, schema: str, table: SharedTable, county: str, rows: list[tuple], desk_srid: int,
                     srid: int, postgis: str) -> tuple[int, int]:
    """One batch: COPY into a temporary table, then append / update the shared table. (inserted, updated)."""
    s, t = sql.Identifier(schema), sql.Identifier(table.name)
    stage = sql.Identifier(f"stage_{table.name}")
    names = table.names
    cols = [sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(ty)) for n, ty in table.columns]
    if table.geometry:
        cols.append(sql.SQL("wkb bytea"))
    cur.execute(sql.SQL("CREATE TEMP TABLE IF NOT EXISTS {st} ({c}) ON COMMIT DELETE ROWS").format(
        st=stage, c=sql.SQL(", ").join(cols)))
    width = len(names) + (1 if table.geometry else 0)
    buffer = io.StringIO()
    # CSV written by the csv module (C): None → an unquoted empty field (NULL), everything else quoted; the geometry
    # as bytea hex text
    writer = csv.writer(buffer, quoting=csv.QUOTE_NOTNULL, lineterminator="\n")
    if table.geometry:
        writer.writerows((*row[:width - 1], _hex_wkb(row[width - 1])) for row in rows)
    else:
        writer.writerows(row[:width] for row in rows)
    buffer.seek(0)
    cur.copy_expert(sql.SQL("COPY {st} FROM STDIN WITH (FORMAT csv)").format(st=stage).as_string(cur), buffer)
    g = sql.Identifier(postgis)
    target_cols = [sql.Identifier("county_code"), *(sql.Identifier(n) for n in names)]
    select = [sql.Literal(county), *(sql.SQL("st.{}").format(sql.Identifier(n)) for n in names)]
    if table.geometry:
        target_cols.append(sql.Identifier("geom"))
        raw = sql.SQL("{g}.st_geomfromwkb(st.wkb, {d})").format(g=g, d=sql.Literal(desk_srid))
        if desk_srid != srid:
            raw = sql.SQL("{g}.st_transform({r}, {s})").format(g=g, r=raw, s=sql.Literal(srid))
        select.append(sql.SQL("{g}.st_setsrid({r}, {s})").format(g=g, r=raw, s=sql.Literal(srid)))
    key = sql.SQL(", ").join(sql.Identifier(k) for k in ("county_code", *table.key))
    mutable = list(table.mutable)
    if mutable:
        sets = sql.SQL(", ").join(sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c))
                                  for c in (*mutable, "published_at", "published_by"))
        def side(prefix: sql.Composable) -> sql.Composable:  # geometry compared as bytes (no operator lookup)
            return sql.SQL(", ").join(
                sql.SQL("{g}.st_asewkb({p}.geom)").format(g=g, p=prefix) if c == "geom"
                else sql.SQL("{p}.{c}").format(p=prefix, c=sql.Identifier(c)) for c in mutable)

        old, new = side(t), side(sql.SQL("EXCLUDED"))
        conflict = sql.SQL("DO UPDATE SET {sets} WHERE ({old}, NULL) IS DISTINCT FROM ({new}, NULL)").format(
            sets=sets, old=old, new=new)
    else:
        conflict = sql.SQL("DO NOTHING")
    cur.execute(sql.SQL(
        "WITH merged AS (INSERT INTO {s}.{t} AS {t} ({cols}) SELECT {sel} FROM {st} st "
        "ON CONFLICT ({key}) {conflict} RETURNING (xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged").format(
        s=s, t=t, cols=sql.SQL(", ").join(target_cols), sel=sql.SQL(", ").join(select), st=stage, key=key,
        conflict=conflict))
    inserted, updated = cur.fetchone()
    return int(inserted), int(updated)


def _upstream_codes(cur, schema: str, county: str, codes: list[str]) -> dict[str, dict]:
    out = {}
    cols = ("code", "status", *IDENTITY)
    for i in range(0, len(codes), 20000):
        cur.execute(sql.SQL("SELECT {c} FROM {s}.space_codes WHERE county_code = %s AND code = ANY(%s)").format(
            c=sql.SQL(", ").join(sql.Identifier(c) for c in cols), s=sql.Identifier(schema)),
            (county, codes[i:i + 20000]))
        for row in cur.fetchall():
            out[row[0]] = dict(zip(cols, row))
    return out


def _desk_codes(store: GpkgStore, rowids: list[int]) -> list[dict]:
    """The changed codes' status and identity (by their rowids)."""
    cols = ("code", "status", *IDENTITY)
    out = []
    for chunk in _chunks(sorted(rowids)):
        query = "SELECT {} FROM tg_space_code WHERE rowid IN ({})".format(", ".join(cols), ", ".join("?" * len(chunk)))
        out += [dict(zip(cols, row)) for row in store.conn.execute(query, chunk)]
    return out


# ------------------------------------------------------------------------------------ publish
def _postgis(cur) -> str:
    cur.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'postgis'")
    row = cur.fetchone()
    return row[0] if row else "public"


def store_county(store: GpkgStore) -> str:
    """The county a desk store holds (one store, one county): the first six digits of its codes, else of its
    county-level unit or grid cell. Raises :class:`PublishError` when it holds none or several."""
    conn = store.conn
    for query in ("SELECT DISTINCT substr(code, 1, 6) FROM tg_space_code LIMIT 2",
                  "SELECT DISTINCT code FROM tg_admin_unit WHERE level = 'county' LIMIT 2",
                  "SELECT DISTINCT code FROM tg_grid_cell WHERE level = 2 LIMIT 2"):
        try:
            found = [r[0] for r in conn.execute(query)]
        except sqlite3.OperationalError:  # a store without that table
            continue
        if len(found) > 1:
            raise PublishError("several_counties", f"the store holds codes of several counties: {', '.join(found)}",
                               counties=found)
        if found:
            return str(found[0])
    raise PublishError("no_county", "the store holds no county yet (no codes, units or grid)")


def publish(store: GpkgStore, pg: PgStore, *, batch_rows: int = BATCH_ROWS,
            on_progress: Callable[[str, int, int], None] | None = None,
            is_canceled: Callable[[], bool] | None = None,
            after_batch: Callable[[str, int], None] | None = None, with_cases: bool = True) -> PublishReport:
    """Publish ``store`` (the desk of one county, :func:`store_county`) into ``pg``; returns the report. Raises
    :class:`PublishError` (:class:`HistoryConflictError` before anything is written) or :class:`.postgis.PgStoreError`.

    ``on_progress(table, done, total)`` reports rows; ``is_canceled()`` stops between batches (what was sent stays
    sent, and the next publish goes on from there); ``after_batch(table, n)`` is called after each committed batch
    (the tests kill the connection there); ``with_cases``: the desk's cases and events go up too, through the case
    store's own export."""
    county_code = store_county(store)
    now = clock.now_utc()
    publish_id = "PUB" + now.strftime("%Y%m%d%H%M%S%f")
    with pg.transaction("reading the shared store") as cur:
        version = pg_schema.current_version(cur, pg.schema)
        if version < 6:
            raise PublishError("old_schema", f"schema {pg.schema} is at version {version}; the shared store needs "
                                             "version 6", version=version)
        cur.execute(sql.SQL("SELECT store_id FROM {s}.store_identity").format(s=sql.Identifier(pg.schema)))
        target = cur.fetchone()[0]
        cur.execute(sql.SQL("SELECT {s}.session_publisher()").format(s=sql.Identifier(pg.schema)))
        writer = cur.fetchone()[0]
        srid = pg_schema.schema_srid(cur, pg.schema) or pg.srid
        postgis = _postgis(cur)
    if writer != county_code:
        raise PublishError("not_publisher", f"the database role publishes {writer or 'no county'}, not "
                                            f"{county_code}", role_county=writer or "", county=county_code)
    report = PublishReport(publish_id, county_code, target)
    with store.conn:
        unlogged = ensure_change_log(store)
    seen_up_to = _log_seq(store)  # changes logged after this are for the next publish
    plans: dict[str, Plan] = {}
    shared = pg_prefecture.tables_at(version)  # a shared store not migrated yet lacks the newer tables: skipped
    for table in shared:
        if not store.has_table(table.desk):
            continue
        plans[table.name] = changed_keys(store, target, table, logged=table.name not in unlogged)
        report.tables[table.name] = TableReport(desk=plans[table.name].total)
    if "space_codes" in plans and plans["space_codes"].keys:
        keys = plans["space_codes"].keys
        with pg.transaction("reading the shared codes") as cur:
            upstream = _upstream_codes(cur, pg.schema, county_code, sorted(keys))
        conflicts = code_conflicts(_desk_codes(store, plans["space_codes"].rowids or []), upstream)
        if conflicts:
            raise HistoryConflictError(conflicts)
    with pg.transaction("starting the publish") as cur:
        cur.execute(sql.SQL("INSERT INTO {s}.publishes (county_code, publish_id, started_at, desk) VALUES "
                            "(%s, %s, %s, %s) ON CONFLICT DO NOTHING").format(s=sql.Identifier(pg.schema)),
                    (county_code, publish_id, now, str(store.path)))
    with store.conn:
        store.conn.execute("INSERT OR REPLACE INTO tg_publish_run (publish_id, target, started_at) VALUES (?, ?, ?)",
                           (publish_id, target, format_time(now)))
    for table in shared:
        if table.name not in plans:
            continue
        _publish_table(store, pg, report, table, plans[table.name], target, srid, postgis,
                       batch_rows * (APPEND_BATCH_FACTOR if table.append_only else 1), on_progress, is_canceled,
                       after_batch)
        if not table.append_only:
            with store.conn:
                set_log_mark(store, target, table, seen_up_to)
        if table.name == "evidence":
            _publish_evidence_files(store, pg, report, target, is_canceled)
    if with_cases and case_store.has_cases(store):
        _publish_cases(store, pg, report, srid)
    _count(pg, report)
    _prune_log(store)
    finished = clock.now_utc()
    with pg.transaction("finishing the publish") as cur:
        cur.execute(sql.SQL("UPDATE {s}.publishes SET finished_at = %s, counts = %s WHERE county_code = %s AND "
                            "publish_id = %s").format(s=sql.Identifier(pg.schema)),
                    (finished, _json(report.as_dict()), county_code, publish_id))
    with store.conn:
        store.conn.execute("UPDATE tg_publish_run SET finished_at = ?, counts = ? WHERE publish_id = ?",
                           (format_time(finished), json.dumps(report.as_dict(), ensure_ascii=False), publish_id))
    return report


def _json(value) -> psycopg2.extras.Json:
    return psycopg2.extras.Json(value, dumps=lambda v: json.dumps(v, ensure_ascii=False))


def _publish_table(store, pg, report, table, plan: Plan, target, srid, postgis, batch_rows, on_progress,
                   is_canceled, after_batch) -> None:
    entry = report.tables[table.name]
    todo = len(plan.keys) if not table.append_only else None
    digests = plan.digests
    batch: list[tuple] = []

    def flush() -> None:
        with pg.transaction(f"publishing {table.name}") as cur:
            inserted, updated = _stage_and_merge(cur, pg.schema, table, report.county_code, batch, store.srs_id,
                                                 srid, postgis)
        _record(store, target, table, batch, digests)
        entry.sent += len(batch)
        entry.inserted += inserted
        entry.updated += updated
        report.batches += 1
        if on_progress is not None:
            on_progress(table.name, entry.sent, todo if todo is not None else entry.sent)
        if after_batch is not None:
            after_batch(table.name, report.batches)
        batch.clear()

    for row in _desk_rows(store, target, table, plan):
        batch.append(row)
        if len(batch) >= batch_rows:
            flush()
            if is_canceled is not None and is_canceled():
                raise PublishError("canceled", "publish canceled; what was sent stays sent")
    if batch:
        flush()


def _publish_evidence_files(store: GpkgStore, pg: PgStore, report: PublishReport, target: str,
                            is_canceled) -> None:
    """The files of the published evidence rows that upstream does not hold yet, each checked against its hash."""
    from .evidence import evidence_path

    schema = sql.Identifier(pg.schema)
    with pg.transaction("reading the shared evidence") as cur:
        cur.execute(sql.SQL("SELECT sha256 FROM {s}.evidence_files WHERE county_code = %s").format(s=schema),
                    (report.county_code,))
        held = {r[0] for r in cur.fetchall()}
    wanted = {}
    for sha, rel in store.conn.execute("SELECT sha256, rel_path FROM tg_case_evidence"):
        if sha not in held:
            wanted.setdefault(sha, rel)
    pending: list[tuple[str, bytes]] = []

    def flush() -> None:
        with pg.transaction("publishing evidence files") as cur:
            for sha, data in pending:
                cur.execute(sql.SQL("INSERT INTO {s}.evidence_files (county_code, sha256, size, content) VALUES "
                                    "(%s, %s, %s, %s) ON CONFLICT DO NOTHING").format(s=schema),
                            (report.county_code, sha, len(data), data))
        report.evidence_files += len(pending)
        report.batches += 1
        pending.clear()

    size = 0
    for sha, rel in sorted(wanted.items()):
        try:
            data = evidence_path(store, rel).read_bytes()
        except (OSError, ValueError) as exc:
            report.evidence_problems.append(f"{rel}: {exc}")
            continue
        if hashlib.sha256(data).hexdigest() != sha:
            report.evidence_problems.append(f"{rel}: changed since it was stored (SHA-256 differs)")
            continue
        pending.append((sha, data))
        size += len(data)
        if size >= BATCH_BYTES:
            flush()
            size = 0
            if is_canceled is not None and is_canceled():
                raise PublishError("canceled", "publish canceled; what was sent stays sent")
    if pending:
        flush()


def _publish_cases(store: GpkgStore, pg: PgStore, report: PublishReport, srid: int) -> None:
    """The desk's cases and events through :meth:`.postgis.PgStore.export_cases` (``create_cases`` /
    ``move_case``: the case store's audit rules), their polygons in the shared CRS."""
    rows = case_store.cases(store)
    if not rows:
        return
    if store.srs_id != srid:
        import pyproj
        import shapely

        to_shared = pyproj.Transformer.from_crs(store.srs_id, srid, always_xy=True)
        for row in rows:
            if row.get("geom") is not None:
                row["geom"] = shapely.transform(row["geom"], lambda xy: _transformed(to_shared, xy))
    report.cases = pg.export_cases(rows, case_store.events_by_case(store),
                                   county_code_of=lambda case: report.county_code,
                                   batch_id_prefix=report.publish_id)


def _transformed(transformer, xy):
    import numpy as np

    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _count(pg: PgStore, report: PublishReport) -> None:
    with pg.transaction("counting the shared rows") as cur:
        for name, entry in report.tables.items():
            cur.execute(sql.SQL("SELECT count(*) FROM {s}.{t} WHERE county_code = %s").format(
                s=sql.Identifier(pg.schema), t=sql.Identifier(name)), (report.county_code,))
            entry.upstream = int(cur.fetchone()[0])


__all__ = ["publish", "PublishError", "HistoryConflictError", "PublishReport", "TableReport", "PgStoreError"]


# ------------------------------------------------------------------------------------ publish state (pull)
def row_key(table: SharedTable, row: tuple) -> str:
    """The key under which the desk remembers a published row of ``table`` (``row`` in :data:`desk order
    <.pg_prefecture.SharedTable.desk_select>`): what :func:`publish` writes in ``tg_publish_row``."""
    return _key_of(table, row)


def row_digest(row: tuple) -> str:
    """The digest :func:`publish` compares (``row`` in desk order, the geometry as its GeoPackage blob)."""
    return _digest(row)


def desk_digests(store: GpkgStore, table: SharedTable) -> dict[str, str]:
    """{key: digest} of every row of ``table`` as the desk holds it now (what the next publish compares)."""
    return {_key_of(table, row): _digest(row) for row in store.conn.execute(_desk_sql(table))}


def published_digests(store: GpkgStore, target: str, table: SharedTable) -> dict[str, str]:
    """{key: digest} recorded for ``table`` at the last publish (or pull) to/from the shared store ``target``."""
    return dict(store.conn.execute("SELECT key, digest FROM tg_publish_row WHERE target = ? AND tbl = ?",
                                   (target, table.name)))


def published_mark(store: GpkgStore, target: str, table: SharedTable) -> int:
    """The last rowid of an append-only table recorded as held by ``target`` (0: none)."""
    return _mark(store, target, table)


def mark_published(store: GpkgStore, target: str, table: SharedTable, keys: set[str] | None = None) -> int:
    """Record rows of ``table`` as held by the shared store ``target`` exactly as the desk stores them now (all, or
    those of ``keys``), so that the next :func:`publish` sends them only once they change on the desk; for an
    append-only table, its highest rowid. Used after a pull wrote the shared rows into the desk. Runs in the
    caller's transaction when one is open. Returns the rows recorded (the mark for an append-only table)."""
    conn = store.conn
    if table.append_only:
        last = int(conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{table.desk}"').fetchone()[0])
        conn.execute("INSERT INTO tg_publish_mark (target, tbl, last_rowid) VALUES (?, ?, ?) "
                     "ON CONFLICT (target, tbl) DO UPDATE SET last_rowid = excluded.last_rowid",
                     (target, table.name, last))
        return last
    rows = [(target, table.name, key, digest) for key, digest in desk_digests(store, table).items()
            if keys is None or key in keys]
    conn.executemany("INSERT INTO tg_publish_row (target, tbl, key, digest) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (target, tbl, key) DO UPDATE SET digest = excluded.digest", rows)
    return len(rows)


def mark_all_published(store: GpkgStore, target: str) -> dict[str, int]:
    """:func:`mark_published` for every shared table the desk has: the desk as a whole is what ``target`` holds
    (a store just pulled from it). In the caller's transaction when one is open, else in its own."""
    def mark() -> dict[str, int]:
        ensure_change_log(store)
        seq = _log_seq(store)
        done = {}
        for table in pg_prefecture.TABLES:
            if store.has_table(table.desk):
                done[table.name] = mark_published(store, target, table)
                if not table.append_only:
                    set_log_mark(store, target, table, seq)
        return done

    if store.conn.in_transaction:
        return mark()
    with store.transaction():
        return mark()
