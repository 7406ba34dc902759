"""The parcel space code (空间码): structure, composition and parsing.

A code is 20 characters: county 6 + township 3 + village 3 + group 2 + parcel sequence 5 + one
ISO 7064 MOD 11-2 check character. The first 19 characters have exactly the shape of a contract
parcel code (DKBM, GB/T 35958), so officers read it like the codes they already know, and the check
character catches a mistyped digit when a code is keyed in from a warning post. See docs/space-code.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from . import checkchar

CODE_LENGTH = 20
BODY_LENGTH = 19
GROUP_CODE_LENGTH = 14  # county 6 + township 3 + village 3 + group 2 (= FBFBM of contract data)

#: Sequence numbers of contract parcels (承包地块) and of farmland no contract parcel covers.
CONTRACT_SEQ_RANGE = (1, 89999)
UNASSIGNED_SEQ_RANGE = (90001, 99999)

_BODY_RE = re.compile(r"^\d{19}$")
_GROUP_RE = re.compile(r"^\d{14}$")


class SpaceCodeError(ValueError):
    """A string that is not a valid space code; the message says which part is wrong."""


@dataclass(frozen=True)
class SpaceCode:
    """A parsed space code."""

    county: str
    township: str
    village: str
    group: str
    seq: int

    @property
    def group_code(self) -> str:
        """The 14-digit group (社) code, identical to the FBFBM of the contract data."""
        return self.county + self.township + self.village + self.group

    @property
    def township_code(self) -> str:
        return self.county + self.township

    @property
    def village_code(self) -> str:
        return self.county + self.township + self.village

    @property
    def body(self) -> str:
        return f"{self.group_code}{self.seq:05d}"

    @property
    def code(self) -> str:
        return self.body + checkchar.mod11_2(self.body)

    @property
    def is_unassigned(self) -> bool:
        """True for farmland that no contract parcel covers (reserved sequence range)."""
        return self.seq >= UNASSIGNED_SEQ_RANGE[0]

    def __str__(self) -> str:
        return self.code


def is_group_code(value: str) -> bool:
    return bool(value) and bool(_GROUP_RE.match(value))


def compose(group_code: str, seq: int) -> str:
    """Return the 20-character code of parcel ``seq`` in group ``group_code`` (14 digits)."""
    if not is_group_code(group_code):
        raise SpaceCodeError(f"group code must be 14 digits, got {group_code!r}")
    if not 1 <= int(seq) <= 99999:
        raise SpaceCodeError(f"sequence must be 1–99999, got {seq}")
    body = f"{group_code}{int(seq):05d}"
    return body + checkchar.mod11_2(body)


def compose_many(group_codes: np.ndarray, seqs: np.ndarray) -> np.ndarray:
    """Vectorised :func:`compose` for the 100 000s of parcels of a county (inputs already validated)."""
    group_codes = np.asarray(group_codes, dtype="U14")
    seqs = np.asarray(seqs, dtype=np.int64)
    if group_codes.size == 0:
        return np.zeros(0, dtype="U20")
    bodies = np.char.add(group_codes, np.char.zfill(seqs.astype("U5"), 5))
    return np.char.add(bodies, checkchar.mod11_2_many(bodies))


def parse(code: str) -> SpaceCode:
    """Parse and check a code; raise :class:`SpaceCodeError` saying what is wrong."""
    if code is None:
        raise SpaceCodeError("empty code")
    text = str(code).strip().upper()
    if len(text) != CODE_LENGTH:
        raise SpaceCodeError(f"a space code has {CODE_LENGTH} characters, {text!r} has {len(text)}")
    body, check = text[:BODY_LENGTH], text[BODY_LENGTH]
    if not _BODY_RE.match(body):
        raise SpaceCodeError(f"the first 19 characters of {text!r} must be digits")
    expected = checkchar.mod11_2(body)
    if check != expected:
        raise SpaceCodeError(f"check character of {text!r} is {check!r}, expected {expected!r}")
    seq = int(body[14:])
    if seq == 0:
        raise SpaceCodeError(f"sequence 00000 in {text!r} is not used")
    return SpaceCode(body[:6], body[6:9], body[9:12], body[12:14], seq)


def try_parse(code: str) -> SpaceCode | None:
    try:
        return parse(code)
    except SpaceCodeError:
        return None
