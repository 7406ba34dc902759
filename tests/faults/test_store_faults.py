"""Faults of the 田管库 file (issue 15): another writer holding it, a full disk, a disk I/O error — each reaches the
user as one sentence (``store_messages.fault_message``) naming the store and what was (not) written, never
a traceback; the store is left exactly as it was, and a lock that passes lets the run go through.

Everything real: a 田管库 file on disk, SQLite, another *process* holding ``BEGIN IMMEDIATE`` on it, a tmpfs that is
really full, a file-size limit that makes the kernel refuse the write (EFBIG — what a FAT32 stick says at 4 GiB),
QGIS Processing through ``processing.run``, the 案件审核 dock on a store full of change cases."""
from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from linxia_tianguan_plugin.core.cases import workflow
from linxia_tianguan_plugin.storage import GpkgStore, gpkg
from linxia_tianguan_plugin.storage import faults as store_faults
from linxia_tianguan_plugin.storage.case_source import GpkgCaseSource
from linxia_tianguan_plugin.storage.faults import StoreFaultError, classify
from linxia_tianguan_plugin.store_messages import fault_message
from tests.helpers import recording_feedback, run
from tests.test_case_review_dock import (  # noqa: F401  (fixtures)
    ACTOR,
    TO_REPORTED,
    _events,
    _move,
    _stored,
    case_store_path,
    dock,
    store_path,
)

ROOT = Path(__file__).resolve().parents[2]
ROSTER = "linxia_tianguan:import_roster"


# ---------------------------------------------------------------------------------------------------- helpers
@pytest.fixture
def fast_faults(monkeypatch):
    """The busy timeout and the lock retries shortened (30 s and 1 s + 2 s + 4 s in use) so that a test waits
    seconds; the mechanism is the same."""
    monkeypatch.setattr(gpkg, "BUSY_TIMEOUT_S", 0.3)
    monkeypatch.setattr(store_faults, "LOCK_ATTEMPTS", 3)
    monkeypatch.setattr(store_faults, "LOCK_FIRST_DELAY_S", 0.2)


@pytest.fixture
def fresh_store(processing_registry, tmp_path) -> Path:
    """A new, empty 田管库 (schema up to date) as a desk starts with."""
    path = tmp_path / "tianguan.gpkg"
    GpkgStore(path, epsg=4522).close()
    return path


def snapshot(path: Path) -> dict:
    """Every row of every table of the store (read-only): what "unchanged" means."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'rtree_%' ORDER BY name")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


HOLD = textwrap.dedent("""
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    print("holding", flush=True)
    sys.stdin.readline()
    conn.execute("ROLLBACK")
    conn.close()
""")


class Holder:
    """Another process (a second QGIS, another desk on a shared folder) that holds the store's write lock
    (``BEGIN IMMEDIATE``) until :meth:`release`."""

    def __init__(self, path: Path):
        self.proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "holding"
        self.released_at: float | None = None

    def release(self) -> None:
        if self.proc.poll() is None and self.released_at is None:
            self.released_at = time.monotonic()
            self.proc.stdin.write("go\n")
            self.proc.stdin.flush()
            assert self.proc.wait(timeout=20) == 0

    def __enter__(self) -> Holder:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class LogWatch:
    """QGIS's message log during a run (no traceback may reach it)."""

    def __enter__(self) -> LogWatch:
        from qgis.core import QgsApplication

        self.lines: list[str] = []
        self._log = QgsApplication.messageLog()
        self._log.messageReceived.connect(self._got)
        return self

    def _got(self, message, tag, level) -> None:
        self.lines.append(f"{tag}: {message}")

    def __exit__(self, *exc) -> None:
        self._log.messageReceived.disconnect(self._got)


