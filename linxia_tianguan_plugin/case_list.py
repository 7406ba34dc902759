"""案件清单: the cases a desk has filtered in the 案件审核 dock, as a table people read, written to Excel or PDF.

What goes on paper is decided here, not in the dock: Chinese headers and values whatever the UI language (as the
workflow's state names are: the list is handed to townships and archived), case numbers rather than UUIDs, areas
rounded to 0.01 亩 with the unit in the header, times in Beijing time. Both files are written atomically (a temporary
file beside the target, renamed when complete): a failed export never leaves half a list under the real name.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from . import labels, workbook
from .core import clock
from .core.cases import workflow

MU_PER_M2 = 0.0015

#: change classes and pre-judgements as the desk's Chinese UI names them (:mod:`.labels`, in Chinese whatever the
#: UI language: the list is handed to townships)
KIND_NAMES: Mapping[str, str] = labels.ChineseNames(labels.change_kind_labels)
CATEGORY_NAMES: Mapping[str, str] = labels.ChineseNames(labels.category_labels)
HEADERS: tuple[str, ...] = ("案件编号", "优先级", "状态", "变化类型", "预判结论", "乡镇", "村", "面积（亩）",
                            "永久基本农田（亩）", "田管员", "进入当前状态（北京时间）", "办理期限（北京时间）", "超期",
                            "涉及地块空间码")
#: columns the PDF leaves out (a landscape A4 page holds the rest legibly); the workbook has them all
PDF_SKIP: tuple[str, ...] = ("涉及地块空间码",)
NO_WRAP: tuple[str, ...] = ("案件编号", "进入当前状态（北京时间）", "办理期限（北京时间）")
#: widths the layout must not squeeze (Qt breaks a case number at its hyphen when the column is narrow)
WIDTHS: dict[str, str] = {"案件编号": " width='12%'", "变化类型": " width='14%'",
                          "进入当前状态（北京时间）": " width='11%'", "办理期限（北京时间）": " width='11%'"}
SHEET = "案件清单"
CONDITIONS_SHEET = "筛选条件"


@dataclass
class CaseList:
    """The rows of a list, in the order shown, and what was asked (``conditions``: (label, value) pairs)."""

    title: str
    rows: list[list] = field(default_factory=list)
    conditions: list[tuple[str, str]] = field(default_factory=list)
    headers: tuple[str, ...] = HEADERS


def case_label(case: Mapping) -> str:
    """The case number, or the UUID's first block for a case read from a store not yet numbered (schema < 13)."""
    return str(case.get("case_no") or str(case.get("case_id") or "")[:8])


def beijing_time(text: str | None) -> str:
    """``YYYY-MM-DD HH:MM`` in Beijing time of a stored time — the stores' UTC ``…Z`` or ISO text with an offset
    (coding runs keep ``+08:00``) — or the text itself when it does not parse."""
    if not text:
        return ""
    try:
        when = workflow.parse_time(text)
    except workflow.WorkflowError:
        try:
            when = dt.datetime.fromisoformat(str(text))
        except ValueError:
            return str(text)
        if when.tzinfo is None:
            return str(text)  # no zone: which clock it was is unknown, so it is shown as written
    return when.astimezone(clock.BEIJING).strftime("%Y-%m-%d %H:%M")


def _mu(m2) -> float:
    return round(float(m2 or 0.0) * MU_PER_M2, 2)


