"""领导田管驾驶舱 — the dashboard dock: filters, one tab per panel (chart + sortable table), export.

The dock only displays. It reads its source once — the desk's 田管库 (``storage.statistics.load``) or the
prefecture's shared 州库 on PostGIS (``storage.pg_statistics.load``, as the role of a saved QGIS PostgreSQL
connection sees it: the 州 every county, a county its own) — and on every filter change asks
:func:`..reports.build` for the report (all figures from ``core.reports.statistics``): both readers give the same
inputs, so the same filters, tables and charts work on either, and the PDF / PNG / XLSX export writes what is shown.
Clicking a row about a township (or any grid) selects that grid's feature on a project layer whose source is the
desk store's ``tg_grid_cell``; without such a layer the status line says so. With the 州库 the rows select nothing
(the project's grid layers are a desk's; the views' tooltip says so).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

from qgis.core import QgsApplication, QgsProject, QgsTask, QgsVectorLayer
from qgis.gui import QgsDockWidget, QgsFileWidget, QgsProviderConnectionComboBox
from qgis.PyQt.QtCore import QDate, QSortFilterProxyModel, Qt, pyqtSignal
from qgis.PyQt.QtGui import QStandardItem, QStandardItemModel
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .. import reports as model
from .. import settings
from ..core import clock
from ..core.reports import statistics as stats
from ..i18n import tr
from ..pg_connection import PREFECTURE_SCHEMA, PrefectureError

DOCK_NAME = "linxia_tianguan_dashboard"
GRID_TABLE = "tg_grid_cell"
#: the dock's two sources: the desk's GeoPackage 田管库, the prefecture's shared PostGIS 州库
DESK, PREFECTURE = "gpkg", "pg"
#: the prefecture store's schema unless told otherwise
DEFAULT_SCHEMA = PREFECTURE_SCHEMA

try:  # matplotlib ≥ 3.5 (what the QGIS installers ship)
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
except ImportError:  # pragma: no cover - older matplotlib
    from matplotlib.backends.backend_qt5agg import FigureCanvasQTAgg


class ExportCancelledError(Exception):
    """The user cancelled the report's export task."""


class ReportExportTask(QgsTask):
    """The dashboard report written in the background (matplotlib figures, no widget: safe off the main thread);
    ``ended(outcome, error)`` on the main thread: outcome written, cancelled or failed."""

    ended = pyqtSignal(str, str)

    def __init__(self, report: model.Report, pdf: str, png_folder: str | None):
        super().__init__(tr("Exporting the dashboard report"), QgsTask.Flag.CanCancel)
        self.report, self.pdf, self.png_folder = report, pdf, png_folder
        self.error = ""

    def run(self) -> bool:
        total = len(model.PANELS) * (2 if self.png_folder else 1)
        done = [0]

        def step(_index: int) -> None:
            done[0] += 1
            self.setProgress(100.0 * done[0] / total)
            if self.isCanceled():
                raise ExportCancelledError()

        try:
            model.write_pdf(self.report, self.pdf, step=step)
            if self.png_folder:
                model.write_pngs(self.report, self.png_folder, step=step)
        except ExportCancelledError:
            return False
        except (OSError, model.DashboardError, ValueError, RuntimeError) as err:
            self.error = str(err) or type(err).__name__
            return False
        return True

    def finished(self, result: bool) -> None:
        self.ended.emit("written" if result else "failed" if self.error else "cancelled", self.error)


def period_kind_names() -> dict[str, str]:
    return {"month": tr("Month"), "quarter": tr("Quarter"), "year": tr("Year"), "all": tr("All (cumulative)"),
            "custom": tr("Custom")}


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def grid_layers(store_path: str) -> list[QgsVectorLayer]:
    """Project layers whose source is ``store_path``'s tg_grid_cell table."""
    out = []
    for layer in QgsProject.instance().mapLayers().values():
        if not isinstance(layer, QgsVectorLayer) or layer.providerType() != "ogr":
            continue
        parts = layer.source().split("|")
        options = {p.split("=", 1)[0].lower(): p.split("=", 1)[1] for p in parts[1:] if "=" in p}
        if options.get("layername", "").lower() == GRID_TABLE and store_path and _same_file(parts[0], store_path):
            out.append(layer)
    return out


