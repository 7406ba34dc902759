"""Case workflow (core.cases.workflow): the transition table, every forbidden move, requirements, replay,
deadlines across month ends and optimistic locking."""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json

import pytest

from linxia_tianguan_plugin.core.cases import workflow as w

CASE = "6f1c2a1e-0000-5000-8000-000000000001"
PHOTO = ("photos/IMG_0001.jpg",)

#: the table as the prefecture and the module docstring describe it, written out independently
EXPECTED = {
    ("pending", "issue"): ("issued", {"county_reviewer", "system"}, False, False),
    ("issued", "recall"): ("pending", {"county_reviewer"}, True, False),
    ("issued", "submit_evidence"): ("evidenced", {"group_officer"}, False, True),
    ("returned", "submit_evidence"): ("evidenced", {"group_officer"}, False, True),
    ("evidenced", "return"): ("returned", {"village_township"}, True, False),
    ("evidenced", "report"): ("reported", {"village_township"}, False, False),
    ("reported", "approve"): ("approved", {"county_reviewer"}, False, False),
    ("reported", "return"): ("returned", {"county_reviewer"}, True, False),
    ("approved", "start_enforcement"): ("enforcing", {"enforcement", "county_reviewer"}, False, False),
    ("approved", "close"): ("closed", {"county_reviewer"}, True, False),
    ("enforcing", "report_rectified"): ("rectified", {"group_officer", "enforcement"}, False, True),
    ("rectified", "return_rectification"): ("enforcing", {"county_reviewer"}, True, False),
    ("rectified", "close"): ("closed", {"county_reviewer"}, False, False),
}
ALLOWED = sorted((s, a, r) for (s, a), (_, roles, _c, _f) in EXPECTED.items() for r in roles)
FORBIDDEN = sorted(set(itertools.product(w.STATES, w.ACTIONS, w.ROLES)) - set(ALLOWED))


#: a comment and an attachment: whatever a move needs, so only state, action and role decide
FULL = {"comment": "理由 reason", "attachments": PHOTO}


# ------------------------------------------------------------------------------------- the table
def test_codes_and_names():
    assert w.STATES == ("pending", "issued", "evidenced", "reported", "approved", "returned", "enforcing",
                        "rectified", "closed")
    assert w.STATE_NAMES == {"pending": "待下发", "issued": "已下发", "evidenced": "已举证", "reported": "已上报",
                             "approved": "审核通过", "returned": "退回", "enforcing": "执行中", "rectified": "已整改",
                             "closed": "已结案"}
    assert w.ROLE_NAMES == {"group_officer": "社级田管员", "village_township": "村/乡级田管员",
                            "county_reviewer": "县级审核", "enforcement": "执法", "system": "系统"}
    assert set(w.ACTION_NAMES) == set(w.ACTIONS)
    assert w.FIRST_STATE == "pending" and w.TERMINAL_STATES == ("closed",)


def test_table_matches_the_expected_table():
    got = {(t.source, t.action): (t.target, set(t.roles), t.needs_comment, t.needs_attachment)
           for t in w.TRANSITIONS}
    assert got == EXPECTED
    assert len(w.TRANSITIONS) == len(EXPECTED)


def test_each_edge_has_one_transition_and_every_state_is_reachable_and_can_end():
    edges = [(t.source, t.target) for t in w.TRANSITIONS]
    assert len(edges) == len(set(edges))
    for t in w.TRANSITIONS:
        assert w.transition_between(t.source, t.target) is t
        assert w.transition(t.source, t.action) is t
        assert set(t.roles) <= set(w.ROLES) and t.source in w.STATES and t.target in w.STATES
    reach = {"pending"}
    for _ in w.STATES:
        reach |= {t.target for t in w.TRANSITIONS if t.source in reach}
    assert reach == set(w.STATES)
    assert not [t for t in w.TRANSITIONS if t.source == "closed"]
    for state in set(w.STATES) - {"closed"}:
        assert [t for t in w.TRANSITIONS if t.source == state], state


def test_transition_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        w.TRANSITIONS[0].target = "closed"


