"""导入视频告警: alarm files written as Excel and the platforms write them (GBK CSV with a title row and Excel serial
times, UTF-8 with BOM, JSON / GeoJSON, a workbook) become one case per alarm in 待下发 on the right parcel, with the
snapshot as evidence (SHA-256); hostile rows are refused with their row and column; importing again adds nothing."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

from linxia_tianguan_plugin.core.cases import video
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage.cases import cases
from linxia_tianguan_plugin.storage.evidence import evidence_for, evidence_path
from linxia_tianguan_plugin.storage.grid import coded_parcels
from tests.helpers import read, run

ALG = "linxia_tianguan:import_video_alarms"
NOW = dt.datetime(2026, 3, 18, 2, 0, tzinfo=dt.timezone.utc).timestamp()
#: 2025-06-20 09:30:00 Beijing time as Excel stores it (days since 1899-12-30)
SERIAL = "45828.395833333336"
HEADER_ZH = ["摄像头编号", "告警时间", "告警类型", "经度", "纬度", "摄像头经度", "摄像头纬度", "方位角", "抓拍图片"]


def _rows(*cells) -> list[tuple[int, list]]:
    return [(i + 2, list(c)) for i, c in enumerate(cells)]


# ---------------------------------------------------------------------------------------------- rules
def test_hostile_rows_are_refused_naming_row_and_column():
    good = ["C1", "2025-06-20 09:30:00", "非农化", "103.2", "35.6", "", "", "", ""]
    rows = _rows(
        good,
        ["", "2025-06-20 09:30:00", "非农化", "103.2", "35.6", "", "", "", ""],      # 3 no camera
        ["C2", "昨天", "非农化", "103.2", "35.6", "", "", "", ""],                  # 4 unreadable time
        ["C2", "1970-01-01 08:00", "非农化", "103.2", "35.6", "", "", "", ""],       # 5 reset clock
        ["C2", "2027-01-01 08:00", "非农化", "103.2", "35.6", "", "", "", ""],       # 6 future
        ["C2", "2025-06-20 09:31", "违章建筑x", "103.2", "35.6", "", "", "", ""],     # 7 category
        ["C2", "2025-06-20 09:32", "撂荒", "35.6", "103.2", "", "", "", ""],         # 8 swapped
        ["C2", "2025-06-20 09:33", "撂荒", "34512345.1", "3950000", "", "", "", ""],  # 9 projected
        ["C2", "2025-06-20 09:34", "撂荒", "103.2", "", "", "", "", ""],             # 10 half
        ["C2", "2025-06-20 09:35", "撂荒", "", "", "103.2", "35.6", "400", ""],      # 11 bearing
        ["C2", "2025-06-20 09:36", "撂荒", "", "", "", "", "", ""],                  # 12 no position
        ["C2", "2025-06-20 09:37", "撂荒", "abc", "35.6", "", "", "", ""],           # 13 not a number
        ["C1", "2025/6/20 9:30", "非粮化", "103.3", "35.7", "", "", "", ""],         # 14 repeat of row 2
        ["<script>", "2025-06-20T01:38:00Z", "其他", "103.2", "35.6", "", "", "", "../../etc/passwd"],  # 15 kept
    )
    alarms, problems = video.parse_rows(HEADER_ZH, rows, now=NOW)
    refused = {(p.row, p.column, p.code) for p in problems if p.severity == "error"}
    assert refused == {(3, "摄像头编号", "no_camera"), (4, "告警时间", "bad_time"), (5, "告警时间", "early_time"),
                       (6, "告警时间", "future_time"), (7, "告警类型", "bad_category"), (8, "经度", "swapped"),
                       (9, "经度", "not_degrees"), (10, "纬度", "half_position"), (11, "方位角", "bad_bearing"),
                       (12, "经度", "no_position"), (13, "经度", "not_a_number")}
    assert [(p.row, p.code, p.severity) for p in problems if p.severity == "warning"] == [(14, "repeated", "warning")]
    for p in problems:
        assert f"Row {p.row}" in p.message and p.column in p.message
    assert [a.row for a in alarms] == [2, 15]
    assert alarms[1].camera_id == "<script>" and alarms[1].time_utc == "2025-06-20T01:38:00Z"


def test_a_file_without_the_needed_columns_says_which():
    with pytest.raises(video.VideoFileError, match="category"):
        video.parse_rows(["摄像头编号", "告警时间", "经度", "纬度"], [], now=NOW)
    with pytest.raises(video.VideoFileError, match="camera_lon"):
        video.parse_rows(["camera_id", "time", "category"], [], now=NOW)


def test_excel_serial_and_written_times_are_the_same_alarm():
    header = ["camera_id", "time", "category", "lon", "lat"]
    a = video.parse_rows(header, _rows(["C1", SERIAL, "挖湖", 103.2, 35.6]), now=NOW)[0][0]
    b = video.parse_rows(header, _rows(["C1", "2025年6月20日 9时30分", "其他", 103.3, 35.7]), now=NOW)[0][0]
    assert a.time_utc == "2025-06-20T01:30:00Z" and a.key == b.key and a.kind == "waterscape"


def test_an_alarm_without_position_is_placed_along_the_bearing():
    header = ["camera_id", "time", "category", "camera_lon", "camera_lat", "bearing"]
    alarms, _ = video.parse_rows(header, _rows(["C1", "2025-06-20 09:30", "非农化", 103.2, 35.6, 45]),
                                 distance_m=250, now=NOW)
    a = alarms[0]
    assert a.placed_from_bearing
    az, _, dist = Geod(ellps="GRS80").inv(103.2, 35.6, a.lon, a.lat)
    assert dist == pytest.approx(250, abs=0.01) and az == pytest.approx(45, abs=1e-6)


def test_category_mapping_covers_the_change_kinds():
    from linxia_tianguan_plugin.core.cases.prejudge import KINDS

    assert {video.CATEGORY_KINDS[c] for c in ("非农化", "非粮化", "撂荒", "挖湖", "其他")} == {
        "nonagri", "nongrain", "abandoned", "waterscape", "other"}
    assert set(video.CATEGORY_KINDS.values()) <= set(KINDS)


def test_points_match_the_parcel_under_or_nearest_within_tolerance():
    parcels = [shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10), shapely.box(100, 100, 110, 110)]
    wkb, codes = shapely.to_wkb(parcels), np.array(["B", "A", "C"], dtype=object)
    points = shapely.points([(5, 5), (10, 5), (50, 50), (115, 105)])
    index, dist = video.match_parcels(points, wkb, codes, 10.0)
    assert index.tolist() == [0, 1, -1, 2]  # on the shared edge: the lowest code
    assert dist[0] == 0 and math.isnan(dist[2]) and dist[3] == pytest.approx(5)


def test_a_camera_watches_the_parcels_in_its_sector():
    parcels = [shapely.box(-5, 50, 5, 60), shapely.box(50, -5, 60, 5), shapely.box(-5, -60, 5, -50)]
    sector = video.view_sector(0, 0, 0, 100, 60)
    assert video.watched_codes([sector], shapely.to_wkb(parcels), ["N", "E", "S"]) == [["N"]]
    east = video.view_sector(0, 0, 90, 100, 60)
    assert video.watched_codes([east], shapely.to_wkb(parcels), ["N", "E", "S"]) == [["E"]]


# ---------------------------------------------------------------------------------------------- the algorithm
def _jpeg(path, colour) -> bytes:
    from qgis.PyQt.QtGui import QColor, QImage

    image = QImage(32, 24, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path), "JPG")
    return path.read_bytes()


@pytest.fixture
def desk(filled_copy, processing_registry):
    """The writable filled store and three coded parcels' inner points in lon/lat."""
    with contextlib.closing(GpkgStore(str(filled_copy))) as store:
        codes, wkb, _, _ = coded_parcels(store)
        epsg = store.srs_id
    geoms = shapely.from_wkb(wkb)
    order = np.argsort(codes)
    picks = [int(order[k]) for k in (0, len(order) // 2, len(order) - 1)]
    to_lonlat = Transformer.from_crs(epsg, 4490, always_xy=True)
    points = []
    for i in picks:
        p = shapely.point_on_surface(geoms[i])
        points.append(to_lonlat.transform(float(shapely.get_x(p)), float(shapely.get_y(p))))
    return {"store": filled_copy, "codes": [str(codes[i]) for i in picks], "lonlat": points, "epsg": epsg}


def _video_cases(path) -> dict:
    with contextlib.closing(GpkgStore(str(path))) as store:
        return {c["case_id"]: c for c in cases(store) if c["source"] == "video"}


def _gbk_csv(desk, folder) -> tuple:
    folder.mkdir(parents=True, exist_ok=True)
    photo = _jpeg(folder / "抓拍1.jpg", "red")
    (lon0, lat0), (lon1, lat1), _ = desk["lonlat"]
    # the camera 100 m south of the second parcel's point, looking north: placed on that point
    cam_lon, cam_lat, _ = Geod(ellps="GRS80").fwd(lon1, lat1, 180.0, 100.0)
    lines = ["临夏县耕地视频监控告警导出,,,,,,,,",
             ",".join(HEADER_ZH),
             f"CAM-001,{SERIAL},非农化,{lon0:.8f},{lat0:.8f},,,,抓拍1.jpg",
             f"CAM-002,2025/6/21 10:05,挖湖,,,{cam_lon:.8f},{cam_lat:.8f},0,https://video.example/snap/2.jpg",
             "CAM-003,2025-06-22 11:00:00,违章,103.2,35.6,,,,",
             ""]
    path = folder / "告警.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    return path, photo


def test_a_gbk_csv_becomes_cases_with_evidence_and_a_reimport_adds_nothing(desk, tmp_path):
    path, photo = _gbk_csv(desk, tmp_path / "export")
    out = tmp_path / "alarms.gpkg"
    result = run(ALG, {"INPUT": str(path), "STORE": str(desk["store"]), "OUTPUT": str(out),
                       "CAMERAS": str(tmp_path / "cameras.gpkg")})
    assert (result["ALARMS"], result["REFUSED"], result["NEW_CASES"], result["KNOWN_CASES"]) == (2, 1, 2, 0)
    assert result["EVIDENCE"] == 1 and result["UNMATCHED"] == 0
    stored = _video_cases(desk["store"])
    assert len(stored) == 2
    by_camera = {c["external_id"].split("@")[0]: c for c in stored.values()}
    first, second = by_camera["CAM-001"], by_camera["CAM-002"]
    assert first["external_id"] == "CAM-001@2025-06-20T01:30:00Z"
    assert (first["state"], first["category"], first["kind"]) == ("pending", "verify", "nonagri")
    assert second["kind"] == "waterscape" and second["docs"] == "https://video.example/snap/2.jpg"
    assert first["parcel_codes"] == [desk["codes"][0]]
    assert second["parcel_codes"] == [desk["codes"][1]]
    assert first["grid_code"] and first["grid_code"] == desk["codes"][0][:14]
    with contextlib.closing(GpkgStore(str(desk["store"]))) as store:
        rows = evidence_for(store, first["case_id"])
        assert [r["sha256"] for r in rows] == [hashlib.sha256(photo).hexdigest()]
        assert evidence_path(store, rows[0]["rel_path"]).read_bytes() == photo
        assert evidence_for(store, second["case_id"]) == []
    layer = read(str(out))
    assert sorted(layer["SXTBH"]) == ["CAM-001", "CAM-002"] and set(layer["XJ"]) == {1}
    assert sorted(layer["FWDW"]) == [0, 1]
    cams = read(str(tmp_path / "cameras.gpkg"))
    assert cams["SXTBH"] == ["CAM-002"] and cams["DKS"][0] >= 1 and desk["codes"][1] in cams["KJM"][0]

    again = run(ALG, {"INPUT": str(path), "STORE": str(desk["store"])})
    assert (again["NEW_CASES"], again["KNOWN_CASES"], again["EVIDENCE"]) == (0, 2, 0)
    assert _video_cases(desk["store"]).keys() == stored.keys()
    with contextlib.closing(GpkgStore(str(desk["store"]))) as store:
        assert len(evidence_for(store, first["case_id"])) == 1


def test_the_same_alarms_as_bom_csv_json_and_workbook_are_known(desk, tmp_path):
    path, _ = _gbk_csv(desk, tmp_path / "export")
    first = run(ALG, {"INPUT": str(path), "STORE": str(desk["store"])})
    assert first["NEW_CASES"] == 2
    (lon0, lat0), _, (lon2, lat2) = desk["lonlat"]
    # UTF-8 with BOM, English header, the time with an offset
    bom = tmp_path / "alarms_bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + (f"camera_id,time,category,lon,lat\nCAM-001,2025-06-20T01:30:00Z,非粮化,"
                                       f"{lon0},{lat0}\n").encode())
    assert run(ALG, {"INPUT": str(bom), "STORE": str(desk["store"])})["KNOWN_CASES"] == 1
    # the platform's GeoJSON: the same first alarm and a new one on the third parcel
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon0, lat0]},
                 "properties": {"cameraId": "x", "camera_id": "CAM-001", "alarm_time": "2025-06-20 09:30:00",
                                "alarm_type": "非农化"}},
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon2, lat2]},
                 "properties": {"camera_id": "CAM-009", "alarm_time": 1750470000000, "alarm_type": "撂荒"}}]
    geojson = tmp_path / "alarms.json"
    geojson.write_text(json.dumps({"code": 0, "data": {"type": "FeatureCollection", "features": features}},
                                  ensure_ascii=False), encoding="utf-8")
    result = run(ALG, {"INPUT": str(geojson), "STORE": str(desk["store"])})
    assert (result["NEW_CASES"], result["KNOWN_CASES"]) == (1, 1)
    third = next(c for c in _video_cases(desk["store"]).values() if c["external_id"].startswith("CAM-009"))
    assert third["kind"] == "abandoned" and third["parcel_codes"] == [desk["codes"][2]]
    # a workbook as Excel saves it: a real date-time cell
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["摄像头编号", "告警时间", "告警类型", "经度", "纬度"])
    sheet.append(["CAM-001", dt.datetime(2025, 6, 20, 9, 30), "非农化", lon0, lat0])
    sheet["B2"].number_format = "yyyy-mm-dd hh:mm:ss"
    xlsx = tmp_path / "alarms.xlsx"
    book.save(xlsx)
    result = run(ALG, {"INPUT": str(xlsx), "STORE": str(desk["store"])})
    assert (result["ALARMS"], result["NEW_CASES"], result["KNOWN_CASES"]) == (1, 0, 1)
    assert len(_video_cases(desk["store"])) == 3


