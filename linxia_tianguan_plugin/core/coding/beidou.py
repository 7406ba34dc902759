"""北斗网格位置码 (BeiDou grid location code), GB/T 39409-2020, two-dimensional, levels 1-10.

The plugin names each parcel by the level-8 code (16 characters, cells of 1/32" = about 1 m) of its
representative point. Scheme (project domain reference, section 北斗网格位置码): 'N'/'S', then
level 1 = 6° x 4° cells as ``floor(lon/6°)+31`` (01-60) and a letter 'A' + floor(|lat|/4°); from
level 2 on every hemisphere is folded onto the north-east (|lon|, |lat|) and each level numbers its
sub-cells from the south-west corner of the folded parent: two hex digits column-then-row (levels 2, 4,
5, 7-10) or one digit row*2+column (levels 3 and 6). Public implementations disagree outside the
north-east hemisphere (one mirrors the digits per hemisphere); this module follows the pure folding of
the domain reference. Linxia, being north-east, is unaffected.

Exactness: coordinates are converted once, exactly, to int64 units of 1/2048 arc-second (the level-10
cell) and every level is integer arithmetic on those units, so no float error accumulates over ten
levels and the vectorised and scalar encoders agree bit for bit.

Edges: a point exactly on a cell edge belongs to the cell on the far side of the edge in the folded
frame, i.e. farther from the equator / prime meridian (north/east in the NE hemisphere, south/west in
the SW). This holds at level 1 too, so the level-1 column is computed from |lon| as well; it differs
from the literal ``floor(lon/6°)+31`` only for longitudes exactly on a western multiple of 6° (e.g.
-6° gives column 29, the cell 12°W-6°W, where the literal formula would give 30 and then disagree with
the folded levels below). lat = 0 counts as 'N' and lon = 0 as east (column 31). |lon| = 180° and
|lat| = 90° are clamped to the last 1/2048" inside, so they get the cells touching the antimeridian /
pole in their own hemisphere (columns 01 or 60, row 'W'). The standard's special polar scheme for
|lat| >= 88° is NOT implemented: such points get regular row-'W' codes.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple

import numpy as np

__all__ = ["CODE_LENGTHS", "UNITS_PER_DEGREE", "cell_size", "decode", "encode", "encode_many", "level_of"]

UNITS_PER_DEGREE = 3600 * 2048  # 1 unit = 1/2048" = one level-10 cell side
_LON_LIMIT = 180 * UNITS_PER_DEGREE
_LAT_LIMIT = 90 * UNITS_PER_DEGREE
_HEX = "0123456789ABCDEF"
_HEX_BYTES = np.frombuffer(_HEX.encode(), dtype=np.uint8)
CODE_LENGTHS = (4, 6, 7, 9, 11, 12, 14, 16, 18, 20)  # cumulative code length at levels 1..10


class _Level(NamedTuple):
    dx: int  # cell width in units
    dy: int  # cell height in units
    cols: int  # sub-cells across the parent cell
    rows: int  # sub-cells up the parent cell
    one_digit: bool  # True: one digit row*cols+col; False: hex column digit, hex row digit


_S = 2048  # units per arc-second
_LEVELS = (
    None,
    _Level(6 * 3600 * _S, 4 * 3600 * _S, 60, 23, False),
    _Level(1800 * _S, 1800 * _S, 12, 8, False),
    _Level(900 * _S, 600 * _S, 2, 3, True),
    _Level(60 * _S, 60 * _S, 15, 10, False),
    _Level(4 * _S, 4 * _S, 15, 15, False),
    _Level(2 * _S, 2 * _S, 2, 2, True),
    _Level(_S // 4, _S // 4, 8, 8, False),
    _Level(_S // 32, _S // 32, 8, 8, False),
    _Level(_S // 256, _S // 256, 8, 8, False),
    _Level(1, 1, 8, 8, False),
)


def _check_level(level: int) -> None:
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or not 1 <= level <= 10:
        raise ValueError(f"level must be an integer 1..10, got {level!r}")


def cell_size(level: int) -> tuple[float, float]:
    """(dlon, dlat) of a cell at ``level``, in degrees (level 1: 6°, 4°; level 8: 1/32" both)."""
    _check_level(level)
    return _LEVELS[level].dx / UNITS_PER_DEGREE, _LEVELS[level].dy / UNITS_PER_DEGREE


def level_of(code: str) -> int:
    """Level implied by the code's length; characters are not checked here (see :func:`decode`)."""
    if not isinstance(code, str):
        raise TypeError(f"a grid code must be a str, got {type(code).__name__}")
    if len(code) not in CODE_LENGTHS:
        raise ValueError(f"grid code {code!r} has length {len(code)}; valid lengths are {CODE_LENGTHS}")
    return CODE_LENGTHS.index(len(code)) + 1


def _check_range(lon: float, lat: float) -> None:
    if not (abs(lon) <= 180 and abs(lat) <= 90):  # also rejects NaN
        raise ValueError(f"need -180 <= lon <= 180 and -90 <= lat <= 90 in degrees, got ({lon}, {lat})")


def encode(lon: float, lat: float, level: int = 8) -> str:
    """Grid code of the point (lon, lat) in degrees (CGCS2000 / WGS84 geographic) at ``level``."""
    _check_level(level)
    lon, lat = float(lon), float(lat)
    _check_range(lon, lat)
    # Fraction(float) is exact, so this is the exact floor of |value| * units, then clamped.
    ax = min(math.floor(Fraction(abs(lon)) * UNITS_PER_DEGREE), _LON_LIMIT - 1)
    ay = min(math.floor(Fraction(abs(lat)) * UNITS_PER_DEGREE), _LAT_LIMIT - 1)
    first = _LEVELS[1]
    column = ax // first.dx
    number = 31 + column if lon >= 0 else 30 - column
    parts = ["N" if lat >= 0 else "S", f"{number:02d}", chr(65 + ay // first.dy)]
    for k in range(2, level + 1):
        parent, lv = _LEVELS[k - 1], _LEVELS[k]
        col, row = ax % parent.dx // lv.dx, ay % parent.dy // lv.dy
        parts.append(str(row * lv.cols + col) if lv.one_digit else _HEX[col] + _HEX[row])
    return "".join(parts)


def _exact_units(values: np.ndarray) -> np.ndarray:
    """Exact floor(v * UNITS_PER_DEGREE) for floats 0 <= v <= 180, in int64, without float rounding.

    v = m * 2**e with an integer 53-bit mantissa M = m * 2**53, and UNITS_PER_DEGREE = 225 * 2**15, so
    v * units = M * 225 * 2**(e - 38): an int64 product (< 2**61) and a right shift (which floors).
    """
    mantissa, exponent = np.frexp(values)
    big = (mantissa * 2.0**53).astype(np.int64) * 225
    return big >> np.minimum(38 - exponent, 63).astype(np.int64)


def encode_many(lon: np.ndarray, lat: np.ndarray, level: int = 8) -> np.ndarray:
    """Vectorised :func:`encode`: an array of str codes with the broadcast shape of lon and lat.

    Builds the codes as a uint8 character matrix, one column (or two) per level, then views each row
    as one string, so there is no Python loop over points. Raises ValueError on any NaN or
    out-of-range coordinate, naming the first offending index (filter empty geometries first).
    """
    _check_level(level)
    lon_b, lat_b = np.broadcast_arrays(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    shape, x, y = lon_b.shape, lon_b.ravel(), lat_b.ravel()
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.all():
        i, n = int(np.argmin(finite)), int(x.size - np.count_nonzero(finite))
        raise ValueError(
            f"{n} of {x.size} points have non-finite longitude/latitude (first: #{i} = ({x[i]}, {y[i]})): "
            "NaN or infinite coordinates usually come from an empty geometry or from a transformation of "
            "coordinates that do not belong to the layer's CRS (check its CRS / 3-degree zone)")
    bad = ~((np.abs(x) <= 180) & (np.abs(y) <= 90))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"point #{i} ({x[i]}, {y[i]}) is out of range (|lon| <= 180, |lat| <= 90)")
    ax = np.minimum(_exact_units(np.abs(x)), _LON_LIMIT - 1)
    ay = np.minimum(_exact_units(np.abs(y)), _LAT_LIMIT - 1)
    length = CODE_LENGTHS[level - 1]
    chars = np.empty((x.size, length), dtype=np.uint8)
    chars[:, 0] = np.where(y >= 0, ord("N"), ord("S"))
    column = ax // _LEVELS[1].dx
    number = np.where(x >= 0, 31 + column, 30 - column)
    chars[:, 1], chars[:, 2] = 48 + number // 10, 48 + number % 10
    chars[:, 3] = 65 + ay // _LEVELS[1].dy
    pos = 4
    for k in range(2, level + 1):
        parent, lv = _LEVELS[k - 1], _LEVELS[k]
        col, row = ax % parent.dx // lv.dx, ay % parent.dy // lv.dy
        if lv.one_digit:
            chars[:, pos] = 48 + row * lv.cols + col
        else:
            chars[:, pos], chars[:, pos + 1] = _HEX_BYTES[col], _HEX_BYTES[row]
        pos += 1 if lv.one_digit else 2
    return chars.view(f"S{length}").ravel().astype(f"U{length}").reshape(shape)


def _digit(code: str, pos: int, limit: int, what: str) -> int:
    """Value of the hex/decimal character at ``pos``, which must be below ``limit``."""
    value = _HEX.find(code[pos])
    if not 0 <= value < limit:
        allowed = f"0-{_HEX[limit - 1]}"
        raise ValueError(f"grid code {code!r}: {what} {code[pos]!r} at position {pos} must be in {allowed}")
    return value


def _decode_level1(code: str) -> tuple[bool, int, int]:
    """(east, folded x units, folded y units) of the level-1 cell's SW corner (folded frame)."""
    if code[0] not in "NS":
        raise ValueError(f"grid code {code!r}: first character must be 'N' or 'S'")
    number = code[1:3]
    if not (number.isascii() and number.isdigit() and 1 <= int(number) <= 60):
        raise ValueError(f"grid code {code!r}: level-1 column {number!r} must be 01-60")
    if not ("A" <= code[3] <= "W"):
        raise ValueError(f"grid code {code!r}: level-1 row letter {code[3]!r} must be A-W")
    east, n = int(number) >= 31, int(number)
    return east, (n - 31 if east else 30 - n) * _LEVELS[1].dx, (ord(code[3]) - 65) * _LEVELS[1].dy


def decode(code: str) -> tuple[float, float, float, float]:
    """Cell bounds (west, south, east, north) in signed degrees of a level 1-10 grid code.

    Lowercase letters are accepted (the plugin writes uppercase). The level-1 'W' row nominally spans
    88°-92°; its bounds are clipped at the pole, and sub-cells lying wholly beyond it are rejected.
    """
    level = level_of(code)
    code = code.upper()
    east, ax, ay = _decode_level1(code)
    pos = 4
    for k in range(2, level + 1):
        lv = _LEVELS[k]
        if lv.one_digit:
            value = _digit(code, pos, lv.cols * lv.rows, f"level-{k} digit")
            col, row = value % lv.cols, value // lv.cols
        else:
            col = _digit(code, pos, lv.cols, f"level-{k} column")
            row = _digit(code, pos + 1, lv.rows, f"level-{k} row")
        ax, ay = ax + col * lv.dx, ay + row * lv.dy
        pos += 1 if lv.one_digit else 2
    if ay >= _LAT_LIMIT:
        raise ValueError(f"grid code {code!r} names a cell beyond the pole")
    lv = _LEVELS[level]
    x0, x1 = ax / UNITS_PER_DEGREE, (ax + lv.dx) / UNITS_PER_DEGREE
    y0, y1 = ay / UNITS_PER_DEGREE, min(ay + lv.dy, _LAT_LIMIT) / UNITS_PER_DEGREE
    west, east_edge = (x0, x1) if east else (-x1, -x0)
    south, north = (y0, y1) if code[0] == "N" else (-y1, -y0)
    return west + 0.0, south + 0.0, east_edge + 0.0, north + 0.0  # + 0.0 turns -0.0 into 0.0
