"""The 田管库 GeoPackage: schema migrations, WAL, transactions, and that QGIS/GDAL read it."""
import sqlite3

import numpy as np
import pytest
import shapely

from linxia_tianguan_plugin.storage import GpkgStore, StoreError
from linxia_tianguan_plugin.storage.migrations import LATEST, SPACE_CODE_COLUMNS


def _chunk(codes, x0=34600000.0):
    geoms = np.array([shapely.multipolygons([shapely.box(x0 + i * 10, 3940000, x0 + i * 10 + 10, 3940010)])
                      for i in range(len(codes))], dtype=object)
    n = len(codes)
    cols = {name: np.array([""] * n, dtype=object) for name, _ in SPACE_CODE_COLUMNS}
    cols.update(code=np.array(codes, dtype=object), group_code=np.array([c[:14] for c in codes], dtype=object),
                seq=np.array([int(c[14:19]) for c in codes]), kind=np.array(["CB"] * n, dtype=object),
                area_m2=np.full(n, 100.0), gdmj_m2=np.full(n, 90.0), gdmj_mu=np.full(n, 0.135),
                yjmj_m2=np.zeros(n), yjmj_mu=np.zeros(n), lon=np.full(n, 103.2), lat=np.full(n, 35.6))
    return cols, shapely.to_wkb(geoms), shapely.bounds(geoms)


CODES = ["62292110020101000012", "62292110020101000020"]


def test_new_store_is_a_wal_geopackage_at_the_latest_schema(tmp_path):
    store = GpkgStore(tmp_path / "tg.gpkg", epsg=4522)
    assert store.schema_version == LATEST
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA page_size").fetchone()[0] == 16384  # (a store created here)
    assert store.conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
    tables = {r[0] for r in store.conn.execute("SELECT table_name FROM gpkg_contents")}
    assert {"tg_space_code", "tg_code_lineage", "tg_coding_run", "tg_meta", "tg_admin_unit"} <= tables
    store.close()
    assert GpkgStore(tmp_path / "tg.gpkg").migrate() == []  # reopening applies nothing


def test_an_existing_geopackage_keeps_its_page_size(tmp_path):
    from osgeo import ogr

    path = tmp_path / "made_elsewhere.gpkg"
    ogr.GetDriverByName("GPKG").CreateDataSource(str(path)).FlushCache()  # an empty GeoPackage made by GDAL
    before = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    store = GpkgStore(path, epsg=4522)
    assert store.conn.execute("PRAGMA page_size").fetchone()[0] == before != 16384
    assert store.schema_version == LATEST


def test_migration_from_version_1_keeps_data(tmp_path):
    path = tmp_path / "old.gpkg"
    s = GpkgStore(path, epsg=4522, target_version=1)
    assert s.schema_version == 1
    assert s.conn.execute("SELECT count(*) FROM sqlite_master WHERE name='tg_admin_unit'").fetchone()[0] == 0
    with s.coding_session("R1", "2026-01-01", {}) as session:
        session.write(*_chunk(CODES))
    s.close()
    s = GpkgStore(path)
    assert s.schema_version == LATEST
    assert s.count_codes() == 2
    s.save_admin_units([("622921", "county", "临夏县", "6229")])
    assert s.admin_divisions().name("622921") == "临夏县"
    s.close()


def test_newer_store_is_refused(tmp_path):
    s = GpkgStore(tmp_path / "tg.gpkg")
    s.conn.execute("INSERT INTO tg_schema_migrations VALUES (99, 'future', 'now')")
    s.close()
    with pytest.raises(StoreError, match="newer than this plugin"):
        GpkgStore(tmp_path / "tg.gpkg")


def test_store_crs_mismatch_is_refused(tmp_path):
    GpkgStore(tmp_path / "tg.gpkg", epsg=4522).close()
    with pytest.raises(StoreError, match="EPSG:4522"):
        GpkgStore(tmp_path / "tg.gpkg", epsg=4523)


def test_failed_session_rolls_back_and_noop_session_writes_nothing(tmp_path):
    s = GpkgStore(tmp_path / "tg.gpkg")
    with pytest.raises(RuntimeError):
        with s.coding_session("R1", "t", {}) as session:
            session.write(*_chunk(CODES))
            raise RuntimeError("cancelled")
    assert s.conn.execute("SELECT count(*) FROM tg_space_code").fetchone()[0] == 0
    assert not list(tmp_path.glob("*staging*"))  # the staging file went with the failed run
    with s.coding_session("R2", "t", {}) as session:
        session.write(*_chunk(CODES))
    assert s.count_codes() == 2
    runs = s.conn.execute("SELECT count(*) FROM tg_coding_run").fetchone()[0]
    with s.coding_session("R3", "t", {}) as session:
        session.write(*_chunk(CODES))
    assert not session.changed and session.counts["inserted"] == session.counts["updated"] == 0
    assert s.conn.execute("SELECT count(*) FROM tg_coding_run").fetchone()[0] == runs


