"""巡田覆盖分析 — coverage of farmland by the officers' patrol tracks, and task completion from tracks
(Processing algorithm ``linxia_tianguan:patrol_coverage``).

The kernel (:mod:`..core.patrol.coverage`) decides which parcels the period's counted tracks saw; this
algorithm reads the tracks and parcels from the 田管库, writes the parcel, grid and unseen-parcel
layers, and records each counted track's coverage of its own grid. A track that covers at least
``MIN_GRID_SHARE`` of its grid's farmland becomes a patrol (source ``track``) with the deterministic
patrol id of :func:`..core.patrol.tasks.patrol_id`, so the grid's task of that week turns 已完成 and a re-run
adds nothing.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import os
import queue
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import shapely
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
)

from ... import compat
from ...core import clock, parallel
from ...core.patrol import coverage as kernel
from ...core.patrol import tasks as rules
from ...i18n import tr
from ...storage import GpkgStore
from ...storage import coverage as coverage_store
from ...storage import tracks as track_store
from ...storage.cases import unit_names
from ...storage.export import Column, Staged, export_active
from ...storage.grid import CodedGeometry, CodesChangedError, active_cell_names, active_cells, coded_parcel_table
from ..base import AlgorithmBase
from ..fields import KeepsAliases, schema
from ..readers import FieldSpec, read_layer, source_for

YES, NO = "是", "否"


def week_of(today: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the week containing ``today``."""
    return rules.period_of("week", today)


def parcel_fields() -> QgsFields:
    return schema("coverage_parcels", [
        ("KJM", "String", 20), ("SFXJ", "String", 2), ("ZJXJ", "String", 19),
        ("XJBL", "Double", 10, 4), ("GDMJ", "Double", 20, 2), ("YJMJ", "Double", 20, 2)])


def _rate_spec() -> list[tuple]:
    return [("WGBM", "String", 14), ("WGMC", "String", 100), ("GDMJ", "Double", 20, 2),
            ("XJGDMJ", "Double", 20, 2), ("GDFGL", "Double", 10, 4), ("YJMJ", "Double", 20, 2),
            ("XJYJMJ", "Double", 20, 2), ("YJFGL", "Double", 10, 4), ("XTCS", "Int", 10),
            ("DKSL", "Int", 10), ("XJDKSL", "Int", 10)]


def rate_fields() -> QgsFields:
    """The rates table: the group layer's fields after the grid level."""
    return schema("coverage_rates", [("JB", "Int", 2), *_rate_spec()])


def grid_fields() -> QgsFields:
    return schema("coverage_grid", _rate_spec())


def _geometry(geom) -> QgsGeometry:
    g = QgsGeometry()
    if geom is not None:
        g.fromWkb(shapely.to_wkb(shapely.multipolygons(shapely.get_parts(geom))))
    return g


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


