"""The shared PostGIS case store on a real throwaway PostgreSQL/PostGIS server (no mocks).

Migrations are idempotent; exports are idempotent upserts in whole batches that resume after a
killed connection; two desks approving the same case get one ConflictError; a county's role neither
sees nor changes another county's cases (row-level security, forced on the owner too); case events
refuse UPDATE/DELETE from everyone; CHECK constraints refuse bad states and geometries; quotes in
values and names are data, never SQL.
"""
from __future__ import annotations

import contextlib
import itertools
import threading
import time

import psycopg2
import pytest
import shapely
from psycopg2 import sql

from linxia_tianguan_plugin.core.cases import workflow as wf
from linxia_tianguan_plugin.core.cases.keys import case_key, case_uuid
from linxia_tianguan_plugin.storage import pg_schema
from linxia_tianguan_plugin.storage.postgis import PgStore, PgStoreError
from tests.pg_cluster import pg  # noqa: F401

COUNTY_A, COUNTY_B = "622921", "622922"
OWNER = "tg_owner"
ROLE_A = "tg county'a \"desk\""  # quotes in a role name: identifiers are quoted, values bound
ROLE_B = "tg_county_b"
ROLE_NONE = "tg_no_county"
T0 = "2025-03-01T08:00:00Z"
_schemas = itertools.count(1)


# ------------------------------------------------------------------------------------ fixtures
def _open(params, user=None, autocommit=True):
    conn = psycopg2.connect(**dict(params, user=user or params["user"]))
    conn.autocommit = autocommit
    return conn


@contextlib.contextmanager
def _connect(params, user=None):
    """An autocommit connection (each statement its own transaction), closed at the end."""
    conn = _open(params, user)
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture(scope="module")
def roles(pg):  # noqa: F811
    """Cluster-wide roles: a non-superuser administrator who migrates (CREATEROLE; it makes itself a member of
    each schema's NOLOGIN owner role, which needs CREATE on the database to own a schema) and desks."""
    with _connect(pg) as conn, conn.cursor() as cur:
        cur.execute("SELECT rolname FROM pg_roles")
        made = {r[0] for r in cur.fetchall()}  # the module scope repeats per importing module: once is enough
        if OWNER not in made:
            cur.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS CREATEROLE").format(
                sql.Identifier(OWNER)))
        cur.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO {} WITH GRANT OPTION").format(
            sql.Identifier(pg["dbname"]), sql.Identifier(OWNER)))
        for role in (ROLE_A, ROLE_B, ROLE_NONE):
            if role not in made:
                cur.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS").format(sql.Identifier(role)))
    return pg


@pytest.fixture
def schema(roles):
    """A fresh migrated schema per test, desks granted, the administrator (also a desk here) and desk A on
    county A, desk B on county B."""
    name = f"tg_test_{next(_schemas)}"
    with PgStore(dict(roles, user=OWNER), schema=name) as store:
        assert store.migrate() == pg_schema.LATEST
    conn = _open(roles, OWNER, autocommit=False)
    try:
        for role in (OWNER, ROLE_A, ROLE_B, ROLE_NONE):
            pg_schema.grant_desk(conn, role, name)
        pg_schema.grant_county(conn, OWNER, COUNTY_A, name)
        pg_schema.grant_county(conn, ROLE_A, COUNTY_A, name)
        pg_schema.grant_county(conn, ROLE_B, COUNTY_B, name)
    finally:
        conn.close()
    return name


def store_as(pg_params, user, schema_name) -> PgStore:
    return PgStore(dict(pg_params, user=user), schema=schema_name)


