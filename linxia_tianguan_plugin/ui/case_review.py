"""案件审核 — a dock to review the change cases of the 田管库 and move them through the workflow.

A sortable, filterable table of cases by case number (state, township, village, kind, category, overdue, space
code), the counts per state, the selected case on the map (zoom, flash, a temporary layer), its history and
parcels, and one button per move the chosen role may take from the case's state (撤回 included: a mistaken 下发,
single or batch). The table, the case and the moves sit in a splitter the desk sizes (remembered in QgsSettings),
so a 1600×1000 screen shows a dozen cases and a readable history at once. The filtered list can be written to
Excel or PDF. The dock only displays and asks: which moves exist and what they need comes from
``core.cases.workflow``, reading and writing (with optimistic locking) from ``storage.cases``, what a list holds
from ``case_list``.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

import shapely
from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsFeature,
    QgsFillSymbol,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
    QgsRendererCategory,
    QgsVectorLayer,
)
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import QByteArray, QCoreApplication, QEventLoop, Qt, QTimer
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .. import case_list, labels, settings
from ..case_list import beijing_time
from ..core.cases import workflow
from ..i18n import tr
from ..storage import cases as case_store
from ..storage.case_source import GpkgCaseSource
from ..storage.faults import StoreFaultError, classify, lock_waits_reported_to
from ..store_layers import reload_store_layers
from ..store_messages import evidence_message, fault_message, lock_wait_message
from ..workbook import WorkbookError

DOCK_NAME = "linxia_tianguan_case_review"


def postgres_connections() -> list[str]:
    """Names of the PostgreSQL connections saved in QGIS."""
    from qgis.core import QgsProviderConnectionException, QgsProviderRegistry

    try:
        return sorted(QgsProviderRegistry.instance().providerMetadata("postgres").connections())
    except QgsProviderConnectionException:
        return []
ACTOR_KEY = settings.CASE_ACTOR.key
#: the splitter's state (table | case | moves) as the desk left it, under the plugin's settings prefix
SPLITTER_KEY = settings.CASE_SPLITTER.key
#: share of the splitter's height the table gets before the desk has sized it (the rest: history, then moves)
TABLE_SHARE = 0.45
MU_PER_M2 = 0.0015
ZOOM_MARGIN = 30.0
FILTERS = ("state", "township", "village", "kind", "category", "overdue", "code")
#: tries of each move when another program holds the store (each waits the busy timeout, 30 s, on the main thread:
#: the dock gives up after about a minute and says which cases were moved, rather than freeze QGIS for longer)
LOCK_ATTEMPTS = 2

#: table columns (keys of a case row as the dock shows it)
COLUMNS = ("case_no", "priority", "state", "kind", "category", "township", "village", "area_mu", "basic_mu", "officer",
           "overdue")


def column_titles() -> list[str]:
    return [tr("Case no."), tr("Priority"), tr("State"), tr("Change class"), tr("Pre-judgement"), tr("Township"),
            tr("Village"), tr("Area (mu)"), tr("Basic farmland (mu)"), tr("Officer"), tr("Overdue")]


def _land_class(code: str | None) -> str:
    """A land class code with its name (0103 旱地), "—" when there is none."""
    if not code:
        return "—"
    name = labels.land_class_labels().get(code)
    return f"{code} {name}" if name else str(code)


def _compact_rows(table: QTableWidget) -> None:
    """Rows one text line high (Qt's default leaves room for editors the dock never opens)."""
    rows = table.verticalHeader()
    rows.setMinimumSectionSize(1)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 4)
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)


class _NumberItem(QTableWidgetItem):
    """A cell that sorts by its number, not its text."""

    def __init__(self, text: str, number: float):
        super().__init__(text)
        self.number = number

    def __lt__(self, other) -> bool:
        if isinstance(other, _NumberItem):
            return self.number < other.number
        return super().__lt__(other)


