"""Benchmark of the dashboard statistics (领导田管驾驶舱) on a prefecture-size 田管库.

    python bench/bench_dashboard.py [--parcels 2500000] [--target 5] [--profile] [--rebuild]

Issue: "dashboard statistics for the 2 500 000-parcel prefecture — target a full refresh under 5 s".

The store is built once and cached under ``data/bench/dashboard_<parcels>/tianguan.gpkg`` (rebuilt when the
generator's parameters change, or with ``--rebuild``): 2 500 000 space codes (1 % retired) over the 8
counties of 临夏州, 100 townships, ~1 500 villages and ~21 000 groups, with areas that add up to about the
prefecture's 369.5 万亩 of farmland (≈ 83 % permanent basic farmland); the active roster (an officer post
per grid, ~3 % vacant, assistants: ~25 000 posts); a year (2025) of tasks made by ``core.patrol.tasks.make_tasks``
as 下发巡田任务 makes them (groups weekly, villages monthly, …: ~1.1 million) and the patrols that did them
(~80 %, 2 % invalid); 10 000 change cases with their events moved through the workflow (pending … closed,
returns included); and one patrol-coverage run's rates of every grid, written by
``storage.coverage.save_rates`` (the writer the coverage analysis uses). Rows go in through the store's
schema (``GpkgStore`` migrations); geometry is left empty — no figure reads it.

Every measurement runs in a fresh process (the first ``load`` of a process is the cold one: SQLite's page
cache is empty; the OS file cache is not dropped), with the memory of the process sampled:

- ``storage.statistics.load`` — first in the process, then again (warm), and each of its reads alone;
- ``core.reports.statistics.figures`` over what was loaded;
- ``dashboard.build`` (the report model: tables of every panel) and ``dashboard.load_report`` (read +
  build, what the dock's refresh button does), when ``linxia_tianguan_plugin/reports/`` exists;

for the prefecture, a county and a township (each scope read with its own prefix).

**The fair baseline** (``hand_sql``, in the results file): the same panel totals with hand-written aggregate SQL
in SQLite on the same store — code ranges on the indexed code columns, GROUP BY per township, one correlated
``EXISTS`` per task against a keyed temporary table of the (grid, Beijing day) pairs of valid patrols, closed cases
by one join.
**Why it is fair:** it is what an expert who knows the schema would write for these numbers, using the store's
indexes, and it is generous: plain float sums, no report model, no month periods, no survey years. Its totals are
checked equal to the module's (parcels, areas, task statuses, cases per state, posts, closed cases, covered
townships): the bench stops if they differ. The naive implementation of the first version (every row into Python,
one query per case: ``--no-naive`` to skip it) is still timed and checked, but it is *not* a fair baseline and is
not written to the results file.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import io
import json
import os
import pstats
import resource
import sqlite3
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Section, ratios, record, tree_cpu_s
from _synthetic import write_roster, write_tasks_and_patrols
from bench_space_code import ROOT, run_measured

sys.path.insert(0, str(ROOT))

SEED = 20241128
YEAR = 2025
TODAY = dt.date(2025, 12, 20)  # figures as of this day: most of the year due, December's weeks still open
COVERAGE_WEEK = ("2025-12-08", "2025-12-14")
MONTH = ("2025-06-01", "2025-06-30")  # the month-period refresh
COUNTIES = (("622901", "临夏市", 6), ("622921", "临夏县", 16), ("622922", "康乐县", 14), ("622923", "永靖县", 14),
            ("622924", "广河县", 9), ("622925", "和政县", 12), ("622926", "东乡族自治县", 16),
            ("622927", "积石山保安族东乡族撒拉族自治县", 13))  # (code, name, townships): 100 townships
VILLAGES_PER_TOWNSHIP = (11, 19)  # uniform in [a, b]
GROUPS_PER_VILLAGE = (10, 18)
M2_PER_MU = 10000.0 / 15.0
MEAN_PARCEL_M2 = 985.0  # 2 500 000 parcels ≈ 369.5 万亩
BASIC_SHARE = 0.83
RETIRED_SHARE = 0.01
N_CASES = 10_000
GENERATOR_VERSION = 1  # bump when the generated content changes: the cached store is rebuilt


# ---------------------------------------------------------------------------------------------- build
def _grids(rng):
    """(code, level, name, parent) of every grid from the prefecture down to the groups."""
    units = [("6229", 1, "临夏回族自治州", None)]
    for county, name, townships in COUNTIES:
        units.append((county, 2, name, "6229"))
        for t in range(townships):
            town = f"{county}{100 + t:03d}"
            units.append((town, 3, f"{name[:2]}{t + 1}镇", county))
            for v in range(int(rng.integers(VILLAGES_PER_TOWNSHIP[0], VILLAGES_PER_TOWNSHIP[1] + 1))):
                village = f"{town}{v + 1:03d}"
                units.append((village, 4, f"{name[:2]}{t + 1}镇{v + 1}村", town))
                for g in range(int(rng.integers(GROUPS_PER_VILLAGE[0], GROUPS_PER_VILLAGE[1] + 1))):
                    units.append((f"{village}{g + 1:02d}", 5, f"{v + 1}村{g + 1}社", village))
    return units


def build_store(path: Path, n_parcels: int, seed: int = SEED) -> dict:
    """Write the prefecture's 田管库 at ``path`` (a new file); returns its counts."""
    import numpy as np

    from linxia_tianguan_plugin.core.cases import workflow as wf
    from linxia_tianguan_plugin.core.coding import space_code
    from linxia_tianguan_plugin.core.patrol.coverage import GridRates
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.coverage import save_rates

    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    units = _grids(rng)
    groups = np.array([u[0] for u in units if u[1] == 5])
    counts = {"groups": len(groups), "villages": sum(u[1] == 4 for u in units),
              "townships": sum(u[1] == 3 for u in units), "counties": len(COUNTIES)}

    # parcels: a lognormal share per group, numbered 1..k inside it
    weights = rng.lognormal(0.0, 0.5, len(groups))
    per_group = rng.multinomial(n_parcels, weights / weights.sum())
    group_of = np.repeat(groups, per_group)
    seq = np.arange(n_parcels) - np.repeat(np.cumsum(per_group) - per_group, per_group) + 1
    codes = space_code.compose_many(group_of, seq)
    sigma = 0.6
    farm = rng.lognormal(np.log(MEAN_PARCEL_M2) - sigma ** 2 / 2, sigma, n_parcels).round(2)
    basic = np.where(rng.random(n_parcels) < BASIC_SHARE, farm, 0.0)
    retired = rng.random(n_parcels) < RETIRED_SHARE
    counts.update(parcels=n_parcels, active=int((~retired).sum()))
    print(f"  {n_parcels:,} codes over {len(groups):,} groups generated ({time.perf_counter() - started:.0f} s)",
          flush=True)

    store = GpkgStore(path, epsg=4522, create=True)
    try:
        with store.bulk_journal(), store.transaction() as conn:
            coded_at, run_id = "2025-01-06T02:00:00Z", "FMBENCH"
            conn.execute("INSERT INTO tg_coding_run (run_id, started_at, finished_at, parameters, counts) "
                         "VALUES (?, ?, ?, ?, ?)", (run_id, coded_at, coded_at,
                                                    json.dumps({"dltb": "prefecture.gpkg|layername=DLTB"}), "{}"))
            template = "https://tianguan.example.cn/kjm/{}"
            conn.executemany(
                "INSERT INTO tg_space_code (code, group_code, seq, kind, status, dlbm, dlmc, area_m2, gdmj_m2, "
                "gdmj_mu, yjmj_m2, yjmj_mu, qr, coded_at, run_id, retired_at) "
                "VALUES (?, ?, ?, 'CB', ?, '0103', '旱地', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((c, c[:14], int(s), "retired" if r else "active", f, f, f / M2_PER_MU, b, b / M2_PER_MU,
                  template.format(c), coded_at, run_id, "2025-03-01T00:00:00Z" if r else None)
                 for c, s, f, b, r in zip(codes.tolist(), seq.tolist(), farm.tolist(), basic.tolist(),
                                          retired.tolist())))
            level_names = {1: "prefecture", 2: "county", 3: "township", 4: "village", 5: "group"}
            conn.executemany("INSERT INTO tg_admin_unit (code, level, name, parent) VALUES (?, ?, ?, ?)",
                             [(c, level_names[lv], n, p) for c, lv, n, p in units])
        print(f"  codes and names written ({time.perf_counter() - started:.0f} s)", flush=True)

        # roster: one officer post per grid (~3 % vacant), assistants at some villages, townships and groups;
        # a year of tasks as dispatch makes them, and the patrols that did (most of) them (bench/_synthetic.py)
        officers, counts["posts"] = write_roster(store, rng, units, "HMBENCH", group_assistant_share=0.04)
        counts["tasks"], counts["patrols"] = write_tasks_and_patrols(store, rng, units, officers, YEAR, TODAY,
                                                                     "RWBENCH")
        print(f"  roster, {counts['tasks']:,} tasks and {counts['patrols']:,} patrols written "
              f"({time.perf_counter() - started:.0f} s)", flush=True)

        # cases, each moved along the workflow to a drawn state (returns and legal closures included)
        paths = {
            wf.PENDING: [], wf.ISSUED: [wf.ISSUED], wf.EVIDENCED: [wf.ISSUED, wf.EVIDENCED],
            wf.REPORTED: [wf.ISSUED, wf.EVIDENCED, wf.REPORTED],
            wf.RETURNED: [wf.ISSUED, wf.EVIDENCED, wf.REPORTED, wf.RETURNED],
            wf.APPROVED: [wf.ISSUED, wf.EVIDENCED, wf.REPORTED, wf.APPROVED],
            wf.ENFORCING: [wf.ISSUED, wf.EVIDENCED, wf.REPORTED, wf.APPROVED, wf.ENFORCING],
            wf.RECTIFIED: [wf.ISSUED, wf.EVIDENCED, wf.REPORTED, wf.APPROVED, wf.ENFORCING, wf.RECTIFIED],
            "closed_legal": [wf.ISSUED, wf.EVIDENCED, wf.REPORTED, wf.APPROVED, wf.CLOSED],
            wf.CLOSED: [wf.ISSUED, wf.EVIDENCED, wf.RETURNED, wf.EVIDENCED, wf.REPORTED, wf.APPROVED, wf.ENFORCING,
                        wf.RECTIFIED, wf.CLOSED],
        }
        targets, shares = list(paths), [0.08, 0.08, 0.08, 0.08, 0.04, 0.04, 0.14, 0.08, 0.18, 0.20]
        kinds, kind_p = ("nonagri", "nongrain", "facility", "other"), (0.45, 0.35, 0.1, 0.1)
        categories, cat_p = ("suspect", "verify", "approved", "facility", "temporary"), (0.5, 0.2, 0.15, 0.1, 0.05)
        change_run = "BHBENCH"
        case_rows, event_rows = [], []
        year_start = dt.datetime(YEAR, 1, 1, tzinfo=dt.timezone.utc)
        for k in range(N_CASES):
            target = targets[int(rng.choice(len(targets), p=shares))]
            detected = year_start + dt.timedelta(seconds=int(rng.integers(0, 300 * 86400)))
            key = hashlib.sha1(f"bench|{k}".encode()).hexdigest()
            case_id = str(uuid.uuid5(uuid.NAMESPACE_URL, key))
            area = float(rng.lognormal(np.log(1500), 0.8))
            farmland = area * float(rng.uniform(0.3, 1.0))
            states = [wf.PENDING, *paths[target]]
            at, events = detected, []
            for i, state in enumerate(states):
                if i:
                    at = at + dt.timedelta(days=int(rng.integers(1, 25)), hours=int(rng.integers(0, 9)))
                    if at.date() > TODAY:
                        states = states[:i]
                        break
                events.append((case_id, at.strftime(wf.TIME_FORMAT), "bench" if i else "system",
                               states[i - 1] if i else None, state))
            grid = str(groups[int(rng.integers(0, len(groups)))])
            case_rows.append((case_id, key, states[-1], kinds[int(rng.choice(4, p=kind_p))],
                              categories[int(rng.choice(5, p=cat_p))], "survey", area, farmland,
                              farmland * float(rng.random() < 0.6), grid, "2025.1", change_run,
                              detected.strftime(wf.TIME_FORMAT), events[-1][1], len(events)))
            event_rows += events
        with store.transaction() as conn:
            conn.execute("INSERT INTO tg_change_run (run_id, run_at, rules_version, rules, inputs, counts) VALUES "
                         "(?, '2025-01-10T00:00:00Z', '2025.1', '{}', ?, '{}')",
                         (change_run, json.dumps({"BEFORE": "prefecture.gpkg|layername=DLTB",
                                                  "AFTER": "prefecture.gpkg|layername=DLTB_2025"})))
            conn.executemany("INSERT INTO tg_case (case_id, case_key, state, kind, category, source, area_m2, "
                             "farmland_m2, basic_m2, grid_code, rules_version, run_id, detected_at, updated_at, "
                             "version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", case_rows)
            conn.executemany("INSERT INTO tg_case_event (case_id, at, actor, from_state, to_state) "
                             "VALUES (?, ?, ?, ?, ?)", event_rows)
        counts.update(cases=len(case_rows), events=len(event_rows))

        # one coverage run's rates of every county / township / village / group, through the writer
        active = ~retired
        seen_share = rng.uniform(0.35, 1.0, len(groups))
        gi = np.repeat(np.arange(len(groups)), per_group)[active]
        g_farm = np.bincount(gi, farm[active], len(groups))
        g_basic = np.bincount(gi, basic[active], len(groups))
        g_n = np.bincount(gi, minlength=len(groups))
        sums: dict[str, list[float]] = {}
        for g, f, b, n, s in zip(groups.tolist(), g_farm.tolist(), g_basic.tolist(), g_n.tolist(),
                                 seen_share.tolist()):
            for cut in (14, 12, 9, 6):
                row = sums.setdefault(g[:cut], [0.0, 0.0, 0.0, 0.0, 0, 0])
                row[0] += f
                row[1] += f * s
                row[2] += b
                row[3] += b * s
                row[4] += n
                row[5] += round(n * s)
        rates = {c: GridRates(c, r[0], r[1], r[2], r[3], int(r[4]), int(r[5])) for c, r in sums.items()}
        save_rates(store, *COVERAGE_WEEK, rates, {"bench": True}, {"grids": len(rates)}, run_id="FGBENCH")
        counts["rates"] = len(rates)
        with store.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO tg_meta (key, value) VALUES ('bench_dashboard', ?)",
                         (json.dumps({"version": GENERATOR_VERSION, "parcels": n_parcels, "seed": seed,
                                      "counts": counts}),))
        store.conn.execute("ANALYZE")
    finally:
        store.close()
    print(f"  store complete ({time.perf_counter() - started:.0f} s)", flush=True)
    return counts


