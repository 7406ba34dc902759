"""导入整改成果 — read a returned 执法整改包 back into the 田管库 (``linxia_tianguan:enforcement_package_import``).

Why it moves cases by itself: the rectification result recorded on the phone, with its photos, *is* the
enforcement officer's 开始执行 / 报告整改; typing it again at the desk loses the photos' place and time and lets
the two disagree. What the workflow demands stays demanded — a finished rectification needs a photo, only the
enforcement role moves the case, a case someone else moved since the export is not overwritten — so the import
judges every row before writing anything (rules: :mod:`..core.cases.enforcement`; writes:
:mod:`..storage.enforcement`).

Per case, in the order the rows were added: the rows' photos become its evidence (content-addressed, EXIF read
with QGIS's exiv2), then its moves are written together with the version read at export — 整改中 / 拒不整改 start
the enforcement of an approved case (the comment carries the result and note), a done result (已拆除复耕 /
已整改到位 / 其他) starts it if need be and reports the rectification (``整改结果：…``). Conflicts (unknown, closed,
moved or not exported cases, missing or refused photos, a done result without photo, no result) are listed in
the log and the optional table, with Chinese names; nothing of their case is written. Importing the same package
again adds nothing. The folder or zip is found and unpacked as the field package's (same safeguards: zip slip,
links, bombs), by the field package import's own functions.
"""
from __future__ import annotations

import functools
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
)

from ... import compat
from ...core.cases import enforcement as rules
from ...core.cases import workflow
from ...core.patrol import field_package as fp
from ...i18n import tr
from ...labels import enforcement_conflict_labels, rectification_result_labels
from ...storage import enforcement as enforcement_store
from ...storage import field_package as package_store
from ...storage.evidence import EvidenceError, add_evidence
from ..base import AlgorithmBase
from ..fields import KeepsAliases, schema
from ..patrol.field_package_import import feature_text, opened_package, read_package_manifest
from ..patrol.track_files import open_ogr
from . import exif_reader

exif_reader.install()
def read_rows(path: Path) -> list[rules.RectificationRow]:
    """Rows of the package's rectification layer; [] when it has none (not an enforcement package)."""
    ds = open_ogr(str(path), ["GPKG"])
    layer = ds.GetLayerByName(rules.RECTIFICATION)
    rows = []
    if layer is not None:
        for feature in layer:
            text = functools.partial(feature_text, feature)
            photos = tuple(p for name in rules.PHOTO_FIELDS if (p := text(name)))
            rows.append(rules.RectificationRow(
                feature.GetFID(), text("uuid"), text("case_id"), text("result"), photos, text("note") or "",
                text("officer"), text("recorded_at")))
    ds = None
    return rows


def check_photos(folder: Path, rows: list[rules.RectificationRow], zip_refused: dict[str, str] | None
                 ) -> tuple[dict, dict, dict]:
    """(paths, SHA-256 — None when missing —, refusal reason) per row, each photo checked as the field package's
    (:func:`..core.patrol.field_package.photo_file`: links, paths leaving the package, not JPEG/PNG/PDF; zip
    members refused on extraction)."""
    paths: dict[int, list[str]] = {}
    hashes: dict[int, list[str | None]] = {}
    refused: dict[int, str] = {}
    for row in rows:
        paths[row.fid], hashes[row.fid] = [], []
        for photo in row.photos:
            path, why = fp.photo_file(str(folder), photo)
            member = fp.zip_member_path(photo or "")
            if not why and zip_refused and member in zip_refused:
                why = zip_refused[member]
            if why:
                refused[row.fid] = f"{photo}：{why}"
                break
            paths[row.fid].append(path)
            hashes[row.fid].append(package_store.file_sha256(path) if path else None)
    return paths, hashes, refused


