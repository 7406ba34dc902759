"""One week of 社 officers' patrol tracks (GPX 1.1), with the cases the desk must recognise.

Most officers walk a loop over their group's farmland at walking pace; some only drive past on a
road; some do not patrol at all this week; one uploads last week's walk again (same points, times
shifted by a week) — the track from last week is included so the copy can be proven.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import shapely
from osgeo import osr

from . import fmath as fm
from .rand import T_TRACKS, rng

CST = timezone(timedelta(hours=8))


@lru_cache(maxsize=1)
def _transform() -> osr.CoordinateTransformation:
    """EPSG:4522 -> CGCS2000 geographic (within centimetres of WGS 84, which GPX assumes)."""
    src = osr.SpatialReference()
    src.ImportFromEPSG(4522)
    dst = osr.SpatialReference()
    dst.ImportFromEPSG(4490)
    for s in (src, dst):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return osr.CoordinateTransformation(src, dst)


def _to_lonlat(xy: np.ndarray) -> np.ndarray:
    return np.array(_transform().TransformPoints(xy[:, :2].tolist()))[:, :2]


def _along(route: np.ndarray, dist: np.ndarray) -> np.ndarray:
    """Points at the given distances along a polyline."""
    seg = fm.hypot(*np.diff(route, axis=0).T)
    cum = np.r_[0.0, np.cumsum(seg)]
    dist = np.clip(dist, 0.0, cum[-1])
    k = np.clip(np.searchsorted(cum, dist, side="right") - 1, 0, len(seg) - 1)
    f = (dist - cum[k]) / np.maximum(seg[k], 1e-9)
    return route[k] + (route[k + 1] - route[k]) * f[:, None]


def _sample(
    route: np.ndarray, speed_ms: float, seconds: float, step: float, noise: float, g: np.random.Generator
) -> np.ndarray:
    """Fixes every `step` s while moving at `speed_ms`, with correlated GPS noise."""
    n = int(seconds // step) + 1
    d = np.r_[0.0, np.cumsum(step * speed_ms * g.uniform(0.8, 1.2, n - 1))]
    pts = _along(route, d)
    w = (0.6 * g.normal(0.0, noise, (n, 2))).tolist()
    ex = ey = 0.0
    e = [(0.0, 0.0)]
    for i in range(1, n):
        ex, ey = 0.8 * ex + w[i][0], 0.8 * ey + w[i][1]
        e.append((ex, ey))
    return pts + np.array(e)


def _walk_route(home: np.ndarray, farm: np.ndarray, length: float, g: np.random.Generator) -> np.ndarray:
    """A loop from the village over the group's fields and back, repeated until long enough."""
    start = farm[np.argmin(fm.hypot(*(farm - home).T))]
    pool = farm[g.permutation(len(farm))[: min(14, len(farm))]]
    loop = [start]
    left = list(range(len(pool)))
    while left:
        cur = loop[-1]
        j = min(left, key=lambda i: fm.hypot(*(pool[i] - cur)))
        loop.append(pool[j])
        left.remove(j)
    core = np.array(loop + [start])
    route = [home, *core]
    total = float(fm.hypot(*np.diff(np.array(route), axis=0).T).sum())
    while total < length and len(core) > 1:
        route.extend(core[1:])
        total = float(fm.hypot(*np.diff(np.array(route), axis=0).T).sum())
    return np.array(route)


def _utc(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc_all(times: list[datetime]) -> list[str]:
    """ISO UTC strings ('…Z') of many times, whole seconds (formatting each datetime is slow)."""
    days: dict[int, str] = {}
    out = []
    for t in times:
        day, rem = divmod(int(round(t.timestamp())), 86400)
        if day not in days:
            days[day] = datetime.fromtimestamp(day * 86400, timezone.utc).strftime("%Y-%m-%d")
        h, r = divmod(rem, 3600)
        out.append(f"{days[day]}T{h:02d}:{r // 60:02d}:{r % 60:02d}Z")
    return out


def _gpx(points_ll: np.ndarray, times: list[datetime], grid: str, officer: str, title: str) -> str:
    pts = "\n".join(
        f'      <trkpt lat="{lat:.7f}" lon="{lon:.7f}"><time>{t}</time></trkpt>'
        for (lon, lat), t in zip(points_ll.tolist(), _utc_all(times))
    )
    t0 = _utc(times[0])
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="linxia_tianguan samplegen" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd">\n'
        f"  <metadata>\n    <name>{escape(title)}</name>\n    <desc>{grid}</desc>\n"
        f"    <author><name>{escape(officer)}</name></author>\n    <time>{t0}</time>\n  </metadata>\n"
        f"  <trk>\n    <name>{escape(title)}</name>\n    <desc>{grid}</desc>\n    <type>巡田</type>\n"
        f"    <trkseg>\n{pts}\n    </trkseg>\n  </trk>\n</gpx>\n"
    )