def cached_store(data: Path, n_parcels: int, rebuild: bool) -> tuple[Path, dict]:
    folder = data / "bench" / f"dashboard_{n_parcels}"
    path = folder / "tianguan.gpkg"
    if path.exists() and not rebuild:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM tg_meta WHERE key = 'bench_dashboard'").fetchone()
        except sqlite3.Error:
            row = None
        finally:
            conn.close()
        meta = json.loads(row[0]) if row else {}
        if meta.get("version") == GENERATOR_VERSION and meta.get("parcels") == n_parcels:
            from linxia_tianguan_plugin.storage import GpkgStore

            GpkgStore(path, create=False).close()  # a store cached by an older plugin gets the new schema
            return path, meta["counts"]
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / "building.gpkg"
    for p in folder.glob("building.gpkg*"):
        p.unlink()
    print(f"building the {n_parcels:,}-parcel prefecture store under {folder} (once) …", flush=True)
    counts = build_store(scratch, n_parcels)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    scratch.replace(path)
    return path, counts


# ---------------------------------------------------------------------------------------------- naive
def naive(store: Path, prefix: str, today: dt.date) -> dict:
    """The baseline: every row into Python, then plain loops (what one writes without the module)."""
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    under = (lambda code: str(code or "").startswith(prefix)) if prefix else (lambda code: True)
    farmland: dict[str, list[float]] = {}
    for code, status, farm, basic in conn.execute("SELECT code, status, gdmj_m2, yjmj_m2 FROM tg_space_code"):
        if status == "active" and under(code):
            row = farmland.setdefault(code[:9], [0, 0.0, 0.0])
            row[0] += 1
            row[1] += farm or 0.0
            row[2] += basic or 0.0
    roster = conn.execute("SELECT roster_id FROM tg_roster_import WHERE active = 1 ORDER BY imported_at DESC "
                          "LIMIT 1").fetchone()[0]
    posts: dict[tuple, int] = {}
    for level, grid, role, vacant in conn.execute("SELECT level, grid_code, role, vacant FROM tg_officer "
                                                  "WHERE roster_id = ?", (roster,)):
        if under(grid):
            key = (level, grid[:9], "vacant" if vacant else role)
            posts[key] = posts.get(key, 0) + 1
    shanghai = dt.timezone(dt.timedelta(hours=8))
    visits: dict[str, list[dt.date]] = {}
    for grid, started, valid in conn.execute("SELECT grid_code, started_at, valid FROM tg_patrol"):
        if valid and under(grid):
            moment = dt.datetime.fromisoformat(started.replace("Z", "+00:00"))
            visits.setdefault(grid, []).append(moment.astimezone(shanghai).date())
    now = dt.datetime.combine(today, dt.time(23, 59, 59), shanghai)
    status: dict[tuple, list[int]] = {}
    for grid, first, last, due in conn.execute("SELECT grid_code, period_start, period_end, due_at FROM tg_task"):
        if not under(grid):
            continue
        a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        row = status.setdefault((last[:7], grid[:9]), [0, 0, 0])
        if any(a <= d <= b for d in visits.get(grid, ())):
            row[0] += 1
        elif now <= dt.datetime.fromisoformat(due.replace("Z", "+00:00")):
            row[1] += 1
        else:
            row[2] += 1
    cases: dict[tuple, list[float]] = {}
    closure: dict[str, list[float]] = {}
    for case_id, state, kind, category, area, grid, detected in conn.execute(
            "SELECT case_id, state, kind, category, area_m2, grid_code, detected_at FROM tg_case"):
        if not under(grid):
            continue
        row = cases.setdefault((state, kind, category), [0, 0.0])
        row[0] += 1
        row[1] += area
        events = conn.execute("SELECT to_state, at FROM tg_case_event WHERE case_id = ? ORDER BY event_id",
                              (case_id,)).fetchall()
        closed = next((at for to, at in events if to == "closed"), None)
        if closed:
            days = (dt.datetime.fromisoformat(closed[:-1]) - dt.datetime.fromisoformat(detected[:-1])).days
            closure.setdefault(grid[:9], []).append(days)
    run = conn.execute("SELECT run_id FROM tg_coverage_run ORDER BY period_end DESC, run_at DESC LIMIT 1").fetchone()
    rates = conn.execute("SELECT code, seen_m2 / farmland_m2 FROM tg_coverage_rate WHERE run_id = ?",
                         (run[0],)).fetchall() if run else []
    coverage = {c: r for c, r in rates if len(c) == 9 and under(c)}
    conn.close()
    return {
        "parcels": sum(r[0] for r in farmland.values()), "farmland_m2": sum(r[1] for r in farmland.values()),
        "basic_m2": sum(r[2] for r in farmland.values()),
        "tasks": [sum(r[i] for r in status.values()) for i in range(3)],
        "cases": {s: sum(v[0] for (st, _, _), v in cases.items() if st == s) for s in {k[0] for k in cases}},
        "posts": sum(posts.values()), "townships_covered": len(coverage),
        "closed": sum(len(v) for v in closure.values()),
    }