def test_system_only_issues():
    assert [(t.source, t.action) for t in w.TRANSITIONS if "system" in t.roles] == [("pending", "issue")]


def test_module_docstring_lists_every_transition_in_english_and_chinese():
    doc = w.__doc__
    for t in w.TRANSITIONS:
        line = next(ln for ln in doc.splitlines() if ln.split()[:1] == [t.action] and f" {t.source} " in ln)
        assert t.target in line and all(r in line for r in t.roles)
    for t in w.TRANSITIONS:
        zh = f"{w.STATE_NAMES[t.source]} → {w.STATE_NAMES[t.target]}"
        assert any(ln.split()[:1] == [w.ACTION_NAMES[t.action]] and zh in " ".join(ln.split())
                   for ln in doc.splitlines()), zh


# ------------------------------------------------------------------------------ every combination
def test_cross_product_partitions():
    assert len(ALLOWED) + len(FORBIDDEN) == len(w.STATES) * len(w.ACTIONS) * len(w.ROLES)
    assert len(ALLOWED) == 16


@pytest.mark.parametrize("state,action,role", ALLOWED)
def test_every_allowed_move(state, action, role):
    target = EXPECTED[(state, action)][0]
    assert w.apply(state, action, role, **FULL) == target
    assert w.transition(state, action) in w.allowed_actions(state, role)
    event = w.make_event(CASE, state, action, "张三", role, "2026-03-01T08:00:00Z", **FULL)
    assert (event.from_state, event.to_state, event.role, event.attachments) == (state, target, role, PHOTO)


@pytest.mark.parametrize("state,action,role", FORBIDDEN)
def test_every_forbidden_move(state, action, role):
    with pytest.raises(w.WorkflowError) as info:
        w.apply(state, action, role, **FULL)
    err = info.value
    assert err.code == "not_allowed"
    assert (err.state, err.action, err.role) == (state, action, role)
    message = str(err)
    assert state in message and action in message and role in message
    assert all(t.action != action for t in w.allowed_actions(state, role))
    with pytest.raises(w.WorkflowError):
        w.make_event(CASE, state, action, "张三", role, "2026-03-01T08:00:00Z", **FULL)


def test_allowed_actions_equals_the_table_for_every_state_and_role():
    for state, role in itertools.product(w.STATES, w.ROLES):
        got = {(t.source, t.action) for t in w.allowed_actions(state, role)}
        want = {(s, a) for (s, a), (_, roles, _c, _f) in EXPECTED.items() if s == state and role in roles}
        assert got == want, (state, role)
    assert w.allowed_actions("closed", "county_reviewer") == []
    assert [t.action for t in w.allowed_actions("reported", "county_reviewer")] == ["approve", "return"]


def test_workflow_error_is_a_value_error():
    assert issubclass(w.WorkflowError, ValueError) and issubclass(w.ConflictError, w.WorkflowError)


@pytest.mark.parametrize("state,action,role,code", [
    ("nowhere", "issue", "system", "unknown_state"),
    ("pending", "dispatch", "system", "unknown_action"),
    ("pending", "issue", "mayor", "unknown_role"),
])
def test_unknown_codes(state, action, role, code):
    with pytest.raises(w.WorkflowError) as info:
        w.apply(state, action, role)
    assert info.value.code == code
    assert state in str(info.value) and action in str(info.value) and role in str(info.value)


def test_allowed_actions_rejects_unknown_codes():
    with pytest.raises(w.WorkflowError, match="unknown state"):
        w.allowed_actions("done", "system")
    with pytest.raises(w.WorkflowError, match="unknown role"):
        w.allowed_actions("pending", "admin")


def test_wrong_role_and_wrong_state_have_distinct_messages():
    with pytest.raises(w.WorkflowError, match="role 'group_officer' may not perform action 'approve'"):
        w.apply("reported", "approve", "group_officer")
    with pytest.raises(w.WorkflowError, match="action 'approve' is not allowed in state 'issued'"):
        w.apply("issued", "approve", "county_reviewer")


