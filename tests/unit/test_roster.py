"""The officer roster's reading and checking (core.patrol.roster): every rule, on rows as a township types them."""
from __future__ import annotations

import pytest

from linxia_tianguan_plugin.core.patrol.roster import (
    ASSISTANT,
    HEADERS,
    OFFICER,
    SEVERITY,
    Officer,
    RosterError,
    counts_by_level,
    looks_like_header,
    map_headers,
    normalise_phone,
    parse_level,
    parse_role,
    parse_rows,
    parse_vacant,
    phone_ok,
    to_rows,
    validate,
)

# a small but complete county: 州, 县, one 乡 with one 村 and two 社
GOOD = [
    ["州", "6229", "临夏回族自治州", "韩尤努斯", "田管员", "州长", "15795004595", "否"],
    ["州", "6229", "临夏回族自治州", "马兰生", "助理田管员", "副州长", "13593716580", "否"],
    ["县", "622921", "临夏县", "康永琴", "田管员", "县长", "18356182621", "否"],
    ["县", "622921", "临夏县", "沈顺", "助理田管员", "副县长", "0930-6212345", "否"],
    ["乡", "622921100", "韩集镇", "王志贵", "田管员", "乡镇长", "15765716814", "否"],
    ["乡", "622921100", "韩集镇", "虎军云", "助理田管员", "副乡镇长", "15698696275", "否"],
    ["村", "622921100001", "韩集社区", "韩穆萨", "田管员", "村支书", "13942373886", "否"],
    ["社", "62292110000101", "韩集社区一社", "汪云", "田管员", "社长", "13826983443", "否"],
    ["社", "62292110000102", "韩集社区二社", "", "田管员", "社长", "", "是"],
]
GRID = {"6229": 1, "622921": 2, "622921100": 3, "622921100001": 4, "62292110000101": 5, "62292110000102": 5}


def officers(rows=None) -> list[Officer]:
    return parse_rows([list(r) for r in (GOOD if rows is None else rows)], HEADERS)


def kinds(problems) -> list[str]:
    return sorted(p.kind for p in problems)


def changed(row: int, column: int, value: str) -> list[list[str]]:
    rows = [list(r) for r in GOOD]
    rows[row][column] = value
    return rows


# ---------------------------------------------------------------- parsing
def test_parse_chinese_headers_keeps_every_column_and_the_spreadsheet_row():
    got = officers()
    assert len(got) == len(GOOD)
    first = got[0]
    assert (first.level, first.grid_code, first.grid_name, first.name, first.role, first.post, first.phone,
            first.vacant, first.row) == (1, "6229", "临夏回族自治州", "韩尤努斯", OFFICER, "州长", "15795004595",
                                         False, 2)
    assert got[1].role == ASSISTANT
    assert got[-1].vacant and got[-1].name == "" and got[-1].row == 10


def test_parse_english_headers_and_values_from_dicts():
    rows = [{"Level": "county", "grid_code": "622921", "Grid Name": "临夏县", "name": "康永琴", "role": "Officer",
             "post": "县长", "phone": " 183 5618 2621 ", "vacant": "no"},
            {"level": "5", "grid-code": "62292110000101", "name": "", "role": "officer", "phone": "",
             "vacant": "YES"}]
    got = parse_rows(rows)
    assert [(o.level, o.role, o.vacant, o.phone) for o in got] == [(2, OFFICER, False, "18356182621"),
                                                                   (5, OFFICER, True, "")]
    assert got[0].grid_name == "临夏县" and got[1].grid_name == ""


@pytest.mark.parametrize("text,level", [
    ("州", 1), ("州级", 1), ("1", 1), ("1.0", 1), ("Prefecture", 1), ("县", 2), ("县（市）", 2), ("county", 2),
    ("乡", 3), ("镇", 3), ("township", 3), ("村", 4), ("village", 4), ("4", 4), ("社", 5), ("group", 5),
    ("5", 5), ("省", 0), ("6", 0), ("", 0), ("district", 0)])
def test_levels(text, level):
    assert parse_level(text) == level


@pytest.mark.parametrize("text,role", [
    ("田管员", OFFICER), ("officer", OFFICER), ("县级田管员", OFFICER), ("助理田管员", ASSISTANT),
    ("Assistant", ASSISTANT), ("副州级助理田管员", ASSISTANT), ("社长", ""), ("", ""), ("网格员", "")])
def test_roles(text, role):
    assert parse_role(text) == role


@pytest.mark.parametrize("text,vacant", [
    ("是", True), ("否", False), ("yes", True), ("No", False), ("1", True), ("0", False), ("", False),
    ("1.0", True), ("也许", None)])
def test_vacant_marks(text, vacant):
    assert parse_vacant(text) is vacant


@pytest.mark.parametrize("phone,ok", [
    ("13912345678", True), ("19912345678", True), ("0930-1234567", True), ("09301234567", True),
    ("010-12345678", True), ("12912345678", False), ("1391234567", False), ("139123456789", False),
    ("930-1234567", False), ("0930-123456", False), ("1391234567x", False), ("", False)])
def test_phone_formats(phone, ok):
    assert phone_ok(phone) is ok


