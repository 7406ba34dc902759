"""In-office pre-judgement (内业预判) of farmland change candidates against reference layers.

Since 2025 a county desk must find suspected farmland losses itself before the field check. Each
candidate (farmland that became something else between two surveys) is overlaid with the approvals
it may rely on, and gets a category, the reason codes behind it and the overlapping areas that
support it, so that the field officer knows what to look for and which document to ask for.

Rules (``A`` = area of the piece; a reference "covers" a piece when the covered area is at least
``cover_share * A``; a rest is not waved through for being small in m², since building beyond the
approved area (超占) is itself a violation):

* Only reference features already in force on ``today`` count (start date ``<= today``; approvals and
  filings dated later are ignored; a temporary-land permit whose end date is before ``today`` is
  *expired*).
* nonagri / waterscape / other / unknown (and every candidate whose new class is a temporary code 1301/1303):
  covered by approvals (批准用地) -> ``approved``. A part inside approvals and a rest both of at least
  ``min_split_m2`` -> split into an approved piece and a rest that is judged on its own (both carry
  ``partly_approved``); otherwise it is not split and is judged as unapproved, carrying both areas. The
  (rest) piece is then checked against temporary land (临时用地) in term the same way (covered ->
  ``temporary``, a large enough part -> split). A remaining piece over an expired permit -> ``suspect``
  (``temporary_expired``).
* nonagri, unapproved: on 永久基本农田 -> ``suspect``; outside the development boundary (城镇开发边界)
  -> ``suspect``; inside it -> ``verify`` (approval may be under way); no boundary layer -> ``verify``.
* facility (0103 -> 1202): the part outside the filing (设施农业用地备案) below ``min_split_m2`` and
  below the part inside, and the area of all facility candidates inside each filing at most
  ``filed_m2 * (1 + facility_tolerance)`` -> ``facility``; a filing that is exceeded -> ``suspect``
  (``facility_over_filing``); no filing -> ``suspect`` on 永久基本农田, else ``verify``. A filing does not
  make facility land on 永久基本农田 lawful by itself: only crop facilities that leave the plough layer
  intact may use it, which no filing record shows, so such a piece -> ``verify``
  (``facility_filed_on_basic``, with the filing's number). Not ``suspect``: like an unapproved build inside
  the development boundary, a document exists that may make it lawful — the field check decides.
* nongrain (orchard, forest, grass, fish pond, FLS): on 永久基本农田 (``basic_m2 >= BASIC_MIN_M2``)
  -> ``suspect`` (planting trees or digging ponds there is forbidden); otherwise ``verify``.
* waterscape (挖湖造景, 0103 -> 1102/1103/1104) without approval or permit: on 永久基本农田 -> ``suspect``;
  otherwise ``verify`` (``waterscape_no_approval``). It is checked against approvals first because a
  reservoir or a lake of an approved project is lawful.
* abandoned (撂荒, farmland whose 种植属性 is 未耕种): no loss of use and nothing to approve, so never checked
  against approvals -> ``verify`` (``abandoned_farmland``; ``on_basic_farmland`` too on 永久基本农田, which
  ranks it first).
* other / unknown without approval or permit -> ``verify``.

Every piece records ``approved_m2``, ``facility_m2``, ``temporary_m2``, ``boundary_m2``, ``basic_m2``
and the document numbers that support its category. Pieces are ranked by :func:`priority_order`,
problem pieces (suspect, verify) before lawful ones.

判定规则（A 为图斑面积；某参考图层“覆盖”图斑指覆盖面积 ≥ cover_share × A；超出批准范围（超占）本身即违法，
故不因未覆盖部分较小而放过）：

* 只采用在 today 当日已生效的参考要素（批准日期/备案日期/起始日期 ≤ today）；临时用地终止日期早于
  today 的视为已到期。
* 非农化、挖湖造景、其他、不明变化（以及新地类为临时用地 1301、推土区 1303 的图斑）：被批准用地覆盖 → 合法-已批准；
  批准部分与其余部分均 ≥ min_split_m2 → 拆分为已批准部分和其余部分（两者均标注“部分已批准”），其余部分
  单独判定；否则不拆分，按未批准判定，同时记录两部分面积。随后对（其余）部分按同样方法比对期限内的临时用地
  （覆盖 → 合法-临时用地，部分覆盖 → 拆分）。剩余部分位于已到期临时用地上 → 疑似违法（临时用地到期）。
* 未批准的非农化：占用永久基本农田 → 疑似违法；位于城镇开发边界外 → 疑似违法；位于边界内 → 需外业核实
  （可能在报批中）；未提供开发边界图层 → 需外业核实。
* 设施农用地（0103→1202）：备案范围外部分 < min_split_m2 且小于范围内部分，且同一备案内全部设施图斑面积
  ≤ 备案面积 × (1 + facility_tolerance) → 合法-设施农用地备案；超出备案 → 疑似违法；未备案：占用永久基本
  农田 → 疑似违法，否则 → 需外业核实。已备案但占用永久基本农田的设施农用地不因备案而判为合法（只有不破坏
  耕作层的种植设施可以使用永久基本农田，备案记录看不出这一点）→ 需外业核实（“已备案但占用永久基本农田”，
  并列出备案号）。
* 非粮化（果园、林地、草地、养殖坑塘、种植属性 FLS）：占用永久基本农田（≥ BASIC_MIN_M2）→ 疑似违法
  （永久基本农田禁止植树造林、挖塘养鱼）；否则 → 需外业核实。
* 挖湖造景（耕地变为湖泊水面 1102、水库水面 1103、坑塘水面 1104）且无批准、无临时用地：占用永久基本农田
  → 疑似违法；否则 → 需外业核实。
* 撂荒（耕地种植属性为未耕种 WG）：不是用途改变，不比对批准 → 需外业核实（占用永久基本农田时同时注明）。
* 其他、不明变化且无批准或临时用地 → 需外业核实。

每个结果图斑记录与各参考图层的重叠面积及支持其判定的批准文号/备案号；按 priority_order 排定优先级，
问题图斑（疑似违法、需外业核实）排在合法图斑之前。
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import ArrayLike

from ..geometry import group_union, repair
from ..parallel import Cancelled

#: Output categories: 合法-已批准, 合法-设施农用地备案, 合法-临时用地, 疑似违法, 需外业核实.
CATEGORIES = ("approved", "facility", "temporary", "suspect", "verify")
LAWFUL = ("approved", "facility", "temporary")

#: Reason codes; labels for translation live in the lead's translation tables.
REASONS = (
    "inside_approval",              # 位于批准用地范围内
    "partly_approved",              # 部分位于批准用地或临时用地范围内（已拆分或记录批准面积）
    "no_approval",                  # 未查到批准用地
    "facility_within_filing",       # 设施农用地在备案范围和面积内
    "facility_over_filing",         # 设施农用地超出备案范围或备案面积
    "facility_no_filing",           # 设施农用地未查到备案
    "temporary_in_term",            # 位于期限内的临时用地范围内
    "temporary_expired",            # 临时用地已到期（应复垦）
    "on_basic_farmland",            # 占用永久基本农田
    "outside_boundary",             # 位于城镇开发边界外
    "inside_boundary_no_approval",  # 位于城镇开发边界内但未查到批准
    "nongrain_off_basic",           # 非粮化，未占用永久基本农田
    "other_loss",                   # 耕地变为水域、未利用地等其他地类
    "unknown_change",               # 变化类型不明
    "facility_filed_on_basic",      # 设施农用地已备案，但占用永久基本农田
    "waterscape_no_approval",       # 耕地挖湖造景（湖泊、水库、坑塘水面），未查到批准
    "abandoned_farmland",           # 耕地撂荒（种植属性为未耕种）
)

#: New classes that are temporary construction in the survey (临时用地, 推土区).
TEMPORARY_CODES = ("1301", "1303")
#: Kinds judged against approvals and temporary land (facility and nongrain have their own rules).
BUILT_KINDS = ("nonagri", "waterscape", "other", "unknown")
KINDS = ("nonagri", "facility", "nongrain", "waterscape", "other", "unknown", "abandoned")
#: Less than this much 永久基本农田 (m²) is a digitising sliver, not an occupation.
BASIC_MIN_M2 = 1.0
#: Overlaps below this (m²) do not name a document: edges that merely touch.
SLIVER_M2 = 1.0
DOC_SEP = "；"

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(value: object) -> str:
    """'YYYY-MM-DD' from an ISO string, 'YYYY/MM/DD' (OGR's date text), a date, or '' when missing."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    text = str(value).strip().replace("/", "-")[:10]
    if not text:
        return ""
    if not _ISO.match(text):
        raise ValueError(f"not a date: {value!r}")
    return text


def _str_array(values: ArrayLike | None, n: int) -> np.ndarray:
    """Text per feature ('' for missing values), as a numpy str array."""
    if values is None:
        return np.full(n, "", dtype=object).astype(str)
    return np.array(["" if v is None else str(v) for v in values], dtype=str)


def _dates(values: ArrayLike | None, n: int) -> np.ndarray:
    """ISO dates per feature ('' where the layer has no date)."""
    return _str_array(None if values is None else [iso_date(v) for v in values], n)


@dataclass
class Reference:
    """One reference layer: geometry (WKB) with document number, validity dates and filed area per feature.

    ``start`` / ``end`` are ISO dates or '' (no limit); ``filed_m2`` is NaN where the layer has no filed
    area. Dates are normalised on construction so that OGR's 'YYYY/MM/DD' can be passed as is.
    """

    wkb: np.ndarray
    doc: np.ndarray | None = None
    start: np.ndarray | None = None
    end: np.ndarray | None = None
    filed_m2: np.ndarray | None = None
    name: str = ""
    _geoms: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.wkb = np.asarray(self.wkb, dtype=object)
        n = len(self.wkb)
        self.doc = _str_array(self.doc, n)
        self.start = _dates(self.start, n)
        self.end = _dates(self.end, n)
        self.filed_m2 = (np.full(n, np.nan) if self.filed_m2 is None
                         else np.array([np.nan if v is None else v for v in self.filed_m2], dtype=float))
        for label, arr in (("doc", self.doc), ("start", self.start), ("end", self.end), ("filed_m2", self.filed_m2)):
            if len(arr) != n:
                raise ValueError(f"{self.name or 'reference'}: {label} has {len(arr)} values for {n} features")

    @classmethod
    def from_geoms(cls, geoms: ArrayLike, doc: ArrayLike | None = None, start: ArrayLike | None = None,
                   end: ArrayLike | None = None, filed_m2: ArrayLike | None = None, name: str = "") -> Reference:
        """Build from shapely geometries (kept, so they are not parsed back from WKB)."""
        geoms = np.asarray(geoms, dtype=object)
        ref = cls(shapely.to_wkb(geoms), doc, start, end, filed_m2, name)
        ref._geoms = repair(geoms)[0]
        return ref

    def geoms(self) -> np.ndarray:
        """Valid polygonal geometries (None where a feature has none), parsed once."""
        if self._geoms is None:
            present = np.array([w is not None for w in self.wkb], dtype=bool)
            raw = np.full(len(self.wkb), None, dtype=object)
            if present.any():
                raw[present] = shapely.from_wkb(self.wkb[present])
            self._geoms = repair(raw)[0]
        return self._geoms

    def started(self, today: str) -> np.ndarray:
        """Features in force by ``today`` (start date not in the future)."""
        return (self.start == "") | (self.start <= today)

    def expired(self, today: str) -> np.ndarray:
        """Features whose term ended before ``today``."""
        return (self.end != "") & (self.end < today)


@dataclass
class References:
    """The reference layers of a pre-judgement; any may be missing (its rules are then skipped).

    ``basic`` (永久基本农田) is optional: when given, the 永农 area of split pieces is measured; otherwise
    it is shared out by area from the candidate's ``basic_m2``.
    """

    approved: Reference | None = None   # 批准用地 PZYD
    facility: Reference | None = None   # 设施农业用地备案 SSNYDBA
    temporary: Reference | None = None  # 临时用地 LSYD
    boundary: Reference | None = None   # 城镇开发边界 CZKFBJ
    basic: Reference | None = None      # 永久基本农田 YJJBNTTB


@dataclass
class Judgement:
    """One row per output piece; a split candidate contributes two rows with the same ``candidate``."""

    candidate: np.ndarray
    geom: np.ndarray
    category: np.ndarray
    reasons: list[list[str]]
    approved_m2: np.ndarray
    facility_m2: np.ndarray
    temporary_m2: np.ndarray
    boundary_m2: np.ndarray
    basic_m2: np.ndarray
    area_m2: np.ndarray
    docs: np.ndarray
    priority: np.ndarray

    def __len__(self) -> int:
        return len(self.candidate)


# ---------------------------------------------------------------------------------------------- overlays


@dataclass
class _Overlay:
    """Overlap of pieces with a set of reference features: union cover, its area, pairs and their areas."""

    cover: np.ndarray   # per piece: the part inside the features (None when nothing)
    area: np.ndarray    # per piece: area of ``cover``
    piece: np.ndarray   # pair: piece index
    feature: np.ndarray  # pair: reference feature index
    pair_m2: np.ndarray  # pair: intersection area


def _overlay(geoms: np.ndarray, ref_geoms: np.ndarray, active: np.ndarray) -> _Overlay:
    """Intersect every piece with the active reference features through one STRtree query.

    Reference features may overlap each other (two approvals on one field), so the cover is the union
    of the pair intersections, never their summed areas.
    """
    n = len(geoms)
    cover = np.full(n, None, dtype=object)
    area = np.zeros(n)
    empty = _Overlay(cover, area, np.zeros(0, int), np.zeros(0, int), np.zeros(0))
    idx = np.flatnonzero(active & ~shapely.is_missing(ref_geoms))
    present = np.flatnonzero(~shapely.is_missing(geoms))
    if not len(idx) or not len(present):
        return empty
    tree = shapely.STRtree(ref_geoms[idx])
    a, b = tree.query(geoms[present], predicate="intersects")
    if not len(a):
        return empty
    piece, feature = present[a], idx[b]
    parts = repair(shapely.intersection(geoms[piece], ref_geoms[feature]))[0]
    pair_m2 = shapely.area(parts)
    pair_m2 = np.where(np.isnan(pair_m2), 0.0, pair_m2)
    keep = ~shapely.is_missing(parts)
    if keep.any():
        ids, merged = group_union(parts[keep], piece[keep])
        cover[ids] = merged
        area[ids] = shapely.area(merged)
    return _Overlay(cover, area, piece, feature, pair_m2)


def _docs(ov: _Overlay, ref: Reference | None, n: int, min_m2: float = SLIVER_M2) -> list:
    """Document numbers of the features each piece overlaps by at least ``min_m2``, in first-seen order."""
    out: list = [[] for _ in range(n)]
    if ref is None:
        return out
    for p, f, m2 in zip(ov.piece, ov.feature, ov.pair_m2):
        doc = ref.doc[f]
        if m2 >= min_m2 and doc and doc not in out[p]:
            out[p].append(doc)
    return out


def _layer(ref: Reference | None, geoms: np.ndarray, mask: Callable[[Reference], np.ndarray]) -> _Overlay:
    """Overlay with the features of ``ref`` selected by ``mask`` (nothing when the layer is missing)."""
    if ref is None:
        return _overlay(geoms, np.zeros(0, dtype=object), np.zeros(0, dtype=bool))
    return _overlay(geoms, ref.geoms(), mask(ref))


def _covers(c: np.ndarray, area: np.ndarray, cover_share: float) -> np.ndarray:
    """A reference covers a piece: all of it but digitising noise (``cover_share`` of the area)."""
    return (c >= cover_share * area) & (c > 0)


def _significant(c: np.ndarray, area: np.ndarray, cover_share: float, min_split_m2: float) -> np.ndarray:
    """An overlap worth acting on: at least ``min_split_m2`` or nearly the whole piece."""
    return (c >= min_split_m2) | ((c >= cover_share * area) & (c > 0))


# ---------------------------------------------------------------------------------------------- pieces


@dataclass
class _Pieces:
    """Working set of pieces: candidate index, geometry, category so far ('' = still open), reasons."""

    candidate: np.ndarray
    geom: np.ndarray
    category: np.ndarray
    reasons: list
    split: np.ndarray  # piece comes from a split candidate (its 永农 area must be re-measured)

    def take(self, rows: np.ndarray) -> _Pieces:
        return _Pieces(self.candidate[rows], self.geom[rows], self.category[rows],
                       [list(self.reasons[r]) for r in rows], self.split[rows])

    @staticmethod
    def concat(parts: list) -> _Pieces:
        return _Pieces(np.concatenate([p.candidate for p in parts]),
                       np.concatenate([p.geom for p in parts]).astype(object),
                       np.concatenate([p.category for p in parts]).astype(object),
                       [r for p in parts for r in p.reasons],
                       np.concatenate([p.split for p in parts]))


def _legal_stage(pieces: _Pieces, eligible: np.ndarray, ref: Reference | None, active: Callable,
                 category: str, reason: str, cover_share: float, min_split_m2: float) -> _Pieces:
    """Give open eligible pieces covered by ``ref`` the lawful ``category``; split those partly covered.

    The covered part of a split becomes its own lawful piece; the rest stays open and is judged by the
    later stages. A covered part or rest below ``min_split_m2`` is never split off.
    """
    open_ = eligible & (pieces.category == "")
    if ref is None or not open_.any():
        return pieces
    rows = np.flatnonzero(open_)
    ov = _layer(ref, pieces.geom[rows], active)
    area = shapely.area(pieces.geom[rows])
    full = _covers(ov.area, area, cover_share)
    split = ~full & (ov.area >= min_split_m2) & (area - ov.area >= min_split_m2)
    for k in np.flatnonzero(full):
        pieces.category[rows[k]] = category
        pieces.reasons[rows[k]].append(reason)
    partial = ~full & ~split & (ov.area >= min_split_m2)
    for k in np.flatnonzero(partial):
        _add(pieces.reasons[rows[k]], "partly_approved")
    if not split.any():
        return pieces
    ks = np.flatnonzero(split)
    inside = pieces.take(rows[ks])
    inside.geom = ov.cover[ks]
    inside.category[:] = category
    inside.split[:] = True
    for r in inside.reasons:
        _add(r, reason)
        _add(r, "partly_approved")
    rest = pieces.take(rows[ks])
    rest.geom = repair(shapely.difference(pieces.geom[rows[ks]], ov.cover[ks]))[0]
    rest.split[:] = True
    for r in rest.reasons:
        _add(r, "partly_approved")
    keep = np.ones(len(pieces.candidate), dtype=bool)
    keep[rows[ks]] = False
    return _Pieces.concat([pieces.take(np.flatnonzero(keep)), inside, rest])


def _add(reasons: list, code: str) -> None:
    if code not in reasons:
        reasons.append(code)


# ---------------------------------------------------------------------------------------------- rules


def _facility_over(pieces: _Pieces, is_facility: np.ndarray, ov: _Overlay, ref: Reference | None,
                   tolerance: float) -> np.ndarray:
    """Facility pieces touching a filing whose filed area is exceeded by all facility pieces inside it.

    Greenhouses of one filing are often detected as several polygons, so the filed area is compared
    with their total, not with each one alone.
    """
    over = np.zeros(len(pieces.candidate), dtype=bool)
    if ref is None or not len(ov.piece):
        return over
    use = is_facility[ov.piece] & (ov.pair_m2 >= SLIVER_M2)
    used = np.bincount(ov.feature[use], weights=ov.pair_m2[use], minlength=len(ref.wkb))
    filed = ref.filed_m2
    exceeded = ~np.isnan(filed) & (used > filed * (1.0 + tolerance))
    over[np.unique(ov.piece[use & exceeded[ov.feature]])] = True
    return over


def _judge_open(pieces: _Pieces, kind: np.ndarray, has_boundary: bool, basic: np.ndarray, cov: dict,
                cover_share: float, min_split_m2: float, tolerance: float, refs: References) -> None:
    """Decide every piece still open after the lawful stages (in place)."""
    area = shapely.area(pieces.geom)
    on_basic = basic >= BASIC_MIN_M2
    k = kind[pieces.candidate]
    fac = cov["facility"]
    outside = area - fac.area
    is_fac = k == "facility"
    filed = is_fac & _significant(fac.area, area, cover_share, min_split_m2)
    within = filed & (outside < min_split_m2) & (outside < fac.area)
    over = _facility_over(pieces, is_fac, fac, refs.facility, tolerance)
    expired = _significant(cov["expired"].area, area, cover_share, min_split_m2)
    inside_boundary = _covers(cov["boundary"].area, area, cover_share)
    for i in np.flatnonzero(pieces.category == ""):
        reasons = pieces.reasons[i]
        cat = _rule(k[i], bool(on_basic[i]), bool(within[i] and not over[i]), bool(filed[i]), bool(expired[i]),
                    has_boundary, bool(inside_boundary[i]), reasons)
        pieces.category[i] = cat


def _rule(kind: str, on_basic: bool, within_filing: bool, filed: bool, expired: bool, has_boundary: bool,
          inside_boundary: bool, reasons: list) -> str:
    """Category of one open piece, appending the reason codes that decide it."""
    if kind == "facility":
        if within_filing and on_basic:
            _add(reasons, "facility_filed_on_basic")
            _add(reasons, "on_basic_farmland")
            return "verify"
        if within_filing:
            _add(reasons, "facility_within_filing")
            return "facility"
        _add(reasons, "facility_over_filing" if filed else "facility_no_filing")
        if on_basic:
            _add(reasons, "on_basic_farmland")
        return "suspect" if filed or on_basic else "verify"
    if kind == "nongrain":
        _add(reasons, "on_basic_farmland" if on_basic else "nongrain_off_basic")
        return "suspect" if on_basic else "verify"
    if kind == "abandoned":
        _add(reasons, "abandoned_farmland")
        if on_basic:
            _add(reasons, "on_basic_farmland")
        return "verify"
    if expired:
        _add(reasons, "temporary_expired")
        if on_basic:
            _add(reasons, "on_basic_farmland")
        return "suspect"
    if kind == "waterscape":
        _add(reasons, "waterscape_no_approval")
        if on_basic:
            _add(reasons, "on_basic_farmland")
        return "suspect" if on_basic else "verify"
    if kind != "nonagri":
        _add(reasons, "other_loss" if kind == "other" else "unknown_change")
        return "verify"
    _add(reasons, "no_approval")
    suspect = on_basic
    if on_basic:
        _add(reasons, "on_basic_farmland")
    if has_boundary and not inside_boundary:
        _add(reasons, "outside_boundary")
        suspect = True
    elif has_boundary:
        _add(reasons, "inside_boundary_no_approval")
    return "suspect" if suspect else "verify"


# ---------------------------------------------------------------------------------------------- API


def _check(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled()


def _basic_of_pieces(pieces: _Pieces, basic_m2: np.ndarray, cand_area: np.ndarray, refs: References,
                     today: str) -> np.ndarray:
    """永久基本农田 area per piece: the caller's value for whole candidates; measured or shared out by area
    for pieces of a split candidate."""
    basic = basic_m2[pieces.candidate].astype(float)
    rows = np.flatnonzero(pieces.split)
    if not len(rows):
        return basic
    if refs.basic is not None:
        basic[rows] = _layer(refs.basic, pieces.geom[rows], lambda r: r.started(today)).area
    else:
        cand = pieces.candidate[rows]
        share = np.divide(shapely.area(pieces.geom[rows]), cand_area[cand],
                          out=np.zeros(len(rows)), where=cand_area[cand] > 0)
        basic[rows] = basic_m2[cand] * share
    return basic


def _inputs(geoms: ArrayLike, kind: ArrayLike, to_dlbm: ArrayLike, basic_m2: ArrayLike) -> tuple:
    """Candidates as arrays of one length, geometries repaired; unknown kinds are refused."""
    geoms = repair(np.asarray(geoms, dtype=object))[0]
    n = len(geoms)
    kind = np.array([str(k) for k in kind], dtype=object) if n else np.zeros(0, dtype=object)
    to_dlbm = np.array(["" if v is None else str(v) for v in to_dlbm], dtype=object) if n else np.zeros(0, object)
    basic_m2 = np.nan_to_num(np.asarray(basic_m2, dtype=float))
    if not (len(kind) == len(to_dlbm) == len(basic_m2) == n):
        raise ValueError("geoms, kind, to_dlbm and basic_m2 must have the same length")
    bad = sorted(set(kind) - set(KINDS))
    if bad:
        raise ValueError(f"unknown kind(s): {bad}; expected one of {KINDS}")
    return geoms, kind, to_dlbm, basic_m2


def prejudge(geoms: ArrayLike, kind: ArrayLike, to_dlbm: ArrayLike, basic_m2: ArrayLike, refs: References,
             today: str, min_split_m2: float = 100.0, cover_share: float = 0.95, facility_tolerance: float = 0.1,
             cancelled: Callable[[], bool] | None = None, repeats: ArrayLike | None = None) -> Judgement:
    """Pre-judge change candidates against the reference layers (rules in the module docstring).

    ``geoms`` are candidate polygons (EPSG:4522 metres), ``kind`` one of :data:`KINDS`, ``to_dlbm`` the new
    class, ``basic_m2`` the 永久基本农田 area of each candidate and ``repeats`` (optional) the number of
    earlier cases on the same parcels. ``today`` is the ISO date the approvals are checked against.
    A true ``cancelled()`` raises :class:`Cancelled` between stages.
    """
    today = iso_date(today)
    if not today:
        raise ValueError("today is required: approvals are judged as of that date")
    geoms, kind, to_dlbm, basic_m2 = _inputs(geoms, kind, to_dlbm, basic_m2)
    n = len(geoms)
    cand_area = shapely.area(geoms)
    cand_area = np.where(np.isnan(cand_area), 0.0, cand_area)
    pieces = _Pieces(np.arange(n), geoms.copy(), np.full(n, "", dtype=object), [[] for _ in range(n)],
                     np.zeros(n, dtype=bool))
    missing = shapely.is_missing(geoms)
    pieces.category[missing] = "verify"
    for i in np.flatnonzero(missing):
        pieces.reasons[i].append("unknown_change")
    built = np.isin(kind, BUILT_KINDS) | np.isin(to_dlbm, TEMPORARY_CODES)
    _check(cancelled)
    pieces = _legal_stage(pieces, built[pieces.candidate], refs.approved, lambda r: r.started(today),
                          "approved", "inside_approval", cover_share, min_split_m2)
    _check(cancelled)
    pieces = _legal_stage(pieces, built[pieces.candidate], refs.temporary,
                          lambda r: r.started(today) & ~r.expired(today), "temporary", "temporary_in_term",
                          cover_share, min_split_m2)
    _check(cancelled)
    pieces = pieces.take(np.lexsort((~np.isin(pieces.category, LAWFUL), pieces.candidate)))  # lawful piece first
    cov = _coverages(pieces.geom, refs, today)
    _check(cancelled)
    basic = _basic_of_pieces(pieces, basic_m2, cand_area, refs, today)
    _judge_open(pieces, kind, refs.boundary is not None, basic, cov, cover_share, min_split_m2,
                facility_tolerance, refs)
    return _judgement(pieces, cov, basic, refs, repeats)


def _coverages(geoms: np.ndarray, refs: References, today: str) -> dict:
    """Every overlay the final pieces report, keyed by the column it feeds."""
    return {
        "approved": _layer(refs.approved, geoms, lambda r: r.started(today)),
        "facility": _layer(refs.facility, geoms, lambda r: r.started(today)),
        "temporary": _layer(refs.temporary, geoms, lambda r: r.started(today) & ~r.expired(today)),
        "expired": _layer(refs.temporary, geoms, lambda r: r.started(today) & r.expired(today)),
        "started_temporary": _layer(refs.temporary, geoms, lambda r: r.started(today)),
        "boundary": _layer(refs.boundary, geoms, lambda r: np.ones(len(r.wkb), dtype=bool)),
    }


def _judgement(pieces: _Pieces, cov: dict, basic: np.ndarray, refs: References,
               repeats: ArrayLike | None) -> Judgement:
    """Assemble the output table: areas, supporting documents and priority per piece."""
    n = len(pieces.candidate)
    area = shapely.area(pieces.geom)
    area = np.where(np.isnan(area), 0.0, area)
    sources = {"approved": ("approved", refs.approved), "facility": ("facility", refs.facility),
               "temporary": ("temporary", refs.temporary)}
    docs = np.full(n, "", dtype=object)
    listed = {key: _docs(cov[key], ref, n) for key, ref in sources.values()}
    expired = _docs(cov["expired"], refs.temporary, n)
    for i in range(n):
        cat, reasons = pieces.category[i], pieces.reasons[i]
        found: list = []
        if cat in sources:
            found = listed[sources[cat][0]][i]
        elif "facility_over_filing" in reasons or "facility_filed_on_basic" in reasons:
            found = listed["facility"][i]
        elif "temporary_expired" in reasons:
            found = expired[i]
        docs[i] = DOC_SEP.join(found)
    reps = np.zeros(n) if repeats is None else np.asarray(repeats, dtype=float)[pieces.candidate]
    tier = np.isin(pieces.category, LAWFUL).astype(int)
    priority = _rank(tier, np.where(basic >= BASIC_MIN_M2, basic, 0.0), area, reps)
    return Judgement(candidate=pieces.candidate.astype(int), geom=pieces.geom, category=pieces.category.astype(str),
                     reasons=pieces.reasons, approved_m2=cov["approved"].area, facility_m2=cov["facility"].area,
                     temporary_m2=cov["started_temporary"].area, boundary_m2=cov["boundary"].area, basic_m2=basic,
                     area_m2=area, docs=docs.astype(str), priority=priority)


def _rank(tier: ArrayLike, basic_m2: ArrayLike, area_m2: ArrayLike, repeats: ArrayLike) -> np.ndarray:
    """Rank 1..n: lower tier first, then 永农 involved, more 永农, larger area, more repeats, input order."""
    n = len(area_m2)
    basic_m2 = np.nan_to_num(np.asarray(basic_m2, dtype=float))
    keys = (np.arange(n), -np.asarray(repeats, dtype=float), -np.nan_to_num(np.asarray(area_m2, dtype=float)),
            -basic_m2, -(basic_m2 > 0).astype(int), np.asarray(tier))
    order = np.lexsort(keys)
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(1, n + 1)
    return rank


def priority_order(basic_m2: ArrayLike, area_m2: ArrayLike, repeats: ArrayLike) -> np.ndarray:
    """Rank (1 = most urgent) for the field check: any 永久基本农田 before none, then more of it, then larger
    area, then more repeated offences on the same parcels, ties by input order."""
    basic_m2 = np.asarray(basic_m2, dtype=float)
    if not (len(basic_m2) == len(area_m2) == len(repeats)):
        raise ValueError("basic_m2, area_m2 and repeats must have the same length")
    return _rank(np.zeros(len(basic_m2), dtype=int), basic_m2, area_m2, repeats)


def assign_cells(geoms: ArrayLike, cell_wkb: ArrayLike, cell_codes: ArrayLike) -> np.ndarray:
    """The 社 grid cell of each candidate: the cell holding its representative point, else the cell it
    overlaps most, else ''. A point on a shared edge goes to the lowest-numbered cell, for repeatability."""
    geoms = np.asarray(geoms, dtype=object)
    cells = _parse(cell_wkb)
    codes = np.asarray(cell_codes, dtype=object)
    out = np.full(len(geoms), "", dtype=object)
    present = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_empty(geoms))
    if not len(present) or not len(cells):
        return out.astype(str)
    tree = shapely.STRtree(cells)
    points = shapely.point_on_surface(geoms[present])
    a, b = tree.query(points, predicate="intersects")
    first = np.full(len(present), len(cells))
    np.minimum.at(first, a, b)  # the lowest cell index wins on a shared edge
    first[first == len(cells)] = -1
    rest = np.flatnonzero(first < 0)
    if len(rest):
        a, b = tree.query(geoms[present[rest]], predicate="intersects")
        if len(a):
            m2 = shapely.area(shapely.intersection(geoms[present[rest[a]]], cells[b]))
            order = np.lexsort((b, -m2, a))  # per candidate: largest overlap first
            a, b = a[order], b[order]
            head = np.r_[True, a[1:] != a[:-1]]
            first[rest[a[head]]] = b[head]
    found = first >= 0
    out[present[found]] = codes[first[found]]
    return out.astype(str)


def affected_codes(geoms: ArrayLike, parcel_wkb: ArrayLike, parcel_codes: ArrayLike,
                   min_overlap_m2: float = 1.0) -> list[list[str]]:
    """Sorted space codes of the coded parcels each candidate overlaps by at least ``min_overlap_m2`` (码上发现).

    Parcels without a code are skipped: only a coded parcel has a board to report against.
    """
    geoms = np.asarray(geoms, dtype=object)
    parcels = _parse(parcel_wkb)
    codes = np.array(["" if c is None else str(c) for c in parcel_codes], dtype=object)
    out: list = [[] for _ in range(len(geoms))]
    present = np.flatnonzero(~shapely.is_missing(geoms))
    coded = np.flatnonzero((codes != "") & ~shapely.is_missing(parcels)) if len(parcels) else np.zeros(0, int)
    if not len(present) or not len(coded):
        return out
    tree = shapely.STRtree(parcels[coded])
    a, b = tree.query(geoms[present], predicate="intersects")
    m2 = shapely.area(shapely.intersection(geoms[present[a]], parcels[coded[b]]))
    for i, j in zip(a[m2 >= min_overlap_m2], b[m2 >= min_overlap_m2]):
        out[present[i]].append(codes[coded[j]])
    return [sorted(set(c)) for c in out]


def _parse(wkb: ArrayLike) -> np.ndarray:
    """Shapely geometries from WKB (or geometries passed through), repaired, None where missing."""
    arr = np.asarray(wkb, dtype=object)
    if not len(arr):
        return np.zeros(0, dtype=object)
    is_geom = np.array([isinstance(w, shapely.Geometry) for w in arr], dtype=bool)
    out = np.full(len(arr), None, dtype=object)
    out[is_geom] = arr[is_geom]
    raw = ~is_geom & np.array([w is not None for w in arr], dtype=bool)
    if raw.any():
        out[raw] = shapely.from_wkb(arr[raw])
    return repair(out)[0]
