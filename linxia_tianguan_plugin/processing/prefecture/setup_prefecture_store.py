"""州库建库与授权 — the prefecture administrator creates or upgrades the shared schema and gives a database role its
scope (Processing algorithm ``linxia_tianguan:setup_prefecture_store``).

Thin: :meth:`..storage.postgis.PgStore.migrate` (versioned, forward, idempotent) and
:func:`..storage.pg_schema.grant_scope`. Creating login roles and their passwords stays with the database
administrator (docs/prefecture.md gives the SQL): the plugin never handles a password.
"""
from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterCrs,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterString,
)

from ...dependencies import postgis_unavailable
from ...i18n import tr
from ...pg_connection import connection_params
from ..base import AlgorithmBase
from ..cases.export_cases import raise_refusal


class SetupPrefectureStoreAlgorithm(AlgorithmBase):
    CONNECTION, SCHEMA, CRS, ROLE, SCOPE = "CONNECTION", "SCHEMA", "CRS", "ROLE", "SCOPE"

    def name(self) -> str:
        return "setup_prefecture_store"

    def displayName(self) -> str:
        return tr("Set up the prefecture store")

    def shortHelpString(self) -> str:
        return tr(
            "<p>州库建库与授权 · For the prefecture's database administrator: creates the shared schema, or upgrades "
            "it to the plugin's version (safe to run again), and gives an existing database role its scope — a "
            "county code (6 digits) makes the role that county's desk, which reads and publishes its county; the "
            "prefecture code 6229 a reader of every county; a township code (9 digits) a reader of that township. "
            "Row-level security in the database enforces the scopes.</p>"
            "<p>The connection's role must own the schema or be its administrator (CREATEROLE, member of the "
            "schema's owner role). The coordinate system is the one all counties' geometry is kept in (CGCS2000 "
            "3-degree zone 34, EPSG:4522, holds the whole prefecture); it is fixed when the schema is created. "
            "Create the login roles and their passwords in the database itself (see the user guide, 州库共享).</p>")

    def initAlgorithm(self, config=None) -> None:
        self.addParameter(QgsProcessingParameterProviderConnection(
            self.CONNECTION, tr("PostgreSQL connection (administrator)"), "postgres"))
        self.addParameter(QgsProcessingParameterString(self.SCHEMA, tr("Schema"), "tianguan"))
        self.addParameter(QgsProcessingParameterCrs(
            self.CRS, tr("Coordinate system of the shared store"), "EPSG:4522"))
        self.addParameter(QgsProcessingParameterString(self.ROLE, tr("Database role to grant (optional)"),
                                                       optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.SCOPE, tr("Its scope: county, prefecture (6229) or township code"), optional=True))
        self.addOutput(QgsProcessingOutputNumber("VERSION", tr("Schema version")))

    def checkParameterValues(self, parameters, context):
        ok, message = super().checkParameterValues(parameters, context)
        if not ok:
            return ok, message
        from ...core.prefecture.scopes import ScopeError, check_scope

        role = self.parameterAsString(parameters, self.ROLE, context).strip()
        scope = self.parameterAsString(parameters, self.SCOPE, context).strip()
        if bool(role) != bool(scope):
            return False, tr("Give both the database role and its scope, or neither.")
        if scope:
            try:
                check_scope(scope)
            except ScopeError:
                return False, tr("Scope “{scope}” is not a prefecture (4 digits), county (6) or township (9) "
                                 "code.").format(scope=scope)
        crs = self.parameterAsCrs(parameters, self.CRS, context)
        if not crs.isValid() or not crs.authid().startswith("EPSG:") or crs.isGeographic():
            return False, tr("Choose a projected EPSG coordinate system (e.g. EPSG:4522) for the shared store.")
        return True, ""

    def processAlgorithm(self, parameters, context, feedback):
        unavailable = postgis_unavailable()
        if unavailable:
            raise QgsProcessingException(unavailable)
        import psycopg2

        from ...storage import pg_schema
        from ...storage.postgis import PgStore, PgStoreError

        name = self.parameterAsConnectionName(parameters, self.CONNECTION, context)
        params = connection_params(name)
        schema = self.parameterAsString(parameters, self.SCHEMA, context) or "tianguan"
        srid = int(self.parameterAsCrs(parameters, self.CRS, context).authid().split(":")[1])
        role = self.parameterAsString(parameters, self.ROLE, context).strip()
        scope = self.parameterAsString(parameters, self.SCOPE, context).strip()
        try:
            with PgStore(params, schema=schema, srid=srid) as pg:
                version = pg.migrate()
                feedback.pushInfo(tr("Schema “{schema}” is at version {version}.").format(schema=schema,
                                                                                         version=version))
                if role:
                    pg_schema.grant_scope(pg.conn, role, scope, schema)
                    feedback.pushInfo(tr("Role “{role}” now has scope {scope}.").format(role=role, scope=scope))
        except pg_schema.SchemaError as err:
            raise QgsProcessingException(tr("The prefecture store was not set up: {error}").format(error=err)) from None
        except psycopg2.Error as err:
            raise QgsProcessingException(tr("The prefecture store was not set up: {error}").format(
                error=str(err).strip())) from None
        except PgStoreError as err:
            raise_refusal(err)
        return {"VERSION": version}
