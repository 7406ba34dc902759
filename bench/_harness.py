"""What every benchmark shares: CPU and memory of a process tree, and the results file ``make bench`` sums up.

Each measurement runs in a fresh child process. The child times its own measured section (QGIS start-up and
data loading are outside it): wall time from ``time.perf_counter``, CPU time from :func:`tree_cpu_s` — user +
system seconds of the child *and every process below it* (coding workers, ogr2ogr, …), read from ``/proc``
before and after, so a parallel run is charged for all its cores. A ratio by CPU says how much less work ours
does; a ratio by wall says how much sooner the user has the answer on this machine.

The parent appends one JSON line per job to the results file (``$TIANGUAN_BENCH_RESULTS``, default
``data/bench_results.jsonl``) with :func:`record`; ``bench/summary.py`` turns the file into ``bench/results.md``
and the README's performance table.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS_ENV = "TIANGUAN_BENCH_RESULTS"  # tools/in_env passes TIANGUAN_* variables only


def results_path() -> Path:
    """The JSON-lines file of this ``make bench`` run."""
    return Path(os.environ.get(RESULTS_ENV) or ROOT / "data" / "bench_results.jsonl")


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return children


def tree_pids(root: int) -> list[int]:
    """``root`` and all its live descendants."""
    children, pids, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo += children.get(pid, [])
    return pids


def tree_cpu_s(root: int | None = None) -> float:
    """User + system CPU seconds of ``root`` (default: this process) and its descendants so far.

    Every process counts its own time and that of the children it has reaped (cutime/cstime), so workers that
    already exited are included once; live and zombie workers count through their own /proc entry.
    """
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in tree_pids(os.getpid() if root is None else root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / tick


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants now, from /proc."""
    total = 0.0
    for pid in tree_pids(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def peak_mb() -> float:
    """Peak resident memory of this process (VmHWM; ru_maxrss would carry the parent's across fork + exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Section:
    """The measured section of a child: ``s = Section()`` … ``print(json.dumps(s.result(**extra)))``."""

    def __init__(self) -> None:
        import time

        self._clock = time.perf_counter
        self.cpu0, self.started = tree_cpu_s(), self._clock()

    def elapsed(self) -> float:
        return self._clock() - self.started

    def result(self, **extra) -> dict:
        return {"wall_s": round(self.elapsed(), 3), "cpu_s": round(tree_cpu_s() - self.cpu0, 2),
                "peak_mb": round(peak_mb()), **extra}


#: measurements per side of a job (ours and its baseline alike), each in a fresh process: single runs on the 2-core
#: bench machine vary by ±10 % from one minute to the next, more than some of the differences measured
REPEAT = 3


def median_run(measure_once: Callable[[], dict | None], runs: int = REPEAT) -> dict | None:
    """``runs`` measurements; the one of median wall time (its CPU and peak with it), with every run's wall time in
    ``walls``. None as soon as one is stopped (a timeout): a stopped baseline is not run again."""
    results = []
    for _ in range(max(runs, 1)):
        result = measure_once()
        if result is None:
            return None
        results.append(result)
    results.sort(key=lambda r: r["wall_s"])
    middle = dict(results[(len(results) - 1) // 2])
    middle["walls"] = [r["wall_s"] for r in results]
    return middle


def runs_text(result: dict) -> str:
    """" (median of a, b, c s)" for a median of several runs, else ""."""
    walls = result.get("walls") or []
    return f" (median of {', '.join(f'{w:.1f}' for w in walls)} s)" if len(walls) > 1 else ""


def side(result: dict | None, name: str, timeout: float | None = None, progress: str = "") -> dict | None:
    """One side of a job for the results file: ``name`` and its wall, CPU and peak (or how it was stopped), with the
    wall times of every run when it is the median of several (:func:`median_run`)."""
    if result is None:
        return {"name": name, "stopped_after_s": timeout, "progress": progress} if timeout else None
    out = {"name": name, "wall_s": result.get("wall_s"), "cpu_s": result.get("cpu_s"),
           "peak_mb": round(result["peak_mb"]) if result.get("peak_mb") is not None else None}
    if result.get("walls"):
        out["walls"] = result["walls"]
    return out


def record(bench: str, job: str, ours: dict, baseline: dict | None, **extra) -> None:
    """Append one job's line to the results file: ``ours`` and ``baseline`` as made by :func:`side`."""
    line = {"kind": "job", "bench": bench, "job": job, "ours": ours, "baseline": baseline, **extra}
    path = results_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


def ratios(ours: dict, baseline: dict | None) -> tuple[str, str]:
    """``(by wall, by CPU)``: how many times the baseline's time ours takes, as text ("> 32×" for a stopped run)."""
    if not baseline or not ours:
        return "—", "—"
    if baseline.get("stopped_after_s"):
        return f"> {baseline['stopped_after_s'] / ours['wall_s']:.1f}×", "—"

    def one(key: str) -> str:
        a, b = ours.get(key), baseline.get(key)
        return f"{b / a:.1f}×" if a and b is not None else "—"

    return one("wall_s"), one("cpu_s")


# ---------------------------------------------------------------------------------------------- PostGIS baselines
def server_pid(host: str) -> int:
    """The postmaster of a throwaway cluster (``tools/pg_cluster.py``: its data directory is ``<host>/data``)."""
    return int((Path(host) / "data" / "postmaster.pid").read_text().split()[0])


def ogr_load(params: dict, source: Path, layer: str, table: str, columns: str) -> None:
    """Load one GeoPackage layer into PostGIS the fastest way (ogr2ogr, COPY, GiST index), then ANALYZE it."""
    import shutil
    import subprocess

    import psycopg2

    dsn = f"PG:host={params['host']} port={params['port']} dbname={params['dbname']} user={params['user']}"
    subprocess.run([shutil.which("ogr2ogr") or "ogr2ogr", "-f", "PostgreSQL", dsn, str(source), layer, "-nln", table,
                    "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=fid", "-lco", "SPATIAL_INDEX=GIST", "-nlt",
                    "PROMOTE_TO_MULTI", "-select", columns, "--config", "PG_USE_COPY", "YES"], check=True,
                   capture_output=True)
    conn = psycopg2.connect(**params)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'ANALYZE "{table}"')  # a table name of the bench's own, never user input
    finally:
        conn.close()


