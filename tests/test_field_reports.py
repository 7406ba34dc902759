"""巡田上报: a problem an officer finds on patrol, written into the package as QField would, becomes a new case.

Figures are checked with plain SQL on the store, not through the modules."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from linxia_tianguan_plugin.core.patrol import field_package as rules
from tests.test_field_package import _export, _import, _issue_group, _jpeg, _run
from tools.phone import Phone

#: the day approvals are checked on in the pre-judgement tests (never the machine's today)
TODAY = "2025-06-30"


def _package(store: Path, tmp_path: Path) -> tuple[str, Path]:
    grid, _ = _issue_group(store)
    out = tmp_path / "packages"
    _export(store, grid, out)
    return grid, out / grid


def test_the_export_has_a_report_layer_with_the_five_categories(filled_copy, tmp_path):
    from qgis.core import QgsProject

    _, package = _package(filled_copy, tmp_path)
    with sqlite3.connect(package / rules.GPKG_NAME) as conn:
        columns = {name: {r[1] for r in conn.execute(f"PRAGMA table_info({name})")} for name in rules.REPORT_LAYERS}
        types = dict(conn.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"))
    assert types["reports"] == "POINT" and types["report_areas"] == "POLYGON"
    for name in rules.REPORT_LAYERS:
        assert {"uuid", "category", "photo", "photo_2", "photo_3", "note", "officer", "reported_at"} <= columns[name]
    manifest = json.loads((package / rules.MANIFEST_NAME).read_text(encoding="utf-8"))
    assert len(manifest["package_id"]) == 36
    project = QgsProject()
    assert project.read(str(package / rules.PROJECT_NAME))
    for name in rules.REPORT_LAYERS:  # the point and the sketch layer: one form
        layer = next(x for x in project.mapLayers().values() if x.source().endswith(f"layername={name}"))
        assert not layer.readOnly()
        setup = layer.editorWidgetSetup(layer.fields().indexOf("category"))
        assert setup.type() == "ValueMap"
        assert [next(iter(m)) for m in setup.config()["map"]] == ["非农化", "非粮化", "撂荒", "乱占", "其他"]
        assert layer.defaultValueDefinition(layer.fields().indexOf("uuid")).expression() == "uuid()"
        for photo in rules.PHOTO_FIELDS:
            assert layer.editorWidgetSetup(layer.fields().indexOf(photo)).type() == "ExternalResource", (name, photo)
        assert set(json.loads(layer.customProperty("QFieldSync/attachment_naming"))) == set(rules.PHOTO_FIELDS)
    project.clear()


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
            rules.ReportRow(3, None, "怪", "DCIM/x.jpg", x=1.0, y=2.0, photos_more=(None, "DCIM/y.jpg")),
            rules.ReportRow(4, None, "撂荒", "DCIM/x.jpg", x=1.0, y=2.0, photos_more=("DCIM/gone.jpg",)),
            rules.ReportRow(5, None, "撂荒", "DCIM/bad.jpg", x=1.0, y=2.0)]
    paths = {"DCIM/x.jpg": "/p/DCIM/x.jpg", "DCIM/y.jpg": "/p/DCIM/y.jpg", "DCIM/gone.jpg": "/p/DCIM/gone.jpg"}
    plans, conflicts = rules.plan_reports(rows, manifest, paths, {"DCIM/x.jpg": "ab", "DCIM/y.jpg": "cd"},
                                          {"DCIM/bad.jpg": "链接"})
    assert [(p.row.fid, p.kind) for p in plans] == [(1, "nonagri"), (3, "other")]
    assert plans[1].photos == ("/p/DCIM/x.jpg", "/p/DCIM/y.jpg") and plans[1].photo == "/p/DCIM/x.jpg"
    assert [(c.fid, c.code) for c in conflicts] == [(2, rules.NO_POSITION), (4, rules.MISSING_PHOTO),
                                                    (5, rules.REFUSED_PHOTO)]
    # the key is the package and the report's uuid, not what the officer may still edit
    edited = rules.ReportRow(1, "{a}", "撂荒", None, note="改", x=9.0, y=9.0)
    assert rules.report_key(manifest, rows[0]) == rules.report_key(manifest, edited)
    assert rules.report_key(manifest, rows[0]) != rules.report_key(dict(manifest, package_id="p2"), rows[0])
    # without a uuid, a sketch and a point of the same fid are two reports
    area = rules.ReportRow(2, None, "", None, layer=rules.REPORT_AREAS)
    assert rules.report_key(manifest, rows[1]) != rules.report_key(manifest, area)
    comment = rules.report_comment(rules.ReportRow(1, None, None, None, note="a\x00b"), "g")
    assert comment == "巡田上报（外业巡田包 g，田管员）：其他。ab"


def test_a_sketch_is_made_valid_or_refused():
    import shapely

    def sketch(wkt):
        return rules.ReportRow(1, None, "撂荒", None, layer=rules.REPORT_AREAS,
                               sketch=shapely.to_wkb(shapely.from_wkt(wkt)))

    bow = sketch("POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))")  # one finger crossing its own line
    geom, code, repaired = rules.report_geometry(bow)
    assert code is None and repaired and geom.is_valid and geom.area == pytest.approx(50.0)
    assert rules.report_geometry(sketch("POLYGON ((0 0, 10 0, 20 0, 0 0))"))[1] == rules.BAD_GEOMETRY
    assert rules.report_geometry(sketch("POLYGON ((0 0, 0.5 0, 0.5 0.5, 0 0))"))[1] == rules.BAD_GEOMETRY
    assert rules.report_geometry(rules.ReportRow(1, None, "", None, layer=rules.REPORT_AREAS))[1] == rules.NO_POSITION


# ------------------------------------------------------------------------------- sketches, photos, pre-judgement
def _parcels(package: Path) -> list[tuple[str, object]]:
    """(code, shapely geometry) of the package's parcels in code order, read with OGR."""
    import shapely
    from osgeo import ogr

    ds = ogr.Open(str(package / rules.GPKG_NAME))
    out = [(f.GetField("code"), shapely.from_wkb(bytes(f.GetGeometryRef().ExportToIsoWkb())))
           for f in ds.GetLayerByName("parcels")]
    ds = None
    return sorted(out, key=lambda p: p[0])


