"""The dashboard, the statistics maps and the assessment read the shared PostGIS store (storage/pg_statistics.py)
as they read a desk GeoPackage (storage/statistics.py, storage/assessment.py): after a county publishes, the
figures computed by the one statistics module from either reader are EQUAL — for the 州, the county and a township,
for a month, a year and all time — and with two counties published the 州's prefecture figures are the two
counties' figures together while each county's role sees only its own. Real PostgreSQL + PostGIS, real stores."""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import psycopg2
import pytest

from linxia_tianguan_plugin import reports as model
from linxia_tianguan_plugin.core.reports import assessment as core
from linxia_tianguan_plugin.core.reports import statistics as stats
from linxia_tianguan_plugin.storage import assessment as assess_store
from linxia_tianguan_plugin.storage import pg_statistics
from linxia_tianguan_plugin.storage import statistics as stats_store
from tests import prefecture as pf
from tests.helpers import prepared_store, run, store_copy
from tests.pg_cluster import pg  # noqa: F401
from tests.prefecture import COUNTY_A, COUNTY_B, TOWNSHIP_A

ADMIN, DESK_A, DESK_B, ZHOU, XIANG = "ps_admin", "ps_desk_a", "ps_desk_b", "ps_zhou", "ps_xiang_a"
TODAY = dt.date(2025, 6, 20)  # mid-June 2025: done, not done and overdue tasks all occur
LATER = dt.date(2027, 6, 30)  # after every case event
JUNE = (dt.date(2025, 6, 1), dt.date(2025, 6, 30))
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
PERIODS = {"june": JUNE, "year": YEAR, "all": None}
_schemas = itertools.count(1)


# ------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def roles(pg):  # noqa: F811
    return pf.make_roles(pg, ADMIN, (DESK_A, DESK_B, ZHOU, XIANG))


def _new_schema(params) -> str:
    """A fresh schema at the latest version; A and B publish their counties, the 州 reads all, a 乡 role reads
    township 622921100."""
    return pf.new_schema(params, ADMIN, pf.scopes_for(DESK_A, DESK_B, ZHOU, XIANG), f"ps_test_{next(_schemas)}")


@pytest.fixture(scope="module")
def desk_a(filled_store, tmp_path_factory):
    """County A's desk: the filled sample (cases, June tasks, patrols, tracks, a coverage run)."""
    return store_copy(filled_store, tmp_path_factory.mktemp("ps_a"))


@pytest.fixture(scope="module")
def desk_b(processing_registry, tmp_path_factory):
    """A second county's desk (康乐县 622922): a small sample coded, grid built, roster imported, June's tasks
    dispatched."""
    from tools.samplegen import generate

    out = tmp_path_factory.mktemp("ps_county_b") / "county"
    generate(out, size=1500, seed=7, counties=[COUNTY_B], tracks=False, shapefiles=False)
    path = tmp_path_factory.mktemp("ps_desk_b") / "tianguan.gpkg"
    prepared_store(out, path)
    run("linxia_tianguan:dispatch_tasks", {"STORE": str(path), "START": "2025-06-01", "END": "2025-06-30",
                                           "AS_OF": "2025-06-20T00:00:00Z", "OUTPUT": None})
    return path


@pytest.fixture(scope="module")
def one_county(roles, desk_a):
    """A shared store where county A alone has published."""
    return pf.publish_all(roles, _new_schema(roles), {DESK_A: desk_a})


@pytest.fixture(scope="module")
def two_counties(roles, desk_a, desk_b):
    """A shared store where counties A and B have published."""
    return pf.publish_all(roles, _new_schema(roles), {DESK_A: desk_a, DESK_B: desk_b})


def _task_rows(table: stats.TaskTable | None) -> list[tuple]:
    """A TaskTable's tasks in a fixed order (the readers may group them in another order)."""
    if table is None:
        return []
    return sorted(zip(table.grid.tolist(), table.first_day.tolist(), table.last_day.tolist(), table.due.tolist()))


def _patrol_rows(days: stats.PatrolDays | None) -> list[tuple]:
    return [] if days is None else sorted(zip(days.grid.tolist(), days.day.tolist()))


def _same_inputs(desk: stats.StatInputs, shared: stats.StatInputs) -> None:
    """Field by field, so a failure names what differs."""
    assert shared.farmland == desk.farmland
    assert shared.officers == desk.officers
    assert shared.cases == desk.cases
    assert shared.rates == desk.rates
    assert shared.names == desk.names
    assert _task_rows(shared.task_table) == _task_rows(desk.task_table)
    assert _patrol_rows(shared.patrol_days) == _patrol_rows(desk.patrol_days)
    assert shared.tasks == desk.tasks


