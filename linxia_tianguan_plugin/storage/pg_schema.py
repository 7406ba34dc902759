"""Schema of the shared PostGIS case store: versioned, forward-only, idempotent migrations.

Layout (schema ``tianguan`` by default, any valid lower-case identifier may be used)::

    tg_schema_version (version, description, applied_at)         one row per applied migration
    county_role       (role_name PK, county_code)                 database role -> county (6 digits)
    cases             (case_id uuid PK, county_code, state, …, version, geom MultiPolygon)
    case_events       (event_id bigserial, case_id -> cases, at, actor, from_state, to_state, comment,
                       attachments jsonb)                         append-only (trigger, even for the owner)
    export_batches    (batch_id PK, finished_at, cases)           finished batches of resumable exports

Row-level security is enabled *and forced* on ``cases`` and ``case_events``: a role (the owner too)
sees, inserts and updates only cases of the county ``county_role`` maps it to; there is no DELETE
policy on cases, so nobody but a superuser can delete a case (and events reference it anyway).
UPDATE and DELETE of visible events reach the append-only trigger, which raises for everyone.
``county_role`` itself is readable by each role for its own row only. Superusers and roles with
BYPASSRLS bypass the policies (PostgreSQL's rule), but not the append-only trigger.

Every statement is composed with :mod:`psycopg2.sql` (identifiers through ``Identifier``, values as
parameters or ``Literal``), so no name or value is ever pasted into SQL text. Plain psycopg2: no QGIS.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from psycopg2 import sql

from ..core.case_workflow import STATES
from ..core.prejudge import CATEGORIES, KINDS

DEFAULT_SCHEMA = "tianguan"
VERSION_TABLE = "tg_schema_version"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_COUNTY = re.compile(r"^[0-9]{6}$")


class SchemaError(ValueError):
    """A schema name, SRID, role or county code that cannot be used."""


def check_schema_name(name: str) -> str:
    """``name`` if it is a plain lower-case SQL identifier (letters, digits, ``_``; at most 63 bytes)."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name) or name.startswith("pg_"):
        raise SchemaError(f"schema name {name!r} is not a plain lower-case identifier "
                          "(a-z, 0-9, _; starting with a letter or _, not pg_; at most 63 characters)")
    return name


def check_srid(srid) -> int:
    if isinstance(srid, bool) or not isinstance(srid, int) or not 0 < srid < 1_000_000:
        raise SchemaError(f"SRID {srid!r} is not a positive EPSG-like integer")
    return srid


def check_county_code(code) -> str:
    if not isinstance(code, str) or not _COUNTY.match(code):
        raise SchemaError(f"county code {code!r} is not 6 digits")
    return code


def _in_list(values) -> sql.Composable:
    return sql.SQL(", ").join(sql.Literal(v) for v in values)


@dataclass(frozen=True)
class PgMigration:
    version: int
    description: str
    #: (schema, srid) -> statements, all run in one transaction
    statements: Callable[[str, int], list[sql.Composable]]


