"""Layer.hits cuts each township's neighbours out of the county's layers: for a small layer exactly the features
whose box meets a query box (against a tree of the layer's boxes built once), for a big one a superset from a grid."""
from __future__ import annotations

import numpy as np

from linxia_tianguan_plugin.core.coding.layers import Layer, bbox_hits


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


def test_big_layers_never_miss():
    layer = _layer(60_000, 3)
    query = np.array([[5000.0, 5000.0, 5400.0, 5300.0], [12_000.0, 100.0, 12_010.0, 110.0]])
    assert set(_brute(layer.bounds, query)) <= set(layer.hits(query).tolist())
