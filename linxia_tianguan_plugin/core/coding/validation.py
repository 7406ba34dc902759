"""Checks of a coded parcel layer (校验空间码): codes, parts, location, overlaps, coverage, registry.

Each check returns findings that name the parcel (row index) and say what is wrong, so the analyst
can fix them on the map; nothing here changes data.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from ..geometry import opening, polygonal
from .space_code import SpaceCodeError, parse


@dataclass
class Finding:
    kind: str
    row: int | None = None  # row in the checked layer
    code: str = ""
    value: float | None = None
    other: str = ""
    geom: object = None


def check_codes(codes: np.ndarray) -> list[Finding]:
    """Malformed codes, wrong check characters, and codes used by more than one parcel."""
    out = []
    seen: dict[str, int] = {}
    for row, code in enumerate(codes):
        text = str(code or "").strip()
        try:
            parse(text)
        except SpaceCodeError as err:
            kind = "bad_check" if "check character" in str(err) else "malformed_code"
            out.append(Finding(kind, row, text, other=str(err)))
            continue
        if text in seen:
            out.append(Finding("duplicate_code", row, text, other=str(seen[text])))
        else:
            seen[text] = row
    return out


def check_parts(codes: np.ndarray, parts: dict[str, np.ndarray]) -> list[Finding]:
    """Code prefixes against the parcel's own part fields and its contract issuer (FBFBM)."""
    lengths = {"XDM": 6, "XZDM": 9, "CDM": 12, "ZDM": 14, "FBFBM": 14}
    out = []
    for name, values in parts.items():
        n = lengths[name]
        for row, (code, value) in enumerate(zip(codes, values)):
            value = str(value or "").strip()
            if value and len(str(code)) >= n and str(code)[:n] != value[:n]:
                kind = "group_differs_from_fbfbm" if name == "FBFBM" else "part_mismatch"
                out.append(Finding(kind, row, str(code), other=f"{name}={value}"))
    return out


def check_location(codes: np.ndarray, geoms: np.ndarray, villages: np.ndarray,
                   village_codes: np.ndarray) -> list[Finding]:
    """Parcels whose code names another village than the one their representative point lies in."""
    out = []
    if len(geoms) == 0 or len(villages) == 0:
        return out
    points = shapely.point_on_surface(geoms)
    tree = shapely.STRtree(villages)
    src, hit = tree.query(points, predicate="within")
    located = np.full(len(geoms), "", dtype=object)
    located[src] = [str(v)[:12] for v in village_codes[hit]]
    for row, (code, where) in enumerate(zip(codes, located)):
        code = str(code or "")
        if not where:
            out.append(Finding("outside_villages", row, code, geom=geoms[row]))
        elif code[:12] != where:
            out.append(Finding("village_mismatch", row, code, other=where, geom=geoms[row]))
    return out


def check_overlaps(codes: np.ndarray, geoms: np.ndarray, tolerance: float = 0.01) -> list[Finding]:
    """Coded parcels that overlap each other (the same ground coded twice).

    Parcels are shrunk by 1 cm first, so the far more numerous neighbours that only share an edge
    drop out before any overlay is computed.
    """
    if len(geoms) < 2:
        return []
    shrunk = shapely.buffer(geoms, -0.01, join_style="mitre")
    tree = shapely.STRtree(shrunk)
    a, b = tree.query(shrunk, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    inter = polygonal(shapely.intersection(geoms[a], geoms[b]))
    area = np.nan_to_num(shapely.area(inter))
    out = []
    for i, j, s, g in zip(a, b, area, inter):
        if s > tolerance:
            out.append(Finding("overlap", int(j), str(codes[j]), float(s), str(codes[i]), g))
    return out


def check_uncoded(geoms: np.ndarray, farmland: np.ndarray, min_width: float = 2.0,
                  min_area: float = 30.0) -> list[Finding]:
    """Farmland at least ``min_width`` wide and ``min_area`` large that no coded parcel covers.

    Covered area is summed per 图斑 first (parcels inside a 图斑 count whole, without overlay); only
    图斑 whose sum leaves a gap of ``min_area`` or more are differenced and opened.
    """
    out: list[Finding] = []
    if len(farmland) == 0:
        return out
    land_area = shapely.area(farmland)
    covered = np.zeros(len(farmland))
    lt = pt = np.zeros(0, dtype=np.int64)
    if len(geoms):
        tree = shapely.STRtree(geoms)
        lt, pt = tree.query(farmland, predicate="intersects")
        shapely.prepare(farmland)
        inside = shapely.contains(farmland[lt], geoms[pt])
        part = shapely.area(geoms[pt])
        rest = np.flatnonzero(~inside)
        part[rest] = shapely.area(shapely.intersection(farmland[lt[rest]], geoms[pt[rest]]))
        covered = np.bincount(lt, part, minlength=len(farmland))
    for x in np.flatnonzero(land_area - covered >= min_area):
        hits = pt[lt == x]
        union = shapely.union_all(geoms[hits]) if len(hits) else None
        gap = farmland[x] if union is None else shapely.difference(farmland[x], union)
        gap = polygonal(np.array([gap], dtype=object))[0]
        if gap is None:
            continue
        for piece in shapely.get_parts(opening(np.array([gap], dtype=object), min_width / 2.0)[0]):
            if piece.area >= min_area:
                out.append(Finding("uncoded_farmland", None, "", float(piece.area), str(int(x)), piece))
    return out


def check_registry(codes: np.ndarray, active: set[str], retired: set[str]) -> list[Finding]:
    """Codes not issued by the store, retired codes still in use, active codes missing from the layer."""
    out = []
    present = set()
    for row, code in enumerate(codes):
        code = str(code or "")
        present.add(code)
        if code in retired:
            out.append(Finding("retired_in_use", row, code))
        elif code not in active:
            out.append(Finding("not_registered", row, code))
    for code in sorted(active - present):
        out.append(Finding("missing_from_layer", None, code))
    return out
