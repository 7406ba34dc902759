"""Patrol-task rules (core.patrol.tasks): periods, due times, ids, statuses around period ends and time zones."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from linxia_tianguan_plugin.core.patrol import tasks as t

D = dt.date
UTC = dt.timezone.utc


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# ------------------------------------------------------------------------------------------ rules
def test_default_frequencies_follow_the_plan():
    rules = t.FrequencyRules()
    assert [rules.kind(level) for level in (1, 2, 3, 4, 5)] == ["half_year", "half_year", "quarter", "month", "week"]


def test_rules_round_trip_through_json_and_keep_defaults_for_missing_levels():
    rules = t.FrequencyRules.from_dict({"5": "month", 3: "month"})
    assert rules.kind(5) == "month" and rules.kind(3) == "month" and rules.kind(4) == "month"
    assert rules.kind(1) == "half_year"
    again = t.FrequencyRules.from_json(json.dumps(rules.to_dict()))
    assert again == rules
    assert set(rules.to_dict()) == {"1", "2", "3", "4", "5"}
    assert t.FrequencyRules.from_json("") == t.FrequencyRules()


@pytest.mark.parametrize("bad", [{"5": "fortnight"}, {"6": "week"}, {"0": "month"}])
def test_rules_reject_unknown_kinds_and_levels(bad):
    with pytest.raises(t.TaskError):
        t.FrequencyRules.from_dict(bad)


# ------------------------------------------------------------------------------------------ periods
def test_weeks_run_monday_to_sunday_across_months_and_years():
    assert t.periods("week", D(2026, 2, 25), D(2026, 3, 3)) == [
        (D(2026, 2, 23), D(2026, 3, 1)), (D(2026, 3, 2), D(2026, 3, 8))]
    # 2025-12-29 is a Monday: the week spans the year end
    assert t.periods("week", D(2025, 12, 31), D(2026, 1, 1)) == [(D(2025, 12, 29), D(2026, 1, 4))]
    assert t.periods("week", D(2026, 3, 2), D(2026, 3, 2)) == [(D(2026, 3, 2), D(2026, 3, 8))]
    # a Sunday alone belongs to the week that started six days before
    assert t.periods("week", D(2026, 3, 1), D(2026, 3, 1)) == [(D(2026, 2, 23), D(2026, 3, 1))]


def test_months_with_leap_years():
    assert t.periods("month", D(2024, 2, 10), D(2024, 3, 1)) == [
        (D(2024, 2, 1), D(2024, 2, 29)), (D(2024, 3, 1), D(2024, 3, 31))]
    assert t.periods("month", D(2026, 2, 28), D(2026, 2, 28)) == [(D(2026, 2, 1), D(2026, 2, 28))]
    assert t.periods("month", D(2000, 2, 1), D(2000, 2, 1)) == [(D(2000, 2, 1), D(2000, 2, 29))]  # /400
    assert t.periods("month", D(2100, 2, 1), D(2100, 2, 1)) == [(D(2100, 2, 1), D(2100, 2, 28))]  # /100
    assert t.periods("month", D(2025, 12, 15), D(2026, 1, 15)) == [
        (D(2025, 12, 1), D(2025, 12, 31)), (D(2026, 1, 1), D(2026, 1, 31))]


def test_quarters_half_years_and_years():
    assert t.periods("quarter", D(2026, 3, 31), D(2026, 4, 1)) == [
        (D(2026, 1, 1), D(2026, 3, 31)), (D(2026, 4, 1), D(2026, 6, 30))]
    assert t.periods("quarter", D(2025, 11, 1), D(2026, 1, 1)) == [
        (D(2025, 10, 1), D(2025, 12, 31)), (D(2026, 1, 1), D(2026, 3, 31))]
    assert t.periods("half_year", D(2026, 6, 30), D(2026, 7, 1)) == [
        (D(2026, 1, 1), D(2026, 6, 30)), (D(2026, 7, 1), D(2026, 12, 31))]
    assert t.periods("half_year", D(2026, 8, 1), D(2026, 8, 1)) == [(D(2026, 7, 1), D(2026, 12, 31))]
    assert t.periods("year", D(2024, 12, 31), D(2025, 1, 1)) == [
        (D(2024, 1, 1), D(2024, 12, 31)), (D(2025, 1, 1), D(2025, 12, 31))]


def test_periods_tile_the_calendar_without_gaps():
    for kind in t.KINDS:
        found = t.periods(kind, D(2023, 1, 1), D(2028, 12, 31))
        for (_, end), (start, _) in zip(found, found[1:]):
            assert start == end + dt.timedelta(days=1)
        assert all(s <= e for s, e in found)


def test_periods_reject_a_reversed_range_and_unknown_kinds():
    with pytest.raises(t.TaskError):
        t.periods("week", D(2026, 3, 2), D(2026, 3, 1))
    with pytest.raises(t.TaskError):
        t.periods("fortnight", D(2026, 3, 1), D(2026, 3, 2))


# ------------------------------------------------------------------------------------------ times
def test_due_is_the_end_of_the_last_day_in_shanghai_stored_as_utc():
    assert t.due_at(D(2026, 3, 1)) == "2026-03-01T15:59:59Z"
    assert t.due_at(D(2024, 2, 29)) == "2024-02-29T15:59:59Z"
    assert t.due_at(D(2025, 12, 31)) == "2025-12-31T15:59:59Z"


@pytest.mark.parametrize("text, expected", [
    ("2026-03-01T17:30:00Z", "2026-03-01T17:30:00Z"),
    ("2026-03-01T17:30Z", "2026-03-01T17:30:00Z"),
    ("2026-03-02T01:30:00+08:00", "2026-03-01T17:30:00Z"),
    ("2026-03-02T01:30:00+0800", "2026-03-01T17:30:00Z"),
    ("2026-03-02 01:30:00", "2026-03-01T17:30:00Z"),  # naive = Asia/Shanghai
    ("2026-03-02 01:30", "2026-03-01T17:30:00Z"),
    ("2026/3/2 1:30", "2026-03-01T17:30:00Z"),
    ("2026-03-02", "2026-03-01T16:00:00Z"),
    ("2026-03-01T12:30:00-05:00", "2026-03-01T17:30:00Z"),
])
def test_instants_with_offsets_z_or_naive(text, expected):
    assert t.format_utc(t.parse_instant(text)) == expected


@pytest.mark.parametrize("bad", ["", "yesterday", "2026-13-01 10:00", "2026-02-30", "02/03/2026", "2026-03-01 25:00"])
def test_unparseable_instants_raise(bad):
    with pytest.raises(t.TaskError):
        t.parse_instant(bad)


def test_local_date_is_shanghai():
    assert t.local_date("2026-03-01T17:30:00Z") == D(2026, 3, 2)  # 01:30 on Monday in Shanghai
    assert t.local_date("2026-03-01T15:59:59Z") == D(2026, 3, 1)
    assert t.local_date(dt.datetime(2026, 3, 1, 16, 0, tzinfo=UTC)) == D(2026, 3, 2)
    assert t.local_date(dt.datetime(2026, 3, 1, 23, 0)) == D(2026, 3, 1)  # naive datetime: Shanghai


# ------------------------------------------------------------------------------------------ tasks
GRIDS = [("6229", 1), ("622921", 2), ("622921101", 3), ("622921101001", 4), ("62292110100101", 5)]
NOW = utc("2026-11-29T00:00:00Z")


def test_task_ids_are_deterministic_and_unique():
    a = t.make_tasks(GRIDS, {}, t.FrequencyRules(), D(2026, 1, 1), D(2026, 12, 31), "r1", NOW)
    b = t.make_tasks(list(reversed(GRIDS)), {}, t.FrequencyRules(), D(2026, 1, 1), D(2026, 12, 31), "r2",
                     utc("2026-12-01T00:00:00Z"))
    assert [x.task_id for x in a] == [x.task_id for x in b]
    assert len({x.task_id for x in a}) == len(a)
    assert len({(x.grid_code, x.period_start) for x in a}) == len(a)
    week = next(x for x in a if x.grid_code == "62292110100101" and x.period_start == "2026-03-02")
    assert week.task_id == "RW6229211010010120260302"
    assert week.period_end == "2026-03-08" and week.due_at == "2026-03-08T15:59:59Z"
    assert week.dispatched_at == "2026-11-29T00:00:00Z" and week.dispatch_run == "r1"


def test_officers_are_named_on_tasks():
    officers = {"62292110100101": ("马社长", "13900000001")}
    made = t.make_tasks(GRIDS, officers, t.FrequencyRules(), D(2026, 3, 2), D(2026, 3, 2), "r", NOW)
    by_grid = {x.grid_code: x for x in made}
    assert (by_grid["62292110100101"].officer, by_grid["62292110100101"].phone) == ("马社长", "13900000001")
    assert by_grid["622921101001"].officer is None
    assert {x.grid_code: x.period_start for x in made} == {
        "6229": "2026-01-01", "622921": "2026-01-01", "622921101": "2026-01-01", "622921101001": "2026-03-01",
        "62292110100101": "2026-03-02"}


def _mondays(year: int) -> int:
    """Counted day by day, independently of the period code."""
    day, n = D(year, 1, 1), 0
    while day.year == year:
        n += day.weekday() == 0
        day += dt.timedelta(days=1)
    return n


@pytest.mark.parametrize("year", [2018, 2020, 2023, 2024, 2025, 2026, 2012, 2028])
def test_a_year_of_tasks(year):
    made = t.make_tasks(GRIDS, {}, t.FrequencyRules(), D(year, 1, 1), D(year, 12, 31), "r", NOW)
    per_level: dict[int, list[t.Task]] = {}
    for task in made:
        per_level.setdefault(task.level, []).append(task)
    assert len(per_level[4]) == 12 and len(per_level[3]) == 4 and len(per_level[2]) == 2 and len(per_level[1]) == 2
    weekly = per_level[5]
    # weeks *starting* in the year: one per Monday, 52 or 53
    starting = [x for x in weekly if x.period_start.startswith(str(year))]
    assert len(starting) == _mondays(year)
    assert len(starting) in (52, 53)
    # dispatching 1 Jan – 31 Dec also gives the week that began in late December of the year before
    assert len(weekly) == _mondays(year) + (D(year, 1, 1).weekday() != 0)
    assert all(D.fromisoformat(x.period_start).weekday() == 0 for x in weekly)
    assert all((D.fromisoformat(x.period_end) - D.fromisoformat(x.period_start)).days == 6 for x in weekly)


def test_mondays_decide_52_or_53():
    assert _mondays(2024) == 53  # leap year starting on a Monday
    assert _mondays(2018) == 53  # starts on a Monday
    assert _mondays(2026) == 52
    assert _mondays(2025) == 52


# ------------------------------------------------------------------------------------------ status
def _week_task() -> t.Task:
    # week Mon 2026-02-23 .. Sun 2026-03-01, due 2026-03-01T15:59:59Z
    return t.make_tasks([("62292110100101", 5)], {}, t.FrequencyRules(), D(2026, 2, 25), D(2026, 2, 25), "r",
                        NOW)[0]


def test_status_open_until_due_then_overdue():
    task = _week_task()
    assert task.due_at == "2026-03-01T15:59:59Z"
    assert t.task_status(task, [], utc("2026-03-01T15:59:59Z")) == t.OPEN
    assert t.task_status(task, [], utc("2026-03-01T16:00:00Z")) == t.OVERDUE
    assert t.task_status(task, [], utc("2026-02-20T00:00:00Z")) == t.OPEN  # not begun yet


def test_patrol_just_after_midnight_shanghai_counts_for_the_next_week():
    task = _week_task()
    late = t.make_patrol("62292110100101", "马社长", "2026-03-01T17:30:00Z")  # 2026-03-02 01:30 Shanghai
    assert t.task_status(task, [late], utc("2026-03-02T00:00:00Z")) == t.OVERDUE
    next_week = t.make_tasks([("62292110100101", 5)], {}, t.FrequencyRules(), D(2026, 3, 2), D(2026, 3, 2), "r",
                             NOW)[0]
    assert t.task_status(next_week, [late], utc("2026-03-02T00:00:00Z")) == t.DONE


def test_patrol_before_midnight_shanghai_counts_even_if_utc_date_is_earlier():
    task = _week_task()
    # Monday 2026-02-23 00:10 in Shanghai is Sunday 2026-02-22 16:10 UTC
    first = t.make_patrol("62292110100101", None, "2026-02-22T16:10:00Z")
    assert t.task_status(task, [first], NOW) == t.DONE
    last = t.make_patrol("62292110100101", None, "2026-03-01 23:59:00")  # naive: Shanghai Sunday evening
    assert t.task_status(task, [last], NOW) == t.DONE
    before = t.make_patrol("62292110100101", None, "2026-02-22T15:59:00Z")  # Sunday 23:59 of the week before
    assert t.task_status(task, [before], NOW) == t.OVERDUE


def test_invalid_patrols_and_other_grids_do_not_count():
    task = _week_task()
    invalid = t.make_patrol("62292110100101", None, "2026-02-25 10:00", valid=False)
    other = t.make_patrol("62292110100102", None, "2026-02-25 10:00")
    assert t.task_status(task, [invalid, other], NOW) == t.OVERDUE
    assert t.task_status(task, [invalid, other], utc("2026-02-26T00:00:00Z")) == t.OPEN


def test_month_end_in_utc_versus_shanghai():
    month = t.make_tasks([("622921101001", 4)], {}, t.FrequencyRules(), D(2026, 2, 1), D(2026, 2, 1), "r", NOW)[0]
    assert (month.period_start, month.period_end, month.due_at) == ("2026-02-01", "2026-02-28", "2026-02-28T15:59:59Z")
    # 2026-02-28T17:30Z is already 1 March in Shanghai: too late for February
    assert t.task_status(month, [t.make_patrol("622921101001", None, "2026-02-28T17:30:00Z")], NOW) == t.OVERDUE
    assert t.task_status(month, [t.make_patrol("622921101001", None, "2026-02-28T15:30:00Z")], NOW) == t.DONE


def test_patrol_ids_are_deterministic_whatever_the_time_notation():
    a = t.make_patrol("62292110100101", "马社长", "2026-03-02 09:00")
    b = t.make_patrol("62292110100101", " 马社长 ", "2026-03-02T01:00:00Z", note="again")
    c = t.make_patrol("62292110100101", "马社长", "2026-03-02 09:01")
    assert a.patrol_id == b.patrol_id != c.patrol_id
    assert a.started_at == "2026-03-02T01:00:00Z"
    with pytest.raises(t.TaskError):
        t.make_patrol("62292110100101", "马社长", "2026-03-02 09:00", "2026-03-02 08:00")
    with pytest.raises(t.TaskError):
        t.make_patrol("62292110100101", "马社长", "2026-03-02 09:00", source="phone")


def test_overdue_by_township():
    grids = [("62292110100101", 5), ("62292110100102", 5), ("62292110200101", 5), ("622921", 2)]
    made = t.make_tasks(grids, {"62292110100101": ("马社长", "1")}, t.FrequencyRules(), D(2026, 3, 2),
                        D(2026, 3, 8), "r", NOW)
    patrols = [t.make_patrol("62292110100102", None, "2026-03-03 10:00")]
    groups = t.overdue_by_township(made, patrols, utc("2026-03-09T00:00:00Z"), {"622921101": "城关镇"})
    assert [(g.township, g.name, g.count, g.grids) for g in groups] == [
        ("622921101", "城关镇", 1, ["62292110100101"]), ("622921102", "", 1, ["62292110200101"])]
    assert groups[0].officers == ["马社长"]
    # the county's half-year is not over yet
    assert t.overdue_by_township(made, patrols, utc("2026-03-08T00:00:00Z")) == []
    later = t.overdue_by_township(made, patrols, utc("2026-07-01T00:00:00Z"))
    assert [(g.township, g.count) for g in later] == [("622921", 1), ("622921101", 1), ("622921102", 1)]


def test_statuses_match_task_status():
    made = t.make_tasks(GRIDS, {}, t.FrequencyRules(), D(2026, 1, 1), D(2026, 12, 31), "r", NOW)
    patrols = [t.make_patrol(code, None, "2026-05-06 10:00") for code, _ in GRIDS]
    index = t.PatrolIndex(patrols)
    assert t.statuses(made, patrols, NOW) == [t.task_status(x, patrols, NOW) for x in made]
    assert t.statuses(made, index, NOW).count(t.DONE) == 5


def test_status_codes_follow_task_status_on_random_tasks_and_patrols():
    """The columnar status (a prefecture's year at once) is task_status's rule, task for task: random grids,
    periods, due instants and patrols near the period ends and around Shanghai midnight."""
    import datetime as dt
    import random

    import numpy as np

    from linxia_tianguan_plugin.core.patrol import tasks as rules

    rng = random.Random(7)
    grids = [f"62292110{v:04d}{g:02d}" for v in range(6) for g in range(1, 4)] + ["622921", "622921100"]
    base = dt.date(2025, 6, 1)
    tasks, patrols = [], []
    for i in range(600):
        grid = rng.choice(grids)
        first = base + dt.timedelta(days=rng.randrange(60))
        last = first + dt.timedelta(days=rng.choice([0, 6, 29]))
        due = rules.format_utc(dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=rules.SHANGHAI))
        tasks.append(rules.Task(f"T{i}", grid, 5, first.isoformat(), last.isoformat(), due, None, None, "x", "r"))
    for _ in range(400):
        day = base + dt.timedelta(days=rng.randrange(-3, 95))
        local = dt.datetime.combine(day, dt.time(rng.choice([0, 7, 8, 15, 16, 23]), rng.randrange(60)),
                                    tzinfo=rules.SHANGHAI)
        patrols.append(rules.make_patrol(rng.choice(grids), "x", local, valid=rng.random() > 0.2))
    now = dt.datetime(2025, 7, 10, 3, 0, tzinfo=dt.timezone.utc)
    expected = rules.statuses(tasks, patrols, now)
    epoch = dt.date(1970, 1, 1)
    valid = [p for p in patrols if p.valid]
    codes = rules.status_codes(
        [int(t.grid_code) for t in tasks], [(rules.as_date(t.period_start) - epoch).days for t in tasks],
        [(rules.as_date(t.period_end) - epoch).days for t in tasks],
        [rules.parse_instant(t.due_at).timestamp() for t in tasks], [int(p.grid_code) for p in valid],
        [(rules.local_date(p.started_at) - epoch).days for p in valid], now.timestamp())
    assert [rules.STATUS_ORDER[c] for c in codes.tolist()] == expected
    assert set(expected) == {rules.DONE, rules.OPEN, rules.OVERDUE}
    assert np.asarray(codes).dtype == np.int8
