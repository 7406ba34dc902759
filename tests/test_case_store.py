"""Cases in the GeoPackage 田管库 moving through the workflow: every move appends an event, the state
column always equals the state rebuilt from the events, forbidden moves write nothing, and two desks
acting on the same case from their own connections get a conflict instead of overwriting each other."""
from __future__ import annotations

import sqlite3

import pytest
import shapely

from linxia_tianguan_plugin.core import case_workflow as wf
from linxia_tianguan_plugin.core.case_keys import case_key, case_uuid
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage.cases import case_events, cases, rebuilt_state, save_cases, take_action


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
