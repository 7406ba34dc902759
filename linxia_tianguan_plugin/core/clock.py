"""The plugin's one clock: every "now" and "today" it stamps, names or compares with comes from here.

Why one place: a run's result must not depend on the day it runs unless the day is what the analyst asked for.
Cases are stamped when detected, tasks fall due, coverage runs are ordered by when they ran — so tests, a rerun
of a past month and the clock check (``make clock-check``: the date-sensitive tests with the machine's clock
moved a year) fix the clock here instead of reading the machine's.

``TIANGUAN_NOW`` (an ISO instant with offset, e.g. ``2025-07-20T10:00:00+08:00``) sets "now" for this process
and the processes it starts (qgis_process, workers). The injected clock still advances, at the speed of the
machine's monotonic clock from the first read (``TIANGUAN_NOW_SINCE``, written back to the environment so that
child processes continue the same timeline): stamps stay ordered as on a real day, yet no date ever comes from
the machine's calendar. Without the variable it is the machine's clock.
"""
from __future__ import annotations

import datetime as dt
import os
import time

ENV = "TIANGUAN_NOW"
SINCE_ENV = "TIANGUAN_NOW_SINCE"
#: China Standard Time: the county desks' calendar (no daylight saving since 1991)
BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def _fixed() -> dt.datetime | None:
    text = os.environ.get(ENV, "").strip()
    if not text:
        return None
    try:
        base = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{ENV}={text!r} is not an ISO instant such as 2025-07-20T10:00:00+08:00") from None
    if base.tzinfo is None:
        raise ValueError(f"{ENV}={text!r} needs an offset (Z or +08:00)")
    since = os.environ.get(SINCE_ENV)
    if since is None:
        since = repr(time.monotonic())
        os.environ[SINCE_ENV] = since
    return base + dt.timedelta(seconds=max(0.0, time.monotonic() - float(since)))


def now_utc() -> dt.datetime:
    """The current instant, aware, in UTC."""
    fixed = _fixed()
    return fixed.astimezone(dt.timezone.utc) if fixed is not None else dt.datetime.now(dt.timezone.utc)


def now_beijing() -> dt.datetime:
    """The current instant on the desks' (Beijing) clock."""
    return now_utc().astimezone(BEIJING)


def today_beijing() -> dt.date:
    """Today's date in Beijing: what "today" means for due dates, approvals' terms and report dates."""
    return now_beijing().date()
