"""地块巡管状态 — every coded parcel with its status (``linxia_tianguan:parcel_status``): red 有未结案件, blue 整改中,
yellow 巡田逾期, green 正常 (:mod:`..core.patrol.parcel_status`, the rule 码上查 gives for one parcel).

Thin: :mod:`..storage.parcel_status` reads the unclosed cases and the 社 tasks and patrols once, then the parcels
township by township; :class:`..core.patrol.parcel_status.StatusFacts` gives each township's statuses at once. The
output is styled on load with ``resources/styles/parcel_status.qml`` (categorised on ``status``) and keeps it in the
written file, so the layer opens coloured anywhere.
"""
from __future__ import annotations

import numpy as np
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
)

from ... import compat
from ...case_list import beijing_time
from ...core.clock import now_utc
from ...core.patrol import parcel_status as rules
from ...core.patrol.tasks import format_utc
from ...i18n import tr
from ...labels import parcel_status_labels
from ...storage import parcel_status as status_store
from ...styling import StyleOnLoad
from ..base import ADMIN_CODE_LENGTHS, AlgorithmBase, open_store
from ..fields import KeepsAliases, schema
from .dispatch_tasks import add_as_of_parameter

#: the bundled style: categorised on ``status``, one colour per status (:data:`..core.patrol.parcel_status.COLOURS`)
QML = "parcel_status.qml"
#: the output's registry entry (aliases, value maps)
OUTPUT_ENTRY = "parcel_status"
#: output counts per status
COUNT_OUTPUTS = {rules.CASE: "CASE", rules.RECTIFYING: "RECTIFYING", rules.OVERDUE: "OVERDUE", rules.CLEAN: "CLEAN"}


def status_fields():
    """The output's fields: ASCII names, Chinese aliases; ``status`` holds the codes the style is categorised on."""
    return schema(OUTPUT_ENTRY, [("code", "String", 20), ("township", "String", 9), ("village", "String", 12),
                                 ("group_code", "String", 14), ("dlmc", "String", 60), ("area_mu", "Double", 20, 4),
                                 ("status", "String", 10), ("open_cases", "Int"), ("last_patrol", "String", 16),
                                 ("group_task", "String", 10)])


def feature_rows(rows: list[tuple], columns: dict) -> list[list]:
    """Attribute rows in the order of :func:`status_fields` for streamed parcels and their evaluated columns."""
    out = []
    for (code, dlmc, mu, _wkb), status, n_open, task, last in zip(
            rows, columns["status"].tolist(), columns["open_cases"].tolist(), columns["group_task"].tolist(),
            columns["last_patrol"].tolist()):
        out.append([code, code[:9], code[:12], code[:rules.GROUP_DIGITS], dlmc,
                    None if mu is None else round(float(mu), 4), status, int(n_open),
                    beijing_time(last) or None, task])
    return out


class ParcelStatusAlgorithm(KeepsAliases, AlgorithmBase):
    STORE, PREFIX, AS_OF, OUTPUT = "STORE", "PREFIX", "AS_OF", "OUTPUT"

    def name(self) -> str:
        return "parcel_status"

    def displayName(self) -> str:
        return tr("Parcel patrol status")

    def shortHelpString(self) -> str:
        return tr(
            "<p>地块巡管状态 · Every coded parcel with its status, coloured: red 有未结案件 (a case touching it is not "
            "closed and not yet being enforced or rectified), blue 整改中 (its open cases are being enforced or "
            "rectified), yellow 巡田逾期 (its group missed its last decided patrol task) and green 正常. The rule is "
            "码上查's (解析空间码) for one parcel; the current week's open task decides nothing yet.</p>"
            "<p>Each parcel also shows its open cases, its group's last patrol (Beijing time) and the status of its "
            "group's deciding task. Restrict to a county, township or village by its code. The status is computed "
            "now, or at the time given in the advanced parameters; nothing is written to the store.</p>")

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter()
        self.add_prefix_parameter(tr("County, township or village code (empty: all)"), ADMIN_CODE_LENGTHS[1:4])
        add_as_of_parameter(self)
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Parcel patrol status"), compat.ProcessingSourceType.VectorPolygon))
        self.addOutput(QgsProcessingOutputNumber("PARCELS", tr("Parcels")))
        names = parcel_status_labels()
        for status, key in COUNT_OUTPUTS.items():
            self.addOutput(QgsProcessingOutputNumber(key, names[status]))

    def processAlgorithm(self, parameters, context, feedback):
        prefix = self.parameter_as_prefix(parameters, context)
        now = self.parameter_as_instant(parameters, self.AS_OF, context) or now_utc().replace(microsecond=0)
        store = open_store(self.parameterAsFile(parameters, self.STORE, context), read_only=True)
        try:
            units = status_store.townships(store, prefix)
            facts = status_store.status_facts(store, prefix, now)
            fields = status_fields()
            sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, Qgis.WkbType.MultiPolygon,
                                              QgsCoordinateReferenceSystem(f"EPSG:{store.srs_id}"))
            counts = self._write(store, sink, fields, units, prefix, facts, feedback)
        finally:
            store.close()
        if dest and context.willLoadLayerOnCompletion(dest):
            context.layerToLoadOnCompletionDetails(dest).setPostProcessor(StyleOnLoad.create(
                QML, {f.name(): f.alias() for f in fields}, OUTPUT_ENTRY))
        self.keep_aliases(dest, OUTPUT_ENTRY, QML)
        self._report(counts, now, feedback)
        return {self.OUTPUT: dest, "PARCELS": sum(counts.values()),
                **{key: counts[status] for status, key in COUNT_OUTPUTS.items()}}

    def _write(self, store, sink, fields, units: list[str], prefix: str, facts: rules.StatusFacts,
               feedback) -> dict[str, int]:
        """The parcels township by township (progress and cancel between townships); the counts per status."""
        counts = dict.fromkeys(rules.PRECEDENCE, 0)
        for i, township in enumerate(units):
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Cancelled."))
            rows = list(status_store.parcels(store, prefix if len(prefix) > len(township) else township))
            columns = facts.evaluate([r[0] for r in rows])
            features = []
            for (_code, _dlmc, _mu, wkb), values in zip(rows, feature_rows(rows, columns)):
                feature = QgsFeature(fields)
                feature.setAttributes(values)
                if wkb is not None:
                    geometry = QgsGeometry()
                    geometry.fromWkb(wkb)
                    feature.setGeometry(geometry)
                features.append(feature)
            if sink is not None:
                sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert)
            found, n = np.unique(columns["status"], return_counts=True)
            for status, count in zip(found.tolist(), n.tolist()):
                counts[status] += count
            feedback.setProgress(100.0 * (i + 1) / len(units))
        return counts

    @staticmethod
    def _report(counts: dict[str, int], now, feedback) -> None:
        names = parcel_status_labels()
        feedback.pushInfo(tr("Parcel status as of {when} (Beijing time): {parcels} parcels.").format(
            when=beijing_time(format_utc(now)), parcels=sum(counts.values())))
        for status in rules.PRECEDENCE:
            feedback.pushInfo(tr("{name}: {count} parcels").format(name=names[status], count=counts[status]))
