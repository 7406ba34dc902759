"""Styling of the plugin's layers: bundled .qml symbology plus translated legend labels and aliases.

Field names of every output stay ASCII (interoperable, ≤ 10 characters for shapefiles); the Chinese
aliases (:mod:`.processing.fields` holds them, one registry) travel with the file. GDAL 3.6 cannot write
alternative names into a GeoPackage and QGIS 3.22 would not read them, so :func:`persist_aliases`
saves them as the layer's *default style* in the file itself (table ``layer_styles``, the way QGIS
saves a style “in the database”): QGIS applies it whenever the layer is opened, headless too. Outputs
that Processing loads into the project get them again from :class:`StyleOnLoad` (Processing opens its
outputs without their default style).
"""
from __future__ import annotations

from pathlib import Path

from qgis.core import (
    Qgis,
    QgsCategorizedSymbolRenderer,
    QgsMapLayer,
    QgsProcessingLayerPostProcessorInterface,
    QgsProviderRegistry,
    QgsVectorLayer,
)
from qgis.PyQt.QtXml import QDomDocument

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


def apply_style(layer: QgsVectorLayer, qml: str | None, aliases: dict[str, str] | None = None) -> None:
    """Load ``resources/styles/<qml>`` (when given), then put translated legend labels and field aliases on it."""
    path = resource_path("styles", qml) if qml else None
    if path is not None and path.exists():
        layer.loadNamedStyle(str(path))
    renderer = layer.renderer()
    if isinstance(renderer, QgsCategorizedSymbolRenderer):
        labels = kind_labels()
        for i, category in enumerate(renderer.categories()):
            if category.value() in labels:
                renderer.updateCategoryLabel(i, labels[category.value()])
    set_aliases(layer, aliases)
    layer.triggerRepaint()


def set_aliases(layer: QgsVectorLayer, aliases: dict[str, str] | None) -> int:
    """Put ``aliases`` (field name → alias) on the layer's fields; the number of fields that got one."""
    done = 0
    for name, alias in (aliases or {}).items():
        idx = layer.fields().lookupField(name)
        if idx >= 0 and alias:
            layer.setFieldAlias(idx, alias)
            done += 1
    return done


#: files whose plain-table readers ignore a sidecar style: no .qml is written beside them
_TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xls", ".ods", ".dbf"}


def _stores_styles(provider) -> bool:
    """Whether the data source can keep styles (QGIS 3.34 replaced isSaveAndLoadStyleToDatabaseSupported)."""
    return bool(provider.styleStorageCapabilities() & Qgis.ProviderStyleStorageCapability.SaveToDatabase)


def _save_default_style(layer: QgsVectorLayer, qml: str | None) -> str:
    """Save the layer's field configuration (with the bundled symbology when ``qml`` is given) as its
    default style: in the data source when the provider keeps styles (GeoPackage, PostGIS, SpatiaLite),
    else as ``<file>.qml`` beside a file-based dataset. Returns where it went: "database", "sidecar", "table" (a CSV or
    spreadsheet: deliberately nowhere) or "" (failed)."""
    categories = QgsMapLayer.StyleCategory.Fields
    if qml:
        categories |= (QgsMapLayer.StyleCategory.Symbology | QgsMapLayer.StyleCategory.Labeling
                       | QgsMapLayer.StyleCategory.Rendering)
    provider = layer.dataProvider()
    if provider is not None and _stores_styles(provider) and layer.providerType() != "memory":
        doc = QDomDocument()
        layer.exportNamedStyle(doc, categories=categories)
        parts = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
        name = parts.get("layerName") or parts.get("table") or Path(parts.get("path") or "default").stem
        # QgsVectorLayer.saveStyleToDatabase of 3.22 always saves every category: go to the provider
        ok = QgsProviderRegistry.instance().saveStyle(
            layer.providerType(), layer.source(), doc.toString(), "", name,
            tr("Chinese field aliases and symbology of the Linxia Tianguan plugin"), "", True, "")
        return "database" if ok else ""
    if layer.providerType() == "ogr":
        path = Path(QgsProviderRegistry.instance().decodeUri("ogr", layer.source()).get("path") or "")
        if path.suffix.lower() in _TABLE_SUFFIXES:
            return "table"  # a plain table keeps its ASCII headers and nothing beside it
        if path.is_file():
            _message, ok = layer.saveNamedStyle(str(path.with_suffix(".qml")), categories)
            return "sidecar" if ok else ""
    return ""


def persist_aliases(dest: str, aliases: dict[str, str], context, qml: str | None = None) -> str:
    """Make the aliases of a finished Processing output stick: on the layer itself when it is a
    temporary (memory) layer of the context, in the written file otherwise, and on the layer Processing
    loads into the project when it loads one. Call it once the output's sink is closed (the
    algorithm's ``postProcessAlgorithm``). Returns how they were kept: "database", "sidecar", "layer",
    "table" (a CSV or spreadsheet, left with its ASCII headers) or "" (the output could not be opened)."""
    if not dest or not aliases:
        return ""
    how = ""
    layer = context.temporaryLayerStore().mapLayer(dest) if context is not None else None
    if isinstance(layer, QgsVectorLayer):
        set_aliases(layer, aliases)
        how = _save_default_style(layer, None) or "layer"
    elif "://" not in dest and not dest.startswith("memory:"):
        options = QgsVectorLayer.LayerOptions()
        options.loadDefaultStyle = False
        written = QgsVectorLayer(dest, "aliases", "ogr", options)
        if written.isValid():
            if qml:
                apply_style(written, qml, aliases)
            else:
                set_aliases(written, aliases)
            how = _save_default_style(written, qml)
        del written
    if context is not None and context.willLoadLayerOnCompletion(dest):
        details = context.layerToLoadOnCompletionDetails(dest)
        if details.postProcessor() is None:
            details.setPostProcessor(StyleOnLoad.create(qml, aliases))
    return how


class StyleOnLoad(QgsProcessingLayerPostProcessorInterface):
    """Style a Processing output as it loads into the project."""

    _alive: list = []  # Processing keeps only a C++ pointer: hold the Python object

    def __init__(self, qml: str | None, aliases: dict[str, str] | None = None):
        super().__init__()
        self.qml, self.aliases = qml, aliases

    @classmethod
    def create(cls, qml: str | None, aliases: dict[str, str] | None = None) -> StyleOnLoad:
        instance = cls(qml, aliases)
        cls._alive.append(instance)
        return instance

    def postProcessLayer(self, layer, context, feedback) -> None:
        if isinstance(layer, QgsVectorLayer):
            apply_style(layer, self.qml, self.aliases)
