"""The 案件审核 dock on a real 田管库 full of change cases: list, count, filter, select, move, refuse,
conflict, batch, find by space code, clean up."""
from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import pytest
import shapely

from linxia_tianguan_plugin.core import clock
from linxia_tianguan_plugin.core.cases import workflow
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage.cases import case_events, cases, rebuilt_state, take_action
from tests.helpers import change_params, run, store_copy
from tests.pg_cluster import pg  # noqa: F401

ACTOR = "审核员甲"
STATE_COLUMN = 2  # ui.case_review.COLUMNS: case number, priority, state, …


@pytest.fixture(scope="module")
def case_store_path(processing_registry, change_sample, prepared_store, tmp_path_factory):
    """The change sample analysed into a 田管库 (every case 待下发), built once for the module."""
    base = tmp_path_factory.mktemp("case_review")
    src = change_sample / "sample_county.gpkg"
    store = store_copy(prepared_store, base)
    run("linxia_tianguan:change_detection", change_params(src, STORE=str(store)))
    return store


@pytest.fixture
def store_path(case_store_path, tmp_path):
    """A copy of the module's store for a test that moves cases."""
    path = tmp_path / "tianguan.gpkg"
    shutil.copy(case_store_path, path)
    return path


def _stored(path) -> list[dict]:
    store = GpkgStore(path, create=False)
    try:
        return cases(store)
    finally:
        store.close()


def _events(path, case_id) -> list[dict]:
    store = GpkgStore(path, create=False)
    try:
        return case_events(store, case_id)
    finally:
        store.close()


def _move(path, case_id, *steps) -> None:
    """Move a case through (action, role, comment, attachments) steps as other desks would."""
    store = GpkgStore(path, create=False)
    try:
        for action, role, comment, files in steps:
            version = store.conn.execute("SELECT version FROM tg_case WHERE case_id = ?", (case_id,)).fetchone()[0]
            take_action(store, case_id, action, "某人", role, version, comment, files)
    finally:
        store.close()


TO_REPORTED = (("issue", "county_reviewer", "", ()), ("submit_evidence", "group_officer", "", ("photo1.jpg",)),
               ("report", "village_township", "", ()))


@pytest.fixture
def dock(qgis_iface):
    from linxia_tianguan_plugin.ui.case_review import CaseReviewDock

    made = []

    def make(path, **kw):
        d = CaseReviewDock(qgis_iface, str(path), **{"actor": ACTOR, **kw})
        d.modal = False
        made.append(d)
        return d

    yield make
    for d in made:
        d.cleanup()


def test_the_dock_lists_every_case_with_the_store_counts(dock, case_store_path):
    from linxia_tianguan_plugin.ui.case_review import DOCK_NAME

    stored = _stored(case_store_path)
    assert len(stored) >= 20
    d = dock(case_store_path)
    assert d.objectName() == DOCK_NAME
    assert sorted(d.visible_case_ids()) == sorted(c["case_id"] for c in stored)
    assert {s: n for s, n in d.counts().items() if n} == dict(Counter(c["state"] for c in stored))
    assert f"{workflow.STATE_NAMES['pending']} {len(stored)}" in d.counts_label.text()
    assert d.role.currentData() == "county_reviewer" and d.actor.text() == ACTOR
    prios = [d.by_id[i]["priority"] for i in d.visible_case_ids()]
    assert prios == sorted(prios)  # most urgent first
    from qgis.PyQt.QtCore import Qt

    from linxia_tianguan_plugin.ui.case_review import COLUMNS

    d.table.sortItems(COLUMNS.index("area_mu"), Qt.DescendingOrder)  # sortable, by number: the largest area first
    areas = [d.by_id[i]["area_m2"] for i in d.visible_case_ids()]
    assert areas == sorted(areas, reverse=True)
    # 导出到 PostGIS from the dock: the export algorithm's dialog on the store the dock shows
    assert d.export_button.isEnabled() and d.export_params() == {"STORE": str(case_store_path)}
    from qgis.core import QgsApplication

    assert QgsApplication.processingRegistry().algorithmById("linxia_tianguan:export_cases") is not None


