"""登记巡田记录 — record patrols from a table (Processing algorithm ``linxia_tianguan:record_patrols``).

Patrols reach the desk as spreadsheets exported from the patrol app or typed by hand. Each row is a
grid code, an officer and a start time (end time, validity and note optional); rows that cannot be
used are listed with their row number and what to fix, and are not recorded. A patrol's id is derived
from grid, officer and start time, so importing the same table again records nothing twice.
"""
from __future__ import annotations

from pathlib import Path

from qgis.core import (
    NULL,
    QgsFeature,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProviderRegistry,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt

from ... import compat
from ...core.patrol import tasks as rules
from ...i18n import tr
from ...storage import tasks as task_store
from ..base import AlgorithmBase
from .dispatch_tasks import now_utc, open_store

#: accepted column names (case-insensitive) for each value
COLUMNS = {
    "grid_code": ("grid_code", "网格编码", "网格代码", "grid"),
    "officer": ("officer", "田管员", "巡田人"),
    "started_at": ("started_at", "开始时间", "巡田时间", "start"),
    "ended_at": ("ended_at", "结束时间", "end"),
    "valid": ("valid", "有效", "是否有效"),
    "note": ("note", "备注"),
}
_TRUE = {"", "1", "true", "t", "yes", "y", "是", "有效", "√"}
_FALSE = {"0", "false", "f", "no", "n", "否", "无效", "×"}
_TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls", ".ods")
_MAX_LISTED = 200


def text_encoding(path: str) -> str | None:
    """'GBK' for a CSV file that is not UTF-8 (Excel on a Chinese Windows saves GBK), else None."""
    data = Path(path).read_bytes()
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "GBK"
    except UnicodeDecodeError:
        return None


def _plain(value):
    """A Python value from a QGIS attribute: NULL → None, dates as ISO text, whole floats as integers."""
    if value is None or value == NULL:
        return None
    if isinstance(value, QDateTime):
        return value.toString(Qt.DateFormat.ISODate) if value.isValid() else None
    if isinstance(value, QDate):
        return value.toString(Qt.DateFormat.ISODate) if value.isValid() else None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class RecordPatrolsAlgorithm(AlgorithmBase):
    STORE, INPUT, SOURCE = "STORE", "INPUT", "SOURCE"
    SOURCES = ("import", "manual")

    def name(self) -> str:
        return "record_patrols"

    def displayName(self) -> str:
        return tr("Record patrols")

    def shortHelpString(self) -> str:
        return tr(
            "<p>登记巡田记录 — Records patrols in the tianguan store from a table (CSV in UTF-8 or GBK, XLSX) or "
            "any layer with the fields grid code, officer, start time and end time, and optionally valid and note "
            "(Chinese headers 网格编码, 田管员, 开始时间, 结束时间, 有效, 备注 are accepted too).</p>"
            "<p>Times may carry an offset or Z (UTC); times without one are Beijing time. Rows with an unknown grid "
            "code or a time that cannot be read are listed with their row number and are not recorded. "
            "Importing the same table again records nothing twice.</p>"
            "<p>A patrol completes the task of its grid whose period contains the patrol's start (Beijing date); "
            "patrols marked not valid (有效 = 0 / 否) complete nothing.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter()
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, tr("Patrol table (CSV, XLSX or layer)"), [compat.ProcessingSourceType.Vector]))
        source = QgsProcessingParameterEnum(self.SOURCE, tr("Patrols are"),
                                            [tr("imported (from the patrol app)"), tr("recorded by hand")],
                                            defaultValue=0)
        source.setFlags(source.flags() | compat.ProcessingParameterFlag.Advanced)
        self.addParameter(source)
        for key, label in (("ADDED", tr("Patrols recorded")), ("SKIPPED", tr("Rows not recorded")),
                           ("REJECTED", tr("Rows with errors"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    def _source(self, parameters, context, feedback):
        """The input; a CSV that is not UTF-8 is re-opened as GBK. Returns (source, label, has header row)."""
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("Choose the patrol table."))
        layer = self.parameterAsVectorLayer(parameters, self.INPUT, context)
        if layer is None or layer.providerType() != "ogr":
            return source, (layer.name() if layer is not None else self.INPUT), False
        path = QgsProviderRegistry.instance().decodeUri("ogr", layer.source()).get("path") or ""
        suffix = Path(path).suffix.lower()
        if suffix in (".csv", ".txt") and Path(path).is_file() and text_encoding(path) == "GBK" \
                and layer.dataProvider().encoding().upper() not in ("GBK", "GB18030", "CP936"):
            fixed = QgsVectorLayer(layer.source(), layer.name(), "ogr")
            fixed.setProviderEncoding("GBK")
            feedback.pushInfo(tr("“{table}” is not UTF-8; it is read as GBK.").format(table=Path(path).name))
            return fixed, Path(path).name, True
        return source, (Path(path).name if path else layer.name()), suffix in _TABLE_SUFFIXES

    def processAlgorithm(self, parameters, context, feedback):
        source, label, header = self._source(parameters, context, feedback)
        kind = self.SOURCES[self.parameterAsEnum(parameters, self.SOURCE, context)]
        names = [f.name() for f in source.fields()]
        lowered = {n.strip().lower(): i for i, n in enumerate(names)}
        index = {}
        for key, aliases in COLUMNS.items():
            found = next((lowered[a.lower()] for a in aliases if a.lower() in lowered), None)
            if found is not None:
                index[key] = found
        missing = [COLUMNS[k][0] + " / " + COLUMNS[k][1] for k in ("grid_code", "started_at") if k not in index]
        if missing:
            raise QgsProcessingException(tr(
                "The table “{table}” has no column {columns}. Its columns are: {fields}.").format(
                table=label, columns=", ".join(missing), fields=", ".join(names)))
        store = open_store(self.parameterAsFile(parameters, self.STORE, context))
        try:
            known = task_store.known_grid_codes(store)
            if not known:
                raise QgsProcessingException(tr(
                    "The tianguan store has no active patrol grid and no active officer roster. Build the patrol "
                    "grid or import an officer roster first."))
            roster = task_store.officers_for(store)
            now = now_utc()
            rows, problems = [], []
            total = max(source.featureCount(), 1)
            feature = QgsFeature()
            iterator = source.getFeatures()
            n = 0
            while iterator.nextFeature(feature):
                if n % 1000 == 0:
                    if feedback.isCanceled():
                        feedback.reportError(tr("Cancelled; no patrol was recorded."))
                        return {}
                    feedback.setProgress(80 * n / total)
                row = n + 2 if header else n + 1
                n += 1
                attrs = feature.attributes()
                values = {k: _plain(attrs[i]) for k, i in index.items()}
                problem = self._check(values, known, now)
                if problem:
                    problems.append(tr("Row {row}: {problem}").format(row=row, problem=problem))
                    continue
                officer = values.get("officer") or roster.get(values["grid_code"], (None, None))[0]
                rows.append(rules.make_patrol(
                    values["grid_code"], officer, values["started_at"], values.get("ended_at"),
                    values.get("valid") is None or values["valid"].lower() in _TRUE, values.get("note"), kind))
            if feedback.isCanceled():
                return {}
            added = task_store.add_patrols(store, rows) if rows else 0
        finally:
            store.close()
        for message in problems[:_MAX_LISTED]:
            feedback.reportError(message)
        if len(problems) > _MAX_LISTED:
            feedback.reportError(tr("… and {count} more rows with errors.").format(
                count=len(problems) - _MAX_LISTED))
        skipped = n - added
        feedback.pushInfo(tr("{added} patrols recorded; {skipped} rows not recorded ({already} already recorded, "
                             "{rejected} with errors).").format(
            added=added, skipped=skipped, already=len(rows) - added, rejected=len(problems)))
        feedback.setProgress(100)
        return {"ADDED": added, "SKIPPED": skipped, "REJECTED": len(problems)}

    @staticmethod
    def _check(values: dict, known: set[str], now) -> str | None:
        """What is wrong with a row, in words the desk can act on; None when it can be recorded."""
        code = values.get("grid_code") or ""
        if not code:
            return tr("the grid code is empty; fill in the 网格编码 of the patrolled grid.")
        if code not in known:
            return tr("the grid code “{code}” is not in the patrol grid or the officer roster; check it "
                      "(州 4, 县 6, 乡 9, 村 12, 社 14 digits).").format(code=code)
        for key, label in (("started_at", tr("start time")), ("ended_at", tr("end time"))):
            value = values.get(key)
            if key == "ended_at" and not value:
                continue
            if not value:
                return tr("the {what} is empty; write it as YYYY-MM-DD HH:MM.").format(what=label)
            try:
                rules.parse_instant(value)
            except rules.TaskError:
                return tr("the {what} “{value}” cannot be read; write it as YYYY-MM-DD HH:MM (Beijing time) or "
                          "with an offset such as +08:00.").format(what=label, value=value)
        start = rules.parse_instant(values["started_at"])
        if values.get("ended_at") and rules.parse_instant(values["ended_at"]) < start:
            return tr("the end time is before the start time; check both.")
        if start > now:
            return tr("the start time {value} is in the future; check the date.").format(value=values["started_at"])
        valid = values.get("valid")
        if valid is not None and valid.lower() not in _TRUE | _FALSE:
            return tr("“{value}” in the valid column is neither 1/是 nor 0/否.").format(value=valid)
        return None