# ---------------------------------------------------------------------------------------------- hand SQL
def hand_sql(store: Path, prefix: str, today: dt.date) -> dict:
    """The fair baseline: every panel's numbers with hand-written aggregate SQL in SQLite, as an expert would
    write them against the store's schema — code ranges on the indexed code columns, GROUP BY per township, one
    correlated EXISTS per task against a keyed temporary table of (grid, Beijing day), closed cases by one join.
    Plain float sums, rows per township (no report model, no month periods): generous to it."""
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    lo, hi = prefix, prefix + "\uffff"
    now = dt.datetime.combine(today, dt.time(23, 59, 59), dt.timezone(dt.timedelta(hours=8)))
    now_utc = now.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        farmland = conn.execute(
            "SELECT substr(code, 1, 9), count(*), sum(gdmj_m2), sum(yjmj_m2) FROM tg_space_code "
            "WHERE code >= ? AND code < ? AND status = 'active' GROUP BY 1", (lo, hi)).fetchall()
        posts = conn.execute(
            "SELECT level, substr(grid_code, 1, 9), CASE WHEN vacant THEN 'vacant' ELSE role END, count(*) "
            "FROM tg_officer WHERE roster_id = (SELECT roster_id FROM tg_roster_import WHERE active = 1 "
            "ORDER BY imported_at DESC LIMIT 1) AND grid_code >= ? AND grid_code < ? GROUP BY 1, 2, 3",
            (lo, hi)).fetchall()
        # the (grid, Beijing day) set of valid patrols, keyed for the tasks' range probes (a CTE gets no index)
        conn.execute("CREATE TEMP TABLE d (grid_code TEXT, day TEXT, PRIMARY KEY (grid_code, day)) WITHOUT ROWID")
        conn.execute("INSERT OR IGNORE INTO d SELECT grid_code, date(started_at, '+8 hours') FROM tg_patrol "
                     "WHERE valid AND grid_code >= ? AND grid_code < ?", (lo, hi))
        tasks = conn.execute(
            "WITH t AS (SELECT substr(period_end, 1, 7) AS month, substr(grid_code, 1, 9) AS town, due_at, "
            "EXISTS (SELECT 1 FROM d WHERE d.grid_code = tg_task.grid_code "
            "AND d.day BETWEEN tg_task.period_start AND tg_task.period_end) AS done "
            "FROM tg_task WHERE grid_code >= ? AND grid_code < ?) "
            "SELECT month, town, sum(done), sum(NOT done AND due_at >= ?), sum(NOT done AND due_at < ?) "
            "FROM t GROUP BY 1, 2", (lo, hi, now_utc, now_utc)).fetchall()
        cases = conn.execute(
            "SELECT state, kind, category, count(*), sum(area_m2) FROM tg_case "
            "WHERE coalesce(grid_code, '') >= ? AND coalesce(grid_code, '') < ? GROUP BY 1, 2, 3", (lo, hi)).fetchall()
        closure = conn.execute(
            "SELECT substr(c.grid_code, 1, 9), count(*), avg(julianday(e.at) - julianday(c.detected_at)) "
            "FROM tg_case c JOIN (SELECT case_id, min(at) AS at FROM tg_case_event WHERE to_state = 'closed' "
            "GROUP BY case_id) e USING (case_id) WHERE coalesce(c.grid_code, '') >= ? "
            "AND coalesce(c.grid_code, '') < ? GROUP BY 1", (lo, hi)).fetchall()
        coverage = conn.execute(
            "SELECT code, seen_m2 / farmland_m2 FROM tg_coverage_rate WHERE run_id = (SELECT run_id FROM "
            "tg_coverage_run ORDER BY period_end DESC, run_at DESC LIMIT 1) AND length(code) = 9 "
            "AND code >= ? AND code < ?", (lo, hi)).fetchall()
    finally:
        conn.close()
    states: dict[str, int] = {}
    for state, _, _, n, _ in cases:
        states[state] = states.get(state, 0) + n
    return {"parcels": sum(r[1] for r in farmland), "farmland_m2": sum(r[2] or 0.0 for r in farmland),
            "basic_m2": sum(r[3] or 0.0 for r in farmland), "tasks": [int(sum(r[i] for r in tasks)) for i in (2, 3, 4)],
            "cases": states, "posts": sum(r[3] for r in posts), "townships_covered": len(coverage),
            "closed": sum(r[1] for r in closure)}


