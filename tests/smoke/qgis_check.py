"""--code script of the desktop smoke test, run inside the real QGIS desktop once it has started.

It checks what an analyst sees (provider, algorithms, toolbar, menu), then presses the one-click
coding button on a loaded sample county, waits for the background task, checks the styled result and
the summary on the message bar, stores a case on a coded parcel and finds it by typing the case prefix
and its space code into the locator bar, imports a few GPX tracks into the same 田管库 through
Processing, opens the 轨迹复现 dock from its toolbar button, loads a patrol, plays it on the canvas and
steps it, unloads the plugin and checks that nothing it added is left, and writes its findings as JSON.
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
    QTimer.singleShot(1500, lambda: after_coding(plugin))  # QGIS's own "Task complete" bar comes and goes


def guarded(step):
    """Run ``step``; an exception is recorded and the run finishes, instead of QGIS waiting for the timeout."""
    def run(*args):
        try:
            step(*args)
        except Exception as err:  # whatever failed, the findings so far are written
            import traceback

            out["error"] = f"{step.__name__}: {err!r}\n{traceback.format_exc()}"
            finish()
    return run


@guarded
def after_coding(plugin):
    """What the message bar shows once the run is over (the summary must be the top item), then the locator."""
    bar = iface.messageBar()
    item = bar.currentItem()
    out["bar_after_coding"] = [item.title(), item.text(), int(item.level()), item.duration()] if item else None
    out["bar_items_after_coding"] = [[i.title(), i.text()] for i in bar.items()]
    # the project as the analyst made it: the docks opened from here on add layers that unload must remove
    out["layers_before_docks"] = len(QgsProject.instance().mapLayers())
    locate(plugin)


def insert_case():
    """One case on a parcel just coded, through the plugin's own storage API (coding makes no cases)."""
    import shapely

    from linxia_tianguan_plugin import settings
    from linxia_tianguan_plugin.core.cases.keys import case_key, case_uuid
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import save_cases

    plugin = qgis.utils.plugins[PLUGIN]
    layer = QgsProject.instance().mapLayersByName(plugin.one_click.result_layer_name())[0]
    feature = next(layer.getFeatures())
    code = str(feature["code"])
    geom = shapely.from_wkt(feature.geometry().asWkt())
    key = case_key("survey", code, "", "nonagri", "0702", "", geom)
    row = {"case_key": key, "case_id": case_uuid(key), "kind": "nonagri", "category": "suspect", "source": "survey",
           "area_m2": geom.area, "geom": geom, "parcel_codes": [code], "bsm_before": "", "grid_code": code[:14],
           "priority": 1}
    store = GpkgStore(settings.store_path(), create=False)
    try:
        save_cases(store, [row], "SMOKE", "smoke", {}, {}, {})
    finally:
        store.close()
    return code, row["case_id"]


@guarded
def locate(plugin):
    """Type the case prefix and a space code into QGIS's locator bar, as an analyst does, and record what our
    filter finds; then the legacy "aj <code>"; then open the found case as choosing the result does."""
    from qgis.gui import QgsLocatorWidget
    from qgis.PyQt import sip
    from qgis.PyQt.QtWidgets import QWidget

    code, case_id = insert_case()
    out["locator_code"], out["locator_case_id"] = code, case_id
    # the status bar's locator; PyQt knows it only as a QWidget (QGIS's app code made it): cast it
    found = iface.mainWindow().findChild(QWidget, "LocatorWidget")
    widget = sip.cast(found, QgsLocatorWidget) if found is not None else None
    if widget is None:
        out["locator_widget"] = False
        after_locate(plugin, [])
        return
    out["locator_widget"] = True
    ours = [f for f in widget.locator().filters() if f.name() == "linxia_tianguan_cases"]
    out["locator_prefix"] = ours[0].activePrefix() if ours else None
    searches = [("tga", f"{plugin.locator.prefix()} {code}"), ("aj", f"aj {code}")]
    search(widget, plugin, searches, [])


@guarded
def search(widget, plugin, searches, results):
    if not searches:
        after_locate(plugin, results)
        return
    (key, text), rest = searches[0], searches[1:]
    found = []

    def on_found(result):
        if result.filter is not None and result.filter.name() == "linxia_tianguan_cases":
            found.append(result)

    widget.locator().foundResult.connect(on_found)
    widget.search(text)  # focuses the locator bar, types the text and searches (as typing it does)

    def poll(ticks):
        if not found and ticks < 50:
            QTimer.singleShot(200, lambda: poll(ticks + 1))
            return
        widget.locator().foundResult.disconnect(on_found)
        out[f"locator_{key}"] = [[r.displayString, str(r.userData)] for r in found]
        search(widget, plugin, rest, results + found)

    QTimer.singleShot(200, lambda: poll(0))


@guarded
def after_locate(plugin, results):
    if results:
        plugin.locator.triggerResult(results[0])  # what choosing the result in the list does
        dock = iface.mainWindow().findChild(QDockWidget, "linxia_tianguan_case_review")
        out["locator_opened_case"] = dock.current_id if dock is not None else None
    out["steps"].append("located")
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
    picker = window.findChild(QAction, "linxia_tianguan_case_map_tool")
    picker.trigger()  # the 点选案件 button down: the canvas's map tool is the plugin's
    out["case_map_tool"] = picker.isChecked() and type(iface.mapCanvas().mapTool()).__name__ == "CaseMapTool"
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
    tool = iface.mapCanvas().mapTool()
    out["map_tool_after_unload"] = type(tool).__name__ if tool is not None else None
    out["unloaded_dock"] = any(iface.mainWindow().findChild(QDockWidget, name) is not None
                               for name in ("linxia_tianguan_track_replay", "linxia_tianguan_case_review",
                                            "linxia_tianguan_dashboard"))
    out["layers_after_unload"] = len(QgsProject.instance().mapLayers())
    out["steps"].append("unloaded")
    save()
    QgsApplication.exit(0)


QTimer.singleShot(2000, start)
