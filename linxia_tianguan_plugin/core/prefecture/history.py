"""What a desk may publish over the shared store's history of its codes.

Upstream, codes are append-only: a code once published keeps its identity — the group and sequence it was issued
in, when and by which coding run — and a retired code stays retired. A desk whose registry says otherwise (a code
re-issued to another parcel after a store was rebuilt, a retired code made active again by an undo after it was
published, another desk's registry for the same county) would rewrite the prefecture's history; the publish is
refused as a whole, listing the codes, before anything is written. The database refuses the same rows again
(triggers), so no client can skip this check.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: the columns that make a code's identity (never changed once published)
IDENTITY = ("group_code", "seq", "coded_at", "run_id")
RETIRED, ACTIVE = "retired", "active"
#: reasons of a :class:`CodeConflict`
REISSUED, REACTIVATED = "reissued", "reactivated"


@dataclass(frozen=True)
class CodeConflict:
    code: str
    reason: str  # REISSUED or REACTIVATED
    upstream: str  # what the shared store says (for the message)
    desk: str  # what the desk says


def _identity(row: Mapping) -> tuple:
    return tuple("" if row.get(c) is None else str(row.get(c)) for c in IDENTITY)


def code_conflicts(desk: Iterable[Mapping], upstream: Mapping[str, Mapping]) -> list[CodeConflict]:
    """The desk's code rows (``code``, ``status`` and :data:`IDENTITY`) that contradict ``upstream`` (code → the
    shared store's row); codes upstream does not know yet are new and never conflict. Sorted by code."""
    out = []
    for row in desk:
        known = upstream.get(row["code"])
        if known is None:
            continue
        if _identity(row) != _identity(known):
            out.append(CodeConflict(row["code"], REISSUED, " / ".join(_identity(known)), " / ".join(_identity(row))))
        elif known.get("status") == RETIRED and row.get("status") != RETIRED:
            out.append(CodeConflict(row["code"], REACTIVATED, RETIRED, str(row.get("status"))))
    return sorted(out, key=lambda c: c.code)
