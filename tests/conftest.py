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
    """A 20 000-parcel sample (≈ 5 s to generate) for the change analysis: enough injected changes (53) for
    every kind, partial approvals and filings to occur, which the small session sample cannot promise."""
    from tools.samplegen import generate

    out = tmp_path_factory.mktemp("change_sample") / "county"
    generate(out, size=20000, seed=SAMPLE_SEED, tracks=False, shapefiles=False)
    return out


@pytest.fixture(scope="session")
def sample_gpkg(sample_county) -> Path:
    return sample_county / "sample_county.gpkg"


def layer_uri(gpkg: Path, name: str) -> str:
    return f"{gpkg}|layername={name}"
