"""Boxes read straight from WKB must equal GEOS's, and anything not simple must be left to GEOS."""
import numpy as np
import pytest
import shapely

from linxia_tianguan_plugin.core.wkb import simple_polygon_bounds


def _random_polygons(n, seed):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        k = int(rng.integers(3, 40))
        angles = np.sort(rng.uniform(0, 2 * np.pi, k))
        radius = rng.uniform(5, 50, k)
        cx, cy = rng.uniform(34_500_000, 34_700_000), rng.uniform(3_900_000, 3_950_000)
        out.append(shapely.Polygon(np.column_stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)])))
    return out


def test_simple_polygons_and_one_part_multipolygons_match_geos():
    polys = _random_polygons(3000, 7)
    geoms = np.array([shapely.MultiPolygon([p]) if i % 3 else p for i, p in enumerate(polys)], dtype=object)
    wkb = shapely.to_wkb(geoms)  # every row lands on a different byte alignment
    bounds, simple = simple_polygon_bounds(wkb)
    assert simple.all()
    np.testing.assert_array_equal(bounds, shapely.bounds(geoms))


def test_everything_else_is_left_to_geos():
    square = shapely.box(0, 0, 10, 10)
    holed = shapely.Polygon(square.exterior.coords, [[(2, 2), (3, 2), (3, 3), (2, 2)]])
    two = shapely.MultiPolygon([square, shapely.box(20, 20, 30, 30)])
    z = shapely.Polygon([(0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 0, 1)])
    rows = [shapely.to_wkb(square), shapely.to_wkb(holed), shapely.to_wkb(two), shapely.to_wkb(z),
            shapely.to_wkb(square, byte_order=0), shapely.to_wkb(shapely.Point(1, 2)), None,
            shapely.to_wkb(shapely.Polygon()), shapely.to_wkb(square)[:-3], shapely.to_wkb(square) + b"\x00"]
    bounds, simple = simple_polygon_bounds(np.array(rows, dtype=object))
    assert simple.tolist() == [True, False, False, False, False, False, False, True, False, False]
    np.testing.assert_array_equal(bounds[0], [0, 0, 10, 10])
    assert np.isnan(bounds[1:]).all()


@pytest.mark.parametrize("n", [0, 1, 2])
def test_tiny_inputs(n):
    geoms = np.array(_random_polygons(n, 3), dtype=object)
    bounds, simple = simple_polygon_bounds(np.array(list(shapely.to_wkb(geoms)) if n else [], dtype=object))
    assert bounds.shape == (n, 4) and simple.all()
    if n:
        np.testing.assert_array_equal(bounds, shapely.bounds(geoms))
