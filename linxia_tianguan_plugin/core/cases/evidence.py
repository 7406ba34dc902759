"""Evidence photos of a case (举证照片): what their EXIF says and whether they prove what they should.

A 社级田管员 answers an issued case with photos taken on the spot. A photo proves the state of the
parcel only if it was taken **on the parcel** and **after the case was issued** (or at least after
the change was detected); a photo from last year, from the neighbouring field or forwarded through
a chat app (which strips EXIF) proves nothing. :func:`read_exif` extracts the time and position a
phone camera writes, :func:`check_photo` turns them into figures and flags for the reviewer.

The JPEG/EXIF reader is hand written on purpose: Windows QGIS ships neither Pillow nor exifread.
It reads the first APP1 ``Exif\\0\\0`` segment (TIFF header ``II``/``MM``), IFD0 (Make, Model), the
Exif IFD (DateTimeOriginal 0x9003, OffsetTimeOriginal 0x9011) and the GPS IFD (0x8825: latitude,
longitude, GPS date and time). It never raises on bad bytes: anything unreadable is simply absent.

Times are UTC text ``YYYY-MM-DDTHH:MM:SSZ`` as everywhere in the 田管库. DateTimeOriginal without
OffsetTimeOriginal is Beijing time (UTC+8: Chinese phones are set to it and China has no daylight
saving time since 1991). GPS coordinates are WGS 84, taken as CGCS2000 (they differ by centimetres).

Plain Python with pyproj/shapely (no Qt, no QGIS).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..crs import CGCS2000_GEOGRAPHIC

#: Beijing time, for EXIF times written without an offset (fixed: no tz database needed on Windows)
BEIJING = dt.timezone(dt.timedelta(hours=8))
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: how far from the case polygon a photo may be taken (GPS error, photographing from the field edge)
MAX_DISTANCE_M = 100.0
#: phones' and desks' clocks disagree a little: time checks allow this much (seconds)
CLOCK_TOLERANCE_S = 300.0
#: flags in the order they are reported
FLAGS = ("no_exif", "no_position", "far_from_case", "no_time", "before_detection", "outside_window")

_TAG_MAKE, _TAG_MODEL, _TAG_EXIF_IFD, _TAG_GPS_IFD = 0x010F, 0x0110, 0x8769, 0x8825
_TAG_DATETIME_ORIGINAL, _TAG_OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON, _GPS_TIME, _GPS_DATE = 0x0001, 0x0002, 0x0003, 0x0004, 0x0007, 0x001D
#: TIFF field type → size of one value in bytes
_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
_MAX_ENTRIES = 1000  # an IFD with more entries than this is garbage


@dataclass(frozen=True)
class PhotoInfo:
    """What a photo's EXIF says; '' and NaN mean "not there or unreadable".

    ``taken_at`` is DateTimeOriginal in UTC (``time_source`` ``'original'``) or, without it, the GPS
    date and time (``'gps'``); ``gps_time`` is the GPS time whenever present (the satellite clock:
    a camera clock set wrong or an edited DateTimeOriginal shows as a difference between the two).
    """

    taken_at: str = ""
    lon: float = math.nan
    lat: float = math.nan
    make: str = ""
    model: str = ""
    gps_time: str = ""
    time_source: str = ""
    has_exif: bool = False

    @property
    def has_position(self) -> bool:
        return math.isfinite(self.lon) and math.isfinite(self.lat)

    def __eq__(self, other: object) -> bool:
        # "not there" (NaN) equals "not there": Python 3.13's dataclass equality compares field by field,
        # where NaN != NaN (older versions compared tuples, which took the same NaN object as equal)
        if not isinstance(other, PhotoInfo):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(tuple(self.to_dict().items()))

    def to_dict(self) -> dict:
        return {"taken_at": self.taken_at, "lon": None if math.isnan(self.lon) else self.lon,
                "lat": None if math.isnan(self.lat) else self.lat, "make": self.make, "model": self.model,
                "gps_time": self.gps_time, "time_source": self.time_source, "has_exif": self.has_exif}


def sha256(data: bytes) -> str:
    """SHA-256 (hex) of a file's bytes: the name of the stored copy and the proof it is unchanged."""
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------------------ files
#: what an evidence file may be, told by its first bytes (a name proves nothing: an HTML page named .jpg)
MAGIC = {"jpeg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}
#: photos and documents: JPEG, PNG or PDF; sketches are the GeoJSON :func:`sketch_geojson` writes
FILE_TYPES = ("jpeg", "png", "pdf")
SKETCH_TYPES = ("json",)
#: what :func:`check_file` gives for a file that is not there: a marker callers tell from a refusal, never shown
MISSING = "文件不存在"
_HEAD = 64

_translate: Callable[[str], str] = str


def use_translator(translate: Callable[[str], str] | None) -> None:
    """Translate the refusal reasons of this module and :mod:`.field_package` with ``translate`` (the
    plugin's ``i18n.tr``, installed by ``processing/cases/exif_reader.py``): core imports no Qt, so the reasons
    are English source texts (extracted by ``tools/i18n.py``) until the plugin installs its translator."""
    global _translate
    _translate = translate or str


def tr(text: str) -> str:
    """A user-visible reason through the installed translator (English source text, ``.format()`` after)."""
    try:
        return _translate(text)
    except Exception:  # a broken translator must not hide the reason
        return text


def file_type(head: bytes) -> str:
    """``jpeg`` / ``png`` / ``pdf`` / ``json`` by a file's first bytes, '' for anything else."""
    head = bytes(head)
    for name, magic in MAGIC.items():
        if head.startswith(magic):
            return name
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return "json"
    return ""


def content_refusal(head: bytes, size: int, allowed: Sequence[str] = FILE_TYPES) -> str | None:
    """Why a file with these first bytes and size cannot be evidence (translated), or None when it can."""
    if size <= 0:
        return tr("the file is empty (0 bytes), not a photo or document; not accepted")
    if file_type(head) in allowed:
        return None
    start = bytes(head).lstrip().lower()
    html = start.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))
    if tuple(allowed) == SKETCH_TYPES:
        if html:
            return tr("the file is not a GeoJSON sketch (it is an HTML web page): judged by its first bytes, "
                      "not by its extension; not accepted")
        return tr("the file is not a GeoJSON sketch: judged by its first bytes, not by its extension; not accepted")
    if html:
        return tr("the file is not a JPEG or PNG photo or a PDF document (it is an HTML web page): judged by its "
                  "first bytes, not by its extension; not accepted")
    return tr("the file is not a JPEG or PNG photo or a PDF document: judged by its first bytes, not by its "
              "extension; not accepted")


