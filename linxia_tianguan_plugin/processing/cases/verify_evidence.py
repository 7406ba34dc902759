"""核查举证材料 — check that every stored evidence file is still there and unchanged.

Why: evidence photos and documents are the proof behind 已举证 and 结案; the store keeps each file's SHA-256 when it
is added. A file deleted, moved or retouched later (on a shared folder, by a backup tool, by hand) must show up
before the case is argued over. The run lists every missing or changed file and, by default, fails (qgis_process
exits non-zero) when there is any, so that a scheduled check is noticed.
"""
from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ... import workbook
from ...i18n import tr
from ..base import AlgorithmBase

#: the report's columns: (key of a verify() problem, header)
COLUMNS = ("evidence_id", "case_id", "rel_path", "problem", "expected", "actual")


class VerifyEvidenceAlgorithm(AlgorithmBase):
    STORE, CASE, STRICT, OUTPUT = "STORE", "CASE", "STRICT", "OUTPUT"

    def name(self) -> str:
        return "verify_evidence"

    def displayName(self) -> str:
        return tr("Verify the evidence files")

    def shortHelpString(self) -> str:
        return tr(
            "<p>Checks every evidence file of the tianguan store (or of one case) against the SHA-256 recorded "
            "when it was added: a file that is gone is listed as missing, one whose content differs as changed. "
            "The list can be written to a CSV file. With “Fail when a file is missing or changed” (the default) "
            "the run ends with an error when there is any, so that a scheduled check (qgis_process) is "
            "noticed.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter()
        self.addParameter(QgsProcessingParameterString(self.CASE, tr("Only this case (case id)"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.STRICT, tr("Fail when a file is missing or changed"), True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("Problem list (CSV)"), tr("CSV files (*.csv)"), optional=True, createByDefault=False))
        for key, label in (("CHECKED", tr("Files checked")), ("MISSING", tr("Files missing")),
                           ("CHANGED", tr("Files changed"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    def processAlgorithm(self, parameters, context, feedback):
        from ...storage.evidence import count_evidence, verify

        case = (self.parameterAsString(parameters, self.CASE, context) or "").strip() or None
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
            checked = count_evidence(store, case)
            problems = verify(store, case)
        missing = sum(p["problem"] == "missing" for p in problems)
        changed = len(problems) - missing
        for p in problems:
            text = tr("Evidence file {path} of case {case} is missing.") if p["problem"] == "missing" else tr(
                "Evidence file {path} of case {case} has changed since it was stored (SHA-256 differs).")
            feedback.reportError(text.format(path=p["rel_path"], case=p["case_id"]), fatalError=False)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        if output:
            workbook.write_csv(output, COLUMNS, [[p.get(c) or "" for c in COLUMNS] for p in problems])
        feedback.pushInfo(tr("{checked} evidence files checked: {missing} missing, {changed} changed.").format(
            checked=checked, missing=missing, changed=changed))
        if problems and self.parameterAsBool(parameters, self.STRICT, context):
            where = tr("listed above and in {path}").format(path=output) if output else tr("listed above")
            raise QgsProcessingException(tr(
                "{n} evidence files are missing or changed ({where}): restore them from a backup, or record why on "
                "their cases.").format(n=len(problems), where=where))
        return {self.OUTPUT: output or None, "CHECKED": checked, "MISSING": missing, "CHANGED": changed}
