"""Reading Processing sources into the columnar tables of ``core`` (the only place that iterates
QGIS features for the coding algorithms), with the checks county data needs on the way in:
fields named in the error when missing, GBK shapefiles without .cpg, any CRS projected to the metric
working CRS, invalid geometries left for ``core`` to repair and list.
"""
from __future__ import annotations

import re
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
    QgsProviderRegistry,
    QgsVectorLayer,
)

from .. import compat
from ..core import crs as crs_rules
from ..core import dlbm
from ..core.coding.layers import prepare_layer
from ..i18n import tr


@dataclass(frozen=True)
class FieldSpec:
    """A field the algorithm reads: the core's name for it, the field name in the layer, its meaning."""

    key: str
    name: str
    meaning: str
    required: bool = True
    numeric: bool = False
    land_class: bool = False  # a 三调 land-class code (DLBM): normalised on reading; key "DLBM" implies it

    @property
    def is_land_class(self) -> bool:
        return self.land_class or self.key.upper() == "DLBM"


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


@dataclass
class Input:
    """A resolved input: the feature source, its name for messages, and how it can be read."""

    source: QgsFeatureSource
    label: str
    fids: list[int] | None = None  # restrict to these features (a selection)
    ogr_path: str | None = None  # set when GDAL can stream the file directly (no subset/selection)
    ogr_layer: str | None = None
    encoding: str | None = None  # forced encoding of a shapefile without .cpg


def source_for(alg, parameters: dict, name: str, context: QgsProcessingContext,
               feedback: QgsProcessingFeedback) -> Input | None:
    """The feature source of parameter ``name``; a GBK shapefile without .cpg is re-opened as GBK."""
    source = alg.parameterAsSource(parameters, name, context)
    if source is None:
        return None
    layer = alg.parameterAsVectorLayer(parameters, name, context)
    label = layer.name() if layer is not None else name
    if layer is None or layer.providerType() != "ogr":
        return Input(source, label)
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path, layer_name = parts.get("path") or "", parts.get("layerName") or None
    if layer_name and layer_name != label:
        label = f"{label} ({layer_name})"  # a layer opened from a path is named after the file: say which layer
    definition = parameters.get(name)
    only_selected = bool(getattr(definition, "selectedFeaturesOnly", False))
    fids = layer.selectedFeatureIds() if only_selected else None
    # GDAL 3.6 hands shapefile strings to Arrow undecoded: stream GeoPackages only (UTF-8 by definition)
    direct = (not layer.subsetString() and fids is None and Path(path).is_file()
              and Path(path).suffix.lower() == ".gpkg")
    item = Input(source, label, fids, path if direct else None, layer_name)
    encoding = dbf_encoding(path)
    if encoding is None or layer.dataProvider().encoding().upper() in ("GBK", "CP936", "GB18030"):
        return item
    fixed = QgsVectorLayer(layer.source(), label, "ogr")
    fixed.setProviderEncoding(encoding)
    feedback.pushInfo(tr("Layer “{layer}” has no .cpg file; its attributes are read as {encoding}.").format(
        layer=label, encoding=encoding))
    item.source, item.encoding = fixed, encoding
    return item


def _text(values) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind in "US":  # from GDAL's Arrow stream
        width = values.dtype.itemsize // (4 if values.dtype.kind == "U" else 1)
        if width == 0 or len(values) == 0:
            return values
        chars = np.ascontiguousarray(values).view(np.uint32 if values.dtype.kind == "U" else np.uint8).reshape(
            len(values), width)
        spaced = np.flatnonzero((chars == 32).any(axis=1) | (chars == 9).any(axis=1))
        if len(spaced):  # strip only the few values that carry blanks
            values = values.copy()
            values[spaced] = np.char.strip(values[spaced])
        return values
    out = []
    for v in values:
        if v is None or v == NULL:
            out.append("")
        elif isinstance(v, str):
            out.append(v.strip())
        elif isinstance(v, float) and not np.isfinite(v):
            out.append("")
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v).strip())
    return np.asarray(out, dtype=object)


