"""发布到州库 — publish what changed in a county desk's 田管库 into the prefecture's shared PostGIS store
(Processing algorithm ``linxia_tianguan:publish_store``).

Thin: :func:`..storage.publish.publish` finds the rows changed since the last publish, checks the county's code
history against the shared one, and sends the rows in batches (one transaction each, resumable); this module reads
the parameters, reports progress and puts what the database or the history check refused into words.
"""
from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterString,
)

from ...dependencies import postgis_unavailable
from ...i18n import tr
from ...pg_connection import connection_params
from ..base import AlgorithmBase
from ..cases.export_cases import raise_refusal

#: conflicts named in the message (the rest are counted)
SHOWN_CONFLICTS = 20


class PublishStoreAlgorithm(AlgorithmBase):
    STORE, CONNECTION, SCHEMA = "STORE", "CONNECTION", "SCHEMA"

    def name(self) -> str:
        return "publish_store"

    def displayName(self) -> str:
        return tr("Publish to the prefecture store")

    def shortHelpString(self) -> str:
        return tr(
            "<p>发布到州库 · Sends what changed in this county's tianguan store since its last publish — codes with "
            "their lineage, the patrol grid, the roster, tasks, patrols, tracks and their fixes, coverage and change "
            "runs, evidence with its files, and the cases with their history — into the prefecture's shared "
            "PostGIS store, through a saved QGIS PostgreSQL connection whose database role is this county's desk "
            "(its password comes from the connection's authentication configuration).</p>"
            "<p>Only rows that are new or changed are sent, in batches of one transaction each: publishing again "
            "sends nothing, and a publish cut off halfway (network, laptop closed) goes on from where it stopped "
            "when run again. Codes are append-only in the prefecture store: if this store gives a published code "
            "another identity or makes a retired code active again, nothing is sent and the codes are listed. At "
            "the end the county's rows are counted in both stores.</p>"
            "<p>The schema is created and roles are granted by the prefecture's administrator (州库建库与授权).</p>")

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter()
        self.addParameter(QgsProcessingParameterProviderConnection(
            self.CONNECTION, tr("PostgreSQL connection"), "postgres"))
        self.addParameter(QgsProcessingParameterString(self.SCHEMA, tr("Schema"), "tianguan"))
        for key, label in (("ROWS_SENT", tr("Rows sent")), ("ROWS_ADDED", tr("Rows added")),
                           ("ROWS_UPDATED", tr("Rows updated")), ("EVIDENCE_FILES", tr("Evidence files sent")),
                           ("CASES_ADDED", tr("Cases added")), ("BATCHES", tr("Batches"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    def processAlgorithm(self, parameters, context, feedback):
        unavailable = postgis_unavailable()
        if unavailable:
            raise QgsProcessingException(unavailable)
        from ...storage.postgis import PgStore, PgStoreError
        from ...storage.publish import HistoryConflictError, PublishError, publish

        name = self.parameterAsConnectionName(parameters, self.CONNECTION, context)
        params = connection_params(name)
        schema = self.parameterAsString(parameters, self.SCHEMA, context) or "tianguan"
        titles = table_titles()

        def progress(table: str, done: int, total: int) -> None:
            feedback.setProgressText(tr("{table}: {done} of {total} rows sent").format(
                table=titles.get(table, table), done=done, total=total))

        try:
            with self.opened_store(parameters, self.STORE, context, create=False) as store, \
                    PgStore(params, schema=schema) as pg:
                feedback.pushInfo(tr("Publishing {store} to schema “{schema}” of connection “{name}”…").format(
                    store=store.path, schema=schema, name=name))
                report = publish(store, pg, on_progress=progress, is_canceled=feedback.isCanceled)
        except HistoryConflictError as err:
            raise QgsProcessingException(_conflict_message(err)) from None
        except PublishError as err:
            raise QgsProcessingException(_publish_message(err, schema)) from None
        except PgStoreError as err:
            raise_refusal(err)
        sent = sum(t.sent for t in report.tables.values())
        for table, entry in report.tables.items():
            if entry.sent:
                feedback.pushInfo(tr("{table}: {sent} sent ({added} added, {updated} updated); {upstream} in the "
                                     "prefecture store, {desk} in this store.").format(
                    table=titles.get(table, table), sent=entry.sent, added=entry.inserted, updated=entry.updated,
                    upstream=entry.upstream, desk=entry.desk))
        for table, (desk, upstream) in report.mismatched.items():
            feedback.reportError(tr("{table}: this store holds {desk} rows, the prefecture store only {upstream}: "
                                    "publish again; if it stays so, tell the prefecture's administrator.").format(
                table=titles.get(table, table), desk=desk, upstream=upstream))
        for problem in report.evidence_problems:
            feedback.pushWarning(tr("Evidence file not sent: {problem}").format(problem=problem))
        if not sent and not report.evidence_files and not report.cases.get("inserted"):
            feedback.pushInfo(tr("Nothing changed since the last publish."))
        feedback.setProgress(100)
        return {"ROWS_SENT": sent, "ROWS_ADDED": sum(t.inserted for t in report.tables.values()),
                "ROWS_UPDATED": sum(t.updated for t in report.tables.values()),
                "EVIDENCE_FILES": report.evidence_files, "CASES_ADDED": report.cases.get("inserted", 0),
                "BATCHES": report.batches}


def table_titles() -> dict[str, str]:
    """The shared tables in words (for progress and the log)."""
    return {
        "admin_units": tr("Administrative units"), "coding_runs": tr("Coding runs"),
        "space_codes": tr("Space codes"), "code_lineage": tr("Code lineage"), "grid_builds": tr("Grid builds"),
        "grid_cells": tr("Grid cells"), "roster_imports": tr("Roster imports"), "officers": tr("Officers"),
        "tasks": tr("Patrol tasks"), "patrols": tr("Patrols"), "track_files": tr("Track files"),
        "tracks": tr("Track layer"), "track_fixes": tr("Track fixes"), "coverage_runs": tr("Coverage runs"),
        "coverage_rates": tr("Coverage rates"), "change_runs": tr("Change runs"), "evidence": tr("Evidence layer"),
    }


def _conflict_message(err) -> str:
    from ...core.prefecture.history import REISSUED

    lines = [tr("{code}: published as {upstream}, here {desk}").format(code=c.code, upstream=c.upstream, desk=c.desk)
             if c.reason == REISSUED else
             tr("{code}: retired in the prefecture store, active here").format(code=c.code)
             for c in err.conflicts[:SHOWN_CONFLICTS]]
    more = len(err.conflicts) - SHOWN_CONFLICTS
    if more > 0:
        lines.append(tr("… and {n} more").format(n=more))
    return tr("Nothing was published: {n} space codes of this store contradict what the prefecture store holds "
              "(a published code keeps its group, number, coding time and run, and a retired code stays retired). "
              "Was the store rebuilt, or a coding run undone after it was published? Refresh this store from the "
              "prefecture store (从州库下载), or ask the prefecture's administrator.\n{codes}").format(
        n=len(err.conflicts), codes="\n".join(lines))


def _publish_message(err, schema: str) -> str:
    if err.kind == "old_schema":
        return tr("Schema “{schema}” is not a prefecture store yet (version {version}, needs 6): ask the "
                  "prefecture's administrator to set it up (州库建库与授权).").format(
            schema=schema, version=err.details.get("version", 0))
    if err.kind == "not_publisher":
        return tr("The database role of this connection publishes {role_county}, but the store holds county "
                  "{county}: use the connection of this county's desk, or ask the prefecture's administrator to "
                  "grant the role this county.").format(role_county=err.details.get("role_county") or tr("no county"),
                                                        county=err.details.get("county", ""))
    if err.kind == "several_counties":
        return tr("The store holds codes of several counties ({counties}): a store holds one county.").format(
            counties="、".join(err.details.get("counties", [])))
    if err.kind == "no_county":
        return tr("The store holds no county yet: code the county first (一键赋码).")
    if err.kind == "canceled":
        return tr("Cancelled: the batches sent so far are complete; publish again to send the rest.")
    return tr("The publish stopped: {error}").format(error=err)
