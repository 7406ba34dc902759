"""Benchmark of 变化图斑提取与预判 (change_detection) on the bench samples' two survey years.

The samples of 500 000 and 2 500 000 contract parcels (made by bench_space_code.py) hold DLTB (2024) and
DLTB_2025 with ≈ 2 % of the 图斑 changed. Three ways to find the farmland lost, all measured in the same run (wall,
CPU of the process tree, peak memory), the first two each in a fresh process:

- ``ours``: ``linxia_tianguan:change_detection`` (comparison, classification, slivers, pre-judgement against
  the four reference layers, the cases saved into a copy of the coding bench's store, output layer);
- ``chain``: what an analyst would build from QGIS native algorithms — extract the 2024 farmland, then
  ``native:intersection`` with DLTB_2025 and keep the pieces whose new class is not farmland (or FLS), and
  ``native:difference`` for the farmland no 2025 图斑 covers — stopped at ``--chain-timeout``;
- ``postgis``: the same overlay in PostGIS 3 (a throwaway cluster, ``tools/pg_cluster.py``): both layers loaded
  with ogr2ogr and GiST-indexed (timed apart), then one ``ST_Intersection`` query of 2024 farmland × 2025
  图斑 (2 parallel workers, 256 MB work_mem); CPU and memory are those of the server's processes.

**Why these baselines are fair.** Both answer the core of the same question — which 2024 farmland became
something else in 2025 — with the suitable tools and indexes: the native overlay algorithms build a spatial index of
the overlay layer themselves (DLTB_2025 comes from the GeoPackage with its R-tree), and the PostGIS query is the
textbook indexed overlay (``&&`` on GiST, then ``ST_Intersects``). Both are generous: neither classifies,
removes slivers, pre-judges against the reference layers nor writes our output layer, and PostGIS's load is not
counted. An expert could not skip the unchanged 图斑 without pairing the years by BSM — which is what ours does.
The chain's lost pieces and PostGIS's are counted (``chain_lost``, ``postgis_lost`` in the results file).

    python bench/bench_changes.py [--sizes 500000,2500000] [--chain-timeout 900] [--skip-chain] [--skip-postgis]

Target (issue 5): ≥ 10× faster than the QGIS chain, peak under 4 GB at 2 500 000 parcels.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Section, postgis_run, ratios, record, side
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
    app, provider = start_qgis()
    import processing
    from qgis.core import QgsProcessingContext
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    progress_file = work / "progress.txt"
    section = Section()
    started = section.started

    context, feedback = QgsProcessingContext(), progress_feedback(progress_file, started)
    layer = lambda name: f"{sample}|layername={name}"  # noqa: E731
    out: dict = {}
    if mode == "ours":
        result = processing.run("linxia_tianguan:change_detection", {
            "BEFORE": layer("DLTB"), "AFTER": layer("DLTB_2025"), "YJJBNT": layer("YJJBNTTB"),
            "APPROVED": layer("PZYD"), "FACILITY": layer("SSNYDBA"), "TEMPORARY": layer("LSYD"),
            "BOUNDARY": layer("CZKFBJ"), "TODAY": "2025-06-30", "OUTPUT": str(work / "changes.gpkg"),
            "STORE": str(work.parent / "ours_store.gpkg")},  # a copy of the coding bench's store: cases go there
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
    print(json.dumps(section.result(**out)), flush=True)
    os._exit(0)


def measure(mode: str, sample: Path, work: Path, timeout: float | None = None) -> dict | None:
    return run_measured([sys.executable, __file__, "--child", mode, str(sample), str(work)], mode, timeout)


# ---------------------------------------------------------------------------------------- PostGIS
def measure_postgis(sample: Path) -> dict | None:
    """The bare overlay in a throwaway PostgreSQL + PostGIS (``tools/pg_cluster.py``): both layers loaded with
    ogr2ogr and GiST-indexed (timed apart, ``load_s``), then :data:`OVERLAY_SQL` timed with the server's CPU."""
    return postgis_run(sample, [("DLTB", "dltb", "BSM,DLBM,ZZSXDM"), ("DLTB_2025", "dltb_2025", "BSM,DLBM,ZZSXDM")],
                       [OVERLAY_SQL], "SELECT count(*) FROM changes", "LOST")[0]


# ---------------------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="500000,2500000")
    parser.add_argument("--seed", type=int, default=20241028)
    parser.add_argument("--chain-timeout", type=float, default=900.0)
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
        coded = args.data / "bench_runs" / str(size) / "store" / "tianguan.gpkg"
        if not coded.exists():
            raise SystemExit(f"run bench/bench_space_code.py --sizes {size} first ({coded} is missing)")
        work.mkdir(parents=True, exist_ok=True)
        shutil.copy(coded, work / "ours_store.gpkg")  # every run saves its cases into the same fresh store
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
        pg = None if args.skip_postgis else measure_postgis(sample)
        if pg:
            print(f"{size:>9,} PostGIS: {pg['wall_s']:7.1f} s {pg['cpu_s']:7.1f} CPU-s (server) "
                  f"{pg['peak_mb']:6.0f} MB (load and index {pg['load_s']:.0f} s apart; {pg['LOST']:,} pieces)",
                  flush=True)
        job = f"{size:,} parcels, {len(manifest['changes']):,} changes"
        record("changes", job, side(ours, "变化图斑提取与预判"),
               None if args.skip_chain else side(chain, CHAIN, args.chain_timeout, progress), size=size,
               chain_lost=chain.get("LOST") if chain else None)
        if pg:
            record("changes", job, side(ours, "变化图斑提取与预判"), side(pg, POSTGIS), size=size, load_s=pg["load_s"],
                   postgis_lost=pg["LOST"])
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
        else:
            pg_text = f"{pg['wall_s']:.1f} s ({pg['load_s']:.0f} s) | {pg['peak_mb'] / 1024:.2f} GB"
        print(f"| {size:,} | {n:,} | {ours['wall_s']:.1f} s | {ours['peak_mb'] / 1024:.2f} GB | {chain_text} "
              f"| {speed} | {pg_text} |")
    for size, _n, ours, chain, _progress, pg in rows:
        print(f"{size:,} parcels: ours {ours['cpu_s']:.1f} CPU-s; ratio by wall / CPU against the chain "
              f"{' / '.join(ratios(ours, chain))}, against the PostGIS overlay {' / '.join(ratios(ours, pg))}")
    print("target (issue 5): ≥ 10× the native chain; peak < 4 GB at 2 500 000 parcels")


CHAIN = "QGIS native chain, intersection + difference"
POSTGIS = "PostGIS overlay, GiST (load apart)"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        main()
