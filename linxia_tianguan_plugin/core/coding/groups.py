"""Which group (社) a farmland parcel belongs to.

Contract parcels say it themselves: FBFBM (发包方编码, 14 digits) or the first 14 digits of DKBM.
Farmland without a contract parcel gets it from the survey: the owning group in QSDWDM, the group in
ZLDWDM, else the group of the nearest contract parcel in the same village, else "00" (the village
itself as 发包方, the contract-data convention for village-level land).
"""
from __future__ import annotations

import numpy as np
import shapely


def _digits(value: str, n: int) -> bool:
    return len(value) >= n and value[:n].isdigit()


def parcel_group(dkbm: str, fbfbm: str) -> str:
    """Group code of a contract parcel, or '' when neither code is usable."""
    if len(fbfbm) == 14 and fbfbm.isdigit():
        return fbfbm
    if len(dkbm) == 19 and dkbm.isdigit():
        return dkbm[:14]
    return ""


def parcel_groups(dkbm: np.ndarray, fbfbm: np.ndarray) -> np.ndarray:
    """Vectorised :func:`parcel_group` (2.5 million parcels in a prefecture): text (``U14``), or ASCII bytes
    (``S14``) when both codes come as bytes (see readers.read_layer)."""
    f, d = np.asarray(fbfbm), np.asarray(dkbm)
    kind = "S" if f.dtype.kind == d.dtype.kind == "S" else "U"
    if kind == "U":
        f, d = np.asarray(f, dtype=str), np.asarray(d, dtype=str)
    f_ok = (np.char.str_len(f) == 14) & np.char.isdigit(f)
    d_ok = (np.char.str_len(d) == 19) & np.char.isdigit(d)
    blank = np.zeros((), dtype=f"{kind}1")
    return np.where(f_ok, f.astype(f"{kind}14"), np.where(d_ok, d.astype(f"{kind}14"), blank)).astype(f"{kind}14")


def village_of(zldwdm: str) -> str:
    """12-digit village code from a 三调 坐落单位代码, or '' when it does not carry one."""
    return zldwdm[:12] if _digits(zldwdm, 12) else ""


def survey_group(village: str, qsdwdm: str, zldwdm: str) -> str:
    """Group from the survey codes of a 图斑, or '' when they only name the village."""
    for code in (qsdwdm, zldwdm):
        if _digits(code, 14) and code[:12] == village and code[12:14] != "00":
            return code[:14]
    return ""


def nearest_groups(
    points: np.ndarray,
    villages: np.ndarray,
    ref_geoms: np.ndarray,
    ref_groups: np.ndarray,
) -> np.ndarray:
    """For each point, the group of the nearest reference parcel of the same village ('' if none)."""
    out = np.full(len(points), "", dtype="U14")
    if len(points) == 0 or len(ref_geoms) == 0:
        return out
    ref_villages = np.array([g[:12] for g in ref_groups], dtype="U12")
    for village in np.unique(villages):
        rows = np.flatnonzero(villages == village)
        refs = np.flatnonzero(ref_villages == village)
        if len(refs) == 0:
            continue
        tree = shapely.STRtree(ref_geoms[refs])
        src, hit = tree.query_nearest(points[rows], all_matches=True)
        # ties: take the lowest group code so that the result does not depend on tree order
        best: dict[int, str] = {}
        for s, h in zip(src.tolist(), hit.tolist()):
            g = ref_groups[refs[h]]
            if s not in best or g < best[s]:
                best[s] = g
        for s, g in best.items():
            out[rows[s]] = g
    return out
