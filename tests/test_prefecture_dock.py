"""The 领导田管驾驶舱 dock on the prefecture's shared store (州库, PostGIS) as well as a desk's GeoPackage: after two
counties publish, the 州 role's dock shows both counties (every township of both in its farmland table, the figures
their sums, each county's filter its desk's tables), a county role's dock shows the tables the dock shows on that
county's GeoPackage, switching back to the desk's store works, and a connection or schema that cannot be read is said
in words in the dock (never a traceback, never the password). Real PostgreSQL + PostGIS, saved QGIS connections
(one with an authcfg), real stores."""
from __future__ import annotations

import json

import pytest

from tests import prefecture as pf
from tests.helpers import store_copy
from tests.pg_cluster import pg  # noqa: F401
from tests.prefecture import COUNTY_A, COUNTY_B

ADMIN, DESK_A, DESK_B, ZHOU, NOBODY = "pd_admin", "pd_desk_a", "pd_desk_b", "pd_zhou", "pd_nobody"
SECRET = "pd-secret-Zh0u!"
FIRST, LAST, TODAY = "2025-06-01", "2025-06-30", "2025-06-20"
NOW = "2025-07-20T10:00:00+08:00"


# ------------------------------------------------------------------------------------ fixtures
@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    from linxia_tianguan_plugin.core import clock

    monkeypatch.setenv(clock.ENV, NOW)
    monkeypatch.delenv(clock.SINCE_ENV, raising=False)


@pytest.fixture(autouse=True)
def kept_setting():
    """The dock remembers the last 州库 it read: the tests leave the setting as they found it."""
    from linxia_tianguan_plugin import settings

    before = settings.DASHBOARD_PREFECTURE.get()
    yield
    settings.DASHBOARD_PREFECTURE.set(before)


@pytest.fixture(scope="module")
def desk_a(filled_store, tmp_path_factory):
    """County A's desk: the filled sample (a publish writes its marks into the desk store, so a copy)."""
    return store_copy(filled_store, tmp_path_factory.mktemp("pd_a"))


@pytest.fixture(scope="module")
def shared(qgis_app, pg, desk_a, desk_b):  # noqa: F811
    """A shared store where counties A and B have published, and the QGIS connections of the roles:
    {"schema", role: connection name}. The 州's connection takes its user and password from an authcfg; NOBODY has
    no scope, "closed" a server that does not answer."""
    roles = pf.make_roles(pg, ADMIN, (DESK_A, DESK_B, ZHOU, NOBODY))
    name = pf.new_schema(roles, ADMIN, pf.scopes_for(DESK_A, DESK_B, ZHOU), "pd_shared")
    pf.publish_all(roles, name, {DESK_A: desk_a, DESK_B: desk_b})
    zhou = pf.new_authcfg(ZHOU, SECRET, "pd test")
    return {"schema": name,
            DESK_A: pf.save_connection("pd_county_a", dict(roles, user=DESK_A)),
            DESK_B: pf.save_connection("pd_county_b", dict(roles, user=DESK_B)),
            ZHOU: pf.save_connection("pd_zhou", roles, zhou),
            NOBODY: pf.save_connection("pd_nobody", dict(roles, user=NOBODY)),
            "closed": pf.save_connection("pd_closed", dict(roles, port=1), pf.new_authcfg(ZHOU, SECRET, "pd test"))}


@pytest.fixture(scope="module")
def desk_b(county_b_store, tmp_path_factory):
    """County B's desk (康乐县 622922): coded, grid built, roster imported; a copy too."""
    return store_copy(county_b_store, tmp_path_factory.mktemp("pd_b"))


@pytest.fixture
def docks(qgis_iface):
    """Make docks (``make()``); each is cleaned up after the test."""
    from linxia_tianguan_plugin.ui.dashboard import DashboardDock

    made = []

    def make():
        dock = DashboardDock(qgis_iface, store_path="")
        made.append(dock)
        return dock

    yield make
    for dock in made:
        dock.cleanup()
        dock.deleteLater()


def _on_desk(make, path, prefix: str = ""):
    dock = make()
    assert dock.set_store(path)
    dock.set_filters(prefix, FIRST, LAST, today=TODAY)
    return dock


