"""Attribute records of every layer for one township, plus the facts the manifest reports.

Records are (WKB, values in schema order). Identifiers that must be unique across the whole
sample (BSM, feature ids) are left for the main process, which writes townships in order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from . import admin, names
from .changes import APPROVAL, approval_polygon, choose_changes, remainder
from .landuse import FARMLAND
from .layout import Layout
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
from .rand import T_WORKER, rng
from .schema import DLMC, YSDM, ZZSXMC
from .structure import STATE, VILLAGE_OWNED
from .township import Geometry, Job

COUNTY_SHORT = {
    "622901": "临市",
    "622921": "临县",
    "622922": "康县",
    "622923": "永县",
    "622924": "广县",
    "622925": "和县",
    "622926": "东县",
    "622927": "积县",
}


def _r2(x: float) -> float:
    return float(round(x, 2))


def _wkb(poly: shapely.Geometry) -> bytes:
    return shapely.to_wkb(poly, byte_order=1)


def _wkbs(polys: list[shapely.Geometry]) -> list[bytes]:
    return list(shapely.to_wkb(np.array(polys, dtype=object), byte_order=1)) if polys else []


class Ctx:
    """Shared state of one township's record building."""

    def __init__(self, lay: Layout, job: Job, geom: Geometry):
        self.lay, self.job, self.geom = lay, job, geom
        self.t = lay.townships[job.ti]
        self.rec = lay.recipe
        self.code = int(self.t.code)

    def g(self, k: int) -> np.random.Generator:
        return rng(self.lay.seed, T_WORKER, self.code, k)


def _owner(ctx: Ctx, tb) -> tuple[str, str, str]:
    v = ctx.geom.villages[tb.village]
    if tb.dlbm in STATE:
        return "10", v.code + "0000000", "国有"
    if tb.dlbm in VILLAGE_OWNED or tb.group < 0:
        return "30", v.code + "0000000", v.name
    grp = v.groups[tb.group]
    return "30", grp.code + "00000", grp.name


def _tb_values(ctx: Ctx, tb, area: float, year: int, dlbm: str | None = None, farm_attrs: dict | None = None) -> list:
    """DLTB values in schema order (BSM left empty for the main process)."""
    d = dlbm or tb.dlbm
    v = ctx.geom.villages[tb.village]
    qsxz, qsdm, qsmc = _owner(ctx, tb)
    tbmj = _r2(area)
    fa = farm_attrs if d in FARMLAND else None
    kcxs = fa["KCXS"] if fa else 0.0
    kcmj = _r2(tbmj * kcxs)
    widths = {ln["dlbm"]: ln["width"] for ln in ctx.rec["geometry"]["lines"].values()}
    czc = ""
    if d == "0702" or (d == "1201" and fa is None):
        czc = "202" if v.is_community and ctx.t.kind != "xiang" else "203"
    return [
        "",
        YSDM["DLTB"],
        tb.tbbh,
        tb.tbbh,
        d,
        DLMC[d],
        qsxz,
        qsdm,
        qsmc,
        v.code + "0000000",
        v.name,
        tbmj,
        "1203" if kcxs > 0 else "",
        kcxs,
        kcmj,
        _r2(tbmj - kcmj),
        fa["GDLX"] if fa else "",
        str(tb.level) if fa else "",
        float(widths.get(d, 0.0)),
        fa["TBXHDM"] if fa else "",
        fa["TBXHMC"] if fa else "",
        fa["ZZSXDM"] if fa else "",
        ZZSXMC.get(fa["ZZSXDM"], "") if fa else "",
        fa["GDDB"] if fa else None,
        "0",
        czc,
        year,
        "00",
        "",
    ]