def test_phone_normalisation():
    assert normalise_phone("+86 139 1234 5678") == "13912345678"
    assert normalise_phone("13912345678.0") == "13912345678"
    assert normalise_phone(" 0930-1234567 ") == "0930-1234567"


def test_missing_required_column_names_it():
    with pytest.raises(RosterError) as err:
        map_headers(["层级", "网格编码", "姓名", "角色"])
    assert err.value.missing == ["电话"]
    assert looks_like_header(HEADERS) and not looks_like_header(["州", "6229", "临夏回族自治州"])


def test_blank_rows_are_skipped_but_counted_and_numbers_from_spreadsheets_cleaned():
    rows = [GOOD[0], ["", "", "", "", "", "", "", ""], [2.0, 622921.0, "临夏县", "康永琴", "田管员", "县长",
                                                         18356182621.0, None]]
    got = parse_rows(rows, HEADERS)
    assert [o.row for o in got] == [2, 4]
    assert (got[1].level, got[1].grid_code, got[1].phone, got[1].vacant) == (2, "622921", "18356182621", False)
    assert [o.row for o in parse_rows([GOOD[0]], HEADERS, row_numbers=[7])] == [7]


# ---------------------------------------------------------------- validation
def test_a_good_roster_has_only_its_vacancy_as_warning():
    problems = validate(officers(), GRID)
    assert [(p.kind, p.row, p.grid_code, p.severity) for p in problems] == [
        ("vacant", 10, "62292110000102", "warning")]
    assert kinds(validate(officers())) == ["vacant"]


def test_every_kind_has_a_severity_and_errors_block():
    for kind, severity in SEVERITY.items():
        assert severity in ("error", "warning"), kind
    assert {k for k, s in SEVERITY.items() if s == "warning"} == {"vacant", "missing_officer", "missing_assistant",
                                                                  "no_grid_cell"}


def test_unknown_level_role_and_vacant_mark_are_errors_naming_the_text():
    problems = validate(officers(changed(2, 0, "省")))
    bad = [p for p in problems if p.kind == "unknown_level"]
    assert len(bad) == 1 and bad[0].row == 4 and bad[0].grid_code == "622921" and bad[0].details["value"] == "省"
    assert bad[0].blocking
    problems = validate(officers(changed(3, 4, "网格员")))
    assert [(p.row, p.details["value"]) for p in problems if p.kind == "unknown_role"] == [(5, "网格员")]
    assert "missing_assistant" in kinds(problems)  # the row is no assistant, so 县 has none
    problems = validate(officers(changed(7, 7, "也许")))
    assert [(p.row, p.details["value"]) for p in problems if p.kind == "unknown_vacant"] == [(9, "也许")]


def test_grids_without_an_officer_only_when_known():
    rows = [r for r in GOOD if r[1] != "62292110000101"]
    assert "missing_officer" not in kinds(validate(officers(rows)))  # nothing says the group exists
    problems = validate(officers(rows), GRID)
    missing = [p for p in problems if p.kind == "missing_officer"]
    assert [(p.row, p.grid_code, p.level, p.severity) for p in missing] == [(None, "62292110000101", 5, "warning")]


def test_vacant_officer_is_its_own_kind_not_a_missing_officer():
    problems = validate(officers(), GRID)
    assert "missing_officer" not in kinds(problems)
    assert [p.grid_code for p in problems if p.kind == "vacant"] == ["62292110000102"]


def test_a_grid_with_only_an_assistant_has_no_officer():
    rows = [r for r in GOOD if not (r[1] == "622921100" and r[4] == "田管员")]
    assert [p.grid_code for p in validate(officers(rows)) if p.kind == "missing_officer"] == ["622921100"]


def test_two_officers_in_one_grid():
    second = ["村", "622921100001", "韩集社区", "马明", "田管员", "村主任", "13900001111", "否"]
    rows = [list(r) for r in GOOD] + [second]
    problems = [p for p in validate(officers(rows)) if p.kind == "duplicate_officer"]
    assert [(p.row, p.grid_code, p.details["other_row"]) for p in problems] == [(11, "622921100001", "8")]
    assert problems[0].blocking


def test_assistants_required_at_levels_1_to_3_only():
    for level_row in (1, 3, 5):
        rows = [r for i, r in enumerate(GOOD) if i != level_row]
        problems = [p for p in validate(officers(rows), GRID) if p.kind == "missing_assistant"]
        assert [p.grid_code for p in problems] == [GOOD[level_row][1]]
        assert problems[0].severity == "warning" and problems[0].row == level_row + 1
    assert "missing_assistant" not in kinds(validate(officers(), GRID))  # 村 and 社 have none and need none


