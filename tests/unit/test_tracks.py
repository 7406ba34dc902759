"""Cleaning, sessions, projection and file names of patrol tracks (``core.patrol.tracks``, no QGIS)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from pyproj import Transformer

from linxia_tianguan_plugin.core.patrol.tracks import (
    CleaningOptions,
    Fixes,
    clean,
    content_hash,
    county_epsg,
    local_date,
    parse_time,
    parse_track_name,
    project,
    reason_counts,
    sessions,
    split_sessions,
    utc_iso,
)

T0 = dt.datetime(2025, 6, 13, 0, 49, 57, tzinfo=dt.timezone.utc).timestamp()
LON0, LAT0 = 103.0, 35.45
#: about 1.1 m of longitude per 1e-5 degree at 35.45°N … a walking step in degrees
STEP = 1e-5 * 10  # ≈ 9 m


def walk(n: int = 10, dt_s: float = 10.0, accuracy=None) -> Fixes:
    """A straight walk east, one fix every ``dt_s`` seconds at ≈ 0.9 m/s."""
    return Fixes(LON0 + STEP * np.arange(n), np.full(n, LAT0), T0 + dt_s * np.arange(n), accuracy)


def test_a_clean_walk_keeps_every_fix():
    reasons = clean(walk())
    assert all(r is None for r in reasons)
    assert reason_counts(reasons) == {}


def test_accuracy_drops_only_known_and_poor_accuracy():
    acc = [5.0, None, 80.0, 50.0, np.nan, 51.0, 3.0, 3.0, 3.0, 3.0]
    reasons = clean(walk(accuracy=acc))
    assert reasons.tolist() == [None, None, "accuracy", None, None, "accuracy", None, None, None, None]
    assert clean(walk(accuracy=acc), CleaningOptions(max_accuracy_m=100.0)).tolist() == [None] * 10


def test_duplicate_time_is_compared_with_the_previous_kept_fix():
    f = walk()
    t = f.time.copy()
    t[3] = t[2]
    reasons = clean(Fixes(f.lon, f.lat, t))
    assert reasons.tolist() == [None, None, None, "duplicate_time", None, None, None, None, None, None]


def test_backwards_time():
    f = walk()
    t = f.time.copy()
    t[5] = t[1]  # clock stepped back
    reasons = clean(Fixes(f.lon, f.lat, t))
    assert reasons[5] == "backwards_time"
    assert sum(r is not None for r in reasons) == 1


def test_speed_jump_drops_the_outlier_not_its_neighbours():
    f = walk()
    lon = f.lon.copy()
    lon[4] += 0.01  # ≈ 900 m away 10 s later: 90 m/s
    reasons = clean(Fixes(lon, f.lat, f.time))
    assert reasons.tolist() == [None] * 4 + ["speed_jump"] + [None] * 5


@pytest.mark.parametrize("bad", [1, 2, 3])
def test_a_bad_first_guess_is_dropped_not_the_walk_after_it(bad):
    """Phones often open a recording with a cell-tower position kilometres away: the walk after it
    must survive, and the opening fixes go."""
    f = walk(12)
    lon = f.lon.copy()
    lon[:bad] += 0.03  # ≈ 2.7 km east, 10 s before the walk's next fix
    reasons = clean(Fixes(lon, f.lat, f.time))
    assert reasons.tolist() == ["speed_jump"] * bad + [None] * (12 - bad)


def test_a_long_opening_is_trusted_and_a_later_jump_still_dropped():
    f = walk(12)
    lon = f.lon.copy()
    lon[5] += 0.03  # a single jump after five good fixes: the fix is the outlier
    lon[6] += 0.03  # even when the next one agrees with it, five kept fixes outweigh two
    reasons = clean(Fixes(lon, f.lat, f.time), CleaningOptions(start_outliers=3))
    assert reasons.tolist() == [None] * 5 + ["speed_jump", "speed_jump"] + [None] * 5


def test_a_new_session_may_drop_its_own_bad_opening():
    f = walk(12, dt_s=10.0)
    t = f.time.copy()
    t[6:] += 3600  # an hour later: a second patrol, opened by a bad guess
    lon = f.lon.copy()
    lon[6] += 0.03
    reasons = clean(Fixes(lon, f.lat, t))
    assert reasons.tolist() == [None] * 6 + ["speed_jump"] + [None] * 5


def test_repeated_fixes_from_an_earlier_file_are_marked_and_not_kept():
    f = walk(10)
    known = np.zeros(10, dtype=bool)
    known[:4] = True
    reasons = clean(f, known=known)
    assert reasons.tolist() == ["repeat"] * 4 + [None] * 6
    assert reason_counts(reasons) == {"repeat": 4}
    found = sessions(f, reasons, 4522)
    assert len(found) == 1 and found[0].index.tolist() == list(range(4, 10))


def test_driving_is_not_a_speed_jump():
    # ≈ 14 m/s (50 km/h): a drive-by is kept here; telling it from a walk is another check's job
    n = 10
    f = Fixes(LON0 + 0.00015 * np.arange(n) * 1.0, np.full(n, LAT0), T0 + np.arange(n))
    assert all(r is None for r in clean(f))
    assert all(r is None for r in clean(f, CleaningOptions(max_speed_ms=15.0)))
    assert any(r == "speed_jump" for r in clean(f, CleaningOptions(max_speed_ms=5.0)))


def test_bad_positions_and_missing_times():
    f = walk(5)
    lon = f.lon.copy()
    lat = f.lat.copy()
    t = f.time.copy()
    lon[1], lat[1] = 0.0, 0.0
    lon[2] = np.nan
    t[3] = np.nan
    assert clean(Fixes(lon, lat, t)).tolist() == [None, "bad_position", "bad_position", "no_time", None]


def test_cleaning_never_modifies_its_input():
    f = walk(accuracy=[1.0] * 10)
    lon = f.lon.copy()
    lon[4] += 0.01
    t = f.time.copy()
    t[6] = t[5]
    fixes = Fixes(lon, f.lat, t, f.accuracy)
    before = [a.copy() for a in (fixes.lon, fixes.lat, fixes.time, fixes.accuracy)]
    reasons = clean(fixes)
    found = sessions(fixes, reasons, 4522)
    for a, b in zip(before, (fixes.lon, fixes.lat, fixes.time, fixes.accuracy)):
        np.testing.assert_array_equal(a, b)
    assert found[0].fixes == 8


def test_sessions_split_at_long_gaps_and_skip_lone_fixes():
    f = walk(12)
    t = f.time.copy()
    t[5:] += 25 * 60  # a 25-minute pause after the fifth fix
    t[11] += 60 * 60  # and a lone fix an hour later
    fixes = Fixes(f.lon, f.lat, t)
    reasons = clean(fixes)
    parts = split_sessions(fixes.time, np.array([r is None for r in reasons]), 20 * 60)
    assert [p.tolist() for p in parts] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9, 10], [11]]
    found = sessions(fixes, reasons, 4522)
    assert [s.number for s in found] == [1, 2]
    assert [s.index.tolist() for s in found] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9, 10]]
    assert [len(s.index) for s in sessions(fixes, reasons, 4522, CleaningOptions(session_gap_s=3 * 3600))] == [12]


def test_session_figures_and_projection():
    fixes = walk(10)
    (s,) = sessions(fixes, clean(fixes), 4522)
    to_zone = Transformer.from_crs(4490, 4522, always_xy=True)
    x, y = to_zone.transform(fixes.lon, fixes.lat)
    np.testing.assert_allclose(s.x, x, atol=1e-6)
    np.testing.assert_allclose(s.y, y, atol=1e-6)
    assert 34_000_000 < s.x[0] < 35_000_000  # zone number in x
    assert s.length_m == pytest.approx(float(np.hypot(np.diff(x), np.diff(y)).sum()))
    assert s.length_m == pytest.approx(9 * 9.08, rel=0.02)
    assert s.duration_s == 90.0
    assert s.started_at == "2025-06-13T00:49:57Z" and s.ended_at == "2025-06-13T00:51:27Z"
    assert s.figures()["fixes"] == 10


def test_county_zone():
    assert county_epsg(103.0) == 4522  # Linxia county, zone 34 (central meridian 102°E)
    assert county_epsg(np.array([103.6, 103.7])) == 4523
    x, _ = project([102.0], [35.0], 4522)
    assert x[0] == pytest.approx(34_500_000.0, abs=1e-3)


def test_times_and_formats():
    assert parse_time("2025-06-13T00:49:57Z") == T0
    assert parse_time("2025-06-13T08:49:57+08:00") == T0
    assert parse_time("2025-06-13 08:49:57") == T0  # naive = Beijing time
    assert parse_time("2025/06/13 08:49:57") == T0
    assert parse_time("2025-06-13T00:49:57", naive_tz=dt.timezone.utc) == T0
    assert parse_time(str(int(T0 * 1000))) == T0
    assert parse_time(T0) == T0
    assert np.isnan(parse_time("")) and np.isnan(parse_time("yesterday")) and np.isnan(parse_time(None))
    assert utc_iso([T0, np.nan, T0 + 0.9]).tolist() == ["2025-06-13T00:49:57Z", None, "2025-06-13T00:49:57Z"]
    assert local_date(dt.datetime(2025, 6, 13, 16, 30, tzinfo=dt.timezone.utc).timestamp()) == dt.date(2025, 6, 14)


def test_fixes_accept_datetime64_and_keep_length():
    times = np.array(["2025-06-13T00:49:57", "NaT"], dtype="datetime64[s]")
    f = Fixes([LON0, LON0], [LAT0, LAT0], times)
    assert f.time[0] == T0 and np.isnan(f.time[1]) and len(f) == 2
    assert f.utc[0] == np.datetime64("2025-06-13T00:49:57")
    with pytest.raises(ValueError):
        Fixes([1.0], [1.0, 2.0], [T0])


def test_file_name_pattern():
    assert parse_track_name("62292110000101_20250613.gpx") == ("62292110000101", dt.date(2025, 6, 13))
    assert parse_track_name("/x/y/62292110000101_20250613_2.GPX") == ("62292110000101", dt.date(2025, 6, 13))
    assert parse_track_name("62292110000101_20251313.gpx") is None
    assert parse_track_name("6229211000010_20250613.gpx") is None
    assert parse_track_name("track.gpx") is None


def test_content_hash():
    assert content_hash(b"abc") == content_hash(b"abc") != content_hash(b"abd")
    assert len(content_hash(b"")) == 64


def test_one_position_projects_without_numpy_deprecation():
    """One camera or one fix: the same coordinates as within a longer array, and no numpy scalar-conversion
    DeprecationWarning from pyproj (which reads a size-1 array as a point)."""
    import warnings

    from linxia_tianguan_plugin.core.patrol.tracks import project

    lon, lat = np.array([103.2, 103.31]), np.array([35.6, 35.62])
    many = project(lon, lat, 4522)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        one = project(lon[:1], lat[:1], 4522)
    assert one[0].shape == (1,) and one[0][0] == many[0][0] and one[1][0] == many[1][0]
