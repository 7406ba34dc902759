"""导入巡田轨迹 on the sample county's GPX week: real files, a real 田管库, QGIS Processing."""
from __future__ import annotations

import json
import shutil
import sqlite3
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer

from tests.helpers import recording_feedback, run

ALG = "linxia_tianguan:import_tracks"
NS = {"g": "http://www.topografix.com/GPX/1/1"}


@pytest.fixture(scope="module")
def manifest_files(county) -> dict[str, str]:
    return json.loads((county / "manifest.json").read_text(encoding="utf-8"))["tracks"]["files"]


def gpx_points(path: Path) -> tuple[list[float], list[float], list[str], str]:
    """(lon, lat, time text, author) read from the XML with ElementTree, independently of the plugin."""
    root = ET.parse(path).getroot()
    pts = root.findall(".//g:trkpt", NS)
    author = root.find("g:metadata/g:author/g:name", NS)
    return ([float(p.get("lon")) for p in pts], [float(p.get("lat")) for p in pts],
            [p.find("g:time", NS).text for p in pts], author.text if author is not None else "")


def open_store(path: Path):
    from linxia_tianguan_plugin.storage import GpkgStore

    return GpkgStore(path, create=False)


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def imported(processing_registry, county, tmp_path_factory) -> tuple[Path, dict]:
    store = tmp_path_factory.mktemp("tracks_store") / "tianguan.gpkg"
    result = run(ALG, {"FOLDER": str(county / "tracks"), "RECURSIVE": True, "STORE": str(store)})
    return store, result


def test_every_file_is_imported_once(imported, manifest_files):
    store, result = imported
    assert result["FILES"] == len(manifest_files) and result["FAILED"] == 0 and result["SKIPPED"] == 0
    assert count(store, "tg_track_file") == len(manifest_files)
    s = open_store(store)
    try:
        paths = {Path(r[0]).name for r in s.conn.execute("SELECT path FROM tg_track_file")}
        assert paths == {Path(p).name for p in manifest_files}
        per_file = dict(s.conn.execute("SELECT path, tracks FROM tg_track_file").fetchall())
        assert all(n >= 1 for n in per_file.values())
        assert result["TRACKS"] == count(store, "tg_track") == sum(per_file.values())
        assert result["FIXES"] == count(store, "tg_track_fix")
    finally:
        s.close()


def test_reimport_adds_nothing(imported, county, manifest_files):
    store, _ = imported
    before = {t: count(store, t) for t in ("tg_track_file", "tg_track", "tg_track_fix")}
    feedback = recording_feedback()
    again = run(ALG, {"FOLDER": str(county / "tracks"), "RECURSIVE": True, "STORE": str(store)}, feedback=feedback)
    assert again["FILES"] == 0 and again["TRACKS"] == 0 and again["SKIPPED"] == len(manifest_files)
    assert {t: count(store, t) for t in before} == before
    # the same content under another name is recognised too
    one = county / next(iter(manifest_files))
    copy = store.parent / "renamed.gpx"
    shutil.copy(one, copy)
    assert run(ALG, {"INPUT": str(copy), "STORE": str(store)})["SKIPPED"] == 1


def test_raw_fixes_are_kept_exactly_with_utc_times(imported, county, manifest_files):
    from linxia_tianguan_plugin.core.patrol.tracks import content_hash

    store, _ = imported
    s = open_store(store)
    try:
        for rel in manifest_files:
            path = county / rel
            lon, lat, times, author = gpx_points(path)
            rows = s.conn.execute("SELECT seq, lon, lat, time, dropped, raw_time FROM tg_track_fix "
                                  "WHERE file_hash = ? ORDER BY seq", (content_hash(path.read_bytes()),)).fetchall()
            assert [r[0] for r in rows] == list(range(len(lon))), rel
            assert [r[1] for r in rows] == lon and [r[2] for r in rows] == lat, rel
            assert [r[3] for r in rows] == times, rel  # the GPX text's UTC times, exactly
            assert [r[5] for r in rows] == times, rel  # and the <time> text itself, as the phone wrote it
            officers = {r[0] for r in s.conn.execute(
                "SELECT officer FROM tg_track WHERE file_hash = ?", (content_hash(path.read_bytes()),))}
            assert officers == {author}, rel
        # the sample's phones produce no junk: every raw fix is kept
        assert s.conn.execute("SELECT count(*) FROM tg_track_fix WHERE dropped IS NOT NULL").fetchone()[0] == 0
    finally:
        s.close()