def sample(n, county=COUNTY_A, start=0, officer="O'Brien"):
    """``n`` pending cases (shapely boxes in EPSG:4522) with their creation events, as a desk exports them."""
    cases, events = [], {}
    for k in range(start, start + n):
        geom = shapely.box(34590000 + 100 * k, 3924000, 34590050 + 100 * k, 3924040)
        key = case_key("survey", f"B{k}", "", "nonagri", "0702", "", geom)
        cid = case_uuid(key)
        cases.append({"case_id": cid, "case_key": key, "state": "pending", "kind": "nonagri", "category": "suspect",
                      "reasons": ["on_basic_farmland"], "source": "survey", "from_dlbm": "0103", "to_dlbm": "0702",
                      "bsm_before": f"B{k}", "area_m2": geom.area, "priority": k % 3,
                      "grid_code": f"{county}{k:06d}", "officer": officer, "parcel_codes": [f"P{k}"],
                      "rules_version": "2025.1", "run_id": "BHTEST", "detected_at": T0, "updated_at": T0,
                      "version": 1, "geom": geom})
        events[cid] = [{"event_id": 1, "case_id": cid, "at": T0, "actor": "system", "from_state": None,
                        "to_state": "pending", "comment": "BHTEST rules 2025.1", "attachments": None}]
    return cases, events


def count(pg_params, schema_name, table, where="", args=()):
    """Rows as the superuser sees them (bypasses row-level security)."""
    with _connect(pg_params) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT count(*) FROM {}.{} " + where).format(sql.Identifier(schema_name),
                                                                          sql.Identifier(table)), args)
        return cur.fetchone()[0]


def xmins(pg_params, schema_name):
    with _connect(pg_params) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT case_id::text, xmin::text, version FROM {}.cases").format(
            sql.Identifier(schema_name)))
        return sorted(cur.fetchall())


