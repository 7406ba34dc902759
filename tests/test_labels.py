"""One label registry (issue 16): every code the plugin writes has a name, and the name is what people read.

The codes are taken from where they are defined — ``core``'s tuples and constants, the issue kinds ``core`` raises
(read from its source), the workflow's transitions — never from a copy, so a new code without a name fails here.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.test_field_aliases import Chinese, _pending_translator

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "linxia_tianguan_plugin" / "core"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def chinese(qgis_app, tmp_path):
    zh = Chinese(_pending_translator(tmp_path))
    zh.on()
    yield
    zh.off()


def _raised_kinds(class_name: str) -> set[str]:
    """The literal kinds ``core`` passes as the first argument of ``class_name(...)`` (Issue, Finding), and the
    literal strings assigned to a variable ``kind`` it then passes."""
    kinds = set()
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == class_name and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    kinds.add(first.value)
            if (class_name == "Finding" and isinstance(node, ast.Assign) and path.name == "validation.py"
                    and any(getattr(t, "id", "") == "kind" for t in node.targets)):
                kinds |= {n.value for n in ast.walk(node.value) if isinstance(n, ast.Constant)
                          and isinstance(n.value, str) and re.fullmatch(r"[a-z_]+", n.value)}
    return kinds


def _families():
    """(registry function, the codes core can produce for it)."""
    from linxia_tianguan_plugin import labels
    from linxia_tianguan_plugin.core.cases import enforcement, evidence, prejudge
    from linxia_tianguan_plugin.core.cases import workflow as case_workflow
    from linxia_tianguan_plugin.core.coding import chunk, lineage
    from linxia_tianguan_plugin.core.coding.layers import _STATUS_ISSUE
    from linxia_tianguan_plugin.core.grid import build as grid
    from linxia_tianguan_plugin.core.patrol import authenticity, field_package, parcel_status, roster, tasks
    from linxia_tianguan_plugin.core.reports import ledgers
    from linxia_tianguan_plugin.storage.evidence import KINDS as EVIDENCE_KINDS

    relations = {lineage.NEW, lineage.KEPT, lineage.SPLIT, lineage.MERGE, lineage.RESHAPED}
    retired = {lineage.retire_reason(children, [rel]) for children in (set(), {1}, {1, 2}) for rel in relations}
    return [
        (labels.parcel_kind_labels, {chunk.CONTRACT, chunk.UNASSIGNED}),
        (labels.relation_labels, relations),
        (labels.retire_reason_labels, retired | {"undone"}),
        (labels.code_status_labels, {"active", "retired"}),  # the CHECK of tg_space_code.status
        (labels.coding_issue_labels, _raised_kinds("Issue") | set(_STATUS_ISSUE.values())),
        (labels.code_problem_labels, _raised_kinds("Finding")),
        (labels.change_kind_labels, set(prejudge.KINDS)),
        (labels.category_labels, set(prejudge.CATEGORIES)),
        (labels.reason_labels, set(prejudge.REASONS)),
        (labels.case_state_labels, set(case_workflow.STATES)),
        (labels.case_action_labels, {t.action for t in case_workflow.TRANSITIONS}),
        (labels.case_role_labels, set(case_workflow.ROLES)),
        (labels.track_flag_labels, set(authenticity.FLAGS)),
        (labels.evidence_flag_labels, set(evidence.FLAGS)),
        (labels.evidence_kind_labels, set(EVIDENCE_KINDS)),
        (labels.grid_level_labels, set(grid.LEVEL_DIGITS)),
        (labels.task_status_labels, {tasks.DONE, tasks.OPEN, tasks.OVERDUE}),
        (labels.grid_problem_labels, _raised_kinds("Problem")),
        (labels.roster_problem_labels, set(roster.SEVERITY)),
        (labels.field_conflict_labels, set(field_package.CONFLICTS)),
        (labels.field_layer_labels, set(field_package.LAYERS)),
        (labels.ledger_labels, set(ledgers.KINDS)),
        (labels.rectification_result_labels, set(enforcement.RESULTS)),
        (labels.enforcement_conflict_labels, set(enforcement.CONFLICTS)),
        (labels.enforcement_layer_labels, set(enforcement.LAYERS)),
        (labels.parcel_status_labels, set(parcel_status.PRECEDENCE)),
    ]


def test_the_core_sources_are_read():
    """The source scan finds the kinds (a refactoring that hides them must not make the next test vacuous)."""
    assert {"duplicate_dkbm", "parcel_overlap_trimmed"} <= _raised_kinds("Issue")
    assert {"overlap", "bad_check", "malformed_code"} <= _raised_kinds("Finding")
    assert {"gap", "farmland_uncovered", "parcel_cell"} <= _raised_kinds("Problem")


def test_every_code_core_can_produce_has_a_chinese_name(chinese):
    missing, english = [], []
    for family, codes in _families():
        names = family()
        missing += [(family.__name__, c) for c in sorted(codes, key=str) if c not in names]
        english += [(family.__name__, c, names[c]) for c in codes if c in names and not CJK.search(names[c])]
    assert missing == []
    assert english == []


def test_every_issue_the_runs_describe_has_a_name():
    """The issue kinds the algorithms have messages for are named too (ISSUES and 校验空间码 ``LX``)."""
    from linxia_tianguan_plugin import labels
    from linxia_tianguan_plugin.processing.coding.validate_space_code import _catalogue
    from linxia_tianguan_plugin.processing.issues import _messages

    assert set(_messages()) <= set(labels.coding_issue_labels())
    assert set(_catalogue()) <= set(labels.code_problem_labels())


def test_every_value_map_names_in_chinese(chinese):
    from linxia_tianguan_plugin import labels

    maps = labels.field_value_maps()
    assert {"DKLX", "BGLX", "LX", "BHLX", "YPLB", "ZT", "state", "kind", "status"} <= set(maps)
    for field, names in maps.items():
        assert names, field
        assert all(CJK.search(name) for name in names.values()), field


def test_the_case_list_is_chinese_whatever_the_ui_language(qgis_app):
    """Without the translation installed, the list handed to townships still names kinds and categories in
    Chinese, the same names as the Chinese UI's."""
    from linxia_tianguan_plugin import case_list, labels

    assert labels.change_kind_labels()["nonagri"] == "Non-agricultural use (construction)"
    assert case_list.KIND_NAMES["nonagri"] == "非农化（建设占用）"
    assert all(CJK.search(n) for n in case_list.CATEGORY_NAMES.values())
    assert set(case_list.KIND_NAMES) == set(labels.change_kind_labels())
    row = case_list.list_rows([{"case_id": "c1", "state": "pending", "kind": "facility", "category": "suspect",
                                "grid_code": "", "updated_at": "2026-12-04T10:37:48Z"}], {}, {}, {})[0]
    assert row[2:5] == ["待下发", "非农化（设施农用地）", "疑似违法"]
    assert row[10] == "2026-12-04 18:37"  # Beijing time, to the minute


def test_reasons_and_flags_read_as_names(chinese):
    from linxia_tianguan_plugin import labels

    text = labels.reasons_text("no_approval;on_basic_farmland")
    assert text == "未查到批准用地；占用永久基本农田"
    assert "driven" not in labels.flags_text("driven,too_short")
