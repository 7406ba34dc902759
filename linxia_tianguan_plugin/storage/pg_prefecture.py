"""The prefecture's shared 田管库 in PostGIS (schema version 6): every kind of record a desk store holds, for the
eight counties, each county seeing only its own and the 州 seeing all.

Layout: one table per desk table (:data:`TABLES`), each led by ``county_code`` and keyed by the county plus the
desk's own key, so two counties never collide and one county's rows never reveal another's. Cases and their events
stay in the tables of versions 1–5 (``cases``, ``case_events``: written through ``create_cases``/``move_case``).

**Coordinates.** One CRS for the whole prefecture: the schema's SRID (that of ``cases.geom``; the plugin's default
EPSG:4522, CGCS2000 3° Gauss–Krüger zone 34, CM 102°E, which holds all of 临夏州 — 102.4°–103.9°E — with a scale
error below 0.03 per cent at its eastern edge). A desk whose store is in another zone (EPSG:4523, 4543/4544 …)
publishes its geometry transformed by PostGIS (``ST_Transform``) and pulls it back the same way. Areas are never
measured again upstream: every area column is the one the desk measured in its own zone, so the 州's figures are the
counties' figures.

**Times** are kept as the desk wrote them — UTC ISO-8601 text (``2025-06-20T01:00:05Z``) and dates as
``YYYY-MM-DD`` — so text order is time order, the one statistics module reads both stores the same way, and a
pull → publish round trip changes nothing.

**Scopes.** ``role_scope`` maps a database role to the code it answers for (:mod:`..core.prefecture.scopes`):
4 digits for the 州 (reads all counties), 6 for a 县 (reads and publishes its county), 9 for a 乡 (reads its
township). ``session_scope()`` (SECURITY DEFINER, keyed on ``session_user``) feeds the row-level security of every
table (enabled and forced): a row of a county under (or above) the scope is visible when its place code is under
the scope or one of the scope's own parents (a township sees its county's and the prefecture's grid cells), a row
without a place of its own (runs, builds, files) to every role of its county; rows are written only with the
writer's own county (``session_publisher()``). The cases of versions 1–5 get the same 州/乡 read policies.

**History.** Nothing is deleted or truncated, by anybody (a trigger raises for the owner too). Only the columns a
desk legitimately changes later (:attr:`SharedTable.mutable`: a code's retirement, a grid build's activation, a
track's check …) may be updated, and every such update is appended to ``row_changes`` (who, when, old and new
values). Space codes never change identity (group, sequence, coding time and run) and a retired code never becomes
active again (:mod:`..core.prefecture.history`). Evidence files are stored once per county and SHA-256, as ``bytea``
checked against their hash by a CHECK constraint, never overwritten.

Why ``bytea`` and not large objects: large objects live outside the schema (``pg_largeobject``), have no row-level
security, are not removed with their rows and are not dumped with a schema; a ``bytea`` column is a row like the
others — the county policies, the grants, ``pg_dump -n`` and replication treat it as such. Evidence photos are
small (a phone JPEG is 2–6 MB, well under the 1 GB limit), and they are stored uncompressed (``STORAGE EXTERNAL``:
JPEG does not compress).

Plain psycopg2 (:mod:`psycopg2.sql` for every identifier): no QGIS.
"""
from __future__ import annotations

from dataclasses import dataclass

from psycopg2 import sql

from ..core.prefecture.history import IDENTITY
from ..core.prefecture.scopes import check_scope


@dataclass(frozen=True)
class SharedTable:
    """A desk table and its shared counterpart."""

    name: str  # the shared table
    desk: str  # the desk's GeoPackage table
    columns: tuple[tuple[str, str], ...]  # (column, PostgreSQL type), county_code and geometry excluded
    key: tuple[str, ...]  # the desk's key (the shared key is county_code + this)
    mutable: tuple[str, ...] = ()  # columns a later publish may change; all others are fixed once published
    place: str | None = None  # the column whose code scopes readers (None: the row belongs to the whole county)
    geometry: str | None = None  # PostGIS geometry type of column ``geom``
    #: desk SQL giving the columns in order (and ``geom`` last when there is one); default: the columns as named
    desk_select: str | None = None
    #: rows only ever appended on the desk: published by rowid watermark instead of row digests
    append_only: bool = False
    #: the schema version that created the shared table (6 for the first ones; a later one creates its own)
    since: int = 6

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)


T, D, INT, B = "text", "double precision", "integer", "bigint"

