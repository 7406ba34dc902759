"""The coding kernel: contract parcels clipped to farmland, overlaps, slivers and uncovered farmland."""
import numpy as np
import shapely

from linxia_tianguan_plugin.core.coding.pieces import PieceOptions, farmland_pieces
from linxia_tianguan_plugin.core.geometry import opening

OPTS = PieceOptions(min_width=2.0, min_area=30.0)


def box(x0, y0, x1, y1):
    return shapely.box(x0, y0, x1, y1)


def run(parcels, land, opts=OPTS, keys=None):
    parcels = np.array(parcels, dtype=object)
    land = np.array(land, dtype=object)
    keys = np.arange(len(parcels)) if keys is None else np.asarray(keys)
    return farmland_pieces(parcels, keys, np.ones(len(parcels), bool), land, np.ones(len(land), bool), opts)


def all_pieces(res):
    return np.concatenate([res.contract_geom, res.free_geom]).astype(object)


def assert_farmland_coded_once(res, land, width=2.0):
    """Pieces never overlap, stay inside farmland, and leave uncoded only strips narrower than width."""
    pieces = all_pieces(res)
    farmland = shapely.union_all(np.array(land, dtype=object))
    tree = shapely.STRtree(pieces)
    a, b = tree.query(pieces, predicate="intersects")
    keep = a < b
    overlap = shapely.area(shapely.intersection(pieces[a[keep]], pieces[b[keep]])).sum()
    assert overlap < 1e-6
    union = shapely.union_all(pieces)
    assert shapely.difference(union, farmland).area < 1e-6
    left = shapely.difference(farmland, union)
    assert opening(np.array([left], dtype=object), width / 2 - 1e-6)[0].area < 1e-6
    return left.area


def test_parcels_tiling_a_patch_are_their_own_pieces():
    land = [box(0, 0, 100, 50)]
    parcels = [box(0, 0, 40, 50), box(40, 0, 70, 50), box(70, 0, 100, 50)]
    res = run(parcels, land)
    assert list(res.contract_parcel) == [0, 1, 2]
    assert all(shapely.equals(g, p) for g, p in zip(res.contract_geom, parcels))
    assert len(res.free_geom) == 0 and not res.residue and not res.overlaps
    assert assert_farmland_coded_once(res, land) < 1e-6


def test_parcel_crossing_into_neighbour_keeps_both_parts_and_is_flagged():
    land = [box(0, 0, 100, 50), box(100, 0, 200, 50)]
    parcels = [box(0, 0, 90, 50), box(90, 0, 130, 50), box(130, 0, 200, 50)]
    res = run(parcels, land)
    crossing = dict(zip(res.contract_parcel.tolist(), res.contract_geom))[1]
    assert abs(crossing.area - 40 * 50) < 1e-6
    assert "crossing" in res.flags[1]
    rows = res.parts.parcel == 1
    assert sorted(res.parts.area[rows].round(6).tolist()) == [500.0, 1500.0]
    assert_farmland_coded_once(res, land)


def test_sliver_into_neighbouring_patch_is_dropped_not_coded():
    land = [box(0, 0, 100, 50), box(0, 50, 100, 60)]  # a thin 0102 strip above
    parcels = [box(0, 0, 50, 50.8), box(50, 0, 100, 50)]
    res = run(parcels, land)
    piece = dict(zip(res.contract_parcel.tolist(), res.contract_geom))[0]
    assert abs(piece.area - 2500) < 1e-6
    assert "sliver" in res.flags[0]
    # the strip has no contract parcel left in it, so it is coded whole as uncovered farmland
    assert len(res.free_geom) == 1 and abs(res.free_geom[0].area - 1000) < 1e-6
    assert_farmland_coded_once(res, land)


def test_overlapping_parcels_go_to_the_lower_key():
    land = [box(0, 0, 100, 50)]
    parcels = [box(0, 0, 60, 50), box(50, 0, 100, 50)]
    res = run(parcels, land, keys=[1, 0])  # parcel 1 has the lower DKBM
    pieces = dict(zip(res.contract_parcel.tolist(), res.contract_geom))
    assert abs(pieces[1].area - 2500) < 1e-6 and abs(pieces[0].area - 2500) < 1e-6
    assert res.overlaps == [(1, 0, 500.0)]
    assert "trimmed" in res.flags[0]
    assert_farmland_coded_once(res, land)


def test_duplicate_parcel_is_not_coded():
    land = [box(0, 0, 100, 50)]
    parcels = [box(0, 0, 50, 50), box(0, 0, 50, 50), box(50, 0, 100, 50)]
    res = run(parcels, land)
    assert res.uncoded == {1: "duplicate"}
    assert_farmland_coded_once(res, land)


