"""领导田管驾驶舱 — the report model of the dashboard: figures → titled tables and charts → PDF / PNG / XLSX.

No ``iface`` and no widgets: the dock (``ui/dashboard.py``) and the Processing algorithm
(``processing/dashboard_report.py``) both build a :class:`Report` here and show or write it, so the screen
and the printed report are the same tables. Every number comes from :mod:`.core.statistics` (through
``storage.statistics.load``); this module only arranges, labels and draws.

- Tables: :class:`Table` = title, Chinese headers (``tr``), rows of plain values (str / int / float /
  None; areas in 亩 and shares in % rounded to 2 decimals) and, per row, the code of the place it is
  about (for selecting it on the map). One table per panel, :data:`PANELS` in order.
- Charts: matplotlib ``Figure`` objects drawn on the Agg canvas (never pyplot, so nothing global and
  nothing needing a display), text in an installed CJK font found through ``matplotlib.font_manager``;
  without one :func:`cjk_font_path` raises :class:`DashboardError` (the report would print boxes).
- Report files are written to a temporary name beside the target and moved into place with
  ``os.replace``: a failed export never leaves half a file under the real name. PDF = one A4 page per
  panel (chart above, table below; long tables are cut with a note, the XLSX has every row), PNG = one
  image per panel, XLSX = one sheet per table through OGR's XLSX driver (what Windows QGIS ships).

Trend across survey years (:func:`survey_years`): the store knows one survey's farmland exactly — the
active space codes (``tg_space_code.gdmj_m2 / yjmj_m2``), coded from the survey named by the latest
coding run — and, for each change analysis between two surveys (``tg_change_run.inputs`` BEFORE and
AFTER), the farmland the later survey lost (``tg_case.farmland_m2 / basic_m2`` of its survey cases,
whatever their legal category). The other year's totals are derived from those: later = coded − lost,
earlier = coded + lost. The store records no farmland *gained* (new farmland makes no case), so a
derived later year is a lower bound and a derived earlier year an upper bound; the trend is labelled
"derived" in its table. Survey years are read from the layer names (``DLTB_2025``), else from the
layer's ``SJNF`` field when the file is still there, else the other survey's year ∓ 1 (annual change
surveys). Red lines: the prefecture's 369.51 / 304.85 万亩 (:mod:`.core.statistics`) are drawn on the
chart; margins against them are computed only when the figures cover the whole prefecture.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .core import statistics as stats
from .core import tasks as task_rules
from .fonts import CJK_FAMILIES  # one list with the labels' and the case list's
from .i18n import tr

PANELS = ("patrols", "coverage", "officers", "cases", "ranking", "timeliness", "farmland", "trend")
PERIOD_KINDS = ("month", "quarter", "year", "all", "custom")
#: county-level units of 临夏州 (figures cover the prefecture only when all of them are in)
PREFECTURE_COUNTIES = 8
PDF_TABLE_ROWS = 28
A4 = (8.27, 11.69)


class DashboardError(Exception):
    """A report cannot be made (no CJK font, an unwritable file …); the message is for the user."""


# ---------------------------------------------------------------------------------------- labels
def panel_titles() -> dict[str, str]:
    return {
        "patrols": tr("Patrol tasks per month"),
        "coverage": tr("Patrol coverage rate"),
        "officers": tr("Officers per level and area"),
        "cases": tr("Cases by state and class"),
        "ranking": tr("Township ranking of cases"),
        "timeliness": tr("Rectification timeliness"),
        "farmland": tr("Farmland and permanent basic farmland per township"),
        "trend": tr("Farmland across survey years"),
    }


def kind_names() -> dict[str, str]:
    return {"nonagri": tr("Non-agricultural"), "facility": tr("Facility agriculture land"),
            "nongrain": tr("Non-grain"), "other": tr("Other loss"), "unknown": tr("Unknown use")}


def category_names() -> dict[str, str]:
    return {"approved": tr("Lawful: approved"), "facility": tr("Lawful: facility filing"),
            "temporary": tr("Lawful: temporary land"), "suspect": tr("Suspected illegal"),
            "verify": tr("Needs field verification")}


def period_label(period) -> str:
    if period is None:
        return tr("all time")
    first, last = period
    return tr("{first} to {last}").format(first=first or "…", last=last or "…")


# ---------------------------------------------------------------------------------------- periods
def period_bounds(kind: str, day: dt.date, last: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """(first, last day) of the month / quarter / year containing ``day``; ``custom`` = (day, last); ``all``: None —
    everything the store holds, cumulated (what a leader asks first: how much in all, since the start)."""
    if kind == "custom":
        return day, last or day
    if kind == "all":
        return None
    if kind not in PERIOD_KINDS:
        raise ValueError(f"unknown period kind {kind!r} (one of {', '.join(PERIOD_KINDS)})")
    return task_rules.period_of(kind, day)


# ---------------------------------------------------------------------------------------- tables
@dataclass
class Table:
    """One panel's table: ``codes[i]`` is the place row i is about ('' when it is about no place)."""

    name: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    note: str = ""


