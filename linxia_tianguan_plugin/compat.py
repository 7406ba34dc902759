"""Version switches for the supported QGIS range: 3.34 (the minimum, Qt5/PyQt5) to 4.x (Qt6/PyQt6).

The rest of the plugin writes what both ends accept: scoped Qt enums (``Qt.AlignmentFlag.AlignLeft``), the
``Qgis.*`` enums QGIS 3.34 already has (``Qgis.WkbType``, ``Qgis.MessageLevel`` …) and ``exec()``. Only the
spellings that differ *within* the supported range are chosen here, once, when the plugin is imported:

* field types: ``QgsField(name, QMetaType.Type)`` (and ``QgsField.type()`` returning ``QMetaType.Type``) arrived
  in QGIS 3.38, which deprecates the ``QVariant.Type`` overloads (each call then puts a deprecation warning into
  the message log); Qt6 has no ``QVariant.Type`` at all, 3.34 and 3.36 know nothing else;
* the ``Qgis.*`` enums that QGIS 3.36 moved out of the Processing and feature-request classes
  (``Qgis.ProcessingSourceType`` was ``QgsProcessing.SourceType`` …): the new name on 3.36+, the old one before.

This is the only module ``tools/qt6_check.py`` lets spell the old names (a line marked ``# qt6-check: allow``).
When the minimum QGIS reaches 3.38, replace ``compat.X`` by ``Qgis.X`` / ``QMetaType.Type`` and delete this.
"""
from __future__ import annotations

from types import SimpleNamespace

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsField,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingFeatureSource,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QMetaType, QVariant

#: QGIS >= 3.38: QgsField takes and returns QMetaType.Type (the QVariant.Type overloads are deprecated)
METATYPE_FIELDS = Qgis.versionInt() >= 33800

if METATYPE_FIELDS:
    _FIELD_TYPES = {
        "String": QMetaType.Type.QString, "Int": QMetaType.Type.Int, "LongLong": QMetaType.Type.LongLong,
        "Double": QMetaType.Type.Double, "Bool": QMetaType.Type.Bool, "Date": QMetaType.Type.QDate,
        "DateTime": QMetaType.Type.QDateTime, "Time": QMetaType.Type.QTime,
    }
else:  # QGIS 3.34 / 3.36 (always Qt5)
    _FIELD_TYPES = {
        "String": QVariant.String, "Int": QVariant.Int, "LongLong": QVariant.LongLong,  # qt6-check: allow
        "Double": QVariant.Double, "Bool": QVariant.Bool, "Date": QVariant.Date,  # qt6-check: allow
        "DateTime": QVariant.DateTime, "Time": QVariant.Time,  # qt6-check: allow
    }

#: the enum of field types on this QGIS (QMetaType.Type from 3.38, QVariant.Type before), for annotations
FieldType = type(_FIELD_TYPES["String"])


def field_type(name: str) -> FieldType:
    """The field type called ``name`` (String, Int, LongLong, Double, Bool, Date, DateTime, Time) as this
    QGIS's ``QgsField`` takes it and ``QgsField.type()`` returns it: compare ``field.type()`` with this."""
    return _FIELD_TYPES[name]


def make_field(name: str, kind: str, length: int = 0, precision: int = 0) -> QgsField:
    """``QgsField(name, <type kind>, len=length, prec=precision)`` through the constructor this QGIS does not
    deprecate. ``kind`` is a name of :func:`field_type`."""
    return QgsField(name, _FIELD_TYPES[kind], len=length, prec=precision)


def _scoped(name: str, old_owner, members: dict[str, str]) -> SimpleNamespace:
    """The members of enum ``Qgis.<name>`` (QGIS >= 3.36) or, before, the same values under their old names on
    ``old_owner`` (``members``: new member name → old attribute name). Used like the enum: ``X.Member``."""
    new = getattr(Qgis, name, None)
    if new is not None:
        return SimpleNamespace(**{member: getattr(new, member) for member in members})
    return SimpleNamespace(**{member: getattr(old_owner, old) for member, old in members.items()})


#: Qgis.ProcessingSourceType (3.36), QgsProcessing.SourceType before
ProcessingSourceType = _scoped("ProcessingSourceType", QgsProcessing, {
    "VectorAnyGeometry": "TypeVectorAnyGeometry", "VectorPoint": "TypeVectorPoint",
    "VectorLine": "TypeVectorLine", "VectorPolygon": "TypeVectorPolygon", "Vector": "TypeVector"})
#: Qgis.ProcessingAlgorithmFlag (3.36), QgsProcessingAlgorithm.Flag before
ProcessingAlgorithmFlag = _scoped("ProcessingAlgorithmFlag", QgsProcessingAlgorithm, {
    "NoThreading": "FlagNoThreading"})
#: Qgis.ProcessingParameterFlag (3.36), QgsProcessingParameterDefinition.Flag before
ProcessingParameterFlag = _scoped("ProcessingParameterFlag", QgsProcessingParameterDefinition, {
    "Advanced": "FlagAdvanced", "Optional": "FlagOptional", "Hidden": "FlagHidden"})
#: Qgis.ProcessingNumberParameterType (3.36), QgsProcessingParameterNumber.Type before
ProcessingNumberParameterType = _scoped("ProcessingNumberParameterType", QgsProcessingParameterNumber, {
    "Integer": "Integer", "Double": "Double"})
#: Qgis.ProcessingFileParameterBehavior (3.36), QgsProcessingParameterFile.Behavior before
ProcessingFileParameterBehavior = _scoped("ProcessingFileParameterBehavior", QgsProcessingParameterFile, {
    "File": "File", "Folder": "Folder"})
#: Qgis.ProcessingDateTimeParameterDataType (3.36), QgsProcessingParameterDateTime.Type before
ProcessingDateTimeParameterDataType = _scoped("ProcessingDateTimeParameterDataType", QgsProcessingParameterDateTime, {
    "Date": "Date", "DateTime": "DateTime"})
#: Qgis.ProcessingFieldParameterDataType (3.36), QgsProcessingParameterField.DataType before
ProcessingFieldParameterDataType = _scoped("ProcessingFieldParameterDataType", QgsProcessingParameterField, {
    "Any": "Any", "Numeric": "Numeric", "String": "String", "DateTime": "DateTime"})
#: Qgis.ProcessingFeatureSourceFlag (3.36), QgsProcessingFeatureSource.Flag before
ProcessingFeatureSourceFlag = _scoped("ProcessingFeatureSourceFlag", QgsProcessingFeatureSource, {
    "SkipGeometryValidityChecks": "FlagSkipGeometryValidityChecks"})
#: Qgis.FeatureRequestFlag (3.36), QgsFeatureRequest.Flag before
FeatureRequestFlag = _scoped("FeatureRequestFlag", QgsFeatureRequest, {
    "NoGeometry": "NoGeometry", "SubsetOfAttributes": "SubsetOfAttributes"})
#: Qgis.CrsWktVariant (3.36), QgsCoordinateReferenceSystem.WktVariant before
CrsWktVariant = _scoped("CrsWktVariant", QgsCoordinateReferenceSystem, {
    "Preferred": "WKT_PREFERRED"})
