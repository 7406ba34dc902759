"""--code script of the desktop smoke test, run inside the real QGIS desktop once it has started.

It checks what an analyst sees (provider, algorithms, toolbar, menu), then presses the one-click
coding button on a loaded sample county, waits for the background task, checks the styled result,
imports a few GPX tracks into the same 田管库 through Processing, opens the 轨迹复现 dock from its
toolbar button, loads a patrol, plays it on the canvas and steps it, unloads the plugin and checks
that nothing it added is left, and writes its findings as JSON.
"""
import json
import os

import qgis.utils
from qgis.core import QgsApplication, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QAction, QDockWidget, QToolBar
from qgis.utils import iface

PLUGIN = "linxia_tianguan_plugin"
RESULT = os.environ["TIANGUAN_SMOKE_RESULT"]
SAMPLE = os.environ.get("TIANGUAN_SMOKE_SAMPLE", "")
TRACKS = os.environ.get("TIANGUAN_SMOKE_TRACKS", "")
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
        # the desk's store is not there yet: one-click asks before creating it; answer as the analyst does
        QTimer.singleShot(1500, answer_new_store)
        window.findChild(QAction, "linxia_tianguan_one_click").trigger()
        out["steps"].append("one-click started")
        wait_for_coding(plugin, 0)
    else:
        finish()


def answer_new_store():
    """Press Yes on one-click's question whether to create the store (a modal box blocks until answered)."""
    from qgis.PyQt.QtWidgets import QApplication, QMessageBox

    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        out["asked_new_store"] = box.text()
        box.button(QMessageBox.StandardButton.Yes).click()


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
    if TRACKS:
        replay(plugin)
    else:
        finish()


def replay(plugin):
    """Tracks into the store the toolbar uses, then the replay dock as an analyst opens it."""
    import processing

    from linxia_tianguan_plugin import settings

    result = processing.run("linxia_tianguan:import_tracks", {"FOLDER": TRACKS, "STORE": settings.store_path(),
                                                              "NEW_STORE": False})
    out["tracks_imported"] = int(result["TRACKS"])
    window = iface.mainWindow()
    out["layers_before_replay"] = len(QgsProject.instance().mapLayers())
    window.findChild(QAction, "linxia_tianguan_track_replay").trigger()
    dock = window.findChild(QDockWidget, "linxia_tianguan_track_replay")
    out["replay_dock"] = dock is not None and dock.isVisible()
    if dock is None:
        finish()
        return
    out["replay_patrols"] = dock.patrol.count()
    dock.load_selected()
    out["replay_layers"] = len(QgsProject.instance().mapLayers()) - out["layers_before_replay"]
    out["replay_clock_start"] = dock.clock.text()
    dock.toggle_play()  # play on the canvas with the dock's own timer
    QTimer.singleShot(3000, lambda: after_play(dock))


def after_play(dock):
    out["replay_index_after_play"] = dock.index
    dock.toggle_play()
    dock.step(1)
    out["replay_index_after_step"] = dock.index
    out["replay_figures"] = dock.figures.text()
    out["replay_extent_ok"] = iface.mapCanvas().extent().width() > 0
    out["steps"].append("replayed")
    window = iface.mainWindow()
    window.findChild(QAction, "linxia_tianguan_case_review").trigger()
    cases = window.findChild(QDockWidget, "linxia_tianguan_case_review")
    out["case_dock"] = cases is not None and cases.isVisible()
    window.findChild(QAction, "linxia_tianguan_dashboard").trigger()
    dashboard = window.findChild(QDockWidget, "linxia_tianguan_dashboard")
    out["dashboard_dock"] = dashboard is not None and dashboard.isVisible()
    if dashboard is not None:
        from linxia_tianguan_plugin import settings

        out["dashboard_store"] = dashboard.set_store(settings.store_path())
        farmland = dashboard.table("farmland")
        out["dashboard_farmland_rows"] = farmland.rowCount() if farmland is not None else 0
        chart = dashboard.chart("farmland")
        out["dashboard_chart_axes"] = len(chart.axes) if chart is not None else 0
    finish()


def finish():
    qgis.utils.unloadPlugin(PLUGIN)
    QTimer.singleShot(500, after_unload)  # let the event loop delete what unload() released


def after_unload():
    out["unloaded"] = ui_state()
    out["unloaded_dock"] = any(iface.mainWindow().findChild(QDockWidget, name) is not None
                               for name in ("linxia_tianguan_track_replay", "linxia_tianguan_case_review",
                                            "linxia_tianguan_dashboard"))
    out["layers_after_unload"] = len(QgsProject.instance().mapLayers())
    out["steps"].append("unloaded")
    save()
    QgsApplication.exit(0)


QTimer.singleShot(2000, start)
