"""巡田覆盖 kernel against a brute-force computation on a small synthetic grid of parcels.

The brute force buffers every whole track with shapely and intersects every parcel with the union of
the buffers directly — no pieces, no chunks, no trees — so it checks the kernel's cutting of tracks
into pieces, its township chunks and its prepared shortcuts.
"""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from linxia_tianguan_plugin.core.patrol.coverage import (
    CoverageOptions,
    ParcelSet,
    TrackSet,
    analyse,
    grid_rates,
    reach_pairs,
    track_pieces,
)

D = 50.0
TOWNSHIPS = ("622921101", "622921102")


def _parcels(seed: int = 1) -> ParcelSet:
    """Two townships side by side, each with two villages of two groups; 20 m × 30 m parcels (some
    irregular), 12 × 10 per group."""
    g = np.random.default_rng(seed)
    codes, geoms, farmland, basic = [], [], [], []
    for t, town in enumerate(TOWNSHIPS):
        for v in range(2):
            for grp in range(2):
                x0 = t * 1000.0 + grp * 240.0
                y0 = v * 300.0
                seq = 0
                for i in range(12):
                    for j in range(10):
                        seq += 1
                        box = shapely.box(x0 + 20 * i, y0 + 30 * j, x0 + 20 * i + 19, y0 + 30 * j + 29)
                        if (i + j) % 5 == 0:  # an L-shaped parcel now and then
                            box = box.difference(shapely.box(x0 + 20 * i + 10, y0 + 30 * j + 15, x0 + 20 * i + 19,
                                                             y0 + 30 * j + 29))
                        codes.append(f"{town}{v + 1:03d}{grp + 1:02d}{seq:05d}0")
                        geoms.append(box)
                        farmland.append(box.area * g.uniform(0.8, 1.0))
                        basic.append(box.area * (g.uniform(0.5, 1.0) if j % 2 else 0.0))
    geoms = np.array(geoms, dtype=object)
    return ParcelSet(np.array(codes), shapely.to_wkb(geoms), np.array(farmland), np.array(basic))


def _walk(g: np.random.Generator, start: tuple[float, float], n: int, step: float = 8.0) -> shapely.LineString:
    angles = np.cumsum(g.normal(0, 0.6, n))
    xy = np.array(start) + np.cumsum(np.c_[np.cos(angles), np.sin(angles)] * step, axis=0)
    return shapely.LineString(xy)


def _tracks(seed: int = 2) -> tuple[TrackSet, np.ndarray]:
    g = np.random.default_rng(seed)
    lines, grids, ends, period, window = [], [], [], [], []
    starts = [((0 + 30, 30), "62292110100101"), ((250, 40), "62292110100102"), ((1100, 350), "62292110200201"),
              ((900, 100), "62292110200101"), ((480, 280), "62292110100102"), ((60, 400), "62292110100201")]
    for k, (xy, grid) in enumerate(starts):
        lines.append(_walk(g, xy, int(g.integers(60, 400))))
        grids.append(grid)
        ends.append(f"2025-06-{10 + k:02d}T08:00:00Z")
        period.append(k != 5)  # the last one is from an earlier week: in the window only
        window.append(True)
    # a single fix, and a track entirely away from the parcels
    lines.append(shapely.LineString([(500, 150), (500, 150)]))
    grids.append("62292110100102")
    ends.append("2025-06-11T09:00:00Z")
    period.append(True)
    window.append(True)
    lines.append(_walk(g, (5000, 5000), 50))
    grids.append("62292110100101")
    ends.append("2025-06-12T09:00:00Z")
    period.append(True)
    window.append(True)
    lines = np.array(lines, dtype=object)
    return TrackSet(shapely.to_wkb(lines), np.array(ends), np.array(period), np.array(window),
                    np.array(grids, dtype=object)), lines


def _brute(parcels: ParcelSet, lines: np.ndarray, mask: np.ndarray, quad_segs: int = 8) -> np.ndarray:
    geoms = shapely.from_wkb(parcels.wkb)
    if not mask.any():
        return np.zeros(len(geoms))
    union = shapely.union_all(shapely.buffer(lines[mask], D, quad_segs=quad_segs))
    return np.array([shapely.intersection(p, union).area / p.area for p in geoms])


