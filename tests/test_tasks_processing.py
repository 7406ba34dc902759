"""下发巡田任务, 登记巡田记录 and 导出巡田任务 through Processing, on a small hand-made grid and roster."""
from __future__ import annotations

import csv
import datetime as dt

import pytest
from osgeo import ogr

from linxia_tianguan_plugin.core import clock
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage import tasks as task_store
from tests.helpers import recording_feedback, run, run_failing

PREFECTURE, COUNTY = "6229", "622921"
TOWNSHIPS = ["622921101", "622921102"]
VILLAGES = ["622921101001", "622921102001"]
GROUPS = ["62292110100101", "62292110100102", "62292110200101"]
CELLS = [(PREFECTURE, 1, "临夏州"), (COUNTY, 2, "临夏县"), (TOWNSHIPS[0], 3, "韩集镇"), (TOWNSHIPS[1], 3, "土桥镇"),
         (VILLAGES[0], 4, "一村"), (VILLAGES[1], 4, "二村"),
         (GROUPS[0], 5, "一村一社"), (GROUPS[1], 5, "一村二社"), (GROUPS[2], 5, "二村一社")]
# 2025 begins on a Wednesday and has 52 Mondays: 53 weeks overlap it
YEAR_TASKS = 3 * 53 + 2 * 12 + 2 * 4 + 1 * 2 + 1 * 2


def _mondays(year: int) -> int:
    return sum(1 for d in range(366) if (dt.date(year, 1, 1) + dt.timedelta(days=d)).year == year
               and (dt.date(year, 1, 1) + dt.timedelta(days=d)).weekday() == 0)


def _store(path, grid: bool = True, roster: bool = True) -> str:
    """A 田管库 with a grid build (plus an older, inactive one) and a roster, written with plain SQL."""
    store = GpkgStore(path, epsg=4522)
    with store.transaction() as conn:
        if grid:
            conn.execute("INSERT INTO tg_grid_build VALUES ('old', '2025-01-01T00:00:00Z', NULL, NULL, 0)")
            conn.execute("INSERT INTO tg_grid_cell (build_id, level, code, name) VALUES ('old', 5, '62292110299999', "
                         "'gone')")
            conn.execute("INSERT INTO tg_grid_build VALUES ('b1', '2025-06-01T00:00:00Z', NULL, NULL, 1)")
            conn.executemany("INSERT INTO tg_grid_cell (build_id, level, code, parent, name) VALUES ('b1', ?, ?, ?, ?)",
                             [(level, code, None, name) for code, level, name in CELLS])
        if roster:
            conn.execute("INSERT INTO tg_roster_import VALUES ('r0', '2025-01-01T00:00:00Z', 'old.xlsx', NULL, 0)")
            conn.execute("INSERT INTO tg_roster_import VALUES ('r1', '2025-06-01T00:00:00Z', 'roster.xlsx', NULL, 1)")
            conn.executemany(
                "INSERT INTO tg_officer (roster_id, level, grid_code, grid_name, name, role, post, phone, vacant) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                    ("r0", 5, GROUPS[0], "一村一社", "旧社长", "officer", "社长", "13000000000", 0),
                    ("r1", 5, GROUPS[0], "一村一社", "马社长", "officer", "社长", "13900000001", 0),
                    ("r1", 5, GROUPS[1], "一村二社", "", "officer", "社长", "", 1),  # vacant
                    ("r1", 5, GROUPS[2], "二村一社", "王社长", "officer", "社长", "13900000003", 0),
                    ("r1", 4, VILLAGES[0], "一村", "李书记", "officer", "村支书", "13900000004", 0),
                    ("r1", 4, VILLAGES[0], "一村", "张会计", "assistant", "会计", "13900000005", 0),
                    ("r1", 3, TOWNSHIPS[0], "韩集镇", "赵镇长", "officer", "镇长", "13900000006", 0),
                ])
    store.close()
    return str(path)


def _rows(layer) -> list[dict]:
    return [dict(zip(layer.fields().names(), f.attributes())) for f in layer.getFeatures()]


def _dispatch(store: str, **extra) -> dict:
    params = {"STORE": store, "START": "2025-01-01", "END": "2025-12-31", "OUTPUT": "TEMPORARY_OUTPUT"}
    params.update(extra)
    return run("linxia_tianguan:dispatch_tasks", params)


@pytest.fixture(scope="module")
def store(processing_registry, tmp_path_factory):
    return _store(tmp_path_factory.mktemp("tasks") / "tg.gpkg")


