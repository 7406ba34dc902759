"""Issue 18's change categories on small shapes: 挖湖造景, 撂荒 (ZZSXDM WG), 设施农用地 on 永久基本农田 with a filing,
KCXS in percent (coding and change detection read it the same way), and the PostGIS kind/category checks."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from linxia_tianguan_plugin.core.cases.change_detection import LandUse, abandoned, abandoned_by_township, compare_years
from linxia_tianguan_plugin.core.cases.change_rules import DEFAULT_RULES, rules_from_dict
from linxia_tianguan_plugin.core.cases.prejudge import KINDS, REASONS, Reference, References, prejudge
from linxia_tianguan_plugin.core.coding.kcxs import kcxs_fractions

TODAY = "2025-06-30"
CAND = shapely.box(0, 0, 100, 10)  # 1000 m²


def land(bsm, dlbm, geoms, zzsx=None, kcxs=None, zone=None):
    n = len(geoms)
    return LandUse(np.array(bsm, dtype=object), np.array(dlbm, dtype=object),
                   np.array(zzsx if zzsx is not None else [""] * n, dtype=object),
                   np.array(kcxs if kcxs is not None else [0.1] * n, dtype=float),
                   np.array([shapely.to_wkb(g) for g in geoms], dtype=object),
                   None if zone is None else np.array(zone, dtype=object))


def judge(kind, to, refs=None, basic=0.0):
    return prejudge(np.array([CAND], dtype=object), [kind], [to], np.array([basic]), refs or References(), TODAY)


# ------------------------------------------------------------------------------------------ 挖湖造景

@pytest.mark.parametrize("to, kind", [("1102", "waterscape"), ("1103", "waterscape"), ("1104", "waterscape"),
                                      ("1104A", "nongrain"), ("1101", "other"), ("1107", "other")])
def test_farmland_dug_into_water_is_its_own_kind(to, kind):
    assert DEFAULT_RULES.classify("0103", to) == kind
    assert DEFAULT_RULES.classify("0201", to) is None  # not farmland before: no loss


def test_waterscape_rules_round_trip_and_can_be_changed():
    assert rules_from_dict(DEFAULT_RULES.to_dict()) == DEFAULT_RULES
    narrow = rules_from_dict({"waterscape": ["1102"]})
    assert narrow.classify("0103", "1104") == "other" and narrow.classify("0103", "1102") == "waterscape"


def test_waterscape_is_judged_against_approvals_then_basic_farmland():
    approved = References(approved=Reference.from_geoms(np.array([shapely.box(-1, -1, 101, 11)], dtype=object),
                                                        ["甘政国土征〔2024〕1号"], ["2024-05-01"], name="PZYD"))
    j = judge("waterscape", "1103", approved)
    assert j.category[0] == "approved" and j.docs[0] == "甘政国土征〔2024〕1号"
    j = judge("waterscape", "1104")
    assert j.category[0] == "verify" and j.reasons[0] == ["waterscape_no_approval"]
    j = judge("waterscape", "1104", basic=600.0)
    assert j.category[0] == "suspect" and j.reasons[0] == ["waterscape_no_approval", "on_basic_farmland"]


def test_waterscape_found_between_two_surveys():
    before = land(["A"], ["0103"], [CAND], kcxs=[0.2])
    after = land(["B"], ["1104"], [CAND])
    result, stats = compare_years(before, after, np.array([shapely.to_wkb(shapely.box(0, 0, 50, 10))], dtype=object),
                                  DEFAULT_RULES)
    assert list(result.kind) == ["waterscape"] and stats["by_kind"] == {"waterscape": 1}
    assert result.area_m2[0] == pytest.approx(1000) and result.farmland_m2[0] == pytest.approx(800)
    assert result.basic_m2[0] == pytest.approx(500)


# ------------------------------------------------------------------------------------------ 设施农用地 on 永农

def _filing(filed=1100.0):
    return References(facility=Reference.from_geoms(np.array([shapely.box(-1, -1, 101, 11)], dtype=object),
                                                    ["设农备1"], ["2025-01-02"], None, [filed], "SSNYDBA"))


def test_a_filing_does_not_make_facility_land_on_basic_farmland_lawful():
    j = judge("facility", "1202", _filing(), basic=0.0)
    assert j.category[0] == "facility" and j.reasons[0] == ["facility_within_filing"]
    j = judge("facility", "1202", _filing(), basic=300.0)
    assert j.category[0] == "verify"
    assert j.reasons[0] == ["facility_filed_on_basic", "on_basic_farmland"]
    assert j.docs[0] == "设农备1" and j.facility_m2[0] == pytest.approx(1000)


def test_facility_on_basic_farmland_beyond_or_without_a_filing_stays_suspect():
    j = judge("facility", "1202", _filing(filed=500.0), basic=300.0)
    assert j.category[0] == "suspect" and "facility_over_filing" in j.reasons[0]
    j = judge("facility", "1202", basic=300.0)
    assert j.category[0] == "suspect" and j.reasons[0] == ["facility_no_filing", "on_basic_farmland"]


def test_a_sliver_of_basic_farmland_does_not_count():
    assert judge("facility", "1202", _filing(), basic=0.5).category[0] == "facility"


# ------------------------------------------------------------------------------------------ 撂荒

def test_abandoned_lists_every_unplanted_farmland_patch_with_its_township():
    geoms = [shapely.box(0, 0, 40, 40), shapely.box(100, 0, 130, 30), shapely.box(200, 0, 240, 40),
             shapely.box(300, 0, 340, 40), shapely.box(400, 0, 405, 5)]
    survey = land(["A", "B", "C", "D", "E"], ["0103", "0102", "0201", "0103", "0103"], geoms,
                  zzsx=["WG", "wg", "WG", "LS", "WG"], kcxs=[0.1, 0.0, 0.0, 0.0, 0.0],
                  zone=["622921100", "622921101", "622921100", "622921100", "622921100"])
    basic = np.array([shapely.to_wkb(shapely.box(0, 0, 20, 40))], dtype=object)
    cand, stats = abandoned(survey, basic, DEFAULT_RULES)
    # C is an orchard (no farmland), D is planted, E is 25 m² (below the minimum area, no 永农)
    assert list(cand.bsm_before) == ["A", "B"] and list(cand.kind) == ["abandoned"] * 2
    assert set(cand.source) == {"planting"} and list(cand.to_zzsxdm) == ["WG", "WG"]
    assert list(cand.from_dlbm) == list(cand.to_dlbm) == ["0103", "0102"]
    np.testing.assert_allclose(cand.area_m2, [1600, 900])
    np.testing.assert_allclose(cand.farmland_m2, [1440, 900])
    np.testing.assert_allclose(cand.basic_m2, [800, 0])
    assert stats["abandoned_patches"] == 3
    assert stats["abandoned_by_township"] == [
        {"township": "622921100", "patches": 1, "area_m2": 1600.0, "farmland_m2": 1440.0, "basic_m2": 800.0},
        {"township": "622921101", "patches": 1, "area_m2": 900.0, "farmland_m2": 900.0, "basic_m2": 0.0}]
    assert abandoned_by_township(cand, ["x", "x"])[0]["patches"] == 2


def test_abandoned_is_no_loss_between_surveys_and_is_judged_for_the_field():
    assert DEFAULT_RULES.classify("0103", "0103", "WG") is None
    assert DEFAULT_RULES.is_abandoned("0103", " wg") and not DEFAULT_RULES.is_abandoned("0201", "WG")
    assert not DEFAULT_RULES.is_abandoned("0103", "XG")  # 休耕 is fallow by plan
    j = judge("abandoned", "0103", _filing())
    assert j.category[0] == "verify" and j.reasons[0] == ["abandoned_farmland"]
    j = judge("abandoned", "0103", basic=200.0)
    assert j.category[0] == "verify" and j.reasons[0] == ["abandoned_farmland", "on_basic_farmland"]


def test_abandoned_of_an_empty_survey():
    cand, stats = abandoned(land([], [], []), np.zeros(0, dtype=object), DEFAULT_RULES)
    assert len(cand) == 0 and stats["abandoned_by_township"] == []


def test_new_codes_are_declared():
    assert {"waterscape", "abandoned"} <= set(KINDS)
    assert {"facility_filed_on_basic", "waterscape_no_approval", "abandoned_farmland"} <= set(REASONS)


# ------------------------------------------------------------------------------------------ KCXS in percent

def test_kcxs_in_percent_is_detected_per_layer():
    fractions = kcxs_fractions([0.08, 0.2, None, "", 0.0])
    assert not fractions.percent
    np.testing.assert_allclose(fractions.fractions, [0.08, 0.2, np.nan, np.nan, 0.0])
    percent = kcxs_fractions([8, 12.5, None, 0.5])
    assert percent.percent and percent.largest == 12.5
    np.testing.assert_allclose(percent.fractions, [0.08, 0.125, np.nan, 0.005])
    assert not kcxs_fractions([0.1, 250.0]).percent  # above 100 is wrong in either unit: it decides nothing
    assert not kcxs_fractions([]).percent


def test_change_detection_reads_kcxs_in_percent_as_fractions():
    before = land(["A"], ["0103"], [CAND], kcxs=[8.0])
    assert before.kcxs_percent and before.kcxs_largest == 8.0
    after = land(["B"], ["0702"], [CAND])
    result, _ = compare_years(before, after, np.zeros(0, dtype=object), DEFAULT_RULES)
    assert result.farmland_m2[0] == pytest.approx(920.0)  # not 0, as 8 clipped to 1 would give
    assert not land(["A"], ["0103"], [CAND], kcxs=[0.08]).kcxs_percent


def test_coding_reads_kcxs_in_percent_the_same_way():
    from linxia_tianguan_plugin.core.coding.layers import Layer
    from linxia_tianguan_plugin.core.coding.one_click import CodingInput, CodingJob

    geoms = [shapely.box(0, 0, 50, 50), shapely.box(50, 0, 100, 50)]
    wkb = np.array([shapely.to_wkb(g) for g in geoms], dtype=object)
    attrs = {"DLBM": np.array(["0103", "0103"], dtype=object),
             "ZLDWDM": np.array(["6229211002010000000"] * 2, dtype=object),
             "BSM": np.array(["A", "B"], dtype=object), "KCXS": np.array([8.0, 15.0])}
    layer = Layer("DLTB", np.arange(2), wkb, shapely.bounds(np.array(geoms, dtype=object)),
                  shapely.area(np.array(geoms, dtype=object)), attrs)
    job = CodingJob(CodingInput(land=layer))
    np.testing.assert_allclose(job.land_kcxs, [0.08, 0.15])
    assert [(i.kind, i.value) for i in job.issues if i.kind == "kcxs_percent"] == [("kcxs_percent", 15.0)]
    attrs["KCXS"] = np.array([0.08, 0.15])
    job = CodingJob(CodingInput(land=Layer("DLTB", np.arange(2), wkb, layer.bounds, layer.area, attrs)))
    np.testing.assert_allclose(job.land_kcxs, [0.08, 0.15])
    assert not [i for i in job.issues if i.kind == "kcxs_percent"]
