"""Villages, groups (社) and 图斑 of one township, as labels on its cells.

Villages grow round their centres, groups are contiguous blocks inside a village (they own the
land, so a 图斑 never straddles two groups), and 图斑 merge a few neighbouring cells of the same
class and owner, the way 三调 surveyors delineate them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import fmath as fm
from . import names
from .landuse import FARMLAND, NATURAL, slope_level
from .layout import Layout
from .rand import T_WARP, salt
from .regions import PowerRegions, cleanup, warp_fields

STATE = {"1101", "1003"}
VILLAGE_OWNED = {"0301", "0305", "0404", "1006", "1201", "1206"}
LINES = {"1101", "1003", "1006"}


@dataclass
class Group:
    num: int
    code: str  # 14-digit FBFBM / 社 grid code
    name: str  # e.g. 马家村一社
    cells: np.ndarray


@dataclass
class Village:
    code: str  # 12 digits
    name: str
    is_community: bool
    centre: np.ndarray  # local pre-displacement xy
    cells: np.ndarray
    surnames: list[str]
    groups: list[Group] = field(default_factory=list)


@dataclass
class Tuban:
    cells: list[int]
    dlbm: str
    village: int
    group: int  # index into the village's groups, -1 for village/state land
    up: np.ndarray
    level: int  # GDPDJB 1..5 (meaningful for farmland)
    tbbh: str = ""


def local_edges(cells: np.ndarray, ring_n: list[np.ndarray], local: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Adjacent pairs (i < j) of the township's cells, as local indices."""
    a, b = [], []
    for i, nb in enumerate(ring_n):
        for n_ in nb.tolist():
            j = local.get(n_)
            if j is not None and i < j:
                a.append(i)
                b.append(j)
    return np.array(a, dtype=np.int64), np.array(b, dtype=np.int64)


def _regions(
    p: np.ndarray,
    area: np.ndarray,
    sites: np.ndarray,
    targets: np.ndarray,
    eu: np.ndarray,
    ev: np.ndarray,
    mask: np.ndarray,
    salt_: int,
) -> np.ndarray:
    """Labels 0..k-1 over the masked cells: warped power regions, then made edge-connected."""
    k = len(sites)
    lab = np.full(len(p), -1)
    idx = np.flatnonzero(mask)
    if k == 1:
        lab[idx] = 0
        return lab
    scale = float(np.sqrt(area[idx].sum() / k))
    r = PowerRegions(sites, np.zeros(k), warp_fields(salt_, scale))
    r.fit(p[idx], area[idx], targets, iterations=8)
    lab[idx] = r.label(p[idx])
    anchor = {i: int(idx[np.argmin(fm.hypot(*(p[idx] - s).T))]) for i, s in enumerate(sites)}
    for i, c in anchor.items():
        if not np.any(lab == i):
            lab[c] = i
    return cleanup(lab, eu, ev, area, mask, anchor=anchor)


def _farthest(p: np.ndarray, k: int, start: np.ndarray) -> list[int]:
    """k indices of p spread by farthest-point sampling, beginning far from `start`."""
    d = fm.hypot(*(p - start).T)
    out = [int(np.argmax(d))]
    dmin = fm.hypot(*(p - p[out[0]]).T)
    while len(out) < min(k, len(p)):
        j = int(np.argmax(dmin))
        out.append(j)
        dmin = np.minimum(dmin, fm.hypot(*(p - p[j]).T))
    return out


