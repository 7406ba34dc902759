"""A township's vertex table: Voronoi vertices, densified edge points and inserted points.

Cell edges are densified (so the displacement bends them) and may receive extra points where a
terrace strip line meets them. Each edge's points are computed once and referenced by id from both
cells along it, so every polygon built from these ids shares its boundary exactly with its
neighbours. Edges on the township's border are densified by a rule that only depends on the edge
itself (both townships compute the same points bit for bit) and never receive insertions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from .landuse import FARMLAND
from .layout import Layout


@dataclass
class EdgeRef:
    """A point on an edge: canonical edge index and parameter t in [0, 1] from its lower vertex."""

    edge: int
    t: float


class TownshipPoints:
    """Vertex table and cell rings of one township (local, pre-displacement coordinates)."""

    def __init__(self, lay: Layout, ti: int):
        geo = lay.recipe["geometry"]
        self.fine = float(geo["farmland_densify_m"])
        self.coarse = float(geo["coarse_densify_m"])
        self.snap = float(geo["snap_to_existing_m"])
        m = lay.mesh
        self.cells = lay.cells_of[ti]
        self.local = {int(c): i for i, c in enumerate(self.cells)}
        starts, ends = m.ptr[self.cells], m.ptr[self.cells + 1]
        self.ring_v = [m.vtx[a:b] for a, b in zip(starts, ends)]
        self.ring_n = [m.nbr[a:b] for a, b in zip(starts, ends)]
        u = np.concatenate(self.ring_v)
        v = np.concatenate([np.roll(r, -1) for r in self.ring_v])
        nb = np.concatenate(self.ring_n)
        owner = np.repeat(self.cells, [len(r) for r in self.ring_v])
        a, b = np.minimum(u, v), np.maximum(u, v)
        key = a * (len(m.vertices) + 1) + b
        ukey, first, inv = np.unique(key, return_index=True, return_inverse=True)
        self.edge_a, self.edge_b = a[first], b[first]
        self.edge_of = np.split(inv, np.cumsum([len(r) for r in self.ring_v])[:-1])
        farm_cls = np.isin(lay.cls, FARMLAND)
        nbf = nb[first]
        own = owner[first]
        self.edge_foreign = lay.township_of[nbf] != ti
        farm = farm_cls[own] | farm_cls[nbf]
        spacing = np.where(self.edge_foreign & farm, self.fine, self.coarse)
        va, vb = m.vertices[self.edge_a], m.vertices[self.edge_b]
        d = vb - va
        length = np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1])
        self.edge_len = length
        self.edge_n = np.floor(length / spacing).astype(np.int64)
        self.inserted: list[list[float]] = [[] for _ in range(len(ukey))]
        self.V = m.vertices
        self.ti = ti

    # -- insertion / snapping (before finalize) -------------------------------------------
    def point_on(self, edge: int, t: float) -> EdgeRef:
        """Reference to the point at parameter t of an edge: an existing point when one is within
        the snap distance (always on the township border), else a newly inserted one."""
        n = int(self.edge_n[edge])
        L = float(self.edge_len[edge])
        k = round(t * (n + 1))
        t_base = k / (n + 1)
        if self.edge_foreign[edge] or abs(t_base - t) * L <= self.snap:
            return EdgeRef(edge, t_base)
        for s in self.inserted[edge]:
            if abs(s - t) * L <= self.snap:
                return EdgeRef(edge, s)
        self.inserted[edge].append(t)
        return EdgeRef(edge, t)

    # -- finalize ----------------------------------------------------------------------------
    def finalize(self) -> None:
        """Fix all point ids and build each cell's ring (ids) and per-position neighbour."""
        vids = np.unique(np.concatenate(self.ring_v))
        self.vid = {int(g): i for i, g in enumerate(vids)}
        xy = [self.V[vids]]
        nxt = len(vids)
        self.edge_t: list[np.ndarray] = []
        self.edge_ids: list[np.ndarray] = []
        A, B = self.V[self.edge_a], self.V[self.edge_b]
        for e in range(len(self.edge_a)):
            n = int(self.edge_n[e])
            base = np.arange(1, n + 1) / (n + 1)
            ins = self.inserted[e]
            t = np.unique(np.concatenate([base, np.asarray(ins, dtype=float)])) if ins else base
            self.edge_t.append(t)
            self.edge_ids.append(np.arange(nxt, nxt + len(t)))
            nxt += len(t)
            if len(t):
                xy.append(A[e] + (B[e] - A[e]) * t[:, None])
        self.base_xy = np.vstack(xy)
        self._extra: list[np.ndarray] = []
        self._count = len(self.base_xy)
        self.rings: list[np.ndarray] = []
        self.ring_nb: list[np.ndarray] = []
        edge_ids = [e.tolist() for e in self.edge_ids]
        edge_a = self.edge_a.tolist()
        for ci in range(len(self.cells)):
            rv, rn, eo = self.ring_v[ci].tolist(), self.ring_n[ci].tolist(), self.edge_of[ci].tolist()
            ids: list[int] = []
            nbs: list[int] = []
            for k in range(len(rv)):
                e = eo[k]
                inner = edge_ids[e] if rv[k] == edge_a[e] else edge_ids[e][::-1]
                ids.append(self.vid[rv[k]])
                ids.extend(inner)
                nbs.extend([rn[k]] * (len(inner) + 1))
            self.rings.append(np.array(ids, dtype=np.int64))
            self.ring_nb.append(np.array(nbs, dtype=np.int64))

    def resolve(self, ref: EdgeRef) -> int:
        """Point id of an EdgeRef (after finalize)."""
        e = ref.edge
        if ref.t <= 0.0:
            return self.vid[int(self.edge_a[e])]
        if ref.t >= 1.0:
            return self.vid[int(self.edge_b[e])]
        t = self.edge_t[e]
        j = int(np.searchsorted(t, ref.t))
        if j >= len(t) or t[j] != ref.t:
            raise KeyError("edge point was not registered")
        return int(self.edge_ids[e][j])

    def add_points(self, xy: np.ndarray) -> np.ndarray:
        """Append interior points (chords, cuts); returns their ids."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        start = self._count
        self._extra.append(xy)
        self._count += len(xy)
        return np.arange(start, self._count)

    def coords(self) -> np.ndarray:
        """All points so far (pre-displacement)."""
        if self._extra:
            self.base_xy = np.vstack([self.base_xy, *self._extra])
            self._extra = []
        return self.base_xy


def polygons_from_rings(xy: np.ndarray, rings: list[np.ndarray]) -> np.ndarray:
    """Shapely polygons from rings of point ids into xy (vectorised)."""
    if not rings:
        return np.array([], dtype=object)
    idx = np.concatenate(rings)
    which = np.repeat(np.arange(len(rings)), [len(r) for r in rings])
    lr = shapely.linearrings(xy[idx], indices=which)
    return shapely.polygons(lr)
