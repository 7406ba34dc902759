"""The guard of the county's codes (issue 15): a coding run with a wrong DLTB — one township's, with the county's
contract parcels — would retire most of the store's codes; it stops before anything is written, a preview lists
what would happen, and only an explicit "replacing the county's survey" lets it through."""
from __future__ import annotations

import shutil
import sqlite3

import numpy as np
import pytest

from linxia_tianguan_plugin.core.coding import guard as coding_guard
from tests.helpers import run, run_failing

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


# ------------------------------------------------------------------------------------------------ undo
UNDO = "linxia_tianguan:undo_space_code"


def _registry(store) -> dict:
    """Every code's full row but its geometry's blob, and the geometry as WKB hex: what an exact undo restores."""
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        names = [r[1] for r in con.execute("PRAGMA table_info(tg_space_code)") if r[1] != "fid"]
        rows = con.execute(f"SELECT {', '.join(names)} FROM tg_space_code ORDER BY code").fetchall()
        lineage = con.execute("SELECT * FROM tg_code_lineage ORDER BY parent, child").fetchall()
    finally:
        con.close()
    return {"rows": {r[names.index("code")]: dict(zip(names, r)) for r in rows}, "lineage": lineage}


def test_undo_restores_a_replacing_run_exactly(store, sample_gpkg):
    before = _registry(store)
    replaced = run(ALG, {**_one_township(sample_gpkg), "STORE": str(store), "REPLACE_SURVEY": True})
    assert replaced["RETIRED"] > 0.5 * len(before["rows"])
    preview = run(UNDO, {"STORE": str(store), "PREVIEW": True})
    assert preview["RUN_ID"] == replaced["RUN_ID"] and _registry(store)["rows"] != before["rows"]
    done = run(UNDO, {"STORE": str(store)})
    assert done["RESTORED"] == replaced["RETIRED"] and done["WITHDRAWN"] == replaced["NEW"]
    # every code is back exactly as it was: geometry, areas, QR payload, lineage fields, status
    assert _registry(store) == before
    again = run(ALG, {**_layers(sample_gpkg), "STORE": str(store)})  # the county's own survey again
    assert again["NEW"] == 0 and again["RETIRED"] == 0
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException):  # only the latest run, once (the re-run changed nothing)
        run(UNDO, {"STORE": str(store)})


def test_the_codes_of_an_undone_run_are_never_issued_again(processing_registry, sample_gpkg, tmp_path):
    store = tmp_path / "tianguan.gpkg"
    run(ALG, {**_one_township(sample_gpkg), "STORE": str(store)})  # a store that had one township
    before = _registry(store)
    county = run(ALG, {**_layers(sample_gpkg), "STORE": str(store)})  # then the whole county: new codes
    assert county["NEW"] > 1000
    done = run(UNDO, {"STORE": str(store)})
    assert done["WITHDRAWN"] == county["NEW"] and done["RESTORED"] == 0
    after = _registry(store)
    undone = set(after["rows"]) - set(before["rows"])
    assert len(undone) == county["NEW"]
    assert {code: after["rows"][code] for code in before["rows"]} == before["rows"]
    assert {(after["rows"][c]["status"], after["rows"][c]["retire_reason"]) for c in undone} == {("retired", "undone")}
    again = run(ALG, {**_layers(sample_gpkg), "STORE": str(store)})
    assert again["NEW"] == county["NEW"]
    fresh = {c for c, row in _registry(store)["rows"].items() if row["status"] == "active"} - set(before["rows"])
    assert len(fresh) == county["NEW"] and not fresh & undone  # other numbers: a printed label never lies


def test_undo_gives_changed_parcels_their_old_values(store, sample_gpkg):
    """A run that changes parcels in place (no permanent basic farmland given: their 永农 areas change, the parcels
    and codes stay): the undo puts the old values back."""
    before = _registry(store)
    params = {**_layers(sample_gpkg), "STORE": str(store)}
    del params["YJJBNT"]
    result = run(ALG, params)
    assert result["RETIRED"] == 0 and result["NEW"] == 0
    middle = _registry(store)
    changed = [c for c in before["rows"] if middle["rows"][c] != before["rows"][c]]
    assert changed
    done = run(UNDO, {"STORE": str(store)})
    assert done["REVERTED"] == len(changed) and done["RESTORED"] == done["WITHDRAWN"] == 0
    assert _registry(store) == before


