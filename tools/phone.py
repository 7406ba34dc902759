"""The patrol app (QField) on an officer's phone, stood in for with QGIS's editing API: what it writes into a field
package's layers — tracking lines (epoch milliseconds in M), evidence points and the photos under ``DCIM/``.

One stand-in for the demo, the qgis_process chain test and the field-package tests (the ``phone`` fixture is
this class)."""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import numpy as np
import shapely

from linxia_tianguan_plugin.core import clock
from linxia_tianguan_plugin.core.patrol.field_package import GPKG_NAME, PHOTO_DIR


class Phone:
    """An officer's phone with a field package on it. Every write goes through a QgsVectorLayer edit session, as
    QField's; a refused write raises RuntimeError naming the layer."""

    officer = "马福禄"

    def __init__(self, officer: str | None = None):
        if officer:
            self.officer = officer

    # ------------------------------------------------------------------ walks
    def walk(self, package: Path, start: dt.datetime, n: int = 48, grid: str | None = None,
             dx: float = 1.4e-5, dy: float = 0.3e-5, zigzag: int | None = None) -> list[str]:
        """One tracking line from the package's first parcel (a fix every 5 s, ``dx``/``dy`` degrees a step; the
        northing turning back every ``zigzag`` steps when given); returns the fixes' UTC times."""
        from qgis.core import QgsPoint

        lonlat = self._lonlat(self._parcels(package), [self._first_parcel(package)])[0]
        t0 = int(start.timestamp())
        points = [QgsPoint(lonlat.x() + i * dx, lonlat.y() + (i % zigzag if zigzag else i) * dy, 2010.0 + i * 0.1,
                           (t0 + 5 * i) * 1000.0) for i in range(n)]
        self._line(package, points, start, grid)
        return [(start + dt.timedelta(seconds=5 * i)).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(n)]

    def patrol(self, package: Path, start: dt.datetime, group: str) -> int:
        """A walk at ≈ 1.2 m/s through every parcel of ``group`` (fixes every 4–6 s, slightly noisy, as a phone
        records them; no start time on the line); returns the number of fixes."""
        from qgis.core import QgsPoint, QgsPointXY

        parcels = self._parcels(package)
        stops = [f.geometry().pointOnSurface().asPoint()
                 for f in sorted(parcels.getFeatures(), key=lambda f: f["code"]) if f["code"].startswith(group)]
        path = shapely.LineString([(p.x(), p.y()) for p in stops])
        rng = np.random.default_rng(7)
        dts = rng.uniform(4.0, 6.0, size=int(path.length / 5.0) + 2)
        along = np.minimum(np.cumsum(np.concatenate([[0.0], dts[:-1]])) * 1.2, path.length)
        along = along[: int(np.searchsorted(along, path.length)) + 1]
        xy = shapely.get_coordinates(shapely.line_interpolate_point(path, along)) + rng.normal(0, 1.0, (len(along), 2))
        seconds = start.timestamp() + np.concatenate([[0.0], np.cumsum(dts[: len(along) - 1])])
        lonlat = self._lonlat(parcels, [QgsPointXY(x, y) for x, y in xy])
        points = [QgsPoint(ll.x(), ll.y(), 2000.0, round(t * 1000.0)) for ll, t in zip(lonlat, seconds)]
        self._line(package, points, None)
        return len(points)

    # ------------------------------------------------------------------ evidence
    def photo(self, package: Path, name: str = "evidence_1.jpg", colour: str = "#789646") -> str:
        """A JPEG taken with the camera, under ``DCIM/``; its path relative to the project (what QField stores).
        Photos of another ``colour`` differ in content (evidence is stored by content)."""
        from qgis.PyQt.QtGui import QColor, QImage

        path = package / PHOTO_DIR / name
        path.parent.mkdir(parents=True, exist_ok=True)
        image = QImage(640, 480, QImage.Format.Format_RGB32)
        image.fill(QColor(colour))
        if not image.save(str(path), "JPG"):
            raise RuntimeError(f"cannot write {path}")
        return f"{PHOTO_DIR}/{name}"

    def evidence(self, package: Path, rows: list[tuple[str, str | None, str]]) -> None:
        """Evidence points (case_id, photo path relative to the project or None, note), each on its case."""
        from qgis.core import QgsFeature, QgsGeometry

        cases = self._layer(package, "cases")
        where = {f["case_id"]: f.geometry().pointOnSurface() for f in cases.getFeatures()}
        layer = self._layer(package, "evidence")
        features = []
        for case_id, photo, note in rows:
            feature = QgsFeature(layer.fields())
            feature.setGeometry(QgsGeometry(where.get(case_id) or next(iter(where.values()))))
            feature["case_id"], feature["photo"], feature["note"] = case_id, photo, note
            feature["officer"] = self.officer
            features.append(feature)
        self._commit(layer, features)

    def report(self, package: Path, rows: list[tuple[str, str | None, str]], at: list | None = None) -> list[int]:
        """巡田上报 points (category, photo path relative to the project or None, note), as QField's form adds them:
        a uuid, officer and time filled in; each on a parcel of the package (the first, second … in code order, or
        the store-CRS points of ``at``); returns the new features' ids."""
        from qgis.core import QgsFeature, QgsGeometry, QgsPointXY

        parcels = sorted(self._parcels(package).getFeatures(), key=lambda f: f["code"])
        layer = self._layer(package, "reports")
        features = []
        for n, (category, photo, note) in enumerate(rows):
            feature = QgsFeature(layer.fields())
            where = (QgsGeometry.fromPointXY(QgsPointXY(*at[n])) if at and n < len(at) and at[n] is not None
                     else parcels[n % len(parcels)].geometry().pointOnSurface())
            feature.setGeometry(where)
            feature["uuid"] = "{" + str(uuid.uuid4()) + "}"  # QField's uuid() default
            feature["category"], feature["photo"], feature["note"] = category, photo, note
            feature["officer"] = self.officer
            feature["reported_at"] = dt.datetime(2025, 6, 20, 9, 30 + n)
            features.append(feature)
        before = {f.id() for f in layer.getFeatures()}
        self._commit(layer, features)
        return sorted({f.id() for f in self._layer(package, "reports").getFeatures()} - before)

    def sketch(self, package: Path, rows: list[tuple[str, str, list[str], str]]) -> None:
        """Sketched 巡田上报 (``report_areas``) as QField writes them: (WKT polygon in the package's CRS, category,
        photo paths relative to the project, note), uuid and officer filled in. Like QField, QGIS refuses no
        self-intersecting ring here: the import repairs or refuses it."""
        from qgis.core import QgsFeature, QgsGeometry

        from linxia_tianguan_plugin.core.patrol.field_package import PHOTO_FIELDS, REPORT_AREAS

        layer = self._layer(package, REPORT_AREAS)
        features = []
        for wkt, category, photos, note in rows:
            feature = QgsFeature(layer.fields())
            feature.setGeometry(QgsGeometry.fromWkt(wkt))
            feature["uuid"] = "{" + str(uuid.uuid4()) + "}"  # QField's uuid() default
            feature["category"], feature["note"], feature["officer"] = category, note, self.officer
            for name, photo in zip(PHOTO_FIELDS, photos):
                feature[name] = photo
            features.append(feature)
        self._commit(layer, features)

    def parcel_point(self, package: Path, n: int = 0) -> tuple[float, float]:
        """A point on the package's ``n``-th parcel in code order (package CRS): where the officer stands."""
        parcels = sorted(self._parcels(package).getFeatures(), key=lambda f: f["code"])
        point = parcels[n % len(parcels)].geometry().pointOnSurface().asPoint()
        return point.x(), point.y()

    def walk_and_photograph(self, package: Path, grid: str, case_id: str, fixes: int = 300,
                            end: dt.datetime | None = None) -> None:
        """A 25-minute walk (a fix every 5 s, starting two hours before ``end``, by default now) from the first parcel
        and one photographed evidence point for ``case_id``."""
        end = end or clock.now_utc().replace(microsecond=0)
        self.walk(package, end - dt.timedelta(hours=2), fixes, grid, dx=1.2e-5, dy=0.4e-5, zigzag=40)
        self.evidence(package, [(case_id, self.photo(package), "补拍四至")])

    # ------------------------------------------------------------------ the package's layers
    @staticmethod
    def _layer(package: Path, name: str):
        from qgis.core import QgsVectorLayer

        layer = QgsVectorLayer(f"{package / GPKG_NAME}|layername={name}", name, "ogr")
        if not layer.isValid():
            raise RuntimeError(f"{package / GPKG_NAME} has no layer {name}")
        return layer

    def _parcels(self, package: Path):
        return self._layer(package, "parcels")

    def _first_parcel(self, package: Path):
        return next(self._parcels(package).getFeatures()).geometry().pointOnSurface().asPoint()

    @staticmethod
    def _lonlat(parcels, points: list) -> list:
        """Points of the package's CRS in CGCS2000 lon/lat, as the phone's GNSS gives them."""
        from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject

        to_lonlat = QgsCoordinateTransform(parcels.crs(), QgsCoordinateReferenceSystem("EPSG:4490"),
                                           QgsProject.instance())
        return [to_lonlat.transform(p) for p in points]

    def _line(self, package: Path, points: list, start: dt.datetime | None, grid: str | None = None) -> None:
        """Add one tracking line to the package's tracks layer, by this officer, in the package's group."""
        from qgis.core import QgsFeature, QgsGeometry, QgsLineString

        tracks = self._layer(package, "tracks")
        feature = QgsFeature(tracks.fields())
        feature.setGeometry(QgsGeometry(QgsLineString(points)))
        feature["officer"] = self.officer
        if start is not None:
            feature["started_at"] = start.replace(tzinfo=None)
        feature["grid_code"] = grid or package.name
        self._commit(tracks, [feature])

    @staticmethod
    def _commit(layer, features: list) -> None:
        if not (layer.startEditing() and all(layer.addFeature(f) for f in features) and layer.commitChanges()):
            errors = layer.commitErrors()
            layer.rollBack()
            raise RuntimeError(f"the phone cannot write into {layer.name()}: {errors}")


def walk_and_photograph(package: Path, grid: str, case_id: str, officer: str = "社田管员", fixes: int = 300) -> None:
    """The demo's and the qgis_process chain's phone: :meth:`Phone.walk_and_photograph` by ``officer``."""
    Phone(officer).walk_and_photograph(package, grid, case_id, fixes)
