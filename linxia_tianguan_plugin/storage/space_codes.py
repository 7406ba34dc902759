"""What the QR labels and the code checks read from the 田管库's space-code registry (``tg_space_code``).

Read-only: the registry is written by one-click coding alone (:class:`.store.CodingSession`). A label is the
parcel's code, its QR content and its 耕地 / 永久基本农田 mu; only active codes get one.
"""
from __future__ import annotations

from collections.abc import Iterable

from . import gpkg
from .store import GpkgStore

#: codes per IN (…) query (SQLite's default limit on variables is 999)
IN_CHUNK = 500
_LABEL_COLUMNS = "code, qr, coalesce(gdmj_mu, 0), coalesce(yjmj_mu, 0)"


def label_rows(store: GpkgStore, prefixes: Iterable[str] = (), codes: Iterable[str] = ()
               ) -> dict[str, tuple[str, str | None, float, float]]:
    """code → (code, QR content, 耕地 mu, 永久基本农田 mu) of the active codes starting with one of ``prefixes``
    or equal to one of ``codes``: what a label prints."""
    chosen: dict[str, tuple] = {}
    wanted = list(prefixes)
    if wanted:
        clause = " OR ".join("code LIKE ?" for _ in wanted)
        for row in store.conn.execute(f"SELECT {_LABEL_COLUMNS} FROM tg_space_code "
                                      f"WHERE status = 'active' AND ({clause})", [c + "%" for c in wanted]):
            chosen[row[0]] = row
    exact = sorted(set(codes))
    for k in range(0, len(exact), IN_CHUNK):
        chunk = exact[k:k + IN_CHUNK]
        for row in store.conn.execute(f"SELECT {_LABEL_COLUMNS} FROM tg_space_code WHERE status = 'active' "
                                      f"AND code IN ({','.join('?' * len(chunk))})", chunk):
            chosen[row[0]] = row
    return chosen


def group_shapes(store: GpkgStore, group: str) -> list[tuple[bytes, bool]]:
    """(WKB, whether it holds 永久基本农田) of the active parcels under the group code: the warning sign's map."""
    rows = store.conn.execute("SELECT geom, coalesce(yjmj_m2, 0) > 0 FROM tg_space_code WHERE status = 'active' "
                              "AND code >= ? AND code < ?", (group, group + "\uffff")).fetchall()
    return [(gpkg.decode_blob(g), bool(b)) for g, b in rows]


def registry_codes(store: GpkgStore) -> tuple[set[str], set[str]]:
    """(active codes, retired codes) of the registry: what a layer's codes are checked against."""
    active, retired = set(), set()
    for code, status in store.conn.execute("SELECT code, status FROM tg_space_code"):
        if status == "active":
            active.add(code)
        elif status == "retired":
            retired.add(code)
    return active, retired