def _is_link(path: str) -> bool:
    return os.path.islink(path) or getattr(os.path, "isjunction", lambda _: False)(path)


def _link_refusal(name: str) -> str:
    return tr("{name} is a symbolic link (shortcut) that may point to any file of the desk computer; "
              "not accepted").format(name=name)


def check_file(path: os.PathLike | str, root: os.PathLike | str | None = None,
               allowed: Sequence[str] = FILE_TYPES) -> str | None:
    """Why the file at ``path`` must not be taken as evidence (a translated sentence), or None when it may.

    Refused: a symbolic link (or Windows junction) — the file itself or, with ``root``, any folder
    between ``root`` and it —, a path that resolves outside ``root``, anything but a regular file, an
    empty file and content that is not one of ``allowed`` (:func:`file_type`). With ``root`` (a
    returned package) a **hard link** is refused as well: a file with more than one name (``st_nlink``
    > 1) may be a second name of any desk file (the store, a password file) made inside the package,
    which no symlink check sees; phones never make hard links. A file that is not there gives
    :data:`MISSING`. The file is opened without following links (where the system can) and judged
    on what was opened.
    """
    p = os.path.abspath(os.fspath(path))
    if root is not None:
        base = os.path.abspath(os.fspath(root))
        outside = tr("the file is outside the field package folder; not accepted")
        try:
            rel = os.path.relpath(p, base)
        except ValueError:  # another drive (Windows)
            return outside
        if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
            return outside
        current = base
        for part in rel.split(os.sep):
            current = os.path.join(current, part)
            if _is_link(current):
                return _link_refusal(part)
        real_base = os.path.realpath(base)
        if os.path.commonpath([real_base, os.path.realpath(p)]) != real_base:
            return tr("the file actually lies outside the field package folder; not accepted")
    elif _is_link(p):
        return _link_refusal(os.path.basename(p))
    if not os.path.lexists(p):
        return MISSING
    if not os.path.isfile(p):
        return tr("not a regular file (a folder, device or pipe); not accepted")
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as f:
            stat = os.fstat(f.fileno())
            head = f.read(_HEAD)
    except OSError as exc:
        return tr("the file cannot be read ({error}); not accepted").format(error=exc.strerror or exc)
    if root is not None and stat.st_nlink > 1:
        return tr("{name} is a hard link (the same file has {links} names, one may be a file of the desk "
                  "computer outside the package); not accepted").format(name=os.path.basename(p),
                                                                        links=stat.st_nlink)
    return content_refusal(head, stat.st_size, allowed)


