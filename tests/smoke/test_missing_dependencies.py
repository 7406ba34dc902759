"""Smoke test: the real QGIS desktop under xvfb-run, the plugin installed and enabled in a throwaway profile
with a Chinese UI, and shapely hidden from QGIS's Python (a sitecustomize.py first on PYTHONPATH refuses it).
The plugin must show one Chinese message bar saying what to install, register nothing, unload cleanly, and
no Python error or traceback may reach the message log, a dialog or the console."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_dependencies import assert_the_missing_shapely_message, hiding_pythonpath

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TAG = "临夏田管"

pytestmark = pytest.mark.smoke


@pytest.fixture(scope="module")
def desktop_without_shapely(tmp_path_factory):
    if shutil.which("xvfb-run") is None or shutil.which("qgis") is None:
        pytest.fail("xvfb-run and qgis are required (make test installs them)")
    base = tmp_path_factory.mktemp("desktop_without_shapely")
    profiles = base / "profiles_root"
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(profiles))
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_plugin.py"), "install"], env=env, check=True,
                   capture_output=True)
    from qgis.PyQt.QtCore import QSettings

    settings = QSettings(str(profiles / "profiles" / "default" / "QGIS" / "QGIS3.ini"), QSettings.IniFormat)
    settings.setValue("locale/overrideFlag", True)  # a Chinese desk: QGIS's UI locale, which the plugin follows
    settings.setValue("locale/userLocale", "zh_CN")
    settings.sync()
    log, result = base / "log.jsonl", base / "result.json"
    site = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
    env.update(
        TIANGUAN_SMOKE_LOG=str(log), TIANGUAN_SMOKE_RESULT=str(result), PYQGIS_STARTUP=str(HERE / "qgis_startup.py"),
        PYTHONPATH=os.pathsep.join([hiding_pythonpath(base / "hide", "shapely"), str(site),
                                    env.get("PYTHONPATH", "")]),
    )
    env.pop("QT_QPA_PLATFORM", None)
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", "qgis", "--profiles-path", str(profiles),
           "--nologo", "--noversioncheck", "--code", str(HERE / "qgis_check_missing.py")]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert result.exists(), f"QGIS did not finish the check:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    messages = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    return json.loads(result.read_text(encoding="utf-8")), messages, proc


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
