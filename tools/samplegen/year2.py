"""DLTB_2025 (next year's annual-change survey) and the approval layers around the changes.

Unchanged 图斑 are copied with only SJNF changed; a changed 图斑 is cut along the pieces the
change took, the largest remainder keeping its BSM. Approvals are written for some changes
(containing them, or only part of them) and for a few places where nothing changed.
"""

from __future__ import annotations

import numpy as np
import shapely

from . import admin, names
from .attrs import Ctx, point_of, r2, tb_values, wkb
from .changes import APPROVAL, APPROVED_WHOLE, ATTRIBUTE_ONLY, approval_polygon, remainder
from .landuse import FARMLAND
from .schema import ZZSXMC

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


def annual_change(ctx: Ctx, changes, tb_vals: list[list], fattr: dict, yjj_tb: set[int]):
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
    later: list = []  # (change, fact) of APPROVED_WHOLE kinds: approved after everything else

    def new_tbbh(tb) -> str:
        next_tbbh[tb.village] += 1
        return str(next_tbbh[tb.village])

    for i, tb in enumerate(geom.tubans):
        ch = by_tb.get(i)
        base = list(tb_vals[i])
        base[26] = year2
        if ch is None:
            out.append((wkb(geom.tb_poly[i]), base))
            refs.append(i)
            continue
        entry = {
            "kind": ch.kind,
            "tb": i,
            "from_dlbm": tb.dlbm,
            "to_dlbm": ch.to_dlbm or tb.dlbm,
            "area": r2(ch.poly.area),
            "centroid": point_of(ch.poly),
            "on_yjjbnt": i in yjj_tb,
        }
        if ch.kind in ATTRIBUTE_ONLY:
            code = ATTRIBUTE_ONLY[ch.kind]
            base[21], base[22] = code, ZZSXMC[code]
            entry.update({"from_zzsx": tb_vals[i][21], "to_zzsx": code, "geometry_changed": False})
            out.append((wkb(geom.tb_poly[i]), base))
            refs.append(i)
            entry["dltb_2025"] = len(out) - 1
            facts.append(entry)
            continue
        kept = []
        if not ch.whole:
            parts = remainder(geom, ch)
            for n_, part in enumerate(parts):
                vals = tb_values(ctx, tb, float(part.area), year2, farm_attrs=fattr.get(i))
                vals[21:23] = base[21:23]
                if n_ > 0:
                    vals[2] = vals[3] = new_tbbh(tb)
                out.append((wkb(part), vals))
                if n_ == 0:
                    refs.append(i)
                else:
                    refs.append(-(new_n + 1))
                    new_n += 1
                kept.append(len(out) - 1)
        vals = tb_values(ctx, tb, float(ch.poly.area), year2, dlbm=ch.to_dlbm)
        vals[2] = vals[3] = new_tbbh(tb)
        out.append((wkb(ch.poly), vals))
        refs.append(-(new_n + 1))
        new_n += 1
        entry.update({"dltb_2025": len(out) - 1, "remainder": kept, "geometry_changed": True})
        layer = APPROVAL.get(ch.kind)
        entry["approval"] = None
        entry["inside_approved"] = False
        if ch.kind in APPROVED_WHOLE:
            later.append((ch, entry))
        elif layer:
            u = g.random()
            if u < a_rec["inside"] + a_rec["partial"]:
                partial = u >= a_rec["inside"]
                poly = approval_polygon(ch.poly, partial, g)
                appr_n[layer] += 1
                rec_ = approval_record(ctx, layer, appr_n[layer], poly, ch.kind, g)
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
            appr[layer].append(approval_record(ctx, layer, appr_n[layer], poly, "extra", g))
    g_later = ctx.g(7)
    for ch, entry in later:
        layer = APPROVED_WHOLE[ch.kind]
        poly = approval_polygon(ch.poly, False, g_later)
        appr_n[layer] += 1
        rec_ = approval_record(ctx, layer, appr_n[layer], poly, ch.kind, g_later)
        appr[layer].append(rec_)
        entry["approval"] = {"layer": layer, "id": rec_[1][0], "partial": False}
        entry["inside_approved"] = bool(shapely.contains(poly, ch.poly))
    return out, refs, facts, appr


def approval_record(
    ctx: Ctx, layer: str, n: int, poly: shapely.Geometry, kind: str, g: np.random.Generator
) -> tuple[bytes, list]:
    """One approval (批准用地 / 设施农业备案 / 临时用地) with plausible documents and dates."""
    short = COUNTY_SHORT.get(ctx.t.county, "临县")
    num = int(ctx.t.code[6:9]) * 10 + n
    county_name = admin.load_divisions()[0][ctx.t.county].name
    mj = r2(poly.area)
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
    return wkb(poly), vals
