"""The 田管库 side of the 掌上田管 field package: what an export reads, what an import writes.

Export reads parcels, open tasks and field cases of a grid (rules in :mod:`..core.patrol.field_package`)
and the store's id (``tg_meta`` key ``store_id``, a UUID made the first time a package is exported,
so a package returned to another store is recognised).

Import writes through the store's own paths, nothing else:

- tracks through the track import pipeline (:mod:`.tracks`: content identity, repeated fixes of a
  growing tracking layer, cleaning, sessions, one transaction per line) — :func:`import_fixes`;
- evidence with :func:`.evidence.add_evidence` (content-addressed files beside the store), then one
  ``submit_evidence`` event per case with :func:`.cases.take_action` and the version read at export
  (optimistic locking: a case moved meanwhile raises and is reported, never overwritten) —
  :func:`submit_evidence`;
- reports (巡田上报) as new cases in 待下发 whose first event says they came from the field: a point matched to the
  coded parcel under it (or the nearest within 30 m) — :func:`place_reports`; a sketched polygon with the coded
  parcels it overlaps — :func:`sketch_parcels`; stored by :func:`save_report_cases`; their photos with
  :func:`.evidence.add_evidence`.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterable

from ..core.cases.evidence import ExifReader
from ..core.patrol import field_package as rules
from ..core.patrol.tracks import CleaningOptions, Fixes, clean, reason_counts, sessions
from . import gpkg
from . import tracks as track_store
from .cases import (
    CASE_COLUMNS,
    CASE_TABLE,
    EVENT_TABLE,
    FIRST_STATE,
    assign_numbers,
    cases,
    known_keys,
    new_run_id,
    now_utc,
    save_run,
    take_action,
)
from .evidence import EVIDENCE_TABLE, add_evidence
from .grid import active_build, coded_near
from .store import GpkgStore
from .tasks import patrols, tasks

STORE_ID_KEY = "store_id"


def store_id(store: GpkgStore, create: bool = True) -> str | None:
    """The store's id (``tg_meta``), made (a UUID) and kept the first time it is asked for with ``create``."""
    row = store.conn.execute("SELECT value FROM tg_meta WHERE key = ?", (STORE_ID_KEY,)).fetchone()
    if row is not None and row[0]:
        return str(row[0])
    if not create:
        return None
    value = str(uuid.uuid4())
    with store.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO tg_meta (key, value) VALUES (?, ?)", (STORE_ID_KEY, value))
    return str(store.conn.execute("SELECT value FROM tg_meta WHERE key = ?", (STORE_ID_KEY,)).fetchone()[0])


def grid_known(store: GpkgStore, grid: str) -> bool:
    """Whether the active grid build has a cell with this code."""
    return store.conn.execute("SELECT 1 FROM tg_grid_cell WHERE build_id = ? AND code = ?",
                              (active_build(store), grid)).fetchone() is not None


def parcels(store: GpkgStore, grid: str) -> list[dict]:
    """Active coded parcels of the grid by code: code, seq, dlmc, gdmj_mu, yjmj_m2, basic (bool), wkb."""
    cur = store.conn.execute(
        "SELECT code, seq, dlmc, gdmj_mu, coalesce(yjmj_m2, 0), geom FROM tg_space_code "
        "WHERE status = 'active' AND code >= ? AND code < ? ORDER BY code", (grid, grid + "\uffff"))
    return [{"code": r[0], "seq": r[1], "dlmc": r[2], "gdmj_mu": r[3], "yjmj_m2": r[4], "basic": r[4] > 0,
             "wkb": gpkg.decode_blob(r[5])} for r in cur.fetchall()]


def cell_geometries(store: GpkgStore, codes: Iterable[str]) -> dict[str, bytes]:
    """WKB of the active build's cells of these codes."""
    wanted = sorted(set(codes))
    build = active_build(store)
    out: dict[str, bytes] = {}
    for i in range(0, len(wanted), 500):
        part = wanted[i:i + 500]
        rows = store.conn.execute(
            f"SELECT code, geom FROM tg_grid_cell WHERE build_id = ? AND code IN ({','.join('?' * len(part))})",
            [build, *part])
        out.update({code: gpkg.decode_blob(blob) for code, blob in rows})
    return out


