"""轨迹真实性检查 — check imported patrol tracks (Processing algorithm ``linxia_tianguan:check_tracks``).

A patrol counts toward its task only when its track is a real walk over the officer's own 社 cell.
The checks themselves are in :mod:`..core.patrol.authenticity`; this algorithm reads the tracks and their
fix times from the 田管库, checks each against its group cell of the active grid and against every
earlier track in the store (by start time, any officer), and writes flags, figures and ``accepted``
back in one transaction. Checking again gives the same result, so re-running is harmless.
"""
from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import numpy as np
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterNumber,
)

from ... import compat
from ...core import clock
from ...core.patrol.authenticity import FLAG_LABELS_ZH, CheckOptions, TrackInput, check_many
from ...core.patrol.place_time import FLAGS, complete_check, county_area
from ...core.patrol.tracks import PLACE_TIME_FLAG_LABELS_ZH, track_length
from ...i18n import tr
from ...labels import track_flag_labels
from ...storage import tracks as track_store
from ...storage.grid import active_cells, coded_extent, top_grid_cells
from ...storage.tasks import plan_starts
from ..base import AlgorithmBase
from ..fields import KeepsAliases, schema

SHANGHAI = ZoneInfo("Asia/Shanghai")
GROUP_LEVEL = 5
#: every flag a check may give: those of core.patrol.authenticity, then outside the county and before the plan
LABELS_ZH = {**FLAG_LABELS_ZH, **PLACE_TIME_FLAG_LABELS_ZH}


def flag_text(flag: str) -> str:
    """What a flag means, for the run's messages (in the UI language; the one registry, :mod:`..labels`)."""
    return track_flag_labels()[flag]


#: (parameter name, CheckOptions field, label, default, unit scale: parameter value × scale = option)
def _threshold_parameters() -> list[tuple[str, str, str, float, float]]:
    d = CheckOptions()
    return [
        ("MIN_DURATION", "min_duration_s", tr("Shortest patrol (minutes)"), d.min_duration_s / 60, 60.0),
        ("MIN_LENGTH", "min_length_m", tr("Shortest patrol length (m)"), d.min_length_m, 1.0),
        ("WALK_MEDIAN", "walk_median_max_ms", tr("Highest median walking speed (m/s)"), d.walk_median_max_ms, 1.0),
        ("WALK_P85", "walk_p85_max_ms", tr("Highest 85th-percentile walking speed (m/s)"), d.walk_p85_max_ms, 1.0),
        ("DRIVE_SPEED", "drive_speed_ms", tr("Driving speed (m/s)"), d.drive_speed_ms, 1.0),
        ("DRIVE_STRETCH", "drive_stretch_s", tr("Longest stretch at driving speed (s)"), d.drive_stretch_s, 1.0),
        ("GRID_TOLERANCE", "grid_tolerance_m", tr("Tolerance around the group cell (m)"), d.grid_tolerance_m, 1.0),
        ("MIN_INSIDE", "min_inside_share", tr("Least share of the track inside the group cell (%)"),
         d.min_inside_share * 100, 0.01),
        ("TELEPORT_SPEED", "teleport_speed_ms", tr("Jump speed between two fixes (m/s)"), d.teleport_speed_ms, 1.0),
        ("REPLAY_DISTANCE", "replay_distance_m", tr("Replay: largest mean distance to the earlier track (m)"),
         d.replay_distance_m, 1.0),
        ("REPLAY_LENGTH_RATIO", "replay_length_ratio", tr("Replay: least length ratio (shorter / longer)"),
         d.replay_length_ratio, 1.0),
        ("REGULAR_CV", "regular_max_cv", tr("Regular sampling: largest variation of the intervals"),
         d.regular_max_cv, 1.0),
    ]


def utc_seconds(texts) -> np.ndarray:
    """Epoch seconds of UTC ISO texts ('YYYY-MM-DDTHH:MM:SSZ', fractions allowed), vectorised."""
    if not len(texts):
        return np.zeros(0)
    clean = np.array([str(s).rstrip("Z").replace(" ", "T") for s in texts], dtype="datetime64[ms]")
    return clean.astype(np.int64) / 1000.0


def day_bounds(first: dt.date | None, last: dt.date | None) -> tuple[str | None, str | None]:
    """UTC ISO bounds [from, to) of Asia/Shanghai dates ``first``..``last`` (inclusive); None when not given."""
    def utc(day: dt.date) -> str:
        local = dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
        return local.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    return (utc(first) if first else None, utc(last + dt.timedelta(days=1)) if last else None)


