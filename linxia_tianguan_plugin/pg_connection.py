"""libpq keywords from a QGIS PostgreSQL connection: credentials come only from the connection or its
authentication configuration (authcfg) in QGIS's encrypted store — never from plugin settings, project
files or parameters — and are never logged."""
from __future__ import annotations

from qgis.core import (
    QgsApplication,
    QgsAuthMethodConfig,
    QgsDataSourceUri,
    QgsProcessingException,
    QgsProviderConnectionException,
    QgsProviderRegistry,
)

from .i18n import tr


def connection_params(name: str) -> dict:
    """The libpq keywords (host, port, dbname, user, password, sslmode, service) of a saved connection."""
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    try:
        connection = metadata.findConnection(name) if name else None
    except QgsProviderConnectionException:  # 3.22 raises instead of returning None for some failures
        connection = None
    if connection is None:
        raise QgsProcessingException(tr("There is no PostgreSQL connection named “{name}”. Create it in the "
                                        "Data Source Manager (PostgreSQL) with an authentication configuration, "
                                        "then choose it here.").format(name=name))
    uri = QgsDataSourceUri(connection.uri())
    params = {"host": uri.host(), "port": uri.port(), "dbname": uri.database(), "user": uri.username(),
              "password": uri.password(), "service": uri.service()}
    if uri.sslMode() != QgsDataSourceUri.SslMode.SslPrefer:
        params["sslmode"] = QgsDataSourceUri.encodeSslMode(uri.sslMode())
    if uri.authConfigId():
        config = QgsAuthMethodConfig()
        if not QgsApplication.authManager().loadAuthenticationConfig(uri.authConfigId(), config, True):
            raise QgsProcessingException(tr("The authentication configuration {id} of connection “{name}” cannot "
                                            "be read: unlock QGIS's password store (master password) or fix the "
                                            "configuration.").format(id=uri.authConfigId(), name=name))
        params["user"] = config.config("username") or params["user"]
        params["password"] = config.config("password") or params["password"]
    return {k: v for k, v in params.items() if v not in (None, "")}


#: the prefecture store's default schema, and the first schema version that is a prefecture store
#: (storage/pg_prefecture.py)
PREFECTURE_SCHEMA = "tianguan"
SHARED_STORE_VERSION = 6


class PrefectureError(Exception):
    """The prefecture store cannot be read; the message is in the user's words (never a password)."""


def open_prefecture(name: str, schema: str = PREFECTURE_SCHEMA):
    """The prefecture's shared store (a ``storage.postgis.PgStore``, open) through the saved QGIS connection
    ``name``, schema ``schema``, checked to be one: psycopg2 installed, a valid schema name, a schema at version
    :data:`SHARED_STORE_VERSION` or later, a server that answers. Raises :class:`PrefectureError` in words otherwise
    — one place for the algorithms that read it and the dashboard dock. The caller closes the store."""
    from .dependencies import postgis_unavailable

    if not name:
        raise PrefectureError(tr("Choose a PostgreSQL connection saved in QGIS (Data Source Manager › PostgreSQL) to "
                                 "read the prefecture store."))
    unavailable = postgis_unavailable()
    if unavailable:
        raise PrefectureError(unavailable)
    from .storage.pg_schema import SchemaError, check_schema_name
    from .storage.postgis import PgStore, PgStoreError

    try:
        check_schema_name(schema)
    except SchemaError:
        raise PrefectureError(tr("“{schema}” is not a schema name: lower-case letters, digits and _ only.").format(
            schema=schema)) from None
    try:
        params = connection_params(name)
    except QgsProcessingException as err:  # no such connection, a locked authentication configuration
        raise PrefectureError(str(err)) from None
    pg = PgStore(params, schema=schema)
    try:
        version = pg.schema_version()
    except PgStoreError as err:
        pg.close()
        raise PrefectureError(prefecture_error(err, name, schema)) from None
    if version < SHARED_STORE_VERSION:
        pg.close()
        raise PrefectureError(tr(
            "Schema “{schema}” of {where} is not a prefecture store (version {version}, needs {needed}): check the "
            "schema name, or ask the prefecture's administrator to set it up (州库建库与授权).").format(
            schema=schema, where=pg.describe(), version=version, needed=SHARED_STORE_VERSION))
    return pg


def prefecture_error(err: Exception, name: str, schema: str) -> str:
    """A database error of the prefecture store in the user's words (``PgStoreError`` never carries a password)."""
    if getattr(err, "pgcode", None) == "42501":
        return tr("The database role of connection “{name}” may not read the prefecture store (schema “{schema}”): "
                  "ask the prefecture's administrator to grant it a county or the prefecture "
                  "(州库建库与授权).").format(name=name, schema=schema)
    if str(err).startswith("connecting failed"):
        return tr("Cannot connect to the prefecture store through connection “{name}”: is the server running and "
                  "reachable? ({error})").format(name=name, error=err)
    return tr("Cannot read the prefecture store: {error}").format(error=err)
