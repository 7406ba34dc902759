"""One-click parcel space-coding (一键赋码) of a county's farmland, township by township.

The job reads every input once into columnar :class:`~.layers.Layer` tables, then codes one
township chunk at a time on a small thread pool: GEOS releases the GIL, so two chunks really run on
two cores, and only the chunks in flight hold live geometries, so memory stays bounded. Chunks come
back in township order, which is also code order, so a writer can stream them straight to a sink.
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import shapely

from . import beidou, dlbm
from .groups import nearest_groups, parcel_groups, survey_group, village_of
from .layers import Issue, Layer, bbox_hits
from .lineage import KEPT, LineageOptions, match
from .numbering import next_numbers
from .pieces import PieceOptions, farmland_pieces, grown
from .space_code import compose_many

MU_PER_M2 = 0.0015  # 1 亩 = 666.67 m²
DEFAULT_QR_TEMPLATE = "https://tianguan.example.cn/kjm/{code}"
CONTRACT, UNASSIGNED = "CB", "WCB"  # 承包地块 / 未承包耕地


class Cancelled(Exception):  # noqa: N818 (reads better at the call site)
    """The analyst pressed cancel; nothing has been written."""


@dataclass(frozen=True)
class CodingOptions:
    pieces: PieceOptions = PieceOptions()
    lineage: LineageOptions = LineageOptions()
    qr_template: str = DEFAULT_QR_TEMPLATE
    beidou_level: int = 8
    workers: int = 2


@dataclass
class CodingInput:
    land: Layer  # farmland 图斑; attrs DLBM, ZLDWDM, QSDWDM, BSM, TBDLMJ, KCXS
    parcels: Layer | None = None  # contract parcels; attrs DKBM, FBFBM, CBFBM
    basic: Layer | None = None  # 永久基本农田
    villages: Layer | None = None  # CJDCQ; attrs ZLDWDM
    previous: Layer | None = None  # coded parcels of an earlier run; attrs code, coded_at, run_id
    used_max: dict[str, tuple[int, int]] = field(default_factory=dict)
    crs_wkt: str = "EPSG:4522"
    run_id: str = ""
    run_time: str = ""


@dataclass
class ChunkResult:
    """The coded parcels of one township (sorted by code) and what was noticed on the way."""

    key: str
    columns: dict[str, np.ndarray]
    geom: np.ndarray
    issues: list[Issue]
    kept_old: np.ndarray  # indices into CodingInput.previous
    edges: list[tuple[int, str, float]]  # (old index, new code, shared m²)
    residue_m2: float = 0.0

    def __len__(self) -> int:
        return len(self.geom)


def _empty_layer(name: str) -> Layer:
    z = np.zeros(0)
    return Layer(name, z.astype(np.int64), z.astype(object), np.zeros((0, 4)), z, {})


def _str(layer: Layer, name: str) -> np.ndarray:
    if name in layer.attrs:
        return np.asarray(layer.attrs[name], dtype=str)
    return np.full(len(layer), "", dtype="U1")


class CodingJob:
    """A coding run over prepared inputs; iterate :meth:`run` to get the chunks."""

    def __init__(self, data: CodingInput, options: CodingOptions = CodingOptions()):
        self.data, self.opts = data, options
        self.parcels = data.parcels or _empty_layer("DK")
        self.previous = data.previous or _empty_layer("PREVIOUS")
        self.issues: list[Issue] = []
        self._prepare_land()
        self._prepare_parcels()
        self.keys = sorted(set(self.land_key[self.land_key != ""]) | set(self.parcel_key[self.parcel_key != ""]))

    # ------------------------------------------------------------------ preparation
    def _prepare_land(self) -> None:
        land = self.data.land
        self.land_dlbm = np.array([dlbm.normalise(c) for c in _str(land, "DLBM")], dtype=object)
        self.land_bsm = _str(land, "BSM")
        self.land_qsdwdm = _str(land, "QSDWDM")
        village = np.array([village_of(z) for z in _str(land, "ZLDWDM")], dtype="U12")
        missing = np.flatnonzero(village == "")
        if len(missing) and self.data.villages is not None and len(self.data.villages):
            village[missing] = self._locate_villages(land, missing)
        for i in np.flatnonzero(village == ""):
            self.issues.append(Issue("land_no_village", land.name, int(land.fid[i]), str(self.land_bsm[i])))
        self.land_village = village
        self.land_zldwdm = _str(land, "ZLDWDM")
        self.land_key = np.array([v[:9] for v in village], dtype="U9")
        tbdlmj = np.asarray(land.attrs.get("TBDLMJ", np.full(len(land), np.nan)), dtype=float)
        kcxs = np.asarray(land.attrs.get("KCXS", np.full(len(land), np.nan)), dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(tbdlmj > 0, tbdlmj / land.area, np.where((kcxs >= 0) & (kcxs < 1), 1 - kcxs, 1.0))
        self.land_ratio = np.where(np.isfinite(ratio) & (ratio > 0), ratio, 1.0)

    def _locate_villages(self, land: Layer, rows: np.ndarray) -> np.ndarray:
        villages = self.data.villages
        points = shapely.point_on_surface(land.geoms(rows))
        tree = shapely.STRtree(villages.geoms(np.arange(len(villages))))
        src, hit = tree.query(points, predicate="within")
        out = np.full(len(rows), "", dtype="U12")
        codes = _str(villages, "ZLDWDM")
        out[src] = [village_of(c) for c in codes[hit]]
        return out

    def _prepare_parcels(self) -> None:
        p = self.parcels
        self.dkbm, self.fbfbm, self.cbfbm = _str(p, "DKBM"), _str(p, "FBFBM"), _str(p, "CBFBM")
        self.parcel_group = parcel_groups(self.dkbm, self.fbfbm)
        self.parcel_key = np.array([g[:9] for g in self.parcel_group], dtype="U9")
        # overlaps are resolved in favour of the lower DKBM (then the lower feature id)
        self.parcel_rank = np.empty(len(p), dtype=np.int64)
        self.parcel_rank[np.lexsort((p.fid, self.dkbm))] = np.arange(len(p))
        codes, counts = np.unique(self.dkbm[self.dkbm != ""], return_counts=True)
        dup = set(codes[counts > 1].tolist())
        for i in np.flatnonzero(np.isin(self.dkbm, list(dup))) if dup else []:
            self.issues.append(Issue("duplicate_dkbm", p.name, int(p.fid[i]), str(self.dkbm[i])))
        for i in np.flatnonzero(self.dkbm == ""):
            self.issues.append(Issue("parcel_no_dkbm", p.name, int(p.fid[i])))
        nogroup = np.flatnonzero(self.parcel_group == "")
        if len(nogroup):
            self.parcel_key[nogroup] = self._locate_parcels(nogroup)
            for i in nogroup:
                self.issues.append(Issue("parcel_group_from_location", p.name, int(p.fid[i]), str(self.dkbm[i])))

    def _locate_parcels(self, rows: np.ndarray) -> np.ndarray:
        """Township chunk of parcels without a usable code: the farmland 图斑 they lie in."""
        points = shapely.point_on_surface(self.parcels.geoms(rows))
        pb = shapely.bounds(points)
        cand = bbox_hits(self.data.land.bounds, pb)
        out = np.full(len(rows), "", dtype="U9")
        if len(cand):
            tree = shapely.STRtree(self.data.land.geoms(cand))
            src, hit = tree.query(points, predicate="within")
            out[src] = self.land_key[cand[hit]]
        return out

    # ------------------------------------------------------------------ running
    def run(
        self,
        progress: Callable[[int, int, str], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Iterator[ChunkResult]:
        """Yield one :class:`ChunkResult` per township, in code order, using ``workers`` threads."""
        stop = threading.Event()
        window = max(1, self.opts.workers) + 1
        with ThreadPoolExecutor(max(1, self.opts.workers)) as pool:
            pending: deque = deque()
            keys = iter(self.keys)
            done = 0

            def submit() -> None:
                key = next(keys, None)
                if key is not None:
                    pending.append(pool.submit(self._guarded_chunk, key, stop))

            for _ in range(window):
                submit()
            while pending:
                if cancelled and cancelled():
                    stop.set()
                    for f in pending:
                        f.cancel()
                    raise Cancelled()
                result = pending.popleft().result()
                submit()
                done += 1
                if progress:
                    progress(done, len(self.keys), result.key)
                yield result

    def _guarded_chunk(self, key: str, stop: threading.Event) -> ChunkResult:
        if stop.is_set():
            raise Cancelled()
        return self.code_chunk(key)

    def code_chunk(self, key: str) -> ChunkResult:
        """Code the farmland of one township (all of its groups, so numbering is complete)."""
        # GEOS's robust arithmetic trips the FPU's invalid flag on some inputs, which numpy would
        # report as a RuntimeWarning per call: meaningless to the analyst, so silenced here
        with np.errstate(all="ignore"):
            return self._code_chunk(key)

    def _code_chunk(self, key: str) -> ChunkResult:
        land, parcels = self.data.land, self.parcels
        own_l = np.flatnonzero(self.land_key == key)
        own_p = np.flatnonzero(self.parcel_key == key)
        f_idx = np.union1d(own_l, bbox_hits(land.bounds, parcels.bounds[own_p]))
        p_idx = np.union1d(own_p, bbox_hits(parcels.bounds, land.bounds[f_idx]))
        F, P = land.geoms(f_idx), parcels.geoms(p_idx)
        own_mask, own_land = np.isin(p_idx, own_p), np.isin(f_idx, own_l)
        res = farmland_pieces(P, self.parcel_rank[p_idx], own_mask, F, own_land, self.opts.pieces)
        issues: list[Issue] = []
        # contract pieces ---------------------------------------------------------------
        cp = p_idx[res.contract_parcel]
        parts = res.parts
        gdmj_c = np.bincount(np.searchsorted(res.contract_parcel, parts.parcel),
                             parts.area * self.land_ratio[f_idx[parts.land]], minlength=len(cp))
        order = np.lexsort((-parts.area, parts.parcel))
        first = order[np.unique(parts.parcel[order], return_index=True)[1]]
        main_land = f_idx[parts.land[first]]  # 图斑 holding the largest share of each parcel
        # unassigned farmland -----------------------------------------------------------
        fl = f_idx[res.free_land]
        gdmj_f = shapely.area(res.free_geom) * self.land_ratio[fl]

        n_c, n_f = len(cp), len(fl)
        geom = np.concatenate([res.contract_geom, res.free_geom]).astype(object)
        land_of = np.concatenate([main_land, fl]).astype(np.int64)
        kind = np.array([CONTRACT] * n_c + [UNASSIGNED] * n_f, dtype="U3")
        group = np.concatenate([self.parcel_group[cp], np.full(n_f, "", dtype="U14")]).astype("U14")
        rep = shapely.point_on_surface(geom)
        rx, ry = shapely.get_x(rep), shapely.get_y(rep)
        self._fill_groups(group, land_of, rep, geom[:n_c], group[:n_c])

        area = shapely.area(geom)
        gdmj = np.concatenate([gdmj_c, gdmj_f])
        yj = self._basic_area(geom)
        yjmj = np.where(area > 0, yj * gdmj / np.maximum(area, 1e-9), 0.0)

        # codes: keep the old ones, number the rest -------------------------------------
        old_idx = bbox_hits(self.previous.bounds, shapely.bounds(geom)) if len(geom) else np.zeros(0, int)
        m = match(self.previous.geoms(old_idx), geom, self.opts.lineage)
        kept = np.full(len(geom), -1, dtype=np.int64)
        kept[m.kept >= 0] = old_idx[m.kept[m.kept >= 0]]
        code = np.full(len(geom), "", dtype="U20")
        old_codes = _str(self.previous, "code")
        code[kept >= 0] = old_codes[kept[kept >= 0]]
        new = np.flatnonzero(kept < 0)
        seq = next_numbers(group[new], kind[new] == UNASSIGNED, rx[new], ry[new], self.data.used_max)
        code[new] = compose_many(group[new], seq)

        parents: list[list[str]] = [[] for _ in range(len(geom))]
        edges = []
        for i, j, shared in m.edges:
            parents[j].append(old_codes[old_idx[i]])
            edges.append((int(old_idx[i]), str(code[j]), shared))

        cols = self._columns(code, kind, land_of, cp, n_f, area, gdmj, yjmj, rx, ry, m.relation, parents, kept)
        cols["note"] = np.array([";".join(sorted(res.flags.get(int(i), ()))) for i in res.contract_parcel]
                                + [""] * n_f, dtype=object)
        self._chunk_issues(issues, res, p_idx, own_mask)
        order = np.argsort(code, kind="stable")
        cols = {k: v[order] for k, v in cols.items()}
        residue = 0.0
        for x, pieces in res.residue.items():
            if own_land[x]:
                for g in pieces:
                    residue += g.area
                    issues.append(Issue("residue_uncoded", land.name, int(land.fid[f_idx[x]]),
                                        str(self.land_bsm[f_idx[x]]), float(g.area), wkb=shapely.to_wkb(g)))
        return ChunkResult(key, cols, geom[order], issues, kept[kept >= 0], edges, residue)

    def _fill_groups(self, group, land_of, rep, contract_geom, contract_group) -> None:
        """Groups of pieces that do not carry one: survey codes, then nearest parcel, then '00'."""
        rows = np.flatnonzero(group == "")
        if len(rows) == 0:
            return
        villages = self.land_village[land_of[rows]]
        from_survey = np.array(
            [survey_group(v, q, z) for v, q, z in
             zip(villages, self.land_qsdwdm[land_of[rows]], self.land_zldwdm[land_of[rows]])], dtype="U14")
        group[rows] = from_survey
        rest = rows[from_survey == ""]
        if len(rest):
            known = contract_group != ""
            near = nearest_groups(rep[rest], self.land_village[land_of[rest]],
                                  contract_geom[known], contract_group[known])
            fallback = np.char.add(self.land_village[land_of[rest]], "00")
            group[rest] = np.where(near != "", near, fallback)

    def _basic_area(self, geom: np.ndarray) -> np.ndarray:
        """Planar area of each piece inside 永久基本农田 (within → whole area, else intersection)."""
        out = np.zeros(len(geom))
        basic = self.data.basic
        if basic is None or len(basic) == 0 or len(geom) == 0:
            return out
        idx = bbox_hits(basic.bounds, shapely.bounds(geom))
        if len(idx) == 0:
            return out
        B = basic.geoms(idx)
        tree = shapely.STRtree(B)
        _, src = shapely.STRtree(geom).query(grown(B), predicate="contains_properly")
        inside = np.zeros(len(geom), dtype=bool)
        inside[src] = True
        out[inside] = shapely.area(geom[inside])
        rest = np.flatnonzero(~inside)
        s, h = tree.query(geom[rest], predicate="intersects")
        if len(s):
            inter = shapely.area(shapely.intersection(geom[rest[s]], B[h]))
            out[rest] = np.bincount(s, inter, minlength=len(rest))
        return np.minimum(out, shapely.area(geom))

    def _columns(self, code, kind, land_of, cp, n_f, area, gdmj, yjmj, rx, ry, relation, parents, kept):
        n = len(code)
        lon, lat = _to_lonlat(rx, ry, self.data.crs_wkt)
        prev_at, prev_run = _str(self.previous, "coded_at"), _str(self.previous, "run_id")
        coded_at = np.full(n, self.data.run_time, dtype=object)
        run_id = np.full(n, self.data.run_id, dtype=object)
        k = kept >= 0
        coded_at[k], run_id[k] = prev_at[kept[k]], prev_run[kept[k]]
        blank = np.full(n_f, "", dtype=object)
        dl = self.land_dlbm[land_of]
        return {
            "code": code.astype(object),
            "group_code": np.array([c[:14] for c in code], dtype=object),
            "seq": np.array([int(c[14:19]) for c in code], dtype=np.int64),
            "kind": kind.astype(object),
            "dlbm": dl,
            "dlmc": np.array([dlbm.name(c) for c in dl], dtype=object),
            "tbbsm": self.land_bsm[land_of].astype(object),
            "area_m2": area,
            "gdmj_m2": gdmj,
            "gdmj_mu": gdmj * MU_PER_M2,
            "yjmj_m2": yjmj,
            "yjmj_mu": yjmj * MU_PER_M2,
            "dkbm": np.concatenate([self.dkbm[cp].astype(object), blank]),
            "fbfbm": np.concatenate([self.fbfbm[cp].astype(object), blank]),
            "cbfbm": np.concatenate([self.cbfbm[cp].astype(object), blank]),
            "bdcode": beidou.encode_many(lon, lat, self.opts.beidou_level).astype(object),
            "lon": lon,
            "lat": lat,
            "qr": np.array([self.opts.qr_template.format(code=c) for c in code], dtype=object),
            "relation": relation.astype(object),
            "parents": np.array([";".join(sorted(p)) for p in parents], dtype=object),
            "coded_at": coded_at,
            "run_id": run_id,
        }

    def _chunk_issues(self, issues: list[Issue], res, p_idx: np.ndarray, own_mask: np.ndarray) -> None:
        p = self.parcels
        for local, reason in sorted(res.uncoded.items()):
            g = p_idx[local]
            issues.append(Issue(f"parcel_uncoded_{reason}", p.name, int(p.fid[g]), str(self.dkbm[g]),
                                wkb=p.wkb[g]))
        own = set(np.flatnonzero(own_mask).tolist())
        pairs: dict[tuple[int, int], float] = {}
        for keep, trimmed, shared in res.overlaps:  # one overlap may span several 图斑: sum it
            if trimmed in own and trimmed not in res.uncoded:
                pairs[(keep, trimmed)] = pairs.get((keep, trimmed), 0.0) + shared
        for (keep, trimmed), shared in sorted(pairs.items()):
            g, k = p_idx[trimmed], p_idx[keep]
            issues.append(Issue("parcel_overlap_trimmed", p.name, int(p.fid[g]), str(self.dkbm[g]), shared,
                                str(self.dkbm[k]), wkb=p.wkb[g]))

_transformers = threading.local()


def _to_lonlat(x: np.ndarray, y: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """CGCS2000 longitude/latitude of projected points (the Beidou grid code is geographic).

    Building a PROJ transformer costs tens of milliseconds and a transformer must not be shared
    between threads, so each worker thread keeps its own.
    """
    if len(x) == 0:
        return np.zeros(0), np.zeros(0)
    from pyproj import CRS, Transformer

    cache = _transformers.__dict__
    if crs not in cache:
        cache[crs] = Transformer.from_crs(CRS.from_user_input(crs), CRS.from_epsg(4490), always_xy=True)
    lon, lat = cache[crs].transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def retirements(job: CodingJob, kept: np.ndarray, edges: list[tuple[int, str, float]],
                relations: dict[str, str]) -> list[tuple[int, str, list[str]]]:
    """Old codes no new parcel keeps: (old index, reason, child codes), after all chunks ran."""
    from .lineage import retire_reason

    alive = np.zeros(len(job.previous), dtype=bool)
    alive[kept] = True
    children: dict[int, list[str]] = {}
    for i, child, _ in edges:
        children.setdefault(i, []).append(child)
    out = []
    for i in np.flatnonzero(~alive).tolist():
        kids = sorted(set(children.get(i, [])))
        out.append((i, retire_reason(set(kids), [relations.get(k, "") for k in kids]), kids))
    return out


__all__ = ["CodingJob", "CodingInput", "CodingOptions", "ChunkResult", "Cancelled", "KEPT", "retirements"]
