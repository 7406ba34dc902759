"""THE registry of names for the codes the plugin writes: one function per field family, {code: name}.

Outputs and the store keep short ASCII codes ("CB", "XZ", "active", "parcel_overlap_trimmed" …): they are stable,
interoperable and what queries test. People must never read them. Every place that shows a code to a person —
the attribute table and identify (through the ValueMap widgets :func:`..styling.apply_style` puts on the coded
fields of :func:`field_value_maps`), the docks, the lists handed to townships — takes the name from here, so a
code has one name everywhere.

Two kinds of names live here: translated ones (``tr()``, in the UI language) and the fixed Chinese names ``core``
keeps for forms and tables handed to the desk whatever the UI language (case states, roles, actions, levels, task
statuses); those are re-exported, not copied, so ``core`` stays their single source.

Common layer: imports ``core`` and :mod:`.i18n` only (the docks and the algorithms both use it).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from qgis.PyQt.QtCore import QTranslator

from .core import dlbm
from .core.cases import enforcement, workflow
from .core.coding import lineage
from .core.coding.chunk import CONTRACT, UNASSIGNED
from .core.patrol import field_package, parcel_status, roster, tasks
from .core.reports import ledgers
from .i18n import CONTEXT, tr

Translate = Callable[[str], str]
_zh_translator: list[QTranslator] = []


def zh_tr(text: str) -> str:
    """``text`` in Simplified Chinese whatever the UI language: for what is handed to the desk on paper (the case
    list), so the same names as the Chinese UI's. Reads the shipped translation once; never installs it (that
    would retranslate QGIS's own windows)."""
    if not _zh_translator:
        translator = QTranslator()
        qm = Path(__file__).parent / "i18n" / "linxia_tianguan_zh_CN.qm"
        if not translator.load(str(qm)):
            return text
        _zh_translator.append(translator)
    return _zh_translator[0].translate(CONTEXT, text) or text


class ChineseNames(Mapping):
    """The names of one family in Chinese (:func:`zh_tr`), read when used (no translation at import time)."""

    def __init__(self, family: Callable[..., dict]):
        self.family = family

    def _names(self) -> dict:
        return self.family(tr=zh_tr)

    def __getitem__(self, code):
        return self._names()[code]

    def __iter__(self) -> Iterator:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


# ------------------------------------------------------------------------------------ space codes
def parcel_kind_labels() -> dict[str, str]:
    """地块类型 (DKLX, the registry's ``kind``): contract parcel or farmland without one."""
    return {CONTRACT: tr("Contract parcel"), UNASSIGNED: tr("Farmland without contract parcel")}


def code_status_labels() -> dict[str, str]:
    """Status of a code in the registry (``tg_space_code.status``)."""
    return {"active": tr("In use"), "retired": tr("Retired (never reissued)")}


def land_class_labels() -> dict[str, str]:
    """三调 land classes (DLBM → DLMC, :data:`..core.dlbm.DLMC`: the survey's own Chinese names)."""
    return dict(dlbm.DLMC)


def relation_labels() -> dict[str, str]:
    """赋码变更类型 (BGLX, the registry's ``relation``): how a parcel's code relates to the previous coding."""
    return {lineage.NEW: tr("New code"), lineage.KEPT: tr("Code kept"), lineage.SPLIT: tr("Split"),
            lineage.MERGE: tr("Merged"), lineage.RESHAPED: tr("Reshaped")}


def retire_reason_labels() -> dict[str, str]:
    """Why a code was retired (``retire_reason``): :func:`..core.coding.lineage.retire_reason`, or an undone run."""
    return {"split": tr("split"), "merged": tr("merged"), "reshaped": tr("reshaped"), "deleted": tr("deleted"),
            "undone": tr("coding run undone")}


# ----------------------------------------------------------------------------------------- issues
def severity_labels() -> dict[str, str]:
    """Severity of an issue or finding."""
    return {"error": tr("Error"), "warning": tr("Warning"), "info": tr("Info")}


