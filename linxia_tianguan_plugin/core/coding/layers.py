"""Columnar input layers for the coding kernel, read once and shared by every township chunk.

Geometries are kept as WKB (half the memory of live GEOS objects) and turned into shapely objects
only for the township being coded, which keeps a prefecture-sized run (2.5 million parcels) bounded.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from .. import geos
from ..geometry import EMPTY, NOT_POLYGONAL, OK, REPAIRED, repair

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

    def drop_geometry(self) -> None:
        """Forget the WKB, keeping ids, boxes and attributes: 2.5 million parcels hold about a
        gigabyte of it, which a finished job gives back before the store's commit needs memory."""
        self.wkb = np.full(len(self.fid), None, dtype=object)
        self._boxes = None

    def attr(self, name: str) -> np.ndarray:
        return self.attrs[name]

    def hits(self, query: np.ndarray) -> np.ndarray:
        """Features whose box may intersect one of the ``query`` boxes (a superset, never a miss).

        Small layers are refined box by box, against a tree of their boxes built on first use (a job cuts
        every township out of the same layers); big ones (a prefecture) answer from a grid built on
        first use: every feature sharing a 500 m cell with a query box, which keeps cutting a
        township out of 2.5 million parcels proportional to the township.
        """
        if len(self) <= 50_000:
            if len(query) == 0 or len(self) == 0:
                return np.zeros(0, dtype=np.int64)
            if getattr(self, "_boxes", None) is None:
                measured = np.flatnonzero(np.isfinite(self.bounds).all(axis=1))
                self._boxes = (measured, shapely.STRtree(geos.box(*self.bounds[measured].T)))
            measured, tree = self._boxes
            return measured[np.unique(tree.query(geos.box(*query.T))[1])]
        if getattr(self, "_grid", None) is None:
            self._grid = GridIndex(self.bounds, cell=500.0)
        return self._grid.near_boxes(query)


_STATUS_ISSUE = {REPAIRED: "geometry_repaired", EMPTY: "geometry_empty", NOT_POLYGONAL: "geometry_not_polygonal"}


def status_issues(name: str, fid: np.ndarray, status: np.ndarray, wkb: np.ndarray) -> list[Issue]:
    """Issues for repaired / dropped geometries (the repaired shape travels with the issue)."""
    bad = np.flatnonzero(status != OK)
    return [Issue(_STATUS_ISSUE[int(status[i])], name, int(fid[i]), wkb=(wkb[i] if status[i] == REPAIRED else None))
            for i in bad]


def _measure(wkb: np.ndarray, repair_now: bool):
    if not repair_now:
        # boxes are all the main process needs (the workers repair): GEOS parses a batch and measures it in C,
        # faster than reading the doubles out of the bytes with numpy (which scans each batch's bytes per pass)
        with np.errstate(all="ignore"):
            geoms = shapely.from_wkb(wkb, on_invalid="warn")
        gone = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        bounds = np.full((len(wkb), 4), np.nan)
        bounds[~gone] = shapely.bounds(geoms[~gone])
        return wkb, bounds, np.zeros(len(wkb)), np.where(gone, EMPTY, OK).astype(np.int8)
    with np.errstate(all="ignore"):
        geoms = shapely.from_wkb(wkb, on_invalid="warn")
        geoms, status = repair(geoms)
        present = status != EMPTY
        present &= ~shapely.is_missing(geoms)
        bounds = np.full((len(wkb), 4), np.nan)
        area = np.zeros(len(wkb))
        bounds[present] = shapely.bounds(geoms[present])
        area[present] = shapely.area(geoms[present])
        out = wkb.copy()
        fixed = np.flatnonzero(status == REPAIRED)
        if len(fixed):
            out[fixed] = shapely.to_wkb(geoms[fixed])
    return out, bounds, area, status


def prepare_layer(
    name: str,
    fid: np.ndarray,
    wkb: np.ndarray,
    attrs: dict[str, np.ndarray],
    workers: int = 2,
    repair_now: bool = True,
) -> tuple[Layer, list[Issue]]:
    """Measure geometries (boxes, areas) and drop only what has no geometry at all.

    With ``repair_now`` (the default) invalid geometries are repaired here (make_valid, polygonal
    part, 2D). The coding kernel passes False for its big layers and repairs in its worker processes
    instead, where the validity check (the expensive part) runs on both cores; areas are then left
    at 0. Every repaired or dropped feature comes back as an :class:`Issue` naming layer and feature.
    """
    wkb = np.asarray(wkb, dtype=object)
    fid = np.asarray(fid, dtype=np.int64)
    parts = [_measure(wkb[i:i + BATCH], repair_now) for i in range(0, len(wkb), BATCH)]  # bounded memory
    if parts:
        if repair_now:  # else the bytes are the input's, unchanged
            wkb = np.concatenate([r[0] for r in parts])
        bounds = np.concatenate([r[1] for r in parts])
        area = np.concatenate([r[2] for r in parts])
        status = np.concatenate([r[3] for r in parts])
    else:
        bounds, area, status = np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=np.int8)
    issues = status_issues(name, fid, status, wkb)
    keep = (status == OK) | (status == REPAIRED)
    if keep.all():  # the usual case: no copy of the columns (hundreds of MB for a county's contract parcels)
        return Layer(name, fid, wkb, bounds, area, {k: np.asarray(v) for k, v in attrs.items()}), issues
    layer = Layer(name, fid[keep], wkb[keep], bounds[keep], area[keep],
                  {k: np.asarray(v)[keep] for k, v in attrs.items()})
    return layer, issues


