"""Real administrative codes and rough real geography of Linxia Prefecture (临夏州).

Codes and names come from the repository's copy of the national division list; the centres, areas and
river courses below are approximate (read off public maps, converted to EPSG:4522) and only serve
to place the synthetic counties roughly where the real ones are.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DIVISIONS_CSV = REPO / "resources" / "linxia_admin_divisions.csv"

PREFECTURE_CODE = "6229"
PREFECTURE_NAME = "临夏回族自治州"
DEFAULT_COUNTY = "622921"

# Local origin: every internal computation works in metres relative to it (keeps ~1e-9 m precision
# with 8-digit GK eastings); it is added back only when geometries are written.
ORIGIN = (34_500_000.0, 3_800_000.0)

# Approximate county centres (EPSG:4522 x, y) and land areas in km² (public statistics, rounded).
COUNTY_CENTERS: dict[str, tuple[float, float]] = {
    "622901": (34_609_663.0, 3_940_725.0),
    "622921": (34_590_787.0, 3_924_978.0),
    "622922": (34_654_629.0, 3_909_202.0),
    "622923": (34_617_290.0, 3_980_776.0),
    "622924": (34_640_688.0, 3_927_841.0),
    "622925": (34_619_989.0, 3_914_223.0),
    "622926": (34_626_757.0, 3_949_830.0),
    "622927": (34_576_929.0, 3_952_589.0),
}
COUNTY_AREAS_KM2: dict[str, float] = {
    "622901": 88.0,
    "622921": 1212.0,
    "622922": 1083.0,
    "622923": 1864.0,
    "622924": 538.0,
    "622925": 960.0,
    "622926": 1510.0,
    "622927": 910.0,
}
# Main rivers as rough waypoints (EPSG:4522): 大夏河, 洮河, 黄河.
RIVERS: dict[str, list[tuple[float, float]]] = {
    "大夏河": [
        (34_577_312, 3_908_207),
        (34_588_150, 3_916_074),
        (34_597_130, 3_926_154),
        (34_604_276, 3_936_221),
        (34_609_649, 3_941_835),
        (34_614_943, 3_952_999),
        (34_617_482, 3_966_350),
        (34_614_626, 3_977_411),
    ],
    "洮河": [
        (34_668_584, 3_892_801),
        (34_661_807, 3_914_878),
        (34_650_580, 3_933_552),
        (34_637_571, 3_953_321),
        (34_626_472, 3_969_804),
        (34_619_124, 3_978_581),
    ],
    "黄河": [
        (34_558_740, 3_965_765),
        (34_576_775, 3_970_342),
        (34_594_793, 3_974_956),
        (34_608_308, 3_977_331),
        (34_619_109, 3_979_691),
        (34_635_250, 3_986_583),
        (34_645_887, 3_997_854),
    ],
}


class SampleError(ValueError):
    """A request the generator cannot honour (unknown county, size too small, bad recipe key)."""


@dataclass(frozen=True)
class Division:
    """One county or township of the real division list."""

    code: str
    name: str
    parent: str

    @property
    def kind(self) -> str:
        """'street' (街道 001–099), 'town' (镇 100–199) or 'xiang' (乡 200–399) for townships."""
        n = int(self.code[6:9]) if len(self.code) == 9 else -1
        return "street" if 0 < n < 100 else "town" if 100 <= n < 200 else "xiang"


def load_divisions(path: Path = DIVISIONS_CSV) -> tuple[dict[str, Division], dict[str, list[Division]]]:
    """Counties by code, and each county's townships in code order."""
    counties: dict[str, Division] = {}
    towns: dict[str, list[Division]] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            d = Division(row["code"].strip(), row["name"].strip(), row["parent_code"].strip())
            if row["level"].strip() == "county":
                counties[d.code] = d
            elif row["level"].strip() == "township":
                towns.setdefault(d.parent, []).append(d)
    for lst in towns.values():
        lst.sort(key=lambda d: d.code)
    return counties, towns


def resolve_counties(counties: list[str] | None) -> list[str]:
    """Normalise the `counties` argument: None -> the default county, ['all'] -> all eight."""
    known, _ = load_divisions()
    if not counties:
        return [DEFAULT_COUNTY]
    flat = [c.strip() for item in counties for c in str(item).split(",") if c.strip()]
    if any(c.lower() == "all" for c in flat):
        return sorted(known)
    bad = [c for c in flat if c not in known]
    if bad:
        raise SampleError(f"unknown county code(s) {bad}; expected some of {sorted(known)} or 'all'")
    return sorted(dict.fromkeys(flat))
