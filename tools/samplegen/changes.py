"""Next year's changes on farmland (the ground truth of DLTB_2025) and the approvals around them.

Every change is a union of whole contract pieces or whole 图斑, so the 2025 layer stays an exact
coverage: the changed part and the remainder share the strip lines and cell edges they were cut
along. Some changes get an approval polygon that contains them, some one that covers them only in
part, most none — the desk's pre-judgement has to tell these apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from . import fmath as fm
from .landuse import FARMLAND

# kind -> (new DLBM, how it is placed)
KINDS = {
    "road_1003": ("1003", "strip"),
    "road_1006": ("1006", "strip"),
    "shed_1202": ("1202", "pieces"),
    "homestead_0702": ("0702", "piece"),
    "pond_1104A": ("1104A", "pieces"),
    "grass_0404": ("0404", "top"),
    "orchard_0201": ("0201", "whole_or_block"),
    "forest_0301": ("0301", "whole"),
    "fls": ("", "whole"),
    # issue 18, after the others (so that they are drawn exactly as before): 挖湖造景 to 坑塘水面 1104, a
    # greenhouse on 永久基本农田 with a filing that covers it, farmland left unplanted (种植属性 WG)
    "lake_1104": ("1104", "pieces"),
    "shed_basic_1202": ("1202", "piece"),
    "wg": ("", "whole"),
}
ORDER = [
    "road_1003",
    "road_1006",
    "shed_1202",
    "homestead_0702",
    "pond_1104A",
    "grass_0404",
    "orchard_0201",
    "forest_0301",
    "fls",
    "lake_1104",
    "shed_basic_1202",
    "wg",
]
#: kinds that keep geometry and BSM and only change 种植属性 (ZZSXDM) in DLTB_2025
ATTRIBUTE_ONLY = {"fls": "FLS", "wg": "WG"}
APPROVAL = {"homestead_0702": "PZYD", "road_1003": "PZYD", "road_1006": "LSYD", "shed_1202": "SSNYDBA"}
#: kinds whose approval is always given, whole, from their own random stream (after every other approval, so
#: that the others keep their draws and document numbers)
APPROVED_WHOLE = {"shed_basic_1202": "SSNYDBA"}


@dataclass
class Change:
    kind: str
    tb: int  # 2024 图斑 (local index)
    to_dlbm: str
    whole: bool
    pieces: list[int] = field(default_factory=list)
    cells: list[int] = field(default_factory=list)
    poly: shapely.Geometry | None = None
    approval: dict | None = None
    approval_partial: bool = False


def _strips(pieces, ids):
    """(cell, k) -> piece ids of full strips (every piece present)."""
    by: dict[tuple[int, int], list[int]] = {}
    for i in ids:
        p = pieces[i]
        by.setdefault((p.cell, p.k), []).append(i)
    return {key: v for key, v in by.items() if len(v) == pieces[v[0]].n_in_strip}


def choose_changes(
    quotas: dict[str, int],
    geom,
    dk_ok: set[int],
    near_home: set[int],
    g: np.random.Generator,
    basic_tb: set[int] | None = None,
) -> list[Change]:
    """Pick the changes of one township; each 图斑 changes at most once. ``basic_tb``: the 图斑 on 永久基本农田
    (the pool of ``shed_basic_1202``, which has no fallback: without such a 图斑 it is not placed)."""
    pieces, tubans, tb_of = geom.pieces, geom.tubans, geom.tb_of
    used_tb: set[int] = set()
    out: list[Change] = []
    ok_cells = sorted({pieces[i].cell for i in dk_ok})
    strips = _strips(pieces, sorted(dk_ok))
    farm_tb = [
        i
        for i, tb in enumerate(tubans)
        if tb.dlbm in FARMLAND and i not in geom.unassigned_tb and all(c in geom.pieces_of_cell for c in tb.cells)
    ]

    ok_sorted = sorted(dk_ok)
    pools = {
        "homestead_0702": [i for i in ok_sorted if pieces[i].cell in near_home],
        "pond_1104A": [i for i in ok_sorted if geom.cls[pieces[i].cell] == "0102"],
        "shed_1202": ok_sorted,
        "lake_1104": ok_sorted,
        "shed_basic_1202": [i for i in ok_sorted if int(tb_of[pieces[i].cell]) in (basic_tb or set())],
    }

    def free(cell: int) -> bool:
        return int(tb_of[cell]) not in used_tb and cell not in geom.block_cells

    for kind in ORDER:
        to, how = KINDS[kind]
        for _ in range(quotas.get(kind, 0)):
            ch = None
            if how == "strip":
                cand = [
                    (key, v) for key, v in strips.items() if 0 < key[1] < pieces[v[0]].n_strips - 1 and free(key[0])
                ]
                if cand:
                    key, v = cand[int(g.integers(len(cand)))]
                    ch = Change(kind, int(tb_of[key[0]]), to, False, sorted(v), [key[0]])
            elif how in ("piece", "pieces"):
                pool = [i for i in pools[kind] if free(pieces[i].cell)]
                if not pool and kind != "shed_basic_1202":
                    pool = [i for i in ok_sorted if free(pieces[i].cell)]
                if pool:
                    i = pool[int(g.integers(len(pool)))]
                    sel = [i]
                    p = pieces[i]
                    if how == "pieces" and g.random() < 0.5:
                        nxt = [
                            q
                            for q in geom.pieces_of_cell[p.cell]
                            if q in dk_ok and pieces[q].k == p.k and pieces[q].j == p.j + 1
                        ]
                        sel += nxt
                    ch = Change(kind, int(tb_of[p.cell]), to, False, sel, [p.cell])
            elif how == "top" or (how == "whole_or_block" and g.random() < 0.5):
                cand = [c for c in ok_cells if free(c) and pieces[geom.pieces_of_cell[c][0]].n_strips >= 4]
                if cand:
                    c = cand[int(g.integers(len(cand)))]
                    K = pieces[geom.pieces_of_cell[c][0]].n_strips
                    ks = {K - 1, K - 2} if how == "top" else {K - 2, K - 3}
                    sel = [i for i in geom.pieces_of_cell[c] if pieces[i].k in ks]
                    if all(i in dk_ok for i in sel):
                        ch = Change(kind, int(tb_of[c]), to, False, sel, [c])
            if ch is None and how in ("whole", "whole_or_block"):
                cand = [
                    i for i in farm_tb if i not in used_tb and all(c not in geom.block_cells for c in tubans[i].cells)
                ]
                if kind == "forest_0301":
                    steep = [i for i in cand if tubans[i].level >= 4]
                    cand = steep or cand
                if cand:
                    i = cand[int(g.integers(len(cand)))]
                    ch = Change(kind, i, to, True, [], list(tubans[i].cells))
            if ch is not None:
                used_tb.add(ch.tb)
                out.append(ch)
    for ch in out:
        if ch.whole:
            ch.poly = geom.tb_poly[ch.tb]
        else:
            ch.poly = (
                shapely.coverage_union_all(geom.piece_poly[ch.pieces])
                if len(ch.pieces) > 1
                else geom.piece_poly[ch.pieces[0]]
            )
    return out


def remainder(geom, ch: Change) -> list[shapely.Polygon]:
    """What is left of the changed 图斑, as single polygons (largest first)."""
    tb = geom.tubans[ch.tb]
    parts = [geom.cell_poly[c] for c in tb.cells if c not in ch.cells]
    for c in ch.cells:
        parts += [geom.piece_poly[i] for i in geom.pieces_of_cell[c] if i not in ch.pieces]
    if not parts:
        return []
    u = shapely.coverage_union_all(parts) if len(parts) > 1 else parts[0]
    polys = list(shapely.get_parts(u))
    return sorted(polys, key=lambda p: -p.area)


def approval_polygon(poly: shapely.Geometry, partial: bool, g: np.random.Generator) -> shapely.Geometry:
    """An approved-land polygon a few metres larger than the change (or covering only part of it)."""
    buf = shapely.buffer(poly, float(g.uniform(3.0, 10.0)), join_style="mitre", mitre_limit=3.0)
    simp = shapely.simplify(buf, 0.5)
    out = simp if shapely.contains(simp, poly) else buf
    if partial:
        c = np.array(shapely.centroid(poly).coords[0])
        ang = g.uniform(0, np.pi)
        d = fm.unit(ang)
        n = np.array([-d[1], d[0]])
        r = 1e4
        half = shapely.Polygon([c + r * d, c + r * d + r * n, c - r * d + r * n, c - r * d])
        out = shapely.intersection(out, half)
        if out.geom_type != "Polygon":
            out = max(shapely.get_parts(out), key=lambda p: p.area)
    return out
