"""The user's words about the 田管库 — a fault of its file (:class:`.storage.faults.StoreFaultError`), a store that
cannot be opened as asked: what happened, to which file, and what to do. One place in the common layer, so that every
algorithm and dock says it the same way."""
from __future__ import annotations

from .i18n import tr
from .storage.faults import StoreFaultError


def fault_message(fault: StoreFaultError) -> str:
    """One sentence naming the store and the fault, and what the user can do about it."""
    path = fault.path
    if fault.kind == "locked":
        return tr("The tianguan store {path} is locked by another program that is writing to it (waited and "
                  "tried again): close the other QGIS window or run that uses it, then run again").format(path=path)
    if fault.kind == "full":
        return tr("The disk of the tianguan store {path} is full: free some space (or move the store to a disk "
                  "with space) and run again; nothing of the interrupted step was written").format(path=path)
    if fault.kind == "io":
        return tr("The disk of the tianguan store {path} reported an I/O error: check the disk or network drive, "
                  "copy the store to a local disk and run again; nothing of the interrupted step was "
                  "written").format(path=path)
    if fault.kind == "readonly":
        return tr("The tianguan store {path} cannot be written (read-only file or folder): check its permissions "
                  "or copy it to a folder you can write to").format(path=path)
    if fault.kind == "corrupt":
        return tr("The tianguan store {path} is damaged ({detail}): restore it from a backup").format(
            path=path, detail=fault.detail)
    if fault.kind == "cantopen":
        return tr("The tianguan store {path} cannot be opened: check that the folder exists and that you may "
                  "write to it").format(path=path)
    if fault.kind == "conflict":
        return tr("Another run wrote the same record to the tianguan store {path} at the same time ({detail}): "
                  "the other run's record is kept; run again to see what is left").format(
            path=path, detail=fault.detail)
    return tr("The tianguan store {path} failed: {detail}").format(path=path, detail=fault.detail)


def lock_wait_message(fault: StoreFaultError, attempt: int, delay: float) -> str:
    """What a run or the case dock says while a locked write waits to be tried again (it looks hung otherwise:
    each try itself waits up to the busy timeout)."""
    return tr("The tianguan store {path} is locked by another program that is writing to it: trying again in "
              "{delay:g} s (attempt {attempt} failed)").format(path=fault.path, delay=delay, attempt=attempt)


def os_error_message(err: OSError) -> str | None:
    """The user's sentence for a fault of the disk while the plugin writes a file of its own (an output, a copy of
    evidence, a temporary file) — a full disk, an I/O error, no permission — or None for any other OSError. The
    file is written atomically (``workbook.atomic_file``): nothing half-written is left under its name."""
    import errno

    name = err.filename or ""
    if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return tr("The disk is full (or the file too large for it) while writing {file}: free some space or choose "
                  "another folder, then run again; the file was not written").format(file=name)
    if err.errno == errno.EIO:
        return tr("The disk reported an I/O error while writing {file}: check the disk or network drive and run "
                  "again; the file was not written").format(file=name)
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return tr("{file} cannot be written (no permission, or a read-only disk): choose a folder you may write to")\
            .format(file=name)
    return None


def new_store_option() -> str:
    return tr("Create a new tianguan store at this path (when there is none)")


def store_error_message(err: BaseException, path: str) -> str:
    """The user's sentence for a store that cannot be opened as asked (storage's typed errors)."""
    from .storage import NotAStoreError, StoreMissingError
    from .storage.faults import StoreFaultError, classify

    if isinstance(err, StoreMissingError):
        return tr("There is no tianguan store at {path}: check the path (a typo?), or tick '{option}' to "
                  "create a new one").format(path=path, option=new_store_option())
    if isinstance(err, NotAStoreError):
        if err.reason == "other_tables":
            return tr("{path} is not a tianguan store: it holds other data ({tables}); the plugin never writes "
                      "its tables into a data GeoPackage: choose another file name for the store").format(
                path=path, tables=", ".join(err.tables[:5]) + (" …" if len(err.tables) > 5 else ""))
        if err.reason == "folder":
            return tr("{path} is a folder, not a tianguan store: choose a .gpkg file").format(path=path)
        return tr("{path} is not a tianguan store (not a GeoPackage): choose a .gpkg file made by this "
                  "plugin, or a new file name").format(path=path)
    fault = err if isinstance(err, StoreFaultError) else classify(err, path)
    if fault is not None:
        return fault_message(fault)
    return tr("Cannot open the tianguan store {path}: {error}").format(path=path, error=err)


def evidence_message(err: BaseException) -> str:
    """The user's sentence for evidence that could not be stored (:class:`.storage.evidence.EvidenceError`, by its
    ``kind``): which files, why, and what to do; nothing of the case was written."""
    kind = getattr(err, "kind", None)
    files = "、".join(getattr(err, "files", ()) or ())
    if kind == "missing":
        return tr("The evidence file(s) {files} do not exist or are not files: check the path (moved or renamed "
                  "since?) and try again").format(files=files)
    if kind == "refused":
        reasons = "；".join(f"{name}：{why}" for name, why in getattr(err, "reasons", ()))
        return tr("The evidence file(s) were refused ({reasons}): attach the original photos or documents").format(
            reasons=reasons)
    if kind == "outside":
        return tr("The evidence path {files} leaves the store's evidence folder: it is not read").format(files=files)
    if kind == "unknown_case":
        return tr("Case {files} is not in the tianguan store: refresh the case list (another desk may have "
                  "replaced the store)").format(files=files)
    if kind == "store_failed":
        return tr("The evidence file {files} could not be copied into the store's evidence folder: check the disk "
                  "and the folder's permissions, then try again").format(files=files)
    return tr("The evidence cannot be stored: {error}").format(error=err)
