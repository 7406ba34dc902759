"""Scopes of the shared store's roles: a role reads the places under its administrative code.

A scope is the code of the unit a role answers for — 4 digits for the 州 (6229: every county), 6 for a 县
(622921: its own county, which it also publishes), 9 for a 乡 (622921100: read-only, its township). A role reads
the rows of the counties under it (or of the county it is in) whose place code (a space code, a grid code, a unit
code) is under the scope or is one of the scope's parents — a township sees its own cells and parcels and the
county's and prefecture's cells above them, not its neighbours'; a row without a place of its own (a coding run,
a track file) belongs to its county and is read by the county's township roles too. The database applies the same
rule in its row-level security (``storage/pg_prefecture.py``); this module is the rule in words for the desk, and
what the tests compare the database with.
"""
from __future__ import annotations

PREFECTURE, COUNTY, TOWNSHIP = 4, 6, 9
#: scope length → level name (for messages and docs)
LEVELS = {PREFECTURE: "prefecture", COUNTY: "county", TOWNSHIP: "township"}


class ScopeError(ValueError):
    """A scope code that is not 4, 6 or 9 digits."""


def check_scope(code: str) -> str:
    """``code`` if it is a 州 (4 digits), 县 (6) or 乡 (9) code."""
    if not isinstance(code, str) or not code.isascii() or not code.isdigit() or len(code) not in LEVELS:
        raise ScopeError(f"scope {code!r} is not a prefecture (4 digits), county (6) or township (9) code")
    return code


def sees(scope: str, county_code: str, place: str | None) -> bool:
    """Whether a role of ``scope`` reads a row of ``county_code`` whose place code is ``place`` (None: the row
    has no place of its own and belongs to the whole county)."""
    check_scope(scope)
    if not (county_code.startswith(scope) or scope.startswith(county_code)):
        return False
    where = county_code if place is None else place
    return where.startswith(scope) or scope.startswith(where)


def may_publish(scope: str, county_code: str) -> bool:
    """Only a county role writes, and only its own county's rows."""
    return len(check_scope(scope)) == COUNTY and scope == county_code
