"""Issue 18's change categories through Processing on the generated sample (tests/conftest.py ``change_sample``):
the injected 挖湖造景 (→1104), 撂荒 (ZZSXDM WG) and filed greenhouses on 永久基本农田 come out with their kind,
pre-judgement, reasons and areas; 撂荒 is listed per township; a missing 永农 layer is a warning."""
from __future__ import annotations

import json

import pytest
import shapely

from tests.conftest import layer_uri
from tests.helpers import change_params, read, recording_feedback, run, store_copy

ALG = "linxia_tianguan:change_detection"


@pytest.fixture(scope="module")
def analysed(processing_registry, change_sample, prepared_store, tmp_path_factory):
    base = tmp_path_factory.mktemp("categories")
    src = change_sample / "sample_county.gpkg"
    store = store_copy(prepared_store, base)
    feedback = recording_feedback()
    result = run(ALG, change_params(src, STORE=str(store), OUTPUT=str(base / "changes.gpkg")), feedback=feedback)
    manifest = json.loads((change_sample / "manifest.json").read_text(encoding="utf-8"))
    basic = shapely.union_all(read(layer_uri(src, "YJJBNTTB"))["geom"])
    return {"result": result, "out": read(str(base / "changes.gpkg")), "changes": manifest["changes"],
            "feedback": feedback, "basic": basic, "src": src}


def _rows(out, change):
    centre = shapely.Point(change["centroid"])
    return [i for i in range(len(out["QBSM"])) if out["QBSM"][i] == change["bsm_2024"]
            and shapely.distance(out["geom"][i], centre) < 5.0]


def _of(analysed, kind):
    changes = [c for c in analysed["changes"] if c["kind"] == kind]
    assert changes, f"the sample has no {kind}"
    return changes


def test_dug_lakes_are_waterscape(analysed):
    out = analysed["out"]
    for change in _of(analysed, "lake_1104"):
        [i] = _rows(out, change)
        assert out["BHLX"][i] == "waterscape" and out["HDLBM"][i] == "1104" and out["BHLXMC"][i]
        assert out["MJ"][i] == pytest.approx(change["area"], abs=0.1)
        on_basic = shapely.intersection(out["geom"][i], analysed["basic"]).area >= 1.0
        assert out["YPLB"][i] == ("suspect" if on_basic else "verify"), change["id"]
        assert out["YPYJ"][i].startswith("耕地挖湖造景") or "waterscape" not in out["YPYJ"][i]
    assert analysed["result"]["WATERSCAPE"] == sum(1 for k in out["BHLX"] if k == "waterscape") >= 3


def test_filed_greenhouses_on_basic_farmland_need_a_field_check(analysed):
    out = analysed["out"]
    for change in _of(analysed, "shed_basic_1202"):
        assert change["on_yjjbnt"] and change["approval"]["layer"] == "SSNYDBA" and change["inside_approved"]
        [i] = _rows(out, change)
        assert out["BHLX"][i] == "facility" and out["YPLB"][i] == "verify", change["id"]
        assert change["approval"]["id"] in out["PZWH"][i]
        assert out["BAMJ"][i] == pytest.approx(out["MJ"][i], abs=0.1) and out["YJMJ"][i] >= 1.0
    # and no facility on 永久基本农田 is lawful by its filing alone anywhere in the sample
    assert not [i for i in range(len(out["BHLX"])) if out["YPLB"][i] == "facility" and out["YJMJ"][i] >= 1.0]


def test_abandoned_farmland_is_listed_with_its_area(analysed):
    out = analysed["out"]
    wg = _of(analysed, "wg")
    for change in wg:
        [i] = _rows(out, change)
        assert out["BHLX"][i] == "abandoned" and out["HZZSX"][i] == "WG" and out["YPLB"][i] == "verify"
        assert out["MJ"][i] == pytest.approx(change["area"], abs=0.1)
        assert out["YJMJ"][i] == pytest.approx(shapely.intersection(out["geom"][i], analysed["basic"]).area,
                                               abs=0.1)
        assert (out["YJMJ"][i] >= 1.0) == ("on_basic_farmland" in _reason_codes(out["YPYJ"][i]))
    assert analysed["result"]["ABANDONED"] == len(wg) == sum(1 for k in out["BHLX"] if k == "abandoned")
    infos = [m for m in analysed["feedback"].infos if m.startswith("撂荒")]
    assert len(infos) == 1 and f"{len(wg)} " in infos[0]


def _reason_codes(text: str) -> set[str]:
    from linxia_tianguan_plugin.labels import reason_labels

    names = {v: k for k, v in reason_labels().items()}
    return {names.get(t, t) for t in text.split("；")}


def test_abandoned_per_township_in_the_run(analysed):
    wg = _of(analysed, "wg")
    per_town: dict[str, float] = {}
    for c in wg:
        per_town[c["township"]] = per_town.get(c["township"], 0.0) + c["area"]
    out = analysed["out"]
    by_output: dict[str, float] = {}
    for i in range(len(out["BHLX"])):
        if out["BHLX"][i] == "abandoned":
            town = next(c["township"] for c in wg if c["bsm_2024"] == out["QBSM"][i])
            by_output[town] = by_output.get(town, 0.0) + out["MJ"][i]
    assert by_output.keys() == per_town.keys()
    for town, area in per_town.items():
        assert by_output[town] == pytest.approx(area, abs=0.5)


def test_missing_basic_farmland_layer_is_a_warning(processing_registry, change_sample, prepared_store, tmp_path):
    src = change_sample / "sample_county.gpkg"
    store = store_copy(prepared_store, tmp_path)
    feedback = recording_feedback()
    result = run(ALG, change_params(src, STORE=str(store), YJJBNT=None, OUTPUT=str(tmp_path / "c.gpkg")),
                 feedback=feedback)
    assert any("永农" in w and "0" in w for w in feedback.warnings), feedback.warnings
    assert all(v == 0 for v in read(result["OUTPUT"])["YJMJ"])
