"""Read the prefecture's shared 田管库 (PostGIS, :mod:`.pg_prefecture`) into the inputs of
:mod:`..core.reports.statistics` and :mod:`..core.reports.assessment` — the second reader beside the desk's
(:mod:`.statistics`, :mod:`.assessment`), giving the SAME inputs, so the dashboard, the statistics maps and the
assessment compute the same figures from either store with the one statistics module.

**Same SQL semantics as the desk reader.** Active codes only; farmland summed per township by the server; roster
posts counted per level/township/role/vacancy by the server; tasks grouped by period with their grid codes as one
text; valid patrols as (grid, Shanghai day) text; each case's last event and first 执行中/已整改/已结案 events; the
rates of the latest coverage run overlapping the period. Times are the desk's UTC text (the shared tables keep it;
the case tables' ``timestamptz`` are formatted back with :func:`..core.cases.workflow.format_time`).

**Per county.** A desk store holds one county; the shared store holds all of them, each with its own active roster,
coverage runs and cases. What the desk reader decides once for its store is decided here once per county (``DISTINCT
ON (county_code)``) and the rows are combined: the 州 role with prefix ``""`` or ``"6229"`` reads the prefecture's
dashboard, a county role its county's, a township role its township's (row-level security narrows every table to
the connected role's scope; ``prefix`` narrows further).

**Text order.** Codes, dates and UTC instants are compared and sorted ``COLLATE "C"`` (byte order, as SQLite does)
whatever the database's collation; ``prefix`` is matched with ``LIKE 'prefix%'`` (the place columns' indexes are
``text_pattern_ops``). Sums of areas are exact and rounded once (:func:`exact_sums`), as SQLite's compensated
``total()`` gives them, so the two stores' figures agree to the last bit.

Read in one read-only, repeatable-read transaction: a publish committing meanwhile is seen whole or not at all.
Plain psycopg2 (:mod:`psycopg2.sql` for every identifier): no QGIS.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator

from psycopg2 import sql

from ..core.cases import workflow
from ..core.patrol import tasks as task_rules
from ..core.patrol.coverage import GridRates
from ..core.reports import assessment as core
from ..core.reports import statistics as stats
from . import assessment as assess_store
from . import coverage as coverage_store
from . import pg_prefecture, pg_schema
from . import statistics as stats_store
from .postgis import PgStore


# ------------------------------------------------------------------------------------ helpers
class _Reader:
    """One cursor of a read-only snapshot of ``pg``'s schema, with the helpers every query needs."""

    def __init__(self, pg: PgStore, cur) -> None:
        self.cur = cur
        self.schema = sql.Identifier(pg.schema)
        self.schema_name = pg.schema
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("SET LOCAL TimeZone = 'UTC'")  # a zone-less UTC text is read as UTC, as SQLite does
        cur.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND c.relkind IN ('r', 'v', 'p')", (pg.schema,))
        self.have = {r[0] for r in cur.fetchall()}
        self.version = pg_schema.current_version(cur, pg.schema)  # from 7 on, stored bits and start validity

    def t(self, name: str) -> sql.Composable:
        return sql.SQL("{}.{}").format(self.schema, sql.Identifier(name))

    def rows(self, query: sql.Composable, args=()) -> list[tuple]:
        self.cur.execute(query, list(args))
        return self.cur.fetchall()

    def one(self, query: sql.Composable, args=()) -> tuple:
        self.cur.execute(query, list(args))
        return self.cur.fetchone()


def under(column: str, prefix: str) -> tuple[sql.Composable, list]:
    """``column LIKE 'prefix%'`` (everything for ""), the PostgreSQL spelling of
    :func:`.tasks.code_range`: NULL codes are left out unless the prefix is empty."""
    if not prefix:
        return sql.SQL("true"), []
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sql.SQL("{} LIKE %s").format(sql.SQL(column)), [escaped + "%"]


_BITS = pg_prefecture.FLOAT_BITS


