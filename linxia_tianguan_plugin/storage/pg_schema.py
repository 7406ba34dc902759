"""Schema of the shared PostGIS case store: versioned, forward-only, idempotent migrations.

Layout (schema ``tianguan`` by default, any valid lower-case identifier may be used)::

    tg_schema_version (version, description, applied_at)         one row per applied migration
    county_role       (role_name PK, county_code)                 database role -> county (6 digits)
    transitions       (action, source, target, roles, needs_*)    copy of core.cases.workflow.TRANSITIONS
    cases             ((county_code, case_id) PK, state, …, version, case_no (v5), geom MultiPolygon)
    case_events       (event_id, (county_code, case_id) -> cases, seq, at, actor, from_state, to_state, comment,
                       attachments jsonb, recorded_by, recorded_at)   append-only (trigger, even for the owner)
    export_batches    (county_code, batch_id, finished_at, cases)  finished batches of resumable exports

Version 4 (issue 15) makes the database the guard of its audit trail:

- every object belongs to the NOLOGIN role ``<schema>_owner`` (:func:`owner_role`); an administrator (superuser,
  or a CREATEROLE role the migration makes a member WITH SET, no INHERIT) migrates and grants, acting as the owner
  through ``SET LOCAL ROLE`` (:func:`become_owner`);
- desk roles (:func:`grant_statements`) read their county's rows, update case attributes only, add cases only
  through ``create_case`` and change states only through ``move_case``: SECURITY DEFINER functions with a fixed
  ``search_path`` that check the caller's county (``session_user``: inside them ``current_user`` is the owner),
  the expected version and the ``transitions`` table, and append the event with ``recorded_by = session_user``;
- row-level security (enabled and forced) on cases, events and export batches keys on the same
  ``session_county()``; the owner has its own all-rows policy (reached only through the functions or an
  administrator's SET ROLE). Superusers and BYPASSRLS roles see every county, in the policies and the functions;
- keys include the county, and another county's case answers ``move_case`` exactly as a missing one, so a desk
  cannot learn whether another county holds a case.

There is no DELETE policy or grant on cases, so nobody but a superuser can delete a case (and events reference it
anyway). UPDATE, DELETE and TRUNCATE of events reach the append-only trigger, which raises for everyone.

Every statement is composed with :mod:`psycopg2.sql` (identifiers through ``Identifier``, values as
parameters or ``Literal``), so no name or value is ever pasted into SQL text. Plain psycopg2: no QGIS.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from psycopg2 import sql

from ..core.cases.prejudge import CATEGORIES, KINDS
from ..core.cases.workflow import FIRST_STATE, STATES, TRANSITIONS

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
    #: when set, used instead of ``statements``: (cursor, schema, srid) -> statements, for a migration that must
    #: look at the database first (which roles exist, where PostGIS lives, who holds grants)
    planned: Callable[..., list[sql.Composable]] | None = None


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


#: from this version on every object of the schema belongs to the NOLOGIN owner role (see :func:`owner_role`)
OWNER_VERSION = 4
#: SQLSTATEs raised by ``move_case``/``create_case`` (class TG, the store's own); 42501 for a foreign county
ERR_NOT_FOUND, ERR_STALE, ERR_NOT_ALLOWED, ERR_REQUIREMENT, ERR_AMBIGUOUS = "TG001", "TG002", "TG003", "TG004", "TG006"
#: columns of ``cases`` a desk may UPDATE directly: everything but its identity, county, state and version
DESK_UPDATE_COLUMNS = (
    "kind", "category", "reasons", "source", "from_dlbm", "to_dlbm", "to_zzsxdm", "bsm_before", "bsm_after",
    "external_id", "area_m2", "farmland_m2", "basic_m2", "approved_m2", "facility_m2", "temporary_m2", "boundary_m2",
    "docs", "priority", "grid_code", "officer", "phone", "parcel_codes", "rules_version", "run_id", "detected_at",
    "updated_at", "geom")
_TABLES = ("tg_schema_version", "county_role", "cases", "case_events", "export_batches")
_CREATE_CASE_ARGS = "jsonb, bytea, timestamptz, text"
_CREATE_CASES_ARGS = "jsonb, bytea[], timestamptz[], text[]"
_MOVE_CASE_ARGS = "uuid, text, integer, text, text, timestamptz, jsonb, text, text"


def owner_role(schema: str) -> str:
    """The NOLOGIN role that owns ``schema`` and its objects (``<schema>_owner``): nobody logs in as it.

    Cluster-wide, like every role: two databases holding a schema of the same name share it."""
    name = f"{check_schema_name(schema)}_owner"
    if len(name) > 63:
        raise SchemaError(f"schema name {schema!r} is too long for its owner role {name!r} (at most 57 characters)")
    return name


def transition_statements(schema: str) -> list[sql.Composable]:
    """Rewrite ``transitions`` from :data:`..core.cases.workflow.TRANSITIONS`: the Python table is the one source,
    the database holds a copy that ``move_case`` checks. A later change of the Python table needs a migration
    that runs these statements again."""
    s = sql.Identifier(schema)
    rows = sql.SQL(", ").join(
        sql.SQL("({}, {}, {}, {}::text[], {}, {})").format(
            sql.Literal(t.action), sql.Literal(t.source), sql.Literal(t.target), sql.Literal(list(t.roles)),
            sql.Literal(t.needs_comment), sql.Literal(t.needs_attachment)) for t in TRANSITIONS)
    return [sql.SQL("DELETE FROM {s}.transitions").format(s=s),
            sql.SQL("INSERT INTO {s}.transitions (action, source, target, roles, needs_comment, needs_attachment) "
                    "VALUES {rows}").format(s=s, rows=rows)]


def _v4_prepare(cur, schema: str) -> list[sql.Composable]:
    """The owner role (created when missing) and the migrating role's right to act as it.

    A non-superuser migrator (an administrator with CREATEROLE) becomes a member WITH SET (no INHERIT: it acts as
    the owner only through an explicit SET ROLE, as :func:`migrate` does); the owner gets CREATE on the database,
    which PostgreSQL requires of a schema's new owner."""
    owner = owner_role(schema)
    cur.execute("SELECT r.rolsuper, current_user, current_database(), current_setting('server_version_num')::int, "
                "(SELECT o.oid FROM pg_roles o WHERE o.rolname = %s) FROM pg_roles r WHERE r.rolname = current_user",
                (owner,))
    superuser, me, database, server, owner_oid = cur.fetchone()
    o = sql.Identifier(owner)
    out: list[sql.Composable] = []
    if owner_oid is None:
        out.append(sql.SQL("CREATE ROLE {o} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS").format(o=o))
    if not superuser:
        how = sql.SQL(" WITH INHERIT FALSE, SET TRUE" if server >= 160000 else "")
        out.append(sql.SQL("GRANT {o} TO {me}{how}").format(o=o, me=sql.Identifier(me), how=how))
        cur.execute("SELECT %s::oid IS NOT NULL AND has_database_privilege(%s::oid, current_database(), 'CREATE')",
                    (owner_oid, owner_oid))
        if not cur.fetchone()[0]:
            out.append(sql.SQL("GRANT CREATE ON DATABASE {d} TO {o}").format(d=sql.Identifier(database), o=o))
    return out