def _farm_attrs(ctx: Ctx, river_tb: set[int]) -> dict[int, dict]:
    """Per farmland 图斑: deduction coefficient, terrace type, quality grade, planting attribute."""
    g = ctx.g(1)
    out = {}
    kc = ctx.rec["kcxs"]
    sv = ctx.rec["survey"]
    for i, tb in enumerate(ctx.geom.tubans):
        if tb.dlbm not in FARMLAND:
            continue
        lo, hi = kc[str(tb.level)]
        k = _r2(g.uniform(lo, hi)) if hi > 0 else 0.0
        glo, ghi = ctx.rec["gddb"][tb.dlbm]
        river = i in river_tb and g.random() < sv["river_farmland_tbxh"]
        out[i] = {
            "KCXS": k,
            "GDLX": "TT" if tb.level >= 3 else ("PD" if tb.level == 2 else ""),
            "GDDB": int(g.integers(glo, ghi + 1)),
            "ZZSXDM": "FLS" if g.random() < sv["fls_fraction"] else "LS",
            "TBXHDM": "HDGD" if river else "",
            "TBXHMC": "河道耕地" if river else "",
        }
    return out


def township_records(lay: Layout, job: Job, geom: Geometry) -> dict[str, Any]:
    ctx = Ctx(lay, job, geom)
    t, rec = ctx.t, ctx.rec
    tp = geom.tp
    year = rec["survey_year"]
    layers: dict[str, list[tuple[bytes, list]]] = {
        k: [] for k in ("XZQ", "CJDCQ", "DLTB", "YJJBNTTB", "DK", "DLTB_2025", "PZYD", "SSNYDBA", "LSYD", "CZKFBJ")
    }
    facts: dict[str, Any] = {"township": t.code, "name": t.name, "county": t.county}

    # --- admin polygons -----------------------------------------------------------------
    vpoly = [shapely.coverage_union_all(geom.cell_poly[v.cells]) for v in geom.villages]
    tpoly = shapely.coverage_union_all(vpoly)
    tb_area = [float(shapely.area(p)) for p in geom.tb_poly]
    layers["XZQ"].append(
        (_wkb(tpoly), ["", YSDM["XZQ"], t.code + "000", t.name, _r2(sum(tb_area)), _r2(tpoly.area), "00", ""])
    )
    for v, vp in zip(geom.villages, vpoly):
        dc = sum(tb_area[i] for i, tb in enumerate(geom.tubans) if geom.villages[tb.village] is v)
        layers["CJDCQ"].append((_wkb(vp), ["", YSDM["CJDCQ"], v.code + "0000000", v.name, _r2(dc), "00", ""]))

    # --- DLTB 2024 ------------------------------------------------------------------------
    gcls = lay.cls
    river_tb = {int(geom.tb_of[c]) for c in range(len(tp.cells)) if np.any(gcls[tp.ring_n[c]] == "1101")}
    fattr = _farm_attrs(ctx, river_tb)
    tb_vals = [_tb_values(ctx, tb, tb_area[i], year, farm_attrs=fattr.get(i)) for i, tb in enumerate(geom.tubans)]
    layers["DLTB"] = list(zip(_wkbs(geom.tb_poly), tb_vals))

    # --- which pieces are contract parcels ------------------------------------------------
    dk_ids = []
    for i, p in enumerate(geom.pieces):
        m = geom.block_cells.get(p.cell, 0)
        if m and p.k >= p.n_strips - m:
            continue
        dk_ids.append(i)
    dk_set = set(dk_ids)

    # --- 永久基本农田 ------------------------------------------------------------------------
    yjj_tb, yjj_records, yjj_facts = _yjjbnt(ctx, tb_vals, tb_area, fattr)
    layers["YJJBNTTB"] = yjj_records
    facts["yjjbnt"] = yjj_facts

    # --- changes (before faults, which avoid them) ----------------------------------------
    home_cells = {c for c in range(len(tp.cells)) if np.any(gcls[tp.ring_n[c]] == "0702")}
    changes = choose_changes(job.quotas, geom, dk_set, home_cells, ctx.g(2))
    changed_cells = {c for ch in changes for c in ch.cells}

    # --- DK -------------------------------------------------------------------------------
    dk_records, dk_facts = _contract_parcels(ctx, dk_ids, dk_set, changed_cells, yjj_tb)
    layers["DK"] = dk_records
    facts.update(dk_facts)

    # --- unassigned farmland (机动地 / not contracted) --------------------------------------
    un = []
    for i in sorted(geom.unassigned_tb):
        p = geom.tb_poly[i]
        un.append({"kind": "whole_tuban", "tb": i, "area": _r2(p.area), "centroid": _xy(p)})
    for c, m in sorted(geom.block_cells.items()):
        ids = [i for i in geom.pieces_of_cell[c] if i not in dk_set]
        if not ids:
            continue
        p = shapely.coverage_union_all(geom.piece_poly[ids])
        un.append({"kind": "end_block", "tb": int(geom.tb_of[c]), "area": _r2(p.area), "centroid": _xy(p), "strips": m})
    facts["unassigned"] = un

    # --- DLTB 2025, approvals ---------------------------------------------------------------
    d25, refs, ch_facts, appr = _year2(ctx, changes, tb_vals, fattr, yjj_tb)
    layers["DLTB_2025"] = d25
    facts["dltb_2025_refs"] = refs
    facts["changes"] = ch_facts
    for k, v in appr.items():
        layers[k] = v
    layers["CZKFBJ"] = _czkfbj(ctx, tpoly)

    # --- facts for roster, tracks and totals -----------------------------------------------
    facts["villages"] = [
        {"code": v.code, "name": v.name, "groups": [[gr.code, gr.name] for gr in v.groups]} for v in geom.villages
    ]
    if job.tracks:
        facts["track_data"] = _track_data(ctx, dk_ids)
    farm_area = sum(tb_area[i] for i, tb in enumerate(geom.tubans) if tb.dlbm in FARMLAND)
    facts["farmland_area"] = farm_area
    facts["yjjbnt_area"] = sum(float(shapely.area(shapely.from_wkb(w))) for w, _ in yjj_records)
    return {"layers": layers, "facts": facts}


