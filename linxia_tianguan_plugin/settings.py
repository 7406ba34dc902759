"""Plugin settings: each declared here once, typed, under one QgsSettings prefix (QFieldSync's typed preferences
are the model).

Why declared: a key typed in two places drifts, and a setting read deep inside an algorithm is a hidden input — the
same ``qgis_process`` call would then give different results on two desks. Algorithms never read these at run time:
a setting only pre-fills a dialog (``setGuiDefaultValueOverride``), the docks and the toolbar read them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qgis.core import QgsApplication, QgsProject, QgsSettings

from .core.coding.one_click import DEFAULT_QR_TEMPLATE

PREFIX = "linxia_tianguan/"


@dataclass(frozen=True)
class Setting:
    """One setting: its key under :data:`PREFIX`, its value when unset, its type (str, bool, int, QByteArray …)."""

    key: str
    default: Any
    kind: type = str
    description: str = ""

    def get(self) -> Any:
        return QgsSettings().value(PREFIX + self.key, self.default, type=self.kind)

    def set(self, value: Any) -> None:
        QgsSettings().setValue(PREFIX + self.key, value)


def _byte_array():
    from qgis.PyQt.QtCore import QByteArray

    return QByteArray


STORE_PATH = Setting("store_path", "", str, "the desk's 田管库 (empty: next to the project)")
QR_TEMPLATE = Setting("qr_template", "", str, "content of the parcels' QR codes, with {code} (empty: the default)")
TASK_FREQUENCIES = Setting("task_frequencies", "", str, "patrol frequencies per grid level (JSON; empty: the plan's)")
CASE_ACTOR = Setting("case_review/actor", "", str, "the name the case dock records as actor")
CASE_SPLITTER = Setting("case_review/splitter", None, _byte_array(), "the case dock's splitter state")
DASHBOARD_PREFECTURE = Setting("dashboard/prefecture", "", str, "the dashboard's last prefecture store read: JSON "
                               "{connection: a saved QGIS PostgreSQL connection's name, schema} (never a password)")

#: every setting of the plugin, by key
DECLARED: dict[str, Setting] = {s.key: s for s in (STORE_PATH, QR_TEMPLATE, TASK_FREQUENCIES, CASE_ACTOR,
                                                    CASE_SPLITTER, DASHBOARD_PREFECTURE)}


def _declared(key: str) -> Setting:
    try:
        return DECLARED[key]
    except KeyError:
        raise KeyError(f"setting {key!r} is not declared in settings.py") from None


def value(key: str, default=None, type=None):
    """The value of the declared setting ``key`` (``default``/``type`` only override the declaration's)."""
    setting = _declared(key)
    return QgsSettings().value(PREFIX + key, setting.default if default is None else default,
                               type=type or setting.kind)


def set_value(key: str, val) -> None:
    _declared(key).set(val)


def store_path() -> str:
    """The 田管库 the toolbar works with: the configured one, else next to the project, else in the
    QGIS profile (so a fresh install works without asking anything)."""
    configured = STORE_PATH.get()
    if configured:
        return configured
    home = QgsProject.instance().homePath()
    if home:
        return str(Path(home) / "tianguan.gpkg")
    return str(Path(QgsApplication.qgisSettingsDirPath()) / "linxia_tianguan" / "tianguan.gpkg")


def qr_template() -> str:
    return QR_TEMPLATE.get() or DEFAULT_QR_TEMPLATE
