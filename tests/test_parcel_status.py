"""地块巡管状态: the bulk status of every coded parcel (core ``StatusFacts``, ``storage.parcel_status``) gives, for
every parcel of a store with cases in several states, done and overdue tasks and groups without a task, the answer of
码上查's single-parcel rule; the algorithm writes it styled, counted and value-mapped; the bundled style's colours are
the rule's."""
from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from linxia_tianguan_plugin.core.cases.workflow import format_time, parse_time
from linxia_tianguan_plugin.core.patrol import parcel_status as rules
from linxia_tianguan_plugin.core.patrol import tasks as task_rules
from linxia_tianguan_plugin.resources import resource_path
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage import parcel_history as ph
from linxia_tianguan_plugin.storage import parcel_status as ps
from tests.helpers import CLOSE_PATH, run, sql_rows, store_copy

AS_OF = "2025-06-20T12:00:00+08:00"
NOW = task_rules.parse_instant(AS_OF)
#: a code no parcel has (a case listing it was recoded since: its polygon decides)
GONE = "62292100000000000000"


# ------------------------------------------------------------------------------------------- the rule, no store
def test_the_bulk_rule_is_the_single_parcel_rule_for_every_combination():
    combos = [(), ("closed",), ("enforcing",), ("rectified", "closed"), ("pending", "enforcing"), ("returned",),
              ("enforcing", "rectified"), ("issued", "closed", "rectified")]
    groups = {"62292110000101": task_rules.OVERDUE, "62292110000102": task_rules.DONE, "62292110000103": None}
    codes, touches, expected = [], [], {}
    for g, (group, decided) in enumerate(groups.items()):
        for k, combo in enumerate(combos):
            code = f"{group}{k + 1:05d}{g}"
            codes.append(code)
            touches += [(state, [code]) for state in combo]
            expected[code] = rules.parcel_status(combo, decided)
    codes.append("62292110000104000011")  # a group without a task at all
    expected[codes[-1]] = rules.parcel_status([], None)
    touches.append(("pending", ["62292110000199000011"]))  # a code outside the chunk changes nothing
    facts = rules.StatusFacts(rules.case_counts(touches), {g: s for g, s in groups.items() if s is not None})
    columns = facts.evaluate(codes)
    assert dict(zip(codes, columns["status"].tolist())) == expected
    unclosed = Counter(c for state, cs in touches if state not in ("closed",) for c in cs)
    assert columns["open_cases"].tolist() == [unclosed.get(c, 0) for c in codes]
    assert set(columns["status"].tolist()) == set(rules.PRECEDENCE)
    empty = facts.evaluate([])
    assert len(empty["status"]) == 0 and len(empty["group_task"]) == 0


def test_group_task_statuses_match_the_single_group_rule():
    def task(group: str, start: str) -> task_rules.Task:
        first = dt.date.fromisoformat(start)
        last = first + dt.timedelta(days=6)
        return task_rules.Task(task_rules.task_id(group, first), group, 5, first.isoformat(), last.isoformat(),
                               task_rules.due_at(last))

    weeks = ["2025-06-02", "2025-06-09", "2025-06-16", "2025-06-23"]
    tasks = [task(g, w) for g in ("62292110000101", "62292110000102", "62292110000103") for w in weeks]
    patrols = [task_rules.make_patrol("62292110000101", "甲", "2025-06-10 09:00"),
               task_rules.make_patrol("62292110000102", "乙", "2025-06-03 09:00"),
               task_rules.make_patrol("62292110000103", "丙", "2025-06-11 09:00", valid=False)]
    bulk = rules.group_task_statuses(tasks, patrols, NOW)
    for group in ("62292110000101", "62292110000102", "62292110000103"):
        own = [t for t in tasks if t.grid_code == group]
        assert bulk[group] == rules.group_task_status(own, [p for p in patrols if p.grid_code == group], NOW)
    assert bulk == {"62292110000101": task_rules.DONE, "62292110000102": task_rules.OVERDUE,
                    "62292110000103": task_rules.OVERDUE}
    assert rules.last_patrols(patrols) == {"62292110000101": patrols[0].started_at,
                                           "62292110000102": patrols[1].started_at}