def _number(values) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        return values.astype(float)
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
    item: Input,
    role: str,
    specs: list[FieldSpec],
    crs: QgsCoordinateReferenceSystem,
    context: QgsProcessingContext,
    feedback: QgsProcessingFeedback,
    expression: str | None = None,
    progress: tuple[float, float] = (0.0, 100.0),
    repair_now: bool = True,
    ascii_bytes: tuple[str, ...] = (),
):
    """Read an input once into a :class:`~..core.coding.layers.Layer` (geometries repaired and measured).

    Files already in the working CRS are streamed by GDAL in Arrow batches (GDAL ≥ 3.6): for 2.5
    million contract parcels that is seconds instead of the better part of a minute feature by
    feature. Anything else — other providers, selections, subsets, reprojection — goes through QGIS.
    The ``ascii_bytes`` columns stay one byte per character (numpy ``S``) where GDAL gives them so and every value
    is ASCII (codes are): a caller that only passes them on saves widening millions of codes to numpy's four bytes
    per character (see :func:`~..core.coding.chunk.compact_text`).
    """
    source, label = item.source, item.label
    index = resolve_fields(source, label, specs)
    check_zone(source, label)
    names = {key: source.fields()[i].name() for key, i in index.items()}
    expression, keep_prefix = _land_class_filter(source, index, specs, expression)
    raw = None
    if item.ogr_path and source.sourceCrs() == crs:
        raw = _read_arrow(item, names, expression, feedback, set(ascii_bytes))
    if raw is None:
        raw = _read_features(item, index, crs, context, feedback, expression, progress)
    if raw is None:
        return None, []
    fid, wkb, columns = raw
    fid, wkb, columns = _normalise_land_class(source, label, index, specs, fid, wkb, columns, keep_prefix, feedback)
    numeric = {s.key for s in specs if s.numeric}
    attrs = {k: (_number(v) if k in numeric else _text(v)) for k, v in columns.items()}
    n = len(fid)
    for spec in specs:
        if spec.key not in attrs:
            attrs[spec.key] = np.full(n, np.nan) if spec.numeric else np.full(n, "", dtype=object)
    feedback.setProgress(progress[1])
    return prepare_layer(label or role, np.asarray(fid, dtype=np.int64), np.asarray(wkb, dtype=object), attrs,
                         repair_now=repair_now)


_BLANKS = (" ", "\u3000", "\u00a0", "\t")  # blanks county data pads codes with (full-width, no-break, tab)
_PREFIX_FILTER = re.compile(r"""^\s*"((?:[^"]|"")+)"\s+LIKE\s+'(\d{1,4})%'\s*$""", re.IGNORECASE)


def _land_class_filter(source, index: dict[str, int], specs: list[FieldSpec], expression: str | None):
    """The filter to read with, and the land-class prefix to keep once the codes are normalised.

    A prefix filter on a land-class field (``"DLBM" LIKE '01%'``) would silently drop codes padded with
    blanks (' 0103') or stored as numbers (103): it is widened to a superset both QGIS and GDAL (SQLite)
    evaluate — a numeric range for a numeric field, a few LIKE patterns for text — and the exact prefix
    is applied after normalising (see :func:`_normalise_land_class`).
    """
    match = _PREFIX_FILTER.match(expression or "")
    if not match:
        return expression, None
    name, prefix = match.group(1).replace('""', '"'), match.group(2)
    fields = source.fields()
    spec = next((s for s in specs if s.is_land_class and s.key in index
                 and fields[index[s.key]].name().lower() == name.lower()), None)
    if spec is None:
        return expression, None
    quoted = '"{}"'.format(fields[index[spec.key]].name().replace('"', '""'))
    if fields[index[spec.key]].isNumeric():
        low, high = int(prefix.ljust(4, "0")), int(prefix.ljust(4, "9")) + 1
        return f"({quoted} >= {low} AND {quoted} < {high})", prefix
    patterns = [prefix + "%"] + [f"%{blank}{prefix}%" for blank in _BLANKS]
    if prefix.startswith("0") and len(prefix) > 1:  # the leading zero lost on the way through a number
        patterns.append("%" + prefix[1:] + "_" * (4 - len(prefix)) + ".%")  # 103.0
    return "(" + " OR ".join(f"{quoted} LIKE '{p}'" for p in patterns) + ")", prefix


