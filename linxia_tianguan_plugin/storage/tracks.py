"""Patrol tracks in the 田管库: imported files, every raw fix, and one cleaned line per session.

Conventions other code relies on:

- a file is known by the SHA-256 of its bytes (``tg_track_file.file_hash``; for a GeoPackage, of its
  bytes followed by ``\0layer=`` and the layer read); importing the same content again, under any
  name, adds nothing;
- ``tg_track_fix`` keeps every fix exactly as read, ``seq`` = 0, 1, … in file order, lon/lat in
  degrees, ``time`` in UTC as ``YYYY-MM-DDTHH:MM:SSZ``; ``dropped`` is the cleaning reason (see
  :data:`..core.patrol.tracks.DROP_REASONS`) or NULL; ``raw_time`` is the fix's time exactly as the file wrote it
  (``2025/6/20 9:00:05``, ``45828.375``, GPX ``<time>`` text; NULL when the source has no text, e.g. M values
  read as numbers, or for fixes imported before schema version 12); ``track_id`` is the session's track for a
  kept fix that belongs to a session, NULL otherwise (dropped, or a lone fix between long gaps);
- ``tg_track.track_id`` is ``GJ`` + the first 12 hex digits of the file hash (upper case) + ``-`` +
  the session number (1, 2, …), so a re-built store gives the same ids;
- the LINESTRING of a track has, in order and one to one, the kept fixes of its session (ascending
  ``seq``) projected to the store's CRS: vertex *i* is the *i*-th row of :func:`track_fixes`.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import numpy as np
import shapely

from ..core import clock
from ..core.patrol.tasks import Patrol
from ..core.patrol.tracks import Fixes, Session, clean, utc_iso
from . import gpkg
from .store import GpkgStore
from .tasks import add_patrols_in

TRACK_TABLE = "tg_track"
FIX_TABLE = "tg_track_fix"
FILE_TABLE = "tg_track_file"


def track_id(file_hash: str, session: int) -> str:
    """``GJ`` (轨迹) + 12 hex digits of the content hash + ``-`` + session number: stable across imports."""
    return f"GJ{file_hash[:12].upper()}-{int(session)}"


def known_file(store: GpkgStore, file_hash: str) -> dict | None:
    """The stored import of a content hash (path, format, time, counts, message), or None."""
    cur = store.conn.execute(f"SELECT * FROM {FILE_TABLE} WHERE file_hash = ?", (file_hash,))
    row = cur.fetchone()
    return None if row is None else {d[0]: v for d, v in zip(cur.description, row)}


def stored_fixes(store: GpkgStore, fixes: Fixes) -> np.ndarray:
    """Per fix, whether a fix with the same time and position is already in the store (from another
    file): a QField/Mergin tracking layer keeps growing on the phone, so each export repeats the
    fixes of the previous one. Positions are compared exactly — the same layer read twice gives the
    same numbers, and two officers never share a second and a position to the last digit."""
    n = len(fixes)
    known = np.zeros(n, dtype=bool)
    times = utc_iso(fixes.time) if n else np.zeros(0, dtype=object)
    stamped = [t for t in times.tolist() if t is not None]
    if not stamped:
        return known
    rows = store.conn.execute(f"SELECT time, lon, lat FROM {FIX_TABLE} WHERE time BETWEEN ? AND ?",
                              (min(stamped), max(stamped)))
    seen = set(rows.fetchall())
    if not seen:
        return known
    for i, key in enumerate(zip(times.tolist(), fixes.lon.tolist(), fixes.lat.tolist())):
        known[i] = key in seen
    return known


def save_file(store: GpkgStore, file_hash: str, path: str, format: str, raw_fixes: Fixes,
              sessions: Sequence[Session], officer: str | None, grid_code: str | None, srs_id: int,
              dropped: Sequence[str | None] | None = None, message: str | None = None,
              raw_times: Sequence | None = None) -> list[str]:
    """Store one imported file in one transaction; return the ids of its tracks.

    ``raw_times`` are the fixes' times as written in the file (text, one per raw fix, None where there is
    none), kept in ``raw_time`` as evidence next to the UTC time read from them.

    ``dropped`` are the cleaning reasons per raw fix (computed with the default options when not
    given); every fix of a session must be kept, and the sessions must be projected to ``srs_id``,
    the CRS of the store's track table — both are checked, because a mismatch would silently break
    the vertex ↔ fix correspondence.
    """
    n = len(raw_fixes)
    reasons = clean(raw_fixes) if dropped is None else np.asarray(list(dropped), dtype=object)
    if len(reasons) != n:
        raise ValueError("dropped must have one entry per raw fix")
    owner = np.full(n, None, dtype=object)
    ids = []
    for s in sessions:
        if int(s.epsg) != int(srs_id):
            raise ValueError(f"session {s.number} is in EPSG:{s.epsg}, the track table in EPSG:{srs_id}")
        if any(reasons[i] is not None for i in s.index):
            raise ValueError(f"session {s.number} contains dropped fixes")
        tid = track_id(file_hash, s.number)
        owner[s.index] = tid
        ids.append(tid)
    times = utc_iso(raw_fixes.time) if n else []
    acc = [None if not np.isfinite(a) else float(a) for a in raw_fixes.accuracy.tolist()]
    if raw_times is None:
        texts: list = [None] * n
    else:
        texts = [None if v is None else str(v) for v in raw_times]
        if len(texts) != n:
            raise ValueError("raw_times must have one entry per raw fix")
    fix_rows = list(zip([file_hash] * n, range(n), owner.tolist(), raw_fixes.lon.tolist(), raw_fixes.lat.tolist(),
                        list(times), acc, [None if r is None else str(r) for r in reasons], texts))
    track_rows = []
    if sessions:
        lines = [shapely.linestrings(np.column_stack([s.x, s.y])) for s in sessions]
        blobs = gpkg.encode_blobs(np.asarray(shapely.to_wkb(lines), dtype=object),
                                  np.asarray(shapely.bounds(lines)), int(srs_id))
        for s, blob, tid in zip(sessions, blobs, ids):
            track_rows.append((blob, tid, file_hash, s.number, officer or None, grid_code or None, s.started_at,
                               s.ended_at, s.fixes, round(s.length_m, 3), round(s.duration_s, 3),
                               json.dumps(s.figures(), ensure_ascii=False)))
    imported_at = clock.now_utc().strftime("%Y-%m-%dT%H:%M:%SZ")
    with store.transaction() as conn:
        conn.execute(f"INSERT INTO {FILE_TABLE} (file_hash, path, format, imported_at, tracks, fixes, message) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (file_hash, str(path), format, imported_at, len(track_rows), n, message))
        if track_rows:
            conn.executemany(
                f"INSERT INTO {TRACK_TABLE} (geom, track_id, file_hash, session, officer, grid_code, started_at, "
                "ended_at, fixes, length_m, duration_s, figures) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", track_rows)
            gpkg.update_extent(conn, TRACK_TABLE)
        conn.executemany(f"INSERT INTO {FIX_TABLE} (file_hash, seq, track_id, lon, lat, time, accuracy, dropped, "
                         "raw_time) VALUES (?,?,?,?,?,?,?,?,?)", fix_rows)
    return ids


def _utc_text(value) -> str | None:
    """A bound of :func:`tracks` as stored text: aware datetimes are converted, naive ones are UTC."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        stamp = value.astimezone(dt.timezone.utc) if value.tzinfo else value
        return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00Z")
    return str(value)


