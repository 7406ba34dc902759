"""Synthetic desk-store content shared by the benches that build a 田管库 without coding a sample
(``bench_dashboard.py``: the prefecture; ``bench_publish.py``: one county): the roster, and a year of tasks as
下发巡田任务 makes them with the patrols that did most of them. One builder, so both benches' stores hold the same
kind of rows, written the same way (``core.patrol.tasks``, the store's bulk journal).

``units`` are ``(code, level, name, parent)`` tuples, level 1 (prefecture) … 5 (group); ``rng`` a numpy
Generator — the draws are made in a fixed order, so a seed gives the same store every time.
"""
from __future__ import annotations

import datetime as dt

ASSISTANTS = {3: 2, 4: 1}  # assistant posts per township and per village


def write_roster(store, rng, units: list[tuple], roster_id: str, group_assistant_share: float | None = None,
                 imported_at: str = "2025-01-02T01:00:00Z") -> tuple[dict, int]:
    """An active roster: one officer post per grid (~3 % vacant), assistants at townships and villages and, with
    ``group_assistant_share``, at that share of the groups. Returns ({grid: (officer, phone)}, posts written)."""
    officers, posts = {}, []
    for k, (code, level, name, _) in enumerate(units):
        vacant = rng.random() < 0.03
        person = None if vacant else f"田管员{k:05d}"
        phone = None if vacant else f"13{int(rng.integers(100000000, 999999999))}"
        posts.append((roster_id, level, code, name, person, "officer", "网格长", phone, int(vacant)))
        if not vacant:
            officers[code] = (person, phone)
        extra = ASSISTANTS.get(level, 0)
        if level == 5 and group_assistant_share is not None and rng.random() < group_assistant_share:
            extra = 1
        for a in range(extra):
            posts.append((roster_id, level, code, name, f"协管员{k:05d}{a}", "assistant", "协管员",
                          f"15{int(rng.integers(100000000, 999999999))}", 0))
    with store.transaction() as conn:
        conn.execute("INSERT INTO tg_roster_import (roster_id, imported_at, source, counts, active) "
                     "VALUES (?, ?, 'roster.xlsx', '{}', 1)", (roster_id, imported_at))
        conn.executemany("INSERT INTO tg_officer (roster_id, level, grid_code, grid_name, name, role, post, "
                         "phone, vacant) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", posts)
    return officers, len(posts)


DONE_SHARE = {1: 1.0, 2: 0.95, 3: 0.9, 4: 0.85, 5: 0.78}  # tasks done per level (the rest undone or overdue)


def write_tasks_and_patrols(store, rng, units: list[tuple], officers: dict, year: int, today: dt.date,
                            dispatch_id: str, invalid_share: float = 0.02) -> tuple[int, int]:
    """A year of tasks made by ``core.patrol.tasks.make_tasks`` (groups weekly, villages monthly, …) and, for the
    tasks begun by ``today``, the patrols that did :data:`DONE_SHARE` of them on a drawn day (``invalid_share``
    of them invalid). Returns (tasks, patrols)."""
    from linxia_tianguan_plugin.core.patrol import tasks as task_rules

    now = dt.datetime(year, 1, 1, 1, tzinfo=dt.timezone.utc)
    tasks = task_rules.make_tasks([(u[0], u[1]) for u in units], officers, task_rules.FrequencyRules(),
                                  dt.date(year, 1, 1), dt.date(year, 12, 31), dispatch_id, now)
    draw, offsets, hours = rng.random(len(tasks)), rng.random(len(tasks)), rng.integers(7, 18, len(tasks))
    invalid = rng.random(len(tasks)) < invalid_share
    patrols = []
    for k, t in enumerate(tasks):
        first, last = dt.date.fromisoformat(t.period_start), min(dt.date.fromisoformat(t.period_end), today)
        if first > today or draw[k] >= DONE_SHARE[t.level]:
            continue
        day = first + dt.timedelta(days=int(offsets[k] * ((last - first).days + 1)))
        patrols.append(task_rules.make_patrol(t.grid_code, t.officer, f"{day} {hours[k]:02d}:00",
                                              valid=not invalid[k]))
    with store.bulk_journal(), store.transaction() as conn:
        conn.executemany(f"INSERT INTO tg_task ({', '.join(task_rules.Task.COLUMNS)}) "
                         f"VALUES ({', '.join('?' * len(task_rules.Task.COLUMNS))})", (t.as_row() for t in tasks))
        conn.executemany(f"INSERT OR IGNORE INTO tg_patrol ({', '.join(task_rules.Patrol.COLUMNS)}) "
                         f"VALUES ({', '.join('?' * len(task_rules.Patrol.COLUMNS))})", (p.as_row() for p in patrols))
    return len(tasks), len(patrols)
