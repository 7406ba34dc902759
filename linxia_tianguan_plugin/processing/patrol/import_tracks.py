"""导入巡田轨迹 — import patrol tracks into the 田管库 (``linxia_tianguan:import_tracks``).

Officers' phones upload GPX files named ``{社 code}_{YYYYMMDD}.gpx``; other apps export GeoJSON,
CSV or a QField/Mergin tracking layer in a GeoPackage. Each file is read into raw fixes (lon/lat,
UTC time, accuracy: ``track_files``), cleaned and split into sessions (``core.patrol.tracks``), and stored in one
transaction per file (``storage.tracks``). A folder is imported file by file: a broken file is
reported by name and skipped, the others are imported; a file already imported (same content) adds
nothing.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ... import compat
from ...core import clock
from ...core.patrol.tracks import (
    SHANGHAI,
    CleaningOptions,
    clean,
    content_hash,
    parse_track_name,
    reason_counts,
    sessions,
)
from ...i18n import tr
from ...storage import faults
from ...storage import tracks as track_store
from ...storage.faults import StoreFaultError
from ...storage.roster import active_officers
from ...store_messages import fault_message
from ..base import AlgorithmBase
from .track_files import SUFFIXES, ReadCancelledError, TrackFile, TrackReadError, read_track

#: a fix may be this much later than the import (s): phones' clocks drift a few minutes
CLOCK_TOLERANCE_S = 600.0


def time_problem(name: str, track: TrackFile, reasons) -> str | None:
    """Why a file must not be recorded when most of its fixes have no usable time, else None.

    A file recorded as imported can never be imported again (its content is known), so a file whose
    times were not understood — or come from a phone whose clock was wrong — is refused with the column,
    the row and the form expected, to be corrected and imported again."""
    n = len(reasons)
    no_time = [i for i, r in enumerate(reasons) if r == "no_time"]
    bad_clock = [i for i, r in enumerate(reasons) if r == "bad_clock"]
    if n == 0 or (len(no_time) + len(bad_clock)) * 2 <= n:
        return None
    first = no_time[0] if len(no_time) >= len(bad_clock) else bad_clock[0]
    row = track.rows[first] if track.rows and first < len(track.rows) else first + 1
    column = track.time_column or "time"
    if len(no_time) >= len(bad_clock):
        text = track.raw_times[first] if track.raw_times and first < len(track.raw_times) else None
        return tr("{file}: not imported: {bad} of {n} fixes have no readable time (column “{column}”, first at "
                  "row {row}: “{text}”). Expected a date and time such as 2025-06-20 09:00:05, 2025/6/20 9:00:05, "
                  "2025年6月20日 9时0分5秒, 20250620090005 or an Excel date number (45828.375); times without a "
                  "zone are Beijing time. The file is not marked as imported: correct it and import it "
                  "again.").format(file=name, bad=len(no_time), n=n, column=column, row=row,
                                   text="" if text is None else str(text).strip())
    when = dt.datetime.fromtimestamp(float(track.fixes.time[first]), dt.timezone.utc).astimezone(SHANGHAI)
    return tr("{file}: not imported: {bad} of {n} fixes have times in the future or before 2000 (column "
              "“{column}”, first at row {row}: {time} Beijing time); the phone's clock was wrong. The file is not "
              "marked as imported: correct the times and import it again.").format(
        file=name, bad=len(bad_clock), n=n, column=column, row=row, time=when.strftime("%Y-%m-%d %H:%M:%S"))


def reason_labels() -> dict[str, str]:
    """Why cleaning dropped a fix, in the words of the import's messages (by ``core.patrol.tracks`` reason code)."""
    return {
        "bad_position": tr("no valid position"),
        "no_time": tr("no time"),
        "bad_clock": tr("time in the future or before 2000 (phone clock wrong)"),
        "accuracy": tr("poor accuracy"),
        "repeat": tr("already imported from an earlier file"),
        "duplicate_time": tr("same time as the previous fix"),
        "backwards_time": tr("time goes backwards"),
        "speed_jump": tr("impossible speed jump"),
    }


