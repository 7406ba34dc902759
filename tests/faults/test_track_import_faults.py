"""Faults of the 田管库 during a folder import of tracks (issue 15): another program holding the store's write
lock (for a few seconds, or for longer than the import waits), a full disk, a second import of the same folder
running at the same time.

Real GPX files of the sample county, a real 田管库 on real SQLite, QGIS Processing. The lock is held by another
process (``BEGIN IMMEDIATE``); the full disk is SQLite's own "database or disk is full", by a page limit on the
store's connection (``PRAGMA max_page_count``) set between two files; the parallel imports are two Python
processes running the algorithm on one folder at the same moment. The import's waits are made short here
through the store's settings (``storage.gpkg.BUSY_TIMEOUT_S``, ``storage.faults.LOCK_ATTEMPTS`` and
``LOCK_FIRST_DELAY_S``), so that a test takes seconds, not the minutes a desk would wait.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from qgis.core import QgsProcessingException

from tests.helpers import recording_feedback, run
from tests.test_tracks_import import count, manifest_files  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
ALG = "linxia_tianguan:import_tracks"

#: holds the store's write lock for argv[2] seconds (says "locked" once it has it)
HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=5, isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
conn.close()
print("released", flush=True)
"""

#: runs import_tracks on argv[2] into argv[1] in its own QGIS once the file argv[3] exists; prints the outcome
IMPORT_RUN = """
import json, os, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from tools.headless import start_qgis
app, provider = start_qgis()
import processing
from qgis.core import QgsProcessingContext, QgsProcessingFeedback


class Feedback(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.lines = []

    def reportError(self, error, fatalError=False):
        self.lines.append("ERROR " + error)

    def pushInfo(self, info):
        self.lines.append(info)


print("ready", flush=True)
go = Path(sys.argv[3])
while not go.exists():
    time.sleep(0.005)
feedback = Feedback()
result = processing.run("linxia_tianguan:import_tracks", {{"FOLDER": sys.argv[2], "STORE": sys.argv[1]}},
                        context=QgsProcessingContext(), feedback=feedback)
print(json.dumps({{"result": {{k: v for k, v in result.items()}}, "lines": feedback.lines}}), flush=True)
"""


def _folder(county: Path, manifest: dict, dst: Path, n: int) -> list[Path]:
    dst.mkdir()
    out = []
    for rel in sorted(manifest)[:n]:
        out.append(dst / Path(rel).name)
        shutil.copy(county / rel, out[-1])
    return out


def _store(path: Path) -> Path:
    from linxia_tianguan_plugin.storage import GpkgStore

    GpkgStore(path, epsg=4522).close()
    return path


def _stored_paths(store: Path) -> list[str]:
    conn = sqlite3.connect(store)
    try:
        return sorted(Path(r[0]).name for r in conn.execute("SELECT path FROM tg_track_file"))
    finally:
        conn.close()


@pytest.fixture()
def quick(monkeypatch):
    """Short waits: each try of a write waits 0.2 s for the lock (the store connection's busy timeout), then 0.2,
    0.4, 0.8 … s before the next (the store's retry of a transaction's BEGIN, :mod:`storage.faults`)."""
    from linxia_tianguan_plugin.processing.patrol import import_tracks
    from linxia_tianguan_plugin.storage import faults, gpkg

    monkeypatch.setattr(gpkg, "BUSY_TIMEOUT_S", 0.2)
    monkeypatch.setattr(faults, "LOCK_ATTEMPTS", 8)
    monkeypatch.setattr(faults, "LOCK_FIRST_DELAY_S", 0.2)
    return import_tracks


def _hold_lock(store: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(store), str(seconds)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked", proc.stderr.read()
    return proc


def test_a_lock_held_for_a_few_seconds_is_waited_for(processing_registry, county, manifest_files,  # noqa: F811
                                                     tmp_path, quick):
    files = _folder(county, manifest_files, tmp_path / "uploads", 3)
    store = _store(tmp_path / "tg.gpkg")
    holder = _hold_lock(store, 3.0)
    try:
        started = time.monotonic()
        feedback = recording_feedback()
        result = run(ALG, {"FOLDER": str(tmp_path / "uploads"), "STORE": str(store)}, feedback=feedback)
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=30)
    assert holder.returncode == 0
    assert result["FILES"] == 3 and result["FAILED"] == 0 and result["SKIPPED"] == 0
    assert _stored_paths(store) == sorted(p.name for p in files)
    # the log says why the run seems to hang: the store is locked, it waits and tries again
    waits = [line for line in feedback.infos + feedback.warnings if "locked by another program" in line]
    assert waits and all("trying again" in line for line in waits)
    assert 2.0 < waited < 20.0
    assert not feedback.errors