def test_uncovered_block_is_coded_and_gaps_between_parcels_are_not():
    land = [box(0, 0, 100, 50)]
    # three parcels with 1 m gaps (田坎) cover x 0..62; x 62..100 is unassigned (机动地)
    parcels = [box(0, 0, 20, 50), box(21, 0, 41, 50), box(42, 0, 62, 50)]
    res = run(parcels, land)
    assert len(res.free_geom) == 1
    assert abs(res.free_geom[0].area - 38 * 50) < 1e-6
    # the two 1 m x 50 m strips are 田坎: thin, and too large to glue onto one neighbour
    assert abs(sum(g.area for g in res.residue[0]) - 2 * 50) < 1e-6
    assert abs(assert_farmland_coded_once(res, land) - 100) < 1e-6


def test_small_uncovered_rest_below_min_area_is_merged_into_its_neighbour():
    land = [box(0, 0, 100, 50)]
    parcels = [box(0, 0, 60, 49.8), box(60, 0, 100, 50)]  # leaves a 0.2 m x 60 m sliver = 12 m²
    res = run(parcels, land)
    assert len(res.free_geom) == 0 and not res.residue
    pieces = dict(zip(res.contract_parcel.tolist(), res.contract_geom))
    assert abs(pieces[0].area - 3000) < 1e-6 and "sliver_merged" in res.flags[0]
    assert assert_farmland_coded_once(res, land) < 1e-6
    parcels = [box(0, 0, 100, 49.5)]  # a 0.5 m x 100 m strip = 50 m²: thin, but not a sliver to glue on
    res = run(parcels, land)
    assert len(res.free_geom) == 0 and abs(sum(g.area for g in res.residue[0]) - 50) < 1e-6
    parcels = [box(0, 0, 95, 50)]  # leaves a 5 x 50 block = 250 m² → coded
    res = run(parcels, land)
    assert len(res.free_geom) == 1


def test_patch_without_parcels_is_coded_whole_however_small():
    land = [box(0, 0, 100, 50), box(200, 0, 201, 10)]  # second patch: 10 m², 1 m wide
    res = run([box(0, 0, 100, 50)], land)
    assert [g.area for g in res.free_geom] == [10.0]


def test_parcel_outside_farmland_is_reported():
    land = [box(0, 0, 100, 50)]
    res = run([box(0, 0, 100, 50), box(500, 500, 510, 510)], land)
    assert res.uncoded == {1: "outside"}


def test_random_scenes_code_every_farmland_square_metre_once():
    rng = np.random.default_rng(7)
    for _ in range(5):
        land, parcels = [], []
        for i in range(6):
            x0 = i * 120.0
            patch = box(x0, 0, x0 + 120, 80)
            land.append(patch)
            cuts = np.sort(rng.uniform(x0 + 5, x0 + 115, rng.integers(1, 6)))
            edges = [x0, *cuts, x0 + 120]
            for a, b in zip(edges[:-1], edges[1:]):
                if rng.random() < 0.8:  # some strips stay unassigned
                    jitter = rng.normal(0, 1.5, 2)  # digitising noise: parcels cross the patch edges
                    parcels.append(box(a + jitter[0], 0, b + jitter[1], 80))
        assert_farmland_coded_once(run(parcels, land), land)


def test_leftover_merged_into_a_free_piece_stays_a_valid_polygon():
    """Regression (500 000-parcel sample): GEOS's union of an uncovered piece with a leftover sliver
    returned GEOMETRYCOLLECTION(LINESTRING, POLYGON), which went into a MultiPolygon layer."""
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).parent / "data" / "free_piece_union.json").read_text())
    land = shapely.from_wkb([bytes.fromhex(h) for h in data["land"]])
    parcels = shapely.from_wkb([bytes.fromhex(h) for h in data["parcels"]])
    keys = np.argsort(np.argsort(data["keys"]))
    res = farmland_pieces(parcels, keys, np.ones(len(parcels), bool), land, np.ones(len(land), bool))
    pieces = np.concatenate([res.contract_geom, res.free_geom])
    assert len(res.free_geom) >= 1
    assert set(shapely.get_type_id(pieces).tolist()) <= {3, 6}
    assert shapely.is_valid(pieces).all()
    # and nothing was lost: pieces + uncoded residue make up the farmland
    residue = sum(g.area for gs in res.residue.values() for g in gs)
    assert abs(shapely.area(pieces).sum() + residue - shapely.area(land).sum()) < 0.01
