"""Common base of the plugin's Processing algorithms: names, groups, icon and bilingual help."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from qgis.core import QgsField, QgsFields, QgsProcessing, QgsProcessingAlgorithm, QgsProcessingException
from qgis.PyQt.QtGui import QIcon

from ..i18n import tr
from ..resources import icon_path


def group_name(group_id: str) -> str:
    # the literal strings are repeated so that the translation extractor sees them
    return {
        "coding": tr("Space coding"),
        "grid": tr("Patrol grid"),
        "patrol": tr("Officers and patrol tasks"),
        "changes": tr("Change analysis and cases"),
        "maps": tr("Maps and reports"),
    }[group_id]


class AlgorithmBase(QgsProcessingAlgorithm):
    """Thin algorithms: read sources, call ``core``, write sinks, report progress."""

    group_id = "coding"
    icon_name = "linxia_tianguan.svg"

    def createInstance(self):
        return type(self)()

    def group(self) -> str:
        return group_name(self.group_id)

    def groupId(self) -> str:
        return self.group_id

    @contextlib.contextmanager
    def opened_store(self, parameters, name: str, context, create: bool = True,
                     epsg: int | None = None) -> Iterator:
        """The 田管库 of file parameter ``name`` (None when not given), closed afterwards; a new one
        takes ``epsg`` (the county's CRS)."""
        from ..storage import GpkgStore, StoreError

        path = self.parameterAsFile(parameters, name, context)
        store = None
        if path:
            try:
                store = GpkgStore(path, epsg=epsg, create=create)
            except (StoreError, OSError) as err:
                raise QgsProcessingException(tr("Cannot open the tianguan store {path}: {error}").format(
                    path=path, error=err)) from err
        try:
            yield store
        finally:
            if store is not None:
                store.close()

    def parameterAsSink(self, parameters, name, context, fields, *args, **kwargs):
        """The output's sink; a temporary (memory) output gets its fields without aliases.

        QGIS (3.40) warns twice per field that carries an alias when it makes a scratch layer for a sink; the
        aliases reach such a layer anyway, set on it once the run is done (``fields.KeepsAliases``)."""
        if (context.defaultEncoding() or "").lower() in ("", "system"):
            # qgis_process and scripts leave it unset: a shapefile then says "system" in its .cpg while its DBF
            # holds UTF-8, and every other reader shows the Chinese as mojibake
            context.setDefaultEncoding("UTF-8")
        destination = self.parameterAsOutputLayer(parameters, name, context) or ""
        if destination in ("", QgsProcessing.TEMPORARY_OUTPUT) or destination.startswith("memory:"):
            plain = QgsFields()
            for i in range(fields.count()):
                field = QgsField(fields.at(i))
                field.setAlias("")
                plain.append(field)
            fields = plain
        return super().parameterAsSink(parameters, name, context, fields, *args, **kwargs)

    def prepareAlgorithm(self, parameters, context, feedback) -> bool:
        """Note the 田管库 of the run (the STORE parameter) for :meth:`postProcessAlgorithm`."""
        self._stores_used = set()
        if self.parameterDefinition("STORE") is not None:
            path = self.parameterAsFile(parameters, "STORE", context)
            if path:
                self._stores_used.add(os.path.realpath(path))
        return True

    def postProcessAlgorithm(self, context, feedback):
        """Reload the project's layers read from a store this run wrote to (main thread, after the run: see
        :mod:`..store_layers`)."""
        stores = getattr(self, "_stores_used", set())
        self._stores_used = set()
        if stores:
            from ..store_layers import reload_store_layers

            # (a context made without a project, as scripts do, still runs under the application's project)
            reload_store_layers(stores, context.project() if context is not None else None)
        return {}

    def icon(self) -> QIcon:
        return QIcon(icon_path(self.icon_name))

    def svgIconPath(self) -> str:
        return icon_path(self.icon_name)