def _r(value, digits: int = 2):
    return None if value is None else round(float(value), digits)


def _pct(share):
    return None if share is None else round(100.0 * float(share), 2)


def _name(names: Mapping[str, str], code: str) -> str | None:
    """The unit's name (the prefecture's grid, 4 digits, is not an administrative unit of the store)."""
    return names.get(code) or (tr("Linxia Prefecture") if len(code) == 4 else None)


def patrols_table(rows: Sequence[stats.MonthPatrols], names) -> Table:
    t = Table("patrols", panel_titles()["patrols"], [
        tr("Month"), tr("Township code"), tr("Township"), tr("Tasks"), tr("Done"), tr("Not done"),
        tr("Overdue"), tr("Done (%)")])
    for r in rows:
        t.rows.append([r.month, r.township, _name(names, r.township), r.tasks, r.done, r.undone, r.overdue,
                       _pct(r.done_rate)])
        t.codes.append(r.township)
    return t


def coverage_table(rows, names) -> Table:
    t = Table("coverage", panel_titles()["coverage"], [
        tr("Township code"), tr("Township"), tr("Farmland (mu)"), tr("Farmland seen (mu)"), tr("Coverage (%)"),
        tr("Basic farmland (mu)"), tr("Basic farmland seen (mu)"), tr("Basic farmland coverage (%)"),
        tr("Parcels"), tr("Parcels seen")])
    for r in rows:
        t.rows.append([r.code, _name(names, r.code), _r(stats.mu(r.farmland_m2)), _r(stats.mu(r.seen_m2)),
                       _pct(r.rate), _r(stats.mu(r.basic_m2)), _r(stats.mu(r.basic_seen_m2)), _pct(r.basic_rate),
                       int(r.parcels), int(r.seen_parcels)])
        t.codes.append(r.code)
    if not rows:
        t.note = tr("No coverage rates in the store: run the patrol coverage analysis first.")
    return t


def officers_table(rows: Sequence[stats.OfficerCount], names) -> Table:
    t = Table("officers", panel_titles()["officers"], [
        tr("Level"), tr("Area code"), tr("Area"), tr("Posts"), tr("Officers"), tr("Assistants"), tr("Vacancies")])
    for r in rows:
        t.rows.append([r.level_name, r.township, _name(names, r.township), r.grids, r.officers, r.assistants,
                       r.vacancies])
        t.codes.append(r.township)
    return t


def cases_table(rows: Sequence[stats.CaseClassCount]) -> Table:
    kinds, categories = kind_names(), category_names()
    t = Table("cases", panel_titles()["cases"], [
        tr("State"), tr("Kind"), tr("Category"), tr("Cases"), tr("Area (mu)"), tr("Basic farmland (mu)")])
    for r in rows:
        t.rows.append([r.state_name, kinds.get(r.kind, r.kind), categories.get(r.category, r.category), r.cases,
                       _r(r.area_mu), _r(stats.mu(r.basic_m2))])
        t.codes.append("")
    return t


def ranking_table(ranking: Mapping[str, Sequence[stats.TownshipRank]], names) -> Table:
    """One row per township with its rank by each figure (sort the table to rank by another one)."""
    t = Table("ranking", panel_titles()["ranking"], [
        tr("Rank by cases"), tr("Township code"), tr("Township"), tr("Cases"), tr("Rank by area"), tr("Area (mu)"),
        tr("Closed"), tr("Rank by closure time"), tr("Mean closure (days)")])
    by_area = {r.township: r.rank for r in ranking.get("area", [])}
    by_days = {r.township: r for r in ranking.get("closure_days", [])}
    for r in ranking.get("count", []):
        days = by_days.get(r.township)
        closure = None if days is None or days.closure_days is None else days.rank
        t.rows.append([r.rank, r.township, _name(names, r.township), r.cases, by_area.get(r.township),
                       _r(stats.mu(r.area_m2)), r.closed, closure, _r(r.closure_days)])
        t.codes.append(r.township)
    return t


