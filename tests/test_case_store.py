"""Cases in the GeoPackage 田管库 moving through the workflow: every move appends an event, the state
column always equals the state rebuilt from the events, forbidden moves write nothing, and two desks
acting on the same case from their own connections get a conflict instead of overwriting each other."""
from __future__ import annotations

import sqlite3

import pytest
import shapely

from linxia_tianguan_plugin.core.cases import workflow as wf
from linxia_tianguan_plugin.core.cases.keys import case_key, case_uuid
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage.cases import case_events, cases, rebuilt_state, save_cases, take_action
from tests.pg_cluster import pg  # noqa: F401


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "tianguan.gpkg"
    store = GpkgStore(path)
    try:
        rows = []
        for k in range(2):
            geom = shapely.box(34590000 + 100 * k, 3924000, 34590050 + 100 * k, 3924040)
            key = case_key("survey", f"B{k}", "", "nonagri", "0702", "", geom)
            rows.append({"case_key": key, "case_id": case_uuid(key), "kind": "nonagri", "category": "suspect",
                         "reasons": ["on_basic_farmland"], "source": "survey", "area_m2": geom.area, "geom": geom})
        new, known = save_cases(store, rows, "BHTEST", "2025.1", {}, {}, {})
        assert len(new) == 2 and known == []
    finally:
        store.close()
    return path


def _case(path, k=0) -> dict:
    store = GpkgStore(path, create=False)
    try:
        return sorted(cases(store), key=lambda c: c["bsm_before"] or "")[k]
    finally:
        store.close()


def _act(path, *args):
    store = GpkgStore(path, create=False)
    try:
        return take_action(store, *args)
    finally:
        store.close()


def _check_consistent(path, case_id) -> str:
    store = GpkgStore(path, create=False)
    try:
        state = store.conn.execute("SELECT state FROM tg_case WHERE case_id = ?", (case_id,)).fetchone()[0]
        assert rebuilt_state(store, case_id) == state
        return state
    finally:
        store.close()


def test_the_whole_loop_with_a_return(store_path):
    case = _case(store_path)
    cid, version = case["case_id"], case["version"]
    steps = [("issue", "县审核员", wf.COUNTY_REVIEWER, "", ()),
             ("submit_evidence", "田管员甲", wf.GROUP_OFFICER, "现场已建房", ("photos/1.jpg",)),
             ("report", "村田管员", wf.VILLAGE_TOWNSHIP, "", ()),
             ("return", "县审核员", wf.COUNTY_REVIEWER, "照片看不清四至", ()),
             ("submit_evidence", "田管员甲", wf.GROUP_OFFICER, "补拍", ("photos/2.jpg",)),
             ("report", "村田管员", wf.VILLAGE_TOWNSHIP, "", ()),
             ("approve", "县审核员", wf.COUNTY_REVIEWER, "", ()),
             ("start_enforcement", "执法队", wf.ENFORCEMENT, "", ()),
             ("report_rectified", "田管员甲", wf.GROUP_OFFICER, "已拆除复耕", ("photos/3.jpg",)),
             ("close", "县审核员", wf.COUNTY_REVIEWER, "", ())]
    for action, actor, role, comment, files in steps:
        result = _act(store_path, cid, action, actor, role, version, comment, files)
        version = result["version"]
        assert _check_consistent(store_path, cid) == result["state"]
    store = GpkgStore(store_path, create=False)
    try:
        events = case_events(store, cid)
    finally:
        store.close()
    assert [e["to_state"] for e in events] == ["pending", "issued", "evidenced", "reported", "returned", "evidenced",
                                               "reported", "approved", "enforcing", "rectified", "closed"]
    assert events[4]["comment"] == "照片看不清四至" and '"photos/2.jpg"' in events[5]["attachments"]
    assert _case(store_path)["version"] == 1 + len(steps)


