"""Plausible local names: villages, people (Han, Hui, Dongxiang), field names, phone numbers.

Linxia is about 60 % Hui, Dongxiang, Salar and Bao'an; 马 is by far the most frequent surname, and
many given names are Chinese renderings of Arabic/Persian names. Lists are short on purpose: they
only need to look right on a map label or a roster, not to be a census.
"""

from __future__ import annotations

import numpy as np

# fmt: off
# surname: weight
SURNAMES = [("马", 26), ("王", 8), ("张", 6), ("何", 5), ("韩", 5), ("杨", 5), ("李", 4), ("赵", 3), ("刘", 3),
            ("陈", 2), ("罗", 2), ("孔", 2), ("妥", 2), ("祁", 2), ("冶", 2), ("喇", 1), ("汪", 2), ("唐", 1),
            ("苏", 1), ("沈", 1), ("周", 1), ("康", 1), ("魏", 1), ("秦", 1), ("白", 1), ("穆", 1), ("虎", 1),
            ("哈", 1), ("米", 1), ("包", 1), ("撒", 1), ("尕", 1)]
HUI_SURNAMES = set("马韩妥冶喇穆虎哈米撒苏白")
HUI_GIVEN = ("尔撒 穆萨 哈比布 伊斯哈 阿里 尔利 努海 优素福 舍勒 哈吉 尤努斯 伊布拉 达吾德 叶海亚 苏来曼 麦尔燕 阿依舍 "
             "法图麦 海底尔 乙四夫 尔萨 哈山 胡赛尼 撒力海 牙合亚 阿布都").split()
GIVEN_1 = list("福文成志建国玉德明海学生永世兴春秀英兰梅花军平忠义贵发林山清华红强伟俊尕麻")
GIVEN_2 = list("祥才林明华军兰英平荣贵喜福元成忠义山清云霞琴芳梅莲红生宝录虎龙林奎顺")
VILLAGE_PREFIX = ("马家 王家 何家 韩家 张家 杨家 祁家 孔家 罗家 赵家 刘家 魏家 唐家 妥家 冶家 喇家 苏家 陈家 汪家 康家 "
                  "大 小 上 下 前 后 东 西 南 北 红 黑 尕 新 阳洼 阴洼 沟门 河滩 川口 塬头 岘口 古城 石 白土 红崖 "
                  "柳 杏 梨 桃 堡子 营 寺").split()
VILLAGE_SUFFIX = "庄 塬 沟 湾 坪 岭 滩 川 河 台 岘 集 铺 寺 堡 坡 山 泉 门 咀 崖 洼 嘴 营 家".split()
FIELD_NAMES = ("阳洼地 阴洼地 大湾地 梁顶地 沟口地 台子地 长条地 坪地 川地 下湾地 上湾地 崖头地 堡子地 窑背地 庄后地 "
               "河滩地 渠边地 坡地 尕湾地 岘口地 塬边地 路边地 场边地 涝池地 大块地 三角地").split()
NUMERALS = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四".split()
MOBILE_PREFIXES = ("130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 177 180 181 182 183 185 "
                   "186 187 188 189 191 193 198 199").split()
# fmt: on

_SN = [s for s, _ in SURNAMES]
_SW = np.array([w for _, w in SURNAMES], dtype=float)
_SW /= _SW.sum()


def surname(g: np.random.Generator, local: list[str] | None = None) -> str:
    """A surname; villages often share two or three dominant ones (`local`)."""
    if local and g.random() < 0.55:
        return local[int(g.integers(len(local)))]
    return _SN[int(g.choice(len(_SN), p=_SW))]


def person(g: np.random.Generator, local: list[str] | None = None) -> str:
    """A full name: Hui-style given names for Hui surnames about half of the time."""
    s = surname(g, local)
    if s in HUI_SURNAMES and g.random() < 0.45:
        return s + HUI_GIVEN[int(g.integers(len(HUI_GIVEN)))]
    if g.random() < 0.25:
        return s + GIVEN_2[int(g.integers(len(GIVEN_2)))]
    return s + GIVEN_1[int(g.integers(len(GIVEN_1)))] + GIVEN_2[int(g.integers(len(GIVEN_2)))]


def local_surnames(g: np.random.Generator) -> list[str]:
    """Two or three surnames dominant in one village."""
    k = int(g.integers(2, 4))
    out: list[str] = []
    while len(out) < k:
        s = surname(g)
        if s not in out:
            out.append(s)
    return out


def village_stem(g: np.random.Generator, used: set[str]) -> str:
    """A village name stem (without 村/社区), unique within `used`."""
    for _ in range(200):
        p = VILLAGE_PREFIX[int(g.integers(len(VILLAGE_PREFIX)))]
        s = VILLAGE_SUFFIX[int(g.integers(len(VILLAGE_SUFFIX)))]
        stem = p + s if not (p.endswith("家") and s == "家") else p + "庄"
        if stem not in used:
            used.add(stem)
            return stem
    stem = f"{VILLAGE_PREFIX[int(g.integers(len(VILLAGE_PREFIX)))]}{len(used)}号"
    used.add(stem)
    return stem


def group_name(i: int) -> str:
    """Group (社) number i (1-based) as commonly written: 一社, 二社 …"""
    return (NUMERALS[i - 1] if i <= len(NUMERALS) else str(i)) + "社"


def mobile(g: np.random.Generator, used: set[str]) -> str:
    """A unique, well-formed 11-digit mainland mobile number."""
    while True:
        n = MOBILE_PREFIXES[int(g.integers(len(MOBILE_PREFIXES)))] + f"{int(g.integers(0, 10**8)):08d}"
        if n not in used:
            used.add(n)
            return n
