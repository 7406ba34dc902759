"""巡田覆盖 — which farmland parcels the officers' tracks came close enough to see, and how much of
each grid's farmland that is.

Definitions (also in the algorithm's help):

* a track *sees* the ground within the viewing distance ``distance`` (default 50 m) of its line: the
  track is buffered by that distance (round joins, ``quad_segs`` segments per quarter circle) before
  anything is tested against it;
* a parcel is **seen** in a period when the share of its area inside the union of the buffers of the
  period's counted tracks is above zero (any overlap, the default ``seen_share = 0``) or, with
  ``seen_share > 0``, at least that share;
* its **last seen** time is the end time of the latest counted track (up to the end of the period,
  within the window examined) whose buffer overlaps it;
* a **grid's coverage rate** is area-weighted by the parcels' farmland (GDMJ) and basic-farmland
  (YJMJ) areas as coded: seen farmland m² / farmland m² over the parcels whose space code starts with
  the grid code (社 14, 村 12, 乡 9, 县 6 digits), so the totals agree with the coding results;
* a track's coverage of its own grid is the same rate counting only the parcels that track sees;
* a parcel is **unseen for N weeks** when it is not seen (same rule) by the counted tracks of the N
  weeks ending with the period's last day.

Speed (a prefecture week: ~8 000 tracks of ~2 000 fixes against 2.5 million parcels): tracks are cut
into pieces of ``piece_vertices`` vertices before buffering, because the buffer of a long
self-crossing walk is an expensive overlay and its envelope is huge, while short pieces buffer fast
and have tight envelopes. The work is cut township by township (by space-code prefix) with only
the track pieces that reach the township; each township's buffer pieces are prepared once and the
parcels found with an STRtree query (a prepared ``intersects``). Parcel areas inside the buffers are
computed only when asked for (the share output, or ``seen_share > 0``), and then only for parcels
the buffers cross (a prepared ``contains_properly`` settles the parcels wholly inside). Townships go
to worker processes, because shapely holds the GIL.

Plain Python on numpy and shapely: no QGIS, no Qt.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import shapely

from . import parallel
from .geometry import group_union

#: lengths of the grid codes whose rates are reported: 社, 村, 乡, 县
GRID_LENGTHS = (14, 12, 9, 6)


Cancelled = parallel.Cancelled  # the caller asked to stop


@dataclass(frozen=True)
class CoverageOptions:
    #: viewing distance (m): how far from the track an officer sees the fields
    distance: float = 50.0
    #: share of a parcel's area that must lie within the buffers for it to count as seen; 0 = any overlap
    seen_share: float = 0.0
    #: segments per quarter circle of the buffer's round joins and caps
    quad_segs: int = 8
    #: vertices per track piece buffered on its own (short pieces buffer fast, with tight envelopes)
    piece_vertices: int = 16
    #: compute the share of each parcel inside the buffers (needed for the share output and seen_share > 0)
    shares: bool = True
    workers: int = 1
    #: fewer parcels than this are analysed in this process (starting workers costs about a second)
    parallel_min_parcels: int = 50_000

    @property
    def need_shares(self) -> bool:
        return self.shares or self.seen_share > 0


@dataclass
class ParcelSet:
    """The coded parcels analysed: space code, geometry (WKB), farmland and basic-farmland m²."""

    code: np.ndarray
    wkb: np.ndarray
    farmland: np.ndarray
    basic: np.ndarray
    bounds: np.ndarray | None = None  # (n, 4) x0 y0 x1 y1; computed from the WKB when not given

    def __len__(self) -> int:
        return len(self.code)


@dataclass
class TrackSet:
    """Counted tracks of the window examined (the period and the N weeks before its end).

    ``end`` is sortable time text (UTC ISO ``…Z``); ``in_period`` marks the tracks of the period,
    ``in_window`` those of the N-week window; ``grid`` is each track's own grid code ('' when none).
    """

    wkb: np.ndarray
    end: np.ndarray
    in_period: np.ndarray
    in_window: np.ndarray
    grid: np.ndarray

    def __len__(self) -> int:
        return len(self.wkb)


@dataclass
class ChunkInput:
    """One township: its parcels and the tracks whose buffers may reach them (global indices kept)."""

    key: str
    parcel_index: np.ndarray
    wkb: np.ndarray
    group: np.ndarray  # 14-digit group code of each parcel
    farmland: np.ndarray
    track_index: np.ndarray
    track_wkb: np.ndarray
    end_rank: np.ndarray  # rank of each track's end time (larger = later)
    in_period: np.ndarray
    in_window: np.ndarray
    track_grid: np.ndarray
    box: tuple[float, float, float, float]
    options: CoverageOptions


@dataclass
class ChunkOutput:
    key: str
    parcel_index: np.ndarray
    share: np.ndarray  # share inside the period's buffers (NaN when shares were not computed)
    seen: np.ndarray
    seen_window: np.ndarray
    last_rank: np.ndarray  # end rank of the latest track reaching the parcel, -1 for none
    track_index: np.ndarray
    track_seen_m2: np.ndarray  # farmland of the track's own group that the track alone sees


@dataclass
class CoverageResult:
    """Per parcel (in the order given) and per track (in the order given)."""

    share: np.ndarray
    seen: np.ndarray
    seen_window: np.ndarray
    last_seen: np.ndarray  # end time text of the latest track reaching the parcel, '' for none
    track_seen_m2: np.ndarray
    track_grid_m2: np.ndarray
    extra: dict = field(default_factory=dict)

    @property
    def track_coverage(self) -> np.ndarray:
        """Each track's coverage of its own grid's farmland (NaN when the grid has no farmland)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.track_grid_m2 > 0, self.track_seen_m2 / self.track_grid_m2, np.nan)