def test_a_refused_snapshot_is_a_warning_and_the_case_stays(desk, tmp_path):
    from qgis.core import QgsProcessingFeedback

    (lon0, lat0), _, _ = desk["lonlat"]
    (tmp_path / "fake.jpg").write_text("<html>not a photo</html>", encoding="utf-8")
    path = tmp_path / "alarms.csv"
    path.write_text(f"camera_id,time,category,lon,lat,snapshot\nC1,2025-06-20 09:30,其他,{lon0},{lat0},fake.jpg\n"
                    f"C2,2025-06-20 09:31,其他,{lon0},{lat0},missing.jpg\n", encoding="utf-8")

    class Log(QgsProcessingFeedback):
        warnings: list = []

        def pushWarning(self, text):
            self.warnings.append(text)

    log = Log()
    result = run(ALG, {"INPUT": str(path), "STORE": str(desk["store"])}, feedback=log)
    assert (result["NEW_CASES"], result["EVIDENCE"]) == (2, 0)
    assert any("fake.jpg" in w for w in log.warnings) and any("missing.jpg" in w for w in log.warnings)


def test_alarms_are_pre_judged_against_the_reference_layers(desk, tmp_path):
    """With an approval over the first parcel and 永久基本农田 over the third, the alarms there are judged as a change
    polygon would be — approved, suspected on 永农 — and each stays one case in 待下发; without references they
    would all be 需外业核实 (the test above)."""
    from osgeo import ogr, osr

    with contextlib.closing(GpkgStore(str(desk["store"]))) as store:
        codes, wkb, _, _ = coded_parcels(store)
    geoms = dict(zip([str(c) for c in codes], shapely.from_wkb(wkb)))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(desk["epsg"])
    refs = tmp_path / "refs.gpkg"
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(refs))
    for name, code, doc in (("PZYD", desk["codes"][0], "临政土批〔2024〕7号"), ("YJJBNTTB", desk["codes"][2], None)):
        layer = ds.CreateLayer(name, srs, ogr.wkbMultiPolygon)
        if doc:
            layer.CreateField(ogr.FieldDefn("PZWH", ogr.OFTString))
            layer.CreateField(ogr.FieldDefn("PZRQ", ogr.OFTString))
        f = ogr.Feature(layer.GetLayerDefn())
        f.SetGeometry(ogr.ForceToMultiPolygon(ogr.CreateGeometryFromWkb(shapely.to_wkb(geoms[code].buffer(1.0)))))
        if doc:
            f.SetField("PZWH", doc)
            f.SetField("PZRQ", "2024-03-01")
        layer.CreateFeature(f)
    ds = None
    (lon0, lat0), (lon1, lat1), (lon2, lat2) = desk["lonlat"]
    path = tmp_path / "alarms.csv"
    path.write_text(f"camera_id,time,category,lon,lat\nC1,2025-06-20 09:30,非农化,{lon0},{lat0}\n"
                    f"C2,2025-06-20 09:31,其他,{lon1},{lat1}\nC3,2025-06-20 09:32,非粮化,{lon2},{lat2}\n",
                    encoding="utf-8")
    params = {"INPUT": str(path), "STORE": str(desk["store"]), "APPROVED": f"{refs}|layername=PZYD",
              "YJJBNT": f"{refs}|layername=YJJBNTTB", "TODAY": "2025-06-30"}
    result = run(ALG, params)
    assert (result["ALARMS"], result["NEW_CASES"]) == (3, 3)
    by_camera = {c["external_id"].split("@")[0]: c for c in _video_cases(desk["store"]).values()}
    approved, other, basic = by_camera["C1"], by_camera["C2"], by_camera["C3"]
    assert {c["state"] for c in by_camera.values()} == {"pending"}
    assert approved["category"] == "approved" and "inside_approval" in approved["reasons"]
    assert approved["docs"] == "临政土批〔2024〕7号"
    assert approved["approved_m2"] == pytest.approx(float(geoms[desk["codes"][0]].area), abs=0.01)
    assert other["category"] == "verify" and "other_loss" in other["reasons"]
    assert basic["category"] == "suspect" and "on_basic_farmland" in basic["reasons"]
    assert basic["basic_m2"] == pytest.approx(float(geoms[desk["codes"][2]].area), abs=0.01)
    assert basic["priority"] == 1 and approved["priority"] == 3  # 永农 first, the lawful one last
    again = run(ALG, params)
    assert (again["NEW_CASES"], again["KNOWN_CASES"]) == (0, 3)
