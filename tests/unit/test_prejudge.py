"""In-office pre-judgement: every rule and boundary on synthetic squares, then the sample county."""
import json

import numpy as np
import pytest
import shapely

from linxia_tianguan_plugin.core.cases.prejudge import (
    CATEGORIES,
    REASONS,
    Reference,
    References,
    affected_codes,
    assign_cells,
    prejudge,
    priority_order,
)
from linxia_tianguan_plugin.core.parallel import Cancelled

TODAY = "2025-06-30"
CAND = shapely.box(0, 0, 100, 10)  # 1000 m²


def ref(geoms, docs=None, start=None, end=None, filed=None, name="ref"):
    docs = docs or [f"{name}-{i}" for i in range(len(geoms))]
    return Reference.from_geoms(np.array(geoms, dtype=object), docs, start, end, filed, name)


def run(geoms, kinds, refs=None, to=None, basic=None, **kw):
    geoms = list(geoms)
    n = len(geoms)
    to = to or ["0702"] * n
    basic = np.zeros(n) if basic is None else basic
    return prejudge(np.array(geoms, dtype=object), kinds, to, basic, refs or References(), kw.pop("today", TODAY),
                    **kw)


def check_cover(j, original):
    """Pieces of each candidate add up to the candidate."""
    for c, g in enumerate(original):
        rows = j.candidate == c
        assert abs(j.area_m2[rows].sum() - g.area) < 1e-6
        assert shapely.symmetric_difference(shapely.union_all(j.geom[rows]), g).area < 1e-6


# ------------------------------------------------------------------------------------------ approvals


def test_fully_approved():
    j = run([CAND], ["nonagri"], References(approved=ref([shapely.box(-1, -1, 101, 11)], ["甘政征〔2024〕1号"])))
    assert list(j.category) == ["approved"]
    assert j.reasons[0] == ["inside_approval"]
    assert j.docs[0] == "甘政征〔2024〕1号"
    assert j.approved_m2[0] == pytest.approx(1000)


def test_cover_share_counts_as_approved_without_split():
    big = shapely.box(0, 0, 100, 100)
    j = run([big], ["nonagri"], References(approved=ref([shapely.box(0, 0, 96, 100)])))  # rest 400 m², 4 %
    assert list(j.category) == ["approved"]
    assert len(j) == 1 and j.approved_m2[0] == pytest.approx(9600)
    j = run([big], ["nonagri"], References(approved=ref([shapely.box(0, 0, 94, 100)])))
    assert len(j) == 2  # 6 % outside is a real rest


def test_partly_approved_is_split_and_rest_judged_alone():
    refs = References(approved=ref([shapely.box(0, 0, 40, 10)], ["A1"]))
    j = run([CAND], ["nonagri"], refs)
    check_cover(j, [CAND])
    assert list(j.category) == ["approved", "verify"]
    assert j.area_m2 == pytest.approx([400, 600])
    assert j.reasons[0] == ["inside_approval", "partly_approved"]
    assert "partly_approved" in j.reasons[1] and "no_approval" in j.reasons[1]
    assert list(j.docs) == ["A1", ""]
    assert j.approved_m2 == pytest.approx([400, 0], abs=1e-6)
    assert list(j.candidate) == [0, 0]


def test_split_shares_basic_farmland_by_area_or_measures_it():
    refs = References(approved=ref([shapely.box(0, 0, 40, 10)]))
    j = run([CAND], ["nonagri"], refs, basic=np.array([500.0]))
    assert j.basic_m2 == pytest.approx([200, 300])
    assert j.category[1] == "suspect" and "on_basic_farmland" in j.reasons[1]
    refs.basic = ref([shapely.box(40, 0, 100, 10)], name="YJJBNTTB")
    j = run([CAND], ["nonagri"], refs, basic=np.array([600.0]))
    assert j.basic_m2 == pytest.approx([0, 600], abs=1e-6)


