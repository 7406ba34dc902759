"""Styling of the plugin's layers: bundled .qml symbology plus translated legend labels and aliases."""
from __future__ import annotations

from qgis.core import QgsCategorizedSymbolRenderer, QgsProcessingLayerPostProcessorInterface, QgsVectorLayer

from .i18n import tr
from .resources import resource_path


def category_labels() -> dict[str, str]:
    """Pre-judgement categories of change candidates (预判结论)."""
    return {"approved": tr("Legal: approved conversion"), "facility": tr("Legal: filed facility agriculture land"),
            "temporary": tr("Legal: temporary land in term"), "suspect": tr("Suspected illegal"),
            "verify": tr("Needs field verification")}


def kind_labels() -> dict[str, str]:
    """Legend labels of the categorised styles (parcel kinds and change pre-judgements)."""
    return {"CB": tr("Contract parcel"), "WCB": tr("Farmland without contract parcel"), **category_labels()}


def store_aliases() -> dict[str, str]:
    """Aliases of the registry table's columns (tg_space_code)."""
    return {
        "code": tr("Space code"), "group_code": tr("Group code"), "seq": tr("Sequence"), "kind": tr("Parcel type"),
        "status": tr("Status"), "dlbm": tr("Land class code"), "dlmc": tr("Land class"),
        "tbbsm": tr("Survey patch id"), "area_m2": tr("Shape area (m²)"), "gdmj_m2": tr("Farmland area (m²)"),
        "gdmj_mu": tr("Farmland area (mu)"), "yjmj_m2": tr("Permanent basic farmland (m²)"),
        "yjmj_mu": tr("Permanent basic farmland (mu)"), "dkbm": tr("Contract parcel code"),
        "fbfbm": tr("Contractor-issuer code"), "cbfbm": tr("Contractor code"), "bdcode": tr("Beidou grid code"),
        "lon": tr("Longitude"), "lat": tr("Latitude"), "qr": tr("QR content"), "relation": tr("Coding change"),
        "parents": tr("Parent codes"), "coded_at": tr("Coded at"), "run_id": tr("Coding run"), "note": tr("Remarks"),
        "retired_at": tr("Retired at"), "retired_run": tr("Retired by run"), "retire_reason": tr("Retire reason"),
        "children": tr("Child codes"),
    }


def apply_style(layer: QgsVectorLayer, qml: str, aliases: dict[str, str] | None = None) -> None:
    """Load ``resources/styles/<qml>``, then put translated legend labels and field aliases on it."""
    path = resource_path("styles", qml)
    if path.exists():
        layer.loadNamedStyle(str(path))
    renderer = layer.renderer()
    if isinstance(renderer, QgsCategorizedSymbolRenderer):
        labels = kind_labels()
        for i, category in enumerate(renderer.categories()):
            if category.value() in labels:
                renderer.updateCategoryLabel(i, labels[category.value()])
    for name, alias in (aliases or {}).items():
        idx = layer.fields().lookupField(name)
        if idx >= 0:
            layer.setFieldAlias(idx, alias)
    layer.triggerRepaint()


class StyleOnLoad(QgsProcessingLayerPostProcessorInterface):
    """Style a Processing output as it loads into the project."""

    _alive: list = []  # Processing keeps only a C++ pointer: hold the Python object

    def __init__(self, qml: str, aliases: dict[str, str] | None = None):
        super().__init__()
        self.qml, self.aliases = qml, aliases

    @classmethod
    def create(cls, qml: str, aliases: dict[str, str] | None = None) -> StyleOnLoad:
        instance = cls(qml, aliases)
        cls._alive.append(instance)
        return instance

    def postProcessLayer(self, layer, context, feedback) -> None:
        if isinstance(layer, QgsVectorLayer):
            apply_style(layer, self.qml, self.aliases)