#: in publishing order (a row's references come before it)
TABLES: tuple[SharedTable, ...] = (
    SharedTable("admin_units", "tg_admin_unit", (("code", T), ("level", T), ("name", T), ("parent", T)),
                ("code",), mutable=("name", "parent"), place="code"),
    SharedTable("coding_runs", "tg_coding_run", (("run_id", T), ("started_at", T), ("finished_at", T),
                                                ("parameters", T), ("counts", T), ("undone_at", T)),
                ("run_id",), mutable=("finished_at", "counts", "undone_at")),
    SharedTable("space_codes", "tg_space_code", (
        ("code", T), ("group_code", T), ("seq", INT), ("kind", T), ("status", T), ("dlbm", T), ("dlmc", T),
        ("tbbsm", T), ("area_m2", D), ("gdmj_m2", D), ("gdmj_mu", D), ("yjmj_m2", D), ("yjmj_mu", D), ("dkbm", T),
        ("fbfbm", T), ("cbfbm", T), ("bdcode", T), ("lon", D), ("lat", D), ("qr", T), ("relation", T),
        ("parents", T), ("coded_at", T), ("run_id", T), ("note", T), ("retired_at", T), ("retired_run", T),
        ("retire_reason", T), ("children", T)),
        ("code",), mutable=("kind", "status", "dlbm", "dlmc", "tbbsm", "area_m2", "gdmj_m2", "gdmj_mu", "yjmj_m2",
                            "yjmj_mu", "dkbm", "fbfbm", "cbfbm", "bdcode", "lon", "lat", "qr", "relation", "parents",
                            "note", "retired_at", "retired_run", "retire_reason", "children", "geom"),
        place="code", geometry="MultiPolygon"),
    SharedTable("code_lineage", "tg_code_lineage", (("parent", T), ("child", T), ("shared_m2", D), ("run_id", T)),
                ("parent", "child"), place="child"),
    SharedTable("grid_builds", "tg_grid_build", (("build_id", T), ("built_at", T), ("parameters", T), ("counts", T),
                                                ("active", INT)), ("build_id",), mutable=("active",)),
    SharedTable("grid_cells", "tg_grid_cell", (("build_id", T), ("level", INT), ("code", T), ("parent", T),
                                              ("name", T), ("farmland_m2", D), ("basic_m2", D), ("parcels", INT)),
                ("build_id", "code"), place="code", geometry="MultiPolygon"),
    SharedTable("roster_imports", "tg_roster_import", (("roster_id", T), ("imported_at", T), ("source", T),
                                                      ("counts", T), ("active", INT)),
                ("roster_id",), mutable=("active",)),
    # the desk's officer rows have no key of their own: their place in the roster (rowid order) is one
    SharedTable("officers", "tg_officer", (("roster_id", T), ("row_no", INT), ("level", INT), ("grid_code", T),
                                          ("grid_name", T), ("name", T), ("role", T), ("post", T), ("phone", T),
                                          ("vacant", INT)),
                ("roster_id", "row_no"), place="grid_code",
                desk_select="SELECT roster_id, rowid, level, grid_code, grid_name, name, role, post, phone, vacant "
                            "FROM tg_officer"),
    SharedTable("tasks", "tg_task", (("task_id", T), ("grid_code", T), ("level", INT), ("period_start", T),
                                    ("period_end", T), ("due_at", T), ("officer", T), ("phone", T),
                                    ("dispatched_at", T), ("dispatch_run", T)),
                ("task_id",), mutable=("officer", "phone"), place="grid_code"),
    SharedTable("patrols", "tg_patrol", (("patrol_id", T), ("grid_code", T), ("officer", T), ("started_at", T),
                                        ("ended_at", T), ("source", T), ("valid", INT), ("note", T)),
                ("patrol_id",), mutable=("ended_at", "valid", "note"), place="grid_code"),
    SharedTable("track_files", "tg_track_file", (("file_hash", T), ("path", T), ("format", T), ("imported_at", T),
                                                ("tracks", INT), ("fixes", INT), ("message", T)),
                ("file_hash",), mutable=("tracks", "fixes", "message")),
    SharedTable("tracks", "tg_track", (("track_id", T), ("file_hash", T), ("session", INT), ("officer", T),
                                      ("grid_code", T), ("started_at", T), ("ended_at", T), ("fixes", INT),
                                      ("length_m", D), ("duration_s", D), ("flags", T), ("figures", T),
                                      ("accepted", INT), ("coverage", D)),
                ("track_id",), mutable=("officer", "grid_code", "flags", "figures", "accepted", "coverage"),
                place="grid_code", geometry="LineString"),
    # fixes carry their track's grid, so a township role reads only its own townships' positions
    SharedTable("track_fixes", "tg_track_fix", (("file_hash", T), ("seq", INT), ("track_id", T), ("grid_code", T),
                                               ("lon", D), ("lat", D), ("time", T), ("accuracy", D), ("dropped", T),
                                               ("raw_time", T)),
                ("file_hash", "seq"), place="grid_code", append_only=True,
                desk_select="SELECT f.file_hash, f.seq, f.track_id, t.grid_code, f.lon, f.lat, f.time, f.accuracy, "
                            "f.dropped, f.raw_time FROM tg_track_fix f LEFT JOIN tg_track t "
                            "ON t.track_id = f.track_id"),
    SharedTable("coverage_runs", "tg_coverage_run", (("run_id", T), ("run_at", T), ("period_start", T),
                                                    ("period_end", T), ("parameters", T), ("counts", T)),
                ("run_id",)),
    SharedTable("coverage_rates", "tg_coverage_rate", (("run_id", T), ("code", T), ("farmland_m2", D),
                                                      ("seen_m2", D), ("basic_m2", D), ("basic_seen_m2", D),
                                                      ("parcels", INT), ("seen_parcels", INT)),
                ("run_id", "code"), place="code"),
    SharedTable("change_runs", "tg_change_run", (("run_id", T), ("run_at", T), ("rules_version", T), ("rules", T),
                                                ("inputs", T), ("counts", T)), ("run_id",)),
    SharedTable("evidence", "tg_case_evidence", (("case_id", T), ("sha256", T), ("name", T), ("kind", T),
                                                ("rel_path", T), ("size", B), ("taken_at", T), ("lon", D),
                                                ("lat", D), ("added_at", T), ("added_by", T), ("checks", T)),
                ("case_id", "sha256"), mutable=("checks",)),
    # version 9: the official yearly totals of the annual change survey; a year imported again changes its figures
    # (the desk keeps the previous ones in ``replaced``, ``row_changes`` keeps them here too)
    SharedTable("survey_totals", "tg_survey_total", (("code", T), ("year", INT), ("farmland_m2", D),
                                                    ("basic_m2", D), ("source", T), ("imported_at", T),
                                                    ("replaced", T)),
                ("code", "year"), mutable=("farmland_m2", "basic_m2", "source", "imported_at", "replaced"),
                place="code", since=9),
)
BY_NAME = {t.name: t for t in TABLES}
#: evidence file contents (not a desk table: read from the desk's evidence folder)
EVIDENCE_FILES = "evidence_files"
ROW_CHANGES = "row_changes"
ROLE_SCOPE = "role_scope"
PUBLISHES = "publishes"
#: every table of version 6 (for ownership, grants and the tests)
ALL_TABLES = (*(t.name for t in TABLES), EVIDENCE_FILES, ROW_CHANGES, ROLE_SCOPE, PUBLISHES, "store_identity")


