"""Where rivers and roads run: the real rivers (scaled), a highway along each valley, roads between
township seats, and rural roads between villages plus dead-end field roads into the farmland."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from . import admin
from . import fmath as fm
from .lines import Line, chaikin, meander, mst_edges
from .noise import Field
from .places import Township, VillageSite
from .rand import T_LINES, rng, salt


def wiggly(a: np.ndarray, b: np.ndarray, g: np.random.Generator, amp: float) -> np.ndarray:
    """A gently curving road between two points."""
    n = max(3, int(fm.hypot(*(b - a)) / 40.0) + 1)
    s = np.linspace(0.0, 1.0, n)
    base = a[None, :] + s[:, None] * (b - a)[None, :]
    d = (b - a) / max(fm.hypot(*(b - a)), 1e-9)
    nrm = np.array([-d[1], d[0]])
    off = (
        amp
        * fm.hypot(*(b - a))
        * (g.uniform(-1, 1) * fm.sin(np.pi * s) + 0.4 * g.uniform(-1, 1) * fm.sin(2 * np.pi * s))
    )
    return base + nrm[None, :] * off[:, None]


def clip_lines(coords: np.ndarray, area: shapely.Geometry, min_len: float) -> list[np.ndarray]:
    inter = shapely.intersection(shapely.LineString(coords), area)
    parts = [
        p for p in shapely.get_parts(shapely.line_merge(inter)) if p.geom_type == "LineString" and p.length >= min_len
    ]
    return [shapely.get_coordinates(p) for p in parts]


def make_lines(
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

    def add(kind: str, coords: np.ndarray, name: str, min_len: float) -> None:
        s = spec[kind]
        for part in clip_lines(coords, near, min_len):
            out.append(Line(kind, part, s["width"], s["station"], s["dlbm"], name))

    o = np.array(admin.ORIGIN)
    mf = Field(salt(seed, T_LINES, 1), [(1800.0, 110.0), (600.0, 25.0)])
    for name, wp in admin.RIVERS.items():
        c = anchor + k * (np.array(wp, dtype=float) - o - anchor)
        add("river", meander(chaikin(c, 3), mf, 40.0), name, 200.0)
    # a highway following each river valley at some distance from the water
    for riv in [ln for ln in out if ln.kind == "river"]:
        side = 1.0 if g.random() < 0.5 else -1.0
        off = shapely.offset_curve(riv.geom, side * (riv.width / 2 + g.uniform(70.0, 130.0)), join_style="round")
        for part in shapely.get_parts(off):
            add("highway", shapely.get_coordinates(part), "国道", 200.0)
    # roads between township seats, county by county
    by_county: dict[str, list[Township]] = {}
    for t in townships:
        by_county.setdefault(t.county, []).append(t)
    for lst in by_county.values():
        seats = np.array([t.seat for t in lst])
        for a, b in mst_edges(seats):
            add("highway", wiggly(seats[a], seats[b], g, 0.06), "县乡道", 100.0)
    # rural roads: between the villages of a township, and dead-end field roads out of each village
    lo, hi = geo["field_road_length_m"]
    nlo, nhi = geo["field_roads_per_village"]
    for t in townships:
        vs = [s for s in sites if s.township == t.index]
        if not vs:
            continue
        p = np.array([s.xy for s in vs])
        for a, b in mst_edges(p):
            add("rural", wiggly(p[a], p[b], g, 0.08), "村道", 60.0)
        for q in p:
            for _ in range(int(g.integers(nlo, nhi + 1))):
                ang = g.uniform(0, 2 * np.pi)
                end = q + g.uniform(lo, hi) * fm.unit(ang)
                add("rural", wiggly(q + 0.25 * (end - q), end, g, 0.1), "田间道", 60.0)
    return out
