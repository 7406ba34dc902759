"""Patrol tracks: raw GPS fixes, their cleaning, sessions and per-session figures (no QGIS here).

社 officers record their weekly walk with a phone app; what reaches the desk is a list of fixes
(lon/lat, UTC time, sometimes an accuracy). Phones produce junk — fixes with a poor accuracy, the
same second twice, clocks that step back, and multipath jumps of hundreds of metres — so a track is
*cleaned* before anything is measured on it. Cleaning never changes the fixes: it only says, per fix,
why it is dropped (or ``None`` when kept), so that the store can keep every raw fix as evidence next
to the reason it was not used. Kept fixes are then split into *sessions* at long gaps (an officer
who walks in the morning and again in the afternoon uploads one file with two patrols) and
projected to the county's CGCS2000 3-degree Gauss-Krüger zone, where lengths are metres.

Times are UTC epoch seconds (``float64``, ``NaN`` when a fix has none) everywhere in this module;
:func:`utc_iso` formats them the way the store keeps them (``YYYY-MM-DDTHH:MM:SSZ``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from ..crs import CGCS2000_GEOGRAPHIC, gk3_epsg

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: why cleaning drops a fix, in the order the rules are tried
DROP_REASONS = ("bad_position", "no_time", "bad_clock", "accuracy", "repeat", "duplicate_time", "backwards_time",
                "speed_jump")

#: 2000-01-01 00:00 Beijing time: no patrol app predates it; earlier times are a phone's reset clock (1970 …)
EARLIEST_TIME = dt.datetime(2000, 1, 1, tzinfo=SHANGHAI).timestamp()
#: Excel's day 0 (serial numbers count days from it; the 1900 leap-year bug is behind this date)
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
#: day serials of 1970-01-01 .. 2099-12-31: a bare number in that range in a time column is an Excel date
_EXCEL_SERIALS = (25569.0, 73051.0)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$")
_LOOSE = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[T\s]*(?P<h>\d{1,2})\s*[:：时點点]\s*(?P<mi>\d{1,2})\s*(?:[:：分]\s*(?:(?P<s>\d{1,2}(?:\.\d+)?)\s*秒?)?)?)?"
    r"\s*(?P<tz>Z|z|[+-]\d{2}(?::?\d{2})?)?$")

_EARTH_RADIUS_M = 6_371_008.8
_NAME = re.compile(r"^(?P<grid>\d{14})_(?P<date>\d{8})(?:[_\-.].*)?$")


@dataclass(frozen=True)
class CleaningOptions:
    """Thresholds of :func:`clean` and :func:`sessions`.

    The defaults suit a walking patrol recorded by a phone every few seconds:

    - ``max_accuracy_m`` 50 m: a fix whose reported horizontal accuracy is worse than the width of a
      terrace field says nothing about which field was walked;
    - ``max_speed_ms`` 40 m/s (144 km/h): no officer moves faster on Linxia's roads, so a fix reached
      faster from the previous kept fix is a multipath jump; driving past (8–14 m/s) is *not* dropped
      here — telling a drive-by from a walk is the authenticity check's job, on the kept fixes;
    - ``session_gap_s`` 20 min: a longer silence ends one patrol and starts another;
    - ``min_session_fixes`` 2: a track needs at least two fixes to have a line;
    - ``start_outliers`` 3: a phone's first fixes are often a cell-tower guess far from the walk; when
      at most this many kept fixes open a session and the next fixes jump away from them but agree
      with each other, those opening fixes are the outliers and are dropped instead of the walk.
    """

    max_accuracy_m: float = 50.0
    max_speed_ms: float = 40.0
    session_gap_s: float = 20 * 60.0
    min_session_fixes: int = 2
    #: two fixes closer in time than this are the same instant (phones repeat the last fix)
    same_time_s: float = 1e-3
    start_outliers: int = 3
    #: fixes before this (epoch s) come from a phone whose clock was reset (1970, 2000 …): ``bad_clock``
    earliest_time: float = EARLIEST_TIME
    #: fixes after this (epoch s; the import time plus a tolerance, None: no limit) come from a phone whose
    #: clock is ahead: ``bad_clock``
    latest_time: float | None = None


@dataclass(frozen=True)
class Fixes:
    """Raw fixes in file order: lon/lat in degrees (WGS 84 or CGCS2000, which agree within
    centimetres), UTC epoch seconds (NaN when unknown) and the horizontal accuracy in metres
    (NaN when the source does not say)."""

    lon: np.ndarray
    lat: np.ndarray
    time: np.ndarray
    accuracy: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        lon = np.asarray(self.lon, dtype=float)
        n = len(lon)
        object.__setattr__(self, "lon", lon)
        object.__setattr__(self, "lat", np.asarray(self.lat, dtype=float))
        object.__setattr__(self, "time", _as_epoch(self.time))
        acc = np.full(n, np.nan) if self.accuracy is None else np.asarray(
            [np.nan if a is None else a for a in self.accuracy], dtype=float)
        object.__setattr__(self, "accuracy", acc)
        if not (len(self.lat) == len(self.time) == len(acc) == n):
            raise ValueError("lon, lat, time and accuracy must have the same length")

    def __len__(self) -> int:
        return len(self.lon)

    @property
    def utc(self) -> np.ndarray:
        """Times as ``datetime64[s]`` (UTC; NaT where unknown)."""
        return epoch_to_datetime64(self.time)


def _as_epoch(values) -> np.ndarray:
    """Epoch seconds from epoch numbers or numpy datetime64 (UTC)."""
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        out = arr.astype("datetime64[ns]").astype(np.int64).astype(float) / 1e9
        out[np.isnat(arr)] = np.nan
        return out
    if arr.dtype.kind == "O":
        return np.array([np.nan if v is None else float(v) for v in arr], dtype=float)
    return arr.astype(float)


def epoch_to_datetime64(seconds: np.ndarray) -> np.ndarray:
    seconds = np.asarray(seconds, dtype=float)
    out = np.full(len(seconds), np.datetime64("NaT"), dtype="datetime64[s]")
    ok = np.isfinite(seconds)
    out[ok] = np.floor(seconds[ok]).astype(np.int64).astype("datetime64[s]")
    return out


def utc_iso(seconds) -> np.ndarray:
    """``YYYY-MM-DDTHH:MM:SSZ`` per epoch second (whole seconds, truncated); None where unknown."""
    seconds = np.atleast_1d(np.asarray(seconds, dtype=float))
    text = np.datetime_as_string(epoch_to_datetime64(seconds), unit="s")
    return np.array([f"{t}Z" if ok else None for t, ok in zip(text, np.isfinite(seconds))], dtype=object)


def content_hash(data: bytes) -> str:
    """SHA-256 (hex) of a file's bytes: the same upload is recognised whatever its name or path."""
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------- times
def parse_time(value, naive_tz: dt.tzinfo | None = SHANGHAI) -> float:
    """UTC epoch seconds of a time as apps write it; NaN when empty or unreadable.

    ISO 8601 with ``T`` or a space, ``-`` or ``/`` in dates, fractional seconds, ``Z`` or an offset;
    dates and times without leading zeros (``2025/6/20 9:00:05``, ``2025-6-20 9:00``), Chinese dates
    (``2025年6月20日 9时0分5秒``, ``2025年6月20日 09:00:05``) and compact ``YYYYMMDDHHMM[SS]``
    (``20250620090005``). Numbers are epoch seconds (or milliseconds when above 1e11), except day
    serials between 1970 and 2099 (25569–73051, e.g. ``45828.375``), which are Excel dates, and
    14-digit numbers, which are compact times. A time without offset is local time in ``naive_tz``
    (Asia/Shanghai: phone exports and spreadsheets write Beijing time).
    """
    if value is None:
        return math.nan
    if isinstance(value, dt.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=naive_tz or dt.timezone.utc)
        return stamp.timestamp()
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        if not math.isfinite(v):
            return math.nan
        if _EXCEL_SERIALS[0] <= v < _EXCEL_SERIALS[1]:
            # an Excel date-time cell (days since 1899-12-30, local time), to the millisecond
            stamp = _EXCEL_EPOCH + dt.timedelta(milliseconds=round(v * 86_400_000))
            return parse_time(stamp, naive_tz)
        if 1e13 <= v < 1e14 and v == int(v):
            compact = _compact(str(int(v)), naive_tz)
            if math.isfinite(compact):
                return compact
        return v / 1000.0 if abs(v) > 1e11 else v
    text = str(value).strip()
    if not text:
        return math.nan
    if _COMPACT.match(text):
        return _compact(text, naive_tz)
    try:
        return parse_time(float(text), naive_tz)
    except ValueError:
        pass
    norm = text.replace("/", "-")
    if norm.endswith(("Z", "z")):
        norm = norm[:-1] + "+00:00"
    if len(norm) > 10 and norm[10] == " ":
        norm = norm[:10] + "T" + norm[11:]
    try:
        stamp = dt.datetime.fromisoformat(norm)
    except ValueError:
        return _loose(text, naive_tz)
    return parse_time(stamp, naive_tz)