def test_tiny_approved_sliver_is_not_split_but_recorded():
    j = run([CAND], ["nonagri"], References(approved=ref([shapely.box(0, 0, 5, 10)])), min_split_m2=100)
    assert len(j) == 1 and j.category[0] == "verify"
    assert j.approved_m2[0] == pytest.approx(50)
    assert j.area_m2[0] == pytest.approx(1000)
    assert "partly_approved" not in j.reasons[0]


def test_small_unapproved_rest_is_not_split_nor_waved_through():
    j = run([CAND], ["nonagri"], References(approved=ref([shapely.box(0, 0, 92, 10)])))  # 超占 80 m² < 100
    assert len(j) == 1 and j.category[0] == "verify"
    assert "partly_approved" in j.reasons[0]
    assert j.approved_m2[0] == pytest.approx(920) and j.area_m2[0] == pytest.approx(1000)


def test_large_approved_part_with_small_rest_below_split_size():
    j = run([CAND], ["nonagri"], References(approved=ref([shapely.box(0, 0, 60, 10)])), min_split_m2=500)
    assert len(j) == 1 and j.category[0] == "verify"
    assert "partly_approved" in j.reasons[0] and j.approved_m2[0] == pytest.approx(600)


def test_overlapping_approvals_are_not_counted_twice():
    refs = References(approved=ref([shapely.box(0, 0, 100, 10), shapely.box(0, 0, 100, 10)], ["A1", "A2"]))
    j = run([CAND], ["nonagri"], refs)
    assert j.approved_m2[0] == pytest.approx(1000)
    assert j.docs[0] == "A1；A2"


def test_approval_dated_after_today_does_not_count():
    refs = References(approved=ref([shapely.box(-1, -1, 101, 11)], start=["2025/08/01"]))
    assert run([CAND], ["nonagri"], refs).category[0] == "verify"
    assert run([CAND], ["nonagri"], refs, today="2025-09-01").category[0] == "approved"


# ------------------------------------------------------------------------------------------ unapproved nonagri


def test_unapproved_nonagri_basic_and_boundary():
    boundary = References(boundary=ref([shapely.box(-5, -5, 105, 15)], name="CZKFBJ"))
    outside = References(boundary=ref([shapely.box(1000, 0, 1100, 100)], name="CZKFBJ"))
    j = run([CAND], ["nonagri"], basic=np.array([50.0]))
    assert j.category[0] == "suspect" and j.reasons[0] == ["no_approval", "on_basic_farmland"]
    j = run([CAND], ["nonagri"], outside)
    assert j.category[0] == "suspect" and "outside_boundary" in j.reasons[0]
    j = run([CAND], ["nonagri"], boundary)
    assert j.category[0] == "verify" and "inside_boundary_no_approval" in j.reasons[0]
    assert j.boundary_m2[0] == pytest.approx(1000)
    j = run([CAND], ["nonagri"], boundary, basic=np.array([50.0]))
    assert j.category[0] == "suspect" and "on_basic_farmland" in j.reasons[0]
    assert run([CAND], ["nonagri"]).category[0] == "verify"  # no boundary layer: cannot tell


def test_half_inside_boundary_is_outside():
    refs = References(boundary=ref([shapely.box(0, 0, 50, 10)]))
    j = run([CAND], ["nonagri"], refs)
    assert j.category[0] == "suspect" and "outside_boundary" in j.reasons[0]
    assert j.boundary_m2[0] == pytest.approx(500)


# ------------------------------------------------------------------------------------------ facility


def facility_refs(geom=None, filed=1100.0, start="2025-01-02"):
    return References(facility=ref([geom or shapely.box(-1, -1, 101, 11)], ["设农备1"], [start], None, [filed]))


def test_facility_within_filing():
    j = run([CAND], ["facility"], facility_refs(), to=["1202"])
    assert j.category[0] == "facility" and j.reasons[0] == ["facility_within_filing"]
    assert j.docs[0] == "设农备1" and j.facility_m2[0] == pytest.approx(1000)
    j = run([CAND], ["facility"], facility_refs(filed=950.0), to=["1202"])  # 1000 <= 950 * 1.1
    assert j.category[0] == "facility"