def _v1_tables(schema: str, srid: int) -> list[sql.Composable]:
    s = sql.Identifier(schema)
    states = _in_list(STATES)
    return [
        sql.SQL("CREATE TABLE {s}.county_role (role_name text PRIMARY KEY, county_code text NOT NULL "
                "CONSTRAINT county_role_code_digits CHECK (county_code ~ '^[0-9]{{6}}$'))").format(s=s),
        sql.SQL(
            "CREATE TABLE {s}.cases ("
            "case_id uuid PRIMARY KEY, "
            "case_key text NOT NULL UNIQUE, "
            "county_code text NOT NULL CONSTRAINT cases_county_digits CHECK (county_code ~ '^[0-9]{{6}}$'), "
            "state text NOT NULL DEFAULT 'pending' CONSTRAINT cases_state_known CHECK (state IN ({states})), "
            "kind text NOT NULL CONSTRAINT cases_kind_known CHECK (kind IN ({kinds})), "
            "category text NOT NULL CONSTRAINT cases_category_known CHECK (category IN ({categories})), "
            "reasons jsonb, source text NOT NULL, from_dlbm text, to_dlbm text, to_zzsxdm text, "
            "bsm_before text, bsm_after text, external_id text, "
            "area_m2 double precision NOT NULL, farmland_m2 double precision, basic_m2 double precision, "
            "approved_m2 double precision, facility_m2 double precision, temporary_m2 double precision, "
            "boundary_m2 double precision, docs text, priority integer, grid_code text, officer text, "
            "phone text, parcel_codes jsonb, rules_version text NOT NULL, run_id text NOT NULL, "
            "detected_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, "
            "version integer NOT NULL DEFAULT 1 CONSTRAINT cases_version_positive CHECK (version >= 1), "
            "geom geometry(MultiPolygon, {srid}) NOT NULL "
            "CONSTRAINT cases_geom_valid CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)))"
        ).format(s=s, states=states, kinds=_in_list(KINDS), categories=_in_list(CATEGORIES),
                 srid=sql.Literal(srid)),
        sql.SQL("CREATE INDEX cases_geom_gist ON {s}.cases USING gist (geom)").format(s=s),
        sql.SQL("CREATE INDEX cases_county_state ON {s}.cases (county_code, state)").format(s=s),
        sql.SQL(
            "CREATE TABLE {s}.case_events ("
            "event_id bigserial PRIMARY KEY, "
            "case_id uuid NOT NULL REFERENCES {s}.cases (case_id), "
            "at timestamptz NOT NULL, actor text, "
            "from_state text CONSTRAINT case_events_from_known CHECK (from_state IN ({states})), "
            "to_state text NOT NULL CONSTRAINT case_events_to_known CHECK (to_state IN ({states})), "
            "comment text, attachments jsonb NOT NULL DEFAULT '[]'::jsonb)"
        ).format(s=s, states=states),
        sql.SQL("CREATE INDEX case_events_case ON {s}.case_events (case_id, event_id)").format(s=s),
        # an exported event is recognised by what it says, whatever its event_id (export dedupe)
        sql.SQL("CREATE UNIQUE INDEX case_events_identity ON {s}.case_events "
                "(case_id, at, to_state, (coalesce(actor, '')))").format(s=s),
        sql.SQL("CREATE FUNCTION {s}.case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION 'case events are append-only: % refused on %', TG_OP, TG_TABLE_NAME "
                "USING ERRCODE = 'integrity_constraint_violation'; END $$").format(s=s),
        sql.SQL("CREATE TRIGGER case_events_no_change BEFORE UPDATE OR DELETE ON {s}.case_events "
                "FOR EACH ROW EXECUTE FUNCTION {s}.case_events_append_only()").format(s=s),
        sql.SQL("CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON {s}.case_events "
                "FOR EACH STATEMENT EXECUTE FUNCTION {s}.case_events_append_only()").format(s=s),
        sql.SQL("CREATE TABLE {s}.export_batches (batch_id text PRIMARY KEY, "
                "finished_at timestamptz NOT NULL DEFAULT now(), cases integer NOT NULL)").format(s=s),
    ]


def _v2_row_security(schema: str, srid: int) -> list[sql.Composable]:
    s = sql.Identifier(schema)
    mine = sql.SQL("county_code IN (SELECT r.county_code FROM {s}.county_role r "
                   "WHERE r.role_name = current_user)").format(s=s)
    via_case = sql.SQL("EXISTS (SELECT 1 FROM {s}.cases c WHERE c.case_id = case_events.case_id AND c.{mine})"
                       ).format(s=s, mine=mine)
    out: list[sql.Composable] = []
    for table in ("cases", "case_events"):
        out += [sql.SQL("ALTER TABLE {s}.{t} ENABLE ROW LEVEL SECURITY").format(s=s, t=sql.Identifier(table)),
                sql.SQL("ALTER TABLE {s}.{t} FORCE ROW LEVEL SECURITY").format(s=s, t=sql.Identifier(table))]
    out += [
        sql.SQL("CREATE POLICY cases_select ON {s}.cases FOR SELECT USING ({p})").format(s=s, p=mine),
        sql.SQL("CREATE POLICY cases_insert ON {s}.cases FOR INSERT WITH CHECK ({p})").format(s=s, p=mine),
        sql.SQL("CREATE POLICY cases_update ON {s}.cases FOR UPDATE USING ({p}) WITH CHECK ({p})"
                ).format(s=s, p=mine),
        sql.SQL("CREATE POLICY case_events_select ON {s}.case_events FOR SELECT USING ({p})").format(s=s, p=via_case),
        sql.SQL("CREATE POLICY case_events_insert ON {s}.case_events FOR INSERT WITH CHECK ({p})"
                ).format(s=s, p=via_case),
        # visible rows reach the append-only trigger, which raises: without these policies an UPDATE or
        # DELETE by the owner would silently match no row instead of being refused loudly
        sql.SQL("CREATE POLICY case_events_update ON {s}.case_events FOR UPDATE USING ({p})").format(s=s, p=via_case),
        sql.SQL("CREATE POLICY case_events_delete ON {s}.case_events FOR DELETE USING ({p})").format(s=s, p=via_case),
        # each role reads its own mapping (the policies above need it); the owner manages all of them
        sql.SQL("ALTER TABLE {s}.county_role ENABLE ROW LEVEL SECURITY").format(s=s),
        sql.SQL("CREATE POLICY county_role_own ON {s}.county_role FOR SELECT USING (role_name = current_user)"
                ).format(s=s),
    ]
    return out


