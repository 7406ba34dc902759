"""Text of printed layouts: fonts set through QgsTextFormat, PDF text kept as text, and the items' ids the
layout designer shows (Chinese under zh).

Why: QGIS 3.40 deprecates the QFont setters of layout labels and legends (``setFont``, ``setFontColor``,
``setStyleFont``: warnings in the message log) in favour of text formats (3.24 / 3.30), and a PDF's text is
drawn as outlines unless asked otherwise — unsearchable, and the tests could not read its Chinese back."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsLayout,
    QgsLayoutExporter,
    QgsLayoutItem,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsProcessingException,
    QgsTextFormat,
)
from qgis.PyQt.QtGui import QColor, QFont

from .. import fonts, workbook
from ..i18n import tr


def text_format(base: QgsTextFormat, family: str, size: float | None, bold: bool | None,
                color: str | None) -> QgsTextFormat:
    """A copy of ``base`` in ``family`` (size in points, weight and colour when given; else ``base``'s)."""
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
    item.setTextFormat(text_format(item.textFormat(), family, size, bold, color))


def set_legend_family(legend: QgsLayoutItemLegend, family: str, styles) -> None:
    """The font family of the legend's ``styles`` (QgsLegendStyle.Style values), sizes and weights kept."""
    for style in styles:
        current = legend.style(style)
        current.setTextFormat(text_format(current.textFormat(), family, None, None, None))
        legend.setStyle(style, current)


def pdf_settings(dpi: int) -> QgsLayoutExporter.PdfExportSettings:
    """PDF export settings that keep text as text (searchable; a reader can extract the Chinese)."""
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = dpi
    settings.rasterizeWholeImage = False
    settings.textRenderFormat = Qgis.TextRenderFormat.AlwaysText
    return settings


def item_names() -> dict[str, str]:
    """The id the user reads for each item of the bundled templates, by the template's key (the key the code
    finds the item by: ``statistics_map.ITEM_IDS``, ``value`` and ``frame``)."""
    return {
        "title": tr("Title"),
        "subtitle": tr("Subtitle"),
        "map": tr("Map"),
        "county": tr("County name"),
        "north_arrow": tr("North arrow"),
        "legend": tr("Legend"),
        "scalebar": tr("Scale bar"),
        "date": tr("Map date"),
        "source": tr("Source"),
        "crs": tr("Coordinate system"),
        "value": tr("Indicator value"),
        "frame": tr("Map frame"),
    }


def items_by_key(layout: QgsLayout) -> dict[str, QgsLayoutItem]:
    """The layout's items by template key, whether an item still carries its key or already its user's id."""
    keys = {key: key for key in item_names()}
    keys.update({name: key for key, name in item_names().items()})
    out = {}
    for item in layout.items():
        item_id = item.id() if isinstance(item, QgsLayoutItem) else ""
        if item_id in keys:
            out[keys[item_id]] = item
    return out


def name_items(layout: QgsLayout) -> int:
    """Give the template's items the ids a desk reads in the designer's Items panel (标题, 图例, 比例尺 … under
    zh) once the code has found them by key: the English keys are the code's, not the user's. Returns how many
    items were renamed."""
    names = item_names()
    renamed = 0
    for key, item in items_by_key(layout).items():
        if item.id() != names[key]:
            item.setId(names[key])
            renamed += 1
    return renamed


def cjk_font() -> str:
    """An installed font that has Chinese glyphs (:mod:`..fonts`); without one the labels would print boxes, so
    stop."""
    family = fonts.cjk_family()
    if family is None:
        raise QgsProcessingException(tr("No Chinese font is installed ({fonts}): the labels would print as boxes. "
                                        "Install one (e.g. WenQuanYi Micro Hei) and run again.").format(
            fonts="、".join(fonts.CJK_FAMILIES)))
    return family


def temporary_beside(target: Path) -> Path:
    """An empty file beside ``target`` with its suffix (the layout exporters name files by their suffix): an export
    goes there first and :func:`finish_export` renames it, so a failed export never leaves half a map under the
    real name."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    except OSError as err:
        raise QgsProcessingException(_not_written(target, err.errno, err.strerror)) from err
    os.close(fd)
    workbook.follow_umask(name)
    return Path(name)


def finish_export(tmp: Path, target: Path, result, error: str = "") -> None:
    """Rename the exported ``tmp`` over ``target`` when the export succeeded; otherwise (or when the rename fails,
    e.g. a folder has the map's name) remove ``tmp`` and say why in a QgsProcessingException."""
    if result != QgsLayoutExporter.ExportResult.Success:
        tmp.unlink(missing_ok=True)
        raise QgsProcessingException(_not_written(target, int(result), error))
    try:
        os.replace(tmp, target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise QgsProcessingException(_not_written(target, err.errno, err.strerror)) from err


def _not_written(target: Path, code, error: str | None) -> str:
    return tr("The map could not be written to {path} (error {code}) {error}").format(
        path=target, code=code, error=error or "")
