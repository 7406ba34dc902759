"""The 田管员花名册 (officer roster) of the five-level patrol grid: reading its rows and checking them.

临州办发〔2024〕52号 names one 田管员 per grid: at 州, 县 and 乡 level the head of government, with the
deputy in charge as 助理田管员; at 村 level the village's main leader; at 社 level the group leader.
Rosters arrive as spreadsheets typed by hand in every township, so reading is lenient about headers and
spellings, and checking says exactly which row is wrong and why. Plain Python: no Qt, no QGIS.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: grid levels and the digits of their codes (the administrative code of the unit)
LEVEL_NAMES = {1: "州", 2: "县", 3: "乡", 4: "村", 5: "社"}
CODE_LENGTHS = {1: 4, 2: 6, 3: 9, 4: 12, 5: 14}
#: levels at which the plan requires a 助理田管员 (the deputy in charge)
ASSISTANT_LEVELS = (1, 2, 3)

OFFICER, ASSISTANT = "officer", "assistant"
ROLE_NAMES = {OFFICER: "田管员", ASSISTANT: "助理田管员"}

#: the columns of a roster file, in the order they are written (the sample's and the export's headers)
HEADERS = ["层级", "网格编码", "网格名称", "姓名", "角色", "职务", "电话", "是否空缺"]
COLUMNS = ["level", "grid_code", "grid_name", "name", "role", "post", "phone", "vacant"]
REQUIRED = ("level", "grid_code", "name", "role", "phone")

_HEADER_ALIASES = {
    "level": ("层级", "级别", "网格层级", "网格级别", "level"),
    "grid_code": ("网格编码", "网格代码", "编码", "gridcode", "grid_code", "code"),
    "grid_name": ("网格名称", "名称", "gridname", "grid_name"),
    "name": ("姓名", "田管员姓名", "name"),
    "role": ("角色", "田管员类别", "类别", "role"),
    "post": ("职务", "post", "position", "title"),
    "phone": ("电话", "联系电话", "手机", "手机号", "手机号码", "phone", "tel", "mobile"),
    "vacant": ("是否空缺", "空缺", "是否空岗", "vacant"),
}
_LEVEL_ALIASES = {
    1: ("州", "州级", "1", "prefecture"),
    2: ("县", "县级", "县（市）", "县(市)", "县市", "市", "2", "county"),
    3: ("乡", "乡级", "镇", "乡镇", "乡（镇）", "乡(镇)", "3", "township", "town"),
    4: ("村", "村级", "4", "village"),
    5: ("社", "社级", "组", "5", "group"),
}
_ROLE_ALIASES = {
    OFFICER: ("田管员", "officer"),
    ASSISTANT: ("助理田管员", "助理", "assistant"),
}
_TRUE = ("是", "yes", "y", "true", "1", "空缺")
_FALSE = ("否", "no", "n", "false", "0", "")

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")

ERROR, WARNING = "error", "warning"
#: every problem kind and whether it blocks an import (errors) or is only reported (warnings)
SEVERITY = {
    "unknown_level": ERROR, "unknown_role": ERROR, "unknown_vacant": ERROR,
    "bad_code": ERROR, "parent_missing": ERROR, "unknown_grid": ERROR, "level_mismatch": ERROR,
    "duplicate_officer": ERROR, "missing_name": ERROR, "missing_phone": ERROR, "bad_phone": ERROR,
    "two_groups": ERROR,
    "missing_officer": WARNING, "vacant": WARNING, "missing_assistant": WARNING, "no_grid_cell": WARNING,
}


class RosterError(ValueError):
    """The file cannot be read as a roster at all (for example a required column is missing)."""

    def __init__(self, message: str, missing: list[str] | None = None):
        super().__init__(message)
        self.missing = missing or []


def _key(text: str) -> str:
    return re.sub(r"[\s\-_]+", "", str(text or "").replace("\ufeff", "")).lower()


def _lookup(aliases: Mapping) -> dict[str, object]:
    return {_key(a): k for k, names in aliases.items() for a in names}


_HEADERS = _lookup(_HEADER_ALIASES)
_LEVELS = _lookup(_LEVEL_ALIASES)
_ROLES = _lookup(_ROLE_ALIASES)


@dataclass(frozen=True)
class Officer:
    """One row of the roster. ``level`` 0 and ``role`` "" mean the file's value could not be read;
    ``unreadable`` then holds (column, text) so the check can name it instead of dropping the row."""

    level: int
    grid_code: str
    grid_name: str = ""
    name: str = ""
    role: str = OFFICER
    post: str = ""
    phone: str = ""
    vacant: bool = False
    row: int | None = None  # the file's row number (the header is row 1), None when read from the store
    unreadable: tuple[tuple[str, str], ...] = ()

    def key(self) -> tuple:
        """Everything but the row: two imports of the same roster give the same keys."""
        return (self.level, self.grid_code, self.grid_name, self.name, self.role, self.post, self.phone,
                self.vacant)


@dataclass(frozen=True)
class RosterProblem:
    """A finding: the file row (None for a grid without any row), the grid, a machine kind and details
    (the values a message needs: the text that was wrong, the other row, the expected digits …)."""

    kind: str
    row: int | None
    grid_code: str
    level: int = 0
    details: dict[str, str] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return SEVERITY[self.kind]

    @property
    def blocking(self) -> bool:
        return self.severity == ERROR


def _clean(value) -> str:
    """Cell text without blanks; spreadsheets hand numbers over as ``6229.0`` or ``1.5e10``."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    text = str(value).replace("\ufeff", "").strip()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    return text


