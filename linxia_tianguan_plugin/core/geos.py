"""The shapely functions that the geometry kernels call once per 图斑 or per piece, without a per-call tax.

shapely 2.1.0 (Debian 13's, so QGIS 3.40's there) wraps 28 of its functions in a ``deprecate_positional``
decorator that builds ``inspect.signature`` on every call (shapely issue 2282, fixed in 2.1.1): ~20 µs per
call, which the coding kernel pays ~70 000 times at 500 000 parcels — 9 % of its time in a profile. The
wrapper only warns about positional arguments after the call; the kernels pass those as keywords anyway, so
the function underneath does the same work. Where a shapely version has no such wrapper, the function is
shapely's own. Use ``geos.buffer(...)`` where a kernel would write ``shapely.buffer(...)`` in a loop.
"""
from __future__ import annotations

from collections.abc import Callable

import shapely


def unwrapped(function: Callable) -> Callable:
    """``function`` without shapely's ``deprecate_positional`` wrapper (when it has one)."""
    code = getattr(function, "__code__", None)
    inner = getattr(function, "__wrapped__", None)
    if code is not None and inner is not None and "deprecate_positional" in getattr(code, "co_qualname", ""):
        return inner
    return function


buffer = unwrapped(shapely.buffer)
coverage_union_all = unwrapped(shapely.coverage_union_all)
difference = unwrapped(shapely.difference)
get_coordinates = unwrapped(shapely.get_coordinates)
get_parts = unwrapped(shapely.get_parts)
get_rings = unwrapped(shapely.get_rings)
intersection = unwrapped(shapely.intersection)
linearrings = unwrapped(shapely.linearrings)
linestrings = unwrapped(shapely.linestrings)
multipolygons = unwrapped(shapely.multipolygons)
polygons = unwrapped(shapely.polygons)
union_all = unwrapped(shapely.union_all)
box = unwrapped(shapely.box)

__all__ = ["unwrapped", "buffer", "coverage_union_all", "difference", "get_coordinates", "get_parts", "get_rings",
           "intersection", "linearrings", "linestrings", "multipolygons", "polygons", "union_all", "box"]