def _v4_desks(cur, schema: str) -> list[str]:
    """Roles holding privileges on the case tables (the desks granted under versions 1-3), owner excluded."""
    cur.execute("SELECT DISTINCT r.rolname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, "
                "aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee WHERE n.nspname = %s "
                "AND c.relname IN ('cases', 'case_events', 'export_batches') AND a.grantee <> c.relowner "
                "ORDER BY 1", (schema,))
    return [r[0] for r in cur.fetchall() if r[0] != owner_role(schema)]


def _postgis_schema(cur) -> str:
    cur.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'postgis'")
    row = cur.fetchone()
    if row is None:
        raise SchemaError("PostGIS is not installed in this database")
    return row[0]


def _v4_ownership(schema: str) -> list[sql.Composable]:
    s, o = sql.Identifier(schema), sql.Identifier(owner_role(schema))
    # a table's new owner needs CREATE on its schema; the schema goes last: once it is the owner's, the migrator
    # (no INHERIT) could not even name the tables in it
    return [sql.SQL("GRANT USAGE, CREATE ON SCHEMA {s} TO {o}").format(s=s, o=o),
            *(sql.SQL("ALTER TABLE {s}.{t} OWNER TO {o}").format(s=s, t=sql.Identifier(t), o=o) for t in _TABLES),
            sql.SQL("ALTER FUNCTION {s}.case_events_append_only() OWNER TO {o}").format(s=s, o=o),
            sql.SQL("ALTER SCHEMA {s} OWNER TO {o}").format(s=s, o=o),
            sql.SQL("SET LOCAL ROLE {o}").format(o=o)]


def _v4_session_functions(schema: str) -> list[sql.Composable]:
    """Who is calling, by the login (``session_user``): inside a SECURITY DEFINER function ``current_user`` is the
    owner, and ``SET ROLE`` cannot change the session user. The same county rule serves the policies."""
    s = sql.Identifier(schema)
    definer = sql.SQL("LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp")
    return [
        sql.SQL("CREATE FUNCTION {s}.session_county() RETURNS text {d} AS $fn$ SELECT r.county_code FROM "
                "{s}.county_role r WHERE r.role_name = session_user $fn$").format(s=s, d=definer),
        sql.SQL("CREATE FUNCTION {s}.session_sees_all() RETURNS boolean {d} AS $fn$ SELECT coalesce((SELECT "
                "r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false) "
                "$fn$").format(s=s, d=definer),
    ]


def _owner_policies(schema: str, tables: tuple[str, ...]) -> list[sql.Composable]:
    """The owner sees every row (row-level security stays forced for everyone else)."""
    s, o = sql.Identifier(schema), sql.Identifier(owner_role(schema))
    return [sql.SQL("CREATE POLICY {p} ON {s}.{t} TO {o} USING (true) WITH CHECK (true)").format(
        p=sql.Identifier(f"{t}_owner"), s=s, t=sql.Identifier(t), o=o) for t in tables]