def _ambiguous(parcels: ParcelSet, lines: np.ndarray, mask: np.ndarray, band: float = 1.0) -> np.ndarray:
    """Parcels whose distance to the tracks is within ``band`` of the viewing distance: there the
    polygonal approximation of the round buffer ends may differ between whole tracks and pieces."""
    geoms = shapely.from_wkb(parcels.wkb)
    if not mask.any():
        return np.zeros(len(geoms), dtype=bool)
    dist = shapely.distance(geoms, shapely.union_all(lines[mask]))
    return np.abs(dist - D) < band


def test_pieces_rebuild_the_track():
    g = np.random.default_rng(5)
    lines = np.array([_walk(g, (0, 0), 100), _walk(g, (0, 0), 33), shapely.LineString([(1, 1), (1, 1)]),
                      _walk(g, (0, 0), 2)], dtype=object)
    pieces, owner = track_pieces(lines, 32)
    assert owner.tolist().count(0) == 4 and owner.tolist().count(1) == 2 and owner.tolist().count(2) == 1
    for t, line in enumerate(lines):
        joined = shapely.line_merge(shapely.union_all(pieces[owner == t]))
        assert abs(shapely.length(shapely.union_all(pieces[owner == t])) - line.length) < 1e-6 or line.length == 0
        assert shapely.hausdorff_distance(joined, line) < 1e-6 or line.length == 0
    assert shapely.get_num_points(pieces).max() <= 32


@pytest.mark.parametrize("piece_vertices, rounds", [(16, 3), (5, 0), (32, 1), (2, 50)])
def test_reach_pairs_are_the_pairs_within_the_viewing_distance(piece_vertices, rounds):
    """Exact distances, pair by pair, whole tracks against whole parcels: the same pairs, however the
    tracks are cut and however many rounds are tested piece by piece before the whole track."""
    parcels = shapely.from_wkb(_parcels().wkb)
    _, lines = _tracks()
    pieces, owner = track_pieces(lines, piece_vertices)
    tracks, found = reach_pairs(lines, pieces, owner, parcels, D, rounds=rounds)
    dist = shapely.distance(lines[:, None], parcels[None, :])
    expected_t, expected_p = np.nonzero(dist <= D)
    assert np.array_equal(tracks, expected_t) and np.array_equal(found, expected_p)
    assert 100 < len(found) < len(parcels)
    # the single fix sees the parcels within 50 m of its point
    assert set(found[tracks == 6].tolist()) == set(np.flatnonzero(shapely.distance(parcels, lines[6]) <= D).tolist())


@pytest.mark.parametrize("workers_pieces", [32, 5])
def test_shares_and_seen_agree_with_brute_force(workers_pieces):
    parcels = _parcels()
    tracks, lines = _tracks()
    result = analyse(parcels, tracks, CoverageOptions(distance=D, piece_vertices=workers_pieces))
    brute = _brute(parcels, lines, tracks.in_period)
    sure = ~_ambiguous(parcels, lines, tracks.in_period)
    assert 0 < (brute > 0).sum() < len(brute)  # some seen, some not
    assert np.array_equal(result.seen[sure], (brute > 0)[sure])
    assert np.allclose(result.share, brute, atol=0.02)
    # N weeks unseen: the window also has the earlier track
    window = _brute(parcels, lines, tracks.in_window)
    sure_w = ~_ambiguous(parcels, lines, tracks.in_window)
    assert np.array_equal(result.seen_window[sure_w], (window > 0)[sure_w])
    assert (result.seen_window & ~result.seen).any()  # seen only by the earlier week's track


def test_seen_share_threshold():
    parcels = _parcels()
    tracks, lines = _tracks()
    result = analyse(parcels, tracks, CoverageOptions(distance=D, seen_share=0.5))
    brute = _brute(parcels, lines, tracks.in_period)
    clear = np.abs(brute - 0.5) > 0.02
    assert np.array_equal(result.seen[clear], (brute >= 0.5)[clear])
    assert (result.seen != (brute > 0)).any()  # the threshold matters here


def test_binary_mode_without_shares_gives_the_same_seen():
    parcels = _parcels()
    tracks, _ = _tracks()
    full = analyse(parcels, tracks, CoverageOptions(distance=D))
    fast = analyse(parcels, tracks, CoverageOptions(distance=D, shares=False))
    assert np.isnan(fast.share).all()
    assert np.array_equal(full.seen, fast.seen) and np.array_equal(full.seen_window, fast.seen_window)
    assert np.allclose(full.track_seen_m2, fast.track_seen_m2)
    assert np.array_equal(full.last_seen, fast.last_seen)


