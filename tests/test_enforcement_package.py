"""执法整改包: export the approved / enforcing cases for QField, record rectification results as the phone would
(QGIS editing API, real JPEG photos), zip, import; re-import, a case moved meanwhile, a hostile zip.

Figures are checked with plain SQL on the store and hashes computed here, not through the modules."""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import uuid
import zipfile
from pathlib import Path

from linxia_tianguan_plugin.core.cases import enforcement as rules
from linxia_tianguan_plugin.core.patrol import field_package as fp
from tests.test_field_package import _case_row, _jpeg, _run

OFFICER = "执法队王强"


# ------------------------------------------------------------------------------------------ helpers
def _move(store: Path, case_id: str, moves: list[tuple[str, str, str, tuple]]) -> None:
    """Move one case through the workflow as the desk does (each move with the version it reads)."""
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import take_action

    gpkg = GpkgStore(store, create=False)
    try:
        for action, role, comment, files in moves:
            version = _case_row(store, case_id)[1]
            take_action(gpkg, case_id, action, "县局", role, version, comment, files)
    finally:
        gpkg.close()


TO_APPROVED = [("issue", "county_reviewer", "", ()), ("submit_evidence", "group_officer", "", ("p.jpg",)),
               ("report", "village_township", "", ()), ("approve", "county_reviewer", "", ())]


def _cases_in_states(store: Path) -> dict[str, list[str]]:
    """Three more approved cases and one whose rectification was returned (back in 执行中), besides the filled
    store's own (one enforcing, closed ones): {"approved": [...], "returned": [id], "enforcing": [ids]}."""
    with sqlite3.connect(store) as conn:
        pending = [r[0] for r in conn.execute("SELECT case_id FROM tg_case WHERE state = 'pending' AND "
                                              "length(grid_code) = 14 ORDER BY case_id LIMIT 4")]
    for cid in pending:
        _move(store, cid, TO_APPROVED)
    returned = pending[3]
    _move(store, returned, [("start_enforcement", "enforcement", "", ()),
                            ("report_rectified", "group_officer", "", ("after.jpg",)),
                            ("return_rectification", "county_reviewer", "复耕面积不足", ())])
    with sqlite3.connect(store) as conn:
        enforcing = [r[0] for r in conn.execute("SELECT case_id FROM tg_case WHERE state = 'enforcing' "
                                                "ORDER BY case_id")]
    return {"approved": pending[:3], "returned": [returned], "enforcing": enforcing}


def _export(store: Path, out: Path, prefix: str = "", fails: bool = False) -> dict:
    from linxia_tianguan_plugin.processing.cases.enforcement_package_export import EnforcementPackageExportAlgorithm

    return _run(EnforcementPackageExportAlgorithm, {"STORE": str(store), "PREFIX": prefix, "OUTPUT": str(out)},
                fails=fails)


def _import(store: Path, folder: Path, fails: bool = False) -> dict:
    from linxia_tianguan_plugin.processing.cases.enforcement_package_import import EnforcementPackageImportAlgorithm

    return _run(EnforcementPackageImportAlgorithm, {"STORE": str(store), "FOLDER": str(folder), "OUTPUT": "memory:"},
                fails=fails)


def rectify(package: Path, rows: list[tuple[str, str, list[str], str]], officer: str = OFFICER) -> None:
    """The enforcement officer's phone: rectification points (case_id, result code, photo paths relative to the
    project, note), each on its case, written through a QGIS edit session as QField does (uuid, officer, time)."""
    import datetime as dt

    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    gpkg = package / fp.GPKG_NAME
    cases = QgsVectorLayer(f"{gpkg}|layername={rules.CASES}", "cases", "ogr")
    where = {f["case_id"]: f.geometry().pointOnSurface() for f in cases.getFeatures()}
    layer = QgsVectorLayer(f"{gpkg}|layername={rules.RECTIFICATION}", "rectification", "ogr")
    assert layer.isValid()
    features = []
    for n, (case_id, result, photos, note) in enumerate(rows):
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry(where.get(case_id) or next(iter(where.values()))))
        feature["uuid"] = "{" + str(uuid.uuid4()) + "}"
        feature["case_id"], feature["result"], feature["note"], feature["officer"] = case_id, result, note, officer
        for name, photo in zip(rules.PHOTO_FIELDS, photos):
            feature[name] = photo
        feature["recorded_at"] = dt.datetime(2026, 3, 10, 10, n)
        features.append(feature)
    assert layer.startEditing() and all(layer.addFeature(f) for f in features) and layer.commitChanges(), \
        layer.commitErrors()


