"""导出统计专题图 — statistics maps of a county's townships (Processing algorithm ``linxia_tianguan:statistics_map``).

A choropleth of one township indicator (patrol coverage, problem change cases, their area, rectification rate;
values from :mod:`...core.reports.indicators`, i.e. from :mod:`...core.reports.statistics`, the figures the dashboard
shows) on print layouts loaded from the bundled templates ``resources/templates/statistics_map.qpt`` (A4 landscape
overview) and ``statistics_atlas.qpt`` (one page per township, the map driven by the atlas feature): title,
legend, scale bar, north arrow, county name, date, data source and coordinate system. Exported to PDF (the
atlas as one multi-page PDF next to the overview, ``<stem>_atlas.pdf``) and optionally PNG (the overview, and
one ``<stem>_<township code>.png`` per atlas page). Every text is printed in an installed CJK font
(:func:`..layout_text.cjk_font` fails loudly when there is none rather than printing boxes) and kept as text in
the PDF. With ADD_TO_PROJECT the township layers and the layouts are added to the project, so the layouts
open in QGIS's layout designer for editing.

Townships are the level-3 cells of the active patrol grid build, named from ``tg_admin_unit`` (else the cell's
name); the outline is the cell of the chosen prefix (the county, level 2; by default the grid's only county, else
its prefecture). Values fall into 5 classes (CLASSIFICATION: Jenks natural breaks by default, or quantiles); the
legend labels each class with the smallest and largest value in it and the unit; townships without a value
(no coverage run, nothing to rectify) are grey (无数据). The store is only read. With ADD_TO_PROJECT the layers
(memory layers: they are not saved with the project's data) and layouts are added only once every file is
written. Print layouts need the main thread (FlagNoThreading).

Instead of the desk's 田管库, the prefecture's shared PostGIS store may be read (PREFECTURE_CONNECTION): the
townships are then the cells of every visible county's active grid build (:func:`...storage.pg_statistics.map_cells`)
and the figures those of :func:`...storage.pg_statistics.load` — the same map as the county's desk draws; the 州's
role with no code (or 6229) maps the whole prefecture's townships.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from osgeo import gdal
from qgis.core import (
    Qgis,
    QgsColorBrewerColorRamp,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFillSymbol,
    QgsGeometry,
    QgsGraduatedSymbolRenderer,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLegendStyle,
    QgsPalLayerSettings,
    QgsPrintLayout,
    QgsProcessingException,
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
    QgsProject,
    QgsReadWriteContext,
    QgsRectangle,
    QgsRendererRange,
    QgsRuleBasedRenderer,
    QgsSingleSymbolRenderer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor, QFont
from qgis.PyQt.QtXml import QDomDocument

from ... import compat
from ...core import clock
from ...core.reports import indicators
from ...i18n import tr
from ...labels import results_group_name
from ...resources import resource_path
from ...storage import grid as grid_store
from ...storage import statistics as stats_store
from ...storage.cases import unit_names
from ...storage.coverage import latest_run
from ..base import ADMIN_CODE_LENGTHS, AlgorithmBase
from ..layout_text import (
    cjk_font,
    finish_export,
    name_items,
    pdf_settings,
    set_label_text_format,
    set_legend_family,
    temporary_beside,
)

MAP_TEMPLATE, ATLAS_TEMPLATE = "statistics_map.qpt", "statistics_atlas.qpt"
#: the items the code fills, by id, in both templates (the atlas also has ``value``)
ITEM_IDS = ("title", "subtitle", "map", "county", "north_arrow", "legend", "scalebar", "date", "source", "crs")
NORTH_ARROW = "arrows/NorthArrow_02.svg"
#: ColorBrewer ramps: more coverage / rectification is better (greens), more cases / area is worse (reds)
RAMPS = {"coverage": "YlGn", "cases": "YlOrRd", "lost_area": "YlOrRd", "rectification": "Blues"}
NO_DATA_COLOR = QColor(215, 215, 215)
PDF_DPI, PNG_DPI = 300, 150
ATLAS_MARGIN = 0.15


def template_path(name: str) -> Path:
    """A bundled layout template (``resources/templates``, installed or in the checkout)."""
    path = resource_path("templates", name)
    if not path.exists():
        raise QgsProcessingException(tr("The layout template {name} is missing from the plugin.").format(name=name))
    return path


def load_template(layout: QgsPrintLayout, name: str) -> QgsPrintLayout:
    """Replace ``layout``'s items by those of the bundled template ``name``."""
    doc = QDomDocument()
    path = template_path(name)
    ok = doc.setContent(path.read_text(encoding="utf-8"))
    ok = ok[0] if isinstance(ok, tuple) else ok
    if not ok:
        raise QgsProcessingException(tr("The layout template {name} cannot be read.").format(name=path))
    _, ok = layout.loadFromTemplate(doc, QgsReadWriteContext())
    if not ok:
        raise QgsProcessingException(tr("The layout template {name} cannot be read.").format(name=path))
    return layout


