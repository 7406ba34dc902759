"""The plugin object QGIS loads: provider, translator, toolbar and menu, and a clean unload."""
from __future__ import annotations

from qgis.core import Qgis, QgsApplication, QgsMessageLog
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from . import i18n
from .i18n import tr
from .processing.provider import TianguanProvider
from .resources import icon_path

LOG_TAG = "临夏田管"
#: objectName of the checkable action that picks a case on the map
CASE_TOOL_NAME = "linxia_tianguan_case_map_tool"


class TianguanPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider: TianguanProvider | None = None
        self.actions: list[QAction] = []
        self.toolbar = None
        self.replay_dock = None
        self.case_dock = None
        self.dashboard_dock = None
        self.locator = None
        self.case_tool = None
        i18n.install_translator()

    # Processing is registered here and not in initGui, so qgis_process (no GUI) gets it too
    def initProcessing(self) -> None:
        if self.provider is None:
            provider = TianguanProvider()
            # QGIS deletes a provider whose id is already registered (another copy of the plugin, say)
            if QgsApplication.processingRegistry().addProvider(provider):
                self.provider = provider
            else:
                log(tr("The Processing provider linxia_tianguan is already registered; this copy of the "
                       "plugin does not register it again."), Qgis.MessageLevel.Warning)

    def initGui(self) -> None:
        self.initProcessing()
        from .ui.case_locator import PREFIX as CASE_PREFIX
        from .ui.one_click import OneClickCoding
        from .ui.settings_dialog import SettingsDialog

        self.one_click = OneClickCoding(self.iface)
        self.toolbar = self.iface.addToolBar(tr("Linxia farmland patrol"))
        self.toolbar.setObjectName("linxia_tianguan_toolbar")
        self.menu_title = tr("&Linxia farmland patrol")
        self._add_action("linxia_tianguan_one_click", "space_code.svg", tr("One-click space coding"),
                         self.one_click.run, toolbar=True, tip=one_click_tip())
        self._add_action("linxia_tianguan_decode", "decode.svg", tr("Decode a space code…"),
                         lambda: self._open_algorithm("linxia_tianguan:decode_space_code"))
        self._add_action("linxia_tianguan_validate", "validate.svg", tr("Validate space codes…"),
                         lambda: self._open_algorithm("linxia_tianguan:validate_space_code"))
        self._add_action("linxia_tianguan_track_replay", "replay.svg", tr("Track replay"), self.show_replay,
                         toolbar=True, tip=tr("Track replay: play a patrol of the tianguan store on the map. Needs "
                                              "patrol tracks imported into the store (Import patrol tracks)."))
        self._add_action("linxia_tianguan_case_review", "case_review.svg", tr("Case review"), self.show_cases,
                         toolbar=True, tip=tr("Case review: filter, review and move the cases of the tianguan "
                                              "store. In the locator bar (Ctrl+K), type {prefix} and a space code "
                                              "to open the parcel's case.").format(prefix=CASE_PREFIX))
        self._add_case_tool()
        self._add_action("linxia_tianguan_dashboard", "dashboard.svg", tr("Farmland protection dashboard"),
                         self.show_dashboard, toolbar=True)
        self._add_action("linxia_tianguan_statistics_map", "linxia_tianguan.svg", tr("Export statistics map…"),
                         self.statistics_map)
        self._add_action("linxia_tianguan_assessment", "linxia_tianguan.svg", tr("Patrol assessment…"),
                         lambda: self._open_algorithm("linxia_tianguan:assessment"))
        self._add_action("linxia_tianguan_settings", "settings.svg", tr("Settings…"),
                         lambda: SettingsDialog(self.iface.mainWindow()).exec())
        from .ui.case_locator import CaseLocatorFilter

        if hasattr(self.iface, "registerLocatorFilter"):  # (pytest-qgis's iface stub has no locator)
            self.locator = CaseLocatorFilter(self.open_case)
            self.iface.registerLocatorFilter(self.locator)
        menu = self._menu()
        if menu is not None:
            menu.setToolTipsVisible(True)  # our submenu only: the layers one-click needs, on hover

    def _menu(self):
        """The plugin's submenu of the Plugins menu (QGIS creates it with the first action; None before)."""
        plugin_menu = self.iface.pluginMenu() if hasattr(self.iface, "pluginMenu") else None
        if plugin_menu is None:
            return None
        return next((a.menu() for a in plugin_menu.actions() if a.menu() is not None
                     and a.text() == self.menu_title), None)

    def _add_action(self, object_name, icon, text, slot, toolbar=False, tip: str = "") -> QAction:
        action = QAction(QIcon(icon_path(icon)), text, self.iface.mainWindow())
        action.setObjectName(object_name)
        if tip:
            # the toolbar shows the tooltip, the status bar the status tip when the menu item is hovered
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.iface.addPluginToMenu(self.menu_title, action)
        if toolbar:
            self.toolbar.addAction(action)
        self.actions.append(action)
        return action

    def _add_case_tool(self) -> None:
        """The checkable 点选案件 button: while it is down, a click on the map opens the case under it in the
        case review dock (:class:`.ui.case_map_tool.CaseMapTool`); choosing another map tool lifts it."""
        from .ui.case_map_tool import CaseMapTool

        canvas = self.iface.mapCanvas()
        if canvas is None:  # an interface without a map (a stand-in): nothing to pick on
            return
        action = self._add_action(CASE_TOOL_NAME, "case_review.svg", tr("Pick a case on the map"),
                                  self.toggle_case_tool, toolbar=True,
                                  tip=tr("Pick a case on the map: click a case polygon to open it in the case "
                                         "review dock (the cases of the tianguan store, whether or not their "
                                         "layer is loaded)."))
        action.setCheckable(True)
        self.case_tool = CaseMapTool(canvas, self.open_case, self.case_store)
        self.case_tool.setAction(action)  # QGIS unchecks the button when another map tool is chosen

    def case_store(self) -> str:
        """The 田管库 whose cases the map tool picks: the one the case review dock shows, else the configured
        one (read at each click, so a changed setting is followed)."""
        from . import settings

        return self.case_dock.store_path if self.case_dock is not None else settings.store_path()

    def toggle_case_tool(self, checked: bool) -> None:
        """Make the case-picking tool the canvas's map tool (button down), or give the canvas back (up)."""
        canvas = self.iface.mapCanvas()
        if checked:
            canvas.setMapTool(self.case_tool)
        elif canvas.mapTool() is self.case_tool:
            canvas.unsetMapTool(self.case_tool)

    def show_replay(self) -> None:
        """Open (or bring back) the 轨迹复现 dock, reading the current store."""
        from qgis.PyQt.QtCore import Qt

        from .ui.track_replay import TrackReplayDock

        if self.replay_dock is None:
            self.replay_dock = TrackReplayDock(self.iface)
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.replay_dock)
        else:
            self.replay_dock.reload()
        self.replay_dock.show()
        self.replay_dock.raise_()

    def show_cases(self) -> None:
        """Open (or bring back) the 案件审核 dock on the current store."""
        from qgis.PyQt.QtCore import Qt

        from .ui.case_review import CaseReviewDock

        if self.case_dock is None:
            self.case_dock = CaseReviewDock(self.iface)
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.case_dock)
        else:
            self.case_dock.reload()
        self.case_dock.show()
        self.case_dock.raise_()

    def show_dashboard(self) -> None:
        """Open (or bring back) the 领导田管驾驶舱 dock."""
        from qgis.PyQt.QtCore import Qt

        from .ui.dashboard import DashboardDock

        if self.dashboard_dock is None:
            self.dashboard_dock = DashboardDock(self.iface, self.iface.mainWindow())
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dashboard_dock)
        self.dashboard_dock.show()
        self.dashboard_dock.raise_()

    def open_case(self, case_id: str) -> None:
        """Show the 案件审核 dock with one case selected (from the locator bar)."""
        self.show_cases()
        self.case_dock.select_case(case_id)

    def statistics_map(self) -> None:
        """导出统计专题图 from the menu: the algorithm's dialog with its layouts added to the project, and
        the layouts it made opened in the layout designer for editing."""
        from qgis.core import QgsProject

        manager = QgsProject.instance().layoutManager()
        before = {layout.name() for layout in manager.printLayouts()}
        self._open_algorithm("linxia_tianguan:statistics_map", {"ADD_TO_PROJECT": True})
        for layout in manager.printLayouts():
            if layout.name() not in before and hasattr(self.iface, "openLayoutDesigner"):
                self.iface.openLayoutDesigner(layout)

    @staticmethod
    def _open_algorithm(algorithm_id: str, parameters: dict | None = None) -> None:
        import processing

        processing.execAlgorithmDialog(algorithm_id, parameters or {})

    def unload(self) -> None:
        if self.locator is not None:
            self.iface.deregisterLocatorFilter(self.locator)
            self.locator = None
        for name in ("replay_dock", "case_dock", "dashboard_dock"):
            dock = getattr(self, name)
            if dock is not None:
                dock.cleanup()
                self.iface.removeDockWidget(dock)
                dock.deleteLater()
                setattr(self, name, None)
        if self.case_tool is not None:
            self.iface.mapCanvas().unsetMapTool(self.case_tool)  # does nothing when another tool is active
            self.case_tool.deleteLater()
            self.case_tool = None
        for action in self.actions:
            self.iface.removePluginMenu(self.menu_title, action)
            action.deleteLater()
        self.actions = []
        if self.toolbar is not None:
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        i18n.remove_translator()


def one_click_tip() -> str:
    """What one-click coding needs, on its button and menu item: it codes the layers already loaded and
    otherwise opens the algorithm's dialog, so the analyst must know which layers to load first."""
    return tr("One-click space coding of the loaded layers, in the background. Needs the DLTB layer (land-use "
              "survey patches) in the project; uses DK (contract parcels), YJJBNT (permanent basic farmland) and "
              "CJDCQ (village survey areas) when they are loaded too. Without DLTB the algorithm's dialog opens "
              "to choose the layers.")


def log(message: str, level=Qgis.MessageLevel.Info) -> None:
    QgsMessageLog.logMessage(message, LOG_TAG, level)
