"""The panels' tables: one :class:`Table` per panel with Chinese headers (``tr``), rows of plain values (str /
int / float / None; areas in 亩 and shares in % rounded to 2 decimals) and, per row, the code of the place it
is about (for selecting it on the map). The dock shows them, the PDF prints them and the XLSX holds them, so
the three are the same numbers.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .. import labels
from ..core.reports import statistics as stats
from ..i18n import tr


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
    """Short names of the change kinds for the dashboard's tables and charts (:mod:`..labels`)."""
    return labels.change_kind_short_labels()


def category_names() -> dict[str, str]:
    """Short names of the pre-judgement categories for the dashboard (:mod:`..labels`)."""
    return labels.category_short_labels()


# ---------------------------------------------------------------------------------------- tables
@dataclass
class Table:
    """One panel's table: ``codes[i]`` is the place row i is about ('' when it is about no place); ``kinds[i]``, when
    the panel has them, what row i is (the trend: ``coded``, ``derived`` or ``imported``), for the chart's styles."""

    name: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    note: str = ""
    kinds: list[str] = field(default_factory=list)


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
    labels = trend_source_labels()
    known = lambda v: None if v is None or math.isnan(v) else _r(v)  # noqa: E731 (NaN: a figure not known)
    for r in rows:
        source = (sources or {}).get(r.year, "")
        t.rows.append([r.year, known(r.farmland_mu), known(r.basic_mu), known(r.farmland_change_mu),
                       known(r.basic_change_mu), known(r.farmland_margin_mu), known(r.basic_margin_mu),
                       labels.get(source, source)])
        t.codes.append("")
        t.kinds.append(source)
    if not rows:
        t.note = tr("No survey year is known: import the annual change survey's totals, or code the parcels and run "
                    "a change analysis between two surveys.")
    return t


def trend_source_labels() -> dict[str, str]:
    """Where a survey year's figures come from, as the trend's table and chart name it."""
    return {"coded": tr("coded parcels"), "derived": tr("derived from change cases"),
            "imported": tr("annual change survey (imported)")}
