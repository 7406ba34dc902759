"""Common base of the plugin's Processing algorithms: names, groups, icon and bilingual help, and the one place
where a fault of the 田管库 (locked, full disk, I/O error) becomes the user's sentence instead of a traceback."""
from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator

from qgis.core import (
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
)
from qgis.PyQt.QtGui import QIcon

from ..i18n import tr
from ..resources import icon_path


def group_name(group_id: str) -> str:
    # the literal strings are repeated so that the translation extractor sees them
    return {
        "coding": tr("Space coding"),
        "grid": tr("Patrol grid"),
        "patrol": tr("Officers and patrol tasks"),
        "changes": tr("Change analysis and cases"),
        "maps": tr("Maps and reports"),
    }[group_id]


#: the boolean parameter that lets a run create a 田管库 where there is none (never implicit: a typo in STORE
#: must not send an import into a new, empty store)
NEW_STORE = "NEW_STORE"


def new_store_option() -> str:
    return tr("Create a new tianguan store at this path (when there is none)")


def store_error_message(err: BaseException, path: str) -> str:
    """The user's sentence for a store that cannot be opened as asked (storage's typed errors)."""
    from ..storage import NotAStoreError, StoreMissingError
    from ..storage.faults import StoreFaultError, classify
    from .store_faults import fault_message

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


def open_store(path: str, create: bool = False, epsg: int | None = None, read_only: bool = False):
    """The 田管库 at ``path``; ``create``: a new one may be made (the user chose so) with ``epsg``. Any
    failure is a :class:`QgsProcessingException` in the user's words."""
    import sqlite3

    from ..storage import GpkgStore, StoreError

    try:
        return GpkgStore(path, epsg=epsg, create=create, read_only=read_only)
    except (StoreError, OSError, sqlite3.Error) as err:
        raise QgsProcessingException(store_error_message(err, path)) from err


def _store_parameter_path(algorithm: QgsProcessingAlgorithm, parameters, context) -> str:
    """The run's 田管库 (its STORE parameter), "" when it has none or it cannot be read."""
    if algorithm.parameterDefinition("STORE") is None:
        return ""
    try:
        return algorithm.parameterAsFile(parameters, "STORE", context) or ""
    except Exception:  # naming the store must never hide the fault being reported
        return ""


def store_faults_as_messages(process: Callable) -> Callable:
    """``processAlgorithm`` whose store faults (:func:`..storage.faults.classify`: locked, full, I/O error,
    read-only, damaged …, raised as sqlite3 errors or :class:`StoreFaultError` anywhere inside) leave as
    ``QgsProcessingException(fault_message(fault))`` — the Chinese sentence, no traceback — and whose locked
    writes say in the log that they wait to be tried again. Anything else (a QgsProcessingException, a cancel,
    a bug) passes unchanged. Every write of the store is one transaction, so a fault leaves the interrupted
    step unwritten, as the messages say."""
    if getattr(process, "_store_faults_wrapped", False):
        return process

    @functools.wraps(process)
    def processAlgorithm(self, parameters, context, feedback):  # the name of the QGIS virtual
        from ..storage.faults import StoreFaultError, classify, lock_waits_reported_to
        from .store_faults import fault_message, lock_wait_message, os_error_message

        path = _store_parameter_path(self, parameters, context)

        def waiting(fault: StoreFaultError, attempt: int, delay: float) -> None:
            if feedback is not None:
                feedback.pushWarning(lock_wait_message(fault, attempt, delay))

        try:
            with lock_waits_reported_to(waiting):
                return process(self, parameters, context, feedback)
        except (sqlite3.Error, StoreFaultError) as err:
            fault = classify(err, getattr(err, "path", "") or path)
            if fault is None:
                raise
            raise QgsProcessingException(fault_message(fault)) from err
        except OSError as err:  # a disk fault writing an output file, not the store
            message = os_error_message(err)
            if message is None:
                raise
            raise QgsProcessingException(message) from err

    processAlgorithm._store_faults_wrapped = True
    return processAlgorithm


