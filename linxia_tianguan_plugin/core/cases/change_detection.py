"""Farmland lost between two land-survey years (三调 DLTB → 年度变更 DLTB_2025), and external change polygons.

Most 图斑 do not change from one year to the next: they keep their BSM, their geometry bytes and their
attributes. :func:`compare_years` pairs the two years by BSM and skips every identical pair with a
byte comparison, without building a single GEOS geometry. Pairs whose geometry is identical but whose
class or 种植属性 changed are taken whole. Only the rest — geometry changed, BSM new or gone — goes into
an overlay of the baseline *farmland* against the newer polygons, and only the pairs whose classes
mean a loss (:class:`~.change_rules.ChangeRules`) are intersected.

Pieces are merged per (baseline 图斑, kind, new class), cut into single polygons and filtered: slivers
(a boundary redrawn a few decimetres off is not a change) and parts too small to report, except that
small parts on 永久基本农田 are kept down to a lower threshold.

撂荒 (farmland left unplanted, 种植属性 ZZSXDM = WG 未耕种) is listed by :func:`abandoned` from one survey —
the newer one when there are two — as candidates of kind ``abandoned``, which become cases like the losses.
Why cases and not a table of their own: the desk's answer to 撂荒 is the same field loop (issue, check on the
spot, photograph, 复耕 as rectification, close), the field officers report 撂荒 as a case category, and the
pre-judgement ranks the ones on 永久基本农田 first. A patch stays one case for as long as it stays unplanted
(its key is its BSM and geometry, so a re-run adds nothing). They carry ``source = "planting"``, not
``"survey"``: 撂荒 farmland is still farmland, so the trend of farmland between survey years
(``storage.statistics.survey_losses``, which sums the survey cases) must not count it as lost. The area per
township is :func:`abandoned_by_township`. "Farmland with no crop signal" (remote-sensing crop
classification) would be a second source of 撂荒 candidates, but the desk has no crop layer: it is not
guessed here.

Areas are planar m² in the layer's projected CRS (EPSG:4522 for Linxia); 1 亩 = m² × 0.0015.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields

import numpy as np
import shapely

from ..coding.kcxs import kcxs_fractions
from ..dlbm import normalise
from ..geometry import group_union, polygonal, repair
from ..parallel import Cancelled
from .change_rules import ABANDONED, UNKNOWN, ChangeRules

MU_PER_M2 = 0.0015
_POLYGON = 3
_CHUNK = 4000  # baseline features per overlay step: bounds memory and gives progress/cancel points


def mu(m2: np.ndarray | float) -> np.ndarray | float:
    """亩 from m² (1 亩 = 666.67 m²)."""
    return np.asarray(m2, dtype=float) * MU_PER_M2 if isinstance(m2, np.ndarray) else float(m2) * MU_PER_M2


def _str_array(values: object, n: int) -> np.ndarray:
    """Object array of stripped strings, '' for None/NaN: attribute tables deliver all three."""
    if values is None:
        return np.full(n, "", dtype=object)
    out = np.empty(n, dtype=object)
    for i, v in enumerate(values):
        out[i] = "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()
    return out


@dataclass
class LandUse:
    """One survey year, column-wise: one row per 图斑.

    ``wkb`` holds WKB bytes (None for a missing geometry) so that unchanged 图斑 can be recognised
    by comparing bytes. ``kcxs`` is the 扣除系数 as a fraction (0.08 = 8 % 田坎), 0 when null; a layer
    written in percent (any value in (1, 100], :func:`..coding.kcxs.kcxs_fractions`) is divided by 100 and
    says so in ``kcxs_percent`` (with ``kcxs_largest``, the largest raw value, for the message); values
    still outside [0, 1] are clipped. ``zone`` (e.g. ZLDWDM[:9], the township) orders and chunks the
    work and is the township of :func:`abandoned_by_township`; it never changes which polygons are found.
    """

    bsm: np.ndarray
    dlbm: np.ndarray
    zzsxdm: np.ndarray
    kcxs: np.ndarray
    wkb: np.ndarray
    zone: np.ndarray | None = None
    kcxs_percent: bool = field(default=False, init=False)
    kcxs_largest: float = field(default=float("nan"), init=False)

    def __post_init__(self) -> None:
        n = len(self.wkb)
        self.wkb = np.asarray(list(self.wkb) if n else [], dtype=object).reshape(n)
        self.bsm = _str_array(self.bsm, n)
        self.dlbm = np.array([normalise(c) for c in _str_array(self.dlbm, n)], dtype=object).reshape(n)
        self.zzsxdm = np.array([normalise(c) for c in _str_array(self.zzsxdm, n)], dtype=object).reshape(n)
        kcxs = kcxs_fractions(self.kcxs)  # floats there: NaN for blanks and text that is no number
        self.kcxs_percent, self.kcxs_largest = kcxs.percent, kcxs.largest
        self.kcxs = np.clip(np.nan_to_num(kcxs.fractions, nan=0.0), 0.0, 1.0)
        self.zone = None if self.zone is None else _str_array(self.zone, n)
        for name in ("bsm", "dlbm", "zzsxdm", "kcxs"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"LandUse.{name} has {len(getattr(self, name))} rows, wkb has {n}")

    def __len__(self) -> int:
        return len(self.wkb)


@dataclass
class Candidates:
    """Change candidates, column-wise: one row per output polygon (valid, single-part).

    ``bsm_after`` joins the BSMs of the newer 图斑 the polygon was cut from with ';' (usually one;
    '' for external polygons). ``farmland_m2`` is the 耕地 地类面积 lost: area × (1 − KCXS of the
    baseline 图斑), i.e. after deducting 田坎. ``basic_m2`` is the part inside 永久基本农田.
    """

    geom: np.ndarray
    kind: np.ndarray
    from_dlbm: np.ndarray
    to_dlbm: np.ndarray
    to_zzsxdm: np.ndarray
    bsm_before: np.ndarray
    bsm_after: np.ndarray
    area_m2: np.ndarray
    farmland_m2: np.ndarray
    basic_m2: np.ndarray
    source: np.ndarray
    external_id: np.ndarray

    def __len__(self) -> int:
        return len(self.geom)

    @property
    def area_mu(self) -> np.ndarray:
        return mu(self.area_m2)

    @property
    def farmland_mu(self) -> np.ndarray:
        return mu(self.farmland_m2)

    @property
    def basic_mu(self) -> np.ndarray:
        return mu(self.basic_m2)

    @classmethod
    def empty(cls) -> Candidates:
        return cls(**{f.name: np.empty(0, dtype=float if f.name.endswith("_m2") else object) for f in fields(cls)})


def concat(parts: list[Candidates]) -> Candidates:
    """Candidates of several runs (survey comparison, external polygons) as one set, in the given order."""
    parts = [p for p in parts if p is not None and len(p)]
    if not parts:
        return Candidates.empty()
    return Candidates(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Candidates)})


# ------------------------------------------------------------------------------------------------
# small helpers


def _check(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled()


def _report(progress: Callable[[float], None] | None, fraction: float) -> None:
    if progress is not None:
        progress(min(1.0, max(0.0, fraction)))


def _to_geoms(values: np.ndarray) -> np.ndarray:
    """Shapely geometries from WKB bytes or geometries (mixed is fine); None stays None."""
    values = np.asarray(values, dtype=object).reshape(-1)
    try:
        return shapely.from_wkb(values, on_invalid="ignore")
    except TypeError:  # geometries, memoryviews or a mix: sort them out one by one
        pass
    out = np.full(len(values), None, dtype=object)
    raw = np.array([isinstance(v, (bytes, bytearray, memoryview)) for v in values], dtype=bool)
    if raw.any():
        out[raw] = shapely.from_wkb(np.array([bytes(v) for v in values[raw]], dtype=object), on_invalid="ignore")
    geo = np.array([isinstance(v, shapely.Geometry) for v in values], dtype=bool)
    out[geo] = values[geo]
    return out


def _repaired(values: np.ndarray, stats: dict) -> np.ndarray:
    """Valid polygonal geometries (None where nothing areal is left); counts what had to be repaired."""
    geoms, status = repair(_to_geoms(values))
    stats["repaired"] = stats.get("repaired", 0) + int((status == 1).sum())
    stats["no_geometry"] = stats.get("no_geometry", 0) + int((status >= 2).sum())
    return geoms


def _near(values: np.ndarray, probes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, repaired geometries) of ``values`` whose box meets some probe: validity work only for those.

    Parsing WKB is cheap next to ``is_valid``/``make_valid``, and the tree only needs boxes.
    """
    geoms = _to_geoms(values)
    present = np.flatnonzero(~shapely.is_missing(geoms))
    probes = probes[~shapely.is_missing(probes)]
    if len(present) == 0 or len(probes) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=object)
    hit = shapely.STRtree(geoms[present]).query(probes)[1]
    rows = present[np.unique(hit)]
    fixed = _repaired(geoms[rows], {})
    have = ~shapely.is_missing(fixed)
    return rows[have], fixed[have]