def map_headers(headers: Iterable[str]) -> dict[str, int]:
    """Column index of each known field; raises :class:`RosterError` naming missing required columns."""
    index: dict[str, int] = {}
    for i, h in enumerate(headers):
        name = _HEADERS.get(_key(h))
        if name is not None and name not in index:
            index[str(name)] = i
    missing = [f for f in REQUIRED if f not in index]
    if missing:
        labels = [HEADERS[COLUMNS.index(f)] for f in missing]
        raise RosterError("missing columns: " + ", ".join(labels), labels)
    return index


def looks_like_header(cells: Iterable[str]) -> bool:
    """True when the cells name the required roster columns (so a sheet's first row is its header)."""
    try:
        map_headers(cells)
    except RosterError:
        return False
    return True


def parse_level(text: str) -> int:
    """1..5 from 州/县/乡/村/社, 1..5 or the English words; 0 when unreadable."""
    return int(_LEVELS.get(_key(_clean(text)), 0))


def parse_role(text: str) -> str:
    """'officer' or 'assistant' (also from 县级田管员, 副州级助理田管员 …); "" when unreadable."""
    key = re.sub(r"^副?[州县乡村社](级|（市）|\(市\))?", "", _key(text)) if _key(text) not in _ROLES else _key(text)
    return str(_ROLES.get(key, ""))


def parse_vacant(text: str) -> bool | None:
    key = _key(_clean(text))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None


def normalise_phone(text: str) -> str:
    """Blanks and a +86 prefix removed; dashes kept (landlines are written 0930-1234567)."""
    phone = re.sub(r"\s+", "", _clean(text))
    return re.sub(r"^(\+86|0086)-?", "", phone)


def phone_ok(phone: str) -> bool:
    return bool(MOBILE.fullmatch(phone) or LANDLINE.fullmatch(phone))


