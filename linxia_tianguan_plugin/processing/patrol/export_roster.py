"""导出田管员花名册 — write the current roster to .xlsx or .csv (``linxia_tianguan:export_roster``).

The file has the columns of the import (层级, 网格编码, …), so an exported roster can be corrected in
Excel and imported again as it is.
"""
from __future__ import annotations

import json
from pathlib import Path

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterFileDestination,
)

from ... import workbook
from ...core.patrol.roster import HEADERS, LEVEL_NAMES, counts_by_level, to_rows
from ...i18n import tr
from ...storage.roster import active_officers, active_roster_id
from ..base import ADMIN_CODE_LENGTHS, AlgorithmBase, open_store

SHEET_NAME = "田管员花名册"


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    """One sheet (:func:`..workbook.write`); every column is text, so Excel keeps codes and phones as typed."""
    try:
        workbook.write(path, [workbook.Sheet(SHEET_NAME, HEADERS, rows, {h: workbook.TEXT for h in HEADERS})])
    except workbook.WorkbookError as err:
        raise QgsProcessingException(str(err)) from err


class ExportRosterAlgorithm(AlgorithmBase):
    STORE, PREFIX, OUTPUT = "STORE", "PREFIX", "OUTPUT"

    def name(self) -> str:
        return "export_roster"

    def displayName(self) -> str:
        return tr("Export officer roster")

    def shortHelpString(self) -> str:
        return tr(
            "<p>Writes the current officer roster (田管员花名册) of the tianguan store to an Excel workbook "
            "(.xlsx) or a CSV file (UTF-8 with BOM), with the same columns as the import: 层级, 网格编码, "
            "网格名称, 姓名, 角色, 职务, 电话, 是否空缺. The file can be corrected and imported again.</p>"
            "<p>With a county or township code, only the grids within it are written. The counts of "
            "officers, assistants and vacant posts per level are reported and given as the COUNTS output "
            "(JSON). Prefer .xlsx when the roster is edited in Excel: Excel turns long codes in a CSV into "
            "numbers.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter()
        self.add_prefix_parameter(tr("County or township code (empty: all)"), ADMIN_CODE_LENGTHS[:4])
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("Roster file"), fileFilter=tr("Excel workbook (*.xlsx);;CSV UTF-8 (*.csv)"),
            defaultValue=None))
        self.addOutput(QgsProcessingOutputNumber("EXPORTED", tr("Officers exported")))
        self.addOutput(QgsProcessingOutputString("COUNTS", tr("Counts per level (JSON)")))

    def processAlgorithm(self, parameters, context, feedback):
        store_path = self.parameterAsFile(parameters, self.STORE, context)
        prefix = self.parameter_as_prefix(parameters, context)
        dest = Path(self.parameterAsFileOutput(parameters, self.OUTPUT, context))
        suffix = dest.suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            raise QgsProcessingException(tr("The roster file must end in .xlsx or .csv, not “{suffix}”.").format(
                suffix=dest.suffix))
        if not store_path or not Path(store_path).is_file():
            raise QgsProcessingException(tr("The tianguan store {path} does not exist.").format(path=store_path))
        if dest.resolve() == Path(store_path).resolve():
            raise QgsProcessingException(tr("The roster file cannot be the tianguan store itself."))
        store = open_store(store_path)
        try:
            roster_id = active_roster_id(store)
            officers = active_officers(store, prefix)
        finally:
            store.close()
        if roster_id is None:
            raise QgsProcessingException(tr("The tianguan store has no roster yet; import one first."))
        if not officers:
            feedback.pushWarning(tr("Roster {id} has no grid within {prefix}; the file has the header only.").format(
                id=roster_id, prefix=prefix))
        feedback.setProgress(30)
        if feedback.isCanceled():
            return {}

        dest.parent.mkdir(parents=True, exist_ok=True)
        # both writers are atomic (a temporary file renamed into place): a failure leaves no file under its name
        (write_xlsx(dest, to_rows(officers)) if suffix == ".xlsx" else
         workbook.write_csv(dest, HEADERS, to_rows(officers)))
        feedback.setProgress(90)

        counts = counts_by_level(officers, prefix)
        for level, c in counts.items():
            if c["grids"]:
                feedback.pushInfo(tr("{level}: {grids} grids, {officers} officers, {assistants} assistants, "
                                     "{vacancies} vacant posts").format(level=LEVEL_NAMES[level], **c))
        feedback.pushInfo(tr("{n} rows of roster {id} written to {path}.").format(
            n=len(officers), id=roster_id, path=dest))
        feedback.setProgress(100)
        summary = {"roster_id": roster_id, "prefix": prefix, "levels": {str(k): v for k, v in counts.items()}}
        return {self.OUTPUT: str(dest), "EXPORTED": len(officers),
                "COUNTS": json.dumps(summary, ensure_ascii=False, sort_keys=True)}
