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
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

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
    """Totals per survey year (m²) and where each comes from (``coded`` or ``derived``)."""

    totals: dict[int, dict[str, float]] = field(default_factory=dict)
    sources: dict[int, str] = field(default_factory=dict)


def _connection(store):
    """(connection, whether it is ours to close): :func:`..storage.statistics.read_only`."""
    from ..storage.statistics import read_only

    return read_only(store), isinstance(store, (str, os.PathLike))


def survey_years(store, prefix: str = "", coded: Mapping[str, float] | None = None) -> SurveyYears:
    """Farmland totals per survey year under ``prefix`` (read-only, through :mod:`..storage.statistics`; see the
    module docstring).

    ``coded`` = the coded totals {"farmland_m2", "basic_m2"} (:func:`..core.reports.statistics.totals` of the
    farmland figures); read from the store when not given."""
    from ..storage import statistics as stats_store

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