def exact_sums(r: _Reader, table: str, key: str, columns: tuple[str, ...], where: sql.Composable,
               args: list) -> dict[str, tuple[list[float], int]]:
    """key → ([sum of each float column], rows) over ``table``'s rows matching ``where``, grouped by the SQL
    expression ``key``: each sum EXACT, rounded once — what SQLite's compensated ``total()`` gives the desk reader
    (a plain ``sum(float8)`` drifts by an ulp now and then, so a 州 figure would differ from the county's).

    The server splits every value into its binary exponent and integer significand (``float8send``) and sums the
    significands per key, column and exponent as ``numeric`` (exact); here those few sums per township are added
    as Python integers and divided once (correctly rounded). NULLs are left out, as ``total`` does."""
    stored = pg_prefecture.AREA_BITS.get(table, {})
    if all(c in stored for c in columns) and r.version >= 7:  # the bit patterns stored when the rows were written
        values = sql.SQL(", ").join(sql.SQL("({i}, s.{b})").format(i=sql.Literal(i), b=sql.Identifier(stored[c]))
                                    for i, c in enumerate(columns))
        bits = sql.SQL("v.x")
    else:
        values = sql.SQL(", ").join(sql.SQL("({i}, {c})").format(i=sql.Literal(i), c=sql.Identifier(c))
                                    for i, c in enumerate(columns))
        bits = sql.SQL(_BITS.format(x="v.x"))
    query = sql.SQL(
        "SELECT k, c, e, sum(m), count(*) FROM (SELECT k, c, (b >> 52) & 2047 AS e, "
        "CASE WHEN b < 0 THEN -1 ELSE 1 END * ((b & 4503599627370495) "
        "+ CASE WHEN (b >> 52) & 2047 > 0 THEN 4503599627370496 ELSE 0 END) AS m "
        "FROM (SELECT {key} AS k, v.c, {bits} AS b FROM {t} s CROSS JOIN LATERAL (VALUES {values}) AS v(c, x) "
        "WHERE {w}) q) q GROUP BY k, c, e").format(key=sql.SQL(key), bits=bits, t=r.t(table), values=values, w=where)
    parts: dict[str, list[list[tuple[int, int]]]] = {}
    counts: dict[str, int] = {}
    for k, c, e, m, n in r.rows(query, args):
        k = "" if k is None else str(k)
        parts.setdefault(k, [[] for _ in columns])
        if c == 0:
            counts[k] = counts.get(k, 0) + int(n)
        if m is not None:
            parts[k][c].append((max(int(e), 1) - 1075, int(m)))  # value = m · 2^(exponent − 1075); subnormals: 1
    return {k: ([_exact(terms) for terms in p], counts.get(k, 0)) for k, p in parts.items()}


def _exact(terms: list[tuple[int, int]]) -> float:
    """Σ m · 2^shift, correctly rounded (Python's int true division is)."""
    if not terms:
        return 0.0
    low = min(shift for shift, _ in terms)
    total = sum(m << (shift - low) for shift, m in terms)
    return float(total << low) if low >= 0 else total / (1 << -low)


def _active_rosters(r: _Reader) -> sql.Composable:
    """Each county's active roster (:func:`.roster.active_roster_id`: marked active, the newest import if several
    are; the desk's rowid tie-break is the roster id here)."""
    return sql.SQL("(SELECT DISTINCT ON (county_code) county_code, roster_id FROM {ri} WHERE active <> 0 "
                   "ORDER BY county_code, imported_at COLLATE \"C\" DESC, roster_id COLLATE \"C\" DESC)").format(
        ri=r.t("roster_imports"))


def _text(value) -> str | None:
    """A case table's timestamptz as the desk's UTC text."""
    return None if value is None else workflow.format_time(value) if isinstance(value, dt.datetime) else str(value)