def timeliness_table(rows: Sequence[stats.Timeliness], names) -> Table:
    t = Table("timeliness", panel_titles()["timeliness"], [
        tr("Township code"), tr("Township"), tr("To rectify"), tr("On time"), tr("Late"), tr("Open, within deadline"),
        tr("Open, overdue"), tr("Overdue open cases (any state)"), tr("On time (%)")])
    for r in rows:
        t.rows.append([r.township, _name(names, r.township), r.required, r.on_time, r.late, r.open_on_time,
                       r.open_overdue, r.overdue_open_cases, _pct(r.on_time_share)])
        t.codes.append(r.township)
    return t


def farmland_table(rows: Sequence[stats.FarmlandFigure], names) -> Table:
    t = Table("farmland", panel_titles()["farmland"], [
        tr("Township code"), tr("Township"), tr("Parcels"), tr("Farmland (mu)"), tr("Basic farmland (mu)"),
        tr("Farmland target (mu)"), tr("Basic farmland target (mu)"), tr("Farmland vs target (mu)"),
        tr("Basic farmland vs target (mu)"), tr("Meets targets")])
    yes, no = tr("yes"), tr("no")
    for r in rows:
        meets = r.meets_targets
        t.rows.append([r.township, _name(names, r.township), r.parcels, _r(r.farmland_mu), _r(r.basic_mu),
                       _r(r.target_farmland_mu), _r(r.target_basic_mu), _r(r.farmland_gap_mu), _r(r.basic_gap_mu),
                       None if meets is None else (yes if meets else no)])
        t.codes.append(r.township)
    return t


def trend_table(rows: Sequence[stats.TrendYear], sources: Mapping[int, str] | None = None) -> Table:
    t = Table("trend", panel_titles()["trend"], [
        tr("Survey year"), tr("Farmland (mu)"), tr("Basic farmland (mu)"), tr("Farmland change (mu)"),
        tr("Basic farmland change (mu)"), tr("Farmland above red line (mu)"), tr("Basic farmland above red line (mu)"),
        tr("Source")])
    labels = {"coded": tr("coded parcels"), "derived": tr("derived from change cases")}
    for r in rows:
        source = (sources or {}).get(r.year, "")
        t.rows.append([r.year, _r(r.farmland_mu), _r(r.basic_mu), _r(r.farmland_change_mu), _r(r.basic_change_mu),
                       _r(r.farmland_margin_mu), _r(r.basic_margin_mu), labels.get(source, source)])
        t.codes.append("")
    if not rows:
        t.note = tr("No survey year is known: code the parcels and run a change analysis between two surveys.")
    return t


# ---------------------------------------------------------------------------------------- targets
def read_targets(path) -> dict[str, tuple[float | None, float | None]]:
    """Township targets from a CSV (UTF-8, UTF-8 with BOM or GBK): code, farmland 亩, basic 亩; a header row
    (any names) is skipped, empty cells mean no target."""
    raw = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DashboardError(tr("Cannot read the targets file {path}: unknown encoding.").format(path=path))

    def number(cell: str):
        cell = (cell or "").strip().replace(",", "")
        return float(cell) if cell else None

    out = {}
    for row in csv.reader(text.splitlines()):
        if not row or not row[0].strip():
            continue
        code = row[0].strip()
        if not code.isdigit():
            continue  # the header
        try:
            out[code] = (number(row[1]) if len(row) > 1 else None, number(row[2]) if len(row) > 2 else None)
        except ValueError as err:
            raise DashboardError(tr("Targets file {path}: bad number in the row of {code}.").format(
                path=path, code=code)) from err
    return out


# ---------------------------------------------------------------------------------------- survey years
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_CJK = re.compile("[\u4e00-\u9fff]")


def _layer_name(uri: str) -> str:
    match = re.search(r"layername=([^|]+)", uri or "")
    if match:
        return match.group(1)
    match = re.search(r"\(([^()]+)\)\s*$", uri or "")  # "sample_county (DLTB)" as coding runs record it
    return match.group(1) if match else Path((uri or "").split("|")[0]).stem