def test_facility_over_filed_area():
    j = run([CAND], ["facility"], facility_refs(filed=800.0), to=["1202"])
    assert j.category[0] == "suspect" and "facility_over_filing" in j.reasons[0]
    assert j.docs[0] == "设农备1"


def test_facility_outside_filing_polygon():
    j = run([CAND], ["facility"], facility_refs(shapely.box(0, 0, 80, 10)), to=["1202"])  # 200 m² outside
    assert j.category[0] == "suspect" and "facility_over_filing" in j.reasons[0]
    assert len(j) == 1 and j.facility_m2[0] == pytest.approx(800)
    j = run([CAND], ["facility"], facility_refs(shapely.box(0, 0, 95, 10)), to=["1202"])  # 50 m² outside
    assert j.category[0] == "facility"


def test_facility_filing_shared_by_several_sheds():
    sheds = [shapely.box(0, 0, 100, 10), shapely.box(0, 20, 100, 30)]
    refs = facility_refs(shapely.box(-1, -1, 101, 31), filed=1500.0)
    j = run(sheds, ["facility"] * 2, refs, to=["1202"] * 2)
    assert list(j.category) == ["suspect", "suspect"]
    refs = facility_refs(shapely.box(-1, -1, 101, 31), filed=2000.0)
    assert list(run(sheds, ["facility"] * 2, refs, to=["1202"] * 2).category) == ["facility", "facility"]


def test_facility_without_filing():
    j = run([CAND], ["facility"], to=["1202"], basic=np.array([10.0]))
    assert j.category[0] == "suspect" and j.reasons[0] == ["facility_no_filing", "on_basic_farmland"]
    j = run([CAND], ["facility"], to=["1202"])
    assert j.category[0] == "verify" and j.reasons[0] == ["facility_no_filing"]
    j = run([CAND], ["facility"], facility_refs(start="2025-07-01"), to=["1202"])  # filed after today
    assert j.category[0] == "verify"


# ------------------------------------------------------------------------------------------ temporary land


def temporary_refs():
    return References(temporary=ref([shapely.box(-1, -1, 101, 11)], ["临1"], ["2025/01/01"], ["2026/01/01"]))


def test_temporary_in_term_and_expired():
    j = run([CAND], ["nonagri"], temporary_refs(), to=["1301"])
    assert j.category[0] == "temporary" and j.reasons[0] == ["temporary_in_term"]
    assert j.docs[0] == "临1" and j.temporary_m2[0] == pytest.approx(1000)
    j = run([CAND], ["nonagri"], temporary_refs(), to=["1303"], today="2026-03-01")
    assert j.category[0] == "suspect" and "temporary_expired" in j.reasons[0]
    assert j.docs[0] == "临1"
    j = run([CAND], ["nonagri"], temporary_refs(), to=["1301"], today="2024-12-01")  # not started
    assert j.category[0] == "verify" and j.temporary_m2[0] == 0


def test_temporary_last_day_is_in_term():
    assert run([CAND], ["nonagri"], temporary_refs(), to=["1301"], today="2026-01-01").category[0] == "temporary"


def test_temporary_code_counts_even_for_another_kind():
    assert run([CAND], ["unknown"], temporary_refs(), to=["1303"]).category[0] == "temporary"


def test_partly_temporary_is_split():
    refs = References(temporary=ref([shapely.box(0, 0, 30, 10)], ["临1"], ["2025-01-01"], ["2026-01-01"]))
    j = run([CAND], ["other"], refs, to=["1006"])
    check_cover(j, [CAND])
    assert list(j.category) == ["temporary", "verify"]
    assert j.area_m2 == pytest.approx([300, 700])


def test_approved_and_temporary_parts_of_one_candidate():
    refs = References(approved=ref([shapely.box(0, 0, 30, 10)], ["A1"]),
                      temporary=ref([shapely.box(70, 0, 100, 10)], ["临1"], ["2025-01-01"], ["2026-01-01"]))
    j = run([CAND], ["nonagri"], refs, basic=np.array([1000.0]))
    check_cover(j, [CAND])
    assert sorted(j.category) == ["approved", "suspect", "temporary"]
    assert dict(zip(j.category, j.docs)) == {"approved": "A1", "temporary": "临1", "suspect": ""}
    assert all(len(set(r)) == len(r) for r in j.reasons)