# ------------------------------------------------------------------------------------ statistics
def farmland(r: _Reader, prefix: str = "") -> list[stats.FarmlandRow]:
    """Active parcels' 耕地 / 永久基本农田 m² per township (:func:`.statistics.farmland`), summed by the server."""
    where, args = under("code", prefix)
    sums = exact_sums(r, "space_codes", 'substr(s.code COLLATE "C", 1, 9)', ("gdmj_m2", "yjmj_m2"),
                      sql.SQL("s.status = 'active' AND {}").format(where), args)
    return [stats.FarmlandRow(t, farm, basic, n) for t, ((farm, basic), n) in sorted(sums.items())]


def officers(r: _Reader, prefix: str = "") -> list[stats.OfficerRecord]:
    """Posts of each county's active roster counted per level, township, role and vacancy
    (:func:`.statistics.officers`)."""
    where, args = under("o.grid_code", prefix)
    return [stats.OfficerRecord(int(lv), str(t), str(role), bool(v), int(n)) for lv, t, role, v, n in r.rows(sql.SQL(
        "SELECT o.level, substr(o.grid_code COLLATE \"C\", 1, 9) AS t, o.role COLLATE \"C\" AS role, o.vacant, "
        "count(*) FROM {o} o JOIN {a} a USING (county_code, roster_id) WHERE {w} GROUP BY o.level, t, 3, o.vacant "
        "ORDER BY o.level, t, 3, o.vacant NULLS FIRST").format(
        o=r.t("officers"), a=_active_rosters(r), w=where), args)]


def _task_filter(prefix: str, start, end, alias: str = "") -> tuple[sql.Composable, list]:
    """:func:`.tasks.task_filter`: grids under ``prefix`` whose period overlaps [start, end]."""
    where, args = under(alias + "grid_code", prefix)
    parts = [where]
    if start is not None:
        parts.append(sql.SQL(alias + 'period_end COLLATE "C" >= %s'))
        args.append(str(start))
    if end is not None:
        parts.append(sql.SQL(alias + 'period_start COLLATE "C" <= %s'))
        args.append(str(end))
    return sql.SQL(" AND ").join(parts), args


def task_table(r: _Reader, prefix: str = "", start=None, end=None) -> stats.TaskTable:
    """Tasks as columns (:func:`.statistics.task_table`): grouped by period, each group's grid codes as one text."""
    where, args = _task_filter(prefix, start, end)
    return stats_store.task_columns(r.rows(sql.SQL(
        "SELECT period_start, period_end, due_at, string_agg(grid_code, ',') FROM {t} WHERE {w} "
        "GROUP BY period_end, period_start, due_at").format(t=r.t("tasks"), w=where), args))


#: what SQLite's ``julianday`` reads (date, optional time with optional seconds/fraction, optional zone)
_INSTANT = pg_prefecture.INSTANT


def patrol_days(r: _Reader, prefix: str = "") -> stats.PatrolDays:
    """Valid patrols as columns (:func:`.statistics.patrol_days`): grid code and the Shanghai day number of the
    start (+8 h all year); a start that is not a time is left out."""
    where, args = under("grid_code", prefix)
    text = r.one(sql.SQL(
        "SELECT string_agg(grid_code || ',' || ((started_at::timestamptz AT TIME ZONE 'UTC' + interval '8 hours')"
        "::date - date '1970-01-01'), ',') FROM {p} WHERE valid = 1 AND {ok} AND {w}").format(
        p=r.t("patrols"), w=where, ok=sql.SQL("started_valid") if r.version >= 7 else sql.SQL("started_at ~ %s")),
        [*([] if r.version >= 7 else [_INSTANT]), *args])[0]
    cols = stats_store.int_columns(text, 2)
    return stats.PatrolDays(cols[:, 0], cols[:, 1])


def tasks(r: _Reader, prefix: str = "", start=None, end=None) -> list[task_rules.Task]:
    """Tasks as rows (:func:`.tasks.tasks`), by grid code and period."""
    where, args = _task_filter(prefix, start, end)
    return [task_rules.Task(*row) for row in r.rows(sql.SQL(
        "SELECT {c} FROM {t} WHERE {w} ORDER BY grid_code COLLATE \"C\", period_start COLLATE \"C\"").format(
        c=sql.SQL(", ").join(map(sql.Identifier, task_rules.Task.COLUMNS)), t=r.t("tasks"), w=where), args)]


