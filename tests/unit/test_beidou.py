"""Tests for the GB/T 39409-2020 BeiDou grid location code (linxia_tianguan_plugin.core.coding.beidou)."""

from __future__ import annotations

import numpy as np
import pytest

from linxia_tianguan_plugin.core.coding.beidou import (
    CODE_LENGTHS,
    UNITS_PER_DEGREE,
    cell_size,
    decode,
    encode,
    encode_many,
    level_of,
)

LEVELS = range(1, 11)
HEMISPHERES = [(1, 1), (-1, 1), (1, -1), (-1, -1)]  # (lon sign, lat sign): NE, NW, SE, SW

# Worked example, a point in Linxia: 103.2108°E, 35.6012°N.
# L0: north -> 'N'.
# L1: floor(103.2108 / 6) + 31 = 17 + 31 = 48; 'A' + floor(35.6012 / 4) = 'A' + 8 = 'I'  -> N48I
#     cell 102°-108°E, 32°-36°N; offsets 1.2108° = 72.648', 3.6012° = 216.072'.
# L2 (30'): column floor(72.648 / 30) = 2, row floor(216.072 / 30) = 7          -> N48I27
#     remaining 12.648', 6.072'.
# L3 (15' x 10'): column floor(12.648 / 15) = 0, row floor(6.072 / 10) = 0 -> 0*2+0 = 0  -> N48I270
#     remaining 12.648', 6.072'.
# L4 (1'): column 12 = 'C', row 6                                                  -> N48I270C6
#     remaining 0.648' = 38.88", 0.072' = 4.32".
# L5 (4"): column floor(38.88 / 4) = 9, row floor(4.32 / 4) = 1                     -> N48I270C691
#     remaining 2.88", 0.32".
# L6 (2"): column 1, row 0 -> 0*2+1 = 1                                            -> N48I270C6911
#     remaining 0.88", 0.32".
# L7 (1/4"): column floor(0.88 * 4) = 3, row floor(0.32 * 4) = 1                    -> N48I270C691131
#     remaining 0.13", 0.07".
# L8 (1/32"): column floor(0.13 * 32) = 4, row floor(0.07 * 32) = 2                 -> N48I270C69113142
#     remaining 0.005", 0.0075".
# L9 (1/256"): column floor(0.005 * 256) = 1, row floor(0.0075 * 256) = 1          -> ...11
#     remaining 0.00109375", 0.00359375".
# L10 (1/2048"): column floor(2.24) = 2, row floor(7.36) = 7                        -> ...27
LINXIA = (103.2108, 35.6012)
LINXIA_CODES = [
    "N48I", "N48I27", "N48I270", "N48I270C6", "N48I270C691", "N48I270C6911",
    "N48I270C691131", "N48I270C69113142", "N48I270C6911314211", "N48I270C691131421127",
]

# Standard cell sizes in arc-seconds (lon, lat) and sub-cells per parent (columns, rows).
STANDARD_SIZES = {
    1: (6 * 3600, 4 * 3600), 2: (1800, 1800), 3: (900, 600), 4: (60, 60), 5: (4, 4),
    6: (2, 2), 7: (1 / 4, 1 / 4), 8: (1 / 32, 1 / 32), 9: (1 / 256, 1 / 256), 10: (1 / 2048, 1 / 2048),
}
SUBDIVISION = {2: (12, 8), 3: (2, 3), 4: (15, 10), 5: (15, 15), 6: (2, 2), 7: (8, 8), 8: (8, 8),
               9: (8, 8), 10: (8, 8)}


def centre(code: str) -> tuple[float, float]:
    west, south, east, north = decode(code)
    return (west + east) / 2, (south + north) / 2


