"""Leads (线索): a 巡田上报 from the field or a camera alarm, pre-judged like a change polygon but kept one case.

A change polygon is a finding of the desk; a lead is what somebody saw. Both are judged with
:func:`.prejudge.prejudge` against the same reference layers (永久基本农田, 批准用地, 设施农业用地备案, 临时用地,
城镇开发边界), so the desk sees at once whether the reported spot is approved land, a filed facility or 永农.
What differs, and why:

- **One lead, one case.** ``prejudge`` may split a candidate partly inside an approval into an approved piece
  and a rest. A lead is keyed by who reported it (package + report uuid, camera + second), so splitting it would
  give two cases for one key. Its pieces are merged back (:func:`judge_leads`): the case keeps the lead's whole
  geometry, the areas are summed over the pieces, the reasons and document numbers joined, and the category is
  the most serious of its pieces (:data:`SEVERITY`: 疑似违法 before 需外业核实 before the lawful ones) — a report
  half on approved land is still a problem for the half that is not.
- **Category and "needs field verification" combine as follows.** The category is the desk's pre-judgement
  (合法-已批准 … 疑似违法, 需外业核实), exactly as for a change polygon, so statistics and maps count a lead as they
  count any case. Field verification is not a category but where the case stands: every lead starts in 待下发
  (pending), is issued to the group, and closes only after the field evidence was reviewed (the workflow allows
  nothing shorter). The lead's own reason code (``field_report`` for a 巡田上报) stays first among the reasons,
  so the case list always says the case came from the field and was seen, not computed. Without reference
  layers there is nothing to judge against: category 需外业核实 (``verify``), as before.
- **永农 area.** With the 永久基本农田 layer the lead's overlap with it is measured; without it the caller gives
  an estimate (the coded parcels' 永农 area shared out by overlap, :func:`shared_basic_m2`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike

from .prejudge import LAWFUL, References, prejudge, priority_order

#: categories from the most to the least serious: the merged category of a lead is its most serious piece's
SEVERITY = ("suspect", "verify", "temporary", "facility", "approved")


@dataclass(frozen=True)
class LeadJudgement:
    """The pre-judgement of one lead (areas in m², ``docs`` joined with ``；``)."""

    category: str
    reasons: list[str]
    basic_m2: float
    approved_m2: float
    facility_m2: float
    temporary_m2: float
    boundary_m2: float
    docs: str
    priority: int


def overlap_m2(geoms: ArrayLike, others: ArrayLike) -> np.ndarray:
    """Area of each geometry covered by the union of ``others`` (overlapping ``others`` counted once)."""
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms))
    others = np.asarray([g for g in others if g is not None], dtype=object)
    if not len(geoms) or not len(others):
        return out
    tree = shapely.STRtree(others)
    for i, g in enumerate(geoms):
        if g is None:
            continue
        hits = tree.query(g, predicate="intersects")
        if len(hits):
            out[i] = float(shapely.area(shapely.intersection(g, shapely.union_all(others[hits]))))
    return out


def shared_basic_m2(geom, parcel_geoms: Sequence, parcel_basic_m2: Sequence[float]) -> float:
    """永农 area of ``geom`` estimated from the coded parcels it overlaps: each parcel's 永农 area times the share of
    the parcel ``geom`` covers (what is known without the 永久基本农田 layer)."""
    total = 0.0
    for parcel, basic in zip(parcel_geoms, parcel_basic_m2):
        area = float(shapely.area(parcel)) if parcel is not None else 0.0
        if area > 0 and basic:
            total += float(basic) * min(float(shapely.area(shapely.intersection(geom, parcel))) / area, 1.0)
    return total


def _merge_category(categories: list[str]) -> str:
    return min(categories, key=lambda c: SEVERITY.index(c) if c in SEVERITY else len(SEVERITY))


def judge_leads(geoms: ArrayLike, kinds: Sequence[str], basic_m2: ArrayLike, refs: References, today: str,
                repeats: ArrayLike | None = None, lead_reason: str | None = None) -> list[LeadJudgement]:
    """Pre-judge leads against ``refs`` as of ``today`` and merge each one's pieces back (module docstring).

    ``basic_m2`` is the caller's 永农 estimate, replaced by the measured overlap when ``refs.basic`` is given;
    ``lead_reason`` (e.g. ``field_report``) is put first among each lead's reasons. Priority: problem leads
    (suspect, verify) before lawful ones, then more 永农, larger area, more repeats (:func:`.prejudge.priority_order`).
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    basic = np.nan_to_num(np.asarray(basic_m2, dtype=float)) if n else np.zeros(0)
    if refs.basic is not None and n:
        basic = overlap_m2(geoms, refs.basic.geoms()[refs.basic.started(today)])
    reps = np.zeros(n) if repeats is None else np.asarray(repeats, dtype=float)
    result = prejudge(geoms, list(kinds), [""] * n, basic, refs, today, repeats=reps)
    out = []
    for i in range(n):
        rows = np.flatnonzero(result.candidate == i)
        reasons = [lead_reason] if lead_reason else []
        docs: list[str] = []
        for k in rows.tolist():
            reasons += [r for r in result.reasons[k] if r not in reasons]
            docs += [d for d in str(result.docs[k]).split("；") if d and d not in docs]
        out.append(LeadJudgement(
            _merge_category([str(result.category[k]) for k in rows.tolist()]) if len(rows) else "verify",
            reasons, round(float(result.basic_m2[rows].sum()), 2), round(float(result.approved_m2[rows].sum()), 2),
            round(float(result.facility_m2[rows].sum()), 2), round(float(result.temporary_m2[rows].sum()), 2),
            round(float(result.boundary_m2[rows].sum()), 2), "；".join(docs), 0))
    lawful = np.array([j.category in LAWFUL for j in out], dtype=int)
    rank = priority_order([j.basic_m2 for j in out], shapely.area(geoms) if n else [], reps) if n else np.zeros(0)
    order = np.lexsort((rank, lawful))
    final = np.empty(n, dtype=int)
    final[order] = np.arange(1, n + 1)
    return [LeadJudgement(**{**j.__dict__, "priority": int(p)}) for j, p in zip(out, final.tolist())]