def timed_query(params: dict, statements: list[str], result_sql: str, setup: tuple[str, ...] = (
        "SET max_parallel_workers_per_gather = 2", "SET work_mem = '256MB'")) -> dict:
    """Run ``statements`` on the throwaway server and measure them: wall, CPU of the server's whole process tree
    (the backend and its parallel workers; the client only waits), peak resident memory of the server; then
    ``result_sql``'s first row (outside the clock). The bench's own SQL, never user input."""
    import threading
    import time

    import psycopg2

    pid = server_pid(params["host"])
    conn = psycopg2.connect(**params)
    conn.autocommit = True
    peak, done = [0.0], threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_mb(pid))
            time.sleep(0.25)

    try:
        with conn.cursor() as cur:
            for statement in setup:
                cur.execute(statement)
            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            cpu0, started = tree_cpu_s(pid), time.perf_counter()
            for statement in statements:
                cur.execute(statement)
            wall, cpu = time.perf_counter() - started, tree_cpu_s(pid) - cpu0
            done.set()
            watcher.join()
            cur.execute(result_sql)
            row = cur.fetchone()
    finally:
        conn.close()
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 2), "peak_mb": round(peak[0]), "row": list(row or ())}


def postgis_run(source: Path, loads: list[tuple[str, str, str]], statements: list[str], result_sql: str,
                named: str, read=None) -> tuple[dict | None, object]:
    """One PostGIS measurement in a throwaway cluster (``tools/pg_cluster.py``): each (layer, table, columns) of the
    GeoPackage ``source`` loaded with :func:`ogr_load` (timed apart: ``load_s``), ``statements`` measured by
    :func:`timed_query`, whose result row's first value is returned as ``named``; then ``read(cursor)``, outside the
    clock, for what the bench checks. (None, None) when no PostgreSQL can be started here."""
    import time

    import psycopg2

    from tools.pg_cluster import ClusterError, running_cluster

    try:
        with running_cluster() as params:
            started = time.perf_counter()
            for layer, table, columns in loads:
                ogr_load(params, source, layer, table, columns)
            load = time.perf_counter() - started
            out = timed_query(params, statements, result_sql)
            extra = None
            if read is not None:
                conn = psycopg2.connect(**params)
                try:
                    with conn.cursor() as cur:
                        extra = read(cur)
                finally:
                    conn.close()
    except ClusterError as exc:
        print(f"  PostGIS not measured: {exc}")
        return None, None
    return {**out, "load_s": round(load, 1), named: out.pop("row")[0]}, extra
