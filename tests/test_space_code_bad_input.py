"""Bad input gets a clear message naming the layer and field, and loses nothing."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from osgeo import ogr

from linxia_tianguan_plugin.storage import GpkgStore
from tests.conftest import layer_uri
from tests.helpers import read, recording_feedback, run, run_failing

ALG = "linxia_tianguan:space_code"


def _drop_field(uri: str, field: str, out: Path) -> str:
    run("native:deletecolumn", {"INPUT": uri, "COLUMN": [field], "OUTPUT": str(out)})
    return str(out)


def test_missing_land_class_field_names_layer_and_field(processing_registry, sample_gpkg, tmp_path):
    dltb = _drop_field(layer_uri(sample_gpkg, "DLTB"), "DLBM", tmp_path / "dltb_no_dlbm.gpkg")
    message = run_failing(ALG, {"DLTB": dltb, "OUTPUT": "TEMPORARY_OUTPUT"})
    assert "dltb_no_dlbm" in message and "DLBM" in message


def test_missing_dkbm_names_layer_and_field(processing_registry, sample_gpkg, tmp_path):
    dk = _drop_field(layer_uri(sample_gpkg, "DK"), "DKBM", tmp_path / "dk_no_dkbm.gpkg")
    message = run_failing(ALG, {"DLTB": layer_uri(sample_gpkg, "DLTB"), "DK": dk, "OUTPUT": "TEMPORARY_OUTPUT"})
    assert "dk_no_dkbm" in message and "DKBM" in message


def test_empty_layers_are_refused_with_a_clear_message(processing_registry, sample_gpkg, tmp_path):
    empty_dk = run("native:extractbyexpression", {"INPUT": layer_uri(sample_gpkg, "DK"), "EXPRESSION": "1 = 0",
                                                  "OUTPUT": str(tmp_path / "empty_dk.gpkg")})["OUTPUT"]
    message = run_failing(ALG, {"DLTB": layer_uri(sample_gpkg, "DLTB"), "DK": empty_dk, "OUTPUT": "TEMPORARY_OUTPUT"})
    assert "empty_dk" in message and "contract parcels" in message
    grass = run("native:extractbyexpression", {"INPUT": layer_uri(sample_gpkg, "DLTB"),
                                               "EXPRESSION": "\"DLBM\" = '0404'",
                                               "OUTPUT": str(tmp_path / "grass_only.gpkg")})["OUTPUT"]
    message = run_failing(ALG, {"DLTB": grass, "OUTPUT": "TEMPORARY_OUTPUT"})
    assert "grass_only" in message and "DLBM 01xx" in message


def test_previous_layer_without_codes_is_refused(processing_registry, sample_gpkg):
    message = run_failing(ALG, {"DLTB": layer_uri(sample_gpkg, "DLTB"), "PREVIOUS": layer_uri(sample_gpkg, "DK"),
                                "OUTPUT": "TEMPORARY_OUTPUT"})
    assert "KJM" in message


def _strip_code_page(shp_dir: Path, name: str, target: Path) -> Path:
    """Copy a GBK shapefile without its .cpg and with the DBF's code-page byte cleared (as often delivered)."""
    target.mkdir(parents=True, exist_ok=True)
    for part in shp_dir.glob(name + ".*"):
        if part.suffix.lower() != ".cpg":
            shutil.copy(part, target / part.name)
    with open(target / f"{name}.dbf", "r+b") as dbf:
        dbf.seek(29)
        dbf.write(b"\x00")
    return target / f"{name}.shp"


def test_gbk_shapefile_without_cpg_reads_correctly(processing_registry, sample_county, tmp_path):
    shp = _strip_code_page(sample_county / "shp", "DLTB", tmp_path / "shp")
    # without help QGIS decodes the names wrongly on a UTF-8 system: this is the trap being tested
    from qgis.core import QgsVectorLayer

    plain = QgsVectorLayer(str(shp), "plain", "ogr")
    assert not any("村" in str(f["ZLDWMC"]) for f in plain.getFeatures())
    store = tmp_path / "tg.gpkg"
    feedback = recording_feedback()
    result = run(ALG, {"DLTB": str(shp), "DK": layer_uri(sample_county / "sample_county.gpkg", "DK"),
                       "STORE": str(store), "OUTPUT": "TEMPORARY_OUTPUT"}, feedback=feedback)
    assert any("GBK" in m for m in feedback.infos)
    assert result["CODED"] > 1000
    s = GpkgStore(store)
    try:
        names = [r[0] for r in s.conn.execute("SELECT name FROM tg_admin_unit WHERE level = 'village'")]
    finally:
        s.close()
    assert names and all(n.endswith(("村", "社区")) for n in names)