# ------------------------------------------------------------------------------------------ nongrain, other


def test_nongrain_on_and_off_basic_farmland():
    j = run([CAND, CAND], ["nongrain"] * 2, to=["0201", "1104A"], basic=np.array([5.0, 0.5]))
    assert list(j.category) == ["suspect", "verify"]
    assert j.reasons == [["on_basic_farmland"], ["nongrain_off_basic"]]


def test_nongrain_is_not_legalised_by_an_approval():
    j = run([CAND], ["nongrain"], References(approved=ref([shapely.box(-1, -1, 101, 11)])), to=["0301"],
            basic=np.array([100.0]))
    assert j.category[0] == "suspect" and j.approved_m2[0] == pytest.approx(1000)


def test_other_and_unknown_are_verified():
    j = run([CAND, CAND], ["other", "unknown"], to=["1206", ""], basic=np.array([100.0, 0]))
    assert list(j.category) == ["verify", "verify"]
    assert j.reasons == [["other_loss"], ["unknown_change"]]


def test_categories_and_reasons_are_declared():
    refs = References(approved=ref([shapely.box(0, 0, 40, 10)]), boundary=ref([shapely.box(0, 0, 5, 5)]))
    j = run([CAND] * 4, ["nonagri", "facility", "nongrain", "other"], refs, basic=np.array([0, 5, 5, 0]))
    assert set(j.category) <= set(CATEGORIES)
    assert {r for rs in j.reasons for r in rs} <= set(REASONS)


def test_bad_input_and_cancel():
    with pytest.raises(ValueError):
        run([CAND], ["construction"])
    with pytest.raises(ValueError):
        run([CAND], ["nonagri"], today="")
    with pytest.raises(Cancelled):
        run([CAND], ["nonagri"], cancelled=lambda: True)
    assert len(run([], [])) == 0


# ------------------------------------------------------------------------------------------ priority


def test_priority_basic_first_then_area_then_repeats():
    basic = [0, 10, 0, 500, 10, 0]
    area = [5000, 100, 900, 100, 100, 900]
    repeats = [0, 0, 0, 0, 2, 1]
    # 3 (most 永农), then 4 (repeats beats 1), 1, then no 永农 by area: 0, then 5 (repeat) before 2
    assert list(priority_order(basic, area, repeats)) == [4, 3, 6, 1, 2, 5]


def test_priority_ties_by_input_order():
    assert list(priority_order([0, 0, 0], [10, 10, 10], [0, 0, 0])) == [1, 2, 3]
    assert list(priority_order([], [], [])) == []


def test_prejudge_priority_puts_problems_before_lawful_pieces():
    refs = References(approved=ref([shapely.box(0, 0, 100, 10)]))
    small = shapely.box(0, 100, 10, 110)
    j = run([CAND, small, small], ["nonagri"] * 3, refs, basic=np.array([1000.0, 0, 0]), repeats=[0, 0, 3])
    assert list(j.category) == ["approved", "verify", "verify"]
    assert list(j.priority) == [3, 2, 1]


# ------------------------------------------------------------------------------------------ cells and codes


def test_assign_cells():
    cells = [shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)]
    codes = ["6229211000010101", "6229211000010102"]
    geoms = np.array([shapely.box(1, 1, 3, 3), shapely.box(8, 1, 19, 9), shapely.box(15, 8, 25, 30),
                      shapely.box(50, 50, 60, 60), None], dtype=object)
    out = assign_cells(geoms, shapely.to_wkb(np.array(cells, dtype=object)), codes)
    assert list(out) == [codes[0], codes[1], codes[1], "", ""]


def test_assign_cells_point_on_shared_edge_is_repeatable():
    cells = [shapely.box(10, 0, 20, 10), shapely.box(0, 0, 10, 10)]
    geom = shapely.Polygon([(10, 0), (10, 10), (10.000001, 5)])  # sliver on the edge
    assert assign_cells(np.array([geom], dtype=object), np.array(cells, dtype=object), ["B", "A"])[0] in ("A", "B")


