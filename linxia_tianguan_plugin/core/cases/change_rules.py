"""Versioned rules that turn a change of 三调 land-use class into a kind of farmland loss.

The rules live in ``resources/rules/change_rules.json`` so that the province's yearly notice (which
classes count as 非农化 or 非粮化, which areas are too small to report) changes a file, not the code.
Every output records ``ChangeRules.version`` so that a result can be traced to the rules it used.

Kinds:

- ``nonagri``  非农化: farmland became a construction class (05–09, 1001–1005, 1007–1009, 1107A, 1109,
  1201, 20x) or a temporary/survey class (1301 临时用地, 1302 光伏板区, 1303 推土区, 1304 拆除未尽区).
- ``facility`` 设施农用地 1202: a non-agricultural *candidate*; whether a 设施农业 filing covers it is
  decided later by another module, so it is kept apart from ``nonagri``.
- ``nongrain`` 非粮化: farmland became 种植园 02, 林地 03, 草地 04 or 养殖坑塘 1104A, or stays farmland
  with 种植属性 ZZSXDM = FLS (when it was not FLS already).
- ``waterscape`` 挖湖造景: farmland became 湖泊水面 1102, 水库水面 1103 or 坑塘水面 1104. Digging lakes and
  ponds on farmland is named apart from ``other`` because the 2020 notice on farmland 非农化 forbids it by
  name; 养殖坑塘 1104A (a fish pond) stays 非粮化 — the longest prefix wins, so 1104A never reaches 1104.
- ``other``    any other loss of farmland: wetland classes (0303, 0304, 0306, 0402 are protected
  wetlands, not 非粮化), 1006 农村道路 (a 农用地 class, so not 非农化), river 1101, ditches 1107,
  田坎 1203, bare land …
- ``unknown``  the newer class is empty (an external polygon without a class, a survey row without DLBM).
- ``abandoned`` 撂荒: not a loss but a state — farmland whose 种植属性 is 未耕种 (``abandoned_codes``,
  ZZSXDM = WG). :meth:`ChangeRules.classify` never returns it; :func:`.change_detection.abandoned` lists
  those 图斑 of one survey.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from ...resources import resource_path
from ..dlbm import normalise

NONAGRI, FACILITY, NONGRAIN, OTHER, UNKNOWN = "nonagri", "facility", "nongrain", "other", "unknown"
WATERSCAPE, ABANDONED = "waterscape", "abandoned"

#: The file that holds the defaults (``<plugin>/resources`` when installed, ``<repo>/resources`` in a checkout).
RULES_FILE = resource_path("rules", "change_rules.json")

_GROUPS = ("farmland", "nonagri", "facility", "nongrain", "waterscape", "wetland")
_CODE_LISTS = ("fls_codes", "abandoned_codes")


@dataclass(frozen=True)
class ChangeRules:
    """Class groups (DLBM codes or prefixes, longest prefix wins) and the thresholds of the filters.

    ``wetland`` lists the classes inside 03/04 that are wetlands: a prefix longer than ``03``/``04``,
    so the longest-prefix match sends them to ``other`` instead of ``nongrain``. ``waterscape`` (1102,
    1103, 1104) is shorter than 1104A, so a fish pond stays ``nongrain``. ``abandoned_codes`` are the
    种植属性 codes of farmland left unplanted (未耕种 WG); 休耕 XG (fallow by plan) is not 撂荒.

    Thresholds (m², m): ``min_area_m2`` drops parts too small to report; a part overlapping 永久基本
    农田 by at least ``min_area_basic_m2`` is kept down to that area, because any loss of basic
    farmland is reported. A part whose mean width 2·A/P is below ``min_width_m`` is a sliver (a
    boundary shifted by digitising, not a change); so is a part whose isoperimetric ratio 4πA/P² is
    below ``max_thinness`` while its mean width is below ``2 × min_width_m``. For a strip of width w and
    length L the ratio is ≈ πw/L, so the default 0.03 only drops strips narrower than 4 m that are
    more than ~100 times as long as wide (a 3.5 m strip longer than ~370 m): a real new road of
    that width across farmland is rare, a 2–4 m boundary shift along a long 图斑 edge is not.
    """

    version: str = "2025.2"
    farmland: tuple[str, ...] = ("01",)
    nonagri: tuple[str, ...] = ("05", "06", "07", "08", "09", "1001", "1002", "1003", "1004", "1005", "1007",
                                "1008", "1009", "1107A", "1109", "1201", "201", "202", "203", "204", "205",
                                "1301", "1302", "1303", "1304")
    facility: tuple[str, ...] = ("1202",)
    nongrain: tuple[str, ...] = ("02", "03", "04", "1104A")
    waterscape: tuple[str, ...] = ("1102", "1103", "1104")
    wetland: tuple[str, ...] = ("0303", "0304", "0306", "0402")
    fls_codes: tuple[str, ...] = ("FLS",)
    abandoned_codes: tuple[str, ...] = ("WG",)
    min_area_m2: float = 100.0
    min_area_basic_m2: float = 50.0
    min_width_m: float = 2.0
    max_thinness: float = 0.03
    descriptions: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.min_area_basic_m2 > self.min_area_m2:
            raise ValueError("min_area_basic_m2 must not exceed min_area_m2")
        if min(self.min_area_m2, self.min_area_basic_m2, self.min_width_m, self.max_thinness) < 0:
            raise ValueError("thresholds must not be negative")

    # -- classification -------------------------------------------------------------------------
    def _prefixes(self) -> list[tuple[str, str]]:
        """(prefix, group) longest first: built per call, the rules are small and frozen."""
        pairs = [(normalise(p), g) for g in ("nonagri", "facility", "nongrain", "waterscape", "wetland")
                 for p in getattr(self, g)]
        return sorted(pairs, key=lambda pg: -len(pg[0]))

    def is_farmland(self, code: object) -> bool:
        c = normalise(code)
        return any(c.startswith(normalise(p)) for p in self.farmland) if c else False

    def farmland_mask(self, codes: np.ndarray) -> np.ndarray:
        """``is_farmland`` per row, with the Python work per distinct code (a county has a few dozen)."""
        codes = np.asarray(codes, dtype=object).reshape(-1)
        if len(codes) == 0:
            return np.zeros(0, dtype=bool)
        unique, inverse = np.unique(np.array([c if isinstance(c, str) else normalise(c) for c in codes], dtype=str),
                                    return_inverse=True)
        return np.array([self.is_farmland(u) for u in unique], dtype=bool)[inverse.reshape(-1)]

    def is_fls(self, zzsxdm: object) -> bool:
        return normalise(zzsxdm) in {normalise(z) for z in self.fls_codes}

    def is_abandoned(self, dlbm: object, zzsxdm: object) -> bool:
        """Farmland left unplanted (撂荒): a farmland class whose 种植属性 is one of ``abandoned_codes``."""
        return self.is_farmland(dlbm) and normalise(zzsxdm) in {normalise(z) for z in self.abandoned_codes}

    def classify(self, from_dlbm: object, to_dlbm: object, to_zzsxdm: object = "",
                 from_zzsxdm: object = "") -> str | None:
        """Kind of farmland loss, or None when nothing was lost.

        None when the baseline is not farmland, or the new class is still farmland and not 非粮
        (or was already 非粮 in the baseline: an unchanged FLS is no new 非粮化).
        """
        if not self.is_farmland(from_dlbm):
            return None
        to = normalise(to_dlbm)
        if not to:
            return UNKNOWN
        if self.is_farmland(to):
            return NONGRAIN if self.is_fls(to_zzsxdm) and not self.is_fls(from_zzsxdm) else None
        for prefix, group in self._prefixes():
            if to.startswith(prefix):
                return OTHER if group == "wetland" else group
        return OTHER

    def classify_many(self, from_dlbm: np.ndarray, to_dlbm: np.ndarray, to_zzsxdm: np.ndarray | None = None,
                      from_zzsxdm: np.ndarray | None = None) -> np.ndarray:
        """``classify`` per row; the Python work is per distinct combination, not per row."""
        n = len(from_dlbm)
        to_z = np.full(n, "", dtype=object) if to_zzsxdm is None else to_zzsxdm
        from_z = np.full(n, "", dtype=object) if from_zzsxdm is None else from_zzsxdm
        out = np.full(n, None, dtype=object)
        if n == 0:
            return out
        keys = np.array([f"{normalise(a)}\x1f{normalise(b)}\x1f{normalise(c)}\x1f{normalise(d)}"
                         for a, b, c, d in zip(from_dlbm, to_dlbm, to_z, from_z)], dtype=object)
        unique, inverse = np.unique(keys.astype(str), return_inverse=True)
        kinds = np.array([self.classify(*u.split("\x1f")) for u in unique] + [None], dtype=object)[:-1]
        out[:] = kinds[inverse]
        return out

    # -- persistence ----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """JSON-ready dict (tuples as lists), the inverse of :func:`rules_from_dict`."""
        d = asdict(self)
        for g in (*_GROUPS, *_CODE_LISTS):
            d[g] = list(d[g])
        d["description"] = d.pop("descriptions")
        return d


def rules_from_dict(data: dict) -> ChangeRules:
    """Rules from a dict as stored in JSON; missing keys take the defaults, unknown keys are an error."""
    data = dict(data)
    descriptions = data.pop("description", {}) or {}
    names = {f.name for f in fields(ChangeRules)} - {"descriptions"}
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"unknown keys in change rules: {sorted(unknown)}")
    for g in (*_GROUPS, *_CODE_LISTS):
        if g in data:
            data[g] = tuple(normalise(c) for c in data[g])
    for t in ("min_area_m2", "min_area_basic_m2", "min_width_m", "max_thinness"):
        if t in data:
            data[t] = float(data[t])
    if "version" in data:
        data["version"] = str(data["version"])
    return ChangeRules(descriptions=dict(descriptions), **data)


def load_rules(path: str | Path | None = None) -> ChangeRules:
    """Rules from a JSON file (UTF-8); the shipped defaults when ``path`` is None."""
    with open(RULES_FILE if path is None else path, encoding="utf-8-sig") as f:
        return rules_from_dict(json.load(f))


#: The defaults in code; a unit test keeps them equal to ``resources/rules/change_rules.json``.
DEFAULT_RULES = ChangeRules()