def _xy(p: shapely.Geometry) -> list[float]:
    c = shapely.point_on_surface(p) if not shapely.contains(p, shapely.centroid(p)) else shapely.centroid(p)
    return [round(c.x, 3), round(c.y, 3)]


def _yjjbnt(ctx: Ctx, tb_vals: list[list], tb_area: list[float], fattr: dict) -> tuple[set[int], list, dict]:
    """~80 % of farmland by area as 永久基本农田, following 图斑 lines (a few merged, a few off)."""
    geom, rec = ctx.geom, ctx.rec["yjjbnt"]
    g = ctx.g(3)
    farm = [i for i, tb in enumerate(geom.tubans) if tb.dlbm in FARMLAND]
    total = sum(tb_area[i] for i in farm)
    score = {
        i: g.random() + 0.5 * (geom.tubans[i].level >= 5) + 0.3 * (geom.villages[geom.tubans[i].village].is_community)
        for i in farm
    }
    chosen: list[int] = []
    acc = 0.0
    for i in sorted(farm, key=lambda i: score[i]):
        if acc >= rec["target_fraction"] * total:
            break
        chosen.append(i)
        acc += tb_area[i]
    sel = set(chosen)
    # merge some neighbouring pairs (same village and class) into one protection 图斑
    tp = geom.tp
    nb_tb: dict[int, set[int]] = {}
    for c in range(len(tp.cells)):
        a = int(geom.tb_of[c])
        if a not in sel:
            continue
        for n_ in tp.ring_n[c].tolist():
            j = tp.local.get(n_)
            if j is None:
                continue
            b = int(geom.tb_of[j])
            if (
                b != a
                and b in sel
                and geom.tubans[b].village == geom.tubans[a].village
                and geom.tubans[b].dlbm == geom.tubans[a].dlbm
            ):
                nb_tb.setdefault(a, set()).add(b)
    merged: dict[int, int] = {}
    for a in sorted(nb_tb):
        if a in merged or g.random() >= rec["merge_fraction"]:
            continue
        for b in sorted(nb_tb[a]):
            if b not in merged and b != a:
                merged[a] = a
                merged[b] = a
                break
    n_off = ctx.job.quotas.get("yjj_offset", 0)
    records = []
    offsets = []
    seq: dict[int, int] = {}
    groups: dict[int, list[int]] = {}
    for i in sorted(sel):
        groups.setdefault(merged.get(i, i), []).append(i)
    keys = sorted(groups)
    off_keys = (
        set(int(k) for k in g.choice(keys, size=min(n_off, len(keys)), replace=False)) if n_off and keys else set()
    )
    for key in keys:
        members = groups[key]
        poly = (
            geom.tb_poly[members[0]]
            if len(members) == 1
            else shapely.coverage_union_all([geom.tb_poly[m] for m in members])
        )
        tb = geom.tubans[key]
        v = geom.villages[tb.village]
        seq[tb.village] = seq.get(tb.village, 0) + 1
        bh = f"{v.code}{seq[tb.village]:04d}"
        bz = "合并图斑" if len(members) > 1 else ""
        if key in off_keys:
            lo, hi = rec["offset_m"]
            ang = g.uniform(0, 2 * np.pi)
            vec = g.uniform(lo, hi) * np.array([np.cos(ang), np.sin(ang)])
            poly = shifted(poly, vec)
            offsets.append({"YJJBNTTBBH": bh, "shift": [round(vec[0], 3), round(vec[1], 3)]})
        records.append(
            (
                _wkb(poly),
                [
                    "",
                    YSDM["YJJBNTTB"],
                    tb.tbbh,
                    tb.dlbm,
                    DLMC[tb.dlbm],
                    v.code + "0000000",
                    v.name,
                    _r2(poly.area),
                    bh,
                    bz,
                ],
            )
        )
    return (
        sel,
        records,
        {
            "merged": sum(1 for m in groups.values() if len(m) > 1),
            "offset": offsets,
            "farmland_area": total,
            "selected_area": acc,
        },
    )


