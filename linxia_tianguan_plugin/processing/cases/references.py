"""The reference layers of the pre-judgement (内业预判), defined once for every algorithm that judges a polygon.

``change_detection`` judges change polygons, ``field_package_import`` the 巡田上报 points and sketches and
``import_video_alarms`` the camera alarms — all with :func:`..core.cases.prejudge.prejudge`, against the same
layers: 永久基本农田 (YJJBNT), 批准用地 (APPROVED), 设施农业用地备案 (FACILITY), 临时用地 (TEMPORARY), 城镇开发边界
(BOUNDARY), as of a day (TODAY). :class:`ReferenceLayers` holds their parameter names, labels, the field names read
from each layer and the reading, so the three dialogs ask the same thing in the same words and a county's layers
work in all of them. Not an algorithm: a mixin for :class:`..base.AlgorithmBase` subclasses.
"""
from __future__ import annotations

from qgis.core import QgsCoordinateReferenceSystem, QgsProcessingException, QgsProcessingParameterFeatureSource

from ... import compat
from ...core import clock
from ...core.cases import prejudge as judge
from ...i18n import tr
from ..issues import describe
from ..readers import FieldSpec, read_layer, source_for


class ReferenceLayers:
    """Parameters and reading of the pre-judgement's reference layers (mix in before ``AlgorithmBase``)."""

    YJJBNT, APPROVED, FACILITY, TEMPORARY, BOUNDARY, TODAY = (
        "YJJBNT", "APPROVED", "FACILITY", "TEMPORARY", "BOUNDARY", "TODAY")
    #: per reference parameter, the role of each field read (core name → field name in the county's layers)
    REFERENCE_FIELDS: dict[str, dict[str, str]] = {
        APPROVED: {"doc": "PZWH", "start": "PZRQ"},
        FACILITY: {"doc": "BAH", "start": "BARQ", "filed_m2": "BAMJ"},
        TEMPORARY: {"doc": "PZWH", "start": "QSRQ", "end": "ZZRQ"},
        BOUNDARY: {"name": "GHMC"},
    }
    REFERENCE_PARAMETERS = (YJJBNT, APPROVED, FACILITY, TEMPORARY, BOUNDARY)

    def add_reference_parameters(self, advanced: bool = False) -> None:
        """YJJBNT, APPROVED, FACILITY, TEMPORARY, BOUNDARY (optional polygon layers) and TODAY, in that order;
        ``advanced`` puts them under the dialog's advanced parameters (where a judgement is an extra)."""
        poly = [compat.ProcessingSourceType.VectorPolygon]
        for name, label in ((self.YJJBNT, tr("Permanent basic farmland (YJJBNTTB)")),
                            (self.APPROVED, tr("Approved conversions (批准用地)")),
                            (self.FACILITY, tr("Facility-agriculture filings (设施农业用地备案)")),
                            (self.TEMPORARY, tr("Temporary land (临时用地)")),
                            (self.BOUNDARY, tr("Town development boundary (城镇开发边界)"))):
            p = QgsProcessingParameterFeatureSource(name, label, poly, optional=True)
            if advanced:
                p.setFlags(p.flags() | compat.ProcessingParameterFlag.Advanced)
            self.addParameter(p)
        self.add_date_parameter(self.TODAY, tr("Day the terms are checked on (YYYY-MM-DD; empty: today)"),
                                advanced=advanced)

    def references_given(self, parameters) -> bool:
        """Whether any reference layer was chosen: only then is there something to judge against."""
        return any(parameters.get(name) not in (None, "") for name in self.REFERENCE_PARAMETERS)

    def reference_today(self, parameters, context) -> str:
        """The ISO day approvals, filings and temporary land are checked on (TODAY, else today in Beijing)."""
        return (self.parameter_as_date(parameters, self.TODAY, context) or clock.today_beijing()).isoformat()

    def _read(self, parameters, name, context, feedback, specs, crs, progress):
        """A chosen input layer read once in ``crs`` (None when not chosen); an empty one is refused in words."""
        item = source_for(self, parameters, name, context, feedback)
        if item is None:
            return None
        if item.source.featureCount() == 0:
            raise QgsProcessingException(tr("Layer “{layer}” is empty: choose the layer with the features, or "
                                            "leave the parameter empty.").format(layer=item.label))
        if item.source.sourceCrs() != crs:
            feedback.pushInfo(tr("Layer “{layer}” is in {crs}; it is reprojected to {target}.").format(
                layer=item.label, crs=item.source.sourceCrs().authid(), target=crs.authid()))
        layer, issues = read_layer(item, name, specs, crs, context, feedback, progress=progress)
        if layer is None:
            raise QgsProcessingException(tr("Cancelled."))
        for issue in issues:
            feedback.pushWarning(tr("Layer “{layer}”, feature {fid}: {message}").format(
                layer=item.label, fid=issue.fid, message=describe(issue)[1]))
        return layer

    def _reference(self, parameters, name, context, feedback, crs, fields: dict) -> judge.Reference | None:
        """One reference layer with the fields of its role (document number, dates, filed area)."""
        specs = [FieldSpec(key, field, key, required=False, numeric=key == "filed_m2")
                 for key, field in fields.items()]
        layer = self._read(parameters, name, context, feedback, specs, crs, (0, 0))
        if layer is None:
            return None
        present = {key: layer.attrs[key] for key in fields if key in layer.attrs}
        docs = present.get("doc")
        if docs is None and "name" in present:
            docs = present["name"]
        return judge.Reference(layer.wkb, docs, present.get("start"), present.get("end"), present.get("filed_m2"),
                               name)

    def read_references(self, parameters, context, feedback, crs: QgsCoordinateReferenceSystem | int,
                        basic_wkb=None) -> judge.References:
        """The reference layers chosen, read in ``crs`` (a CRS or an EPSG code: the store's); ``basic_wkb`` the
        永久基本农田 polygons when the caller read YJJBNT already (change detection needs them before)."""
        if isinstance(crs, int):
            crs = QgsCoordinateReferenceSystem(f"EPSG:{crs}")
        if basic_wkb is None:
            basic = self._read(parameters, self.YJJBNT, context, feedback, [], crs, (0, 0))
            basic_wkb = basic.wkb if basic is not None else []
        refs = {name: self._reference(parameters, name, context, feedback, crs, fields)
                for name, fields in self.REFERENCE_FIELDS.items()}
        return judge.References(approved=refs[self.APPROVED], facility=refs[self.FACILITY],
                                temporary=refs[self.TEMPORARY], boundary=refs[self.BOUNDARY],
                                basic=judge.Reference(basic_wkb, name=self.YJJBNT) if len(basic_wkb) else None)