def test_vertices_are_the_kept_fixes_projected(imported):
    from linxia_tianguan_plugin.storage.tracks import track_fixes, tracks

    store, _ = imported
    s = open_store(store)
    try:
        to_zone = Transformer.from_crs(4490, s.srs_id, always_xy=True)
        found = tracks(s)
        assert len(found) == count(store, "tg_track")
        for t in found:
            fx = track_fixes(s, t["track_id"])
            coords = np.array(t["geom"].coords)
            assert len(coords) == len(fx["seq"]) == t["fixes"]
            assert t["track_id"] == f"GJ{t['file_hash'][:12].upper()}-{t['session']}"
            x, y = to_zone.transform(fx["lon"], fx["lat"])
            np.testing.assert_allclose(coords[:, 0], x, atol=1e-6)
            np.testing.assert_allclose(coords[:, 1], y, atol=1e-6)
            np.testing.assert_array_equal(coords[:, 0], fx["x"])
            assert fx["time"][0] == t["started_at"] and fx["time"][-1] == t["ended_at"]
            assert np.all(np.diff(fx["epoch"]) > 0)
            assert t["duration_s"] == fx["epoch"][-1] - fx["epoch"][0]
        # the filters others use
        grid = found[0]["grid_code"]
        assert {t["grid_code"] for t in tracks(s, grid_prefix=grid)} == {grid}
        assert tracks(s, start="2025-06-09T00:00:00Z", end="2025-06-15T23:59:59Z")
        assert tracks(s, start="2030-01-01T00:00:00Z") == []
    finally:
        s.close()


def _with_times(src: Path, dst: Path, start_utc: str) -> list[str]:
    """A copy of a GPX whose fixes start at ``start_utc``, 30 s apart; returns the new time texts."""
    text = src.read_text(encoding="utf-8")
    root = ET.fromstring(text.encode())
    n = len(root.findall(".//g:trkpt", NS))
    t0 = np.datetime64(start_utc.rstrip("Z"), "s")
    new = [f"{t0 + np.timedelta64(30 * i, 's')}Z" for i in range(n)]
    old = [p.find("g:time", NS).text for p in root.findall(".//g:trkpt", NS)]
    parts = text.split("<trkseg>")
    body = parts[1]
    for o, nt in zip(old, new):
        body = body.replace(f"<time>{o}</time>", f"<time>{nt}</time>", 1)
    dst.write_text(parts[0] + "<trkseg>" + body, encoding="utf-8")
    return new


