"""Evidence of cases (举证材料) in the 田管库: files kept next to the store, rows in ``tg_case_evidence``.

Conventions other code relies on:

- Files live in the evidence folder beside the store, ``<store stem>_evidence/`` (:func:`evidence_dir`),
  at ``<case_id>/<sha256><suffix>``: content-addressed, so the same file added twice to a case is
  stored once and adding is idempotent. The suffix is the original's, lower-cased (``.jpg``).
- ``rel_path`` is that path relative to the evidence folder, with ``/`` separators. **Case events
  refer to evidence by rel_path**: add the files first, then move the case with
  ``take_action(store, case_id, "submit_evidence", ..., attachments=[row["rel_path"] for row in rows])``;
  :func:`evidence_path` resolves one, :func:`unknown_attachments` lists attachments of an event that
  are not evidence of the case. The folder moves with the store (copy both together).
- Files are written atomically (temporary name in the same folder, fsync, rename), before the rows,
  which are inserted in one transaction. A failure between the two leaves at most an unreferenced,
  correct file that the next add of the same content reuses; it never leaves a row without its file.
- Rows are never deleted and what identifies a file is never changed (triggers, see migration v7);
  :func:`verify` finds files that went missing or were altered since (checksum).
- ``checks`` (JSON) holds the findings of :func:`..core.cases.evidence.check_photo` (photos) or
  :func:`..core.cases.evidence.check_sketch` (sketches) against the case polygon at the time of adding;
  the photo's time window runs from the case's (last) issue to the moment it was added.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import uuid
from collections.abc import Sequence
from pathlib import Path

import shapely

from ..core.cases import evidence as core
from ..core.cases import workflow
from . import gpkg
from .cases import CASE_TABLE, EVENT_TABLE, now_utc
from .store import GpkgStore

EVIDENCE_TABLE = "tg_case_evidence"
KINDS = ("photo", "document", "sketch")
_SUFFIX = re.compile(r"\.[a-z0-9]{1,10}")
_CHUNK = 1 << 20


class EvidenceError(ValueError):
    """Evidence cannot be added as asked (unknown case or kind, unreadable file); nothing was written.

    The message is English (logs); ``kind`` is stable so that the algorithms and docks word it in the user's
    language (:func:`...store_messages.evidence_message`) and ``files`` names what was refused: ``outside``
    (a path leaving the evidence folder), ``unknown_case``, ``unknown_kind``, ``not_a_list``, ``missing``
    (files that do not exist or are not files), ``refused`` (``reasons``: name → why, already in the user's words
    through core's translator), ``store_failed`` (the copy into the evidence folder failed).
    """

    def __init__(self, message: str, kind: str = "other", files: tuple[str, ...] = (),
                 reasons: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.kind = kind
        self.files = tuple(files)
        self.reasons = tuple(reasons)


def evidence_dir(store: GpkgStore) -> Path:
    """The evidence folder of a store: ``<store stem>_evidence/`` next to the store file."""
    path = Path(store.path)
    return path.with_name(f"{path.stem}_evidence")


def evidence_path(store: GpkgStore, rel_path: str) -> Path:
    """Absolute path of an evidence ``rel_path``; refuses paths that would leave the evidence folder."""
    base = evidence_dir(store).resolve()
    parts = [p for p in str(rel_path).replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts or ":" in parts[0]:
        raise EvidenceError(f"{rel_path!r} is not a path inside the evidence folder {base}", "outside",
                            (str(rel_path),))
    return base.joinpath(*parts)


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return suffix if _SUFFIX.fullmatch(suffix) else ""


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows cannot open folders and makes renames durable itself."""
    with contextlib.suppress(OSError):
        fd = os.open(str(folder), os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _store_file(source: Path, folder: Path, suffix: str) -> tuple[str, int, Path]:
    """Copy ``source`` into ``folder`` as ``<sha256><suffix>`` atomically; (sha256, size, stored path).

    The copy is hashed while written to a temporary name, flushed to disk and renamed. When a file of
    that name already exists with the right checksum the copy is dropped; a damaged one is replaced.
    """
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".incoming-{uuid.uuid4().hex}{suffix}"
    digest, size = hashlib.sha256(), 0
    try:
        # never through a link swapped in after the checks (O_NOFOLLOW where the system has it)
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(source, flags), "rb") as src, open(temp, "wb") as dst:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        checksum = digest.hexdigest()
        final = folder / f"{checksum}{suffix}"
        if final.exists() and _hash_file(final) == (checksum, size):
            temp.unlink()
        else:
            os.replace(temp, final)
            _fsync_dir(folder)
        return checksum, size, final
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _rows(store: GpkgStore, where: str, args: Sequence) -> list[dict]:
    cur = store.conn.execute(f"SELECT * FROM {EVIDENCE_TABLE} WHERE {where} ORDER BY evidence_id", list(args))
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        rec = dict(zip(names, row))
        rec["checks"] = json.loads(rec["checks"]) if rec["checks"] else None
        out.append(rec)
    return out


def _case(store: GpkgStore, case_id: str) -> dict:
    """The case's polygon (shapely, store CRS) and detection time, decoded as :func:`.cases.cases` does."""
    row = store.conn.execute(f"SELECT geom, detected_at FROM {CASE_TABLE} WHERE case_id = ?", (case_id,)).fetchone()
    if row is None:
        raise EvidenceError(f"case {case_id} does not exist in {store.path}", "unknown_case", (str(case_id),))
    blob = gpkg.decode_blob(row[0]) if row[0] is not None else None
    return {"geom": shapely.from_wkb(blob) if blob else None, "detected_at": row[1]}


def issued_at(store: GpkgStore, case_id: str) -> str | None:
    """When the case was (last) issued to the officers, or None while it is pending."""
    row = store.conn.execute(f"SELECT max(at) FROM {EVENT_TABLE} WHERE case_id = ? AND to_state = ?",
                             (case_id, workflow.ISSUED)).fetchone()
    return row[0] if row else None


def add_evidence(store: GpkgStore, case_id: str, files: Sequence[os.PathLike | str], actor: str,
                 kind: str = "photo", patrol_window: Sequence[str | None] | None = None,
                 max_distance_m: float = core.MAX_DISTANCE_M, at: str | None = None,
                 reader: core.ExifReader | None = None) -> list[dict]:
    """Add files as evidence of a case; return their rows (in the order of ``files``) with their checks.

    Each file is copied atomically to ``<evidence_dir>/<case_id>/<sha256><suffix>``; photos have their
    EXIF read (:func:`..core.cases.evidence.read_photo`: ``reader``, by default the one installed — QGIS's
    exiv2 in the plugin —, with the plugin's own reader as fallback) and are checked against the case
    polygon (:func:`..core.cases.evidence.check_photo`, time
    window by default from the case's issue to now), sketches (GeoJSON) with
    :func:`..core.cases.evidence.check_sketch`. The rows are inserted in one transaction. A file already
    stored for the case (same content, whatever its name) is not added again: its existing row is
    returned, with ``"new": False``. Flags never refuse a file; an unknown case or kind, a file
    that cannot be read, a symbolic link, an empty file or content that is not JPEG/PNG/PDF (GeoJSON
    for sketches; :func:`..core.cases.evidence.check_file`, reasons translated) raises :class:`EvidenceError`
    before anything is stored or inserted.
    """
    if kind not in KINDS:
        raise EvidenceError(f"evidence kind {kind!r} is not one of {', '.join(KINDS)}", "unknown_kind",
                            (str(kind),))
    if isinstance(files, (str, bytes, os.PathLike)):
        raise EvidenceError("files must be a list of paths, not a single path", "not_a_list")
    return _add(store, case_id, [(Path(f), Path(f).name) for f in files], actor, kind, patrol_window,
                max_distance_m, at, reader)


def _add(store: GpkgStore, case_id: str, files: list[tuple[Path, str]], actor: str, kind: str,
         patrol_window: Sequence[str | None] | None, max_distance_m: float, at: str | None,
         reader: core.ExifReader | None = None) -> list[dict]:
    """:func:`add_evidence` of (path, name to record) pairs."""
    case = _case(store, case_id)
    stamp = at or now_utc()
    window = patrol_window if patrol_window is not None else (issued_at(store, case_id), stamp)
    folder = evidence_dir(store) / case_id
    missing = [str(source) for source, _ in files if not source.is_file()]
    if missing:
        raise EvidenceError(f"evidence file(s) {', '.join(missing)} do not exist or are not files", "missing",
                            tuple(missing))
    # links and content that is not what evidence may be are refused before anything is copied
    allowed = core.SKETCH_TYPES if kind == "sketch" else core.FILE_TYPES
    refused = [(name, why) for source, name in files if (why := core.check_file(source, allowed=allowed))]
    if refused:
        raise EvidenceError("；".join(f"{name}：{why}" for name, why in refused), "refused",
                            tuple(name for name, _ in refused), tuple(refused))
    stored_paths = {r["sha256"]: r["rel_path"] for r in _rows(store, "case_id = ?", (case_id,))}
    prepared = []
    for source, name in files:
        try:
            # content already stored for the case under another suffix keeps its one file (repaired if damaged)
            known_path = stored_paths.get(_hash_file(source)[0]) if stored_paths else None
            suffix = Path(known_path).suffix if known_path else _suffix(name)
            checksum, size, stored = _store_file(source, folder, suffix)
        except OSError as exc:
            raise EvidenceError(f"evidence file {source} could not be stored: {exc}", "store_failed",
                                (str(source),)) from exc
        taken_at, lon, lat, checks = None, None, None, None
        if kind == "photo":
            info = core.read_photo(stored, reader)
            checks = core.check_photo(info, case["geom"], store.srs_id, window, max_distance_m,
                                      detected_at=case.get("detected_at"))
            checks["camera"] = " ".join(p for p in (info.make, info.model) if p) or None
            taken_at = info.taken_at or None
            lon, lat = (info.lon, info.lat) if info.has_position else (None, None)
        elif kind == "sketch":
            checks = core.check_sketch(core.read_sketch(stored.read_bytes()), case["geom"], max_distance_m)
        rel_path = f"{case_id}/{stored.name}"
        prepared.append((case_id, checksum, name, kind, rel_path, size, taken_at, lon, lat, stamp, actor,
                         None if checks is None else json.dumps(checks, ensure_ascii=False, sort_keys=True)))
    known = {r["sha256"] for r in _rows(store, "case_id = ?", (case_id,))}
    with store.transaction() as conn:
        conn.executemany(
            f"INSERT OR IGNORE INTO {EVIDENCE_TABLE} (case_id, sha256, name, kind, rel_path, size, taken_at, lon, "
            "lat, added_at, added_by, checks) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", prepared)
    by_hash = {r["sha256"]: r for r in _rows(store, "case_id = ?", (case_id,))}
    out = []
    for p in prepared:
        out.append(dict(by_hash[p[1]], new=p[1] not in known))
        known.add(p[1])  # the same content twice in one call is added once
    return out


def add_sketch(store: GpkgStore, case_id: str, geom, actor: str, name: str = "sketch.geojson",
               properties: dict | None = None, at: str | None = None) -> dict:
    """Store an officer's sketch polygon (store CRS) as a GeoJSON evidence file of kind ``sketch``."""
    _case(store, case_id)  # refuse an unknown case before making its folder
    data = core.sketch_geojson(geom, store.srs_id, properties)
    folder = evidence_dir(store) / case_id
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / f".draft-{uuid.uuid4().hex}.geojson"
    try:
        draft.write_bytes(data)
        row = _add(store, case_id, [(draft, Path(name).name)], actor, "sketch", None, core.MAX_DISTANCE_M, at)[0]
    finally:
        with contextlib.suppress(FileNotFoundError):
            draft.unlink()
    return row


def evidence_for(store: GpkgStore, case_id: str) -> list[dict]:
    """Evidence rows of a case in the order they were added (``checks`` decoded)."""
    return _rows(store, "case_id = ?", (case_id,))


def unknown_attachments(store: GpkgStore, case_id: str, attachments: Sequence[str]) -> list[str]:
    """Attachments (of an event of the case) that are not rel_paths of the case's evidence."""
    known = {r["rel_path"] for r in evidence_for(store, case_id)}
    return [a for a in attachments if a not in known]


def count_evidence(store: GpkgStore, case_id: str | None = None) -> int:
    """How many evidence files the store (or ``case_id``) has; 0 for a store without the evidence table."""
    if not store.has_table(EVIDENCE_TABLE):
        return 0
    where, args = ("case_id = ?", (case_id,)) if case_id is not None else ("1", ())
    return int(store.conn.execute(f"SELECT count(*) FROM {EVIDENCE_TABLE} WHERE {where}", args).fetchone()[0])


def verify(store: GpkgStore, case_id: str | None = None) -> list[dict]:
    """Problems with stored evidence files: ``missing`` (no file) or ``checksum`` (content changed).

    Each problem is ``{"evidence_id", "case_id", "rel_path", "problem", "expected", "actual"}``;
    an empty list means every file of the store (or of ``case_id``) is present and unchanged.
    """
    rows = _rows(store, "case_id = ?", (case_id,)) if case_id is not None else _rows(store, "1", ())
    problems = []
    for row in rows:
        path = evidence_path(store, row["rel_path"])
        problem, actual = None, None
        if not path.is_file():
            problem = "missing"
        else:
            try:
                actual, _ = _hash_file(path)
            except OSError:
                problem = "missing"
            else:
                if actual != row["sha256"]:
                    problem = "checksum"
        if problem:
            problems.append({"evidence_id": row["evidence_id"], "case_id": row["case_id"],
                             "rel_path": row["rel_path"], "problem": problem, "expected": row["sha256"],
                             "actual": actual})
    return problems
