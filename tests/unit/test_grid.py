"""Group (社) cells: a village divided among its groups by a Voronoi allocation of their parcels."""
import numpy as np
import shapely

from linxia_tianguan_plugin.core.grid.build import NO_GROUP, group_cells


def test_groups_tile_their_village_and_hold_their_own_points():
    rng = np.random.default_rng(5)
    village = shapely.Polygon([(0, 0), (1000, 0), (1200, 600), (500, 1100), (-100, 700)])
    pts = shapely.points(rng.uniform(0, 1000, (300, 2)))
    pts = pts[shapely.contains(village, pts)]
    x = shapely.get_x(pts)
    groups = np.where(x < 300, "62292110000101", np.where(x < 700, "62292110000102", "62292110000103"))
    cells = group_cells(village, "622921100001", pts, groups)
    assert sorted(g for g, _ in cells) == sorted(set(groups))
    geoms = np.array([c for _, c in cells], dtype=object)
    assert abs(shapely.area(geoms).sum() - village.area) < 1e-3  # no overlap, no gap
    assert shapely.area(shapely.symmetric_difference(shapely.union_all(geoms), village)) < 1e-3
    for g, cell in cells:
        mine = pts[groups == g]
        assert shapely.covers(cell, mine).all()


def test_a_village_without_groups_is_one_cell():
    village = shapely.box(0, 0, 10, 10)
    assert group_cells(village, "622921100001", np.zeros(0, dtype=object), np.zeros(0, dtype=str)) == [
        ("622921100001" + NO_GROUP, village)]
    pts = shapely.points([(1, 1), (5, 5)])
    (code, cell), = group_cells(village, "622921100001", pts, np.array(["62292110000104"] * 2))
    assert code == "62292110000104" and cell.equals(village)


def test_points_on_the_same_spot_do_not_break_the_diagram():
    village = shapely.box(0, 0, 100, 100)
    pts = shapely.points([(10, 10), (10, 10), (90, 90), (50, 20)])
    cells = group_cells(village, "622921100001", pts, np.array(["62292110000101", "62292110000102",
                                                                "62292110000102", "62292110000103"]))
    assert abs(sum(c.area for _, c in cells) - village.area) < 1e-6
