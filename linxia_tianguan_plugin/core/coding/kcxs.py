"""扣除系数 KCXS of the 三调 DLTB: the share of a farmland 图斑 taken by 田坎, read the same way everywhere.

The standard stores KCXS as a fraction (0.08 = 8 % 田坎), but county exports are met where it was written as a
percentage (8 for 8 %). Read as a fraction, 8 means "the 图斑 is all 田坎" (clipped to 1): coding would give
the parcels their full area and change detection a farmland loss of 0. The unit is a property of the layer,
not of one value (0.5 may be half a percent or half the 图斑), so it is decided once per layer: a layer with
any value above 1 and at most 100 is in percent, and all its values are divided by 100 (a value above 100
is wrong in either unit and does not decide). Coding (:mod:`.one_click`) and
change detection (:class:`..cases.change_detection.LandUse`) both call :func:`kcxs_fractions`, and both say
so once, in words, when they convert.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Kcxs:
    """Fractions (NaN where the layer has no value), whether the layer was in percent, and its largest raw
    value (for the message)."""

    fractions: np.ndarray
    percent: bool
    largest: float


def _floats(values) -> np.ndarray:
    """Floats, NaN for None and for text that is no number (a shapefile's blank numeric field)."""
    try:
        return np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        out = []
        for v in values:
            try:
                out.append(float(v))
            except (TypeError, ValueError):
                out.append(np.nan)
        return np.array(out, dtype=float)


def kcxs_fractions(values) -> Kcxs:
    """KCXS values of one layer as fractions: divided by 100 when any value is in (1, 100] (a percentage layer).

    Values above 100 (or negative) stay out of range either way; callers clip or ignore them as before.
    """
    raw = _floats([] if values is None else values)
    inside = raw[np.isfinite(raw) & (raw > 1.0) & (raw <= 100.0)]
    percent = bool(len(inside))
    largest = float(inside.max()) if percent else float("nan")
    return Kcxs(raw / 100.0 if percent else raw, percent, largest)


__all__ = ["Kcxs", "kcxs_fractions"]