def _overlapped_codes(store: Path, wkt: str) -> list[str]:
    """Active coded parcels a polygon overlaps by at least 1 m², found with OGR on the store itself."""
    from osgeo import ogr

    sketch = ogr.CreateGeometryFromWkt(wkt)
    ds = ogr.Open(str(store))
    layer = ds.GetLayerByName("tg_space_code")
    layer.SetSpatialFilter(sketch)
    layer.SetAttributeFilter("status = 'active'")
    codes = sorted(f.GetField("code") for f in layer if f.GetGeometryRef().Intersection(sketch).GetArea() >= 1.0)
    ds = None
    return codes


def _square(x: float, y: float, half: float) -> str:
    return (f"POLYGON (({x - half} {y - half}, {x + half} {y - half}, {x + half} {y + half}, {x - half} {y + half}, "
            f"{x - half} {y - half}))")


def test_sketched_reports_with_three_photos_become_their_own_polygons(filled_copy, tmp_path):
    import shapely

    store = filled_copy
    grid, package = _package(store, tmp_path)
    parcels = _parcels(package)
    (x0, y0), (x1, y1), (x2, y2) = [shapely.get_coordinates(shapely.point_on_surface(g))[0] for _, g in parcels[:3]]
    photos = []
    for i in range(3):
        _jpeg(package / "DCIM" / f"report_areas_{i}.jpg", 60 * i + 20)
        photos.append(f"DCIM/report_areas_{i}.jpg")
    square = _square(x0, y0, 25.0)
    bow = (f"POLYGON (({x1 - 10} {y1 - 10}, {x1 + 10} {y1 + 10}, {x1 + 10} {y1 - 10}, {x1 - 10} {y1 + 10}, "
           f"{x1 - 10} {y1 - 10}))")
    flat = f"POLYGON (({x2} {y2}, {x2 + 10} {y2}, {x2 + 20} {y2}, {x2} {y2}))"
    Phone().sketch(package, [(square, "非农化", photos, "新建彩钢房，范围如图"), (bow, "撂荒", [], "交叉画的范围"),
                      (flat, "其他", [], "手滑")])

    result = _import(store, package)
    assert (result["REPORTS"], result["NEW_CASES"], result["EVIDENCE"], result["CONFLICTS"]) == (3, 2, 3, 1)
    context = result["_context"]
    table = context.getMapLayer(result["OUTPUT"]) or context.takeResultLayer(result["OUTPUT"])
    assert [(f["layer"], f["conflict"]) for f in table.getFeatures()] == [(rules.REPORT_AREAS, rules.BAD_GEOMETRY)]
    digests = [hashlib.sha256((package / p).read_bytes()).hexdigest() for p in photos]
    with sqlite3.connect(store) as conn:
        rows = {r[0]: r[1:] for r in conn.execute("SELECT kind, case_id, parcel_codes, area_m2, state, category, "
                                                  "grid_code FROM tg_case WHERE source = 'field_report'")}
        assert set(rows) == {"nonagri", "abandoned"}
        cid, codes, area, state, category, group = rows["nonagri"]
        assert (state, category) == ("pending", "verify")
        assert json.loads(codes) == _overlapped_codes(store, square) and len(json.loads(codes)) >= 1
        assert area == pytest.approx(2500.0, abs=0.01) and group.startswith(grid[:12])
        # three photos, three evidence rows, in the order of the form's fields
        assert [r[0] for r in conn.execute("SELECT sha256 FROM tg_case_evidence WHERE case_id = ? ORDER BY "
                                           "evidence_id", (cid,))] == digests
        bow_id, _, bow_area, *_ = rows["abandoned"]
        assert bow_area == pytest.approx(200.0, abs=0.01)  # the two triangles the crossed ring encloses

    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import cases

    gpkg = GpkgStore(store, create=False)
    try:
        stored = {c["case_id"]: c["geom"] for c in cases(gpkg) if c["source"] == "field_report"}
    finally:
        gpkg.close()
    assert stored[cid].equals(shapely.from_wkt(square).normalize()) or \
        shapely.symmetric_difference(stored[cid], shapely.from_wkt(square)).area < 1e-6
    assert stored[bow_id].is_valid and len(shapely.get_parts(stored[bow_id])) == 2

    again = _import(store, package)
    assert (again["REPORTS"], again["NEW_CASES"], again["EVIDENCE"], again["CONFLICTS"]) == (3, 0, 0, 1)
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT count(*) FROM tg_case WHERE source = 'field_report'").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM tg_case_evidence WHERE case_id = ?", (cid,)).fetchone()[0] == 3