def _v4_policies(schema: str) -> list[sql.Composable]:
    """Policies keyed on the session's county; the owner (reached only through the store's functions or an
    administrator's SET ROLE) sees every row, which is what lets ``move_case`` find the caller's case."""
    s = sql.Identifier(schema)
    mine = sql.SQL("county_code = (SELECT {s}.session_county())").format(s=s)
    out = [*_owner_policies(schema, ("export_batches",))]
    out += [sql.SQL("DROP POLICY {p} ON {s}.{t}").format(p=sql.Identifier(p), s=s, t=sql.Identifier(t))
           for t, p in (("cases", "cases_select"), ("cases", "cases_insert"), ("cases", "cases_update"),
                        ("case_events", "case_events_select"), ("case_events", "case_events_insert"),
                        ("case_events", "case_events_update"), ("case_events", "case_events_delete"))]
    for table in ("cases", "case_events", "export_batches"):
        t = sql.Identifier(table)
        out.append(sql.SQL("CREATE POLICY {p} ON {s}.{t} FOR SELECT USING ({m})").format(
            p=sql.Identifier(f"{table}_select"), s=s, t=t, m=mine))
    out += [
        sql.SQL("CREATE POLICY cases_update ON {s}.cases FOR UPDATE USING ({m}) WITH CHECK ({m})").format(s=s, m=mine),
        # rows a granted-by-mistake role can see reach the append-only trigger and are refused loudly
        sql.SQL("CREATE POLICY case_events_update ON {s}.case_events FOR UPDATE USING ({m})").format(s=s, m=mine),
        sql.SQL("CREATE POLICY case_events_delete ON {s}.case_events FOR DELETE USING ({m})").format(s=s, m=mine),
        sql.SQL("CREATE POLICY export_batches_insert ON {s}.export_batches FOR INSERT WITH CHECK ({m})").format(
            s=s, m=mine),
    ]
    return out


def _v4_keys(schema: str) -> list[sql.Composable]:
    """Keys include the county: a desk inserting a case another county holds meets no unique violation (it
    creates its own), so the existence of other counties' cases cannot be probed. Existing events get their
    county (the append-only trigger held off for exactly that update, as in version 3) and the audit columns,
    left NULL on them: who recorded an event before version 4 is not known."""
    s = sql.Identifier(schema)
    return [
        sql.SQL("ALTER TABLE {s}.case_events DROP CONSTRAINT case_events_case_id_fkey").format(s=s),
        sql.SQL("ALTER TABLE {s}.cases DROP CONSTRAINT cases_pkey, DROP CONSTRAINT cases_case_key_key, "
                "ADD CONSTRAINT cases_pkey PRIMARY KEY (county_code, case_id), "
                "ADD CONSTRAINT cases_county_key UNIQUE (case_key, county_code)").format(s=s),
        # only the key may lead with county_code: the events' foreign-key lookup (county_code = $1 AND case_id = $2)
        # is planned once per session, often while the table is still empty, and then prefers any index leading
        # with county_code over the key — (county_code, state), say, scanning the county's every case for each event
        # inserted (an export of 20 000 cases took 15 s instead of 2). The key serves a county's cases.
        sql.SQL("DROP INDEX {s}.cases_county_state").format(s=s),
        # a case is found by its id alone too (move_case, the export's look-up of a batch); not unique: the same id in
        # two counties must not collide (see above)
        sql.SQL("CREATE INDEX cases_case_id ON {s}.cases (case_id)").format(s=s),
        sql.SQL("ALTER TABLE {s}.case_events ADD COLUMN county_code text, ADD COLUMN recorded_by text, "
                "ADD COLUMN recorded_at timestamptz").format(s=s),
        sql.SQL("ALTER TABLE {s}.case_events DISABLE TRIGGER case_events_no_change").format(s=s),
        sql.SQL("UPDATE {s}.case_events e SET county_code = c.county_code FROM {s}.cases c "
                "WHERE c.case_id = e.case_id").format(s=s),
        sql.SQL("ALTER TABLE {s}.case_events ENABLE TRIGGER case_events_no_change").format(s=s),
        sql.SQL("ALTER TABLE {s}.case_events ALTER COLUMN county_code SET NOT NULL, "
                "ALTER COLUMN recorded_by SET DEFAULT session_user, ALTER COLUMN recorded_at SET DEFAULT now(), "
                "ADD CONSTRAINT case_events_recorded CHECK (recorded_by IS NOT NULL AND recorded_at IS NOT NULL) "
                "NOT VALID, ADD CONSTRAINT case_events_case_fkey FOREIGN KEY (county_code, case_id) "
                "REFERENCES {s}.cases (county_code, case_id)").format(s=s),
        sql.SQL("DROP INDEX {s}.case_events_place").format(s=s),
        sql.SQL("CREATE UNIQUE INDEX case_events_place ON {s}.case_events (county_code, case_id, seq)").format(s=s),
        sql.SQL("ALTER TABLE {s}.export_batches DROP CONSTRAINT export_batches_pkey, "
                "ADD COLUMN county_code text DEFAULT {s}.session_county() "
                "CONSTRAINT export_batches_county_digits CHECK (county_code ~ '^[0-9]{{6}}$')").format(s=s),
        # batches exported before version 4 keep a NULL county: seen by nobody but the owner and superusers
        sql.SQL("CREATE UNIQUE INDEX export_batches_county_batch ON {s}.export_batches (county_code, batch_id)"
                ).format(s=s),
        sql.SQL("ALTER TABLE {s}.export_batches ENABLE ROW LEVEL SECURITY").format(s=s),
        sql.SQL("ALTER TABLE {s}.export_batches FORCE ROW LEVEL SECURITY").format(s=s),
    ]


