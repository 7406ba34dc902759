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
from .gpkg import GpkgWriter, export_shapefiles
from .landuse import FARMLAND
from .layout import Layout, build_layout
from .rand import T_DEFECTS, rng
from .recipe import load_recipe
from .roster import build_roster, write_roster
from .schema import LAYER_ORDER
from .township import Job, build_township
from .tracks import write_tracks

VERSION = "1.0.0"
_LAYOUT: Layout | None = None


def _work(job: Job) -> dict[str, Any]:
    assert _LAYOUT is not None
    return build_township(_LAYOUT, job)


def _distribute(total: int, weights: np.ndarray) -> list[int]:
    """Split an integer total over townships in proportion to weights (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return [0] * len(w)
    share = w / w.sum() * total
    base = np.floor(share).astype(int)
    for i in np.argsort(-(share - base), kind="stable")[: total - int(base.sum())]:
        base[i] += 1
    return base.tolist()


def plan_jobs(lay: Layout, tracks: bool) -> list[Job]:
    """Per-township quotas of everything counted sample-wide (changes, faults, approvals …)."""
    rec = lay.recipe
    n = len(lay.townships)
    farm = np.array([lay.mesh.area[c][np.isin(lay.cls[c], FARMLAND)].sum() for c in lay.cells_of])
    farm_cells = np.array([np.isin(lay.cls[c], FARMLAND).sum() for c in lay.cells_of])
    jobs = [Job(i) for i in range(n)]
    ch = rec["changes"]
    scale = lay.size / ch["reference_size"] if ch["scale_with_size"] else 1.0
    quotas: dict[str, list[int]] = {}
    for kind, cnt in ch["counts"].items():
        quotas[kind] = _distribute(max(1, int(round(cnt * scale))), farm)
    con = rec["contract"]
    est_tb = farm_cells.sum() / 1.7
    quotas["unassigned_whole"] = _distribute(max(1, int(round(con["unassigned_whole_fraction"] * est_tb))), farm)
    quotas["unassigned_block"] = _distribute(max(1, int(round(con["unassigned_block_fraction"] * est_tb))), farm)
    quotas["yjj_offset"] = _distribute(int(rec["yjjbnt"]["offset_count"]), farm)
    for layer, cnt in ch["extra_approvals"].items():
        quotas["extra_" + layer] = _distribute(max(0, int(round(cnt * max(scale, 1.0)))), farm)
    for kind, lst in quotas.items():
        for j, q in zip(jobs, lst):
            if q:
                j.quotas[kind] = q
    # faults go to the townships with most farmland, one fault each, in a seeded order
    d = rec["defects"]
    order = list(np.argsort(-farm, kind="stable"))
    g = rng(lay.seed, T_DEFECTS)
    top = order[: max(1, min(len(order), 8))]
    top = [int(x) for x in g.permutation(top)]
    slots = (
        list(d["invalid_geometries"]) + ["overlap"] * int(d["overlap_pairs"]) + ["duplicate"] * int(d["duplicate_dkbm"])
    )
    for k, kind in enumerate(slots):
        j = jobs[top[k % len(top)]]
        if kind == "overlap":
            j.overlap_pairs += 1
        elif kind == "duplicate":
            j.duplicates += 1
        else:
            j.defects.append(kind)
    if tracks:
        if lay.size <= rec["tracks"]["max_size_all_townships"]:
            for j in jobs:
                j.tracks = True
        else:
            seat = next((t.index for t in lay.townships if t.is_county_seat), 0)
            jobs[seat].tracks = True
    return jobs


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


def _bsm(county: str, tag: str, seq: int) -> str:
    return f"{county}{tag}{seq:010d}"


class _Collector:
    """Writes township results and resolves township-local references to sample-wide ids."""

    def __init__(self, writer: GpkgWriter):
        self.w = writer
        self.seq = {"10": 0, "11": 0, "21": 0, "22": 0, "31": 0}
        self.m: dict[str, Any] = {
            "defects": [],
            "changes": [],
            "unassigned_farmland": [],
            "crossing_parcels": [],
            "yjjbnt_offset": [],
            "changed_bsm_2024": [],
            "new_bsm_2025": [],
        }
        self.townships: list[dict[str, Any]] = []
        self.tracks: dict[str, Any] = {}
        self.farm = 0.0
        self.yjj = 0.0
        self.yjj_merged = 0

    def add(self, res: dict[str, Any]) -> None:
        L, f = res["layers"], res["facts"]
        county = f["county"]
        w = self.w

        def put(layer: str, tag: str | None) -> list[int]:
            fids = []
            for wkb, vals in L[layer]:
                if tag:
                    self.seq[tag] += 1
                    vals[0] = _bsm(county, tag, self.seq[tag])
                fids.append(w.write(layer, wkb, vals))
            return fids

        put("XZQ", "10")
        put("CJDCQ", "11")
        tb_fids = put("DLTB", "21")
        tb_bsm = [vals[0] for _, vals in L["DLTB"]]
        put("YJJBNTTB", "31")
        dk_base = w.count["DK"]
        put("DK", None)
        d25_bsm = []
        for (_, vals), ref in zip(L["DLTB_2025"], f["dltb_2025_refs"]):
            if ref >= 0:
                vals[0] = tb_bsm[ref]
            else:
                self.seq["22"] += 1
                vals[0] = _bsm(county, "22", self.seq["22"])
                self.m["new_bsm_2025"].append(vals[0])
            d25_bsm.append(vals[0])
        d25_base = w.count["DLTB_2025"]
        put("DLTB_2025", None)
        for layer in ("PZYD", "SSNYDBA", "LSYD", "CZKFBJ"):
            put(layer, None)
        for d in f["defects"]:
            e = {"layer": "DK", "fid": dk_base + d.pop("fid") + 1, "DKBM": d.pop("DKBM"), "kind": d.pop("kind")}
            if "other_fid" in d:
                e["other_fid"] = dk_base + d.pop("other_fid") + 1
                e["other_DKBM"] = d.pop("other_DKBM")
            e.update(d)
            self.m["defects"].append(e)
        for c in f["crossing"]:
            self.m["crossing_parcels"].append(
                {
                    "fid": dk_base + c["fid"] + 1,
                    "DKBM": c["DKBM"],
                    "kind": c["kind"],
                    "shift_m": c["shift"],
                    "tb_bsm": tb_bsm[c["tb"]],
                }
            )
        for u in f["unassigned"]:
            self.m["unassigned_farmland"].append(
                {
                    "kind": u["kind"],
                    "tb_bsm": tb_bsm[u["tb"]],
                    "tb_fid": tb_fids[u["tb"]],
                    "area": u["area"],
                    "centroid": u["centroid"],
                    **({"strips": u["strips"]} if "strips" in u else {}),
                }
            )
        for ch in f["changes"]:
            n = len(self.m["changes"]) + 1
            e = {
                "id": f"BG{n:05d}",
                "kind": ch["kind"],
                "bsm_2024": tb_bsm[ch["tb"]],
                "from_dlbm": ch["from_dlbm"],
                "to_dlbm": ch["to_dlbm"],
                "area": ch["area"],
                "centroid": ch["centroid"],
                "inside_approved": ch.get("inside_approved", False),
                "approval": ch.get("approval"),
                "on_yjjbnt": ch["on_yjjbnt"],
                "geometry_changed": ch["geometry_changed"],
                "dltb_2025_fid": d25_base + ch["dltb_2025"] + 1,
                "bsm_2025": d25_bsm[ch["dltb_2025"]],
                "township": f["township"],
            }
            if "from_zzsx" in ch:
                e["from_zzsx"], e["to_zzsx"] = ch["from_zzsx"], ch["to_zzsx"]
            if ch.get("remainder") is not None:
                e["remainder_fids"] = [d25_base + r + 1 for r in ch["remainder"]]
                e["remainder_bsm"] = [d25_bsm[r] for r in ch["remainder"]]
            self.m["changes"].append(e)
            self.m["changed_bsm_2024"].append(tb_bsm[ch["tb"]])
        for o in f["yjjbnt"]["offset"]:
            self.m["yjjbnt_offset"].append(o)
        self.yjj_merged += f["yjjbnt"]["merged"]
        self.farm += f["farmland_area"]
        self.yjj += f["yjjbnt_area"]
        self.townships.append(
            {"township": f["township"], "name": f["name"], "county": f["county"], "villages": f["villages"]}
        )
        self.tracks.update(f.get("track_data", {}))


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
        col = _Collector(writer)
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
        manifest = _manifest(lay, codes, recipe, counts, col, rows, track_info, files, timings)
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


def _manifest(
    lay: Layout,
    codes: list[str],
    recipe: dict[str, Any],
    counts: dict[str, int],
    col: _Collector,
    rows: list[list[str]],
    track_info: dict[str, Any] | None,
    files: list[str],
    timings: dict[str, float],
) -> dict[str, Any]:
    m = col.m
    return {
        "generator": "tools.samplegen",
        "version": VERSION,
        "seed": lay.seed,
        "size": lay.size,
        "counties": codes,
        "crs": "EPSG:4522",
        "area_note": "All areas (TBMJ, SCMJ, DCMJ, …) are planar areas in EPSG:4522, m²; 亩 = m² × 0.0015.",
        "scale": round(lay.scale, 4),
        "target_parcel_area_m2": round(lay.parcel_area, 1),
        "layers": {k: counts[k] for k in LAYER_ORDER},
        "files": files,
        "totals": {
            "dk_parcels": counts["DK"],
            "farmland_area_m2": round(col.farm, 2),
            "farmland_area_mu": round(col.farm * 0.0015, 2),
            "yjjbnt_area_m2": round(col.yjj, 2),
            "yjjbnt_share_of_farmland": round(col.yjj / col.farm, 4) if col.farm else 0.0,
            "townships": len(col.townships),
            "villages": sum(len(t["villages"]) for t in col.townships),
            "groups": sum(len(v["groups"]) for t in col.townships for v in t["villages"]),
        },
        "defects": m["defects"],
        "changes": m["changes"],
        "dltb_2025": {
            "changed_bsm_2024": m["changed_bsm_2024"],
            "new_bsm": m["new_bsm_2025"],
            "note": "Every 2024 图斑 whose BSM is not listed is copied unchanged (only SJNF differs).",
        },
        "unassigned_farmland": m["unassigned_farmland"],
        "crossing_parcels": m["crossing_parcels"],
        "yjjbnt": {"merged_features": col.yjj_merged, "offset": m["yjjbnt_offset"]},
        "roster": {"rows": len(rows), "vacancies": [[r[0], r[1]] for r in rows if r[7] == "是"]},
        "tracks": track_info,
        "timings": timings,
        "recipe": recipe,
    }