def _year_of(uri: str) -> int | None:
    """The survey year of a layer: in its name, else its file's name, else the max of its SJNF field."""
    for text in (_layer_name(uri), Path((uri or "").split("|")[0]).stem):
        match = _YEAR.search(text or "")
        if match:
            return int(match.group(1))
    path = (uri or "").split("|")[0]
    if not path or not os.path.exists(path):
        return None
    try:
        from osgeo import ogr

        ds = ogr.Open(path, 0)
        if ds is None:
            return None
        layer = ds.GetLayerByName(_layer_name(uri)) if "layername=" in uri else ds.GetLayer(0)
        if layer is None or layer.GetLayerDefn().GetFieldIndex("SJNF") < 0:
            return None
        res = ds.ExecuteSQL(f'SELECT MAX("SJNF") FROM "{layer.GetName()}"')
        try:
            feature = res.GetNextFeature() if res is not None else None
            value = feature.GetField(0) if feature is not None else None
        finally:
            if res is not None:
                ds.ReleaseResultSet(res)
        return int(value) if value else None
    except Exception:  # a layer that cannot be read just gives no year
        return None


@dataclass
class SurveyYears:
    """Totals per survey year (m²) and where each comes from (``coded`` or ``derived``)."""

    totals: dict[int, dict[str, float]] = field(default_factory=dict)
    sources: dict[int, str] = field(default_factory=dict)


def _connection(store):
    """(connection, whether it is ours to close): :func:`.storage.statistics.read_only`."""
    from .storage.statistics import read_only

    return read_only(store), isinstance(store, (str, os.PathLike))


def survey_years(store, prefix: str = "", coded: Mapping[str, float] | None = None) -> SurveyYears:
    """Farmland totals per survey year under ``prefix`` (read-only, through :mod:`.storage.statistics`; see the
    module docstring).

    ``coded`` = the coded totals {"farmland_m2", "basic_m2"} (:func:`.core.statistics.totals` of the
    farmland figures); read from the store when not given."""
    from .storage import statistics as stats_store

    conn, own = _connection(store)
    try:
        have = stats_store.tables(conn)
        out = SurveyYears()
        if "tg_space_code" not in have:
            return out
        if coded is None:
            farm, basic = stats_store.coded_totals(conn, prefix)
            coded = {"farmland_m2": farm, "basic_m2": basic}
        pairs: dict[str, tuple[int, int, str, str]] = {}  # run_id → (before, after, before name, after name)
        if "tg_change_run" in have:
            for run_id, inputs in stats_store.change_run_inputs(conn):
                try:
                    names = json.loads(inputs or "{}")
                except ValueError:
                    continue
                before, after = names.get("BEFORE") or "", names.get("AFTER") or ""
                if not before or not after:
                    continue  # 卫片 against a baseline: not two surveys
                y0, y1 = _year_of(before), _year_of(after)
                if y0 is None and y1 is not None:
                    y0 = y1 - 1
                if y1 is None and y0 is not None:
                    y1 = y0 + 1
                if y0 is not None and y1 is not None and y1 > y0:
                    pairs[run_id] = (y0, y1, _layer_name(before), _layer_name(after))
        coded_year = None
        if "tg_coding_run" in have:
            parameters = stats_store.coding_parameters(conn)  # of the run the codes come from
            try:
                layer = _layer_name(json.loads(parameters or "{}").get("dltb", ""))
            except ValueError:
                layer = ""
            for y0, y1, n0, n1 in pairs.values():
                if layer and layer == n1:
                    coded_year = y1
                elif layer and layer == n0 and coded_year is None:
                    coded_year = y0
            if coded_year is None and layer:
                match = _YEAR.search(layer)
                coded_year = int(match.group(1)) if match else None
        if coded_year is None and pairs:
            coded_year = min(p[0] for p in pairs.values())  # coded on the base survey, then compared
        if coded_year is None:
            return out
        out.totals[coded_year] = {"farmland_m2": float(coded["farmland_m2"]), "basic_m2": float(coded["basic_m2"])}
        out.sources[coded_year] = "coded"
        lost: dict[tuple[int, int], list[float]] = {}
        if pairs and "tg_case" in have:
            for run_id, farm, basic in stats_store.survey_losses(conn, prefix):
                if run_id in pairs:
                    s = lost.setdefault(pairs[run_id][:2], [0.0, 0.0])
                    s[0] += float(farm)
                    s[1] += float(basic)
        for (y0, y1) in {p[:2] for p in pairs.values()}:
            lost.setdefault((y0, y1), [0.0, 0.0])
        for (y0, y1), (farm, basic) in sorted(lost.items()):  # forwards from the coded year
            if y0 in out.totals and y1 not in out.totals:
                base = out.totals[y0]
                out.totals[y1] = {"farmland_m2": base["farmland_m2"] - farm, "basic_m2": base["basic_m2"] - basic}
                out.sources[y1] = "derived"
        for (y0, y1), (farm, basic) in sorted(lost.items(), reverse=True):  # and backwards
            if y1 in out.totals and y0 not in out.totals:
                base = out.totals[y1]
                out.totals[y0] = {"farmland_m2": base["farmland_m2"] + farm, "basic_m2": base["basic_m2"] + basic}
                out.sources[y0] = "derived"
        return out
    finally:
        if own:
            conn.close()


