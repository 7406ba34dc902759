"""Shared fixtures: a real QGIS application (pytest-qgis), Processing with the native algorithms and
this plugin's provider, and a small generated sample county on disk."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, "/usr/share/qgis/python/plugins")  # QGIS's own "processing" plugin
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test reads the machine's calendar: the plugin's clock (core.clock) starts at this instant for the whole
# session and the processes it starts (qgis_process, workers, the desktop), and advances in real time from it.
# A spring day after the sample county's survey year 2025 and its June patrols (cases moved over weeks stay in
# 2026). `make test` also runs the date-sensitive tests (marker "clock") with the machine's clock moved a year
# both ways (tools/clock_check.sh).
TEST_NOW = "2026-03-18T10:00:00+08:00"
os.environ["TIANGUAN_NOW"] = TEST_NOW
os.environ.pop("TIANGUAN_NOW_SINCE", None)

#: modules whose results depend on "now" or "today" (stamps, due dates, overdue, default periods, terms)
CLOCK_MODULES = {
    "test_assessment", "test_tasks_processing", "test_case_review_dock", "test_evidence_store", "test_case_store",
    "test_field_package", "test_dashboard", "test_dashboard_dock", "test_statistics_map", "test_statistics_store",
    "test_change_detection_processing", "test_roster_processing", "test_patrol_coverage_processing",
    "test_export_cases_processing", "test_postgis_store", "test_clock", "test_qgis_process_all",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in CLOCK_MODULES:
            item.add_marker(pytest.mark.clock)

SAMPLE_SIZE = int(os.environ.get("TIANGUAN_TEST_SAMPLE_SIZE", "2000"))
SAMPLE_SEED = 20241028


@pytest.fixture(scope="session")
def processing_registry(qgis_app):
    """Processing initialised once, with native algorithms and the linxia_tianguan provider."""
    from processing.core.Processing import Processing
    from qgis.analysis import QgsNativeAlgorithms
    from qgis.core import QgsApplication

    Processing.initialize()
    registry = QgsApplication.processingRegistry()
    if registry.providerById("native") is None:
        registry.addProvider(QgsNativeAlgorithms())
    from linxia_tianguan_plugin.processing.provider import TianguanProvider

    if registry.providerById("linxia_tianguan") is None:
        provider = TianguanProvider()
        registry.addProvider(provider)
        pytest._tianguan_provider = provider  # keep the Python object alive
    return registry


@pytest.fixture(scope="session")
def sample_county(tmp_path_factory) -> Path:
    """A small deterministic sample county (generated once per test session)."""
    from tools.samplegen import generate

    out = tmp_path_factory.mktemp("sample") / "county"
    generate(out, size=SAMPLE_SIZE, seed=SAMPLE_SEED, tracks=True)
    return out


@pytest.fixture(scope="session")
def county(sample_county) -> Path:
    """The session's sample county, with its week of GPX tracks (what the track tests read)."""
    return sample_county


@pytest.fixture(scope="session")
def change_sample(tmp_path_factory) -> Path:
    """A 20 000-parcel sample (≈ 11 s to generate, with a week of tracks) for the change analysis and the
    statistics: enough injected changes (64) for every kind, partial approvals and filings to occur, which
    the small session sample cannot promise."""
    from tools.samplegen import generate

    out = tmp_path_factory.mktemp("change_sample") / "county"
    generate(out, size=20000, seed=SAMPLE_SEED, tracks=True, shapefiles=False)
    return out


@pytest.fixture(scope="session")
def prepared_store(processing_registry, change_sample, tmp_path_factory) -> Path:
    """The change sample's 田管库 as a desk has it before the change analysis: coded, patrol grid built, roster
    imported (``tests.helpers.prepared_store``). READ-ONLY — copy it before writing
    (``tests.helpers.store_copy``)."""
    from tests.helpers import prepared_store as prepare

    path = tmp_path_factory.mktemp("prepared") / "tianguan.gpkg"
    prepare(change_sample, path)
    return path


@pytest.fixture(scope="session")
def filled_store(prepared_store, change_sample, tmp_path_factory) -> Path:
    """The change sample's 田管库 with everything the statistics read (see ``tests.helpers.fill_store``):
    cases moved through the workflow, June 2025 tasks, tracks with a coverage run, patrols. Shared by the
    dashboard, map, assessment and statistics tests: READ-ONLY — copy it before writing."""
    from tests.helpers import fill_store

    path = tmp_path_factory.mktemp("filled") / "tianguan.gpkg"
    fill_store(change_sample, path, prepared=prepared_store)
    return path


@pytest.fixture(scope="session")
def county_b_store(processing_registry, tmp_path_factory) -> Path:
    """A second county's desk (康乐县 622922, the prefecture store's tests): a small sample coded, its patrol grid
    built and its roster imported. READ-ONLY — copy it before writing."""
    from tests.helpers import prepared_store as prepare
    from tools.samplegen import generate

    out = tmp_path_factory.mktemp("county_b") / "county"
    generate(out, size=1500, seed=7, counties=["622922"], tracks=False, shapefiles=False)
    path = tmp_path_factory.mktemp("desk_b") / "tianguan.gpkg"
    prepare(out, path)
    return path


@pytest.fixture
def filled_copy(filled_store, tmp_path) -> Path:
    """A writable copy of :func:`filled_store` (``tmp_path``/desk/tianguan.gpkg), for a test that writes."""
    from tests.helpers import store_copy

    return store_copy(filled_store, tmp_path / "desk")


@pytest.fixture
def phone():
    """The patrol app on the officer's phone, writing into a field package (``tools.phone.Phone``, the demo's too)."""
    from tools.phone import Phone

    return Phone()


@pytest.fixture(scope="session")
def sample_gpkg(sample_county) -> Path:
    return sample_county / "sample_county.gpkg"


def layer_uri(gpkg: Path, name: str) -> str:
    return f"{gpkg}|layername={name}"
