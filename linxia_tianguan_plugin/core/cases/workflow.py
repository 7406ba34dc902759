"""Workflow of a change case (变化图斑案件): states, who may move a case, deadlines and its history.

The prefecture's closed loop is 下发 → 举证 → 上报 → 审核 → 执行 → 结案. A case is created by the change
analysis in ``pending`` with one event ``None → pending`` by ``system`` (see ``storage/cases.py``);
every later move appends one event to ``tg_case_event`` and the case's state is the ``to_state`` of
its last event. This module is the single place that says which moves exist, so that the desk UI,
Processing, the storage layer and later the server refuse the same things with the same words.

Transitions (action: source → target; roles; requirement) ::

    issue                  pending   → issued     county_reviewer, system
    recall                 issued    → pending    county_reviewer                    comment (why it is recalled)
    submit_evidence        issued    → evidenced  group_officer                      attachment (photos/documents)
    submit_evidence        returned  → evidenced  group_officer                      attachment
    return                 evidenced → returned   village_township                   comment (the reason)
    report                 evidenced → reported   village_township
    approve                reported  → approved   county_reviewer
    return                 reported  → returned   county_reviewer                    comment (the reason)
    start_enforcement      approved  → enforcing  enforcement, county_reviewer
    close                  approved  → closed     county_reviewer                    comment (why it is lawful)
    report_rectified       enforcing → rectified  group_officer, enforcement         attachment (photos after)
    return_rectification   rectified → enforcing  county_reviewer                    comment (what is still wrong)
    close                  rectified → closed     county_reviewer

流转表（动作：起始状态 → 目标状态；角色；要求）::

    下发      待下发 → 已下发      县级审核、系统
    撤回      已下发 → 待下发      县级审核                    须说明撤回原因
    举证      已下发 → 已举证      社级田管员                  须附照片/材料
    举证      退回   → 已举证      社级田管员                  须附照片/材料
    退回      已举证 → 退回        村/乡级田管员               须填写退回理由
    上报      已举证 → 已上报      村/乡级田管员
    审核通过  已上报 → 审核通过    县级审核
    退回      已上报 → 退回        县级审核                    须填写退回理由
    开始执行  审核通过 → 执行中    执法、县级审核
    结案      审核通过 → 已结案    县级审核                    须说明合法/无违法的依据
    报告整改  执行中 → 已整改      社级田管员、执法            须附整改后照片/材料
    退回整改  已整改 → 执行中      县级审核                    须说明整改不到位之处
    结案      已整改 → 已结案      县级审核

Decisions beyond the prefecture's outline, and why:

- Every (source, target) pair belongs to exactly one transition. The event table stores no action
  (nor role), so :func:`replay` recognises the move from the two states; a second action on the same
  pair would make the history ambiguous.
- ``return`` also exists from ``evidenced``: the 村/乡 officer checks the 社 officer's evidence before
  reporting it up and can send it back, to the same ``returned`` state and with a reason, so the
  county does not see incomplete evidence. Either way a returned case goes back to 举证.
- ``recall`` (issued → pending): a case issued by mistake (a batch 下发 of the wrong township, say) is taken back
  by the county desk before the field has acted on it. "Not yet acted on" is the state itself: once the 社 officer
  submits evidence the case is ``evidenced`` and no recall leads from there (nor from ``returned``, which comes
  after evidence). It is an ordinary event (append-only, version bump) with a required reason, so the history
  shows the mistake and its correction; re-issuing restarts the 已下发 clock. Only ``county_reviewer``: ``system``
  may issue automatically but not judge that an issue was wrong.
- ``return_rectification`` (rectified → enforcing): the county verifies the rectification before
  closing; when it is not done the case goes back to 执行 rather than being closed on paper.
- ``close`` from ``approved`` needs a comment because closing without enforcement must say why the
  change is lawful (approved land use, facility farmland, no violation…).
- ``closed`` is terminal: a case is never reopened. A violation found again is a new detection and a
  new case (its own ``case_key``), which keeps statistics of closed cases stable.
- ``system`` may only issue (automatic dispatch) and create; it cannot judge, enforce or close.
- A comment or attachment "given" means at least one non-blank string; whitespace is not a reason.
- Deadlines are whole days counted from the moment the case entered the state (N × 24 h in UTC), not
  working days (the holiday calendar is not known here) and not rounded to local midnight. Re-entering
  a state (e.g. reported again after a return) restarts its clock. ``closed`` has no deadline.

Times are UTC text ``YYYY-MM-DDTHH:MM:SSZ`` as everywhere in the 田管库. Plain Python (no Qt, no QGIS,
no database): the caller reads and writes rows and uses :func:`check_version` for optimistic locking.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

# ---------------------------------------------------------------------------------------- states
PENDING, ISSUED, EVIDENCED, REPORTED = "pending", "issued", "evidenced", "reported"
APPROVED, RETURNED, ENFORCING, RECTIFIED, CLOSED = "approved", "returned", "enforcing", "rectified", "closed"

#: state codes in the order of the loop (returned sits after the review that produces it)
STATES: tuple[str, ...] = (PENDING, ISSUED, EVIDENCED, REPORTED, APPROVED, RETURNED, ENFORCING, RECTIFIED, CLOSED)
#: names used on forms and in tables handed to the desk, whatever the UI language
STATE_NAMES: dict[str, str] = {
    PENDING: "待下发", ISSUED: "已下发", EVIDENCED: "已举证", REPORTED: "已上报", APPROVED: "审核通过",
    RETURNED: "退回", ENFORCING: "执行中", RECTIFIED: "已整改", CLOSED: "已结案",
}
FIRST_STATE = PENDING
TERMINAL_STATES: tuple[str, ...] = (CLOSED,)

# ----------------------------------------------------------------------------------------- roles
GROUP_OFFICER, VILLAGE_TOWNSHIP, COUNTY_REVIEWER, ENFORCEMENT, SYSTEM = (
    "group_officer", "village_township", "county_reviewer", "enforcement", "system")
ROLES: tuple[str, ...] = (GROUP_OFFICER, VILLAGE_TOWNSHIP, COUNTY_REVIEWER, ENFORCEMENT, SYSTEM)
ROLE_NAMES: dict[str, str] = {
    GROUP_OFFICER: "社级田管员", VILLAGE_TOWNSHIP: "村/乡级田管员", COUNTY_REVIEWER: "县级审核",
    ENFORCEMENT: "执法", SYSTEM: "系统",
}

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


# ---------------------------------------------------------------------------------------- errors
class WorkflowError(ValueError):
    """A move the workflow forbids or a history it cannot accept.

    The message is English (logs, server responses); ``code`` is stable for the UI to translate:
    ``unknown_state``, ``unknown_action``, ``unknown_role``, ``not_allowed``, ``needs_comment``,
    ``needs_attachment``, ``bad_input``, ``control_characters``, ``bad_time``, ``broken_history`` or ``conflict``.
    """

    def __init__(self, message: str, code: str, state: str | None = None, action: str | None = None,
                 role: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.state = state
        self.action = action
        self.role = role


class ConflictError(WorkflowError):
    """The case changed since it was read (optimistic locking): reload it and try again."""

    def __init__(self, message: str, expected: int, actual: int) -> None:
        super().__init__(message, "conflict")
        self.expected = expected
        self.actual = actual


# ----------------------------------------------------------------------------------- transitions
@dataclass(frozen=True)
class Transition:
    """One allowed move; ``roles`` are role codes, requirements are checked by :func:`apply`."""

    action: str
    source: str
    target: str
    roles: tuple[str, ...]
    needs_comment: bool = False
    needs_attachment: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition("issue", PENDING, ISSUED, (COUNTY_REVIEWER, SYSTEM)),
    Transition("recall", ISSUED, PENDING, (COUNTY_REVIEWER,), needs_comment=True),
    Transition("submit_evidence", ISSUED, EVIDENCED, (GROUP_OFFICER,), needs_attachment=True),
    Transition("submit_evidence", RETURNED, EVIDENCED, (GROUP_OFFICER,), needs_attachment=True),
    Transition("return", EVIDENCED, RETURNED, (VILLAGE_TOWNSHIP,), needs_comment=True),
    Transition("report", EVIDENCED, REPORTED, (VILLAGE_TOWNSHIP,)),
    Transition("approve", REPORTED, APPROVED, (COUNTY_REVIEWER,)),
    Transition("return", REPORTED, RETURNED, (COUNTY_REVIEWER,), needs_comment=True),
    Transition("start_enforcement", APPROVED, ENFORCING, (ENFORCEMENT, COUNTY_REVIEWER)),
    Transition("close", APPROVED, CLOSED, (COUNTY_REVIEWER,), needs_comment=True),
    Transition("report_rectified", ENFORCING, RECTIFIED, (GROUP_OFFICER, ENFORCEMENT), needs_attachment=True),
    Transition("return_rectification", RECTIFIED, ENFORCING, (COUNTY_REVIEWER,), needs_comment=True),
    Transition("close", RECTIFIED, CLOSED, (COUNTY_REVIEWER,)),
)

#: action codes in table order, and their names for buttons and event lists
ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(t.action for t in TRANSITIONS))
ACTION_NAMES: dict[str, str] = {
    "issue": "下发", "recall": "撤回", "submit_evidence": "举证", "return": "退回", "report": "上报",
    "approve": "审核通过", "start_enforcement": "开始执行", "close": "结案", "report_rectified": "报告整改",
    "return_rectification": "退回整改",
}

_BY_STATE_ACTION: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TRANSITIONS}
_BY_EDGE: dict[tuple[str, str], Transition] = {(t.source, t.target): t for t in TRANSITIONS}
# the module's own invariants: one transition per (state, action) and per (source, target)
assert len(_BY_STATE_ACTION) == len(TRANSITIONS) == len(_BY_EDGE), "ambiguous transition table"


def _name(state: str | None) -> str:
    return f"{state!r} ({STATE_NAMES[state]})" if state in STATE_NAMES else repr(state)


def _check_state(state: str, action: str | None = None, role: str | None = None) -> None:
    if state not in STATE_NAMES:
        raise WorkflowError(f"unknown state {state!r} (action {action!r}, role {role!r}); states are "
                            f"{', '.join(STATES)}", "unknown_state", state, action, role)


def _check_role(role: str, state: str | None = None, action: str | None = None) -> None:
    if role not in ROLE_NAMES:
        raise WorkflowError(f"unknown role {role!r} (state {state!r}, action {action!r}); roles are "
                            f"{', '.join(ROLES)}", "unknown_role", state, action, role)


def transition(state: str, action: str) -> Transition | None:
    """The transition ``action`` makes from ``state``, or None (whatever the role)."""
    return _BY_STATE_ACTION.get((state, action))


def transition_between(source: str, target: str) -> Transition | None:
    """The transition from ``source`` to ``target``, or None: how a stored event (no action) is read."""
    return _BY_EDGE.get((source, target))


def allowed_actions(state: str, role: str) -> list[Transition]:
    """Transitions ``role`` may make from ``state``, in table order (the buttons a desk shows).

    Unknown codes raise rather than return an empty list, so a typo is not mistaken for "nothing to do".
    """
    _check_state(state, role=role)
    _check_role(role, state)
    return [t for t in TRANSITIONS if t.source == state and role in t.roles]


def _given(text: str | None) -> bool:
    return bool(text and str(text).strip())


def _attachments(attachments: Iterable[str] | None, state: str, action: str, role: str) -> tuple[str, ...]:
    """Attachments as a tuple of strings; a bare string is refused (it would split into characters)."""
    if attachments is None:
        return ()
    if isinstance(attachments, (str, bytes)):
        raise WorkflowError(f"attachments for action {action!r} in state {state!r} by role {role!r} must be a "
                            "list of paths or ids, not a single string", "bad_input", state, action, role)
    return tuple(str(a) for a in attachments)


def apply(state: str, action: str, role: str, comment: str | None = "",
          attachments: Iterable[str] | None = ()) -> str:
    """The state after ``role`` performs ``action`` on a case in ``state``; WorkflowError if forbidden.

    Checked in this order so the message names the first real problem: known state, action and role;
    the action exists from this state and the role may perform it; then the comment and attachment.
    """
    _check_state(state, action, role)
    if action not in ACTION_NAMES:
        raise WorkflowError(f"unknown action {action!r} in state {_name(state)} for role {role!r}; actions are "
                            f"{', '.join(ACTIONS)}", "unknown_action", state, action, role)
    _check_role(role, state, action)
    move = transition(state, action)
    if move is None:
        raise WorkflowError(f"action {action!r} is not allowed in state {_name(state)} (role {role!r})",
                            "not_allowed", state, action, role)
    if role not in move.roles:
        raise WorkflowError(f"role {role!r} may not perform action {action!r} in state {_name(state)}; "
                            f"allowed roles: {', '.join(move.roles)}", "not_allowed", state, action, role)
    if move.needs_comment and not _given(comment):
        raise WorkflowError(f"action {action!r} in state {_name(state)} by role {role!r} needs a comment "
                            "(the reason)", "needs_comment", state, action, role)
    files = _attachments(attachments, state, action, role)
    if move.needs_attachment and not any(_given(a) for a in files):
        raise WorkflowError(f"action {action!r} in state {_name(state)} by role {role!r} needs at least one "
                            "attachment (photos or documents)", "needs_attachment", state, action, role)
    return move.target


# ---------------------------------------------------------------------------------------- events
@dataclass(frozen=True)
class Event:
    """One row of ``tg_case_event`` (``role`` is not stored there: '' when read back, see :func:`replay`)."""

    case_id: str
    at: str
    actor: str
    role: str
    from_state: str | None
    to_state: str
    comment: str = ""
    attachments: tuple[str, ...] = ()


_UTC_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


@functools.lru_cache(maxsize=1 << 16)
def parse_time(text: str) -> dt.datetime:
    """Aware UTC datetime of ``YYYY-MM-DDTHH:MM:SSZ``; anything else is refused so stored text stays uniform.
    Remembered: the statistics check the same stored times many times (datetimes are immutable)."""
    text = str(text)
    try:
        if _UTC_TEXT.fullmatch(text):  # sliced: strptime costs ten times more, and statistics read many
            return dt.datetime(int(text[:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16]),
                               int(text[17:19]), tzinfo=dt.timezone.utc)
        return dt.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=dt.timezone.utc)
    except ValueError:
        raise WorkflowError(f"time {text!r} is not UTC text YYYY-MM-DDTHH:MM:SSZ", "bad_time") from None


def format_time(moment: dt.datetime) -> str:
    """UTC text of an aware datetime (naive datetimes are taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    return moment.strftime(TIME_FORMAT)


#: NUL and the other C0 control characters but tab and line breaks: PostgreSQL refuses NUL in text (a raw
#: ValueError that blocked every later export batch), and none of them belongs in a name or a comment
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str | None) -> bool:
    """Whether ``text`` holds a character no name or comment of either store may hold (see :data:`_CONTROL`)."""
    return bool(text) and _CONTROL.search(str(text)) is not None


