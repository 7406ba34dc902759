"""The 轨迹复现 dock on a real 田管库: pick a patrol through the cascade, show it, step and scrub."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely

from linxia_tianguan_plugin.storage import GpkgStore, gpkg
from tests.conftest import layer_uri
from tests.helpers import run


def _add_track(store: GpkgStore, track_id: str, grid: str, officer: str, xy: np.ndarray, t0: dt.datetime,
               step_s: float = 10.0) -> None:
    """Write a cleaned track and its fixes as the importer does (vertices ↔ kept fixes, UTC times)."""
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(4522, 4490, always_xy=True).transform(xy[:, 0], xy[:, 1])
    times = [(t0 + dt.timedelta(seconds=step_s * i)).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(len(xy))]
    line = shapely.linestrings(xy)
    blob = gpkg.encode_blobs(np.array([shapely.to_wkb(line)], dtype=object), shapely.bounds(np.array([line])),
                             store.srs_id)[0]
    with store.transaction() as conn:
        conn.execute("INSERT INTO tg_track_file VALUES (?, ?, 'gpx', ?, 1, ?, NULL)",
                     (track_id + "-file", f"{grid}.gpx", times[0], len(xy)))
        conn.executemany("INSERT INTO tg_track_fix (file_hash, seq, track_id, lon, lat, time) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         [(track_id + "-file", i, track_id, float(a), float(b), times[i])
                          for i, (a, b) in enumerate(zip(lon, lat))])
        conn.execute("INSERT INTO tg_track (geom, track_id, file_hash, session, officer, grid_code, started_at, "
                     "ended_at, fixes, length_m, duration_s, flags, accepted) VALUES (?,?,?,0,?,?,?,?,?,?,?,?,?)",
                     (blob, track_id, track_id + "-file", officer, grid, times[0], times[-1], len(xy), line.length,
                      step_s * (len(xy) - 1), '["driven"]' if officer == "司机" else "[]", int(officer != "司机")))


@pytest.fixture
def store_with_tracks(processing_registry, sample_gpkg, tmp_path):
    path = tmp_path / "tianguan.gpkg"
    run("linxia_tianguan:space_code", {"DLTB": layer_uri(sample_gpkg, "DLTB"), "DK": layer_uri(sample_gpkg, "DK"),
                                       "CJDCQ": layer_uri(sample_gpkg, "CJDCQ"), "STORE": str(path)})
    store = GpkgStore(path)
    try:
        code, blob = store.conn.execute("SELECT code, geom FROM tg_space_code WHERE status = 'active' "
                                        "ORDER BY code LIMIT 1").fetchone()
        centre = shapely.point_on_surface(shapely.from_wkb(gpkg.decode_blob(blob)))
        xy = np.column_stack([centre.x + np.arange(0, 600, 12.0), np.full(50, centre.y)])
        _add_track(store, "GJ-walk", code[:14], "田管员甲", xy, dt.datetime(2025, 6, 10, 1, 0))
        _add_track(store, "GJ-drive", code[:14], "司机", xy[::5], dt.datetime(2025, 6, 11, 2, 0), 2.0)
    finally:
        store.close()
    return path, code


def test_the_dock_picks_loads_steps_and_cleans_up(qgis_iface, store_with_tracks):
    from qgis.core import QgsProject

    from linxia_tianguan_plugin.ui.track_replay import DOCK_NAME, TrackReplayDock

    path, code = store_with_tracks
    dock = TrackReplayDock(qgis_iface, str(path))
    assert dock.objectName() == DOCK_NAME
    assert dock.county.currentData() == code[:6] and dock.village.currentData() == code[:12]
    assert dock.choose("GJ-walk") and not dock.choose("GJ-nothing")
    dock.choose("GJ-walk")
    before = set(QgsProject.instance().mapLayers())
    dock.load_selected()
    added = set(QgsProject.instance().mapLayers()) - before
    assert len(added) == 3
    layers = [QgsProject.instance().mapLayer(i) for i in added]
    fixes = next(layer for layer in layers if layer.geometryType() == 0)
    assert fixes.featureCount() == 50 and fixes.temporalProperties().isActive()
    assert "09:00:00" in dock.clock.text()  # 01:00 UTC is 09:00 in Beijing
    assert dock.seen_count >= 1
    dock.step(10)
    assert dock.index == 10 and "120" in dock.figures.text()  # 10 fixes × 12 m walked
    assert "4.3" in dock.figures.text()  # 12 m per 10 s = 4.3 km/h
    dock.slider.setValue(49)
    assert "588" in dock.figures.text()
    dock.step(5)
    assert dock.index == 49  # the end holds
    from linxia_tianguan_plugin.i18n import tr
    from linxia_tianguan_plugin.ui.track_replay import flag_names

    assert dock.flags.text() == tr("No flags.")
    _assert_temporal(layers)
    dock.choose("GJ-drive")
    dock.load_selected()
    assert len(set(QgsProject.instance().mapLayers()) - before) == 3  # the previous patrol's layers went
    assert flag_names()["driven"] in dock.flags.text()
    dock.cleanup()
    assert set(QgsProject.instance().mapLayers()) == before


def _assert_temporal(layers) -> None:
    """The three layers of the walk (2025-06-10 01:00:00 UTC, 50 fixes 10 s apart) are temporal as QGIS's
    Temporal Controller reads them: the fixes by their fix time (accumulating), the line by its span, the
    parcels for the patrol's span; and a controller frame in the patrol selects the fixes walked by then."""
    from qgis.core import (
        Qgis,
        QgsDateTimeRange,
        QgsExpression,
        QgsFeatureRequest,
        QgsProject,
        QgsTemporalUtils,
        QgsVectorLayerTemporalContext,
    )
    from qgis.PyQt.QtCore import QDateTime, Qt

    from linxia_tianguan_plugin.ui.track_replay import END_FIELD, FIX_TIME_FIELD, START_FIELD

    start = QDateTime.fromSecsSinceEpoch(int(dt.datetime(2025, 6, 10, 1, 0, tzinfo=dt.UTC).timestamp()),
                                         Qt.TimeSpec.UTC)
    end = start.addSecs(490)
    by_kind = {layer.geometryType(): layer for layer in layers}
    fixes, line, parcels = by_kind[Qgis.GeometryType.Point], by_kind[Qgis.GeometryType.Line], \
        by_kind[Qgis.GeometryType.Polygon]
    for layer in (fixes, line, parcels):
        temporal = layer.temporalProperties()
        assert temporal.isActive(), layer.name()
        span = temporal.fixedTemporalRange()
        assert span.begin() == start and span.end() == end, layer.name()  # covers the patrol, no more
    temporal = fixes.temporalProperties()
    assert temporal.mode() == Qgis.VectorTemporalMode.FeatureDateTimeInstantFromField
    assert temporal.startField() == FIX_TIME_FIELD and fixes.fields().indexOf(FIX_TIME_FIELD) >= 0
    assert temporal.accumulateFeatures()
    # what the Temporal Controller's "set to full range" button takes from the project's temporal layers
    extent = QgsTemporalUtils.calculateTemporalRangeForProject(QgsProject.instance())
    assert extent.begin() == start and extent.end() == end
    line_temporal = line.temporalProperties()
    assert line_temporal.mode() == Qgis.VectorTemporalMode.FeatureDateTimeStartAndEndFromFields
    assert (line_temporal.startField(), line_temporal.endField()) == (START_FIELD, END_FIELD)
    assert parcels.temporalProperties().mode() == Qgis.VectorTemporalMode.FixedTemporalRange
    context = QgsVectorLayerTemporalContext()
    context.setLayer(fixes)
    frame = QgsDateTimeRange(start.addSecs(60), start.addSecs(100))  # a frame 60–100 s into the walk
    where = temporal.createFilterString(context, frame)
    assert where and not QgsExpression(where).hasParserError()
    shown = list(fixes.getFeatures(QgsFeatureRequest().setFilterExpression(where)))
    assert len(shown) == 11  # fixes at 0, 10, …, 100 s: the trail so far
    line_context = QgsVectorLayerTemporalContext()
    line_context.setLayer(line)
    after = QgsDateTimeRange(end.addSecs(60), end.addSecs(120))
    assert line.featureCount() == 1
    assert not list(line.getFeatures(QgsFeatureRequest().setFilterExpression(
        line_temporal.createFilterString(line_context, after))))  # gone once the patrol is over