def test_affected_codes():
    parcels = np.array([shapely.box(0, 0, 50, 10), shapely.box(50, 0, 100, 10), shapely.box(99.95, 0, 120, 10),
                        shapely.box(20, 0, 30, 10)], dtype=object)
    codes = ["LX-0002", "LX-0001", "LX-0003", None]
    out = affected_codes(np.array([CAND, shapely.box(500, 500, 510, 510)], dtype=object),
                         shapely.to_wkb(parcels), codes)
    assert out == [["LX-0001", "LX-0002"], []]
    assert affected_codes(np.array([CAND], dtype=object), shapely.to_wkb(parcels), codes, 0.1) == [
        ["LX-0001", "LX-0002", "LX-0003"]]


# ------------------------------------------------------------------------------------------ sample county

#: The other module's kind for each simulated change (1006 农村道路 is farm land, not construction).
SAMPLE_KIND = {"homestead_0702": "nonagri", "road_1003": "nonagri", "shed_1202": "facility", "road_1006": "other",
               "orchard_0201": "nongrain", "forest_0301": "nongrain", "grass_0404": "nongrain",
               "pond_1104A": "nongrain", "fls": "nongrain", "lake_1104": "waterscape", "shed_basic_1202": "facility"}
LAWFUL_OF_LAYER = {"PZYD": "approved", "SSNYDBA": "facility", "LSYD": "temporary"}


def _read(ds, name, fields):
    layer = ds.GetLayerByName(name)
    fids, wkb, values = [], [], {f: [] for f in fields}
    for feature in layer:
        fids.append(feature.GetFID())
        g = feature.GetGeometryRef()
        wkb.append(bytes(g.ExportToIsoWkb()) if g is not None else None)
        for f in fields:
            values[f].append(feature.GetFieldAsString(f) if feature.IsFieldSet(f) else None)
    return np.array(fids), np.array(wkb, dtype=object), values


@pytest.fixture(scope="module")
def sample(change_sample):
    """The generated 20 000-parcel sample (tests/conftest.py), so CI runs these on a clean clone."""
    from osgeo import ogr

    ds = ogr.Open(str(change_sample / "sample_county.gpkg"))
    changes = [c for c in json.loads((change_sample / "manifest.json").read_text(encoding="utf-8"))["changes"]
               if c["kind"] in SAMPLE_KIND]  # 撂荒 (wg) is no loss: tests/unit/test_change_categories.py
    _, pz, pv = _read(ds, "PZYD", ["PZWH", "PZRQ"])
    _, ss, sv = _read(ds, "SSNYDBA", ["BAH", "BARQ", "BAMJ"])
    _, ls, lv = _read(ds, "LSYD", ["PZWH", "QSRQ", "ZZRQ"])
    _, cz, cv = _read(ds, "CZKFBJ", ["XZQMC"])
    _, yj, _ = _read(ds, "YJJBNTTB", [])
    fids, dltb, _ = _read(ds, "DLTB_2025", [])
    refs = References(approved=Reference(pz, pv["PZWH"], pv["PZRQ"], name="PZYD"),
                      facility=Reference(ss, sv["BAH"], sv["BARQ"], None, [float(x) for x in sv["BAMJ"]], "SSNYDBA"),
                      temporary=Reference(ls, lv["PZWH"], lv["QSRQ"], lv["ZZRQ"], name="LSYD"),
                      boundary=Reference(cz, cv["XZQMC"], name="CZKFBJ"))
    by_fid = dict(zip(fids.tolist(), shapely.from_wkb(dltb)))
    geoms = np.array([by_fid[c["dltb_2025_fid"]] for c in changes], dtype=object)
    basic_layer = shapely.from_wkb(yj)
    tree = shapely.STRtree(basic_layer)
    a, b = tree.query(geoms, predicate="intersects")
    basic = np.bincount(a, shapely.area(shapely.intersection(geoms[a], basic_layer[b])), minlength=len(geoms))
    kinds = [SAMPLE_KIND[c["kind"]] for c in changes]
    j = prejudge(geoms, kinds, [c["to_dlbm"] for c in changes], basic, refs, "2025-06-30")
    return changes, geoms, j, shapely.from_wkb(ss), sv["BAH"]


