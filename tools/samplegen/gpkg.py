"""Streaming GeoPackage writer and the GBK shapefile copies.

Townships arrive in order; features are written in batched transactions (one commit per
`batch` features) so memory stays flat however large the sample, and every layer gets its
R-tree spatial index.
"""

from __future__ import annotations

from pathlib import Path

from osgeo import gdal, ogr, osr

from .schema import LAYER_ORDER, LAYERS, SHAPEFILE_LAYERS

_OGR_TYPES = {"str": ogr.OFTString, "real": ogr.OFTReal, "int": ogr.OFTInteger, "date": ogr.OFTDate}


def srs_4522() -> osr.SpatialReference:
    s = osr.SpatialReference()
    s.ImportFromEPSG(4522)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


class GpkgWriter:
    """Creates all layers up front, then appends records with explicit FIDs (1, 2, …)."""

    def __init__(self, path: Path, batch: int = 50_000):
        # errors are checked here rather than with ogr.UseExceptions(), a process-wide switch that
        # would change GDAL's behaviour for whoever else runs in this process (QGIS, other tests)
        self.ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
        if self.ds is None:
            raise OSError(f"cannot create {path}: {gdal.GetLastErrorMsg()}")
        self.batch = batch
        self.pending = 0
        self.layers: dict[str, ogr.Layer] = {}
        self.defn: dict[str, ogr.FeatureDefn] = {}
        self.count: dict[str, int] = {}
        srs = srs_4522()
        for name in LAYER_ORDER:
            lyr = self.ds.CreateLayer(
                name, srs, ogr.wkbPolygon, options=["SPATIAL_INDEX=YES", "FID=fid", "GEOMETRY_NAME=geom"]
            )
            for fname, ftype, width in LAYERS[name]:
                fd = ogr.FieldDefn(fname, _OGR_TYPES[ftype])
                if ftype == "str" and width:
                    fd.SetWidth(width)
                if ftype == "real":
                    fd.SetWidth(18)
                    fd.SetPrecision(2 if fname != "KCXS" else 4)
                lyr.CreateField(fd)
            self.layers[name] = lyr
            self.defn[name] = lyr.GetLayerDefn()
            self.count[name] = 0
        self.ds.StartTransaction()

    def write(self, layer: str, wkb: bytes, values: list) -> int:
        """Append one feature; returns its FID."""
        f = ogr.Feature(self.defn[layer])
        for i, v in enumerate(values):
            if v is None:
                continue
            f.SetField(i, v)
        f.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkb))
        self.count[layer] += 1
        fid = self.count[layer]
        f.SetFID(fid)
        if self.layers[layer].CreateFeature(f) != 0:
            raise OSError(f"cannot write feature {fid} of {layer}: {gdal.GetLastErrorMsg()}")
        self.pending += 1
        if self.pending >= self.batch:
            self.ds.CommitTransaction()
            self.ds.StartTransaction()
            self.pending = 0
        return fid

    def close(self) -> None:
        self.ds.CommitTransaction()
        self.ds = None


def export_shapefiles(gpkg: Path, out_dir: Path) -> list[str]:
    """The survey layers as GBK (cp936) shapefiles with a .cpg, as real 三调 deliveries come.

    SHAPE_ENCODING is set for this thread only: QGIS sets it to "" process-wide (no recoding),
    which would silently win over the ENCODING creation option and leave UTF-8 in the DBF."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    previous = gdal.GetThreadLocalConfigOption("SHAPE_ENCODING", None)
    gdal.SetThreadLocalConfigOption("SHAPE_ENCODING", "CP936")
    try:
        for name in SHAPEFILE_LAYERS:
            ok = gdal.VectorTranslate(
                str(out_dir / f"{name}.shp"),
                str(gpkg),
                format="ESRI Shapefile",
                layers=[name],
                layerName=name,
                layerCreationOptions=["ENCODING=CP936"],
            )
            if ok is None:
                raise OSError(f"cannot write {name}.shp: {gdal.GetLastErrorMsg()}")
            ok = None  # closes the dataset
            (out_dir / f"{name}.cpg").write_text("GBK", encoding="ascii")
            written.append(name)
    finally:
        gdal.SetThreadLocalConfigOption("SHAPE_ENCODING", previous)
    return written
