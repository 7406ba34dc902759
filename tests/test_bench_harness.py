"""The ``make bench`` summary (bench/summary.py): a results file becomes bench/results.md and the README's table.

No timing is asserted: the fixture's figures are made up; what is checked is the table's shape, the ratios by wall
and by CPU, a stopped baseline, the machine line, and that the README's marked block — and only it — is rewritten.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import summary  # noqa: E402
from _harness import Section, ratios, record, side, tree_cpu_s  # noqa: E402

MACHINE = {"kind": "machine", "event": "start", "at": "2026-12-04 21:00 UTC", "nproc": 2, "ram_gb": 23.4,
           "loadavg": [0.5, 0.75, 1.0]}
JOBS = [
    {"kind": "job", "bench": "coding", "job": "500,000 parcels, Processing → GPKG",
     "ours": {"name": "Processing → GPKG", "wall_s": 20.0, "cpu_s": 40.0, "peak_mb": 1536},
     "baseline": {"name": "QGIS native chain, indexed join → GPKG", "wall_s": 100.0, "cpu_s": 100.0, "peak_mb": 512}},
    {"kind": "job", "bench": "grid", "job": "500,000 parcels",
     "ours": {"name": "构建巡田网格", "wall_s": 12.0, "cpu_s": 20.0, "peak_mb": 1024},
     "baseline": {"name": "QGIS chain (社 level)", "stopped_after_s": 1200.0, "progress": ""}},
    {"kind": "job", "bench": "export", "job": "100,000 cases",
     "ours": {"name": "导出到 PostGIS", "wall_s": 0.5, "cpu_s": 0.25, "peak_mb": None}, "baseline": None},
]
README = """# Title

## Performance · 性能

```sh
make bench
tools/in_env python bench/summary.py
```

{begin}
old table
{end}