# ---------------------------------------------------------------------------------------- pieces
def track_pieces(lines: np.ndarray, piece_vertices: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut linestrings into consecutive pieces of at most ``piece_vertices`` vertices sharing their ends.

    The union of the pieces' buffers is the track's buffer (up to the polygonal approximation of the
    round joins where pieces meet). Tracks of a single fix become a zero-length piece (a disc once
    buffered). Returns (pieces, index of each piece's track).
    """
    k = max(int(piece_vertices), 2) - 1  # segments per piece
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    if len(coords) == 0:
        return np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
    counts = np.bincount(owner, minlength=len(lines))
    first = np.cumsum(counts) - counts
    pos = np.arange(len(coords)) - first[owner]  # vertex position in its track
    segments = np.maximum(counts - 1, 1)
    n_pieces = -(-segments // k)  # ceil
    piece_first = np.cumsum(n_pieces) - n_pieces
    piece = piece_first[owner] + np.minimum(pos // k, n_pieces[owner] - 1)
    # a vertex ending one piece also starts the next: emit it twice
    shared = (pos > 0) & (pos % k == 0) & (pos < counts[owner] - 1)
    rows = np.concatenate([np.arange(len(coords)), np.flatnonzero(shared)])
    ids = np.concatenate([piece, piece[shared] - 1])
    order = np.lexsort((rows, ids))
    rows, ids = rows[order], ids[order]
    # pieces of one vertex (tracks of a single fix) get it twice
    single = np.bincount(ids, minlength=int(n_pieces.sum())) == 1
    if single.any():
        lone = np.flatnonzero(single[ids])
        rows = np.concatenate([rows, rows[lone]])
        ids = np.concatenate([ids, ids[lone]])
        order = np.argsort(ids, kind="stable")
        rows, ids = rows[order], ids[order]
    pieces = shapely.linestrings(coords[rows], indices=ids)
    return pieces, np.repeat(np.arange(len(lines)), n_pieces)


# ---------------------------------------------------------------------------------------- one township
def cover_chunk(task: ChunkInput) -> ChunkOutput:
    """Coverage of one township's parcels by the tracks that reach it (runs in a worker process)."""
    with np.errstate(all="ignore"):
        return _cover(task)


def _cover(task: ChunkInput) -> ChunkOutput:
    opts = task.options
    n, m = len(task.wkb), len(task.track_wkb)
    share = np.full(n, np.nan)
    seen, seen_window = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    last = np.full(n, -1, dtype=np.int64)
    track_seen = np.zeros(m)
    if n == 0 or m == 0:
        if opts.need_shares:
            share[:] = 0.0
        return ChunkOutput(task.key, task.parcel_index, share, seen, seen_window, last, task.track_index, track_seen)
    parcels = shapely.from_wkb(task.wkb)
    pieces, owner = track_pieces(shapely.from_wkb(task.track_wkb), opts.piece_vertices)
    d = opts.distance
    x0, y0, x1, y1 = task.box
    b = shapely.bounds(pieces)
    near = (b[:, 0] - d <= x1) & (b[:, 2] + d >= x0) & (b[:, 1] - d <= y1) & (b[:, 3] + d >= y0)
    pieces, owner = pieces[near], owner[near]
    buffers = shapely.buffer(pieces, d, quad_segs=opts.quad_segs)
    # the buffers are the query geometries: STRtree prepares each one and tests the parcels under it
    pb, pp = shapely.STRtree(parcels).query(buffers, predicate="intersects")
    pt = owner[pb]
    own = task.group[pp] == task.track_grid[pt]
    if opts.need_shares:
        shapely.prepare(buffers)
        inside = shapely.contains_properly(buffers[pb], parcels[pp])
        part = np.flatnonzero(~inside)
        inter = np.empty(len(pb), dtype=object)
        inter[part] = shapely.intersection(parcels[pp[part]], buffers[pb[part]])
        area = shapely.area(parcels)
        positive = inside.copy()
        positive[part] = shapely.area(inter[part]) > 0
        pb, pp, pt, own, inside, inter = (a[positive] for a in (pb, pp, pt, own, inside, inter))

        def shares_by(key: np.ndarray, rows: np.ndarray, per: int) -> tuple[np.ndarray, np.ndarray]:
            """(unique keys, share of the key's parcel (key // per) inside the union of the rows' buffers)."""
            keys = np.unique(key[rows])
            out = np.zeros(len(keys))
            full = np.unique(key[rows[inside[rows]]])
            out[np.searchsorted(keys, full)] = 1.0
            cut = rows[~inside[rows] & ~np.isin(key[rows], full)]
            if len(cut):
                ids, geoms = group_union(inter[cut], key[cut])
                covered = np.nan_to_num(shapely.area(geoms))
                out[np.searchsorted(keys, ids)] = np.minimum(covered / np.maximum(area[ids // per], 1e-9), 1.0)
            return keys, out

        def seen_rule(values: np.ndarray) -> np.ndarray:
            return values >= opts.seen_share if opts.seen_share > 0 else values > 0

        share[:] = 0.0
        keys, values = shares_by(pp, np.flatnonzero(task.in_period[pt]), 1)
        share[keys] = values
        seen[keys] = seen_rule(values)
        keys, values = shares_by(pp, np.flatnonzero(task.in_window[pt]), 1)
        seen_window[keys] = seen_rule(values)
        rows = np.flatnonzero(own & task.in_period[pt])
        pair = pp * m + pt
        keys, values = shares_by(pair, rows, m)
        ok = seen_rule(values)
        np.add.at(track_seen, keys[ok] % m, task.farmland[keys[ok] // m])
    else:
        period = task.in_period[pt]
        seen[pp[period]] = True
        seen_window[pp[task.in_window[pt]]] = True
        pair = np.unique(pp[own & period] * m + pt[own & period])
        np.add.at(track_seen, pair % m, task.farmland[pair // m])
    np.maximum.at(last, pp, task.end_rank[pt])
    return ChunkOutput(task.key, task.parcel_index, share, seen, seen_window, last, task.track_index, track_seen)


# ---------------------------------------------------------------------------------------- the whole run
def chunks(parcels: ParcelSet, tracks: TrackSet, options: CoverageOptions) -> Iterator[ChunkInput]:
    """One :class:`ChunkInput` per township (space-code prefix of 9 digits), in code order."""
    bounds = parcels.bounds if parcels.bounds is not None else shapely.bounds(shapely.from_wkb(parcels.wkb))
    keys = np.array([str(c)[:9] for c in parcels.code], dtype=object)
    groups = np.array([str(c)[:14] for c in parcels.code], dtype=object)
    order = np.argsort(keys, kind="stable")
    uniq, starts = np.unique(keys[order], return_index=True)
    ends = np.r_[starts[1:], len(order)]
    t_bounds = shapely.bounds(shapely.from_wkb(tracks.wkb)) if len(tracks) else np.zeros((0, 4))
    ranks = np.argsort(np.argsort(np.asarray(tracks.end, dtype=str), kind="stable"), kind="stable")
    d = options.distance
    for key, s, e in zip(uniq.tolist(), starts.tolist(), ends.tolist()):
        idx = order[s:e]
        b = bounds[idx]
        box = (float(np.nanmin(b[:, 0])), float(np.nanmin(b[:, 1])), float(np.nanmax(b[:, 2])),
               float(np.nanmax(b[:, 3])))
        reach = np.flatnonzero((t_bounds[:, 0] - d <= box[2]) & (t_bounds[:, 2] + d >= box[0])
                               & (t_bounds[:, 1] - d <= box[3]) & (t_bounds[:, 3] + d >= box[1]))
        yield ChunkInput(str(key), idx, parcels.wkb[idx], groups[idx], np.asarray(parcels.farmland, float)[idx],
                         reach, tracks.wkb[reach], ranks[reach], np.asarray(tracks.in_period, bool)[reach],
                         np.asarray(tracks.in_window, bool)[reach], np.asarray(tracks.grid, dtype=object)[reach],
                         box, options)


def analyse(parcels: ParcelSet, tracks: TrackSet, options: CoverageOptions | None = None,
            progress: Callable[[float], None] | None = None, cancelled: Callable[[], bool] | None = None,
            pool=None) -> CoverageResult:
    """Coverage of every parcel and every track's own-grid coverage.

    ``pool`` is an executor (e.g. :func:`~.parallel.process_pool`) or None to work in this process;
    townships are submitted a few per worker ahead, so memory stays bounded.
    """
    opts = options or CoverageOptions()
    n, m = len(parcels), len(tracks)
    share = np.full(n, np.nan)
    if opts.need_shares:
        share[:] = 0.0
    seen, seen_window = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    last = np.full(n, -1, dtype=np.int64)
    track_seen = np.zeros(m)
    tasks = list(chunks(parcels, tracks, opts)) if n else []
    window = 3 * max(opts.workers, 1)
    for done, out in enumerate(parallel.ordered_map(pool, cover_chunk, tasks, window, cancelled), start=1):
        idx = out.parcel_index
        share[idx], seen[idx], seen_window[idx], last[idx] = out.share, out.seen, out.seen_window, out.last_rank
        np.add.at(track_seen, out.track_index, out.track_seen_m2)
        if progress:
            progress(done / max(len(tasks), 1))
    ends = np.asarray(tracks.end, dtype=object)
    order = np.argsort(np.asarray(tracks.end, dtype=str), kind="stable")
    last_seen = np.full(n, "", dtype=object)
    hit = last >= 0
    last_seen[hit] = ends[order[last[hit]]] if m else ""
    return CoverageResult(share, seen, seen_window, last_seen, track_seen,
                          grid_farmland(parcels, np.asarray(tracks.grid, dtype=object)))


def grid_farmland(parcels: ParcelSet, grids: np.ndarray) -> np.ndarray:
    """Farmland m² of each given grid code (parcels whose space code starts with it)."""
    totals: dict[str, float] = {}
    for length in sorted({len(str(g)) for g in grids if g}):
        prefixes = np.array([str(c)[:length] for c in parcels.code], dtype=object)
        keys, inv = np.unique(prefixes, return_inverse=True)
        sums = np.bincount(inv, np.asarray(parcels.farmland, float), minlength=len(keys))
        totals.update({k: float(v) for k, v in zip(keys.tolist(), sums.tolist()) if len(k) == length})
    return np.array([totals.get(str(g), 0.0) if g else 0.0 for g in grids], dtype=float)


@dataclass
class GridRates:
    """Coverage of one grid (社/村/乡/县) over a period."""

    code: str
    farmland_m2: float
    seen_m2: float
    basic_m2: float
    basic_seen_m2: float
    parcels: int
    seen_parcels: int

    @property
    def rate(self) -> float | None:
        return self.seen_m2 / self.farmland_m2 if self.farmland_m2 > 0 else None

    @property
    def basic_rate(self) -> float | None:
        return self.basic_seen_m2 / self.basic_m2 if self.basic_m2 > 0 else None


def grid_rates(parcels: ParcelSet, seen: np.ndarray, lengths: tuple[int, ...] = GRID_LENGTHS) -> dict[str, GridRates]:
    """Area-weighted coverage of every grid at the given code lengths, by code."""
    farmland = np.asarray(parcels.farmland, float)
    basic = np.asarray(parcels.basic, float)
    seen = np.asarray(seen, bool)
    out: dict[str, GridRates] = {}
    codes = np.asarray(parcels.code).astype(str)
    for length in lengths:
        prefixes = codes.astype(f"U{length}")
        keys, inv = np.unique(prefixes, return_inverse=True)
        sums = [np.bincount(inv, w, minlength=len(keys)) for w in (
            farmland, farmland * seen, basic, basic * seen, np.ones(len(codes)), seen.astype(float))]
        for i, key in enumerate(keys.tolist()):
            if len(key) == length:
                out[key] = GridRates(key, float(sums[0][i]), float(sums[1][i]), float(sums[2][i]),
                                     float(sums[3][i]), int(sums[4][i]), int(sums[5][i]))
    return out


__all__ = ["CoverageOptions", "ParcelSet", "TrackSet", "CoverageResult", "GridRates", "analyse", "grid_rates",
           "grid_farmland", "track_pieces", "cover_chunk", "Cancelled", "GRID_LENGTHS"]
