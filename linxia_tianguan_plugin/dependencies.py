"""The Python packages the plugin needs, checked before anything imports them.

QGIS's Python does not always have them: OSGeo4W installs and older Linux distributions (Debian 12,
Ubuntu 22.04) ship shapely 1.8, and psycopg2 is an extra. Required: shapely ≥ 2.0, numpy and pyproj
(every algorithm, dock and store uses them). Optional: psycopg2, for export to PostGIS and the PostGIS
case source only.

When a required package is missing, too old or broken, ``classFactory`` returns
:class:`MissingDependenciesPlugin` instead of the plugin: one Chinese message bar (and the same text in
the message log) naming what to install on Windows (OSGeo4W) and Linux, nothing registered, no
traceback. The PostGIS features ask :func:`postgis_unavailable` first and refuse with a message.

At module level this imports only the standard library and qgis, so it loads whatever is missing.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

from qgis.core import Qgis, QgsMessageLog

from . import i18n
from .i18n import tr

LOG_TAG = "临夏田管"


@dataclass(frozen=True)
class Requirement:
    module: str
    minimum: tuple[int, ...] = ()
    pip: str = ""  #: pip requirement
    package: str = ""  #: the OSGeo4W and Debian/Ubuntu package (both name them python3-…)


REQUIRED = (
    Requirement("shapely", (2, 0), "shapely>=2", "python3-shapely"),
    Requirement("numpy", (), "numpy", "python3-numpy"),
    Requirement("pyproj", (), "pyproj", "python3-pyproj"),
)
POSTGIS = Requirement("psycopg2", (), "psycopg2-binary", "python3-psycopg2")


@dataclass(frozen=True)
class Problem:
    """A requirement that cannot be used: not installed, older than its minimum (``found``), or installed
    but failing to import (``error``)."""

    requirement: Requirement
    found: str | None = None
    error: str | None = None

    def describe(self) -> str:
        name = self.requirement.module
        if self.found is not None:
            return tr("{name} {found} (version {minimum} or later is needed)").format(
                name=name, found=self.found, minimum=".".join(map(str, self.requirement.minimum)))
        if self.error:
            return tr("{name} (installed, but it cannot be imported: {error})").format(name=name, error=self.error)
        return tr("{name} (not installed)").format(name=name)


def _version(text: str) -> tuple[int, ...] | None:
    found = re.match(r"\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?", text or "")
    return tuple(int(part) for part in found.groups() if part is not None) if found else None


def problem_of_import_error(requirement: Requirement, error: BaseException) -> Problem:
    if isinstance(error, ModuleNotFoundError) and error.name == requirement.module:
        return Problem(requirement)
    return Problem(requirement, error=f"{type(error).__name__}: {error}")


def probe(requirement: Requirement) -> Problem | None:
    """None when the package imports (and is recent enough), else what is wrong with it."""
    try:
        module = importlib.import_module(requirement.module)
    except Exception as error:  # not installed, or a broken build (a missing library, a numpy ABI mismatch…)
        return problem_of_import_error(requirement, error)
    if requirement.minimum:
        found = str(getattr(module, "__version__", "") or "")
        version = _version(found)
        if version is None or version < requirement.minimum:
            return Problem(requirement, found=found or "?")
    return None


def missing_required() -> list[Problem]:
    """The required packages that cannot be used (empty when the plugin can start)."""
    return [problem for problem in map(probe, REQUIRED) if problem is not None]


def problem_of_plugin_import(error: ImportError) -> Problem | None:
    """When importing the plugin failed on a required package the probe let through (a submodule of it
    missing, say), that package's problem; None for any other import error (a bug: let it show)."""
    top = (getattr(error, "name", None) or "").split(".")[0]
    for requirement in REQUIRED:
        if top == requirement.module:
            return problem_of_import_error(requirement, error)
    return None


