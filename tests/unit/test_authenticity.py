"""轨迹真实性检查 on synthetic tracks: every flag raised when it should be, and not otherwise."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from linxia_tianguan_plugin.core.patrol.authenticity import (
    BLOCKING,
    CheckOptions,
    PastTracks,
    TrackInput,
    check_many,
    check_track,
    resample,
)

CELL = shapely.box(0, 0, 800, 800)
T0 = 1_749_430_800.0  # 2025-06-09 01:00 UTC


def route_through(points: np.ndarray, length: float) -> np.ndarray:
    """The polyline through ``points``, repeated until it is ``length`` long."""
    route = [points[0]]
    total = 0.0
    while total < length:
        for p in points[1:]:
            total += float(np.hypot(*(p - route[-1])))
            route.append(p)
    return np.array(route)


def along(route: np.ndarray, dist: np.ndarray) -> np.ndarray:
    seg = np.hypot(*np.diff(route, axis=0).T)
    cum = np.r_[0.0, np.cumsum(seg)]
    return np.column_stack([np.interp(dist, cum, route[:, 0]), np.interp(dist, cum, route[:, 1])])


def walk(seed: int, points: np.ndarray | None = None, speed: float = 1.2, minutes: float = 60.0, step: float = 5.0,
         noise: float = 3.0, t0: float = T0, jitter: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """A GPS track at walking pace (speed varies ±jitter per step) with correlated noise."""
    g = np.random.default_rng(seed)
    if points is None:
        points = g.uniform(60, 740, (8, 2))
    n = int(minutes * 60 / step) + 1
    d = np.r_[0.0, np.cumsum(step * speed * g.uniform(1 - jitter, 1 + jitter, n - 1))]
    xy = along(route_through(points, d[-1] + 1), d)
    e = np.zeros((n, 2))
    for i in range(1, n):
        e[i] = 0.8 * e[i - 1] + g.normal(0, 0.6 * noise, 2)
    t = t0 + step * np.arange(n) + (g.integers(-1, 2, n) if jitter else 0)
    return xy + e, np.sort(t.astype(float))


def test_a_good_walk_is_accepted_with_every_figure():
    xy, t = walk(1)
    result = check_track(xy, t, CELL)
    assert result.flags == [] and result.accepted
    f = result.figures
    for key in ("fixes", "length_m", "duration_s", "speed_median_ms", "speed_p85_ms", "longest_fast_s",
                "inside_share", "teleports", "worst_jump_ms", "interval_cv", "step_cv", "replay_of",
                "replay_distance_m", "replay_pace_corr", "replay_length_ratio"):
        assert key in f
    assert 0.8 < f["speed_median_ms"] < 1.8 and f["inside_share"] > 0.95 and f["duration_s"] == pytest.approx(3600, 2)


def test_driving_is_flagged_driven_and_blocks():
    xy, t = walk(2, speed=10.0, minutes=20)
    result = check_track(xy, t, CELL)
    assert "driven" in result.flags and not result.accepted
    assert result.figures["speed_median_ms"] > 6


def ride(start: np.ndarray, t0: float, minutes: float, speed: float = 9.0) -> tuple[np.ndarray, np.ndarray]:
    """A straight drive along a road at ``speed`` from ``start``, a fix every 5 s."""
    t = t0 + 5.0 * np.arange(1, int(minutes * 12) + 1)
    return start + np.column_stack([speed * (t - t0), np.zeros(len(t))]), t


def test_a_long_fast_stretch_in_a_walk_is_driven_but_a_short_ride_is_not():
    xy1, t1 = walk(3, minutes=40)
    for minutes, driven in ((8.0, True), (1.5, False)):
        xr, tr = ride(xy1[-1], t1[-1], minutes)
        xy2, t2 = walk(5, minutes=40, t0=tr[-1] + 5)
        xy2 += xr[-1] - xy2[0]
        result = check_track(np.vstack([xy1, xr, xy2]), np.r_[t1, tr, t2], None)
        assert ("driven" in result.flags) is driven, (minutes, result.figures)
        assert (result.figures["longest_fast_s"] >= 300) is driven
        assert result.figures["speed_median_ms"] < 2


def test_too_short_by_duration_and_by_length():
    xy, t = walk(8, minutes=10)
    assert "too_short" in check_track(xy, t, CELL).flags
    xy, t = walk(9, speed=0.25, minutes=60, noise=0.3)  # an hour, but 900 m
    result = check_track(xy, t, CELL)
    assert "too_short" in result.flags and result.figures["length_m"] < 1000
    xy, t = walk(10, minutes=16)
    assert "too_short" not in check_track(xy, t, CELL).flags


def test_outside_grid_by_share_within_a_tolerance():
    xy, t = walk(11)
    assert "outside_grid" in check_track(xy + [2000, 0], t, CELL).flags
    half = xy.copy()
    half[: len(xy) * 2 // 3, 0] += 2000  # two thirds of the walk in the next cell
    result = check_track(half, t, CELL)
    assert "outside_grid" in result.flags and result.figures["inside_share"] < 0.5
    edge = check_track(xy + [20, 0], t, CELL)  # brushing past the edge within the tolerance
    assert "outside_grid" not in edge.flags and edge.figures["inside_share"] > 0.95


def test_no_grid_cell_is_a_hint_that_does_not_block():
    xy, t = walk(12)
    result = check_track(xy, t, None)
    assert result.flags == ["no_grid_cell"] and result.accepted and result.figures["inside_share"] is None
    assert "no_grid_cell" not in BLOCKING


def test_teleport_counts_jumps_and_reports_the_worst():
    xy, t = walk(13)
    jumped = xy.copy()
    jumped[200:] += [3000, 0]
    jumped[400:] -= [3000, 0]
    result = check_track(jumped, t, CELL)
    assert "teleport" in result.flags and not result.accepted
    assert result.figures["teleports"] == 2 and result.figures["worst_jump_ms"] > 300
    assert "teleport" not in check_track(xy, t, CELL).flags


def test_regular_sampling_of_a_simulated_file_is_a_non_blocking_hint():
    g = np.random.default_rng(14)
    points = g.uniform(60, 740, (8, 2))
    n = 721
    xy = along(route_through(points, 5 * 1.2 * n + 1), 5 * 1.2 * np.arange(n))  # constant pace, no noise
    t = T0 + 5.0 * np.arange(n)
    result = check_track(xy, t, CELL)
    assert "regular_sampling" in result.flags and result.accepted
    assert result.figures["interval_cv"] == 0
    # a phone logging every 5 s while walking at a varying pace is not flagged
    xy, t = walk(15, jitter=0.2)
    assert "regular_sampling" not in check_track(xy, t - (t - t[0]) % 5, CELL).flags


def test_replay_is_found_among_many_decoys():
    past = PastTracks()
    route = np.random.default_rng(16).uniform(60, 740, (8, 2))
    original, t = walk(16, points=route)
    g = np.random.default_rng(17)
    for i in range(300):  # walks all over the county, some in the original's cell, some on its very route
        same_route = i % 30 == 0
        xy, tt = walk(100 + i, points=route if same_route else None, speed=float(g.uniform(1.0, 1.4)),
                      minutes=float(g.uniform(40, 90)), t0=T0 - 86400 * 7 + i * 60)
        past.add(f"decoy{i}", xy + g.uniform(-3000, 3000, 2) * (i % 3 != 0 and not same_route), tt)
    past.add("original", original, t - 7 * 86400)
    for i in range(300, 400):
        xy, tt = walk(100 + i, t0=T0 - 86400 * 6)
        past.add(f"decoy{i}", xy + g.uniform(-3000, 3000, 2), tt)
    result = check_track(original, t + 3600, CELL, past)  # same points, a week and an hour later
    assert "replay" in result.flags and not result.accepted
    assert result.figures["replay_of"] == "original" and result.figures["replay_distance_m"] < 1
    assert result.figures["replay_candidates"] < 200  # the envelope index did the sorting out
    # a replay with a few metres of added noise is found too
    noisy = check_track(original + np.random.default_rng(18).normal(0, 3, original.shape), t + 3600, CELL, past)
    assert noisy.figures["replay_of"] == "original"


def test_two_walks_in_the_same_grid_are_no_replay_even_on_the_same_route():
    points = np.random.default_rng(19).uniform(60, 740, (8, 2))
    past = PastTracks()
    first, t1 = walk(20, points=points)
    past.add("monday", first, t1)
    other, t2 = walk(21, t0=T0 + 86400 * 2)  # another loop over the same fields
    assert "replay" not in check_track(other, t2, CELL, past).flags
    again, t3 = walk(22, points=points, speed=1.25, t0=T0 + 86400 * 3)  # the same route walked again
    result = check_track(again, t3, CELL, past)
    assert "replay" not in result.flags and result.accepted
    # pace ignored, the same route walked again is indistinguishable by path alone
    path_only = check_track(again, t3, CELL, past, CheckOptions(replay_same_pace=False))
    assert path_only.figures["replay_distance_m"] is not None


def test_past_tracks_index_grows_and_finds_by_envelope():
    past = PastTracks()
    for i in range(500):
        x = (i % 50) * 1000.0
        y = (i // 50) * 1000.0
        past.add(str(i), np.array([[x, y], [x + 500, y + 500]]), np.array([0.0, 600.0]))
    assert len(past) == 500
    found = past.candidates([10_100, 2_100, 10_200, 2_200])
    assert [past.item(i).key for i in found] == ["110"]
    assert past.candidates([10_100, 2_100, 10_200, 2_200], length=5000, ratio=0.9) == []


def test_resample_spacing_and_elapsed_time():
    pts, tau = resample(np.array([[0, 0], [100, 0]]), np.array([10.0, 110.0]), 10.0)
    assert len(pts) == 11 and tau[-1] == pytest.approx(100) and tau[5] == pytest.approx(50)


def test_check_many_checks_each_against_those_before_it():
    points = np.random.default_rng(23).uniform(60, 740, (8, 2))
    first, t1 = walk(24, points=points)
    drive, td = walk(25, speed=12, minutes=5, t0=T0 + 86400)
    tracks = [TrackInput("old", first, t1 - 7 * 86400, CELL, check=False),
              TrackInput("copy", first, t1, CELL), TrackInput("drive", drive, td, CELL),
              TrackInput("away", first + [5000, 0], t1 + 86400 * 2, CELL)]
    seen = []
    out = check_many(tracks, progress=seen.append)
    assert set(out) == {"copy", "drive", "away"} and seen
    assert out["copy"].flags == ["replay"] and out["copy"].figures["replay_of"] == "old"
    assert {"driven", "too_short"} <= set(out["drive"].flags)
    assert "outside_grid" in out["away"].flags and "replay" not in out["away"].flags  # moved 5 km
    with pytest.raises(InterruptedError):
        check_many(tracks, cancelled=lambda: True)


def test_back_and_forth_in_a_small_group_is_no_replay_but_its_copy_is():
    """A group with two fields 40 m apart: every walk is the same path, only the timing differs."""
    points = np.array([[400.0, 400.0], [440.0, 400.0], [400.0, 400.0]])
    past = PastTracks()
    first, t1 = walk(30, points=points, speed=1.0, minutes=60, noise=1.0)
    past.add("first", first, t1)
    second, t2 = walk(31, points=points, speed=1.0, minutes=60, noise=1.0, t0=T0 + 86400)
    honest = check_track(second, t2, CELL, past, CheckOptions(min_length_m=0))
    assert "replay" not in honest.flags
    assert honest.figures["replay_distance_m"] is not None and honest.figures["replay_distance_m"] < 10
    copy = check_track(first, t1 + 86400, CELL, past, CheckOptions(min_length_m=0))
    assert copy.figures["replay_of"] == "first" and copy.figures["replay_pace_corr"] > 0.99


def test_two_drives_on_the_same_road_are_no_replay():
    past = PastTracks()
    road, t = ride(np.array([0.0, 100.0]), T0, 8, speed=9.0)
    past.add("car1", road, t)
    other, t2 = ride(np.array([0.0, 100.0]), T0 + 3600, 8 * 9 / 10.5, speed=10.5)
    result = check_track(other + np.random.default_rng(32).normal(0, 3, other.shape), t2, None, past)
    assert "replay" not in result.flags and "driven" in result.flags
