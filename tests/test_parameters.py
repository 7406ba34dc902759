"""The parameters some twenty algorithms share (issue 16), defined and read once in ``processing.base``: the
田管库 (the dialog starts with the configured store; a run without STORE does not), dates with a calendar that
qgis_process and scripts give as ISO text, the administrative code prefix, the refusals before a run, and the
Chinese tags and guide link of every algorithm."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run, run_failing

ROOT = Path(__file__).resolve().parents[1]
PROCESSING = ROOT / "linxia_tianguan_plugin" / "processing"
CJK = re.compile(r"[\u4e00-\u9fff]")
PROVIDER = "linxia_tianguan"
#: the algorithms whose STORE may stay empty: a run without it writes its OUTPUT (or says its result) only
OPTIONAL_STORE = {"space_code", "decode_space_code", "validate_space_code", "grid_coverage",
                  # they read the prefecture store instead when given its connection
                  "dashboard_report", "statistics_map", "assessment"}
#: the date parameters (names kept: tests, docs and the demo use them)
DATE_NAMES = {"START", "END", "DATE_FROM", "DATE_TO", "TODAY", "AS_OF", "DATE"}


def _algorithms(registry) -> list:
    return [registry.createAlgorithmById(a.id()) for a in registry.providerById(PROVIDER).algorithms()]


def _empty_store(path: Path) -> str:
    from linxia_tianguan_plugin.storage import GpkgStore

    GpkgStore(path, epsg=4522, create=True).close()
    return str(path)


@pytest.fixture
def configured(tmp_path):
    """The plugin's settings name a store (as the settings dialog does); restored afterwards."""
    from linxia_tianguan_plugin import settings

    before = settings.value("store_path", "")
    path = str(tmp_path / "configured" / "tianguan.gpkg")
    settings.set_value("store_path", path)
    yield path
    settings.set_value("store_path", before)


# ------------------------------------------------------------------------------------------- STORE
def test_the_dialog_starts_with_the_configured_store_and_a_run_does_not(processing_registry, configured):
    with_store = [a for a in _algorithms(processing_registry) if a.parameterDefinition("STORE") is not None]
    assert len(with_store) >= 20
    for algorithm in with_store:
        store = algorithm.parameterDefinition("STORE")
        assert store.guiDefaultValueOverride() == configured, algorithm.name()
        assert store.defaultValue() in (None, ""), algorithm.name()  # qgis_process: the same on every machine
        assert store.extension() == "gpkg" and store.description() == "Tianguan store (GeoPackage)"


def test_store_is_required_where_the_results_are_kept_there(processing_registry):
    from linxia_tianguan_plugin import compat

    for algorithm in _algorithms(processing_registry):
        store = algorithm.parameterDefinition("STORE")
        if store is None:
            continue
        optional = bool(store.flags() & compat.ProcessingParameterFlag.Optional)
        assert optional == (algorithm.name() in OPTIONAL_STORE), algorithm.name()
    for name in ("build_grid", "import_tracks", "import_roster", "space_code"):
        assert processing_registry.createAlgorithmById(f"{PROVIDER}:{name}").parameterDefinition("NEW_STORE")


def test_a_run_without_the_required_store_is_refused_in_words(processing_registry, sample_gpkg):
    message = run_failing(f"{PROVIDER}:build_grid", {"XZQ": f"{sample_gpkg}|layername=XZQ",
                                                      "CJDCQ": f"{sample_gpkg}|layername=CJDCQ"})
    assert "Choose the tianguan store" in message


def test_a_file_that_is_not_a_store_is_refused_before_the_run(processing_registry, tmp_path):
    from qgis.core import QgsProcessingContext

    fake = tmp_path / "fake.gpkg"
    fake.write_text("not a store", encoding="utf-8")
    algorithm = processing_registry.createAlgorithmById(f"{PROVIDER}:export_tasks")
    context = QgsProcessingContext()
    ok, message = algorithm.checkParameterValues({"STORE": str(fake), "OUTPUT": str(tmp_path / "t.csv")}, context)
    assert not ok and str(fake) in message
    ok, message = algorithm.checkParameterValues({"STORE": str(tmp_path / "none.gpkg"),
                                                  "OUTPUT": str(tmp_path / "t.csv")}, context)
    assert not ok and "none.gpkg" in message


# ------------------------------------------------------------------------------------------- dates
def test_every_date_is_a_date_parameter_with_a_calendar(processing_registry):
    from linxia_tianguan_plugin import compat

    found = 0
    for algorithm in _algorithms(processing_registry):
        for parameter in algorithm.parameterDefinitions():
            if parameter.name() in DATE_NAMES:
                found += 1
                assert parameter.type() == "datetime", (algorithm.name(), parameter.name())
                kind = compat.ProcessingDateTimeParameterDataType
                assert parameter.dataType() == (kind.DateTime if parameter.name() == "AS_OF" else kind.Date)
    assert found >= 15


