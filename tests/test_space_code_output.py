"""Coding into a new GeoPackage without a store writes the file directly (storage.export): the result
must be the same layer, field for field and shape for shape, as Processing's own sink writes."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from tests.conftest import layer_uri
from tests.helpers import read, recording_feedback, run

ALG = "linxia_tianguan:space_code"
VOLATILE = {"FMSJ", "FMPC"}  # coding time and run id


def _params(gpkg, output):
    return {"DLTB": layer_uri(gpkg, "DLTB"), "DK": layer_uri(gpkg, "DK"), "YJJBNT": layer_uri(gpkg, "YJJBNTTB"),
            "CJDCQ": layer_uri(gpkg, "CJDCQ"), "OUTPUT": output}


@pytest.fixture(scope="module")
def both(processing_registry, sample_gpkg, tmp_path_factory):
    base = tmp_path_factory.mktemp("output")
    direct = base / "direct.gpkg"
    run(ALG, _params(sample_gpkg, str(direct)))
    via_sink = base / "sink.gpkg"
    run(ALG, _params(sample_gpkg, f"ogr:dbname='{via_sink}' table=\"sink\" (geom)"))  # forces QGIS's sink
    return base, direct, via_sink


def test_direct_output_is_the_layer_the_sink_writes(both):
    from qgis.core import QgsVectorLayer

    base, direct, via_sink = both
    a = QgsVectorLayer(f"{direct}|layername=direct", "a", "ogr")
    b = QgsVectorLayer(f"{via_sink}|layername=sink", "b", "ogr")
    assert a.isValid() and b.isValid()
    assert [(f.name(), f.type(), f.length()) for f in a.fields()] == [(f.name(), f.type(), f.length())
                                                                    for f in b.fields()]
    assert a.crs().authid() == b.crs().authid() == "EPSG:4522"
    assert a.featureCount() == b.featureCount() > 1000
    assert a.hasSpatialIndex() == 2  # QgsFeatureSource.SpatialIndexPresent
    ra, rb = read(str(direct)), read(f"{via_sink}|layername=sink")
    ia, ib = np.argsort(ra["KJM"]), np.argsort(rb["KJM"])
    assert list(ra["KJM"][ia]) == list(rb["KJM"][ib])
    assert shapely.equals_exact(ra["geom"][ia], rb["geom"][ib], tolerance=0).all()
    for f in a.fields():
        name = f.name()
        if name in VOLATILE or name == "fid":
            continue
        x, y = ra[name][ia], rb[name][ib]
        if f.type() == 6:  # QVariant.Double
            assert np.allclose(x.astype(float), y.astype(float), atol=10.0 ** -f.precision() * 1.01), name
        else:
            assert list(x) == list(y), name
    assert not [p for p in base.iterdir() if p.name.startswith(".")]  # scratch store and partial file gone
    import sqlite3

    con = sqlite3.connect(direct)  # written by storage.export (QGIS's writer leaves no description)
    assert con.execute("SELECT description FROM gpkg_contents WHERE table_name = 'direct'").fetchone()[0]
    assert con.execute("SELECT rtreecheck('rtree_direct_geom')").fetchone()[0] == "ok"
    con.close()


def test_direct_output_loads_styled_when_asked(processing_registry, sample_gpkg, tmp_path):
    from qgis.core import QgsProcessingContext, QgsProcessingOutputLayerDefinition, QgsProject

    out = tmp_path / "coded.gpkg"
    definition = QgsProcessingOutputLayerDefinition(str(out), QgsProject.instance())
    definition.destinationName = "耕地地块"
    context = QgsProcessingContext()
    result = run(ALG, _params(sample_gpkg, definition), context=context)
    assert result["OUTPUT"] == str(out.resolve())
    assert context.willLoadLayerOnCompletion(result["OUTPUT"])
    details = context.layerToLoadOnCompletionDetails(result["OUTPUT"])
    assert details.name == "耕地地块" and details.postProcessor() is not None


def test_an_existing_file_is_left_to_qgis(processing_registry, sample_gpkg, tmp_path):
    """An existing file is overwritten the way QGIS does it, through its own writer."""
    out = tmp_path / "coded.gpkg"
    run("native:buffer", {"INPUT": layer_uri(sample_gpkg, "XZQ"), "DISTANCE": 1, "OUTPUT": str(out)})
    result = run(ALG, _params(sample_gpkg, str(out)))
    assert read(str(result["OUTPUT"]))["KJM"].size == result["CODED"]


def test_cancel_leaves_no_output_and_no_scratch(processing_registry, sample_gpkg, tmp_path):
    out = tmp_path / "coded.gpkg"
    feedback = recording_feedback()
    feedback.progressChanged.connect(lambda p: feedback.cancel() if p > 45 else None)
    run(ALG, _params(sample_gpkg, str(out)), feedback=feedback)
    assert any("cancel" in e.lower() for e in feedback.errors)
    assert list(tmp_path.iterdir()) == []


def test_direct_output_ids_follow_the_codes_and_its_boxes_hold_the_shapes(both):
    """Written straight from the workers' staged rows: feature ids 1…N in code order, and every R-tree box holds
    its parcel (float32 boxes rounded outwards), so spatial queries find every parcel."""
    import sqlite3

    from linxia_tianguan_plugin.storage import gpkg

    _base, direct, _via_sink = both
    con = sqlite3.connect(direct)
    rows = con.execute("SELECT fid, KJM, geom FROM direct ORDER BY fid").fetchall()
    boxes = dict((r[0], r[1:]) for r in con.execute("SELECT id, minx, maxx, miny, maxy FROM rtree_direct_geom"))
    con.close()
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)
    shapes = shapely.from_wkb([gpkg.decode_blob(r[2]) for r in rows])
    x0, y0, x1, y1 = shapely.bounds(shapes).T
    box = np.array([boxes[r[0]] for r in rows])
    assert len(boxes) == len(rows)
    assert (box[:, 0] <= x0).all() and (box[:, 1] >= x1).all() and (box[:, 2] <= y0).all() and (box[:, 3] >= y1).all()
    ulp = np.spacing(np.abs(box).astype(np.float32)).astype(float)  # float32 at 34 500 000: 4 m
    # tight: float32 rounding only, as SQLite rounds (a side may move a second step out: see storage.rtree)
    assert (box[:, 1] - box[:, 0] - (x1 - x0) <= 2 * (ulp[:, 0] + ulp[:, 1])).all()
