"""Tests for the plain-Python QR encoder (linxia_tianguan_plugin.core.coding.qr).

Known vectors come from ISO/IEC 18004 (Annex A generator polynomials, Annex C format information, Annex D
version information, Annex I worked example, Table 7 capacities); round trips use a real decoder (zbarimg).
"""

from __future__ import annotations

import shutil
import string
import subprocess
import zlib

import numpy as np
import pytest

from linxia_tianguan_plugin.core.coding import qr

SPACE_CODE_URL = "https://tg.linxia.gov.cn/kjm/62292110000101000014"
CHINESE = "临夏县韩集镇 62292110000101000014"

# ISO 18004 Annex C, Table C.1: format information bit strings after masking, per level and mask 0-7.
FORMAT_STRINGS = {
    "L": ["111011111000100", "111001011110011", "111110110101010", "111100010011101",
          "110011000101111", "110001100011000", "110110001000001", "110100101110110"],
    "M": ["101010000010010", "101000100100101", "101111001111100", "101101101001011",
          "100010111111001", "100000011001110", "100111110010111", "100101010100000"],
    "Q": ["011010101011111", "011000001101000", "011111100110001", "011101000000110",
          "010010010110100", "010000110000011", "010111011011010", "010101111101101"],
    "H": ["001011010001001", "001001110111110", "001110011100111", "001100111010000",
          "000011101100010", "000001001010101", "000110100001100", "000100000111011"],
}  # fmt: skip

# ISO 18004 Annex D, Table D.1 (a sample): version information bit streams.
VERSION_INFO = {7: 0x07C94, 8: 0x085BC, 9: 0x09A99, 10: 0x0A4D3, 20: 0x149A6, 32: 0x209D5, 40: 0x28C69}

# ISO 18004 Annex A: generator polynomials as exponents of alpha, highest power first.
GENERATOR_EXPONENTS = {
    7: [0, 87, 229, 146, 149, 238, 102, 21],
    10: [0, 251, 67, 46, 61, 118, 70, 64, 94, 32, 45],
}

# ISO 18004 Table 7 (a sample): (version, level) -> (numeric, alphanumeric, byte) capacity.
CAPACITY = {
    (1, "L"): (41, 25, 17), (1, "M"): (34, 20, 14), (1, "Q"): (27, 16, 11), (1, "H"): (17, 10, 7),
    (2, "M"): (63, 38, 26), (7, "M"): (293, 178, 122), (10, "M"): (513, 311, 213), (10, "H"): (288, 174, 119),
    (40, "L"): (7089, 4296, 2953), (40, "M"): (5596, 3391, 2331), (40, "Q"): (3993, 2420, 1663),
    (40, "H"): (3057, 1852, 1273),
}  # fmt: skip


# --------------------------------------------------------------------------------------------------------------
# Known vectors
# --------------------------------------------------------------------------------------------------------------


def test_annex_i_worked_example_codewords():
    segs = qr.segment_text("01234567", 1)
    assert [s.mode for s in segs] == [qr.MODE_NUMERIC]
    data = qr.build_data_codewords(segs, 1, "M")
    assert data == bytes.fromhex("10 20 0C 56 61 80 EC 11 EC 11 EC 11 EC 11 EC 11")
    full = qr.add_ecc_and_interleave(data, 1, "M")
    assert full[16:] == bytes.fromhex("A5 24 D4 C1 ED 36 C7 87 2C 55")
    assert qr.make_qr("01234567").version == 1


@pytest.mark.parametrize("degree", sorted(GENERATOR_EXPONENTS))
def test_generator_polynomials(degree):
    gen = qr.rs_generator(degree)
    assert [qr._GF_LOG[c] for c in gen] == GENERATOR_EXPONENTS[degree]


def test_gf_arithmetic():
    assert qr.gf_mul(0, 7) == 0
    assert qr.gf_mul(2, 128) == 0x1D  # alpha^8 = x^4+x^3+x^2+1
    for a in range(1, 256):
        inv = qr._GF_EXP[255 - qr._GF_LOG[a]]
        assert qr.gf_mul(a, inv) == 1


@pytest.mark.parametrize("ecc", qr.ECC_LEVELS)
def test_format_information_table(ecc):
    assert [format(qr.format_bits(ecc, m), "015b") for m in range(8)] == FORMAT_STRINGS[ecc]


def test_version_information_table():
    for version, bits in VERSION_INFO.items():
        assert qr.version_bits(version) == bits


