"""Excel workbooks and CSV files for people (task lists, the roster, the assessment, the dashboard's tables,
the evidence check), and the atomic file writing every report of the plugin shares.

Written through OGR's XLSX driver — what the Windows QGIS installer ships (openpyxl is not) — one sheet per
table, atomically: into a temporary file beside the target, renamed over it only when complete, so a failed
or cancelled export never leaves half a workbook under the real name. The four exports used to carry a copy
each of this; now they describe their sheets and call :func:`write`.
"""
from __future__ import annotations

import contextlib
import csv
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .i18n import tr

TEXT, INTEGER, REAL = "text", "integer", "real"


class WorkbookError(Exception):
    """The workbook could not be written (the message says why, for the user)."""


class WorkbookCancelledError(WorkbookError):
    """Cancelled while writing: nothing was written."""


@dataclass(frozen=True)
class Sheet:
    """One table: ``types`` maps a header to :data:`TEXT`, :data:`INTEGER` or :data:`REAL` (other columns are
    inferred from their values: all integers, all numbers, else text); ``empty`` is the row written when there
    are no rows (OGR writes the header row only above a first row, and a blank sheet explains nothing)."""

    name: str
    headers: Sequence[str]
    rows: Sequence[Sequence]
    types: Mapping[str, str] | None = None
    empty: str | None = None


def infer(values: Sequence) -> str:
    present = [v for v in values if v not in (None, "")]
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return INTEGER
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return REAL
    return TEXT


def sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    base = re.sub(r"[\[\]:*?/\\]", " ", str(name))[:31].strip() or "Sheet"
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base[:28]}_{n}"
    used.add(candidate)
    return candidate


def follow_umask(path) -> None:
    """Give a file made by ``tempfile.mkstemp`` (mode 0600) the mode any other file of the user gets (0666 less the
    umask): colleagues on a shared folder could not open a report private to its writer."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


@contextlib.contextmanager
def atomic_file(path, suffix: str) -> Iterator[Path]:
    """An empty temporary file beside ``path`` (same folder, so the rename is atomic) with the umask's mode, moved
    into place when the block ends, removed if anything fails: a failed export never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.stem + "-", suffix=suffix, dir=path.parent)
    os.close(fd)
    follow_umask(tmp)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_csv(path, headers: Sequence[str], rows: Sequence[Sequence]) -> Path:
    """A CSV file for Excel: UTF-8 with BOM (a Chinese Windows Excel opens it without mojibake), written
    atomically (:func:`atomic_file`)."""
    with atomic_file(path, ".csv") as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return Path(path)


#: free bytes below which a workbook GDAL failed to save is taken for a full disk
NO_ROOM_BYTES = 1 << 20


def _close(ds, target: Path) -> None:
    """Close (save) a GDAL dataset, raising what went wrong. Dropping the last reference saves too, but GDAL's
    failure there ("Failure when saving", a full disk) is only printed — the half-written workbook would then be
    moved into place as the output. A full disk is an :class:`OSError` (ENOSPC) naming ``target``, which the
    algorithms word for the user; anything else a :class:`WorkbookError`."""
    import errno
    import shutil

    from osgeo import gdal

    gdal.ErrorReset()
    error = None
    try:
        if hasattr(ds, "Close"):  # GDAL ≥ 3.8
            ds.Close()
        else:
            ds.FlushCache()
    except RuntimeError as err:
        error = str(err)
    if error is None and gdal.GetLastErrorType() >= gdal.CE_Failure:
        error = gdal.GetLastErrorMsg()
    if error is None:
        return
    try:
        full = shutil.disk_usage(target.parent).free < NO_ROOM_BYTES
    except OSError:
        full = False
    if full:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
    raise WorkbookError(tr("Cannot write {path}: {error}").format(path=target, error=error))


def write(path, sheets: Sequence[Sheet], cancelled: Callable[[], bool] | None = None) -> Path:
    """Write ``sheets`` to the workbook ``path`` (atomically); :class:`WorkbookError` if it cannot be written,
    :class:`WorkbookCancelledError` when ``cancelled()`` turns true meanwhile."""
    from osgeo import gdal, ogr

    target = Path(path)
    driver = ogr.GetDriverByName("XLSX")
    if driver is None:
        raise WorkbookError(tr("This GDAL has no XLSX driver: cannot write {path}; export to .csv instead.").format(
            path=target))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".xlsx", dir=target.parent)
    os.close(fd)
    os.unlink(tmp)  # the driver creates the file itself
    kinds = {TEXT: ogr.OFTString, INTEGER: ogr.OFTInteger64, REAL: ogr.OFTReal}
    ds = None
    try:
        ds = driver.CreateDataSource(tmp)
        if ds is None:
            raise WorkbookError(tr("Cannot write {path}: {error}").format(path=target, error=gdal.GetLastErrorMsg()))
        used: set[str] = set()
        for sheet in sheets:
            rows = [list(r) for r in sheet.rows]
            if not rows and sheet.empty is not None:
                rows = [[sheet.empty] + [None] * (len(sheet.headers) - 1)]
            layer = ds.CreateLayer(sheet_name(sheet.name, used), geom_type=ogr.wkbNone)
            names: list[str] = []
            types: list[str] = []
            for j, header in enumerate(sheet.headers):
                name = str(header) or f"c{j + 1}"
                while name in names:
                    name += " "
                names.append(name)
                types.append((sheet.types or {}).get(str(header)) or infer([r[j] if j < len(r) else None
                                                                             for r in rows]))
                layer.CreateField(ogr.FieldDefn(name, kinds[types[-1]]))
            definition = layer.GetLayerDefn()
            for row in rows:
                if cancelled is not None and cancelled():
                    raise WorkbookCancelledError(tr("Cancelled; no file was written."))
                feature = ogr.Feature(definition)
                for j, value in enumerate(row[:len(types)]):
                    if value in (None, ""):
                        continue
                    feature.SetField(j, int(value) if types[j] == INTEGER else float(value) if types[j] == REAL
                                     else str(value))
                if layer.CreateFeature(feature) != 0:
                    raise WorkbookError(tr("Cannot write {path}: {error}").format(
                        path=target, error=gdal.GetLastErrorMsg()))
            layer = None
        closing, ds = ds, None
        _close(closing, target)  # closing writes the workbook: its failure must not pass unseen
        if not Path(tmp).exists():
            raise WorkbookError(tr("Cannot write {path}: {error}").format(path=target, error=gdal.GetLastErrorMsg()))
        follow_umask(tmp)
        os.replace(tmp, target)
    except BaseException:
        ds = None  # closed first: Windows cannot remove an open file
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
