"""--code script of tools/screenshots.py, run inside the real QGIS desktop once it has started.

It works as a desk analyst would on the sample county: loads the survey layers, presses the one-click
coding button, then prepares the rest of the 田管库 with the plugin's Processing algorithms
(``processing.run``) and photographs, one after the other with the event loop running in between (so that
the map canvas has drawn): the main window, the Processing toolbox open at the provider, the algorithm
dialogs filled with the sample's inputs, the 轨迹复现 / 案件审核 / 驾驶舱 docks and the layout designer.

Environment (set by tools/screenshots.py): TIANGUAN_SHOTS_SAMPLE (sample folder), TIANGUAN_SHOTS_OUT (PNG
folder), TIANGUAN_SHOTS_WORK (scratch folder holding the store), TIANGUAN_SHOTS_RESULT (JSON written at the
end: saved, warnings, errors, finished, seconds).
"""
import json
import os
import shutil
import time
import traceback
from pathlib import Path

import qgis.utils
from qgis.core import QgsApplication, QgsProject, QgsRectangle, QgsVectorLayer
from qgis.PyQt.QtCore import QSize, QTimer
from qgis.PyQt.QtWidgets import QAction, QApplication, QDockWidget
from qgis.utils import iface

PLUGIN = "linxia_tianguan_plugin"
PROVIDER = "linxia_tianguan"
SAMPLE = Path(os.environ["TIANGUAN_SHOTS_SAMPLE"])
OUT = Path(os.environ["TIANGUAN_SHOTS_OUT"])
WORK = Path(os.environ["TIANGUAN_SHOTS_WORK"])
RESULT = Path(os.environ["TIANGUAN_SHOTS_RESULT"])
GPKG = SAMPLE / "sample_county.gpkg"
MONTH = {"START": "2025-06-01", "END": "2025-06-30"}
WEEK = {"START": "2025-06-09", "END": "2025-06-15"}
WINDOW = QSize(1440, 900)
DIALOG = QSize(1100, 760)
#: townships whose tracks are imported (all of them would only make the run longer)
TRACK_TOWNSHIPS = ("622921100", "622921102", "622921200")

state = {"saved": [], "warnings": [], "errors": [], "finished": False, "started": time.time()}


def uri(name):
    return f"{GPKG}|layername={name}"


def store():
    return str(WORK / "tianguan.gpkg")


def plugin():
    return qgis.utils.plugins[PLUGIN]


def warn(text):
    print("warning:", text, flush=True)
    state["warnings"].append(text)


def registered(algorithm_id):
    return QgsApplication.processingRegistry().algorithmById(algorithm_id) is not None


def run(algorithm_id, params):
    import processing

    return processing.run(algorithm_id, params)


def save(widget, name):
    """Grab a widget (its window contents, as drawn) to OUT/name.png."""
    QApplication.processEvents()
    pixmap = widget.grab()
    if pixmap.isNull() or not pixmap.save(str(OUT / f"{name}.png"), "PNG", 0):  # 0: smallest file
        raise RuntimeError(f"could not save {name}.png")
    state["saved"].append(f"{name}.png")


def canvas_idle():
    canvas = iface.mapCanvas()
    return not canvas.isDrawing()


# ----------------------------------------------------------------------------------------- the steps
def load_survey():
    """The survey layers an analyst opens before coding (one-click finds them by their role)."""
    project = QgsProject.instance()
    for name, title in (("DLTB", "DLTB 地类图斑"), ("DK", "DK 承包地块"), ("YJJBNTTB", "YJJBNTTB 永久基本农田"),
                        ("CJDCQ", "CJDCQ 村级调查区"), ("XZQ", "XZQ 乡镇")):
        layer = QgsVectorLayer(uri(name), title, "ogr")
        if not layer.isValid():
            raise RuntimeError(f"the sample has no valid layer {name}")
        project.addMapLayer(layer)
    outline(project.mapLayersByName("XZQ 乡镇")[0], "40,40,40", "0.6")
    outline(project.mapLayersByName("CJDCQ 村级调查区")[0], "120,120,120", "0.25")
    window = iface.mainWindow()
    window.resize(WINDOW)
    window.move(0, 0)


def outline(layer, color, width):
    from qgis.core import QgsFillSymbol, QgsSingleSymbolRenderer

    layer.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(
        {"color": "0,0,0,0", "outline_color": color, "outline_width": width})))


