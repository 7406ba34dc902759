"""码上查: a parcel's status rule, the store readers (tracks near it, its cases) and 解析空间码's new outputs, on the
filled store, checked against independent sqlite3/OGR/shapely computations."""
from __future__ import annotations

import json

import pytest
import shapely
from osgeo import ogr

from linxia_tianguan_plugin.core.patrol import parcel_status as rules
from linxia_tianguan_plugin.core.patrol.tasks import DONE, OPEN, OVERDUE
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage import parcel_history as ph
from tests.helpers import run, sql_rows

AS_OF = "2025-06-20T12:00:00+08:00"


def test_precedence_red_blue_yellow_green():
    assert rules.parcel_status(["pending", "enforcing"], OVERDUE) == rules.CASE
    assert rules.parcel_status(["returned"], DONE) == rules.CASE
    assert rules.parcel_status(["enforcing", "rectified", "closed"], OVERDUE) == rules.RECTIFYING
    assert rules.parcel_status(["closed"], OVERDUE) == rules.OVERDUE
    assert rules.parcel_status(["closed"], DONE) == rules.CLEAN
    assert rules.parcel_status([], None) == rules.CLEAN
    assert set(rules.STATUS_ZH) == set(rules.COLOURS) == set(rules.PRECEDENCE)


def test_the_current_open_period_decides_nothing():
    assert rules.deciding_task_status([DONE, OVERDUE, OPEN]) == OVERDUE
    assert rules.deciding_task_status([OVERDUE, DONE, OPEN]) == DONE
    assert rules.deciding_task_status([OPEN]) is None and rules.deciding_task_status([]) is None


def _geoms(path, table, key):
    ds = ogr.Open(str(path))
    layer = ds.GetLayerByName(table)
    return {f.GetField(key): shapely.from_wkb(bytes(f.GetGeometryRef().ExportToWkb())) for f in layer}


@pytest.fixture(scope="module")
def parcels(filled_store):
    """Three parcels of the filled store: one with an enforcing case, one with a pending case and tracks near it,
    one whose only case is closed."""
    cases = sql_rows(filled_store, "SELECT state, parcel_codes FROM tg_case ORDER BY case_id")
    by_state = {}
    for state, codes in cases:
        by_state.setdefault(state, []).extend(json.loads(codes))
    tracks = _geoms(filled_store, "tg_track", "track_id")
    lines = shapely.GeometryCollection(list(tracks.values()))
    ds = ogr.Open(str(filled_store))
    layer = ds.GetLayerByName("tg_space_code")
    near_pending = None
    for code in by_state["pending"]:
        layer.SetAttributeFilter(f"code = '{code}'")
        f = layer.GetNextFeature()
        if shapely.distance(shapely.from_wkb(bytes(f.GetGeometryRef().ExportToWkb())), lines) <= 50:
            near_pending = code
            break
    assert near_pending, "no pending case near a track in the sample"
    return {"enforcing": by_state["enforcing"][0], "pending": near_pending, "closed": by_state["closed"][0]}


def test_tracks_near_match_a_brute_force_distance(filled_store, parcels):
    tracks = _geoms(filled_store, "tg_track", "track_id")
    code = parcels["pending"]
    ds = ogr.Open(str(filled_store))
    layer = ds.GetLayerByName("tg_space_code")
    layer.SetAttributeFilter(f"code = '{code}'")
    feature = layer.GetNextFeature()
    parcel = shapely.from_wkb(bytes(feature.GetGeometryRef().ExportToWkb()))
    expected = {tid for tid, line in tracks.items() if shapely.distance(line, parcel) <= 50}
    store = GpkgStore(filled_store, create=False, read_only=True)
    try:
        found = ph.tracks_near(store, ph.parcel_geometry(store, code))
        cases = ph.cases_of(store, code)
    finally:
        store.close()
    assert expected and {t["track_id"] for t in found} == expected
    assert all(t["distance_m"] <= 50 for t in found)
    independent = {r[0] for r in sql_rows(
        filled_store, "SELECT case_id FROM tg_case, json_each(tg_case.parcel_codes) WHERE json_each.value = ?",
        (code,))}
    assert {c["case_id"] for c in cases} == independent


def test_decode_gives_patrols_cases_and_status(filled_store, parcels):
    enforcing = run("linxia_tianguan:decode_space_code", {"CODE": parcels["enforcing"], "STORE": str(filled_store),
                                                          "AS_OF": AS_OF})
    assert enforcing["PARCEL_STATUS"] == rules.RECTIFYING and enforcing["CASES_OPEN"] == 1
    assert enforcing["PARCEL_STATUS_NAME"] == "整改中"
    pending = run("linxia_tianguan:decode_space_code", {"CODE": parcels["pending"], "STORE": str(filled_store),
                                                        "AS_OF": AS_OF, "HISTORY": "TEMPORARY_OUTPUT"})
    assert pending["PARCEL_STATUS"] == rules.CASE and pending["CASES_OPEN"] >= 1
    accepted = sql_rows(filled_store, "SELECT track_id, started_at FROM tg_track WHERE accepted = 1")
    store = GpkgStore(filled_store, create=False, read_only=True)
    try:
        near = {t["track_id"] for t in ph.tracks_near(store, ph.parcel_geometry(store, parcels["pending"]))}
        events = ph.case_events(store, [c["case_id"] for c in ph.cases_of(store, parcels["pending"])])
    finally:
        store.close()
    assert pending["PATROLS"] == len(near & {r[0] for r in accepted}) > 0
    assert pending["LAST_PATROL"][:10] >= "2025-06-09"
    rows = [f.attributes() for f in pending["HISTORY"].getFeatures()]
    assert len(rows) == len(near) + len(events)
    assert {r[2] for r in rows} == {"巡田", "案件事件"} and all(r[0] == parcels["pending"] for r in rows)
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)


def test_a_parcel_whose_cases_are_closed_follows_its_groups_tasks(filled_store, parcels):
    code = parcels["closed"]
    result = run("linxia_tianguan:decode_space_code", {"CODE": code, "STORE": str(filled_store), "AS_OF": AS_OF})
    # independent: week 9–15 June (the last decided one on 20 June, 16–22 June still open) of the group
    done_last_week = sql_rows(
        filled_store, "SELECT count(*) FROM tg_patrol WHERE grid_code = ? AND valid = 1 AND "
        "date(started_at, '+8 hours') BETWEEN '2025-06-09' AND '2025-06-15'", (code[:14],))[0][0]
    assert result["CASES_OPEN"] == 0
    assert result["PARCEL_STATUS"] == (rules.CLEAN if done_last_week else rules.OVERDUE)