# ------------------------------------------------------------------------------------------- JPEG
def exif_segment(data: bytes) -> bytes | None:
    """The TIFF block of a JPEG's first APP1 ``Exif\\0\\0`` segment, or None (not a JPEG, no EXIF).

    Walks the marker segments up to the start of scan; a segment running past the end of a truncated
    file is returned as far as it goes (the IFD reader copes with missing bytes).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return None
    data = bytes(data)
    if len(data) < 4 or data[0] != 0xFF or data[1] != 0xD8:
        return None
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None  # lost sync: not a well-formed marker sequence
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # stand-alone markers
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no metadata after this
            return None
        length = (data[pos + 2] << 8) | data[pos + 3]
        if length < 2:
            return None
        body = data[pos + 4:pos + 2 + length]
        if marker == 0xE1 and body.startswith(b"Exif\x00\x00"):
            return body[6:]
        pos += 2 + length
    return None


class _Tiff:
    """Bounds-checked reads from a TIFF block; every read returns None instead of raising."""

    def __init__(self, block: bytes):
        self.block = block
        order = block[:2]
        self.endian = "<" if order == b"II" else ">" if order == b"MM" else ""
        self.ok = bool(self.endian) and len(block) >= 8 and self.u16(2) == 42

    def _unpack(self, fmt: str, offset: int):
        size = struct.calcsize(fmt)
        if offset < 0 or offset + size > len(self.block):
            return None
        return struct.unpack_from(self.endian + fmt, self.block, offset)

    def u16(self, offset: int) -> int | None:
        v = self._unpack("H", offset)
        return None if v is None else v[0]

    def u32(self, offset: int) -> int | None:
        v = self._unpack("I", offset)
        return None if v is None else v[0]

    def ifd(self, offset: int | None) -> dict[int, tuple[int, int, int]]:
        """{tag: (type, count, offset of the value)} of the IFD at ``offset`` (empty if unreadable)."""
        out: dict[int, tuple[int, int, int]] = {}
        count = None if offset is None or offset < 8 else self.u16(offset)
        if count is None or count > _MAX_ENTRIES:
            return out
        for i in range(count):
            entry = offset + 2 + 12 * i
            head = self._unpack("HHI", entry)
            if head is None:
                break  # truncated: keep the entries read so far
            tag, kind, n = head
            size = _TYPE_SIZES.get(kind)
            if size is None:
                continue
            where = entry + 8 if size * n <= 4 else self.u32(entry + 8)
            if where is not None:
                out.setdefault(tag, (kind, n, where))
        return out

    def text(self, entry: tuple[int, int, int] | None) -> str:
        if entry is None or entry[0] not in (2, 7) or entry[1] > 4096:
            return ""
        raw = self.block[entry[2]:entry[2] + entry[1]]
        if len(raw) < entry[1]:
            return ""
        return raw.split(b"\x00", 1)[0].decode("ascii", "replace").strip()

    def rationals(self, entry: tuple[int, int, int] | None, n: int = 3) -> list[float] | None:
        """``n`` unsigned rationals (or integers), None if absent, short or with a zero denominator."""
        if entry is None or entry[1] < n:
            return None
        kind, _, where = entry
        out = []
        for i in range(n):
            if kind == 5:
                pair = self._unpack("II", where + 8 * i)
                if pair is None or pair[1] == 0:
                    return None
                out.append(pair[0] / pair[1])
            elif kind in (3, 4):
                v = self.u16(where + 2 * i) if kind == 3 else self.u32(where + 4 * i)
                if v is None:
                    return None
                out.append(float(v))
            else:
                return None
        return out


def _exif_time(text: str, offset: str = "") -> str:
    """UTC text of an EXIF ``YYYY:MM:DD HH:MM:SS`` (with ``+HH:MM`` offset, else Beijing time), or ''."""
    try:
        local = dt.datetime.strptime(text.strip()[:19], "%Y:%m:%d %H:%M:%S")
    except (ValueError, OverflowError):
        return ""
    tz = BEIJING
    offset = offset.strip()
    if offset in ("Z", "+00:00", "-00:00"):
        tz = dt.timezone.utc
    elif len(offset) == 6 and offset[0] in "+-" and offset[3] == ":" and (offset[1:3] + offset[4:]).isdigit():
        minutes = int(offset[1:3]) * 60 + int(offset[4:])
        if minutes < 15 * 60:
            tz = dt.timezone(dt.timedelta(minutes=minutes if offset[0] == "+" else -minutes))
    try:  # year 1 or 9999 shifted by the offset leaves datetime's range
        return local.replace(tzinfo=tz).astimezone(dt.timezone.utc).strftime(TIME_FORMAT)
    except (ValueError, OverflowError):
        return ""


def _gps_moment(date: object, hms: object) -> str:
    """UTC text of a GPS date (``YYYY:MM:DD``) and time of day (hours, minutes, seconds), or ''."""
    if not date or hms is None:
        return ""
    h, m, s = (float(v) for v in hms)
    try:
        day = dt.datetime.strptime(str(date).strip()[:10], "%Y:%m:%d")
        if not (0 <= h < 24 and 0 <= m < 60 and 0 <= s < 61):
            return ""
        moment = day + dt.timedelta(hours=int(h), minutes=int(m), seconds=int(s))
    except (ValueError, OverflowError):
        return ""
    return moment.strftime(TIME_FORMAT)


def _coordinate(tiff: _Tiff, gps: dict, value_tag: int) -> float:
    """Unsigned degrees of a GPS latitude / longitude (degrees, minutes, seconds), NaN when unreadable."""
    dms = tiff.rationals(gps.get(value_tag))
    if dms is None or dms[1] >= 60 or dms[2] >= 60:
        return math.nan
    return dms[0] + dms[1] / 60.0 + dms[2] / 3600.0


def _degrees(value: object, ref: object, limit: float, negative: str) -> float:
    """Signed degrees of an unsigned value and its reference (``S``/``W`` negative), NaN when out of range."""
    value = abs(float(value))
    if not math.isfinite(value) or value > limit:
        return math.nan
    return -value if str(ref or "").strip().upper().startswith(negative) else value


#: the plain tag mapping every EXIF reader hands to :func:`photo_info` (values as EXIF writes them, so both
#: readers are interpreted by the same code): camera, DateTimeOriginal / OffsetTimeOriginal as text,
#: GPS date as ``YYYY:MM:DD`` text, GPS time of day as (hours, minutes, seconds), latitude and longitude as
#: unsigned degrees with their ``N``/``S`` and ``E``/``W`` references
TAG_KEYS = ("make", "model", "datetime_original", "offset_time_original", "gps_date", "gps_hms",
            "lat", "lat_ref", "lon", "lon_ref")

#: an EXIF reader: path of a photo → its tags (:data:`TAG_KEYS`; a tag it could not read is left out),
#: or None when the file has no EXIF it can read
ExifReader = Callable[[str], "Mapping[str, object] | None"]


def put_tag(tags: dict, key: str, read: Callable[[], object]) -> None:
    """``tags[key] = read()`` unless reading raises or gives nothing: each tag fails on its own, in every
    reader (a broken DateTimeOriginal must not lose the GPS position)."""
    try:
        value = read()
    except Exception:  # one unreadable tag is absent; the others stand
        return
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    if isinstance(value, float) and math.isnan(value):
        return
    tags[key] = value


def exif_tags(data: bytes) -> dict[str, object] | None:
    """The tags (:data:`TAG_KEYS`) of a JPEG's EXIF as the plugin's own reader finds them, None without EXIF."""
    try:
        block = exif_segment(data)
        if block is None:
            return None
        tiff = _Tiff(block)
        if not tiff.ok:
            return None
    except Exception:  # bad bytes must never break an import; the photo just has no EXIF
        return None
    ifd0 = _safe(lambda: tiff.ifd(tiff.u32(4)), {})
    exif = _safe(lambda: tiff.ifd(tiff.u32(ifd0[_TAG_EXIF_IFD][2])) if _TAG_EXIF_IFD in ifd0 else {}, {})
    gps = _safe(lambda: tiff.ifd(tiff.u32(ifd0[_TAG_GPS_IFD][2])) if _TAG_GPS_IFD in ifd0 else {}, {})
    tags: dict[str, object] = {}
    put_tag(tags, "make", lambda: tiff.text(ifd0.get(_TAG_MAKE)))
    put_tag(tags, "model", lambda: tiff.text(ifd0.get(_TAG_MODEL)))
    put_tag(tags, "datetime_original", lambda: tiff.text(exif.get(_TAG_DATETIME_ORIGINAL)))
    put_tag(tags, "offset_time_original", lambda: tiff.text(exif.get(_TAG_OFFSET_TIME_ORIGINAL)))
    put_tag(tags, "gps_date", lambda: tiff.text(gps.get(_GPS_DATE)))
    put_tag(tags, "gps_hms", lambda: tuple(tiff.rationals(gps.get(_GPS_TIME))))
    put_tag(tags, "lat", lambda: _coordinate(tiff, gps, _GPS_LAT))
    put_tag(tags, "lat_ref", lambda: tiff.text(gps.get(_GPS_LAT_REF)))
    put_tag(tags, "lon", lambda: _coordinate(tiff, gps, _GPS_LON))
    put_tag(tags, "lon_ref", lambda: tiff.text(gps.get(_GPS_LON_REF)))
    return tags


def photo_info(tags: Mapping[str, object] | None) -> PhotoInfo:
    """What the tags of a photo (:data:`TAG_KEYS`, from any reader) say; None: an empty :class:`PhotoInfo`.

    Each value is interpreted on its own: a nonsense time loses the time, not the position. A position
    of exactly (0, 0) is what phones write without a fix and counts as no position.
    """
    if tags is None:
        return PhotoInfo()
    tags = dict(tags)
    original = _safe(lambda: _exif_time(str(tags.get("datetime_original") or ""),
                                        str(tags.get("offset_time_original") or "")), "")
    gps_time = _safe(lambda: _gps_moment(tags.get("gps_date"), tags.get("gps_hms")), "")
    lat = _safe(lambda: _degrees(tags["lat"], tags.get("lat_ref"), 90.0, "S"), math.nan)
    lon = _safe(lambda: _degrees(tags["lon"], tags.get("lon_ref"), 180.0, "W"), math.nan)
    if math.isnan(lat) or math.isnan(lon) or (lat == 0.0 and lon == 0.0):
        lat = lon = math.nan
    return PhotoInfo(taken_at=original or gps_time, lon=lon, lat=lat,
                     make=_safe(lambda: str(tags.get("make") or "").strip(), ""),
                     model=_safe(lambda: str(tags.get("model") or "").strip(), ""), gps_time=gps_time,
                     time_source="original" if original else "gps" if gps_time else "", has_exif=True)


def read_exif(data: bytes) -> PhotoInfo:
    """Time, position and camera of a JPEG photo by the plugin's own reader; an empty :class:`PhotoInfo`
    for anything unreadable.

    Never raises on bad bytes: non-JPEG files (PNG, PDF), missing or truncated EXIF and nonsense
    values yield the fields that could be read and '' / NaN for the others.
    """
    return photo_info(exif_tags(data))


def _missing(info: PhotoInfo) -> bool:
    return info.time_source != "original" or not info.gps_time or not info.has_position or not info.make \
        or not info.model


def merge(primary: PhotoInfo, fallback: PhotoInfo) -> PhotoInfo:
    """``primary``'s fields, each one it lacks taken from ``fallback`` (time and its source together, the
    position as a pair): a tag one reader cannot read does not hide what the other one can."""
    original = primary if primary.time_source == "original" else fallback if fallback.time_source == "original" \
        else None
    gps_time = primary.gps_time or fallback.gps_time
    taken, source = (original.taken_at, "original") if original else (gps_time, "gps") if gps_time else ("", "")
    where = primary if primary.has_position else fallback
    return PhotoInfo(taken_at=taken, lon=where.lon, lat=where.lat, make=primary.make or fallback.make,
                     model=primary.model or fallback.model, gps_time=gps_time, time_source=source,
                     has_exif=primary.has_exif or fallback.has_exif)


_default_reader: ExifReader | None = None


def use_exif_reader(reader: ExifReader | None) -> None:
    """Make ``reader`` the primary EXIF reader of :func:`read_photo` when none is passed (QGIS's exiv2
    reader, installed by ``processing/cases/exif_reader.py``); None: the plugin's own reader only."""
    global _default_reader
    _default_reader = reader


