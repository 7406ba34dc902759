"""导出驾驶舱报告 — the 领导田管驾驶舱 as files (Processing algorithm ``linxia_tianguan:dashboard_report``).

The same report the dashboard dock shows (:mod:`..reports`, every figure from ``core.reports.statistics``):
a PDF with one page per panel (chart and table), optionally one PNG chart per panel, and an XLSX
workbook with one sheet per table. The store is only read. Matplotlib draws on the main thread
(FlagNoThreading), like the layout exports.

Either the desk's 田管库 (STORE) or the prefecture's shared PostGIS store (PREFECTURE_CONNECTION, read as the
connection's role sees it: a county its county, the 州 every county) is read — the same inputs, the same report.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
)

from ... import compat
from ... import reports as model
from ...core import clock
from ...i18n import tr
from ...reports.model import load_report_pg
from ..base import ADMIN_CODE_LENGTHS, AlgorithmBase

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


class DashboardReportAlgorithm(AlgorithmBase):
    STORE, PREFIX, DATE_FROM, DATE_TO, TODAY, TARGETS = "STORE", "PREFIX", "DATE_FROM", "DATE_TO", "TODAY", "TARGETS"
    OUTPUT_PDF, OUTPUT_XLSX, OUTPUT_PNG_FOLDER = "OUTPUT_PDF", "OUTPUT_XLSX", "OUTPUT_PNG_FOLDER"
    icon_name = "dashboard.svg"

    def name(self) -> str:
        return "dashboard_report"

    def displayName(self) -> str:
        return tr("Export dashboard report")

    def flags(self):
        return super().flags() | compat.ProcessingAlgorithmFlag.NoThreading  # matplotlib draws on the main thread

    def shortHelpString(self) -> str:
        return tr("<p>导出驾驶舱报告 · Writes the farmland-protection dashboard of the tianguan store as a report: "
                  "a PDF with one page per panel (chart and table) and, optionally, one PNG chart per panel, and an "
                  "XLSX "
                  "workbook with one sheet per table. Panels: patrol tasks per month (done, not done, overdue), "
                  "patrol coverage rate (of the latest coverage run overlapping the period), officers per level and "
                  "area, cases by state and class, the township ranking of cases (by count, area and closure time), "
                  "rectification timeliness, farmland and permanent basic farmland per township against their "
                  "targets, and farmland across survey years with the prefecture's red lines (369.51 and 304.85 "
                  "10k mu).</p><p>Restrict to a county or township by its code and to a period (Beijing dates, both "
                  "ends included; tasks count in the month they fall due, cases in the period they were detected). "
                  "Statuses are computed at the end of the given day (default: today). Township targets are an "
                  "optional CSV: code, farmland mu, permanent basic farmland mu. The store is only read.</p>") + tr(
                  "<p>Survey years: the official totals imported with 导入变更调查数据 (import_survey_totals) are "
                  "shown for their years as imported (solid markers); the other years are the coded survey and the "
                  "years derived from the change cases (hollow markers: bounds).</p>") + tr(
                  "<p>Instead of the tianguan store, the prefecture's shared store may be read (Advanced: a saved "
                  "PostgreSQL connection and its schema): a county's role gives its county's report, the "
                  "prefecture's role with an empty code or 6229 the whole prefecture's.</p>")

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter(optional=True)
        self.add_prefecture_source_parameters()
        self.add_prefix_parameter(tr("County or township code (empty: all)"), ADMIN_CODE_LENGTHS[:3])
        self.add_period_parameters(self.DATE_FROM, tr("First day (YYYY-MM-DD; empty: from the start)"),
                                   self.DATE_TO, tr("Last day (YYYY-MM-DD; empty: to the end)"))
        self.add_date_parameter(self.TODAY, tr("Statuses as of (YYYY-MM-DD; empty: today)"))
        self.addParameter(QgsProcessingParameterFile(
            self.TARGETS, tr("Township targets (CSV: code, farmland mu, basic farmland mu)"), extension="csv",
            optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_PDF, tr("Report (PDF)"), tr("PDF files (*.pdf)"), optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_XLSX, tr("Tables (XLSX)"), tr("Excel workbooks (*.xlsx)"), optional=True))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT_PNG_FOLDER, tr("Charts (PNG folder)"), optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("PAGES", tr("Report pages")))

    def processAlgorithm(self, parameters, context, feedback):
        shared = self.parameter_as_prefecture(parameters, context)
        path = self.parameterAsFile(parameters, self.STORE, context)
        if shared is None and (not path or not os.path.isfile(path)):
            raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
        prefix = self.parameter_as_prefix(parameters, context)
        first, last = self.parameter_as_period(parameters, self.DATE_FROM, self.DATE_TO, context)
        today = self.parameter_as_date(parameters, self.TODAY, context) or clock.today_beijing()
        pdf = self.parameterAsFileOutput(parameters, self.OUTPUT_PDF, context)
        xlsx = self.parameterAsFileOutput(parameters, self.OUTPUT_XLSX, context)
        folder = self.parameterAsString(parameters, self.OUTPUT_PNG_FOLDER, context) \
            if parameters.get(self.OUTPUT_PNG_FOLDER) else ""
        if not (pdf or xlsx or folder):
            raise QgsProcessingException(tr("Give at least one output: the PDF report, the XLSX tables or the PNG "
                                            "folder."))
        targets_path = self.parameterAsFile(parameters, self.TARGETS, context)
        try:
            targets = model.read_targets(targets_path) if targets_path else None
            model.cjk_font_path()  # fail before any work when the report could only print boxes
            feedback.setProgress(5)
            period = None if first is None and last is None else (first, last)
            if shared is None:
                report = model.load_report(path, today, prefix, period, targets)
            else:
                with self.prefecture_store(shared, feedback) as pg:
                    report = load_report_pg(pg, today, prefix, period, targets)
        except model.DashboardError as err:
            raise QgsProcessingException(str(err)) from err
        except (sqlite3.Error, OSError) as err:
            raise QgsProcessingException(tr("Cannot read the tianguan store {path}: {error}").format(
                path=path, error=err)) from err
        feedback.setProgress(20)
        panels = len(model.PANELS)
        jobs = (1 if pdf else 0) + (1 if folder else 0)

        def stepper(job: int):
            def step(i: int) -> None:
                if feedback.isCanceled():
                    raise QgsProcessingException(tr("Cancelled."))
                feedback.setProgress(20 + 75 * (job * panels + i + 1) / (max(jobs, 1) * panels))
            return step

        out = {"PAGES": 0}
        try:
            job = 0
            if pdf:
                model.write_pdf(report, pdf, step=stepper(job))
                job += 1
                out[self.OUTPUT_PDF] = pdf
                out["PAGES"] = panels
            if folder:
                model.write_pngs(report, folder, step=stepper(job))
                out[self.OUTPUT_PNG_FOLDER] = folder
            if xlsx:
                if feedback.isCanceled():
                    raise QgsProcessingException(tr("Cancelled."))
                model.write_xlsx(report, xlsx)
                out[self.OUTPUT_XLSX] = xlsx
        except model.DashboardError as err:
            raise QgsProcessingException(str(err)) from err
        except OSError as err:
            raise QgsProcessingException(tr("Cannot write the report: {error}").format(error=err)) from err
        for name in model.PANELS:
            table = report.tables[name]
            feedback.pushInfo(tr("{title}: {rows} rows").format(title=table.title, rows=len(table.rows)))
        feedback.setProgress(100)
        return out

