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


def label_format(size: float, color=(30, 30, 30)):
    """The labels' text: the CJK font, a white halo so names stay readable over any fill."""
    from qgis.core import QgsTextBufferSettings, QgsTextFormat
    from qgis.PyQt.QtGui import QColor, QFont

    fmt = QgsTextFormat()
    fmt.setFont(QFont("WenQuanYi Micro Hei"))
    fmt.setSize(size)
    fmt.setColor(QColor(*color))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor(255, 255, 255, 220))
    fmt.setBuffer(buffer)
    return fmt


def save_style(layer, out: Path) -> None:
    """Write symbology, labels and rendering of ``layer`` to ``out`` (.qml) or stop with the reason."""
    from qgis.core import QgsMapLayer

    message, ok = layer.saveNamedStyle(str(out), QgsMapLayer.Symbology | QgsMapLayer.Labeling | QgsMapLayer.Rendering)
    if not ok:
        raise SystemExit(f"could not write {out}: {message}")
    print(out.relative_to(ROOT))


def build(code: str, kind: str, out: Path) -> None:
    from qgis.core import (
        QgsCategorizedSymbolRenderer,
        QgsFillSymbol,
        QgsPalLayerSettings,
        QgsRendererCategory,
        QgsVectorLayer,
        QgsVectorLayerSimpleLabeling,
    )

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
    settings.setFormat(label_format(8, (30, 50, 30)))
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)
    save_style(layer, out)


def build_grid_style(out: Path) -> None:
    """Patrol grid: outlines heavier for higher levels, 社 cells lightly filled, names at large scales."""
    from qgis.core import (
        QgsFillSymbol,
        QgsPalLayerSettings,
        QgsRuleBasedLabeling,
        QgsRuleBasedRenderer,
        QgsVectorLayer,
    )

    layer = QgsVectorLayer("MultiPolygon?crs=EPSG:4522&field=JB:integer&field=WGMC:string(100)", "grid", "memory")
    root = QgsRuleBasedRenderer.Rule(None)
    looks = {  # level: (label, fill, outline colour, width mm, style)
        5: ("社", "120,180,90,40", "110,140,90", "0.15", "dot"),
        4: ("村", "0,0,0,0", "90,90,90", "0.35", "dash"),
        3: ("乡", "0,0,0,0", "60,60,60", "0.6", "solid"),
        2: ("县", "0,0,0,0", "30,30,30", "1.0", "solid"),
        1: ("州", "0,0,0,0", "0,0,0", "1.4", "solid"),
    }
    for level, (label, fill, outline, width, style) in looks.items():
        symbol = QgsFillSymbol.createSimple({"color": fill, "outline_color": outline, "outline_width": width,
                                             "outline_style": style})
        root.appendChild(QgsRuleBasedRenderer.Rule(symbol, filterExp=f'"JB" = {level}', label=label))
    layer.setRenderer(QgsRuleBasedRenderer(root))
    labels = QgsRuleBasedLabeling.Rule(None)
    for level, max_scale in ((3, 500000), (4, 100000), (5, 25000)):
        settings = QgsPalLayerSettings()
        settings.fieldName = "WGMC"
        settings.placement = QgsPalLayerSettings.Horizontal
        settings.setFormat(label_format({3: 11, 4: 9, 5: 8}[level], (40, 40, 40)))
        rule = QgsRuleBasedLabeling.Rule(settings, maximumScale=0, minimumScale=max_scale,
                                         filterExp=f'"JB" = {level}')
        labels.appendChild(rule)
    layer.setLabeling(QgsRuleBasedLabeling(labels))
    layer.setLabelsEnabled(True)
    save_style(layer, out)


def build_change_style(out: Path) -> None:
    """Change candidates: coloured by pre-judgement (疑似违法 red … 合法 green), priority as the label."""
    from qgis.core import (
        QgsCategorizedSymbolRenderer,
        QgsFillSymbol,
        QgsPalLayerSettings,
        QgsRendererCategory,
        QgsVectorLayer,
        QgsVectorLayerSimpleLabeling,
    )

    layer = QgsVectorLayer("MultiPolygon?crs=EPSG:4522&field=YPLB:string(20)&field=YXJ:integer", "changes", "memory")
    looks = {  # category: (label, fill, outline)
        "suspect": ("疑似违法", "227,26,28,150", "150,0,0"),
        "verify": ("需外业核实", "253,174,97,150", "200,110,20"),
        "facility": ("合法-设施农用地备案", "102,194,164,120", "30,120,90"),
        "temporary": ("合法-临时用地", "116,169,207,120", "30,90,150"),
        "approved": ("合法-已批准", "166,217,106,120", "60,130,40"),
    }
    categories = [QgsRendererCategory(code, QgsFillSymbol.createSimple(
        {"color": fill, "outline_color": outline, "outline_width": "0.4"}), label)
        for code, (label, fill, outline) in looks.items()]
    layer.setRenderer(QgsCategorizedSymbolRenderer("YPLB", categories))
    settings = QgsPalLayerSettings()
    settings.fieldName = "YXJ"
    settings.placement = QgsPalLayerSettings.OverPoint
    settings.setFormat(label_format(9))
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)
    save_style(layer, out)


def main() -> None:
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    STYLES.mkdir(parents=True, exist_ok=True)
    build("KJM", "DKLX", STYLES / "space_code_parcels.qml")
    build("code", "kind", STYLES / "tg_space_code.qml")
    build_grid_style(STYLES / "patrol_grid.qml")
    build_change_style(STYLES / "change_candidates.qml")
    app.exitQgis()


if __name__ == "__main__":
    sys.exit(main())
