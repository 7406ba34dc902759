"""Trend across survey years (:func:`survey_years`): the store knows one survey's farmland exactly — the
active space codes (``tg_space_code.gdmj_m2 / yjmj_m2``), coded from the survey named by the latest
coding run — and, for each change analysis between two surveys (``tg_change_run.inputs`` BEFORE and
AFTER), the farmland the later survey lost (``tg_case.farmland_m2 / basic_m2`` of its survey cases,
whatever their legal category). The other year's totals are derived from those: later = coded − lost,
earlier = coded + lost. The store records no farmland *gained* (new farmland makes no case), so a
derived later year is a lower bound and a derived earlier year an upper bound; the trend is labelled
"derived" in its table. Survey years are read from the layer names (``DLTB_2025``), else from the
layer's ``SJNF`` field when the file is still there, else the other survey's year ∓ 1 (annual change
surveys). Red lines: the prefecture's 369.51 / 304.85 万亩 (:mod:`..core.reports.statistics`) are drawn on the
chart; margins against them are computed only when the figures cover the whole prefecture.

**Imported years.** The official totals of an annual change survey (变更调查), imported from the county's table
(``import_survey_totals``, :mod:`..storage.survey_totals`), win for their year: the trend labels them
``imported`` and derives only the years they leave open (the derivation still starts from the coded survey, so a
derived year does not move when a neighbouring year is imported). An imported year stands for the scope shown only
when it covers all of it: a county's figure is its county row, else the sum of its townships' rows when every
township the store knows has one; a township's is its own row; a prefecture's (or a desk's "all") the sum of its
counties'; a village or group has none. A year imported without 永久基本农田 keeps the derived one (NaN when there is
none: the table shows no figure).

The derivation (:func:`years_from`) reads through a :class:`YearSource`, so the desk's GeoPackage
(:func:`survey_years`, :class:`DeskYears`) and the prefecture's shared PostGIS store (:func:`survey_years_pg`,
:class:`SharedYears`, over :mod:`..storage.pg_statistics`) give the same trend from the same records.
"""
from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..storage import survey_totals
from ..storage.survey_totals import SurveyTotal

# ---------------------------------------------------------------------------------------- survey years
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


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
    """Totals per survey year (m²) and where each comes from (``coded``, ``derived`` or ``imported``); ``notes``:
    the file or survey name an imported year came from."""

    totals: dict[int, dict[str, float]] = field(default_factory=dict)
    sources: dict[int, str] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)


class YearSource(Protocol):
    """The four records the trend is derived from (empty when the store has none of them)."""

    def has_codes(self) -> bool:
        """Whether the store keeps space codes at all (no codes, no trend)."""

    def coded_totals(self, prefix: str) -> tuple[float, float]:
        """(耕地 m², 永久基本农田 m²) of the active codes under ``prefix``."""

    def change_run_inputs(self) -> list[tuple[str, str | None]]:
        """(run_id, inputs JSON) of every change-detection run, oldest first."""

    def coding_parameters(self) -> str | None:
        """The JSON parameters of the latest coding run not undone."""

    def survey_losses(self, prefix: str) -> list[tuple[str, float, float]]:
        """(run_id, 耕地 m², 永久基本农田 m²) the later survey lost, per change run, under ``prefix``."""

    def imported_totals(self, prefix: str) -> list[SurveyTotal]:
        """The imported official totals of ``prefix``'s county (or of the counties under a shorter prefix)."""

    def unit_codes(self, prefix: str) -> list[str]:
        """County and township codes the store knows under ``prefix``'s county (or under a shorter prefix)."""


