"""导出到 PostGIS — the cases of the 田管库 into the county's shared PostGIS store
(Processing algorithm ``linxia_tianguan:export_cases``).

Thin: cases and their events are read from the GeoPackage (:mod:`..storage.cases`) and written by
:class:`..storage.postgis.PgStore`, one transaction per batch (new cases through the database's ``create_case``,
the desk's later moves through ``move_case``), so a re-export changes nothing and an export cut off halfway resumes
where it stopped. What the database refuses (a stale version, a forbidden move, another county) is said in words.
"""
from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterString,
)

from ...dependencies import postgis_unavailable
from ...i18n import tr
from ...pg_connection import connection_params
from ...storage import cases as case_store
from ..base import AlgorithmBase

COUNTS = ("INSERTED", "UPDATED", "UNCHANGED", "STALE", "EVENTS")


def county_of(case: dict) -> str:
    """A case's county: from its group grid code, else its parcels' or patch's code (all start with it)."""
    for text in (case.get("grid_code"), *(case.get("parcel_codes") or []), case.get("bsm_before")):
        if text and len(str(text)) >= 6 and str(text)[:6].isdigit():
            return str(text)[:6]
    return ""


def raise_refusal(err) -> None:
    """Raise what the database refused, in the user's words: the store guards its own audit trail (moves only
    through ``move_case``, cases only in the role's county), so these are the refusals a desk can meet."""
    from ...storage import pg_schema

    if err.pgcode == pg_schema.ERR_STALE:
        raise QgsProcessingException(tr("A case was moved in PostGIS while this export was writing it (its "
                                        "version changed): run the export again. {error}").format(
            error=err)) from err
    if err.pgcode in (pg_schema.ERR_NOT_ALLOWED, pg_schema.ERR_REQUIREMENT):
        raise QgsProcessingException(tr("PostGIS refused a state change recorded at this desk (the database "
                                        "does not allow that move, or it lacks its comment or attachment): "
                                        "{error}").format(error=err)) from err
    if err.pgcode in (pg_schema.ERR_NOT_FOUND, pg_schema.ERR_AMBIGUOUS):
        raise QgsProcessingException(tr("PostGIS has no such case in the county of this database role: "
                                        "{error}").format(error=err)) from err
    if err.pgcode == "42501":
        raise QgsProcessingException(tr("PostGIS refused a case of a county this database role does not belong "
                                        "to, or an action the role has no right to (an administrator maps each "
                                        "desk role to its county): {error}").format(error=err)) from err
    raise QgsProcessingException(tr("PostGIS refused the export: {error}").format(error=err)) from err


