"""Tests for the Hilbert curve index and ordering (linxia_tianguan_plugin.core.coding.hilbert)."""

from __future__ import annotations

import numpy as np
import pytest

from linxia_tianguan_plugin.core.coding.hilbert import MAX_ORDER, hilbert_index, hilbert_order

ORDER_1 = [(0, 0), (0, 1), (1, 1), (1, 0)]
ORDER_2 = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 2), (0, 3), (1, 3), (1, 2),
           (2, 2), (2, 3), (3, 3), (3, 2), (3, 1), (2, 1), (2, 0), (3, 0)]


def xy2d_reference(n: int, x: int, y: int) -> int:
    """Textbook scalar xy2d (Wikipedia, 'Hilbert curve'), with the rotation over the full grid n."""
    d = 0
    s = n // 2
    while s > 0:
        rx = 1 if x & s else 0
        ry = 1 if y & s else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x, y = n - 1 - x, n - 1 - y
            x, y = y, x
        s //= 2
    return d


def full_grid(order: int) -> tuple[np.ndarray, np.ndarray]:
    n = 1 << order
    ix, iy = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    return ix.ravel(), iy.ravel()


def curve(order: int) -> list[tuple[int, int]]:
    ix, iy = full_grid(order)
    sequence = np.argsort(hilbert_index(ix, iy, order))
    return list(zip(ix[sequence].tolist(), iy[sequence].tolist()))


def test_order_1_and_2_match_textbook_sequence() -> None:
    assert curve(1) == ORDER_1
    assert curve(2) == ORDER_2


@pytest.mark.parametrize("order", range(1, 8))
def test_bijection_on_full_grid(order: int) -> None:
    ix, iy = full_grid(order)
    d = hilbert_index(ix, iy, order)
    assert d.dtype == np.uint64
    assert np.array_equal(np.sort(d), np.arange(4**order, dtype=np.uint64))


@pytest.mark.parametrize("order", range(1, 8))
def test_consecutive_indices_are_unit_steps(order: int) -> None:
    cells = np.array(curve(order))
    steps = np.abs(np.diff(cells, axis=0)).sum(axis=1)
    assert (steps == 1).all()
    assert tuple(cells[0]) == (0, 0) and tuple(cells[-1]) == ((1 << order) - 1, 0)


@pytest.mark.parametrize("order", [1, 3, 5, 16, 24, MAX_ORDER])
def test_vectorised_equals_scalar_reference(order: int) -> None:
    rng = np.random.default_rng(order)
    n = 1 << order
    ix = rng.integers(0, n, size=2000, dtype=np.int64)
    iy = rng.integers(0, n, size=2000, dtype=np.int64)
    expected = [xy2d_reference(n, int(x), int(y)) for x, y in zip(ix, iy)]
    assert hilbert_index(ix, iy, order).tolist() == expected


def test_extreme_cells_at_max_order() -> None:
    top = (1 << MAX_ORDER) - 1
    d = hilbert_index(np.array([0, top, 0, top]), np.array([0, 0, top, top]), MAX_ORDER)
    assert d[0] == 0 and d[1] == np.uint64(4**MAX_ORDER - 1)
    assert d.max() < np.uint64(1 << 62)


def test_accepts_unsigned_input_and_broadcasts() -> None:
    ix = np.arange(4, dtype=np.uint32)
    assert hilbert_index(ix, np.uint8(0), 2).tolist() == [0, 1, 14, 15]
    assert hilbert_index(np.zeros((2, 3), dtype=int), 0, 4).shape == (2, 3)


def test_order_zero_is_a_single_cell() -> None:
    assert hilbert_index(np.array([0, 0]), np.array([0, 0]), 0).tolist() == [0, 0]


def test_empty_input() -> None:
    empty = np.array([], dtype=np.int64)
    assert hilbert_index(empty, empty, 8).shape == (0,)


@pytest.mark.parametrize("order", [-1, 32, 2.0, True])
def test_rejects_bad_order(order: object) -> None:
    with pytest.raises(ValueError):
        hilbert_index(np.array([0]), np.array([0]), order)  # type: ignore[arg-type]


@pytest.mark.parametrize("ix, iy", [([4], [0]), ([0], [-1]), ([0, 1], [2, 9])])
def test_rejects_cells_outside_grid(ix: list[int], iy: list[int]) -> None:
    with pytest.raises(ValueError):
        hilbert_index(np.array(ix), np.array(iy), 2)


def test_rejects_float_cells() -> None:
    with pytest.raises(TypeError):
        hilbert_index(np.array([0.0]), np.array([1]), 2)


# ---- hilbert_order ----------------------------------------------------------------------------------

