"""Per-township jobs: everything counted sample-wide (changes, faults, unassigned farmland,
approvals …) is split over the townships here, in the main process, so that the totals are exact
and independent of how townships are scheduled."""

from __future__ import annotations

import numpy as np

from .landuse import FARMLAND
from .layout import Layout
from .rand import T_DEFECTS, rng
from .township import Job

#: changes added by issue 18 (挖湖造景, a filed greenhouse on 永久基本农田, 撂荒 WG) per reference size; unlike the
#: recipe's ``counts`` they get no minimum of 1 and are rounded down, so that the small reference sample
#: (size 2 000, ``resources/sample/reference_digest.json``) stays bit for bit what it was. A recipe may set
#: ``changes.later_counts`` to change them.
LATER_COUNTS = {"lake_1104": 3, "shed_basic_1202": 2, "wg": 6}


def _distribute(total: int, weights: np.ndarray) -> list[int]:
    """Split an integer total over townships in proportion to weights (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return [0] * len(w)
    share = w / w.sum() * total
    base = np.floor(share).astype(int)
    for i in np.argsort(-(share - base), kind="stable")[: total - int(base.sum())]:
        base[i] += 1
    return base.tolist()


def plan_jobs(lay: Layout, tracks: bool) -> list[Job]:
    """Per-township quotas of everything counted sample-wide (changes, faults, approvals …)."""
    rec = lay.recipe
    n = len(lay.townships)
    farm = np.array([lay.mesh.area[c][np.isin(lay.cls[c], FARMLAND)].sum() for c in lay.cells_of])
    farm_cells = np.array([np.isin(lay.cls[c], FARMLAND).sum() for c in lay.cells_of])
    jobs = [Job(i) for i in range(n)]
    ch = rec["changes"]
    scale = lay.size / ch["reference_size"] if ch["scale_with_size"] else 1.0
    quotas: dict[str, list[int]] = {}
    for kind, cnt in ch["counts"].items():
        quotas[kind] = _distribute(max(1, int(round(cnt * scale))), farm)
    for kind, cnt in ch.get("later_counts", LATER_COUNTS).items():
        quotas[kind] = _distribute(int(cnt * scale), farm)  # no minimum of 1: see LATER_COUNTS
    con = rec["contract"]
    est_tb = farm_cells.sum() / 1.7
    quotas["unassigned_whole"] = _distribute(max(1, int(round(con["unassigned_whole_fraction"] * est_tb))), farm)
    quotas["unassigned_block"] = _distribute(max(1, int(round(con["unassigned_block_fraction"] * est_tb))), farm)
    quotas["yjj_offset"] = _distribute(int(rec["yjjbnt"]["offset_count"]), farm)
    for layer, cnt in ch["extra_approvals"].items():
        quotas["extra_" + layer] = _distribute(max(0, int(round(cnt * max(scale, 1.0)))), farm)
    for kind, lst in quotas.items():
        for j, q in zip(jobs, lst):
            if q:
                j.quotas[kind] = q
    # faults go to the townships with most farmland, one fault each, in a seeded order
    d = rec["defects"]
    order = list(np.argsort(-farm, kind="stable"))
    g = rng(lay.seed, T_DEFECTS)
    top = order[: max(1, min(len(order), 8))]
    top = [int(x) for x in g.permutation(top)]
    slots = (
        list(d["invalid_geometries"]) + ["overlap"] * int(d["overlap_pairs"]) + ["duplicate"] * int(d["duplicate_dkbm"])
    )
    for k, kind in enumerate(slots):
        j = jobs[top[k % len(top)]]
        if kind == "overlap":
            j.overlap_pairs += 1
        elif kind == "duplicate":
            j.duplicates += 1
        else:
            j.defects.append(kind)
    if tracks:
        if lay.size <= rec["tracks"]["max_size_all_townships"]:
            for j in jobs:
                j.tracks = True
        else:
            seat = next((t.index for t in lay.townships if t.is_county_seat), 0)
            jobs[seat].tracks = True
    return jobs
