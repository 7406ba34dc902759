"""The prefecture's shared 田管库 on a real throwaway PostgreSQL + PostGIS (issue 17): two county desks publish, the
州 role reads both, each county role only its own and a 乡 role only its township — through SQL and through QGIS
layers; a publish killed halfway resumes with nothing duplicated; a contradicting code history is refused before
anything is written; the database keeps history against everyone, the owner included."""
from __future__ import annotations

import itertools

import psycopg2
import pytest
from psycopg2 import sql

from linxia_tianguan_plugin.core.prefecture.history import REACTIVATED, REISSUED
from linxia_tianguan_plugin.storage import GpkgStore, pg_prefecture, pg_schema
from linxia_tianguan_plugin.storage.publish import HistoryConflictError, PublishError, publish
from tests import prefecture as pf
from tests.helpers import store_copy
from tests.pg_cluster import pg  # noqa: F401
from tests.prefecture import COUNTY_A, COUNTY_B, TOWNSHIP_A

ADMIN, DESK_A, DESK_B, ZHOU, XIANG = "pf_admin", "pf_desk_a", "pf_desk_b", "pf_zhou", "pf_xiang_a"
_schemas = itertools.count(1)


# ------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def roles(pg):  # noqa: F811
    return pf.make_roles(pg, ADMIN, (DESK_A, DESK_B, ZHOU, XIANG))


@pytest.fixture
def schema(roles):
    """A fresh schema at the latest version; desks A and B publish their counties, the 州 reads all, a 乡 role
    reads township 622921100."""
    return pf.new_schema(roles, ADMIN, pf.scopes_for(DESK_A, DESK_B, ZHOU, XIANG), f"pf_test_{next(_schemas)}")


def _count(params, user, schema_name, table, where="", args=()) -> int:
    conn = pf.connect(params, user)
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("SELECT count(*) FROM {}.{} " + where).format(
                sql.Identifier(schema_name), sql.Identifier(table)), args)
            return cur.fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def desk_a(filled_store, tmp_path):
    return store_copy(filled_store, tmp_path / "a")


@pytest.fixture
def desk_b(county_b_store, tmp_path):
    return store_copy(county_b_store, tmp_path / "b")


# ------------------------------------------------------------------------------------ tests
def test_the_shared_schema_has_a_table_for_every_desk_table(roles, schema):
    """Every record kind of the desk store has its shared table, keyed by county, with row-level security forced."""
    conn = pf.connect(roles)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c JOIN "
                        "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
                        (schema,))
            tables = {r[0]: (r[1], r[2]) for r in cur.fetchall()}
    finally:
        conn.close()
    for table in pg_prefecture.TABLES:
        assert tables[table.name] == (True, True), table.name
    desk_tables = {t.desk for t in pg_prefecture.TABLES}
    # the desk tables that hold records (not the desk's own bookkeeping) are all shared
    own = {"tg_meta", "tg_schema_migrations", "tg_coding_undo", "tg_publish_row", "tg_publish_mark",
           "tg_publish_run", "tg_change_log", "tg_case", "tg_case_event",
           "tg_warning_post"}  # the post register stays on the desk for now
    assert desk_tables | own >= set(_desk_tables())