def random_points(n: int, seed: int, lon_sign: int = 0, lat_sign: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random points; with signs, restricted to one hemisphere pair (|lat| < 88° to stay off polar rows)."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(0, 180, n) * lon_sign if lon_sign else rng.uniform(-180, 180, n)
    lat = rng.uniform(0, 88, n) * lat_sign if lat_sign else rng.uniform(-90, 90, n)
    return lon, lat


# ---- structure ------------------------------------------------------------------------------------

def test_code_lengths_per_level() -> None:
    assert CODE_LENGTHS == (4, 6, 7, 9, 11, 12, 14, 16, 18, 20)
    for level in LEVELS:
        assert len(encode(*LINXIA, level)) == CODE_LENGTHS[level - 1]
        assert len(encode_many(np.array([-70.0]), np.array([-33.0]), level)[0]) == CODE_LENGTHS[level - 1]


def test_default_level_is_8() -> None:
    assert len(encode(*LINXIA)) == 16
    assert encode_many(np.array([LINXIA[0]]), np.array([LINXIA[1]]))[0] == LINXIA_CODES[7]


@pytest.mark.parametrize("level", LEVELS)
def test_level_of(level: int) -> None:
    assert level_of(LINXIA_CODES[level - 1]) == level
    assert level_of("x" * CODE_LENGTHS[level - 1]) == level  # length only


@pytest.mark.parametrize("code", ["", "N", "N48", "N48I2", "N48I270C", "N48I270C6911314211270"])
def test_level_of_rejects_bad_length(code: str) -> None:
    with pytest.raises(ValueError, match="length"):
        level_of(code)


@pytest.mark.parametrize("level", LEVELS)
def test_cell_sizes_match_standard(level: int) -> None:
    dlon, dlat = cell_size(level)
    assert dlon * 3600 == pytest.approx(STANDARD_SIZES[level][0], rel=1e-12)
    assert dlat * 3600 == pytest.approx(STANDARD_SIZES[level][1], rel=1e-12)


@pytest.mark.parametrize("level", range(2, 11))
def test_each_level_subdivides_its_parent(level: int) -> None:
    (plon, plat), (dlon, dlat) = cell_size(level - 1), cell_size(level)
    cols, rows = SUBDIVISION[level]
    assert round(plon * UNITS_PER_DEGREE) == cols * round(dlon * UNITS_PER_DEGREE)
    assert round(plat * UNITS_PER_DEGREE) == rows * round(dlat * UNITS_PER_DEGREE)


def test_level_8_cell_is_about_a_metre_in_linxia() -> None:
    dlon, dlat = cell_size(8)
    metres_per_degree = 111_320.0
    assert 0.9 < dlat * metres_per_degree < 1.0
    assert 0.7 < dlon * metres_per_degree * np.cos(np.radians(LINXIA[1])) < 0.8


@pytest.mark.parametrize("level", [0, 11, -1, 8.0, True, None])
def test_rejects_bad_level(level: object) -> None:
    with pytest.raises(ValueError, match="level"):
        encode(*LINXIA, level)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level"):
        encode_many(np.array([1.0]), np.array([1.0]), level)  # type: ignore[arg-type]
    if level is not None and not isinstance(level, (bool, float)):
        with pytest.raises(ValueError):
            cell_size(level)  # type: ignore[arg-type]


# ---- worked example and hand-checked codes ----------------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_linxia_worked_example(level: int) -> None:
    assert encode(*LINXIA, level) == LINXIA_CODES[level - 1]
    assert encode_many(np.array([LINXIA[0]]), np.array([LINXIA[1]]), level)[0] == LINXIA_CODES[level - 1]


def test_linxia_level_1_cell_bounds() -> None:
    assert decode("N48I") == (102.0, 32.0, 108.0, 36.0)


@pytest.mark.parametrize(
    "lon, lat, code",
    [
        (-3.0, 10.0, "N30C"),  # floor(-0.5) + 31 = 30
        (3.0, -10.0, "S31C"),
        (-100.5, -45.2, "S14L"),  # floor(-16.75) + 31 = 14; 45.2 / 4 = 11.3 -> 'L'
        (0.0, 0.0, "N31A"),  # prime meridian is east, equator is north
        (-0.0, -0.0, "N31A"),
        (179.999, 1.0, "N60A"),
        (-179.999, 1.0, "N01A"),
    ],
)
def test_level_1_in_all_hemispheres(lon: float, lat: float, code: str) -> None:
    assert encode(lon, lat, 1) == code
    assert encode_many(np.array([lon]), np.array([lat]), 1)[0] == code


def test_hemisphere_folding_is_symmetric() -> None:
    # From level 2 on, all four mirror images of a point share the same digits.
    tails = {encode(s * LINXIA[0], t * LINXIA[1], 10)[4:] for s, t in HEMISPHERES}
    assert tails == {LINXIA_CODES[9][4:]}
    assert encode(-LINXIA[0], -LINXIA[1], 1) == "S13I"  # floor(-17.2018) + 31 = 13


def test_origin_is_all_zeros() -> None:
    assert encode(0.0, 0.0, 10) == "N31A" + "0" * 16


# ---- edges and clamping --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "lon, lat, level, code",
    [
        (102.0, 36.0, 1, "N48J"),  # on a NE level-1 corner: the cell to the north-east
        (102.5, 36.5, 2, "N48J11"),  # on a level-2 corner
        (102.25, 35.01, 3, "N48I061"),  # on a level-3 column edge (15'): column 1, row 0 -> 1
        (-6.0, 0.0, 1, "N29A"),  # western 6° meridian: farther from Greenwich, 12°W-6°W
        (-6.0, -4.0, 2, "S29B00"),  # south-west: farther south and west
        (np.nextafter(102.0, 0.0), np.nextafter(36.0, 0.0), 1, "N47I"),  # just inside the SW cell
    ],
)
def test_points_on_edges(lon: float, lat: float, level: int, code: str) -> None:
    assert encode(lon, lat, level) == code
    assert encode_many(np.array([lon]), np.array([lat]), level)[0] == code