def _column_defs(table: SharedTable, srid: int) -> sql.Composable:
    cols = [sql.SQL("county_code text NOT NULL CONSTRAINT {c} CHECK (county_code ~ '^[0-9]{{6}}$')").format(
        c=sql.Identifier(f"{table.name}_county_digits"))]
    cols += [sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in table.columns]
    if table.geometry:
        cols.append(sql.SQL("geom geometry({g}, {srid})").format(g=sql.SQL(table.geometry), srid=sql.Literal(srid)))
    cols.append(sql.SQL("published_at timestamptz NOT NULL DEFAULT now()"))
    cols.append(sql.SQL("published_by text NOT NULL DEFAULT session_user"))
    cols.append(sql.SQL("PRIMARY KEY (county_code, {})").format(
        sql.SQL(", ").join(sql.Identifier(k) for k in table.key)))
    return sql.SQL(", ").join(cols)


def _fixed_columns(table: SharedTable) -> list[str]:
    return ["county_code", *(n for n in table.names if n not in table.mutable),
            *(["geom"] if table.geometry and "geom" not in table.mutable else [])]


def _guard_function(schema: str, table: SharedTable, postgis: str) -> list[sql.Composable]:
    """BEFORE UPDATE: refuse a change of a fixed column (and, for space codes, a retired code made active);
    AFTER UPDATE: append the changed mutable values to ``row_changes``."""
    s = sql.Identifier(schema)
    fixed = _fixed_columns(table)
    g = sql.Identifier(postgis)

    def side(row: str) -> sql.Composable:  # geometry compared as bytes (no operator lookup)
        return sql.SQL(", ").join(sql.SQL("{g}.st_asewkb({r}.geom)").format(g=g, r=sql.SQL(row)) if c == "geom"
                                  else sql.SQL("{r}.{c}").format(r=sql.SQL(row), c=sql.Identifier(c)) for c in fixed)

    old, new = side("OLD"), side("NEW")
    extra = sql.SQL("")
    if table.name == "space_codes":
        extra = sql.SQL(
            "IF OLD.status = 'retired' AND NEW.status IS DISTINCT FROM 'retired' THEN RAISE EXCEPTION "
            "'space code % is retired upstream and stays retired', OLD.code USING ERRCODE = 'TG101'; END IF; ")
    guard = sql.Identifier(f"{table.name}_guard")
    mutable = [c for c in table.mutable if c != "geom"]
    changed = sql.SQL(" || ").join(
        sql.SQL("CASE WHEN NEW.{c} IS DISTINCT FROM OLD.{c} THEN jsonb_build_object({n}, "
                "jsonb_build_array(to_jsonb(OLD.{c}), to_jsonb(NEW.{c}))) ELSE '{{}}'::jsonb END").format(
            c=sql.Identifier(c), n=sql.Literal(c)) for c in mutable) if mutable else sql.SQL("'{}'::jsonb")
    if table.geometry and "geom" in table.mutable:
        changed = sql.SQL("{} || CASE WHEN {g}.st_asewkb(NEW.geom) IS DISTINCT FROM {g}.st_asewkb(OLD.geom) THEN "
                          "jsonb_build_object('geom', jsonb_build_array({g}.st_astext(OLD.geom, 2), "
                          "{g}.st_astext(NEW.geom, 2))) ELSE '{{}}'::jsonb END").format(changed, g=g)
    key = sql.SQL(", ").join(sql.SQL("{n}, OLD.{c}").format(n=sql.Literal(k), c=sql.Identifier(k)) for k in table.key)
    log = sql.Identifier(f"{table.name}_log")
    return [
        sql.SQL("CREATE FUNCTION {s}.{f}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF ({old}) IS DISTINCT FROM ({new}) THEN RAISE EXCEPTION "
                "'% of the shared store keeps what was published: only % may change', TG_TABLE_NAME, {mut} "
                "USING ERRCODE = 'TG100'; END IF; {extra}RETURN NEW; END $$").format(
            s=s, f=guard, old=old, new=new, extra=extra,
            mut=sql.Literal(", ".join(table.mutable) or "nothing")),
        sql.SQL("CREATE TRIGGER {t} BEFORE UPDATE ON {s}.{tbl} FOR EACH ROW EXECUTE FUNCTION {s}.{f}()").format(
            t=guard, s=s, tbl=sql.Identifier(table.name), f=guard),
        sql.SQL("CREATE FUNCTION {s}.{f}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
                "SET search_path = pg_catalog, pg_temp AS $$ DECLARE v jsonb := {changed}; BEGIN "
                "IF v <> '{{}}'::jsonb THEN INSERT INTO {s}.row_changes (table_name, county_code, row_key, changes) "
                "VALUES (TG_TABLE_NAME, OLD.county_code, jsonb_build_object({key}), v); END IF; RETURN NULL; END $$"
                ).format(s=s, f=log, changed=changed, key=key),
        sql.SQL("CREATE TRIGGER {t} AFTER UPDATE ON {s}.{tbl} FOR EACH ROW EXECUTE FUNCTION {s}.{f}()").format(
            t=log, s=s, tbl=sql.Identifier(table.name), f=log),
    ]


