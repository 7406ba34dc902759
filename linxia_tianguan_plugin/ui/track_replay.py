"""轨迹复现 — a dock to pick a patrol from the 田管库 and play it back on the map.

County → township → village → officer → patrol; then play, pause, step and scrub, with the clock
(Asia/Shanghai), speed and distance, the authenticity flags and the parcels the officer could see.
The layers it adds are temporal (the fixes by their fix time, accumulating into the walked trail; the
line by its start and end; the parcels seen for the patrol's span), so QGIS's own Temporal Controller
can animate the patrol and export the animation frames too. The dock only displays: figures come from
``core.patrol.replay``, data from ``storage.replay``.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import shapely
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsDateTimeRange,
    QgsFeature,
    QgsFillSymbol,
    QgsGeometry,
    QgsLineSymbol,
    QgsPointXY,
    QgsProject,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
)
from qgis.gui import QgsDockWidget, QgsVertexMarker
from qgis.PyQt.QtCore import QDateTime, Qt, QTimer
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from .. import compat, settings
from ..core.patrol.replay import Replay, seen_parcels
from ..i18n import tr
from ..storage import GpkgStore, StoreError
from ..storage.replay import parcels_near, patrol_fixes, patrol_list, place_names

DOCK_NAME = "linxia_tianguan_track_replay"
VIEW_DISTANCE = 50.0
#: the time field of the fixes layer (the fix time, UTC) and the patrol line's span fields
FIX_TIME_FIELD = "time"
START_FIELD, END_FIELD = "started", "ended"


def flag_names() -> dict[str, str]:
    return {
        "driven": tr("driven, not walked"), "too_short": tr("too short"), "outside_grid": tr("outside the grid"),
        "teleport": tr("jumping points"), "replay": tr("replays an earlier track"),
        "regular_sampling": tr("implausibly regular sampling"), "no_grid_cell": tr("grid not in the patrol grid"),
        "bad_clock": tr("phone clock wrong"), "outside_county": tr("outside the county"),
        "before_plan": tr("before the patrol plan"),
    }


def utc_time(epoch: float) -> QDateTime:
    """A stored fix time (UTC seconds since the epoch) as the QDateTime QGIS's temporal filters compare."""
    return QDateTime.fromSecsSinceEpoch(int(epoch), Qt.TimeSpec.UTC)


def set_temporal(layer: QgsVectorLayer, mode, start: QDateTime, end: QDateTime, start_field: str = "",
                 end_field: str = "", accumulate: bool = False) -> None:
    """Make ``layer`` temporal, so that QGIS's Temporal Controller, its animation and its export of animation
    frames show the patrol in time (the dock's own player does not need it). The fixed range is the patrol's
    whole span in every mode: QGIS uses it for FixedTemporalRange layers, and it tells a script or the
    layer's properties what the patrol covers even when the times come from fields."""
    temporal = layer.temporalProperties()
    temporal.setMode(mode)
    if start_field:
        temporal.setStartField(start_field)
    if end_field:
        temporal.setEndField(end_field)
    temporal.setAccumulateFeatures(accumulate)
    # a fix exactly at the patrol's end belongs to the last frame too
    temporal.setLimitMode(Qgis.VectorTemporalLimitMode.IncludeBeginIncludeEnd)
    temporal.setFixedTemporalRange(QgsDateTimeRange(start, end))
    temporal.setIsActive(True)


