"""三调 land-use classes (DLBM, TD/T 1055-2019 working classification) needed by the plugin's rules."""
from __future__ import annotations

import math
import re

import numpy as np

#: Names of the classes the desk meets most (三调 工作分类); others fall back to the code itself.
DLMC: dict[str, str] = {
    "0101": "水田", "0102": "水浇地", "0103": "旱地",
    "0201": "果园", "0202": "茶园", "0203": "橡胶园", "0204": "其他园地",
    "0301": "乔木林地", "0302": "竹林地", "0303": "红树林地", "0304": "森林沼泽", "0305": "灌木林地",
    "0306": "灌丛沼泽", "0307": "其他林地",
    "0401": "天然牧草地", "0402": "沼泽草地", "0403": "人工牧草地", "0404": "其他草地",
    "05H1": "商业服务业设施用地", "0508": "物流仓储用地", "0601": "工业用地", "0602": "采矿用地",
    "0701": "城镇住宅用地", "0702": "农村宅基地",
    "08H1": "机关团体新闻出版用地", "08H2": "科教文卫用地", "0809": "公用设施用地", "0810": "公园与绿地",
    "0810A": "广场用地", "09": "特殊用地",
    "1001": "铁路用地", "1002": "轨道交通用地", "1003": "公路用地", "1004": "城镇村道路用地",
    "1005": "交通服务场站用地", "1006": "农村道路", "1007": "机场用地", "1008": "港口码头用地",
    "1009": "管道运输用地",
    "1101": "河流水面", "1102": "湖泊水面", "1103": "水库水面", "1104": "坑塘水面", "1104A": "养殖坑塘",
    "1105": "沿海滩涂", "1106": "内陆滩涂", "1107": "沟渠", "1107A": "干渠", "1108": "沼泽地",
    "1109": "水工建筑用地", "1110": "冰川及永久积雪",
    "1201": "空闲地", "1202": "设施农用地", "1203": "田坎", "1204": "盐碱地", "1205": "沙地",
    "1206": "裸土地", "1207": "裸岩石砾地",
}


def normalise(code: object) -> str:
    """DLBM as written in rules and codes: strip blanks, upper-case the suffix letters (0201k → 0201K)."""
    if code is None:
        return ""
    return str(code).strip().upper()


_DECIMAL = re.compile(r"^(\d+)\.0*$")


def normalise_value(value: object) -> str:
    """A land-class value as read from a layer, as the 4-character text of 三调: blanks stripped (full-width
    and no-break ones too), suffix letters upper-cased, and a code that lost its leading zero by being stored
    as a number made text again (103, 103.0, '103.0', '0103.0' → '0103'; 9 → '09' 特殊用地). A 3-digit text
    is left alone: it may be a class of its own (二调 011, 201 城市)."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return _pad(str(int(value))) if value >= 0 else str(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            return ""
        return _pad(str(int(value))) if float(value).is_integer() and value >= 0 else str(value)
    text = str(value).strip().upper()
    match = _DECIMAL.match(text)
    return _pad(match.group(1)) if match else text


def _pad(digits: str) -> str:
    """Zero-pad an all-digit code to the 三调 width: 4 digits, or 2 for a first-level class (09)."""
    return digits.zfill(2) if len(digits) <= 2 else digits.zfill(4)


def normalise_many(codes) -> tuple[np.ndarray, int, str, str]:
    """Normalised codes (object array of str), how many values changed, and one example (before, after).

    Values already clean 三调 text pass with one pattern match each."""
    values = np.asarray(codes, dtype=object) if not isinstance(codes, np.ndarray) else codes
    if values.dtype.kind == "U":
        out = values.astype(object)
    else:
        out = np.array(values, dtype=object, copy=True)
    changed, before, after = 0, "", ""
    for i, v in enumerate(out):
        if isinstance(v, str) and (v == "" or _CLEAN.match(v)):
            continue
        if v is None:
            out[i] = ""
            continue
        n = normalise_value(v)
        if n != (v if isinstance(v, str) else None):
            changed += 1
            if not before:
                before, after = str(v), n
        out[i] = n
    return out, changed, before, after


_CLEAN = re.compile(r"^(?:\d{4}|\d{2}|\d{2}[A-Z]\d|\d{4}[A-Z]{1,2}|\d{2}H\d[A-Z]?)$")


def is_farmland(code: object) -> bool:
    """耕地 = class 01 (0101 水田, 0102 水浇地, 0103 旱地)."""
    return normalise(code).startswith("01")




def name(code: object) -> str:
    c = normalise(code)
    return DLMC.get(c) or DLMC.get(c.rstrip("K")) or c
