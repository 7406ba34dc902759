"""轨迹真实性检查 — is a patrol track a real walk over the officer's own 社 grid?

A track that counts toward a patrol task must be walked (not driven past), long enough, over the
officer's own group cell, continuous, and not an earlier track uploaded again. Each check gives a flag
and the numbers it was decided on (``figures``), so the desk can see *why* — figures are reported even
when the flag is not raised, so that a borderline track can be judged by a person.

Plain Python on numpy and shapely (no Qt): the same checks run in Processing, in tests and later on a
server. Coordinates are projected metres (the county's CGCS2000 Gauss–Krüger CRS), times epoch seconds.

Flags (codes are stable; see docs/track-checks.md):

- ``driven``           speed profile of a vehicle: median or 85th-percentile moving speed above walking,
                       or a long stretch faster than anyone walks (blocking)
- ``too_short``        shorter than the minimum duration or length (blocking)
- ``outside_grid``     too little of the track inside the officer's 社 cell (blocking)
- ``teleport``         consecutive fixes implying an impossible speed: the track is not continuous (blocking)
- ``replay``           the same path at the same pace as an earlier track of any officer (blocking)
- ``bad_clock``        fix times after the check (plus a tolerance) or before 2000: the phone's clock was
                       wrong, so nothing about the track's date can be trusted (blocking)
- ``regular_sampling`` machine-regular intervals and spacing, as a simulated file (hint, not blocking)
- ``no_grid_cell``     the track's grid code has no cell in the active grid (hint, not blocking)
"""
from __future__ import annotations

import datetime as _datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

FLAGS = ("driven", "too_short", "outside_grid", "teleport", "replay", "bad_clock", "regular_sampling",
         "no_grid_cell")

#: The flags as the desk reads them (stored output and reports are in Chinese whatever the UI language).
FLAG_LABELS_ZH = {
    "driven": "开车路过（速度超过步行）",
    "too_short": "时长或里程不足",
    "outside_grid": "不在本社网格内",
    "teleport": "轨迹跳点（瞬移）",
    "replay": "重复上传旧轨迹",
    "bad_clock": "时间异常（设备时钟错误）",
    "regular_sampling": "采样过于规整（疑似模拟）",
    "no_grid_cell": "网格中无此社",
}

#: Flags that keep a track from counting toward a task. ``regular_sampling`` is a hint only (many
#: loggers record at a fixed interval), ``no_grid_cell`` is the grid's fault, not the officer's.
BLOCKING = ("driven", "too_short", "outside_grid", "teleport", "replay", "bad_clock")

#: 2000-01-01 00:00 Beijing time (epoch s): earlier fix times come from a reset phone clock (1970 …)
EARLIEST_TIME = _datetime.datetime(2000, 1, 1, tzinfo=_datetime.timezone(_datetime.timedelta(hours=8))).timestamp()


