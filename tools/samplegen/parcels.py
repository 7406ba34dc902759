"""Contract parcels (DK): who holds them, their 四至, and the injected faults.

Faults are the point of a sample: the checks the plugin runs must find exactly what was put in,
so each fault is applied to a parcel nobody else touched and recorded with what was done.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from . import fmath as fm
from . import names
from .landuse import FARMLAND
from .strips import Piece

SIDE_WORDS = {
    "1006": "路",
    "1003": "公路",
    "1101": "河",
    "0702": "庄廓",
    "0201": "果园",
    "0301": "林地",
    "0305": "灌木林",
    "0307": "林地",
    "0404": "荒坡",
    "1202": "大棚",
    "1201": "空地",
    "1206": "荒地",
}
COMPASS = ["东", "北", "西", "南"]  # angle order: 0°, 90°, 180°, 270°


@dataclass
class Holdings:
    """Households of the groups and the holder of each DK piece."""

    holder: dict[int, tuple[str, int]] = field(default_factory=dict)  # piece -> (group code, household no.)
    names: dict[tuple[str, int], str] = field(default_factory=dict)


def assign_holders(
    groups: list[tuple[str, list[int], list[str]]], rng_: np.random.Generator, per_household: tuple[int, int]
) -> Holdings:
    """Scatter each group's parcels over its households (a household holds 3–9 scattered plots)."""
    h = Holdings()
    for code, pieces, surnames in groups:
        if not pieces:
            continue
        n_h = max(1, int(np.ceil(len(pieces) / rng_.uniform(*per_household))))
        who = rng_.integers(0, n_h, len(pieces))
        for p, w in zip(pieces, who.tolist()):
            h.holder[p] = (code, w + 1)
        for w in range(1, n_h + 1):
            h.names[(code, w)] = names.person(rng_, surnames)
    return h


def side_word(dlbm: str) -> str:
    return "地埂" if dlbm in FARMLAND else SIDE_WORDS.get(dlbm, "地界")


def cell_side_words(centre: np.ndarray, up: np.ndarray, ring_xy: np.ndarray, ring_cls: list[str]) -> list[str]:
    """What lies beyond the cell boundary above, left, below and right of a strip frame."""
    e = np.array([up[1], -up[0]])
    mids = 0.5 * (ring_xy + np.roll(ring_xy, -1, axis=0)) - centre
    out = []
    for v in (up, -e, -up, e):
        k = int(np.argmax(mids @ v))
        out.append(side_word(ring_cls[k]))
    return out


def compass_index(up: np.ndarray) -> int:
    """Which compass side (0 E, 1 N, 2 W, 3 S) the frame's 'up' points to."""
    return int(np.round(fm.degrees(fm.atan2(up[1], up[0])) / 90.0)) % 4


def shifted(poly: shapely.Polygon, v: np.ndarray) -> shapely.Polygon:
    """The polygon moved by v, its coordinates back on the 1 mm grid."""
    return shapely.transform(poly, lambda c: fm.snap(c + v))


def overlap_into(a_ring: np.ndarray, n_lower: int, b_ring: np.ndarray, dist: float) -> shapely.Polygon | None:
    """Parcel A pushed a few metres into its right-hand neighbour B along both strip lines."""
    pl, pu = a_ring[n_lower - 1], a_ring[n_lower]
    ql, qu = b_ring[1], b_ring[-2]
    if not (np.array_equal(b_ring[0], pl) and np.array_equal(b_ring[-1], pu)):
        return None
    fl = min(0.6, dist / max(fm.hypot(*(ql - pl)), 1e-9))
    fu = min(0.6, dist / max(fm.hypot(*(qu - pu)), 1e-9))
    new = np.vstack([a_ring[:n_lower], fm.snap([pl + fl * (ql - pl), pu + fu * (qu - pu)]), a_ring[n_lower:]])
    poly = shapely.Polygon(new)
    return poly if poly.is_valid else None


def invalid_version(ring: np.ndarray, kind: str) -> shapely.Polygon | None:
    """An invalid copy of a parcel: 'bowtie' (self-crossing), 'self_touch' (ring touches itself at
    a vertex) or 'spike' (a zero-width spike out of the boundary)."""
    n = len(ring)
    c = ring.mean(axis=0)
    if kind == "bowtie":
        for i in range(n):
            j = (i + n // 2) % n
            a, b = sorted((i, j))
            if b - a < 2:
                continue
            r = np.vstack([ring[: a + 1], ring[a + 1 : b + 1][::-1], ring[b + 1 :]])
            poly = shapely.Polygon(r)
            if not poly.is_valid:
                return poly
        return None
    p0 = ring[0]
    d = c - p0
    dn = d / max(fm.hypot(*d), 1e-9)
    perp = np.array([-dn[1], dn[0]])
    if kind == "self_touch":
        a = p0 + 0.45 * d + 0.12 * fm.hypot(*d) * perp
        b = p0 + 0.45 * d - 0.12 * fm.hypot(*d) * perp
        r = np.vstack([p0, fm.snap([a, b]), ring])
    elif kind == "spike":
        r = np.vstack([p0, fm.snap(p0 - 6.0 * dn), ring])
    else:
        raise ValueError(f"unknown defect kind {kind!r}")
    poly = shapely.Polygon(r)
    return None if poly.is_valid else poly


def piece_lookup(pieces: list[Piece], ids: list[int]) -> dict[tuple[int, int], list[tuple[float, float, int]]]:
    """(cell, strip) -> [(s0, s1, piece id)] to find the neighbour across a strip line."""
    out: dict[tuple[int, int], list[tuple[float, float, int]]] = {}
    for i in ids:
        p = pieces[i]
        out.setdefault((p.cell, p.k), []).append((p.s0, p.s1, i))
    return out


def across(
    lookup: dict[tuple[int, int], list[tuple[float, float, int]]], cell: int, k: int, s: float | None
) -> int | None:
    """The piece of strip k in `cell` covering along-position s (the middle one when s is None)."""
    lst = lookup.get((cell, k))
    if not lst:
        return None
    if s is None:
        return lst[len(lst) // 2][2]
    for s0, s1, i in lst:
        if s0 <= s <= s1:
            return i
    return lst[-1][2]