def _zip(package: Path, target: Path, extra: dict[str, bytes] | None = None) -> Path:
    """The package as the phone sends it back: one zip of the folder (and ``extra`` members, hostile ones)."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(package.rglob("*")):
            if path.is_file():
                archive.write(path, f"{package.name}/{path.relative_to(package).as_posix()}")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return target


def _events(store: Path, case_id: str) -> list[tuple]:
    with sqlite3.connect(store) as conn:
        return conn.execute("SELECT actor, from_state, to_state, comment, attachments FROM tg_case_event "
                            "WHERE case_id = ? ORDER BY event_id", (case_id,)).fetchall()


def _count(store: Path, table: str) -> int:
    with sqlite3.connect(store) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# ------------------------------------------------------------------------------------------- export
def test_export_carries_the_approved_and_enforcing_cases_with_a_rectification_form(filled_copy, tmp_path):
    from qgis.core import QgsProject

    store = filled_copy
    made = _cases_in_states(store)
    result = _export(store, tmp_path / "out", "622921")
    package = tmp_path / "out" / "enforcement-622921"
    assert Path(result["FOLDER"]) == package and sorted(p.name for p in package.parent.iterdir()) == [package.name]
    with sqlite3.connect(store) as conn:
        expected = {r[0]: r[1] for r in conn.execute(
            "SELECT case_id, version FROM tg_case WHERE state IN ('approved', 'enforcing') AND grid_code LIKE "
            "'622921%'")}
        parcels = {c for (codes,) in conn.execute("SELECT parcel_codes FROM tg_case WHERE case_id IN "
                                                  f"({','.join('?' * len(expected))})", list(expected))
                   for c in json.loads(codes or "[]")}
    assert set(made["approved"]) | set(made["returned"]) | set(made["enforcing"]) == set(expected)
    assert result["CASES"] == len(expected) and result["PARCELS"] == len(parcels)

    manifest = json.loads((package / fp.MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["kind"] == rules.KIND and manifest["grid"] == "622921" and len(manifest["package_id"]) == 36
    assert {k: v["version"] for k, v in manifest["cases"].items()} == expected

    with sqlite3.connect(package / fp.GPKG_NAME) as conn:
        rows = conn.execute("SELECT case_id, kind, category, state, deadline, version, area_mu FROM cases").fetchall()
        assert {r[0]: r[5] for r in rows} == expected
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r[1] + r[2]) for r in rows)  # kind, category Chinese
        assert {r[3] for r in rows} == {"approved", "enforcing"} and all(r[4] for r in rows)
        assert {r[0] for r in conn.execute("SELECT code FROM parcels")} == parcels
        assert conn.execute("SELECT count(*) FROM rectification").fetchone()[0] == 0

    project = QgsProject()
    assert project.read(str(package / fp.PROJECT_NAME))
    layers = {layer.source().split("layername=")[-1]: layer for layer in project.mapLayers().values()}
    assert set(layers) == set(rules.LAYERS) and all(layer.isValid() for layer in layers.values())
    assert str(tmp_path) not in (package / fp.PROJECT_NAME).read_text(encoding="utf-8")
    assert layers["cases"].readOnly() and layers["parcels"].readOnly()
    form = layers["rectification"]
    assert not form.readOnly()
    fields = form.fields()
    relation = form.editorWidgetSetup(fields.indexOf("case_id"))
    assert relation.type() == "ValueRelation" and relation.config()["Layer"] == layers["cases"].id()
    results = form.editorWidgetSetup(fields.indexOf("result"))
    assert results.type() == "ValueMap"
    assert [next(iter(m.items())) for m in results.config()["map"]] == [
        ("已拆除复耕", "demolished"), ("已整改到位", "restored"), ("整改中", "in_progress"), ("拒不整改", "refused"),
        ("其他", "other")]
    for name in rules.PHOTO_FIELDS:
        setup = form.editorWidgetSetup(fields.indexOf(name))
        assert setup.type() == "ExternalResource" and setup.config()["RelativeStorage"] == 1, name
    assert set(json.loads(form.customProperty("QFieldSync/attachment_naming"))) == set(rules.PHOTO_FIELDS)
    assert form.defaultValueDefinition(fields.indexOf("recorded_at")).expression() == "now()"
    assert form.defaultValueDefinition(fields.indexOf("uuid")).expression() == "uuid()"
    project.clear()

    # a second export keeps the first folder (it may hold results not yet imported)
    _export(store, tmp_path / "out", "622921")
    assert len([p for p in package.parent.iterdir() if p.name.startswith(f"{package.name}.replaced-")]) == 1
    assert "62292" in _export(store, tmp_path / "bad", "62292", fails=True)["errors"]


# ------------------------------------------------------------------------------------------- round trip
def test_results_move_the_cases_once_with_their_photos_as_evidence(filled_copy, tmp_path):
    store = filled_copy
    made = _cases_in_states(store)
    _export(store, tmp_path / "out")
    package = tmp_path / "out" / "enforcement-all"
    (a, b, e), c, d = made["approved"], made["returned"][0], next(x for x in made["enforcing"]
                                                                   if x not in made["returned"])
    photos = {name: _jpeg(package / "DCIM" / name, shade)
              for name, shade in (("a1.jpg", 20), ("a2.jpg", 60), ("b.jpg", 100), ("c.jpg", 140))}
    rectify(package, [(a, "demolished", ["DCIM/a1.jpg", "DCIM/a2.jpg"], "砖房已拆除，已复耕"),
                      (b, "in_progress", ["DCIM/b.jpg"], "已下达整改通知"),
                      (c, "restored", ["DCIM/c.jpg"], "补足复耕面积"),
                      (d, "refused", [], "当事人拒不整改"),
                      (e, "restored", [], "没有照片")])
    versions = {cid: _case_row(store, cid)[1] for cid in (a, b, c, d, e)}
    events_before, evidence_before = _count(store, "tg_case_event"), _count(store, "tg_case_evidence")

    result = _import(store, _zip(package, tmp_path / "back.zip"))
    assert (result["ROWS"], result["CASES"], result["PHOTOS"], result["CONFLICTS"]) == (5, 3, 4, 1)

    assert _case_row(store, a) == ("rectified", versions[a] + 2)
    assert _case_row(store, b) == ("enforcing", versions[b] + 1)
    assert _case_row(store, c) == ("rectified", versions[c] + 1)
    assert _case_row(store, d) == ("enforcing", versions[d]) and _case_row(store, e) == ("approved", versions[e])
    assert _count(store, "tg_case_event") == events_before + 4
    assert _count(store, "tg_case_evidence") == evidence_before + 4
    start, done = _events(store, a)[-2:]
    assert start[:3] == (OFFICER, "approved", "enforcing")
    assert done[:3] == (OFFICER, "enforcing", "rectified")
    assert done[3].startswith("整改结果：已拆除复耕。砖房已拆除，已复耕")
    with sqlite3.connect(store) as conn:
        stored = dict(conn.execute("SELECT rel_path, sha256 FROM tg_case_evidence WHERE case_id = ?", (a,)))
    assert sorted(stored[p] for p in json.loads(done[4])) == sorted(
        hashlib.sha256(photos[n]).hexdigest() for n in ("a1.jpg", "a2.jpg"))
    (started,) = _events(store, b)[-1:]
    assert started[1:3] == ("approved", "enforcing") and "整改结果：整改中。已下达整改通知" in started[3]
    assert _events(store, c)[-1][3].startswith("整改结果：已整改到位")

    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import rebuilt_state

    gpkg = GpkgStore(store, create=False)
    try:
        assert all(rebuilt_state(gpkg, cid) == _case_row(store, cid)[0] for cid in (a, b, c, d, e))
    finally:
        gpkg.close()

    table = result["_context"].getMapLayer(result["OUTPUT"]) or result["_context"].takeResultLayer(result["OUTPUT"])
    (conflict,) = list(table.getFeatures())
    assert (conflict["case_id"], conflict["conflict"], conflict["layer"]) == (e, rules.NEEDS_ATTACHMENT,
                                                                             rules.RECTIFICATION)
    assert conflict["reason"] and conflict["reason"] != rules.NEEDS_ATTACHMENT
    from qgis.core import QgsApplication

    from linxia_tianguan_plugin.labels import field_value_maps

    maps = field_value_maps("enforcement_conflicts")  # the table shows names (ValueMap widgets), never codes
    for name in ("conflict", "layer"):
        index = table.fields().indexOf(name)
        setup = table.editorWidgetSetup(index)
        formatter = QgsApplication.fieldFormatterRegistry().fieldFormatter(setup.type())
        shown = formatter.representValue(table, index, setup.config(), None, conflict[name])
        assert setup.type() == "ValueMap" and shown == maps[name][conflict[name]] != conflict[name], (name, shown)

    # the same package again (the folder this time): nothing new, the conflict still said
    again = _import(store, package)
    assert (again["ROWS"], again["CASES"], again["PHOTOS"], again["CONFLICTS"]) == (5, 0, 0, 1)
    assert _count(store, "tg_case_event") == events_before + 4
    assert _count(store, "tg_case_evidence") == evidence_before + 4

    # the officer adds the missing photo and a later result; the package returns once more: it goes on from there
    _jpeg(package / "DCIM" / "e.jpg", 180)
    rectify(package, [(e, "restored", ["DCIM/e.jpg"], "补拍"), (b, "demolished", ["DCIM/b.jpg"], "已拆除")])
    third = _import(store, package)
    assert (third["ROWS"], third["CASES"], third["CONFLICTS"]) == (7, 2, 1)
    assert _case_row(store, e) == ("rectified", versions[e] + 2) and _case_row(store, b)[0] == "rectified"


def test_a_case_moved_since_the_export_is_a_conflict_and_nothing_is_written(filled_copy, tmp_path):
    store = filled_copy
    made = _cases_in_states(store)
    _export(store, tmp_path / "out")
    package = tmp_path / "out" / "enforcement-all"
    a = made["approved"][0]
    _move(store, a, [("close", "county_reviewer", "补办用地手续，合法", ())])  # the desk closes it meanwhile
    b = made["approved"][1]
    _move(store, b, [("start_enforcement", "county_reviewer", "县局先行执法", ())])
    _jpeg(package / "DCIM" / "a.jpg", 30)
    _jpeg(package / "DCIM" / "b.jpg", 90)
    rectify(package, [(a, "demolished", ["DCIM/a.jpg"], ""), (b, "restored", ["DCIM/b.jpg"], ""),
                      ("00000000-0000-0000-0000-000000000000", "restored", ["DCIM/b.jpg"], ""),
                      (made["approved"][2], "restored", ["DCIM/missing.jpg"], ""),
                      (made["approved"][2], None, [], "")])
    before = {cid: _case_row(store, cid) for cid in (a, b, made["approved"][2])}
    events_before, evidence_before = _count(store, "tg_case_event"), _count(store, "tg_case_evidence")
    result = _import(store, package)
    assert (result["CASES"], result["PHOTOS"], result["CONFLICTS"]) == (0, 0, 5)
    table = result["_context"].getMapLayer(result["OUTPUT"]) or result["_context"].takeResultLayer(result["OUTPUT"])
    assert sorted(f["conflict"] for f in table.getFeatures()) == sorted(
        [fp.CLOSED, fp.MOVED, fp.UNKNOWN_CASE, fp.MISSING_PHOTO, rules.UNKNOWN_RESULT])
    assert {cid: _case_row(store, cid) for cid in before} == before
    assert (_count(store, "tg_case_event"), _count(store, "tg_case_evidence")) == (events_before, evidence_before)


def test_a_hostile_zip_member_is_refused_and_a_field_package_is_not_taken(filled_copy, tmp_path):
    store = filled_copy
    made = _cases_in_states(store)
    _export(store, tmp_path / "out")
    package = tmp_path / "out" / "enforcement-all"
    a = made["approved"][0]
    rectify(package, [(a, "demolished", ["DCIM/link.jpg"], "")])
    evil = tmp_path / "evil"
    evil.mkdir()
    link = zipfile.ZipInfo(f"{package.name}/DCIM/link.jpg")
    link.external_attr = (0o120777 << 16)  # a symbolic link to a desk file
    archive = _zip(package, evil / "back.zip", {f"{package.name}/../../outside.jpg": b"\xff\xd8\xff\xe0 escaped"})
    with zipfile.ZipFile(archive, "a") as z:
        z.writestr(link, str(store))
    before = _case_row(store, a)
    result = _import(store, archive)
    assert (result["CASES"], result["PHOTOS"], result["CONFLICTS"]) == (0, 0, 1)
    table = result["_context"].getMapLayer(result["OUTPUT"]) or result["_context"].takeResultLayer(result["OUTPUT"])
    assert [f["conflict"] for f in table.getFeatures()] == [fp.REFUSED_PHOTO]
    assert _case_row(store, a) == before
    assert not any(p.name == "outside.jpg" for p in tmp_path.rglob("*")) and not Path("/outside.jpg").exists()
    assert not os.path.exists(os.path.join(os.path.dirname(str(tmp_path)), "outside.jpg"))

    from tests.test_field_package import _export as field_export
    from tests.test_field_package import _issue_group

    grid, _ = _issue_group(store, 1)
    field_export(store, grid, tmp_path / "field")
    assert "not an enforcement package" in _import(store, tmp_path / "field" / grid, fails=True)["errors"]
    # …nor does the field package import take an enforcement package (it would import nothing, silently)
    from linxia_tianguan_plugin.processing.patrol.field_package_import import FieldPackageImportAlgorithm

    before = _count(store, "tg_case_event")
    refused = _run(FieldPackageImportAlgorithm, {"STORE": str(store), "FOLDER": str(package)}, fails=True)
    assert "is an enforcement package" in refused["errors"] and _count(store, "tg_case_event") == before


# ------------------------------------------------------------------------------------------- pure rules
def test_plan_cases_rules():
    names = {"demolished": "已拆除复耕", "in_progress": "整改中", "restored": "已整改到位"}
    manifest = {"package_id": "P", "cases": {"A": {"state": "approved", "version": 5},
                                             "B": {"state": "enforcing", "version": 7},
                                             "C": {"state": "approved", "version": 5}}}
    current = {"A": ("approved", 5), "B": ("enforcing", 8), "C": ("approved", 6)}
    rows = [rules.RectificationRow(1, "u1", "A", "in_progress", ("DCIM/1.jpg",), "通知"),
            rules.RectificationRow(2, "u2", "A", "demolished", ("DCIM/2.jpg",), "拆了"),
            rules.RectificationRow(3, "u3", "A", "refused", (), ""),
            rules.RectificationRow(4, "u4", "B", "restored", ("DCIM/4.jpg",)),
            rules.RectificationRow(5, "u5", "C", "restored", ("DCIM/5.jpg",))]
    paths = {r.fid: [f"/p/{p}" for p in r.photos] for r in rows}
    hashes = {r.fid: [f"h{r.fid}"] * len(r.photos) for r in rows}
    # B: one event of this package since the export (8 = 7 + 1); C moved by someone else (6 ≠ 5)
    plans, conflicts, before = rules.plan_cases(rows, manifest, current, paths, hashes, {}, {}, {"B": "…P#u0…"},
                                                {"B": 1}, names)
    (a, b) = plans
    assert [[m.action for m in s.moves] for s in a.steps] == [["start_enforcement"], ["report_rectified"], []]
    assert a.version == 5 and b.version == 8 and [m.action for m in b.steps[0].moves] == ["report_rectified"]
    assert a.steps[0].moves[0].comment == "整改结果：整改中。通知〔执法整改包 P#u1〕"
    assert [(c.fid, c.code) for c in conflicts] == [(5, fp.MOVED)] and before == []
    # rows whose tag is in an event of their case were imported before
    _, _, before = rules.plan_cases(rows[:2], manifest, current, paths, hashes, {}, {}, {"A": "x P#u1 P#u2"}, {},
                                    names)
    assert before == [1, 2]
    assert rules.package_cases([{"state": "approved", "grid_code": "62292110"}, {"state": "rectified"},
                                {"state": "enforcing", "parcel_codes": ["6229221"]}], "622921") == [
        {"state": "approved", "grid_code": "62292110"}]


# ------------------------------------------------------------------------------------------- demo
def test_the_demo_moves_a_case_to_rectified(filled_copy, tmp_path, processing_registry):
    """tools/demo.py's enforcement_demo on a store where workflow_demo's cases are (one enforcing, one reported)."""
    from tools.demo import enforcement_demo

    summary: dict = {}
    enforcement_demo(tmp_path, filled_copy, summary)
    done = summary["enforcement_package"]
    assert done["state"] == "已整改" and done["imported"]["CASES"] == 1 and done["imported"]["PHOTOS"] == 1
    assert done["cases"] >= 1 and (tmp_path / "执法整改包" / "enforcement-all" / fp.MANIFEST_NAME).is_file()