def strip_control_characters(value):
    """``value`` without the characters of :data:`_CONTROL` when it is text (other values as they are): what an
    export does with text stored before the rule, so that one bad comment cannot block a county's export."""
    return _CONTROL.sub("", value) if isinstance(value, str) else value


def make_event(case_id: str, state: str, action: str, actor: str, role: str, at: str, comment: str | None = "",
               attachments: Iterable[str] | None = ()) -> Event:
    """The validated event of ``actor`` (as ``role``) performing ``action`` on a case in ``state`` at ``at``.

    The same rule in both stores (GeoPackage and PostGIS): text with control characters is refused on entry."""
    files = _attachments(attachments, state, action, role)  # once: a generator could not be read twice
    bad = [what for what, text in (("actor", actor), ("comment", comment), *(("attachment", f) for f in files))
           if has_control_characters(text)]
    if bad:
        raise WorkflowError(f"the {bad[0]} of action {action!r} holds a control character (NUL …); remove it",
                            "control_characters", state, action, role)
    target = apply(state, action, role, comment, files)
    if not _given(case_id):
        raise WorkflowError(f"event for action {action!r} in state {state!r} by role {role!r} has no case id",
                            "bad_input", state, action, role)
    if not _given(actor):
        raise WorkflowError(f"event for action {action!r} in state {state!r} by role {role!r} has no actor",
                            "bad_input", state, action, role)
    parse_time(at)
    return Event(str(case_id), at, str(actor), role, state, target, str(comment or ""), files)