# ------------------------------------------------------------------------------------ migrations
def test_migrations_are_idempotent_and_create_the_schema(roles):
    name = "tg_migrate"
    with PgStore(dict(roles, user=OWNER), schema=name) as store:
        assert store.migrate() == pg_schema.LATEST
        with _connect(roles) as conn, conn.cursor() as cur:
            cur.execute(sql.SQL("SELECT version, applied_at FROM {}.tg_schema_version ORDER BY version").format(
                sql.Identifier(name)))
            first = cur.fetchall()
        assert [v for v, _ in first] == list(range(1, pg_schema.LATEST + 1))
        assert store.migrate() == pg_schema.LATEST  # second run: nothing to do
        assert store.schema_version() == pg_schema.LATEST
    with _connect(roles) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT version, applied_at FROM {}.tg_schema_version ORDER BY version").format(
            sql.Identifier(name)))
        assert cur.fetchall() == first
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (name,))
        assert {r[0] for r in cur.fetchall()} >= {"tg_schema_version", "county_role", "cases", "case_events",
                                                  "export_batches"}
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s", (name,))
        indexes = dict(cur.fetchall())
        assert "USING gist (geom)" in indexes["cases_geom_gist"]
        # only the key leads with county_code (the events' foreign-key look-up must not pick another); ids indexed
        assert "cases_county_state" not in indexes and "(county_code, case_id)" in indexes["cases_pkey"]
        assert "(case_key, county_code)" in indexes["cases_county_key"] and "(case_id)" in indexes["cases_case_id"]
        assert "UNIQUE" in indexes["case_events_place"] and "case_events_identity" not in indexes
        cur.execute("SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                    "WHERE n.nspname = %s", (name,))
        constraints = {r[0] for r in cur.fetchall()}
        assert {"cases_state_known", "cases_kind_known", "cases_category_known", "cases_geom_valid",
                "cases_county_digits", "cases_version_positive", "case_events_to_known"} <= constraints
        cur.execute("SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE n.nspname = %s AND relname IN ('cases', 'case_events')", (name,))
        assert sorted(cur.fetchall()) == [("case_events", True, True), ("cases", True, True)]
        cur.execute("SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT t.tgisinternal", (name,))
        from linxia_tianguan_plugin.storage.pg_prefecture import ALL_TABLES, TABLES

        shared = {f"{t.name}_{kind}" for t in TABLES for kind in ("guard", "log", "no_delete", "no_truncate")}
        shared |= {f"{t}_{kind}" for t in ("evidence_files", "row_changes") for kind in ("no_delete", "no_truncate")}
        shared |= {"evidence_files_kept", "row_changes_kept"}  # v6: the shared store keeps its history
        assert {r[0] for r in cur.fetchall()} == {"case_events_no_change", "case_events_no_truncate",
                                                  "cases_case_no_fixed"} | shared  # v5: a case number never changes
        cur.execute("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
                    "AND relkind = 'r' AND relforcerowsecurity", (name,))
        assert {r[0] for r in cur.fetchall()} >= set(ALL_TABLES) - {"role_scope", "store_identity"}
        cur.execute("SELECT srid, type FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = 'cases'",
                    (name,))
        assert cur.fetchone() == (4522, "MULTIPOLYGON")
    with PgStore(dict(roles, user=OWNER), schema=name, srid=4326) as other, pytest.raises(PgStoreError, match="4522"):
        other.migrate()
    for bad in ("Tianguan", "x; DROP SCHEMA public", "pg_catalog", ""):
        with pytest.raises(ValueError, match="schema name"):
            PgStore(roles, schema=bad)


# ------------------------------------------------------------------------------------ export
def test_export_round_trip_and_reexport_changes_nothing(roles, schema):
    cases, events = sample(23)
    with store_as(roles, OWNER, schema) as store:
        counts = store.export_cases(cases, events, batch_size=10)
        assert counts == dict(batches=3, skipped_batches=0, inserted=23, updated=0, unchanged=0, stale=0,
                              events_inserted=23, events_existing=0)
        stored = {c["case_id"]: c for c in store.cases()}
        assert set(stored) == {c["case_id"] for c in cases}
        for case in cases:
            got = stored[case["case_id"]]
            assert got["geom"].geom_type == "MultiPolygon" and got["geom"].equals(case["geom"])
            assert got["county_code"] == COUNTY_A and got["officer"] == "O'Brien" and got["version"] == 1
            assert got["reasons"] == ["on_basic_farmland"] and got["parcel_codes"] == case["parcel_codes"]
            assert got["detected_at"] == T0 and got["state"] == "pending"
            assert store.rebuilt_state(case["case_id"]) == "pending"
        before = xmins(roles, schema)

        again = store.export_cases(cases, events, batch_size=10)  # same export: finished batches are skipped
        assert again["skipped_batches"] == 3 and again["inserted"] == again["updated"] == 0
        other = store.export_cases(cases, events, batch_size=7, batch_id_prefix="second")  # new batches: no-ops
        assert other == dict(batches=4, skipped_batches=0, inserted=0, updated=0, unchanged=23, stale=0,
                             events_inserted=0, events_existing=23)
        assert xmins(roles, schema) == before  # not a single row rewritten
        assert count(roles, schema, "case_events") == 23

        # a newer desk version wins (with its new event); an older one changes nothing and adds no event
        newer = dict(cases[0], state="issued", version=2, updated_at="2025-03-02T09:00:00Z")
        newer_events = {newer["case_id"]: [*events[newer["case_id"]], {
            "case_id": newer["case_id"], "at": "2025-03-02T09:00:00Z", "actor": "县审核员", "from_state": "pending",
            "to_state": "issued", "comment": "", "attachments": "[]"}]}
        got = store.export_cases([newer], newer_events, batch_id_prefix="newer")
        assert (got["updated"], got["events_inserted"], got["events_existing"]) == (1, 1, 1)
        older = dict(cases[0], officer="someone else", version=1)
        got = store.export_cases([older], events, batch_id_prefix="older")
        assert (got["unchanged"], got["stale"], got["events_inserted"]) == (1, 1, 0)
        row = next(c for c in store.cases() if c["case_id"] == newer["case_id"])
        assert (row["state"], row["version"], row["officer"]) == ("issued", 2, "O'Brien")
        assert store.rebuilt_state(newer["case_id"]) == "issued"
        assert [c["case_id"] for c in store.cases(state="issued")] == [newer["case_id"]]


def test_killed_connection_mid_export_leaves_whole_batches_and_resumes(roles, schema):
    cases, events = sample(25)
    with store_as(roles, OWNER, schema) as store:
        def kill_in_second_batch(index, total):
            if index == 1:  # rows of batch 2 are written but not committed: cut the connection now
                with _connect(roles) as killer, killer.cursor() as cur:
                    cur.execute("SELECT pg_terminate_backend(%s)", (store.conn.get_backend_pid(),))
                    assert cur.fetchone()[0] is True

        with pytest.raises(PgStoreError, match="exporting batch 2/3") as caught:
            store.export_cases(cases, events, batch_size=10, on_batch=kill_in_second_batch)
        assert "password" not in str(caught.value).lower()
        assert count(roles, schema, "cases") == 10  # batch 1 only, nothing of batch 2
        assert count(roles, schema, "case_events") == 10
        assert count(roles, schema, "export_batches") == 1

        resumed = store.export_cases(cases, events, batch_size=10)  # reconnects by itself
        assert resumed == dict(batches=3, skipped_batches=1, inserted=15, updated=0, unchanged=0, stale=0,
                               events_inserted=15, events_existing=0)
        assert count(roles, schema, "cases") == 25 and count(roles, schema, "case_events") == 25
        assert count(roles, schema, "export_batches") == 3
        assert sorted(c["case_id"] for c in store.cases()) == sorted(c["case_id"] for c in cases)

        def refuse(index, total):
            raise RuntimeError("cancelled")

        more, more_events = sample(3, start=100)
        with pytest.raises(RuntimeError, match="cancelled"):  # an exception in the hook rolls the batch back
            store.export_cases(more, more_events, on_batch=refuse)
        assert count(roles, schema, "cases") == 25


# ------------------------------------------------------------------------------------ workflow
def _to_reported(store, case_id) -> int:
    version = 1
    for action, actor, role, comment, files in [
            ("issue", "县审核员", wf.COUNTY_REVIEWER, "", ()),
            ("submit_evidence", "田管员甲", wf.GROUP_OFFICER, "现场已建房 it's built", ("photos/1'a.jpg",)),
            ("report", "村田管员", wf.VILLAGE_TOWNSHIP, "", ())]:
        version = store.take_action(case_id, action, actor, role, version, comment, files)["version"]
    return version


def test_two_concurrent_approvals_give_one_conflict(roles, schema):
    cases, events = sample(1)
    cid = cases[0]["case_id"]
    with store_as(roles, ROLE_A, schema) as desk:
        desk.export_cases(cases, events)
        version = _to_reported(desk, cid)
    assert version == 4
    results, errors = [], []
    holder = _open(roles, autocommit=False)  # holds the row so both approvals wait on it together
    try:
        with holder.cursor() as cur:
            cur.execute(sql.SQL("SELECT 1 FROM {}.cases WHERE case_id = %s FOR UPDATE").format(sql.Identifier(schema)),
                        (cid,))

        def approve(reviewer):
            with store_as(roles, ROLE_A, schema) as s:
                try:
                    results.append(s.take_action(cid, "approve", reviewer, wf.COUNTY_REVIEWER, version))
                except wf.ConflictError as exc:
                    errors.append(exc)

        threads = [threading.Thread(target=approve, args=(name,)) for name in ("审核员甲", "审核员乙")]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        with _connect(roles) as watch, watch.cursor() as cur:
            while True:
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s AND wait_event_type = 'Lock'",
                            (ROLE_A,))
                if cur.fetchone()[0] == 2:
                    break
                assert time.monotonic() < deadline, "both approvals should be waiting on the case's row lock"
                time.sleep(0.02)
    finally:
        holder.rollback()
        holder.close()
    for t in threads:
        t.join(30)
    assert len(results) == 1 and len(errors) == 1
    assert results[0]["state"] == "approved" and results[0]["version"] == 5
    assert (errors[0].expected, errors[0].actual, errors[0].code) == (4, 5, "conflict")
    with store_as(roles, ROLE_A, schema) as desk:
        events_now = desk.case_events(cid)
        assert [e["to_state"] for e in events_now] == ["pending", "issued", "evidenced", "reported", "approved"]
        assert desk.rebuilt_state(cid) == "approved" == desk.cases()[0]["state"]
        assert events_now[2]["comment"] == "现场已建房 it's built"
        assert wf.event_from_row(events_now[2]).attachments == ("photos/1'a.jpg",)
        with pytest.raises(wf.ConflictError) as stale:  # a desk still holding version 4
            desk.take_action(cid, "start_enforcement", "执法队", wf.ENFORCEMENT, 4)
        assert stale.value.actual == 5
        with pytest.raises(wf.WorkflowError, match="needs a comment"):  # refused moves write nothing
            desk.take_action(cid, "close", "县审核员", wf.COUNTY_REVIEWER, 5)
        assert desk.cases()[0]["version"] == 5 and len(desk.case_events(cid)) == 5


