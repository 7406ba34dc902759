"""Hostile track files (issue 15): the time forms Excel and Chinese phone apps write, unreadable times, phone
clocks years ahead or reset to 1970, routes instead of tracks, and lengths in a store whose CRS does not
measure true.

Real files written here (CSV as Excel writes it: UTF-8 with BOM, or GBK; GPX), a real 田管库, QGIS
Processing; the sample county's walks (``tests/test_tracks_import.py``) give realistic fixes."""
from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from pyproj import Geod

from tests.conftest import layer_uri
from tests.helpers import read, recording_feedback, run
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
    sample = county / "sample_county.gpkg"
    run("linxia_tianguan:space_code", {
        "DLTB": layer_uri(sample, "DLTB"), "DK": layer_uri(sample, "DK"), "YJJBNT": layer_uri(sample, "YJJBNTTB"),
        "CJDCQ": layer_uri(sample, "CJDCQ"), "STORE": str(path), "OUTPUT": None})
    run("linxia_tianguan:build_grid", {"XZQ": layer_uri(sample, "XZQ"), "CJDCQ": layer_uri(sample, "CJDCQ"),
                                       "STORE": str(path)})
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
    from linxia_tianguan_plugin.core.authenticity import BLOCKING, FLAG_LABELS_ZH

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
