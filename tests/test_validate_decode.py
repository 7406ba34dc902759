"""校验空间码 and 解析空间码 on the coded sample county, clean and deliberately broken."""
from __future__ import annotations

import shutil

import pytest
import shapely
from osgeo import ogr

from linxia_tianguan_plugin.core.coding.checkchar import mod11_2
from tests.conftest import layer_uri
from tests.helpers import run


@pytest.fixture(scope="module")
def coded(processing_registry, sample_gpkg, tmp_path_factory):
    base = tmp_path_factory.mktemp("validate")
    store = base / "tg.gpkg"
    run("linxia_tianguan:space_code", {
        "DLTB": layer_uri(sample_gpkg, "DLTB"), "DK": layer_uri(sample_gpkg, "DK"),
        "CJDCQ": layer_uri(sample_gpkg, "CJDCQ"), "STORE": str(store), "OUTPUT": str(base / "coded.gpkg")})
    return {"base": base, "store": store, "out": base / "coded.gpkg", "sample": sample_gpkg}


def _validate(coded, layer, **extra):
    params = {"INPUT": str(layer), "CJDCQ": layer_uri(coded["sample"], "CJDCQ"),
              "DLTB": layer_uri(coded["sample"], "DLTB"), "STORE": str(coded["store"]), "OUTPUT": "TEMPORARY_OUTPUT"}
    params.update(extra)
    result = run("linxia_tianguan:validate_space_code", params)
    rows = [dict(zip(result["OUTPUT"].fields().names(), f.attributes())) for f in result["OUTPUT"].getFeatures()]
    return result, rows


def test_clean_coding_has_no_errors(coded):
    result, rows = _validate(coded, coded["out"])
    assert result["ERRORS"] == 0, [r for r in rows if r["JB"] == "Error"][:5]
    kinds = {r["LX"] for r in rows}
    assert not kinds & {"uncoded_farmland", "not_registered", "missing_from_layer", "part_mismatch"}


def test_broken_codes_are_each_reported(coded, tmp_path):
    broken = tmp_path / "broken.gpkg"
    shutil.copy(coded["out"], broken)
    ds = ogr.Open(str(broken), 1)
    layer = ds.GetLayer(0)
    first = [layer.GetNextFeature() for _ in range(300)]
    shapes = shapely.from_wkb([bytes(f.GetGeometryRef().ExportToWkb()) for f in first])
    # two valid neighbours (sharing a boundary) for the overlap, four other parcels for the other errors
    a, b = next((i, j) for i in range(len(first)) for j in range(i + 1, len(first))
                if shapely.is_valid(shapes[i]) and shapely.is_valid(shapes[j])
                and shapely.length(shapely.intersection(shapely.boundary(shapes[i]), shapes[j])) > 1)
    rest = [f for k, f in enumerate(first) if k not in (a, b) and shapely.is_valid(shapes[k])][:4]
    features = [rest[0], rest[1], rest[2], first[a], first[b], rest[3]]
    codes = [f.GetField("KJM") for f in features]
    # 1. a mistyped check character
    bad_check = codes[0][:19] + ("0" if codes[0][19] != "0" else "1")
    features[0].SetField("KJM", bad_check)
    # 2. the same code on two parcels
    features[1].SetField("KJM", codes[2])
    # 3. a parcel drawn over its neighbour
    geom = shapely.from_wkb(bytes(features[4].GetGeometryRef().ExportToWkb()))
    other = shapely.from_wkb(bytes(features[3].GetGeometryRef().ExportToWkb()))
    features[4].SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(shapely.union(geom, other))))
    # 4. a code from another village (valid check character, unknown to the store)
    elsewhere = "62292199999901" + codes[5][14:19]
    features[5].SetField("KJM", elsewhere + mod11_2(elsewhere))
    for f in (features[0], features[1], features[4], features[5]):
        layer.SetFeature(f)
    ds = None
    result, rows = _validate(coded, broken)
    by_kind = {}
    for r in rows:
        by_kind.setdefault(r["LX"], set()).add(r["KJM"])
    assert bad_check in by_kind["bad_check"]
    assert codes[2] in by_kind["duplicate_code"]
    assert by_kind["overlap"]
    assert elsewhere + mod11_2(elsewhere) in by_kind["village_mismatch"]
    assert elsewhere + mod11_2(elsewhere) in by_kind["not_registered"]
    assert {codes[0], codes[1], codes[5]} <= by_kind["missing_from_layer"]
    assert result["ERRORS"] >= 3


def test_decode_names_the_places_and_the_status(coded):
    from qgis.core import QgsVectorLayer

    feature = next(QgsVectorLayer(str(coded["out"]), "c", "ogr").getFeatures())
    result = run("linxia_tianguan:decode_space_code", {"CODE": feature["KJM"], "STORE": str(coded["store"])})
    assert result["VALID"] == 1 and result["SEQUENCE"] == feature["SXH"]
    assert result["COUNTY"] == "622921 临夏县"
    assert result["TOWNSHIP"].startswith(feature["XZDM"]) and "(unknown)" not in result["TOWNSHIP"]
    assert result["VILLAGE"].endswith(("村", "社区"))
    assert result["GROUP"].endswith("社") or feature["ZDM"].endswith("00")
    assert result["STATUS"].startswith("active")
    # the time a person reads: Beijing, to the minute — not the stored ISO text
    import re

    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}$", result["STATUS"]) and "T" not in result["STATUS"][-16:]


def test_decode_rejects_a_typo(processing_registry):
    result = run("linxia_tianguan:decode_space_code", {"CODE": "62292110020101000013"})
    assert result["VALID"] == 0 and "check character" in result["MESSAGE"]
