"""Tests of the sample-county generator (tools.samplegen) on a small sample (size 2 000).

Every property is checked by reading the written files back (OGR, shapely, csv, openpyxl, XML),
not by trusting the generator's own bookkeeping.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
import shapely
from osgeo import gdal, ogr

from tools.samplegen import generate

SIZE = 2000
SEED = 20241028
FARM = ("0102", "0103")
GPX_NS = {"g": "http://www.topografix.com/GPX/1/1"}


def read_layer(path: Path, name: str) -> list[tuple[int, dict, bytes]]:
    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName(name)
    out = [(f.GetFID(), f.items(), bytes(f.GetGeometryRef().ExportToWkb())) for f in lyr]
    ds = None
    return out


def geoms(rows: list[tuple[int, dict, bytes]]) -> np.ndarray:
    return shapely.from_wkb([r[2] for r in rows])


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("s1") / "sample"
    generate(out, size=SIZE, seed=SEED, workers=2)
    return out


@pytest.fixture(scope="module")
def manifest(sample) -> dict:
    return json.loads((sample / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def layers(sample) -> dict[str, list]:
    gpkg = sample / "sample_county.gpkg"
    return {
        n: read_layer(gpkg, n)
        for n in ("XZQ", "CJDCQ", "DLTB", "YJJBNTTB", "DK", "DLTB_2025", "PZYD", "SSNYDBA", "LSYD")
    }


def test_same_seed_gives_identical_layers(sample, tmp_path):
    again = tmp_path / "again"
    generate(again, size=SIZE, seed=SEED, workers=1)  # other worker count, same result
    a, b = sample / "sample_county.gpkg", again / "sample_county.gpkg"
    ds = ogr.Open(str(a))
    names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
    ds = None
    assert len(names) == 10
    ca, cb = sqlite3.connect(a), sqlite3.connect(b)
    for n in names:  # whole rows: fid, every attribute and the geometry blob
        rows = ca.execute(f'SELECT * FROM "{n}" ORDER BY fid').fetchall()
        assert rows and rows == cb.execute(f'SELECT * FROM "{n}" ORDER BY fid').fetchall(), n
    ca.close()
    cb.close()
    ga = sorted(p.relative_to(sample) for p in (sample / "tracks").rglob("*.gpx"))
    gb = sorted(p.relative_to(again) for p in (again / "tracks").rglob("*.gpx"))
    assert ga == gb and ga
    assert all((sample / p).read_bytes() == (again / p).read_bytes() for p in ga)
    assert (sample / "roster.csv").read_bytes() == (again / "roster.csv").read_bytes()


def test_sample_matches_the_reference_digest(sample):
    """The small sample is bit for bit the one checked in (resources/sample/reference_digest.json): its
    digest covers every layer's attributes and WKB, the roster, the GPX tracks and the manifest, and does
    not depend on the numpy version (tools/samplegen/digest.py says what it hashes and how to update it)."""
    from tools.samplegen.digest import REFERENCE_PARAMS, compare, digest, load_reference

    got = digest(sample)
    assert got["params"] == REFERENCE_PARAMS
    diffs = compare(got, load_reference())
    assert not diffs, (
        "the generated sample differs from the reference digest: " + "; ".join(diffs) + ". If the generator's "
        "output changed on purpose: python -m tools.samplegen --out /tmp/ref --size 2000 --seed 20241028 && "
        "python -m tools.samplegen.digest /tmp/ref --write"
    )


def test_fmath_agrees_with_the_numpy_functions_it_replaced():
    """tools.samplegen.fmath replaces numpy's SIMD-dispatched transcendental functions (whose last bits differ
    between numpy 1.x and 2.x and between CPUs): same values to ~1e-12, scalars in give floats out."""
    from tools.samplegen import fmath as fm

    g = np.random.default_rng(7)
    x = np.concatenate([g.uniform(-7.0, 7.0, 5000), g.normal(0.0, 1e3, 500), [0.0, -0.0, 1.0, -1.0, np.pi]])
    y = g.uniform(-5e3, 5e3, len(x))
    pos = np.concatenate([np.abs(x), [1e-9, 4.0, 4000.0]])
    close = dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fm.sin(x), np.sin(x), **close)
    np.testing.assert_allclose(fm.cos(x), np.cos(x), **close)
    np.testing.assert_allclose(fm.atan(x), np.arctan(x), **close)
    np.testing.assert_allclose(fm.atan2(y, x), np.arctan2(y, x), **close)
    np.testing.assert_allclose(fm.atan2(x[:, None], y[:7]), np.arctan2(x[:, None], y[:7]), **close)  # broadcast
    np.testing.assert_allclose(fm.hypot(x, y), np.hypot(x, y), **close)
    np.testing.assert_allclose(fm.degrees(x), np.degrees(x), **close)
    with np.errstate(divide="ignore"):  # 0 ** -0.2 is inf for both
        for p in (0.8, -0.2, 2.0):
            np.testing.assert_allclose(fm.power(pos, p), pos**p, **close)
    two_d = g.uniform(-1e3, 1e3, (40, 2))
    np.testing.assert_allclose(fm.hypot(*two_d.T), np.hypot(*two_d.T), **close)
    for f, ref, args in (
        (fm.sin, np.sin, (0.7,)),
        (fm.cos, np.cos, (0.7,)),
        (fm.atan, np.arctan, (0.7,)),
        (fm.atan2, np.arctan2, (0.3, -0.7)),
        (fm.hypot, np.hypot, (3.0, 4.0)),
        (fm.hypot, np.hypot, (np.float64(3.0), np.float64(4.0))),
        (fm.degrees, np.degrees, (0.7,)),
    ):
        got = f(*args)
        assert type(got) is float and abs(got - float(ref(*args))) <= 1e-12 * max(1.0, abs(got))
    assert fm.unit(0.5).tolist() == pytest.approx([np.cos(0.5), np.sin(0.5)], rel=1e-12)
    # the 1 mm grid: within half a millimetre, and on the grid (k / 1000 to the nearest double)
    xy = np.column_stack([34_500_000.0 + g.uniform(0, 2e5, 1000), 3_800_000.0 + g.uniform(0, 2e5, 1000)])
    s = fm.snap(xy)
    assert np.all(np.abs(s - xy) <= 0.0005 + 1e-8)
    assert np.array_equal(s, np.round(s * 1000.0) / 1000.0)


def test_generator_calls_no_numpy_transcendental_function():
    """Every sin/cos/atan/pow/exp/log/hypot of the generator goes through tools.samplegen.fmath."""
    pat = re.compile(
        r"\bnp\.(sin|cos|tan|arcsin|arccos|arctan|arctan2|hypot|exp|exp2|expm1|log|log2|log10|log1p|power|"
        r"float_power|cbrt|sinh|cosh|tanh|deg2rad|rad2deg)\b"
    )
    root = Path(__file__).resolve().parents[1] / "tools" / "samplegen"
    found = []
    for path in sorted(root.glob("*.py")):
        if path.name == "fmath.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if pat.search(code):
                found.append(f"{path.name}:{n}: {line.strip()}")
    assert not found, found


def test_manifest_matches_files(sample, manifest, layers):
    assert manifest["crs"] == "EPSG:4522" and manifest["seed"] == SEED and manifest["counties"] == ["622921"]
    for n, rows in layers.items():
        assert manifest["layers"][n] == len(rows)
    assert abs(len(layers["DK"]) - SIZE) <= 0.05 * SIZE
    for f in manifest["files"]:
        assert (sample / f).exists(), f
    assert not list(sample.parent.glob(".sample.partial-*"))
    ds = ogr.Open(str(sample / "sample_county.gpkg"))
    for i in range(ds.GetLayerCount()):
        lyr = ds.GetLayer(i)
        assert lyr.GetSpatialRef().GetAuthorityCode(None) == "4522"
        rtree = ds.ExecuteSQL(f"SELECT HasSpatialIndex('{lyr.GetName()}', 'geom')")
        assert rtree.GetNextFeature().GetField(0) == 1
        ds.ReleaseResultSet(rtree)
    ds = None


def test_coordinates_are_realistic_for_linxia(layers):
    x0, y0, x1, y1 = shapely.union_all(geoms(layers["XZQ"])).bounds
    assert 34_500_000 < x0 < x1 < 34_700_000
    assert 3_880_000 < y0 < y1 < 4_000_000


def test_townships_and_villages_tile_the_county(layers):
    x, c = geoms(layers["XZQ"]), geoms(layers["CJDCQ"])
    assert len(x) == 25 and shapely.is_valid(x).all() and shapely.is_valid(c).all()
    county = shapely.union_all(x)
    assert county.geom_type == "Polygon" and len(county.interiors) == 0
    area = county.area
    assert abs(shapely.area(x).sum() - area) < 1e-6 * area  # no overlaps
    assert abs(shapely.area(c).sum() - area) < 1e-6 * area
    assert shapely.symmetric_difference(shapely.union_all(c), county).area < 1e-6 * area
    towns = {r[1]["XZQDM"][:9]: g for r, g in zip(layers["XZQ"], x)}
    for r, g in zip(layers["CJDCQ"], c):
        code = r[1]["ZLDWDM"]
        assert shapely.within(g, towns[code[:9]]), code  # nested by code and geometry


def test_dltb_tiles_every_village(layers):
    tb = layers["DLTB"]
    g = geoms(tb)
    assert shapely.is_valid(g).all()
    by_v: dict[str, list] = {}
    for r, p in zip(tb, g):
        by_v.setdefault(r[1]["ZLDWDM"], []).append(p)
    for r, v in zip(layers["CJDCQ"], geoms(layers["CJDCQ"])):
        parts = by_v[r[1]["ZLDWDM"]]
        assert abs(sum(p.area for p in parts) - v.area) < 1e-6 * v.area
        assert shapely.symmetric_difference(shapely.union_all(parts), v).area < 1e-6 * v.area


def test_codes_are_well_formed(layers):
    towns = {r[1]["XZQDM"] for r in layers["XZQ"]}
    assert all(re.fullmatch(r"622921\d{3}000", t) for t in towns)
    villages = set()
    for r in layers["CJDCQ"]:
        z = r[1]["ZLDWDM"]
        assert re.fullmatch(r"\d{12}0{7}", z) and z[:9] + "000" in towns
        n = int(z[9:12])
        assert 1 <= n <= 99 or 201 <= n <= 399
        assert r[1]["ZLDWMC"].endswith(("村", "社区"))
        villages.add(z[:12])
    assert any(int(v[9:12]) < 100 for v in villages) and any(int(v[9:12]) >= 201 for v in villages)
    for r in layers["DLTB"]:
        a = r[1]
        assert a["ZLDWDM"][:12] in villages and a["QSDWDM"][:12] == a["ZLDWDM"][:12]
        assert len(a["QSDWDM"]) == 19 and len(a["BSM"]) == 18 and a["SJNF"] == 2024
        if a["DLBM"] in FARM:
            assert a["QSXZ"] == "30" and a["QSDWDM"][14:] == "00000" and a["QSDWDM"][12:14] != "00"
    assert len({r[1]["BSM"] for r in layers["DLTB"]}) == len(layers["DLTB"])
    dkbm = []
    for r in layers["DK"]:
        a = r[1]
        assert re.fullmatch(r"\d{19}", a["DKBM"]) and a["DKBM"][:14] == a["FBFBM"]
        assert re.fullmatch(r"\d{18}", a["CBFBM"]) and a["CBFBM"].startswith(a["FBFBM"])
        assert a["FBFBM"][:12] in villages
        dkbm.append(a["DKBM"])
    assert len(set(dkbm)) == len(dkbm)  # 0 duplicates by default


def test_areas_are_consistent(layers):
    terraced = Counter()
    for r, g in zip(layers["DLTB"], geoms(layers["DLTB"])):
        a = r[1]
        assert abs(a["TBMJ"] - g.area) <= 0.006
        assert abs(a["KCMJ"] - round(a["TBMJ"] * a["KCXS"], 2)) <= 0.006
        assert abs(a["TBDLMJ"] - (a["TBMJ"] - a["KCMJ"])) <= 0.006
        if a["DLBM"] == "0103":
            assert a["KCDLBM"] == "1203" and 0 < a["KCXS"] <= 0.2 and a["GDLX"] in ("TT", "PD")
            assert a["ZZSXDM"] in ("LS", "FLS") and a["GDPDJB"] in ("2", "3", "4", "5")
            terraced[a["GDLX"] == "TT" and 0.08 <= a["KCXS"] and a["GDPDJB"] in ("3", "4", "5")] += a["TBMJ"]
        elif a["DLBM"] not in FARM:
            assert a["KCXS"] == 0 and a["GDLX"] == "" and a["ZZSXDM"] == ""
    assert terraced[True] > 0.8 * (terraced[True] + terraced[False])  # mostly terraces, GDPDJB 3–5
    for r in layers["DK"]:
        a = r[1]
        assert abs(a["SCMJM"] - a["SCMJ"] * 0.0015) <= 0.006
    share = Counter(r[1]["DLBM"] for r in layers["DLTB"])
    assert share.most_common(1)[0][0] in ("0103", "0404")
    assert {"0102", "0103", "0201", "0301", "0404", "0702", "1006", "1003", "1101", "1202"} <= set(share)


def test_contract_parcels_lie_within_farmland_tuban(layers, manifest):
    farm = [g for r, g in zip(layers["DLTB"], geoms(layers["DLTB"])) if r[1]["DLBM"] in FARM]
    dk = geoms(layers["DK"])
    fids = np.array([r[0] for r in layers["DK"]])
    valid = np.flatnonzero(shapely.is_valid(dk))  # GEOS predicates may throw on the invalid ones
    pi, _ = shapely.STRtree(farm).query(dk[valid], predicate="within")
    inside = np.zeros(len(dk), bool)
    inside[valid] = np.bincount(pi, minlength=len(valid)) == 1
    assert inside.mean() > 0.85
    crossing = {c["fid"] for c in manifest["crossing_parcels"]}
    assert crossing and {c["kind"] for c in manifest["crossing_parcels"]} == {"crosses_tb", "crosses_village"}
    assert not crossing & set(fids[inside].tolist())
    explained = crossing | {d["fid"] for d in manifest["defects"]}
    assert set(fids[~inside].tolist()) <= explained
    areas = shapely.area(dk)
    assert 0.03e4 < np.median(areas) < 0.3e4


def test_injected_defects(layers, manifest):
    dk = {r[0]: g for r, g in zip(layers["DK"], geoms(layers["DK"]))}
    invalid = {f for f, g in dk.items() if not g.is_valid}
    kinds = Counter(d["kind"] for d in manifest["defects"])
    assert kinds == Counter({"bowtie": 1, "self_touch": 1, "spike": 1, "overlap": 2})
    assert invalid == {d["fid"] for d in manifest["defects"] if d["kind"] in ("bowtie", "self_touch", "spike")}
    for d in manifest["defects"]:
        if d["kind"] == "overlap":
            assert shapely.intersection(dk[d["fid"]], dk[d["other_fid"]]).area > 1.0


def test_unassigned_farmland_exists(layers, manifest):
    un = manifest["unassigned_farmland"]
    assert {u["kind"] for u in un} == {"whole_tuban", "end_block"}
    dk = geoms(layers["DK"])
    tree = shapely.STRtree(dk)
    tb = {r[1]["BSM"]: g for r, g in zip(layers["DLTB"], geoms(layers["DLTB"]))}
    for u in un:
        if u["kind"] == "whole_tuban":
            hit = tree.query(tb[u["tb_bsm"]], predicate="intersects")
            assert shapely.area(shapely.intersection(dk[hit], tb[u["tb_bsm"]])).sum() < 1.0
        else:
            assert u["area"] > 0


def test_yjjbnt_covers_most_farmland(layers):
    farm = shapely.union_all([g for r, g in zip(layers["DLTB"], geoms(layers["DLTB"])) if r[1]["DLBM"] in FARM])
    y = geoms(layers["YJJBNTTB"])
    assert all(r[1]["DLBM"] in FARM for r in layers["YJJBNTTB"])
    share = shapely.area(y).sum() / farm.area
    assert 0.7 <= share <= 0.9
    outside = shapely.difference(shapely.union_all(y), farm).area
    assert outside < 0.01 * shapely.area(y).sum()  # only the few shifted ones
    sfj = Counter(r[1]["SFJBNT"] for r in layers["DK"])
    assert sfj["1"] > sfj["2"] > 0


def test_dltb_2025_differs_only_where_the_manifest_says(layers, manifest):
    old = {r[1]["BSM"]: (r[1], r[2]) for r in layers["DLTB"]}
    new = {}
    for r in layers["DLTB_2025"]:
        assert r[1]["SJNF"] == 2025
        new.setdefault(r[1]["BSM"], []).append((r[1], r[2]))
    changed = set(manifest["dltb_2025"]["changed_bsm_2024"])
    created = set(manifest["dltb_2025"]["new_bsm"])
    assert changed and created and not changed & created
    for bsm, (a, wkb) in old.items():
        if bsm in changed:
            continue
        [(b, wkb2)] = new[bsm]
        assert wkb2 == wkb and {**a, "SJNF": 2025} == b, bsm
    assert set(new) == (set(old) | created) - {c["bsm_2024"] for c in manifest["changes"] if c["bsm_2024"] not in new}
    kinds = Counter(c["kind"] for c in manifest["changes"])
    assert {
        "homestead_0702",
        "shed_1202",
        "road_1006",
        "road_1003",
        "orchard_0201",
        "forest_0301",
        "grass_0404",
        "pond_1104A",
        "fls",
    } <= set(kinds)
    geom25 = {r[0]: shapely.from_wkb(r[2]) for r in layers["DLTB_2025"]}
    by_fid = {r[0]: r[1] for r in layers["DLTB_2025"]}
    for c in manifest["changes"]:
        a = by_fid[c["dltb_2025_fid"]]
        assert a["BSM"] == c["bsm_2025"] and a["DLBM"] == c["to_dlbm"]
        assert abs(geom25[c["dltb_2025_fid"]].area - c["area"]) < 0.01
        assert c["from_dlbm"] in FARM
    total = lambda rows: sum(shapely.area(geoms(rows)))  # noqa: E731
    assert abs(total(layers["DLTB_2025"]) - total(layers["DLTB"])) < 1e-6 * total(layers["DLTB"])


def test_approvals_agree_with_the_ground_truth(layers, manifest):
    appr = {}
    for layer, key in (("PZYD", "PZWH"), ("SSNYDBA", "BAH"), ("LSYD", "PZWH")):
        for r in layers[layer]:
            appr[(layer, r[1][key])] = shapely.from_wkb(r[2])
    geom25 = {r[0]: shapely.from_wkb(r[2]) for r in layers["DLTB_2025"]}
    seen = set()
    for c in manifest["changes"]:
        if c["approval"]:
            poly = appr[(c["approval"]["layer"], c["approval"]["id"])]
            assert shapely.contains(poly, geom25[c["dltb_2025_fid"]]) == c["inside_approved"]
            seen.add(c["inside_approved"])
        else:
            assert not c["inside_approved"]
    assert True in seen


def test_shapefiles_are_gbk(sample, layers):
    shp = sample / "shp"
    for name in ("XZQ", "CJDCQ", "DLTB", "YJJBNTTB"):
        assert (shp / f"{name}.cpg").read_text().strip().upper() in ("GBK", "936", "CP936")
        raw = (shp / f"{name}.dbf").read_bytes()
        header_len = int.from_bytes(raw[8:10], "little")
        body = raw[header_len:].rstrip(b"\x1a")  # the records, without header
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        text = body.decode("gbk")
        assert ("村" if name != "XZQ" else "镇") in text
    # read with the encoding the .cpg declares (QGIS disables OGR's own recoding process-wide)
    cpg = (shp / "CJDCQ.cpg").read_text().strip()
    ds = gdal.OpenEx(str(shp / "CJDCQ.shp"), gdal.OF_VECTOR, open_options=[f"ENCODING={cpg}"])
    lyr = ds.GetLayer(0)
    got = sorted((f["ZLDWDM"], f["ZLDWMC"]) for f in lyr)
    ds = None
    assert got == sorted((r[1]["ZLDWDM"], r[1]["ZLDWMC"]) for r in layers["CJDCQ"])


def test_gpx_tracks(sample, manifest):
    tr = manifest["tracks"]
    week0 = datetime(2025, 6, 9, tzinfo=timezone(timedelta(hours=8)))
    week1 = week0 + timedelta(days=7)
    kinds = Counter(s["kind"] for s in tr["scenarios"])
    assert kinds["good"] > kinds["driveby"] > 0 and kinds["missing"] > 0 and kinds["replay"] == 1
    for rel, kind in tr["files"].items():
        m = re.fullmatch(r"tracks/(previous_week/)?(\d{14})_(\d{8})\.gpx", rel)
        assert m, rel
        root = ET.parse(sample / rel).getroot()
        assert root.get("version") == "1.1"
        assert root.find("g:metadata/g:desc", GPX_NS).text == m.group(2)
        assert root.find("g:metadata/g:author/g:name", GPX_NS).text
        times = [t.text for t in root.iterfind(".//g:trkpt/g:time", GPX_NS)]
        assert times and all(t.endswith("Z") for t in times)
        ts = [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in times]
        if kind != "previous_week":
            assert week0 <= ts[0] and ts[-1] < week1
            assert ts[0].astimezone(week0.tzinfo).strftime("%Y%m%d") == m.group(3)
        if kind == "good":
            pts = [(float(p.get("lon")), float(p.get("lat"))) for p in root.iterfind(".//g:trkpt", GPX_NS)]
            assert 102.5 < pts[0][0] < 104 and 35 < pts[0][1] < 36.2
            dur = (ts[-1] - ts[0]).total_seconds()
            assert 3000 <= dur <= 7300
    rep = next(s for s in tr["scenarios"] if s["kind"] == "replay")

    def points(rel: str) -> list[tuple[str, str]]:
        return [(q.get("lat"), q.get("lon")) for q in ET.parse(sample / rel).getroot().iterfind(".//g:trkpt", GPX_NS)]

    assert points(rep["files"][0]) == points(rep["source"])


def test_roster_has_one_officer_per_grid(sample, manifest, layers):
    with open(sample / "roster.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert (sample / "roster.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    with open(sample / "roster_gbk.csv", encoding="gbk", newline="") as fh:
        assert list(csv.DictReader(fh)) == rows
    from openpyxl import load_workbook

    ws = load_workbook(sample / "roster.xlsx", read_only=True).active
    xl = [[("" if c is None else str(c)) for c in r] for r in ws.iter_rows(values_only=True)]
    assert xl[0] == list(rows[0].keys()) and xl[1:] == [list(r.values()) for r in rows]
    assert list(rows[0]) == ["层级", "网格编码", "网格名称", "姓名", "角色", "职务", "电话", "是否空缺"]
    lens = {"州": 4, "县": 6, "乡": 9, "村": 12, "社": 14}
    main = Counter((r["层级"], r["网格编码"]) for r in rows if r["角色"] == "田管员")
    assert set(main.values()) == {1}
    helpers = Counter(r["层级"] for r in rows if r["角色"] == "助理田管员")
    assert helpers == Counter({"州": 1, "县": 1, "乡": 25})
    for r in rows:
        assert len(r["网格编码"]) == lens[r["层级"]]
        if r["是否空缺"] == "否":
            assert re.fullmatch(r"1\d{10}", r["电话"]) and r["姓名"]
        else:
            assert r["是否空缺"] == "是" and not r["姓名"]
    groups = {r[1]["FBFBM"] for r in layers["DK"]}
    she = {r["网格编码"] for r in rows if r["层级"] == "社"}
    assert groups <= she
    assert {r["网格编码"] for r in rows if r["层级"] == "村"} == {r[1]["ZLDWDM"][:12] for r in layers["CJDCQ"]}
    assert sum(r["是否空缺"] == "是" for r in rows) == len(manifest["roster"]["vacancies"]) > 0


def test_recipe_overrides_and_refusals(tmp_path):
    from tools.samplegen.recipe import load_recipe, parse_override

    key, val = parse_override("defects.duplicate_dkbm=2")
    assert load_recipe({key: val})["defects"]["duplicate_dkbm"] == 2
    with pytest.raises(ValueError):
        load_recipe({"defects.no_such_knob": 1})
    with pytest.raises(ValueError, match="too small"):
        generate(tmp_path / "tiny", size=500, counties=["all"])
    with pytest.raises(ValueError):
        generate(tmp_path / "bad", size=2000, counties=["629999"])
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind
