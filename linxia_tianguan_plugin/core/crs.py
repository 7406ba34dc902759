"""CGCS2000 coordinate systems used by county data, and the choice of a metric working CRS.

Areas must never be computed in degrees. County data comes in the 3-degree Gauss-Krüger zones of
CGCS2000 (Linxia straddles zones 34 and 35 at 103.5°E), with or without the zone number prefixed to x.
"""
from __future__ import annotations

import math

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


def is_cgcs2000_gk3(epsg: int) -> bool:
    return 4513 <= epsg <= 4554


def central_meridian(epsg: int) -> float:
    """Central meridian of a CGCS2000 3-degree GK EPSG code."""
    if 4513 <= epsg <= 4533:
        return 3.0 * (epsg - 4513 + 25)
    if 4534 <= epsg <= 4554:
        return 75.0 + 3.0 * (epsg - 4534)
    raise ValueError(f"EPSG:{epsg} is not a CGCS2000 3-degree Gauss-Krüger zone")