def _visible(schema: str, place: str | None) -> sql.Composable:
    """The read rule of :func:`..core.prefecture.scopes.sees` in SQL."""
    scope = sql.SQL("(SELECT {s}.session_scope())").format(s=sql.Identifier(schema))
    county = sql.SQL("(starts_with(county_code, {sc}) OR starts_with({sc}, county_code))").format(sc=scope)
    if place is None:
        return county
    where = sql.SQL("coalesce({p}, county_code)").format(p=sql.Identifier(place))
    return sql.SQL("({c} AND (starts_with({w}, {sc}) OR starts_with({sc}, {w})))").format(c=county, w=where, sc=scope)


def _writer(schema: str) -> sql.Composable:
    return sql.SQL("county_code = (SELECT {s}.session_publisher())").format(s=sql.Identifier(schema))


def _security(schema: str, name: str, place: str | None, update: bool = True) -> list[sql.Composable]:
    s, t = sql.Identifier(schema), sql.Identifier(name)
    owner = sql.Identifier(f"{schema}_owner")
    out = [sql.SQL("ALTER TABLE {s}.{t} ENABLE ROW LEVEL SECURITY").format(s=s, t=t),
           sql.SQL("ALTER TABLE {s}.{t} FORCE ROW LEVEL SECURITY").format(s=s, t=t),
           sql.SQL("CREATE POLICY {p} ON {s}.{t} TO {o} USING (true) WITH CHECK (true)").format(
               p=sql.Identifier(f"{name}_owner"), s=s, t=t, o=owner),
           sql.SQL("CREATE POLICY {p} ON {s}.{t} FOR SELECT USING ({v} OR {s}.session_sees_all())").format(
               p=sql.Identifier(f"{name}_read"), s=s, t=t, v=_visible(schema, place)),
           sql.SQL("CREATE POLICY {p} ON {s}.{t} FOR INSERT WITH CHECK ({w})").format(
               p=sql.Identifier(f"{name}_publish"), s=s, t=t, w=_writer(schema))]
    if update:
        out.append(sql.SQL("CREATE POLICY {p} ON {s}.{t} FOR UPDATE USING ({w}) WITH CHECK ({w})").format(
            p=sql.Identifier(f"{name}_republish"), s=s, t=t, w=_writer(schema)))
    return out