def _v3_event_sequence(schema: str, srid: int) -> list[sql.Composable]:
    """Events are identified by their place in the case's history, not by their time: a case's n-th event
    takes it to version n, in both stores. (Time, state and actor could repeat within one second — a
    return and a new submission by the same officer — and the second event would be lost as a
    duplicate.) Existing rows are numbered in event order, with the append-only trigger held off for
    exactly that update."""
    s = sql.Identifier(schema)
    return [
        sql.SQL("ALTER TABLE {s}.case_events ADD COLUMN seq integer").format(s=s),
        sql.SQL("ALTER TABLE {s}.case_events DISABLE TRIGGER case_events_no_change").format(s=s),
        sql.SQL("UPDATE {s}.case_events e SET seq = n.seq FROM (SELECT event_id, row_number() OVER "
                "(PARTITION BY case_id ORDER BY event_id) AS seq FROM {s}.case_events) n "
                "WHERE n.event_id = e.event_id").format(s=s),
        sql.SQL("ALTER TABLE {s}.case_events ENABLE TRIGGER case_events_no_change").format(s=s),
        sql.SQL("ALTER TABLE {s}.case_events ALTER COLUMN seq SET NOT NULL").format(s=s),
        sql.SQL("ALTER TABLE {s}.case_events ADD CONSTRAINT case_events_seq_positive CHECK (seq > 0)").format(s=s),
        sql.SQL("CREATE UNIQUE INDEX case_events_place ON {s}.case_events (case_id, seq)").format(s=s),
        sql.SQL("DROP INDEX {s}.case_events_identity").format(s=s),
    ]


MIGRATIONS: list[PgMigration] = [
    PgMigration(1, "cases, append-only case events, county roles, export batches", _v1_tables),
    PgMigration(2, "row-level security by county (forced, owner included)", _v2_row_security),
    PgMigration(3, "events identified by their place in the case's history", _v3_event_sequence),
]
LATEST = MIGRATIONS[-1].version


def current_version(cur, schema: str) -> int:
    """Highest applied migration (0 when the version table does not exist yet)."""
    cur.execute("SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
                (check_schema_name(schema), VERSION_TABLE))
    if cur.fetchone() is None:
        return 0
    cur.execute(sql.SQL("SELECT coalesce(max(version), 0) FROM {s}.{t}").format(
        s=sql.Identifier(schema), t=sql.Identifier(VERSION_TABLE)))
    return int(cur.fetchone()[0])