def exif_reader() -> ExifReader | None:
    """The primary EXIF reader :func:`read_photo` uses by default (None: the plugin's own only)."""
    return _default_reader


def read_photo(path: os.PathLike | str, reader: ExifReader | None = None) -> PhotoInfo:
    """Time, position and camera of the photo at ``path``: ``reader`` (default :func:`exif_reader`, in
    QGIS its exiv2 reader ``QgsExifTools``) first, the plugin's own :func:`read_exif` for what it lacks.

    The own reader is the fallback when there is no primary reader, when it raises, finds no EXIF or
    leaves a tag out (it could not read it). Never raises: an unreadable file has no EXIF.
    """
    reader = reader if reader is not None else _default_reader
    primary = PhotoInfo()
    if reader is not None:
        try:
            primary = photo_info(reader(os.fspath(path)))
        except Exception:  # a reader that breaks on hostile bytes leaves the photo to the own reader
            primary = PhotoInfo()
        if not _missing(primary):
            return primary
    try:
        with open(path, "rb") as f:
            own = read_exif(f.read())
    except (OSError, ValueError):
        own = PhotoInfo()
    return merge(primary, own) if reader is not None else own


def _safe(read, default):
    """``read()``, or ``default`` when the bytes behind it are broken in a way the reader did not foresee."""
    try:
        return read()
    except Exception:  # one unreadable tag is absent; the others stand
        return default


