"""Issue 15: the shared PostGIS store enforces its own audit trail (real PostgreSQL, no mocks).

Each attack the tester made is replayed as they made it — plain SQL on a desk's own connection — and now fails:
a desk cannot set a state or version, cannot insert or forge an event, cannot move a case the transition table
forbids or with a stale version, cannot move or even detect another county's case, cannot disable the
append-only trigger, delete or truncate events, and cannot see another county's export batches. A store created
at the previous schema version migrates with its events kept.
"""
from __future__ import annotations

import json
import uuid

import psycopg2
import pytest
import shapely
from psycopg2 import sql

from linxia_tianguan_plugin.core.cases import workflow as wf
from linxia_tianguan_plugin.core.cases.keys import case_key, case_uuid
from linxia_tianguan_plugin.storage import pg_schema
from linxia_tianguan_plugin.storage.postgis import PgStore
from tests.pg_cluster import pg  # noqa: F401
from tests.test_postgis_store import (  # noqa: F401
    COUNTY_A,
    COUNTY_B,
    OWNER,
    ROLE_A,
    ROLE_B,
    _connect,
    _open,
    count,
    roles,
    sample,
    schema,
    store_as,
)


def _t(schema_name: str, table: str) -> sql.Composable:
    return sql.SQL("{}.{}").format(sql.Identifier(schema_name), sql.Identifier(table))


def _move(cur, schema_name: str, case_id: str, to_state: str, expected: int, comment: str = "", actor: str = "测试",
          attachments=(), role: str | None = None, county: str | None = None) -> int:
    """``move_case`` called by hand, as an attacker with a psql prompt would."""
    cur.execute(sql.SQL("SELECT {}.move_case(%s::uuid, %s, %s, %s, %s, now(), %s::jsonb, %s, %s)").format(
        sql.Identifier(schema_name)), (case_id, to_state, expected, comment, actor, json.dumps(list(attachments)),
                                       role, county))
    return cur.fetchone()[0]


def _state(pg_params, schema_name: str, case_id: str, county: str = COUNTY_A) -> tuple[str, int, int]:
    """(state, version, number of events) of the county's case as the superuser sees them."""
    with _connect(pg_params) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT state, version, (SELECT count(*) FROM {e} e WHERE e.case_id = c.case_id "
                            "AND e.county_code = c.county_code) FROM {c} c WHERE case_id = %s AND county_code = %s"
                            ).format(e=_t(schema_name, "case_events"), c=_t(schema_name, "cases")), (case_id, county))
        return cur.fetchone()


@pytest.fixture
def exported(roles, schema):  # noqa: F811
    """Two cases of county A exported by desk A, one of county B by desk B; returns (a_ids, b_id)."""
    cases_a, events_a = sample(2, COUNTY_A)
    cases_b, events_b = sample(1, COUNTY_B, start=50)
    with store_as(roles, ROLE_A, schema) as a, store_as(roles, ROLE_B, schema) as b:
        a.export_cases(cases_a, events_a)
        b.export_cases(cases_b, events_b)
    return [c["case_id"] for c in cases_a], cases_b[0]["case_id"]


# ------------------------------------------------------------------------------------ direct writes
def test_a_desk_cannot_set_a_state_or_a_version_directly(roles, schema, exported):  # noqa: F811
    (cid, _), _b = exported
    with _connect(roles, ROLE_A) as conn, conn.cursor() as cur:
        for statement in ("UPDATE {} SET state = 'closed'", "UPDATE {} SET version = version + 1",
                          "UPDATE {} SET case_id = gen_random_uuid()", "UPDATE {} SET county_code = '622922'"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(sql.SQL(statement).format(_t(schema, "cases")))
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):  # cases come in through create_case only
            cur.execute(sql.SQL("INSERT INTO {} (case_id, case_key, county_code, state) VALUES "
                                "(gen_random_uuid(), 'k', %s, 'closed')").format(_t(schema, "cases")), (COUNTY_A,))
        cur.execute(sql.SQL("UPDATE {} SET officer = 'allowed' WHERE case_id = %s").format(_t(schema, "cases")),
                    (cid,))  # attributes are the desk's to keep
        assert cur.rowcount == 1
    assert _state(roles, schema, cid) == ("pending", 1, 1)


