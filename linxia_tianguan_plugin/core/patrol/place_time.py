"""Where and when a patrol track was walked, against the county and its plan (no QGIS here).

Why apart from :mod:`.authenticity`: these checks need what only the store knows — the county's area (its patrol
grid, else its coded parcels) and the first day of the patrol plan — and the fixes' longitude and latitude, so that
speeds and jumps are true metres on the ellipsoid whatever the store's CRS (a Web-Mercator store stretches them by a
third at Linxia's latitude). Tracks from another country once passed because only the grid code was looked at.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import shapely

from .authenticity import FLAGS as CHECK_FLAGS
from .authenticity import CheckOptions, TrackCheck
from .tracks import COUNTY_MIN_SHARE, COUNTY_TOLERANCE_M, PLACE_TIME_FLAGS, before_plan, inside_share, motion_figures

FLAGS = CHECK_FLAGS + PLACE_TIME_FLAGS


def county_area(top_cells: list, extent: tuple[float, float, float, float] | None,
                srs_id: int) -> tuple[object, object, str | None]:
    """The county the store covers, grown by :data:`COUNTY_TOLERANCE_M`: (in the store's CRS, in lon/lat, where
    it comes from). ``top_cells``: the active grid's top cells (county, else prefecture …); ``extent``: the box of
    the coded parcels, used without a grid; (None, None, None) with neither — then no track is flagged outside."""
    from pyproj import Transformer

    area, source = None, None
    geoms = [g for g in top_cells if g is not None and not g.is_empty]
    if geoms:
        area, source = shapely.union_all(geoms), "grid"
    elif extent is not None:
        area, source = shapely.box(*extent), "parcels"
    if area is None:
        return None, None, None
    to_lonlat = Transformer.from_crs(int(srs_id), 4490, always_xy=True)
    # a store in degrees (rare) is grown by the same distance in degrees of latitude
    geographic = to_lonlat.source_crs is not None and to_lonlat.source_crs.is_geographic
    area = shapely.buffer(area, COUNTY_TOLERANCE_M / 111_320.0 if geographic else COUNTY_TOLERANCE_M)

    def transform(xy: np.ndarray) -> np.ndarray:
        x, y = to_lonlat.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return area, shapely.transform(area, transform), source


def complete_check(result: TrackCheck, track: dict, t: np.ndarray, exact: bool, lonlat: np.ndarray | None,
                   options: CheckOptions, county: tuple, plans: tuple[dict[str, dt.date], dt.date | None]) -> None:
    """Complete a check's figures and flags (in place): speed and jump figures on the ellipsoid from the fixes'
    lon/lat (when every vertex has its fix and its time: ``exact``), outside the county (whatever the grid code),
    before the plan."""
    figures = result.figures
    flags = set(result.flags)
    if lonlat is not None and (len(lonlat) != len(track["xy"]) or not np.isfinite(lonlat).all()):
        lonlat = None
    if exact and lonlat is not None and len(lonlat):
        motion = motion_figures(lonlat[:, 0], lonlat[:, 1], t, options.speed_window_s, options.moving_speed_ms,
                                options.drive_speed_ms, options.teleport_speed_ms)
        figures.update(motion)
        flags.discard("driven")
        flags.discard("teleport")
        flags.discard("regular_sampling")
        if motion["speed_median_ms"] > options.walk_median_max_ms or \
                motion["speed_p85_ms"] > options.walk_p85_max_ms or motion["longest_fast_s"] >= options.drive_stretch_s:
            flags.add("driven")
        if motion["teleports"]:
            flags.add("teleport")
        if len(t) - 1 >= options.regular_min_intervals and figures.get("interval_cv", 1.0) <= options.regular_max_cv \
                and motion["step_cv"] <= options.regular_max_step_cv:
            flags.add("regular_sampling")
    area, area_lonlat, source = county
    share = None
    if area is not None:
        if lonlat is not None and len(lonlat):
            share = inside_share(lonlat[:, 0], lonlat[:, 1], area_lonlat)
        elif len(track["xy"]):
            share = inside_share(track["xy"][:, 0], track["xy"][:, 1], area)
    figures["county_share"] = None if share is None else round(share, 3)
    figures["county_from"] = source
    if share is not None and share < COUNTY_MIN_SHARE:
        flags.add("outside_county")
    per_grid, first = plans
    plan = per_grid.get(track["grid_code"] or "", first)
    figures["plan_start"] = None if plan is None else plan.isoformat()
    started = float(t[0]) if len(t) else float("nan")
    if before_plan(started, plan):
        flags.add("before_plan")
    result.flags = [f for f in FLAGS if f in flags]
    blocking = tuple(options.blocking) + PLACE_TIME_FLAGS
    result.accepted = not any(f in blocking for f in result.flags)
