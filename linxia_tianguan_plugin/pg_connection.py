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
