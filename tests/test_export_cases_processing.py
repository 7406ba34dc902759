"""导出到 PostGIS through Processing, with a saved QGIS PostgreSQL connection whose user comes from an
authentication configuration: the first export adds every case with its events, a re-export changes
nothing, a case moved at the desk is updated, and the password never shows in the log."""
from __future__ import annotations

import re

import shapely

from linxia_tianguan_plugin.core.cases import workflow as wf
from linxia_tianguan_plugin.core.cases.keys import case_key, case_uuid
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage.cases import cases, save_cases, take_action
from linxia_tianguan_plugin.storage.postgis import PgStore
from tests import prefecture as pf
from tests.helpers import recording_feedback, run, run_failing
from tests.pg_cluster import pg  # noqa: F401

ALG = "linxia_tianguan:export_cases"
SECRET = "s3cret-不应出现"


def _store(path) -> list[str]:
    store = GpkgStore(path)
    try:
        rows = []
        for k in range(7):
            geom = shapely.box(34590000 + 100 * k, 3924000, 34590060 + 100 * k, 3924040)
            key = case_key("survey", f"62292121000000{k:04d}", "", "nonagri", "0702", "", geom)
            rows.append({"case_key": key, "case_id": case_uuid(key), "kind": "nonagri", "category": "suspect",
                         "source": "survey", "area_m2": geom.area, "geom": geom, "grid_code": "62292110000101",
                         "bsm_before": f"62292121000000{k:04d}", "priority": k + 1,
                         "parcel_codes": [f"622921100001010000{k:02d}"]})
        save_cases(store, rows, "BHTEST", "2025.1", {}, {}, {})
        take_action(store, rows[0]["case_id"], "issue", "县审核员", wf.COUNTY_REVIEWER, 1)
        return [r["case_id"] for r in rows]
    finally:
        store.close()


def _authcfg(user: str) -> str:
    """An authentication configuration holding ``user`` and :data:`SECRET`."""
    return pf.new_authcfg(user, SECRET, "tianguan test")


def test_export_reexport_and_update_through_a_qgis_connection(processing_registry, pg, tmp_path):  # noqa: F811
    ids = _store(tmp_path / "tianguan.gpkg")
    pf.save_connection("tianguan_plain", pg)
    params = {"STORE": str(tmp_path / "tianguan.gpkg"), "CONNECTION": "tianguan_plain", "SCHEMA": "desk_a"}
    first = run(ALG, params)
    assert first["INSERTED"] == len(ids) and first["EVENTS"] == len(ids) + 1  # creation events + one issue
    again = run(ALG, params)
    assert again["INSERTED"] == again["UPDATED"] == again["EVENTS"] == 0 and again["UNCHANGED"] == len(ids)
    store = GpkgStore(tmp_path / "tianguan.gpkg", create=False)
    try:
        take_action(store, ids[0], "submit_evidence", "社田管员", wf.GROUP_OFFICER, 2, "", ["evidence/a.jpg"])
        local = {c["case_id"]: c for c in cases(store)}
    finally:
        store.close()
    third = run(ALG, params)
    assert third["UPDATED"] == 1 and third["EVENTS"] == 1 and third["UNCHANGED"] == len(ids) - 1
    with PgStore(pg, schema="desk_a") as remote:
        exported = {c["case_id"]: c for c in remote.cases()}
        assert set(exported) == set(ids)
        assert all(exported[i]["state"] == local[i]["state"] and exported[i]["version"] == local[i]["version"]
                   for i in ids)
        assert remote.rebuilt_state(ids[0]) == "evidenced"
        assert shapely.equals_exact(exported[ids[3]]["geom"], local[ids[3]]["geom"], 1e-6)


def test_the_user_comes_from_the_authcfg_and_the_password_is_never_logged(processing_registry, pg,  # noqa: F811
                                                                          tmp_path):
    _store(tmp_path / "tianguan.gpkg")
    pf.save_connection("tianguan_auth", pg, _authcfg(pg["user"]))  # no user in the connection itself
    feedback = recording_feedback()
    result = run(ALG, {"STORE": str(tmp_path / "tianguan.gpkg"), "CONNECTION": "tianguan_auth",
                       "SCHEMA": "desk_b"}, feedback=feedback)
    assert result["INSERTED"] == 7
    assert not any(SECRET in m for m in feedback.infos + feedback.warnings + feedback.errors)


def test_an_unknown_connection_is_named_in_the_error(processing_registry, tmp_path):
    _store(tmp_path / "tianguan.gpkg")
    message = run_failing(ALG, {"STORE": str(tmp_path / "tianguan.gpkg"), "CONNECTION": "no_such_db"})
    assert "no_such_db" in message


