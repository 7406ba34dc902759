"""领导田管驾驶舱 — the report model: the panels, the periods, :class:`Report` and :func:`build`.

No ``iface`` and no widgets: the dock (``ui/dashboard.py``) and the Processing algorithm
(``processing/reports/dashboard_report.py``) both build a :class:`Report` here and show or write it, so the screen
and the printed report are the same tables. Every number comes from :mod:`..core.reports.statistics` (through
``storage.statistics.load`` from a desk's 田管库, or ``storage.pg_statistics.load`` from the prefecture's shared
store: the same inputs, so the same report); the report only arranges, labels (:mod:`.tables`) and draws
(:mod:`.charts`, :mod:`.writers`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ..core.patrol import tasks as task_rules
from ..core.reports import statistics as stats
from ..i18n import tr
from .survey_years import SurveyYears, survey_years, survey_years_pg
from .tables import (
    Table,
    cases_table,
    coverage_table,
    farmland_table,
    officers_table,
    patrols_table,
    ranking_table,
    timeliness_table,
    trend_table,
)

PANELS = ("patrols", "coverage", "officers", "cases", "ranking", "timeliness", "farmland", "trend")
PERIOD_KINDS = ("month", "quarter", "year", "all", "custom")
#: county-level units of 临夏州 (figures cover the prefecture only when all of them are in)
PREFECTURE_COUNTIES = 8


class DashboardError(Exception):
    """A report cannot be made (no CJK font, an unwritable file …); the message is for the user."""


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
    from ..storage import statistics as stat_store

    first, last = period if period is not None else (None, None)
    inputs = stat_store.load(store, prefix, first, last)  # coverage: the latest run overlapping the period
    years = survey_years(store, prefix, stats.totals(stats.farmland_by_township(inputs.farmland, None, prefix)))
    return build(inputs, today, prefix, period, targets, years)


def load_report_pg(pg, today, prefix: str = "", period=None, targets: Mapping | None = None) -> Report:
    """Read the prefecture's shared store ``pg`` (a ``storage.postgis.PgStore``) as its role sees it and build the
    report — :func:`load_report` for PostGIS: a county role's report is its desk's, the 州 role's with prefix ""
    or "6229" the prefecture's (every county it reads). A database error is ``PgStoreError`` (no password)."""
    from ..storage import pg_statistics

    first, last = period if period is not None else (None, None)
    inputs = pg_statistics.load(pg, prefix, first, last)
    years = survey_years_pg(pg, prefix, stats.totals(stats.farmland_by_township(inputs.farmland, None, prefix)))
    return build(inputs, today, prefix, period, targets, years)