def test_dispatch_needs_a_grid_or_a_roster(processing_registry, tmp_path):
    message = run_failing("linxia_tianguan:dispatch_tasks", {"STORE": _store(tmp_path / "e.gpkg", False, False)})
    assert "Build the patrol grid or import an officer roster first" in message


def test_dispatch_rejects_bad_dates_and_codes(processing_registry, tmp_path):
    path = _store(tmp_path / "d.gpkg")
    assert "2025-02-30" in run_failing("linxia_tianguan:dispatch_tasks", {"STORE": path, "START": "2025-02-30"})
    assert "before the start" in run_failing("linxia_tianguan:dispatch_tasks",
                                             {"STORE": path, "START": "2025-03-01", "END": "2025-02-01"})
    assert "62292X" in run_failing("linxia_tianguan:dispatch_tasks", {"STORE": path, "PREFIX": "62292X"})


def test_without_a_grid_build_the_active_roster_gives_the_grids(processing_registry, tmp_path):
    path = _store(tmp_path / "r.gpkg", grid=False)
    result = _dispatch(path, START="2025-03-01", END="2025-03-31")
    rows = _rows(result["OUTPUT"])
    # active roster r1: three 社 (one vacant), one 村, one 乡 — every grid listed, vacant or not
    assert sorted({r["grid_code"] for r in rows}) == sorted([*GROUPS, VILLAGES[0], TOWNSHIPS[0]])
    assert result["CREATED"] == 3 * 6 + 1 + 1  # weeks Feb 24 … Mar 31 overlap March: 6


def test_dispatch_default_is_the_current_month(processing_registry, tmp_path):
    path = _store(tmp_path / "m.gpkg")
    result = run("linxia_tianguan:dispatch_tasks", {"STORE": path, "LEVELS": [2]})  # 乡
    today = clock.today_beijing()
    s = GpkgStore(path, create=False)
    found = task_store.tasks(s)
    s.close()
    assert result["CREATED"] == 2 and {t.level for t in found} == {3}
    assert all(t.period_start <= today.isoformat() <= t.period_end for t in found)


def test_dispatch_a_year_then_again(store):
    first = _dispatch(store)
    assert _mondays(2025) == 52
    assert (first["CREATED"], first["EXISTING"]) == (YEAR_TASKS, 0)
    assert first["OVERDUE"] == YEAR_TASKS and first["DONE"] == first["OPEN"] == 0  # 2025 is over, no patrols
    rows = _rows(first["OUTPUT"])
    assert len(rows) == YEAR_TASKS
    per_grid = {}
    for r in rows:
        per_grid[r["grid_code"]] = per_grid.get(r["grid_code"], 0) + 1
    assert per_grid == {PREFECTURE: 2, COUNTY: 2, **dict.fromkeys(TOWNSHIPS, 4), **dict.fromkeys(VILLAGES, 12),
                        **dict.fromkeys(GROUPS, 53)}
    assert "62292110299999" not in per_grid  # only the active build's cells
    week = next(r for r in rows if r["task_id"] == f"RW{GROUPS[0]}20250303")
    assert (week["period_start"], week["period_end"], week["due_at"], week["due_local"]) == (
        "2025-03-03", "2025-03-09", "2025-03-09T15:59:59Z", "2025-03-09 23:59:59")
    assert (week["officer"], week["phone"], week["status"], week["level_name"]) == (
        "马社长", "13900000001", "已过期", "社")
    assert week["grid_name"] == "一村一社" and week["township"] == TOWNSHIPS[0]
    vacant = next(r for r in rows if r["grid_code"] == GROUPS[1])
    assert not vacant["officer"]
    village = next(r for r in rows if r["grid_code"] == VILLAGES[0])
    assert village["officer"] == "李书记"  # the officer, not the assistant

    again = _dispatch(store)
    assert (again["CREATED"], again["EXISTING"], again["OVERDUE"]) == (0, YEAR_TASKS, YEAR_TASKS)
    s = GpkgStore(store, create=False)
    assert s.conn.execute("SELECT count(*) FROM tg_task").fetchone()[0] == YEAR_TASKS
    assert s.conn.execute("SELECT count(DISTINCT dispatch_run) FROM tg_task").fetchone()[0] == 1
    s.close()


