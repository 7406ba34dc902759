"""--code script of tests/smoke/test_missing_dependencies.py, run inside the real QGIS desktop once it has
started with the plugin enabled and shapely hidden: it records what the user sees (message bar, dialogs,
provider, toolbar, menu, docks), unloads the plugin, records again, writes JSON and closes QGIS."""
import json
import os

import qgis.utils
from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QAction, QApplication, QDialog, QDockWidget, QPushButton, QToolBar
from qgis.utils import iface

PLUGIN = "linxia_tianguan_plugin"
out = {}


def state():
    window = iface.mainWindow()
    return {
        "provider": QgsApplication.processingRegistry().providerById("linxia_tianguan") is not None,
        "toolbar": window.findChild(QToolBar, "linxia_tianguan_toolbar") is not None,
        "actions": sorted(a.objectName() for a in window.findChildren(QAction)
                          if a.objectName().startswith("linxia_tianguan")),
        "docks": sorted(d.objectName() for d in window.findChildren(QDockWidget)
                        if d.objectName().startswith("linxia_tianguan")),
        "bar": [[item.title(), item.text(), int(item.level()), [b.text() for b in item.findChildren(QPushButton)]]
                for item in iface.messageBar().items()],
        # a Python error's stack-trace window would be one of these
        "dialogs": [[type(w).__name__, w.windowTitle()] for w in QApplication.topLevelWidgets()
                    if w.isVisible() and isinstance(w, QDialog)],
    }


def start():
    out["active_plugins"] = list(qgis.utils.active_plugins)
    out["plugin"] = type(qgis.utils.plugins.get(PLUGIN)).__name__
    try:
        import shapely  # noqa: F401
        out["shapely_importable"] = True
    except ImportError:
        out["shapely_importable"] = False
    out["loaded"] = state()
    out["unload_ok"] = qgis.utils.unloadPlugin(PLUGIN)
    QTimer.singleShot(500, after_unload)


def after_unload():
    out["unloaded"] = state()
    out["active_after_unload"] = PLUGIN in qgis.utils.active_plugins
    with open(os.environ["TIANGUAN_SMOKE_RESULT"], "w", encoding="utf-8") as handle:
        json.dump(out, handle, ensure_ascii=False, indent=1)
    QgsApplication.exit(0)


QTimer.singleShot(2000, start)
