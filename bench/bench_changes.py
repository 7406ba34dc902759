"""Benchmark of 变化图斑提取与预判 (change_detection) on the bench samples' two survey years.

The samples of 500 000 and 2 500 000 contract parcels (made by bench_space_code.py) hold DLTB (2024) and
DLTB_2025 with ≈ 2 % of the 图斑 changed. Three ways to find the farmland lost, each in a fresh process
with the memory of its process tree sampled:

- ``ours``: ``linxia_tianguan:change_detection`` (comparison, classification, slivers, pre-judgement against
  the four reference layers, output layer);
- ``chain``: what an analyst would build from QGIS native algorithms — extract the 2024 farmland, then
  ``native:intersection`` with DLTB_2025 and keep the pieces whose new class is not farmland (or FLS), and
  ``native:difference`` for the farmland no 2025 图斑 covers — stopped at ``--chain-timeout``;
- ``postgis``: the same overlay in PostGIS 3 (a throwaway cluster from ``pg_virtualenv``): both layers loaded
  with ogr2ogr and GiST-indexed (timed apart), then one ``ST_Intersection`` query of 2024 farmland × 2025
  图斑; the memory is that of the cluster's processes.

    python bench/bench_changes.py [--sizes 500000,2500000] [--chain-timeout 900] [--skip-chain] [--skip-postgis]

Target (issue 5): ≥ 10× faster than the QGIS chain, peak under 4 GB at 2 500 000 parcels.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_space_code import ROOT, progress_feedback, run_measured, start_qgis

OVERLAY_SQL = """
CREATE TABLE changes AS
SELECT a.bsm AS bsm_before, a.dlbm AS from_dlbm, b.dlbm AS to_dlbm, b.zzsxdm AS to_zzsxdm,
       (ST_Dump(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3))).geom AS geom
