"""耕地平衡台账 — the county's 耕地进出平衡 and 占补平衡 ledgers of one year from two survey years, with the patches
behind every figure (Processing algorithm ``linxia_tianguan:farmland_ledgers``).

Thin: the two surveys are read here, :mod:`..core.reports.ledgers` finds the parts that came or went (through the
change analysis' kernel) and sums them per county and township; this module writes the parts as a layer and the
workbook (汇总: county and townships × 进/出/进出差/占/补/占补差; 图斑明细: every part, numbered as in the layer;
说明: the rules and the balance check) through :mod:`...workbook`. Headers and ledger names are Chinese data, as in
the other workbooks of the plugin.

With OUTPUT_PDF the parts are also printed as a map: an A3 landscape print layout built here (title "<county>
<year> 耕地进出平衡与占补平衡图" under zh, the parts coloured by ledger with the Chinese names of
:func:`...labels.ledger_labels` in the legend, the outline of the surveys' extent — the algorithm reads no township
boundaries —, scale bar, north arrow, a table of the county's 进/出/进出差/占/补/占补差 in mu, the data's year: the
ledger year, never the machine clock). The statistics map's layout helpers are reused, not copied
(:mod:`.statistics_map`: its map and legend; :mod:`..layout_text`: the atomic export, the CJK font, text formats
and PDF text kept as text, so the Chinese can be searched and read back). A print layout needs the main thread,
so the algorithm runs there (FlagNoThreading); its overlay is plain shapely in-process and does not mind.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import shapely
from qgis.core import (
    Qgis,
    QgsCategorizedSymbolRenderer,
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItem,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemManualTable,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutTableColumn,
    QgsPrintLayout,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProject,
    QgsRectangle,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsTableCell,
    QgsTextFormat,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QFont

from ... import compat
from ...core import parallel
from ...core.admin import AdminDivisions
from ...core.cases import change_detection as detect
from ...core.cases.change_rules import ChangeRules, load_rules
from ...core.dlbm import DLMC
from ...core.reports import ledgers as core
from ...i18n import tr
from ...labels import ledger_labels
from ...resources import divisions_csv, resource_path
from ..base import AlgorithmBase, write_sheets
from ..fields import KeepsAliases, schema
from ..issues import describe
from ..layout_text import (
    cjk_font,
    finish_export,
    name_items,
    pdf_settings,
    set_label_text_format,
    temporary_beside,
    text_format,
)
from ..readers import FieldSpec, read_layer, source_for
from .statistics_map import PDF_DPI, north_arrow_svg, set_legend, set_map

#: the ledger entries by name (data written into the layer and the workbook, Chinese as the ledgers are kept)
SUMMARY, PATCHES, ABOUT = "汇总", "图斑明细", "说明"
FIGURES = ("进", "出", "进出差", "占", "补", "占补差", "其他减少", "其他增加", "耕地净变化")
SUMMARY_HEADERS = ["县区编码", "县区名称", "乡镇编码", "乡镇名称", "年度", *(f"{f}(亩)" for f in FIGURES),
                   *(f"{f}(㎡)" for f in FIGURES), "图斑数"]
PATCH_HEADERS = ["序号", "台账", "台账代码", "县区编码", "乡镇编码", "乡镇名称", "年度", "前地类编码", "前地类名称",
                 "后地类编码", "后地类名称", "前图斑标识码", "后图斑标识码", "图斑面积(㎡)", "耕地面积(㎡)",
                 "耕地面积(亩)"]
INTEGERS = {"序号", "年度", "图斑数"}
REALS = {*(f"{f}(亩)" for f in FIGURES), *(f"{f}(㎡)" for f in FIGURES), "图斑面积(㎡)", "耕地面积(㎡)", "耕地面积(亩)"}
EMPTY = "（无）"
#: the map's colours: farmland won green (进) and blue (补), lost orange (出) and red (占); other entries grey
LEDGER_COLOURS = {core.IN: "#1a9641", core.OUT: "#f39c12", core.OCCUPY: "#d7191c", core.SUPPLEMENT: "#2c7bb6",
                  core.OTHER_OUT: "#969696", core.OTHER_IN: "#c8c8c8"}
#: the entries the map's legend always shows (其他减少/其他增加 only when the surveys have them)
MAP_KINDS = (core.IN, core.OUT, core.OCCUPY, core.SUPPLEMENT)
#: the figures of the map's table: the two ledgers
MAP_FIGURES = FIGURES[:6]
PAGE = ("A3", 420.0, 297.0)  # landscape, mm


def output_fields():
    return schema("ledger_patches", [
        ("XH", "Int", 10), ("XDM", "String", 6), ("XZDM", "String", 9), ("ND", "Int", 4), ("TZ", "String", 12),
        ("TZMC", "String", 40), ("QDLBM", "String", 10), ("QDLMC", "String", 30), ("HDLBM", "String", 10),
        ("HDLMC", "String", 30), ("QBSM", "String", 254), ("HBSM", "String", 254), ("MJ", "Double", 20, 2),
        ("MJM", "Double", 20, 4), ("GDMJ", "Double", 20, 2), ("GDMJM", "Double", 20, 4)])


def _m2(value: float) -> float:
    return round(float(value), 2)


def _mu(m2: float) -> float:
    return round(core.mu(m2), 4)


def _figures(row: core.Row, convert) -> list[float]:
    values = [row.get(core.IN), row.get(core.OUT), row.in_out_balance, row.get(core.OCCUPY),
              row.get(core.SUPPLEMENT), row.occupy_balance, row.get(core.OTHER_OUT), row.get(core.OTHER_IN), row.net]
    return [convert(v) for v in values]


def summary_rows(rows: list[core.Row], names: AdminDivisions, year: int | None) -> list[list]:
    """One row per county (乡镇名称 合计) followed by its townships."""
    return [[r.county, names.name(r.county) or "", r.township, (names.name(r.township) or "") if r.township else "合计",
             year, *_figures(r, _mu), *_figures(r, _m2), sum(r.parts.values())] for r in rows]


def patch_rows(found: core.Entries, names: AdminDivisions, year: int | None) -> list[list]:
    county = found.county
    return [[i + 1, ledger_labels()[found.kind[i]], found.kind[i], county[i], found.township[i],
             names.name(found.township[i]) or "", year, found.before_dlbm[i], DLMC.get(found.before_dlbm[i], ""),
             found.after_dlbm[i], DLMC.get(found.after_dlbm[i], ""), found.bsm_before[i], found.bsm_after[i],
             _m2(found.area_m2[i]), _m2(found.farmland_m2[i]), _mu(found.farmland_m2[i])] for i in range(len(found))]


def about_rows(before: str, after: str, year: int | None, rules: ChangeRules, balance: tuple[float, float]) -> list:
    rows = [["前一年度地类图斑", before], ["本年度地类图斑", after], ["年度", "" if year is None else str(year)],
            ["变化规则版本", rules.version],
            ["进", "其他农用地（园地、林地、草地、设施农用地、坑塘、沟渠、农村道路、田坎）转为耕地"],
            ["出", "耕地转为其他农用地"], ["进出差", "进 − 出"],
            ["占", "耕地转为建设用地（变化规则的非农化地类）"],
            ["补", "建设用地、未利用地、水域等非农用地转为耕地"], ["占补差", "补 − 占"],
            ["其他减少", "耕地转为既非农用地也非建设用地的地类（河流、湖泊、水库、未利用地等），不计入两本台账"],
            ["面积", "耕地面积 = 图斑面积 × (1 − 扣除系数KCXS)，以耕地一侧图斑的系数扣除田坎；亩 = ㎡ × 0.0015"],
            ["平衡校核：两年度耕地图斑面积之差(㎡)", f"{balance[0]:.2f}"],
            ["平衡校核：各项增减合计(㎡)", f"{balance[1]:.2f}"]]
    return rows


def write_xlsx(path: str, sheets: list[tuple[str, list[str], list[list]]], feedback=None) -> None:
    """Sheets (name, headers, rows) through :func:`..base.write_sheets`; a sheet without rows reads :data:`EMPTY`."""
    write_sheets(path, sheets, INTEGERS, REALS, EMPTY, feedback)


# ---------------------------------------------------------------------------------------------- the map
def map_table(rows: list[core.Row], names: AdminDivisions) -> tuple[list[str], list[list[str]]]:
    """The map's table (Chinese data, as the workbook): the two ledgers' six figures in mu for each county, and
    their 合计 when the surveys cover several counties."""
    counties = [r for r in rows if not r.township] or [core.Row("", "", {}, {})]
    columns = [(names.name(r.county) or r.county, r) for r in counties]
    if len(counties) > 1:
        columns.append(("合计", core.Row("", "", {k: sum(r.get(k) for r in counties) for k in core.KINDS}, {})))
    headers = ["台账", *(f"{name}(亩)" if len(columns) > 1 else "面积(亩)" for name, _ in columns)]
    figures = [_figures(r, core.mu) for _, r in columns]
    return headers, [[name, *(f"{f[k]:.2f}" for f in figures)] for k, name in enumerate(MAP_FIGURES)]


def county_names(rows: list[core.Row], zones: np.ndarray | None, names: AdminDivisions) -> str:
    """The counties of the ledgers (of this year's survey when no part came or went), by name, for the title."""
    codes = [r.county for r in rows if not r.township and r.county]
    if not codes and zones is not None:
        found = Counter(str(z)[:6] for z in zones if str(z)[:6])
        codes = [found.most_common(1)[0][0]] if found else []
    return "、".join(names.name(c) or c for c in codes)


def map_texts(county: str, year: int | None, before: str, after: str, crs) -> dict[str, str]:
    """The map's printed texts by item key. The data's date is the ledger year (the YEAR parameter, else the survey
    year SJNF): a ledger map printed again next year must say the same."""
    if year is None:
        title = tr("{county} farmland in-out and occupation-supplement balance map").format(county=county)
    else:
        title = tr("{county} {year} farmland in-out and occupation-supplement balance map").format(county=county,
                                                                                                 year=year)
    return {
        "title": title.strip(),
        "subtitle": tr("Previous survey: {before}; this year's survey: {after}").format(before=before, after=after),
        "date": tr("Data: survey year {year}").format(year=year) if year else tr("Data: survey year not given"),
        "source": tr("Areas: farmland after 田坎 (KCXS), in mu"),
        "crs": tr("Coordinate system: {crs}").format(crs=crs.authid() or crs.description()),
    }


def survey_extent(*lands: detect.LandUse) -> QgsRectangle:
    """The rectangle around both surveys: the map's outline (the algorithm reads no township boundaries)."""
    bounds = np.array([shapely.total_bounds(shapely.from_wkb(land.wkb, on_invalid="ignore")) for land in lands
                       if len(land)]).reshape(-1, 4)
    if not len(bounds) or np.isnan(bounds).all():
        return QgsRectangle()
    lo, hi = np.nanmin(bounds[:, :2], axis=0), np.nanmax(bounds[:, 2:], axis=0)
    return QgsRectangle(float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


def patch_features(found: core.Entries, year: int | None, fields: QgsFields) -> list[QgsFeature]:
    """The parts as features of :func:`output_fields` (XH = the workbook's 序号), for the layer and the map."""
    county, labels = found.county, ledger_labels()
    features = []
    for i in range(len(found)):
        f = QgsFeature(fields)
        f.setAttributes([
            i + 1, county[i], found.township[i], year, found.kind[i], labels[found.kind[i]],
            found.before_dlbm[i], DLMC.get(found.before_dlbm[i], ""), found.after_dlbm[i],
            DLMC.get(found.after_dlbm[i], ""), found.bsm_before[i][:254], found.bsm_after[i][:254],
            _m2(found.area_m2[i]), _mu(found.area_m2[i]), _m2(found.farmland_m2[i]), _mu(found.farmland_m2[i])])
        g = QgsGeometry()
        g.fromWkb(shapely.to_wkb(shapely.multipolygons(shapely.get_parts(found.geom[i]))))
        f.setGeometry(g)
        features.append(f)
    return features


def map_layers(features: list[QgsFeature], fields: QgsFields, kinds: set[str], extent: QgsRectangle, crs) -> dict:
    """The map's memory layers under the keys of the statistics map's helpers: ``townships`` holds the parts
    (coloured by ledger), ``outline`` the surveys' extent, ``no_data`` nothing."""
    patches = QgsVectorLayer("MultiPolygon", tr("Ledger patches"), "memory")
    outline = QgsVectorLayer("Polygon", tr("Extent of the surveys"), "memory")
    for layer in (patches, outline):
        layer.setCrs(crs)
    patches.dataProvider().addAttributes(fields.toList())
    patches.updateFields()
    patches.dataProvider().addFeatures(features)
    if not extent.isNull() and not extent.isEmpty():
        frame = QgsFeature()
        frame.setGeometry(QgsGeometry.fromRect(extent))
        outline.dataProvider().addFeatures([frame])
    for layer in (patches, outline):
        layer.updateExtents()
    categories = []
    for kind in (*MAP_KINDS, *(k for k in (core.OTHER_OUT, core.OTHER_IN) if k in kinds)):
        colour = LEDGER_COLOURS[kind]  # outlined in its own colour, so that a tiny part still shows as a dot
        symbol = QgsFillSymbol.createSimple({"color": colour, "outline_color": colour, "outline_width": "0.3"})
        categories.append(QgsRendererCategory(kind, symbol, ledger_labels()[kind]))
    patches.setRenderer(QgsCategorizedSymbolRenderer("TZ", categories))
    outline.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({
        "color": "0,0,0,0", "outline_color": "60,60,60", "outline_width": "0.5", "outline_style": "dash"})))
    return {"townships": patches, "outline": outline, "no_data": None}


