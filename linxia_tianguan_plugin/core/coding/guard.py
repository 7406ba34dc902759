"""The guard of the county's codes: a coding run that would retire much of what the store holds stops first.

Why: a space code is printed as a QR code on warning posts and named by every case. A wrong input — the DLTB of
one township, of another county, coordinates under a wrong CRS label — matches nothing and would retire the
codes of every parcel it does not cover; the next right run then issues all of them anew and every label and case
goes stale. Retirement is legitimate in small numbers (a parcel split, merged or no longer farmland), so a run may
retire at most ``max_share`` of the codes it re-codes (the active codes of the townships in its inputs) and must
keep at least one of them, unless the analyst explicitly says the county's survey is being replaced.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

#: the default share of the re-coded codes a run may retire (5 %)
DEFAULT_MAX_SHARE = 0.05


@dataclass(frozen=True)
class Verdict:
    """What a run would do to the codes of its townships, and whether the guard lets it."""

    previous: int  #: active codes of the run's townships before the run
    kept: int
    retired: int
    max_share: float
    replacing: bool  #: the analyst said the county's survey is being replaced

    @property
    def share(self) -> float:
        return self.retired / self.previous if self.previous else 0.0

    @property
    def allowed(self) -> bool:
        if self.replacing or self.previous == 0:
            return True
        return self.kept > 0 and self.share <= self.max_share


def in_scope(codes: Sequence[str] | np.ndarray, keys: Iterable[str]) -> int:
    """How many of ``codes`` start with one of the township ``keys`` (the run's scope), vectorised."""
    codes = np.asarray(codes, dtype=str)
    if codes.size == 0:
        return 0
    keys = [str(k) for k in keys if k]
    hit = np.zeros(codes.shape, dtype=bool)
    for width in sorted({len(k) for k in keys}):
        hit |= np.isin(codes.astype(f"U{width}"), [k for k in keys if len(k) == width])
    return int(hit.sum())


def judge(previous: int, kept: int, retired: int, max_share: float = DEFAULT_MAX_SHARE,
          replacing: bool = False) -> Verdict:
    """The guard's verdict on a run (``max_share`` as a fraction, 0.05 = 5 %)."""
    if not 0.0 <= max_share <= 1.0:
        raise ValueError(f"max_share must be between 0 and 1, not {max_share}")
    return Verdict(int(previous), int(kept), int(retired), float(max_share), bool(replacing))


@dataclass(frozen=True)
class Place:
    """Where a run's inputs are against the store's codes, decided before anything is coded: a DLTB of another
    county, or coordinates far from the store's parcels (another zone, a wrong CRS), is refused at once rather
    than left to the retirement count (which sees only the townships of the run)."""

    store_counties: tuple[str, ...]  #: the counties (6 digits) of the store's active codes
    run_counties: tuple[str, ...]  #: the counties of the run's townships
    overlap: float  #: share of the inputs' box inside the store codes' box (1.0: inside, 0.0: apart)

    @property
    def other_county(self) -> bool:
        return bool(self.store_counties) and not set(self.run_counties) & set(self.store_counties)

    @property
    def elsewhere(self) -> bool:
        """The inputs' box does not touch the store's (a mislabelled CRS moves them kilometres away)."""
        return bool(self.store_counties) and self.overlap == 0.0


def _box(bounds: np.ndarray) -> tuple[float, float, float, float] | None:
    b = np.asarray(bounds, dtype=float).reshape(-1, 4)
    b = b[np.isfinite(b).all(axis=1)]
    if not len(b):
        return None
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


def place(store_codes: Sequence[str] | np.ndarray, store_bounds: np.ndarray, run_keys: Iterable[str],
          run_bounds: np.ndarray) -> Place:
    """The run (township ``run_keys``, features' boxes ``run_bounds``) against the store's active codes and their
    boxes, in one CRS."""
    counties = tuple(sorted({str(c)[:6] for c in np.asarray(store_codes, dtype=str) if len(str(c)) >= 6}))
    run_counties = tuple(sorted({str(k)[:6] for k in run_keys if k}))
    a, b = _box(store_bounds), _box(run_bounds)
    overlap = 1.0
    if a is not None and b is not None:
        w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
        h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
        area = max((b[2] - b[0]) * (b[3] - b[1]), 1e-9)
        touching = a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]
        overlap = min(1.0, w * h / area) if touching else 0.0
        if touching and overlap == 0.0:
            overlap = 1e-9  # boxes that touch along an edge are neighbours, not elsewhere
    return Place(counties, run_counties, overlap)
