"""One-click coding on the sample county through Processing: every farmland m² coded once, valid
and unique codes, idempotent re-runs, and stable codes through a split/merge/new/delete edit."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from linxia_tianguan_plugin.core.coding import beidou, checkchar
from linxia_tianguan_plugin.core.geometry import opening
from linxia_tianguan_plugin.storage import GpkgStore
from tests.conftest import layer_uri
from tests.helpers import file_digest, read, run

ALG = "linxia_tianguan:space_code"


def params(gpkg, store=None, output="TEMPORARY_OUTPUT", **extra):
    p = {"DLTB": layer_uri(gpkg, "DLTB"), "DK": layer_uri(gpkg, "DK"), "YJJBNT": layer_uri(gpkg, "YJJBNTTB"),
         "CJDCQ": layer_uri(gpkg, "CJDCQ"), "OUTPUT": output, "ISSUES": "TEMPORARY_OUTPUT"}
    if store:
        p["STORE"] = str(store)
    p.update(extra)
    return p


@pytest.fixture(scope="module")
def first_run(processing_registry, sample_gpkg, tmp_path_factory):
    base = tmp_path_factory.mktemp("coding")
    digest = file_digest(sample_gpkg)
    store = base / "tianguan.gpkg"
    result = run(ALG, params(sample_gpkg, store, str(base / "coded.gpkg")))
    return {"result": result, "store": store, "out": base / "coded.gpkg", "base": base, "digest": digest,
            "coded": read(str(base / "coded.gpkg")), "issues": read_issues(result["ISSUES"])}


def read_issues(layer):
    return [dict(zip(layer.fields().names(), f.attributes())) for f in layer.getFeatures()]


def farmland(sample_gpkg):
    land = read(layer_uri(sample_gpkg, "DLTB"), ["DLBM", "TBDLMJ"], "\"DLBM\" LIKE '01%'")
    return land


def test_inputs_are_never_modified(first_run, sample_gpkg):
    assert file_digest(sample_gpkg) == first_run["digest"]


def test_every_farmland_square_metre_is_coded_exactly_once(first_run, sample_gpkg):
    coded = first_run["coded"]
    pieces = coded["geom"]
    land = shapely.union_all(farmland(sample_gpkg)["geom"])
    # no two parcels share ground
    tree = shapely.STRtree(pieces)
    a, b = tree.query(shapely.buffer(pieces, -0.01), predicate="intersects")
    pairs = a < b
    overlap = shapely.area(shapely.intersection(pieces[a[pairs]], pieces[b[pairs]]))
    assert overlap.sum() < 0.01
    union = shapely.union_all(pieces)
    assert shapely.difference(union, land).area < 0.01  # nothing outside farmland
    # what is not coded is only 田坎 / sliver strips narrower than the minimum width (2 m)
    left = shapely.difference(land, union)
    assert opening(np.array([left], dtype=object), 0.999)[0].area < 0.01
    assert left.area < 0.002 * land.area


def test_codes_are_unique_valid_and_consistent(first_run):
    coded = first_run["coded"]
    codes = coded["KJM"].astype(str)
    assert len(codes) == len(set(codes)) == first_run["result"]["CODED"] > 1000
    assert all(len(c) == 20 and checkchar.is_valid(c) for c in codes)
    assert all(c[:6] == x and c[:9] == t and c[:12] == v and c[:14] == g for c, x, t, v, g in
               zip(codes, coded["XDM"], coded["XZDM"], coded["CDM"], coded["ZDM"]))
    seq = coded["SXH"].astype(int)
    kind = coded["DKLX"].astype(str)
    assert set(kind) == {"CB", "WCB"}
    assert (seq[kind == "CB"] < 90000).all() and (seq[kind == "WCB"] > 90000).all()
    # contract pieces keep the contract link; the group comes from the issuer code
    cb = kind == "CB"
    assert all(c[:14] == f for c, f in zip(codes[cb], coded["FBFBM"][cb]))
    assert all(len(str(d)) == 19 for d in coded["DKBM"][cb])


def test_areas_reconcile_with_the_survey(first_run, sample_gpkg):
    coded = first_run["coded"]
    land = farmland(sample_gpkg)
    shape = coded["TXMJ"].astype(float)
    assert np.allclose(shape, shapely.area(coded["geom"]), atol=0.01)
    ratio = float(np.sum(land["TBDLMJ"].astype(float)) / np.sum(shapely.area(land["geom"])))
    gdmj = coded["GDMJ"].astype(float)
    assert abs(gdmj.sum() / shape.sum() - ratio) < 0.01  # net of 田坎 like TBDLMJ
    assert np.allclose(coded["GDMJM"].astype(float), gdmj * 0.0015, atol=1e-3)
    assert (coded["YJMJ"].astype(float) <= gdmj + 0.01).all()
    assert 0.6 < coded["YJMJ"].astype(float).sum() / gdmj.sum() < 0.95  # most farmland is 永久基本农田


def test_beidou_code_names_the_representative_point(first_run):
    coded = first_run["coded"]
    for code, lon, lat in list(zip(coded["BDWGM"], coded["JD"], coded["WD"]))[:200]:
        assert len(code) == 16
        west, south, east, north = beidou.decode(code)
        assert west <= lon < east and south <= lat < north


def test_qr_payload_and_lineage_of_a_first_run(first_run):
    coded = first_run["coded"]
    assert all(q.endswith(c) for q, c in zip(coded["EWM"], coded["KJM"]))
    assert set(coded["BGLX"]) == {"XZ"}
    assert len(set(coded["FMPC"])) == 1


def test_every_contract_parcel_is_coded_or_explained(first_run, sample_gpkg):
    dk = read(layer_uri(sample_gpkg, "DK"), ["DKBM"])
    coded_dkbm = set(first_run["coded"]["DKBM"][first_run["coded"]["DKLX"] == "CB"])
    explained = {i["BM"] for i in first_run["issues"] if i["LX"].startswith("parcel_uncoded")}
    missing = [d for d in dk["DKBM"] if d not in coded_dkbm and d not in explained]
    assert missing == []


def test_invalid_geometries_are_repaired_listed_and_coded(first_run, sample_gpkg):
    dk = read(layer_uri(sample_gpkg, "DK"), ["DKBM"])
    invalid = {int(f) for f, g in zip(dk["fid"], dk["geom"]) if not g.is_valid}
    assert invalid, "the sample county carries invalid contract parcels"
    repaired = {i["YSID"] for i in first_run["issues"] if i["LX"] == "geometry_repaired"}
    assert invalid <= repaired
    coded = set(first_run["coded"]["DKBM"])
    assert {d for f, d in zip(dk["fid"], dk["DKBM"]) if int(f) in invalid} <= coded


def test_store_holds_the_run(first_run):
    store = GpkgStore(first_run["store"])
    try:
        assert store.count_codes() == first_run["result"]["CODED"]
        assert store.conn.execute("SELECT count(*) FROM tg_coding_run").fetchone()[0] == 1
        names = dict(store.conn.execute("SELECT level, count(*) FROM tg_admin_unit GROUP BY level").fetchall())
        assert names.get("village", 0) > 10 and names.get("group", 0) > 30
    finally:
        store.close()


def test_rerun_on_identical_input_changes_nothing(first_run, sample_gpkg):
    store = first_run["store"]
    before = file_digest(store)
    again = run(ALG, params(sample_gpkg, store, str(first_run["base"] / "again.gpkg")))
    assert again["KEPT"] == again["CODED"] == first_run["result"]["CODED"]
    assert again["NEW"] == 0 and again["RETIRED"] == 0
    second = read(str(first_run["base"] / "again.gpkg"))
    first = first_run["coded"]
    o1, o2 = np.argsort(first["KJM"].astype(str)), np.argsort(second["KJM"].astype(str))
    assert list(first["KJM"][o1]) == list(second["KJM"][o2])
    assert all(shapely.equals_exact(a, b, 0) for a, b in zip(first["geom"][o1], second["geom"][o2]))
    assert list(first["FMPC"][o1]) == list(second["FMPC"][o2])  # kept codes keep their original run
    assert file_digest(store) == before  # nothing written to the store


def test_previous_layer_without_store_keeps_codes(first_run, sample_gpkg):
    again = run(ALG, params(sample_gpkg, None, "TEMPORARY_OUTPUT", PREVIOUS=str(first_run["out"])))
    assert again["KEPT"] == again["CODED"] and again["NEW"] == 0