def test_retire_and_lineage_are_recorded(tmp_path):
    s = GpkgStore(tmp_path / "tg.gpkg")
    with s.coding_session("R1", "t", {}) as session:
        session.write(*_chunk(CODES))
    with s.coding_session("R2", "t", {}) as session:
        session.write(*_chunk(["62292110020101000039"], x0=34601000.0))
        session.retire([(CODES[0], "split", ["62292110020101000039"])], "2026-11-28T10:00:00+08:00")
        session.link([(CODES[0], "62292110020101000039", 50.0)])
    assert s.get_code(CODES[0])["status"] == "retired"
    assert s.get_code(CODES[0])["retire_reason"] == "split"
    assert s.lineage("62292110020101000039") == {"parents": [CODES[0]], "children": []}
    assert s.used_maxima() == {"62292110020101": (3, 0)}
    assert set(s.active_codes().attrs["code"]) == {CODES[1], "62292110020101000039"}


def test_qgis_reads_the_registry_with_its_spatial_index(tmp_path, qgis_app):
    from qgis.core import QgsFeatureRequest, QgsRectangle, QgsVectorLayer

    s = GpkgStore(tmp_path / "tg.gpkg")
    with s.coding_session("R1", "t", {}) as session:
        session.write(*_chunk(CODES))
    s.close()
    layer = QgsVectorLayer(f"{tmp_path / 'tg.gpkg'}|layername=tg_space_code", "codes", "ogr")
    assert layer.isValid() and layer.featureCount() == 2
    assert layer.crs().authid() == "EPSG:4522"
    assert layer.hasSpatialIndex() == 2  # QgsFeatureSource.SpatialIndexPresent
    request = QgsFeatureRequest(QgsRectangle(34600011, 3940001, 34600019, 3940009))
    assert [f["code"] for f in layer.getFeatures(request)] == [CODES[1]]
    # editing through QGIS keeps the R-tree in step (GDAL's ST_ functions drive the triggers)
    layer.startEditing()
    fid = next(layer.getFeatures()).id()
    assert layer.deleteFeature(fid) and layer.commitChanges()
    con = sqlite3.connect(tmp_path / "tg.gpkg")
    assert con.execute("SELECT count(*) FROM rtree_tg_space_code_geom").fetchone()[0] == 1


def test_many_new_rows_repack_the_spatial_index(tmp_path):
    s = GpkgStore(tmp_path / "tg.gpkg")
    codes = [f"62292110020101{i:05d}0" for i in range(1, 25001)]
    with s.coding_session("R1", "t", {}) as session:
        session.write(*_chunk(codes))
    assert s.conn.execute("SELECT rtreecheck('rtree_tg_space_code_geom')").fetchone()[0] == "ok"
    assert s.conn.execute("SELECT count(*) FROM rtree_tg_space_code_geom").fetchone()[0] == 25000
    hit = s.conn.execute("SELECT id FROM rtree_tg_space_code_geom WHERE minx <= 34600105 AND maxx >= 34600105 "
                         "AND miny <= 3940005 AND maxy >= 3940005").fetchall()
    found = [s.conn.execute("SELECT code FROM tg_space_code WHERE fid = ?", h).fetchone()[0] for h in hit]
    # the 10 m parcel there, and at most its neighbours (float32 boxes at x = 34 600 000 move out by 4–8 m)
    assert codes[10] in found and set(found) <= set(codes[9:12])


@pytest.mark.parametrize("reader_open", [False, True])
def test_big_load_is_written_once_and_the_store_stays_wal(tmp_path, reader_open):
    """A big load runs with a rollback journal (pages written once) unless another connection has the
    store open, as QGIS showing the layer does; either way it lands whole and the store stays in WAL."""
    path = tmp_path / "tg.gpkg"
    s = GpkgStore(path)
    reader = sqlite3.connect(path) if reader_open else None
    if reader is not None:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM tg_space_code").fetchone()[0] == 0  # holds a read snapshot
    codes = [f"62292110020101{i:05d}0" for i in range(1, 25001)]
    with s.coding_session("R1", "t", {}) as session:
        session.write(*_chunk(codes))
    assert session.bulk
    wal = path.with_name(path.name + "-wal")
    if reader is None:
        # nothing of the load went through the WAL
        assert not wal.exists() or wal.stat().st_size < 100_000
    else:
        assert reader.execute("SELECT count(*) FROM tg_space_code").fetchone()[0] == 0  # its snapshot held
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM tg_space_code").fetchone()[0] == 25000
        reader.close()
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert s.count_codes() == 25000
    assert s.conn.execute("SELECT rtreecheck('rtree_tg_space_code_geom')").fetchone()[0] == "ok"
    assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_big_load_keeps_the_code_led_index_and_rebuilds_the_others(tmp_path):
    """The load appends in code order, so the index led by the code grows in order during it (kept); any other
    secondary index is dropped and rebuilt after it. Both answer queries correctly afterwards."""
    from linxia_tianguan_plugin.storage import store as store_module

    assert store_module._led_by_code("CREATE INDEX a ON tg_space_code (code, gdmj_m2) WHERE status = 'active'")
    assert store_module._led_by_code('CREATE INDEX a ON tg_space_code ("code")')
    assert not store_module._led_by_code("CREATE INDEX b ON tg_space_code (dlbm, code)")
    s = GpkgStore(tmp_path / "tg.gpkg")
    s.conn.execute("CREATE INDEX idx_test_dlbm ON tg_space_code (dlbm, code)")
    codes = [f"62292110020101{i:05d}0" for i in range(1, 25001)]
    dropped = []
    s.conn.set_trace_callback(lambda sql: dropped.append(sql) if sql.startswith("DROP INDEX") else None)
    with s.coding_session("R1", "t", {}) as session:
        session.write(*_chunk(codes))
    s.conn.set_trace_callback(None)
    assert session.bulk and dropped == ['DROP INDEX "idx_test_dlbm"']
    names = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"idx_tg_space_code_active", "idx_test_dlbm"} <= names
    assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    plan = " ".join(str(r) for r in s.conn.execute(
        "EXPLAIN QUERY PLAN SELECT code, gdmj_m2 FROM tg_space_code WHERE status = 'active' AND code > ?", (codes[5],)))
    assert "idx_tg_space_code_active" in plan
    assert s.conn.execute("SELECT count(*) FROM tg_space_code WHERE status = 'active' AND code > ?",
                          (codes[5],)).fetchone()[0] == 25000 - 6