def test_a_lock_that_outlasts_every_try_stops_the_import_with_a_summary(processing_registry, county,
                                                                        manifest_files, tmp_path, quick,  # noqa: F811
                                                                        monkeypatch):
    from linxia_tianguan_plugin.storage import faults

    monkeypatch.setattr(faults, "LOCK_ATTEMPTS", 2)
    files = _folder(county, manifest_files, tmp_path / "uploads", 3)
    store = _store(tmp_path / "tg.gpkg")
    holder = _hold_lock(store, 60.0)
    feedback = recording_feedback()
    try:
        with pytest.raises(QgsProcessingException) as raised:
            run(ALG, {"FOLDER": str(tmp_path / "uploads"), "STORE": str(store)}, feedback=feedback)
    finally:
        holder.kill()
        holder.wait(timeout=30)
    message = str(raised.value)
    assert "locked" in message and "Not imported (3)" in message and "Imported (0)" in message
    assert all(p.name in message for p in files)
    assert "Traceback" not in message
    assert any("0 files imported" in line for line in feedback.infos)  # reported before the exception
    assert count(store, "tg_track_file") == 0


def test_a_full_disk_stops_the_import_after_what_was_written(processing_registry, county, manifest_files,  # noqa: F811
                                                             tmp_path, monkeypatch):
    """SQLite's own "database or disk is full" while writing the second file: the first stays imported, the
    second is not half written, the rest is not tried (writing on to a full disk), and the user is told which
    files are in the store and which are not — before the run fails, without a traceback."""
    from linxia_tianguan_plugin.storage import tracks as track_store

    files = _folder(county, manifest_files, tmp_path / "uploads", 4)
    store = _store(tmp_path / "tg.gpkg")
    real = track_store.save_file
    calls = []

    def full_after_first(s, *args, **kwargs):
        calls.append(Path(args[1]).name)
        if len(calls) == 2:  # the disk fills up: no page can be added to the store any more
            pages = s.conn.execute("PRAGMA page_count").fetchone()[0]
            s.conn.execute(f"PRAGMA max_page_count = {pages}")
        return real(s, *args, **kwargs)

    monkeypatch.setattr(track_store, "save_file", full_after_first)
    feedback = recording_feedback()
    with pytest.raises(QgsProcessingException) as raised:
        run(ALG, {"FOLDER": str(tmp_path / "uploads"), "STORE": str(store)}, feedback=feedback)
    message = str(raised.value)
    assert calls == [files[0].name, files[1].name]  # nothing more was written to the full disk
    assert "full" in message and "Imported (1): " + files[0].name in message and "Not imported (3)" in message
    assert all(p.name in message for p in files[1:])
    assert any(files[1].name in e and "full" in e for e in feedback.errors)
    assert any("1 files imported" in line for line in feedback.infos)
    assert _stored_paths(store) == [files[0].name]
    conn = sqlite3.connect(store)
    try:  # the second file left nothing behind
        assert conn.execute("SELECT count(DISTINCT file_hash) FROM tg_track_fix").fetchone()[0] == 1
        assert conn.execute("SELECT count(DISTINCT file_hash) FROM tg_track").fetchone()[0] == 1
    finally:
        conn.close()
    # once there is space again, importing the folder again adds the rest
    monkeypatch.setattr(track_store, "save_file", real)
    again = run(ALG, {"FOLDER": str(tmp_path / "uploads"), "STORE": str(store)})
    assert again["FILES"] == 3 and again["SKIPPED"] == 1
    assert _stored_paths(store) == sorted(p.name for p in files)


def test_a_file_another_run_wrote_first_is_skipped_and_the_folder_continues(processing_registry, county,
                                                                             manifest_files, tmp_path,  # noqa: F811
                                                                             monkeypatch):
    """Between this run's check (not imported yet) and its write, another run commits the same file: the write
    meets the UNIQUE key of the file's hash; the file is "already imported by another run", the rest imports."""
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage import tracks as track_store

    files = _folder(county, manifest_files, tmp_path / "uploads", 3)
    store = _store(tmp_path / "tg.gpkg")
    real = track_store.save_file
    calls = []

    def other_run_first(s, *args, **kwargs):
        calls.append(Path(args[1]).name)
        if len(calls) == 2:
            other = GpkgStore(store, create=False)  # the other run's own connection
            try:
                real(other, *args, **kwargs)
            finally:
                other.close()
        return real(s, *args, **kwargs)

    monkeypatch.setattr(track_store, "save_file", other_run_first)
    feedback = recording_feedback()
    result = run(ALG, {"FOLDER": str(tmp_path / "uploads"), "STORE": str(store)}, feedback=feedback)
    assert calls == [p.name for p in files]
    assert result["FILES"] == 2 and result["SKIPPED"] == 1 and not feedback.errors
    assert any(files[1].name in line and "another run" in line for line in feedback.infos)
    assert _stored_paths(store) == sorted(p.name for p in files)
    conn = sqlite3.connect(store)
    try:
        assert conn.execute("SELECT count(*) FROM tg_track_fix").fetchone()[0] == \
            conn.execute("SELECT sum(fixes) FROM tg_track_file").fetchone()[0]
    finally:
        conn.close()


