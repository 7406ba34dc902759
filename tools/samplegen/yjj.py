"""永久基本农田 (YJJBNTTB): about 80 % of the farmland, drawn on the farmland 图斑 lines.

Protection is chosen 图斑 by 图斑 (steep and village-edge farmland less often, as in practice), a
few neighbouring 图斑 are merged into one protection polygon and a few polygons are shifted by a
metre or two — the small disagreements a desk meets when overlaying the two surveys.
"""

from __future__ import annotations

import numpy as np
import shapely

from . import fmath as fm
from .attrs import Ctx, r2, wkb
from .landuse import FARMLAND
from .parcels import shifted
from .schema import DLMC, YSDM


def protected_farmland(ctx: Ctx, tb_area: list[float]) -> tuple[set[int], list, dict]:
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
            vec = fm.snap(g.uniform(lo, hi) * fm.unit(ang))
            poly = shifted(poly, vec)
            offsets.append({"YJJBNTTBBH": bh, "shift": [round(vec[0], 3), round(vec[1], 3)]})
        records.append(
            (
                wkb(poly),
                [
                    "",
                    YSDM["YJJBNTTB"],
                    tb.tbbh,
                    tb.dlbm,
                    DLMC[tb.dlbm],
                    v.code + "0000000",
                    v.name,
                    r2(poly.area),
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