def _on_prefecture(make, shared: dict, role: str, prefix: str = ""):
    dock = make()
    assert dock.set_prefecture(shared[role], shared["schema"]), dock.status.text()
    dock.set_filters(prefix, FIRST, LAST, today=TODAY)
    return dock


def _cells(dock, name: str) -> list[list]:
    """The values of panel ``name``'s table as shown (the model behind the view, in the report's order)."""
    proxy = dock.table(name)
    return [[proxy.data(proxy.index(r, c)) for c in range(proxy.columnCount())] for r in range(proxy.rowCount())]


def _all_cells(dock) -> dict[str, list[list]]:
    from linxia_tianguan_plugin.reports import PANELS

    return {name: _cells(dock, name) for name in PANELS}


# ------------------------------------------------------------------------------------ the 州 and the counties
def test_the_prefectures_dock_shows_both_counties(shared, docks, desk_a, desk_b):
    zhou = _on_prefecture(docks, shared, ZHOU)
    a, b = _on_desk(docks, desk_a), _on_desk(docks, desk_b)
    assert zhou.source == "pg" and zhou.report is not None
    farmland = _cells(zhou, "farmland")
    assert sorted(farmland) == sorted(_cells(a, "farmland") + _cells(b, "farmland"))
    assert {row[0][:6] for row in farmland} == {COUNTY_A, COUNTY_B}
    # the figures are the two counties' sums
    for field in ("farmland_mu", "basic_mu", "parcels"):
        total = sum(getattr(f, field) for f in zhou.figures().farmland)
        assert total == pytest.approx(sum(getattr(f, field) for d in (a, b) for f in d.figures().farmland))
    assert sum(r[3] for r in _cells(zhou, "cases")) == sum(r[3] for d in (a, b) for r in _cells(d, "cases"))
    assert sum(r[3] for r in _cells(zhou, "patrols")) == sum(r[3] for d in (a, b) for r in _cells(d, "patrols")) > 0
    # both counties are offered; each county's filter shows what that county's desk shows
    assert {zhou.county.itemData(i) for i in range(zhou.county.count())} == {"", COUNTY_A, COUNTY_B}
    zhou.county.setCurrentIndex(zhou.county.findData(COUNTY_B))
    assert zhou.report.prefix == COUNTY_B
    assert _all_cells(zhou) == _all_cells(_on_desk(docks, desk_b, COUNTY_B))
    township = _cells(a, "farmland")[1][0]
    zhou.set_filters(township, FIRST, LAST)
    assert zhou.township.currentData() == township
    assert _all_cells(zhou) == _all_cells(_on_desk(docks, desk_a, township))
    # the password of the 州's authcfg is neither shown nor remembered
    from linxia_tianguan_plugin import settings

    assert json.loads(settings.DASHBOARD_PREFECTURE.get()) == {"connection": shared[ZHOU], "schema": shared["schema"]}
    assert SECRET not in zhou.status.text() and SECRET not in settings.DASHBOARD_PREFECTURE.get()


def test_a_county_roles_dock_is_its_desks(shared, docks, desk_a):
    county = _on_prefecture(docks, shared, DESK_A)
    desk = _on_desk(docks, desk_a)
    tables = _all_cells(desk)
    assert _all_cells(county) == tables
    assert sum(len(rows) for rows in tables.values()) > 20 and tables["coverage"]  # a real report
    assert county.report.title == desk.report.title
    # the same period filter works on what was read
    for dock in (county, desk):
        dock.period_kind.setCurrentIndex(dock.period_kind.findData("all"))
    assert county.report.period is None and _all_cells(county) == _all_cells(desk)


