"""导入外业成果 — read a returned field package back into the 田管库 (``linxia_tianguan:field_package_import``).

The folder is one written by ``field_package_export`` and edited by QField (rules:
:mod:`..core.patrol.field_package`; store writes: :mod:`..storage.field_package`):

- every line of the ``tracks`` layer goes through the track import pipeline of ``import_tracks`` (a line
  is known by its content, so importing the package again adds nothing; fixes already stored from an
  earlier return of the same growing line are marked repeated; cleaning and sessions as usual; the
  authenticity checks and coverage run afterwards with 检查巡田轨迹 / 巡田覆盖分析 as for any import);
  a point tracking layer is read as one track file; a track from a village package (village code) is given
  the 社 cell holding most of its fixes;
- the rows of the ``evidence`` layer become, per case, the photos added as evidence (copied into the
  store's evidence folder, content-addressed) and one ``submit_evidence`` (已举证) event, made with the
  case version recorded at export. A case that moved on, is closed, unknown, not in the package or in a
  state that takes no evidence, and a row whose photo is missing or refused (a symbolic or hard link, a
  path leaving the package, an empty file, content that is not JPEG/PNG/PDF, a zip member refused; the
  reason translated), are conflicts: listed in the optional conflicts table and the log, nothing
  overwritten. Rows imported before are skipped silently.
- every row of the ``reports`` (point) and ``report_areas`` (sketched polygon) layers (巡田上报: a problem
  found on patrol) becomes a new case in 待下发 — the county desk's inbox, see
  :func:`..core.patrol.field_package.plan_reports` for why not 已上报 — whose first event says it is a field
  report. A point is placed on the coded parcel under it (or the nearest within 30 m; its space code, 社 cell and
  officer); a sketch is its own polygon, made valid (a degenerate one is a ``bad_geometry`` conflict), with the
  codes of the coded parcels it overlaps. Its photos (photo, photo_2, photo_3) become the case's evidence in that
  order. Reason ``field_report`` first; with no reference layer chosen the category is 需外业核实 (and
  ``on_basic_farmland`` when the parcels hold 永农), with the optional reference layers of change detection
  (:class:`..cases.references.ReferenceLayers`: 永农, approvals, facility filings, temporary land, development
  boundary) it is pre-judged like a change polygon, kept one case (:mod:`..core.cases.leads`). Keyed by the package
  and the report's uuid: importing the package again adds nothing;
- a zipped package (the chosen path is a .zip, or a folder holding exactly one .zip and no package) is
  extracted safely (:func:`..core.patrol.field_package.extracted_zip`) into a temporary folder removed afterwards;
  refused members are warnings and, when a row's photo, ``refused_photo`` conflicts.
- photos' EXIF is read with QGIS's exiv2 (:mod:`.exif_reader`), the plugin's own reader as fallback.
"""
from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Iterator
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
)

from ... import compat
from ...core.cases import workflow
from ...core.cases.enforcement import is_enforcement
from ...core.cases.leads import judge_leads
from ...core.cases.prejudge import assign_cells, priority_order
from ...core.patrol import field_package as rules
from ...core.patrol.tracks import SHANGHAI, Fixes, parse_time
from ...i18n import tr
from ...labels import field_conflict_labels
from ...storage import cases as case_store
from ...storage import field_package as package_store
from ...storage.evidence import EvidenceError, add_evidence
from ...storage.grid import active_cells
from ...storage.tasks import officers_for
from ...store_messages import evidence_message
from ..base import AlgorithmBase
from ..cases import exif_reader
from ..cases.references import ReferenceLayers
from ..fields import KeepsAliases, schema
from .track_files import TrackReadError, geometry_parts, open_ogr, read_ogr_track, to_lonlat

# exiv2 as core's EXIF reader and the plugin's translator for core's refusal reasons, wherever evidence is read
exif_reader.install()


def conflict_text(code: str) -> str:
    return field_conflict_labels().get(code, code)


def feature_text(feature, name: str) -> str | None:
    """An OGR feature's text field, stripped; None when unset, null or blank (what QField leaves empty)."""
    idx = feature.GetFieldIndex(name)
    if idx < 0 or not feature.IsFieldSetAndNotNull(idx):
        return None
    value = feature.GetFieldAsString(idx).strip()
    return value or None


