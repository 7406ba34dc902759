"""巡田上报: a problem an officer finds on patrol, written into the package as QField would, becomes a new case.

Figures are checked with plain SQL on the store, not through the modules."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from linxia_tianguan_plugin.core.patrol import field_package as rules
from tests.test_field_package import _export, _import, _issue_group
from tools.phone import Phone


def _package(store: Path, tmp_path: Path) -> tuple[str, Path]:
    grid, _ = _issue_group(store)
    out = tmp_path / "packages"
    _export(store, grid, out)
    return grid, out / grid


def test_the_export_has_a_report_layer_with_the_five_categories(filled_copy, tmp_path):
    from qgis.core import QgsProject

    _, package = _package(filled_copy, tmp_path)
    with sqlite3.connect(package / rules.GPKG_NAME) as conn:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(reports)")}
        assert conn.execute("SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name = 'reports'"
                            ).fetchone()[0] == "POINT"
    assert {"uuid", "category", "photo", "note", "officer", "reported_at"} <= columns
    manifest = json.loads((package / rules.MANIFEST_NAME).read_text(encoding="utf-8"))
    assert len(manifest["package_id"]) == 36
    project = QgsProject()
    assert project.read(str(package / rules.PROJECT_NAME))
    layer = next(x for x in project.mapLayers().values() if x.source().endswith("layername=reports"))
    setup = layer.editorWidgetSetup(layer.fields().indexOf("category"))
    assert setup.type() == "ValueMap"
    assert [next(iter(m)) for m in setup.config()["map"]] == ["非农化", "非粮化", "撂荒", "乱占", "其他"]
    assert layer.defaultValueDefinition(layer.fields().indexOf("uuid")).expression() == "uuid()"


def test_a_report_becomes_a_pending_case_with_its_photo_once(filled_copy, tmp_path):
    store = filled_copy
    grid, package = _package(store, tmp_path)
    phone = Phone()
    photo = phone.photo(package, "report_1.jpg")
    phone.report(package, [("乱占", photo, "新建砖房"), ("撂荒", None, "两年未种")])
    with sqlite3.connect(store) as conn:
        before = conn.execute("SELECT count(*) FROM tg_case").fetchone()[0]

    result = _import(store, package)
    assert (result["REPORTS"], result["NEW_CASES"], result["EVIDENCE"], result["CONFLICTS"]) == (2, 2, 1, 0)

    digest = hashlib.sha256((package / photo).read_bytes()).hexdigest()
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT count(*) FROM tg_case").fetchone()[0] == before + 2
        rows = conn.execute("SELECT case_id, state, kind, category, reasons, source, parcel_codes, grid_code, "
                            "case_no FROM tg_case WHERE source = 'field_report' ORDER BY external_id").fetchall()
        assert len(rows) == 2
        by_kind = {r[2]: r for r in rows}
        assert set(by_kind) == {"nonagri", "abandoned"}  # 乱占 is 非农化, 撂荒 its own kind
        for cid, state, _, category, reasons, _, codes, group, number in rows:
            assert state == "pending" and category == "verify" and "field_report" in json.loads(reasons)
            (code,) = json.loads(codes)  # the point stands on a parcel of the package
            assert code.startswith(grid) and group == code[:14] and number
            events = conn.execute("SELECT actor, from_state, to_state, comment FROM tg_case_event WHERE case_id = ?",
                                  (cid,)).fetchall()
            assert len(events) == 1 and events[0][:3] == ("system", None, "pending")
            assert events[0][3].startswith(f"巡田上报（外业巡田包 {grid}，{Phone.officer}")
        brick = by_kind["nonagri"][0]
        assert "新建砖房" in conn.execute("SELECT comment FROM tg_case_event WHERE case_id = ?", (brick,)).fetchone()[0]
        assert conn.execute("SELECT sha256, kind, added_by FROM tg_case_evidence WHERE case_id = ?",
                            (brick,)).fetchall() == [(digest, "photo", Phone.officer)]
        assert conn.execute("SELECT count(*) FROM tg_case_evidence WHERE case_id = ?",
                            (by_kind["abandoned"][0],)).fetchone()[0] == 0

    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import rebuilt_state

    gpkg = GpkgStore(store, create=False)
    try:
        assert all(rebuilt_state(gpkg, r[0]) == "pending" for r in rows)  # a history the workflow accepts
    finally:
        gpkg.close()

    again = _import(store, package)
    assert (again["REPORTS"], again["NEW_CASES"], again["EVIDENCE"], again["CONFLICTS"]) == (2, 0, 0, 0)
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT count(*) FROM tg_case").fetchone()[0] == before + 2
        assert conn.execute("SELECT count(*) FROM tg_case_evidence WHERE case_id IN (SELECT case_id FROM tg_case "
                            "WHERE source = 'field_report')").fetchone()[0] == 1


def test_a_report_far_from_parcels_is_a_circle_and_a_missing_photo_makes_no_case(filled_copy, tmp_path):
    store = filled_copy
    _, package = _package(store, tmp_path)
    with sqlite3.connect(store) as conn:
        minx, miny = conn.execute("SELECT min(minx), min(miny) FROM rtree_tg_space_code_geom").fetchone()
    far = (minx - 5000.0, miny - 5000.0)
    Phone().report(package, [("其他", None, "远处"), ("非粮化", "DCIM/nothing.jpg", "照片丢了")], at=[far, None])
    result = _import(store, package)
    assert (result["REPORTS"], result["NEW_CASES"], result["CONFLICTS"]) == (2, 1, 1)
    with sqlite3.connect(store) as conn:
        (codes, area, kind), = conn.execute("SELECT parcel_codes, area_m2, kind FROM tg_case "
                                            "WHERE source = 'field_report'").fetchall()
    assert json.loads(codes) == [] and kind == "other"
    assert 0.98 < area / (3.14159 * rules.REPORT_RADIUS_M ** 2) < 1.0  # a polygonal circle


def test_plan_reports_rules():
    manifest = {"package_id": "p1", "store_id": "s", "grid": "62292110120101", "exported_at": "2025-06-20T00:00:00Z"}
    rows = [rules.ReportRow(1, "{a}", "乱占", None, x=1.0, y=2.0), rules.ReportRow(2, None, "", None),
            rules.ReportRow(3, None, "怪", "DCIM/x.jpg", x=1.0, y=2.0)]
    plans, conflicts = rules.plan_reports(rows, manifest, {3: "/p/DCIM/x.jpg"}, {3: "ab"})
    assert [(p.row.fid, p.kind) for p in plans] == [(1, "nonagri"), (3, "other")]
    assert [(c.fid, c.code) for c in conflicts] == [(2, rules.NO_POSITION)]
    # the key is the package and the report's uuid, not what the officer may still edit
    edited = rules.ReportRow(1, "{a}", "撂荒", None, note="改", x=9.0, y=9.0)
    assert rules.report_key(manifest, rows[0]) == rules.report_key(manifest, edited)
    assert rules.report_key(manifest, rows[0]) != rules.report_key(dict(manifest, package_id="p2"), rows[0])
    comment = rules.report_comment(rules.ReportRow(1, None, None, None, note="a\x00b"), "g")
    assert comment == "巡田上报（外业巡田包 g，田管员）：其他。ab"
