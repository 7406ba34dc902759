"""导出外业巡田包 — a QField-ready project folder per 社 or 村 grid (``linxia_tianguan:field_package_export``).

For every grid code given (a 14-digit 社 or 12-digit 村 code; several comma-separated) the algorithm writes
``<OUTPUT>/<grid>/`` (rules: :mod:`..core.patrol.field_package`, store reads: :mod:`..storage.field_package`):

- ``tianguan_field.gpkg`` with the layers ``parcels`` (the grid's active coded parcels: code, seq, dlmc, area in
  亩, 永农 flag, 码上查 status at export coloured as on the desk; read-only, labelled by sequence number), ``tasks``
  (the grid's patrol tasks not done, on their grid cell), ``cases`` (issued cases not closed, with case_id, state
  and version; read-only), ``tracks`` (an empty LineStringZM layer in CGCS2000 lon/lat that QField fills by
  automatic position tracking: each vertex's time as epoch milliseconds in M, officer, start time and grid
  defaulted) and ``evidence`` (points: case picked from the cases, photo taken into ``DCIM/`` and stored as a
  relative path, note, time and position defaults, officer), ``reports`` and ``report_areas`` (巡田上报: a problem
  found on patrol — a point, or a polygon sketched around it; two layers with one form because QField digitises
  one geometry type per layer — with a uuid, category 非农化/非粮化/撂荒/乱占/其他 from a value map, up to three photos
  ``photo``, ``photo_2``, ``photo_3`` taken into ``DCIM/``, note, officer and time; “Import field results” makes
  each a new case);
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
    QgsProcessingParameterString,
    QgsProject,
    QgsVectorLayer,
)

from ... import compat, labels
from ...core import clock
from ...core.cases import workflow
from ...core.patrol import field_package as rules
from ...core.patrol import parcel_status as parcel_rules
from ...core.reports.statistics import M2_PER_MU
from ...i18n import tr
from ...resources import resource_path
from ...storage import field_package as package_store
from ...storage import parcel_status as parcel_status_store
from ...storage.tasks import officers_for
from ..base import AlgorithmBase
from ..layout_text import cjk_font
from .qfield_project import (
    make_fields,
    photo_form,
    quoted,
    read_only,
    set_default,
    set_labels,
    set_widget,
    write_layer,
)

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
            "DCIM, note, time, position and officer filled in), and two field report layers — points and "
            "sketched polygons, one form: category, up to three photos, note — for problems found on patrol.</p>"
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
                # the parcels' 码上查 status as of the export, so the officer sees on the phone which need attention
                data["status"] = parcel_status_store.statuses_for(store, [p["code"] for p in data["parcels"]], now)
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
        status = data.get("status", {})
        parcels = make_fields(("code", S, 20), ("seq", INT), ("dlmc", S, 60), ("area_mu", D), ("yongnong", INT),
                              ("status", S, 10))
        write_layer(path, rules.PARCELS, parcels, Qgis.WkbType.MultiPolygon, crs,
                    [(p["wkb"], [p["code"], p["seq"], p["dlmc"], round(float(p["gdmj_mu"] or 0.0), 2),
                                 int(p["basic"]), status.get(p["code"], parcel_rules.CLEAN)])
                     for p in data["parcels"]], first=True)
        status_names = {"open": "未完成", "overdue": "已过期", "done": "已完成"}
        tasks = make_fields(("task_id", S), ("grid_code", S), ("level", INT), ("period_start", S), ("period_end", S),
                            ("due_at", S), ("officer", S), ("status", S))
        write_layer(path, rules.TASKS, tasks, Qgis.WkbType.MultiPolygon, crs,
                    [(data["cells"].get(t.grid_code), [t.task_id, t.grid_code, t.level, t.period_start, t.period_end,
                                                       t.due_at, t.officer, status_names.get(s, s)])
                     for t, s in data["tasks"]], first=False)
        cases = make_fields(("case_id", S), ("title", S), ("state", S), ("state_name", S), ("version", INT),
                            ("kind", S), ("category", S), ("area_mu", D), ("priority", INT), ("grid_code", S),
                            ("officer", S), ("detected_at", S), ("accepts_evidence", INT))
        write_layer(path, rules.CASES, cases, Qgis.WkbType.MultiPolygon, crs,
                    [(None if c["geom"] is None else c["geom"].wkb,
                      [c["case_id"], rules.case_title(c), c["state"], workflow.STATE_NAMES.get(c["state"], c["state"]),
                       int(c["version"]), c.get("kind"), c.get("category"),
                       round(float(c.get("area_m2") or 0) / M2_PER_MU, 2),
                       c.get("priority"), c.get("grid_code"), c.get("officer"), c.get("detected_at"),
                       int(rules.accepts_evidence(c["state"]))]) for c in data["cases"]], first=False)
        write_layer(path, rules.TRACKS, make_fields(("officer", S), ("started_at", DT), ("grid_code", S)),
                    Qgis.WkbType.LineStringZM, QgsCoordinateReferenceSystem(f"EPSG:{rules.TRACKS_EPSG}"), [],
                    first=False)
        evidence = make_fields(("case_id", S), ("photo", S), ("note", S), ("taken_at", DT), ("officer", S), ("x", D),
                               ("y", D))
        write_layer(path, rules.EVIDENCE, evidence, Qgis.WkbType.Point, crs, [], first=False)
        report_fields = make_fields(("uuid", S, 38), ("category", S, 10), *[(name, S) for name in rules.PHOTO_FIELDS],
                                    ("note", S), ("officer", S), ("reported_at", DT))
        write_layer(path, rules.REPORTS, report_fields, Qgis.WkbType.Point, crs, [], first=False)
        write_layer(path, rules.REPORT_AREAS, report_fields, Qgis.WkbType.Polygon, crs, [], first=False)

    def _write_project(self, work: Path, srs_id: int, grid: str, officer: str | None, font: str) -> None:
        gpkg_path = work / rules.GPKG_NAME
        project = QgsProject()
        try:
            project.setFileName(str(work / rules.PROJECT_NAME))
            project.setCrs(QgsCoordinateReferenceSystem(f"EPSG:{srs_id}"))
            project.setTitle(tr("Field package {grid}").format(grid=grid))
            project.writeEntry("Paths", "/Absolute", False)
            project.writeEntry("qfieldsync", "attachmentDirs", [rules.PHOTO_DIR])
            names = {rules.REPORTS: tr("Field reports"), rules.REPORT_AREAS: tr("Field report areas"),
                     rules.EVIDENCE: tr("Evidence"),
                     rules.TRACKS: tr("Patrol tracks"), rules.CASES: tr("Field cases"),
                     rules.TASKS: tr("Open patrol tasks"), rules.PARCELS: tr("Coded parcels")}
            layers = {}
            for key in (rules.REPORTS, rules.REPORT_AREAS, rules.EVIDENCE, rules.TRACKS, rules.CASES, rules.TASKS,
                        rules.PARCELS):
                layer = QgsVectorLayer(f"{gpkg_path}|layername={key}", names[key], "ogr")
                if not layer.isValid():
                    raise QgsProcessingException(tr("Cannot open layer {layer} of {path}").format(
                        layer=key, path=gpkg_path))
                layers[key] = layer

            parcels = layers[rules.PARCELS]
            # coloured by status (red open case, blue rectifying, yellow overdue, green clean); the style first,
            # since loading it resets the labels
            parcels.loadNamedStyle(str(resource_path("styles", "parcel_status.qml")))
            set_widget(parcels, "status", "ValueMap",
                       {"map": [{name: code} for code, name in labels.parcel_status_labels().items()]})
            read_only(parcels)
            set_labels(parcels, '"seq"', font, 9)
            cases = layers[rules.CASES]
            read_only(cases)
            set_labels(cases, '"state_name"', font, 10, "#b00000")
            read_only(layers[rules.TASKS])

            tracks = layers[rules.TRACKS]
            set_default(tracks, "officer", quoted(officer))
            set_default(tracks, "started_at", "now()")
            set_default(tracks, "grid_code", quoted(grid))
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
            set_widget(evidence, "case_id", "ValueRelation", {
                "Layer": cases.id(), "LayerName": cases.name(),
                "LayerSource": f"./{rules.GPKG_NAME}|layername={rules.CASES}",
                "LayerProviderName": "ogr", "Key": "case_id", "Value": "title", "AllowNull": False,
                "AllowMulti": False, "OrderByValue": True, "UseCompleter": False,
                "FilterExpression": '"accepts_evidence" = 1'})
            photo_form(evidence, "taken_at", officer)
            set_default(evidence, "x", "$x", True)
            set_default(evidence, "y", "$y", True)

            for key in rules.REPORT_LAYERS:
                self._report_form(layers[key], officer)
            project.addMapLayers(list(layers.values()))
            if not project.write():
                raise QgsProcessingException(tr("Cannot write the project {path}: {error}").format(
                    path=project.fileName(), error=project.error()))
        finally:
            project.clear()

    @staticmethod
    def _report_form(reports: QgsVectorLayer, officer: str | None) -> None:
        """The 巡田上报 form (the point and the sketch layers alike): a uuid kept as the report's identity, the five
        categories (a value map: the Chinese word is stored, the import maps it to a change kind), three photos into
        DCIM, note, officer and time."""
        for name, alias in (("category", tr("Report category")), ("photo", tr("Photo")), ("photo_2", tr("Photo 2")),
                            ("photo_3", tr("Photo 3")), ("note", tr("Note")), ("reported_at", tr("Time")),
                            ("officer", tr("Officer"))):
            reports.setFieldAlias(reports.fields().indexOf(name), alias)
        set_default(reports, "uuid", "uuid()")
        set_widget(reports, "uuid", "Hidden")
        set_widget(reports, "category", "ValueMap", {"map": [{word: word} for word in rules.REPORT_CATEGORIES]})
        set_default(reports, "category", quoted(next(iter(rules.REPORT_CATEGORIES))))
        photo_form(reports, "reported_at", officer, rules.PHOTO_FIELDS)