def migrate(conn, schema: str = DEFAULT_SCHEMA, srid: int = 4522) -> int:
    """Bring ``schema`` up to :data:`LATEST`; return the version. Idempotent and safe to run concurrently.

    Each migration runs in its own transaction under an advisory lock on the schema name and records
    itself in ``tg_schema_version``; one already recorded is never run again. ``conn`` is a psycopg2
    connection (not in autocommit mode) whose role owns, or may create, the schema.
    """
    check_schema_name(schema)
    check_srid(srid)
    s = sql.Identifier(schema)
    lock = sql.SQL("SELECT pg_advisory_xact_lock(hashtext(%s))")
    with conn:
        with conn.cursor() as cur:
            cur.execute(lock, ("tianguan-migrate:" + schema,))
            cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {s}").format(s=s))
            cur.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {s}.{t} (version integer PRIMARY KEY, "
                                "description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
                                ).format(s=s, t=sql.Identifier(VERSION_TABLE)))
    for migration in MIGRATIONS:
        with conn:
            with conn.cursor() as cur:
                cur.execute(lock, ("tianguan-migrate:" + schema,))
                if current_version(cur, schema) >= migration.version:
                    continue
                for statement in migration.statements(schema, srid):
                    cur.execute(statement)
                cur.execute(sql.SQL("INSERT INTO {s}.{t} (version, description) VALUES (%s, %s)").format(
                    s=s, t=sql.Identifier(VERSION_TABLE)), (migration.version, migration.description))
    with conn:
        with conn.cursor() as cur:
            return current_version(cur, schema)


def schema_srid(cur, schema: str) -> int | None:
    """SRID of ``cases.geom`` in ``schema`` (None when the table does not exist)."""
    cur.execute("SELECT srid FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = 'cases' "
                "AND f_geometry_column = 'geom'", (schema,))
    row = cur.fetchone()
    return None if row is None else int(row[0])


# ------------------------------------------------------------------------------------ roles
def app_role_statements(role: str, schema: str = DEFAULT_SCHEMA, login: bool = True) -> list[sql.Composable]:
    """Template of an application (desk) role: CREATE ROLE plus the grants the store needs.

    Reads and writes cases of its county (no DELETE anywhere), appends events, records export
    batches. No password is set here: give one with ``ALTER ROLE … PASSWORD`` from a secure channel
    (or use certificate/Kerberos authentication), never from plugin settings.
    """
    check_schema_name(schema)
    login_sql = sql.SQL("LOGIN" if login else "NOLOGIN")
    return [
        sql.SQL("CREATE ROLE {r} {login} NOSUPERUSER NOBYPASSRLS").format(r=sql.Identifier(role), login=login_sql),
        *grant_statements(role, schema),
    ]


def grant_statements(role: str, schema: str = DEFAULT_SCHEMA) -> list[sql.Composable]:
    """Privileges of an application role on an existing schema (see :func:`app_role_statements`)."""
    check_schema_name(schema)
    r, s = sql.Identifier(role), sql.Identifier(schema)
    return [
        sql.SQL("GRANT USAGE ON SCHEMA {s} TO {r}").format(s=s, r=r),
        sql.SQL("GRANT SELECT ON {s}.{v}, {s}.county_role TO {r}").format(
            s=s, v=sql.Identifier(VERSION_TABLE), r=r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE ON {s}.cases TO {r}").format(s=s, r=r),
        sql.SQL("GRANT SELECT, INSERT ON {s}.case_events, {s}.export_batches TO {r}").format(s=s, r=r),
        sql.SQL("GRANT USAGE ON SEQUENCE {s}.case_events_event_id_seq TO {r}").format(s=s, r=r),
    ]


def create_app_role(conn, role: str, schema: str = DEFAULT_SCHEMA, login: bool = True) -> None:
    """Run :func:`app_role_statements` in one transaction (needs CREATEROLE and ownership of the schema)."""
    with conn:
        with conn.cursor() as cur:
            for statement in app_role_statements(role, schema, login):
                cur.execute(statement)


def grant_county(conn, role: str, county_code: str, schema: str = DEFAULT_SCHEMA) -> None:
    """Map database ``role`` to ``county_code`` (replacing its previous county); one transaction.

    The role must exist; run by the schema owner (or a superuser). Only the mapping is written: the
    table privileges come from :func:`grant_statements` / :func:`create_app_role`.
    """
    check_schema_name(schema)
    check_county_code(county_code)
    with conn:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            if cur.fetchone() is None:
                raise SchemaError(f"database role {role!r} does not exist; create it first")
            cur.execute(sql.SQL("INSERT INTO {s}.county_role (role_name, county_code) VALUES (%s, %s) "
                                "ON CONFLICT (role_name) DO UPDATE SET county_code = EXCLUDED.county_code"
                                ).format(s=sql.Identifier(schema)), (role, county_code))