def initial_event(case_id: str, at: str, comment: str = "") -> Event:
    """The first event of every case: ``None → pending`` by ``system``."""
    parse_time(at)
    return Event(case_id, at, SYSTEM, SYSTEM, None, FIRST_STATE, comment)


def event_from_row(row: Mapping, role: str = "") -> Event:
    """An :class:`Event` from a ``tg_case_event`` row (dict): NULLs become '', attachments JSON a tuple.

    The table has no role column; pass ``role`` if known from elsewhere, or a row's ``role`` key is used.
    """
    raw = row.get("attachments")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else []
        except ValueError:
            raw = [raw]  # a single path written without JSON
    if isinstance(raw, str):
        raw = [raw]
    return Event(str(row["case_id"]), str(row["at"]), str(row.get("actor") or ""), str(row.get("role") or role or ""),
                 row.get("from_state"), str(row["to_state"]), str(row.get("comment") or ""),
                 tuple(str(a) for a in (raw or ())))


def event_to_row(event: Event) -> dict:
    """Column values for inserting ``event`` into ``tg_case_event`` (attachments as JSON, role dropped)."""
    return {"case_id": event.case_id, "at": event.at, "actor": event.actor, "from_state": event.from_state,
            "to_state": event.to_state, "comment": event.comment,
            "attachments": json.dumps(list(event.attachments), ensure_ascii=False)}


