"""Contract-parcel (DK) records: codes, holders, 四至, and the parcels that are made faulty.

Faults are the point of a sample: the checks the plugin runs must find exactly what was put in,
so each fault goes to a parcel nobody else touched and is reported with what was done to it.
"""

from __future__ import annotations

import numpy as np
import shapely

from . import fmath as fm
from . import names
from .attrs import Ctx, r2, wkbs
from .landuse import FARMLAND
from .parcels import (
    COMPASS,
    across,
    assign_holders,
    cell_side_words,
    compass_index,
    invalid_version,
    overlap_into,
    piece_lookup,
    shifted,
)

Crossing = dict[int, tuple[np.ndarray, str]]  # piece -> (shift vector, kind)


def _order(geom, dk_ids: list[int]) -> tuple[list[int], dict[tuple[int, int], list[int]]]:
    """Parcels in code order (village, group, position) and grouped by (village, group)."""
    pieces = geom.pieces
    key = {
        i: (geom.vlab[pieces[i].cell], geom.glab[pieces[i].cell], pieces[i].cell, pieces[i].k, pieces[i].j)
        for i in dk_ids
    }
    order = sorted(dk_ids, key=lambda i: key[i])
    by_group: dict[tuple[int, int], list[int]] = {}
    for i in order:
        by_group.setdefault((int(geom.vlab[pieces[i].cell]), int(geom.glab[pieces[i].cell])), []).append(i)
    return order, by_group


def _pick_crossing(ctx: Ctx, order: list[int], changed_cells: set[int], g: np.random.Generator) -> Crossing:
    """Whole end strips whose outer side borders only non-farmland, to be pushed a few metres out
    of their 图斑: the shift then overlaps no other parcel, only the neighbouring land."""
    geom, lay, con = ctx.geom, ctx.lay, ctx.rec["contract"]
    pieces, tp = geom.pieces, geom.tp
    cand_v, cand_t = [], []
    for i in order:
        p = pieces[i]
        if p.n_strips < 2 or p.n_in_strip != 1 or p.cell in changed_cells or not p.outer:
            continue
        nbs = tp.ring_nb[p.cell][p.outer[:-1]]
        if len(nbs) == 0 or not np.all(lay.active[nbs]) or np.any(np.isin(lay.cls[nbs], FARMLAND)):
            continue
        other_village = any(
            tp.local.get(int(n_)) is None or geom.vlab[tp.local[int(n_)]] != geom.vlab[p.cell] for n_ in nbs
        )
        (cand_v if other_village else cand_t).append(i)
    n_cross = int(np.floor(con["crossing_fraction"] * len(order) + g.random()))
    n_v = min(len(cand_v), int(round(n_cross * con["crossing_village_share"])))
    pick = list(g.choice(cand_v, size=n_v, replace=False)) if n_v else []
    rest = min(len(cand_t), n_cross - n_v)
    pick += list(g.choice(cand_t, size=rest, replace=False)) if rest > 0 else []
    crossing: Crossing = {}
    for i in pick:
        p = pieces[int(i)]
        tb = geom.tubans[int(geom.tb_of[p.cell])]
        sign = -1.0 if p.k == 0 else 1.0
        vec = fm.snap(sign * tb.up * g.uniform(*con["crossing_shift_m"]))
        crossing[int(i)] = (vec, "crosses_village" if int(i) in cand_v else "crosses_tb")
    return crossing


