"""QGIS's EXIF reader (``QgsExifTools``, exiv2) for evidence photos, injected into :mod:`..core.cases.evidence`.

exiv2 is the reader QGIS itself trusts for photos (the geotagged-photo import, the attribute form's
photo widget) and knows many more makers' quirks than the plugin's own hand-written reader; that one
stays as the fallback where exiv2 is missing, raises or leaves a tag out (:func:`..core.cases.evidence.read_photo`).
core imports no QGIS, so this module converts what exiv2 gives (``QDateTime``, ``QDate``, ``QTime``,
decimal degrees) into core's plain tag mapping (:data:`..core.cases.evidence.TAG_KEYS`) and core interprets
both readers' tags with the same code. Each tag is read on its own: a tag exiv2 cannot decode is left
out (and taken from the own reader), it does not lose the others.

:func:`install` makes this reader the default of :func:`..core.cases.evidence.read_photo` and the plugin's
translator the one of core's refusal reasons.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from ...core.cases import evidence as core

#: exiv2 keys read for each tag of core's mapping
KEYS = {
    "make": "Exif.Image.Make",
    "model": "Exif.Image.Model",
    "datetime_original": "Exif.Photo.DateTimeOriginal",
    "offset_time_original": "Exif.Photo.OffsetTimeOriginal",
    "gps_date": "Exif.GPSInfo.GPSDateStamp",
    "gps_hms": "Exif.GPSInfo.GPSTimeStamp",
    "lat": "Exif.GPSInfo.GPSLatitude",
    "lat_ref": "Exif.GPSInfo.GPSLatitudeRef",
    "lon": "Exif.GPSInfo.GPSLongitude",
    "lon_ref": "Exif.GPSInfo.GPSLongitudeRef",
}


def _exif_text(value: object, with_time: bool) -> str:
    """EXIF's ``YYYY:MM:DD[ HH:MM:SS]`` of what exiv2 gave (QDateTime / QDate, or the text itself)."""
    if hasattr(value, "isValid") and not value.isValid():
        return ""
    if hasattr(value, "toString"):
        return str(value.toString("yyyy:MM:dd HH:mm:ss" if with_time else "yyyy:MM:dd"))
    return str(value)


def _hms(value: object) -> tuple[float, float, float]:
    """(hours, minutes, seconds) of a GPS time of day exiv2 gave as QTime (or a sequence of three)."""
    if hasattr(value, "hour"):
        if hasattr(value, "isValid") and not value.isValid():
            raise ValueError("invalid time")
        return float(value.hour()), float(value.minute()), float(value.second()) + value.msec() / 1000.0
    h, m, s = value  # type: ignore[misc]
    return float(h), float(m), float(s)


_CONVERT: dict[str, Callable[[object], object]] = {
    "datetime_original": lambda v: _exif_text(v, True),
    "gps_date": lambda v: _exif_text(v, False),
    "gps_hms": _hms,
    "lat": float,
    "lon": float,
}


def qgis_exif_tags(path: os.PathLike | str) -> dict[str, object] | None:
    """Core's tag mapping of the photo at ``path`` as exiv2 reads it (``QgsExifTools.readTags``), None when
    exiv2 finds no EXIF (or is unavailable). A tag that cannot be converted is left out."""
    try:
        from qgis.core import QgsExifTools
    except ImportError:  # outside QGIS: the own reader does the work
        return None
    raw: Mapping[str, object] = QgsExifTools.readTags(os.fspath(path)) or {}
    if not raw:
        return None
    tags: dict[str, object] = {}
    for key, exiv2_key in KEYS.items():
        if exiv2_key not in raw:
            continue
        convert = _CONVERT.get(key, lambda v: str(v).strip())
        core.put_tag(tags, key, lambda value=raw[exiv2_key], convert=convert: convert(value))
    return tags


def available() -> bool:
    """Whether QGIS's EXIF reader can be used here."""
    try:
        from qgis.core import QgsExifTools  # noqa: F401
    except ImportError:
        return False
    return True


def install() -> None:
    """Make exiv2 the primary EXIF reader of core (the own reader as fallback) and the plugin's translator
    the translator of core's refusal reasons; harmless to call again."""
    from ...i18n import tr

    core.use_translator(tr)
    core.use_exif_reader(qgis_exif_tags if available() else None)