def _desk_tables() -> list[str]:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        store = GpkgStore(Path(tmp) / "t.gpkg")
        try:
            return [r[0] for r in store.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'tg\\_%' ESCAPE '\\'")]
        finally:
            store.close()


def test_two_counties_publish_and_each_role_sees_its_scope(roles, schema, desk_a, desk_b):
    report_a = pf.publish_as(roles, DESK_A, schema, desk_a)
    report_b = pf.publish_as(roles, DESK_B, schema, desk_b)
    assert not report_a.mismatched and not report_b.mismatched
    codes_a, codes_b = pf.desk_count(desk_a, "tg_space_code"), pf.desk_count(desk_b, "tg_space_code")
    assert report_a.tables["space_codes"].upstream == codes_a > 0
    assert report_b.tables["space_codes"].upstream == codes_b > 0
    for table in ("tasks", "tracks", "track_fixes", "grid_cells", "officers", "coverage_rates"):
        assert report_a.tables[table].upstream == report_a.tables[table].desk > 0, table
    # the 州 reads both counties; each county only its own
    assert _count(roles, ZHOU, schema, "space_codes") == codes_a + codes_b
    assert _count(roles, DESK_A, schema, "space_codes") == codes_a
    assert _count(roles, DESK_A, schema, "space_codes", "WHERE county_code = %s", (COUNTY_B,)) == 0
    assert _count(roles, DESK_B, schema, "space_codes") == codes_b
    assert _count(roles, DESK_B, schema, "tasks") == pf.desk_count(desk_b, "tg_task")
    # the township role reads its township's codes, and the county's runs
    township = pf.desk_count(desk_a, "tg_space_code", f"WHERE code LIKE '{TOWNSHIP_A}%'")
    assert 0 < township < codes_a
    assert _count(roles, XIANG, schema, "space_codes") == township
    assert _count(roles, XIANG, schema, "coding_runs") == pf.desk_count(desk_a, "tg_coding_run")
    assert _count(roles, XIANG, schema, "track_fixes", "WHERE NOT starts_with(grid_code, %s)", (TOWNSHIP_A,)) == 0
    # cases: the county's desk exported them; the 州 reads them too, the other county does not
    cases_a = pf.desk_count(desk_a, "tg_case")
    assert report_a.cases and _count(roles, ZHOU, schema, "cases") == cases_a > 0
    assert _count(roles, DESK_B, schema, "cases") == 0
    assert 0 < _count(roles, XIANG, schema, "cases") < cases_a


def test_readers_cannot_write_and_a_county_cannot_publish_another(roles, schema, desk_a):
    pf.publish_as(roles, DESK_A, schema, desk_a)
    for user in (ZHOU, XIANG, DESK_B):  # the readers, and county B's publisher in county A
        conn = pf.connect(roles, user)
        try:
            with conn.cursor() as cur, pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(sql.SQL("INSERT INTO {}.patrols (county_code, patrol_id, grid_code, started_at, source) "
                                    "VALUES (%s, 'x', %s, '2025-06-01T00:00:00Z', 'manual')").format(
                    sql.Identifier(schema)), (COUNTY_A, TOWNSHIP_A))
        finally:
            conn.close()
    with pytest.raises(PublishError) as err:
        pf.publish_as(roles, DESK_B, schema, desk_a)  # B's role with A's store: refused before anything is sent
    assert err.value.kind == "not_publisher" and err.value.details == {"role_county": COUNTY_B, "county": COUNTY_A}
    assert _count(roles, DESK_B, schema, "space_codes") == 0


def test_publishing_again_sends_nothing_and_a_days_changes_only_those(roles, schema, desk_a):
    first = pf.publish_as(roles, DESK_A, schema, desk_a)
    assert first.tables["space_codes"].sent == first.tables["space_codes"].desk
    again = pf.publish_as(roles, DESK_A, schema, desk_a)
    assert sum(t.sent for t in again.tables.values()) == 0 and again.batches == 0
    codes = pf.a_days_work(desk_a)  # a day's work: three codes retired, a patrol recorded
    day = pf.publish_as(roles, DESK_A, schema, desk_a)
    assert day.tables["space_codes"].sent == 3 and day.tables["space_codes"].updated == 3
    assert day.tables["patrols"].sent == 1 and day.tables["patrols"].inserted == 1
    assert sum(t.sent for n, t in day.tables.items() if n not in ("space_codes", "patrols")) == 0
    assert _count(roles, DESK_A, schema, "space_codes", "WHERE status = 'retired' AND code = ANY(%s)",
                  (codes,)) == 3
    # the change is in the shared history, with who made it
    conn = pf.connect(roles, DESK_A)
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("SELECT row_key->>'code', changes ? 'status', changed_by FROM {}.row_changes "
                                "WHERE table_name = 'space_codes' ORDER BY 1").format(sql.Identifier(schema)))
            assert cur.fetchall() == [(c, True, DESK_A) for c in sorted(codes)]
    finally:
        conn.close()


def test_a_killed_publish_resumes_with_nothing_duplicated(roles, schema, desk_a):
    class KilledError(Exception):
        pass

    store = GpkgStore(desk_a, create=False)
    pgs = pf.as_role(roles, DESK_A, schema)

    def kill(table, n):
        if table == "space_codes" and n >= 3:
            pgs.conn.close()  # the connection drops under the publish
            raise KilledError()

    try:
        with pytest.raises(KilledError):
            publish(store, pgs, batch_rows=2000, after_batch=kill)
        partial = _count(roles, DESK_A, schema, "space_codes")
        assert 0 < partial < pf.desk_count(desk_a, "tg_space_code") and partial % 2000 == 0
        report = publish(store, pgs, batch_rows=2000)
    finally:
        pgs.close()
        store.close()
    assert report.tables["space_codes"].sent == pf.desk_count(desk_a, "tg_space_code") - partial
    assert not report.mismatched
    for table, entry in report.tables.items():
        assert entry.upstream == entry.desk, table


