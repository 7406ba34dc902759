"""The 领导田管驾驶舱 dock offscreen on the filled sample 田管库 (a copy: the dock only reads, but QGIS layers
on the store may touch it): it opens, reads the store, follows county/township/period filters in its tables
and charts, sorts, selects a clicked township on a loaded tg_grid_cell layer and exports the report."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from tests.helpers import sql_rows as _sql

MU = 0.0015



@pytest.fixture(scope="module")
def store(filled_store, tmp_path_factory):
    path = tmp_path_factory.mktemp("dash_dock") / "tianguan.gpkg"
    shutil.copy(filled_store, path)
    return path


@pytest.fixture
def dock(qgis_iface, store):
    from linxia_tianguan_plugin.ui.dashboard import DashboardDock

    d = DashboardDock(qgis_iface, store_path="")
    assert d.set_store(store)
    d.set_filters("", "2025-06-01", "2027-12-31", today="2025-06-20")
    yield d
    d.cleanup()
    d.deleteLater()




def _column(proxy, col, role=None):
    from qgis.PyQt.QtCore import Qt

    return [proxy.data(proxy.index(r, col), role or Qt.DisplayRole) for r in range(proxy.rowCount())]


def _bars(figure) -> int:
    from matplotlib.patches import Rectangle

    return sum(1 for ax in figure.axes for p in ax.patches if isinstance(p, Rectangle))


def test_the_dock_opens_offscreen_and_shows_the_store(dock, store):
    from linxia_tianguan_plugin.reports import PANELS, panel_titles
    from linxia_tianguan_plugin.ui.dashboard import DOCK_NAME

    assert dock.objectName() == DOCK_NAME
    assert dock.tabs.count() == len(PANELS)
    assert [dock.tabs.tabText(i) for i in range(len(PANELS))] == [panel_titles()[n] for n in PANELS]
    farmland = dock.table("farmland")
    townships = [t for (t,) in _sql(store, "SELECT DISTINCT substr(code, 1, 9) FROM tg_space_code "
                                           "WHERE status = 'active' ORDER BY 1")]
    assert _column(farmland, 0) == townships
    sums = dict(_sql(store, "SELECT substr(code, 1, 9), sum(gdmj_m2) FROM tg_space_code WHERE status = 'active' "
                            "GROUP BY 1"))
    assert _column(farmland, 3) == pytest.approx([sums[t] * MU for t in townships], abs=0.006)
    cases = dock.table("cases")
    assert sum(_column(cases, 3)) == _sql(store, "SELECT count(*) FROM tg_case")[0][0]
    assert dock.county.count() == 2 and dock.county.findData(townships[0][:6]) == 1  # "all" and the one county
    assert dock.township.count() == 1 + len(townships)
    assert _bars(dock.chart("farmland")) == 2 * len(townships)
    assert dock.figures() is dock.report.figures


def test_a_township_filter_changes_the_tables_and_the_charts(dock, store):
    township = _column(dock.table("farmland"), 0)[2]
    tasks_before = dock.table("patrols").rowCount()
    bars_before = _bars(dock.chart("farmland"))
    dock.set_filters(township, "2025-06-01", "2025-06-30")
    assert dock.township.currentData() == township
    assert _column(dock.table("farmland"), 0) == [township]
    assert _bars(dock.chart("farmland")) == 2 < bars_before
    patrols = dock.table("patrols")
    assert 0 < patrols.rowCount() < tasks_before and set(_column(patrols, 1)) == {township}
    expected = _sql(store, "SELECT count(*) FROM tg_task WHERE grid_code >= ? AND grid_code < ? "
                           "AND period_end BETWEEN '2025-06-01' AND '2025-06-30'", (township, township + "z"))[0][0]
    assert sum(_column(patrols, 3)) == expected
    assert dock.table("cases").rowCount() == 0  # the cases were detected after June 2025
    assert dock.report.prefix == township and dock.report.period == (dt.date(2025, 6, 1), dt.date(2025, 6, 30))
    # back through the combo, as a user would
    dock.township.setCurrentIndex(0)
    assert dock.table("farmland").rowCount() > 1


def test_the_period_filter_moves_the_tasks(dock):
    from qgis.PyQt.QtCore import QDate

    june = sum(_column(dock.table("patrols"), 3))
    dock.set_filters("", "2025-06-01", "2025-06-15")
    first_half = sum(_column(dock.table("patrols"), 3))
    assert 0 < first_half < june
    dock.period_kind.setCurrentIndex(dock.period_kind.findData("month"))
    dock.first_date.setDate(QDate(2025, 6, 10))
    assert dock.report.period == (dt.date(2025, 6, 1), dt.date(2025, 6, 30))
    assert sum(_column(dock.table("patrols"), 3)) <= june


def test_tables_sort_by_any_column(dock):
    from qgis.PyQt.QtCore import Qt

    farmland = dock.table("farmland")
    dock.views["farmland"].sortByColumn(3, Qt.DescendingOrder)
    values = _column(farmland, 3)
    assert values == sorted(values, reverse=True) and len(set(values)) > 1
    dock.views["farmland"].sortByColumn(1, Qt.AscendingOrder)
    assert _column(farmland, 1) == sorted(_column(farmland, 1))
    ranking = dock.table("ranking")
    dock.views["ranking"].sortByColumn(5, Qt.DescendingOrder)  # by area
    assert _column(ranking, 4)[0] == 1


def test_clicking_a_township_selects_it_on_the_grid_layer(dock, store):
    from qgis.core import QgsProject, QgsVectorLayer
    from qgis.PyQt.QtCore import Qt

    from linxia_tianguan_plugin.i18n import tr

    farmland = dock.table("farmland")
    dock.views["farmland"].sortByColumn(3, Qt.DescendingOrder)
    assert not dock.row_clicked("farmland", 0)
    assert dock.status.text().startswith(tr("No layer of this store's patrol grid")[:10])
    layer = QgsVectorLayer(f"{store}|layername=tg_grid_cell", "grid", "ogr")
    assert layer.isValid()
    QgsProject.instance().addMapLayer(layer)
    try:
        biggest = farmland.data(farmland.index(0, 0))
        dock.views["farmland"].clicked.emit(farmland.index(0, 2))  # a click anywhere on the row
        selected = [f for f in layer.getSelectedFeatures()]
        assert [f["code"] for f in selected] == [biggest]
        active = _sql(store, "SELECT build_id FROM tg_grid_build WHERE active")[0][0]
        assert selected[0]["build_id"] == active and selected[0]["level"] == 3
        assert farmland.data(farmland.index(0, 1)) in dock.status.text()
        assert not dock.row_clicked("cases", 0)  # a row about no place selects nothing
    finally:
        QgsProject.instance().removeMapLayer(layer.id())


def test_the_all_period_cumulates_everything_the_store_holds(dock, store):
    """全部（累计）: every task and case, whatever its date — more than any one month, as many as the store holds."""
    june = sum(_column(dock.table("patrols"), 3))
    dock.period_kind.setCurrentIndex(dock.period_kind.findData("all"))
    assert dock.report.period is None and not dock.first_date.isEnabled() and not dock.last_date.isEnabled()
    everything = sum(_column(dock.table("patrols"), 3))
    assert everything >= june
    tasks = _sql(store, "SELECT count(*) FROM tg_task")[0][0]
    assert everything == tasks  # the patrols table counts every task dispatched (column 3: tasks due)
    from linxia_tianguan_plugin.reports import period_label

    assert period_label(None) in dock.report.title


def test_the_report_is_written_by_a_task_that_does_not_block(dock, tmp_path):
    """The PDF (seconds of rendering) is a QgsTask: export_in_background returns at once, the task bar shows the
    progress, the file appears when it ends; a cancelled export leaves nothing."""
    import time

    from qgis.core import QgsApplication

    def wait():
        deadline = time.monotonic() + 120
        while dock._export_task is not None:  # the dock lets go of its task when the task ends
            QgsApplication.processEvents()
            assert time.monotonic() < deadline
            time.sleep(0.02)

    pdf = tmp_path / "report.pdf"
    ended = []
    task = dock.export_in_background(str(pdf), str(tmp_path / "png"))
    task.taskCompleted.connect(lambda: ended.append("completed"))
    assert QgsApplication.taskManager().tasks()  # queued in QGIS's task manager (its progress bar)
    wait()
    assert ended == ["completed"]
    assert pdf.read_bytes()[:5] == b"%PDF-" and len(list((tmp_path / "png").glob("*.png"))) > 0
    assert "report.pdf" in dock.status.text()

    cancelled = tmp_path / "cancelled.pdf"
    task = dock.export_in_background(str(cancelled))
    task.cancel()
    wait()
    assert not cancelled.exists() and not list(tmp_path.glob(".cancelled*"))
    from linxia_tianguan_plugin.i18n import tr

    assert dock.status.text() == tr("The export of the report was cancelled; nothing was written.")


def test_exports_from_the_dock(dock, tmp_path):
    import openpyxl

    from linxia_tianguan_plugin.reports import PANELS

    files = dock.export_report(str(tmp_path / "r.pdf"), str(tmp_path / "png"))
    assert files[0].stat().st_size > 10000 and len(files) == 1 + len(PANELS)
    dock.export_xlsx(str(tmp_path / "r.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert len(book.sheetnames) == len(PANELS)


def test_a_missing_store_is_said_not_raised(qgis_iface, tmp_path):
    from linxia_tianguan_plugin.ui.dashboard import DashboardDock

    d = DashboardDock(qgis_iface, store_path=str(tmp_path / "none.gpkg"))
    assert "none.gpkg" in d.status.text() and d.figures() is None
    assert not (tmp_path / "none.gpkg").exists()  # never created by looking
    d2 = DashboardDock(None)  # no iface at all (tests, Processing): still a dock
    assert d2.objectName() == "linxia_tianguan_dashboard"


def test_the_charts_keep_their_chinese_font_when_the_dock_repaints(dock):
    """Texts drawn in the dock resolve to the CJK font also outside the drawing context (a canvas repaints
    whenever the dock is resized or shown): a generic family would fall back to a font without Chinese."""
    import re

    from matplotlib import font_manager
    from matplotlib.text import Text

    from linxia_tianguan_plugin import reports as model

    figure = dock.chart("patrols")
    texts = [t for t in figure.findobj(Text) if re.search(r"[\u4e00-\u9fff]", t.get_text())]
    assert texts, "the chart shows no Chinese text"
    expected = model.cjk_font_path()
    for text in texts:
        assert font_manager.findfont(text.get_fontproperties()) == expected, text.get_text()
