"""The QField project's pieces shared by the packages the desk sends to the field (the 社 officers' 外业巡田包,
:mod:`.field_package_export`, and the enforcement staff's 执法整改包, :mod:`..cases.enforcement_package_export`):
the package GeoPackage's layers, read-only layers and QFieldSync's locks, labels, defaults, widgets and the photo
form. One place, so both packages behave the same on the phone (photos into ``DCIM/`` named the same way, the same
locks) and a QFieldSync change is made once."""
from __future__ import annotations

import json
from pathlib import Path

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransformContext,
    QgsDefaultValue,
    QgsEditorWidgetSetup,
    QgsFeature,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsPalLayerSettings,
    QgsProcessingException,
    QgsTextFormat,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
    QgsWkbTypes,
)
from qgis.PyQt.QtGui import QColor, QFont

from ... import compat
from ...i18n import tr

#: QFieldSync's attachment naming of every photo field: ``DCIM/<layer>_<time>.jpg``
PHOTO_NAMING = "'DCIM/' || @layer_name || '_' || format_date(now(), 'yyyyMMddhhmmsszzz') || '.jpg'"


def make_field(name: str, kind: str, length: int = 0) -> QgsField:
    return compat.make_field(name, kind, length)


def make_fields(*specs) -> QgsFields:
    fields = QgsFields()
    for spec in specs:
        fields.append(make_field(*spec))
    return fields


def write_layer(path: Path, name: str, fields: QgsFields, wkb_type, crs: QgsCoordinateReferenceSystem,
                rows: list[tuple[bytes | None, list]], first: bool) -> None:
    """Write one layer of the package GeoPackage (the first one creates the file)."""
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = name
    options.fileEncoding = "UTF-8"
    options.actionOnExistingFile = (QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteFile if first
                                    else QgsVectorFileWriter.ActionOnExistingFile.CreateOrOverwriteLayer)
    writer = QgsVectorFileWriter.create(str(path), fields, wkb_type, crs, QgsCoordinateTransformContext(), options)
    if writer.hasError() != QgsVectorFileWriter.WriterError.NoError:
        raise QgsProcessingException(tr("Cannot write layer {layer} of {path}: {error}").format(
            layer=name, path=path, error=writer.errorMessage()))
    for wkb, values in rows:
        feature = QgsFeature(fields)
        if wkb is not None:
            geom = QgsGeometry()
            geom.fromWkb(wkb)
            if QgsWkbTypes.isMultiType(wkb_type) and not geom.isMultipart():
                geom.convertToMultiType()
            feature.setGeometry(geom)
        feature.setAttributes(values)
        if not writer.addFeature(feature):
            raise QgsProcessingException(tr("Cannot write layer {layer} of {path}: {error}").format(
                layer=name, path=path, error=writer.errorMessage()))
    del writer


def read_only(layer: QgsVectorLayer) -> None:
    """Read-only everywhere: the layer, every field of its form, QFieldSync's locks."""
    layer.setReadOnly(True)
    form = layer.editFormConfig()
    for i in range(layer.fields().count()):
        form.setReadOnly(i, True)
    layer.setEditFormConfig(form)
    for key, value in (("QFieldSync/action", "no_action"), ("QFieldSync/cloud_action", "no_action"),
                       ("QFieldSync/is_feature_addition_locked", True),
                       ("QFieldSync/is_attribute_editing_locked", True),
                       ("QFieldSync/is_geometry_editing_locked", True),
                       ("QFieldSync/is_feature_deletion_locked", True)):
        layer.setCustomProperty(key, value)


def set_labels(layer: QgsVectorLayer, expression: str, font: str, size: float, color: str = "#202020") -> None:
    """Labels of ``expression`` in the CJK ``font`` with a light buffer (readable on a phone in the sun)."""
    settings = QgsPalLayerSettings()
    settings.fieldName = expression
    settings.isExpression = True
    text = QgsTextFormat()
    text.setFont(QFont(font))
    text.setSize(size)
    text.setColor(QColor(color))
    buffer = text.buffer()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    text.setBuffer(buffer)
    settings.setFormat(text)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def set_default(layer: QgsVectorLayer, name: str, expression: str, on_update: bool = False) -> None:
    layer.setDefaultValueDefinition(layer.fields().indexOf(name), QgsDefaultValue(expression, on_update))


def photo_form(layer: QgsVectorLayer, time_field: str, officer: str | None,
                photos: tuple[str, ...] = ("photo",)) -> None:
    """What the evidence and the 巡田上报 forms share: the camera's photos (``photos``: attachment fields, relative,
    into DCIM), a multi-line note, the time (now by default) and the officer, and QFieldSync's offline action and
    photo naming (every attachment field named the same way)."""
    for name in photos:
        set_widget(layer, name, "ExternalResource", {
            "DocumentViewer": 1, "DocumentViewerHeight": 0, "DocumentViewerWidth": 0, "FileWidget": True,
            "FileWidgetButton": True, "FileWidgetFilter": "", "RelativeStorage": 1, "StorageMode": 0,
            "PropertyCollection": {"name": None, "properties": {}, "type": "collection"}})
    naming = json.dumps({name: PHOTO_NAMING for name in photos})
    set_widget(layer, "note", "TextEdit", {"IsMultiline": True, "UseHtml": False})
    set_widget(layer, time_field, "DateTime", {"allow_null": True, "calendar_popup": True,
                                            "display_format": "yyyy-MM-dd HH:mm:ss",
                                            "field_format": "yyyy-MM-dd HH:mm:ss", "field_iso_format": False})
    set_default(layer, time_field, "now()")
    set_default(layer, "officer", quoted(officer))
    for key, value in (("QFieldSync/action", "offline"), ("QFieldSync/cloud_action", "offline"),
                       # QFieldSync ≥ 4.3 / QField ≥ 2.7 read attachment_naming; photo_naming for older
                       ("QFieldSync/attachment_naming", naming), ("QFieldSync/photo_naming", naming)):
        layer.setCustomProperty(key, value)


def set_widget(layer: QgsVectorLayer, name: str, kind: str, config: dict | None = None) -> None:
    layer.setEditorWidgetSetup(layer.fields().indexOf(name), QgsEditorWidgetSetup(kind, config or {}))


def quoted(text: str | None) -> str:
    return "'" + str(text or "").replace("'", "''") + "'"
