"""校验空间码 — validate a coded parcel layer (``linxia_tianguan:validate_space_code``)."""
from __future__ import annotations

import numpy as np
from qgis.core import (
    Qgis,
    QgsFeature,
    QgsFeatureSink,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
)

from ... import compat
from ...core.coding import validation as checks
from ...i18n import tr
from ...storage.space_codes import registry_codes
from ..base import AlgorithmBase, open_store
from ..fields import KeepsAliases, schema
from ..readers import FieldSpec, find_field, read_layer, source_for

ERROR, WARNING, INFO = "error", "warning", "info"


def _catalogue() -> dict[str, tuple[str, str]]:
    return {
        "malformed_code": (ERROR, tr("Malformed space code {code}: {other}")),
        "bad_check": (ERROR, tr("Wrong check character in {code}: {other}")),
        "duplicate_code": (ERROR, tr("Space code {code} is used by more than one parcel")),
        "overlap": (ERROR, tr("Parcel {code} overlaps parcel {other} by {value} m²")),
        "retired_in_use": (ERROR, tr("Space code {code} was retired but is still in use")),
        "part_mismatch": (WARNING, tr("Space code {code} disagrees with its part field {other}")),
        "group_differs_from_fbfbm": (INFO, tr("Space code {code} is in another group than its issuer {other}")),
        "village_mismatch": (WARNING, tr("Space code {code} names another village than where it lies ({other})")),
        "outside_villages": (WARNING, tr("Parcel {code} lies outside every village survey area")),
        "uncoded_farmland": (WARNING, tr("Farmland of {value} m² has no space code")),
        "not_registered": (WARNING, tr("Space code {code} is not registered in the store")),
        "missing_from_layer": (WARNING, tr("Active space code {code} of the store is missing from the layer")),
    }


