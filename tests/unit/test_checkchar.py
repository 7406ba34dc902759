"""Tests for ISO 7064 MOD 11-2 check characters (linxia_tianguan_plugin.core.coding.checkchar)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from linxia_tianguan_plugin.core.coding.checkchar import is_valid, mod11_2, mod11_2_many

# Widely published sample ID numbers. By hand for the first: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
# on 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 give 167; 167 mod 11 = 2; (12 - 2) mod 11 = 10 -> 'X'.
VALID_IDS = ["11010519491231002X", "440524188001010014"]


def iso7064_recursive(digits: str) -> str:
    """Independent reference: the ISO 7064 'pure system' recursion p = 2 (p + d) mod 11."""
    p = 0
    for d in digits:
        p = (p + int(d)) * 2 % 11
    return "0123456789X"[(12 - p) % 11]


def random_digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


@pytest.mark.parametrize("code", VALID_IDS)
def test_known_id_numbers_are_valid(code: str) -> None:
    assert mod11_2(code[:-1]) == code[-1]
    assert is_valid(code)


def test_weights_count_from_the_right() -> None:
    # Rightmost data digit has weight 2: '1' -> (12 - 2) % 11 = 10 -> 'X'; its left neighbour weight 4.
    assert mod11_2("1") == "X"
    assert mod11_2("10") == "8"  # (12 - 4) % 11
    assert mod11_2("0") == "1"
    assert mod11_2("0" * 50) == "1"


def test_matches_recursive_reference_for_many_lengths() -> None:
    rng = random.Random(7064)
    for n in [*range(1, 40), 100, 257]:
        for _ in range(20):
            digits = random_digits(rng, n)
            assert mod11_2(digits) == iso7064_recursive(digits)


def test_lowercase_x_accepted_but_never_written() -> None:
    assert is_valid("11010519491231002x")
    assert mod11_2("11010519491231002") == "X"


@pytest.mark.parametrize(
    "code",
    ["", "X", "5", "11010519491231002Y", "440524188001010015", " 440524188001010014",
     "44052418800101001\uff14", "4405241880010100\uff114", "1101051949123100X2", None, 440524188001010014],
)
def test_is_valid_rejects_malformed_without_raising(code: object) -> None:
    assert is_valid(code) is False  # type: ignore[arg-type]


@pytest.mark.parametrize("digits", ["", "12a4", "12 4", "-123", "\uff11\uff12\uff13", "٣٤٥", "1.5"])
def test_mod11_2_rejects_non_digits(digits: str) -> None:
    with pytest.raises(ValueError):
        mod11_2(digits)


def test_mod11_2_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        mod11_2(12345)  # type: ignore[arg-type]


def _bases(count: int = 25, length: int = 19) -> list[str]:
    rng = random.Random(112)
    return [random_digits(rng, length) for _ in range(count)]


@pytest.mark.parametrize("base", _bases())
def test_every_single_digit_error_is_detected(base: str) -> None:
    code = base + mod11_2(base)
    assert is_valid(code)
    for i in range(len(base)):
        for d in "0123456789":
            if d != base[i]:
                assert not is_valid(code[:i] + d + code[i + 1:]), (code, i, d)
    for c in "0123456789X":
        if c != code[-1]:
            assert not is_valid(code[:-1] + c)


@pytest.mark.parametrize("base", _bases())
def test_every_adjacent_transposition_is_detected(base: str) -> None:
    code = base + mod11_2(base)
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            assert not is_valid(swapped), (code, i)


@pytest.mark.parametrize("length", [1, 2, 17, 19, 40])
def test_vectorised_equals_scalar(length: int) -> None:
    rng = np.random.default_rng(length)
    codes = ["".join(map(str, row)) for row in rng.integers(0, 10, size=(5000, length))]
    expected = [mod11_2(c) for c in codes]
    assert mod11_2_many(codes).tolist() == expected
    assert mod11_2_many(np.array(codes)).tolist() == expected
    assert mod11_2_many(np.array(codes, dtype="S")).tolist() == expected
    assert mod11_2_many(np.array(codes, dtype=object)).tolist() == expected


def test_vectorised_known_ids_and_result_type() -> None:
    result = mod11_2_many([c[:-1] for c in VALID_IDS])
    assert result.dtype.kind == "U"
    assert result.tolist() == [c[-1] for c in VALID_IDS]


def test_vectorised_keeps_shape() -> None:
    codes = np.array([["0001", "1234"], ["9999", "0420"]])
    result = mod11_2_many(codes)
    assert result.shape == (2, 2)
    assert result.tolist() == [[mod11_2(c) for c in row] for row in codes.tolist()]


def test_vectorised_empty() -> None:
    assert mod11_2_many([]).shape == (0,)
    assert mod11_2_many(np.array([], dtype="U17")).shape == (0,)


@pytest.mark.parametrize(
    "codes",
    [["123", "12"], ["123", "1a3"], [""], ["", ""], ["12", "\uff112"], ["12", " 1"]],
)
def test_vectorised_rejects_bad_codes_and_names_the_first(codes: list[str]) -> None:
    with pytest.raises(ValueError, match="code #"):
        mod11_2_many(codes)


def test_vectorised_rejects_numbers() -> None:
    with pytest.raises(TypeError):
        mod11_2_many(np.array([123, 456]))