def fails_with(algorithm: str, params: dict) -> tuple[str, object]:
    """Run ``algorithm``, which must fail with a QgsProcessingException; (its message, the feedback)."""
    from qgis.core import QgsProcessingException

    feedback = recording_feedback()
    with LogWatch() as log:
        with pytest.raises(QgsProcessingException) as failed:
            run(algorithm, params, feedback=feedback)
    reported = "\n".join([str(failed.value), *feedback.errors, *feedback.warnings, *feedback.infos, *log.lines])
    assert "Traceback" not in reported and "sqlite3" not in reported and "OperationalError" not in reported
    return str(failed.value), feedback


def coding_params(src: Path, store: Path) -> dict:
    """空间编码 of the sample county into ``store`` (as tests.helpers.prepared_store runs it)."""
    layer = lambda name: f"{src}|layername={name}"  # noqa: E731
    return {"DLTB": layer("DLTB"), "DK": layer("DK"), "YJJBNT": layer("YJJBNTTB"), "CJDCQ": layer("CJDCQ"),
            "STORE": str(store)}


def expected(kind: str, path: Path) -> str:
    return fault_message(StoreFaultError(kind, str(path), ""))


# ---------------------------------------------------------------------------------------------------- mechanism
def test_every_algorithm_of_the_plugin_turns_store_faults_into_messages(processing_registry):
    """The one mechanism (AlgorithmBase.__init_subclass__) is on every algorithm QGIS runs."""
    provider = processing_registry.providerById("linxia_tianguan")
    algorithms = provider.algorithms()
    assert len(algorithms) >= 20
    unwrapped = [a.id() for a in algorithms if not getattr(type(a).processAlgorithm, "_store_faults_wrapped", False)]
    assert unwrapped == []


def test_an_io_error_on_a_full_disk_is_a_full_disk(tiny_disk):
    """The classification looks at the disk: an I/O error where there is no room left is said as a full disk."""
    filler = fill(tiny_disk)
    assert classify(sqlite3.OperationalError("disk I/O error"), str(tiny_disk / "s.gpkg")).kind == "full"
    filler.unlink()
    assert classify(sqlite3.OperationalError("disk I/O error"), str(tiny_disk / "s.gpkg")).kind == "io"


@pytest.mark.parametrize("text, kind, transient", [
    ("database is locked", "locked", True), ("database or disk is full", "full", False),
    ("disk I/O error", "io", False), ("attempt to write a readonly database", "readonly", False),
    ("database disk image is malformed", "corrupt", False), ("no such table: tg_case", None, False)])
def test_classification(text, kind, transient):
    fault = classify(sqlite3.OperationalError(text), "/s.gpkg")
    if kind is None:
        assert fault is None
    else:
        assert (fault.kind, fault.transient, fault.path) == (kind, transient, "/s.gpkg")


def test_a_refusal_raised_in_place_and_a_cancel_pass_unchanged(fresh_store, sample_county, tmp_path):
    """The wrapper leaves the algorithms' own messages and their cancel as they were."""
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="roster file"):
        run(ROSTER, {"INPUT": str(tmp_path / "none.csv"), "STORE": str(fresh_store)})
    feedback = recording_feedback()
    feedback.cancel()
    before = snapshot(fresh_store)
    result = run(ROSTER, {"INPUT": str(sample_county / "roster.csv"), "STORE": str(fresh_store)}, feedback=feedback)
    assert not result.get("ROSTER_ID") and snapshot(fresh_store) == before
    assert any("cancel" in e.lower() for e in feedback.errors)


# ---------------------------------------------------------------------------------------------------- (a) locked
def test_a_store_locked_beyond_the_retries_fails_with_the_locked_message_and_is_unchanged(
        fast_faults, fresh_store, sample_county):
    before = snapshot(fresh_store)
    started = time.monotonic()
    with Holder(fresh_store):
        message, feedback = fails_with(ROSTER, {"INPUT": str(sample_county / "roster.csv"),
                                                "STORE": str(fresh_store)})
    # three tries of 0.3 s each, 0.2 s and 0.4 s between them
    assert time.monotonic() - started >= 3 * 0.3 + 0.2 + 0.4 - 0.05
    assert message == expected("locked", fresh_store)
    waits = [w for w in feedback.warnings if "trying again" in w]
    assert len(waits) == 2 and all(str(fresh_store) in w for w in waits)
    assert snapshot(fresh_store) == before and integrity(fresh_store) == "ok"