def _v4_transitions(schema: str) -> list[sql.Composable]:
    s = sql.Identifier(schema)
    states = _in_list(STATES)
    return [sql.SQL(
        "CREATE TABLE {s}.transitions (action text NOT NULL, "
        "source text NOT NULL CONSTRAINT transitions_source_known CHECK (source IN ({states})), "
        "target text NOT NULL CONSTRAINT transitions_target_known CHECK (target IN ({states})), "
        "roles text[] NOT NULL, needs_comment boolean NOT NULL, needs_attachment boolean NOT NULL, "
        "PRIMARY KEY (source, target))").format(s=s, states=states),
        *transition_statements(schema)]


def _v4_create_case(schema: str, srid: int, postgis: str) -> list[sql.Composable]:
    """``create_cases``: the only way cases come in — in the caller's county, at the first state and version 1, each
    with its creation event recorded by the session user; returns how many were new (a case the caller's county
    holds already is left as it is). Set-based — one statement for a batch of 500, not a call per case: the export
    of a county's cases stays as fast as a plain upsert. ``create_case`` is the one-case form."""
    s, g = sql.Identifier(schema), sql.Identifier(postgis)
    head = ("RETURNS {ret} LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp "
            "AS $fn$ ")
    many = sql.SQL(
        "CREATE FUNCTION {s}.create_cases(p_cases jsonb, p_geoms bytea[], p_ats timestamptz[], p_comments text[]) "
        + head.format(ret="integer") +
        "DECLARE v_all boolean := {s}.session_sees_all(); v_mine text := {s}.session_county(); v_bad record; "
        "v_n integer; "
        "BEGIN "
        "IF jsonb_typeof(p_cases) IS DISTINCT FROM 'array' THEN RAISE EXCEPTION 'cases must be a JSON array' "
        "USING ERRCODE = 'invalid_parameter_value'; END IF; "
        "SELECT r.case_id, r.county_code INTO v_bad FROM jsonb_populate_recordset(NULL::{s}.cases, p_cases) r "
        "WHERE NOT v_all AND r.county_code IS DISTINCT FROM v_mine LIMIT 1; "
        "IF FOUND THEN RAISE EXCEPTION 'case % is of county %, not of the county of role %', v_bad.case_id, "
        "v_bad.county_code, session_user USING ERRCODE = 'insufficient_privilege'; END IF; "
        "WITH src AS (SELECT e.ord, jsonb_populate_record(NULL::{s}.cases, e.doc || jsonb_build_object("
        "'state', {first}::text, 'version', 1, 'geom', "
        "encode({g}.st_asewkb({g}.st_multi({g}.st_geomfromwkb(p_geoms[e.ord], {srid}))), 'hex'))) AS x "
        "FROM jsonb_array_elements(p_cases) WITH ORDINALITY AS e(doc, ord)), "
        "ins AS (INSERT INTO {s}.cases SELECT (src.x).* FROM src ON CONFLICT (county_code, case_id) DO NOTHING "
        "RETURNING county_code, case_id, detected_at) "
        "INSERT INTO {s}.case_events (county_code, case_id, seq, at, actor, from_state, to_state, comment, "
        "attachments, recorded_by, recorded_at) SELECT i.county_code, i.case_id, 1, "
        "coalesce(p_ats[src.ord], i.detected_at), 'system', NULL, {first}, p_comments[src.ord], '[]'::jsonb, "
        "session_user, now() FROM ins i JOIN src ON (src.x).county_code = i.county_code "
        "AND (src.x).case_id = i.case_id; "
        "GET DIAGNOSTICS v_n = ROW_COUNT; RETURN v_n; END $fn$").format(
        s=s, g=g, srid=sql.Literal(srid), first=sql.Literal(FIRST_STATE))
    one = sql.SQL(
        "CREATE FUNCTION {s}.create_case(p_case jsonb, p_geom bytea, p_at timestamptz, p_comment text) "
        + head.format(ret="boolean") +
        "BEGIN RETURN {s}.create_cases(jsonb_build_array(p_case), ARRAY[p_geom], ARRAY[p_at], ARRAY[p_comment]) = 1; "
        "END $fn$").format(s=s)
    return [many, one]