def _inject_faults(
    ctx: Ctx,
    order: list[int],
    by_group: dict[tuple[int, int], list[int]],
    busy: set[int],
    changed_cells: set[int],
    dk_set: set[int],
    lookup,
    g: np.random.Generator,
):
    """Invalid rings, overlapping pairs and duplicate codes, each on parcels nobody else touched.
    Returns (replacement geometries, defect facts, duplicate-of map)."""
    geom, job = ctx.geom, ctx.job
    pieces = geom.pieces
    inner = [
        i
        for i in order
        if pieces[i].cell not in changed_cells
        and i not in busy
        and 0 < pieces[i].k < pieces[i].n_strips - 1
        and len(pieces[i].ring) >= 5
    ]
    geoms: dict[int, shapely.Geometry] = {}
    defects = []
    for kind in job.defects:
        for _ in range(50):
            if not inner:
                break
            i = inner.pop(int(g.integers(len(inner))))
            bad = invalid_version(geom.xy[pieces[i].ring], kind)
            if bad is not None:
                geoms[i] = bad
                busy.add(i)
                defects.append({"kind": kind, "piece": i, "reason": shapely.is_valid_reason(bad)})
                break
    for _ in range(job.overlap_pairs):
        cands = [i for i in inner if i not in busy and pieces[i].j + 1 < pieces[i].n_in_strip]
        done = False
        for _try in range(50):
            if not cands:
                break
            i = cands.pop(int(g.integers(len(cands))))
            nxt = across(lookup, pieces[i].cell, pieces[i].k, pieces[i].s1 + 1e-9)
            if nxt is None or nxt == i or nxt not in dk_set or nxt in busy:
                continue
            poly = overlap_into(geom.xy[pieces[i].ring], pieces[i].n_lower, geom.xy[pieces[nxt].ring], 2.5)
            if poly is None:
                continue
            geoms[i] = poly
            busy.update({i, nxt})
            ov = float(shapely.area(shapely.intersection(poly, geom.piece_poly[nxt])))
            defects.append({"kind": "overlap", "piece": i, "other": nxt, "overlap_area": r2(ov)})
            done = True
            break
        if not done:
            break
    dup_of: dict[int, int] = {}
    for _ in range(job.duplicates):
        cands = [i for i in order if i not in busy]
        if not cands:
            break
        i = cands[int(g.integers(len(cands)))]
        group = by_group[(int(geom.vlab[pieces[i].cell]), int(geom.glab[pieces[i].cell]))]
        same = [q for q in group if q != i and q not in busy]
        if not same:
            continue
        dup_of[i] = same[0]
        busy.update({i, same[0]})
        defects.append({"kind": "duplicate_dkbm", "piece": i, "other": same[0]})
    return geoms, defects, dup_of


def _along_position(p) -> float | None:
    """A position along the strip inside the piece (None for a piece spanning the whole strip)."""
    if np.isinf(p.s0) and np.isinf(p.s1):
        return None
    if np.isinf(p.s0):
        return p.s1 - 5.0
    if np.isinf(p.s1):
        return p.s0 + 5.0
    return 0.5 * (p.s0 + p.s1)


