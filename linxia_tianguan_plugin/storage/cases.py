"""Change cases in the 田管库: runs, cases and their append-only events.

Conventions other code relies on:

- ``tg_case.case_key`` is :func:`..core.cases.keys.case_key` of the candidate and ``case_id`` its
  UUID; saving a case whose key is already stored changes nothing (the stored case keeps its state,
  judgement and history) — that is what makes a re-run idempotent;
- a new case starts in state ``pending`` (待下发) with one event ``NULL → pending`` by ``system``;
- events are never updated or deleted (triggers enforce it); a case's state is the ``to_state`` of
  its last event;
- times are UTC text ``YYYY-MM-DDTHH:MM:SSZ``; lists (reasons, parcel codes) are JSON;
- ``case_no`` is the case number people read and say (``622921-2025-0042``: county, year of detection in Beijing
  time, sequence per county and year in detection order), given when the case is saved and never changed (a
  trigger refuses it, schema v13); the UUID stays the key everything else refers to.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import shapely

from ..core import clock
from ..core.cases import workflow
from . import gpkg
from .store import GpkgStore

CASE_TABLE = "tg_case"
EVENT_TABLE = "tg_case_event"
RUN_TABLE = "tg_change_run"
FIRST_STATE = "pending"

#: columns of a case as written by :func:`save_cases` (besides geometry)
CASE_COLUMNS = ("case_id", "case_key", "state", "kind", "category", "reasons", "source", "from_dlbm", "to_dlbm",
                "to_zzsxdm", "bsm_before", "bsm_after", "external_id", "area_m2", "farmland_m2", "basic_m2",
                "approved_m2", "facility_m2", "temporary_m2", "boundary_m2", "docs", "priority", "grid_code",
                "officer", "phone", "parcel_codes", "rules_version", "run_id", "detected_at", "updated_at", "case_no")

#: county part of a case number when no code of the case names its county (a case outside any coded group)
UNKNOWN_COUNTY = "000000"


def now_utc() -> str:
    return clock.now_utc().strftime("%Y-%m-%dT%H:%M:%SZ")


def new_run_id() -> str:
    return "BH" + clock.now_utc().strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:4].upper()


def county_of(case: Mapping) -> str:
    """A case's 6-digit county: from its group grid code, else its parcels' or patch's code (all start with it),
    else :data:`UNKNOWN_COUNTY` — the rule of the PostGIS export, so the number and the export agree."""
    codes = case.get("parcel_codes") or []
    if isinstance(codes, str):
        try:
            codes = json.loads(codes) if codes.strip() else []
        except ValueError:
            codes = [codes]
    for text in (case.get("grid_code"), *codes, case.get("bsm_before")):
        if text and len(str(text)) >= 6 and str(text)[:6].isdigit():
            return str(text)[:6]
    return UNKNOWN_COUNTY


def detection_year(detected_at: str | None) -> str:
    """The year of a stored UTC detection time in Beijing time (a run on 31 December at 20:00 UTC is a case of the
    next year for the county); '0000' when the time does not parse."""
    try:
        return f"{workflow.parse_time(str(detected_at)).astimezone(clock.BEIJING).year:04d}"
    except workflow.WorkflowError:
        return "0000"


def case_number(county: str, year: str, seq: int) -> str:
    """``622921-2025-0042``: at least four digits of sequence (the 10 000th case of a year gets five)."""
    return f"{county}-{year}-{int(seq):04d}"


def _last_sequences(conn, prefixes: Iterable[str]) -> dict[str, int]:
    """Highest sequence stored per ``county-year`` prefix (0 when none): a range scan of the case-number index."""
    out: dict[str, int] = {}
    for prefix in prefixes:
        tails = conn.execute(f"SELECT substr(case_no, {len(prefix) + 2}) FROM {CASE_TABLE} "
                             "WHERE case_no > ? AND case_no < ?", (prefix + "-", prefix + ".")).fetchall()
        out[prefix] = max((int(t) for t, in tails if t and str(t).isdigit()), default=0)
    return out


def assign_numbers(conn, cases: Sequence[Mapping]) -> list[str]:
    """Case numbers for ``cases`` (dicts with ``detected_at`` and the codes :func:`county_of` reads), in the given
    order, after the numbers already stored. Call inside the write transaction that stores them, so two runs
    cannot take the same number (the unique index would refuse the second anyway)."""
    prefixes = [f"{county_of(c)}-{detection_year(c.get('detected_at'))}" for c in cases]
    last = _last_sequences(conn, set(prefixes))
    out = []
    for prefix in prefixes:
        last[prefix] += 1
        county, year = prefix.split("-")
        out.append(case_number(county, year, last[prefix]))
    return out


def known_keys(store: GpkgStore, keys: Sequence[str]) -> dict[str, tuple[str, str]]:
    """{case_key: (case_id, state)} of the given keys already stored."""
    out: dict[str, tuple[str, str]] = {}
    keys = list(keys)
    for i in range(0, len(keys), 500):
        part = keys[i:i + 500]
        rows = store.conn.execute(f"SELECT case_key, case_id, state FROM {CASE_TABLE} WHERE case_key IN "
                                  f"({','.join('?' * len(part))})", part)
        out.update({k: (cid, st) for k, cid, st in rows})
    return out


def repeat_counts(store: GpkgStore, keys: Sequence[str], parcel_codes: Sequence[Sequence[str]]) -> np.ndarray:
    """Per candidate, how many *other* stored cases concern one of its parcels (repeated offences)."""
    by_code: dict[str, set[str]] = {}
    for key, codes in store.conn.execute(f"SELECT case_key, parcel_codes FROM {CASE_TABLE}"):
        for code in json.loads(codes or "[]"):
            by_code.setdefault(code, set()).add(key)
    out = np.zeros(len(keys), dtype=np.int64)
    for i, (key, codes) in enumerate(zip(keys, parcel_codes)):
        others: set[str] = set()
        for code in codes:
            others |= by_code.get(code, set())
        others.discard(key)
        out[i] = len(others)
    return out


def save_run(conn, run_id: str, rules_version: str, rules: dict, inputs: dict, counts: dict) -> None:
    conn.execute(f"INSERT INTO {RUN_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
                 (run_id, now_utc(), rules_version, json.dumps(rules, ensure_ascii=False),
                  json.dumps(inputs, ensure_ascii=False), json.dumps(counts, ensure_ascii=False)))


def save_cases(store: GpkgStore, cases: list[dict], run_id: str, rules_version: str, rules: dict, inputs: dict,
               counts: dict) -> tuple[list[str], list[str]]:
    """Store the run and its new cases in one transaction; return (new case ids, ids already stored).

    Each case is a dict with the :data:`CASE_COLUMNS` it knows (``case_id`` and ``case_key`` required)
    and ``geom`` (a shapely polygon in the store's CRS). Cases whose key is stored are left untouched. New cases
    get their case numbers (:func:`assign_numbers`) in the order given, which is their detection order.
    """
    stamp = now_utc()
    known = known_keys(store, [c["case_key"] for c in cases])
    fresh = [c for c in cases if c["case_key"] not in known]
    rows = []
    if fresh:
        geoms = shapely.multipolygons(shapely.get_parts(np.array([c["geom"] for c in fresh], dtype=object)),
                                      indices=shapely.get_parts(np.array([c["geom"] for c in fresh], dtype=object),
                                                                return_index=True)[1])
        blobs = gpkg.encode_blobs(np.asarray(shapely.to_wkb(geoms), dtype=object), shapely.bounds(geoms),
                                  store.srs_id)
        for case, blob in zip(fresh, blobs):
            values = dict(case, state=FIRST_STATE, rules_version=rules_version, run_id=run_id, detected_at=stamp,
                          updated_at=stamp)
            for key in ("reasons", "parcel_codes"):
                if not isinstance(values.get(key), str):
                    values[key] = json.dumps(list(values.get(key) or []), ensure_ascii=False)
            rows.append([blob, *[values.get(col) for col in CASE_COLUMNS]])
    with store.transaction() as conn:
        save_run(conn, run_id, rules_version, rules, inputs, dict(counts, new_cases=len(fresh),
                                                                   known_cases=len(cases) - len(fresh)))
        if rows:
            numbers = assign_numbers(conn, [dict(c, detected_at=stamp) for c in fresh])  # in the run's order
            at = 1 + CASE_COLUMNS.index("case_no")
            for row, number in zip(rows, numbers):
                row[at] = number
            conn.executemany(f"INSERT INTO {CASE_TABLE} (geom, {', '.join(CASE_COLUMNS)}) "
                             f"VALUES ({', '.join('?' * (len(CASE_COLUMNS) + 1))})", rows)
            conn.executemany(f"INSERT INTO {EVENT_TABLE} (case_id, at, actor, from_state, to_state, comment) "
                             "VALUES (?, ?, 'system', NULL, ?, ?)",
                             [(c["case_id"], stamp, FIRST_STATE, f"{run_id} rules {rules_version}") for c in fresh])
            gpkg.update_extent(conn, CASE_TABLE)
    return [c["case_id"] for c in fresh], [known[c["case_key"]][0] for c in cases if c["case_key"] in known]


def cases(store: GpkgStore, state: str | None = None) -> list[dict]:
    """Stored cases (geometry as shapely, lists decoded), by priority then detection order; ``case_no`` is None
    only in a store opened read-only before its migration to v13 could run."""
    sql = f"SELECT * FROM {CASE_TABLE}"
    args: list = []
    if state is not None:
        sql += " WHERE state = ?"
        args.append(state)
    cur = store.conn.execute(sql + " ORDER BY priority, fid", args)
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        rec = dict(zip(names, row))
        rec["geom"] = shapely.from_wkb(gpkg.decode_blob(rec["geom"])) if rec["geom"] is not None else None
        for key in ("reasons", "parcel_codes"):
            rec[key] = json.loads(rec[key] or "[]")
        out.append(rec)
    return out


def events_by_case(store: GpkgStore) -> dict[str, list[dict]]:
    """Every case's events in order, in one query (an export of 100 000 cases needs them all)."""
    cur = store.conn.execute(f"SELECT * FROM {EVENT_TABLE} ORDER BY case_id, event_id")
    names = [d[0] for d in cur.description]
    out: dict[str, list[dict]] = {}
    for row in cur:
        rec = dict(zip(names, row))
        out.setdefault(rec["case_id"], []).append(rec)
    return out


def case_events(store: GpkgStore, case_id: str) -> list[dict]:
    cur = store.conn.execute(f"SELECT * FROM {EVENT_TABLE} WHERE case_id = ? ORDER BY event_id", (case_id,))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def take_action(store: GpkgStore, case_id: str, action: str, actor: str, role: str, expected_version: int,
                comment: str = "", attachments: Sequence[str] = (), at: str | None = None) -> dict:
    """Move one case by ``action`` in one transaction: append its event, set its state, bump its version.

    Optimistic locking: the update only happens when the stored ``version`` is still ``expected_version``
    (what the desk read); otherwise :class:`~..core.cases.workflow.ConflictError` is raised with the fresh
    version and nothing is written, so two analysts approving the same case cannot overwrite each other.
    The move itself is checked by :mod:`..core.cases.workflow` (state, role, comment, attachments).
    Returns the case's new ``{"state", "version", "updated_at"}``.
    """
    stamp = at or now_utc()
    with store.transaction() as conn:
        row = conn.execute(f"SELECT state, version FROM {CASE_TABLE} WHERE case_id = ?", (case_id,)).fetchone()
        if row is None:
            raise workflow.WorkflowError(f"case {case_id} does not exist", "bad_input", None, action, role)
        state, version = row
        workflow.check_version(int(expected_version), int(version))
        event = workflow.make_event(case_id, state, action, actor, role, stamp, comment, attachments)
        changed = conn.execute(f"UPDATE {CASE_TABLE} SET state = ?, version = version + 1, updated_at = ? "
                               "WHERE case_id = ? AND version = ?",
                               (event.to_state, stamp, case_id, int(expected_version))).rowcount
        if changed != 1:  # another connection got in between the read and the write
            fresh = conn.execute(f"SELECT version FROM {CASE_TABLE} WHERE case_id = ?", (case_id,)).fetchone()[0]
            raise workflow.ConflictError(f"case {case_id} changed meanwhile (version {fresh})", expected_version,
                                         int(fresh))
        values = workflow.event_to_row(event)
        conn.execute(f"INSERT INTO {EVENT_TABLE} (case_id, at, actor, from_state, to_state, comment, attachments) "
                     "VALUES (:case_id, :at, :actor, :from_state, :to_state, :comment, :attachments)", values)
    return {"state": event.to_state, "version": int(expected_version) + 1, "updated_at": stamp}


def rebuilt_state(store: GpkgStore, case_id: str) -> str:
    """The case's state derived from its events alone (the stored ``state`` column must agree)."""
    rows = case_events(store, case_id)
    return workflow.replay([workflow.event_from_row(r) for r in rows])


def has_cases(store: GpkgStore) -> bool:
    """Whether the store has the case tables (a store made before schema v6 is migrated on opening)."""
    return store.conn.execute(f"SELECT 1 FROM sqlite_master WHERE name = '{CASE_TABLE}'").fetchone() is not None


def entered_at(store: GpkgStore) -> dict[str, str]:
    """case_id → time of its last event (when it entered its current state), in one query."""
    return dict(store.conn.execute(
        f"SELECT case_id, at FROM {EVENT_TABLE} e WHERE event_id = "
        f"(SELECT max(event_id) FROM {EVENT_TABLE} WHERE case_id = e.case_id)"))


def states_by_key(store: GpkgStore) -> dict[str, str]:
    """case_key → state of every stored case: what a run's candidates (known by their key) have become."""
    return dict(store.conn.execute(f"SELECT case_key, state FROM {CASE_TABLE}"))


def search(store: GpkgStore, text: str, limit: int) -> list[tuple[str, str, str | None, float | None]]:
    """(case_id, state, grid_code, area_m2) of the cases, most urgent first, whose parcel codes, 图斑 ids
    (before/after) contain ``text`` or whose id starts with it — the locator's search. ``text`` is matched as
    given: the caller removes LIKE wildcards."""
    like = f"%{text}%"
    return store.conn.execute(
        f"SELECT case_id, state, grid_code, area_m2 FROM {CASE_TABLE} WHERE parcel_codes LIKE ? "
        "OR bsm_before LIKE ? OR bsm_after LIKE ? OR case_id LIKE ? ORDER BY priority LIMIT ?",
        (like, like, like, text + "%", int(limit))).fetchall()


def cases_at(store: GpkgStore, x: float, y: float, tolerance: float) -> list[str]:
    """Ids of the cases whose polygon is within ``tolerance`` (store CRS units) of (x, y), by priority then
    detection order: the boxes come from the R-tree, the distance is checked on the polygons."""
    rows = store.conn.execute(
        f"SELECT c.case_id, c.geom FROM rtree_{CASE_TABLE}_geom r JOIN {CASE_TABLE} c ON c.fid = r.id "
        "WHERE r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ? ORDER BY c.priority, c.fid",
        (x - tolerance, x + tolerance, y - tolerance, y + tolerance)).fetchall()
    point = shapely.Point(x, y)
    return [cid for cid, blob in rows if shapely.distance(shapely.from_wkb(gpkg.decode_blob(blob)), point)
            <= tolerance]


def unit_names(store: GpkgStore) -> dict[str, str]:
    """Administrative code → name (townships, villages, groups) for tables read by people."""
    return dict(store.conn.execute("SELECT code, name FROM tg_admin_unit"))