def test_grid_codes_not_in_the_grid_or_of_another_level():
    problems = validate(officers(changed(7, 1, "62292110009901")), GRID)  # village 622921100099 unknown too
    assert [(p.kind, p.row) for p in problems if p.blocking] == [("unknown_grid", 9)]
    problems = validate(officers(changed(7, 1, "62292199900001")), GRID)  # another county's code
    assert [(p.kind, p.row) for p in problems if p.blocking] == [("unknown_grid", 9)]
    problems = validate(officers(changed(6, 0, "社")), GRID)  # a 村 code claimed as 社: wrong length
    assert ("bad_code", 8) in [(p.kind, p.row) for p in problems]
    grid = dict(GRID, **{"62292110000103": 4})
    rows = [list(r) for r in GOOD] + [["社", "62292110000103", "三社", "马三", "田管员", "社长", "13900002222", "否"]]
    assert [(p.kind, p.details["grid_level_name"]) for p in validate(officers(rows), grid)
            if p.kind == "level_mismatch"] == [("level_mismatch", "村")]


def test_a_group_without_a_cell_under_a_known_village_is_a_warning():
    """The roster lists every 社; the grid only those with coded farmland."""
    problems = validate(officers(changed(7, 1, "62292110000199")), GRID)
    assert not [p for p in problems if p.blocking]
    found = [p for p in problems if p.kind == "no_grid_cell"]
    assert [(p.row, p.grid_code, p.severity, p.details["parent"]) for p in found] == [
        (9, "62292110000199", "warning", "622921100001")]
    # the group the row no longer names has no officer now
    assert [p.grid_code for p in problems if p.kind == "missing_officer"] == ["62292110000101"]


def test_ancestors_of_the_grid_are_known():
    county_grid = {k: v for k, v in GRID.items() if v >= 3}  # a grid build without 州 and 县 cells
    assert not [p for p in validate(officers(), county_grid) if p.blocking]


@pytest.mark.parametrize("level,code", [("州", "622"), ("县", "62292"), ("乡", "6229211000"),
                                        ("村", "62292110000"), ("社", "622921100001011"), ("社", "6229211000010A")])
def test_code_length_must_match_the_level(level, code):
    rows = [list(r) for r in GOOD] + [[level, code, "x", "马四", "田管员", "", "13900003333", "否"]]
    bad = [p for p in validate(officers(rows)) if p.kind == "bad_code"]
    assert [(p.row, p.grid_code) for p in bad] == [(11, code)]
    assert bad[0].details["digits"] == str({"州": 4, "县": 6, "乡": 9, "村": 12, "社": 14}[level])


def test_code_prefix_must_match_a_parent_in_the_roster():
    orphan = ["社", "62292110000201", "二村一社", "马五", "田管员", "社长", "13900004444", "否"]
    rows = [list(r) for r in GOOD] + [orphan]
    bad = [p for p in validate(officers(rows)) if p.kind == "parent_missing"]
    assert [(p.row, p.details["parent"]) for p in bad] == [(11, "622921100002")]
    # a township's roster alone has no 县 rows: its 乡 is not reported
    alone = [r for r in GOOD if r[0] in ("乡", "村", "社")]
    assert not [p for p in validate(officers(alone)) if p.blocking]


def test_phones():
    problems = validate(officers(changed(2, 6, "1835618262")))
    assert [(p.kind, p.row, p.details["phone"]) for p in problems if p.blocking] == [("bad_phone", 4, "1835618262")]
    problems = validate(officers(changed(2, 6, "")))
    assert [(p.kind, p.row) for p in problems if p.blocking] == [("missing_phone", 4)]
    assert not [p for p in validate(officers(changed(2, 6, "09306212345"))) if p.blocking]
    # a vacant post may have no phone (the sample's last row), but a given one must be well-formed
    assert not [p for p in validate(officers()) if p.blocking]
    assert kinds([p for p in validate(officers(changed(8, 6, "123"))) if p.blocking]) == ["bad_phone"]


def test_names_required_unless_vacant():
    problems = validate(officers(changed(4, 3, "")))
    assert [(p.kind, p.row, p.grid_code) for p in problems if p.blocking] == [("missing_name", 6, "622921100")]


def test_one_person_officer_of_two_groups():
    rows = changed(8, 3, "汪云")
    rows[8][6], rows[8][7] = "13826983443", "否"
    bad = [p for p in validate(officers(rows)) if p.kind == "two_groups"]
    assert [(p.row, p.grid_code, p.details["other_code"], p.details["other_row"]) for p in bad] == [
        (10, "62292110000102", "62292110000101", "9")]
    # same name, other phone: two people
    rows[8][6] = "13826983444"
    assert "two_groups" not in kinds(validate(officers(rows)))


def test_counts_by_level_within_an_area():
    everything = counts_by_level(officers())
    assert everything[1] == {"grids": 1, "officers": 1, "assistants": 1, "vacancies": 0}
    assert everything[5] == {"grids": 2, "officers": 1, "assistants": 0, "vacancies": 1}
    township = counts_by_level(officers(), "622921100")
    assert township[1]["grids"] == township[2]["grids"] == 0
    assert township[3] == {"grids": 1, "officers": 1, "assistants": 1, "vacancies": 0}
    assert counts_by_level(officers(), "622927")[5]["grids"] == 0


def test_rows_round_trip():
    got = officers()
    again = parse_rows(to_rows(got), HEADERS)
    assert [o.key() for o in again] == [o.key() for o in got]
    assert to_rows(got)[-1][-1] == "是" and to_rows(got)[0][0] == "州"
