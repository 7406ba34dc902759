"""视频告警 — alarm records of the farmland video monitoring, as change candidates (no QGIS here).

The county's video platform exports what its cameras flagged (CSV saved by Excel, JSON from the platform's API,
or a workbook): per alarm a camera id, a time, where (the alarm's own lon/lat, or only the camera's position and
the direction it looked), a category and a snapshot (a file next to the export, or a web address). Each alarm is
a lead to check on the ground, never a finding: it becomes one case in 待下发, category 需外业核实.

Rules held here (the algorithm ``import_video_alarms`` only reads files and writes the store):

- columns are found by name, English or Chinese (:data:`ALIASES`), case-insensitive; a title row above the
  header is skipped;
- a row is refused (with its row and column named) for: no camera id, a time that is missing, unreadable, before
  2000 or more than a day after now (:mod:`..clock`), a category that is not one of :data:`CATEGORY_KINDS`,
  coordinates that are not degrees of a point in China (swapped lon/lat is said so), a half-given position, a
  bearing outside 0–360°, and the same camera and time as an earlier row (a repeated export line);
- an alarm without its own lon/lat is placed from the camera's position along its bearing (degrees clockwise
  from north) at ``distance_m`` (default :data:`DEFAULT_DISTANCE_M` = 100 m, where farmland cameras on poles
  typically look), on the CGCS2000 ellipsoid (GRS80);
- the alarm's identity is its camera and its time to the second (UTC): importing the same export again, or a
  later export that repeats it, adds nothing (:func:`alarm_key`);
- the point is matched to the coded parcel under it, else the nearest within a tolerance; the case polygon is
  that parcel, or a circle of :data:`UNMATCHED_RADIUS_M` around the point when no coded parcel is near;
- a camera's view is a sector (radius, opening angle) around its bearing: the coded parcels it touches are the
  farmland the camera watches.

Times are UTC epoch seconds; a time without offset is Beijing time (what the platforms write).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath, PureWindowsPath

import numpy as np
import shapely

from .. import clock
from ..patrol.tracks import EARLIEST_TIME, SHANGHAI, parse_time
from .evidence import tr
from .keys import case_key, case_uuid

#: the case source of a video alarm (``tg_case.source``)
SOURCE = "video"
#: every video case is a lead to check on the ground
CATEGORY = "verify"
#: version of these rules, recorded with each import (``tg_change_run``)
RULES_VERSION = "video-1"
DEFAULT_DISTANCE_M = 100.0
DEFAULT_TOLERANCE_M = 30.0
DEFAULT_VIEW_RADIUS_M = 300.0
DEFAULT_VIEW_ANGLE_DEG = 60.0
#: radius of the case polygon of an alarm that no coded parcel is near
UNMATCHED_RADIUS_M = 10.0
#: how far after "now" an alarm time may be (platform clocks drift; a day more is a wrong date)
FUTURE_SLACK_S = 86_400.0
#: China's extent in degrees: a coordinate outside is a projected value, a typo or swapped lon/lat
LON_RANGE, LAT_RANGE = (73.0, 136.0), (3.0, 54.0)

#: alarm category (as the platforms write it) → change kind of :data:`.prejudge.KINDS`
CATEGORY_KINDS = {
    "非农化": "nonagri", "乱占": "nonagri", "乱占耕地": "nonagri", "违法占地": "nonagri", "违建": "nonagri",
    "nonagri": "nonagri", "non-agricultural": "nonagri",
    "非粮化": "nongrain", "nongrain": "nongrain", "non-grain": "nongrain",
    "撂荒": "abandoned", "abandoned": "abandoned",
    "挖湖": "waterscape", "挖湖造景": "waterscape", "waterscape": "waterscape",
    "其他": "other", "其它": "other", "other": "other",
}

#: accepted column names (case-insensitive) per field
ALIASES = {
    "camera": ("camera_id", "camera", "cameraid", "device_id", "摄像头编号", "摄像机编号", "摄像头", "设备编号",
               "点位编号"),
    "time": ("time", "alarm_time", "datetime", "timestamp", "告警时间", "报警时间", "抓拍时间", "时间"),
    "lon": ("lon", "lng", "longitude", "alarm_lon", "经度", "告警经度"),
    "lat": ("lat", "latitude", "alarm_lat", "纬度", "告警纬度"),
    "camera_lon": ("camera_lon", "camera_lng", "cam_lon", "摄像头经度", "设备经度", "点位经度"),
    "camera_lat": ("camera_lat", "cam_lat", "摄像头纬度", "设备纬度", "点位纬度"),
    "bearing": ("bearing", "heading", "azimuth", "direction", "方位角", "朝向", "方向角"),
    "category": ("category", "type", "alarm_type", "告警类型", "报警类型", "类别", "类型"),
    "snapshot": ("snapshot", "image", "photo", "picture", "url", "snapshot_url", "抓拍图片", "抓拍", "截图", "图片"),
}
REQUIRED = ("camera", "time", "category")


class VideoFileError(ValueError):
    """A file cannot be read as alarm records at all (no header, missing columns); the message is translated."""


@dataclass(frozen=True)
class Problem:
    """A row refused (``error``) or kept with a remark (``warning``); ``message`` is translated and names the row
    and the column."""

    row: int
    column: str
    code: str
    message: str
    severity: str = "error"


@dataclass(frozen=True)
class Alarm:
    """One accepted alarm: where it is (lon/lat), and how it was placed."""

    row: int
    camera_id: str
    time: float
    category: str
    kind: str
    lon: float
    lat: float
    placed_from_bearing: bool
    camera_lon: float = math.nan
    camera_lat: float = math.nan
    bearing: float = math.nan
    snapshot: str = ""

    @property
    def time_utc(self) -> str:
        return utc_text(self.time)

    @property
    def key(self) -> str:
        return alarm_key(self.camera_id, self.time)

    @property
    def case_id(self) -> str:
        return case_uuid(self.key)

    @property
    def snapshot_is_url(self) -> bool:
        return is_url(self.snapshot)


def utc_text(seconds: float) -> str:
    return clock_text(seconds, "%Y-%m-%dT%H:%M:%SZ", None)


def beijing_text(seconds: float) -> str:
    return clock_text(seconds, "%Y-%m-%d %H:%M:%S", SHANGHAI)


def clock_text(seconds: float, fmt: str, tz) -> str:
    import datetime as dt

    stamp = dt.datetime.fromtimestamp(math.floor(float(seconds)), dt.timezone.utc)
    return (stamp.astimezone(tz) if tz is not None else stamp).strftime(fmt)


def alarm_key(camera_id: str, seconds: float) -> str:
    """The case key of an alarm: camera and UTC second only — not the category or the placement, which a platform
    may revise in a later export of the same alarm."""
    return case_key(SOURCE, "", "", "", "", f"{camera_id.strip()}@{utc_text(seconds)}", None)


def is_url(text: str) -> bool:
    return str(text or "").strip().lower().startswith(("http://", "https://"))


def snapshot_path(text: str) -> str:
    """A snapshot that is a file, as a path (``file://`` removed, Windows separators kept as written)."""
    text = str(text or "").strip()
    return text[7:] if text.lower().startswith("file://") else text


def is_absolute(path: str) -> bool:
    return PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute()


# ---------------------------------------------------------------------------------------------- columns
def find_columns(header: list[str]) -> dict[str, int]:
    """Index of each field in ``header`` (-1 when absent); the first alias found wins."""
    lowered = [str(h or "").strip().lower() for h in header]
    out = {}
    for key, names in ALIASES.items():
        out[key] = next((lowered.index(n) for n in names if n in lowered), -1)
    return out


def header_row(rows: list[list]) -> int:
    """Index of the header among the first rows (a title row may stand above it); -1 when none names the required
    columns."""
    for i, cells in enumerate(rows[:10]):
        cols = find_columns([str(c) for c in cells])
        if all(cols[k] >= 0 for k in REQUIRED):
            return i
    return -1


def missing_columns(header: list[str]) -> list[str]:
    cols = find_columns(header)
    out = [ALIASES[k][0] for k in REQUIRED if cols[k] < 0]
    has_point = cols["lon"] >= 0 and cols["lat"] >= 0
    has_camera = cols["camera_lon"] >= 0 and cols["camera_lat"] >= 0 and cols["bearing"] >= 0
    if not has_point and not has_camera:
        out.append("lon/lat | camera_lon/camera_lat/bearing")
    return out


# ---------------------------------------------------------------------------------------------- rows
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


def _number(value) -> float | None:
    """A number as written (also ``103.21°`` or with a full-width comma); None when not one, NaN when empty."""
    text = _text(value).replace("°", "").replace("，", ".").replace(",", ".")
    if not text:
        return math.nan
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _category_kind(text: str) -> str | None:
    key = text.strip().lower()
    return CATEGORY_KINDS.get(key) or CATEGORY_KINDS.get(key.replace("_", "-"))


class _Row:
    """Reading one row: values by field, problems noted with the row and the column as written."""

    def __init__(self, row: int, cells: list, cols: dict[str, int], header: list[str]):
        self.row, self.cells, self.cols, self.header = row, cells, cols, header
        self.problems: list[Problem] = []

    def column(self, key: str) -> str:
        i = self.cols.get(key, -1)
        return str(self.header[i]).strip() if 0 <= i < len(self.header) else ALIASES[key][0]

    def value(self, key: str):
        i = self.cols.get(key, -1)
        return self.cells[i] if 0 <= i < len(self.cells) else None

    def refuse(self, key: str, code: str, message: str, severity: str = "error") -> None:
        text = tr("Row {row}, column “{column}”: {problem}").format(row=self.row, column=self.column(key),
                                                                     problem=message)
        self.problems.append(Problem(self.row, self.column(key), code, text, severity))

    def number(self, key: str) -> float:
        v = _number(self.value(key))
        if v is None:
            self.refuse(key, "not_a_number", tr("“{value}” is not a number").format(value=_text(self.value(key))))
            return math.nan
        return v


def _check_position(r: _Row, lon_key: str, lat_key: str) -> tuple[float, float] | None:
    """(lon, lat) of two columns when both are given and in China; None when both are empty; problems noted."""
    before = len(r.problems)
    lon, lat = r.number(lon_key), r.number(lat_key)
    if len(r.problems) > before:
        return None
    if math.isnan(lon) and math.isnan(lat):
        return None
    if math.isnan(lon) or math.isnan(lat):
        missing = lat_key if math.isnan(lat) else lon_key
        r.refuse(missing, "half_position", tr("the position has one coordinate only; give both longitude and "
                                              "latitude"))
        return None
    inside = LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]
    if not inside:
        if LON_RANGE[0] <= lat <= LON_RANGE[1] and LAT_RANGE[0] <= lon <= LAT_RANGE[1]:
            r.refuse(lon_key, "swapped", tr("longitude {lon} and latitude {lat} are swapped; the longitude of "
                                            "Linxia is about 103").format(lon=lon, lat=lat))
        else:
            r.refuse(lon_key, "not_degrees", tr("{lon}, {lat} is not a position in China in degrees (CGCS2000 "
                                                "longitude and latitude, e.g. 103.2, 35.6)").format(lon=lon, lat=lat))
        return None
    return lon, lat


