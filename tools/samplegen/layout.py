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
from .landuse import FARMLAND, Terrain, assign_classes, terrain
from .lines import Line, chaikin, chunks, line_seeds, meander, mst_edges
from .mesh import Mesh, build_mesh, components
from .noise import Displacement, Field
from .rand import T_BLOB, T_DISPLACE, T_LINES, T_SEEDS, T_TOWNSHIP, T_VILLAGE_SITES, T_WARP, rng, salt
from .regions import PowerRegions, cleanup, star_blob, warp_fields


@dataclass
class Township:
    index: int
    code: str
    name: str
    county: str
    kind: str  # street | town | xiang
    seat: np.ndarray  # local xy
    is_county_seat: bool


@dataclass
class VillageSite:
    xy: np.ndarray
    township: int
    is_seat: bool  # the township's seat settlement
    home_radius: float


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


def _inside(poly: shapely.Geometry, p: np.ndarray) -> np.ndarray:
    """Point-in-polygon for many points (on a prepared copy: the outlines have thousands of vertices)."""
    poly = shapely.from_wkb(shapely.to_wkb(poly))
    shapely.prepare(poly)
    return shapely.contains_xy(poly, p[:, 0], p[:, 1])


def _grid_points(poly: shapely.Geometry, n: int) -> tuple[np.ndarray, float]:
    """About n regular sample points inside a polygon (to fit region weights before any mesh)."""
    x0, y0, x1, y1 = poly.bounds
    h = float(np.sqrt(poly.area / n))
    xs, ys = np.meshgrid(np.arange(x0 + h / 2, x1, h), np.arange(y0 + h / 2, y1, h))
    p = np.column_stack([xs.ravel(), ys.ravel()])
    return p[_inside(poly, p)], h * h


def _spread(points: np.ndarray, k: int, r: float, g: np.random.Generator, first: list[np.ndarray]) -> list[np.ndarray]:
    """Pick k well-spread points (min distance r, relaxed when needed) after the given ones."""
    out = list(first)
    cand = points[g.permutation(len(points))]
    while len(out) < k and r > 1e-3:
        for q in cand:
            if len(out) >= k:
                break
            if all(np.hypot(*(q - o)) >= r for o in out):
                out.append(q)
        r *= 0.8
    return out[:k]


def _wiggly(a: np.ndarray, b: np.ndarray, g: np.random.Generator, amp: float) -> np.ndarray:
    """A gently curving road between two points."""
    n = max(3, int(np.hypot(*(b - a)) / 40.0) + 1)
    s = np.linspace(0.0, 1.0, n)
    base = a[None, :] + s[:, None] * (b - a)[None, :]
    d = (b - a) / max(np.hypot(*(b - a)), 1e-9)
    nrm = np.array([-d[1], d[0]])
    off = (
        amp
        * np.hypot(*(b - a))
        * (g.uniform(-1, 1) * np.sin(np.pi * s) + 0.4 * g.uniform(-1, 1) * np.sin(2 * np.pi * s))
    )
    return base + nrm[None, :] * off[:, None]


def _clip_lines(coords: np.ndarray, area: shapely.Geometry, min_len: float) -> list[np.ndarray]:
    inter = shapely.intersection(shapely.LineString(coords), area)
    parts = [
        p for p in shapely.get_parts(shapely.line_merge(inter)) if p.geom_type == "LineString" and p.length >= min_len
    ]
    return [shapely.get_coordinates(p) for p in parts]


def build_layout(seed: int, size: int, counties: list[str], recipe: dict[str, Any]) -> Layout:
    """Everything that must be decided globally, for the given seed, size and counties."""
    divisions, towns_by_county = admin.load_divisions()
    geo = recipe["geometry"]
    k, anchor, centres, total = _scaled_geography(counties, size, recipe)
    multi = len(counties) > 1
    blobs = []
    for code in counties:
        a = admin.COUNTY_AREAS_KM2[code] * 1e6 * k * k
        blobs.append(star_blob(centres[code], a * (1.18 if multi else 1.0), rng(seed, T_BLOB, int(code))))
    territory = shapely.union_all(blobs)
    pts, pw = _grid_points(territory, 30_000)
    weights = np.full(len(pts), pw)

    # counties
    csites = np.array([centres[c] for c in counties])
    county_scale = float(np.sqrt(total / len(counties)))
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
        near = cp[np.hypot(*(cp - csites[ci]).T) < 0.3 * np.sqrt(a_c)]
        seats: list[np.ndarray] = []
        if streets:
            seats = _spread(
                near if len(near) >= len(streets) else cp,
                len(streets),
                0.25 * np.sqrt(a_c / len(divs)),
                g,
                [csites[ci]],
            )
        seats = _spread(cp, len(divs), 0.8 * np.sqrt(a_c / len(divs)), g, seats if seats else [csites[ci]])
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
            if len(tp) == 0 or ptown[np.argmin(np.hypot(*(pts - t.seat).T))] == t.index
            else tp[np.argmin(np.hypot(*(tp - t.seat).T))]
        )
        chosen = _spread(tp if len(tp) else t.seat[None, :], nv, 0.7 * np.sqrt(a_t / nv), gv, [first])
        for j, q in enumerate(chosen):
            w = (3.0 if t.is_county_seat else 2.0 if t.kind == "town" else 1.0) if j == 0 else gv.uniform(0.7, 1.3)
            raw.append((np.asarray(q), t.index, j == 0, w))
    wsum = sum(r[3] for r in raw)
    for q, ti, is_seat, w in raw:
        sites.append(VillageSite(q, ti, is_seat, float(np.sqrt(home_total * w / wsum / np.pi))))

    lines = _make_lines(seed, k, anchor, territory, townships, sites, geo)
    mesh, frame = _make_mesh(seed, territory, lines, geo)
    active, county_of, township_of = _label_cells(mesh, frame, territory, counties, csites, creg, treg, townships)

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
                c = cells[np.argmin(np.hypot(*(mesh.seeds[cells] - t.seat).T))]
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


