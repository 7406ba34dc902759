"""从州库下载 — make a desk's 田管库 from the prefecture's shared PostGIS store, for a county or one township, or
refresh an existing one (Processing algorithm ``linxia_tianguan:pull_store``).

Thin: :func:`..storage.pull.pull` reads everything in one consistent transaction, builds a new store beside the
target and renames it into place when complete (a refresh writes in one transaction and keeps this desk's
unpublished changes); this module reads the parameters, reports progress and words what was refused.
"""
from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterString,
)

from ...dependencies import postgis_unavailable
from ...i18n import tr
from ...pg_connection import connection_params
from ..base import PREFIX, AlgorithmBase
from ..cases.export_cases import raise_refusal
from .publish_store import table_titles

#: rows the desk kept instead of the shared version, named in the log (the rest are counted)
SHOWN_KEPT = 20


class PullStoreAlgorithm(AlgorithmBase):
    CONNECTION, SCHEMA, OUTPUT, REFRESH, CRS = "CONNECTION", "SCHEMA", "OUTPUT", "REFRESH", "CRS"

    def name(self) -> str:
        return "pull_store"

    def displayName(self) -> str:
        return tr("Download from the prefecture store")

    def shortHelpString(self) -> str:
        return tr(
            "<p>从州库下载 · Makes a tianguan store from the prefecture's shared PostGIS store for a county (6 digits) "
            "or one township (9 digits): coded parcels with their lineage, the active patrol grid, the roster, "
            "tasks, patrols, tracks, coverage and change runs, evidence with its files, and the cases with their "
            "history — so a new analyst starts from the shared truth. The database role of the connection must be "
            "allowed to read that place.</p>"
            "<p>A new store is written beside the target and put in place only when complete; an existing file is "
            "never overwritten. With “refresh”, an existing store of the county gets what is new or changed in the "
            "prefecture store instead; rows this desk changed since its last publish are kept as they are and "
            "listed. Either way the store is recorded as published: publishing it right away sends nothing.</p>")

    def initAlgorithm(self, config=None) -> None:
        self.addParameter(QgsProcessingParameterProviderConnection(
            self.CONNECTION, tr("PostgreSQL connection"), "postgres"))
        self.addParameter(QgsProcessingParameterString(self.SCHEMA, tr("Schema"), "tianguan"))
        self.add_prefix_parameter(tr("County or township code"), (6, 9))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("Tianguan store (GeoPackage)"), tr("GeoPackage (*.gpkg)")))
        self.addParameter(QgsProcessingParameterBoolean(
            self.REFRESH, tr("Refresh this existing store instead of making a new one"), False))
        self.addParameter(QgsProcessingParameterCrs(
            self.CRS, tr("Coordinate system of a new store (empty: the prefecture store's)"), optional=True))
        for key, label in (("ROWS", tr("Rows written")), ("KEPT_LOCAL", tr("Rows kept as this desk has them")),
                           ("CASES", tr("Cases written")), ("EVIDENCE_FILES", tr("Evidence files written"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    def checkParameterValues(self, parameters, context):
        ok, message = super().checkParameterValues(parameters, context)
        if ok and not self.parameter_as_prefix(parameters, context):
            return False, tr("Give the county (6 digits) or township (9 digits) code to download.")
        return ok, message

    def processAlgorithm(self, parameters, context, feedback):
        unavailable = postgis_unavailable()
        if unavailable:
            raise QgsProcessingException(unavailable)
        from ...storage.postgis import PgStore, PgStoreError
        from ...storage.pull import PullError, pull

        name = self.parameterAsConnectionName(parameters, self.CONNECTION, context)
        schema = self.parameterAsString(parameters, self.SCHEMA, context) or "tianguan"
        place = self.parameter_as_prefix(parameters, context, PREFIX)
        path = Path(self.parameterAsFileOutput(parameters, self.OUTPUT, context))
        refresh = self.parameterAsBoolean(parameters, self.REFRESH, context)
        crs = self.parameterAsCrs(parameters, self.CRS, context)
        epsg = int(crs.authid().split(":")[1]) if crs.isValid() and crs.authid().startswith("EPSG:") else None
        titles = table_titles()

        def progress(table: str, done: int, total: int) -> None:
            feedback.setProgressText(tr("{table}: {done} of {total} rows").format(
                table=titles.get(table, table), done=done, total=total))

        feedback.pushInfo(tr("Downloading {place} from schema “{schema}” of connection “{name}” into {path}…").format(
            place=place, schema=schema, name=name, path=path))
        try:
            with PgStore(connection_params(name), schema=schema) as pg:
                report = pull(pg, path, place[:6], place if len(place) == 9 else None, epsg=epsg, refresh=refresh,
                              on_progress=progress, is_canceled=feedback.isCanceled)
        except PullError as err:
            raise QgsProcessingException(_pull_message(err, place, schema, path)) from None
        except PgStoreError as err:
            raise_refusal(err)
        rows = 0
        for table, entry in report.tables.items():
            written = entry.inserted + entry.updated
            rows += written
            if written or entry.kept_local:
                feedback.pushInfo(tr("{table}: {written} written, {kept} kept as this desk has them.").format(
                    table=titles.get(table, table), written=written, kept=entry.kept_local))
        for table, key in report.kept_local[:SHOWN_KEPT]:
            feedback.pushWarning(tr("Kept as this desk has it (changed here since the last publish): {table} "
                                    "{key}").format(table=titles.get(table, table), key=key.replace("\x1f", " / ")))
        for problem in report.evidence_problems:
            feedback.pushWarning(tr("Evidence file not written: {problem}").format(problem=problem))
        feedback.pushInfo(tr("The store {path} is ready: choose it as the tianguan store in the plugin's settings "
                             "to work with it.").format(path=path))
        feedback.setProgress(100)
        return {self.OUTPUT: str(path), "ROWS": rows, "KEPT_LOCAL": len(report.kept_local),
                "CASES": report.cases.get("inserted", 0) + report.cases.get("updated", 0),
                "EVIDENCE_FILES": report.evidence_files}


def _pull_message(err, place: str, schema: str, path: Path) -> str:
    if err.kind == "exists":
        return tr("{path} exists already: choose a new file, or tick “refresh” to bring an existing store of the "
                  "county up to date.").format(path=path)
    if err.kind == "missing":
        return tr("{path} does not exist: there is nothing to refresh.").format(path=path)
    if err.kind in ("not_visible", "bad_place"):
        return tr("The prefecture store holds nothing of {place} that this connection's database role may read: "
                  "check the code, or ask the prefecture's administrator for the role's scope.").format(place=place)
    if err.kind == "old_schema":
        return tr("Schema “{schema}” is not a prefecture store yet: ask the prefecture's administrator to set it up "
                  "(州库建库与授权).").format(schema=schema)
    if err.kind == "other_county":
        return tr("{path} holds another county than {place}: refresh a store of the same county.").format(
            path=path, place=place)
    if err.kind == "other_crs":
        return tr("{path} is in another coordinate system than the one asked for: leave the coordinate system "
                  "empty when refreshing.").format(path=path)
    if err.kind == "canceled":
        return tr("Cancelled: nothing was written.")
    return tr("The download stopped: {error}").format(error=err)
