"""Faults of the 田管库 file as typed errors: another writer holds it, the disk is full, the disk fails, a
parallel writer took the same key, the file is damaged. SQLite says all of these with one exception class
and an English sentence; the callers need to know which it was (a lock passes — retry; a full disk does
not) and the user needs to be told in Chinese (``store_messages`` words them), never a traceback.
"""
from __future__ import annotations

import contextlib
import contextvars
import sqlite3
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from .store import StoreError

T = TypeVar("T")

#: how often a write that finds the store locked is tried (each try waits ``gpkg.BUSY_TIMEOUT_S`` itself), and the
#: first pause between tries (doubled each time): read at each call, so that tests can shorten them
LOCK_ATTEMPTS = 4
LOCK_FIRST_DELAY_S = 1.0

#: who is told that a locked write waits to be tried again (a Processing feedback, the case dock's message line):
#: set for a stretch of work by :func:`lock_waits_reported_to`, called as ``on_retry`` by :func:`begin_immediate`
_lock_waits: contextvars.ContextVar[tuple[Callable[[StoreFaultError, int, float], None] | None, int | None]] = \
    contextvars.ContextVar("tianguan_lock_waits", default=(None, None))

#: kinds, in the order they are recognised: (kind, transient, phrases of SQLite's message)
_KINDS: tuple[tuple[str, bool, tuple[str, ...]], ...] = (
    ("locked", True, ("database is locked", "database table is locked", "database schema is locked")),
    ("full", False, ("database or disk is full", "disk is full", "no space left")),
    ("io", False, ("disk i/o error", "i/o error")),
    ("readonly", False, ("attempt to write a readonly database", "readonly database")),
    ("corrupt", False, ("database disk image is malformed", "file is not a database", "file is encrypted")),
    ("cantopen", False, ("unable to open database file",)),
)


class StoreFaultError(StoreError):
    """A fault of the store file (not of the data): ``kind`` is one of locked, full, io, readonly, corrupt,
    cantopen, conflict; ``transient`` faults (a lock) may pass when tried again."""

    def __init__(self, kind: str, path: str, detail: str, transient: bool = False):
        super().__init__(f"{kind}: {path}: {detail}")
        self.kind = kind
        self.path = path
        self.detail = detail
        self.transient = transient


def classify(err: BaseException, path: str) -> StoreFaultError | None:
    """The fault ``err`` (an sqlite3 error) stands for, or None when it is not a fault of the file (a bug, a
    constraint of the data the caller must handle itself). A UNIQUE violation is ``conflict``: two writers
    (two imports of one folder, say) took the same key — the other one's row is there. The errors ``err`` was
    raised from or while handling are looked at too: after SQLite rolled a transaction back by itself (a full
    disk) the caller's own clean-up may fail with something else, and the full disk is that failure's context."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        fault = _classify_one(current, path)
        if fault is not None:
            return fault
        current = current.__cause__ or current.__context__
    return None


def _classify_one(err: BaseException, path: str) -> StoreFaultError | None:
    if isinstance(err, StoreFaultError):
        return err
    if not isinstance(err, sqlite3.Error):
        return None
    text = str(err).strip()
    low = text.lower()
    if isinstance(err, sqlite3.IntegrityError):
        if "unique constraint failed" in low or "primary key" in low:
            return StoreFaultError("conflict", path, text, transient=False)
        return None
    for kind, transient, phrases in _KINDS:
        if any(p in low for p in phrases):
            if kind == "io" and _no_room_beside(path):
                kind = "full"
            return StoreFaultError(kind, path, text, transient)
    return None


#: free bytes below which an I/O error on the store's disk is taken for a full disk
NO_ROOM_BYTES = 64 * 1024


def _no_room_beside(path: str) -> bool:
    """Whether the disk holding ``path`` is full. SQLite says "disk I/O error" (SQLITE_IOERR_SHMSIZE), not "disk
    is full", when a full disk leaves no room for the store's -shm file as it opens: "check the disk" would send
    the user after the wrong problem."""
    if not path:
        return False
    try:
        import shutil
        from pathlib import Path

        return shutil.disk_usage(Path(path).parent).free < NO_ROOM_BYTES
    except OSError:
        return False


@contextlib.contextmanager
def translated(path: str) -> Iterator[None]:
    """Raise a :class:`StoreFaultError` in place of an sqlite3 error that is a fault of the file at ``path``."""
    try:
        yield
    except sqlite3.Error as err:
        fault = classify(err, path)
        if fault is None:
            raise
        raise fault from err


def retrying(work: Callable[[], T], path: str, attempts: int | None = None, first_delay: float | None = None,
             sleep: Callable[[float], None] = time.sleep,
             on_retry: Callable[[StoreFaultError, int, float], None] | None = None) -> T:
    """``work()``, tried again after a transient fault (a lock another writer holds longer than the
    connection's own 30 s wait) with a doubling delay; any other fault, or the last attempt's, is raised as a
    :class:`StoreFaultError`. ``work`` must be all-or-nothing (one transaction), so that trying it again is safe.
    ``on_retry(fault, attempt, delay)`` lets the caller say what it waits for; ``attempts`` and ``first_delay``
    default to :data:`LOCK_ATTEMPTS` and :data:`LOCK_FIRST_DELAY_S`."""
    attempts = LOCK_ATTEMPTS if attempts is None else max(1, int(attempts))
    delay = LOCK_FIRST_DELAY_S if first_delay is None else first_delay
    for attempt in range(1, attempts + 1):
        try:
            with translated(path):
                return work()
        except StoreFaultError as fault:
            if not fault.transient or attempt == attempts:
                raise
            if on_retry is not None:
                on_retry(fault, attempt, delay)
            sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover


@contextlib.contextmanager
def lock_waits_reported_to(report: Callable[[StoreFaultError, int, float], None] | None,
                           attempts: int | None = None) -> Iterator[None]:
    """Within the block, every locked write of this thread that waits to be tried again calls ``report(fault,
    attempt, delay)`` first: a run or a dock says why it seems to hang (each try waits up to the busy timeout).
    ``attempts``: tries of each write here (default :data:`LOCK_ATTEMPTS`) — the case dock, which waits on the
    main thread, gives up sooner than a Processing run. A context variable, so that the storage functions need
    no feedback argument."""
    token = _lock_waits.set((report, attempts))
    try:
        yield
    finally:
        _lock_waits.reset(token)


def begin_immediate(conn: sqlite3.Connection, path: str) -> None:
    """``BEGIN IMMEDIATE`` on ``conn`` (the 田管库 at ``path``), tried again with a doubling pause while another
    writer holds the store (:func:`retrying`); a lock that outlasts every try, or any other fault, is raised as a
    :class:`StoreFaultError`.

    Why here, at the start of each write transaction: it is where SQLite waits for another writer (a store in WAL
    mode lets readers through, and a transaction begun IMMEDIATE holds the write lock until it ends), and nothing
    has been written yet, so trying again is always safe — every write of the plugin gets the retry, whatever
    algorithm or dock it runs for."""
    reporter, attempts = _lock_waits.get()

    def report(fault: StoreFaultError, attempt: int, delay: float) -> None:
        if reporter is not None:
            reporter(fault, attempt, delay)

    retrying(lambda: conn.execute("BEGIN IMMEDIATE"), path, attempts=attempts, on_retry=report)


def rollback_quietly(conn: sqlite3.Connection) -> None:
    """ROLLBACK when a transaction is still open. SQLite rolls a transaction back by itself on a full disk or an
    I/O error; a second ROLLBACK would then raise "cannot rollback - no transaction is active" and hide the
    fault the user must hear about."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