def test_no_plaintext_password_reaches_the_qgis_settings(processing_registry, pg, tmp_path):  # noqa: F811
    """After connections with an authcfg were used by the export and the dock, no settings value anywhere
    in the profile holds the password: QGIS keeps it in its encrypted auth database only."""
    from qgis.core import QgsSettings

    from linxia_tianguan_plugin.ui.case_review import CaseReviewDock

    _store(tmp_path / "tianguan.gpkg")
    pf.save_connection("tianguan_secret", pg, _authcfg(pg["user"]))
    run(ALG, {"STORE": str(tmp_path / "tianguan.gpkg"), "CONNECTION": "tianguan_secret", "SCHEMA": "desk_c"})
    dock = CaseReviewDock(None, str(tmp_path / "tianguan.gpkg"), actor="审核员")
    try:
        dock.use_connection("tianguan_secret")
    finally:
        dock.cleanup()
    settings = QgsSettings()
    settings.sync()
    leaked = [key for key in settings.allKeys() if SECRET in str(settings.value(key))]
    assert leaked == []
    assert any("tianguan_secret" in key for key in settings.allKeys())  # the connection itself was saved


HOSTILE = ["O'Brien \"x\"; DROP TABLE cases; --", "田管员；张三\n第二行\t制表", "emoji 🌾🚜 and ÄÖÜ ǅ",
           "x" * 5000, "%s %(name)s {0} $1 \\ \u0000".replace("\u0000", "")]


def test_hostile_strings_are_stored_verbatim_in_both_stores(processing_registry, pg, tmp_path):  # noqa: F811
    """Quotes, semicolons, SQL, newlines, Unicode beyond the BMP, placeholders and 5 000-character texts
    go into every text field of a case and its events, and come back unchanged from the GeoPackage and
    from PostGIS."""
    path = tmp_path / "tianguan.gpkg"
    store = GpkgStore(path)
    try:
        rows = []
        for k, text in enumerate(HOSTILE):
            geom = shapely.box(34590000 + 100 * k, 3924000, 34590060 + 100 * k, 3924040)
            key = case_key("survey", text, "", "nonagri", "0702", "", geom)
            rows.append({"case_key": key, "case_id": case_uuid(key), "kind": "nonagri", "category": "suspect",
                         "source": "survey", "area_m2": geom.area, "geom": geom, "grid_code": "62292110000101",
                         "bsm_before": text, "bsm_after": text, "officer": text, "phone": text, "docs": text,
                         "external_id": text, "from_dlbm": text[:20], "to_dlbm": "0702", "to_zzsxdm": text,
                         "reasons": [text], "parcel_codes": ["62292110000101000014", text], "priority": k + 1})
        save_cases(store, rows, "BHTEST", "2025.1", {}, {}, {})
        for r, text in zip(rows, HOSTILE):
            take_action(store, r["case_id"], "issue", text, wf.COUNTY_REVIEWER, 1, text)
        local = {c["case_id"]: c for c in cases(store)}
        from linxia_tianguan_plugin.storage.cases import case_events

        local_events = {cid: case_events(store, cid) for cid in local}
    finally:
        store.close()
    fields = ("bsm_before", "bsm_after", "officer", "phone", "docs", "external_id", "to_zzsxdm", "reasons",
              "parcel_codes")
    for r, text in zip(rows, HOSTILE):
        case = local[r["case_id"]]
        assert all(case[f] == r[f] for f in fields), text[:30]
        assert local_events[r["case_id"]][-1]["comment"] == text and local_events[r["case_id"]][-1]["actor"] == text
    pf.save_connection("tianguan_hostile", pg)
    result = run(ALG, {"STORE": str(path), "CONNECTION": "tianguan_hostile", "SCHEMA": "hostile"})
    assert result["INSERTED"] == len(HOSTILE)
    with PgStore(pg, schema="hostile") as remote:
        exported = {c["case_id"]: c for c in remote.cases()}
        for r, text in zip(rows, HOSTILE):
            case = exported[r["case_id"]]
            assert all(case[f] == r[f] for f in fields), text[:30]
            events = remote.case_events(r["case_id"])
            assert events[-1]["comment"] == text and events[-1]["actor"] == text
            remote.take_action(r["case_id"], "submit_evidence", text, wf.GROUP_OFFICER, 2, text, [text])
            assert remote.case_events(r["case_id"])[-1]["comment"] == text


def _paths_to_states() -> dict[str, list]:
    """The shortest sequence of (transition, role) reaching each state from pending."""
    paths = {wf.PENDING: []}
    todo = [wf.PENDING]
    while todo:
        state = todo.pop(0)
        for t in wf.TRANSITIONS:
            if t.source == state and t.target not in paths:
                paths[t.target] = paths[state] + [(t, t.roles[0])]
                todo.append(t.target)
    return paths


