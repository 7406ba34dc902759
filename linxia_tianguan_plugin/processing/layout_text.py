"""Text of printed layouts: fonts set through QgsTextFormat and PDF text kept as text.

Why: QGIS 3.40 deprecates the QFont setters of layout labels and legends (``setFont``, ``setFontColor``,
``setStyleFont``: warnings in the message log) in favour of text formats (3.24 / 3.30), and a PDF's text is
drawn as outlines unless asked otherwise — unsearchable, and the tests could not read its Chinese back."""
from __future__ import annotations

from qgis.core import Qgis, QgsLayoutExporter, QgsLayoutItemLabel, QgsLayoutItemLegend, QgsTextFormat
from qgis.PyQt.QtGui import QColor, QFont


def _format(base: QgsTextFormat, family: str, size: float | None, bold: bool | None,
            color: str | None) -> QgsTextFormat:
    fmt = QgsTextFormat(base)
    font = QFont(family)
    font.setBold(base.font().bold() or base.forcedBold() if bold is None else bold)
    fmt.setFont(font)
    fmt.setForcedBold(font.bold())
    if size is not None:
        fmt.setSize(size)
        fmt.setSizeUnit(Qgis.RenderUnit.Points)
    if color is not None:
        fmt.setColor(QColor(color))
    return fmt


def set_label_text_format(item: QgsLayoutItemLabel, family: str, size: float | None = None,
                          bold: bool | None = None, color: str | None = None) -> None:
    """The label's font family (and size in points, weight and colour when given; else the template's)."""
    item.setTextFormat(_format(item.textFormat(), family, size, bold, color))


def set_legend_family(legend: QgsLayoutItemLegend, family: str, styles) -> None:
    """The font family of the legend's ``styles`` (QgsLegendStyle.Style values), sizes and weights kept."""
    for style in styles:
        current = legend.style(style)
        current.setTextFormat(_format(current.textFormat(), family, None, None, None))
        legend.setStyle(style, current)


def pdf_settings(dpi: int) -> QgsLayoutExporter.PdfExportSettings:
    """PDF export settings that keep text as text (searchable; a reader can extract the Chinese)."""
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = dpi
    settings.rasterizeWholeImage = False
    settings.textRenderFormat = Qgis.TextRenderFormat.AlwaysText
    return settings
