"""Keeping codes stable across re-coding: match new farmland parcels to the previously coded ones.

A space code is printed on a warning post, so it must survive a re-run: a parcel that is still the
same parcel keeps its code. "The same" means the geometries overlap with IoU ≥ ``iou_keep`` (0.9 by
default) — a threshold above 0.5 makes the match one-to-one on both sides. Everything else gets a
new code that records where it came from: a split parcel's pieces name their parent, a merged
parcel names all of its parents, and a parent that is not kept is retired (never reused).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from .. import geos

NEW, KEPT, SPLIT, MERGE, RESHAPED = "XZ", "BL", "FG", "HB", "CZ"
"""Relation of a new parcel to the old ones: 新增, 保留, 分割, 合并, 调整 (reshaped / re-parcelled)."""


@dataclass(frozen=True)
class LineageOptions:
    iou_keep: float = 0.9
    #: an old parcel is a parent when it shares at least this share of the smaller of the two …
    min_share: float = 0.05
    #: … and at least this many m²
    min_area: float = 1.0


@dataclass
class Matching:
    kept: np.ndarray  # per new parcel: index of the old parcel whose code it keeps, or -1
    relation: np.ndarray  # per new parcel: NEW / KEPT / SPLIT / MERGE / RESHAPED
    edges: list[tuple[int, int, float]]  # (old index, new index, shared m²) for lineage


def _exact_keys(geoms: np.ndarray) -> np.ndarray:
    return shapely.to_wkb(shapely.normalize(geoms))


def match(old: np.ndarray, new: np.ndarray, opts: LineageOptions = LineageOptions()) -> Matching:
    """Match ``new`` parcels to ``old`` ones (both non-overlapping sets of polygons)."""
    n_new = len(new)
    kept = np.full(n_new, -1, dtype=np.int64)
    relation = np.full(n_new, NEW, dtype=object)
    edges: list[tuple[int, int, float]] = []
    if len(old) == 0 or n_new == 0:
        return Matching(kept, relation, edges)

    # 1. identical geometry (the common case of a re-run): a hash lookup, no overlay at all
    index = {key: i for i, key in enumerate(_exact_keys(old))}
    for j, key in enumerate(_exact_keys(new)):
        i = index.pop(key, None)
        if i is not None:
            kept[j] = i
    relation[kept >= 0] = KEPT
    old_left = np.fromiter(index.values(), dtype=np.int64, count=len(index))
    new_left = np.flatnonzero(kept < 0)
    if len(old_left) == 0 or len(new_left) == 0:
        return Matching(kept, relation, edges)

    # 2. everything else by overlap
    tree = shapely.STRtree(old[old_left])
    jj, ii = tree.query(new[new_left], predicate="intersects")
    jj, ii = new_left[jj], old_left[ii]
    shared = shapely.area(geos.intersection(new[jj], old[ii]))
    a_new, a_old = shapely.area(new[jj]), shapely.area(old[ii])
    iou = shared / np.maximum(a_new + a_old - shared, 1e-9)
    keep = iou >= opts.iou_keep
    kept[jj[keep]] = ii[keep]
    relation[jj[keep]] = KEPT

    parent = (shared >= opts.min_area) & (shared >= opts.min_share * np.minimum(a_new, a_old))
    edges = [(int(i), int(j), float(s)) for i, j, s in zip(ii[parent], jj[parent], shared[parent])]
    children: dict[int, set[int]] = {}
    parents: dict[int, set[int]] = {}
    for i, j, _ in edges:
        children.setdefault(i, set()).add(j)
        parents.setdefault(j, set()).add(i)
    kept_old = set(kept[kept >= 0].tolist())
    for j in new_left.tolist():
        if kept[j] >= 0 or j not in parents:
            continue
        ps = parents[j]
        if len(ps) == 1:
            (i,) = ps
            relation[j] = SPLIT if (len(children[i]) > 1 or i in kept_old) else RESHAPED
        else:
            relation[j] = MERGE if all(children[i] == {j} for i in ps) else RESHAPED
    edges = [e for e in edges if kept[e[1]] != e[0]]
    return Matching(kept, relation, edges)


def retire_reason(children: set[int], child_relations: list[str]) -> str:
    """Why an old code that no parcel keeps is retired: 'split', 'merged', 'reshaped' or 'deleted'."""
    if not children:
        return "deleted"
    if len(children) > 1:
        return "split"
    return "merged" if child_relations and child_relations[0] == MERGE else "reshaped"