def _compact(text: str, naive_tz: dt.tzinfo | None) -> float:
    """``YYYYMMDDHHMM[SS]`` (local time), NaN when not a real date."""
    m = _COMPACT.match(text)
    if not m:
        return math.nan
    try:
        stamp = dt.datetime(*(int(g) for g in m.groups() if g is not None))
    except ValueError:
        return math.nan
    return parse_time(stamp, naive_tz)


def _loose(text: str, naive_tz: dt.tzinfo | None) -> float:
    """Dates and times without leading zeros, or with 年月日 / 时分秒; NaN when not one."""
    m = _LOOSE.match(text.strip())
    if not m:
        return math.nan
    sec = float(m["s"]) if m["s"] else 0.0
    try:
        stamp = dt.datetime(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"] or 0), int(m["mi"] or 0),
                            int(sec), int(round((sec - int(sec)) * 1e6)))
    except ValueError:
        return math.nan
    zone = m["tz"]
    if zone:
        if zone in ("Z", "z"):
            stamp = stamp.replace(tzinfo=dt.timezone.utc)
        else:
            digits = zone[1:].replace(":", "")
            minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0)
            stamp = stamp.replace(tzinfo=dt.timezone(dt.timedelta(minutes=minutes if zone[0] == "+" else -minutes)))
    return parse_time(stamp, naive_tz)