def patrols(r: _Reader, prefix: str = "") -> list[task_rules.Patrol]:
    """Patrols as rows (:func:`.tasks.patrols`), by grid and start."""
    where, args = under("grid_code", prefix)
    return [task_rules.Patrol(*row[:6], bool(row[6]), row[7]) for row in r.rows(sql.SQL(
        "SELECT {c} FROM {p} WHERE {w} ORDER BY grid_code COLLATE \"C\", started_at COLLATE \"C\"").format(
        c=sql.SQL(", ").join(map(sql.Identifier, task_rules.Patrol.COLUMNS)), p=r.t("patrols"), w=where), args)]


def _event_times(r: _Reader) -> dict[str, dict[str, str]]:
    """case_id → its last event's time and its first entries into 执行中/已整改/已结案 (event order per case)."""
    times: dict[str, dict[str, str]] = {}
    for case_id, at in r.rows(sql.SQL("SELECT DISTINCT ON (county_code, case_id) case_id::text, at FROM {e} "
                                      "ORDER BY county_code, case_id, event_id DESC").format(e=r.t("case_events"))):
        times.setdefault(case_id, {})["entered_at"] = _text(at)
    firsts = stats_store.FIRST_TIMES
    for case_id, state, at in r.rows(sql.SQL(
            "SELECT DISTINCT ON (county_code, case_id, to_state) case_id::text, to_state, at FROM {e} "
            "WHERE to_state = ANY(%s) ORDER BY county_code, case_id, to_state, event_id").format(
            e=r.t("case_events")), [list(firsts)]):
        times.setdefault(case_id, {})[firsts[state]] = _text(at)
    return times


def cases(r: _Reader, prefix: str = "") -> list[stats.CaseRecord]:
    """Cases with the times of their events (:func:`.statistics.cases`)."""
    times = _event_times(r)
    where, args = under("grid_code", prefix)
    return [stats_store.case_record((*row[:8], _text(row[8])), times) for row in r.rows(sql.SQL(
        "SELECT case_id::text, state, kind, category, area_m2, coalesce(basic_m2, 0), coalesce(farmland_m2, 0), "
        "coalesce(grid_code, ''), detected_at FROM {c} WHERE {w} ORDER BY case_id::text COLLATE \"C\"").format(
        c=r.t("cases"), w=where), args)]


def _latest_runs(r: _Reader, start=None, end=None) -> tuple[sql.Composable, list]:
    """Each county's latest coverage run overlapping [start, end] (:func:`.coverage.latest_run`)."""
    where, args = [sql.SQL("true")], []
    if start not in (None, ""):
        where.append(sql.SQL('period_end COLLATE "C" >= %s'))
        args.append(str(start))
    if end not in (None, ""):
        where.append(sql.SQL('period_start COLLATE "C" <= %s'))
        args.append(str(end))
    return sql.SQL("(SELECT DISTINCT ON (county_code) county_code, run_id FROM {r} WHERE {w} ORDER BY county_code, "
                   "period_end COLLATE \"C\" DESC, run_at COLLATE \"C\" DESC, run_id COLLATE \"C\" DESC)").format(
        r=r.t("coverage_runs"), w=sql.SQL(" AND ").join(where)), args


