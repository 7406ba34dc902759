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

    def attr(self, name: str) -> np.ndarray:
        return self.attrs[name]

    def hits(self, query: np.ndarray) -> np.ndarray:
        """Features whose box intersects one of the ``query`` boxes, exactly (sorted, unique; see
        :meth:`GridIndex.exact_pairs` for the centimetre).

        A job cuts every township out of the same layers, so a layer's boxes go into a grid once (on first use) and
        each township is answered in proportion to its own size. Small layers get a fine grid of their boxes; a big
        one (a county's parcels) a coarse grid, cheap to build, whose candidates are then checked against a fine grid
        of the query's own boxes. Exact, not a superset: every extra neighbour would be repaired and cut again by the
        worker coding the township (a 500 m grid's superset was a tenth of the parcels the workers handled).
        """
        if getattr(self, "_grid", None) is None:
            self._grid = GridIndex(self.bounds) if len(self) <= 50_000 else GridIndex(self.bounds, 500.0, exact=False)
        if self._grid.exact:
            return np.unique(self._grid.exact_pairs(query)[1])
        candidates = self._grid.near_boxes(query)
        return candidates[GridIndex(query).meeting(self.bounds[candidates])]


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
    """A uniform grid over boxes: the boxes near or meeting a set of query boxes without scanning them all.

    Cutting a township out of a prefecture (2.5 million parcels) by a numpy pass over every box costs
    tens of milliseconds per township and adds up; the grid answers in proportion to the answer. Without a
    ``cell`` size, cells are twice the median box, so that a typical box lies in one to four cells and a
    cell holds a handful of boxes; the few boxes that would span more than :attr:`SPREAD` cells (a county-wide
    polygon) are kept aside and compared with every query directly. ``exact=False`` builds only what
    :meth:`near_boxes` needs (a coarse grid of a big layer).
    """

    #: a box in more cells than this is kept out of the cells (see the class docstring)
    SPREAD = 64

    def __init__(self, bounds: np.ndarray, cell: float | None = None, exact: bool = True):
        bounds = np.asarray(bounds, dtype=float).reshape(-1, 4)
        ok = np.flatnonzero(np.isfinite(bounds).all(axis=1))
        b = bounds[ok]
        if cell is None:
            size = np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) if len(b) else np.zeros(0)
            cell = float(np.clip(2.0 * np.median(size), 1.0, 5000.0)) if len(b) else 1000.0
        self.cell, self.bounds, self.exact = cell, bounds, exact
        self.x0 = float(b[:, 0].min()) if len(b) else 0.0
        self.y0 = float(b[:, 1].min()) if len(b) else 0.0
        cx0, cy0 = self._cells(b[:, 0], b[:, 1])
        cx1, cy1 = self._cells(b[:, 2], b[:, 3])
        self.ny = int(cy1.max()) + 1 if len(b) else 1
        nx, ny = cx1 - cx0 + 1, cy1 - cy0 + 1
        count = nx * ny
        wide = count > self.SPREAD
        self.wide = ok[wide]
        ok, cx0, cy0, ny, count = ok[~wide], cx0[~wide], cy0[~wide], ny[~wide], count[~wide]
        k = _ranks(count)
        cell_id = (np.repeat(cx0, count) + k // np.repeat(ny, count)) * self.ny + np.repeat(cy0, count) + k % np.repeat(
            ny, count)
        order = np.argsort(cell_id)
        self.cell_id, self.feature = cell_id[order], np.repeat(ok, count)[order]
        # the boxes in cell order, as float32 offsets from the grid's corner rounded outwards (under 2 cm within
        # 200 km): a query reads them in runs, not scattered, and half the bytes
        self.boxes = _outwards(bounds[self.feature] - [self.x0, self.y0, self.x0, self.y0]) if exact else None

    def _cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (np.floor((x - self.x0) / self.cell).astype(np.int64),
                np.floor((y - self.y0) / self.cell).astype(np.int64))

    def _shared_cells(self, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query row per run, start and length of the run in cell order): each run holds the boxes registered in
        one cell that a query box covers."""
        cx0, cy0 = self._cells(boxes[:, 0], boxes[:, 1])
        cx1, cy1 = self._cells(boxes[:, 2], boxes[:, 3])
        cx0, cy0, cy1 = np.maximum(cx0, 0), np.clip(cy0, 0, self.ny - 1), np.clip(cy1, 0, self.ny - 1)
        nx, ny = np.maximum(cx1 - cx0 + 1, 0), np.maximum(cy1 - cy0 + 1, 0)
        query = np.repeat(np.arange(len(boxes)), nx * ny)
        k = _ranks(nx * ny)
        cells = (cx0[query] + k // ny[query]) * self.ny + cy0[query] + k % ny[query]
        lo = np.searchsorted(self.cell_id, cells, side="left")
        return query, lo, np.searchsorted(self.cell_id, cells, side="right") - lo

    def exact_pairs(self, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row of ``boxes``, box of the grid) for every pair that intersects (x0, y0, x1, y1 rows; rows with a NaN
        meet nothing; a pair sharing several cells comes once per cell). Exact to a centimetre or two: the grid's
        boxes are compared rounded outwards to float32, so a box that misses a query box by less than that may count
        as meeting it, and none that meets it is ever missed."""
        boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
        rows = np.flatnonzero(np.isfinite(boxes).all(axis=1))
        boxes = boxes[rows]
        none = np.zeros(0, dtype=np.int64)
        if len(boxes) == 0 or len(self.cell_id) + len(self.wide) == 0:
            return none, none
        query, lo, n = self._shared_cells(boxes)
        idx = np.repeat(lo, n) + _ranks(n)
        # boxes compared as float32 quadruples, gathered as one 16-byte item each (a quarter of the indexing)
        q = (boxes - [self.x0, self.y0, self.x0, self.y0]).astype(np.float32)
        q = np.repeat(q.view(np.complex128).ravel()[query], n).view(np.float32).reshape(-1, 4)
        b = self.boxes.view(np.complex128).ravel()[idx].view(np.float32).reshape(-1, 4)
        meets = (b[:, 0] <= q[:, 2]) & (b[:, 2] >= q[:, 0]) & (b[:, 1] <= q[:, 3]) & (b[:, 3] >= q[:, 1])
        found_q, found = [np.repeat(query, n)[meets]], [self.feature[idx[meets]]]
        for start in range(0, len(self.wide), 64):  # (few: each against every query, 64 at a time)
            wide = self.wide[start:start + 64]
            w = self.bounds[wide]
            w_hit, q_hit = np.nonzero((w[:, None, 0] <= boxes[None, :, 2]) & (w[:, None, 2] >= boxes[None, :, 0])
                                      & (w[:, None, 1] <= boxes[None, :, 3]) & (w[:, None, 3] >= boxes[None, :, 1]))
            found_q.append(q_hit)
            found.append(wide[w_hit])
        return rows[np.concatenate(found_q)], np.concatenate(found).astype(np.int64)

    def meeting(self, boxes: np.ndarray) -> np.ndarray:
        """Which of ``boxes`` intersect one of the grid's boxes (a mask, exact as :meth:`exact_pairs`)."""
        out = np.zeros(len(boxes), dtype=bool)
        out[self.exact_pairs(boxes)[0]] = True
        return out

    def near_boxes(self, boxes: np.ndarray) -> np.ndarray:
        """The boxes registered in any cell that one of ``boxes`` touches, and the wide ones: a superset of those
        meeting them (sorted, unique)."""
        boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
        boxes = boxes[np.isfinite(boxes).all(axis=1)]
        if len(boxes) == 0 or len(self.cell_id) + len(self.wide) == 0:
            return np.zeros(0, dtype=np.int64)
        _, lo, n = self._shared_cells(boxes)
        return np.union1d(self.feature[np.repeat(lo, n) + _ranks(n)], self.wide).astype(np.int64)


