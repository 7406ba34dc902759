"""The report as files. Each is written to a temporary name beside the target and moved into place with
``os.replace`` (:func:`..workbook.atomic_file`): a failed export never leaves half a file under the real name.
PDF = one A4 page per panel (chart above, table below; long tables are cut with a note, the XLSX has every
row), PNG = one image per panel, XLSX = one sheet per table through OGR's XLSX driver (what Windows QGIS ships).
"""
from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from pathlib import Path

from ..i18n import tr
from .charts import cjk_context, draw_chart, draw_into
from .model import PANELS, DashboardError, Report

PDF_TABLE_ROWS = 28
A4 = (8.27, 11.69)
_CJK = re.compile("[\u4e00-\u9fff]")


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
    draw_into(report, name, chart)
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


def write_pdf(report: Report, path, panels: Iterable[str] = PANELS, step=None) -> Path:
    """One A4 page per panel (chart and table), atomically. ``step(i)`` is called after each page (it may
    raise to cancel: nothing is left under ``path`` then)."""
    from matplotlib.backends.backend_pdf import PdfPages

    from .. import workbook

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
    from .. import workbook

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
    """One sheet per table (headers in the first row), through :func:`..workbook.write` (OGR, atomically)."""
    from .. import workbook

    sheets = sheet_names()
    try:
        return workbook.write(path, [workbook.Sheet(sheets.get(name, name), report.tables[name].headers,
                                                    report.tables[name].rows,
                                                    empty=report.tables[name].note or tr("No data for this filter."))
                                     for name in panels])
    except workbook.WorkbookError as err:
        raise DashboardError(str(err)) from err
