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


#: grid levels: 1 州 prefecture, 2 县 county, 3 乡 township, 4 村 village, 5 社 group; a cell's code is
#: the administrative code of its unit (4, 6, 9, 12 and 14 digits)
GRID_LEVELS = (1, 2, 3, 4, 5)


def _v3_patrol_grid(conn: sqlite3.Connection, srs_id: int) -> None:
    """Patrol grid builds and cells, officer rosters, patrol tasks and patrols.

    Every grid build and every roster import is kept (``active`` marks the current one), so that
    re-building the grid or re-importing a roster never loses what older tasks refer to; tasks and
    patrols refer to grid *codes*, which are stable across builds. Instants are stored as UTC ISO
    8601 (``…Z``), periods as Asia/Shanghai calendar dates (``YYYY-MM-DD``, both ends inclusive).
    """
    gpkg.create_attribute_table(
        conn, "tg_grid_build",
        "build_id TEXT PRIMARY KEY, built_at TEXT NOT NULL, parameters TEXT, counts TEXT, "
        "active INTEGER NOT NULL DEFAULT 0", "巡田网格版本 (grid builds; the active one is current)")
    gpkg.create_feature_table(
        conn, "tg_grid_cell",
        "build_id TEXT NOT NULL, level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5), code TEXT NOT NULL, "
        "parent TEXT, name TEXT, farmland_m2 REAL, basic_m2 REAL, parcels INTEGER, UNIQUE (build_id, code)",
        "MULTIPOLYGON", srs_id, "巡田网格 (five-level patrol grid cells of every build)")
    conn.execute("CREATE INDEX idx_tg_grid_cell_code ON tg_grid_cell (code)")
    gpkg.create_attribute_table(
        conn, "tg_roster_import",
        "roster_id TEXT PRIMARY KEY, imported_at TEXT NOT NULL, source TEXT, counts TEXT, "
        "active INTEGER NOT NULL DEFAULT 0", "田管员花名册导入 (roster imports; the active one is current)")
    gpkg.create_attribute_table(
        conn, "tg_officer",
        "roster_id TEXT NOT NULL REFERENCES tg_roster_import (roster_id), "
        "level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5), grid_code TEXT NOT NULL, grid_name TEXT, "
        "name TEXT, role TEXT NOT NULL CHECK (role IN ('officer', 'assistant')), post TEXT, phone TEXT, "
        "vacant INTEGER NOT NULL DEFAULT 0", "田管员 (officers of every roster import)")
    conn.execute("CREATE INDEX idx_tg_officer_grid ON tg_officer (roster_id, grid_code)")
    gpkg.create_attribute_table(
        conn, "tg_task",
        "task_id TEXT PRIMARY KEY, grid_code TEXT NOT NULL, level INTEGER NOT NULL, "
        "period_start TEXT NOT NULL, period_end TEXT NOT NULL, due_at TEXT NOT NULL, officer TEXT, phone TEXT, "
        "dispatched_at TEXT NOT NULL, dispatch_run TEXT NOT NULL, UNIQUE (grid_code, period_start)",
        "巡田任务 (patrol tasks, one per grid and period)")
    gpkg.create_attribute_table(
        conn, "tg_patrol",
        "patrol_id TEXT PRIMARY KEY, grid_code TEXT NOT NULL, officer TEXT, started_at TEXT NOT NULL, "
        "ended_at TEXT, source TEXT NOT NULL CHECK (source IN ('manual', 'import', 'track')), "
        "valid INTEGER NOT NULL DEFAULT 1, note TEXT", "巡田记录 (patrols: recorded by hand, imported or from tracks)")
    conn.execute("CREATE INDEX idx_tg_patrol_grid ON tg_patrol (grid_code, started_at)")