def test_changed_rows_are_updated_in_place_beside_new_ones(tmp_path):
    """A re-run stages only rows whose digest moved: changed rows are updated under their feature id,
    new rows (here interleaved with them in code order) are appended."""
    s = GpkgStore(tmp_path / "tg.gpkg")
    with s.coding_session("R1", "t", {}) as session:
        session.write(*_chunk(CODES))
    fids = dict(s.conn.execute("SELECT code, fid FROM tg_space_code").fetchall())
    codes = ["62292110020101000004", CODES[0], CODES[1], "62292110020101000047"]
    cols, wkb, bounds = _chunk(codes)
    cols["dlbm"] = np.array(["0103"] * len(codes), dtype=object)  # the two old rows' data moved
    with s.coding_session("R2", "t", {}) as session:
        session.write(cols, wkb, bounds)
    assert session.counts["updated"] == 2
    assert session.counts["inserted"] == len(codes) - 2
    rows = dict(s.conn.execute("SELECT code, fid FROM tg_space_code").fetchall())
    assert {c: rows[c] for c in CODES} == fids  # updated in place
    assert all(s.get_code(c)["dlbm"] == "0103" for c in codes)
    assert s.conn.execute("SELECT rtreecheck('rtree_tg_space_code_geom')").fetchone()[0] == "ok"
    assert s.conn.execute("SELECT count(*) FROM rtree_tg_space_code_geom").fetchone()[0] == len(codes)
    with s.coding_session("R3", "t", {}) as session:  # and the same again changes nothing
        session.write(cols, wkb, bounds)
    assert not session.changed


def test_staged_rows_go_to_a_new_geopackage_only_when_none_changes_a_stored_code(tmp_path):
    """SessionExport writes a session's staged rows to a new GeoPackage township by township while it runs (a run
    without a store): every row written once, ids 1…N in code order; a session that would change codes the store
    already holds is refused, nothing written — those rows must be committed."""
    from linxia_tianguan_plugin.storage.export import Column, SessionExport

    columns = [Column("KJM", "TEXT(20)", '"code"'), Column("DLBM", "TEXT(4)", '"dlbm"')]
    s = GpkgStore(tmp_path / "scratch.gpkg")
    with s.coding_session("R1", "t", {}) as session:
        export = SessionExport(session, tmp_path / "out.gpkg", "out", columns)
        for part in (CODES[:1], CODES[1:]):  # two townships, each written as it arrives
            session.write(*_chunk(part))
            export.add(*session.latest_block())
        assert export.finish() == len(CODES)
        session.discard()
    assert s.count_codes() == 0  # discarded: the scratch store was left as it was
    con = sqlite3.connect(tmp_path / "out.gpkg")
    assert con.execute("SELECT fid, KJM FROM out ORDER BY fid").fetchall() == list(enumerate(CODES, start=1))
    assert con.execute("SELECT rtreecheck('rtree_out_geom')").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM rtree_out_geom").fetchone()[0] == len(CODES)
    con.close()
    with s.coding_session("R2", "t", {}) as session:
        session.write(*_chunk(CODES))
    cols, wkb, bounds = _chunk(CODES)
    cols["dlbm"] = np.array(["0103"] * len(CODES), dtype=object)
    with s.coding_session("R3", "t", {}) as session:
        export = SessionExport(session, tmp_path / "changed.gpkg", "changed", columns)
        session.write(cols, wkb, bounds)
        export.add(*session.latest_block())
        with pytest.raises(StoreError, match="commit them"):
            export.finish()
        session.discard()
    assert not (tmp_path / "changed.gpkg").exists() and not list(tmp_path.glob(".changed*"))
