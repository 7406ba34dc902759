"""The coding kernel's 永久基本农田 area of each piece: whole inside, cut where a piece reaches in, and nothing for a
piece that only shares an edge with a basic-farmland polygon (or overlaps it by less than the digitising tolerance)."""
from __future__ import annotations

import numpy as np
import shapely

from linxia_tianguan_plugin.core.coding.chunk import _basic_area
from linxia_tianguan_plugin.core.coding.pieces import WITHIN_TOLERANCE


def _area(pieces, basic, land, land_of, within):
    return _basic_area(np.array(pieces, dtype=object), np.array(basic, dtype=object), np.array(land, dtype=object),
                       np.asarray(land_of, dtype=np.int64), np.asarray(within, dtype=bool))


def test_inside_beside_and_across():
    land = [shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)]
    basic = [shapely.box(0, 0, 100, 100)]  # drawn on the first 图斑's lines
    pieces = [shapely.box(0, 0, 50, 100),  # in the basic 图斑
              shapely.box(100, 0, 150, 100),  # beside it: shares the edge x = 100
              shapely.box(150, 0, 200, 100),  # away from it
              shapely.box(60, 0, 140, 50)]  # across: 40 × 50 inside
    got = _area(pieces, basic, land, [0, 1, 1, 0], [True, True, True, False])
    np.testing.assert_allclose(got, [5000.0, 0.0, 0.0, 2000.0])


def test_overlap_below_the_tolerance_counts_nothing_and_above_it_counts():
    land = [shapely.box(100, 0, 200, 100)]
    basic = [shapely.box(0, 0, 100, 100)]
    hair = shapely.box(100 - WITHIN_TOLERANCE / 2, 0, 150, 100)  # digitised a hair into the basic polygon
    metre = shapely.box(99, 0, 150, 100)
    got = _area([hair, metre], basic, land, [0, 0], [False, False])
    np.testing.assert_allclose(got, [0.0, 100.0])


def test_the_same_as_overlaying_every_piece_on_random_fields():
    """Random fields cut into pieces; basic farmland on some of the fields and across others: every piece gets the
    area of its overlay with the basic polygons (the brute-force answer), up to floating-point noise."""
    rng = np.random.default_rng(3)
    land, pieces, land_of = [], [], []
    for i in range(40):
        x, y = (i % 8) * 100.0, (i // 8) * 100.0
        land.append(shapely.box(x, y, x + 100, y + 100))
        cut = rng.uniform(20, 80)
        pieces += [shapely.box(x, y, x + cut, y + 100), shapely.box(x + cut, y, x + 100, y + 100)]
        land_of += [i, i]
    basic = [land[i] for i in range(0, 40, 3)] + [shapely.box(30, 130, 470, 170)]
    got = _area(pieces, basic, land, land_of, [True] * len(pieces))
    geoms = np.array(pieces, dtype=object)
    union = shapely.union_all(np.array(basic, dtype=object))
    expected = shapely.area(shapely.intersection(geoms, union))
    np.testing.assert_allclose(got, expected, atol=1e-6)
