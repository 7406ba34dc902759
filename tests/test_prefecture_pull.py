"""从州库下载 on a real throwaway PostgreSQL + PostGIS (issue 17): a desk makes its 田管库 from the shared store —
the county as the 州 reads it, or one township as its role reads it — with everything the county published (codes
and their geometry, grid, roster, tasks, tracks, coverage, cases with their events, evidence files); publishing the
pulled store sends nothing; a refresh brings the county's later changes and keeps the desk's own; a pull that may
not or cannot run leaves nothing behind."""
from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest
import shapely
from psycopg2 import sql

from linxia_tianguan_plugin.core.cases import workflow as wf
from linxia_tianguan_plugin.storage import GpkgStore, gpkg, pg_prefecture, pg_schema
from linxia_tianguan_plugin.storage.cases import take_action
from linxia_tianguan_plugin.storage.evidence import add_evidence, evidence_path, verify
from linxia_tianguan_plugin.storage.pull import PullError, pull
from tests import prefecture as pf
from tests.helpers import store_copy
from tests.pg_cluster import pg  # noqa: F401
from tests.prefecture import COUNTY_A, TOWNSHIP_A
from tests.unit.test_evidence import photo

ADMIN, DESK_A, DESK_B, ZHOU, XIANG = "pl_admin", "pl_desk_a", "pl_desk_b", "pl_zhou", "pl_xiang_a"
_schemas = itertools.count(1)


# ------------------------------------------------------------------------------------ fixtures
@pytest.fixture
def schema(roles):
    """A fresh schema at the latest version: desks A and B publish their counties, the 州 reads all, a 乡 role
    reads township 622921100."""
    return pf.new_schema(roles, ADMIN, pf.scopes_for(DESK_A, DESK_B, ZHOU, XIANG), f"pl_test_{next(_schemas)}")


@pytest.fixture(scope="module")
def roles(pg):  # noqa: F811
    return pf.make_roles(pg, ADMIN, (DESK_A, DESK_B, ZHOU, XIANG))


@pytest.fixture
def desk_a(filled_store, tmp_path):
    """County A's desk with two evidence photos on its first case and one imported survey year."""
    from linxia_tianguan_plugin.storage.survey_totals import SurveyTotal, save_totals

    path = store_copy(filled_store, tmp_path / "a")
    phone = tmp_path / "phone"
    phone.mkdir()
    files = []
    for n in range(2):
        files.append(phone / f"IMG_000{n}.jpg")
        files[-1].write_bytes(photo(taken=f"2025:06:1{n} 09:30:00"))
    store = GpkgStore(path, create=False)
    try:
        case_id = store.conn.execute("SELECT case_id FROM tg_case ORDER BY case_id LIMIT 1").fetchone()[0]
        add_evidence(store, case_id, files, "田管员甲", at="2025-06-20T01:00:00Z")
        # a year of the change survey's official totals (every shared table has rows to pull back)
        save_totals(store, [SurveyTotal(COUNTY_A, 2023, 20_400_000.0, 16_480_000.0, "2023年度国土变更调查.csv")])
    finally:
        store.close()
    with pf.desk_write(path) as conn:  # a re-coding's lineage (the sample was coded once)
        codes = [r[0] for r in conn.execute("SELECT code FROM tg_space_code WHERE code LIKE ? ORDER BY code LIMIT 3",
                                            (TOWNSHIP_A + "%",))]
        run = conn.execute("SELECT run_id FROM tg_coding_run LIMIT 1").fetchone()[0]
        conn.executemany("INSERT INTO tg_code_lineage VALUES (?, ?, ?, ?)",
                         [(codes[0], codes[1], 120.5, run), (codes[0], codes[2], 80.25, run)])
    return path


def _pull(params, user, schema_name, path, county=COUNTY_A, **kw):
    with pf.as_role(params, user, schema_name) as pgs:
        return pull(pgs, path, county, **kw)


def _upstream(params, schema_name) -> dict[str, int]:
    """Rows of every shared table (and the history) as the owner counts them."""
    conn = pf.connect(params, ADMIN)
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(pg_schema.owner_role(schema_name))))
            out = {}
            for table in (*pg_prefecture.ALL_TABLES, "cases", "case_events"):
                if table in ("publishes", "role_scope"):
                    continue
                cur.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema_name),
                                                                          sql.Identifier(table)))
                out[table] = cur.fetchone()[0]
            cur.execute(sql.SQL("SELECT count(*) FROM {}.cases WHERE version > 1").format(
                sql.Identifier(schema_name)))
            out["moved_cases"] = cur.fetchone()[0]
            return out
    finally:
        conn.close()