def write_tracks(
    out_dir: Path,
    seed: int,
    groups: dict[str, dict[str, Any]],
    officers: dict[str, str],
    roads: list[np.ndarray],
    cfg: dict[str, Any],
) -> dict[str, Any]:
    """Write tracks/ and tracks/previous_week/; returns the scenarios for the manifest."""
    road_tree = shapely.STRtree([shapely.LineString(r) for r in roads]) if roads else None
    g = rng(seed, T_TRACKS)
    tdir = out_dir / "tracks"
    (tdir / "previous_week").mkdir(parents=True, exist_ok=True)
    monday = datetime.fromisoformat(cfg["week_start"]).replace(tzinfo=CST)
    codes = sorted(groups)
    walkers = [c for c in codes if officers.get(c) and len(groups[c]["farm"]) >= 2]
    replay = walkers[int(g.integers(len(walkers)))] if walkers else None
    mix = cfg["mix"]
    kinds = list(mix)
    p = np.array([mix[k] for k in kinds], dtype=float)
    p /= p.sum()
    scen: list[dict[str, Any]] = []
    files: dict[str, str] = {}

    def start_time(day: int) -> datetime:
        minute = int(g.integers(8 * 60 + 30, 18 * 60))
        return monday + timedelta(days=day, minutes=minute, seconds=int(g.integers(60)))

    def walk(code: str, day: int) -> tuple[np.ndarray, list[datetime]]:
        info = groups[code]
        speed = g.uniform(*cfg["walk_speed_kmh"]) / 3.6
        secs = g.uniform(*cfg["walk_minutes"]) * 60.0
        step = float(g.integers(cfg["sample_seconds"][0], cfg["sample_seconds"][1] + 1))
        route = _walk_route(np.array(info["home"]), np.array(info["farm"]), speed * secs, g)
        pts = _sample(route, speed, secs, step, cfg["gps_noise_m"], g)
        t0 = start_time(day)
        return pts, [t0 + timedelta(seconds=step * i) for i in range(len(pts))]

    def save(rel: str, pts: np.ndarray, times: list[datetime], code: str, kind: str) -> None:
        info = groups[code]
        title = f"{info['name']} 巡田 {times[0].strftime('%Y-%m-%d')}"
        (out_dir / rel).write_text(_gpx(_to_lonlat(fm.snap(pts)), times, code, officers[code], title), encoding="utf-8")
        files[rel] = kind

    for code in codes:
        officer = officers.get(code)
        if not officer:
            scen.append({"grid": code, "kind": "missing", "reason": "vacant", "files": []})
            continue
        if code == replay:
            day = int(g.integers(0, 7))
            pts, times = walk(code, day)
            prev = [t - timedelta(days=7) for t in times]
            shift = timedelta(days=7, minutes=int(g.integers(30, 120)))
            src = f"tracks/previous_week/{code}_{prev[0].strftime('%Y%m%d')}.gpx"
            save(src, pts, prev, code, "previous_week")
            new_times = [t + shift for t in prev]
            rel = f"tracks/{code}_{new_times[0].strftime('%Y%m%d')}.gpx"
            save(rel, pts, new_times, code, "replay")
            scen.append(
                {
                    "grid": code,
                    "officer": officer,
                    "kind": "replay",
                    "files": [rel],
                    "source": src,
                    "time_shift_s": int(shift.total_seconds()),
                }
            )
            continue
        kind = kinds[int(g.choice(len(kinds), p=p))]
        if kind == "good" and len(groups[code]["farm"]) < 2:
            kind = "driveby" if roads else "missing"
        if kind == "missing":
            scen.append({"grid": code, "officer": officer, "kind": "missing", "files": []})
            continue
        rels = []
        if kind == "good":
            n = int(g.integers(cfg["walks_per_week"][0], cfg["walks_per_week"][1] + 1))
            for day in sorted(g.choice(7, size=n, replace=False).tolist()):
                pts, times = walk(code, day)
                rel = f"tracks/{code}_{times[0].strftime('%Y%m%d')}.gpx"
                save(rel, pts, times, code, "good")
                rels.append(rel)
        else:
            home = np.array(groups[code]["home"])
            road = roads[int(road_tree.query_nearest(shapely.Point(home))[0])]
            speed = g.uniform(*cfg["drive_speed_kmh"]) / 3.6
            secs = g.uniform(*cfg["drive_minutes"]) * 60.0
            k = int(np.argmin(fm.hypot(*(road - home).T)))
            seg = road[k:] if len(road) - k > k else road[: k + 1][::-1]
            route = seg
            while float(fm.hypot(*np.diff(route, axis=0).T).sum()) < speed * secs and len(seg) > 1:
                route = np.vstack([route, route[::-1][1:]])
            pts = _sample(route, speed, secs, 5.0, cfg["gps_noise_m"], g)
            t0 = start_time(int(g.integers(0, 7)))
            times = [t0 + timedelta(seconds=5.0 * i) for i in range(len(pts))]
            rel = f"tracks/{code}_{times[0].strftime('%Y%m%d')}.gpx"
            save(rel, pts, times, code, "driveby")
            rels.append(rel)
        scen.append({"grid": code, "officer": officer, "kind": kind, "files": rels})
    return {
        "week": [cfg["week_start"], (monday + timedelta(days=6)).strftime("%Y-%m-%d")],
        "timezone": "Asia/Shanghai",
        "files": files,
        "scenarios": scen,
    }
