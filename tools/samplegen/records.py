"""Attribute records of every layer for one township, plus the facts the manifest reports.

The order matters: 永久基本农田 is chosen before contract parcels (their SFJBNT depends on it) and
changes before faults (faults avoid changed parcels, so the ground truth stays unambiguous).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from . import admin
from .attrs import Ctx, farm_attrs, point_of, r2, tb_values, wkb, wkbs
from .changes import choose_changes
from .dk import contract_parcels
from .landuse import FARMLAND
from .layout import Layout
from .schema import YSDM
from .township import Geometry, Job
from .year2 import annual_change
from .yjj import protected_farmland


def township_records(lay: Layout, job: Job, geom: Geometry) -> dict[str, Any]:
    """{"layers": {layer: [(wkb, values)]}, "facts": {...}} for the main process to write and report."""
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
        (wkb(tpoly), ["", YSDM["XZQ"], t.code + "000", t.name, r2(sum(tb_area)), r2(tpoly.area), "00", ""])
    )
    for v, vp in zip(geom.villages, vpoly):
        dc = sum(tb_area[i] for i, tb in enumerate(geom.tubans) if geom.villages[tb.village] is v)
        layers["CJDCQ"].append((wkb(vp), ["", YSDM["CJDCQ"], v.code + "0000000", v.name, r2(dc), "00", ""]))

    # --- DLTB 2024 ------------------------------------------------------------------------
    gcls = lay.cls
    river_tb = {int(geom.tb_of[c]) for c in range(len(tp.cells)) if np.any(gcls[tp.ring_n[c]] == "1101")}
    fattr = farm_attrs(ctx, river_tb)
    tb_vals = [tb_values(ctx, tb, tb_area[i], year, farm_attrs=fattr.get(i)) for i, tb in enumerate(geom.tubans)]
    layers["DLTB"] = list(zip(wkbs(geom.tb_poly), tb_vals))

    # --- which pieces are contract parcels ------------------------------------------------
    dk_ids = []
    for i, p in enumerate(geom.pieces):
        m = geom.block_cells.get(p.cell, 0)
        if m and p.k >= p.n_strips - m:
            continue
        dk_ids.append(i)
    dk_set = set(dk_ids)

    # --- 永久基本农田 ------------------------------------------------------------------------
    yjj_tb, yjj_records, yjj_facts = protected_farmland(ctx, tb_area)
    layers["YJJBNTTB"] = yjj_records
    facts["yjjbnt"] = yjj_facts

    # --- changes (before faults, which avoid them) ----------------------------------------
    home_cells = {c for c in range(len(tp.cells)) if np.any(gcls[tp.ring_n[c]] == "0702")}
    changes = choose_changes(job.quotas, geom, dk_set, home_cells, ctx.g(2), basic_tb=yjj_tb)
    changed_cells = {c for ch in changes for c in ch.cells}

    # --- DK -------------------------------------------------------------------------------
    dk_records, dk_facts = contract_parcels(ctx, dk_ids, dk_set, changed_cells, yjj_tb)
    layers["DK"] = dk_records
    facts.update(dk_facts)

    # --- unassigned farmland (机动地 / not contracted) --------------------------------------
    un = []
    for i in sorted(geom.unassigned_tb):
        p = geom.tb_poly[i]
        un.append({"kind": "whole_tuban", "tb": i, "area": r2(p.area), "centroid": point_of(p)})
    for c, m in sorted(geom.block_cells.items()):
        ids = [i for i in geom.pieces_of_cell[c] if i not in dk_set]
        if not ids:
            continue
        p = shapely.coverage_union_all(geom.piece_poly[ids])
        un.append(
            {"kind": "end_block", "tb": int(geom.tb_of[c]), "area": r2(p.area), "centroid": point_of(p), "strips": m}
        )
    facts["unassigned"] = un

    # --- DLTB 2025, approvals ---------------------------------------------------------------
    d25, refs, ch_facts, appr = annual_change(ctx, changes, tb_vals, fattr, yjj_tb)
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
        (wkb(poly), [ctx.t.code + "000", ctx.t.name, f"{county_name}国土空间总体规划（2021—2035年）", r2(poly.area)])
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
