"""警示桩登记 — the register of installed warning posts in the 田管库 (table ``tg_warning_post``, migration 16).

A post is known by the number painted on it (``post_id``). Importing the register again is the way a desk reports
what the officers found on their rounds: a known post gets its new condition and note, a new one is added, and the
installation date and position of a known post stay as first registered (a post is not moved by a typo in a later
list). All SQL of the register is here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from ..core import clock
from . import gpkg
from .store import GpkgStore

TABLE = "tg_warning_post"
#: the conditions a post may be in (the CHECK of the table)
CONDITIONS = ("完好", "损坏", "缺失", "其他")


@dataclass(frozen=True)
class Post:
    """One row of a register as read and checked: ``x``/``y`` in the store's CRS."""
    post_id: str
    label_code: str
    x: float
    y: float
    installed_on: str | None  # YYYY-MM-DD
    condition: str
    note: str | None


def _now() -> str:
    return clock.now_utc().strftime("%Y-%m-%dT%H:%M:%SZ")


def save_posts(store: GpkgStore, posts: list[Post], source: str) -> tuple[list[str], list[str]]:
    """(added, updated) post ids: new posts are added; a known post whose condition or note differs gets them
    (an unchanged one is not touched, so importing the same list twice changes nothing)."""
    now = _now()
    added: list[str] = []
    updated: list[str] = []
    with store.transaction() as conn:
        known = {r[0]: (r[1], r[2]) for r in conn.execute(f'SELECT post_id, condition, note FROM "{TABLE}"')}
        new = [p for p in posts if p.post_id not in known]
        changed = [p for p in posts if p.post_id in known and known[p.post_id] != (p.condition, p.note)]
        if new:
            wkb = np.array([shapely.to_wkb(shapely.points(p.x, p.y)) for p in new], dtype=object)
            bounds = np.array([[p.x, p.y, p.x, p.y] for p in new], dtype=float)
            blobs = gpkg.encode_blobs(wkb, bounds, store.srs_id)
            conn.executemany(
                f'INSERT INTO "{TABLE}" (geom, post_id, label_code, installed_on, condition, note, registered_at, '
                "updated_at, source) VALUES (?,?,?,?,?,?,?,?,?)",
                [(blob, p.post_id, p.label_code, p.installed_on, p.condition, p.note, now, now, source)
                 for blob, p in zip(blobs, new)])
            added = [p.post_id for p in new]
        if changed:
            conn.executemany(
                f'UPDATE "{TABLE}" SET condition = ?, note = ?, updated_at = ?, source = ? WHERE post_id = ?',
                [(p.condition, p.note, now, source, p.post_id) for p in changed])
            updated = [p.post_id for p in changed]
        if new:
            gpkg.update_extent(conn, TABLE)
    return added, updated


def register(store: GpkgStore) -> list[dict]:
    """Every registered post, by post id, with what its label says: the group it lies in (``group_code`` and the
    group's name from the administrative units) and, for a space code, the code's status in the code registry
    (active/retired; None for a group code or a code the registry does not hold)."""
    cur = store.conn.execute(
        f'SELECT p.post_id, p.label_code, p.installed_on, p.condition, p.note, p.registered_at, p.updated_at, '
        f'p.geom, c.status, COALESCE(c.group_code, substr(p.label_code, 1, 14)) AS group_code, a.name '
        f'FROM "{TABLE}" p LEFT JOIN tg_space_code c ON c.code = p.label_code '
        "LEFT JOIN tg_admin_unit a ON a.code = COALESCE(c.group_code, substr(p.label_code, 1, 14)) "
        "ORDER BY p.post_id")
    names = ["post_id", "label_code", "installed_on", "condition", "note", "registered_at", "updated_at", "geom",
             "code_status", "group_code", "group_name"]
    rows = []
    for r in cur.fetchall():
        row = dict(zip(names, r))
        row["wkb"] = gpkg.decode_blob(row.pop("geom"))
        rows.append(row)
    return rows

