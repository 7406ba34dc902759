"""`generate()`: the whole sample, written atomically.

The global layout is built once; townships are generated in worker processes (forked, so they
share the layout without copying) and written in township order by this process, which alone owns
the GeoPackage. Output goes to a temporary folder next to `out_dir` that is renamed at the end, so
an interrupted run never leaves something that looks like a finished sample.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
import time
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

from . import admin
from .collect import VERSION, Collector, build_manifest
from .gpkg import GpkgWriter, export_shapefiles
from .jobs import plan_jobs
from .layout import Layout, build_layout
from .recipe import load_recipe
from .roster import build_roster, write_roster
from .township import Job, build_township
from .tracks import write_tracks

__all__ = ["VERSION", "generate"]

_LAYOUT: Layout | None = None


def _work(job: Job) -> dict[str, Any]:
    assert _LAYOUT is not None
    return build_township(_LAYOUT, job)


def _results(jobs: list[Job], workers: int):
    """Township results in job order, computed by a bounded number of outstanding tasks."""
    if workers <= 1 or len(jobs) <= 1:
        for j in jobs:
            yield _work(j)
        return
    ctx = mp.get_context("fork")
    with ctx.Pool(workers) as pool:
        window: deque = deque()
        it = iter(jobs)
        for j in it:
            window.append(pool.apply_async(_work, (j,)))
            if len(window) >= 2 * workers:
                break
        while window:
            res = window.popleft().get()
            nxt = next(it, None)
            if nxt is not None:
                window.append(pool.apply_async(_work, (nxt,)))
            yield res


def generate(
    out_dir: Path,
    size: int = 20000,
    seed: int = 20241028,
    counties: list[str] | None = None,
    shapefiles: bool = True,
    tracks: bool = True,
    workers: int = 2,
    *,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Generate the sample into out_dir (replaced atomically) and return its manifest."""
    global _LAYOUT
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    out_dir = Path(out_dir)
    recipe = load_recipe(overrides)
    codes = admin.resolve_counties(counties)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        lay = build_layout(int(seed), int(size), codes, recipe)
        timings["layout_s"] = round(time.perf_counter() - t0, 2)
        jobs = plan_jobs(lay, tracks)
        _LAYOUT = lay
        t1 = time.perf_counter()
        res_iter = _results(jobs, int(workers))  # fork before any GDAL dataset is open
        first = next(res_iter)
        writer = GpkgWriter(tmp / "sample_county.gpkg")
        col = Collector(writer)
        col.add(first)
        for res in res_iter:
            col.add(res)
        counts = dict(writer.count)
        writer.close()
        _LAYOUT = None
        timings["townships_and_gpkg_s"] = round(time.perf_counter() - t1, 2)
        t2 = time.perf_counter()
        files = ["sample_county.gpkg"]
        if shapefiles:
            for name in export_shapefiles(tmp / "sample_county.gpkg", tmp / "shp"):
                files += [f"shp/{name}.{ext}" for ext in ("shp", "shx", "dbf", "prj", "cpg")]
            timings["shapefiles_s"] = round(time.perf_counter() - t2, 2)
        rows = build_roster(int(seed), codes, col.townships, int(recipe["roster"]["vacancies"]))
        write_roster(rows, tmp)
        files += ["roster.csv", "roster_gbk.csv", "roster.xlsx"]
        track_info = None
        if tracks and col.tracks:
            t3 = time.perf_counter()
            officers = {r[1]: r[3] for r in rows if r[0] == "社"}
            roads = [lay.displacement(ln.coords) + np.array(admin.ORIGIN) for ln in lay.lines if ln.kind != "river"]
            track_info = write_tracks(tmp, int(seed), col.tracks, officers, roads, recipe["tracks"])
            files += sorted(track_info["files"])
            timings["tracks_s"] = round(time.perf_counter() - t3, 2)
        timings["total_s"] = round(time.perf_counter() - t0, 2)
        manifest = build_manifest(lay, codes, recipe, counts, col, rows, track_info, files, timings)
        with open(tmp / "manifest.json", "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=1)
        if out_dir.exists():
            old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
            out_dir.rename(old)
            tmp.rename(out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out_dir)
        return manifest
    except BaseException:
        _LAYOUT = None
        shutil.rmtree(tmp, ignore_errors=True)
        raise