def test_western_edge_is_consistent_with_folded_levels() -> None:
    # The level-1 column of a point on 6°W agrees with the levels below it (nesting holds).
    code = encode(-6.0, 5.0, 10)
    west, _, east, _ = decode(code)
    assert code.startswith("N29B") and west < -6.0 <= east


@pytest.mark.parametrize("lon, lat, head", [(180.0, 90.0, "N60W"), (-180.0, -90.0, "S01W"),
                                            (180.0, -90.0, "S60W"), (-180.0, 90.0, "N01W")])
def test_antimeridian_and_poles_are_clamped(lon: float, lat: float, head: str) -> None:
    code = encode(lon, lat, 10)
    assert code.startswith(head)
    assert code[4:] == "B3" "5" "E9" "EE" "3" "77" "77" "77" "77"  # the last cell inside at every level
    west, south, east, north = decode(code)
    assert (east if lon > 0 else west) == lon
    assert (north if lat > 0 else south) == lat
    assert encode_many(np.array([lon]), np.array([lat]), 10)[0] == code


def test_polar_row_is_clipped_at_the_pole() -> None:
    assert decode("N48W") == (102.0, 88.0, 108.0, 90.0)
    assert decode("S48W") == (102.0, -90.0, 108.0, -88.0)
    assert decode("N48W03") == (102.0, 89.5, 102.5, 90.0)


# ---- round trips and nesting --------------------------------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("signs", HEMISPHERES)
def test_round_trip_through_cell_centre(level: int, signs: tuple[int, int]) -> None:
    lon, lat = random_points(300, seed=level * 10 + signs[0] + 3 * signs[1], lon_sign=signs[0],
                             lat_sign=signs[1])
    for x, y in zip(lon.tolist(), lat.tolist()):
        code = encode(x, y, level)
        assert encode(*centre(code), level) == code


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("signs", HEMISPHERES)
def test_point_lies_inside_its_cell(level: int, signs: tuple[int, int]) -> None:
    lon, lat = random_points(300, seed=level + 100, lon_sign=signs[0], lat_sign=signs[1])
    dlon, dlat = cell_size(level)
    for x, y in zip(lon.tolist(), lat.tolist()):
        west, south, east, north = decode(encode(x, y, level))
        assert west <= x <= east and south <= y <= north
        assert east - west == pytest.approx(dlon, abs=1e-12)  # float subtraction near 180°
        assert north - south == pytest.approx(dlat, abs=1e-12)
        assert west >= -180 and east <= 180 and south >= -90 and north <= 90


@pytest.mark.parametrize("signs", HEMISPHERES)
def test_prefix_property_and_cell_nesting(signs: tuple[int, int]) -> None:
    lon, lat = random_points(300, seed=7, lon_sign=signs[0], lat_sign=signs[1])
    for x, y in zip(lon.tolist(), lat.tolist()):
        full = encode(x, y, 10)
        for level in LEVELS:
            code = encode(x, y, level)
            assert full[: CODE_LENGTHS[level - 1]] == code
        for level in range(2, 11):
            pw, ps, pe, pn = decode(full[: CODE_LENGTHS[level - 2]])
            w, s, e, n = decode(full[: CODE_LENGTHS[level - 1]])
            assert pw <= w < e <= pe and ps <= s < n <= pn


def test_decode_accepts_lowercase() -> None:
    assert decode(LINXIA_CODES[9].lower()) == decode(LINXIA_CODES[9])


# ---- vectorised ------------------------------------------------------------------------------------

def test_encode_many_equals_encode_on_100k_random_points() -> None:
    lon, lat = random_points(100_000, seed=2020)
    codes = encode_many(lon, lat, 10)
    assert codes.dtype == np.dtype("<U20") and codes.shape == (100_000,)
    assert codes.tolist() == [encode(x, y, 10) for x, y in zip(lon.tolist(), lat.tolist())]


