"""网格覆盖检查 — does the patrol grid cover everything once ("纵向到底、横向到边、不留死角")?

Every finding is a geometry with a reason, so that an analyst can fix it on the map. Children are
checked against their parent one parent at a time: the union of the children must equal the parent
(what is left of the parent is a gap, what sticks out escapes it) and their areas must add up to the
union's (the difference is overlap, located pairwise only when there is some).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely

from .. import geos
from ..geometry import polygonal, union
from .build import GROUP


@dataclass
class Problem:
    kind: str  # gap | overlap | outside_parent | no_parent | farmland_uncovered | farmland_overlap | parcel_cell
    level: int
    code: str
    other: str
    area: float
    geom: object


def _areal(geom) -> object | None:
    out = polygonal(np.array([geom], dtype=object))[0]
    return out if out is not None and out.area > 0 else None


def check_grid(
    level: np.ndarray, code: np.ndarray, parent: np.ndarray, geom: np.ndarray, tolerance: float = 1.0,
    progress: Callable[[float], None] | None = None, cancelled: Callable[[], bool] | None = None,
) -> list[Problem]:
    """Gaps, overlaps, cells outside their parent and cells whose parent does not exist."""
    level, code, parent = np.asarray(level), np.asarray(code).astype(str), np.asarray(parent).astype(str)
    problems: list[Problem] = []
    cell_of = {(int(lv), c): i for i, (lv, c) in enumerate(zip(level, code))}
    keys = sorted({(int(lv), p) for lv, p in zip(level, parent) if lv > 1})
    for k, (lv, p) in enumerate(keys):
        if cancelled and cancelled():
            raise InterruptedError
        rows = np.flatnonzero((level == lv) & (parent == p))
        j = cell_of.get((lv - 1, p))
        if j is None:
            for i in rows:
                problems.append(Problem("no_parent", lv, code[i], p, float(geom[i].area), geom[i]))
            continue
        children = geom[rows]
        merged = union(children)
        overlap = float(shapely.area(children).sum() - (merged.area if merged is not None else 0.0))
        if overlap > tolerance:
            problems += _overlaps(lv, code[rows], children, tolerance)
        covered = merged if merged is not None else shapely.Polygon()
        for part in geos.get_parts(_areal(geos.difference(geom[j], covered)) or shapely.Polygon()):
            if part.area > tolerance:
                problems.append(Problem("gap", lv, p, "", float(part.area), part))
        for part in geos.get_parts(_areal(geos.difference(covered, geom[j])) or shapely.Polygon()):
            if part.area > tolerance:
                shares = shapely.area(geos.intersection(children, part))
                who = code[rows[int(np.argmax(shares))]] if shares.max(initial=0) > 0 else ""
                problems.append(Problem("outside_parent", lv, who, p, float(part.area), part))
        if progress and k % 50 == 0:
            progress(k / max(len(keys), 1))
    return problems


def _overlaps(lv: int, codes: np.ndarray, geoms: np.ndarray, tolerance: float) -> list[Problem]:
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = a < b
    out = []
    for i, j in zip(a[pairs], b[pairs]):
        inter = _areal(geos.intersection(geoms[i], geoms[j]))
        if inter is not None and inter.area > tolerance:
            out.append(Problem("overlap", lv, codes[i], codes[j], float(inter.area), inter))
    return out


def check_parcels(group_code: np.ndarray, group_geom: np.ndarray, parcel_code: np.ndarray,
                  parcel_geom: np.ndarray, tolerance: float = 1.0) -> list[Problem]:
    """Farmland parcels not covered exactly once by the group (社) cells, and parcels whose code names
    another group than the cell their representative point lies in."""
    problems: list[Problem] = []
    group_code = np.asarray(group_code).astype(str)
    parcel_code = np.asarray(parcel_code).astype(str)
    tree = shapely.STRtree(group_geom)
    inside, _ = tree.query(parcel_geom, predicate="within")
    rest = np.setdiff1d(np.arange(len(parcel_geom)), inside)
    p, c = tree.query(parcel_geom[rest], predicate="intersects")
    shared = np.zeros(len(rest))
    if len(p):
        np.add.at(shared, p, shapely.area(geos.intersection(parcel_geom[rest[p]], group_geom[c])))
    for k, i in enumerate(rest):
        area = parcel_geom[i].area
        if shared[k] < area - tolerance:
            cells = group_geom[c[p == k]]
            left = _areal(geos.difference(parcel_geom[i], union(cells))) if len(cells) else parcel_geom[i]
            problems.append(Problem("farmland_uncovered", GROUP, parcel_code[i], "", float(area - shared[k]),
                                    left if left is not None else parcel_geom[i]))
        elif shared[k] > area + tolerance:
            problems.append(Problem("farmland_overlap", GROUP, parcel_code[i], "", float(shared[k] - area),
                                    parcel_geom[i]))
    points = shapely.point_on_surface(parcel_geom)
    s, h = tree.query(points, predicate="within")
    for i, j in zip(s, h):
        if parcel_code[i][:14] != group_code[j]:
            problems.append(Problem("parcel_cell", GROUP, parcel_code[i], group_code[j], float(parcel_geom[i].area),
                                    parcel_geom[i]))
    return problems