def _time(r: _Row, now: float) -> float:
    raw = r.value("time")
    t = parse_time(raw if not isinstance(raw, str) else raw.strip(), SHANGHAI)
    text = _text(raw)
    if not text:
        r.refuse("time", "no_time", tr("the time is empty"))
    elif not math.isfinite(t):
        r.refuse("time", "bad_time", tr("“{value}” is not a time (e.g. 2025-06-20 09:30:00)").format(value=text))
    elif t < EARLIEST_TIME:
        r.refuse("time", "early_time", tr("the time {value} is before 2000: the camera's clock was not set").format(
            value=text))
    elif t > now + FUTURE_SLACK_S:
        r.refuse("time", "future_time", tr("the time {value} is in the future").format(value=text))
    else:
        return t
    return math.nan


def parse_row(row: int, cells: list, cols: dict[str, int], header: list[str], distance_m: float,
              now: float) -> tuple[Alarm | None, list[Problem]]:
    """One row as an alarm, or None with the problems that refuse it."""
    r = _Row(row, list(cells), cols, header)
    camera = _text(r.value("camera"))
    if not camera:
        r.refuse("camera", "no_camera", tr("the camera id is empty"))
    t = _time(r, now)
    category = _text(r.value("category"))
    kind = _category_kind(category) if category else None
    if kind is None:
        r.refuse("category", "bad_category",
                 tr("category “{value}” is none of 非农化, 非粮化, 撂荒, 挖湖, 其他").format(value=category))
    point = _check_position(r, "lon", "lat") if cols["lon"] >= 0 and cols["lat"] >= 0 else None
    cam, bearing = None, math.nan
    if cols["camera_lon"] >= 0 and cols["camera_lat"] >= 0:
        cam = _check_position(r, "camera_lon", "camera_lat")
    if cols["bearing"] >= 0:
        bearing = r.number("bearing")
        if math.isfinite(bearing) and not 0.0 <= bearing <= 360.0:
            r.refuse("bearing", "bad_bearing", tr("bearing {value} is not between 0 and 360 degrees (clockwise "
                                                  "from north)").format(value=bearing))
            bearing = math.nan
    if point is None and not r.problems:
        if cam is None or not math.isfinite(bearing):
            r.refuse("lon", "no_position", tr("the alarm has no position: give its longitude and latitude, or the "
                                              "camera's longitude, latitude and bearing"))
    if r.problems:
        return None, r.problems
    placed = point is None
    lon, lat = point if point is not None else place(cam[0], cam[1], bearing, distance_m)
    return Alarm(row, camera, t, category, kind, lon, lat, placed,
                 cam[0] if cam else math.nan, cam[1] if cam else math.nan, bearing,
                 _text(r.value("snapshot"))), r.problems


