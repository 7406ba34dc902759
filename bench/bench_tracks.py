"""Benchmark of 巡田覆盖分析 (patrol_coverage): a synthetic prefecture-scale week of patrol tracks.

~8 000 patrols of ~2 000 fixes each (walks from farmland parcel to farmland parcel inside 社 groups,
with GPS noise) are written into a copy of a coded store (grid built once), then coverage is computed
by ``linxia_tianguan:patrol_coverage`` (store writes and the group layer) and by the chain an analyst
would build from QGIS native algorithms (native:buffer of the tracks → native:extractbylocation of the
parcels that intersect the buffers), each in a fresh process with the memory of its process tree sampled.

    python bench/bench_tracks.py [--sizes 500000,2500000] [--tracks 8000] [--fixes 2000] [--chain-timeout 900]

Each size is measured three ways: 巡田覆盖分析 writing the group-grid layer, the same writing the
parcel layer too (seen / last seen of every parcel: what the chain's output corresponds to), and the
native chain, stopped at ``--chain-timeout`` with how far it got.

Targets (issue 4, 2 cores): ≥ 5× faster than the native chain; the 2 500 000-parcel prefecture week
in under 3 minutes with under 4 GB.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_space_code import ROOT, progress_feedback, run_measured, start_qgis

WEEK = ("2025-06-09", "2025-06-15")


def synthetic_tracks(store_path: Path, n_tracks: int, n_fixes: int, seed: int = 4) -> int:
    """Write ``n_tracks`` accepted tracks of the bench week into the store (one transaction)."""
    import numpy as np
    import shapely

    from linxia_tianguan_plugin.storage import GpkgStore, gpkg

    store = GpkgStore(store_path, create=False)
    rows = store.conn.execute(
        "SELECT substr(s.code, 1, 14), (r.minx + r.maxx) / 2, (r.miny + r.maxy) / 2 FROM tg_space_code s "
        "JOIN rtree_tg_space_code_geom r ON r.id = s.fid WHERE s.status = 'active' ORDER BY s.code").fetchall()
    group = np.array([r[0] for r in rows])
    xy = np.array([(r[1], r[2]) for r in rows])
    keys, first, counts = np.unique(group, return_index=True, return_counts=True)
    g = np.random.default_rng(seed)
    chosen = g.choice(len(keys), size=n_tracks, replace=len(keys) < n_tracks)
    monday = dt.datetime(2025, 6, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    file_rows, track_rows = [], []
    for k, gi in enumerate(chosen.tolist()):
        pts = xy[first[gi]:first[gi] + counts[gi]]
        route = pts[g.integers(0, len(pts), 40)]
        seg = np.hypot(*np.diff(route, axis=0).T)
        cum = np.r_[0.0, np.cumsum(seg)]
        step = 8.0
        d = (np.arange(n_fixes) * step) % max(cum[-1], 1.0)
        i = np.clip(np.searchsorted(cum, d, side="right") - 1, 0, len(seg) - 1)
        f = (d - cum[i]) / np.maximum(seg[i], 1e-9)
        walk = route[i] + (route[i + 1] - route[i]) * f[:, None] + g.normal(0, 3.0, (n_fixes, 2))
        line = shapely.linestrings(walk)
        start = monday + dt.timedelta(days=int(g.integers(0, 7)), hours=8, minutes=int(g.integers(0, 600)))
        end = start + dt.timedelta(seconds=5 * n_fixes)
        digest = hashlib.sha256(f"bench-{seed}-{k}".encode()).hexdigest()
        fmt = "%Y-%m-%dT%H:%M:%SZ"
        file_rows.append((digest, f"bench/{k}.gpx", "gpx", "2025-06-16T00:00:00Z", 1, n_fixes, None))
        blob = gpkg.encode_blobs(np.array([shapely.to_wkb(line)], dtype=object), np.array([line.bounds]),
                                 store.srs_id)[0]
        track_rows.append((blob, f"GJ{digest[:12].upper()}-1", digest, 1, f"田管员{k}", str(keys[gi]),
                           start.astimezone(dt.timezone.utc).strftime(fmt),
                           end.astimezone(dt.timezone.utc).strftime(fmt),
                           n_fixes, float(line.length), 1))
    with store.transaction() as conn:
        conn.executemany("INSERT INTO tg_track_file VALUES (?,?,?,?,?,?,?)", file_rows)
        conn.executemany("INSERT INTO tg_track (geom, track_id, file_hash, session, officer, grid_code, started_at, "
                         "ended_at, fixes, length_m, accepted) VALUES (?,?,?,?,?,?,?,?,?,?,?)", track_rows)
        gpkg.update_extent(conn, "tg_track")
    store.close()
    return len(track_rows)


# ---------------------------------------------------------------------------------------- child process
def child(mode: str, sample: Path, store: Path, work: Path) -> None:
    """One measurement (or the set-up) inside a QGIS application; prints a JSON line."""
    import resource

    app, provider = start_qgis()
    import processing
    from qgis.core import QgsProcessingContext
    started = time.perf_counter()
    work.mkdir(parents=True, exist_ok=True)
    progress_file = work / "progress.txt"

    context, feedback = QgsProcessingContext(), progress_feedback(progress_file, started)
    out: dict = {}
    if mode == "setup":
        processing.run("linxia_tianguan:build_grid", {
            "XZQ": f"{sample}|layername=XZQ", "CJDCQ": f"{sample}|layername=CJDCQ", "STORE": str(store)},
            context=context, feedback=feedback)
    elif mode in ("ours", "ours_layer"):
        params = {"STORE": str(store), "START": WEEK[0], "END": WEEK[1], "GRIDS_OUT": str(work / "grids.gpkg")}
        if mode == "ours_layer":
            params["PARCELS_OUT"] = str(work / "parcels.gpkg")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        result = processing.run("linxia_tianguan:patrol_coverage", params, context=context, feedback=feedback)
        out = {k: result[k] for k in ("TRACKS", "PATROLS", "PARCELS_SEEN", "FARMLAND_RATE")}
    else:
        feedback.set_step("native:buffer")
        buffers = processing.run("native:buffer", {
            "INPUT": f"{store}|layername=tg_track", "DISTANCE": 50.0, "SEGMENTS": 8, "END_CAP_STYLE": 0,
            "JOIN_STYLE": 0, "DISSOLVE": False, "OUTPUT": "TEMPORARY_OUTPUT"}, context=context, feedback=feedback)
        feedback.set_step("native:extractbylocation")
        processing.run("native:extractbylocation", {
            "INPUT": f"{store}|layername=tg_space_code", "PREDICATE": [0], "INTERSECT": buffers["OUTPUT"],
            "OUTPUT": str(work / "seen.gpkg")}, context=context, feedback=feedback)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall_s": round(wall, 2), "peak_mb": round(peak), **out}), flush=True)
    os._exit(0)


def measure(mode: str, sample: Path, store: Path, work: Path, timeout: float | None = None) -> dict | None:
    return run_measured([sys.executable, __file__, "--child", mode, str(sample), str(store), str(work)], mode, timeout)


def prepare(size: int, args) -> tuple[Path, Path]:
    """The bench store of ``size`` parcels with its grid and the synthetic week (made once, then copied)."""
    sample = args.data / f"bench_{size}_{args.seed}" / "sample_county.gpkg"
    source = args.data / "bench_runs" / str(size) / "store" / "tianguan.gpkg"
    if not source.exists() or not sample.exists():
        raise SystemExit(f"run bench/bench_space_code.py --sizes {size} first ({source} is missing)")
    base = args.data / "bench_runs" / f"tracks_{size}"
    store = base / "tianguan.gpkg"
    ready = base / f"ready-{args.tracks}x{args.fixes}"
    if not ready.exists():
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        print(f"copying the {size:,}-parcel store, building the grid, writing tracks …", flush=True)
        shutil.copy(source, store)
        setup = measure("setup", sample, store, base / "setup")
        print(f"  grid built in {setup['wall_s']:.0f} s", flush=True)
        sys.path.insert(0, str(ROOT))
        started = time.perf_counter()
        n = synthetic_tracks(store, args.tracks, args.fixes)
        print(f"  {n:,} tracks × {args.fixes:,} fixes written in {time.perf_counter() - started:.0f} s", flush=True)
        shutil.copy(store, base / "pristine.gpkg")
        ready.touch()
    return sample, base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="500000,2500000")
    parser.add_argument("--seed", type=int, default=20241028)
    parser.add_argument("--tracks", type=int, default=8000)
    parser.add_argument("--fixes", type=int, default=2000)
    parser.add_argument("--chain-timeout", type=float, default=900.0,
                        help="stop the native chain after this many seconds (it buffers whole walks: very slow)")
    parser.add_argument("--skip-chain", action="store_true")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    args = parser.parse_args()
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        sample, base = prepare(size, args)
        store = base / "tianguan.gpkg"
        results = {}
        for mode in ("ours", "ours_layer"):
            shutil.copy(base / "pristine.gpkg", store)  # every run starts from the same store (no patrols yet)
            results[mode] = r = measure(mode, sample, store, base / mode)
            print(f"{size:>9,} {mode:>10}: {r['wall_s']:7.1f} s {r['peak_mb']:6.0f} MB ({r['TRACKS']:,} tracks, "
                  f"{r['PATROLS']:,} patrols, {r['PARCELS_SEEN']:,} parcels seen)", flush=True)
        chain, progress = None, ""
        if not args.skip_chain:
            chain = measure("chain", sample, store, base / "chain", timeout=args.chain_timeout)
            if chain is None:
                note = base / "chain" / "progress.txt"
                progress = note.read_text() if note.exists() else ""
                print(f"{size:>9,} {'chain':>10}: stopped at {args.chain_timeout:.0f} s ({progress})", flush=True)
            else:
                print(f"{size:>9,} {'chain':>10}: {chain['wall_s']:7.1f} s {chain['peak_mb']:6.0f} MB", flush=True)
        rows.append((size, results, chain, progress))
    print()
    print("| parcels | tracks × fixes | 巡田覆盖分析 (grid layer) | peak | + parcel layer | peak "
          "| QGIS native chain (buffer → extract by location) | peak | speed-up |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, results, chain, progress in rows:
        ours, layer = results["ours"], results["ours_layer"]
        if args.skip_chain:
            chain_text, speed = "not run | —", "—"
        elif chain is None:
            chain_text = f"> {args.chain_timeout:.0f} s (stopped{': ' + progress if progress else ''}) | —"
            speed = f"> {args.chain_timeout / layer['wall_s']:.0f}×"
        else:
            chain_text = f"{chain['wall_s']:.1f} s | {chain['peak_mb'] / 1024:.2f} GB"
            speed = f"{chain['wall_s'] / layer['wall_s']:.1f}×"
        print(f"| {size:,} | {args.tracks:,} × {args.fixes:,} | {ours['wall_s']:.1f} s "
              f"| {ours['peak_mb'] / 1024:.2f} GB "
              f"| {layer['wall_s']:.1f} s | {layer['peak_mb'] / 1024:.2f} GB | {chain_text} | {speed} |")
    print("speed-up: the chain against 巡田覆盖分析 with its parcel layer (the chain's output is a parcel layer too)")
    print("targets (issue 4): ≥ 5× the native chain; 2 500 000 parcels in < 180 s with < 4 GB")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]), Path(sys.argv[5]))
    else:
        main()
