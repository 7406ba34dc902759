"""Output schemas: ASCII field names (interoperable, ≤ 10 characters for shapefiles) with Chinese
aliases, and the conversion of ``core`` result columns into QGIS features.

:func:`output_aliases` is THE registry of field aliases: for every vector output of every algorithm,
ASCII field name → translated alias (English source in ``tr()``, zh_CN in the translation: 空间码,
耕地面积(亩) …). Algorithms build their fields with these aliases and keep them in what they write
through :class:`KeepsAliases` (see :func:`..styling.persist_aliases`)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from qgis.core import QgsFeature, QgsField, QgsFields, QgsGeometry

from .. import compat
from ..i18n import tr


@dataclass(frozen=True)
class OutField:
    name: str
    column: str  # key in core's result columns
    kind: str  # a field type name of compat.field_type: "String", "Int", "Double"
    length: int = 0
    precision: int = 0


def _s(name, column, length):
    return OutField(name, column, "String", length)


def _d(name, column, precision=2):
    return OutField(name, column, "Double", 20, precision)


PARCEL_FIELDS: list[OutField] = [
    _s("KJM", "code", 20), _s("XDM", "county", 6), _s("XZDM", "township", 9), _s("CDM", "village", 12),
    _s("ZDM", "group_code", 14), OutField("SXH", "seq", "Int", 10), _s("DKLX", "kind", 3),
    _s("DLBM", "dlbm", 5), _s("DLMC", "dlmc", 20), _s("TBBSM", "tbbsm", 18),
    _d("TXMJ", "area_m2"), _d("GDMJ", "gdmj_m2"), _d("GDMJM", "gdmj_mu", 4),
    _d("YJMJ", "yjmj_m2"), _d("YJMJM", "yjmj_mu", 4),
    _s("DKBM", "dkbm", 19), _s("FBFBM", "fbfbm", 14), _s("CBFBM", "cbfbm", 18),
    _s("BDWGM", "bdcode", 20), _d("JD", "lon", 7), _d("WD", "lat", 7), _s("EWM", "qr", 254),
    _s("BGLX", "relation", 2), _s("FJM", "parents", 254), _s("FMSJ", "coded_at", 25),
    _s("FMPC", "run_id", 32), _s("BZ", "note", 254),
]


_DERIVED_SQL = {"county": 'substr("code", 1, 6)', "township": 'substr("code", 1, 9)',
                "village": 'substr("code", 1, 12)'}


def parcel_columns():
    """:data:`PARCEL_FIELDS` as SQL over the 田管库 registry (for writing a GeoPackage output directly)."""
    from ..storage.export import Column

    out = []
    for f in PARCEL_FIELDS:
        expr = _DERIVED_SQL.get(f.column, f'"{f.column}"')
        if f.kind == "Double":
            out.append(Column(f.name, "REAL", f"round({expr}, {f.precision})"))
        elif f.kind == "Int":
            out.append(Column(f.name, "MEDIUMINT", expr))  # what OGR writes for a 32-bit integer
        else:
            out.append(Column(f.name, f"TEXT({f.length})" if f.length else "TEXT", expr))
    return out


def parcel_aliases() -> dict[str, str]:
    return {
        "KJM": tr("Space code"), "XDM": tr("County code"), "XZDM": tr("Township code"),
        "CDM": tr("Village code"), "ZDM": tr("Group code"), "SXH": tr("Sequence"),
        "DKLX": tr("Parcel type"), "DLBM": tr("Land class code"), "DLMC": tr("Land class"),
        "TBBSM": tr("Survey patch id"), "TXMJ": tr("Shape area (m²)"), "GDMJ": tr("Farmland area (m²)"),
        "GDMJM": tr("Farmland area (mu)"), "YJMJ": tr("Permanent basic farmland (m²)"),
        "YJMJM": tr("Permanent basic farmland (mu)"), "DKBM": tr("Contract parcel code"),
        "FBFBM": tr("Contractor-issuer code"), "CBFBM": tr("Contractor code"),
        "BDWGM": tr("Beidou grid code"), "JD": tr("Longitude"), "WD": tr("Latitude"),
        "EWM": tr("QR content"), "BGLX": tr("Coding change"), "FJM": tr("Parent codes"),
        "FMSJ": tr("Coded at"), "FMPC": tr("Coding run"), "BZ": tr("Remarks"),
    }


def coding_issue_aliases() -> dict[str, str]:
    """一键赋码 ISSUES (fields of :func:`.issues.issue_fields`)."""
    return {"JB": tr("Severity"), "LX": tr("Issue type"), "WT": tr("Issue"), "TC": tr("Layer"),
            "YSID": tr("Feature id"), "BM": tr("Code"), "MJ": tr("Area (m²)")}


def code_problem_aliases() -> dict[str, str]:
    """校验空间码 OUTPUT."""
    return {"JB": tr("Severity"), "LX": tr("Issue type"), "WT": tr("Issue"), "KJM": tr("Space code"),
            "YSID": tr("Feature id"), "MJ": tr("Area (m²)")}


def grid_aliases() -> dict[str, str]:
    """构建巡田网格 OUTPUT."""
    return {"JB": tr("Level"), "JBMC": tr("Level name"), "WGBM": tr("Grid code"), "SJBM": tr("Parent grid code"),
            "WGMC": tr("Grid name"), "GDMJ": tr("Farmland area (m²)"), "GDMJM": tr("Farmland area (mu)"),
            "YJMJ": tr("Permanent basic farmland (m²)"), "DKSL": tr("Parcels")}


def grid_problem_aliases() -> dict[str, str]:
    """网格覆盖检查 OUTPUT."""
    return {"LX": tr("Problem type"), "LXSM": tr("Problem"), "JB": tr("Level"), "JBMC": tr("Level name"),
            "BM": tr("Code"), "XGBM": tr("Related code"), "MJ": tr("Area (m²)")}


def task_aliases() -> dict[str, str]:
    """下发巡田任务 OUTPUT (the same words as the headers of 导出巡田任务)."""
    return {"task_id": tr("Task id"), "grid_code": tr("Grid code"), "grid_name": tr("Grid name"),
            "level": tr("Grid level"), "level_name": tr("Level name"), "township": tr("Township code"),
            "period_start": tr("Period start"), "period_end": tr("Period end"),
            "due_local": tr("Due (Beijing time)"), "due_at": tr("Due (UTC)"), "officer": tr("Officer"),
            "phone": tr("Phone"), "status": tr("Status"), "patrolled_at": tr("Patrolled at (Beijing time)")}


def roster_problem_aliases() -> dict[str, str]:
    """导入田管员花名册 ISSUES."""
    return {"HH": tr("Row"), "WGBM": tr("Grid code"), "JB": tr("Severity"), "LX": tr("Issue type"),
            "WT": tr("Issue")}


def track_aliases() -> dict[str, str]:
    """轨迹真实性检查 OUTPUT."""
    return {"track_id": tr("Track id"), "officer": tr("Officer"), "grid_code": tr("Grid code"),
            "started_at": tr("Start time (UTC)"), "ended_at": tr("End time (UTC)"), "length_m": tr("Length (m)"),
            "duration_s": tr("Duration (s)"), "flags": tr("Flags"), "flags_zh": tr("Flags (description)"),
            "accepted": tr("Accepted (1 yes, 0 no)"), "figures": tr("Check figures (JSON)")}


def coverage_parcel_aliases() -> dict[str, str]:
    """巡田覆盖分析 PARCELS_OUT and UNSEEN_OUT."""
    return {"KJM": tr("Space code"), "SFXJ": tr("Seen"), "ZJXJ": tr("Last seen (Beijing time)"),
            "XJBL": tr("Share seen"), "GDMJ": tr("Farmland area (m²)"), "YJMJ": tr("Permanent basic farmland (m²)")}


def coverage_grid_aliases() -> dict[str, str]:
    """巡田覆盖分析 GRIDS_OUT (the rates of the group cells)."""
    return {"WGBM": tr("Grid code"), "WGMC": tr("Grid name"), "GDMJ": tr("Farmland area (m²)"),
            "XJGDMJ": tr("Farmland seen (m²)"), "GDFGL": tr("Farmland coverage rate"),
            "YJMJ": tr("Permanent basic farmland (m²)"), "XJYJMJ": tr("Permanent basic farmland seen (m²)"),
            "YJFGL": tr("Permanent basic farmland coverage rate"), "XTCS": tr("Patrols"), "DKSL": tr("Parcels"),
            "XJDKSL": tr("Parcels seen")}


def coverage_rate_aliases() -> dict[str, str]:
    """巡田覆盖分析 RATES_OUT (every level)."""
    return {"JB": tr("Grid level (2 county … 5 group)"), **coverage_grid_aliases()}


def change_aliases() -> dict[str, str]:
    """变化图斑提取与预判 OUTPUT."""
    return {
        "AJBH": tr("Case id"), "BHLX": tr("Change class"), "BHLXMC": tr("Change class (name)"),
        "YPLB": tr("Pre-judgement"), "YPLBMC": tr("Pre-judgement (name)"), "YPYJ": tr("Reasons"),
        "YXJ": tr("Priority"), "QDLBM": tr("Class before"), "QDLMC": tr("Class before (name)"),
        "HDLBM": tr("Class after"), "HDLMC": tr("Class after (name)"), "HZZSX": tr("Planting attribute after"),
        "QBSM": tr("Patch id before"), "HBSM": tr("Patch id after"), "WPBH": tr("External polygon id"),
        "MJ": tr("Area (m²)"), "MJM": tr("Area (mu)"), "GDMJ": tr("Farmland area (m²)"),
        "GDMJM": tr("Farmland area (mu)"), "YJMJ": tr("Permanent basic farmland (m²)"),
        "YJMJM": tr("Permanent basic farmland (mu)"), "PZMJ": tr("Approved area (m²)"),
        "BAMJ": tr("Filed facility area (m²)"), "LSMJ": tr("Temporary-land area (m²)"),
        "KFBJMJ": tr("Area inside the development boundary (m²)"), "PZWH": tr("Documents"),
        "WGBM": tr("Grid code"), "TGY": tr("Officer"), "DH": tr("Phone"), "KJM": tr("Space codes of the parcels"),
        "GZBB": tr("Rules version"), "ZT": tr("Case state"),
    }


def pg_case_aliases() -> dict[str, str]:
    """The shared PostGIS table ``cases`` (导出到 PostGIS), saved as its default QGIS style."""
    return {
        "case_id": tr("Case id"), "case_no": tr("Case no."), "case_key": tr("Case key"),
        "county_code": tr("County code"),
        "state": tr("Case state"), "kind": tr("Change class"), "category": tr("Pre-judgement"),
        "reasons": tr("Reasons"), "source": tr("Source"), "from_dlbm": tr("Class before"),
        "to_dlbm": tr("Class after"), "to_zzsxdm": tr("Planting attribute after"), "bsm_before": tr("Patch id before"),
        "bsm_after": tr("Patch id after"), "external_id": tr("External polygon id"), "area_m2": tr("Area (m²)"),
        "farmland_m2": tr("Farmland area (m²)"), "basic_m2": tr("Permanent basic farmland (m²)"),
        "approved_m2": tr("Approved area (m²)"), "facility_m2": tr("Filed facility area (m²)"),
        "temporary_m2": tr("Temporary-land area (m²)"),
        "boundary_m2": tr("Area inside the development boundary (m²)"), "docs": tr("Documents"),
        "priority": tr("Priority"), "grid_code": tr("Grid code"), "officer": tr("Officer"), "phone": tr("Phone"),
        "parcel_codes": tr("Space codes of the parcels"), "rules_version": tr("Rules version"),
        "run_id": tr("Analysis run"), "detected_at": tr("Detected at"), "updated_at": tr("Updated at"),
        "version": tr("Version"),
    }


def pg_event_aliases() -> dict[str, str]:
    """The shared PostGIS table ``case_events``."""
    return {"event_id": tr("Event id"), "case_id": tr("Case id"), "at": tr("Time"), "actor": tr("Actor"),
            "from_state": tr("From state"), "to_state": tr("To state"), "comment": tr("Comment"),
            "attachments": tr("Attachments"), "seq": tr("Place in the case's history"),
            # schema version 4: whose county, which database role recorded the event and when (the database's own
            # account, beside the desk's actor and at)
            "county_code": tr("County code"), "recorded_by": tr("Recorded by (database role)"),
            "recorded_at": tr("Recorded at (database time)")}


def field_conflict_aliases() -> dict[str, str]:
    """导入外业成果 OUTPUT (conflicts)."""
    return {"layer": tr("Package layer"), "row": tr("Feature id in the package"), "case_id": tr("Case id"),
            "conflict": tr("Conflict"), "reason": tr("Reason"), "detail": tr("Detail")}


def officer_warning_aliases(tr: Callable[[str], str] = tr) -> dict[str, str]:
    """导出巡田任务 WARNINGS: the 预警 list per officer (:func:`..core.patrol.tasks.officer_warnings`), a table
    file, not a vector sink; its headers are these aliases in Chinese (``tr=labels.zh_tr``), in this order."""
    return {"officer": tr("Officer"), "phone": tr("Phone"), "grid_code": tr("Grid code"),
            "grid_name": tr("Grid name"), "overdue": tr("Tasks overdue"), "due_soon": tr("Tasks due soon"),
            "earliest_due": tr("Earliest due (Beijing time)")}


def ledger_patch_aliases() -> dict[str, str]:
    """耕地平衡台账 OUTPUT: the parts behind the 进出/占补 ledgers."""
    return {"XH": tr("Number in the workbook"), "XDM": tr("County code"), "XZDM": tr("Township code"),
            "ND": tr("Ledger year"), "TZ": tr("Ledger entry"), "TZMC": tr("Ledger entry (name)"),
            "QDLBM": tr("Class before"), "QDLMC": tr("Class before (name)"), "HDLBM": tr("Class after"),
            "HDLMC": tr("Class after (name)"), "QBSM": tr("Patch id before"), "HBSM": tr("Patch id after"),
            "MJ": tr("Area (m²)"), "MJM": tr("Area (mu)"), "GDMJ": tr("Farmland area (m²)"),
            "GDMJM": tr("Farmland area (mu)")}


#: the columns of the 预警 list (:func:`officer_warning_aliases`), with their workbook types
OFFICER_WARNING_FIELDS: list[tuple[str, str]] = [
    ("officer", "String"), ("phone", "String"), ("grid_code", "String"), ("grid_name", "String"),
    ("overdue", "Int"), ("due_soon", "Int"), ("earliest_due", "String")]

#: tables written as files (XLSX/CSV through :mod:`..workbook`), not as vector sinks — so not in :data:`OUTPUTS`,
#: whose keys are exactly the sinks: (algorithm, output parameter) → the aliases that are their headers
TABLES = {("export_tasks", "WARNINGS"): officer_warning_aliases}


def video_alarm_aliases() -> dict[str, str]:
    return {"AJBH": tr("Case id"), "SXTBH": tr("Camera id"), "GJSJ": tr("Alarm time (Beijing time)"),
            "GJLB": tr("Alarm category"), "BHLX": tr("Change kind"), "BHLXMC": tr("Change kind name"),
            "JD": tr("Longitude"), "WD": tr("Latitude"), "FWDW": tr("Placed from the camera's bearing (1 = yes)"),
            "KJM": tr("Space code of the parcel"), "JL": tr("Distance to the parcel (m)"), "WGBM": tr("Grid code"),
            "TGY": tr("Officer"), "DH": tr("Phone"), "ZP": tr("Snapshot"), "ZT": tr("Case state"),
            "XJ": tr("New case")}


def video_camera_aliases() -> dict[str, str]:
    return {"SXTBH": tr("Camera id"), "FWJ": tr("Bearing (degrees from north)"), "SYBJ": tr("View radius (m)"),
            "SYJ": tr("View angle (degrees)"), "GJS": tr("Alarms"), "DKS": tr("Coded parcels in view"),
            "KJM": tr("Space codes in view")}


def parcel_history_aliases() -> dict[str, str]:
    return {"KJM": tr("Space code"), "SJ": tr("Time"), "LX": tr("Kind"), "RY": tr("Who"), "NR": tr("What")}


def parcel_status_aliases() -> dict[str, str]:
    """地块巡管状态 OUTPUT (``status`` holds the codes its style is categorised on)."""
    return {"code": tr("Space code"), "township": tr("Township code"), "village": tr("Village code"),
            "group_code": tr("Group code"), "dlmc": tr("Land class"), "area_mu": tr("Farmland area (mu)"),
            "status": tr("Parcel status"), "open_cases": tr("Open cases"),
            "last_patrol": tr("Group's last patrol (Beijing time)"), "group_task": tr("Group's deciding task status")}


def warning_post_aliases() -> dict[str, str]:
    """登记警示桩 OUTPUT."""
    return {"ZH": tr("Post number"), "BZBM": tr("Labelled code"), "SBM": tr("Group code"),
            "SMC": tr("Group name"), "MZT": tr("Code status"), "MZTMC": tr("Code status (name)"),
            "AZRQ": tr("Installed on"), "ZK": tr("Condition"), "BZ": tr("Note"), "GXSJ": tr("Updated at (UTC)")}


#: output → its aliases; the keys are what :class:`KeepsAliases` and :func:`schema` take
_REGISTRY = {
    "parcels": parcel_aliases, "coding_issues": coding_issue_aliases, "code_problems": code_problem_aliases,
    "grid": grid_aliases, "grid_problems": grid_problem_aliases, "tasks": task_aliases,
    "roster_problems": roster_problem_aliases, "tracks": track_aliases, "coverage_parcels": coverage_parcel_aliases,
    "coverage_grid": coverage_grid_aliases, "coverage_rates": coverage_rate_aliases, "changes": change_aliases,
    "field_conflicts": field_conflict_aliases, "enforcement_conflicts": field_conflict_aliases,
    "pg_cases": pg_case_aliases, "pg_case_events": pg_event_aliases,
    "ledger_patches": ledger_patch_aliases, "video_alarms": video_alarm_aliases,
    "video_cameras": video_camera_aliases, "parcel_history": parcel_history_aliases,
    "warning_posts": warning_post_aliases, "parcel_status": parcel_status_aliases,
}

#: which algorithm output (algorithm name, output parameter) is written with which aliases
OUTPUTS = {
    ("space_code", "OUTPUT"): "parcels", ("space_code", "ISSUES"): "coding_issues",
    ("validate_space_code", "OUTPUT"): "code_problems", ("build_grid", "OUTPUT"): "grid",
    ("grid_coverage", "OUTPUT"): "grid_problems", ("dispatch_tasks", "OUTPUT"): "tasks",
    ("import_roster", "ISSUES"): "roster_problems", ("check_tracks", "OUTPUT"): "tracks",
    ("patrol_coverage", "PARCELS_OUT"): "coverage_parcels", ("patrol_coverage", "UNSEEN_OUT"): "coverage_parcels",
    ("patrol_coverage", "GRIDS_OUT"): "coverage_grid", ("patrol_coverage", "RATES_OUT"): "coverage_rates",
    ("change_detection", "OUTPUT"): "changes", ("field_package_import", "OUTPUT"): "field_conflicts",
    ("farmland_ledgers", "OUTPUT"): "ledger_patches", ("import_video_alarms", "OUTPUT"): "video_alarms",
    ("import_video_alarms", "CAMERAS"): "video_cameras", ("decode_space_code", "HISTORY"): "parcel_history",
    ("register_warning_posts", "OUTPUT"): "warning_posts",
    ("parcel_status", "OUTPUT"): "parcel_status",
    ("enforcement_package_import", "OUTPUT"): "enforcement_conflicts",
}


def output_aliases() -> dict[str, dict[str, str]]:
    """The registry: output → {ASCII field name: translated alias}, in the current UI language."""
    return {key: make() for key, make in _REGISTRY.items()}


def aliases(output: str) -> dict[str, str]:
    """The aliases of one output of the registry (KeyError for an unknown output)."""
    return _REGISTRY[output]()


def schema(output: str, spec: list[tuple]) -> QgsFields:
    """Fields from (name, field type name[, length[, precision]]) tuples (type names of
    :func:`..compat.field_type`: "String", "Int" …), each with its alias from the
    registry entry ``output``; a field without one is a programming error (KeyError)."""
    names = aliases(output)
    return aliased_fields([(name, kind, names[name], *size) for name, kind, *size in spec])


def with_aliases(fields: QgsFields, output: str) -> QgsFields:
    """``fields`` (a copy) with the aliases of registry entry ``output`` on the fields it names."""
    names = aliases(output)
    out = QgsFields()
    for i in range(fields.count()):
        field = QgsField(fields.at(i))
        if field.name() in names:
            field.setAlias(names[field.name()])
        out.append(field)
    return out


class KeepsAliases:
    """Mixin for algorithms (put it before :class:`.base.AlgorithmBase`): the outputs noted with
    :meth:`keep_aliases` get their field aliases in the written file once the algorithm has finished
    and its sinks are closed (``postProcessAlgorithm`` runs in the main thread after
    ``processAlgorithm``, under ``qgis_process`` and ``processing.run`` too)."""

    def keep_aliases(self, dest, output: str, qml: str | None = None) -> None:
        """Note output ``dest`` (as returned by ``parameterAsSink``) for the aliases of registry entry
        ``output`` (and the bundled style ``qml``, saved into the file with them)."""
        if dest:
            if not hasattr(self, "_kept_aliases"):
                self._kept_aliases = []
            self._kept_aliases.append((str(dest), output, qml))

    def postProcessAlgorithm(self, context, feedback):
        from ..styling import persist_aliases

        for dest, output, qml in getattr(self, "_kept_aliases", []):
            if not persist_aliases(dest, aliases(output), context, qml, output):
                feedback.pushWarning(tr("The field aliases could not be saved with {output}.").format(output=dest))
        self._kept_aliases = []
        return super().postProcessAlgorithm(context, feedback)


def make_fields(spec: list[OutField], aliases: dict[str, str] | None = None) -> QgsFields:
    fields = QgsFields()
    for f in spec:
        field = compat.make_field(f.name, f.kind, f.length, f.precision)
        if aliases and f.name in aliases:
            field.setAlias(aliases[f.name])
        fields.append(field)
    return fields


def derived_columns(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Add the code parts (county / township / village prefixes) that the output shows."""
    code = columns["code"].astype(str)
    out = dict(columns)
    out["county"] = np.char.ljust(code, 20).astype("U6")
    out["township"] = code.astype("U9")
    out["village"] = code.astype("U12")
    return out


