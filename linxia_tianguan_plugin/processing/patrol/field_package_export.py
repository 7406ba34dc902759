"""导出外业巡田包 — a QField-ready project folder per 社 or 村 grid (``linxia_tianguan:field_package_export``).

For every grid code given (a 14-digit 社 or 12-digit 村 code; several comma-separated) the algorithm writes
``<OUTPUT>/<grid>/`` (rules: :mod:`..core.patrol.field_package`, store reads: :mod:`..storage.field_package`):

- ``tianguan_field.gpkg`` with the layers ``parcels`` (the grid's active coded parcels: code, seq, dlmc,
  area in 亩, 永农 flag; read-only, labelled by sequence number), ``tasks`` (the grid's patrol tasks not
  done, on their grid cell), ``cases`` (issued cases not closed, with case_id, state and version;
  read-only), ``tracks`` (an empty LineStringZM layer in CGCS2000 lon/lat that QField fills by automatic
  position tracking: each vertex's time as epoch milliseconds in M, officer, start time and grid
  defaulted) and ``evidence`` (points: case picked from the cases, photo taken into ``DCIM/`` and stored
  as a relative path, note, time and position defaults, officer) and ``reports`` (巡田上报: a problem found
  on patrol — a point with a uuid, category 非农化/非粮化/撂荒/乱占/其他 from a value map, photo, note,
  officer and time; “Import field results” makes each a new case);
- ``tianguan_field.qgs``, the project built with QGIS's project API and saved with relative paths,
  with QFieldSync's layer settings (tracking session started when the project opens, photo naming);
- ``manifest.json``: the package's own id (a UUID: report cases are keyed by it), store id, grid, export time and
  the version of every exported case.

The folder is built under a temporary name beside it and renamed when complete, so a half-written package
never carries the grid's name; a folder of the same name already there (perhaps with field edits not yet
imported) is kept, renamed ``<grid>.replaced-<UTC time>``. Runs on the main thread (project writing).
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransformContext,
    QgsDefaultValue,
    QgsEditorWidgetSetup,
    QgsFeature,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsPalLayerSettings,
    QgsProcessingException,
    QgsProcessingOutputFolder,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
    QgsProject,
    QgsTextFormat,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
    QgsWkbTypes,
)
from qgis.PyQt.QtGui import QColor, QFont

from ... import compat
from ...core import clock
from ...core.cases import workflow
from ...core.patrol import field_package as rules
from ...core.reports.statistics import M2_PER_MU
from ...i18n import tr
from ...storage import field_package as package_store
from ...storage.tasks import officers_for
from ..base import AlgorithmBase
from ..layout_text import cjk_font

PHOTO_NAMING = "'DCIM/' || @layer_name || '_' || format_date(now(), 'yyyyMMddhhmmsszzz') || '.jpg'"

#: QFieldSync's layer settings (custom properties) of the tracks layer: start a tracking session when the
#: project opens, a vertex every 5 s, jumps over 100 m refused, epoch time in the M value
TRACKING = {
    "QFieldSync/action": "offline",
    "QFieldSync/cloud_action": "offline",
    "QFieldSync/tracking_session_active": True,
    "QFieldSync/tracking_time_requirement_active": True,
    "QFieldSync/tracking_time_requirement_interval_seconds": 5,
    "QFieldSync/tracking_distance_requirement_active": False,
    "QFieldSync/tracking_distance_requirement_minimum_meters": 0,
    "QFieldSync/tracking_erroneous_distance_safeguard_active": True,
    "QFieldSync/tracking_erroneous_distance_safeguard_maximum_meters": 100,
    "QFieldSync/tracking_measurement_type": 1,
}


def _field(name: str, kind: str, length: int = 0) -> QgsField:
    return compat.make_field(name, kind, length)


def _fields(*specs) -> QgsFields:
    fields = QgsFields()
    for spec in specs:
        fields.append(_field(*spec))
    return fields


def _write(path: Path, name: str, fields: QgsFields, wkb_type, crs: QgsCoordinateReferenceSystem,
           rows: list[tuple[bytes | None, list]], first: bool) -> None:
    """Write one layer of the package GeoPackage (the first one creates the file)."""
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = name
    options.fileEncoding = "UTF-8"
    options.actionOnExistingFile = (QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteFile if first
                                    else QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteLayer)
    writer = QgsVectorFileWriter.create(str(path), fields, wkb_type, crs, QgsCoordinateTransformContext(), options)
    if writer.hasError() != QgsVectorFileWriter.WriterError.NoError:
        raise QgsProcessingException(tr("Cannot write layer {layer} of {path}: {error}").format(
            layer=name, path=path, error=writer.errorMessage()))
    for wkb, values in rows:
        feature = QgsFeature(fields)
        if wkb is not None:
            geom = QgsGeometry()
            geom.fromWkb(wkb)
            if QgsWkbTypes.isMultiType(wkb_type) and not geom.isMultipart():
                geom.convertToMultiType()
            feature.setGeometry(geom)
        feature.setAttributes(values)
        if not writer.addFeature(feature):
            raise QgsProcessingException(tr("Cannot write layer {layer} of {path}: {error}").format(
                layer=name, path=path, error=writer.errorMessage()))
    del writer


def _read_only(layer: QgsVectorLayer) -> None:
    """Read-only everywhere: the layer, every field of its form, QFieldSync's locks."""
    layer.setReadOnly(True)
    form = layer.editFormConfig()
    for i in range(layer.fields().count()):
        form.setReadOnly(i, True)
    layer.setEditFormConfig(form)
    for key, value in (("QFieldSync/action", "no_action"), ("QFieldSync/cloud_action", "no_action"),
                       ("QFieldSync/is_feature_addition_locked", True),
                       ("QFieldSync/is_attribute_editing_locked", True),
                       ("QFieldSync/is_geometry_editing_locked", True),
                       ("QFieldSync/is_feature_deletion_locked", True)):
        layer.setCustomProperty(key, value)


