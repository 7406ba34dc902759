"""导出巡田任务 — export patrol tasks with their status (Processing algorithm ``linxia_tianguan:export_tasks``).

The desk sends the list to townships as reminders and attaches it to the periodic 通报: an XLSX
(OGR's XLSX driver; a second sheet sums up overdue tasks per township) or a UTF-8 CSV with BOM so
that Excel on a Chinese Windows opens it correctly. Headers are Chinese. The file is written under a
temporary name and renamed into place, so a reader never sees half a file.

预警 (warning): open tasks falling due within DUE_WITHIN_DAYS Beijing calendar days are 即将到期, so the desk can
phone officers before a task is overdue; WHICH chooses all tasks, the overdue ones or 预警 (overdue and due soon),
and the optional WARNINGS table lists the officers with their overdue and due-soon counts.
"""
from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
)

from ... import compat, labels, workbook
from ...core.patrol import tasks as rules
from ...i18n import tr
from ...storage import tasks as task_store
from ..base import AlgorithmBase
from ..fields import OFFICER_WARNING_FIELDS, officer_warning_aliases
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

#: WHICH: every task, the overdue ones, or 预警 — the overdue ones and those due soon
ALL, OVERDUE, WARNING = 0, 1, 2
#: DUE_WITHIN_DAYS when not given: three calendar days. Seven would make every open weekly (社) task "due soon" all
#: week long — a warning that never says anything for the most numerous tasks.
DEFAULT_DUE_WITHIN_DAYS = 3


def selection_labels() -> list[str]:
    return [tr("All tasks"), tr("Only overdue tasks"), tr("预警: overdue tasks and tasks due soon")]


def wanted(status: str, which: int) -> bool:
    """Whether a task of ``status`` (a :func:`..core.patrol.tasks.warning_status`) is exported under ``which``."""
    if which == OVERDUE:
        return status == rules.OVERDUE
    if which == WARNING:
        return status in (rules.OVERDUE, rules.DUE_SOON)
    return True


def warning_headers() -> list[str]:
    """The 预警 list's headers: its aliases (:func:`..fields.officer_warning_aliases`) in Chinese whatever the UI
    language, as the task sheet's — the list is handed to townships."""
    names = officer_warning_aliases(labels.zh_tr)
    return [names[name] for name, _ in OFFICER_WARNING_FIELDS]


def warning_rows(groups: list[rules.OfficerWarning], names: dict[str, str]) -> list[list]:
    """One row per officer, in the order of :data:`..fields.OFFICER_WARNING_FIELDS`; grids joined with 、."""
    return [[g.officer, g.phone, "、".join(g.grids), "、".join(names.get(c, "") for c in g.grids),
             g.overdue, g.due_soon, rules.local_text(g.earliest_due) if g.earliest_due else ""] for g in groups]