after the block
"""


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    results = tmp_path / "results.jsonl"
    results.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [MACHINE, *JOBS]) + "\n",
                       encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(README.format(begin=summary.BEGIN, end=summary.END), encoding="utf-8")
    return results, readme, tmp_path / "results.md"


def test_the_summary_writes_one_line_per_job_with_ratios_by_wall_and_by_cpu(tmp_path):
    results, readme, out = _files(tmp_path)
    assert summary.main(["--results", str(results), "--out", str(out), "--readme", str(readme)]) == 0
    text = out.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| bench")]
    assert len(rows) == len(JOBS)
    coding, grid, export = rows
    assert "| coding | 500,000 parcels, Processing → GPKG | 20.0 s | 40.0 s | 1.50 GB |" in coding
    assert coding.endswith("| 5.0× | 2.5× |")  # 100 / 20 by wall, 100 / 40 by CPU
    assert "> 1200 s (stopped)" in grid and grid.endswith("| > 100.0× | — |")
    assert "not run" in export and export.endswith("| — | — |")
    machine = next(line for line in text.splitlines() if line.startswith("Machine:"))
    assert "2 cores, 23.4 GB RAM" in machine and "at the start 0.50 / 0.75 / 1.00" in machine
    ended = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()][-1]
    assert ended["kind"] == "machine" and ended["event"] == "end"  # the load at the end is noted
    assert "at the end " + " / ".join(f"{x:.2f}" for x in ended["loadavg"]) in machine


def test_the_readme_block_is_regenerated_and_nothing_else_changes(tmp_path):
    results, readme, out = _files(tmp_path)
    summary.main(["--results", str(results), "--out", str(out), "--readme", str(readme), "--no-end"])
    text = readme.read_text(encoding="utf-8")
    assert "old table" not in text
    head, rest = text.split(summary.BEGIN)
    block, tail = rest.split(summary.END)
    assert head == README.split("{begin}")[0]  # the two commands stay first, untouched
    assert tail == README.split("{end}")[1]
    table = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    assert [line for line in block.splitlines() if line.startswith("|")] == table
    summary.main(["--results", str(results), "--out", str(out), "--readme", str(readme), "--no-end"])
    assert readme.read_text(encoding="utf-8") == text  # idempotent


def test_a_readme_without_markers_is_left_alone(tmp_path):
    results, readme, out = _files(tmp_path)
    readme.write_text("# no markers\n", encoding="utf-8")
    assert summary.main(["--results", str(results), "--out", str(out), "--readme", str(readme)]) == 1
    assert readme.read_text(encoding="utf-8") == "# no markers\n"


def test_start_truncates_the_results_file_and_benches_append_jobs(tmp_path, monkeypatch):
    results = tmp_path / "run.jsonl"
    results.write_text("stale\n", encoding="utf-8")
    monkeypatch.setenv("TIANGUAN_BENCH_RESULTS", str(results))
    assert summary.main(["--start"]) == 0
    section = Section()
    sum(i * i for i in range(10_000))
    ours = section.result(coded=3)
    assert set(ours) == {"wall_s", "cpu_s", "peak_mb", "coded"} and ours["peak_mb"] > 0
    record("coding", "3 parcels", side(ours, "ours"), side(None, "chain", timeout=60.0))
    machine, job = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    assert machine["event"] == "start" and machine["nproc"] >= 1
    assert job["baseline"] == {"name": "chain", "stopped_after_s": 60.0, "progress": ""}
    assert job["ours"]["name"] == "ours" and tree_cpu_s() > 0


def test_the_repository_readme_has_the_generated_block_after_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Performance · 性能", 1)[1]
    assert section.index("make bench") < section.index("bench/summary.py") < section.index(summary.BEGIN)
    assert section.index(summary.BEGIN) < section.index(summary.END)


def test_ratios_are_baseline_over_ours():
    assert ratios({"wall_s": 2.0, "cpu_s": 4.0}, {"wall_s": 10.0, "cpu_s": 6.0}) == ("5.0×", "1.5×")
    assert ratios({"wall_s": 2.0, "cpu_s": 4.0}, None) == ("—", "—")


def test_the_cpu_of_a_process_tree_counts_children_that_have_exited():
    """Workers that finished are charged to the tree (the coding's worker processes): a child that burns 0.3 s of
    its own CPU adds at least that much to ``tree_cpu_s`` of its parent once reaped (no wall-time assertion)."""
    import subprocess

    before = tree_cpu_s()
    subprocess.run([sys.executable, "-c", "import time\nwhile time.process_time() < 0.3: pass"], check=True)
    assert tree_cpu_s() - before >= 0.25


def test_a_run_of_some_benches_says_so_and_a_full_one_too(tmp_path):
    """The README's figures come from the last run: a run of a few benches (coding and coverage at one size, say)
    must say which benches it holds and which it does not, in results.md and in the README block alike."""
    results, readme, out = _files(tmp_path)
    assert summary.main(["--results", str(results), "--out", str(out), "--readme", str(readme), "--no-end"]) == 0
    partial = "A partial run: coding, grid, export only (not run: coverage, changes, dashboard, publish, " \
              "prefecture_dashboard)."
    assert partial in out.read_text(encoding="utf-8") and partial in readme.read_text(encoding="utf-8")
    every = [dict(JOBS[0], bench=name) for name in summary.BENCHES]
    results.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [MACHINE, *every]) + "\n",
                       encoding="utf-8")
    assert summary.main(["--results", str(results), "--out", str(out), "--readme", str(readme), "--no-end"]) == 0
    assert "A full run: every bench of `make bench`." in out.read_text(encoding="utf-8")


def test_the_bench_names_are_those_the_benches_record():
    """summary.BENCHES lists exactly the names bench/*.py record their jobs under."""
    import re

    recorded = set()
    for path in (ROOT / "bench").glob("bench_*.py"):
        recorded |= set(re.findall(r'record\("([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert recorded == set(summary.BENCHES)


def test_a_repeated_measurement_reports_its_median_run_and_every_wall_time():
    from _harness import median_run

    runs = iter([{"wall_s": 12.0, "cpu_s": 20.0, "peak_mb": 900}, {"wall_s": 10.0, "cpu_s": 18.0, "peak_mb": 950},
                 {"wall_s": 11.0, "cpu_s": 19.0, "peak_mb": 910}])
    middle = median_run(lambda: next(runs), 3)
    assert (middle["wall_s"], middle["cpu_s"], middle["peak_mb"], middle["walls"]) == (11.0, 19.0, 910, [10.0, 11.0,
                                                                                                         12.0])
    assert side(middle, "ours")["walls"] == [10.0, 11.0, 12.0]
    stopped = iter([{"wall_s": 50.0, "cpu_s": 50.0, "peak_mb": 1}, None])
    assert median_run(lambda: next(stopped), 3) is None  # a stopped run is not tried again


def test_the_summary_says_how_repeated_jobs_were_measured(tmp_path):
    results, readme, md = _files(tmp_path)
    job = dict(JOBS[0], ours={**JOBS[0]["ours"], "walls": [19.0, 20.0, 23.0]})
    results.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [MACHINE, job]) + "\n", encoding="utf-8")
    summary.main(["--results", str(results), "--readme", str(readme), "--out", str(md)])
    assert "run 3 times, each in a fresh process, and the run of median wall time" in md.read_text(encoding="utf-8")