def _never_deleted(schema: str, name: str) -> list[sql.Composable]:
    s, t = sql.Identifier(schema), sql.Identifier(name)
    return [sql.SQL("CREATE TRIGGER {n} BEFORE DELETE ON {s}.{t} FOR EACH ROW EXECUTE FUNCTION {s}.shared_kept()"
                    ).format(n=sql.Identifier(f"{name}_no_delete"), s=s, t=t),
            sql.SQL("CREATE TRIGGER {n} BEFORE TRUNCATE ON {s}.{t} FOR EACH STATEMENT EXECUTE FUNCTION "
                    "{s}.shared_kept()").format(n=sql.Identifier(f"{name}_no_truncate"), s=s, t=t)]


def v6_statements(schema: str, srid: int, postgis: str = "public") -> list[sql.Composable]:
    """Version 6: the shared tables, scopes, their row-level security and the history guards. Runs as the owner
    (the migration has ``SET LOCAL ROLE`` to it), so everything made here is the owner's."""
    s = sql.Identifier(schema)
    definer = sql.SQL("LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp")
    out: list[sql.Composable] = [
        sql.SQL("CREATE TABLE {s}.role_scope (role_name text PRIMARY KEY, scope_code text NOT NULL "
                "CONSTRAINT role_scope_code CHECK (scope_code ~ '^[0-9]{{4}}([0-9]{{2}}([0-9]{{3}})?)?$'))"
                ).format(s=s),
        sql.SQL("ALTER TABLE {s}.role_scope ENABLE ROW LEVEL SECURITY").format(s=s),
        sql.SQL("CREATE POLICY role_scope_own ON {s}.role_scope FOR SELECT USING (role_name = current_user)"
                ).format(s=s),
        # the scope of the login: its role_scope row, else the county of the case store's county_role
        sql.SQL("CREATE FUNCTION {s}.session_scope() RETURNS text {d} AS $fn$ SELECT coalesce("
                "(SELECT r.scope_code FROM {s}.role_scope r WHERE r.role_name = session_user), "
                "(SELECT c.county_code FROM {s}.county_role c WHERE c.role_name = session_user), "
                "'-') $fn$").format(s=s, d=definer),
        sql.SQL("CREATE FUNCTION {s}.session_publisher() RETURNS text {d} AS $fn$ SELECT CASE WHEN "
                "length({s}.session_scope()) = 6 THEN {s}.session_scope() END $fn$").format(s=s, d=definer),
        sql.SQL("CREATE FUNCTION {s}.shared_kept() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
                "'the shared store keeps its history: % refused on %', TG_OP, TG_TABLE_NAME "
                "USING ERRCODE = 'TG100'; END $$").format(s=s),
        sql.SQL("CREATE TABLE {s}.row_changes (change_id bigserial PRIMARY KEY, table_name text NOT NULL, "
                "county_code text NOT NULL, row_key jsonb NOT NULL, changes jsonb NOT NULL, "
                "changed_by text NOT NULL DEFAULT session_user, changed_at timestamptz NOT NULL DEFAULT now())"
                ).format(s=s),
        sql.SQL("CREATE INDEX row_changes_table_key ON {s}.row_changes (table_name, county_code, row_key)"
                ).format(s=s),
        sql.SQL("CREATE TABLE {s}.publishes (county_code text NOT NULL, publish_id text NOT NULL, "
                "started_at timestamptz NOT NULL, finished_at timestamptz, desk text, counts jsonb, "
                "published_by text NOT NULL DEFAULT session_user, PRIMARY KEY (county_code, publish_id))").format(s=s),
        sql.SQL("CREATE TABLE {s}.evidence_files (county_code text NOT NULL, sha256 text NOT NULL, size bigint NOT "
                "NULL, content bytea NOT NULL, published_at timestamptz NOT NULL DEFAULT now(), published_by text "
                "NOT NULL DEFAULT session_user, PRIMARY KEY (county_code, sha256), "
                "CONSTRAINT evidence_files_hash CHECK (encode(sha256(content), 'hex') = sha256), "
                "CONSTRAINT evidence_files_size CHECK (octet_length(content) = size))").format(s=s),
        sql.SQL("ALTER TABLE {s}.evidence_files ALTER COLUMN content SET STORAGE EXTERNAL").format(s=s),
        # which shared store this is: a desk keeps what it published per store, so a second server (a test copy,
        # a restored backup under another name) starts afresh instead of being taken for the first
        sql.SQL("CREATE TABLE {s}.store_identity (store_id text PRIMARY KEY DEFAULT gen_random_uuid()::text, "
                "created_at timestamptz NOT NULL DEFAULT now())").format(s=s),
        sql.SQL("INSERT INTO {s}.store_identity DEFAULT VALUES").format(s=s),
    ]
    for table in tables_at(6):
        out += table_statements(schema, table, srid, postgis)
    out += _never_deleted(schema, EVIDENCE_FILES) + _security(schema, EVIDENCE_FILES, None, update=False)
    out += [sql.SQL("CREATE TRIGGER evidence_files_kept BEFORE UPDATE ON {s}.evidence_files FOR EACH ROW "
                    "EXECUTE FUNCTION {s}.shared_kept()").format(s=s)]
    out += _never_deleted(schema, ROW_CHANGES) + [
        sql.SQL("CREATE TRIGGER row_changes_kept BEFORE UPDATE ON {s}.row_changes FOR EACH ROW "
                "EXECUTE FUNCTION {s}.shared_kept()").format(s=s)]
    out += _security(schema, ROW_CHANGES, None, update=False)
    out += _security(schema, PUBLISHES, None)
    out += _v6_case_scopes(schema)
    # session_scope() and session_publisher() stay executable by every role (PostgreSQL's default): they tell a
    # caller only its own scope, and every policy of the schema calls them — a desk granted before version 6
    # (cases only) must still pass the cases' policies
    return out


