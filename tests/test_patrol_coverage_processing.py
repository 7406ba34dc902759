"""巡田覆盖分析 through Processing on the sample county: coded with one-click coding, grid built, a week
of GPX tracks written into tg_track with plain SQL (independent of the track importer).

Checks the parcel layer against a brute-force shapely computation, the group rates against the
parcels, that patrols are written only for tracks covering enough of their grid, that the week's
tasks of those grids become 已完成, and that a re-run writes nothing new.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from osgeo import ogr
from pyproj import Transformer

from linxia_tianguan_plugin.storage import GpkgStore, gpkg
from tests.conftest import layer_uri
from tests.helpers import read, run

WEEK = ("2025-06-09", "2025-06-15")
D = 50.0


def _gpx_line(path: Path, to_4522: Transformer) -> tuple[shapely.LineString, str, str]:
    """The track of a GPX file in EPSG:4522 with its first and last fix times (UTC text)."""
    ds = ogr.Open(str(path))
    layer = ds.GetLayerByName("track_points")
    lon, lat, times = [], [], []
    for f in layer:
        g = f.GetGeometryRef()
        lon.append(g.GetX())
        lat.append(g.GetY())
        times.append(f.GetField("time"))
    x, y = to_4522.transform(np.array(lon), np.array(lat))

    def utc(text: str) -> str:
        return dt.datetime.strptime(text[:19].replace("/", "-"), "%Y-%m-%d %H:%M:%S").strftime("%Y-%m-%dT%H:%M:%SZ")

    return shapely.LineString(np.c_[x, y]), utc(times[0]), utc(times[-1])


def _write_tracks(store_path: Path, county: Path) -> list[dict]:
    """Every GPX of the sample (this week's and last week's) as one tg_track row each.

    Accepted = 1 except the replayed file (last week's walk uploaded again), which the authenticity
    check would reject.
    """
    manifest = json.loads((county / "manifest.json").read_text(encoding="utf-8"))
    officers = {s["grid"]: s.get("officer") for s in manifest["tracks"]["scenarios"]}
    kinds = manifest["tracks"]["files"]
    to_4522 = Transformer.from_crs("EPSG:4490", "EPSG:4522", always_xy=True)
    store = GpkgStore(store_path, create=False)
    rows = []
    with store.transaction() as conn:
        for rel, kind in sorted(kinds.items()):
            line, start, end = _gpx_line(county / rel, to_4522)
            digest = hashlib.sha256((county / rel).read_bytes()).hexdigest()
            grid = Path(rel).name.split("_")[0]
            track_id = f"GJ{digest[:12].upper()}-1"
            conn.execute("INSERT INTO tg_track_file VALUES (?, ?, 'gpx', '2025-06-16T00:00:00Z', 1, ?, NULL)",
                         (digest, rel, len(line.coords)))
            blob = gpkg.encode_blobs(np.array([shapely.to_wkb(line)], dtype=object),
                                     np.array([line.bounds]), store.srs_id)[0]
            accepted = 0 if kind == "replay" else 1
            conn.execute(
                "INSERT INTO tg_track (geom, track_id, file_hash, session, officer, grid_code, started_at, ended_at, "
                "fixes, length_m, accepted) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
                (blob, track_id, digest, officers.get(grid), grid, start, end, len(line.coords), line.length,
                 accepted))
            rows.append({"id": track_id, "grid": grid, "kind": kind, "line": line, "start": start, "end": end,
                         "accepted": accepted, "officer": officers.get(grid)})
    store.close()
    return rows


@pytest.fixture(scope="module")
def analysed(processing_registry, county, tmp_path_factory):
    base = tmp_path_factory.mktemp("coverage")
    store = base / "tianguan.gpkg"
    src = county / "sample_county.gpkg"
    run("linxia_tianguan:space_code", {
        "DLTB": layer_uri(src, "DLTB"), "DK": layer_uri(src, "DK"), "YJJBNT": layer_uri(src, "YJJBNTTB"),
        "CJDCQ": layer_uri(src, "CJDCQ"), "STORE": str(store), "OUTPUT": None})
    run("linxia_tianguan:build_grid", {"XZQ": layer_uri(src, "XZQ"), "CJDCQ": layer_uri(src, "CJDCQ"),
                                       "STORE": str(store)})
    tracks = _write_tracks(store, county)
    result = run("linxia_tianguan:patrol_coverage", {
        "STORE": str(store), "START": WEEK[0], "END": WEEK[1], "SHARES": True,
        "PARCELS_OUT": str(base / "parcels.gpkg"), "GRIDS_OUT": str(base / "grids.gpkg"),
        "UNSEEN_OUT": str(base / "unseen.gpkg"), "RATES_OUT": str(base / "rates.gpkg")})
    return {"store": store, "tracks": tracks, "result": result, "base": base,
            "parcels": read(str(base / "parcels.gpkg")), "grids": read(str(base / "grids.gpkg")),
            "unseen": read(str(base / "unseen.gpkg")), "rates": read(str(base / "rates.gpkg"))}


def _in_week(track: dict) -> bool:
    local = dt.datetime.fromisoformat(track["start"].replace("Z", "+00:00")) + dt.timedelta(hours=8)
    return WEEK[0] <= local.date().isoformat() <= WEEK[1]


def _counted(analysed) -> list[dict]:
    return [t for t in analysed["tracks"] if t["accepted"] and _in_week(t)]


def _brute(geoms: np.ndarray, lines: np.ndarray, sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance of every parcel to the nearest track, and the share of the ``sample`` parcels within the
    viewing distance of the tracks.

    Parcel by parcel: every track near it is cut to the parcel's box grown by more than the viewing
    distance (nothing farther can be seen on the parcel), buffered whole, and intersected directly. A
    tree is used only to skip the tracks that are nowhere near. Buffering whole walks that cross
    themselves hundreds of times is slow, hence the sample.
    """
    near_p, near_t = shapely.STRtree(lines).query(geoms, predicate="dwithin", distance=D + 2.0)
    dist = np.full(len(geoms), np.inf)
    np.minimum.at(dist, near_p, shapely.distance(geoms[near_p], lines[near_t]))
    share = np.zeros(len(sample))
    for k, i in enumerate(sample.tolist()):
        x0, y0, x1, y1 = geoms[i].bounds
        cut = shapely.clip_by_rect(lines[near_t[near_p == i]], x0 - D - 2, y0 - D - 2, x1 + D + 2, y1 + D + 2)
        seen = shapely.union_all(shapely.buffer(cut, D))
        share[k] = shapely.intersection(geoms[i], seen).area / geoms[i].area
    return dist, share


def test_parcels_seen_agree_with_brute_force(analysed):
    parcels = analysed["parcels"]
    lines = np.array([t["line"] for t in _counted(analysed)], dtype=object)
    geoms = parcels["geom"]
    sample = np.random.default_rng(7).choice(len(geoms), size=min(60, len(geoms)), replace=False)
    dist, share = _brute(geoms, lines, sample)
    sure = np.abs(dist - D) > 1.0  # the round buffer ends are polygons: leave the 1 m band around D aside
    seen = parcels["SFXJ"] == "是"
    assert 0 < seen.sum() < len(seen)
    assert np.array_equal(seen[sure], (dist < D)[sure])
    assert np.allclose(parcels["XJBL"][sample].astype(float), share, atol=0.02)
    assert analysed["result"]["PARCELS_SEEN"] == seen.sum()
    # last seen: Beijing time of the latest reaching track's end
    assert all(v for v in parcels["ZJXJ"][seen])


def test_without_shares_the_same_parcels_are_seen_and_the_share_is_empty(analysed):
    """The default run tests distances only (no buffers): the same seen parcels and last-seen times,
    the same patrols (a re-run adds none), and no share."""
    out = analysed["base"] / "parcels_no_shares.gpkg"
    result = run("linxia_tianguan:patrol_coverage", {"STORE": str(analysed["store"]), "START": WEEK[0],
                                                     "END": WEEK[1], "PARCELS_OUT": str(out)})
    fast, full = read(str(out)), analysed["parcels"]
    assert list(fast["KJM"]) == list(full["KJM"])
    assert np.array_equal(fast["SFXJ"], full["SFXJ"]) and np.array_equal(fast["ZJXJ"], full["ZJXJ"])
    assert all(v is None for v in fast["XJBL"])
    assert result["PARCELS_SEEN"] == analysed["result"]["PARCELS_SEEN"] and result["PATROLS"] == 0


def test_group_rates_are_area_weighted_over_the_parcels(analysed):
    parcels, grids = analysed["parcels"], analysed["grids"]
    codes = parcels["KJM"].astype(str)
    seen = parcels["SFXJ"] == "是"
    gdmj, yjmj = parcels["GDMJ"].astype(float), parcels["YJMJ"].astype(float)
    store = GpkgStore(analysed["store"], create=False)
    cell_farmland = dict(store.conn.execute(
        "SELECT code, farmland_m2 FROM tg_grid_cell c JOIN tg_grid_build b USING (build_id) "
        "WHERE b.active = 1 AND level = 5"))
    store.close()
    assert sorted(grids["WGBM"]) == sorted(cell_farmland)
    assert all(g is not None for g in grids["geom"])
    for i, code in enumerate(grids["WGBM"]):
        rows = np.char.startswith(codes, code)
        assert grids["GDMJ"][i] == pytest.approx(gdmj[rows].sum(), abs=0.05)
        assert grids["GDMJ"][i] == pytest.approx(cell_farmland[code], abs=0.05)  # agrees with the coding
        assert grids["XJGDMJ"][i] == pytest.approx(gdmj[rows & seen].sum(), abs=0.05)
        assert grids["XJYJMJ"][i] == pytest.approx(yjmj[rows & seen].sum(), abs=0.05)
        if gdmj[rows].sum() > 0:
            assert grids["GDFGL"][i] == pytest.approx(gdmj[rows & seen].sum() / gdmj[rows].sum(), abs=1e-4)
    per_grid = {}
    for t in _counted(analysed):
        if t["grid"] in cell_farmland:  # some officers' groups have no coded farmland in the small sample
            per_grid[t["grid"]] = per_grid.get(t["grid"], 0) + 1
    assert {c: n for c, n in zip(grids["WGBM"], grids["XTCS"]) if n} == per_grid
    total = analysed["result"]["FARMLAND_RATE"]
    assert total == pytest.approx(gdmj[seen].sum() / gdmj.sum(), abs=1e-6)


def test_rates_table_has_every_level_and_agrees_with_the_parcels_and_the_group_layer(analysed):
    parcels, grids, rates = analysed["parcels"], analysed["grids"], analysed["rates"]
    assert all(g is None for g in rates["geom"])  # a plain table
    codes = parcels["KJM"].astype(str)
    seen = parcels["SFXJ"] == "是"
    gdmj, yjmj = parcels["GDMJ"].astype(float), parcels["YJMJ"].astype(float)
    levels = {2: 6, 3: 9, 4: 12, 5: 14}
    for level, length in levels.items():
        expected = sorted({c[:length] for c in codes})
        assert [c for c, lv in zip(rates["WGBM"], rates["JB"]) if lv == level] == expected
    for i, code in enumerate(rates["WGBM"]):
        rows = np.char.startswith(codes, code)
        rounding = 0.005 * rows.sum() + 0.01  # the parcel layer's areas are rounded to the centimetre
        assert rates["GDMJ"][i] == pytest.approx(gdmj[rows].sum(), abs=rounding)
        assert rates["XJYJMJ"][i] == pytest.approx(yjmj[rows & seen].sum(), abs=rounding)
        assert rates["DKSL"][i] == rows.sum() and rates["XJDKSL"][i] == (rows & seen).sum()
    by_code = {c: i for i, c in enumerate(rates["WGBM"])}
    for i, code in enumerate(grids["WGBM"]):
        if code in by_code:  # groups with coded parcels
            j = by_code[code]
            assert (rates["XJGDMJ"][j], rates["GDFGL"][j], rates["XTCS"][j]) == \
                (grids["XJGDMJ"][i], grids["GDFGL"][i], grids["XTCS"][i])
    county = next(i for i, lv in enumerate(rates["JB"]) if lv == 2)
    assert rates["GDFGL"][county] == pytest.approx(analysed["result"]["FARMLAND_RATE"], abs=1e-4)
    assert rates["WGMC"][county] and all(rates["WGMC"][i] for i, lv in enumerate(rates["JB"]) if lv == 3)
    assert rates["XTCS"][county] == analysed["result"]["TRACKS"]


def test_unseen_for_weeks_includes_last_week(analysed):
    unseen, parcels = analysed["unseen"], analysed["parcels"]
    assert len(unseen["KJM"]) == analysed["result"]["PARCELS_UNSEEN_WEEKS"]
    assert set(unseen["SFXJ"]) == {"否"}
    # last week's walk (accepted, before the period, within 4 weeks) sees some parcels not seen this week
    previous = [t for t in analysed["tracks"] if t["kind"] == "previous_week"]
    assert previous
    buffer = shapely.buffer(previous[0]["line"], D - 1.0)
    not_seen = parcels["SFXJ"] == "否"
    by_previous = set(parcels["KJM"][not_seen & shapely.intersects(parcels["geom"], buffer)])
    assert by_previous and not (by_previous & set(unseen["KJM"]))
    assert len(unseen["KJM"]) == not_seen.sum() - len(set(parcels["KJM"][not_seen]) - set(unseen["KJM"]))


def _farmland_grids(analysed) -> set[str]:
    """Groups with coded farmland (in the small sample some officers' groups have none)."""
    parcels = analysed["parcels"]
    return {str(c)[:14] for c, a in zip(parcels["KJM"], parcels["GDMJ"]) if float(a) > 0}


def _store_rows(path: Path) -> tuple[dict, list[tuple]]:
    store = GpkgStore(path, create=False)
    coverage = dict(store.conn.execute("SELECT track_id, coverage FROM tg_track"))
    patrols = store.conn.execute("SELECT patrol_id, grid_code, officer, started_at, source, valid FROM tg_patrol "
                                 "ORDER BY patrol_id").fetchall()
    store.close()
    return coverage, patrols


def test_patrols_only_for_tracks_above_the_grid_share(analysed):
    from linxia_tianguan_plugin.core.patrol.tasks import patrol_id

    coverage, patrols = _store_rows(analysed["store"])
    assert analysed["result"]["TRACKS"] == len(_counted(analysed))
    farmland = _farmland_grids(analysed)
    counted = [t for t in _counted(analysed) if t["grid"] in farmland]
    assert counted
    for t in analysed["tracks"]:
        if t in counted:
            assert coverage[t["id"]] is not None and 0 <= coverage[t["id"]] <= 1
        else:
            assert coverage[t["id"]] is None  # not accepted (the replay), not in the week, or no farmland
    above = [t for t in counted if coverage[t["id"]] >= 0.6]
    below = [t for t in counted if coverage[t["id"]] < 0.6]
    assert above and below
    assert {t["kind"] for t in below} >= {"driveby"}
    expected = sorted({patrol_id(t["grid"], t["officer"], t["start"]) for t in above})
    assert [p[0] for p in patrols] == expected
    assert {p[4] for p in patrols} == {"track"} and {p[5] for p in patrols} == {1}
    assert analysed["result"]["PATROLS"] == len(expected)
    assert analysed["result"]["TRACKS_BELOW"] == len(below)


def test_tasks_of_the_week_are_done_for_covered_grids(analysed):
    coverage, _ = _store_rows(analysed["store"])
    done_grids = {t["grid"] for t in _counted(analysed) if (coverage[t["id"]] or 0) >= 0.6}
    result = run("linxia_tianguan:dispatch_tasks", {
        "STORE": str(analysed["store"]), "START": WEEK[0], "END": WEEK[1], "LEVELS": [4],
        "OUTPUT": "TEMPORARY_OUTPUT"})
    rows = [dict(zip(result["OUTPUT"].fields().names(), f.attributes())) for f in result["OUTPUT"].getFeatures()]
    status = {r["grid_code"]: r["status"] for r in rows if r["period_start"] == WEEK[0]}
    assert {c for c, s in status.items() if s == "已完成"} == done_grids
    assert result["DONE"] == len(done_grids)


def test_running_again_adds_nothing(analysed):
    before = _store_rows(analysed["store"])
    again = run("linxia_tianguan:patrol_coverage", {"STORE": str(analysed["store"]), "START": WEEK[0],
                                                    "END": WEEK[1], "GRIDS_OUT": "TEMPORARY_OUTPUT"})
    assert again["PATROLS"] == 0
    assert again["TRACKS"] == analysed["result"]["TRACKS"]
    assert again["PARCELS_SEEN"] == analysed["result"]["PARCELS_SEEN"]
    assert _store_rows(analysed["store"]) == before


def test_all_tracks_when_not_only_accepted(analysed, tmp_path):
    import shutil

    copy = tmp_path / "copy.gpkg"
    shutil.copy(analysed["store"], copy)
    result = run("linxia_tianguan:patrol_coverage", {"STORE": str(copy), "START": WEEK[0], "END": WEEK[1],
                                                     "ONLY_ACCEPTED": False, "MIN_GRID_SHARE": 0.0})
    assert result["TRACKS"] == len([t for t in analysed["tracks"] if _in_week(t)])
    coverage, patrols = _store_rows(copy)
    replay = [t for t in analysed["tracks"] if t["kind"] == "replay"]
    assert replay and coverage[replay[0]["id"]] is not None
    farmland = _farmland_grids(analysed)
    assert len(patrols) == len({(t["grid"], t["officer"], t["start"]) for t in analysed["tracks"]
                                if _in_week(t) and t["grid"] in farmland})


def test_default_period_is_the_current_week(analysed, tmp_path):
    import shutil

    copy = tmp_path / "week.gpkg"
    shutil.copy(analysed["store"], copy)
    result = run("linxia_tianguan:patrol_coverage", {"STORE": str(copy)})
    assert result["TRACKS"] == 0 and result["PATROLS"] == 0 and result["PARCELS_SEEN"] == 0


def test_parcel_geometry_is_read_township_by_township_and_a_recode_is_caught(analysed, tmp_path):
    """The kernel reads parcel geometry a code range at a time; what it gets is the stored geometry,
    in the table's order, and a store recoded meanwhile stops the run instead of mixing parcels."""
    import shutil

    from linxia_tianguan_plugin.core.patrol.coverage import townships
    from linxia_tianguan_plugin.storage.grid import CodedGeometry, CodesChangedError, coded_parcel_table

    copy = tmp_path / "tianguan.gpkg"
    shutil.copy(analysed["store"], copy)
    store = GpkgStore(copy, create=False)
    try:
        table = coded_parcel_table(store)
        direct = dict(store.conn.execute("SELECT code, geom FROM tg_space_code WHERE status = 'active'"))
        assert list(table["code"]) == sorted(direct)
        reader = CodedGeometry(store, table["code"])
        keys, rows = townships(table["code"])
        assert len(keys) > 1 and sum(len(r) for r in rows) == len(table["code"])
        for key, idx in zip(keys, rows):
            wkb = reader(idx)
            assert all(str(c).startswith(key) for c in table["code"][idx])
            assert [bytes(w) for w in wkb] == [gpkg.decode_blob(direct[str(c)]) for c in table["code"][idx]]
        boxes = shapely.bounds(shapely.from_wkb(reader(rows[0])))
        assert np.all(boxes[:, :2] >= table["bounds"][rows[0], :2] - 1e-3)  # R-tree boxes hold the parcels
        assert np.all(boxes[:, 2:] <= table["bounds"][rows[0], 2:] + 1e-3)
        with store.transaction() as conn:
            conn.execute("UPDATE tg_space_code SET status = 'retired' WHERE code = ?",
                         (str(table["code"][rows[1][3]]),))
        reader(rows[0])  # other townships still read
        with pytest.raises(CodesChangedError):
            reader(rows[1])
    finally:
        store.close()


def _gpkg_layer_facts(path: Path, table: str) -> dict:
    """What a reader sees of a GeoPackage layer besides its features: column types, geometry column, CRS,
    extent, field aliases, R-tree ids and the integrity of the file."""
    import sqlite3

    conn = sqlite3.connect(str(path))
    try:
        return {
            "columns": conn.execute(f'PRAGMA table_info("{table}")').fetchall(),
            "geometry": conn.execute("SELECT column_name, geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns "
                                     "WHERE table_name = ?", (table,)).fetchall(),
            "contents": conn.execute("SELECT data_type, srs_id, min_x, min_y, max_x, max_y FROM gpkg_contents "
                                     "WHERE table_name = ?", (table,)).fetchone(),
            "rtree": conn.execute(f'SELECT * FROM "rtree_{table}_geom" ORDER BY id').fetchall(),
            "fids": conn.execute(f'SELECT fid FROM "{table}" ORDER BY fid').fetchall(),
            "aliases": conn.execute("SELECT column_name, name FROM gpkg_data_columns WHERE table_name = ? "
                                    "ORDER BY column_name", (table,)).fetchall(),
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
            "application_id": conn.execute("PRAGMA application_id").fetchone()[0],
            "by_ogr": conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone()[0],
        }
    finally:
        conn.close()


def test_a_new_geopackage_is_written_with_sql_and_equals_the_sink_s(analysed, tmp_path):
    """PARCELS_OUT and UNSEEN_OUT to new GeoPackage files are copied from the store with SQL; through a sink
    (an ``ogr:`` destination) the same rows come out: fids, values, geometry, column types, CRS, extent and
    R-tree, aliases."""
    params = {"STORE": str(analysed["store"]), "START": WEEK[0], "END": WEEK[1], "SHARES": True}
    fast = {"PARCELS_OUT": tmp_path / "parcels.gpkg", "UNSEEN_OUT": tmp_path / "unseen.gpkg"}
    slow = {"PARCELS_OUT": tmp_path / "sink_parcels.gpkg", "UNSEEN_OUT": tmp_path / "sink_unseen.gpkg"}
    run("linxia_tianguan:patrol_coverage", {**params, **{k: str(v) for k, v in fast.items()}})
    run("linxia_tianguan:patrol_coverage", {
        **params, **{k: f"ogr:dbname='{v}' table=\"{v.stem}\" (geom)" for k, v in slow.items()}})
    for key in fast:
        a, b = read(str(fast[key])), read(str(slow[key]))
        assert len(a["fid"]) > 0 and a.keys() == b.keys()
        for name in a:
            if name == "geom":
                assert [shapely.to_wkb(g) for g in a[name]] == [shapely.to_wkb(g) for g in b[name]]
            else:
                assert list(a[name]) == list(b[name]), name
        facts, sink_facts = _gpkg_layer_facts(fast[key], fast[key].stem), _gpkg_layer_facts(slow[key], slow[key].stem)
        assert facts["integrity"] == "ok" and [r[:1] for r in facts["rtree"]] == facts["fids"] == sink_facts["fids"]
        assert facts["aliases"] and dict(facts["aliases"])["KJM"]
        assert (facts["by_ogr"], sink_facts["by_ogr"]) == (0, 1)  # one written with SQL, the other by OGR
        for name in ("columns", "geometry", "application_id", "aliases", "contents", "rtree"):
            assert facts[name] == sink_facts[name], name
    assert len(read(str(fast["UNSEEN_OUT"]))["fid"]) < len(read(str(fast["PARCELS_OUT"]))["fid"])


def test_staged_export_refuses_a_code_no_longer_active_and_leaves_no_file(analysed, tmp_path):
    """The SQL writer joins the staged rows to the active codes: one retired meanwhile stops it, and the
    partial file is removed."""
    import shutil
    import sqlite3

    from linxia_tianguan_plugin.storage.export import Column, Staged, export_active
    from linxia_tianguan_plugin.storage.grid import CodesChangedError, coded_parcel_table

    def gpkg_rows(path: Path, sql: str) -> list:
        conn = sqlite3.connect(str(path))
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    copy = tmp_path / "tianguan.gpkg"
    shutil.copy(analysed["store"], copy)
    store = GpkgStore(copy, create=False)
    try:
        codes = [str(c) for c in coded_parcel_table(store)["code"][:5]]
        columns = [Column("KJM", "TEXT(20)", "s.code"), Column("SFXJ", "TEXT(2)", 's."SFXJ"')]
        ok = tmp_path / "ok.gpkg"
        assert export_active(store, ok, "ok", columns, staged=Staged([("SFXJ", "TEXT")],
                                                                     [(c, "是") for c in codes])) == 5
        assert list(read(str(ok))["KJM"]) == codes
        assert [r[0] for r in gpkg_rows(ok, "SELECT id FROM rtree_ok_geom ORDER BY id")] == [1, 2, 3, 4, 5]
        with store.transaction() as conn:
            conn.execute("UPDATE tg_space_code SET status = 'retired' WHERE code = ?", (codes[2],))
        bad = tmp_path / "bad.gpkg"
        with pytest.raises(CodesChangedError):
            export_active(store, bad, "bad", columns, staged=Staged([("SFXJ", "TEXT")], [(c, "是") for c in codes]))
        assert not bad.exists() and not list(tmp_path.glob(".bad.gpkg*"))
    finally:
        store.close()


def test_a_run_failing_after_its_parcel_copy_started_leaves_no_layer_and_the_store_as_it_was(
        analysed, tmp_path, monkeypatch):
    """The parcel layers are copied from the store in a thread while the run writes the store: when a store write
    fails, the copy is waited for and removed (no parcels.gpkg, no hidden pending file), and the store's tracks keep
    their coverage as it was."""
    import shutil
    import sqlite3

    from linxia_tianguan_plugin.storage import tracks as track_store

    copy = tmp_path / "tianguan.gpkg"
    shutil.copy(analysed["store"], copy)
    store = GpkgStore(copy, create=False)
    with store.transaction() as conn:
        conn.execute("UPDATE tg_track SET coverage = NULL")
    store.close()

    def full_disk(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(track_store, "save_coverage", full_disk)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Exception):  # noqa: B017 (the algorithm words the fault; the files are what is checked)
        run("linxia_tianguan:patrol_coverage", {
            "STORE": str(copy), "START": WEEK[0], "END": WEEK[1], "PARCELS_OUT": str(out / "parcels.gpkg"),
            "UNSEEN_OUT": str(out / "unseen.gpkg")})
    assert sorted(p.name for p in out.iterdir()) == []
    conn = sqlite3.connect(str(copy))
    assert conn.execute("SELECT count(*) FROM tg_track WHERE coverage IS NOT NULL").fetchone()[0] == 0
    conn.close()


def test_a_run_stopping_mid_analysis_stops_its_layer_writers_and_leaves_no_file(analysed, tmp_path, monkeypatch):
    """The parcel layers are written township by township while the analysis runs: a run that stops half-way (a
    township failing here; a cancel works alike) stops the writers and removes what they wrote."""
    from linxia_tianguan_plugin.core.patrol import coverage as kernel

    cover = kernel.cover_chunk
    seen = []

    def failing(task):
        seen.append(task.key)
        if len(seen) == 3:
            raise MemoryError("out of memory in the third township")
        return cover(task)

    monkeypatch.setattr(kernel, "cover_chunk", failing)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Exception):  # noqa: B017 (what is checked is what is left on disk)
        run("linxia_tianguan:patrol_coverage", {
            "STORE": str(analysed["store"]), "START": WEEK[0], "END": WEEK[1],
            "PARCELS_OUT": str(out / "parcels.gpkg"), "UNSEEN_OUT": str(out / "unseen.gpkg")})
    assert len(seen) == 3
    assert sorted(p.name for p in out.iterdir()) == []


def test_a_file_made_meanwhile_at_the_layers_path_is_left_alone_with_a_message(analysed, tmp_path, monkeypatch):
    """The parcel layer is written under a hidden name and put in place at the end: a file another program made at
    its path meanwhile is never replaced — the run says so (no traceback) and leaves no hidden copy."""
    import shutil

    from qgis.core import QgsProcessingException

    from linxia_tianguan_plugin.storage import tracks as track_store

    copy = tmp_path / "tianguan.gpkg"
    shutil.copy(analysed["store"], copy)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "parcels.gpkg"
    save = track_store.save_coverage

    def and_someone_writes(*args, **kwargs):
        target.write_bytes(b"another program's file")
        return save(*args, **kwargs)

    monkeypatch.setattr(track_store, "save_coverage", and_someone_writes)
    with pytest.raises(QgsProcessingException) as raised:
        run("linxia_tianguan:patrol_coverage", {"STORE": str(copy), "START": WEEK[0], "END": WEEK[1],
                                                 "PARCELS_OUT": str(target)})
    assert str(target) in str(raised.value) and "Traceback" not in str(raised.value)
    assert target.read_bytes() == b"another program's file"
    assert sorted(p.name for p in out.iterdir()) == ["parcels.gpkg"]
