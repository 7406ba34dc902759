"""登记警示桩: the register of installed warning posts, read from a GBK CSV as Excel writes it, a workbook or a point
layer, stored in the 田管库 (tg_warning_post, migration 16); hostile rows are refused naming row and column; a
re-import updates the condition and note of known posts, keeps their installation date, and twice changes nothing."""
from __future__ import annotations

import contextlib

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage.grid import coded_parcels
from linxia_tianguan_plugin.storage.warning_posts import register
from tests.helpers import read, recording_feedback, run, run_failing

ALG = "linxia_tianguan:register_warning_posts"
HEADER = ["桩号", "空间码", "社编码", "经度", "纬度", "安装日期", "状况", "备注"]


@pytest.fixture
def desk(filled_copy, processing_registry):
    """The writable filled store, two coded parcels' codes and inner points in lon/lat."""
    with contextlib.closing(GpkgStore(str(filled_copy))) as store:
        codes, wkb, _, _ = coded_parcels(store)
        epsg = store.srs_id
    order = np.argsort(codes)
    picks = [int(order[0]), int(order[-1])]
    to_lonlat = Transformer.from_crs(epsg, 4490, always_xy=True)
    points = []
    for i in picks:
        p = shapely.point_on_surface(shapely.from_wkb(wkb[i]))
        points.append(to_lonlat.transform(float(shapely.get_x(p)), float(shapely.get_y(p))))
    return {"store": filled_copy, "codes": [str(codes[i]) for i in picks], "lonlat": points}


def _csv(path, rows, encoding="gbk"):
    """A CSV as Excel's “CSV (逗号分隔)” writes it on a Chinese Windows: GBK, CRLF, a title row first."""
    lines = ["临夏县警示桩登记表,,,,,,,"] + [",".join(r) for r in [HEADER, *rows]]
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def _rows(desk, conditions=("完好", "损坏"), notes=("", "")):
    (lon1, lat1), (lon2, lat2) = desk["lonlat"]
    group = desk["codes"][1][:14]
    return [["JSZ-001", desk["codes"][0], "", f"{lon1:.7f}", f"{lat1:.7f}", "2025/6/1", conditions[0], notes[0]],
            ["JSZ-002", "", group, f"{lon2:.7f}", f"{lat2:.7f}", "2025年6月2日", conditions[1], notes[1]]]


def _posts(store) -> dict:
    with contextlib.closing(GpkgStore(str(store))) as s:
        return {r["post_id"]: r for r in register(s)}


def test_a_gbk_csv_from_excel_is_registered_with_group_and_code_status(desk, tmp_path):
    path = _csv(tmp_path / "警示桩.csv", _rows(desk))
    out = tmp_path / "posts.gpkg"
    result = run(ALG, {"INPUT": str(path), "STORE": str(desk["store"]), "OUTPUT": str(out)})
    assert (result["POSTS"], result["ADDED"], result["UPDATED"], result["REFUSED"]) == (2, 2, 0, 0)
    posts = _posts(desk["store"])
    assert posts["JSZ-001"]["label_code"] == desk["codes"][0]
    assert posts["JSZ-001"]["code_status"] == "active"
    assert posts["JSZ-001"]["installed_on"] == "2025-06-01"
    assert posts["JSZ-002"]["code_status"] is None and posts["JSZ-002"]["group_code"] == desk["codes"][1][:14]
    assert (posts["JSZ-002"]["installed_on"], posts["JSZ-002"]["condition"]) == ("2025-06-02", "损坏")
    layer = read(str(out), ["ZH", "BZBM", "SBM", "SMC", "MZT", "ZK"])
    assert sorted(layer["ZH"]) == ["JSZ-001", "JSZ-002"]
    at = list(layer["ZH"]).index("JSZ-001")
    assert layer["MZT"][at] == "active" and layer["SBM"][at] == desk["codes"][0][:14]
    # the point lies in its parcel (store CRS)
    with contextlib.closing(GpkgStore(str(desk["store"]))) as store:
        codes, wkb, _, _ = coded_parcels(store)
    parcel = shapely.from_wkb(wkb[list(codes).index(desk["codes"][0])])
    assert parcel.buffer(0.01).contains(layer["geom"][at])


def test_reimport_is_idempotent_and_updates_condition_keeping_the_installed_date(desk, tmp_path):
    first = _csv(tmp_path / "a.csv", _rows(desk))
    run(ALG, {"INPUT": str(first), "STORE": str(desk["store"])})
    again = run(ALG, {"INPUT": str(first), "STORE": str(desk["store"])})
    assert (again["POSTS"], again["ADDED"], again["UPDATED"]) == (2, 0, 0)
    rows = _rows(desk, conditions=("缺失", "损坏"), notes=("被犁倒", ""))
    rows[0][5] = "2024-01-01"  # a later list with another date does not move the installation date
    rows.append(["JSZ-003", desk["codes"][1], "", rows[1][3], rows[1][4], "", "", ""])
    result = run(ALG, {"INPUT": str(_csv(tmp_path / "b.csv", rows, "utf-8-sig")), "STORE": str(desk["store"])})
    assert (result["POSTS"], result["ADDED"], result["UPDATED"], result["REFUSED"]) == (3, 1, 1, 0)
    posts = _posts(desk["store"])
    assert (posts["JSZ-001"]["condition"], posts["JSZ-001"]["note"]) == ("缺失", "被犁倒")
    assert posts["JSZ-001"]["installed_on"] == "2025-06-01"
    assert posts["JSZ-003"]["condition"] == "完好" and posts["JSZ-003"]["installed_on"] is None