def test_create_case_by_hand_ignores_a_claimed_state_and_version(roles, schema):  # noqa: F811
    case = sample(1, COUNTY_A, start=30)[0][0]
    doc = {k: v for k, v in case.items() if k != "geom"}
    doc.update(state="closed", version=9, county_code=COUNTY_A)
    with _connect(roles, ROLE_A) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT {}.create_case(%s::jsonb, %s, now(), 'x')").format(sql.Identifier(schema)),
                    (json.dumps(doc), shapely.to_wkb(case["geom"])))
        assert cur.fetchone() == (True,)
    assert _state(roles, schema, case["case_id"]) == ("pending", 1, 1)


def test_an_export_replays_a_desk_history_through_move_case(roles, schema):  # noqa: F811
    cases, events = sample(1, COUNTY_A, start=40)
    cid = cases[0]["case_id"]
    for n, (source, target, files) in enumerate((("pending", "issued", []), ("issued", "evidenced", ["a.jpg"]),
                                                 ("evidenced", "reported", [])), start=2):
        events[cid].append({"case_id": cid, "at": f"2025-03-0{n}T08:00:00Z", "actor": f"officer {n}",
                            "from_state": source, "to_state": target, "comment": "", "attachments": files})
    with store_as(roles, ROLE_A, schema) as a:
        counts = a.export_cases([dict(cases[0], state="reported", version=4)], events)
        assert (counts["inserted"], counts["events_inserted"], counts["stale"]) == (1, 4, 0)
        got = a.case_events(cid)
    assert [(e["to_state"], e["actor"], e["at"], e["recorded_by"]) for e in got] == [
        ("pending", "system", "2025-03-01T08:00:00Z", ROLE_A), ("issued", "officer 2", "2025-03-02T08:00:00Z", ROLE_A),
        ("evidenced", "officer 3", "2025-03-03T08:00:00Z", ROLE_A),
        ("reported", "officer 4", "2025-03-04T08:00:00Z", ROLE_A)]
    assert _state(roles, schema, cid) == ("reported", 4, 4)


def test_a_desk_cannot_insert_or_forge_events(roles, schema, exported):  # noqa: F811
    (cid, _), _b = exported
    with _connect(roles, ROLE_A) as conn, conn.cursor() as cur:
        for columns, values in (("case_id, county_code, seq, at, actor, from_state, to_state",
                                 "%s, '622921', 2, now(), '县审核员', 'pending', 'issued'"),
                                ("case_id, county_code, seq, at, actor, to_state, recorded_by",
                                 "%s, '622921', 2, now(), 'x', 'issued', 'tg_county_b'")):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                    _t(schema, "case_events"), sql.SQL(columns), sql.SQL(values)), (cid,))
    assert _state(roles, schema, cid) == ("pending", 1, 1)


def test_the_recorder_is_the_session_user_whatever_the_actor_or_role(roles, schema, exported):  # noqa: F811
    (cid, other), _b = exported
    with store_as(roles, ROLE_A, schema) as a:
        a.take_action(cid, "issue", ROLE_B, wf.COUNTY_REVIEWER, 1)  # the actor claims to be desk B
        events = a.case_events(cid)
    assert [(e["actor"], e["recorded_by"]) for e in events] == [("system", ROLE_A), (ROLE_B, ROLE_A)]
    assert all(e["recorded_at"] for e in events)
    # an administrator acting as the owner (SET ROLE) is still recorded as who logged in, never as the owner
    with _connect(roles, OWNER) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(pg_schema.owner_role(schema))))
        assert _move(cur, schema, other, "issued", 1, actor="system") == 2
        cur.execute(sql.SQL("SELECT recorded_by FROM {} WHERE case_id = %s AND seq = 2").format(
            _t(schema, "case_events")), (other,))
        assert cur.fetchone() == (OWNER,)


