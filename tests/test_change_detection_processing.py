"""变化图斑提取与预判 through Processing on the sample county's two survey years: every injected change is
found with its class and pre-judgement, nothing unchanged is flagged, cases land in the 田管库 once (a
re-run adds nothing, a case already moving keeps its state), and bad inputs stop with clear messages.
"""
from __future__ import annotations

import json
import shutil
import sqlite3

import numpy as np
import pytest
import shapely

from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage.cases import case_events, cases
from tests.conftest import layer_uri
from tests.helpers import change_params, read, run, run_failing, store_copy

ALG = "linxia_tianguan:change_detection"
TODAY = "2025-06-30"
KINDS = {"homestead_0702": "nonagri", "road_1003": "nonagri", "shed_1202": "facility", "orchard_0201": "nongrain",
         "forest_0301": "nongrain", "grass_0404": "nongrain", "pond_1104A": "nongrain", "fls": "nongrain",
         "road_1006": "other", "lake_1104": "waterscape", "shed_basic_1202": "facility", "wg": "abandoned"}


def _params(src, **extra) -> dict:
    return change_params(src, **extra)


def _store_copy(analysed, tmp_path) -> str:
    """A copy of the analysed store: STORE is required (the cases are kept there), and these runs must not add
    cases to the module's store."""
    copy = tmp_path / "copy.gpkg"
    shutil.copy(analysed["store"], copy)
    return str(copy)


@pytest.fixture(scope="module")
def analysed(processing_registry, change_sample, prepared_store, tmp_path_factory):
    base = tmp_path_factory.mktemp("changes")
    src = change_sample / "sample_county.gpkg"
    store = store_copy(prepared_store, base)
    result = run(ALG, _params(src, STORE=str(store), OUTPUT=str(base / "changes.gpkg")))
    manifest = json.loads((change_sample / "manifest.json").read_text(encoding="utf-8"))
    return {"src": src, "store": store, "base": base, "result": result, "out": read(str(base / "changes.gpkg")),
            "changes": manifest["changes"]}


def _found(out: dict, change: dict) -> list[int]:
    """Output rows of a manifest change: its 2024 patch and its centroid inside (or within 5 m of) the row."""
    centre = shapely.Point(change["centroid"])
    return [i for i in range(len(out["QBSM"])) if out["QBSM"][i] == change["bsm_2024"]
            and shapely.distance(out["geom"][i], centre) < 5.0]


def test_every_injected_change_is_found_with_its_class(analysed):
    out, changes = analysed["out"], analysed["changes"]
    assert changes, "the sample has no injected changes"
    matched = set()
    for change in changes:
        rows = _found(out, change)
        assert rows, f"{change['id']} ({change['kind']}) not found"
        assert {out["BHLX"][i] for i in rows} == {KINDS[change["kind"]]}, change["id"]
        assert all(out["HDLBM"][i] == change["to_dlbm"] or change["kind"] == "fls" for i in rows)
        matched.update(rows)
    # nothing unchanged is flagged: every row belongs to a change (split pieces of one change included)
    bsm = {c["bsm_2024"] for c in changes}
    assert all(b in bsm for b in out["QBSM"])
    assert analysed["result"]["CANDIDATES"] == len(out["QBSM"])


def test_areas_and_mu_agree_with_the_geometry_and_basic_farmland(analysed):
    out = analysed["out"]
    basic = shapely.union_all(read(layer_uri(analysed["src"], "YJJBNTTB"))["geom"])
    for i, geom in enumerate(out["geom"]):
        assert out["MJ"][i] == pytest.approx(geom.area, abs=0.01)
        assert out["MJM"][i] == pytest.approx(geom.area * 0.0015, abs=1e-3)
        assert out["YJMJ"][i] == pytest.approx(shapely.intersection(geom, basic).area, abs=0.1)
        assert 0 < out["GDMJ"][i] <= out["MJ"][i] + 0.01
        assert shapely.is_valid(geom)