def covers_prefecture(names: Mapping[str, str], prefix: str) -> bool:
    """Figures under ``prefix`` are the prefecture's: no narrower filter and every county in the store."""
    counties = {c for c in names if len(c) == 6}
    return len(prefix) <= 4 and len(counties) >= PREFECTURE_COUNTIES


# ---------------------------------------------------------------------------------------- report
@dataclass
class Report:
    figures: stats.Figures
    trend: list[stats.TrendYear]
    tables: dict[str, Table]
    names: dict[str, str]
    prefix: str
    period: tuple | None
    today: dt.date
    title: str = ""
    red_lines: bool = False  # margins against the prefecture's red lines computed

    def table(self, name: str) -> Table:
        return self.tables[name]


def scope_label(names: Mapping[str, str], prefix: str) -> str:
    if not prefix:
        counties = sorted(c for c in names if len(c) == 6)
        return names.get(counties[0], tr("Linxia Prefecture")) if len(counties) == 1 else tr("Linxia Prefecture")
    return names.get(prefix, prefix)


def build(inputs: stats.StatInputs, today, prefix: str = "", period=None, targets: Mapping | None = None,
          years: SurveyYears | None = None, deadlines=None) -> Report:
    """The dashboard of ``inputs`` (from ``storage.statistics.load``) under ``prefix`` over ``period``."""
    today_date = task_rules.as_date(today) if not isinstance(today, dt.datetime) else today.date()
    figs = stats.figures(inputs, today, prefix, period, targets, deadlines)
    names = dict(inputs.names)
    prefecture = covers_prefecture(names, prefix)
    trend_rows = stats.trend({y: v for y, v in (years.totals if years else {}).items()},
                             *(() if prefecture else (None, None)))
    tables = {
        "patrols": patrols_table(figs.patrols, names),
        "coverage": coverage_table(figs.coverage, names),
        "officers": officers_table(figs.officers, names),
        "cases": cases_table(figs.cases),
        "ranking": ranking_table(figs.ranking, names),
        "timeliness": timeliness_table(figs.timeliness, names),
        "farmland": farmland_table(figs.farmland, names),
        "trend": trend_table(trend_rows, years.sources if years else None),
    }
    title = tr("Farmland protection dashboard · {scope} · {period}").format(
        scope=scope_label(names, prefix), period=period_label(period))
    return Report(figs, trend_rows, tables, names, prefix, period, today_date, title, prefecture)


def load_report(store, today, prefix: str = "", period=None, targets: Mapping | None = None) -> Report:
    """Read ``store`` (a path or a GpkgStore) and build its report."""
    from .storage import statistics as stat_store

    first, last = period if period is not None else (None, None)
    inputs = stat_store.load(store, prefix, first, last)  # coverage: the latest run overlapping the period
    years = survey_years(store, prefix, stats.totals(stats.farmland_by_township(inputs.farmland, None, prefix)))
    return build(inputs, today, prefix, period, targets, years)


# ---------------------------------------------------------------------------------------- fonts
def cjk_font_path() -> str:
    """The file of an installed CJK font matplotlib can use; without one the charts would print boxes."""
    from matplotlib import font_manager

    by_name = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in by_name and os.path.exists(by_name[family]):
            return by_name[family]
    raise DashboardError(tr("No Chinese font is installed ({fonts}): the report would print boxes. Install one "
                            "(e.g. WenQuanYi Micro Hei) and run again.").format(fonts="、".join(CJK_FAMILIES)))


