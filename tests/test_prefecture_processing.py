"""州库共享 through Processing and QGIS layers (issue 17): the administrator sets the schema up and grants roles with
州库建库与授权; two county desks publish with 发布到州库 through saved QGIS connections (users from authcfgs); what
each role sees through a QGIS PostgreSQL layer is its scope; a wrong connection or a contradicting history is said in
words and sends nothing."""
from __future__ import annotations

import sqlite3

import pytest

from tests import prefecture as pf
from tests.helpers import run, run_failing, store_copy
from tests.pg_cluster import pg  # noqa: F401
from tests.prefecture import COUNTY_A, COUNTY_B, TOWNSHIP_A

ADMIN, DESK_A, DESK_B, ZHOU, XIANG = "pp_admin", "pp_desk_a", "pp_desk_b", "pp_zhou", "pp_xiang"
SCHEMA = "pp_shared"
SECRET = "pp-secret-Zh0u!"


@pytest.fixture(scope="module")
def setup(pg, processing_registry):  # noqa: F811
    """Login roles made by the database administrator; schema and scopes by the plugin's setup algorithm."""
    pf.make_roles(pg, ADMIN, (DESK_A, DESK_B, ZHOU, XIANG), grant_option=False)
    for role in (ADMIN, DESK_A, DESK_B, ZHOU, XIANG):
        pf.save_connection(role, pg, pf.new_authcfg(role, SECRET, "pp test"))
    first = run("linxia_tianguan:setup_prefecture_store", {"CONNECTION": ADMIN, "SCHEMA": SCHEMA})
    assert first["VERSION"] >= 6
    for role, scope in pf.scopes_for(DESK_A, DESK_B, ZHOU, XIANG):
        again = run("linxia_tianguan:setup_prefecture_store", {"CONNECTION": ADMIN, "SCHEMA": SCHEMA,
                                                               "ROLE": role, "SCOPE": scope})
        assert again["VERSION"] == first["VERSION"]  # idempotent
    return pg


def _layer_count(role: str, table: str, geometry: str | None = "geom") -> int:
    from qgis.core import QgsDataSourceUri, QgsProviderRegistry, QgsVectorLayer

    connection = QgsProviderRegistry.instance().providerMetadata("postgres").findConnection(role)
    uri = QgsDataSourceUri(connection.uri())
    uri.setDataSource(SCHEMA, table, geometry, "", "")
    layer = QgsVectorLayer(uri.uri(False), table, "postgres")
    assert layer.isValid(), (role, table)
    return sum(1 for _ in layer.getFeatures())


def test_two_desks_publish_and_qgis_layers_show_each_role_its_scope(setup, filled_store, county_b_store, tmp_path):
    desk_a = store_copy(filled_store, tmp_path / "a")
    desk_b = store_copy(county_b_store, tmp_path / "b")
    first = run("linxia_tianguan:publish_store", {"STORE": str(desk_a), "CONNECTION": DESK_A, "SCHEMA": SCHEMA})
    assert first["ROWS_SENT"] == first["ROWS_ADDED"] > 0 and first["CASES_ADDED"] == pf.desk_count(desk_a, "tg_case")
    run("linxia_tianguan:publish_store", {"STORE": str(desk_b), "CONNECTION": DESK_B, "SCHEMA": SCHEMA})
    again = run("linxia_tianguan:publish_store", {"STORE": str(desk_a), "CONNECTION": DESK_A, "SCHEMA": SCHEMA})
    assert again["ROWS_SENT"] == again["BATCHES"] == 0
    codes_a, codes_b = pf.desk_count(desk_a, "tg_space_code"), pf.desk_count(desk_b, "tg_space_code")
    assert _layer_count(ZHOU, "space_codes") == codes_a + codes_b
    assert _layer_count(DESK_A, "space_codes") == codes_a
    assert _layer_count(DESK_B, "space_codes") == codes_b
    assert _layer_count(XIANG, "space_codes") == pf.desk_count(desk_a, "tg_space_code",
                                                               f"WHERE code LIKE '{TOWNSHIP_A}%'")
    assert _layer_count(ZHOU, "tasks", None) == pf.desk_count(desk_a, "tg_task") + pf.desk_count(desk_b, "tg_task")
    assert _layer_count(DESK_B, "cases") == 0 < _layer_count(ZHOU, "cases")