# ------------------------------------------------------------------------------------ row-level security
def test_a_county_role_cannot_see_or_change_another_county(roles, schema):
    cases_a, events_a = sample(4, COUNTY_A)
    cases_b, events_b = sample(3, COUNTY_B, start=50)
    with store_as(roles, ROLE_A, schema) as a, store_as(roles, ROLE_B, schema) as b:
        assert a.export_cases(cases_a, events_a)["inserted"] == 4
        assert b.export_cases(cases_b, events_b)["inserted"] == 3
        assert {c["county_code"] for c in a.cases()} == {COUNTY_A} and len(a.cases()) == 4
        assert {c["county_code"] for c in b.cases()} == {COUNTY_B} and len(b.cases()) == 3
        b_id = cases_b[0]["case_id"]
        assert a.case_events(b_id) == []
        with pytest.raises(wf.WorkflowError, match="does not exist"):
            a.take_action(b_id, "issue", "县审核员", wf.COUNTY_REVIEWER, 1)
        with pytest.raises(PgStoreError) as refused:  # A cannot insert (or upsert over) B's cases
            a.export_cases(sample(1, COUNTY_B, start=60)[0], batch_id_prefix="a-writes-b")
        assert refused.value.pgcode == "42501"
        with pytest.raises(PgStoreError):
            a.export_cases(cases_b, events_b, batch_id_prefix="a-over-b")
    assert count(roles, schema, "cases", "WHERE county_code = %s", (COUNTY_B,)) == 3  # B untouched
    with _connect(roles, ROLE_A) as conn, conn.cursor() as cur:
        t = sql.SQL("{}.cases").format(sql.Identifier(schema))
        cur.execute(sql.SQL("SELECT count(*) FROM {} WHERE county_code = %s").format(t), (COUNTY_B,))
        assert cur.fetchone()[0] == 0
        cur.execute(sql.SQL("UPDATE {} SET officer = 'x' WHERE county_code = %s").format(t), (COUNTY_B,))
        assert cur.rowcount == 0
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):  # no desk may delete a case, B's least of all
            cur.execute(sql.SQL("DELETE FROM {} WHERE county_code = %s").format(t), (COUNTY_B,))
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):  # moving an own case into B: WITH CHECK
            cur.execute(sql.SQL("UPDATE {} SET county_code = %s").format(t), (COUNTY_B,))
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(sql.SQL("INSERT INTO {}.case_events (case_id, at, actor, to_state) VALUES (%s, now(), 'x', "
                                "'issued')").format(sql.Identifier(schema)), (b_id,))
    with store_as(roles, ROLE_NONE, schema) as nobody, store_as(roles, OWNER, schema) as owner:
        assert nobody.cases() == []
        assert {c["county_code"] for c in owner.cases()} == {COUNTY_A}  # FORCE: the owner is filtered too


