"""Linear features (rivers, highways, rural roads) and the mesh seeds that make them thin polygons.

A line becomes a chain of narrow Voronoi cells by seeding its centre line and two parallel rows at
±width: the bisectors then run at ±width/2, so the merged cells form a polygon of the right width.
Where lines meet, the lower-priority line stops at the other and the other's rows step aside, so
the cells of both connect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely import STRtree

from . import fmath as fm
from .noise import Field

PRIORITY = {"river": 0, "highway": 1, "rural": 2}


@dataclass
class Line:
    """One linear feature in local coordinates."""

    kind: str  # river | highway | rural
    coords: np.ndarray  # (k, 2)
    width: float
    station: float
    dlbm: str
    name: str = ""
    geom: shapely.LineString = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.geom = shapely.LineString(self.coords)


def chaikin(coords: np.ndarray, iterations: int = 3) -> np.ndarray:
    """Corner-cutting smoothing keeping both end points."""
    c = np.asarray(coords, dtype=float)
    for _ in range(iterations):
        if len(c) < 3:
            return c
        q = 0.75 * c[:-1] + 0.25 * c[1:]
        r = 0.25 * c[:-1] + 0.75 * c[1:]
        mid = np.empty((2 * (len(c) - 1), 2))
        mid[0::2], mid[1::2] = q, r
        c = np.vstack([c[:1], mid[1:-1], c[-1:]])
    return c


def resample(coords: np.ndarray, step: float) -> np.ndarray:
    """Points every `step` metres along a polyline (ends included)."""
    line = shapely.LineString(coords)
    n = max(2, int(np.ceil(line.length / step)) + 1)
    d = np.linspace(0.0, line.length, n)
    return shapely.get_coordinates(shapely.line_interpolate_point(line, d))


def normals(coords: np.ndarray) -> np.ndarray:
    """Unit left normals at the vertices of a polyline (central differences)."""
    t = np.gradient(coords, axis=0)
    t /= np.maximum(fm.hypot(t[:, 0], t[:, 1]), 1e-12)[:, None]
    return np.column_stack([-t[:, 1], t[:, 0]])


def meander(coords: np.ndarray, f: Field, step: float = 40.0) -> np.ndarray:
    """Bend a polyline sideways by a smooth field, ends kept in place."""
    c = resample(coords, step)
    nrm = normals(c)
    s = np.linspace(0.0, 1.0, len(c))
    env = np.minimum(1.0, 6.0 * np.minimum(s, 1.0 - s))
    off = f(c[:, 0], c[:, 1]) * env
    return c + nrm * off[:, None]


def mst_edges(p: np.ndarray) -> list[tuple[int, int]]:
    """Euclidean minimum spanning tree (Prim, O(n²): n is a township's villages or a county's towns)."""
    n = len(p)
    if n < 2:
        return []
    inside = np.zeros(n, dtype=bool)
    inside[0] = True
    best = fm.hypot(*(p - p[0]).T)
    frm = np.zeros(n, dtype=np.int64)
    out = []
    for _ in range(n - 1):
        cand = np.where(inside, np.inf, best)
        j = int(np.argmin(cand))
        out.append((int(frm[j]), j))
        inside[j] = True
        d = fm.hypot(*(p - p[j]).T)
        upd = d < best
        best = np.where(upd, d, best)
        frm = np.where(upd, j, frm)
    return out


def chunks(lines: list[Line], max_pts: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Lines cut into short pieces (small envelopes keep spatial-index queries cheap)."""
    geoms, owner = [], []
    for i, ln in enumerate(lines):
        c = ln.coords
        for a in range(0, len(c) - 1, max_pts - 1):
            geoms.append(shapely.LineString(c[a : a + max_pts]))
            owner.append(i)
    return np.array(geoms, dtype=object), np.array(owner, dtype=np.int64)


@dataclass
class LineSeeds:
    xy: np.ndarray  # (n, 2)
    line: np.ndarray  # line index per seed
    centre: np.ndarray  # bool: centre seed (gets the line's class) vs row seed (ordinary land)


def line_seeds(lines: list[Line], g: np.random.Generator) -> LineSeeds:
    """Centre and row seeds of all lines, with crossings resolved by priority."""
    order = sorted(range(len(lines)), key=lambda i: (PRIORITY[lines[i].kind], i))
    rank = np.empty(len(lines), dtype=np.int64)
    rank[order] = np.arange(len(lines))
    xy, lid, cen, sta = [], [], [], []
    for i, ln in enumerate(lines):
        c = resample(ln.coords, ln.station)
        if len(c) < 2:
            continue
        nrm = normals(c)
        k = len(c)
        jit = g.uniform(-0.25, 0.25, (3 * k, 2))
        xy.append(np.vstack([c, c + nrm * ln.width, c - nrm * ln.width]) + jit)
        lid.append(np.full(3 * k, i))
        cen.append(np.r_[np.ones(k, bool), np.zeros(2 * k, bool)])
        sta.append(np.tile(np.arange(k), 3))
    if not xy:
        return LineSeeds(np.zeros((0, 2)), np.zeros(0, np.int64), np.zeros(0, bool))
    xy_a, lid_a, cen_a, sta_a = np.vstack(xy), np.concatenate(lid), np.concatenate(cen), np.concatenate(sta)
    pieces, owner = chunks(lines)
    width = np.array([ln.width for ln in lines])
    station = np.array([ln.station for ln in lines])
    tree = STRtree(pieces)
    pts = shapely.points(xy_a)
    reach = float(width.max() * 1.5 + station.max() + 5.0)
    si, pj = tree.query(pts, predicate="dwithin", distance=reach)
    lj = owner[pj]
    other = lid_a[si] != lj
    si, lj, pj = si[other], lj[other], pj[other]
    d = shapely.distance(pts[si], pieces[pj])
    li = lid_a[si]
    drop = np.zeros(len(xy_a), dtype=bool)
    # a station of a lower-priority line too close to a higher one: drop the whole station
    hit = (rank[lj] < rank[li]) & (d < width[lj] / 2.0 + width[li] + 3.0)
    if hit.any():
        key = lid_a * 10_000_000 + sta_a
        drop |= np.isin(key, li[hit] * 10_000_000 + sta_a[si[hit]])
    # rows of a higher-priority line near a lower one step aside so the two connect
    # (only the two rows nearest to each crossing, so lines running side by side keep their rows)
    row_hit = np.flatnonzero((~cen_a[si]) & (rank[li] < rank[lj]) & (d < 0.6 * station[li] + width[lj]))
    if len(row_hit):
        s_, l_, d_ = si[row_hit], lj[row_hit], d[row_hit]
        o = np.lexsort((d_, l_, lid_a[s_]))
        s_, l_ = s_[o], l_[o]
        grp = lid_a[s_] * 1_000_000 + l_
        first = np.r_[0, np.flatnonzero(grp[1:] != grp[:-1]) + 1]
        rank_in = np.arange(len(s_)) - np.repeat(first, np.diff(np.r_[first, len(s_)]))
        drop[s_[rank_in < 2]] = True
    keep = ~drop
    return LineSeeds(xy_a[keep], lid_a[keep], cen_a[keep])