@pytest.mark.parametrize("action, role, comment, files, code", [
    ("approve", wf.COUNTY_REVIEWER, "", (), "not_allowed"),          # pending cannot be approved
    ("issue", wf.GROUP_OFFICER, "", (), "not_allowed"),              # an officer does not issue
    ("nonsense", wf.COUNTY_REVIEWER, "", (), "unknown_action"),
])
def test_a_forbidden_move_writes_nothing(store_path, action, role, comment, files, code):
    case = _case(store_path)
    with pytest.raises(wf.WorkflowError) as err:
        _act(store_path, case["case_id"], action, "某人", role, case["version"], comment, files)
    assert err.value.code == code
    after = _case(store_path)
    assert (after["state"], after["version"]) == ("pending", case["version"])
    store = GpkgStore(store_path, create=False)
    try:
        assert len(case_events(store, case["case_id"])) == 1
    finally:
        store.close()


def test_two_desks_approving_the_same_case_one_gets_a_conflict(store_path):
    case = _case(store_path)
    cid = case["case_id"]
    desk_a, desk_b = GpkgStore(store_path, create=False), GpkgStore(store_path, create=False)
    try:
        read_a, read_b = case["version"], case["version"]  # both desks show the case at the same version
        take_action(desk_a, cid, "issue", "审核员A", wf.COUNTY_REVIEWER, read_a)
        with pytest.raises(wf.ConflictError) as err:
            take_action(desk_b, cid, "issue", "审核员B", wf.COUNTY_REVIEWER, read_b)
        assert err.value.code == "conflict" and err.value.actual == read_b + 1
        # the second desk reloads and continues from the fresh state
        fresh = _case(store_path)
        assert fresh["state"] == "issued" and fresh["version"] == err.value.actual
    finally:
        desk_a.close()
        desk_b.close()
    store = GpkgStore(store_path, create=False)
    try:
        assert [e["actor"] for e in case_events(store, cid)] == ["system", "审核员A"]
    finally:
        store.close()


def test_events_cannot_be_changed_or_deleted(store_path):
    case = _case(store_path)
    store = GpkgStore(store_path, create=False)
    try:
        for sql in ("UPDATE tg_case_event SET comment = 'x'", "DELETE FROM tg_case_event"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                with store.transaction() as conn:
                    conn.execute(sql)
        assert len(case_events(store, case["case_id"])) == 1
    finally:
        store.close()


# ------------------------------------------------------------------------------------ case numbers (issue 16)
GROUP_A, GROUP_B = "62292110100101", "62292210100101"  # groups of counties 622921 and 622922


def _candidate(k: int, grid: str) -> dict:
    geom = shapely.box(34590000 + 100 * k, 3925000, 34590050 + 100 * k, 3925040)
    key = case_key("survey", f"N{k}", "", "nonagri", "0702", "", geom)
    return {"case_key": key, "case_id": case_uuid(key), "kind": "nonagri", "category": "suspect", "source": "survey",
            "area_m2": geom.area, "grid_code": grid, "geom": geom}


def _numbers(path) -> dict[str, str]:
    store = GpkgStore(path, create=False)
    try:
        return dict(store.conn.execute("SELECT case_id, case_no FROM tg_case"))
    finally:
        store.close()


def test_case_numbers_follow_county_year_and_detection_order_and_never_change(tmp_path):
    path = tmp_path / "numbers.gpkg"
    first = [_candidate(0, GROUP_A), _candidate(1, GROUP_B), _candidate(2, GROUP_A)]
    store = GpkgStore(path)
    try:
        save_cases(store, first, "BH1", "2025.1", {}, {}, {})
        second = [first[0], _candidate(3, GROUP_A), _candidate(4, "")]  # a known case, a new one, one without codes
        new, known = save_cases(store, second, "BH2", "2025.1", {}, {}, {})
        assert len(new) == 2 and known == [first[0]["case_id"]]
    finally:
        store.close()
    year = "2026"  # the tests' clock: 18 March 2026, Beijing time
    assert _numbers(path) == {first[0]["case_id"]: f"622921-{year}-0001", first[1]["case_id"]: f"622922-{year}-0001",
                              first[2]["case_id"]: f"622921-{year}-0002", second[1]["case_id"]: f"622921-{year}-0003",
                              second[2]["case_id"]: f"000000-{year}-0001"}
    assert _case(path, 0)["case_no"] in _numbers(path).values()  # read back with the case
    store = GpkgStore(path, create=False)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="never changed"):
            with store.transaction() as conn:
                conn.execute("UPDATE tg_case SET case_no = '622921-2026-9999' WHERE case_id = ?",
                             (first[0]["case_id"],))
        take_action(store, first[0]["case_id"], "issue", "审核员", wf.COUNTY_REVIEWER, 1)  # moves keep the number
    finally:
        store.close()
    assert _numbers(path)[first[0]["case_id"]] == f"622921-{year}-0001"