def test_a_lock_released_while_the_run_waits_lets_the_run_through(fast_faults, fresh_store, sample_county):
    from linxia_tianguan_plugin.storage.roster import active_roster_id

    with Holder(fresh_store) as holder:
        feedback = recording_feedback()
        told = feedback.pushWarning

        def warning(text: str) -> None:  # the other program ends when the run says it waits (mid-retry)
            told(text)
            if "trying again" in text:
                holder.release()

        feedback.pushWarning = warning
        result = run(ROSTER, {"INPUT": str(sample_county / "roster.csv"), "STORE": str(fresh_store)},
                     feedback=feedback)
        assert holder.released_at is not None  # the run did wait for it
    assert result["ROSTER_ID"] and result["IMPORTED"] > 0
    store = GpkgStore(fresh_store, create=False, read_only=True)
    try:
        assert active_roster_id(store) == result["ROSTER_ID"]
    finally:
        store.close()


def test_a_locked_coding_run_writes_nothing_and_says_so(fast_faults, processing_registry, sample_county, tmp_path):
    """The space coding: its one commit transaction waits, tries again, gives up; no staging file is left."""
    store = tmp_path / "tianguan.gpkg"
    GpkgStore(store, epsg=4522).close()
    before = snapshot(store)
    src = sample_county / "sample_county.gpkg"
    params = coding_params(src, store)
    with Holder(store):
        message, _ = fails_with("linxia_tianguan:space_code", params)
    assert message == expected("locked", store)
    assert snapshot(store) == before and integrity(store) == "ok"
    assert not list(tmp_path.glob("*.staging-*"))