def coding_issue_labels() -> dict[str, str]:
    """Issue kinds of 一键赋码 (ISSUES ``LX``); the long messages are :func:`..processing.issues.describe`."""
    return {
        "geometry_repaired": tr("Geometry repaired"), "geometry_empty": tr("No geometry"),
        "geometry_not_polygonal": tr("No area after repair"), "land_no_village": tr("Patch without village"),
        "duplicate_dkbm": tr("Duplicate DKBM"), "parcel_no_dkbm": tr("Contract parcel without DKBM"),
        "parcel_group_from_location": tr("Group taken from location"),
        "parcel_uncoded_outside": tr("Contract parcel outside farmland"),
        "parcel_uncoded_duplicate": tr("Contract parcel covered by others"),
        "parcel_uncoded_sliver": tr("Contract parcel only grazes farmland"),
        "parcel_overlap_trimmed": tr("Overlapping contract parcels"), "residue_uncoded": tr("Uncoded narrow strip"),
        "code_retired": tr("Code retired"), "numeric_code_field": tr("Numeric code field"),
        "kcxs_percent": tr("KCXS given in percent"),
    }


def code_problem_labels() -> dict[str, str]:
    """Finding kinds of 校验空间码 (OUTPUT ``LX``, :mod:`..core.coding.validation`)."""
    return {
        "malformed_code": tr("Malformed code"), "bad_check": tr("Wrong check character"),
        "duplicate_code": tr("Duplicate code"), "overlap": tr("Overlapping parcels"),
        "retired_in_use": tr("Retired code in use"), "part_mismatch": tr("Code part differs from attribute"),
        "group_differs_from_fbfbm": tr("Group differs from FBFBM"), "village_mismatch": tr("Code in another village"),
        "outside_villages": tr("Outside every village"), "uncoded_farmland": tr("Farmland without a code"),
        "not_registered": tr("Code not in the store"), "missing_from_layer": tr("Store code missing from layer"),
    }


# ------------------------------------------------------------------------------------------ cases
def change_kind_labels(tr: Translate = tr) -> dict[str, str]:
    """变化类型 of a change candidate or case (:data:`..core.cases.prejudge.KINDS`)."""
    return {"nonagri": tr("Non-agricultural use (construction)"),
            "facility": tr("Non-agricultural use (facility agriculture land)"),
            "nongrain": tr("Non-grain use (orchard, forest, grass, fish pond)"),
            "waterscape": tr("Lake or pond dug on farmland (lake, reservoir, pond water)"),
            "other": tr("Other farmland loss"), "unknown": tr("Farmland change of unknown use"),
            "abandoned": tr("Abandoned farmland (left unplanted)")}


def category_labels(tr: Translate = tr) -> dict[str, str]:
    """预判结论 of a change candidate or case (:data:`..core.cases.prejudge.CATEGORIES`)."""
    return {"approved": tr("Legal: approved conversion"), "facility": tr("Legal: filed facility agriculture land"),
            "temporary": tr("Legal: temporary land in term"), "suspect": tr("Suspected illegal"),
            "verify": tr("Needs field verification")}


def change_kind_short_labels() -> dict[str, str]:
    """:func:`change_kind_labels` short, for the dashboard's charts and tables."""
    return {"nonagri": tr("Non-agricultural"), "facility": tr("Facility agriculture land"),
            "nongrain": tr("Non-grain"), "waterscape": tr("Dug lake / pond"), "other": tr("Other loss"),
            "unknown": tr("Unknown use"), "abandoned": tr("Abandoned farmland")}


def category_short_labels() -> dict[str, str]:
    """:func:`category_labels` short, for the dashboard's charts and tables."""
    return {"approved": tr("Lawful: approved"), "facility": tr("Lawful: facility filing"),
            "temporary": tr("Lawful: temporary land"), "suspect": tr("Suspected illegal"),
            "verify": tr("Needs field verification")}


def reason_labels(tr: Translate = tr) -> dict[str, str]:
    """预判依据 of a case (:data:`..core.cases.prejudge.REASONS`)."""
    return {
        "inside_approval": tr("inside an approved conversion"),
        "partly_approved": tr("partly inside an approved conversion or temporary land (split)"),
        "no_approval": tr("no approval found"),
        "facility_within_filing": tr("within a facility-agriculture filing"),
        "facility_over_filing": tr("beyond its facility-agriculture filing"),
        "facility_no_filing": tr("facility land without a filing"),
        "temporary_in_term": tr("temporary land within its approved term"),
        "temporary_expired": tr("temporary land past its approved term"),
        "on_basic_farmland": tr("on permanent basic farmland"),
        "outside_boundary": tr("outside the town development boundary"),
        "inside_boundary_no_approval": tr("inside the town development boundary without approval"),
        "nongrain_off_basic": tr("non-grain use off permanent basic farmland"),
        "other_loss": tr("farmland lost to water, unused land or another use"),
        "unknown_change": tr("kind of change unknown"),
        "facility_filed_on_basic": tr("facility land filed, but on permanent basic farmland"),
        "field_report": tr("reported from the field (巡田上报)"),
        "waterscape_no_approval": tr("lake or pond dug on farmland without approval"),
        "abandoned_farmland": tr("farmland left unplanted (planting attribute WG)"),
    }