FROM dltb a JOIN dltb_2025 b ON a.geom && b.geom AND ST_Intersects(a.geom, b.geom)
WHERE a.dlbm LIKE '01%' AND (b.dlbm NOT LIKE '01%' OR (b.zzsxdm = 'FLS' AND coalesce(a.zzsxdm, '') <> 'FLS'))
"""


def child(mode: str, sample: Path, work: Path) -> None:
    """One measurement inside a QGIS application; prints a JSON line."""
    import resource

    app, provider = start_qgis()
    import processing
    from qgis.core import QgsProcessingContext
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    progress_file = work / "progress.txt"
    started = time.perf_counter()

    context, feedback = QgsProcessingContext(), progress_feedback(progress_file, started)
    layer = lambda name: f"{sample}|layername={name}"  # noqa: E731
    out: dict = {}
    if mode == "ours":
        result = processing.run("linxia_tianguan:change_detection", {
            "BEFORE": layer("DLTB"), "AFTER": layer("DLTB_2025"), "YJJBNT": layer("YJJBNTTB"),
            "APPROVED": layer("PZYD"), "FACILITY": layer("SSNYDBA"), "TEMPORARY": layer("LSYD"),
            "BOUNDARY": layer("CZKFBJ"), "TODAY": "2025-06-30", "OUTPUT": str(work / "changes.gpkg")},
            context=context, feedback=feedback)
        out = {k: result[k] for k in ("CANDIDATES", "NONAGRI", "NONGRAIN", "SUSPECT")}
    else:
        feedback.set_step("native:extractbyexpression")
        farmland = processing.run("native:extractbyexpression", {
            "INPUT": layer("DLTB"), "EXPRESSION": "\"DLBM\" LIKE '01%'", "OUTPUT": "TEMPORARY_OUTPUT"},
            context=context, feedback=feedback)["OUTPUT"]
        feedback.set_step("native:intersection")
        pieces = processing.run("native:intersection", {
            "INPUT": farmland, "OVERLAY": layer("DLTB_2025"), "INPUT_FIELDS": ["BSM", "DLBM", "ZZSXDM"],
            "OVERLAY_FIELDS": ["DLBM", "ZZSXDM"], "OVERLAY_FIELDS_PREFIX": "N_", "OUTPUT": "TEMPORARY_OUTPUT"},
            context=context, feedback=feedback)["OUTPUT"]
        feedback.set_step("native:extractbyexpression (lost)")
        lost = processing.run("native:extractbyexpression", {
            "INPUT": pieces, "EXPRESSION": "\"N_DLBM\" NOT LIKE '01%' OR (\"N_ZZSXDM\" = 'FLS' AND "
                                           "coalesce(\"ZZSXDM\", '') <> 'FLS')",
            "OUTPUT": str(work / "chain_lost.gpkg")}, context=context, feedback=feedback)
        feedback.set_step("native:difference")
        processing.run("native:difference", {"INPUT": farmland, "OVERLAY": layer("DLTB_2025"),
                                             "OUTPUT": str(work / "chain_uncovered.gpkg")},
                       context=context, feedback=feedback)
        from qgis.core import QgsVectorLayer

        out = {"LOST": QgsVectorLayer(lost["OUTPUT"], "lost", "ogr").featureCount()}
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall_s": round(wall, 2), "peak_mb": round(peak), **out}), flush=True)
    os._exit(0)


def measure(mode: str, sample: Path, work: Path, timeout: float | None = None) -> dict | None:
    return run_measured([sys.executable, __file__, "--child", mode, str(sample), str(work)], mode, timeout)


# ---------------------------------------------------------------------------------------- PostGIS
def _postgres_rss_mb() -> float:
    total = 0.0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if "\nName:\tpostgres" in "\n" + text or text.startswith("Name:\tpostgres"):
            for line in text.splitlines():
                if line.startswith("VmRSS:"):
                    total += float(line.split()[1]) / 1024
    return total


def postgis_child(sample: Path) -> None:
    """Runs inside pg_virtualenv (PG* variables set): load, index, overlay; prints a JSON line."""
    import threading

    import psycopg2

    conn = psycopg2.connect("")
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    dsn = "PG:host={PGHOST} port={PGPORT} dbname={PGDATABASE} user={PGUSER} password={PGPASSWORD}".format(
        **{k: os.environ.get(k, "") for k in ("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD")})
    started = time.perf_counter()
    for layer, table in (("DLTB", "dltb"), ("DLTB_2025", "dltb_2025")):
        subprocess.run(["ogr2ogr", "-f", "PostgreSQL", dsn, str(sample), layer, "-nln", table, "-lco",
                        "GEOMETRY_NAME=geom", "-lco", "FID=fid", "-lco", "SPATIAL_INDEX=GIST", "-nlt",
                        "PROMOTE_TO_MULTI", "-select", "BSM,DLBM,ZZSXDM", "--config", "PG_USE_COPY", "YES"], check=True,
                       capture_output=True)
    cur.execute("ANALYZE")
    load = time.perf_counter() - started
    peak = [0.0]
    done = threading.Event()

    def sample_memory() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _postgres_rss_mb())
            time.sleep(0.25)

    watcher = threading.Thread(target=sample_memory, daemon=True)
    watcher.start()
    started = time.perf_counter()
    cur.execute("SET max_parallel_workers_per_gather = 2")
    cur.execute(OVERLAY_SQL)
    cur.execute("SELECT count(*) FROM changes")
    lost = cur.fetchone()[0]
    wall = time.perf_counter() - started
    done.set()
    watcher.join()
    print(json.dumps({"load_s": round(load, 1), "wall_s": round(wall, 2), "peak_mb": round(peak[0]),
                      "LOST": lost}), flush=True)


def measure_postgis(sample: Path, timeout: float) -> dict | None:
    if shutil.which("pg_virtualenv") is None:
        print("  pg_virtualenv is missing (apt install postgresql-15-postgis-3): PostGIS not measured")
        return None
    cmd = ["pg_virtualenv", "-v", "15", sys.executable, __file__, "--postgis", str(sample)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"stopped": True}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        print(f"  PostGIS run failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        return None
    return json.loads(lines[-1])


# ---------------------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="500000,2500000")
    parser.add_argument("--seed", type=int, default=20241028)
    parser.add_argument("--chain-timeout", type=float, default=900.0)
    parser.add_argument("--postgis-timeout", type=float, default=1800.0)
    parser.add_argument("--skip-chain", action="store_true")
    parser.add_argument("--skip-postgis", action="store_true")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    args = parser.parse_args()
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        sample = args.data / f"bench_{size}_{args.seed}" / "sample_county.gpkg"
        if not sample.exists():
            raise SystemExit(f"run bench/bench_space_code.py --sizes {size} first ({sample} is missing)")
        manifest = json.loads((sample.parent / "manifest.json").read_text(encoding="utf-8"))
        work = args.data / "bench_runs" / f"changes_{size}"
        ours = measure("ours", sample, work / "ours")
        print(f"{size:>9,} ours: {ours['wall_s']:7.1f} s {ours['peak_mb']:6.0f} MB ({ours['CANDIDATES']:,} candidates "
              f"for {len(manifest['changes']):,} injected changes)", flush=True)
        chain, progress = None, ""
        if not args.skip_chain:
            chain = measure("chain", sample, work / "chain", timeout=args.chain_timeout)
            if chain is None:
                note = work / "chain" / "progress.txt"
                progress = note.read_text() if note.exists() else ""
                print(f"{size:>9,} chain: stopped at {args.chain_timeout:.0f} s ({progress})", flush=True)
            else:
                print(f"{size:>9,} chain: {chain['wall_s']:7.1f} s {chain['peak_mb']:6.0f} MB", flush=True)
        pg = None if args.skip_postgis else measure_postgis(sample, args.postgis_timeout)
        if pg and not pg.get("stopped"):
            print(f"{size:>9,} PostGIS: {pg['wall_s']:7.1f} s {pg['peak_mb']:6.0f} MB (load and index "
                  f"{pg['load_s']:.0f} s apart; {pg['LOST']:,} pieces)", flush=True)
        rows.append((size, len(manifest["changes"]), ours, chain, progress, pg))
    print()
    print("| parcels | changes | 变化图斑提取与预判 | peak | QGIS native chain | peak | speed-up | PostGIS overlay "
          "(load apart) | peak |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, n, ours, chain, progress, pg in rows:
        if args.skip_chain:
            chain_text, speed = "not run | —", "—"
        elif chain is None:
            chain_text = f"> {args.chain_timeout:.0f} s (stopped{': ' + progress if progress else ''}) | —"
            speed = f"> {args.chain_timeout / ours['wall_s']:.0f}×"
        else:
            chain_text = f"{chain['wall_s']:.1f} s | {chain['peak_mb'] / 1024:.2f} GB"
            speed = f"{chain['wall_s'] / ours['wall_s']:.1f}×"
        if pg is None:
            pg_text = "not run | —"
        elif pg.get("stopped"):
            pg_text = f"> {args.postgis_timeout:.0f} s (stopped) | —"
        else:
            pg_text = f"{pg['wall_s']:.1f} s ({pg['load_s']:.0f} s) | {pg['peak_mb'] / 1024:.2f} GB"
        print(f"| {size:,} | {n:,} | {ours['wall_s']:.1f} s | {ours['peak_mb'] / 1024:.2f} GB | {chain_text} "
              f"| {speed} | {pg_text} |")
    print("target (issue 5): ≥ 10× the native chain; peak < 4 GB at 2 500 000 parcels")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--postgis":
        postgis_child(Path(sys.argv[2]))
    else:
        main()
