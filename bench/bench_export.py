"""Benchmark of 导出到 PostGIS: 100 000 cases (with their creation events) from a 田管库 into PostGIS, then
exported again unchanged, against QGIS's own export of the same case layer (``qgis:importintopostgis``,
i.e. QgsVectorLayerExporter) into the same throwaway PostgreSQL 17 + PostGIS.

    python bench/bench_export.py [--cases 100000]

Rows per second for each; the QGIS export writes the rows only (no events, no upsert, no row-level
security checks), so it is the raw-copy baseline.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_space_code import ROOT, start_qgis


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
        with PgStore(params) as pg:
            pg.migrate()
            started = time.perf_counter()
            first = pg.export_cases(rows, events, county_code_of=county_of)
            first_s = time.perf_counter() - started
            started = time.perf_counter()
            again = pg.export_cases(rows, events, county_code_of=county_of)
            again_s = time.perf_counter() - started
        name = "tianguan_bench"
        metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
        uri = f"dbname='{params['dbname']}' host={params['host']} port={params['port']} user='{params['user']}'"
        metadata.saveConnection(metadata.createConnection(uri, {"saveUsername": True}), name)
        try:
            started = time.perf_counter()
            processing.run("qgis:importintopostgis", {
                "INPUT": f"{store_path}|layername=tg_case", "DATABASE": name, "SCHEMA": "public",
                "TABLENAME": "qgis_cases", "PRIMARY_KEY": "case_id", "GEOMETRY_COLUMN": "geom", "OVERWRITE": True,
                "CREATEINDEX": True, "LOWERCASE_NAMES": True, "DROP_STRING_LENGTH": False, "FORCE_SINGLEPART": False})
            qgis_s = time.perf_counter() - started
        finally:
            metadata.deleteConnection(name)
    n = len(rows)
    print()
    print("| cases | read 田管库 | 导出到 PostGIS (cases + events) | rows/s | re-export (unchanged) | rows/s "
          "| QGIS qgis:importintopostgis (rows only) | rows/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {n:,} | {read_s:.1f} s | {first_s:.1f} s | {n / first_s:,.0f} | {again_s:.1f} s | {n / again_s:,.0f} "
          f"| {qgis_s:.1f} s | {n / qgis_s:,.0f} |")
    print(f"first export: {first}; again: {again}")


if __name__ == "__main__":
    main()