def _labels(layer: QgsVectorLayer, expression: str, font: str, size: float, color: str = "#202020") -> None:
    settings = QgsPalLayerSettings()
    settings.fieldName = expression
    settings.isExpression = True
    text = QgsTextFormat()
    text.setFont(QFont(font))
    text.setSize(size)
    text.setColor(QColor(color))
    buffer = text.buffer()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    text.setBuffer(buffer)
    settings.setFormat(text)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def _default(layer: QgsVectorLayer, name: str, expression: str, on_update: bool = False) -> None:
    layer.setDefaultValueDefinition(layer.fields().indexOf(name), QgsDefaultValue(expression, on_update))


def _photo_form(layer: QgsVectorLayer, time_field: str, officer: str | None) -> None:
    """What the evidence and the 巡田上报 forms share: the camera's photo (relative, into DCIM), a multi-line note,
    the time (now by default) and the officer, and QFieldSync's offline action and photo naming."""
    _widget(layer, "photo", "ExternalResource", {
        "DocumentViewer": 1, "DocumentViewerHeight": 0, "DocumentViewerWidth": 0, "FileWidget": True,
        "FileWidgetButton": True, "FileWidgetFilter": "", "RelativeStorage": 1, "StorageMode": 0,
        "PropertyCollection": {"name": None, "properties": {}, "type": "collection"}})
    _widget(layer, "note", "TextEdit", {"IsMultiline": True, "UseHtml": False})
    _widget(layer, time_field, "DateTime", {"allow_null": True, "calendar_popup": True,
                                            "display_format": "yyyy-MM-dd HH:mm:ss",
                                            "field_format": "yyyy-MM-dd HH:mm:ss", "field_iso_format": False})
    _default(layer, time_field, "now()")
    _default(layer, "officer", _quoted(officer))
    for key, value in (("QFieldSync/action", "offline"), ("QFieldSync/cloud_action", "offline"),
                       # QFieldSync ≥ 4.3 / QField ≥ 2.7 read attachment_naming; photo_naming for older
                       ("QFieldSync/attachment_naming", json.dumps({"photo": PHOTO_NAMING})),
                       ("QFieldSync/photo_naming", json.dumps({"photo": PHOTO_NAMING}))):
        layer.setCustomProperty(key, value)


def _widget(layer: QgsVectorLayer, name: str, kind: str, config: dict | None = None) -> None:
    layer.setEditorWidgetSetup(layer.fields().indexOf(name), QgsEditorWidgetSetup(kind, config or {}))


def _quoted(text: str | None) -> str:
    return "'" + str(text or "").replace("'", "''") + "'"