def _normalise_land_class(source, label, index, specs, fid, wkb, columns, keep_prefix, feedback):
    """Land-class codes as 4-character 三调 text (see :func:`..core.dlbm.normalise`), said when any
    changed; with ``keep_prefix`` only the features whose normalised code starts with it are kept."""
    keep = None
    for spec in specs:
        if not spec.is_land_class or spec.key not in columns:
            continue
        raw = columns[spec.key]
        field = source.fields()[index[spec.key]]
        if field.isNumeric():  # GDAL's Arrow stream hands integers over as text: numbers again
            raw = [_as_number(v) for v in raw]
        elif not isinstance(raw, np.ndarray):
            raw = [None if (v is None or v == NULL) else v for v in raw]
        codes, changed, before, after = dlbm.normalise_many(raw)
        columns[spec.key] = codes
        if changed and field.isNumeric():
            feedback.pushWarning(tr(
                "Layer “{layer}”: field “{field}” stores land class codes as numbers ({type}); {n} codes were read "
                "as 4-character text, e.g. {before} → {after}. Store the codes as text to keep their leading zero."
            ).format(layer=label, field=field.name(), type=field.typeName(), n=changed, before=before, after=after))
        elif changed:
            feedback.pushWarning(tr(
                "Layer “{layer}”: {n} land class codes in field “{field}” were normalised (blanks, number formats, "
                "lower-case letters), e.g. “{before}” → “{after}”.").format(
                layer=label, field=field.name(), n=changed, before=before, after=after))
        if keep_prefix and keep is None:
            keep = np.fromiter((c.startswith(keep_prefix) for c in codes), dtype=bool, count=len(codes))
    if keep is None or keep.all():
        return fid, wkb, columns
    index_ = np.flatnonzero(keep)
    pick = lambda values: (values[index_] if isinstance(values, np.ndarray)  # noqa: E731
                           else [values[i] for i in index_])
    return pick(np.asarray(fid)), pick(np.asarray(wkb, dtype=object)), {k: pick(v) for k, v in columns.items()}


def _as_number(value):
    if value is None or value == NULL:
        return None
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    return value