def table_statements(schema: str, table: SharedTable, srid: int, postgis: str = "public") -> list[sql.Composable]:
    """One shared table with its indexes, history guards and row-level security (as the owner)."""
    s, t = sql.Identifier(schema), sql.Identifier(table.name)
    out = [sql.SQL("CREATE TABLE {s}.{t} ({cols})").format(s=s, t=t, cols=_column_defs(table, srid))]
    if table.geometry:
        out.append(sql.SQL("CREATE INDEX {i} ON {s}.{t} USING gist (geom)").format(
            i=sql.Identifier(f"{table.name}_geom"), s=s, t=t))
    if table.place and table.place not in table.key[:1]:
        out.append(sql.SQL("CREATE INDEX {i} ON {s}.{t} ({p} text_pattern_ops)").format(
            i=sql.Identifier(f"{table.name}_place"), s=s, t=t, p=sql.Identifier(table.place)))
    out += _guard_function(schema, table, postgis)
    out += _never_deleted(schema, table.name)
    out += _security(schema, table.name, table.place)
    return out


def tables_at(version: int) -> tuple[SharedTable, ...]:
    """The shared tables a schema at ``version`` has (publish and pull of an older schema skip the newer ones)."""
    return tuple(t for t in TABLES if t.since <= version)


def added_tables_statements(cur, schema: str, srid: int, postgis: str, version: int) -> list[sql.Composable]:
    """A later version's new shared tables (``since == version``) and the grants the roles already mapped need on
    them: a county desk publishes into them, every other scope reads them. Run as the owner, like version 6."""
    s = sql.Identifier(schema)
    added = [t for t in TABLES if t.since == version]
    out: list[sql.Composable] = []
    for table in added:
        out += table_statements(schema, table, srid, postgis)
    cur.execute(sql.SQL("SELECT role_name, scope_code FROM {s}.role_scope UNION SELECT c.role_name, c.county_code "
                        "FROM {s}.county_role c WHERE NOT EXISTS (SELECT 1 FROM {s}.role_scope r WHERE r.role_name "
                        "= c.role_name) ORDER BY 1").format(s=s))
    for role, scope in cur.fetchall():
        r = sql.Identifier(role)
        for table in added:
            t = sql.Identifier(table.name)
            out.append(sql.SQL("GRANT SELECT ON {s}.{t} TO {r}").format(s=s, t=t, r=r))
            if len(scope) != 6:
                continue
            out.append(sql.SQL("GRANT INSERT ON {s}.{t} TO {r}").format(s=s, t=t, r=r))
            if table.mutable:
                out.append(sql.SQL("GRANT UPDATE ({c}) ON {s}.{t} TO {r}").format(
                    c=sql.SQL(", ").join(sql.Identifier(c) for c in (*table.mutable, "published_at",
                                                                     "published_by")), s=s, t=t, r=r))
    return out


