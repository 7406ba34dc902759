"""Helpers shared by the record builders, and the DLTB attributes of a 图斑.

Records are (WKB, values in schema order). Identifiers that must be unique across the whole
sample (BSM, feature ids) are left empty here and filled by the main process, which alone knows
how many features earlier townships wrote.
"""

from __future__ import annotations

import numpy as np
import shapely

from .landuse import FARMLAND
from .layout import Layout
from .rand import T_WORKER, rng
from .schema import DLMC, YSDM, ZZSXMC
from .structure import STATE, VILLAGE_OWNED
from .township import Geometry, Job


def r2(x: float) -> float:
    return float(round(x, 2))


def wkb(poly: shapely.Geometry) -> bytes:
    return shapely.to_wkb(poly, byte_order=1)


def wkbs(polys: list[shapely.Geometry]) -> list[bytes]:
    return list(shapely.to_wkb(np.array(polys, dtype=object), byte_order=1)) if polys else []


def point_of(p: shapely.Geometry) -> list[float]:
    c = shapely.point_on_surface(p) if not shapely.contains(p, shapely.centroid(p)) else shapely.centroid(p)
    return [round(c.x, 3), round(c.y, 3)]


class Ctx:
    """Shared state of one township's record building."""

    def __init__(self, lay: Layout, job: Job, geom: Geometry):
        self.lay, self.job, self.geom = lay, job, geom
        self.t = lay.townships[job.ti]
        self.rec = lay.recipe
        self.code = int(self.t.code)

    def g(self, k: int) -> np.random.Generator:
        return rng(self.lay.seed, T_WORKER, self.code, k)


def owner(ctx: Ctx, tb) -> tuple[str, str, str]:
    v = ctx.geom.villages[tb.village]
    if tb.dlbm in STATE:
        return "10", v.code + "0000000", "国有"
    if tb.dlbm in VILLAGE_OWNED or tb.group < 0:
        return "30", v.code + "0000000", v.name
    grp = v.groups[tb.group]
    return "30", grp.code + "00000", grp.name


def tb_values(ctx: Ctx, tb, area: float, year: int, dlbm: str | None = None, farm_attrs: dict | None = None) -> list:
    """DLTB values in schema order (BSM left empty for the main process)."""
    d = dlbm or tb.dlbm
    v = ctx.geom.villages[tb.village]
    qsxz, qsdm, qsmc = owner(ctx, tb)
    tbmj = r2(area)
    fa = farm_attrs if d in FARMLAND else None
    kcxs = fa["KCXS"] if fa else 0.0
    kcmj = r2(tbmj * kcxs)
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
        r2(tbmj - kcmj),
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


def farm_attrs(ctx: Ctx, river_tb: set[int]) -> dict[int, dict]:
    """Per farmland 图斑: deduction coefficient, terrace type, quality grade, planting attribute."""
    g = ctx.g(1)
    out = {}
    kc = ctx.rec["kcxs"]
    sv = ctx.rec["survey"]
    for i, tb in enumerate(ctx.geom.tubans):
        if tb.dlbm not in FARMLAND:
            continue
        lo, hi = kc[str(tb.level)]
        k = r2(g.uniform(lo, hi)) if hi > 0 else 0.0
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
