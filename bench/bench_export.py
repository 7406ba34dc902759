"""Benchmark of 导出到 PostGIS: 100 000 cases (with their creation events) from a 田管库 into PostGIS, then
exported again unchanged, against the fastest copies an expert would make of the same rows into the same
throwaway PostgreSQL 17 + PostGIS (``tools/pg_cluster.py``), all measured in the same run.

    python bench/bench_export.py [--cases 100000]

Baselines:

- ``ogr2ogr -f PostgreSQL`` with ``PG_USE_COPY=YES`` of ``tg_case`` **and** ``tg_case_event`` (the same rows ours
  writes: each case and its creation event), GiST index, one transaction per table. **Why it is fair:** GDAL's COPY
  path is the fastest general way from a GeoPackage into PostGIS (one streaming read, no per-row round trips); it
  is generous — plain tables, no row-level security, no upsert, no guard functions, no county key — and it cannot
  skip what is already there, so exporting again costs a full copy again;
- QGIS's own export of the case layer (``qgis:importintopostgis``, i.e. QgsVectorLayerExporter, rows only), what a
  desk user would click.

Rows per second for each; CPU is the client's (this process and its children, e.g. ogr2ogr) plus the server's
(every backend, reaped ones included): ours does part of its work in the database's functions.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import ratios, record, server_pid, tree_cpu_s
from bench_space_code import ROOT, start_qgis


def timed(host: str, fn) -> tuple[dict, object]:
    """Run ``fn()``: its wall time and the CPU of this process tree plus the server's."""
    pid = server_pid(host)
    cpu0, started = tree_cpu_s() + tree_cpu_s(pid), time.perf_counter()
    value = fn()
    wall, cpu = time.perf_counter() - started, tree_cpu_s() + tree_cpu_s(pid) - cpu0
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 2), "peak_mb": None}, value