def _commands(requirements) -> dict[str, str]:
    requirements = list(requirements)
    pip = " ".join(f'"{r.pip}"' for r in requirements)
    packages = " ".join(r.package for r in requirements)
    return {"pip": f"python -m pip install {pip}", "osgeo4w": packages, "apt": f"sudo apt install {packages}",
            "pip_user": f"python3 -m pip install --user {pip}"}


def missing_message(problems) -> str:
    """What the user reads when the plugin cannot start: the packages and how to install them."""
    problems = list(problems)
    return tr("The Linxia farmland patrol plugin cannot start: QGIS's Python lacks {packages}. "
              "Windows (OSGeo4W): open the OSGeo4W Shell as administrator and run {pip}, or add the package "
              "{osgeo4w} with the OSGeo4W installer. Linux: install the distribution's package with {apt} "
              "(shapely 2.0 or later comes with Debian 13, Ubuntu 24.04 and later); on an older distribution "
              "run {pip_user} (on Debian 12 add --break-system-packages). Then restart QGIS.").format(
        packages="、".join(p.describe() for p in problems), **_commands(p.requirement for p in problems))


def postgis_unavailable() -> str | None:
    """None when psycopg2 imports; else why the PostGIS features cannot work and what to install."""
    problem = probe(POSTGIS)
    if problem is None:
        return None
    return tr("Export to PostGIS and reviewing cases on PostGIS need the Python package psycopg2, which QGIS's "
              "Python lacks ({problem}). Windows (OSGeo4W): open the OSGeo4W Shell as administrator and run "
              "{pip}, or add the package {osgeo4w} with the OSGeo4W installer. Linux: run {apt}, or "
              "{pip_user}. Then restart QGIS.").format(problem=problem.describe(), **_commands([POSTGIS]))


def log_optional() -> None:
    """A note in the message log (not an error) when the optional psycopg2 is missing."""
    message = postgis_unavailable()
    if message:
        QgsMessageLog.logMessage(message, LOG_TAG, Qgis.MessageLevel.Info)


class MissingDependenciesPlugin:
    """What QGIS gets from ``classFactory`` when a required package cannot be used: it says so once (a
    message bar in the desktop, the message log everywhere), registers no provider, menu, toolbar or dock,
    and unloads cleanly. ``initProcessing`` (qgis_process) only logs."""

    def __init__(self, iface, problems) -> None:
        self.iface = iface
        self.problems = list(problems)
        self.bar_item = None
        self._logged = False
        i18n.install_translator()

    def message(self) -> str:
        return missing_message(self.problems)

    def _log(self) -> None:
        if not self._logged:
            QgsMessageLog.logMessage(self.message(), LOG_TAG, Qgis.MessageLevel.Critical)
            self._logged = True

    def initProcessing(self) -> None:
        self._log()

    def initGui(self) -> None:
        self._log()
        bar = self.iface.messageBar() if self.iface is not None and hasattr(self.iface, "messageBar") else None
        if bar is None or self.bar_item is not None:
            return
        from qgis.gui import QgsMessageBarItem
        from qgis.PyQt.QtWidgets import QPushButton

        # the bar shows one line of a long text: the button opens all of it, the commands selectable to copy
        button = QPushButton(tr("How to install…"))
        button.setObjectName("linxia_tianguan_install_help")
        button.clicked.connect(self.show_details)
        self.bar_item = QgsMessageBarItem(tr("Linxia farmland patrol"), self.message(), button,
                                          Qgis.MessageLevel.Critical, 0)
        button.setParent(self.bar_item)  # owned by the item (not by this Python name)
        bar.pushItem(self.bar_item)

    def show_details(self) -> None:
        from qgis.PyQt.QtCore import Qt
        from qgis.PyQt.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Critical, tr("Linxia farmland patrol"), self.message(),
                          QMessageBox.StandardButton.Ok, self.iface.mainWindow())
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()

    def unload(self) -> None:
        if self.bar_item is not None:
            try:
                self.iface.messageBar().popWidget(self.bar_item)
            except RuntimeError:  # the user closed it: Qt deleted it already
                pass
            self.bar_item = None
        i18n.remove_translator()
