"""The geometry kernel of one-click coding: cut farmland into the parcels that get a space code.

The coded unit is the farmland parcel: every contract parcel clipped to 三调 耕地, plus every piece of
耕地 that no contract parcel covers. A county has ~300 000 contract parcels and nearly all of them lie
wholly inside one 耕地 图斑, so the kernel only overlays what needs it:

1. a prepared ``within`` test finds the parcels inside one farmland 图斑 — their piece is the parcel;
2. only the others are intersected with the farmland they touch;
3. per 图斑 the parcel areas are summed: where they add up to the 图斑's area the 图斑 is exactly
   covered and nothing more is computed; where they do not, the parts are unioned once, which tells
   overlapping contract parcels (resolved in favour of the lower DKBM) and uncovered farmland apart;
4. uncovered farmland is opened by ``min_width`` so that 田坎 strips and digitising slivers between
   parcels are not coded as parcels of their own; what remains and is at least ``min_area`` is coded.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from .. import geos
from ..geometry import group_union, grow_mitre, opening, polygonal, union


@dataclass(frozen=True)
class PieceOptions:
    #: farmland narrower than this (m) between parcels is 田坎 / sliver, not a parcel of its own
    min_width: float = 2.0
    #: uncovered farmland smaller than this (m²) is not coded on its own
    min_area: float = 30.0
    #: area sums within this (m²) count as an exact coverage
    tolerance: float = 0.05


@dataclass
class Parts:
    """Overlaps of contract parcels with farmland 图斑: one row per (parcel, 图斑)."""

    parcel: np.ndarray
    land: np.ndarray
    geom: np.ndarray  # part geometry; None where the parcel lies wholly within the 图斑
    area: np.ndarray

    def take(self, mask: np.ndarray) -> Parts:
        return Parts(self.parcel[mask], self.land[mask], self.geom[mask], self.area[mask])

    def extended(self, rows: list[tuple[int, int, object]]) -> Parts:
        """These parts plus (parcel, land, geometry) rows."""
        geoms = np.array([r[2] for r in rows], dtype=object)
        return Parts(np.concatenate([self.parcel, [r[0] for r in rows]]).astype(np.int64),
                     np.concatenate([self.land, [r[1] for r in rows]]).astype(np.int64),
                     np.concatenate([self.geom, geoms]), np.concatenate([self.area, shapely.area(geoms)]))


@dataclass
class PiecesResult:
    """What the kernel found for the parcels and 图斑 that a chunk owns."""

    #: contract pieces: parcel index, geometry, and the (land, area) parts that make them
    contract_parcel: np.ndarray
    contract_geom: np.ndarray
    parts: Parts
    #: farmland that no contract parcel covers: land index, geometry
    free_land: np.ndarray
    free_geom: np.ndarray
    #: per 图斑: uncovered farmland left uncoded (thin strips of at least ``min_area``)
    residue: dict[int, list] = field(default_factory=dict)
    #: (parcel kept, parcel trimmed, overlap m²) for contract parcels that overlap each other
    overlaps: list[tuple[int, int, float]] = field(default_factory=list)
    #: own parcels that yield no farmland piece, with the reason ('outside' / 'duplicate' / 'sliver')
    uncoded: dict[int, str] = field(default_factory=dict)
    #: own parcels whose piece lost slivers or was trimmed, with a short reason code
    flags: dict[int, set] = field(default_factory=dict)


#: Parcels are "within" a 图斑 when they lie inside it grown by 0.1 mm: the digitising tolerance
#: below which a parcel is not considered to cross into its neighbour.
WITHIN_TOLERANCE = 1e-4


def grown(geoms: np.ndarray, distance: float = WITHIN_TOLERANCE) -> np.ndarray:
    """``geoms`` grown by :data:`WITHIN_TOLERANCE` (shrunk by a negative ``distance``), for fast containment tests.

    A parcel cut from a 图斑 shares the 图斑's edges, and GEOS's prepared ``contains`` falls back to a
    full relate whenever boundaries touch. Against the grown 图斑 the same question becomes a
    ``contains_properly``, which GEOS answers from the prepared geometry alone (several times faster).
    The growing itself is a per-vertex offset (:func:`~..geometry.grow_mitre`), not GEOS's buffer.
    """
    return grow_mitre(geoms, distance)


def contract_parts(parcels: np.ndarray, land: np.ndarray, tree: shapely.STRtree) -> Parts:
    """Overlaps of every parcel with the farmland; intersections only where a parcel crosses a 图斑."""
    l_in, p_in = shapely.STRtree(parcels).query(grown(land), predicate="contains_properly")
    once = np.bincount(p_in, minlength=len(parcels)) == 1
    keep = once[p_in]
    p_in, l_in = p_in[keep], l_in[keep]
    inside = np.zeros(len(parcels), dtype=bool)
    inside[p_in] = True
    rest = np.flatnonzero(~inside)
    p_x, l_x = tree.query(parcels[rest], predicate="intersects")
    p_x = rest[p_x]
    inter = polygonal(geos.intersection(parcels[p_x], land[l_x]))
    area_x = shapely.area(inter)
    area_x[shapely.is_missing(inter)] = 0.0
    nonzero = area_x > 0
    return Parts(
        parcel=np.concatenate([p_in, p_x[nonzero]]).astype(np.int64),
        land=np.concatenate([l_in, l_x[nonzero]]).astype(np.int64),
        geom=np.concatenate([np.full(len(p_in), None, dtype=object), inter[nonzero]]),
        area=np.concatenate([shapely.area(parcels[p_in]), area_x[nonzero]]),
    )


def _drop_slivers(parts: Parts, opts: PieceOptions) -> np.ndarray:
    """Mask of minor parts narrower than ``min_width``: a parcel grazing a neighbouring 图斑.

    A parcel's largest part is never dropped, so a parcel that is a narrow strip itself still gets
    its code; only the digitising overshoot into the next 图斑 goes.
    """
    order = np.lexsort((-parts.area, parts.parcel))
    largest = np.zeros(len(parts.area), dtype=bool)
    largest[order[np.unique(parts.parcel[order], return_index=True)[1]]] = True
    candidates = np.flatnonzero(~largest & ~shapely.is_missing(parts.geom))
    drop = np.zeros(len(parts.area), dtype=bool)
    if len(candidates):
        core = opening(parts.geom[candidates], opts.min_width / 2.0)
        drop[candidates] = shapely.is_empty(core) | (shapely.area(core) <= opts.tolerance)
    return drop


def _resolve_overlaps(geoms: np.ndarray, keys: np.ndarray, parcel: np.ndarray, tol: float):
    """Trim overlapping parts within one 图斑 so each m² belongs to the parcel with the lower key."""
    order = np.argsort(keys, kind="stable")
    out = geoms.copy()
    overlaps = []
    taken = []
    for k in order:
        g = out[k]
        for j in taken:
            if out[j] is None or g is None or not shapely.intersects(g, out[j]):
                continue
            inter = shapely.area(geos.intersection(g, out[j]))
            if inter > tol:
                g = polygonal(np.array([geos.difference(g, out[j])], dtype=object))[0]
                overlaps.append((int(parcel[j]), int(parcel[k]), float(inter)))
        out[k] = None if g is None or shapely.area(g) <= tol else g
        taken.append(k)
    return out, overlaps


def farmland_pieces(
    parcels: np.ndarray,
    parcel_key: np.ndarray,
    parcel_own: np.ndarray,
    land: np.ndarray,
    land_own: np.ndarray,
    opts: PieceOptions = PieceOptions(),
) -> PiecesResult:
    """Cut the chunk's farmland into coded units.

    ``parcels``/``land`` hold the chunk's own features plus every neighbour that can touch them, so
    that decisions about a shared 图斑 come out the same in every chunk that sees it.
    """
    tree = shapely.STRtree(land)
    parts = contract_parts(parcels, land, tree)
    whole = shapely.is_missing(parts.geom)
    part_geom = parts.geom.copy()
    part_geom[whole] = parcels[parts.parcel[whole]]

    drop = _drop_slivers(parts, opts)
    flags: dict[int, set] = {}
    for p in np.unique(parts.parcel[drop]):
        flags.setdefault(int(p), set()).add("sliver")
    keep = ~drop
    parts, part_geom = parts.take(keep), part_geom[keep]

    land_area = shapely.area(land)
    covered = np.bincount(parts.land, parts.area, minlength=len(land))
    touched = np.zeros(len(land), dtype=bool)
    touched[parts.land[parcel_own[parts.parcel]]] = True
    need = touched | land_own
    suspicious = need & (np.abs(land_area - covered) > opts.tolerance) & (covered > 0)

    overlaps: list[tuple[int, int, float]] = []
    unions: dict[int, object] = {}
    sel = np.flatnonzero(suspicious[parts.land])
    if len(sel):
        ids, merged = group_union(part_geom[sel], parts.land[sel])
        for x, u in zip(ids, merged):
            unions[int(x)] = u
            if covered[x] - shapely.area(u) > opts.tolerance:
                rows = sel[parts.land[sel] == x]
                new, found = _resolve_overlaps(part_geom[rows], parcel_key[parts.parcel[rows]],
                                               parts.parcel[rows], opts.tolerance)
                overlaps.extend(found)
                part_geom[rows] = new
                gone = shapely.is_missing(new)
                parts.area[rows] = np.where(gone, 0.0, shapely.area(new))
                parts.geom[rows] = new
    live = parts.area > 0
    parts, part_geom = parts.take(live), part_geom[live]

    own_rows = parcel_own[parts.parcel]
    lands_per_parcel = np.unique(np.stack([parts.parcel[own_rows], parts.land[own_rows]]), axis=1)[0]
    crossing = np.bincount(lands_per_parcel, minlength=len(parcels)) > 1
    free_land, free_geom, extra, leftover = _free_farmland(land, land_area, need, land_own, parts, part_geom,
                                                           parcel_key, unions, opts)
    if extra:
        parts = parts.extended(extra)
        part_geom = np.concatenate([part_geom, parts.geom[-len(extra):]])

    # contract pieces of own parcels
    own_rows = parcel_own[parts.parcel]
    ids, pieces = group_union(part_geom[own_rows], parts.parcel[own_rows])
    pieces = polygonal(pieces)
    ok = ~shapely.is_missing(pieces)
    ids, pieces = ids[ok], pieces[ok]
    own_parts = parts.take(own_rows & np.isin(parts.parcel, ids))
    uncoded = {}
    present = set(ids.tolist())
    overlapped = {t for _, t, _ in overlaps}
    for p in np.flatnonzero(parcel_own).tolist():
        if p not in present:
            uncoded[p] = "duplicate" if p in overlapped else ("sliver" if p in flags else "outside")
    for _, t, _ in overlaps:
        if parcel_own[t] and t in present:
            flags.setdefault(t, set()).add("trimmed")
    for p in np.flatnonzero(crossing).tolist():
        flags.setdefault(p, set()).add("crossing")
    for p, _, _ in extra:
        if parcel_own[p]:
            flags.setdefault(p, set()).add("sliver_merged")
    return PiecesResult(ids, pieces, own_parts, free_land, free_geom, leftover, overlaps, uncoded, flags)


def _shared_edge(piece_boundary, candidates: np.ndarray) -> np.ndarray:
    return shapely.length(geos.intersection(piece_boundary, candidates))


def _carve(remnant_parts: np.ndarray, opts: PieceOptions) -> tuple[list, list[tuple[object, bool]]]:
    """Split a 图斑's uncovered parts into pieces coded on their own and leftovers.

    Returns (coded pieces, [(leftover, is_strip)]): a strip is narrower than ``min_width`` everywhere
    and at least ``min_area`` large — a 田坎 network, not a sliver to glue onto a neighbour. Only parts
    of at least ``min_area`` can hold a coded piece, so only those pay for the opening.
    """
    half = opts.min_width / 2.0
    areas = shapely.area(remnant_parts)
    mine: list = []
    rest: list[tuple[object, bool]] = [(g, False) for g in remnant_parts[(areas < opts.min_area)
                                                                         & (areas > opts.tolerance)]]
    big = remnant_parts[areas >= opts.min_area]
    for part, core in zip(big, opening(big, half) if len(big) else []):
        cores = [g for g in geos.get_parts(core) if shapely.get_type_id(g) == 3 and g.area >= opts.min_area]
        if not cores:
            rest.append((part, bool(shapely.is_empty(core) or shapely.area(core) <= opts.tolerance)))
            continue
        mine.extend(cores)
        if sum(g.area for g in cores) >= part.area - opts.tolerance:
            continue  # the opening kept the whole part: nothing left over
        left = polygonal(np.array([geos.difference(part, geos.union_all(cores))], dtype=object))[0]
        for g in (geos.get_parts(left) if left is not None else []):
            if g.area <= opts.tolerance:
                continue
            thin = g.area >= opts.min_area and shapely.is_empty(opening(np.array([g], dtype=object), half)[0])
            rest.append((g, bool(thin)))
    return mine, rest


def _free_farmland(land, land_area, need, land_own, parts: Parts, part_geom, parcel_key, unions: dict,
                   opts: PieceOptions):
    """Farmland no contract parcel covers: coded pieces, and small leftovers merged into a neighbour.

    The remnant of each 图斑 is opened by ``min_width``; what stays and is at least ``min_area`` is
    coded on its own (own 图斑 only). Every other leftover (slivers, small corners) joins the piece in
    the same 图斑 with which it shares the longest edge — QGIS's "eliminate selected polygons" rule —
    so that farmland is coded without gaps; only strips that are both narrower than ``min_width``
    everywhere and at least ``min_area`` large (田坎 networks between parcels) stay uncoded. Every
    chunk that sees a 图斑 makes the same decision.
    Returns (free land index, free geometry, extra contract parts, leftover {land: [geometries]}).
    """
    covered = np.bincount(parts.land, parts.area, minlength=len(land))
    free_land: list[int] = []
    free_geom: list[object] = []
    extra: list[tuple[int, int, object]] = []
    leftover: dict[int, list] = {}
    for x in np.flatnonzero(need).tolist():
        if covered[x] <= 0:
            if land_own[x]:
                for g in geos.get_parts(land[x]):
                    free_land.append(x)
                    free_geom.append(g)
            continue
        if land_area[x] - covered[x] <= opts.tolerance:
            continue
        covering = unions.get(x)
        if covering is None:
            covering = union(part_geom[parts.land == x])
        remnant = polygonal(np.array([geos.difference(land[x], covering)], dtype=object))[0]
        if remnant is None:
            continue
        mine, rest = _carve(geos.get_parts(remnant), opts)
        rows = np.flatnonzero(parts.land == x)
        neighbours = np.concatenate([part_geom[rows], np.asarray(mine, dtype=object)]).astype(object)
        owners = [("p", int(parts.parcel[r])) for r in rows] + [("f", k) for k in range(len(mine))]
        order = [float(parcel_key[o[1]]) if o[0] == "p" else -1.0 - o[1] for o in owners]
        for piece, strip in rest:
            shared = _shared_edge(shapely.boundary(piece), neighbours) if len(neighbours) else np.zeros(0)
            if strip or not len(shared) or shared.max() <= 0:
                leftover.setdefault(x, []).append(piece)
                continue
            best = max(range(len(shared)), key=lambda k: (shared[k], -order[k]))
            kind, who = owners[best]
            if kind == "p":
                extra.append((who, x, piece))
            else:
                merged = union(np.array([mine[who], piece], dtype=object))
                if merged is not None:
                    mine[who] = merged
                    neighbours[len(rows) + who] = merged
        if land_own[x]:
            free_land.extend([x] * len(mine))
            free_geom.extend(mine)
    return (np.asarray(free_land, dtype=np.int64), np.asarray(free_geom, dtype=object), extra, leftover)