def field_tasks(store: GpkgStore, grid: str, now) -> list[tuple]:
    """(task, status) of the grid's tasks that are not done at ``now`` (core.patrol.tasks rules)."""
    from ..core.patrol.tasks import statuses

    found = tasks(store, prefix=grid)
    return rules.field_tasks(found, statuses(found, patrols(store, grid), now), grid)


def field_cases(store: GpkgStore, grid: str) -> list[dict]:
    """The grid's cases a package shows (issued, not closed), with shapely geometry and version."""
    return [dict(c) for c in rules.field_cases(cases(store), grid)]


def case_states(store: GpkgStore, case_ids: Iterable[str]) -> dict[str, tuple[str, int]]:
    """(state, version) of the stored cases among ``case_ids``."""
    ids = sorted({str(c) for c in case_ids if c})
    out: dict[str, tuple[str, int]] = {}
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        for cid, state, version in store.conn.execute(
                f"SELECT case_id, state, version FROM {CASE_TABLE} WHERE case_id IN ({','.join('?' * len(part))})",
                part):
            out[cid] = (state, int(version))
    return out


def submitted_hashes(store: GpkgStore, case_ids: Iterable[str]) -> dict[str, set[str]]:
    """Per case, the SHA-256 of its evidence that one of its events lists as an attachment."""
    out: dict[str, set[str]] = {}
    for cid in sorted({str(c) for c in case_ids if c}):
        listed: set[str] = set()
        for (raw,) in store.conn.execute(f"SELECT attachments FROM {EVENT_TABLE} WHERE case_id = ?", (cid,)):
            try:
                listed.update(str(a) for a in (json.loads(raw) if raw else []))
            except ValueError:
                listed.add(str(raw))
        if not listed:
            continue
        hashes = {sha for sha, rel in store.conn.execute(
            f"SELECT sha256, rel_path FROM {EVIDENCE_TABLE} WHERE case_id = ?", (cid,)) if rel in listed}
        if hashes:
            out[cid] = hashes
    return out


def import_fixes(store: GpkgStore, key: str, source: str, fixes: Fixes, officer: str | None, grid: str | None,
                 options: CleaningOptions | None = None) -> dict | None:
    """One returned tracking line through the track import pipeline; None when its content is known.

    Exactly what ``import_tracks`` does with a file: fixes already stored from an earlier export of
    a growing layer are marked ``repeat``, the rest cleaned and split into sessions, everything saved
    in one transaction (:func:`.tracks.save_file`, format ``QField``). Returns ``{"tracks": [ids],
    "fixes": n, "dropped": {reason: n}}``.
    """
    if track_store.known_file(store, key) is not None:
        return None
    options = options or CleaningOptions()
    repeated = track_store.stored_fixes(store, fixes)
    reasons = clean(fixes, options, known=repeated)
    found = sessions(fixes, reasons, store.srs_id, options)
    message = None
    if not found:
        message = "all fixes imported before" if repeated.any() else "too few usable fixes"
    ids = track_store.save_file(store, key, source, "QField", fixes, found, officer, grid, store.srs_id,
                                dropped=reasons, message=message)
    return {"tracks": ids, "fixes": len(fixes), "dropped": reason_counts(reasons)}


def group_of_fixes(store: GpkgStore, lon, lat, prefix: str) -> str | None:
    """The 社 cell (active build, under ``prefix``) that holds most of the fixes, or None when none does:
    a track returned from a village package carries the village's code, a patrol belongs to a group."""
    from collections import Counter

    import numpy as np
    import shapely

    from ..core.patrol.tracks import project

    rows = store.conn.execute(
        "SELECT code, geom FROM tg_grid_cell WHERE build_id = ? AND level = 5 AND code >= ? AND code < ?",
        (active_build(store), prefix, prefix + "\uffff")).fetchall()
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not rows or not ok.any():
        return None
    x, y = project(lon[ok], lat[ok], store.srs_id)
    cells = shapely.from_wkb([gpkg.decode_blob(r[1]) for r in rows])
    _, inside = shapely.STRtree(cells).query(shapely.points(x, y), predicate="within")
    if len(inside) == 0:
        return None
    counts = Counter(rows[i][0] for i in inside.tolist())
    return max(sorted(counts), key=counts.__getitem__)


