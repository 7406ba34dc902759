"""预警 (issue 18): open tasks falling due within N Beijing days are 即将到期, listed with the overdue ones per officer.

The rule (core.patrol.tasks.due_soon / warning_status / officer_warnings) on fixed instants around its edges, then
导出巡田任务 through Processing on a hand-made store with real patrols: the task table and the per-officer warning
list are read back by openpyxl (XLSX) and fiona (CSV), and the list's counts are checked against a count made here
from the exported task table. Every instant is fixed (AS_OF); nothing reads the machine's clock.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter, defaultdict

import pytest

from linxia_tianguan_plugin.core.patrol import tasks as t
from linxia_tianguan_plugin.storage import GpkgStore
from tests.helpers import recording_feedback, run, run_failing

BEIJING = dt.timezone(dt.timedelta(hours=8))
CJK = re.compile(r"[\u4e00-\u9fff]")
COUNTY, TOWNSHIP, VILLAGE = "622921", "622921101", "622921101001"
G1, G2, G3 = "62292110100101", "62292110100102", "62292110100103"  # 马社长, vacant, 王社长
CELLS = [(COUNTY, 2, "临夏县"), (TOWNSHIP, 3, "韩集镇"), (VILLAGE, 4, "一村"),
         (G1, 5, "一村一社"), (G2, 5, "一村二社"), (G3, 5, "一村三社")]
#: a Wednesday morning in Beijing: the week of 10 March (due Sunday 16 March 23:59:59) is 4 calendar days off
AS_OF = "2025-03-12 10:00"
#: dispatched for March: 6 weeks overlap it (24 Feb … 31 Mar) for 3 groups, + village month, township quarter,
#: county half-year
TASKS = 6 * 3 + 1 + 1 + 1
ZH = {"done": "已完成", "open": "未完成", "due_soon": "即将到期", "overdue": "已过期"}


def bj(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


def task(grid: str, first: str, last: str, officer: str | None = None, phone: str | None = None) -> t.Task:
    return t.Task(t.task_id(grid, dt.date.fromisoformat(first)), grid, 5, first, last,
                  t.due_at(dt.date.fromisoformat(last)), officer, phone)


WEEK = task(G1, "2025-03-10", "2025-03-16", "马社长", "13900000001")  # due 2025-03-16 23:59:59 Beijing


# ------------------------------------------------------------------------------------------ the rule
@pytest.mark.parametrize("as_of, days, expected", [
    (bj(2025, 3, 12, 10), 4, True),  # due exactly N calendar days later
    (bj(2025, 3, 12, 10), 3, False),  # one day short
    (bj(2025, 3, 12, 0, 0, 0), 4, True),  # the whole Beijing day counts, from its first second…
    (bj(2025, 3, 11, 23, 59, 59), 4, False),  # …and not a second before
    (bj(2025, 3, 16, 8), 0, True),  # N = 0: falls due today
    (bj(2025, 3, 15, 23, 59, 59), 0, False),  # N = 0: tomorrow is not today
    (bj(2025, 3, 15, 23, 59, 59), 1, True),
    (bj(2025, 3, 16, 23, 59, 59), 0, True),  # at the due instant itself it is still open
    (bj(2025, 3, 17, 0, 0, 0), 0, False),  # a second later it is overdue, never due soon
    (bj(2025, 3, 17, 0, 0, 0), 365, False),
])
def test_due_soon_counts_beijing_calendar_days(as_of, days, expected):
    assert t.due_soon(WEEK.due_at, as_of, days) is expected
    status = t.task_status(WEEK, [], as_of)
    assert t.warning_status(WEEK, status, as_of, days) == (t.DUE_SOON if expected else status)


def test_due_soon_takes_the_beijing_day_not_the_utc_one():
    # 16 March 00:30 in Beijing is still 15 March in UTC: the task falls due *today* on the desk's calendar
    as_of = dt.datetime(2025, 3, 15, 16, 30, tzinfo=dt.timezone.utc)
    assert t.due_soon(WEEK.due_at, as_of, 0)
    assert t.due_soon(WEEK.due_at, "2025-03-15T16:30:00Z", 0)
    assert not t.due_soon(WEEK.due_at, "2025-03-15T15:30:00Z", 0)  # 23:30 on the 15th in Beijing


def test_done_tasks_are_never_due_soon_and_overdue_ones_stay_overdue():
    patrol = t.make_patrol(G1, "马社长", "2025-03-11 09:00")
    as_of = bj(2025, 3, 16, 12)
    assert t.task_status(WEEK, [patrol], as_of) == t.DONE
    assert t.warning_statuses([WEEK], [patrol], as_of, 30) == [t.DONE]
    late = bj(2025, 3, 20, 12)
    assert t.warning_statuses([WEEK], [], late, 30) == [t.OVERDUE]  # overdue is not also counted due soon
    assert t.warning_statuses([WEEK], [], as_of, 30) == [t.DUE_SOON]


def test_a_negative_window_is_refused():
    with pytest.raises(t.TaskError):
        t.due_soon(WEEK.due_at, bj(2025, 3, 12, 10), -1)


def test_the_status_has_its_chinese_name_in_the_registry():
    from linxia_tianguan_plugin import labels

    assert t.STATUS_ZH[t.DUE_SOON] == "即将到期"
    assert labels.task_status_labels()[t.DUE_SOON] == "即将到期"
    assert labels.field_value_maps()["status"][t.DUE_SOON] == "即将到期"


def test_officer_warnings_count_each_task_once_per_officer():
    tasks = [
        task(G1, "2025-02-24", "2025-03-02", "马社长", "13900000001"),  # overdue
        task(G1, "2025-03-03", "2025-03-09", "马社长", "13900000001"),  # done
        task(G1, "2025-03-10", "2025-03-16", "马社长", "13900000001"),  # due soon
        task(G2, "2025-02-24", "2025-03-02"), task(G2, "2025-03-03", "2025-03-09"),  # vacant: overdue ×2
        task(G2, "2025-03-10", "2025-03-16"),  # vacant: due soon
        task(G3, "2025-03-03", "2025-03-09", "王社长", "13900000003"),  # overdue
        task(G3, "2025-03-17", "2025-03-23", "王社长", "13900000003"),  # open, beyond the window
        task(VILLAGE, "2025-03-01", "2025-03-31", "马社长", "13900000001"),  # the same person, another grid: open
    ]
    patrols = [t.make_patrol(G1, "马社长", "2025-03-05 09:00")]
    statuses = t.warning_statuses(tasks, patrols, bj(2025, 3, 12, 10), 4)
    assert Counter(statuses) == {t.OVERDUE: 4, t.DUE_SOON: 2, t.DONE: 1, t.OPEN: 2}
    warned = t.officer_warnings(tasks, statuses)
    assert [(w.officer, w.phone, w.grids, w.overdue, w.due_soon) for w in warned] == [
        ("", "", [G2], 2, 1), ("马社长", "13900000001", [G1], 1, 1), ("王社长", "13900000003", [G3], 1, 0)]
    assert sum(w.count for w in warned) == 6
    assert {w.officer: w.earliest_due for w in warned} == {
        "": "2025-03-02T15:59:59Z", "马社长": "2025-03-02T15:59:59Z", "王社长": "2025-03-09T15:59:59Z"}
    # a wider window reaches the village month of the same officer: one line, two grids
    wide = t.officer_warnings(tasks, t.warning_statuses(tasks, patrols, bj(2025, 3, 12, 10), 19))
    ma = next(w for w in wide if w.officer == "马社长")
    assert (ma.grids, ma.overdue, ma.due_soon) == (sorted([G1, VILLAGE]), 1, 2)


# ------------------------------------------------------------------------------------------ 导出巡田任务
def _store(path) -> str:
    """A 田管库 with a grid build and a roster (one vacant group), written with plain SQL."""
    store = GpkgStore(path, epsg=4522)
    with store.transaction() as conn:
        conn.execute("INSERT INTO tg_grid_build VALUES ('b1', '2025-01-01T00:00:00Z', NULL, NULL, 1)")
        conn.executemany("INSERT INTO tg_grid_cell (build_id, level, code, parent, name) VALUES ('b1', ?, ?, NULL, ?)",
                         [(level, code, name) for code, level, name in CELLS])
        conn.execute("INSERT INTO tg_roster_import VALUES ('r1', '2025-01-01T00:00:00Z', 'roster.xlsx', NULL, 1)")
        conn.executemany(
            "INSERT INTO tg_officer (roster_id, level, grid_code, grid_name, name, role, post, phone, vacant) "
            "VALUES ('r1', ?, ?, ?, ?, 'officer', ?, ?, ?)", [
                (5, G1, "一村一社", "马社长", "社长", "13900000001", 0),
                (5, G2, "一村二社", "", "社长", "", 1),
                (5, G3, "一村三社", "王社长", "社长", "13900000003", 0),
                (4, VILLAGE, "一村", "李书记", "村支书", "13900000004", 0),
                (3, TOWNSHIP, "韩集镇", "赵镇长", "镇长", "13900000006", 0)])
    store.close()
    return str(path)


@pytest.fixture(scope="module")
def store(processing_registry, tmp_path_factory):
    base = tmp_path_factory.mktemp("due_soon")
    path = _store(base / "tg.gpkg")
    dispatched = run("linxia_tianguan:dispatch_tasks", {"STORE": path, "START": "2025-03-01", "END": "2025-03-31",
                                                        "AS_OF": AS_OF, "OUTPUT": None})
    assert dispatched["CREATED"] == TASKS
    patrols = base / "patrols.csv"
    patrols.write_text("\ufeff网格编码,田管员,开始时间,结束时间,有效,备注\n"
                       f"{G1},马社长,2025-03-04 09:00,2025-03-04 10:00,是,\n"
                       f"{G3},王社长,2025-03-11 09:00,2025-03-11 10:00,是,\n", encoding="utf-8")
    assert run("linxia_tianguan:record_patrols", {"STORE": path, "INPUT": str(patrols)})["ADDED"] == 2
    return path


def _export(store: str, out, **extra) -> dict:
    params = {"STORE": store, "START": "2025-03-01", "END": "2025-03-31", "AS_OF": AS_OF, "OUTPUT": str(out)}
    params.update(extra)
    return run("linxia_tianguan:export_tasks", params)


def _xlsx(path, sheet: str) -> list[dict]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(book[sheet].iter_rows(values_only=True))
    finally:
        book.close()
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _csv_by_fiona(path) -> tuple[list[str], list[dict]]:
    import fiona

    with fiona.open(path, driver="CSV") as src:
        headers = list(src.schema["properties"])
        return headers, [dict(f["properties"]) for f in src]


def test_warning_export_lists_overdue_and_due_soon_tasks(store, tmp_path):
    tasks_xlsx, warnings_xlsx = tmp_path / "预警任务.xlsx", tmp_path / "预警名单.xlsx"
    feedback = recording_feedback()
    # as qgis_process passes them: every value as text
    result = run("linxia_tianguan:export_tasks", {
        "STORE": store, "START": "2025-03-01", "END": "2025-03-31", "AS_OF": AS_OF, "WHICH": "2",
        "DUE_WITHIN_DAYS": "4", "OUTPUT": str(tasks_xlsx), "WARNINGS": str(warnings_xlsx)}, feedback=feedback)
    rows = _xlsx(tasks_xlsx, "巡田任务")
    # counted by hand: weeks of 24 Feb (all 3 groups) and 3 Mar (G2, G3; G1 patrolled on the 4th) are overdue;
    # the week of 10 Mar is due in 4 days for G1 and G2 (G3 patrolled on the 11th); the rest is further off
    assert Counter(r["状态"] for r in rows) == {"已过期": 5, "即将到期": 2}
    assert {(r["网格编码"], r["周期开始"]) for r in rows if r["状态"] == "即将到期"} == {
        (G1, "2025-03-10"), (G2, "2025-03-10")}
    assert (result["ROWS"], result["OVERDUE"], result["DUE_SOON"], result["OFFICERS"]) == (7, 5, 2, 3)
    assert result["WARNINGS"] == str(warnings_xlsx)
    assert any("2 open tasks fall due within 4 days" in m for m in feedback.infos)

    from linxia_tianguan_plugin.processing.patrol.export_tasks import warning_headers

    warned = _xlsx(warnings_xlsx, "预警名单")
    headers = warning_headers()
    assert list(warned[0]) == headers and headers[:3] == ["田管员", "电话", "网格编码"]
    officer, phone, grids, names, overdue, soon, earliest = headers
    # independently: the exported task table grouped by officer and phone (a vacant grid by itself)
    expected = defaultdict(lambda: [0, 0, set(), ""])
    for r in rows:
        key = (r["田管员"] or "", r["联系电话"] or "", "" if r["田管员"] else r["网格编码"])
        entry = expected[key]
        entry[0 if r["状态"] == "已过期" else 1] += 1
        entry[2].add(r["网格编码"])
        entry[3] = min(entry[3] or r["截止时间"], r["截止时间"])
    got = {(w[officer] or "", w[phone] or "", "" if w[officer] else w[grids]):
           [w[overdue], w[soon], set(w[grids].split("、")), w[earliest]] for w in warned}
    assert got == dict(expected)
    assert [w[officer] or "" for w in warned] == ["", "王社长", "马社长"]  # most overdue, then most due soon
    assert warned[0][grids] == G2 and warned[0][names] == "一村二社"
    assert all(w[earliest] == "2025-03-02 23:59:59" for w in warned)
    assert isinstance(warned[0][overdue], int)  # counts are numbers in Excel, not text


def test_the_window_edges_through_processing(store, tmp_path):
    out = tmp_path / "t.csv"
    assert _export(store, out, DUE_WITHIN_DAYS=3)["DUE_SOON"] == 0  # 16 March is 4 days off
    assert _export(store, out, DUE_WITHIN_DAYS=4)["DUE_SOON"] == 2
    assert _export(store, out)["DUE_SOON"] == 0  # the default window is 3 days
    # N = 0 on the Sunday the week falls due; the 17 March week is 7 days off
    sunday = _export(store, out, AS_OF="2025-03-16 08:00", DUE_WITHIN_DAYS=0)
    assert sunday["DUE_SOON"] == 2 and sunday["OVERDUE"] == 5
    # 19 days reach the month, the quarter and the weeks up to 30 March; the half-year (30 June) stays open
    wide = _export(store, out, DUE_WITHIN_DAYS=19, WHICH=0)
    with open(out, encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == wide["ROWS"] == TASKS
    assert Counter(r["状态"] for r in table) == {"已过期": 5, "已完成": 2, "即将到期": 3 * 3 - 1 + 2, "未完成": 3 + 1}
    assert wide["DUE_SOON"] == 10 and {r["网格编码"] for r in table if r["状态"] == "未完成"} == {G1, G2, G3, COUNTY}


def test_which_tasks_all_overdue_and_the_older_overdue_only(store, tmp_path):
    out = tmp_path / "t.xlsx"
    everything = _export(store, out, DUE_WITHIN_DAYS=4)
    statuses = Counter(r["状态"] for r in _xlsx(out, "巡田任务"))
    assert everything["ROWS"] == TASKS and statuses["即将到期"] == 2 and statuses["已完成"] == 2
    overdue = _export(store, out, WHICH=1, DUE_WITHIN_DAYS=4)
    assert overdue["ROWS"] == overdue["OVERDUE"] == 5
    assert {r["状态"] for r in _xlsx(out, "巡田任务")} == {"已过期"}
    older = _export(store, out, OVERDUE_ONLY=True, DUE_WITHIN_DAYS=4)  # scripts written before WHICH
    assert older["ROWS"] == 5


def test_the_warning_list_as_csv_read_by_fiona(store, tmp_path):
    warnings_csv = tmp_path / "预警名单.csv"
    result = _export(store, tmp_path / "t.xlsx", WHICH=2, DUE_WITHIN_DAYS=4, WARNINGS=str(warnings_csv))
    assert warnings_csv.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel on a Chinese Windows reads it
    headers, rows = _csv_by_fiona(warnings_csv)
    from linxia_tianguan_plugin.processing.patrol.export_tasks import warning_headers

    assert headers == warning_headers() and len(rows) == result["OFFICERS"] == 3
    by_officer = {r[headers[0]] or "": (int(r[headers[4]]), int(r[headers[5]])) for r in rows}
    assert by_officer == {"": (2, 1), "王社长": (2, 0), "马社长": (1, 1)}
    assert sum(o for o, _ in by_officer.values()) == result["OVERDUE"]
    assert sum(s for _, s in by_officer.values()) == result["DUE_SOON"]


def test_an_empty_warning_list_says_so(store, tmp_path):
    warnings_xlsx = tmp_path / "w.xlsx"
    result = _export(store, tmp_path / "t.xlsx", AS_OF="2025-02-24 08:00", WHICH=2, DUE_WITHIN_DAYS=0,
                     WARNINGS=str(warnings_xlsx))
    assert (result["ROWS"], result["OFFICERS"]) == (0, 0)
    rows = _xlsx(warnings_xlsx, "预警名单")
    assert len(rows) == 1 and "0 days" in str(next(iter(rows[0].values())))


def test_bad_windows_and_formats_are_refused(store, tmp_path):
    message = run_failing("linxia_tianguan:export_tasks", {"STORE": store, "DUE_WITHIN_DAYS": -1,
                                                           "OUTPUT": str(tmp_path / "t.xlsx")})
    assert "DUE_WITHIN_DAYS" in message
    message = run_failing("linxia_tianguan:export_tasks", {"STORE": store, "OUTPUT": str(tmp_path / "t.xlsx"),
                                                           "WARNINGS": str(tmp_path / "w.txt")})
    assert ".xlsx" in message and not (tmp_path / "w.txt").exists()


def test_the_warning_headers_come_from_the_alias_registry():
    from linxia_tianguan_plugin import labels
    from linxia_tianguan_plugin.processing import fields
    from linxia_tianguan_plugin.processing.patrol.export_tasks import warning_headers

    assert fields.TABLES[("export_tasks", "WARNINGS")] is fields.officer_warning_aliases
    names = fields.officer_warning_aliases(labels.zh_tr)
    assert list(names) == [name for name, _ in fields.OFFICER_WARNING_FIELDS]
    assert warning_headers() == list(names.values())
    assert all(name.isascii() for name in names)
    # the columns shared with the task sheet read as it does (the new ones once the translation is merged)
    assert (names["officer"], names["grid_code"], names["grid_name"], names["overdue"]) == (
        "田管员", "网格编码", "网格名称", "已过期任务数")
