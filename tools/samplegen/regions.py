"""Administrative and ownership regions as labels on cells.

Regions are warped power diagrams of their seats: evaluable at any point (so villages and roads can
be placed before the mesh exists), convex before warping (so they come out contiguous), and sized
by iterating the power weights against target areas. A final pass on the cell graph removes the
rare detached fragments, so that every region is one edge-connected piece.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely

from . import fmath as fm
from .mesh import components
from .noise import Field


def star_blob(center: Sequence[float], area: float, g: np.random.Generator, roughness: float = 0.22) -> shapely.Polygon:
    """A smooth, irregular, star-shaped outline of the given area (a plausible county shape)."""
    phi = np.linspace(0.0, 2.0 * np.pi, 181)[:-1]
    r = np.ones_like(phi)
    for k in (2, 3, 4, 5, 7):
        r += roughness / math.pow(k, 0.8) * fm.cos(k * phi + g.uniform(0, 2 * np.pi))
    r = np.clip(r, 0.45, None)
    pts = np.column_stack([fm.cos(phi) * r, fm.sin(phi) * r])
    unit = shapely.Polygon(pts)
    s = np.sqrt(area / unit.area)
    return shapely.Polygon(pts * s + np.asarray(center, dtype=float))


class PowerRegions:
    """argmin_i |warp(p) - s_i|² - w_i over the sites (optionally restricted per point)."""

    def __init__(self, sites: np.ndarray, weights: np.ndarray, warp: tuple[Field, Field] | None):
        self.sites = np.asarray(sites, dtype=float)
        self.w = np.asarray(weights, dtype=float)
        self.warp = warp

    def _warped(self, p: np.ndarray) -> np.ndarray:
        if self.warp is None:
            return p
        return p + np.column_stack([self.warp[0](p[:, 0], p[:, 1]), self.warp[1](p[:, 0], p[:, 1])])

    def label(self, p: np.ndarray, allowed: np.ndarray | None = None, chunk: int = 200_000) -> np.ndarray:
        """Site index per point; `allowed` (n_points, n_sites) bool masks out sites."""
        q = self._warped(np.asarray(p, dtype=float))
        out = np.empty(len(q), dtype=np.int64)
        for a in range(0, len(q), chunk):
            v = q[a : a + chunk, None, :] - self.sites[None, :, :]
            d = (v * v).sum(axis=2) - self.w[None, :]
            if allowed is not None:
                d = np.where(allowed[a : a + chunk], d, np.inf)
            out[a : a + chunk] = np.argmin(d, axis=1)
        return out

    def fit(self, p: np.ndarray, weight: np.ndarray, targets: np.ndarray, iterations: int = 12) -> None:
        """Adjust power weights so the regions' shares of the sample points approach `targets`."""
        targets = np.asarray(targets, dtype=float)
        targets = targets / targets.sum() * weight.sum()
        for _ in range(iterations):
            lab = self.label(p)
            got = np.bincount(lab, weights=weight, minlength=len(self.sites))
            self.w = self.w + 0.6 * (targets - got) / np.pi


def warp_fields(salt: int, scale: float) -> tuple[Field, Field]:
    """Domain warp making region boundaries wander on the scale of the regions themselves."""
    octs = [(scale * 0.9, scale * 0.12), (scale * 0.3, scale * 0.04)]
    return Field(salt, octs), Field(salt ^ 0x2545F491, octs)


def cleanup(
    labels: np.ndarray,
    eu: np.ndarray,
    ev: np.ndarray,
    area: np.ndarray,
    active: np.ndarray,
    anchor: dict[int, int] | None = None,
    within: np.ndarray | None = None,
    max_rounds: int = 20,
) -> np.ndarray:
    """Make every label one edge-connected piece among `active` cells.

    The kept piece of a label is the one holding its anchor cell (else its largest); other pieces
    join the neighbouring label they share most edges with (only across edges where `within` agrees,
    e.g. never into another county). Returns the new labels (inactive cells untouched).
    """
    lab = labels.copy()
    n = len(lab)
    for _ in range(max_rounds):
        same = active[eu] & active[ev] & (lab[eu] == lab[ev])
        comp = components(n, eu[same], ev[same])
        ids = np.flatnonzero(active)
        croot = comp[ids]
        # area per component root
        carea = np.bincount(croot, weights=area[ids], minlength=n)
        roots = np.unique(croot)
        rlab = lab[roots]
        # choose kept root per label: anchor's root, else largest
        order = np.lexsort((-carea[roots], rlab))
        keep_root: dict[int, int] = {}
        for r in roots[order]:
            keep_root.setdefault(int(lab[r]), int(r))
        if anchor:
            for lb, cell in anchor.items():
                if active[cell] and lab[cell] == lb:
                    keep_root[lb] = int(comp[cell])
        kept = np.zeros(n, dtype=bool)
        kept[list(keep_root.values())] = True
        stray = active & ~kept[comp]
        if not stray.any():
            return lab
        # neighbour labels of stray components across edges to other components
        m = active[eu] & active[ev] & (comp[eu] != comp[ev])
        if within is not None:
            m &= within[eu] == within[ev]
        a = np.concatenate([eu[m], ev[m]])
        b = np.concatenate([ev[m], eu[m]])
        s = stray[a]
        a, b = a[s], b[s]
        if len(a) == 0:
            return lab
        ca, lb = comp[a], lab[b]
        key = np.unique(np.column_stack([ca, lb]), axis=0, return_counts=True)
        pairs, cnt = key
        # per stray component the neighbour label with most shared edges (ties: smallest label)
        o = np.lexsort((pairs[:, 1], -cnt, pairs[:, 0]))
        pairs = pairs[o]
        first = np.concatenate([[True], pairs[1:, 0] != pairs[:-1, 0]])
        newlab = np.full(n, -1, dtype=np.int64)
        newlab[pairs[first, 0]] = pairs[first, 1]
        tgt = newlab[comp[ids]]
        upd = stray[ids] & (tgt >= 0)
        lab[ids[upd]] = tgt[upd]
    return lab