def _contract_parcels(
    ctx: Ctx, dk_ids: list[int], dk_set: set[int], changed_cells: set[int], yjj_tb: set[int]
) -> tuple[list, dict]:
    """DK records with holders and 四至, crossing parcels and injected defects."""
    geom, lay, job = ctx.geom, ctx.lay, ctx.job
    con = ctx.rec["contract"]
    pieces, tp = geom.pieces, geom.tp
    # order: village, group, then position
    key = {
        i: (geom.vlab[pieces[i].cell], geom.glab[pieces[i].cell], pieces[i].cell, pieces[i].k, pieces[i].j)
        for i in dk_ids
    }
    order = sorted(dk_ids, key=lambda i: key[i])
    by_group: dict[tuple[int, int], list[int]] = {}
    for i in order:
        by_group.setdefault((int(geom.vlab[pieces[i].cell]), int(geom.glab[pieces[i].cell])), []).append(i)
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

    # crossing parcels: whole caps pushed a few metres out of their 图斑
    crossing: dict[int, tuple[np.ndarray, str]] = {}
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
    up_of = {}
    for i in pick:
        p = pieces[int(i)]
        tb = geom.tubans[int(geom.tb_of[p.cell])]
        up_of[int(i)] = tb.up
        sign = -1.0 if p.k == 0 else 1.0
        vec = sign * tb.up * g.uniform(*con["crossing_shift_m"])
        crossing[int(i)] = (vec, "crosses_village" if int(i) in cand_v else "crosses_tb")

    # faults on other parcels: invalid rings, overlapping pairs, duplicate codes
    busy = set(crossing)
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
            defects.append({"kind": "overlap", "piece": i, "other": nxt, "overlap_area": _r2(ov)})
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
        same = [
            q
            for q in by_group[(int(geom.vlab[pieces[i].cell]), int(geom.glab[pieces[i].cell]))]
            if q != i and q not in busy
        ]
        if not same:
            continue
        q = same[0]
        dup_of[i] = q
        busy.update({i, q})
        defects.append({"kind": "duplicate_dkbm", "piece": i, "other": q})

    # records
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
        v = geom.villages[tb.village]
        gcode, hh = hold.holder[i]
        holder = hold.names[(gcode, hh)]
        if c not in side_cache:
            ring = tp.rings[c]
            side_cache[c] = cell_side_words(
                geom.xy[ring].mean(axis=0), tb.up, geom.xy[ring], [str(x) for x in lay.cls[tp.ring_nb[c]]]
            )
        walls = side_cache[c]
        sm = (
            None
            if (np.isinf(p.s0) and np.isinf(p.s1))
            else (p.s1 - 5.0 if np.isinf(p.s0) else p.s0 + 5.0 if np.isinf(p.s1) else 0.5 * (p.s0 + p.s1))
        )

        def word(nid: int | None, wall: str) -> str:
            if nid is None:
                return wall
            if nid not in dk_set:
                return "机动地"
            return hold.names[hold.holder[nid]] + "地"

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
        gm = geoms.get(i)
        if i in crossing:
            vec, kind = crossing[i]
            gm = shifted(geom.piece_poly[i], vec)
        if gm is None:
            gm = geom.piece_poly[i]
        dklb = dklb_codes[int(draw_lb[n_])]
        dldj = (
            f"{min(10, max(3, tb.level + 3 + int(draw_dj[n_]))):02d}"
            if tb.dlbm == "0103"
            else f"{int(draw_dj2[n_]):02d}"
        )
        scmjm = _r2(area * 0.0015)
        code = dkbm[dup_of[i]] if i in dup_of else dkbm[i]
        out_geoms.append(gm)
        values.append(
            [
                code,
                names.FIELD_NAMES[int(draw_nm[n_])],
                "31",
                dklb,
                "013" if tb.dlbm == "0103" else "012",
                dldj,
                "1",
                "1" if tbi in yjj_tb else "2",
                _r2(area),
                scmjm,
                _r2(scmjm * float(draw_ht[n_])),
                compass["东"],
                compass["南"],
                compass["西"],
                compass["北"],
                holder,
                gcode,
                f"{gcode}{hh:04d}",
                "机动地" if dklb == "22" else "",
            ]
        )
        if i in crossing:
            vec, kind = crossing[i]
            crossing_facts.append(
                {"fid": fid[i], "DKBM": code, "kind": kind, "shift": [round(vec[0], 3), round(vec[1], 3)], "tb": tbi}
            )
    records = list(zip(_wkbs(out_geoms), values))
    for d in defects:
        d["fid"] = fid[d.pop("piece")]
        d["DKBM"] = values[d["fid"]][0]
        if "other" in d:
            d["other_fid"] = fid[d.pop("other")]
            d["other_DKBM"] = values[d["other_fid"]][0]
    return records, {"crossing": crossing_facts, "defects": defects, "dk_count": len(records)}