def list_rows(cases: Sequence[Mapping], names: Mapping[str, str], entered: Mapping[str, str],
              overdue: Mapping[str, bool], deadlines: workflow.Deadlines | None = None) -> list[list]:
    """One row per case, in the given order, with the values of :data:`HEADERS` (units and unit names resolved)."""
    out = []
    states, kinds, categories = labels.case_state_labels(), dict(KIND_NAMES), dict(CATEGORY_NAMES)
    for case in cases:
        cid = case["case_id"]
        grid = case.get("grid_code") or ""
        since = entered.get(cid) or case.get("updated_at")
        try:
            due = workflow.due_at(case["state"], since, deadlines) if since else None
        except workflow.WorkflowError:
            due = None
        out.append([case_label(case), case.get("priority"), states.get(case["state"], case["state"]),
                    kinds.get(case.get("kind"), case.get("kind") or ""),
                    categories.get(case.get("category"), case.get("category") or ""),
                    names.get(grid[:9], grid[:9]), names.get(grid[:12], grid[:12]), _mu(case.get("area_m2")),
                    _mu(case.get("basic_m2")), case.get("officer") or "", beijing_time(since), beijing_time(due),
                    "是" if overdue.get(cid) else "", "、".join(case.get("parcel_codes") or [])])
    return out


def write_xlsx(path, table: CaseList) -> Path:
    """The list as a workbook: the cases sheet (numbers as numbers, so Excel can sum the areas) and the conditions
    it was filtered by. Atomic (:func:`..workbook.write`)."""
    types = {"案件编号": workbook.TEXT, "优先级": workbook.INTEGER, "面积（亩）": workbook.REAL,
             "永久基本农田（亩）": workbook.REAL}
    return workbook.write(path, [
        workbook.Sheet(SHEET, table.headers, table.rows, types=types, empty="（没有符合条件的案件）"),
        workbook.Sheet(CONDITIONS_SHEET, ("项目", "内容"), [(table.title, "")] + list(table.conditions)),
    ])


def _cell(value) -> str:
    return escape(f"{value:.2f}" if isinstance(value, float) else "" if value is None else str(value))


def list_html(table: CaseList) -> str:
    """The list as rich text for QTextDocument: title, conditions, a table whose header repeats on every page."""
    keep = [j for j, h in enumerate(table.headers) if h not in PDF_SKIP]
    head = "".join(f"<th{WIDTHS.get(table.headers[j], '')}>{escape(table.headers[j])}</th>" for j in keep)
    # numbers and times on one line (a case number broken at its hyphen cannot be searched or read out)
    whole = {j for j, h in enumerate(table.headers) if h in NO_WRAP}
    body = "".join("<tr>" + "".join(f"<td{' nowrap' if j in whole else ''}>{_cell(row[j])}</td>" for j in keep)
                   + "</tr>" for row in table.rows)
    if not table.rows:
        body = f"<tr><td colspan='{len(keep)}'>（没有符合条件的案件）</td></tr>"
    conditions = "；".join(f"{escape(k)}：{escape(v)}" for k, v in table.conditions)
    return (f"<h3>{escape(table.title)}</h3><p>{conditions}</p>"
            "<table border='1' cellspacing='0' cellpadding='2' width='100%'>"
            f"<thead><tr style='background-color:#e8e8e8'>{head}</tr></thead><tbody>{body}</tbody></table>")


def write_pdf(path, table: CaseList, font_family: str) -> Path:
    """The list as a PDF (A4 landscape, text in ``font_family`` — a CJK font, or Chinese prints as boxes — embedded
    as text, so it can be searched and copied). Needs a QGuiApplication (QGIS). Atomic."""
    from qgis.PyQt.QtCore import QMarginsF
    from qgis.PyQt.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument

    with workbook.atomic_file(path, ".pdf") as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setTitle(table.title)
        writer.setCreator("linxia_tianguan_plugin")
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageOrientation(QPageLayout.Orientation.Landscape)
        writer.setPageMargins(QMarginsF(10, 10, 10, 10), QPageLayout.Unit.Millimeter)
        writer.setResolution(150)
        doc = QTextDocument()
        doc.setDefaultFont(QFont(font_family, 8))
        doc.setHtml(list_html(table))
        printer = getattr(doc, "print_", None) or doc.print  # PyQt5 print_, PyQt6 print
        printer(writer)
        del writer  # the file is complete and closed before it is moved into place
        if tmp.stat().st_size == 0:  # Qt says nothing when it cannot write: an empty file must not replace a list
            raise OSError(f"cannot write the PDF {path}")
    return Path(path)
