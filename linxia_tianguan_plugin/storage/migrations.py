"""Schema migrations of the 田管库 (GeoPackage). Forward only, one transaction each.

A migration never rewrites a previous one: a released store is upgraded in place by running the
migrations it has not seen, in order. The same list will drive the PostGIS schema later.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from . import gpkg

SPACE_CODE_TABLE = "tg_space_code"

#: Columns of the code registry besides fid/geom, in the order rows are written.
SPACE_CODE_COLUMNS: list[tuple[str, str]] = [
    ("code", "TEXT NOT NULL UNIQUE"),
    ("group_code", "TEXT NOT NULL"),
    ("seq", "INTEGER NOT NULL"),
    ("kind", "TEXT NOT NULL CHECK (kind IN ('CB','WCB'))"),
    ("status", "TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','retired'))"),
    ("dlbm", "TEXT"), ("dlmc", "TEXT"), ("tbbsm", "TEXT"),
    ("area_m2", "REAL"), ("gdmj_m2", "REAL"), ("gdmj_mu", "REAL"), ("yjmj_m2", "REAL"), ("yjmj_mu", "REAL"),
    ("dkbm", "TEXT"), ("fbfbm", "TEXT"), ("cbfbm", "TEXT"),
    ("bdcode", "TEXT"), ("lon", "REAL"), ("lat", "REAL"), ("qr", "TEXT"),
    ("relation", "TEXT"), ("parents", "TEXT"), ("coded_at", "TEXT"), ("run_id", "TEXT"), ("note", "TEXT"),
    ("retired_at", "TEXT"), ("retired_run", "TEXT"), ("retire_reason", "TEXT"), ("children", "TEXT"),
    ("row_hash", "INTEGER"),
]


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sqlite3.Connection, int], None]  # (connection, srs_id)


def _v1_code_registry(conn: sqlite3.Connection, srs_id: int) -> None:
    gpkg.create_attribute_table(conn, "tg_meta", "key TEXT PRIMARY KEY, value TEXT", "田管库 metadata")
    cols = ", ".join(f'"{name}" {decl}' for name, decl in SPACE_CODE_COLUMNS)
    gpkg.create_feature_table(conn, SPACE_CODE_TABLE, cols, "MULTIPOLYGON", srs_id,
                              "空间码登记 (space-code registry, active and retired)")
    # groups are code prefixes: the UNIQUE index on code serves group queries as range scans
    gpkg.create_attribute_table(
        conn, "tg_code_lineage",
        "parent TEXT NOT NULL, child TEXT NOT NULL, shared_m2 REAL, run_id TEXT NOT NULL, "
        "PRIMARY KEY (parent, child)", "空间码谱系 (parent → child codes)")
    conn.execute("CREATE INDEX idx_tg_code_lineage_child ON tg_code_lineage (child)")
    gpkg.create_attribute_table(
        conn, "tg_coding_run",
        "run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, parameters TEXT, counts TEXT",
        "赋码批次 (coding runs)")


def _v2_admin_units(conn: sqlite3.Connection, srs_id: int) -> None:
    gpkg.create_attribute_table(
        conn, "tg_admin_unit",
        "code TEXT PRIMARY KEY, level TEXT NOT NULL CHECK (level IN "
        "('prefecture','county','township','village','group')), name TEXT NOT NULL, parent TEXT",
        "行政区划与村组名称 (names used to decode space codes)")


MIGRATIONS: list[Migration] = [
    Migration(1, "space-code registry, lineage and coding runs", _v1_code_registry),
    Migration(2, "administrative units (county/township/village/group names)", _v2_admin_units),
]
LATEST = MIGRATIONS[-1].version