def rates(r: _Reader, prefix: str = "", start=None, end=None) -> dict[str, GridRates]:
    """Rates of each county's latest coverage run overlapping [start, end], codes under ``prefix``
    (:func:`.coverage.rates`). A code two counties' runs both hold (the 州's own) gets their sums."""
    runs, args = _latest_runs(r, start, end)
    where, more = under("c.code", prefix)
    out: dict[str, GridRates] = {}
    for row in r.rows(sql.SQL(
            "SELECT c.code, c.farmland_m2, c.seen_m2, c.basic_m2, c.basic_seen_m2, c.parcels, c.seen_parcels "
            "FROM {c} c JOIN {runs} k USING (county_code, run_id) WHERE {w} ORDER BY c.county_code").format(
            c=r.t("coverage_rates"), runs=runs, w=where), [*args, *more]):
        rate = coverage_store.grid_rates(row)
        seen = out.get(rate.code)
        out[rate.code] = rate if seen is None else GridRates(
            rate.code, seen.farmland_m2 + rate.farmland_m2, seen.seen_m2 + rate.seen_m2, seen.basic_m2 + rate.basic_m2,
            seen.basic_seen_m2 + rate.basic_seen_m2, seen.parcels + rate.parcels, seen.seen_parcels + rate.seen_parcels)
    return out


def unit_names(r: _Reader) -> dict[str, str]:
    """Administrative code → name (:func:`.cases.unit_names`), of every visible county."""
    return dict(r.rows(sql.SQL("SELECT code, name FROM {a} ORDER BY county_code, code COLLATE \"C\"").format(
        a=r.t("admin_units"))))


@contextlib.contextmanager
def _read(pg: PgStore, what: str) -> Iterator[_Reader]:
    """A :class:`_Reader` in one transaction of ``pg`` (a database error becomes ``PgStoreError`` naming ``what``)."""
    with pg.transaction(what) as cur:
        yield _Reader(pg, cur)


def _inputs(r: _Reader, prefix: str, start, end, rows: bool) -> stats.StatInputs:
    out = stats.StatInputs()
    if "space_codes" in r.have:
        out.farmland = farmland(r, prefix)
    if "officers" in r.have:
        out.officers = officers(r, prefix)
    if "tasks" in r.have:
        out.task_table = task_table(r, prefix, start, end)
        out.patrol_days = patrol_days(r, prefix)
        if rows:
            out.tasks = tasks(r, prefix, start, end)
            out.patrols = task_rules.PatrolIndex(patrols(r, prefix))
    if "cases" in r.have and "case_events" in r.have:
        out.cases = cases(r, prefix)
    if "coverage_rates" in r.have:
        out.rates = rates(r, prefix, start, end)
    if "admin_units" in r.have:
        out.names = unit_names(r)
    return out


def load(pg: PgStore, prefix: str = "", start=None, end=None, rows: bool = False) -> stats.StatInputs:
    """Everything :func:`..core.reports.statistics.figures` needs, from the shared store as the connected role sees
    it, under ``prefix`` — :func:`.statistics.load` for PostGIS (same arguments, same inputs): tasks whose period
    overlaps [start, end], each county's latest coverage run overlapping it, rows too with ``rows``."""
    with _read(pg, "reading the statistics") as r:
        return _inputs(r, prefix, start, end, rows)


# ------------------------------------------------------------------------------------ assessment
def posts(r: _Reader, prefix: str = "") -> list[core.Post]:
    """Officer posts of each county's active roster (:func:`.assessment.posts`): a grid's first 'officer' row in
    the desk's roster order (``row_no`` is the desk's rowid)."""
    where, args = under("o.grid_code", prefix)
    return assess_store.post_records(r.rows(sql.SQL(
        "SELECT o.grid_code, o.level, o.name, o.phone, o.grid_name, o.vacant FROM {o} o JOIN {a} a "
        "USING (county_code, roster_id) WHERE o.role = 'officer' AND {w} ORDER BY o.county_code, o.row_no").format(
        o=r.t("officers"), a=_active_rosters(r), w=where), args))