def test_tables_consistent_with_formulas():
    for v in range(1, 41):
        assert qr.raw_data_modules(v) // 8 == qr.TOTAL_CODEWORDS[v]
        # Alignment positions: evenly spaced from the far edge back to column 6 (Annex E rule).
        pos = qr.ALIGNMENT_POSITIONS[v]
        if v == 1:
            assert pos == ()
            continue
        size = 4 * v + 17
        assert pos[0] == 6 and pos[-1] == size - 7 and len(pos) == v // 7 + 2
        steps = {b - a for a, b in zip(pos[1:-1], pos[2:])}
        assert len(steps) <= 1 and all(s % 2 == 0 for s in steps)
        # The usual closed form of Table E.1 (even spacing, rounded up to even; version 32 is the exception).
        n_align = v // 7 + 2
        step = 26 if v == 32 else (v * 4 + n_align * 2 + 1) // (n_align * 2 - 2) * 2
        assert pos == (6, *sorted(size - 7 - i * step for i in range(n_align - 1)))
        for ecc in qr.ECC_LEVELS:
            blocks = qr.ECC_BLOCKS[ecc][v]
            per_block = qr.TOTAL_CODEWORDS[v] // blocks - qr.ECC_CODEWORDS_PER_BLOCK[ecc][v]
            assert per_block > 0


@pytest.mark.parametrize(("key", "expected"), sorted(CAPACITY.items()))
def test_capacity_table_7(key, expected):
    version, ecc = key
    got = tuple(qr.max_chars(version, ecc, m) for m in (qr.MODE_NUMERIC, qr.MODE_ALNUM, qr.MODE_BYTE))
    assert got == expected


