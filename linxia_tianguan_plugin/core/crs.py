"""CGCS2000 coordinate systems used by county data, and the choice of a metric working CRS.

Areas must never be computed in degrees. County data comes in the 3-degree Gauss-Krüger zones of
CGCS2000 (Linxia straddles zones 34 and 35 at 103.5°E), with or without the zone number prefixed to x.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

CGCS2000_GEOGRAPHIC = 4490
#: EPSG codes of CGCS2000 3-degree GK zones 25..45 with the zone prefix in x (false easting zone*1e6+5e5).
_GK3_PREFIXED_FIRST = (4513, 25)
#: EPSG codes of CGCS2000 3-degree GK zones by central meridian 75..135°E without the prefix.
_GK3_PLAIN_FIRST = (4534, 75)


def gk3_zone(lon: float) -> int:
    """3-degree zone number for a longitude (zone n has central meridian 3n°E)."""
    return int(math.floor((lon + 1.5) / 3.0))


def gk3_epsg(lon: float, prefixed: bool = True) -> int:
    """EPSG code of the CGCS2000 3-degree GK zone that contains ``lon`` (China: 75–135°E)."""
    zone = gk3_zone(lon)
    if not 25 <= zone <= 45:
        raise ValueError(f"longitude {lon:.3f}° is outside China's CGCS2000 3-degree zones (75–135°E)")
    if prefixed:
        return _GK3_PREFIXED_FIRST[0] + zone - _GK3_PREFIXED_FIRST[1]
    return _GK3_PLAIN_FIRST[0] + (zone * 3 - _GK3_PLAIN_FIRST[1]) // 3




def central_meridian(epsg: int) -> float:
    """Central meridian of a CGCS2000 3-degree GK EPSG code."""
    if 4513 <= epsg <= 4533:
        return 3.0 * (epsg - 4513 + 25)
    if 4534 <= epsg <= 4554:
        return 75.0 + 3.0 * (epsg - 4534)
    raise ValueError(f"EPSG:{epsg} is not a CGCS2000 3-degree Gauss-Krüger zone")


def plain_epsg(cm: float) -> int:
    """EPSG code of the CGCS2000 3-degree GK CRS without the zone prefix for central meridian ``cm``."""
    return _GK3_PLAIN_FIRST[0] + (int(round(cm)) - _GK3_PLAIN_FIRST[1]) // 3


def prefixed_epsg(zone: int) -> int:
    """EPSG code of the CGCS2000 3-degree GK CRS with the zone prefix for ``zone`` (25..45)."""
    return _GK3_PREFIXED_FIRST[0] + zone - _GK3_PREFIXED_FIRST[1]


#: what the coordinates look like (ZoneMismatch.found)
PREFIXED, PLAIN, DEGREES = "prefixed", "plain", "degrees"


@dataclass(frozen=True)
class ZoneMismatch:
    """Coordinates that do not fit the CRS a layer declares: what they look like and the likely EPSG."""

    declared: int
    found: str  # PREFIXED (x carries a zone number), PLAIN (x about 500 000) or DEGREES
    x: float  # a typical easting (the extent's centre)
    zone: int | None = None  # the zone in x when found == PREFIXED
    likely: int | None = None


def _looks(x: float, y: float) -> tuple[str, int | None] | None:
    if abs(x) <= 180 and abs(y) <= 90:
        return DEGREES, None
    if 0 < x < 1_000_000:
        return PLAIN, None
    zone = int(x // 1_000_000)
    if 25 <= zone <= 45:
        return PREFIXED, zone
    return None


def check_zone(epsg: int | None, xmin: float, ymin: float, xmax: float, ymax: float) -> ZoneMismatch | None:
    """A mismatch when the whole extent lies outside what a CGCS2000 CRS ``epsg`` allows, else None.

    A 3-degree CRS with the zone prefix (EPSG:4513–4533, zone n) holds x in [n·10⁶, (n+1)·10⁶); one
    without (EPSG:4534–4554) holds x in (0, 10⁶); CGCS2000 geographic (4490) holds degrees. Only an
    extent whose two corners both fall in another convention is reported (a stray feature is not a label
    problem), with the EPSG code the coordinates most likely belong to.
    """
    if epsg is None or not all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax)):
        return None
    low, high = _looks(xmin, ymin), _looks(xmax, ymax)
    if low is None or low != high:
        return None
    found, zone = low
    cx = (xmin + xmax) / 2
    if 4513 <= epsg <= 4533:
        own = epsg - 4513 + 25
        if found == PREFIXED and zone == own:
            return None
        likely = {PREFIXED: prefixed_epsg(zone) if zone else None, PLAIN: plain_epsg(3.0 * own),
                  DEGREES: CGCS2000_GEOGRAPHIC}[found]
    elif 4534 <= epsg <= 4554:
        if found == PLAIN:
            return None
        likely = prefixed_epsg(zone) if found == PREFIXED else CGCS2000_GEOGRAPHIC
    elif epsg == CGCS2000_GEOGRAPHIC:
        if found == DEGREES:
            return None
        likely = prefixed_epsg(zone) if found == PREFIXED else None
    else:
        return None
    return ZoneMismatch(epsg, found, cx, zone, likely)
