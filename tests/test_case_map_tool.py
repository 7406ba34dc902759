"""Clicking a case on the map opens it, in the store's CRS or another canvas CRS."""
from __future__ import annotations

import shapely

from linxia_tianguan_plugin.core.cases.keys import case_key, case_uuid
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage.cases import save_cases


def _store(path) -> list[str]:
    store = GpkgStore(path)
    try:
        rows = []
        for k in range(2):
            geom = shapely.box(34590000 + 200 * k, 3924000, 34590060 + 200 * k, 3924040)
            key = case_key("survey", f"B{k}", "", "nonagri", "0702", "", geom)
            rows.append({"case_key": key, "case_id": case_uuid(key), "kind": "nonagri", "category": "suspect",
                         "source": "survey", "area_m2": geom.area, "geom": geom, "priority": k + 1})
        save_cases(store, rows, "BHTEST", "2025.1", {}, {}, {})
        return [r["case_id"] for r in rows]
    finally:
        store.close()


class _Click:
    def __init__(self, point):
        self.point = point

    def mapPoint(self):
        return self.point


def test_a_click_on_a_case_opens_it(qgis_iface, tmp_path):
    from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY, QgsProject, QgsRectangle

    from linxia_tianguan_plugin.ui.case_map_tool import CaseMapTool

    ids = _store(tmp_path / "tianguan.gpkg")
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4522"))
    canvas.resize(400, 400)
    canvas.setExtent(QgsRectangle(34589900, 3923900, 34590400, 3924200))
    opened: list[str] = []
    tool = CaseMapTool(canvas, opened.append, lambda: str(tmp_path / "tianguan.gpkg"))
    assert tool.pick(QgsPointXY(34590030, 3924020)) == [ids[0]]
    assert tool.pick(QgsPointXY(34590230, 3924020)) == [ids[1]]
    assert tool.pick(QgsPointXY(34590130, 3924020)) == []  # between the two cases
    tool.canvasReleaseEvent(_Click(QgsPointXY(34590061, 3924020)))  # a pixel off its edge still picks it
    assert opened == [ids[0]]
    # a canvas in geographic CRS: the click is transformed into the store's CRS
    geographic = QgsCoordinateReferenceSystem("EPSG:4490")
    to_geo = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4522"), geographic, QgsProject.instance())
    canvas.setDestinationCrs(geographic)
    canvas.setExtent(to_geo.transformBoundingBox(QgsRectangle(34589900, 3923900, 34590400, 3924200)))
    assert tool.pick(to_geo.transform(QgsPointXY(34590230, 3924020))) == [ids[1]]
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4522"))


def test_the_toolbar_button_picks_a_case_into_the_case_dock_and_unload_removes_it(qgis_iface, tmp_path):
    """The checkable 点选案件 action of the plugin sets the tool on the canvas; a click opens the case in the
    case review dock; unload takes the action and the tool away."""
    from qgis.core import QgsCoordinateReferenceSystem, QgsPointXY, QgsRectangle

    from linxia_tianguan_plugin import settings
    from linxia_tianguan_plugin.plugin import CASE_TOOL_NAME, TianguanPlugin
    from linxia_tianguan_plugin.ui.case_map_tool import CaseMapTool

    ids = _store(tmp_path / "tianguan.gpkg")
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4522"))
    canvas.resize(400, 400)
    canvas.setExtent(QgsRectangle(34589900, 3923900, 34590400, 3924200))
    settings.set_value("store_path", str(tmp_path / "tianguan.gpkg"))
    plugin = TianguanPlugin(qgis_iface)
    plugin.initGui()
    try:
        action = next(a for a in plugin.actions if a.objectName() == CASE_TOOL_NAME)
        assert action.isCheckable() and action.toolTip() and action.toolTip() == action.statusTip()
        assert action in plugin.toolbar.actions()
        action.trigger()  # the button goes down: the canvas's tool is the case picker
        assert action.isChecked() and isinstance(canvas.mapTool(), CaseMapTool)
        canvas.mapTool().canvasReleaseEvent(_Click(QgsPointXY(34590230, 3924020)))
        assert plugin.case_dock is not None and plugin.case_dock.selected_ids() == [ids[1]]
        action.trigger()  # up again: the canvas is given back
        assert not action.isChecked() and canvas.mapTool() is None
        action.trigger()
    finally:
        plugin.unload()
        settings.set_value("store_path", "")
    assert canvas.mapTool() is None and plugin.case_tool is None
    assert not any(a.objectName() == CASE_TOOL_NAME for a in plugin.actions)
