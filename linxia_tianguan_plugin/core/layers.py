"""Columnar input layers for the coding kernel, read once and shared by every township chunk.

Geometries are kept as WKB (half the memory of live GEOS objects) and turned into shapely objects
only for the township being coded, which keeps a prefecture-sized run (2.5 million parcels) bounded.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import shapely

from .geometry import EMPTY, NOT_POLYGONAL, OK, REPAIRED, repair

BATCH = 50_000


@dataclass
class Issue:
    """Something the analyst must know about an input feature or a result; never a silent drop."""

    kind: str
    layer: str
    fid: int | None = None
    key: str = ""
    value: float | None = None
    other: str = ""
    wkb: bytes | None = None


@dataclass
class Layer:
    """One input layer: feature ids, WKB geometries, bounding boxes, planar areas and attributes."""

    name: str
    fid: np.ndarray
    wkb: np.ndarray
    bounds: np.ndarray
    area: np.ndarray
    attrs: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.fid)

    def geoms(self, index: np.ndarray) -> np.ndarray:
        return shapely.from_wkb(self.wkb[index])

    def attr(self, name: str) -> np.ndarray:
        return self.attrs[name]


_STATUS_ISSUE = {REPAIRED: "geometry_repaired", EMPTY: "geometry_empty", NOT_POLYGONAL: "geometry_not_polygonal"}


def _prepare_batch(wkb: np.ndarray):
    with np.errstate(all="ignore"):
        return _prepare(wkb)


def _prepare(wkb: np.ndarray):
    geoms, status = repair(shapely.from_wkb(wkb, on_invalid="warn"))
    present = ~shapely.is_missing(geoms)
    bounds = np.full((len(wkb), 4), np.nan)
    area = np.zeros(len(wkb))
    bounds[present] = shapely.bounds(geoms[present])
    area[present] = shapely.area(geoms[present])
    fixed = np.flatnonzero(status == REPAIRED)
    out = wkb.copy()
    if len(fixed):
        out[fixed] = shapely.to_wkb(geoms[fixed])
    return out, bounds, area, status


def prepare_layer(
    name: str,
    fid: np.ndarray,
    wkb: np.ndarray,
    attrs: dict[str, np.ndarray],
    workers: int = 2,
) -> tuple[Layer, list[Issue]]:
    """Repair geometries (make_valid, polygonal part, 2D), measure them, drop only what has no area.

    Every repaired or dropped feature comes back as an :class:`Issue` naming the layer and feature.
    """
    wkb = np.asarray(wkb, dtype=object)
    fid = np.asarray(fid, dtype=np.int64)
    chunks = [slice(i, min(i + BATCH, len(wkb))) for i in range(0, len(wkb), BATCH)]
    with ThreadPoolExecutor(max(1, workers)) as pool:
        results = list(pool.map(lambda s: _prepare_batch(wkb[s]), chunks))
    if results:
        wkb = np.concatenate([r[0] for r in results])
        bounds = np.concatenate([r[1] for r in results])
        area = np.concatenate([r[2] for r in results])
        status = np.concatenate([r[3] for r in results])
    else:
        bounds, area, status = np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=np.int8)
    issues = [
        Issue(_STATUS_ISSUE[int(s)], name, int(f), wkb=(w if s == REPAIRED else None))
        for s, f, w in zip(status[status != OK], fid[status != OK], wkb[status != OK])
    ]
    keep = (status == OK) | (status == REPAIRED)
    layer = Layer(name, fid[keep], wkb[keep], bounds[keep], area[keep],
                  {k: np.asarray(v)[keep] for k, v in attrs.items()})
    return layer, issues


def bbox_hits(bounds: np.ndarray, query: np.ndarray, subset: np.ndarray | None = None) -> np.ndarray:
    """Indices of rows of ``bounds`` whose box intersects any box of ``query`` (sorted, unique).

    A numpy pass over the whole layer cuts it to the query's envelope, then an STRtree of boxes
    refines it; no geometry is touched.
    """
    if len(query) == 0 or len(bounds) == 0:
        return np.zeros(0, dtype=np.int64)
    x0, y0 = np.nanmin(query[:, 0]), np.nanmin(query[:, 1])
    x1, y1 = np.nanmax(query[:, 2]), np.nanmax(query[:, 3])
    rows = np.arange(len(bounds)) if subset is None else subset
    b = bounds[rows]
    coarse = rows[(b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0)]
    if len(coarse) == 0:
        return coarse
    tree = shapely.STRtree(shapely.box(*bounds[coarse].T))
    hits = tree.query(shapely.box(*query.T))[1]
    return coarse[np.unique(hits)]