def test_every_allowed_and_forbidden_move_on_postgis(processing_registry, pg, tmp_path):  # noqa: F811
    """The full cross product of states × actions × roles through PgStore.take_action: exactly the moves of
    the workflow table succeed (and land in the right state, rebuildable from the events); every other
    one is refused with the workflow's code and writes nothing."""
    paths = _paths_to_states()
    assert set(paths) == set(wf.STATES)
    allowed = [(t, role) for t in wf.TRANSITIONS for role in t.roles]
    n_cases = len(wf.STATES) + len(allowed)
    path = tmp_path / "tianguan.gpkg"
    store = GpkgStore(path)
    try:
        rows = []
        for k in range(n_cases):
            geom = shapely.box(34590000 + 100 * k, 3924000, 34590060 + 100 * k, 3924040)
            key = case_key("survey", f"X{k}", "", "nonagri", "0702", "", geom)
            rows.append({"case_key": key, "case_id": case_uuid(key), "kind": "nonagri", "category": "suspect",
                         "source": "survey", "area_m2": geom.area, "geom": geom, "grid_code": "62292110000101"})
        save_cases(store, rows, "BHTEST", "2025.1", {}, {}, {})
    finally:
        store.close()
    ids = [r["case_id"] for r in rows]
    pf.save_connection("tianguan_moves", pg)
    run(ALG, {"STORE": str(path), "CONNECTION": "tianguan_moves", "SCHEMA": "moves"})

    def bring(remote, cid: str, state: str) -> int:
        version = 1
        for t, role in paths[state]:
            remote.take_action(cid, t.action, "测试", role, version, "理由", ["evidence/x.jpg"])
            version += 1
        return version

    with PgStore(pg, schema="moves") as remote:
        # one case parked in every state: every action × role not in the table is refused there
        for cid, state in zip(ids, wf.STATES):
            version = bring(remote, cid, state)
            for action in wf.ACTIONS:
                for role in wf.ROLES:
                    move = wf.transition(state, action)
                    if move is not None and role in move.roles:
                        continue
                    try:
                        remote.take_action(cid, action, "测试", role, version, "理由", ["evidence/x.jpg"])
                        raise AssertionError(f"{state} {action} {role} was accepted")
                    except wf.WorkflowError as err:
                        assert err.code == "not_allowed", (state, action, role, err.code)
            assert remote.rebuilt_state(cid) == state and len(remote.case_events(cid)) == len(paths[state]) + 1
        # every allowed (transition, role) on a fresh case brought to its source state
        for cid, (t, role) in zip(ids[len(wf.STATES):], allowed):
            version = bring(remote, cid, t.source)
            result = remote.take_action(cid, t.action, "测试", role, version, "理由", ["evidence/x.jpg"])
            assert result["state"] == t.target and remote.rebuilt_state(cid) == t.target, (t.action, role)


def test_a_version_2_schema_upgrades_and_numbers_its_events(pg, monkeypatch):  # noqa: F811
    """Schema version 3 numbers the events already there (in event order), keeps them append-only, and a
    re-export of the same cases then adds nothing."""
    import psycopg2

    from linxia_tianguan_plugin.storage import pg_schema

    geom = shapely.box(34590000, 3924000, 34590060, 3924040)
    key = case_key("survey", "OLD", "", "nonagri", "0702", "", geom)
    case = {"case_key": key, "case_id": case_uuid(key), "kind": "nonagri", "category": "suspect", "state": "issued",
            "source": "survey", "area_m2": geom.area, "geom": geom, "grid_code": "62292110000101", "version": 2,
            "rules_version": "2025.1", "run_id": "R", "detected_at": "2025-06-01T00:00:00Z",
            "updated_at": "2025-06-02T00:00:00Z"}
    events = [{"at": "2025-06-01T00:00:00Z", "actor": "system", "from_state": None, "to_state": "pending"},
              {"at": "2025-06-02T00:00:00Z", "actor": "县审核员", "from_state": "pending", "to_state": "issued"}]
    conn = psycopg2.connect(**pg)
    try:
        monkeypatch.setattr(pg_schema, "MIGRATIONS", pg_schema.MIGRATIONS[:2])
        assert pg_schema.migrate(conn, "upgrade") == 2
        with conn, conn.cursor() as cur:  # a version-2 desk wrote a case and its events (no seq column)
            cur.execute("INSERT INTO upgrade.cases (case_id, case_key, county_code, state, kind, category, source, "
                        "area_m2, version, rules_version, run_id, detected_at, updated_at, geom) VALUES (%s, %s, "
                        "'622921', 'issued', 'nonagri', 'suspect', 'survey', %s, 2, '2025.1', 'R', %s, %s, "
                        "ST_Multi(ST_GeomFromWKB(%s, 4522)))",
                        (case["case_id"], key, geom.area, case["detected_at"], case["updated_at"],
                         shapely.to_wkb(geom)))
            for e in events:
                cur.execute("INSERT INTO upgrade.case_events (case_id, at, actor, from_state, to_state) "
                            "VALUES (%s, %s, %s, %s, %s)", (case["case_id"], e["at"], e["actor"], e["from_state"],
                                                            e["to_state"]))
        monkeypatch.undo()
        assert pg_schema.migrate(conn, "upgrade") == pg_schema.LATEST
        with conn, conn.cursor() as cur:
            cur.execute("SELECT seq, to_state FROM upgrade.case_events ORDER BY event_id")
            assert cur.fetchall() == [(1, "pending"), (2, "issued")]
        with conn, conn.cursor() as cur:
            try:
                cur.execute("UPDATE upgrade.case_events SET comment = 'x'")
                raise AssertionError("an event was updated after the upgrade")
            except psycopg2.Error as err:
                assert "append-only" in str(err)
    finally:
        conn.close()
    with PgStore(pg, schema="upgrade") as remote:
        counts = remote.export_cases([case], {case["case_id"]: events})
        assert counts["events_inserted"] == 0 and remote.rebuilt_state(case["case_id"]) == "issued"


