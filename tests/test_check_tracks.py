"""轨迹真实性检查 on the sample county's week of tracks: walks accepted, drive-bys driven, the replay found
against last week's original, and tracks moved out of their grid or cut short flagged.

The tracks are put into the store with plain SQL (one track per GPX file, every fix kept), so that
these tests depend only on the store's schema and its vertex ↔ fix convention, not on the importer.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from linxia_tianguan_plugin.storage import GpkgStore, gpkg
from tests.conftest import layer_uri
from tests.helpers import read, run

WEEK_LATER = 7 * 86400


def read_gpx(path: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """lon/lat (n, 2), epoch seconds and UTC ISO texts of a GPX file's track points, through OGR."""
    from osgeo import ogr

    ds = ogr.Open(str(path))
    layer = ds.GetLayerByName("track_points")
    idx = layer.GetLayerDefn().GetFieldIndex("time")
    lonlat, seconds = [], []
    for f in layer:
        y, mo, d, h, mi, s, tz = f.GetFieldAsDateTime(idx)
        offset = dt.timedelta(minutes=15 * (tz - 100)) if tz > 1 else dt.timedelta(0)  # GPX times are UTC
        when = dt.datetime(y, mo, d, h, mi, int(s), tzinfo=dt.timezone.utc) - offset
        lonlat.append(f.GetGeometryRef().GetPoint_2D())
        seconds.append(when.timestamp())
    t = np.array(seconds)
    return np.array(lonlat), t, iso(t)