def read_track_lines(path: Path, cancelled=None) -> tuple[list[dict], list[rules.Conflict]]:
    """Lines of the package's tracks layer: per feature {fid, key, fixes, officer, grid}; unreadable ones as
    conflicts. A point layer is read whole by ``import_tracks``' reader, as one line."""
    from osgeo import ogr

    ds = open_ogr(str(path), ["GPKG"])
    layer = ds.GetLayerByName(rules.TRACKS)
    if layer is None:
        return [], []
    if ogr.GT_Flatten(layer.GetGeomType()) in (ogr.wkbPoint, ogr.wkbMultiPoint):
        ds = None
        track = read_ogr_track(str(path), "GPKG", rules.TRACKS, cancelled=cancelled)
        if len(track.fixes) == 0:
            return [], []
        coords = list(zip(track.fixes.lon.tolist(), track.fixes.lat.tolist()))
        key = rules.track_key(coords, track.fixes.time.tolist(), track.officer, track.grid)
        return [{"fid": 0, "key": key, "fixes": track.fixes, "officer": track.officer, "grid": track.grid}], []
    transform = to_lonlat(layer)
    lines, conflicts = [], []
    for feature in layer:
        if cancelled is not None and cancelled():
            break
        fid = feature.GetFID()
        geom = feature.GetGeometryRef()
        if geom is None or geom.IsEmpty():
            continue
        parts, measured = geometry_parts(geom, transform)
        officer, grid = feature_text(feature, "officer"), feature_text(feature, "grid_code")
        started = parse_time(feature_text(feature, "started_at"), SHANGHAI)
        lon, lat, times = [], [], []
        for part in parts:
            n = part.GetPointCount()
            lon += [part.GetX(i) for i in range(n)]
            lat += [part.GetY(i) for i in range(n)]
            times += rules.vertex_times([part.GetM(i) if measured else math.nan for i in range(n)], started)
        if not lon or not any(math.isfinite(t) for t in times):
            conflicts.append(rules.Conflict(rules.TRACKS, fid, None, rules.BAD_TRACK,
                                            "no times" if lon else "no vertices"))
            continue
        key = rules.track_key(list(zip(lon, lat)), times, officer, grid)
        lines.append({"fid": fid, "key": key, "fixes": Fixes(lon, lat, times, [math.nan] * len(lon)),
                      "officer": officer, "grid": grid})
    ds = None
    return lines, conflicts


def _complete(path: Path) -> bool:
    return (path / rules.MANIFEST_NAME).is_file() and (path / rules.GPKG_NAME).is_file()


def package_zip(folder: Path) -> Path | None:
    """The zipped package to extract: ``folder`` itself when it is a .zip file, else the one .zip inside a
    folder that holds no package (what the phone sends, saved in a folder); None when a package folder is
    there or nothing zipped. Several zips raise QgsProcessingException naming them."""
    if folder.is_file():
        if folder.suffix.lower() == ".zip":
            return folder
        raise QgsProcessingException(tr("{folder} is neither a field package folder nor a zipped field "
                                        "package.").format(folder=folder))
    if not folder.is_dir() or _complete(folder):
        return None
    try:
        children = sorted(folder.iterdir(), key=str)
    except OSError:
        return None
    if any(p.is_dir() and not p.is_symlink() and _complete(p) for p in children):
        return None
    zips = [p for p in children if p.suffix.lower() == ".zip" and p.is_file() and not p.is_symlink()]
    if len(zips) > 1:
        raise QgsProcessingException(tr("{folder} holds several zipped field packages ({names}); put the one to "
                                        "import in a folder of its own.").format(
            folder=folder, names="、".join(z.name for z in zips)))
    return zips[0] if zips else None