# ---------------------------------------------------------------------------------- requirements
NEEDS_COMMENT = [(s, a, next(iter(roles))) for (s, a), (_, roles, c, _f) in EXPECTED.items() if c]
NEEDS_FILE = [(s, a, r) for (s, a), (_, roles, _c, f) in EXPECTED.items() if f for r in roles]


@pytest.mark.parametrize("state,action,role", NEEDS_COMMENT)
@pytest.mark.parametrize("comment", ["", "   \n", None])
def test_comment_required(state, action, role, comment):
    with pytest.raises(w.WorkflowError) as info:
        w.apply(state, action, role, comment=comment, attachments=PHOTO)
    assert info.value.code == "needs_comment"
    assert state in str(info.value) and action in str(info.value) and role in str(info.value)
    assert w.apply(state, action, role, comment="违法占地未整改完毕") == EXPECTED[(state, action)][0]


@pytest.mark.parametrize("state,action,role", NEEDS_FILE)
@pytest.mark.parametrize("attachments", [(), [""], ["  "], None])
def test_attachment_required(state, action, role, attachments):
    with pytest.raises(w.WorkflowError) as info:
        w.apply(state, action, role, comment="x", attachments=attachments)
    assert info.value.code == "needs_attachment"
    assert state in str(info.value) and action in str(info.value) and role in str(info.value)
    assert w.apply(state, action, role, attachments=["a.jpg", "b.pdf"]) == EXPECTED[(state, action)][0]


def test_moves_without_requirements_accept_nothing_extra():
    for (state, action), (target, roles, c, f) in EXPECTED.items():
        if not c and not f:
            assert w.apply(state, action, next(iter(roles))) == target


def test_requirements_are_checked_only_for_an_allowed_move():
    # a forbidden move reports not_allowed, not the missing comment
    with pytest.raises(w.WorkflowError) as info:
        w.apply("reported", "return", "group_officer")
    assert info.value.code == "not_allowed"


def test_single_string_attachment_is_refused():
    with pytest.raises(w.WorkflowError) as info:
        w.apply("issued", "submit_evidence", "group_officer", attachments="photo.jpg")
    assert info.value.code == "bad_input"


def test_make_event_keeps_attachments_given_as_a_generator():
    event = w.make_event(CASE, "issued", "submit_evidence", "王五", "group_officer", "2026-03-01T08:00:00Z",
                         attachments=(p for p in ["a.jpg", "b.pdf"]))
    assert event.attachments == ("a.jpg", "b.pdf")


def test_make_event_validates_its_fields():
    ok = w.make_event(CASE, "pending", "issue", "李四", "county_reviewer", "2026-01-31T23:59:59Z")
    assert ok == w.Event(CASE, "2026-01-31T23:59:59Z", "李四", "county_reviewer", "pending", "issued")
    for kwargs, code in [({"case_id": ""}, "bad_input"), ({"actor": " "}, "bad_input"),
                         ({"at": "2026-01-31 23:59:59"}, "bad_time"), ({"at": "2026-02-30T00:00:00Z"}, "bad_time"),
                         ({"at": "2026-01-31T23:59:59+08:00"}, "bad_time")]:
        args = dict(case_id=CASE, state="pending", action="issue", actor="李四", role="county_reviewer",
                    at="2026-01-31T23:59:59Z")
        args.update(kwargs)
        with pytest.raises(w.WorkflowError) as info:
            w.make_event(**args)
        assert info.value.code == code, kwargs
    with pytest.raises(dataclasses.FrozenInstanceError):
        ok.to_state = "closed"


# ----------------------------------------------------------------------------------------- paths
def walk(steps, start="2026-01-30T09:00:00Z"):
    """Events of a case moved by ``steps`` [(action, role, comment, attachments)], one hour apart."""
    t0 = w.parse_time(start)
    events = [w.initial_event(CASE, start, "BH2026 rules 1")]
    state = "pending"
    for i, (action, role, comment, files) in enumerate(steps, 1):
        at = w.format_time(t0 + dt.timedelta(hours=i))
        event = w.make_event(CASE, state, action, f"user{i}", role, at, comment, files)
        events.append(event)
        state = event.to_state
    return events