class CaseReviewDock(QgsDockWidget):
    def __init__(self, iface, store_path: str | None = None, actor: str = "", role: str = "county_reviewer",
                 source=None):
        super().__init__(tr("Case review"))
        self.setObjectName(DOCK_NAME)
        self.iface = iface
        self.store_path = store_path or settings.store_path()
        # where cases are read and moved: the GeoPackage store, or PostGIS (storage.case_source)
        self.source = source or GpkgCaseSource(self.store_path)
        self.cases: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self.entered: dict[str, str] = {}
        self.overdue: dict[str, bool] = {}
        self.names: dict[str, str] = {}
        self.srs_id: int | None = None
        self.now: str | None = None  # UTC text; None: the clock (tests set it to look into the future)
        self.deadlines = workflow.DEFAULT_DEADLINES
        self.code_ids: set[str] | None = None  # the space-code search's cases, None: no search
        self.layer_id: str | None = None
        self._shown_ids: list[str] = []
        self.current_id: str | None = None
        self.last_message = ""
        self.modal = True  # False: messages only go to last_message and the message line (tests)
        self.action_buttons: dict[str, QPushButton] = {}
        self._build(actor or settings.value(ACTOR_KEY, ""), role)
        self.reload()

    # ------------------------------------------------------------------ widgets
    def _build(self, actor: str, role: str) -> None:
        """The dock, top to bottom: who acts, the filters, the counts and exports, then table | case | moves."""
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(self._build_who(actor, role))
        layout.addLayout(self._build_filters())
        layout.addLayout(self._build_exports())
        layout.addWidget(self._build_split(), 1)
        self.setWidget(body)

    def _build_who(self, actor: str, role: str) -> QHBoxLayout:
        """The top line: the role and name of whoever moves cases, where cases come from, the PostGIS export."""
        who = QHBoxLayout()
        self.role = QComboBox()
        for code in workflow.ROLES:
            self.role.addItem(labels.case_role_labels()[code], code)
        self.role.setCurrentIndex(max(0, self.role.findData(role)))
        self.role.currentIndexChanged.connect(lambda _: self._show_buttons())
        self.actor = QLineEdit(actor)
        self.actor.setPlaceholderText(tr("Your name"))
        self.actor.editingFinished.connect(self._remember_actor)
        who.addWidget(QLabel(tr("Role")))
        who.addWidget(self.role)
        who.addWidget(QLabel(tr("Name")))
        who.addWidget(self.actor, 1)
        self.source_combo = QComboBox()
        self.source_combo.setToolTip(tr("Where the cases are read and moved: this desk's store or a PostGIS "
                                        "connection saved in QGIS"))
        self.source_combo.addItem(tr("Tianguan store (GeoPackage)"), "")
        for name in postgres_connections():
            self.source_combo.addItem(tr("PostGIS: {name}").format(name=name), name)
        self.source_combo.currentIndexChanged.connect(lambda _: self.use_connection(self.source_combo.currentData()))
        who.addWidget(self.source_combo)
        self.export_button = QPushButton(tr("Export to PostGIS…"))
        self.export_button.setToolTip(tr("Export this store's cases to the county's PostGIS (a saved QGIS connection)"))
        self.export_button.clicked.connect(self.export_dialog)
        who.addWidget(self.export_button)
        return who

    def _build_filter_widgets(self) -> None:
        """The filter combos (filled with every state, change class and pre-judgement), the overdue box, the search."""
        self.state_filter, self.township_filter, self.village_filter = QComboBox(), QComboBox(), QComboBox()
        self.kind_filter, self.category_filter = QComboBox(), QComboBox()
        self.state_filter.addItem(tr("All"), "")
        states = labels.case_state_labels()
        for code in workflow.STATES:
            self.state_filter.addItem(states[code], code)
        self.kind_filter.addItem(tr("All"), "")
        for code, label in labels.change_kind_labels().items():
            self.kind_filter.addItem(label, code)
        self.category_filter.addItem(tr("All"), "")
        for code, label in labels.category_labels().items():
            self.category_filter.addItem(label, code)
        for combo in (self.state_filter, self.township_filter, self.village_filter, self.kind_filter,
                      self.category_filter):  # long labels must not widen the dock
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
        self.overdue_filter = QCheckBox(tr("Overdue only"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Space code of a parcel"))
        self.search.returnPressed.connect(lambda: self.set_filter(code=self.search.text()))

    def _build_filters(self) -> QGridLayout:
        """The filters in a compact grid (two lines, not six), so the table keeps the height."""
        self._build_filter_widgets()
        filters = QGridLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.setVerticalSpacing(2)
        state = QHBoxLayout()
        state.addWidget(self.state_filter, 1)
        state.addWidget(self.overdue_filter)
        cells = [[(tr("State"), state), (tr("Township"), self.township_filter), (tr("Village"), self.village_filter)],
                 [(tr("Change class"), self.kind_filter), (tr("Pre-judgement"), self.category_filter),
                  (tr("Find by code"), self.search)]]
        for r, line in enumerate(cells):
            for c, (label, widget) in enumerate(line):
                filters.addWidget(QLabel(label), r, 2 * c)
                if isinstance(widget, QHBoxLayout):
                    filters.addLayout(widget, r, 2 * c + 1)
                else:
                    filters.addWidget(widget, r, 2 * c + 1)
                filters.setColumnStretch(2 * c + 1, 1)
        for combo in (self.state_filter, self.village_filter, self.kind_filter, self.category_filter):
            combo.currentIndexChanged.connect(lambda _: self._fill_table())
        self.township_filter.currentIndexChanged.connect(lambda _: self._township_changed())
        self.overdue_filter.toggled.connect(lambda _: self._fill_table())
        return filters

    def _build_exports(self) -> QHBoxLayout:
        """The counts per state and the buttons writing the listed cases to Excel or PDF."""
        counts = QHBoxLayout()
        self.counts_label = QLabel("—")
        self.counts_label.setWordWrap(True)
        counts.addWidget(self.counts_label, 1)
        self.xlsx_button = QPushButton(tr("Excel…"))
        self.xlsx_button.setToolTip(tr("Write the cases shown (after the filters, in the table's order) to an Excel "
                                       "workbook"))
        self.xlsx_button.clicked.connect(lambda: self._export_clicked("xlsx"))
        self.pdf_button = QPushButton(tr("PDF…"))
        self.pdf_button.setToolTip(tr("Print the cases shown (after the filters, in the table's order) to a PDF"))
        self.pdf_button.clicked.connect(lambda: self._export_clicked("pdf"))
        counts.addWidget(self.xlsx_button)
        counts.addWidget(self.pdf_button)
        return counts

    def _build_split(self) -> QSplitter:
        """Table | the selected case (details, history, evidence) | the moves: sized by the desk, remembered."""
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setObjectName("case_review_splitter")
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self._build_table())
        self.split.addWidget(self._build_details())
        self.split.addWidget(self._build_moves())
        for index, stretch in enumerate((6, 3, 1)):
            self.split.setStretchFactor(index, stretch)
        self.split.splitterMoved.connect(lambda *_: self.remember_layout())
        self._layout_restored = False
        return self.split

    def _build_table(self) -> QTableWidget:
        """The cases table: sortable, multi-select, one text line a row, most urgent first."""
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(column_titles())
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        _compact_rows(self.table)  # a dozen cases in view
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSortIndicator(COLUMNS.index("priority"),
                                                       Qt.SortOrder.AscendingOrder)  # most urgent first
        self.table.setSortingEnabled(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        return self.table

    @staticmethod
    def _read_only_table(titles: list[str]) -> QTableWidget:
        """A compact read-only table whose last column takes the rest of the width (the history, the evidence)."""
        table = QTableWidget(0, len(titles))
        table.setHorizontalHeaderLabels(titles)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        _compact_rows(table)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def _build_details(self) -> QWidget:
        """The selected case: its details (scrolling when long), then its history and its evidence as tabs."""
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        self.info = QLabel("—")
        self.info.setWordWrap(True)
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        info_box = QScrollArea()  # a case touching many parcels scrolls here instead of squeezing the history
        info_box.setWidgetResizable(True)
        info_box.setWidget(self.info)
        info_box.setMaximumHeight(self.info.fontMetrics().lineSpacing() * 4 + 8)
        dl.addWidget(info_box)
        self.history = self._read_only_table([tr("Time (Beijing)"), tr("By"), tr("Move"), tr("Comment"),
                                              tr("Attachments")])
        self.evidence = self._read_only_table([tr("Evidence"), tr("Kind"), tr("Taken (Beijing)"), tr("Position"),
                                               tr("Checks")])
        self.detail_tabs = QTabWidget()
        self.detail_tabs.addTab(self.history, tr("History"))
        self.detail_tabs.addTab(self.evidence, tr("Evidence"))
        dl.addWidget(self.detail_tabs, 1)
        return detail

    def _build_moves(self) -> QWidget:
        """The moves: the comment, the attachments, one button per allowed move, the message line."""
        moves = QWidget()
        ml = QVBoxLayout(moves)
        ml.setContentsMargins(0, 0, 0, 0)
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText(tr("Comment (the reason, required for returns, recalls and some closings)"))
        self.comment.setMinimumHeight(self.comment.fontMetrics().lineSpacing() * 2 + 10)
        self.comment.setMaximumHeight(self.comment.fontMetrics().lineSpacing() * 4 + 10)
        ml.addWidget(self.comment)
        ml.addLayout(self._build_attachments())
        self.buttons_row = QHBoxLayout()
        ml.addLayout(self.buttons_row)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        ml.addWidget(self.message)
        return moves

    def _build_attachments(self) -> QHBoxLayout:
        """The files attached to the next move, with buttons to add and remove them."""
        files = QHBoxLayout()
        self.attachment_list = QListWidget()
        self.attachment_list.setMaximumHeight(self.attachment_list.fontMetrics().lineSpacing() * 2 + 12)
        files.addWidget(self.attachment_list, 1)
        file_buttons = QHBoxLayout()
        self.add_file = QPushButton(tr("Add attachments…"))
        self.add_file.clicked.connect(self._choose_files)
        self.remove_file = QPushButton(tr("Remove"))
        self.remove_file.clicked.connect(self._remove_files)
        file_buttons.addWidget(self.add_file)
        file_buttons.addWidget(self.remove_file)
        files.addLayout(file_buttons)
        return files

    # ------------------------------------------------------------------ layout
    def showEvent(self, event) -> None:
        """The first time the dock shows: the splitter as the desk left it, else most of the height to the table."""
        super().showEvent(event)
        if not self._layout_restored:
            self._layout_restored = True
            QTimer.singleShot(0, self._restore_layout)  # once the dock has its real height

    def _restore_layout(self) -> None:
        saved = settings.value(SPLITTER_KEY, QByteArray(), type=QByteArray)
        if saved is not None and not saved.isEmpty() and self.split.restoreState(saved) \
                and len(self.split.sizes()) == self.split.count():
            return
        total = max(sum(self.split.sizes()), self.split.height())
        moves = self.split.widget(2).sizeHint().height()
        table = max(int(total * TABLE_SHARE), 1)
        self.split.setSizes([table, max(total - table - moves, 1), moves])

    def remember_layout(self) -> None:
        """Keep the splitter's sizes for the next time the dock opens (QgsSettings, the plugin's prefix): called
        when the desk drags a handle, so only a layout someone chose is kept."""
        settings.set_value(SPLITTER_KEY, self.split.saveState())

    def visible_rows(self) -> int:
        """Whole table rows the table's viewport holds at its current height."""
        return self.table.viewport().height() // max(self.table.verticalHeader().defaultSectionSize(), 1)

    def _remember_actor(self) -> None:
        settings.set_value(ACTOR_KEY, self.actor.text().strip())

    def _choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, tr("Attachments (photos or documents)"))
        self.add_attachments(paths)

    def add_attachments(self, paths: Iterable[str]) -> None:
        known = set(self.attachments())
        for path in paths:
            if path and path not in known:
                self.attachment_list.addItem(path)
                known.add(path)

    def _remove_files(self) -> None:
        for item in self.attachment_list.selectedItems():
            self.attachment_list.takeItem(self.attachment_list.row(item))

    def attachments(self) -> list[str]:
        return [self.attachment_list.item(i).text() for i in range(self.attachment_list.count())]

    # ------------------------------------------------------------------ reading
    def _now(self) -> str:
        return self.now or case_store.now_utc()

    def reload(self) -> None:
        """Read the cases, their state entry times and the unit names again; keep filters and selection."""
        keep = self.selected_ids()
        self.cases, self.by_id, self.entered, self.overdue = [], {}, {}, {}
        try:
            loaded = self.source.load()
        except (OSError, RuntimeError) as error:  # StoreError, PgStoreError
            self._say(tr("Cannot read the cases from {source}: {error}").format(source=self.source.label,
                                                                               error=error), warn=False)
            self._fill_units()
            self._fill_table()
            return
        self.srs_id, self.cases, self.names = loaded.srs_id, loaded.cases, loaded.names
        for case in self.cases:
            self.entered[case["case_id"]] = loaded.entered.get(case["case_id"]) or case["updated_at"]
        now = self._now()
        for case in self.cases:
            cid = case["case_id"]
            self.by_id[cid] = case
            try:
                self.overdue[cid] = workflow.is_overdue(case["state"], self.entered[cid], now, self.deadlines)
            except workflow.WorkflowError:
                self.overdue[cid] = False
        if not self.cases:
            self._say(tr("The store has no cases yet: run the change analysis first."), warn=False)
        self._fill_units()
        self._fill_table(keep)

    def _unit_label(self, code: str) -> str:
        name = self.names.get(code)
        return f"{name} ({code})" if name else code

    def _fill_units(self) -> None:
        current = self.township_filter.currentData()
        codes = sorted({(c["grid_code"] or "")[:9] for c in self.cases if c["grid_code"]})
        self.township_filter.blockSignals(True)
        self.township_filter.clear()
        self.township_filter.addItem(tr("All"), "")
        for code in codes:
            self.township_filter.addItem(self._unit_label(code), code)
        self.township_filter.setCurrentIndex(max(0, self.township_filter.findData(current or "")))
        self.township_filter.blockSignals(False)
        self._fill_villages()

    def _fill_villages(self) -> None:
        current = self.village_filter.currentData()
        township = self.township_filter.currentData() or ""
        codes = sorted({c["grid_code"][:12] for c in self.cases if c["grid_code"]
                        and c["grid_code"].startswith(township)})
        self.village_filter.blockSignals(True)
        self.village_filter.clear()
        self.village_filter.addItem(tr("All"), "")
        for code in codes:
            self.village_filter.addItem(self._unit_label(code), code)
        self.village_filter.setCurrentIndex(max(0, self.village_filter.findData(current or "")))
        self.village_filter.blockSignals(False)

    def _township_changed(self) -> None:
        self._fill_villages()
        self._fill_table()

    # ------------------------------------------------------------------ filtering
    def filters(self) -> dict:
        return {"state": self.state_filter.currentData() or "", "township": self.township_filter.currentData() or "",
                "village": self.village_filter.currentData() or "", "kind": self.kind_filter.currentData() or "",
                "category": self.category_filter.currentData() or "", "overdue": self.overdue_filter.isChecked(),
                "code": self.search.text().strip()}

    def set_filter(self, **kw) -> None:
        """Set filters (``state``, ``township``, ``village``, ``kind``, ``category``, ``overdue``, ``code``);
        '' or None clears one. Codes not offered (e.g. a township without cases) show nothing."""
        unknown = set(kw) - set(FILTERS)
        if unknown:
            raise TypeError(f"unknown filters {sorted(unknown)}; filters are {FILTERS}")
        widgets = (self.state_filter, self.township_filter, self.village_filter, self.kind_filter,
                   self.category_filter, self.overdue_filter, self.search)
        for w in widgets:
            w.blockSignals(True)
        try:
            if "township" in kw:
                self._choose(self.township_filter, kw["township"])
                self._fill_villages()
            for key, combo in (("state", self.state_filter), ("village", self.village_filter),
                               ("kind", self.kind_filter), ("category", self.category_filter)):
                if key in kw:
                    self._choose(combo, kw[key])
            if "overdue" in kw:
                self.overdue_filter.setChecked(bool(kw["overdue"]))
            if "code" in kw:
                self.search.setText((kw["code"] or "").strip())
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._fill_table()
        ids = self.visible_case_ids()
        if "code" in kw and self.search.text() and len(ids) == 1:
            self.select_case(ids[0])

    @staticmethod
    def _choose(combo: QComboBox, value) -> None:
        value = value or ""
        index = combo.findData(value)
        if index < 0:  # not offered: an entry that matches nothing, so the table says so by being empty
            combo.addItem(str(value), value)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    def find_by_code(self, code: str) -> list[str]:
        """Ids of the cases whose parcel codes contain the space code ``code``."""
        code = (code or "").strip()
        if not code:
            return []
        return [c["case_id"] for c in self.cases if code in c["parcel_codes"]]

    def _passes(self, case: dict, f: dict, ignore_state: bool = False) -> bool:
        grid = case["grid_code"] or ""
        if f["state"] and not ignore_state and case["state"] != f["state"]:
            return False
        if f["township"] and not grid.startswith(f["township"]):
            return False
        if f["village"] and not grid.startswith(f["village"]):
            return False
        if f["kind"] and case["kind"] != f["kind"]:
            return False
        if f["category"] and case["category"] != f["category"]:
            return False
        if f["overdue"] and not self.overdue.get(case["case_id"]):
            return False
        if f["code"] and f["code"] not in case["parcel_codes"]:
            return False
        return True

    def counts(self) -> dict[str, int]:
        """Cases per state (every state, zeros included) among the cases the other filters let through."""
        f = self.filters()
        out = dict.fromkeys(workflow.STATES, 0)
        for case in self.cases:
            if self._passes(case, f, ignore_state=True):
                out[case["state"]] = out.get(case["state"], 0) + 1
        return out

    # ------------------------------------------------------------------ the table
    def _fill_table(self, keep: Sequence[str] | None = None) -> None:
        keep = list(self.selected_ids() if keep is None else keep)
        f = self.filters()
        kinds, cats, states = labels.change_kind_labels(), labels.category_labels(), labels.case_state_labels()
        shown = [c for c in self.cases if self._passes(c, f)]
        self.table.blockSignals(True)
        self.table.setSortingEnabled(False)
        self.table.clearSelection()
        self.table.setRowCount(len(shown))
        for r, case in enumerate(shown):
            grid = case["grid_code"] or ""
            overdue = self.overdue.get(case["case_id"], False)
            area, basic = (case["area_m2"] or 0.0) * MU_PER_M2, (case["basic_m2"] or 0.0) * MU_PER_M2
            number = QTableWidgetItem(case_list.case_label(case))
            number.setToolTip(tr("Case id (UUID): {id}").format(id=case["case_id"]))
            cells = [
                number,
                _NumberItem(str(case["priority"] if case["priority"] is not None else ""), case["priority"] or 0),
                QTableWidgetItem(states.get(case["state"], case["state"])),
                QTableWidgetItem(kinds.get(case["kind"], case["kind"])),
                QTableWidgetItem(cats.get(case["category"], case["category"])),
                QTableWidgetItem(self.names.get(grid[:9], grid[:9])),
                QTableWidgetItem(self.names.get(grid[:12], grid[:12])),
                _NumberItem(f"{area:.2f}", area), _NumberItem(f"{basic:.2f}", basic),
                QTableWidgetItem(case["officer"] or ""),
                QTableWidgetItem(tr("overdue") if overdue else ""),
            ]
            cells[0].setData(Qt.ItemDataRole.UserRole, case["case_id"])
            for col, item in enumerate(cells):
                self.table.setItem(r, col, item)
        self.table.setSortingEnabled(True)
        self.table.blockSignals(False)
        counts = self.counts()
        parts = [f"{states.get(s, s)} {n}" for s, n in counts.items() if n]
        self.counts_label.setText(tr("{shown} of {total} cases: {counts}").format(
            shown=len(shown), total=len(self.cases), counts=" · ".join(parts) or "—"))
        self._select_ids(keep)

    def visible_case_ids(self) -> list[str]:
        """Case ids in the table's order (after filtering and sorting)."""
        return [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.table.rowCount())]

    def _row_of(self, case_id: str) -> int:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == case_id:
                return r
        return -1

    def selected_ids(self) -> list[str]:
        if not hasattr(self, "table"):
            return []
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]

    def _select_ids(self, ids: Sequence[str]) -> int:
        from qgis.PyQt.QtCore import QItemSelectionModel

        rows = [r for r in (self._row_of(i) for i in ids) if r >= 0]
        model = self.table.selectionModel()
        self.table.blockSignals(True)
        self.table.clearSelection()
        for r in rows:
            model.select(self.table.model().index(r, 0),
                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
        if rows:
            self.table.setCurrentCell(rows[0], 0, QItemSelectionModel.SelectionFlag.NoUpdate)
        self.table.blockSignals(False)
        self._selection_changed()
        return len(rows)

    def select_case(self, case_id: str) -> bool:
        """Select one case shown in the table (zoom, flash, history, buttons); False when it is not shown."""
        return self._select_ids([case_id]) == 1

    def select_cases(self, case_ids: Sequence[str]) -> int:
        """Select several shown cases (for a batch move); returns how many were selected."""
        return self._select_ids(list(case_ids))

    # ------------------------------------------------------------------ the selected case
    def _selection_changed(self) -> None:
        ids = self.selected_ids()
        current = self.table.currentRow()
        item = self.table.item(current, 0) if current >= 0 else None
        cid = item.data(Qt.ItemDataRole.UserRole) if item else None
        self.current_id = cid if cid in ids else (ids[0] if ids else None)
        self._show_detail()
        self._show_buttons()
        self._show_on_map(ids)

    def _show_detail(self) -> None:
        self.history.setRowCount(0)
        self.evidence.setRowCount(0)
        case = self.by_id.get(self.current_id or "")
        if case is None:
            self.info.setText("—")
            self.info.setToolTip("")
            return
        due = None
        try:
            due = workflow.due_at(case["state"], self.entered[case["case_id"]], self.deadlines)
        except (workflow.WorkflowError, KeyError):
            pass
        lines = [
            tr("Case {number} · priority {priority} · {state} (version {version})").format(
                number=case_list.case_label(case), priority=case["priority"],
                state=labels.case_state_labels().get(case["state"], case["state"]), version=case["version"]),
            tr("Case id (UUID): {id}").format(id=case["case_id"]),
            tr("Land class {before} → {after}; officer {officer} {phone}").format(
                before=_land_class(case["from_dlbm"]), after=_land_class(case["to_dlbm"]),
                officer=case["officer"] or "—", phone=case["phone"] or ""),
            tr("Reasons: {reasons}").format(reasons=labels.reasons_text(case["reasons"]) or "—"),
            tr("Parcel codes: {codes}").format(codes="、".join(case["parcel_codes"]) or "—"),
        ]
        if due:
            lines.append(tr("Due by {time} (Beijing time){overdue}").format(
                time=beijing_time(due), overdue=" ⚠ " + tr("overdue") if self.overdue.get(case["case_id"]) else ""))
        self.info.setText("\n".join(lines))
        self.info.setToolTip(case["case_id"])
        for table, rows in ((self.history, self._history(case["case_id"])),
                            (self.evidence, self.evidence_rows(case["case_id"]))):
            table.setRowCount(len(rows))
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    table.setItem(r, c, QTableWidgetItem(text))

    def _history(self, case_id: str) -> list[list[str]]:
        try:
            events = self.source.events(case_id)
        except (OSError, RuntimeError):
            return []
        rows, states = [], labels.case_state_labels()
        for e in events:
            ev = workflow.event_from_row(e)
            source = states.get(ev.from_state, ev.from_state) if ev.from_state else "—"
            actor = labels.case_role_labels()[workflow.SYSTEM] if ev.actor == workflow.SYSTEM else ev.actor
            rows.append([beijing_time(ev.at), actor, f"{source} → {states.get(ev.to_state, ev.to_state)}",
                         ev.comment, "；".join(ev.attachments)])
        return rows

    def history_rows(self) -> list[list[str]]:
        """The history table of the selected case: [time (Beijing), actor, move, comment, attachments]."""
        return [[self.history.item(r, c).text() if self.history.item(r, c) else ""
                 for c in range(self.history.columnCount())] for r in range(self.history.rowCount())]

    def _show_buttons(self) -> None:
        while self.buttons_row.count():
            item = self.buttons_row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.action_buttons = {}
        case = self.by_id.get(self.current_id or "")
        if case is None:
            return
        try:
            moves = workflow.allowed_actions(case["state"], self.role.currentData())
        except workflow.WorkflowError:
            moves = []
        actions, states = labels.case_action_labels(), labels.case_state_labels()
        for move in moves:
            button = QPushButton(actions[move.action])
            needs = [tr("comment")] * move.needs_comment + [tr("attachment")] * move.needs_attachment
            button.setToolTip(tr("{action}: {source} → {target}").format(
                action=actions[move.action], source=states[move.source],
                target=states[move.target]) + ("" if not needs else " · " + tr("needs {what}").format(
                    what="、".join(needs))))
            button.clicked.connect(lambda _=False, a=move.action: self._clicked(a))
            self.buttons_row.addWidget(button)
            self.action_buttons[move.action] = button

    def button_actions(self) -> list[str]:
        """Action codes of the buttons shown, in order."""
        return list(self.action_buttons)

    def _show_on_map(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        if ids and ids == self._shown_ids and self.layer_id and QgsProject.instance().mapLayer(self.layer_id):
            return  # the same cases again (a filter or a reload): leave the map where the user put it
        self._remove_layer()
        self._shown_ids = ids
        geoms = [self.by_id[i]["geom"] for i in ids if i in self.by_id and self.by_id[i]["geom"] is not None]
        if not geoms or self.srs_id is None:
            return
        crs = QgsCoordinateReferenceSystem(f"EPSG:{self.srs_id}")
        layer, qgeoms = self._selection_layer(ids, crs)
        QgsProject.instance().addMapLayer(layer)
        self.layer_id = layer.id()
        self._zoom_to(geoms, qgeoms, crs)

    def _selection_layer(self, ids: list[str], crs: QgsCoordinateReferenceSystem
                         ) -> tuple[QgsVectorLayer, list[QgsGeometry]]:
        """The cases and the coded parcels they touch, in one temporary layer (KIND: case / parcel), with the
        cases' geometries to flash."""
        layer = QgsVectorLayer(f"MultiPolygon?crs={crs.authid()}&field=KIND:string(8)&field=CODE:string(36)",
                               tr("Selected cases"), "memory")
        codes = sorted({c for i in ids if i in self.by_id for c in self.by_id[i].get("parcel_codes") or []})
        try:
            parcels = self.source.parcels(codes)
        except (OSError, RuntimeError):
            parcels = []
        features, qgeoms = [], []
        shown = [("case", i, self.by_id[i]["geom"]) for i in ids if i in self.by_id and self.by_id[i]["geom"]]
        for kind, code, geom in [("parcel", c, g) for c, g in parcels] + shown:
            f = QgsFeature(layer.fields())
            g = QgsGeometry.fromWkt(shapely.to_wkt(geom))
            f.setGeometry(g)
            f.setAttributes([kind, code])
            features.append(f)
            if kind == "case":
                qgeoms.append(g)
        layer.dataProvider().addFeatures(features)
        parcel_symbol = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "40,140,40",
                                                    "outline_width": "0.4", "outline_style": "dash"})
        case_symbol = QgsFillSymbol.createSimple({"color": "230,40,40,60", "outline_color": "230,40,40",
                                                  "outline_width": "0.6"})
        layer.setRenderer(QgsCategorizedSymbolRenderer("KIND", [
            QgsRendererCategory("parcel", parcel_symbol, tr("Parcels touched")),
            QgsRendererCategory("case", case_symbol, tr("Case"))]))
        return layer, qgeoms

    def _zoom_to(self, geoms: list, qgeoms: list[QgsGeometry], crs: QgsCoordinateReferenceSystem) -> None:
        """Zoom the canvas to the cases (with a margin, in the canvas's CRS) and flash them."""
        canvas = self.iface.mapCanvas() if hasattr(self.iface, "mapCanvas") else None
        if canvas is None:
            return
        x0, y0, x1, y1 = shapely.total_bounds(geoms)
        extent = QgsRectangle(x0 - ZOOM_MARGIN, y0 - ZOOM_MARGIN, x1 + ZOOM_MARGIN, y1 + ZOOM_MARGIN)
        target = canvas.mapSettings().destinationCrs()
        if target.isValid() and target != crs:
            try:
                extent = QgsCoordinateTransform(crs, target, QgsProject.instance()).transformBoundingBox(extent)
            except QgsCsException:  # a CRS QGIS cannot transform to: zoom in the store's CRS
                pass
        canvas.setExtent(extent)
        canvas.refresh()
        if hasattr(canvas, "flashGeometries"):  # the 3.22 test iface's canvas may lack it
            try:
                canvas.flashGeometries(qgeoms, crs)
            except (TypeError, RuntimeError):
                pass

    # ------------------------------------------------------------------ the list on paper
    def list_table(self) -> case_list.CaseList:
        """The cases shown (after the filters, in the table's order) as :mod:`..case_list` writes them."""
        shown = [self.by_id[cid] for cid in self.visible_case_ids() if cid in self.by_id]
        rows = case_list.list_rows(shown, self.names, self.entered, self.overdue, self.deadlines)
        f = self.filters()
        conditions = [("数据来源", str(self.source.label)),
                      ("导出时间（北京时间）", beijing_time(self._now())),
                      ("案件数", f"{len(shown)} / {len(self.cases)}")]
        for key, label, combo in (("state", "状态", self.state_filter), ("township", "乡镇", self.township_filter),
                                  ("village", "村", self.village_filter), ("kind", "变化类型", self.kind_filter),
                                  ("category", "预判结论", self.category_filter)):
            if f[key]:
                conditions.append((label, labels.case_state_labels().get(f[key]) if key == "state" else
                                   case_list.KIND_NAMES.get(f[key]) if key == "kind" else
                                   case_list.CATEGORY_NAMES.get(f[key]) if key == "category" else combo.currentText()))
        if f["overdue"]:
            conditions.append(("超期", "仅超期案件"))
        if f["code"]:
            conditions.append(("地块空间码", f["code"]))
        return case_list.CaseList("案件清单", rows, conditions)

    def export_list(self, path: str) -> bool:
        """Write the cases shown to ``path``: a workbook for ``.xlsx``, else a PDF (``.pdf`` added when missing).
        Says what happened on the message line; returns whether the file was written."""
        target = str(path)
        kind = "xlsx" if target.lower().endswith(".xlsx") else "pdf"
        if kind == "pdf" and not target.lower().endswith(".pdf"):
            target += ".pdf"
        table = self.list_table()
        try:
            if kind == "xlsx":
                case_list.write_xlsx(target, table)
            else:
                from .. import fonts

                font = fonts.cjk_family()
                if font is None:  # no Chinese font: the PDF would print boxes
                    self._say(fonts.missing_message(), warn=True, modal=True)
                    return False
                case_list.write_pdf(target, table, font)
        except (OSError, RuntimeError, WorkbookError) as error:  # a full disk, a folder gone, no XLSX driver
            self._say(tr("Cannot write {path}: {error}").format(path=target, error=error), warn=True, modal=True)
            return False
        self._say(tr("{n} cases written to {path}.").format(n=len(table.rows), path=target))
        return True

    def _export_clicked(self, kind: str) -> None:
        title = tr("Export the case list to Excel") if kind == "xlsx" else tr("Export the case list to PDF")
        pattern = tr("Excel workbook (*.xlsx)") if kind == "xlsx" else tr("PDF (*.pdf)")
        path, _ = QFileDialog.getSaveFileName(self, title, "", pattern)
        if not path:
            return
        if kind == "xlsx" and not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        self.export_list(path)

    def _remove_layer(self) -> None:
        if self.layer_id is not None:
            project = QgsProject.instance()
            if project.mapLayer(self.layer_id) is not None:
                project.removeMapLayer(self.layer_id)
            self.layer_id = None
        self._shown_ids = []

    # ------------------------------------------------------------------ acting
    def _why(self, error: workflow.WorkflowError, case: dict, action: str) -> str:
        name = labels.case_action_labels().get(action, action)
        state = labels.case_state_labels().get(case["state"], case["state"])
        role = labels.case_role_labels().get(self.role.currentData(), self.role.currentData())
        if isinstance(error, workflow.ConflictError):
            return tr("It was changed by someone else meanwhile (version {actual}, you read {expected}); the dock "
                      "has reloaded it, check its state and try again.").format(actual=error.actual,
                                                                                expected=error.expected)
        if error.code == "needs_comment":
            return tr("\"{action}\" needs a comment (the reason).").format(action=name)
        if error.code == "needs_attachment":
            return tr("\"{action}\" needs at least one attachment (photos or documents).").format(action=name)
        if error.code == "control_characters":
            return tr("The name, comment or attachment holds an invisible control character (such as NUL, often "
                      "pasted from another program): retype it.")
        if error.code == "not_allowed" and action == "recall":
            return tr("Only a case issued and not yet acted on by the field (no evidence submitted) can be recalled, "
                      "by the county reviewer; this one is {state}.").format(state=state)
        if error.code == "not_allowed":
            return tr("{role} may not take \"{action}\" on a case in state {state}.").format(
                role=role, action=name, state=state)
        return tr("Refused: {error}").format(error=str(error))

    def take(self, action: str, comment: str = "", attachments: Sequence[str] = ()) -> list[tuple[str, bool, str]]:
        """Apply ``action`` to every selected case, each with the version the dock read; then reload.

        Each move is its own transaction. A refusal (workflow, conflict, attachment) concerns one case and the
        batch goes on; a fault of the store (locked beyond the retries, full disk, I/O error) would strike every
        case after it too, so the batch stops there and says which cases were moved (they stay moved) and which
        were not (untouched) — never a traceback, never a silent half. A locked store is tried again with a
        growing pause first (:func:`..storage.faults.begin_immediate`), the message line saying so.
        Returns ``[(case_id, ok, message)]`` for every selected case; the summary goes to :attr:`last_message`.
        """
        ids = self.selected_ids()
        actor = self.actor.text().strip()
        role = self.role.currentData()
        if not ids:
            self._say(tr("Select one or more cases first."), warn=True, modal=False)
            return []
        if not actor:
            self._say(tr("Enter your name before acting on cases."), warn=True, modal=False)
            return [(cid, False, self.last_message) for cid in ids]
        titles = {cid: tr("{number} (priority {priority})").format(
            number=case_list.case_label(self.by_id[cid]), priority=self.by_id[cid]["priority"]) for cid in ids}
        results, stopped = self._move_each(ids, action, actor, role, comment, attachments)
        if stopped is not None:  # the faulted case and those after it were not moved
            at = ids.index(stopped[0])
            why = fault_message(stopped[1])
            results.append((stopped[0], False, why))
            results += [(cid, False, tr("Not tried: the batch stopped at {case}.").format(case=titles[stopped[0]]))
                        for cid in ids[at + 1:]]
        if any(good for _, good, _ in results) and isinstance(self.source, GpkgCaseSource):
            reload_store_layers([self.source.path])  # the store's layers in the project keep showing it
        self.reload()  # keeps the selection: the fresh states, histories and buttons show
        text = self._outcome_text(action, titles, ids, results, stopped)
        self._say(text, warn=not all(good for _, good, _ in results), modal=False)
        return results

    def _move_each(self, ids: list[str], action: str, actor: str, role: str, comment: str, attachments: Sequence[str]
                   ) -> tuple[list[tuple[str, bool, str]], tuple[str, StoreFaultError] | None]:
        """Each case moved in its own transaction: ``(results, stopped)``, ``stopped`` the case and store fault
        the batch stopped at (None: every case was tried)."""
        results: list[tuple[str, bool, str]] = []
        with lock_waits_reported_to(self._lock_wait, LOCK_ATTEMPTS):
            for cid in ids:
                case = self.by_id[cid]
                try:
                    # files become evidence first (copied, checksummed, EXIF-checked); events refer to the copies
                    stored = tuple(self.source.store_evidence(cid, list(attachments), actor)) if attachments else ()
                    moved = self.source.take_action(cid, action, actor, role, int(case["version"]), comment, stored)
                    results.append((cid, True, tr("{state} now").format(
                        state=labels.case_state_labels().get(moved["state"], moved["state"]))))
                except workflow.WorkflowError as error:
                    results.append((cid, False, self._why(error, case, action)))
                except ValueError as error:  # EvidenceError: a file is missing or unreadable; nothing was written
                    results.append((cid, False, evidence_message(error)))
                except (sqlite3.Error, OSError, RuntimeError) as error:  # the store or the server is gone
                    fault = self._fault(error)
                    if fault is not None:
                        return results, (cid, fault)
                    results.append((cid, False, tr("Cannot write to {source}: {error}").format(
                        source=self.source.label, error=error)))
        return results, None

    def _outcome_text(self, action: str, titles: dict[str, str], ids: list[str],
                      results: list[tuple[str, bool, str]], stopped: tuple[str, StoreFaultError] | None) -> str:
        """What a batch did, for the message line: stopped by a fault, one case, or the tally and the refusals."""
        ok = sum(1 for _, good, _ in results if good)
        name = labels.case_action_labels().get(action, action)
        if stopped is not None:
            return self._stopped_text(name, titles, ids, results, *stopped)
        if len(results) == 1:
            cid, good, why = results[0]
            return (tr("{case}: {action} done, {result}.") if good else tr("{case}: {action} refused. {result}")
                    ).format(case=titles[cid], action=name, result=why)
        text = tr("{action}: {ok} of {n} cases moved, {failed} refused.").format(
            action=name, ok=ok, n=len(results), failed=len(results) - ok)
        return text + "".join("\n" + tr("{case}: {result}").format(case=titles[cid], result=why)
                              for cid, good, why in results if not good)

    def _fault(self, error: BaseException) -> StoreFaultError | None:
        """The store fault ``error`` stands for (GeoPackage source only: PostGIS says its own errors), else None."""
        if not isinstance(self.source, GpkgCaseSource):
            return None
        return classify(error, self.source.path)

    @staticmethod
    def _stopped_text(action: str, labels: dict[str, str], ids: list[str], results: list[tuple[str, bool, str]],
                      at: str, fault: StoreFaultError) -> str:
        """The batch stopped by a store fault at case ``at``: why, which cases were moved (they stay moved), which
        were refused before the stop, and which were not moved (``at`` and those after it: untouched), by name."""
        before = ids[:ids.index(at)]
        outcome = {cid: (good, why) for cid, good, why in results}
        moved = [labels[cid] for cid in before if outcome[cid][0]]
        refused = [(cid, outcome[cid][1]) for cid in before if not outcome[cid][0]]
        untouched = [labels[cid] for cid in ids[ids.index(at):]]
        text = tr("{action} stopped at {case}: {fault}.").format(action=action, case=labels[at],
                                                                 fault=fault_message(fault))
        text += "\n" + (tr("Moved ({n}, they stay moved): {cases}.").format(n=len(moved), cases="、".join(moved))
                        if moved else tr("No case was moved."))
        text += "\n" + tr("Not moved ({n}, left as they were): {cases}. Select them and try again once the store "
                          "can be written.").format(n=len(untouched), cases="、".join(untouched))
        text += "".join("\n" + tr("{case}: {result}").format(case=labels[cid], result=why) for cid, why in refused)
        return text

    def _lock_wait(self, fault: StoreFaultError, attempt: int, delay: float) -> None:
        """The store is locked and the move waits to be tried again: say so now (the dock runs on the main
        thread, so the message line is repainted here — user input stays queued, no second click gets in)."""
        self._say(lock_wait_message(fault, attempt, delay), warn=True, modal=False)
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)

    def _clicked(self, action: str) -> None:
        results = self.take(action, self.comment.toPlainText(), self.attachments())
        if results and all(good for _, good, _ in results):
            self.comment.clear()
            self.attachment_list.clear()
        if self.modal and self.last_message:
            box = QMessageBox.warning if any(not good for _, good, _ in results) or not results else \
                QMessageBox.information
            box(self, tr("Case review"), self.last_message)

    def _say(self, text: str, warn: bool = False, modal: bool = False) -> None:
        self.last_message = text
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020;" if warn else "")
        if modal and self.modal:
            QMessageBox.warning(self, tr("Case review"), text)

    # ------------------------------------------------------------------ cleanup
    def closeEvent(self, event) -> None:
        self._remove_layer()
        super().closeEvent(event)

    def evidence_rows(self, case_id: str | None = None) -> list[list[str]]:
        """The selected case's evidence: name, kind, taken (Beijing time), position (lon, lat and the distance
        to the case), checks (flags or “ok”)."""
        ids = [case_id] if case_id else self.selected_ids()[:1]
        if not ids:
            return []
        try:
            rows = self.source.evidence(ids[0])
        except (OSError, RuntimeError, ValueError):
            return []
        flag_names = labels.evidence_flag_labels()
        out = []
        for r in rows:
            checks = r.get("checks") or {}
            flags = checks.get("flags", []) if isinstance(checks, dict) else []
            taken = beijing_time(r["taken_at"]) if r.get("taken_at") else "—"
            figures = checks.get("figures", {}) if isinstance(checks, dict) else {}
            position = "—"
            if r.get("lon") is not None and r.get("lat") is not None:
                position = f"{r['lon']:.6f}, {r['lat']:.6f}"
                if figures.get("distance_m") is not None:
                    position += " · " + tr("{distance:.0f} m from the case").format(distance=figures["distance_m"])
            out.append([r["name"], r["kind"], taken, position,
                        "、".join(flag_names.get(f, f) for f in flags) or tr("ok")])
        return out

    def use_connection(self, name: str | None) -> bool:
        """Read and move cases on the PostGIS of a saved QGIS connection (credentials from the connection or
        its authcfg), or on this desk's store when ``name`` is empty; returns whether it worked."""
        if not name:
            self.source = GpkgCaseSource(self.store_path)
        else:
            from qgis.core import QgsProcessingException

            from ..dependencies import postgis_unavailable
            from ..pg_connection import connection_params
            from ..storage.case_source import PgCaseSource

            unavailable = postgis_unavailable()  # no psycopg2: say what to install
            if unavailable:
                self._say(unavailable, warn=True, modal=False)
                return False
            try:
                params = connection_params(name)
            except QgsProcessingException as error:
                self._say(str(error), warn=True, modal=False)
                return False
            self.source = PgCaseSource(params, srid=self.srs_id or 4522, names_from=self.store_path,
                                       label=tr("PostGIS connection “{name}”").format(name=name))
        self.reload()
        return True

    def export_params(self) -> dict:
        """The export algorithm's parameters as the dock knows them (the store it shows)."""
        return {"STORE": self.store_path}

    def export_dialog(self) -> None:
        """导出到 PostGIS: the Processing dialog of ``export_cases`` on this store (connection chosen there)."""
        import processing

        processing.execAlgorithmDialog("linxia_tianguan:export_cases", self.export_params())
        self.reload()

    def cleanup(self) -> None:
        """Everything this dock added to the project and the canvas goes (plugin unload)."""
        self._remove_layer()