def _codes(path) -> dict[str, tuple]:
    names = pg_prefecture.BY_NAME["space_codes"].names
    rows = pf.desk_rows(path, "SELECT {}, geom FROM tg_space_code".format(", ".join(f'"{n}"' for n in names)))
    return {r[0]: r for r in rows}


# ------------------------------------------------------------------------------------ tests
def test_the_prefecture_pulls_a_county_as_it_was_published(roles, schema, desk_a, tmp_path):
    pf.publish_as(roles, DESK_A, schema, desk_a)
    target = tmp_path / "pulled" / "tianguan.gpkg"
    target.parent.mkdir()
    seen = []
    report = _pull(roles, ZHOU, schema, target, on_progress=lambda t, done, total: seen.append((t, done, total)))
    assert target.is_file() and sorted(p.name for p in target.parent.iterdir()) == ["tianguan.gpkg",
                                                                                    "tianguan_evidence"]
    # every shared table: as many rows as the desk
    for table in pg_prefecture.TABLES:
        assert pf.desk_count(target, table.desk) == pf.desk_count(desk_a, table.desk) > 0, table.desk
        entry = report.tables[table.name]
        assert entry.inserted == entry.upstream == pf.desk_count(desk_a, table.desk)
    assert ("space_codes", pf.desk_count(desk_a, "tg_space_code"), pf.desk_count(desk_a, "tg_space_code")) in seen
    # codes: the same values and, within a millimetre, the same polygons
    mine, theirs = _codes(desk_a), _codes(target)
    assert mine.keys() == theirs.keys()
    for code, row in mine.items():
        assert row[:-1] == theirs[code][:-1], code
        a, b = (shapely.from_wkb(gpkg.decode_blob(r[-1])) for r in (row, theirs[code]))
        assert a.equals_exact(b, 1e-3), code
    # officers keep their place in the roster; the grid, tasks and tracks as the desk has them
    query = "SELECT rowid, roster_id, grid_code, name, role, vacant FROM tg_officer ORDER BY rowid"
    assert pf.desk_rows(target, query) == pf.desk_rows(desk_a, query)
    query = "SELECT build_id, code, level, parent, name, farmland_m2, active FROM tg_grid_cell JOIN tg_grid_build " \
            "USING (build_id) ORDER BY build_id, code"
    assert pf.desk_rows(target, query) == pf.desk_rows(desk_a, query)
    query = "SELECT track_id, file_hash, grid_code, accepted, coverage, length_m FROM tg_track ORDER BY track_id"
    assert pf.desk_rows(target, query) == pf.desk_rows(desk_a, query)
    assert pf.desk_rows(target, "SELECT * FROM tg_track_fix ORDER BY file_hash, seq") == \
        pf.desk_rows(desk_a, "SELECT * FROM tg_track_fix ORDER BY file_hash, seq")
    # cases: ids, numbers, states, versions and their events
    query = "SELECT case_id, case_no, state, version, kind, category, area_m2, detected_at FROM tg_case ORDER BY 1"
    assert pf.desk_rows(target, query) == pf.desk_rows(desk_a, query)
    query = "SELECT case_id, at, from_state, to_state, comment FROM tg_case_event ORDER BY case_id, event_id"
    assert pf.desk_rows(target, query) == pf.desk_rows(desk_a, query)
    assert report.cases["inserted"] == pf.desk_count(desk_a, "tg_case") > 0
    # evidence: rows and files, with their SHA-256
    store = GpkgStore(target, create=False)
    try:
        rows = store.conn.execute("SELECT sha256, rel_path FROM tg_case_evidence").fetchall()
        assert len(rows) == 2 and report.evidence_files == 2 and not report.evidence_problems
        for sha, rel in rows:
            assert hashlib.sha256(evidence_path(store, rel).read_bytes()).hexdigest() == sha
        assert verify(store) == []
        assert store.srs_id == 4522
    finally:
        store.close()


def test_publishing_a_pulled_store_sends_nothing(roles, schema, desk_a, tmp_path):
    pf.publish_as(roles, DESK_A, schema, desk_a)
    target = tmp_path / "pulled.gpkg"
    _pull(roles, ZHOU, schema, target)
    before = _upstream(roles, schema)
    report = pf.publish_as(roles, DESK_A, schema, target)
    assert sum(t.sent for t in report.tables.values()) == 0 and report.batches == 0
    assert report.evidence_files == 0 and not report.mismatched
    assert report.cases["inserted"] == report.cases["updated"] == report.cases["events_inserted"] == 0
    assert _upstream(roles, schema) == before


