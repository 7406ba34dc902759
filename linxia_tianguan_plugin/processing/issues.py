"""Turning ``core`` issues into translated messages and features of an issues layer."""
from __future__ import annotations

from qgis.core import QgsFeature, QgsFields, QgsGeometry

from .. import compat
from ..core.coding.layers import Issue
from ..i18n import tr

WARNING, INFO = "warning", "info"


def _messages() -> dict[str, tuple[str, str]]:
    return {
        "geometry_repaired": (WARNING, tr("Invalid geometry was repaired (make valid); check its shape.")),
        "geometry_empty": (WARNING, tr("Feature has no geometry and was skipped.")),
        "geometry_not_polygonal": (WARNING, tr("Geometry has no area after repair and was skipped.")),
        "land_no_village": (WARNING, tr("Patch {key}: ZLDWDM holds no village code and no CJDCQ layer locates "
                                        "it, so it was not coded. Fill ZLDWDM or add the CJDCQ layer.")),
        "duplicate_dkbm": (WARNING, tr("DKBM {key} occurs on more than one contract parcel; each is coded "
                                       "separately. Correct the contract data.")),
        "parcel_no_dkbm": (WARNING, tr("Contract parcel has no DKBM.")),
        "parcel_group_from_location": (INFO, tr("Contract parcel {key}: neither FBFBM nor DKBM gives a group; "
                                                "the group was taken from its location.")),
        "parcel_uncoded_outside": (WARNING, tr("Contract parcel {key} lies outside survey farmland and got "
                                               "no code.")),
        "parcel_uncoded_duplicate": (WARNING, tr("Contract parcel {key} is wholly covered by contract parcels "
                                                 "with a lower DKBM and got no code.")),
        "parcel_uncoded_sliver": (WARNING, tr("Contract parcel {key} only grazes farmland (slivers) and got "
                                              "no code.")),
        "parcel_overlap_trimmed": (WARNING, tr("Contract parcel {key} overlaps {other} by {value} m²; the "
                                               "overlap was coded with {other}.")),
        "residue_uncoded": (INFO, tr("Patch {key}: a farmland strip of {value} m² narrower than the minimum "
                                     "width (田坎 or gap between parcels) has no code.")),
        "code_retired": (INFO, tr("Code {key} was retired ({other}).")),
        "numeric_code_field": (WARNING, tr("Field {key} is numeric: 19-digit codes may have lost digits. "
                                           "Store codes as text.")),
        "kcxs_percent": (INFO, tr("The deduction coefficients (KCXS) of the survey are percentages (largest "
                                  "{value}): they were read as fractions, e.g. 8 as 0.08.")),
    }


def retire_reason_text(reason: str) -> str:
    return {
        "split": tr("split"), "merged": tr("merged"), "reshaped": tr("reshaped"), "deleted": tr("deleted"),
    }.get(reason, reason)


def severity_text(severity: str) -> str:
    return tr("Warning") if severity == WARNING else tr("Info")


def issue_fields() -> QgsFields:
    fields = QgsFields()
    for name, kind, length, alias in (
        ("JB", "String", 8, tr("Severity")),
        ("LX", "String", 40, tr("Issue type")),
        ("WT", "String", 254, tr("Issue")),
        ("TC", "String", 80, tr("Layer")),
        ("YSID", "LongLong", 20, tr("Feature id")),
        ("BM", "String", 20, tr("Code")),
        ("MJ", "Double", 20, tr("Area (m²)")),
    ):
        field = compat.make_field(name, kind, length)
        field.setAlias(alias)
        fields.append(field)
    return fields


def describe(issue: Issue) -> tuple[str, str]:
    """(severity, translated message) for an issue."""
    severity, template = _messages().get(issue.kind, (WARNING, issue.kind))
    value = "" if issue.value is None else f"{issue.value:.2f}"
    return severity, template.format(key=issue.key or "", other=issue.other or "", value=value)


def issue_feature(fields: QgsFields, issue: Issue) -> QgsFeature:
    severity, message = describe(issue)
    feature = QgsFeature(fields)
    feature.setAttributes([severity_text(severity), issue.kind, message, issue.layer,
                           issue.fid, issue.key or None, issue.value])
    if issue.wkb:
        geometry = QgsGeometry()
        geometry.fromWkb(issue.wkb)
        geometry.convertToMultiType()
        feature.setGeometry(geometry)
    return feature