def test_sample_pieces_cover_candidates(sample):
    changes, geoms, j, _, _ = sample
    assert sorted(set(j.candidate)) == list(range(len(changes)))
    for c, g in enumerate(geoms):
        assert j.area_m2[j.candidate == c].sum() == pytest.approx(g.area, abs=1e-6)


def test_sample_full_approvals(sample):
    changes, _, j, _, _ = sample
    for c, change in enumerate(changes):
        approval = change["approval"]
        if change["inside_approved"] and not approval["partial"]:
            rows = np.flatnonzero(j.candidate == c)
            assert len(rows) == 1, change["id"]
            on_basic = approval["layer"] == "SSNYDBA" and j.basic_m2[rows[0]] >= 1.0  # a filing is not enough there
            assert j.category[rows[0]] == ("verify" if on_basic else LAWFUL_OF_LAYER[approval["layer"]]), change["id"]
            assert approval["id"] in j.docs[rows[0]].split("；"), change["id"]


def test_sample_partial_approvals(sample):
    changes, _, j, _, _ = sample
    partial = [(c, ch) for c, ch in enumerate(changes) if ch["approval"] and ch["approval"]["partial"]]
    assert partial
    for c, change in partial:
        layer, doc = change["approval"]["layer"], change["approval"]["id"]
        rows = np.flatnonzero(j.candidate == c)
        if layer == "SSNYDBA":  # a facility is never split: the part beyond the filing makes it suspect
            assert list(j.category[rows]) == ["suspect"], change["id"]
            assert "facility_over_filing" in j.reasons[rows[0]] and doc in j.docs[rows[0]]
            continue
        lawful = [r for r in rows if j.category[r] == LAWFUL_OF_LAYER[layer]]
        assert len(lawful) == 1 and doc in j.docs[lawful[0]].split("；"), change["id"]
        assert len(rows) == 2 and j.category[[r for r in rows if r != lawful[0]][0]] in ("suspect", "verify")


def test_sample_sheds_inside_a_filing_are_facility(sample):
    changes, geoms, j, filings, docs = sample
    sheds = [c for c, ch in enumerate(changes) if ch["kind"] == "shed_1202"]
    inside = 0
    for c in sheds:
        share = max(shapely.intersection(geoms[c], f).area for f in filings) / geoms[c].area
        approval = changes[c]["approval"]
        filed = approval is not None and approval["layer"] == "SSNYDBA" and not approval["partial"]
        assert (share > 0.99) == filed, changes[c]["id"]  # the manifest agrees with the layer
        rows = np.flatnonzero(j.candidate == c)
        assert (j.category[rows[0]] == "facility") == (filed and j.basic_m2[rows[0]] < 1.0), changes[c]["id"]
        inside += filed
    assert inside >= 3


def test_sample_nongrain_on_basic_farmland_is_suspect(sample):
    changes, _, j, _, _ = sample
    checked = 0
    for c, change in enumerate(changes):
        if SAMPLE_KIND[change["kind"]] == "nongrain" and change["on_yjjbnt"]:
            rows = np.flatnonzero(j.candidate == c)
            assert list(j.category[rows]) == ["suspect"], change["id"]
            assert "on_basic_farmland" in j.reasons[rows[0]]
            checked += 1
    assert checked >= 10


def test_sample_nothing_lawful_without_a_document(sample):
    changes, _, j, _, _ = sample
    for r in range(len(j)):
        change = changes[j.candidate[r]]
        if j.category[r] in LAWFUL_OF_LAYER.values():
            assert change["approval"] is not None, change["id"]
            assert LAWFUL_OF_LAYER[change["approval"]["layer"]] == j.category[r], change["id"]
            assert change["approval"]["id"] in j.docs[r], change["id"]
    assert sorted(set(j.priority)) == list(range(1, len(j) + 1))
