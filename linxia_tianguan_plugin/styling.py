"""Styling of the plugin's layers: bundled .qml symbology plus translated legend labels and aliases.

Field names of every output stay ASCII (interoperable, ≤ 10 characters for shapefiles); the Chinese
aliases (:mod:`.processing.fields` holds them, one registry) travel with the file. GDAL 3.6 cannot write
alternative names into a GeoPackage and QGIS 3.22 would not read them, so :func:`persist_aliases`
saves them as the layer's *default style* in the file itself (table ``layer_styles``, the way QGIS
saves a style “in the database”): QGIS applies it whenever the layer is opened, headless too. Outputs
that Processing loads into the project get them again from :class:`StyleOnLoad` (Processing opens its
outputs without their default style).

Coded fields get a ValueMap widget with the names of :mod:`.labels` and area fields a rounded display
(:func:`set_display_widgets`): the stored values stay codes and exact areas, the attribute table and identify show
names and two decimals. The widgets are saved in the same default style.
"""
from __future__ import annotations

from pathlib import Path

from qgis.core import (
    Qgis,
    QgsCategorizedSymbolRenderer,
    QgsEditorWidgetSetup,
    QgsMapLayer,
    QgsProcessingLayerPostProcessorInterface,
    QgsProviderRegistry,
    QgsVectorLayer,
)
from qgis.PyQt.QtXml import QDomDocument

from . import compat, labels
from .i18n import tr
from .labels import category_labels  # noqa: F401 - kept for the modules that import it from here
from .resources import resource_path


def kind_labels() -> dict[str, str]:
    """Legend labels of the categorised styles (parcel kinds and change pre-judgements), from :mod:`.labels`."""
    return {**labels.parcel_kind_labels(), **labels.category_labels()}


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


def apply_style(layer: QgsVectorLayer, qml: str | None, aliases: dict[str, str] | None = None,
                output: str | None = None) -> None:
    """Load ``resources/styles/<qml>`` (when given), then put translated legend labels and field aliases on it
    (and the value maps of registry entry ``output``)."""
    path = resource_path("styles", qml) if qml else None
    if path is not None and path.exists():
        layer.loadNamedStyle(str(path))
    renderer = layer.renderer()
    if isinstance(renderer, QgsCategorizedSymbolRenderer):
        legend = kind_labels()
        for i, category in enumerate(renderer.categories()):
            if category.value() in legend:
                renderer.updateCategoryLabel(i, legend[category.value()])
    set_aliases(layer, aliases)
    set_display_widgets(layer, output)
    layer.triggerRepaint()


#: area fields (m² and 亩) of the outputs and the store, shown rounded: the registry keeps the exact area
_MU_AREAS = {"GDMJM", "YJMJM", "MJM"}
_M2_AREAS = {"TXMJ", "GDMJ", "YJMJ", "MJ", "PZMJ", "BAMJ", "LSMJ", "KFBJMJ", "XJGDMJ", "XJYJMJ"}


def area_precision(name: str) -> int | None:
    """Decimals an area field is shown with (2 for m², 4 for 亩 as the outputs write them), None for other fields."""
    if name in _MU_AREAS or name.endswith("_mu"):
        return 4
    if name in _M2_AREAS or name.endswith("_m2"):
        return 2
    return None


def _distinct_values_named(layer: QgsVectorLayer, index: int, names: dict) -> bool:
    """Whether every value the field holds has a name: a value map shows an unnamed value as "(value)", worse than
    the plain code (a field name another output uses for other codes keeps its plain values)."""
    known = {str(code) for code in names}
    return all(_is_null(value) or str(value) in known for value in layer.uniqueValues(index))


def _is_null(value) -> bool:
    return value is None or (hasattr(value, "isNull") and value.isNull())


def value_map_setup(names: dict) -> QgsEditorWidgetSetup:
    """A ValueMap widget showing ``names`` ({code: name}) in the attribute table, forms and identify."""
    return QgsEditorWidgetSetup("ValueMap", {"map": [{str(name): str(code)} for code, name in names.items()]})


def set_display_widgets(layer: QgsVectorLayer, output: str | None = None) -> int:
    """Name the codes (a ValueMap for each field of :func:`.labels.field_value_maps` whose values all have a name)
    and round the areas (a Range widget's precision) of a layer of the plugin. The values stay as stored: only
    what the attribute table, forms, identify and expressions' ``represent_value`` show changes. ``output``: the
    layer's registry entry, for its own code families (:func:`.labels.output_value_maps`). Returns the number
    of fields set up."""
    maps, done = labels.field_value_maps(output), 0
    for index, field in enumerate(layer.fields()):
        names = maps.get(field.name())
        if names and _distinct_values_named(layer, index, names):
            layer.setEditorWidgetSetup(index, value_map_setup(names))
            done += 1
            continue
        precision = area_precision(field.name())
        if precision is not None and field.type() == compat.field_type("Double"):
            layer.setEditorWidgetSetup(index, QgsEditorWidgetSetup("Range", {
                "Precision": precision, "Style": "SpinBox", "AllowNull": True, "Step": 1,
                "Min": -1.0e15, "Max": 1.0e15}))
            done += 1
    return done




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
    # Fields holds the aliases, Forms the editor widgets that name the codes and round the areas
    categories = QgsMapLayer.StyleCategory.Fields | QgsMapLayer.StyleCategory.Forms
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


def persist_aliases(dest: str, aliases: dict[str, str], context, qml: str | None = None,
                    output: str | None = None) -> str:
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
        set_display_widgets(layer, output)
        how = _save_default_style(layer, None) or "layer"
    elif "://" not in dest and not dest.startswith("memory:"):
        options = QgsVectorLayer.LayerOptions()
        options.loadDefaultStyle = False
        written = QgsVectorLayer(dest, "aliases", "ogr", options)
        if written.isValid():
            if qml:
                apply_style(written, qml, aliases, output)
            else:
                set_aliases(written, aliases)
                set_display_widgets(written, output)
            how = _save_default_style(written, qml)
        del written
    if context is not None and context.willLoadLayerOnCompletion(dest):
        details = context.layerToLoadOnCompletionDetails(dest)
        if details.postProcessor() is None:
            details.setPostProcessor(StyleOnLoad.create(qml, aliases, output))
    return how


class StyleOnLoad(QgsProcessingLayerPostProcessorInterface):
    """Style a Processing output as it loads into the project."""

    _alive: list = []  # Processing keeps only a C++ pointer: hold the Python object

    def __init__(self, qml: str | None, aliases: dict[str, str] | None = None, output: str | None = None):
        super().__init__()
        self.qml, self.aliases, self.output = qml, aliases, output

    @classmethod
    def create(cls, qml: str | None, aliases: dict[str, str] | None = None,
               output: str | None = None) -> StyleOnLoad:
        instance = cls(qml, aliases, output)
        cls._alive.append(instance)
        return instance

    def postProcessLayer(self, layer, context, feedback) -> None:
        if isinstance(layer, QgsVectorLayer):
            apply_style(layer, self.qml, self.aliases, self.output)
