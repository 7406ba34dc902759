"""Minimal GeoPackage machinery on the standard library's sqlite3.

The 田管库 is written from Python at the scale of a prefecture (2.5 million coded parcels), where
OGR's feature-by-feature API costs minutes; sqlite3's ``executemany`` with GeoPackage geometry blobs
built in bulk costs seconds. The files stay standard GeoPackages (OGC 12-128r15): QGIS, GDAL and
ArcGIS open every table, and the R-tree triggers keep working when QGIS edits them later.
"""
from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import numpy as np

GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
GPKG_USER_VERSION = 10200

#: seconds a connection waits for another writer (another QGIS window, a second desk on a shared folder) before
#: SQLite says "database is locked"; read at each connect, so that tests can shorten it (storage.faults then
#: tries a locked write again, see :func:`.faults.begin_immediate`)
BUSY_TIMEOUT_S = 30.0

_BASE_TABLES = [
    """CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
        organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE IF NOT EXISTS gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
        description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT
        (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
        srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
        srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_extensions (
        table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
        scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""",
]
_WGS84_WKT = ('GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
              'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",'
              '0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],'
              'AUTHORITY["EPSG","4326"]]')
#: the three rows the GeoPackage standard requires in every file (requirement 11)
_DEFAULT_SRS = [
    ("WGS 84 geodetic", 4326, "EPSG", 4326, _WGS84_WKT, "longitude/latitude coordinates in decimal degrees on the "
     "WGS 84 spheroid"),
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
]

_RTREE_TRIGGERS = {
    "insert": """CREATE TRIGGER "rtree_{t}_{c}_insert" AFTER INSERT ON "{t}"
        WHEN (new."{c}" NOT NULL AND NOT ST_IsEmpty(NEW."{c}")) BEGIN
        INSERT OR REPLACE INTO "rtree_{t}_{c}" VALUES (NEW."{pk}", ST_MinX(NEW."{c}"), ST_MaxX(NEW."{c}"),
        ST_MinY(NEW."{c}"), ST_MaxY(NEW."{c}")); END""",
    "update1": """CREATE TRIGGER "rtree_{t}_{c}_update1" AFTER UPDATE OF "{c}" ON "{t}"
        WHEN OLD."{pk}" = NEW."{pk}" AND (NEW."{c}" NOTNULL AND NOT ST_IsEmpty(NEW."{c}")) BEGIN
        INSERT OR REPLACE INTO "rtree_{t}_{c}" VALUES (NEW."{pk}", ST_MinX(NEW."{c}"), ST_MaxX(NEW."{c}"),
        ST_MinY(NEW."{c}"), ST_MaxY(NEW."{c}")); END""",
    "update2": """CREATE TRIGGER "rtree_{t}_{c}_update2" AFTER UPDATE OF "{c}" ON "{t}"
        WHEN OLD."{pk}" = NEW."{pk}" AND (NEW."{c}" ISNULL OR ST_IsEmpty(NEW."{c}")) BEGIN
        DELETE FROM "rtree_{t}_{c}" WHERE id = OLD."{pk}"; END""",
    "update3": """CREATE TRIGGER "rtree_{t}_{c}_update3" AFTER UPDATE ON "{t}"
        WHEN OLD."{pk}" != NEW."{pk}" AND (NEW."{c}" NOTNULL AND NOT ST_IsEmpty(NEW."{c}")) BEGIN
        DELETE FROM "rtree_{t}_{c}" WHERE id = OLD."{pk}";
        INSERT OR REPLACE INTO "rtree_{t}_{c}" VALUES (NEW."{pk}", ST_MinX(NEW."{c}"), ST_MaxX(NEW."{c}"),
        ST_MinY(NEW."{c}"), ST_MaxY(NEW."{c}")); END""",
    "update4": """CREATE TRIGGER "rtree_{t}_{c}_update4" AFTER UPDATE ON "{t}"
        WHEN OLD."{pk}" != NEW."{pk}" AND (NEW."{c}" ISNULL OR ST_IsEmpty(NEW."{c}")) BEGIN
        DELETE FROM "rtree_{t}_{c}" WHERE id IN (OLD."{pk}", NEW."{pk}"); END""",
    "delete": """CREATE TRIGGER "rtree_{t}_{c}_delete" AFTER DELETE ON "{t}"
        WHEN old."{c}" NOT NULL BEGIN DELETE FROM "rtree_{t}_{c}" WHERE id = OLD."{pk}"; END""",
}

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a GeoPackage geometry blob, or None when empty/absent."""
    if blob is None or len(blob) < 8:
        return None
    flags = blob[3]
    if flags & 0x10:
        return None
    env = (flags >> 1) & 0x07
    if env:
        return struct.unpack_from("<4d" if flags & 1 else ">4d", blob, 8)
    import shapely

    g = shapely.from_wkb(blob[8:])
    if g is None or g.is_empty:
        return None
    x0, y0, x1, y1 = g.bounds
    return x0, x1, y0, y1


def _register_functions(conn: sqlite3.Connection) -> None:
    """The ST_ functions the GeoPackage R-tree triggers call (GDAL provides them inside QGIS)."""

    def pick(i):
        def f(blob):
            e = _envelope(blob)
            return None if e is None else e[i]
        return f

    conn.create_function("ST_IsEmpty", 1, lambda b: 1 if _envelope(b) is None else 0, deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        conn.create_function(name, 1, pick(i), deterministic=True)


def connect(path: str, page_size: int | None = None) -> sqlite3.Connection:
    """Open a GeoPackage in WAL mode with autocommit off-by-default handled by the caller; a database created here
    gets pages of ``page_size`` bytes (a file that holds anything keeps its own)."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    # set WAL only when it is not (it persists in the file): setting it again on a store in WAL mode makes
    # the layers QGIS reads from it come back empty ("unable to open database file") once we close
    conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # a fresh connection says "delete" until it reads
    if page_size and conn.execute("PRAGMA page_count").fetchone()[0] == 0:
        conn.execute(f"PRAGMA page_size={int(page_size)}")  # (before WAL, which fixes it)
    if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    _register_functions(conn)
    return conn


