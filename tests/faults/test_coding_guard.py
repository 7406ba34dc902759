"""The guard of the county's codes (issue 15): a coding run with a wrong DLTB — one township's, with the county's
contract parcels — would retire most of the store's codes; it stops before anything is written, a preview lists
what would happen, and only an explicit "replacing the county's survey" lets it through."""
from __future__ import annotations

import shutil
import sqlite3

import pytest

from linxia_tianguan_plugin.core import coding_guard
from tests.helpers import run

ALG = "linxia_tianguan:space_code"


def _layers(gpkg):
    layer = lambda name: f"{gpkg}|layername={name}"  # noqa: E731
    return {"DLTB": layer("DLTB"), "DK": layer("DK"), "YJJBNT": layer("YJJBNTTB"), "CJDCQ": layer("CJDCQ")}


def _state(store) -> tuple:
    """What a coding run changes: the active codes, every code's status, and the recorded runs."""
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return (con.execute("SELECT count(*) FROM tg_space_code WHERE status = 'active'").fetchone()[0],
                con.execute("SELECT group_concat(code || status, ',') FROM (SELECT code, status FROM tg_space_code "
                            "ORDER BY code)").fetchone()[0],
                con.execute("SELECT count(*) FROM tg_coding_run").fetchone()[0])
    finally:
        con.close()


@pytest.fixture(scope="module")
def coded(processing_registry, sample_gpkg, tmp_path_factory):
    store = tmp_path_factory.mktemp("guard") / "tianguan.gpkg"
    first = run(ALG, {**_layers(sample_gpkg), "STORE": str(store)})
    assert first["CODED"] > 1000
    return store, first


@pytest.fixture
def store(coded, tmp_path):
    path = tmp_path / "tianguan.gpkg"
    shutil.copy(coded[0], path)
    return path


def _one_township(sample_gpkg) -> dict:
    """The county's layers, but DLTB of its first township only (as a desk that exported the wrong file)."""
    con = sqlite3.connect(f"file:{sample_gpkg}?mode=ro", uri=True)
    try:
        first = con.execute("SELECT substr(ZLDWDM, 1, 9) FROM DLTB ORDER BY ZLDWDM LIMIT 1").fetchone()[0]
    finally:
        con.close()
    params = _layers(sample_gpkg)
    params["DLTB"] += f"|subset=substr(\"ZLDWDM\", 1, 9) = '{first}'"
    return params


def test_a_one_township_dltb_is_refused_and_nothing_is_written(store, sample_gpkg):
    from qgis.core import QgsProcessingException

    before = _state(store)
    with pytest.raises(QgsProcessingException) as refused:
        run(ALG, {**_one_township(sample_gpkg), "STORE": str(store)})
    message = str(refused.value)
    assert "Nothing was written" in message or "未写入" in message
    assert "Preview only" in message or "仅预览" in message
    assert _state(store) == before  # not one code retired, no run recorded
    assert not list(store.parent.glob("*staging*"))  # the run's staging files are gone too


def test_a_preview_counts_and_lists_the_retirements_without_writing(store, sample_gpkg):
    before = _state(store)
    result = run(ALG, {**_one_township(sample_gpkg), "STORE": str(store), "PREVIEW": True,
                       "ISSUES": "TEMPORARY_OUTPUT"})
    assert _state(store) == before
    assert result["RETIRED"] > 0.5 * before[0]  # most of the county would have gone
    assert result["KEPT"] + result["RETIRED"] <= before[0]


def test_a_preview_writes_the_retirements_layer(store, sample_gpkg, tmp_path):
    out = tmp_path / "preview_issues.gpkg"
    result = run(ALG, {**_one_township(sample_gpkg), "STORE": str(store), "PREVIEW": True, "ISSUES": str(out)})
    con = sqlite3.connect(out)
    try:
        table = con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'").fetchone()[0]
        retired = con.execute(f'SELECT count(*) FROM "{table}" WHERE LX = ?', ("code_retired",)).fetchone()[0]
    finally:
        con.close()
    assert retired == result["RETIRED"] > 0


def test_replacing_the_survey_is_an_explicit_choice(store, sample_gpkg):
    before = _state(store)
    result = run(ALG, {**_one_township(sample_gpkg), "STORE": str(store), "REPLACE_SURVEY": True})
    after = _state(store)
    assert result["RETIRED"] > 0 and after[0] == before[0] - result["RETIRED"] + result["NEW"]
    assert after[2] == before[2] + 1


def test_a_normal_rerun_passes_the_guard(coded, store, sample_gpkg):
    result = run(ALG, {**_layers(sample_gpkg), "STORE": str(store)})
    assert result["RETIRED"] == 0 and result["KEPT"] == coded[1]["CODED"]


@pytest.mark.parametrize("previous, kept, retired, share, replacing, allowed", [
    (0, 0, 0, 0.05, False, True),  # a new store: nothing to protect
    (1000, 990, 10, 0.05, False, True),  # splits and merges: 1 %
    (1000, 950, 50, 0.05, False, True),  # exactly the limit
    (1000, 949, 51, 0.05, False, False),
    (1000, 0, 0, 0.05, False, False),  # keeps none of them
    (1000, 10, 990, 0.05, True, True),  # the analyst replaces the survey
])
def test_the_verdict(previous, kept, retired, share, replacing, allowed):
    assert coding_guard.judge(previous, kept, retired, share, replacing).allowed is allowed


def test_codes_in_scope_are_counted_by_township_prefix():
    codes = ["62292110000101000014", "62292110100101000013", "62292120000101000015", ""]
    assert coding_guard.in_scope(codes, ["622921100", "622921200"]) == 2
    assert coding_guard.in_scope([], ["622921100"]) == 0
