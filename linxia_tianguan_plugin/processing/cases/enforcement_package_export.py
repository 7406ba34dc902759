"""导出执法整改包 — a QField package for the enforcement staff with their open cases
(``linxia_tianguan:enforcement_package_export``).

Why: the county approves a violation (审核通过) and enforcement goes out to have it demolished or restored; until
now the result came back on paper and the desk typed 开始执行 / 报告整改 with photos copied by hand. The package
lets the enforcement officer record the result on the phone, with photos, where the case is, and the desk import
it like the 社 officers' field package (:mod:`..patrol.field_package_import`). Rules: :mod:`..core.cases.enforcement`;
store reads: :mod:`..storage.enforcement`.

It is built with the field package's own pieces (layer writer, read-only locks, labels, photo form, QFieldSync
settings, manifest) so that both packages look and behave alike on the phone and on the desk; only the layers
differ: ``cases`` (read-only: number, kind and category in Chinese, state, deadline, area and 永农 in 亩, officer,
version at export), ``parcels`` (read-only: the coded parcels of those cases) and ``rectification`` (points: case
from the list, result from a value map, up to three photos into ``DCIM/``, note, officer, time). The folder
``enforcement-<prefix>`` (``enforcement-all``) is written under a temporary name and renamed when complete; one of
the same name already there is kept as ``….replaced-<UTC time>`` (it may hold results not yet imported).
"""
from __future__ import annotations

import datetime as dt
import shutil
import uuid
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsProcessingException,
    QgsProcessingOutputFolder,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFolderDestination,
    QgsProject,
    QgsVectorLayer,
)

from ... import compat
from ...case_list import CATEGORY_NAMES, KIND_NAMES, beijing_time
from ...core import clock
from ...core.cases import enforcement as rules
from ...core.cases import workflow
from ...core.patrol import field_package as fp
from ...core.reports.statistics import M2_PER_MU
from ...i18n import tr
from ...labels import rectification_result_labels
from ...storage import enforcement as enforcement_store
from ...storage import field_package as package_store
from ..base import ADMIN_CODE_LENGTHS, AlgorithmBase
from ..layout_text import cjk_font
from ..patrol.qfield_project import (
    make_fields,
    photo_form,
    quoted,
    read_only,
    set_default,
    set_labels,
    set_widget,
    write_layer,
)