def test_two_imports_of_one_folder_at_the_same_time(processing_registry, county, manifest_files,  # noqa: F811
                                                    tmp_path):
    """Two desks (two processes, each its own QGIS) import the same folder into one store at the same moment:
    both finish without a traceback, and every file is in the store once."""
    files = _folder(county, manifest_files, tmp_path / "uploads", 40)
    store = _store(tmp_path / "tg.gpkg")
    go = tmp_path / "go"
    script = IMPORT_RUN.format(root=str(ROOT))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(store), str(tmp_path / "uploads"), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
        go.touch()
        outs = [p.communicate(timeout=300) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err[-3000:]
        assert "Traceback" not in out + err, err[-3000:]
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]
    for r in results:
        assert r["result"]["FAILED"] == 0
        assert r["result"]["FILES"] + r["result"]["SKIPPED"] == len(files)
        assert not [line for line in r["lines"] if line.startswith("ERROR")]
    assert sum(r["result"]["FILES"] for r in results) == len(files)
    assert _stored_paths(store) == sorted(p.name for p in files)
    conn = sqlite3.connect(store)
    try:
        assert conn.execute("SELECT count(*), count(DISTINCT file_hash) FROM tg_track_file").fetchone() == \
            (len(files), len(files))
        assert conn.execute("SELECT count(*) FROM tg_track_fix").fetchone()[0] == \
            conn.execute("SELECT sum(fixes) FROM tg_track_file").fetchone()[0]
        assert conn.execute("SELECT count(*), count(DISTINCT track_id) FROM tg_track").fetchone()[0] == \
            conn.execute("SELECT sum(tracks) FROM tg_track_file").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture()
def tiny_disk(tmp_path):
    """A 16 MB tmpfs of its own (the tests run as root in a private mount namespace); skipped where it cannot be
    mounted."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: " + mounted.stderr.decode(errors="replace"))
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_a_really_full_disk_stops_the_import_and_the_store_stays_sound(processing_registry, county,
                                                                      manifest_files, tmp_path, tiny_disk):  # noqa: F811
    """The store on a small disk that fills up while the folder imports (ENOSPC from the file system itself): the
    import stops with the summary, what was written is whole, and once space is freed the rest imports."""
    files = _folder(county, manifest_files, tmp_path / "uploads", 12)
    store = _store(tiny_disk / "tg.gpkg")
    # QGIS showing the store keeps its -wal and -shm files open (and their pages allocated)
    viewer = sqlite3.connect(store)
    viewer.execute("SELECT count(*) FROM tg_track_file").fetchone()
    filler = tiny_disk / "filler.bin"
    with open(filler, "wb") as fh:  # everything but about 150 KB: a few files fit, the rest does not
        fh.write(b"\0" * max(0, shutil.disk_usage(tiny_disk).free - 150_000))
    feedback = recording_feedback()
    try:
        with pytest.raises(QgsProcessingException) as raised:
            run(ALG, {"FOLDER": str(tmp_path / "uploads"), "STORE": str(store)}, feedback=feedback)
    finally:
        filler.unlink()
    message = str(raised.value)
    assert "full" in message or "I/O error" in message, message
    assert "Traceback" not in message
    done = _stored_paths(store)
    assert len(done) < len(files)
    assert f"Imported ({len(done)})" in message and f"Not imported ({len(files) - len(done)})" in message
    assert all(p.name in message for p in files)
    assert any("files imported" in line for line in feedback.infos)
    conn = sqlite3.connect(store)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM tg_track_fix").fetchone()[0] == \
            (conn.execute("SELECT sum(fixes) FROM tg_track_file").fetchone()[0] or 0)
    finally:
        conn.close()
    again = run(ALG, {"FOLDER": str(tmp_path / "uploads"), "STORE": str(store)})
    viewer.close()
    assert again["FILES"] == len(files) - len(done) and again["SKIPPED"] == len(done)
    assert _stored_paths(store) == sorted(p.name for p in files)
