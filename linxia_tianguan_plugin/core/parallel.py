"""Worker processes for GEOS-heavy work, started the same way in QGIS desktop, qgis_process and tests.

shapely holds the GIL while GEOS computes, so using the second core of a desk laptop takes a second
process. Inside QGIS ``sys.executable`` is the QGIS binary (qgis-bin.exe on Windows), and forking a
Qt application is unsafe, so workers are *spawned* from the Python interpreter that QGIS embeds. The
workers import only ``core`` (numpy, shapely, pyproj): never QGIS.
"""
from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import shutil
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


class Cancelled(Exception):  # noqa: N818 (reads better at the call site)
    """The analyst pressed cancel; the caller has written nothing yet."""


def python_executable() -> str | None:
    """The Python interpreter behind this process, or None when it cannot be found.

    The interpreter of ``sys.exec_prefix`` comes first: inside the QGIS desktop ``sys.executable`` is
    whatever ``python3`` the PATH finds first (a pyenv or conda one, say, without numpy or shapely), and
    workers started with it die at their first import. Outside QGIS (a venv, qgis_process's Python) the
    prefix's interpreter is ``sys.executable`` anyway."""
    prefix = Path(sys.exec_prefix)
    candidates = ([prefix / "pythonw.exe", prefix / "python.exe", prefix / "bin" / "python3"]
                  if os.name == "nt" else [prefix / "bin" / "python3", prefix / "bin" / "python"])
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    exe = Path(sys.executable or "")
    if exe.name.lower().startswith("python") and exe.exists():
        return str(exe)
    return shutil.which("python3")


@contextlib.contextmanager
def process_pool(workers: int):
    """A spawn-based pool of ``workers`` processes, or None (the caller then works in-process).

    While the pool lives, ``__main__`` does not advertise its file: a spawned child would otherwise
    re-run the script that started QGIS (a standalone script without a ``__main__`` guard would
    start QGIS again in every worker). Workers only ever run functions of ``core``.
    """
    exe = python_executable()
    if exe is None or workers < 2:
        yield None
        return
    main = sys.modules.get("__main__")
    hidden = {name: main.__dict__.pop(name) for name in ("__file__",) if main is not None and name in main.__dict__}
    spec = getattr(main, "__spec__", None)
    if main is not None and spec is not None:
        main.__spec__ = None
    pool = None
    try:
        context = multiprocessing.get_context("spawn")
        if Path(sys.executable or "") != Path(exe):
            context.set_executable(exe)
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=start_worker,
                                   initargs=(os.getpid(), context.Lock()))
        _widen_pipes(pool)
    except (OSError, ValueError, RuntimeError):
        pool = None
    try:
        yield pool
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if main is not None:
            main.__dict__.update(hidden)
            if spec is not None:
                main.__spec__ = spec


#: the lock the workers of one pool share (see :func:`exclusive`); None outside a worker
_pool_lock = None


def start_worker(parent: int, lock=None) -> None:
    """Worker initializer: end with the parent (:func:`watch_parent`), yield the CPU to it, and keep the pool's
    shared ``lock`` for :func:`exclusive`.

    Workers run below the parent's priority: the parent's share is small but on the critical path (it reads the
    inputs while the workers start, then feeds them their work), and QGIS's window stays responsive on a busy
    2-core desk; the workers still have every core the parent does not use."""
    global _pool_lock
    _pool_lock = lock
    lower_priority()
    watch_parent(parent)


def lower_priority() -> None:
    """This process's scheduling priority lowered a step (nice +10; on Windows, below normal); best effort."""
    try:
        if os.name == "nt":
            import ctypes

            kernel = ctypes.windll.kernel32
            kernel.SetPriorityClass(kernel.GetCurrentProcess(), 0x4000)  # BELOW_NORMAL_PRIORITY_CLASS
        else:
            os.nice(10)
    except (OSError, AttributeError):
        pass


@contextlib.contextmanager
def exclusive():
    """Hold the lock the pool's workers share while the block runs (nothing outside a worker).

    For writes that the workers take turns at, such as SQLite's write lock on one file: SQLite's own busy handler
    polls with growing sleeps (up to 100 ms past the release), where a waiter on this lock wakes at once."""
    if _pool_lock is None:
        yield
        return
    with _pool_lock:
        yield


def _widen_pipes(pool) -> None:
    """Give the pool's task and result pipes 1 MB buffers (Linux; elsewhere nothing changes).

    A township's task is ten or more megabytes: through a pipe of the default 64 kB, the worker waits on the parent
    for every 64 kB (hundreds of hand-overs per task, while the worker has nothing else to do)."""
    try:
        import fcntl
    except ImportError:  # (Windows)
        return

    for queue in (getattr(pool, "_call_queue", None), getattr(pool, "_result_queue", None)):
        reader = getattr(queue, "_reader", None)
        try:
            fcntl.fcntl(reader.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
        except (AttributeError, OSError, ValueError):
            pass


def watch_parent(parent: int, interval: float = 1.0) -> None:
    """End this worker when the process that started it is gone.

    A desk's QGIS killed (or crashed) mid-run would otherwise leave its workers coding for minutes, holding memory
    and the store's staging files. A daemon thread compares the parent's pid once a second."""
    import threading
    import time

    def watch() -> None:
        while True:
            time.sleep(interval)
            if not _alive(parent):
                os._exit(3)

    threading.Thread(target=watch, name="tianguan-parent-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    if os.name != "nt":
        return os.getppid() == pid  # re-parented (to init or a subreaper) once the parent died
    import ctypes  # Windows: no re-parenting; ask whether the process still runs

    kernel = ctypes.windll.kernel32
    handle = kernel.OpenProcess(0x1000 | 0x00100000, False, pid)  # QUERY_LIMITED_INFORMATION | SYNCHRONIZE
    if not handle:
        return False
    try:
        return kernel.WaitForSingleObject(handle, 0) == 0x102  # WAIT_TIMEOUT: still running
    finally:
        kernel.CloseHandle(handle)


def preload(*modules: str) -> None:
    """Worker task: import ``modules`` (numpy, shapely, the kernels) ahead of the first real task."""
    for name in modules:
        importlib.import_module(name)


def warm(pool, workers: int, *modules: str) -> None:
    """Start ``workers`` processes of ``pool`` now and have them import ``modules``, so that spawning and
    importing (half a second per process) run while the caller still reads its inputs."""
    if pool is not None:
        for _ in range(workers):
            pool.submit(preload, *modules)


def cpu_count() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def ordered_map(pool, fn: Callable, items: Iterable, window: int,
                cancelled: Callable[[], bool] | None = None) -> Iterator:
    """``fn(item)`` for every item, in order, with at most ``window`` items in flight on ``pool``.

    Items are drawn lazily, so building a task costs memory only while it is in flight. Without a
    pool everything runs here, one item at a time. A true ``cancelled()`` drops what is in flight
    and raises :class:`Cancelled`.
    """
    items = iter(items)
    pending: deque = deque()

    def submit() -> None:
        item = next(items, None)
        if item is not None:
            pending.append(item if pool is None else pool.submit(fn, item))

    for _ in range(window if pool is not None else 1):
        submit()
    while pending:
        if cancelled and cancelled():
            if pool is not None:
                for future in pending:
                    future.cancel()
            raise Cancelled()
        item = pending.popleft()
        result = fn(item) if pool is None else item.result()
        submit()
        yield result