def _make_lines(
    seed: int,
    k: float,
    anchor: np.ndarray,
    territory: shapely.Geometry,
    townships: list[Township],
    sites: list[VillageSite],
    geo: dict[str, Any],
) -> list[Line]:
    """Rivers (real courses, scaled), highways along the valley and between seats, rural roads."""
    g = rng(seed, T_LINES)
    spec = geo["lines"]
    near = territory.buffer(300.0)
    out: list[Line] = []
    o = np.array(admin.ORIGIN)
    mf = Field(salt(seed, T_LINES, 1), [(1800.0, 110.0), (600.0, 25.0)])
    for name, wp in admin.RIVERS.items():
        c = anchor + k * (np.array(wp, dtype=float) - o - anchor)
        c = meander(chaikin(c, 3), mf, 40.0)
        for part in _clip_lines(c, near, 200.0):
            out.append(
                Line("river", part, spec["river"]["width"], spec["river"]["station"], spec["river"]["dlbm"], name)
            )
    # a highway following each river valley at some distance from the water
    for riv in [ln for ln in out if ln.kind == "river"]:
        side = 1.0 if g.random() < 0.5 else -1.0
        off = shapely.offset_curve(riv.geom, side * (riv.width / 2 + g.uniform(70.0, 130.0)), join_style="round")
        for part in shapely.get_parts(off):
            for cc in _clip_lines(shapely.get_coordinates(part), near, 200.0):
                out.append(
                    Line(
                        "highway",
                        cc,
                        spec["highway"]["width"],
                        spec["highway"]["station"],
                        spec["highway"]["dlbm"],
                        "国道",
                    )
                )
    # roads between township seats, county by county
    by_county: dict[str, list[Township]] = {}
    for t in townships:
        by_county.setdefault(t.county, []).append(t)
    for lst in by_county.values():
        seats = np.array([t.seat for t in lst])
        for a, b in mst_edges(seats):
            for cc in _clip_lines(_wiggly(seats[a], seats[b], g, 0.06), near, 100.0):
                out.append(
                    Line(
                        "highway",
                        cc,
                        spec["highway"]["width"],
                        spec["highway"]["station"],
                        spec["highway"]["dlbm"],
                        "县乡道",
                    )
                )
    # rural roads: between the villages of a township, and dead-end field roads out of each village
    lo, hi = geo["field_road_length_m"]
    nlo, nhi = geo["field_roads_per_village"]
    for t in townships:
        vs = [s for s in sites if s.township == t.index]
        if not vs:
            continue
        p = np.array([s.xy for s in vs])
        for a, b in mst_edges(p):
            for cc in _clip_lines(_wiggly(p[a], p[b], g, 0.08), near, 60.0):
                out.append(
                    Line(
                        "rural",
                        cc,
                        spec["rural"]["width"],
                        spec["rural"]["station"],
                        spec["rural"]["dlbm"],
                        "村道",
                        t.index,
                    )
                )
        for q in p:
            for _ in range(int(g.integers(nlo, nhi + 1))):
                ang = g.uniform(0, 2 * np.pi)
                end = q + g.uniform(lo, hi) * np.array([np.cos(ang), np.sin(ang)])
                start = q + 0.25 * (end - q)
                for cc in _clip_lines(_wiggly(start, end, g, 0.1), near, 60.0):
                    out.append(
                        Line(
                            "rural",
                            cc,
                            spec["rural"]["width"],
                            spec["rural"]["station"],
                            spec["rural"]["dlbm"],
                            "田间道",
                            t.index,
                        )
                    )
    return out


