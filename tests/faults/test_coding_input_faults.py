"""Land-class codes and CRS labels as county data really arrives (issue 15): DLBM padded with blanks or stored
as a number codes exactly what the clean survey codes, and says what was normalised; coordinates of the
other 3-degree zone convention under a wrong CRS label stop with a message naming the layer and the likely
EPSG code — never a traceback about infinite coordinates."""
from __future__ import annotations

from pathlib import Path

import pytest
from osgeo import gdal, ogr

from tests.conftest import layer_uri
from tests.helpers import read, recording_feedback, run, run_failing

ALG = "linxia_tianguan:space_code"


def _dltb_copy(sample_gpkg: Path, out: Path, dlbm_sql: str) -> str:
    """DLTB of the sample written to ``out`` (GeoPackage or shapefile) with DLBM replaced by ``dlbm_sql``."""
    src = ogr.Open(str(sample_gpkg))
    defn = src.GetLayerByName("DLTB").GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    geom = src.GetLayerByName("DLTB").GetGeometryColumn() or "geom"
    columns = ", ".join(f'{dlbm_sql} AS DLBM' if n == "DLBM" else f'"{n}"' for n in names)
    src = None
    options = gdal.VectorTranslateOptions(
        SQLStatement=f'SELECT "{geom}", {columns} FROM DLTB', SQLDialect="SQLITE", layerName="DLTB",
        format="ESRI Shapefile" if out.suffix == ".shp" else "GPKG",
        layerCreationOptions=["ENCODING=UTF-8"] if out.suffix == ".shp" else [])
    assert gdal.VectorTranslate(str(out), str(sample_gpkg), options=options) is not None
    return str(out) if out.suffix == ".shp" else layer_uri(out, "DLTB")


@pytest.fixture(scope="module")
def clean_count(processing_registry, sample_gpkg) -> int:
    return run(ALG, {"DLTB": layer_uri(sample_gpkg, "DLTB"), "OUTPUT": "TEMPORARY_OUTPUT"})["CODED"]


@pytest.mark.parametrize("case, suffix, dlbm_sql, example", [
    # ' 0103' (half-width blank), '　0102 ' (full-width before, blank after): every farmland code padded
    ("blanks", ".gpkg", "CASE WHEN DLBM = '0103' THEN ' ' || DLBM WHEN DLBM = '0102' THEN '\u3000' || DLBM || ' ' "
                        "ELSE DLBM END", "0103"),
    # a DBF trims ASCII blanks itself, not full-width ones
    ("blanks_shp", ".shp", "CASE WHEN DLBM LIKE '01%' THEN '\u3000' || DLBM ELSE DLBM END", "0103"),
    ("integer_gpkg", ".gpkg", "CAST(DLBM AS INTEGER)", "0103"),
    ("real_gpkg", ".gpkg", "CAST(DLBM AS REAL)", "0103"),
    ("integer_shp", ".shp", "CAST(DLBM AS INTEGER)", "0103"),
    ("decimal_text", ".gpkg", "CASE WHEN DLBM LIKE '01%' THEN DLBM || '.0' ELSE DLBM END", "0103"),
    ("lost_zero_text", ".gpkg", "CASE WHEN DLBM LIKE '01%' THEN ' ' || substr(DLBM, 2) || '.0' ELSE DLBM END",
     "0103"),
    ("real_shp", ".shp", "CAST(DLBM AS REAL)", "0103"),
])
def test_land_class_codes_are_normalised(processing_registry, sample_gpkg, clean_count, tmp_path,
                                         case, suffix, dlbm_sql, example):
    dltb = _dltb_copy(sample_gpkg, tmp_path / f"dltb_{case}{suffix}", dlbm_sql)
    feedback = recording_feedback()
    out = tmp_path / f"coded_{case}.gpkg"
    result = run(ALG, {"DLTB": dltb, "OUTPUT": str(out)}, feedback=feedback)
    assert result["CODED"] == clean_count > 100
    said = [m for m in feedback.warnings + feedback.infos if "DLBM" in m and ("normalised" in m or "规范" in m
                                                                               or "numbers" in m or "数值" in m)]
    assert said, feedback.warnings
    assert f"dltb_{case}" in said[0] and example in said[0]
    codes = set(read(str(out), ["DLBM"])["DLBM"])
    assert codes and codes <= {"0101", "0102", "0103"}