@contextlib.contextmanager
def _read_only(path: str):
    """A read-only SQLite connection to the store (the dashboard never writes, nor migrates)."""
    from ..storage.statistics import read_only

    conn = read_only(path)
    try:
        yield conn
    finally:
        conn.close()




def no_map_selection() -> str:
    return tr("With the prefecture store, rows select nothing on the map: the project's patrol grid layers are a "
              "desk's tianguan store's. Use the statistics map (导出统计专题图) for the prefecture's map.")


def _last_prefecture() -> tuple[str, str]:
    """(connection name, schema) the dock last read the 州库 through ('' and the default when never)."""
    try:
        last = json.loads(settings.DASHBOARD_PREFECTURE.get() or "{}")
    except ValueError:
        last = {}
    if not isinstance(last, dict):
        last = {}
    return str(last.get("connection") or ""), str(last.get("schema") or DEFAULT_SCHEMA)


def _prefecture_rates(pg, period) -> dict | None:
    """Each county's latest coverage run overlapping ``period`` in the 州库 (what ``pg_statistics.load`` picks
    for it), None when the schema keeps no rates — ``coverage.rates_if_kept`` of the shared store."""
    from ..storage import pg_statistics

    return pg_statistics.rates_if_kept(pg, "", *(period or (None, None)))