def north_arrow_svg() -> str:
    """QGIS's own north arrow (the first SVG folder that has it)."""
    from qgis.core import QgsApplication

    for folder in QgsApplication.svgPaths():
        candidate = Path(folder) / NORTH_ARROW
        if candidate.exists():
            return str(candidate)
    return NORTH_ARROW  # QGIS resolves the name through its SVG paths itself if it can


def fit_extent(extent: QgsRectangle, ratio: float, margin: float = 0.05) -> QgsRectangle:
    """``extent`` grown by ``margin`` on every side and widened or heightened to the width/height ``ratio``
    of the map item, about its centre (so the item keeps its size in the layout)."""
    width, height = extent.width() * (1 + 2 * margin), extent.height() * (1 + 2 * margin)
    width, height = max(width, 1.0), max(height, 1.0)
    if width / height < ratio:
        width = height * ratio
    else:
        height = width / ratio
    centre = extent.center()
    return QgsRectangle(centre.x() - width / 2, centre.y() - height / 2, centre.x() + width / 2,
                        centre.y() + height / 2)


# ---------------------------------------------------------------------------------------- wording
def indicator_name(indicator: str) -> str:
    return {"coverage": tr("Patrol coverage of farmland"), "cases": tr("Problem change cases"),
            "lost_area": tr("Area of problem changes"), "rectification": tr("Rectification rate")}[indicator]


def unit_name(indicator: str) -> str:
    return {"percent": "%", "count": tr("cases"), "mu": tr("mu")}[indicators.UNITS[indicator]]


def _number(value: float, indicator: str) -> str:
    unit = indicators.UNITS[indicator]
    return f"{value:.0f}" if unit == "count" else f"{value:.1f}" if unit == "percent" else f"{value:.2f}"


def value_text(value: float | None, indicator: str) -> str:
    """A township's value with its unit (无数据 when there is none)."""
    if value is None:
        return tr("No data")
    unit = indicators.UNITS[indicator]
    number = _number(value, indicator)
    if unit == "percent":
        return tr("{value}%").format(value=number)
    if unit == "count":
        return tr("{value} cases").format(value=number)
    return tr("{value} mu").format(value=number)


def range_text(low: float, high: float, indicator: str) -> str:
    """A legend label: the smallest to the largest value of a class, with the unit."""
    if low >= high:
        return value_text(high, indicator)
    unit = indicators.UNITS[indicator]
    low_text, high_text = _number(low, indicator), _number(high, indicator)
    if unit == "percent":
        return tr("{low}% – {high}%").format(low=low_text, high=high_text)
    if unit == "count":
        return tr("{low} – {high} cases").format(low=low_text, high=high_text)
    return tr("{low} – {high} mu").format(low=low_text, high=high_text)


@dataclass
class _Request:
    """What a run was asked for: the parameters, read once before any work."""

    indicator: str
    method: str  # "jenks" or "quantile"
    first: dt.date | None
    last: dt.date | None
    prefix: str
    pdf: Path
    png: Path | None
    atlas: bool
    add_to_project: bool
    title: str  # the title asked for, "" for the default

    @property
    def period(self) -> tuple[dt.date | None, dt.date | None] | None:
        """(first, last), None when neither end is given (all records)."""
        return None if self.first is None and self.last is None else (self.first, self.last)

    def period_text(self) -> tuple[str | None, str | None]:
        """The period's ends as ISO dates for the store, None for an open end."""
        return (self.first.isoformat() if self.first else None), (self.last.isoformat() if self.last else None)


@dataclass
class _MapData:
    """What the map shows: read from the store (:meth:`~StatisticsMapAlgorithm._read_store`), then computed."""

    prefix: str
    cells: list
    names: dict
    srs: int
    inputs: object
    coverage_run: tuple | None
    townships: list = field(default_factory=list)
    values: dict = field(default_factory=dict)
    ranges: list = field(default_factory=list)
    county_name: str = ""
    layer_title: str = ""
    shared: bool = False  # read from the prefecture's shared store


