"""Output schemas: ASCII field names (interoperable, ≤ 10 characters for shapefiles) with Chinese
aliases, and the conversion of ``core`` result columns into QGIS features."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from qgis.core import QgsFeature, QgsField, QgsFields, QgsGeometry
from qgis.PyQt.QtCore import QVariant

from ..i18n import tr


@dataclass(frozen=True)
class OutField:
    name: str
    column: str  # key in core's result columns
    kind: QVariant.Type
    length: int = 0
    precision: int = 0


def _s(name, column, length):
    return OutField(name, column, QVariant.String, length)


def _d(name, column, precision=2):
    return OutField(name, column, QVariant.Double, 20, precision)


PARCEL_FIELDS: list[OutField] = [
    _s("KJM", "code", 20), _s("XDM", "county", 6), _s("XZDM", "township", 9), _s("CDM", "village", 12),
    _s("ZDM", "group_code", 14), OutField("SXH", "seq", QVariant.Int, 10), _s("DKLX", "kind", 3),
    _s("DLBM", "dlbm", 5), _s("DLMC", "dlmc", 20), _s("TBBSM", "tbbsm", 18),
    _d("TXMJ", "area_m2"), _d("GDMJ", "gdmj_m2"), _d("GDMJM", "gdmj_mu", 4),
    _d("YJMJ", "yjmj_m2"), _d("YJMJM", "yjmj_mu", 4),
    _s("DKBM", "dkbm", 19), _s("FBFBM", "fbfbm", 14), _s("CBFBM", "cbfbm", 18),
    _s("BDWGM", "bdcode", 20), _d("JD", "lon", 7), _d("WD", "lat", 7), _s("EWM", "qr", 254),
    _s("BGLX", "relation", 2), _s("FJM", "parents", 254), _s("FMSJ", "coded_at", 25),
    _s("FMPC", "run_id", 32), _s("BZ", "note", 254),
]


_DERIVED_SQL = {"county": 'substr("code", 1, 6)', "township": 'substr("code", 1, 9)',
                "village": 'substr("code", 1, 12)'}


def parcel_columns():
    """:data:`PARCEL_FIELDS` as SQL over the 田管库 registry (for writing a GeoPackage output directly)."""
    from ..storage.export import Column

    out = []
    for f in PARCEL_FIELDS:
        expr = _DERIVED_SQL.get(f.column, f'"{f.column}"')
        if f.kind == QVariant.Double:
            out.append(Column(f.name, "REAL", f"round({expr}, {f.precision})"))
        elif f.kind == QVariant.Int:
            out.append(Column(f.name, "MEDIUMINT", expr))  # what OGR writes for a 32-bit integer
        else:
            out.append(Column(f.name, f"TEXT({f.length})" if f.length else "TEXT", expr))
    return out


def parcel_aliases() -> dict[str, str]:
    return {
        "KJM": tr("Space code"), "XDM": tr("County code"), "XZDM": tr("Township code"),
        "CDM": tr("Village code"), "ZDM": tr("Group code"), "SXH": tr("Sequence"),
        "DKLX": tr("Parcel type"), "DLBM": tr("Land class code"), "DLMC": tr("Land class"),
        "TBBSM": tr("Survey patch id"), "TXMJ": tr("Shape area (m²)"), "GDMJ": tr("Farmland area (m²)"),
        "GDMJM": tr("Farmland area (mu)"), "YJMJ": tr("Permanent basic farmland (m²)"),
        "YJMJM": tr("Permanent basic farmland (mu)"), "DKBM": tr("Contract parcel code"),
        "FBFBM": tr("Contractor-issuer code"), "CBFBM": tr("Contractor code"),
        "BDWGM": tr("Beidou grid code"), "JD": tr("Longitude"), "WD": tr("Latitude"),
        "EWM": tr("QR content"), "BGLX": tr("Coding change"), "FJM": tr("Parent codes"),
        "FMSJ": tr("Coded at"), "FMPC": tr("Coding run"), "BZ": tr("Remarks"),
    }


def make_fields(spec: list[OutField], aliases: dict[str, str] | None = None) -> QgsFields:
    fields = QgsFields()
    for f in spec:
        field = QgsField(f.name, f.kind, len=f.length, prec=f.precision)
        if aliases and f.name in aliases:
            field.setAlias(aliases[f.name])
        fields.append(field)
    return fields


def derived_columns(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Add the code parts (county / township / village prefixes) that the output shows."""
    code = columns["code"].astype(str)
    out = dict(columns)
    out["county"] = np.char.ljust(code, 20).astype("U6")
    out["township"] = code.astype("U9")
    out["village"] = code.astype("U12")
    return out


def rounded(values: np.ndarray, field: OutField) -> list:
    if field.kind == QVariant.Double:
        return np.round(np.asarray(values, dtype=float), field.precision).tolist()
    if field.kind == QVariant.Int:
        return np.asarray(values, dtype=np.int64).tolist()
    values = np.asarray(values)
    if values.dtype.kind == "U":  # numpy's own conversion: no Python call per value
        return values.tolist()
    return [None if v is None else str(v) for v in values]


def features(fields: QgsFields, spec: list[OutField], columns: dict[str, np.ndarray], wkb: np.ndarray):
    """QgsFeatures for the rows of ``columns`` (one list per call: chunks are a township at most)."""
    cols = [rounded(columns[f.column], f) for f in spec]
    out = []
    for row, w in zip(zip(*cols), wkb):
        feature = QgsFeature(fields)
        feature.setAttributes(list(row))
        if w is not None:
            geometry = QgsGeometry()
            geometry.fromWkb(w)
            feature.setGeometry(geometry)
        out.append(feature)
    return out


def aliased_fields(spec: list[tuple]) -> QgsFields:
    """Fields from (name, QVariant type, translated alias[, length[, precision]]) tuples: ASCII names for
    interoperability, the Chinese alias for the analyst."""
    fields = QgsFields()
    for name, kind, alias, *size in spec:
        f = QgsField(name, kind, len=size[0] if size else 0, prec=size[1] if len(size) > 1 else 0)
        f.setAlias(alias)
        fields.append(f)
    return fields