@contextlib.contextmanager
def _busy():
    """The wait cursor while the dock reads (the desk's store and the 州库 are both read on the UI thread)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


class DashboardDock(QgsDockWidget):
    def __init__(self, iface, parent=None, store_path: str | None = None):
        super().__init__(tr("Farmland protection dashboard"), parent)
        self.setObjectName(DOCK_NAME)
        self.iface = iface
        self.store_path = ""
        self.source = DESK
        self.pg = None  # the 州库's PgStore while it is shown (rates and survey years are read per filter)
        self.pg_name, self.pg_schema = "", DEFAULT_SCHEMA
        self.inputs: stats.StatInputs | None = None
        self.names: dict[str, str] = {}
        self.targets: dict = {}
        self.report: model.Report | None = None
        self.today: dt.date | None = None  # None: the clock (tests fix it)
        self._prefix = ""
        self._period: tuple[dt.date, dt.date] | None = None
        self._dirty: set[str] = set()
        self._rates_cache: dict = {}
        self._export_task: QgsTask | None = None
        self._updating = False
        self.models: dict[str, QStandardItemModel] = {}
        self.proxies: dict[str, QSortFilterProxyModel] = {}
        self.views: dict[str, QTableView] = {}
        self.canvases: dict[str, FigureCanvasQTAgg] = {}
        self._build()
        self._prefill_prefecture()
        default = store_path if store_path is not None else self._default_store()
        if default:
            self.set_store(default)

    # ------------------------------------------------------------------ widgets
    @staticmethod
    def _default_store() -> str:
        from ..storage import existing_store

        path = settings.store_path()
        if not path or not Path(path).is_file():
            return ""  # never create a store just by opening the dashboard
        with existing_store(path) as store:
            return path if store is not None else ""

    def _build(self) -> None:
        from matplotlib.figure import Figure

        body = QWidget()
        layout = QVBoxLayout(body)
        form = QFormLayout()
        self.source_combo = QComboBox()
        self.source_combo.addItem(tr("Tianguan store (GeoPackage)"), DESK)
        self.source_combo.addItem(tr("Prefecture store (PostGIS)"), PREFECTURE)
        self.source_combo.setToolTip(tr("This desk's tianguan store, or the prefecture's shared store as the role of "
                                        "a saved PostgreSQL connection sees it: the prefecture's role every county, "
                                        "a county's role its own."))
        self.source_combo.currentIndexChanged.connect(lambda _: self._source_chosen())
        form.addRow(tr("Source"), self.source_combo)
        self.store_widget = QgsFileWidget()
        self.store_widget.setStorageMode(QgsFileWidget.StorageMode.GetFile)
        self.store_widget.setFilter(tr("Tianguan store (*.gpkg)"))
        self.store_widget.fileChanged.connect(self._store_chosen)
        self.store_label = QLabel(tr("Tianguan store"))
        form.addRow(self.store_label, self.store_widget)
        form.addRow(*self._build_prefecture_row())
        self.county, self.township = QComboBox(), QComboBox()
        form.addRow(tr("County"), self.county)
        form.addRow(tr("Township"), self.township)
        period_row = QHBoxLayout()
        self.period_kind = QComboBox()
        for code, label in period_kind_names().items():
            self.period_kind.addItem(label, code)
        self.first_date, self.last_date = QDateEdit(), QDateEdit()
        for edit in (self.first_date, self.last_date):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate(*clock.today_beijing().timetuple()[:3]))
        period_row.addWidget(self.period_kind)
        period_row.addWidget(self.first_date)
        period_row.addWidget(QLabel("—"))
        period_row.addWidget(self.last_date)
        form.addRow(tr("Period"), period_row)
        self.targets_widget = QgsFileWidget()
        self.targets_widget.setFilter(tr("Township targets (*.csv)"))
        self.targets_widget.fileChanged.connect(self._targets_chosen)
        form.addRow(tr("Township targets (CSV, optional)"), self.targets_widget)
        layout.addLayout(form)
        self.county.currentIndexChanged.connect(self._county_changed)
        self.township.currentIndexChanged.connect(lambda _: self._filters_changed())
        self.period_kind.currentIndexChanged.connect(lambda _: self._filters_changed())
        self.first_date.dateChanged.connect(lambda _: self._filters_changed())
        self.last_date.dateChanged.connect(lambda _: self._filters_changed())

        self.tabs = QTabWidget()
        titles = model.panel_titles()
        for name in model.PANELS:
            splitter = QSplitter(Qt.Orientation.Vertical)
            canvas = FigureCanvasQTAgg(Figure(figsize=(5, 3), dpi=90))
            canvas.setMinimumHeight(180)
            view = QTableView()
            view.setSortingEnabled(True)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            items = QStandardItemModel(self)
            proxy = QSortFilterProxyModel(self)
            proxy.setSourceModel(items)
            view.setModel(proxy)
            view.clicked.connect(lambda index, n=name: self.row_clicked(n, index.row()))
            splitter.addWidget(canvas)
            splitter.addWidget(view)
            self.tabs.addTab(splitter, titles[name])
            self.models[name], self.proxies[name], self.views[name], self.canvases[name] = items, proxy, view, canvas
        self.tabs.currentChanged.connect(lambda _: self._draw_current())
        layout.addWidget(self.tabs, 1)

        buttons = QHBoxLayout()
        self.pdf_button = QPushButton(tr("Export PDF/PNG report…"))
        self.xlsx_button = QPushButton(tr("Export XLSX tables…"))
        self.pdf_button.clicked.connect(self._ask_pdf)
        self.xlsx_button.clicked.connect(self._ask_xlsx)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.xlsx_button)
        layout.addLayout(buttons)
        self.status = QLabel("—")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.setWidget(body)
        self._set_period_widgets()
        self._show_source(DESK)

    def _build_prefecture_row(self) -> tuple[QLabel, QWidget]:
        """The 州库's row: a saved QGIS PostgreSQL connection (credentials stay in it or its authcfg), the schema,
        and a button to read it again (after counties published)."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.connection_combo = QgsProviderConnectionComboBox("postgres")
        self.connection_combo.setToolTip(tr("A PostgreSQL connection saved in QGIS (Data Source Manager); its role "
                                            "decides which counties are shown."))
        self.schema_edit = QLineEdit(DEFAULT_SCHEMA)
        self.schema_edit.setToolTip(tr("Prefecture store schema"))
        self.read_button = QPushButton(tr("Read"))
        self.read_button.setToolTip(tr("Read the prefecture store again (after counties published)"))
        layout.addWidget(self.connection_combo, 1)
        layout.addWidget(QLabel(tr("Schema")))
        layout.addWidget(self.schema_edit)
        layout.addWidget(self.read_button)
        self.connection_combo.connectionChanged.connect(lambda _: self._prefecture_chosen())
        self.schema_edit.editingFinished.connect(self._prefecture_chosen)
        self.read_button.clicked.connect(lambda: self._prefecture_chosen(again=True))
        self.prefecture_row, self.prefecture_label = row, QLabel(tr("PostgreSQL connection"))
        return self.prefecture_label, row

    def _prefill_prefecture(self) -> None:
        """The connection and schema the dock last read the 州库 through (only names: never read at start)."""
        name, schema = _last_prefecture()
        self.connection_combo.blockSignals(True)
        if name:
            self.connection_combo.setConnection(name)
        self.connection_combo.blockSignals(False)
        self.schema_edit.setText(schema)

    def _show_source(self, source: str) -> None:
        """Show the widgets of ``source`` (the store's file, or the connection and schema)."""
        self.source = source
        self.source_combo.blockSignals(True)
        self.source_combo.setCurrentIndex(max(0, self.source_combo.findData(source)))
        self.source_combo.blockSignals(False)
        desk = source == DESK
        for widget in (self.store_label, self.store_widget):
            widget.setVisible(desk)
        for widget in (self.prefecture_label, self.prefecture_row):
            widget.setVisible(not desk)
        for view in self.views.values():
            view.setToolTip("" if desk else no_map_selection())

    # ------------------------------------------------------------------ store and filters
    def _store_chosen(self, path: str) -> None:
        if path and path != self.store_path:
            self.set_store(path)

    def set_store(self, path) -> bool:
        """Read the store at ``path`` (once, read-only); False, with the reason in the status line, if it
        cannot."""
        from ..storage import statistics as stat_store

        path = os.fspath(path) if path else ""
        self._close_prefecture()
        self._show_source(DESK)
        self.store_path, self.inputs, self.names, self.report = path, None, {}, None
        self._rates_cache = {}
        self.store_widget.blockSignals(True)
        self.store_widget.setFilePath(path)
        self.store_widget.blockSignals(False)
        if not path or not Path(path).is_file():
            self.status.setText(tr("No tianguan store at {path}.").format(path=path or "—"))
            self._fill_places()
            self._show_empty()
            return False
        try:
            with _busy():
                self.inputs = stat_store.load(path)
        except (sqlite3.Error, OSError, ValueError) as err:
            self.status.setText(tr("Cannot read the tianguan store {path}: {error}").format(path=path, error=err))
            self._fill_places()
            self._show_empty()
            return False
        self.names = dict(self.inputs.names)
        self._fill_places()
        self._filters_changed()
        return True

    def _source_chosen(self) -> None:
        """The source combo: the desk's store (the file shown, read again) or the 州库 (connection and schema)."""
        if self.source_combo.currentData() == PREFECTURE:
            self.set_prefecture(self.connection_combo.currentConnection(), self.schema_edit.text())
        else:
            self.set_store(self.store_widget.filePath() or self.store_path)

    def _prefecture_chosen(self, again: bool = False) -> None:
        """Another connection or schema (or the Read button): read the 州库 when it is the source."""
        if self.source != PREFECTURE:
            return
        name = self.connection_combo.currentConnection()
        schema = self.schema_edit.text().strip() or DEFAULT_SCHEMA
        if again or (name, schema) != (self.pg_name, self.pg_schema):
            self.set_prefecture(name, schema)

    def set_prefecture(self, connection: str, schema: str = DEFAULT_SCHEMA) -> bool:
        """Read the prefecture's shared store once — as the role of the saved QGIS PostgreSQL connection
        ``connection`` sees it, schema ``schema`` — like a desk's store: the same filters then work on what was
        read. False, with the reason in words in the status line, if it cannot (no such connection, not a
        prefecture store, a role without scope, the server down)."""
        schema = (schema or "").strip() or DEFAULT_SCHEMA
        self._close_prefecture()
        self._show_source(PREFECTURE)
        self.pg_name, self.pg_schema = connection or "", schema
        self.inputs, self.names, self.report, self._rates_cache = None, {}, None, {}
        self.connection_combo.blockSignals(True)
        if connection:
            self.connection_combo.setConnection(connection)
        self.connection_combo.blockSignals(False)
        self.schema_edit.setText(schema)
        try:
            with _busy():
                self.pg, self.inputs = self._read_prefecture(connection, schema)
        except PrefectureError as err:
            self.status.setText(str(err))
            self._fill_places()
            self._show_empty()
            return False
        settings.DASHBOARD_PREFECTURE.set(json.dumps({"connection": connection, "schema": schema}))
        self.names = dict(self.inputs.names)
        self._fill_places()
        self._filters_changed()
        if not self.names and not self.inputs.farmland:
            self.status.setText(tr("The role of connection “{name}” sees nothing in the prefecture store (schema "
                                   "“{schema}”): no county has published yet, or the role has no scope — ask the "
                                   "prefecture's administrator (州库建库与授权).").format(name=connection,
                                                                                     schema=schema))
        return True

    def _read_prefecture(self, connection: str, schema: str):
        """(an open PgStore, its StatInputs) of the 州库, or :class:`..pg_connection.PrefectureError` in words."""
        from ..pg_connection import open_prefecture, prefecture_error
        from ..storage import pg_statistics
        from ..storage.postgis import PgStoreError

        pg = open_prefecture(connection, schema)
        try:
            return pg, pg_statistics.load(pg, "")
        except PgStoreError as err:
            pg.close()
            raise PrefectureError(prefecture_error(err, connection, schema)) from None

    def _close_prefecture(self) -> None:
        if self.pg is not None:
            self.pg.close()
            self.pg = None

    def _label(self, code: str) -> str:
        name = self.names.get(code)
        return f"{code} {name}" if name else code

    def _fill_places(self) -> None:
        codes = set(self.names)
        if self.inputs is not None:
            codes |= {r.code[:9] for r in self.inputs.farmland}
        was, self._updating = self._updating, True
        self.county.clear()
        self.county.addItem(tr("All"), "")
        for code in sorted(c for c in codes if len(c) == 6):
            self.county.addItem(self._label(code), code)
        if self.county.count() == 2:
            self.county.setCurrentIndex(1)
        self._fill_townships()
        self._updating = was

    def _fill_townships(self) -> None:
        county = self.county.currentData() or ""
        codes = set(self.names)
        if self.inputs is not None:
            codes |= {r.code[:9] for r in self.inputs.farmland}
        was, self._updating = self._updating, True
        self.township.clear()
        self.township.addItem(tr("All"), "")
        for code in sorted(c for c in codes if len(c) == 9 and c.startswith(county)):
            self.township.addItem(self._label(code), code)
        self._updating = was

    def _county_changed(self, _=None) -> None:
        if self._updating:
            return
        self._fill_townships()
        self._filters_changed()

    def _set_period_widgets(self) -> None:
        kind = self.period_kind.currentData()
        self.first_date.setEnabled(kind != "all")
        self.last_date.setEnabled(kind == "custom")

    def _current_period(self) -> tuple[dt.date, dt.date] | None:
        kind = self.period_kind.currentData() or "month"
        first = self.first_date.date().toPyDate()
        last = self.last_date.date().toPyDate()
        return model.period_bounds(kind, first, last)

    def _filters_changed(self) -> None:
        if self._updating:
            return
        self._set_period_widgets()
        self._prefix = self.township.currentData() or self.county.currentData() or ""
        self._period = self._current_period()
        self.refresh()

    def set_filters(self, prefix: str = "", first=None, last=None, today=None) -> None:
        """Filter as a user would: county and township from ``prefix`` (6 / 9 digits, '' for all), a custom
        period [first, last] (dates or ISO text; None for both: all time is not offered, the current month
        is kept); ``today`` fixes the day statuses are computed at."""
        if today is not None:
            self.today = today if isinstance(today, dt.date) else dt.date.fromisoformat(str(today)[:10])
        self._updating = True
        try:
            self.county.setCurrentIndex(max(0, self.county.findData(prefix[:6] if len(prefix) >= 6 else "")))
            self._fill_townships()
            self.township.setCurrentIndex(max(0, self.township.findData(prefix[:9] if len(prefix) >= 9 else "")))
            if first is not None or last is not None:
                first = first or last
                last = last or first
                as_date = lambda v: v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])  # noqa: E731
                self.period_kind.setCurrentIndex(self.period_kind.findData("custom"))
                self.first_date.setDate(QDate(as_date(first)))
                self.last_date.setDate(QDate(as_date(last)))
        finally:
            self._updating = False
        self._filters_changed()
        if prefix and self._prefix != prefix:
            self._prefix = prefix  # a code the combos do not list (a village): filter by it anyway
            self.refresh()

    def set_targets(self, path: str | None) -> None:
        self.targets_widget.blockSignals(True)
        self.targets_widget.setFilePath(path or "")
        self.targets_widget.blockSignals(False)
        self._targets_chosen(path or "")

    def _targets_chosen(self, path: str) -> None:
        self.targets = {}
        if path:
            try:
                self.targets = model.read_targets(path)
            except (OSError, model.DashboardError) as err:
                self.status.setText(str(err))
        self.refresh()

    # ------------------------------------------------------------------ showing
    def _today(self) -> dt.date:
        return self.today or clock.today_beijing()

    def refresh(self) -> None:
        """Recompute the report for the current filters and show it."""
        if self.inputs is None:
            return
        inputs = self.inputs
        coded = stats.totals(stats.farmland_by_township(self.inputs.farmland, None, self._prefix))
        try:
            rates = self._rates(self._period)
            years = self._survey_years(self._prefix, coded)
        except RuntimeError as err:  # PgStoreError: the 州库's server went away since it was read
            if self.pg is None:
                raise
            from ..pg_connection import prefecture_error

            self.status.setText(prefecture_error(err, self.pg_name, self.pg_schema))
            return
        if rates is not None:
            inputs = dataclasses.replace(inputs, rates=rates)
        self.report = model.build(inputs, self._today(), self._prefix, self._period, self.targets, years)
        for name in model.PANELS:
            self._fill_table(name, self.report.tables[name])
        self._show_trend_sources(years)
        self._dirty = set(model.PANELS)
        self._draw_current()
        self.status.setText(self.report.title)

    def _rates(self, period) -> dict | None:
        """Coverage rates of the latest coverage run overlapping ``period`` (as ``storage.statistics.load``
        picks them), read once per period; None when the store keeps no rates."""
        from ..storage import coverage as coverage_store

        key = (self.source, self.store_path, self.pg_name, self.pg_schema, period)
        if key not in self._rates_cache:
            if self.pg is not None:
                self._rates_cache[key] = _prefecture_rates(self.pg, period)
            else:
                with _read_only(self.store_path) as conn:
                    self._rates_cache[key] = coverage_store.rates_if_kept(conn, "", *(period or (None, None)))
        return self._rates_cache[key]

    def _survey_years(self, prefix: str, coded) -> model.SurveyYears:
        """The trend panel's survey years under ``prefix``, from the source shown."""
        if self.pg is not None:
            from ..reports.survey_years import survey_years_pg

            return survey_years_pg(self.pg, prefix, coded)
        return model.survey_years(self.store_path, prefix, coded)

    def _show_trend_sources(self, years: model.SurveyYears) -> None:
        """The trend table's source cell of an imported year names the file or survey it came from (a tooltip)."""
        items = self.models["trend"]
        last = items.columnCount() - 1
        for row in range(items.rowCount()):
            year = items.item(row, 0).data(Qt.ItemDataRole.DisplayRole) if items.item(row, 0) else None
            note = years.notes.get(year) if year is not None else None
            if note and items.item(row, last) is not None:
                items.item(row, last).setToolTip(note)

    def _show_empty(self) -> None:
        for name in model.PANELS:
            self.models[name].clear()
            self.canvases[name].figure.clear()
            self.canvases[name].draw_idle()

    def _fill_table(self, name: str, table: model.Table) -> None:
        items = self.models[name]
        view = self.views[name]
        view.setSortingEnabled(False)
        self.proxies[name].sort(-1)  # back to the report's order until the user sorts again
        items.clear()
        items.setHorizontalHeaderLabels(table.headers)
        for row, code in zip(table.rows, table.codes):
            cells = []
            for value in row:
                item = QStandardItem()
                if value is not None:
                    item.setData(value, Qt.ItemDataRole.DisplayRole)
                item.setData(code, Qt.ItemDataRole.UserRole)
                cells.append(item)
            items.appendRow(cells)
        view.setSortingEnabled(True)
        view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        view.resizeColumnsToContents()

    def _draw(self, name: str) -> None:
        if self.report is None:
            return
        canvas = self.canvases[name]
        try:
            with model.cjk_context():
                model.draw_chart(self.report, name, canvas.figure)
                canvas.draw()
        except model.DashboardError as err:
            self.status.setText(str(err))
        self._dirty.discard(name)

    def _draw_current(self) -> None:
        name = model.PANELS[max(0, self.tabs.currentIndex())]
        if name in self._dirty:
            self._draw(name)

    # ------------------------------------------------------------------ test-friendly access
    def figures(self) -> stats.Figures | None:
        return None if self.report is None else self.report.figures

    def table(self, name: str) -> QSortFilterProxyModel:
        """The (sortable) model shown for panel ``name``."""
        return self.proxies[name]

    def chart(self, name: str):
        """The matplotlib Figure of panel ``name``, drawn for the current filters."""
        if name in self._dirty:
            self._draw(name)
        return self.canvases[name].figure

    # ------------------------------------------------------------------ the map
    def row_clicked(self, name: str, row: int) -> bool:
        """Select the place of row ``row`` (of the shown, possibly sorted table) on the map."""
        proxy = self.proxies[name]
        code = proxy.data(proxy.index(row, 0), Qt.ItemDataRole.UserRole)
        return bool(code) and self.select_on_map(code)

    def select_on_map(self, code: str) -> bool:
        if self.source == PREFECTURE:
            self.status.setText(no_map_selection())
            return False
        layers = grid_layers(self.store_path)
        if not layers:
            self.status.setText(tr("No layer of this store's patrol grid (tg_grid_cell) is loaded: add it to the "
                                   "map to select townships."))
            return False
        build = self._active_build()
        escaped = code.replace("'", "''")
        expression = f"\"code\" = '{escaped}'" + (f" AND \"build_id\" = '{build}'" if build else "")
        selected = 0
        for layer in layers:
            layer.selectByExpression(expression)
            selected += layer.selectedFeatureCount()
        canvas = self.iface.mapCanvas() if self.iface is not None and hasattr(self.iface, "mapCanvas") else None
        if selected and canvas is not None and hasattr(canvas, "zoomToSelected"):
            canvas.zoomToSelected(layers[0])
        name = self.names.get(code, code)
        if selected:
            self.status.setText(tr("Selected {name} on the map.").format(name=name))
        else:
            self.status.setText(tr("{name} is not in the loaded patrol grid layer.").format(name=name))
        return selected > 0

    def _active_build(self) -> str:
        """The active grid build's id, quoted for an expression ('' when there is none or the store is unreadable):
        a grid layer of the whole ``tg_grid_cell`` table has every build's cells under the same codes."""
        from ..storage.grid import active_build

        try:
            with _read_only(self.store_path) as conn:
                build = active_build(conn)
        except sqlite3.Error:
            return ""
        return build.replace("'", "''") if build else ""

    # ------------------------------------------------------------------ export
    def _message(self, text: str, ok: bool) -> None:
        self.status.setText(text)
        bar = self.iface.messageBar() if self.iface is not None and hasattr(self.iface, "messageBar") else None
        if bar is not None:
            (bar.pushSuccess if ok else bar.pushCritical)(tr("Farmland protection dashboard"), text)

    def export_report(self, pdf: str | None, png_folder: str | None = None) -> list[Path]:
        """Write the shown report as PDF (and one PNG per panel in ``png_folder``)."""
        if self.report is None:
            raise model.DashboardError(tr("Choose a tianguan store first."))
        out = []
        if pdf:
            out.append(model.write_pdf(self.report, pdf))
        if png_folder:
            out += model.write_pngs(self.report, png_folder)
        return out

    def export_in_background(self, pdf: str, png_folder: str | None = None) -> QgsTask:
        """The shown report written as PDF (and PNGs) by a task: rendering every panel takes seconds that must
        not freeze QGIS; progress and cancel are in QGIS's task bar, the result in the dock's message line.
        Nothing is left under ``pdf`` when it fails or is cancelled (each file is written atomically)."""
        if self.report is None:
            raise model.DashboardError(tr("Choose a tianguan store first."))
        task = ReportExportTask(self.report, pdf, png_folder)
        task.ended.connect(lambda outcome, error: self._export_ended(pdf, png_folder, outcome, error))
        self._export_task = task  # kept alive until it ends
        QgsApplication.taskManager().addTask(task)
        return task

    def _export_ended(self, pdf: str, png_folder: str | None, outcome: str, error: str) -> None:
        self._export_task = None
        if outcome == "written":
            self._message(tr("Report written: {pdf} (charts in {folder}).").format(pdf=pdf, folder=png_folder or "—"),
                          True)
        elif outcome == "cancelled":
            self._message(tr("The export of the report was cancelled; nothing was written."), False)
        else:
            self._message(tr("The report could not be written: {error}").format(error=error), False)

    def export_xlsx(self, path: str) -> Path:
        if self.report is None:
            raise model.DashboardError(tr("Choose a tianguan store first."))
        return model.write_xlsx(self.report, path)

    def _ask_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Export PDF/PNG report…"), "", tr("PDF (*.pdf)"))
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        folder = str(Path(path).with_suffix("")) + "_png"
        try:
            self.export_in_background(path, folder)
        except model.DashboardError as err:
            self._message(str(err), False)
            return
        self.status.setText(tr("Writing the report {pdf}… (progress in the task bar)").format(pdf=path))

    def _ask_xlsx(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Export XLSX tables…"), "", tr("Excel workbook (*.xlsx)"))
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        try:
            self.export_xlsx(path)
        except (OSError, model.DashboardError) as err:
            self._message(str(err), False)
            return
        self._message(tr("Tables written: {path}.").format(path=path), True)

    def cleanup(self) -> None:
        """Nothing was added to the project; drop the figures' memory and the 州库's connection (plugin unload)."""
        self._close_prefecture()
        for canvas in self.canvases.values():
            canvas.figure.clear()