def _v4_move_case(schema: str) -> sql.Composable:
    """``move_case``: the only way a case changes state. Finds the case in the caller's county (all counties for
    a superuser or BYPASSRLS session, as row-level security does; ``p_county_code`` narrows), answers a case of
    another county exactly as a missing one, locks it, checks the expected version, the move against
    ``transitions`` (role when given, comment, attachment), then sets state and version and appends the event
    recorded by ``session_user`` — one statement, one transaction. Returns the new version."""
    s = sql.Identifier(schema)
    return sql.SQL(
        "CREATE FUNCTION {s}.move_case(p_case_id uuid, p_to_state text, p_expected_version integer, "
        "p_comment text DEFAULT '', p_actor text DEFAULT NULL, p_at timestamptz DEFAULT NULL, "
        "p_attachments jsonb DEFAULT '[]'::jsonb, p_role text DEFAULT NULL, p_county_code text DEFAULT NULL) "
        "RETURNS integer LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$ "
        "DECLARE v_all boolean := {s}.session_sees_all(); v_mine text := {s}.session_county(); "
        "v_n integer; v_county text; v_state text; v_version integer; m {s}.transitions; "
        "v_files jsonb := coalesce(p_attachments, '[]'::jsonb); "
        "BEGIN "
        "SELECT count(*) INTO v_n FROM {s}.cases c WHERE c.case_id = p_case_id "
        "AND (p_county_code IS NULL OR c.county_code = p_county_code) AND (v_all OR c.county_code = v_mine); "
        "IF v_n = 0 THEN RAISE EXCEPTION 'case % does not exist or is not of the county of role %', p_case_id, "
        "session_user USING ERRCODE = {nf}; END IF; "
        "IF v_n > 1 THEN RAISE EXCEPTION 'case % exists in % counties: name the county', p_case_id, v_n "
        "USING ERRCODE = {amb}; END IF; "
        "SELECT c.county_code, c.state, c.version INTO v_county, v_state, v_version FROM {s}.cases c "
        "WHERE c.case_id = p_case_id AND (p_county_code IS NULL OR c.county_code = p_county_code) "
        "AND (v_all OR c.county_code = v_mine) FOR UPDATE; "
        "IF v_version IS DISTINCT FROM p_expected_version THEN RAISE EXCEPTION "
        "'case % changed meanwhile: expected version %, found %', p_case_id, p_expected_version, v_version "
        "USING ERRCODE = {stale}, DETAIL = v_version::text; END IF; "
        "SELECT * INTO m FROM {s}.transitions t WHERE t.source = v_state AND t.target = p_to_state; "
        "IF NOT FOUND THEN RAISE EXCEPTION 'no move leads from state % to state %', v_state, p_to_state "
        "USING ERRCODE = {bad}; END IF; "
        "IF coalesce(p_role, '') <> '' AND NOT p_role = ANY (m.roles) THEN RAISE EXCEPTION "
        "'role % may not perform % (% -> %)', p_role, m.action, v_state, p_to_state USING ERRCODE = {bad}; END IF; "
        "IF m.needs_comment AND coalesce(p_comment, '') ~ '^\\s*$' THEN RAISE EXCEPTION "
        "'action % (% -> %) needs a comment', m.action, v_state, p_to_state USING ERRCODE = {req}; END IF; "
        "IF jsonb_typeof(v_files) <> 'array' THEN RAISE EXCEPTION 'attachments must be a JSON array' "
        "USING ERRCODE = {req}; END IF; "
        "IF m.needs_attachment AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_files) f "
        "WHERE jsonb_typeof(f) = 'string' AND f #>> '{{}}' !~ '^\\s*$') THEN RAISE EXCEPTION "
        "'action % (% -> %) needs an attachment', m.action, v_state, p_to_state USING ERRCODE = {req}; END IF; "
        "UPDATE {s}.cases c SET state = p_to_state, version = v_version + 1, updated_at = coalesce(p_at, now()) "
        "WHERE c.county_code = v_county AND c.case_id = p_case_id; "
        "INSERT INTO {s}.case_events (county_code, case_id, seq, at, actor, from_state, to_state, comment, "
        "attachments, recorded_by, recorded_at) VALUES (v_county, p_case_id, v_version + 1, coalesce(p_at, now()), "
        "coalesce(p_actor, session_user), v_state, p_to_state, p_comment, v_files, session_user, now()); "
        "RETURN v_version + 1; END $fn$").format(
        s=s, nf=sql.Literal(ERR_NOT_FOUND), amb=sql.Literal(ERR_AMBIGUOUS), stale=sql.Literal(ERR_STALE),
        bad=sql.Literal(ERR_NOT_ALLOWED), req=sql.Literal(ERR_REQUIREMENT))


def _v4_audit(cur, schema: str, srid: int) -> list[sql.Composable]:
    """Version 4: the database guards its own audit trail (issue 15). See the module docstring."""
    s = sql.Identifier(schema)
    desks = _v4_desks(cur, schema)
    postgis = _postgis_schema(cur)
    out = [*_v4_prepare(cur, schema), *_v4_ownership(schema)]
    for role in desks:  # the old grants (UPDATE of state, INSERT of events) go; the desk grants of now come back
        r = sql.Identifier(role)
        out += [sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}").format(s=s, r=r),
                sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}").format(s=s, r=r)]
    out += [*_v4_session_functions(schema), *_owner_policies(schema, ("cases", "case_events")), *_v4_keys(schema),
            *_v4_policies(schema), *_v4_transitions(schema),
            *_v4_create_case(schema, srid, postgis), _v4_move_case(schema)]
    for function in (sql.SQL("session_county()"), sql.SQL("session_sees_all()"),
                     sql.SQL("create_case({})").format(sql.SQL(_CREATE_CASE_ARGS)),
                     sql.SQL("create_cases({})").format(sql.SQL(_CREATE_CASES_ARGS)),
                     sql.SQL("move_case({})").format(sql.SQL(_MOVE_CASE_ARGS))):
        out.append(sql.SQL("REVOKE ALL ON FUNCTION {s}.{f} FROM PUBLIC").format(s=s, f=function))
    for role in desks:
        out += grant_statements(role, schema)
    return out