def _v6_case_scopes(schema: str) -> list[sql.Composable]:
    """The 州 reads every county's cases, a 乡 its township's (by the case's group grid); the county policies of
    version 4 stay as they are for the county desks."""
    s = sql.Identifier(schema)
    scope = sql.SQL("(SELECT {s}.session_scope())").format(s=s)
    prefecture = sql.SQL("(length({sc}) = 4 AND starts_with(county_code, {sc}))").format(sc=scope)
    township = sql.SQL("(length({sc}) = 9 AND starts_with(coalesce(grid_code, ''), {sc}))").format(sc=scope)
    return [
        sql.SQL("CREATE POLICY cases_scope_read ON {s}.cases FOR SELECT USING ({p} OR {t})").format(
            s=s, p=prefecture, t=township),
        sql.SQL("CREATE POLICY case_events_scope_read ON {s}.case_events FOR SELECT USING ({p} OR EXISTS ("
                "SELECT 1 FROM {s}.cases c WHERE c.county_code = case_events.county_code "
                "AND c.case_id = case_events.case_id AND (length({sc}) = 9 AND starts_with(coalesce(c.grid_code, "
                "''), {sc}))))").format(s=s, p=prefecture, sc=scope),
    ]


# ------------------------------------------------------------------------------------ grants
def _names_at(version: int | None) -> tuple[str, ...]:
    """:data:`ALL_TABLES` of a schema at ``version`` (None: the latest)."""
    newer = {t.name for t in TABLES if version is not None and t.since > version}
    return tuple(t for t in ALL_TABLES if t not in newer)


def reader_statements(role: str, schema: str, version: int | None = None) -> list[sql.Composable]:
    """What every role of the shared store may read (row-level security narrows it to its scope); ``version``: of a
    schema not yet at the latest (version 6 grants on version 6's tables while it migrates)."""
    r, s = sql.Identifier(role), sql.Identifier(schema)
    tables = sql.SQL(", ").join(sql.SQL("{s}.{t}").format(s=s, t=sql.Identifier(t)) for t in _names_at(version))
    return [
        sql.SQL("GRANT USAGE ON SCHEMA {s} TO {r}").format(s=s, r=r),
        sql.SQL("GRANT SELECT ON {tables}, {s}.cases, {s}.case_events, {s}.transitions, {s}.county_role, "
                "{s}.tg_schema_version TO {r}").format(tables=tables, s=s, r=r),
        sql.SQL("GRANT EXECUTE ON FUNCTION {s}.session_scope(), {s}.session_publisher(), {s}.session_county(), "
                "{s}.session_sees_all() TO {r}").format(s=s, r=r),
    ]


