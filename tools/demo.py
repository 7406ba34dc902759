"""The headless demo: code the sample county, validate and decode, export a PDF map — all under out/.

    python tools/demo.py --sample data/sample_20000_20241028 --out out

Runs the plugin's Processing algorithms in a standalone QGIS (exactly what the Toolbox runs), then the
same plugin, installed into a throwaway profile, through ``qgis_process`` to show the command line.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
#: the demo's "now" (the plugin's one clock, core/clock.py; qgis_process children inherit it): the Tuesday after the
#: sample's patrol week (9–15 June 2025), so that the tasks of the month, the tracks, the cases and the alarms tell one
#: story — and the demo shows the same on whatever day it runs. TIANGUAN_NOW in the environment overrides it.
DEMO_NOW = "2025-06-17T17:30:00+08:00"
os.environ.setdefault("TIANGUAN_NOW", DEMO_NOW)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, "/usr/share/qgis/python/plugins")

CJK_FONT = "WenQuanYi Micro Hei"


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def start_qgis():
    from tools.headless import start_qgis as start

    return start(native=True, locale="zh_CN")  # the desks read Chinese: the demo's log is in Chinese too


class Feedback:
    """Processing feedback that prints progress text and messages to the console."""

    def __new__(cls):
        from qgis.core import QgsProcessingFeedback

        class _Feedback(QgsProcessingFeedback):
            def pushInfo(self, info):
                print("   ", info, flush=True)

            def pushWarning(self, warning):
                print("   !", warning, flush=True)

            def reportError(self, error, fatalError=False):
                print("   ERROR", error, flush=True)

        return _Feedback()


def run(algorithm: str, params: dict) -> dict:
    import processing
    from qgis.core import QgsProcessingContext

    started = time.perf_counter()
    result = processing.run(algorithm, params, context=QgsProcessingContext(), feedback=Feedback())
    print(f"   ({time.perf_counter() - started:.1f} s)")
    return result


def uri(gpkg: Path, layer: str) -> str:
    return f"{gpkg}|layername={layer}"


def guard_demo(out: Path, sample: Path, store: Path, base: dict, summary: dict) -> None:
    """The codes are guarded: the county's contract parcels with the DLTB of one township would retire most of the
    store's codes; the run stops and writes nothing, and a preview lists what it would have retired."""
    import sqlite3

    from qgis.core import QgsProcessingException

    def state() -> tuple:
        con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
        try:
            return (con.execute("SELECT count(*) FROM tg_space_code WHERE status = 'active'").fetchone()[0],
                    con.execute("SELECT count(*) FROM tg_coding_run").fetchone()[0])
        finally:
            con.close()

    con = sqlite3.connect(f"file:{sample}?mode=ro", uri=True)
    township = con.execute("SELECT substr(ZLDWDM, 1, 9) FROM DLTB ORDER BY ZLDWDM LIMIT 1").fetchone()[0]
    con.close()
    wrong = dict(base, DLTB=uri(sample, "DLTB") + f"|subset=substr(\"ZLDWDM\", 1, 9) = '{township}'",
                 OUTPUT=None, ISSUES=None)
    before = state()
    step(f"一键赋码 with the DLTB of one township ({township}) only: the guard refuses")
    try:
        run("linxia_tianguan:space_code", wrong)
    except QgsProcessingException as refused:
        print("   refused:", refused, flush=True)
    else:
        raise SystemExit("the coding guard let a one-township DLTB retire the county's codes")
    if state() != before:
        raise SystemExit("the refused coding run changed the store")
    step("一键赋码 preview of the same run: counts and the codes it would retire, nothing written")
    preview = run("linxia_tianguan:space_code", dict(wrong, PREVIEW=True, ISSUES=str(out / "coding_preview.gpkg")))
    if state() != before:
        raise SystemExit("the preview changed the store")
    step("一键赋码 the same run let through (\"I am replacing the county's survey\"), then 撤销上次赋码 undo it")
    replaced = run("linxia_tianguan:space_code", dict(wrong, REPLACE_SURVEY=True))
    after_replace = state()
    undone = run("linxia_tianguan:undo_space_code", {"STORE": str(store)})
    restored = state()
    if restored[0] != before[0] or undone["RESTORED"] != replaced["RETIRED"]:
        raise SystemExit("the undo did not restore the county's codes")
    step("田管库 path with a typo: refused by name, no new empty store made (creating one is an explicit choice)")
    typo = store.with_name("tianguan_typo.gpkg")
    try:
        run("linxia_tianguan:import_tracks", {"FOLDER": str(sample.parent / "tracks"), "STORE": str(typo)})
    except QgsProcessingException as refused:
        print("   refused:", refused, flush=True)
    else:
        raise SystemExit("a STORE path with a typo made a new store")
    if typo.exists():
        raise SystemExit("a STORE path with a typo made a new store")
    summary["guard"] = {"refused": True, "typo_store_refused": True, "preview_retired": preview["RETIRED"],
                        "preview_kept": preview["KEPT"],
                        "active_codes": before[0], "after_replacing": after_replace[0],
                        "undo_restored": undone["RESTORED"], "after_undo": restored[0]}


