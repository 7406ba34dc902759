"""The territory: seeds and Voronoi mesh, which cells are inside, and county/township labels.

Also the small geometric helpers used while placing things before the mesh exists.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely import STRtree

from . import fmath as fm
from .lines import Line, chunks, line_seeds
from .mesh import Mesh, build_mesh, components
from .places import Township
from .rand import T_SEEDS, rng
from .regions import PowerRegions, cleanup


def inside(poly: shapely.Geometry, p: np.ndarray) -> np.ndarray:
    """Point-in-polygon for many points (on a prepared copy: the outlines have thousands of vertices)."""
    poly = shapely.from_wkb(shapely.to_wkb(poly))
    shapely.prepare(poly)
    return shapely.contains_xy(poly, p[:, 0], p[:, 1])


def grid_points(poly: shapely.Geometry, n: int) -> tuple[np.ndarray, float]:
    """About n regular sample points inside a polygon (to fit region weights before any mesh)."""
    x0, y0, x1, y1 = poly.bounds
    h = float(np.sqrt(poly.area / n))
    xs, ys = np.meshgrid(np.arange(x0 + h / 2, x1, h), np.arange(y0 + h / 2, y1, h))
    p = np.column_stack([xs.ravel(), ys.ravel()])
    return p[inside(poly, p)], h * h


def spread(points: np.ndarray, k: int, r: float, g: np.random.Generator, first: list[np.ndarray]) -> list[np.ndarray]:
    """Pick k well-spread points (min distance r, relaxed when needed) after the given ones."""
    out = list(first)
    cand = points[g.permutation(len(points))]
    while len(out) < k and r > 1e-3:
        for q in cand:
            if len(out) >= k:
                break
            if all(fm.hypot(*(q - o)) >= r for o in out):
                out.append(q)
        r *= 0.8
    return out[:k]


def make_mesh(seed: int, territory: shapely.Geometry, lines: list[Line], cell_area: float) -> tuple[Mesh, np.ndarray]:
    """Jittered background seeds, line seeds, a bounding frame; then the Voronoi mesh."""
    g = rng(seed, T_SEEDS)
    sp = float(np.sqrt(cell_area))
    x0, y0, x1, y1 = territory.bounds
    xs, ys = np.meshgrid(np.arange(x0 - 3 * sp, x1 + 3 * sp, sp), np.arange(y0 - 3 * sp, y1 + 3 * sp, sp))
    bg = np.column_stack([xs.ravel(), ys.ravel()]) + g.uniform(-0.42, 0.42, (xs.size, 2)) * sp
    bg = bg[inside(territory.buffer(2.5 * sp), bg)]
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
        keep = inside(territory.buffer(2.0 * sp), ls.xy)
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


def label_cells(
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
    inner = ~frame & inside(territory, mesh.seeds)
    # keep pieces holding a county centre; fill holes (outside pieces not reaching the frame)
    m = inner[eu] & inner[ev]
    comp = components(n, eu[m], ev[m])
    cand = np.flatnonzero(inner)
    anchors = [cand[np.argmin(fm.hypot(*(mesh.seeds[cand] - c).T))] for c in csites]
    active = inner & np.isin(comp, comp[anchors])
    out_m = ~active[eu] & ~active[ev]
    ocomp = components(n, eu[out_m], ev[out_m])
    outside_roots = np.unique(ocomp[frame])
    active = ~frame & ~np.isin(ocomp, outside_roots) | active
    act = np.flatnonzero(active)
    county_of = np.full(n, -1)
    county_of[act] = creg.label(mesh.seeds[act])
    county_of = cleanup(county_of, eu, ev, mesh.area, active, anchor={i: int(a) for i, a in enumerate(anchors)})
    township_of = np.full(n, -1)
    seat_cells: dict[int, int] = {}
    for ci in range(len(counties)):
        cells = np.flatnonzero(active & (county_of == ci))
        mine = [t for t in townships if t.county == counties[ci]]
        _township_labels(mesh, cells, mine, treg[ci], township_of, seat_cells)
    township_of = cleanup(township_of, eu, ev, mesh.area, active, anchor=seat_cells, within=county_of)
    return active, county_of, township_of


def _township_labels(
    mesh: Mesh,
    cells: np.ndarray,
    towns: list[Township],
    reg: PowerRegions,
    township_of: np.ndarray,
    seat_cells: dict[int, int],
) -> None:
    """Label one county's cells by township. A seat that fell outside its county's cells (the
    county outline only settles on the mesh) is moved to the county cell farthest from the other
    seats, so that every township keeps a real share of the county."""
    base = towns[0].index
    p = mesh.seeds[cells]
    for _ in range(4):
        lab = reg.label(p)
        counts = np.bincount(lab, minlength=len(towns))
        small = [j for j in range(len(towns)) if counts[j] < max(3, 0.15 * np.median(counts))]
        if not small:
            break
        for j in small:
            others = np.delete(reg.sites, j, axis=0)
            v = p[:, None, :] - others[None, :, :]
            far = int(np.argmax(np.min((v * v).sum(axis=2), axis=1)))
            reg.sites[j] = p[far]
            reg.w[j] = reg.w.max()
            towns[j].seat = p[far].copy()
    township_of[cells] = base + lab
    for j, t in enumerate(towns):
        seat_cells[t.index] = int(cells[np.argmin(fm.hypot(*(p - t.seat).T))])
        if not np.any(lab == j):
            township_of[seat_cells[t.index]] = t.index