def test_times_stay_utc_across_local_midnight(processing_registry, county, manifest_files, tmp_path, monkeypatch):
    """A walk from 23:40 to 00:40 Beijing time (15:40–16:40 UTC) on a machine whose clock is not UTC."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        src = county / next(r for r, k in manifest_files.items() if k == "good")
        gpx = tmp_path / "62292110000101_20250613.gpx"
        expected = _with_times(src, gpx, "2025-06-12T15:40:00Z")
        store = tmp_path / "tg.gpkg"
        result = run(ALG, {"INPUT": str(gpx), "STORE": str(store)})
        assert result["FILES"] == 1 and result["DROPPED"] == 0
        conn = sqlite3.connect(store)
        stored = [r[0] for r in conn.execute("SELECT time FROM tg_track_fix ORDER BY seq")]
        conn.close()
        assert stored == expected
        assert any(t.startswith("2025-06-12T15:") for t in stored) and any(t.startswith("2025-06-12T16:")
                                                                             for t in stored)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_bad_files_are_reported_and_the_rest_imports(processing_registry, county, manifest_files, tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    good = [county / r for r, k in manifest_files.items() if k == "good"][:3]
    for p in good:
        shutil.copy(p, folder / p.name)
    text = good[0].read_text(encoding="utf-8")
    (folder / "62292110000199_20250613.gpx").write_text(text[: len(text) // 2], encoding="utf-8")  # cut off
    (folder / "62292110000198_20250613.gpx").write_bytes(b"")
    head, rest = text.split("<trkseg>")
    first = rest.split("</trkpt>")[0] + "</trkpt>"
    (folder / "62292110000197_20250613.gpx").write_text(
        head + "<trkseg>" + first + "\n    </trkseg>\n  </trk>\n</gpx>\n", encoding="utf-8")
    store = tmp_path / "tg.gpkg"
    feedback = recording_feedback()
    result = run(ALG, {"FOLDER": str(folder), "STORE": str(store)}, feedback=feedback)
    assert result["FILES"] == 4 and result["FAILED"] == 2 and result["TRACKS"] == 3
    errors = "\n".join(feedback.errors)
    assert "62292110000199_20250613.gpx" in errors and "XML" in errors
    assert "62292110000198_20250613.gpx" in errors and "empty" in errors
    assert "62292110000197_20250613.gpx" in "\n".join(feedback.warnings)
    conn = sqlite3.connect(store)
    lone = conn.execute("SELECT tracks, fixes, message FROM tg_track_file "
                        "WHERE path LIKE '%197_20250613.gpx'").fetchone()
    conn.close()
    assert lone[0] == 0 and lone[1] == 1 and lone[2]


def _gpx_track(processing_registry, gpx: Path, store: Path) -> dict:
    from linxia_tianguan_plugin.storage.tracks import track_fixes, tracks

    run(ALG, {"INPUT": str(gpx), "STORE": str(store)})
    s = open_store(store)
    try:
        (t,) = tracks(s)
        return {"track": t, "fixes": track_fixes(s, t["track_id"])}
    finally:
        s.close()


def _last_track(store: Path) -> dict:
    from linxia_tianguan_plugin.storage.tracks import track_fixes, tracks

    s = open_store(store)
    try:
        (tid,) = s.conn.execute("SELECT track_id FROM tg_track ORDER BY fid DESC LIMIT 1").fetchone()
        (t,) = [t for t in tracks(s) if t["track_id"] == tid]
        return {"track": t, "fixes": track_fixes(s, tid)}
    finally:
        s.close()


def _assert_same_track(a: dict, b: dict) -> None:
    np.testing.assert_allclose(a["fixes"]["lon"], b["fixes"]["lon"], atol=1e-9)
    np.testing.assert_allclose(a["fixes"]["lat"], b["fixes"]["lat"], atol=1e-9)
    assert a["fixes"]["time"].tolist() == b["fixes"]["time"].tolist()
    np.testing.assert_allclose(np.array(a["track"]["geom"].coords), np.array(b["track"]["geom"].coords), atol=1e-3)
    for key in ("officer", "grid_code", "started_at", "ended_at", "fixes"):
        assert a["track"][key] == b["track"][key], key


def _fresh(county: Path, path: Path) -> Path:
    """A new store holding only the sample roster: each format's import starts from nothing."""
    run("linxia_tianguan:import_roster", {"INPUT": str(county / "roster.csv"), "STORE": str(path)})
    return path


@pytest.fixture
def reference(processing_registry, county, manifest_files, tmp_path) -> tuple[Path, Path, dict]:
    """A good GPX imported into a fresh store that also holds the sample roster."""
    store = tmp_path / "tg.gpkg"
    run("linxia_tianguan:import_roster", {"INPUT": str(county / "roster.csv"), "STORE": str(store)})
    gpx = county / next(r for r, k in manifest_files.items() if k == "good")
    return store, gpx, _gpx_track(processing_registry, gpx, store)


def test_gbk_csv_and_geojson_give_the_same_track(reference, county, tmp_path):
    gpx_store, gpx, ref = reference
    store = _fresh(county, tmp_path / "csv.gpkg")
    lon, lat, times, author = gpx_points(gpx)
    grid = gpx.name[:14]
    # CSV saved by Excel on a Chinese Windows: GBK, Beijing time without zone, Chinese headers
    beijing = [str(np.datetime64(t.rstrip("Z"), "s") + np.timedelta64(8, "h")).replace("T", " ") for t in times]
    lines = ["经度,纬度,时间,田管员,网格编码"] + [f"{x!r},{y!r},{t},{author},{grid}" for x, y, t in
                                                zip(lon, lat, beijing)]
    csv_path = tmp_path / "export.csv"
    csv_path.write_bytes("\r\n".join(lines).encode("gbk"))
    result = run(ALG, {"INPUT": str(csv_path), "STORE": str(store), "GRID_FIELD": "网格编码"})
    assert result["FILES"] == 1 and result["TRACKS"] == 1
    _assert_same_track(ref, _last_track(store))
    # GeoJSON points made from the GPX, named by the app's pattern, no officer: taken from the roster
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]}, "properties": {"time": t}}
                for x, y, t in zip(lon, lat, times)]
    geojson = tmp_path / gpx.with_suffix(".geojson").name
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    store = _fresh(county, tmp_path / "geojson.gpkg")
    result = run(ALG, {"INPUT": str(geojson), "STORE": str(store)})
    assert result["FILES"] == 1 and result["TRACKS"] == 1
    _assert_same_track(ref, _last_track(store))
    # the same fixes in another format are the same patrol: kept as raw fixes, no second track
    before = count(gpx_store, "tg_track")
    result = run(ALG, {"INPUT": str(geojson), "STORE": str(gpx_store)})
    assert result["FILES"] == 1 and result["TRACKS"] == 0 and result["DROPPED"] == len(gpx_points(gpx)[0])
    assert count(gpx_store, "tg_track") == before


