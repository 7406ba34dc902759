"""ISO 7064 MOD 11-2 check characters (the 18th character of a resident ID card, GB 11643).

The desk validates ID numbers typed from paper contracts and stamps its own digit codes with the same
scheme, so a single mistyped digit or two swapped neighbours never silently point at the wrong person or
parcel: MOD 11-2 detects every single-digit error and every adjacent transposition.

Rules, counted from the right with the check character itself at position 1:
weight(position p) = 2**(p - 1) mod 11 (so the rightmost data digit has weight 2),
check value = (12 - sum(digit * weight) mod 11) mod 11, and the value 10 is written 'X'.
Only ASCII digits are data: full-width digits (U+FF10-FF19) or other Unicode digits are rejected rather than
guessed, because silently accepting them would hide an input-method problem on the desk's side.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_CHECK_CHARS = "0123456789X"
_CHECK_TABLE = np.array(list(_CHECK_CHARS))


def _weights(n_digits: int) -> list[int]:
    """Weights of data digits, left to right; computed with pow() so long strings never overflow."""
    return [pow(2, n_digits - i, 11) for i in range(n_digits)]


def _require_digits(digits: str) -> None:
    """Raise ValueError unless ``digits`` is a non-empty string of ASCII digits."""
    if not isinstance(digits, str):
        raise TypeError(f"expected a str of digits, got {type(digits).__name__}")
    if not digits:
        raise ValueError("cannot compute a MOD 11-2 check character for an empty string")
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"MOD 11-2 needs ASCII digits 0-9 only, got {digits!r}")


def mod11_2(digits: str) -> str:
    """Return the MOD 11-2 check character ('0'-'9' or 'X') for a string of decimal digits."""
    _require_digits(digits)
    total = sum(int(d) * w for d, w in zip(digits, _weights(len(digits)), strict=True))
    return _CHECK_CHARS[(12 - total % 11) % 11]


def is_valid(code: str) -> bool:
    """True if ``code`` is at least one digit followed by its correct check character.

    A lowercase 'x' is accepted: case carries no information in this scheme and ID numbers typed into
    spreadsheets often end in 'x'. The plugin itself always writes uppercase 'X' (normalise with
    ``code.upper()`` before storing). Anything malformed (not a str, too short, stray characters,
    surrounding spaces) returns False instead of raising, so this can be used as a filter.
    """
    if not isinstance(code, str) or len(code) < 2:
        return False
    body, check = code[:-1], code[-1].upper()
    if not (body.isascii() and body.isdigit()):
        return False
    return mod11_2(body) == check


def _as_code_matrix(codes: Sequence[str] | np.ndarray) -> np.ndarray:
    """View the codes as an (n, length) matrix of character codes, without a Python loop over codes."""
    arr = np.asarray(codes)
    if arr.dtype.kind == "O":
        arr = arr.astype(str)
    if arr.dtype.kind == "S":
        item, width = np.uint8, arr.dtype.itemsize
    elif arr.dtype.kind == "U":
        item, width = np.uint32, arr.dtype.itemsize // 4
    else:
        raise TypeError(f"codes must be strings, got an array of dtype {arr.dtype}")
    flat = np.ascontiguousarray(arr.ravel())
    return flat.view(item).reshape(flat.size, width)


def mod11_2_many(codes: Sequence[str] | np.ndarray) -> np.ndarray:
    """Vectorised :func:`mod11_2` over equal-length digit strings; returns an array of 1-char str.

    Coding a county means millions of parcel codes at once, so the strings are viewed as a matrix of
    character codes and the weighted sum is accumulated column by column (a loop over the few
    character positions, never over the codes, and no int64 copy of the whole matrix). Accepts str or
    bytes arrays and lists; the result has the input's shape. Raises ValueError naming the first
    offending code if any code is empty, not all digits, or shorter than the longest one (numpy pads
    shorter strings with NUL, which is caught as a non-digit).
    """
    shape = np.shape(codes)
    if int(np.prod(shape)) == 0:
        return np.empty(shape, dtype="<U1")
    mat = _as_code_matrix(codes)
    bad = ((mat < ord("0")) | (mat > ord("9"))).any(axis=1)
    if bad.any():
        first = int(np.argmax(bad))
        raise ValueError(
            f"all codes must be non-empty ASCII digit strings of equal length {mat.shape[1]}; "
            f"code #{first} {np.asarray(codes).ravel()[first]!r} is not"
        )
    total = np.zeros(mat.shape[0], dtype=np.int64)
    for column, weight in enumerate(_weights(mat.shape[1])):
        total += (mat[:, column].astype(np.int64) - ord("0")) * weight
    return _CHECK_TABLE[(12 - total % 11) % 11].reshape(shape)