def submit_evidence(store: GpkgStore, submission: rules.Submission, at: str | None = None,
                    reader: ExifReader | None = None) -> dict:
    """Add a submission's photos as evidence of its case and move the case by ``submit_evidence`` with the
    version read at export. Raises :class:`..core.cases.workflow.WorkflowError` (``ConflictError`` when the
    case moved) from the move; the state is checked first so that no evidence is added for a case that
    cannot take it. ``reader`` is the primary EXIF reader (:func:`..core.cases.evidence.read_photo`).
    Returns ``{"evidence": rows, "state", "version"}``."""
    from ..core.cases import workflow

    row = store.conn.execute(f"SELECT state, version FROM {CASE_TABLE} WHERE case_id = ?",
                             (submission.case_id,)).fetchone()
    if row is None:
        raise workflow.WorkflowError(f"case {submission.case_id} does not exist", "bad_input")
    workflow.check_version(submission.version, int(row[1]))
    workflow.apply(row[0], rules.EVIDENCE_ACTION, rules.EVIDENCE_ROLE, submission.comment, submission.photos)
    added = add_evidence(store, submission.case_id, submission.photos, submission.actor, "photo", at=at,
                         reader=reader)
    moved = take_action(store, submission.case_id, rules.EVIDENCE_ACTION, submission.actor, rules.EVIDENCE_ROLE,
                        submission.version, submission.comment, [r["rel_path"] for r in added], at=at)
    return {"evidence": added, **moved}