def _angle_order(p: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Order points clockwise from north round c (how people number things on a map)."""
    ang = np.mod(fm.atan2(p[:, 0] - c[0], p[:, 1] - c[1]), 2 * np.pi)
    return np.argsort(ang, kind="stable")


def make_villages(
    lay: Layout,
    ti: int,
    seeds: np.ndarray,
    area: np.ndarray,
    cls: np.ndarray,
    eu: np.ndarray,
    ev: np.ndarray,
    g: np.random.Generator,
) -> tuple[list[Village], np.ndarray]:
    """Villages of the township with codes, names and their groups; returns (villages, village per cell)."""
    t = lay.townships[ti]
    sites = [s for s in lay.sites if s.township == ti]
    sxy = np.array([s.xy for s in sites]).reshape(-1, 2)
    cell_of = [int(np.argmin(fm.hypot(*(seeds - q).T))) for q in sxy]
    keep = [i for i, c in enumerate(cell_of) if c not in cell_of[:i]]
    sites = [sites[i] for i in keep]
    sxy = sxy[keep]
    targets = g.uniform(0.7, 1.3, len(sites))
    lab = _regions(seeds, area, sxy, targets, eu, ev, np.ones(len(seeds), bool), salt(lay.seed, T_WARP, 3, int(t.code)))
    present = [i for i in range(len(sites)) if np.any(lab == i)]
    # codes: 社区 001.. in street offices and at a town's seat, 村委会 201.. elsewhere
    seat_first = sorted(present, key=lambda i: (not sites[i].is_seat, i))
    others = [i for i in seat_first if not (sites[i].is_seat and t.kind == "town")]
    communities = [i for i in seat_first if t.kind == "street" or (sites[i].is_seat and t.kind == "town")]
    others = [i for i in others if i not in communities]
    if others:
        ordered = [others[j] for j in _angle_order(sxy[others], t.seat)]
    else:
        ordered = []
    used: set[str] = set()
    stem_town = t.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
    villages: list[Village] = []
    new_lab = np.full(len(seeds), -1)
    for n_, i in enumerate(communities):
        stem = stem_town if n_ == 0 and t.kind == "town" else names.village_stem(g, used)
        used.add(stem)
        villages.append(
            Village(
                f"{t.code}{n_ + 1:03d}", stem + "社区", True, sxy[i], np.flatnonzero(lab == i), names.local_surnames(g)
            )
        )
        new_lab[lab == i] = len(villages) - 1
    for n_, i in enumerate(ordered):
        stem = names.village_stem(g, used)
        villages.append(
            Village(
                f"{t.code}{201 + n_:03d}", stem + "村", False, sxy[i], np.flatnonzero(lab == i), names.local_surnames(g)
            )
        )
        new_lab[lab == i] = len(villages) - 1
    return villages, new_lab


def make_groups(
    lay: Layout,
    ti: int,
    villages: list[Village],
    seeds: np.ndarray,
    area: np.ndarray,
    cls: np.ndarray,
    eu: np.ndarray,
    ev: np.ndarray,
    g: np.random.Generator,
) -> np.ndarray:
    """Groups (社) per village as contiguous blocks; returns group index (within village) per cell."""
    ad = lay.recipe["admin"]
    farm = np.isin(cls, FARMLAND)
    glab = np.full(len(seeds), -1)
    for v in villages:
        mask = np.zeros(len(seeds), bool)
        mask[v.cells] = True
        parcels = area[v.cells][farm[v.cells]].sum() / max(lay.parcel_area, 1.0)
        k = int(
            np.clip(round(parcels / ad["parcels_per_group"]), ad["groups_per_village"][0], ad["groups_per_village"][1])
        )
        k = max(1, min(k, len(v.cells)))
        pick = v.cells[_farthest(seeds[v.cells], k, v.centre)]
        lab = _regions(seeds, area, seeds[pick], np.ones(k), eu, ev, mask, salt(lay.seed, T_WARP, 4, int(v.code)))
        present = [i for i in range(k) if np.any(lab == i)]
        cent = np.array([seeds[lab == i].mean(axis=0) for i in present])
        order = [present[j] for j in _angle_order(cent, v.centre)]
        for num, i in enumerate(order, start=1):
            cells = np.flatnonzero(lab == i)
            glab[cells] = num - 1
            v.groups.append(Group(num, f"{v.code}{num:02d}", v.name + names.group_name(num), cells))
    return glab


def _category(dlbm: str) -> str:
    return "farmland" if dlbm in FARMLAND else "natural" if dlbm in NATURAL else "line" if dlbm in LINES else "other"


def make_tubans(
    lay: Layout,
    cls: np.ndarray,
    area: np.ndarray,
    slope: np.ndarray,
    up: np.ndarray,
    vlab: np.ndarray,
    glab: np.ndarray,
    eu: np.ndarray,
    ev: np.ndarray,
    g: np.random.Generator,
) -> tuple[list[Tuban], np.ndarray]:
    """Merge neighbouring cells of one class and owner into 图斑; returns (tubans, tuban per cell)."""
    cap = lay.recipe["admin"]["max_tb_cells"]
    owner = np.array([-2 if c in STATE else -1 if c in VILLAGE_OWNED else 0 for c in cls])
    okey = np.where(owner == 0, glab, owner)
    same = (cls[eu] == cls[ev]) & (vlab[eu] == vlab[ev]) & (okey[eu] == okey[ev]) & (vlab[eu] >= 0)
    a, b = eu[same], ev[same]
    order = g.permutation(len(a))
    parent = list(range(len(cls)))
    size = [1] * len(cls)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for o in order.tolist():
        ra, rb = find(int(a[o])), find(int(b[o]))
        if ra == rb:
            continue
        if size[ra] + size[rb] > cap[_category(str(cls[a[o]]))]:
            continue
        if ra > rb:
            ra, rb = rb, ra
        parent[rb] = ra
        size[ra] += size[rb]
    roots = np.array([find(i) for i in range(len(cls))])
    uniq, tb_of = np.unique(roots, return_inverse=True)
    tubans: list[Tuban] = []
    for ti_ in range(len(uniq)):
        cells = np.flatnonzero(tb_of == ti_)
        w = area[cells]
        u = (up[cells] * w[:, None]).sum(axis=0)
        nu = float(fm.hypot(*u))
        u = u / nu if nu > 1e-9 else np.array([0.0, 1.0])
        d = str(cls[cells[0]])
        lv = int(slope_level(np.array([(slope[cells] * w).sum() / w.sum()]))[0])
        if d == "0103":
            lv = max(2, lv)
        elif d == "0102":
            lv = min(2, lv)
        grp = int(glab[cells[0]]) if owner[cells[0]] == 0 else -1
        tubans.append(Tuban(cells.tolist(), d, int(vlab[cells[0]]), grp, u, lv))
    # 图斑编号 within each village, in cell order
    counters: dict[int, int] = {}
    for tb in tubans:
        counters[tb.village] = counters.get(tb.village, 0) + 1
        tb.tbbh = str(counters[tb.village])
    return tubans, tb_of