def package_folder(folder: Path) -> tuple[Path, str]:
    """The package folder the user meant, and a note when it was found one level down.

    The chosen folder itself when it holds the manifest and GeoPackage; else its one subfolder that does
    (the user picked the parent). Several packages below, or none, raise QgsProcessingException. Zipped
    packages are extracted before (:func:`package_zip`, :func:`..core.patrol.field_package.extracted_zip`)."""
    if folder.is_dir() and _complete(folder):
        return folder, ""
    try:
        children = sorted(folder.iterdir(), key=str) if folder.is_dir() else []
    except OSError:
        children = []
    inner = [p for p in children if p.is_dir() and not p.is_symlink() and _complete(p)]
    if len(inner) == 1:
        return inner[0], tr("The field package was found in the subfolder {folder}.").format(folder=inner[0].name)
    if len(inner) > 1:
        raise QgsProcessingException(tr("{folder} holds several field packages ({names}); choose one of them.").format(
            folder=folder, names="、".join(p.name for p in inner)))
    raise QgsProcessingException(tr("{folder} is not a field package (no {manifest} or {gpkg}).").format(
        folder=folder, manifest=rules.MANIFEST_NAME, gpkg=rules.GPKG_NAME))


def zip_refusals_by_photo(refused: list[rules.ZipRefusal], extracted: Path, folder: Path) -> dict[str, str]:
    """Refused zip members by the photo path a row would give (relative to the package folder, ``/``)."""
    prefix = folder.relative_to(extracted).as_posix()
    out = {}
    for r in refused:
        rel = rules.zip_member_path(r.member) or str(r.member).replace("\\", "/")
        if prefix not in ("", "."):
            if not rel.startswith(prefix + "/"):
                continue
            rel = rel[len(prefix) + 1:]
        out[rel] = r.reason
    return out


@contextlib.contextmanager
def opened_package(chosen: Path, feedback) -> Iterator[tuple[Path, str, dict[str, str] | None, str | None]]:
    """The returned package as chosen — a package folder, its parent, a .zip or a folder holding one — for both
    imports (field results, rectification results): ``(folder, note, zip_refused, origin)``. A zip is extracted
    safely into a temporary folder removed when the ``with`` ends (refused members are warnings;
    ``zip_refused`` maps the photo paths they would have given to the reason, ``origin`` names the zip for
    track sources); a zip refused whole (unreadable, a bomb) is a QgsProcessingException."""
    archive = package_zip(chosen)
    if archive is None:
        folder, note = package_folder(chosen)
        yield folder, note, None, None
        return
    feedback.pushInfo(tr("Extracting the zipped field package {name} into a temporary folder…").format(
        name=archive.name))
    try:
        # only members that stay inside the temporary folder are written; it is removed afterwards
        with rules.extracted_zip(archive) as (extracted, refused):
            for r in refused:
                feedback.pushWarning(tr("Zip member refused: {reason}").format(reason=r.reason))
            folder, note = package_folder(Path(extracted))
            yield (folder, note, zip_refusals_by_photo(refused, Path(extracted), folder),
                   f"{archive.resolve()}!/{folder.relative_to(extracted).as_posix()}")
    except rules.FieldPackageError as err:  # the zip is unreadable or refused whole (a zip bomb)
        raise QgsProcessingException(tr("The zipped field package {name} was refused: {reason}").format(
            name=archive.name, reason=err)) from err


def read_evidence(path: Path) -> list[rules.EvidenceRow]:
    """Rows of the package's evidence layer (position in the layer's CRS)."""
    ds = open_ogr(str(path), ["GPKG"])
    layer = ds.GetLayerByName(rules.EVIDENCE)
    rows = []
    if layer is not None:
        for feature in layer:
            geom = feature.GetGeometryRef()
            has_point = geom is not None and not geom.IsEmpty()
            text = functools.partial(feature_text, feature)
            rows.append(rules.EvidenceRow(
                feature.GetFID(), text("case_id"), text("photo"), text("note") or "", text("taken_at"), text("officer"),
                geom.GetX() if has_point else None, geom.GetY() if has_point else None))
    ds = None
    return rows