def tracks(store: GpkgStore, start=None, end=None, grid_prefix: str = "") -> list[dict]:
    """Tracks overlapping [start, end] (UTC; ISO text or datetimes) whose grid starts with the prefix.

    Each is a dict of the ``tg_track`` columns with ``geom`` as a shapely LineString in the store's
    CRS and ``flags``/``figures`` decoded from JSON; ordered by grid code, start time, track id.
    """
    sql = (f"SELECT * FROM {TRACK_TABLE} WHERE substr(coalesce(grid_code, ''), 1, ?) = ?")
    args: list = [len(grid_prefix), grid_prefix]
    if start is not None:
        sql += " AND ended_at >= ?"
        args.append(_utc_text(start))
    if end is not None:
        sql += " AND started_at <= ?"
        args.append(_utc_text(end))
    cur = store.conn.execute(sql + " ORDER BY grid_code, started_at, track_id", args)
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        rec = dict(zip(names, row))
        rec["geom"] = shapely.from_wkb(gpkg.decode_blob(rec["geom"])) if rec["geom"] is not None else None
        for key in ("flags", "figures"):
            rec[key] = json.loads(rec[key]) if rec[key] else {}
        out.append(rec)
    return out


def track_fixes(store: GpkgStore, track_id: str) -> dict[str, np.ndarray]:
    """The kept fixes of one track in order — one per vertex of its line.

    Keys: ``seq``, ``lon``, ``lat``, ``time`` (UTC text as stored), ``raw_time`` (the time as the file wrote
    it, None when not kept), ``utc`` (``datetime64[s]``), ``epoch`` (seconds), ``accuracy`` (NaN when
    unknown), and ``x``/``y``, the line's vertices.
    """
    rows = store.conn.execute(f"SELECT seq, lon, lat, time, accuracy, raw_time FROM {FIX_TABLE} WHERE track_id = ? "
                              "ORDER BY seq", (track_id,)).fetchall()
    geom = store.conn.execute(f"SELECT geom FROM {TRACK_TABLE} WHERE track_id = ?", (track_id,)).fetchone()
    coords = shapely.get_coordinates(shapely.from_wkb(gpkg.decode_blob(geom[0]))) if geom else np.zeros((0, 2))
    utc = np.array([np.datetime64(r[3].rstrip("Z"), "s") for r in rows], dtype="datetime64[s]")
    return {
        "seq": np.array([r[0] for r in rows], dtype=np.int64),
        "lon": np.array([r[1] for r in rows], dtype=float),
        "lat": np.array([r[2] for r in rows], dtype=float),
        "time": np.array([r[3] for r in rows], dtype=object),
        "raw_time": np.array([r[5] for r in rows], dtype=object),
        "utc": utc,
        "epoch": utc.astype(np.int64).astype(float),
        "accuracy": np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=float),
        "x": coords[:, 0].copy(),
        "y": coords[:, 1].copy(),
    }




