"""The session's throwaway PostgreSQL + PostGIS (see ``tools/pg_cluster.py``). Use in a test module::

    from tests.pg_cluster import pg  # noqa: F401
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tools.pg_cluster import ClusterError, running_cluster


@pytest.fixture(scope="session")
def pg() -> Iterator[dict]:
    """libpq keywords (host = socket directory, port, user ``postgres`` superuser, dbname) of a fresh
    PostGIS database on a throwaway server; fails (not skips) when PostgreSQL/PostGIS are missing."""
    ctx = running_cluster()
    problem = None
    try:
        params = ctx.__enter__()
    except ClusterError as exc:
        problem = str(exc)
    if problem is not None:
        pytest.fail(f"cannot start a throwaway PostgreSQL for the tests: {problem}", pytrace=False)
    try:
        yield params
    finally:
        ctx.__exit__(None, None, None)