def test_the_shared_tables_open_in_qgis_with_chinese_field_aliases(processing_registry, pg, tmp_path):  # noqa: F811
    """Export saves the Chinese aliases as the tables' default QGIS style: a layer opened on them later
    (another desk, another session) shows 案件状态, not ``state``; ASCII column names stay."""
    import psycopg2
    from qgis.core import QgsDataSourceUri, QgsProviderRegistry, QgsVectorLayer

    from linxia_tianguan_plugin import i18n

    _store(tmp_path / "tianguan.gpkg")
    pf.save_connection("tianguan_styles", pg)
    assert i18n.install_translator("zh_CN")
    try:
        run(ALG, {"STORE": str(tmp_path / "tianguan.gpkg"), "CONNECTION": "tianguan_styles", "SCHEMA": "desk_s"})
    finally:
        i18n.remove_translator()
    connection = QgsProviderRegistry.instance().providerMetadata("postgres").findConnection("tianguan_styles")
    for table, geometry, key, expected in (("cases", "geom", "case_id", {"state": "案件状态"}),
                                           ("case_events", None, "event_id", {})):
        uri = QgsDataSourceUri(connection.uri())
        uri.setDataSource("desk_s", table, geometry, "", key)
        layer = QgsVectorLayer(uri.uri(False), table, "postgres")
        assert layer.isValid(), table
        names = [f.name() for f in layer.fields()]
        assert all(n.isascii() for n in names)
        aliases = {f.name(): f.alias() for f in layer.fields()}
        assert all(re.search(r"[\u4e00-\u9fff]", aliases[n]) for n in names), (table, aliases)
        for name, alias in expected.items():
            assert aliases[name] == alias
    with psycopg2.connect(**pg) as conn, conn.cursor() as cur:
        cur.execute("SELECT f_table_name FROM public.layer_styles WHERE f_table_schema = %s AND useasdefault "
                    "ORDER BY 1", ("desk_s",))
        assert [r[0] for r in cur.fetchall()] == ["case_events", "cases"]


def test_a_desk_exporting_another_countys_cases_is_refused_in_words(processing_registry, pg, tmp_path):  # noqa: F811
    """A desk role mapped to county 622922 exports a store of county 622921: the database refuses the cases
    (create_case, row-level security) and the export says why, naming the county mapping, writing nothing."""
    import psycopg2
    from psycopg2 import sql

    from linxia_tianguan_plugin.storage import pg_schema

    desk = "tg_desk_of_622922"
    with PgStore(pg, schema="desk_other") as admin:
        admin.migrate()
    conn = psycopg2.connect(**pg)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (desk,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(desk)))
        pg_schema.grant_desk(conn, desk, "desk_other")
        pg_schema.grant_county(conn, desk, "622922", "desk_other")
    finally:
        conn.close()
    _store(tmp_path / "tianguan.gpkg")
    pf.save_connection("tianguan_other_county", dict(pg, user=desk))
    message = run_failing(ALG, {"STORE": str(tmp_path / "tianguan.gpkg"), "CONNECTION": "tianguan_other_county",
                                "SCHEMA": "desk_other"})
    assert "does not belong" in message and "622921" in message
    with PgStore(pg, schema="desk_other") as admin:
        assert admin.cases() == []