RETURN_PATH = [
    ("issue", "system", "", ()),
    ("submit_evidence", "group_officer", "", PHOTO),
    ("report", "village_township", "", ()),
    ("return", "county_reviewer", "照片不清晰，请补拍", ()),
    ("submit_evidence", "group_officer", "已补拍", ("photos/IMG_0002.jpg",)),
    ("report", "village_township", "", ()),
    ("approve", "county_reviewer", "", ()),
]


def test_return_path_goes_back_to_evidence_and_on_to_approval():
    states = [e.to_state for e in walk(RETURN_PATH)]
    assert states == ["pending", "issued", "evidenced", "reported", "returned", "evidenced", "reported", "approved"]
    assert w.replay(walk(RETURN_PATH)) == "approved"


def test_village_can_return_evidence_before_reporting():
    events = walk([("issue", "county_reviewer", "", ()), ("submit_evidence", "group_officer", "", PHOTO),
                   ("return", "village_township", "缺少现场照片", ())])
    assert events[-1].to_state == "returned"
    assert [t.action for t in w.allowed_actions("returned", "group_officer")] == ["submit_evidence"]


FULL_PATH = RETURN_PATH + [
    ("start_enforcement", "enforcement", "", ()),
    ("report_rectified", "group_officer", "", ("after.jpg",)),
    ("return_rectification", "county_reviewer", "仍有硬化地面未拆除", ()),
    ("report_rectified", "enforcement", "", ("after2.jpg",)),
    ("close", "county_reviewer", "", ()),
]


def test_a_mistaken_issue_is_recalled_with_a_reason_until_the_field_acts():
    """撤回: issued → pending by the county with a reason, an ordinary event; refused once evidence is in."""
    assert w.apply("issued", "recall", "county_reviewer", "下发错了乡镇") == "pending"
    with pytest.raises(w.WorkflowError) as info:
        w.apply("issued", "recall", "county_reviewer", "  ")
    assert info.value.code == "needs_comment"
    for role in ("system", "group_officer", "village_township", "enforcement"):
        with pytest.raises(w.WorkflowError) as info:
            w.apply("issued", "recall", role, "理由")
        assert info.value.code == "not_allowed"
    for state in set(w.STATES) - {"issued"}:  # after evidence (or anywhere else) there is nothing to recall
        with pytest.raises(w.WorkflowError) as info:
            w.apply(state, "recall", "county_reviewer", "理由")
        assert info.value.code == "not_allowed"
    t = ["2026-03-01T08:00:00Z", "2026-03-01T09:00:00Z", "2026-03-02T08:00:00Z", "2026-03-03T08:00:00Z"]
    events = [w.initial_event(CASE, t[0]),
              w.make_event(CASE, "pending", "issue", "审核员", "county_reviewer", t[1]),
              w.make_event(CASE, "issued", "recall", "审核员", "county_reviewer", t[2], "下发错了乡镇"),
              w.make_event(CASE, "pending", "issue", "审核员", "county_reviewer", t[3])]
    assert w.replay(events) == "issued"
    assert [s for s, *_ in w.history_summary(events)] == ["pending", "issued", "pending", "issued"]
    rows = [dict(w.event_to_row(e), role="") for e in events]
    rows[2]["comment"] = ""
    with pytest.raises(w.WorkflowError):  # a recall read back without its reason is a broken history
        w.replay([w.event_from_row(r) for r in rows])


def test_full_loop_to_closed_and_nothing_after():
    events = walk(FULL_PATH)
    assert w.replay(events) == "closed"
    for role in w.ROLES:
        assert w.allowed_actions("closed", role) == []


def test_lawful_case_closes_from_approved_with_a_reason():
    steps = RETURN_PATH + [("close", "county_reviewer", "设施农业用地已备案，不属违法", ())]
    assert w.replay(walk(steps)) == "closed"


# ---------------------------------------------------------------------------------------- replay
def test_replay_of_the_creation_event_alone():
    assert w.replay([w.initial_event(CASE, "2026-01-01T00:00:00Z")]) == "pending"