class PatrolCoverageAlgorithm(KeepsAliases, AlgorithmBase):
    STORE, START, END, DISTANCE, SEEN_SHARE = "STORE", "START", "END", "DISTANCE", "SEEN_SHARE"
    MIN_GRID_SHARE, WEEKS_UNSEEN, PARCELS, ONLY_ACCEPTED = "MIN_GRID_SHARE", "WEEKS_UNSEEN", "PARCELS", "ONLY_ACCEPTED"
    SHARES = "SHARES"
    PARCELS_OUT, GRIDS_OUT, UNSEEN_OUT, RATES_OUT = "PARCELS_OUT", "GRIDS_OUT", "UNSEEN_OUT", "RATES_OUT"

    def name(self) -> str:
        return "patrol_coverage"

    def displayName(self) -> str:
        return tr("Patrol coverage analysis")

    def shortHelpString(self) -> str:
        return tr(
            "<p>巡田覆盖分析 · Finds which farmland parcels the officers' patrol tracks in the tianguan store came "
            "close enough to see in a period (default: this week, Monday to Sunday, Beijing time), and how much of "
            "each grid's farmland and permanent basic farmland that is.</p>"
            "<p>Each track sees the ground within the viewing distance (default 50 m): its buffer. A parcel is "
            "<b>seen</b> when part of it lies within the viewing distance of one of the period's tracks or, with a "
            "share above 0, when at least that share of its area lies inside the tracks' buffers; its last-seen "
            "time is the end of the latest track that came within the viewing distance. A grid's coverage rate is "
            "area-weighted: farmland of its seen parcels / its farmland (areas as coded), for 社, 村, 乡 and 县. "
            "Parcels not seen during the given number of weeks up to the last day are listed separately. The "
            "share of each parcel's area seen (field XJBL) is computed only when asked for (advanced option): it "
            "buffers every track, which takes much longer for a prefecture's week.</p>"
            "<p>Only tracks marked accepted by the authenticity check count, unless that option is off. For every "
            "counted track the coverage of its own grid's farmland is written to the store; a track covering at "
            "least the minimum share becomes a patrol of that grid (source: track), so the grid's task of the "
            "period is done. Running again adds nothing twice.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter()
        self.add_period_parameters(self.START, tr("First day (YYYY-MM-DD; empty: Monday of this week)"),
                                   self.END, tr("Last day (YYYY-MM-DD; empty: Sunday of the first day's week)"))
        self.addParameter(QgsProcessingParameterNumber(
            self.DISTANCE, tr("Viewing distance (m)"), compat.ProcessingNumberParameterType.Double, 50.0, minValue=1.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.SEEN_SHARE, tr("Share of a parcel's area that must be seen (0: any overlap)"),
            compat.ProcessingNumberParameterType.Double, 0.0, minValue=0.0, maxValue=1.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_GRID_SHARE, tr("Share of its grid's farmland a track must cover to count as a patrol"),
            compat.ProcessingNumberParameterType.Double, 0.6, minValue=0.0, maxValue=1.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.WEEKS_UNSEEN, tr("List parcels not seen for this many weeks"),
            compat.ProcessingNumberParameterType.Integer, 4, minValue=1))
        self.addParameter(QgsProcessingParameterBoolean(
            self.ONLY_ACCEPTED, tr("Only tracks accepted by the authenticity check"), True))
        shares = QgsProcessingParameterBoolean(
            self.SHARES, tr("Compute the share of each parcel's area seen (slower: buffers every track)"), False)
        shares.setFlags(shares.flags() | compat.ProcessingParameterFlag.Advanced)
        self.addParameter(shares)
        parcels = QgsProcessingParameterFeatureSource(
            self.PARCELS, tr("Coded farmland parcels (empty: the store's active codes)"),
            [compat.ProcessingSourceType.VectorPolygon], optional=True)
        parcels.setFlags(parcels.flags() | compat.ProcessingParameterFlag.Advanced)
        self.addParameter(parcels)
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.PARCELS_OUT, tr("Parcels seen and not seen"), compat.ProcessingSourceType.VectorPolygon,
            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.GRIDS_OUT, tr("Group grid coverage"), compat.ProcessingSourceType.VectorPolygon, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.UNSEEN_OUT, tr("Parcels not seen for weeks"), compat.ProcessingSourceType.VectorPolygon,
            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.RATES_OUT, tr("Coverage rates of every grid (table: county, township, village, group)"),
            compat.ProcessingSourceType.Vector, optional=True))
        for key, label in (("TRACKS", tr("Tracks counted")), ("PATROLS", tr("Patrols added from tracks")),
                           ("TRACKS_BELOW", tr("Tracks below the grid share")),
                           ("PARCELS_SEEN", tr("Parcels seen")),
                           ("PARCELS_UNSEEN_WEEKS", tr("Parcels not seen for weeks")),
                           ("FARMLAND_RATE", tr("Farmland coverage rate")),
                           ("BASIC_RATE", tr("Permanent basic farmland coverage rate"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))
        self.addOutput(QgsProcessingOutputString("COVERAGE_RUN", tr("Coverage run kept in the store")))

    # ------------------------------------------------------------------ inputs
    def _dates(self, parameters, context) -> tuple[dt.date, dt.date]:
        """The period: an empty first day is Monday of this week (Beijing), an empty last day that week's Sunday."""
        start, end = self.parameter_as_period(parameters, self.START, self.END, context)
        if start is None:
            start = week_of(end or clock.today_beijing())[0]
        if end is None:
            end = week_of(start)[1]
        if end < start:
            raise QgsProcessingException(tr("The end date {end} is before the start date {start}.").format(
                end=end, start=start))
        return start, end

    def _parcels(self, parameters, context, feedback, store) -> tuple[kernel.ParcelSet, object]:
        if parameters.get(self.PARCELS) not in (None, ""):
            item = source_for(self, parameters, self.PARCELS, context, feedback)
            crs = QgsCoordinateReferenceSystem(f"EPSG:{store.srs_id}")
            layer, _ = read_layer(item, self.PARCELS, [
                FieldSpec("code", "KJM", tr("space code")),
                FieldSpec("gdmj", "GDMJ", tr("farmland area"), required=False, numeric=True),
                FieldSpec("yjmj", "YJMJ", tr("permanent basic farmland area"), required=False, numeric=True),
            ], crs, context, feedback, None, (0, 10))
            if layer is None:
                raise QgsProcessingException(tr("Cancelled."))
            return kernel.ParcelSet(np.asarray(layer.attrs["code"]).astype(str), np.asarray(layer.wkb, dtype=object),
                                    np.nan_to_num(np.asarray(layer.attrs["gdmj"], dtype=float)),
                                    np.nan_to_num(np.asarray(layer.attrs["yjmj"], dtype=float)),
                                    np.asarray(layer.bounds, dtype=float)), crs
        table = coded_parcel_table(store)
        parcels = kernel.ParcelSet(table["code"], CodedGeometry(store, table["code"]), table["farmland"],
                                   table["basic"], table["bounds"])
        return parcels, QgsCoordinateReferenceSystem(f"EPSG:{store.srs_id}")

    def _tracks_apart(self, path: str, start: dt.date, end: dt.date, weeks: int, only_accepted: bool) -> dict:
        """:meth:`_tracks` on a read-only connection of its own (for a thread: SQLite connections are not shared)."""
        store = GpkgStore(path, create=False, read_only=True)
        try:
            return self._tracks(store, start, end, weeks, only_accepted)
        finally:
            store.close()

    def _tracks(self, store, start: dt.date, end: dt.date, weeks: int, only_accepted: bool) -> dict:
        """Tracks starting within the window examined: the period and the ``weeks`` weeks up to its end."""
        first = min(start, end - dt.timedelta(days=7 * weeks - 1))
        low = rules.format_utc(dt.datetime.combine(first, dt.time(), tzinfo=rules.SHANGHAI))
        high = rules.format_utc(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=rules.SHANGHAI))
        rows = track_store.tracks_starting(store, low, high, only_accepted)
        day = np.array([rules.local_date(r[3]) for r in rows], dtype=object)
        window_first = end - dt.timedelta(days=7 * weeks - 1)
        return {
            "id": [r[0] for r in rows], "officer": [r[1] for r in rows], "started": [r[3] for r in rows],
            "set": kernel.TrackSet(
                np.array([r[5] for r in rows], dtype=object),
                np.array([rules.format_utc(rules.parse_instant(r[4] or r[3])) for r in rows], dtype=str),
                np.array([start <= d <= end for d in day], dtype=bool),
                np.array([window_first <= d <= end for d in day], dtype=bool),
                np.array([str(r[2]) for r in rows], dtype=object)),
            "ended": [r[4] for r in rows],
        }

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
            return self._run(parameters, context, feedback, store)

    def _run(self, parameters, context, feedback, store):
        self._dates(parameters, context)  # a wrong period is refused before any worker starts
        distance = self.parameterAsDouble(parameters, self.DISTANCE, context)
        seen_share = self.parameterAsDouble(parameters, self.SEEN_SHARE, context)
        want_shares = self.parameterAsBool(parameters, self.SHARES, context) and \
            parameters.get(self.PARCELS_OUT) not in (None, "")

        opts = kernel.CoverageOptions(distance=distance, seen_share=seen_share, shares=want_shares,
                                      workers=parallel.cpu_count())
        with contextlib.ExitStack() as workers:
            pool = self._start_workers(parameters, store, opts, workers)
            return self._analyse(parameters, context, feedback, store, opts, pool, workers)

    def _start_workers(self, parameters, store, opts: kernel.CoverageOptions, workers: contextlib.ExitStack):
        """The worker processes, started before the parcels and tracks are read so that they spawn and import
        meanwhile (half a second each); None for a store with too few codes to pay for them."""
        from_store = parameters.get(self.PARCELS) in (None, "")
        if opts.workers < 2 or (from_store and store.count_codes() < opts.parallel_min_parcels):
            return None
        pool = workers.enter_context(parallel.process_pool(opts.workers))
        parallel.warm(pool, opts.workers, kernel.__name__)
        return pool

    def _analyse(self, parameters, context, feedback, store, opts: kernel.CoverageOptions, pool,
                 workers: contextlib.ExitStack) -> dict:
        """Read, analyse in ``pool`` (stopped by ``workers`` once done), then write the store and the outputs."""
        start, end = self._dates(parameters, context)
        distance = opts.distance
        min_grid = self.parameterAsDouble(parameters, self.MIN_GRID_SHARE, context)
        weeks = self.parameterAsInt(parameters, self.WEEKS_UNSEEN, context)
        only_accepted = self.parameterAsBool(parameters, self.ONLY_ACCEPTED, context)
        feedback.setProgressText(tr("Reading coded parcels and tracks…"))
        # the tracks are read on a connection of their own meanwhile (SQLite works without the GIL)
        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="tianguan-tracks") as reader:
            later = reader.submit(self._tracks_apart, store.path, start, end, weeks, only_accepted)
            parcels, crs = self._parcels(parameters, context, feedback, store)
            tracks = later.result()
        if len(parcels) == 0:
            raise QgsProcessingException(tr("No coded parcels: run one-click coding first (or give the coded "
                                            "parcels layer)."))
        ts: kernel.TrackSet = tracks["set"]
        counted = int(ts.in_period.sum())
        feedback.pushInfo(tr("Period {start} to {end}: {tracks} counted tracks, {parcels} parcels, viewing distance "
                             "{distance} m.").format(start=start, end=end, tracks=counted, parcels=len(parcels),
                                                     distance=distance))
        if counted == 0:
            feedback.pushWarning(tr("No counted track in the period: nothing is seen. Import tracks (and run the "
                                    "authenticity check) first, or turn off “only accepted tracks”."))
        feedback.setProgress(10)
        feedback.setProgressText(tr("Finding the parcels within the viewing distance of the tracks…"))
        use_pool = opts.workers > 1 and len(parcels) >= opts.parallel_min_parcels and len(ts) > 0
        # the parcel layers copied from the store are written township by township meanwhile
        with _Exports(self._direct_parcel_outputs(parameters, context), store, parcels) as exports:
            try:
                result = kernel.analyse(parcels, ts, opts, progress=lambda f: feedback.setProgress(10 + 60 * f),
                                        cancelled=feedback.isCanceled, pool=pool if use_pool else None,
                                        township_done=exports.township)
                workers.close()  # the workers' memory goes back before the outputs are written
            except kernel.Cancelled:
                raise QgsProcessingException(tr("Cancelled; nothing was written to the store.")) from None
            except CodesChangedError:
                raise QgsProcessingException(tr("The store's space codes changed while the coverage was computed "
                                                "(was one-click coding running at the same time?). Nothing was "
                                                "written: run the analysis again.")) from None
            exports.all_fed()
            return self._record(parameters, context, feedback, store, (parcels, crs, tracks, result), exports,
                                (start, end, min_grid, only_accepted))

    def _record(self, parameters, context, feedback, store, inputs: tuple, exports: _Exports, period: tuple) -> dict:
        """Write the run into the store (track coverage, patrols, rates), then the output layers; the parcel
        layers copied from the store are being written meanwhile (``exports``)."""
        parcels, crs, tracks, result = inputs
        start, end, min_grid, only_accepted = period
        distance = self.parameterAsDouble(parameters, self.DISTANCE, context)
        seen_share = self.parameterAsDouble(parameters, self.SEEN_SHARE, context)
        ts: kernel.TrackSet = tracks["set"]
        counted = int(ts.in_period.sum())
        # task completion: each counted track's coverage of its own grid, patrols for those above the share
        coverage = result.track_coverage
        updates, patrols, below, no_grid = [], [], 0, 0
        for i in np.flatnonzero(ts.in_period).tolist():
            value = coverage[i]
            if not ts.grid[i] or not np.isfinite(value):
                no_grid += 1
                continue
            updates.append((round(float(value), 4), tracks["id"][i]))
            if value >= min_grid:
                patrols.append(rules.make_patrol(
                    ts.grid[i], tracks["officer"][i], tracks["started"][i], tracks["ended"][i], valid=True,
                    note=f"轨迹 {tracks['id'][i]} 覆盖本网格耕地 {value:.0%}", source="track"))
            else:
                below += 1
        if feedback.isCanceled():
            raise QgsProcessingException(tr("Cancelled; nothing was written to the store."))
        added = track_store.save_coverage(store, updates, patrols)
        feedback.pushInfo(tr("{tracks} tracks reach {share:.0%} of their grid's farmland: {added} new patrols "
                             "recorded ({existing} already there); {below} tracks below the share.").format(
            tracks=len(patrols), share=min_grid, added=added, existing=len(patrols) - added, below=below))
        if no_grid:
            feedback.pushWarning(tr("{n} counted tracks have no grid code or their grid has no farmland: no "
                                    "coverage for them.").format(n=no_grid))
        feedback.setProgress(75)

        rates = kernel.grid_rates(parcels, result.seen)
        self._report(feedback, rates)
        out = {"TRACKS": counted, "PATROLS": added, "TRACKS_BELOW": below,
               "PARCELS_SEEN": int(result.seen.sum()), "PARCELS_UNSEEN_WEEKS": int((~result.seen_window).sum())}
        total_f = float(np.sum(parcels.farmland))
        total_b = float(np.sum(parcels.basic))
        out["FARMLAND_RATE"] = float(np.sum(parcels.farmland[result.seen])) / total_f if total_f > 0 else 0.0
        out["BASIC_RATE"] = float(np.sum(parcels.basic[result.seen])) / total_b if total_b > 0 else 0.0
        # the run's rates are kept in the store: the dashboard, maps and assessment show these numbers
        out["COVERAGE_RUN"] = coverage_store.save_rates(
            store, start, end, rates, {"distance": distance, "seen_share": seen_share, "min_grid_share": min_grid,
                                       "only_accepted": only_accepted},
            {k: out[k] for k in ("TRACKS", "PATROLS", "PARCELS_SEEN", "FARMLAND_RATE", "BASIC_RATE")})

        feedback.setProgressText(tr("Writing the results…"))
        out.update(self._write_grids(parameters, context, feedback, store, rates, ts, crs))
        out.update(self._write_rates(parameters, context, store, rates, ts))
        feedback.setProgress(80)
        out.update(self._write_parcels(parameters, context, feedback, parcels, result, crs, exports))
        feedback.setProgress(100)
        return out

    def _direct_parcel_outputs(self, parameters, context) -> dict[str, str]:
        """The parcel layers (PARCELS_OUT, UNSEEN_OUT) that are new GeoPackage files copied from the store with
        SQL (:func:`..storage.export.export_active`), by output name; the others go through sinks."""
        wanted = [name for name in (self.PARCELS_OUT, self.UNSEEN_OUT) if parameters.get(name) not in (None, "")]
        if parameters.get(self.PARCELS) not in (None, ""):
            return {}
        direct = {name: self.direct_gpkg(parameters, name, context) for name in wanted}
        if len(wanted) == 2 and direct[wanted[0]] == direct[wanted[1]]:
            return {}  # one file named twice: the sinks decide, as without the direct path
        return {name: path for name, path in direct.items() if path}

    def _report(self, feedback, rates: dict[str, kernel.GridRates]) -> None:
        def pct(v: float | None) -> str:
            return "—" if v is None else f"{v:.1%}"

        for length in (6, 9):
            for code in sorted(c for c in rates if len(c) == length):
                r = rates[code]
                feedback.pushInfo(tr("{code}: farmland {rate} seen ({seen:.0f} of {total:.0f} m²), permanent basic "
                                     "farmland {basic}.").format(code=code, rate=pct(r.rate), seen=r.seen_m2,
                                                                 total=r.farmland_m2, basic=pct(r.basic_rate)))

    def _write_grids(self, parameters, context, feedback, store, rates, ts: kernel.TrackSet, crs) -> dict:
        if parameters.get(self.GRIDS_OUT) in (None, ""):
            return {}
        fields = grid_fields()
        sink, dest = self.parameterAsSink(parameters, self.GRIDS_OUT, context, fields, Qgis.WkbType.MultiPolygon, crs)
        if sink is None:
            return {}
        cells = active_cells(store)
        groups = cells["level"] == 5
        codes = [str(c) for c in cells["code"][groups]]
        names = [str(n) for n in cells["name"][groups]]
        geoms = list(cells["geom"][groups])
        if not codes:
            feedback.pushWarning(tr("The store has no patrol grid: the group coverage layer has no geometry. Run "
                                    "“Build the patrol grid” first."))
            codes = sorted(c for c in rates if len(c) == 14)
            names, geoms = [""] * len(codes), [None] * len(codes)
        counts: dict[str, int] = {}
        for g in ts.grid[ts.in_period]:
            counts[str(g)] = counts.get(str(g), 0) + 1
        features = []
        for code, name, geom in zip(codes, names, geoms):
            r = rates.get(code) or kernel.GridRates(code, 0.0, 0.0, 0.0, 0.0, 0, 0)
            f = QgsFeature(fields)
            f.setAttributes([code, name, round(r.farmland_m2, 2), round(r.seen_m2, 2), _round(r.rate, 4),
                             round(r.basic_m2, 2), round(r.basic_seen_m2, 2), _round(r.basic_rate, 4),
                             counts.get(code, 0), r.parcels, r.seen_parcels])
            f.setGeometry(_geometry(geom))
            features.append(f)
        sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert)
        self.keep_aliases(dest, "coverage_grid")
        return {self.GRIDS_OUT: dest}

    def _write_rates(self, parameters, context, store, rates: dict[str, kernel.GridRates],
                     ts: kernel.TrackSet) -> dict:
        """One row per county, township, village and group, in code order: the table leaders read."""
        if parameters.get(self.RATES_OUT) in (None, ""):
            return {}
        fields = rate_fields()
        sink, dest = self.parameterAsSink(parameters, self.RATES_OUT, context, fields, Qgis.WkbType.NoGeometry)
        if sink is None:
            return {}
        names = unit_names(store)
        names.update(active_cell_names(store))
        patrols: dict[str, int] = {}
        for g in ts.grid[ts.in_period]:
            for length in kernel.GRID_LENGTHS:
                if g and len(str(g)) >= length:
                    key = str(g)[:length]
                    patrols[key] = patrols.get(key, 0) + 1
        level = {6: 2, 9: 3, 12: 4, 14: 5}
        features = []
        for code in sorted(rates, key=lambda c: (len(c), c)):
            r = rates[code]
            f = QgsFeature(fields)
            f.setAttributes([level[len(code)], code, names.get(code, ""), round(r.farmland_m2, 2), round(r.seen_m2, 2),
                             _round(r.rate, 4), round(r.basic_m2, 2), round(r.basic_seen_m2, 2),
                             _round(r.basic_rate, 4), patrols.get(code, 0), r.parcels, r.seen_parcels])
            features.append(f)
        sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert)
        self.keep_aliases(dest, "coverage_rates")
        return {self.RATES_OUT: dest}

    def _write_parcels(self, parameters, context, feedback, parcels: kernel.ParcelSet, result, crs,
                       exports: _Exports) -> dict:
        """The parcel layer (every parcel) and the unseen one: the copies from the 田管库 (see :class:`_Exports`)
        put in place, any other destination through a sink — writing half a million polygons feature by feature
        costs seconds."""
        wanted = [name for name in (self.PARCELS_OUT, self.UNSEEN_OUT) if parameters.get(name) not in (None, "")]
        out = {}
        for name in wanted:
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Cancelled after the store was updated; the layers are incomplete."))
            if name in exports.paths:
                dest = exports.finish(name)
                self.load_direct(parameters, name, context, dest)
            else:
                rows = np.arange(len(parcels)) if name == self.PARCELS_OUT else np.flatnonzero(~result.seen_window)
                dest = self._sink_parcels(parameters, name, context, feedback, parcels, exports.values(result), rows,
                                           crs)
                if dest is None:
                    continue
            out[name] = dest
            self.keep_aliases(dest, "coverage_parcels")
        return out

    def _sink_parcels(self, parameters, name: str, context, feedback, parcels: kernel.ParcelSet, values: list,
                      rows: np.ndarray, crs):
        """Write ``rows`` of the parcels through output ``name``'s sink, a block of geometry at a time."""
        fields = parcel_fields()
        sink, dest = self.parameterAsSink(parameters, name, context, fields, Qgis.WkbType.MultiPolygon, crs)
        if sink is None:
            return None
        block = 5000
        for first in range(0, len(parcels), block):
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Cancelled after the store was updated; the layers are "
                                                "incomplete."))
            todo = rows[(rows >= first) & (rows < first + block)]
            if len(todo) == 0:
                continue
            batch = []
            for i, wkb in zip(todo.tolist(), parcels.geometries(todo)):  # one block of geometry at a time
                f = QgsFeature(fields)
                f.setAttributes(list(values[i]))
                g = QgsGeometry()
                g.fromWkb(wkb)
                g.convertToMultiType()
                f.setGeometry(g)
                batch.append(f)
            sink.addFeatures(batch, QgsFeatureSink.Flag.FastInsert)
        return dest