def _v4_patrol_tracks(conn: sqlite3.Connection, srs_id: int) -> None:
    """Patrol tracks: imported files (by content hash), raw fixes kept untouched, cleaned tracks.

    ``tg_track_file`` makes re-imports idempotent; ``tg_track_fix`` keeps every raw fix as read (WGS84 /
    CGCS2000 geographic lon/lat, UTC time) with the reason a fix was dropped by cleaning, if it was;
    ``tg_track`` holds one cleaned patrol session per row (a file can hold several: sessions are split at
    long gaps) in the county's projected CRS, with its figures, authenticity flags (JSON) and whether it
    counts toward a task.
    """
    gpkg.create_attribute_table(
        conn, "tg_track_file",
        "file_hash TEXT PRIMARY KEY, path TEXT NOT NULL, format TEXT NOT NULL, imported_at TEXT NOT NULL, "
        "tracks INTEGER NOT NULL DEFAULT 0, fixes INTEGER NOT NULL DEFAULT 0, message TEXT",
        "巡田轨迹文件 (imported track files, by content hash)")
    gpkg.create_feature_table(
        conn, "tg_track",
        "track_id TEXT NOT NULL UNIQUE, file_hash TEXT NOT NULL REFERENCES tg_track_file (file_hash), "
        "session INTEGER NOT NULL DEFAULT 0, officer TEXT, grid_code TEXT, started_at TEXT NOT NULL, "
        "ended_at TEXT NOT NULL, fixes INTEGER NOT NULL, length_m REAL, duration_s REAL, "
        "flags TEXT, figures TEXT, accepted INTEGER NOT NULL DEFAULT 0, coverage REAL",
        "LINESTRING", srs_id, "巡田轨迹 (cleaned patrol tracks, one per session)")
    conn.execute("CREATE INDEX idx_tg_track_grid ON tg_track (grid_code, started_at)")
    gpkg.create_attribute_table(
        conn, "tg_track_fix",
        "file_hash TEXT NOT NULL, seq INTEGER NOT NULL, track_id TEXT, lon REAL NOT NULL, lat REAL NOT NULL, "
        "time TEXT, accuracy REAL, dropped TEXT, PRIMARY KEY (file_hash, seq)",
        "巡田轨迹原始定位点 (raw fixes as read, with the reason cleaning dropped one)")
    conn.execute("CREATE INDEX idx_tg_track_fix_track ON tg_track_fix (track_id)")


def _v5_fix_times(conn: sqlite3.Connection, srs_id: int) -> None:
    """Raw fixes by time: a tracking layer exported again holds the fixes of the earlier export too,
    and the import finds them by time (then position) to mark them ``repeat`` instead of making the
    same patrol twice."""
    conn.execute("CREATE INDEX IF NOT EXISTS idx_tg_track_fix_time ON tg_track_fix (time)")


def _v6_change_cases(conn: sqlite3.Connection, srs_id: int) -> None:
    """Change candidates become cases (案件): one row per case with its judgement, and an append-only
    event list from which its state is derived.

    ``case_key`` is the content key of a candidate (survey codes, classes and geometry), so a re-run
    on the same inputs finds its cases again instead of adding them twice; ``case_id`` is a UUID made
    from that key (the key of the case in PostGIS); ``version`` counts the case's changes (optimistic
    locking by concurrent desks). ``tg_change_run`` keeps each analysis with the rules it applied.
    """
    gpkg.create_attribute_table(
        conn, "tg_change_run",
        "run_id TEXT PRIMARY KEY, run_at TEXT NOT NULL, rules_version TEXT NOT NULL, rules TEXT NOT NULL, "
        "inputs TEXT, counts TEXT", "变化图斑提取与预判运行记录 (change-analysis runs and their rules)")
    gpkg.create_feature_table(
        conn, "tg_case",
        "case_id TEXT NOT NULL UNIQUE, case_key TEXT NOT NULL UNIQUE, state TEXT NOT NULL DEFAULT 'pending', "
        "kind TEXT NOT NULL, category TEXT NOT NULL, reasons TEXT, source TEXT NOT NULL, "
        "from_dlbm TEXT, to_dlbm TEXT, to_zzsxdm TEXT, bsm_before TEXT, bsm_after TEXT, external_id TEXT, "
        "area_m2 REAL NOT NULL, farmland_m2 REAL, basic_m2 REAL, approved_m2 REAL, facility_m2 REAL, "
        "temporary_m2 REAL, boundary_m2 REAL, docs TEXT, priority INTEGER, grid_code TEXT, officer TEXT, "
        "phone TEXT, parcel_codes TEXT, rules_version TEXT NOT NULL, run_id TEXT NOT NULL, "
        "detected_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1",
        "MULTIPOLYGON", srs_id, "变化图斑案件 (change cases: candidates and their judgement)")
    conn.execute("CREATE INDEX idx_tg_case_state ON tg_case (state, grid_code)")
    gpkg.create_attribute_table(
        conn, "tg_case_event",
        "event_id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL REFERENCES tg_case (case_id), "
        "at TEXT NOT NULL, actor TEXT, from_state TEXT, to_state TEXT NOT NULL, comment TEXT, attachments TEXT",
        "案件流转记录 (append-only case events)")
    conn.execute("CREATE INDEX idx_tg_case_event_case ON tg_case_event (case_id, event_id)")
    for verb in ("UPDATE", "DELETE"):
        conn.execute(f"CREATE TRIGGER tg_case_event_no_{verb.lower()} BEFORE {verb} ON tg_case_event "
                     "BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END")