def test_replay_of_rows_read_back_from_the_table():
    rows = [dict(w.event_to_row(e), event_id=i) for i, e in enumerate(walk(FULL_PATH), 1)]
    rows[0]["attachments"] = None  # storage writes the creation event without attachments
    assert json.loads(rows[2]["attachments"]) == list(PHOTO)
    events = [w.event_from_row(r) for r in rows]
    assert all(e.role == "" for e in events)
    assert events[2].attachments == PHOTO and events[0].attachments == ()
    assert w.replay(events) == "closed"
    assert w.event_from_row(dict(rows[2], attachments="x.jpg")).attachments == ("x.jpg",)
    assert w.event_from_row(dict(rows[2], attachments='"x.jpg"')).attachments == ("x.jpg",)
    assert w.event_from_row(rows[2], role="group_officer").role == "group_officer"


def broken(events, index, **changes):
    out = list(events)
    out[index] = dataclasses.replace(out[index], **changes)
    return out


@pytest.mark.parametrize("mutate,why", [
    (lambda ev: [], "at least its creation"),
    (lambda ev: ev[1:], "starts with None"),
    (lambda ev: broken(ev, 0, from_state="pending"), "starts with None"),
    (lambda ev: broken(ev, 0, to_state="issued"), "starts with None"),
    (lambda ev: broken(ev, 0, actor="张三", role="county_reviewer"), "created by 'system'"),
    (lambda ev: ev[:2] + ev[3:], "from_state is not the state so far"),
    (lambda ev: ev + [ev[-1]], "from_state is not the state so far"),
    (lambda ev: broken(ev, 3, to_state="approved"), "no transition leads"),
    (lambda ev: broken(ev, 3, to_state="archived"), "unknown to_state"),
    (lambda ev: broken(ev, 2, role="village_township"), "may not perform 'submit_evidence'"),
    (lambda ev: broken(ev, 4, comment=" "), "needs a comment"),
    (lambda ev: broken(ev, 2, attachments=()), "needs an attachment"),
    (lambda ev: broken(ev, 3, case_id="other"), "belongs to case"),
    (lambda ev: broken(ev, 3, at="yesterday"), "not UTC text"),
    (lambda ev: ev[:1] + [w.Event(CASE, "2026-01-30T10:00:00Z", "x", "", "pending", "closed")], "no transition"),
    (lambda ev: ev + [w.Event(CASE, "2026-02-01T00:00:00Z", "x", "", "approved", "approved")], "no transition"),
])
def test_replay_rejects_broken_histories(mutate, why):
    with pytest.raises(w.WorkflowError, match=why) as info:
        w.replay(mutate(walk(RETURN_PATH)))
    assert info.value.code == "broken_history"


def test_replay_accepts_times_out_of_order_and_summary_counts_a_negative_stay_as_zero():
    events = broken(walk(RETURN_PATH[:3]), 2, at="2026-01-30T08:00:00Z")  # a desk's clock was behind
    assert w.replay(events) == "reported"
    summary = w.history_summary(events)
    assert summary[1][3] == 0 and summary[2][3] == 4 * 3600


# ---------------------------------------------------------------------------------------- history
def test_history_summary_per_stay():
    events = walk(RETURN_PATH[:4])  # pending, issued, evidenced, reported, returned — one hour apart
    summary = w.history_summary(events, now="2026-01-31T09:00:00Z")
    assert [s[0] for s in summary] == ["pending", "issued", "evidenced", "reported", "returned"]
    assert summary[0] == ("pending", "2026-01-30T09:00:00Z", "2026-01-30T10:00:00Z", 3600)
    assert all(s[3] == 3600 for s in summary[:-1])
    assert summary[-1] == ("returned", "2026-01-30T13:00:00Z", None, 20 * 3600)
    assert w.history_summary(events)[-1] == ("returned", "2026-01-30T13:00:00Z", None, None)
    for (_, _, left, _), (_, entered, _, _) in zip(summary, summary[1:]):
        assert left == entered


def test_history_summary_validates_the_history():
    with pytest.raises(w.WorkflowError):
        w.history_summary(walk(RETURN_PATH)[1:])