def test_geopackage_tracking_layers_in_epsg_4490(reference, county, tmp_path):
    """QField/Mergin-style tracking: points with a timestamp in EPSG:4490, and a line with M = epoch ms."""
    from osgeo import ogr, osr

    _, gpx, ref = reference
    store = _fresh(county, tmp_path / "points.gpkg")
    lon, lat, times, author = gpx_points(gpx)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4490)
    path = tmp_path / "qfield_tracking.gpkg"
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    points = ds.CreateLayer("tracking_points", srs, ogr.wkbPoint)
    for name, kind in (("timestamp", ogr.OFTDateTime), ("officer", ogr.OFTString), ("grid", ogr.OFTString)):
        points.CreateField(ogr.FieldDefn(name, kind))
    for x, y, t in zip(lon, lat, times):
        f = ogr.Feature(points.GetLayerDefn())
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({x!r} {y!r})"))
        f.SetField("timestamp", t.replace("T", " ").replace("Z", "+00"))
        f.SetField("officer", author)
        f.SetField("grid", gpx.name[:14])
        points.CreateFeature(f)
    line = ds.CreateLayer("tracking_line", srs, ogr.wkbLineStringM)
    line.CreateField(ogr.FieldDefn("grid", ogr.OFTString))
    geom = ogr.Geometry(ogr.wkbLineStringM)
    for x, y, t in zip(lon, lat, times):
        geom.AddPointM(x, y, float(np.datetime64(t.rstrip("Z"), "ms").astype(np.int64)))
    f = ogr.Feature(line.GetLayerDefn())
    f.SetGeometry(geom)
    f.SetField("grid", gpx.name[:14])
    line.CreateFeature(f)
    ds = None
    assert srs.GetAuthorityCode(None) == "4490"

    result = run(ALG, {"INPUT": str(path), "STORE": str(store), "LAYER": "tracking_points",
                       "OFFICER_FIELD": "officer"})
    assert result["FILES"] == 1 and result["TRACKS"] == 1
    _assert_same_track(ref, _last_track(store))
    assert run(ALG, {"INPUT": str(path), "STORE": str(store), "LAYER": "tracking_points"})["SKIPPED"] == 1
    # the other layer of the same GeoPackage is another import; its officer comes from the roster
    lines = _fresh(county, tmp_path / "lines.gpkg")
    result = run(ALG, {"INPUT": str(path), "STORE": str(lines), "LAYER": "tracking_line"})
    assert result["FILES"] == 1 and result["TRACKS"] == 1
    _assert_same_track(ref, _last_track(lines))
    assert run(ALG, {"INPUT": str(path), "STORE": str(lines), "LAYER": "tracking_line"})["SKIPPED"] == 1
    # into the store that has the points layer already, the line's fixes are repeats: no second track
    result = run(ALG, {"INPUT": str(path), "STORE": str(store), "LAYER": "tracking_line"})
    assert result["FILES"] == 1 and result["TRACKS"] == 0 and count(store, "tg_track") == 1