# ---------------------------------------------------------------------------------------------------- (b) full
@pytest.fixture
def tiny_disk(tmp_path) -> Path:
    """A real 6 MB tmpfs (root in in_env's private mount namespace), unmounted afterwards."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mnt)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}): run the tests through tools/in_env as root")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(disk: Path) -> Path:
    """Fill ``disk`` to the last block (unbuffered writes, smaller and smaller); returns the filler file."""
    filler = disk / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for size in (1 << 16, 1 << 12, 1 << 9, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError as err:
                    assert err.errno == errno.ENOSPC
                    break
    finally:
        os.close(fd)
    return filler


@pytest.mark.parametrize("algorithm, reader", [("roster", True), ("space_code", True), ("roster", False)])
def test_a_full_disk_fails_with_the_full_message_and_the_store_holds_what_it_held(
        algorithm, reader, processing_registry, sample_county, tmp_path, tiny_disk):
    """With QGIS showing the store (its -shm file there) SQLite says "database or disk is full"; with nothing
    else open it cannot even make the -shm file and says "disk I/O error" — a full disk all the same."""
    store = tiny_disk / "tianguan.gpkg"
    made = tmp_path / "made.gpkg"
    GpkgStore(made, epsg=4522).close()
    # the store holds a roster already
    run(ROSTER, {"INPUT": str(sample_county / "roster.csv"), "STORE": str(made)})
    shutil.copy(made, store)
    before = snapshot(store)
    # QGIS shows the store's layers meanwhile: its reader keeps the store's -wal/-shm files (already allocated)
    shown = gpkg.connect(str(store)) if reader else None
    try:
        filler = fill(tiny_disk)
        assert shutil.disk_usage(tiny_disk).free < 4096
        src = sample_county / "sample_county.gpkg"
        if algorithm == "roster":
            params = {"INPUT": str(sample_county / "roster.csv"), "STORE": str(store)}
            message, _ = fails_with(ROSTER, params)
        else:
            message, _ = fails_with("linxia_tianguan:space_code", coding_params(src, store))
        assert message == expected("full", store)
        if reader:  # still full: the store opens (as QGIS's reader has it) and holds exactly what it held
            assert snapshot(store) == before
        filler.unlink()
    finally:
        if shown is not None:
            shown.close()
    opened = GpkgStore(store, create=False)  # writable again once there is room
    opened.close()
    assert snapshot(store) == before and integrity(store) == "ok"
    assert not list(tiny_disk.glob("*.staging-*"))


def test_a_full_disk_under_an_output_file_is_a_message_and_leaves_no_file(processing_registry, sample_county,
                                                                          tmp_path, tiny_disk):
    """Not the store: the roster exported as Excel to a full disk (a USB stick, a full share) — the Chinese
    sentence naming the file, no traceback, nothing half-written under its name or beside it."""
    from linxia_tianguan_plugin.store_messages import os_error_message

    store = tmp_path / "tianguan.gpkg"
    GpkgStore(store, epsg=4522).close()
    run(ROSTER, {"INPUT": str(sample_county / "roster.csv"), "STORE": str(store)})
    out = tiny_disk / "花名册.xlsx"
    filler = fill(tiny_disk)
    try:
        message, _ = fails_with("linxia_tianguan:export_roster", {"STORE": str(store), "OUTPUT": str(out)})
    finally:
        filler.unlink()
    full = os_error_message(OSError(errno.ENOSPC, "No space left on device", str(out)))
    assert full is not None and message.split(str(tiny_disk))[0] == full.split(str(tiny_disk))[0], message
    assert not [p.name for p in tiny_disk.iterdir()]  # no partial workbook, no temporary file
    run("linxia_tianguan:export_roster", {"STORE": str(store), "OUTPUT": str(out)})  # room again: written
    assert out.stat().st_size > 0


# ---------------------------------------------------------------------------------------------------- (c) I/O error
IO_RUN = textwrap.dedent("""
    import json, os, resource, signal, sys
    sys.path.insert(0, os.getcwd())
    from tools.headless import start_qgis
    app, provider = start_qgis()
    from qgis.core import QgsProcessingException
    from tests.helpers import recording_feedback, run
    feedback = recording_feedback()
    # from here on the kernel refuses any write past 4 KiB of a file (EFBIG, as a FAT32 stick does at 4 GiB):
    # the store's write-ahead log cannot grow, SQLite says "disk I/O error"
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    out = {"error": None}
    try:
        out["result"] = str(run("linxia_tianguan:import_roster", {"INPUT": sys.argv[1], "STORE": sys.argv[2]},
                                feedback=feedback))
    except QgsProcessingException as err:
        out["error"] = str(err)
    out["reported"] = [*feedback.errors, *feedback.warnings, *feedback.infos]
    print("RESULT " + json.dumps(out), flush=True)
    os._exit(0)
""")


def test_a_disk_io_error_fails_with_the_io_message_and_the_store_is_unchanged(fresh_store, sample_county):
    before = snapshot(fresh_store)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", IO_RUN, str(sample_county / "roster.csv"), str(fresh_store)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    assert lines, done.stdout[-2000:] + done.stderr[-2000:]
    out = json.loads(lines[-1][len("RESULT "):])
    assert out["error"] == expected("io", fresh_store), out
    assert not any("Traceback" in r or "sqlite3" in r for r in out["reported"]), out["reported"]
    assert snapshot(fresh_store) == before and integrity(fresh_store) == "ok"


# ---------------------------------------------------------------------------------------------------- (d) dock
class LockedAfter(GpkgCaseSource):
    """The desk's store, which another program starts writing to (holds locked) after ``n`` moves of a batch."""

    def __init__(self, path: str, n: int):
        super().__init__(path)
        self.n, self.moves, self.holder = n, 0, None

    def take_action(self, *args, **kwargs) -> dict:
        moved = super().take_action(*args, **kwargs)
        self.moves += 1
        if self.moves == self.n:
            self.holder = Holder(Path(self.path))
        return moved


