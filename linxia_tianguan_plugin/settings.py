"""Plugin settings, all under one QgsSettings prefix."""
from __future__ import annotations

from pathlib import Path

from qgis.core import QgsApplication, QgsProject, QgsSettings

from .core.coding import DEFAULT_QR_TEMPLATE

PREFIX = "linxia_tianguan/"


def _settings() -> QgsSettings:
    return QgsSettings()


def value(key: str, default=None, type=str):
    return _settings().value(PREFIX + key, default, type=type)


def set_value(key: str, val) -> None:
    _settings().setValue(PREFIX + key, val)


def store_path() -> str:
    """The 田管库 the toolbar works with: the configured one, else next to the project, else in the
    QGIS profile (so a fresh install works without asking anything)."""
    configured = value("store_path", "")
    if configured:
        return configured
    home = QgsProject.instance().homePath()
    if home:
        return str(Path(home) / "tianguan.gpkg")
    return str(Path(QgsApplication.qgisSettingsDirPath()) / "linxia_tianguan" / "tianguan.gpkg")


def qr_template() -> str:
    return value("qr_template", DEFAULT_QR_TEMPLATE) or DEFAULT_QR_TEMPLATE
