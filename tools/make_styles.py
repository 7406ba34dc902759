"""Regenerate the bundled .qml styles with the QGIS API (so they are valid for QGIS 3.22+).

    python tools/make_styles.py

Styles carry symbology, labels and rendering only — no field aliases, which the plugin sets at run
time in the user's language.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
STYLES = ROOT / "resources" / "styles"


def build(code: str, kind: str, out: Path) -> None:
    from qgis.core import (
        QgsCategorizedSymbolRenderer,
        QgsFillSymbol,
        QgsMapLayer,
        QgsPalLayerSettings,
        QgsRendererCategory,
        QgsTextBufferSettings,
        QgsTextFormat,
        QgsVectorLayer,
        QgsVectorLayerSimpleLabeling,
    )
    from qgis.PyQt.QtGui import QColor, QFont

    layer = QgsVectorLayer(f"MultiPolygon?crs=EPSG:4522&field={code}:string(20)&field={kind}:string(3)",
                           "style", "memory")
    contract = QgsFillSymbol.createSimple({"color": "170,214,120,150", "outline_color": "47,96,38",
                                           "outline_width": "0.3"})
    free = QgsFillSymbol.createSimple({"color": "246,214,120,170", "outline_color": "168,110,20",
                                       "outline_width": "0.4", "outline_style": "dash"})
    renderer = QgsCategorizedSymbolRenderer(kind, [
        QgsRendererCategory("CB", contract, "CB"),
        QgsRendererCategory("WCB", free, "WCB"),
    ])
    layer.setRenderer(renderer)

    settings = QgsPalLayerSettings()
    settings.isExpression = True
    settings.fieldName = f'CASE WHEN @map_scale < 2500 THEN "{code}" ELSE right("{code}", 6) END'
    settings.placement = QgsPalLayerSettings.OverPoint
    settings.scaleVisibility = True
    settings.minimumScale = 20000  # labels shown when zoomed in beyond 1:20 000
    settings.maximumScale = 0
    fmt = QgsTextFormat()
    font = QFont("WenQuanYi Micro Hei")
    fmt.setFont(font)
    fmt.setSize(8)
    fmt.setColor(QColor(30, 50, 30))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor(255, 255, 255, 220))
    fmt.setBuffer(buffer)
    settings.setFormat(fmt)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)
    categories = QgsMapLayer.Symbology | QgsMapLayer.Labeling | QgsMapLayer.Rendering
    message, ok = layer.saveNamedStyle(str(out), categories)
    if not ok:
        raise SystemExit(f"could not write {out}: {message}")
    print(out.relative_to(ROOT))


def main() -> None:
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    STYLES.mkdir(parents=True, exist_ok=True)
    build("KJM", "DKLX", STYLES / "space_code_parcels.qml")
    build("code", "kind", STYLES / "tg_space_code.qml")
    app.exitQgis()


if __name__ == "__main__":
    sys.exit(main())