def _figures(inputs: stats.StatInputs, prefix: str, period, today=TODAY) -> stats.Figures:
    return stats.figures(inputs, today, prefix, period)


# ------------------------------------------------------------------------------------ one county: equal figures
#: (role, prefix): the 州 reading the prefecture and the county, the county's desk, the township's reader
VIEWS = [(ZHOU, ""), (ZHOU, "6229"), (ZHOU, COUNTY_A), (DESK_A, ""), (ZHOU, TOWNSHIP_A), (XIANG, TOWNSHIP_A)]


@pytest.mark.parametrize("period", list(PERIODS), ids=list(PERIODS))
@pytest.mark.parametrize(("role", "prefix"), VIEWS, ids=[f"{r}:{p or 'all'}" for r, p in VIEWS])
def test_dashboard_figures_from_postgis_equal_the_desks(roles, one_county, desk_a, role, prefix, period):
    first, last = PERIODS[period] or (None, None)
    desk = stats_store.load(desk_a, prefix, first, last)
    with pf.as_role(roles, role, one_county) as pgs:
        shared = pg_statistics.load(pgs, prefix, first, last)
    if role == XIANG:  # a township's reader sees its own units' names (and its parents'), not the whole county's
        assert set(shared.names) <= set(desk.names) and TOWNSHIP_A in shared.names
        shared.names = desk.names
    _same_inputs(desk, shared)
    assert shared.farmland and shared.officers and len(shared.task_table) and shared.cases
    for today in (TODAY, LATER):
        assert _figures(shared, prefix, PERIODS[period], today) == _figures(desk, prefix, PERIODS[period], today)
    # the dashboard's whole report (tables, title, labels) is the same too
    assert model.build(shared, TODAY, prefix, PERIODS[period]).tables == \
        model.build(desk, TODAY, prefix, PERIODS[period]).tables


@pytest.mark.parametrize(("role", "prefix"), [(ZHOU, ""), (DESK_A, COUNTY_A), (XIANG, TOWNSHIP_A)])
def test_rows_for_the_assessment_and_the_maps_are_the_desks(roles, one_county, desk_a, role, prefix):
    desk = stats_store.load(desk_a, prefix, *JUNE, rows=True)
    with pf.as_role(roles, role, one_county) as pgs:
        shared = pg_statistics.load(pgs, prefix, *JUNE, rows=True)
    assert shared.tasks == desk.tasks and shared.tasks
    assert shared.patrols._days == desk.patrols._days  # the valid patrols' Shanghai dates per grid
    shared.task_table = desk.task_table = shared.patrol_days = desk.patrol_days = None  # figures from the rows
    shared.names = desk.names
    assert _figures(shared, prefix, JUNE) == _figures(desk, prefix, JUNE)


@pytest.mark.parametrize(("kind", "period"), [("month", JUNE), ("year", YEAR)], ids=["june", "year"])
@pytest.mark.parametrize(("role", "prefix"), [(ZHOU, ""), (DESK_A, ""), (ZHOU, COUNTY_A), (XIANG, TOWNSHIP_A)])
def test_assessment_from_postgis_equals_the_desks(roles, one_county, desk_a, role, prefix, kind, period):
    desk = assess_store.load(desk_a, prefix, period)
    with pf.as_role(roles, role, one_county) as pgs:
        shared = pg_statistics.load_assessment(pgs, prefix, period)
    assert shared.posts == desk.posts and shared.posts
    assert shared.tracks == desk.tracks
    assert shared.evidence == desk.evidence
    assert shared.stats.tasks == desk.stats.tasks
    if role == XIANG:
        shared.stats.names = desk.stats.names
    result = core.assess(shared, kind, period, prefix=prefix)
    assert result == core.assess(desk, kind, period, prefix=prefix)


@pytest.mark.parametrize("prefix", ["", COUNTY_A, TOWNSHIP_A])
def test_survey_year_inputs_from_postgis_equal_the_desks(roles, one_county, desk_a, prefix):
    conn = stats_store.read_only(desk_a)
    try:
        desk = (stats_store.coded_totals(conn, prefix), stats_store.change_run_inputs(conn),
                stats_store.coding_parameters(conn), sorted(stats_store.survey_losses(conn, prefix)))
    finally:
        conn.close()
    with pf.as_role(roles, ZHOU, one_county) as pgs:
        shared = (pg_statistics.coded_totals(pgs, prefix), pg_statistics.change_run_inputs(pgs),
                  pg_statistics.coding_parameters(pgs), sorted(pg_statistics.survey_losses(pgs, prefix)))
    assert shared == desk
    assert desk[0][0] > 0 and desk[1] and desk[2]


