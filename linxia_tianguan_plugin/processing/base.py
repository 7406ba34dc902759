"""Common base of the plugin's Processing algorithms: names, groups, icon and bilingual help."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException
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

    def icon(self) -> QIcon:
        return QIcon(icon_path(self.icon_name))

    def svgIconPath(self) -> str:
        return icon_path(self.icon_name)