def read_reports(path: Path) -> list[rules.ReportRow]:
    """Rows of the package's 巡田上报 layers, points (``reports``) then sketches (``report_areas``), positions in the
    layer's CRS (the store's); a layer missing from a package exported before it existed gives no rows."""
    ds = open_ogr(str(path), ["GPKG"])
    rows = []
    for name in rules.REPORT_LAYERS:
        layer = ds.GetLayerByName(name)
        if layer is None:
            continue
        for feature in layer:
            geom = feature.GetGeometryRef()
            present = geom is not None and not geom.IsEmpty()
            point = geom.PointOnSurface() if present else None
            point = point if point is not None and not point.IsEmpty() else None
            text = functools.partial(feature_text, feature)
            rows.append(rules.ReportRow(
                feature.GetFID(), text("uuid"), text("category"), text("photo"), text("note") or "", text("officer"),
                text("reported_at"), point.GetX() if point is not None else None,
                point.GetY() if point is not None else None, tuple(text(f) for f in rules.PHOTO_FIELDS[1:]), name,
                bytes(geom.ExportToIsoWkb()) if present and name == rules.REPORT_AREAS else None))
    ds = None
    return rows


class FieldPackageImportAlgorithm(ReferenceLayers, KeepsAliases, AlgorithmBase):
    STORE, FOLDER, OUTPUT = "STORE", "FOLDER", "OUTPUT"

    def name(self) -> str:
        return "field_package_import"

    def displayName(self) -> str:
        return tr("Import field results")

    def shortHelpString(self) -> str:
        return tr(
            "<p>导入外业成果 · Reads a field package returned from QField (the folder written by “Export field "
            "package”) back into the tianguan store it came from.</p>"
            "<p>Tracks: every line of the track layer is imported like an imported track file (cleaning, "
            "sessions, fixes kept; a line imported before adds nothing, fixes already imported from an earlier "
            "return are not counted twice); run “Check patrol track authenticity” and “Patrol coverage analysis” "
            "afterwards as after any track import.</p>"
            "<p>Evidence: the photos of each case are added as its evidence (copied beside the store) and the "
            "case moves to evidenced (已举证) with the notes as comment — only when the case is still as it was "
            "exported (same version) and waiting for evidence. Rows of cases that moved on, are closed or "
            "unknown, and rows whose photo is missing or refused, are listed as conflicts (table and log) and "
            "nothing is overwritten. Importing the same package again adds nothing.</p>"
            "<p>Field reports (巡田上报): every report — a point or a sketched polygon — becomes a new case waiting "
            "to be issued (待下发): a point is placed on the coded parcel under it or the nearest within 30 m, a "
            "sketch is its own polygon (a self-intersecting one repaired, one without area listed as a conflict) "
            "with the coded parcels it overlaps; its photos (up to three) become the case's evidence in order. "
            "Without reference layers it needs field verification (需外业核实); with the optional reference layers "
            "(advanced parameters: permanent basic farmland, approvals, facility filings, temporary land, "
            "development boundary, as in change detection) it is pre-judged like a change polygon, and stays "
            "one case waiting to be issued and checked in the field. Importing the package again adds "
            "nothing.</p>"
            "<p>Refused photos: symbolic links, hard links, paths leaving the package, empty files and files "
            "that are not JPEG, PNG or PDF by their content. A zipped package (the folder holding one .zip) is "
            "extracted into a temporary folder, removed afterwards; zip members with absolute or “..” paths, "
            "link members, repeated names and oversized members are not extracted, and a zip bomb is refused "
            "whole. Photo times and positions are read with QGIS's EXIF reader (exiv2), the plugin's own reader "
            "standing in for what it cannot read.</p>")

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter()
        self.addParameter(QgsProcessingParameterFile(self.FOLDER, tr("Returned field package folder"),
                                                     behavior=compat.ProcessingFileParameterBehavior.Folder))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Conflicts"),
                                                            compat.ProcessingSourceType.Vector, optional=True,
                                                            createByDefault=False))
        self.add_reference_parameters(advanced=True)  # the reports' pre-judgement, as in change detection
        for key, label in (("TRACKS", tr("Tracks imported")), ("EVIDENCE", tr("Evidence files added")),
                           ("EVENTS", tr("Cases moved to evidenced")), ("CONFLICTS", tr("Conflicts")),
                           ("REPORTS", tr("Field reports read")), ("NEW_CASES", tr("New cases from field reports"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    @staticmethod
    def conflict_fields() -> QgsFields:
        """The conflicts table; ``row`` is the feature id in the package (a field named ``fid`` would
        clash with the GeoPackage's own feature id)."""
        return schema("field_conflicts", [(name, "Int" if name == "row" else "String")
                                          for name in ("layer", "row", "case_id", "conflict", "reason", "detail")])

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):
        chosen = Path(self.parameterAsFile(parameters, self.FOLDER, context) or "")
        with opened_package(chosen, feedback) as (folder, note, zip_refused, origin):
            return self._import(parameters, context, feedback, folder, note, zip_refused, origin)

    def _import(self, parameters, context, feedback, folder: Path, note: str,
                zip_refused: dict[str, str] | None = None, origin: str | None = None) -> dict:
        """Import the package in ``folder``; ``zip_refused`` the photos refused when it was extracted (by
        path relative to the package), ``origin`` what track sources name instead of the temporary folder."""
        if note:
            feedback.pushInfo(note)
        manifest = read_package_manifest(folder)
        if is_enforcement(manifest):
            raise QgsProcessingException(tr("{folder} is an enforcement package (执法整改包): import it with "
                                            "“Import rectification results”.").format(folder=folder))
        gpkg_path = folder / rules.GPKG_NAME
        counts = {"TRACKS": 0, "EVIDENCE": 0, "EVENTS": 0, "CONFLICTS": 0, "REPORTS": 0, "NEW_CASES": 0}
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
            sid = package_store.store_id(store, create=False)
            if sid != manifest["store_id"]:
                raise QgsProcessingException(tr("This package was exported from another tianguan store ({path}); "
                                                "import it into that store.").format(
                    path=manifest.get("store_path") or manifest["store_id"]))
            conflicts = _import_tracks(store, gpkg_path, manifest, origin, counts, feedback)
            submissions, bad = _plan_evidence(store, folder, gpkg_path, manifest, zip_refused, feedback)
            conflicts += bad + _submit_evidence(store, submissions, counts, feedback)
            judge = self._judgement(parameters, context, feedback, store)
            conflicts += _import_reports(store, folder, gpkg_path, manifest, zip_refused, counts, feedback, judge)
        counts["CONFLICTS"] = len(conflicts)
        for c in conflicts:
            feedback.pushWarning(tr("Conflict in {layer} row {fid} (case {case}): {reason}; nothing was "
                                    "written.").format(layer=c.layer, fid=c.fid, case=c.case_id or "—",
                                                       reason=conflict_text(c.code)))
        result = dict(counts)
        if parameters.get(self.OUTPUT) is not None:
            dest = self._write_conflicts(parameters, context, conflicts)
            if dest is not None:
                result[self.OUTPUT] = dest
        feedback.setProgress(100)
        feedback.pushInfo(tr("{tracks} tracks, {evidence} evidence files, {events} cases moved to evidenced, "
                             "{conflicts} conflicts.").format(tracks=counts["TRACKS"], evidence=counts["EVIDENCE"],
                                                              events=counts["EVENTS"],
                                                              conflicts=counts["CONFLICTS"]))
        return result

    def _judgement(self, parameters, context, feedback, store) -> dict | None:
        """The reports' pre-judgement inputs — reference layers in the store's CRS, the day, the layers' names —
        or None when no reference layer was chosen (the reports then need field verification, as before)."""
        if not self.references_given(parameters):
            return None
        return {"refs": self.read_references(parameters, context, feedback, store.srs_id),
                "today": self.reference_today(parameters, context),
                "inputs": {name: str(parameters.get(name) or "") for name in self.REFERENCE_PARAMETERS}}

    def _write_conflicts(self, parameters, context, conflicts: list[rules.Conflict]) -> str | None:
        """The conflicts table (OUTPUT), its aliases kept for when it is loaded; None when no sink was made."""
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, self.conflict_fields(),
                                          Qgis.WkbType.NoGeometry)
        if sink is None:
            return None
        for c in conflicts:
            feature = QgsFeature(self.conflict_fields())
            feature.setAttributes([c.layer, int(c.fid), c.case_id, c.code, conflict_text(c.code), c.detail])
            sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        self.keep_aliases(dest, "field_conflicts")
        return dest


def read_package_manifest(folder: Path) -> dict:
    """The package's manifest; one that cannot be read stops the import before the store is opened."""
    try:
        return rules.read_manifest((folder / rules.MANIFEST_NAME).read_text(encoding="utf-8"))
    except (ValueError, TypeError, OSError) as err:  # FieldPackageError, bad UTF-8, anything odd
        raise QgsProcessingException(tr("The manifest of {folder} cannot be read: {error}").format(
            folder=folder, error=err)) from err


def _import_tracks(store, gpkg_path: Path, manifest: dict, origin: str | None, counts: dict,
                   feedback) -> list[rules.Conflict]:
    """Import every line of the tracks layer as a track file (a line imported before is skipped); a line of
    a village package goes to the group holding most of its fixes. Returns the unreadable lines as conflicts."""
    feedback.setProgressText(tr("Reading the tracks…"))
    try:
        lines, bad = read_track_lines(gpkg_path, feedback.isCanceled)
    except TrackReadError as err:
        raise QgsProcessingException(tr("The track layer of {path} cannot be read: {error}").format(
            path=gpkg_path, error=err)) from err
    for n, line in enumerate(lines):
        if feedback.isCanceled():
            break
        feedback.setProgress(40.0 * n / max(len(lines), 1))
        where = f"{origin}/{rules.GPKG_NAME}" if origin else str(gpkg_path.resolve())
        source = f"{where}|layername={rules.TRACKS}|fid={line['fid']}"
        grid = line["grid"] or manifest["grid"]
        if len(grid) != 14:  # a village package: the group walked in most
            grid = package_store.group_of_fixes(store, line["fixes"].lon, line["fixes"].lat, grid) or grid
        done = package_store.import_fixes(store, line["key"], source, line["fixes"], line["officer"], grid)
        if done is None:
            feedback.pushInfo(tr("Track {fid}: imported before; skipped.").format(fid=line["fid"]))
            continue
        counts["TRACKS"] += len(done["tracks"])
        feedback.pushInfo(tr("Track {fid}: {fixes} fixes, {tracks} tracks.").format(
            fid=line["fid"], fixes=done["fixes"], tracks=len(done["tracks"])))
    return bad


def _plan_evidence(store, folder: Path, gpkg_path: Path, manifest: dict, zip_refused: dict[str, str] | None,
                   feedback) -> tuple[list, list[rules.Conflict]]:
    """The evidence rows checked — photos refused row by row (links, paths leaving the package, empty or
    non-JPEG/PNG/PDF files, zip members refused) — and planned per case against the store: the submissions
    to make, and the conflicts."""
    feedback.setProgressText(tr("Reading the evidence…"))
    rows = read_evidence(gpkg_path)
    # links, paths leaving the package, empty or non-JPEG/PNG/PDF photos are refused row by row
    checked = {r.fid: rules.photo_file(str(folder), r.photo) for r in rows}
    paths = {fid: path for fid, (path, _) in checked.items()}
    refused = {fid: why for fid, (_, why) in checked.items() if why}
    for r in rows:  # a photo whose zip member was refused is refused, not "missing"
        member = rules.zip_member_path(r.photo or "")
        if zip_refused and member in zip_refused and r.fid not in refused:
            refused[r.fid] = zip_refused[member]
            paths[r.fid] = None
    hashes = {fid: (package_store.file_sha256(p) if p else None) for fid, p in paths.items()}
    case_ids = {r.case_id for r in rows if r.case_id}
    submissions, bad, before = rules.plan_evidence(
        rows, manifest, package_store.case_states(store, case_ids), hashes,
        package_store.submitted_hashes(store, case_ids), paths, refused)
    if before:
        feedback.pushInfo(tr("{n} evidence rows were imported before; skipped.").format(n=len(before)))
    return submissions, bad


def _submit_evidence(store, submissions: list, counts: dict, feedback) -> list[rules.Conflict]:
    """Submit each case's evidence (photos copied, one 已举证 event); a case that moved on, takes no evidence
    or whose photo changed since it was checked writes nothing and is returned as conflicts."""
    conflicts: list[rules.Conflict] = []
    for n, sub in enumerate(submissions):
        if feedback.isCanceled():
            break
        feedback.setProgress(40.0 + 60.0 * n / max(len(submissions), 1))
        try:
            done = package_store.submit_evidence(store, sub, reader=exif_reader.qgis_exif_tags)
        except workflow.ConflictError as err:
            conflicts += [rules.Conflict(rules.EVIDENCE, r.fid, sub.case_id, rules.MOVED, str(err)) for r in sub.rows]
            continue
        except workflow.WorkflowError as err:
            conflicts += [rules.Conflict(rules.EVIDENCE, r.fid, sub.case_id, rules.NOT_ACCEPTING, str(err))
                          for r in sub.rows]
            continue
        except EvidenceError as err:  # a photo changed since it was checked: nothing of the case written
            conflicts += [rules.Conflict(rules.EVIDENCE, r.fid, sub.case_id, rules.REFUSED_PHOTO,
                                         evidence_message(err)) for r in sub.rows]
            continue
        counts["EVIDENCE"] += sum(1 for r in done["evidence"] if r["new"])
        counts["EVENTS"] += 1
        feedback.pushInfo(tr("Case {case}: {photos} photos, now {state}.").format(
            case=sub.case_id, photos=len(done["evidence"]),
            state=workflow.STATE_NAMES.get(done["state"], done["state"])))
    return conflicts


def _report_photos(folder: Path, rows: list[rules.ReportRow], zip_refused: dict[str, str] | None
                   ) -> tuple[dict, dict, dict]:
    """(paths, SHA-256, refusal reasons) of the reports' photos by the path the phone wrote, checked as the
    evidence photos are."""
    names = sorted({p for r in rows for p in r.photos})
    checked = {name: rules.photo_file(str(folder), name) for name in names}
    paths = {name: path for name, (path, _) in checked.items()}
    refused = {name: why for name, (_, why) in checked.items() if why}
    for name in names:
        member = rules.zip_member_path(name)
        if zip_refused and member in zip_refused and name not in refused:
            refused[name], paths[name] = zip_refused[member], None
    return paths, {name: (package_store.file_sha256(p) if p else None) for name, p in paths.items()}, refused


def _report_cases(store, plans: list[rules.ReportPlan], manifest: dict, judge: dict | None) -> list[dict]:
    """The case rows of the planned reports: geometry and parcels (a point: the parcel under it; a sketch: itself
    and the parcels it overlaps), 社 cell (from the parcel's code, else the grid cell under the report), officer,
    永农, category, reasons and priority — judged against the reference layers when ``judge`` is given."""
    import numpy as np
    import shapely

    points = [p for p in plans if not p.is_area]
    sketches = [p for p in plans if p.is_area]
    placed = dict(zip((p.case_id for p in points),
                      package_store.place_reports(store, [(p.row.x, p.row.y) for p in points])))
    for p, where in zip(sketches, package_store.sketch_parcels(store, [p.geom for p in sketches])):
        placed[p.case_id] = {"code": where["main"], "codes": where["codes"], "geom": p.geom,
                             "basic_m2": where["basic_m2"]}
    grid = active_cells(store)
    groups = grid["level"] == 5 if len(grid["level"]) else np.zeros(0, dtype=bool)
    geoms = [placed[p.case_id]["geom"] for p in plans]
    cells = (assign_cells(geoms, shapely.to_wkb(grid["geom"][groups]), grid["code"][groups])
             if plans and groups.any() else [""] * len(plans))
    officers = officers_for(store)
    rows = []
    for p, cell in zip(plans, cells):
        where = placed[p.case_id]
        code = where["code"]
        codes = where.get("codes", [code] if code else [])
        group = (str(cell or "") if p.is_area else "") or (code[:14] if code else "") or str(cell or "") or (
            manifest["grid"] if len(manifest["grid"]) == 14 else "")
        officer, phone = officers.get(group, (None, None))
        reasons = [rules.REPORT_REASON] + (["on_basic_farmland"] if where["basic_m2"] > 0 else [])
        rows.append({"case_key": p.case_key, "case_id": p.case_id, "kind": p.kind, "category": rules.REPORT_CATEGORY,
                     "reasons": reasons, "source": rules.REPORT_SOURCE,
                     "external_id": f"{rules.package_identity(manifest)}#{p.row.uid or p.row.fid}",
                     "area_m2": round(float(shapely.area(where["geom"])), 2),
                     "basic_m2": round(float(where["basic_m2"]), 2), "grid_code": group,
                     "officer": officer or p.row.officer, "phone": phone, "parcel_codes": list(codes),
                     "geom": where["geom"]})
    if rows:
        repeats = case_store.repeat_counts(store, [r["case_key"] for r in rows], [r["parcel_codes"] for r in rows])
        if judge is None:
            rank = priority_order([r["basic_m2"] for r in rows], [r["area_m2"] for r in rows], repeats)
            for r, n in zip(rows, rank.tolist()):
                r["priority"] = int(n)
        else:
            _prejudge(rows, repeats, judge)
    return rows


def _prejudge(rows: list[dict], repeats, judge: dict) -> None:
    """Give the report rows the pre-judgement of a change polygon (:func:`..core.cases.leads.judge_leads`): the
    category and reasons (``field_report`` first), the areas over each reference layer, document numbers and
    priority; in place."""
    found = judge_leads([r["geom"] for r in rows], [r["kind"] for r in rows], [r["basic_m2"] for r in rows],
                        judge["refs"], judge["today"], repeats, rules.REPORT_REASON)
    for r, j in zip(rows, found):
        r.update(category=j.category, reasons=j.reasons, basic_m2=j.basic_m2, approved_m2=j.approved_m2,
                 facility_m2=j.facility_m2, temporary_m2=j.temporary_m2, boundary_m2=j.boundary_m2, docs=j.docs,
                 priority=j.priority)


def _import_reports(store, folder: Path, gpkg_path: Path, manifest: dict, zip_refused: dict[str, str] | None,
                    counts: dict, feedback, judge: dict | None = None) -> list[rules.Conflict]:
    """Each 巡田上报 row (point or sketch) as a new case with its photos as evidence, in order (once: keyed by
    package and report). The photos are (re)added while the case is still 待下发, so a case whose photo failed to
    store gets it on the next import, and a photo stored before adds nothing. Returns the rows that made no case,
    as conflicts."""
    feedback.setProgressText(tr("Reading the field reports…"))
    rows = read_reports(gpkg_path)
    counts["REPORTS"] = len(rows)
    if not rows:
        return []
    paths, hashes, refused = _report_photos(folder, rows, zip_refused)
    plans, conflicts = rules.plan_reports(rows, manifest, paths, hashes, refused)
    for p in plans:
        if p.repaired:
            feedback.pushWarning(tr("Field report {fid} ({layer}): the sketched polygon crossed itself; it was "
                                    "repaired into the areas it encloses.").format(fid=p.row.fid, layer=p.row.layer))
    case_rows = _report_cases(store, plans, manifest, judge)
    inputs = {"package": rules.package_identity(manifest), "grid": manifest["grid"]}
    if judge is not None:
        inputs.update(judge["inputs"], TODAY=judge["today"])
    new, _ = package_store.save_report_cases(store, case_rows, [rules.report_comment(p.row, manifest["grid"])
                                                                 for p in plans], inputs)
    counts["NEW_CASES"] += len(new)
    states = package_store.case_states(store, [p.case_id for p in plans])
    for p in plans:
        if not p.photos or states.get(p.case_id, (None, 0))[0] != workflow.PENDING:
            continue
        try:
            added = add_evidence(store, p.case_id, list(p.photos), p.row.officer or "外业巡田包", "photo",
                                 reader=exif_reader.qgis_exif_tags)
        except EvidenceError as err:
            conflicts.append(rules.Conflict(p.row.layer, p.row.fid, p.case_id, rules.REFUSED_PHOTO,
                                            evidence_message(err)))
            continue
        counts["EVIDENCE"] += sum(1 for r in added if r["new"])
    feedback.pushInfo(tr("{reports} field reports: {new} new cases waiting to be issued (待下发).").format(
        reports=len(rows), new=len(new)))
    return conflicts