# ------------------------------------------------------------------------------------ the function's checks
def test_move_case_refuses_illegal_moves_and_writes_nothing(roles, schema, exported):  # noqa: F811
    (cid, _), _b = exported
    with _connect(roles, ROLE_A) as conn, conn.cursor() as cur:
        for to_state, role, comment, files, code in (
                ("closed", None, "理由", (), pg_schema.ERR_NOT_ALLOWED),      # pending → closed: no such move
                ("lost", None, "", (), pg_schema.ERR_NOT_ALLOWED),           # not a state
                ("issued", wf.GROUP_OFFICER, "", (), pg_schema.ERR_NOT_ALLOWED)):  # the role may not issue
            with pytest.raises(psycopg2.Error) as refused:
                _move(cur, schema, cid, to_state, 1, comment, attachments=files, role=role)
            assert refused.value.pgcode == code, (to_state, role)
        assert _move(cur, schema, cid, "issued", 1) == 2
        with pytest.raises(psycopg2.Error) as refused:  # evidence needs an attachment (blank ones do not count)
            _move(cur, schema, cid, "evidenced", 2, attachments=("  ",))
        assert refused.value.pgcode == pg_schema.ERR_REQUIREMENT
        assert _move(cur, schema, cid, "evidenced", 2, attachments=("a.jpg",)) == 3
        with pytest.raises(psycopg2.Error) as refused:  # a return needs its reason
            _move(cur, schema, cid, "returned", 3, comment=" \t")
        assert refused.value.pgcode == pg_schema.ERR_REQUIREMENT and "comment" in str(refused.value)
    assert _state(roles, schema, cid) == ("evidenced", 3, 3)
    with store_as(roles, ROLE_A, schema) as a:
        assert a.rebuilt_state(cid) == "evidenced"


def test_a_stale_version_is_refused(roles, schema, exported):  # noqa: F811
    (cid, _), _b = exported
    with _connect(roles, ROLE_A) as conn, conn.cursor() as cur:
        for stale in (0, 2, 7):
            with pytest.raises(psycopg2.Error) as refused:
                _move(cur, schema, cid, "issued", stale)
            assert refused.value.pgcode == pg_schema.ERR_STALE and refused.value.diag.message_detail == "1"
    assert _state(roles, schema, cid) == ("pending", 1, 1)
    with store_as(roles, ROLE_A, schema) as a, pytest.raises(wf.ConflictError) as conflict:
        a.take_action(cid, "issue", "x", wf.COUNTY_REVIEWER, 1)
        a.take_action(cid, "issue", "x", wf.COUNTY_REVIEWER, 1)  # the second holds version 1 still
    assert conflict.value.actual == 2


def test_the_transition_table_is_the_workflow_table(roles, schema):  # noqa: F811
    with _connect(roles) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT action, source, target, roles, needs_comment, needs_attachment FROM {}").format(
            _t(schema, "transitions")))
        stored = sorted(cur.fetchall())
    assert stored == sorted((t.action, t.source, t.target, list(t.roles), t.needs_comment, t.needs_attachment)
                            for t in wf.TRANSITIONS)


# ------------------------------------------------------------------------------------ counties
def _error_text(exc: psycopg2.Error, *ids: str) -> str:
    text = exc.diag.message_primary
    for i in ids:
        text = text.replace(i, "<id>")
    return text