def reasons_text(reasons, separator: str = "；", tr: Translate = tr) -> str:
    """A case's reason codes (a list, or the stored text joined by ``;``/``；``) as their names."""
    if isinstance(reasons, str):
        reasons = [r for r in reasons.replace("；", ";").split(";") if r.strip()]
    names = reason_labels(tr)
    return separator.join(names.get(r.strip(), r.strip()) for r in reasons or [])


def case_state_labels() -> dict[str, str]:
    """案件状态: the workflow's fixed Chinese names (forms and lists handed to the desk, whatever the UI)."""
    return dict(workflow.STATE_NAMES)


def case_action_labels() -> dict[str, str]:
    """案件办理动作 (the workflow's fixed Chinese names)."""
    return dict(workflow.ACTION_NAMES)


def case_role_labels() -> dict[str, str]:
    """案件办理角色 (the workflow's fixed Chinese names)."""
    return dict(workflow.ROLE_NAMES)


def evidence_kind_labels() -> dict[str, str]:
    """Kinds of evidence files (``storage.evidence.KINDS``)."""
    return {"photo": tr("Photo"), "document": tr("Document"), "sketch": tr("Sketch")}


def evidence_flag_labels() -> dict[str, str]:
    """Checks of an evidence file that did not pass (:data:`..core.cases.evidence.FLAGS`)."""
    return {"no_exif": tr("no EXIF"), "no_position": tr("no position"), "far_from_case": tr("far from the case"),
            "no_time": tr("no time"), "before_detection": tr("taken before detection"),
            "outside_window": tr("outside the patrol window")}


# ---------------------------------------------------------------------------------- patrol, roster
def track_flag_labels() -> dict[str, str]:
    """What each flag of 轨迹真实性检查 means (``flags``; :data:`..core.patrol.authenticity.FLAGS` and the run's
    own)."""
    return {
        "driven": tr("Driven: moving faster than walking"),
        "too_short": tr("Too short: below the minimum duration or length"),
        "outside_grid": tr("Outside the grid: too little of the track inside the officer's group cell"),
        "teleport": tr("Teleport: consecutive fixes too far apart for the time between them"),
        "replay": tr("Replay: the same path at the same pace as an earlier track"),
        "bad_clock": tr("Wrong clock: fix times in the future or before 2000 (the phone's clock was wrong)"),
        "regular_sampling": tr("Regular sampling: intervals and spacing too regular for a real walk (hint)"),
        "no_grid_cell": tr("No grid cell: the grid code is not in the active patrol grid (hint)"),
        "outside_county": tr("Outside the county: most of the track lies outside the county the store covers "
                             "(whatever its grid code)"),
        "before_plan": tr("Before the plan: the track started before the first patrol task period of its grid"),
    }


def flags_text(flags, separator: str = "；") -> str:
    """A track's flag codes (a list, or the stored comma-separated text) as their names."""
    if isinstance(flags, str):
        flags = [f for f in flags.split(",") if f.strip()]
    names = track_flag_labels()
    return separator.join(names.get(f.strip(), f.strip()) for f in flags or [])


def grid_level_labels() -> dict[int, str]:
    """Grid and officer levels 1..5 (州 县 乡 村 社; :data:`..core.patrol.roster.LEVEL_NAMES`)."""
    return dict(roster.LEVEL_NAMES)




def task_status_labels() -> dict[str, str]:
    """Status of a patrol task (:data:`..core.patrol.tasks.STATUS_ZH`): 已完成 / 未完成 / 已过期, and 即将到期 (an open
    task inside the 预警 window, ``due_soon``) that the warning lists of 导出巡田任务 write."""
    return dict(tasks.STATUS_ZH)


