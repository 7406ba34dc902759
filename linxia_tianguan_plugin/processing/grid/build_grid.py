"""构建巡田网格 — build the five-level patrol grid (州/县/乡/村/社) and store it in the 田管库."""
from __future__ import annotations

import numpy as np
import shapely
from qgis.core import (
    Qgis,
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
)

from ... import compat
from ...core.admin import AdminDivisions
from ...core.coding.chunk import MU_PER_M2
from ...core.grid.build import LEVEL_DIGITS, GridError, build_grid
from ...i18n import tr
from ...resources import divisions_csv
from ...storage.grid import coded_parcels, save_grid
from ...styling import StyleOnLoad
from ..base import AlgorithmBase
from ..fields import KeepsAliases, schema
from ..readers import FieldSpec, read_layer, source_for


def level_names() -> dict[int, str]:
    return {1: tr("Prefecture"), 2: tr("County"), 3: tr("Township"), 4: tr("Village"), 5: tr("Group")}


def grid_fields() -> QgsFields:
    return schema("grid", [
        ("JB", "Int", 1), ("JBMC", "String", 10), ("WGBM", "String", 14),
        ("SJBM", "String", 12), ("WGMC", "String", 100), ("GDMJ", "Double", 20, 2),
        ("GDMJM", "Double", 20, 2), ("YJMJ", "Double", 20, 2), ("DKSL", "Int", 10)])