def local_date(seconds: float, tz: dt.tzinfo = SHANGHAI) -> dt.date:
    """The calendar date of an instant in ``tz`` (tasks and file names use Beijing dates)."""
    return dt.datetime.fromtimestamp(float(seconds), dt.timezone.utc).astimezone(tz).date()


def parse_track_name(name: str) -> tuple[str, dt.date] | None:
    """(14-digit 社 grid code, local date) of a file named ``{grid}_{YYYYMMDD}[_…].ext``, else None.

    The patrol app names every upload this way, so the name alone says whose grid a track is for.
    """
    stem = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    m = _NAME.match(stem)
    if not m:
        return None
    try:
        day = dt.datetime.strptime(m["date"], "%Y%m%d").date()
    except ValueError:
        return None
    return m["grid"], day


# ---------------------------------------------------------------------------------------------- cleaning
def _distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine): exact enough for speeds, independent of any zone."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def clean(fixes: Fixes, options: CleaningOptions | None = None, known: np.ndarray | None = None) -> np.ndarray:
    """Per fix, the reason it is dropped (one of :data:`DROP_REASONS`) or None when it is kept.

    Rules, tried in this order for each fix (the input is never modified):

    ``bad_position``  lon/lat not finite, out of range, or 0/0 (a phone without a fix);
    ``no_time``       the fix has no time;
    ``bad_clock``     the time is before ``earliest_time`` or after ``latest_time``: the phone's clock was
                      wrong (reset to 1970, or set years ahead), so the fix's time says nothing;
    ``accuracy``      the accuracy is known and worse than ``max_accuracy_m``;
    ``repeat``        ``known[i]`` is true: the fix is already in the store from an earlier file (a
                      tracking layer that keeps growing on the phone is exported again and again);
    ``duplicate_time`` same time as the previous *kept* fix;
    ``backwards_time`` earlier than the previous kept fix (a clock step, or points out of order);
    ``speed_jump``    reached from the previous kept fix faster than ``max_speed_ms``.

    Comparing with the previous *kept* fix (not the previous raw one) means one outlier cannot
    cause its sound neighbour to be dropped as well. The first kept fixes of a session are not
    trusted blindly: when a fix jumps away from a session opened by at most ``start_outliers``
    kept fixes and the next usable fix is reachable from it, the opening fixes were the outliers
    (a phone's first guess) and are dropped as ``speed_jump`` instead.
    """
    opt = options or CleaningOptions()
    n = len(fixes)
    reasons = np.full(n, None, dtype=object)
    lon, lat, t, acc = (a.tolist() for a in (fixes.lon, fixes.lat, fixes.time, fixes.accuracy))
    repeat = np.zeros(n, dtype=bool) if known is None else np.asarray(known, dtype=bool)

    def usable(i: int) -> str | None:
        x, y, ti, ai = lon[i], lat[i], t[i], acc[i]
        if not (math.isfinite(x) and math.isfinite(y)) or abs(x) > 180 or abs(y) > 90 or (x == 0 and y == 0):
            return "bad_position"
        if not math.isfinite(ti):
            return "no_time"
        if ti < opt.earliest_time or (opt.latest_time is not None and ti > opt.latest_time):
            return "bad_clock"
        if math.isfinite(ai) and ai > opt.max_accuracy_m:
            return "accuracy"
        if repeat[i]:
            return "repeat"
        return None

    def too_fast(a: int, b: int) -> bool:
        gap = t[b] - t[a]
        return gap > 0 and _distance_m(lon[a], lat[a], lon[b], lat[b]) / gap > opt.max_speed_ms

    def next_usable(i: int) -> int:
        for j in range(i + 1, n):
            if usable(j) is None and t[j] - t[i] >= opt.same_time_s:
                return j
        return -1

    last = -1
    opening: list[int] = []  # the kept fixes since the session began
    for i in range(n):
        reasons[i] = usable(i)
        if reasons[i] is not None:
            continue
        if last >= 0:
            gap = t[i] - t[last]
            if abs(gap) < opt.same_time_s:
                reasons[i] = "duplicate_time"
                continue
            if gap < 0:
                reasons[i] = "backwards_time"
                continue
            if gap > opt.session_gap_s:
                opening = []
            elif too_fast(last, i):
                j = next_usable(i)
                if len(opening) <= opt.start_outliers and j >= 0 and not too_fast(i, j) and too_fast(last, j):
                    reasons[opening] = "speed_jump"  # the session's opening fixes were the outliers
                    opening = []
                else:
                    reasons[i] = "speed_jump"
                    continue
        last = i
        opening.append(i)
    return reasons


