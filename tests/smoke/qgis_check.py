"""--code script of the desktop smoke test, run inside the real QGIS desktop once it has started.

It checks what an analyst sees (provider, algorithms, toolbar, menu), then presses the one-click
coding button on a loaded sample county, waits for the background task, checks the styled result,
unloads the plugin and checks that nothing it added is left, and writes its findings as JSON.
"""
import json
import os

import qgis.utils
from qgis.core import QgsApplication, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QAction, QToolBar
from qgis.utils import iface

PLUGIN = "linxia_tianguan_plugin"
RESULT = os.environ["TIANGUAN_SMOKE_RESULT"]
SAMPLE = os.environ.get("TIANGUAN_SMOKE_SAMPLE", "")
out = {"steps": []}


def save():
    with open(RESULT, "w", encoding="utf-8") as handle:
        json.dump(out, handle, ensure_ascii=False, indent=1)


def ui_state():
    window = iface.mainWindow()
    provider = QgsApplication.processingRegistry().providerById("linxia_tianguan")
    return {
        "provider": provider is not None,
        "provider_name": provider.name() if provider else None,
        "algorithms": sorted(a.id() for a in provider.algorithms()) if provider else [],
        "toolbar": window.findChild(QToolBar, "linxia_tianguan_toolbar") is not None,
        "actions": sorted(a.objectName() for a in window.findChildren(QAction)
                          if a.objectName().startswith("linxia_tianguan")),
        "menu": [a.text() for a in iface.pluginMenu().actions()],
    }


def start():
    out["loaded"] = ui_state()
    out["active_plugins"] = list(qgis.utils.active_plugins)
    out["steps"].append("checked")
    if SAMPLE:
        for name in ("DLTB", "DK", "YJJBNTTB", "CJDCQ"):
            QgsProject.instance().addMapLayer(QgsVectorLayer(f"{SAMPLE}|layername={name}", name, "ogr"))
        plugin = qgis.utils.plugins[PLUGIN]
        window = iface.mainWindow()
        window.findChild(QAction, "linxia_tianguan_one_click").trigger()
        out["steps"].append("one-click started")
        wait_for_coding(plugin, 0)
    else:
        finish()


def wait_for_coding(plugin, ticks):
    if plugin.one_click.running is not None and ticks < 600:
        QTimer.singleShot(500, lambda: wait_for_coding(plugin, ticks + 1))
        return
    layers = QgsProject.instance().mapLayersByName(plugin.one_click.result_layer_name())
    out["coded_layer"] = bool(layers)
    if layers:
        layer = layers[0]
        out["coded_count"] = layer.featureCount()
        out["coded_labels"] = layer.labelsEnabled()
        out["coded_renderer"] = layer.renderer().type()
    out["steps"].append("one-click finished")
    finish()


def finish():
    qgis.utils.unloadPlugin(PLUGIN)
    QTimer.singleShot(500, after_unload)  # let the event loop delete what unload() released


def after_unload():
    out["unloaded"] = ui_state()
    out["steps"].append("unloaded")
    save()
    QgsApplication.exit(0)


QTimer.singleShot(2000, start)
