"""Smoke test: the real QGIS desktop under xvfb-run, the plugin installed and enabled in a throwaway profile
with a Chinese UI, and shapely hidden from QGIS's Python (a sitecustomize.py first on PYTHONPATH refuses it).
The plugin must show one Chinese message bar saying what to install, register nothing, unload cleanly, and
no Python error or traceback may reach the message log, a dialog or the console."""

import pytest

from tests.smoke import run_desktop
from tests.test_dependencies import assert_the_missing_shapely_message, hiding_pythonpath

TAG = "临夏田管"

pytestmark = pytest.mark.smoke


@pytest.fixture(scope="module")
def desktop_without_shapely(tmp_path_factory):
    base = tmp_path_factory.mktemp("desktop_without_shapely")
    return run_desktop(base, "qgis_check_missing.py", {}, (hiding_pythonpath(base / "hide", "shapely"),),
                       locale="zh_CN")


def test_one_chinese_message_bar_says_what_to_install(desktop_without_shapely):
    result, _, _ = desktop_without_shapely
    assert not result["shapely_importable"]  # hidden indeed
    assert "linxia_tianguan_plugin" in result["active_plugins"]
    assert result["plugin"] == "MissingDependenciesPlugin"
    ours = [item for item in result["loaded"]["bar"] if item[0] == TAG or "linxia" in item[1].lower()
            or "临夏田管" in item[1] or "Python" in item[0]]
    assert len(ours) == 1, result["loaded"]["bar"]
    title, text, level, buttons = ours[0]
    assert title == TAG and level == 2 and buttons == ["安装方法…"]  # Qgis.Critical; the button shows it all
    assert_the_missing_shapely_message(text)
    assert "shapely（未安装）" in text


def test_nothing_is_registered_and_unload_is_clean(desktop_without_shapely):
    result, _, _ = desktop_without_shapely
    loaded, unloaded = result["loaded"], result["unloaded"]
    assert not loaded["provider"] and not loaded["toolbar"] and loaded["actions"] == [] and loaded["docks"] == []
    assert result["unload_ok"] and not result["active_after_unload"]
    assert not [item for item in unloaded["bar"] if item[0] == TAG]  # its message went with it
    assert not unloaded["provider"] and unloaded["actions"] == []


def test_no_python_error_or_traceback_anywhere(desktop_without_shapely):
    result, messages, proc = desktop_without_shapely
    assert result["loaded"]["dialogs"] == []  # no stack-trace window
    assert [m for m in messages if m["tag"].startswith("Python")] == []
    assert [m for m in messages if "Traceback" in m["message"]] == []
    assert "Traceback" not in proc.stdout + proc.stderr
    ours = [m for m in messages if m["tag"] == TAG]
    assert len(ours) == 1 and ours[0]["level"] == 2 and "shapely（未安装）" in ours[0]["message"]