def test_geographic_input_is_projected_to_its_cgcs2000_zone(processing_registry, sample_gpkg, tmp_path):
    geo = {}
    for name in ("DLTB", "DK"):
        geo[name] = run("native:reprojectlayer", {"INPUT": layer_uri(sample_gpkg, name),
                                                  "TARGET_CRS": "EPSG:4490",
                                                  "OUTPUT": str(tmp_path / f"{name}_4490.gpkg")})["OUTPUT"]
    feedback = recording_feedback()
    projected = run(ALG, {"DLTB": layer_uri(sample_gpkg, "DLTB"), "DK": layer_uri(sample_gpkg, "DK"),
                          "OUTPUT": str(tmp_path / "projected.gpkg")})
    geographic = run(ALG, {"DLTB": geo["DLTB"], "DK": geo["DK"], "OUTPUT": str(tmp_path / "geographic.gpkg")},
                     feedback=feedback)
    assert any("EPSG:4522" in m for m in feedback.infos)
    a, b = read(str(tmp_path / "projected.gpkg")), read(str(tmp_path / "geographic.gpkg"))
    assert abs(geographic["CODED"] - projected["CODED"]) <= 0.01 * projected["CODED"]
    total_a, total_b = a["GDMJ"].astype(float).sum(), b["GDMJ"].astype(float).sum()
    assert abs(total_a - total_b) < 0.001 * total_a  # areas in metres, never in degrees


def test_duplicate_dkbm_is_reported_and_both_parcels_coded(processing_registry, sample_gpkg, tmp_path):
    copy = tmp_path / "dup.gpkg"
    shutil.copy(sample_gpkg, copy)
    ds = ogr.Open(str(copy), 1)
    dk = ds.GetLayerByName("DK")
    first, second = dk.GetNextFeature(), dk.GetNextFeature()
    second.SetField("DKBM", first.GetField("DKBM"))
    dk.SetFeature(second)
    fids = {first.GetFID(), second.GetFID()}
    ds = None
    result = run(ALG, {"DLTB": layer_uri(copy, "DLTB"), "DK": layer_uri(copy, "DK"), "OUTPUT": "TEMPORARY_OUTPUT",
                       "ISSUES": "TEMPORARY_OUTPUT"})
    issues = [dict(zip(result["ISSUES"].fields().names(), f.attributes())) for f in result["ISSUES"].getFeatures()]
    dup = [i for i in issues if i["LX"] == "duplicate_dkbm"]
    assert {i["YSID"] for i in dup} == fids
    assert all("DKBM" in i["WT"] for i in dup)
    coded = [f["DKBM"] for f in result["OUTPUT"].getFeatures()]
    assert coded.count(first.GetField("DKBM")) == 2


def test_cancel_leaves_the_store_untouched(processing_registry, sample_gpkg, tmp_path):
    store = tmp_path / "tg.gpkg"
    GpkgStore(store).close()
    feedback = recording_feedback()
    feedback.progressChanged.connect(lambda p: feedback.cancel() if p > 45 else None)
    run(ALG, {"DLTB": layer_uri(sample_gpkg, "DLTB"), "DK": layer_uri(sample_gpkg, "DK"), "STORE": str(store),
              "OUTPUT": "TEMPORARY_OUTPUT"}, feedback=feedback)
    assert any("cancel" in e.lower() for e in feedback.errors)
    s = GpkgStore(store)
    try:
        assert s.count_codes() == 0 and s.count_codes("retired") == 0
        assert s.conn.execute("SELECT count(*) FROM tg_coding_run").fetchone()[0] == 0
    finally:
        s.close()


@pytest.mark.parametrize("template", ["https://tg.example/{code}", "LXTG:{code}"])
def test_qr_template_is_applied(processing_registry, sample_gpkg, template):
    result = run(ALG, {"DLTB": layer_uri(sample_gpkg, "DLTB"), "DK": layer_uri(sample_gpkg, "DK"),
                       "QR_TEMPLATE": template, "OUTPUT": "TEMPORARY_OUTPUT"})
    feature = next(result["OUTPUT"].getFeatures())
    assert feature["EWM"] == template.format(code=feature["KJM"])
    assert np.all([f["EWM"].endswith(f["KJM"]) for f in result["OUTPUT"].getFeatures()])


def test_a_new_store_takes_the_county_crs_and_keeps_it(processing_registry, sample_gpkg, tmp_path):
    zone35 = {}
    for name in ("DLTB", "DK"):
        zone35[name] = run("native:reprojectlayer", {"INPUT": layer_uri(sample_gpkg, name), "TARGET_CRS": "EPSG:4523",
                                                     "OUTPUT": str(tmp_path / f"{name}_4523.gpkg")})["OUTPUT"]
    store = tmp_path / "tg.gpkg"
    run(ALG, {"DLTB": zone35["DLTB"], "DK": zone35["DK"], "STORE": str(store), "OUTPUT": "TEMPORARY_OUTPUT"})
    s = GpkgStore(store)
    try:
        assert s.srs_id == 4523
    finally:
        s.close()
    # the same store later receives zone-34 input: it is projected into the store's zone
    feedback = recording_feedback()
    again = run(ALG, {"DLTB": layer_uri(sample_gpkg, "DLTB"), "DK": layer_uri(sample_gpkg, "DK"),
                      "STORE": str(store), "OUTPUT": "TEMPORARY_OUTPUT"}, feedback=feedback)
    assert any("EPSG:4523" in m for m in feedback.infos)
    assert again["KEPT"] >= 0.99 * again["CODED"]  # same parcels, same codes, whatever the zone