def _v5_case_numbers_recall(schema: str, srid: int) -> list[sql.Composable]:
    """Version 5 (issue 16): the desk's case number (``622921-2025-0042``, see ``storage/cases.py``) and the recall
    move (已下发 → 待下发).

    ``case_no`` comes in with the case document through ``create_cases`` (the function fills the row from the
    document, so it needs no change) and only so: it is not among :data:`DESK_UPDATE_COLUMNS`, and a trigger refuses
    to change a number once set, whoever tries (the owner too). Cases exported before this version keep NULL. It is
    indexed by itself, not unique and not led by the county (see the index note of version 4): the number is unique
    in its desk's store, and two desks of one county numbering apart must not make an export fail. The transition
    table is written again from :data:`..core.cases.workflow.TRANSITIONS` (now with ``recall``), which is what
    ``move_case`` checks."""
    s = sql.Identifier(schema)
    return [
        sql.SQL("ALTER TABLE {s}.cases ADD COLUMN case_no text").format(s=s),
        sql.SQL("CREATE INDEX cases_case_no ON {s}.cases (case_no)").format(s=s),
        sql.SQL("CREATE FUNCTION {s}.cases_case_no_fixed() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN IF OLD.case_no IS NOT NULL AND NEW.case_no IS DISTINCT FROM OLD.case_no THEN "
                "RAISE EXCEPTION 'case number % of case % is never changed', OLD.case_no, OLD.case_id "
                "USING ERRCODE = 'integrity_constraint_violation'; END IF; RETURN NEW; END $$").format(s=s),
        sql.SQL("CREATE TRIGGER cases_case_no_fixed BEFORE UPDATE OF case_no ON {s}.cases "
                "FOR EACH ROW EXECUTE FUNCTION {s}.cases_case_no_fixed()").format(s=s),
        *transition_statements(schema),
    ]


def _v6_prefecture(cur, schema: str, srid: int) -> list[sql.Composable]:
    """Version 6 (issue 17): every kind of desk record, scopes for 州/县/乡 roles and the history guards (see
    :mod:`.pg_prefecture`). The county desks already mapped in ``county_role`` become publishers of their county."""
    from . import pg_prefecture

    out = pg_prefecture.v6_statements(schema, srid, _postgis_schema(cur))
    cur.execute(sql.SQL("SELECT role_name FROM {s}.county_role ORDER BY role_name").format(s=sql.Identifier(schema)))
    for (role,) in cur.fetchall():
        out += pg_prefecture.publisher_statements(role, schema, 6)
    return out


def _v7_dashboard(schema: str) -> list[sql.Composable]:
    from . import pg_prefecture

    return pg_prefecture.v7_statements(schema)


def _v8_change_kinds(schema: str, srid: int) -> list[sql.Composable]:
    """Version 8 (issue 18): the kinds 挖湖造景 ``waterscape`` and 撂荒 ``abandoned`` (and any reason or category
    added since) become storable. Version 1 wrote the CHECKs of ``cases.kind`` and ``cases.category`` from
    :data:`..core.cases.prejudge.KINDS` / ``CATEGORIES`` as they were then, so they are dropped (IF EXISTS)
    and added again from the current lists: running it twice, or on a schema created after this change (whose
    version 1 already has the new lists), gives the same constraints. Existing rows satisfy them (the lists
    only grow); forward only, like every migration."""
    s = sql.Identifier(schema)
    out: list[sql.Composable] = []
    for name, column, values in (("cases_kind_known", "kind", KINDS), ("cases_category_known", "category",
                                                                       CATEGORIES)):
        out += [sql.SQL("ALTER TABLE {s}.cases DROP CONSTRAINT IF EXISTS {c}").format(s=s, c=sql.Identifier(name)),
                sql.SQL("ALTER TABLE {s}.cases ADD CONSTRAINT {c} CHECK ({col} IN ({values}))").format(
                    s=s, c=sql.Identifier(name), col=sql.Identifier(column), values=_in_list(values))]
    return out


def _v9_survey_totals(cur, schema: str, srid: int) -> list[sql.Composable]:
    """Version 9 (issue 18): ``survey_totals``, the official yearly totals of the annual change survey the counties
    import (:mod:`.survey_totals`), shared like the tables of version 6 — and granted to the roles already mapped."""
    from . import pg_prefecture

    return pg_prefecture.added_tables_statements(cur, schema, srid, _postgis_schema(cur), 9)


