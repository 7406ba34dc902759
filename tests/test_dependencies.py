"""A QGIS whose Python lacks shapely ≥ 2 (or numpy, pyproj) gets one Chinese message saying what to install,
nothing registered and no traceback; without psycopg2 the plugin loads and only its PostGIS features refuse.

The loads run in a fresh Python (this test session's real shapely stays untouched): shapely is hidden with
``sys.modules["shapely"] = None``, replaced by a fake 1.8.5 package first on ``sys.path``, or — for
qgis_process and the desktop (tests/smoke/test_missing_dependencies.py) — refused by a meta-path finder that
a ``sitecustomize.py`` first on ``PYTHONPATH`` installs (:func:`hiding_pythonpath`).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "linxia_tianguan_plugin"
CJK = re.compile(r"[\u4e00-\u9fff]")

#: the finder a sitecustomize.py installs to make imports of some packages fail as if they were not installed
HIDING_SITECUSTOMIZE = '''"""Test stand-in for a QGIS whose Python lacks some packages (tests/test_dependencies.py)."""
import sys

HIDDEN = {hidden!r}


class _Hidden:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


for _name in [m for m in sys.modules if m.split(".")[0] in HIDDEN]:
    del sys.modules[_name]
sys.meta_path.insert(0, _Hidden())
'''


def hiding_pythonpath(folder: Path, *hidden: str) -> str:
    """A folder with a sitecustomize.py that hides ``hidden``: put it first on PYTHONPATH."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(HIDING_SITECUSTOMIZE.format(hidden=set(hidden)), encoding="utf-8")
    return str(folder)


def assert_the_missing_shapely_message(text: str) -> None:
    """The Chinese message names shapely and both install routes."""
    assert CJK.search(text) and "临夏田管插件无法启动" in text, text
    assert "shapely" in text
    assert "OSGeo4W Shell" in text and 'python -m pip install "shapely>=2"' in text and "python3-shapely" in text
    assert "Linux" in text and "sudo apt install python3-shapely" in text
    assert 'python3 -m pip install --user "shapely>=2"' in text


# ---------------------------------------------------------------------------------------------- the probe


@pytest.fixture
def chinese():
    from linxia_tianguan_plugin import i18n

    assert i18n.install_translator("zh_CN"), "compiled zh_CN translation missing (make i18n)"
    yield
    i18n.remove_translator()


def test_the_probe_finds_nothing_missing_here(qgis_app):
    from linxia_tianguan_plugin import dependencies

    assert dependencies.missing_required() == []


def test_the_probe_reports_shapely_missing_too_old_or_broken(qgis_app, monkeypatch):
    from linxia_tianguan_plugin import dependencies

    monkeypatch.setitem(sys.modules, "shapely", None)  # import raises ModuleNotFoundError
    [problem] = dependencies.missing_required()
    assert problem.requirement.module == "shapely" and problem.found is None and problem.error is None
    assert problem.describe() == "shapely (not installed)"

    monkeypatch.setitem(sys.modules, "shapely", types.SimpleNamespace(__version__="1.8.5"))
    [problem] = dependencies.missing_required()
    assert problem.found == "1.8.5" and problem.describe() == "shapely 1.8.5 (version 2.0 or later is needed)"

    for recent in ("2.0.0", "2.1.0rc1", "3.0"):
        monkeypatch.setitem(sys.modules, "shapely", types.SimpleNamespace(__version__=recent))
        assert dependencies.missing_required() == [], recent

    monkeypatch.delitem(sys.modules, "shapely")
    monkeypatch.setitem(sys.modules, "pyproj", None)
    monkeypatch.setattr(dependencies, "importlib", types.SimpleNamespace(import_module=_broken_numpy))
    problems = {p.requirement.module: p for p in dependencies.missing_required()}
    assert set(problems) == {"numpy", "pyproj"}
    assert "cannot be imported" in problems["numpy"].describe() and "ABI" in problems["numpy"].describe()


def test_an_import_error_of_the_plugin_on_a_required_package_becomes_its_problem(qgis_app):
    from linxia_tianguan_plugin import dependencies

    submodule = ModuleNotFoundError("No module named 'shapely.vectorized'", name="shapely.vectorized")
    problem = dependencies.problem_of_plugin_import(submodule)
    assert problem.requirement.module == "shapely" and "shapely.vectorized" in problem.describe()
    assert "cannot be imported" in problem.describe()
    assert dependencies.problem_of_plugin_import(ModuleNotFoundError("No module named 'x'", name="x")) is None


