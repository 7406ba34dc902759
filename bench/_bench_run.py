"""One benchmark measurement in a fresh process: prints {"wall_s", "cpu_s", "peak_mb", "coded"} as JSON.

    _bench_run.py store|output|qgis_chain|grid|grid_chain SAMPLE.gpkg WORKDIR
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, "/usr/share/qgis/python/plugins")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Section  # noqa: E402


def main() -> None:
    mode, gpkg, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    from tools.headless import start_qgis

    app, provider = start_qgis()
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback
    layer = lambda name: f"{gpkg}|layername={name}"  # noqa: E731
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    section = Section()
    if mode in ("store", "output"):
        params = {"DLTB": layer("DLTB"), "DK": layer("DK"), "YJJBNT": layer("YJJBNTTB"), "ISSUES": None}
        if mode == "store":
            params.update(STORE=str(work / "tianguan.gpkg"), NEW_STORE=True, OUTPUT=None)
        else:
            params.update(OUTPUT=str(work / "coded.gpkg"))
        result = processing.run("linxia_tianguan:space_code", params, context=context, feedback=feedback)
        coded = result["CODED"]
    elif mode == "grid":
        result = processing.run("linxia_tianguan:build_grid", {
            "XZQ": layer("XZQ"), "CJDCQ": layer("CJDCQ"), "PARCELS": str(work.parent / "grid_input" / "coded.gpkg"),
            "STORE": str(work / "tianguan.gpkg"), "NEW_STORE": True, "OUTPUT": str(work / "grid.gpkg")},
            context=context, feedback=feedback)
        coded = result["LEVEL5"]
    elif mode == "grid_chain":
        # the 社 level as an analyst would build it from native algorithms: a Voronoi diagram of the
        # parcels' points, dissolved by group, cut by the villages, keeping each group in its own village
        points = processing.run("native:pointonsurface", {
            "INPUT": str(work.parent / "grid_input" / "coded.gpkg"), "ALL_PARTS": False, "OUTPUT": "TEMPORARY_OUTPUT"},
            context=context, feedback=feedback)["OUTPUT"]
        cells = processing.run("native:voronoipolygons", {"INPUT": points, "BUFFER": 10, "OUTPUT": "TEMPORARY_OUTPUT"},
                               context=context, feedback=feedback)["OUTPUT"]
        groups = processing.run("native:dissolve", {"INPUT": cells, "FIELD": ["ZDM"], "OUTPUT": "TEMPORARY_OUTPUT"},
                                context=context, feedback=feedback)["OUTPUT"]
        cut = processing.run("native:intersection", {
            "INPUT": groups, "OVERLAY": layer("CJDCQ"), "INPUT_FIELDS": ["ZDM"], "OVERLAY_FIELDS": ["ZLDWDM"],
            "OUTPUT": "TEMPORARY_OUTPUT"}, context=context, feedback=feedback)["OUTPUT"]
        processing.run("native:extractbyexpression", {
            "INPUT": cut, "EXPRESSION": "left(\"ZDM\", 12) = left(\"ZLDWDM\", 12)", "OUTPUT": str(work / "chain.gpkg")},
            context=context, feedback=feedback)
        coded = None  # counted after the clock stops
    else:
        # as an analyst would set it in Processing's options: skip the handful of invalid parcels
        from qgis.core import QgsFeatureRequest, QgsFeatureSource

        context.setInvalidGeometryCheck(QgsFeatureRequest.GeometrySkipInvalid)
        farmland = processing.run("native:extractbyexpression", {
            "INPUT": layer("DLTB"), "EXPRESSION": "\"DLBM\" LIKE '01%'", "OUTPUT": "TEMPORARY_OUTPUT"},
            context=context, feedback=feedback)["OUTPUT"]
        # the extracted farmland is a memory layer without an index: the join would scan it whole for every
        # parcel (issue 19: 57 % of the chain's time). DK comes from the GeoPackage with its R-tree.
        processing.run("native:createspatialindex", {"INPUT": farmland}, context=context, feedback=feedback)
        joined = processing.run("native:joinattributesbylocation", {
            "INPUT": layer("DK"), "JOIN": farmland, "PREDICATE": [0], "JOIN_FIELDS": ["DLBM", "BSM"],
            "METHOD": 2, "DISCARD_NONMATCHING": False, "OUTPUT": "TEMPORARY_OUTPUT"},
            context=context, feedback=feedback)["OUTPUT"]
        numbered = processing.run("native:addautoincrementalfield", {
            "INPUT": joined, "FIELD_NAME": "SXH", "START": 1, "GROUP_FIELDS": ["FBFBM"],
            "SORT_EXPRESSION": "x(point_on_surface($geometry)) + y(point_on_surface($geometry))",
            "SORT_ASCENDING": True, "SORT_NULLS_FIRST": False, "OUTPUT": "TEMPORARY_OUTPUT"},
            context=context, feedback=feedback)["OUTPUT"]
        result = processing.run("native:fieldcalculator", {
            "INPUT": numbered, "FIELD_NAME": "KJM", "FIELD_TYPE": 2, "FIELD_LENGTH": 20,
            "FORMULA": "\"FBFBM\" || lpad(to_string(\"SXH\"), 5, '0')", "OUTPUT": str(work / "chain.gpkg")},
            context=context, feedback=feedback)
        coded = None
    out = section.result(coded=coded)
    if mode == "grid_chain":
        from qgis.core import QgsVectorLayer

        out["coded"] = QgsVectorLayer(str(work / "chain.gpkg"), "chain", "ogr").featureCount()
    if mode == "qgis_chain":
        out["index"] = farmland.hasSpatialIndex() == QgsFeatureSource.SpatialIndexPresent
    print(json.dumps(out))
    sys.stdout.flush()
    os._exit(0)  # skip QGIS's slow teardown of big in-memory layers


if __name__ == "__main__":
    main()