def test_last_seen_is_the_latest_track_reaching_the_parcel():
    parcels = _parcels()
    tracks, lines = _tracks()
    result = analyse(parcels, tracks, CoverageOptions(distance=D))
    geoms = shapely.from_wkb(parcels.wkb)
    buffers = shapely.buffer(lines, D)
    checked = 0
    for i in range(len(geoms)):
        dist = shapely.distance(geoms[i], lines)
        if (np.abs(dist - D) < 1.0).any():
            continue  # some track passes at about the viewing distance: either answer is right
        reach = [k for k in range(len(lines)) if shapely.intersection(geoms[i], buffers[k]).area > 0]
        expected = max((tracks.end[k] for k in reach), default="")
        assert result.last_seen[i] == expected, i
        checked += bool(expected)
    assert checked > 10


def test_track_coverage_of_its_own_grid():
    parcels = _parcels()
    tracks, lines = _tracks()
    result = analyse(parcels, tracks, CoverageOptions(distance=D))
    geoms = shapely.from_wkb(parcels.wkb)
    for k, line in enumerate(lines):
        own = np.flatnonzero(np.char.startswith(parcels.code.astype(str), tracks.grid[k]))
        total = parcels.farmland[own].sum()
        assert result.track_grid_m2[k] == pytest.approx(total)
        buf = shapely.buffer(line, D)
        seen = np.array([shapely.intersection(geoms[i], buf).area > 0 for i in own])
        near = np.abs(shapely.distance(geoms[own], line) - D) < 1.0
        expected = parcels.farmland[own][seen].sum() / total
        slack = parcels.farmland[own][near].sum() / total
        if not tracks.in_period[k]:
            expected, slack = 0.0, 0.0  # only the period's tracks count toward its tasks
        assert abs(result.track_coverage[k] - expected) <= slack + 1e-9, k
    assert result.track_coverage[-1] == 0.0  # walked far away from its grid
    assert result.track_coverage[1] > 0.2


def test_grid_rates_are_area_weighted_by_farmland_and_basic_farmland():
    parcels = _parcels()
    tracks, _ = _tracks()
    result = analyse(parcels, tracks, CoverageOptions(distance=D))
    rates = grid_rates(parcels, result.seen)
    codes = parcels.code.astype(str)
    for prefix in ("62292110100101", "622921101001", "622921101", "622921", "62292110200201"):
        rows = np.char.startswith(codes, prefix)
        r = rates[prefix]
        assert r.farmland_m2 == pytest.approx(parcels.farmland[rows].sum())
        assert r.seen_m2 == pytest.approx(parcels.farmland[rows & result.seen].sum())
        assert r.basic_seen_m2 == pytest.approx(parcels.basic[rows & result.seen].sum())
        assert r.rate == pytest.approx(r.seen_m2 / r.farmland_m2)
        assert r.parcels == rows.sum()
    county = rates["622921"]
    assert county.farmland_m2 == pytest.approx(sum(rates[t].farmland_m2 for t in TOWNSHIPS))
    assert 0 < county.rate < 1


def test_no_tracks_means_nothing_seen():
    parcels = _parcels()
    empty = TrackSet(np.zeros(0, dtype=object), np.zeros(0, dtype=str), np.zeros(0, bool), np.zeros(0, bool),
                     np.zeros(0, dtype=object))
    result = analyse(parcels, empty, CoverageOptions())
    assert not result.seen.any() and not result.seen_window.any()
    assert (result.share == 0).all() and (result.last_seen == "").all()


def test_worker_processes_give_the_same_result():
    from linxia_tianguan_plugin.core import parallel

    parcels = _parcels()
    tracks, _ = _tracks()
    opts = CoverageOptions(distance=D, workers=2)
    here = analyse(parcels, tracks, opts)
    with parallel.process_pool(2) as pool:
        there = analyse(parcels, tracks, opts, pool=pool)
    assert np.array_equal(here.seen, there.seen) and np.allclose(here.share, there.share)
    assert np.allclose(here.track_seen_m2, there.track_seen_m2)
