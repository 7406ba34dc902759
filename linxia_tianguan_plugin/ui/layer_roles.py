"""Finding the survey and contract layers among those loaded in the project (for one-click runs)."""
from __future__ import annotations

from qgis.core import Qgis, QgsProject, QgsVectorLayer


def _fields(layer: QgsVectorLayer) -> set[str]:
    return {f.name().upper() for f in layer.fields()}


def _polygon_layers(project: QgsProject) -> list[QgsVectorLayer]:
    out = []
    for layer in project.mapLayers().values():
        if layer.type() == Qgis.LayerType.Vector and layer.geometryType() == Qgis.GeometryType.Polygon:
            out.append(layer)
    return sorted(out, key=lambda lyr: lyr.name())


def _best(candidates: list[tuple[int, QgsVectorLayer]]) -> QgsVectorLayer | None:
    candidates = [c for c in candidates if c[0] > 0]
    return max(candidates, key=lambda c: c[0])[1] if candidates else None


def detect(project: QgsProject | None = None) -> dict[str, QgsVectorLayer | None]:
    """Best guess per role: DLTB, DK (contract parcels), YJJBNT, CJDCQ; None where nothing fits.

    A layer named exactly like the standard layer wins over one that only has the fields, so that a
    project holding both DLTB and a later DLTB_2025 codes the survey named DLTB.
    """
    layers = _polygon_layers(project or QgsProject.instance())
    roles: dict[str, list[tuple[int, QgsVectorLayer]]] = {"DLTB": [], "DK": [], "YJJBNT": [], "CJDCQ": []}
    for layer in layers:
        fields, name = _fields(layer), layer.name().upper()
        if "DLBM" in fields and ("ZLDWDM" in fields or "TBMJ" in fields) and "KJM" not in fields:
            roles["DLTB"].append((3 if name == "DLTB" else 2 if name.startswith("DLTB") and "_" not in name else 1,
                                  layer))
        if "DKBM" in fields and "KJM" not in fields:
            roles["DK"].append((2 if name in ("DK", "CBDK") else 1, layer))
        if "YJJBNT" in name or "YJJBNTTBBH" in fields:
            roles["YJJBNT"].append((2 if name.startswith("YJJBNT") else 1, layer))
        if name.startswith("CJDCQ") or ({"ZLDWDM", "ZLDWMC", "DCMJ"} <= fields and "DLBM" not in fields):
            roles["CJDCQ"].append((2 if name.startswith("CJDCQ") and "JX" not in name else 1, layer))
    return {role: _best(c) for role, c in roles.items()}
