"""巡田考核 — assessment of officers and grids for a month, quarter or year, written as an Excel workbook
(Processing algorithm ``linxia_tianguan:assessment``).

Thin: the store is read by :mod:`..storage.assessment`, every figure is computed by
:mod:`..core.reports.assessment` (on the records and rules of :mod:`..core.reports.statistics`), and this module only
writes the sheets through OGR's XLSX driver (openpyxl is not shipped with QGIS on Windows): 考核明细 (one
row per officer post / grid), 乡镇排名 (officers ranked in their township), 县区排名 (townships ranked in
their county), 通报名单 (the list for the periodic 通报), 分级汇总 (frequency compliance per level) and
考核说明 (period, instant and the score's weights). Headers are Chinese. The workbook is written under a
temporary name and renamed into place, so a reader never sees half a file.

Either the desk's 田管库 (STORE) or the prefecture's shared PostGIS store (PREFECTURE_CONNECTION, through
:func:`..storage.pg_statistics.load_assessment`, as the connection's role sees it) is read: the same inputs, the same
workbook.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFileDestination,
)

from ...core import clock
from ...core.patrol import tasks as task_rules
from ...core.reports import assessment as core
from ...i18n import tr
from ...storage import assessment as assess_store
from ..base import AlgorithmBase, write_sheets

DETAIL, TOWNSHIPS, COUNTIES, NOTICES = "考核明细", "乡镇排名", "县区排名", "通报名单"
LEVELS, ABOUT = "分级汇总", "考核说明"
SHEETS = (DETAIL, TOWNSHIPS, COUNTIES, NOTICES, LEVELS, ABOUT)

RATE_HEADERS = ["频次达标率(%)", "覆盖率(%)", "轨迹真实率(%)", "举证及时率(%)", "整改及时率(%)", "综合得分"]
DETAIL_HEADERS = ["网格编码", "网格名称", "网格级别", "级别", "乡镇编码", "乡镇名称", "田管员", "联系电话", "是否空缺",
                  "应巡任务", "已完成", "未完成", "已过期", "耕地面积(亩)", "已巡耕地(亩)", "轨迹数", "已检查轨迹",
                  "存疑轨迹", "举证案件", "举证及时", "举证超期", "举证未到期", "整改案件", "整改按期", "整改超期",
                  "整改未到期", "整改平均天数", *RATE_HEADERS]
TOWNSHIP_HEADERS = ["乡镇编码", "乡镇名称", "排名", "田管员", "联系电话", "网格编码", "网格名称", "网格级别",
                    "应巡任务", "已完成", "已过期", *RATE_HEADERS]
COUNTY_HEADERS = ["县区编码", "县区名称", "排名", "乡镇编码", "乡镇名称", "网格数", "有得分网格", "在岗田管员",
                  "应巡任务", "已完成", "已过期", "频次达标率(%)", "平均得分"]
NOTICE_HEADERS = ["通报原因", "原因代码", "乡镇编码", "乡镇名称", "网格编码", "网格名称", "网格级别", "田管员",
                  "联系电话", "数量", "明细"]
LEVEL_HEADERS = ["网格级别", "级别", "网格数", "应巡任务", "已完成", "未完成", "已过期", "频次达标率(%)"]
ABOUT_HEADERS = ["项目", "内容"]
EMPTY = "（无）"

INTEGERS = {"网格级别", "应巡任务", "已完成", "未完成", "已过期", "轨迹数", "已检查轨迹", "存疑轨迹", "举证案件",
            "举证及时", "举证超期", "举证未到期", "整改案件", "整改按期", "整改超期", "整改未到期", "排名", "网格数",
            "有得分网格", "在岗田管员", "数量"}
REALS = {*RATE_HEADERS, "耕地面积(亩)", "已巡耕地(亩)", "整改平均天数", "频次达标率(%)", "平均得分"}

#: the weights' names in the 考核说明 sheet
COMPONENT_ZH = {"frequency": "巡田频次达标率", "coverage": "巡田覆盖率", "authenticity": "轨迹真实率",
                "evidence": "举证及时率", "rectification": "整改及时率"}
KIND_ZH = {"month": "月度", "quarter": "季度", "year": "年度"}


def reason_labels() -> dict[str, str]:
    # the literal strings are repeated so that the translation extractor sees them
    return {"overdue_tasks": tr("Overdue patrol tasks"), "repeated_failures": tr("Repeated failures"),
            "slow_rectification": tr("Slow rectification"), "overdue_evidence": tr("Evidence overdue")}


def kind_labels() -> list[str]:
    return [tr("Monthly assessment"), tr("Quarterly assessment"), tr("Annual assessment")]


def beijing_today() -> dt.date:
    return clock.today_beijing()


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100.0 * value, 2)


def _num(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _mu(m2: float | None) -> float | None:
    return None if m2 is None else round(m2 * 0.0015, 2)


def _rates(a: core.Assessment) -> list:
    return [_pct(a.frequency_rate), _pct(a.coverage_rate), _pct(a.authenticity_rate), _pct(a.evidence.rate),
            _pct(a.rectification.rate), _num(a.score)]


def detail_rows(result: core.Result, names: dict[str, str]) -> list[list]:
    rows = []
    for a in result.grids:
        e, r = a.evidence, a.rectification
        rows.append([a.grid_code, a.grid_name, a.level, task_rules.LEVEL_NAMES_ZH.get(a.level, ""), a.township,
                     names.get(a.township, ""), a.officer, a.phone, "是" if a.vacant else "否", a.tasks, a.done,
                     a.open, a.overdue, _mu(a.farmland_m2), _mu(a.seen_m2), a.tracks, a.checked, a.flagged,
                     e.counted, e.on_time, e.late + e.open_overdue, e.open, r.counted, r.on_time,
                     r.late + r.open_overdue, r.open, _num(r.mean_days, 1), *_rates(a)])
    return rows


def township_rows(result: core.Result, names: dict[str, str]) -> list[list]:
    return [[row.township, names.get(row.township, ""), row.rank, a.officer, a.phone, "、".join(a.grid_codes),
             a.grid_name, a.level, a.tasks, a.done, a.overdue, *_rates(a)]
            for row in result.township_ranking for a in (row.assessment,)]


def county_rows(result: core.Result, names: dict[str, str]) -> list[list]:
    return [[t.county, names.get(t.county, ""), t.rank, t.township, names.get(t.township, ""), t.grids, t.scored,
             t.officers, t.tasks, t.done, t.overdue, _pct(t.frequency_rate), _num(t.mean_score)]
            for t in result.county_ranking]


def notice_rows(result: core.Result, names: dict[str, str]) -> list[list]:
    labels = reason_labels()
    return [[labels[n.reason], n.reason, n.township, names.get(n.township, ""), n.grid_code, n.grid_name, n.level,
             n.officer, n.phone, n.count, "、".join(n.items)] for n in result.notices]


def level_rows(result: core.Result) -> list[list]:
    return [[s.level, s.level_name, s.posts, s.tasks, s.done, s.open, s.overdue, _pct(s.rate)] for s in result.levels]


def about_rows(result: core.Result, store: str, prefix: str, weights) -> list[list]:
    rows = [["考核周期", KIND_ZH[result.kind]], ["起始日期", result.period[0].isoformat()],
            ["截止日期", result.period[1].isoformat()], ["统计截至（北京时间）", task_rules.local_text(result.as_of)],
            ["范围", prefix or "全部"], ["田管库", store]]
    rows += [[f"权重：{COMPONENT_ZH[k]}", str(v)] for k, v in weights.items()]
    rows.append(["综合得分", "100 × Σ 权重 × 比率 ÷ Σ 权重（缺项不计，其余按比例）"])
    return rows


def write_xlsx(path: str, sheets: list[tuple[str, list[str], list[list]]], feedback=None) -> None:
    """Sheets (name, headers, rows) through :func:`..base.write_sheets`; a sheet without rows reads :data:`EMPTY`."""
    write_sheets(path, sheets, INTEGERS, REALS, EMPTY, feedback)


class AssessmentAlgorithm(AlgorithmBase):
    STORE, PERIOD, DATE, PREFIX, OUTPUT = "STORE", "PERIOD", "DATE", "PREFIX", "OUTPUT"

    def name(self) -> str:
        return "assessment"

    def displayName(self) -> str:
        return tr("Patrol assessment")

    def shortHelpString(self) -> str:
        return tr(
            "<p>巡田考核 · Assesses every officer post of the active roster (levels 州 to 社) for a month, quarter "
            "or year: patrol frequency compliance (tasks due in the period done / done + overdue), coverage "
            "rate (the persisted coverage run), flagged tracks, evidence timeliness (已下发 → 已举证 within the "
            "deadline) and rectification time (执行中 → 已整改/已结案). A score out of 100 weighs them 40 / 30 / "
            "10 / 10 / 10; components without data are left out and the others re-weighted.</p>"
            "<p>Writes an Excel workbook with the sheets 考核明细 (per grid), 乡镇排名 (officers ranked in their "
            "township), 县区排名 (townships ranked by the mean score of their grids), 通报名单 (overdue tasks, "
            "repeated failures, slow rectification, overdue evidence), 分级汇总 and 考核说明. Figures are as of "
            "the end of the period (Beijing time), or now for the current period; ties share a rank.</p>"
        ) + tr(
            "<p>Instead of the tianguan store, the prefecture's shared store may be read (Advanced: a saved "
            "PostgreSQL connection and its schema): a county's role assesses its county, the prefecture's role "
            "every county it reads.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter(optional=True)
        self.add_prefecture_source_parameters()
        self.addParameter(QgsProcessingParameterEnum(self.PERIOD, tr("Assessment period"), kind_labels(),
                                                     defaultValue=0))
        self.add_date_parameter(self.DATE, tr("Any day in the period (YYYY-MM-DD, Beijing; empty: today)"),
                                gui_default=beijing_today())
        self.add_prefix_parameter(tr("Only grids under this county or township code"))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("Assessment workbook"), tr("Excel workbook (*.xlsx)")))
        for key, label in (("GRIDS", tr("Grids assessed")), ("OFFICERS", tr("Officers ranked")),
                           ("TOWNSHIPS", tr("Townships ranked")), ("NOTICES", tr("Rows of the notice list"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    def _read(self, parameters, context, feedback, prefix: str, period) -> tuple[str, core.AssessInputs, bool]:
        """(what was read, in words for the messages and the 考核说明 sheet; the assessment's inputs; whether it
        was the prefecture's shared store) from the desk's 田管库 or the prefecture's shared store."""
        shared = self.parameter_as_prefecture(parameters, context)
        if shared is not None:
            from ...storage import pg_statistics  # psycopg2: only when the prefecture store is read

            with self.prefecture_store(shared, feedback) as pg:
                source = tr("prefecture store, schema “{schema}”").format(schema=pg.schema)
                feedback.pushInfo(tr("Reading {store} for {first} to {last} …").format(
                    store=source, first=period[0], last=period[1]))
                return source, pg_statistics.load_assessment(pg, prefix, period), True
        store_path = self.parameterAsFile(parameters, self.STORE, context)
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
            feedback.pushInfo(tr("Reading {store} for {first} to {last} …").format(
                store=store_path, first=period[0], last=period[1]))
            return store_path, assess_store.load(store, prefix, period), False

    def processAlgorithm(self, parameters, context, feedback):
        kind = core.KINDS[self.parameterAsEnum(parameters, self.PERIOD, context)]
        day = self.parameter_as_date(parameters, self.DATE, context) or beijing_today()
        try:
            period = core.assessment_period(kind, day)
        except core.AssessmentError as err:
            raise QgsProcessingException(tr("“{value}” is not a date (YYYY-MM-DD).").format(value=day)) from err
        prefix = self.parameter_as_prefix(parameters, context)
        path = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        if Path(path).suffix.lower() != ".xlsx":
            raise QgsProcessingException(tr("Write the assessment to a .xlsx file, not “{path}”.").format(path=path))
        store_path, inputs, shared = self._read(parameters, context, feedback, prefix, period)
        feedback.setProgress(30)
        if feedback.isCanceled():
            raise QgsProcessingException(tr("Cancelled; no file was written."))
        under = f" ({prefix})" if prefix else ""
        if not inputs.posts and shared:
            raise QgsProcessingException(tr(
                "The {store} holds no officer post of an active roster that this connection's role may read{under}: "
                "the counties publish their rosters first (发布到州库).").format(store=store_path, under=under))
        if not inputs.posts:
            raise QgsProcessingException(tr(
                "The tianguan store {path} has no officer post in its active roster (table tg_officer){under}: "
                "import the officer roster first.").format(path=store_path, under=under))
        result = core.assess(inputs, kind, period, clock.now_utc(), prefix)
        if not any(a.tasks for a in result.grids) and shared:
            raise QgsProcessingException(tr(
                "The {store} holds no patrol task due from {first} to {last} for the rosters' grids: the counties "
                "dispatch and publish the tasks of the period first.").format(
                store=store_path, first=period[0], last=period[1]))
        if not any(a.tasks for a in result.grids):
            raise QgsProcessingException(tr(
                "The tianguan store {path} has no patrol task due from {first} to {last} for the roster's grids "
                "(table tg_task): dispatch the tasks of the period first.").format(
                path=store_path, first=period[0], last=period[1]))
        feedback.setProgress(60)
        # unit names from the store's admin units, else from the grid cells (a township without coded farmland
        # has no admin-unit row, but its township cell has its name)
        names = {**{g.grid_code: g.grid_name for g in result.grids if g.grid_name}, **dict(inputs.stats.names)}
        sheets = [(DETAIL, DETAIL_HEADERS, detail_rows(result, names)),
                  (TOWNSHIPS, TOWNSHIP_HEADERS, township_rows(result, names)),
                  (COUNTIES, COUNTY_HEADERS, county_rows(result, names)),
                  (NOTICES, NOTICE_HEADERS, notice_rows(result, names)),
                  (LEVELS, LEVEL_HEADERS, level_rows(result)),
                  (ABOUT, ABOUT_HEADERS, about_rows(result, store_path, prefix, core.WEIGHTS))]
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        write_xlsx(path, sheets, feedback)
        labels = reason_labels()
        for level in result.levels:
            feedback.pushInfo(tr("Level {level}: {done} of {decided} tasks done ({overdue} overdue).").format(
                level=level.level_name, done=level.done, decided=level.done + level.overdue, overdue=level.overdue))
        for reason in core.REASONS:
            count = sum(1 for n in result.notices if n.reason == reason)
            if count:
                feedback.pushInfo(tr("{label}: {count} grids").format(label=labels[reason], count=count))
        townships = len(result.county_ranking)
        feedback.pushInfo(tr("{grids} grids, {officers} officers and {townships} townships assessed; {notices} rows "
                             "for the notice: {path}").format(grids=len(result.grids), officers=len(result.officers),
                                                             townships=townships, notices=len(result.notices),
                                                             path=path))
        feedback.setProgress(100)
        return {self.OUTPUT: path, "GRIDS": len(result.grids), "OFFICERS": len(result.township_ranking),
                "TOWNSHIPS": townships, "NOTICES": len(result.notices)}