def test_a_township_pulls_its_township(roles, schema, desk_a, tmp_path):
    pf.publish_as(roles, DESK_A, schema, desk_a)
    target = tmp_path / "township.gpkg"
    report = _pull(roles, XIANG, schema, target, township=TOWNSHIP_A)
    codes = [r[0] for r in pf.desk_rows(target, "SELECT code FROM tg_space_code")]
    assert codes and all(c.startswith(TOWNSHIP_A) for c in codes)
    assert len(codes) == pf.desk_count(desk_a, "tg_space_code", f"WHERE code LIKE '{TOWNSHIP_A}%'")
    cells = [r[0] for r in pf.desk_rows(target, "SELECT code FROM tg_grid_cell")]
    assert all(c.startswith(TOWNSHIP_A) or TOWNSHIP_A.startswith(c) for c in cells)
    assert {COUNTY_A, TOWNSHIP_A} <= set(cells)  # the county's cell above it
    assert any(len(c) == 14 for c in cells)
    tasks = [r[0] for r in pf.desk_rows(target, "SELECT grid_code FROM tg_task")]
    assert tasks and all(t.startswith(TOWNSHIP_A) or TOWNSHIP_A.startswith(t) for t in tasks)
    assert len(tasks) < pf.desk_count(desk_a, "tg_task")
    grids = [r[0] for r in pf.desk_rows(target, "SELECT grid_code FROM tg_case")]
    assert all(g.startswith(TOWNSHIP_A) for g in grids)
    # rows without a place (runs, builds) come whole; the publish state is recorded for the pulled rows
    assert pf.desk_count(target, "tg_coding_run") == pf.desk_count(desk_a, "tg_coding_run")
    assert pf.desk_count(target, "tg_publish_row", "WHERE tbl = 'space_codes'") == len(codes)
    assert report.tables["space_codes"].inserted == len(codes)


def test_a_refresh_brings_the_countys_changes_and_keeps_the_desks_own(roles, schema, desk_a, tmp_path):
    pf.publish_as(roles, DESK_A, schema, desk_a)
    copy = tmp_path / "copy.gpkg"
    _pull(roles, ZHOU, schema, copy)
    # the county retires three codes and records a patrol; the copy meanwhile changes a task and a code's note
    retired = pf.a_days_work(desk_a)
    store = GpkgStore(desk_a, create=False)
    try:  # and issues a pending case
        case_id, version = store.conn.execute("SELECT case_id, version FROM tg_case WHERE state = 'pending' "
                                              "ORDER BY case_id LIMIT 1").fetchone()
        take_action(store, case_id, "issue", "县审核员", wf.COUNTY_REVIEWER, version, at="2025-07-01T03:00:00Z")
    finally:
        store.close()
    day = pf.publish_as(roles, DESK_A, schema, desk_a)
    assert day.tables["space_codes"].sent == 3
    with pf.desk_write(copy) as conn:
        task = conn.execute("SELECT task_id FROM tg_task ORDER BY task_id LIMIT 1").fetchone()[0]
        conn.execute("UPDATE tg_task SET officer = '李四', phone = '13900000000' WHERE task_id = ?", (task,))
        noted = conn.execute("SELECT code FROM tg_space_code WHERE status = 'active' ORDER BY code DESC "
                             "LIMIT 1").fetchone()[0]
        conn.execute("UPDATE tg_space_code SET note = '外业核实' WHERE code = ?", (noted,))
        # and one of the codes the county retires (changed on both sides: kept, and named a conflict)
        conn.execute("UPDATE tg_space_code SET note = '待核' WHERE code = ?", (retired[2],))
    report = _pull(roles, ZHOU, schema, copy, refresh=True)
    assert pf.desk_rows(copy, f"SELECT code FROM tg_space_code WHERE status = 'retired' AND code IN "
                          f"({','.join('?' * 3)}) ORDER BY code", retired) == [(c,) for c in retired[:2]]
    assert report.tables["space_codes"].updated == 2
    assert report.tables["patrols"].inserted == 1 and pf.desk_count(copy, "tg_patrol", "WHERE patrol_id = 'P-NEW'") == 1
    assert sorted(report.kept_local) == sorted([("tasks", task), ("space_codes", noted),
                                                ("space_codes", retired[2])])
    assert report.conflicts == [("space_codes", retired[2])]
    assert pf.desk_rows(copy, "SELECT officer FROM tg_task WHERE task_id = ?", (task,)) == [("李四",)]
    assert report.cases["updated"] == 1 and report.cases["events_inserted"] == 1
    query = "SELECT state, version FROM tg_case WHERE case_id = ?"
    assert pf.desk_rows(copy, query, (case_id,)) == pf.desk_rows(desk_a, query, (case_id,)) == \
        [(wf.ISSUED, version + 1)]
    query = "SELECT at, actor, from_state, to_state FROM tg_case_event WHERE case_id = ? ORDER BY event_id"
    assert pf.desk_rows(copy, query, (case_id,)) == pf.desk_rows(desk_a, query, (case_id,))
    query = "SELECT note, status FROM tg_space_code WHERE code = ?"
    assert pf.desk_rows(copy, query, (retired[2],)) == [("待核", "active")]
    # the refreshed rows are recorded as published: the copy's next publish sends only its own two changes
    again = _pull(roles, ZHOU, schema, copy, refresh=True)
    assert sum(t.inserted + t.updated for t in again.tables.values()) == 0
    store = GpkgStore(copy, create=False)
    try:
        from linxia_tianguan_plugin.storage.publish import changed_keys

        target = report.target
        changed = {t.name: changed_keys(store, target, t).keys for t in pg_prefecture.TABLES}
    finally:
        store.close()
    assert {n: k for n, k in changed.items() if k} == {"tasks": {task}, "space_codes": {noted, retired[2]}}