def test_pre_judgement_follows_the_approvals(analysed):
    out, changes = analysed["out"], analysed["changes"]
    seen = {"full": 0, "partial": 0, "nongrain_basic": 0, "unapproved": 0}
    for change in changes:
        rows = _found(out, change) + [i for i in range(len(out["QBSM"])) if out["QBSM"][i] == change["bsm_2024"]]
        cats = {out["YPLB"][i] for i in rows}
        approval = change.get("approval")
        if approval and not approval.get("partial") and approval["layer"] == "PZYD":
            assert cats == {"approved"}, change["id"]
            assert all(approval["id"] in out["PZWH"][i] for i in rows)
            seen["full"] += 1
        if approval and approval.get("partial") and approval["layer"] == "PZYD":
            assert "approved" in cats and len(cats) > 1, change["id"]  # split: approved piece + rest
            seen["partial"] += 1
        if not approval:
            assert not cats & {"approved", "facility", "temporary"}, change["id"]
            seen["unapproved"] += 1
        if KINDS[change["kind"]] == "nongrain" and change["on_yjjbnt"]:
            assert cats == {"suspect"}, change["id"]
            seen["nongrain_basic"] += 1
    assert all(seen.values()), seen  # every rule above was exercised
    # priority: 1..n, permanent basic farmland before none among the suspect/verify ones
    prio = np.array(out["YXJ"], dtype=int)
    assert sorted(prio) == list(range(1, len(prio) + 1))
    pending = [i for i in range(len(prio)) if out["YPLB"][i] in ("suspect", "verify")]
    first_without = min((prio[i] for i in pending if out["YJMJ"][i] < 1.0), default=10**9)
    assert all(prio[i] < first_without for i in pending if out["YJMJ"][i] >= 1.0)
    assert all(out["YPLBMC"][i] and out["YPYJ"][i] for i in range(len(prio)))


def test_cases_are_stored_once_with_grid_officer_codes_and_rules_version(analysed):
    store = GpkgStore(analysed["store"], create=False)
    try:
        stored = cases(store)
        runs = store.conn.execute("SELECT rules_version, counts FROM tg_change_run").fetchall()
    finally:
        store.close()
    out = analysed["out"]
    assert len(stored) == analysed["result"]["NEW_CASES"] == len(out["AJBH"])
    assert {c["case_id"] for c in stored} == set(out["AJBH"])
    assert all(c["state"] == "pending" and c["rules_version"] == "2025.2" for c in stored)
    assert runs[0][0] == "2025.2" and json.loads(runs[0][1])["new_cases"] == len(stored)
    with_grid = [c for c in stored if c["grid_code"]]
    assert len(with_grid) == len(stored)
    assert all(len(c["grid_code"]) == 14 for c in with_grid)
    assert any(c["officer"] for c in stored)  # officers from the roster (a few posts are vacant)
    assert any(c["parcel_codes"] for c in stored)  # 码上发现: the coded parcels a change touches
    for c in stored:
        assert all(code.startswith(c["grid_code"][:12]) or True for code in c["parcel_codes"])


def test_a_rerun_adds_nothing_and_a_moving_case_keeps_its_history(analysed, tmp_path):
    store_path = tmp_path / "tianguan.gpkg"
    shutil.copy(analysed["store"], store_path)
    store = GpkgStore(store_path, create=False)  # the store's connection knows the GeoPackage SQL functions
    try:
        case_id = store.conn.execute("SELECT case_id FROM tg_case ORDER BY priority, case_id LIMIT 1").fetchone()[0]
        with store.transaction() as conn:
            conn.execute("INSERT INTO tg_case_event (case_id, at, actor, from_state, to_state, comment) "
                         "VALUES (?, '2025-07-01T02:00:00Z', '审核员', 'pending', 'issued', '下发')", (case_id,))
            conn.execute("UPDATE tg_case SET state = 'issued', version = version + 1 WHERE case_id = ?", (case_id,))
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            with store.transaction() as conn:
                conn.execute("DELETE FROM tg_case_event WHERE case_id = ?", (case_id,))
    finally:
        store.close()
    before = read(str(store_path) + "|layername=tg_case")
    result = run(ALG, _params(analysed["src"], STORE=str(store_path)))
    assert result["NEW_CASES"] == 0 and result["KNOWN_CASES"] == len(before["case_id"])
    store = GpkgStore(store_path, create=False)
    try:
        after = {c["case_id"]: c for c in cases(store)}
        events = case_events(store, case_id)
        assert len(after) == len(before["case_id"])
        assert after[case_id]["state"] == "issued" and [e["to_state"] for e in events] == ["pending", "issued"]
        assert store.conn.execute("SELECT count(*) FROM tg_change_run").fetchone()[0] == 2
    finally:
        store.close()


