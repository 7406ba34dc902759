"""Layers QGIS shows from the 田管库 keep showing it after the plugin writes to it.

QGIS reads a GeoPackage layer on a read-only OGR connection; opened while the store had no WAL files, that
connection cannot read what another connection then wrote through a new WAL: the layer came back empty
("unable to open database file") after running 构建巡田网格 or 一键赋码 again, until reloaded by hand. The
algorithms now reload the project's layers of their store once they have run."""
from tests.helpers import run


def _count(layer) -> int:
    return sum(1 for _ in layer.getFeatures())


def test_a_store_layer_in_the_project_reads_every_code_after_the_algorithms_write(processing_registry, sample_gpkg,
                                                                                  tmp_path):
    from qgis.core import QgsProject, QgsVectorLayer

    store = tmp_path / "tianguan.gpkg"
    layer_of = lambda name: f"{sample_gpkg}|layername={name}"  # noqa: E731
    coding = {"DLTB": layer_of("DLTB"), "DK": layer_of("DK"), "YJJBNT": layer_of("YJJBNTTB"),
              "CJDCQ": layer_of("CJDCQ"), "STORE": str(store)}
    first = run("linxia_tianguan:space_code", coding)
    layer = QgsVectorLayer(f"{store}|layername=tg_space_code", "codes", "ogr")
    project = QgsProject.instance()
    project.addMapLayer(layer)
    try:
        assert _count(layer) == first["CODED"] > 0
        run("linxia_tianguan:build_grid", {"XZQ": layer_of("XZQ"), "CJDCQ": layer_of("CJDCQ"), "STORE": str(store)})
        assert _count(layer) == first["CODED"]
        run("linxia_tianguan:space_code", dict(coding, OUTPUT="TEMPORARY_OUTPUT"))
        assert _count(layer) == first["CODED"]
        run("linxia_tianguan:dispatch_tasks", {"STORE": str(store), "START": "2025-06-01", "END": "2025-06-30",
                                               "OUTPUT": None})
        assert _count(layer) == first["CODED"]
    finally:
        project.removeMapLayer(layer.id())


def test_a_store_layer_keeps_reading_after_the_plugin_only_reads_the_store(processing_registry, sample_gpkg,
                                                                          tmp_path):
    """A dock (replay, case review), the locator or the map tool opens the store, reads and closes it: opened
    writable, that connection made new WAL files under QGIS's read-only one (seen on 3.40: the parcel layer
    went blank when the replay dock opened); readers open the store read-only."""
    from qgis.core import QgsProject, QgsVectorLayer

    from linxia_tianguan_plugin.storage import GpkgStore

    store = tmp_path / "tianguan.gpkg"
    layer_of = lambda name: f"{sample_gpkg}|layername={name}"  # noqa: E731
    first = run("linxia_tianguan:space_code", {"DLTB": layer_of("DLTB"), "DK": layer_of("DK"),
                                               "YJJBNT": layer_of("YJJBNTTB"), "CJDCQ": layer_of("CJDCQ"),
                                               "STORE": str(store)})
    layer = QgsVectorLayer(f"{store}|layername=tg_space_code", "codes", "ogr")
    project = QgsProject.instance()
    project.addMapLayer(layer)
    try:
        assert _count(layer) == first["CODED"] > 0
        for _ in range(2):  # as a dock does: open, read, close
            reader = GpkgStore(store, create=False, read_only=True)
            assert reader.conn.execute("SELECT count(*) FROM tg_space_code").fetchone()[0] >= first["CODED"]
            reader.close()
            assert _count(layer) == first["CODED"]
    finally:
        project.removeMapLayer(layer.id())
