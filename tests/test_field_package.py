"""掌上田管 field package: export a QField package, edit it as the phone would (QGIS editing API), import back.

Figures are checked against plain SQL on the stores and hashes computed here, not against the modules."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from linxia_tianguan_plugin.core import clock
from linxia_tianguan_plugin.core.patrol import field_package as rules
from tests.helpers import store_copy
from tools.phone import Phone

PHONE_OFFICER = Phone.officer


# ------------------------------------------------------------------------------------------ helpers
def _issue_group(store: Path, count: int = 3) -> tuple[str, list[str]]:
    """Issue (下发) the pending cases of the group with the most of them, as the desk does before a package."""
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import take_action

    with sqlite3.connect(store) as conn:
        grid = conn.execute("SELECT grid_code FROM tg_case WHERE state = 'pending' AND length(grid_code) = 14 "
                            "GROUP BY grid_code ORDER BY count(*) DESC, grid_code LIMIT 1").fetchone()[0]
        ids = [r[0] for r in conn.execute("SELECT case_id FROM tg_case WHERE grid_code = ? AND state = 'pending' "
                                          "ORDER BY case_id LIMIT ?", (grid, count))]
    gpkg = GpkgStore(store, create=False)
    try:
        for cid in ids:
            take_action(gpkg, cid, "issue", "县局", "county_reviewer", 1)
    finally:
        gpkg.close()
    return grid, ids


def _run(alg_class, params: dict, feedback=None, fails: bool = False) -> dict:
    """Run an algorithm directly (alg.run); with ``fails`` it must fail, and what it reported is returned."""
    from qgis.core import QgsProcessingContext, QgsProcessingException

    from tests.helpers import recording_feedback

    alg = alg_class()
    alg.initAlgorithm({})
    feedback = feedback or recording_feedback()
    context = QgsProcessingContext()
    try:
        result, ok = alg.run(params, context, feedback)
    except QgsProcessingException as err:
        result, ok = {"error": str(err)}, False
    assert ok is not fails, feedback.errors
    if fails:
        return {"errors": "\n".join([result.get("error", ""), *feedback.errors])}
    result["_context"] = context
    return result


def _export(store: Path, grid: str, out: Path, feedback=None, fails: bool = False) -> dict:
    from linxia_tianguan_plugin.processing.patrol.field_package_export import FieldPackageExportAlgorithm

    return _run(FieldPackageExportAlgorithm, {"STORE": str(store), "GRID": grid, "OUTPUT": str(out)}, feedback,
                fails)


def _import(store: Path, folder: Path, feedback=None, table: bool = True, fails: bool = False) -> dict:
    from linxia_tianguan_plugin.processing.patrol.field_package_import import FieldPackageImportAlgorithm

    params = {"STORE": str(store), "FOLDER": str(folder)}
    if table:
        params["OUTPUT"] = "memory:"
    return _run(FieldPackageImportAlgorithm, params, feedback, fails)


def _jpeg(path: Path, shade: int) -> bytes:
    from qgis.PyQt.QtGui import QColor, QImage

    path.parent.mkdir(parents=True, exist_ok=True)
    image = QImage(80, 60, QImage.Format_RGB32)
    image.fill(QColor(shade, 140, 60))
    assert image.save(str(path), "JPG")
    return path.read_bytes()


def _case_row(store: Path, case_id: str) -> tuple[str, int]:
    with sqlite3.connect(store) as conn:
        return conn.execute("SELECT state, version FROM tg_case WHERE case_id = ?", (case_id,)).fetchone()


# ------------------------------------------------------------------------------------------- export
def test_export_writes_a_qfield_project_with_the_grids_parcels_tasks_and_cases(filled_copy, tmp_path):
    from qgis.core import QgsProject, QgsWkbTypes

    store = filled_copy
    grid, issued = _issue_group(store)
    out = tmp_path / "packages"
    result = _export(store, grid, out)
    package = out / grid
    assert sorted(p.name for p in out.iterdir()) == [grid]  # no partial folder left behind
    assert {p.name for p in package.iterdir()} >= {rules.GPKG_NAME, rules.PROJECT_NAME, rules.MANIFEST_NAME, "DCIM"}

    with sqlite3.connect(store) as conn:
        codes = [r[0] for r in conn.execute("SELECT code FROM tg_space_code WHERE status = 'active' AND "
                                            "substr(code, 1, 14) = ? ORDER BY code", (grid,))]
        open_cases = {r[0]: r[1] for r in conn.execute(
            "SELECT case_id, version FROM tg_case WHERE grid_code LIKE ? || '%' AND state NOT IN "
            "('pending', 'closed')", (grid,))}
        basic = {r[0] for r in conn.execute("SELECT code FROM tg_space_code WHERE status = 'active' AND "
                                            "substr(code, 1, 14) = ? AND yjmj_m2 > 0", (grid,))}
        store_id = conn.execute("SELECT value FROM tg_meta WHERE key = 'store_id'").fetchone()[0]
    assert set(issued) <= set(open_cases)
    assert result["PARCELS"] == len(codes) > 0 and result["CASES"] == len(open_cases) and result["PACKAGES"] == 1

    manifest = json.loads((package / rules.MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["store_id"] == store_id and manifest["grid"] == grid
    assert {k: v["version"] for k, v in manifest["cases"].items()} == open_cases
    dt.datetime.strptime(manifest["exported_at"], "%Y-%m-%dT%H:%M:%SZ")

    with sqlite3.connect(package / rules.GPKG_NAME) as conn:
        rows = conn.execute("SELECT code, seq, yongnong FROM parcels ORDER BY code").fetchall()
        assert [r[0] for r in rows] == codes
        assert [r[1] for r in rows] == [int(c[14:19]) for c in codes]  # seq = the code's 5-digit sequence
        assert {r[0] for r in rows if r[2] == 1} == basic
        assert {r[0] for r in conn.execute("SELECT case_id FROM cases")} == set(open_cases)
        assert conn.execute("SELECT count(*) FROM tracks").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM evidence").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM report_areas").fetchone()[0] == 0
        task_rows = conn.execute("SELECT grid_code FROM tasks").fetchall()
    assert task_rows and all(r[0].startswith(grid) for r in task_rows)

    project = QgsProject()
    assert project.read(str(package / rules.PROJECT_NAME))
    layers = {layer.source().split("layername=")[-1]: layer for layer in project.mapLayers().values()}
    assert set(layers) == set(rules.LAYERS)
    assert all(layer.isValid() for layer in layers.values())
    text = (package / rules.PROJECT_NAME).read_text(encoding="utf-8")
    assert str(tmp_path) not in text  # relative paths only: the folder can be copied to the phone
    assert layers["parcels"].readOnly() and layers["cases"].readOnly()
    assert not layers["tracks"].readOnly() and not layers["evidence"].readOnly()
    assert QgsWkbTypes.geometryType(layers["report_areas"].wkbType()) == QgsWkbTypes.PolygonGeometry
    assert layers["parcels"].featureCount() == len(codes)
    assert layers["parcels"].labelsEnabled() and '"seq"' in layers["parcels"].labeling().settings().fieldName
    tracks = layers["tracks"]
    assert QgsWkbTypes.hasM(tracks.wkbType()) and QgsWkbTypes.geometryType(tracks.wkbType()) == QgsWkbTypes.LineGeometry
    assert tracks.crs().authid() == "EPSG:4490"
    assert str(tracks.customProperty("QFieldSync/tracking_session_active")).lower() in ("true", "1")
    assert int(tracks.customProperty("QFieldSync/tracking_measurement_type")) == 1
    assert tracks.defaultValueDefinition(tracks.fields().indexOf("started_at")).expression() == "now()"
    evidence = layers["evidence"]
    assert evidence.editorWidgetSetup(evidence.fields().indexOf("photo")).type() == "ExternalResource"
    relation = evidence.editorWidgetSetup(evidence.fields().indexOf("case_id"))
    assert relation.type() == "ValueRelation" and relation.config()["Layer"] == layers["cases"].id()
    assert evidence.defaultValueDefinition(evidence.fields().indexOf("taken_at")).expression() == "now()"
    assert evidence.defaultValueDefinition(evidence.fields().indexOf("x")).expression() == "$x"
    project.clear()


def test_export_refuses_bad_codes_and_keeps_an_existing_package(filled_copy, tmp_path):
    store = filled_copy
    grid, _ = _issue_group(store, 1)
    assert "6229211" in _export(store, "6229211", tmp_path / "bad", fails=True)["errors"]
    out = tmp_path / "packages"
    _export(store, grid, out)
    (out / grid / "DCIM" / "field.jpg").write_bytes(b"not imported yet")
    _export(store, grid, out)
    kept = [p for p in out.iterdir() if p.name.startswith(f"{grid}.replaced-")]
    assert (out / grid / rules.MANIFEST_NAME).is_file() and len(kept) == 1
    assert (kept[0] / "DCIM" / "field.jpg").read_bytes() == b"not imported yet"
    assert not (out / grid / "DCIM" / "field.jpg").exists()
    result = _export(store, f"{grid},{grid[:12]}", out)  # the group is inside the village: one village package
    assert result["PACKAGES"] == 1
    village = out / grid[:12]
    with sqlite3.connect(store) as conn:
        expected = conn.execute("SELECT count(*) FROM tg_space_code WHERE status = 'active' AND "
                                "substr(code, 1, 12) = ?", (grid[:12],)).fetchone()[0]
    with sqlite3.connect(village / rules.GPKG_NAME) as conn:
        assert conn.execute("SELECT count(*) FROM parcels").fetchone()[0] == expected


# ------------------------------------------------------------------------------------------- round trip
def test_round_trip_imports_tracks_and_evidence_once(filled_copy, tmp_path, phone):
    store = filled_copy
    grid, issued = _issue_group(store, 2)
    out = tmp_path / "packages"
    _export(store, grid, out)
    package = out / grid

    start = clock.now_utc().replace(microsecond=0) - dt.timedelta(hours=3)
    times = phone.walk(package, start)
    photos = [_jpeg(package / "DCIM" / f"evidence_{i}.jpg", 40 * i) for i in range(2)]
    phone.evidence(package, [(issued[0], "DCIM/evidence_0.jpg", "地块东侧有新建棚房"),
                              (issued[0], "DCIM/evidence_1.jpg", "另一角度")])

    with sqlite3.connect(store) as conn:
        tracks_before = conn.execute("SELECT count(*) FROM tg_track").fetchone()[0]
        events_before = conn.execute("SELECT count(*) FROM tg_case_event").fetchone()[0]
    state, version = _case_row(store, issued[0])
    assert (state, version) == ("issued", 2)

    result = _import(store, package)
    assert (result["TRACKS"], result["EVIDENCE"], result["EVENTS"], result["CONFLICTS"]) == (1, 2, 1, 0)

    with sqlite3.connect(store) as conn:
        new_tracks = conn.execute("SELECT track_id, file_hash, officer, grid_code, started_at, ended_at, fixes "
                                  "FROM tg_track WHERE officer = ? AND grid_code = ?", (PHONE_OFFICER, grid)).fetchall()
        assert conn.execute("SELECT count(*) FROM tg_track").fetchone()[0] == tracks_before + 1
        assert len(new_tracks) == 1
        _, file_hash, _, _, started_at, ended_at, fixes = new_tracks[0]
        stored_times = [r[0] for r in conn.execute("SELECT time FROM tg_track_fix WHERE file_hash = ? ORDER BY seq",
                                                   (file_hash,))]
        assert stored_times == times and fixes == len(times)
        assert (started_at, ended_at) == (times[0], times[-1])
        events = conn.execute("SELECT actor, from_state, to_state, comment, attachments FROM tg_case_event "
                              "WHERE case_id = ? ORDER BY event_id", (issued[0],)).fetchall()
        assert conn.execute("SELECT count(*) FROM tg_case_event").fetchone()[0] == events_before + 1
        evidence = conn.execute("SELECT sha256, rel_path, kind, added_by FROM tg_case_evidence WHERE case_id = ? "
                                "ORDER BY evidence_id", (issued[0],)).fetchall()
    actor, from_state, to_state, comment, attachments = events[-1]
    assert (actor, from_state, to_state) == (PHONE_OFFICER, "issued", "evidenced")
    assert "新建棚房" in comment
    digests = [hashlib.sha256(p).hexdigest() for p in photos]
    assert [e[0] for e in evidence] == digests and {e[2] for e in evidence} == {"photo"}
    assert json.loads(attachments) == [e[1] for e in evidence]
    folder = store.with_name(f"{store.stem}_evidence")
    for digest, (_, rel_path, _, _) in zip(digests, evidence):
        copied = folder / rel_path
        assert copied.name == f"{digest}.jpg" and hashlib.sha256(copied.read_bytes()).hexdigest() == digest
    assert _case_row(store, issued[0]) == ("evidenced", 3)
    assert _case_row(store, issued[1]) == ("issued", 2)  # no evidence came back for it

    again = _import(store, package)
    assert (again["TRACKS"], again["EVIDENCE"], again["EVENTS"], again["CONFLICTS"]) == (0, 0, 0, 0)
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT count(*) FROM tg_track").fetchone()[0] == tracks_before + 1
        assert conn.execute("SELECT count(*) FROM tg_case_event").fetchone()[0] == events_before + 1
        assert conn.execute("SELECT count(*) FROM tg_case_evidence WHERE case_id = ?", (issued[0],)).fetchone()[0] == 2


def test_conflicts_are_reported_and_nothing_is_overwritten(filled_copy, tmp_path, phone):
    from qgis.core import QgsProcessingContext

    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import take_action
    from tests.helpers import recording_feedback

    store = filled_copy
    grid, issued = _issue_group(store, 2)
    assert len(issued) == 2, "the sample's busiest group has fewer than two pending cases"
    with sqlite3.connect(store) as conn:
        closed = conn.execute("SELECT case_id FROM tg_case WHERE state = 'closed' LIMIT 1").fetchone()[0]
    out = tmp_path / "packages"
    _export(store, grid, out)
    package = out / grid
    # meanwhile the desk moves the second case (its own evidence): the package's version is stale
    gpkg = GpkgStore(store, create=False)
    try:
        take_action(gpkg, issued[1], "submit_evidence", "村干部", "group_officer", 2, "", ["desk.jpg"])
    finally:
        gpkg.close()
    moved = _case_row(store, issued[1])
    _jpeg(package / "DCIM" / "a.jpg", 10)
    _jpeg(package / "DCIM" / "b.jpg", 90)
    _jpeg(package / "DCIM" / "c.jpg", 200)
    phone.evidence(package, [(issued[1], "DCIM/a.jpg", "晚了"),
                              ("00000000-0000-0000-0000-000000000000", "DCIM/b.jpg", "不存在的案件"),
                              (issued[0], "DCIM/missing.jpg", "照片没拷回来"),
                              (closed, "DCIM/c.jpg", "已结案")])
    with sqlite3.connect(store) as conn:
        events_before = conn.execute("SELECT count(*) FROM tg_case_event").fetchone()[0]
        evidence_before = conn.execute("SELECT count(*) FROM tg_case_evidence").fetchone()[0]

    feedback = recording_feedback()
    result = _import(store, package, feedback)
    assert (result["EVIDENCE"], result["EVENTS"], result["CONFLICTS"]) == (0, 0, 4)
    assert _case_row(store, issued[1]) == moved and _case_row(store, issued[0]) == ("issued", 2)
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT count(*) FROM tg_case_event").fetchone()[0] == events_before
        assert conn.execute("SELECT count(*) FROM tg_case_evidence").fetchone()[0] == evidence_before
    context: QgsProcessingContext = result["_context"]
    table = context.getMapLayer(result["OUTPUT"]) or context.takeResultLayer(result["OUTPUT"])
    found = {(f["case_id"], f["conflict"]) for f in table.getFeatures()}
    assert [f.name() for f in table.fields()] == ["layer", "row", "case_id", "conflict", "reason", "detail"]
    assert all(f.alias() for f in table.fields())
    assert found == {(issued[1], rules.MOVED), ("00000000-0000-0000-0000-000000000000", rules.UNKNOWN_CASE),
                     (issued[0], rules.MISSING_PHOTO), (closed, rules.NOT_IN_PACKAGE)}
    # the table shows the conflicts and layers by name (ValueMap widgets), never their codes
    from qgis.core import QgsApplication

    from linxia_tianguan_plugin.labels import field_value_maps

    maps = field_value_maps("field_conflicts")
    for name in ("conflict", "layer"):
        index = table.fields().indexOf(name)
        setup = table.editorWidgetSetup(index)
        formatter = QgsApplication.fieldFormatterRegistry().fieldFormatter(setup.type())
        for value in table.uniqueValues(index):
            shown = formatter.representValue(table, index, setup.config(), None, value)
            assert setup.type() == "ValueMap" and shown == maps[name][value] != value, (name, value, shown)
    assert len(feedback.warnings) >= 4


def test_import_refuses_a_package_of_another_store(filled_store, filled_copy, tmp_path):
    store = filled_copy
    grid, _ = _issue_group(store, 1)
    _export(store, grid, tmp_path / "packages")
    other = store_copy(filled_store, tmp_path / "other")  # the same data, never exported: another store
    assert "another tianguan store" in _import(other, tmp_path / "packages" / grid, table=False, fails=True)["errors"]
    assert "not a field package" in _import(store, tmp_path, table=False, fails=True)["errors"]


# ------------------------------------------------------------------------------------------- pure rules
def test_grid_codes_and_vertex_times():
    assert rules.parse_grids("62292110000101, 622921100001，62292110000202") == ["622921100001", "62292110000202"]
    with pytest.raises(rules.FieldPackageError):
        rules.parse_grids("6229211000010")
    with pytest.raises(rules.FieldPackageError):
        rules.parse_grids(" , ")
    start = dt.datetime(2025, 6, 10, 1, 0, tzinfo=dt.timezone.utc).timestamp()
    assert rules.vertex_times([start * 1000, (start + 5) * 1000], float("nan")) == [start, start + 5]
    assert rules.vertex_times([0.0, 7.5], start) == [start, start + 7.5]
    times = rules.vertex_times([3.0, float("nan")], float("nan"))
    assert all(t != t for t in times)  # NaN: elapsed seconds without a start time are unusable


def test_plan_evidence_rules():
    manifest = {"cases": {"A": {"state": "issued", "version": 2}, "B": {"state": "returned", "version": 5},
                          "C": {"state": "issued", "version": 2}, "D": {"state": "reported", "version": 4}}}
    current = {"A": ("issued", 2), "B": ("returned", 5), "C": ("evidenced", 3), "D": ("reported", 4),
               "E": ("issued", 2)}
    rows = [rules.EvidenceRow(1, "A", "DCIM/1.jpg", "n1", officer="甲"), rules.EvidenceRow(2, "A", "DCIM/2.jpg", "n2"),
            rules.EvidenceRow(3, "B", "DCIM/3.jpg"), rules.EvidenceRow(4, "C", "DCIM/4.jpg"),
            rules.EvidenceRow(5, "D", "DCIM/5.jpg"), rules.EvidenceRow(6, "E", "DCIM/6.jpg"),
            rules.EvidenceRow(7, "Z", "DCIM/7.jpg"), rules.EvidenceRow(8, "A", None),
            rules.EvidenceRow(9, None, "DCIM/9.jpg"), rules.EvidenceRow(10, "B", "DCIM/10.jpg")]
    hashes = {r.fid: (None if r.photo is None else f"h{r.fid}") for r in rows}
    paths = {r.fid: rules.photo_path("/pkg", r.photo) for r in rows}
    subs, conflicts, done = rules.plan_evidence(rows, manifest, current, hashes, {"B": {"h10"}}, paths)
    assert [(s.case_id, s.version, s.photos) for s in subs] == [
        ("A", 2, ["/pkg/DCIM/1.jpg", "/pkg/DCIM/2.jpg"]), ("B", 5, ["/pkg/DCIM/3.jpg"])]
    assert subs[0].actor == "甲" and subs[0].comment == "n1；n2" and subs[1].actor
    assert {(c.fid, c.code) for c in conflicts} == {(4, rules.MOVED), (5, rules.NOT_ACCEPTING),
                                                     (6, rules.NOT_IN_PACKAGE), (7, rules.UNKNOWN_CASE),
                                                     (8, rules.MISSING_PHOTO), (9, rules.NO_CASE)}
    assert done == [10]
    assert rules.photo_path("/pkg", "../../etc/passwd") is None and rules.photo_path("/pkg", "/abs.jpg") is None
    assert rules.photo_path("/pkg", "DCIM\\x.jpg") == "/pkg/DCIM/x.jpg"


def test_a_walk_returned_in_a_village_package_becomes_a_patrol_of_its_group(filled_copy, tmp_path, phone):
    from tests.helpers import run

    store = filled_copy
    grid, _ = _issue_group(store, 1)
    _export(store, grid[:12], tmp_path / "packages")
    package = tmp_path / "packages" / grid[:12]
    # the track layer says the village; the import finds the group the officer walked in
    fixes = phone.patrol(package, dt.datetime(2025, 6, 25, 1, 30, tzinfo=dt.timezone.utc), grid)  # 09:30 Beijing
    assert _import(store, package, table=False)["TRACKS"] == 1
    run("linxia_tianguan:check_tracks", {"STORE": str(store), "OUTPUT": None})
    run("linxia_tianguan:patrol_coverage", {"STORE": str(store), "START": "2025-06-23", "END": "2025-06-29"})
    with sqlite3.connect(store) as conn:
        track_id, accepted, flags, n = conn.execute(
            "SELECT track_id, accepted, flags, fixes FROM tg_track WHERE grid_code = ? AND officer = ?",
            (grid, PHONE_OFFICER)).fetchone()
        assert n == fixes and accepted == 1, flags
        patrols = conn.execute("SELECT officer, started_at, source FROM tg_patrol WHERE grid_code = ? AND "
                               "started_at LIKE '2025-06-25%'", (grid,)).fetchall()
    assert patrols == [(PHONE_OFFICER, "2025-06-25T01:30:00Z", "track")], track_id