def test_migration_13_numbers_existing_cases_in_detection_order(tmp_path):
    from linxia_tianguan_plugin.storage.migrations import LATEST

    path = tmp_path / "old.gpkg"
    old = GpkgStore(path, target_version=12)
    rows = [  # (grid, detected_at UTC) in insertion order; the last is 2026 in Beijing time
        (GROUP_A, "2025-07-01T02:00:00Z"), (GROUP_A, "2025-06-01T02:00:00Z"), (GROUP_B, "2025-06-01T02:00:00Z"),
        (GROUP_A, "2025-06-01T02:00:00Z"), (GROUP_A, "2025-12-31T17:00:00Z")]
    ids = []
    try:
        with old.transaction() as conn:
            for k, (grid, at) in enumerate(rows):
                cid = f"00000000-0000-5000-8000-{k:012d}"
                ids.append(cid)
                conn.execute("INSERT INTO tg_case (case_id, case_key, kind, category, source, area_m2, grid_code, "
                             "rules_version, run_id, detected_at, updated_at) VALUES (?, ?, 'nonagri', 'suspect', "
                             "'survey', 1.0, ?, '2025.1', 'R', ?, ?)", (cid, f"key{k}", grid, at, at))
        assert old.schema_version == 12
    finally:
        old.close()
    GpkgStore(path, create=False).close()  # opened for writing: migrated
    store = GpkgStore(path, create=False)
    try:
        assert store.schema_version == LATEST >= 13
    finally:
        store.close()
    assert _numbers(path) == {ids[1]: "622921-2025-0001", ids[3]: "622921-2025-0002", ids[0]: "622921-2025-0003",
                              ids[2]: "622922-2025-0001", ids[4]: "622921-2026-0001"}


# ------------------------------------------------------------------------------------ recall (issue 16)
def test_a_mistaken_issue_is_recalled_with_a_reason_and_not_after_evidence(store_path):
    case = _case(store_path)
    cid = case["case_id"]
    issued = _act(store_path, cid, "issue", "审核员", wf.COUNTY_REVIEWER, 1)
    with pytest.raises(wf.WorkflowError) as err:
        _act(store_path, cid, "recall", "审核员", wf.COUNTY_REVIEWER, issued["version"], " ")
    assert err.value.code == "needs_comment"
    back = _act(store_path, cid, "recall", "审核员", wf.COUNTY_REVIEWER, issued["version"], "下发错了乡镇")
    assert back == {"state": "pending", "version": 3, "updated_at": back["updated_at"]}
    assert _check_consistent(store_path, cid) == "pending"
    again = _act(store_path, cid, "issue", "审核员", wf.COUNTY_REVIEWER, 3)
    evidenced = _act(store_path, cid, "submit_evidence", "田管员", wf.GROUP_OFFICER, again["version"], "",
                     ("photos/1.jpg",))
    with pytest.raises(wf.WorkflowError) as err:
        _act(store_path, cid, "recall", "审核员", wf.COUNTY_REVIEWER, evidenced["version"], "太晚了")
    assert err.value.code == "not_allowed"
    store = GpkgStore(store_path, create=False)
    try:
        events = case_events(store, cid)
    finally:
        store.close()
    assert [e["to_state"] for e in events] == ["pending", "issued", "pending", "issued", "evidenced"]
    assert events[2]["comment"] == "下发错了乡镇" and _case(store_path)["version"] == 5


