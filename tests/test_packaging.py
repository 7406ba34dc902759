"""The release zip and the command line: what QGIS's Plugin Manager and qgis_process get."""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _build(command, env=None):
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_plugin.py"), command], cwd=ROOT,
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return Path(proc.stdout.strip().splitlines()[-1])


def test_package_is_an_installable_zip_without_development_files():
    archive = _build("package")
    names = zipfile.ZipFile(archive).namelist()
    assert all(n.startswith("linxia_tianguan_plugin/") for n in names)
    for required in ("metadata.txt", "__init__.py", "plugin.py", "i18n/linxia_tianguan_zh_CN.qm",
                     "resources/linxia_admin_divisions.csv", "resources/styles/tg_space_code.qml",
                     "icons/linxia_tianguan.svg", "docs/space-code.md"):
        assert f"linxia_tianguan_plugin/{required}" in names, required
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".ts")) or "/tests/" in n]
    metadata = zipfile.ZipFile(archive).read("linxia_tianguan_plugin/metadata.txt").decode()
    assert "qgisMinimumVersion=3.22" in metadata and "hasProcessingProvider=yes" in metadata


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    root = tmp_path_factory.mktemp("qgis_profile")
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(root))
    _build("install", env)
    site = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    return env


def _qgis_process(env, *args):
    binary = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"
    return subprocess.run([binary, *args], env=env, capture_output=True, text=True, timeout=300)


def test_qgis_process_lists_the_installed_plugin(profile):
    proc = _qgis_process(profile, "list")
    assert proc.returncode == 0, proc.stderr
    for algorithm in ("linxia_tianguan:space_code", "linxia_tianguan:validate_space_code",
                      "linxia_tianguan:decode_space_code"):
        assert algorithm in proc.stdout


def test_qgis_process_runs_coding_and_decoding(profile, sample_gpkg, tmp_path):
    out = tmp_path / "coded.gpkg"
    proc = _qgis_process(profile, "run", "linxia_tianguan:space_code", "--json", "--",
                         f"DLTB={sample_gpkg}|layername=DLTB", f"DK={sample_gpkg}|layername=DK",
                         f"STORE={tmp_path / 'tg.gpkg'}", f"OUTPUT={out}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout)["results"]
    assert results["CODED"] > 1000 and out.exists()
    from qgis.core import QgsVectorLayer

    code = next(QgsVectorLayer(str(out), "c", "ogr").getFeatures())["KJM"]
    proc = _qgis_process(profile, "run", "linxia_tianguan:decode_space_code", "--json", "--", f"CODE={code}",
                         f"STORE={tmp_path / 'tg.gpkg'}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    decoded = json.loads(proc.stdout)["results"]
    assert decoded["VALID"] == 1 and decoded["COUNTY"] == "622921 临夏县"