# ------------------------------------------------------------------------------------------- a real store
@pytest.fixture(scope="module")
def desk(filled_store, tmp_path_factory) -> dict:
    """A copy of the filled store with more kinds of case and task: one case rectified (waiting to be closed), one
    whose list was emptied (a field report off the parcels) and one listing a code no parcel has any more — both
    then touch what their polygon overlaps —, and one group's tasks withdrawn (its parcels have no task)."""
    from linxia_tianguan_plugin.storage.cases import take_action

    path = store_copy(filled_store, tmp_path_factory.mktemp("parcel_status") / "desk")
    ids = [r[0] for r in sql_rows(path, "SELECT case_id FROM tg_case WHERE state = 'pending' ORDER BY case_id")]
    rectified, emptied, gone = ids[0], ids[1], ids[2]
    listed = {cid: json.loads(sql_rows(path, "SELECT parcel_codes FROM tg_case WHERE case_id = ?", (cid,))[0][0])
              for cid in (emptied, gone)}
    store = GpkgStore(path, create=False)
    try:
        detected = store.conn.execute("SELECT detected_at FROM tg_case WHERE case_id = ?", (rectified,)).fetchone()[0]
        steps = [*CLOSE_PATH, ("start_enforcement", "enforcement", "", ()),
                 ("report_rectified", "group_officer", "", ("after.jpg",))]
        for version, (action, role, comment, files) in enumerate(steps, start=1):
            take_action(store, rectified, action, "tester", role, version, comment, files,
                        at=format_time(parse_time(detected) + dt.timedelta(days=version)))
        # the group of the emptied case's first parcel, and a group without cases, lose their tasks
        touched = sorted({c[:14] for cid in listed for c in listed[cid]})
        marks = ",".join("?" * len(touched))
        quiet = store.conn.execute(f"SELECT grid_code FROM tg_task WHERE level = 5 AND grid_code NOT IN ({marks}) "
                                   "ORDER BY grid_code LIMIT 1", touched).fetchone()[0]
        no_task = [listed[emptied][0][:14], quiet]
        with store.transaction() as con:  # the store's connection: its R-tree triggers need its SQL functions
            con.execute("UPDATE tg_case SET parcel_codes = '[]' WHERE case_id = ?", (emptied,))
            con.execute("UPDATE tg_case SET parcel_codes = ? WHERE case_id = ?", (json.dumps([GONE]), gone))
            con.executemany("DELETE FROM tg_task WHERE grid_code = ?", [(g,) for g in no_task])
    finally:
        store.close()
    return {"path": path, "listed": listed, "emptied": emptied, "gone": gone, "rectified": rectified,
            "no_task": no_task}


@pytest.fixture(scope="module")
def bulk(desk) -> dict:
    """Every active parcel's columns, township by township as the algorithm reads them."""
    store = GpkgStore(desk["path"], create=False, read_only=True)
    try:
        touches = ps.case_touches(store)
        facts = ps.status_facts(store, "", NOW, touches)
        out = {}
        for township in ps.townships(store):
            rows = list(ps.parcels(store, township))
            columns = facts.evaluate([r[0] for r in rows])
            for i, row in enumerate(rows):
                out[row[0]] = {k: columns[k][i] for k in ("status", "open_cases", "group_task", "last_patrol")}
    finally:
        store.close()
    return {"parcels": out, "touches": {cid: (state, codes) for cid, state, codes in touches}}


def test_every_active_parcel_is_read_once(desk, bulk):
    active = sql_rows(desk["path"], "SELECT code FROM tg_space_code WHERE status = 'active'")
    assert set(bulk["parcels"]) == {r[0] for r in active} and len(bulk["parcels"]) == len(active)


