"""Terrain and land-use classes per cell, shaped like Linxia's loess hills.

Elevation rises away from the rivers with rolling hills on top; slope then decides terraces
(0103, GDPDJB 3–5) against grass and forest, the valley floor gets irrigated land (0102), and
homesteads (0702) cluster round each village centre with sheds (1202) and orchards (0201) nearby.
Every class takes an area share from the recipe, chosen by ranking cells on smooth scores so that
classes come in coherent patches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree

from . import fmath as fm
from .noise import Field
from .rand import T_TERRAIN, salt

FARMLAND = ("0102", "0103")
NATURAL = ("0301", "0305", "0307", "0404")


@dataclass
class Terrain:
    z: np.ndarray  # elevation above the valley floor, m
    slope: np.ndarray  # degrees
    up: np.ndarray  # (n, 2) unit uphill direction (contour normal)


VALLEY_REACH = 4000.0  # beyond this distance the rivers no longer shape the terrain


def _river_distance(lines: list[shapely.LineString], p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance to the nearest river (capped at VALLEY_REACH) and its gradient (unit vector away)."""
    d = np.full(len(p), VALLEY_REACH)
    grad = np.zeros((len(p), 2))
    if not lines:
        return d, grad
    cs = [shapely.get_coordinates(ln) for ln in lines]
    A = np.vstack([c[:-1] for c in cs])
    B = np.vstack([c[1:] for c in cs])
    tree = STRtree(shapely.linestrings(np.stack([A, B], axis=1)))
    pi, sj = tree.query_nearest(shapely.points(p), max_distance=VALLEY_REACH, all_matches=False)
    a, b, q = A[sj], B[sj], p[pi]
    ab = b - a
    t = np.clip(((q - a) * ab).sum(axis=1) / np.maximum((ab * ab).sum(axis=1), 1e-12), 0.0, 1.0)
    foot = a + ab * t[:, None]
    v = q - foot
    dist = fm.hypot(v[:, 0], v[:, 1])
    keep = dist < VALLEY_REACH
    d[pi[keep]] = dist[keep]
    grad[pi[keep]] = v[keep] / np.maximum(dist[keep], 1e-9)[:, None]
    return d, grad


def terrain(p: np.ndarray, rivers: list[shapely.LineString], seed: int) -> Terrain:
    """Elevation, slope and uphill direction at the points p."""
    hills = Field(salt(seed, T_TERRAIN, 1), [(1200, 240), (450, 80), (180, 16)])
    d, dgrad = _river_distance(rivers, p)
    z = 140.0 * fm.power(d / 1000.0, 0.8) + hills(p[:, 0], p[:, 1])
    dz = 140.0 * 0.8 * fm.power(np.maximum(d, 1.0) / 1000.0, -0.2) / 1000.0
    h = 4.0
    gx = dz * dgrad[:, 0] + (hills(p[:, 0] + h, p[:, 1]) - hills(p[:, 0] - h, p[:, 1])) / (2 * h)
    gy = dz * dgrad[:, 1] + (hills(p[:, 0], p[:, 1] + h) - hills(p[:, 0], p[:, 1] - h)) / (2 * h)
    g = fm.hypot(gx, gy)
    up = np.column_stack([gx, gy]) / np.maximum(g, 1e-9)[:, None]
    up[g < 1e-9] = (0.0, 1.0)
    return Terrain(z=z - z.min(), slope=fm.degrees(fm.atan(g)), up=up)


def slope_level(slope: np.ndarray) -> np.ndarray:
    """GDPDJB 1..5 from slope degrees (≤2, 2–6, 6–15, 15–25, >25)."""
    return np.searchsorted(np.array([2.0, 6.0, 15.0, 25.0]), slope, side="right") + 1


def _take(order: np.ndarray, area: np.ndarray, target: float) -> np.ndarray:
    """The first cells of `order` whose cumulative area stays within target (at least one)."""
    if target <= 0 or len(order) == 0:
        return order[:0]
    cum = np.cumsum(area[order])
    k = max(1, int(np.searchsorted(cum, target, side="right")))
    return order[:k]


def assign_classes(
    p: np.ndarray,
    area: np.ndarray,
    fixed: np.ndarray,
    t: Terrain,
    sites: np.ndarray,
    site_radius: np.ndarray,
    mix: dict[str, float],
    seed: int,
) -> np.ndarray:
    """DLBM per cell. `fixed` holds line classes ('' where free)."""
    f1 = Field(salt(seed, T_TERRAIN, 2), [(420, 1.0), (140, 0.35)])
    f2 = Field(salt(seed, T_TERRAIN, 3), [(900, 1.0), (300, 0.4)])
    f3 = Field(salt(seed, T_TERRAIN, 4), [(700, 1.0), (200, 0.3)])
    g = np.random.default_rng(salt(seed, T_TERRAIN, 5))
    cls = fixed.astype(object).copy()
    free = cls == ""
    total = area[free].sum() / sum(mix.values())
    n1 = f1(p[:, 0], p[:, 1])

    if len(sites):
        _, near = STRtree(shapely.points(sites)).query_nearest(shapely.points(p), all_matches=False)
        dv = fm.hypot(*(p - sites[near]).T) / site_radius[near]
    else:
        dv = np.full(len(p), 99.0)

    def pick(mask: np.ndarray, key: np.ndarray, code: str) -> None:
        idx = np.flatnonzero(mask & (cls == ""))
        chosen = _take(idx[np.argsort(key[idx], kind="stable")], area, mix.get(code, 0.0) * total)
        cls[chosen] = code

    # homesteads: scale the radius so the area share is met, keep the noisy outline
    rel = dv / (1.0 + 0.3 * n1)
    idx = np.flatnonzero(cls == "")
    chosen = _take(idx[np.argsort(rel[idx], kind="stable")], area, mix.get("0702", 0.0) * total)
    cls[chosen] = "0702"
    rnd = g.random(len(p))
    pick((dv > 0.8) & (dv < 3.0), rnd, "1202")
    pick((dv > 0.7) & (dv < 2.0), g.random(len(p)), "1201")
    pick(np.ones(len(p), bool), t.z + 6.0 * t.slope + 25.0 * f2(p[:, 0], p[:, 1]), "0102")
    pick((dv < 5.0) & (t.slope < 18.0), -f3(p[:, 0], p[:, 1]) + 0.1 * dv, "0201")
    pick(np.ones(len(p), bool), -t.slope, "1206")
    suit = -t.slope / 12.0 - t.z / 400.0 + 1.4 * f2(p[:, 0], p[:, 1]) + 0.5 * n1
    pick(np.ones(len(p), bool), -suit, "0103")
    # what is left is natural land: grass mostly, forest patches (more on higher ground)
    rest = np.flatnonzero(cls == "")
    if len(rest):
        key = f3(p[rest, 0], p[rest, 1]) - 0.004 * t.z[rest]
        rest = rest[np.argsort(key, kind="stable")]
        shares = np.array([mix.get(c, 0.0) for c in ("0301", "0305", "0307", "0404")])
        cum = np.cumsum(area[rest]) / max(area[rest].sum(), 1e-9)
        bounds = np.cumsum(shares) / shares.sum()
        k = np.minimum(np.searchsorted(bounds, cum, side="left"), 3)
        cls[rest] = np.array(["0301", "0305", "0307", "0404"], dtype=object)[k]
    return cls.astype("U5")
