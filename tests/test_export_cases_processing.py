"""导出到 PostGIS through Processing, with a saved QGIS PostgreSQL connection whose user comes from an
authentication configuration: the first export adds every case with its events, a re-export changes
nothing, a case moved at the desk is updated, and the password never shows in the log."""
from __future__ import annotations

import shapely

from linxia_tianguan_plugin.core import case_workflow as wf
from linxia_tianguan_plugin.core.case_keys import case_key, case_uuid
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage.cases import cases, save_cases, take_action
from linxia_tianguan_plugin.storage.postgis import PgStore
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


def _connection(name: str, params: dict, authcfg: str = "") -> None:
    from qgis.core import QgsProviderRegistry

    uri = f"dbname='{params['dbname']}' host={params['host']} port={params['port']}"
    uri += f" authcfg={authcfg}" if authcfg else f" user='{params['user']}'"
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    metadata.saveConnection(metadata.createConnection(uri, {"saveUsername": True}), name)


def _authcfg(user: str) -> str:
    from qgis.core import QgsApplication, QgsAuthMethodConfig

    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        manager.setMasterPassword("tianguan-test-master", True)
    config = QgsAuthMethodConfig("Basic")
    config.setName("tianguan test")
    config.setConfig("username", user)
    config.setConfig("password", SECRET)
    ok, config = manager.storeAuthenticationConfig(config)
    assert ok
    return config.id()


def test_export_reexport_and_update_through_a_qgis_connection(processing_registry, pg, tmp_path):  # noqa: F811
    ids = _store(tmp_path / "tianguan.gpkg")
    _connection("tianguan_plain", pg)
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
    _connection("tianguan_auth", pg, _authcfg(pg["user"]))  # no user in the connection itself
    feedback = recording_feedback()
    result = run(ALG, {"STORE": str(tmp_path / "tianguan.gpkg"), "CONNECTION": "tianguan_auth",
                       "SCHEMA": "desk_b"}, feedback=feedback)
    assert result["INSERTED"] == 7
    assert not any(SECRET in m for m in feedback.infos + feedback.warnings + feedback.errors)


def test_an_unknown_connection_is_named_in_the_error(processing_registry, tmp_path):
    _store(tmp_path / "tianguan.gpkg")
    message = run_failing(ALG, {"STORE": str(tmp_path / "tianguan.gpkg"), "CONNECTION": "no_such_db"})
    assert "no_such_db" in message