def parse_rows(rows: Iterable[Mapping[str, object] | list], headers: list[str] | None = None,
               first_row: int = 2, row_numbers: list[int] | None = None) -> list[Officer]:
    """Officers from raw rows: dicts keyed by header (Chinese or English), or lists under ``headers``.

    Blank rows are skipped but counted, so ``row`` stays the number a spreadsheet shows (header = 1);
    ``row_numbers`` gives them explicitly when the reader knows better (a sheet with gaps).
    Nothing is dropped: unreadable levels, roles and vacancy marks are kept for :func:`validate`.
    """
    index: dict[str, int] | None = map_headers(headers) if headers is not None else None
    out: list[Officer] = []
    for n, raw in enumerate(rows):
        row = row_numbers[n] if row_numbers is not None else first_row + n
        if isinstance(raw, Mapping):
            keys = list(raw.keys())
            mapping = map_headers(keys)
            cells = [raw[k] for k in keys]
        else:
            if index is None:
                raise RosterError("list rows need headers")
            mapping, cells = index, list(raw)

        def cell(name: str, mapping=mapping, cells=cells) -> str:
            i = mapping.get(name)
            return _clean(cells[i]) if i is not None and i < len(cells) else ""

        values = {c: cell(c) for c in COLUMNS}
        if not any(values.values()):
            continue
        unreadable = []
        level = parse_level(values["level"])
        if level == 0:
            unreadable.append(("level", values["level"]))
        role = parse_role(values["role"])
        if not role:
            unreadable.append(("role", values["role"]))
        vacant = parse_vacant(values["vacant"])
        if vacant is None:
            unreadable.append(("vacant", values["vacant"]))
        out.append(Officer(
            level=level, grid_code=re.sub(r"\s+", "", values["grid_code"]), grid_name=values["grid_name"],
            name=values["name"], role=role, post=values["post"], phone=normalise_phone(values["phone"]),
            vacant=bool(vacant), row=row, unreadable=tuple(unreadable)))
    return out


def parent_code(code: str, level: int) -> str | None:
    """The code of the grid one level up (None for 州 and for codes too short to have one)."""
    if level <= 1 or len(code) < CODE_LENGTHS[level - 1]:
        return None
    return code[:CODE_LENGTHS[level - 1]]


def _with_ancestors(grid_codes: Mapping[str, int]) -> dict[str, int]:
    """Known grids and the units above them: a county's grid implies its 州 even when not built."""
    known = dict(grid_codes)
    for code, level in grid_codes.items():
        for up in range(1, int(level)):
            known.setdefault(code[:CODE_LENGTHS[up]], up)
    return known