MIGRATIONS: list[PgMigration] = [
    PgMigration(1, "cases, append-only case events, county roles, export batches", _v1_tables),
    PgMigration(2, "row-level security by county (forced, owner included)", _v2_row_security),
    PgMigration(3, "events identified by their place in the case's history", _v3_event_sequence),
    PgMigration(4, "the database guards the audit trail: NOLOGIN owner, state moves only through move_case, "
                   "recorded_by, keys by county, county row-level security on export batches",
                lambda schema, srid: [], planned=_v4_audit),
    PgMigration(5, "case numbers (given by the desk, through create_cases only, never changed) and the recall move "
                   "(issued -> pending) in the transition table", _v5_case_numbers_recall),
    PgMigration(6, "the prefecture's shared store: every desk record per county, 州/县/乡 scopes, history kept",
                lambda schema, srid: [], planned=_v6_prefecture),
    PgMigration(7, "stored bit patterns of the summed areas and the patrols' start validity (dashboard refresh)",
                lambda schema, srid: _v7_dashboard(schema)),
    PgMigration(8, "change kinds 挖湖造景 (waterscape) and 撂荒 (abandoned): the kind and category checks of cases "
                   "follow the current lists", _v8_change_kinds),
    PgMigration(9, "the annual change survey's yearly totals (survey_totals), shared per county",
                lambda schema, srid: [], planned=_v9_survey_totals),
]
LATEST = MIGRATIONS[-1].version


def current_version(cur, schema: str) -> int:
    """Highest applied migration (0 when the version table does not exist yet)."""
    cur.execute("SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
                "AND c.relname = %s", (check_schema_name(schema), VERSION_TABLE))  # the catalog: no privilege needed
    if cur.fetchone() is None:
        return 0
    cur.execute(sql.SQL("SELECT coalesce(max(version), 0) FROM {s}.{t}").format(
        s=sql.Identifier(schema), t=sql.Identifier(VERSION_TABLE)))
    return int(cur.fetchone()[0])


def become_owner(cur, schema: str) -> bool:
    """``SET LOCAL ROLE`` to the schema's owner when it owns the schema and this session's role is a member (an
    administrator, or a superuser); a desk stays itself. For the rest of the current transaction only."""
    owner = owner_role(schema)
    cur.execute("SELECT 1 FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = %s "
                "AND r.rolname = %s AND r.rolname <> current_user AND pg_has_role(r.oid, 'MEMBER')", (schema, owner))
    if cur.fetchone() is None:
        return False
    cur.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(owner)))
    return True


def migrate(conn, schema: str = DEFAULT_SCHEMA, srid: int = 4522) -> int:
    """Bring ``schema`` up to :data:`LATEST`; return the version. Idempotent and safe to run concurrently.

    Each migration runs in its own transaction under an advisory lock on the schema name and records
    itself in ``tg_schema_version``; one already recorded is never run again. ``conn`` is a psycopg2
    connection (not in autocommit mode) of a superuser or an administrator: a role that may create the schema
    and roles (CREATEROLE) and, from version 4 on, is a member of the owner role (the migration makes it one).
    A store already at :data:`LATEST` is left untouched, whoever asks (a desk's export may ask).
    """
    check_schema_name(schema)
    check_srid(srid)
    s = sql.Identifier(schema)
    lock = sql.SQL("SELECT pg_advisory_xact_lock(hashtext(%s))")
    with conn:
        with conn.cursor() as cur:
            cur.execute(lock, ("tianguan-migrate:" + schema,))
            become_owner(cur, schema)
            found = current_version(cur, schema)
            if found >= LATEST:
                return found
            if found == 0:
                cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {s}").format(s=s))
                cur.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {s}.{t} (version integer PRIMARY KEY, "
                                    "description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
                                    ).format(s=s, t=sql.Identifier(VERSION_TABLE)))
    for migration in MIGRATIONS:
        with conn:
            with conn.cursor() as cur:
                cur.execute(lock, ("tianguan-migrate:" + schema,))
                become_owner(cur, schema)
                if current_version(cur, schema) >= migration.version:
                    continue
                if migration.planned is not None:
                    statements = migration.planned(cur, schema, srid)
                else:
                    statements = migration.statements(schema, srid)
                for statement in statements:
                    cur.execute(statement)
                cur.execute(sql.SQL("INSERT INTO {s}.{t} (version, description) VALUES (%s, %s)").format(
                    s=s, t=sql.Identifier(VERSION_TABLE)), (migration.version, migration.description))
    with conn:
        with conn.cursor() as cur:
            become_owner(cur, schema)
            return current_version(cur, schema)


def schema_srid(cur, schema: str) -> int | None:
    """SRID of ``cases.geom`` in ``schema`` (None when the table does not exist)."""
    cur.execute("SELECT srid FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = 'cases' "
                "AND f_geometry_column = 'geom'", (schema,))
    row = cur.fetchone()
    return None if row is None else int(row[0])


