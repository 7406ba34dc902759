"""导入变更调查数据 — the official yearly farmland totals of the annual change survey (变更调查) per county or township,
from the table a county receives (``linxia_tianguan:import_survey_totals``).

Thin: the table is read here as Excel keeps it (:mod:`..table_files`: CSV in UTF-8, UTF-8 with BOM or GBK, or a
workbook), each row is checked — the code against the administrative divisions (:mod:`...core.admin`, and the
store's county), the year, the areas and their unit — and kept or refused with its row and column named;
:mod:`...storage.survey_totals` keeps the totals (a year imported again replaces that year's figures, the previous
ones kept in the row's history). The dashboard's trend (:mod:`...reports.survey_years`) then shows these years as
imported instead of derived. With PREVIEW nothing is written: the counts say which years would be replaced.
"""
from __future__ import annotations

import re
from pathlib import Path

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ... import compat
from ...core import clock
from ...core.admin import AdminDivisions
from ...core.reports.statistics import M2_PER_MU
from ...i18n import tr
from ...reports.survey_years import survey_years
from ...resources import divisions_csv
from ...storage.survey_totals import SurveyTotal, plan_import, save_totals
from ..base import AlgorithmBase
from ..table_files import CheckedRows, TableFileError, cell_text, csv_rows, sheet_rows

#: problems reported one by one in the log; the rest are counted
MAX_REPORTED = 200
#: the first survey year a total may have (the first national land survey's standard date, 1996)
FIRST_YEAR = 1996

#: column → the header names it is read from (lower-cased; Chinese and English)
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("行政区代码", "行政区划代码", "行政代码", "区划代码", "县区代码", "县代码", "乡镇代码", "代码", "编码",
             "code", "admin_code", "xzqdm"),
    "name": ("行政区名称", "行政区划名称", "名称", "县区名称", "乡镇名称", "name", "xzqmc"),
    "year": ("年份", "年度", "调查年度", "year", "nd"),
    "farmland": ("耕地面积", "耕地", "耕地总面积", "farmland", "farmland_area", "gdmj"),
    "basic": ("永久基本农田面积", "永久基本农田", "永农面积", "基本农田面积", "basic_farmland", "basic",
              "basic_farmland_area", "yjjbntmj"),
    "source": ("数据来源", "来源", "调查名称", "source"),
}

#: the UNIT parameter's choices, in order: (unit, m² per unit)
UNITS: tuple[tuple[str, float], ...] = (("亩", M2_PER_MU), ("公顷", 10000.0), ("平方米", 1.0),
                                        ("万亩", 10000.0 * M2_PER_MU))
#: what a header's unit suffix may say → the unit
_UNIT_WORDS = {"亩": "亩", "mu": "亩", "万亩": "万亩", "10k mu": "万亩", "公顷": "公顷", "ha": "公顷",
               "hectare": "公顷", "hectares": "公顷", "hm2": "公顷", "hm²": "公顷", "平方米": "平方米", "m2": "平方米",
               "m²": "平方米", "㎡": "平方米", "sqm": "平方米"}
_SUFFIX = re.compile(r"^(.*?)\s*(?:[(（\[【]\s*([^)）\]】]+?)\s*[)）\]】]|[/_]\s*(\S+))\s*$")
_YEAR = re.compile(r"^((?:19|20)\d{2})(?:\.0+)?\s*(?:年度?)?$")


class TotalsFileError(ValueError):
    """A file that cannot be read as survey totals at all (the message says why, in the user's words)."""




def split_header(header: str) -> tuple[str, str | None]:
    """(name, unit or None) of a header: ``耕地面积(亩)`` → (耕地面积, 亩), ``farmland (ha)`` → (farmland, 公顷); a
    suffix that is no unit stays part of the name."""
    text = cell_text(header)
    match = _SUFFIX.match(text)
    if match:
        unit = _UNIT_WORDS.get((match.group(2) or match.group(3) or "").strip().lower())
        if unit is not None:
            return match.group(1).strip(), unit
    return text, None


