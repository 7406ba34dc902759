"""Terrace strips: subdividing one farmland cell into contract-parcel pieces.

A cell (convex before displacement) is cut along contour lines into strips; each strip line (a
"chord") ends on points of the cell boundary, so pieces along the boundary use exactly the cell's
own boundary points and every piece lies within its 图斑. Strips are then cut across into pieces.
Points on a chord are shared by the strips on both sides; the strip lines are densified so the
displacement bends them like real terraces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .cells import EdgeRef, TownshipPoints


@dataclass
class LevelPlan:
    """Phase A result for one cell: contour levels and their boundary points (not yet ids)."""

    cell: int
    up: np.ndarray
    i_min: int  # ring index (Voronoi vertices) of the lowest vertex
    i_max: int
    refs: list[tuple[EdgeRef, EdgeRef]]  # (right, left) per level, bottom to top
    n_pieces: int


@dataclass
class Piece:
    cell: int
    k: int  # strip index (0 = bottom cap)
    j: int  # piece index within the strip
    ring: list[int]  # point ids, CCW
    s0: float  # along-strip range (s0 = -inf for the left end piece)
    s1: float
    n_strips: int = 0
    n_in_strip: int = 0
    outer: list[int] = field(default_factory=list)  # cell-ring positions of the outer side (caps)
    n_lower: int = 0  # ring[:n_lower] is the part on the lower strip line


def plan_levels(
    tp: TownshipPoints, ci: int, up: np.ndarray, width: float, n_pieces: int, g: np.random.Generator
) -> LevelPlan:
    """Choose contour levels across cell `ci` and register their boundary points."""
    rv = tp.ring_v[ci]
    P = tp.V[rv]
    p = P @ up
    i_min, i_max = int(np.argmin(p)), int(np.argmax(p))
    H = float(p[i_max] - p[i_min])
    lo = min(n_pieces, 3)
    K = int(np.clip(round(H / max(width, 1.0)), max(lo, 1), max(n_pieces, 1)))
    refs: list[tuple[EdgeRef, EdgeRef]] = []
    m = len(rv)
    for k in range(1, K):
        t = p[i_min] + H * (k + g.uniform(-0.15, 0.15)) / K
        right = left = None
        for i in range(m):
            a, b = p[i], p[(i + 1) % m]
            if a < t <= b and right is None:
                right = (i, (t - a) / (b - a))
            elif b < t <= a and left is None:
                left = (i, (a - t) / (a - b))
        if right is None or left is None:
            continue
        pair = []
        for i, f in (right, left):
            e = int(tp.edge_of[ci][i])
            te = f if rv[i] == tp.edge_a[e] else 1.0 - f
            pair.append(tp.point_on(e, float(te)))
        refs.append((pair[0], pair[1]))
    return LevelPlan(ci, up, i_min, i_max, refs, n_pieces)


def _fd(pos: int, start: int, n: int) -> int:
    return (pos - start) % n


def build_pieces(tp: TownshipPoints, plan: LevelPlan, chord_step: float, g: np.random.Generator) -> list[Piece]:
    """Phase B (after finalize): strips and pieces of one cell as rings of point ids."""
    ci = plan.cell
    ring = tp.rings[ci]
    nr = len(ring)
    pos = {int(pid): i for i, pid in enumerate(ring)}
    xy = tp.base_xy
    up = plan.up
    e = np.array([up[1], -up[0]])
    pmin = pos[tp.vid[int(tp.ring_v[ci][plan.i_min])]]
    pmax = pos[tp.vid[int(tp.ring_v[ci][plan.i_max])]]
    fmax = _fd(pmax, pmin, nr)
    chords: list[tuple[int, int]] = []  # (right pid, left pid)
    last_r, last_l = 0, nr
    for rref, lref in plan.refs:
        r, l_ = tp.resolve(rref), tp.resolve(lref)
        if r not in pos or l_ not in pos:
            continue
        fr, fl = _fd(pos[r], pmin, nr), _fd(pos[l_], pmin, nr)
        if not (last_r < fr < fmax < fl < last_l):
            continue
        if float((xy[r] - xy[l_]) @ e) < 1.0:
            continue
        chords.append((r, l_))
        last_r, last_l = fr, fl
    K = len(chords) + 1
    ex, ey = float(e[0]), float(e[1])

    def s_of(pid: int) -> float:
        return float(xy[pid, 0]) * ex + float(xy[pid, 1]) * ey

    # pieces per strip: caps one each, inner strips share the rest by (approximate) area
    inner = list(range(1, K - 1))
    counts = [1] * K
    if inner:
        lens = []
        for k in inner:
            (r0, l0), (r1, l1) = chords[k - 1], chords[k]
            lens.append(max(1.0, min(s_of(r0), s_of(r1)) - max(s_of(l0), s_of(l1))))
        rest = max(plan.n_pieces - 2, len(inner))
        share = np.array(lens) / sum(lens) * rest
        base = np.maximum(1, np.floor(share).astype(int))
        extra = rest - int(base.sum())
        if extra > 0:
            for i in np.argsort(-(share - np.floor(share)), kind="stable")[:extra]:
                base[i] += 1
        for i, k in enumerate(inner):
            counts[k] = int(base[i])
    # cut positions per inner strip
    cuts: dict[int, list[float]] = {}
    for k in inner:
        (r0, l0), (r1, l1) = chords[k - 1], chords[k]
        s_lo, s_hi = max(s_of(l0), s_of(l1)) + 1.0, min(s_of(r0), s_of(r1)) - 1.0
        m = counts[k]
        if m <= 1 or s_hi - s_lo < 4.0:
            counts[k] = 1
            cuts[k] = []
            continue
        m = min(m, int((s_hi - s_lo) // 3.0) + 1)
        frac = np.cumsum(g.dirichlet(np.full(m, 4.0)))[:-1]
        full_lo, full_hi = min(s_of(l0), s_of(l1)), max(s_of(r0), s_of(r1))
        cs = np.clip(full_lo + (full_hi - full_lo) * frac, s_lo, s_hi)
        kept: list[float] = []
        for c in cs:
            if not kept or c - kept[-1] >= 2.0:
                kept.append(float(c))
        cuts[k] = kept
        counts[k] = len(kept) + 1
    # chord point lists (ids by s), shared by the strips on both sides
    chord_pts: list[tuple[np.ndarray, np.ndarray]] = []
    for c, (r, l_) in enumerate(chords):
        sL, sR = s_of(l_), s_of(r)
        cut_s = sorted(set(cuts.get(c, []) + cuts.get(c + 1, [])))  # strip c (upper side) and c+1
        n_d = int((sR - sL) // chord_step)
        dens = [sL + (sR - sL) * (i + 1) / (n_d + 1) for i in range(n_d)]
        dens = [d for d in dens if all(abs(d - q) > 2.0 for q in cut_s)]
        inner_s = np.array(sorted(cut_s + dens), dtype=float)
        inner_s = inner_s[(inner_s > sL) & (inner_s < sR)]
        f = (inner_s - sL) / (sR - sL)
        ids = tp.add_points(xy[l_] + (xy[r] - xy[l_]) * f[:, None]) if len(f) else np.zeros(0, np.int64)
        chord_pts.append((np.concatenate(([sL], inner_s, [sR])), np.concatenate(([l_], ids, [r])).astype(np.int64)))
    bottom = (np.array([-np.inf]), np.array([tp.vid[int(tp.ring_v[ci][plan.i_min])]]))
    top = (np.array([np.inf]), np.array([tp.vid[int(tp.ring_v[ci][plan.i_max])]]))

    def forward(a: int, b: int) -> list[int]:
        """Ring ids strictly after position a up to and including position b."""
        if b >= a:
            return ring[a + 1 : b + 1].tolist()
        return ring[a + 1 :].tolist() + ring[: b + 1].tolist()

    def span(a: int, b: int) -> list[int]:
        out = [a]
        while a != b:
            a = (a + 1) % nr
            out.append(a)
        return out

    pieces: list[Piece] = []
    for k in range(K):
        lo_s, lo_ids = bottom if k == 0 else chord_pts[k - 1]
        hi_s, hi_ids = top if k == K - 1 else chord_pts[k]
        r_lo, l_lo = int(lo_ids[-1]), int(lo_ids[0])
        r_hi, l_hi = int(hi_ids[-1]), int(hi_ids[0])
        cs = cuts.get(k, [])
        bounds = [-np.inf, *cs, np.inf]
        for j in range(len(bounds) - 1):
            a, b = bounds[j], bounds[j + 1]
            lower = lo_ids[(lo_s >= a) & (lo_s <= b)].tolist() if k > 0 else lo_ids.tolist()
            upper = hi_ids[(hi_s >= a) & (hi_s <= b)][::-1].tolist() if k < K - 1 else hi_ids.tolist()
            rg = list(lower)
            if j == len(bounds) - 2:
                rg += forward(pos[r_lo], pos[r_hi])[:-1] if r_lo != r_hi else []
            rg += upper
            if j == 0:
                rg += forward(pos[l_hi], pos[l_lo])[:-1] if l_hi != l_lo else []
            outer: list[int] = []
            if K > 1 and k == 0:
                outer = span(pos[l_hi], pos[r_hi])
            elif K > 1 and k == K - 1:
                outer = span(pos[r_lo], pos[l_lo])
            pieces.append(Piece(ci, k, j, rg, a, b, K, len(bounds) - 1, outer, len(lower)))
    return pieces