def ogr_copy(params: dict, store_path: Path, schema: str) -> None:
    """The fair baseline: cases and their events copied with ogr2ogr (COPY, GiST), into a schema of their own."""
    import shutil
    import subprocess

    dsn = (f"PG:host={params['host']} port={params['port']} dbname={params['dbname']} user={params['user']} "
           f"active_schema={schema}")
    done = subprocess.run([shutil.which("ogr2ogr") or "ogr2ogr", "-f", "PostgreSQL", dsn, str(store_path), "tg_case",
                           "tg_case_event", "--config", "PG_USE_COPY", "YES", "-lco", f"SCHEMA={schema}", "-lco",
                           "SPATIAL_INDEX=GIST", "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=fid", "-gt", "unlimited",
                           "-overwrite"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"ogr2ogr failed: {done.stderr[-2000:]}")


def make_store(path: Path, n: int) -> None:
    """``n`` pending cases in a grid of 40 m squares, saved as the change analysis saves them."""
    import numpy as np
    import shapely

    from linxia_tianguan_plugin.core.cases.keys import case_key, case_uuid
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import save_cases

    store = GpkgStore(path)
    try:
        k = np.arange(n)
        x0, y0 = 34560000 + (k % 1000) * 60.0, 3900000 + (k // 1000) * 60.0
        geoms = shapely.box(x0, y0, x0 + 40, y0 + 40)
        rows = []
        for i in range(n):
            key = case_key("survey", f"6229212100{i:08d}", "", "nonagri", "0702", "", geoms[i])
            rows.append({"case_key": key, "case_id": case_uuid(key), "kind": "nonagri", "category": "suspect",
                         "reasons": ["on_basic_farmland"], "source": "survey", "from_dlbm": "0103", "to_dlbm": "0702",
                         "bsm_before": f"6229212100{i:08d}", "area_m2": 1600.0, "priority": i + 1,
                         "grid_code": f"6229211{i % 100:03d}0101", "officer": "田管员", "geom": geoms[i],
                         "parcel_codes": [f"6229211{i % 100:03d}0101{i % 99999:05d}0"]})
        save_cases(store, rows, "BHBENCH", "2025.1", {}, {}, {})
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    args = parser.parse_args()
    app, provider = start_qgis()  # kept alive while algorithms run
    import processing
    from qgis.analysis import QgsNativeAlgorithms
    from qgis.core import QgsApplication, QgsProviderRegistry

    if QgsApplication.processingRegistry().providerById("native") is None:
        QgsApplication.processingRegistry().addProvider(QgsNativeAlgorithms())
    from linxia_tianguan_plugin.processing.cases.export_cases import county_of
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import cases, events_by_case
    from linxia_tianguan_plugin.storage.postgis import PgStore
    from tools.pg_cluster import running_cluster

    work = args.data / "bench_runs" / f"export_{args.cases}"
    work.mkdir(parents=True, exist_ok=True)
    store_path = work / "tianguan.gpkg"
    if not store_path.exists():
        started = time.perf_counter()
        make_store(store_path, args.cases)
        print(f"{args.cases:,} cases saved in {time.perf_counter() - started:.0f} s", flush=True)
    store = GpkgStore(store_path, create=False)
    try:
        started = time.perf_counter()
        rows = cases(store)
        events = events_by_case(store)
        read_s = time.perf_counter() - started
    finally:
        store.close()
    with running_cluster() as params:
        host = params["host"]
        with PgStore(params) as pg:
            pg.migrate()
            first_t, first = timed(host, lambda: pg.export_cases(rows, events, county_code_of=county_of))
            again_t, again = timed(host, lambda: pg.export_cases(rows, events, county_code_of=county_of))
        import psycopg2

        conn = psycopg2.connect(**params)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("CREATE SCHEMA copied")
        conn.close()
        copy_t, _ = timed(host, lambda: ogr_copy(params, store_path, "copied"))
        copy_again_t, _ = timed(host, lambda: ogr_copy(params, store_path, "copied"))
        name = "tianguan_bench"
        metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
        uri = f"dbname='{params['dbname']}' host={params['host']} port={params['port']} user='{params['user']}'"
        metadata.saveConnection(metadata.createConnection(uri, {"saveUsername": True}), name)
        try:
            qgis_t, _ = timed(host, lambda: processing.run("qgis:importintopostgis", {
                "INPUT": f"{store_path}|layername=tg_case", "DATABASE": name, "SCHEMA": "public",
                "TABLENAME": "qgis_cases", "PRIMARY_KEY": "case_id", "GEOMETRY_COLUMN": "geom", "OVERWRITE": True,
                "CREATEINDEX": True, "LOWERCASE_NAMES": True, "DROP_STRING_LENGTH": False, "FORCE_SINGLEPART": False}))
        finally:
            metadata.deleteConnection(name)
    n = len(rows)
    first_s, again_s, qgis_s = first_t["wall_s"], again_t["wall_s"], qgis_t["wall_s"]
    copy = "ogr2ogr COPY, cases + events"
    record("export", f"{n:,} cases, first export", {"name": "导出到 PostGIS", **first_t}, {"name": copy, **copy_t},
           size=n)
    record("export", f"{n:,} cases, again unchanged", {"name": "导出到 PostGIS", **again_t},
           {"name": copy + " (again: a full copy)", **copy_again_t}, size=n)
    record("export", f"{n:,} cases, first export", {"name": "导出到 PostGIS", **first_t},
           {"name": "QGIS importintopostgis, rows only", **qgis_t}, size=n)
    for label, ours, base in (("first export vs ogr2ogr", first_t, copy_t), ("again vs ogr2ogr", again_t, copy_again_t),
                              ("first export vs QGIS", first_t, qgis_t)):
        print(f"{label}: ours {ours['wall_s']:.1f} s / {ours['cpu_s']:.1f} CPU-s, baseline {base['wall_s']:.1f} s / "
              f"{base['cpu_s']:.1f} CPU-s; ratio by wall / CPU {' / '.join(ratios(ours, base))}")
    print()
    print("| cases | read 田管库 | 导出到 PostGIS (cases + events) | rows/s | re-export (unchanged) | rows/s "
          "| QGIS qgis:importintopostgis (rows only) | rows/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {n:,} | {read_s:.1f} s | {first_s:.1f} s | {n / first_s:,.0f} | {again_s:.1f} s | {n / again_s:,.0f} "
          f"| {qgis_s:.1f} s | {n / qgis_s:,.0f} |")
    print(f"first export: {first}; again: {again}")


if __name__ == "__main__":
    main()
