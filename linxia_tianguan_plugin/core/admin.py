"""Administrative divisions: names for county/township codes, village and group naming.

County and township names are the real ones (national statistical division list, bundled as
``resources/linxia_admin_divisions.csv``). Village names come from the survey's CJDCQ layer and are
kept in the 田管库; group (社) names are conventionally the village name plus a Chinese ordinal.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

_DIGITS = "零一二三四五六七八九"


def chinese_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (group numbers are 2 digits)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else _DIGITS[tens]) + "十" if tens else ""
    return text + (_DIGITS[ones] if ones else "")


def group_name(village_name: str, group: str) -> str:
    """Conventional name of a village group (社): 'X村' + '三社'; group 00 is the village itself."""
    number = int(group)
    if number == 0:
        return village_name
    return f"{village_name}{chinese_ordinal(number)}社"


@dataclass
class AdminDivisions:
    """Code → name lookup for counties, townships and (when known) villages."""

    names: dict[str, str] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_csv(cls, path: Path | str) -> AdminDivisions:
        divisions = cls()
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                divisions.add(row["code"].strip(), row["name"].strip(), row["level"].strip())
        return divisions

    def add(self, code: str, name: str, level: str) -> None:
        self.names[code] = name
        self.levels[code] = level

    def name(self, code: str) -> str | None:
        return self.names.get(code)

    def townships(self, county: str) -> list[str]:
        return sorted(c for c, lv in self.levels.items() if lv == "township" and c.startswith(county))

    def describe(self, group_code: str) -> dict[str, str | None]:
        """Names of the county, township, village and group that a 14-digit group code points to."""
        county, township, village = group_code[:6], group_code[:9], group_code[:12]
        village_name = self.names.get(village)
        group = group_code[12:14] if len(group_code) >= 14 else ""
        return {
            "county": self.names.get(county),
            "township": self.names.get(township),
            "village": village_name,
            "group": group_name(village_name, group) if village_name and group else None,
        }


def unit_rows(
    divisions: AdminDivisions, villages: dict[str, str], groups: list[str]
) -> list[tuple[str, str, str, str | None]]:
    """(code, level, name, parent) rows for the 田管库: the county and townships the groups belong to
    (real names), the villages (names from the survey) and the groups (conventional names)."""
    rows: dict[str, tuple[str, str, str, str | None]] = {}
    for group in sorted(set(groups)):
        county, township, village = group[:6], group[:9], group[:12]
        for code, level, parent in ((county, "county", county[:4]), (township, "township", county)):
            name = divisions.name(code)
            if name:
                rows[code] = (code, level, name, parent)
        village_name = villages.get(village)
        if village_name:
            rows[village] = (village, "village", village_name, township)
            rows[group] = (group, "group", group_name(village_name, group[12:14]), village)
    return list(rows.values())