def _csv(path, text: str, encoding: str = "utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


def _xlsx(path) -> str:
    ds = ogr.GetDriverByName("XLSX").CreateDataSource(str(path))
    layer = ds.CreateLayer("patrols", geom_type=ogr.wkbNone)
    layer.CreateField(ogr.FieldDefn("网格编码", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("田管员", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("开始时间", ogr.OFTDateTime))
    layer.CreateField(ogr.FieldDefn("结束时间", ogr.OFTDateTime))
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetField("网格编码", TOWNSHIPS[0])
    feature.SetField("田管员", "赵镇长")
    feature.SetField("开始时间", 2025, 8, 12, 9, 30, 0, 0)  # naive in the workbook: Beijing time
    feature.SetField("结束时间", 2025, 8, 12, 11, 0, 0, 0)
    layer.CreateFeature(feature)
    ds = None
    return str(path)


def test_record_patrols_then_statuses_and_export(store, tmp_path):
    _dispatch(store)
    table = _csv(tmp_path / "patrols.csv", "\ufeff网格编码,田管员,开始时间,结束时间,有效,备注\n"
                 f"{GROUPS[0]},马社长,2025-03-03 09:00,2025-03-03 10:30,是,\n"
                 f"{GROUPS[1]},,2025-03-02T17:30:00Z,,1,01:30 on Monday in Beijing\n"
                 "62292110100199,马社长,2025-03-04 09:00,,,unknown group\n"
                 f"{GROUPS[2]},王社长,2025-03-0x 09:00,,,typo\n"
                 f"{GROUPS[2]},王社长,2025-03-05 09:00,,否,GPS track missing\n"
                 f"{GROUPS[2]},王社长,2025-03-06 10:00,2025-03-06 09:00,,reversed\n")
    feedback = recording_feedback()
    result = run("linxia_tianguan:record_patrols", {"STORE": store, "INPUT": table}, feedback=feedback)
    assert (result["ADDED"], result["REJECTED"], result["SKIPPED"]) == (3, 3, 3)
    errors = "\n".join(feedback.errors)
    assert "Row 4" in errors and "62292110100199" in errors
    assert "Row 5" in errors and "2025-03-0x 09:00" in errors
    assert "Row 7" in errors and "before the start" in errors
    again = run("linxia_tianguan:record_patrols", {"STORE": store, "INPUT": table})
    assert (again["ADDED"], again["SKIPPED"]) == (0, 6)

    gbk = _csv(tmp_path / "gbk.csv", "网格编码,田管员,开始时间,结束时间,备注\n"
               f"{VILLAGES[0]},李书记,2025-05-20 10:00,2025-05-20 12:00,村级巡田\n", encoding="gbk")
    feedback = recording_feedback()
    assert run("linxia_tianguan:record_patrols", {"STORE": store, "INPUT": gbk}, feedback=feedback)["ADDED"] == 1
    assert any("GBK" in m for m in feedback.infos)
    assert run("linxia_tianguan:record_patrols", {"STORE": store, "INPUT": _xlsx(tmp_path / "p.xlsx")})["ADDED"] == 1

    s = GpkgStore(store, create=False)
    recorded = {p.grid_code: p for p in task_store.patrols(s)}
    s.close()
    assert recorded[GROUPS[1]].officer is None  # vacant grid, no officer named
    assert recorded[GROUPS[0]].started_at == "2025-03-03T01:00:00Z" and recorded[GROUPS[0]].source == "import"
    assert recorded[GROUPS[2]].valid is False
    assert recorded[VILLAGES[0]].note == "村级巡田"
    assert recorded[TOWNSHIPS[0]].started_at == "2025-08-12T01:30:00Z"

    result = _dispatch(store)
    assert result["CREATED"] == 0
    assert (result["DONE"], result["OVERDUE"]) == (4, YEAR_TASKS - 4)
    done = {(r["grid_code"], r["period_start"]) for r in _rows(result["OUTPUT"]) if r["status"] == "已完成"}
    assert done == {(GROUPS[0], "2025-03-03"), (GROUPS[1], "2025-03-03"), (VILLAGES[0], "2025-05-01"),
                    (TOWNSHIPS[0], "2025-07-01")}

    # as of 5 March 2025 (Beijing), the week of 3 March is open for the group whose patrol was not valid
    early = _dispatch(store, START="2025-03-03", END="2025-03-09", AS_OF="2025-03-05 12:00")
    by_grid = {(r["grid_code"], r["period_start"]): r["status"] for r in _rows(early["OUTPUT"])}
    assert by_grid[(GROUPS[2], "2025-03-03")] == "未完成"
    assert by_grid[(GROUPS[0], "2025-03-03")] == "已完成"
    assert early["OVERDUE"] == 0

    feedback = recording_feedback()
    xlsx = tmp_path / "out" / "任务.xlsx"
    out = run("linxia_tianguan:export_tasks", {"STORE": store, "PREFIX": TOWNSHIPS[0], "START": "2025-03-01",
                                               "END": "2025-03-31", "OUTPUT": str(xlsx)}, feedback=feedback)
    assert out["OUTPUT"] == str(xlsx) and xlsx.exists()
    assert not list(xlsx.parent.glob(".*partial*"))
    ds = ogr.Open(str(xlsx))
    sheet = ds.GetLayerByName("巡田任务")
    headers = [sheet.GetLayerDefn().GetFieldDefn(i).GetName() for i in range(sheet.GetLayerDefn().GetFieldCount())]
    assert headers[:3] == ["任务编号", "网格编码", "网格名称"] and "状态" in headers and "田管员" in headers
    rows = [{h: f.GetField(h) for h in headers} for f in sheet]
    # township 101: 2 groups × 6 weeks overlapping March, 1 village month, 1 township quarter
    assert len(rows) == out["ROWS"] == 2 * 6 + 1 + 1
    assert {r["状态"] for r in rows} == {"已完成", "已过期"}
    assert next(r for r in rows if r["任务编号"] == f"RW{GROUPS[0]}20250303")["状态"] == "已完成"
    summary = {f.GetField("乡镇编码"): f.GetField("过期任务数") for f in ds.GetLayerByName("过期汇总")}
    assert summary == {TOWNSHIPS[0]: out["OVERDUE"]}
    ds = None
    log = "\n".join(feedback.infos)
    assert TOWNSHIPS[0] in log and "韩集镇" in log and "overdue" in log

    csv_path = tmp_path / "overdue.csv"
    out = run("linxia_tianguan:export_tasks", {"STORE": store, "START": "2025-03-01", "END": "2025-03-31",
                                               "OVERDUE_ONLY": True, "OUTPUT": str(csv_path)})
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(csv_path, encoding="utf-8-sig", newline="") as handle:
        table_rows = list(csv.DictReader(handle))
    assert len(table_rows) == out["ROWS"] == out["OVERDUE"]
    assert {r["状态"] for r in table_rows} == {"已过期"}
    ds = ogr.Open(str(csv_path))
    layer = ds.GetLayer(0)
    assert layer.GetFeatureCount() == out["ROWS"]
    assert layer.GetLayerDefn().GetFieldDefn(1).GetName() == "网格编码"
    assert {f.GetField("网格编码") for f in layer} >= {GROUPS[2], TOWNSHIPS[1]}
    ds = None


def test_export_rejects_other_formats(store, tmp_path):
    assert ".xlsx" in run_failing("linxia_tianguan:export_tasks", {"STORE": store, "OUTPUT": str(tmp_path / "x.txt")})


def test_record_patrols_names_missing_columns(store, tmp_path):
    table = _csv(tmp_path / "bad.csv", "code,who\n62292110100101,马\n")
    message = run_failing("linxia_tianguan:record_patrols", {"STORE": store, "INPUT": table})
    assert "网格编码" in message and "开始时间" in message


def test_record_patrols_with_english_headers_by_hand(processing_registry, tmp_path):
    path = _store(tmp_path / "h.gpkg")
    table = _csv(tmp_path / "en.csv", "Grid_Code,Officer,Started_At,Ended_At,Valid,Note\n"
                 f"{COUNTY},县长,2025-06-30T23:30:00+08:00,2025-07-01T01:00:00+08:00,yes,\n"
                 f"{PREFECTURE},州长,2025-06-30T16:30:00Z,,no,\n")
    result = run("linxia_tianguan:record_patrols", {"STORE": path, "INPUT": table, "SOURCE": 1})
    assert (result["ADDED"], result["REJECTED"]) == (2, 0)
    s = GpkgStore(path, create=False)
    recorded = {p.grid_code: p for p in task_store.patrols(s)}
    s.close()
    assert recorded[COUNTY].started_at == "2025-06-30T15:30:00Z" and recorded[COUNTY].source == "manual"
    assert recorded[PREFECTURE].valid is False
    out = _dispatch(path, START="2025-06-30", END="2025-07-01", LEVELS=[0, 1])
    status = {(r["grid_code"], r["period_start"]): r["status"] for r in _rows(out["OUTPUT"])}
    # 23:30 on 30 June in Beijing completes the first half-year; the prefecture's patrol was not valid
    assert status == {(COUNTY, "2025-01-01"): "已完成", (COUNTY, "2025-07-01"): "已过期",
                      (PREFECTURE, "2025-01-01"): "已过期", (PREFECTURE, "2025-07-01"): "已过期"}