# ------------------------------------------------------------------------------------ two counties
def _added(rows, keys: tuple[str, ...]) -> dict[tuple, tuple]:
    """Figure rows by ``keys``, their integer fields added up (the rows of one place from several counties)."""
    out: dict[tuple, tuple] = {}
    for row in rows:
        fields = {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
        key = tuple(fields.pop(k) for k in keys)
        counts = tuple(v for v in fields.values() if isinstance(v, int))
        seen = out.get(key)
        out[key] = counts if seen is None else tuple(x + y for x, y in zip(seen, counts))
    return out


def test_the_prefectures_figures_are_the_two_counties_together(roles, two_counties, desk_a, desk_b):
    with pf.as_role(roles, ZHOU, two_counties) as pgs:
        prefecture = pg_statistics.load(pgs, "", *JUNE)
        as_counties = [pg_statistics.load(pgs, c, *JUNE) for c in (COUNTY_A, COUNTY_B)]
    # each county under the 州's prefix is that county's desk under the same prefix
    for desk, county, shared in zip((desk_a, desk_b), (COUNTY_A, COUNTY_B), as_counties):
        own = stats_store.load(desk, county, *JUNE)
        assert own.names.items() <= shared.names.items()  # names are of every county the 州 reads
        shared.names = own.names
        _same_inputs(own, shared)
    a, b = (stats_store.load(d, "", *JUNE) for d in (desk_a, desk_b))
    # the prefecture: farmland rows and totals add up, posts add up, names and tasks are the union
    assert prefecture.farmland == sorted(a.farmland + b.farmland, key=lambda r: r.code)
    total = stats.totals(stats.farmland_by_township(prefecture.farmland))
    parts = [stats.totals(stats.farmland_by_township(d.farmland)) for d in (a, b)]
    assert total["farmland_m2"] == pytest.approx(parts[0]["farmland_m2"] + parts[1]["farmland_m2"], rel=1e-12)
    assert total["basic_m2"] == pytest.approx(parts[0]["basic_m2"] + parts[1]["basic_m2"], rel=1e-12)
    assert sum(r.count for r in prefecture.officers) == sum(r.count for r in a.officers + b.officers) > 0
    assert set(prefecture.names) == set(stats_store.load(desk_a).names) | set(stats_store.load(desk_b).names)
    assert _task_rows(prefecture.task_table) == sorted(_task_rows(a.task_table) + _task_rows(b.task_table))
    assert len(b.task_table) > 0
    assert prefecture.cases == a.cases and not b.cases  # county B has no cases
    fig = _figures(prefecture, "", JUNE)
    fa, fb = _figures(a, "", JUNE), _figures(b, "", JUNE)
    # rows of a place only one county has are that county's; the 州's own grid (6229), which both counties' rosters
    # and tasks hold, adds up
    assert _added(fig.patrols, ("month", "township")) == _added(fa.patrols + fb.patrols, ("month", "township"))
    assert _added(fig.officers, ("level", "township")) == _added(fa.officers + fb.officers, ("level", "township"))
    assert len(fig.patrols) < len(fa.patrols) + len(fb.patrols)
    assert fig.farmland == sorted(fa.farmland + fb.farmland, key=lambda r: r.township)
    assert fig.coverage == fa.coverage  # county B ran no coverage analysis


def test_a_county_role_sees_only_its_own_county(roles, two_counties, desk_a, desk_b):
    for role, desk in ((DESK_A, desk_a), (DESK_B, desk_b)):
        with pf.as_role(roles, role, two_counties) as pgs:
            shared = pg_statistics.load(pgs, "", *JUNE, rows=True)
            assessed = pg_statistics.load_assessment(pgs, "", JUNE)
        own = stats_store.load(desk, "", *JUNE, rows=True)
        _same_inputs(own, shared)
        assert _figures(shared, "", JUNE) == _figures(own, "", JUNE)
        assert core.assess(assessed, "month", JUNE) == core.assess(assess_store.load(desk, "", JUNE), "month", JUNE)
    # and the other county's prefix gives it nothing
    with pf.as_role(roles, DESK_B, two_counties) as pgs:
        other = pg_statistics.load(pgs, COUNTY_A, *JUNE)
    assert not other.farmland and not other.officers and not len(other.task_table) and not other.cases


def test_the_readers_leave_no_transaction_open_and_a_missing_schema_gives_nothing(roles, one_county):
    with pf.as_role(roles, ZHOU, one_county) as pgs:
        pg_statistics.load(pgs, "", *JUNE)
        assert pgs.conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE
        first = pg_statistics.coded_totals(pgs, COUNTY_A)
        assert first == pg_statistics.coded_totals(pgs, COUNTY_A)
    with pf.as_role(roles, ZHOU, one_county + "_missing") as pgs:
        empty = pg_statistics.load(pgs, "", *JUNE)
    assert dataclasses.asdict(empty)["farmland"] == [] and empty.task_table is None and not empty.cases
