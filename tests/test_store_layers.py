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
