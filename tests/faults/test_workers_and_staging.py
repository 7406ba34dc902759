"""A coding run killed half-way leaves nothing running and nothing behind (issue 15): its worker processes end
when their parent is gone, and its staging files beside the store are removed at the store's next open."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage.store import STALE_STAGING_S

ROOT = Path(__file__).resolve().parents[2]

PARENT = """
import sys, time
sys.path.insert(0, {root!r})
from linxia_tianguan_plugin.core.parallel import process_pool
with process_pool(2) as pool:
    futures = [pool.submit(time.sleep, 120) for _ in range(2)]
    time.sleep(1.0)
    print(" ".join(str(p) for p in pool._processes), flush=True)
    time.sleep(120)
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")
def test_workers_end_when_their_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT.format(root=str(ROOT))], stdout=subprocess.PIPE,
                              text=True)
    try:
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert len(workers) == 2 and all(_running(p) for p in workers)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 15
        while any(_running(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_running(p) for p in workers), "workers outlived their killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()


def test_stale_staging_files_go_at_the_next_open_and_a_live_runs_stay(tmp_path):
    store = tmp_path / "tianguan.gpkg"
    GpkgStore(store, epsg=4523).close()
    stale = [Path(f"{store}.staging-FM20250101000000ABCD.sqlite{suffix}") for suffix in ("", ".4242", "-wal")]
    live = Path(f"{store}.staging-FM20250102000000EF01.sqlite")
    for path in (*stale, live):
        path.write_bytes(b"\0" * 1024)
    old = os.path.getmtime(live) - STALE_STAGING_S - 60  # relative to the file system's own clock
    for path in stale:
        os.utime(path, (old, old))
    GpkgStore(store, create=False).close()
    assert not any(p.exists() for p in stale)
    assert live.exists()
    # a reader does not touch them
    os.utime(live, (old, old))
    GpkgStore(store, create=False, read_only=True).close()
    assert live.exists()