def check_zone(source, label: str) -> None:
    """Stop with a clear message when the coordinates belong to another CGCS2000 convention than the
    declared CRS (a 38-million easting under a CRS without the zone prefix, a 500 000 one under a zone
    CRS, degrees under a projected one): read as they are, they turn into infinite longitudes later."""
    declared = source.sourceCrs()
    authid = declared.authid() if declared.isValid() else ""
    if not authid.upper().startswith("EPSG:"):
        return
    try:
        epsg = int(authid.split(":", 1)[1])
    except ValueError:
        return
    extent = source.sourceExtent()
    if extent.isNull() or extent.width() < 0 or extent.height() < 0:
        return
    found = crs_rules.check_zone(epsg, extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
    if found is None:
        return
    looks = {
        crs_rules.PREFIXED: tr("3-degree Gauss-Krüger coordinates with the zone number {zone} in x").format(
            zone=found.zone),
        crs_rules.PLAIN: tr("3-degree Gauss-Krüger coordinates without the zone number"),
        crs_rules.DEGREES: tr("longitude/latitude in degrees"),
    }[found.found]
    x = f"{found.x:.3f}" if found.found == crs_rules.DEGREES else f"{found.x:,.0f}"
    if found.likely is None:
        raise QgsProcessingException(tr(
            "Layer “{layer}” declares EPSG:{epsg} ({name}), but its coordinates are {looks} (x ≈ {x}): the "
            "layer's coordinate reference system is wrong. Assign it the CRS its coordinates were measured in "
            "and run again.").format(layer=label, epsg=epsg, name=declared.description(), looks=looks, x=x))
    likely = QgsCoordinateReferenceSystem(f"EPSG:{found.likely}")
    raise QgsProcessingException(tr(
        "Layer “{layer}” declares EPSG:{epsg} ({name}), but its coordinates are {looks} (x ≈ {x}): the layer's "
        "coordinate reference system is wrong. It is probably EPSG:{likely} ({likely_name}): assign it to the "
        "layer (Layer Properties → Source → Assigned CRS) and run again.").format(
        layer=label, epsg=epsg, name=declared.description(), looks=looks, x=x, likely=found.likely,
        likely_name=likely.description()))


def _read_features(item: Input, index, crs, context, feedback, expression, progress):
    """Feature by feature through QGIS (any provider, selections, reprojection)."""
    source = item.source
    request = QgsFeatureRequest()
    request.setSubsetOfAttributes(sorted(set(index.values())))
    request.setDestinationCrs(crs, context.transformContext())
    if expression:
        request.setFilterExpression(expression)
    if item.fids is not None:
        request.setFilterFids(item.fids)
    if isinstance(source, QgsProcessingFeatureSource):
        iterator = source.getFeatures(request, compat.ProcessingFeatureSourceFlag.SkipGeometryValidityChecks)
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
                return None
            feedback.setProgress(lo + (hi - lo) * min(n / total, 1.0))
        geometry = feature.geometry()
        fid.append(feature.id())
        wkb.append(None if geometry.isNull() else bytes(geometry.asWkb()))
        attrs = feature.attributes()
        for key, i in index.items():
            raw[key].append(attrs[i])
        n += 1
    return fid, wkb, raw


def _read_arrow(item: Input, names: dict[str, str], expression: str | None, feedback,
                ascii_bytes: set[str] = frozenset()):
    """Stream a file layer with GDAL's Arrow interface; None when this GDAL or file cannot. Text columns come back
    as fixed-width text, those of ``ascii_bytes`` as bytes when they hold only ASCII (see :func:`read_layer`)."""
    try:
        from osgeo import gdal, ogr
    except ImportError:
        return None
    if not hasattr(ogr.Layer, "GetArrowStreamAsNumPy"):
        return None
    options = [f"ENCODING={item.encoding}"] if item.encoding else []
    if True:  # GDAL's exception mode is process-wide (QGIS's too): check return values instead
        try:
            ds = gdal.OpenEx(item.ogr_path, gdal.OF_VECTOR | gdal.OF_READONLY, open_options=options)
            layer = None if ds is None else (ds.GetLayerByName(item.ogr_layer) if item.ogr_layer else ds.GetLayer(0))
            if layer is None:
                return None
            wanted = set(names.values())
            layer.SetIgnoredFields([f.GetName() for f in layer.schema if f.GetName() not in wanted])
            if expression:
                layer.SetAttributeFilter(expression)
            fid_name = layer.GetFIDColumn() or "OGC_FID"
            geom_name = layer.GetGeometryColumn() or "wkb_geometry"
            fids, wkbs = [], []
            cols: dict[str, list] = {k: [] for k in names}
            for batch in layer.GetArrowStreamAsNumPy(options=["USE_MASKED_ARRAYS=NO", "INCLUDE_FID=YES"]):
                if feedback.isCanceled():
                    return None
                fids.append(batch[fid_name])
                wkbs.append(batch[geom_name])
                for key, field in names.items():
                    cols[key].append(batch[field])
        except Exception:  # any GDAL trouble: fall back to reading through QGIS
            return None
    if not fids:
        return [], [], {k: [] for k in names}
    columns = {}
    for key, parts in cols.items():
        values = np.concatenate(parts)
        if values.dtype.kind == "S" and key in ascii_bytes and (values.view(np.uint8) < 128).all():
            pass  # (kept as bytes)
        elif values.dtype.kind == "S":  # compact fixed-width unicode, not millions of str objects
            try:
                values = values.astype(f"U{values.dtype.itemsize}")  # ASCII codes: a plain cast
            except UnicodeDecodeError:
                values = np.char.decode(values, "utf-8", errors="replace")
        elif values.dtype.kind in "iu":
            values = values.astype(str)
        columns[key] = values
    return np.concatenate(fids), np.concatenate(wkbs), columns