def iso(t: np.ndarray) -> list[str]:
    return [dt.datetime.fromtimestamp(float(s), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") for s in t]


def add_track(store: GpkgStore, key: str, lonlat: np.ndarray, t: np.ndarray, grid: str, officer: str | None,
              xy: np.ndarray | None = None) -> str:
    """One file with one track holding all its fixes (vertex i = fix i), as the importer stores them."""
    to_xy = Transformer.from_crs(4490, store.srs_id, always_xy=True)
    if xy is None:
        xy = np.column_stack(to_xy.transform(lonlat[:, 0], lonlat[:, 1]))
    else:
        back = Transformer.from_crs(store.srs_id, 4490, always_xy=True)
        lonlat = np.column_stack(back.transform(xy[:, 0], xy[:, 1]))
    digest = hashlib.sha256(f"{key}|{t[0]}|{xy.sum()}".encode()).hexdigest()
    track_id = f"GJ{digest[:12].upper()}-1"
    times = iso(t)
    line = shapely.linestrings(xy)
    blob = gpkg.encode_blobs(np.array([shapely.to_wkb(line)], dtype=object), np.array([line.bounds]), store.srs_id)[0]
    length = float(line.length)
    with store.transaction() as conn:
        conn.execute("INSERT INTO tg_track_file VALUES (?, ?, 'gpx', ?, 1, ?, NULL)",
                     (digest, key, times[0], len(t)))
        conn.executemany("INSERT INTO tg_track_fix (file_hash, seq, track_id, lon, lat, time) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         [(digest, i, track_id, float(lo), float(la), s)
                          for i, ((lo, la), s) in enumerate(zip(lonlat.tolist(), times))])
        conn.execute("INSERT INTO tg_track (geom, track_id, file_hash, session, officer, grid_code, started_at, "
                     "ended_at, fixes, length_m, duration_s) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
                     (blob, track_id, digest, officer, grid, times[0], times[-1], len(t), length,
                      float(t[-1] - t[0])))
    return track_id


@pytest.fixture(scope="module")
def checked(processing_registry, county, tmp_path_factory):
    base = tmp_path_factory.mktemp("check_tracks")
    path = base / "tianguan.gpkg"
    sample = county / "sample_county.gpkg"
    run("linxia_tianguan:space_code", {
        "DLTB": layer_uri(sample, "DLTB"), "DK": layer_uri(sample, "DK"), "YJJBNT": layer_uri(sample, "YJJBNTTB"),
        "CJDCQ": layer_uri(sample, "CJDCQ"), "STORE": str(path), "OUTPUT": str(base / "coded.gpkg")})
    run("linxia_tianguan:build_grid", {
        "XZQ": layer_uri(sample, "XZQ"), "CJDCQ": layer_uri(sample, "CJDCQ"), "STORE": str(path),
        "OUTPUT": str(base / "grid.gpkg")})
    manifest = json.loads((county / "manifest.json").read_text(encoding="utf-8"))["tracks"]
    officers = {s["grid"]: s.get("officer") for s in manifest["scenarios"]}
    store = GpkgStore(path, create=False)
    ids: dict[str, str] = {}
    gpx: dict[str, tuple] = {}
    # last week's original first, as an import of last week would have stored it
    for rel in sorted(manifest["files"], key=lambda r: manifest["files"][r] != "previous_week"):
        grid = Path(rel).stem.split("_")[0]
        lonlat, t, _ = read_gpx(county / rel)
        gpx[rel] = (lonlat, t, grid)
        ids[rel] = add_track(store, rel, lonlat, t, grid, officers.get(grid))
    # a good walk moved 3 km east (out of its grid), and one cut to its first 10 minutes, a week later
    good = sorted(rel for rel, kind in manifest["files"].items() if kind == "good")
    lonlat, t, grid = gpx[good[0]]
    xy = np.column_stack(Transformer.from_crs(4490, store.srs_id, always_xy=True).transform(*lonlat.T))
    moved = add_track(store, "moved", lonlat, t + WEEK_LATER, grid, officers.get(grid), xy=xy + [3000.0, 0.0])
    lonlat, t, grid = gpx[good[1]]
    cut = t <= t[0] + 600
    short = add_track(store, "short", lonlat[cut], t[cut] + WEEK_LATER, grid, officers.get(grid))
    store.close()
    result = run("linxia_tianguan:check_tracks", {"STORE": str(path), "OUTPUT": str(base / "checked.gpkg")})
    return {"result": result, "path": path, "manifest": manifest, "ids": ids, "moved": moved, "short": short,
            "output": base / "checked.gpkg"}


def stored(path: Path) -> dict[str, dict]:
    store = GpkgStore(path, create=False)
    try:
        rows = store.conn.execute("SELECT track_id, grid_code, flags, figures, accepted FROM tg_track").fetchall()
    finally:
        store.close()
    return {r[0]: {"grid": r[1], "flags": json.loads(r[2]) if r[2] else None,
                   "figures": json.loads(r[3]) if r[3] else None, "accepted": bool(r[4])} for r in rows}


def test_every_good_walk_is_accepted(checked):
    tracks = stored(checked["path"])
    good = [rel for rel, kind in checked["manifest"]["files"].items() if kind in ("good", "previous_week")]
    assert good
    for rel in good:
        row = tracks[checked["ids"][rel]]
        assert row["accepted"], (rel, row["flags"], row["figures"])
        assert not {"driven", "too_short", "outside_grid", "teleport", "replay"} & set(row["flags"])


def test_every_driveby_is_flagged_driven(checked):
    tracks = stored(checked["path"])
    drives = [rel for rel, kind in checked["manifest"]["files"].items() if kind == "driveby"]
    assert drives
    for rel in drives:
        row = tracks[checked["ids"][rel]]
        assert "driven" in row["flags"] and not row["accepted"], (rel, row["figures"])
        assert row["figures"]["speed_median_ms"] > 2 or row["figures"]["longest_fast_s"] >= 300


def test_the_replay_is_flagged_against_last_weeks_original(checked):
    files = checked["manifest"]["files"]
    tracks = stored(checked["path"])
    replays = [s for s in checked["manifest"]["scenarios"] if s["kind"] == "replay"]
    assert replays
    for scenario in replays:
        row = tracks[checked["ids"][scenario["files"][0]]]
        assert "replay" in row["flags"] and not row["accepted"]
        assert row["figures"]["replay_of"] == checked["ids"][scenario["source"]]
        assert files[scenario["source"]] == "previous_week"
    flagged = {tid for tid, row in tracks.items() if "replay" in row["flags"]}
    assert flagged == {checked["ids"][s["files"][0]] for s in replays}


def test_missing_grids_have_no_track(checked):
    tracks = stored(checked["path"])
    missing = {s["grid"] for s in checked["manifest"]["scenarios"] if s["kind"] == "missing"}
    assert missing
    assert not missing & {row["grid"] for row in tracks.values()}


def test_a_track_out_of_its_grid_and_a_short_one(checked):
    tracks = stored(checked["path"])
    moved, short = tracks[checked["moved"]], tracks[checked["short"]]
    assert "outside_grid" in moved["flags"] and not moved["accepted"] and moved["figures"]["inside_share"] < 0.5
    assert "replay" not in moved["flags"]
    assert "too_short" in short["flags"] and not short["accepted"] and short["figures"]["duration_s"] <= 600
    assert "replay" not in short["flags"]


def test_counts_and_output_layer(checked):
    r = checked["result"]
    tracks = stored(checked["path"])
    assert r["CHECKED"] == len(tracks) and all(row["flags"] is not None for row in tracks.values())
    assert r["ACCEPTED"] == sum(row["accepted"] for row in tracks.values())
    assert r["ACCEPTED"] + r["REJECTED"] == r["CHECKED"]
    assert r["DRIVEN"] == sum("driven" in row["flags"] for row in tracks.values()) and r["REPLAY"] == 1
    out = read(str(checked["output"]), ["track_id", "flags", "flags_zh", "accepted", "figures"])
    assert len(out["track_id"]) == len(tracks)
    by_id = dict(zip(out["track_id"], out["flags_zh"]))
    assert "重复上传旧轨迹" in by_id[next(t for t, row in tracks.items() if "replay" in row["flags"])]
    assert "开车路过" in by_id[next(t for t, row in tracks.items() if "driven" in row["flags"])]
    assert all(g is not None and g.geom_type == "LineString" for g in out["geom"])


def test_checking_again_is_idempotent(checked):
    before = stored(checked["path"])
    again = run("linxia_tianguan:check_tracks", {"STORE": str(checked["path"])})
    assert again["CHECKED"] == 0  # nothing unchecked left
    week = run("linxia_tianguan:check_tracks", {"STORE": str(checked["path"]), "START": "2025-06-09",
                                                "END": "2025-06-15"})
    this_week = [rel for rel, kind in checked["manifest"]["files"].items() if kind != "previous_week"]
    assert week["CHECKED"] == len(this_week) and week["REPLAY"] == 1  # the original is still earlier
    assert stored(checked["path"]) == before
