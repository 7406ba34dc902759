"""构建巡田网格 on the sample county: every level tiles the county, children tile their parent, every
coded parcel lies in its own group's cell, and the store keeps every build."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage.grid import active_cells, builds
from tests.conftest import layer_uri
from tests.helpers import read, run


@pytest.fixture(scope="module")
def grid(processing_registry, sample_gpkg, tmp_path_factory):
    base = tmp_path_factory.mktemp("grid")
    store = base / "tianguan.gpkg"
    coded = run("linxia_tianguan:space_code", {
        "DLTB": layer_uri(sample_gpkg, "DLTB"), "DK": layer_uri(sample_gpkg, "DK"),
        "YJJBNT": layer_uri(sample_gpkg, "YJJBNTTB"), "CJDCQ": layer_uri(sample_gpkg, "CJDCQ"),
        "STORE": str(store), "OUTPUT": str(base / "coded.gpkg")})
    result = run("linxia_tianguan:build_grid", {
        "XZQ": layer_uri(sample_gpkg, "XZQ"), "CJDCQ": layer_uri(sample_gpkg, "CJDCQ"), "STORE": str(store),
        "OUTPUT": str(base / "grid.gpkg")})
    return {"result": result, "coded": coded, "store": store, "cells": read(str(base / "grid.gpkg")),
            "parcels": read(str(base / "coded.gpkg"), ["KJM", "GDMJ", "YJMJ"])}


def test_every_level_tiles_the_county(grid, sample_gpkg):
    cells = grid["cells"]
    county = shapely.union_all(read(layer_uri(sample_gpkg, "XZQ"))["geom"])
    for level in range(1, 6):
        geoms = cells["geom"][cells["JB"] == level]
        assert len(geoms), level
        total = shapely.area(geoms).sum()
        union = shapely.union_all(geoms)
        assert abs(total - union.area) < 1.0, f"level {level}: {total - union.area:.2f} m² of overlap"
        assert shapely.area(shapely.symmetric_difference(union, county)) < 1.0, f"level {level}: gap"


def test_children_tile_their_parent(grid):
    cells = grid["cells"]
    by_code = dict(zip(cells["WGBM"], cells["geom"]))
    for level in range(2, 6):
        rows = np.flatnonzero(cells["JB"] == level)
        parents = cells["SJBM"][rows]
        for parent in np.unique(parents):
            children = cells["geom"][rows[parents == parent]]
            assert parent in by_code, f"{parent} has children but no cell"
            diff = shapely.symmetric_difference(shapely.union_all(children), by_code[parent])
            assert shapely.area(diff) < 1.0, f"children of {parent} differ from it by {shapely.area(diff):.2f} m²"
            assert all(str(c).startswith(parent) for c in cells["WGBM"][rows[parents == parent]])


def test_counts_match_the_survey_and_the_codes(grid, sample_gpkg):
    r = grid["result"]
    towns = read(layer_uri(sample_gpkg, "XZQ"), ["XZQDM"])
    villages = read(layer_uri(sample_gpkg, "CJDCQ"), ["ZLDWDM"])
    assert (r["LEVEL1"], r["LEVEL2"]) == (1, 1)
    assert r["LEVEL3"] == len(towns["XZQDM"])
    assert r["LEVEL4"] == len(villages["ZLDWDM"])
    groups = {str(c)[:14] for c in grid["parcels"]["KJM"]}
    empty = {str(v)[:12] for v in villages["ZLDWDM"]} - {g[:12] for g in groups}
    cells = grid["cells"]
    assert set(cells["WGBM"][cells["JB"] == 5]) == groups | {v + "00" for v in empty}
    # farmland per cell is the parcels' farmland
    gdmj = grid["parcels"]["GDMJ"].astype(float)
    county = cells["GDMJ"][cells["JB"] == 2].astype(float)
    assert abs(county.sum() - gdmj.sum()) < 1.0
    assert abs(cells["GDMJ"][cells["JB"] == 5].astype(float).sum() - gdmj.sum()) < 1.0
    assert cells["DKSL"][cells["JB"] == 1][0] == len(gdmj)


def test_every_parcel_lies_in_its_own_group_cell(grid):
    cells, parcels = grid["cells"], grid["parcels"]
    groups = cells["geom"][cells["JB"] == 5]
    codes = cells["WGBM"][cells["JB"] == 5]
    points = shapely.point_on_surface(parcels["geom"])
    src, hit = shapely.STRtree(groups).query(points, predicate="within")
    assert len(np.unique(src)) == len(points)
    wrong = [(parcels["KJM"][s], codes[h]) for s, h in zip(src, hit) if not str(parcels["KJM"][s]).startswith(codes[h])]
    assert wrong == []


def test_the_store_keeps_every_build(grid, sample_gpkg):
    store = GpkgStore(grid["store"])
    try:
        first = active_cells(store)
        assert len(first["code"]) == sum(grid["result"][f"LEVEL{lv}"] for lv in range(1, 6))
    finally:
        store.close()
    again = run("linxia_tianguan:build_grid", {
        "XZQ": layer_uri(sample_gpkg, "XZQ"), "CJDCQ": layer_uri(sample_gpkg, "CJDCQ"), "STORE": str(grid["store"])})
    store = GpkgStore(grid["store"])
    try:
        history = builds(store)
        assert len(history) >= 2 and [b["active"] for b in history] == [False] * (len(history) - 1) + [True]
        assert history[-1]["build_id"] == again["BUILD_ID"]
        assert sorted(active_cells(store)["code"]) == sorted(first["code"])
        stored = store.conn.execute("SELECT count(*) FROM tg_grid_cell").fetchone()[0]
        assert stored == len(history) * len(first["code"])
        assert store.conn.execute("SELECT rtreecheck('rtree_tg_grid_cell_geom')").fetchone()[0] == "ok"
    finally:
        store.close()


def test_without_parcels_or_store_the_error_says_what_to_give(processing_registry, sample_gpkg):
    from tests.helpers import run_failing

    message = run_failing("linxia_tianguan:build_grid", {
        "XZQ": layer_uri(sample_gpkg, "XZQ"), "CJDCQ": layer_uri(sample_gpkg, "CJDCQ"), "OUTPUT": "TEMPORARY_OUTPUT"})
    assert "store" in message.lower() or "田管库" in message


def _problems(result):
    layer = result["OUTPUT"]
    return [dict(zip(layer.fields().names(), f.attributes())) for f in layer.getFeatures()]


def test_a_fresh_grid_has_no_coverage_problem(grid):
    result = run("linxia_tianguan:grid_coverage", {"STORE": str(grid["store"]), "OUTPUT": "TEMPORARY_OUTPUT"})
    assert result["PROBLEMS"] == 0, _problems(result)[:5]


def test_injected_errors_are_all_reported(grid, tmp_path):
    import shutil

    from qgis.core import QgsGeometry, QgsVectorLayer

    shutil.copy(grid["store"].parent / "grid.gpkg", tmp_path / "grid.gpkg")
    shutil.copy(grid["store"].parent / "coded.gpkg", tmp_path / "coded.gpkg")
    cells = QgsVectorLayer(str(tmp_path / "grid.gpkg"), "grid", "ogr")
    by_code = {f["WGBM"]: f for f in cells.getFeatures()}
    groups = sorted(c for c, f in by_code.items() if f["JB"] == 5)
    villages = sorted(c for c, f in by_code.items() if f["JB"] == 4)
    # a village whose groups all exist: delete it (its groups lose their parent, its township a part)
    gone = next(v for v in villages if sum(g.startswith(v) for g in groups) >= 2)

    def moved(code):
        geometry = QgsGeometry(by_code[code].geometry())
        geometry.translate(40, 0)
        return geometry

    # a group in another village: shift it by 40 m east onto a sibling (overlap with it, gap where it was)
    shifted = next(g for g in groups if not g.startswith(gone) and any(
        h != g and h[:12] == g[:12] and moved(g).intersection(by_code[h].geometry()).area() > 1 for h in groups))
    # a third village on its township's border: grow it by 60 m (beyond its township; overlaps its neighbours)
    grown = next(v for v in villages if v != gone and v != shifted[:12]
                 and not by_code[v[:9]].geometry().contains(by_code[v].geometry().buffer(60, 4)))
    cells.startEditing()
    cells.deleteFeature(by_code[gone].id())
    cells.changeGeometry(by_code[shifted].id(), moved(shifted))
    cells.changeGeometry(by_code[grown].id(), by_code[grown].geometry().buffer(60, 4))
    assert cells.commitChanges()
    parcels = QgsVectorLayer(str(tmp_path / "coded.gpkg"), "coded", "ogr")
    # a parcel of a group (not the shifted one) that has a sibling group: code it into the sibling
    coded = {f["KJM"][:14] for f in parcels.getFeatures()}
    owner = next(g for g in groups if g in coded and g != shifted and g[:12] != gone
                 and any(h[:12] == g[:12] and h != g for h in groups))
    victim = next(f for f in parcels.getFeatures() if f["KJM"].startswith(owner))
    other = next(h for h in groups if h[:12] == owner[:12] and h != owner)
    parcels.startEditing()
    parcels.changeAttributeValue(victim.id(), parcels.fields().lookupField("KJM"), other + victim["KJM"][14:])
    assert parcels.commitChanges()

    result = run("linxia_tianguan:grid_coverage", {
        "GRID": str(tmp_path / "grid.gpkg"), "PARCELS": str(tmp_path / "coded.gpkg"), "OUTPUT": "TEMPORARY_OUTPUT"})
    found = _problems(result)
    kinds = {(p["LX"], p["BM"]) for p in found}
    assert ("no_parent", next(g for g in groups if g.startswith(gone))) in kinds
    assert ("gap", gone[:9]) in kinds  # the township lost the deleted village
    assert any(k == "overlap" and shifted in (c, p["XGBM"]) for p in found for k, c in [(p["LX"], p["BM"])])
    assert ("gap", shifted[:12]) in kinds  # where the shifted group was
    assert ("outside_parent", grown) in kinds
    assert any(p["LX"] == "overlap" and grown in (p["BM"], p["XGBM"]) for p in found)
    assert any(p["LX"] == "parcel_cell" and p["BM"].startswith(other) and p["XGBM"] == owner for p in found)
    # the farmland of the deleted village's groups is still covered by their (orphan) cells, but the
    # shifted group now leaves some of its farmland in no cell and pushes into its sibling's
    assert result["FARMLAND_UNCOVERED"] + result["FARMLAND_OVERLAP"] > 0
    assert all(p["MJ"] > 1.0 for p in found)


def test_grid_output_loads_with_its_style(grid, sample_gpkg, tmp_path):
    from qgis.core import QgsProcessingContext, QgsProcessingOutputLayerDefinition, QgsProject

    context = QgsProcessingContext()
    out = QgsProcessingOutputLayerDefinition(str(tmp_path / "grid.gpkg"), QgsProject.instance())
    result = run("linxia_tianguan:build_grid", {"XZQ": layer_uri(sample_gpkg, "XZQ"),
                                                "CJDCQ": layer_uri(sample_gpkg, "CJDCQ"),
                                                "PARCELS": str(grid["store"].parent / "coded.gpkg"), "OUTPUT": out,
                                                "STORE": str(tmp_path / "new.gpkg"), "NEW_STORE": True},
                 context=context)
    assert context.willLoadLayerOnCompletion(result["OUTPUT"])
    assert context.layerToLoadOnCompletionDetails(result["OUTPUT"]).postProcessor() is not None
    assert result["BUILD_ID"]  # STORE is required: the build is kept in the (new) store


def test_rebuilding_the_grid_keeps_the_tasks(grid, sample_gpkg):
    window = {"START": "2026-03-01", "END": "2026-03-31", "STORE": str(grid["store"])}
    first = run("linxia_tianguan:dispatch_tasks", dict(window, OUTPUT=None))
    assert first["CREATED"] > 0
    run("linxia_tianguan:build_grid", {"XZQ": layer_uri(sample_gpkg, "XZQ"), "CJDCQ": layer_uri(sample_gpkg, "CJDCQ"),
                                       "STORE": str(grid["store"])})
    again = run("linxia_tianguan:dispatch_tasks", dict(window, OUTPUT=None))
    assert again["CREATED"] == 0 and again["EXISTING"] == first["CREATED"]
    store = GpkgStore(grid["store"])
    try:
        assert store.conn.execute("SELECT count(*) FROM tg_task").fetchone()[0] == first["CREATED"]
        assert len(builds(store)) >= 2
    finally:
        store.close()
