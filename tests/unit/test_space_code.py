"""The space code: structure, check character, parsing and vectorised composition."""
import numpy as np
import pytest

from linxia_tianguan_plugin.core.coding import checkchar
from linxia_tianguan_plugin.core.coding.space_code import SpaceCodeError, compose, compose_many, parse, try_parse


def test_compose_has_dkbm_shape_plus_check_character():
    code = compose("62292110020101", 1)
    assert len(code) == 20
    assert code[:19] == "6229211002010100001"  # a DKBM-shaped body
    assert code[19] == checkchar.mod11_2(code[:19])
    assert checkchar.is_valid(code)


def test_parse_round_trip_and_parts():
    code = compose("62292120821507", 90017)
    parsed = parse(code)
    assert (parsed.county, parsed.township, parsed.village, parsed.group, parsed.seq) == (
        "622921", "208", "215", "07", 90017)
    assert parsed.code == code
    assert parsed.group_code == "62292120821507"
    assert parsed.is_unassigned


@pytest.mark.parametrize("bad, reason", [
    ("6229211002010100001", "20 characters"),
    ("622921100201010000A2", "digits"),
    ("62292110020101000000", "00000"),
])
def test_parse_rejects_with_reason(bad, reason):
    if reason == "00000":
        bad = bad[:19] + checkchar.mod11_2(bad[:19])
    with pytest.raises(SpaceCodeError, match=reason):
        parse(bad)


def test_parse_detects_every_single_digit_typo():
    code = compose("62292110020101", 123)
    for pos in range(19):
        for digit in "0123456789":
            if digit == code[pos]:
                continue
            typo = code[:pos] + digit + code[pos + 1:]
            assert try_parse(typo) is None, typo


def test_parse_accepts_lowercase_x_and_blanks():
    body = next(f"62292110020101{s:05d}" for s in range(1, 2000) if checkchar.mod11_2(f"62292110020101{s:05d}") == "X")
    assert parse(" " + body + "x ").code == body + "X"


def test_compose_many_matches_compose():
    rng = np.random.default_rng(3)
    groups = np.array([f"622921{rng.integers(100, 300):03d}{rng.integers(201, 260):03d}{rng.integers(0, 12):02d}"
                       for _ in range(500)])
    seqs = rng.integers(1, 99999, 500)
    many = compose_many(groups, seqs)
    assert list(many) == [compose(g, int(s)) for g, s in zip(groups, seqs)]
    assert compose_many(np.array([], dtype="U14"), np.array([], dtype=int)).shape == (0,)


@pytest.mark.parametrize("group, seq", [("6229211002010", 1), ("62292110020101", 0), ("62292110020101", 100000)])
def test_compose_rejects_bad_parts(group, seq):
    with pytest.raises(SpaceCodeError):
        compose(group, seq)
