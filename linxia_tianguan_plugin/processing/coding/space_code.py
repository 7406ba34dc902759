"""一键赋码 — one-click parcel space-coding (Processing algorithm ``linxia_tianguan:space_code``)."""
from __future__ import annotations

import contextlib
import functools
import shutil
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeatureSink,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ... import compat, settings
from ...core import clock, parallel
from ...core import crs as crs_rules
from ...core.admin import AdminDivisions, unit_rows
from ...core.coding import guard as coding_guard
from ...core.coding.groups import village_of
from ...core.coding.layers import Issue
from ...core.coding.lineage import LineageOptions
from ...core.coding.numbering import NumberingError, merge_maxima, used_maxima
from ...core.coding.one_click import (
    DEFAULT_QR_TEMPLATE,
    KEPT,
    NEW,
    Cancelled,
    CodingInput,
    CodingJob,
    CodingOptions,
    retirements,
)
from ...core.coding.pieces import PieceOptions
from ...i18n import tr
from ...resources import divisions_csv
from ...storage import GpkgStore, StoreError, store_kind
from ...storage.export import SessionExport
from ...storage.store import building_path, put_in_place, remove_store_file
from ...storage.workers import code_and_stage
from ...styling import StyleOnLoad
from ..base import AlgorithmBase, open_store
from ..fields import (
    PARCEL_FIELDS,
    KeepsAliases,
    derived_columns,
    features,
    make_fields,
    parcel_aliases,
    parcel_columns,
    with_aliases,
)
from ..issues import describe, issue_feature, issue_fields, retire_reason_text
from ..readers import FieldSpec, check_zone, read_layer, source_for


def _village_names(land, villages) -> dict[str, str]:
    """Village names from the survey: CJDCQ's ZLDWMC, else the most common DLTB ZLDWMC per village."""
    names: dict[str, Counter] = {}
    for layer in (land, villages):
        if layer is None or "ZLDWMC" not in layer.attrs:
            continue
        for code, name in zip(layer.attrs["ZLDWDM"], layer.attrs["ZLDWMC"]):
            village = village_of(str(code))
            if village and name:
                names.setdefault(village, Counter())[str(name)] += 3 if layer is villages else 1
    return {v: c.most_common(1)[0][0] for v, c in names.items()}


@dataclass
class _Inputs:
    """The input layers read in the working CRS, and the issues found reading them."""
    land: object
    parcels: object
    basic: object
    villages: object
    previous: object
    issues: list[Issue]


@dataclass
class _Outputs:
    """The run's sinks: coded parcels (``sink`` None when written directly to ``dest``) and issues."""
    fields: object
    sink: object
    dest: str | None
    ifields: object
    isink: object
    idest: str | None


@dataclass
class _Tally:
    """What the townships' chunks add up to while coding, and the codes retired at the end."""
    issues: list[Issue]
    counts: Counter = field(default_factory=Counter)
    kept: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    relations: dict = field(default_factory=dict)
    residue: float = 0.0
    groups: set[str] = field(default_factory=set)
    retired: list = field(default_factory=list)


class _Preview(Exception):  # noqa: N818 (raised to roll the coding session back in a preview run)
    def __init__(self, verdict: coding_guard.Verdict):
        super().__init__("preview")
        self.verdict = verdict


def qr_template_parameter(name: str) -> QgsProcessingParameterString:
    """The QR content template: the built-in default for qgis_process and scripts, the desk's template (settings)
    pre-filled in the dialog — never read behind a run's back."""
    parameter = QgsProcessingParameterString(name, tr("QR content template ({code} is replaced)"),
                                             DEFAULT_QR_TEMPLATE)
    parameter.setGuiDefaultValueOverride(settings.qr_template())
    return parameter