def test_format_and_version_information_in_matrix():
    for ecc in qr.ECC_LEVELS:
        sym = qr.make_qr("HELLO 123", ecc)
        m = sym.matrix
        n = sym.size
        bits = [int(m[i, 8]) for i in range(6)] + [int(m[7, 8]), int(m[8, 8]), int(m[8, 7])]
        bits += [int(m[8, 14 - i]) for i in range(9, 15)]
        word = sum(b << i for i, b in enumerate(bits))
        assert word == qr.format_bits(ecc, sym.mask)
        second = [int(m[8, n - 1 - i]) for i in range(8)] + [int(m[n - 15 + i, 8]) for i in range(8, 15)]
        assert sum(b << i for i, b in enumerate(second)) == word
        assert m[n - 8, 8]  # dark module
    sym = qr.make_qr("x" * 120, "M")  # version 7
    assert sym.version == 7
    n = sym.size
    upper_right = sum(int(sym.matrix[i // 3, n - 11 + i % 3]) << i for i in range(18))
    lower_left = sum(int(sym.matrix[n - 11 + i % 3, i // 3]) << i for i in range(18))
    assert upper_right == lower_left == VERSION_INFO[7]


def test_function_patterns():
    m = qr.encode("A")
    assert m.shape == (21, 21) and m.dtype == bool
    finder = np.ones((7, 7), dtype=bool)
    finder[1:6, 1:6] = False
    finder[2:5, 2:5] = True
    assert (m[:7, :7] == finder).all() and (m[:7, -7:] == finder).all() and (m[-7:, :7] == finder).all()
    assert not m[7, :8].any() and not m[:8, 7].any()  # separators
    assert (m[6, 8:13] == [True, False, True, False, True]).all()  # timing
    big = qr.make_qr("y" * 60).matrix  # version 4: one alignment pattern at (26, 26)
    assert big.shape == (33, 33)
    assert big[26, 26] and not big[25, 26] and big[24, 26] and not big[26, 27] and big[26, 28]


# --------------------------------------------------------------------------------------------------------------
# Mode selection, masks, penalties
# --------------------------------------------------------------------------------------------------------------


def test_mode_selection():
    assert [s.mode for s in qr.make_qr("0123456789").segments] == [qr.MODE_NUMERIC]
    assert [s.mode for s in qr.make_qr("HELLO WORLD").segments] == [qr.MODE_ALNUM]
    assert [s.mode for s in qr.make_qr("hello").segments] == [qr.MODE_BYTE]
    url_upper = qr.make_qr(SPACE_CODE_URL.upper()).segments
    assert [s.mode for s in url_upper] == [qr.MODE_ALNUM, qr.MODE_NUMERIC]
    assert "".join(s.text for s in url_upper) == SPACE_CODE_URL.upper()
    url = qr.make_qr(SPACE_CODE_URL).segments
    assert [s.mode for s in url] == [qr.MODE_BYTE, qr.MODE_NUMERIC]
    # A short digit run inside text is not worth a mode switch.
    assert [s.mode for s in qr.make_qr("ab12cd").segments] == [qr.MODE_BYTE]


@pytest.mark.parametrize("version", [1, 10, 27])
def test_segmentation_never_longer_than_single_mode(version):
    rng = np.random.default_rng(version)
    alphabet = list("0123456789" * 3 + "ABCXYZ :/." + "abcxyz" + "临夏")
    for _ in range(200):
        text = "".join(rng.choice(alphabet, size=int(rng.integers(1, 40))))
        segs = qr.segment_text(text, version)
        assert "".join(s.text for s in segs) == text
        mixed = sum(s.bit_length(version) for s in segs)
        single = sum(s.bit_length(version) for s in qr._single_mode(text))
        assert mixed <= single


def test_mask_choice_has_lowest_penalty():
    sym = qr.make_qr(SPACE_CODE_URL)
    scores = [qr.penalty(qr.make_qr(SPACE_CODE_URL, mask=k).matrix) for k in range(8)]
    assert scores[sym.mask] == min(scores)
    assert (qr.make_qr(SPACE_CODE_URL, mask=sym.mask).matrix == sym.matrix).all()


def test_penalty_rules_on_small_patterns():
    # N1: a 7-long run scores 3 + 2; columns of alternating colours score nothing.
    row = np.array([[1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1]], dtype=bool)
    assert qr._run_penalty(row) == 5
    # N3: 1011101 followed by four light modules, and preceded by them, counted once each.
    finder = np.array([[1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0]], dtype=bool)
    assert qr._finder_penalty(finder) == 2 * 40  # the left side counts the (light) quiet zone
    # N2 and N4 on an all-dark 3x3: 4 blocks * 3, runs < 5, 100% dark -> k = 9 -> 90.
    assert qr.penalty(np.ones((3, 3), dtype=bool)) == 4 * 3 + 90


def test_mask_patterns():
    m0 = qr.mask_pattern(0, 4)
    assert m0[0, 0] and not m0[0, 1] and m0[1, 1]
    assert qr.mask_pattern(1, 3)[:, 0].tolist() == [True, False, True]
    assert qr.mask_pattern(2, 4)[0].tolist() == [True, False, False, True]
    with pytest.raises(ValueError):
        qr.mask_pattern(8, 3)


# --------------------------------------------------------------------------------------------------------------
# Capacity edges and errors
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ecc", qr.ECC_LEVELS)
@pytest.mark.parametrize("version", [1, 2, 7, 9, 10, 26, 27, 39])
def test_longest_text_fits_and_one_more_byte_moves_up(ecc, version):
    n = qr.max_chars(version, ecc, qr.MODE_BYTE)
    text = ("qrcode" * 1000)[:n]
    assert qr.make_qr(text, ecc).version == version
    assert qr.make_qr(text + "q", ecc).version == version + 1


@pytest.mark.parametrize("ecc", qr.ECC_LEVELS)
def test_too_long_for_version_40(ecc):
    n = qr.max_chars(40, ecc, qr.MODE_BYTE)
    assert qr.make_qr("z" * n, ecc).version == 40
    with pytest.raises(ValueError, match=r"text too long for a QR code .*version 40"):
        qr.encode("z" * (n + 1), ecc)
    digits = "7" * qr.max_chars(40, ecc, qr.MODE_NUMERIC)
    assert qr.make_qr(digits, ecc).version == 40
    with pytest.raises(ValueError, match="too long"):
        qr.encode(digits + "7", ecc)


def test_bad_arguments():
    with pytest.raises(ValueError, match="error-correction level"):
        qr.encode("x", "X")
    with pytest.raises(TypeError):
        qr.encode(b"x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mask"):
        qr.make_qr("x", mask=9)
    assert qr.encode("x", "l").shape == (21, 21)  # level letters are case-insensitive


# --------------------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------------------


def test_svg_output():
    m = qr.encode(SPACE_CODE_URL)
    svg = qr.to_svg(m, module_mm=0.5, quiet=4, label="临夏县 <62292110000101000014>")
    n = m.shape[0] + 8
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<path") == 1
    assert f'width="{n * 0.5:g}mm"' in svg
    assert "Noto Sans CJK SC" in svg and "Microsoft YaHei" in svg
    assert "临夏县 &lt;62292110000101000014&gt;" in svg
    # Every dark module is covered by exactly one unit-height run in the path.
    assert svg.count("v1h-") == sum(
        int(np.count_nonzero(np.diff(np.concatenate(([0], row.astype(int), [0]))) == 1)) for row in m
    )
    assert "<text" not in qr.to_svg(m)
    # A long label is set smaller than label_mm so it stays within the symbol's width.
    short = qr.to_svg(m, module_mm=1.0, label="A", label_mm=3.5)
    long = qr.to_svg(m, module_mm=1.0, label="临夏回族自治州临夏县韩集镇 62292110000101000014", label_mm=3.5)
    assert 'font-size="3.5"' in short and 'font-size="3.5"' not in long


def test_png_and_pbm_structure():
    m = qr.encode("HELLO")
    png = qr.to_png_bytes(m, scale=3, quiet=2)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    w = int.from_bytes(png[16:20], "big")
    assert w == (21 + 4) * 3
    idat_len = int.from_bytes(png[33:37], "big")
    raw = zlib.decompress(png[41 : 41 + idat_len])
    stride = 1 + (w + 7) // 8
    first_module_row = raw[2 * 3 * stride : 2 * 3 * stride + stride]  # pixel row at module row 0 (after quiet)
    assert first_module_row[0] == 0  # filter byte
    pbm = qr.to_pbm(m, scale=1, quiet=0)
    assert pbm.startswith(b"P4\n21 21\n") and len(pbm) == len(b"P4\n21 21\n") + 21 * 3


# --------------------------------------------------------------------------------------------------------------
# Round trips through a real decoder
# --------------------------------------------------------------------------------------------------------------


def _zbarimg() -> str:
    exe = shutil.which("zbarimg")
    if exe is None:
        pytest.fail("zbarimg not found: install it with 'apt-get install -y zbar-tools' (tools/setup_env.sh)")
    return exe


def _decode(tmp_path, matrix, name="qr.png", scale=4) -> str:
    path = tmp_path / name
    path.write_bytes(qr.to_png_bytes(matrix, scale=scale, quiet=4))
    proc = subprocess.run([_zbarimg(), "--raw", "-q", str(path)], capture_output=True, check=False, timeout=60)
    assert proc.returncode == 0, f"zbarimg could not decode {name}: rc={proc.returncode} {proc.stderr!r}"
    out = proc.stdout.decode("utf-8")
    assert out.endswith("\n")
    return out[:-1]


ROUND_TRIP = {
    "numeric": "0123456789012345678901234567890123456789",
    "alphanumeric": "LINXIA TIANGUAN $%*+-./: 2024",
    "chinese": CHINESE,
    "space_code_url": SPACE_CODE_URL,
    "space_code_url_upper": SPACE_CODE_URL.upper(),
    "bare_space_code": "62292110000101000014",
}


@pytest.mark.parametrize("name", sorted(ROUND_TRIP))
def test_zbar_round_trip_content(tmp_path, name):
    text = ROUND_TRIP[name]
    assert _decode(tmp_path, qr.encode(text), f"{name}.png") == text


@pytest.mark.parametrize("ecc", qr.ECC_LEVELS)
def test_zbar_round_trip_each_level(tmp_path, ecc):
    for text in (SPACE_CODE_URL, CHINESE):
        sym = qr.make_qr(text, ecc)
        assert sym.ecc == ecc
        assert _decode(tmp_path, sym.matrix, f"{ecc}.png") == text


@pytest.mark.parametrize("mask", range(8))
def test_zbar_round_trip_each_mask(tmp_path, mask):
    sym = qr.make_qr(SPACE_CODE_URL, "Q", mask=mask)
    assert sym.mask == mask
    assert _decode(tmp_path, sym.matrix, f"mask{mask}.png") == SPACE_CODE_URL


def _text_for_version(version: int, ecc: str) -> str:
    """Longest printable-ASCII text (byte mode) that still needs ``version``."""
    alphabet = string.ascii_lowercase + string.digits + "-_.~/?=&"
    n = qr.max_chars(version, ecc, qr.MODE_BYTE)
    rng = np.random.default_rng(version)
    text = "".join(rng.choice(list(alphabet), size=n))
    while qr.make_qr(text, ecc).version < version:  # mixed segments may pack digits tighter: add to fill up
        text += "x"
    while qr.make_qr(text, ecc).version > version:
        text = text[:-1]
    return text


@pytest.mark.parametrize(
    ("version", "ecc"), [(1, "M"), (2, "L"), (7, "M"), (10, "Q"), (25, "H"), (25, "L"), (40, "L"), (40, "H")]
)
def test_zbar_round_trip_versions(tmp_path, version, ecc):
    text = _text_for_version(version, ecc)
    sym = qr.make_qr(text, ecc)
    assert sym.version == version
    assert sym.size == 4 * version + 17
    assert _decode(tmp_path, sym.matrix, f"v{version}{ecc}.png") == text


def test_zbar_round_trip_mixed_segments_every_version_group(tmp_path):
    text = "临夏州 " + "62292110000101000014" * 12 + " GRID/A-01 " + "ab" * 20
    for min_version in (1, 10, 27):
        sym = qr.make_qr(text, "M", min_version=min_version)
        assert len({s.mode for s in sym.segments}) >= 2
        assert _decode(tmp_path, sym.matrix, f"mixed{min_version}.png") == text