@contextlib.contextmanager
def cjk_context():
    """matplotlib settings for Chinese text: the CJK font first, a real minus sign, TrueType in PDFs (so
    the text can be searched and copied)."""
    import matplotlib
    from matplotlib import font_manager

    path = cjk_font_path()
    if path not in {f.fname for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(path)  # a font cache made before the font was installed lacks it
    family = font_manager.FontProperties(fname=path).get_name()
    # the family by name, not "sans-serif": a text keeps the families it was made with, and a generic one
    # would be looked up again when the dock's canvas repaints, outside this context (boxes again)
    with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"], "font.sans-serif": [family, "DejaVu Sans"],
                                "axes.unicode_minus": False, "pdf.fonttype": 42, "svg.fonttype": "none"}):
        yield


# ---------------------------------------------------------------------------------------- charts
def _labels(table: Table, code_col: int, name_col: int) -> list[str]:
    return [row[name_col] or row[code_col] for row in table.rows]


def draw_chart(report: Report, name: str, fig) -> None:
    """Draw panel ``name`` of ``report`` on the matplotlib Figure ``fig`` (cleared first). Call it inside
    :func:`cjk_context`."""
    fig.clear()
    _draw_into(report, name, fig.add_subplot(1, 1, 1))
    fig.tight_layout()


def _bar_labels(ax, labels: list[str]) -> None:
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=45 if len(labels) > 4 else 0, ha="right" if len(labels) > 4 else "center",
                       fontsize=8)


def _stacked(ax, labels, series: list[tuple[str, list, str]]) -> None:
    bottom = [0.0] * len(labels)
    for label, values, color in series:
        vals = [float(v or 0) for v in values]
        ax.bar(range(len(labels)), vals, bottom=bottom, label=label, color=color)
        bottom = [b + v for b, v in zip(bottom, vals)]
    _bar_labels(ax, labels)
    ax.legend(fontsize=8)
    _whole_numbers(ax.yaxis)


def _whole_numbers(axis) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.25 of a case


def _chart_patrols(report, table, ax) -> None:
    sums: dict[str, list[int]] = {}
    months = sorted({r[0] for r in table.rows})
    by_month = len(months) > 1 and len({r[1] for r in table.rows}) == 1
    for r in table.rows:  # one bar per township (a single township over several months: per month)
        key = r[0] if by_month else r[1]
        s = sums.setdefault(key, [0, 0, 0])
        s[0] += r[4]
        s[1] += r[5]
        s[2] += r[6]
    keys = sorted(sums)
    labels = keys if by_month else [report.names.get(k, k) for k in keys]
    _stacked(ax, labels, [(tr("Done"), [sums[k][0] for k in keys], "#3a923a"),
                          (tr("Not done"), [sums[k][1] for k in keys], "#e0b400"),
                          (tr("Overdue"), [sums[k][2] for k in keys], "#d62728")])
    ax.set_ylabel(tr("Tasks"))


def _chart_coverage(report, table, ax) -> None:
    labels = _labels(table, 0, 1)
    x = range(len(labels))
    ax.bar([i - 0.2 for i in x], [r[4] or 0 for r in table.rows], 0.4, label=tr("Farmland"), color="#3a923a")
    ax.bar([i + 0.2 for i in x], [r[7] or 0 for r in table.rows], 0.4, label=tr("Basic farmland"), color="#1f77b4")
    _bar_labels(ax, labels)
    ax.set_ylim(0, 100)
    ax.set_ylabel(tr("Coverage (%)"))
    ax.legend(fontsize=8)


def _chart_officers(report, table, ax) -> None:
    levels: dict[str, list[int]] = {}
    order = []
    for r in table.rows:
        if r[0] not in levels:
            order.append(r[0])
        s = levels.setdefault(r[0], [0, 0, 0])
        s[0] += r[4]
        s[1] += r[5]
        s[2] += r[6]
    _stacked(ax, order, [(tr("Officers"), [levels[k][0] for k in order], "#1f77b4"),
                         (tr("Assistants"), [levels[k][1] for k in order], "#9ecae1"),
                         (tr("Vacancies"), [levels[k][2] for k in order], "#d62728")])
    ax.set_ylabel(tr("Posts"))


def _chart_cases(report, table, ax) -> None:
    states = []
    kinds = []
    counts: dict[tuple[str, str], int] = {}
    for r in table.rows:
        if r[0] not in states:
            states.append(r[0])
        if r[1] not in kinds:
            kinds.append(r[1])
        counts[(r[0], r[1])] = counts.get((r[0], r[1]), 0) + r[3]
    colors = ["#d62728", "#ff7f0e", "#2ca02c", "#7f7f7f", "#9467bd"]
    _stacked(ax, states, [(k, [counts.get((s, k), 0) for s in states], colors[i % len(colors)])
                          for i, k in enumerate(kinds)])
    ax.set_ylabel(tr("Cases"))


