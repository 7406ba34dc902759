"""Sequence numbers within a group (社): Hilbert order, never reusing a number once issued."""
from __future__ import annotations

import numpy as np

from .hilbert import hilbert_order
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
) -> np.ndarray:
    """Number new parcels group by group along a Hilbert curve over their representative points.

    ``used_max[group] = (highest contract number, highest unassigned number)`` ever issued in the
    group (active or retired), so retired numbers are never handed out again. Neighbouring parcels
    on the ground get close numbers, which is what makes a code readable to the officer walking it.
    """
    seqs = np.zeros(len(group_codes), dtype=np.int64)
    if len(group_codes) == 0:
        return seqs
    keys = np.char.add(np.asarray(group_codes, dtype="U14"), np.where(unassigned, "U", "C"))
    for key in np.unique(keys):
        rows = np.flatnonzero(keys == key)
        group, is_free = key[:14], key[14] == "U"
        last = used_max.get(group, (0, 0))[1 if is_free else 0]
        low, high = UNASSIGNED_SEQ_RANGE if is_free else CONTRACT_SEQ_RANGE
        start = max(last + 1, low)
        if start + len(rows) - 1 > high:
            raise NumberingError(group, "unassigned" if is_free else "contract", high)
        order = rows[hilbert_order(x[rows], y[rows])]
        seqs[order] = np.arange(start, start + len(rows))
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