def roster_problem_labels() -> dict[str, str]:
    """Problem kinds of 导入田管员花名册 (ISSUES ``LX``; :data:`..core.patrol.roster.SEVERITY` keys); the row's
    message with what to do is ``WT``."""
    return {
        "unknown_level": tr("Unknown level"), "unknown_role": tr("Unknown role"),
        "unknown_vacant": tr("Unreadable vacancy mark"), "bad_code": tr("Code does not fit the level"),
        "parent_missing": tr("Parent grid missing"), "unknown_grid": tr("Grid not in the patrol grid"),
        "level_mismatch": tr("Level differs from the patrol grid"),
        "duplicate_officer": tr("Two officers in one grid"), "missing_name": tr("Name missing"),
        "missing_phone": tr("Phone missing"), "bad_phone": tr("Malformed phone number"),
        "two_groups": tr("Officer of two groups"), "missing_officer": tr("No officer"),
        "vacant": tr("Vacant post"), "missing_assistant": tr("No assistant officer"),
        "no_grid_cell": tr("Grid without a cell"),
    }


def field_conflict_labels() -> dict[str, str]:
    """Why a returned field-package row was not taken (导入外业成果 OUTPUT ``conflict``;
    :mod:`..core.patrol.field_package`)."""
    return {
        field_package.UNKNOWN_CASE: tr("the case is not in the tianguan store"),
        field_package.NOT_IN_PACKAGE: tr("the case was not exported in this package"),
        field_package.CLOSED: tr("the case is closed"),
        field_package.MOVED: tr("the case moved on since the export"),
        field_package.NOT_ACCEPTING: tr("the case is in a state that takes no evidence"),
        field_package.MISSING_PHOTO: tr("the photo file is missing"),
        field_package.NO_CASE: tr("no case chosen"),
        field_package.BAD_TRACK: tr("the track cannot be read"),
        field_package.REFUSED_PHOTO: tr("the photo file was refused"),
        field_package.NO_POSITION: tr("the report has no position"),
        field_package.BAD_GEOMETRY: tr("the sketched area has no area"),
    }


def rectification_result_labels() -> dict[str, str]:
    """整改结果 of the 执法整改包's form (:data:`..core.cases.enforcement.RESULTS`), in Chinese whatever the UI
    language: the phone's form and the case history are Chinese, like the case states."""
    return {enforcement.DEMOLISHED: "已拆除复耕", enforcement.RESTORED: "已整改到位", enforcement.IN_PROGRESS: "整改中",
            enforcement.REFUSED: "拒不整改", enforcement.OTHER: "其他"}


def enforcement_conflict_labels() -> dict[str, str]:
    """Why a returned 执法整改包 row was not taken (导入整改成果 OUTPUT ``conflict``;
    :data:`..core.cases.enforcement.CONFLICTS`): the field package's reasons and the package's own."""
    names = field_conflict_labels()
    out = {code: names[code] for code in enforcement.CONFLICTS if code in names}
    out[field_package.NOT_ACCEPTING] = tr("the case is not waiting for enforcement")
    out[enforcement.NEEDS_ATTACHMENT] = tr("a finished rectification needs at least one photo")
    out[enforcement.UNKNOWN_RESULT] = tr("no rectification result chosen")
    return out


def enforcement_layer_labels() -> dict[str, str]:
    """The layers of a 执法整改包 (:data:`..core.cases.enforcement.LAYERS`)."""
    return {enforcement.PARCELS: tr("Parcel layer"), enforcement.CASES: tr("Case layer"),
            enforcement.RECTIFICATION: tr("Rectification layer")}


def field_layer_labels() -> dict[str, str]:
    """The layers of a field package (:data:`..core.patrol.field_package.LAYERS`)."""
    return {field_package.PARCELS: tr("Parcel layer"), field_package.TASKS: tr("Task layer"),
            field_package.CASES: tr("Case layer"), field_package.TRACKS: tr("Track layer"),
            field_package.EVIDENCE: tr("Evidence layer"), field_package.REPORTS: tr("Field report layer"),
            field_package.REPORT_AREAS: tr("Field report area layer")}


def ledger_labels() -> dict[str, str]:
    """Entries of 耕地平衡台账 (:data:`..core.reports.ledgers.KINDS`; layer field ``TZ``), in Chinese whatever the UI
    language: the ledger is handed on as Chinese data, like the case states."""
    return {ledgers.IN: "进（其他农用地转耕地）", ledgers.OUT: "出（耕地转其他农用地）",
            ledgers.OCCUPY: "占（建设占用耕地）", ledgers.SUPPLEMENT: "补（非农用地补充耕地）",
            ledgers.OTHER_OUT: "其他减少（耕地转水域、未利用地等）", ledgers.OTHER_IN: "其他增加（原地类不明）"}