def previous_tasks(r: _Reader, prefix: str, first: dt.date) -> list[task_rules.Task]:
    """Each grid's last task due before ``first`` (:func:`.assessment.previous_tasks`)."""
    where, args = under("grid_code", prefix)
    return [task_rules.Task(*row) for row in r.rows(sql.SQL(
        "SELECT {c} FROM {t} t JOIN (SELECT county_code, grid_code, max(period_end COLLATE \"C\") AS last_end "
        "FROM {t} WHERE period_end COLLATE \"C\" < %s AND {w} GROUP BY county_code, grid_code) p "
        "ON p.county_code = t.county_code AND p.grid_code = t.grid_code AND p.last_end = t.period_end "
        "ORDER BY t.grid_code COLLATE \"C\", t.period_start COLLATE \"C\"").format(
        c=sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in task_rules.Task.COLUMNS),
        t=r.t("tasks"), w=where), [first.isoformat(), *args])]


def tracks(r: _Reader, prefix: str, first: dt.date, last: dt.date) -> list[core.TrackRecord]:
    """Tracks with a grid under ``prefix`` started from the day before ``first`` to the day after ``last``
    (:func:`.assessment.tracks`)."""
    where, args = under("grid_code", prefix)
    low, high = assess_store.track_bounds(first, last)
    return [assess_store.track_record(row) for row in r.rows(sql.SQL(
        "SELECT track_id, grid_code, started_at, flags, accepted FROM {t} WHERE grid_code IS NOT NULL AND {w} "
        "AND started_at COLLATE \"C\" >= %s AND started_at COLLATE \"C\" < %s "
        "ORDER BY grid_code COLLATE \"C\", started_at COLLATE \"C\", track_id COLLATE \"C\"").format(
        t=r.t("tracks"), w=where), [*args, low, high])]


def evidence_times(r: _Reader, prefix: str = "") -> dict[str, tuple[str | None, str | None]]:
    """case_id → (first entry into 已下发, first entry into 已举证) (:func:`.assessment.evidence_times`)."""
    where, args = under("c.grid_code", prefix)
    out: dict[str, list] = {}
    for case_id, state, at in r.rows(sql.SQL(
            "SELECT DISTINCT ON (e.county_code, e.case_id, e.to_state) e.case_id::text, e.to_state, e.at FROM {e} e "
            "JOIN {c} c ON c.county_code = e.county_code AND c.case_id = e.case_id WHERE e.to_state = ANY(%s) "
            "AND {w} ORDER BY e.county_code, e.case_id, e.to_state, e.event_id").format(
            e=r.t("case_events"), c=r.t("cases"), w=where), [[workflow.ISSUED, workflow.EVIDENCED], *args]):
        out.setdefault(case_id, [None, None])[0 if state == workflow.ISSUED else 1] = _text(at)
    return {k: (v[0], v[1]) for k, v in out.items()}


def load_assessment(pg: PgStore, prefix: str = "", period=None) -> core.AssessInputs:
    """Everything :func:`..core.reports.assessment.assess` needs for ``period`` (first, last) under ``prefix`` from
    the shared store — :func:`.assessment.load` for PostGIS."""
    first, last = (task_rules.as_date(period[0]), task_rules.as_date(period[1]))
    with _read(pg, "reading the assessment") as r:
        inputs = core.AssessInputs(_inputs(r, prefix, first, last, rows=True))
        if "tasks" in r.have:
            known = {t.task_id for t in inputs.stats.tasks}
            inputs.stats.tasks += [t for t in previous_tasks(r, prefix, first) if t.task_id not in known]
        if "officers" in r.have and "roster_imports" in r.have:
            inputs.posts = posts(r, prefix)
        if "tracks" in r.have:
            inputs.tracks = tracks(r, prefix, first, last)
        if "cases" in r.have and "case_events" in r.have:
            inputs.evidence = evidence_times(r, prefix)
        return inputs


# ------------------------------------------------------------------------------------ the map's grid
@dataclasses.dataclass
class MapCells:
    """The statistics map's cells from the shared grid — :func:`.grid.active_cells_up_to` and the names the map
    gives them, for every county the role reads."""

    #: (code, level, name or '', WKB in the schema's SRID) by level and code
    cells: list[tuple[str, int, str, bytes]]
    #: administrative code → name (:func:`unit_names`)
    names: dict[str, str]
    #: the SRID of the shared store's geometry (None when the schema has no grid)
    srid: int | None