def hide_layers(*titles):
    root = QgsProject.instance().layerTreeRoot()
    for title in titles:
        for layer in QgsProject.instance().mapLayersByName(title):
            node = root.findLayer(layer.id())
            if node is not None:
                node.setItemVisibilityChecked(False)


def zoom_to_first_village(coded):
    """The canvas on the coded parcels of the county's first village: codes readable, a few hundred parcels."""
    from qgis.core import QgsFeatureRequest

    first = next(coded.getFeatures(QgsFeatureRequest().setLimit(1)), None)
    if first is None:
        raise RuntimeError("the coded parcel layer is empty")
    prefix = str(first["code"])[:12]
    request = QgsFeatureRequest().setFilterExpression(f"left(\"code\", 12) = '{prefix}'")
    request.setNoAttributes()
    box = QgsRectangle()
    box.setMinimal()
    for feature in coded.getFeatures(request):
        box.combineExtentWith(feature.geometry().boundingBox())
    box.scale(0.8)
    iface.mapCanvas().setExtent(box)
    iface.mapCanvas().refresh()


def prepare_store():
    """The rest of the store, as the desk makes it: grid, roster, tasks, tracks, coverage, changes, cases."""
    run("linxia_tianguan:build_grid", {"XZQ": uri("XZQ"), "CJDCQ": uri("CJDCQ"), "STORE": store()})
    run("linxia_tianguan:import_roster", {"INPUT": str(SAMPLE / "roster.csv"), "STORE": store()})
    run("linxia_tianguan:dispatch_tasks", dict(MONTH, STORE=store(), OUTPUT=None))
    tracks = WORK / "tracks"
    tracks.mkdir(exist_ok=True)
    for gpx in sorted((SAMPLE / "tracks").glob("*.gpx")):
        if gpx.name.startswith(TRACK_TOWNSHIPS):
            shutil.copy(gpx, tracks / gpx.name)
    run("linxia_tianguan:import_tracks", {"FOLDER": str(tracks), "STORE": store()})
    run("linxia_tianguan:check_tracks", {"STORE": store(), "OUTPUT": None})
    run("linxia_tianguan:patrol_coverage", dict(WEEK, STORE=store()))
    run("linxia_tianguan:change_detection", change_params(OUTPUT=None))
    move_cases()


def change_params(**extra):
    params = {"BEFORE": uri("DLTB"), "AFTER": uri("DLTB_2025"), "YJJBNT": uri("YJJBNTTB"),
              "APPROVED": uri("PZYD"), "FACILITY": uri("SSNYDBA"), "TEMPORARY": uri("LSYD"),
              "BOUNDARY": uri("CZKFBJ"), "TODAY": "2025-06-30", "STORE": store()}
    params.update(extra)
    return params


def move_cases():
    """A few cases along the workflow, so that the review dock shows states and history."""
    from linxia_tianguan_plugin.core.cases import workflow as wf
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import cases, take_action

    gpkg = GpkgStore(store(), create=False)
    try:
        waiting = cases(gpkg, state="pending")
        moves = [("issue", "县审核员", wf.COUNTY_REVIEWER, "", ()),
                 ("submit_evidence", "社田管员", wf.GROUP_OFFICER, "现场核实，已拍照", ("举证/现场照片_1.jpg",)),
                 ("report", "村田管员", wf.VILLAGE_TOWNSHIP, "", ())]
        for n, case in enumerate(waiting[:4]):
            version = case["version"]
            for action, actor, role, comment, files in moves[:1 + n % 3]:
                version = take_action(gpkg, case["case_id"], action, actor, role, version, comment,
                                      files)["version"]
    finally:
        gpkg.close()


def main_window_shot(coded):
    hide_layers("DLTB 地类图斑", "DK 承包地块", "YJJBNTTB 永久基本农田")
    iface.setActiveLayer(coded)
    zoom_to_first_village(coded)


def toolbox_shot():
    toolbox = qgis.utils.plugins["processing"].toolbox
    toolbox.show()
    toolbox.raise_()
    tree = toolbox.algorithmTree
    proxy = tree.model()
    tree.collapseAll()
    title = QgsApplication.processingRegistry().providerById(PROVIDER).name()
    index = next((proxy.index(row, 0) for row in range(proxy.rowCount())
                  if proxy.index(row, 0).data() == title), None)
    if index is None:
        raise RuntimeError("the Processing toolbox has no linxia_tianguan provider")
    tree.expand(index)
    for row in range(proxy.rowCount(index)):
        tree.expand(proxy.index(row, 0, index))
    tree.scrollTo(index, tree.PositionAtTop)
    toolbox.setFloating(True)
    toolbox.resize(460, 880)
    return toolbox