def _references(path: Path, srs_wkt: str, approved: list, basic: list) -> Path:
    """A county's reference layers as OGR writes them: 批准用地 PZYD (PZWH, PZRQ) and 永久基本农田 YJJBNTTB."""
    from osgeo import ogr, osr

    srs = osr.SpatialReference()
    srs.ImportFromWkt(srs_wkt)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    for name, geoms, fields in (("PZYD", approved, [("PZWH", ogr.OFTString), ("PZRQ", ogr.OFTDate)]),
                                ("YJJBNTTB", basic, [])):
        layer = ds.CreateLayer(name, srs, ogr.wkbMultiPolygon)
        for field_name, kind in fields:
            layer.CreateField(ogr.FieldDefn(field_name, kind))
        for geom in geoms:
            f = ogr.Feature(layer.GetLayerDefn())
            f.SetGeometry(ogr.ForceToMultiPolygon(ogr.CreateGeometryFromWkb(bytes(geom.wkb))))
            if fields:
                f.SetField("PZWH", "临政土批〔2024〕12号")
                f.SetField("PZRQ", "2024/05/01")
            layer.CreateFeature(f)
    ds = None
    return path


def test_reports_are_pre_judged_against_the_reference_layers(filled_copy, tmp_path):
    from qgis.core import QgsVectorLayer

    from linxia_tianguan_plugin.processing.patrol.field_package_import import FieldPackageImportAlgorithm

    store = filled_copy
    _, package = _package(store, tmp_path)
    parcels = _parcels(package)
    srs = QgsVectorLayer(f"{package / rules.GPKG_NAME}|layername=parcels", "p", "ogr").crs().toWkt()
    # an approval covering the first parcel; 永久基本农田 over the second
    refs = _references(tmp_path / "refs.gpkg", srs, [parcels[0][1].buffer(1.0)], [parcels[1][1].buffer(1.0)])
    Phone().report(package, [("非农化", None, "在批准用地上建房"), ("非粮化", None, "永农上栽树"),
                             ("撂荒", None, "没有参考图层也照常")])
    params = {"STORE": str(store), "FOLDER": str(package), "APPROVED": f"{refs}|layername=PZYD",
              "YJJBNT": f"{refs}|layername=YJJBNTTB", "TODAY": TODAY}
    result = _run(FieldPackageImportAlgorithm, params)
    assert (result["REPORTS"], result["NEW_CASES"], result["CONFLICTS"]) == (3, 3, 0)
    with sqlite3.connect(store) as conn:
        found = {r[0]: r[1:] for r in conn.execute(
            "SELECT kind, state, category, reasons, docs, approved_m2, basic_m2, parcel_codes, priority FROM tg_case "
            "WHERE source = 'field_report'")}
        runs = conn.execute("SELECT inputs FROM tg_change_run WHERE rules_version = ?",
                            (rules.REPORT_RULES_VERSION,)).fetchall()
    state, category, reasons, docs, approved, basic, codes, _ = found["nonagri"]
    assert (state, category) == ("pending", "approved")  # lawful by the desk's judgement, still to be checked
    assert json.loads(reasons)[:2] == ["field_report", "inside_approval"] and docs == "临政土批〔2024〕12号"
    assert approved == pytest.approx(parcels[0][1].area, abs=0.01) and json.loads(codes) == [parcels[0][0]]
    state, category, reasons, _, _, basic, codes, priority = found["nongrain"]
    assert (state, category) == ("pending", "suspect") and json.loads(reasons)[0] == "field_report"
    assert "on_basic_farmland" in json.loads(reasons) and basic == pytest.approx(parcels[1][1].area, abs=0.01)
    assert priority == 1  # 永农 first
    state, category, reasons, *_ = found["abandoned"]
    assert (state, category) == ("pending", "verify") and "abandoned_farmland" in json.loads(reasons)
    assert any(TODAY in raw and "PZYD" in raw for (raw,) in runs)  # the run records what it was judged against

    again = _run(FieldPackageImportAlgorithm, params)
    assert (again["NEW_CASES"], again["CONFLICTS"]) == (0, 0)
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT count(*) FROM tg_case WHERE source = 'field_report'").fetchone()[0] == 3