def test_iso_dates_are_accepted_from_processing_run(processing_registry, tmp_path):
    store = _empty_store(tmp_path / "tianguan.gpkg")
    result = run(f"{PROVIDER}:export_tasks", {"STORE": store, "START": "2025-06-09", "END": "2025-06-15",
                                              "AS_OF": "2025-06-10 12:00", "OUTPUT": str(tmp_path / "t.csv")})
    assert result["ROWS"] == 0 and Path(result["OUTPUT"]).exists()
    checked = run(f"{PROVIDER}:check_tracks", {"STORE": store, "START": "2025-06-09", "END": "2025-06-09"})
    assert checked["CHECKED"] == 0


def test_the_dialog_s_dates_and_text_dates_read_the_same(processing_registry):
    import datetime as dt

    from qgis.core import QgsProcessingContext
    from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime

    algorithm = processing_registry.createAlgorithmById(f"{PROVIDER}:dispatch_tasks")
    context = QgsProcessingContext()
    day = dt.date(2025, 6, 9)
    for value in ("2025-06-09", " 2025-06-09 ", QDate(2025, 6, 9), QDateTime(QDate(2025, 6, 9), QTime(10, 0))):
        assert algorithm.parameter_as_date({"START": value}, "START", context) == day, value
    assert algorithm.parameter_as_date({"START": None}, "START", context) is None
    assert algorithm.parameter_as_date({}, "START", context) is None
    beijing_noon = dt.datetime(2025, 6, 10, 4, 0, tzinfo=dt.timezone.utc)
    for value in ("2025-06-10 12:00", "2025-06-10T12:00:00+08:00", "2025-06-10T04:00:00Z",
                  QDateTime(QDate(2025, 6, 10), QTime(12, 0)),
                  QDateTime(QDate(2025, 6, 10), QTime(4, 0), Qt.TimeSpec.UTC)):
        assert algorithm.parameter_as_instant({"AS_OF": value}, "AS_OF", context) == beijing_noon, value


