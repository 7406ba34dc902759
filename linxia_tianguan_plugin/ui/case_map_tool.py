"""Open a case by clicking it on the map (an identify-style map tool over the store's cases).

The click is taken in the canvas CRS, turned into the store's CRS, and the cases whose polygons lie
within a few screen pixels of it are looked up through the store's R-tree — whether or not a case
layer is loaded — the most urgent first.
"""
from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY, QgsProject
from qgis.gui import QgsMapTool

from .. import settings

PICK_PIXELS = 6


def cases_at(store_path: str, x: float, y: float, tolerance: float) -> list[str]:
    """Case ids whose polygon is within ``tolerance`` (store CRS units) of (x, y), by priority."""
    from ..storage import existing_store
    from ..storage.cases import cases_at as stored_cases_at
    from ..storage.cases import has_cases

    with existing_store(store_path) as store:
        if store is None or not has_cases(store):
            return []
        return stored_cases_at(store, x, y, tolerance)


class CaseMapTool(QgsMapTool):
    def __init__(self, canvas, open_case: Callable[[str], None], store_path: Callable[[], str] | None = None,
                 srs_id: Callable[[], int] | None = None):
        super().__init__(canvas)
        self.open_case = open_case
        # the settings' store is asked when the tool is used, not fixed when this module was imported
        self.store_path = store_path or (lambda: settings.store_path())
        self.srs_id = srs_id or self._store_srs

    def _store_srs(self) -> int:
        from ..storage import existing_store

        with existing_store(self.store_path()) as store:
            return store.srs_id if store is not None else 4522

    def pick(self, map_point: QgsPointXY) -> list[str]:
        """The cases under a point given in the canvas CRS (what a click reports)."""
        canvas = self.canvas()
        target = QgsCoordinateReferenceSystem(f"EPSG:{self.srs_id()}")
        source = canvas.mapSettings().destinationCrs()
        point = map_point
        if source.isValid() and source != target:
            point = QgsCoordinateTransform(source, target, QgsProject.instance()).transform(map_point)
        pixel = canvas.mapUnitsPerPixel() if canvas.mapUnitsPerPixel() > 0 else 1.0
        if source.isValid() and source.isGeographic():
            pixel *= 111_000.0  # degrees per pixel to metres, near enough for a pick tolerance
        return cases_at(self.store_path(), point.x(), point.y(), PICK_PIXELS * pixel)

    def canvasReleaseEvent(self, event) -> None:
        found = self.pick(event.mapPoint())
        if found:
            self.open_case(found[0])