def file_sha256(path) -> str | None:
    """SHA-256 of a file's bytes, None when it is not a readable file."""
    import hashlib
    from pathlib import Path

    p = Path(path)
    if not p.is_file():
        return None
    digest = hashlib.sha256()
    try:
        with open(p, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def basic_of_codes(store: GpkgStore, codes) -> dict[str, float]:
    """永农 area (m², ``yjmj_m2``) of the active coded parcels among ``codes``."""
    wanted = sorted({str(c) for c in codes if c})
    out: dict[str, float] = {}
    for i in range(0, len(wanted), 500):
        part = wanted[i:i + 500]
        out.update((code, float(m2)) for code, m2 in store.conn.execute(
            f"SELECT code, coalesce(yjmj_m2, 0) FROM tg_space_code WHERE status = 'active' AND code IN "
            f"({','.join('?' * len(part))})", part))
    return out


def place_reports(store: GpkgStore, xy: list[tuple[float, float]],
                  tolerance_m: float = rules.REPORT_TOLERANCE_M) -> list[dict]:
    """Per report point (store CRS): the coded parcel under it, else the nearest active one within ``tolerance_m``
    (ties to the lowest code, :func:`..core.cases.video.match_parcels`), as ``{"code", "geom", "basic_m2"}``
    (``code`` None and a :data:`..core.patrol.field_package.REPORT_RADIUS_M` circle when none is near)."""
    import numpy as np
    import shapely

    from ..core.cases.video import match_parcels

    if not xy:
        return []
    pts = np.array(xy, dtype=float)
    points = shapely.points(pts[:, 0], pts[:, 1])
    boxes = np.column_stack([pts[:, 0] - tolerance_m, pts[:, 1] - tolerance_m,
                             pts[:, 0] + tolerance_m, pts[:, 1] + tolerance_m])
    codes, wkb = coded_near(store, boxes)
    index, _ = match_parcels(points, wkb, codes, tolerance_m)
    out = []
    for point, i in zip(points, index.tolist()):
        if i < 0:
            out.append({"code": None, "geom": shapely.buffer(point, rules.REPORT_RADIUS_M), "basic_m2": 0.0})
            continue
        code = str(codes[i])
        basic = store.conn.execute("SELECT coalesce(yjmj_m2, 0) FROM tg_space_code WHERE code = ? AND "
                                   "status = 'active'", (code,)).fetchone()
        out.append({"code": code, "geom": shapely.from_wkb(wkb[i]), "basic_m2": float(basic[0] if basic else 0.0)})
    return out


def sketch_parcels(store: GpkgStore, geoms: list, min_overlap_m2: float = 1.0) -> list[dict]:
    """Per sketched report polygon (store CRS): the active coded parcels it overlaps by at least ``min_overlap_m2``
    (:func:`..core.cases.prejudge.affected_codes`) as ``{"codes": sorted codes, "main": the code it overlaps most
    or None, "basic_m2": their 永农 area shared out by overlap}`` (:func:`..core.cases.leads.shared_basic_m2`)."""
    import numpy as np
    import shapely

    from ..core.cases.leads import shared_basic_m2
    from ..core.cases.prejudge import affected_codes

    if not geoms:
        return []
    codes, wkb = coded_near(store, shapely.bounds(np.asarray(geoms, dtype=object)))
    touched = affected_codes(geoms, wkb, codes, min_overlap_m2) if len(codes) else [[] for _ in geoms]
    parcels = dict(zip([str(c) for c in codes], shapely.from_wkb(wkb))) if len(codes) else {}
    basic = basic_of_codes(store, parcels)
    out = []
    for geom, found in zip(geoms, touched):
        overlap = {c: float(shapely.area(shapely.intersection(geom, parcels[c]))) for c in found}
        out.append({"codes": list(found), "main": max(sorted(overlap), key=overlap.__getitem__) if overlap else None,
                    "basic_m2": shared_basic_m2(geom, [parcels[c] for c in found],
                                                [float(basic.get(c, 0.0)) for c in found])})
    return out


def save_report_cases(store: GpkgStore, cases_: list[dict], comments: list[str], inputs: dict,
                      at: str | None = None) -> tuple[list[str], list[str]]:
    """Store report cases (dicts with :data:`.cases.CASE_COLUMNS` and a shapely ``geom``) in one transaction, each
    with its first event ``NULL → pending`` by ``system`` whose comment is the matching one of ``comments`` (so
    the history says the case is a 巡田上报, by whom, from which package). A case whose key is stored is left as
    it is. Returns (new case ids, ids already stored) — the same contract as :func:`.cases.save_cases`, whose
    first event would only name a run."""
    import numpy as np
    import shapely

    stamp = at or now_utc()
    known = known_keys(store, [c["case_key"] for c in cases_])
    fresh = [(c, m) for c, m in zip(cases_, comments) if c["case_key"] not in known]
    run_id = new_run_id()
    with store.transaction() as conn:
        save_run(conn, run_id, rules.REPORT_RULES_VERSION, {"tolerance_m": rules.REPORT_TOLERANCE_M,
                                                            "min_sketch_m2": rules.REPORT_MIN_AREA_M2,
                                                            "categories": rules.REPORT_CATEGORIES},
                 inputs, {"reports": len(cases_), "new_cases": len(fresh), "known_cases": len(cases_) - len(fresh)})
        if fresh:
            geoms = [shapely.multipolygons(shapely.get_parts(c["geom"])) for c, _ in fresh]
            blobs = gpkg.encode_blobs(np.asarray(shapely.to_wkb(geoms), dtype=object), shapely.bounds(geoms),
                                      store.srs_id)
            values = [dict(c, state=FIRST_STATE, rules_version=rules.REPORT_RULES_VERSION, run_id=run_id,
                           detected_at=stamp, updated_at=stamp) for c, _ in fresh]
            for v in values:
                for key in ("reasons", "parcel_codes"):
                    if not isinstance(v.get(key), str):
                        v[key] = json.dumps(list(v.get(key) or []), ensure_ascii=False)
            for v, number in zip(values, assign_numbers(conn, values)):
                v["case_no"] = number
            conn.executemany(f"INSERT INTO {CASE_TABLE} (geom, {', '.join(CASE_COLUMNS)}) "
                             f"VALUES ({', '.join('?' * (len(CASE_COLUMNS) + 1))})",
                             [[blob, *[v.get(col) for col in CASE_COLUMNS]] for blob, v in zip(blobs, values)])
            conn.executemany(f"INSERT INTO {EVENT_TABLE} (case_id, at, actor, from_state, to_state, comment) "
                             "VALUES (?, ?, 'system', NULL, ?, ?)",
                             [(c["case_id"], stamp, FIRST_STATE, m) for c, m in fresh])
            gpkg.update_extent(conn, CASE_TABLE)
    return [c["case_id"] for c, _ in fresh], [known[c["case_key"]][0] for c in cases_ if c["case_key"] in known]