def _broken(index: int, event: Event, why: str, state: str | None = None, action: str | None = None
            ) -> WorkflowError:
    return WorkflowError(f"broken history of case {event.case_id!r} at event {index} ({event.at}, "
                         f"{event.from_state!r} -> {event.to_state!r}, role {event.role!r}): {why}",
                         "broken_history", state if state is not None else event.from_state, action,
                         event.role or None)


def replay(events: Sequence[Event]) -> str:
    """The current state rebuilt from a case's ordered events; WorkflowError(``broken_history``) if impossible.

    Checks: the first event is ``None → pending`` by ``system``; all events belong to one case; each
    ``from_state`` is the state so far; each move is a transition of the table whose comment and
    attachment requirements the event meets. Roles are checked only when the event carries one (rows
    read back from the table do not). Times must be well formed but are not required to increase:
    desks' clocks differ and an append-only history could never be repaired.
    """
    if not events:
        raise WorkflowError("broken history: a case has at least its creation event", "broken_history")
    state: str | None = None
    for i, event in enumerate(events):
        try:
            parse_time(event.at)
        except WorkflowError as exc:
            raise _broken(i, event, str(exc)) from None
        if event.case_id != events[0].case_id:
            raise _broken(i, event, f"belongs to case {event.case_id!r}, not {events[0].case_id!r}")
        if i == 0:
            if event.from_state is not None or event.to_state != FIRST_STATE:
                raise _broken(i, event, f"a case starts with None -> {FIRST_STATE!r}")
            if event.role not in ("", SYSTEM) or event.actor not in ("", SYSTEM):
                raise _broken(i, event, "a case is created by 'system'")
            state = FIRST_STATE
            continue
        if event.from_state != state:
            raise _broken(i, event, f"from_state is not the state so far {state!r}", state)
        if event.to_state not in STATE_NAMES:
            raise _broken(i, event, f"unknown to_state {event.to_state!r}", state)
        move = transition_between(state, event.to_state)
        if move is None:
            raise _broken(i, event, f"no transition leads from {_name(state)} to {_name(event.to_state)}", state)
        if event.role:
            if event.role not in move.roles:
                raise _broken(i, event, f"role {event.role!r} may not perform {move.action!r}; allowed roles: "
                                        f"{', '.join(move.roles)}", state, move.action)
        if move.needs_comment and not _given(event.comment):
            raise _broken(i, event, f"action {move.action!r} needs a comment", state, move.action)
        if move.needs_attachment and not any(_given(a) for a in event.attachments):
            raise _broken(i, event, f"action {move.action!r} needs an attachment", state, move.action)
        state = move.target
    assert state is not None
    return state


