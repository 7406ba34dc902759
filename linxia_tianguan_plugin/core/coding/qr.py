"""QR Code Model 2 encoder (ISO/IEC 18004:2015) in plain Python + numpy, for the warning-post labels (二维码警示桩).

Windows QGIS ships no QR library, so the plugin carries its own. Supported: numeric, alphanumeric and byte
(UTF-8, no ECI header) modes, mixed in one symbol when that is shorter (a dynamic programme picks the segments),
error-correction levels L/M/Q/H, the smallest version 1-40 that holds the data, Reed-Solomon ECC over GF(256)
with block interleaving, all 8 data masks scored with the standard's four penalty rules, format and version
information. Kanji mode and structured append are not implemented (Chinese text goes in byte mode as UTF-8).

Public API:
    encode(text, ecc="M") -> np.ndarray            bool matrix, True = dark, no quiet zone
    make_qr(text, ecc="M", min_version=1, mask=None) -> QrSymbol   same, with version/mask/segments
    to_svg(matrix, module_mm=0.5, quiet=4, label=None) -> str
    to_png_bytes(matrix, scale=8, quiet=4) -> bytes,  to_pbm(matrix, scale=1, quiet=4) -> bytes
    max_chars(version, ecc, mode) -> int            character capacity (ISO 18004 Table 7)
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from functools import cache
from typing import List, Tuple
from xml.sax.saxutils import escape

import numpy as np

# ---------------------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------------------

ECC_LEVELS = ("L", "M", "Q", "H")
# Error-correction level indicator bits in the format information (ISO 18004 Table 12).
_ECC_FORMAT_BITS = {"L": 0b01, "M": 0b00, "Q": 0b11, "H": 0b10}

# Total codewords per version (ISO 18004 Table 1, column "Number of data codewords" + EC codewords). Index 0 unused.
TOTAL_CODEWORDS = (
    0, 26, 44, 70, 100, 134, 172, 196, 242, 292, 346, 404, 466, 532, 581, 655, 733, 815, 901, 991, 1085,
    1156, 1258, 1364, 1474, 1588, 1706, 1828, 1921, 2051, 2185, 2323, 2465, 2611, 2761, 2876, 3034, 3196, 3362,
    3532, 3706,
)  # fmt: skip

# Error-correction codewords per block, per level and version (ISO 18004 Table 9). Index 0 unused.
ECC_CODEWORDS_PER_BLOCK = {
    "L": (0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28,
          30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
    "M": (0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28,
          28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28),
    "Q": (0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30,
          28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
    "H": (0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30,
          30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
}  # fmt: skip

# Number of error-correction blocks, per level and version (ISO 18004 Table 9, both block groups summed).
ECC_BLOCKS = {
    "L": (0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16,
          17, 18, 19, 19, 20, 21, 22, 24, 25),
    "M": (0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28,
          29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49),
    "Q": (0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35,
          38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68),
    "H": (0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42,
          45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81),
}  # fmt: skip

# Row/column coordinates of alignment pattern centres (ISO 18004 Annex E, Table E.1). Index 0 unused.
ALIGNMENT_POSITIONS = (
    (), (), (6, 18), (6, 22), (6, 26), (6, 30), (6, 34),
    (6, 22, 38), (6, 24, 42), (6, 26, 46), (6, 28, 50), (6, 30, 54), (6, 32, 58), (6, 34, 62),
    (6, 26, 46, 66), (6, 26, 48, 70), (6, 26, 50, 74), (6, 30, 54, 78), (6, 30, 56, 82), (6, 30, 58, 86),
    (6, 34, 62, 90),
    (6, 28, 50, 72, 94), (6, 26, 50, 74, 98), (6, 30, 54, 78, 102), (6, 28, 54, 80, 106), (6, 32, 58, 84, 110),
    (6, 30, 58, 86, 114), (6, 34, 62, 90, 118),
    (6, 26, 50, 74, 98, 122), (6, 30, 54, 78, 102, 126), (6, 26, 52, 78, 104, 130), (6, 30, 56, 82, 108, 134),
    (6, 34, 60, 86, 112, 138), (6, 30, 58, 86, 114, 142), (6, 34, 62, 90, 118, 146),
    (6, 30, 54, 78, 102, 126, 150), (6, 24, 50, 76, 102, 128, 154), (6, 28, 54, 80, 106, 132, 158),
    (6, 32, 58, 84, 110, 136, 162), (6, 26, 54, 82, 110, 138, 166), (6, 30, 58, 86, 114, 142, 170),
)  # fmt: skip

# Mode indicators (ISO 18004 Table 2) and character-count indicator lengths for versions 1-9, 10-26, 27-40
# (Table 3).
MODE_NUMERIC, MODE_ALNUM, MODE_BYTE = "numeric", "alphanumeric", "byte"
_MODE_INDICATOR = {MODE_NUMERIC: 0b0001, MODE_ALNUM: 0b0010, MODE_BYTE: 0b0100}
_COUNT_BITS = {MODE_NUMERIC: (10, 12, 14), MODE_ALNUM: (9, 11, 13), MODE_BYTE: (8, 16, 16)}
_MODES = (MODE_BYTE, MODE_ALNUM, MODE_NUMERIC)

# Alphanumeric character set in value order (ISO 18004 Table 5).
ALNUM_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_ALNUM_VALUE = {c: i for i, c in enumerate(ALNUM_CHARSET)}

_FORMAT_GENERATOR = 0x537  # BCH(15,5) generator x^10+x^8+x^5+x^4+x^2+x+1 (ISO 18004 7.9.1)
_FORMAT_XOR_MASK = 0x5412  # 101010000010010 (ISO 18004 7.9.1)
_VERSION_GENERATOR = 0x1F25  # BCH(18,6) generator x^12+x^11+x^10+x^9+x^8+x^5+x^2+1 (ISO 18004 7.10)
_PAD_BYTES = (0xEC, 0x11)  # 11101100 00010001 (ISO 18004 7.4.10)

# Penalty weights N1..N4 (ISO 18004 Table 11).
_N1, _N2, _N3, _N4 = 3, 3, 40, 10

# ---------------------------------------------------------------------------------------------------------------
# GF(256) and Reed-Solomon (primitive polynomial x^8+x^4+x^3+x^2+1 = 0x11D, ISO 18004 7.5.2)
# ---------------------------------------------------------------------------------------------------------------

_GF_EXP = [0] * 512
_GF_LOG = [0] * 256
_x = 1
for _i in range(255):
    _GF_EXP[_i] = _x
    _GF_LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _GF_EXP[_i] = _GF_EXP[_i - 255]
del _x, _i


def gf_mul(a: int, b: int) -> int:
    """Product of two GF(256) elements."""
    if a == 0 or b == 0:
        return 0
    return _GF_EXP[_GF_LOG[a] + _GF_LOG[b]]


@cache
def rs_generator(degree: int) -> Tuple[int, ...]:
    """Generator polynomial prod_{i<degree} (x - a^i), coefficients highest power first, leading 1 included."""
    poly = [1]
    for i in range(degree):
        root = _GF_EXP[i]
        nxt = poly + [0]
        for j, c in enumerate(poly):
            nxt[j + 1] ^= gf_mul(c, root)
        poly = nxt
    return tuple(poly)


def rs_remainder(data: bytes, degree: int) -> bytes:
    """The ``degree`` Reed-Solomon error-correction codewords of ``data`` (polynomial division remainder)."""
    gen = rs_generator(degree)[1:]
    gen_log = [_GF_LOG[g] for g in gen]
    rem = [0] * degree
    for byte in data:
        factor = byte ^ rem[0]
        rem = rem[1:] + [0]
        if factor:
            lf = _GF_LOG[factor]
            for j, gl in enumerate(gen_log):
                rem[j] ^= _GF_EXP[lf + gl]
    return bytes(rem)


# ---------------------------------------------------------------------------------------------------------------
# Capacities
# ---------------------------------------------------------------------------------------------------------------


def _check_ecc(ecc: str) -> str:
    key = str(ecc).upper()
    if key not in _ECC_FORMAT_BITS:
        raise ValueError(f"error-correction level must be one of L, M, Q, H, not {ecc!r}")
    return key


def _check_version(version: int) -> None:
    if not (isinstance(version, int) and 1 <= version <= 40):
        raise ValueError(f"QR version must be an integer 1-40, not {version!r}")


def raw_data_modules(version: int) -> int:
    """Modules left for codewords and remainder bits once function patterns are drawn (ISO 18004 Table 1)."""
    _check_version(version)
    result = (16 * version + 128) * version + 64
    if version >= 2:
        n_align = version // 7 + 2
        result -= (25 * n_align - 10) * n_align - 55
        if version >= 7:
            result -= 36  # two 6x3 version information blocks
    return result


def data_codewords(version: int, ecc: str) -> int:
    """Number of data codewords (ISO 18004 Table 7 'number of data codewords')."""
    ecc = _check_ecc(ecc)
    _check_version(version)
    return TOTAL_CODEWORDS[version] - ECC_CODEWORDS_PER_BLOCK[ecc][version] * ECC_BLOCKS[ecc][version]


def _count_bits(mode: str, version: int) -> int:
    return _COUNT_BITS[mode][0 if version <= 9 else 1 if version <= 26 else 2]


def _payload_bits(mode: str, n: int) -> int:
    if mode == MODE_NUMERIC:
        return 10 * (n // 3) + (0, 4, 7)[n % 3]
    if mode == MODE_ALNUM:
        return 11 * (n // 2) + 6 * (n % 2)
    return 8 * n


def max_chars(version: int, ecc: str, mode: str = MODE_BYTE) -> int:
    """Largest character count (bytes for byte mode) of one segment in ``mode`` at ``version``/``ecc`` (Table 7)."""
    if mode not in _MODE_INDICATOR:
        raise ValueError(f"mode must be one of {sorted(_MODE_INDICATOR)}, not {mode!r}")
    budget = data_codewords(version, ecc) * 8 - 4 - _count_bits(mode, version)
    n = {MODE_NUMERIC: budget * 3 // 10, MODE_ALNUM: budget * 2 // 11, MODE_BYTE: budget // 8}[mode]
    while n > 0 and _payload_bits(mode, n) > budget:
        n -= 1
    return min(n, (1 << _count_bits(mode, version)) - 1)


# ---------------------------------------------------------------------------------------------------------------
# Segmentation and bit stream
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """One run of characters in one mode; ``data`` is the UTF-8 bytes (byte mode) or the ASCII characters."""

    mode: str
    text: str

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")

    @property
    def char_count(self) -> int:
        return len(self.data) if self.mode == MODE_BYTE else len(self.text)

    def bit_length(self, version: int) -> int:
        return 4 + _count_bits(self.mode, version) + _payload_bits(self.mode, self.char_count)


def _char_modes(ch: str) -> Tuple[bool, bool]:
    """(is numeric, is alphanumeric) for one character."""
    return ("0" <= ch <= "9"), ch in _ALNUM_VALUE


def segment_text(text: str, version: int) -> List[Segment]:
    """Split ``text`` into mode segments minimising the bit length for the count-indicator sizes of ``version``.

    Dynamic programme over characters (costs in sixths of a bit so numeric 10/3 and alphanumeric 11/2 bits per
    character are exact integers); a mode switch costs the new segment's header. The result is then compared with
    the best single-mode encoding and the shorter one is returned, so mixed segments are only used when they win.
    """
    if not text:
        return [Segment(MODE_BYTE, "")]
    n_modes = len(_MODES)
    head = [(4 + _count_bits(m, version)) * 6 for m in _MODES]
    prev: List[int | None] = list(head)  # cost of being in state j (segment mode j open) before this char
    char_modes: List[List[int | None]] = []  # [i][j]: mode of char i when the state after char i is j
    for ch in text:
        is_num, is_alnum = _char_modes(ch)
        cur: List[int | None] = [None] * n_modes
        modes: List[int | None] = [None] * n_modes
        cur[0], modes[0] = prev[0] + len(ch.encode("utf-8")) * 48, 0  # type: ignore[operator]
        if is_alnum:
            cur[1], modes[1] = prev[1] + 33, 1  # type: ignore[operator]
        if is_num:
            cur[2], modes[2] = prev[2] + 20, 2  # type: ignore[operator]
        # Optionally close the segment after this char and open one in mode j (whole bits, plus header).
        for j in range(n_modes):
            for k in range(n_modes):
                if k == j or cur[k] is None or modes[k] is None:
                    continue
                cost = -(-cur[k] // 6) * 6 + head[j]  # type: ignore[operator]
                if cur[j] is None or cost < cur[j]:  # type: ignore[operator]
                    cur[j], modes[j] = cost, modes[k]
        char_modes.append(modes)
        prev = cur
    state = min((j for j in range(n_modes) if prev[j] is not None), key=lambda j: prev[j])  # type: ignore[arg-type]
    per_char = [0] * len(text)
    for i in range(len(text) - 1, -1, -1):
        state = char_modes[i][state]  # type: ignore[assignment]
        per_char[i] = state
    segs: List[Segment] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or per_char[i] != per_char[start]:
            segs.append(Segment(_MODES[per_char[start]], text[start:i]))
            start = i
    best_single = _single_mode(text)
    if sum(s.bit_length(version) for s in best_single) <= sum(s.bit_length(version) for s in segs):
        return best_single
    return segs


def _single_mode(text: str) -> List[Segment]:
    if all("0" <= c <= "9" for c in text):
        return [Segment(MODE_NUMERIC, text)]
    if all(c in _ALNUM_VALUE for c in text):
        return [Segment(MODE_ALNUM, text)]
    return [Segment(MODE_BYTE, text)]


class _BitBuffer:
    def __init__(self) -> None:
        self.bits: List[int] = []

    def append(self, value: int, n: int) -> None:
        self.bits.extend((value >> i) & 1 for i in range(n - 1, -1, -1))

    def __len__(self) -> int:
        return len(self.bits)


def _append_segment(buf: _BitBuffer, seg: Segment, version: int) -> None:
    buf.append(_MODE_INDICATOR[seg.mode], 4)
    buf.append(seg.char_count, _count_bits(seg.mode, version))
    if seg.mode == MODE_NUMERIC:
        for i in range(0, len(seg.text), 3):
            chunk = seg.text[i : i + 3]
            buf.append(int(chunk), (0, 4, 7, 10)[len(chunk)])
    elif seg.mode == MODE_ALNUM:
        for i in range(0, len(seg.text), 2):
            chunk = seg.text[i : i + 2]
            if len(chunk) == 2:
                buf.append(_ALNUM_VALUE[chunk[0]] * 45 + _ALNUM_VALUE[chunk[1]], 11)
            else:
                buf.append(_ALNUM_VALUE[chunk], 6)
    else:
        for b in seg.data:
            buf.append(b, 8)


def build_data_codewords(segments: List[Segment], version: int, ecc: str) -> bytes:
    """Mode/count headers + data, terminator, byte padding and pad codewords (ISO 18004 7.4)."""
    ecc = _check_ecc(ecc)
    capacity = data_codewords(version, ecc) * 8
    buf = _BitBuffer()
    for seg in segments:
        if seg.char_count >= 1 << _count_bits(seg.mode, version):
            raise ValueError(f"segment of {seg.char_count} characters is too long for its count indicator")
        _append_segment(buf, seg, version)
    if len(buf) > capacity:
        raise ValueError(f"data needs {len(buf)} bits but version {version}-{ecc} holds {capacity}")
    buf.append(0, min(4, capacity - len(buf)))
    buf.append(0, -len(buf) % 8)
    out = bytearray(np.packbits(np.array(buf.bits, dtype=np.uint8)).tobytes())
    i = 0
    while len(out) < capacity // 8:
        out.append(_PAD_BYTES[i % 2])
        i += 1
    return bytes(out)


def add_ecc_and_interleave(data: bytes, version: int, ecc: str) -> bytes:
    """Split into blocks, append RS codewords to each, and interleave (ISO 18004 7.5 and 7.6)."""
    ecc = _check_ecc(ecc)
    n_blocks = ECC_BLOCKS[ecc][version]
    ecc_len = ECC_CODEWORDS_PER_BLOCK[ecc][version]
    total = TOTAL_CODEWORDS[version]
    if len(data) != total - n_blocks * ecc_len:
        raise ValueError("data codeword count does not match the version and error-correction level")
    n_short = n_blocks - total % n_blocks
    short_data = total // n_blocks - ecc_len
    blocks: List[bytes] = []
    eccs: List[bytes] = []
    pos = 0
    for b in range(n_blocks):
        size = short_data + (0 if b < n_short else 1)
        block = data[pos : pos + size]
        pos += size
        blocks.append(block)
        eccs.append(rs_remainder(block, ecc_len))
    out = bytearray()
    for i in range(short_data + 1):
        for block in blocks:
            if i < len(block):
                out.append(block[i])
    for i in range(ecc_len):
        for e in eccs:
            out.append(e[i])
    return bytes(out)


# ---------------------------------------------------------------------------------------------------------------
# Matrix construction
# ---------------------------------------------------------------------------------------------------------------


def format_bits(ecc: str, mask: int) -> int:
    """15-bit format information for ``ecc``/``mask``, BCH-coded and XOR-masked (ISO 18004 7.9, Annex C)."""
    data = (_ECC_FORMAT_BITS[_check_ecc(ecc)] << 3) | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * _FORMAT_GENERATOR)
    return ((data << 10) | rem) ^ _FORMAT_XOR_MASK


def version_bits(version: int) -> int:
    """18-bit version information, BCH(18,6)-coded (ISO 18004 7.10, Annex D); only used for versions >= 7."""
    rem = version
    for _ in range(12):
        rem = (rem << 1) ^ ((rem >> 11) * _VERSION_GENERATOR)
    return (version << 12) | rem


def _draw_format(m: np.ndarray, ecc: str, mask: int) -> None:
    size = m.shape[0]
    bits = format_bits(ecc, mask)
    b = [bool((bits >> i) & 1) for i in range(15)]
    # First copy, around the top-left finder: bits 0-7 down column 8, bits 8-14 leftwards along row 8.
    for i in range(6):
        m[i, 8] = b[i]
    m[7, 8] = b[6]
    m[8, 8] = b[7]
    m[8, 7] = b[8]
    for i in range(9, 15):
        m[8, 14 - i] = b[i]
    # Second copy: bits 0-7 along row 8 from the right edge, bits 8-14 up column 8 from the bottom.
    for i in range(8):
        m[8, size - 1 - i] = b[i]
    for i in range(8, 15):
        m[size - 15 + i, 8] = b[i]
    m[size - 8, 8] = True  # the dark module


@cache
def _function_patterns(version: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(modules, is_function, data_rows, data_cols) for ``version``; format area reserved, not yet filled."""
    size = 4 * version + 17
    m = np.zeros((size, size), dtype=bool)
    fn = np.zeros((size, size), dtype=bool)
    # Timing patterns (row 6 and column 6).
    m[6, :] = np.arange(size) % 2 == 0
    m[:, 6] = np.arange(size) % 2 == 0
    fn[6, :] = True
    fn[:, 6] = True
    # Finder patterns with separators.
    for cy, cx in ((3, 3), (3, size - 4), (size - 4, 3)):
        for dy in range(-4, 5):
            for dx in range(-4, 5):
                y, x = cy + dy, cx + dx
                if 0 <= y < size and 0 <= x < size:
                    m[y, x] = max(abs(dx), abs(dy)) not in (2, 4)
                    fn[y, x] = True
    # Alignment patterns, except where they would overlap the finders.
    pos = ALIGNMENT_POSITIONS[version]
    last = len(pos) - 1
    for i, cy in enumerate(pos):
        for j, cx in enumerate(pos):
            if (i, j) in ((0, 0), (0, last), (last, 0)):
                continue
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    m[cy + dy, cx + dx] = max(abs(dx), abs(dy)) != 1
                    fn[cy + dy, cx + dx] = True
    # Reserve format information areas (and the dark module).
    fn[:9, 8] = fn[8, :9] = True
    fn[8, size - 8 :] = True
    fn[size - 8 :, 8] = True
    # Version information (two 6x3 blocks) for versions >= 7.
    if version >= 7:
        bits = version_bits(version)
        for i in range(18):
            bit = bool((bits >> i) & 1)
            a, b = size - 11 + i % 3, i // 3
            m[b, a] = bit
            m[a, b] = bit
            fn[b, a] = fn[a, b] = True
    # Codeword placement order: two-module columns, right to left, alternately upward and downward, skipping
    # the vertical timing pattern (ISO 18004 7.7.3).
    rows: List[int] = []
    cols: List[int] = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = ((right + 1) & 2) == 0
        for vert in range(size):
            y = size - 1 - vert if upward else vert
            for x in (right, right - 1):
                if not fn[y, x]:
                    rows.append(y)
                    cols.append(x)
        right -= 2
    for arr in (m, fn):
        arr.setflags(write=False)
    return m, fn, np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp)