def test_cases_touch_by_their_list_or_else_by_their_polygon(desk, bulk):
    touches = bulk["touches"]
    # the pre-judgement listed what the polygon overlaps: the polygon gives the same parcels back
    assert touches[desk["emptied"]][1] == sorted(desk["listed"][desk["emptied"]])
    assert touches[desk["gone"]][1] == sorted(desk["listed"][desk["gone"]])
    assert touches[desk["rectified"]][0] == "rectified"
    closed = {r[0] for r in sql_rows(desk["path"], "SELECT case_id FROM tg_case WHERE state = 'closed'")}
    assert closed and not closed & set(touches)
    for cid, (_state, codes) in touches.items():
        if cid not in (desk["emptied"], desk["gone"]):
            listed = {r[0] for r in sql_rows(desk["path"], "SELECT json_each.value FROM tg_case, "
                                             "json_each(tg_case.parcel_codes) WHERE case_id = ?", (cid,))}
            assert set(codes) == listed, cid


def test_the_bulk_status_of_every_parcel_is_the_single_parcel_rule(desk, bulk):
    store = GpkgStore(desk["path"], create=False, read_only=True)
    groups: dict[str, str | None] = {}
    try:
        for code, got in bulk["parcels"].items():
            group = code[:14]
            if group not in groups:
                tasks, patrols = ph.group_tasks(store, group, task_rules.local_date(NOW))
                groups[group] = rules.group_task_status(tasks, patrols, NOW)
            cases = ph.cases_of(store, code)
            assert got["status"] == rules.parcel_status([c["state"] for c in cases], groups[group]), code
            assert got["open_cases"] == sum(c["state"] != "closed" for c in cases), code
            assert got["group_task"] == groups[group], code
    finally:
        store.close()
    shown = Counter(p["status"] for p in bulk["parcels"].values())
    assert set(shown) == set(rules.PRECEDENCE), shown  # red, blue, yellow and green all occur
    decided = Counter(groups.values())
    assert decided[task_rules.DONE] and decided[task_rules.OVERDUE] and decided[None]
    assert all(groups[g] is None for g in desk["no_task"])


def test_last_patrol_is_the_groups_latest_valid_patrol(desk, bulk):
    latest = dict(sql_rows(desk["path"], "SELECT grid_code, max(started_at) FROM tg_patrol WHERE valid = 1 "
                                         "GROUP BY grid_code"))
    for code, got in bulk["parcels"].items():
        assert got["last_patrol"] == latest.get(code[:14]), code


def test_statuses_for_a_field_package_are_the_layers(desk, bulk):
    group = desk["listed"][desk["emptied"]][0][:14]
    codes = [c for c in bulk["parcels"] if c.startswith(group)]
    store = GpkgStore(desk["path"], create=False, read_only=True)
    try:
        found = ps.statuses_for(store, codes, NOW)
        assert ps.statuses_for(store, [], NOW) == {}
    finally:
        store.close()
    assert found == {c: bulk["parcels"][c]["status"] for c in codes}
    assert rules.CASE in found.values()


# ------------------------------------------------------------------------------------------- the algorithm
@pytest.fixture(scope="module")
def written(processing_registry, desk, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("parcel_status_out") / "地块巡管状态.gpkg"
    result = run("linxia_tianguan:parcel_status", {"STORE": str(desk["path"]), "AS_OF": AS_OF, "OUTPUT": str(out)})
    return {"result": result, "path": out}


def _table(path) -> str:
    return sql_rows(path, "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")[0][0]


def test_the_algorithm_writes_every_parcel_with_its_status(written, bulk):
    path, result = written["path"], written["result"]
    rows = sql_rows(path, f'SELECT code, township, village, group_code, status, open_cases, group_task, last_patrol '
                          f'FROM "{_table(path)}"')
    assert len(rows) == len(bulk["parcels"]) == result["PARCELS"]
    for code, township, village, group, status, n_open, task, last in rows:
        expected = bulk["parcels"][code]
        assert (township, village, group) == (code[:9], code[:12], code[:14])
        assert (status, n_open, task) == (expected["status"], expected["open_cases"], expected["group_task"])
        assert (last is None) == (expected["last_patrol"] is None)
        if last:  # Beijing time, minutes
            moment = task_rules.parse_instant(expected["last_patrol"]).astimezone(task_rules.SHANGHAI)
            assert last == moment.strftime("%Y-%m-%d %H:%M")
    counts = Counter(r[4] for r in rows)
    assert {key: result[key] for key in ("CASE", "RECTIFYING", "OVERDUE", "CLEAN")} == {
        "CASE": counts["case"], "RECTIFYING": counts["rectifying"], "OVERDUE": counts["overdue"],
        "CLEAN": counts["clean"]}


def test_the_written_layer_opens_coloured_with_the_status_names(written):
    from qgis.core import QgsCategorizedSymbolRenderer, QgsVectorLayer

    layer = QgsVectorLayer(str(written["path"]), "status", "ogr")
    assert layer.isValid()
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer) and renderer.classAttribute() == "status"
    assert {c.value(): c.symbol().color().name() for c in renderer.categories()} == rules.COLOURS
    index = layer.fields().indexOf("status")
    setup = layer.editorWidgetSetup(index)
    assert setup.type() == "ValueMap"
    shown = {value: name for entry in setup.config()["map"] for name, value in entry.items()}
    assert shown == rules.STATUS_ZH


