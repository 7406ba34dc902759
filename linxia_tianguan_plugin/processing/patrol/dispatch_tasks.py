"""下发巡田任务 — dispatch patrol tasks for a date range (Processing algorithm ``linxia_tianguan:dispatch_tasks``).

One task per grid and calendar period of its level's frequency (社 weekly, 村 monthly, 乡 quarterly,
县 and 州 half-yearly by default). Task ids are deterministic, so dispatching the same range again
creates nothing; the status of each task (已完成 / 未完成 / 已过期) is derived from the recorded
patrols at the time of the run.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid

from qgis.core import (
    Qgis,
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterString,
)

from ... import compat, settings
from ...core import clock
from ...core.patrol import tasks as rules
from ...i18n import tr
from ...storage import GpkgStore
from ...storage import tasks as task_store
from ..base import AlgorithmBase
from ..base import open_store as base_open_store
from ..fields import KeepsAliases, schema

LEVELS = (1, 2, 3, 4, 5)


def level_labels() -> list[str]:
    return [tr("Prefecture (州)"), tr("County (县)"), tr("Township (乡)"), tr("Village (村)"), tr("Group (社)")]


def open_store(path: str) -> GpkgStore:
    """The existing 田管库 at ``path`` (tasks need its grid or roster, so it is never created here)."""
    if not path:
        raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
    return base_open_store(path)


def now_utc() -> dt.datetime:
    return clock.now_utc().replace(microsecond=0)


def add_task_parameters(algorithm: AlgorithmBase) -> None:
    """STORE, the period (START, END), PREFIX and the advanced AS_OF of dispatching and exporting tasks."""
    algorithm.add_store_parameter()
    algorithm.add_period_parameters(
        "START", tr("First day (YYYY-MM-DD; empty: the first day of this month)"),
        "END", tr("Last day (YYYY-MM-DD; empty: the last day of the start's month)"))
    algorithm.add_prefix_parameter(tr("Only grids under this county, township or village code"))


def add_as_of_parameter(algorithm: AlgorithmBase) -> None:
    algorithm.add_date_parameter("AS_OF", tr("Status as of (empty: now)"), advanced=True, with_time=True)


def task_window(algorithm: AlgorithmBase, parameters, context) -> tuple[dt.datetime, dt.date, dt.date]:
    """(the instant statuses are computed for, first day, last day): AS_OF or now; an empty first day is this
    month's first day (Beijing), an empty last day the last day of the first day's month."""
    now = algorithm.parameter_as_instant(parameters, "AS_OF", context) or now_utc()
    start, end = algorithm.parameter_as_period(parameters, "START", "END", context)
    if start is None:
        start = rules.period_start("month", (end or now.astimezone(rules.SHANGHAI).date()))
    if end is None:
        end = rules.period_of("month", start)[1]
    return now, start, end


def frequency_rules(text: str) -> rules.FrequencyRules:
    """The FREQUENCIES parameter (JSON, as the settings dialog writes it), else the plan's defaults. A parameter,
    not a settings read: the dialog is pre-filled with the desk's settings, and a qgis_process call gives the same
    tasks on every machine."""
    try:
        return rules.FrequencyRules.from_json(text or "")
    except (ValueError, TypeError) as err:
        raise QgsProcessingException(tr("The patrol frequencies {text} cannot be used ({error}): give JSON such as "
                                        "{example}, or leave it empty for the plan's.").format(
            text=text, error=err, example=rules.FrequencyRules().to_json())) from err


KIND_LABELS_ZH = {"week": "每周", "month": "每月", "quarter": "每季度", "half_year": "每半年", "year": "每年"}


def task_fields() -> QgsFields:
    return schema("tasks", [
        ("task_id", "String"), ("grid_code", "String"), ("grid_name", "String"),
        ("level", "Int"), ("level_name", "String"), ("township", "String"),
        ("period_start", "String"), ("period_end", "String"), ("due_local", "String"),
        ("due_at", "String"), ("officer", "String"), ("phone", "String"),
        ("status", "String"), ("patrolled_at", "String")])


def task_values(task: rules.Task, status: str, patrolled: str | None, names: dict[str, str]) -> list:
    """One output row: grid, level, period, due (Shanghai and UTC), officer, status in Chinese."""
    return [task.task_id, task.grid_code, names.get(task.grid_code, ""), int(task.level),
            rules.LEVEL_NAMES_ZH.get(int(task.level), ""), task.township, task.period_start, task.period_end,
            rules.local_text(task.due_at), task.due_at, task.officer or "", task.phone or "",
            rules.STATUS_ZH[status], rules.local_text(patrolled) if patrolled else ""]


def evaluate(found: list[rules.Task], index: rules.PatrolIndex, now: dt.datetime, feedback,
             progress: tuple[float, float]) -> list[tuple[rules.Task, str, str | None]] | None:
    """(task, status, start of the patrol that did it) for each task; None when cancelled."""
    out = []
    lo, hi = progress
    for i, task in enumerate(found):
        if i % 2000 == 0:
            if feedback.isCanceled():
                return None
            feedback.setProgress(lo + (hi - lo) * i / max(len(found), 1))
        patrolled = index.first_in(task.grid_code, rules.as_date(task.period_start), rules.as_date(task.period_end))
        out.append((task, rules.task_status(task, index, now), patrolled))
    return out


def report_overdue(feedback, groups: list[rules.TownshipOverdue], limit: int = 50) -> None:
    """The overdue list per township, for reminders and the periodic 通报."""
    if not groups:
        feedback.pushInfo(tr("No overdue patrol tasks."))
        return
    feedback.pushInfo(tr("Overdue patrol tasks by township:"))
    for group in groups[:limit]:
        feedback.pushInfo(tr("{township} {name}: {count} overdue tasks, grids {grids}").format(
            township=group.township, name=group.name, count=group.count, grids=", ".join(group.grids[:20])
            + (" …" if len(group.grids) > 20 else "")))
    if len(groups) > limit:
        feedback.pushInfo(tr("… and {count} more townships.").format(count=len(groups) - limit))


class DispatchTasksAlgorithm(KeepsAliases, AlgorithmBase):
    STORE, START, END, LEVELS, PREFIX, AS_OF, OUTPUT = "STORE", "START", "END", "LEVELS", "PREFIX", "AS_OF", "OUTPUT"
    FREQUENCIES = "FREQUENCIES"

    def name(self) -> str:
        return "dispatch_tasks"

    def displayName(self) -> str:
        return tr("Dispatch patrol tasks")

    def shortHelpString(self) -> str:
        return tr(
            "<p>下发巡田任务 — Creates the patrol tasks of a date range in the tianguan store: one task per grid "
            "and calendar period of its level's frequency — 社 (group) weekly (Monday to Sunday), 村 (village) "
            "monthly, 乡 (township) quarterly, 县 (county) and 州 (prefecture) every half year — due at 23:59:59 "
            "Beijing time on the period's last day.</p>"
            "<p>The grids are the active patrol grid's cells (else the grids of the active officer roster), and "
            "each task names the grid's officer from the active roster. Dispatching the same range again creates "
            "nothing new.</p>"
            "<p>The output table lists the range's tasks with their status: 已完成 (done: a valid patrol started "
            "within the period), 未完成 (open: not done yet, not yet due) or 已过期 (overdue).</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        add_task_parameters(self)
        self.addParameter(QgsProcessingParameterEnum(
            self.LEVELS, tr("Grid levels"), level_labels(), allowMultiple=True, defaultValue=[0, 1, 2, 3, 4]))
        add_as_of_parameter(self)
        frequencies = QgsProcessingParameterString(
            self.FREQUENCIES, tr("Patrol frequencies per grid level (JSON; empty: the plan's)"), optional=True)
        frequencies.setGuiDefaultValueOverride(settings.TASK_FREQUENCIES.get())  # the dialog only
        frequencies.setFlags(frequencies.flags() | compat.ProcessingParameterFlag.Advanced)
        self.addParameter(frequencies)
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Patrol tasks"), compat.ProcessingSourceType.Vector, optional=True, createByDefault=True))
        for key, label in (("CREATED", tr("Tasks created")), ("EXISTING", tr("Tasks already dispatched")),
                           ("DONE", tr("Tasks done")), ("OPEN", tr("Tasks open")),
                           ("OVERDUE", tr("Tasks overdue"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))
        self.addOutput(QgsProcessingOutputString("RUN_ID", tr("Dispatch run")))

    def processAlgorithm(self, parameters, context, feedback):
        now, start, end = task_window(self, parameters, context)
        chosen = self.parameterAsEnums(parameters, self.LEVELS, context)
        levels = sorted({LEVELS[i] for i in chosen}) if chosen else list(LEVELS)
        prefix = self.parameter_as_prefix(parameters, context)
        frequency = frequency_rules(self.parameterAsString(parameters, self.FREQUENCIES, context))
        store = open_store(self.parameterAsFile(parameters, self.STORE, context))
        try:
            try:
                grids = task_store.grids_for_dispatch(store, prefix, levels)
            except task_store.NoGridError as err:
                raise QgsProcessingException(tr(
                    "The tianguan store has no active patrol grid and no active officer roster. Build the patrol "
                    "grid or import an officer roster first.")) from err
            if not grids:
                feedback.pushWarning(tr("No grid of the chosen levels under “{prefix}”: no task to dispatch.").format(
                    prefix=prefix or tr("(all)")))
            officers = task_store.officers_for(store)
            feedback.pushInfo(tr("Tasks from {start} to {end} for {grids} grids; frequencies: {rules}").format(
                start=start, end=end, grids=len(grids), rules=json.dumps(
                    {rules.LEVEL_NAMES_ZH[lv]: KIND_LABELS_ZH[k] for lv, k in sorted(frequency.by_level.items())
                     if lv in levels}, ensure_ascii=False)))
            without = sorted(code for code, _ in grids if code not in officers)
            if without:
                feedback.pushWarning(tr("{count} grids have no officer in the active roster (tasks are dispatched "
                                        "without a name), e.g. {codes}").format(
                    count=len(without), codes=", ".join(without[:10])))
            run_id = "dispatch-{}-{}".format(now_utc().strftime("%Y%m%dT%H%M%SZ"), uuid.uuid4().hex[:8])
            made = rules.make_tasks(grids, officers, frequency, start, end, run_id, now_utc())
            feedback.setProgress(20)
            if feedback.isCanceled():
                feedback.reportError(tr("Dispatch was cancelled; nothing was written to the store."))
                return {}
            created = task_store.insert_tasks(store, made)
            feedback.pushInfo(tr("{created} tasks created, {existing} already dispatched.").format(
                created=created, existing=len(made) - created))
            feedback.setProgress(40)
            found = task_store.tasks(store, prefix, start, end, levels)
            index = rules.PatrolIndex(task_store.patrols(store, prefix))
            names = task_store.grid_names(store)
        finally:
            store.close()
        evaluated = evaluate(found, index, now, feedback, (40, 70))
        if evaluated is None:
            feedback.reportError(tr("Cancelled after the tasks were dispatched; the table was not written."))
            return {}
        counts = {s: 0 for s in (rules.DONE, rules.OPEN, rules.OVERDUE)}
        for _, status, _ in evaluated:
            counts[status] += 1
        feedback.pushInfo(tr("Done {done}, open {open}, overdue {overdue}.").format(
            done=counts[rules.DONE], open=counts[rules.OPEN], overdue=counts[rules.OVERDUE]))
        report_overdue(feedback, rules.overdue_by_township(found, index, now, names))
        result = {"CREATED": created, "EXISTING": len(made) - created, "DONE": counts[rules.DONE],
                  "OPEN": counts[rules.OPEN], "OVERDUE": counts[rules.OVERDUE], "RUN_ID": run_id}
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, task_fields(), Qgis.WkbType.NoGeometry)
        if sink is not None:
            for i, (task, status, patrolled) in enumerate(evaluated):
                if i % 2000 == 0:
                    if feedback.isCanceled():
                        break
                    feedback.setProgress(70 + 30 * i / max(len(evaluated), 1))
                feature = QgsFeature()
                feature.setAttributes(task_values(task, status, patrolled, names))
                sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
            result[self.OUTPUT] = dest
            self.keep_aliases(dest, "tasks")
        feedback.setProgress(100)
        return result