def rounded(values: np.ndarray, field: OutField) -> list:
    if field.kind == "Double":
        return np.round(np.asarray(values, dtype=float), field.precision).tolist()
    if field.kind == "Int":
        return np.asarray(values, dtype=np.int64).tolist()
    values = np.asarray(values)
    if values.dtype.kind == "U":  # numpy's own conversion: no Python call per value
        return values.tolist()
    return [None if v is None else str(v) for v in values]


def features(fields: QgsFields, spec: list[OutField], columns: dict[str, np.ndarray], wkb: np.ndarray):
    """QgsFeatures for the rows of ``columns`` (one list per call: chunks are a township at most)."""
    cols = [rounded(columns[f.column], f) for f in spec]
    out = []
    for row, w in zip(zip(*cols), wkb):
        feature = QgsFeature(fields)
        feature.setAttributes(list(row))
        if w is not None:
            geometry = QgsGeometry()
            geometry.fromWkb(w)
            feature.setGeometry(geometry)
        out.append(feature)
    return out


def aliased_fields(spec: list[tuple]) -> QgsFields:
    """Fields from (name, field type name, translated alias[, length[, precision]]) tuples: ASCII names for
    interoperability, the Chinese alias for the analyst."""
    fields = QgsFields()
    for name, kind, alias, *size in spec:
        f = compat.make_field(name, kind, size[0] if size else 0, size[1] if len(size) > 1 else 0)
        f.setAlias(alias)
        fields.append(f)
    return fields