def test_clean_codes_say_nothing(processing_registry, sample_gpkg, clean_count):
    feedback = recording_feedback()
    run(ALG, {"DLTB": layer_uri(sample_gpkg, "DLTB"), "OUTPUT": "TEMPORARY_OUTPUT"}, feedback=feedback)
    assert not [m for m in feedback.warnings if "normalised" in m or "规范" in m]


def _no_traceback(message: str) -> None:
    assert "Traceback" not in message and "ValueError" not in message and "inf" not in message.split("EPSG")[0]


def test_zone_prefixed_coordinates_under_plain_label(processing_registry, sample_gpkg, tmp_path):
    # the sample is EPSG:4522 (zone 34, x ≈ 34 5xx xxx); labelled as the plain CM 102°E CRS
    out = tmp_path / "dltb_label_4543.gpkg"
    run("native:assignprojection", {"INPUT": layer_uri(sample_gpkg, "DLTB"), "CRS": "EPSG:4543",
                                    "OUTPUT": str(out)})
    message = run_failing(ALG, {"DLTB": str(out), "OUTPUT": "TEMPORARY_OUTPUT"})
    _no_traceback(message)
    assert "dltb_label_4543" in message and "EPSG:4543" in message and "EPSG:4522" in message


def test_plain_coordinates_under_zone_label(processing_registry, sample_gpkg, tmp_path):
    # x without the zone number (≈ 5xx xxx) while the layer still says EPSG:4522 (zone 34)
    out = tmp_path / "dltb_no_prefix.gpkg"
    run("native:translategeometry", {"INPUT": layer_uri(sample_gpkg, "DLTB"), "DELTA_X": -34_000_000,
                                     "OUTPUT": str(out)})
    message = run_failing(ALG, {"DLTB": str(out), "OUTPUT": "TEMPORARY_OUTPUT"})
    _no_traceback(message)
    assert "dltb_no_prefix" in message and "EPSG:4522" in message and "EPSG:4543" in message


def test_projected_coordinates_labelled_geographic_are_named(processing_registry, sample_gpkg, tmp_path):
    # metres under EPSG:4490 (degrees), no store: the working CRS is derived from DLTB and must not crash on it
    out = tmp_path / "dltb_label_4490.gpkg"
    run("native:assignprojection", {"INPUT": layer_uri(sample_gpkg, "DLTB"), "CRS": "EPSG:4490",
                                    "OUTPUT": str(out)})
    message = run_failing(ALG, {"DLTB": str(out), "OUTPUT": "TEMPORARY_OUTPUT"})
    _no_traceback(message)
    assert "dltb_label_4490" in message and "EPSG:4490" in message


def test_mislabelled_contract_parcels_are_named(processing_registry, sample_gpkg, tmp_path):
    # a zone-prefixed layer labelled as another zone (38, CM 114°E): the DK layer is the one named
    out = tmp_path / "dk_label_4526.gpkg"
    run("native:assignprojection", {"INPUT": layer_uri(sample_gpkg, "DK"), "CRS": "EPSG:4526", "OUTPUT": str(out)})
    message = run_failing(ALG, {"DLTB": layer_uri(sample_gpkg, "DLTB"), "DK": str(out),
                                "OUTPUT": "TEMPORARY_OUTPUT"})
    _no_traceback(message)
    assert "dk_label_4526" in message and "EPSG:4526" in message and "EPSG:4522" in message


def test_beidou_names_non_finite_input():
    import numpy as np

    from linxia_tianguan_plugin.core.coding import beidou

    with pytest.raises(ValueError, match="non-finite"):
        beidou.encode_many(np.array([103.0, np.inf]), np.array([35.5, np.inf]))