class ValidateSpaceCodeAlgorithm(KeepsAliases, AlgorithmBase):
    INPUT, CJDCQ, DLTB, STORE = "INPUT", "CJDCQ", "DLTB", "STORE"
    MIN_WIDTH, MIN_AREA, OUTPUT = "MIN_WIDTH", "MIN_AREA", "OUTPUT"
    icon_name = "validate.svg"

    def name(self) -> str:
        return "validate_space_code"

    def displayName(self) -> str:
        return tr("Validate space codes")

    def shortHelpString(self) -> str:
        return tr(
            "<p>Checks a coded parcel layer and lists every problem as a feature with its reason, so it can "
            "be fixed on the map:</p><ul>"
            "<li>errors: malformed codes, wrong check characters, duplicate codes, overlapping parcels "
            "(the same ground coded twice), retired codes still in use;</li>"
            "<li>warnings: code parts that disagree with the part fields or with the village the parcel "
            "lies in (with the CJDCQ layer), farmland without a code (with the DLTB layer), codes missing "
            "from or unknown to the tianguan store.</li></ul>"
        )

    def initAlgorithm(self, config=None) -> None:
        poly = [compat.ProcessingSourceType.VectorPolygon]
        self.addParameter(QgsProcessingParameterFeatureSource(self.INPUT, tr("Coded farmland parcels"), poly))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.CJDCQ, tr("Village survey areas (CJDCQ)"), poly, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.DLTB, tr("Survey land-use patches (DLTB)"), poly, optional=True))
        self.add_store_parameter(optional=True)  # without: the codes are checked on their own
        for name, label, default in ((self.MIN_WIDTH, tr("Minimum parcel width (m)"), 2.0),
                                     (self.MIN_AREA, tr("Minimum uncovered farmland area (m²)"), 30.0)):
            p = QgsProcessingParameterNumber(name, label, compat.ProcessingNumberParameterType.Double, default,
                                             minValue=0)
            p.setFlags(p.flags() | compat.ProcessingParameterFlag.Advanced)
            self.addParameter(p)
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Space code problems"), compat.ProcessingSourceType.VectorAnyGeometry))
        self.addOutput(QgsProcessingOutputNumber("ERRORS", tr("Errors")))
        self.addOutput(QgsProcessingOutputNumber("WARNINGS", tr("Warnings")))

    def processAlgorithm(self, parameters, context, feedback):
        item = source_for(self, parameters, self.INPUT, context, feedback)
        if item is None:
            raise QgsProcessingException(tr("Choose the coded parcel layer."))
        source, label = item.source, item.label
        crs = source.sourceCrs()
        if crs.isGeographic():
            raise QgsProcessingException(tr("Layer “{layer}” is in geographic coordinates; validate the coded "
                                            "layer in its projected CRS.").format(layer=label))
        code_field = "KJM" if find_field(source.fields(), "KJM") >= 0 else "code"
        specs = [FieldSpec("code", code_field, tr("space code"))]
        parts = [p for p in ("XDM", "XZDM", "CDM", "ZDM", "FBFBM") if find_field(source.fields(), p) >= 0]
        specs += [FieldSpec(p, p, p, required=False) for p in parts]
        feedback.setProgressText(tr("Reading coded parcels…"))
        coded, _ = read_layer(item, "INPUT", specs, crs, context, feedback, None, (0, 20))
        if coded is None:
            return {}
        codes = coded.attrs["code"]
        geoms = coded.geoms(np.arange(len(coded)))
        findings = checks.check_codes(codes)
        findings += checks.check_parts(codes, {p: coded.attrs[p] for p in parts})
        feedback.setProgress(30)

        vitem = source_for(self, parameters, self.CJDCQ, context, feedback)
        if vitem is not None:
            villages, _ = read_layer(vitem, "CJDCQ", [FieldSpec("ZLDWDM", "ZLDWDM", tr("location unit code"))],
                                     crs, context, feedback, None, (30, 35))
            findings += checks.check_location(codes, geoms, villages.geoms(np.arange(len(villages))),
                                              villages.attrs["ZLDWDM"])
        feedback.setProgressText(tr("Looking for overlapping parcels…"))
        findings += checks.check_overlaps(codes, geoms)
        feedback.setProgress(60)
        litem = source_for(self, parameters, self.DLTB, context, feedback)
        if litem is not None:
            feedback.setProgressText(tr("Looking for farmland without a code…"))
            land, _ = read_layer(litem, "DLTB", [FieldSpec("DLBM", "DLBM", tr("land class code"))], crs,
                                 context, feedback, "\"DLBM\" LIKE '01%'", (60, 70))
            findings += checks.check_uncoded(
                geoms, land.geoms(np.arange(len(land))),
                self.parameterAsDouble(parameters, self.MIN_WIDTH, context),
                self.parameterAsDouble(parameters, self.MIN_AREA, context))
        feedback.setProgress(90)
        store_path = self.parameterAsFile(parameters, self.STORE, context)
        if store_path:
            store = open_store(store_path, read_only=True)
            try:
                active, retired = registry_codes(store)
            finally:
                store.close()
            findings += checks.check_registry(codes, active, retired)
        return self._write(parameters, context, feedback, findings, coded, crs)

    def _write(self, parameters, context, feedback, findings, coded, crs):
        fields = schema("code_problems", [("JB", "String"), ("LX", "String"), ("WT", "String"),
                                          ("KJM", "String"), ("YSID", "LongLong"),
                                          ("MJ", "Double")])
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, Qgis.WkbType.MultiPolygon, crs)
        catalogue = _catalogue()
        severities = {ERROR: tr("Error"), WARNING: tr("Warning"), INFO: tr("Info")}
        counts = {ERROR: 0, WARNING: 0, INFO: 0}
        for f in findings:
            severity, template = catalogue[f.kind]
            counts[severity] += 1
            value = "" if f.value is None else f"{f.value:.2f}"
            feature = QgsFeature(fields)
            fid = int(coded.fid[f.row]) if f.row is not None else None
            feature.setAttributes([severities[severity], f.kind,
                                   template.format(code=f.code, other=f.other, value=value), f.code or None,
                                   fid, f.value])
            wkb = f.geom.wkb if f.geom is not None else (coded.wkb[f.row] if f.row is not None else None)
            if wkb:
                geometry = QgsGeometry()
                geometry.fromWkb(wkb)
                geometry.convertToMultiType()
                feature.setGeometry(geometry)
            sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        feedback.pushInfo(tr("{errors} errors, {warnings} warnings, {infos} notes.").format(
            errors=counts[ERROR], warnings=counts[WARNING], infos=counts[INFO]))
        self.keep_aliases(dest, "code_problems")
        return {self.OUTPUT: dest, "ERRORS": counts[ERROR], "WARNINGS": counts[WARNING]}