def test_county_a_cannot_move_nor_detect_county_b_cases(roles, schema, exported):  # noqa: F811
    (_, _), b_id = exported
    missing = str(uuid.uuid4())
    answers = []
    with _connect(roles, ROLE_A) as conn, conn.cursor() as cur:
        for cid, county in ((b_id, None), (missing, None), (b_id, COUNTY_B), (missing, COUNTY_B)):
            with pytest.raises(psycopg2.Error) as refused:
                _move(cur, schema, cid, "issued", 1, county=county)
            answers.append((refused.value.pgcode, _error_text(refused.value, b_id, missing)))
    assert len(set(answers)) == 1 and answers[0][0] == pg_schema.ERR_NOT_FOUND  # one answer for all four
    assert _state(roles, schema, b_id, COUNTY_B) == ("pending", 1, 1)

    # inserting: B's case under county A is just A's own new case, exactly like a case nobody has
    b_case = sample(1, COUNTY_B, start=50)[0][0]
    as_a = dict(b_case, grid_code=COUNTY_A + "000050")
    fresh = sample(1, COUNTY_A, start=70)[0][0]
    with store_as(roles, ROLE_A, schema) as a:
        assert a.export_cases([as_a], batch_id_prefix="b-key")["inserted"] == 1
        assert a.export_cases([fresh], batch_id_prefix="new-key")["inserted"] == 1
        refusals = []
        for case in (b_case, dict(fresh, case_id=str(uuid.uuid4()), grid_code=COUNTY_B + "000070")):
            with pytest.raises(Exception) as refused:  # a case of county B is refused alike, stored or not
                a.export_cases([case], batch_id_prefix=f"as-b-{case['case_id']}")
            refusals.append((refused.value.pgcode, str(refused.value).replace(case["case_id"], "<id>")))
        assert refusals[0] == refusals[1] and refusals[0][0] == "42501"
    assert _state(roles, schema, b_id, COUNTY_B) == ("pending", 1, 1)
    assert count(roles, schema, "cases", "WHERE case_id = %s", (b_id,)) == 2  # one per county, B's untouched


def test_a_login_role_without_county_moves_nothing(roles, schema, exported):  # noqa: F811
    (cid, _), _b = exported
    with _connect(roles, "tg_no_county") as conn, conn.cursor() as cur:
        with pytest.raises(psycopg2.Error) as refused:
            _move(cur, schema, cid, "issued", 1)
        assert refused.value.pgcode == pg_schema.ERR_NOT_FOUND


def test_export_batches_are_per_county(roles, schema, exported):  # noqa: F811
    with _connect(roles, ROLE_A) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT DISTINCT county_code FROM {}").format(_t(schema, "export_batches")))
        assert cur.fetchall() == [(COUNTY_A,)]
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):  # no desk names the county of a batch
            cur.execute(sql.SQL("INSERT INTO {} (batch_id, cases, county_code) VALUES ('x', 1, %s)").format(
                _t(schema, "export_batches")), (COUNTY_B,))
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(sql.SQL("DELETE FROM {}").format(_t(schema, "export_batches")))
    with _connect(roles, ROLE_B) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT batch_id FROM {}").format(_t(schema, "export_batches")))
        b_batches = [r[0] for r in cur.fetchall()]
    assert len(b_batches) == 1
    with _connect(roles, ROLE_A) as conn, conn.cursor() as cur:  # B's batch id is free for A: nothing to learn
        cur.execute(sql.SQL("INSERT INTO {} (batch_id, cases) VALUES (%s, 1)").format(_t(schema, "export_batches")),
                    (b_batches[0],))
        assert cur.rowcount == 1
    assert count(roles, schema, "export_batches", "WHERE batch_id = %s", (b_batches[0],)) == 2