def _ranks(counts: np.ndarray) -> np.ndarray:
    """0, 1, …, c-1 for each count c, concatenated."""
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def _outwards(b: np.ndarray) -> np.ndarray:
    """Boxes (x0 y0 x1 y1) as float32, each rounded outwards to the nearest float that holds the float64 box: the
    tightest such box, for a test meant to be as exact as float32 allows (a stored R-tree rounds as SQLite does, which
    may go a step further out: storage.rtree.float32_outwards)."""
    f = b.astype(np.float32)
    low, high = f[:, :2], f[:, 2:]
    low = np.where(low.astype(np.float64) > b[:, :2], np.nextafter(low, np.float32(-np.inf)), low)
    high = np.where(high.astype(np.float64) < b[:, 2:], np.nextafter(high, np.float32(np.inf)), high)
    return np.ascontiguousarray(np.c_[low, high])


def bbox_hits(bounds: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Indices of rows of ``bounds`` whose box intersects any box of ``query`` (sorted, unique).

    The query's envelope picks candidates (a numpy pass over all boxes), then an STRtree of the candidates'
    boxes refines them; no geometry is touched.
    """
    if len(query) == 0 or len(bounds) == 0:
        return np.zeros(0, dtype=np.int64)
    x0, y0 = np.nanmin(query[:, 0]), np.nanmin(query[:, 1])
    x1, y1 = np.nanmax(query[:, 2]), np.nanmax(query[:, 3])
    b = bounds
    coarse = np.flatnonzero((b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0))
    if len(coarse) == 0:
        return coarse
    tree = shapely.STRtree(geos.box(*bounds[coarse].T))
    hits = tree.query(geos.box(*query.T))[1]
    return coarse[np.unique(hits)]