def _active_builds(r: _Reader) -> sql.Composable:
    """Each county's active grid build (:func:`.grid.active_build`: marked active, the newest if several are)."""
    return sql.SQL("(SELECT DISTINCT ON (county_code) county_code, build_id FROM {b} WHERE active = 1 "
                   "ORDER BY county_code, built_at COLLATE \"C\" DESC, build_id COLLATE \"C\" DESC)").format(
        b=r.t("grid_builds"))


def active_cells(r: _Reader, level: int, prefix: str = "") -> list[tuple[str, int, str, bytes]]:
    """(code, level, name or '', WKB) of each county's active build's cells of ``level`` and above under
    ``prefix``, by level and code. A code several counties' grids hold (the prefecture's cell: each county's grid
    has its own part of it) is one cell, their geometries unioned; a code of one county keeps its geometry as
    published."""
    where, args = under("c.code", prefix)
    g = sql.Identifier(_postgis_schema(r))
    return [(str(code), int(lv), str(name), bytes(wkb)) for code, lv, name, wkb in r.rows(sql.SQL(
        "SELECT c.code, c.level, coalesce(min(c.name COLLATE \"C\"), ''), {g}.st_asbinary(CASE WHEN count(*) = 1 "
        "THEN (array_agg(c.geom))[1] ELSE {g}.st_multi({g}.st_union(c.geom)) END) FROM {c} c JOIN {b} b "
        "USING (county_code, build_id) WHERE c.level <= %s AND {w} GROUP BY c.code, c.level "
        "ORDER BY c.level, c.code COLLATE \"C\"").format(g=g, c=r.t("grid_cells"), b=_active_builds(r), w=where),
        [int(level), *args])]


