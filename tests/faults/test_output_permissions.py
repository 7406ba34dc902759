"""Files the plugin writes follow the umask (0666 & ~umask), as any other program's do: written atomically
through a temporary file from ``mkstemp`` (mode 0600), they used to stay private to their writer, and
colleagues on the county's shared folder could not open the reports (issue 15)."""
from __future__ import annotations

import datetime as dt
import os
import stat

import pytest


@pytest.fixture(params=[0o022, 0o002])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _no_leftovers(folder) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_xlsx_writer(qgis_app, tmp_path, umask):
    from linxia_tianguan_plugin import workbook

    path = workbook.write(tmp_path / "roster.xlsx", [workbook.Sheet("花名册", ["姓名", "电话"], [["张三", "138"]])])
    assert _mode(path) == 0o666 & ~umask
    _no_leftovers(tmp_path)


def test_dashboard_report(qgis_app, tmp_path, umask):
    from linxia_tianguan_plugin import reports as dashboard
    from linxia_tianguan_plugin.core.reports import statistics as stats

    report = dashboard.build(stats.StatInputs(names={"622921": "临夏县"}), dt.date(2025, 6, 30), prefix="622921")
    panels = dashboard.PANELS[:1]
    written = [dashboard.write_pdf(report, tmp_path / "report.pdf", panels),
               dashboard.write_xlsx(report, tmp_path / "report.xlsx", panels),
               *dashboard.write_pngs(report, tmp_path / "png", panels)]
    for path in written:
        assert _mode(path) == 0o666 & ~umask, path
    _no_leftovers(tmp_path)


def test_statistics_map_exports(qgis_app, tmp_path, umask):
    from qgis.core import QgsLayoutItemLabel, QgsPrintLayout, QgsProject

    from linxia_tianguan_plugin.processing.reports.statistics_map import StatisticsMapAlgorithm

    project = QgsProject()
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    label = QgsLayoutItemLabel(layout)
    label.setText("临夏县 耕地保护")
    layout.addLayoutItem(label)
    alg = StatisticsMapAlgorithm()
    alg._export_pdf(layout, tmp_path / "map.pdf")
    alg._export_png(layout, tmp_path / "map.png")
    for name in ("map.pdf", "map.png"):
        assert _mode(tmp_path / name) == 0o666 & ~umask, name
    _no_leftovers(tmp_path)
