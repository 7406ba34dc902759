"""Replay figures: position, clock (Beijing time), speed and distance at any fix or moment."""
import datetime as dt

import numpy as np
import pytest
import shapely

from linxia_tianguan_plugin.core.patrol.replay import Replay, seen_parcels

T0 = dt.datetime(2025, 6, 9, 23, 58, tzinfo=dt.timezone.utc).timestamp()  # 07:58 in Shanghai, next day


def _walk():
    # 1.2 m/s east for 10 minutes, a fix every 10 s
    t = T0 + np.arange(0, 601, 10.0)
    xy = np.column_stack([34_590_000 + 1.2 * (t - T0), np.full(len(t), 3_925_000.0)])
    return Replay(xy, t)


def test_state_gives_beijing_time_distance_and_speed():
    r = _walk()
    s = r.state(30)
    assert s.time.isoformat() == "2025-06-10T08:03:00+08:00"
    assert s.elapsed_s == 300 and s.distance_m == pytest.approx(360)
    assert s.speed_kmh == pytest.approx(1.2 * 3.6)
    assert r.length_m == pytest.approx(720) and r.duration_s == 600
    assert r.state(-5).index == 0 and r.state(10_000).index == len(r) - 1


def test_time_lookup_and_interpolation():
    r = _walk()
    assert r.index_at(T0 + 95) == 9
    assert r.index_at(T0 - 100) == 0
    assert r.position_at(T0 + 95)[0] == pytest.approx(34_590_000 + 114)


def test_times_must_not_run_backwards():
    with pytest.raises(ValueError):
        Replay(np.zeros((3, 2)), np.array([0.0, 2.0, 1.0]))


def test_seen_parcels_agree_with_a_brute_force_distance():
    r = _walk()
    rng = np.random.default_rng(3)
    centres = np.column_stack([rng.uniform(34_589_800, 34_591_000, 200), rng.uniform(3_924_800, 3_925_200, 200)])
    parcels = shapely.buffer(shapely.points(centres), 8, quad_segs=2)
    mask = seen_parcels(r.xy, parcels, 50.0)
    brute = np.array([shapely.distance(shapely.LineString(r.xy), p) <= 50.0 for p in parcels])
    assert (mask == brute).all() and 0 < mask.sum() < len(mask)