def test_events_refuse_update_and_delete_from_everyone(roles, schema):
    cases, events = sample(2)
    with store_as(roles, ROLE_A, schema) as a:
        a.export_cases(cases, events)
    t = sql.SQL("{}.case_events").format(sql.Identifier(schema))
    with _connect(roles, ROLE_A) as conn, conn.cursor() as cur:  # the desk has no such privilege at all
        for statement in ("UPDATE {} SET comment = 'x'", "DELETE FROM {}"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(sql.SQL(statement).format(t))
    owner = sql.Identifier(pg_schema.owner_role(schema))
    with _connect(roles, OWNER) as conn, conn.cursor() as cur:
        # even if the owner grants it by mistake, the trigger refuses (REVOKE alone would not stop the owner)
        cur.execute(sql.SQL("SET ROLE {}").format(owner))
        cur.execute(sql.SQL("GRANT UPDATE, DELETE, TRUNCATE ON {} TO {}").format(t, sql.Identifier(ROLE_A)))
    for user, become in ((ROLE_A, None), (OWNER, owner), (roles["user"], None)):  # granted desk, owner, superuser
        with _connect(roles, user) as conn, conn.cursor() as cur:
            if become is not None:  # nobody logs in as the owner: the administrator acts as it
                cur.execute(sql.SQL("SET ROLE {}").format(become))
            for statement in ("UPDATE {} SET comment = 'x'", "DELETE FROM {}", "TRUNCATE {}"):
                with pytest.raises(psycopg2.errors.IntegrityConstraintViolation, match="append-only"):
                    cur.execute(sql.SQL(statement).format(t))
    assert count(roles, schema, "case_events", "WHERE comment = %s", ("BHTEST rules 2025.1",)) == 2


# ------------------------------------------------------------------------------------ constraints, quoting
def test_check_constraints_refuse_bad_geometry_state_and_county(roles, schema):
    with store_as(roles, OWNER, schema) as store:
        bowtie = shapely.Polygon([(34590000, 3924000), (34590010, 3924010), (34590010, 3924000),
                                  (34590000, 3924010)])
        bad_geom = dict(sample(1)[0][0], geom=bowtie)
        with pytest.raises(PgStoreError, match="cases_geom_valid") as caught:
            store.export_cases([bad_geom])
        assert caught.value.pgcode == "23514"
        with pytest.raises(PgStoreError, match="unknown state 'lost'"):  # states are moved, never written
            store.export_cases([dict(sample(1)[0][0], state="lost")])
        with pytest.raises(PgStoreError, match="cases_kind_known"):
            store.export_cases([dict(sample(1)[0][0], kind="meteor")])
        with pytest.raises(PgStoreError, match="6 digits"):  # checked before anything is written
            store.export_cases([*sample(2)[0], dict(sample(1, start=9)[0][0], grid_code="62")])
        assert store.cases() == [] and count(roles, schema, "export_batches") == 0
        good, events = sample(1)
        store.export_cases(good, events)
    with _connect(roles) as conn, conn.cursor() as cur:  # only a superuser may still write a state directly
        t = sql.SQL("{}.cases").format(sql.Identifier(schema))
        with pytest.raises(psycopg2.errors.CheckViolation, match="cases_state_known"):
            cur.execute(sql.SQL("UPDATE {} SET state = %s").format(t), ("lost",))
        with pytest.raises(psycopg2.errors.CheckViolation, match="cases_geom_valid"):
            cur.execute(sql.SQL("UPDATE {} SET geom = ST_Multi(ST_GeomFromWKB(%s, 4522))").format(t),
                        (psycopg2.Binary(shapely.to_wkb(bowtie)),))


def test_quotes_are_data_not_sql(roles, schema):
    nasty = "O'Brien\"; DROP TABLE cases; --"
    cases, events = sample(2, officer=nasty)
    cases[0]["case_key"] = "key with ' quote"
    with store_as(roles, ROLE_A, schema) as a:
        counts = a.export_cases(cases, events, batch_id_prefix="it's'); DROP TABLE export_batches; --")
        assert counts["inserted"] == 2
        got = {c["case_id"]: c for c in a.cases()}
        assert {c["officer"] for c in got.values()} == {nasty}
        assert got[cases[0]["case_id"]]["case_key"] == "key with ' quote"
        cid = cases[0]["case_id"]
        a.take_action(cid, "issue", nasty, wf.COUNTY_REVIEWER, 1)
        assert a.case_events(cid)[-1]["actor"] == nasty
        quoted_id = "x'); DELETE FROM cases; --"
        with pytest.raises(wf.WorkflowError, match="does not exist"):
            a.take_action(quoted_id, "issue", "x", wf.COUNTY_REVIEWER, 1)
        assert a.case_events(quoted_id) == []
        with pytest.raises(PgStoreError, match="not a UUID"):
            a.export_cases([dict(cases[1], case_id=quoted_id)])
        assert len(a.cases()) == 2  # the role name with quotes and the values went through as data
    with _connect(roles) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT batch_id FROM {}.export_batches").format(sql.Identifier(schema)))
        assert cur.fetchall() == [("it's'); DROP TABLE export_batches; --:500:0",)]
    with _connect(roles, OWNER) as conn, pytest.raises(ValueError, match="6 digits"):
        pg_schema.grant_county(conn, ROLE_B, "62'; --", schema)


def test_errors_never_show_the_password(roles):
    secret = "s3cr3t'pw"
    with PgStore(dict(roles, user="no_such_role", password=secret)) as store:
        with pytest.raises(PgStoreError) as caught:
            store.cases()
    assert secret not in str(caught.value) and "no_such_role" in str(caught.value)
    assert secret not in repr(store)


def test_through_a_qgis_layer_a_county_sees_and_edits_only_its_own_cases(qgis_app, roles, schema):
    """The desks' QGIS layers use their own connections: row-level security holds there too — county A's
    layer lists only A's cases, and editing or deleting a B case through it changes nothing."""
    from qgis.core import QgsDataSourceUri, QgsVectorLayer

    cases_a, events_a = sample(4, COUNTY_A)
    cases_b, events_b = sample(3, COUNTY_B, start=50)
    with store_as(roles, ROLE_A, schema) as a, store_as(roles, ROLE_B, schema) as b:
        a.export_cases(cases_a, events_a)
        b.export_cases(cases_b, events_b)

    def layer(user: str) -> QgsVectorLayer:
        uri = QgsDataSourceUri()
        uri.setConnection(roles["host"], str(roles["port"]), roles["dbname"], user, "")
        uri.setDataSource(schema, "cases", "geom", "", "case_id")
        made = QgsVectorLayer(uri.uri(False), f"cases {user}", "postgres")
        assert made.isValid(), made.dataProvider().error().message() if made.dataProvider() else user
        return made

    mine = layer(ROLE_A)
    assert mine.featureCount() == 4 or len(list(mine.getFeatures())) == 4
    assert {f["county_code"] for f in mine.getFeatures()} == {COUNTY_A}
    # A's layer can only address A's rows: feature ids are the layer's own, B's rows never get one.
    # Through it, moving an A case into county B is refused (WITH CHECK), deleting is refused (no DELETE
    # right, no policy), and B's rows stay as they were.
    theirs = layer(ROLE_B)
    fids = [f.id() for f in mine.getFeatures()]
    county = mine.fields().indexOf("county_code")
    assert not mine.dataProvider().changeAttributeValues({fids[0]: {county: COUNTY_B}})
    assert not mine.dataProvider().deleteFeatures(fids)
    assert count(roles, schema, "cases", "WHERE county_code = %s", (COUNTY_A,)) == 4
    assert count(roles, schema, "cases", "WHERE county_code = %s", (COUNTY_B,)) == 3
    assert {f["officer"] for f in theirs.getFeatures()} == {"O'Brien"} and theirs.featureCount() in (3, -1)
