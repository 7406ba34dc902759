"""Layer.hits cuts each township's neighbours out of the county's layers: exactly the features whose box meets a
query box, from a grid of the layer's boxes built once — for small and big layers, with boxes of any size."""
from __future__ import annotations

import numpy as np

from linxia_tianguan_plugin.core.coding.layers import GridIndex, Layer, bbox_hits


def _layer(n: int, seed: int) -> Layer:
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 20_000, n), rng.uniform(0, 20_000, n)
    w, h = rng.uniform(1, 80, n), rng.uniform(1, 80, n)
    bounds = np.c_[x, y, x + w, y + h]
    bounds[::97] = np.nan  # features without a measured box are never hit
    return Layer("t", np.arange(n), np.full(n, None, dtype=object), bounds, np.zeros(n), {})


def _brute(bounds: np.ndarray, query: np.ndarray) -> np.ndarray:
    meets = ((bounds[:, None, 0] <= query[None, :, 2]) & (bounds[:, None, 2] >= query[None, :, 0])
             & (bounds[:, None, 1] <= query[None, :, 3]) & (bounds[:, None, 3] >= query[None, :, 1]))
    return np.flatnonzero(meets.any(axis=1))


def test_small_layers_answer_exactly_and_the_same_on_every_call():
    layer = _layer(6000, 1)
    rng = np.random.default_rng(2)
    for _ in range(5):  # several townships cut from the same layer (the tree is built on the first)
        x, y = rng.uniform(0, 18_000, 2)
        qx, qy = x + rng.uniform(0, 2000, 300), y + rng.uniform(0, 2000, 300)
        query = np.c_[qx, qy, qx + 30, qy + 30]
        got = layer.hits(query)
        np.testing.assert_array_equal(got, _brute(layer.bounds, query))
        np.testing.assert_array_equal(got, bbox_hits(layer.bounds, query))
    assert layer.hits(np.zeros((0, 4))).size == 0


def test_big_layers_answer_exactly():
    layer = _layer(60_000, 3)
    query = np.array([[5000.0, 5000.0, 5400.0, 5300.0], [12_000.0, 100.0, 12_010.0, 110.0],
                      [-50.0, -50.0, 10.0, 25_000.0]])  # (a long strip along the edge, partly outside the grid)
    np.testing.assert_array_equal(layer.hits(query), _brute(layer.bounds, query))


def test_wide_boxes_and_wide_queries():
    """A county-wide polygon among small parcels is kept out of the cells but still found; a query as big as the
    county finds every measured feature; touching edges meet."""
    layer = _layer(20_000, 4)
    layer.bounds[5] = [-100.0, -100.0, 30_000.0, 30_000.0]
    grid = GridIndex(layer.bounds)
    assert 5 in grid.wide.tolist()
    rng = np.random.default_rng(5)
    qx, qy = rng.uniform(0, 19_000, 200), rng.uniform(0, 19_000, 200)
    query = np.c_[qx, qy, qx + rng.uniform(0, 900, 200), qy + rng.uniform(0, 900, 200)]
    rows, found = grid.exact_pairs(query)
    np.testing.assert_array_equal(np.unique(found), _brute(layer.bounds, query))
    for row in (0, 17, 199):  # each pair names the query box it meets (a pair may repeat)
        np.testing.assert_array_equal(np.unique(found[rows == row]), _brute(layer.bounds, query[row:row + 1]))
    np.testing.assert_array_equal(grid.meeting(query), [len(_brute(layer.bounds, query[i:i + 1])) > 0
                                                        for i in range(len(query))])
    everything = np.array([[-1e6, -1e6, 1e6, 1e6]])
    np.testing.assert_array_equal(np.unique(grid.exact_pairs(everything)[1]),
                                  np.flatnonzero(np.isfinite(layer.bounds[:, 0])))
    x0, y0, x1, y1 = layer.bounds[7]
    assert 7 in grid.exact_pairs(np.array([[x1, y1, x1 + 5, y1 + 5]]))[1].tolist()  # corner to corner
    assert grid.meeting(np.array([[np.nan, 0, 1, 1], [x1, y1, x1, y1]])).tolist() == [False, True]


def test_empty_and_unmeasured_layers():
    assert GridIndex(np.zeros((0, 4))).exact_pairs(np.array([[0.0, 0, 1, 1]]))[1].size == 0
    assert not GridIndex(np.full((3, 4), np.nan)).meeting(np.array([[0.0, 0, 1, 1]])).any()
    one = GridIndex(np.array([[0.0, 0, 0, 0]]))  # a point-sized box
    assert one.exact_pairs(np.array([[0.0, 0, 1, 1]]))[1].tolist() == [0]
    assert Layer("e", np.zeros(0), np.zeros(0, dtype=object), np.zeros((0, 4)), np.zeros(0), {}).hits(
        np.array([[0.0, 0, 1, 1]])).size == 0