def _v7_case_evidence(conn: sqlite3.Connection, srs_id: int) -> None:
    """Evidence of cases (举证材料): photos, documents and sketches kept as content-addressed files.

    One row per file and case; the file itself lives next to the store in
    ``<store stem>_evidence/<case_id>/<sha256><suffix>`` and ``rel_path`` is that path relative to
    the evidence folder (what case events list as attachments, see ``storage/evidence.py``).
    ``UNIQUE (case_id, sha256)`` makes adding the same file twice a no-op. Evidence is never lost:
    rows cannot be deleted, and what identifies a file (its case, checksum, path…) cannot be
    changed; only ``checks`` (the findings of :func:`..core.cases.evidence.check_photo`) may be redone.
    """
    gpkg.create_attribute_table(
        conn, "tg_case_evidence",
        "evidence_id INTEGER PRIMARY KEY, case_id TEXT NOT NULL, sha256 TEXT NOT NULL, name TEXT NOT NULL, "
        "kind TEXT NOT NULL CHECK (kind IN ('photo','document','sketch')), rel_path TEXT NOT NULL, "
        "size INTEGER NOT NULL, taken_at TEXT, lon REAL, lat REAL, added_at TEXT NOT NULL, added_by TEXT, "
        "checks TEXT, UNIQUE (case_id, sha256)", "案件举证材料 (case evidence: photos, documents, sketches)")
    conn.execute("CREATE TRIGGER tg_case_evidence_no_delete BEFORE DELETE ON tg_case_evidence "
                 "BEGIN SELECT RAISE(ABORT, 'case evidence is never deleted'); END")
    conn.execute("CREATE TRIGGER tg_case_evidence_no_rewrite BEFORE UPDATE OF evidence_id, case_id, sha256, name, "
                 "kind, rel_path, size, taken_at, lon, lat, added_at, added_by ON tg_case_evidence "
                 "BEGIN SELECT RAISE(ABORT, 'case evidence is never rewritten (only its checks may be redone)'); END")


def _v8_coverage_rates(conn: sqlite3.Connection, srs_id: int) -> None:
    """Coverage rates of every grid per patrol-coverage run, so the dashboard, the statistics maps and the
    assessment show the numbers the run computed instead of computing them again (and differently).

    Every run is kept (``tg_coverage_run``: its period and parameters); readers take the latest run whose
    period overlaps the period they ask about. Rows are small: one per county/township/village/group.
    """
    gpkg.create_attribute_table(
        conn, "tg_coverage_run",
        "run_id TEXT PRIMARY KEY, run_at TEXT NOT NULL, period_start TEXT NOT NULL, period_end TEXT NOT NULL, "
        "parameters TEXT, counts TEXT", "巡田覆盖分析运行记录 (patrol-coverage runs: period and parameters)")
    gpkg.create_attribute_table(
        conn, "tg_coverage_rate",
        "run_id TEXT NOT NULL REFERENCES tg_coverage_run (run_id), code TEXT NOT NULL, farmland_m2 REAL NOT NULL, "
        "seen_m2 REAL NOT NULL, basic_m2 REAL NOT NULL, basic_seen_m2 REAL NOT NULL, parcels INTEGER NOT NULL, "
        "seen_parcels INTEGER NOT NULL, PRIMARY KEY (run_id, code)",
        "巡田覆盖率 (coverage rates of every grid per coverage run)")
    conn.execute("CREATE INDEX idx_tg_coverage_run_period ON tg_coverage_run (period_end, period_start)")


def _v9_task_periods(conn: sqlite3.Connection, srs_id: int) -> None:
    """Tasks by period: the statistics read a prefecture's year of tasks (a million) grouped by period
    from this covering index, in order and without a sort; period filters use it as a range."""
    conn.execute("CREATE INDEX IF NOT EXISTS idx_tg_task_period ON tg_task (period_end, period_start, due_at, "
                 "grid_code)")


