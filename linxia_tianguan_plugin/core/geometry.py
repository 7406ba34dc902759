"""Geometry helpers on shapely 2 arrays: repair, polygonal extraction, opening.

Everything is vectorised over numpy object arrays so that GEOS does the work (and releases the GIL,
which is what lets the coding kernel use both cores from threads).
"""
from __future__ import annotations

import numpy as np
import shapely

from . import geos

#: Repair status per feature, reported to the analyst (never silently dropped).
OK, REPAIRED, EMPTY, NOT_POLYGONAL = 0, 1, 2, 3

_POLYGON, _MULTIPOLYGON = 3, 6


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep the polygonal part of every geometry (MultiPolygon), or None where there is none.

    ``make_valid`` turns a bow-tie into two triangles but may also return lines and points next to
    them; only the areal part is a parcel.
    """
    geoms = np.asarray(geoms, dtype=object)
    out = np.full(len(geoms), None, dtype=object)
    if len(geoms) == 0:
        return out
    types = shapely.get_type_id(geoms)
    simple = (types == _POLYGON) | (types == _MULTIPOLYGON)
    out[simple] = geoms[simple]
    rest = np.flatnonzero(~simple & (types >= 0))
    if len(rest):
        parts, index = geos.get_parts(geoms[rest], return_index=True)
        # collections can nest multipolygons: flatten one more level
        parts, index2 = geos.get_parts(parts, return_index=True)
        index = index[index2]
        keep = shapely.get_type_id(parts) == _POLYGON
        keep &= ~shapely.is_empty(parts)
        if keep.any():
            owners = rest[index[keep]]
            merged = geos.multipolygons(parts[keep], indices=np.searchsorted(np.unique(owners), owners))
            out[np.unique(owners)] = merged
    return out


def repair(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make every geometry valid, 2D and polygonal; return (geometries, status per feature).

    Status is OK, REPAIRED (was invalid, now valid), EMPTY (no geometry at all) or NOT_POLYGONAL
    (nothing areal left, e.g. a collapsed sliver); the last two come back as None.
    """
    geoms = np.asarray(geoms, dtype=object)
    status = np.zeros(len(geoms), dtype=np.int8)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    status[missing] = EMPTY
    present = np.flatnonzero(~missing)
    out = np.full(len(geoms), None, dtype=object)
    if len(present):
        g = shapely.force_2d(geoms[present])
        valid = shapely.is_valid(g)
        if not valid.all():
            bad = np.flatnonzero(~valid)
            g[bad] = shapely.make_valid(g[bad])
            status[present[bad]] = REPAIRED
        g = polygonal(g)
        lost = shapely.is_missing(g) | shapely.is_empty(g) | (shapely.area(g) <= 0)
        status[present[lost]] = NOT_POLYGONAL
        g[lost] = None
        out[present] = g
    return out, status


def opening(geoms: np.ndarray, half_width: float) -> np.ndarray:
    """Morphological opening: remove every part narrower than ``2 * half_width``.

    Mitre joins keep the right-angled corners of fields; the result is clipped back to the input so
    that it never grows beyond it.
    """
    if half_width <= 0:
        return geoms
    shrunk = geos.buffer(geoms, -half_width, join_style="mitre", mitre_limit=5.0)
    grown = geos.buffer(shrunk, half_width, join_style="mitre", mitre_limit=5.0)
    return geos.intersection(grown, geoms)


def group_union(geoms: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union ``geoms`` by integer ``groups``; return (unique group ids, one geometry per group).

    Groups of one skip GEOS's union entirely, which is the common case (a parcel in one 图斑).
    """
    order = np.argsort(groups, kind="stable")
    groups, geoms = groups[order], geoms[order]
    ids, starts, counts = np.unique(groups, return_index=True, return_counts=True)
    out = np.empty(len(ids), dtype=object)
    single = counts == 1
    out[single] = geoms[starts[single]]
    for k in np.flatnonzero(~single):
        out[k] = union(geoms[starts[k]:starts[k] + counts[k]])
    return ids, out


def union(geoms: np.ndarray) -> object:
    """Union of polygons that usually form a clean coverage (parcels cut from one 图斑).

    GEOS's coverage union only dissolves shared edges and is several times faster than a full
    overlay, but is undefined when the pieces overlap or are not noded alike; its result is
    accepted only when it is valid and its area is the sum of the pieces' areas. The result is
    always a valid (Multi)Polygon, or None when nothing areal is left.
    """
    if len(geoms) > 1:
        try:
            merged = geos.coverage_union_all(geoms)
        except shapely.errors.GEOSException:
            merged = None
        if merged is not None and shapely.is_valid(merged):
            total = float(shapely.area(geoms).sum())
            if abs(merged.area - total) <= 1e-9 * max(total, 1.0) + 1e-6:
                return merged
    merged = geos.union_all(geoms)
    # GEOS may hand back a collection with a collapsed edge beside the polygon: a parcel is areal only
    if shapely.get_type_id(merged) not in (_POLYGON, _MULTIPOLYGON) or not shapely.is_valid(merged):
        merged = repair(np.array([merged], dtype=object))[0][0]
    return merged
