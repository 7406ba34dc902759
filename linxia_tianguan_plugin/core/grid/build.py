"""The five-level patrol grid (州/县/乡/村/社) built from the survey's units and the coded parcels.

Townships (XZQ) and villages (CJDCQ) are surveyed polygons; counties and the prefecture are their
unions. 三调 has no group (社) boundaries, so each village's territory is allocated to its groups:
a Voronoi diagram of the representative points of the village's coded parcels, dissolved by the
group each point belongs to and clipped to the village. The groups then tile their village exactly,
and every parcel's representative point lies in its own group's cell by construction.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely

from .. import geos
from ..admin import AdminDivisions, group_name
from ..geometry import polygonal, union

#: digits of a cell code per level: 1 州, 2 县, 3 乡, 4 村, 5 社
LEVEL_DIGITS = {1: 4, 2: 6, 3: 9, 4: 12, 5: 14}
PREFECTURE, COUNTY, TOWNSHIP, VILLAGE, GROUP = 1, 2, 3, 4, 5
#: the group code of a village whose parcels carry no group: the whole village is one 社 cell
NO_GROUP = "00"


@dataclass
class GridCells:
    """Cells of every level, as parallel arrays."""

    level: np.ndarray  # int
    code: np.ndarray  # str
    parent: np.ndarray  # str ('' for the prefecture)
    name: np.ndarray  # str
    geom: np.ndarray  # shapely (Multi)Polygon
    farmland_m2: np.ndarray
    basic_m2: np.ndarray
    parcels: np.ndarray  # int

    def __len__(self) -> int:
        return len(self.code)

    def counts(self) -> dict[int, int]:
        return {lv: int((self.level == lv).sum()) for lv in LEVEL_DIGITS}


class GridError(ValueError):
    """The inputs cannot make a grid; the message says which layer and what to do."""


def group_cells(village: object, village_code: str, points: np.ndarray, groups: np.ndarray) -> list[tuple[str, object]]:
    """Allocate one village's territory to its groups (Voronoi of ``points`` by ``groups``, clipped).

    A village with no parcels, or whose parcels all belong to one group, is one cell.
    """
    if len(points) == 0:
        return [(village_code + NO_GROUP, village)]
    names = np.unique(groups)
    if len(names) == 1:
        return [(str(names[0]), village)]
    xy = geos.get_coordinates(points)
    _, first = np.unique(np.round(xy, 3), axis=0, return_index=True)  # one site per place
    sites, site_group = points[first], groups[first]
    if len(np.unique(site_group)) == 1:
        return [(str(site_group[0]), village)]
    x0, y0, x1, y1 = shapely.bounds(village)
    frame = geos.box(x0, y0, x1, y1).buffer(max(x1 - x0, y1 - y0, 1.0))
    cells = geos.get_parts(shapely.voronoi_polygons(shapely.multipoints(sites), extend_to=frame))
    site, cell = shapely.STRtree(cells).query(sites, predicate="intersects")
    owner = np.full(len(cells), -1, dtype=np.int64)
    owner[cell[::-1]] = site[::-1]  # the first site listed for a cell wins (a site on an edge is rare)
    cells, cell_group = cells[owner >= 0], site_group[owner[owner >= 0]]
    out = []
    for g in np.unique(cell_group):
        territory = polygonal(np.array([geos.intersection(union(cells[cell_group == g]), village)],
                                       dtype=object))[0]
        if territory is not None and territory.area > 0:
            out.append((str(g), territory))
    return out


def build_grid(
    townships: tuple[np.ndarray, np.ndarray, np.ndarray],
    villages: tuple[np.ndarray, np.ndarray, np.ndarray],
    parcel_codes: np.ndarray,
    parcel_points: np.ndarray,
    farmland_m2: np.ndarray,
    basic_m2: np.ndarray,
    divisions: AdminDivisions,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> GridCells:
    """All five levels. ``townships``/``villages`` are (codes, names, geometries) with 9- and 12-digit
    codes; ``parcel_codes`` are the parcels' space codes (or any code starting with the 14-digit group
    code), ``parcel_points`` their representative points. Farmland, basic farmland and parcel counts
    per cell are sums over the parcels whose code starts with the cell's code."""
    t_code, t_name, t_geom = (np.asarray(a) for a in townships)
    v_code, v_name, v_geom = (np.asarray(a) for a in villages)
    if len(t_code) == 0:
        raise GridError("no township polygons")
    rows: list[tuple[int, str, str, str, object]] = []
    counties = sorted({c[:6] for c in t_code})
    prefectures = sorted({c[:4] for c in counties})
    county_geom = {c: union(t_geom[np.char.startswith(t_code.astype(str), c)]) for c in counties}
    for p in prefectures:
        geom = union(np.array([county_geom[c] for c in counties if c.startswith(p)], dtype=object))
        rows.append((PREFECTURE, p, "", divisions.name(p) or p, geom))
    for c in counties:
        rows.append((COUNTY, c, c[:4], divisions.name(c) or c, county_geom[c]))
    for code, name, geom in zip(t_code, t_name, t_geom):
        rows.append((TOWNSHIP, str(code), str(code)[:6], str(name) or divisions.name(str(code)) or str(code), geom))
    codes = np.asarray(parcel_codes).astype("U20")
    group_of = codes.astype("U14")
    village_of = codes.astype("U12")
    order = np.argsort(village_of, kind="stable")
    keys, starts = np.unique(village_of[order], return_index=True)
    ends = np.append(starts[1:], len(order))
    by_village = {str(k): order[s:e] for k, s, e in zip(keys, starts, ends)}
    for i, (code, name, geom) in enumerate(zip(v_code, v_name, v_geom)):
        if cancelled and cancelled():
            raise InterruptedError
        code, name = str(code), str(name)
        rows.append((VILLAGE, code, code[:9], name, geom))
        mine = by_village.get(code, np.zeros(0, dtype=np.int64))
        for group, territory in group_cells(geom, code, parcel_points[mine], group_of[mine]):
            rows.append((GROUP, group, code, group_name(name, group[12:14]), territory))
        if progress and i % 20 == 0:
            progress(i / max(len(v_code), 1))
    level = np.array([r[0] for r in rows], dtype=np.int64)
    code = np.array([r[1] for r in rows], dtype="U14")
    sums = _prefix_sums(code, codes, np.asarray(farmland_m2, float), np.asarray(basic_m2, float))
    return GridCells(level, code, np.array([r[2] for r in rows], dtype="U12"),
                     np.array([r[3] for r in rows], dtype=object), np.array([r[4] for r in rows], dtype=object),
                     *sums)


def _prefix_sums(cells: np.ndarray, codes: np.ndarray, farmland: np.ndarray, basic: np.ndarray):
    """Per cell: the sums over parcels whose code starts with the cell code (sorted codes, ranges)."""
    order = np.argsort(codes)
    sorted_codes = codes[order]
    cf = np.concatenate([[0.0], np.cumsum(farmland[order])])
    cb = np.concatenate([[0.0], np.cumsum(basic[order])])
    lo = np.searchsorted(sorted_codes, cells, side="left")
    hi = np.searchsorted(sorted_codes, np.char.add(cells, "~"), side="left")  # '~' sorts after digits and X
    return cf[hi] - cf[lo], cb[hi] - cb[lo], (hi - lo).astype(np.int64)