def test_the_dock_says_when_there_is_nothing_to_replay(qgis_iface, tmp_path):
    from linxia_tianguan_plugin.ui.track_replay import TrackReplayDock

    GpkgStore(tmp_path / "empty.gpkg").close()
    dock = TrackReplayDock(qgis_iface, str(tmp_path / "empty.gpkg"))
    assert dock.county.count() == 0 and not dock.play_button.isEnabled()
    assert dock.clock.text() != "—"
    missing = TrackReplayDock(qgis_iface, str(tmp_path / "none.gpkg"))
    assert "none.gpkg" in missing.clock.text()


def test_the_plugin_opens_the_dock_and_unload_removes_it(qgis_iface, store_with_tracks, monkeypatch):
    from qgis.core import QgsProject

    from linxia_tianguan_plugin import settings
    from linxia_tianguan_plugin.plugin import TianguanPlugin

    path, _ = store_with_tracks
    monkeypatch.setattr(settings, "store_path", lambda: str(path))
    before = set(QgsProject.instance().mapLayers())
    plugin = TianguanPlugin(qgis_iface)
    plugin.initGui()
    try:
        action = next(a for a in plugin.actions if a.objectName() == "linxia_tianguan_track_replay")
        action.trigger()
        dock = plugin.replay_dock
        assert dock is not None and dock.patrol.count() >= 1
        dock.load_selected()
        action.trigger()  # a second click brings the same dock back
        assert plugin.replay_dock is dock
    finally:
        plugin.unload()
    assert plugin.replay_dock is None
    assert set(QgsProject.instance().mapLayers()) == before
