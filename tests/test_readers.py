"""Reading inputs: GDAL's Arrow stream and QGIS's feature iterator give the same tables."""
import numpy as np
from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsVectorLayer

from linxia_tianguan_plugin.processing.readers import FieldSpec, Input, dbf_encoding, read_layer
from tests.conftest import layer_uri

SPECS = [FieldSpec("DLBM", "DLBM", "dlbm"), FieldSpec("ZLDWMC", "ZLDWMC", "name"),
         FieldSpec("BSM", "BSM", "bsm"), FieldSpec("TBDLMJ", "TBDLMJ", "area", numeric=True)]


def _read(item, layer):
    return read_layer(item, "DLTB", SPECS, layer.crs(), QgsProcessingContext(), QgsProcessingFeedback(),
                      "\"DLBM\" LIKE '01%'")[0]


def test_arrow_and_feature_reads_agree(qgis_app, sample_county):
    path, name = str(sample_county / "sample_county.gpkg"), "DLTB"
    layer = QgsVectorLayer(layer_uri(sample_county / "sample_county.gpkg", "DLTB"), "DLTB", "ogr")
    fast = _read(Input(layer, "DLTB", ogr_path=path, ogr_layer=name), layer)
    slow = _read(Input(layer, "DLTB"), layer)
    assert len(fast) == len(slow) > 100
    order_f, order_s = np.argsort(fast.fid), np.argsort(slow.fid)
    assert (fast.fid[order_f] == slow.fid[order_s]).all()
    assert list(fast.wkb[order_f]) == list(slow.wkb[order_s])
    for key in ("DLBM", "ZLDWMC", "BSM"):
        assert list(fast.attrs[key][order_f]) == list(slow.attrs[key][order_s]), key
    assert np.allclose(fast.attrs["TBDLMJ"][order_f], slow.attrs["TBDLMJ"][order_s])
    assert any("村" in n for n in fast.attrs["ZLDWMC"])


def test_dbf_encoding_sniffing(sample_county, tmp_path):
    shp = sample_county / "shp" / "DLTB.shp"
    assert dbf_encoding(str(shp)) is None  # has a .cpg: OGR reads it itself
    assert dbf_encoding(str(tmp_path / "missing.shp")) is None
    assert dbf_encoding(str(sample_county / "sample_county.gpkg")) is None