def _year2(ctx: Ctx, changes, tb_vals: list[list], fattr: dict, yjj_tb: set[int]):
    """DLTB_2025 records (with BSM references), change facts and approval layers."""
    geom, rec = ctx.geom, ctx.rec
    g = ctx.g(6)
    year2 = rec["change_year"]
    by_tb = {ch.tb: ch for ch in changes}
    out: list[tuple[bytes, list]] = []
    refs: list[int] = []  # >=0: reuse the 2024 BSM of that 图斑; <0: new feature -(n+1)
    new_n = 0
    next_tbbh: dict[int, int] = {}
    for tb in geom.tubans:
        next_tbbh[tb.village] = max(next_tbbh.get(tb.village, 0), int(tb.tbbh))
    facts = []
    appr: dict[str, list] = {"PZYD": [], "SSNYDBA": [], "LSYD": []}
    appr_n = {"PZYD": 0, "SSNYDBA": 0, "LSYD": 0}
    a_rec = rec["changes"]["approved"]

    def new_tbbh(tb) -> str:
        next_tbbh[tb.village] += 1
        return str(next_tbbh[tb.village])

    for i, tb in enumerate(geom.tubans):
        ch = by_tb.get(i)
        base = list(tb_vals[i])
        base[26] = year2
        if ch is None:
            out.append((_wkb(geom.tb_poly[i]), base))
            refs.append(i)
            continue
        entry = {
            "kind": ch.kind,
            "tb": i,
            "from_dlbm": tb.dlbm,
            "to_dlbm": ch.to_dlbm or tb.dlbm,
            "area": _r2(ch.poly.area),
            "centroid": _xy(ch.poly),
            "on_yjjbnt": i in yjj_tb,
        }
        if ch.kind == "fls":
            base[21], base[22] = "FLS", ZZSXMC["FLS"]
            entry.update({"from_zzsx": tb_vals[i][21], "to_zzsx": "FLS", "geometry_changed": False})
            out.append((_wkb(geom.tb_poly[i]), base))
            refs.append(i)
            entry["dltb_2025"] = len(out) - 1
            facts.append(entry)
            continue
        kept = []
        if not ch.whole:
            parts = remainder(geom, ch)
            for n_, part in enumerate(parts):
                vals = _tb_values(ctx, tb, float(part.area), year2, farm_attrs=fattr.get(i))
                vals[21:23] = base[21:23]
                if n_ > 0:
                    vals[2] = vals[3] = new_tbbh(tb)
                out.append((_wkb(part), vals))
                if n_ == 0:
                    refs.append(i)
                else:
                    refs.append(-(new_n + 1))
                    new_n += 1
                kept.append(len(out) - 1)
        vals = _tb_values(ctx, tb, float(ch.poly.area), year2, dlbm=ch.to_dlbm)
        vals[2] = vals[3] = new_tbbh(tb)
        out.append((_wkb(ch.poly), vals))
        refs.append(-(new_n + 1))
        new_n += 1
        entry.update({"dltb_2025": len(out) - 1, "remainder": kept, "geometry_changed": True})
        layer = APPROVAL.get(ch.kind)
        entry["approval"] = None
        entry["inside_approved"] = False
        if layer:
            u = g.random()
            if u < a_rec["inside"] + a_rec["partial"]:
                partial = u >= a_rec["inside"]
                poly = approval_polygon(ch.poly, partial, g)
                appr_n[layer] += 1
                rec_ = _approval_record(ctx, layer, appr_n[layer], poly, ch.kind, g)
                appr[layer].append(rec_)
                entry["approval"] = {"layer": layer, "id": rec_[1][0], "partial": partial}
                entry["inside_approved"] = bool(shapely.contains(poly, ch.poly))
        facts.append(entry)
    # approvals that match no change (granted but not built, or elsewhere)
    extra = ctx.job.quotas
    changed_cells = {c for ch in changes for c in ch.cells}
    farm_cells = [c for c in range(len(geom.tp.cells)) if geom.cls[c] in FARMLAND and c not in changed_cells]
    for layer in ("PZYD", "SSNYDBA", "LSYD"):
        for _ in range(extra.get("extra_" + layer, 0)):
            if not farm_cells:
                break
            c = farm_cells.pop(int(g.integers(len(farm_cells))))
            poly = shapely.buffer(shapely.centroid(geom.cell_poly[c]), float(g.uniform(12, 30)), quad_segs=2)
            appr_n[layer] += 1
            appr[layer].append(_approval_record(ctx, layer, appr_n[layer], poly, "extra", g))
    return out, refs, facts, appr