def write_warnings(path: str, groups: list[rules.OfficerWarning], names: dict[str, str], days: int) -> None:
    """The 预警 list as XLSX (sheet 预警名单) or CSV (UTF-8 with BOM), atomically."""
    headers, rows = warning_headers(), warning_rows(groups, names)
    if Path(path).suffix.lower() == ".csv":
        workbook.write_csv(path, headers, rows)
        return
    counts = {headers[i]: workbook.INTEGER for i, (_, kind) in enumerate(OFFICER_WARNING_FIELDS) if kind == "Int"}
    empty = tr("No overdue task and none due within {days} days.").format(days=days)
    try:
        workbook.write(path, [workbook.Sheet("预警名单", headers, rows, counts, empty)])
    except workbook.WorkbookError as err:
        raise QgsProcessingException(str(err)) from err


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
    WHICH, DUE_WITHIN_DAYS, WARNINGS = "WHICH", "DUE_WITHIN_DAYS", "WARNINGS"

    def name(self) -> str:
        return "export_tasks"

    def displayName(self) -> str:
        return tr("Export patrol tasks")

    def shortHelpString(self) -> str:
        return tr(
            "<p>导出巡田任务 — Writes the patrol tasks of a date range (all, only the overdue ones, or 预警: the "
            "overdue ones and those due soon) with their status 已完成 / 未完成 / 即将到期 / 已过期 to an Excel "
            "workbook (.xlsx) or a CSV file (UTF-8 with BOM), with Chinese column headers, for reminders to "
            "townships and the periodic 通报. The workbook has a second sheet with the overdue tasks per township; "
            "the log lists them too.</p>"
            "<p>即将到期 (due soon): not done yet and falling due within the given number of days (Beijing calendar "
            "days: 0 is today, 1 today or tomorrow). The optional warning list names each officer with overdue or "
            "due-soon tasks: phone, grids, both counts and the earliest due time, most overdue first.</p>"
            "<p>Restrict to a county, township or village by its code. Dates are Beijing dates; the status is "
            "computed now (or at the time given in the advanced parameters).</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        add_task_parameters(self)
        self.addParameter(QgsProcessingParameterEnum(self.WHICH, tr("Which tasks"), selection_labels(),
                                                     defaultValue=ALL))
        self.addParameter(QgsProcessingParameterNumber(
            self.DUE_WITHIN_DAYS, tr("Due soon: falling due within this many days (Beijing calendar days; 0: today)"),
            compat.ProcessingNumberParameterType.Integer, DEFAULT_DUE_WITHIN_DAYS, optional=True, minValue=0))
        # the older form of WHICH = overdue, kept for scripts and qgis_process calls written before 预警
        overdue_only = QgsProcessingParameterBoolean(self.OVERDUE_ONLY, tr("Only overdue tasks"), False, optional=True)
        overdue_only.setFlags(overdue_only.flags() | compat.ProcessingParameterFlag.Hidden)
        self.addParameter(overdue_only)
        add_as_of_parameter(self)
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("Task list"), tr("Excel workbook (*.xlsx);;CSV UTF-8 (*.csv)")))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.WARNINGS, tr("Warning list per officer (预警)"), tr("Excel workbook (*.xlsx);;CSV UTF-8 (*.csv)"),
            optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("ROWS", tr("Tasks written")))
        self.addOutput(QgsProcessingOutputNumber("OVERDUE", tr("Tasks overdue")))
        self.addOutput(QgsProcessingOutputNumber("DUE_SOON", tr("Tasks due soon")))
        self.addOutput(QgsProcessingOutputNumber("OFFICERS", tr("Officers warned")))

    def selection(self, parameters, context) -> tuple[int, int]:
        """(WHICH, the warning window in days); OVERDUE_ONLY (the older form) turns "all" into "overdue"."""
        which = self.parameterAsEnum(parameters, self.WHICH, context)
        if which == ALL and self.parameterAsBool(parameters, self.OVERDUE_ONLY, context):
            which = OVERDUE
        given = parameters.get(self.DUE_WITHIN_DAYS)
        days = DEFAULT_DUE_WITHIN_DAYS if given is None or given == "" else self.parameterAsInt(
            parameters, self.DUE_WITHIN_DAYS, context)
        if days < 0:
            raise QgsProcessingException(tr("The number of days for “due soon” must be 0 or more, not {days}.").format(
                days=days))
        return which, days

    def warnings_path(self, parameters, context) -> str:
        """The WARNINGS file, or "" when not asked for; .xlsx or .csv only."""
        if not parameters.get(self.WARNINGS):
            return ""
        path = self.parameterAsFileOutput(parameters, self.WARNINGS, context)
        if path and Path(path).suffix.lower() not in (".xlsx", ".csv"):
            raise QgsProcessingException(tr("Export to a .xlsx or .csv file, not “{path}”.").format(path=path))
        return path or ""

    def processAlgorithm(self, parameters, context, feedback):
        now, start, end = task_window(self, parameters, context)
        prefix = self.parameter_as_prefix(parameters, context)
        which, days = self.selection(parameters, context)
        path = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        suffix = Path(path).suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            raise QgsProcessingException(tr("Export to a .xlsx or .csv file, not “{path}”.").format(path=path))
        warnings_path = self.warnings_path(parameters, context)
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
        evaluated = [(t, rules.warning_status(t, s, now, days), p) for t, s, p in evaluated]
        rows = [task_values(t, s, p, names) for t, s, p in evaluated if wanted(s, which)]
        groups = rules.overdue_by_township(found, index, now, names)
        warned = rules.officer_warnings([t for t, _, _ in evaluated], [s for _, s, _ in evaluated])
        report_overdue(feedback, groups)
        feedback.setProgress(70)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            workbook.write_csv(path, HEADERS, rows)
        else:
            summary = [[g.township, g.name, g.count, "、".join(g.grids), "、".join(g.officers)] for g in groups]
            write_xlsx(path, rows, summary)
        overdue = sum(1 for _, s, _ in evaluated if s == rules.OVERDUE)
        soon = sum(1 for _, s, _ in evaluated if s == rules.DUE_SOON)
        feedback.pushInfo(tr("{rows} tasks written to {path} ({overdue} overdue).").format(
            rows=len(rows), path=path, overdue=overdue))
        feedback.pushInfo(tr("{soon} open tasks fall due within {days} days; {officers} officers have overdue or "
                             "due-soon tasks.").format(soon=soon, days=days, officers=len(warned)))
        result = {self.OUTPUT: path, "ROWS": len(rows), "OVERDUE": overdue, "DUE_SOON": soon,
                  "OFFICERS": len(warned)}
        if warnings_path:
            feedback.setProgress(90)
            write_warnings(warnings_path, warned, names, days)
            feedback.pushInfo(tr("Warning list of {officers} officers written to {path}.").format(
                officers=len(warned), path=warnings_path))
            result[self.WARNINGS] = warnings_path
        feedback.setProgress(100)
        return result