class FieldPackageExportAlgorithm(AlgorithmBase):
    STORE, GRID, OUTPUT = "STORE", "GRID", "OUTPUT"

    def name(self) -> str:
        return "field_package_export"

    def displayName(self) -> str:
        return tr("Export field package")

    def flags(self):
        return super().flags() | compat.ProcessingAlgorithmFlag.NoThreading  # QgsProject.write on the main thread

    def shortHelpString(self) -> str:
        return tr(
            "<p>导出外业巡田包 · Writes, for each group (14-digit) or village (12-digit) grid code given (several "
            "separated by commas), a folder named by the code that QField opens as it is: tianguan_field.qgs, "
            "tianguan_field.gpkg and manifest.json.</p>"
            "<p>The GeoPackage holds the grid's coded parcels (read-only, labelled by sequence number, with "
            "land class, farmland area in mu and the permanent basic farmland flag), its patrol tasks not yet "
            "done, its issued cases that are not closed (read-only, with state and version), an empty track "
            "layer that QField fills by automatic position tracking (times as M values; officer, start time "
            "and grid filled in) and an evidence layer of points (case chosen from the list, photo taken into "
            "DCIM, note, time, position and officer filled in).</p>"
            "<p>The manifest records the store, the grid, the export time and every case's version: "
            "“Import field results” refuses evidence for a case that moved on since. A package folder of the "
            "same name that is already there is kept under a new name, never overwritten.</p>")

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter()
        self.addParameter(QgsProcessingParameterString(
            self.GRID, tr("Group or village grid codes (comma-separated)")))
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT, tr("Folder for the field packages")))
        self.addOutput(QgsProcessingOutputFolder("FOLDER", tr("Folder of the field packages")))
        for key, label in (("PACKAGES", tr("Field packages written")), ("PARCELS", tr("Parcels")),
                           ("TASKS", tr("Open tasks")), ("CASES", tr("Cases"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):
        try:
            grids = rules.parse_grids(self.parameterAsString(parameters, self.GRID, context))
        except rules.FieldPackageError as err:
            raise QgsProcessingException(tr("The grid codes cannot be used: {error}").format(error=err)) from err
        out_dir = Path(self.parameterAsString(parameters, self.OUTPUT, context))
        out_dir.mkdir(parents=True, exist_ok=True)
        font = cjk_font()
        counts = {"PACKAGES": 0, "PARCELS": 0, "TASKS": 0, "CASES": 0}
        now = clock.now_utc().replace(microsecond=0)
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
            sid = package_store.store_id(store)
            officers = officers_for(store)
            for n, grid in enumerate(grids):
                if feedback.isCanceled():
                    break
                feedback.setProgress(100.0 * n / len(grids))
                if not package_store.grid_known(store, grid):
                    feedback.reportError(tr("{grid}: no such cell in the active patrol grid; no package "
                                            "written.").format(grid=grid))
                    continue
                data = {
                    "parcels": package_store.parcels(store, grid),
                    "tasks": package_store.field_tasks(store, grid, now),
                    "cases": package_store.field_cases(store, grid),
                }
                data["cells"] = package_store.cell_geometries(store, [t.grid_code for t, _ in data["tasks"]])
                officer = officers.get(grid, (None, None))[0]
                final = self._package(out_dir, grid, sid, store, data, officer, font, now, feedback)
                counts["PACKAGES"] += 1
                counts["PARCELS"] += len(data["parcels"])
                counts["TASKS"] += len(data["tasks"])
                counts["CASES"] += len(data["cases"])
                feedback.pushInfo(tr("{grid}: {parcels} parcels, {tasks} open tasks, {cases} cases → {folder}").format(
                    grid=grid, parcels=len(data["parcels"]), tasks=len(data["tasks"]), cases=len(data["cases"]),
                    folder=final))
        feedback.setProgress(100)
        return {"FOLDER": str(out_dir), **counts}

    # ------------------------------------------------------------------ one package
    def _package(self, out_dir: Path, grid: str, sid: str, store, data: dict, officer: str | None, font: str,
                 now: dt.datetime, feedback) -> Path:
        work = out_dir / f".{grid}.partial-{uuid.uuid4().hex[:8]}"
        work.mkdir()
        try:
            (work / rules.PHOTO_DIR).mkdir()
            self._write_gpkg(work / rules.GPKG_NAME, store.srs_id, grid, data)
            self._write_project(work, store.srs_id, grid, officer, font)
            exported_at = workflow.format_time(now)
            manifest = rules.make_manifest(
                sid, grid, exported_at, data["cases"], [t.task_id for t, _ in data["tasks"]],
                {"parcels": len(data["parcels"]), "tasks": len(data["tasks"]), "cases": len(data["cases"])},
                store.srs_id, str(store.path), package_id=str(uuid.uuid4()))
            (work / rules.MANIFEST_NAME).write_text(rules.manifest_json(manifest), encoding="utf-8")
            final = out_dir / grid
            if final.exists():
                kept = out_dir / f"{grid}.replaced-{now:%Y%m%dT%H%M%SZ}"
                n = 1
                while kept.exists():
                    n += 1
                    kept = out_dir / f"{grid}.replaced-{now:%Y%m%dT%H%M%SZ}-{n}"
                final.rename(kept)
                feedback.pushWarning(tr("{grid}: a package folder of that name was there; it is kept as {kept} "
                                        "(import its field results if it has any).").format(grid=grid, kept=kept.name))
            try:
                work.rename(final)
            except OSError:  # Windows refuses to rename a folder while QGIS's OGR pool still holds the GeoPackage
                shutil.copytree(work, final)
                shutil.rmtree(work, ignore_errors=True)
            return final
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise

    def _write_gpkg(self, path: Path, srs_id: int, grid: str, data: dict) -> None:
        crs = QgsCoordinateReferenceSystem(f"EPSG:{srs_id}")
        S, INT, D, DT = "String", "Int", "Double", "DateTime"
        _write(path, rules.PARCELS, _fields(("code", S, 20), ("seq", INT), ("dlmc", S, 60), ("area_mu", D),
                                            ("yongnong", INT)),
               Qgis.WkbType.MultiPolygon, crs,
               [(p["wkb"], [p["code"], p["seq"], p["dlmc"], round(float(p["gdmj_mu"] or 0.0), 2), int(p["basic"])])
                for p in data["parcels"]], first=True)
        status_names = {"open": "未完成", "overdue": "已过期", "done": "已完成"}
        _write(path, rules.TASKS, _fields(("task_id", S), ("grid_code", S), ("level", INT), ("period_start", S),
                                          ("period_end", S), ("due_at", S), ("officer", S), ("status", S)),
               Qgis.WkbType.MultiPolygon, crs,
               [(data["cells"].get(t.grid_code), [t.task_id, t.grid_code, t.level, t.period_start, t.period_end,
                                                  t.due_at, t.officer, status_names.get(s, s)])
                for t, s in data["tasks"]], first=False)
        _write(path, rules.CASES, _fields(("case_id", S), ("title", S), ("state", S), ("state_name", S),
                                          ("version", INT), ("kind", S), ("category", S), ("area_mu", D),
                                          ("priority", INT), ("grid_code", S), ("officer", S), ("detected_at", S),
                                          ("accepts_evidence", INT)),
               Qgis.WkbType.MultiPolygon, crs,
               [(None if c["geom"] is None else c["geom"].wkb,
                 [c["case_id"], rules.case_title(c), c["state"], workflow.STATE_NAMES.get(c["state"], c["state"]),
                  int(c["version"]), c.get("kind"), c.get("category"),
                  round(float(c.get("area_m2") or 0) / M2_PER_MU, 2),
                  c.get("priority"), c.get("grid_code"), c.get("officer"), c.get("detected_at"),
                  int(rules.accepts_evidence(c["state"]))]) for c in data["cases"]], first=False)
        _write(path, rules.TRACKS, _fields(("officer", S), ("started_at", DT), ("grid_code", S)),
               Qgis.WkbType.LineStringZM, QgsCoordinateReferenceSystem(f"EPSG:{rules.TRACKS_EPSG}"), [], first=False)
        _write(path, rules.EVIDENCE, _fields(("case_id", S), ("photo", S), ("note", S), ("taken_at", DT),
                                             ("officer", S), ("x", D), ("y", D)),
               Qgis.WkbType.Point, crs, [], first=False)
        _write(path, rules.REPORTS, _fields(("uuid", S, 38), ("category", S, 10), ("photo", S), ("note", S),
                                            ("officer", S), ("reported_at", DT)),
               Qgis.WkbType.Point, crs, [], first=False)

    def _write_project(self, work: Path, srs_id: int, grid: str, officer: str | None, font: str) -> None:
        gpkg_path = work / rules.GPKG_NAME
        project = QgsProject()
        try:
            project.setFileName(str(work / rules.PROJECT_NAME))
            project.setCrs(QgsCoordinateReferenceSystem(f"EPSG:{srs_id}"))
            project.setTitle(tr("Field package {grid}").format(grid=grid))
            project.writeEntry("Paths", "/Absolute", False)
            project.writeEntry("qfieldsync", "attachmentDirs", [rules.PHOTO_DIR])
            names = {rules.REPORTS: tr("Field reports"), rules.EVIDENCE: tr("Evidence"),
                     rules.TRACKS: tr("Patrol tracks"), rules.CASES: tr("Field cases"),
                     rules.TASKS: tr("Open patrol tasks"), rules.PARCELS: tr("Coded parcels")}
            layers = {}
            for key in (rules.REPORTS, rules.EVIDENCE, rules.TRACKS, rules.CASES, rules.TASKS, rules.PARCELS):
                layer = QgsVectorLayer(f"{gpkg_path}|layername={key}", names[key], "ogr")
                if not layer.isValid():
                    raise QgsProcessingException(tr("Cannot open layer {layer} of {path}").format(
                        layer=key, path=gpkg_path))
                layers[key] = layer

            parcels = layers[rules.PARCELS]
            _read_only(parcels)
            _labels(parcels, '"seq"', font, 9)
            cases = layers[rules.CASES]
            _read_only(cases)
            _labels(cases, '"state_name"', font, 10, "#b00000")
            _read_only(layers[rules.TASKS])

            tracks = layers[rules.TRACKS]
            _default(tracks, "officer", _quoted(officer))
            _default(tracks, "started_at", "now()")
            _default(tracks, "grid_code", _quoted(grid))
            form = tracks.editFormConfig()
            form.setSuppress(Qgis.AttributeFormSuppression.On)
            tracks.setEditFormConfig(form)
            for key, value in TRACKING.items():
                tracks.setCustomProperty(key, value)

            evidence = layers[rules.EVIDENCE]
            # aliases first: in QGIS 3.22 setting an alias drops the field's editor widget set before
            for name, alias in (("case_id", tr("Case")), ("photo", tr("Photo")), ("note", tr("Note")),
                                ("taken_at", tr("Time")), ("officer", tr("Officer"))):
                evidence.setFieldAlias(evidence.fields().indexOf(name), alias)
            _widget(evidence, "case_id", "ValueRelation", {
                "Layer": cases.id(), "LayerName": cases.name(),
                "LayerSource": f"./{rules.GPKG_NAME}|layername={rules.CASES}",
                "LayerProviderName": "ogr", "Key": "case_id", "Value": "title", "AllowNull": False,
                "AllowMulti": False, "OrderByValue": True, "UseCompleter": False,
                "FilterExpression": '"accepts_evidence" = 1'})
            _photo_form(evidence, "taken_at", officer)
            _default(evidence, "x", "$x", True)
            _default(evidence, "y", "$y", True)

            self._report_form(layers[rules.REPORTS], officer)
            project.addMapLayers(list(layers.values()))
            if not project.write():
                raise QgsProcessingException(tr("Cannot write the project {path}: {error}").format(
                    path=project.fileName(), error=project.error()))
        finally:
            project.clear()

    @staticmethod
    def _report_form(reports: QgsVectorLayer, officer: str | None) -> None:
        """The 巡田上报 form: a uuid kept as the report's identity, the five categories (a value map: the Chinese
        word is stored, the import maps it to a change kind), photo into DCIM, note, officer and time."""
        for name, alias in (("category", tr("Report category")), ("photo", tr("Photo")), ("note", tr("Note")),
                            ("reported_at", tr("Time")), ("officer", tr("Officer"))):
            reports.setFieldAlias(reports.fields().indexOf(name), alias)
        _default(reports, "uuid", "uuid()")
        _widget(reports, "uuid", "Hidden")
        _widget(reports, "category", "ValueMap", {"map": [{word: word} for word in rules.REPORT_CATEGORIES]})
        _default(reports, "category", _quoted(next(iter(rules.REPORT_CATEGORIES))))
        _photo_form(reports, "reported_at", officer)
