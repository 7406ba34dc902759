"""导出巡田任务 — export patrol tasks with their status (Processing algorithm ``linxia_tianguan:export_tasks``).

The desk sends the list to townships as reminders and attaches it to the periodic 通报: an XLSX
(OGR's XLSX driver; a second sheet sums up overdue tasks per township) or a UTF-8 CSV with BOM so
that Excel on a Chinese Windows opens it correctly. Headers are Chinese. The file is written under a
temporary name and renamed into place, so a reader never sees half a file.
"""
from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFileDestination,
)

from ... import workbook
from ...core.patrol import tasks as rules
from ...i18n import tr
from ...storage import tasks as task_store
from ..base import AlgorithmBase
from .dispatch_tasks import (
    add_as_of_parameter,
    add_task_parameters,
    evaluate,
    open_store,
    report_overdue,
    task_values,
    task_window,
)

#: Chinese headers, in the order of :func:`.dispatch_tasks.task_values`
HEADERS = ["任务编号", "网格编码", "网格名称", "网格级别", "级别", "乡镇编码", "周期开始", "周期结束",
           "截止时间", "截止时间(UTC)", "田管员", "联系电话", "状态", "巡田时间"]
SUMMARY_HEADERS = ["乡镇编码", "乡镇名称", "过期任务数", "网格", "田管员"]


def write_xlsx(path: str, rows: list[list], summary: list[list]) -> None:
    """Sheet 巡田任务 and sheet 过期汇总 (:func:`..workbook.write`: through OGR, renamed into place when complete)."""
    try:
        workbook.write(path, [workbook.Sheet("巡田任务", HEADERS, rows, {"网格级别": workbook.INTEGER}),
                              workbook.Sheet("过期汇总", SUMMARY_HEADERS, summary, {"过期任务数": workbook.INTEGER})])
    except workbook.WorkbookError as err:
        raise QgsProcessingException(str(err)) from err


class ExportTasksAlgorithm(AlgorithmBase):
    STORE, PREFIX, START, END, OVERDUE_ONLY, AS_OF, OUTPUT = (
        "STORE", "PREFIX", "START", "END", "OVERDUE_ONLY", "AS_OF", "OUTPUT")

    def name(self) -> str:
        return "export_tasks"

    def displayName(self) -> str:
        return tr("Export patrol tasks")

    def shortHelpString(self) -> str:
        return tr(
            "<p>导出巡田任务 — Writes the patrol tasks of a date range (all, or only the overdue ones) with their "
            "status 已完成 / 未完成 / 已过期 to an Excel workbook (.xlsx) or a CSV file (UTF-8 with BOM), with "
            "Chinese column headers, for reminders to townships and the periodic 通报. The workbook has a second "
            "sheet with the overdue tasks per township; the log lists them too.</p>"
            "<p>Restrict to a county, township or village by its code. Dates are Beijing dates; the status is "
            "computed now (or at the time given in the advanced parameters).</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        add_task_parameters(self)
        self.addParameter(QgsProcessingParameterBoolean(self.OVERDUE_ONLY, tr("Only overdue tasks"), False))
        add_as_of_parameter(self)
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("Task list"), tr("Excel workbook (*.xlsx);;CSV UTF-8 (*.csv)")))
        self.addOutput(QgsProcessingOutputNumber("ROWS", tr("Tasks written")))
        self.addOutput(QgsProcessingOutputNumber("OVERDUE", tr("Tasks overdue")))

    def processAlgorithm(self, parameters, context, feedback):
        now, start, end = task_window(self, parameters, context)
        prefix = self.parameter_as_prefix(parameters, context)
        overdue_only = self.parameterAsBool(parameters, self.OVERDUE_ONLY, context)
        path = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        suffix = Path(path).suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            raise QgsProcessingException(tr("Export to a .xlsx or .csv file, not “{path}”.").format(path=path))
        store = open_store(self.parameterAsFile(parameters, self.STORE, context))
        try:
            found = task_store.tasks(store, prefix, start, end)
            index = rules.PatrolIndex(task_store.patrols(store, prefix))
            names = task_store.grid_names(store)
        finally:
            store.close()
        if not found:
            feedback.pushWarning(tr("No patrol task from {start} to {end}: dispatch tasks first.").format(
                start=start, end=end))
        evaluated = evaluate(found, index, now, feedback, (0, 60))
        if evaluated is None:
            feedback.reportError(tr("Cancelled; no file was written."))
            return {}
        rows = [task_values(t, s, p, names) for t, s, p in evaluated if not overdue_only or s == rules.OVERDUE]
        groups = rules.overdue_by_township(found, index, now, names)
        report_overdue(feedback, groups)
        feedback.setProgress(70)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            workbook.write_csv(path, HEADERS, rows)
        else:
            summary = [[g.township, g.name, g.count, "、".join(g.grids), "、".join(g.officers)] for g in groups]
            write_xlsx(path, rows, summary)
        overdue = sum(1 for _, s, _ in evaluated if s == rules.OVERDUE)
        feedback.pushInfo(tr("{rows} tasks written to {path} ({overdue} overdue).").format(
            rows=len(rows), path=path, overdue=overdue))
        feedback.setProgress(100)
        return {self.OUTPUT: path, "ROWS": len(rows), "OVERDUE": overdue}