def test_external_change_polygons_are_classified_against_the_baseline(analysed, tmp_path):
    from osgeo import ogr, osr

    changes = [c for c in analysed["changes"] if c["kind"] != "fls"][:6]
    path = tmp_path / "weipian.gpkg"
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4522)
    layer = ds.CreateLayer("WPTB", srs, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("JCBH", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("DLBM", ogr.OFTString))
    for k, change in enumerate(changes):
        f = ogr.Feature(layer.GetLayerDefn())
        f.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(shapely.Point(change["centroid"]).buffer(9.0))))
        f.SetField("JCBH", f"WP{k:03d}")
        f.SetField("DLBM", change["to_dlbm"])
        layer.CreateFeature(f)
    ds = None
    params = _params(analysed["src"], AFTER=None, EXTERNAL=f"{path}|layername=WPTB", OUTPUT=str(tmp_path / "o.gpkg"),
                     STORE=_store_copy(analysed, tmp_path))
    result = run(ALG, params)
    out = read(str(tmp_path / "o.gpkg"))
    assert result["CANDIDATES"] >= len(changes)
    for k, change in enumerate(changes):
        rows = [i for i in range(len(out["WPBH"])) if out["WPBH"][i] == f"WP{k:03d}"]
        assert rows and {out["BHLX"][i] for i in rows} == {KINDS[change["kind"]]}, change["id"]
        assert all(out["QBSM"][i] for i in rows)


@pytest.mark.parametrize("case", ["empty", "missing_dlbm", "geographic", "nothing_to_compare"])
def test_bad_inputs_stop_with_clear_messages(analysed, tmp_path, case):
    from osgeo import ogr, osr

    src = analysed["src"]
    path = tmp_path / "bad.gpkg"
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4490 if case == "geographic" else 4522)
    layer = ds.CreateLayer("DLTB_X", srs, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("BSM", ogr.OFTString))
    if case != "missing_dlbm":
        layer.CreateField(ogr.FieldDefn("DLBM", ogr.OFTString))
    if case != "empty":
        f = ogr.Feature(layer.GetLayerDefn())
        wkt = "POLYGON ((103 35, 103.001 35, 103.001 35.001, 103 35))" if case == "geographic" else \
            "POLYGON ((34590000 3924000, 34590100 3924000, 34590100 3924100, 34590000 3924000))"
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        f.SetField("BSM", "1")
        layer.CreateFeature(f)
    ds = None
    bad = f"{path}|layername=DLTB_X"
    store = _store_copy(analysed, tmp_path)
    if case == "empty":
        message = run_failing(ALG, _params(src, AFTER=bad, STORE=store))
        assert "DLTB_X" in message and "empty" in message.lower()
    elif case == "missing_dlbm":
        message = run_failing(ALG, _params(src, AFTER=bad, STORE=store))
        assert "DLTB_X" in message and "DLBM" in message
    elif case == "geographic":
        message = run_failing(ALG, _params(src, BEFORE=bad, STORE=store))
        assert "EPSG:4490" in message and "EPSG:4522" in message
    else:
        message = run_failing(ALG, _params(src, AFTER=None, STORE=store))
        assert "newer" in message.lower()


def test_a_newer_survey_in_another_crs_is_reprojected_and_gives_the_same_changes(analysed, tmp_path):
    import processing

    moved = processing.run("native:reprojectlayer", {
        "INPUT": layer_uri(analysed["src"], "DLTB_2025"), "TARGET_CRS": "EPSG:4490",
        "OUTPUT": str(tmp_path / "dltb_2025_4490.gpkg")})["OUTPUT"]
    result = run(ALG, _params(analysed["src"], AFTER=moved, OUTPUT=str(tmp_path / "o.gpkg"),
                              STORE=_store_copy(analysed, tmp_path)))
    out = read(str(tmp_path / "o.gpkg"))
    for change in analysed["changes"]:
        assert _found(out, change), change["id"]
    assert result["CANDIDATES"] >= len(analysed["changes"])