class _Stopped(Exception):  # noqa: N818 (raised into a layer's writer when the run stops before the last township)
    pass


_STOP = object()  # put on a writer's queue: the run failed or was cancelled


class _Exports:
    """The parcel layers copied from the 田管库 with SQL, written in threads while the run computes and records.

    Each township's rows go to the writers as soon as its parcels are final (:meth:`township`), so the layers are
    mostly written by the time the last township is computed. Each is written under a hidden name beside its
    destination (its layer named for the destination) and put in place by :meth:`finish` once the store holds the
    run; a run that fails or is cancelled stops the writers and removes their files. The threads touch only SQLite
    (their own connections) and numpy: no QGIS object.
    """

    def __init__(self, paths: dict[str, str], store, parcels: kernel.ParcelSet):
        self.paths, self._store, self._parcels = paths, store, parcels
        self._values: list | None = None
        self._queues = {name: queue.SimpleQueue() for name in paths}
        self._written: dict[str, list[np.ndarray]] = {name: [] for name in paths}
        self._pending: dict[str, tuple[concurrent.futures.Future, Path]] = {}
        self._fed = False
        self._executor = concurrent.futures.ThreadPoolExecutor(len(paths), thread_name_prefix="tianguan-export") \
            if paths else None

    def __enter__(self) -> _Exports:
        for name, path in self.paths.items():
            hidden = Path(path).with_name(f".{Path(path).name}.{uuid.uuid4().hex[:8]}.pending")
            self._pending[name] = (self._executor.submit(self._export, name, str(hidden), Path(path).stem), hidden)
        return self

    def township(self, done: kernel.TownshipDone) -> None:
        """A township's parcels are final: their rows go to every layer's writer."""
        for waiting in self._queues.values():
            waiting.put(done)

    def all_fed(self) -> None:
        """Every township was handed over: the writers finish their layers."""
        for waiting in self._queues.values():
            waiting.put(None)
        self._fed = True

    def values(self, result) -> list:
        """Each parcel's row of the parcel layers, as a list (for the sinks: computed once)."""
        if self._values is None:
            self._values = list(_parcel_values(self._parcels, result))
        return self._values

    def _rows(self, name: str) -> Iterator[tuple]:
        """The rows of layer ``name`` as the townships come (every parcel, or those unseen for N weeks)."""
        unseen = name == PatrolCoverageAlgorithm.UNSEEN_OUT
        while (done := self._queues[name].get()) is not None:
            if done is _STOP:
                raise _Stopped()
            keep = np.flatnonzero(~done.seen_window) if unseen else np.arange(len(done.index))
            self._written[name].append(done.index[keep])
            yield from _value_rows(self._parcels, done.index[keep], done.seen[keep], done.last_seen[keep],
                                   done.share[keep])

    def _export(self, name: str, path: str, table: str) -> None:
        def boxes() -> np.ndarray:
            written = self._written[name]
            return self._parcels.bounds[np.concatenate(written) if written else np.zeros(0, dtype=np.int64)]

        export_active(self._store, path, table, _parcel_columns(), staged=Staged(_STAGED, self._rows(name), boxes),
                      aliases={f.name(): f.alias() for f in parcel_fields() if f.alias()})

    def finish(self, name: str) -> str:
        """Wait for output ``name``'s copy and put it in place; returns its path. A copy not put in place is
        removed."""
        future, hidden = self._pending[name]
        try:
            future.result()
        except CodesChangedError:
            raise QgsProcessingException(tr(
                "The store's space codes changed while the coverage was computed (was one-click coding "
                "running at the same time?). Nothing was written: run the analysis again.")) from None
        if os.path.exists(self.paths[name]):  # made meanwhile by someone else: never overwritten
            raise QgsProcessingException(tr(
                "{path} was created by another program while the coverage was computed, so the layer was not "
                "written there (the store holds the run): choose another file name and run again.").format(
                path=self.paths[name]))
        os.replace(hidden, self.paths[name])
        del self._pending[name]
        return self.paths[name]

    def __exit__(self, *exc) -> None:
        """Stop the writers of a run that did not finish, wait for them, and remove every copy not put in place."""
        if self._executor is None:
            return
        if not self._fed:
            for waiting in self._queues.values():
                waiting.put(_STOP)
        self._executor.shutdown(wait=True)
        for _, hidden in self._pending.values():
            with contextlib.suppress(FileNotFoundError):
                os.remove(hidden)