def test_a_growing_tracking_layer_exported_twice_makes_each_patrol_once(processing_registry, county, manifest_files,
                                                                     tmp_path):
    """QField keeps appending to its tracking layer; the desk imports each week's export. The second
    export repeats the first one's fixes (different bytes, so a new file): only the new fixes make
    tracks, and every raw fix is still kept with its file."""
    from osgeo import ogr, osr

    gpx_files = [county / r for r, k in manifest_files.items() if k == "good"][:2]
    walks = [gpx_points(p) for p in gpx_files]
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4490)

    def export(path: Path, parts: list) -> None:
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
        layer = ds.CreateLayer("tracking", srs, ogr.wkbPoint)
        layer.CreateField(ogr.FieldDefn("timestamp", ogr.OFTString))
        layer.CreateField(ogr.FieldDefn("grid", ogr.OFTString))
        for (lon, lat, times, _), grid in parts:
            for x, y, t in zip(lon, lat, times):
                f = ogr.Feature(layer.GetLayerDefn())
                f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({x!r} {y!r})"))
                f.SetField("timestamp", t)
                f.SetField("grid", grid)
                layer.CreateFeature(f)
        ds = None

    grids = [p.name[:14] for p in gpx_files]
    store = _fresh(county, tmp_path / "tg.gpkg")
    first, second = tmp_path / "week1" / "tracking.gpkg", tmp_path / "week2" / "tracking.gpkg"
    first.parent.mkdir()
    second.parent.mkdir()
    export(first, [(walks[0], grids[0])])
    export(second, [(walks[0], grids[0]), (walks[1], grids[1])])
    one = run(ALG, {"INPUT": str(first), "STORE": str(store), "GRID_FIELD": "grid"})
    two = run(ALG, {"INPUT": str(second), "STORE": str(store), "GRID_FIELD": "grid"})
    assert one["TRACKS"] == 1 and two["FILES"] == 1 and two["TRACKS"] == 1
    n0, n1 = len(walks[0][0]), len(walks[1][0])
    assert two["FIXES"] == n0 + n1 and two["DROPPED"] >= n0
    conn = sqlite3.connect(store)
    try:
        repeats = conn.execute("SELECT count(*) FROM tg_track_fix WHERE dropped = 'repeat'").fetchone()[0]
        starts = [r[0] for r in conn.execute("SELECT started_at FROM tg_track ORDER BY started_at")]
        assert conn.execute("SELECT count(*) FROM tg_track_fix").fetchone()[0] == 2 * n0 + n1
    finally:
        conn.close()
    assert repeats == n0
    assert starts == sorted([walks[0][2][0], walks[1][2][0]])  # one track per walk, each once


def test_needs_a_file_or_folder(processing_registry, tmp_path):
    from tests.helpers import run_failing

    message = run_failing(ALG, {"STORE": str(tmp_path / "tg.gpkg")})
    assert "folder" in message.lower()
    message = run_failing(ALG, {"FOLDER": str(tmp_path / "missing"), "STORE": str(tmp_path / "tg.gpkg")})
    assert "missing" in message


def write_gpx(path: Path, lon: list[float], lat: list[float], times: list[str], accuracy: dict[int, float]) -> None:
    """A GPX 1.1 track as an app with an accuracy extension writes it (OsmAnd style)."""
    pts = []
    for i, (x, y, t) in enumerate(zip(lon, lat, times)):
        ext = f"<extensions><osmand:accuracy>{accuracy[i]}</osmand:accuracy></extensions>" if i in accuracy else ""
        pts.append(f'<trkpt lat="{y!r}" lon="{x!r}"><time>{t}</time>{ext}</trkpt>')
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
                    'xmlns="http://www.topografix.com/GPX/1/1" xmlns:osmand="https://osmand.net">\n'
                    '<metadata><author><name>测试员</name></author></metadata>\n<trk><trkseg>\n'
                    + "\n".join(pts) + "\n</trkseg></trk>\n</gpx>\n", encoding="utf-8")


