"""The global layout, built once in the main process before townships are generated in parallel.

It fixes everything a township worker needs to agree on with its neighbours: the territory, the
county/township partition, village centres, rivers and roads, the cell mesh and each cell's class.
The area of the territory is scaled from `size` so that contract parcels keep a realistic size
(≈0.11 ha) whatever the number of parcels asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely import STRtree

from . import admin
from . import fmath as fm
from .landuse import FARMLAND, Terrain, assign_classes, terrain
from .lines import Line
from .mesh import Mesh
from .network import make_lines
from .noise import Displacement
from .places import Township, VillageSite
from .rand import T_BLOB, T_DISPLACE, T_TOWNSHIP, T_VILLAGE_SITES, T_WARP, rng, salt
from .regions import PowerRegions, star_blob, warp_fields
from .territory import grid_points, label_cells, make_mesh, spread

__all__ = ["Layout", "Township", "VillageSite", "build_layout"]


@dataclass
class Layout:
    seed: int
    size: int
    counties: list[str]
    recipe: dict[str, Any]
    scale: float
    townships: list[Township]
    sites: list[VillageSite]
    lines: list[Line]
    mesh: Mesh
    active: np.ndarray  # cell belongs to the territory
    county_of: np.ndarray  # county index per cell (-1 outside)
    township_of: np.ndarray  # township index per cell (-1 outside)
    cls: np.ndarray  # DLBM per cell ('' outside)
    terrain: Terrain
    parcel_area: float  # target contract parcel area (m²), calibrated to `size`
    farmland_area: float
    displacement: Displacement
    cells_of: list[np.ndarray] = field(default_factory=list)  # per township, sorted cell ids


def _cell_area(counties: list[str], size: int, k: float, recipe: dict[str, Any]) -> float:
    """Mesh cell area: the recipe's, or smaller so that every township gets a dozen cells or more
    (small samples of many counties). Cells never get smaller than three parcels."""
    _, towns = admin.load_divisions()
    geo = recipe["geometry"]
    need = min(k * k * admin.COUNTY_AREAS_KM2[c] * 1e6 / (12 * len(towns[c])) for c in counties)
    floor = 3.0 * geo["mean_parcel_area_m2"]
    if need < floor:
        raise admin.SampleError(
            f"size {size} is too small for counties {','.join(counties)}: "
            f"use at least {int(np.ceil(size * floor / need / 1000.0)) * 1000} contract parcels"
        )
    return float(min(geo["cell_area_m2"], need))


def _scaled_geography(
    counties: list[str], size: int, recipe: dict[str, Any]
) -> tuple[float, np.ndarray, dict[str, np.ndarray], float]:
    """Scale factor, anchor and county centres (local coordinates) for the requested size."""
    geo = recipe["geometry"]
    mix = recipe["class_mix"]
    c = recipe["contract"]
    farm = mix["0102"] + mix["0103"]
    contracted = 1.0 - c["unassigned_whole_fraction"] - 0.3 * c["unassigned_block_fraction"]
    total = size * geo["mean_parcel_area_m2"] / (farm * contracted * 0.965)
    real = sum(admin.COUNTY_AREAS_KM2[k] for k in counties) * 1e6
    k = float(np.sqrt(total / real))
    o = np.array(admin.ORIGIN)
    w = np.array([admin.COUNTY_AREAS_KM2[k_] for k_ in counties])
    cen = np.array([admin.COUNTY_CENTERS[k_] for k_ in counties]) - o
    anchor = (cen * w[:, None]).sum(axis=0) / w.sum()
    centres = {code: anchor + k * (cen[i] - anchor) for i, code in enumerate(counties)}
    return k, anchor, centres, total


def build_layout(seed: int, size: int, counties: list[str], recipe: dict[str, Any]) -> Layout:
    """Everything that must be decided globally, for the given seed, size and counties."""
    divisions, towns_by_county = admin.load_divisions()
    geo = recipe["geometry"]
    k, anchor, centres, total = _scaled_geography(counties, size, recipe)
    cell_area = _cell_area(counties, size, k, recipe)
    multi = len(counties) > 1
    blobs = []
    for code in counties:
        a = admin.COUNTY_AREAS_KM2[code] * 1e6 * k * k
        blobs.append(star_blob(centres[code], a * (1.18 if multi else 1.0), rng(seed, T_BLOB, int(code))))
    territory = shapely.union_all(blobs)
    pts, pw = grid_points(territory, 30_000)
    weights = np.full(len(pts), pw)

    # counties
    csites = np.array([centres[c] for c in counties])
    # boundaries wander on the scale of the smallest county (else 临夏市 would break into pieces)
    county_scale = float(np.sqrt(min(admin.COUNTY_AREAS_KM2[c] for c in counties) * 1e6 * k * k))
    creg = PowerRegions(
        csites, np.zeros(len(counties)), warp_fields(salt(seed, T_WARP, 1), county_scale) if multi else None
    )
    if multi:
        creg.fit(pts, weights, np.array([admin.COUNTY_AREAS_KM2[c] for c in counties]))
    plab = creg.label(pts)

    # townships: seats, then weighted regions per county
    townships: list[Township] = []
    treg: list[PowerRegions] = []
    for ci, code in enumerate(counties):
        g = rng(seed, T_TOWNSHIP, int(code))
        divs = towns_by_county[code]
        cp = pts[plab == ci]
        if len(cp) == 0:
            cp = csites[ci : ci + 1]
        a_c = len(cp) * pw
        streets = [d for d in divs if d.kind == "street"]
        others = [d for d in divs if d.kind != "street"]
        near = cp[fm.hypot(*(cp - csites[ci]).T) < 0.3 * np.sqrt(a_c)]
        seats: list[np.ndarray] = []
        if streets:
            seats = spread(
                near if len(near) >= len(streets) else cp,
                len(streets),
                0.25 * np.sqrt(a_c / len(divs)),
                g,
                [csites[ci]],
            )
        seats = spread(cp, len(divs), 0.8 * np.sqrt(a_c / len(divs)), g, seats if seats else [csites[ci]])
        ordered = streets + others
        target = np.array([0.25 if d.kind == "street" else g.uniform(0.6, 1.4) for d in ordered])
        seat_idx = len(streets) if others else 0
        target[seat_idx] = max(target[seat_idx], 1.3)
        base = len(townships)
        for j, d in enumerate(ordered):
            townships.append(Township(base + j, d.code, d.name, code, d.kind, np.asarray(seats[j]), j == seat_idx))
        r = PowerRegions(
            np.array(seats),
            np.zeros(len(seats)),
            warp_fields(salt(seed, T_WARP, 2, int(code)), float(np.sqrt(a_c / len(divs)))),
        )
        cw = np.full(len(cp), pw)
        r.fit(cp, cw, target)
        treg.append(r)

    # village centres per township (before the mesh: roads run between them)
    ptown = np.full(len(pts), -1)
    for ci in range(len(counties)):
        m = plab == ci
        if m.any():
            base = min(t.index for t in townships if t.county == counties[ci])
            ptown[m] = base + treg[ci].label(pts[m])
    ad = recipe["admin"]
    sites: list[VillageSite] = []
    mix = recipe["class_mix"]
    home_total = mix["0702"] * total
    gv = rng(seed, T_VILLAGE_SITES)
    raw: list[tuple[np.ndarray, int, bool, float]] = []
    for t in townships:
        tp = pts[ptown == t.index]
        a_t = max(len(tp), 1) * pw
        parcels_here = size * a_t / max(total, 1.0)
        cap = int(gv.integers(ad["villages_per_township"][0], ad["villages_per_township"][1] + 1))
        if t.kind == "street":
            cap = min(cap, 3)
        nv = int(np.clip(round(parcels_here / ad["min_parcels_per_village"]), 2, cap))
        first = (
            t.seat
            if len(tp) == 0 or ptown[np.argmin(fm.hypot(*(pts - t.seat).T))] == t.index
            else tp[np.argmin(fm.hypot(*(tp - t.seat).T))]
        )
        chosen = spread(tp if len(tp) else t.seat[None, :], nv, 0.7 * np.sqrt(a_t / nv), gv, [first])
        for j, q in enumerate(chosen):
            w = (3.0 if t.is_county_seat else 2.0 if t.kind == "town" else 1.0) if j == 0 else gv.uniform(0.7, 1.3)
            raw.append((np.asarray(q), t.index, j == 0, w))
    wsum = sum(r[3] for r in raw)
    for q, ti, is_seat, w in raw:
        sites.append(VillageSite(q, ti, is_seat, float(np.sqrt(home_total * w / wsum / np.pi))))

    lines = make_lines(seed, k, anchor, territory, townships, sites, geo)
    mesh, frame = make_mesh(seed, territory, lines, cell_area)
    active, county_of, township_of = label_cells(mesh, frame, territory, counties, csites, creg, treg, townships)

    # villages belong to the township their centre falls in
    act_ids = np.flatnonzero(active)
    tree = STRtree(shapely.points(mesh.seeds[act_ids]))
    _, nearest = tree.query_nearest(shapely.points(np.array([s.xy for s in sites])), all_matches=False)
    for s, c in zip(sites, act_ids[nearest]):
        s.township = int(township_of[c])
    for t in townships:
        if not any(s.township == t.index for s in sites):
            cells = np.flatnonzero(township_of == t.index)
            if len(cells):
                c = cells[np.argmin(fm.hypot(*(mesh.seeds[cells] - t.seat).T))]
                sites.append(VillageSite(mesh.seeds[c].copy(), t.index, True, 20.0))

    # terrain and classes
    sp = mesh.seeds
    rivers = [ln.geom for ln in lines if ln.kind == "river"]
    ter_all = terrain(sp[act_ids], rivers, seed)
    fixed = np.full(len(act_ids), "", dtype=object)
    lid = mesh.line_of[act_ids]
    for i in np.flatnonzero(lid >= 0):
        fixed[i] = lines[lid[i]].dlbm
    sxy = np.array([s.xy for s in sites])
    srad = np.array([s.home_radius for s in sites])
    cls_a = assign_classes(sp[act_ids], mesh.area[act_ids], fixed, ter_all, sxy, srad, mix, seed)
    n = mesh.n
    cls = np.full(n, "", dtype="U5")
    cls[act_ids] = cls_a
    z = np.zeros(n)
    slope = np.zeros(n)
    up = np.tile([0.0, 1.0], (n, 1))
    z[act_ids], slope[act_ids], up[act_ids] = ter_all.z, ter_all.slope, ter_all.up
    farmland_area = float(mesh.area[np.isin(cls, FARMLAND)].sum())
    c = recipe["contract"]
    contracted = 1.0 - c["unassigned_whole_fraction"] - 0.3 * c["unassigned_block_fraction"]
    parcel_area = farmland_area * contracted / max(size, 1)
    disp = Displacement(salt(seed, T_DISPLACE), geo["displacement_octaves"])
    lay = Layout(
        seed,
        size,
        counties,
        recipe,
        k,
        townships,
        sites,
        lines,
        mesh,
        active,
        county_of,
        township_of,
        cls,
        Terrain(z, slope, up),
        parcel_area,
        farmland_area,
        disp,
    )
    order = np.argsort(township_of, kind="stable")
    bounds = np.searchsorted(township_of[order], np.arange(len(townships) + 1))
    lay.cells_of = [order[bounds[i] : bounds[i + 1]] for i in range(len(townships))]
    return lay