class EnforcementPackageImportAlgorithm(KeepsAliases, AlgorithmBase):
    STORE, FOLDER, OUTPUT = "STORE", "FOLDER", "OUTPUT"

    def name(self) -> str:
        return "enforcement_package_import"

    def displayName(self) -> str:
        return tr("Import rectification results")

    def shortHelpString(self) -> str:
        return tr(
            "<p>导入整改成果 · Reads an enforcement package returned from QField (the folder written by “Export "
            "enforcement package”, or its zip) back into the tianguan store it came from.</p>"
            "<p>Each rectification row's photos are added as evidence of its case; then the case moves, by the "
            "enforcement role: rectification under way or refused starts the enforcement of an approved case "
            "(the result and note as comment); demolished and restored, rectified or other starts it if needed "
            "and reports the rectification (“整改结果：…”), which needs at least one photo.</p>"
            "<p>Only cases still as they were exported (same version) move. Rows of cases that moved on, are "
            "closed or unknown, rows without result, a finished rectification without photo and photos missing "
            "or refused are conflicts (table and log) and nothing of their case is written. Importing the same "
            "package again adds nothing.</p>")

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter()
        self.addParameter(QgsProcessingParameterFile(self.FOLDER, tr("Returned enforcement package folder"),
                                                     behavior=compat.ProcessingFileParameterBehavior.Folder))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Conflicts"),
                                                            compat.ProcessingSourceType.Vector, optional=True,
                                                            createByDefault=False))
        for key, label in (("ROWS", tr("Rectification rows read")), ("CASES", tr("Cases moved")),
                           ("PHOTOS", tr("Evidence files added")), ("CONFLICTS", tr("Conflicts"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    @staticmethod
    def conflict_fields() -> QgsFields:
        return schema("enforcement_conflicts", [(name, "Int" if name == "row" else "String")
                                                for name in ("layer", "row", "case_id", "conflict", "reason",
                                                             "detail")])

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):
        chosen = Path(self.parameterAsFile(parameters, self.FOLDER, context) or "")
        with opened_package(chosen, feedback) as (folder, note, zip_refused, _origin):
            return self._import(parameters, context, feedback, folder, note, zip_refused)

    def _import(self, parameters, context, feedback, folder: Path, note: str,
                zip_refused: dict[str, str] | None = None) -> dict:
        if note:
            feedback.pushInfo(note)
        manifest = read_package_manifest(folder)
        if not rules.is_enforcement(manifest):
            raise QgsProcessingException(tr("{folder} is a field package of the group officers, not an enforcement "
                                            "package: import it with “Import field results”.").format(folder=folder))
        counts = {"ROWS": 0, "CASES": 0, "PHOTOS": 0, "CONFLICTS": 0}
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
            if package_store.store_id(store, create=False) != manifest["store_id"]:
                raise QgsProcessingException(tr("This package was exported from another tianguan store ({path}); "
                                                "import it into that store.").format(
                    path=manifest.get("store_path") or manifest["store_id"]))
            rows = read_rows(folder / fp.GPKG_NAME)
            counts["ROWS"] = len(rows)
            plans, conflicts, before = self._plan(store, folder, rows, manifest, zip_refused)
            if before:
                feedback.pushInfo(tr("{n} rows were imported before; skipped.").format(n=len(before)))
            for n, plan in enumerate(plans):
                if feedback.isCanceled():
                    break
                feedback.setProgress(100.0 * n / max(len(plans), 1))
                conflicts += self._write_case(store, plan, counts, feedback)
        counts["CONFLICTS"] = len(conflicts)
        names = enforcement_conflict_labels()
        for c in conflicts:
            feedback.pushWarning(tr("Conflict in {layer} row {fid} (case {case}): {reason}; nothing was "
                                    "written.").format(layer=c.layer, fid=c.fid, case=c.case_id or "—",
                                                       reason=names.get(c.code, c.code)))
        result = dict(counts)
        if parameters.get(self.OUTPUT) is not None:
            dest = self._write_conflicts(parameters, context, conflicts)
            if dest is not None:
                result[self.OUTPUT] = dest
        feedback.setProgress(100)
        feedback.pushInfo(tr("{rows} rectification rows: {cases} cases moved, {photos} evidence files added, "
                             "{conflicts} conflicts.").format(rows=counts["ROWS"], cases=counts["CASES"],
                                                              photos=counts["PHOTOS"], conflicts=counts["CONFLICTS"]))
        return result

    @staticmethod
    def _plan(store, folder: Path, rows: list, manifest: dict, zip_refused) -> tuple[list, list, list]:
        """The rows checked (photos) and planned per case against the store (states, evidence, this package's
        earlier events)."""
        paths, hashes, refused = check_photos(folder, rows, zip_refused)
        case_ids = {r.case_id for r in rows if r.case_id}
        tagged, own = enforcement_store.package_events(store, case_ids, manifest["package_id"])
        return rules.plan_cases(rows, manifest, package_store.case_states(store, case_ids), paths, hashes, refused,
                                enforcement_store.evidence_hashes(store, case_ids), tagged, own,
                                rectification_result_labels())

    @staticmethod
    def _write_case(store, plan: rules.CasePlan, counts: dict, feedback) -> list[fp.Conflict]:
        """One case: its moves checked by the workflow, its photos stored, its moves written together; conflicts
        (for every row of the case) when any of it is refused."""
        def refused(code: str, detail: str) -> list[fp.Conflict]:
            return [fp.Conflict(rules.RECTIFICATION, s.row.fid, plan.case_id, code, detail) for s in plan.steps]

        state = package_store.case_states(store, [plan.case_id])[plan.case_id][0]
        try:
            rules.check_plan(plan, state)
        except workflow.WorkflowError as err:
            return refused(err.code if err.code in rules.CONFLICTS else fp.NOT_ACCEPTING, str(err))
        attachments: list[list[str]] = []
        try:
            for step in plan.steps:
                added = add_evidence(store, plan.case_id, step.photos, step.actor, "photo",
                                     reader=exif_reader.qgis_exif_tags) if step.photos else []
                attachments.append([r["rel_path"] for r in added])
                counts["PHOTOS"] += sum(1 for r in added if r["new"])
        except EvidenceError as err:  # a photo changed since it was checked
            return refused(fp.REFUSED_PHOTO, str(err))
        moves = [(m.action, s.actor, m.comment, files) for s, files in zip(plan.steps, attachments) for m in s.moves]
        if not moves:
            return []
        try:
            done = enforcement_store.move_case(store, plan.case_id, plan.version, moves)
        except workflow.ConflictError as err:
            return refused(fp.MOVED, str(err))
        except workflow.WorkflowError as err:
            return refused(err.code if err.code in rules.CONFLICTS else fp.NOT_ACCEPTING, str(err))
        counts["CASES"] += 1
        feedback.pushInfo(tr("Case {case}: now {state}.").format(
            case=plan.case_id, state=workflow.STATE_NAMES.get(done["state"], done["state"])))
        return []

    def _write_conflicts(self, parameters, context, conflicts: list[fp.Conflict]) -> str | None:
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, self.conflict_fields(),
                                          Qgis.WkbType.NoGeometry)
        if sink is None:
            return None
        names = enforcement_conflict_labels()
        for c in conflicts:
            feature = QgsFeature(self.conflict_fields())
            feature.setAttributes([c.layer, int(c.fid), c.case_id, c.code, names.get(c.code, c.code), c.detail])
            sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        self.keep_aliases(dest, "enforcement_conflicts")
        return dest