def history_summary(events: Sequence[Event], now: str | None = None
                    ) -> list[tuple[str, str, str | None, int | None]]:
    """(state, entered_at, left_at, duration_s) per stay, in order, for statistics (time spent per state).

    The history is validated by :func:`replay` first, so statistics never count an impossible path.
    The current stay has ``left_at`` None and a duration up to ``now`` when given (else None). A
    negative duration (desks with skewed clocks) counts as 0 rather than lowering averages.
    """
    replay(events)
    out: list[tuple[str, str, str | None, int | None]] = []
    for here, nxt in zip(events, events[1:]):
        seconds = int((parse_time(nxt.at) - parse_time(here.at)).total_seconds())
        out.append((here.to_state, here.at, nxt.at, max(0, seconds)))
    last = events[-1]
    duration = None if now is None else max(0, int((parse_time(now) - parse_time(last.at)).total_seconds()))
    out.append((last.to_state, last.at, None, duration))
    return out


# ------------------------------------------------------------------------------------- deadlines
@dataclass(frozen=True)
class Deadlines:
    """Days allowed in each state before the next move is due; None means no deadline.

    Defaults follow the desk's practice: a week to gather evidence, five days for each review or
    correction, thirty days of enforcement. ``closed`` is terminal and never has a deadline.
    """

    pending: int | None = 3
    issued: int | None = 7
    evidenced: int | None = 3
    reported: int | None = 5
    approved: int | None = 5
    returned: int | None = 5
    enforcing: int | None = 30
    rectified: int | None = 10

    def __post_init__(self) -> None:
        for f in fields(self):
            days = getattr(self, f.name)
            if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
                raise WorkflowError(f"deadline of state {f.name!r} must be a whole number of days >= 0 or None, "
                                    f"not {days!r}", "bad_input", f.name)

    def days(self, state: str) -> int | None:
        _check_state(state)
        return getattr(self, state, None)

    def to_dict(self) -> dict[str, int | None]:
        """Plain dict, so the deadlines survive JSON and QgsSettings unchanged."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping | None) -> Deadlines:
        """Deadlines from a dict such as ``{"issued": 10}``; states left out keep their default."""
        data = dict(data or {})
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise WorkflowError(f"no deadline can be set for {', '.join(map(repr, unknown))}; states with a "
                                f"deadline are {', '.join(sorted(names))}", "unknown_state", unknown[0])
        return cls(**{k: _whole_days(k, v) for k, v in data.items()})


def _whole_days(state: str, value: object) -> object:
    """Settings may hand numbers back as text ("7"); anything else is left for the dataclass to judge."""
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise WorkflowError(f"deadline of state {state!r} must be a whole number of days, not {value!r}",
                                "bad_input", state) from None
    return value


DEFAULT_DEADLINES = Deadlines()


def due_at(state: str, entered_at: str, deadlines: Deadlines | None = None) -> str | None:
    """When a case that entered ``state`` at ``entered_at`` must have moved on (UTC text), or None."""
    days = (deadlines or DEFAULT_DEADLINES).days(state)
    if days is None:
        return None
    return format_time(parse_time(entered_at) + dt.timedelta(days=days))


def is_overdue(state: str, entered_at: str, now: str, deadlines: Deadlines | None = None) -> bool:
    """True once ``now`` is past the due time (a move exactly at the due second is still on time)."""
    due = due_at(state, entered_at, deadlines)
    return due is not None and parse_time(now) > parse_time(due)


# ------------------------------------------------------------------------------ optimistic locking
def check_version(expected: int, actual: int) -> None:
    """Refuse to write a case whose ``version`` is no longer the one the desk read (someone moved it)."""
    if int(expected) != int(actual):
        raise ConflictError(f"case was changed by someone else: expected version {expected}, found {actual}; "
                            "reload the case and try again", int(expected), int(actual))