class DeskYears:
    """:class:`YearSource` of a desk's GeoPackage connection (:mod:`..storage.statistics`): a table the store
    does not have yet gives nothing."""

    def __init__(self, conn) -> None:
        from ..storage import statistics as stats_store

        self._stats = stats_store
        self._conn = conn
        self._have = stats_store.tables(conn)

    def has_codes(self) -> bool:
        return "tg_space_code" in self._have

    def coded_totals(self, prefix: str) -> tuple[float, float]:
        return self._stats.coded_totals(self._conn, prefix)

    def change_run_inputs(self) -> list[tuple[str, str | None]]:
        return self._stats.change_run_inputs(self._conn) if "tg_change_run" in self._have else []

    def coding_parameters(self) -> str | None:
        return self._stats.coding_parameters(self._conn) if "tg_coding_run" in self._have else None

    def survey_losses(self, prefix: str) -> list[tuple[str, float, float]]:
        return self._stats.survey_losses(self._conn, prefix) if "tg_case" in self._have else []

    def imported_totals(self, prefix: str) -> list[SurveyTotal]:
        return survey_totals.totals(self._conn, prefix) if survey_totals.TABLE in self._have else []

    def unit_codes(self, prefix: str) -> list[str]:
        return survey_totals.unit_codes(self._conn, prefix) if "tg_admin_unit" in self._have else []


class SharedYears:
    """:class:`YearSource` of the prefecture's shared store (:mod:`..storage.pg_statistics`, a ``PgStore``) as the
    connected role sees it: every visible county's codes, runs and cases (a missing table gives nothing there)."""

    def __init__(self, pg, prefix: str = "") -> None:
        from ..storage import pg_statistics

        self._pg = pg
        self._read = pg_statistics
        self._prefix = prefix  # the runs of its county only (a county's trend is its own surveys)

    def has_codes(self) -> bool:
        return True  # a schema without codes gives no coding run either, hence no trend

    def coded_totals(self, prefix: str) -> tuple[float, float]:
        return self._read.coded_totals(self._pg, prefix)

    def change_run_inputs(self) -> list[tuple[str, str | None]]:
        return self._read.change_run_inputs(self._pg, self._prefix)

    def coding_parameters(self) -> str | None:
        return self._read.coding_parameters(self._pg, self._prefix)

    def survey_losses(self, prefix: str) -> list[tuple[str, float, float]]:
        return self._read.survey_losses(self._pg, prefix)

    def imported_totals(self, prefix: str) -> list[SurveyTotal]:
        return survey_totals.totals_pg(self._pg, prefix)

    def unit_codes(self, prefix: str) -> list[str]:
        return survey_totals.unit_codes_pg(self._pg, prefix)


def _connection(store):
    """(connection, whether it is ours to close): :func:`..storage.statistics.read_only`."""
    from ..storage.statistics import read_only

    return read_only(store), isinstance(store, (str, os.PathLike))


def survey_years(store, prefix: str = "", coded: Mapping[str, float] | None = None) -> SurveyYears:
    """Farmland totals per survey year under ``prefix`` of a desk's 田管库 (a path or a GpkgStore; read-only,
    through :mod:`..storage.statistics`; see the module docstring).

    ``coded`` = the coded totals {"farmland_m2", "basic_m2"} (:func:`..core.reports.statistics.totals` of the
    farmland figures); read from the store when not given."""
    conn, own = _connection(store)
    try:
        return years_from(DeskYears(conn), prefix, coded)
    finally:
        if own:
            conn.close()


def survey_years_pg(pg, prefix: str = "", coded: Mapping[str, float] | None = None) -> SurveyYears:
    """:func:`survey_years` of the prefecture's shared store (a ``storage.postgis.PgStore``), as its role sees it."""
    return years_from(SharedYears(pg, prefix), prefix, coded)


def _change_pairs(source: YearSource) -> dict[str, tuple[int, int, str, str]]:
    """run_id → (before year, after year, before layer, after layer) of the change runs between two surveys."""
    pairs: dict[str, tuple[int, int, str, str]] = {}
    for run_id, inputs in source.change_run_inputs():
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
    return pairs


def _coded_year(source: YearSource, pairs: dict[str, tuple[int, int, str, str]]) -> int | None:
    """The survey year the codes come from: the coding run's layer among the change runs' surveys, else its
    name's year, else the base survey of the change runs."""
    coded_year = None
    parameters = source.coding_parameters()  # of the run the codes come from
    if parameters is not None:
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
    return coded_year