def test_junk_fixes_are_kept_raw_dropped_from_tracks_and_sessions_split(reference, county, tmp_path):
    from linxia_tianguan_plugin.storage.tracks import track_fixes, tracks

    _, gpx, _ = reference
    store = _fresh(county, tmp_path / "junk.gpkg")
    lon, lat, times, _ = gpx_points(gpx)
    lon, lat = lon[:60], lat[:60]
    epoch = [np.datetime64(t.rstrip("Z"), "s") for t in times[:60]]
    epoch[40:] = [t + np.timedelta64(45 * 60, "s") for t in epoch[40:]]  # a 45-minute pause: two patrols
    epoch[10] = epoch[9]  # the phone repeats a fix's time
    epoch[30] = epoch[25]  # the clock steps back
    lon[20] += 0.05  # a 4.5 km multipath jump
    text = [f"{t}Z" for t in epoch]
    path = tmp_path / f"{gpx.name[:14]}_20250613.gpx"
    write_gpx(path, lon, lat, text, {3: 120.0, 4: 8.0})
    feedback = recording_feedback()
    result = run(ALG, {"INPUT": str(path), "STORE": str(store)}, feedback=feedback)
    assert result["FILES"] == 1 and result["TRACKS"] == 2 and result["FIXES"] == 60 and result["DROPPED"] == 4
    expected = {3: "accuracy", 10: "duplicate_time", 20: "speed_jump", 30: "backwards_time"}
    s = open_store(store)
    try:
        rows = s.conn.execute("SELECT f.seq, f.lon, f.lat, f.time, f.accuracy, f.dropped, f.track_id "
                              "FROM tg_track_fix f JOIN tg_track_file t USING (file_hash) "
                              "WHERE t.path = ? ORDER BY seq",
                              (str(path.resolve()),)).fetchall()
        assert [r[1] for r in rows] == lon and [r[2] for r in rows] == lat and [r[3] for r in rows] == text
        assert rows[3][4] == 120.0 and rows[4][4] == 8.0 and rows[5][4] is None
        assert {r[0]: r[5] for r in rows if r[5]} == expected
        assert all(r[6] is None for r in rows if r[5])
        mine = [t for t in tracks(s) if t["officer"] == "测试员"]
        assert [t["session"] for t in mine] == [1, 2]
        kept = [[r[0] for r in rows if r[6] == t["track_id"]] for t in mine]
        assert kept == [[i for i in range(40) if i not in expected], [i for i in range(40, 60) if i not in expected]]
        for t, seqs in zip(mine, kept):
            fx = track_fixes(s, t["track_id"])
            assert fx["seq"].tolist() == seqs and len(t["geom"].coords) == len(seqs) == t["fixes"]
    finally:
        s.close()
    assert any("speed" in m for m in feedback.infos)


def test_cancel_while_a_big_tracking_layer_is_read_keeps_the_files_before_it(processing_registry, county,
                                                                            manifest_files, tmp_path):
    """A months-long tracking layer takes a while to read: cancelling then stops inside the file, keeps
    the files already imported and records nothing of the interrupted one."""
    from osgeo import ogr, osr

    folder = tmp_path / "in"
    folder.mkdir()
    gpx = county / next(r for r, k in manifest_files.items() if k == "good")
    shutil.copy(gpx, folder / ("a_" + gpx.name))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4490)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(folder / "b_tracking.gpkg"))
    layer = ds.CreateLayer("tracking", srs, ogr.wkbPoint)
    layer.CreateField(ogr.FieldDefn("timestamp", ogr.OFTString))
    layer.StartTransaction()
    for i in range(12_000):
        f = ogr.Feature(layer.GetLayerDefn())
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({103.2 + i * 1e-6!r} 35.6)"))
        f.SetField("timestamp", f"2025-06-1{3 + i // 5000}T0{i // 1000 % 10}:{i % 60:02d}:{i % 60:02d}Z")
        layer.CreateFeature(f)
    layer.CommitTransaction()
    ds = None

    feedback = recording_feedback()
    texts = []

    def progress_text(text):
        texts.append(text)
        if "b_tracking" in text:
            feedback.cancel()  # the user presses Cancel while the big layer is being read

    feedback.setProgressText = progress_text
    store = _fresh(county, tmp_path / "tg.gpkg")
    result = run(ALG, {"FOLDER": str(folder), "STORE": str(store)}, feedback=feedback)
    assert result["FILES"] == 1 and count(store, "tg_track_file") == 1
    assert any("b_tracking" in t for t in texts)
    assert any("1" in e and "2" in e for e in feedback.errors)  # “cancelled after 1 of 2 files”
    # the reader itself stops in the middle of the layer, not after it
    from linxia_tianguan_plugin.processing.patrol.track_files import ReadCancelledError, read_ogr_track

    asked = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) > 1

    with pytest.raises(ReadCancelledError):
        read_ogr_track(str(folder / "b_tracking.gpkg"), "GPKG", cancelled=cancelled)
    assert len(asked) == 2  # asked at the first feature and again 5 000 features later