def set_map(map_item: QgsLayoutItemMap, layers: dict, crs, atlas: bool) -> QgsLayoutItemMap:
    """The map item: its layers (the highlight on atlas pages), CRS and the outline's extent."""
    order = [layers[k] for k in (("highlight",) if atlas else ()) + ("outline", "townships", "no_data")
             if layers[k] is not None]
    map_item.setCrs(crs)
    map_item.setLayers(order)
    map_item.setKeepLayerSet(True)
    extent = layers["outline"].extent() if layers["outline"].featureCount() else layers["townships"].extent()
    map_item.setExtent(fit_extent(extent, map_item.rect().width() / map_item.rect().height()))
    return map_item

def set_legend(legend: QgsLayoutItemLegend, map_item: QgsLayoutItemMap, layers: dict, font: str) -> None:
    """The legend: the classes, no data and the outline (not the highlight), in the CJK font."""
    legend.setLinkedMap(map_item)
    legend.setAutoUpdateModel(False)
    legend.setTitle(tr("Legend"))
    root = legend.model().rootGroup()
    root.clear()
    for key in ("townships", "no_data", "outline"):
        if layers[key] is not None:
            root.addLayer(layers[key])
    set_legend_family(legend, font, (QgsLegendStyle.Style.Title, QgsLegendStyle.Style.Group,
                                     QgsLegendStyle.Style.Subgroup, QgsLegendStyle.Style.SymbolLabel))
    legend.adjustBoxSize()


