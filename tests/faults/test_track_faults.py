"""Hostile track files (issue 15): the time forms Excel and Chinese phone apps write, unreadable times, phone
clocks years ahead or reset to 1970, routes instead of tracks, and lengths in a store whose CRS does not
measure true.

Real files written here (CSV as Excel writes it: UTF-8 with BOM, or GBK; GPX), a real 田管库, QGIS
Processing; the sample county's walks (``tests/test_tracks_import.py``) give realistic fixes."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from pyproj import Geod

from tests.helpers import coded_with_grid, read, recording_feedback, run
from tests.test_check_tracks import add_track
from tests.test_check_tracks import read_gpx as read_gpx_ogr
from tests.test_tracks_import import count, gpx_points, manifest_files, write_gpx  # noqa: F401  (fixture)

ALG = "linxia_tianguan:import_tracks"
BEIJING = dt.timezone(dt.timedelta(hours=8))
SIX_YEARS = (dt.datetime(2031, 6, 20) - dt.datetime(2025, 6, 20)).total_seconds()


def _good(county: Path, manifest_files: dict, k: int = 0) -> Path:  # noqa: F811
    return county / sorted(r for r, kind in manifest_files.items() if kind == "good")[k]


def _utc(texts: list[str]) -> list[dt.datetime]:
    return [dt.datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc) for t in texts]


def _excel(when: dt.datetime) -> str:
    naive = when.astimezone(BEIJING).replace(tzinfo=None)
    return f"{(naive - dt.datetime(1899, 12, 30)).total_seconds() / 86400:.10f}"


#: form name → (formatter of a Beijing time, encoding, precision kept in seconds)
FORMS = {
    "compact": (lambda b: b.strftime("%Y%m%d%H%M%S"), "utf-8-sig", 1),
    "excel_serial": (None, "utf-8-sig", 1),
    "slashes_unpadded": (lambda b: f"{b.year}/{b.month}/{b.day} {b.hour}:{b.minute:02d}:{b.second:02d}",
                         "utf-8-sig", 1),
    "dashes_minutes": (lambda b: f"{b.year}-{b.month}-{b.day} {b.hour}:{b.minute:02d}", "utf-8-sig", 60),
    "chinese_units": (lambda b: f"{b.year}年{b.month}月{b.day}日 {b.hour}时{b.minute}分{b.second}秒", "gbk", 1),
    "chinese_date_clock": (lambda b: f"{b.year}年{b.month}月{b.day}日 {b:%H:%M:%S}", "gbk", 1),
}


def _write_csv(path: Path, lon, lat, cells: list[str], encoding: str, grid: str) -> None:
    lines = ["经度,纬度,时间,田管员,网格编码"] + [f"{x!r},{y!r},{c},测试员,{grid}" for x, y, c in zip(lon, lat, cells)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def _stored_times(store: Path) -> list[str]:
    conn = sqlite3.connect(store)
    try:
        return [r[0] for r in conn.execute("SELECT time FROM tg_track_fix ORDER BY seq")]
    finally:
        conn.close()


def _stored_raw(store: Path) -> list[str]:
    conn = sqlite3.connect(store)
    try:
        return [r[0] for r in conn.execute("SELECT raw_time FROM tg_track_fix ORDER BY seq")]
    finally:
        conn.close()


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_time_form_is_read_as_beijing_time(processing_registry, county, manifest_files, tmp_path,  # noqa: F811
                                                form):
    fmt, encoding, precision = FORMS[form]
    gpx = _good(county, manifest_files)
    lon, lat, times, _ = gpx_points(gpx)
    utc = _utc(times)
    cells = [_excel(u) if fmt is None else fmt(u.astimezone(BEIJING)) for u in utc]
    csv_path = tmp_path / f"{gpx.stem}.csv"
    _write_csv(csv_path, lon, lat, cells, encoding, gpx.name[:14])
    store = tmp_path / "tg.gpkg"
    feedback = recording_feedback()
    result = run(ALG, {"INPUT": str(csv_path), "STORE": str(store)}, feedback=feedback)
    assert result["FILES"] == 1 and result["FAILED"] == 0 and result["TRACKS"] >= 1, feedback.errors
    expected = [dt.datetime.fromtimestamp(u.timestamp() // precision * precision, dt.timezone.utc)
                .strftime("%Y-%m-%dT%H:%M:%SZ") for u in utc]
    assert _stored_times(store) == expected
    # the time as the file wrote it is kept next to the UTC time read from it (evidence for an auditor)
    assert _stored_raw(store) == cells
    conn = sqlite3.connect(store)
    try:
        started, ended = conn.execute("SELECT min(started_at), max(ended_at) FROM tg_track").fetchone()
    finally:
        conn.close()
    assert started.startswith("2025-06") and ended.startswith("2025-06")


def test_unreadable_times_are_not_recorded_and_the_corrected_file_imports(processing_registry, county,
                                                                          manifest_files, tmp_path):  # noqa: F811
    gpx = _good(county, manifest_files)
    lon, lat, times, _ = gpx_points(gpx)
    csv_path = tmp_path / f"{gpx.stem}.csv"
    # what a desk gets when a phone app writes its own words for the time
    _write_csv(csv_path, lon, lat, [f"6月20日上午{i}" for i in range(len(lon))], "utf-8-sig", gpx.name[:14])
    store = tmp_path / "tg.gpkg"
    feedback = recording_feedback()
    result = run(ALG, {"INPUT": str(csv_path), "STORE": str(store)}, feedback=feedback)
    assert result["FILES"] == 0 and result["FAILED"] == 1 and result["TRACKS"] == 0
    errors = "\n".join(feedback.errors)
    assert csv_path.name in errors and "时间" in errors and "row 2" in errors and "6月20日上午0" in errors
    assert "2025-06-20 09:00:05" in errors and "45828.375" in errors
    assert count(store, "tg_track_file") == 0 and count(store, "tg_track_fix") == 0

    # corrected by the desk (Excel's serial numbers in the same column): imported now
    _write_csv(csv_path, lon, lat, [_excel(u) for u in _utc(times)], "utf-8-sig", gpx.name[:14])
    again = run(ALG, {"INPUT": str(csv_path), "STORE": str(store)})
    assert again["FILES"] == 1 and again["SKIPPED"] == 0 and again["TRACKS"] >= 1
    assert _stored_times(store) == times


@pytest.mark.parametrize("shift", ["future", "1970"])
def test_a_wrong_phone_clock_is_not_imported(processing_registry, county, manifest_files, tmp_path,  # noqa: F811
                                             shift):
    gpx = _good(county, manifest_files)
    lon, lat, times, _ = gpx_points(gpx)
    utc = _utc(times)
    delta = SIX_YEARS if shift == "future" else -(utc[0].timestamp() - 3600)
    moved = [dt.datetime.fromtimestamp(u.timestamp() + delta, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
             for u in utc]
    path = tmp_path / gpx.name
    write_gpx(path, lon, lat, moved, {})
    store = tmp_path / "tg.gpkg"
    feedback = recording_feedback()
    result = run(ALG, {"INPUT": str(path), "STORE": str(store)}, feedback=feedback)
    assert result["FILES"] == 0 and result["FAILED"] == 1 and result["TRACKS"] == 0
    errors = "\n".join(feedback.errors)
    assert path.name in errors and ("2031" if shift == "future" else "1970") in errors and "clock" in errors
    assert count(store, "tg_track_file") == 0 and count(store, "tg_track") == 0
    # once corrected, the file imports
    write_gpx(path, lon, lat, times, {})
    assert run(ALG, {"INPUT": str(path), "STORE": str(store)})["TRACKS"] >= 1


@pytest.fixture(scope="module")
def clock_checked(processing_registry, county, manifest_files, tmp_path_factory):  # noqa: F811
    """Tracks stored before the importer knew about clocks (plain SQL, as tests/test_check_tracks.py): a
    good walk, one six years ahead and one in 1970; checked, then patrol coverage over each period."""
    from linxia_tianguan_plugin.storage import GpkgStore

    base = tmp_path_factory.mktemp("clock_faults")
    path = base / "tianguan.gpkg"
    coded_with_grid(county, path)
    store = GpkgStore(path, create=False)
    ids, starts = {}, {}
    for k, (kind, delta) in enumerate((("good", 0.0), ("future", SIX_YEARS), ("1970", None))):
        gpx = _good(county, manifest_files, k)
        lonlat, t, _ = read_gpx_ogr(gpx)
        if delta is None:
            delta = -(t[0] - 3600.0)
        _, _, _, author = gpx_points(gpx)
        ids[kind] = add_track(store, kind, lonlat, t + delta, gpx.name[:14], author)
        starts[kind] = dt.datetime.fromtimestamp(t[0] + delta, dt.timezone.utc).astimezone(BEIJING).date()
    store.close()
    result = run("linxia_tianguan:check_tracks", {"STORE": str(path), "OUTPUT": str(base / "checked.gpkg")})
    coverage = {kind: run("linxia_tianguan:patrol_coverage", {
        "STORE": str(path), "START": str(day - dt.timedelta(days=day.weekday())),
        "END": str(day - dt.timedelta(days=day.weekday()) + dt.timedelta(days=6))})
        for kind, day in starts.items()}
    return {"path": path, "ids": ids, "result": result, "coverage": coverage, "output": base / "checked.gpkg"}


def test_wrong_clock_tracks_are_flagged_and_complete_no_task(clock_checked):
    from linxia_tianguan_plugin.core.patrol.authenticity import BLOCKING, FLAG_LABELS_ZH

    assert "bad_clock" in BLOCKING and FLAG_LABELS_ZH["bad_clock"] == "时间异常（设备时钟错误）"
    conn = sqlite3.connect(clock_checked["path"])
    try:
        rows = {tid: (flags, accepted) for tid, flags, accepted in conn.execute(
            "SELECT track_id, flags, accepted FROM tg_track")}
        patrol_years = {r[0][:4] for r in conn.execute("SELECT started_at FROM tg_patrol WHERE source = 'track'")}
    finally:
        conn.close()
    ids = clock_checked["ids"]
    for kind in ("future", "1970"):
        flags, accepted = rows[ids[kind]]
        assert "bad_clock" in flags and accepted == 0, kind
        assert clock_checked["coverage"][kind]["TRACKS"] == 0 and clock_checked["coverage"][kind]["PATROLS"] == 0
    assert not patrol_years & {"2031", "1970"}
    assert "bad_clock" not in rows[ids["good"]][0]
    assert clock_checked["result"]["BAD_CLOCK"] == 2
    out = read(str(clock_checked["output"]))
    labels = dict(zip(out["track_id"].tolist(), out["flags_zh"].tolist()))
    assert "时间异常（设备时钟错误）" in labels[ids["future"]] and "时间异常（设备时钟错误）" in labels[ids["1970"]]


def _geodesic(lon, lat) -> float:
    return float(Geod(ellps="GRS80").line_length(lon, lat))


@pytest.mark.parametrize("epsg", [4522, 3857])
def test_track_length_is_geodesic(processing_registry, county, manifest_files, tmp_path, epsg):  # noqa: F811
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.tracks import track_fixes, tracks

    store_path = tmp_path / "tg.gpkg"
    GpkgStore(store_path, epsg=epsg).close()
    gpx = _good(county, manifest_files)
    assert run(ALG, {"INPUT": str(gpx), "STORE": str(store_path)})["TRACKS"] >= 1
    run("linxia_tianguan:check_tracks", {"STORE": str(store_path)})
    s = GpkgStore(store_path, create=False)
    try:
        assert s.srs_id == epsg
        for t in tracks(s):
            fx = track_fixes(s, t["track_id"])
            truth = _geodesic(fx["lon"], fx["lat"])
            assert truth > 500
            assert t["length_m"] == pytest.approx(truth, rel=0.01)
            assert t["figures"]["length_m"] == pytest.approx(truth, rel=0.01)
            assert s.conn.execute("SELECT json_extract(figures, '$.length_m') FROM tg_track WHERE track_id = ?",
                                  (t["track_id"],)).fetchone()[0] == pytest.approx(truth, rel=0.01)
    finally:
        s.close()


def test_routes_and_waypoints_say_why_and_gdal_stays_quiet(processing_registry, county, manifest_files,  # noqa: F811
                                                           tmp_path, capfd):
    gpx = _good(county, manifest_files)
    lon, lat, times, _ = gpx_points(gpx)
    rte = "".join(f'<rtept lat="{y!r}" lon="{x!r}"><name>{i}</name></rtept>'
                  for i, (x, y) in enumerate(zip(lon[:20], lat[:20])))
    wpt = f'<wpt lat="{lat[0]!r}" lon="{lon[0]!r}"><name>起点</name></wpt>'
    route = tmp_path / "62292110000101_20250620.gpx"
    route.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
                     'xmlns="http://www.topografix.com/GPX/1/1">' + wpt + "<rte><name>计划路线</name>" + rte
                     + "</rte></gpx>\n", encoding="utf-8")
    # a track whose <sat> (an integer field) is written with decimals: OGR warns "parsed incompletely"
    pts = "".join(f'<trkpt lat="{y!r}" lon="{x!r}"><time>{t}</time><sat>7.5</sat></trkpt>'
                  for x, y, t in zip(lon, lat, times))
    noisy = tmp_path / gpx.name
    noisy.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
                     'xmlns="http://www.topografix.com/GPX/1/1">' + wpt + "<trk><trkseg>" + pts
                     + "</trkseg></trk></gpx>\n", encoding="utf-8")
    store = tmp_path / "tg.gpkg"
    from osgeo import gdal

    heard: list[str] = []
    capfd.readouterr()
    feedback = recording_feedback()
    gdal.PushErrorHandler(lambda cls, no, msg: heard.append(msg))  # whatever QGIS would log or print
    try:
        result = run(ALG, {"FOLDER": str(tmp_path), "STORE": str(store)}, feedback=feedback)
    finally:
        gdal.PopErrorHandler()
    captured = capfd.readouterr()
    assert "parsed incompletely" not in captured.err + captured.out + "\n".join(heard)
    assert result["FAILED"] == 1 and result["FILES"] == 1 and result["TRACKS"] >= 1
    errors = "\n".join(feedback.errors)
    assert route.name in errors and "route" in errors and "not a walk" in errors
    assert "1 route points and waypoints skipped" in "\n".join(feedback.infos)
    assert count(store, "tg_track_file") == 1


def test_a_store_of_version_11_with_fixes_migrates_and_keeps_them(processing_registry, county,
                                                                  manifest_files, tmp_path):  # noqa: F811
    """Schema 12 adds ``tg_track_fix.raw_time``: a store at 11 holding fixes is upgraded in place, its fixes
    untouched (their raw time unknown: NULL), and the next import keeps the raw time."""
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.migrations import LATEST

    assert LATEST >= 12
    path = tmp_path / "old.gpkg"
    old = GpkgStore(path, epsg=4522, target_version=11)
    gpx = _good(county, manifest_files)
    lonlat, t, texts = read_gpx_ogr(gpx)
    assert old.schema_version == 11
    assert "raw_time" not in [r[1] for r in old.conn.execute("PRAGMA table_info(tg_track_fix)")]
    add_track(old, "before-v12", lonlat, t, gpx.name[:14], "汪云")
    before = old.conn.execute("SELECT * FROM tg_track_fix ORDER BY file_hash, seq").fetchall()
    old.close()

    new = GpkgStore(path, create=False)
    try:
        assert new.schema_version == LATEST
        assert new.conn.execute("SELECT description FROM tg_schema_migrations WHERE version = 12").fetchone()
        assert [r[1] for r in new.conn.execute("PRAGMA table_info(tg_track_fix)")][-1] == "raw_time"
        after = new.conn.execute("SELECT * FROM tg_track_fix ORDER BY file_hash, seq").fetchall()
        assert [r[:-1] for r in after] == before and {r[-1] for r in after} == {None}
    finally:
        new.close()
    csv_path = tmp_path / f"{gpx.stem}.csv"
    lon, lat, times, _ = gpx_points(gpx)
    cells = [f"{b.year}/{b.month}/{b.day} {b.hour}:{b.minute:02d}:{b.second:02d}"
             for b in (u.astimezone(BEIJING) for u in _utc(times))]
    _write_csv(csv_path, lon, lat, cells, "utf-8-sig", gpx.name[:14])
    assert run(ALG, {"INPUT": str(csv_path), "STORE": str(path)})["FILES"] == 1
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT f.time, f.raw_time FROM tg_track_fix f JOIN tg_track_file t USING (file_hash) "
                            "WHERE t.format = 'CSV' ORDER BY f.seq").fetchall()
        kept = conn.execute("SELECT count(*) FROM tg_track_fix WHERE raw_time IS NULL").fetchone()[0]
    finally:
        conn.close()
    assert [r[1] for r in rows] == cells and [r[0] for r in rows] == times
    assert kept == len(before)


# ---------------------------------------------------------------------------------------------- place and time
#: a walk of the sample moved to Ljubljana (what a tester imported: the grid code in its name was accepted)
SLOVENIA = (14.5058 - 103.2, 46.0569 - 35.6)


@pytest.fixture(scope="module")
def placed(processing_registry, county, manifest_files, tmp_path_factory):  # noqa: F811
    """A coded county with its grid and the tasks of the tracks' week (9–15 June 2025), into which are imported
    a good walk, last week's original (before the plan), and the same walk moved to Slovenia twice — once named
    with its group code, once without any code; then checked."""
    base = tmp_path_factory.mktemp("placed")
    path = base / "tianguan.gpkg"
    coded_with_grid(county, path)
    run("linxia_tianguan:dispatch_tasks", {"STORE": str(path), "START": "2025-06-09", "END": "2025-06-15",
                                           "OUTPUT": None})
    uploads = base / "uploads"
    uploads.mkdir()
    good = _good(county, manifest_files)
    previous = county / next(r for r, k in manifest_files.items() if k == "previous_week")
    files = {"good": uploads / good.name, "previous": uploads / previous.name,
             "slovenia_coded": uploads / f"{good.name[:14]}_20250612.gpx", "slovenia_plain": uploads / "walk.gpx"}
    files["good"].write_bytes(good.read_bytes())
    files["previous"].write_bytes(previous.read_bytes())
    lon, lat, times, _ = gpx_points(good)
    for key, shift in (("slovenia_coded", 0.0), ("slovenia_plain", 0.002)):
        write_gpx(files[key], [x + SLOVENIA[0] + shift for x in lon], [y + SLOVENIA[1] for y in lat], times, {})
    imported = run(ALG, {"FOLDER": str(uploads), "STORE": str(path)})
    checked = run("linxia_tianguan:check_tracks", {"STORE": str(path), "OUTPUT": str(base / "checked.gpkg")})
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT f.path, t.track_id, t.grid_code, t.flags, t.figures, t.accepted FROM tg_track t "
                            "JOIN tg_track_file f USING (file_hash)").fetchall()
    finally:
        conn.close()
    by_file = {}
    for file_path, track_id, grid, flags, figures, accepted in rows:
        key = next(k for k, p in files.items() if Path(file_path).name == p.name)
        by_file[key] = {"track_id": track_id, "grid": grid, "flags": json.loads(flags),
                        "figures": json.loads(figures), "accepted": accepted}
    return {"path": path, "imported": imported, "checked": checked, "tracks": by_file,
            "output": base / "checked.gpkg"}


def test_tracks_in_slovenia_are_outside_the_county_with_or_without_a_grid_code(placed):
    assert placed["imported"]["FILES"] == 4
    tracks = placed["tracks"]
    assert tracks["slovenia_coded"]["grid"] is not None and tracks["slovenia_plain"]["grid"] is None
    for key in ("slovenia_coded", "slovenia_plain"):
        row = tracks[key]
        assert "outside_county" in row["flags"] and row["accepted"] == 0, (key, row["flags"])
        assert row["figures"]["county_share"] == 0.0 and row["figures"]["county_from"] == "grid"
    assert "outside_county" not in tracks["good"]["flags"] and tracks["good"]["figures"]["county_share"] == 1.0
    assert tracks["good"]["accepted"] == 1, tracks["good"]["flags"]
    assert placed["checked"]["OUTSIDE_COUNTY"] == 2
    out = read(str(placed["output"]))
    labels = dict(zip(out["track_id"].tolist(), out["flags_zh"].tolist()))
    assert "不在本县范围内" in labels[tracks["slovenia_plain"]["track_id"]]
    assert "不在本县范围内" in labels[tracks["slovenia_coded"]["track_id"]]


def test_a_track_before_the_plan_starts_is_flagged(placed):
    tracks = placed["tracks"]
    previous = tracks["previous"]
    assert "before_plan" in previous["flags"] and previous["accepted"] == 0
    assert previous["figures"]["plan_start"] == "2025-06-09"
    assert "before_plan" not in tracks["good"]["flags"] and tracks["good"]["figures"]["plan_start"] == "2025-06-09"
    assert placed["checked"]["BEFORE_PLAN"] == 1
    out = read(str(placed["output"]))
    labels = dict(zip(out["track_id"].tolist(), out["flags_zh"].tolist()))
    assert "早于巡田计划开始" in labels[previous["track_id"]]


def test_without_tasks_nothing_is_before_the_plan(processing_registry, county, manifest_files, tmp_path):  # noqa: F811
    previous = county / next(r for r, k in manifest_files.items() if k == "previous_week")
    store = tmp_path / "tg.gpkg"
    assert run(ALG, {"INPUT": str(previous), "STORE": str(store)})["TRACKS"] >= 1
    feedback = recording_feedback()
    result = run("linxia_tianguan:check_tracks", {"STORE": str(store)}, feedback=feedback)
    assert result["BEFORE_PLAN"] == 0 and result["OUTSIDE_COUNTY"] == 0
    # a store without grid or coded parcels cannot say where the county is: it says so
    assert any("county" in w for w in feedback.warnings)
    conn = sqlite3.connect(store)
    try:
        figures = [json.loads(r[0]) for r in conn.execute("SELECT figures FROM tg_track")]
    finally:
        conn.close()
    assert all(f["plan_start"] is None and f["county_share"] is None for f in figures)


# ---------------------------------------------------------------------------------------------- geodesic figures
def _window_speeds(lon, lat, t, window=30.0):
    """Moving speeds as the check defines them, computed here on the ellipsoid, fix by fix."""
    geod = Geod(ellps="GRS80")
    out = []
    for i in range(len(t)):
        j = next((k for k in range(i, len(t)) if t[k] >= t[i] + window), None)
        if j is None:
            break
        out.append(geod.inv(lon[i], lat[i], lon[j], lat[j])[2] / max(t[j] - t[i], 1.0))
    return out


@pytest.mark.parametrize("kind", ["good", "driveby"])
def test_speed_and_jump_figures_are_geodesic_in_any_store_crs(processing_registry, county, manifest_files,  # noqa: F811
                                                              tmp_path, kind):
    import numpy as np

    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.tracks import track_fixes, tracks

    gpx = county / sorted(r for r, k in manifest_files.items() if k == kind)[0]
    figures = {}
    for epsg in (4522, 3857):
        store_path = tmp_path / f"tg_{epsg}.gpkg"
        GpkgStore(store_path, epsg=epsg).close()
        assert run(ALG, {"INPUT": str(gpx), "STORE": str(store_path)})["TRACKS"] >= 1
        run("linxia_tianguan:check_tracks", {"STORE": str(store_path)})
        s = GpkgStore(store_path, create=False)
        try:
            t = tracks(s)[0]
            fx = track_fixes(s, t["track_id"])
        finally:
            s.close()
        f = t["figures"]
        steps = Geod(ellps="GRS80").inv(fx["lon"][:-1], fx["lat"][:-1], fx["lon"][1:], fx["lat"][1:])[2]
        jump = steps / np.maximum(np.diff(fx["epoch"]), 1.0)
        speeds = np.array(_window_speeds(fx["lon"], fx["lat"], fx["epoch"]))
        moving = speeds[speeds >= 0.3]
        assert f["worst_jump_m"] == pytest.approx(steps[int(np.argmax(jump))], abs=0.06)
        assert f["worst_jump_ms"] == pytest.approx(jump.max(), abs=0.06)
        assert f["speed_median_ms"] == pytest.approx(float(np.median(moving)), abs=0.006)
        assert f["speed_p85_ms"] == pytest.approx(float(np.percentile(moving, 85)), abs=0.006)
        assert ("driven" in t["flags"]) == (kind == "driveby")
        figures[epsg] = f
    for key in ("speed_median_ms", "speed_p85_ms", "worst_jump_m", "worst_jump_ms", "longest_fast_s", "length_m"):
        assert figures[3857][key] == pytest.approx(figures[4522][key], rel=0.002, abs=0.02), key