def test_a_contradicting_code_history_is_refused_before_anything_is_written(roles, schema, desk_a):
    with pf.desk_write(desk_a) as conn:
        retired = conn.execute("SELECT code FROM tg_space_code WHERE status = 'active' ORDER BY code DESC "
                               "LIMIT 1").fetchone()[0]
        conn.execute("UPDATE tg_space_code SET status = 'retired', retire_reason = 'undone' WHERE code = ?",
                     (retired,))
    pf.publish_as(roles, DESK_A, schema, desk_a)
    before = {t.name: _count(roles, DESK_A, schema, t.name) for t in pg_prefecture.TABLES}
    with pf.desk_write(desk_a) as conn:
        reissued = conn.execute("SELECT code FROM tg_space_code WHERE status = 'active' ORDER BY code "
                                "LIMIT 1").fetchone()[0]
        conn.execute("UPDATE tg_space_code SET coded_at = '2026-01-01T00:00:00Z', run_id = 'OTHER' WHERE code = ?",
                     (reissued,))
        conn.execute("UPDATE tg_space_code SET status = 'active', retire_reason = NULL WHERE code = ?", (retired,))
        conn.execute("INSERT INTO tg_patrol (patrol_id, grid_code, started_at, source) VALUES "
                     "('P-LATE', ?, '2025-07-02T01:00:00Z', 'manual')", (TOWNSHIP_A + "00101",))
    with pytest.raises(HistoryConflictError) as err:
        pf.publish_as(roles, DESK_A, schema, desk_a)
    assert {(c.code, c.reason) for c in err.value.conflicts} == {(reissued, REISSUED), (retired, REACTIVATED)}
    assert {t.name: _count(roles, DESK_A, schema, t.name) for t in pg_prefecture.TABLES} == before


def _refused(params, user, schema_name, statement, args=(), as_owner=False) -> str:
    """The SQLSTATE with which ``statement`` is refused for ``user`` (as the schema's owner when ``as_owner``)."""
    conn = pf.connect(params, user)
    try:
        with conn.cursor() as cur:
            if as_owner:
                cur.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(pg_schema.owner_role(schema_name))))
            with pytest.raises(psycopg2.Error) as err:
                cur.execute(sql.SQL(statement).format(s=sql.Identifier(schema_name)), args)
            return err.value.pgcode
    finally:
        conn.close()


def test_the_database_keeps_history_against_everyone(roles, schema, desk_a):
    pf.publish_as(roles, DESK_A, schema, desk_a)
    conn = pf.connect(roles, DESK_A)
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("SELECT code FROM {}.space_codes WHERE status = 'active' LIMIT 1").format(
                sql.Identifier(schema)))
            code = cur.fetchone()[0]
            cur.execute(sql.SQL("SELECT file_hash FROM {}.track_fixes LIMIT 1").format(sql.Identifier(schema)))
            fixes = cur.fetchone()[0]
    finally:
        conn.close()
    # a desk may not touch a code's identity (no grant) nor delete anything
    assert _refused(roles, DESK_A, schema, "UPDATE {s}.space_codes SET coded_at = 'x' WHERE code = %s", (code,)) \
        == "42501"
    assert _refused(roles, DESK_A, schema, "DELETE FROM {s}.tasks") == "42501"
    # the owner neither: triggers, not grants
    owner = {"as_owner": True}
    assert _refused(roles, ADMIN, schema, "UPDATE {s}.space_codes SET coded_at = 'x' WHERE code = %s", (code,),
                    **owner) == "TG100"
    assert _refused(roles, ADMIN, schema, "DELETE FROM {s}.space_codes WHERE code = %s", (code,), **owner) == "TG100"
    assert _refused(roles, ADMIN, schema, "DELETE FROM {s}.track_fixes WHERE file_hash = %s", (fixes,),
                    **owner) == "TG100"
    assert _refused(roles, ADMIN, schema, "TRUNCATE {s}.track_fixes", **owner) == "TG100"
    # a retired code stays retired, even for the owner
    conn = pf.connect(roles, ADMIN)
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(pg_schema.owner_role(schema))))
            cur.execute(sql.SQL("UPDATE {s}.space_codes SET status = 'retired' WHERE code = %s").format(
                s=sql.Identifier(schema)), (code,))
    finally:
        conn.close()
    assert _refused(roles, ADMIN, schema, "UPDATE {s}.space_codes SET status = 'active' WHERE code = %s", (code,),
                    **owner) == "TG101"


def test_an_old_schema_and_a_role_without_county_are_refused_in_words(roles, schema, desk_a):
    with pytest.raises(PublishError) as err:
        pf.publish_as(roles, DESK_A, schema + "_missing", desk_a)
    assert err.value.kind == "old_schema"