class GridIndex:
    """A uniform grid over feature boxes: candidates near an envelope without scanning the layer.

    Cutting a township out of a prefecture (2.5 million parcels) by a numpy pass over every box costs
    tens of milliseconds per township and adds up; the grid answers in proportion to the answer.
    """

    def __init__(self, bounds: np.ndarray, cell: float = 2000.0):
        self.cell = cell
        ok = np.flatnonzero(np.isfinite(bounds[:, 0]))
        b = bounds[ok]
        self.x0 = float(b[:, 0].min()) if len(b) else 0.0
        self.y0 = float(b[:, 1].min()) if len(b) else 0.0
        cx0, cy0 = self._cells(b[:, 0], b[:, 1])
        cx1, cy1 = self._cells(b[:, 2], b[:, 3])
        self.ny = int(cy1.max()) + 1 if len(b) else 1
        nx, ny = cx1 - cx0 + 1, cy1 - cy0 + 1
        count = nx * ny
        feature = np.repeat(ok, count)
        k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        cx = np.repeat(cx0, count) + k // np.repeat(ny, count)
        cy = np.repeat(cy0, count) + k % np.repeat(ny, count)
        cell_id = cx * self.ny + cy
        order = np.argsort(cell_id, kind="stable")
        self.cell_id, self.feature = cell_id[order], feature[order]

    def _cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (np.floor((x - self.x0) / self.cell).astype(np.int64),
                np.floor((y - self.y0) / self.cell).astype(np.int64))

    def near_boxes(self, boxes: np.ndarray) -> np.ndarray:
        """Features registered in any cell that one of ``boxes`` (x0, y0, x1, y1 rows) touches."""
        boxes = boxes[np.isfinite(boxes[:, 0])]
        if len(boxes) == 0 or len(self.cell_id) == 0:
            return np.zeros(0, dtype=np.int64)
        cx0, cy0 = self._cells(boxes[:, 0], boxes[:, 1])
        cx1, cy1 = self._cells(boxes[:, 2], boxes[:, 3])
        cy0, cy1 = np.clip(cy0, 0, self.ny - 1), np.clip(cy1, 0, self.ny - 1)
        nx, ny = np.maximum(cx1 - cx0 + 1, 0), cy1 - cy0 + 1
        count = nx * ny
        k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        cells = np.unique((np.repeat(cx0, count) + k // np.repeat(ny, count)) * self.ny
                          + np.repeat(cy0, count) + k % np.repeat(ny, count))
        lo = np.searchsorted(self.cell_id, cells, side="left")
        hi = np.searchsorted(self.cell_id, cells, side="right")
        take = hi > lo
        if not take.any():
            return np.zeros(0, dtype=np.int64)
        lo, hi = lo[take], hi[take]
        n = hi - lo
        idx = np.repeat(lo, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
        return np.unique(self.feature[idx])

    def candidates(self, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        (cx0, cx1), (cy0, cy1) = self._cells(np.array([x0, x1]), np.array([y0, y1]))
        cy0, cy1 = max(int(cy0), 0), min(int(cy1), self.ny - 1)
        if cy0 > cy1:
            return np.zeros(0, dtype=np.int64)
        out = []
        for cx in range(max(int(cx0), 0), int(cx1) + 1):
            lo = np.searchsorted(self.cell_id, cx * self.ny + cy0, side="left")
            hi = np.searchsorted(self.cell_id, cx * self.ny + cy1, side="right")
            out.append(self.feature[lo:hi])
        return np.unique(np.concatenate(out)) if out else np.zeros(0, dtype=np.int64)


def bbox_hits(bounds: np.ndarray, query: np.ndarray, grid: GridIndex | None = None) -> np.ndarray:
    """Indices of rows of ``bounds`` whose box intersects any box of ``query`` (sorted, unique).

    The query's envelope picks candidates (from ``grid`` when given, else a numpy pass over all
    boxes), then an STRtree of the candidates' boxes refines them; no geometry is touched.
    """
    if len(query) == 0 or len(bounds) == 0:
        return np.zeros(0, dtype=np.int64)
    x0, y0 = np.nanmin(query[:, 0]), np.nanmin(query[:, 1])
    x1, y1 = np.nanmax(query[:, 2]), np.nanmax(query[:, 3])
    rows = grid.candidates(x0, y0, x1, y1) if grid is not None else np.arange(len(bounds))
    b = bounds[rows]
    coarse = rows[(b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0)]
    if len(coarse) == 0:
        return coarse
    tree = shapely.STRtree(geos.box(*bounds[coarse].T))
    hits = tree.query(geos.box(*query.T))[1]
    return coarse[np.unique(hits)]