def test_a_workbook_is_read(desk, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "警示桩"
    sheet.append(HEADER)
    for r in _rows(desk):
        sheet.append([r[0], r[1], r[2], float(r[3]), float(r[4]), dt.date(2025, 6, 1), r[6], r[7] or None])
    path = tmp_path / "警示桩.xlsx"
    book.save(path)
    result = run(ALG, {"INPUT": str(path), "STORE": str(desk["store"])})
    assert (result["POSTS"], result["ADDED"], result["REFUSED"]) == (2, 2, 0)
    assert _posts(desk["store"])["JSZ-002"]["installed_on"] == "2025-06-01"


def test_a_point_layer_is_read(desk, tmp_path):
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer

    layer = QgsVectorLayer("Point?crs=EPSG:4490&field=桩号:string&field=空间码:string&field=状况:string",
                           "posts", "memory")
    features = []
    for post, code, (lon, lat) in zip(("P1", "P2"), desk["codes"], desk["lonlat"]):
        f = QgsFeature(layer.fields())
        f.setAttributes([post, code, "损坏"])
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(lon, lat)))
        features.append(f)
    layer.dataProvider().addFeatures(features)
    result = run(ALG, {"LAYER": layer, "STORE": str(desk["store"])})
    assert (result["POSTS"], result["ADDED"], result["REFUSED"]) == (2, 2, 0)


def test_hostile_rows_are_refused_naming_row_and_column(desk, tmp_path):
    lon, lat = (f"{v:.6f}" for v in desk["lonlat"][0])
    code = desk["codes"][0]
    bad_check = code[:19] + ("0" if code[19] != "0" else "1")
    rows = [
        ["", code, "", lon, lat, "", "", ""],                                # 3 no post number
        ["H2", bad_check, "", lon, lat, "", "", ""],                         # 4 check character
        ["H3", "", "", lon, lat, "", "", ""],                                # 5 no code
        ["H4", code, "", "abc", lat, "", "", ""],                            # 6 not a number
        ["H5", code, "", lat, lon, "", "", ""],                              # 7 swapped: not in China
        ["H6", code, "", lon, lat, "昨天", "", ""],                           # 8 date
        ["H7", code, "", lon, lat, "", "倒了", ""],                           # 9 condition
        ["H8", code, "", "", "", "", "", ""],                                # 10 no position
        ["<script>", code, "", lon, lat, "2025-13-40", "", "'; DROP TABLE x"],  # 11 impossible date
        ["H9", "", "12345", lon, lat, "", "", ""],                           # 12 short group code
        ["OK1", code, "", lon, lat, "", "", "'; DROP TABLE tg_warning_post; --"],  # 13 kept
        ["OK1", code, "", lon, lat, "", "", ""],                             # 14 duplicate
    ]
    feedback = recording_feedback()
    result = run(ALG, {"INPUT": str(_csv(tmp_path / "h.csv", rows)), "STORE": str(desk["store"])},
                 feedback=feedback)
    assert (result["POSTS"], result["ADDED"], result["REFUSED"]) == (1, 1, 11)
    said = "\n".join(feedback.warnings)
    for row, column in ((3, "桩号"), (4, "空间码"), (5, "空间码"), (6, "经度"), (7, "经度"), (8, "安装日期"),
                        (9, "状况"), (10, "经度"), (11, "安装日期"), (12, "社编码"), (14, "桩号")):
        assert f"row {row}, column {column}:" in said, (row, column, said)
    assert "Traceback" not in said
    assert _posts(desk["store"])["OK1"]["note"] == "'; DROP TABLE tg_warning_post; --"


def test_unreadable_inputs_and_a_missing_store_are_refused_in_words(desk, tmp_path):
    no_columns = tmp_path / "x.csv"
    no_columns.write_bytes("名称,地址\r\n甲,乙\r\n".encode("gbk"))
    said = run_failing(ALG, {"INPUT": str(no_columns), "STORE": str(desk["store"])})
    assert "桩号" in said and "经度" in said
    said = run_failing(ALG, {"INPUT": str(_csv(tmp_path / "a.csv", _rows(desk))),
                             "STORE": str(tmp_path / "none.gpkg")})
    assert "none.gpkg" in said
    assert "Traceback" not in said