class ExportCasesAlgorithm(AlgorithmBase):
    STORE, CONNECTION, SCHEMA, MIGRATE = "STORE", "CONNECTION", "SCHEMA", "MIGRATE"

    def name(self) -> str:
        return "export_cases"

    def displayName(self) -> str:
        return tr("Export cases to PostGIS")

    def shortHelpString(self) -> str:
        return tr(
            "<p>导出到 PostGIS · Writes the cases of the tianguan store, with their history, into the county's "
            "shared PostGIS database, through a saved QGIS PostgreSQL connection (its user and password come from "
            "the connection's authentication configuration; nothing is stored in the plugin).</p>"
            "<p>Cases are matched by their UUID. A case is added, or updated when the desk's copy is newer (higher "
            "version); exporting again changes nothing. Each batch of cases is one transaction: if the connection "
            "drops, the batches already written stay complete and running the export again finishes the rest. A "
            "case that was moved further in PostGIS than in this store is left as it is (counted as stale).</p>"
            "<p>With “create or upgrade the schema”, the schema's tables, checks, indexes and row-level security "
            "are created or upgraded first (this needs the schema owner's rights).</p>")

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter()
        self.addParameter(QgsProcessingParameterProviderConnection(
            self.CONNECTION, tr("PostgreSQL connection"), "postgres"))
        self.addParameter(QgsProcessingParameterString(self.SCHEMA, tr("Schema"), "tianguan"))
        self.addParameter(QgsProcessingParameterBoolean(
            self.MIGRATE, tr("Create or upgrade the schema first"), True))
        for key, label in (("INSERTED", tr("Cases added")), ("UPDATED", tr("Cases updated")),
                           ("UNCHANGED", tr("Cases unchanged")), ("STALE", tr("Cases newer in PostGIS")),
                           ("EVENTS", tr("Events added"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    @staticmethod
    def _save_aliases(name: str, params: dict, schema: str, feedback) -> None:
        """Chinese field aliases of the shared tables, saved as their default QGIS style (``layer_styles``),
        so whoever opens the county's cases in QGIS reads 案件状态, not ``state``. Once: a table that has a
        default style already (ours, or one a user saved) keeps it. A database that refuses the style (no
        right to create ``layer_styles``) gets a warning: the cases are exported anyway."""
        import psycopg2
        from qgis.core import QgsDataSourceUri, QgsProviderRegistry, QgsVectorLayer

        from ...storage.postgis import default_styled_tables
        from ...styling import set_aliases
        from ..fields import aliases

        try:
            styled = default_styled_tables(params, schema)
        except psycopg2.Error as err:
            message = str(err).strip()
            if params.get("password"):
                message = message.replace(str(params["password"]), "***")
            feedback.pushWarning(tr("The field aliases of {schema}.{table} were not saved as its default "
                                    "style: {error}").format(schema=schema, table="*", error=message))
            return
        connection = QgsProviderRegistry.instance().providerMetadata("postgres").findConnection(name)
        for table, geometry, key, output in (("cases", "geom", "case_id", "pg_cases"),
                                             ("case_events", None, "event_id", "pg_case_events")):
            if table in styled:
                continue
            uri = QgsDataSourceUri(connection.uri())
            uri.setDataSource(schema, table, geometry, "", key)
            layer = QgsVectorLayer(uri.uri(False), table, "postgres")
            error = tr("the table cannot be opened") if not layer.isValid() else None
            if error is None:
                set_aliases(layer, aliases(output))
                error = layer.saveStyleToDatabase(tr("Linxia farmland patrol field aliases"),
                                                  tr("Chinese field aliases (临夏田管)"), True, "") or None
            if error:
                feedback.pushWarning(tr("The field aliases of {schema}.{table} were not saved as its default "
                                        "style: {error}").format(schema=schema, table=table, error=error))

    def processAlgorithm(self, parameters, context, feedback):
        unavailable = postgis_unavailable()  # no psycopg2: say what to install rather than fail on the import
        if unavailable:
            raise QgsProcessingException(unavailable)
        from ...storage.postgis import PgStore, PgStoreError

        name = self.parameterAsConnectionName(parameters, self.CONNECTION, context)
        params = connection_params(name)
        schema = self.parameterAsString(parameters, self.SCHEMA, context) or "tianguan"
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
            rows = case_store.cases(store) if case_store.has_cases(store) else []
            events = case_store.events_by_case(store) if rows else {}
            srid = store.srs_id
        if not rows:
            feedback.pushWarning(tr("The store has no cases: run the change analysis first."))
            return {k: 0 for k in COUNTS}
        missing = [c["case_id"] for c in rows if not county_of(c)]
        if missing:
            raise QgsProcessingException(tr("{n} cases have no county code (no grid code, parcel or patch code), "
                                            "e.g. {case}: build the patrol grid and run the change analysis with "
                                            "the store again.").format(n=len(missing), case=missing[0]))
        feedback.pushInfo(tr("Exporting {n} cases to schema “{schema}” of connection “{name}”…").format(
            n=len(rows), schema=schema, name=name))

        def progress(index: int, total: int) -> None:
            if feedback.isCanceled():
                raise InterruptedError  # rolls this batch back; the finished ones stay
            feedback.setProgress(100.0 * (index + 1) / max(total, 1))

        try:
            with PgStore(params, schema=schema, srid=srid) as pg:
                if self.parameterAsBool(parameters, self.MIGRATE, context):
                    version = pg.migrate()
                    feedback.pushInfo(tr("Schema “{schema}” is at version {version}.").format(
                        schema=schema, version=version))
                counts = pg.export_cases(rows, events, county_code_of=county_of, on_batch=progress)
                cleaned = pg.cleaned
        except InterruptedError:
            raise QgsProcessingException(tr("Cancelled: the batches written so far are complete; run the export "
                                            "again to finish.")) from None
        except PgStoreError as err:
            raise_refusal(err)
        self._save_aliases(name, params, schema, feedback)
        # cases of batches finished by an earlier run are unchanged too
        counts["unchanged"] = len(rows) - counts["inserted"] - counts["updated"] - counts["stale"]
        feedback.pushInfo(tr("{inserted} cases added, {updated} updated, {unchanged} unchanged, {stale} newer in "
                             "PostGIS; {events} events added ({skipped} batches were already done).").format(
            inserted=counts["inserted"], updated=counts["updated"], unchanged=counts["unchanged"],
            stale=counts["stale"], events=counts["events_inserted"], skipped=counts["skipped_batches"]))
        if cleaned:
            feedback.pushWarning(tr("{n} names or comments held invisible control characters (such as NUL) and were "
                                    "exported without them.").format(n=cleaned))
        return {"INSERTED": counts["inserted"], "UPDATED": counts["updated"], "UNCHANGED": counts["unchanged"],
                "STALE": counts["stale"], "EVENTS": counts["events_inserted"]}