# ------------------------------------------------------------------------------------------ checks
def _parse_utc(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.strptime(str(text), TIME_FORMAT).replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _transformer(epsg: int):
    from pyproj import Transformer

    return Transformer.from_crs(CGCS2000_GEOGRAPHIC, epsg, always_xy=True)


def _project(lon: float, lat: float, epsg: int) -> tuple[float, float]:
    """Lon/lat (WGS 84 ≈ CGCS2000) to the case's projected CRS."""
    x, y = _transformer(int(epsg)).transform(lon, lat)
    return float(x), float(y)


def check_photo(info: PhotoInfo, case_geom, srs_epsg: int, patrol_window: Sequence[str | None] | None = None,
                max_distance_m: float = MAX_DISTANCE_M, detected_at: str | None = None,
                tolerance_s: float = CLOCK_TOLERANCE_S) -> dict:
    """Figures and flags telling the reviewer whether a photo can prove the state of the case's parcel.

    Returns ``{"ok": bool, "flags": [...], "figures": {...}}``; ``ok`` means no flag. Flags advise,
    they do not refuse: the photo is kept either way and the reviewer decides (a missing fix on a
    cloudy day is not fraud). Why each check matters:

    - ``no_exif`` — the file has no EXIF at all: a screenshot, an edited picture or a photo forwarded
      through a chat app, which strip it. Nothing in the file ties it to a place or a time.
    - ``no_position`` — no GPS position (location off, no fix, or stripped): the photo cannot show it
      was taken on the parcel.
    - ``far_from_case`` — the position, projected to the case's CRS (``srs_epsg``), lies more than
      ``max_distance_m`` from the case polygon (distance 0 inside it): the photo shows some other
      place, or was taken from afar. The margin covers phone GPS error and standing at the field edge.
    - ``no_time`` — neither DateTimeOriginal nor a GPS time: the photo could be of any year.
    - ``before_detection`` — taken before ``detected_at`` (when the change was found): it shows the
      parcel before the change, so it cannot document the change or its rectification (typically an
      old photo reused).
    - ``outside_window`` — taken outside ``patrol_window`` (start, end; either may be None), e.g. from
      the case's issue to the upload: evidence must be gathered after the case was issued, and a
      photo "taken" after its upload has a forged time or a wrong clock.

    Time comparisons allow ``tolerance_s`` of clock disagreement. Figures: ``distance_m``, ``x``/``y``
    (projected position), ``taken_at``, ``time_source``, ``clock_skew_s`` (DateTimeOriginal − GPS
    time when both exist) and ``hours_after_detection``.
    """
    flags: list[str] = []
    figures: dict = {"taken_at": info.taken_at or None, "time_source": info.time_source or None,
                     "lon": info.lon if info.has_position else None, "lat": info.lat if info.has_position else None,
                     "x": None, "y": None, "distance_m": None, "max_distance_m": float(max_distance_m),
                     "clock_skew_s": None, "hours_after_detection": None}
    if not info.has_exif:
        flags.append("no_exif")
    if not info.has_position:
        flags.append("no_position")
    else:
        try:
            x, y = _project(info.lon, info.lat, srs_epsg)
        except Exception:  # a position the CRS cannot hold is as good as none
            x = y = math.nan
        if math.isfinite(x) and math.isfinite(y):
            figures["x"], figures["y"] = round(x, 2), round(y, 2)
            if case_geom is not None and not case_geom.is_empty:
                import shapely

                distance = float(shapely.distance(case_geom, shapely.Point(x, y)))
                figures["distance_m"] = round(distance, 2)
                if distance > max_distance_m:
                    flags.append("far_from_case")
        else:
            flags.append("far_from_case")  # the position is nowhere near the county's CRS
    taken = _parse_utc(info.taken_at)
    gps = _parse_utc(info.gps_time)
    if taken is not None and gps is not None and info.time_source == "original":
        figures["clock_skew_s"] = round((taken - gps).total_seconds(), 1)
    slack = dt.timedelta(seconds=float(tolerance_s))
    if taken is None:
        flags.append("no_time")
    else:
        detected = _parse_utc(detected_at)
        if detected is not None:
            figures["hours_after_detection"] = round((taken - detected).total_seconds() / 3600.0, 2)
            if taken < detected - slack:
                flags.append("before_detection")
        if patrol_window is not None:
            start, end = (list(patrol_window) + [None, None])[:2]
            start_t, end_t = _parse_utc(start), _parse_utc(end)
            if (start_t is not None and taken < start_t - slack) or (end_t is not None and taken > end_t + slack):
                flags.append("outside_window")
    flags = [f for f in FLAGS if f in flags]
    return {"ok": not flags, "flags": flags, "figures": figures}


def check_sketch(sketch_geom, case_geom, max_distance_m: float = MAX_DISTANCE_M) -> dict:
    """Figures of an officer's sketch polygon against the case polygon (same CRS): its area, the area it
    shares with the case and how far apart they are; ``far_from_case`` when it does not come within
    ``max_distance_m`` (the officer drew some other parcel)."""
    import shapely

    figures = {"area_m2": None, "shared_m2": None, "distance_m": None, "max_distance_m": float(max_distance_m)}
    flags: list[str] = []
    if sketch_geom is not None and not sketch_geom.is_empty:
        figures["area_m2"] = round(float(sketch_geom.area), 2)
        if case_geom is not None and not case_geom.is_empty:
            figures["shared_m2"] = round(float(shapely.intersection(sketch_geom, case_geom).area), 2)
            distance = float(shapely.distance(sketch_geom, case_geom))
            figures["distance_m"] = round(distance, 2)
            if distance > max_distance_m:
                flags.append("far_from_case")
    return {"ok": not flags, "flags": flags, "figures": figures}


def sketch_geojson(geom, srs_epsg: int, properties: dict | None = None) -> bytes:
    """A sketch polygon as a GeoJSON FeatureCollection in the store's CRS (named by a ``crs`` member,
    which GDAL/QGIS honour), coordinates to the millimetre and keys sorted: the same drawing always
    gives the same bytes, hence the same checksum, so saving it twice stores it once."""
    import shapely

    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{int(srs_epsg)}"}},
           "features": [{"type": "Feature", "properties": dict(properties or {}),
                         "geometry": json.loads(shapely.to_geojson(shapely.set_precision(geom, 0.001)))}]}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def read_sketch(data: bytes):
    """The (first) geometry of a sketch GeoJSON written by :func:`sketch_geojson`, or None."""
    import shapely

    try:
        doc = json.loads(data.decode("utf-8"))
        geometry = doc["features"][0]["geometry"] if doc.get("type") == "FeatureCollection" else doc
        return shapely.from_geojson(json.dumps(geometry))
    except Exception:  # a broken sketch file is reported as unreadable, not raised
        return None