def _place(layout: QgsPrintLayout, item: QgsLayoutItem, key: str, x: float, y: float, w: float, h: float):
    mm = Qgis.LayoutUnit.Millimeters
    item.setId(key)  # the template key, as the statistics map's items; :func:`name_items` gives the user's names
    layout.addLayoutItem(item)
    item.attemptMove(QgsLayoutPoint(x, y, mm))
    item.attemptResize(QgsLayoutSize(w, h, mm))
    return item


def _label(layout, texts: dict, key: str, font: str, box: tuple, size: float, bold=False, centre=False) -> None:
    item = QgsLayoutItemLabel(layout)
    item.setText(texts[key])
    set_label_text_format(item, font, size, bold)
    item.setHAlign(Qt.AlignmentFlag.AlignHCenter if centre else Qt.AlignmentFlag.AlignLeft)
    _place(layout, item, key, *box)


def _figures_table(layout, table: tuple[list[str], list[list[str]]], font: str, box: tuple) -> None:
    """The ledgers' figures as a table across the box's width (the names' column 28 mm, numbers right-aligned)."""
    headers, body = table
    item = QgsLayoutItemManualTable.create(layout)
    layout.addMultiFrame(item)
    item.setHeaderTextFormat(text_format(QgsTextFormat(), font, 12, True, None))
    item.setContentTextFormat(text_format(QgsTextFormat(), font, 12, False, None))
    item.setCellMargin(1.5)
    item.setIncludeTableHeader(True)
    item.setHeaders([QgsLayoutTableColumn(h) for h in headers])
    cells = []
    for row in body:
        cells.append([QgsTableCell(row[0])])
        for text in row[1:]:
            cell = QgsTableCell(text)
            cell.setHorizontalAlignment(Qt.AlignmentFlag.AlignRight)
            cells[-1].append(cell)
    item.setTableContents(cells)
    numbers = len(headers) - 1
    item.setColumnWidths([28.0, *[(box[2] - 28.0) / numbers - 2 * 1.5 - 0.5] * numbers])
    frame = QgsLayoutFrame(layout, item)
    _place(layout, frame, tr("Ledger figures"), *box)
    item.addFrame(frame)


