"""Patrol track files as the phones and apps write them — GPX, GeoJSON, CSV (Excel-made, any of the time forms
officers' phones use), a QField/Mergin tracking layer in a GeoPackage — read into raw fixes (lon/lat, UTC time,
accuracy, the time text as written) and who walked where, if the file says (``import_tracks`` stores them).

GPX is read with OGR directly, not through a QGIS layer: QGIS 3.22 hands GPX ``time`` back as a *local* QDateTime,
which would shift every fix by the machine's UTC offset. OGR's date-time carries its time-zone flag, so UTC stays UTC.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ...core.patrol.tracks import SHANGHAI, Fixes, parse_time
from ...i18n import tr
from ..table_files import csv_rows

SUFFIXES = {".gpx": "GPX", ".geojson": "GeoJSON", ".json": "GeoJSON", ".csv": "CSV", ".gpkg": "GPKG"}
_CODE = re.compile(r"(?<!\d)(\d{14})(?!\d)")

#: accepted column / property names (case-insensitive) of CSV files and layers
ALIASES = {
    "lon": ("lon", "lng", "long", "longitude", "x", "经度"),
    "lat": ("lat", "latitude", "y", "纬度"),
    "time": ("time", "timestamp", "datetime", "date_time", "recorded_at", "时间", "定位时间"),
    "times": ("times", "coordtimes", "coord_times", "timestamps"),
    "accuracy": ("accuracy", "horizontal_accuracy", "hacc", "acc", "精度", "定位精度"),
    "officer": ("officer", "田管员", "巡田人", "author"),
    "grid": ("grid_code", "grid", "网格编码", "网格代码"),
}


class TrackReadError(ValueError):
    """A file cannot be read as a track; the message (translated) says what is wrong."""


class ReadCancelledError(Exception):
    """The user cancelled while a (large) file was being read."""


@dataclass
class TrackFile:
    """What one file holds: raw fixes in file order, and who walked where, if the file says."""

    fixes: Fixes
    format: str
    officer: str | None = None
    grid: str | None = None
    notes: list[str] = field(default_factory=list)
    #: the layer read, for files that hold several (GeoPackage)
    layer: str | None = None
    #: where the times come from (a CSV column, a field, GPX <time>), for messages
    time_column: str | None = None
    #: per fix, the time as written in the file (None when the source gives no text) …
    raw_times: list | None = None
    #: … and where the fix is in the file (CSV line number, else the fix's number from 1)
    rows: list[int] | None = None


# ---------------------------------------------------------------------------------------------- helpers
def _find(names: list[str], chosen: str, key: str) -> int:
    """Index of the chosen field (when given), else of the first alias of ``key``; -1 when absent."""
    lowered = [n.strip().lower() for n in names]
    if chosen:
        return lowered.index(chosen.strip().lower()) if chosen.strip().lower() in lowered else -1
    for alias in ALIASES[key]:
        if alias in lowered:
            return lowered.index(alias)
    return -1


def _most_common(values: list) -> str | None:
    texts = [str(v).strip() for v in values if v is not None and str(v).strip()]
    return Counter(texts).most_common(1)[0][0] if texts else None


def _grid_in(texts: list[str | None]) -> str | None:
    for text in texts:
        m = _CODE.search(text or "")
        if m:
            return m.group(1)
    return None


def _float(value) -> float:
    try:
        return float(str(value).strip()) if value is not None and str(value).strip() else math.nan
    except ValueError:
        return math.nan


def _ogr_time(feature, idx: int, naive_tz: dt.tzinfo) -> float:
    """Epoch seconds of an OGR date-time field, honouring its time-zone flag (100 = UTC, ±15 min steps)."""
    if idx < 0 or not feature.IsFieldSetAndNotNull(idx):
        return math.nan
    y, mo, d, h, mi, s, tz = feature.GetFieldAsDateTime(idx)
    whole = int(s)
    stamp = dt.datetime(y, mo, d, h, mi, whole, int(round((s - whole) * 1e6)))
    if tz >= 2:
        stamp = stamp.replace(tzinfo=dt.timezone(dt.timedelta(minutes=(tz - 100) * 15)))
    else:  # 0 unknown, 1 local: the caller's convention
        stamp = stamp.replace(tzinfo=naive_tz)
    return stamp.timestamp()


def _field_time(feature, idx: int, kind: int, naive_tz: dt.tzinfo) -> float:
    from osgeo import ogr

    if idx < 0 or not feature.IsFieldSetAndNotNull(idx):
        return math.nan
    if kind in (ogr.OFTDateTime, ogr.OFTDate):
        return _ogr_time(feature, idx, naive_tz)
    if kind in (ogr.OFTInteger, ogr.OFTInteger64, ogr.OFTReal):
        return parse_time(feature.GetFieldAsDouble(idx), naive_tz)
    return parse_time(feature.GetFieldAsString(idx), naive_tz)


def open_ogr(path: str, drivers: list[str]):
    """The OGR dataset at ``path`` opened read-only with one of ``drivers``; :class:`TrackReadError` (GDAL's reason)
    when it cannot be — GDAL's own printing kept quiet, the caller names the file. The field-package import uses it
    too."""
    from osgeo import gdal

    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        gdal.ErrorReset()
        try:
            ds = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=drivers)
        except RuntimeError as err:
            raise TrackReadError(str(err)) from err
        if ds is None:
            raise TrackReadError(gdal.GetLastErrorMsg() or tr("OGR cannot open it"))
        return ds
    finally:
        gdal.PopErrorHandler()


def to_lonlat(layer):
    """A transformation of the layer's coordinates to CGCS2000 lon/lat, or None when already lon/lat.

    EPSG:4326 and 4490 agree within centimetres, so geographic layers are taken as they are."""
    from osgeo import osr

    srs = layer.GetSpatialRef()
    if srs is None or srs.IsGeographic():
        return None
    src = srs.Clone()
    dst = osr.SpatialReference()
    dst.ImportFromEPSG(4490)
    for s in (src, dst):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return osr.CoordinateTransformation(src, dst)


# ---------------------------------------------------------------------------------------------- readers
def read_gpx(path: str, data: bytes) -> TrackFile:
    """Track points (else route points, else waypoints) of a GPX file, times in UTC.

    The XML is parsed first: that is where a broken upload is told apart from an empty one, and where
    the officer (``metadata/author/name``) and the grid code (a 14-digit code in a name or desc) are.
    """
    from osgeo import gdal, ogr

    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        raise TrackReadError(tr("it is not well-formed XML ({error}); the upload is probably cut off or "
                                "damaged").format(error=err)) from err
    if root.tag.rsplit("}", 1)[-1] != "gpx":
        raise TrackReadError(tr("it is XML but not GPX (root element <{tag}>)").format(tag=root.tag.rsplit("}", 1)[-1]))

    def local(el) -> str:
        return el.tag.rsplit("}", 1)[-1]

    def child(el, name):
        return next((c for c in el if local(c) == name), None) if el is not None else None

    metadata = child(root, "metadata")
    author = child(child(metadata, "author"), "name")
    officer = (author.text or "").strip() if author is not None else None
    texts = []
    for parent in [metadata, *[c for c in root if local(c) in ("trk", "rte")]]:
        for name in ("desc", "name"):
            el = child(parent, name)
            texts.append(el.text if el is not None else None)

    previous = gdal.GetThreadLocalConfigOption("GPX_USE_EXTENSIONS", None)
    gdal.SetThreadLocalConfigOption("GPX_USE_EXTENSIONS", "YES")
    try:
        ds = open_ogr(path, ["GPX"])
    finally:
        gdal.SetThreadLocalConfigOption("GPX_USE_EXTENSIONS", previous)
    lon, lat, t, acc = [], [], [], []
    # routes and waypoints are planned points (no times, not a walk): read only when there is no track and
    # most of them carry a time (some loggers write their fixes as waypoints)
    counts = {name: (ds.GetLayerByName(name).GetFeatureCount() if ds.GetLayerByName(name) is not None else 0)
              for name in ("track_points", "route_points", "waypoints")}
    tag = {"track_points": "trkpt", "route_points": "rtept", "waypoints": "wpt"}
    timed = {name: sum(1 for el in root.iter() if local(el) == tag[name] and child(el, "time") is not None)
             for name in counts}
    notes: list[str] = []
    if counts["track_points"]:
        chosen = "track_points"
    else:
        chosen = next((n for n in ("route_points", "waypoints") if counts[n] and timed[n] * 2 > counts[n]), None)
        if chosen is None and (counts["route_points"] or counts["waypoints"]):
            ds = None
            raise TrackReadError(tr("it has no recorded track (<trk>), only {routes} route points and {waypoints} "
                                    "waypoints, {timed} of them with a time; routes and waypoints are planned "
                                    "points, not a walk: export the recorded track from the app").format(
                routes=counts["route_points"], waypoints=counts["waypoints"],
                timed=timed["route_points"] + timed["waypoints"]))
    skipped = sum(v for k, v in counts.items() if k != chosen)
    if chosen is not None and skipped:
        notes.append(tr("{n} route points and waypoints skipped: they are planned points, not part of the "
                        "recorded walk").format(n=skipped))
    raw = []
    for name in ([chosen] if chosen else []):
        layer = ds.GetLayerByName(name)
        raw = [(child(el, "time").text or "").strip() if child(el, "time") is not None else None
               for el in root.iter() if local(el) == tag[name]]
        defn = layer.GetLayerDefn()
        names = [defn.GetFieldDefn(i).GetName().lower() for i in range(defn.GetFieldCount())]
        time_i = names.index("time") if "time" in names else -1
        # extensions become fields (osmand_accuracy, accuracy …): the first one set on a point counts
        acc_fields = [i for i, n in enumerate(names) if n.endswith("accuracy") or n in ("acc", "hacc")]
        for feature in layer:
            geom = feature.GetGeometryRef()
            if geom is None or geom.GetGeometryType() not in (ogr.wkbPoint, ogr.wkbPoint25D, ogr.wkbPointM,
                                                              ogr.wkbPointZM):
                continue
            lon.append(geom.GetX())
            lat.append(geom.GetY())
            t.append(_ogr_time(feature, time_i, dt.timezone.utc))  # GPX times are UTC by definition
            acc.append(next((feature.GetFieldAsDouble(i) for i in acc_fields if feature.IsFieldSetAndNotNull(i)),
                            math.nan))
        # GDAL 3.10 makes the fields of <extensions> but leaves them empty: read the accuracy from the XML,
        # point for point (the same points in the same order as the layer's)
        from_xml = _gpx_accuracy(root, {"track_points": "trkpt", "route_points": "rtept", "waypoints": "wpt"}[name])
        if len(from_xml) == len(acc):
            acc = [a if math.isfinite(a) else b for a, b in zip(acc, from_xml)]
    ds = None
    if len(raw) != len(lon):
        raw = [None] * len(lon)
    return TrackFile(Fixes(lon, lat, t, acc), "GPX", officer or None, _grid_in(texts), notes,
                     time_column="<time>", raw_times=raw, rows=list(range(1, len(lon) + 1)))


def _gpx_accuracy(root, tag: str) -> list[float]:
    """The accuracy extension (``osmand:accuracy``, ``hacc``, ``acc`` …) of every ``tag`` point, NaN without."""
    out = []
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] != tag:
            continue
        value = math.nan
        for ext in (c for c in el if c.tag.rsplit("}", 1)[-1] == "extensions"):
            for sub in ext.iter():
                name = sub.tag.rsplit("}", 1)[-1].lower()
                if sub is not ext and (name.endswith("accuracy") or name in ("acc", "hacc")) and math.isnan(value):
                    value = _float(sub.text)
        out.append(value)
    return out


def read_csv_track(path: str, data: bytes, officer_field: str = "", grid_field: str = "") -> TrackFile:
    """Fixes of a CSV file (UTF-8 or GBK): lon, lat, time (offset or Z; without one, Beijing time)."""
    try:
        numbered, encoding = csv_rows(data)
    except UnicodeDecodeError as err:
        raise TrackReadError(tr("it is neither UTF-8 nor GBK text")) from err
    numbered = [(n, r) for n, r in numbered if any(c.strip() for c in r)]
    rows = [r for _, r in numbered]
    if not rows:
        raise TrackReadError(tr("it has no rows"))
    header = [c.strip() for c in rows[0]]
    cols = {key: _find(header, "", key) for key in ("lon", "lat", "time", "accuracy")}
    cols["officer"] = _find(header, officer_field, "officer")
    cols["grid"] = _find(header, grid_field, "grid")
    missing = [k for k in ("lon", "lat", "time") if cols[k] < 0]
    if missing:
        raise TrackReadError(tr("its header has no column {columns} (columns: {header}); name them lon, lat and "
                                "time (or 经度, 纬度, 时间)").format(columns=", ".join(missing),
                                                                  header=", ".join(header)))
    for key, chosen in (("officer", officer_field), ("grid", grid_field)):
        if chosen and cols[key] < 0:
            raise TrackReadError(tr("it has no column “{field}”").format(field=chosen))

    def cell(row, key):
        i = cols[key]
        return row[i] if 0 <= i < len(row) else None

    body = rows[1:]
    raw = [cell(r, "time") for r in body]
    fixes = Fixes([_float(cell(r, "lon")) for r in body], [_float(cell(r, "lat")) for r in body],
                  [parse_time(v, SHANGHAI) for v in raw],
                  [_float(cell(r, "accuracy")) for r in body])
    return TrackFile(fixes, "CSV", _most_common([cell(r, "officer") for r in body]),
                     _most_common([cell(r, "grid") for r in body]), [encoding], time_column=header[cols["time"]],
                     raw_times=raw, rows=[line for line, _ in numbered[1:]])


def _layer_of(ds, layer_name: str):
    from osgeo import ogr

    if layer_name:
        layer = ds.GetLayerByName(layer_name)
        if layer is None:
            names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
            raise TrackReadError(tr("it has no layer “{layer}”; its layers are: {layers}").format(
                layer=layer_name, layers=", ".join(names)))
        return layer
    for i in range(ds.GetLayerCount()):
        layer = ds.GetLayer(i)
        kind = ogr.GT_Flatten(layer.GetGeomType())
        if kind in (ogr.wkbPoint, ogr.wkbLineString, ogr.wkbMultiLineString, ogr.wkbMultiPoint, ogr.wkbUnknown):
            return layer
    raise TrackReadError(tr("it has no point or line layer"))


def read_ogr_track(path: str, fmt: str, layer_name: str = "", officer_field: str = "",
                   grid_field: str = "", cancelled: Callable[[], bool] | None = None) -> TrackFile:
    """Fixes of a GeoJSON file or a GeoPackage tracking layer (QField / Mergin style).

    Points carry a time field; lines carry their vertices' times as M values (epoch milliseconds or
    seconds, as QField writes them) or as a list property (``times`` / ``coordTimes``). Times without
    a zone are Beijing time. Layers in another CRS than lon/lat are transformed to CGCS2000. A
    tracking layer kept for months holds hundreds of thousands of points: ``cancelled`` is asked
    every few thousand features.
    """
    from osgeo import ogr

    ds = open_ogr(path, ["GeoJSON", "GPKG"] if fmt == "GeoJSON" else ["GPKG"])
    layer = _layer_of(ds, layer_name)
    transform = to_lonlat(layer)
    defn = layer.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    kinds = [defn.GetFieldDefn(i).GetType() for i in range(defn.GetFieldCount())]
    time_i, times_i, acc_i = _find(names, "", "time"), _find(names, "", "times"), _find(names, "", "accuracy")
    officer_i, grid_i = _find(names, officer_field, "officer"), _find(names, grid_field, "grid")
    for chosen, idx in ((officer_field, officer_i), (grid_field, grid_i)):
        if chosen and idx < 0:
            raise TrackReadError(tr("layer “{layer}” has no field “{field}”").format(
                layer=layer.GetName(), field=chosen))
    lon, lat, t, acc, officers, grids, raw = [], [], [], [], [], [], []
    for k, feature in enumerate(layer):
        if cancelled is not None and k % 5000 == 0 and cancelled():
            raise ReadCancelledError()
        geom = feature.GetGeometryRef()
        if geom is None or geom.IsEmpty():
            continue
        parts, measured = geometry_parts(geom, transform)
        officers.append(feature.GetFieldAsString(officer_i) if officer_i >= 0 else None)
        grids.append(feature.GetFieldAsString(grid_i) if grid_i >= 0 else None)
        a = feature.GetFieldAsDouble(acc_i) if acc_i >= 0 and feature.IsFieldSetAndNotNull(acc_i) else math.nan
        for part in parts:
            pkind = ogr.GT_Flatten(part.GetGeometryType())
            if pkind == ogr.wkbPoint:
                lon.append(part.GetX())
                lat.append(part.GetY())
                t.append(_field_time(feature, time_i, kinds[time_i] if time_i >= 0 else 0, SHANGHAI))
                raw.append(feature.GetFieldAsString(time_i)
                           if time_i >= 0 and feature.IsFieldSetAndNotNull(time_i) else None)
                acc.append(a)
                continue
            if pkind != ogr.wkbLineString:
                continue
            n = part.GetPointCount()
            if measured:
                written = [_number_text(part.GetM(i)) for i in range(n)]
                vertex_times = [parse_time(part.GetM(i), SHANGHAI) for i in range(n)]
            elif times_i >= 0:
                if kinds[times_i] == ogr.OFTStringList:
                    listed = feature.GetFieldAsStringList(times_i)
                else:
                    try:
                        listed = json.loads(feature.GetFieldAsString(times_i))
                    except ValueError:
                        listed = []
                if len(listed) != n:
                    raise TrackReadError(tr("a line has {n} vertices but {m} times").format(n=n, m=len(listed)))
                written = [None if v is None else str(v) for v in listed]
                vertex_times = [parse_time(v, SHANGHAI) for v in listed]
            else:
                raise TrackReadError(tr("its lines carry no times (neither M values nor a times property)"))
            for i in range(n):
                lon.append(part.GetX(i))
                lat.append(part.GetY(i))
                t.append(vertex_times[i])
                raw.append(written[i])
                acc.append(a)
    name = layer.GetName()
    ds = None
    column = names[time_i] if time_i >= 0 else (names[times_i] if times_i >= 0 else "M")
    return TrackFile(Fixes(lon, lat, t, acc), fmt, _most_common(officers), _most_common(grids), layer=name,
                     time_column=column, raw_times=raw, rows=list(range(1, len(lon) + 1)))


def _number_text(value: float) -> str | None:
    """A number (an M value) as text, the way it would be written: integers without a decimal point."""
    if value is None or not math.isfinite(value):
        return None
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def geometry_parts(geom, transform) -> tuple[list, bool]:
    """The parts (lines or points) of an OGR geometry in lon/lat — a copy, the feature's own is left as read — and
    whether it carries M values (a tracking layer's times)."""
    from osgeo import ogr

    geom = geom.Clone()
    measured = bool(geom.IsMeasured())
    if transform is not None:
        geom.Transform(transform)
    kind = ogr.GT_Flatten(geom.GetGeometryType())
    if kind in (ogr.wkbMultiLineString, ogr.wkbMultiPoint):
        return [geom.GetGeometryRef(i) for i in range(geom.GetGeometryCount())], measured
    return [geom], measured


def read_track(path: str, data: bytes, layer_name: str = "", officer_field: str = "",
               grid_field: str = "", cancelled: Callable[[], bool] | None = None) -> TrackFile:
    from osgeo import gdal

    fmt = SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None:
        raise TrackReadError(tr("its format is not supported (GPX, GeoJSON, CSV or GeoPackage)"))
    # OGR's drivers chatter on stderr while reading ("… parsed incompletely to integer" and the like): the
    # reader reports what matters itself
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        if fmt == "GPX":
            return read_gpx(path, data)
        if fmt == "CSV":
            return read_csv_track(path, data, officer_field, grid_field)
        return read_ogr_track(path, fmt, layer_name, officer_field, grid_field, cancelled)
    finally:
        gdal.PopErrorHandler()