def mask_pattern(mask: int, size: int) -> np.ndarray:
    """Boolean ``size``x``size`` array, True where data mask ``mask`` inverts a module (ISO 18004 Table 10)."""
    i, j = np.indices((size, size))
    if mask == 0:
        cond = (i + j) % 2 == 0
    elif mask == 1:
        cond = i % 2 == 0
    elif mask == 2:
        cond = j % 3 == 0
    elif mask == 3:
        cond = (i + j) % 3 == 0
    elif mask == 4:
        cond = (i // 2 + j // 3) % 2 == 0
    elif mask == 5:
        cond = (i * j) % 2 + (i * j) % 3 == 0
    elif mask == 6:
        cond = ((i * j) % 2 + (i * j) % 3) % 2 == 0
    elif mask == 7:
        cond = ((i + j) % 2 + (i * j) % 3) % 2 == 0
    else:
        raise ValueError(f"mask must be 0-7, not {mask!r}")
    return cond


_FINDER_LIKE = (
    np.array([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], dtype=bool),
    np.array([0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1], dtype=bool),
)


def _run_penalty(m: np.ndarray) -> int:
    """N1: each row run of >= 5 same-colour modules scores 3 + (length - 5)."""
    n_rows, n_cols = m.shape
    bounds = np.ones((n_rows, n_cols + 1), dtype=bool)
    bounds[:, 1:n_cols] = m[:, 1:] != m[:, :-1]
    lengths = np.diff(np.flatnonzero(bounds))
    long_runs = lengths[lengths >= 5]
    return int((long_runs - 5 + _N1).sum())


def _finder_penalty(m: np.ndarray) -> int:
    """N3: 1:1:3:1:1 patterns with 4 light modules on one side (the quiet zone counts as light)."""
    padded = np.zeros((m.shape[0], m.shape[1] + 8), dtype=bool)
    padded[:, 4:-4] = m
    win = np.lib.stride_tricks.sliding_window_view(padded, 11, axis=1)
    return _N3 * int(sum((win == p).all(axis=-1).sum() for p in _FINDER_LIKE))


def penalty(m: np.ndarray) -> int:
    """Total penalty score of a masked symbol by ISO 18004 7.8.3 rules N1-N4 (Table 11)."""
    m = np.asarray(m, dtype=bool)
    score = _run_penalty(m) + _run_penalty(m.T)
    same = (m[:-1, :-1] == m[1:, :-1]) & (m[:-1, :-1] == m[:-1, 1:]) & (m[:-1, :-1] == m[1:, 1:])
    score += _N2 * int(same.sum())
    score += _finder_penalty(m) + _finder_penalty(m.T)
    total = m.size
    dark = int(m.sum())
    k = -(-abs(dark * 20 - total * 10) // total) - 1
    score += _N4 * max(k, 0)
    return score


@dataclass(frozen=True)
class QrSymbol:
    """An encoded symbol: ``matrix`` is bool (True = dark) without quiet zone."""

    matrix: np.ndarray
    version: int
    ecc: str
    mask: int
    segments: Tuple[Segment, ...]

    @property
    def size(self) -> int:
        return self.matrix.shape[0]


def _choose_version(text: str, ecc: str, min_version: int) -> Tuple[int, List[Segment]]:
    segs: List[Segment] = []
    used = 0
    for version in range(min_version, 41):
        if version == min_version or version in (10, 27):
            segs = segment_text(text, version)
            used = sum(s.bit_length(version) for s in segs)
        if used <= data_codewords(version, ecc) * 8 and all(
            s.char_count < 1 << _count_bits(s.mode, version) for s in segs
        ):
            return version, segs
    n_bytes = len(text.encode("utf-8"))
    raise ValueError(
        f"text too long for a QR code at error-correction level {ecc}: it needs {used} data bits "
        f"({n_bytes} UTF-8 bytes) but version 40-{ecc} holds at most {data_codewords(40, ecc) * 8} bits "
        f"({max_chars(40, ecc, MODE_BYTE)} bytes in byte mode); shorten it or use a lower level (L holds most)"
    )


def make_qr(text: str, ecc: str = "M", min_version: int = 1, mask: int | None = None) -> QrSymbol:
    """Encode ``text`` in the smallest version >= ``min_version``; ``mask`` None picks the lowest penalty."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    ecc = _check_ecc(ecc)
    _check_version(min_version)
    if mask is not None and mask not in range(8):
        raise ValueError(f"mask must be 0-7 or None, not {mask!r}")
    version, segs = _choose_version(text, ecc, min_version)
    codewords = add_ecc_and_interleave(build_data_codewords(segs, version, ecc), version, ecc)
    base, fn, rows, cols = _function_patterns(version)
    bits = np.unpackbits(np.frombuffer(codewords, dtype=np.uint8)).astype(bool)
    unmasked = base.copy()
    unmasked[rows, cols] = np.concatenate([bits, np.zeros(len(rows) - len(bits), dtype=bool)])  # remainder bits
    size = base.shape[0]
    best: Tuple[int, int, np.ndarray] | None = None
    for k in range(8) if mask is None else (mask,):
        cand = unmasked ^ (mask_pattern(k, size) & ~fn)
        _draw_format(cand, ecc, k)
        score = penalty(cand) if mask is None else 0
        if best is None or score < best[0]:
            best = (score, k, cand)
    assert best is not None
    return QrSymbol(matrix=best[2], version=version, ecc=ecc, mask=best[1], segments=tuple(segs))


def encode(text: str, ecc: str = "M") -> np.ndarray:
    """QR code of ``text`` as a bool matrix (True = dark), smallest version, best mask, no quiet zone."""
    return make_qr(text, ecc).matrix


# ---------------------------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------------------------

CJK_FONT_FAMILY = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'SimHei', 'PingFang SC', 'WenQuanYi Micro Hei', "
    "sans-serif"
)


def _with_quiet(matrix: np.ndarray, quiet: int) -> np.ndarray:
    m = np.asarray(matrix, dtype=bool)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError("matrix must be a square 2-D array")
    if quiet < 0:
        raise ValueError("quiet zone must be >= 0 modules")
    return np.pad(m, quiet, constant_values=False)


def to_svg(
    matrix: np.ndarray, module_mm: float = 0.5, quiet: int = 4, label: str | None = None, label_mm: float = 3.5
) -> str:
    """SVG document (sizes in mm) drawing all dark modules as one path; ``label`` is centred below the code.

    ``module_mm`` is the printed module size, ``quiet`` the quiet zone in modules (the standard asks for 4) and
    ``label_mm`` the label's largest font size; a long label is set smaller so it never overhangs the code.
    """
    if module_mm <= 0:
        raise ValueError("module_mm must be > 0")
    m = _with_quiet(matrix, quiet)
    n = m.shape[0]
    parts = []
    for y in range(n):
        row = m[y]
        edges = np.flatnonzero(np.diff(np.concatenate(([False], row, [False])).astype(np.int8)))
        for x0, x1 in zip(edges[::2], edges[1::2]):
            parts.append(f"M{x0} {y}h{x1 - x0}v1h-{x1 - x0}z")
    height = float(n)
    text_el = ""
    if label:
        # Shrink the font so the label stays within the symbol width (CJK glyphs ~1 em, others ~0.6 em).
        est_em = sum(1.0 if ord(c) > 0x2E7F else 0.6 for c in label)
        font = min(label_mm / module_mm, 0.95 * n / max(est_em, 1.0))
        band = font * 1.6
        height = n + band
        text_el = (
            f'<text x="{n / 2:g}" y="{n + font * 1.1:g}" font-size="{font:g}" text-anchor="middle" '
            f'font-family="{escape(CJK_FONT_FAMILY, {chr(34): "&quot;"})}" fill="#000">{escape(label)}</text>'
        )
    w_mm, h_mm = n * module_mm, height * module_mm
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w_mm:g}mm" height="{h_mm:g}mm" '
        f'viewBox="0 0 {n} {height:g}" shape-rendering="crispEdges">'
        f'<rect width="{n}" height="{height:g}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/>{text_el}</svg>'
    )


def _scaled(matrix: np.ndarray, scale: int, quiet: int) -> np.ndarray:
    if not (isinstance(scale, int) and scale >= 1):
        raise ValueError("scale must be an integer >= 1")
    m = _with_quiet(matrix, quiet)
    return np.repeat(np.repeat(m, scale, axis=0), scale, axis=1)


def to_pbm(matrix: np.ndarray, scale: int = 1, quiet: int = 4) -> bytes:
    """Binary PBM (P4) image, 1 = black."""
    img = _scaled(matrix, scale, quiet)
    h, w = img.shape
    return f"P4\n{w} {h}\n".encode("ascii") + np.packbits(img, axis=1).tobytes()


def to_png_bytes(matrix: np.ndarray, scale: int = 8, quiet: int = 4) -> bytes:
    """1-bit greyscale PNG of the symbol (dark modules black), ``scale`` pixels per module."""
    img = _scaled(matrix, scale, quiet)
    h, w = img.shape
    packed = np.packbits(~img, axis=1)  # greyscale: 1 = white
    raw = np.concatenate([np.zeros((h, 1), dtype=np.uint8), packed], axis=1).tobytes()  # filter type 0 per row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
