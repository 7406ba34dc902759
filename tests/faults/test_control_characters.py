"""A NUL (or another control character) in a name or comment (issue 15): refused on entry by both stores with the
same rule, and text stored before the rule is exported to PostGIS without it instead of blocking the export."""
from __future__ import annotations

import shutil

import pytest

from linxia_tianguan_plugin.core.cases import workflow as wf
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage import cases as gpkg_cases
from tests.helpers import change_params, prepared_store, run
from tests.pg_cluster import pg  # noqa: F401
from tests.test_postgis_store import OWNER, T0, roles, sample, schema, store_as  # noqa: F401

BAD = ["审核\x00员", "意见\x00", "line\x1bescape"]


@pytest.mark.parametrize("text", BAD)
def test_the_rule_refuses_control_characters_and_keeps_line_breaks(text):
    assert wf.has_control_characters(text)
    assert not wf.has_control_characters("第一行\n第二行\t制表")
    assert wf.strip_control_characters(text) == text.replace("\x00", "").replace("\x1b", "")


@pytest.fixture(scope="module")
def case_store(processing_registry, sample_county, tmp_path_factory):
    store = tmp_path_factory.mktemp("nul") / "tianguan.gpkg"
    prepared_store(sample_county, store)
    run("linxia_tianguan:change_detection", change_params(sample_county / "sample_county.gpkg", STORE=str(store)))
    return store


def test_the_geopackage_store_refuses_a_nul_comment_and_writes_nothing(case_store, tmp_path):
    path = tmp_path / "tianguan.gpkg"
    shutil.copy(case_store, path)
    store = GpkgStore(path, create=False)
    try:
        case_id, version = store.conn.execute("SELECT case_id, version FROM tg_case ORDER BY case_id").fetchone()
        events = store.conn.execute("SELECT count(*) FROM tg_case_event").fetchone()[0]
        for actor, comment in (("审核\x00员", "请核查"), ("审核员", "意见\x00")):
            with pytest.raises(wf.WorkflowError) as refused:
                gpkg_cases.take_action(store, case_id, "issue", actor, "county_reviewer", version, comment)
            assert refused.value.code == "control_characters"
        assert store.conn.execute("SELECT count(*) FROM tg_case_event").fetchone()[0] == events
        assert store.conn.execute("SELECT version FROM tg_case WHERE case_id = ?", (case_id,)).fetchone()[0] == version
    finally:
        store.close()


def test_postgis_refuses_the_same_and_exports_old_text_without_it(roles, schema):  # noqa: F811
    cases, events = sample(3, officer="田管\x00员")
    first = cases[0]["case_id"]
    events[first][0]["comment"] = "旧意见\x00"
    with store_as(roles, OWNER, schema) as store:
        counts = store.export_cases(cases, events, batch_size=2)  # stored before the rule: not a ValueError
        assert counts["inserted"] == 3 and store.cleaned == 4
        stored = {c["case_id"]: c for c in store.cases()}
        assert stored[first]["officer"] == "田管员"
        with pytest.raises(wf.WorkflowError) as refused:
            store.take_action(first, "issue", "县审核\x00员", "county_reviewer", 1, "请核查", at=T0)
        assert refused.value.code == "control_characters"
        assert {c["case_id"]: c for c in store.cases()}[first]["version"] == 1
