"""The 田管员花名册: one officer per grid at the five levels of 临州办发〔2024〕52号.

州/县/乡: the head of government is 田管员 and a deputy is 助理田管员; 村: the village's main
leader; 社: the group leader, whose grid code is the group's 14-digit FBFBM. A few posts are
vacant (name and phone empty, 是否空缺 = 是) — as in any real roster.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from . import admin, names
from .rand import T_ROSTER, rng

HEADERS = ["层级", "网格编码", "网格名称", "姓名", "角色", "职务", "电话", "是否空缺"]


def build_roster(seed: int, counties: list[str], townships: list[dict[str, Any]], vacancies: int) -> list[list[str]]:
    """Rows in level order (州, then per county: 县, 乡, 村, 社)."""
    divs, _ = admin.load_divisions()
    phones: set[str] = set()
    g = rng(seed, T_ROSTER)
    rows: list[list[str]] = []

    def officer(level: str, code: str, name: str, role: str, post: str, gen: np.random.Generator, local=None) -> None:
        rows.append([level, code, name, names.person(gen, local), role, post, names.mobile(gen, phones), "否"])

    officer("州", admin.PREFECTURE_CODE, admin.PREFECTURE_NAME, "田管员", "州长", g)
    officer("州", admin.PREFECTURE_CODE, admin.PREFECTURE_NAME, "助理田管员", "副州长", g)
    by_county: dict[str, list[dict[str, Any]]] = {}
    for t in townships:
        by_county.setdefault(t["county"], []).append(t)
    for c in counties:
        officer("县", c, divs[c].name, "田管员", "县长", g)
        officer("县", c, divs[c].name, "助理田管员", "副县长", g)
        for t in by_county.get(c, []):
            gt = rng(seed, T_ROSTER, int(t["township"]))
            officer("乡", t["township"], t["name"], "田管员", "乡镇长", gt)
            officer("乡", t["township"], t["name"], "助理田管员", "副乡镇长", gt)
            for v in t["villages"]:
                local = names.local_surnames(gt)
                officer("村", v["code"], v["name"], "田管员", "村支书" if gt.random() < 0.7 else "村主任", gt, local)
                for gcode, gname in v["groups"]:
                    officer("社", gcode, gname, "田管员", "社长", gt, local)
    # vacancies: a few 社 (and at most one 村) posts without anyone in them
    she = [i for i, r in enumerate(rows) if r[0] == "社"]
    cun = [i for i, r in enumerate(rows) if r[0] == "村"]
    pick = list(g.choice(she, size=min(max(vacancies - 1, 0), len(she)), replace=False)) if she else []
    if cun and vacancies > 0:
        pick.append(int(g.choice(cun)))
    for i in sorted(int(x) for x in pick):
        rows[i][3] = ""
        rows[i][6] = ""
        rows[i][7] = "是"
    return rows


def write_roster(rows: list[list[str]], out_dir: Path) -> None:
    """roster.csv (UTF-8 with BOM), roster_gbk.csv (GBK) and roster.xlsx."""
    for fname, enc in (("roster.csv", "utf-8-sig"), ("roster_gbk.csv", "gbk")):
        with open(out_dir / fname, "w", encoding=enc, newline="") as fh:
            w = csv.writer(fh)
            w.writerow(HEADERS)
            w.writerows(rows)
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "田管员花名册"
    ws.append(HEADERS)
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append(r)
    for col, width in zip("ABCDEFGH", (6, 18, 24, 12, 12, 12, 14, 8)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.properties.creator = "linxia_tianguan samplegen"
    wb.save(out_dir / "roster.xlsx")