# ------------------------------------------------------------------------------------ ownership
def test_desks_cannot_alter_disable_delete_or_truncate(roles, schema, exported):  # noqa: F811
    owner = pg_schema.owner_role(schema)
    with _connect(roles, ROLE_A) as conn, conn.cursor() as cur:
        events, cases = _t(schema, "case_events"), _t(schema, "cases")
        for statement in ("ALTER TABLE {e} DISABLE TRIGGER case_events_no_change",
                          "ALTER TABLE {e} DISABLE TRIGGER ALL", "ALTER TABLE {c} DISABLE ROW LEVEL SECURITY",
                          "ALTER TABLE {c} NO FORCE ROW LEVEL SECURITY",
                          "DELETE FROM {e}", "TRUNCATE {e}", "DROP TABLE {e}", "DELETE FROM {c}",
                          "ALTER TABLE {e} DROP CONSTRAINT case_events_case_fkey"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(sql.SQL(statement).format(e=events, c=cases))
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):  # a desk cannot become the owner
            cur.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(owner)))
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(sql.SQL("CREATE OR REPLACE FUNCTION {}.case_events_append_only() RETURNS trigger "
                                "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$").format(sql.Identifier(schema)))
    with pytest.raises(psycopg2.OperationalError):  # nobody logs in as the owner
        psycopg2.connect(**dict(roles, user=owner)).close()
    with _connect(roles) as conn, conn.cursor() as cur:
        cur.execute("SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", (owner,))
        assert cur.fetchone() == (False, False, False)
        cur.execute("SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE n.nspname = %s", (schema,))
        assert cur.fetchall() == [(owner,)]
        cur.execute("SELECT DISTINCT pg_get_userbyid(p.proowner), p.prosecdef, p.proconfig FROM pg_proc p JOIN "
                    "pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s AND p.proname IN "
                    "('move_case', 'create_case', 'create_cases', 'session_county', 'session_sees_all')", (schema,))
        assert cur.fetchall() == [(owner, True, ["search_path=pg_catalog, pg_temp"])]
        cur.execute("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = %s", (schema,))
        assert cur.fetchone() == (owner,)
    assert count(roles, schema, "case_events") == 3


def test_a_desk_asking_to_migrate_an_up_to_date_store_changes_nothing(roles, schema):  # noqa: F811
    with store_as(roles, ROLE_A, schema) as a:
        assert a.migrate() == pg_schema.LATEST and a.schema_version() == pg_schema.LATEST


# ------------------------------------------------------------------------------------ migration
def _v3_grants(role: str, schema_name: str) -> list[sql.Composable]:
    """The desk grants of versions 1-3 (the insecure ones the tester used), as an existing store has them."""
    r, s = sql.Identifier(role), sql.Identifier(schema_name)
    return [sql.SQL("GRANT USAGE ON SCHEMA {s} TO {r}").format(s=s, r=r),
            sql.SQL("GRANT SELECT ON {s}.tg_schema_version, {s}.county_role TO {r}").format(s=s, r=r),
            sql.SQL("GRANT SELECT, INSERT, UPDATE ON {s}.cases TO {r}").format(s=s, r=r),
            sql.SQL("GRANT SELECT, INSERT ON {s}.case_events, {s}.export_batches TO {r}").format(s=s, r=r),
            sql.SQL("GRANT USAGE ON SEQUENCE {s}.case_events_event_id_seq TO {r}").format(s=s, r=r)]


def _v3_store(pg_params, name: str, monkeypatch) -> tuple[str, str]:
    """A store at version 3 made by the administrator, desk A granted the old way, one case per county with
    two events each written through those old grants; returns (A's case id, B's case id)."""
    monkeypatch.setattr(pg_schema, "MIGRATIONS", pg_schema.MIGRATIONS[:3])
    conn = _open(pg_params, OWNER, autocommit=False)
    try:
        assert pg_schema.migrate(conn, name) == 3
        with conn, conn.cursor() as cur:
            for role in (ROLE_A, ROLE_B):
                for statement in _v3_grants(role, name):
                    cur.execute(statement)
            for role, county in ((ROLE_A, COUNTY_A), (ROLE_B, COUNTY_B)):
                cur.execute(sql.SQL("INSERT INTO {}.county_role VALUES (%s, %s)").format(sql.Identifier(name)),
                            (role, county))
    finally:
        conn.close()
    monkeypatch.undo()
    ids = []
    for role, county in ((ROLE_A, COUNTY_A), (ROLE_B, COUNTY_B)):
        geom = shapely.box(34590000, 3924000, 34590060, 3924040)
        key = case_key("survey", f"OLD{county}", "", "nonagri", "0702", "", geom)
        cid = case_uuid(key)
        ids.append(cid)
        with _connect(pg_params, role) as conn, conn.cursor() as cur:
            cur.execute(sql.SQL("INSERT INTO {} (case_id, case_key, county_code, state, kind, category, source, "
                                "area_m2, version, rules_version, run_id, detected_at, updated_at, geom) VALUES "
                                "(%s, %s, %s, 'issued', 'nonagri', 'suspect', 'survey', %s, 2, '2025.1', 'R', "
                                "'2025-06-01T00:00:00Z', '2025-06-02T00:00:00Z', ST_Multi(ST_GeomFromWKB(%s, 4522)))"
                                ).format(_t(name, "cases")), (cid, key, county, geom.area, shapely.to_wkb(geom)))
            for seq, (at, actor, source, target) in enumerate(
                    (("2025-06-01T00:00:00Z", "system", None, "pending"),
                     ("2025-06-02T00:00:00Z", "县审核员", "pending", "issued")), start=1):
                cur.execute(sql.SQL("INSERT INTO {} (case_id, seq, at, actor, from_state, to_state) VALUES "
                                    "(%s, %s, %s, %s, %s, %s)").format(_t(name, "case_events")),
                            (cid, seq, at, actor, source, target))
            cur.execute(sql.SQL("INSERT INTO {} (batch_id, cases) VALUES (%s, 1)").format(
                _t(name, "export_batches")), (f"old-batch-{county}",))
    return ids[0], ids[1]