def parse_rows(header: list[str], rows: list[tuple[int, list]], distance_m: float = DEFAULT_DISTANCE_M,
               now: float | None = None) -> tuple[list[Alarm], list[Problem]]:
    """The alarms of (row number, cells) rows under ``header``, and every problem; a repeated camera and time
    keeps its first row (the repeat is a warning)."""
    missing = missing_columns(header)
    if missing:
        raise VideoFileError(tr("no column {columns} (columns: {header}); name them camera_id, time, category and "
                                "lon, lat or camera_lon, camera_lat, bearing (or 摄像头编号, 告警时间, 告警类型, 经度, "
                                "纬度, 摄像头经度, 摄像头纬度, 方位角)").format(
            columns=", ".join(missing), header=", ".join(str(h) for h in header)))
    if not distance_m > 0:
        raise ValueError("distance_m must be positive")
    now = clock.now_utc().timestamp() if now is None else float(now)
    cols = find_columns(header)
    alarms: list[Alarm] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for row, cells in rows:
        if not any(_text(c) for c in cells):
            continue
        alarm, found = parse_row(row, cells, cols, header, distance_m, now)
        problems += found
        if alarm is None:
            continue
        if alarm.key in seen:
            column = str(header[cols["time"]]).strip()
            problems.append(Problem(row, column, "repeated", tr(
                "Row {row}, column “{column}”: the same camera and time as row {other}; the row is skipped").format(
                row=row, column=column, other=seen[alarm.key]), "warning"))
            continue
        seen[alarm.key] = row
        alarms.append(alarm)
    return alarms, problems