def _reported_cases(path: Path, n: int) -> list[str]:
    ids = [c["case_id"] for c in _stored(path)[:n]]
    for cid in ids:
        _move(path, cid, *TO_REPORTED)
    return ids


def _consistent(path: Path) -> None:
    """Every case's state is the state its events lead to."""
    from linxia_tianguan_plugin.storage.cases import rebuilt_state

    store = GpkgStore(path, create=False, read_only=True)
    try:
        for case in _stored(path):
            assert rebuilt_state(store, case["case_id"]) == case["state"], case["case_id"]
    finally:
        store.close()


def test_a_batch_stopped_by_a_lock_says_which_cases_were_moved_and_which_not(fast_faults, dock, store_path):  # noqa: F811
    ids = _reported_cases(store_path, 5)
    events_before = {cid: len(_events(store_path, cid)) for cid in ids}
    source = LockedAfter(str(store_path), 2)
    d = dock(store_path, source=source)
    said: list[str] = []
    shown = d._say
    d._say = lambda text, **kw: (said.append(text), shown(text, **kw))
    assert d.select_cases(ids) == 5
    order = d.selected_ids()
    try:
        results = d.take("approve")
    finally:
        if source.holder is not None:
            source.holder.release()
    assert [ok for _, ok, _ in results] == [True, True, False, False, False]
    assert [cid for cid, _, _ in results] == order
    moved, unmoved = order[:2], order[2:]
    labels = {cid: f"{d.by_id[cid]['priority']}" for cid in order}
    text = d.last_message
    locked = expected("locked", store_path)
    assert locked in text and results[2][2] == locked
    head, moved_line, unmoved_line = text.split("\n")[:3]
    assert "stopped" in head and all(labels[c] in moved_line for c in moved) and "(2" in moved_line
    assert all(labels[c] in unmoved_line for c in unmoved) and "(3" in unmoved_line
    assert sum("trying again" in s for s in said) == 1  # the dock said it waited, before giving up (2 tries)
    states = {c["case_id"]: c["state"] for c in _stored(store_path)}
    assert [states[c] for c in moved] == ["approved"] * 2 and [states[c] for c in unmoved] == ["reported"] * 3
    assert {cid: len(_events(store_path, cid)) - events_before[cid] for cid in order} == {
        **dict.fromkeys(moved, 1), **dict.fromkeys(unmoved, 0)}
    assert _events(store_path, moved[0])[-1]["to_state"] == "approved"
    _consistent(store_path)
    # the dock shows the fresh states: the two approved, the others still to approve
    assert d.counts()["approved"] == 2 and d.counts()["reported"] == 3
    from linxia_tianguan_plugin.ui.case_review import COLUMNS

    assert workflow.STATE_NAMES["approved"] in d.table.item(d._row_of(moved[0]), COLUMNS.index("state")).text()


def test_a_batch_goes_through_when_the_lock_passes_while_it_waits(fast_faults, dock, store_path):  # noqa: F811
    ids = _reported_cases(store_path, 4)
    source = LockedAfter(str(store_path), 1)
    d = dock(store_path, source=source)
    shown = d._say

    def say(text, **kw):
        shown(text, **kw)
        if "trying again" in text and source.holder is not None:
            source.holder.release()

    d._say = say
    d.select_cases(ids)
    results = d.take("approve")
    assert source.holder is not None and source.holder.released_at is not None
    assert all(ok for _, ok, _ in results) and len(results) == 4
    assert {c["state"] for c in _stored(store_path) if c["case_id"] in ids} == {"approved"}
    assert "4 of 4" in d.last_message and "stopped" not in d.last_message
    _consistent(store_path)
