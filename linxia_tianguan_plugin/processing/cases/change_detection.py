"""变化图斑提取与预判 — change polygons where farmland was lost, pre-judged against approvals and plans,
and stored as cases (Processing algorithm ``linxia_tianguan:change_detection``).

Thin: the layers are read here, :mod:`..core.cases.change_detection` finds and classifies the candidates,
:mod:`..core.cases.prejudge` judges them against the reference layers, :mod:`..storage.cases` stores them
as cases in their first state (待下发), once.
"""
from __future__ import annotations

import datetime as dt

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
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
)

from ... import compat
from ...core import parallel
from ...core.admin import AdminDivisions
from ...core.cases import change_detection as detect
from ...core.cases import prejudge as judge
from ...core.cases.change_rules import ChangeRules, load_rules
from ...core.cases.keys import case_key, case_uuid
from ...core.dlbm import DLMC
from ...i18n import tr
from ...labels import category_labels, reason_labels
from ...labels import change_kind_labels as kind_labels
from ...resources import divisions_csv, resource_path
from ...storage import cases as case_store
from ...storage.grid import active_cells, coded_near
from ...storage.tasks import officers_for
from ...styling import StyleOnLoad
from ..base import AlgorithmBase
from ..fields import KeepsAliases, schema
from ..readers import FieldSpec, source_for
from .references import ReferenceLayers

MU_PER_M2 = 0.0015
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def output_fields() -> QgsFields:
    return schema("changes", [
        ("AJBH", "String", 36), ("BHLX", "String", 20), ("BHLXMC", "String", 80),
        ("YPLB", "String", 20), ("YPLBMC", "String", 80), ("YPYJ", "String", 254),
        ("YXJ", "Int", 10), ("QDLBM", "String", 10), ("QDLMC", "String", 30),
        ("HDLBM", "String", 10), ("HDLMC", "String", 30), ("HZZSX", "String", 10),
        ("QBSM", "String", 18), ("HBSM", "String", 18), ("WPBH", "String", 60),
        ("MJ", "Double", 20, 2), ("MJM", "Double", 20, 4), ("GDMJ", "Double", 20, 2),
        ("GDMJM", "Double", 20, 4), ("YJMJ", "Double", 20, 2), ("YJMJM", "Double", 20, 4),
        ("PZMJ", "Double", 20, 2), ("BAMJ", "Double", 20, 2), ("LSMJ", "Double", 20, 2),
        ("KFBJMJ", "Double", 20, 2), ("PZWH", "String", 254), ("WGBM", "String", 14),
        ("TGY", "String", 40), ("DH", "String", 30), ("KJM", "String", 254),
        ("GZBB", "String", 20), ("ZT", "String", 20)])


def _multipolygon(geom) -> QgsGeometry:
    g = QgsGeometry()
    g.fromWkb(shapely.to_wkb(shapely.multipolygons(shapely.get_parts(geom))))
    return g


def _mu(m2: float) -> float:
    return round(float(m2) * MU_PER_M2, 4)