def _dltb_sql(sample_gpkg, out, select: str) -> str:
    """DLTB of the sample through ``select`` (an SQLite SELECT over DLTB), written to ``out``."""
    from osgeo import gdal

    options = gdal.VectorTranslateOptions(SQLStatement=select, SQLDialect="SQLITE", layerName="DLTB", format="GPKG")
    assert gdal.VectorTranslate(str(out), str(sample_gpkg), options=options) is not None
    return f"{out}|layername=DLTB"


def test_a_dltb_of_another_county_is_refused_before_coding(store, sample_gpkg, tmp_path):
    """康乐县's DLTB (the sample's with its ZLDWDM moved to 622922) into this county's store: named, refused even
    when the analyst says the survey is replaced (one store holds one county), the store untouched."""
    from osgeo import ogr

    src = ogr.Open(str(sample_gpkg))
    defn = src.GetLayerByName("DLTB").GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    geom = src.GetLayerByName("DLTB").GetGeometryColumn() or "geom"
    src = None
    columns = ", ".join("'622922' || substr(ZLDWDM, 7) AS ZLDWDM" if n == "ZLDWDM" else f'"{n}"' for n in names)
    own = sqlite3.connect(f"file:{sample_gpkg}?mode=ro", uri=True).execute(
        "SELECT substr(ZLDWDM, 1, 6) FROM DLTB LIMIT 1").fetchone()[0]
    assert own != "622922"
    other = _dltb_sql(sample_gpkg, tmp_path / "kangle.gpkg", f'SELECT "{geom}", {columns} FROM DLTB')
    before = _state(store)
    for replacing in (False, True):
        message = run_failing(ALG, {"DLTB": other, "STORE": str(store), "REPLACE_SURVEY": replacing})
        assert "622922" in message and own in message and str(store) in message, message
        assert "康乐县" in message
        assert _state(store) == before


def test_a_dltb_under_the_wrong_plain_zone_label_is_refused_by_its_place(store, sample_gpkg, tmp_path):
    """The county's DLTB with the zone number dropped (x ≈ 5xx xxx, CM 102°E) but labelled CM 105°E (EPSG:4544):
    both are plain CRSs, so the numbers cannot tell; reprojected it lands ~280 km east of the store's parcels and
    is refused before anything is coded."""
    shifted = tmp_path / "shifted.gpkg"
    run("native:translategeometry", {"INPUT": f"{sample_gpkg}|layername=DLTB", "DELTA_X": -34_000_000,
                                     "OUTPUT": str(shifted)})
    labelled = tmp_path / "dltb_4544.gpkg"
    run("native:assignprojection", {"INPUT": str(shifted), "CRS": "EPSG:4544", "OUTPUT": str(labelled)})
    before = _state(store)
    message = run_failing(ALG, {"DLTB": str(labelled), "STORE": str(store)})
    assert str(store) in message and "CRS" in message, message
    assert _state(store) == before


def test_the_place_of_a_run(sample_gpkg):
    store_codes = ["62292110100101000011", "62292110200101000021"]
    boxes = np.array([[0, 0, 10, 10], [10, 0, 20, 10]], dtype=float)
    inside = coding_guard.place(store_codes, boxes, ["622921101"], np.array([[2, 2, 5, 5]], dtype=float))
    assert not inside.other_county and not inside.elsewhere and inside.overlap == 1.0
    neighbour = coding_guard.place(store_codes, boxes, ["622921103"], np.array([[20, 0, 30, 10]], dtype=float))
    assert not neighbour.elsewhere  # touching along an edge: the next township
    away = coding_guard.place(store_codes, boxes, ["622921101"], np.array([[300, 0, 310, 10]], dtype=float))
    assert away.elsewhere
    other = coding_guard.place(store_codes, boxes, ["622922101"], np.array([[2, 2, 5, 5]], dtype=float))
    assert other.other_county and other.store_counties == ("622921",) and other.run_counties == ("622922",)
    empty = coding_guard.place([], np.zeros((0, 4)), ["622922101"], np.array([[2, 2, 5, 5]], dtype=float))
    assert not empty.other_county and not empty.elsewhere  # a new store: nothing to compare with