class SpaceCodeAlgorithm(KeepsAliases, AlgorithmBase):
    DLTB, DK, YJJBNT, CJDCQ, PREVIOUS, STORE = "DLTB", "DK", "YJJBNT", "CJDCQ", "PREVIOUS", "STORE"
    DLBM_FIELD, ZLDWDM_FIELD, DKBM_FIELD, FBFBM_FIELD = "DLBM_FIELD", "ZLDWDM_FIELD", "DKBM_FIELD", "FBFBM_FIELD"
    QR_TEMPLATE, MIN_WIDTH, MIN_AREA, IOU = "QR_TEMPLATE", "MIN_WIDTH", "MIN_AREA", "IOU"
    PREVIEW, REPLACE_SURVEY, MAX_RETIRED = "PREVIEW", "REPLACE_SURVEY", "MAX_RETIRED"
    OUTPUT, ISSUES = "OUTPUT", "ISSUES"

    def name(self) -> str:
        return "space_code"

    def displayName(self) -> str:
        return tr("One-click space coding")

    def shortHelpString(self) -> str:
        return tr(
            "<p>Gives every farmland parcel of the county its space code (its “ID card”): each contract "
            "parcel clipped to survey farmland (耕地, DLBM 01xx), and each piece of farmland that no contract "
            "parcel covers.</p>"
            "<p>Code = county 6 + township 3 + village 3 + group 2 + parcel sequence 5 + one ISO 7064 "
            "MOD 11-2 check character (20 characters). Within a group, numbers follow a Hilbert curve, so "
            "neighbouring parcels have close numbers; farmland without a contract parcel is numbered from "
            "90001.</p>"
            "<p>Re-coding keeps the code of every parcel that is still the same parcel (overlap IoU ≥ the "
            "threshold), gives new parcels the next unused number, records parents of split and merged "
            "parcels, and never reuses a retired code. With a 田管库 (GeoPackage store) the previous codes "
            "come from it and the run is recorded in it, all in one transaction.</p>"
            "<p>Farmland strips narrower than the minimum width between contract parcels (田坎, slivers) are "
            "not coded on their own; uncovered farmland smaller than the minimum area neither. Invalid "
            "geometries are repaired and listed in the issues layer; inputs are never modified.</p>"
            "<p>The codes are guarded: a run that would retire more than the allowed share (5 % by default) of "
            "the store's codes in the townships it re-codes, or keep none of them, stops before anything is "
            "written — a DLTB of one township or another county, or coordinates under a wrong CRS, would otherwise "
            "retire the county's codes and every printed label. “Preview only” computes the counts and lists the "
            "codes that would be retired (issues layer) without writing to the store; “I am replacing the "
            "county's survey” lets a real replacement through.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        poly = [compat.ProcessingSourceType.VectorPolygon]
        self.addParameter(QgsProcessingParameterFeatureSource(self.DLTB, tr("Survey land-use patches (DLTB)"), poly))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.DK, tr("Contract parcels (DK)"), poly, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.YJJBNT, tr("Permanent basic farmland (YJJBNTTB)"), poly, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.CJDCQ, tr("Village survey areas (CJDCQ)"), poly, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.PREVIOUS, tr("Previously coded parcels"), poly, optional=True))
        self.add_store_parameter(optional=True, creatable=True)  # without: the codes go to OUTPUT only
        advanced = [
            QgsProcessingParameterField(self.DLBM_FIELD, tr("Land class field of DLTB"), "DLBM", self.DLTB,
                                        optional=True),
            QgsProcessingParameterField(self.ZLDWDM_FIELD, tr("Location unit code field of DLTB"), "ZLDWDM",
                                        self.DLTB, optional=True),
            QgsProcessingParameterField(self.DKBM_FIELD, tr("Parcel code field of DK"), "DKBM", self.DK,
                                        optional=True),
            QgsProcessingParameterField(self.FBFBM_FIELD, tr("Issuer code field of DK"), "FBFBM", self.DK,
                                        optional=True),
            qr_template_parameter(self.QR_TEMPLATE),
            QgsProcessingParameterNumber(self.MIN_WIDTH, tr("Minimum parcel width (m)"),
                                         compat.ProcessingNumberParameterType.Double, 2.0, minValue=0.0),
            QgsProcessingParameterNumber(self.MIN_AREA, tr("Minimum uncovered farmland area (m²)"),
                                         compat.ProcessingNumberParameterType.Double, 30.0, minValue=0.0),
            QgsProcessingParameterNumber(self.IOU, tr("Overlap (IoU) to keep a code"),
                                         compat.ProcessingNumberParameterType.Double, 0.9, minValue=0.51, maxValue=1.0),
            QgsProcessingParameterNumber(self.MAX_RETIRED, tr("Largest share of the codes a run may retire (%)"),
                                         compat.ProcessingNumberParameterType.Double,
                                         100 * coding_guard.DEFAULT_MAX_SHARE, minValue=0.0, maxValue=100.0),
        ]
        for p in advanced:
            p.setFlags(p.flags() | compat.ProcessingParameterFlag.Advanced)
            self.addParameter(p)
        self.addParameter(QgsProcessingParameterBoolean(
            self.PREVIEW, tr("Preview only: count and list what would change, write nothing to the store"), False))
        self.addParameter(QgsProcessingParameterBoolean(
            self.REPLACE_SURVEY, tr("I am replacing the county's survey (allow retiring many codes)"), False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Coded farmland parcels"), compat.ProcessingSourceType.VectorPolygon, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.ISSUES, tr("Coding issues"), compat.ProcessingSourceType.VectorAnyGeometry, optional=True,
            createByDefault=True))
        for key, label in (("CODED", tr("Parcels coded")), ("NEW", tr("New codes")),
                           ("KEPT", tr("Codes kept")), ("RETIRED", tr("Codes retired")),
                           ("ISSUE_COUNT", tr("Issues"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))
        self.addOutput(QgsProcessingOutputString("RUN_ID", tr("Coding run")))

    # ------------------------------------------------------------------ helpers
    def _check_place(self, job: CodingJob, land, store: GpkgStore | None, parameters, context) -> None:
        """Refuse at once a DLTB of another county than the store's codes, or lying away from them (a wrong CRS):
        nothing is coded or written (see :func:`coding_guard.place`)."""
        previous = job.previous
        if store is None or previous is None or not len(previous):
            return
        where = coding_guard.place(previous.attrs.get("code", []), previous.bounds, job.keys, land.bounds)
        if where.other_county:
            names = AdminDivisions.from_csv(divisions_csv())
            label = lambda codes: "、".join(f"{c}（{names.name(c) or '?'}）" for c in codes)  # noqa: E731
            raise QgsProcessingException(tr(
                "Nothing was written: the DLTB {layer} is of county {run}, but the codes in the store {path} are of "
                "county {store}. A tianguan store holds one county: choose that county's DLTB, or another store "
                "for this county.").format(layer=land.name, run=label(where.run_counties),
                                           path=store.display_path, store=label(where.store_counties)))
        if where.elsewhere and not self.parameterAsBool(parameters, self.REPLACE_SURVEY, context):
            raise QgsProcessingException(tr(
                "Nothing was written: the DLTB {layer} lies away from every parcel coded in the store {path} (their "
                "extents do not meet). Its coordinates are probably under a wrong CRS (another CGCS2000 zone, or "
                "a CRS label that does not match the numbers): check the layer's CRS, or tick “I am replacing the "
                "county's survey” if the county's parcels really moved.").format(layer=land.name,
                                                                                  path=store.display_path))

    def _working_crs(self, dltb, store: GpkgStore | None, context) -> QgsCoordinateReferenceSystem:
        """Metric CRS for all areas: the store's, else DLTB's if projected, else its CGCS2000 GK zone."""
        if store is not None:
            return QgsCoordinateReferenceSystem(f"EPSG:{store.srs_id}")
        check_zone(dltb, dltb.sourceName() or "DLTB")  # before its CRS and extent are trusted
        src = dltb.sourceCrs()
        if src.isValid() and not src.isGeographic():
            return src
        extent = dltb.sourceExtent()
        if src.isValid() and not extent.isEmpty():
            to_geo = QgsCoordinateTransform(src, QgsCoordinateReferenceSystem("EPSG:4490"),
                                            context.transformContext())
            lon = to_geo.transform(extent.center()).x()
        else:
            raise QgsProcessingException(tr("Layer DLTB has no valid coordinate reference system; set it first."))
        try:
            return QgsCoordinateReferenceSystem(f"EPSG:{crs_rules.gk3_epsg(lon)}")
        except ValueError as err:
            raise QgsProcessingException(tr("Layer DLTB lies at longitude {lon:.1f}, outside China's CGCS2000 zones: "
                                            "check its coordinate reference system ({error}).").format(
                lon=lon, error=err)) from err

    def _read(self, parameters, name, role, specs, crs, context, feedback, progress, expression=None):
        item = source_for(self, parameters, name, context, feedback)
        if item is None:
            return None, []
        source, label = item.source, item.label
        # the big layers are repaired in the coding workers, on both cores
        layer, issues = read_layer(item, role, specs, crs, context, feedback, expression, progress,
                                   repair_now=role not in ("DLTB", "DK"),
                                   ascii_bytes=("DKBM", "FBFBM", "CBFBM") if role == "DK" else ())
        if layer is None:
            raise Cancelled()
        if role == "DLTB" and len(layer) == 0:
            raise QgsProcessingException(tr(
                "Layer “{layer}” has no farmland patches (DLBM 01xx) with a usable geometry. Check the layer, "
                "its selection and its land class field.").format(layer=label))
        if role == "DK" and len(layer) == 0:
            raise QgsProcessingException(tr(
                "Layer “{layer}” has no contract parcels with a usable geometry. Check the layer and its "
                "selection, or leave the contract parcels empty to code survey farmland only.").format(layer=label))
        for spec in specs:
            idx = source.fields().lookupField(spec.name) if spec.name else -1
            if idx >= 0 and spec.key in ("DKBM", "FBFBM", "ZLDWDM") and source.fields()[idx].isNumeric():
                issues.append(Issue("numeric_code_field", label, key=spec.name))
        return layer, issues

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):
        store_path = self.parameterAsFile(parameters, self.STORE, context)
        store, building = None, None
        # without a store, a new GeoPackage output is written directly (see storage.export) from a
        # scratch store beside it: no per-feature sink work in this process
        direct = None if store_path else self.direct_gpkg(parameters, self.OUTPUT, context)
        scratch = tempfile.mkdtemp(prefix=".tianguan-", dir=str(Path(direct).parent)) if direct else None
        if store_path or scratch:
            path = store_path or str(Path(scratch) / "run.gpkg")
            # a store is created only where the user chose so (the scratch one always)
            create = not store_path or self.may_create_store(parameters, context)
            try:
                missing = store_kind(path) != "store"
            except (StoreError, OSError):
                missing = False  # open_store says what it is
            # a new store takes the county's CRS (from DLTB); an existing one keeps its own
            epsg = None
            if missing and create:
                dltb = self.parameterAsSource(parameters, self.DLTB, context)
                epsg = self._working_crs(dltb, None, context).postgisSrid() if dltb is not None else None
                if store_path:  # a new store is built beside its path and put there when the run succeeds
                    building = building_path(path)
            try:
                store = open_store(building or path, create=create, epsg=epsg or None)
            except BaseException:
                if building:  # (a half-made new store)
                    remove_store_file(building)
                raise
            store.display_path = path
        workers = contextlib.ExitStack()  # the worker processes, started before the inputs are read
        done = False
        try:
            result = self._run(parameters, context, feedback, store, direct, workers, building is not None)
            done = True
            return result
        except Cancelled:
            feedback.reportError(tr("Coding was cancelled; nothing was written to the store."))
            return {}
        finally:
            workers.close()
            if store is not None:
                store.close()
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)
            if building:
                self._put_store_in_place(building, store_path, done)

    @staticmethod
    def _put_store_in_place(building: str, path: str, done: bool) -> None:
        """A new store built for this run goes to its path when the run succeeded, else away (nothing was
        written); a file that appeared at the path meanwhile is never overwritten."""
        if not done:
            remove_store_file(building)
            return
        try:
            put_in_place(building, path)
        except BaseException as err:
            remove_store_file(building)  # (a disk that failed the sync: nothing is put in place either)
            if not isinstance(err, FileExistsError):
                raise
            raise QgsProcessingException(tr(
                "{path} was created by another program while the parcels were coded, so the new store was not put "
                "there and nothing was written: code into that store, or choose another path.").format(
                path=path)) from None

    def _run(self, parameters, context, feedback, store, direct, workers: contextlib.ExitStack, building: bool):
        """One coding run: read the inputs, code them township by township (into the store's coding session
        when there is a store; ``building``: a new store nobody sees yet), guard the codes, then write the outputs
        and report."""
        dltb_src = self.parameterAsSource(parameters, self.DLTB, context)
        if dltb_src is None:
            raise QgsProcessingException(tr("Choose the DLTB layer."))
        crs = self._working_crs(dltb_src, store, context)
        feedback.pushInfo(tr("Working CRS: {crs}").format(crs=crs.authid() or crs.description()))
        options = self._options(parameters, context)
        pool = self._start_workers(parameters, context, options, workers)
        inputs = self._read_inputs(parameters, context, feedback, crs, store)
        now = clock.now_beijing().replace(microsecond=0)
        run_id = "FM" + now.strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:4].upper()
        job = CodingJob(CodingInput(
            land=inputs.land, parcels=inputs.parcels, basic=inputs.basic, villages=inputs.villages,
            previous=inputs.previous, used_max=self._used(store, inputs.previous),
            crs_wkt=crs.toWkt(compat.CrsWktVariant.Preferred), run_id=run_id,
            run_time=now.isoformat()), options)
        tally = _Tally(issues=inputs.issues + job.issues)
        if not job.keys:
            raise QgsProcessingException(tr("No township could be derived from the inputs: check ZLDWDM of DLTB "
                                            "and DKBM/FBFBM of the contract parcels."))
        self._check_place(job, inputs.land, store, parameters, context)
        out = self._outputs(parameters, context, crs, direct)
        params = {
            "dltb": inputs.land.name, "dk": inputs.parcels.name if inputs.parcels else None, "crs": crs.authid(),
            "min_width": options.pieces.min_width, "min_area": options.pieces.min_area,
            "iou_keep": options.lineage.iou_keep, "qr_template": options.qr_template,
        }
        preview = self.parameterAsBool(parameters, self.PREVIEW, context)
        session = None
        try:
            session = self._code(parameters, context, feedback, store, job, out, tally, (run_id, now, params),
                                 (preview, building and not preview), (pool, workers))
        except NumberingError as err:
            raise QgsProcessingException(tr("Group {group} has run out of sequence numbers.").format(
                group=err.group_code)) from err
        except _Preview as shown:
            self._show_preview(feedback, store, shown.verdict)
            direct = None  # the store is unchanged: nothing new to export
        if direct:  # written from the staged rows at the end of the coding (see _code)
            self.load_direct(parameters, self.OUTPUT, context, direct)
        elif store is not None and not preview:
            store.save_admin_units(unit_rows(AdminDivisions.from_csv(divisions_csv()),
                                             _village_names(inputs.land, inputs.villages), sorted(tally.groups)))
            feedback.pushInfo(tr("Store {path}: {changes}").format(
                path=store.display_path,
                changes=tr("updated") if session.changed else tr("no change (identical input)")))
        return self._finish(context, feedback, out, tally, run_id)

    def _start_workers(self, parameters, context, options: CodingOptions, workers: contextlib.ExitStack):
        """The coding's worker processes, started now so that they spawn and import while this process reads
        the inputs (half a second each); None when the inputs are too small to pay for them."""
        features = 0
        for key in (self.DLTB, self.DK):
            source = self.parameterAsSource(parameters, key, context) if parameters.get(key) else None
            features += max(source.featureCount(), 0) if source is not None else 0
        if not CodingJob.wants_pool(options, 2, features):
            return None
        pool = workers.enter_context(parallel.process_pool(options.workers))
        parallel.warm(pool, options.workers, code_and_stage.__module__)
        return pool

    def _read_inputs(self, parameters, context, feedback, crs, store: GpkgStore | None) -> _Inputs:
        """The five input layers in the working CRS, with the issues found reading them; without a PREVIOUS
        layer, the store's active codes are the previous coding."""
        chosen = lambda key, default: self.parameterAsString(parameters, key, context) or default  # noqa: E731
        dlbm_field = chosen(self.DLBM_FIELD, "DLBM")
        has_cjdcq = parameters.get(self.CJDCQ) not in (None, "")
        issues: list[Issue] = []
        feedback.setProgressText(tr("Reading survey farmland…"))
        land_specs = [
            FieldSpec("DLBM", dlbm_field, tr("land class code")),
            FieldSpec("ZLDWDM", chosen(self.ZLDWDM_FIELD, "ZLDWDM"), tr("location unit code"), required=not has_cjdcq),
            FieldSpec("QSDWDM", "QSDWDM", tr("ownership unit code"), required=False),
            FieldSpec("BSM", "BSM", tr("patch id"), required=False),
            FieldSpec("ZLDWMC", "ZLDWMC", tr("location unit name"), required=False),
            FieldSpec("TBDLMJ", "TBDLMJ", tr("patch class area"), required=False, numeric=True),
            FieldSpec("KCXS", "KCXS", tr("deduction coefficient"), required=False, numeric=True),
        ]
        expr = "\"{}\" LIKE '01%'".format(dlbm_field.replace('"', '""'))
        land, found = self._read(parameters, self.DLTB, "DLTB", land_specs, crs, context, feedback, (0, 12), expr)
        issues += found
        feedback.setProgressText(tr("Reading contract parcels…"))
        parcels, found = self._read(parameters, self.DK, "DK", [
            FieldSpec("DKBM", chosen(self.DKBM_FIELD, "DKBM"), tr("contract parcel code")),
            FieldSpec("FBFBM", chosen(self.FBFBM_FIELD, "FBFBM"), tr("issuer code"), required=False),
            FieldSpec("CBFBM", "CBFBM", tr("contractor code"), required=False),
        ], crs, context, feedback, (12, 30))
        issues += found
        basic, found = self._read(parameters, self.YJJBNT, "YJJBNT", [], crs, context, feedback, (30, 34))
        issues += found
        villages, found = self._read(parameters, self.CJDCQ, "CJDCQ", [
            FieldSpec("ZLDWDM", "ZLDWDM", tr("location unit code")),
            FieldSpec("ZLDWMC", "ZLDWMC", tr("location unit name"), required=False),
        ], crs, context, feedback, (34, 36))
        issues += found
        previous, found = self._read(parameters, self.PREVIOUS, "PREVIOUS", [
            FieldSpec("code", "KJM", tr("space code")),
            FieldSpec("coded_at", "FMSJ", tr("coded at"), required=False),
            FieldSpec("run_id", "FMPC", tr("coding run"), required=False),
            FieldSpec("parents", "FJM", tr("parent codes"), required=False),
        ], crs, context, feedback, (36, 40))
        issues += found
        if previous is None and store is not None:
            previous = store.active_codes()
            if len(previous):
                feedback.pushInfo(tr("{n} active codes in the store are the previous coding.").format(
                    n=len(previous)))
        return _Inputs(land, parcels, basic, villages, previous, issues)

    @staticmethod
    def _used(store: GpkgStore | None, previous) -> dict:
        """The highest sequence number used per group — by the store and by the previous codes and their
        parents — so that no new code reuses a retired one."""
        used = store.used_maxima() if store is not None else {}
        if previous is not None and len(previous):
            codes = list(previous.attrs["code"])
            for parents in previous.attrs.get("parents", []):
                codes.extend(p for p in str(parents).split(";") if p)
            used = merge_maxima(used, used_maxima(np.asarray(codes, dtype=object)))
        return used

    def _options(self, parameters, context) -> CodingOptions:
        """The coding options of the run's parameters; a QR template without {code} is refused."""
        options = CodingOptions(
            pieces=PieceOptions(min_width=self.parameterAsDouble(parameters, self.MIN_WIDTH, context),
                                min_area=self.parameterAsDouble(parameters, self.MIN_AREA, context)),
            lineage=LineageOptions(iou_keep=self.parameterAsDouble(parameters, self.IOU, context)),
            qr_template=self.parameterAsString(parameters, self.QR_TEMPLATE, context) or DEFAULT_QR_TEMPLATE,
            workers=parallel.cpu_count(),
        )
        if "{code}" not in options.qr_template:
            raise QgsProcessingException(tr("The QR content template must contain {code}."))
        return options

    def _outputs(self, parameters, context, crs, direct: str | None) -> _Outputs:
        """The parcel sink (none when the GeoPackage is written directly) and the issues sink."""
        fields = make_fields(PARCEL_FIELDS, parcel_aliases())
        if direct:
            sink, dest = None, direct
        else:
            sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, Qgis.WkbType.MultiPolygon,
                                              crs)
        ifields = with_aliases(issue_fields(), "coding_issues")
        isink, idest = self.parameterAsSink(parameters, self.ISSUES, context, ifields,
                                            Qgis.WkbType.MultiPolygon, crs)
        return _Outputs(fields, sink, dest, ifields, isink, idest)

    def _code(self, parameters, context, feedback, store, job: CodingJob, out: _Outputs, tally: _Tally,
              run: tuple, modes: tuple[bool, bool], workers: tuple):
        """Code the townships in the worker processes (``workers``: the pool, or None, and the stack that
        stops it), inside the store's coding session when there is a store (one transaction: a refused or
        previewed run leaves the store as it was; ``modes``: preview, and whether a new store being built takes
        each township's rows at once, see :class:`~...storage.CodingSession`); returns the session."""
        run_id, now, params = run
        pool, stack = workers
        preview, stream = modes

        def progress(done, total, key):
            feedback.setProgress(40 + 55 * done / total)
            feedback.setProgressText(tr("Coded township {key} ({done}/{total})").format(
                key=key, done=done, total=total))

        feedback.setProgressText(tr("Coding {n} townships in {w} processes…").format(
            n=len(job.keys), w=job.opts.workers))
        opened = (store.coding_session(run_id, now.isoformat(), params, stream=stream) if store
                  else contextlib.nullcontext())
        with opened as session, contextlib.ExitStack() as writing:
            # workers stage the rows for the store themselves; rows travel back only for the sink
            worker = functools.partial(code_and_stage, store=store.path if store else None,
                                       staging=session.staging if session else None,
                                       srs_id=store.srs_id if store else 0, keep_rows=out.sink is not None,
                                       direct=stream)
            export = None
            if session is not None and out.sink is None and out.dest:
                # a new GeoPackage without a store: written from the staged rows township by township
                export = SessionExport(session, out.dest, Path(out.dest).stem, parcel_columns(),
                                       tr("Coded farmland parcels"), aliases=parcel_aliases())
                writing.callback(export.abort)  # (a finished one is in place: nothing to remove)
            # a store being built takes the townships in any order (each worker writes its rows from the next free
            # feature id): biggest first, so the workers end together; a sink or an export keeps code order
            any_order = stream and out.sink is None and export is None
            for chunk in job.run(progress, feedback.isCanceled, worker, pool=pool, biggest_first=any_order):
                self._take_chunk(chunk, out, session, tally)
                if export is not None:
                    export.add(*session.latest_block())
            stack.close()  # the workers are done: their memory goes back before the commit
            job.release_inputs()  # the commit and the store's R-tree get that memory
            old_codes = self._retire(job, tally)
            if session is not None:
                self._guard(parameters, context, store, job, old_codes, tally, preview)
                session.retire([(str(old_codes[i]), reason, kids) for i, reason, kids in tally.retired],
                               now.isoformat())
                session.link([(str(old_codes[i]), child, shared) for i, child, shared in tally.edges])
                if export is not None:
                    feedback.setProgressText(tr("Writing {path}…").format(path=out.dest))
                    export.finish()
                    session.discard()  # the scratch store is not needed any more
        return session

    @staticmethod
    def _take_chunk(chunk, out: _Outputs, session, tally: _Tally) -> None:
        """One township's coded parcels: to the sink, the session's R-tree boxes, and the run's tally."""
        if out.sink is not None:
            out.sink.addFeatures(features(out.fields, PARCEL_FIELDS, derived_columns(chunk.columns), chunk.wkb),
                                 QgsFeatureSink.Flag.FastInsert)
        if session is not None:
            session.add_chunk(int(chunk.key), chunk.new_boxes, chunk.first_fid, chunk.leaves)
        tally.issues += chunk.issues
        tally.kept.append(chunk.kept_old)
        tally.edges += chunk.edges
        moved = ~np.isin(chunk.columns["relation"], (KEPT, NEW))  # only children matter to retirements
        tally.relations.update(zip(chunk.columns["code"][moved], chunk.columns["relation"][moved]))
        tally.counts["coded"] += len(chunk)
        tally.groups.update(chunk.columns["group_code"].tolist())
        tally.counts.update(chunk.columns["relation"].tolist())
        tally.residue += chunk.residue_m2

    @staticmethod
    def _retire(job: CodingJob, tally: _Tally):
        """The previous codes of the run's townships that no parcel keeps (into ``tally.retired``, each also an
        issue with its old geometry); returns the previous codes."""
        kept = np.concatenate(tally.kept) if tally.kept else np.zeros(0, dtype=np.int64)
        old_codes = job.previous.attrs.get("code", np.zeros(0, dtype=object))
        scope = tuple(job.keys)
        tally.retired = [r for r in retirements(job, kept, tally.edges, tally.relations)
                         if str(old_codes[r[0]]).startswith(scope)]
        for i, reason, _kids in tally.retired:
            tally.issues.append(Issue("code_retired", tr("Previously coded parcels"), key=str(old_codes[i]),
                                      other=retire_reason_text(reason), wkb=job.previous.wkb[i]))
        return old_codes

    def _guard(self, parameters, context, store, job: CodingJob, old_codes, tally: _Tally, preview: bool) -> None:
        """Judge the run by the share of its townships' codes it retires: a preview stops here (rolled back
        with its verdict), a run retiring too many is refused before anything is written."""
        verdict = coding_guard.judge(
            coding_guard.in_scope(old_codes, job.keys), tally.counts["BL"], len(tally.retired),
            self.parameterAsDouble(parameters, self.MAX_RETIRED, context) / 100,
            self.parameterAsBool(parameters, self.REPLACE_SURVEY, context))
        if preview:
            raise _Preview(verdict)
        if not verdict.allowed:
            raise QgsProcessingException(tr(
                "Nothing was written: this run would retire {retired} of the {previous} codes of its "
                "townships in the store {path} ({share:.1f} %, more than the allowed {limit:.1f} %) and "
                "keep {kept}. The inputs are probably not the county's whole survey: a DLTB of one "
                "township or of another county, or coordinates under a wrong CRS. Check DLTB and DK, run "
                "with “Preview only” to see the codes that would be retired, or tick “I am replacing the "
                "county's survey” if that is what you do.").format(
                retired=verdict.retired, previous=verdict.previous, path=store.display_path,
                share=100 * verdict.share, limit=100 * verdict.max_share, kept=verdict.kept))

    @staticmethod
    def _show_preview(feedback, store, verdict: coding_guard.Verdict) -> None:
        """What a preview run found (nothing was written), and whether the real run would be refused."""
        feedback.pushInfo(tr("Preview: nothing was written to the store {path}. This run would keep {kept} and "
                             "retire {retired} of the {previous} codes of its townships ({share:.1f} %); the "
                             "codes it would retire are in the issues layer.").format(
            path=store.display_path, kept=verdict.kept, retired=verdict.retired, previous=verdict.previous,
            share=100 * verdict.share))
        if not verdict.allowed:
            feedback.pushWarning(tr(
                "Without “I am replacing the county's survey” this run would be refused: it retires more than the "
                "allowed {limit:.1f} % of the codes, or keeps none.").format(limit=100 * verdict.max_share))

    def _finish(self, context, feedback, out: _Outputs, tally: _Tally, run_id: str) -> dict:
        """Write the issues, report the run, style the loaded outputs, and return the algorithm's results."""
        if out.isink is not None:
            out.isink.addFeatures([issue_feature(out.ifields, i) for i in tally.issues],
                                  QgsFeatureSink.Flag.FastInsert)
        counts = tally.counts
        self._report(feedback, counts, tally.retired, tally.issues, tally.residue)
        if out.dest and context.willLoadLayerOnCompletion(out.dest):
            details = context.layerToLoadOnCompletionDetails(out.dest)
            details.setPostProcessor(StyleOnLoad.create("space_code_parcels.qml", parcel_aliases()))
        self.keep_aliases(out.dest, "parcels", "space_code_parcels.qml")
        self.keep_aliases(out.idest, "coding_issues")
        feedback.setProgress(100)
        return {
            self.OUTPUT: out.dest, self.ISSUES: out.idest, "CODED": counts["coded"],
            "NEW": counts["coded"] - counts["BL"], "KEPT": counts["BL"], "RETIRED": len(tally.retired),
            "ISSUE_COUNT": len(tally.issues), "RUN_ID": run_id,
        }

    def _report(self, feedback, counts, retired, issues, residue) -> None:
        feedback.pushInfo(tr("Coded {coded} parcels: {kept} kept, {new} new ({split} from splits, {merge} from "
                             "merges), {retired} codes retired.").format(
            coded=counts["coded"], kept=counts["BL"], new=counts["coded"] - counts["BL"],
            split=counts["FG"], merge=counts["HB"], retired=len(retired)))
        if residue > 0:
            feedback.pushInfo(tr("{area} m² of farmland strips narrower than the minimum width (田坎, gaps between "
                                 "parcels) have no code; they are listed in the issues layer.").format(
                area=f"{residue:.1f}"))
        by_kind = Counter(i.kind for i in issues)
        for kind, n in sorted(by_kind.items()):
            severity, message = describe(next(i for i in issues if i.kind == kind))
            if n > 1:
                message = tr("{n} issues of this kind, for example: {message}").format(n=n, message=message)
            if severity == "warning":
                feedback.pushWarning(message)
            else:
                feedback.pushInfo(message)
