"""One township, generated in a worker process: geometry first, then every layer's records.

The steps are ordered by what they depend on: structure (villages, groups, 图斑) → which farmland
is subdivided → strip levels register their boundary points → the vertex table is frozen → pieces
→ one displacement of all points → polygons and unions → contract parcels, 永久基本农田, changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from . import admin
from . import fmath as fm
from .cells import TownshipPoints, polygons_from_rings
from .landuse import FARMLAND
from .layout import Layout
from .rand import T_WORKER, rng
from .strips import Piece, build_pieces, plan_levels
from .structure import Tuban, Village, local_edges, make_groups, make_tubans, make_villages


@dataclass
class Job:
    """What one worker call must produce beyond the defaults (quotas decided globally)."""

    ti: int
    quotas: dict[str, int] = field(default_factory=dict)  # change kinds, unassigned counts
    defects: list[str] = field(default_factory=list)  # invalid-geometry kinds to inject
    overlap_pairs: int = 0
    duplicates: int = 0
    tracks: bool = False


@dataclass
class Geometry:
    """Everything geometric about a township after displacement (absolute EPSG:4522)."""

    tp: TownshipPoints
    villages: list[Village]
    vlab: np.ndarray
    glab: np.ndarray
    tubans: list[Tuban]
    tb_of: np.ndarray
    cls: np.ndarray
    cell_poly: np.ndarray
    pieces: list[Piece]
    piece_poly: np.ndarray
    pieces_of_cell: dict[int, list[int]]
    tb_poly: list[shapely.Geometry]
    unassigned_tb: set[int]
    block_cells: dict[int, int]  # cell -> number of top strips left unassigned
    xy: np.ndarray  # final absolute coordinates of all points
    g: np.random.Generator


def _stochastic_round(x: float, g: np.random.Generator) -> int:
    f = int(np.floor(x))
    return f + int(g.random() < x - f)


def build_geometry(lay: Layout, job: Job) -> Geometry:
    """Cells, 图斑 and contract pieces of township `job.ti`, displaced and as shapely polygons."""
    t = lay.townships[job.ti]
    g = rng(lay.seed, T_WORKER, int(t.code))
    rec = lay.recipe
    tp = TownshipPoints(lay, job.ti)
    cells = tp.cells
    seeds = lay.mesh.seeds[cells]
    area = lay.mesh.area[cells]
    cls = lay.cls[cells]
    eu, ev = local_edges(cells, tp.ring_n, tp.local)
    villages, vlab = make_villages(lay, job.ti, seeds, area, cls, eu, ev, g)
    glab = make_groups(lay, job.ti, villages, seeds, area, cls, eu, ev, g)
    tubans, tb_of = make_tubans(lay, cls, area, lay.terrain.slope[cells], lay.terrain.up[cells], vlab, glab, eu, ev, g)

    # farmland left without contract parcels: whole 图斑, and blocks at one end of single-cell 图斑
    farm_tb = [i for i, tb in enumerate(tubans) if tb.dlbm in FARMLAND]
    n_whole = min(job.quotas.get("unassigned_whole", 0), max(len(farm_tb) - 1, 0))
    unassigned = set(int(i) for i in g.choice(farm_tb, size=n_whole, replace=False)) if n_whole else set()
    singles = [i for i in farm_tb if i not in unassigned and len(tubans[i].cells) == 1]
    n_block = min(job.quotas.get("unassigned_block", 0), len(singles))
    block_cells = {
        tubans[int(i)].cells[0]: 0 for i in (g.choice(singles, size=n_block, replace=False) if n_block else [])
    }

    # strip levels (registers boundary points), then freeze the vertex table
    geo = rec["geometry"]
    widths = rec["terrace_width_m"]
    plans = []
    for i, tb in enumerate(tubans):
        if tb.dlbm not in FARMLAND or i in unassigned:
            continue
        lo, hi = widths[str(tb.level)]
        for c in tb.cells:
            n = max(1, _stochastic_round(area[c] / lay.parcel_area, g))
            plans.append(plan_levels(tp, c, tb.up, g.uniform(lo, hi), n, g))
    tp.finalize()
    pieces: list[Piece] = []
    pieces_of_cell: dict[int, list[int]] = {}
    for pl in plans:
        ps = build_pieces(tp, pl, float(geo["chord_densify_m"]), g)
        pieces_of_cell[pl.cell] = list(range(len(pieces), len(pieces) + len(ps)))
        pieces.extend(ps)
    for c in list(block_cells):
        K = pieces[pieces_of_cell[c][0]].n_strips if c in pieces_of_cell else 0
        lo, hi = rec["contract"]["unassigned_block_strips"]
        m = min(int(g.integers(lo, hi + 1)), K - 2)
        if m >= 1:
            block_cells[c] = m
        else:
            del block_cells[c]

    # one displacement for every point, then absolute coordinates on the 1 mm grid (every polygon below
    # is built from these points, so shared vertices stay shared)
    xy = fm.snap(lay.displacement(tp.coords()) + np.array(admin.ORIGIN))
    cell_poly = polygons_from_rings(xy, tp.rings)
    piece_poly = polygons_from_rings(xy, [p.ring for p in pieces])
    tb_poly = [
        cell_poly[tb.cells[0]] if len(tb.cells) == 1 else shapely.coverage_union_all(cell_poly[tb.cells])
        for tb in tubans
    ]
    return Geometry(
        tp,
        villages,
        vlab,
        glab,
        tubans,
        tb_of,
        cls,
        cell_poly,
        pieces,
        piece_poly,
        pieces_of_cell,
        tb_poly,
        unassigned,
        block_cells,
        xy,
        g,
    )


def build_township(lay: Layout, job: Job) -> dict[str, Any]:
    """All records and manifest facts of one township (called in a worker process)."""
    from .records import township_records  # imported here: records itself imports this module

    geom = build_geometry(lay, job)
    return township_records(lay, job, geom)