def split_sessions(times: np.ndarray, kept: np.ndarray, gap_s: float = 20 * 60.0) -> list[np.ndarray]:
    """Indices of the kept fixes, cut where two consecutive kept fixes are more than ``gap_s`` apart.

    ``kept`` is a boolean mask over all fixes; the returned index arrays refer to the raw fixes, so
    that a session's fixes can always be found again among the raw ones.
    """
    idx = np.flatnonzero(np.asarray(kept, dtype=bool))
    if len(idx) == 0:
        return []
    t = np.asarray(times, dtype=float)[idx]
    cuts = np.flatnonzero(np.diff(t) > gap_s) + 1
    return [part for part in np.split(idx, cuts) if len(part)]


# ---------------------------------------------------------------------------------------------- projection
@lru_cache(maxsize=16)
def _transformer(epsg: int):
    from pyproj import Transformer

    return Transformer.from_crs(CGCS2000_GEOGRAPHIC, epsg, always_xy=True)


def project(lon: np.ndarray, lat: np.ndarray, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat (CGCS2000 ≈ WGS 84) to a projected CRS, e.g. the county's 3-degree GK zone. A single position
    (one camera, one fix) goes to pyproj as two floats: pyproj reads a size-1 array as a point and converts it to a
    scalar the way numpy ≥ 1.25 deprecates."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if lon.size == 1:
        x, y = _transformer(int(epsg)).transform(float(lon.item()), float(lat.item()))
        return np.full(lon.shape, x, dtype=float), np.full(lat.shape, y, dtype=float)
    x, y = _transformer(int(epsg)).transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


@lru_cache(maxsize=1)
def _geod():
    from pyproj import Geod

    return Geod(ellps="GRS80")  # CGCS2000's ellipsoid (WGS 84's differs by 0.1 mm in the minor axis)


def geodesic_length(lon: np.ndarray, lat: np.ndarray) -> float:
    """Length in metres of the line through lon/lat fixes, on the ellipsoid (whatever CRS the store uses)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if len(lon) < 2:
        return 0.0
    return float(_geod().line_length(lon, lat))


#: a projected length further than this from the geodesic one comes from a CRS unfit for lengths
LENGTH_SCALE_TOLERANCE = 0.005


def track_length(x: np.ndarray, y: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> float:
    """Length in metres of a track: of its line in the projected CRS when that CRS measures true (the
    county's Gauss-Krüger zone: within 0.5 % of the ellipsoid, so the figure matches what QGIS measures
    on the layer), else on the ellipsoid — a store in Web Mercator or in a zone far from the county
    would lengthen every track by its scale error (tens of percent)."""
    geodesic = geodesic_length(lon, lat)
    planar = float(np.hypot(np.diff(np.asarray(x, dtype=float)), np.diff(np.asarray(y, dtype=float))).sum())
    if geodesic > 0 and abs(planar - geodesic) <= LENGTH_SCALE_TOLERANCE * geodesic:
        return planar
    return geodesic


def county_epsg(lon: np.ndarray | float) -> int:
    """The CGCS2000 3-degree zone (EPSG 4513–4533, zone number in x) of the median longitude."""
    return gk3_epsg(float(np.nanmedian(np.atleast_1d(np.asarray(lon, dtype=float)))), prefixed=True)


# ---------------------------------------------------------------------------------------------- sessions
@dataclass(frozen=True)
class Session:
    """One cleaned patrol: the kept fixes between two long gaps, projected.

    ``index`` holds the positions of its fixes among the *raw* fixes, in order; ``x``/``y`` are those
    fixes projected to ``epsg``, one to one — the track's line has exactly these vertices. ``lon``/``lat``
    are the same fixes in degrees: when the projected CRS does not measure true (Web Mercator, a zone far
    from the county), the length is measured on the ellipsoid from them (:func:`track_length`).
    """

    number: int
    index: np.ndarray
    x: np.ndarray
    y: np.ndarray
    times: np.ndarray
    epsg: int
    lon: np.ndarray | None = None
    lat: np.ndarray | None = None

    @property
    def fixes(self) -> int:
        return len(self.index)

    @property
    def length_m(self) -> float:
        if self.lon is not None and self.lat is not None:
            return track_length(self.x, self.y, self.lon, self.lat)
        return float(np.hypot(np.diff(self.x), np.diff(self.y)).sum())

    @property
    def duration_s(self) -> float:
        return float(self.times[-1] - self.times[0])

    @property
    def started(self) -> float:
        return float(self.times[0])

    @property
    def ended(self) -> float:
        return float(self.times[-1])

    @property
    def started_at(self) -> str:
        return str(utc_iso(self.started)[0])

    @property
    def ended_at(self) -> str:
        return str(utc_iso(self.ended)[0])

    def figures(self) -> dict:
        return {"fixes": self.fixes, "length_m": round(self.length_m, 2), "duration_s": round(self.duration_s, 1),
                "started_at": self.started_at, "ended_at": self.ended_at}


def sessions(fixes: Fixes, reasons: np.ndarray, epsg: int, options: CleaningOptions | None = None) -> list[Session]:
    """The patrol sessions of cleaned fixes, projected to ``epsg``, numbered from 1.

    Groups of kept fixes too small for a line (fewer than ``min_session_fixes``) give no session;
    their fixes stay kept (they are sound fixes, just not a track).
    """
    opt = options or CleaningOptions()
    kept = np.array([r is None for r in reasons], dtype=bool)
    out: list[Session] = []
    for part in split_sessions(fixes.time, kept, opt.session_gap_s):
        if len(part) < max(opt.min_session_fixes, 2):
            continue
        x, y = project(fixes.lon[part], fixes.lat[part], epsg)
        out.append(Session(len(out) + 1, part, x, y, fixes.time[part], int(epsg), fixes.lon[part], fixes.lat[part]))
    return out


def reason_counts(reasons: np.ndarray) -> dict[str, int]:
    """How many fixes each rule dropped (only rules that dropped some)."""
    out: dict[str, int] = {}
    for r in reasons:
        if r is not None:
            out[str(r)] = out.get(str(r), 0) + 1
    return {k: out[k] for k in DROP_REASONS if k in out} | {k: v for k, v in out.items() if k not in DROP_REASONS}


# ---------------------------------------------------------------------------------------------- check figures
#: flags the track check adds to those of :mod:`.authenticity` (codes are stable; see docs/track-checks.md):
#: ``outside_county`` — most of the track lies outside the county the store covers, whatever its grid code says;
#: ``before_plan`` — the track started before the patrol plan it would count for (the first task period of its
#: grid, else of the store) — it can complete no task. Both block a track from counting.
PLACE_TIME_FLAGS = ("outside_county", "before_plan")
PLACE_TIME_FLAG_LABELS_ZH = {
    "outside_county": "不在本县范围内",
    "before_plan": "早于巡田计划开始",
}
#: a track is inside the county when at least this share of its fixes is in the county's extent …
COUNTY_MIN_SHARE = 0.5
#: … grown by this much (m): a walk along the county line, GPS error
COUNTY_TOLERANCE_M = 1000.0


def geodesic_steps(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Distance in metres on the ellipsoid between consecutive fixes (n - 1 values)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if len(lon) < 2:
        return np.zeros(0)
    _, _, dist = _geod().inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    return np.asarray(dist, dtype=float)


def _geodesic_between(lon: np.ndarray, lat: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    if not len(i):
        return np.zeros(0)
    _, _, dist = _geod().inv(lon[i], lat[i], lon[j], lat[j])
    return np.asarray(dist, dtype=float)


def _cv(values: np.ndarray) -> float:
    mean = float(values.mean()) if len(values) else 0.0
    return float(values.std() / mean) if mean > 0 else 0.0


def motion_figures(lon: np.ndarray, lat: np.ndarray, t: np.ndarray, window_s: float = 30.0,
                   moving_ms: float = 0.3, drive_speed_ms: float = 4.0, teleport_speed_ms: float = 30.0) -> dict:
    """The speed and jump figures of a track on the ellipsoid (the fixes' lon/lat), whatever CRS the store uses.

    The rules are those of :func:`.authenticity.check_track` — moving speed = straight-line displacement over
    ``window_s`` from each fix (fixes slower than ``moving_ms`` are standing and left out of the median and
    85th percentile), the longest stretch of windows faster than ``drive_speed_ms``, jumps = consecutive fixes
    implying more than ``teleport_speed_ms`` — but every distance is a geodesic one, so that a store in Web
    Mercator (which stretches distances by a third at Linxia's latitude) or in a far zone gives the same figures
    as one in the county's Gauss-Krüger zone."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    t = np.asarray(t, dtype=float)
    n = len(t)
    seg = geodesic_steps(lon, lat)
    gaps = np.diff(t) if n > 1 else np.zeros(0)
    if n >= 2:
        j = np.searchsorted(t, t + window_s, side="left")
        ok = j < n
        i, j = np.flatnonzero(ok), j[ok]
        if len(i) == 0:  # shorter than one window: the whole track is one window
            i, j = np.array([0]), np.array([n - 1])
        speeds = _geodesic_between(lon, lat, i, j) / np.maximum(t[j] - t[i], 1.0)
        at = t[i]
    else:
        speeds, at = np.zeros(0), np.zeros(0)
    moving = speeds[speeds >= moving_ms]
    median = float(np.median(moving)) if len(moving) else 0.0
    p85 = float(np.percentile(moving, 85)) if len(moving) else 0.0
    fast = speeds > drive_speed_ms
    longest = 0.0
    if fast.any():
        edges = np.diff(np.r_[0, fast.astype(np.int8), 0])
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
        longest = float((at[ends] - at[starts] + window_s).max())
    jump = seg / np.maximum(gaps, 1.0) if n > 1 else np.zeros(0)
    worst = int(np.argmax(jump)) if len(jump) else -1
    return {
        "speed_median_ms": round(median, 2), "speed_p85_ms": round(p85, 2), "longest_fast_s": round(longest, 1),
        "teleports": int((jump > teleport_speed_ms).sum()),
        "worst_jump_ms": round(float(jump[worst]), 1) if worst >= 0 else 0.0,
        "worst_jump_m": round(float(seg[worst]), 1) if worst >= 0 else 0.0,
        "step_cv": round(_cv(seg), 4) if len(seg) else 0.0,
        "distances": "geodesic",
    }


def inside_share(x: np.ndarray, y: np.ndarray, area) -> float | None:
    """Share of the points (x, y) inside ``area`` (a shapely geometry in the same coordinates); None when there
    is no area or no point. Points that are not finite (a fix projected far outside its zone) are outside."""
    import shapely

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if area is None or shapely.is_empty(area) or not len(x):
        return None
    ok = np.isfinite(x) & np.isfinite(y)
    inside = np.zeros(len(x), dtype=bool)
    if ok.any():
        shapely.prepare(area)
        inside[ok] = shapely.contains_xy(area, x[ok], y[ok]) | shapely.touches(area, shapely.points(x[ok], y[ok]))
    return float(inside.mean())


def before_plan(started: float, plan_start: dt.date | None, tz: dt.tzinfo = SHANGHAI) -> bool:
    """Whether a track that started at ``started`` (epoch s) began before the plan's first day (a Beijing date;
    None: the store has no plan, nothing is before it)."""
    if plan_start is None or not math.isfinite(started):
        return False
    return local_date(started, tz) < plan_start
