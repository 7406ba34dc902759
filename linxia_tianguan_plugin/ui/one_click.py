"""The toolbar's one-click coding: run 一键赋码 on the loaded layers as a background task, then load
the coded parcels from the 田管库, styled and labelled."""
from __future__ import annotations

from pathlib import Path

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsMessageLog,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QMessageBox

from .. import settings
from ..i18n import tr
from ..styling import apply_style, store_aliases
from .layer_roles import detect

ALGORITHM_ID = "linxia_tianguan:space_code"
LOG_TAG = "临夏田管"
#: the summary is pushed this long after the task ends, above QGIS's own "Task complete" bar
SUMMARY_DELAY_MS = 500
#: 0: the summary stays until closed (a bar of the default duration would go before it is read)
SUMMARY_DURATION_S = 0


class OneClickCoding:
    def __init__(self, iface):
        self.iface = iface
        self.running = None  # (task, context, feedback) kept alive while the task runs

    @staticmethod
    def result_layer_name() -> str:
        return tr("Coded farmland parcels")

    def parameters(self) -> dict | None:
        roles = detect()
        if roles["DLTB"] is None:
            return None
        params = {"DLTB": roles["DLTB"].id(), "STORE": settings.store_path(), "OUTPUT": None,
                  "ISSUES": "TEMPORARY_OUTPUT", "QR_TEMPLATE": settings.qr_template()}
        for role in ("DK", "YJJBNT", "CJDCQ"):
            if roles[role] is not None:
                params[role] = roles[role].id()
        return params

    def store_choice(self, path: str) -> bool | None:
        """Whether the run creates the store (True) or writes to the one there (False); None: not at all. A store
        is created only when the user says so — a wrong path in the settings must not start an empty one."""
        from ..storage import StoreError, store_kind
        from ..store_messages import store_error_message

        try:
            kind = store_kind(path)
        except (StoreError, OSError) as err:
            self.iface.messageBar().pushCritical(tr("Space coding"), store_error_message(err, path))
            return None
        if kind == "store":
            return False
        answer = QMessageBox.question(
            self.iface.mainWindow(), tr("Space coding"),
            tr("There is no tianguan store at {path} yet. Create a new one there? (If the path is wrong, choose "
               "the store in the plugin's settings.)").format(path=path),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return True if answer == QMessageBox.StandardButton.Yes else None

    def run(self) -> None:
        if self.running is not None:
            self.iface.messageBar().pushInfo(tr("Space coding"), tr("Coding is already running."))
            return
        params = self.parameters()
        if params is None:
            import processing

            self.iface.messageBar().pushWarning(
                tr("Space coding"), tr("No DLTB layer is loaded: choose the layers in the dialog."))
            processing.execAlgorithmDialog(ALGORITHM_ID, {})
            return
        create = self.store_choice(params["STORE"])
        if create is None:
            return
        params["NEW_STORE"] = create
        Path(params["STORE"]).parent.mkdir(parents=True, exist_ok=True)
        algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALGORITHM_ID)
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        feedback = QgsProcessingFeedback()
        task = QgsProcessingAlgRunnerTask(algorithm, params, context, feedback)
        task.executed.connect(lambda ok, results: self._finished(ok, results, params))
        self.running = (task, context, feedback)
        QgsApplication.taskManager().addTask(task)
        self.iface.messageBar().pushInfo(tr("Space coding"),
                                         tr("Coding started; progress is shown in the task bar."))

    def _finished(self, ok: bool, results: dict, params: dict) -> None:
        task, context, feedback = self.running
        self.running = None
        log = feedback.textLog() if hasattr(feedback, "textLog") else ""
        if log:
            QgsMessageLog.logMessage(log, LOG_TAG, Qgis.MessageLevel.Info)
        if not ok or not results:
            message = tr("Coding failed or was cancelled; see the log panel ({tag}).").format(tag=LOG_TAG)
            self.iface.messageBar().pushCritical(tr("Space coding"), message)
            return
        load_coded_parcels(params["STORE"])
        issues_id = results.get("ISSUES")
        if issues_id and results.get("ISSUE_COUNT"):
            layer = context.takeResultLayer(issues_id)
            if layer is not None:
                layer.setName(tr("Coding issues"))
                add_to_results_group(layer)
        summary = tr("{coded} parcels coded: {new} new, {kept} kept, {retired} retired, {issues} issues.").format(
            coded=results.get("CODED", 0), new=results.get("NEW", 0), kept=results.get("KEPT", 0),
            retired=results.get("RETIRED", 0), issues=results.get("ISSUE_COUNT", 0))
        QgsMessageLog.logMessage(summary, LOG_TAG, Qgis.MessageLevel.Success)
        # this slot runs inside the task's completion; QGIS announces "Task complete" (任务完成) on the
        # message bar right after it, which would cover a summary pushed now: push it once that is done
        QTimer.singleShot(SUMMARY_DELAY_MS, lambda: self.show_summary(summary))

    def show_summary(self, summary: str) -> None:
        """The run's figures on top of the message bar until the analyst closes them: they are the result of
        a run of minutes and say whether anything was retired or needs checking (also in the log panel)."""
        self.iface.messageBar().pushMessage(tr("Space coding"), summary, Qgis.MessageLevel.Success,
                                            SUMMARY_DURATION_S)


def add_to_results_group(layer) -> None:
    """Add ``layer`` to the project inside the group every layer of the plugin goes to (临夏田管), not at the root."""
    from ..labels import results_group_name

    project = QgsProject.instance()
    project.addMapLayer(layer, False)
    root = project.layerTreeRoot()
    group = root.findGroup(results_group_name()) or root.insertGroup(0, results_group_name())
    group.insertLayer(0, layer)


def load_coded_parcels(store_path: str) -> QgsVectorLayer | None:
    """Add the active codes of the store to the project (replacing an earlier copy), styled."""
    name = OneClickCoding.result_layer_name()
    project = QgsProject.instance()
    for layer in project.mapLayersByName(name):
        project.removeMapLayer(layer.id())
    layer = QgsVectorLayer(f"{store_path}|layername=tg_space_code", name, "ogr")
    if not layer.isValid():
        return None
    layer.setSubsetString("\"status\" = 'active'")
    apply_style(layer, "tg_space_code.qml", store_aliases())
    add_to_results_group(layer)
    return layer