def _postgis_schema(r: _Reader) -> str:
    """The schema PostGIS's functions live in (not necessarily on the role's search_path)."""
    row = r.one(sql.SQL("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                        "WHERE e.extname = 'postgis'"))
    return row[0] if row else "public"


def _geometry_srid(r: _Reader, table: str) -> int | None:
    """The SRID of ``table``'s geometry column in the schema (PostGIS's catalogue), None when there is none."""
    row = r.one(sql.SQL("SELECT srid FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = %s "
                        "AND f_geometry_column = 'geom'"), [r.schema_name, table])
    return None if row is None else int(row[0])


def map_cells(pg: PgStore, prefix: str = "", level: int = 3) -> MapCells:
    """The statistics map's cells (levels 1 to ``level``) of the shared grid under ``prefix`` with the names of the
    administrative units, as the connected role sees them (:class:`MapCells`; empty when the schema has no grid).
    The 州 with prefix "" or "6229" gets every county's townships."""
    with _read(pg, "reading the patrol grid") as r:
        if "grid_cells" not in r.have or "grid_builds" not in r.have:
            return MapCells([], unit_names(r) if "admin_units" in r.have else {}, None)
        return MapCells(active_cells(r, level, prefix), unit_names(r) if "admin_units" in r.have else {},
                        _geometry_srid(r, "grid_cells"))


def latest_coverage_run(pg: PgStore, prefix: str = "", start=None, end=None) -> tuple[str, str, str] | None:
    """(run_id, period_start, period_end) of the latest coverage run overlapping [start, end] among the counties
    under ``prefix`` (:func:`.coverage.latest_run`; latest = the latest period end, then run), None when none."""
    with _read(pg, "reading the coverage runs") as r:
        if "coverage_runs" not in r.have:
            return None
        runs, args = _latest_runs(r, start, end)
        where, more = under("k.county_code", prefix[:6])
        row = r.one(sql.SQL("SELECT k.run_id, c.period_start, c.period_end FROM {runs} k JOIN {c} c "
                            "USING (county_code, run_id) WHERE {w} ORDER BY c.period_end COLLATE \"C\" DESC, "
                            "c.run_at COLLATE \"C\" DESC, k.run_id COLLATE \"C\" DESC LIMIT 1").format(
            runs=runs, c=r.t("coverage_runs"), w=where), [*args, *more])
        return tuple(row) if row else None


# ------------------------------------------------------------------------------------ survey years
def coded_totals(pg: PgStore, prefix: str = "") -> tuple[float, float]:
    """(耕地 m², 永久基本农田 m²) of the active codes under ``prefix`` (:func:`.statistics.coded_totals`)."""
    with _read(pg, "reading the coded totals") as r:
        if "space_codes" not in r.have:
            return 0.0, 0.0
        where, args = under("code", prefix)
        sums = exact_sums(r, "space_codes", "''", ("gdmj_m2", "yjmj_m2"),
                          sql.SQL("s.status = 'active' AND {}").format(where), args)
        farm, basic = sums.get("", ([0.0, 0.0], 0))[0]
        return farm, basic


def _county_of(prefix: str) -> str:
    """The county a prefix is in ("" for the prefecture or none): the runs of that county only."""
    return prefix[:6] if len(prefix) >= 6 else ""


def change_run_inputs(pg: PgStore, prefix: str = "") -> list[tuple[str, str | None]]:
    """(run_id, inputs JSON) of every visible change-detection run of the county of ``prefix`` (all visible
    counties for "" or the prefecture), oldest first (:func:`.statistics.change_run_inputs`)."""
    where, args = under("county_code", _county_of(prefix))
    with _read(pg, "reading the change runs") as r:
        if "change_runs" not in r.have:
            return []
        return [(str(i), j) for i, j in r.rows(sql.SQL(
            "SELECT run_id, inputs FROM {c} WHERE {w} ORDER BY run_at COLLATE \"C\", county_code, "
            "run_id COLLATE \"C\"").format(c=r.t("change_runs"), w=where), args)]


def coding_parameters(pg: PgStore, prefix: str = "") -> str | None:
    """The JSON parameters of the latest coding run not undone of the county of ``prefix`` (any visible county for
    "" or the prefecture; :func:`.statistics.coding_parameters`)."""
    where, args = under("county_code", _county_of(prefix))
    with _read(pg, "reading the coding runs") as r:
        if "coding_runs" not in r.have:
            return None
        row = r.one(sql.SQL("SELECT parameters FROM {c} WHERE undone_at IS NULL AND {w} ORDER BY started_at "
                            "COLLATE \"C\" DESC LIMIT 1").format(c=r.t("coding_runs"), w=where), args)
        return row[0] if row else None


def rates_if_kept(pg: PgStore, prefix: str = "", start=None, end=None) -> dict[str, GridRates] | None:
    """:func:`rates` in one read-only snapshot of ``pg``, None when the schema keeps no coverage rates
    (:func:`.coverage.rates_if_kept` of the shared store)."""
    with _read(pg, "reading the coverage rates") as r:
        if "coverage_rates" not in r.have:
            return None
        return rates(r, prefix, start, end)


def survey_losses(pg: PgStore, prefix: str = "") -> list[tuple[str, float, float]]:
    """(run_id, 耕地 m², 永久基本农田 m²) lost per change-detection run over its survey cases under ``prefix``
    (:func:`.statistics.survey_losses`)."""
    with _read(pg, "reading the survey losses") as r:
        if "cases" not in r.have:
            return []
        where, args = under("coalesce(s.grid_code, '')", prefix)
        sums = exact_sums(r, "cases", "s.run_id", ("farmland_m2", "basic_m2"),
                          sql.SQL("s.source = 'survey' AND {}").format(where), args)
        return [(run, farm, basic) for run, ((farm, basic), _) in sums.items()]


__all__ = ["load", "load_assessment", "coded_totals", "change_run_inputs", "coding_parameters", "survey_losses",
           "under", "MapCells", "map_cells", "latest_coverage_run"]