# ---------------------------------------------------------------------------------------- grid
def grid_problem_labels() -> dict[str, str]:
    """Problem kinds of 网格覆盖检查 (OUTPUT ``LX``; :mod:`..core.grid.coverage`)."""
    return {
        "gap": tr("Gap: part of the parent cell is in none of its children"),
        "overlap": tr("Overlap: two cells of the same level share ground"),
        "outside_parent": tr("Outside its parent: the cell reaches beyond the cell above it"),
        "no_parent": tr("No parent: the cell above it is missing from the grid"),
        "farmland_uncovered": tr("Farmland in no group cell"),
        "farmland_overlap": tr("Farmland in two group cells"),
        "parcel_cell": tr("Parcel code names another group than the cell it lies in"),
    }


def parcel_status_labels() -> dict[str, str]:
    """地块状态 of 码上查 (:data:`..core.patrol.parcel_status.STATUS_ZH`): 有未结案件 / 整改中 / 巡田逾期 / 正常."""
    return dict(parcel_status.STATUS_ZH)


def yes_no_labels() -> dict[int, str]:
    """1 / 0 flags (``accepted`` …)."""
    return {1: tr("yes"), 0: tr("no")}


# -------------------------------------------------------------------------------- output fields
def _merged(*maps: dict) -> dict:
    """One map from several whose codes are disjoint (a field name used by two outputs for two code families)."""
    out: dict = {}
    for m in maps:
        clash = set(out) & set(m)
        assert not clash, f"codes named twice: {sorted(clash)}"
        out.update(m)
    return out


def field_value_maps(output: str | None = None) -> dict[str, dict]:
    """Output field name → {code: name}, for every field of an output or store layer that holds only codes.

    A field name means one code family wherever it occurs, or its families' codes are disjoint (``kind`` is a
    parcel type in the registry and a change class in the shared case table): one widget serves every layer.
    An output whose field name clashes with that (``LX`` of the grid and roster problems: their kinds are not the
    coding issues') names its own families in :func:`output_value_maps`, used when ``output`` (its registry
    entry, :data:`..processing.fields.OUTPUTS`) is given.
    Fields that hold already-translated text (JB severity of the issue layers) or free lists (``flags``,
    ``reasons``) are left out: a value map would bracket any value it does not know."""
    states, kinds, categories = case_state_labels(), change_kind_labels(), category_labels()
    relations = relation_labels()
    issues = _merged(coding_issue_labels(), code_problem_labels())
    return {
        # 一键赋码 OUTPUT and the registry tg_space_code
        "DKLX": parcel_kind_labels(), "BGLX": relations, "relation": relations,
        "kind": _merged(parcel_kind_labels(), kinds), "status": _merged(code_status_labels(), task_status_labels()),
        "retire_reason": retire_reason_labels(),
        # 一键赋码 ISSUES, 校验空间码 OUTPUT
        "LX": issues,
        # 变化图斑提取与预判 OUTPUT, the shared case tables
        "BHLX": kinds, "YPLB": categories, "ZT": states, "state": states, "category": categories,
        "from_state": states, "to_state": states,
        # 轨迹真实性检查 OUTPUT
        "accepted": yes_no_labels(),
        **output_value_maps(output),
    }


def output_value_maps(output: str | None) -> dict[str, dict]:
    """The code families of one output (registry entry) whose field names mean something else elsewhere."""
    return {
        "grid_problems": {"LX": grid_problem_labels()},
        "roster_problems": {"LX": roster_problem_labels()},
        "field_conflicts": {"conflict": field_conflict_labels(), "layer": field_layer_labels()},
        "enforcement_conflicts": {"conflict": enforcement_conflict_labels(), "layer": enforcement_layer_labels()},
        "ledger_patches": {"TZ": ledger_labels()},
        # 地块巡管状态: its ``status`` is a parcel status, not a code's or a task's; ``group_task`` a task status
        "parcel_status": {"status": parcel_status_labels(), "group_task": task_status_labels()},
    }.get(output or "", {})


def results_group_name() -> str:
    """The layer-tree group that receives every layer the plugin loads — algorithms' outputs, one-click's coded
    parcels, the statistics maps (临夏田管 under zh)."""
    return tr("Linxia farmland patrol")