def _shape(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(area, mean width 2A/P, isoperimetric ratio 4πA/P²) per polygon."""
    area = shapely.area(parts)
    perimeter = np.maximum(shapely.length(parts), 1e-12)
    return area, 2.0 * area / perimeter, 4.0 * np.pi * area / perimeter**2


def _explode(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single polygons with positive area from (possibly mixed) geometries; (parts, index of the source)."""
    geoms = polygonal(geoms)
    have = np.flatnonzero(~shapely.is_missing(geoms))
    parts, index = shapely.get_parts(geoms[have], return_index=True)
    keep = (shapely.get_type_id(parts) == _POLYGON) & (shapely.area(parts) > 0)
    return parts[keep], have[index[keep]]


# ------------------------------------------------------------------------------------------------
# pieces → candidates (shared by survey comparison and external polygons)

_PIECE_COLUMNS = ("kind", "from_dlbm", "to_dlbm", "to_zzsxdm", "bsm_before", "bsm_after", "source",
                  "external_id")


def _table(geom: np.ndarray, kcxs: np.ndarray, **columns: np.ndarray) -> dict:
    n = len(geom)
    table = {"geom": np.asarray(geom, dtype=object).reshape(n), "kcxs": np.asarray(kcxs, dtype=float).reshape(n)}
    for name in _PIECE_COLUMNS:
        value = columns[name]
        table[name] = np.full(n, value, dtype=object) if isinstance(value, str) else np.asarray(value, dtype=object)
    return table


def _take(table: dict, rows: np.ndarray) -> dict:
    return {k: v[rows] for k, v in table.items()}


def _concat(tables: list[dict]) -> dict:
    tables = [t for t in tables if len(t["geom"])]
    if not tables:
        return _table(np.empty(0, dtype=object), np.empty(0), **{c: np.empty(0, dtype=object) for c in _PIECE_COLUMNS})
    return {k: np.concatenate([t[k] for t in tables]) for k in tables[0]}


def _drop_thin_pieces(table: dict, rules: ChangeRules, stats: dict) -> dict:
    """Explode pieces and drop the narrow ones *before* merging, so that noise never widens a real change."""
    parts, index = _explode(table["geom"])
    table = _take(table, index)
    table["geom"] = parts
    thin = _shape(parts)[1] < rules.min_width_m
    stats["sliver_pieces"] = stats.get("sliver_pieces", 0) + int(thin.sum())
    return _take(table, np.flatnonzero(~thin))


def _merge(table: dict) -> tuple[dict, np.ndarray]:
    """Union pieces per (source, external id, baseline BSM, kind, new class); explode to single polygons.

    Returns the parts (attributes of their largest piece) and, per part, the ';'-joined BSMs of the
    newer 图斑 it was cut from.
    """
    keys = np.array(["\x1f".join(k) for k in zip(table["source"], table["external_id"], table["bsm_before"],
                                                   table["kind"], table["to_dlbm"])], dtype=str)
    _, group = np.unique(keys, return_inverse=True)
    group = group.reshape(-1)
    _, merged = group_union(table["geom"], group)
    merged, _status = repair(merged)
    parts, owner = _explode(merged)
    piece_part = _assign(table["geom"], group, parts, owner)
    size = shapely.area(table["geom"])
    # attributes of a part: its largest piece; a part no piece maps to (numerically odd) takes its group's
    rep = _largest(size, group)[owner]
    mapped = np.flatnonzero(piece_part >= 0)
    if len(mapped):
        best = _largest(size[mapped], piece_part[mapped])
        best = mapped[best[best >= 0]]
        rep[piece_part[best]] = best
    out = _take(table, rep)
    out["geom"] = parts
    bsm_after = out["bsm_after"].copy()
    counts = np.bincount(piece_part[mapped], minlength=len(parts))
    for k in np.flatnonzero(counts > 1):
        bsm_after[k] = ";".join(sorted({b for b in table["bsm_after"][piece_part == k] if b}))
    return out, bsm_after


def _largest(size: np.ndarray, label: np.ndarray) -> np.ndarray:
    """Row of the largest value per label, indexed by label (labels are 0..max; a missing label gets −1)."""
    out = np.full(int(label.max()) + 1 if len(label) else 0, -1, dtype=np.int64)
    order = np.lexsort((-size, label))
    first = order[np.r_[True, label[order][1:] != label[order][:-1]]] if len(order) else order
    out[label[first]] = first
    return out


def _assign(pieces: np.ndarray, group: np.ndarray, parts: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Index of the part holding each piece (−1 when none): GEOS only for groups cut into several parts."""
    out = np.full(len(pieces), -1, dtype=np.int64)
    if len(parts) == 0:
        return out
    nparts = np.bincount(owner, minlength=group.max() + 1 if len(group) else 0)
    first_part = np.full(len(nparts), -1, dtype=np.int64)
    first_part[owner[::-1]] = np.arange(len(owner))[::-1]
    single = nparts[group] == 1
    out[single] = first_part[group[single]]
    multi = np.flatnonzero(nparts[group] > 1)
    if len(multi):
        points = shapely.point_on_surface(pieces[multi])
        i, j = shapely.STRtree(parts).query(points, predicate="intersects")
        same = owner[j] == group[multi[i]]
        i, j = i[same], j[same]
        out[multi[i[::-1]]] = j[::-1]
    return out


def _basic_area(parts: np.ndarray, basic: np.ndarray) -> np.ndarray:
    """Area of each part inside the union of 永久基本农田 (overlapping basic polygons counted once)."""
    out = np.zeros(len(parts))
    if len(parts) == 0 or len(basic) == 0:
        return out
    i, j = shapely.STRtree(basic).query(parts, predicate="intersects")
    if len(i) == 0:
        return out
    pieces = polygonal(shapely.intersection(parts[i], basic[j]))
    areal = ~shapely.is_missing(pieces)
    if areal.any():
        ids, merged = group_union(pieces[areal], i[areal])
        out[ids] = np.nan_to_num(shapely.area(merged))
    return out


def _finish(table: dict, basic_values: np.ndarray, rules: ChangeRules, stats: dict,
            cancelled: Callable[[], bool] | None) -> Candidates:
    """Merge, explode, filter (sliver, small unless on basic farmland), measure and sort the pieces."""
    table = _drop_thin_pieces(table, rules, stats)
    _check(cancelled)
    if len(table["geom"]) == 0:
        return _summarise(Candidates.empty(), stats)
    parts, bsm_after = _merge(table)
    area, width, thin = _shape(parts["geom"])
    sliver = (width < rules.min_width_m) | ((thin < rules.max_thinness) & (width < 2 * rules.min_width_m))
    stats["suppressed_sliver"] = stats.get("suppressed_sliver", 0) + int(sliver.sum())
    keep = np.flatnonzero(~sliver & (area >= rules.min_area_basic_m2))
    tiny = ~sliver & (area < rules.min_area_basic_m2)
    stats["suppressed_small"] = stats.get("suppressed_small", 0) + int(tiny.sum())
    _check(cancelled)
    basic_m2 = np.zeros(len(area))
    _, basic = _near(basic_values, parts["geom"][keep])
    basic_m2[keep] = _basic_area(parts["geom"][keep], basic)
    small = (area < rules.min_area_m2) & (basic_m2 < rules.min_area_basic_m2)
    stats["suppressed_small"] += int((small[keep]).sum())
    keep = keep[~small[keep]]
    points = shapely.point_on_surface(parts["geom"][keep])
    order = keep[np.lexsort((shapely.get_y(points), shapely.get_x(points), parts["bsm_before"][keep].astype(str)))]
    result = Candidates(
        geom=parts["geom"][order], kind=parts["kind"][order], from_dlbm=parts["from_dlbm"][order],
        to_dlbm=parts["to_dlbm"][order], to_zzsxdm=parts["to_zzsxdm"][order],
        bsm_before=parts["bsm_before"][order], bsm_after=bsm_after[order], area_m2=area[order],
        farmland_m2=area[order] * (1.0 - parts["kcxs"][order]), basic_m2=basic_m2[order],
        source=parts["source"][order], external_id=parts["external_id"][order])
    return _summarise(result, stats)


def _summarise(result: Candidates, stats: dict) -> Candidates:
    stats["candidates"] = len(result)
    kinds = sorted(set(result.kind))
    stats["by_kind"] = {k: int((result.kind == k).sum()) for k in kinds}
    stats["area_m2_by_kind"] = {k: float(result.area_m2[result.kind == k].sum()) for k in kinds}
    stats["farmland_m2"] = float(result.farmland_m2.sum())
    stats["basic_m2"] = float(result.basic_m2.sum())
    return result


# ------------------------------------------------------------------------------------------------
# two survey years


def _unique_index(bsm: np.ndarray) -> dict:
    """BSM → row for the BSMs that are non-empty and occur once: duplicates cannot be paired safely."""
    index = dict(zip(bsm.tolist(), range(len(bsm))))
    if len(index) < len(bsm):
        counts = Counter(bsm.tolist())
        index = {b: i for b, i in index.items() if counts[b] == 1}
    index.pop("", None)
    return index


def _pair(before: LandUse, after: LandUse, stats: dict) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (before, after) of the 图斑 present once in each year under the same BSM."""
    ub, ua = _unique_index(before.bsm), _unique_index(after.bsm)
    stats["duplicate_bsm_before"] = int((before.bsm != "").sum()) - len(ub)
    stats["duplicate_bsm_after"] = int((after.bsm != "").sum()) - len(ua)
    ib = np.fromiter(ub.values(), dtype=np.int64, count=len(ub))
    ia = np.fromiter((ua.get(b, -1) for b in ub), dtype=np.int64, count=len(ub))
    found = ia >= 0
    return ib[found], ia[found]


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise equality of object arrays (bytes/str), as a bool array."""
    if len(a) == 0:
        return np.zeros(0, dtype=bool)
    return np.asarray(a == b, dtype=bool).reshape(len(a))


def _single(geoms: np.ndarray) -> np.ndarray:
    """2D, one-part MultiPolygons as Polygons, normalised: what two readers may encode differently."""
    geoms = shapely.force_2d(geoms)
    one = (shapely.get_type_id(geoms) == 6) & (shapely.get_num_geometries(geoms) == 1)
    geoms[one] = shapely.get_geometry(geoms[one], 0)
    return shapely.normalize(geoms)


def _same_shape(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Geometries equal vertex for vertex although their bytes differ (Polygon vs MultiPolygon, Z, ring start).

    Run only on the pairs whose bytes differ, so that a reader that encodes one year differently
    does not push the whole county into the overlay.
    """
    if len(a) == 0:
        return np.zeros(0, dtype=bool)
    ga, gb = _single(_to_geoms(a)), _single(_to_geoms(b))
    present = ~shapely.is_missing(ga) & ~shapely.is_missing(gb)
    out = np.zeros(len(a), dtype=bool)
    out[present] = shapely.equals_exact(ga[present], gb[present], tolerance=0.0)
    return out


def _attribute_changes(before: LandUse, after: LandUse, ib: np.ndarray, ia: np.ndarray, rules: ChangeRules,
                       stats: dict) -> dict:
    """Pieces of the pairs whose geometry is unchanged but whose class/种植属性 changed: the whole 图斑."""
    kind = rules.classify_many(before.dlbm[ib], after.dlbm[ia], after.zzsxdm[ia], before.zzsxdm[ib])
    lost = np.flatnonzero(kind != None)  # noqa: E711 (element-wise on an object array)
    ib, ia = ib[lost], ia[lost]
    geoms = _repaired(before.wkb[ib], stats)
    ok = np.flatnonzero(~shapely.is_missing(geoms))
    stats["attribute_losses"] = len(ok)
    return _table(geoms[ok], before.kcxs[ib[ok]], kind=kind[lost][ok], from_dlbm=before.dlbm[ib[ok]],
                  to_dlbm=after.dlbm[ia[ok]], to_zzsxdm=after.zzsxdm[ia[ok]], bsm_before=before.bsm[ib[ok]],
                  bsm_after=after.bsm[ia[ok]], source="survey", external_id="")


def _chunks(rows: np.ndarray, zone: np.ndarray | None) -> list[np.ndarray]:
    """Rows in zone order, cut into chunks of at most _CHUNK rows that do not mix zones."""
    if len(rows) == 0:
        return []
    if zone is None:
        return [rows[k:k + _CHUNK] for k in range(0, len(rows), _CHUNK)]
    z = zone[rows].astype(str)
    order = np.argsort(z, kind="stable")
    rows, z = rows[order], z[order]
    cuts = np.flatnonzero(z[1:] != z[:-1]) + 1
    return [part[k:k + _CHUNK] for part in np.split(rows, cuts) for k in range(0, len(part), _CHUNK)]


def _overlay(before: LandUse, after: LandUse, rb: np.ndarray, ra: np.ndarray, rules: ChangeRules, stats: dict,
             progress: Callable[[float], None] | None, cancelled: Callable[[], bool] | None) -> dict:
    """Intersect changed baseline farmland with changed/new newer 图斑, only where the classes mean a loss."""
    geoms_a = _repaired(after.wkb[ra], stats)
    present = np.flatnonzero(~shapely.is_missing(geoms_a))
    ra, geoms_a = ra[present], geoms_a[present]
    stats["overlay_after"] = len(ra)
    stats["overlay_before"] = len(rb)
    stats["pairs_intersected"] = 0
    tables = []
    if len(ra) == 0 or len(rb) == 0:
        return _concat(tables)
    tree = shapely.STRtree(geoms_a)
    chunks = _chunks(rb, before.zone)
    for n, rows in enumerate(chunks):
        _check(cancelled)
        geoms_b = _repaired(before.wkb[rows], stats)
        i, j = tree.query(geoms_b, predicate="intersects")
        bi, aj = rows[i], ra[j]
        kind = rules.classify_many(before.dlbm[bi], after.dlbm[aj], after.zzsxdm[aj], before.zzsxdm[bi])
        lost = np.flatnonzero(kind != None)  # noqa: E711 (element-wise on an object array)
        stats["pairs_intersected"] += len(lost)
        pieces = shapely.intersection(geoms_b[i[lost]], geoms_a[j[lost]])
        bi, aj = bi[lost], aj[lost]
        tables.append(_table(pieces, before.kcxs[bi], kind=kind[lost], from_dlbm=before.dlbm[bi],
                             to_dlbm=after.dlbm[aj], to_zzsxdm=after.zzsxdm[aj], bsm_before=before.bsm[bi],
                             bsm_after=after.bsm[aj], source="survey", external_id=""))
        _report(progress, 0.15 + 0.65 * (n + 1) / len(chunks))
    return _concat(tables)


def compare_years(before: LandUse, after: LandUse, basic_wkb: np.ndarray, rules: ChangeRules,
                  progress: Callable[[float], None] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> tuple[Candidates, dict]:
    """Farmland of ``before`` that ``after`` turned into another kind of use; (candidates, statistics).

    Statistics: ``before_features``, ``after_features``, ``paired`` (same BSM once in each year),
    ``identical`` (= ``skipped``: same geometry bytes, DLBM and ZZSXDM — no GEOS work; pairs whose bytes
    differ are compared vertex for vertex, and ``same_shape_other_bytes`` counts those found equal),
    ``attribute_changed`` (same bytes, other class/种植属性; ``attribute_losses`` of them lose
    farmland and are taken whole), ``geometry_changed``, ``removed``/``added`` (BSM in one year only,
    incl. duplicates), ``duplicate_bsm_before``/``_after``, ``overlay_before`` (changed baseline
    farmland), ``overlay_after``, ``pairs_intersected``, ``repaired``/``no_geometry`` (input
    geometries), ``sliver_pieces`` (thin pieces dropped before merging), ``suppressed_sliver`` and
    ``suppressed_small`` (merged parts), ``candidates``, ``by_kind``, ``area_m2_by_kind``,
    ``farmland_m2``, ``basic_m2``, ``rules_version`` and ``seconds``.
    """
    started = time.perf_counter()
    stats: dict = {"rules_version": rules.version, "before_features": len(before), "after_features": len(after)}
    _report(progress, 0.0)
    ib, ia = _pair(before, after, stats)
    same_geom = _same(before.wkb[ib], after.wkb[ia])
    differ = np.flatnonzero(~same_geom)
    same_geom[differ] = _same_shape(before.wkb[ib[differ]], after.wkb[ia[differ]])
    stats["same_shape_other_bytes"] = int(same_geom[differ].sum())
    same_attr = _same(before.dlbm[ib], after.dlbm[ia]) & _same(before.zzsxdm[ib], after.zzsxdm[ia])
    stats["paired"] = len(ib)
    stats["identical"] = stats["skipped"] = int((same_geom & same_attr).sum())
    stats["attribute_changed"] = int((same_geom & ~same_attr).sum())
    stats["geometry_changed"] = int((~same_geom).sum())
    stats["removed"] = len(before) - len(ib)
    stats["added"] = len(after) - len(ia)
    _check(cancelled)
    _report(progress, 0.05)
    whole = _attribute_changes(before, after, ib[same_geom & ~same_attr], ia[same_geom & ~same_attr], rules, stats)
    _report(progress, 0.15)
    # rows taking part in the overlay: everything not paired with identical geometry
    geometry_settled_b = np.zeros(len(before), dtype=bool)
    geometry_settled_b[ib[same_geom]] = True
    geometry_settled_a = np.zeros(len(after), dtype=bool)
    geometry_settled_a[ia[same_geom]] = True
    rb = np.flatnonzero(~geometry_settled_b & rules.farmland_mask(before.dlbm))
    ra = np.flatnonzero(~geometry_settled_a)
    pieces = _overlay(before, after, rb, ra, rules, stats, progress, cancelled)
    result = _finish(_concat([whole, pieces]), basic_wkb, rules, stats, cancelled)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    _report(progress, 1.0)
    return result, stats


# ------------------------------------------------------------------------------------------------
# external change polygons (卫片 图斑)


def classify_external(polygons_wkb: np.ndarray, ids: np.ndarray, new_dlbm: np.ndarray, before: LandUse,
                      basic_wkb: np.ndarray, rules: ChangeRules) -> tuple[Candidates, dict]:
    """Externally supplied change polygons (e.g. 卫片执法 图斑) classified against the baseline farmland.

    Each polygon is cut by the baseline farmland 图斑 it overlaps; the new class is the polygon's own
    ``new_dlbm``. When that is '' the class is not known and the kind is ``"unknown"``: a 卫片 图斑
    only says that something changed, and assuming 非农化 would overstate the loss. A polygon whose
    new class is still farmland is no loss. Same area fields and filters as :func:`compare_years`;
    ``bsm_after`` is '' and ``source`` is ``"external"``.
    """
    started = time.perf_counter()
    n = len(polygons_wkb)
    stats: dict = {"rules_version": rules.version, "external_features": n}
    geoms = _repaired(np.asarray(polygons_wkb, dtype=object).reshape(n), stats)
    ids = _str_array(ids, n)
    new_dlbm = np.array([normalise(c) for c in _str_array(new_dlbm, n)], dtype=object).reshape(n)
    farmland = np.flatnonzero(rules.farmland_mask(before.dlbm))
    hit, base = _near(before.wkb[farmland], geoms)
    rows = farmland[hit]
    table = _concat([])
    stats["pairs_intersected"] = 0
    if len(rows) and n:
        j, i = shapely.STRtree(base).query(geoms, predicate="intersects")
        kind = rules.classify_many(before.dlbm[rows[i]], new_dlbm[j], None, before.zzsxdm[rows[i]])
        lost = np.flatnonzero(kind != None)  # noqa: E711 (element-wise on an object array)
        stats["pairs_intersected"] = len(lost)
        i, j, b = i[lost], j[lost], rows[i[lost]]
        table = _table(shapely.intersection(geoms[j], base[i]), before.kcxs[b], kind=kind[lost],
                       from_dlbm=before.dlbm[b], to_dlbm=new_dlbm[j], to_zzsxdm="", bsm_before=before.bsm[b],
                       bsm_after="", source="external", external_id=ids[j])
    stats["unknown_class"] = int((new_dlbm == "").sum())
    result = _finish(table, basic_wkb, rules, stats, None)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return result, stats


# ------------------------------------------------------------------------------------------------
# 撂荒: farmland of one survey left unplanted


def abandoned(survey: LandUse, basic_wkb: np.ndarray, rules: ChangeRules,
              cancelled: Callable[[], bool] | None = None) -> tuple[Candidates, dict]:
    """The farmland 图斑 of ``survey`` whose 种植属性 says 未耕种 (``rules.abandoned_codes``) as candidates of
    kind ``abandoned``; (candidates, statistics).

    A state, not a change: every such 图斑 is listed, whether it was already unplanted in an earlier survey
    or not. Each is taken whole (cut into single polygons) with its BSM in ``bsm_before`` and ``bsm_after``,
    its class and 种植属性 as both before and after, ``farmland_m2`` after 田坎 and its 永久基本农田 area;
    ``source`` is ``"planting"`` (see the module docstring). The sliver and minimum-area filters of the
    losses apply, so a 图斑 smaller than ``min_area_m2`` is listed only with enough 永久基本农田.
    Statistics: ``abandoned_patches`` (图斑 found), ``candidates``, ``area_m2_by_kind`` … as
    :func:`compare_years`, and ``abandoned_by_township`` (:func:`abandoned_by_township` of the result).
    """
    started = time.perf_counter()
    stats: dict = {"rules_version": rules.version}
    n = len(survey)
    codes = {normalise(z) for z in rules.abandoned_codes}
    rows = np.flatnonzero(rules.farmland_mask(survey.dlbm) & np.isin(survey.zzsxdm.astype(str), list(codes))) \
        if n and codes else np.zeros(0, dtype=np.int64)
    geoms = _repaired(survey.wkb[rows], stats)
    ok = np.flatnonzero(~shapely.is_missing(geoms))
    rows, geoms = rows[ok], geoms[ok]
    stats["abandoned_patches"] = len(rows)
    table = _table(geoms, survey.kcxs[rows], kind=ABANDONED, from_dlbm=survey.dlbm[rows], to_dlbm=survey.dlbm[rows],
                   to_zzsxdm=survey.zzsxdm[rows], bsm_before=survey.bsm[rows], bsm_after=survey.bsm[rows],
                   source="planting", external_id="")
    result = _finish(table, basic_wkb, rules, stats, cancelled)
    zone = survey.zone if survey.zone is not None else np.full(n, "", dtype=object)
    township = dict(zip(survey.bsm[rows].tolist(), zone[rows].tolist()))
    stats["abandoned_by_township"] = abandoned_by_township(result, [township.get(b, "") for b in result.bsm_before])
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return result, stats


def abandoned_by_township(candidates: Candidates, townships) -> list[dict]:
    """撂荒 per township: ``{"township", "patches", "area_m2", "farmland_m2", "basic_m2"}`` sorted by code,
    over the ``abandoned`` candidates (``townships``: the code of each candidate, '' when unknown)."""
    sums: dict[str, list] = {}
    for i in np.flatnonzero(candidates.kind == ABANDONED):
        row = sums.setdefault(str(townships[i] or ""), [set(), 0.0, 0.0, 0.0])
        row[0].add(candidates.bsm_before[i])
        row[1] += float(candidates.area_m2[i])
        row[2] += float(candidates.farmland_m2[i])
        row[3] += float(candidates.basic_m2[i])
    return [{"township": t, "patches": len(r[0]), "area_m2": round(r[1], 2), "farmland_m2": round(r[2], 2),
             "basic_m2": round(r[3], 2)} for t, r in sorted(sums.items())]


__all__ = ["MU_PER_M2", "UNKNOWN", "Candidates", "LandUse", "abandoned", "abandoned_by_township",
           "classify_external", "compare_years", "concat", "mu"]
