"""执法整改包: the QField package of the enforcement staff (执法) and how what they bring back moves the cases.

Why a package of its own and not a layer of the 社 officers' field package: the 社 package is cut by patrol grid
(one group or village, the officer's ground) and carries the cases that wait for *evidence*; enforcement works a
whole county or township at once, on the cases the county has *approved* as violations, and answers with a
rectification result, not with evidence. The mechanics are the field package's (:mod:`..patrol.field_package`):
the same folder layout, project building, photo form, zip extraction, photo checks, manifest and conflicts, so
that a desk learns one way of sending work to the field and taking it back. The manifest says which kind of
package it is (``kind`` = :data:`KIND`), so neither import reads the other's package by mistake.

Rules (plain Python, no Qt, no QGIS, no database):

- **Which cases go in** (:func:`package_cases`): the open cases of the prefix (county, township or village code;
  "" for all) in 审核通过 or 执行中 (:data:`PACKAGE_STATES`). A case whose rectification the county returned is
  back in 执行中 and goes in again. 已整改 cases wait for the county's check, not for enforcement: left out.
- **Results** (:data:`RESULTS`): 已拆除复耕 / 已整改到位 / 其他 say the work is done (:data:`DONE_RESULTS`) and need at
  least one photo (the workflow's ``report_rectified`` needs an attachment: a rectification on paper is not
  one); 整改中 / 拒不整改 say it is not. Codes are ASCII (stable, what the import tests); the form shows the
  Chinese names (``labels.rectification_result_labels``, the one registry of names).
- **Moves** (:func:`plan_cases`): the rows of one case, in the order the phone added them, fold into the moves
  the workflow allows from the state at export — a not-done result moves an approved case to 执行中
  (``start_enforcement``, comment with the result and note) and is only evidence afterwards; a done result moves
  an approved case to 执行中 and then 已整改 (``report_rectified``), an enforcing one to 已整改, and is only evidence
  once the case is 已整改. All moves of a case are written together with the version read at export
  (optimistic locking): a case that moved on since is a conflict and nothing of it is written.
- **Idempotence**: every event an import writes carries the row's key (:func:`row_key`: the package's id and
  the row's uuid, as the 巡田上报 reports are keyed) in its comment. A row whose key is found in an event of its
  case was imported before and is skipped; the events a package wrote itself do not count as the case having
  "moved on" (:func:`plan_cases` takes ``own_events``), so a package returned twice — the second time with more
  rows — goes on where it stopped. A row that made no move (only photos) is recognised by its photos already
  being evidence of the case (content-addressed) once the case has moved on; before, importing it again adds
  the same photos, which the store keeps once.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..patrol import field_package as fp
from . import workflow

#: ``kind`` in the manifest of an enforcement package (the field package has none: it is the older kind)
KIND = "enforcement"
#: cases an enforcement package carries
PACKAGE_STATES: tuple[str, ...] = (workflow.APPROVED, workflow.ENFORCING)
#: who makes the moves the package brings back
ROLE = workflow.ENFORCEMENT
START, RECTIFIED = "start_enforcement", "report_rectified"

#: layer names inside the package GeoPackage (the file names are the field package's)
PARCELS, CASES, RECTIFICATION = "parcels", "cases", "rectification"
LAYERS = (PARCELS, CASES, RECTIFICATION)
#: the photo fields of the rectification form, in order: the 巡田上报 form's
PHOTO_FIELDS = fp.PHOTO_FIELDS

#: rectification results (codes stored in the package; names in ``labels.rectification_result_labels``)
DEMOLISHED, RESTORED, IN_PROGRESS, REFUSED, OTHER = "demolished", "restored", "in_progress", "refused", "other"
RESULTS: tuple[str, ...] = (DEMOLISHED, RESTORED, IN_PROGRESS, REFUSED, OTHER)
#: results that report the rectification done (``report_rectified``, a photo required)
DONE_RESULTS: tuple[str, ...] = (DEMOLISHED, RESTORED, OTHER)

#: conflict codes besides the field package's (:data:`..patrol.field_package.CONFLICTS`)
NEEDS_ATTACHMENT, UNKNOWN_RESULT = "needs_attachment", "unknown_result"
CONFLICTS: tuple[str, ...] = (fp.UNKNOWN_CASE, fp.NOT_IN_PACKAGE, fp.CLOSED, fp.MOVED, fp.NOT_ACCEPTING,
                              fp.MISSING_PHOTO, fp.NO_CASE, fp.REFUSED_PHOTO, NEEDS_ATTACHMENT, UNKNOWN_RESULT)

#: what stands for the actor when the row names no officer
DEFAULT_ACTOR = "执法整改包"


# ------------------------------------------------------------------------------------ what goes in
def in_prefix(case: Mapping, prefix: str) -> bool:
    """Whether a case lies under the administrative prefix ("" for all): its group code, else a parcel code."""
    if not prefix:
        return True
    codes = [case.get("grid_code"), *(case.get("parcel_codes") or [])]
    return any(c and str(c).startswith(prefix) for c in codes)


def package_cases(cases: Iterable[Mapping], prefix: str) -> list[Mapping]:
    """The cases an enforcement package carries (:data:`PACKAGE_STATES` under ``prefix``), by priority then id."""
    out = [c for c in cases if c.get("state") in PACKAGE_STATES and in_prefix(c, prefix)]
    return sorted(out, key=lambda c: (c.get("priority") if c.get("priority") is not None else 1 << 30,
                                      str(c.get("case_id"))))


def folder_name(prefix: str) -> str:
    """The package folder: ``enforcement-<prefix>``, ``enforcement-all`` for the whole store."""
    return f"enforcement-{prefix or 'all'}"


def case_title(case: Mapping) -> str:
    """What the form lists for a case: its number (or the first 8 characters of its id), state and place."""
    state = workflow.STATE_NAMES.get(case.get("state"), str(case.get("state")))
    number = case.get("case_no") or str(case.get("case_id"))[:8]
    return f"{number} · {state} · {case.get('grid_code') or ''}"


# ---------------------------------------------------------------------------------------- manifest
def make_manifest(store_id: str, prefix: str, exported_at: str, cases: Iterable[Mapping], counts: Mapping[str, int],
                  srs_id: int, store_path: str, package_id: str) -> dict:
    """The field package's manifest (:func:`..patrol.field_package.make_manifest`: store, export time, each case's
    version) marked as an enforcement package of ``prefix``."""
    manifest = fp.make_manifest(store_id, prefix, exported_at, cases, [], counts, srs_id, store_path, package_id)
    manifest.update(kind=KIND, prefix=prefix, layers=list(LAYERS))
    return manifest


def is_enforcement(manifest: Mapping) -> bool:
    """Whether a manifest (read by :func:`..patrol.field_package.read_manifest`) is an enforcement package's with
    the package id its rows are keyed by; a 社 field package is not (its import is “Import field results”)."""
    return manifest.get("kind") == KIND and bool(str(manifest.get("package_id") or "").strip())


# ------------------------------------------------------------------------------------------- rows
@dataclass(frozen=True)
class RectificationRow:
    """One feature of the returned rectification layer; ``photos`` as the phone stored them (photo, photo_2 …)."""

    fid: int
    uid: str | None
    case_id: str | None
    result: str | None
    photos: tuple[str, ...] = ()
    note: str = ""
    officer: str | None = None
    at: str | None = None


@dataclass(frozen=True)
class Move:
    """One workflow move a row makes (``action`` with ``comment``; attachments are the row's stored photos)."""

    action: str
    comment: str


@dataclass
class Step:
    """One row of a case's plan: its photos (absolute paths) and the moves it makes (none: evidence only)."""

    row: RectificationRow
    photos: list[str]
    moves: list[Move] = field(default_factory=list)

    @property
    def actor(self) -> str:
        return (self.row.officer or "").strip() or DEFAULT_ACTOR


@dataclass
class CasePlan:
    """What to write for one case: its rows in order, with the version the moves are checked against."""

    case_id: str
    version: int
    steps: list[Step] = field(default_factory=list)

    @property
    def moves(self) -> int:
        return sum(len(s.moves) for s in self.steps)


def row_key(package_id: str, row: RectificationRow) -> str:
    """What names a row for ever: the package and the row's uuid (QField's ``uuid()`` default), else its fid."""
    uid = (row.uid or "").strip() or f"fid:{int(row.fid)}"
    return f"{package_id}#{uid}"


def row_tag(package_id: str, row: RectificationRow) -> str:
    """The mark an event carries of the row it came from (searched for by the next import)."""
    return f"〔执法整改包 {row_key(package_id, row)}〕"


def result_comment(row: RectificationRow, result_names: Mapping[str, str], package_id: str) -> str:
    """``整改结果：<name>。<note>`` and the row's tag; control characters a phone may have put in dropped."""
    note = (row.note or "").strip()
    name = result_names.get(str(row.result), str(row.result))
    text = f"整改结果：{name}" + (f"。{note}" if note else "") + row_tag(package_id, row)
    return workflow.strip_control_characters(text)


def start_comment(row: RectificationRow, package_id: str) -> str:
    """The comment of the ``start_enforcement`` a done result makes before reporting the rectification."""
    who = (row.officer or "").strip() or DEFAULT_ACTOR
    return workflow.strip_control_characters(f"开始执行（执法整改包，{who}）" + row_tag(package_id, row))


def _moves(state: str, row: RectificationRow, names: Mapping[str, str], package_id: str) -> tuple[list[Move], str]:
    """The moves of one row from ``state`` and the state after them."""
    if row.result in DONE_RESULTS:
        moves = []
        if state == workflow.APPROVED:
            moves.append(Move(START, start_comment(row, package_id)))
            state = workflow.ENFORCING
        if state == workflow.ENFORCING:
            moves.append(Move(RECTIFIED, result_comment(row, names, package_id)))
            state = workflow.RECTIFIED
        return moves, state
    if state == workflow.APPROVED:
        return [Move(START, result_comment(row, names, package_id))], workflow.ENFORCING
    return [], state


def plan_cases(rows: Iterable[RectificationRow], manifest: Mapping, current: Mapping[str, tuple[str, int]],
               photo_paths: Mapping[int, Sequence[str]], photo_hashes: Mapping[int, Sequence[str | None]],
               refused: Mapping[int, str], stored: Mapping[str, set[str]], tagged: Mapping[str, str],
               own_events: Mapping[str, int], result_names: Mapping[str, str],
               ) -> tuple[list[CasePlan], list[fp.Conflict], list[int]]:
    """(plans per case, conflicts, fids imported before) of the returned rectification rows.

    ``current``: the store's (state, version) per case; ``photo_paths`` / ``photo_hashes``: each row's named
    photos (absolute paths; SHA-256, None when missing); ``refused``: why a row's photo was refused;
    ``stored``: per case the SHA-256 of its evidence; ``tagged``: per case the comments of its events that
    carry this package's tags, joined; ``own_events``: per case how many events this package wrote. A case
    whose version is not the manifest's plus its own events moved on: every new row of it is a conflict.
    """
    package_id = str(manifest.get("package_id") or "")
    exported = manifest.get("cases", {})
    plans: dict[str, CasePlan] = {}
    states: dict[str, str] = {}
    conflicts: list[fp.Conflict] = []
    before: list[int] = []
    for row in sorted(rows, key=lambda r: r.fid):
        case_id = (row.case_id or "").strip()
        hashes = list(photo_hashes.get(row.fid, ()))
        if not case_id:
            conflicts.append(fp.Conflict(RECTIFICATION, row.fid, None, fp.NO_CASE))
            continue
        if row_key(package_id, row) in tagged.get(case_id, ""):
            before.append(row.fid)
            continue
        if row.result not in RESULTS:
            conflicts.append(fp.Conflict(RECTIFICATION, row.fid, case_id, UNKNOWN_RESULT, str(row.result or "")))
            continue
        if refused.get(row.fid):
            conflicts.append(fp.Conflict(RECTIFICATION, row.fid, case_id, fp.REFUSED_PHOTO, refused[row.fid]))
            continue
        if any(h is None for h in hashes):
            missing = [p for p, h in zip(row.photos, hashes) if h is None]
            conflicts.append(fp.Conflict(RECTIFICATION, row.fid, case_id, fp.MISSING_PHOTO, "、".join(missing)))
            continue
        if row.result in DONE_RESULTS and not hashes:
            conflicts.append(fp.Conflict(RECTIFICATION, row.fid, case_id, NEEDS_ATTACHMENT,
                                         result_names.get(row.result, row.result)))
            continue
        if case_id not in current:
            conflicts.append(fp.Conflict(RECTIFICATION, row.fid, case_id, fp.UNKNOWN_CASE))
            continue
        state, version = current[case_id]
        if case_id not in exported:
            conflicts.append(fp.Conflict(RECTIFICATION, row.fid, case_id, fp.NOT_IN_PACKAGE, state))
            continue
        at_export = int(exported[case_id]["version"])
        moved = int(version) != at_export + int(own_events.get(case_id, 0))
        if (moved or state == workflow.CLOSED) and hashes and set(hashes) <= stored.get(case_id, set()):
            before.append(row.fid)  # an evidence-only row of an earlier import: its photos are the case's already
            continue
        if state == workflow.CLOSED:
            conflicts.append(fp.Conflict(RECTIFICATION, row.fid, case_id, fp.CLOSED, state))
            continue
        if moved:
            conflicts.append(fp.Conflict(RECTIFICATION, row.fid, case_id, fp.MOVED,
                                         f"{exported[case_id].get('state')} v{at_export} → {state} v{version}"))
            continue
        if state not in (*PACKAGE_STATES, workflow.RECTIFIED):
            conflicts.append(fp.Conflict(RECTIFICATION, row.fid, case_id, fp.NOT_ACCEPTING, state))
            continue
        plan = plans.setdefault(case_id, CasePlan(case_id, int(version)))
        moves, states[case_id] = _moves(states.get(case_id, state), row, result_names, package_id)
        plan.steps.append(Step(row, list(photo_paths.get(row.fid, ())), moves))
    return list(plans.values()), conflicts, before


def check_plan(plan: CasePlan, state: str) -> None:
    """Run the plan's moves through the workflow from ``state`` before anything is written (photos or events):
    :class:`..workflow.WorkflowError` names the first move the workflow refuses. A move that needs an attachment
    is checked with the row's photos standing for the evidence they will become."""
    for step in plan.steps:
        for move in step.moves:
            state = workflow.apply(state, move.action, ROLE, move.comment, step.photos)