def _broken_numpy(name):
    import importlib

    if name == "numpy":
        raise ImportError("numpy ABI version 0x1000009 is not compatible")
    return importlib.import_module(name)


def test_the_message_names_the_packages_and_both_install_routes(qgis_app, chinese):
    from linxia_tianguan_plugin import dependencies

    shapely, numpy, _ = dependencies.REQUIRED
    text = dependencies.missing_message([dependencies.Problem(shapely, found="1.8.5"), dependencies.Problem(numpy)])
    assert_the_missing_shapely_message(text)
    assert "shapely 1.8.5（需要 2.0 及以上版本）、numpy（未安装）" in text
    assert 'python -m pip install "shapely>=2" "numpy"' in text
    assert "sudo apt install python3-shapely python3-numpy" in text


def test_without_psycopg2_the_postgis_features_refuse_with_a_chinese_message(qgis_iface, chinese, monkeypatch,
                                                                           tmp_path):
    from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback

    from linxia_tianguan_plugin import dependencies
    from linxia_tianguan_plugin.processing.cases.export_cases import ExportCasesAlgorithm
    from linxia_tianguan_plugin.ui.case_review import CaseReviewDock

    assert dependencies.postgis_unavailable() is None
    monkeypatch.setitem(sys.modules, "psycopg2", None)
    message = dependencies.postgis_unavailable()
    assert "psycopg2（未安装）" in message and "python3-psycopg2" in message and "OSGeo4W Shell" in message
    algorithm = ExportCasesAlgorithm()
    with pytest.raises(QgsProcessingException) as refused:
        algorithm.processAlgorithm({}, QgsProcessingContext(), QgsProcessingFeedback())
    assert str(refused.value) == message
    dock = CaseReviewDock(qgis_iface, str(tmp_path / "none.gpkg"))
    try:
        assert not dock.use_connection("county_pg") and dock.last_message == message
    finally:
        dock.cleanup()
        dock.deleteLater()


# ------------------------------------------------- loading the plugin in a fresh Python without shapely

LOAD = r'''
import json, sys

mode, root = sys.argv[1], sys.argv[2]
if mode == "hidden":
    sys.modules["shapely"] = None
elif mode == "old":
    sys.path.insert(0, sys.argv[3])  # a fake shapely 1.8.5
elif mode == "no_psycopg2":
    sys.modules["psycopg2"] = None
sys.path.insert(0, root)

from qgis.core import QgsApplication

app = QgsApplication([], True)
app.initQgis()
from qgis.gui import QgsMessageBar
from qgis.PyQt.QtWidgets import QMainWindow

log = []
QgsApplication.messageLog().messageReceived.connect(lambda message, tag, level: log.append([tag, int(level), message]))


class Iface:
    """A main window with a real message bar; any other call the plugin makes is recorded (and does nothing)."""

    def __init__(self):
        self.window = QMainWindow()
        self.bar = QgsMessageBar(self.window)
        self.calls = []

    def mainWindow(self):
        return self.window

    def messageBar(self):
        return self.bar

    def __getattr__(self, name):
        self.calls.append(name)
        return lambda *args, **kwargs: None


from linxia_tianguan_plugin import i18n

i18n.user_locale = lambda: "zh_CN"  # QGIS's UI locale, as a Chinese desk has it
import linxia_tianguan_plugin

iface = Iface()
plugin = linxia_tianguan_plugin.classFactory(iface)
out = {"plugin": type(plugin).__name__, "shapely": "shapely" in sys.modules and sys.modules["shapely"] is not None}
plugin.initProcessing()
if mode != "no_psycopg2":
    plugin.initGui()
registry = QgsApplication.processingRegistry()
out["provider"] = registry.providerById("linxia_tianguan") is not None
out["bar"] = [[item.title(), item.text(), int(item.level())] for item in iface.bar.items()]
from qgis.PyQt.QtWidgets import QMessageBox, QPushButton

shown = []
QMessageBox.exec = lambda box: shown.append([box.windowTitle(), box.text()])  # instead of a modal dialog
for button in [b for item in iface.bar.items() for b in item.findChildren(QPushButton)]:
    button.click()
out["details"] = shown
out["calls"] = iface.calls
out["modules"] = sorted(m for m in sys.modules if m.startswith("linxia_tianguan_plugin."))
if mode == "no_psycopg2":
    from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback

    algorithm = registry.algorithmById("linxia_tianguan:export_cases").createInstance()
    try:
        algorithm.processAlgorithm({}, QgsProcessingContext(), QgsProcessingFeedback())
    except QgsProcessingException as refusal:
        out["export_refusal"] = str(refusal)
plugin.unload()
out["provider_after_unload"] = registry.providerById("linxia_tianguan") is not None
app.processEvents()
out["bar_after_unload"] = len(iface.bar.items())
out["log"] = log
print(json.dumps(out, ensure_ascii=False))
sys.stdout.flush()
app.exitQgis()
'''