@dataclass(frozen=True)
class CheckOptions:
    """Thresholds of the checks. Defaults are set for 社 officers walking their fields with a phone.

    Walking is 1–1.7 m/s (3.6–6 km/h); a tractor or motorbike on a field road is 4 m/s and more. Speeds
    are measured over ``speed_window_s`` (straight-line displacement over the window), because the fix
    to fix speed of a walker is dominated by a few metres of GPS noise.
    """

    speed_window_s: float = 30.0        #: window of the smoothed moving speed (s)
    moving_speed_ms: float = 0.3        #: below this the officer is standing (not part of the profile)
    walk_median_max_ms: float = 2.0     #: median moving speed above this: driven
    walk_p85_max_ms: float = 3.0        #: 85th-percentile moving speed above this: driven
    drive_speed_ms: float = 4.0         #: a "fast" stretch is faster than this …
    drive_stretch_s: float = 300.0      #: … and lasting this long makes the track driven
    min_duration_s: float = 900.0       #: 15 min
    min_length_m: float = 1000.0        #: 1 km
    grid_tolerance_m: float = 30.0      #: the cell is buffered by this (field edges, GPS error)
    min_inside_share: float = 0.5       #: share of the length inside the buffered cell
    teleport_speed_ms: float = 30.0     #: consecutive fixes implying more than 108 km/h
    replay_spacing_m: float = 10.0      #: both tracks are resampled at this spacing
    replay_distance_m: float = 10.0     #: symmetric mean closest-point distance at most this
    replay_length_ratio: float = 0.9    #: shorter / longer length at least this
    replay_same_pace: bool = True       #: also require the same movement over time (see :func:`pace`)
    replay_min_pace_corr: float = 0.9   #: velocity correlation at equal elapsed times at least this, and
    #: the median distance at equal elapsed times at most ``replay_distance_m``
    regular_min_intervals: int = 100    #: regular sampling is judged over at least this many intervals
    regular_max_cv: float = 0.01        #: coefficient of variation of the time intervals at most this …
    regular_max_step_cv: float = 0.1    #: … and of the distances between fixes at most this
    earliest_time: float = EARLIEST_TIME  #: fix times before this (epoch s) are a wrong clock
    clock_tolerance_s: float = 600.0    #: fix times later than "now" by more than this are a wrong clock
    blocking: tuple[str, ...] = BLOCKING

    def as_dict(self) -> dict:
        """The options as JSON-able values (stored with the figures, so a result can be reproduced)."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass
class TrackCheck:
    """The outcome for one track: flag codes (in :data:`FLAGS` order), evidence, and whether it counts."""

    flags: list[str]
    figures: dict
    accepted: bool


@dataclass
class _Past:
    key: str
    line: object            # resampled LineString
    xy: np.ndarray          # resampled points (m, 2)
    tau: np.ndarray         # elapsed seconds at the resampled points
    length: float           # smoothed length (see :func:`path_length`)


def _arc(xy: np.ndarray) -> np.ndarray:
    return np.r_[0.0, np.cumsum(np.hypot(*np.diff(xy, axis=0).T))] if len(xy) else np.zeros(0)


def resample(xy: np.ndarray, t: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``spacing`` metres along the track and the elapsed time at each.

    Comparing resampled tracks makes the comparison independent of the logging interval and of
    standing still (many fixes in one place would otherwise weigh more).
    """
    xy = np.asarray(xy, dtype=float)
    t = np.asarray(t, dtype=float)
    s = _arc(xy)
    if len(xy) < 2 or s[-1] <= 0:
        return xy[:1].copy(), (t[:1] - t[:1]) if len(t) else np.zeros(0)
    at = np.r_[np.arange(0.0, s[-1], spacing), s[-1]]
    pts = np.column_stack([np.interp(at, s, xy[:, 0]), np.interp(at, s, xy[:, 1])])
    return pts, np.interp(at, s, t - t[0])


