"""Hilbert space-filling-curve index, used to number parcels so that ground neighbours get close numbers.

A Hilbert curve visits every cell of a 2**order x 2**order grid moving only between edge-adjacent cells,
so sorting parcels by the index of their representative point gives sequence numbers that wander
through a village instead of jumping row by row (as a plain x/y sort would). Patrol staff walking
parcel 00123 find 00124 next door.

Orientation is the textbook one (Wikipedia "Hilbert curve", ``xy2d``): the curve starts in cell (0, 0)
and ends in cell (2**order - 1, 0). Order 1 visits (0,0) (0,1) (1,1) (1,0).
"""

from __future__ import annotations

import numpy as np

__all__ = ["MAX_ORDER", "hilbert_index", "hilbert_order"]

MAX_ORDER = 31  # 2 * 31 = 62 bits: the index always fits a uint64 with room to spare.


def _check_order(order: int) -> None:
    if not isinstance(order, (int, np.integer)) or isinstance(order, bool) or not 0 <= order <= MAX_ORDER:
        raise ValueError(f"order must be an integer in 0..{MAX_ORDER}, got {order!r}")


def _as_cells(values: np.ndarray, order: int, name: str) -> np.ndarray:
    """Validate integer cell coordinates in [0, 2**order) and return them as uint64."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer array, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or int(arr.max()) >= 1 << order):
        raise ValueError(f"{name} must lie in [0, 2**{order}) = [0, {1 << order})")
    return arr.astype(np.uint64)


def hilbert_index(ix: np.ndarray, iy: np.ndarray, order: int) -> np.ndarray:
    """Hilbert index (uint64) of integer cells (ix, iy) on a 2**order grid; inputs broadcast.

    Vectorised form of the classic ``xy2d``: one pass per bit level, from the most significant bit
    down. At each level the quadrant contributes ``s*s * ((3*rx) ^ ry)`` and the remaining lower bits
    are rotated/reflected into that quadrant's frame.
    """
    _check_order(order)
    x, y = np.broadcast_arrays(_as_cells(ix, order, "ix"), _as_cells(iy, order, "iy"))
    x, y = x.copy(), y.copy()
    d = np.zeros(x.shape, dtype=np.uint64)
    one = np.uint64(1)
    for bit in range(order - 1, -1, -1):
        shift, mask = np.uint64(bit), np.uint64((1 << bit) - 1)
        rx = (x >> shift) & one
        ry = (y >> shift) & one
        d += np.uint64(1 << (2 * bit)) * ((np.uint64(3) * rx) ^ ry)
        x &= mask
        y &= mask
        not_ry = ry ^ one
        flip = rx * not_ry * mask  # reflect (x -> mask - x, same as x ^ mask) in quadrant rx=1, ry=0
        x ^= flip
        y ^= flip
        swap = (x ^ y) * not_ry  # transpose in both lower quadrants (ry=0), via an xor swap
        x ^= swap
        y ^= swap
    return d


def _square_frame(
    x: np.ndarray, y: np.ndarray, bounds: tuple[float, float, float, float] | None
) -> tuple[float, float, float]:
    """(xmin, ymin, side) of the square frame anchored at the bounds' south-west corner.

    The frame is square so that a Hilbert cell is square on the ground: stretching a long, thin
    village into a square would make the curve's notion of "near" anisotropic.
    """
    if bounds is None:
        xmin, ymin, xmax, ymax = float(x.min()), float(y.min()), float(x.max()), float(y.max())
    else:
        xmin, ymin, xmax, ymax = (float(v) for v in bounds)
        if not all(np.isfinite([xmin, ymin, xmax, ymax])) or xmax < xmin or ymax < ymin:
            raise ValueError(f"bounds must be finite (xmin, ymin, xmax, ymax) with min <= max, got {bounds}")
    return xmin, ymin, max(xmax - xmin, ymax - ymin)


def _to_cells(values: np.ndarray, origin: float, side: float, order: int) -> np.ndarray:
    """Scale floats into integer cells of the frame; points outside the frame clamp to its edge cells."""
    n = 1 << order
    if side <= 0:
        return np.zeros(values.shape, dtype=np.int64)
    cells = np.floor((values - origin) / side * n)
    return np.clip(cells, 0, n - 1).astype(np.int64)


def hilbert_order(
    x: np.ndarray,
    y: np.ndarray,
    bounds: tuple[float, float, float, float] | None = None,
    order: int = 16,
) -> np.ndarray:
    """Indices that sort the points (x, y) along a Hilbert curve (like ``np.argsort``).

    ``bounds`` is ``(xmin, ymin, xmax, ymax)`` (default: the points' own bounds); it is widened to a
    square anchored at (xmin, ymin) and cut into a 2**order grid. Points outside ``bounds`` are clamped
    to the edge cells; points on the max edge fall into the last cell. Points sharing a cell are
    ordered by x, then y, then input position, so the result is deterministic for identical input.
    Coordinates should be projected (metres): in degrees a square frame is not square on the ground.
    """
    _check_order(order)
    xs = np.asarray(x, dtype=np.float64).ravel()
    ys = np.asarray(y, dtype=np.float64).ravel()
    if xs.shape != ys.shape:
        raise ValueError(f"x and y must have the same number of points, got {xs.size} and {ys.size}")
    if xs.size == 0:
        return np.empty(0, dtype=np.intp)
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise ValueError("x and y must be finite (NaN usually means an empty geometry upstream)")
    xmin, ymin, side = _square_frame(xs, ys, bounds)
    h = hilbert_index(_to_cells(xs, xmin, side, order), _to_cells(ys, ymin, side, order), order)
    return _break_ties(np.argsort(h, kind="stable"), h, xs, ys)


def _break_ties(sequence: np.ndarray, h: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Reorder runs of equal Hilbert index by x, then y (stable), touching only the tied points.

    Same result as ``np.lexsort((y, x, h))`` but several times faster when ties are rare, which is the
    usual case (2.5 million parcels on a 65536 x 65536 grid).
    """
    same = h[sequence[1:]] == h[sequence[:-1]]
    tied = np.zeros(sequence.size, dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    if tied.any():
        sub = sequence[tied]
        sequence[tied] = sub[np.lexsort((y[sub], x[sub], h[sub]))]
    return sequence