# -------------------------------------------------------------------------------------- deadlines
def test_default_deadlines():
    d = w.Deadlines()
    assert (d.issued, d.returned, d.reported, d.enforcing, d.rectified) == (7, 5, 5, 30, 10)
    assert d.days("closed") is None
    assert all(d.days(s) is not None for s in w.STATES if s != "closed")
    assert w.Deadlines.from_dict(d.to_dict()) == d
    assert json.loads(json.dumps(d.to_dict())) == d.to_dict()


@pytest.mark.parametrize("state,entered,due", [
    ("issued", "2026-01-28T10:00:00Z", "2026-02-04T10:00:00Z"),      # January → February
    ("returned", "2026-02-26T23:30:00Z", "2026-03-03T23:30:00Z"),    # February of a common year
    ("returned", "2028-02-26T23:30:00Z", "2028-03-02T23:30:00Z"),    # leap year: 29 February counts
    ("enforcing", "2026-12-15T16:00:00Z", "2027-01-14T16:00:00Z"),   # across the year end
    ("rectified", "2026-04-25T00:00:00Z", "2026-05-05T00:00:00Z"),   # 30-day month
    ("reported", "2026-08-31T23:59:59Z", "2026-09-05T23:59:59Z"),
    ("closed", "2026-08-31T23:59:59Z", None),
])
def test_due_at_across_month_ends(state, entered, due):
    assert w.due_at(state, entered) == due
    if due is None:
        assert not w.is_overdue(state, entered, "2099-01-01T00:00:00Z")
    else:
        assert not w.is_overdue(state, entered, entered)
        assert not w.is_overdue(state, entered, due)  # exactly at the due second is still on time
        late = w.format_time(w.parse_time(due) + dt.timedelta(seconds=1))
        assert w.is_overdue(state, entered, late)


def test_custom_deadlines():
    assert w.Deadlines.from_dict({"issued": "10"}).issued == 10  # QgsSettings may hand back text
    d = w.Deadlines.from_dict({"issued": 10, "enforcing": None})
    assert d.issued == 10 and d.returned == 5
    assert w.due_at("issued", "2026-01-25T00:00:00Z", d) == "2026-02-04T00:00:00Z"
    assert w.due_at("enforcing", "2026-01-25T00:00:00Z", d) is None
    assert not w.is_overdue("enforcing", "2020-01-01T00:00:00Z", "2026-01-01T00:00:00Z", d)
    zero = w.Deadlines(issued=0)
    assert w.is_overdue("issued", "2026-01-31T00:00:00Z", "2026-01-31T00:00:01Z", zero)


@pytest.mark.parametrize("bad", [{"issued": -1}, {"closed": 3}, {"nowhere": 1}, {"issued": 1.5}, {"issued": "x"}])
def test_bad_deadlines(bad):
    with pytest.raises(w.WorkflowError):
        w.Deadlines.from_dict(bad)
    with pytest.raises(w.WorkflowError):
        w.Deadlines(reported=1.5)


def test_deadline_inputs_are_checked():
    with pytest.raises(w.WorkflowError) as info:
        w.due_at("issued", "2026-01-31")
    assert info.value.code == "bad_time"
    with pytest.raises(w.WorkflowError) as info:
        w.due_at("archived", "2026-01-31T00:00:00Z")
    assert info.value.code == "unknown_state"


def test_overdue_of_a_replayed_case():
    events = walk(RETURN_PATH[:3])  # reported at 2026-01-30T12:00:00Z
    state, entered, _, _ = w.history_summary(events)[-1]
    assert (state, entered) == ("reported", "2026-01-30T12:00:00Z")
    assert w.due_at(state, entered) == "2026-02-04T12:00:00Z"
    assert not w.is_overdue(state, entered, "2026-02-04T12:00:00Z")
    assert w.is_overdue(state, entered, "2026-02-04T12:00:01Z")


# ------------------------------------------------------------------------------------------ locking
def test_check_version():
    w.check_version(3, 3)
    with pytest.raises(w.ConflictError) as info:
        w.check_version(3, 4)
    err = info.value
    assert err.code == "conflict" and (err.expected, err.actual) == (3, 4)
    assert isinstance(err, w.WorkflowError) and isinstance(err, ValueError)
    assert "expected version 3, found 4" in str(err)