class StatisticsMapAlgorithm(AlgorithmBase):
    STORE, INDICATOR, DATE_FROM, DATE_TO = "STORE", "INDICATOR", "DATE_FROM", "DATE_TO"
    PREFIX, TITLE, CLASSIFICATION = "PREFIX", "TITLE", "CLASSIFICATION"
    ATLAS, OUTPUT_PDF, OUTPUT_PNG, ADD_TO_PROJECT = "ATLAS", "OUTPUT_PDF", "OUTPUT_PNG", "ADD_TO_PROJECT"

    def name(self) -> str:
        return "statistics_map"

    def displayName(self) -> str:
        return tr("Export statistics map")

    def flags(self):
        return super().flags() | compat.ProcessingAlgorithmFlag.NoThreading  # print layouts need the main thread

    def shortHelpString(self) -> str:
        return tr("<p>导出统计专题图 · A map of the county's townships coloured by one indicator — patrol coverage of "
                  "farmland (the latest patrol-coverage run of the period), problem change cases (suspected "
                  "illegal and to be verified), their area in mu, or the rectification rate — in 5 classes, with "
                  "title, legend, scale bar, north arrow, county name, date and data source, from the bundled "
                  "layout templates. Written to PDF (and PNG if asked); with the atlas also one page per township "
                  "(<i>name</i>_atlas.pdf, and one PNG per township). The figures are those of the dashboard. "
                  "With “Add the layouts to the project” they open in the layout designer for editing.</p>") + tr(
                  "<p>Instead of the tianguan store, the prefecture's shared store may be read (Advanced: a saved "
                  "PostgreSQL connection and its schema): the townships are those of the published grids, and the "
                  "prefecture's role with no code (or 6229) maps every county's townships.</p>")

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter(optional=True)
        self.add_prefecture_source_parameters()
        self.addParameter(QgsProcessingParameterEnum(
            self.INDICATOR, tr("Indicator"), [indicator_name(k) for k in indicators.INDICATORS], defaultValue=0))
        self.add_period_parameters(self.DATE_FROM, tr("Period from (YYYY-MM-DD)"),
                                   self.DATE_TO, tr("Period to (YYYY-MM-DD)"))
        self.add_prefix_parameter(tr("County code (6 digits; default: the county of the store's grid)"),
                                  ADMIN_CODE_LENGTHS[:3])
        self.addParameter(QgsProcessingParameterString(self.TITLE, tr("Title (default: county and indicator)"),
                                                       optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.CLASSIFICATION, tr("Classes (5)"), [tr("Natural breaks (Jenks)"), tr("Quantiles")], defaultValue=0))
        self.addParameter(QgsProcessingParameterBoolean(self.ATLAS, tr("Also an atlas: one page per township"), True))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT_PDF, tr("Statistics map (PDF)"),
                                                                tr("PDF files (*.pdf)")))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_PNG, tr("Statistics map (PNG)"), tr("PNG files (*.png)"), optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterBoolean(
            self.ADD_TO_PROJECT, tr("Add the layouts to the project (to edit them in the layout designer)"), False))
        self.addOutput(QgsProcessingOutputFile("ATLAS_PDF", tr("Township atlas (PDF)")))
        self.addOutput(QgsProcessingOutputNumber("PAGES", tr("PDF pages written")))
        self.addOutput(QgsProcessingOutputNumber("TOWNSHIPS", tr("Townships")))

    # ------------------------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):
        request = self._read_parameters(parameters, context)
        font = cjk_font()  # before any work: without a Chinese font the map would print boxes
        steps = QgsProcessingMultiStepFeedback(4, feedback)
        data = self._read_store(parameters, context, request, feedback)
        if steps.isCanceled():
            raise QgsProcessingException(tr("Cancelled."))
        self._compute(request, data, steps)

        steps.setCurrentStep(1)
        project, crs, layers = self._build_layers(request, data, context, font, steps)
        texts = self._texts(request, data, crs)
        layout = self._layout(project, MAP_TEMPLATE, texts["title"], texts, layers, font, crs)
        self._export_pdf(layout, request.pdf)
        pages = 1
        if request.png is not None:
            self._export_png(layout, request.png)
        steps.setProgress(100)

        atlas_pdf = None
        atlas_layout = None
        if request.atlas:
            atlas_layout, atlas_pdf, atlas_pages = self._atlas(request, project, texts, layers, font, crs, steps)
            pages += atlas_pages
        if request.add_to_project:  # only now that every file is written: a failed run leaves the project as it was
            self._add_to_project(project, layers, request.title or data.layer_title, (layout, atlas_layout))
        else:  # the layouts go before the private project that owns their layers
            del layout, atlas_layout
        feedback.pushInfo(tr("Statistics map written: {pdf}").format(pdf=request.pdf))
        png = request.png
        return {self.OUTPUT_PDF: str(request.pdf), self.OUTPUT_PNG: str(png) if png else None,
                "ATLAS_PDF": str(atlas_pdf) if atlas_pdf else None, "PAGES": pages, "TOWNSHIPS": len(data.townships)}

    def _read_parameters(self, parameters, context) -> _Request:
        """The run's parameters, read (and checked) before any work."""
        indicator = indicators.INDICATORS[self.parameterAsEnum(parameters, self.INDICATOR, context)]
        method = ("jenks", "quantile")[self.parameterAsEnum(parameters, self.CLASSIFICATION, context)]
        first, last = self.parameter_as_period(parameters, self.DATE_FROM, self.DATE_TO, context)
        prefix = self.parameter_as_prefix(parameters, context)
        pdf = Path(self.parameterAsFileOutput(parameters, self.OUTPUT_PDF, context))
        png_text = self.parameterAsFileOutput(parameters, self.OUTPUT_PNG, context)
        return _Request(
            indicator=indicator, method=method, first=first, last=last, prefix=prefix, pdf=pdf,
            png=Path(png_text) if png_text else None,
            atlas=self.parameterAsBoolean(parameters, self.ATLAS, context),
            add_to_project=self.parameterAsBoolean(parameters, self.ADD_TO_PROJECT, context),
            title=(self.parameterAsString(parameters, self.TITLE, context) or "").strip())

    def _read_store(self, parameters, context, request: _Request, feedback=None) -> _MapData:
        """The grid's cells and names and the statistics inputs of the period, read from the store (only read) or
        from the prefecture's shared store."""
        shared = self.parameter_as_prefecture(parameters, context)
        if shared is not None:
            return self._read_shared(shared, request, feedback)
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
            prefix, cells, names, srs = self._cells(store, request.prefix)
            start, end = request.period_text()
            inputs = stats_store.load(store, prefix, start, end)
            coverage_run = latest_run(store.conn, start, end) if request.indicator == "coverage" else None
        return _MapData(prefix=prefix, cells=cells, names=names, srs=srs, inputs=inputs, coverage_run=coverage_run)

    def _read_shared(self, shared: tuple[str, str], request: _Request, feedback=None) -> _MapData:
        """:meth:`_read_store` of the prefecture's shared store, as the connection's role sees it."""
        from ...storage import pg_statistics  # psycopg2: only when the prefecture store is read

        with self.prefecture_store(shared, feedback) as pg:
            grid = pg_statistics.map_cells(pg, request.prefix)
            if not grid.cells:
                raise QgsProcessingException(tr(
                    "The prefecture store (schema “{schema}”) has no patrol grid that this connection's role may "
                    "read{under}: the counties build and publish their grids first, the townships of the map are "
                    "its cells.").format(schema=pg.schema, under=f" ({request.prefix})" if request.prefix else ""))
            prefix, cells = self._chosen_cells(grid.cells, request.prefix)
            names = self._cell_names(grid.names, cells)
            start, end = request.period_text()
            inputs = pg_statistics.load(pg, prefix, start, end)
            coverage_run = pg_statistics.latest_coverage_run(pg, prefix, start, end) \
                if request.indicator == "coverage" else None
            srs = grid.srid or pg.srid
        return _MapData(prefix=prefix, cells=cells, names=names, srs=srs, inputs=inputs, coverage_run=coverage_run,
                        shared=True)

    @staticmethod
    def _compute(request: _Request, data: _MapData, steps) -> None:
        """The indicator's value per township and its classes, into ``data``."""
        data.townships = [c for c in data.cells if c[1] == 3]
        data.values = indicators.values(data.inputs, request.indicator, clock.now_utc(), data.prefix,
                                        request.period, [c[0] for c in data.townships])
        data.ranges = indicators.class_ranges([data.values.get(c[0]) for c in data.townships], indicators.CLASSES,
                                              request.method)
        data.county_name = data.names.get(data.prefix) or data.prefix
        steps.pushInfo(tr("{n} townships of {county}; {classes} classes.").format(
            n=len(data.townships), county=data.county_name, classes=len(data.ranges)))
        steps.setProgress(100)

    def _build_layers(self, request: _Request, data: _MapData, context, font: str, steps
                      ) -> tuple[QgsProject, QgsCoordinateReferenceSystem, dict]:
        """The project the layouts live in (the user's, or a private one) and the township layers of the map."""
        add_to_project = request.add_to_project
        project = (context.project() or QgsProject.instance()) if add_to_project else QgsProject()
        crs = QgsCoordinateReferenceSystem(f"EPSG:{data.srs}")
        if not add_to_project:
            project.setCrs(crs)  # else layout maps measure metres as degrees (wrong scale bar)
        data.layer_title = tr("{indicator} ({unit})").format(indicator=indicator_name(request.indicator),
                                                            unit=unit_name(request.indicator))
        layers = self._layers(data.townships, data.cells, data.prefix, data.names, data.values, data.ranges,
                              request.indicator, data.layer_title, crs, font, steps)
        if not request.atlas:
            layers["highlight"] = None  # it marks the atlas page's township
        if not add_to_project:
            self._add_layers(project, layers, data.layer_title, False)
        return project, crs, layers

    @staticmethod
    def _texts(request: _Request, data: _MapData, crs: QgsCoordinateReferenceSystem) -> dict[str, str]:
        """The overview's printed texts by item id: title, what the figures cover, county, date, source, CRS."""
        name = indicator_name(request.indicator)
        title = request.title or tr("{county}: {indicator} by township").format(county=data.county_name,
                                                                                indicator=name)
        if request.indicator == "coverage" and data.coverage_run:
            when = tr("Patrol coverage run of {start} to {end}").format(start=data.coverage_run[1],
                                                                        end=data.coverage_run[2])
        elif request.indicator == "coverage":
            when = tr("No patrol-coverage run in the period")
        elif request.period:
            when = tr("Period: {start} to {end}").format(start=request.first or "…", end=request.last or "…")
        else:
            when = tr("Period: all records")
        return {
            "title": title, "subtitle": when, "county": data.county_name,
            "date": tr("Map date: {date}").format(date=clock.today_beijing().isoformat()),
            "source": tr("Source: Linxia prefecture store (shared)") if data.shared
            else tr("Source: Linxia tianguan store"),
            "crs": tr("Coordinate system: {crs}").format(crs=crs.authid()),
        }

    def _atlas(self, request: _Request, project, texts: dict[str, str], layers: dict, font: str,
               crs: QgsCoordinateReferenceSystem, steps) -> tuple[QgsPrintLayout, Path, int]:
        """The atlas (one page per township) laid out and exported: (its layout, its PDF, the pages written)."""
        steps.setCurrentStep(2)
        name, title = indicator_name(request.indicator), texts["title"]
        atlas_texts = dict(texts, title=tr("{township}: {indicator}").format(township='[% "name" %]',
                                                                             indicator=name),
                           subtitle=tr("{title} · {when}").format(title=title, when=texts["subtitle"]),
                           value=tr("{indicator}: {value}").format(indicator=name, value='[% "label" %]'))
        atlas_layout = self._layout(project, ATLAS_TEMPLATE, tr("{title} (atlas)").format(title=title),
                                    atlas_texts, layers, font, crs, atlas=True)
        atlas_pdf = request.pdf.with_name(request.pdf.stem + "_atlas.pdf")
        pages = self._export_atlas_pdf(atlas_layout, atlas_pdf, steps)
        if request.png is not None:
            steps.setCurrentStep(3)
            self._export_atlas_png(atlas_layout, request.png, steps)
        return atlas_layout, atlas_pdf, pages

    def _add_to_project(self, project: QgsProject, layers: dict, group_name: str, layouts) -> None:
        """The layers (in a group) and the layouts (under unique names) added to the user's project."""
        self._add_layers(project, layers, group_name, True)
        manager = project.layoutManager()
        for item in layouts:
            if item is not None:
                item.setName(self._unique_name(manager, item.name()))
                manager.addLayout(item)

    # ------------------------------------------------------------------------------------ reading
    def _cells(self, store, prefix: str):
        """(prefix, cells [(code, level, name, WKB)], names, EPSG) of the active grid: levels 1–3 under the
        prefix (default: the one county of the grid, else the prefecture)."""
        if grid_store.active_build(store) is None:
            raise QgsProcessingException(tr("The store {path} has no patrol grid: run “Build the patrol grid” first, "
                                            "the townships of the map are its cells.").format(path=store.path))
        prefix, cells = self._chosen_cells(grid_store.active_cells_up_to(store, 3), prefix)
        try:
            names = unit_names(store)
        except sqlite3.OperationalError:
            names = {}
        return prefix, cells, self._cell_names(names, cells), int(store.srs_id)

    @staticmethod
    def _chosen_cells(rows: list, prefix: str) -> tuple[str, list]:
        """(prefix, cells under it) of the grid's cells of levels 1–3: the prefix given, else the grid's only
        county, else its prefecture; refused when no township is under it."""
        if not prefix:
            counties = [r[0] for r in rows if r[1] == 2]
            prefecture = [r[0] for r in rows if r[1] == 1]
            prefix = counties[0] if len(counties) == 1 else (prefecture[0] if prefecture else "")
        cells = [row for row in rows if row[0].startswith(prefix)]
        if not any(c[1] == 3 for c in cells):
            raise QgsProcessingException(tr("The active patrol grid has no township under {code}.").format(
                code=prefix or "—"))
        return prefix, cells

    @staticmethod
    def _cell_names(names: dict, cells: list) -> dict:
        """The administrative units' names, a cell's own name where the unit has none."""
        names = dict(names)
        for code, _, name, _ in cells:
            if name and not names.get(code):
                names[code] = name
        return names

    # ------------------------------------------------------------------------------------ layers
    def _layers(self, townships, cells, prefix, names, values, ranges, indicator, layer_title, crs, font, feedback):
        """The map's memory layers: townships by class, those without a value, the outline, the atlas highlight."""
        uri = f"MultiPolygon?crs={crs.authid()}"
        fields = [compat.make_field("code", "String"), compat.make_field("name", "String"),
                  compat.make_field("value", "Double"), compat.make_field("label", "String")]
        main = QgsVectorLayer(uri, layer_title, "memory")
        empty = QgsVectorLayer(uri, tr("No data"), "memory")
        outline = QgsVectorLayer(uri, tr("Boundary of {name}").format(name=names.get(prefix) or prefix), "memory")
        highlight = QgsVectorLayer(uri, tr("Atlas township"), "memory")
        for layer in (main, empty, highlight):
            layer.dataProvider().addAttributes(fields)
            layer.updateFields()
        missing = self._fill_townships(main, empty, highlight, townships, names, values, indicator, feedback)
        boundary = [c for c in cells if c[0] == prefix]
        if boundary:
            feature = QgsFeature()
            geometry = QgsGeometry()
            geometry.fromWkb(boundary[0][3])
            feature.setGeometry(geometry)
            outline.dataProvider().addFeatures([feature])
        for layer in (main, empty, outline, highlight):
            layer.updateExtents()
        self._style_classes(main, townships, values, ranges, indicator)
        self._style_others(empty, outline, highlight)
        settings = self._name_labels(font)
        for layer in (main, empty):  # a renderer labels only what it draws: no-data townships are the other layer
            layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
            layer.setLabelsEnabled(True)
        return {"townships": main, "no_data": empty if missing else None, "outline": outline, "highlight": highlight}

    @staticmethod
    def _fill_townships(main, empty, highlight, townships, names, values, indicator, feedback) -> bool:
        """One feature per township in the map and highlight layers, those without a value also in ``empty``;
        whether there were any."""
        features, missing = [], []
        for k, (code, _, _, wkb) in enumerate(townships):
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Cancelled."))
            geometry = QgsGeometry()
            geometry.fromWkb(wkb)
            value = values.get(code)
            feature = QgsFeature(main.fields())
            feature.setGeometry(geometry)
            feature.setAttributes([code, names.get(code) or code, value, value_text(value, indicator)])
            features.append(feature)
            if value is None:
                missing.append(QgsFeature(feature))
            feedback.setProgress(100.0 * (k + 1) / len(townships))
        main.dataProvider().addFeatures(features)
        highlight.dataProvider().addFeatures([QgsFeature(f) for f in features])
        if missing:
            empty.dataProvider().addFeatures(missing)
        return bool(missing)

    @staticmethod
    def _style_classes(main, townships, values, ranges, indicator) -> None:
        """The townships coloured by class from the indicator's ramp, each class labelled with its actual span."""
        ramp = QgsColorBrewerColorRamp(RAMPS[indicator], max(3, min(len(ranges), 9)))
        spans = indicators.class_spans([values.get(c[0]) for c in townships], ranges)
        renderer_ranges = []
        for k, ((lower, upper), span) in enumerate(zip(ranges, spans)):
            symbol = QgsFillSymbol.createSimple({"outline_color": "110,110,110", "outline_width": "0.2"})
            symbol.setColor(ramp.color(k / (len(ranges) - 1) if len(ranges) > 1 else 1.0))
            renderer_ranges.append(QgsRendererRange(lower, upper, symbol, range_text(*(span or (lower, upper)),
                                                                                     indicator)))
        renderer = QgsGraduatedSymbolRenderer("value", renderer_ranges)
        renderer.setClassAttribute("value")
        main.setRenderer(renderer)

    @staticmethod
    def _style_others(empty, outline, highlight) -> None:
        """No-data townships grey, the outline a dark line, the atlas page's township outlined in red."""
        empty.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({
            "color": NO_DATA_COLOR.name(), "outline_color": "110,110,110", "outline_width": "0.2"})))
        outline.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({
            "color": "0,0,0,0", "outline_color": "40,40,40", "outline_width": "0.8"})))
        root = QgsRuleBasedRenderer.Rule(None)
        root.appendChild(QgsRuleBasedRenderer.Rule(
            QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "200,30,30", "outline_width": "1.0"}),
            0, 0, "\"code\" = attribute(@atlas_feature, 'code')", tr("Atlas township")))
        highlight.setRenderer(QgsRuleBasedRenderer(root))

    @staticmethod
    def _name_labels(font: str) -> QgsPalLayerSettings:
        """Township names in the CJK font, small, with a white halo."""
        settings = QgsPalLayerSettings()
        settings.fieldName = "name"
        settings.placement = Qgis.LabelPlacement.OverPoint
        settings.displayAll = True
        text = QgsTextFormat()
        text.setFont(QFont(font))
        text.setSize(8)
        buffer = QgsTextBufferSettings()
        buffer.setEnabled(True)
        buffer.setSize(0.8)
        buffer.setColor(QColor(255, 255, 255))
        text.setBuffer(buffer)
        settings.setFormat(text)
        return settings

    @staticmethod
    def _add_layers(project: QgsProject, layers: dict, group_name: str, visible_in_tree: bool) -> None:
        chosen = [layers[k] for k in ("townships", "no_data", "outline", "highlight") if layers[k] is not None]
        if not visible_in_tree:
            project.addMapLayers(chosen, False)
            return
        root = project.layerTreeRoot()  # inside the group every output of the plugin goes to (临夏田管)
        results = root.findGroup(results_group_name()) or root.insertGroup(0, results_group_name())
        group = results.insertGroup(0, group_name)
        for layer in chosen:
            project.addMapLayer(layer, False)
        for key in ("highlight", "outline", "townships", "no_data"):
            if layers[key] is not None:
                node = group.addLayer(layers[key])
                if key == "highlight":
                    node.setItemVisibilityChecked(False)  # only meaningful on atlas pages

    # ------------------------------------------------------------------------------------ layouts
    def _layout(self, project, template, name, texts, layers, font, crs, atlas=False) -> QgsPrintLayout:
        """A print layout from ``template`` with its texts, map, legend, scale bar and north arrow filled in."""
        layout = QgsPrintLayout(project)
        load_template(layout, template)
        layout.setName(name)
        items = {item.id(): item for item in layout.items() if hasattr(item, "id") and item.id()}
        missing = [i for i in (*ITEM_IDS, *(("value",) if atlas else ())) if i not in items]
        if missing:
            raise QgsProcessingException(tr("The layout template {name} lacks the items {items}.").format(
                name=template, items=", ".join(missing)))
        for key, item in items.items():
            if isinstance(item, QgsLayoutItemLabel):
                if key in texts:
                    item.setText(texts[key])
                set_label_text_format(item, font)
        map_item = set_map(items["map"], layers, crs, atlas)
        set_legend(items["legend"], map_item, layers, font)
        scalebar: QgsLayoutItemScaleBar = items["scalebar"]
        scalebar.setLinkedMap(map_item)
        scalebar.setUnits(Qgis.DistanceUnit.Kilometers)
        scalebar.setUnitLabel(tr("km"))
        fmt = scalebar.textFormat()
        fmt.setFont(QFont(font))
        scalebar.setTextFormat(fmt)
        scalebar.update()
        arrow: QgsLayoutItemPicture = items["north_arrow"]
        arrow.setPicturePath(north_arrow_svg())
        arrow.setLinkedMap(map_item)
        if atlas:
            self._set_atlas(layout, map_item, layers)
        layout.setCustomProperty("pdfTextFormat", int(Qgis.TextRenderFormat.AlwaysText))
        name_items(layout)  # items found by their template keys above; the user sees 标题, 图例 … in the layout
        layout.refresh()
        return layout

    @staticmethod
    def _set_atlas(layout: QgsPrintLayout, map_item: QgsLayoutItemMap, layers: dict) -> None:
        """One page per township, sorted by code, the map following the page's township."""
        atlas_settings = layout.atlas()
        atlas_settings.setCoverageLayer(layers["townships"])
        atlas_settings.setEnabled(True)
        atlas_settings.setHideCoverage(False)
        atlas_settings.setPageNameExpression('"name"')
        atlas_settings.setSortFeatures(True)
        atlas_settings.setSortExpression('"code"')
        atlas_settings.setFilenameExpression("'atlas_' || \"code\"")
        map_item.setAtlasDriven(True)
        map_item.setAtlasScalingMode(QgsLayoutItemMap.AtlasScalingMode.Auto)
        map_item.setAtlasMargin(ATLAS_MARGIN)

    @staticmethod
    def _unique_name(manager, name: str) -> str:
        candidate, n = name, 1
        while manager.layoutByName(candidate) is not None:
            n += 1
            candidate = f"{name} ({n})"
        return candidate

    # ------------------------------------------------------------------------------------ export
    @staticmethod
    def _pdf_settings() -> QgsLayoutExporter.PdfExportSettings:
        return pdf_settings(PDF_DPI)

    @staticmethod
    def _png_settings() -> QgsLayoutExporter.ImageExportSettings:
        settings = QgsLayoutExporter.ImageExportSettings()
        settings.dpi = PNG_DPI
        return settings

    def _export_pdf(self, layout: QgsPrintLayout, target: Path) -> None:
        tmp = temporary_beside(target)
        finish_export(tmp, target, QgsLayoutExporter(layout).exportToPdf(str(tmp), self._pdf_settings()))

    def _export_png(self, layout: QgsPrintLayout, target: Path, exporter: QgsLayoutExporter | None = None) -> None:
        tmp = temporary_beside(target)
        # the exporter then georeferences the image through GDAL, whose PNG driver cannot update a file and says
        # so on stderr: harmless (PNG carries no georeference), so silenced
        gdal.PushErrorHandler("CPLQuietErrorHandler")
        try:
            result = (exporter or QgsLayoutExporter(layout)).exportToImage(str(tmp), self._png_settings())
        finally:
            gdal.PopErrorHandler()
        finish_export(tmp, target, result)

    def _export_atlas_pdf(self, layout: QgsPrintLayout, target: Path, feedback) -> int:
        atlas = layout.atlas()
        atlas.updateFeatures()
        pages = atlas.count()
        tmp = temporary_beside(target)
        result, error = QgsLayoutExporter.exportToPdf(atlas, str(tmp), self._pdf_settings(), feedback)
        if feedback.isCanceled():
            tmp.unlink(missing_ok=True)
            raise QgsProcessingException(tr("Cancelled."))
        finish_export(tmp, target, result, error)
        return pages

    def _export_atlas_png(self, layout: QgsPrintLayout, png: Path, feedback) -> list[Path]:
        atlas = layout.atlas()
        exporter = QgsLayoutExporter(layout)
        written = []
        if not atlas.beginRender():
            raise QgsProcessingException(tr("The atlas has no township to print."))
        try:
            count = atlas.count()
            for k in range(count):
                if feedback.isCanceled():
                    raise QgsProcessingException(tr("Cancelled."))
                atlas.seekTo(k)
                code = layout.reportContext().feature()["code"]
                target = png.with_name(f"{png.stem}_{code}.png")
                self._export_png(layout, target, exporter)
                written.append(target)
                feedback.setProgress(100.0 * (k + 1) / count)
        finally:
            atlas.endRender()
        return written