def ledger_layout(project: QgsProject, layers: dict, texts: dict[str, str], table, font: str, crs) -> QgsPrintLayout:
    """The A3 landscape map: title, map, legend, figures, north arrow, scale bar, the data's year and CRS."""
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(texts["title"])
    name, width, height = PAGE
    layout.pageCollection().page(0).setPageSize(name, QgsLayoutItemPage.Orientation.Landscape)
    _label(layout, texts, "title", font, (10, 8, width - 20, 14), 24, bold=True, centre=True)
    _label(layout, texts, "subtitle", font, (10, 22, width - 20, 8), 11, centre=True)
    panel = width - 10 - 92  # the right-hand column: legend, figures, scale bar, notes
    map_item = _place(layout, QgsLayoutItemMap(layout), "map", 10, 32, panel - 18, height - 42)
    map_item.setFrameEnabled(True)
    set_map(map_item, layers, crs, False)
    arrow = _place(layout, QgsLayoutItemPicture(layout), "north_arrow", panel - 30, 36, 14, 20)
    arrow.setPicturePath(north_arrow_svg())
    arrow.setLinkedMap(map_item)
    legend = _place(layout, QgsLayoutItemLegend(layout), "legend", panel, 32, 92, 80)
    set_legend(legend, map_item, layers, font)
    _figures_table(layout, table, font, (panel, 110, 92, 70))
    scalebar = _place(layout, QgsLayoutItemScaleBar(layout), "scalebar", panel, 222, 92, 14)
    scalebar.setStyle("Single Box")
    scalebar.setLinkedMap(map_item)
    scalebar.applyDefaultSize(Qgis.DistanceUnit.Kilometers)
    scalebar.setUnitLabel(tr("km"))
    fmt = scalebar.textFormat()
    fmt.setFont(QFont(font))
    scalebar.setTextFormat(fmt)
    scalebar.update()
    for k, key in enumerate(("date", "source", "crs")):
        _label(layout, texts, key, font, (panel, height - 28 + 6 * k, 92, 6), 10)
    name_items(layout)
    layout.refresh()
    return layout


