"""导入/导出田管员花名册 through Processing, on the sample county's roster files and a real 田管库."""
from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from osgeo import ogr

from linxia_tianguan_plugin.core.patrol.roster import HEADERS, to_rows
from linxia_tianguan_plugin.processing.patrol.import_roster import read_xlsx
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage.roster import active_officers, active_roster_id, roster_history
from tests.helpers import recording_feedback, run, run_failing

LEVEL = {"州": 1, "县": 2, "乡": 3, "村": 4, "社": 5}


def _raw_rows(sample_county: Path) -> list[list[str]]:
    """roster.csv as plain text cells, read without the plugin (the truth the imports are compared to)."""
    with open(sample_county / "roster.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == HEADERS
    return rows[1:]


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def _import(path, store, feedback=None, **extra) -> dict:
    params = {"INPUT": str(path), "STORE": str(store), "ISSUES": "TEMPORARY_OUTPUT", **extra}
    result = run("linxia_tianguan:import_roster", params, feedback=feedback)
    layer = result["ISSUES"]
    result["issues"] = [dict(zip(layer.fields().names(), f.attributes())) for f in layer.getFeatures()]
    return result


def _officer_rows(store_path) -> list[list[str]]:
    store = GpkgStore(store_path, create=False)
    try:
        return to_rows(active_officers(store))
    finally:
        store.close()


def _state(store_path) -> tuple[str | None, int]:
    store = GpkgStore(store_path, create=False)
    try:
        return active_roster_id(store), len(roster_history(store))
    finally:
        store.close()


@pytest.fixture(scope="module")
def manifest(sample_county) -> dict:
    return json.loads((sample_county / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def imported(processing_registry, sample_county, tmp_path_factory) -> dict:
    """A store holding the sample's roster (imported from roster.csv)."""
    base = tmp_path_factory.mktemp("roster")
    store = base / "tg.gpkg"
    result = _import(sample_county / "roster.csv", store)
    assert result["ERRORS"] == 0 and result["ROSTER_ID"]
    return {"base": base, "store": store, "roster_id": result["ROSTER_ID"], "result": result}


# ---------------------------------------------------------------- the three forms of the sample roster
@pytest.mark.parametrize("name", ["roster.csv", "roster_gbk.csv", "roster.xlsx"])
def test_each_form_of_the_sample_roster_imports_the_same_officers(processing_registry, sample_county, manifest,
                                                                  tmp_path, name):
    store = tmp_path / "tg.gpkg"
    feedback = recording_feedback()
    result = _import(sample_county / name, store, feedback)
    raw = _raw_rows(sample_county)
    vacancies = manifest["roster"]["vacancies"]
    assert (result["IMPORTED"], result["ERRORS"], result["WARNINGS"]) == (len(raw), 0, len(vacancies))
    assert len(raw) == manifest["roster"]["rows"]
    assert result["ROSTER_ID"].startswith("HMC") and len(result["ROSTER_ID"]) == 3 + 14 + 4
    assert _officer_rows(store) == raw  # every cell as in the file, in the file's order
    # the only problems are the sample's vacant posts, each with its row and code
    assert sorted((i["LX"], i["WGBM"]) for i in result["issues"]) == sorted(("vacant", c) for _, c in vacancies)
    for issue in result["issues"]:
        assert raw[issue["HH"] - 2][1] == issue["WGBM"] and raw[issue["HH"] - 2][7] == "是"
    assert len(feedback.warnings) == len(vacancies)
    assert all(w.startswith(f"{name}, row ") for w in feedback.warnings)
    assert _state(store) == (result["ROSTER_ID"], 1)
    if name.endswith(".csv"):
        encoding = "GB18030" if "gbk" in name else "UTF-8"
        assert any(encoding in line for line in feedback.infos)


def test_utf8_without_bom_and_english_headers(processing_registry, sample_county, tmp_path):
    raw = _raw_rows(sample_county)
    english = tmp_path / "roster_en.csv"
    with open(english, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["level", "grid_code", "grid_name", "name", "role", "post", "phone", "vacant"])
        for r in raw:
            writer.writerow([str(LEVEL[r[0]]), *r[1:4], "officer" if r[4] == "田管员" else "assistant", r[5], r[6],
                             "yes" if r[7] == "是" else "no"])
    assert not english.read_bytes().startswith(b"\xef\xbb\xbf")
    result = _import(english, tmp_path / "tg.gpkg")
    assert result["ERRORS"] == 0 and result["IMPORTED"] == len(raw)
    assert _officer_rows(tmp_path / "tg.gpkg") == raw


def test_xlsx_sheet_choice(processing_registry, sample_county, tmp_path):
    from openpyxl import Workbook

    raw = _raw_rows(sample_county)
    book = tmp_path / "two_sheets.xlsx"
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表由韩集镇填报"])
    sheet = wb.create_sheet("韩集镇")
    sheet.append(["韩集镇田管员花名册"])  # a title row above the header, as county sheets often have
    sheet.append(HEADERS)
    township = [r for r in raw if r[1].startswith("622921100")]
    for r in township:
        # numbers typed as numbers, as Excel users do
        sheet.append([r[0], int(r[1]), r[2], r[3], r[4], r[5], int(r[6]) if r[6] else None, r[7]])
    wb.save(book)
    result = _import(book, tmp_path / "tg.gpkg", SHEET="韩集镇")
    assert result["ERRORS"] == 0 and result["IMPORTED"] == len(township)
    assert _officer_rows(tmp_path / "tg.gpkg") == township
    assert [o.row for o in read_xlsx(str(book), "韩集镇", recording_feedback())] == list(
        range(3, 3 + len(township)))
    message = run_failing("linxia_tianguan:import_roster", {"INPUT": str(book), "STORE": str(tmp_path / "x.gpkg"),
                                                             "SHEET": "城关镇"})
    assert "城关镇" in message and "说明" in message and "韩集镇" in message


def test_a_missing_column_is_named(processing_registry, sample_county, tmp_path):
    raw = _raw_rows(sample_county)
    path = tmp_path / "no_phone.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS[:6] + HEADERS[7:])
        writer.writerows(r[:6] + r[7:] for r in raw)
    message = run_failing("linxia_tianguan:import_roster", {"INPUT": str(path), "STORE": str(tmp_path / "tg.gpkg")})
    assert "no_phone.csv" in message and "电话" in message
    assert not (tmp_path / "tg.gpkg").exists()


# ---------------------------------------------------------------- injected errors
def _first(raw, level):
    return next(i for i, r in enumerate(raw) if r[0] == level and r[7] == "否")


def _inject(raw, kind):
    """(rows, index of the row that must be reported) with one error of ``kind`` put in."""
    rows = [list(r) for r in raw]
    she = [i for i, r in enumerate(rows) if r[0] == "社" and r[7] == "否"]
    if kind == "unknown_level":
        i = _first(rows, "村")
        rows[i][0] = "组长级"
    elif kind == "unknown_role":
        i = _first(rows, "社")
        rows[i][4] = "网格员"
    elif kind == "bad_code":
        i = _first(rows, "村")
        rows[i][1] = rows[i][1][:-1]
    elif kind == "parent_missing":
        i = she[3]
        rows[i][1] = rows[i][1][:9] + "999" + rows[i][1][12:]
    elif kind == "bad_phone":
        i = _first(rows, "乡")
        rows[i][6] = "1301234567"
    elif kind == "missing_phone":
        i = she[5]
        rows[i][6] = ""
    elif kind == "missing_name":
        i = _first(rows, "县")
        rows[i][3] = ""
    elif kind == "duplicate_officer":
        v = _first(rows, "村")
        rows.insert(v + 1, [rows[v][0], rows[v][1], rows[v][2], "马福祥", "田管员", "村主任", "13909300001", "否"])
        i = v + 1
    elif kind == "two_groups":
        i = she[7]
        rows[i][3], rows[i][6] = rows[she[2]][3], rows[she[2]][6]
    else:
        raise AssertionError(kind)
    return rows, i


@pytest.mark.parametrize("kind", ["unknown_level", "unknown_role", "bad_code", "parent_missing", "bad_phone",
                                  "missing_phone", "missing_name", "duplicate_officer", "two_groups"])
def test_each_error_is_reported_and_the_previous_roster_stays(imported, sample_county, tmp_path, kind):
    before = _state(imported["store"])
    rows_before = _officer_rows(imported["store"])
    rows, i = _inject(_raw_rows(sample_county), kind)
    path = _write_csv(tmp_path / f"{kind}.csv", rows)
    feedback = recording_feedback()
    result = _import(path, imported["store"], feedback)
    assert result["IMPORTED"] == 0 and result["ROSTER_ID"] == "" and result["ERRORS"] >= 1
    row, code = i + 2, rows[i][1]
    found = [x for x in result["issues"] if x["LX"] == kind]
    assert [(x["HH"], x["WGBM"]) for x in found] == [(row, code)], result["issues"]
    assert found[0]["JB"] == "Error" and found[0]["WT"]
    line = f"{kind}.csv, row {row}, grid {code}: "
    assert any(e.startswith(line) for e in feedback.errors), feedback.errors
    assert any(imported["roster_id"] in e for e in feedback.errors)  # says which roster stays current
    assert _state(imported["store"]) == before == (imported["roster_id"], before[1])
    assert _officer_rows(imported["store"]) == rows_before


def test_check_only_writes_nothing(imported, sample_county):
    before = _state(imported["store"])
    result = _import(sample_county / "roster.csv", imported["store"], CHECK_ONLY=True)
    assert result["ERRORS"] == 0 and result["IMPORTED"] == 0 and result["ROSTER_ID"] == ""
    assert _state(imported["store"]) == before


def test_warnings_do_not_block(processing_registry, sample_county, tmp_path):
    raw = _raw_rows(sample_county)
    store = tmp_path / "tg.gpkg"
    first = _import(sample_county / "roster.csv", store)
    gone = next(i for i, r in enumerate(raw) if r[0] == "乡" and r[4] == "助理田管员")
    rows = raw[:gone] + raw[gone + 1:]
    result = _import(_write_csv(tmp_path / "no_assistant.csv", rows), store)
    assert result["ERRORS"] == 0 and result["IMPORTED"] == len(rows)
    assert [(x["LX"], x["WGBM"]) for x in result["issues"] if x["LX"] == "missing_assistant"] == [
        ("missing_assistant", raw[gone][1])]
    assert result["WARNINGS"] == first["WARNINGS"] + 1
    active, n = _state(store)
    assert active == result["ROSTER_ID"] != first["ROSTER_ID"] and n == 2
    store_ = GpkgStore(store, create=False)
    try:
        history = roster_history(store_)
    finally:
        store_.close()
    assert [h["active"] for h in history] == [True, False]
    assert [h["rows"] for h in history] == [len(rows), len(raw)]
    assert history[0]["source"].endswith("no_assistant.csv")


# ---------------------------------------------------------------- grid codes: from a layer, from the store
def _grid_table(path: Path, codes: dict[str, int]) -> str:
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = ds.CreateLayer("grid", geom_type=ogr.wkbNone)
    layer.CreateField(ogr.FieldDefn("code", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("level", ogr.OFTInteger))
    for code, level in codes.items():
        f = ogr.Feature(layer.GetLayerDefn())
        f.SetField("code", code)
        f.SetField("level", level)
        layer.CreateFeature(f)
    ds = None
    return f"{path}|layername=grid"


def test_grid_codes_from_a_layer(processing_registry, sample_county, tmp_path):
    raw = _raw_rows(sample_county)
    codes = {r[1]: LEVEL[r[0]] for r in raw}
    she = [r[1] for r in raw if r[0] == "社" and r[7] == "否"]
    extra = she[0][:12] + "99"  # a group of the grid nobody is responsible for
    village = next(c[:12] for c in reversed(she) if c[:12] not in (she[0][:12], she[1][:12]))  # one the grid lacks
    grid = {c: v for c, v in codes.items() if c != she[1] and not c.startswith(village)}
    grid[extra] = 5
    uri = _grid_table(tmp_path / "grid.gpkg", grid)
    result = _import(sample_county / "roster.csv", tmp_path / "tg.gpkg", GRID=uri)
    assert result["ROSTER_ID"] == ""  # the roster names groups of a village the grid does not have
    wanted = ("unknown_grid", "no_grid_cell", "missing_officer")
    found = [(x["LX"], x["WGBM"], x["JB"]) for x in result["issues"] if x["LX"] in wanted]
    lost = [r[1] for r in raw if r[0] == "社" and r[1].startswith(village)]
    assert sorted(found) == sorted([("no_grid_cell", she[1], "Warning"), ("no_grid_cell", village, "Warning"),
                                    ("missing_officer", extra, "Warning")]
                                   + [("unknown_grid", c, "Error") for c in lost])
    assert not (tmp_path / "tg.gpkg").exists()  # an import that fails creates no store
    # without that village's groups the roster goes in, warnings and all
    kept = [r for r in raw if not (r[0] == "社" and r[1].startswith(village))]
    result = _import(_write_csv(tmp_path / "kept.csv", kept), tmp_path / "tg.gpkg", GRID=uri)
    assert result["ERRORS"] == 0 and result["IMPORTED"] == len(kept)
    assert _officer_rows(tmp_path / "tg.gpkg") == kept


def test_grid_codes_from_the_stores_active_grid(processing_registry, sample_county, tmp_path):
    raw = _raw_rows(sample_county)
    path = tmp_path / "tg.gpkg"
    store = GpkgStore(path, epsg=4522)
    cells = [(r[1], LEVEL[r[0]]) for r in {r[1]: r for r in raw}.values() if r[0] != "州"]
    with store.transaction() as conn:
        conn.execute("INSERT INTO tg_grid_build VALUES ('WG1', '2026-01-01T00:00:00Z', NULL, NULL, 0)")
        conn.execute("INSERT INTO tg_grid_build VALUES ('WG2', '2026-02-01T00:00:00Z', NULL, NULL, 1)")
        conn.executemany("INSERT INTO tg_grid_cell (build_id, level, code) VALUES ('WG1', ?, ?)",
                         [(5, "62292199999901")])
        conn.executemany("INSERT INTO tg_grid_cell (build_id, level, code) VALUES ('WG2', ?, ?)",
                         [(level, code) for code, level in cells])
    store.close()
    feedback = recording_feedback()
    result = _import(sample_county / "roster.csv", path, feedback)
    assert result["ERRORS"] == 0 and result["IMPORTED"] == len(raw)  # 州 is known as the county's parent
    assert any(str(len(cells)) in line for line in feedback.infos)
    rows = [list(r) for r in raw]
    i = next(i for i, r in enumerate(rows) if r[0] == "社")
    rows[i][1] = rows[i][1][:9] + "998" + rows[i][1][12:]  # a village the grid does not have
    result = _import(_write_csv(tmp_path / "unknown.csv", rows), path)
    assert [(x["HH"], x["WGBM"]) for x in result["issues"] if x["LX"] == "unknown_grid"] == [(i + 2, rows[i][1])]
    assert result["ROSTER_ID"] == ""


# ---------------------------------------------------------------- export
def _expected_counts(raw, prefix=""):
    out = {str(level): {"grids": 0, "officers": 0, "assistants": 0, "vacancies": 0} for level in range(1, 6)}
    grids = {str(level): set() for level in range(1, 6)}
    for r in raw:
        if not r[1].startswith(prefix):
            continue
        level = str(LEVEL[r[0]])
        grids[level].add(r[1])
        key = "vacancies" if r[7] == "是" else ("officers" if r[4] == "田管员" else "assistants")
        out[level][key] += 1
    for level, codes in grids.items():
        out[level]["grids"] = len(codes)
    return out


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_gives_the_same_officers(imported, sample_county, manifest, tmp_path, suffix):
    raw = _raw_rows(sample_county)
    out = tmp_path / f"export{suffix}"
    feedback = recording_feedback()
    result = run("linxia_tianguan:export_roster", {"STORE": str(imported["store"]), "OUTPUT": str(out)},
                 feedback=feedback)
    assert result["EXPORTED"] == len(raw) and Path(result["OUTPUT"]) == out
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temporary file left behind
    if suffix == ".csv":
        assert out.read_bytes().startswith(b"\xef\xbb\xbf" + "层级".encode())
    counts = json.loads(result["COUNTS"])
    assert counts["levels"] == _expected_counts(raw) and counts["roster_id"] == imported["roster_id"]
    assert sum(c["vacancies"] for c in counts["levels"].values()) == len(manifest["roster"]["vacancies"])
    assert sum(c["grids"] for c in counts["levels"].values()) == len({r[1] for r in raw})
    assert any(line.startswith("社: ") for line in feedback.infos)
    again = _import(out, tmp_path / "again.gpkg")
    assert again["ERRORS"] == 0 and _officer_rows(tmp_path / "again.gpkg") == raw


def test_export_of_a_township_and_its_counts(imported, sample_county, tmp_path):
    raw = _raw_rows(sample_county)
    township = next(r[1] for r in raw if r[0] == "乡")
    out = tmp_path / "township.xlsx"
    out.write_text("an older export")  # replaced, atomically
    result = run("linxia_tianguan:export_roster", {"STORE": str(imported["store"]), "PREFIX": township,
                                                   "OUTPUT": str(out)})
    mine = [r for r in raw if r[1].startswith(township)]
    assert result["EXPORTED"] == len(mine) > 5
    counts = json.loads(result["COUNTS"])["levels"]
    assert counts == _expected_counts(raw, township)
    assert counts["1"]["grids"] == counts["2"]["grids"] == 0 and counts["3"]["grids"] == 1
    assert Counter(r[0] for r in mine)["社"] == counts["5"]["grids"]
    again = _import(out, tmp_path / "again.gpkg")
    assert again["ERRORS"] == 0 and _officer_rows(tmp_path / "again.gpkg") == mine


def test_export_refuses_bad_targets(imported, tmp_path):
    digest = imported["store"].read_bytes()
    for params, words in (
        ({"OUTPUT": str(tmp_path / "roster.gpkg")}, ".xlsx"),
        ({"OUTPUT": str(tmp_path / "r.csv"), "PREFIX": "62292"}, "62292"),
        ({"OUTPUT": str(tmp_path / "r.csv"), "STORE": str(tmp_path / "none.gpkg")}, "none.gpkg"),
    ):
        message = run_failing("linxia_tianguan:export_roster", {"STORE": str(imported["store"]), **params})
        assert words in message
    assert imported["store"].read_bytes() == digest
    assert not list(tmp_path.iterdir())


def test_export_without_a_roster(processing_registry, tmp_path):
    store = GpkgStore(tmp_path / "empty.gpkg", epsg=4522)
    store.close()
    message = run_failing("linxia_tianguan:export_roster", {"STORE": str(tmp_path / "empty.gpkg"),
                                                             "OUTPUT": str(tmp_path / "r.xlsx")})
    assert "no roster" in message
    assert not (tmp_path / "r.xlsx").exists()


def test_algorithms_are_registered_with_help(processing_registry):
    for name, label in (("import_roster", "Import officer roster"), ("export_roster", "Export officer roster")):
        algorithm = processing_registry.algorithmById(f"linxia_tianguan:{name}")
        assert algorithm is not None and algorithm.displayName() == label
        assert algorithm.groupId() == "patrol" and "田管员花名册" in algorithm.shortHelpString()


def test_cancelled_import_changes_nothing(imported, sample_county):
    before = _state(imported["store"])
    feedback = recording_feedback()
    feedback.cancel()
    result = run("linxia_tianguan:import_roster", {"INPUT": str(sample_county / "roster.csv"),
                                                   "STORE": str(imported["store"])}, feedback=feedback)
    assert not result.get("ROSTER_ID")
    assert _state(imported["store"]) == before


def test_copy_of_the_store_is_unaffected_by_failed_imports(imported, sample_county, tmp_path):
    """The failed imports above left the store byte-for-byte readable by OGR with the first roster."""
    copy = tmp_path / "copy.gpkg"
    shutil.copy(imported["store"], copy)
    for suffix in ("-wal", "-shm"):
        side = Path(str(imported["store"]) + suffix)
        if side.exists():
            shutil.copy(side, str(copy) + suffix)
    ds = ogr.Open(str(copy))
    layer = ds.GetLayerByName("tg_officer")
    layer.SetAttributeFilter(f"roster_id = '{imported['roster_id']}'")
    assert layer.GetFeatureCount() == len(_raw_rows(sample_county))