# ------------------------------------------------------------------------------------ roles
def app_role_statements(role: str, schema: str = DEFAULT_SCHEMA, login: bool = True) -> list[sql.Composable]:
    """Template of an application (desk) role: CREATE ROLE plus the grants the store needs, in one transaction.

    Run by an administrator (CREATEROLE, member of the owner role — the one who migrated): the role is created
    as the administrator, the grants are given as the owner. No password is set here: give one with
    ``ALTER ROLE … PASSWORD`` from a secure channel (or use certificate/Kerberos authentication), never from
    plugin settings. Map the role to its county with :func:`grant_county`.
    """
    check_schema_name(schema)
    login_sql = sql.SQL("LOGIN" if login else "NOLOGIN")
    return [
        sql.SQL("CREATE ROLE {r} {login} NOSUPERUSER NOBYPASSRLS").format(r=sql.Identifier(role), login=login_sql),
        sql.SQL("SET LOCAL ROLE {o}").format(o=sql.Identifier(owner_role(schema))),
        *grant_statements(role, schema),
    ]


def grant_statements(role: str, schema: str = DEFAULT_SCHEMA) -> list[sql.Composable]:
    """Privileges of a desk role on a schema at version 4 or later; run as the owner (see :func:`grant_desk`).

    Reads its county's cases, events and export batches (row-level security); updates a case's attributes but
    not its identity, county, state or version; adds cases only through ``create_case`` and moves them only
    through ``move_case``; records its export batches. No INSERT on events, no DELETE anywhere, no TRUNCATE, no
    ownership: the audit trail is the database's.
    """
    check_schema_name(schema)
    r, s = sql.Identifier(role), sql.Identifier(schema)
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in DESK_UPDATE_COLUMNS)
    return [
        sql.SQL("GRANT USAGE ON SCHEMA {s} TO {r}").format(s=s, r=r),
        sql.SQL("GRANT SELECT ON {s}.{v}, {s}.county_role, {s}.transitions, {s}.cases, {s}.case_events, "
                "{s}.export_batches TO {r}").format(s=s, v=sql.Identifier(VERSION_TABLE), r=r),
        sql.SQL("GRANT UPDATE ({c}) ON {s}.cases TO {r}").format(c=columns, s=s, r=r),
        sql.SQL("GRANT INSERT (batch_id, finished_at, cases) ON {s}.export_batches TO {r}").format(s=s, r=r),
        sql.SQL("GRANT EXECUTE ON FUNCTION {s}.session_county(), {s}.create_case({a}), {s}.create_cases({b}), "
                "{s}.move_case({m}) TO {r}").format(s=s, r=r, a=sql.SQL(_CREATE_CASE_ARGS),
                                                     b=sql.SQL(_CREATE_CASES_ARGS), m=sql.SQL(_MOVE_CASE_ARGS)),
    ]


def create_app_role(conn, role: str, schema: str = DEFAULT_SCHEMA, login: bool = True) -> None:
    """Run :func:`app_role_statements` in one transaction (needs CREATEROLE and membership of the owner role)."""
    with conn:
        with conn.cursor() as cur:
            for statement in app_role_statements(role, schema, login):
                cur.execute(statement)


def grant_desk(conn, role: str, schema: str = DEFAULT_SCHEMA) -> None:
    """Give an existing role the desk privileges of :func:`grant_statements`, as the owner; one transaction."""
    with conn:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(owner_role(schema))))
            for statement in grant_statements(role, schema):
                cur.execute(statement)


def grant_county(conn, role: str, county_code: str, schema: str = DEFAULT_SCHEMA) -> None:
    """Map database ``role`` to ``county_code`` (replacing its previous county); one transaction.

    The role must exist; run by an administrator (member of the owner role) or a superuser, as the owner. Only
    the mapping is written: the table privileges come from :func:`grant_desk` / :func:`create_app_role`.
    """
    check_schema_name(schema)
    check_county_code(county_code)
    with conn:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            if cur.fetchone() is None:
                raise SchemaError(f"database role {role!r} does not exist; create it first")
            become_owner(cur, schema)
            cur.execute(sql.SQL("INSERT INTO {s}.county_role (role_name, county_code) VALUES (%s, %s) "
                                "ON CONFLICT (role_name) DO UPDATE SET county_code = EXCLUDED.county_code"
                                ).format(s=sql.Identifier(schema)), (role, county_code))


def grant_scope(conn, role: str, scope: str, schema: str = DEFAULT_SCHEMA) -> None:
    """Give existing ``role`` the shared store's ``scope`` (schema version 6): a 县 code (6 digits) makes it its
    county's desk — it reads and publishes that county, cases included —, a 州 (4) or 乡 (9) code a reader of
    everything under it. One transaction, run by an administrator as the owner. Raises :class:`SchemaError` for an
    unknown role or a malformed scope."""
    from ..core.prefecture.scopes import ScopeError, check_scope
    from . import pg_prefecture

    check_schema_name(schema)
    try:
        check_scope(scope)
    except ScopeError as exc:
        raise SchemaError(str(exc)) from None
    with conn:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            if cur.fetchone() is None:
                raise SchemaError(f"database role {role!r} does not exist; create it first")
            cur.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(owner_role(schema))))
            version = current_version(cur, schema)  # the shared tables a schema not yet migrated has
            statements = pg_prefecture.scope_statements(role, scope, schema)
            if len(scope) == 6:
                statements += grant_statements(role, schema) + pg_prefecture.publisher_statements(role, schema,
                                                                                                  version)
            else:
                statements += pg_prefecture.reader_statements(role, schema, version)
            for statement in statements:
                cur.execute(statement)