def test_filters_change_the_visible_rows(dock, store_path):
    stored = _stored(store_path)
    issued = [c["case_id"] for c in stored[:3]]
    for cid in issued:
        _move(store_path, cid, ("issue", "county_reviewer", "", ()))
    d = dock(store_path)
    counts = d.counts()
    assert counts["issued"] == 3 and counts["pending"] == len(stored) - 3
    d.set_filter(state="issued")
    assert sorted(d.visible_case_ids()) == sorted(issued)
    d.set_filter(state="")
    township = stored[0]["grid_code"][:9]
    d.set_filter(township=township)
    assert sorted(d.visible_case_ids()) == sorted(c["case_id"] for c in stored
                                                 if c["grid_code"].startswith(township))
    village = stored[0]["grid_code"][:12]
    d.set_filter(village=village)
    assert sorted(d.visible_case_ids()) == sorted(c["case_id"] for c in stored if c["grid_code"].startswith(village))
    assert sum(d.counts().values()) == len(d.visible_case_ids())  # counts follow the other filters
    d.set_filter(township="", village="")
    for kind in ("nonagri", "nongrain"):
        d.set_filter(kind=kind)
        expected = sorted(c["case_id"] for c in stored if c["kind"] == kind)
        assert expected and sorted(d.visible_case_ids()) == expected
    d.set_filter(kind="", category="suspect")
    assert sorted(d.visible_case_ids()) == sorted(c["case_id"] for c in stored if c["category"] == "suspect")
    d.set_filter(category="")
    # nothing is overdue today; four days on the pending ones are (3 days) and the issued ones not (7 days)
    d.set_filter(overdue=True)
    assert d.visible_case_ids() == []
    d.now = (clock.now_utc() + dt.timedelta(days=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    d.reload()
    assert sorted(d.visible_case_ids()) == sorted(c["case_id"] for c in stored if c["case_id"] not in issued)
    from linxia_tianguan_plugin.ui.case_review import COLUMNS

    column = COLUMNS.index("overdue")
    assert all(d.table.item(r, column).text() for r in range(d.table.rowCount()))
    d.set_filter(overdue=False, state="issued")
    assert all(not d.table.item(r, column).text() for r in range(d.table.rowCount()))


def test_selecting_zooms_fills_the_history_and_offers_the_allowed_moves(dock, qgis_iface, case_store_path):
    from qgis.core import QgsProject

    before = set(QgsProject.instance().mapLayers())
    stored = _stored(case_store_path)
    case = next(c for c in stored if c["parcel_codes"])
    d = dock(case_store_path)
    assert not d.select_case("no-such-case")
    assert d.select_case(case["case_id"])
    extent = qgis_iface.mapCanvas().extent()
    centre = shapely.centroid(case["geom"])
    assert extent.xMinimum() <= centre.x <= extent.xMaximum() and extent.yMinimum() <= centre.y <= extent.yMaximum()
    added = set(QgsProject.instance().mapLayers()) - before
    assert len(added) == 1
    shown = QgsProject.instance().mapLayer(added.pop())
    kinds = sorted(f["KIND"] for f in shown.getFeatures())
    # the case and every coded parcel it touches (码上发现), drawn apart
    assert kinds == ["case"] + ["parcel"] * len(case["parcel_codes"])
    assert {f["CODE"] for f in shown.getFeatures() if f["KIND"] == "parcel"} == set(case["parcel_codes"])
    rows = d.history_rows()
    assert len(rows) == 1 and rows[0][1] == workflow.ROLE_NAMES["system"]
    assert rows[0][2].endswith(workflow.STATE_NAMES["pending"])
    assert case["parcel_codes"][0] in d.info.text()
    for role in workflow.ROLES:
        d.role.setCurrentIndex(d.role.findData(role))
        assert d.button_actions() == [t.action for t in workflow.allowed_actions("pending", role)], role
    d.role.setCurrentIndex(d.role.findData("county_reviewer"))
    assert d.button_actions() == ["issue"]
    assert d.action_buttons["issue"].text() == workflow.ACTION_NAMES["issue"]
    assert d.select_case(stored[1]["case_id"])  # the previous case's layer is replaced
    assert len(set(QgsProject.instance().mapLayers()) - before) == 1


def test_issuing_a_case_moves_it_and_refreshes_the_table(dock, store_path):
    stored = _stored(store_path)
    cid = stored[0]["case_id"]
    d = dock(store_path)
    d.select_case(cid)
    results = d.take("issue", "请核查")
    assert [(r[0], r[1]) for r in results] == [(cid, True)]
    store = GpkgStore(store_path, create=False)
    try:
        row = store.conn.execute("SELECT state, version FROM tg_case WHERE case_id = ?", (cid,)).fetchone()
        assert row == ("issued", 2) and rebuilt_state(store, cid) == "issued"
    finally:
        store.close()
    events = _events(store_path, cid)
    assert [e["to_state"] for e in events] == ["pending", "issued"] and events[-1]["actor"] == ACTOR
    assert d.by_id[cid]["state"] == "issued" and d.by_id[cid]["version"] == 2
    row = d._row_of(cid)
    assert d.table.item(row, STATE_COLUMN).text() == workflow.STATE_NAMES["issued"]
    assert d.selected_ids() == [cid]  # still selected, with the fresh history and buttons
    history = d.history_rows()
    assert len(history) == 2 and history[1][1] == ACTOR and history[1][3] == "请核查"
    assert d.button_actions() == ["recall"]  # the county may only recall an issued case (撤回)
    assert d.counts()["issued"] == 1
    d.set_filter(state="issued")
    assert d.visible_case_ids() == [cid]


def test_the_clicked_button_takes_the_comment_and_attachments(dock, store_path, tmp_path):
    from tests.unit.test_evidence import photo

    stored = _stored(store_path)
    cid = stored[0]["case_id"]
    _move(store_path, cid, ("issue", "county_reviewer", "", ()))
    d = dock(store_path, role="group_officer")
    d.select_case(cid)
    assert d.button_actions() == ["submit_evidence"]
    d.comment.setPlainText("已拍照")
    a, b, c = tmp_path / "a.jpg", tmp_path / "b.jpg", tmp_path / "c.pdf"
    a.write_bytes(photo(lon=103.2, lat=35.6, taken="2025:06:30 10:00:00"))
    b.write_bytes(photo())
    c.write_bytes(b"%PDF-1.4 minutes of the site visit")
    d.add_attachments([str(a), str(b), str(a), str(c)])
    d.action_buttons["submit_evidence"].click()
    events = _events(store_path, cid)
    assert events[-1]["to_state"] == "evidenced" and events[-1]["comment"] == "已拍照"
    # the files were copied into the store's evidence folder; the event refers to the copies
    attached = d.history_rows()[-1][4].split("；")
    assert len(attached) == 3 and all(p.startswith(cid + "/") for p in attached)
    evidence_dir = store_path.parent / (store_path.stem + "_evidence")
    assert all((evidence_dir / p).is_file() for p in attached)
    rows = d.evidence_rows(cid)
    assert sorted(r[1] for r in rows) == ["document", "photo", "photo"]
    assert any("2025-06-30" in r[2] for r in rows)  # the EXIF time, in Beijing time
    assert all(r[4] for r in rows)  # each photo's checks are shown (flags or ok)
    located = [r for r in rows if r[3] != "—"]
    assert located and "103.2" in located[0][3]  # the EXIF position, with its distance to the case
    assert d.attachments() == [] and d.comment.toPlainText() == ""


def test_a_missing_attachment_stops_the_move(dock, store_path, tmp_path):
    stored = _stored(store_path)
    cid = stored[0]["case_id"]
    _move(store_path, cid, ("issue", "county_reviewer", "", ()))
    d = dock(store_path, role="group_officer")
    d.select_case(cid)
    (_, ok, message), = d.take("submit_evidence", "", [str(tmp_path / "gone.jpg")])
    assert not ok and "gone.jpg" in message
    assert _events(store_path, cid)[-1]["to_state"] == "issued"


def test_a_forbidden_move_says_why_and_writes_nothing(dock, store_path):
    stored = _stored(store_path)
    pending, reported, issued = (c["case_id"] for c in stored[:3])
    _move(store_path, reported, *TO_REPORTED)
    _move(store_path, issued, TO_REPORTED[0])
    d = dock(store_path, role="group_officer")
    d.select_case(pending)
    [(cid, ok, message)] = d.take("issue")
    assert cid == pending and not ok
    assert workflow.ROLE_NAMES["group_officer"] in message and workflow.ACTION_NAMES["issue"] in message
    assert message in d.last_message and len(_events(store_path, pending)) == 1
    d.select_case(issued)
    [(_, ok, message)] = d.take("submit_evidence", "照片稍后")
    assert not ok and message == d._why(workflow.WorkflowError("", "needs_attachment"), d.by_id[issued],
                                        "submit_evidence")
    assert len(_events(store_path, issued)) == 2
    d.role.setCurrentIndex(d.role.findData("county_reviewer"))
    d.select_case(reported)
    assert d.button_actions() == ["approve", "return"]
    [(_, ok, message)] = d.take("return", "   ")
    assert not ok and workflow.ACTION_NAMES["return"] in message
    assert len(_events(store_path, reported)) == 4 and d.by_id[reported]["state"] == "reported"
    d.actor.setText("")
    [(_, ok, _)] = d.take("approve")
    assert not ok and len(_events(store_path, reported)) == 4


def test_a_conflict_says_so_and_reloads_the_fresh_state(dock, store_path):
    stored = _stored(store_path)
    cid = stored[0]["case_id"]
    d = dock(store_path)
    d.select_case(cid)
    assert d.by_id[cid]["version"] == 1
    other = GpkgStore(store_path, create=False)  # another desk issues it first
    try:
        take_action(other, cid, "issue", "另一审核员", "county_reviewer", 1, "抢先下发")
    finally:
        other.close()
    [(got, ok, message)] = d.take("issue", "我也下发")
    assert got == cid and not ok
    assert message == d._why(workflow.ConflictError("", 1, 2), d.by_id[cid], "issue")
    assert "2" in message and message in d.last_message
    assert d.by_id[cid]["state"] == "issued" and d.by_id[cid]["version"] == 2  # reloaded
    assert d.table.item(d._row_of(cid), STATE_COLUMN).text() == workflow.STATE_NAMES["issued"]
    assert [r[1] for r in d.history_rows()] == [workflow.ROLE_NAMES["system"], "另一审核员"]
    assert d.button_actions() == ["recall"]
    assert [e["comment"] for e in _events(store_path, cid)] == [_events(store_path, cid)[0]["comment"], "抢先下发"]


def test_batch_approve_reports_successes_and_failures(dock, store_path):
    stored = _stored(store_path)
    reported = [c["case_id"] for c in stored[:3]]
    for cid in reported:
        _move(store_path, cid, *TO_REPORTED)
    pending = stored[3]["case_id"]
    d = dock(store_path)
    d.set_filter(state="reported")
    assert sorted(d.visible_case_ids()) == sorted(reported)
    d.set_filter(state="")
    assert d.select_cases(reported + [pending]) == 4
    results = d.take("approve")
    assert {cid: ok for cid, ok, _ in results} == {**dict.fromkeys(reported, True), pending: False}
    assert [s["state"] for s in _stored(store_path) if s["case_id"] in reported] == ["approved"] * 3
    assert len(_events(store_path, pending)) == 1
    assert "3" in d.last_message and "4" in d.last_message
    assert d.counts()["approved"] == 3 and d.counts()["reported"] == 0
    assert sorted(d.selected_ids()) == sorted(reported + [pending])


def test_find_by_space_code(dock, case_store_path):
    stored = _stored(case_store_path)
    case = next(c for c in stored if c["parcel_codes"])
    code = case["parcel_codes"][0]
    d = dock(case_store_path)
    found = d.find_by_code(code)
    assert case["case_id"] in found
    assert sorted(found) == sorted(c["case_id"] for c in stored if code in c["parcel_codes"])
    assert d.find_by_code("0000") == [] and d.find_by_code("  ") == []
    d.search.setText(code)
    d.search.returnPressed.emit()
    assert sorted(d.visible_case_ids()) == sorted(found)
    if len(found) == 1:
        assert d.selected_ids() == found
    d.set_filter(code="")
    assert len(d.visible_case_ids()) == len(stored)


def test_cleanup_removes_every_layer_it_added(dock, case_store_path):
    from qgis.core import QgsProject

    before = set(QgsProject.instance().mapLayers())
    d = dock(case_store_path)
    ids = d.visible_case_ids()
    d.select_case(ids[0])
    d.select_cases(ids[:5])
    assert len(set(QgsProject.instance().mapLayers()) - before) == 1
    d.cleanup()
    assert set(QgsProject.instance().mapLayers()) == before


def test_missing_store_and_remembered_actor(qgis_iface, tmp_path):
    from linxia_tianguan_plugin import settings
    from linxia_tianguan_plugin.ui.case_review import ACTOR_KEY, CaseReviewDock

    old = settings.value(ACTOR_KEY, "")
    try:
        d = CaseReviewDock(qgis_iface, str(tmp_path / "none.gpkg"))
        assert "none.gpkg" in d.last_message and d.visible_case_ids() == [] and d.take("issue") == []
        d.actor.setText("田管员乙")
        d.actor.editingFinished.emit()
        assert CaseReviewDock(qgis_iface, str(tmp_path / "none.gpkg")).actor.text() == "田管员乙"
        GpkgStore(tmp_path / "empty.gpkg").close()
        empty = CaseReviewDock(qgis_iface, str(tmp_path / "empty.gpkg"))
        assert empty.visible_case_ids() == [] and empty.last_message
    finally:
        settings.set_value(ACTOR_KEY, old)


def test_the_same_dock_works_on_postgis(dock, case_store_path, pg):  # noqa: F811
    """Exported to PostGIS, the cases are listed, moved and refused there the same way (with the unit names
    from the desk's store); another desk's move on PostGIS gives the conflict message."""
    from qgis.core import QgsProviderRegistry

    from linxia_tianguan_plugin.core.cases.workflow import COUNTY_REVIEWER
    from linxia_tianguan_plugin.processing.cases.export_cases import county_of
    from linxia_tianguan_plugin.storage.postgis import PgStore

    stored = _stored(case_store_path)
    events = {c["case_id"]: _events(case_store_path, c["case_id"]) for c in stored}
    with PgStore(pg) as remote:  # the default schema, as the dock uses it
        remote.migrate()
        remote.export_cases(stored, events, county_code_of=county_of)
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    uri = f"dbname='{pg['dbname']}' host={pg['host']} port={pg['port']} user='{pg['user']}'"
    metadata.saveConnection(metadata.createConnection(uri, {"saveUsername": True}), "dock_pg")
    d = dock(case_store_path)
    assert not d.use_connection("no_such_connection") and "no_such_connection" in d.last_message
    assert d.use_connection("dock_pg")
    assert sorted(d.visible_case_ids()) == sorted(c["case_id"] for c in stored)
    assert {s: n for s, n in d.counts().items() if n} == dict(Counter(c["state"] for c in stored))
    first, second = d.visible_case_ids()[:2]
    assert d.select_case(first)
    assert d.take("issue")[0][1]
    with PgStore(pg) as remote:
        assert remote.rebuilt_state(first) == "issued"
        # another desk issues the second case on PostGIS while this dock still shows version 1
        remote.take_action(second, "issue", "另一审核员", COUNTY_REVIEWER, 1)
    assert d.select_case(second)
    (cid, ok, message), = d.take("issue")
    assert not ok and cid == second
    assert d.by_id[second]["state"] == "issued"  # reloaded: the fresh state shows
    assert _stored(case_store_path)[0]["state"] == "pending"  # the desk's GeoPackage was not touched


def test_return_with_a_reason_goes_back_to_evidence_and_the_officer_resubmits(dock, store_path, tmp_path):
    """审核退回: the county returns a reported case with its reason; the 社 officer sees the reason in the
    history and submits new evidence; the case is reported and approved on the second round."""
    stored = _stored(store_path)
    cid = stored[0]["case_id"]
    _move(store_path, cid, *TO_REPORTED)
    county = dock(store_path)
    county.select_case(cid)
    [(_, ok, _)] = county.take("return", "照片看不到四至，请补拍")
    assert ok and county.by_id[cid]["state"] == "returned"
    officer = dock(store_path, role="group_officer")
    officer.select_case(cid)
    assert officer.history_rows()[-1][3] == "照片看不到四至，请补拍"
    assert officer.button_actions() == ["submit_evidence"]
    again = tmp_path / "again.jpg"
    again.write_bytes(b"\xff\xd8\xff\xd9")  # a JPEG without EXIF: stored, flagged “no EXIF”
    [(_, ok, _)] = officer.take("submit_evidence", "已补拍", [str(again)])
    assert ok and officer.by_id[cid]["state"] == "evidenced"
    from linxia_tianguan_plugin.i18n import tr

    assert any(tr("no EXIF") in row[4] for row in officer.evidence_rows(cid))
    _move(store_path, cid, ("report", "village_township", "", ()))
    county.reload()
    county.select_case(cid)
    [(_, ok, _)] = county.take("approve")
    assert ok
    assert [e["to_state"] for e in _events(store_path, cid)] == [
        "pending", "issued", "evidenced", "reported", "returned", "evidenced", "reported", "approved"]
    assert rebuilt_state_of(store_path, cid) == "approved"


def rebuilt_state_of(path, case_id) -> str:
    store = GpkgStore(path, create=False)
    try:
        return rebuilt_state(store, case_id)
    finally:
        store.close()


def test_a_store_layer_in_the_project_keeps_showing_after_the_dock_reads_and_writes(dock, store_path):
    """The dock reads the store read-only and reloads the project's store layers after it writes: the parcel
    layer a desk has open does not go blank (QGIS 3.40: a read-only OGR connection opened without WAL files
    reads nothing once another connection makes them)."""
    from qgis.core import QgsProject, QgsVectorLayer

    cid = _stored(store_path)[0]["case_id"]
    for suffix in ("-wal", "-shm"):  # as a copied or freshly closed store is: no WAL files
        Path(f"{store_path}{suffix}").unlink(missing_ok=True)
    layer = QgsVectorLayer(f"{store_path}|layername=tg_space_code", "codes", "ogr")
    QgsProject.instance().addMapLayer(layer)
    try:
        count = sum(1 for _ in layer.getFeatures())
        assert count > 0
        d = dock(store_path)
        d.select_case(cid)
        assert sum(1 for _ in layer.getFeatures()) == count  # after reading
        assert [r[1] for r in d.take("issue", "请核查")] == [True]
        assert sum(1 for _ in layer.getFeatures()) == count  # after writing
    finally:
        QgsProject.instance().removeMapLayer(layer.id())


# ------------------------------------------------------------------------------------ issue 16
def test_cases_are_shown_by_their_number_with_the_uuid_at_hand(dock, case_store_path):
    import re

    stored = _stored(case_store_path)
    numbers = [c["case_no"] for c in stored]
    assert all(re.fullmatch(r"\d{6}-2026-\d{4}", n) for n in numbers) and len(set(numbers)) == len(numbers)
    d = dock(case_store_path)
    for r in range(d.table.rowCount()):
        item = d.table.item(r, 0)
        case = d.by_id[item.data(0x0100)]  # Qt.UserRole
        assert item.text() == case["case_no"] and case["case_id"] in item.toolTip()
        assert case["case_id"] not in "".join(d.table.item(r, c).text() for c in range(d.table.columnCount()))
    case = stored[0]
    d.select_case(case["case_id"])
    first, second = d.info.text().splitlines()[:2]
    assert case["case_no"] in first and case["case_id"] not in first and case["case_id"] in second


def test_at_1600_by_1000_the_table_shows_ten_rows_and_the_splitter_is_remembered(dock, case_store_path):
    from qgis.PyQt.QtCore import QByteArray, Qt
    from qgis.PyQt.QtWidgets import QApplication, QDockWidget, QMainWindow, QPlainTextEdit

    from linxia_tianguan_plugin import settings
    from linxia_tianguan_plugin.ui.case_review import SPLITTER_KEY

    old = settings.value(SPLITTER_KEY, QByteArray(), type=QByteArray)
    settings.set_value(SPLITTER_KEY, QByteArray())  # as on a fresh install
    window = QMainWindow()  # a QGIS-like window: menu, two toolbars, the canvas, a status bar
    window.setCentralWidget(QPlainTextEdit())
    window.menuBar().addMenu("项目")
    for name in ("文件", "田管"):
        window.addToolBar(name).addAction(name)
    window.statusBar().showMessage("坐标")
    window.resize(1600, 1000)

    def shown_in(d):
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, d)
        window.show()
        d.show()
        for _ in range(3):
            QApplication.processEvents()
        return d

    try:
        d = shown_in(dock(case_store_path))
        assert d.table.rowCount() >= 10
        assert d.visible_rows() >= 10, (window.size(), d.height(), d.split.sizes())
        assert d.history.viewport().height() >= 3 * d.history.verticalHeader().defaultSectionSize()
        sizes = d.split.sizes()
        moved = [sizes[0] - 120, sizes[1] + 120, sizes[2]]
        d.split.setSizes(moved)
        d.split.splitterMoved.emit(moved[0], 1)  # as a drag of the handle does
        got = d.split.sizes()
        window.removeDockWidget(d)
        d.hide()
        again = shown_in(dock(case_store_path))  # opened again: as the desk left it
        assert again.split.sizes() == got
    finally:
        settings.set_value(SPLITTER_KEY, old)
        for child in window.findChildren(QDockWidget):  # the fixture cleans the docks up after the window goes
            window.removeDockWidget(child)
            child.setParent(None)
        window.close()


def test_a_mistaken_issue_is_recalled_one_or_many_with_a_reason(dock, store_path):
    """撤回: the county takes back issued cases (a batch too) with a reason; a case the field has acted on (evidence
    submitted) is refused with the reason why, and nothing is written for it."""
    stored = _stored(store_path)
    first, second, late = (c["case_id"] for c in stored[:3])
    for cid in (first, second):
        _move(store_path, cid, TO_REPORTED[0])
    _move(store_path, late, *TO_REPORTED[:2])
    d = dock(store_path)
    d.select_case(first)
    assert d.button_actions() == ["recall"] and d.action_buttons["recall"].text() == "撤回"
    [(_, ok, message)] = d.take("recall", " ")
    assert not ok and message == d._why(workflow.WorkflowError("", "needs_comment"), d.by_id[first], "recall")
    assert d.select_cases([first, second, late]) == 3
    results = dict((cid, (ok, why)) for cid, ok, why in d.take("recall", "下发错了乡镇"))
    assert results[first][0] and results[second][0] and not results[late][0]
    assert results[late][1] == d._why(workflow.WorkflowError("", "not_allowed"), d.by_id[late], "recall")
    assert "recalled" in results[late][1] or "撤回" in results[late][1]
    for cid in (first, second):
        events = _events(store_path, cid)
        assert [e["to_state"] for e in events] == ["pending", "issued", "pending"]
        assert events[-1]["comment"] == "下发错了乡镇" and events[-1]["actor"] == ACTOR
        assert d.by_id[cid]["state"] == "pending" and d.by_id[cid]["version"] == 3
        assert rebuilt_state_of(store_path, cid) == "pending"
    assert len(_events(store_path, late)) == 3 and d.by_id[late]["state"] == "evidenced"
    d.select_case(first)
    assert d.button_actions() == ["issue"]  # issued again when the right township is known
    assert d.history_rows()[-1][3] == "下发错了乡镇"


def test_the_filtered_list_goes_to_excel_and_pdf(dock, store_path, tmp_path):
    import shutil as sh
    import subprocess

    import openpyxl

    from linxia_tianguan_plugin import case_list

    stored = _stored(store_path)
    for c in stored[:2]:
        _move(store_path, c["case_id"], TO_REPORTED[0])
    d = dock(store_path)
    d.set_filter(state="pending")
    shown = d.visible_case_ids()
    assert len(shown) == len(stored) - 2
    out = tmp_path / "lists"
    assert d.export_list(str(out / "案件清单.xlsx")) and str(len(shown)) in d.last_message
    book = openpyxl.load_workbook(out / "案件清单.xlsx")
    rows = list(book[case_list.SHEET].iter_rows(values_only=True))
    assert rows[0] == case_list.HEADERS
    assert [r[0] for r in rows[1:]] == [d.by_id[c]["case_no"] for c in shown]  # the table's order
    assert {r[2] for r in rows[1:]} == {"待下发"}
    assert {r[3] for r in rows[1:]} <= set(case_list.KIND_NAMES.values())
    assert {r[4] for r in rows[1:]} <= set(case_list.CATEGORY_NAMES.values())
    for row, cid in zip(rows[1:], shown):
        assert row[1] == d.by_id[cid]["priority"]
        assert isinstance(row[7], (int, float)) and row[7] == round(d.by_id[cid]["area_m2"] * 0.0015, 2)
    conditions = dict(r[:2] for r in book[case_list.CONDITIONS_SHEET].iter_rows(values_only=True))
    assert conditions["状态"] == "待下发" and conditions["案件数"] == f"{len(shown)} / {len(stored)}"

    assert d.export_list(str(out / "案件清单"))  # no suffix: a PDF
    pdf = out / "案件清单.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if sh.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert all(d.by_id[c]["case_no"] in text for c in shown), text[:3000]
        assert "案件编号" in text and "待下发" in text and "面积（亩）" in text
    assert sorted(p.name for p in out.iterdir()) == ["案件清单.pdf", "案件清单.xlsx"]  # no temporary file left

    d.set_filter(state="closed")  # nothing shown: the files say so
    assert d.export_list(str(out / "none.xlsx"))
    rows = list(openpyxl.load_workbook(out / "none.xlsx")[case_list.SHEET].iter_rows(values_only=True))
    assert rows[0] == case_list.HEADERS and len(rows) == 2 and "没有" in rows[1][0]
    blocked = out / "案件清单.xlsx" / "x.xlsx"  # a file where a folder should be: a message, no traceback
    assert not d.export_list(str(blocked)) and "x.xlsx" in d.last_message
