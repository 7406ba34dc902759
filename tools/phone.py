"""What the patrol app (QField) writes into a field package on the phone, done with QGIS's editing API:
a walk through the group on the package's tracking layer (epoch milliseconds in M) and a photographed
evidence point for a case. The demo and the qgis_process chain test use it to stand in for the phone."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from linxia_tianguan_plugin.core import clock


def walk_and_photograph(package: Path, grid: str, case_id: str, officer: str = "社田管员", fixes: int = 300) -> None:
    """A 25-minute walk (a fix every 5 s, ending two hours ago) from the first parcel of ``package`` and
    one evidence point for ``case_id`` with a JPEG under ``DCIM/``; raises RuntimeError if QGIS refuses."""
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsFeature,
        QgsGeometry,
        QgsLineString,
        QgsPoint,
        QgsProject,
        QgsVectorLayer,
    )
    from qgis.PyQt.QtGui import QColor, QImage

    gpkg = package / "tianguan_field.gpkg"
    photo = package / "DCIM" / "evidence_1.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    image = QImage(640, 480, QImage.Format_RGB32)
    image.fill(QColor(120, 150, 70))
    if not image.save(str(photo), "JPG"):
        raise RuntimeError(f"cannot write {photo}")
    parcels = QgsVectorLayer(f"{gpkg}|layername=parcels", "parcels", "ogr")
    centre = next(parcels.getFeatures()).geometry().pointOnSurface().asPoint()
    lonlat = QgsCoordinateTransform(parcels.crs(), QgsCoordinateReferenceSystem("EPSG:4490"),
                                    QgsProject.instance()).transform(centre)
    start = clock.now_utc().replace(microsecond=0) - dt.timedelta(hours=2)
    t0 = int(start.timestamp())
    points = [QgsPoint(lonlat.x() + i * 1.2e-5, lonlat.y() + (i % 40) * 0.4e-5, 2000.0, (t0 + 5 * i) * 1000.0)
              for i in range(fixes)]
    tracks = QgsVectorLayer(f"{gpkg}|layername=tracks", "tracks", "ogr")
    walk = QgsFeature(tracks.fields())
    walk.setGeometry(QgsGeometry(QgsLineString(points)))
    walk["officer"], walk["started_at"], walk["grid_code"] = officer, start.replace(tzinfo=None), grid
    if not (tracks.startEditing() and tracks.addFeature(walk) and tracks.commitChanges()):
        raise RuntimeError(f"cannot write the walk into {gpkg}: {tracks.commitErrors()}")
    evidence = QgsVectorLayer(f"{gpkg}|layername=evidence", "evidence", "ogr")
    shot = QgsFeature(evidence.fields())
    shot.setGeometry(QgsGeometry.fromPointXY(lonlat))
    for name, value in (("case_id", case_id), ("photo", "DCIM/evidence_1.jpg"), ("note", "补拍四至"),
                        ("officer", officer)):
        shot[name] = value
    if not (evidence.startEditing() and evidence.addFeature(shot) and evidence.commitChanges()):
        raise RuntimeError(f"cannot write the evidence into {gpkg}: {evidence.commitErrors()}")
