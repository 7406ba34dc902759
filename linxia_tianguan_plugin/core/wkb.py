"""Bounding boxes straight from WKB bytes, without building GEOS geometries.

Cutting the prefecture into townships needs only each parcel's box, yet parsing 2.5 million parcels
into GEOS geometries (and freeing them again) costs the main process about 4 s while the second core
waits. Contract parcels are nearly always one polygon with one ring, stored as ``Polygon`` or as a
one-part ``MultiPolygon``; for those the box is a min/max over a run of little-endian doubles, which
numpy reads in place. Everything else (holes, several parts, Z/M, big-endian, curves) is reported as
not simple, and the caller measures it with shapely as before.
"""
from __future__ import annotations

import numpy as np

_POLYGON, _MULTIPOLYGON = 3, 6


def _u32(raw: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Little-endian uint32 at byte offsets ``at`` of ``raw`` (offsets must leave 4 bytes)."""
    b = raw[at[:, None] + np.arange(4)].astype(np.uint32)
    return b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16) | (b[:, 3] << 24)


def _segments(ufunc: np.ufunc, values: np.ndarray, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    """``ufunc`` over ``values[begin[i]:end[i]]`` for ordered, non-overlapping, non-empty segments."""
    idx = np.empty(2 * len(begin), dtype=np.int64)
    idx[0::2], idx[1::2] = begin, end
    if idx[-1] >= len(values):  # the last segment runs to the end: reduceat's last row does exactly that
        idx = idx[:-1]
    return ufunc.reduceat(values, idx)[0::2]


def simple_polygon_bounds(wkb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(bounds (n, 4) as xmin, ymin, xmax, ymax; mask of the rows measured here).

    A row is measured here when it is a 2D little-endian Polygon with exactly one ring, or a
    MultiPolygon holding one such polygon, and its length matches its point count exactly. An empty
    polygon (no ring, or a ring without points) is measured too, with NaN bounds; ``None`` is not.
    """
    n = len(wkb)
    bounds = np.full((n, 4), np.nan)
    lens = np.fromiter((len(w) if w is not None else 0 for w in wkb), dtype=np.int64, count=n)
    simple = np.zeros(n, dtype=bool)
    if n == 0 or not lens.any():
        return bounds, simple
    raw = np.frombuffer(b"".join(w for w in wkb if w is not None), dtype=np.uint8)
    offs = np.cumsum(lens) - lens
    rows = np.flatnonzero(lens >= 9)
    o = offs[rows]
    kind = _u32(raw, o + 1)
    little = raw[o] == 1
    start = np.full(len(rows), -1, dtype=np.int64)  # byte offset of the ring's point count
    # Polygon: order, type, nrings (= 1), npoints
    p = np.flatnonzero(little & (kind == _POLYGON))
    rings = _u32(raw, o[p] + 5)
    one = (rings == 1) & (lens[rows[p]] >= 13)
    start[p[one]] = o[p[one]] + 9
    empty_rows = list(rows[p[rings == 0]] if len(p) else [])
    # MultiPolygon: order, type, nparts (= 1), then a Polygon as above
    multi = little & (kind == _MULTIPOLYGON) & (lens[rows] >= 22)
    m = np.flatnonzero(multi)
    if len(m):
        om = o[m]
        parts, inner_kind, inner_rings = _u32(raw, om + 5), _u32(raw, om + 10), _u32(raw, om + 14)
        ok = (parts == 1) & (raw[om + 9] == 1) & (inner_kind == _POLYGON) & (inner_rings == 1)
        start[m[ok]] = om[ok] + 18
        empty_rows += list(rows[m[(parts == 0) | ((parts == 1) & (inner_kind == _POLYGON) & (inner_rings == 0))]])
    has = np.flatnonzero(start >= 0)
    points = _u32(raw, start[has]).astype(np.int64)
    fits = offs[rows[has]] + lens[rows[has]] == start[has] + 4 + 16 * points  # nothing after the ring
    has, points = has[fits], points[fits]
    empty_rows += list(rows[has[points == 0]])
    has, points = has[points > 0], points[points > 0]
    first = start[has] + 4  # byte offset of the first x
    for shift in range(16):  # the doubles of a row are aligned in one of 8 byte shifts × 2 parities
        pick = np.flatnonzero(first % 16 == shift)
        if len(pick) == 0:
            continue
        lo = shift % 8
        doubles = np.frombuffer(raw.data, dtype="<f8", offset=lo, count=(len(raw) - lo) // 8)
        parity = (shift // 8) % 2
        xs, ys = doubles[parity::2], doubles[parity + 1::2]
        begin = (first[pick] - lo) // 16
        end = begin + points[pick]
        target = rows[has[pick]]
        bounds[target, 0] = _segments(np.minimum, xs, begin, end)
        bounds[target, 1] = _segments(np.minimum, ys, begin, end)
        bounds[target, 2] = _segments(np.maximum, xs, begin, end)
        bounds[target, 3] = _segments(np.maximum, ys, begin, end)
        simple[target] = True
    simple[np.asarray(empty_rows, dtype=np.int64)] = True
    return bounds, simple