def tracks_to_check(store: GpkgStore, until: str | None) -> list[dict]:
    """Every track started before ``until`` (UTC ISO; all when None), oldest first, with its vertices (``xy``,
    (n, 2) in the store's CRS) and whether it was checked before — what the authenticity check compares."""
    sql = ("SELECT fid, track_id, officer, grid_code, started_at, ended_at, geom, flags, length_m, duration_s "
           f"FROM {TRACK_TABLE}")
    args: tuple = ()
    if until is not None:
        sql += " WHERE started_at < ?"
        args = (until,)
    out = []
    for fid, tid, officer, grid, started, ended, blob, flags, length, duration in store.conn.execute(
            sql + " ORDER BY started_at, track_id", args).fetchall():
        wkb = gpkg.decode_blob(blob)
        geom = shapely.from_wkb(wkb) if wkb else None
        xy = shapely.get_coordinates(geom) if geom is not None else np.zeros((0, 2))
        out.append({"fid": fid, "track_id": tid, "officer": officer, "grid_code": grid, "started_at": started,
                    "ended_at": ended, "xy": xy, "checked": flags is not None, "length_m": length,
                    "duration_s": duration, "wkb": wkb})
    return out


def kept_fix_times_and_positions(store: GpkgStore, track_ids: list[str]
                                 ) -> tuple[dict[str, list[str]], dict[str, np.ndarray]]:
    """Per track, its kept fixes' UTC times (text as stored) in vertex order (by ``seq``), and their lon/lat
    ((n, 2)); in chunks of 500 ids (SQLite's limit on variables)."""
    times: dict[str, list[str]] = {}
    lonlat: dict[str, list[tuple[float, float]]] = {}
    for i in range(0, len(track_ids), 500):
        chunk = track_ids[i:i + 500]
        for tid, time, lon, lat in store.conn.execute(
                f"SELECT track_id, time, lon, lat FROM {FIX_TABLE} WHERE track_id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY track_id, seq", chunk):
            times.setdefault(tid, []).append(time)
            lonlat.setdefault(tid, []).append((lon, lat))
    return times, {k: np.asarray(v, dtype=float) for k, v in lonlat.items()}


def save_checks(store: GpkgStore, rows: Sequence[tuple[str, str, int, str]]) -> None:
    """Write the authenticity check's (flags JSON, figures JSON, accepted 0/1, track_id) in one transaction:
    a cancelled or failed write leaves every track as it was."""
    with store.transaction() as conn:
        conn.executemany(f"UPDATE {TRACK_TABLE} SET flags = ?, figures = ?, accepted = ? WHERE track_id = ?", rows)


def tracks_starting(store: GpkgStore, low: str, high: str, only_accepted: bool
                    ) -> list[tuple[str, str | None, str, str, str | None, bytes]]:
    """(track_id, officer, grid code or '', started_at, ended_at, WKB) of the tracks with a line that started in
    [low, high) (UTC ISO), oldest first; with ``only_accepted`` only those the authenticity check accepted."""
    sql = (f"SELECT track_id, officer, coalesce(grid_code, ''), started_at, ended_at, geom FROM {TRACK_TABLE} "
           "WHERE started_at >= ? AND started_at < ? AND geom IS NOT NULL")
    if only_accepted:
        sql += " AND accepted = 1"
    rows = store.conn.execute(sql + " ORDER BY started_at, track_id", (low, high)).fetchall()
    return [(r[0], r[1], r[2], r[3], r[4], gpkg.decode_blob(r[5])) for r in rows]


def save_coverage(store: GpkgStore, coverage: Sequence[tuple[float, str]], patrols: Sequence[Patrol]) -> int:
    """Record each track's coverage of its grid ((share, track_id)) and the patrols those tracks make, in one
    transaction (:func:`.tasks.add_patrols_in`: patrols already there are left alone); return how many patrols
    were new."""
    with store.transaction() as conn:
        conn.executemany(f"UPDATE {TRACK_TABLE} SET coverage = ? WHERE track_id = ?", coverage)
        return add_patrols_in(conn, patrols)
