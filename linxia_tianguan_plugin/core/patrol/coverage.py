"""巡田覆盖 — which farmland parcels the officers' tracks came close enough to see, and how much of
each grid's farmland that is.

Definitions (also in the algorithm's help):

* a track *sees* the ground within the viewing distance ``distance`` (default 50 m) of its line — the
  track's buffer by that distance;
* a parcel is **seen** in a period when some part of it lies within the viewing distance of one of
  the period's counted tracks (the default ``seen_share = 0``; tested as an exact distance, of which
  a buffer with ``quad_segs`` segments per quarter circle is the polygonal approximation) or, with
  ``seen_share > 0``, when at least that share of its area lies inside the union of the tracks'
  buffers;
* its **last seen** time is the end time of the latest counted track (up to the end of the period,
  within the window examined) whose buffer overlaps it;
* a **grid's coverage rate** is area-weighted by the parcels' farmland (GDMJ) and basic-farmland
  (YJMJ) areas as coded: seen farmland m² / farmland m² over the parcels whose space code starts with
  the grid code (社 14, 村 12, 乡 9, 县 6 digits), so the totals agree with the coding results;
* a track's coverage of its own grid is the same rate counting only the parcels that track sees;
* a parcel is **unseen for N weeks** when it is not seen (same rule) by the counted tracks of the N
  weeks ending with the period's last day.

Speed (a prefecture week: ~8 000 tracks of ~2 000 fixes against 2.5 million parcels): the work is cut
township by township (by space-code prefix) with only the tracks that reach the township, and
townships go to worker processes, because shapely holds the GIL. Tracks are cut into pieces of
``piece_vertices`` vertices: a whole walk's box is huge, a piece's is tight, so the parcels a track
may see are found by querying an STRtree of the township's parcels with the pieces' boxes grown by
the viewing distance. Which of those candidates the track really sees is an exact distance test,
piece by piece for a few rounds and then against the whole prepared track (:func:`reach_pairs`) —
no buffer is built for that, because buffering a GPS walk (a noded offset curve) costs about a
hundred times more than the distance tests. Buffers are built, piece by piece, only when parcel
shares are asked for (the share output, or ``seen_share > 0``); a prepared ``contains_properly``
then settles the parcels wholly inside them and only the crossed ones are intersected.

Plain Python on numpy and shapely: no QGIS, no Qt.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import shapely

from .. import geos, parallel
from ..geometry import group_union

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
    """The coded parcels analysed: space code, geometry (WKB), farmland and basic-farmland m².

    ``wkb`` is either an array or a callable returning the WKB of the parcels at given positions
    (read a township at a time from a store, so a prefecture's geometry is never all in memory);
    with a callable, ``bounds`` must be given.
    """

    code: np.ndarray
    wkb: np.ndarray | Callable[[np.ndarray], np.ndarray]
    farmland: np.ndarray
    basic: np.ndarray
    bounds: np.ndarray | None = None  # (n, 4) x0 y0 x1 y1; computed from the WKB when not given

    def __len__(self) -> int:
        return len(self.code)

    def geometries(self, index: np.ndarray) -> np.ndarray:
        """WKB of the parcels at ``index``."""
        return self.wkb(index) if callable(self.wkb) else np.asarray(self.wkb, dtype=object)[index]

    def boxes(self) -> np.ndarray:
        if self.bounds is not None:
            return np.asarray(self.bounds, dtype=float)
        if callable(self.wkb):
            raise ValueError("bounds are needed when the geometry is read on demand")
        return shapely.bounds(shapely.from_wkb(self.wkb))


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
    coords, owner = geos.get_coordinates(lines, return_index=True)
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
    pieces = geos.linestrings(coords[rows], indices=ids)
    return pieces, np.repeat(np.arange(len(lines)), n_pieces)


# ---------------------------------------------------------------------------------------- one township
def cover_chunk(task: ChunkInput) -> ChunkOutput:
    """Coverage of one township's parcels by the tracks that reach it (runs in a worker process)."""
    with np.errstate(all="ignore"):
        return _cover(task)


def reach_pairs(lines: np.ndarray, pieces: np.ndarray, owner: np.ndarray, parcels: np.ndarray, distance: float,
                rounds: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Unique (track, parcel) index pairs whose distance is at most ``distance``, sorted.

    Candidates come from the pieces' boxes grown by the distance — tight boxes, unlike a whole
    track's — queried in an STRtree of the parcels. A candidate pair usually has many pieces (a walk passes a
    field more than once), and one piece within reach settles it: the pieces are tested one per pair, closest
    box first, for a few ``rounds`` (most pairs within reach are settled by their first piece), then each pair
    still open is settled by one test against its whole, prepared track.
    """
    d = float(distance)
    n = len(parcels)
    if len(pieces) == 0 or n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    b = shapely.bounds(pieces)
    boxes = geos.box(b[:, 0] - d, b[:, 1] - d, b[:, 2] + d, b[:, 3] + d)
    qi, qp = shapely.STRtree(parcels).query(boxes)
    # the closest boxes are the likeliest hits: by pair, closest piece first — one sort of the pair key with the
    # squared gap between the boxes, quantised, in its low 12 bits. A million candidates per township, so the gaps
    # are float32 offsets from the township's corner (good to millimetres, and only an order: which piece is tried
    # first changes the work, never the answer — any piece within reach settles the pair, none settles nothing)
    corner = np.tile(b[:, :2].min(axis=0), 2)
    pb, cb = (b - corner).astype(np.float32)[qi], (shapely.bounds(parcels) - corner).astype(np.float32)[qp]
    gap = np.maximum(pb[:, 0] - cb[:, 2], cb[:, 0] - pb[:, 2])
    dy = np.maximum(pb[:, 1] - cb[:, 3], cb[:, 1] - pb[:, 3])
    del pb, cb
    np.maximum(gap, 0.0, out=gap)
    np.maximum(dy, 0.0, out=dy)
    gap *= gap
    dy *= dy
    gap += dy
    gap *= np.float32(4095.0 / max(d * d, 1e-12))
    np.minimum(gap, np.float32(4095.0), out=gap)
    packed = (owner[qi].astype(np.int64) * n + qp) << 12 | gap.astype(np.int64)
    order = np.argsort(packed)
    key = packed[order] >> 12
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=np.int64)
    pairs, counts = key[first], np.diff(np.r_[first, len(key)])
    hit = np.zeros(len(pairs), dtype=bool)
    for r in range(rounds):
        still = np.flatnonzero(~hit & (counts > r))
        if len(still) == 0:
            break
        rows = order[first[still] + r]  # each open pair's r-th closest piece
        hit[still[shapely.dwithin(pieces[qi[rows]], parcels[qp[rows]], d)]] = True
    rest = np.flatnonzero(~hit & (counts > rounds))
    if len(rest):
        tracks = pairs[rest] // n
        # a walk of one fix is a zero-length line, which prepared GEOS (3.13) finds within no distance of
        # anything: test it as its point
        whole = np.array(lines, dtype=object)
        single = np.flatnonzero(shapely.length(whole) == 0)
        whole[single] = shapely.get_point(whole[single], 0)
        shapely.prepare(whole[np.unique(tracks)])
        hit[rest] = shapely.dwithin(whole[tracks], parcels[pairs[rest] % n], d)
    pairs = pairs[hit]
    return pairs // n, pairs % n


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
    lines = shapely.from_wkb(task.track_wkb)
    pieces, owner = track_pieces(lines, opts.piece_vertices)
    d = opts.distance
    x0, y0, x1, y1 = task.box
    b = shapely.bounds(pieces)
    near = (b[:, 0] - d <= x1) & (b[:, 2] + d >= x0) & (b[:, 1] - d <= y1) & (b[:, 3] + d >= y0)
    pieces, owner = pieces[near], owner[near]
    # which track came within the viewing distance of which parcel: no buffer needed for that
    pt, pp = reach_pairs(lines, pieces, owner, parcels, d)
    np.maximum.at(last, pp, task.end_rank[pt])
    if opts.seen_share <= 0:
        period, own = task.in_period[pt], task.group[pp] == task.track_grid[pt]
        seen[pp[period]] = True
        seen_window[pp[task.in_window[pt]]] = True
        mine = own & period
        np.add.at(track_seen, pt[mine], task.farmland[pp[mine]])
    if not opts.need_shares:
        return ChunkOutput(task.key, task.parcel_index, share, seen, seen_window, last, task.track_index, track_seen)

    # areas inside the buffers: only the pieces of tracks within reach of some parcel are buffered
    reaching = np.isin(owner, np.unique(pt))
    pieces, owner = pieces[reaching], owner[reaching]
    buffers = geos.buffer(pieces, d, quad_segs=opts.quad_segs)
    # the buffers are the query geometries: STRtree prepares each one and tests the parcels under it
    pb, pp = shapely.STRtree(parcels).query(buffers, predicate="intersects")
    pt = owner[pb]
    own = task.group[pp] == task.track_grid[pt]
    shapely.prepare(buffers)
    inside = shapely.contains_properly(buffers[pb], parcels[pp])
    part = np.flatnonzero(~inside)
    inter = np.empty(len(pb), dtype=object)
    inter[part] = geos.intersection(parcels[pp[part]], buffers[pb[part]])
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

    share[:] = 0.0
    keys, values = shares_by(pp, np.flatnonzero(task.in_period[pt]), 1)
    share[keys] = values
    if opts.seen_share > 0:
        seen[keys] = values >= opts.seen_share
        keys, values = shares_by(pp, np.flatnonzero(task.in_window[pt]), 1)
        seen_window[keys] = values >= opts.seen_share
        keys, values = shares_by(pp * m + pt, np.flatnonzero(own & task.in_period[pt]), m)
        ok = values >= opts.seen_share
        np.add.at(track_seen, keys[ok] % m, task.farmland[keys[ok] // m])
    return ChunkOutput(task.key, task.parcel_index, share, seen, seen_window, last, task.track_index, track_seen)


# ---------------------------------------------------------------------------------------- the whole run
def townships(codes: np.ndarray) -> tuple[list[str], list[np.ndarray]]:
    """Township keys (space-code prefix of 9 digits) in code order, and each one's parcel positions."""
    keys = np.asarray(codes).astype(str).astype("U9")
    order = np.argsort(keys, kind="stable")
    uniq, starts = np.unique(keys[order], return_index=True)
    ends = np.r_[starts[1:], len(order)]
    return uniq.tolist(), [order[s:e] for s, e in zip(starts.tolist(), ends.tolist())]


def chunks(parcels: ParcelSet, tracks: TrackSet, options: CoverageOptions) -> Iterator[ChunkInput]:
    """One :class:`ChunkInput` per township, in code order, built only when drawn (the geometry of a
    township is read when its turn comes)."""
    bounds = parcels.boxes()
    groups = np.asarray(parcels.code).astype(str).astype("U14")
    farmland = np.asarray(parcels.farmland, float)
    t_bounds = shapely.bounds(shapely.from_wkb(tracks.wkb)) if len(tracks) else np.zeros((0, 4))
    ranks = np.argsort(np.argsort(np.asarray(tracks.end, dtype=str), kind="stable"), kind="stable")
    in_period, in_window = np.asarray(tracks.in_period, bool), np.asarray(tracks.in_window, bool)
    grid = np.asarray(tracks.grid, dtype=object)
    d = options.distance
    for key, idx in zip(*townships(parcels.code)):
        b = bounds[idx]
        box = (float(np.nanmin(b[:, 0])), float(np.nanmin(b[:, 1])), float(np.nanmax(b[:, 2])),
               float(np.nanmax(b[:, 3])))
        reach = np.flatnonzero((t_bounds[:, 0] - d <= box[2]) & (t_bounds[:, 2] + d >= box[0])
                               & (t_bounds[:, 1] - d <= box[3]) & (t_bounds[:, 3] + d >= box[1]))
        # a township no track reaches needs no geometry: nothing in it is seen
        wkb = parcels.geometries(idx) if len(reach) else np.full(len(idx), None, dtype=object)
        yield ChunkInput(str(key), idx, wkb, groups[idx].astype(object), farmland[idx], reach, tracks.wkb[reach],
                         ranks[reach], in_period[reach], in_window[reach], grid[reach], box, options)


@dataclass
class TownshipDone:
    """One township's parcels, final (what :func:`analyse` tells ``township_done`` as each comes back): their
    positions (a contiguous range, townships in code order) and values."""

    index: np.ndarray
    share: np.ndarray
    seen: np.ndarray
    seen_window: np.ndarray
    last_seen: np.ndarray  # end time text of the latest track reaching the parcel, '' for none


def analyse(parcels: ParcelSet, tracks: TrackSet, options: CoverageOptions | None = None,
            progress: Callable[[float], None] | None = None, cancelled: Callable[[], bool] | None = None,
            pool=None, township_done: Callable[[TownshipDone], None] | None = None) -> CoverageResult:
    """Coverage of every parcel and every track's own-grid coverage.

    ``pool`` is an executor (e.g. :func:`~.parallel.process_pool`) or None to work in this process;
    townships are submitted a few per worker ahead, so memory stays bounded. ``township_done`` hears of each
    township as soon as its parcels are final, so that their rows can be written while the rest is computed.
    """
    opts = options or CoverageOptions()
    n, m = len(parcels), len(tracks)
    share = np.full(n, np.nan)
    if opts.need_shares:
        share[:] = 0.0
    seen, seen_window = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    last = np.full(n, -1, dtype=np.int64)
    track_seen = np.zeros(m)
    total = len(townships(parcels.code)[0]) if n else 0
    tasks = chunks(parcels, tracks, opts) if n else iter(())
    window = 3 * max(opts.workers, 1)
    ends = np.asarray(tracks.end, dtype=object)
    order = np.argsort(np.asarray(tracks.end, dtype=str), kind="stable")

    def end_texts(ranks: np.ndarray) -> np.ndarray:
        texts = np.full(len(ranks), "", dtype=object)
        hit = ranks >= 0
        texts[hit] = ends[order[ranks[hit]]] if m else ""
        return texts

    for done, out in enumerate(parallel.ordered_map(pool, cover_chunk, tasks, window, cancelled), start=1):
        idx = out.parcel_index
        share[idx], seen[idx], seen_window[idx], last[idx] = out.share, out.seen, out.seen_window, out.last_rank
        np.add.at(track_seen, out.track_index, out.track_seen_m2)
        if township_done:
            township_done(TownshipDone(idx, share[idx], out.seen, out.seen_window, end_texts(out.last_rank)))
        if progress:
            progress(done / max(total, 1))
    last_seen = end_texts(last)
    return CoverageResult(share, seen, seen_window, last_seen, track_seen,
                          grid_farmland(parcels, np.asarray(tracks.grid, dtype=object)))


def grid_farmland(parcels: ParcelSet, grids: np.ndarray) -> np.ndarray:
    """Farmland m² of each given grid code (parcels whose space code starts with it)."""
    totals: dict[str, float] = {}
    codes = np.asarray(parcels.code).astype(str)
    for length in sorted({len(str(g)) for g in grids if g}):
        keys, inv = np.unique(codes.astype(f"U{length}"), return_inverse=True)
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
           "grid_farmland", "track_pieces", "reach_pairs", "cover_chunk", "townships", "chunks", "Cancelled",
           "GRID_LENGTHS"]
