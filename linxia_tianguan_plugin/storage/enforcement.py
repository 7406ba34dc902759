"""The 田管库 side of the 执法整改包: what its export reads, what its import writes (rules:
:mod:`..core.cases.enforcement`).

Why no table of its own: what an import must remember — which returned rows it has taken — is already in the
store's append-only history. Every event the import writes carries the row's key in its comment
(:func:`..core.cases.enforcement.row_tag`), so :func:`package_events` finds the rows of a package taken before
and how many moves the package itself made; photos are content-addressed evidence (:mod:`.evidence`), so a row
that only added photos is known by them. No migration, and the prefecture store receives the events and
evidence as it receives every other case's.

Writes go through the store's own paths: photos with :func:`.evidence.add_evidence`; the moves of one case with
:func:`move_case`, all in one transaction checked against the version read at export (optimistic locking, as
:func:`.cases.take_action`, which writes one move per transaction: a done result on an approved case is two
moves — 开始执行 then 报告整改 — that must be written together or not at all).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..core.cases import enforcement as rules
from ..core.cases import workflow
from .cases import CASE_TABLE, EVENT_TABLE, cases, entered_at, now_utc
from .evidence import EVIDENCE_TABLE
from .store import GpkgStore


def package_cases(store: GpkgStore, prefix: str) -> list[dict]:
    """The cases an enforcement package of ``prefix`` carries, each with ``entered_at`` (when it entered its state,
    what its deadline counts from)."""
    entered = entered_at(store)
    return [dict(c, entered_at=entered.get(c["case_id"])) for c in rules.package_cases(cases(store), prefix)]


def parcel_rows(store: GpkgStore, codes: Iterable[str]) -> list[dict]:
    """The active coded parcels of these codes (code, seq, dlmc, gdmj_mu, yjmj_m2, wkb)."""
    from . import gpkg

    wanted = sorted({str(c) for c in codes if c})
    out = []
    for i in range(0, len(wanted), 500):
        part = wanted[i:i + 500]
        rows = store.conn.execute(
            "SELECT code, seq, dlmc, gdmj_mu, coalesce(yjmj_m2, 0), geom FROM tg_space_code WHERE status = 'active' "
            f"AND code IN ({','.join('?' * len(part))}) ORDER BY code", part)
        out += [{"code": r[0], "seq": r[1], "dlmc": r[2], "gdmj_mu": r[3], "yjmj_m2": r[4],
                 "wkb": gpkg.decode_blob(r[5])} for r in rows]
    return out


def package_events(store: GpkgStore, case_ids: Iterable[str], package_id: str) -> tuple[dict[str, str],
                                                                                          dict[str, int]]:
    """(per case the comments of its events that carry this package's tags, joined; per case how many there are).
    ``instr`` rather than LIKE: a package id is matched as it is, whatever characters it holds."""
    tagged: dict[str, list[str]] = {}
    ids = sorted({str(c) for c in case_ids if c})
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        for cid, comment in store.conn.execute(
                f"SELECT case_id, comment FROM {EVENT_TABLE} WHERE case_id IN ({','.join('?' * len(part))}) "
                "AND instr(comment, ?) > 0 ORDER BY event_id", [*part, f"{package_id}#"]):
            tagged.setdefault(cid, []).append(str(comment))
    return {k: "\n".join(v) for k, v in tagged.items()}, {k: len(v) for k, v in tagged.items()}


def evidence_hashes(store: GpkgStore, case_ids: Iterable[str]) -> dict[str, set[str]]:
    """Per case, the SHA-256 of its stored evidence."""
    out: dict[str, set[str]] = {}
    ids = sorted({str(c) for c in case_ids if c})
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        for cid, sha in store.conn.execute(
                f"SELECT case_id, sha256 FROM {EVIDENCE_TABLE} WHERE case_id IN ({','.join('?' * len(part))})", part):
            out.setdefault(cid, set()).add(sha)
    return out


def move_case(store: GpkgStore, case_id: str, expected_version: int,
              moves: Sequence[tuple[str, str, str, Sequence[str]]], at: str | None = None) -> dict:
    """Make ``moves`` — (action, actor, comment, attachments) in order, by the enforcement role — on one case in
    one transaction: each appends its event and bumps the version. Raises :class:`..core.cases.workflow.
    ConflictError` when the stored version is not ``expected_version`` (someone moved the case since the export)
    and :class:`..core.cases.workflow.WorkflowError` for a move the workflow refuses; then nothing is written.
    Returns the case's ``{"state", "version", "updated_at"}``."""
    stamp = at or now_utc()
    with store.transaction() as conn:
        row = conn.execute(f"SELECT state, version FROM {CASE_TABLE} WHERE case_id = ?", (case_id,)).fetchone()
        if row is None:
            raise workflow.WorkflowError(f"case {case_id} does not exist", "bad_input")
        state, version = row[0], int(row[1])
        workflow.check_version(int(expected_version), version)
        for action, actor, comment, attachments in moves:
            event = workflow.make_event(case_id, state, action, actor, rules.ROLE, stamp, comment, attachments)
            values = workflow.event_to_row(event)
            conn.execute(f"INSERT INTO {EVENT_TABLE} (case_id, at, actor, from_state, to_state, comment, attachments) "
                         "VALUES (:case_id, :at, :actor, :from_state, :to_state, :comment, :attachments)", values)
            state = event.to_state
        if moves:
            changed = conn.execute(f"UPDATE {CASE_TABLE} SET state = ?, version = version + ?, updated_at = ? "
                                   "WHERE case_id = ? AND version = ?",
                                   (state, len(moves), stamp, case_id, version)).rowcount
            if changed != 1:  # another connection got in between the read and the write
                raise workflow.ConflictError(f"case {case_id} changed meanwhile", int(expected_version), version)
    return {"state": state, "version": version + len(moves), "updated_at": stamp}
