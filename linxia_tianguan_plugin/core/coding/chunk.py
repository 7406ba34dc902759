"""Coding one township: a pure function of a self-contained task, so it can run in a worker process.

shapely holds the GIL while GEOS works, so a second core is only used by a second process; the task
carries just the township's own parcels and 图斑 plus the neighbours that touch them, and the result
carries finished WKB, so nothing but bytes and numbers crosses the process boundary.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import shapely

from .. import dlbm, geos
from ..geometry import OK, REPAIRED, repair
from . import beidou
from .groups import nearest_groups, survey_group
from .layers import Issue, bbox_hits, status_issues
from .lineage import match
from .numbering import next_numbers
from .pieces import WITHIN_TOLERANCE, farmland_pieces, grown
from .space_code import compose_many

MU_PER_M2 = 0.0015  # 1 亩 = 666.67 m²
CONTRACT, UNASSIGNED = "CB", "WCB"  # 承包地块 / 未承包耕地


@dataclass
class ChunkTask:
    """Inputs of one township (arrays are local to the task; ``previous['index']`` is global)."""

    key: str
    land: dict[str, np.ndarray]  # wkb fid own dlbm bsm ratio village qsdwdm zldwdm
    parcels: dict[str, np.ndarray]  # wkb fid own rank group dkbm fbfbm cbfbm
    basic_wkb: np.ndarray
    previous: dict[str, np.ndarray]  # wkb index code coded_at run_id
    used_max: dict[str, tuple[int, int]]
    land_name: str
    parcel_name: str
    crs_wkt: str
    run_id: str
    run_time: str
    options: object  # CodingOptions


@dataclass
class ChunkResult:
    """The coded parcels of one township, sorted by code, and what was noticed on the way."""

    key: str
    columns: dict[str, np.ndarray]
    wkb: np.ndarray  # MultiPolygon WKB per coded parcel
    bounds: np.ndarray  # (n, 4) xmin ymin xmax ymax
    issues: list[Issue] = field(default_factory=list)
    kept_old: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # global previous indices
    edges: list[tuple[int, str, float]] = field(default_factory=list)  # (old index, new code, shared m²)
    residue_m2: float = 0.0
    new_boxes: np.ndarray | None = None  # boxes of the rows a worker staged as new (see storage.workers)
    first_fid: int = 0  # the feature id of the first of them, when the worker wrote them into the store itself
    leaves: tuple | None = None  # then also (node numbers, boxes) of the spatial index's leaves it wrote over them

    def __len__(self) -> int:
        return len(self.columns["code"])

    def light(self) -> ChunkResult:
        """The result without geometry and data columns, for a caller that only needs the codes
        (the rows themselves were already staged by the worker)."""
        keep = compact_text({k: self.columns[k] for k in ("code", "relation", "group_code")})  # (see _run)
        return ChunkResult(self.key, keep, np.zeros(0, dtype=object), np.zeros((0, 4)), self.issues,
                           self.kept_old, self.edges, self.residue_m2, self.new_boxes, self.first_fid, self.leaves)


def code_task(task: ChunkTask) -> ChunkResult:
    """Code the farmland of one township (all of its groups, so numbering is complete)."""
    task.land, task.parcels = unicode_text(task.land), unicode_text(task.parcels)
    # GEOS's robust arithmetic trips the FPU's invalid flag on some inputs, which numpy would report
    # as a RuntimeWarning per call: meaningless to the analyst, so silenced here
    with np.errstate(all="ignore"):
        return _code(task)


def compact_text(table: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``table`` with its text columns as one byte per character where they are ASCII (codes are), for the trip to
    a worker process: numpy keeps four bytes per character, and the parcels' four code columns were more bytes
    than their geometry. :func:`unicode_text` turns them back."""
    out = {}
    for name, values in table.items():
        if values.dtype.kind == "U" and len(values):
            try:
                values = values.astype(f"S{max(values.dtype.itemsize // 4, 1)}")
            except UnicodeEncodeError:  # (a name in Chinese: travels as it is)
                pass
        out[name] = values
    return out