def contract_parcels(
    ctx: Ctx, dk_ids: list[int], dk_set: set[int], changed_cells: set[int], yjj_tb: set[int]
) -> tuple[list, dict]:
    """DK records with holders and 四至, crossing parcels and injected defects."""
    geom, lay = ctx.geom, ctx.lay
    con = ctx.rec["contract"]
    pieces, tp = geom.pieces, geom.tp
    order, by_group = _order(geom, dk_ids)
    groups_in = []
    for (vi, gi), ids in by_group.items():
        v = geom.villages[vi]
        groups_in.append((v.groups[gi].code, ids, v.surnames))
    hold = assign_holders(groups_in, ctx.g(4), tuple(con["parcels_per_household"]))
    dkbm: dict[int, str] = {}
    for (vi, gi), ids in by_group.items():
        code = geom.villages[vi].groups[gi].code
        for s, i in enumerate(ids, start=1):
            dkbm[i] = f"{code}{s:05d}"
    lookup = piece_lookup(pieces, list(range(len(pieces))))
    g = ctx.g(5)
    crossing = _pick_crossing(ctx, order, changed_cells, g)
    geoms, defects, dup_of = _inject_faults(ctx, order, by_group, set(crossing), changed_cells, dk_set, lookup, g)

    def word(nid: int | None, wall: str) -> str:
        """四至 word for a neighbour parcel (its holder), unassigned land, or what lies beyond."""
        if nid is None:
            return wall
        if nid not in dk_set:
            return "机动地"
        return hold.names[hold.holder[nid]] + "地"

    mix = con["dklb_mix"]
    dklb_codes = list(mix)
    dklb_p = np.array([mix[k] for k in dklb_codes], dtype=float)
    dklb_p /= dklb_p.sum()
    fid = {i: n for n, i in enumerate(order)}
    side_cache: dict[int, list[str]] = {}
    comp_cache: dict[int, int] = {}
    n_dk = len(order)
    draw_lb = g.choice(len(dklb_codes), size=n_dk, p=dklb_p)
    draw_dj = g.integers(-1, 2, n_dk)
    draw_dj2 = g.integers(2, 5, n_dk)
    draw_ht = g.uniform(*con["htmj_ratio"], n_dk)
    draw_nm = g.integers(0, len(names.FIELD_NAMES), n_dk)
    areas = shapely.area(geom.piece_poly[order]) if order else np.zeros(0)
    out_geoms = []
    values = []
    crossing_facts = []
    for n_, i in enumerate(order):
        p = pieces[i]
        c = p.cell
        tbi = int(geom.tb_of[c])
        tb = geom.tubans[tbi]
        gcode, hh = hold.holder[i]
        if c not in side_cache:
            ring = tp.rings[c]
            side_cache[c] = cell_side_words(
                geom.xy[ring].mean(axis=0), tb.up, geom.xy[ring], [str(x) for x in lay.cls[tp.ring_nb[c]]]
            )
        walls = side_cache[c]
        sm = _along_position(p)
        up_n = across(lookup, c, p.k + 1, sm) if p.k < p.n_strips - 1 else None
        dn_n = across(lookup, c, p.k - 1, sm) if p.k > 0 else None
        lf_n = across(lookup, c, p.k, p.s0 - 1e-9) if p.j > 0 else None
        rt_n = across(lookup, c, p.k, p.s1 + 1e-9) if p.j < p.n_in_strip - 1 else None
        frame = [word(up_n, walls[0]), word(lf_n, walls[1]), word(dn_n, walls[2]), word(rt_n, walls[3])]
        if tbi not in comp_cache:
            comp_cache[tbi] = compass_index(tb.up)
        ci = comp_cache[tbi]
        # frame order up, left, down, right = compass ci, ci+1, ci+2, ci+3
        compass = {COMPASS[(ci + k) % 4]: frame[k] for k in range(4)}
        area = float(areas[n_])
        if i in crossing:
            gm = shifted(geom.piece_poly[i], crossing[i][0])
        else:
            gm = geoms.get(i, geom.piece_poly[i])
        dklb = dklb_codes[int(draw_lb[n_])]
        if tb.dlbm == "0103":
            dldj = f"{min(10, max(3, tb.level + 3 + int(draw_dj[n_]))):02d}"
        else:
            dldj = f"{int(draw_dj2[n_]):02d}"
        scmjm = r2(area * 0.0015)
        code = dkbm[dup_of[i]] if i in dup_of else dkbm[i]
        out_geoms.append(gm)
        # fmt: off
        values.append([code, names.FIELD_NAMES[int(draw_nm[n_])], "31", dklb, "013" if tb.dlbm == "0103" else "012",
                       dldj, "1", "1" if tbi in yjj_tb else "2", r2(area), scmjm, r2(scmjm * float(draw_ht[n_])),
                       compass["东"], compass["南"], compass["西"], compass["北"], hold.names[(gcode, hh)],
                       gcode, f"{gcode}{hh:04d}", "机动地" if dklb == "22" else ""])
        # fmt: on
        if i in crossing:
            vec, kind = crossing[i]
            crossing_facts.append(
                {"fid": fid[i], "DKBM": code, "kind": kind, "shift": [round(vec[0], 3), round(vec[1], 3)], "tb": tbi}
            )
    records = list(zip(wkbs(out_geoms), values))
    for d in defects:
        d["fid"] = fid[d.pop("piece")]
        d["DKBM"] = values[d["fid"]][0]
        if "other" in d:
            d["other_fid"] = fid[d.pop("other")]
            d["other_DKBM"] = values[d["other_fid"]][0]
    return records, {"crossing": crossing_facts, "defects": defects, "dk_count": len(records)}