@pytest.mark.parametrize("level", LEVELS)
def test_encode_many_equals_encode_at_every_level(level: int) -> None:
    lon, lat = random_points(3000, seed=level)
    expected = [encode(x, y, level) for x, y in zip(lon.tolist(), lat.tolist())]
    assert encode_many(lon, lat, level).tolist() == expected


def test_encode_many_equals_encode_on_and_next_to_edges() -> None:
    # Cell edges that are exact binary fractions, plus the floats just either side of them: any
    # rounding in the float -> 1/2048" conversion would show up here as a scalar/vector mismatch.
    rng = np.random.default_rng(39409)
    edges_lon = rng.integers(-180 * 240, 180 * 240, 3000) / 240.0  # multiples of 15"
    edges_lat = rng.integers(-90 * 256, 90 * 256, 3000) / 256.0
    grid = rng.integers(-180 * UNITS_PER_DEGREE, 180 * UNITS_PER_DEGREE, 3000) / UNITS_PER_DEGREE
    lon = np.concatenate([edges_lon, np.nextafter(edges_lon, 0), np.nextafter(edges_lon, 200), grid])
    lat = np.concatenate([edges_lat, np.nextafter(edges_lat, -100), np.nextafter(edges_lat, 100),
                          np.clip(grid / 2, -90, 90)])
    lon, lat = np.clip(lon, -180, 180), np.clip(lat, -90, 90)
    expected = [encode(x, y, 10) for x, y in zip(lon.tolist(), lat.tolist())]
    assert encode_many(lon, lat, 10).tolist() == expected


def test_encode_many_shapes() -> None:
    lon = np.array([[103.2108, -70.0], [0.0, 180.0]])
    lat = np.array([[35.6012, -33.0], [0.0, 90.0]])
    codes = encode_many(lon, lat, 8)
    assert codes.shape == (2, 2)
    expected = [[encode(x, y, 8) for x, y in zip(r1, r2)] for r1, r2 in zip(lon.tolist(), lat.tolist())]
    assert codes.tolist() == expected
    assert encode_many(np.array([103.0, 104.0]), 35.0, 1).tolist() == ["N48I", "N48I"]
    assert encode_many(103.2108, 35.6012, 8).shape == ()
    assert encode_many([103.2108], [35.6012], 8).tolist() == [LINXIA_CODES[7]]


def test_encode_many_empty() -> None:
    codes = encode_many(np.array([]), np.array([]), 8)
    assert codes.shape == (0,) and codes.dtype.kind == "U"


# ---- errors ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lon, lat", [(180.0001, 0.0), (-181.0, 0.0), (0.0, 90.5), (0.0, -91.0),
                                      (np.nan, 0.0), (0.0, np.nan), (np.inf, 0.0)])
def test_encode_rejects_out_of_range(lon: float, lat: float) -> None:
    with pytest.raises(ValueError):
        encode(lon, lat)
    with pytest.raises(ValueError, match="#1"):
        encode_many(np.array([1.0, lon]), np.array([1.0, lat]))


@pytest.mark.parametrize(
    "code, message",
    [
        ("N48", "length"),
        ("N48I2", "length"),
        ("E48I", "first character"),
        ("N00I", "column"),
        ("N61I", "column"),
        ("NA8I", "column"),
        ("N4 I", "column"),
        ("N48X", "row letter"),
        ("N481", "row letter"),
        ("N48IC0", "level-2 column"),
        ("N48I08", "level-2 row"),
        ("N48IG0", "level-2 column"),
        ("N48I-0", "level-2 column"),
        ("N48I006", "level-3 digit"),
        ("N48I000F0", "level-4 column"),
        ("N48I0000A", "level-4 row"),
        ("N48I00000F0", "level-5 column"),
        ("N48I000000F", "level-5 row"),
        ("N48I00000004", "level-6 digit"),
        ("N48I0000000080", "level-7 column"),
        ("N48I0000000008", "level-7 row"),
        ("N48I000000000080", "level-8 column"),
        ("N48I00000000000080", "level-9 column"),
        ("N48I0000000000000008", "level-10 row"),
        ("N48W04", "beyond the pole"),
        ("S48W07", "beyond the pole"),
    ],
)
def test_decode_rejects_malformed_codes(code: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decode(code)


def test_decode_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        decode(48)  # type: ignore[arg-type]
