"""The Processing provider ``linxia_tianguan`` (临夏田管)."""
from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..i18n import tr
from ..resources import icon_path
from .decode_space_code import DecodeSpaceCodeAlgorithm
from .space_code import SpaceCodeAlgorithm
from .validate_space_code import ValidateSpaceCodeAlgorithm

ALGORITHMS = [
    # space coding
    SpaceCodeAlgorithm, ValidateSpaceCodeAlgorithm, DecodeSpaceCodeAlgorithm,
    # patrol grid
    # officers and patrol tasks
]


class TianguanProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "linxia_tianguan"

    def name(self) -> str:
        return tr("Linxia farmland patrol")

    def longName(self) -> str:
        return tr("Linxia farmland patrol (临夏州耕地保护网格化巡田)")

    def icon(self) -> QIcon:
        return QIcon(icon_path("linxia_tianguan.svg"))

    def svgIconPath(self) -> str:
        return icon_path("linxia_tianguan.svg")

    def loadAlgorithms(self) -> None:
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())
