"""The plugin's one clock (core.clock): an injected instant that advances like a real clock, never the calendar of
the machine; child processes continue the same timeline."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from linxia_tianguan_plugin.core import clock


@pytest.fixture
def injected(monkeypatch):
    monkeypatch.setenv(clock.ENV, "2024-02-29T23:59:30+08:00")
    monkeypatch.delenv(clock.SINCE_ENV, raising=False)


def test_injected_now_is_the_instant_and_advances(injected):
    first = clock.now_utc()
    assert first.tzinfo is not None and first.utcoffset() == dt.timedelta(0)
    assert dt.timedelta(0) <= first - dt.datetime(2024, 2, 29, 15, 59, 30, tzinfo=dt.timezone.utc) < dt.timedelta(
        seconds=5)
    assert clock.now_utc() >= first  # ordered like a real clock
    assert clock.today_beijing() == dt.date(2024, 2, 29)
    assert clock.now_beijing().utcoffset() == dt.timedelta(hours=8)


def test_a_child_process_continues_the_same_timeline(injected):
    parent = clock.now_utc()
    code = "from linxia_tianguan_plugin.core import clock; print(clock.now_utc().isoformat())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}).stdout.strip()
    child = dt.datetime.fromisoformat(out)
    assert dt.timedelta(0) <= child - parent < dt.timedelta(seconds=30)


def test_without_injection_it_is_the_machines_clock(monkeypatch):
    monkeypatch.delenv(clock.ENV, raising=False)
    before = dt.datetime.now(dt.timezone.utc)
    now = clock.now_utc()
    assert before <= now <= dt.datetime.now(dt.timezone.utc)


@pytest.mark.parametrize("text", ["yesterday", "2025-07-20T10:00:00"])
def test_a_bad_injection_is_refused_with_the_variable_named(monkeypatch, text):
    monkeypatch.setenv(clock.ENV, text)
    with pytest.raises(ValueError, match=clock.ENV):
        clock.now_utc()


def test_the_test_session_runs_on_the_injected_clock():
    # conftest fixes the session's clock: what every date-sensitive test relies on
    assert os.environ.get(clock.ENV)
    assert clock.today_beijing() == dt.date.fromisoformat(os.environ[clock.ENV][:10])
