"""Change detection between survey years: rules, the real sample county, slivers, external polygons."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import shapely

from linxia_tianguan_plugin.core.cases.change_detection import (
    Candidates,
    LandUse,
    classify_external,
    compare_years,
    concat,
    mu,
)
from linxia_tianguan_plugin.core.cases.change_rules import (
    DEFAULT_RULES,
    RULES_FILE,
    ChangeRules,
    load_rules,
    rules_from_dict,
)
from linxia_tianguan_plugin.core.parallel import Cancelled

FIELDS = ("BSM", "DLBM", "ZZSXDM", "KCXS", "ZLDWDM")

#: manifest kinds → kinds of the rules. 0103→1006 农村道路 is a loss to a 农用地 class: "other", not 非农化.
KIND = {"homestead_0702": "nonagri", "road_1003": "nonagri", "shed_1202": "facility", "orchard_0201": "nongrain",
        "forest_0301": "nongrain", "grass_0404": "nongrain", "pond_1104A": "nongrain", "fls": "nongrain",
        "road_1006": "other", "lake_1104": "waterscape", "shed_basic_1202": "facility"}
#: manifest kinds that are no loss of farmland (撂荒 WG: listed by ``abandoned``, tests/unit/test_change_categories.py)
NOT_LOST = {"wg"}


# ------------------------------------------------------------------------------------------------ rules

@pytest.mark.parametrize("before, after, zzsx, expected", [
    ("0103", "0702", "", "nonagri"),
    ("0103", "1202", "", "facility"),
    ("0103", "0201", "", "nongrain"),
    ("0103", "0303", "", "other"),
    ("0103", "1101", "", "other"),
    ("0103", "0103", "FLS", "nongrain"),
    ("0103", "0102", "", None),
    ("0201", "0702", "", None),
    ("0103", "1006", "", "other"),
    ("0101", "1107A", "", "nonagri"),
    ("0101", "1107", "", "other"),
    ("0102", "1104A", "", "nongrain"),
    ("0102", "1104", "", "waterscape"),
    ("0103", "0402", "", "other"),
    ("0103", "0301k", "", "nongrain"),
    ("0103", "1303", "", "nonagri"),
    ("0103", "", "", "unknown"),
    (" 0103 ", "0102", "fls", "nongrain"),
])
def test_classify_table(before, after, zzsx, expected):
    assert DEFAULT_RULES.classify(before, after, zzsx) == expected


def test_fls_already_in_baseline_is_no_new_loss():
    assert DEFAULT_RULES.classify("0103", "0103", "FLS", from_zzsxdm="FLS") is None
    assert DEFAULT_RULES.classify("0103", "0201", "", from_zzsxdm="FLS") == "nongrain"


def test_classify_many_matches_classify():
    rows = [("0103", "0702", ""), ("0103", "0102", ""), ("0201", "0702", ""), ("0102", "0103", "FLS"),
            ("0103", "0303", ""), ("0103", "", "")]
    a, b, z = (np.array(col, dtype=object) for col in zip(*rows))
    got = DEFAULT_RULES.classify_many(a, b, z)
    assert list(got) == [DEFAULT_RULES.classify(*r) for r in rows]
    assert len(DEFAULT_RULES.classify_many(np.empty(0, object), np.empty(0, object))) == 0


def test_json_equals_defaults_and_round_trips(tmp_path):
    loaded = load_rules(RULES_FILE)
    assert loaded == DEFAULT_RULES
    assert loaded.version == "2025.2" and DEFAULT_RULES.version
    raw = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    assert set(raw["description"]) >= {"farmland", "nonagri", "facility", "nongrain"}
    assert rules_from_dict(DEFAULT_RULES.to_dict()) == DEFAULT_RULES
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({**raw, "version": "test", "min_area_m2": 200}, ensure_ascii=False), encoding="utf-8")
    custom = load_rules(path)
    assert custom.version == "test" and custom.min_area_m2 == 200.0 and custom.nonagri == DEFAULT_RULES.nonagri


def test_bad_rules_are_refused():
    with pytest.raises(ValueError):
        rules_from_dict({"version": "x", "min_area": 3})
    with pytest.raises(ValueError):
        ChangeRules(min_area_m2=10.0, min_area_basic_m2=50.0)


# ------------------------------------------------------------------------------------------------ helpers

def box(x0, y0, x1, y1):
    return shapely.box(x0, y0, x1, y1)


def land(bsm, dlbm, geoms, zzsx=None, kcxs=None):
    n = len(geoms)
    return LandUse(np.array(bsm, dtype=object), np.array(dlbm, dtype=object),
                   np.array(zzsx if zzsx is not None else [""] * n, dtype=object),
                   np.array(kcxs if kcxs is not None else [0.1] * n, dtype=float),
                   np.array([shapely.to_wkb(g) for g in geoms], dtype=object))


def load_layer(gpkg, name, fields=FIELDS):
    from osgeo import ogr

    ds = ogr.Open(str(gpkg))
    layer = ds.GetLayerByName(name)
    defn = layer.GetLayerDefn()
    have = [f for f in fields if defn.GetFieldIndex(f) >= 0]
    cols = {f: [] for f in fields}
    wkb = []
    for feature in layer:
        for f in fields:
            cols[f].append(feature.GetField(f) if f in have else None)
        g = feature.GetGeometryRef()
        wkb.append(bytes(g.ExportToIsoWkb()) if g is not None else None)
    return {k: np.array(v, dtype=object) for k, v in cols.items()}, np.array(wkb, dtype=object)


def to_landuse(cols, wkb):
    zone = np.array([(z or "")[:9] for z in cols["ZLDWDM"]], dtype=object)
    return LandUse(cols["BSM"], cols["DLBM"], cols["ZZSXDM"], cols["KCXS"], wkb, zone)


@pytest.fixture(scope="module")
def sample(change_sample):
    """The generated 20 000-parcel sample (tests/conftest.py), so CI runs these on a clean clone."""
    gpkg = change_sample / "sample_county.gpkg"
    b_cols, b_wkb = load_layer(gpkg, "DLTB")
    a_cols, a_wkb = load_layer(gpkg, "DLTB_2025")
    _, basic = load_layer(gpkg, "YJJBNTTB", ("BSM",))
    manifest = json.loads((change_sample / "manifest.json").read_text(encoding="utf-8"))
    return {"before": to_landuse(b_cols, b_wkb), "after": to_landuse(a_cols, a_wkb), "after_cols": a_cols,
            "after_wkb": a_wkb, "basic": basic,
            "changes": [c for c in manifest["changes"] if c["kind"] not in NOT_LOST],
            "changed_bsm": set(manifest["dltb_2025"]["changed_bsm_2024"])}


def match(result: Candidates, change: dict, tolerance: float = 5.0) -> int:
    """Row of the candidate of a manifest change: same baseline BSM, holding (or next to) its centroid."""
    rows = np.flatnonzero(result.bsm_before == change["bsm_2024"])
    assert len(rows), f"{change['id']} ({change['kind']}) not found"
    point = shapely.Point(change["centroid"])
    distance = shapely.distance(result.geom[rows], point)
    best = rows[np.argmin(distance)]
    assert distance.min() <= tolerance, f"{change['id']}: nearest candidate {distance.min():.1f} m away"
    return int(best)


def geometry_by_bsm(layer: LandUse) -> dict:
    return dict(zip(layer.bsm, shapely.from_wkb(layer.wkb)))


def check_invariants(result: Candidates):
    assert shapely.is_valid(result.geom).all()
    assert (shapely.get_type_id(result.geom) == 3).all()
    np.testing.assert_allclose(result.area_m2, shapely.area(result.geom), atol=1e-6)
    assert (result.basic_m2 <= result.area_m2 + 1e-6).all()


# ------------------------------------------------------------------------------------------------ sample

def test_sample_every_change_found_and_nothing_else(sample):
    before, after = sample["before"], sample["after"]
    progress = []
    result, stats = compare_years(before, after, sample["basic"], DEFAULT_RULES, progress=progress.append)
    check_invariants(result)
    assert progress[-1] == 1.0 and progress == sorted(progress)
    rows = [match(result, ch) for ch in sample["changes"]]
    assert sorted(rows) == list(range(len(result))), "something beyond the manifest's changes was flagged"
    old, new = geometry_by_bsm(before), geometry_by_bsm(after)
    basic = shapely.union_all(shapely.from_wkb(sample["basic"]))
    for ch, row in zip(sample["changes"], rows):
        assert result.kind[row] == KIND[ch["kind"]], ch
        assert result.from_dlbm[row] == ch["from_dlbm"]
        # the independent computation: baseline 图斑 ∩ newer 图斑 it became, by BSM
        truth = shapely.union_all([shapely.intersection(old[ch["bsm_2024"]], new[b])
                                   for b in result.bsm_after[row].split(";")])
        assert abs(result.area_m2[row] - truth.area) < 0.1, ch
        assert abs(result.area_m2[row] - ch["area"]) < 0.1, ch
        assert abs(result.basic_m2[row] - shapely.intersection(truth, basic).area) < 0.1, ch
        assert (result.basic_m2[row] > 0) == ch["on_yjjbnt"], ch
        kcxs = before.kcxs[before.bsm == ch["bsm_2024"]][0]
        assert result.farmland_m2[row] == pytest.approx(result.area_m2[row] * (1 - kcxs))
        if ch["kind"] == "fls":
            assert result.to_zzsxdm[row] == "FLS" and result.bsm_after[row] == ch["bsm_2024"]
        else:
            assert result.to_dlbm[row] == ch["to_dlbm"] and result.bsm_after[row] == ch["bsm_2025"]
    assert stats["identical"] == stats["skipped"] == len(before) - len(sample["changed_bsm"])
    assert stats["candidates"] == len(result) == len(sample["changes"])
    assert stats["suppressed_sliver"] == stats["suppressed_small"] == 0
    # deterministic: same input, same order
    again, _ = compare_years(before, after, sample["basic"], DEFAULT_RULES)
    assert list(again.bsm_before) == list(result.bsm_before)
    assert shapely.equals_exact(again.geom, result.geom).all()
    assert mu(result.area_m2).sum() == pytest.approx(result.area_m2.sum() * 0.0015)


def shifted(sample, count=400, seed=7):
    """DLTB_2025 with ``count`` unchanged 图斑 near the changes translated by 0.2–0.5 m each."""
    after = sample["after"]
    rng = np.random.default_rng(seed)
    geoms = shapely.from_wkb(after.wkb)
    untouched = np.array([b not in sample["changed_bsm"] for b in after.bsm]) & np.isin(
        after.bsm, sample["before"].bsm)
    centres = shapely.points([ch["centroid"] for ch in sample["changes"]])
    near = shapely.STRtree(centres).query(geoms, predicate="dwithin", distance=250.0)[0]
    pick = np.intersect1d(np.unique(near), np.flatnonzero(untouched))
    pick = rng.choice(pick, size=min(count, len(pick)), replace=False)
    angle = rng.uniform(0, 2 * np.pi, len(pick))
    length = rng.uniform(0.2, 0.5, len(pick))
    coords, owner = shapely.get_coordinates(geoms[pick], return_index=True)
    coords = coords + np.c_[np.cos(angle) * length, np.sin(angle) * length][owner]
    moved = shapely.set_coordinates(shapely.from_wkb(after.wkb[pick]), coords)  # fresh copies: set in place
    assert shapely.is_valid(moved).all()
    wkb = after.wkb.copy()
    wkb[pick] = shapely.to_wkb(moved)
    return replace(after, wkb=wkb), pick


def test_boundaries_shifted_by_decimetres_add_nothing(sample):
    noisy, pick = shifted(sample)
    assert len(pick) >= 200
    result, stats = compare_years(sample["before"], noisy, sample["basic"], DEFAULT_RULES)
    check_invariants(result)
    assert stats["geometry_changed"] >= len(pick)
    assert stats["sliver_pieces"] + stats["suppressed_sliver"] > 0, "the test did not make any sliver"
    rows = [match(result, ch) for ch in sample["changes"]]
    assert sorted(rows) == list(range(len(result)))
    for ch, row in zip(sample["changes"], rows):
        assert result.kind[row] == KIND[ch["kind"]]
        assert abs(result.area_m2[row] - ch["area"]) < 0.1, ch  # thin pieces never merge into a change
    # the sliver rules, not the area threshold, are what suppresses the noise
    no_area = replace(DEFAULT_RULES, min_area_m2=0.0, min_area_basic_m2=0.0)
    result, _ = compare_years(sample["before"], noisy, sample["basic"], no_area)
    assert len(result) == len(sample["changes"])
    no_sliver = replace(no_area, min_width_m=0.0, max_thinness=0.0)
    result, _ = compare_years(sample["before"], noisy, sample["basic"], no_sliver)
    assert len(result) > len(sample["changes"]), "the noise should show without the sliver rules"


def test_snapped_vertices_add_nothing(sample):
    """Every vertex of the unchanged 图斑 near the changes snapped to a 0.6 m grid (moves ≤ 0.42 m)."""
    after = sample["after"]
    geoms = shapely.from_wkb(after.wkb)
    centres = shapely.points([ch["centroid"] for ch in sample["changes"]])
    near = np.unique(shapely.STRtree(centres).query(geoms, predicate="dwithin", distance=400.0)[0])
    near = near[[b not in sample["changed_bsm"] for b in after.bsm[near]]]
    wkb = after.wkb.copy()
    wkb[near] = shapely.to_wkb(shapely.set_precision(geoms[near], 0.6))
    result, stats = compare_years(sample["before"], replace(after, wkb=wkb), sample["basic"], DEFAULT_RULES)
    check_invariants(result)
    assert stats["geometry_changed"] > 200
    rows = [match(result, ch) for ch in sample["changes"]]
    assert sorted(rows) == list(range(len(result)))


def test_identical_years_are_skipped_without_candidates(sample):
    before = sample["before"]
    result, stats = compare_years(before, before, sample["basic"], DEFAULT_RULES)
    assert len(result) == 0
    assert stats["identical"] == stats["skipped"] == stats["paired"] == len(before)
    assert stats["geometry_changed"] == stats["attribute_changed"] == stats["overlay_before"] == 0
    assert stats["pairs_intersected"] == 0


def test_invalid_ring_in_newer_year_is_repaired_and_found(sample):
    after = sample["after"]
    change = next(ch for ch in sample["changes"] if ch["kind"] == "homestead_0702")
    row = int(np.flatnonzero(after.bsm == change["bsm_2025"])[0])
    ring = np.asarray(shapely.from_wkb(after.wkb[row]).exterior.coords)[:-1]
    spike = ring[1] + 3 * (ring[1] - ring[0]) / np.linalg.norm(ring[1] - ring[0])
    bad = shapely.Polygon(np.vstack([ring[:2], [spike], ring[1:]]))  # a spike out and back: invalid ring
    assert not bad.is_valid
    wkb = after.wkb.copy()
    wkb[row] = shapely.to_wkb(bad)
    result, stats = compare_years(sample["before"], replace(after, wkb=wkb), sample["basic"], DEFAULT_RULES)
    assert stats["repaired"] >= 1
    check_invariants(result)
    found = match(result, change)
    assert result.kind[found] == "nonagri" and abs(result.area_m2[found] - change["area"]) < 0.1
    assert len(result) == len(sample["changes"])


def test_cancel_raises(sample):
    with pytest.raises(Cancelled):
        compare_years(sample["before"], sample["after"], sample["basic"], DEFAULT_RULES, cancelled=lambda: True)


def test_external_polygons_classified_with_their_class(sample):
    before = sample["before"]
    changes = sample["changes"]
    polygons = shapely.buffer(shapely.points([ch["centroid"] for ch in changes]), 10.0)
    ids = np.array([ch["id"] for ch in changes], dtype=object)
    new = np.array(["" if ch["kind"] == "fls" else ch["to_dlbm"] for ch in changes], dtype=object)
    result, stats = classify_external(shapely.to_wkb(polygons), ids, new, before, sample["basic"], DEFAULT_RULES)
    check_invariants(result)
    assert (result.source == "external").all() and (result.bsm_after == "").all()
    old = geometry_by_bsm(before)
    basic = shapely.union_all(shapely.from_wkb(sample["basic"]))
    for ch, polygon in zip(changes, polygons):
        rows = np.flatnonzero((result.external_id == ch["id"]) & (result.bsm_before == ch["bsm_2024"]))
        assert len(rows) == 1, ch["id"]
        row = rows[0]
        assert result.kind[row] == ("unknown" if ch["kind"] == "fls" else KIND[ch["kind"]])
        truth = shapely.intersection(polygon, old[ch["bsm_2024"]])
        assert abs(result.area_m2[row] - truth.area) < 0.1
        assert abs(result.basic_m2[row] - shapely.intersection(truth, basic).area) < 0.1
    assert stats["unknown_class"] == sum(ch["kind"] == "fls" for ch in changes)
    both = concat([result, Candidates.empty(), result])
    assert len(both) == 2 * len(result) and (both.external_id[len(result):] == result.external_id).all()
    # an external polygon whose new class is still farmland is no loss
    still, _ = classify_external(shapely.to_wkb(polygons[:3]), ids[:3], np.array(["0103"] * 3, dtype=object),
                                 before, sample["basic"], DEFAULT_RULES)
    assert len(still) == 0


# ------------------------------------------------------------------------------------------------ synthetic

def test_empty_inputs():
    empty = land([], [], [])
    result, stats = compare_years(empty, empty, np.empty(0, dtype=object), DEFAULT_RULES)
    assert len(result) == 0 and stats["candidates"] == 0
    one = land(["1"], ["0103"], [box(0, 0, 100, 100)])
    result, stats = compare_years(one, empty, np.empty(0, dtype=object), DEFAULT_RULES)
    assert len(result) == 0 and stats["removed"] == 1
    result, stats = classify_external(np.empty(0, dtype=object), np.empty(0, dtype=object),
                                      np.empty(0, dtype=object), one, np.empty(0, dtype=object), DEFAULT_RULES)
    assert len(result) == 0 and isinstance(result, Candidates)


def test_small_parts_kept_on_basic_farmland_and_slivers_dropped():
    before = land(["1", "2"], ["0103", "0103"], [box(0, 0, 100, 100), box(200, 0, 300, 100)], kcxs=[0.1, 0.2])
    # 80 m² homestead in each; only the second one lies on basic farmland; plus a 0.4 m sliver of road
    after = land(["1", "2", "3", "4", "5"], ["0103", "0103", "0702", "0702", "1003"],
                 [shapely.difference(box(0, 0, 100, 100), box(0, 0, 8, 10)),
                  shapely.difference(box(200, 0, 300, 100), box(200, 0, 208, 10).union(box(200, 99.6, 300, 100))),
                  box(0, 0, 8, 10), box(200, 0, 208, 10), box(200, 99.6, 300, 100)])
    basic = np.array([shapely.to_wkb(box(200, 0, 300, 100))], dtype=object)
    result, stats = compare_years(before, after, basic, DEFAULT_RULES)
    assert list(result.bsm_before) == ["2"]
    assert result.area_m2[0] == pytest.approx(80.0) and result.basic_m2[0] == pytest.approx(80.0)
    assert result.farmland_m2[0] == pytest.approx(64.0)
    assert stats["suppressed_small"] == 1 and stats["sliver_pieces"] + stats["suppressed_sliver"] == 1


def test_adjacent_pieces_merge_and_fls_in_baseline_is_not_new():
    before = land(["1", "2"], ["0103", "0103"], [box(0, 0, 100, 100), box(100, 0, 200, 100)], zzsx=["", "FLS"])
    # two new homesteads side by side in 图斑 1 → one candidate; 图斑 2 keeps FLS and shrinks: no 非粮化
    # a third homestead "d" apart from them is a candidate of its own
    after = land(["1", "2", "a", "b", "c", "d"], ["0103", "0103", "0702", "0702", "0201", "0702"],
                 [box(0, 20, 100, 100).difference(box(80, 60, 100, 80)), box(100, 0, 200, 80), box(0, 0, 50, 20),
                  box(50, 0, 100, 20), box(100, 80, 200, 100), box(80, 60, 100, 80)], zzsx=["", "FLS", "", "", "", ""])
    result, _ = compare_years(before, after, np.empty(0, dtype=object), DEFAULT_RULES)
    assert list(zip(result.bsm_before, result.kind)) == [("1", "nonagri"), ("1", "nonagri"), ("2", "nongrain")]
    assert result.area_m2[0] == pytest.approx(2000.0) and result.bsm_after[0] == "a;b"
    assert result.area_m2[1] == pytest.approx(400.0) and result.bsm_after[1] == "d"
    assert result.area_m2[2] == pytest.approx(2000.0) and result.to_dlbm[2] == "0201"


def test_other_encoding_of_same_geometry_is_still_skipped(sample):
    """A reader that delivers one year as MultiPolygon (e.g. QGIS) must not push the county into the overlay."""
    after = sample["after"]
    multi = shapely.multipolygons(shapely.get_parts(shapely.from_wkb(after.wkb)), indices=np.arange(len(after)))
    recoded = replace(after, wkb=shapely.to_wkb(multi, byte_order=0))
    result, stats = compare_years(sample["before"], recoded, sample["basic"], DEFAULT_RULES)
    assert stats["identical"] == len(sample["before"]) - len(sample["changed_bsm"])
    assert stats["same_shape_other_bytes"] == stats["identical"] + stats["attribute_changed"]
    assert len(result) == len(sample["changes"])
    assert sorted(match(result, ch) for ch in sample["changes"]) == list(range(len(result)))


def test_missing_geometries_and_geometry_objects_are_accepted():
    before = land(["1", "2"], ["0103", "0103"], [box(0, 0, 100, 100), box(100, 0, 200, 100)])
    before.wkb[1] = None  # a 图斑 without geometry is reported, not fatal
    after = land(["1", "x"], ["0103", "0702"], [box(0, 30, 100, 100), box(0, 0, 100, 30)])
    result, stats = compare_years(before, after, np.empty(0, dtype=object), DEFAULT_RULES)
    assert list(result.bsm_after) == ["x"] and stats["no_geometry"] == 1
    polygons = np.array([box(10, 10, 40, 40), box(150, 10, 190, 40)], dtype=object)  # geometries, not WKB
    result, _ = classify_external(polygons, np.array(["A", "B"], dtype=object), np.array(["1202", ""], dtype=object),
                                  before, np.array([box(0, 0, 20, 100)], dtype=object), DEFAULT_RULES)
    assert list(result.external_id) == ["A"] and result.kind[0] == "facility"
    assert result.area_m2[0] == pytest.approx(900.0) and result.basic_m2[0] == pytest.approx(300.0)