def records_as_rows(records: list[dict]) -> tuple[list[str], list[tuple[int, list]]]:
    """JSON records (objects, or GeoJSON features whose Point gives lon/lat) as a header and numbered rows."""
    flat = []
    for rec in records:
        if isinstance(rec, dict) and rec.get("type") == "Feature":
            props = dict(rec.get("properties") or {})
            geom = rec.get("geometry") or {}
            coords = geom.get("coordinates") if geom.get("type") == "Point" else None
            if coords and len(coords) >= 2 and not ({"lon", "lat"} & {k.lower() for k in props}):
                props["lon"], props["lat"] = coords[0], coords[1]
            rec = props
        flat.append(rec if isinstance(rec, dict) else {})
    header: list[str] = []
    for rec in flat:
        header += [k for k in rec if k not in header]
    return header, [(i + 1, [rec.get(k) for k in header]) for i, rec in enumerate(flat)]


def json_records(data) -> list:
    """The list of alarm records of a parsed JSON document: a list, a FeatureCollection, or an object holding the
    list under a usual key (``data``, ``alarms``, ``records``, ``items``, ``rows``, ``list``)."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if data.get("type") == "FeatureCollection":
            return list(data.get("features") or [])
        for key in ("data", "alarms", "records", "items", "rows", "list", "result"):
            inner = data.get(key)
            if isinstance(inner, (list, dict)) and inner is not data:
                found = json_records(inner)
                if found:
                    return found
    raise VideoFileError(tr("it holds no list of alarm records (a list of objects, a GeoJSON FeatureCollection, or "
                            "an object with “data” or “alarms”)"))


# ---------------------------------------------------------------------------------------------- geometry
@lru_cache(maxsize=1)
def _geod():
    from pyproj import Geod

    return Geod(ellps="GRS80")  # the CGCS2000 ellipsoid (its flattening differs from GRS80 by 1e-10)


def place(lon: float, lat: float, bearing_deg: float, distance_m: float) -> tuple[float, float]:
    """The point ``distance_m`` from (lon, lat) along ``bearing_deg`` (clockwise from true north)."""
    x, y, _ = _geod().fwd(lon, lat, bearing_deg, distance_m)
    return float(x), float(y)


def match_parcels(points, parcel_wkb, parcel_codes, tolerance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Per point (store CRS, metres): the index of the coded parcel under it, else the nearest within
    ``tolerance_m`` (-1 when none), and the distance (NaN when none). Ties (a point on a shared edge) go to the
    lowest code, so a re-import matches the same parcel."""
    points = np.asarray(points, dtype=object)
    n = len(points)
    index, dist = np.full(n, -1, dtype=np.int64), np.full(n, np.nan)
    parcels = shapely.from_wkb(np.asarray(parcel_wkb, dtype=object)) if len(parcel_wkb) else np.zeros(0, object)
    codes = np.asarray(parcel_codes, dtype=object)
    if not n or not len(parcels):
        return index, dist
    tree = shapely.STRtree(parcels)
    a, b = tree.query(points, predicate="dwithin", distance=float(tolerance_m))
    if not len(a):
        return index, dist
    d = shapely.distance(points[a], parcels[b])
    order = np.lexsort((codes[b].astype(str), d, a))
    a, b, d = a[order], b[order], d[order]
    head = np.r_[True, a[1:] != a[:-1]]
    index[a[head]], dist[a[head]] = b[head], d[head]
    return index, dist