def _load(tmp_path, mode, *extra):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "profiles"))
    proc = subprocess.run([sys.executable, "-c", LOAD, mode, str(ROOT), *extra], env=env, capture_output=True,
                          text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr[-4000:]
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fake_old_shapely(tmp_path) -> Path:
    folder = tmp_path / "old_site"
    (folder / "shapely").mkdir(parents=True)
    (folder / "shapely" / "__init__.py").write_text('__version__ = "1.8.5"\n', encoding="utf-8")
    return folder


@pytest.mark.parametrize("mode", ["hidden", "old"])
def test_without_shapely_2_the_plugin_shows_one_message_and_registers_nothing(tmp_path, mode):
    extra = [str(_fake_old_shapely(tmp_path))] if mode == "old" else []
    out = _load(tmp_path, mode, *extra)
    assert out["plugin"] == "MissingDependenciesPlugin"
    [(title, text, level)] = out["bar"]  # one message bar
    assert title == "临夏田管" and level == 2  # Qgis.Critical
    assert_the_missing_shapely_message(text)
    assert ("shapely 1.8.5（需要 2.0 及以上版本）" if mode == "old" else "shapely（未安装）") in text
    assert not out["provider"] and out["calls"] == []  # no provider, toolbar, menu, dock or locator
    assert not [m for m in out["modules"] if m.split(".")[1] in ("plugin", "processing", "ui", "storage", "core")]
    ours = [entry for entry in out["log"] if entry[0] == "临夏田管"]
    assert ours == [["临夏田管", 2, text]]  # the same text in the message log, once
    assert not [entry for entry in out["log"] if entry[0].startswith("Python")]
    assert out["details"] == [["临夏田管", text]]  # its “安装方法…” button shows the whole text
    assert out["bar_after_unload"] == 0 and not out["provider_after_unload"]


def test_without_psycopg2_the_plugin_loads_and_only_postgis_refuses(tmp_path):
    out = _load(tmp_path, "no_psycopg2")
    assert out["plugin"] == "TianguanPlugin" and out["provider"] and out["bar"] == []
    assert "psycopg2（未安装）" in out["export_refusal"] and "python3-psycopg2" in out["export_refusal"]
    notes = [entry for entry in out["log"] if entry[0] == "临夏田管"]
    assert notes == [["临夏田管", 0, out["export_refusal"]]]  # a note (Info) at load, not an error
    assert not out["provider_after_unload"]


# ------------------------------------------------------------------------- qgis_process without shapely


def test_qgis_process_without_shapely_lists_without_our_algorithms_or_a_traceback(tmp_path):
    root = tmp_path / "profiles_root"
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(root))
    build = subprocess.run([sys.executable, str(ROOT / "tools" / "build_plugin.py"), "install"], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    site = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
    env["PYTHONPATH"] = os.pathsep.join([hiding_pythonpath(tmp_path / "hide", "shapely"), str(site),
                                         env.get("PYTHONPATH", "")])
    binary = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"
    proc = subprocess.run([binary, "list"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr[-4000:]
    assert "native:buffer" in proc.stdout  # the list itself is there
    assert "linxia_tianguan" not in proc.stdout
    # the plugin was loaded, as the stand-in: qgis_process prints its message (English: no zh_CN locale here)
    assert "cannot start: QGIS's Python lacks shapely (not installed)" in proc.stderr, proc.stderr[-4000:]
    assert 'python -m pip install "shapely>=2"' in proc.stderr