def fix_times_and_positions(store, track_ids: list[str]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The kept fixes' times of each track in vertex order (epoch seconds), and their lon/lat ((n, 2))."""
    times, lonlat = track_store.kept_fix_times_and_positions(store, track_ids)
    return {k: utc_seconds(v) for k, v in times.items()}, lonlat


def vertex_times(track: dict, times: np.ndarray | None) -> tuple[np.ndarray, bool]:
    """Epoch seconds per vertex, and whether they came from the fixes (else spread evenly between the
    track's start and end — a track without its fixes can still be checked, less precisely)."""
    n = len(track["xy"])
    if times is not None and len(times) == n and not np.isnan(times).any():
        return times, True
    t0, t1 = utc_seconds([track["started_at"], track["ended_at"]])
    return np.linspace(t0, t1, n) if n else np.zeros(0), False


class CheckTracksAlgorithm(KeepsAliases, AlgorithmBase):
    STORE, START, END, OUTPUT = "STORE", "START", "END", "OUTPUT"

    def name(self) -> str:
        return "check_tracks"

    def displayName(self) -> str:
        return tr("Check patrol track authenticity")

    def shortHelpString(self) -> str:
        return tr(
            "<p>轨迹真实性检查 · Checks the patrol tracks in the tianguan store: is each a real walk over the "
            "officer's own group (社) cell? Flags: driven (median or 85th-percentile moving speed above walking, "
            "or a long stretch at driving speed), too short (duration or length), outside the grid (too little "
            "of the track inside the group cell of the active patrol grid, with a tolerance), teleport (two "
            "consecutive fixes too far apart for the time between them), replay (the same path at the same pace "
            "as an earlier track of any officer), regular sampling (intervals and spacing machine-regular, a "
            "hint), no grid cell (the grid code is not in the active grid, a hint), wrong clock (fix times in the "
            "future or before 2000), outside the county (most fixes outside the county the store covers — its "
            "grid, else its coded parcels — whatever the grid code says) and before the plan (started before the "
            "first patrol task period of its grid). Speeds, jumps and lengths are measured on the ellipsoid from "
            "the fixes' longitude and latitude, whatever the store's coordinate system.</p>"
            "<p>A track is accepted when it has none of the blocking flags: driven, too short, outside the grid, "
            "teleport, replay, wrong clock, outside the county and before the plan. Every track is checked "
            "against every track that started before it. Flags, "
            "the figures they were decided on and the result are written back to the store; checking again "
            "gives the same result.</p>"
            "<p>Without dates, the tracks not checked yet are checked; with dates (Beijing dates, both "
            "inclusive), every track started in that range is checked again. The thresholds are advanced "
            "parameters; the guide's section on tracks explains their defaults (help button).</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter()
        self.add_period_parameters(self.START, tr("First day (YYYY-MM-DD, Beijing; empty: the tracks not checked yet)"),
                                   self.END, tr("Last day (YYYY-MM-DD, Beijing; empty: no end)"))
        for name, _, label, default, _ in _threshold_parameters():
            p = QgsProcessingParameterNumber(name, label, compat.ProcessingNumberParameterType.Double, default,
                                             minValue=0.0)
            p.setFlags(p.flags() | compat.ProcessingParameterFlag.Advanced)
            self.addParameter(p)
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Checked patrol tracks"), compat.ProcessingSourceType.VectorLine, optional=True,
            createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber("CHECKED", tr("Tracks checked")))
        self.addOutput(QgsProcessingOutputNumber("ACCEPTED", tr("Tracks accepted")))
        self.addOutput(QgsProcessingOutputNumber("REJECTED", tr("Tracks not accepted")))
        for flag in FLAGS:
            self.addOutput(QgsProcessingOutputNumber(flag.upper(), flag_text(flag)))

    def options(self, parameters, context) -> CheckOptions:
        values = {}
        for name, field, _, _, scale in _threshold_parameters():
            values[field] = self.parameterAsDouble(parameters, name, context) * scale
        return CheckOptions(**values)

    def processAlgorithm(self, parameters, context, feedback):
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Give the tianguan store."))
            return self._run(parameters, context, feedback, store)

    def _run(self, parameters, context, feedback, store):
        options = self.options(parameters, context)
        start, end = self.parameter_as_period(parameters, self.START, self.END, context)
        since, until = day_bounds(start, end)
        by_dates = start is not None or end is not None

        feedback.setProgressText(tr("Reading the tracks…"))
        tracks = track_store.tracks_to_check(store, until)

        def selected(track: dict) -> bool:
            if not by_dates:
                return not track["checked"]
            return (since is None or track["started_at"] >= since) and (until is None or track["started_at"] < until)

        chosen = [selected(t) for t in tracks]
        if any(chosen):
            last = max(i for i, c in enumerate(chosen) if c)
            tracks, chosen = tracks[:last + 1], chosen[:last + 1]  # later tracks cannot be copied from
        else:
            tracks, chosen = [], []
        if not tracks:
            feedback.pushInfo(tr("No patrol track to check."))
        cells = active_cells(store)
        groups = cells["level"] == GROUP_LEVEL
        cell_of = dict(zip(cells["code"][groups].tolist(), cells["geom"][groups].tolist()))
        if len(tracks) and not cell_of:
            feedback.pushWarning(tr("The store has no patrol grid yet: every track is flagged “no grid cell”."))
        times, lonlat = fix_times_and_positions(store, [t["track_id"] for t in tracks])
        county = county_area(top_grid_cells(store), coded_extent(store), int(store.srs_id))
        if len(tracks) and county[0] is None:
            feedback.pushWarning(tr("The store has neither a patrol grid nor coded parcels: the tracks cannot be "
                                    "checked against the county's extent."))
        plans = plan_starts(store)
        feedback.setProgress(10)

        inputs, estimated, vertex_t = [], [], {}
        now = clock.now_utc().timestamp()  # no fix can be later than this (bad_clock)
        for track, check in zip(tracks, chosen):
            t, exact = vertex_times(track, times.get(track["track_id"]))
            if check and not exact:
                estimated.append(track["track_id"])
            if check:
                vertex_t[track["track_id"]] = (t, exact)
            # true metres even when the store's CRS does not measure true (the fixes' lon/lat on the ellipsoid)
            ll = lonlat.get(track["track_id"])
            length = track_length(track["xy"][:, 0], track["xy"][:, 1], ll[:, 0], ll[:, 1]) \
                if check and exact and ll is not None and len(ll) == len(track["xy"]) else None
            inputs.append(TrackInput(track["track_id"], track["xy"], t, cell_of.get(track["grid_code"] or ""), check,
                                     length_m=length, now=now))
        if estimated:
            feedback.pushWarning(tr(
                "{n} tracks have no fix time for every vertex; their times were spread evenly between start and "
                "end: {ids}").format(n=len(estimated), ids=", ".join(estimated[:20])
                                     + (" …" if len(estimated) > 20 else "")))
        feedback.setProgressText(tr("Checking {n} tracks against their grid cells and every earlier track…").format(
            n=sum(chosen)))
        try:
            results = check_many(inputs, options, progress=lambda f: feedback.setProgress(10 + 75 * f),
                                 cancelled=feedback.isCanceled)
        except InterruptedError:
            raise QgsProcessingException(tr("Cancelled.")) from None
        if feedback.isCanceled():
            raise QgsProcessingException(tr("Cancelled."))

        by_id = {t["track_id"]: t for t in tracks}
        for track_id, result in results.items():
            t, exact = vertex_t.get(track_id, (np.zeros(0), False))
            complete_check(result, by_id[track_id], t, exact, lonlat.get(track_id), options, county, plans)
        settings = options.as_dict()
        rows = []
        for track_id, result in results.items():
            figures = dict(result.figures, options=settings)
            rows.append((json.dumps(result.flags), json.dumps(figures, ensure_ascii=False), int(result.accepted),
                         track_id))
        feedback.setProgressText(tr("Writing the results to the store…"))
        track_store.save_checks(store, rows)
        feedback.setProgress(90)

        dest = self._write_output(parameters, context, store, tracks, results)
        counts = {flag: sum(1 for r in results.values() if flag in r.flags) for flag in FLAGS}
        accepted = sum(1 for r in results.values() if r.accepted)
        feedback.pushInfo(tr("{checked} tracks checked: {accepted} accepted, {rejected} not accepted.").format(
            checked=len(results), accepted=accepted, rejected=len(results) - accepted))
        for flag, n in counts.items():
            if n:
                feedback.pushInfo(tr("{what}: {n}").format(what=flag_text(flag), n=n))
        feedback.setProgress(100)
        return {self.OUTPUT: dest, "CHECKED": len(results), "ACCEPTED": accepted,
                "REJECTED": len(results) - accepted, **{f.upper(): n for f, n in counts.items()}}

    def _write_output(self, parameters, context, store, tracks, results):
        if parameters.get(self.OUTPUT) in (None, ""):
            return None
        fields = schema("tracks", [
            ("track_id", "String"), ("officer", "String"), ("grid_code", "String"),
            ("started_at", "String"), ("ended_at", "String"), ("length_m", "Double"),
            ("duration_s", "Double"), ("flags", "String"), ("flags_zh", "String"),
            ("accepted", "Int"), ("figures", "String")])
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, Qgis.WkbType.LineString,
                                          QgsCoordinateReferenceSystem(f"EPSG:{store.srs_id}"))
        if sink is None:
            return None
        features = []
        for track in tracks:
            result = results.get(track["track_id"])
            if result is None:
                continue
            f = QgsFeature(fields)
            f.setAttributes([track["track_id"], track["officer"], track["grid_code"], track["started_at"],
                             track["ended_at"], result.figures["length_m"], result.figures["duration_s"],
                             ",".join(result.flags), "；".join(LABELS_ZH[x] for x in result.flags),
                             int(result.accepted), json.dumps(result.figures, ensure_ascii=False)])
            if track["wkb"]:
                g = QgsGeometry()
                g.fromWkb(track["wkb"])
                f.setGeometry(g)
            features.append(f)
        sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert)
        self.keep_aliases(dest, "tracks")
        return dest
