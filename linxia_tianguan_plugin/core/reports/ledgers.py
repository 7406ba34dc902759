"""耕地进出平衡 and 占补平衡: the two farmland ledgers of a county for one year, from two survey years.

- 进出平衡: 出 = farmland turned into other agricultural land (园地, 林地, 草地, 设施农用地, 坑塘, 田坎 …),
  进 = other agricultural land turned into farmland; 进出差 = 进 − 出 (negative: the year lost farmland to
  agriculture and must win it back).
- 占补平衡: 占 = farmland occupied by construction, 补 = new farmland from any land that is neither farmland nor
  agricultural land (construction, unused land, water); 占补差 = 补 − 占.
- Farmland lost to anything else (river, lake, reservoir, unused land, a patch without a class) is no entry of
  either ledger; it is counted as 其他减少 (``other_out``) so that the ledgers add up to the change of farmland, and
  gains from a patch without a class as 其他增加 (``other_in``).

Why the change analysis' kernel (:func:`..cases.change_detection.compare_years`) and not an overlay of its own: the
ledgers and the cases must see the same changes. Its skip of unchanged 图斑, its pairing by BSM and its 田坎
deduction (area × (1 − KCXS), KCXS in percent detected) are used as they are; losses are its result, gains are its
result with the years swapped (farmland of the newer year that the older year did not have). Two of its rules are
switched off for the ledgers, through a copy of the rules: the thresholds (a ledger is an account — every m² counts,
a part too small to report as a case still moves farmland) and the 非粮化 of 种植属性 FLS (farmland that stays
farmland is neither 进 nor 出). The class groups are the change rules' own: construction is ``rules.nonagri``;
agricultural land is ``rules.nongrain`` + ``rules.facility`` + ``rules.wetland`` and the 农用地 classes of 三调 the
change rules file under other kinds (:data:`OTHER_AGRICULTURAL`). Longest prefix wins, as in the change rules
(1107A 干渠 is construction although 1107 沟渠 is agricultural).

Areas: ``area_m2`` is the planar area of the part; ``farmland_m2`` its 耕地 地类面积 after 田坎 (KCXS of the farmland
side: the older 图斑 for a loss, the newer for a gain). The ledgers sum ``farmland_m2``; 1 亩 = m² × 0.0015.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..cases.change_detection import MU_PER_M2, Candidates, LandUse, compare_years
from ..cases.change_rules import ChangeRules
from ..dlbm import normalise

IN, OUT, OCCUPY, SUPPLEMENT, OTHER_OUT, OTHER_IN = "in", "out", "occupy", "supplement", "other_out", "other_in"
#: every ledger entry kind, in the order of the reports
KINDS = (IN, OUT, OCCUPY, SUPPLEMENT, OTHER_OUT, OTHER_IN)
#: which way an entry moves farmland
GAINS, LOSSES = (IN, SUPPLEMENT, OTHER_IN), (OUT, OCCUPY, OTHER_OUT)

FARMLAND, AGRICULTURAL, CONSTRUCTION, OTHER, EMPTY = "farmland", "agricultural", "construction", "other", ""

#: 农用地 of 三调 that the change rules count as another kind of loss (农村道路 1006 and 田坎 1203 as ``other``, 坑塘
#: 1104 as 挖湖造景, 沟渠 1107 as ``other``): for the ledgers they are agricultural land like 园地 and 林地
OTHER_AGRICULTURAL: tuple[str, ...] = ("1006", "1104", "1107", "1203")


def ledger_rules(rules: ChangeRules) -> ChangeRules:
    """The change rules as the ledgers use them: no threshold (every part counts) and no 种植属性 rule."""
    return replace(rules, min_area_m2=0.0, min_area_basic_m2=0.0, min_width_m=0.0, max_thinness=0.0, fls_codes=())


def land_group(code: object, rules: ChangeRules) -> str:
    """``farmland``, ``agricultural``, ``construction``, ``other`` or ``""`` (no class) of one DLBM."""
    c = normalise(code)
    if not c:
        return EMPTY
    if rules.is_farmland(c):
        return FARMLAND
    groups = [(normalise(p), CONSTRUCTION) for p in rules.nonagri]
    groups += [(normalise(p), AGRICULTURAL)
               for p in (*rules.nongrain, *rules.facility, *rules.wetland, *OTHER_AGRICULTURAL)]
    for prefix, group in sorted(groups, key=lambda pg: -len(pg[0])):
        if c.startswith(prefix):
            return group
    return OTHER


def entry_kind(before_dlbm: object, after_dlbm: object, rules: ChangeRules) -> str | None:
    """The ledger entry of a part whose class went from ``before_dlbm`` to ``after_dlbm``; None when farmland
    neither came nor went."""
    b, a = land_group(before_dlbm, rules), land_group(after_dlbm, rules)
    if (b == FARMLAND) == (a == FARMLAND):
        return None
    if b == FARMLAND:
        return {AGRICULTURAL: OUT, CONSTRUCTION: OCCUPY}.get(a, OTHER_OUT)
    return {AGRICULTURAL: IN, EMPTY: OTHER_IN}.get(b, SUPPLEMENT)


@dataclass
class Entries:
    """The parts behind the ledgers, column-wise: one row per single polygon (shapely), with the classes of the
    two years, their 图斑 (BSM; ';'-joined when a part was cut from several), the ledger entry and the areas."""

    geom: np.ndarray
    kind: np.ndarray
    before_dlbm: np.ndarray
    after_dlbm: np.ndarray
    bsm_before: np.ndarray
    bsm_after: np.ndarray
    township: np.ndarray
    area_m2: np.ndarray
    farmland_m2: np.ndarray

    def __len__(self) -> int:
        return len(self.geom)

    @property
    def county(self) -> np.ndarray:
        return np.array([str(t)[:6] for t in self.township], dtype=object)


def _zone_of(land: LandUse, bsms: np.ndarray) -> np.ndarray:
    """The zone (township) of the 图斑 a part was cut from, by its BSM (the first 图斑 when a BSM repeats)."""
    if land.zone is None:
        return np.full(len(bsms), "", dtype=object)
    index: dict[str, str] = {}
    for b, z in zip(land.bsm.tolist(), land.zone.tolist()):
        index.setdefault(b, z)
    return np.array([index.get(b, "") for b in bsms], dtype=object)


def _entries(found: Candidates, farmland_side: LandUse, gained: bool, rules: ChangeRules) -> Entries:
    """Candidates of the kernel as ledger entries; for gains (years swapped) the two sides are turned back."""
    before, after = (found.to_dlbm, found.from_dlbm) if gained else (found.from_dlbm, found.to_dlbm)
    bsm_before, bsm_after = (found.bsm_after, found.bsm_before) if gained else (found.bsm_before, found.bsm_after)
    kind = np.array([entry_kind(b, a, rules) for b, a in zip(before, after)], dtype=object)
    keep = np.flatnonzero(kind != None)  # noqa: E711 (element-wise on an object array)
    return Entries(geom=found.geom[keep], kind=kind[keep], before_dlbm=before[keep], after_dlbm=after[keep],
                   bsm_before=bsm_before[keep], bsm_after=bsm_after[keep],
                   township=_zone_of(farmland_side, found.bsm_before[keep]),
                   area_m2=np.asarray(found.area_m2, dtype=float)[keep],
                   farmland_m2=np.asarray(found.farmland_m2, dtype=float)[keep])


def _concat(parts: list[Entries]) -> Entries:
    return Entries(**{name: np.concatenate([getattr(p, name) for p in parts]) for name in Entries.__dataclass_fields__})


def entries(before: LandUse, after: LandUse, rules: ChangeRules,
            progress: Callable[[float], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> tuple[Entries, dict]:
    """Every part of farmland that came or went between ``before`` and ``after``, with its ledger entry;
    (entries, statistics of the two kernel runs: ``losses`` and ``gains``)."""
    rules = ledger_rules(rules)
    none = np.zeros(0, dtype=object)
    step = (lambda lo: (lambda f: progress(lo + 0.5 * f))) if progress is not None else (lambda lo: None)
    lost, lost_stats = compare_years(before, after, none, rules, progress=step(0.0), cancelled=cancelled)
    won, won_stats = compare_years(after, before, none, rules, progress=step(0.5), cancelled=cancelled)
    found = _concat([_entries(lost, before, False, rules), _entries(won, after, True, rules)])
    return found, {"losses": lost_stats, "gains": won_stats, "rules_version": rules.version}


@dataclass(frozen=True)
class Row:
    """One line of the summary: a county (``township`` = '') or a township, with m² (田坎 deducted) per entry kind
    and the number of parts behind each."""

    county: str
    township: str
    m2: dict
    parts: dict

    def get(self, kind: str) -> float:
        return float(self.m2.get(kind, 0.0))

    @property
    def in_out_balance(self) -> float:
        """进出差 = 进 − 出."""
        return self.get(IN) - self.get(OUT)

    @property
    def occupy_balance(self) -> float:
        """占补差 = 补 − 占."""
        return self.get(SUPPLEMENT) - self.get(OCCUPY)

    @property
    def net(self) -> float:
        """The change of farmland these entries make: every gain less every loss."""
        return sum(self.get(k) for k in GAINS) - sum(self.get(k) for k in LOSSES)


def summary(found: Entries, area: str = "farmland_m2") -> list[Row]:
    """The ledgers per county, each followed by its townships (sorted by code): sums of ``area`` per entry kind."""
    values = np.asarray(getattr(found, area), dtype=float)
    towns: dict[tuple[str, str], tuple[dict, dict]] = {}
    for township, kind, value in zip(found.township.tolist(), found.kind.tolist(), values.tolist()):
        for key in ((str(township)[:6], ""), (str(township)[:6], str(township))):
            m2, parts = towns.setdefault(key, ({}, {}))
            m2[kind] = m2.get(kind, 0.0) + value
            parts[kind] = parts.get(kind, 0) + 1
    return [Row(c, t, m2, parts) for (c, t), (m2, parts) in sorted(towns.items())]


def totals(found: Entries, area: str = "farmland_m2") -> dict[str, float]:
    """Sum of ``area`` per entry kind over everything (every kind present, 0 when none)."""
    values = np.asarray(getattr(found, area), dtype=float)
    return {k: float(values[found.kind == k].sum()) for k in KINDS}


def farmland_area(land: LandUse, rules: ChangeRules) -> float:
    """Planar area of the farmland 图斑 of one survey: with the other year's, the check that the ledgers balance
    (Σ gains − Σ losses of ``area_m2`` = farmland after − farmland before when both layers cover the same land)."""
    import shapely

    rows = np.flatnonzero(rules.farmland_mask(land.dlbm))
    geoms = shapely.from_wkb(np.asarray(land.wkb[rows], dtype=object), on_invalid="ignore")
    return float(np.nansum(shapely.area(shapely.make_valid(geoms)))) if len(rows) else 0.0


def mu(m2: float) -> float:
    return float(m2) * MU_PER_M2


__all__ = ["AGRICULTURAL", "CONSTRUCTION", "Entries", "FARMLAND", "IN", "KINDS", "OCCUPY", "OTHER_AGRICULTURAL",
           "OTHER_IN", "OTHER_OUT", "OUT", "Row", "SUPPLEMENT", "entries", "entry_kind", "farmland_area",
           "land_group", "ledger_rules", "mu", "summary", "totals"]