class PastTracks:
    """Earlier tracks to compare with, found by envelope through an STRtree.

    shapely's STRtree cannot grow, so additions wait in a small list scanned with numpy and the tree is
    rebuilt once that list is a quarter of the tree: adding n tracks costs O(n log n) overall, which
    keeps a year of a county's tracks (tens of thousands) cheap.
    """

    def __init__(self, spacing: float = 10.0, window: float = 30.0):
        self.spacing = spacing
        self.window = window  # of the smoothed length compared (see :func:`path_length`)
        self._items: list[_Past] = []
        self._box_store = np.zeros((64, 4))  # grown by doubling: appending stays O(1) amortised
        self._length_store = np.zeros(64)
        self._tree: shapely.STRtree | None = None
        self._built = 0  # items[:built] are in the tree

    def __len__(self) -> int:
        return len(self._items)

    def add(self, key: str, xy: np.ndarray, t: np.ndarray) -> None:
        """Remember a track (projected xy, epoch seconds) under ``key``."""
        pts, tau = resample(xy, t, self.spacing)
        if len(pts) < 2:
            return
        line = shapely.linestrings(pts)
        n = len(self._items)
        if n == len(self._length_store):
            self._box_store = np.vstack([self._box_store, np.zeros_like(self._box_store)])
            self._length_store = np.r_[self._length_store, np.zeros_like(self._length_store)]
        self._items.append(_Past(key, line, pts, tau, path_length(xy, t, self.window)))
        self._box_store[n] = [*pts.min(axis=0), *pts.max(axis=0)]
        self._length_store[n] = self._items[-1].length
        if len(self._items) - self._built > max(64, self._built // 4):
            self._rebuild()

    @property
    def _boxes(self) -> np.ndarray:
        return self._box_store[: len(self._items)]

    @property
    def _lengths(self) -> np.ndarray:
        return self._length_store[: len(self._items)]

    def _rebuild(self) -> None:
        self._tree = shapely.STRtree(shapely.box(*self._boxes.T)) if len(self._items) else None
        self._built = len(self._items)

    def candidates(self, box: Sequence[float], length: float = 0.0, ratio: float = 0.0) -> list[int]:
        """Indexes of earlier tracks whose envelope meets ``box`` (x0, y0, x1, y1) and whose length is
        within ``ratio`` of ``length`` (a replay has about the same length)."""
        found = []
        if self._tree is not None and self._built:
            found = self._tree.query(shapely.box(*box)).tolist()
        b = self._boxes[self._built:]
        if len(b):
            hit = (b[:, 0] <= box[2]) & (b[:, 2] >= box[0]) & (b[:, 1] <= box[3]) & (b[:, 3] >= box[1])
            found += (np.flatnonzero(hit) + self._built).tolist()
        found = np.array(sorted(found), dtype=np.int64)
        if ratio > 0 and length > 0 and len(found):
            lengths = self._lengths[found]
            found = found[np.minimum(lengths, length) >= ratio * np.maximum(lengths, length)]
        return found.tolist()

    def item(self, i: int) -> _Past:
        return self._items[i]


def _moving_speeds(xy: np.ndarray, t: np.ndarray, window: float) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line speed over ``window`` seconds from each fix (and the time of that fix)."""
    if len(t) < 2:
        return np.zeros(0), np.zeros(0)
    j = np.searchsorted(t, t + window, side="left")
    ok = j < len(t)
    i, j = np.flatnonzero(ok), j[ok]
    if len(i) == 0:  # shorter than one window: the whole track is one window
        i, j = np.array([0]), np.array([len(t) - 1])
    dt = np.maximum(t[j] - t[i], 1.0)
    return np.hypot(*(xy[j] - xy[i]).T) / dt, t[i]


def _longest_run(mask: np.ndarray, times: np.ndarray, window: float) -> float:
    """Longest time covered by consecutive True windows (each window lasting ``window`` s)."""
    if not mask.any():
        return 0.0
    edges = np.diff(np.r_[0, mask.astype(np.int8), 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return float((times[ends] - times[starts] + window).max())


def _cv(values: np.ndarray) -> float:
    mean = float(values.mean()) if len(values) else 0.0
    return float(values.std() / mean) if mean > 0 else 0.0


def inside_shares(tracks: Sequence[np.ndarray], cells: Sequence, tolerance: float) -> np.ndarray:
    """Share of each track's length inside its cell buffered by ``tolerance`` (NaN where no cell).

    Each segment counts by its midpoint, weighted by its length: fixes are metres apart, far less than
    the tolerance, and unlike a GEOS intersection of the whole line this does not dissolve a loop walked
    twice into one. One vectorised GEOS call for all tracks' segments at once (prepared cells).
    """
    cells = np.asarray(cells, dtype=object)
    out = np.full(len(tracks), np.nan)
    has = np.array([c is not None and not shapely.is_empty(c) for c in cells], dtype=bool)
    idx = np.flatnonzero(has)
    if not len(idx):
        return out
    zones = shapely.buffer(cells[idx], tolerance) if tolerance > 0 else cells[idx].copy()
    shapely.prepare(zones)
    mids, weights, owner = [], [], []
    for k, i in enumerate(idx):
        xy = np.asarray(tracks[i], dtype=float).reshape(-1, 2)
        if len(xy) < 2:
            mids.append(xy[:1])
            weights.append(np.ones(len(xy[:1])))
            owner.append(np.full(len(xy[:1]), k))
            continue
        mids.append((xy[1:] + xy[:-1]) / 2)
        w = np.hypot(*np.diff(xy, axis=0).T)
        weights.append(w if w.sum() > 0 else np.ones(len(w)))
        owner.append(np.full(len(w), k))
    mid, w, own = np.vstack(mids), np.concatenate(weights), np.concatenate(owner)
    inside = shapely.intersects(zones[own], shapely.points(mid))
    total = np.bincount(own, weights=w, minlength=len(idx))
    within = np.bincount(own, weights=w * inside, minlength=len(idx))
    out[idx] = np.where(total > 0, within / np.maximum(total, 1e-12), 0.0)
    return out


def path_length(xy: np.ndarray, t: np.ndarray, window: float = 30.0) -> float:
    """Length through the fixes taken at least ``window`` seconds apart: the walked distance without
    the zigzag that GPS noise adds between close fixes (which inflates a raw length by a third)."""
    if len(xy) < 2:
        return 0.0
    t = np.asarray(t, dtype=float)
    keep = np.unique(np.r_[np.searchsorted(t, np.arange(t[0], t[-1], window)), len(t) - 1])
    return float(_arc(np.asarray(xy, dtype=float)[keep])[-1])


def pace(pts_a: np.ndarray, tau_a: np.ndarray, pts_b: np.ndarray, tau_b: np.ndarray,
         window: float) -> tuple[float | None, float | None]:
    """How alike two tracks move over time: (correlation of their velocities — displacement over
    ``window`` seconds — at equal elapsed times, median distance between them at equal elapsed times).

    The correlation is 1 for the same movement and about 0 for unrelated ones; the distance is 0 for a
    copy and grows as two recordings drift apart. Path distances alone cannot tell a copy from an honest
    second walk when a small group's fields are walked back and forth many times (every point is near
    both paths): the velocity at each moment can, because two people never turn at the same seconds.
    Two cars on the same stretch of road may move alike for minutes, but are not at the same place at
    the same elapsed time. A copy with a few metres of noise added keeps a correlation above 0.9 and a
    distance of a few metres. (None, None) when the common time span is shorter than two windows.
    """
    span = min(float(tau_a[-1]), float(tau_b[-1]))
    if span < 2 * window:
        return None, None
    at = np.arange(0.0, span - window + 1e-9, window / 2)

    def velocity(pts: np.ndarray, tau: np.ndarray) -> np.ndarray:
        tau = np.maximum.accumulate(tau)
        x0 = np.column_stack([np.interp(at, tau, pts[:, 0]), np.interp(at, tau, pts[:, 1])])
        x1 = np.column_stack([np.interp(at + window, tau, pts[:, 0]), np.interp(at + window, tau, pts[:, 1])])
        return x1 - x0

    def position(pts: np.ndarray, tau: np.ndarray) -> np.ndarray:
        tau = np.maximum.accumulate(tau)
        return np.column_stack([np.interp(at, tau, pts[:, 0]), np.interp(at, tau, pts[:, 1])])

    va, vb = velocity(pts_a, tau_a), velocity(pts_b, tau_b)
    norm = float(np.sqrt((va ** 2).sum() * (vb ** 2).sum()))
    apart = float(np.median(np.hypot(*(position(pts_a, tau_a) - position(pts_b, tau_b)).T)))
    return (float((va * vb).sum() / norm) if norm > 0 else None), apart


def _replay(xy: np.ndarray, t: np.ndarray, past: PastTracks | None, opt: CheckOptions) -> dict:
    """The closest earlier track by path (and pace), if any is within the replay thresholds.

    Candidates come from the envelope index and the length ratio; the symmetric mean closest-point
    distance is computed one direction first (most candidates fail it), then the other and the pace.
    When no candidate qualifies, the figures of the nearest path that failed only on pace are kept.
    """
    out = {"replay_of": None, "replay_distance_m": None, "replay_pace_corr": None, "replay_pace_m": None,
           "replay_length_ratio": None, "replay_candidates": 0}
    if past is None or not len(past) or len(xy) < 2:
        return out
    pts, tau = resample(xy, t, opt.replay_spacing_m)
    if len(pts) < 2:
        return out
    length = path_length(xy, t, opt.speed_window_s)
    box = [*(pts.min(axis=0) - opt.replay_distance_m), *(pts.max(axis=0) + opt.replay_distance_m)]
    cands = past.candidates(box, length, opt.replay_length_ratio)
    out["replay_candidates"] = len(cands)
    if not cands:
        return out
    line = shapely.linestrings(pts)
    here = shapely.points(pts)
    best, near = None, None
    for i in cands:
        other = past.item(i)
        d_ab = float(shapely.distance(here, other.line).mean())
        if d_ab > opt.replay_distance_m:
            continue
        d = max(d_ab, float(shapely.distance(shapely.points(other.xy), line).mean()))
        if d > opt.replay_distance_m:
            continue
        corr, apart = pace(pts, tau, other.xy, other.tau, opt.speed_window_s)
        ratio = min(length, other.length) / max(length, other.length) if max(length, other.length) > 0 else 1.0
        figures = {"replay_distance_m": round(d, 2), "replay_pace_corr": None if corr is None else round(corr, 3),
                   "replay_pace_m": None if apart is None else round(apart, 2), "replay_length_ratio": round(ratio, 3)}
        if opt.replay_same_pace and (corr is None or corr < opt.replay_min_pace_corr
                                     or apart is None or apart > opt.replay_distance_m):
            if best is None and (near is None or d < near[0]):
                near = (d, figures)
            continue
        score = (apart if apart is not None else d, d)
        if best is None or score < best:
            best = score
            out.update(replay_of=other.key, **figures)
    if best is None and near is not None:
        out.update(near[1])
    return out


def check_track(xy: np.ndarray, t: np.ndarray, grid_cell=None, past: PastTracks | None = None,
                options: CheckOptions | None = None, inside_share: float | None = None,
                has_cell: bool | None = None, length_m: float | None = None,
                now: float | None = None) -> TrackCheck:
    """Check one track: ``xy`` (n, 2) projected metres, ``t`` (n,) epoch seconds in fix order.

    ``grid_cell`` is the officer's 社 cell (shapely polygon) or None when the grid has none (flag
    ``no_grid_cell``); ``past`` holds the earlier tracks a replay may copy. ``inside_share`` may be
    given when it was computed in bulk (:func:`inside_shares`). The track is not added to ``past``.
    ``length_m`` is the track's true length when known (else the length of ``xy``); ``now`` (epoch s) is
    the time of the check: a fix later than that (beyond ``clock_tolerance_s``) is a wrong clock.
    """
    opt = options or CheckOptions()
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    t = np.asarray(t, dtype=float)
    n = len(xy)
    seg = np.hypot(*np.diff(xy, axis=0).T) if n > 1 else np.zeros(0)
    dt = np.diff(t) if n > 1 else np.zeros(0)
    length = float(seg.sum()) if length_m is None or not np.isfinite(length_m) else float(length_m)
    duration = float(t[-1] - t[0]) if n else 0.0
    flags: set[str] = set()

    finite = t[np.isfinite(t)]
    first = float(finite.min()) if len(finite) else None
    last = float(finite.max()) if len(finite) else None
    future_s = max(0.0, last - now) if last is not None and now is not None else 0.0
    if first is not None and (first < opt.earliest_time or future_s > opt.clock_tolerance_s):
        flags.add("bad_clock")

    speeds, at = _moving_speeds(xy, t, opt.speed_window_s)
    moving = speeds[speeds >= opt.moving_speed_ms]
    median = float(np.median(moving)) if len(moving) else 0.0
    p85 = float(np.percentile(moving, 85)) if len(moving) else 0.0
    longest_fast = _longest_run(speeds > opt.drive_speed_ms, at, opt.speed_window_s) if len(speeds) else 0.0
    if median > opt.walk_median_max_ms or p85 > opt.walk_p85_max_ms or longest_fast >= opt.drive_stretch_s:
        flags.add("driven")

    if duration < opt.min_duration_s or length < opt.min_length_m:
        flags.add("too_short")

    if has_cell is None:
        has_cell = grid_cell is not None and not shapely.is_empty(grid_cell)
    if not has_cell:
        flags.add("no_grid_cell")
        share = None
    else:
        if inside_share is None:
            inside_share = float(inside_shares([xy], [grid_cell], opt.grid_tolerance_m)[0]) if n else 0.0
        share = 0.0 if inside_share is None or np.isnan(inside_share) else float(inside_share)
        if share < opt.min_inside_share:
            flags.add("outside_grid")

    jump = seg / np.maximum(dt, 1.0) if n > 1 else np.zeros(0)
    jumps = int((jump > opt.teleport_speed_ms).sum())
    worst = int(np.argmax(jump)) if len(jump) else -1
    if jumps:
        flags.add("teleport")

    interval_cv = _cv(dt) if len(dt) else 0.0
    step_cv = _cv(seg) if len(seg) else 0.0
    if len(dt) >= opt.regular_min_intervals and interval_cv <= opt.regular_max_cv and \
            step_cv <= opt.regular_max_step_cv:
        flags.add("regular_sampling")

    replay = _replay(xy, t, past, opt)
    if replay["replay_of"] is not None:
        flags.add("replay")

    figures = {
        "fixes": n, "length_m": round(length, 1), "duration_s": round(duration, 1),
        "speed_median_ms": round(median, 2), "speed_p85_ms": round(p85, 2),
        "longest_fast_s": round(longest_fast, 1),
        "inside_share": None if share is None else round(share, 3),
        "teleports": jumps, "worst_jump_ms": round(float(jump[worst]), 1) if worst >= 0 else 0.0,
        "worst_jump_m": round(float(seg[worst]), 1) if worst >= 0 else 0.0,
        "interval_cv": round(interval_cv, 4), "step_cv": round(step_cv, 4),
        "median_interval_s": round(float(np.median(dt)), 1) if len(dt) else 0.0,
        "future_s": round(future_s, 1), "before_earliest": bool(first is not None and first < opt.earliest_time),
        **replay,
    }
    ordered = [f for f in FLAGS if f in flags]
    return TrackCheck(ordered, figures, not any(f in opt.blocking for f in ordered))


@dataclass
class TrackInput:
    """One track to check in bulk: its key, fixes (projected xy, epoch seconds) and its cell."""

    key: str
    xy: np.ndarray
    t: np.ndarray
    cell: object = None
    check: bool = True  # False: only an earlier track to compare with
    extra: dict = field(default_factory=dict)
    length_m: float | None = None  # geodesic length when known
    now: float | None = None  # epoch seconds of the check: no fix can be later


def check_many(tracks: Iterable[TrackInput], options: CheckOptions | None = None, past: PastTracks | None = None,
               progress=None, cancelled=None) -> dict[str, TrackCheck]:
    """Check many tracks in the order given (oldest first): each against its cell and every track
    before it (those with ``check=False`` only serve as earlier tracks). The shares inside the cells
    are computed for all tracks in one vectorised pass; ``past`` (optional) holds tracks from before.

    ``progress(fraction)`` is called now and then; ``cancelled()`` returning True raises InterruptedError.
    """
    opt = options or CheckOptions()
    tracks = list(tracks)
    past = past if past is not None else PastTracks(opt.replay_spacing_m, opt.speed_window_s)
    todo = [i for i, tr_ in enumerate(tracks) if tr_.check and len(tr_.xy) > 1]
    shares = dict(zip(todo, inside_shares(
        [tracks[i].xy for i in todo],
        [tracks[i].cell for i in todo], opt.grid_tolerance_m).tolist())) if todo else {}
    out: dict[str, TrackCheck] = {}
    for k, track in enumerate(tracks):
        if cancelled is not None and cancelled():
            raise InterruptedError
        if track.check:
            has_cell = track.cell is not None and not shapely.is_empty(track.cell)
            out[track.key] = check_track(track.xy, track.t, track.cell, past, opt, shares.get(k), has_cell,
                                         track.length_m, track.now)
        past.add(track.key, track.xy, track.t)
        if progress is not None and k % 50 == 0:
            progress(k / max(len(tracks), 1))
    return out
