"""导入巡田轨迹 — import patrol tracks into the 田管库 (``linxia_tianguan:import_tracks``).

Officers' phones upload GPX files named ``{社 code}_{YYYYMMDD}.gpx``; other apps export GeoJSON,
CSV or a QField/Mergin tracking layer in a GeoPackage. Each file is read into raw fixes (lon/lat,
UTC time, accuracy), cleaned and split into sessions (``core.tracks``), and stored in one
transaction per file (``storage.tracks``). A folder is imported file by file: a broken file is
reported by name and skipped, the others are imported; a file already imported (same content) adds
nothing.

GPX is read with OGR directly, not through a QGIS layer: QGIS 3.22 hands GPX ``time`` back as a
*local* QDateTime, which would shift every fix by the machine's UTC offset. OGR's date-time carries
its time-zone flag, so UTC stays UTC.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from .. import compat
from ..core import clock
from ..core.tracks import (
    SHANGHAI,
    CleaningOptions,
    Fixes,
    clean,
    content_hash,
    parse_time,
    parse_track_name,
    reason_counts,
    sessions,
)
from ..i18n import tr
from ..storage import tracks as track_store
from ..storage.roster import active_officers
from .base import AlgorithmBase
from .import_roster import decode_csv

#: a fix may be this much later than the import (s): phones' clocks drift a few minutes
CLOCK_TOLERANCE_S = 600.0
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


def _open_ogr(path: str, drivers: list[str]):
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


def _to_lonlat(layer):
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
        ds = _open_ogr(path, ["GPX"])
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
        text, encoding = decode_csv(data)
    except UnicodeDecodeError as err:
        raise TrackReadError(tr("it is neither UTF-8 nor GBK text")) from err
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbered = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
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

    ds = _open_ogr(path, ["GeoJSON", "GPKG"] if fmt == "GeoJSON" else ["GPKG"])
    layer = _layer_of(ds, layer_name)
    transform = _to_lonlat(layer)
    defn = layer.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    kinds = [defn.GetFieldDefn(i).GetType() for i in range(defn.GetFieldCount())]
    time_i, times_i, acc_i = _find(names, "", "time"), _find(names, "", "times"), _find(names, "", "accuracy")
    officer_i, grid_i = _find(names, officer_field, "officer"), _find(names, grid_field, "grid")
    for chosen, idx in ((officer_field, officer_i), (grid_field, grid_i)):
        if chosen and idx < 0:
            raise TrackReadError(tr("layer “{layer}” has no field “{field}”").format(
                layer=layer.GetName(), field=chosen))
    lon, lat, t, acc, officers, grids = [], [], [], [], [], []
    for k, feature in enumerate(layer):
        if cancelled is not None and k % 5000 == 0 and cancelled():
            raise ReadCancelledError()
        geom = feature.GetGeometryRef()
        if geom is None or geom.IsEmpty():
            continue
        geom = geom.Clone()
        measured = bool(geom.IsMeasured())
        if transform is not None:
            geom.Transform(transform)
        kind = ogr.GT_Flatten(geom.GetGeometryType())
        parts = [geom.GetGeometryRef(i) for i in range(geom.GetGeometryCount())] \
            if kind in (ogr.wkbMultiLineString, ogr.wkbMultiPoint) else [geom]
        officers.append(feature.GetFieldAsString(officer_i) if officer_i >= 0 else None)
        grids.append(feature.GetFieldAsString(grid_i) if grid_i >= 0 else None)
        a = feature.GetFieldAsDouble(acc_i) if acc_i >= 0 and feature.IsFieldSetAndNotNull(acc_i) else math.nan
        for part in parts:
            pkind = ogr.GT_Flatten(part.GetGeometryType())
            if pkind == ogr.wkbPoint:
                lon.append(part.GetX())
                lat.append(part.GetY())
                t.append(_field_time(feature, time_i, kinds[time_i] if time_i >= 0 else 0, SHANGHAI))
                acc.append(a)
                continue
            if pkind != ogr.wkbLineString:
                continue
            n = part.GetPointCount()
            if measured:
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
                vertex_times = [parse_time(v, SHANGHAI) for v in listed]
            else:
                raise TrackReadError(tr("its lines carry no times (neither M values nor a times property)"))
            for i in range(n):
                lon.append(part.GetX(i))
                lat.append(part.GetY(i))
                t.append(vertex_times[i])
                acc.append(a)
    name = layer.GetName()
    ds = None
    column = names[time_i] if time_i >= 0 else (names[times_i] if times_i >= 0 else "M")
    return TrackFile(Fixes(lon, lat, t, acc), fmt, _most_common(officers), _most_common(grids), layer=name,
                     time_column=column, rows=list(range(1, len(lon) + 1)))


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


def time_problem(name: str, track: TrackFile, reasons) -> str | None:
    """Why a file must not be recorded when most of its fixes have no usable time, else None.

    A file recorded as imported can never be imported again (its content is known), so a file whose
    times were not understood — or come from a phone whose clock was wrong — is refused with the column,
    the row and the form expected, to be corrected and imported again."""
    n = len(reasons)
    no_time = [i for i, r in enumerate(reasons) if r == "no_time"]
    bad_clock = [i for i, r in enumerate(reasons) if r == "bad_clock"]
    if n == 0 or (len(no_time) + len(bad_clock)) * 2 <= n:
        return None
    first = no_time[0] if len(no_time) >= len(bad_clock) else bad_clock[0]
    row = track.rows[first] if track.rows and first < len(track.rows) else first + 1
    column = track.time_column or "time"
    if len(no_time) >= len(bad_clock):
        text = track.raw_times[first] if track.raw_times and first < len(track.raw_times) else None
        return tr("{file}: not imported: {bad} of {n} fixes have no readable time (column “{column}”, first at "
                  "row {row}: “{text}”). Expected a date and time such as 2025-06-20 09:00:05, 2025/6/20 9:00:05, "
                  "2025年6月20日 9时0分5秒, 20250620090005 or an Excel date number (45828.375); times without a "
                  "zone are Beijing time. The file is not marked as imported: correct it and import it "
                  "again.").format(file=name, bad=len(no_time), n=n, column=column, row=row,
                                   text="" if text is None else str(text).strip())
    when = dt.datetime.fromtimestamp(float(track.fixes.time[first]), dt.timezone.utc).astimezone(SHANGHAI)
    return tr("{file}: not imported: {bad} of {n} fixes have times in the future or before 2000 (column "
              "“{column}”, first at row {row}: {time} Beijing time); the phone's clock was wrong. The file is not "
              "marked as imported: correct the times and import it again.").format(
        file=name, bad=len(bad_clock), n=n, column=column, row=row, time=when.strftime("%Y-%m-%d %H:%M:%S"))


def reason_labels() -> dict[str, str]:
    return {
        "bad_position": tr("no valid position"),
        "no_time": tr("no time"),
        "bad_clock": tr("time in the future or before 2000 (phone clock wrong)"),
        "accuracy": tr("poor accuracy"),
        "repeat": tr("already imported from an earlier file"),
        "duplicate_time": tr("same time as the previous fix"),
        "backwards_time": tr("time goes backwards"),
        "speed_jump": tr("impossible speed jump"),
    }


# ---------------------------------------------------------------------------------------------- algorithm
class ImportTracksAlgorithm(AlgorithmBase):
    INPUT, FOLDER, RECURSIVE, STORE = "INPUT", "FOLDER", "RECURSIVE", "STORE"
    OFFICER_FIELD, GRID_FIELD, LAYER = "OFFICER_FIELD", "GRID_FIELD", "LAYER"
    group_id = "patrol"

    def name(self) -> str:
        return "import_tracks"

    def displayName(self) -> str:
        return tr("Import patrol tracks")

    def shortHelpString(self) -> str:
        return tr(
            "<p>Imports the patrol tracks that officers record with their phones into the tianguan store: a "
            "file, or every GPX, GeoJSON, CSV and GeoPackage file of a folder (optionally with its "
            "subfolders). The patrol app names GPX files by group code and date (62292110000101_20250613.gpx); "
            "the officer is read from the GPX author, a chosen field or the current roster, the group from the "
            "file name, the GPX description or a chosen field.</p>"
            "<p>CSV files (UTF-8 or GBK) have the columns lon, lat, time (and officer, accuracy); GeoJSON and "
            "GeoPackage layers have points with a time field or lines with times as M values. Times without a "
            "time zone are Beijing time; GPX times are UTC. Coordinates are lon/lat (WGS 84 or CGCS2000).</p>"
            "<p>Every raw fix is kept. Cleaning drops, without changing them, fixes with an accuracy worse than "
            "50 m, repeated or backward times and jumps faster than 40 m/s (a phone's wrong first positions "
            "included); the rest is split into patrols at gaps longer than 20 minutes and projected to the "
            "store's coordinate system. Importing the same file again adds nothing; fixes already imported from "
            "another file (a tracking layer exported again after it grew) are kept but make no second track. "
            "A damaged or empty file is reported by name and the other files are still imported.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, tr("Track file"), optional=True,
            fileFilter=tr("Tracks (*.gpx *.geojson *.json *.csv *.gpkg *.GPX *.CSV)")))
        self.addParameter(QgsProcessingParameterFile(
            self.FOLDER, tr("Folder of track files"), behavior=compat.ProcessingFileParameterBehavior.Folder,
            optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.RECURSIVE, tr("Include subfolders"), False))
        self.addParameter(QgsProcessingParameterFile(self.STORE, tr("Tianguan store (GeoPackage)"), extension="gpkg"))
        for key, label in ((self.OFFICER_FIELD, tr("Officer field (CSV, GeoJSON, GeoPackage)")),
                           (self.GRID_FIELD, tr("Group code field (CSV, GeoJSON, GeoPackage)")),
                           (self.LAYER, tr("Layer of the GeoPackage (empty: the first point or line layer)"))):
            param = QgsProcessingParameterString(key, label, optional=True)
            param.setFlags(param.flags() | compat.ProcessingParameterFlag.Advanced)
            self.addParameter(param)
        for key, label in (("FILES", tr("Files imported")), ("SKIPPED", tr("Files already imported")),
                           ("FAILED", tr("Files that could not be read")), ("TRACKS", tr("Tracks")),
                           ("FIXES", tr("Fixes")), ("DROPPED", tr("Fixes dropped by cleaning"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    # ------------------------------------------------------------------ helpers
    def _files(self, parameters, context, store_path: str) -> list[Path]:
        single = self.parameterAsFile(parameters, self.INPUT, context)
        folder = self.parameterAsFile(parameters, self.FOLDER, context)
        if not single and not folder:
            raise QgsProcessingException(tr("Choose a track file or a folder of track files."))
        files: list[Path] = []
        if single:
            if not Path(single).is_file():
                raise QgsProcessingException(tr("Track file {file} does not exist.").format(file=single))
            files.append(Path(single))
        if folder:
            if not Path(folder).is_dir():
                raise QgsProcessingException(tr("Folder {folder} does not exist.").format(folder=folder))
            pattern = "**/*" if self.parameterAsBoolean(parameters, self.RECURSIVE, context) else "*"
            files += sorted(p for p in Path(folder).glob(pattern) if p.is_file() and p.suffix.lower() in SUFFIXES)
        store = Path(store_path).resolve()
        seen, out = set(), []
        for p in files:
            r = p.resolve()
            if r != store and r not in seen:
                seen.add(r)
                out.append(p)
        return out

    @staticmethod
    def _roster_officer(store, grid: str | None, cache: dict) -> str | None:
        """The current roster's 田管员 of a grid (not vacant), when the file does not name one."""
        if not grid:
            return None
        if grid not in cache:
            names = [o.name for o in active_officers(store, grid)
                     if o.grid_code == grid and o.role == "officer" and not o.vacant and o.name]
            cache[grid] = names[0] if names else None
        return cache[grid]

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):
        store_path = self.parameterAsFile(parameters, self.STORE, context)
        if not store_path:
            raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
        files = self._files(parameters, context, store_path)
        layer_name = self.parameterAsString(parameters, self.LAYER, context).strip()
        officer_field = self.parameterAsString(parameters, self.OFFICER_FIELD, context).strip()
        grid_field = self.parameterAsString(parameters, self.GRID_FIELD, context).strip()
        # fixes later than now (plus a tolerance) or before 2000 are a wrong phone clock: ``bad_clock``
        options = replace(CleaningOptions(), latest_time=clock.now_utc().timestamp() + CLOCK_TOLERANCE_S)
        labels = reason_labels()
        counts = dict(FILES=0, SKIPPED=0, FAILED=0, TRACKS=0, FIXES=0, DROPPED=0)
        if not files:
            feedback.pushWarning(tr("No GPX, GeoJSON, CSV or GeoPackage file was found."))
            return counts
        roster_cache: dict = {}
        with self.opened_store(parameters, self.STORE, context) as store:
            for n, path in enumerate(files):
                if feedback.isCanceled():
                    feedback.reportError(tr("Import cancelled after {done} of {total} files; the files imported "
                                            "so far are kept.").format(done=n, total=len(files)))
                    break
                feedback.setProgress(100.0 * n / len(files))
                feedback.setProgressText(tr("Reading {file} ({n}/{total})…").format(
                    file=path.name, n=n + 1, total=len(files)))
                try:
                    data = path.read_bytes()
                except OSError as err:
                    counts["FAILED"] += 1
                    feedback.reportError(tr("{file}: cannot be read ({error}).").format(file=path.name, error=err))
                    continue
                if not data.strip():
                    counts["FAILED"] += 1
                    feedback.reportError(tr("{file}: the file is empty ({size} bytes); ask the officer to upload "
                                            "it again.").format(file=path.name, size=len(data)))
                    continue
                track = None
                try:
                    if SUFFIXES.get(path.suffix.lower()) == "GPKG":
                        # a GeoPackage holds several layers: its identity is its bytes and the layer read
                        track = read_track(str(path), data, layer_name, officer_field, grid_field,
                                           feedback.isCanceled)
                        file_hash = content_hash(data + b"\0layer=" + str(track.layer).encode("utf-8"))
                    else:
                        file_hash = content_hash(data)
                    known = track_store.known_file(store, file_hash)
                    if known is not None:
                        counts["SKIPPED"] += 1
                        feedback.pushInfo(tr("{file}: already imported on {date} (as {path}); skipped.").format(
                            file=path.name, date=known["imported_at"], path=Path(known["path"]).name))
                        continue
                    if track is None:
                        track = read_track(str(path), data, layer_name, officer_field, grid_field,
                                           feedback.isCanceled)
                except ReadCancelledError:
                    feedback.reportError(tr("Import cancelled after {done} of {total} files; the files imported "
                                            "so far are kept.").format(done=n, total=len(files)))
                    break
                except TrackReadError as err:
                    counts["FAILED"] += 1
                    feedback.reportError(tr("{file}: cannot be imported: {problem}.").format(
                        file=path.name, problem=err))
                    continue
                fixes = track.fixes
                if len(fixes) == 0:
                    counts["FAILED"] += 1
                    feedback.reportError(tr("{file}: cannot be imported: it has no track points.").format(
                        file=path.name))
                    continue
                named = parse_track_name(path.name)
                grid = track.grid or (named[0] if named else None)
                officer = track.officer or self._roster_officer(store, grid, roster_cache)
                # fixes already stored from another file (a growing tracking layer exported again)
                repeated = track_store.stored_fixes(store, fixes)
                reasons = clean(fixes, options, known=repeated)
                problem = time_problem(path.name, track, reasons)
                if problem is not None:
                    # not recorded: once the times are corrected the same file can be imported
                    counts["FAILED"] += 1
                    feedback.reportError(problem)
                    continue
                if track.format == "GPX":
                    for note in track.notes:
                        feedback.pushInfo(tr("{file}: {note}.").format(file=path.name, note=note))
                found = sessions(fixes, reasons, store.srs_id, options)
                dropped = reason_counts(reasons)
                message = None
                if not found and repeated.any() and all(r in ("repeat", None) for r in reasons):
                    message = tr("its {n} fixes were all imported before from an earlier export; no new "
                                 "track").format(n=int(repeated.sum()))
                elif not found:
                    message = tr("only {n} usable fixes: no track").format(n=int(sum(r is None for r in reasons)))
                    why = "; ".join(f"{labels.get(k, k)} {v}" for k, v in dropped.items())
                    message += f" ({why})" if why else ""
                if feedback.isCanceled():
                    feedback.reportError(tr("Import cancelled after {done} of {total} files; the files imported "
                                            "so far are kept.").format(done=n, total=len(files)))
                    break
                source = str(path.resolve()) + (f"|layername={track.layer}" if track.format == "GPKG" else "")
                track_store.save_file(store, file_hash, source, track.format, fixes, found, officer,
                                      grid, store.srs_id, dropped=reasons, message=message)
                counts["FILES"] += 1
                counts["TRACKS"] += len(found)
                counts["FIXES"] += len(fixes)
                counts["DROPPED"] += sum(dropped.values())
                why = "; ".join(f"{labels.get(k, k)} {v}" for k, v in dropped.items())
                if found:
                    feedback.pushInfo(tr("{file}: {fixes} fixes, {dropped} dropped{why}, {tracks} tracks; grid "
                                         "{grid}, officer {officer}.").format(
                        file=path.name, fixes=len(fixes), dropped=sum(dropped.values()),
                        why=f" ({why})" if why else "", tracks=len(found), grid=grid or "—",
                        officer=officer or "—"))
                else:
                    feedback.pushWarning(tr("{file}: imported, but {message} (a track needs at least two fixes "
                                            "close in time).").format(file=path.name, message=message))
                if not grid:
                    feedback.pushWarning(tr("{file}: no group code in the file or its name; the track cannot be "
                                            "matched to a patrol task.").format(file=path.name))
        feedback.setProgress(100)
        feedback.pushInfo(tr("{files} files imported ({tracks} tracks, {fixes} fixes, {dropped} dropped), {skipped} "
                             "already imported, {failed} could not be read.").format(
            files=counts["FILES"], tracks=counts["TRACKS"], fixes=counts["FIXES"], dropped=counts["DROPPED"],
            skipped=counts["SKIPPED"], failed=counts["FAILED"]))
        return counts