class BuildGridAlgorithm(KeepsAliases, AlgorithmBase):
    XZQ, CJDCQ, PARCELS, STORE, OUTPUT = "XZQ", "CJDCQ", "PARCELS", "STORE", "OUTPUT"

    def name(self) -> str:
        return "build_grid"

    def displayName(self) -> str:
        return tr("Build the patrol grid")

    def shortHelpString(self) -> str:
        return tr(
            "<p>Builds the five-level patrol grid (prefecture, county, township, village, group) from the "
            "survey's townships (XZQ) and villages (CJDCQ) and the group codes of the coded parcels. The survey "
            "has no group boundaries: each village is divided among its groups by a Voronoi allocation of its "
            "parcels, clipped to the village, so that the groups tile their village exactly. Every cell gets "
            "its code, parent code, name, farmland and permanent basic farmland area and parcel count.</p>"
            "<p>The coded parcels come from the layer given, or else from the tianguan store's active codes. "
            "The grid is saved in the tianguan store as a new build; older builds are kept.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        poly = [compat.ProcessingSourceType.VectorPolygon]
        self.addParameter(QgsProcessingParameterFeatureSource(self.XZQ, tr("Townships (XZQ)"), poly))
        self.addParameter(QgsProcessingParameterFeatureSource(self.CJDCQ, tr("Village survey areas (CJDCQ)"), poly))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.PARCELS, tr("Coded farmland parcels"), poly, optional=True))
        self.add_store_parameter(creatable=True)  # the build is kept there: other tools read the active build
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Patrol grid"), compat.ProcessingSourceType.VectorPolygon, optional=True))
        self.addOutput(QgsProcessingOutputString("BUILD_ID", tr("Grid build")))
        for level, name in level_names().items():
            self.addOutput(QgsProcessingOutputNumber(f"LEVEL{level}", name))

    def processAlgorithm(self, parameters, context, feedback):
        xzq = self.parameterAsSource(parameters, self.XZQ, context)
        epsg = xzq.sourceCrs().postgisSrid() if xzq is not None and not xzq.sourceCrs().isGeographic() else None
        with self.opened_store(parameters, self.STORE, context, create=True, epsg=epsg or None) as store:
            return self._run(parameters, context, feedback, store)

    def _read(self, parameters, name, specs, crs, context, feedback, progress):
        item = source_for(self, parameters, name, context, feedback)
        if item is None:
            return None
        layer, issues = read_layer(item, name, specs, crs, context, feedback, None, progress)
        if layer is None:
            raise QgsProcessingException(tr("Cancelled."))
        for issue in issues:
            feedback.pushWarning(tr("Layer “{layer}”, feature {fid}: geometry repaired or unusable ({kind}).").format(
                layer=issue.layer, fid=issue.fid, kind=issue.kind))
        return layer

    def _run(self, parameters, context, feedback, store):
        xzq_src = self.parameterAsSource(parameters, self.XZQ, context)
        crs = xzq_src.sourceCrs()
        if crs.isGeographic():
            raise QgsProcessingException(tr(
                "Layer XZQ is in a geographic CRS; project it to its CGCS2000 3-degree zone first."))
        feedback.setProgressText(tr("Reading townships and villages…"))
        xzq = self._read(parameters, self.XZQ, [FieldSpec("code", "XZQDM", tr("township code")),
                                                FieldSpec("name", "XZQMC", tr("township name"), required=False)],
                         crs, context, feedback, (0, 5))
        cjdcq = self._read(parameters, self.CJDCQ, [FieldSpec("code", "ZLDWDM", tr("village code")),
                                                    FieldSpec("name", "ZLDWMC", tr("village name"), required=False)],
                           crs, context, feedback, (5, 10))
        t_code = np.array([str(c)[:9] for c in xzq.attrs["code"]], dtype="U9")
        v_code = np.array([str(c)[:12] for c in cjdcq.attrs["code"]], dtype="U12")
        for layer, codes, digits in ((xzq, t_code, 9), (cjdcq, v_code, 12)):
            bad = [i for i, c in enumerate(codes) if len(c) != digits or not c.isdigit()]
            if bad:
                raise QgsProcessingException(tr(
                    "Layer {layer}: {n} features have no valid {digits}-digit unit code (first: feature {fid}). "
                    "Fill the code field and run again.").format(layer=layer.name, n=len(bad), digits=digits,
                                                                  fid=int(layer.fid[bad[0]])))

        feedback.setProgressText(tr("Reading coded parcels…"))
        codes, points, farmland, basic = self._parcels(parameters, crs, context, feedback, store)
        if len(codes) == 0:
            feedback.pushWarning(tr("No coded parcels: every village becomes a single group cell. Run one-click "
                                    "coding first for a grid by group."))
        feedback.setProgressText(tr("Dividing villages among their groups…"))
        try:
            cells = build_grid(
                (t_code, xzq.attrs["name"], shapely.from_wkb(xzq.wkb)),
                (v_code, cjdcq.attrs["name"], shapely.from_wkb(cjdcq.wkb)),
                codes, points, farmland, basic, AdminDivisions.from_csv(divisions_csv()),
                progress=lambda f: feedback.setProgress(20 + 70 * f), cancelled=feedback.isCanceled)
        except InterruptedError:
            raise QgsProcessingException(tr("Cancelled.")) from None
        except GridError as err:
            raise QgsProcessingException(tr("Cannot build the grid: {error}").format(error=err)) from err

        build_id = ""
        if store is not None:
            build_id = save_grid(store, cells.level, cells.code, cells.parent, cells.name, cells.geom,
                                 cells.farmland_m2, cells.basic_m2, cells.parcels,
                                 {"xzq": xzq.name, "cjdcq": cjdcq.name, "parcels": len(codes)})
            feedback.pushInfo(tr("Grid build {build} saved in the store and made active.").format(build=build_id))
        fields = grid_fields()
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, Qgis.WkbType.MultiPolygon, crs)
        if sink is not None:
            names = level_names()
            features = []
            for i in range(len(cells)):
                f = QgsFeature(fields)
                f.setAttributes([int(cells.level[i]), names[int(cells.level[i])], str(cells.code[i]),
                                 str(cells.parent[i]) or None, str(cells.name[i]),
                                 round(float(cells.farmland_m2[i]), 2),
                                 round(float(cells.farmland_m2[i]) * MU_PER_M2, 2),
                                 round(float(cells.basic_m2[i]), 2), int(cells.parcels[i])])
                g = QgsGeometry()
                g.fromWkb(shapely.to_wkb(shapely.multipolygons(shapely.get_parts(cells.geom[i]))))
                f.setGeometry(g)
                features.append(f)
            sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert)
        if dest and context.willLoadLayerOnCompletion(dest):
            context.layerToLoadOnCompletionDetails(dest).setPostProcessor(StyleOnLoad.create(
                "patrol_grid.qml", {f.name(): f.alias() for f in fields}))
        self.keep_aliases(dest, "grid", "patrol_grid.qml")
        counts = cells.counts()
        feedback.pushInfo(tr("Grid cells: {p} prefecture, {c} county, {t} township, {v} village, {g} group.").format(
            p=counts[1], c=counts[2], t=counts[3], v=counts[4], g=counts[5]))
        feedback.setProgress(100)
        return {self.OUTPUT: dest, "BUILD_ID": build_id, **{f"LEVEL{lv}": counts[lv] for lv in LEVEL_DIGITS}}

    def _parcels(self, parameters, crs, context, feedback, store):
        """Space codes, representative points, farmland and basic-farmland areas of the coded parcels."""
        if parameters.get(self.PARCELS) not in (None, ""):
            layer = self._read(parameters, self.PARCELS, [
                FieldSpec("code", "KJM", tr("space code")),
                FieldSpec("gdmj", "GDMJ", tr("farmland area"), required=False, numeric=True),
                FieldSpec("yjmj", "YJMJ", tr("permanent basic farmland area"), required=False, numeric=True),
            ], crs, context, feedback, (10, 20))
            codes = np.asarray(layer.attrs["code"]).astype(str)
            geoms = shapely.from_wkb(layer.wkb)
            farmland = np.nan_to_num(np.asarray(layer.attrs["gdmj"], dtype=float))
            basic = np.nan_to_num(np.asarray(layer.attrs["yjmj"], dtype=float))
        elif store is not None:
            codes, wkb, farmland, basic = coded_parcels(store)
            geoms = shapely.from_wkb(wkb)
        else:
            raise QgsProcessingException(tr("Give the coded farmland parcels or a tianguan store that holds them."))
        keep = np.array([len(c) >= 14 and c[:14].isdigit() for c in codes], dtype=bool)
        if (~keep).any():
            feedback.pushWarning(tr("{n} parcels have no valid space code and are left out of the grid.").format(
                n=int((~keep).sum())))
        return codes[keep], shapely.point_on_surface(geoms[keep]), farmland[keep], basic[keep]