class AlgorithmBase(QgsProcessingAlgorithm):
    """Thin algorithms: read sources, call ``core``, write sinks, report progress.

    Every subclass's ``processAlgorithm`` is wrapped by :func:`store_faults_as_messages` when the class is made
    (``__init_subclass__``): QGIS calls the Python method through SIP's virtual lookup, which finds the wrapper
    as the class attribute, so no algorithm needs its own try/except for a locked or full store."""

    group_id = "coding"
    icon_name = "linxia_tianguan.svg"

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("processAlgorithm")
        if own is not None:
            cls.processAlgorithm = store_faults_as_messages(own)

    def createInstance(self):
        return type(self)()

    def group(self) -> str:
        return group_name(self.group_id)

    def groupId(self) -> str:
        return self.group_id

    def add_new_store_parameter(self) -> None:
        """The explicit choice to create the 田管库 (for the algorithms that may start one)."""
        self.addParameter(QgsProcessingParameterBoolean(NEW_STORE, new_store_option(), defaultValue=False))

    def may_create_store(self, parameters, context) -> bool:
        """Whether the user chose to create a store where there is none (the NEW_STORE parameter)."""
        if self.parameterDefinition(NEW_STORE) is None:
            return False
        return self.parameterAsBoolean(parameters, NEW_STORE, context)

    @contextlib.contextmanager
    def opened_store(self, parameters, name: str, context, create: bool = True,
                     epsg: int | None = None) -> Iterator:
        """The 田管库 of file parameter ``name`` (None when not given), closed afterwards. ``create``: the
        algorithm may start a store — only where the user ticked NEW_STORE; a new one takes ``epsg``."""
        path = self.parameterAsFile(parameters, name, context)
        store = None
        if path:
            store = open_store(path, create=create and self.may_create_store(parameters, context), epsg=epsg)
        try:
            yield store
        finally:
            if store is not None:
                store.close()

    def parameterAsSink(self, parameters, name, context, fields, *args, **kwargs):
        """The output's sink; a temporary (memory) output gets its fields without aliases.

        QGIS (3.40) warns twice per field that carries an alias when it makes a scratch layer for a sink; the
        aliases reach such a layer anyway, set on it once the run is done (``fields.KeepsAliases``)."""
        if (context.defaultEncoding() or "").lower() in ("", "system"):
            # qgis_process and scripts leave it unset: a shapefile then says "system" in its .cpg while its DBF
            # holds UTF-8, and every other reader shows the Chinese as mojibake
            context.setDefaultEncoding("UTF-8")
        destination = self.parameterAsOutputLayer(parameters, name, context) or ""
        if destination in ("", QgsProcessing.TEMPORARY_OUTPUT) or destination.startswith("memory:"):
            plain = QgsFields()
            for i in range(fields.count()):
                field = QgsField(fields.at(i))
                field.setAlias("")
                plain.append(field)
            fields = plain
        return super().parameterAsSink(parameters, name, context, fields, *args, **kwargs)

    def prepareAlgorithm(self, parameters, context, feedback) -> bool:
        """Note the 田管库 of the run (the STORE parameter) for :meth:`postProcessAlgorithm`."""
        self._stores_used = set()
        if self.parameterDefinition("STORE") is not None:
            path = self.parameterAsFile(parameters, "STORE", context)
            if path:
                self._stores_used.add(os.path.realpath(path))
        return True

    def postProcessAlgorithm(self, context, feedback):
        """Reload the project's layers read from a store this run wrote to (main thread, after the run: see
        :mod:`..store_layers`)."""
        stores = getattr(self, "_stores_used", set())
        self._stores_used = set()
        if stores:
            from ..store_layers import reload_store_layers

            # (a context made without a project, as scripts do, still runs under the application's project)
            reload_store_layers(stores, context.project() if context is not None else None)
        return {}

    def icon(self) -> QIcon:
        return QIcon(icon_path(self.icon_name))

    def svgIconPath(self) -> str:
        return icon_path(self.icon_name)