def test_postgis_takes_the_case_number_and_the_recall(tmp_path, pg):  # noqa: F811
    """v5 of the PostGIS schema: the desk's case number comes with the exported case (through create_cases) and is
    never changed there; move_case accepts 已下发 → 待下发 (a desk's recall replayed by the export, and a move on
    PostGIS) and refuses it once evidence is in, even when the plugin's own check is bypassed."""
    import psycopg2
    from psycopg2 import sql

    from linxia_tianguan_plugin.storage import pg_schema
    from linxia_tianguan_plugin.storage.postgis import PgStore

    assert "case_no" not in pg_schema.DESK_UPDATE_COLUMNS  # desks set it only through create_cases
    path = tmp_path / "desk.gpkg"
    store = GpkgStore(path)
    try:
        save_cases(store, [_candidate(k, GROUP_A) for k in range(3)], "BH1", "2025.1", {}, {}, {})
        rows = cases(store)
        recalled, fresh, late = (r["case_id"] for r in rows)
        take_action(store, recalled, "issue", "审核员", wf.COUNTY_REVIEWER, 1)
        take_action(store, recalled, "recall", "审核员", wf.COUNTY_REVIEWER, 2, "下发错了")
        rows = cases(store)
        events = {r["case_id"]: case_events(store, r["case_id"]) for r in rows}
    finally:
        store.close()
    schema = "tg_case_store_v5"
    with PgStore(pg, schema=schema) as remote:
        assert remote.migrate() == pg_schema.LATEST >= 5
        counts = remote.export_cases(rows, events)
        assert counts["inserted"] == 3 and counts["events_inserted"] == 5
        got = {c["case_id"]: c for c in remote.cases()}
        assert {cid: c["case_no"] for cid, c in got.items()} == {r["case_id"]: r["case_no"] for r in rows}
        assert got[recalled]["state"] == "pending" and got[recalled]["version"] == 3
        assert remote.rebuilt_state(recalled) == "pending"
        issued = remote.take_action(fresh, "issue", "审核员", wf.COUNTY_REVIEWER, 1)
        assert remote.take_action(fresh, "recall", "审核员", wf.COUNTY_REVIEWER, issued["version"],
                                  "批量下发有误")["state"] == "pending"
        assert remote.case_events(fresh)[-1]["comment"] == "批量下发有误"
        remote.take_action(late, "issue", "审核员", wf.COUNTY_REVIEWER, 1)
        remote.take_action(late, "submit_evidence", "田管员", wf.GROUP_OFFICER, 2, "", ["p.jpg"])
        with pytest.raises(wf.WorkflowError) as err:
            remote.take_action(late, "recall", "审核员", wf.COUNTY_REVIEWER, 3, "太晚了")
        assert err.value.code == "not_allowed"
    with psycopg2.connect(**pg) as conn, conn.cursor() as cur:
        t = sql.Identifier(schema)
        cur.execute(sql.SQL("SELECT source, roles, needs_comment FROM {}.transitions WHERE action = 'recall'"
                            ).format(t))
        assert cur.fetchall() == [("issued", ["county_reviewer"], True)]
        with pytest.raises(psycopg2.Error) as refused:  # the database itself, without the plugin's check
            cur.execute(sql.SQL("SELECT {}.move_case(%s::uuid, 'pending', 3, '太晚了')").format(t), (late,))
        assert refused.value.pgcode == pg_schema.ERR_NOT_ALLOWED
        conn.rollback()
        with pytest.raises(psycopg2.Error, match="never changed"):
            cur.execute(sql.SQL("UPDATE {}.cases SET case_no = 'x' WHERE case_id = %s").format(t), (late,))
        conn.rollback()