def _chart_ranking(report, table, ax) -> None:
    rows = table.rows[:15]
    labels = [r[2] or r[1] for r in rows][::-1]
    ax.barh(range(len(rows)), [r[3] for r in rows][::-1], color="#d62728")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xlabel(tr("Cases"))
    _whole_numbers(ax.xaxis)


def _chart_timeliness(report, table, ax) -> None:
    labels = _labels(table, 0, 1)
    _stacked(ax, labels, [(tr("On time"), [r[3] for r in table.rows], "#3a923a"),
                          (tr("Late"), [r[4] for r in table.rows], "#ff7f0e"),
                          (tr("Open, within deadline"), [r[5] for r in table.rows], "#e0b400"),
                          (tr("Open, overdue"), [r[6] for r in table.rows], "#d62728")])
    ax.set_ylabel(tr("Cases"))


def _chart_farmland(report, table, ax) -> None:
    labels = _labels(table, 0, 1)
    x = list(range(len(labels)))
    ax.bar([i - 0.2 for i in x], [r[3] or 0 for r in table.rows], 0.4, label=tr("Farmland"), color="#3a923a")
    ax.bar([i + 0.2 for i in x], [r[4] or 0 for r in table.rows], 0.4, label=tr("Basic farmland"), color="#1f77b4")
    targets = [(i, r[5], r[6]) for i, r in zip(x, table.rows) if r[5] is not None or r[6] is not None]
    if targets:
        ax.scatter([i - 0.2 for i, f, _ in targets if f is not None], [f for _, f, _ in targets if f is not None],
                   marker="_", s=300, color="black", label=tr("Farmland target"))
        ax.scatter([i + 0.2 for i, _, b in targets if b is not None], [b for _, _, b in targets if b is not None],
                   marker="_", s=300, color="#d62728", label=tr("Basic farmland target"))
    _bar_labels(ax, labels)
    ax.set_ylabel(tr("Area (mu)"))
    ax.legend(fontsize=8)


def _chart_trend(report, table, ax) -> None:
    rows = report.trend
    years = [r.year for r in rows]
    wan = 10000.0
    if rows:
        ax.plot(years, [r.farmland_mu / wan for r in rows], marker="o", color="#3a923a", label=tr("Farmland"))
        ax.plot(years, [r.basic_mu / wan for r in rows], marker="s", color="#1f77b4", label=tr("Basic farmland"))
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years])
    red = tr("Prefecture red lines: farmland {farm} 10k mu, permanent basic farmland {basic} 10k mu").format(
        farm=f"{stats.PREFECTURE_FARMLAND_MU / wan:.2f}", basic=f"{stats.PREFECTURE_BASIC_MU / wan:.2f}")
    if report.red_lines or not rows:
        ax.axhline(stats.PREFECTURE_FARMLAND_MU / wan, color="#d62728", linestyle="--",
                   label=tr("Farmland red line"))
        ax.axhline(stats.PREFECTURE_BASIC_MU / wan, color="#ff7f0e", linestyle="--",
                   label=tr("Basic farmland red line"))
    ax.text(0.01, 0.01, red if rows else "\n".join([table.note, red]), transform=ax.transAxes, fontsize=8,
            color="#d62728", va="bottom")
    ax.set_ylabel(tr("10k mu"))
    ax.legend(fontsize=8, loc="center right")


