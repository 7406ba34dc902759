"""Creating a 田管库 is an explicit choice (issue 15): a typo in STORE must not send an import into a new, empty
store, and a file that is not a 田管库 — the county's data GeoPackage, a text file named .gpkg, a folder — is
refused with a message that names it, and is left exactly as it was."""
from __future__ import annotations

import shutil
import sqlite3

import pytest

from tests.helpers import file_digest, run, run_failing


def _layers(gpkg):
    layer = lambda name: f"{gpkg}|layername={name}"  # noqa: E731
    return {"DLTB": layer("DLTB"), "DK": layer("DK"), "YJJBNT": layer("YJJBNTTB"), "CJDCQ": layer("CJDCQ")}


def _creators(county, store) -> dict[str, dict]:
    """The algorithms that may start a store, each with the county's input and ``store`` as STORE."""
    gpkg = county / "sample_county.gpkg"
    return {
        "linxia_tianguan:space_code": {**_layers(gpkg), "STORE": str(store)},
        "linxia_tianguan:build_grid": {"XZQ": f"{gpkg}|layername=XZQ", "CJDCQ": f"{gpkg}|layername=CJDCQ",
                                       "STORE": str(store), "OUTPUT": "TEMPORARY_OUTPUT"},
        "linxia_tianguan:import_tracks": {"FOLDER": str(county / "tracks"), "STORE": str(store)},
        "linxia_tianguan:import_roster": {"INPUT": str(county / "roster.csv"), "STORE": str(store)},
    }


def _tables(path) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    finally:
        con.close()


ALGORITHMS = ["linxia_tianguan:space_code", "linxia_tianguan:build_grid", "linxia_tianguan:import_tracks",
              "linxia_tianguan:import_roster"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_store_path_with_a_typo_is_refused_and_no_store_is_made(processing_registry, county, tmp_path, algorithm):
    typo = tmp_path / "tianguan_typo.gpkg"
    params = dict(_creators(county, typo)[algorithm], NEW_STORE=False)
    message = run_failing(algorithm, params)
    assert str(typo) in message
    # the message says what to do: check the path or choose to create the store (the option's own words)
    from linxia_tianguan_plugin.store_messages import new_store_option

    assert new_store_option() in message
    assert not typo.exists()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_the_countys_data_geopackage_is_never_written_into(processing_registry, county, tmp_path, algorithm):
    data = tmp_path / "sample_county.gpkg"
    shutil.copy(county / "sample_county.gpkg", data)
    before, tables = file_digest(data), _tables(data)
    # a data GeoPackage is refused even when the user ticked "create a new store"
    message = run_failing(algorithm, dict(_creators(county, data)[algorithm], NEW_STORE=True))
    assert str(data) in message and "DLTB" in message  # names the file and the data it holds
    assert file_digest(data) == before and _tables(data) == tables
    assert not any(t.startswith("tg_") for t in _tables(data))


def test_a_file_that_is_not_a_geopackage_is_refused(processing_registry, county, tmp_path):
    fake = tmp_path / "tianguan.gpkg"
    fake.write_text("<html>not a store</html>", encoding="utf-8")
    message = run_failing("linxia_tianguan:import_tracks",
                          dict(_creators(county, fake)["linxia_tianguan:import_tracks"], NEW_STORE=True))
    assert str(fake) in message
    assert fake.read_text(encoding="utf-8") == "<html>not a store</html>"


def test_a_folder_given_as_store_is_refused(processing_registry, county, tmp_path):
    folder = tmp_path / "store.gpkg"
    folder.mkdir()
    message = run_failing("linxia_tianguan:import_tracks",
                          dict(_creators(county, folder)["linxia_tianguan:import_tracks"], NEW_STORE=True))
    assert str(folder) in message and not any(folder.iterdir())


def test_readers_refuse_a_data_geopackage_too(processing_registry, county, tmp_path):
    data = tmp_path / "data.gpkg"
    shutil.copy(county / "sample_county.gpkg", data)
    before = file_digest(data)
    message = run_failing("linxia_tianguan:patrol_coverage", {"STORE": str(data)})
    assert str(data) in message
    assert file_digest(data) == before


def test_new_store_creates_once_and_then_opens_the_existing_store(processing_registry, county, tmp_path):
    store = tmp_path / "new" / "tianguan.gpkg"
    store.parent.mkdir()
    params = dict(_creators(county, store)["linxia_tianguan:space_code"], NEW_STORE=True)
    first = run("linxia_tianguan:space_code", params)
    assert store.exists() and first["NEW"] > 1000
    # ticking it again on a store that is there opens that store: nothing is recreated, the codes are kept
    again = run("linxia_tianguan:space_code", params)
    assert again["NEW"] == 0 and again["KEPT"] == first["CODED"]
    # and without the option the existing store is simply used
    tracks = run("linxia_tianguan:import_tracks", dict(_creators(county, store)["linxia_tianguan:import_tracks"],
                                                       NEW_STORE=False))
    assert tracks["TRACKS"] > 0


def test_an_empty_file_or_empty_geopackage_may_become_the_store(processing_registry, county, tmp_path):
    """What a desk makes by hand first (an empty file, or a GeoPackage QGIS created with no layer) is not data."""
    from qgis.core import QgsProviderRegistry

    empty = tmp_path / "empty.gpkg"
    empty.touch()
    params = _creators(county, empty)["linxia_tianguan:import_roster"]
    # without the choice an empty file is not a store either
    assert str(empty) in run_failing("linxia_tianguan:import_roster", dict(params, NEW_STORE=False))
    assert empty.stat().st_size == 0
    run("linxia_tianguan:import_roster", dict(params, NEW_STORE=True))
    assert "tg_schema_migrations" in _tables(empty)

    made = tmp_path / "made_by_qgis.gpkg"
    metadata = QgsProviderRegistry.instance().providerMetadata("ogr")
    metadata.createDatabase(str(made))  # what the Browser's "New GeoPackage…" makes: no layer yet
    assert made.exists() and "tg_schema_migrations" not in _tables(made)
    params = _creators(county, made)["linxia_tianguan:import_roster"]
    assert str(made) in run_failing("linxia_tianguan:import_roster", dict(params, NEW_STORE=False))
    run("linxia_tianguan:import_roster", dict(params, NEW_STORE=True))
    assert "tg_schema_migrations" in _tables(made)
