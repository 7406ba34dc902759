"""网格覆盖检查 — check that the patrol grid covers the county once at every level."""
from __future__ import annotations

import numpy as np
import shapely
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
)

from ... import compat
from ...core.grid.build import GROUP
from ...core.grid.coverage import check_grid, check_parcels
from ...i18n import tr
from ...labels import grid_problem_labels
from ...storage.grid import active_cells, coded_parcels
from ..base import AlgorithmBase
from ..fields import KeepsAliases, schema
from ..readers import FieldSpec, read_layer, source_for
from .build_grid import level_names


def problem_text(kind: str) -> str:
    return grid_problem_labels()[kind]


class GridCoverageAlgorithm(KeepsAliases, AlgorithmBase):
    GRID, PARCELS, STORE, TOLERANCE, OUTPUT = "GRID", "PARCELS", "STORE", "TOLERANCE", "OUTPUT"

    def name(self) -> str:
        return "grid_coverage"

    def displayName(self) -> str:
        return tr("Check patrol grid coverage")

    def shortHelpString(self) -> str:
        return tr(
            "<p>Checks that the patrol grid covers the county exactly once at every level: gaps and overlaps "
            "between the cells under one parent, cells that reach beyond their parent or whose parent is "
            "missing, farmland parcels that are in no group cell or in two, and parcels whose space code names "
            "another group than the cell they lie in. Every finding is a feature with its reason, to be fixed "
            "on the map.</p><p>The grid is the layer given (fields JB, WGBM, SJBM as written by “Build the "
            "patrol grid”) or the store's active build; the parcels are the layer given or the store's active "
            "codes.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        poly = [compat.ProcessingSourceType.VectorPolygon]
        self.addParameter(QgsProcessingParameterFeatureSource(self.GRID, tr("Patrol grid"), poly, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.PARCELS, tr("Coded farmland parcels"), poly, optional=True))
        self.add_store_parameter(optional=True)  # without: the grid and the parcels are the layers given
        self.addParameter(QgsProcessingParameterNumber(
            self.TOLERANCE, tr("Smallest area reported (m²)"), compat.ProcessingNumberParameterType.Double, 1.0,
            minValue=0.0))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Grid coverage problems"), compat.ProcessingSourceType.VectorPolygon))
        self.addOutput(QgsProcessingOutputNumber("PROBLEMS", tr("Problems")))
        for kind in ("gap", "overlap", "outside_parent", "no_parent", "farmland_uncovered", "farmland_overlap",
                     "parcel_cell"):
            self.addOutput(QgsProcessingOutputNumber(kind.upper(), problem_text(kind)))

    def processAlgorithm(self, parameters, context, feedback):
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            return self._run(parameters, context, feedback, store)

    def _layer(self, parameters, name, specs, context, feedback):
        item = source_for(self, parameters, name, context, feedback)
        layer, _ = read_layer(item, name, specs, item.source.sourceCrs(), context, feedback)
        if layer is None:
            raise QgsProcessingException(tr("Cancelled."))
        return layer, item.source.sourceCrs()

    def _run(self, parameters, context, feedback, store):
        tolerance = self.parameterAsDouble(parameters, self.TOLERANCE, context)
        crs = None
        if parameters.get(self.GRID) not in (None, ""):
            grid, crs = self._layer(parameters, self.GRID, [
                FieldSpec("level", "JB", tr("grid level"), numeric=True), FieldSpec("code", "WGBM", tr("grid code")),
                FieldSpec("parent", "SJBM", tr("parent grid code"), required=False)], context, feedback)
            level = np.nan_to_num(np.asarray(grid.attrs["level"], dtype=float)).astype(int)
            code, parent = np.asarray(grid.attrs["code"]).astype(str), np.asarray(grid.attrs["parent"]).astype(str)
            geom = shapely.from_wkb(grid.wkb)
        elif store is not None:
            cells = active_cells(store)
            if len(cells["code"]) == 0:
                raise QgsProcessingException(tr("The store has no patrol grid yet: run “Build the patrol grid” first."))
            level, code, parent, geom = cells["level"], cells["code"].astype(str), cells["parent"].astype(str), \
                cells["geom"]
        else:
            raise QgsProcessingException(tr("Give the patrol grid layer or a tianguan store that holds a grid."))
        parent = np.where(np.isin(parent, ["", "NULL", "None"]), "", parent)

        feedback.setProgressText(tr("Checking cells against their parents…"))
        try:
            problems = check_grid(level, code, parent, geom, tolerance,
                                  progress=lambda f: feedback.setProgress(60 * f), cancelled=feedback.isCanceled)
        except InterruptedError:
            raise QgsProcessingException(tr("Cancelled.")) from None
        feedback.setProgressText(tr("Checking farmland parcels against the group cells…"))
        if parameters.get(self.PARCELS) not in (None, ""):
            parcels, parcels_crs = self._layer(parameters, self.PARCELS, [FieldSpec("code", "KJM", tr("space code"))],
                                               context, feedback)
            crs = crs or parcels_crs
            p_code, p_geom = np.asarray(parcels.attrs["code"]).astype(str), shapely.from_wkb(parcels.wkb)
        elif store is not None:
            p_code, wkb, _, _ = coded_parcels(store)
            p_geom = shapely.from_wkb(wkb)
        else:
            p_code, p_geom = np.zeros(0, dtype=str), np.zeros(0, dtype=object)
        groups = level == GROUP
        if len(p_code):
            problems += check_parcels(code[groups], geom[groups], p_code, p_geom, tolerance)
        feedback.setProgress(95)

        fields = schema("grid_problems", [
            ("LX", "String", 20), ("LXSM", "String", 80), ("JB", "Int", 1),
            ("JBMC", "String", 10), ("BM", "String", 20), ("XGBM", "String", 20),
            ("MJ", "Double", 20, 2)])
        if crs is None and store is not None:
            crs = QgsCoordinateReferenceSystem(f"EPSG:{store.srs_id}")
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, Qgis.WkbType.MultiPolygon, crs)
        names = level_names()
        features = []
        for p in problems:
            f = QgsFeature(fields)
            f.setAttributes([p.kind, problem_text(p.kind), int(p.level), names.get(int(p.level), ""), str(p.code),
                             str(p.other) or None, round(float(p.area), 2)])
            g = QgsGeometry()
            g.fromWkb(shapely.to_wkb(shapely.multipolygons(shapely.get_parts(p.geom))))
            f.setGeometry(g)
            features.append(f)
        if sink is not None:
            sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert)
            self.keep_aliases(dest, "grid_problems")
        counts = {k: sum(1 for p in problems if p.kind == k) for k in (
            "gap", "overlap", "outside_parent", "no_parent", "farmland_uncovered", "farmland_overlap", "parcel_cell")}
        for kind, n in counts.items():
            if n:
                feedback.pushWarning(tr("{what}: {n}").format(what=problem_text(kind), n=n))
        if not problems:
            feedback.pushInfo(tr("The grid covers everything exactly once."))
        feedback.setProgress(100)
        return {self.OUTPUT: dest, "PROBLEMS": len(problems), **{k.upper(): n for k, n in counts.items()}}