def export_map(out: Path, sample: Path, coded: Path, store: Path) -> Path:
    """PDF: page 1 the county's coded farmland by township, page 2 one village with code labels."""
    from qgis.core import (
        QgsFillSymbol,
        QgsLayoutExporter,
        QgsLayoutItemLabel,
        QgsLayoutItemLegend,
        QgsLayoutItemMap,
        QgsLayoutItemPage,
        QgsLayoutItemPicture,
        QgsLayoutItemScaleBar,
        QgsLayoutPoint,
        QgsLayoutSize,
        QgsPalLayerSettings,
        QgsPrintLayout,
        QgsProject,
        QgsScaleBarSettings,
        QgsSingleSymbolRenderer,
        QgsTextFormat,
        QgsUnitTypes,
        QgsVectorLayer,
        QgsVectorLayerSimpleLabeling,
    )
    from qgis.PyQt.QtGui import QFont, QFontDatabase

    from linxia_tianguan_plugin.styling import apply_style, store_aliases

    if CJK_FONT not in QFontDatabase().families():
        raise SystemExit(f"font '{CJK_FONT}' is missing: Chinese would print as boxes (apt install fonts-wqy-microhei)")
    project = QgsProject.instance()
    project.clear()
    townships = QgsVectorLayer(uri(sample, "XZQ"), "乡镇", "ogr")
    townships.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(
        {"color": "0,0,0,0", "outline_color": "90,90,90", "outline_width": "0.5"})))
    parcels = QgsVectorLayer(uri(store, "tg_space_code"), "耕地地块（空间码）", "ogr")
    parcels.setSubsetString("\"status\" = 'active'")
    apply_style(parcels, "tg_space_code.qml", store_aliases())
    label = QgsPalLayerSettings()
    label.fieldName = "XZQMC"
    fmt = QgsTextFormat()
    fmt.setFont(QFont(CJK_FONT))
    fmt.setSize(10)
    label.setFormat(fmt)
    townships.setLabeling(QgsVectorLayerSimpleLabeling(label))
    townships.setLabelsEnabled(True)
    project.addMapLayers([parcels, townships])
    project.setCrs(parcels.crs())  # without it layout maps measure metres as degrees: wrong scale, no labels

    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName("空间码分布图")
    page = layout.pageCollection().page(0)
    page.setPageSize("A4", QgsLayoutItemPage.Landscape)

    from linxia_tianguan_plugin.processing.layout_text import pdf_settings, set_label_text_format

    def add_label(text, x, y, w, h, size):
        item = QgsLayoutItemLabel(layout)
        item.setText(text)
        set_label_text_format(item, CJK_FONT, size)
        item.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutMillimeters))
        item.attemptResize(QgsLayoutSize(w, h, QgsUnitTypes.LayoutMillimeters))
        layout.addLayoutItem(item)
        return item

    def add_scale(linked, x, y, max_width):
        bar = QgsLayoutItemScaleBar(layout)
        bar.setStyle("Single Box")
        bar.setLinkedMap(linked)
        bar.applyDefaultSize(QgsUnitTypes.DistanceMeters)
        bar.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeFitWidth)
        bar.setMinimumBarWidth(40)
        bar.setMaximumBarWidth(max_width)
        bar.setUnitLabel("米")
        bar.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutMillimeters))
        layout.addLayoutItem(bar)
        return bar

    def add_map(extent, x, y, w, h, layers):
        item = QgsLayoutItemMap(layout)
        item.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutMillimeters))
        item.attemptResize(QgsLayoutSize(w, h, QgsUnitTypes.LayoutMillimeters))
        item.setCrs(project.crs())
        item.setLayers(layers)
        item.setExtent(extent)
        item.setFrameEnabled(True)
        layout.addLayoutItem(item)
        return item

    def map_page(title: str, extent, layers, width: float = 277, height: float = 175):
        """A new A4 landscape page with its title, one map and a scale bar; returns (map item, page top)."""
        collection = layout.pageCollection()
        collection.addPage(QgsLayoutItemPage(layout))
        collection.page(collection.pageCount() - 1).setPageSize("A4", QgsLayoutItemPage.Landscape)
        top = (collection.pageCount() - 1) * (210 + 10)
        item = add_map(extent, 10, top + 16, width, height, layers)
        add_label(title, 10, top + 2, 260, 12, 14)
        add_scale(item, 15, top + 16 + height, 80)
        return item, top

    county = townships.extent()
    county.scale(1.05)
    map1 = add_map(county, 10, 22, 200, 180, [townships, parcels])
    add_label("示例县（临夏县）耕地空间码分布图", 10, 6, 260, 12, 18)
    legend = QgsLayoutItemLegend(layout)
    legend.setLinkedMap(map1)
    legend.setTitle("图例")
    legend.attemptMove(QgsLayoutPoint(215, 22, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(legend)
    scale = QgsLayoutItemScaleBar(layout)
    scale.setStyle("Single Box")
    scale.setLinkedMap(map1)
    scale.applyDefaultSize(QgsUnitTypes.DistanceKilometers)
    scale.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeFixed)
    scale.setNumberOfSegmentsLeft(0)
    scale.setNumberOfSegments(3)
    scale.setUnitsPerSegment(1)
    scale.setUnitLabel("千米")
    scale.attemptMove(QgsLayoutPoint(215, 170, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(scale)
    north = QgsLayoutItemPicture(layout)
    north.setPicturePath("/usr/share/qgis/svg/arrows/NorthArrow_02.svg")
    north.attemptMove(QgsLayoutPoint(260, 24, QgsUnitTypes.LayoutMillimeters))
    north.attemptResize(QgsLayoutSize(15, 15, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(north)
    count = parcels.featureCount()
    add_label(f"地块数：{count}\n制图日期：{time.strftime('%Y-%m-%d')}\n数据来源：示例县三调与承包地数据（合成）\n"
              "坐标系：CGCS2000 3°带 第34带（EPSG:4522）", 215, 182, 75, 25, 8)

    # page 2: one village, zoomed in with code labels
    first = next(parcels.getFeatures())
    village = first["code"][:12]
    village_layer = QgsVectorLayer(uri(store, "tg_space_code"), "地块", "ogr")
    village_layer.setSubsetString(f"\"status\" = 'active' AND \"code\" LIKE '{village}%'")
    apply_style(village_layer, "tg_space_code.qml", store_aliases())
    project.addMapLayer(village_layer, False)  # page 2 only: kept out of page 1's legend
    extent = village_layer.extent()
    center = extent.center()
    half = max(extent.width(), extent.height()) / 6
    extent.set(center.x() - half * 1.4, center.y() - half, center.x() + half * 1.4, center.y() + half)
    map_page(f"村 {village} 局部：地块空间码（缩小到 1:2500 以下时只标后6位：顺序号+校验码）", extent,
             [village_layer])

    # page 3: the patrol grid of one township (villages and their groups)
    grid_path = out / "patrol_grid.gpkg"
    if grid_path.exists():
        township = village[:9]
        grid = QgsVectorLayer(str(grid_path), "巡田网格", "ogr")
        grid.setSubsetString(f"\"WGBM\" LIKE '{township}%' AND \"JB\" >= 3")
        apply_style(grid, "patrol_grid.qml")
        project.addMapLayer(grid, False)
        extent3 = grid.extent()
        extent3.scale(1.05)
        map_page(f"乡镇 {township} 巡田网格：村（虚线）与社（点线、浅绿）", extent3, [grid], height=180)

    # page 4: the change cases of the survey comparison over the county, coloured by pre-judgement
    changes_path = out / "change_cases.gpkg"
    if changes_path.exists():
        changes = QgsVectorLayer(str(changes_path), "变化图斑预判", "ogr")
        apply_style(changes, "change_candidates.qml")
        project.addMapLayer(changes, False)
        map4, y4 = map_page(f"2024→2025 变化图斑预判：{changes.featureCount()} 个（按优先级标注）",
                            townships.extent(), [changes, townships], width=215, height=180)
        legend4 = QgsLayoutItemLegend(layout)
        legend4.setTitle("预判结论")
        legend4.setLinkedMap(map4)
        legend4.setAutoUpdateModel(False)
        legend4.model().rootGroup().clear()
        legend4.model().rootGroup().addLayer(changes)
        legend4.attemptMove(QgsLayoutPoint(230, y4 + 20, QgsUnitTypes.LayoutMillimeters))
        layout.addLayoutItem(legend4)

    pdf = out / "空间码分布图.pdf"
    result = QgsLayoutExporter(layout).exportToPdf(str(pdf), pdf_settings(200))  # text kept as text
    if result != QgsLayoutExporter.Success:
        raise SystemExit(f"PDF export failed ({result})")
    return pdf


def patrol_demo(out: Path, sample: Path, store: Path, summary: dict) -> None:
    """Roster, tasks of the current month (June 2025 on the demo's clock, DEMO_NOW), some patrols recorded,
    statuses and lists."""
    import csv
    import datetime as dt
    import sqlite3

    from linxia_tianguan_plugin.core import clock

    step("导入田管员花名册 Import the officer roster (XLSX)")
    roster = run("linxia_tianguan:import_roster", {"INPUT": str(sample.parent / "roster.xlsx"), "STORE": str(store),
                                                   "ISSUES": None})
    summary["roster"] = {k: roster[k] for k in ("IMPORTED", "ERRORS", "WARNINGS", "ROSTER_ID")}
    if roster["ERRORS"]:
        raise SystemExit("the sample roster did not import")

    step("导出田管员花名册 Export the county's roster")
    exported = run("linxia_tianguan:export_roster", {"STORE": str(store), "PREFIX": "622921",
                                                     "OUTPUT": str(out / "田管员花名册.xlsx")})
    summary["roster_export"] = exported["EXPORTED"]

    today = clock.today_beijing()
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    window = {"START": first.isoformat(), "END": last.isoformat()}
    step(f"下发巡田任务 Dispatch the tasks of {first:%Y-%m}")
    dispatched = run("linxia_tianguan:dispatch_tasks", dict(window, STORE=str(store), OUTPUT=None))
    again = run("linxia_tianguan:dispatch_tasks", dict(window, STORE=str(store), OUTPUT=None))
    if again["CREATED"]:
        raise SystemExit("dispatching the same period twice created tasks")

    step("登记巡田记录 Record patrols (two of every three groups walked in the month's first week)")
    con = sqlite3.connect(store)
    groups = [r[0] for r in con.execute("SELECT code FROM tg_grid_cell c JOIN tg_grid_build b USING (build_id) "
                                        "WHERE b.active = 1 AND c.level = 5 ORDER BY code")]
    con.close()
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    # 09:00 on the month's first Monday, or earlier when that is not over yet: a patrol is never in the future
    walked = min(dt.datetime.combine(monday, dt.time(9), tzinfo=clock.BEIJING),
                 clock.now_beijing().replace(microsecond=0) - dt.timedelta(hours=2))
    path = out / "巡田记录_示例.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["网格编码", "田管员", "开始时间", "结束时间", "有效", "备注"])
        for i, code in enumerate(groups):
            if i % 3 != 2:
                start = walked + dt.timedelta(minutes=i % 60)
                writer.writerow([code, "", start.isoformat(), (start + dt.timedelta(hours=1)).isoformat(), "是",
                                 "示例"])
    recorded = run("linxia_tianguan:record_patrols", {"STORE": str(store), "INPUT": str(path)})
    status = run("linxia_tianguan:dispatch_tasks", dict(window, STORE=str(store), OUTPUT=None))
    summary["tasks"] = {"created": dispatched["CREATED"], "recorded": recorded["ADDED"], "done": status["DONE"],
                        "open": status["OPEN"], "overdue": status["OVERDUE"]}

    step("导出巡田任务 Export the task list, and the 预警 list (overdue and due within 3 days) per officer")
    run("linxia_tianguan:export_tasks", dict(window, STORE=str(store), PREFIX="622921",
                                             OUTPUT=str(out / "巡田任务.xlsx")))
    warned = run("linxia_tianguan:export_tasks", dict(window, STORE=str(store), PREFIX="622921", WHICH=2,
                                                      DUE_WITHIN_DAYS=3, OUTPUT=str(out / "过期任务.xlsx"),
                                                      WARNINGS=str(out / "预警名单.xlsx")))
    print(f"    预警：已过期与即将到期的任务 → 过期任务.xlsx；{warned['OFFICERS']} 名田管员 → 预警名单.xlsx")
    summary["warnings"] = {k: warned[k] for k in ("DUE_SOON", "OFFICERS")}


def tracks_demo(out: Path, sample: Path, store: Path, summary: dict) -> None:
    """The sample week's GPX tracks: import, authenticity checks, coverage, tasks done from real tracks."""
    tracks = sample.parent / "tracks"
    if not tracks.is_dir():
        print("    (the sample has no tracks: generated with --no-tracks)")
        return
    step("导入巡田轨迹 Import last week's and this week's GPX tracks")
    run("linxia_tianguan:import_tracks", {"FOLDER": str(tracks / "previous_week"), "STORE": str(store)})
    imported = run("linxia_tianguan:import_tracks", {"FOLDER": str(tracks), "STORE": str(store)})
    again = run("linxia_tianguan:import_tracks", {"FOLDER": str(tracks), "STORE": str(store)})
    if again["TRACKS"]:
        raise SystemExit("re-importing the same tracks added tracks")
    summary["tracks"] = {k: imported[k] for k in ("FILES", "TRACKS", "FIXES", "DROPPED")}

    step("轨迹真实性检查 Check the tracks (driven, too short, outside the grid, replay …)")
    checked = run("linxia_tianguan:check_tracks", {"STORE": str(store), "OUTPUT": str(out / "checked_tracks.gpkg")})
    summary["track_checks"] = {k: checked[k] for k in ("CHECKED", "ACCEPTED", "REJECTED")}
    if not checked["ACCEPTED"] or checked["BEFORE_PLAN"]:  # the story's dates went apart (see DEMO_NOW)
        raise SystemExit(f"the sample week's tracks were not accepted: {checked}")

    week = {"START": "2025-06-09", "END": "2025-06-15"}
    step("巡田覆盖分析 Coverage of the week's accepted tracks; tasks done from real tracks")
    coverage = run("linxia_tianguan:patrol_coverage", dict(week, STORE=str(store), SHARES=True,
                                                           PARCELS_OUT=str(out / "patrol_coverage.gpkg"),
                                                           GRIDS_OUT=str(out / "group_coverage.gpkg"),
                                                           UNSEEN_OUT=str(out / "unseen_4_weeks.gpkg"),
                                                           RATES_OUT=str(out / "巡田覆盖率.xlsx")))
    tasks = run("linxia_tianguan:dispatch_tasks", dict(week, STORE=str(store), LEVELS=[4], OUTPUT=None))
    summary["coverage"] = {k: coverage[k] for k in ("TRACKS", "PATROLS", "FARMLAND_RATE", "BASIC_RATE",
                                                    "PARCELS_SEEN", "PARCELS_UNSEEN_WEEKS")}
    summary["week_tasks"] = {k: tasks[k] for k in ("CREATED", "DONE", "OVERDUE")}
    if not coverage["PATROLS"] or not tasks["DONE"]:
        raise SystemExit(f"the week's accepted tracks completed no task: {coverage}, {tasks}")


def parcel_history_demo(out: Path, store: Path, summary: dict) -> None:
    """码上查: a parcel of a case, decoded from its space code with its patrol history, cases and status."""
    import json
    import sqlite3

    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        codes = con.execute("SELECT parcel_codes FROM tg_case WHERE parcel_codes LIKE '[%' ORDER BY case_no "
                            "LIMIT 1").fetchone()
    finally:
        con.close()
    code = json.loads(codes[0])[0]
    step(f"码上查 The parcel {code}: its patrols, its cases and its status")
    found = run("linxia_tianguan:decode_space_code", {"CODE": code, "STORE": str(store),
                                                      "HISTORY": str(out / "码上查_地块历史.csv")})
    print(f"    地块状态：{found['PARCEL_STATUS_NAME']}；巡田 {found['PATROLS']} 次；未结案件 {found['CASES_OPEN']} 件"
          "；历史 → 码上查_地块历史.csv")
    summary["parcel_history"] = {k: found[k] for k in ("PARCEL_STATUS", "PATROLS", "CASES_OPEN")}


def video_demo(out: Path, store: Path, summary: dict) -> None:
    """视频互联: two alarms of the farmland video platform (its CSV export, GBK, one placed from the camera's position
    and bearing, one with a snapshot) become cases waiting to be issued; importing again adds none."""
    import sqlite3

    from tools.phone import Phone

    step("导入视频告警 Video alarms become cases (one with its snapshot as evidence); importing again adds none")
    folder = out / "视频告警"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        (lon1, lat1), (lon2, lat2) = con.execute(
            "SELECT lon, lat FROM tg_space_code WHERE status = 'active' ORDER BY code DESC LIMIT 2").fetchall()
    finally:
        con.close()
    snapshot = Phone().photo(folder, "CAM-0001_20250612.jpg")  # a JPEG as the platform exports it, beside the CSV
    rows = ["摄像头编号,告警时间,告警类型,经度,纬度,摄像头经度,摄像头纬度,方位角,抓拍图片",
            f"CAM-0001,2025/6/12 9:41,非农化,{lon1},{lat1},,,,{snapshot}",
            f"CAM-0002,2025/6/12 14:05,挖湖,,,{lon2},{lat2 - 0.0009},0,"]
    alarms = folder / "视频告警_20250612.csv"
    alarms.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))  # what the platform's Excel export writes
    params = {"INPUT": str(alarms), "STORE": str(store), "OUTPUT": str(folder / "告警点.gpkg"),
              "CAMERAS": str(folder / "摄像头.gpkg")}
    first = run("linxia_tianguan:import_video_alarms", params)
    again = run("linxia_tianguan:import_video_alarms", dict(params, OUTPUT=None, CAMERAS=None))
    print(f"    {first['ALARMS']} 条告警 → 新案件 {first['NEW_CASES']} 件（举证照片 {first['EVIDENCE']} 张）；"
          f"再次导入新增 {again['NEW_CASES']} 件")
    if first["NEW_CASES"] != 2 or again["NEW_CASES"] or first["EVIDENCE"] != 1:
        raise SystemExit("the video alarms did not become exactly two cases once, with the snapshot as evidence")
    summary["video_alarms"] = {k: first[k] for k in ("ALARMS", "NEW_CASES", "EVIDENCE")}


def changes_demo(out: Path, sample: Path, store: Path, summary: dict) -> None:
    """变化图斑提取与预判 on the sample's two survey years, cases into the store; a re-run adds none."""
    step("变化图斑提取与预判 Change polygons 2024 → 2025, pre-judged, stored as cases")
    params = {"BEFORE": uri(sample, "DLTB"), "AFTER": uri(sample, "DLTB_2025"), "YJJBNT": uri(sample, "YJJBNTTB"),
              "APPROVED": uri(sample, "PZYD"), "FACILITY": uri(sample, "SSNYDBA"), "TEMPORARY": uri(sample, "LSYD"),
              "BOUNDARY": uri(sample, "CZKFBJ"), "TODAY": "2025-06-30", "STORE": str(store)}
    found = run("linxia_tianguan:change_detection", dict(params, OUTPUT=str(out / "change_cases.gpkg")))
    again = run("linxia_tianguan:change_detection", dict(params, OUTPUT=None))
    if again["NEW_CASES"]:
        raise SystemExit("re-running the change analysis added cases")
    summary["changes"] = {k: found[k] for k in ("CANDIDATES", "NONAGRI", "NONGRAIN", "WATERSCAPE", "ABANDONED",
                                                "SUSPECT", "NEW_CASES")}
    print(f"    挖湖造景 {found['WATERSCAPE']} 处，撂荒（未耕种 WG）{found['ABANDONED']} 处")
    if not (found["WATERSCAPE"] and found["ABANDONED"]):
        raise SystemExit("the sample shows no 挖湖造景 or 撂荒 case")
    summary["changes"]["rerun_new_cases"] = again["NEW_CASES"]

    video_demo(out, store, summary)
    parcel_history_demo(out, store, summary)

    step("耕地平衡台账 The year's farmland balance ledgers (进出平衡, 占补平衡) from the two surveys")
    ledgers = run("linxia_tianguan:farmland_ledgers", {
        "BEFORE": uri(sample, "DLTB"), "AFTER": uri(sample, "DLTB_2025"), "OUTPUT": str(out / "耕地平衡台账图斑.gpkg"),
        "XLSX": str(out / "耕地平衡台账.xlsx"), "OUTPUT_PDF": str(out / "耕地平衡台账.pdf")})
    print(f"    进 {ledgers['IN_MU']:.2f} 亩、出 {ledgers['OUT_MU']:.2f} 亩；占 {ledgers['OCCUPY_MU']:.2f} 亩、"
          f"补 {ledgers['SUPPLEMENT_MU']:.2f} 亩 → 耕地平衡台账.xlsx、耕地平衡台账.pdf")
    summary["ledgers"] = {k: v for k, v in ledgers.items() if k.endswith("_MU")}


def workflow_demo(out: Path, store: Path, summary: dict) -> None:
    """案件流转: the three most urgent cases go through 下发 → 举证 → 上报; the county approves one (then it is
    enforced, rectified and closed), returns one for better evidence, and a second desk acting on a stale
    version gets a conflict."""
    from linxia_tianguan_plugin.core.cases import workflow as wf
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import cases, rebuilt_state, take_action

    step("案件流转 Case workflow: issue, evidence, report, approve / return, a concurrent-desk conflict")
    gpkg = GpkgStore(store, create=False)
    try:
        urgent = cases(gpkg, state="pending")[:3]
        moves = [("issue", "县审核员", wf.COUNTY_REVIEWER, "", ()),
                 ("submit_evidence", "社田管员", wf.GROUP_OFFICER, "现场核实，已拍照", ("evidence/photo_1.jpg",)),
                 ("report", "村田管员", wf.VILLAGE_TOWNSHIP, "", ())]
        versions = {}
        for case in urgent:
            version = case["version"]
            for action, actor, role, comment, files in moves:
                version = take_action(gpkg, case["case_id"], action, actor, role, version, comment, files)["version"]
            versions[case["case_id"]] = version
        first, second = urgent[0]["case_id"], urgent[1]["case_id"]
        version = take_action(gpkg, first, "approve", "县审核员", wf.COUNTY_REVIEWER, versions[first])["version"]
        # the approved case is enforced and rectified (what the dashboard's timeliness panel counts)
        version = take_action(gpkg, first, "start_enforcement", "执法队", wf.ENFORCEMENT, version,
                              "责令恢复耕种")["version"]
        version = take_action(gpkg, first, "report_rectified", "社田管员", wf.GROUP_OFFICER, version, "已复耕",
                              ("evidence/rectified_1.jpg",))["version"]
        versions[first] = take_action(gpkg, first, "close", "县审核员", wf.COUNTY_REVIEWER, version)["version"]
        take_action(gpkg, second, "return", "县审核员", wf.COUNTY_REVIEWER, versions[second], "照片未显示四至，请补拍")
        try:  # a second desk still showing an old version of the closed case
            take_action(gpkg, first, "return", "另一审核员", wf.COUNTY_REVIEWER, versions[first] - 1, "重复审批")
            raise SystemExit("a stale version was accepted")
        except wf.ConflictError as err:
            print(f"    第二个审核窗口的旧版本 {err.expected} 被拒绝（最新版本 {err.actual}）")
        mistaken = cases(gpkg, state="pending")[0]  # issued by mistake, recalled before the field acted on it
        version = take_action(gpkg, mistaken["case_id"], "issue", "县审核员", wf.COUNTY_REVIEWER,
                              mistaken["version"])["version"]
        take_action(gpkg, mistaken["case_id"], "recall", "县审核员", wf.COUNTY_REVIEWER, version,
                    "下发乡镇有误，撤回重下")
        print(f"    案件 {mistaken.get('case_no')} 误下发后撤回到待下发")
        states = {c["case_id"]: c["state"] for c in cases(gpkg)}
        for case in [*urgent, mistaken]:
            assert rebuilt_state(gpkg, case["case_id"]) == states[case["case_id"]]
        case_list_demo(out, gpkg, summary)
        summary["workflow"] = {wf.STATE_NAMES[s]: sum(v == s for v in states.values()) for s in wf.STATES
                               if any(v == s for v in states.values())}
        print("    " + "，".join(f"{k} {v}" for k, v in summary["workflow"].items()))
    finally:
        gpkg.close()


def case_list_demo(out: Path, gpkg, summary: dict) -> None:
    """案件清单: the county's open cases as the case dock exports them — Excel and PDF, case numbers, Chinese names."""
    from linxia_tianguan_plugin import case_list, fonts
    from linxia_tianguan_plugin.core.admin import AdminDivisions
    from linxia_tianguan_plugin.resources import divisions_csv
    from linxia_tianguan_plugin.storage.cases import cases

    divisions = gpkg.admin_divisions(AdminDivisions.from_csv(divisions_csv()))
    shown = [c for c in cases(gpkg) if c["state"] != "closed"]
    names = {}
    for c in shown:
        grid = c.get("grid_code") or ""
        for code in (grid[:9], grid[:12]):
            names[code] = divisions.name(code) or code
    table = case_list.CaseList("案件清单", case_list.list_rows(shown, names, {}, {}),
                               [("数据来源", "田管库"), ("状态", "未结案")])
    xlsx = case_list.write_xlsx(out / "案件清单.xlsx", table)
    pdf = case_list.write_pdf(out / "案件清单.pdf", table, fonts.cjk_family() or "WenQuanYi Micro Hei")
    summary["case_list"] = {"cases": len(shown), "xlsx": xlsx.name, "pdf": pdf.name}
    example = shown[0].get("case_no") if shown else "—"
    print(f"    {len(shown)} 件未结案案件 → {xlsx.name}、{pdf.name}（案件编号如 {example}）")


def field_demo(out: Path, store: Path, summary: dict) -> None:
    """掌上田管: the package of the group whose case was returned for better evidence goes to the phone; the
    officer walks the group and photographs the case; the package comes back and is imported (twice: the
    second adds nothing)."""
    import sqlite3

    from tools.phone import walk_and_photograph

    con = sqlite3.connect(store)
    row = con.execute("SELECT case_id, grid_code FROM tg_case WHERE state IN ('returned', 'issued') "
                      "ORDER BY state = 'returned' DESC, case_id LIMIT 1").fetchone()
    con.close()
    if row is None:
        print("    (no case waits for evidence)")
        return
    case_id, grid = row
    step(f"导出外业巡田包 Field package (QField) of group {grid}")
    folder = out / "外业巡田包"
    shutil.rmtree(folder, ignore_errors=True)
    exported = run("linxia_tianguan:field_package_export", {"STORE": str(store), "GRID": grid, "OUTPUT": str(folder)})
    package = folder / grid

    print("    (on the phone: a 25-minute walk through the group, a photo of the case, and a 巡田上报 of a new "
          "problem found on the way)")
    walk_and_photograph(package, grid, case_id)
    from tools.phone import Phone

    phone = Phone("社田管员")
    phone.report(package, [("非农化", phone.photo(package, "report_1.jpg"), "地块东侧新堆建筑材料，疑似建房")])
    # …and sketches the extent of a second problem (巡田上报范围, a 40 m square) with two photos of its own
    x, y = phone.parcel_point(package)
    square = f"POLYGON(({x - 20} {y - 20}, {x + 20} {y - 20}, {x + 20} {y + 20}, {x - 20} {y + 20}, {x - 20} {y - 20}))"
    phone.sketch(package, [(square, "撂荒", [phone.photo(package, "report_areas_1.jpg", "#a08050"),
                                              phone.photo(package, "report_areas_2.jpg", "#5080a0")], "整片两年未种")])

    step("导入外业成果 Import the returned package (then again: nothing new)")
    imported = run("linxia_tianguan:field_package_import", {"STORE": str(store), "FOLDER": str(package)})
    again = run("linxia_tianguan:field_package_import", {"STORE": str(store), "FOLDER": str(package)})
    if again["TRACKS"] or again["EVIDENCE"] or again["EVENTS"]:
        raise SystemExit("importing the same field package twice added rows")
    if imported["NEW_CASES"] != 2 or again["NEW_CASES"]:
        raise SystemExit("the two field reports (a point, a sketch) did not become exactly two cases")
    con = sqlite3.connect(store)
    report_photos = con.execute("SELECT count(*) FROM tg_case_evidence WHERE case_id IN (SELECT case_id FROM tg_case "
                                "WHERE source = 'field_report')").fetchone()[0]
    con.close()
    if report_photos != 3:
        raise SystemExit(f"the field reports' three photos became {report_photos} evidence rows")
    print(f"    巡田上报 {imported['REPORTS']} 条（一个点、一个勾画范围）→ 新案件 {imported['NEW_CASES']} 件（待下发，"
          f"需外业核实），照片 {report_photos} 张")
    summary["field_package"] = {"exported": {k: v for k, v in exported.items() if k != "FOLDER"},
                                "imported": {k: imported[k] for k in ("TRACKS", "EVIDENCE", "EVENTS", "CONFLICTS",
                                                                      "REPORTS", "NEW_CASES")}}

    step("核查举证材料 Verify every stored evidence file against its SHA-256")
    verified = run("linxia_tianguan:verify_evidence", {"STORE": str(store)})
    if verified["MISSING"] or verified["CHANGED"] or not verified["CHECKED"]:
        raise SystemExit("the evidence check found missing or changed files (or none to check)")
    summary["evidence_check"] = {k: verified[k] for k in ("CHECKED", "MISSING", "CHANGED")}


def enforcement_demo(out: Path, store: Path, summary: dict) -> None:
    """执法整改包: the county's approved and enforcing cases go to the enforcement staff's phone (workflow_demo leaves
    one case reported: the county approves it first); the officer records one as demolished and restored, with a
    photo; the package comes back and is imported (the case reaches 已整改), then again (nothing new)."""
    import datetime as dt
    import sqlite3
    import uuid

    from qgis.core import QgsFeature, QgsVectorLayer

    from linxia_tianguan_plugin.core.cases import workflow as wf
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import take_action
    from tools.phone import Phone

    con = sqlite3.connect(store)
    open_cases = con.execute("SELECT count(*) FROM tg_case WHERE state IN ('approved', 'enforcing')").fetchone()[0]
    reported = con.execute("SELECT case_id, version FROM tg_case WHERE state = 'reported' ORDER BY priority, case_id "
                           "LIMIT 1").fetchone()
    con.close()
    if not open_cases and reported is not None:
        gpkg = GpkgStore(store, create=False)
        try:
            take_action(gpkg, reported[0], "approve", "县审核员", wf.COUNTY_REVIEWER, reported[1])
        finally:
            gpkg.close()
        print("    县审核员审核通过一件已上报案件，交执法")
    step("导出执法整改包 Enforcement package (QField) of the approved and enforcing cases")
    folder = out / "执法整改包"
    shutil.rmtree(folder, ignore_errors=True)
    exported = run("linxia_tianguan:enforcement_package_export", {"STORE": str(store), "PREFIX": "",
                                                                  "OUTPUT": str(folder)})
    package = Path(exported["FOLDER"])
    if not exported["CASES"]:
        print("    (no case waits for enforcement)")
        return

    print("    (on the phone: the first case is demolished and restored to farmland; a photo and a note)")
    gpkg_path = package / "tianguan_field.gpkg"
    cases = QgsVectorLayer(f"{gpkg_path}|layername=cases", "cases", "ogr")
    case = next(cases.getFeatures())
    layer = QgsVectorLayer(f"{gpkg_path}|layername=rectification", "rectification", "ogr")
    row = QgsFeature(layer.fields())
    row.setGeometry(case.geometry().pointOnSurface())
    row["uuid"], row["case_id"], row["result"] = "{" + str(uuid.uuid4()) + "}", case["case_id"], "demolished"
    row["photo"] = Phone().photo(package, "rectified_1.jpg")
    row["note"], row["officer"], row["recorded_at"] = "违建已拆除，已复耕", "县执法队", dt.datetime(2026, 3, 16, 10, 0)
    if not (layer.startEditing() and layer.addFeature(row) and layer.commitChanges()):
        raise SystemExit(f"the phone cannot write the rectification: {layer.commitErrors()}")
    del layer, cases

    step("导入整改成果 Import the returned enforcement package (then again: nothing new)")
    imported = run("linxia_tianguan:enforcement_package_import", {"STORE": str(store), "FOLDER": str(package)})
    again = run("linxia_tianguan:enforcement_package_import", {"STORE": str(store), "FOLDER": str(package)})
    con = sqlite3.connect(store)
    state = con.execute("SELECT state FROM tg_case WHERE case_id = ?", (case["case_id"],)).fetchone()[0]
    con.close()
    if imported["CASES"] != 1 or state != wf.RECTIFIED or again["CASES"] or again["PHOTOS"]:
        raise SystemExit("the rectification did not move its case to 已整改 exactly once")
    number = case["case_no"] or case["case_id"][:8]
    print(f"    案件 {number} → {wf.STATE_NAMES[state]}（整改照片 {imported['PHOTOS']} 张）")
    summary["enforcement_package"] = {"cases": exported["CASES"], "parcels": exported["PARCELS"],
                                      "imported": {k: imported[k] for k in ("ROWS", "CASES", "PHOTOS", "CONFLICTS")},
                                      "state": wf.STATE_NAMES[state]}


def parcel_status_demo(out: Path, store: Path, summary: dict) -> None:
    """地块巡管状态: every coded parcel coloured by its status (red open case, blue rectifying, yellow patrol overdue,
    green clean) once the cases have moved and the field package came back."""
    step("地块巡管状态 Every coded parcel with its status: 有未结案件 / 整改中 / 巡田逾期 / 正常")
    target = out / "地块巡管状态.gpkg"
    target.unlink(missing_ok=True)
    found = run("linxia_tianguan:parcel_status", {"STORE": str(store), "OUTPUT": str(target)})
    counts = {"有未结案件": found["CASE"], "整改中": found["RECTIFYING"], "巡田逾期": found["OVERDUE"],
              "正常": found["CLEAN"]}
    print("    " + "，".join(f"{name} {n}" for name, n in counts.items()) + f"（共 {found['PARCELS']} 个地块）"
          f" → {target.name}")
    if not found["PARCELS"] or not found["CASE"] or not found["CLEAN"]:
        raise SystemExit("the parcel status layer shows no parcel, no parcel with an open case or none clean")
    summary["parcel_status"] = {"parcels": found["PARCELS"], **counts}


def postgis_demo(store: Path, summary: dict) -> None:
    """导出到 PostGIS: a throwaway PostgreSQL + PostGIS stands in for the county server; the cases go
    there through a saved QGIS connection (as a desk would), twice — the second export changes nothing."""
    from qgis.core import QgsProviderRegistry

    from tools.pg_cluster import running_cluster

    step("导出到 PostGIS Export the cases to a (throwaway) county PostGIS, then again")
    name = "临夏田管演示库"
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    with running_cluster() as params:
        uri = f"dbname='{params['dbname']}' host={params['host']} port={params['port']} user='{params['user']}'"
        metadata.saveConnection(metadata.createConnection(uri, {"saveUsername": True}), name)
        try:
            args = {"STORE": str(store), "CONNECTION": name, "SCHEMA": "tianguan"}
            first = run("linxia_tianguan:export_cases", args)
            again = run("linxia_tianguan:export_cases", args)
        finally:
            metadata.deleteConnection(name)  # leave the profile's connections as they were
    if again["INSERTED"] or again["UPDATED"] or again["EVENTS"]:
        raise SystemExit("re-exporting the cases changed PostGIS")
    summary["postgis"] = {"first": first, "again": again}


def second_county_desk(out: Path) -> Path:
    """康乐县 (622922)'s desk for the prefecture demo: a small sample of its own, coded, grid built, roster
    imported — as its analyst would have it."""
    from tools.samplegen import generate

    folder = out / "州库共享" / "康乐县"
    shutil.rmtree(folder, ignore_errors=True)
    generate(folder / "sample", size=3000, seed=20241028, counties=["622922"], tracks=False, shapefiles=False)
    sample = folder / "sample" / "sample_county.gpkg"
    store = folder / "tianguan.gpkg"
    run("linxia_tianguan:space_code", {"DLTB": uri(sample, "DLTB"), "DK": uri(sample, "DK"),
                                       "YJJBNT": uri(sample, "YJJBNTTB"), "CJDCQ": uri(sample, "CJDCQ"),
                                       "STORE": str(store), "NEW_STORE": True, "OUTPUT": None})
    run("linxia_tianguan:build_grid", {"XZQ": uri(sample, "XZQ"), "CJDCQ": uri(sample, "CJDCQ"), "STORE": str(store)})
    run("linxia_tianguan:import_roster", {"INPUT": str(folder / "sample" / "roster.csv"), "STORE": str(store)})
    return store


#: the prefecture demo's database roles (login roles made by the database administrator) and their scopes
DEMO_ROLES = {"tg_admin": None, "linxia_xian": "622921", "kangle_xian": "622922", "zhou_ldcs": "6229",
              "hanji_xiang": "622921100"}


def _report_counties(xlsx: Path) -> list[str]:
    """The county codes (6 digits) that appear in the first column of any sheet of the report's workbook."""
    import re

    from openpyxl import load_workbook

    found = set()
    book = load_workbook(xlsx, read_only=True)
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row[:2]:
                    match = re.match(r"^(6229\d\d)", str(value or ""))
                    if match:
                        found.add(match.group(1))
    finally:
        book.close()
    return sorted(found)


def prefecture_demo(out: Path, store: Path, summary: dict) -> None:
    """州库共享: a throwaway PostgreSQL + PostGIS stands in for the prefecture's server. The administrator sets the
    schema up and grants the roles (州库建库与授权); the sample county (临夏县) and a second county's desk (康乐县)
    publish (发布到州库); publishing again sends nothing; then each role counts what it sees."""
    import psycopg2
    from psycopg2 import sql
    from qgis.core import QgsProviderRegistry

    from tools.pg_cluster import running_cluster

    step("州库共享 A second county's desk (康乐县 622922) for the prefecture store")
    desk_b = second_county_desk(out)
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    with running_cluster() as params:
        conn = psycopg2.connect(**params)
        conn.autocommit = True
        with conn.cursor() as cur:  # what the database administrator does (docs/prefecture.md)
            cur.execute(sql.SQL("CREATE ROLE tg_admin LOGIN CREATEROLE"))
            cur.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO tg_admin").format(sql.Identifier(params["dbname"])))
            for role in DEMO_ROLES:
                if role != "tg_admin":
                    cur.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        conn.close()
        for role in DEMO_ROLES:
            uri_text = f"dbname='{params['dbname']}' host={params['host']} port={params['port']} user='{role}'"
            metadata.saveConnection(metadata.createConnection(uri_text, {"saveUsername": True}), f"州库_{role}")
        try:
            step("州库建库与授权 The administrator sets the schema up and grants each role its scope")
            run("linxia_tianguan:setup_prefecture_store", {"CONNECTION": "州库_tg_admin", "SCHEMA": "tianguan"})
            for role, scope in DEMO_ROLES.items():
                if scope:
                    run("linxia_tianguan:setup_prefecture_store", {"CONNECTION": "州库_tg_admin", "SCHEMA": "tianguan",
                                                                   "ROLE": role, "SCOPE": scope})
            published = {}
            for county, desk, role in (("临夏县", store, "linxia_xian"), ("康乐县", desk_b, "kangle_xian")):
                step(f"发布到州库 {county} publishes its store")
                published[county] = run("linxia_tianguan:publish_store", {
                    "STORE": str(desk), "CONNECTION": f"州库_{role}", "SCHEMA": "tianguan"})
                done = published[county]
                print(f"    发送 {done['ROWS_SENT']} 行，举证文件 {done['EVIDENCE_FILES']} 个，"
                      f"新增案件 {done['CASES_ADDED']} 件")
            step("发布到州库 临夏县 publishes again: nothing changed, nothing is sent")
            again = run("linxia_tianguan:publish_store", {"STORE": str(store), "CONNECTION": "州库_linxia_xian",
                                                          "SCHEMA": "tianguan"})
            if again["ROWS_SENT"] or again["BATCHES"]:
                raise SystemExit("publishing an unchanged store sent rows")
            step("州库共享 What each role sees (row-level security in the database)")
            seen = {}
            for role in DEMO_ROLES:
                if role == "tg_admin":
                    continue
                conn = psycopg2.connect(**dict(params, user=role))
                try:
                    with conn.cursor() as cur:
                        cur.execute("SELECT county_code, count(*) FROM tianguan.space_codes GROUP BY 1 ORDER BY 1")
                        seen[role] = dict(cur.fetchall())
                finally:
                    conn.close()
                print(f"    {role}（范围 {DEMO_ROLES[role]}）看到的空间码：" +
                      "，".join(f"{c} 县 {n} 个" for c, n in seen[role].items()))
            if set(seen["zhou_ldcs"]) != {"622921", "622922"} or set(seen["linxia_xian"]) != {"622921"}:
                raise SystemExit("the prefecture store's scopes do not hold")
            step("导出驾驶舱报告 The 州's dashboard report, drawn from the prefecture store (both counties)")
            folder = out / "州库共享"
            report = run("linxia_tianguan:dashboard_report", {
                "PREFECTURE_CONNECTION": "州库_zhou_ldcs", "PREFECTURE_SCHEMA": "tianguan",
                "OUTPUT_PDF": str(folder / "州驾驶舱报告.pdf"), "OUTPUT_XLSX": str(folder / "州驾驶舱统计表.xlsx")})
            counties = _report_counties(folder / "州驾驶舱统计表.xlsx")
            print(f"    州驾驶舱报告 {report['PAGES']} 页，统计表中的县：{'、'.join(counties)}")
            if not {"622921", "622922"} <= set(counties):
                raise SystemExit("the prefecture's dashboard report does not show both counties")
            step("从州库下载 A new analyst of 临夏县 downloads the county; publishing it right away sends nothing")
            fresh = str(folder / "新电脑_临夏县.gpkg")
            desk = {"CONNECTION": "州库_linxia_xian", "SCHEMA": "tianguan"}
            pulled = run("linxia_tianguan:pull_store", dict(desk, PREFIX="622921", OUTPUT=fresh))
            again_pulled = run("linxia_tianguan:publish_store", dict(desk, STORE=fresh))
            print(f"    下载 {pulled['ROWS']} 行、{pulled['CASES']} 件案件；"
                  f"随即发布发送 {again_pulled['ROWS_SENT']} 行")
            if again_pulled["ROWS_SENT"]:
                raise SystemExit("publishing a store just downloaded sent rows")
        finally:
            for role in DEMO_ROLES:
                metadata.deleteConnection(f"州库_{role}")
    summary["prefecture"] = {"published": published, "seen": seen}


def survey_totals_demo(out: Path, store: Path, summary: dict) -> None:
    """导入变更调查数据: the county's official totals of two annual change surveys (a GBK CSV as Excel saves it, areas
    in 亩, close to the coded parcels' totals) become the dashboard trend's imported years; the others stay derived."""
    import sqlite3

    from linxia_tianguan_plugin.core.reports.statistics import M2_PER_MU
    from linxia_tianguan_plugin.reports.survey_years import survey_years

    step("导入变更调查数据 Two years of official 变更调查 totals become the trend's imported years")
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        county, name = con.execute("SELECT code, name FROM tg_admin_unit WHERE level = 'county' ORDER BY code"
                                   ).fetchone()
        farm, basic = con.execute("SELECT total(gdmj_m2), total(yjmj_m2) FROM tg_space_code "
                                  "WHERE status = 'active'").fetchone()
    finally:
        con.close()
    mu = lambda m2, share: f"{m2 / M2_PER_MU * share:.2f}"  # noqa: E731 (亩, two decimals as the tables give them)
    rows = ["行政区代码,行政区名称,年份,耕地面积(亩),永久基本农田面积(亩),数据来源",
            f"{county},{name},2023,{mu(farm, 1.0031)},{mu(basic, 1.0004)},2023年度国土变更调查",
            f"{county},{name},2025,{mu(farm, 0.9986)},{mu(basic, 0.9993)},2025年度国土变更调查"]
    table = out / "变更调查_耕地汇总.csv"
    table.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    preview = run("linxia_tianguan:import_survey_totals", {"INPUT": str(table), "STORE": str(store), "PREVIEW": True})
    result = run("linxia_tianguan:import_survey_totals", {"INPUT": str(table), "STORE": str(store)})
    years = survey_years(store)
    names = {"coded": "赋码地块", "derived": "由变化案件推算", "imported": "变更调查（导入）"}
    for year, values in years.totals.items():
        print(f"    {year} 年：耕地 {values['farmland_m2'] / M2_PER_MU:,.2f} 亩，永久基本农田 "
              f"{values['basic_m2'] / M2_PER_MU:,.2f} 亩（{names.get(years.sources[year], years.sources[year])}）")
    if preview["ADDED"] != 2 or result["REFUSED"] or sorted(y for y, s in years.sources.items()
                                                           if s == "imported") != [2023, 2025]:
        raise SystemExit("the two years of 变更调查 totals were not imported as the trend's years")
    summary["survey_totals"] = {k: result[k] for k in ("ROWS", "ADDED", "REPLACED", "UNCHANGED", "REFUSED")}
    summary["survey_totals"]["years"] = {str(y): s for y, s in years.sources.items()}


def statistics_demo(out: Path, store: Path, summary: dict) -> None:
    """驾驶舱报告, 统计专题图 and 巡田考核 of the sample county: every figure from core.reports.statistics. The sample
    mixes dates (the survey week of June 2025, this month's tasks and cases), so the report covers all time."""
    step("驾驶舱报告 Dashboard report (PDF, a PNG per panel, XLSX tables)")
    report = run("linxia_tianguan:dashboard_report", {
        "STORE": str(store), "OUTPUT_PDF": str(out / "驾驶舱报告.pdf"), "OUTPUT_XLSX": str(out / "驾驶舱统计表.xlsx"),
        "OUTPUT_PNG_FOLDER": str(out / "驾驶舱")})
    summary["dashboard"] = {k: v for k, v in report.items() if not str(k).startswith("OUTPUT")}

    step("导出统计专题图 Statistics maps per township (coverage with an atlas of the townships)")
    maps = {}
    from linxia_tianguan_plugin.core.reports.indicators import INDICATORS

    for indicator, name in (("coverage", "巡田覆盖率"), ("cases", "问题图斑数"), ("lost_area", "问题图斑面积"),
                            ("rectification", "整改率")):
        result = run("linxia_tianguan:statistics_map", {
            "STORE": str(store), "INDICATOR": INDICATORS.index(indicator), "ATLAS": indicator == "coverage",
            "OUTPUT_PDF": str(out / f"专题图_{name}.pdf"), "OUTPUT_PNG": str(out / f"专题图_{name}.png")})
        maps[indicator] = result.get("PAGES")
    summary["statistics_maps"] = maps

    step("巡田考核 Assessment of this month: officers and grids, rankings, the 通报 list")
    assessed = run("linxia_tianguan:assessment", {"STORE": str(store), "PERIOD": 0,
                                                  "OUTPUT": str(out / "巡田考核_本月.xlsx")})
    summary["assessment"] = {k: v for k, v in assessed.items() if k != "OUTPUT"}


def qgis_process_demo(out: Path, code: str, store: Path) -> None:
    """The same plugin, installed in a throwaway profile, from the command line."""
    profile_root = out / "qgis_profile"
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(profile_root))
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_plugin.py"), "install"], env=env, check=True,
                   capture_output=True)
    site = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    binary = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"
    cmd = [binary, "run", "linxia_tianguan:decode_space_code", "--", f"CODE={code}", f"STORE={store}"]
    print("   $", " ".join(cmd[:3]), f"--CODE={code} --STORE={store}")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    (out / "qgis_process_decode.txt").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    for line in proc.stdout.splitlines():
        if line.startswith(("COUNTY", "TOWNSHIP", "VILLAGE", "GROUP", "STATUS", "VALID")):
            print("   ", line)
    if proc.returncode != 0:
        raise SystemExit(f"qgis_process failed:\n{proc.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "out")
    args = parser.parse_args()
    sample = args.sample / "sample_county.gpkg"
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("tianguan.gpkg", "coded_parcels.gpkg", "coding_issues.gpkg", "coding_preview.gpkg",
                  "validation.gpkg", "patrol_grid.gpkg", "grid_coverage.gpkg", "田管员花名册.xlsx", "巡田任务.xlsx",
                  "过期任务.xlsx", "预警名单.xlsx", "巡田记录_示例.csv", "耕地平衡台账", "码上查_地块历史",
                  "警示桩登记",
                  "checked_tracks.gpkg", "patrol_coverage.gpkg", "group_coverage.gpkg", "unseen_4_weeks.gpkg",
                  "巡田覆盖率.xlsx", "change_cases.gpkg", "驾驶舱报告.pdf", "驾驶舱统计表.xlsx", "专题图_",
                  "巡田考核_", "问题图斑", "案件清单"):
        for p in out.glob(stale + "*"):
            p.unlink()
    for folder in ("二维码标识", "驾驶舱", "外业巡田包", "州库共享", "码上查站点", "视频告警"):
        shutil.rmtree(out / folder, ignore_errors=True)
    app, _provider = start_qgis()
    store = out / "tianguan.gpkg"
    summary = {"sample": str(args.sample)}

    step("一键赋码 One-click space coding (first run)")
    base = {"DLTB": uri(sample, "DLTB"), "DK": uri(sample, "DK"), "YJJBNT": uri(sample, "YJJBNTTB"),
            "CJDCQ": uri(sample, "CJDCQ"), "STORE": str(store)}
    first = run("linxia_tianguan:space_code", dict(base, OUTPUT=str(out / "coded_parcels.gpkg"),
                                                   ISSUES=str(out / "coding_issues.gpkg"), NEW_STORE=True))
    summary["first_run"] = {k: first[k] for k in ("CODED", "NEW", "KEPT", "RETIRED", "ISSUE_COUNT", "RUN_ID")}

    step("一键赋码 again on identical input (codes must not change)")
    again = run("linxia_tianguan:space_code", dict(base, OUTPUT=None, ISSUES=None))
    summary["rerun"] = {k: again[k] for k in ("CODED", "NEW", "KEPT", "RETIRED")}
    if again["NEW"] or again["RETIRED"]:
        raise SystemExit("re-running on identical input changed codes")

    guard_demo(out, sample, store, base, summary)

    step("校验空间码 Validate space codes")
    checked = run("linxia_tianguan:validate_space_code", {
        "INPUT": str(out / "coded_parcels.gpkg"), "CJDCQ": uri(sample, "CJDCQ"), "DLTB": uri(sample, "DLTB"),
        "STORE": str(store), "OUTPUT": str(out / "validation.gpkg")})
    summary["validation"] = {"errors": checked["ERRORS"], "warnings": checked["WARNINGS"]}

    from qgis.core import QgsVectorLayer

    coded = QgsVectorLayer(str(out / "coded_parcels.gpkg"), "coded", "ogr")
    example = next(coded.getFeatures())["KJM"]
    del coded
    step(f"解析空间码 Decode {example}")
    decoded = run("linxia_tianguan:decode_space_code", {"CODE": example, "STORE": str(store)})
    summary["decoded"] = {k: decoded[k] for k in ("COUNTY", "TOWNSHIP", "VILLAGE", "GROUP", "STATUS")}

    step("构建巡田网格 Build the five-level patrol grid")
    grid = run("linxia_tianguan:build_grid", {"XZQ": uri(sample, "XZQ"), "CJDCQ": uri(sample, "CJDCQ"),
                                              "STORE": str(store), "OUTPUT": str(out / "patrol_grid.gpkg")})
    summary["grid"] = {k: grid[k] for k in ("BUILD_ID", "LEVEL1", "LEVEL2", "LEVEL3", "LEVEL4", "LEVEL5")}

    step("网格覆盖检查 Check that the grid covers everything once")
    coverage = run("linxia_tianguan:grid_coverage", {"STORE": str(store), "OUTPUT": str(out / "grid_coverage.gpkg")})
    summary["grid_coverage"] = {"problems": coverage["PROBLEMS"]}
    if coverage["PROBLEMS"]:
        raise SystemExit("the freshly built grid has coverage problems: see out/grid_coverage.gpkg")

    patrol_demo(out, sample, store, summary)
    tracks_demo(out, sample, store, summary)
    changes_demo(out, sample, store, summary)
    workflow_demo(out, store, summary)
    field_demo(out, store, summary)
    parcel_status_demo(out, store, summary)
    enforcement_demo(out, store, summary)
    postgis_demo(store, summary)
    prefecture_demo(out, store, summary)
    survey_totals_demo(out, store, summary)
    statistics_demo(out, store, summary)

    step("生成二维码标识 QR warning-post labels for one group")
    labels = run("linxia_tianguan:qr_labels", {"STORE": str(store), "CODES": example[:14],
                                               "OUTPUT": str(out / "二维码标识"), "SITE": str(out / "码上查站点")})
    print(f"    码上查静态站点：{labels['PAGES']} 个页面 → 码上查站点/")
    summary["qr_labels"] = {"labels": labels["LABELS"], "pdf": labels["PDF"], "site_pages": labels["PAGES"]}

    step("登记警示桩 The posts installed for that group enter the register (then one is reported damaged)")
    import sqlite3

    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        posts = con.execute("SELECT code, lon, lat FROM tg_space_code WHERE status = 'active' AND code LIKE ? "
                            "ORDER BY code LIMIT 3", (example[:14] + "%",)).fetchall()
    finally:
        con.close()
    listing = out / "警示桩登记.csv"
    rows = ["桩号,空间码,经度,纬度,安装日期,状况,备注"] + [
        f"ZSZ-{example[:14]}-{i},{code},{lon},{lat},2025/6/{i},完好," for i, (code, lon, lat) in enumerate(posts, 1)]
    listing.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    first = run("linxia_tianguan:register_warning_posts", {"INPUT": str(listing), "STORE": str(store)})
    rows[1] = rows[1].replace(",完好,", ",损坏,牌面被撞歪")
    listing.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    again = run("linxia_tianguan:register_warning_posts", {"INPUT": str(listing), "STORE": str(store),
                                                           "OUTPUT": str(out / "警示桩登记.gpkg")})
    print(f"    登记 {first['ADDED']} 根警示桩；再次导入更新 {again['UPDATED']} 根（损坏），新增 {again['ADDED']} 根")
    if first["ADDED"] != len(posts) or again["UPDATED"] != 1 or again["ADDED"]:
        raise SystemExit("the warning post register did not take the list as expected")
    summary["warning_posts"] = {"added": first["ADDED"], "updated": again["UPDATED"]}

    step("专题图 PDF map")
    pdf = export_map(out, sample, out / "coded_parcels.gpkg", store)
    print("   ", pdf)
    summary["pdf"] = str(pdf)

    step("qgis_process (plugin installed in a throwaway profile)")
    qgis_process_demo(out, example, store)

    # Layers and layouts must die before the application does, or exitQgis() crashes on them; closing
    # them also checkpoints the store's WAL so that out/ holds plain files.
    from qgis.core import QgsProject

    QgsProject.instance().clear()
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    step(f"done: outputs in {out}/")
    for p in sorted(out.iterdir()):
        if p.is_file():
            print(f"    {p.name:32s} {p.stat().st_size / 1e6:8.1f} MB")
    app.exitQgis()


if __name__ == "__main__":
    main()