def _cli_env(root: Path) -> dict:
    """qgis_process with the release zip installed and enabled in a throwaway profile (as the qgis_process chain
    test does, without its PostGIS)."""
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(root))
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_plugin.py"), "install"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    site = next(Path(sys.prefix).glob("lib/python3*/site-packages"))  # shapely 2 over Debian's 1.8
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def test_iso_dates_are_accepted_from_qgis_process(processing_registry, tmp_path):
    import shutil

    env = _cli_env(tmp_path / "profile")
    store = _empty_store(tmp_path / "tianguan.gpkg")
    binary = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"
    out = tmp_path / "tasks.csv"
    proc = subprocess.run([binary, "run", f"{PROVIDER}:export_tasks", "--json", "--", f"STORE={store}",
                           "START=2025-06-09", "END=2025-06-15", "AS_OF=2025-06-10 12:00", f"OUTPUT={out}"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-2000:]
    assert json.loads(proc.stdout)["results"]["ROWS"] == 0 and out.exists()
    proc = subprocess.run([binary, "run", f"{PROVIDER}:export_tasks", "--", f"STORE={store}", "START=2025-06-15",
                           "END=2025-06-09", f"OUTPUT={out}"], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0 and "2025-06-09" in proc.stdout + proc.stderr


# ------------------------------------------------------------------------------------------- refusals
@pytest.fixture
def chinese():
    from linxia_tianguan_plugin import i18n

    assert i18n.install_translator("zh_CN"), "compiled zh_CN translation missing (make i18n)"
    yield
    i18n.remove_translator()


@pytest.mark.parametrize("algorithm,params,value", [
    ("dispatch_tasks", {"START": "2025-06-30", "END": "2025-06-01"}, "2025-06-01"),
    ("check_tracks", {"START": "2025-06-30", "END": "2025-06-01"}, "2025-06-01"),
    ("dashboard_report", {"DATE_FROM": "2025-06-30", "DATE_TO": "2025-06-01"}, "2025-06-01"),
    ("statistics_map", {"DATE_FROM": "2025-06-30", "DATE_TO": "2025-06-01"}, "2025-06-01"),
    ("patrol_coverage", {"START": "2025-06-30", "END": "2025-06-01"}, "2025-06-01"),
    ("export_tasks", {"PREFIX": "62292X"}, "62292X"),
    ("dispatch_tasks", {"PREFIX": "62292"}, "62292"),
    ("assessment", {"PREFIX": "6229 2"}, "62292"),
    ("export_roster", {"PREFIX": "62292110100101"}, "62292110100101"),
    ("statistics_map", {"PREFIX": "622921101001"}, "622921101001"),
    ("change_detection", {"TODAY": "2025-02-30"}, "2025-02-30"),
    ("statistics_map", {"DATE_FROM": "2025/06/01"}, "2025/06/01"),
])
def test_the_dialog_refuses_before_the_run_in_chinese(processing_registry, chinese, tmp_path, algorithm, params,
                                                       value):
    from qgis.core import QgsProcessingContext

    alg = processing_registry.createAlgorithmById(f"{PROVIDER}:{algorithm}")
    store = _empty_store(tmp_path / "tianguan.gpkg")
    ok, message = alg.checkParameterValues({"STORE": store, **params}, QgsProcessingContext())
    assert not ok and value in message and CJK.search(message), message


def test_good_values_pass_the_checks(processing_registry, tmp_path):
    from qgis.core import QgsProcessingContext

    store = _empty_store(tmp_path / "tianguan.gpkg")
    alg = processing_registry.createAlgorithmById(f"{PROVIDER}:export_tasks")
    ok, message = alg.checkParameterValues({"STORE": store, "START": "2025-06-01", "END": "2025-06-30",
                                            "PREFIX": " 622921 ", "AS_OF": "2025-06-10 12:00",
                                            "OUTPUT": str(tmp_path / "t.xlsx")}, QgsProcessingContext())
    assert ok, message


def test_a_user_error_leaves_as_a_processing_exception_in_the_user_s_words(processing_registry):
    from qgis.core import QgsProcessingException

    from linxia_tianguan_plugin.core.errors import UserError
    from linxia_tianguan_plugin.processing.base import store_faults_as_messages

    @store_faults_as_messages
    def process(self, parameters, context, feedback):
        raise UserError("The end date {end} is before the start date {start}.", end="2025-06-01", start="2025-06-30")

    class Fake:
        def parameterDefinition(self, name):
            return None

    with pytest.raises(QgsProcessingException, match="2025-06-01 is before the start date 2025-06-30"):
        process(Fake(), {}, None, None)


# ------------------------------------------------------------------------------------------- tags, help
def test_every_algorithm_has_chinese_tags_and_the_guide_s_section(processing_registry):
    from qgis.PyQt.QtCore import QUrl

    sys.path.insert(0, str(ROOT / "tests"))
    from tests.test_guide import github_anchor

    guide = (ROOT / "docs" / "guide" / "README.md").read_text(encoding="utf-8")
    anchors = {github_anchor(h) for h in re.findall(r"^#+ (.+)$", guide, flags=re.M)}
    for algorithm in _algorithms(processing_registry):
        tags = algorithm.tags()
        assert len([t for t in tags if CJK.search(t)]) >= 2, algorithm.name()
        url = QUrl(algorithm.helpUrl())
        assert url.isLocalFile() and Path(url.toLocalFile()).is_file(), algorithm.name()
        assert url.fragment() in anchors, (algorithm.name(), url.fragment())


# ------------------------------------------------------------------------------------------- convention
#: (what is forbidden outside processing/base.py, why)
OWN_PARSING = [
    (re.compile(r"QgsProcessingParameterFile\(\s*(?:self\.)?\"?STORE\b"), "a STORE parameter of its own: "
     "self.add_store_parameter()"),
    (re.compile(r"QgsProcessingParameter(?:String|DateTime)\(\s*(?:self\.)?\"?(?:START|END|DATE_FROM|DATE_TO|TODAY|"
                r"AS_OF|DATE|PREFIX)\b"), "a date or prefix parameter of its own: add_date_parameter / "
     "add_period_parameters / add_prefix_parameter"),
    (re.compile(r"parameterAs(?:String|DateTime|Date)\(\s*parameters,\s*(?:self\.)?\"?(?:START|END|DATE_FROM|DATE_TO|"
                r"TODAY|AS_OF|DATE|PREFIX)\b"), "its own date or prefix parsing: parameter_as_date / "
     "parameter_as_period / parameter_as_instant / parameter_as_prefix"),
    (re.compile(r"\bfromisoformat\(|\bstrptime\("), "its own date parsing: parameter_as_date"),
]


def test_no_algorithm_defines_or_parses_the_shared_parameters_itself():
    offenders = []
    for path in sorted(PROCESSING.rglob("*.py")):
        if path.name == "base.py":
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, why in OWN_PARSING:
            for match in pattern.finditer(text):
                offenders.append(f"{path.name}:{text.count(chr(10), 0, match.start()) + 1}: {why}")
    assert offenders == []