# ---------------------------------------------------------------------------------------------- algorithm
class ImportTracksAlgorithm(AlgorithmBase):
    INPUT, FOLDER, RECURSIVE, STORE = "INPUT", "FOLDER", "RECURSIVE", "STORE"
    OFFICER_FIELD, GRID_FIELD, LAYER = "OFFICER_FIELD", "GRID_FIELD", "LAYER"

    def name(self) -> str:
        return "import_tracks"

    def displayName(self) -> str:
        return tr("Import patrol tracks")

    def shortHelpString(self) -> str:
        return tr(
            "<p>Imports the patrol tracks that officers record with their phones into the tianguan store: a "
            "file, or every GPX, GeoJSON, CSV and GeoPackage file of a folder (optionally with its "
            "subfolders). The patrol app names GPX files by group code and date (62292110000101_20250613.gpx); "
            "the officer is read from the GPX author, a chosen field or the current roster, the group from the "
            "file name, the GPX description or a chosen field.</p>"
            "<p>CSV files (UTF-8 or GBK) have the columns lon, lat, time (and officer, accuracy); GeoJSON and "
            "GeoPackage layers have points with a time field or lines with times as M values. Times without a "
            "time zone are Beijing time; GPX times are UTC. Coordinates are lon/lat (WGS 84 or CGCS2000).</p>"
            "<p>Every raw fix is kept. Cleaning drops, without changing them, fixes with an accuracy worse than "
            "50 m, repeated or backward times and jumps faster than 40 m/s (a phone's wrong first positions "
            "included); the rest is split into patrols at gaps longer than 20 minutes and projected to the "
            "store's coordinate system. Importing the same file again adds nothing; fixes already imported from "
            "another file (a tracking layer exported again after it grew) are kept but make no second track. "
            "A damaged or empty file is reported by name and the other files are still imported.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, tr("Track file"), optional=True,
            fileFilter=tr("Tracks (*.gpx *.geojson *.json *.csv *.gpkg *.GPX *.CSV)")))
        self.addParameter(QgsProcessingParameterFile(
            self.FOLDER, tr("Folder of track files"), behavior=compat.ProcessingFileParameterBehavior.Folder,
            optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.RECURSIVE, tr("Include subfolders"), False))
        self.add_store_parameter(creatable=True)
        for key, label in ((self.OFFICER_FIELD, tr("Officer field (CSV, GeoJSON, GeoPackage)")),
                           (self.GRID_FIELD, tr("Group code field (CSV, GeoJSON, GeoPackage)")),
                           (self.LAYER, tr("Layer of the GeoPackage (empty: the first point or line layer)"))):
            param = QgsProcessingParameterString(key, label, optional=True)
            param.setFlags(param.flags() | compat.ProcessingParameterFlag.Advanced)
            self.addParameter(param)
        for key, label in (("FILES", tr("Files imported")), ("SKIPPED", tr("Files already imported")),
                           ("FAILED", tr("Files that could not be read")), ("TRACKS", tr("Tracks")),
                           ("FIXES", tr("Fixes")), ("DROPPED", tr("Fixes dropped by cleaning"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    # ------------------------------------------------------------------ helpers
    def _files(self, parameters, context, store_path: str) -> list[Path]:
        single = self.parameterAsFile(parameters, self.INPUT, context)
        folder = self.parameterAsFile(parameters, self.FOLDER, context)
        if not single and not folder:
            raise QgsProcessingException(tr("Choose a track file or a folder of track files."))
        files: list[Path] = []
        if single:
            if not Path(single).is_file():
                raise QgsProcessingException(tr("Track file {file} does not exist.").format(file=single))
            files.append(Path(single))
        if folder:
            if not Path(folder).is_dir():
                raise QgsProcessingException(tr("Folder {folder} does not exist.").format(folder=folder))
            pattern = "**/*" if self.parameterAsBoolean(parameters, self.RECURSIVE, context) else "*"
            files += sorted(p for p in Path(folder).glob(pattern) if p.is_file() and p.suffix.lower() in SUFFIXES)
        store = Path(store_path).resolve()
        seen, out = set(), []
        for p in files:
            r = p.resolve()
            if r != store and r not in seen:
                seen.add(r)
                out.append(p)
        return out

    @staticmethod
    def _roster_officer(store, grid: str | None, cache: dict) -> str | None:
        """The current roster's 田管员 of a grid (not vacant), when the file does not name one."""
        if not grid:
            return None
        if grid not in cache:
            names = [o.name for o in active_officers(store, grid)
                     if o.grid_code == grid and o.role == "officer" and not o.vacant and o.name]
            cache[grid] = names[0] if names else None
        return cache[grid]

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):
        store_path = self.parameterAsFile(parameters, self.STORE, context)
        if not store_path:
            raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
        files = self._files(parameters, context, store_path)
        counts = dict(FILES=0, SKIPPED=0, FAILED=0, TRACKS=0, FIXES=0, DROPPED=0)
        if not files:
            feedback.pushWarning(tr("No GPX, GeoJSON, CSV or GeoPackage file was found."))
            return counts
        with self.opened_store(parameters, self.STORE, context) as store:
            stopped = self._import_files(parameters, context, feedback, store, files, counts)
        feedback.setProgress(100)
        feedback.pushInfo(tr("{files} files imported ({tracks} tracks, {fixes} fixes, {dropped} dropped), {skipped} "
                             "already imported, {failed} could not be read.").format(
            files=counts["FILES"], tracks=counts["TRACKS"], fixes=counts["FIXES"], dropped=counts["DROPPED"],
            skipped=counts["SKIPPED"], failed=counts["FAILED"]))
        if stopped is not None:
            fault, name, done, left = stopped
            raise QgsProcessingException(tr(
                "The import stopped at {file}: {fault}. Imported ({n_done}): {done}. Not imported ({n_left}): "
                "{left}. The files imported are kept; import the folder again once the store is fixed (files "
                "already imported are skipped).").format(
                file=name, fault=fault_message(fault), n_done=len(done), done=_names(done), n_left=len(left),
                left=_names(left)))
        return counts

    def _stored(self, work: Callable, store, name: str, feedback):
        """``work()`` (one transaction, or a read) on the store; a write waiting for another program's lock is
        tried again by the store (:func:`..storage.faults.begin_immediate`), saying so for this file; a fault of
        the store file is raised as a :class:`StoreFaultError`."""
        def retry(fault, attempt, delay):
            feedback.pushInfo(tr("{file}: the tianguan store is locked by another program writing to it; waiting "
                                 "{seconds} s before trying again ({attempt} of {attempts})…").format(
                file=name, seconds=round(delay, 2), attempt=attempt + 1, attempts=faults.LOCK_ATTEMPTS))

        with faults.lock_waits_reported_to(retry):
            try:
                return work()
            except sqlite3.Error as err:
                fault = faults.classify(err, store.path)
                if fault is None:
                    raise
                raise fault from err

    def _import_files(self, parameters, context, feedback, store, files: list[Path], counts: dict):
        """Import ``files`` one by one into ``store`` (counts updated); returns None, or (fault, file, names
        imported, names not imported) when a fault of the store stopped the import."""
        run = _Run(
            layer_name=self.parameterAsString(parameters, self.LAYER, context).strip(),
            officer_field=self.parameterAsString(parameters, self.OFFICER_FIELD, context).strip(),
            grid_field=self.parameterAsString(parameters, self.GRID_FIELD, context).strip(),
            # fixes later than now (plus a tolerance) or before 2000 are a wrong phone clock: ``bad_clock``
            options=replace(CleaningOptions(), latest_time=clock.now_utc().timestamp() + CLOCK_TOLERANCE_S),
            labels=reason_labels(), counts=counts)
        done: list[str] = []
        for n, path in enumerate(files):
            if feedback.isCanceled():
                _report_cancelled(feedback, n, len(files))
                break
            feedback.setProgress(100.0 * n / len(files))
            feedback.setProgressText(tr("Reading {file} ({n}/{total})…").format(
                file=path.name, n=n + 1, total=len(files)))
            data = _file_bytes(path, counts, feedback)
            if data is None:
                continue
            try:
                outcome = self._import_one(store, path, data, run, feedback)
            except ReadCancelledError:
                outcome = "cancelled"
            except StoreFaultError as fault:
                if fault.kind != "conflict":
                    return _stopped(feedback, fault, path, done, files[n:])
                # a second import of the same folder at the same time wrote this file first: it is there once
                counts["SKIPPED"] += 1
                feedback.pushInfo(tr("{file}: already imported by another run at the same time; "
                                     "skipped.").format(file=path.name))
                continue
            if outcome == "cancelled":
                _report_cancelled(feedback, n, len(files))
                break
            if outcome == "imported":
                done.append(path.name)
        return None

    def _import_one(self, store, path: Path, data: bytes, run: _Run, feedback) -> str:
        """Read, clean and store one file; returns imported, skipped, failed or cancelled. Faults of the store
        are raised (:class:`StoreFaultError`); the file's write is one transaction, tried again on a lock."""
        try:
            track, file_hash = self._unknown_track(store, path, data, run, feedback)
        except TrackReadError as err:
            run.counts["FAILED"] += 1
            feedback.reportError(tr("{file}: cannot be imported: {problem}.").format(file=path.name, problem=err))
            return "failed"
        if track is None:
            return "skipped"
        fixes = track.fixes
        if len(fixes) == 0:
            run.counts["FAILED"] += 1
            feedback.reportError(tr("{file}: cannot be imported: it has no track points.").format(file=path.name))
            return "failed"
        named = parse_track_name(path.name)
        grid = track.grid or (named[0] if named else None)
        officer = track.officer or self._stored(lambda: self._roster_officer(store, grid, run.roster_cache), store,
                                                path.name, feedback)
        # fixes already stored from another file (a growing tracking layer exported again)
        repeated = self._stored(lambda: track_store.stored_fixes(store, fixes), store, path.name, feedback)
        reasons = clean(fixes, run.options, known=repeated)
        problem = time_problem(path.name, track, reasons)
        if problem is not None:
            # not recorded: once the times are corrected the same file can be imported
            run.counts["FAILED"] += 1
            feedback.reportError(problem)
            return "failed"
        if track.format == "GPX":
            for note in track.notes:
                feedback.pushInfo(tr("{file}: {note}.").format(file=path.name, note=note))
        found = sessions(fixes, reasons, store.srs_id, run.options)
        message = _no_track_message(found, repeated, reasons, run.labels)
        if feedback.isCanceled():
            return "cancelled"
        source = str(path.resolve()) + (f"|layername={track.layer}" if track.format == "GPKG" else "")
        raw = track.raw_times if track.raw_times is not None and len(track.raw_times) == len(fixes) else None
        self._stored(lambda: track_store.save_file(store, file_hash, source, track.format, fixes, found, officer,
                                                   grid, store.srs_id, dropped=reasons, message=message,
                                                   raw_times=raw), store, path.name, feedback)
        _report_imported(feedback, path.name, track, found, reasons, (grid, officer), message, run)
        return "imported"

    def _unknown_track(self, store, path: Path, data: bytes, run: _Run, feedback) -> tuple[TrackFile | None, str]:
        """The file's track and content hash, or (None, hash) when a file of the same content was imported
        before (said, and counted as skipped). A GeoPackage is read first: its identity is its bytes and the
        layer read. Raises TrackReadError for a file that cannot be read."""
        track = None
        if SUFFIXES.get(path.suffix.lower()) == "GPKG":
            # a GeoPackage holds several layers: its identity is its bytes and the layer read
            track = read_track(str(path), data, run.layer_name, run.officer_field, run.grid_field,
                               feedback.isCanceled)
            file_hash = content_hash(data + b"\0layer=" + str(track.layer).encode("utf-8"))
        else:
            file_hash = content_hash(data)
        known = self._stored(lambda: track_store.known_file(store, file_hash), store, path.name, feedback)
        if known is not None:
            run.counts["SKIPPED"] += 1
            feedback.pushInfo(tr("{file}: already imported on {date} (as {path}); skipped.").format(
                file=path.name, date=known["imported_at"], path=Path(known["path"]).name))
            return None, file_hash
        if track is None:
            track = read_track(str(path), data, run.layer_name, run.officer_field, run.grid_field,
                               feedback.isCanceled)
        return track, file_hash


@dataclass
class _Run:
    """What every file of one import shares: the layer and fields chosen, the cleaning options, the reason
    labels, the roster's officers looked up so far, and the counts of the run."""
    layer_name: str
    officer_field: str
    grid_field: str
    options: CleaningOptions
    labels: dict[str, str]
    counts: dict
    roster_cache: dict = field(default_factory=dict)


def _report_cancelled(feedback, done: int, total: int) -> None:
    """A cancelled import keeps the files imported before the cancel: say how far it got."""
    feedback.reportError(tr("Import cancelled after {done} of {total} files; the files imported "
                            "so far are kept.").format(done=done, total=total))


def _file_bytes(path: Path, counts: dict, feedback) -> bytes | None:
    """The file's content, or None (reported, counted as failed) when it cannot be read or is empty — an
    upload cut short leaves an empty file the officer must send again."""
    try:
        data = path.read_bytes()
    except OSError as err:
        counts["FAILED"] += 1
        feedback.reportError(tr("{file}: cannot be read ({error}).").format(file=path.name, error=err))
        return None
    if not data.strip():
        counts["FAILED"] += 1
        feedback.reportError(tr("{file}: the file is empty ({size} bytes); ask the officer to upload "
                                "it again.").format(file=path.name, size=len(data)))
        return None
    return data


def _stopped(feedback, fault: StoreFaultError, path: Path, done: list[str], left_paths: list[Path]) -> tuple:
    """A full or failing disk, a lock that outlasted every try …: writing on would fail again, or worse; say
    which files were imported and which not, and return (fault, file, imported, not imported)."""
    feedback.reportError(tr("{file}: not imported: {fault}.").format(file=path.name, fault=fault_message(fault)))
    left = [p.name for p in left_paths]
    feedback.reportError(tr("Import stopped. Imported ({n_done}): {done}. Not imported ({n_left}): "
                            "{left}.").format(n_done=len(done), done=_names(done), n_left=len(left),
                                              left=_names(left)))
    return fault, path.name, done, left


def _no_track_message(found: list, repeated, reasons, labels: dict[str, str]) -> str | None:
    """Why a file made no track (stored with the file), or None when it made some."""
    if found:
        return None
    if repeated.any() and all(r in ("repeat", None) for r in reasons):
        return tr("its {n} fixes were all imported before from an earlier export; no new "
                  "track").format(n=int(repeated.sum()))
    message = tr("only {n} usable fixes: no track").format(n=int(sum(r is None for r in reasons)))
    why = "; ".join(f"{labels.get(k, k)} {v}" for k, v in reason_counts(reasons).items())
    return message + (f" ({why})" if why else "")


def _report_imported(feedback, name: str, track: TrackFile, found: list, reasons, who: tuple, message: str | None,
                     run: _Run) -> None:
    """Count an imported file and say what it gave: its fixes, drops and tracks, or why it made no track, and
    a warning when no group code ties it to a patrol task."""
    grid, officer = who
    fixes, dropped = track.fixes, reason_counts(reasons)
    run.counts["FILES"] += 1
    run.counts["TRACKS"] += len(found)
    run.counts["FIXES"] += len(fixes)
    run.counts["DROPPED"] += sum(dropped.values())
    why = "; ".join(f"{run.labels.get(k, k)} {v}" for k, v in dropped.items())
    if found:
        feedback.pushInfo(tr("{file}: {fixes} fixes, {dropped} dropped{why}, {tracks} tracks; grid "
                             "{grid}, officer {officer}.").format(
            file=name, fixes=len(fixes), dropped=sum(dropped.values()),
            why=f" ({why})" if why else "", tracks=len(found), grid=grid or "—",
            officer=officer or "—"))
    else:
        feedback.pushWarning(tr("{file}: imported, but {message} (a track needs at least two fixes "
                                "close in time).").format(file=name, message=message))
    if not grid:
        feedback.pushWarning(tr("{file}: no group code in the file or its name; the track cannot be "
                                "matched to a patrol task.").format(file=name))



def _names(names: list[str], most: int = 20) -> str:
    """File names for a message: the first ``most``, then how many more."""
    if not names:
        return "—"
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else shown + " " + tr("… and {n} more").format(n=len(names) - most)