#: (algorithm id, PNG name, parameters the dialog opens with)
def dialogs():
    out = str(WORK / "输出")
    return [
        ("space_code", "dialog_space_code", {"DLTB": uri("DLTB"), "DK": uri("DK"), "YJJBNT": uri("YJJBNTTB"),
                                             "CJDCQ": uri("CJDCQ"), "STORE": store()}),
        ("build_grid", "dialog_build_grid", {"XZQ": uri("XZQ"), "CJDCQ": uri("CJDCQ"), "STORE": store()}),
        ("import_roster", "dialog_import_roster", {"INPUT": str(SAMPLE / "roster.xlsx"), "STORE": store()}),
        ("dispatch_tasks", "dialog_dispatch_tasks", dict(MONTH, STORE=store())),
        ("import_tracks", "dialog_import_tracks", {"FOLDER": str(WORK / "tracks"), "STORE": store()}),
        ("check_tracks", "dialog_check_tracks", {"STORE": store()}),
        ("patrol_coverage", "dialog_patrol_coverage", dict(WEEK, STORE=store())),
        ("change_detection", "dialog_change_detection", change_params()),
        ("export_cases", "dialog_export_cases", {"STORE": store(), "CONNECTION": "临夏县田管服务器",
                                                 "SCHEMA": "tianguan"}),
        ("qr_labels", "dialog_qr_labels", {"STORE": store(), "CODES": "62292110000101",
                                           "OUTPUT": out + "/二维码标识"}),
        ("statistics_map", "dialog_statistics_map", {"STORE": store(), "DATE_FROM": "2025-06-01",
                                                     "DATE_TO": "2025-06-30", "OUTPUT_PDF": out + "/专题图.pdf"}),
        ("dashboard_report", "dialog_dashboard_report", {"STORE": store(), "DATE_FROM": "2025-06-01",
                                                         "DATE_TO": "2025-06-30", "TODAY": "2025-06-30",
                                                         "OUTPUT_PDF": out + "/驾驶舱报告.pdf"}),
        ("assessment", "dialog_assessment", {"STORE": store(), "DATE": "2025-06-15",
                                             "OUTPUT": out + "/巡田考核_2025-06.xlsx"}),
        ("field_package_export", "dialog_field_package_export", {"STORE": store(), "GRID": "62292110000101",
                                                                 "OUTPUT": out + "/外业包"}),
    ]


def saved_connection():
    """A saved PostGIS connection in the throwaway profile, for the export dialog to show (never used)."""
    from qgis.core import QgsProviderRegistry

    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    connection = metadata.createConnection("dbname='tianguan' host=10.62.29.1 port=5432 sslmode=prefer "
                                           "authcfg=tg00001", {})
    metadata.saveConnection(connection, "临夏县田管服务器")


def answer_yes():
    """Press Yes on the modal question shown (one-click's "create the store here?")."""
    from qgis.PyQt.QtWidgets import QMessageBox

    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        box.button(QMessageBox.StandardButton.Yes).click()


