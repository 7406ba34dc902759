"""core.geometry.grow_mitre: the coding kernel's 0.1 mm growth without GEOS's buffer — always valid, always
containing the input properly, and giving the contains_properly answers of GEOS's mitre buffer."""
from __future__ import annotations

import numpy as np
import shapely
from shapely import affinity

from linxia_tianguan_plugin.core.geometry import grow_mitre

D = 1e-4


def _buffer(geoms):
    return shapely.buffer(geoms, D, quad_segs=1, join_style="mitre")


def _shapes() -> np.ndarray:
    rng = np.random.default_rng(7)
    shapes = []
    for _ in range(300):  # star-shaped fields: concave and convex corners at random angles
        cx, cy = rng.uniform(0, 5000, 2)
        n = int(rng.integers(3, 40))
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        radii = rng.uniform(5, 60, n)
        star = shapely.Polygon(np.c_[cx + radii * np.cos(angles), cy + radii * np.sin(angles)])
        if star.is_valid:  # the kernel grows repaired geometry only
            shapes.append(star)
    ring = shapely.Polygon([(0, 0), (100, 0), (100, 100), (0, 100)], [[(20, 20), (20, 80), (80, 80), (80, 20)]])
    clockwise = shapely.Polygon([(0, 0), (0, 50), (50, 50), (50, 0)])  # shell given clockwise
    hole_ccw = shapely.Polygon([(0, 0), (100, 0), (100, 100), (0, 100)], [[(20, 20), (80, 20), (80, 80), (20, 80)]])
    two = shapely.MultiPolygon([shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10)])
    touching = shapely.MultiPolygon([shapely.box(0, 0, 10, 10), shapely.box(10, 10, 20, 20)])  # parts meet at a corner
    spike = shapely.Polygon([(0, 0), (100, 0), (100, 0.0001), (50, 10), (0, 10)])  # a corner far sharper than 5 mitres
    tiny_edge = shapely.Polygon([(0, 0), (10, 0), (10, 10), (10.00005, 10.00005), (0, 10)])  # an edge below 2 d
    return np.array(shapes + [ring, clockwise, hole_ccw, two, touching, spike, tiny_edge], dtype=object)


def test_grown_polygons_are_valid_contain_the_input_and_move_every_edge_by_the_distance():
    shapes = _shapes()
    grown = grow_mitre(shapes, D)
    assert shapely.is_valid(grown).all()
    assert shapely.contains_properly(grown, shapes).all()
    # the same shape as GEOS's mitre buffer, up to floating-point noise
    reference = _buffer(shapes)
    assert np.allclose(shapely.area(grown), shapely.area(reference), rtol=0, atol=1e-8)
    assert (shapely.hausdorff_distance(grown, reference) <= 1e-7).all()


def test_contains_properly_answers_are_those_of_geos_mitre_buffer():
    """Parcels cut from a field share its edges (the case the growth exists for); some cross into the next field by
    a hair, some by a metre: the grown field contains exactly the same ones as GEOS's buffer of it."""
    fields = _shapes()[:-7]
    parcels = []
    for f in fields:
        x0, y0, x1, y1 = f.bounds
        half = shapely.intersection(f, shapely.box(x0, y0, (x0 + x1) / 2, y1))
        parcels += [half, affinity.translate(half, D / 10, 0), affinity.translate(half, 1.0, 0), f]
    parcels = shapely.get_parts(np.array(parcels, dtype=object))
    tree = shapely.STRtree(parcels)
    ours = set(zip(*map(list, tree.query(grow_mitre(fields, D), predicate="contains_properly"))))
    theirs = set(zip(*map(list, tree.query(_buffer(fields), predicate="contains_properly"))))
    assert ours == theirs and len(ours) > len(fields)


def test_what_cannot_be_offset_is_buffered_by_geos_and_nothing_is_lost():
    empty = shapely.from_wkt("POLYGON EMPTY")
    line = shapely.LineString([(0, 0), (1, 1)])
    hollow = shapely.from_wkt("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), EMPTY)")
    geoms = np.array([None, empty, line, shapely.box(0, 0, 1, 1), hollow], dtype=object)
    grown = grow_mitre(geoms, D)
    assert grown[0] is None
    assert shapely.is_empty(grown[1])
    assert grown[2].geom_type == "Polygon" and grown[2].equals(_buffer(line))
    assert shapely.contains_properly(grown[3], geoms[3])
    assert shapely.is_valid(grown[4]) and shapely.contains_properly(grown[4], shapely.box(0.1, 0.01, 0.9, 0.05))
    assert len(grow_mitre(np.array([], dtype=object), D)) == 0


def test_ordinary_fields_are_offset_without_geos_buffer(monkeypatch):
    from linxia_tianguan_plugin.core import geos

    rng = np.random.default_rng(3)
    fields = []
    for _ in range(200):  # rotated rectangles and L-shaped fields, some with a hole: the corners of real fields
        x, y, w, h = *rng.uniform(0, 5000, 2), *rng.uniform(20, 200, 2)
        field = shapely.Polygon([(x, y), (x + w, y), (x + w, y + h / 2), (x + w / 2, y + h / 2), (x + w / 2, y + h),
                                 (x, y + h)], [[(x + 5, y + 5), (x + 10, y + 5), (x + 10, y + 10), (x + 5, y + 10)]])
        fields.append(affinity.rotate(field, float(rng.uniform(0, 90)), origin=(x, y)))
    fields = np.array(fields, dtype=object)

    def refused(*args, **kwargs):
        raise AssertionError("GEOS buffer called")

    monkeypatch.setattr(geos, "buffer", refused)
    grown = grow_mitre(fields, D)
    assert shapely.contains_properly(grown, fields).all()


def test_shrunk_polygons_are_valid_lie_properly_inside_and_match_geos_inward_buffer():
    """A negative distance shrinks (the coding kernel's 永农 test: pieces reaching into a polygon shrunk by the
    digitising tolerance); whatever the per-vertex offset cannot do goes to GEOS's inward buffer."""
    shapes = _shapes()
    shrunk = grow_mitre(shapes, -D)
    assert shapely.is_valid(shrunk).all()
    assert shapely.contains_properly(shapes, shrunk).all()
    reference = shapely.buffer(shapes, -D, quad_segs=1, join_style="mitre")
    assert np.allclose(shapely.area(shrunk), shapely.area(reference), rtol=0, atol=1e-8)
    assert (shapely.hausdorff_distance(shrunk, reference) <= 1e-7).all()