def _v10_active_farmland(conn: sqlite3.Connection, srs_id: int) -> None:
    """Farmland of the active codes by code, covering: the statistics sum it per township as index range
    scans (a tenth of the pages of the table, whose rows carry the geometry). A bulk coding run drops and
    rebuilds it with the other secondary indexes."""
    conn.execute("CREATE INDEX IF NOT EXISTS idx_tg_space_code_active ON tg_space_code (code, gdmj_m2, yjmj_m2) "
                 "WHERE status = 'active'")


def _v11_coding_undo(conn: sqlite3.Connection, srs_id: int) -> None:
    """What 撤销上次赋码 (undo the latest coding run) needs: the rows the latest run changed in place, as they were
    before it (its new and retired codes are known from the registry itself), and when a run was undone."""
    cols = ", ".join(f'"{name}"' for name, _ in SPACE_CODE_COLUMNS if name != "code")
    gpkg.create_attribute_table(
        conn, "tg_coding_undo", f"undo_run TEXT NOT NULL, code TEXT NOT NULL, geom BLOB, {cols}, "
        "PRIMARY KEY (undo_run, code)", "赋码撤销数据 (rows of the latest coding run as they were)")
    conn.execute("ALTER TABLE tg_coding_run ADD COLUMN undone_at TEXT")


def _v12_fix_time_text(conn: sqlite3.Connection, srs_id: int) -> None:
    """The time of every raw fix exactly as the file wrote it (``raw_time``: ``2025/6/20 9:00:05``, an Excel
    serial such as ``45828.375``, GPX ``<time>`` text …), next to the UTC ``time`` the import read from it: an
    auditor can see what the phone wrote, and a wrong reading can be told from a wrong phone. Fixes imported
    before this version keep NULL (their text was not kept)."""
    conn.execute("ALTER TABLE tg_track_fix ADD COLUMN raw_time TEXT")


def _v13_case_numbers(conn: sqlite3.Connection, srs_id: int) -> None:
    """Case numbers people can read and say (``622921-2025-0042``) next to the UUID: county, year of detection
    (Beijing time), sequence per county and year in detection order. Existing cases are numbered here in detection
    order (time, then the order the run stored them); new ones when saved (``cases.save_cases``). A number is
    given once and never changed: unique, and a trigger refuses to change one that is set."""
    from .cases import assign_numbers

    conn.execute("ALTER TABLE tg_case ADD COLUMN case_no TEXT")
    cur = conn.execute("SELECT fid, grid_code, parcel_codes, bsm_before, detected_at FROM tg_case "
                       "ORDER BY detected_at, fid")
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    conn.executemany("UPDATE tg_case SET case_no = ? WHERE fid = ?",
                     [(number, row["fid"]) for row, number in zip(rows, assign_numbers(conn, rows))])
    conn.execute("CREATE UNIQUE INDEX idx_tg_case_no ON tg_case (case_no)")
    conn.execute("CREATE TRIGGER tg_case_no_fixed BEFORE UPDATE OF case_no ON tg_case "
                 "WHEN OLD.case_no IS NOT NULL AND NEW.case_no IS NOT OLD.case_no "
                 "BEGIN SELECT RAISE(ABORT, 'a case number is never changed'); END")



def _v14_publish_state(conn: sqlite3.Connection, srs_id: int) -> None:
    """What this desk has published to which shared store (:mod:`.publish`): a digest per published row of the
    tables that change (so the next publish sends only rows changed since), the last published rowid of the
    append-only ones (track fixes), and the publish runs. Keyed by the shared store's identity: publishing to a
    second server starts afresh."""
    gpkg.create_attribute_table(
        conn, "tg_publish_row", "target TEXT NOT NULL, tbl TEXT NOT NULL, key TEXT NOT NULL, digest TEXT NOT NULL, "
        "PRIMARY KEY (target, tbl, key)", "已发布到州库的行 (rows published to the shared store, by digest)")
    gpkg.create_attribute_table(
        conn, "tg_publish_mark", "target TEXT NOT NULL, tbl TEXT NOT NULL, last_rowid INTEGER NOT NULL, "
        "PRIMARY KEY (target, tbl)", "已发布到州库的追加表位置 (append-only tables published up to this rowid)")
    gpkg.create_attribute_table(
        conn, "tg_publish_run", "publish_id TEXT PRIMARY KEY, target TEXT NOT NULL, started_at TEXT NOT NULL, "
        "finished_at TEXT, counts TEXT", "发布到州库运行记录 (publish runs)")