# ----------------------------------------------------------------------------------------- the scenario
def scenario():
    """Steps as a generator: yields a number of milliseconds to wait, or a condition to wait for."""
    load_survey()
    yield 500
    # the desk's store is not there yet: one-click asks before creating it — answer Yes as the analyst does
    QTimer.singleShot(1500, answer_yes)
    iface.mainWindow().findChild(QAction, "linxia_tianguan_one_click").trigger()
    yield lambda: plugin().one_click.running is None
    coded = QgsProject.instance().mapLayersByName(plugin().one_click.result_layer_name())
    if not coded:
        raise RuntimeError("one-click coding loaded no layer")
    prepare_store()
    # the store's first bulk loads (grid) switch its journal away from WAL and back, after which a layer
    # opened on it before reads nothing ("unable to open database file") until reloaded
    coded[0].reload()
    saved_connection()

    main_window_shot(coded[0])
    yield 800
    yield canvas_idle
    yield 300
    save(iface.mainWindow(), "main_window")

    try:
        toolbox = toolbox_shot()
        yield 500
        save(toolbox, "processing_toolbox")
    except Exception as err:  # one failed shot must not cost the others
        state["errors"].append(f"processing_toolbox: {err}")
    finally:
        toolbox = qgis.utils.plugins["processing"].toolbox
        toolbox.setFloating(False)
        toolbox.hide()

    import processing

    for name, png, params in dialogs():
        algorithm_id = f"{PROVIDER}:{name}"
        if not registered(algorithm_id):
            warn(f"{algorithm_id} is not registered: {png}.png not taken")
            continue
        try:
            dialog = processing.createAlgorithmDialog(algorithm_id, params)
            dialog.resize(DIALOG)
            dialog.show()
            yield 600
            save(dialog, png)
            dialog.close()
            dialog.deleteLater()
        except Exception as err:
            state["errors"].append(f"{png}: {err}")
        yield 100

    # 轨迹复现: the dock, a patrol loaded and moved on, the canvas following it
    try:
        plugin().show_replay()
        dock = plugin().replay_dock
        dock.load_selected()
        for _ in range(20):
            dock.step(1)
        yield 800
        yield canvas_idle
        yield 300
        save(iface.mainWindow(), "dock_track_replay")
        dock.stop()
        dock.hide()
    except Exception as err:
        state["errors"].append(f"dock_track_replay: {err}\n{traceback.format_exc()}")

    # 案件审核: the dock with the first case selected and shown on the map
    try:
        plugin().show_cases()
        dock = plugin().case_dock
        ids = dock.visible_case_ids()
        if ids:
            dock.select_case(ids[0])
        yield 800
        yield canvas_idle
        yield 300
        save(iface.mainWindow(), "dock_case_review")
        dock.hide()
    except Exception as err:
        state["errors"].append(f"dock_case_review: {err}\n{traceback.format_exc()}")

    # 驾驶舱 (only when the plugin has it)
    if hasattr(plugin(), "show_dashboard"):
        try:
            import datetime as dt

            plugin().show_dashboard()
            dock = iface.mainWindow().findChild(QDockWidget, "linxia_tianguan_dashboard")
            if dock is not None and hasattr(dock, "set_filters"):
                dock.set_filters("", dt.date(2025, 6, 1), dt.date(2025, 6, 30), today=dt.date(2025, 6, 30))
            yield 1500
            save(iface.mainWindow(), "dock_dashboard")
            if dock is not None:
                dock.hide()
        except Exception as err:
            state["errors"].append(f"dock_dashboard: {err}\n{traceback.format_exc()}")
    else:
        warn("the plugin has no show_dashboard(): dock_dashboard.png not taken")

    # 统计专题图 in the layout designer
    if registered(f"{PROVIDER}:statistics_map"):
        try:
            WORK.joinpath("输出").mkdir(exist_ok=True)
            run(f"{PROVIDER}:statistics_map", {"STORE": store(), "INDICATOR": 0, "DATE_FROM": "2025-06-01",
                                               "DATE_TO": "2025-06-30", "ATLAS": False, "ADD_TO_PROJECT": True,
                                               "OUTPUT_PDF": str(WORK / "输出" / "专题图.pdf")})
            layouts = QgsProject.instance().layoutManager().printLayouts()
            if not layouts:
                raise RuntimeError("statistics_map added no layout to the project")
            designer = iface.openLayoutDesigner(layouts[0])
            window = designer.window()
            window.resize(WINDOW)
            yield 2000
            save(window, "layout_designer")
            designer.close()
        except Exception as err:
            state["errors"].append(f"layout_designer: {err}\n{traceback.format_exc()}")
    else:
        warn(f"{PROVIDER}:statistics_map is not registered: layout_designer.png not taken")


def drive(steps):
    try:
        item = next(steps)
    except StopIteration:
        finish(True)
        return
    except Exception as err:  # a failed preparation ends the run, reported
        state["errors"].append(f"{err}\n{traceback.format_exc()}")
        finish(False)
        return
    wait(steps, item, time.time())


def wait(steps, item, since):
    if callable(item):
        if item() or time.time() - since > 120:
            if time.time() - since > 120:
                state["errors"].append("timed out waiting in the scenario")
            QTimer.singleShot(0, lambda: drive(steps))
        else:
            QTimer.singleShot(200, lambda: wait(steps, item, since))
    else:
        QTimer.singleShot(int(item), lambda: drive(steps))


def finish(ok):
    state["finished"] = ok
    state["seconds"] = time.time() - state["started"]
    RESULT.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    QgsProject.instance().clear()
    QgsApplication.exit(0)


QTimer.singleShot(2000, lambda: drive(scenario()))