def test_a_township_prefix_writes_that_township_only(processing_registry, desk, bulk, tmp_path):
    township = sorted(bulk["parcels"])[0][:9]
    result = run("linxia_tianguan:parcel_status", {"STORE": str(desk["path"]), "AS_OF": AS_OF, "PREFIX": township,
                                                   "OUTPUT": str(tmp_path / "one.gpkg")})
    rows = sql_rows(tmp_path / "one.gpkg", f'SELECT code, status FROM "{_table(tmp_path / "one.gpkg")}"')
    expected = {c: p["status"] for c, p in bulk["parcels"].items() if c.startswith(township)}
    assert dict(rows) == expected and result["PARCELS"] == len(expected) > 0


def test_the_demo_writes_the_status_layer_and_counts(processing_registry, desk, tmp_path, capsys):
    """tools/demo.py's step, on this store (the clock's now: statuses may differ from AS_OF's, the counts add up)."""
    from tools.demo import parcel_status_demo

    summary: dict = {}
    parcel_status_demo(tmp_path, desk["path"], summary)
    shown = summary["parcel_status"]
    assert shown["parcels"] == sum(shown[k] for k in ("有未结案件", "整改中", "巡田逾期", "正常")) > 0
    assert shown["有未结案件"] > 0 and shown["整改中"] > 0  # the cases do not depend on the date
    written = tmp_path / "地块巡管状态.gpkg"
    assert sql_rows(written, f'SELECT count(*) FROM "{_table(written)}"')[0][0] == shown["parcels"]
    assert "有未结案件" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------- the bundled style
def test_the_bundled_style_has_the_rules_four_colours():
    """Read as XML, apart from QGIS: one category per status, its fill the status's colour — the style and
    ``COLOURS`` cannot drift apart."""
    root = ET.parse(resource_path("styles", "parcel_status.qml")).getroot()
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "status"
    symbols = {}
    for symbol in renderer.find("symbols"):
        option = symbol.find("layer/Option/Option[@name='color']")
        r, g, b = (int(v) for v in option.get("value").split(",")[:3])
        symbols[symbol.get("name")] = f"#{r:02x}{g:02x}{b:02x}"
    categories = renderer.find("categories")
    assert len(categories) == 4
    assert {c.get("value"): symbols[c.get("symbol")] for c in categories} == rules.COLOURS
    assert {c.get("value"): c.get("label") for c in categories} == rules.STATUS_ZH


def test_the_bundled_style_loads_with_four_categories(qgis_app):
    from qgis.core import QgsCategorizedSymbolRenderer, QgsVectorLayer

    layer = QgsVectorLayer("MultiPolygon?crs=EPSG:4547&field=status:string(10)", "s", "memory")
    _message, ok = layer.loadNamedStyle(str(resource_path("styles", "parcel_status.qml")))
    assert ok
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer) and len(renderer.categories()) == 4
    assert {c.value(): c.symbol().color().name() for c in renderer.categories()} == rules.COLOURS