def connect_read_only(path: str) -> sqlite3.Connection:
    """Open a GeoPackage only to read it: no journal change, no WAL files made. A layer QGIS shows from a store
    whose WAL files were gone when it opened reads nothing once another connection makes them anew — the
    plugin's readers (docks, locator, map tool) must not be that connection."""
    uri = Path(path).absolute().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    _register_functions(conn)
    return conn


def init_geopackage(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA application_id={GPKG_APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version={GPKG_USER_VERSION}")
    for sql in _BASE_TABLES:
        conn.execute(sql)
    conn.executemany("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", _DEFAULT_SRS)


def ensure_srs(conn: sqlite3.Connection, srs_id: int, wkt: str, name: str, epsg: int | None) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)",
        (name, srs_id, "EPSG" if epsg else "NONE", epsg or srs_id, wkt, name),
    )


def create_attribute_table(conn: sqlite3.Connection, table: str, columns: str, description: str = "") -> None:
    conn.execute(f'CREATE TABLE "{table}" ({columns})')
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES (?,?,?,?)",
        (table, "attributes", table, description),
    )


def create_feature_table(
    conn: sqlite3.Connection, table: str, columns: str, geometry_type: str, srs_id: int,
    description: str = "", geom: str = "geom", pk: str = "fid",
) -> None:
    """A feature table with an integer primary key, a geometry column and its R-tree index."""
    conn.execute(f'CREATE TABLE "{table}" ("{pk}" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
                 f'"{geom}" {geometry_type}, {columns})')
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES (?,?,?,?,?)",
        (table, "features", table, description, srs_id),
    )
    conn.execute("INSERT INTO gpkg_geometry_columns VALUES (?,?,?,?,0,0)", (table, geom, geometry_type, srs_id))
    conn.execute(f'CREATE VIRTUAL TABLE "rtree_{table}_{geom}" USING rtree(id, minx, maxx, miny, maxy)')
    conn.execute(
        "INSERT INTO gpkg_extensions VALUES (?,?,?,?,?)",
        (table, geom, "gpkg_rtree_index", "http://www.geopackage.org/spec120/#extension_rtree", "write-only"),
    )
    for sql in _RTREE_TRIGGERS.values():
        conn.execute(sql.format(t=table, c=geom, pk=pk))


def drop_insert_trigger(conn: sqlite3.Connection, table: str, geom: str = "geom") -> None:
    conn.execute(f'DROP TRIGGER IF EXISTS "rtree_{table}_{geom}_insert"')


def restore_insert_trigger(conn: sqlite3.Connection, table: str, geom: str = "geom", pk: str = "fid") -> None:
    conn.execute(_RTREE_TRIGGERS["insert"].format(t=table, c=geom, pk=pk))


