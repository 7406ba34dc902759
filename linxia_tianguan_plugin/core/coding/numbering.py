"""Sequence numbers within a group (社): Hilbert order, never reusing a number once issued."""
from __future__ import annotations

import numpy as np

from .hilbert import hilbert_index
from .space_code import CONTRACT_SEQ_RANGE, UNASSIGNED_SEQ_RANGE


class NumberingError(ValueError):
    """A group ran out of sequence numbers."""

    def __init__(self, group_code: str, kind: str, limit: int):
        super().__init__(f"group {group_code}: {kind} sequence numbers exhausted (>{limit})")
        self.group_code, self.kind, self.limit = group_code, kind, limit


def next_numbers(
    group_codes: np.ndarray,
    unassigned: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    used_max: dict[str, tuple[int, int]],
    order: int = 16,
) -> np.ndarray:
    """Number new parcels group by group along a Hilbert curve over their representative points.

    ``used_max[group] = (highest contract number, highest unassigned number)`` ever issued in the
    group (active or retired), so retired numbers are never handed out again. Neighbouring parcels
    on the ground get close numbers, which is what makes a code readable to the officer walking it.
    Each group (and range) gets its own square Hilbert frame over its points; all groups of a
    township are numbered in one vectorised pass.
    """
    n = len(group_codes)
    seqs = np.zeros(n, dtype=np.int64)
    if n == 0:
        return seqs
    keys = np.char.add(np.asarray(group_codes, dtype="U14"), np.where(unassigned, "U", "C"))
    uniq, inv = np.unique(keys, return_inverse=True)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    # per-key square frames (anchored at the south-west corner, like hilbert.hilbert_order)
    x0 = np.full(len(uniq), np.inf)
    y0 = np.full(len(uniq), np.inf)
    x1 = np.full(len(uniq), -np.inf)
    y1 = np.full(len(uniq), -np.inf)
    np.minimum.at(x0, inv, x)
    np.minimum.at(y0, inv, y)
    np.maximum.at(x1, inv, x)
    np.maximum.at(y1, inv, y)
    side = np.maximum(x1 - x0, y1 - y0)[inv]
    cells = 1 << order
    with np.errstate(divide="ignore", invalid="ignore"):
        fx = np.where(side > 0, (x - x0[inv]) / side, 0.0)
        fy = np.where(side > 0, (y - y0[inv]) / side, 0.0)
    ix = np.clip(np.floor(fx * cells), 0, cells - 1).astype(np.int64)
    iy = np.clip(np.floor(fy * cells), 0, cells - 1).astype(np.int64)
    h = hilbert_index(ix, iy, order)
    ranked = np.lexsort((np.arange(n), y, x, h, inv))  # by key, then along the curve, ties by x, y
    starts = np.searchsorted(inv[ranked], np.arange(len(uniq)))
    rank = np.arange(n) - starts[inv[ranked]]
    base = np.empty(len(uniq), dtype=np.int64)
    counts = np.bincount(inv, minlength=len(uniq))
    for k, key in enumerate(uniq):
        group, is_free = key[:14], key[14] == "U"
        low, high = UNASSIGNED_SEQ_RANGE if is_free else CONTRACT_SEQ_RANGE
        base[k] = max(used_max.get(group, (0, 0))[1 if is_free else 0] + 1, low)
        if base[k] + counts[k] - 1 > high:
            raise NumberingError(group, "unassigned" if is_free else "contract", high)
    seqs[ranked] = base[inv[ranked]] + rank
    return seqs


def used_maxima(codes: np.ndarray) -> dict[str, tuple[int, int]]:
    """Highest contract and unassigned numbers per group among existing 20-character codes."""
    out: dict[str, tuple[int, int]] = {}
    for code in codes:
        if not code or len(code) < 19 or not code[:19].isdigit():
            continue
        group, seq = code[:14], int(code[14:19])
        c, u = out.get(group, (0, 0))
        out[group] = (c, max(u, seq)) if seq >= UNASSIGNED_SEQ_RANGE[0] else (max(c, seq), u)
    return out


def merge_maxima(*tables: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for table in tables:
        for group, (c, u) in table.items():
            oc, ou = out.get(group, (0, 0))
            out[group] = (max(oc, c), max(ou, u))
    return out