def test_a_wrong_connection_and_a_rewritten_history_are_refused_in_words(setup, filled_store, tmp_path):
    desk_a = store_copy(filled_store, tmp_path / "a")
    message = run_failing("linxia_tianguan:publish_store", {"STORE": str(desk_a), "CONNECTION": DESK_B,
                                                            "SCHEMA": SCHEMA})
    assert COUNTY_A in message and COUNTY_B in message and "Traceback" not in message
    run("linxia_tianguan:publish_store", {"STORE": str(desk_a), "CONNECTION": DESK_A, "SCHEMA": SCHEMA})
    with pf.desk_write(desk_a) as conn:
        code = conn.execute("SELECT code FROM tg_space_code WHERE status = 'active' ORDER BY code LIMIT 1"
                            ).fetchone()[0]
        conn.execute("UPDATE tg_space_code SET run_id = 'REBUILT' WHERE code = ?", (code,))
    message = run_failing("linxia_tianguan:publish_store", {"STORE": str(desk_a), "CONNECTION": DESK_A,
                                                            "SCHEMA": SCHEMA})
    assert code in message and "Traceback" not in message
    with sqlite3.connect(desk_a) as conn:  # nothing of that run was recorded as published
        assert conn.execute("SELECT count(*) FROM tg_publish_run WHERE finished_at IS NULL").fetchone()[0] == 0


def test_setup_refuses_a_half_grant_and_a_bad_scope(setup):
    for params in ({"ROLE": DESK_A}, {"ROLE": DESK_A, "SCOPE": "62292"}, {"CRS": "EPSG:4490"}):
        message = run_failing("linxia_tianguan:setup_prefecture_store", {"CONNECTION": ADMIN, "SCHEMA": SCHEMA,
                                                                         **params})
        assert message and "Traceback" not in message


def test_a_new_analyst_downloads_the_county_and_publishing_it_sends_nothing(setup, filled_store, tmp_path):
    desk_a = store_copy(filled_store, tmp_path / "a")
    run("linxia_tianguan:publish_store", {"STORE": str(desk_a), "CONNECTION": DESK_A, "SCHEMA": SCHEMA})
    pulled = tmp_path / "new_analyst" / "tianguan.gpkg"
    pulled.parent.mkdir()
    result = run("linxia_tianguan:pull_store", {"CONNECTION": DESK_A, "SCHEMA": SCHEMA, "PREFIX": COUNTY_A,
                                                "OUTPUT": str(pulled)})
    assert result["ROWS"] > 0 and result["CASES"] == pf.desk_count(desk_a, "tg_case")
    for table in ("tg_space_code", "tg_task", "tg_grid_cell", "tg_officer", "tg_track_fix", "tg_case_event"):
        assert pf.desk_count(pulled, table) == pf.desk_count(desk_a, table), table
    again = run("linxia_tianguan:publish_store", {"STORE": str(pulled), "CONNECTION": DESK_A, "SCHEMA": SCHEMA})
    assert again["ROWS_SENT"] == again["BATCHES"] == 0
    # the file is never overwritten; a township role downloads its township only
    before = pulled.read_bytes()
    message = run_failing("linxia_tianguan:pull_store", {"CONNECTION": DESK_A, "SCHEMA": SCHEMA,
                                                         "PREFIX": COUNTY_A, "OUTPUT": str(pulled)})
    assert str(pulled) in message and pulled.read_bytes() == before
    township = tmp_path / "township.gpkg"
    run("linxia_tianguan:pull_store", {"CONNECTION": XIANG, "SCHEMA": SCHEMA, "PREFIX": TOWNSHIP_A,
                                       "OUTPUT": str(township)})
    assert pf.desk_count(township, "tg_space_code") == pf.desk_count(desk_a, "tg_space_code",
                                                                     f"WHERE code LIKE '{TOWNSHIP_A}%'") > 0
    message = run_failing("linxia_tianguan:pull_store", {"CONNECTION": DESK_B, "SCHEMA": SCHEMA,
                                                         "PREFIX": COUNTY_A, "OUTPUT": str(tmp_path / "x.gpkg")})
    assert COUNTY_A in message and not (tmp_path / "x.gpkg").exists()
