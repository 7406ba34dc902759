"""撤销上次赋码 — undo the store's latest coding run, exactly.

Why: a coding run that went through (the guard let it, or the analyst said the survey was being replaced) may still
turn out wrong. Codes are printed on warning posts and named by cases, so the way back must give every parcel its
old code again, not new ones: the run's retired codes become active as they were, the rows it changed get their old
values, and the codes it issued are retired as "undone" (kept, so their numbers are never issued to another parcel).
Only the latest run can be undone, once.
"""
from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
)

from ...core import clock
from ...i18n import tr
from ...storage import StoreError
from ..base import AlgorithmBase


class UndoSpaceCodeAlgorithm(AlgorithmBase):
    STORE, PREVIEW = "STORE", "PREVIEW"
    icon_name = "space_code.svg"

    def name(self) -> str:
        return "undo_space_code"

    def displayName(self) -> str:
        return tr("Undo the latest coding run")

    def shortHelpString(self) -> str:
        return tr(
            "<p>Takes the tianguan store back to where it was before its latest one-click coding run: the codes "
            "the run retired are active again with their QR content and lineage, the parcels it changed get their "
            "old values back, and the codes it issued are retired as “undone” — kept in the store so that their "
            "numbers are never given to another parcel. Only the latest run can be undone, once. “Preview only” "
            "says what would be undone without changing anything.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter()
        self.addParameter(QgsProcessingParameterBoolean(
            self.PREVIEW, tr("Preview only: say what would be undone, change nothing"), False))
        self.addOutput(QgsProcessingOutputString("RUN_ID", tr("Coding run")))
        for key, label in (("RESTORED", tr("Codes active again")), ("REVERTED", tr("Parcels given their old values")),
                           ("WITHDRAWN", tr("Codes of the run retired as undone"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    def processAlgorithm(self, parameters, context, feedback):
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
            run = store.undoable_run()
            if run is None:
                raise QgsProcessingException(tr(
                    "The store {path} has no coding run that can be undone: only the latest run can be undone, "
                    "once.").format(path=store.path))
            counts = run["counts"]
            feedback.pushInfo(tr("Latest coding run {run} (finished {at}): {inserted} codes issued, {updated} "
                                 "changed, {retired} retired.").format(
                run=run["run_id"], at=run["finished_at"], inserted=counts.get("inserted", 0),
                updated=counts.get("updated", 0), retired=counts.get("retired", 0)))
            if self.parameterAsBool(parameters, self.PREVIEW, context):
                feedback.pushInfo(tr("Preview: nothing was changed."))
                return {"RUN_ID": run["run_id"], "RESTORED": 0, "REVERTED": 0, "WITHDRAWN": 0}
            try:
                done = store.undo_coding_run(run["run_id"], clock.now_utc().strftime("%Y-%m-%dT%H:%M:%SZ"))
            except StoreError as err:
                raise QgsProcessingException(tr("The coding run could not be undone: {error}").format(
                    error=err)) from err
        feedback.pushInfo(tr("Coding run {run} undone: {restored} codes active again, {reverted} parcels given their "
                             "old values, {withdrawn} codes of the run retired as undone (never issued again).").format(
            run=run["run_id"], restored=done["restored"], reverted=done["reverted"], withdrawn=done["withdrawn"]))
        return {"RUN_ID": run["run_id"], "RESTORED": done["restored"], "REVERTED": done["reverted"],
                "WITHDRAWN": done["withdrawn"]}