# ---------------------------------------------------------------------------------------------- child
def _peak_mb() -> float:
    """Peak RSS of this process: VmHWM belongs to the process image (ru_maxrss would carry the parent's peak
    across fork + exec, here the store builder's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, store: Path, prefix: str, profile: bool) -> None:
    started = time.perf_counter()
    if mode in ("naive", "sql"):
        section = Section()
        totals = (naive if mode == "naive" else hand_sql)(store, prefix, TODAY)
        print(json.dumps(section.result(totals=totals)))
        return
    from linxia_tianguan_plugin.core.patrol import tasks as task_rules
    from linxia_tianguan_plugin.core.reports import statistics as st
    from linxia_tianguan_plugin.storage import coverage as coverage_store
    from linxia_tianguan_plugin.storage import statistics as stats_store

    try:
        from linxia_tianguan_plugin import reports as dashboard
    except ImportError:  # written by another change; the bench runs without it
        dashboard = None
    out: dict = {"import_s": time.perf_counter() - started}

    def timed(name, fn):
        cpu0, t0 = tree_cpu_s(), time.perf_counter()
        value = fn()
        out[name], out[name + "_cpu"] = time.perf_counter() - t0, tree_cpu_s() - cpu0
        return value

    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        inputs = stats_store.load(store, prefix)
        st.figures(inputs, TODAY, prefix)
        if dashboard is not None:
            dashboard.build(inputs, TODAY, prefix)
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(22)
        stats.sort_stats("tottime").print_stats(12)
        print(text.getvalue(), file=sys.stderr)
        print(json.dumps({"wall_s": time.perf_counter() - started, "peak_mb": _peak_mb(), "profile": text.getvalue()}))
        return
    inputs = timed("load_cold", lambda: stats_store.load(store, prefix))
    figs = timed("figures", lambda: st.figures(inputs, TODAY, prefix))
    if dashboard is not None:
        timed("build", lambda: dashboard.build(inputs, TODAY, prefix))
    inputs = timed("load_warm", lambda: stats_store.load(store, prefix))
    if dashboard is not None:
        timed("load_report", lambda: dashboard.load_report(store, TODAY, prefix))
    # a month's dashboard (what the dock shows by default): tasks limited to the period by load(start, end)
    month_inputs = timed("month_load", lambda: stats_store.load(store, prefix, *MONTH))
    timed("month_figures", lambda: st.figures(month_inputs, TODAY, prefix, MONTH))
    if dashboard is not None:
        timed("month_build", lambda: dashboard.build(month_inputs, TODAY, prefix, MONTH))
    out["month_tasks"] = len(month_inputs.task_table)
    # each read of load() alone (warm), to see where its time goes
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        timed("part_farmland", lambda: stats_store.farmland(conn, prefix))
        timed("part_officers", lambda: stats_store.officers(conn, prefix))
        table = timed("part_tasks", lambda: stats_store.task_table(conn, prefix))
        days = timed("part_patrols", lambda: stats_store.patrol_days(conn, prefix))
        timed("part_cases", lambda: stats_store.cases(conn, prefix))
        timed("part_rates", lambda: coverage_store.rates(conn, prefix))
        timed("part_names", lambda: dict(conn.execute("SELECT code, name FROM tg_admin_unit")))
        timed("part_statuses", lambda: task_rules.status_codes(table.grid, table.first_day, table.last_day,
                                                               table.due, days.grid, days.day,
                                                               st.as_of(TODAY).timestamp()))
    finally:
        conn.close()
    done = [sum(getattr(r, k) for r in figs.patrols) for k in ("done", "undone", "overdue")]
    states: dict[str, int] = {}
    for row in figs.cases:
        states[row.state] = states.get(row.state, 0) + row.cases
    out["totals"] = {
        "parcels": sum(f.parcels for f in figs.farmland), "farmland_m2": sum(f.farmland_m2 for f in figs.farmland),
        "basic_m2": sum(f.basic_m2 for f in figs.farmland), "tasks": done, "cases": states,
        "posts": sum(o.grids + o.assistants for o in figs.officers),
        "townships_covered": len(figs.coverage),
        "closed": sum(r.closed for r in figs.ranking["count"]),
    }
    out["rows"] = {"tasks": len(inputs.task_table), "cases": len(inputs.cases), "farmland": len(inputs.farmland),
                   "officers": len(inputs.officers), "rates": len(inputs.rates)}
    out.update(wall_s=time.perf_counter() - started, peak_mb=_peak_mb(), dashboard=dashboard is not None)
    print(json.dumps(out))


# ---------------------------------------------------------------------------------------------- report
def _check(module: dict, baseline: dict, scope: str) -> None:
    problems = []
    for key in ("parcels", "tasks", "cases", "posts", "townships_covered", "closed"):
        if module[key] != baseline[key]:
            problems.append(f"{key}: module {module[key]} ≠ naive {baseline[key]}")
    for key in ("farmland_m2", "basic_m2"):
        if abs(module[key] - baseline[key]) > 1e-6 * max(1.0, abs(baseline[key])):
            problems.append(f"{key}: module {module[key]:.2f} ≠ naive {baseline[key]:.2f}")
    if problems:
        raise SystemExit(f"figures of {scope} differ from the naive computation:\n  " + "\n  ".join(problems))


def _s(value) -> str:
    return "—" if value is None else f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parcels", type=int, default=2_500_000)
    parser.add_argument("--target", type=float, default=5.0, help="seconds for a full refresh (issue: 5)")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--rebuild", action="store_true", help="build the cached store again")
    parser.add_argument("--profile", action="store_true", help="print the profile even when within the target")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    args = parser.parse_args()
    store, counts = cached_store(args.data, args.parcels, args.rebuild)
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    county = conn.execute("SELECT substr(code, 1, 6), count(*) FROM tg_space_code GROUP BY 1 ORDER BY 2 DESC "
                          "LIMIT 1").fetchone()[0]
    township = conn.execute("SELECT substr(code, 1, 9), count(*) FROM tg_space_code WHERE code >= ? AND code < ? "
                            "GROUP BY 1 ORDER BY 2 DESC LIMIT 1", (county, county + "\uffff")).fetchone()[0]
    conn.close()
    size_mb = store.stat().st_size / 1e6
    print(f"\n田管库 {store} ({size_mb:,.0f} MB): {counts['parcels']:,} codes ({counts['active']:,} active), "
          f"{counts['counties']} counties / {counts['townships']} townships / {counts['villages']:,} villages / "
          f"{counts['groups']:,} groups; {counts['posts']:,} roster posts; {counts['tasks']:,} tasks and "
          f"{counts['patrols']:,} patrols ({YEAR}); {counts['cases']:,} cases with {counts['events']:,} events; "
          f"{counts['rates']:,} coverage rates. Figures as of {TODAY}.\n", flush=True)
    scopes = [("prefecture", ""), (f"county {county}", county), (f"township {township}", township)]
    me = [sys.executable, str(Path(__file__).resolve()), "--child"]
    results, baselines, fair = {}, {}, {}

    def refresh(r: dict) -> float:  # what the dock's refresh does: read, then build the tables (figures inside)
        return r["load_cold"] + (r["build"] if "build" in r else r["figures"])

    for label, prefix in scopes:
        results[label] = run_measured([*me, "module", str(store), prefix], f"statistics of {label}")
        if not args.no_naive:
            baselines[label] = run_measured([*me, "naive", str(store), prefix], f"naive statistics of {label}")
            _check(results[label]["totals"], baselines[label]["totals"], label)
        fair[label] = run_measured([*me, "sql", str(store), prefix], f"hand SQL statistics of {label}")
        _check(results[label]["totals"], fair[label]["totals"], label + " (hand SQL)")
        r = results[label]
        ours = {"name": "full refresh (load + build)", "wall_s": round(refresh(r), 3),
                "cpu_s": round(r["load_cold_cpu"] + r.get("build_cpu", r["figures_cpu"]), 2), "peak_mb": r["peak_mb"]}
        base = {"name": "hand-written aggregate SQL (SQLite)", **{k: fair[label][k] for k in ("wall_s", "cpu_s")},
                "peak_mb": round(fair[label]["peak_mb"])}
        record("dashboard", f"{counts['parcels']:,} codes, {label}", ours, base, size=counts["parcels"])
        print(f"  measured {label}: refresh {ours['wall_s']:.2f} s / {ours['cpu_s']:.2f} CPU-s, hand SQL "
              f"{base['wall_s']:.2f} s / {base['cpu_s']:.2f} CPU-s (ratio by wall / CPU "
              f"{' / '.join(ratios(ours, base))})", flush=True)
    has_dashboard = all(r.get("dashboard") for r in results.values())
    labels = [label for label, _ in scopes]

    print()
    print("| dashboard statistics | " + " | ".join(labels) + " |")
    print("|---|" + "---:|" * len(labels))
    rows = [
        ("storage.statistics.load — first in a fresh process", "load_cold"),
        ("storage.statistics.load — again (warm)", "load_warm"),
        ("core.reports.statistics.figures (every panel)", "figures"),
    ]
    if has_dashboard:
        rows += [("dashboard.build (report model: tables)", "build"),
                 ("dashboard.load_report (read + survey years + build, warm)", "load_report")]
    for title, key in rows:
        print(f"| {title} | " + " | ".join(_s(results[lb].get(key)) for lb in labels) + " |")
    print("| **full refresh** (first load + " + ("dashboard.build, which computes the figures" if has_dashboard
                                                else "figures") + ") | "
          + " | ".join(f"**{refresh(results[lb]):.2f} s**" for lb in labels) + " |")
    print("| month refresh: load(start, end) + " + ("dashboard.build" if has_dashboard else "figures")
          + f", {MONTH[0][:7]} (warm) | " + " | ".join(
        f"{r['month_load'] + r.get('month_build', r['month_figures']):.2f} s "
        f"({r['month_tasks']:,} tasks)" for r in (results[lb] for lb in labels)) + " |")
    print("| target | " + " | ".join(f"< {args.target:g} s" for _ in labels) + " |")
    print("| within target (target ÷ time) | " + " | ".join(
        f"{'yes' if refresh(results[lb]) < args.target else 'NO'} ({args.target / refresh(results[lb]):.1f}×)"
        for lb in labels) + " |")
    print("| peak memory of the process | " + " | ".join(f"{results[lb]['peak_mb'] / 1024:.2f} GB"
                                                       for lb in labels) + " |")
    print("| fair baseline: hand-written aggregate SQL (SQLite) | "
          + " | ".join(_s(fair[lb]["wall_s"]) for lb in labels) + " |")
    print("| ratio against hand SQL (wall / CPU) | " + " | ".join(" / ".join(ratios(
        {"wall_s": refresh(results[lb]), "cpu_s": results[lb]["load_cold_cpu"]
         + results[lb].get("build_cpu", results[lb]["figures_cpu"])}, fair[lb])) for lb in labels) + " |")
    if baselines:
        print("| naive baseline (every row into Python, one query per case) | "
              + " | ".join(_s(baselines[lb]["wall_s"]) for lb in labels) + " |")
        print("| naive peak memory | " + " | ".join(f"{baselines[lb]['peak_mb'] / 1024:.2f} GB" for lb in labels)
              + " |")
        print("| speed-up against naive (naive ÷ load + figures) | " + " | ".join(
            f"{baselines[lb]['wall_s'] / (results[lb]['load_cold'] + results[lb]['figures']):.1f}×"
            for lb in labels) + " |")
    print("| rows loaded: tasks / cases / township farmland rows / roster groups / rates | " + " | ".join(
        "{tasks:,} / {cases:,} / {farmland:,} / {officers:,} / {rates:,}".format(**results[lb]["rows"])
        for lb in labels) + " |")
    print()
    print("| where load() + figures() spend it (warm, each alone) | " + " | ".join(labels) + " |")
    print("|---|" + "---:|" * len(labels))
    for title, key in (("farmland per township (index ranges, v10)", "part_farmland"),
                       ("roster posts (SQL GROUP BY)", "part_officers"), ("tasks → columns", "part_tasks"),
                       ("valid patrols → columns", "part_patrols"),
                       ("cases + event times", "part_cases"), ("coverage rates", "part_rates"),
                       ("names", "part_names"), ("task statuses (core.patrol.tasks.status_codes)", "part_statuses")):
        print(f"| {title} | " + " | ".join(_s(results[lb].get(key)) for lb in labels) + " |")
    if baselines:
        print("\nchecked: parcels, farmland and basic farmland m², task statuses, cases per state, posts, closed "
              "cases and covered townships are equal to the naive computation in every scope.")
    slow = [lb for lb in labels if refresh(results[lb]) >= args.target]
    for lb in (labels[:1] if args.profile and not slow else slow):
        prefix = dict(scopes)[lb]
        profiled = run_measured([*me, "profile", str(store), prefix], f"profile of {lb}")
        print(f"\nprofile of the {lb} refresh (cProfile; times inflated by profiling):\n")
        print(profiled["profile"])


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        mode, store_arg, prefix_arg = sys.argv[2], Path(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else ""
        child("module" if mode == "module" else mode, store_arg, prefix_arg, mode == "profile")
        sys.stdout.flush()
        os._exit(0)
    main()