def _approval_record(
    ctx: Ctx, layer: str, n: int, poly: shapely.Geometry, kind: str, g: np.random.Generator
) -> tuple[bytes, list]:
    """One approval (批准用地 / 设施农业备案 / 临时用地) with plausible documents and dates."""
    short = COUNTY_SHORT.get(ctx.t.county, "临县")
    num = int(ctx.t.code[6:9]) * 10 + n
    county_name = admin.load_divisions()[0][ctx.t.county].name
    mj = _r2(poly.area)
    month, day = int(g.integers(1, 13)), int(g.integers(1, 28))
    if layer == "PZYD":
        homestead = kind in ("homestead_0702",) or (kind == "extra" and g.random() < 0.5)
        if homestead:
            who = names.person(g)
            vals = [
                f"{short}政农转〔2024〕{num}号",
                "农转用",
                f"2024-{month:02d}-{day:02d}",
                mj,
                who,
                f"农村村民住宅建设（{who}）",
            ]
        else:
            vals = [
                f"甘政国土征〔2024〕{num}号",
                "征收",
                f"2024-{month:02d}-{day:02d}",
                mj,
                f"{county_name}交通运输局",
                f"{ctx.t.name}通村公路改建工程",
            ]
    elif layer == "SSNYDBA":
        kind_s = ["种植设施", "畜禽养殖设施", "辅助设施"][int(g.integers(3))]
        vals = [
            f"{short}设农备〔2025〕{num}号",
            f"2025-{min(month, 5):02d}-{day:02d}",
            mj,
            kind_s,
            names.person(g) + ("养殖合作社" if kind_s == "畜禽养殖设施" else "种植专业合作社"),
        ]
    else:
        vals = [
            f"{short}自然资临〔2025〕{num}号",
            f"2025-{min(month, 5):02d}-{day:02d}",
            f"2027-{month:02d}-{day:02d}",
            mj,
            f"{county_name}交通运输局",
            f"{ctx.t.name}道路施工临时用地",
        ]
    return _wkb(poly), vals