def _events(pg_params, name: str) -> list[tuple]:
    with _connect(pg_params) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT event_id, case_id::text, seq, at, actor, from_state, to_state FROM {} "
                            "ORDER BY event_id").format(_t(name, "case_events")))
        return cur.fetchall()


def test_a_version_3_store_migrates_with_its_events_and_loses_the_old_grants(roles, monkeypatch):  # noqa: F811
    name = "tg_audit_upgrade"
    a_id, b_id = _v3_store(roles, name, monkeypatch)
    before = _events(roles, name)
    assert len(before) == 4
    with PgStore(dict(roles, user=OWNER), schema=name) as admin:
        assert admin.migrate() == pg_schema.LATEST >= 4
        assert admin.schema_version() == pg_schema.LATEST
    assert _events(roles, name) == before  # every event kept, as it was
    with _connect(roles) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT county_code, recorded_by FROM {} ORDER BY event_id").format(
            _t(name, "case_events")))
        assert cur.fetchall() == [(COUNTY_A, None)] * 2 + [(COUNTY_B, None)] * 2  # who recorded them: unknown
        cur.execute(sql.SQL("SELECT batch_id, county_code FROM {}").format(_t(name, "export_batches")))
        assert sorted(cur.fetchall()) == [(f"old-batch-{COUNTY_A}", None), (f"old-batch-{COUNTY_B}", None)]
    with _connect(roles, ROLE_A) as conn, conn.cursor() as cur:  # the tester's attacks, on the migrated store
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(sql.SQL("UPDATE {} SET state = 'closed'").format(_t(name, "cases")))
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(sql.SQL("INSERT INTO {} (case_id, county_code, seq, at, actor, to_state) VALUES "
                                "(%s, %s, 3, now(), 'x', 'evidenced')").format(_t(name, "case_events")),
                        (a_id, COUNTY_A))
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(_t(name, "export_batches")))
        assert cur.fetchone() == (0,)  # batches of before are nobody's county now: A re-runs them harmlessly
    with store_as(roles, ROLE_A, name) as a:  # the re-granted desk works through the function
        assert [c["case_id"] for c in a.cases()] == [a_id]
        assert a.take_action(a_id, "submit_evidence", "田管员", wf.GROUP_OFFICER, 2, "", ["p.jpg"])["version"] == 3
        assert a.rebuilt_state(a_id) == "evidenced" and a.case_events(a_id)[-1]["recorded_by"] == ROLE_A
        with pytest.raises(wf.WorkflowError, match="does not exist"):
            a.take_action(b_id, "submit_evidence", "田管员", wf.GROUP_OFFICER, 2, "", ["p.jpg"])
    after = _events(roles, name)
    assert after[:4] == before and after[4][1:3] == (a_id, 3)  # the new event takes the case's third place
