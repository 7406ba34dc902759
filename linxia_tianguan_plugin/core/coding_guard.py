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