def test_a_pull_that_may_not_run_leaves_nothing_behind(roles, schema, desk_a, tmp_path):
    pf.publish_as(roles, DESK_A, schema, desk_a)
    folder = tmp_path / "out"
    folder.mkdir()
    # county B's role does not see county A
    with pytest.raises(PullError) as err:
        _pull(roles, DESK_B, schema, folder / "b.gpkg")
    assert err.value.kind == "not_visible" and err.value.details == {"county": COUNTY_A}
    # an existing file is refused and left as it was
    existing = folder / "existing.gpkg"
    existing.write_bytes(b"not a store, but somebody's file")
    with pytest.raises(PullError) as err:
        _pull(roles, ZHOU, schema, existing)
    assert err.value.kind == "exists" and existing.read_bytes() == b"not a store, but somebody's file"
    # a cancelled pull leaves no file (nor temporary ones)
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 4

    with pytest.raises(PullError) as err:
        _pull(roles, ZHOU, schema, folder / "cancelled.gpkg", is_canceled=cancel)
    assert err.value.kind == "canceled"
    assert sorted(p.name for p in folder.iterdir()) == ["existing.gpkg"]
    # a failure half-way (an old schema, a bad township) neither
    with pytest.raises(PullError) as err:
        _pull(roles, ZHOU, schema + "_missing", folder / "old.gpkg")
    assert err.value.kind == "old_schema"
    with pytest.raises(PullError) as err:
        _pull(roles, ZHOU, schema, folder / "bad.gpkg", township="622922100")
    assert err.value.kind == "bad_place"
    with pytest.raises(PullError) as err:
        _pull(roles, ZHOU, schema, folder / "absent.gpkg", refresh=True)
    assert err.value.kind == "missing"
    assert sorted(p.name for p in folder.iterdir()) == ["existing.gpkg"]


def test_a_refresh_refuses_another_countys_store(roles, schema, desk_a, county_b_store, tmp_path):
    pf.publish_as(roles, DESK_A, schema, desk_a)
    other = store_copy(county_b_store, tmp_path / "b")
    before = Path(other).read_bytes()
    with pytest.raises(PullError) as err:
        _pull(roles, ZHOU, schema, other, refresh=True)
    assert err.value.kind == "other_county"
    assert Path(other).read_bytes() == before


def test_a_pull_into_another_crs_transforms_the_geometry(roles, schema, desk_a, tmp_path):
    pf.publish_as(roles, DESK_A, schema, desk_a)
    target = tmp_path / "zone35.gpkg"
    _pull(roles, ZHOU, schema, target, epsg=4523)
    from pyproj import Transformer

    to_35 = Transformer.from_crs(4522, 4523, always_xy=True)
    mine, theirs = _codes(desk_a), _codes(target)
    for code in sorted(mine)[:200]:
        a = shapely.from_wkb(gpkg.decode_blob(mine[code][-1]))
        b = shapely.from_wkb(gpkg.decode_blob(theirs[code][-1]))
        moved = shapely.transform(a, lambda xy: __import__("numpy").column_stack(to_35.transform(xy[:, 0], xy[:, 1])))
        assert moved.equals_exact(b, 1e-3), code
        assert mine[code][:-1] == theirs[code][:-1]
    # and it publishes back unchanged (the shared store transforms it home)
    report = pf.publish_as(roles, DESK_A, schema, target)
    assert sum(t.sent for t in report.tables.values()) == 0