def test_evidence_files_go_up_content_addressed_and_a_changed_file_stays_down(roles, schema, desk_a, tmp_path):
    import hashlib

    from linxia_tianguan_plugin.storage.evidence import add_evidence, evidence_path
    from tests.unit.test_evidence import photo

    store = GpkgStore(desk_a, create=False)
    try:
        case_id = store.conn.execute("SELECT case_id FROM tg_case ORDER BY case_id LIMIT 1").fetchone()[0]
        files = []
        for k in range(3):
            path = tmp_path / f"IMG_{k}.jpg"
            path.write_bytes(photo(taken=f"2025:06:10 09:3{k}:00"))
            files.append(path)
        rows = add_evidence(store, case_id, files, "田管员甲", at="2025-06-20T02:00:00Z")
        # one stored file changes on the desk's disk after it was stored (a mistaken edit)
        tampered = evidence_path(store, rows[2]["rel_path"])
        tampered.write_bytes(tampered.read_bytes() + b"edited")
    finally:
        store.close()
    report = pf.publish_as(roles, DESK_A, schema, desk_a)
    assert report.tables["evidence"].sent == report.tables["evidence"].desk >= 3
    assert report.evidence_files == 2 and len(report.evidence_problems) == 1
    assert rows[2]["rel_path"] in report.evidence_problems[0]
    conn = pf.connect(roles, ZHOU)
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("SELECT sha256, content FROM {}.evidence_files ORDER BY sha256").format(
                sql.Identifier(schema)))
            held = cur.fetchall()
    finally:
        conn.close()
    assert sorted(r["sha256"] for r in rows[:2]) == [sha for sha, _ in held]
    assert all(hashlib.sha256(bytes(content)).hexdigest() == sha for sha, content in held)
    # never overwritten: a second publish sends nothing more, and the database refuses another content
    again = pf.publish_as(roles, DESK_A, schema, desk_a)
    assert again.evidence_files == 0
    conn = pf.connect(roles, DESK_A)
    try:
        with conn.cursor() as cur, pytest.raises(psycopg2.Error) as err:
            cur.execute(sql.SQL("INSERT INTO {}.evidence_files (county_code, sha256, size, content) VALUES "
                                "(%s, %s, 3, 'abc')").format(sql.Identifier(schema)), (COUNTY_A, "0" * 64))
        assert err.value.pgcode == "23514"  # the hash check
    finally:
        conn.close()


def test_a_days_publish_reads_the_change_log_and_a_lost_trigger_falls_back_to_the_whole_table(roles, schema, desk_a):
    from linxia_tianguan_plugin.storage import publish as pub

    pf.publish_as(roles, DESK_A, schema, desk_a)
    with pf.desk_write(desk_a) as conn:
        assert conn.execute("SELECT count(*) FROM tg_change_log").fetchone()[0] == 0  # pruned: every change seen
        task = conn.execute("SELECT task_id FROM tg_task ORDER BY task_id LIMIT 1").fetchone()[0]
        conn.execute("UPDATE tg_task SET officer = '新田管员' WHERE task_id = ?", (task,))
        logged = conn.execute("SELECT tbl, count(*) FROM tg_change_log GROUP BY tbl").fetchall()
    assert logged == [("tasks", 1)]
    store = GpkgStore(desk_a, create=False)
    try:
        target = store.conn.execute("SELECT DISTINCT target FROM tg_publish_row").fetchone()[0]
        tasks = pg_prefecture.BY_NAME["tasks"]
        plan = pub.changed_keys(store, target, tasks, logged=True)
        assert plan.keys == {task} and len(plan.rowids) == 1 and plan.total > 1000
    finally:
        store.close()
    # another tool rebuilt the task table's triggers away: the next publish compares the whole table, and still
    # finds the change made while nothing was logging
    with pf.desk_write(desk_a) as conn:
        conn.execute('DROP TRIGGER "tg_log_tg_task_update"')
        conn.execute("UPDATE tg_task SET phone = '13900000000' WHERE task_id = ?", (task,))
    report = pf.publish_as(roles, DESK_A, schema, desk_a)
    assert report.tables["tasks"].sent == 1 and report.tables["tasks"].updated == 1
    conn = pf.connect(roles, DESK_A)
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("SELECT officer, phone FROM {}.tasks WHERE task_id = %s").format(
                sql.Identifier(schema)), (task,))
            assert cur.fetchone() == ("新田管员", "13900000000")
    finally:
        conn.close()
    with pf.desk_write(desk_a) as conn:  # the trigger is back
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'tg_log_tg_task_update'").fetchone()[0]