def view_sector(x: float, y: float, bearing_deg: float, radius_m: float, angle_deg: float, steps: int = 24):
    """The camera's view in the store's metres: a sector of ``radius_m`` opening ``angle_deg`` around the bearing
    (clockwise from north; the grid's convergence from true north, under 2° in Linxia's 3° zones, is ignored)."""
    half = min(float(angle_deg), 360.0) / 2.0
    angles = np.radians(np.linspace(bearing_deg - half, bearing_deg + half, steps + 1))
    arc = np.column_stack([x + radius_m * np.sin(angles), y + radius_m * np.cos(angles)])
    if half >= 180.0:
        return shapely.Polygon(arc)
    return shapely.Polygon(np.vstack([[x, y], arc, [x, y]]))


def watched_codes(sectors, parcel_wkb, parcel_codes) -> list[list[str]]:
    """Sorted codes of the coded parcels each sector overlaps (more than touches)."""
    sectors = np.asarray(sectors, dtype=object)
    out: list[list[str]] = [[] for _ in range(len(sectors))]
    if not len(sectors) or not len(parcel_wkb):
        return out
    parcels = shapely.from_wkb(np.asarray(parcel_wkb, dtype=object))
    codes = np.asarray(parcel_codes, dtype=object)
    a, b = shapely.STRtree(parcels).query(sectors, predicate="intersects")
    for i, j in zip(a.tolist(), b.tolist()):
        if shapely.area(shapely.intersection(sectors[i], parcels[j])) > 0.01:
            out[i].append(str(codes[j]))
    return [sorted(set(c)) for c in out]


@dataclass(frozen=True)
class Camera:
    camera_id: str
    lon: float
    lat: float
    bearing: float
    alarms: int


def cameras(alarms: list[Alarm]) -> list[Camera]:
    """One camera per id that gave its position and bearing: the position and bearing of its latest alarm (a
    camera may be turned between alarms), with its number of alarms; by id."""
    by_id: dict[str, list[Alarm]] = {}
    for a in alarms:
        by_id.setdefault(a.camera_id, []).append(a)
    out = []
    for cid in sorted(by_id):
        placed = [a for a in by_id[cid] if math.isfinite(a.camera_lon) and math.isfinite(a.bearing)]
        if placed:
            last = max(placed, key=lambda a: a.time)
            out.append(Camera(cid, last.camera_lon, last.camera_lat, last.bearing, len(by_id[cid])))
    return out
