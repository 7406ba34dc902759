"""The set-up the prefecture-store tests share (issue 17): roles on the session's throwaway PostgreSQL, a freshly
migrated shared schema with the roles' scopes, a desk's publish as one role, a desk GeoPackage written and counted
as the plugin does, and saved QGIS PostgreSQL connections with their authcfgs.

Plain functions, not fixtures: each test module keeps its own fixtures (module-scoped or not) and its own role
names — the modules share one PostgreSQL cluster per session, so every module prefixes its roles (pf_, pl_, ps_,
pr_, pd_, pp_) and its schemas, and none can see another's grants."""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator

import psycopg2
from psycopg2 import sql

from linxia_tianguan_plugin.storage import GpkgStore, gpkg, pg_schema
from linxia_tianguan_plugin.storage.postgis import PgStore
from linxia_tianguan_plugin.storage.publish import PublishReport, publish

#: the two sample counties (临夏县, 康乐县), a township of the first and the prefecture (州) scope over both
COUNTY_A, COUNTY_B = "622921", "622922"
TOWNSHIP_A = "622921100"
PREFECTURE = "6229"
#: the master password of the test profile's QGIS authentication database
MASTER_PASSWORD = "tianguan-test-master"


# ------------------------------------------------------------------------------------ PostgreSQL
def connect(params: dict, user: str | None = None, autocommit: bool = True):
    """A psycopg2 connection as ``user`` (the cluster's superuser when None); autocommit unless told otherwise, so
    a refused statement leaves no aborted transaction behind for the next one."""
    conn = psycopg2.connect(**dict(params, user=user or params["user"]))
    conn.autocommit = autocommit
    return conn


def make_roles(pg: dict, admin: str, logins: Iterable[str], grant_option: bool = True) -> dict:
    """Create, unless there already, the non-superuser administrator ``admin`` (CREATEROLE, CREATE on the database:
    it makes each schema's NOLOGIN owner role and becomes its member) and the ``logins`` roles; returns ``pg``.
    Roles are cluster-wide and outlive the module that made them: a role already there is kept."""
    with contextlib.closing(connect(pg)) as conn, conn.cursor() as cur:
        wanted = [(admin, sql.SQL("CREATEROLE"))] + [(role, sql.SQL("")) for role in logins]
        for role, extra in wanted:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS {}").format(
                    sql.Identifier(role), extra))
        grant = "GRANT CREATE ON DATABASE {} TO {}" + (" WITH GRANT OPTION" if grant_option else "")
        cur.execute(sql.SQL(grant).format(sql.Identifier(pg["dbname"]), sql.Identifier(admin)))
    return pg


def scopes_for(desk_a: str, desk_b: str, zhou: str, xiang: str | None = None) -> tuple[tuple[str, str], ...]:
    """The (role, scope) grants the modules make: desks A and B publish their counties, the 州 reads both, and a 乡
    role, when there is one, reads township :data:`TOWNSHIP_A`."""
    granted = ((desk_a, COUNTY_A), (desk_b, COUNTY_B), (zhou, PREFECTURE))
    return granted + ((xiang, TOWNSHIP_A),) if xiang else granted


def new_schema(params: dict, admin: str, scopes: Iterable[tuple[str, str]], name: str) -> str:
    """Shared schema ``name`` migrated to the latest version by ``admin``, each (role, scope) of ``scopes`` granted
    (a county code makes the role its county's publisher, 州 and 乡 codes readers); its name."""
    with as_role(params, admin, name) as store:
        assert store.migrate() == pg_schema.LATEST >= 6
    with contextlib.closing(connect(params, admin, autocommit=False)) as conn:
        for role, scope in scopes:
            pg_schema.grant_scope(conn, role, scope, name)
    return name


def as_role(params: dict, user: str, schema_name: str) -> PgStore:
    """The shared store ``schema_name`` as ``user`` sees it (row-level security by the user's scope)."""
    return PgStore(dict(params, user=user), schema=schema_name)


def publish_as(params: dict, user: str, schema_name: str, path, **kw) -> PublishReport:
    """Publish the desk store at ``path`` as ``user`` (``kw``: :func:`storage.publish.publish`'s options)."""
    store = GpkgStore(path, create=False)
    try:
        with as_role(params, user, schema_name) as pgs:
            return publish(store, pgs, **kw)
    finally:
        store.close()


def publish_all(params: dict, schema_name: str, desks: dict) -> str:
    """Publish each desk store of ``desks`` (role → path) as its role, every publish matching its desk to the row;
    the schema's name."""
    for user, path in desks.items():
        assert not publish_as(params, user, schema_name, path).mismatched
    return schema_name


# ------------------------------------------------------------------------------------ the desk's GeoPackage
@contextlib.contextmanager
def desk_write(path) -> Iterator:
    """The desk store as the plugin opens it (GeoPackage functions for its R-tree triggers), committed at the end."""
    conn = gpkg.connect(str(path))
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def a_days_work(path) -> list[str]:
    """A county's day at its desk, as the publish and the refresh tests both replay it: the first three active codes
    retired (undone), a manual patrol P-NEW recorded in township :data:`TOWNSHIP_A`; the retired codes."""
    with desk_write(path) as conn:
        codes = [r[0] for r in conn.execute("SELECT code FROM tg_space_code WHERE status = 'active' ORDER BY code "
                                            "LIMIT 3")]
        conn.executemany("UPDATE tg_space_code SET status = 'retired', retired_at = '2025-07-01T02:00:00Z', "
                         "retire_reason = 'undone' WHERE code = ?", [(c,) for c in codes])
        conn.execute("INSERT INTO tg_patrol (patrol_id, grid_code, officer, started_at, source) VALUES "
                     "('P-NEW', ?, '马福禄', '2025-07-01T01:00:00Z', 'manual')", (TOWNSHIP_A + "00101",))
    return codes


def desk_rows(path, query: str, args=()) -> list[tuple]:
    """The rows of ``query`` on the desk store at ``path`` (plain sqlite3, closed at once)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query, args).fetchall()
    finally:
        conn.close()


def desk_count(path, table: str, where: str = "") -> int:
    """Rows of desk table ``table`` (``where``: a WHERE clause written by the test itself)."""
    return desk_rows(path, f"SELECT count(*) FROM {table} {where}")[0][0]


# ------------------------------------------------------------------------------------ QGIS
def save_connection(name: str, params: dict, authcfg: str = "") -> str:
    """A saved QGIS PostgreSQL connection (as the Data Source Manager saves it), its user from ``authcfg`` when
    given, else from ``params``; its name."""
    from qgis.core import QgsProviderRegistry

    uri = f"dbname='{params['dbname']}' host={params['host']} port={params['port']}"
    uri += f" authcfg={authcfg}" if authcfg else f" user='{params['user']}'"
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    metadata.saveConnection(metadata.createConnection(uri, {"saveUsername": True}), name)
    return name


def new_authcfg(user: str, secret: str, name: str) -> str:
    """A Basic authentication configuration ``name`` in QGIS's encrypted store, holding ``user`` and ``secret``
    (the tests look for ``secret`` in logs and settings: it must never show); its id."""
    from qgis.core import QgsApplication, QgsAuthMethodConfig

    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        manager.setMasterPassword(MASTER_PASSWORD, True)
    config = QgsAuthMethodConfig("Basic")
    config.setName(name)
    config.setConfig("username", user)
    config.setConfig("password", secret)
    ok, config = manager.storeAuthenticationConfig(config)
    assert ok
    return config.id()