def map_columns(headers: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    """(column → index of the first header naming it, column → the unit its header gives)."""
    found: dict[str, int] = {}
    units: dict[str, str] = {}
    for i, header in enumerate(headers):
        name, unit = split_header(header)
        for column, names in COLUMNS.items():
            if column not in found and name.lower() in names:
                found[column] = i
                if unit:
                    units[column] = unit
    return found, units


def header_at(rows: list[tuple[int, list]]) -> int:
    """Index of the header row: the first of the first ten rows naming the code (a title row may precede it)."""
    for i, (_, cells) in enumerate(rows[:10]):
        if "code" in map_columns([cell_text(c) for c in cells])[0]:
            return i
    return 0


def normalise_code(text: str) -> str:
    """A county (6 digits) or township (9) code; the 12-digit statistical form (``622921000000``,
    ``622921100000``) is shortened when its tail is zeros. Other text is returned as it is (and refused)."""
    code = text.strip()
    if len(code) == 12 and code.isdigit():
        if code.endswith("000000"):
            return code[:6]
        if code.endswith("000"):
            return code[:9]
    return code


def parse_area(text: str) -> float:
    """A non-negative area as written (``1,234.5``, ``1 234.5``); ValueError otherwise."""
    value = float(text.replace(",", "").replace("，", "").replace(" ", ""))
    if not value >= 0 or value == float("inf"):
        raise ValueError(text)
    return value


def _messages() -> dict[str, str]:
    return {
        "missing_code": tr("the row has no code. Fill in 行政区代码 (the county's 6 or the township's 9 digits)."),
        "bad_code": tr("“{value}” is not a county or township code (6 or 9 digits, e.g. 622921 or 622921100)."),
        "unknown_code": tr("{value} is not a county or township of Linxia prefecture in the administrative "
                           "divisions. Check the code."),
        "other_county": tr("{value} is not in this store's county ({counties}). Import each county's totals into "
                           "its own store."),
        "missing_year": tr("the row has no year. Fill in 年份, e.g. 2024."),
        "bad_year": tr("“{value}” is not a survey year between {first} and {last}."),
        "duplicate": tr("{code} {year} is already in row {other}. Keep one row per place and year."),
        "missing_farmland": tr("the row has no farmland area. Fill in 耕地面积."),
        "bad_number": tr("“{value}” is not an area (a number, not negative)."),
        "basic_above_farmland": tr("permanent basic farmland {basic} is more than the farmland {farm}: are the "
                                   "columns swapped?"),
    }


class RowReader(CheckedRows):
    """Checks the rows of one table; keeps the totals (m²) and the problems (row, column, message)."""

    def __init__(self, headers: list[str], columns: dict[str, int], factors: dict[str, float],
                 divisions: AdminDivisions, counties: set[str], last_year: int, source: str):
        super().__init__(headers, columns, COLUMNS, _messages())
        self.factors = factors
        self.divisions, self.counties, self.last_year, self.source = divisions, counties, last_year, source
        self.totals: list[SurveyTotal] = []
        self.rows: dict[tuple[str, int], int] = {}  # (code, year) → the row it came from

    def read(self, row: int, cells: list) -> None:
        before = len(self.problems)
        code = self._code(row, cells)
        year = self._year(row, cells)
        farm = self._area(row, cells, "farmland", required=True)
        basic = self._area(row, cells, "basic", required=False)
        if farm is not None and basic is not None and basic > farm * 1.000001:
            self._refuse(row, "basic", "basic_above_farmland", basic=self._cell(cells, "basic"),
                         farm=self._cell(cells, "farmland"))
        if code and year is not None and (code, year) in self.rows:
            self._refuse(row, "code", "duplicate", code=code, year=year, other=self.rows[(code, year)])
        if len(self.problems) > before or not code or year is None or farm is None:
            return
        self.rows[(code, year)] = row
        source = self._cell(cells, "source") or self.source
        self.totals.append(SurveyTotal(code, year, farm, basic, source))

    def _code(self, row: int, cells: list) -> str:
        text = self._cell(cells, "code")
        if not text:
            self._refuse(row, "code", "missing_code")
            return ""
        code = normalise_code(text)
        if not (code.isdigit() and len(code) in (6, 9)):
            self._refuse(row, "code", "bad_code", value=text)
            return ""
        level = self.divisions.levels.get(code)
        if not code.startswith("6229") or level != ("county" if len(code) == 6 else "township"):
            self._refuse(row, "code", "unknown_code", value=code)
            return ""
        if self.counties and code[:6] not in self.counties:
            self._refuse(row, "code", "other_county", value=code, counties="、".join(sorted(self.counties)))
            return ""
        return code

    def _year(self, row: int, cells: list) -> int | None:
        text = self._cell(cells, "year")
        if not text:
            self._refuse(row, "year", "missing_year")
            return None
        match = _YEAR.match(text)
        year = int(match.group(1)) if match else None
        if year is None or not FIRST_YEAR <= year <= self.last_year:
            self._refuse(row, "year", "bad_year", value=text, first=FIRST_YEAR, last=self.last_year)
            return None
        return year

    def _area(self, row: int, cells: list, column: str, required: bool) -> float | None:
        text = self._cell(cells, column)
        if not text:
            if required:
                self._refuse(row, column, "missing_farmland")
            return None
        try:
            return parse_area(text) * self.factors[column]
        except ValueError:
            self._refuse(row, column, "bad_number", value=text)
            return None


def _rows(path: Path, sheet: str) -> tuple[list[tuple[int, list]], str]:
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as err:
        raise TotalsFileError(tr("it cannot be read: {error}").format(error=err)) from err
    if suffix in (".csv", ".txt"):
        try:
            return csv_rows(data)
        except UnicodeDecodeError as err:
            raise TotalsFileError(tr("it is neither UTF-8 nor GBK text")) from err
    if suffix == ".xlsx":
        try:
            return sheet_rows(path, sheet), "XLSX"
        except TableFileError as err:
            raise TotalsFileError(str(err)) from None
    raise TotalsFileError(tr("its format is not supported (CSV or XLSX)"))


def read_file(path: Path, unit: str, divisions: AdminDivisions, counties: set[str], last_year: int, source: str,
              sheet: str = "") -> tuple[RowReader, str, dict[str, str]]:
    """(the checked rows, how the file was read, column → the unit its areas were read in) of a totals file;
    :class:`TotalsFileError` when it cannot be read as one. ``unit``: the unit of area columns whose header names
    none."""
    rows, note = _rows(path, sheet)
    rows = [(n, cells) for n, cells in rows if any(cell_text(c) for c in cells)]
    if not rows:
        raise TotalsFileError(tr("it has no rows"))
    at = header_at(rows)
    headers = [cell_text(c) for c in rows[at][1]]
    columns, header_units = map_columns(headers)
    missing = [COLUMNS[c][0] for c in ("code", "year", "farmland") if c not in columns]
    if missing:
        raise TotalsFileError(tr("it has no column {columns}. The header row must name 行政区代码, 年份, 耕地面积 and "
                                 "optionally 永久基本农田面积 (or code, year, farmland, basic_farmland); a unit may "
                                 "follow a header, e.g. 耕地面积(亩).").format(columns="、".join(missing)))
    factor = dict(UNITS)
    used = {c: header_units.get(c, unit) for c in ("farmland", "basic")}
    reader = RowReader(headers, columns, {c: factor[u] for c, u in used.items()}, divisions, counties, last_year,
                       source)
    for n, cells in rows[at + 1:]:
        reader.read(n, list(cells))
    return reader, note, used


class ImportSurveyTotalsAlgorithm(AlgorithmBase):
    INPUT, SHEET, UNIT, SOURCE, PREVIEW, STORE = "INPUT", "SHEET", "UNIT", "SOURCE", "PREVIEW", "STORE"

    def name(self) -> str:
        return "import_survey_totals"

    def displayName(self) -> str:
        return tr("Import annual change survey totals")

    def shortHelpString(self) -> str:
        return tr(
            "<p>导入变更调查数据 · Keeps the official farmland totals of each annual change survey (变更调查) per "
            "county or township, from a table (CSV from Excel in UTF-8 or GBK, or an Excel workbook). The "
            "dashboard's trend across survey years shows these years as imported figures; the years they leave "
            "open are still derived from the coded parcels and the change runs.</p>"
            "<p>Columns (Chinese or English): 行政区代码 code (the county's 6 or the township's 9 digits), 年份 "
            "year, 耕地面积 farmland, 永久基本农田面积 basic_farmland (may be empty), 数据来源 source (may be "
            "left out). Areas are in the unit chosen, unless a header names its own, e.g. 耕地面积(亩), "
            "耕地面积(公顷), 耕地面积(平方米).</p>"
            "<p>Rows that cannot be used are listed with their row and column and skipped. A year imported again "
            "replaces that year's figures; the previous ones stay in the store's history. Preview writes nothing "
            "and says how many years would be replaced.</p>")

    def initAlgorithm(self, config=None) -> None:
        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, tr("Survey totals table (.csv or .xlsx)"),
            fileFilter=tr("Survey totals table (*.csv *.xlsx *.CSV *.XLSX)")))
        self.addParameter(QgsProcessingParameterEnum(
            self.UNIT, tr("Unit of the areas (unless a header names one)"), [u for u, _ in UNITS], defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.SOURCE, tr("Survey name (empty: the file's name)"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.PREVIEW, tr("Preview only (write nothing)"), defaultValue=False))
        sheet = QgsProcessingParameterString(self.SHEET, tr("Sheet (workbooks; empty: the first)"), optional=True)
        sheet.setFlags(sheet.flags() | compat.ProcessingParameterFlag.Advanced)
        self.addParameter(sheet)
        self.add_store_parameter()
        for key, label in (("ROWS", tr("Rows read")), ("ADDED", tr("Rows added")),
                           ("REPLACED", tr("Rows replaced")), ("UNCHANGED", tr("Rows unchanged")),
                           ("REFUSED", tr("Rows refused")), ("YEARS", tr("Survey years in the table")),
                           ("YEARS_REPLACED", tr("Survey years replaced"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    def _read(self, parameters, context, store) -> tuple[RowReader, str, dict[str, str]]:
        path = Path(self.parameterAsFile(parameters, self.INPUT, context))
        unit = UNITS[self.parameterAsEnum(parameters, self.UNIT, context)][0]
        source = (self.parameterAsString(parameters, self.SOURCE, context) or "").strip() or path.name
        divisions = store.admin_divisions(AdminDivisions.from_csv(divisions_csv()))
        counties = {c for c, level in store.admin_divisions().levels.items() if level == "county"}
        sheet = (self.parameterAsString(parameters, self.SHEET, context) or "").strip()
        try:
            reader, note, used = read_file(path, unit, divisions, counties, clock.today_beijing().year, source,
                                           sheet)
        except TotalsFileError as err:
            raise QgsProcessingException(tr("{file} cannot be read as survey totals: {reason}").format(
                file=path.name, reason=err)) from err
        return reader, f"{path.name} ({note})", used

    def processAlgorithm(self, parameters, context, feedback):
        preview = self.parameterAsBoolean(parameters, self.PREVIEW, context)
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
            reader, name, used = self._read(parameters, context, store)
            self._report_problems(reader, name, feedback)
            feedback.pushInfo(tr("{name}: farmland read in {farm}, permanent basic farmland in {basic}.").format(
                name=name, farm=used["farmland"], basic=used["basic"]))
            plan = plan_import(store.conn, reader.totals) if preview else save_totals(store, reader.totals)
            if not preview:
                self._show_trend(store, feedback)
        refused = len({p.row for p in reader.problems})
        years = sorted({t.year for t in reader.totals})
        message = (tr("Preview of {name}: {added} rows would be added, {replaced} replaced (years {years}), "
                      "{unchanged} are unchanged; {refused} rows refused. Nothing was written.") if preview else
                   tr("{name}: {added} rows added, {replaced} replaced (years {years}), {unchanged} unchanged; "
                      "{refused} rows refused."))
        feedback.pushInfo(message.format(name=name, added=len(plan.added), replaced=len(plan.replaced),
                                         years="、".join(str(y) for y in plan.years_replaced) or "—",
                                         unchanged=len(plan.unchanged), refused=refused))
        return {"ROWS": len(reader.totals) + refused, "ADDED": len(plan.added), "REPLACED": len(plan.replaced),
                "UNCHANGED": len(plan.unchanged), "REFUSED": refused, "YEARS": len(years),
                "YEARS_REPLACED": len(plan.years_replaced)}

    @staticmethod
    def _report_problems(reader: RowReader, name: str, feedback) -> None:
        for p in reader.problems[:MAX_REPORTED]:
            feedback.pushWarning(tr("{name}, row {row}, column {column}: {message}").format(
                name=name, row=p.row, column=p.column, message=p.message))
        if len(reader.problems) > MAX_REPORTED:
            feedback.pushWarning(tr("… and {n} more problems.").format(n=len(reader.problems) - MAX_REPORTED))

    @staticmethod
    def _show_trend(store, feedback) -> None:
        """The store's trend after the import, as the dashboard will show it (the whole store)."""
        from ...reports.tables import trend_source_labels

        years = survey_years(store)
        labels = trend_source_labels()
        for year, values in years.totals.items():
            feedback.pushInfo(tr("{year}: farmland {farm:.2f} mu, permanent basic farmland {basic:.2f} mu "
                                 "({source})").format(
                year=year, farm=values["farmland_m2"] / M2_PER_MU, basic=values["basic_m2"] / M2_PER_MU,
                source=labels.get(years.sources[year], years.sources[year])))