def unicode_text(table: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The text columns of a :func:`compact_text` table as text again."""
    return {name: values.astype(f"U{values.dtype.itemsize}") if values.dtype.kind == "S" else values
            for name, values in table.items()}


def _repaired(table: dict[str, np.ndarray], name: str, issues: list[Issue]) -> tuple[dict, np.ndarray]:
    """Repair the task's geometries here, in the worker (the validity check is the expensive part of
    reading a layer); own features that were repaired or lost are reported, lost ones dropped."""
    geoms, status = repair(shapely.from_wkb(table["wkb"]))
    own = table["own"]
    repaired_wkb = table["wkb"].copy()
    fixed = np.flatnonzero(status == REPAIRED)
    if len(fixed):
        repaired_wkb[fixed] = shapely.to_wkb(geoms[fixed])
    issues += status_issues(name, table["fid"][own], status[own], repaired_wkb[own])
    keep = (status == OK) | (status == REPAIRED)
    if keep.all():
        return table, geoms
    return {k: v[keep] for k, v in table.items()}, geoms[keep]


def _code(task: ChunkTask) -> ChunkResult:
    opts = task.options
    issues: list[Issue] = []
    L, F = _repaired(task.land, task.land_name, issues)
    P, G = _repaired(task.parcels, task.parcel_name, issues)
    with np.errstate(divide="ignore", invalid="ignore"):
        tbdlmj, kcxs = L["tbdlmj"], L["kcxs"]
        ratio = np.where(tbdlmj > 0, tbdlmj / shapely.area(F), np.where((kcxs >= 0) & (kcxs < 1), 1 - kcxs, 1.0))
    L["ratio"] = np.where(np.isfinite(ratio) & (ratio > 0), ratio, 1.0)
    res = farmland_pieces(G, P["rank"], P["own"], F, L["own"], opts.pieces)

    # contract pieces, and the 图斑 holding the largest share of each
    cp = res.contract_parcel
    parts = res.parts
    gdmj_c = np.bincount(np.searchsorted(cp, parts.parcel), parts.area * L["ratio"][parts.land], minlength=len(cp))
    order = np.lexsort((-parts.area, parts.parcel))
    main_land = parts.land[order[np.unique(parts.parcel[order], return_index=True)[1]]]
    # farmland no contract parcel covers
    fl = res.free_land
    gdmj_f = shapely.area(res.free_geom) * L["ratio"][fl]

    n_c, n_f = len(cp), len(fl)
    geom = np.concatenate([res.contract_geom, res.free_geom]).astype(object)
    land_of = np.concatenate([main_land, fl]).astype(np.int64)
    kind = np.array([CONTRACT] * n_c + [UNASSIGNED] * n_f, dtype="U3")
    group = np.concatenate([P["group"][cp], np.full(n_f, "", dtype="U14")]).astype("U14")
    rep = shapely.point_on_surface(geom)
    rx, ry = shapely.get_x(rep), shapely.get_y(rep)
    _fill_groups(L, group, land_of, rep, geom[:n_c], group[:n_c].copy())

    area = shapely.area(geom)
    gdmj = np.concatenate([gdmj_c, gdmj_f])
    pairs = np.unique(np.stack([parts.parcel, parts.land]), axis=1)  # (parcel, 图斑) a piece draws on
    single = np.bincount(np.searchsorted(cp, pairs[0]), minlength=n_c) == 1
    within = np.concatenate([single, np.ones(n_f, dtype=bool)])  # free pieces are cut from one 图斑
    yj = _basic_area(geom, repair(shapely.from_wkb(task.basic_wkb))[0], F, land_of, within)
    yjmj = np.where(area > 0, yj * gdmj / np.maximum(area, 1e-9), 0.0)

    # codes: keep the old ones, number the rest
    prev = task.previous
    m = match(repair(shapely.from_wkb(prev["wkb"]))[0], geom, opts.lineage)
    kept_local = m.kept
    code = np.full(len(geom), "", dtype="U20")
    code[kept_local >= 0] = prev["code"][kept_local[kept_local >= 0]]
    new = np.flatnonzero(kept_local < 0)
    seq = next_numbers(group[new], kind[new] == UNASSIGNED, rx[new], ry[new], task.used_max)
    code[new] = compose_many(group[new], seq)
    parents: dict[int, list[str]] = {}  # only the few split or merged parcels have parents
    edges = []
    for i, j, shared in m.edges:
        parents.setdefault(int(j), []).append(str(prev["code"][i]))
        edges.append((int(prev["index"][i]), str(code[j]), shared))

    cols = _columns(task, L, P, code, kind, land_of, cp, n_f, area, gdmj, yjmj, rx, ry, m.relation, parents,
                    kept_local)
    cols["note"] = _joined({int(k): sorted(res.flags[int(i)]) for k, i in enumerate(cp.tolist()) if i in res.flags},
                           len(geom))
    order = np.argsort(code, kind="stable")
    cols = {k: v[order] for k, v in cols.items()}
    out = geom[order]
    issues += _issues(task, P, res)
    residue = 0.0
    for x, pieces in res.residue.items():
        if L["own"][x]:
            for g in pieces:
                residue += g.area
                issues.append(Issue("residue_uncoded", task.land_name, int(L["fid"][x]), str(L["bsm"][x]),
                                    float(g.area), wkb=shapely.to_wkb(g)))
    kept_global = prev["index"][kept_local[kept_local >= 0]]
    return ChunkResult(task.key, cols, multipolygon_wkb(out), shapely.bounds(out), issues,
                       np.asarray(kept_global, dtype=np.int64), edges, residue)


#: the head of a one-part MultiPolygon in little-endian WKB: byte order, type 6, one polygon
_ONE_PART = b"\x01\x06\x00\x00\x00\x01\x00\x00\x00"


def multipolygon_wkb(geoms: np.ndarray) -> np.ndarray:
    """Little-endian WKB of polygonal geometries, every one a MultiPolygon (the layers' type): a Polygon's WKB is
    put behind a one-part MultiPolygon head — the bytes GEOS writes for that MultiPolygon, without building it."""
    wkb = shapely.to_wkb(geoms, byte_order=1)
    single = np.flatnonzero(shapely.get_type_id(geoms) == 3)
    if len(single):
        wkb[single] = [_ONE_PART + w for w in wkb[single]]
    return wkb


def _fill_groups(L, group, land_of, rep, contract_geom, contract_group) -> None:
    """Groups of pieces that do not carry one: survey codes, then nearest parcel, then '00'."""
    rows = np.flatnonzero(group == "")
    if len(rows) == 0:
        return
    villages = L["village"][land_of[rows]]
    from_survey = np.array(
        [survey_group(v, q, z) for v, q, z in
         zip(villages, L["qsdwdm"][land_of[rows]], L["zldwdm"][land_of[rows]])], dtype="U14")
    group[rows] = from_survey
    rest = rows[from_survey == ""]
    if len(rest):
        known = contract_group != ""
        near = nearest_groups(rep[rest], L["village"][land_of[rest]], contract_geom[known], contract_group[known])
        fallback = np.char.add(L["village"][land_of[rest]].astype("U12"), "00")
        group[rest] = np.where(near != "", near, fallback)


def _basic_area(geom: np.ndarray, basic: np.ndarray, land: np.ndarray, land_of: np.ndarray,
                within: np.ndarray) -> np.ndarray:
    """Planar area of each piece inside 永久基本农田 (inside → whole area, else the intersection).

    The basic-farmland layer is drawn on 图斑 lines, so most 图斑 lie wholly inside it: one test per
    图斑 settles all the pieces that lie ``within`` it, and only the others are tested piece by piece.
    """
    out = np.zeros(len(geom))
    if len(basic) == 0 or len(geom) == 0:
        return out
    hits = bbox_hits(shapely.bounds(basic), shapely.bounds(geom))
    if len(hits) == 0:
        return out
    B = basic[hits]
    B_grown = grown(B)
    lands = np.unique(land_of[within])
    _, inside = shapely.STRtree(land[lands]).query(B_grown, predicate="contains_properly")
    land_inside = np.zeros(len(land), dtype=bool)
    land_inside[lands[inside]] = True
    settled = within & land_inside[land_of]
    out[settled] = shapely.area(geom[settled])
    todo = np.flatnonzero(~settled)
    _, src = shapely.STRtree(geom[todo]).query(B_grown, predicate="contains_properly")
    inside = np.zeros(len(todo), dtype=bool)
    inside[src] = True
    out[todo[inside]] = shapely.area(geom[todo[inside]])
    rest = todo[~inside]
    # a piece beside 永农 shares its edge, which makes it "intersect": only the pieces reaching into the polygons
    # shrunk by the digitising tolerance are cut (overlays are the expensive part; the others get 0)
    s, h = shapely.STRtree(grown(B, -WITHIN_TOLERANCE)).query(geom[rest], predicate="intersects")
    if len(s):
        inter = shapely.area(geos.intersection(geom[rest[s]], B[h]))
        out[rest] = np.bincount(s, inter, minlength=len(rest))
    return np.minimum(out, shapely.area(geom))


def _columns(task, L, P, code, kind, land_of, cp, n_f, area, gdmj, yjmj, rx, ry, relation, parents, kept):
    """Result columns as compact numpy arrays (fixed-width text, no per-row Python objects)."""
    prev, opts = task.previous, task.options
    n = len(code)
    lon, lat = to_lonlat(rx, ry, task.crs_wkt)
    coded_at = np.full(n, task.run_time, dtype=f"U{max(len(task.run_time), 1)}").astype("U40")
    run_id = np.full(n, task.run_id, dtype="U40")
    k = kept >= 0
    coded_at[k], run_id[k] = prev["coded_at"][kept[k]], prev["run_id"][kept[k]]
    code = np.asarray(code, dtype="U20")
    digits = code.view(np.uint32).reshape(n, 20)[:, 14:19].astype(np.int64) - 48
    dl = np.asarray(L["dlbm"][land_of], dtype=str)
    classes, inverse = np.unique(dl, return_inverse=True)
    names = np.array([dlbm.name(c) for c in classes], dtype=str)
    before, _, after = opts.qr_template.partition("{code}")
    blank = np.full(n_f, "", dtype="U1")

    def text(values, width):
        return np.asarray(values, dtype=str).astype(f"U{width}")

    return {
        "code": code,
        "group_code": code.astype("U14"),
        "seq": digits @ np.array([10000, 1000, 100, 10, 1]),
        "kind": kind,
        "dlbm": dl,
        "dlmc": names[inverse] if n else np.zeros(0, "U1"),
        "tbbsm": text(L["bsm"][land_of], 40),
        "area_m2": area,
        "gdmj_m2": gdmj,
        "gdmj_mu": gdmj * MU_PER_M2,
        "yjmj_m2": yjmj,
        "yjmj_mu": yjmj * MU_PER_M2,
        "dkbm": np.concatenate([text(P["dkbm"][cp], 19), blank]),
        "fbfbm": np.concatenate([text(P["fbfbm"][cp], 14), blank]),
        "cbfbm": np.concatenate([text(P["cbfbm"][cp], 18), blank]),
        "bdcode": beidou.encode_many(lon, lat, opts.beidou_level),
        "lon": lon,
        "lat": lat,
        "qr": np.char.add(np.char.add(before, code), after) if n else np.zeros(0, "U1"),
        "relation": relation.astype("U2"),
        "parents": _joined({j: sorted(p) for j, p in parents.items()}, n),
        "coded_at": coded_at,
        "run_id": run_id,
    }


def _joined(values: dict[int, list[str]], n: int) -> np.ndarray:
    """A text column of ``n`` rows: the listed rows' values joined by ';', the others empty (no per-row Python)."""
    out = np.full(n, "", dtype=object)
    for row, parts in values.items():
        out[row] = ";".join(parts)
    return out.astype(str)


def _issues(task: ChunkTask, P: dict[str, np.ndarray], res) -> list[Issue]:
    issues = []
    for local, reason in sorted(res.uncoded.items()):
        issues.append(Issue(f"parcel_uncoded_{reason}", task.parcel_name, int(P["fid"][local]),
                            str(P["dkbm"][local]), wkb=P["wkb"][local]))
    own = set(np.flatnonzero(P["own"]).tolist())
    pairs: dict[tuple[int, int], float] = {}
    for keep, trimmed, shared in res.overlaps:  # one overlap may span several 图斑: sum it
        if trimmed in own and trimmed not in res.uncoded:
            pairs[(keep, trimmed)] = pairs.get((keep, trimmed), 0.0) + shared
    for (keep, trimmed), shared in sorted(pairs.items()):
        issues.append(Issue("parcel_overlap_trimmed", task.parcel_name, int(P["fid"][trimmed]),
                            str(P["dkbm"][trimmed]), shared, str(P["dkbm"][keep]), wkb=P["wkb"][trimmed]))
    return issues


_transformers = threading.local()


def to_lonlat(x: np.ndarray, y: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """CGCS2000 longitude/latitude of projected points (the Beidou grid code is geographic).

    Building a PROJ transformer costs tens of milliseconds and one must not be shared between
    threads, so each thread (and worker process) keeps its own.
    """
    if len(x) == 0:
        return np.zeros(0), np.zeros(0)
    from pyproj import CRS, Transformer

    cache = _transformers.__dict__
    if crs not in cache:
        cache[crs] = Transformer.from_crs(CRS.from_user_input(crs), CRS.from_epsg(4490), always_xy=True)
    lon, lat = cache[crs].transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