class ChangeDetectionAlgorithm(ReferenceLayers, KeepsAliases, AlgorithmBase):
    """YJJBNT, APPROVED, FACILITY, TEMPORARY, BOUNDARY and TODAY come from :class:`.references.ReferenceLayers`."""

    BEFORE, AFTER, EXTERNAL, EXTERNAL_ID, EXTERNAL_DLBM = "BEFORE", "AFTER", "EXTERNAL", "EXTERNAL_ID", "EXTERNAL_DLBM"
    RULES, MIN_AREA, MIN_AREA_BASIC, STORE, OUTPUT = "RULES", "MIN_AREA", "MIN_AREA_BASIC", "STORE", "OUTPUT"

    def name(self) -> str:
        return "change_detection"

    def displayName(self) -> str:
        return tr("Change polygons and pre-judgement")

    def shortHelpString(self) -> str:
        return tr(
            "<p>变化图斑提取与预判 · Finds where farmland (耕地, DLBM 01xx) of the baseline survey (三调 DLTB) was "
            "lost: by comparing it with a newer annual-change survey (年度变更 DLTB, compared by DLBM and 种植属性), "
            "or by classifying externally supplied change polygons (卫片图斑) against it. Each candidate is 非农化 "
            "(to construction, temporary or bulldozed land; facility agriculture land is judged against its "
            "filing), 非粮化 (to orchard, forest, grass, fish pond, or planting attribute FLS), 挖湖造景 (to lake, "
            "reservoir or pond water 1102/1103/1104) or another loss, with its area in m² and mu, the farmland "
            "(田坎 deducted) and permanent basic farmland it took, and the classes before and after. Farmland "
            "whose planting attribute is 未耕种 (WG) in the newer survey (or in the baseline when there is no "
            "newer one) is listed as 撂荒, with its area per township in the log. A KCXS given in percent (8 for "
            "8 %) is read as a fraction.</p>"
            "<p>Unchanged patches (same id, geometry and classes) are skipped without any overlay. Pieces smaller "
            "than the minimum area (a separate, smaller minimum applies on permanent basic farmland) and thin "
            "slivers from boundary digitising are left out.</p>"
            "<p>Pre-judgement: each candidate is overlaid with approved conversions, facility-agriculture filings, "
            "temporary land (its term is checked against the given day) and the town development boundary, and "
            "judged 合法-已批准, 合法-设施农用地备案, 合法-临时用地, 疑似违法 or 需外业核实, with the reasons and the "
            "overlapping areas; a partly approved candidate is split; a filing does not make facility land on "
            "permanent basic farmland lawful (需外业核实). Priority: permanent basic farmland first, "
            "then area, then repeated cases on the same parcels.</p>"
            "<p>In the tianguan store, every candidate gets its group grid cell, its officer (active roster) and "
            "the space codes of the parcels it touches, and is stored as a case waiting to be issued (待下发). "
            "Running again on the same inputs adds no case twice; a case already in the workflow keeps its state "
            "and history. The rules (class groups, thresholds) are a versioned file; each case records the "
            "version that flagged it.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        poly = [compat.ProcessingSourceType.VectorPolygon]
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.BEFORE, tr("Baseline land-use survey (三调 DLTB)"), poly))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.AFTER, tr("Newer land-use survey (年度变更 DLTB)"), poly, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.EXTERNAL, tr("External change polygons (卫片图斑)"), poly, optional=True))
        for name, label, default in ((self.EXTERNAL_ID, tr("External polygon id field"), "JCBH"),
                                     (self.EXTERNAL_DLBM, tr("External polygon current-use field (DLBM)"), "DLBM")):
            p = QgsProcessingParameterField(name, label, default, self.EXTERNAL, optional=True)
            p.setFlags(p.flags() | compat.ProcessingParameterFlag.Advanced)
            self.addParameter(p)
        self.add_reference_parameters()
        rules = QgsProcessingParameterFile(self.RULES, tr("Rules file (JSON; empty: the bundled rules)"),
                                           extension="json", optional=True)
        rules.setFlags(rules.flags() | compat.ProcessingParameterFlag.Advanced)
        self.addParameter(rules)
        for name, label in ((self.MIN_AREA, tr("Minimum area (m²; empty: from the rules)")),
                            (self.MIN_AREA_BASIC, tr("Minimum area on permanent basic farmland (m²; empty: from the "
                                                     "rules)"))):
            p = QgsProcessingParameterNumber(name, label, compat.ProcessingNumberParameterType.Double, None,
                                             optional=True, minValue=0.0)
            p.setFlags(p.flags() | compat.ProcessingParameterFlag.Advanced)
            self.addParameter(p)
        self.add_store_parameter()  # the cases are stored there: review, evidence and the reports start from them
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Change candidates"), compat.ProcessingSourceType.VectorPolygon, optional=True))
        for key, label in (("CANDIDATES", tr("Candidates")), ("NONAGRI", tr("非农化 candidates")),
                           ("NONGRAIN", tr("非粮化 candidates")), ("WATERSCAPE", tr("挖湖造景 candidates")),
                           ("ABANDONED", tr("撂荒 candidates")), ("SUSPECT", tr("Suspected illegal")),
                           ("NEW_CASES", tr("New cases")), ("KNOWN_CASES", tr("Cases already stored"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    # ------------------------------------------------------------------ inputs
    def _rules(self, parameters, context) -> ChangeRules:
        path = self.parameterAsFile(parameters, self.RULES, context) or str(
            resource_path("rules", "change_rules.json"))
        try:
            rules = load_rules(path)
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise QgsProcessingException(tr("The rules file {path} cannot be read: {error}").format(
                path=path, error=err)) from err
        overrides = {}
        for name, key in ((self.MIN_AREA, "min_area_m2"), (self.MIN_AREA_BASIC, "min_area_basic_m2")):
            if parameters.get(name) not in (None, ""):
                overrides[key] = self.parameterAsDouble(parameters, name, context)
        if overrides:
            from dataclasses import replace

            rules = replace(rules, **overrides)
        return rules

    def _landuse(self, parameters, name, context, feedback, crs, progress) -> detect.LandUse | None:
        layer = self._read(parameters, name, context, feedback, [
            FieldSpec("bsm", "BSM", tr("patch id")),
            FieldSpec("dlbm", "DLBM", tr("land-use class code")),
            FieldSpec("zzsxdm", "ZZSXDM", tr("planting attribute"), required=False),
            FieldSpec("kcxs", "KCXS", tr("deduction coefficient"), required=False, numeric=True),
            FieldSpec("zldwdm", "ZLDWDM", tr("village code"), required=False),
        ], crs, progress)
        if layer is None:
            return None
        text = lambda key: np.array(["" if v is None else str(v).strip() for v in layer.attrs[key]], dtype=object)  # noqa: E731
        land = detect.LandUse(text("bsm"), text("dlbm"), text("zzsxdm"), layer.attrs["kcxs"], layer.wkb,
                              np.array([z[:9] for z in text("zldwdm")], dtype=object))
        if land.kcxs_percent:
            feedback.pushWarning(tr("Layer “{layer}”: the deduction coefficients (KCXS) are given in percent (up to "
                                    "{largest:g}); they are read as fractions, e.g. 8 as 0.08.").format(
                layer=source_for(self, parameters, name, context, feedback).label, largest=land.kcxs_largest))
        return land

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):
        rules = self._rules(parameters, context)
        today = self.reference_today(parameters, context)
        before_src = self.parameterAsSource(parameters, self.BEFORE, context)
        if before_src is None:
            raise QgsProcessingException(tr("Choose the baseline land-use survey (DLTB)."))
        crs = before_src.sourceCrs()
        if not crs.isValid() or crs.isGeographic():
            raise QgsProcessingException(tr("The baseline layer is in {crs}, which is not a projected coordinate "
                                            "system: areas need metres. Reproject it to the county's CGCS2000 "
                                            "3° zone (e.g. EPSG:4522) first.").format(crs=crs.authid() or "?"))
        has_after = parameters.get(self.AFTER) not in (None, "")
        has_external = parameters.get(self.EXTERNAL) not in (None, "")
        if not has_after and not has_external:
            raise QgsProcessingException(tr("Give the newer land-use survey or the external change polygons: "
                                            "there is nothing to compare the baseline with."))
        feedback.setProgressText(tr("Reading the surveys…"))
        before = self._landuse(parameters, self.BEFORE, context, feedback, crs, (0, 15))
        basic = self._read(parameters, self.YJJBNT, context, feedback, [], crs, (30, 35))
        basic_wkb = basic.wkb if basic is not None else np.zeros(0, dtype=object)
        if basic is None:
            feedback.pushWarning(tr("No permanent basic farmland (永农, YJJBNT) layer: the 永农 areas of every "
                                    "candidate will be 0, and the rules for 永久基本农田 (suspected illegal, "
                                    "priority) cannot apply."))
        found, stats = [], {}
        try:
            if has_after:
                after = self._landuse(parameters, self.AFTER, context, feedback, crs, (15, 30))
                feedback.setProgressText(tr("Comparing the surveys (unchanged patches are skipped)…"))
                cand, stats = detect.compare_years(before, after, basic_wkb, rules,
                                                   progress=lambda f: feedback.setProgress(35 + 30 * f),
                                                   cancelled=feedback.isCanceled)
                found.append(cand)
                feedback.pushInfo(tr("Surveys compared: {paired} patches in both years, {identical} unchanged and "
                                     "skipped without overlay; {changed} changed, {removed} gone, {added} new; "
                                     "{small} small pieces and {slivers} slivers left out ({seconds:.1f} s).").format(
                    paired=stats.get("paired", 0), identical=stats.get("identical", 0),
                    changed=stats.get("attribute_changed", 0) + stats.get("geometry_changed", 0),
                    removed=stats.get("removed", 0), added=stats.get("added", 0),
                    small=stats.get("suppressed_small", 0), slivers=stats.get("suppressed_sliver", 0),
                    seconds=float(stats.get("seconds", 0.0))))
            if has_external:
                found.append(self._external(parameters, context, feedback, crs, before, basic_wkb, rules))
            found.append(self._abandoned(feedback, after if has_after else before, basic_wkb, rules, stats))
        except parallel.Cancelled:
            raise QgsProcessingException(tr("Cancelled; nothing was written.")) from None
        cand = detect.concat(found)
        feedback.setProgress(65)
        feedback.setProgressText(tr("Pre-judging against approvals and plans…"))
        refs = self.read_references(parameters, context, feedback, crs, basic_wkb)
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            return self._finish(parameters, context, feedback, store, cand, refs, rules, today, stats, crs)

    def _abandoned(self, feedback, survey, basic_wkb, rules, stats: dict):
        """撂荒 of the newest survey given, with its area per township said in the log and kept in the run's
        counts (``abandoned_by_township``)."""
        cand, found = detect.abandoned(survey, basic_wkb, rules, cancelled=feedback.isCanceled)
        per_township = found["abandoned_by_township"]
        stats["abandoned_patches"] = found["abandoned_patches"]
        stats["abandoned_by_township"] = per_township
        if not per_township:
            feedback.pushInfo(tr("撂荒: no farmland with planting attribute 未耕种 (WG)."))
            return cand
        names = AdminDivisions.from_csv(divisions_csv())
        feedback.pushInfo(tr("撂荒 (planting attribute 未耕种 WG): {n} candidates, {area:.2f} mu, by township: "
                             "{towns}.").format(
            n=len(cand), area=float(cand.area_m2.sum()) * MU_PER_M2, towns="；".join(
                "{name} {patches} {area:.2f} mu".format(name=names.name(r["township"]) or r["township"] or "?",
                                                        patches=r["patches"], area=r["area_m2"] * MU_PER_M2)
                for r in per_township)))
        return cand

    def _external(self, parameters, context, feedback, crs, before, basic_wkb, rules):
        id_field = self.parameterAsString(parameters, self.EXTERNAL_ID, context) or "JCBH"
        dlbm_field = self.parameterAsString(parameters, self.EXTERNAL_DLBM, context) or "DLBM"
        layer = self._read(parameters, self.EXTERNAL, context, feedback, [
            FieldSpec("id", id_field, tr("polygon id"), required=False),
            FieldSpec("dlbm", dlbm_field, tr("current land-use class"), required=False)], crs, (30, 35))
        ids = np.array([str(v) if v not in (None, "") else f"fid {f}" for v, f in zip(layer.attrs["id"], layer.fid)],
                       dtype=object)
        new = np.array(["" if v is None else str(v).strip() for v in layer.attrs["dlbm"]], dtype=object)
        if not any(new):
            feedback.pushWarning(tr("The external change polygons have no current-use class (field “{field}”): "
                                    "their candidates are of unknown use and need field verification.").format(
                field=dlbm_field))
        cand, stats = detect.classify_external(layer.wkb, ids, new, before, basic_wkb, rules)
        feedback.pushInfo(tr("External polygons classified: {n} polygons, {found} candidates on baseline farmland, "
                             "{unknown} without a current-use class.").format(
            n=stats.get("external_features", len(ids)), found=stats.get("candidates", len(cand.geom)),
            unknown=stats.get("unknown_class", 0)))
        return cand

    def _finish(self, parameters, context, feedback, store, cand, refs, rules, today, stats, crs):
        n = len(cand.geom)
        keys = [case_key(cand.source[i], cand.bsm_before[i], cand.bsm_after[i], cand.kind[i], cand.to_dlbm[i],
                         cand.external_id[i], cand.geom[i]) for i in range(n)]
        codes: list[list[str]] = [[] for _ in range(n)]
        cells = np.full(n, "", dtype=object)
        officers: dict = {}
        repeats = np.zeros(n, dtype=np.int64)
        if store is not None and n:
            near_codes, near_wkb = coded_near(store, shapely.bounds(cand.geom))
            if len(near_codes):
                codes = judge.affected_codes(cand.geom, near_wkb, near_codes)
            grid = active_cells(store)
            groups = grid["level"] == 5
            if groups.any():
                cells = judge.assign_cells(cand.geom, shapely.to_wkb(grid["geom"][groups]), grid["code"][groups])
            else:
                feedback.pushWarning(tr("The store has no patrol grid: candidates get no grid cell or officer. Run "
                                        "“Build the patrol grid” first."))
            officers = officers_for(store)
            repeats = case_store.repeat_counts(store, keys, codes)
        result = judge.prejudge(cand.geom, cand.kind, cand.to_dlbm, cand.basic_m2, refs, today,
                                min_split_m2=rules.min_area_m2, repeats=repeats, cancelled=feedback.isCanceled)
        feedback.setProgress(80)
        kinds, cats, reasons_zh = kind_labels(), category_labels(), reason_labels()
        rows = []
        for k in np.argsort(result.priority, kind="stable").tolist():
            i = int(result.candidate[k])
            geom = result.geom[k]
            piece_key = keys[i] if len(np.flatnonzero(result.candidate == i)) == 1 else case_key(
                cand.source[i], cand.bsm_before[i], cand.bsm_after[i], cand.kind[i], cand.to_dlbm[i],
                cand.external_id[i], geom)
            grid_code = str(cells[i] or "")
            officer, phone = officers.get(grid_code, (None, None))
            share = float(shapely.area(geom)) / max(float(cand.area_m2[i]), 1e-9)
            rows.append({
                "case_key": piece_key, "case_id": case_uuid(piece_key), "kind": str(cand.kind[i]),
                "category": str(result.category[k]), "reasons": list(result.reasons[k]),
                "source": str(cand.source[i]), "from_dlbm": str(cand.from_dlbm[i]), "to_dlbm": str(cand.to_dlbm[i]),
                "to_zzsxdm": str(cand.to_zzsxdm[i]), "bsm_before": str(cand.bsm_before[i]),
                "bsm_after": str(cand.bsm_after[i]), "external_id": str(cand.external_id[i]),
                "area_m2": round(float(result.area_m2[k]), 2),
                "farmland_m2": round(float(cand.farmland_m2[i]) * share, 2),
                "basic_m2": round(float(result.basic_m2[k]), 2),
                "approved_m2": round(float(result.approved_m2[k]), 2),
                "facility_m2": round(float(result.facility_m2[k]), 2),
                "temporary_m2": round(float(result.temporary_m2[k]), 2),
                "boundary_m2": round(float(result.boundary_m2[k]), 2), "docs": str(result.docs[k]),
                "priority": int(result.priority[k]), "grid_code": grid_code, "officer": officer, "phone": phone,
                "parcel_codes": list(codes[i]), "geom": geom})
        out = {"CANDIDATES": len(rows), "NONAGRI": sum(r["kind"] in ("nonagri", "facility") for r in rows),
               "NONGRAIN": sum(r["kind"] == "nongrain" for r in rows),
               "WATERSCAPE": sum(r["kind"] == "waterscape" for r in rows),
               "ABANDONED": sum(r["kind"] == "abandoned" for r in rows),
               "SUSPECT": sum(r["category"] == "suspect" for r in rows), "NEW_CASES": 0, "KNOWN_CASES": 0}
        states = {}
        if store is not None:
            run_id = case_store.new_run_id()
            inputs = {name: str(parameters.get(name) or "") for name in (
                self.BEFORE, self.AFTER, self.EXTERNAL, self.YJJBNT, self.APPROVED, self.FACILITY, self.TEMPORARY,
                self.BOUNDARY)}
            counts = {k: int(v) if isinstance(v, (int, np.integer)) else v for k, v in stats.items()}
            new, known = case_store.save_cases(store, rows, run_id, rules.version, rules.to_dict(), inputs,
                                               dict(counts, today=today))
            out["NEW_CASES"], out["KNOWN_CASES"] = len(new), len(known)
            states = case_store.states_by_key(store)
            feedback.pushInfo(tr("{new} new cases waiting to be issued (待下发); {known} were already stored and keep "
                                 "their state and history.").format(new=len(new), known=len(known)))
        by_cat: dict[str, int] = {}
        for r in rows:
            by_cat[r["category"]] = by_cat.get(r["category"], 0) + 1
        feedback.pushInfo(tr("{n} candidates: {kinds}; pre-judged {cats}.").format(
            n=len(rows), kinds="、".join(f"{kinds[k]} {sum(r['kind'] == k for r in rows)}" for k in kinds
                                         if any(r["kind"] == k for r in rows)),
            cats="、".join(f"{cats[c]} {v}" for c, v in sorted(by_cat.items()))))
        if parameters.get(self.OUTPUT) not in (None, ""):
            out.update(self._write(parameters, context, rows, crs, states, rules, kinds, cats, reasons_zh))
        feedback.setProgress(100)
        return out

    def _write(self, parameters, context, rows, crs, states, rules, kinds, cats, reasons_zh) -> dict:
        fields = output_fields()
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, Qgis.WkbType.MultiPolygon, crs)
        if sink is None:
            return {}
        features = []
        for r in rows:
            f = QgsFeature(fields)
            f.setAttributes([
                r["case_id"], r["kind"], kinds.get(r["kind"], r["kind"]), r["category"],
                cats.get(r["category"], r["category"]), "；".join(reasons_zh.get(x, x) for x in r["reasons"]),
                r["priority"], r["from_dlbm"], DLMC.get(r["from_dlbm"], ""), r["to_dlbm"],
                DLMC.get(r["to_dlbm"], ""), r["to_zzsxdm"], r["bsm_before"], r["bsm_after"], r["external_id"],
                r["area_m2"], _mu(r["area_m2"]), r["farmland_m2"], _mu(r["farmland_m2"]), r["basic_m2"],
                _mu(r["basic_m2"]), r["approved_m2"], r["facility_m2"], r["temporary_m2"], r["boundary_m2"],
                r["docs"], r["grid_code"], r["officer"], r["phone"], "，".join(r["parcel_codes"])[:254],
                rules.version, states.get(r["case_key"], "")])
            f.setGeometry(_multipolygon(r["geom"]))
            features.append(f)
        sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert)
        if dest and context.willLoadLayerOnCompletion(dest):
            context.layerToLoadOnCompletionDetails(dest).setPostProcessor(StyleOnLoad.create(
                "change_candidates.qml", {f.name(): f.alias() for f in fields}))
        self.keep_aliases(dest, "changes", "change_candidates.qml")
        return {self.OUTPUT: dest}