def _czkfbj(ctx: Ctx, tpoly: shapely.Geometry) -> list:
    """城镇开发边界 round the seat settlement of a town or street office."""
    geom = ctx.geom
    if ctx.t.kind == "xiang":
        return []
    comm = [vi for vi, v in enumerate(geom.villages) if v.is_community]
    if not comm:
        return []
    cells = [c for c in range(len(geom.tp.cells)) if geom.vlab[c] == comm[0] and geom.cls[c] == "0702"]
    if not cells:
        return []
    hull = shapely.convex_hull(shapely.union_all(geom.cell_poly[cells]))
    poly = shapely.intersection(shapely.buffer(hull, 120.0, quad_segs=4), tpoly)
    if poly.geom_type != "Polygon":
        poly = max(shapely.get_parts(poly), key=lambda p: p.area)
    county_name = admin.load_divisions()[0][ctx.t.county].name
    return [
        (_wkb(poly), [ctx.t.code + "000", ctx.t.name, f"{county_name}国土空间总体规划（2021—2035年）", _r2(poly.area)])
    ]


def _track_data(ctx: Ctx, dk_ids: list[int]) -> dict[str, Any]:
    """What the track simulator needs: each group's farmland points and its village centre."""
    geom, lay = ctx.geom, ctx.lay
    out: dict[str, Any] = {}
    by: dict[tuple[int, int], list[int]] = {}
    for i in dk_ids:
        c = geom.pieces[i].cell
        by.setdefault((int(geom.vlab[c]), int(geom.glab[c])), []).append(i)
    for vi, v in enumerate(geom.villages):
        centre = lay.displacement(v.centre[None, :])[0] + np.array(admin.ORIGIN)
        for gi, gr in enumerate(v.groups):
            ids = by.get((vi, gi), [])
            pts = shapely.get_coordinates(shapely.centroid(geom.piece_poly[ids])).tolist() if ids else []
            out[gr.code] = {"name": gr.name, "village": v.name, "home": centre.tolist(), "farm": pts}
    return out