def _make_mesh(
    seed: int, territory: shapely.Geometry, lines: list[Line], geo: dict[str, Any]
) -> tuple[Mesh, np.ndarray]:
    """Jittered background seeds, line seeds, a bounding frame; then the Voronoi mesh."""
    g = rng(seed, T_SEEDS)
    sp = float(np.sqrt(geo["cell_area_m2"]))
    x0, y0, x1, y1 = territory.bounds
    xs, ys = np.meshgrid(np.arange(x0 - 3 * sp, x1 + 3 * sp, sp), np.arange(y0 - 3 * sp, y1 + 3 * sp, sp))
    bg = np.column_stack([xs.ravel(), ys.ravel()]) + g.uniform(-0.42, 0.42, (xs.size, 2)) * sp
    bg = bg[_inside(territory.buffer(2.5 * sp), bg)]
    ls = line_seeds(lines, g)
    if lines:
        pieces, owner = chunks(lines)
        clear = np.array([ln.width + 0.45 * sp for ln in lines])[owner]
        tree = STRtree(pieces)
        bi, pj = tree.query(shapely.points(bg), predicate="dwithin", distance=float(clear.max()))
        d = shapely.distance(shapely.points(bg[bi]), pieces[pj])
        bad = np.zeros(len(bg), dtype=bool)
        bad[bi[d < clear[pj]]] = True
        bg = bg[~bad]
        keep = _inside(territory.buffer(2.0 * sp), ls.xy)
        lxy, lid, lcen = ls.xy[keep], ls.line[keep], ls.centre[keep]
    else:
        lxy, lid, lcen = np.zeros((0, 2)), np.zeros(0, np.int64), np.zeros(0, bool)
    seeds = np.vstack([bg, lxy])
    line_of = np.concatenate([np.full(len(bg), -1), np.where(lcen, lid, -1)])
    # drop seeds closer than 1 m to an earlier one (tiny cells help nobody)
    tree = STRtree(shapely.points(seeds))
    a, b = tree.query(shapely.points(seeds), predicate="dwithin", distance=1.0)
    dup = np.zeros(len(seeds), dtype=bool)
    dup[b[b > a]] = True
    seeds, line_of = seeds[~dup], line_of[~dup]
    # frame
    fx0, fy0, fx1, fy1 = x0 - 6 * sp, y0 - 6 * sp, x1 + 6 * sp, y1 + 6 * sp
    nx, ny = int((fx1 - fx0) / sp) + 1, int((fy1 - fy0) / sp) + 1
    fr = np.vstack(
        [
            np.column_stack([np.linspace(fx0, fx1, nx), np.full(nx, fy0)]),
            np.column_stack([np.linspace(fx0, fx1, nx), np.full(nx, fy1)]),
            np.column_stack([np.full(ny - 2, fx0), np.linspace(fy0, fy1, ny)[1:-1]]),
            np.column_stack([np.full(ny - 2, fx1), np.linspace(fy0, fy1, ny)[1:-1]]),
        ]
    )
    allp = np.vstack([seeds, fr])
    frame = np.r_[np.zeros(len(seeds), bool), np.ones(len(fr), bool)]
    mesh = build_mesh(allp, frame)
    mesh.line_of = np.r_[line_of, np.full(len(fr), -1)]
    return mesh, frame


def _label_cells(
    mesh: Mesh,
    frame: np.ndarray,
    territory: shapely.Geometry,
    counties: list[str],
    csites: np.ndarray,
    creg: PowerRegions,
    treg: list[PowerRegions],
    townships: list[Township],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Territory membership, then county and township labels as single edge-connected pieces."""
    n = mesh.n
    eu, ev = mesh.edges()
    inside = ~frame & _inside(territory, mesh.seeds)
    # keep pieces holding a county centre; fill holes (outside pieces not reaching the frame)
    m = inside[eu] & inside[ev]
    comp = components(n, eu[m], ev[m])
    cand = np.flatnonzero(inside)
    anchors = [cand[np.argmin(np.hypot(*(mesh.seeds[cand] - c).T))] for c in csites]
    active = inside & np.isin(comp, comp[anchors])
    out_m = ~active[eu] & ~active[ev]
    ocomp = components(n, eu[out_m], ev[out_m])
    outside_roots = np.unique(ocomp[frame])
    active = ~frame & ~np.isin(ocomp, outside_roots) | active
    act = np.flatnonzero(active)
    county_of = np.full(n, -1)
    county_of[act] = creg.label(mesh.seeds[act])
    county_of = cleanup(county_of, eu, ev, mesh.area, active, anchor={i: int(a) for i, a in enumerate(anchors)})
    township_of = np.full(n, -1)
    for ci in range(len(counties)):
        cells = np.flatnonzero(active & (county_of == ci))
        base = min(t.index for t in townships if t.county == counties[ci])
        township_of[cells] = base + treg[ci].label(mesh.seeds[cells])
    seat_cells: dict[int, int] = {}
    for t in townships:
        ci = counties.index(t.county)
        cells = np.flatnonzero(active & (county_of == ci))
        c = int(cells[np.argmin(np.hypot(*(mesh.seeds[cells] - t.seat).T))])
        seat_cells[t.index] = c
    for ti, c in seat_cells.items():  # a township squeezed out entirely gets its seat cell back
        if not np.any(township_of == ti):
            township_of[c] = ti
    township_of = cleanup(township_of, eu, ev, mesh.area, active, anchor=seat_cells, within=county_of)
    return active, county_of, township_of
