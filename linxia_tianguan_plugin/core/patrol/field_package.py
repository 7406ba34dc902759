"""掌上田管 field package for QField: what goes into a package and how what comes back is judged.

A field package is one folder per 社 (14-digit) or 村 (12-digit) grid code, written by
``processing/patrol/field_package_export.py`` and read back by ``processing/patrol/field_package_import.py``::

    <grid>/tianguan_field.gpkg   parcels (read-only), tasks, cases (read-only), tracks, evidence, reports,
                                 report_areas
    <grid>/tianguan_field.qgs    the QGIS/QField project (relative paths)
    <grid>/manifest.json         :func:`make_manifest`
    <grid>/DCIM/                 photos the phone takes (relative paths in the evidence layer)

Rules (plain Python, no Qt, no QGIS, no database):

- **Grid codes**: a package is asked for by 社 or 村 codes (comma-separated); a parcel, task or case
  belongs to it when its code starts with the grid code (:func:`parse_grids`, :func:`in_grid`).
- **Cases in a package**: every case of the grid that was issued and is not closed
  (:data:`FIELD_STATES`), so the officer sees what is going on in the grid; only cases in
  :data:`EVIDENCE_STATES` (已下发, 退回) accept evidence (``submit_evidence`` by the 社级田管员).
- **Tasks in a package**: the grid's tasks that are not done (open or overdue).
- **Manifest**: the store id, the grid codes, the export time and, per exported case, its state and
  ``version`` at export; the version is what optimistic locking compares on import.
- **Evidence coming back** (:func:`plan_evidence`): the rows of one case become one
  ``submit_evidence`` event with all their photos. A row is a *conflict*, reported and never
  written, when its case is unknown to the store, was not in the package, is closed, has moved on
  since the export (its version is not the manifest's) or is in a state that accepts no evidence,
  or when its photo is missing or refused (:func:`photo_file`: a link, outside the package, not a
  JPEG/PNG/PDF). A row whose photo is already evidence of its case *and* listed by
  one of the case's events was imported before: it is skipped, so importing a package twice adds
  nothing.
- **Reports coming back** (巡田上报, :func:`plan_reports`): a problem the officer found on patrol, not an
  answer to a case — a point (layer ``reports``) or a sketched polygon (layer ``report_areas``; two layers with
  the same form, since QField digitises one geometry type per layer), with a category (:data:`REPORT_CATEGORIES`),
  up to three photos (:data:`PHOTO_FIELDS`) and a note. Each becomes a new case, see :func:`plan_reports` for the
  state it starts in and why, and :mod:`..cases.leads` for how it is pre-judged.
- **Tracks coming back**: a QField tracking line carries each vertex's time as its M value, epoch
  milliseconds (``QFieldSync/tracking_measurement_type`` = 1); older QField versions write the
  seconds since the session's start instead, which :func:`vertex_times` adds to ``started_at``.
  Each line is imported as one "file" whose identity is its content (:func:`track_key`).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..cases import evidence as evidence_rules
from ..cases import workflow
from ..cases.evidence import tr
from ..cases.keys import case_key, case_uuid

FORMAT = "linxia-tianguan-field-package"
FORMAT_VERSION = 1

GPKG_NAME = "tianguan_field.gpkg"
PROJECT_NAME = "tianguan_field.qgs"
MANIFEST_NAME = "manifest.json"
PHOTO_DIR = "DCIM"

#: layer names inside the package GeoPackage
PARCELS, TASKS, CASES, TRACKS, EVIDENCE, REPORTS = "parcels", "tasks", "cases", "tracks", "evidence", "reports"
#: 巡田上报 sketched as a polygon: a layer of its own beside the point ``reports`` (QField digitises one geometry
#: type per layer; a mixed layer would make the officer pick a type before every report), the same fields and form
REPORT_AREAS = "report_areas"
LAYERS = (PARCELS, TASKS, CASES, TRACKS, EVIDENCE, REPORTS, REPORT_AREAS)
REPORT_LAYERS = (REPORTS, REPORT_AREAS)
#: the attachment fields of a report, in the order their photos become the case's evidence
PHOTO_FIELDS = ("photo", "photo_2", "photo_3")

#: EPSG of the tracks layer: QField records positions in the layer's CRS; lon/lat keeps them as fixes are stored
TRACKS_EPSG = 4490

#: cases a package shows (issued and not closed) and those that accept evidence from the field
FIELD_STATES: tuple[str, ...] = tuple(s for s in workflow.STATES if s not in (workflow.PENDING, workflow.CLOSED))
EVIDENCE_STATES: tuple[str, ...] = (workflow.ISSUED, workflow.RETURNED)
EVIDENCE_ACTION = "submit_evidence"
EVIDENCE_ROLE = workflow.GROUP_OFFICER

#: conflict codes of :func:`plan_evidence`
UNKNOWN_CASE, NOT_IN_PACKAGE, CLOSED, MOVED, NOT_ACCEPTING, MISSING_PHOTO, NO_CASE, BAD_TRACK = (
    "unknown_case", "not_in_package", "closed", "moved", "not_accepting", "missing_photo", "no_case", "bad_track")
#: a photo refused for what it is (a link, outside the package, not JPEG/PNG/PDF, empty); detail says why
REFUSED_PHOTO = "refused_photo"
#: a report (巡田上报) without a point: no case can be placed
NO_POSITION = "no_position"
#: a sketched report whose polygon encloses (next to) no area even once repaired: a slip of the finger
BAD_GEOMETRY = "bad_geometry"
CONFLICTS = (UNKNOWN_CASE, NOT_IN_PACKAGE, CLOSED, MOVED, NOT_ACCEPTING, MISSING_PHOTO, NO_CASE, BAD_TRACK,
             REFUSED_PHOTO, NO_POSITION, BAD_GEOMETRY)

#: 巡田上报 categories as the form offers them → change kind (:data:`..cases.prejudge.KINDS`); 乱占 is 非农化
REPORT_CATEGORIES: dict[str, str] = {"非农化": "nonagri", "非粮化": "nongrain", "撂荒": "abandoned",
                                     "乱占": "nonagri", "其他": "other"}
#: ``tg_case.source``, the reason code and the category of a case reported from the field
REPORT_SOURCE = "field_report"
REPORT_REASON = "field_report"
REPORT_CATEGORY = "verify"  # 需外业核实: a report is a lead the county checks, never a finding
REPORT_RULES_VERSION = "field-report-2"  # 2: sketched polygons, several photos, pre-judgement
#: a report is matched to the coded parcel under it, else the nearest within this distance (as video alarms)
REPORT_TOLERANCE_M = 30.0
#: radius of the case polygon of a report that no coded parcel is near
REPORT_RADIUS_M = 10.0
#: a sketch with less area than this (m²) once made valid is :data:`BAD_GEOMETRY`, not a report of a place
REPORT_MIN_AREA_M2 = 1.0

_CODE = re.compile(r"\d{12}(\d{2})?")
_SPLIT = re.compile(r"[\s,，;；、]+")


class FieldPackageError(ValueError):
    """A grid list, manifest or package that cannot be used; the message says what is wrong."""


# ------------------------------------------------------------------------------------------- grids
def parse_grids(text: str | Iterable[str]) -> list[str]:
    """The 社 (14-digit) / 村 (12-digit) codes of a comma-separated list, deduplicated, in order.

    A code inside another code of the list (a group of a listed village) is dropped: its parcels are
    in the village's package already.
    """
    items = _SPLIT.split(text.strip()) if isinstance(text, str) else [str(t).strip() for t in text]
    codes: list[str] = []
    for item in items:
        if not item:
            continue
        if not _CODE.fullmatch(item):
            raise FieldPackageError(f"{item!r} is not a 14-digit group (社) or 12-digit village (村) code")
        if item not in codes:
            codes.append(item)
    if not codes:
        raise FieldPackageError("no grid code given")
    return [c for c in codes if not any(o != c and c.startswith(o) for o in codes)]


def in_grid(code: str | None, grid: str) -> bool:
    """Whether a parcel / grid / case code lies in the grid (its code starts with the grid's)."""
    return bool(code) and str(code).startswith(grid)


# ------------------------------------------------------------------------------------ what goes in
def field_cases(cases: Iterable[Mapping], grid: str) -> list[Mapping]:
    """Cases of the grid a package shows: issued and not closed, by priority then id."""
    out = [c for c in cases if in_grid(c.get("grid_code"), grid) and c.get("state") in FIELD_STATES]
    return sorted(out, key=lambda c: (c.get("priority") if c.get("priority") is not None else 1 << 30,
                                      str(c.get("case_id"))))


def field_tasks(tasks: Sequence, statuses: Sequence[str], grid: str) -> list[tuple]:
    """(task, status) of the grid's tasks that are not done, by grid code and period."""
    out = [(t, s) for t, s in zip(tasks, statuses) if in_grid(t.grid_code, grid) and s != "done"]
    return sorted(out, key=lambda p: (p[0].grid_code, p[0].period_start))


def accepts_evidence(state: str | None) -> bool:
    return state in EVIDENCE_STATES


def case_title(case: Mapping) -> str:
    """What the evidence form lists for a case: state, category and the first 8 characters of its id."""
    state = workflow.STATE_NAMES.get(case.get("state"), str(case.get("state")))
    return f"{state} · {case.get('category') or case.get('kind') or ''} · {str(case.get('case_id'))[:8]}"


# ---------------------------------------------------------------------------------------- manifest
def make_manifest(store_id: str, grid: str, exported_at: str, cases: Iterable[Mapping], task_ids: Iterable[str],
                  counts: Mapping[str, int], srs_id: int, store_path: str = "", package_id: str = "") -> dict:
    """The manifest of one package (JSON-ready); ``cases`` are the exported case rows. ``package_id`` (a UUID
    made by the export) names this very package: report cases are keyed by it (:func:`package_identity`)."""
    workflow.parse_time(exported_at)
    return {
        "package_id": str(package_id),
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "store_id": str(store_id),
        "store_path": str(store_path),
        "grid": grid,
        "grids": [grid],
        "exported_at": exported_at,
        "srs_id": int(srs_id),
        "cases": {str(c["case_id"]): {"state": c["state"], "version": int(c["version"])} for c in cases},
        "tasks": list(task_ids),
        "counts": dict(counts),
        "layers": list(LAYERS),
    }


def manifest_json(manifest: Mapping) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def read_manifest(text: str) -> dict:
    """A manifest read back; FieldPackageError when it is not one this version understands."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise FieldPackageError(tr("the manifest is not a JSON file ({error})").format(error=exc)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FieldPackageError(tr("the manifest is not the manifest of a tianguan field package"))
    version = data.get("format_version", 0)
    if isinstance(version, str) and version.strip().isdigit():
        version = int(version.strip())
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise FieldPackageError(tr("format_version = {value} in the manifest ({name}) is not valid: it must be a "
                                   "whole number not above {latest}; the package may be damaged or altered").format(
            value=repr(str(version)[:40]), name=MANIFEST_NAME, latest=FORMAT_VERSION))
    if version > FORMAT_VERSION:
        raise FieldPackageError(tr("the package's format version {version} is newer than this plugin's ({latest}): "
                                   "update the plugin first").format(version=version, latest=FORMAT_VERSION))
    for key in ("store_id", "grid", "exported_at", "cases"):
        if key not in data:
            raise FieldPackageError(tr("the manifest has no {key}").format(key=key))
    if not all(isinstance(data[key], str) for key in ("store_id", "grid", "exported_at")):
        raise FieldPackageError(tr("store_id, grid or exported_at of the manifest is not text"))
    if not isinstance(data["cases"], dict) or not all(
            isinstance(c, dict) and isinstance(c.get("version"), int) and not isinstance(c.get("version"), bool)
            for c in data["cases"].values()):
        raise FieldPackageError(tr("the list of cases in the manifest is damaged"))
    return data


# ------------------------------------------------------------------------------------------ tracks
def vertex_times(m_values: Sequence[float], started_at: float = math.nan) -> list[float]:
    """UTC epoch seconds of a tracking line's vertices from their M values.

    Epoch values (seconds or milliseconds, like QField's measurement type 1) are taken as they are;
    small values (< 10⁹, QField's older "seconds since the first vertex") are added to ``started_at``
    (epoch seconds) and are NaN without it. Missing M values are NaN.
    """
    out = []
    for m in m_values:
        if m is None or not math.isfinite(float(m)):
            out.append(math.nan)
            continue
        v = float(m)
        if abs(v) > 1e11:
            out.append(v / 1000.0)
        elif abs(v) >= 1e9:
            out.append(v)
        else:
            out.append(started_at + v if math.isfinite(started_at) else math.nan)
    return out


def track_key(coords: Sequence[Sequence[float]], times: Sequence[float], officer: str | None,
              grid: str | None) -> str:
    """Content hash of one returned tracking line (vertices, times, officer, grid): the same line
    imported again is recognised whatever the package file around it."""
    h = hashlib.sha256(b"tianguan-field-track\0")
    h.update(json.dumps([officer or "", grid or ""], ensure_ascii=False).encode("utf-8"))
    for (x, y, *_), t in zip(coords, times):
        h.update(f"{x:.9f},{y:.9f},{'' if not math.isfinite(t) else round(t, 3)};".encode("ascii"))
    return h.hexdigest()


# ---------------------------------------------------------------------------------------- evidence
@dataclass(frozen=True)
class EvidenceRow:
    """One feature of the returned evidence layer (photo: the path as the phone stored it)."""

    fid: int
    case_id: str | None
    photo: str | None
    note: str = ""
    taken_at: str | None = None
    officer: str | None = None
    x: float | None = None
    y: float | None = None


@dataclass(frozen=True)
class Conflict:
    """A returned row that was not imported, and why (``code`` in :data:`CONFLICTS`)."""

    layer: str
    fid: int
    case_id: str | None
    code: str
    detail: str = ""


@dataclass
class Submission:
    """One ``submit_evidence`` event to make: a case, the version read at export, its rows and photos."""

    case_id: str
    version: int
    rows: list[EvidenceRow] = field(default_factory=list)
    photos: list[str] = field(default_factory=list)  # absolute paths, in row order, without repeats

    @property
    def actor(self) -> str:
        names = [r.officer.strip() for r in self.rows if r.officer and r.officer.strip()]
        return names[0] if names else "外业巡田包"

    @property
    def comment(self) -> str:
        notes = [r.note.strip() for r in self.rows if r.note and r.note.strip()]
        return "；".join(dict.fromkeys(notes))


def photo_path(package_dir: str, photo: str | None) -> str | None:
    """Absolute path of a photo as the phone recorded it (relative to the project folder, ``/`` or ``\\``);
    None when empty or when it would leave the package folder."""
    if not photo or not str(photo).strip():
        return None
    parts = [p for p in str(photo).strip().replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    if str(photo).strip().startswith("/") or re.match(r"[A-Za-z]:", parts[0]):
        return None
    return "/".join([package_dir.rstrip("/\\").replace("\\", "/"), *parts])


def photo_file(package_dir: str, photo: str | None) -> tuple[str | None, str | None]:
    """(absolute path, reason refused) of a returned row's photo.

    (path, None) for a photo that may be read — or is simply not there (:func:`plan_evidence` reports
    it missing from its hash); (None, None) without a photo; (None, Chinese reason) when refused: a
    path with ``..`` or an absolute one, a symbolic link (the photo or a folder such as ``DCIM``), a
    file resolving outside the package, an empty file or content that is not JPEG/PNG/PDF
    (:func:`..core.cases.evidence.check_file`). A hostile package can thus not make the desk copy one of
    its own files (``/etc/passwd``, the store) into the evidence.
    """
    if not photo or not str(photo).strip():
        return None, None
    path = photo_path(package_dir, photo)
    if path is None:
        return None, tr("the photo path contains \"..\" or is absolute: it points outside the field package folder; "
                        "not accepted")
    reason = evidence_rules.check_file(path, os.fspath(package_dir))
    if reason == evidence_rules.MISSING:
        return path, None
    return (None, reason) if reason else (path, None)


def plan_evidence(rows: Iterable[EvidenceRow], manifest: Mapping, current: Mapping[str, tuple[str, int]],
                  photo_hashes: Mapping[int, str | None], submitted: Mapping[str, set[str]],
                  photo_paths: Mapping[int, str | None], refused: Mapping[int, str] | None = None,
                  ) -> tuple[list[Submission], list[Conflict], list[int]]:
    """(submissions, conflicts, fids imported before) for the returned evidence rows.

    ``current`` is the store's (state, version) per case id; ``photo_hashes`` the SHA-256 of each
    row's photo (None: missing); ``submitted`` per case the SHA-256 of evidence an event already
    lists; ``photo_paths`` each row's absolute photo path; ``refused`` the reason (:func:`photo_file`)
    per row whose photo was refused, a :data:`REFUSED_PHOTO` conflict. See the module docstring for the rules;
    a case with one conflicting row still gets its other rows, since each photo stands on its own,
    unless the conflict is about the case itself.
    """
    exported = manifest.get("cases", {})
    by_case: dict[str, Submission] = {}
    conflicts: list[Conflict] = []
    done: list[int] = []
    for row in sorted(rows, key=lambda r: r.fid):
        case_id = (row.case_id or "").strip()
        if not case_id:
            conflicts.append(Conflict(EVIDENCE, row.fid, None, NO_CASE))
            continue
        if refused and refused.get(row.fid):
            conflicts.append(Conflict(EVIDENCE, row.fid, case_id, REFUSED_PHOTO,
                                      f"{row.photo or ''}：{refused[row.fid]}"))
            continue
        digest = photo_hashes.get(row.fid)
        if digest is None:
            conflicts.append(Conflict(EVIDENCE, row.fid, case_id, MISSING_PHOTO, row.photo or ""))
            continue
        if digest in submitted.get(case_id, set()):
            done.append(row.fid)
            continue
        if case_id not in current:
            conflicts.append(Conflict(EVIDENCE, row.fid, case_id, UNKNOWN_CASE))
            continue
        state, version = current[case_id]
        if case_id not in exported:
            conflicts.append(Conflict(EVIDENCE, row.fid, case_id, NOT_IN_PACKAGE, state))
            continue
        at_export = int(exported[case_id]["version"])
        if state == workflow.CLOSED:
            conflicts.append(Conflict(EVIDENCE, row.fid, case_id, CLOSED, state))
        elif int(version) != at_export:
            conflicts.append(Conflict(EVIDENCE, row.fid, case_id, MOVED,
                                      f"{exported[case_id].get('state')} v{at_export} → {state} v{version}"))
        elif not accepts_evidence(state):
            conflicts.append(Conflict(EVIDENCE, row.fid, case_id, NOT_ACCEPTING, state))
        else:
            sub = by_case.setdefault(case_id, Submission(case_id, at_export))
            sub.rows.append(row)
            path = photo_paths.get(row.fid)
            if path and path not in sub.photos:
                sub.photos.append(path)
    return list(by_case.values()), conflicts, done


# ----------------------------------------------------------------------------------------- reports
@dataclass(frozen=True)
class ReportRow:
    """One feature of a returned 巡田上报 layer (x/y in the package's CRS, the store's: the point of a point report,
    a point on the surface of a sketch). ``photo`` is the first attachment field, ``photos_more`` the others as
    written (:data:`PHOTO_FIELDS`); ``layer`` is :data:`REPORTS` or :data:`REPORT_AREAS`; ``sketch`` the WKB of a
    sketched polygon as the phone stored it."""

    fid: int
    uid: str | None
    category: str | None
    photo: str | None
    note: str = ""
    officer: str | None = None
    reported_at: str | None = None
    x: float | None = None
    y: float | None = None
    photos_more: tuple[str | None, ...] = ()
    layer: str = REPORTS
    sketch: bytes | None = None

    @property
    def photos(self) -> list[str]:
        """The photos given, in field order, empty fields left out: the order they become evidence in."""
        return [str(p).strip() for p in (self.photo, *self.photos_more) if p and str(p).strip()]


@dataclass(frozen=True)
class ReportPlan:
    """A report to turn into a case: its key and id, change kind, first photo (absolute path or None), every photo
    (absolute paths, in order), the report's own geometry (store CRS: the point, or the sketch made valid) and
    whether the sketch had to be repaired."""

    row: ReportRow
    case_key: str
    case_id: str
    kind: str
    photo: str | None
    photos: tuple[str, ...] = ()
    geom: object = None
    repaired: bool = False

    @property
    def is_area(self) -> bool:
        return self.row.layer == REPORT_AREAS


def package_identity(manifest: Mapping) -> str:
    """What names one exported package: its ``package_id``; for a package written before it had one, the
    store, grid and export time (a re-export of the grid is another package, its fids start again at 1)."""
    pid = str(manifest.get("package_id") or "").strip()
    return pid or f"{manifest.get('store_id')}/{manifest.get('grid')}/{manifest.get('exported_at')}"


def report_key(manifest: Mapping, row: ReportRow) -> str:
    """The case key of a report: the package and the report's own uuid (QField's ``uuid()`` default), else its
    fid (and, for a sketch, its layer) — nothing the officer may still edit (category, note, photos, shape), so
    importing the package again finds the case."""
    fallback = f"fid:{int(row.fid)}" if row.layer == REPORTS else f"{row.layer}:fid:{int(row.fid)}"
    uid = (row.uid or "").strip() or fallback
    return case_key(REPORT_SOURCE, "", "", "", "", f"{package_identity(manifest)}#{uid}", None)


def report_kind(category: str | None) -> str:
    """Change kind of a report's category; an empty or unknown one is ``other`` (其他), the form's catch-all."""
    return REPORT_CATEGORIES.get(str(category or "").strip(), "other")


def report_geometry(row: ReportRow) -> tuple[object | None, str | None, bool]:
    """(geometry in the store's CRS, conflict code or None, repaired) of a returned report.

    A point report is its point (:data:`NO_POSITION` without one). A sketch is its polygon made valid — a
    self-intersecting ring (a bow tie drawn with one finger) becomes the polygons it encloses, ``repaired`` true;
    no polygon at all is :data:`NO_POSITION`, one that encloses less than :data:`REPORT_MIN_AREA_M2` once valid (a
    line, two taps, a ring folded onto itself) is :data:`BAD_GEOMETRY`.
    """
    import numpy as np
    import shapely

    from ..geometry import REPAIRED, repair

    if row.layer != REPORT_AREAS:
        if row.x is None or row.y is None or not (math.isfinite(row.x) and math.isfinite(row.y)):
            return None, NO_POSITION, False
        return shapely.Point(float(row.x), float(row.y)), None, False
    if not row.sketch:
        return None, NO_POSITION, False
    try:
        raw = shapely.from_wkb(row.sketch)
    except (shapely.errors.GEOSException, ValueError, TypeError):
        return None, BAD_GEOMETRY, False
    if raw is None or raw.is_empty:
        return None, NO_POSITION, False
    fixed, status = repair(np.array([raw], dtype=object))
    geom = fixed[0]
    if geom is None or float(shapely.area(geom)) < REPORT_MIN_AREA_M2:
        return None, BAD_GEOMETRY, False
    return geom, None, bool(status[0] == REPAIRED)


def plan_reports(rows: Iterable[ReportRow], manifest: Mapping, photo_paths: Mapping[str, str | None],
                 photo_hashes: Mapping[str, str | None], refused: Mapping[str, str] | None = None,
                 ) -> tuple[list[ReportPlan], list[Conflict]]:
    """(reports to store, conflicts) of the returned 巡田上报 rows of both report layers.

    The photo maps are keyed by the photo path as the phone wrote it (a path names one file of the package):
    ``photo_paths`` its absolute path (:func:`photo_file`), ``photo_hashes`` its SHA-256 (None: missing),
    ``refused`` why it was refused.

    Each report becomes one new case in ``pending`` (待下发), created by ``system`` like every case, whose
    history (:func:`report_comment`) says it came from the field, with reason ``field_report``. Why ``pending``
    and not ``reported`` (已上报): the workflow lets a case begin only with ``None → pending`` by ``system``
    (:func:`..cases.workflow.replay`), and reaching 已上报 would mean writing 下发/举证/上报 events nobody made;
    待下发 is where the county desk reviews what comes in (the video alarms' cases wait there too) and issues it
    back to the group for checking — the "待审核" of the report. A row without a position or with a degenerate
    sketch (:func:`report_geometry`), or one of whose photos is missing or refused (one conflict per such photo),
    makes no case: fixing the package and importing again then creates it with all its photos in order. A report
    without a photo is accepted.
    """
    plans: list[ReportPlan] = []
    conflicts: list[Conflict] = []
    order = {name: n for n, name in enumerate(REPORT_LAYERS)}
    for row in sorted(rows, key=lambda r: (order.get(r.layer, len(order)), r.fid)):
        geom, code, repaired = report_geometry(row)
        if code is not None:
            conflicts.append(Conflict(row.layer, row.fid, None, code))
            continue
        bad = []
        for photo in row.photos:
            if refused and refused.get(photo):
                bad.append(Conflict(row.layer, row.fid, None, REFUSED_PHOTO, f"{photo}：{refused[photo]}"))
            elif photo_paths.get(photo) is None or photo_hashes.get(photo) is None:
                bad.append(Conflict(row.layer, row.fid, None, MISSING_PHOTO, photo))
        if bad:
            conflicts += bad
            continue
        paths = tuple(dict.fromkeys(str(photo_paths[p]) for p in row.photos))
        key = report_key(manifest, row)
        plans.append(ReportPlan(row, key, case_uuid(key), report_kind(row.category), paths[0] if paths else None,
                                paths, geom, repaired))
    return plans, conflicts


def report_comment(row: ReportRow, grid: str) -> str:
    """The comment of a report case's first event: that it is a 巡田上报, by whom, in which package, what."""
    who = (row.officer or "").strip() or "田管员"
    category = (row.category or "").strip() or "其他"
    note = (row.note or "").strip()
    text = f"巡田上报（外业巡田包 {grid}，{who}"
    if row.reported_at:
        text += f"，{row.reported_at}"
    # the store refuses control characters in event text (workflow.make_event): a phone's note may hold some
    return workflow.strip_control_characters(text + f"）：{category}" + (f"。{note}" if note else ""))



# ------------------------------------------------------------------------------------- zip packages
#: a zipped package with more members than this is refused whole (a package holds a few hundred photos)
ZIP_MAX_MEMBERS = 20_000
#: a member larger than this (uncompressed) is refused: no phone photo or package GeoPackage comes near it
ZIP_MAX_MEMBER_BYTES = 512 * 1024 * 1024
#: a package larger than this in all (uncompressed) is refused whole: a zip bomb would fill the desk's disk
ZIP_MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
#: extracted files are copied in blocks of this size, counting what is really written
_ZIP_BLOCK = 1 << 20
_DRIVE = re.compile(r"[A-Za-z]:")


@dataclass(frozen=True)
class ZipRefusal:
    """A member of a zipped package that was not extracted, and why (translated)."""

    member: str
    reason: str


def zip_member_path(name: str) -> str | None:
    """The relative ``/`` path a zip member would be extracted to, or None when it must not be: an absolute
    name (``/``, ``\\``, a drive), a ``..`` part, a ``:`` (Windows alternate data streams) or a control character."""
    text = str(name).replace("\\", "/")
    if text.startswith("/") or _DRIVE.match(text) or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return None
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if not parts or ".." in parts or any(":" in p for p in parts):
        return None
    return "/".join(parts)


def zip_plan(infos: Sequence[zipfile.ZipInfo]) -> tuple[list[tuple[zipfile.ZipInfo, str]], list[ZipRefusal]]:
    """(members to extract with their relative path, members refused) of a zipped package.

    Raises :class:`FieldPackageError` (the whole package refused) with more than :data:`ZIP_MAX_MEMBERS`
    members or more than :data:`ZIP_MAX_TOTAL_BYTES` uncompressed in all. A member is refused, named with
    the reason, when its name is absolute or has ``..`` (zip slip: it would be written outside the
    extraction folder), when it is a symbolic link (``external_attr`` with ``S_IFLNK``: it could make a
    package photo a desk file), when its name occurs more than once (case-insensitively, as on Windows:
    which one is the photo?), when it is encrypted, or when it is larger than
    :data:`ZIP_MAX_MEMBER_BYTES`. Folder entries are skipped (folders are made as needed).
    """
    if len(infos) > ZIP_MAX_MEMBERS:
        raise FieldPackageError(tr("the zip holds {n} entries, more than the {limit} a field package may have").format(
            n=len(infos), limit=ZIP_MAX_MEMBERS))
    total = sum(max(int(i.file_size), 0) for i in infos)
    if total > ZIP_MAX_TOTAL_BYTES:
        raise FieldPackageError(tr("the zip unpacks to {size} MB, more than the {limit} MB a field package may "
                                   "have (a zip bomb?)").format(size=total // (1 << 20),
                                                                limit=ZIP_MAX_TOTAL_BYTES // (1 << 20)))
    seen: dict[str, int] = {}
    for info in infos:
        rel = zip_member_path(info.filename)
        if rel is not None:
            seen[rel.casefold()] = seen.get(rel.casefold(), 0) + 1
    keep: list[tuple[zipfile.ZipInfo, str]] = []
    refused: list[ZipRefusal] = []
    for info in infos:
        name = info.filename
        mode = (info.external_attr >> 16) & 0xFFFF
        rel = zip_member_path(name)
        if rel is None:
            refused.append(ZipRefusal(name, tr("zip member {member} has an absolute path or \"..\": it would be "
                                               "written outside the extraction folder; not extracted").format(
                member=name)))
        elif stat.S_ISLNK(mode):
            refused.append(ZipRefusal(name, tr("zip member {member} is a symbolic link, which may point to any file "
                                               "of the desk computer; not extracted").format(member=name)))
        elif info.is_dir():
            continue
        elif seen.get(rel.casefold(), 0) > 1:
            refused.append(ZipRefusal(name, tr("zip member {member} occurs more than once in the zip (names "
                                               "compared ignoring case); none of them is extracted").format(
                member=name)))
        elif info.flag_bits & 0x1:
            refused.append(ZipRefusal(name, tr("zip member {member} is encrypted; not extracted").format(
                member=name)))
        elif info.file_size > ZIP_MAX_MEMBER_BYTES:
            refused.append(ZipRefusal(name, tr("zip member {member} unpacks to {size} MB, more than {limit} MB; "
                                               "not extracted").format(member=name, size=info.file_size // (1 << 20),
                                                                       limit=ZIP_MAX_MEMBER_BYTES // (1 << 20))))
        elif stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            refused.append(ZipRefusal(name, tr("zip member {member} is not a regular file; not extracted").format(
                member=name)))
        else:
            keep.append((info, rel))
    return keep, refused


def _extract_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, rel: str, dest: str) -> str | None:
    """Write one planned member below ``dest``; None, or why it was not (translated). Never follows a link,
    never replaces a file, never writes more than the member declared nor more than the per-file cap."""
    target = os.path.join(dest, *rel.split("/"))
    real_dest = os.path.realpath(dest)
    parent = os.path.dirname(target)
    if os.path.commonpath([real_dest, os.path.realpath(parent)]) != real_dest:
        return tr("zip member {member} would be written outside the extraction folder; not extracted").format(
            member=info.filename)
    limit = min(int(info.file_size), ZIP_MAX_MEMBER_BYTES)
    written = 0
    try:
        os.makedirs(parent, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        with archive.open(info) as src, os.fdopen(os.open(target, flags, 0o600), "wb") as dst:
            while chunk := src.read(_ZIP_BLOCK):
                written += len(chunk)
                if written > limit:
                    raise FieldPackageError("size")
                dst.write(chunk)
    except FieldPackageError:
        _unlink(target)
        return tr("zip member {member} unpacks to more than it declares ({size} bytes); not extracted").format(
            member=info.filename, size=info.file_size)
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError, NotImplementedError) as exc:
        _unlink(target)
        return tr("zip member {member} cannot be extracted ({error}); not extracted").format(
            member=info.filename, error=exc)
    return None


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def extract_zip(zip_path: os.PathLike | str, dest: os.PathLike | str) -> list[ZipRefusal]:
    """Extract a zipped package into the (empty) folder ``dest`` safely; return the members refused.

    Only members :func:`zip_plan` keeps are written, each to a new file below ``dest`` (never through a
    link, never outside). Raises :class:`FieldPackageError` when the file is not a readable zip or the
    package is refused whole."""
    dest = os.fspath(dest)
    try:
        with zipfile.ZipFile(os.fspath(zip_path)) as archive:
            keep, refused = zip_plan(archive.infolist())
            for info, rel in keep:
                why = _extract_member(archive, info, rel, dest)
                if why:
                    refused.append(ZipRefusal(info.filename, why))
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        if isinstance(exc, FieldPackageError):
            raise
        raise FieldPackageError(tr("the file is not a readable zip ({error})").format(error=exc)) from None
    return refused


@contextmanager
def extracted_zip(zip_path: os.PathLike | str) -> Iterator[tuple[str, list[ZipRefusal]]]:
    """``with extracted_zip(path) as (folder, refused):`` the package extracted (:func:`extract_zip`) into a
    new temporary folder, removed with everything in it when the block ends, also on errors."""
    folder = tempfile.mkdtemp(prefix="tianguan-package-")
    try:
        yield folder, extract_zip(zip_path, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
