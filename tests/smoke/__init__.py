"""Smoke tests: the real QGIS desktop under xvfb-run with the release zip installed in a throwaway profile."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def run_desktop(base: Path, check: str, env_extra: dict, python_path: tuple[str, ...] = (),
                locale: str | None = None) -> tuple[dict, list[dict], subprocess.CompletedProcess]:
    """Install the plugin into a new profile under ``base``, start QGIS with the script ``check`` (in this folder;
    ``qgis_startup.py`` records the message log) and return its result JSON, the logged messages and the process."""
    if shutil.which("xvfb-run") is None or shutil.which("qgis") is None:
        pytest.fail("xvfb-run and qgis are required (make test installs them)")
    profiles = base / "profiles_root"
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(profiles))
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_plugin.py"), "install"], env=env, check=True,
                   capture_output=True)
    if locale:
        from qgis.PyQt.QtCore import QSettings

        settings = QSettings(str(profiles / "profiles" / "default" / "QGIS" / "QGIS3.ini"),
                             QSettings.Format.IniFormat)
        settings.setValue("locale/overrideFlag", True)  # a Chinese desk: QGIS's UI locale, which the plugin follows
        settings.setValue("locale/userLocale", locale)
        settings.sync()
    log, result = base / "log.jsonl", base / "result.json"
    site = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
    env.update(env_extra, TIANGUAN_SMOKE_LOG=str(log), TIANGUAN_SMOKE_RESULT=str(result),
               PYQGIS_STARTUP=str(HERE / "qgis_startup.py"),
               # the venv's packages (pytest-qgis's and the project's) inside the desktop's Python
               PYTHONPATH=os.pathsep.join([*python_path, str(site), env.get("PYTHONPATH", "")]))
    env.pop("QT_QPA_PLATFORM", None)
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", "qgis", "--profiles-path", str(profiles),
           "--nologo", "--noversioncheck", "--code", str(HERE / check)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert result.exists(), f"QGIS did not finish the check:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    messages = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    return json.loads(result.read_text(encoding="utf-8")), messages, proc