_HEADER = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs", "<i4"), ("env", "<f8", (4,))])


def encode_blobs(wkb: np.ndarray, bounds: np.ndarray, srs_id: int) -> list[bytes]:
    """GeoPackage geometry blobs (little-endian header with an XY envelope) for WKB + (x0,y0,x1,y1)."""
    head = np.zeros(len(wkb), dtype=_HEADER)
    head["magic"] = b"GP"
    head["flags"] = 0b0000_0011  # little endian, envelope [minx, maxx, miny, maxy]
    head["srs"] = srs_id
    head["env"] = bounds[:, [0, 2, 1, 3]]
    raw = head.tobytes()
    size = _HEADER.itemsize
    return [raw[i * size:(i + 1) * size] + w for i, w in enumerate(wkb)]


def decode_blob(blob: bytes | None) -> bytes | None:
    """The WKB inside a GeoPackage geometry blob."""
    if blob is None:
        return None
    return bytes(blob[8 + _ENVELOPE_BYTES.get((blob[3] >> 1) & 0x07, 0):])


def update_extent(conn: sqlite3.Connection, table: str, geom: str = "geom") -> None:
    row = conn.execute(f'SELECT min(minx), min(miny), max(maxx), max(maxy) FROM "rtree_{table}_{geom}"').fetchone()
    conn.execute(
        "UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=?, "
        "last_change=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name=?",
        (*row, table),
    )


def update_exact_extent(conn: sqlite3.Connection, table: str, geom: str = "geom", pk: str = "fid") -> None:
    """gpkg_contents' extent from the geometries' own envelopes, as OGR writes it for a layer it creates.

    :func:`update_extent` takes the R-tree's boxes, float32 rounded outwards: metres off at projected
    coordinates of tens of millions. The exact extent differs from the R-tree's by less than that rounding, so
    only the few rows whose box reaches within a margin of an edge are read (through the R-tree)."""
    update_extent(conn, table, geom)
    box = conn.execute(f'SELECT min(minx), max(maxx), min(miny), max(maxy) FROM "rtree_{table}_{geom}"').fetchone()
    if box[0] is None:
        return
    margin = 1.0 + 1e-6 * max(abs(v) for v in box)  # float32 keeps 24 bits: well within a millionth
    near = conn.execute(
        f'SELECT g."{geom}" FROM "{table}" g WHERE g."{pk}" IN (SELECT id FROM "rtree_{table}_{geom}" '
        f"WHERE minx < ? OR maxx > ? OR miny < ? OR maxy > ?)",
        (box[0] + margin, box[1] - margin, box[2] + margin, box[3] - margin)).fetchall()
    envelopes = [e for e in (_envelope(r[0]) for r in near) if e is not None]
    if envelopes:
        env = np.array(envelopes, dtype=float)
        conn.execute("UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=? WHERE table_name=?",
                     (env[:, 0].min(), env[:, 2].min(), env[:, 1].max(), env[:, 3].max(), table))


_DATA_COLUMNS = (
    "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL,column_name TEXT NOT NULL,name TEXT,"
    "title TEXT,description TEXT,mime_type TEXT,constraint_name TEXT,"
    "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),CONSTRAINT gdc_tn UNIQUE (table_name, name))",
    "CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL,"
    "constraint_type TEXT NOT NULL,value TEXT,min NUMERIC,min_is_inclusive BOOLEAN,max NUMERIC,"
    "max_is_inclusive BOOLEAN,description TEXT,CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))",
)


def add_column_names(conn: sqlite3.Connection, table: str, names: dict[str, str]) -> None:
    """Columns' alternative names (aliases) in gpkg_data_columns (schema extension), as OGR writes a field's
    alternative name: what readers other than QGIS's styles show."""
    for sql in _DATA_COLUMNS:
        conn.execute(sql)
    conn.executemany("INSERT OR IGNORE INTO gpkg_extensions VALUES (?, NULL, 'gpkg_schema', "
                     "'http://www.geopackage.org/spec121/#extension_schema', 'read-write')",
                     [("gpkg_data_columns",), ("gpkg_data_column_constraints",)])
    conn.executemany("INSERT INTO gpkg_data_columns (table_name, column_name, name) VALUES (?, ?, ?)",
                     [(table, column, name) for column, name in names.items()])