def publisher_statements(role: str, schema: str, version: int | None = None) -> list[sql.Composable]:
    """A county desk: reads like any role, appends rows and updates only the mutable columns (its own county,
    by row-level security). No DELETE, no TRUNCATE anywhere. ``version``: as in :func:`reader_statements`."""
    r, s = sql.Identifier(role), sql.Identifier(schema)
    out = reader_statements(role, schema, version)
    for table in (TABLES if version is None else tables_at(version)):
        t = sql.Identifier(table.name)
        out.append(sql.SQL("GRANT INSERT ON {s}.{t} TO {r}").format(s=s, t=t, r=r))
        if table.mutable:
            out.append(sql.SQL("GRANT UPDATE ({c}) ON {s}.{t} TO {r}").format(
                c=sql.SQL(", ").join(sql.Identifier(c) for c in (*table.mutable, "published_at", "published_by")),
                s=s, t=t, r=r))
    out += [sql.SQL("GRANT INSERT ON {s}.evidence_files TO {r}").format(s=s, r=r),
            sql.SQL("GRANT INSERT ON {s}.publishes TO {r}").format(s=s, r=r),
            sql.SQL("GRANT UPDATE (finished_at, counts) ON {s}.publishes TO {r}").format(s=s, r=r)]
    return out


def scope_statements(role: str, scope: str, schema: str) -> list[sql.Composable]:
    """Map ``role`` to ``scope`` (replacing the previous one); a county scope maps the case store's county too."""
    check_scope(scope)
    s = sql.Identifier(schema)
    out = [sql.SQL("INSERT INTO {s}.role_scope (role_name, scope_code) VALUES ({r}, {c}) ON CONFLICT (role_name) "
                   "DO UPDATE SET scope_code = EXCLUDED.scope_code").format(s=s, r=sql.Literal(role),
                                                                            c=sql.Literal(scope))]
    if len(scope) == 6:
        out.append(sql.SQL("INSERT INTO {s}.county_role (role_name, county_code) VALUES ({r}, {c}) ON CONFLICT "
                           "(role_name) DO UPDATE SET county_code = EXCLUDED.county_code").format(
            s=s, r=sql.Literal(role), c=sql.Literal(scope)))
    else:
        out.append(sql.SQL("DELETE FROM {s}.county_role WHERE role_name = {r}").format(s=s, r=sql.Literal(role)))
    return out


# ------------------------------------------------------------------------------------ version 7
#: the IEEE-754 bit pattern of a float8 column as a bigint (what the exact area sums group on)
FLOAT_BITS = "('x' || encode(float8send({x}), 'hex'))::bit(64)::bigint"
#: a time the desk reader can read (``julianday`` of SQLite): the patrols' starts that count
INSTANT = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?$"
#: stored bit patterns of the area columns summed by the statistics (table → {column: bits column})
#: (not on ``cases``: ``create_cases`` inserts whole rows, and a generated column takes no value — the cases' sums
#: are over thousands of rows, not millions)
AREA_BITS = {"space_codes": {"gdmj_m2": "gdmj_bits", "yjmj_m2": "yjmj_bits"}}


def v7_statements(schema: str) -> list[sql.Composable]:
    """Version 7: what the prefecture dashboard computes on every refresh is computed once, when a row is written —
    stored generated columns: the bit patterns of the area columns (the exact sums group on them; taking them apart
    through text per refresh was 3.6 s of a 2.5 M-code refresh) and whether a patrol's start is a time (a regular
    expression per patrol per refresh: 0.9 s). The values themselves do not change: the desk's figures stay exact."""
    s = sql.Identifier(schema)
    out = []
    for table, columns in AREA_BITS.items():
        for column, bits in columns.items():
            out.append(sql.SQL("ALTER TABLE {s}.{t} ADD COLUMN {b} bigint GENERATED ALWAYS AS ({x}) STORED").format(
                s=s, t=sql.Identifier(table), b=sql.Identifier(bits),
                x=sql.SQL(FLOAT_BITS).format(x=sql.Identifier(column))))
    out.append(sql.SQL("ALTER TABLE {s}.patrols ADD COLUMN started_valid boolean GENERATED ALWAYS AS "
                       "(started_at ~ {p}) STORED").format(s=s, p=sql.Literal(INSTANT)))
    return out


__all__ = ["IDENTITY", "TABLES", "BY_NAME", "SharedTable", "v6_statements", "v7_statements", "reader_statements",
           "publisher_statements", "scope_statements", "table_statements", "tables_at", "added_tables_statements"]