class EnforcementPackageExportAlgorithm(AlgorithmBase):
    STORE, PREFIX, OUTPUT = "STORE", "PREFIX", "OUTPUT"

    def name(self) -> str:
        return "enforcement_package_export"

    def displayName(self) -> str:
        return tr("Export enforcement package")

    def flags(self):
        return super().flags() | compat.ProcessingAlgorithmFlag.NoThreading  # QgsProject.write on the main thread

    def shortHelpString(self) -> str:
        return tr(
            "<p>导出执法整改包 · Writes a folder that QField opens as it is, for the enforcement staff: the cases of "
            "the county, township or village (or all) that were approved as violations or are being enforced "
            "(a case whose rectification was returned is enforced again), read-only with case number, kind, "
            "state, deadline, area and permanent basic farmland in mu and version; their coded parcels; and a "
            "rectification layer of points: the case chosen from the list, the result (demolished and restored "
            "to farmland, rectified, rectification under way, refused, other), up to three photos taken into "
            "DCIM, a note, the officer and the time.</p>"
            "<p>“Import rectification results” moves the cases from it: only cases still as they were exported. "
            "A package folder of the same name that is already there is kept under a new name, never "
            "overwritten.</p>")

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter()
        self.add_prefix_parameter(tr("County, township or village code (empty: all)"), ADMIN_CODE_LENGTHS[1:4])
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT,
                                                                  tr("Folder for the enforcement package")))
        self.addOutput(QgsProcessingOutputFolder("FOLDER", tr("Enforcement package folder")))
        for key, label in (("CASES", tr("Cases")), ("PARCELS", tr("Parcels"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):
        prefix = self.parameter_as_prefix(parameters, context)
        out_dir = Path(self.parameterAsString(parameters, self.OUTPUT, context))
        out_dir.mkdir(parents=True, exist_ok=True)
        now = clock.now_utc().replace(microsecond=0)
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
            sid = package_store.store_id(store)
            cases = enforcement_store.package_cases(store, prefix)
            parcels = enforcement_store.parcel_rows(store, [c for case in cases for c in case["parcel_codes"]])
            if not cases:
                feedback.pushWarning(tr("No case under {prefix} is approved or being enforced: the package has no "
                                        "case.").format(prefix=prefix or tr("all units")))
            final = self._package(out_dir, prefix, sid, store, cases, parcels, now, feedback)
        feedback.pushInfo(tr("{cases} cases, {parcels} parcels → {folder}").format(
            cases=len(cases), parcels=len(parcels), folder=final))
        feedback.setProgress(100)
        return {"FOLDER": str(final), "CASES": len(cases), "PARCELS": len(parcels)}

    def _package(self, out_dir: Path, prefix: str, sid: str, store, cases: list[dict], parcels: list[dict],
                 now: dt.datetime, feedback) -> Path:
        """Write the package under a temporary name and rename it; an existing folder of that name is kept."""
        name = rules.folder_name(prefix)
        work = out_dir / f".{name}.partial-{uuid.uuid4().hex[:8]}"
        work.mkdir()
        try:
            (work / fp.PHOTO_DIR).mkdir()
            self._write_gpkg(work / fp.GPKG_NAME, store.srs_id, cases, parcels)
            self._write_project(work, store.srs_id, prefix)
            manifest = rules.make_manifest(sid, prefix, workflow.format_time(now), cases,
                                           {"cases": len(cases), "parcels": len(parcels)}, store.srs_id,
                                           str(store.path), str(uuid.uuid4()))
            (work / fp.MANIFEST_NAME).write_text(fp.manifest_json(manifest), encoding="utf-8")
            final = out_dir / name
            if final.exists():
                kept = out_dir / f"{name}.replaced-{now:%Y%m%dT%H%M%SZ}"
                n = 1
                while kept.exists():
                    n += 1
                    kept = out_dir / f"{name}.replaced-{now:%Y%m%dT%H%M%SZ}-{n}"
                final.rename(kept)
                feedback.pushWarning(tr("A package folder of that name was there; it is kept as {kept} (import its "
                                        "results if it has any).").format(kept=kept.name))
            try:
                work.rename(final)
            except OSError:  # Windows refuses to rename a folder while QGIS's OGR pool still holds the GeoPackage
                shutil.copytree(work, final)
                shutil.rmtree(work, ignore_errors=True)
            return final
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise

    @staticmethod
    def _write_gpkg(path: Path, srs_id: int, cases: list[dict], parcels: list[dict]) -> None:
        crs = QgsCoordinateReferenceSystem(f"EPSG:{srs_id}")
        S, INT, D, DT = "String", "Int", "Double", "DateTime"
        fields = make_fields(("code", S, 20), ("seq", INT), ("dlmc", S, 60), ("area_mu", D), ("yongnong", INT))
        write_layer(path, rules.PARCELS, fields, Qgis.WkbType.MultiPolygon, crs,
                    [(p["wkb"], [p["code"], p["seq"], p["dlmc"], round(float(p["gdmj_mu"] or 0.0), 2),
                                 int(p["yjmj_m2"] > 0)]) for p in parcels],
                    first=True)
        rows = []
        for c in cases:
            try:
                due = workflow.due_at(c["state"], c["entered_at"]) if c.get("entered_at") else None
            except workflow.WorkflowError:
                due = None
            rows.append((None if c["geom"] is None else c["geom"].wkb, [
                c["case_id"], c.get("case_no") or "", rules.case_title(c),
                KIND_NAMES.get(c.get("kind"), c.get("kind") or ""),
                CATEGORY_NAMES.get(c.get("category"), c.get("category") or ""),
                c["state"], workflow.STATE_NAMES.get(c["state"], c["state"]), beijing_time(due),
                round(float(c.get("area_m2") or 0) / M2_PER_MU, 2), round(float(c.get("basic_m2") or 0) / M2_PER_MU, 2),
                int(float(c.get("basic_m2") or 0) > 0), c.get("grid_code"), c.get("officer"), c.get("phone"),
                int(c["version"])]))
        fields = make_fields(("case_id", S), ("case_no", S), ("title", S), ("kind", S), ("category", S), ("state", S),
                             ("state_name", S), ("deadline", S), ("area_mu", D), ("basic_mu", D), ("yongnong", INT),
                             ("grid_code", S), ("officer", S), ("phone", S), ("version", INT))
        write_layer(path, rules.CASES, fields, Qgis.WkbType.MultiPolygon, crs, rows, first=False)
        fields = make_fields(("uuid", S, 38), ("case_id", S), ("result", S, 20),
                             *((name, S) for name in rules.PHOTO_FIELDS), ("note", S), ("officer", S),
                             ("recorded_at", DT))
        write_layer(path, rules.RECTIFICATION, fields, Qgis.WkbType.Point, crs, [], first=False)

    def _write_project(self, work: Path, srs_id: int, prefix: str) -> None:
        gpkg_path = work / fp.GPKG_NAME
        project = QgsProject()
        try:
            project.setFileName(str(work / fp.PROJECT_NAME))
            project.setCrs(QgsCoordinateReferenceSystem(f"EPSG:{srs_id}"))
            project.setTitle(tr("Enforcement package {prefix}").format(prefix=prefix or tr("all units")))
            project.writeEntry("Paths", "/Absolute", False)
            project.writeEntry("qfieldsync", "attachmentDirs", [fp.PHOTO_DIR])
            names = {rules.RECTIFICATION: tr("Rectification results"), rules.CASES: tr("Cases to enforce"),
                     rules.PARCELS: tr("Coded parcels")}
            layers = {}
            for key in (rules.RECTIFICATION, rules.CASES, rules.PARCELS):
                layer = QgsVectorLayer(f"{gpkg_path}|layername={key}", names[key], "ogr")
                if not layer.isValid():
                    raise QgsProcessingException(tr("Cannot open layer {layer} of {path}").format(
                        layer=key, path=gpkg_path))
                layers[key] = layer
            font = cjk_font()
            read_only(layers[rules.PARCELS])
            set_labels(layers[rules.PARCELS], '"seq"', font, 9)
            cases = layers[rules.CASES]
            read_only(cases)
            set_labels(cases, '"case_no"', font, 10, "#b00000")
            self._rectification_form(layers[rules.RECTIFICATION], cases)
            project.addMapLayers(list(layers.values()))
            if not project.write():
                raise QgsProcessingException(tr("Cannot write the project {path}: {error}").format(
                    path=project.fileName(), error=project.error()))
        finally:
            project.clear()

    @staticmethod
    def _rectification_form(layer: QgsVectorLayer, cases: QgsVectorLayer) -> None:
        """The rectification form: a uuid kept as the row's identity, the case from the package's cases, the result
        (a value map: the Chinese name shown, the code stored), three photos into DCIM, note, officer and time."""
        for name, alias in (("case_id", tr("Case")), ("result", tr("Rectification result")), ("photo", tr("Photo")),
                            ("photo_2", tr("Photo 2")), ("photo_3", tr("Photo 3")), ("note", tr("Note")),
                            ("recorded_at", tr("Time")), ("officer", tr("Officer"))):
            layer.setFieldAlias(layer.fields().indexOf(name), alias)
        set_default(layer, "uuid", "uuid()")
        set_widget(layer, "uuid", "Hidden")
        set_widget(layer, "case_id", "ValueRelation", {
            "Layer": cases.id(), "LayerName": cases.name(), "LayerSource": f"./{fp.GPKG_NAME}|layername={rules.CASES}",
            "LayerProviderName": "ogr", "Key": "case_id", "Value": "title", "AllowNull": False, "AllowMulti": False,
            "OrderByValue": True, "UseCompleter": False})
        names = rectification_result_labels()
        set_widget(layer, "result", "ValueMap", {"map": [{names[code]: code} for code in rules.RESULTS]})
        set_default(layer, "result", quoted(rules.IN_PROGRESS))
        photo_form(layer, "recorded_at", None, rules.PHOTO_FIELDS)
