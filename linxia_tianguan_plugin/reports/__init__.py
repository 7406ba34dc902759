"""领导田管驾驶舱 — the dashboard's report: figures → titled tables and charts → PDF / PNG / XLSX.

A common-layer package (docs/architecture.md): the dock (``ui/dashboard.py``) and the algorithm
(``processing/reports/dashboard_report.py``) both build a :class:`Report` and show or write it. One module per
responsibility, so a change to the PDF layout does not touch the numbers:

- :mod:`.model` — the panels, periods, :class:`Report`, :func:`build` and :func:`load_report`;
- :mod:`.tables` — one titled :class:`Table` per panel;
- :mod:`.survey_years` — farmland totals per survey year (the trend panel);
- :mod:`.targets` — township targets from the county's CSV;
- :mod:`.charts` — matplotlib figures in a CJK font;
- :mod:`.writers` — the PDF, PNG and XLSX files, written atomically.
"""
from __future__ import annotations

from .charts import cjk_context, cjk_font_path, draw_chart
from .model import (
    PANELS,
    PERIOD_KINDS,
    DashboardError,
    Report,
    build,
    covers_prefecture,
    load_report,
    period_bounds,
    period_label,
    scope_label,
)
from .survey_years import SurveyYears, survey_years
from .tables import Table, category_names, kind_names, panel_titles
from .targets import read_targets
from .writers import png_name, sheet_names, write_pdf, write_pngs, write_xlsx

__all__ = ["PANELS", "PERIOD_KINDS", "DashboardError", "Table", "Report", "SurveyYears", "panel_titles",
           "period_bounds", "read_targets", "survey_years", "covers_prefecture", "build", "load_report",
           "cjk_font_path", "cjk_context", "draw_chart", "write_pdf", "write_pngs", "write_xlsx", "sheet_names",
           "png_name", "period_label", "scope_label", "kind_names", "category_names"]