def _v15_change_log(conn: sqlite3.Connection, srs_id: int) -> None:
    """The change log (:func:`.publish.ensure_change_log`): every insert and update of a shared table, by rowid, in
    order, so a day's publish reads the day's rows instead of digesting the whole store again (300 000 codes: 5 s).
    The triggers that fill it come with the first publish or pull; entries every target has seen are pruned."""
    gpkg.create_attribute_table(
        conn, "tg_change_log", "seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, rid INTEGER NOT NULL",
        "待发布变更记录 (rows written since a publish, for the next one)")
    conn.execute("CREATE INDEX idx_tg_change_log_tbl ON tg_change_log (tbl, seq, rid)")


def _v16_warning_posts(conn: sqlite3.Connection, srs_id: int) -> None:
    """The register of installed warning posts (警示桩): where each stands, what it labels (a space code or a group
    code), when it was installed and its condition as last reported. ``post_id`` is the number painted on the post,
    unique (a GeoPackage feature table keeps its integer ``fid`` key), so a re-import finds the post again and only
    updates its condition and note; the installation date and position stay as first registered."""
    gpkg.create_feature_table(
        conn, "tg_warning_post",
        "post_id TEXT NOT NULL UNIQUE, label_code TEXT NOT NULL, installed_on TEXT, "
        "condition TEXT NOT NULL DEFAULT '完好' CHECK (condition IN ('完好','损坏','缺失','其他')), note TEXT, "
        "registered_at TEXT NOT NULL, updated_at TEXT NOT NULL, source TEXT",
        "POINT", srs_id, "警示桩登记 (installed warning posts: where, when, condition)")
    conn.execute("CREATE INDEX idx_tg_warning_post_label ON tg_warning_post (label_code)")


def _v17_survey_totals(conn: sqlite3.Connection, srs_id: int) -> None:
    """The official yearly totals of the annual change survey (变更调查) per county or township, imported from the
    table a county receives (:mod:`.survey_totals`): the dashboard's trend shows them instead of the totals it
    derives from coded parcels and change runs. One row per (code, year); importing a year again replaces its values
    and appends the previous ones to ``replaced`` (a JSON list, oldest first), so nothing imported is lost."""
    gpkg.create_attribute_table(
        conn, "tg_survey_total",
        "code TEXT NOT NULL CHECK (length(code) IN (6, 9)), year INTEGER NOT NULL, "
        "farmland_m2 REAL NOT NULL CHECK (farmland_m2 >= 0), basic_m2 REAL CHECK (basic_m2 IS NULL OR basic_m2 >= 0), "
        "source TEXT NOT NULL, imported_at TEXT NOT NULL, replaced TEXT, PRIMARY KEY (code, year)",
        "变更调查年度数据 (official yearly farmland totals per county or township)")


MIGRATIONS: list[Migration] = [
    Migration(1, "space-code registry, lineage and coding runs", _v1_code_registry),
    Migration(2, "administrative units (county/township/village/group names)", _v2_admin_units),
    Migration(3, "patrol grid, officer rosters, patrol tasks and patrols", _v3_patrol_grid),
    Migration(4, "patrol tracks: files, raw fixes, cleaned tracks", _v4_patrol_tracks),
    Migration(5, "raw fixes indexed by time (repeated fixes of growing tracking layers)", _v5_fix_times),
    Migration(6, "change cases: analysis runs, cases, append-only case events", _v6_change_cases),
    Migration(7, "case evidence: content-addressed photos, documents and sketches", _v7_case_evidence),
    Migration(8, "coverage rates of every grid per patrol-coverage run", _v8_coverage_rates),
    Migration(9, "tasks indexed by period (statistics of a prefecture's year)", _v9_task_periods),
    Migration(10, "active codes' farmland indexed by code (statistics per township)", _v10_active_farmland),
    Migration(11, "undo of the latest coding run", _v11_coding_undo),
    Migration(12, "raw fixes keep their time as written in the file", _v12_fix_time_text),
    Migration(13, "case numbers (county-year-sequence), given once, never changed", _v13_case_numbers),
    Migration(14, "what was published to which shared store (incremental publish)", _v14_publish_state),
    Migration(15, "change log of the shared tables (a day's publish reads a day's rows)", _v15_change_log),
    Migration(16, "register of installed warning posts (where, when, condition)", _v16_warning_posts),
    Migration(17, "official yearly totals of the annual change survey (变更调查)", _v17_survey_totals),
]
LATEST = MIGRATIONS[-1].version