def validate(officers: list[Officer], grid_codes: Mapping[str, int] | None = None) -> list[RosterProblem]:
    """Every problem of a roster, in row order (then grids without any row, in code order).

    ``grid_codes`` maps the patrol grid's codes to their levels; without it only the codes' format and
    their parents within the roster are checked, and no grid can be found missing. A code the grid lacks
    is an error (``unknown_grid``: a typo, another county) unless its parent is in the grid: the roster
    lists every 社, the grid only those with coded farmland, so that is a warning (``no_grid_cell``).
    """
    problems: list[RosterProblem] = []

    def add(kind: str, o: Officer | None, code: str = "", level: int = 0, **details) -> None:
        problems.append(RosterProblem(kind, o.row if o else None, o.grid_code if o else code,
                                      o.level if o else level, {k: str(v) for k, v in details.items()}))

    known = _with_ancestors(grid_codes) if grid_codes is not None else None
    in_roster: dict[int, set[str]] = defaultdict(set)
    for o in officers:
        if o.level:
            in_roster[o.level].add(o.grid_code)
    officer_rows: dict[str, list[Officer]] = defaultdict(list)
    assistant_rows: dict[str, list[Officer]] = defaultdict(list)
    groups_of_person: dict[tuple[str, str], list[Officer]] = defaultdict(list)

    for o in officers:
        for column, text in o.unreadable:
            add("unknown_" + column, o, value=text)
        if o.level:
            digits = CODE_LENGTHS[o.level]
            if not (o.grid_code.isdigit() and len(o.grid_code) == digits):
                add("bad_code", o, digits=digits, level_name=LEVEL_NAMES[o.level])
            elif known is not None and o.grid_code not in known:
                parent = parent_code(o.grid_code, o.level)
                if parent is not None and parent in known:
                    # a real group without coded farmland has no cell; its village does
                    add("no_grid_cell", o, level_name=LEVEL_NAMES[o.level], parent=parent,
                        parent_level_name=LEVEL_NAMES[o.level - 1])
                else:
                    add("unknown_grid", o, level_name=LEVEL_NAMES[o.level])
            elif known is not None and known[o.grid_code] != o.level:
                add("level_mismatch", o, level_name=LEVEL_NAMES[o.level],
                    grid_level_name=LEVEL_NAMES.get(int(known[o.grid_code]), str(known[o.grid_code])))
            else:
                parent = parent_code(o.grid_code, o.level)
                if parent is not None and known is None and in_roster.get(o.level - 1) \
                        and parent not in in_roster[o.level - 1]:
                    add("parent_missing", o, parent=parent, parent_level_name=LEVEL_NAMES[o.level - 1])
        if o.vacant:
            add("vacant", o, role_name=ROLE_NAMES.get(o.role, o.role))
        else:
            if not o.name:
                add("missing_name", o)
            if not o.phone:
                add("missing_phone", o)
        if o.phone and not phone_ok(o.phone):
            add("bad_phone", o, phone=o.phone)
        if o.role == OFFICER:
            previous = officer_rows[o.grid_code]
            if previous:
                add("duplicate_officer", o, other_row=previous[0].row or "")
            previous.append(o)
            if o.level == 5 and not o.vacant and o.name and o.phone:
                person = groups_of_person[(o.name, o.phone)]
                others = [p for p in person if p.grid_code != o.grid_code]
                if others:
                    add("two_groups", o, name=o.name, phone=o.phone, other_code=others[0].grid_code,
                        other_row=others[0].row or "")
                person.append(o)
        elif o.role == ASSISTANT:
            assistant_rows[o.grid_code].append(o)

    grids: dict[str, int] = {}
    for o in officers:
        if o.level and o.role:
            grids.setdefault(o.grid_code, o.level)
    if grid_codes is not None:
        for code, level in grid_codes.items():
            grids.setdefault(code, int(level))
    for code in sorted(grids, key=lambda c: (grids[c], c)):
        level = grids[code]
        if not officer_rows.get(code):
            add("missing_officer", None, code, level, level_name=LEVEL_NAMES.get(level, str(level)))
        if level in ASSISTANT_LEVELS and not assistant_rows.get(code):
            rows = officer_rows.get(code)
            problems.append(RosterProblem("missing_assistant", rows[0].row if rows else None, code, level,
                                          {"level_name": LEVEL_NAMES.get(level, str(level))}))
    return problems


def counts_by_level(officers: Iterable[Officer], area_prefix: str = "") -> dict[int, dict[str, int]]:
    """Per level 1..5: grids, officers and assistants in post, and vacant posts, within ``area_prefix``
    (a county or township code; "" for everything). The dashboard's roster figures."""
    out = {level: {"grids": 0, "officers": 0, "assistants": 0, "vacancies": 0} for level in LEVEL_NAMES}
    grids: dict[int, set[str]] = defaultdict(set)
    for o in officers:
        if o.level not in out or not o.grid_code.startswith(area_prefix):
            continue
        grids[o.level].add(o.grid_code)
        if o.vacant:
            out[o.level]["vacancies"] += 1
        elif o.role == OFFICER:
            out[o.level]["officers"] += 1
        elif o.role == ASSISTANT:
            out[o.level]["assistants"] += 1
    for level, codes in grids.items():
        out[level]["grids"] = len(codes)
    return out


def to_rows(officers: Iterable[Officer]) -> list[list[str]]:
    """Rows under :data:`HEADERS`, as a roster file holds them (the export, which re-imports as is)."""
    return [[LEVEL_NAMES.get(o.level, ""), o.grid_code, o.grid_name, o.name, ROLE_NAMES.get(o.role, o.role),
             o.post, o.phone, "是" if o.vacant else "否"] for o in officers]
