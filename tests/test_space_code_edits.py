"""Re-coding after a realistic edit of the inputs: a contract parcel split in two, two parcels merged,
a farmland patch converted to construction (its parcels deleted), and grassland reclaimed as farmland.
Unchanged parcels keep their codes; the rest get new codes with lineage; retired codes never return."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
import shapely
from osgeo import ogr

from linxia_tianguan_plugin.core.coding.numbering import used_maxima
from linxia_tianguan_plugin.storage import GpkgStore
from tests.conftest import layer_uri
from tests.helpers import read, run

ALG = "linxia_tianguan:space_code"


def _params(gpkg, store, out):
    return {"DLTB": layer_uri(gpkg, "DLTB"), "DK": layer_uri(gpkg, "DK"), "YJJBNT": layer_uri(gpkg, "YJJBNTTB"),
            "CJDCQ": layer_uri(gpkg, "CJDCQ"), "STORE": str(store), "OUTPUT": str(out), "ISSUES": "TEMPORARY_OUTPUT"}


def _plain_contract(coded):
    """Rows of contract pieces equal to their whole parcel (not crossing, not trimmed)."""
    return np.flatnonzero((coded["DKLX"] == "CB") & (coded["BZ"] == "") & (coded["BGLX"] == "XZ"))


@pytest.fixture(scope="module")
def scenario(processing_registry, sample_gpkg, tmp_path_factory):
    base = tmp_path_factory.mktemp("edits")
    store = base / "tianguan.gpkg"
    run(ALG, _params(sample_gpkg, store, base / "before.gpkg"))
    before = read(str(base / "before.gpkg"))
    edited = base / "edited.gpkg"
    shutil.copy(sample_gpkg, edited)
    plan = _edit(edited, before)
    result = run(ALG, _params(edited, store, base / "after.gpkg"))
    return {"before": before, "after": read(str(base / "after.gpkg")), "plan": plan, "result": result,
            "store": store}


def _edit(gpkg, before):
    """Apply the four edits to a copy of the sample and say which codes each one touches."""
    ds = ogr.Open(str(gpkg), 1)
    dk, dltb = ds.GetLayerByName("DK"), ds.GetLayerByName("DLTB")
    codes, geoms = before["KJM"].astype(str), before["geom"]
    plain = _plain_contract(before)
    big = [i for i in plain if geoms[i].area > 1500]
    plan = {}

    # 1. split a parcel through its centroid (a convex one: each half is one simple polygon)
    a = next(i for i in big if shapely.area(shapely.convex_hull(geoms[i])) - geoms[i].area < 1e-3 * geoms[i].area)
    parcel = geoms[a]
    x0, y0, x1, y1 = parcel.bounds
    cx = shapely.centroid(parcel).x
    halves = [shapely.intersection(parcel, shapely.box(x0 - 1, y0 - 1, cx, y1 + 1)),
              shapely.intersection(parcel, shapely.box(cx, y0 - 1, x1 + 1, y1 + 1))]
    feature = _find(dk, "DKBM", before["DKBM"][a])
    feature.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(halves[0])))
    dk.SetFeature(feature)
    twin = ogr.Feature(dk.GetLayerDefn())
    twin.SetFrom(feature)
    twin.SetField("DKBM", before["DKBM"][a][:14] + "88888")
    twin.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(halves[1])))
    dk.CreateFeature(twin)
    plan["split"] = codes[a]

    # 2. merge two parcels of one group that share an edge
    tree = shapely.STRtree(geoms[plain])
    merged = None
    for b in big[1:]:
        for c in plain[tree.query(geoms[b], predicate="touches")]:
            shared = shapely.intersection(geoms[b], geoms[c]).length
            if c != b and codes[c][:14] == codes[b][:14] and shared > 10 and c != a:
                merged = (b, c)
                break
        if merged:
            break
    assert merged, "no two touching parcels of one group in the sample"
    b, c = merged
    fb, fc = _find(dk, "DKBM", before["DKBM"][b]), _find(dk, "DKBM", before["DKBM"][c])
    fb.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(shapely.union(geoms[b], geoms[c]))))
    dk.SetFeature(fb)
    dk.DeleteFeature(fc.GetFID())
    plan["merge"] = (codes[b], codes[c])

    # 3. a farmland patch becomes a homestead: its parcels are deleted from farmland
    used = {a, b, c}
    bsm_rows = {}
    for i, bsm in enumerate(before["TBBSM"]):
        bsm_rows.setdefault(bsm, []).append(i)
    gone = None
    for bsm, rows in bsm_rows.items():
        if used.isdisjoint(rows) and all(before["BZ"][r] == "" for r in rows) and len(rows) >= 2:
            gone = (bsm, rows)
            break
    feature = _find(dltb, "BSM", gone[0])
    feature.SetField("DLBM", "0702")
    dltb.SetFeature(feature)
    plan["deleted"] = [codes[r] for r in gone[1]]

    # 4. grassland reclaimed as dry farmland far from the rest of the edits
    dltb.SetAttributeFilter("DLBM = '0404'")
    grass = max(dltb, key=lambda f: f.GetGeometryRef().GetArea())
    dltb.SetAttributeFilter(None)
    grass.SetField("DLBM", "0103")
    dltb.SetFeature(grass)
    plan["reclaimed"] = shapely.from_wkb(bytes(grass.GetGeometryRef().ExportToWkb()))
    plan["untouched"] = set(codes) - {plan["split"], *plan["merge"], *plan["deleted"]}
    ds = None
    return plan


def _find(layer, field, value):
    layer.SetAttributeFilter(f"{field} = '{value}'")
    feature = layer.GetNextFeature()
    layer.SetAttributeFilter(None)
    assert feature is not None, (field, value)
    return feature


def _rows(after, relation=None, parent=None):
    keep = np.ones(len(after["KJM"]), bool)
    if relation:
        keep &= after["BGLX"] == relation
    if parent:
        keep &= np.array([parent in str(p).split(";") for p in after["FJM"]])
    return np.flatnonzero(keep)


def test_unchanged_parcels_keep_their_codes(scenario):
    after_codes = set(scenario["after"]["KJM"])
    untouched = scenario["plan"]["untouched"]
    # parcels next to the reclaimed grassland may legitimately change (their uncovered farmland grows)
    assert len(untouched - after_codes) <= 2
    before = dict(zip(scenario["before"]["KJM"], scenario["before"]["geom"]))
    after = dict(zip(scenario["after"]["KJM"], scenario["after"]["geom"]))
    same = [c for c in untouched & after_codes if before[c].equals(after[c])]
    assert len(same) >= 0.99 * len(untouched)


def test_split_parcel_gets_two_new_codes_naming_their_parent(scenario):
    after, parent = scenario["after"], scenario["plan"]["split"]
    rows = _rows(after, "FG", parent)
    assert len(rows) == 2
    assert parent not in set(after["KJM"])
    store = GpkgStore(scenario["store"])
    try:
        record = store.get_code(parent)
        assert record["status"] == "retired" and record["retire_reason"] == "split"
        assert sorted(record["children"].split(";")) == sorted(after["KJM"][rows])
        assert store.lineage(after["KJM"][rows[0]])["parents"] == [parent]
    finally:
        store.close()


def test_merged_parcels_get_one_code_with_both_parents(scenario):
    after = scenario["after"]
    b, c = scenario["plan"]["merge"]
    rows = _rows(after, "HB", b)
    assert len(rows) == 1
    assert sorted(after["FJM"][rows[0]].split(";")) == sorted([b, c])
    store = GpkgStore(scenario["store"])
    try:
        assert {store.get_code(x)["retire_reason"] for x in (b, c)} == {"merged"}
    finally:
        store.close()


def test_parcels_on_converted_farmland_are_retired_as_deleted(scenario):
    store = GpkgStore(scenario["store"])
    try:
        for code in scenario["plan"]["deleted"]:
            record = store.get_code(code)
            assert record["status"] == "retired" and record["retire_reason"] == "deleted"
    finally:
        store.close()
    assert not set(scenario["plan"]["deleted"]) & set(scenario["after"]["KJM"])


def test_reclaimed_farmland_is_new_and_numbered_after_everything_issued(scenario):
    after, before = scenario["after"], scenario["before"]
    reclaimed = scenario["plan"]["reclaimed"]
    rows = [i for i in _rows(after, "XZ")
            if after["geom"][i].intersection(reclaimed).area > 0.5 * after["geom"][i].area]
    assert rows, "the reclaimed patch got no new code"
    issued = used_maxima(before["KJM"].astype(str))
    for i in rows:
        code = after["KJM"][i]
        assert after["DKLX"][i] == "WCB"
        assert int(code[14:19]) > issued.get(code[:14], (0, 90000))[1]


def test_retired_codes_are_never_reused(scenario):
    store = GpkgStore(scenario["store"])
    try:
        retired = {r[0] for r in store.conn.execute("SELECT code FROM tg_space_code WHERE status='retired'")}
        counts = dict(store.conn.execute("SELECT status, count(*) FROM tg_space_code GROUP BY status").fetchall())
    finally:
        store.close()
    assert retired and not retired & set(scenario["after"]["KJM"])
    new_codes = set(scenario["after"]["KJM"][scenario["after"]["BGLX"] != "BL"])
    assert not new_codes & set(scenario["before"]["KJM"])
    assert counts["active"] == len(scenario["after"]["KJM"])
    assert scenario["result"]["RETIRED"] == len(retired)
