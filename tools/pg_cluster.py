"""A throwaway PostgreSQL + PostGIS server for the test session (real database, no mocks).

``initdb`` makes a cluster in a fresh directory under the system temp dir (as the ``postgres`` user
when the tests run as root, since PostgreSQL refuses to run as root; as the current user otherwise),
``pg_ctl`` starts it listening on a Unix socket in that directory only (no TCP port, so nothing can
collide with another server or test run), with trust authentication and durability switched off
for speed. A database ``tianguan_test`` with PostGIS is created and its libpq keywords are yielded;
at the end the server is stopped (immediate) and the directory removed. Nothing is registered with
Debian's ``pg_lsclusters``, so a crashed run leaves at most a temp directory.

Binaries are looked up in ``$TIANGUAN_PG_BINDIR``, then ``/usr/lib/postgresql/*/bin`` (newest first: 17 on
Debian 13) and ``PATH``. When they or PostGIS are missing the fixture FAILS
(never skips) and says what to install. Used by the tests (``tests/pg_cluster.py``) and by the demo,
which exports its cases to a throwaway PostGIS the same way::

    with running_cluster() as params:  # libpq keywords
        ...
"""
from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

DBNAME = "tianguan_test"
SUPERUSER = "postgres"
PORT = 5432  # only names the socket file inside the private directory
INSTALL_HINT = ("install the Debian packages postgresql-17 and postgresql-17-postgis-3 (tools/setup_env.sh), "
                "or point TIANGUAN_PG_BINDIR at a directory holding initdb, pg_ctl and postgres")


class ClusterError(RuntimeError):
    pass


def find_bindir() -> Path:
    """Directory with ``initdb``, ``pg_ctl`` and ``postgres`` (the newest installed PostgreSQL)."""
    candidates = []
    if os.environ.get("TIANGUAN_PG_BINDIR"):
        candidates.append(os.environ["TIANGUAN_PG_BINDIR"])
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).resolve().parent))
    for cand in candidates:
        path = Path(cand)
        if all((path / exe).is_file() and os.access(path / exe, os.X_OK) for exe in ("initdb", "pg_ctl", "postgres")):
            return path
    raise ClusterError(f"PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in {candidates}; "
                       f"{INSTALL_HINT}")


def _as_server_user() -> tuple[list[str], str | None]:
    """Command prefix running a program as the user that may own the cluster, and that user's name."""
    if os.geteuid() != 0:
        return [], None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise ClusterError("running as root, but there is no 'postgres' system user to run the server "
                           f"(PostgreSQL refuses to run as root); {INSTALL_HINT}") from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ClusterError("running as root, but 'runuser' (util-linux) is missing to start the server as postgres")
    return [runuser, "-u", "postgres", "--"], "postgres"


def _run(cmd: list[str], what: str, log: Path | None = None) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        tail = ""
        if log is not None and log.exists():
            tail = "\nserver log:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise ClusterError(f"{what} failed (exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
                           f"{tail}")


class Cluster:
    """One running throwaway server; :meth:`stop` is idempotent."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.prefix, owner = _as_server_user()
        self.root = Path(tempfile.mkdtemp(prefix="tianguan-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.running = False
        if owner is not None:
            entry = pwd.getpwnam(owner)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        os.chmod(self.root, 0o700)

    def start(self) -> dict:
        _run([*self.prefix, str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
              "--no-sync", "--encoding=UTF8", "--no-locale"], "initdb")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"\nlisten_addresses = ''\nunix_socket_directories = '{self.root}'\nport = {PORT}\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 40\n"
                       "shared_buffers = 32MB\n")
        _run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
              "start"], "starting PostgreSQL", self.log)
        self.running = True
        return {"host": str(self.root), "port": PORT, "user": SUPERUSER, "dbname": "postgres"}

    def stop(self) -> None:
        if self.running:
            self.running = False
            with contextlib.suppress(Exception):
                subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                                "-w", "stop"], capture_output=True, timeout=60, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def create_database(params: dict, dbname: str = DBNAME) -> dict:
    """Create ``dbname`` with PostGIS; libpq keywords to reach it as the superuser."""
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(**params)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    finally:
        conn.close()
    out = dict(params, dbname=dbname)
    conn = psycopg2.connect(**out)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            try:
                cur.execute("CREATE EXTENSION postgis")
            except psycopg2.Error as exc:
                raise ClusterError(f"CREATE EXTENSION postgis failed ({str(exc).strip()}); {INSTALL_HINT}") from None
    finally:
        conn.close()
    return out


@contextlib.contextmanager
def running_cluster() -> Iterator[dict]:
    cluster = Cluster()
    atexit.register(cluster.stop)  # in case the session is interrupted before the fixture's teardown
    try:
        params = cluster.start()
        yield create_database(params)
    finally:
        cluster.stop()