def write_pdf(path: Path, layers: dict, texts: dict[str, str], table, font: str, crs) -> None:
    """The map printed to ``path`` through a temporary file beside it (a failed export leaves no half file)."""
    project = QgsProject()  # private: the layers are the map's, not the user's project's
    project.setCrs(crs)  # else the layout's map measures metres as degrees (wrong scale bar)
    project.addMapLayers([layer for layer in layers.values() if layer is not None], False)
    layout = ledger_layout(project, layers, texts, table, font, crs)
    tmp = temporary_beside(path)
    try:
        finish_export(tmp, path, QgsLayoutExporter(layout).exportToPdf(str(tmp), pdf_settings(PDF_DPI)))
    finally:
        tmp.unlink(missing_ok=True)  # gone once renamed
        del layout  # the layout goes before the private project that owns its layers


class FarmlandLedgersAlgorithm(KeepsAliases, AlgorithmBase):
    BEFORE, AFTER, YEAR, RULES, OUTPUT, XLSX = "BEFORE", "AFTER", "YEAR", "RULES", "OUTPUT", "XLSX"
    OUTPUT_PDF = "OUTPUT_PDF"

    def name(self) -> str:
        return "farmland_ledgers"

    def flags(self):
        # the map's print layout needs the main thread; the overlay is shapely in this process and does not mind
        return super().flags() | compat.ProcessingAlgorithmFlag.NoThreading

    def displayName(self) -> str:
        return tr("Farmland balance ledgers")

    def shortHelpString(self) -> str:
        return tr(
            "<p>耕地平衡台账 · The 耕地进出平衡 and 占补平衡 ledgers of a year, per county and township, from the "
            "previous survey (三调 or last year's 变更 DLTB) and this year's annual-change survey (变更 DLTB): "
            "进 = other agricultural land (orchard, forest, grass, facility land, ponds, ditches, rural roads, "
            "田坎) turned into farmland, 出 = farmland turned into other agricultural land, 进出差 = 进 − 出; "
            "占 = farmland occupied by construction (the 非农化 classes of the change rules), 补 = new farmland "
            "from construction, unused land or water, 占补差 = 补 − 占. Farmland turned into water or unused land "
            "is counted as 其他减少, so that the entries add up to the change of farmland.</p>"
            "<p>The surveys are compared as the change analysis compares them (unchanged patches skipped, pairs "
            "by BSM), without its minimum areas: every square metre counts. Areas are farmland areas: the part's "
            "area less 田坎 (KCXS of the farmland patch), in m² and mu.</p>"
            "<p>Writes every part behind the figures as a layer (classes before and after, patch ids, ledger, "
            "areas) and an Excel workbook with the sheets 汇总, 图斑明细 (numbered as the layer's XH) and 说明.</p>"
        ) + tr(
            "<p>Optionally also a PDF map (A3 landscape): the parts coloured by ledger (进, 出, 占, 补) within the "
            "outline of the surveys' extent, with legend, scale bar, north arrow, the county's 进/出/进出差/占/补/"
            "占补差 in mu and the ledger year. It needs an installed Chinese font.</p>")

    def initAlgorithm(self, config=None) -> None:
        poly = [compat.ProcessingSourceType.VectorPolygon]
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.BEFORE, tr("Previous land-use survey (三调 or last year's DLTB)"), poly))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.AFTER, tr("This year's land-use survey (年度变更 DLTB)"), poly))
        self.addParameter(QgsProcessingParameterNumber(
            self.YEAR, tr("Ledger year (empty: the survey year SJNF of this year's survey)"),
            compat.ProcessingNumberParameterType.Integer, None, optional=True, minValue=1990, maxValue=2100))
        rules = QgsProcessingParameterFile(self.RULES, tr("Rules file (JSON; empty: the bundled rules)"),
                                           extension="json", optional=True)
        rules.setFlags(rules.flags() | compat.ProcessingParameterFlag.Advanced)
        self.addParameter(rules)
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Ledger patches"), compat.ProcessingSourceType.VectorPolygon, optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.XLSX, tr("Ledger workbook"), tr("Excel workbook (*.xlsx)"), optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_PDF, tr("Ledger map (PDF)"), tr("PDF files (*.pdf)"), optional=True, createByDefault=False))
        for key, label in (("IN_MU", tr("进 (mu)")), ("OUT_MU", tr("出 (mu)")), ("OCCUPY_MU", tr("占 (mu)")),
                           ("SUPPLEMENT_MU", tr("补 (mu)")), ("PATCHES", tr("Ledger patches"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    # ------------------------------------------------------------------ inputs
    def _rules(self, parameters, context) -> ChangeRules:
        path = self.parameterAsFile(parameters, self.RULES, context) or str(resource_path("rules", "change_rules.json"))
        try:
            return load_rules(path)
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise QgsProcessingException(tr("The rules file {path} cannot be read: {error}").format(
                path=path, error=err)) from err

    def _landuse(self, parameters, name, context, feedback, crs, progress) -> tuple[detect.LandUse, np.ndarray, str]:
        """The survey as the change analysis reads it, its SJNF values and its name for messages."""
        item = source_for(self, parameters, name, context, feedback)
        if item is None:
            raise QgsProcessingException(tr("Choose both land-use surveys (DLTB)."))
        if item.source.featureCount() == 0:
            raise QgsProcessingException(tr("Layer “{layer}” is empty: choose the layer with the features, or "
                                            "leave the parameter empty.").format(layer=item.label))
        layer, issues = read_layer(item, name, [
            FieldSpec("bsm", "BSM", tr("patch id")),
            FieldSpec("dlbm", "DLBM", tr("land-use class code")),
            FieldSpec("kcxs", "KCXS", tr("deduction coefficient"), required=False, numeric=True),
            FieldSpec("zldwdm", "ZLDWDM", tr("village code"), required=False),
            FieldSpec("sjnf", "SJNF", tr("survey year"), required=False)], crs, context, feedback, progress=progress)
        if layer is None:
            raise QgsProcessingException(tr("Cancelled."))
        for issue in issues:
            feedback.pushWarning(tr("Layer “{layer}”, feature {fid}: {message}").format(
                layer=item.label, fid=issue.fid, message=describe(issue)[1]))
        text = lambda key: np.array(["" if v is None else str(v).strip() for v in layer.attrs[key]], dtype=object)  # noqa: E731
        land = detect.LandUse(text("bsm"), text("dlbm"), None, layer.attrs["kcxs"], layer.wkb,
                              np.array([z[:9] for z in text("zldwdm")], dtype=object))
        if land.kcxs_percent:
            feedback.pushWarning(tr("Layer “{layer}”: the deduction coefficients (KCXS) are given in percent (up to "
                                    "{largest:g}); they are read as fractions, e.g. 8 as 0.08.").format(
                layer=item.label, largest=land.kcxs_largest))
        return land, text("sjnf"), item.label

    def _year(self, parameters, context, sjnf: np.ndarray, feedback) -> int | None:
        if parameters.get(self.YEAR) not in (None, ""):
            return self.parameterAsInt(parameters, self.YEAR, context)
        years = Counter(int(float(v)) for v in sjnf if str(v).replace(".", "", 1).isdigit())
        if not years:
            feedback.pushWarning(tr("This year's survey has no survey year (SJNF) and no ledger year was given: the "
                                    "ledgers are written without a year."))
            return None
        return years.most_common(1)[0][0]

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):
        rules = self._rules(parameters, context)
        before_src = self.parameterAsSource(parameters, self.BEFORE, context)
        if before_src is None:
            raise QgsProcessingException(tr("Choose both land-use surveys (DLTB)."))
        crs = before_src.sourceCrs()
        if not crs.isValid() or crs.isGeographic():
            raise QgsProcessingException(tr("The baseline layer is in {crs}, which is not a projected coordinate "
                                            "system: areas need metres. Reproject it to the county's CGCS2000 "
                                            "3° zone (e.g. EPSG:4522) first.").format(crs=crs.authid() or "?"))
        xlsx = self.parameterAsFileOutput(parameters, self.XLSX, context) if parameters.get(self.XLSX) else ""
        if xlsx and Path(xlsx).suffix.lower() != ".xlsx":
            raise QgsProcessingException(tr("Write the ledgers to a .xlsx file, not “{path}”.").format(path=xlsx))
        pdf = self.parameterAsFileOutput(parameters, self.OUTPUT_PDF, context) if parameters.get(self.OUTPUT_PDF) \
            else ""
        if pdf and Path(pdf).suffix.lower() != ".pdf":
            raise QgsProcessingException(tr("Write the ledger map to a .pdf file, not “{path}”.").format(path=pdf))
        font = cjk_font() if pdf else ""  # before any work: without a Chinese font the map would print boxes
        feedback.setProgressText(tr("Reading the surveys…"))
        before, _, before_label = self._landuse(parameters, self.BEFORE, context, feedback, crs, (0, 15))
        after, sjnf, after_label = self._landuse(parameters, self.AFTER, context, feedback, crs, (15, 30))
        year = self._year(parameters, context, sjnf, feedback)
        feedback.setProgressText(tr("Comparing the surveys (unchanged patches are skipped)…"))
        try:
            found, _stats = core.entries(before, after, rules, progress=lambda f: feedback.setProgress(30 + 50 * f),
                                         cancelled=feedback.isCanceled)
        except parallel.Cancelled:
            raise QgsProcessingException(tr("Cancelled; nothing was written.")) from None
        rows = core.summary(found)
        totals = core.totals(found)
        balance = (core.farmland_area(after, rules) - core.farmland_area(before, rules),
                   sum(v for k, v in core.totals(found, "area_m2").items() if k in core.GAINS)
                   - sum(v for k, v in core.totals(found, "area_m2").items() if k in core.LOSSES))
        names = AdminDivisions.from_csv(divisions_csv())
        feedback.pushInfo(tr("Farmland ledgers{year}: 进 {in_mu:.2f} mu, 出 {out_mu:.2f} mu (进出差 {io:.2f}); "
                             "占 {occ_mu:.2f} mu, 补 {sup_mu:.2f} mu (占补差 {os:.2f}); other loss {other:.2f} mu; "
                             "{n} parts.").format(
            year=f" {year}" if year else "", in_mu=core.mu(totals[core.IN]), out_mu=core.mu(totals[core.OUT]),
            io=core.mu(totals[core.IN] - totals[core.OUT]), occ_mu=core.mu(totals[core.OCCUPY]),
            sup_mu=core.mu(totals[core.SUPPLEMENT]), os=core.mu(totals[core.SUPPLEMENT] - totals[core.OCCUPY]),
            other=core.mu(totals[core.OTHER_OUT]), n=len(found)))
        if abs(balance[0] - balance[1]) > max(1.0, 1e-6 * abs(balance[0])):
            feedback.pushWarning(tr("The ledgers do not add up to the change of farmland area ({entries:.2f} m² "
                                    "against {surveys:.2f} m²): the two surveys do not cover the same land, or a "
                                    "survey has overlapping patches.").format(entries=balance[1],
                                                                                surveys=balance[0]))
        feedback.setProgress(85)
        out = {"IN_MU": round(core.mu(totals[core.IN]), 4), "OUT_MU": round(core.mu(totals[core.OUT]), 4),
               "OCCUPY_MU": round(core.mu(totals[core.OCCUPY]), 4),
               "SUPPLEMENT_MU": round(core.mu(totals[core.SUPPLEMENT]), 4), "PATCHES": len(found)}
        features = patch_features(found, year, output_fields()) if parameters.get(self.OUTPUT) or pdf else []
        if parameters.get(self.OUTPUT) not in (None, ""):
            out.update(self._write(parameters, context, features, crs))
        if xlsx:
            write_xlsx(xlsx, [(SUMMARY, SUMMARY_HEADERS, summary_rows(rows, names, year)),
                              (PATCHES, PATCH_HEADERS, patch_rows(found, names, year)),
                              (ABOUT, ["项目", "内容"], about_rows(before_label, after_label, year, rules, balance))],
                       feedback)
            feedback.pushInfo(tr("Ledger workbook written: {path}").format(path=xlsx))
            out[self.XLSX] = xlsx
        if pdf:
            feedback.setProgressText(tr("Printing the ledger map…"))
            texts = map_texts(county_names(rows, after.zone, names), year, before_label, after_label, crs)
            layers = map_layers(features, output_fields(), set(found.kind.tolist()), survey_extent(before, after),
                                crs)
            write_pdf(Path(pdf), layers, texts, map_table(rows, names), font, crs)
            feedback.pushInfo(tr("Ledger map written: {path}").format(path=pdf))
            out[self.OUTPUT_PDF] = pdf
        feedback.setProgress(100)
        return out

    def _write(self, parameters, context, features: list[QgsFeature], crs) -> dict:
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, output_fields(),
                                          Qgis.WkbType.MultiPolygon, crs)
        if sink is None:
            return {}
        sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert)
        self.keep_aliases(dest, "ledger_patches")
        return {self.OUTPUT: dest}