def test_switching_between_the_desk_and_the_prefecture_store(shared, docks, desk_a):
    from qgis.core import QgsProject, QgsVectorLayer

    dock = docks()
    desk_only = _on_desk(docks, desk_a)
    assert dock.set_store(desk_a)
    dock.set_filters("", FIRST, LAST, today=TODAY)
    assert not dock.store_widget.isHidden() and dock.prefecture_row.isHidden()
    # as a user would: the 州库 chosen in the source combo, with the connection and schema shown
    dock.connection_combo.setConnection(shared[ZHOU])
    dock.schema_edit.setText(shared["schema"])
    dock.source_combo.setCurrentIndex(dock.source_combo.findData("pg"))
    assert dock.source == "pg" and dock.pg is not None, dock.status.text()
    assert dock.store_widget.isHidden() and not dock.prefecture_row.isHidden()
    assert {r[0][:6] for r in _cells(dock, "farmland")} == {COUNTY_A, COUNTY_B}
    # selecting on the map needs the desk's grid layer: with the 州库 the rows say so instead
    from linxia_tianguan_plugin.ui.dashboard import no_map_selection

    layer = QgsVectorLayer(f"{desk_a}|layername=tg_grid_cell", "grid", "ogr")
    QgsProject.instance().addMapLayer(layer)
    try:
        assert dock.views["farmland"].toolTip() == no_map_selection()
        assert not dock.row_clicked("farmland", 0) and dock.status.text() == no_map_selection()
        assert layer.selectedFeatureCount() == 0
        # back to the desk's store: its own tables, the map selection again
        dock.source_combo.setCurrentIndex(dock.source_combo.findData("gpkg"))
        assert dock.source == "gpkg" and dock.pg is None and dock.store_path == str(desk_a)
        assert not dock.store_widget.isHidden() and dock.prefecture_row.isHidden()
        dock.set_filters("", FIRST, LAST)
        assert _all_cells(dock) == _all_cells(desk_only)
        assert dock.views["farmland"].toolTip() == ""
        assert dock.row_clicked("farmland", 0) and layer.selectedFeatureCount() == 1
    finally:
        QgsProject.instance().removeMapLayer(layer.id())
    # the Read button reads the 州库 again; a new dock offers the connection and schema last read
    dock.set_prefecture(shared[ZHOU], shared["schema"])
    dock.read_button.click()
    assert dock.pg is not None and dock.report is not None
    fresh = docks()
    assert fresh.source == "gpkg" and fresh.pg is None  # never connects just by opening
    assert fresh.connection_combo.currentConnection() == shared[ZHOU]
    assert fresh.schema_edit.text() == shared["schema"]


# ------------------------------------------------------------------------------------ refusals
@pytest.mark.parametrize(("case", "expected"), [
    ("no_connection", "There is no PostgreSQL connection named"),
    ("no_store", "is not a prefecture store"),
    ("bad_name", "is not a schema name"),
    ("no_scope", "may not read the prefecture store"),
    ("server_down", "Cannot connect to the prefecture store"),
])
def test_what_cannot_be_read_is_said_in_words(shared, docks, desk_a, case, expected):
    from linxia_tianguan_plugin.i18n import tr

    connection, schema = {
        "no_connection": ("pd_no_such_connection", shared["schema"]),
        "no_store": (shared[ZHOU], "pd_no_such_schema"),
        "bad_name": (shared[ZHOU], "Not-A-Schema"),
        "no_scope": (shared[NOBODY], shared["schema"]),
        "server_down": (shared["closed"], shared["schema"]),
    }[case]
    dock = docks()
    assert dock.set_store(desk_a) and dock.report is not None
    assert not dock.set_prefecture(connection, schema)
    text = dock.status.text()
    assert tr(expected) in text or expected in text, text
    assert "Traceback" not in text and SECRET not in text
    assert dock.source == "pg" and dock.pg is None and dock.figures() is None
    assert all(dock.table(name).rowCount() == 0 for name in ("farmland", "patrols", "cases"))
    assert dock.county.count() == 1  # "All" only
    # and the desk's store is still one choice away
    dock.source_combo.setCurrentIndex(dock.source_combo.findData("gpkg"))
    assert dock.source == "gpkg" and dock.report is not None and dock.table("farmland").rowCount() > 0


def test_no_connection_chosen_is_said_in_words(shared, docks):
    dock = docks()
    assert not dock.set_prefecture("", shared["schema"])
    assert "PostgreSQL connection" in dock.status.text() and dock.figures() is None
