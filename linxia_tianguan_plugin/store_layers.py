"""The project's layers read from a 田管库 the plugin has just written: reloaded, so that they keep showing it.

QGIS reads a GeoPackage layer through a read-only OGR connection; opened while the store had no WAL files, that
connection cannot see what another connection then wrote through a new WAL, and the layer comes back empty
("unable to open database file") until reloaded. Whatever writes a store from the desktop — an algorithm
(``AlgorithmBase.postProcessAlgorithm``, main thread, after the run) or a dock's action — calls this afterwards;
the plugin's readers open the store read-only (``GpkgStore(read_only=True)``) and need not.
"""
from __future__ import annotations

import os
from collections.abc import Iterable

from qgis.core import QgsProject, QgsProviderRegistry, QgsVectorLayer


def reload_store_layers(stores: Iterable[str], project: QgsProject | None = None) -> int:
    """Reload the OGR layers of ``project`` (default: the application's) read from the GeoPackages at ``stores``;
    returns how many were reloaded."""
    wanted = {os.path.realpath(path) for path in stores if path}
    if not wanted:
        return 0
    project = project or QgsProject.instance()
    registry = QgsProviderRegistry.instance()
    reloaded = 0
    for layer in project.mapLayers().values():
        if isinstance(layer, QgsVectorLayer) and layer.providerType() == "ogr":
            path = registry.decodeUri("ogr", layer.source()).get("path") or ""
            if path and os.path.realpath(path) in wanted:
                layer.dataProvider().reloadData()
                layer.triggerRepaint()
                reloaded += 1
    return reloaded