def test_order_of_cell_centres_follows_curve() -> None:
    ix, iy = full_grid(3)
    rng = np.random.default_rng(1)
    shuffle = rng.permutation(ix.size)
    x, y = ix[shuffle] + 0.5, iy[shuffle] + 0.5
    sequence = hilbert_order(x, y, bounds=(0, 0, 8, 8), order=3)
    walked = np.column_stack([x[sequence], y[sequence]]) - 0.5
    assert [tuple(p) for p in walked.astype(int).tolist()] == curve(3)


def test_is_a_permutation_matching_index_sort() -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(500_000, 510_000, 5000)
    y = rng.uniform(3_940_000, 3_943_000, 5000)
    sequence = hilbert_order(x, y, order=10)
    assert sorted(sequence.tolist()) == list(range(5000))
    side = x.max() - x.min()  # the wider extent: the frame is square
    ix = np.minimum(np.floor((x - x.min()) / side * 1024), 1023).astype(np.int64)
    iy = np.minimum(np.floor((y - y.min()) / side * 1024), 1023).astype(np.int64)
    d = hilbert_index(ix, iy, 10)
    assert (np.diff(d[sequence].astype(np.int64)) >= 0).all()
    assert iy.max() < 1024 * 3000 / 10_000 + 1  # y was not stretched to the full frame


def test_ties_broken_by_x_then_y_then_input_position() -> None:
    # With order 1 and a frame of side 10, all of these points lie in cell (0, 0).
    x = np.array([2.0, 1.0, 2.0, 1.0, 1.0])
    y = np.array([1.0, 3.0, 0.0, 3.0, 2.0])
    sequence = hilbert_order(x, y, bounds=(0, 0, 10, 10), order=1)
    assert sequence.tolist() == [4, 1, 3, 2, 0]


@pytest.mark.parametrize("order", [2, 5, 16])
def test_tie_breaking_equals_full_lexsort(order: int) -> None:
    rng = np.random.default_rng(order)
    x = rng.integers(0, 40, 20_000).astype(float)  # a coarse lattice: many duplicates and shared cells
    y = rng.integers(0, 25, 20_000).astype(float)
    side = 39.0
    ix = np.minimum(np.floor(x / side * (1 << order)), (1 << order) - 1).astype(np.int64)
    iy = np.minimum(np.floor(y / side * (1 << order)), (1 << order) - 1).astype(np.int64)
    expected = np.lexsort((y, x, hilbert_index(ix, iy, order)))
    assert np.array_equal(hilbert_order(x, y, order=order), expected)


def test_deterministic() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.integers(0, 50, 1000).astype(float), rng.integers(0, 50, 1000).astype(float)
    assert np.array_equal(hilbert_order(x, y, order=3), hilbert_order(x.copy(), y.copy(), order=3))


def test_single_point() -> None:
    assert hilbert_order(np.array([103.2]), np.array([35.6])).tolist() == [0]


def test_all_identical_points_keep_input_order() -> None:
    assert hilbert_order(np.full(7, 5.0), np.full(7, -2.0)).tolist() == list(range(7))


def test_collinear_points() -> None:
    x = np.array([3.0, 0.0, 2.0, 1.0])
    assert hilbert_order(x, np.zeros(4), order=4).tolist() == [1, 3, 2, 0]


def test_empty() -> None:
    sequence = hilbert_order(np.array([]), np.array([]))
    assert sequence.shape == (0,) and sequence.dtype == np.intp


def test_points_outside_bounds_are_clamped() -> None:
    x = np.array([-100.0, 0.5, 1.5, 100.0])
    y = np.array([-100.0, 0.5, 0.5, -100.0])
    # order 1 on (0, 0, 2, 2): cells (0,0) -> 0 and (1,0) -> 3; outside points clamp to those cells.
    assert hilbert_order(x, y, bounds=(0, 0, 2, 2), order=1).tolist() == [0, 1, 2, 3]


def test_point_on_max_edge_goes_to_last_cell() -> None:
    sequence = hilbert_order(np.array([2.0, 0.0]), np.array([0.0, 0.0]), bounds=(0, 0, 2, 2), order=1)
    assert sequence.tolist() == [1, 0]


@pytest.mark.parametrize("bounds", [(0, 0, -1, 1), (0, 1, 1, 0), (0, 0, np.nan, 1), (0, 0, np.inf, 1)])
def test_rejects_bad_bounds(bounds: tuple[float, float, float, float]) -> None:
    with pytest.raises(ValueError):
        hilbert_order(np.array([0.0]), np.array([0.0]), bounds=bounds)


def test_rejects_nan_and_mismatched_lengths() -> None:
    with pytest.raises(ValueError):
        hilbert_order(np.array([0.0, np.nan]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError):
        hilbert_order(np.array([0.0, 1.0]), np.array([0.0]))
