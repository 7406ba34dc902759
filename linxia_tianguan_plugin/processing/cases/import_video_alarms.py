"""导入视频告警 — alarm records of the farmland video monitoring as cases (``linxia_tianguan:import_video_alarms``).

Thin: the file is read here (CSV as Excel writes it — UTF-8 with or without BOM, GBK; a workbook; the platform's
JSON), :mod:`..core.cases.video` parses, validates, places and matches the alarms, :mod:`..storage.cases` stores
one case per alarm in 待下发 (once: the key is the camera and the time) and :mod:`..storage.evidence` keeps a
local snapshot as the case's first evidence (content-addressed, SHA-256); a web address is kept in the case's
documents field. With the optional reference layers of change detection (:class:`.references.ReferenceLayers`:
永农, approvals, facility filings, temporary land, development boundary) each alarm's case polygon is pre-judged
like a change polygon and kept one case (:mod:`..core.cases.leads`); without them it needs field verification.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import shapely
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ... import compat
from ...core.cases import video
from ...core.cases.leads import judge_leads
from ...core.cases.prejudge import assign_cells, priority_order
from ...core.patrol.tracks import project
from ...i18n import tr
from ...labels import change_kind_labels
from ...storage import cases as case_store
from ...storage.evidence import EvidenceError, add_evidence
from ...storage.field_package import basic_of_codes
from ...storage.grid import active_cells, coded_near
from ...storage.tasks import officers_for
from ...store_messages import evidence_message
from ..base import AlgorithmBase
from ..fields import schema
from ..table_files import TableFileError, csv_rows, decode_csv, sheet_rows
from . import exif_reader
from .references import ReferenceLayers

exif_reader.install()

#: problems reported one by one in the log; the rest are counted
MAX_REPORTED = 200


def read_rows(path: Path, sheet: str = "") -> tuple[list[str], list[tuple[int, list]], str]:
    """(header, numbered rows, note) of an alarm file; :class:`..core.cases.video.VideoFileError` when unreadable."""
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as err:
        raise video.VideoFileError(tr("it cannot be read: {error}").format(error=err)) from err
    if suffix in (".json", ".geojson"):
        return (*_json_rows(data), "JSON")
    if suffix in (".xlsx", ".xls"):
        return (*_sheet_rows(path, sheet), "XLSX")
    if suffix in (".csv", ".txt"):
        return _csv_rows(data)
    raise video.VideoFileError(tr("its format is not supported (CSV, XLSX or JSON)"))


def _json_rows(data: bytes) -> tuple[list[str], list[tuple[int, list]]]:
    try:
        text, _ = decode_csv(data)
        parsed = json.loads(text)
    except (UnicodeDecodeError, ValueError) as err:
        raise video.VideoFileError(tr("it is not valid JSON ({error})").format(error=err)) from err
    return video.records_as_rows(video.json_records(parsed))


def _with_header(rows: list[tuple[int, list]]) -> tuple[list[str], list[tuple[int, list]]]:
    rows = [(n, cells) for n, cells in rows if any(str(c if c is not None else "").strip() for c in cells)]
    if not rows:
        raise video.VideoFileError(tr("it has no rows"))
    at = video.header_row([cells for _, cells in rows])
    at = max(at, 0)  # no header found: the first row, whose missing columns the parser names
    return [str(c if c is not None else "").strip() for c in rows[at][1]], rows[at + 1:]


def _csv_rows(data: bytes) -> tuple[list[str], list[tuple[int, list]], str]:
    try:
        numbered, encoding = csv_rows(data)
    except UnicodeDecodeError as err:
        raise video.VideoFileError(tr("it is neither UTF-8 nor GBK text")) from err
    return (*_with_header(numbered), encoding)


def _sheet_rows(path: Path, sheet: str) -> tuple[list[str], list[tuple[int, list]]]:
    try:
        return _with_header(sheet_rows(path, sheet))
    except TableFileError as err:
        raise video.VideoFileError(str(err)) from None


def alarm_fields():
    return schema("video_alarms", [("AJBH", "String", 36), ("SXTBH", "String", 60), ("GJSJ", "String", 20),
                                   ("GJLB", "String", 30), ("BHLX", "String", 20), ("BHLXMC", "String", 80),
                                   ("JD", "Double", 14, 8), ("WD", "Double", 14, 8), ("FWDW", "Int", 1),
                                   ("KJM", "String", 30), ("JL", "Double", 12, 1), ("WGBM", "String", 14),
                                   ("TGY", "String", 40), ("DH", "String", 30), ("ZP", "String", 254),
                                   ("ZT", "String", 20), ("XJ", "Int", 1)])


def camera_fields():
    return schema("video_cameras", [("SXTBH", "String", 60), ("FWJ", "Double", 6, 1), ("SYBJ", "Double", 10, 1),
                                    ("SYJ", "Double", 6, 1), ("GJS", "Int", 10), ("DKS", "Int", 10),
                                    ("KJM", "String", 254)])


class ImportVideoAlarmsAlgorithm(ReferenceLayers, AlgorithmBase):
    INPUT, SHEET, DISTANCE, TOLERANCE = "INPUT", "SHEET", "DISTANCE", "TOLERANCE"
    VIEW_RADIUS, VIEW_ANGLE, STORE, OUTPUT, CAMERAS = "VIEW_RADIUS", "VIEW_ANGLE", "STORE", "OUTPUT", "CAMERAS"

    def name(self) -> str:
        return "import_video_alarms"

    def displayName(self) -> str:
        return tr("Import video alarms")

    def shortHelpString(self) -> str:
        return tr(
            "<p>导入视频告警 · Reads the alarm records of the farmland video monitoring (CSV from Excel in UTF-8 or "
            "GBK, an Excel workbook, or the platform's JSON) and stores each alarm as a case waiting to be issued "
            "(待下发), pre-judged as 需外业核实: a camera alarm is a lead to check on the ground. With the optional "
            "reference layers (advanced parameters: permanent basic farmland, approvals, facility filings, "
            "temporary land, development boundary, as in change detection) each case is pre-judged like a change "
            "polygon instead, and stays one case waiting to be issued and checked in the field.</p>"
            "<p>Columns (English or Chinese): camera_id 摄像头编号, time 告警时间 (any usual form, Excel serial "
            "numbers too; without an offset Beijing time), category 告警类型 (非农化, 非粮化, 撂荒, 挖湖, 其他 — the "
            "change kind of the case), the alarm's lon/lat 经度/纬度 or the camera's position camera_lon/camera_lat "
            "摄像头经度/纬度 with its bearing 方位角 (degrees clockwise from north), and snapshot 抓拍图片 (a file, "
            "relative to the alarm file's folder, or a web address).</p>"
            "<p>An alarm without its own position is placed along the camera's bearing at the given distance. The "
            "point is matched to the coded parcel under it, else the nearest one within the tolerance: the case "
            "is that parcel, with its space code, group grid cell and officer; without a coded parcel near, a "
            "small circle around the point. A local snapshot (JPEG, PNG or PDF) becomes the case's first evidence "
            "(kept with its SHA-256); a web address is kept in the case's documents.</p>"
            "<p>Rows that cannot be used are listed with their row and column and skipped; the others are "
            "imported. The same camera and time is one alarm: importing the file again adds nothing. The optional "
            "camera layer has one point per camera that gave its position and bearing, with the coded parcels "
            "inside its view sector (radius and angle).</p>")

    def initAlgorithm(self, config=None) -> None:
        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, tr("Alarm records (.csv, .xlsx or .json)"),
            fileFilter=tr("Alarm records (*.csv *.xlsx *.json *.geojson *.CSV *.XLSX *.JSON)")))
        sheet = QgsProcessingParameterString(self.SHEET, tr("Sheet (workbooks; empty: the first)"), optional=True)
        sheet.setFlags(sheet.flags() | compat.ProcessingParameterFlag.Advanced)
        self.addParameter(sheet)
        for name, label, default, advanced in (
                (self.DISTANCE, tr("Distance of an alarm from its camera, when the record has no position (m)"),
                 video.DEFAULT_DISTANCE_M, False),
                (self.TOLERANCE, tr("Tolerance to the nearest coded parcel (m)"), video.DEFAULT_TOLERANCE_M, False),
                (self.VIEW_RADIUS, tr("Camera view radius (m)"), video.DEFAULT_VIEW_RADIUS_M, True),
                (self.VIEW_ANGLE, tr("Camera view angle (degrees)"), video.DEFAULT_VIEW_ANGLE_DEG, True)):
            p = QgsProcessingParameterNumber(name, label, compat.ProcessingNumberParameterType.Double, default,
                                             minValue=0.0, maxValue=360.0 if name == self.VIEW_ANGLE else 5000.0)
            if advanced:
                p.setFlags(p.flags() | compat.ProcessingParameterFlag.Advanced)
            self.addParameter(p)
        self.add_store_parameter()  # the cases are stored there
        self.add_reference_parameters(advanced=True)  # the alarms' pre-judgement, as in change detection
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Video alarms"), compat.ProcessingSourceType.VectorPoint, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.CAMERAS, tr("Cameras"), compat.ProcessingSourceType.VectorPoint, optional=True,
            createByDefault=False))
        for key, label in (("ALARMS", tr("Alarms read")), ("REFUSED", tr("Rows refused")),
                           ("NEW_CASES", tr("New cases")), ("KNOWN_CASES", tr("Cases already stored")),
                           ("EVIDENCE", tr("Snapshots stored as evidence")), ("UNMATCHED", tr("Alarms off coded "
                                                                                          "parcels"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):
        path = Path(self.parameterAsFile(parameters, self.INPUT, context) or "")
        distance = self.parameterAsDouble(parameters, self.DISTANCE, context)
        tolerance = self.parameterAsDouble(parameters, self.TOLERANCE, context)
        if not distance > 0:
            raise QgsProcessingException(tr("The distance of an alarm from its camera must be more than 0 m."))
        try:
            header, rows, note = read_rows(path, self.parameterAsString(parameters, self.SHEET, context) or "")
            alarms, problems = video.parse_rows(header, rows, distance)
        except video.VideoFileError as err:
            raise QgsProcessingException(tr("{file} cannot be read as video alarms: {reason}").format(
                file=path.name, reason=err)) from err
        feedback.pushInfo(tr("{file} ({note}): {n} alarms read, {refused} rows refused.").format(
            file=path.name, note=note, n=len(alarms), refused=len({p.row for p in problems if p.severity == "error"})))
        for p in problems[:MAX_REPORTED]:
            feedback.pushWarning(p.message)
        if len(problems) > MAX_REPORTED:
            feedback.pushWarning(tr("… and {n} more problems.").format(n=len(problems) - MAX_REPORTED))
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store the cases are kept in."))
            judge = None
            if self.references_given(parameters):
                judge = {"refs": self.read_references(parameters, context, feedback, store.srs_id),
                         "today": self.reference_today(parameters, context)}
            out = self._store(parameters, context, feedback, store, path, alarms, distance, tolerance, judge)
        out.update({"ALARMS": len(alarms), "REFUSED": len({p.row for p in problems if p.severity == "error"})})
        return out

    def _place(self, store, alarms: list[video.Alarm], tolerance: float) -> dict:
        """Points in the store's CRS, their parcels, group cells and officers."""
        lon = np.array([a.lon for a in alarms], dtype=float)
        lat = np.array([a.lat for a in alarms], dtype=float)
        x, y = project(lon, lat, store.srs_id) if len(alarms) else (lon, lat)
        points = shapely.points(x, y) if len(alarms) else np.zeros(0, dtype=object)
        boxes = np.column_stack([x - tolerance, y - tolerance, x + tolerance, y + tolerance])
        codes, wkb = coded_near(store, boxes) if len(alarms) else (np.zeros(0, object), np.zeros(0, object))
        index, dist = video.match_parcels(points, wkb, codes, tolerance)
        parcels = shapely.from_wkb(wkb) if len(wkb) else np.zeros(0, dtype=object)
        geoms = [parcels[i] if i >= 0 else shapely.buffer(p, video.UNMATCHED_RADIUS_M)
                 for p, i in zip(points, index.tolist())]
        grid = active_cells(store)
        groups = grid["level"] == 5 if len(grid["level"]) else np.zeros(0, dtype=bool)
        cells = (assign_cells(points, shapely.to_wkb(grid["geom"][groups]), grid["code"][groups])
                 if groups.any() else np.full(len(alarms), "", dtype=object))
        return {"points": points, "codes": codes, "index": index, "dist": dist, "geoms": geoms, "cells": cells,
                "has_grid": bool(groups.any())}

    def _store(self, parameters, context, feedback, store, path: Path, alarms, distance: float,
               tolerance: float, judge: dict | None = None) -> dict:
        placed = self._place(store, alarms, tolerance)
        if not placed["has_grid"]:
            feedback.pushWarning(tr("The store has no patrol grid: cases get no grid cell or officer. Run “Build "
                                    "the patrol grid” first."))
        officers = officers_for(store)
        rows = []
        for k, a in enumerate(alarms):
            i = int(placed["index"][k])
            parcel = [str(placed["codes"][i])] if i >= 0 else []
            grid_code = str(placed["cells"][k] or "")
            officer, phone = officers.get(grid_code, (None, None))
            rows.append({
                "case_key": a.key, "case_id": a.case_id, "kind": a.kind, "category": video.CATEGORY, "reasons": [],
                "source": video.SOURCE, "external_id": f"{a.camera_id}@{a.time_utc}",
                "area_m2": round(float(shapely.area(placed["geoms"][k])), 2),
                "docs": a.snapshot if a.snapshot_is_url else "", "grid_code": grid_code, "officer": officer,
                "phone": phone, "parcel_codes": parcel, "geom": placed["geoms"][k]})
        if rows:
            repeats = case_store.repeat_counts(store, [r["case_key"] for r in rows], [r["parcel_codes"] for r in rows])
            if judge is None:
                rank = priority_order(np.zeros(len(rows)), [r["area_m2"] for r in rows], repeats)
                for r, p in zip(rows, rank.tolist()):
                    r["priority"] = int(p)
            else:
                self._prejudge(store, rows, repeats, judge)
        rules = {"distance_m": distance, "tolerance_m": tolerance, "categories": video.CATEGORY_KINDS}
        inputs = {self.INPUT: str(path)}
        if judge is not None:
            inputs.update({name: str(parameters.get(name) or "") for name in self.REFERENCE_PARAMETERS},
                          TODAY=judge["today"])
        new, known = case_store.save_cases(store, rows, case_store.new_run_id(), video.RULES_VERSION, rules,
                                           inputs, {"alarms": len(rows)})
        states = case_store.states_by_key(store)
        evidence = self._evidence(feedback, store, path, alarms, states)
        unmatched = int((placed["index"] < 0).sum())
        if unmatched:
            feedback.pushWarning(tr("{n} alarms are more than {tolerance:g} m from every coded parcel: their cases "
                                    "are a {radius:g} m circle around the point.").format(
                n=unmatched, tolerance=tolerance, radius=video.UNMATCHED_RADIUS_M))
        feedback.pushInfo(tr("{new} new cases waiting to be issued (待下发); {known} were already stored and keep "
                             "their state and history.").format(new=len(new), known=len(known)))
        out = {"NEW_CASES": len(new), "KNOWN_CASES": len(known), "EVIDENCE": evidence, "UNMATCHED": unmatched}
        if parameters.get(self.OUTPUT) not in (None, ""):
            out.update(self._write_alarms(parameters, context, store, alarms, rows, placed, states, set(new)))
        if parameters.get(self.CAMERAS) not in (None, ""):
            out.update(self._write_cameras(parameters, context, store, alarms))
        return out

    @staticmethod
    def _prejudge(store, rows: list[dict], repeats, judge: dict) -> None:
        """The alarms' cases judged like change polygons (:func:`..core.cases.leads.judge_leads`), in place: the
        matched parcel's 永农 area unless the 永农 layer is given (then measured), category, reasons, areas,
        document numbers and priority."""
        basic = basic_of_codes(store, [c for r in rows for c in r["parcel_codes"]])
        found = judge_leads([r["geom"] for r in rows], [r["kind"] for r in rows],
                            [sum(basic.get(c, 0.0) for c in r["parcel_codes"]) for r in rows], judge["refs"],
                            judge["today"], repeats)
        for r, j in zip(rows, found):
            r.update(category=j.category, reasons=j.reasons, basic_m2=j.basic_m2, approved_m2=j.approved_m2,
                     facility_m2=j.facility_m2, temporary_m2=j.temporary_m2, boundary_m2=j.boundary_m2,
                     docs="；".join(d for d in (r["docs"], j.docs) if d), priority=j.priority)

    def _evidence(self, feedback, store, path: Path, alarms, states: dict) -> int:
        """Local snapshots of the cases still pending, as their evidence (a file stored before is not added again);
        a missing or refused file is a warning, the case stays."""
        added = 0
        for a in alarms:
            if not a.snapshot or a.snapshot_is_url or states.get(a.key) != case_store.FIRST_STATE:
                continue
            file = Path(video.snapshot_path(a.snapshot))
            file = file if video.is_absolute(str(file)) else path.parent / file
            try:
                rows = add_evidence(store, a.case_id, [file], actor="video", kind="photo")
            except EvidenceError as err:
                feedback.pushWarning(tr("Row {row}: the snapshot {file} is not stored as evidence: {reason}").format(
                    row=a.row, file=a.snapshot, reason=evidence_message(err)))
                continue
            added += sum(1 for r in rows if r.get("new"))
        return added

    def _write_alarms(self, parameters, context, store, alarms, rows, placed, states, new: set) -> dict:
        fields = alarm_fields()
        crs = QgsCoordinateReferenceSystem(f"EPSG:{store.srs_id}")
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, Qgis.WkbType.Point, crs)
        if sink is None:
            return {}
        kinds = change_kind_labels()
        features = []
        for k, (a, r) in enumerate(zip(alarms, rows)):
            f = QgsFeature(fields)
            dist = float(placed["dist"][k])
            f.setAttributes([
                a.case_id, a.camera_id, video.beijing_text(a.time), a.category, a.kind, kinds.get(a.kind, a.kind),
                a.lon, a.lat, int(a.placed_from_bearing), "，".join(r["parcel_codes"]),
                None if math.isnan(dist) else round(dist, 1), r["grid_code"], r["officer"], r["phone"],
                a.snapshot[:254], states.get(a.key, ""), int(a.case_id in new)])
            p = placed["points"][k]
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(shapely.get_x(p), shapely.get_y(p))))
            features.append(f)
        sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert)
        return {self.OUTPUT: dest}

    def _write_cameras(self, parameters, context, store, alarms) -> dict:
        radius = self.parameterAsDouble(parameters, self.VIEW_RADIUS, context)
        angle = self.parameterAsDouble(parameters, self.VIEW_ANGLE, context)
        fields = camera_fields()
        crs = QgsCoordinateReferenceSystem(f"EPSG:{store.srs_id}")
        sink, dest = self.parameterAsSink(parameters, self.CAMERAS, context, fields, Qgis.WkbType.Point, crs)
        if sink is None:
            return {}
        cams = video.cameras(alarms)
        if not cams:
            return {self.CAMERAS: dest}
        x, y = project(np.array([c.lon for c in cams]), np.array([c.lat for c in cams]), store.srs_id)
        sectors = [video.view_sector(xi, yi, c.bearing, radius, angle) for xi, yi, c in zip(x, y, cams)]
        codes, wkb = coded_near(store, shapely.bounds(np.array(sectors, dtype=object)))
        watched = video.watched_codes(sectors, wkb, codes)
        features = []
        for c, xi, yi, seen in zip(cams, x.tolist(), y.tolist(), watched):
            f = QgsFeature(fields)
            f.setAttributes([c.camera_id, round(c.bearing, 1), radius, angle, c.alarms, len(seen),
                             "，".join(seen)[:254]])
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(xi, yi)))
            features.append(f)
        sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert)
        return {self.CAMERAS: dest}
