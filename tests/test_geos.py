"""core.geos: shapely's functions without shapely 2.1.0's per-call signature inspection, same answers."""
from __future__ import annotations

import inspect

import numpy as np
import pytest
import shapely

from linxia_tianguan_plugin.core import geos


def test_the_kernels_functions_skip_the_signature_inspection(monkeypatch):
    """shapely 2.1.0 builds ``inspect.signature`` on every call of these (shapely issue 2282); the kernels' copies
    must not: with the inspection broken they still work, and give shapely's answers."""
    square = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)])
    other = shapely.Polygon([(5, 5), (15, 5), (15, 15), (5, 15)])
    both = shapely.MultiPolygon([square, shapely.Polygon([(20, 20), (21, 20), (21, 21)])])
    expected = {
        "buffer": shapely.buffer(square, 1.0, quad_segs=1, join_style="mitre"),
        "intersection": shapely.intersection(square, other),
        "difference": shapely.difference(square, other),
        "union_all": shapely.union_all([square, other]),
        "parts": shapely.get_parts(both),
    }

    def broken(*args, **kwargs):
        raise AssertionError("inspect.signature called")

    monkeypatch.setattr(inspect, "signature", broken)
    assert geos.buffer(square, 1.0, quad_segs=1, join_style="mitre").equals(expected["buffer"])
    assert geos.intersection(square, other).equals(expected["intersection"])
    assert geos.difference(square, other).equals(expected["difference"])
    assert geos.union_all([square, other]).equals(expected["union_all"])
    parts = geos.get_parts(both)
    assert [p.wkt for p in parts] == [p.wkt for p in expected["parts"]]
    if "deprecate_positional" in getattr(getattr(shapely.buffer, "__code__", None), "co_qualname", ""):
        with pytest.raises(AssertionError, match="inspect.signature"):
            shapely.buffer(square, 1.0)  # the wrapped one does inspect: the copies above really skip it


def test_functions_without_the_wrapper_are_shapely_s_own():
    assert geos.unwrapped(shapely.area) is shapely.area
    assert geos.unwrapped(np.add) is np.add
    for name in geos.__all__[1:]:
        function = getattr(geos, name)
        assert "deprecate_positional" not in getattr(getattr(function, "__code__", None), "co_qualname", "")
