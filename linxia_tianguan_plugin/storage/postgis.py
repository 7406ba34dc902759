"""The shared case store in PostGIS: cases exported from desks' 田管库 and moved through the workflow.

:class:`PgStore` mirrors :mod:`.cases` (``cases``, ``case_events``, ``take_action``) on the schema
of :mod:`.pg_schema`, plus :meth:`PgStore.export_cases`, the idempotent and resumable upload of a
desk's cases and events. Cases come in only through the database's ``create_case`` and states change only
through its ``move_case``: the database, not this module, guards the audit trail (schema version 4).
Rows read back look like the GeoPackage ones: ``case_id`` as text, times as
UTC text ``YYYY-MM-DDTHH:MM:SSZ``, ``reasons``/``parcel_codes`` as lists, ``geom`` as shapely and
event ``attachments`` as JSON text, so :func:`..core.cases.workflow.event_from_row` and ``replay`` work
on both stores.

Connections are made from a dict of libpq keywords (``host``, ``port``, ``dbname``, ``user``,
``password``, ``sslmode``, …) that the plugin builds from its QGIS connection/authcfg; the store
never reads settings and never logs or repeats a password. Database errors surface as
:class:`PgStoreError` with an English message; workflow refusals stay
:class:`~..core.cases.workflow.WorkflowError` / :class:`~..core.cases.workflow.ConflictError`.
Plain psycopg2 and shapely: no QGIS.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence

import psycopg2
import psycopg2.extras
import shapely
from psycopg2 import sql

from ..core import clock
from ..core.cases import workflow
from . import pg_schema
from .cases import CASE_COLUMNS

#: columns of ``cases`` written by an export, in order (geometry and county last)
EXPORT_COLUMNS = (*CASE_COLUMNS, "version", "county_code", "geom")
_JSON_COLUMNS = ("reasons", "parcel_codes")
_TIME_COLUMNS = ("detected_at", "updated_at")
#: the store's own refusals (see :mod:`.pg_schema`) as codes of :class:`~..core.cases.workflow.WorkflowError`
_REFUSALS = {pg_schema.ERR_NOT_FOUND: "bad_input", pg_schema.ERR_AMBIGUOUS: "bad_input",
             pg_schema.ERR_NOT_ALLOWED: "not_allowed", pg_schema.ERR_REQUIREMENT: "needs_attachment"}


class PgStoreError(RuntimeError):
    """A database operation of the case store failed (message in English, never with a password).

    ``pgcode`` is the SQLSTATE when the server gave one (e.g. ``23514`` check violation,
    ``42501`` insufficient privilege / row-level security), else None.
    """

    def __init__(self, message: str, pgcode: str | None = None) -> None:
        super().__init__(message)
        self.pgcode = pgcode


def _utc_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return workflow.format_time(value)
    return str(value)


def _json_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else []
        if isinstance(value, str):
            value = [value]
    return list(value)


def _wkb(geom) -> bytes:
    if isinstance(geom, (bytes, bytearray, memoryview)):
        return bytes(geom)
    if geom is None:
        raise PgStoreError("a case has no geometry")
    return shapely.to_wkb(geom, output_dimension=2)


def _json(value) -> psycopg2.extras.Json:
    return psycopg2.extras.Json(value, dumps=lambda v: json.dumps(v, ensure_ascii=False))


def default_county_code(case: Mapping) -> str | None:
    """``county_code`` of the case if given, else the first 6 digits of its ``grid_code``."""
    code = case.get("county_code") or (str(case.get("grid_code") or "")[:6] or None)
    return code


def default_styled_tables(params: Mapping, schema: str) -> set[str]:
    """Tables of ``schema`` that have a default QGIS style (``public.layer_styles``, ``useasdefault``); empty when
    the database has no style table. Raises ``psycopg2.Error`` as the server gave it (the caller words it)."""
    conn = psycopg2.connect(**params)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT to_regclass('public.layer_styles') IS NOT NULL")
            if not cur.fetchone()[0]:
                return set()
            cur.execute("SELECT f_table_name FROM public.layer_styles WHERE f_table_schema = %s AND useasdefault",
                        (schema,))
            return {r[0] for r in cur.fetchall()}
    finally:
        conn.close()


class PgStore:
    """Cases in a PostGIS schema (see :mod:`.pg_schema`), reached with libpq keyword arguments.

    Use as a context manager (``with PgStore(params) as store: ...``) or call :meth:`close`. One
    connection per store; every public method runs in its own transaction and leaves none open. A
    dropped connection is reopened by the next call.
    """

    def __init__(self, params: Mapping, schema: str = pg_schema.DEFAULT_SCHEMA, srid: int = 4522) -> None:
        self._params = dict(params)
        self.cleaned = 0  # text values of the last export stored with control characters, exported without them
        self._params.setdefault("application_name", "linxia_tianguan")
        self._params.setdefault("connect_timeout", 15)  # never hang QGIS on an unreachable server
        self.schema = pg_schema.check_schema_name(schema)
        self.srid = pg_schema.check_srid(srid)
        self._s = sql.Identifier(self.schema)
        self._conn = None

    # ------------------------------------------------------------------------------ connection
    def __repr__(self) -> str:
        return f"PgStore({self.describe()}, schema={self.schema!r}, srid={self.srid})"

    def describe(self) -> str:
        """Where the store connects, for messages: database, host, port and user (never the password)."""
        p = self._params
        where = p.get("host") or p.get("hostaddr") or "local socket"
        port = f":{p['port']}" if p.get("port") else ""
        service = f" service {p['service']}" if p.get("service") else ""
        return f"database {p.get('dbname') or '(default)'} on {where}{port}{service} as {p.get('user') or '(default)'}"

    def _scrub(self, text: str) -> str:
        secret = self._params.get("password")
        text = str(text).strip()
        if secret:
            text = text.replace(str(secret), "***")
        return text

    def _error(self, what: str, exc: psycopg2.Error) -> PgStoreError:
        diag = getattr(exc, "diag", None)
        primary = getattr(diag, "message_primary", None) or str(exc) or type(exc).__name__
        extra = getattr(diag, "message_detail", None) or ""
        if len(extra) > 200:  # e.g. "Failing row contains (…)" with a whole geometry in hex
            extra = extra[:200] + "…"
        detail = self._scrub(f"{primary} {extra}")
        detail = " ".join(line.strip() for line in detail.splitlines() if line.strip())
        code = getattr(exc, "pgcode", None)
        hint = ""
        if code == "42501":
            hint = " (the role lacks a privilege, or row-level security refused a row of another county)"
        elif code == "23514":
            hint = " (a CHECK constraint refused a value: unknown state/kind/category, bad county code or geometry)"
        return PgStoreError(f"{what} failed on {self.describe()}, schema {self.schema}: {detail}{hint}", code)

    @property
    def conn(self):
        """The open psycopg2 connection (opened, or reopened after a drop, on demand)."""
        if self._conn is None or self._conn.closed:
            try:
                self._conn = psycopg2.connect(**self._params)
            except psycopg2.Error as exc:
                raise self._error("connecting", exc) from None
        return self._conn

    def close(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._conn.close()
        self._conn = None

    def __enter__(self) -> PgStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self, what: str) -> Iterator:
        """A cursor in one transaction: committed on success, rolled back on any exception."""
        conn = self.conn
        try:
            with conn.cursor() as cur:
                yield cur
            conn.commit()
        except psycopg2.Error as exc:
            self._rollback()
            raise self._error(what, exc) from None
        except BaseException:
            self._rollback()
            raise

    def transaction(self, what: str):
        """A cursor in one transaction (committed on success, rolled back on any exception; a database error
        becomes :class:`PgStoreError` saying ``what`` failed) — for the storage modules built on this store."""
        return self._transaction(what)

    def _rollback(self) -> None:
        if self._conn is not None and not self._conn.closed:
            try:
                self._conn.rollback()
            except psycopg2.Error:
                self.close()

    def _t(self, table: str) -> sql.Composable:
        return sql.SQL("{}.{}").format(self._s, sql.Identifier(table))

    # ------------------------------------------------------------------------------ schema
    def migrate(self) -> int:
        """Create or update the schema (see :mod:`.pg_schema`); return its version. Idempotent.

        PostGIS must be installed in the database (created here only when the role may do so). A
        schema made for another SRID is refused rather than mixed.
        """
        with self._transaction("checking PostGIS") as cur:
            cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
            present = cur.fetchone() is not None
        if not present:
            try:
                with self._transaction("creating extension postgis") as cur:
                    cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            except PgStoreError as exc:
                raise PgStoreError(f"PostGIS is not installed in {self.describe()} and this role cannot install "
                                   f"it; ask an administrator to run CREATE EXTENSION postgis ({exc})",
                                   exc.pgcode) from None
        try:
            version = pg_schema.migrate(self.conn, self.schema, self.srid)
        except psycopg2.Error as exc:
            self._rollback()
            raise self._error("migrating the schema", exc) from None
        with self._transaction("checking the SRID") as cur:
            pg_schema.become_owner(cur, self.schema)  # geometry_columns lists only tables the role may read
            found = pg_schema.schema_srid(cur, self.schema)
        if found != self.srid:
            raise PgStoreError(f"schema {self.schema} in {self.describe()} stores geometry in SRID {found}, "
                               f"not {self.srid}")
        return version

    def schema_version(self) -> int:
        with self._transaction("reading the schema version") as cur:
            pg_schema.become_owner(cur, self.schema)  # an administrator reads it as the owner; a desk as itself
            return pg_schema.current_version(cur, self.schema)

    # ------------------------------------------------------------------------------ export
    def export_cases(self, cases: Sequence[Mapping], events: Mapping[str, Sequence[Mapping]] | None = None,
                     county_code_of: Callable[[Mapping], str] | None = None, batch_size: int = 500,
                     batch_id_prefix: str | None = None,
                     on_batch: Callable[[int, int], None] | None = None) -> dict:
        """Bring ``cases`` (dicts as read by :func:`.cases.cases`) and their ``events`` ({case_id: rows}) into PostGIS.

        Idempotent and resumable:

        - cases are sorted by ``case_id`` and cut into batches of ``batch_size``; each batch (its cases,
          its events and its ``export_batches`` row) is one transaction, so a dropped connection leaves
          whole batches only;
        - batch ids are ``<prefix>:<size>:<index>``; the default prefix is a hash of the exported
          (case_id, version) pairs, so re-running the same export skips the batches already finished;
        - a new case is added through ``create_case`` (first state, version 1, its creation event with the desk's
          time and comment); the desk's later events n+1… are then replayed through ``move_case`` with expected
          version n, so the state is only ever changed by the database's checked moves; the case's attributes
          are updated after (a re-export changes nothing; a desk cannot overwrite newer work);
        - a case whose stored version is higher than the desk's, or whose stored state is not where the desk's
          next event starts (histories that diverged), is left as it is and counted as ``stale``;
        - a refusal of the database (stale version ``TG002``, forbidden move ``TG003``/``TG004``, another county
          ``42501``) fails the batch as :class:`PgStoreError` with that ``pgcode``.

        ``county_code_of(case)`` gives the 6-digit county (default: ``county_code``, else the first 6
        digits of ``grid_code``). ``on_batch(index, total)`` is called inside each batch's transaction
        after its rows are written and before commit (progress; raising there rolls that batch back).
        Text with control characters (NUL …, stored before the rule that now refuses them) is exported without
        them rather than failing the batch; :attr:`cleaned` counts such values of the last export.
        Returns counts: batches, skipped_batches, inserted, updated, unchanged, stale, events_inserted,
        events_existing.
        """
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, not {batch_size!r}")
        county_code_of = county_code_of or default_county_code
        self.cleaned = 0
        events = {str(self._uuid_or_none(k) or k): v for k, v in (events or {}).items()}  # any UUID spelling
        by_id: dict[str, dict] = {}
        for case in cases:  # all checked before anything is written; a case given twice counts once (newest)
            row = self._case_row(case, county_code_of)
            if row["case_id"] not in by_id or by_id[row["case_id"]]["version"] < row["version"]:
                by_id[row["case_id"]] = row
        rows = [by_id[k] for k in sorted(by_id)]
        if batch_id_prefix is None:
            digest = hashlib.sha1()
            for r in rows:
                digest.update(f"{r['case_id']}:{r['version']}\n".encode())
            batch_id_prefix = "export-" + digest.hexdigest()[:20]
        batches = [rows[i:i + batch_size] for i in range(0, len(rows), batch_size)]
        counts = dict(batches=len(batches), skipped_batches=0, inserted=0, updated=0, unchanged=0, stale=0,
                      events_inserted=0, events_existing=0)
        for index, batch in enumerate(batches):
            batch_id = f"{batch_id_prefix}:{batch_size}:{index}"
            with self._transaction(f"exporting batch {index + 1}/{len(batches)} ({batch_id})") as cur:
                cur.execute(sql.SQL("SELECT 1 FROM {} WHERE batch_id = %s").format(self._t("export_batches")),
                            (batch_id,))
                if cur.fetchone() is not None:
                    counts["skipped_batches"] += 1
                    continue
                part = self._export_batch(cur, batch, events)
                cur.execute(sql.SQL("INSERT INTO {} (batch_id, finished_at, cases) VALUES (%s, now(), %s) "
                                    "ON CONFLICT (county_code, batch_id) DO NOTHING").format(self._t("export_batches")),
                            (batch_id, len(batch)))
                if on_batch is not None:
                    on_batch(index, len(batches))
            for key, value in part.items():
                counts[key] += value
        return counts

    def _case_row(self, case: Mapping, county_code_of: Callable[[Mapping], str]) -> dict:
        raw_id = case.get("case_id")
        try:
            case_id = str(uuid.UUID(str(raw_id)))
        except ValueError:
            raise PgStoreError(f"case id {raw_id!r} is not a UUID") from None
        county = county_code_of(case)
        try:
            pg_schema.check_county_code(county)
        except pg_schema.SchemaError as exc:
            raise PgStoreError(f"case {case_id}: {exc}") from None
        stamp = workflow.format_time(clock.now_utc())
        row = {col: workflow.strip_control_characters(case.get(col)) for col in CASE_COLUMNS}
        self.cleaned += sum(
            isinstance(case.get(col), str) and row[col] != case.get(col) for col in CASE_COLUMNS)
        row["case_id"] = case_id
        for col in _JSON_COLUMNS:
            row[col] = psycopg2.extras.Json(_json_list(row[col]), dumps=lambda v: json.dumps(v, ensure_ascii=False))
        for col in _TIME_COLUMNS:
            row[col] = row[col] or stamp
        row["state"] = row["state"] or workflow.FIRST_STATE
        if row["state"] not in workflow.STATES:  # a desk's state is not written (moves are), but must be one
            raise PgStoreError(f"case {case_id}: unknown state {row['state']!r}")
        row["version"] = int(case.get("version") or 1)
        row["county_code"] = county
        row["geom"] = psycopg2.Binary(_wkb(case.get("geom")))
        return row

    def _stored(self, cur, batch: list[dict]) -> dict[tuple[str, str], tuple[str, int]]:
        """(county, case_id) -> (state, version) of the batch's cases this role sees."""
        cur.execute(sql.SQL("SELECT county_code, case_id::text, state, version FROM {} WHERE case_id = ANY(%s::uuid[])"
                            ).format(self._t("cases")), ([r["case_id"] for r in batch],))
        return {(county, cid): (state, int(version)) for county, cid, state, version in cur.fetchall()}

    def _clean(self, event: Mapping, key: str):
        """An event's text without control characters (counted in :attr:`cleaned`)."""
        value = workflow.strip_control_characters(event.get(key))
        self.cleaned += value != event.get(key)
        return value

    def _create(self, cur, fresh: list[dict], events: Mapping[str, Sequence[Mapping]]) -> int:
        """Add ``fresh`` cases through ``create_cases`` (first state, version 1, creation event), the batch in one
        call; return how many were new."""
        docs, geoms, ats, comments = [], [], [], []
        for r in fresh:
            first = next(iter(events.get(r["case_id"], ())), None)
            ats.append(None if first is None else str(first["at"]))
            comments.append(None if first is None else self._clean(first, "comment"))
            docs.append({c: (v.adapted if isinstance(v, psycopg2.extras.Json) else v)
                         for c, v in r.items() if c not in ("geom", "state", "version")})
            geoms.append(r["geom"])
        cur.execute(sql.SQL("SELECT {f}(%s::jsonb, %s::bytea[], %s::timestamptz[], %s::text[])").format(
            f=self._t("create_cases")), (_json(docs), geoms, ats, comments))
        return int(cur.fetchone()[0])

    def _moves(self, r: dict, state: str, version: int, events: Mapping[str, Sequence[Mapping]]) -> list[tuple] | None:
        """The ``move_case`` calls that bring a stored case (``state``, ``version``) to the desk's version, from the
        desk's events n+1..; None when the desk's history does not continue the stored one (counted as stale)."""
        todo = list(events.get(r["case_id"], ()))[version:r["version"]]
        if len(todo) != r["version"] - version or todo[0].get("from_state") != state:
            return None
        return [(r["case_id"], e["to_state"], n, self._clean(e, "comment") or "", self._clean(e, "actor"), str(e["at"]),
                 _json(_json_list(e.get("attachments"))), r["county_code"]) for n, e in enumerate(todo, start=version)]

    def _export_batch(self, cur, batch: list[dict], events: Mapping[str, Sequence[Mapping]]) -> dict:
        """One batch: new cases through ``create_case``, the desk's later events through ``move_case`` (the only
        ways the database lets a desk add a case or change a state), then the attributes of moved cases."""
        out = dict(inserted=0, updated=0, unchanged=0, stale=0, events_inserted=0, events_existing=0)
        stored = self._stored(cur, batch)
        fresh = [r for r in batch if (r["county_code"], r["case_id"]) not in stored]
        if fresh:
            out["inserted"] = self._create(cur, fresh, events)
            out["events_inserted"] = out["inserted"]
            stored = {**self._stored(cur, fresh), **stored}
        new_keys = {(r["county_code"], r["case_id"]) for r in fresh}
        moves, moved = [], []
        for r in batch:
            key = (r["county_code"], r["case_id"])
            state, version = stored.get(key, (None, 0))
            calls = self._moves(r, state, version, events) if version < r["version"] else []
            if calls is None or version > r["version"] or not version:
                out["stale"] += key not in new_keys
                continue
            if key not in new_keys:
                out["events_existing"] += min(len(events.get(r["case_id"], ())), version)
            if calls:
                moves += calls
                moved.append(r)
        if moves:
            query = sql.SQL("SELECT {f}(v.i::uuid, v.t, v.n::integer, v.c, v.a, v.at::timestamptz, v.f::jsonb, NULL, "
                            "v.k) FROM (VALUES %s) AS v(i, t, n, c, a, at, f, k)").format(f=self._t("move_case"))
            psycopg2.extras.execute_values(cur, query.as_string(cur.connection), moves, page_size=len(moves),
                                           fetch=True)
            out["events_inserted"] += len(moves)
        for r in moved:
            self._update_attributes(cur, r)
        out["updated"] = sum(1 for r in moved if (r["county_code"], r["case_id"]) not in new_keys)
        out["unchanged"] = len(batch) - out["inserted"] - out["updated"]
        return out

    def _update_attributes(self, cur, r: dict) -> None:
        """The desk's attributes of a case it moved (not its identity, county, state or version: not granted)."""
        cols = [c for c in EXPORT_COLUMNS if c in pg_schema.DESK_UPDATE_COLUMNS and c != "geom"]
        sets = sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c)) for c in cols)
        cur.execute(sql.SQL("UPDATE {t} SET {sets}, geom = ST_Multi(ST_GeomFromWKB({g}, {srid})) "
                            "WHERE county_code = {k} AND case_id = {i}::uuid AND version = {v}").format(
            t=self._t("cases"), sets=sets, g=sql.Placeholder("geom"), srid=sql.Literal(self.srid),
            k=sql.Placeholder("county_code"), i=sql.Placeholder("case_id"), v=sql.Placeholder("version")), r)

    # ------------------------------------------------------------------------------ reading
    def cases(self, state: str | None = None, county_code: str | None = None) -> list[dict]:
        """Visible cases (row-level security applies), by priority then detection time and id."""
        where, args = [], []
        if state is not None:
            where.append(sql.SQL("state = %s"))
            args.append(state)
        if county_code is not None:
            where.append(sql.SQL("county_code = %s"))
            args.append(county_code)
        cond = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(where) if where else sql.SQL("")
        query = sql.SQL("SELECT *, ST_AsBinary(geom) AS geom_wkb FROM {t}{cond} "
                        "ORDER BY priority NULLS FIRST, detected_at, case_id").format(t=self._t("cases"), cond=cond)
        with self._transaction("reading cases") as cur:
            cur.execute(query, args)
            names = [d[0] for d in cur.description]
            fetched = cur.fetchall()
        out = []
        for row in fetched:
            rec = dict(zip(names, row))
            wkb = rec.pop("geom_wkb")
            rec["geom"] = shapely.from_wkb(bytes(wkb)) if wkb is not None else None
            rec["case_id"] = str(rec["case_id"])
            for key in _TIME_COLUMNS:
                rec[key] = _utc_text(rec[key])
            for key in _JSON_COLUMNS:
                rec[key] = _json_list(rec[key])
            out.append(rec)
        return out

    def case_events(self, case_id: str) -> list[dict]:
        """Events of one case in order, shaped like ``tg_case_event`` rows (attachments as JSON text)."""
        key = self._uuid_or_none(case_id)
        if key is None:
            return []
        with self._transaction("reading case events") as cur:
            cur.execute(sql.SQL("SELECT event_id, case_id::text, at, actor, from_state, to_state, comment, "
                                "attachments, recorded_by, recorded_at FROM {} WHERE case_id = %s "
                                "ORDER BY event_id").format(
                self._t("case_events")), (key,))
            names = [d[0] for d in cur.description]
            fetched = cur.fetchall()
        out = []
        for row in fetched:
            rec = dict(zip(names, row))
            rec["at"] = _utc_text(rec["at"])
            rec["recorded_at"] = _utc_text(rec["recorded_at"])
            rec["attachments"] = json.dumps(_json_list(rec["attachments"]), ensure_ascii=False)
            out.append(rec)
        return out

    def entered_at(self) -> dict[str, str]:
        """case_id → time of its last event (when it entered its current state), visible cases only."""
        with self._transaction("reading case events") as cur:
            cur.execute(sql.SQL("SELECT DISTINCT ON (case_id) case_id::text, at FROM {} "
                                "ORDER BY case_id, event_id DESC").format(self._t("case_events")))
            return {cid: _utc_text(at) for cid, at in cur.fetchall()}

    def rebuilt_state(self, case_id: str) -> str:
        """The case's state derived from its events alone (must equal its ``state`` column)."""
        return workflow.replay([workflow.event_from_row(r) for r in self.case_events(case_id)])

    @staticmethod
    def _uuid_or_none(case_id) -> str | None:
        try:
            return str(uuid.UUID(str(case_id)))
        except ValueError:
            return None

    # ------------------------------------------------------------------------------ workflow
    def take_action(self, case_id: str, action: str, actor: str, role: str, expected_version: int,
                    comment: str = "", attachments: Sequence[str] = (), at: str | None = None) -> dict:
        """Move one case by ``action`` in one transaction through the database's ``move_case``.

        The move is first validated by :mod:`..core.cases.workflow` (so a refusal carries the workflow's code and
        words), then ``move_case`` does it: it locks the case, checks ``expected_version``, the move against its
        transition table and the caller's county, sets the state, bumps the version and appends the event with
        the session's database role as ``recorded_by``. A case changed meanwhile raises ConflictError with its fresh
        version and writes nothing; a case that does not exist or is not visible to this role (another county)
        raises WorkflowError. Returns ``{"state", "version", "updated_at"}``.
        """
        stamp = at or workflow.format_time(clock.now_utc())
        key = self._uuid_or_none(case_id)
        if key is None:
            raise workflow.WorkflowError(f"case {case_id!r} does not exist (not a UUID)", "bad_input", None,
                                         action, role)
        with self._transaction(f"taking action {action!r} on case {key}") as cur:
            cur.execute(sql.SQL("SELECT state, version FROM {} WHERE case_id = %s").format(self._t("cases")), (key,))
            found = cur.fetchall()
            if len(found) != 1:
                raise workflow.WorkflowError(f"case {key} does not exist (or belongs to another county)"
                                             if not found else f"case {key} exists in {len(found)} counties",
                                             "bad_input", None, action, role)
            state, version = found[0]
            workflow.check_version(int(expected_version), int(version))
            event = workflow.make_event(key, state, action, actor, role, stamp, comment, attachments)
            row = workflow.event_to_row(event)
            try:
                cur.execute(sql.SQL("SELECT {}(%s::uuid, %s, %s, %s, %s, %s::timestamptz, %s::jsonb, %s)").format(
                    self._t("move_case")), (key, event.to_state, int(expected_version), row["comment"], row["actor"],
                                            stamp, row["attachments"], role))
                new_version = int(cur.fetchone()[0])
            except psycopg2.Error as exc:
                raise self._refusal(exc, key, state, action, role, int(expected_version)) from None
        return {"state": event.to_state, "version": new_version, "updated_at": stamp}

    def _refusal(self, exc: psycopg2.Error, key: str, state: str, action: str, role: str, expected: int) -> Exception:
        """The workflow error for a refusal of ``move_case`` (stale version, foreign or missing case, forbidden
        move), else the store's error: the database is the last word, the plugin's check only the first."""
        code = getattr(exc, "pgcode", None)
        diag = getattr(exc, "diag", None)
        message = getattr(diag, "message_primary", None) or str(exc)
        if code == pg_schema.ERR_STALE:
            actual = int(getattr(diag, "message_detail", None) or 0)
            return workflow.ConflictError(f"case {key} changed meanwhile (version {actual})", expected, actual)
        if code == pg_schema.ERR_NOT_FOUND:
            return workflow.WorkflowError(f"case {key} does not exist (or belongs to another county)", "bad_input",
                                          state, action, role)
        if code in _REFUSALS:
            kind = "needs_comment" if "comment" in message else _REFUSALS[code]
            return workflow.WorkflowError(message, kind, state, action, role)
        return self._error(f"taking action {action!r} on case {key}", exc)