class TrackReplayDock(QgsDockWidget):
    def __init__(self, iface, store_path: str | None = None):
        super().__init__(tr("Track replay"))
        self.setObjectName(DOCK_NAME)
        self.iface = iface
        self.store_path = store_path or settings.store_path()
        self.patrols: list[dict] = []
        self.names: dict[str, str] = {}
        self.replay: Replay | None = None
        self.layers: list[str] = []
        self.marker: QgsVertexMarker | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self._tick)
        self._build()
        self.reload()

    # ------------------------------------------------------------------ widgets
    def _build(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        form = QFormLayout()
        self.county, self.township, self.village = QComboBox(), QComboBox(), QComboBox()
        self.officer, self.patrol = QComboBox(), QComboBox()
        for label, combo in ((tr("County"), self.county), (tr("Township"), self.township),
                             (tr("Village"), self.village), (tr("Officer"), self.officer),
                             (tr("Patrol"), self.patrol)):
            form.addRow(label, combo)
        layout.addLayout(form)
        self.county.currentIndexChanged.connect(lambda _: self._fill(self.township, 9, self.county))
        self.township.currentIndexChanged.connect(lambda _: self._fill(self.village, 12, self.township))
        self.village.currentIndexChanged.connect(lambda _: self._fill_officers())
        self.officer.currentIndexChanged.connect(lambda _: self._fill_patrols())
        self.load_button = QPushButton(tr("Show on map"))
        self.load_button.clicked.connect(self.load_selected)
        layout.addWidget(self.load_button)
        controls = QHBoxLayout()
        style = self.style()
        self.back_button, self.play_button, self.step_button = (
            QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipBackward), ""), QPushButton(tr("Play")),
            QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward), ""))
        self.back_button.setToolTip(tr("Step back"))
        self.step_button.setToolTip(tr("Step forward"))
        self.back_button.clicked.connect(lambda: self.step(-1))
        self.step_button.clicked.connect(lambda: self.step(1))
        self.play_button.clicked.connect(self.toggle_play)
        for button in (self.back_button, self.play_button, self.step_button):
            controls.addWidget(button)
        layout.addLayout(controls)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.valueChanged.connect(self.show_index)
        layout.addWidget(self.slider)
        self.clock, self.figures, self.flags = QLabel("—"), QLabel("—"), QLabel("—")
        self.flags.setWordWrap(True)
        for label in (self.clock, self.figures, self.flags):
            layout.addWidget(label)
        layout.addStretch(1)
        self.setWidget(body)
        self._enable(False)

    def _enable(self, loaded: bool) -> None:
        for widget in (self.back_button, self.play_button, self.step_button, self.slider):
            widget.setEnabled(loaded)

    # ------------------------------------------------------------------ choosing
    def reload(self) -> None:
        """Read the patrols and unit names from the store again."""
        self.patrols, self.names = [], {}
        try:
            store = GpkgStore(self.store_path, create=False, read_only=True)
        except (StoreError, OSError):
            self.clock.setText(tr("No tianguan store at {path}.").format(path=self.store_path))
            return
        try:
            self.patrols = patrol_list(store)
            self.names = place_names(store)
        finally:
            store.close()
        if not self.patrols:
            self.clock.setText(tr("The store has no patrol tracks yet: import them first."))
        self._fill(self.county, 6, None)

    def _label(self, code: str) -> str:
        name = self.names.get(code)
        return f"{code} {name}" if name else code

    def _fill(self, combo: QComboBox, digits: int, parent: QComboBox | None) -> None:
        prefix = parent.currentData() if parent is not None else ""
        if parent is not None and prefix is None:
            prefix = "\uffff"  # nothing chosen above: nothing below
        codes = sorted({p["grid_code"][:digits] for p in self.patrols if p["grid_code"].startswith(prefix or "")})
        combo.blockSignals(True)
        combo.clear()
        for code in codes:
            combo.addItem(self._label(code), code)
        combo.blockSignals(False)
        if combo is self.county:
            self._fill(self.township, 9, self.county)
        elif combo is self.township:
            self._fill(self.village, 12, self.township)
        else:
            self._fill_officers()

    def _fill_officers(self) -> None:
        village = self.village.currentData() or "\uffff"
        officers = sorted({p["officer"] for p in self.patrols if p["grid_code"].startswith(village)})
        self.officer.blockSignals(True)
        self.officer.clear()
        for name in officers:
            self.officer.addItem(name or tr("(unknown)"), name)
        self.officer.blockSignals(False)
        self._fill_patrols()

    def _fill_patrols(self) -> None:
        village = self.village.currentData() or "\uffff"
        officer = self.officer.currentData()
        self.patrol.clear()
        for p in self.patrols:
            if p["grid_code"].startswith(village) and p["officer"] == officer:
                start = dt.datetime.fromisoformat(p["started_at"].replace("Z", "+00:00")).astimezone(
                    dt.timezone(dt.timedelta(hours=8)))
                mark = "" if p["accepted"] else " ⚠"
                self.patrol.addItem(f"{start:%Y-%m-%d %H:%M} {p['grid_code']}{mark}", p["track_id"])

    def choose(self, track_id: str) -> bool:
        """Select ``track_id`` through the cascade, as a user would; False when it is not in the store."""
        patrol = next((p for p in self.patrols if p["track_id"] == track_id), None)
        if patrol is None:
            return False
        code = patrol["grid_code"]
        for combo, digits in ((self.county, 6), (self.township, 9), (self.village, 12)):
            combo.setCurrentIndex(combo.findData(code[:digits]))
        self.officer.setCurrentIndex(self.officer.findData(patrol["officer"]))
        self.patrol.setCurrentIndex(self.patrol.findData(track_id))
        return self.patrol.currentData() == track_id

    # ------------------------------------------------------------------ showing
    def load_selected(self) -> None:
        track_id = self.patrol.currentData()
        if track_id:
            self.load(track_id)

    def load(self, track_id: str) -> None:
        """Show ``track_id``: its line, its fixes (temporal), the parcels seen; reset the player."""
        self.stop()
        store = GpkgStore(self.store_path, create=False, read_only=True)
        try:
            xy, t = patrol_fixes(store, track_id)
            codes, geoms = parcels_near(store, xy, VIEW_DISTANCE)
            crs = QgsCoordinateReferenceSystem(f"EPSG:{store.srs_id}")
        finally:
            store.close()
        self.replay = Replay(xy, t)
        seen = seen_parcels(xy, geoms, VIEW_DISTANCE)
        patrol = next(p for p in self.patrols if p["track_id"] == track_id)
        self._remove_layers()
        self._add_layers(track_id, crs, xy, t, codes[seen], geoms[seen])
        names = flag_names()
        flags = [names.get(f, f) for f in patrol["flags"]]
        self.flags.setText(tr("Flags: {flags}").format(flags="、".join(flags)) if flags else tr("No flags."))
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(self.replay) - 1)
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        self._enable(True)
        self.show_index(0)
        canvas = self.iface.mapCanvas()
        if canvas is not None:
            x0, y0 = xy.min(axis=0) - VIEW_DISTANCE
            x1, y1 = xy.max(axis=0) + VIEW_DISTANCE
            from qgis.core import QgsRectangle

            canvas.setExtent(QgsRectangle(x0, y0, x1, y1))
            canvas.refresh()

    def _add_layers(self, track_id, crs, xy, t, seen_codes, seen_geoms) -> None:
        authid = crs.authid()
        start, end = utc_time(t[0]), utc_time(t[-1])
        line = QgsVectorLayer(f"LineString?crs={authid}", tr("Patrol {id}").format(id=track_id), "memory")
        line.dataProvider().addAttributes([compat.make_field(START_FIELD, "DateTime"),
                                           compat.make_field(END_FIELD, "DateTime")])
        line.updateFields()
        f = QgsFeature(line.fields())
        wkt = shapely.to_wkt(shapely.linestrings(xy)) if len(xy) > 1 else "LINESTRING EMPTY"
        f.setGeometry(QgsGeometry.fromWkt(wkt))
        f.setAttributes([start, end])
        line.dataProvider().addFeature(f)
        set_temporal(line, Qgis.VectorTemporalMode.FeatureDateTimeStartAndEndFromFields, start, end,
                     START_FIELD, END_FIELD)
        line.setRenderer(QgsSingleSymbolRenderer(QgsLineSymbol.createSimple(
            {"line_color": "220,40,40", "line_width": "0.8"})))
        fixes = QgsVectorLayer(f"Point?crs={authid}", tr("Fixes of {id}").format(id=track_id), "memory")
        fixes.dataProvider().addAttributes([compat.make_field(FIX_TIME_FIELD, "DateTime")])
        fixes.updateFields()
        features = []
        for (x, y), epoch in zip(xy, t):
            p = QgsFeature(fixes.fields())
            p.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))))
            p.setAttributes([utc_time(epoch)])
            features.append(p)
        fixes.dataProvider().addFeatures(features)
        # the fixes pile up as the animation runs: the officer's trail drawn as walked
        set_temporal(fixes, Qgis.VectorTemporalMode.FeatureDateTimeInstantFromField, start, end, FIX_TIME_FIELD,
                     accumulate=True)
        parcels = QgsVectorLayer(f"MultiPolygon?crs={authid}", tr("Parcels seen"), "memory")
        parcels.dataProvider().addAttributes([compat.make_field("KJM", "String", 20)])
        parcels.updateFields()
        seen = []
        for code, geom in zip(seen_codes, seen_geoms):
            p = QgsFeature(parcels.fields())
            p.setGeometry(QgsGeometry.fromWkt(shapely.to_wkt(geom)))
            p.setAttributes([str(code)])
            seen.append(p)
        parcels.dataProvider().addFeatures(seen)
        # what the officer could see, shown while the patrol lasts (a frame outside it shows none of the three)
        set_temporal(parcels, Qgis.VectorTemporalMode.FixedTemporalRange, start, end)
        parcels.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(
            {"color": "120,200,120,110", "outline_color": "40,120,40", "outline_width": "0.2"})))
        project = QgsProject.instance()
        for layer in (parcels, line, fixes):
            project.addMapLayer(layer)
            self.layers.append(layer.id())
        self.seen_count = len(seen)
        canvas = self.iface.mapCanvas()
        if canvas is not None:
            self.marker = QgsVertexMarker(canvas)
            self.marker.setColor(QColor(30, 90, 220))
            self.marker.setIconType(QgsVertexMarker.IconType.ICON_CIRCLE)
            self.marker.setIconSize(14)
            self.marker.setPenWidth(3)

    def _remove_layers(self) -> None:
        project = QgsProject.instance()
        for layer_id in self.layers:
            if project.mapLayer(layer_id) is not None:
                project.removeMapLayer(layer_id)
        self.layers = []
        if self.marker is not None:
            canvas = self.iface.mapCanvas()
            if canvas is not None and canvas.scene() is not None:
                canvas.scene().removeItem(self.marker)
            self.marker = None

    def show_index(self, index: int) -> None:
        if self.replay is None:
            return
        s = self.replay.state(index)
        if self.slider.value() != s.index:
            self.slider.blockSignals(True)
            self.slider.setValue(s.index)
            self.slider.blockSignals(False)
        self.clock.setText(tr("{time} (Beijing time), {elapsed} min since the start").format(
            time=f"{s.time:%Y-%m-%d %H:%M:%S}", elapsed=f"{s.elapsed_s / 60:.1f}"))
        self.figures.setText(tr("Speed {speed} km/h · walked {distance} m of {total} m · {seen} parcels seen").format(
            speed=f"{s.speed_kmh:.1f}", distance=f"{s.distance_m:.0f}", total=f"{self.replay.length_m:.0f}",
            seen=self.seen_count))
        if self.marker is not None:
            self.marker.setCenter(QgsPointXY(s.x, s.y))

    @property
    def index(self) -> int:
        return self.slider.value()

    def step(self, delta: int) -> None:
        if self.replay is not None:
            self.show_index(int(np.clip(self.index + delta, 0, len(self.replay) - 1)))

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.stop()
        elif self.replay is not None:
            self.timer.start()
            self.play_button.setText(tr("Pause"))

    def stop(self) -> None:
        self.timer.stop()
        self.play_button.setText(tr("Play"))

    def _tick(self) -> None:
        if self.replay is None or self.index >= len(self.replay) - 1:
            self.stop()
            return
        self.step(1)

    def closeEvent(self, event) -> None:
        self.stop()
        self._remove_layers()
        super().closeEvent(event)

    def cleanup(self) -> None:
        """Everything this dock added to the project and the canvas goes (plugin unload)."""
        self.stop()
        self._remove_layers()