# ---------------------------------------------------------------------------------------- files
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _panel_figure(report: Report, name: str, with_table: bool):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=A4 if with_table else (10, 6), dpi=100)
    FigureCanvasAgg(fig)
    table = report.tables[name]
    if not with_table:
        draw_chart(report, name, fig)
        return fig
    chart = fig.add_axes([0.1, 0.56, 0.85, 0.34])
    _draw_into(report, name, chart)
    fig.text(0.5, 0.97, report.title, ha="center", va="top", fontsize=11)
    fig.text(0.5, 0.945, tr("As of {day}").format(day=report.today.isoformat()), ha="center", va="top", fontsize=8,
             color="#555555")
    grid = fig.add_axes([0.04, 0.03, 0.92, 0.44])
    grid.set_axis_off()
    rows = table.rows[:PDF_TABLE_ROWS]
    cells = [[_text(v) for v in row] for row in rows] or [[""] * len(table.headers)]
    notes = []
    if len(table.rows) > PDF_TABLE_ROWS:
        notes.append(tr("First {shown} of {total} rows; every row is in the XLSX tables.").format(
            shown=PDF_TABLE_ROWS, total=len(table.rows)))
    if table.note and (name != "trend" or not table.rows):
        notes.append(table.note)
    if not table.rows and not table.note:
        notes.append(tr("No data for this filter."))
    headers = [textwrap.fill(str(h), 8 if _CJK.search(str(h)) else 14) for h in table.headers]
    drawn = grid.table(cellText=cells, colLabels=headers, loc="upper center", cellLoc="center")
    drawn.auto_set_font_size(False)
    drawn.set_fontsize(6.5 if len(table.headers) > 7 else 7.5)
    for (r, _c), cell in drawn.get_celld().items():
        cell.set_height(0.032 if r else 0.07)
        if r == 0:
            cell.set_facecolor("#e8eef5")
    if notes:
        fig.text(0.04, 0.015, "  ".join(notes), fontsize=7, color="#555555")
    return fig


def _draw_into(report: Report, name: str, ax) -> None:
    table = report.tables[name]
    draw = {"patrols": _chart_patrols, "coverage": _chart_coverage, "officers": _chart_officers,
            "cases": _chart_cases, "ranking": _chart_ranking, "timeliness": _chart_timeliness,
            "farmland": _chart_farmland, "trend": _chart_trend}[name]
    if not table.rows and name != "trend":
        ax.set_axis_off()
        ax.text(0.5, 0.5, table.note or tr("No data for this filter."), ha="center", va="center")
    else:
        draw(report, table, ax)
    ax.set_title(table.title, fontsize=12)


def write_pdf(report: Report, path, panels: Iterable[str] = PANELS, step=None) -> Path:
    """One A4 page per panel (chart and table), atomically. ``step(i)`` is called after each page (it may
    raise to cancel: nothing is left under ``path`` then)."""
    from matplotlib.backends.backend_pdf import PdfPages

    from . import workbook

    path = Path(path)
    with cjk_context(), workbook.atomic_file(path, ".pdf") as tmp:
        with PdfPages(tmp, metadata={"Title": report.title, "Creator": "linxia_tianguan"}) as pdf:
            for i, name in enumerate(panels):
                pdf.savefig(_panel_figure(report, name, True))
                if step is not None:
                    step(i)
    return path


def png_name(index: int, name: str) -> str:
    return f"{index + 1:02d}_{name}.png"


def write_pngs(report: Report, folder, panels: Iterable[str] = PANELS, dpi: int = 120, step=None) -> list[Path]:
    """One PNG chart per panel in ``folder`` (``01_patrols.png`` …), each written atomically; ``step(i)``
    after each."""
    from . import workbook

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    with cjk_context():
        for i, name in enumerate(panels):
            target = folder / png_name(i, name)
            fig = _panel_figure(report, name, False)
            with workbook.atomic_file(target, ".png") as tmp:
                fig.savefig(tmp, format="png", dpi=dpi)
            out.append(target)
            if step is not None:
                step(i)
    return out


def sheet_names() -> dict[str, str]:
    """Sheet names (≤ 31 characters, no []:*?/\\) per panel."""
    return {"patrols": tr("Patrol tasks"), "coverage": tr("Coverage"), "officers": tr("Officers"),
            "cases": tr("Cases"), "ranking": tr("Ranking"), "timeliness": tr("Timeliness"),
            "farmland": tr("Farmland"), "trend": tr("Trend")}


def write_xlsx(report: Report, path, panels: Iterable[str] = PANELS) -> Path:
    """One sheet per table (headers in the first row), through :func:`.workbook.write` (OGR, atomically)."""
    from . import workbook

    sheets = sheet_names()
    try:
        return workbook.write(path, [workbook.Sheet(sheets.get(name, name), report.tables[name].headers,
                                                    report.tables[name].rows,
                                                    empty=report.tables[name].note or tr("No data for this filter."))
                                     for name in panels])
    except workbook.WorkbookError as err:
        raise DashboardError(str(err)) from err


__all__ = ["PANELS", "PERIOD_KINDS", "DashboardError", "Table", "Report", "SurveyYears", "panel_titles",
           "period_bounds", "read_targets", "survey_years", "covers_prefecture", "build", "load_report",
           "cjk_font_path", "cjk_context", "draw_chart", "write_pdf", "write_pngs", "write_xlsx", "sheet_names",
           "png_name"]