def _place_total(code: str, year: int, rows: Mapping[tuple[str, int], SurveyTotal],
                 townships: Mapping[str, list[str]]) -> tuple[float, float | None, list[str]] | None:
    """(耕地 m², 永农 m² or None, sources) of one county or township in ``year``: its own row, else (a county) the
    sum of its townships' rows when every township of it has one; None when the year does not cover it."""
    row = rows.get((code, year))
    if row is not None:
        return row.farmland_m2, row.basic_m2, [row.source]
    parts = [rows.get((t, year)) for t in townships.get(code, [])] if len(code) == 6 else []
    if not parts or any(p is None for p in parts):
        return None
    basic = None if any(p.basic_m2 is None for p in parts) else sum(p.basic_m2 for p in parts)
    return sum(p.farmland_m2 for p in parts), basic, [p.source for p in parts]


#: (耕地 m², 永久基本农田 m² or None, the names of the files or surveys it came from)
ImportedYear = tuple[float, float | None, str]


def imported_years(prefix: str, rows: list[SurveyTotal], units: list[str]) -> dict[int, ImportedYear]:
    """year → (耕地 m², 永农 m² or None, source names) of the imported totals that cover ``prefix`` (see the module
    docstring); ``units``: the county and township codes the store knows (the places a year must cover)."""
    if len(prefix) > 9 or (len(prefix) > 6 and len(prefix) != 9):
        return {}  # a village or group: an official total cannot be split
    by_key = {(r.code, r.year): r for r in rows}
    known = set(units) | {r.code for r in rows}
    townships: dict[str, list[str]] = {}
    for code in sorted(c for c in set(units) if len(c) == 9):
        townships.setdefault(code[:6], []).append(code)
    if len(prefix) >= 6:
        places = [prefix]
    else:
        counties = sorted({c for c in units if len(c) == 6 and c.startswith(prefix)})
        places = counties or sorted({c[:6] for c in known if c.startswith(prefix)})
    out: dict[int, ImportedYear] = {}
    for year in sorted({r.year for r in rows}):
        found = [_place_total(p, year, by_key, townships) for p in places]
        if not places or any(f is None for f in found):
            continue
        basic = None if any(f[1] is None for f in found) else sum(f[1] for f in found)
        names = list(dict.fromkeys(n for f in found for n in f[2] if n))
        out[year] = (sum(f[0] for f in found), basic, "、".join(names))
    return out


def _with_imported(out: SurveyYears, source: YearSource, prefix: str) -> SurveyYears:
    """``out`` with the imported years put over the coded and derived ones."""
    rows = source.imported_totals(prefix)
    if not rows:
        return out
    for year, (farm, basic, names) in imported_years(prefix, rows, source.unit_codes(prefix)).items():
        if basic is None:
            basic = out.totals.get(year, {}).get("basic_m2", math.nan)
        out.totals[year] = {"farmland_m2": float(farm), "basic_m2": float(basic)}
        out.sources[year] = "imported"
        out.notes[year] = names
    out.totals = dict(sorted(out.totals.items()))
    out.sources = dict(sorted(out.sources.items()))
    return out


def years_from(source: YearSource, prefix: str = "", coded: Mapping[str, float] | None = None) -> SurveyYears:
    """Farmland totals per survey year under ``prefix`` from ``source`` (see the module docstring); ``coded``: the
    coded totals, read from the source when not given."""
    return _with_imported(_derived_years(source, prefix, coded), source, prefix)


def _derived_years(source: YearSource, prefix: str, coded: Mapping[str, float] | None) -> SurveyYears:
    """The coded year and the years derived from it through the change runs."""
    out = SurveyYears()
    if not source.has_codes():
        return out
    if coded is None:
        farm, basic = source.coded_totals(prefix)
        coded = {"farmland_m2": farm, "basic_m2": basic}
    pairs = _change_pairs(source)
    coded_year = _coded_year(source, pairs)
    if coded_year is None:
        return out
    out.totals[coded_year] = {"farmland_m2": float(coded["farmland_m2"]), "basic_m2": float(coded["basic_m2"])}
    out.sources[coded_year] = "coded"
    lost: dict[tuple[int, int], list[float]] = {}
    if pairs:
        for run_id, farm, basic in source.survey_losses(prefix):
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
