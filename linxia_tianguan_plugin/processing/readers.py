"""Reading Processing sources into the columnar tables of ``core`` (the only place that iterates
QGIS features for the coding algorithms), with the checks county data needs on the way in:
fields named in the error when missing, GBK shapefiles without .cpg, any CRS projected to the metric
working CRS, invalid geometries left for ``core`` to repair and list.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from qgis.core import (
    NULL,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSource,
    QgsFields,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsProcessingFeedback,
    QgsVectorLayer,
)

from ..core.layers import prepare_layer
from ..i18n import tr


@dataclass(frozen=True)
class FieldSpec:
    """A field the algorithm reads: the core's name for it, the field name in the layer, its meaning."""

    key: str
    name: str
    meaning: str
    required: bool = True
    numeric: bool = False


def find_field(fields: QgsFields, name: str) -> int:
    """Index of ``name`` in ``fields``, ignoring case (shapefiles often arrive lower-cased)."""
    idx = fields.lookupField(name)
    if idx >= 0:
        return idx
    lowered = name.lower()
    for i, f in enumerate(fields):
        if f.name().lower() == lowered:
            return i
    return -1


def resolve_fields(source: QgsFeatureSource, label: str, specs: list[FieldSpec]) -> dict[str, int]:
    """Field indices by key; a missing required field stops the run with the layer and field named."""
    out: dict[str, int] = {}
    for spec in specs:
        idx = find_field(source.fields(), spec.name) if spec.name else -1
        if idx < 0 and spec.required:
            raise QgsProcessingException(
                tr("Layer “{layer}” has no field “{field}” ({meaning}). Check that the right layer was "
                   "chosen, or name the field in the advanced parameters.").format(
                    layer=label, field=spec.name, meaning=spec.meaning))
        if idx >= 0:
            out[spec.key] = idx
    return out


def dbf_encoding(shp_path: str) -> str | None:
    """Encoding to force for a shapefile without .cpg whose DBF has no code-page mark (LDID 0).

    QGIS then falls back to the system encoding, which turns GBK names from a 三调 delivery into
    mojibake on a UTF-8 system. The DBF's bytes tell: valid UTF-8 stays as is, otherwise GBK.
    """
    path = Path(shp_path)
    if path.suffix.lower() != ".shp":
        return None
    if any(path.with_suffix(s).exists() for s in (".cpg", ".CPG")):
        return None
    dbf = next((path.with_suffix(s) for s in (".dbf", ".DBF") if path.with_suffix(s).exists()), None)
    if dbf is None:
        return None
    with open(dbf, "rb") as handle:
        head = handle.read(32)
        if len(head) < 32 or head[29] != 0:
            return None  # a code page is marked: OGR honours it
        handle.seek(int.from_bytes(head[8:10], "little"))  # records start after the field descriptors
        sample = handle.read(4 * 1024 * 1024)
    if all(b < 0x80 for b in sample):
        return None
    try:
        sample.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    try:
        sample[: len(sample) - 4].decode("gbk")  # the cut may split a character at the end
        return "GBK"
    except UnicodeDecodeError:
        return None


def source_for(alg, parameters: dict, name: str, context: QgsProcessingContext,
               feedback: QgsProcessingFeedback) -> tuple[QgsFeatureSource | None, str, list[int] | None]:
    """The feature source of parameter ``name``, re-opened as GBK when it is a GBK shapefile without
    .cpg; returns (source, label for messages, feature ids to restrict to or None)."""
    source = alg.parameterAsSource(parameters, name, context)
    if source is None:
        return None, "", None
    layer = alg.parameterAsVectorLayer(parameters, name, context)
    label = layer.name() if layer is not None else name
    if layer is None or layer.providerType() != "ogr":
        return source, label, None
    shp = layer.source().split("|")[0]
    encoding = dbf_encoding(shp)
    if encoding is None or layer.dataProvider().encoding().upper() in ("GBK", "CP936", "GB18030"):
        return source, label, None
    fixed = QgsVectorLayer(layer.source(), label, "ogr")
    fixed.setProviderEncoding(encoding)
    feedback.pushInfo(tr("Layer “{layer}” has no .cpg file; its attributes are read as {encoding}.").format(
        layer=label, encoding=encoding))
    definition = parameters.get(name)
    only_selected = bool(getattr(definition, "selectedFeaturesOnly", False))
    return fixed, label, (layer.selectedFeatureIds() if only_selected else None)


def _text(values: list) -> np.ndarray:
    out = []
    for v in values:
        if v is None or v == NULL:
            out.append("")
        elif isinstance(v, str):
            out.append(v.strip())
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v).strip())
    return np.asarray(out, dtype=object)


def _number(values: list) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        if v is None or v == NULL or v == "":
            continue
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            pass
    return out


def read_layer(
    source: QgsFeatureSource,
    role: str,
    label: str,
    specs: list[FieldSpec],
    crs: QgsCoordinateReferenceSystem,
    context: QgsProcessingContext,
    feedback: QgsProcessingFeedback,
    expression: str | None = None,
    fids: list[int] | None = None,
    progress: tuple[float, float] = (0.0, 100.0),
    workers: int = 2,
):
    """Read ``source`` once into a :class:`~..core.layers.Layer` (geometries repaired and measured)."""
    index = resolve_fields(source, label, specs)
    request = QgsFeatureRequest()
    request.setSubsetOfAttributes(sorted(set(index.values())))
    request.setDestinationCrs(crs, context.transformContext())
    if expression:
        request.setFilterExpression(expression)
    if fids is not None:
        request.setFilterFids(fids)
    if isinstance(source, QgsProcessingFeatureSource):
        iterator = source.getFeatures(request, QgsProcessingFeatureSource.FlagSkipGeometryValidityChecks)
    else:
        iterator = source.getFeatures(request)
    total = max(source.featureCount(), 1)
    fid, wkb = [], []
    raw: dict[str, list] = {k: [] for k in index}
    feature = QgsFeature()
    lo, hi = progress
    n = 0
    while iterator.nextFeature(feature):
        if n % 5000 == 0:
            if feedback.isCanceled():
                return None, []
            feedback.setProgress(lo + (hi - lo) * min(n / total, 1.0))
        geometry = feature.geometry()
        fid.append(feature.id())
        wkb.append(None if geometry.isNull() else bytes(geometry.asWkb()))
        attrs = feature.attributes()
        for key, i in index.items():
            raw[key].append(attrs[i])
        n += 1
    numeric = {s.key for s in specs if s.numeric}
    attrs = {k: (_number(v) if k in numeric else _text(v)) for k, v in raw.items()}
    for spec in specs:
        if spec.key not in attrs:
            attrs[spec.key] = np.full(n, np.nan) if spec.numeric else np.full(n, "", dtype=object)
    return prepare_layer(label or role, np.asarray(fid, dtype=np.int64), np.asarray(wkb, dtype=object), attrs, workers)
