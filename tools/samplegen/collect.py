"""Writing township results in order, resolving township-local references (图斑 indices, parcel
positions) to sample-wide BSM and feature ids, and assembling the manifest."""

from __future__ import annotations

from typing import Any

from .gpkg import GpkgWriter
from .layout import Layout
from .schema import LAYER_ORDER

VERSION = "1.1.0"  # 1.1: numpy-independent math, computed coordinates on a 1 mm grid


def bsm(county: str, tag: str, seq: int) -> str:
    return f"{county}{tag}{seq:010d}"


class Collector:
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
                    vals[0] = bsm(county, tag, self.seq[tag])
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
                vals[0] = bsm(county, "22", self.seq["22"])
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


def build_manifest(
    lay: Layout,
    codes: list[str],
    recipe: dict[str, Any],
    counts: dict[str, int],
    col: Collector,
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