#: the staged values of the parcel layers after the code (KJM), as :class:`..storage.export.Staged` columns
_STAGED = [("SFXJ", "TEXT"), ("ZJXJ", "TEXT"), ("XJBL", "REAL"), ("GDMJ", "REAL"), ("YJMJ", "REAL")]


def _parcel_columns() -> list[Column]:
    """:func:`parcel_fields` (text and doubles) as the SQL types OGR gives them, over the staged rows (the code
    is KJM)."""
    out = []
    for f in parcel_fields():
        sql_type = "REAL" if f.isNumeric() else f"TEXT({f.length()})" if f.length() else "TEXT"
        out.append(Column(f.name(), sql_type, "s.code" if f.name() == "KJM" else f's."{f.name()}"'))
    return out


#: parcels turned into Python rows at a time: a prefecture's 2.5 million rows as tuples would take ~700 MB at once
_ROW_BLOCK = 50_000


def _parcel_values(parcels: kernel.ParcelSet, result) -> Iterator[tuple]:
    """Each parcel's row of the parcel layers, in order, from the run's result."""
    return _value_rows(parcels, np.arange(len(parcels)), np.asarray(result.seen),
                       np.asarray(result.last_seen, dtype=object), np.asarray(result.share, dtype=float))


def _value_rows(parcels: kernel.ParcelSet, rows: np.ndarray, seen: np.ndarray, last_seen: np.ndarray,
                share: np.ndarray) -> Iterator[tuple]:
    """The parcel layers' rows of parcels ``rows`` with their values: code, seen (是/否), last seen (Beijing time),
    share, areas — made a block at a time, so only one block of Python rows exists at once."""
    # last-seen times are track end times: convert each distinct one once, not once per parcel
    times, inverse = np.unique(np.asarray(last_seen, dtype=str), return_inverse=True)
    local = np.array([rules.local_text(t) if t else None for t in times.tolist()], dtype=object)
    code = np.asarray(parcels.code).astype(str)
    farmland, basic = np.asarray(parcels.farmland, dtype=float), np.asarray(parcels.basic, dtype=float)
    share = np.asarray(share, dtype=float)
    for first in range(0, len(rows), _ROW_BLOCK):
        block, part = rows[first:first + _ROW_BLOCK], slice(first, first + _ROW_BLOCK)
        values = share[part]
        finite = np.isfinite(values)  # as _round, without a NumPy call per parcel (the share is mostly not computed)
        shares = [round(v, 4) if ok else None for v, ok in zip(values.tolist(), finite.tolist())] if finite.any() \
            else [None] * len(block)
        yield from zip(code[block].tolist(), np.where(seen[part], YES, NO).tolist(), local[inverse[part]].tolist(),
                       shares, [round(v, 2) for v in farmland[block].tolist()],
                       [round(v, 2) for v in basic[block].tolist()])
