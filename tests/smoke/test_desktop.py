"""Smoke test: the real QGIS desktop under xvfb-run, the plugin installed and enabled in a throwaway
profile. It must register its provider and algorithms, show its toolbar and menu, code a sample
county from the toolbar button, unload without leaving anything behind, and log no Python error."""
import json
import shutil
from pathlib import Path

import pytest

from tests.smoke import run_desktop

pytestmark = pytest.mark.smoke


@pytest.fixture(scope="module")
def desktop_run(tmp_path_factory, sample_gpkg, sample_county):
    base = tmp_path_factory.mktemp("desktop")
    tracks = base / "tracks"  # a few of the sample week's walks, for the replay dock
    tracks.mkdir()
    manifest = json.loads((sample_county / "manifest.json").read_text(encoding="utf-8"))["tracks"]["files"]
    for name in [n for n, kind in sorted(manifest.items()) if kind == "good"][:3]:
        shutil.copy(sample_county / name, tracks / Path(name).name)
    result, messages, _ = run_desktop(base, "qgis_check.py", {"TIANGUAN_SMOKE_SAMPLE": str(sample_gpkg),
                                                               "TIANGUAN_SMOKE_TRACKS": str(tracks)})
    return result, messages


def test_provider_algorithms_toolbar_and_menu(desktop_run):
    result, _ = desktop_run
    loaded = result["loaded"]
    assert "linxia_tianguan_plugin" in result["active_plugins"]
    assert loaded["provider"]
    from linxia_tianguan_plugin.processing.provider import ALGORITHMS

    # every algorithm of the provider, as the installed plugin registers them in the real desktop
    expected = {f"linxia_tianguan:{algorithm().name()}" for algorithm in ALGORITHMS}
    assert len(expected) >= 10
    assert set(loaded["algorithms"]) == expected
    assert loaded["toolbar"]
    assert {"linxia_tianguan_one_click", "linxia_tianguan_decode", "linxia_tianguan_validate",
            "linxia_tianguan_settings", "linxia_tianguan_track_replay",
            "linxia_tianguan_case_map_tool"} <= set(loaded["actions"])


def test_one_click_codes_the_loaded_sample_and_loads_a_labelled_layer(desktop_run):
    result, _ = desktop_run
    # the desk's store was not there: one-click asked before creating it (the question names the path)
    assert result.get("asked_new_store", "").count(".gpkg") == 1, result["steps"]
    assert result["coded_layer"], result["steps"]
    assert result["coded_count"] > 1000
    assert result["coded_labels"] and result["coded_renderer"] == "categorizedSymbol"


def test_the_coding_summary_is_the_message_bar_item_left_on_top(desktop_run):
    """QGIS's own "Task complete" bar must not cover the run's figures: the summary is on top and stays."""
    result, _ = desktop_run
    top = result["bar_after_coding"]
    assert top is not None, result["bar_items_after_coding"]
    title, text, level, duration = top
    assert title == "Space coding" and f"{result['coded_count']} " in text, result["bar_items_after_coding"]
    assert level == 3 and duration == 0  # Qgis.MessageLevel.Success, until closed


def test_the_locator_bar_finds_a_case_by_prefix_and_space_code(desktop_run):
    """Typed into the real locator bar: the prefix is the one QGIS keeps active (a two-letter one is dropped),
    the case stored on a coded parcel is found by its space code and choosing it opens it in the case dock."""
    result, _ = desktop_run
    assert "located" in result["steps"], (result["steps"], result.get("error"))
    assert result["locator_widget"] and result["locator_prefix"] == "tga"
    case_id, code = result["locator_case_id"], result["locator_code"]
    assert [found[1] for found in result["locator_tga"]] == [case_id], result["locator_tga"]
    assert code[:14] in result["locator_tga"][0][0]  # the label names the case's grid
    assert [found[1] for found in result["locator_aj"]] == [case_id]  # the old "aj <code>" habit still works
    assert result["locator_opened_case"] == case_id


def test_the_replay_dock_opens_from_the_toolbar_and_plays_a_patrol(desktop_run):
    result, _ = desktop_run
    assert "replayed" in result["steps"], result["steps"]
    assert result["tracks_imported"] >= 3 and result["replay_patrols"] >= 1  # the chosen officer's patrols
    assert result["replay_dock"] and result["replay_layers"] == 3
    assert result["replay_clock_start"] not in ("", "—")
    assert result["replay_index_after_play"] > 0  # the timer moved the patrol on by itself
    assert result["replay_index_after_step"] == result["replay_index_after_play"] + 1
    assert result["replay_figures"] and result["replay_extent_ok"]
    assert result["case_dock"]  # the 案件审核 dock opens from its toolbar button too
    assert result["case_map_tool"]  # and the 点选案件 button sets its map tool on the canvas


def test_the_dashboard_opens_from_the_toolbar_and_shows_the_coded_county(desktop_run):
    result, _ = desktop_run
    assert result["dashboard_dock"] and result["dashboard_store"]
    assert result["dashboard_farmland_rows"] > 0  # townships of the county just coded
    assert result["dashboard_chart_axes"] >= 1


def test_unload_removes_everything(desktop_run):
    result, _ = desktop_run
    unloaded = result["unloaded"]
    assert not unloaded["provider"] and not unloaded["toolbar"] and unloaded["actions"] == []
    assert not result["unloaded_dock"]
    assert result["map_tool_after_unload"] != "CaseMapTool"  # the canvas does not keep the unloaded tool
    # the layers of the case dock (opened from the locator) and of the replay went too
    assert result["layers_after_unload"] == result["layers_before_docks"]


def test_no_python_error_reached_the_message_log(desktop_run):
    _, messages = desktop_run
    errors = [m for m in messages if m["tag"] in ("Python error", "Python warning")
              or (m["level"] >= 2 and "linxia" in (m["tag"] + m["message"]).lower())]
    assert errors == []
    assert any("linxia_tianguan_plugin" in m["message"] for m in messages if m["tag"] == "Plugins")
