"""Common base of the plugin's Processing algorithms: names, groups, icon, bilingual help, Chinese tags and the
guide's section, the parameters some twenty algorithms share (the 田管库, dates and periods, an administrative
code prefix) with one parser each and their checks before a run, and the one place where a refusal
(:class:`..core.errors.UserError`) or a fault of the 田管库 (locked, full disk, I/O error) becomes the user's
sentence instead of a traceback."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from qgis.core import (
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterFile,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterString,
    QgsProperty,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime, QUrl
from qgis.PyQt.QtGui import QIcon

from .. import compat, workbook
from ..core.errors import UserError
from ..core.patrol import tasks as task_rules
from ..i18n import tr
from ..labels import results_group_name
from ..pg_connection import PREFECTURE_SCHEMA as DEFAULT_PREFECTURE_SCHEMA
from ..resources import icon_path
from ..store_messages import new_store_option, store_error_message

#: the toolbox groups in the order of the work (code the parcels, build the grid, dispatch and check patrols,
#: analyse changes, print, share with the prefecture): the position is shown before the name (:func:`group_name`)
GROUP_ORDER = ("coding", "grid", "patrol", "cases", "reports", "prefecture")

#: each group's icon, shown by its algorithms that have no icon of their own (:meth:`AlgorithmBase.icon_file`)
GROUP_ICONS = {
    "coding": "space_code.svg",
    "grid": "group_grid.svg",
    "patrol": "group_patrol.svg",
    "cases": "group_changes.svg",
    "reports": "group_maps.svg",
    "prefecture": "group_prefecture.svg",
}


def group_name(group_id: str) -> str:
    """The group's name in the toolbox, led by its step in the work ("1 空间赋码").

    Why the number: QGIS's toolbox (QgsProcessingToolboxProxyModel::lessThan) sorts a provider's groups by their
    display text with QString::localeAwareCompare and offers a provider no other order, so without it
    空间赋码, the first step, sorts last (by code point; 变化… first by pinyin), whatever the workflow."""
    # the literal strings are repeated so that the translation extractor sees them
    name = {
        "coding": tr("Space coding"),
        "grid": tr("Patrol grid"),
        "patrol": tr("Officers and patrol tasks"),
        "cases": tr("Change analysis and cases"),
        "reports": tr("Maps and reports"),
        "prefecture": tr("Prefecture shared store"),
    }[group_id]
    return f"{GROUP_ORDER.index(group_id) + 1} {name}"


#: the boolean parameter that lets a run create a 田管库 where there is none (never implicit: a typo in STORE
#: must not send an import into a new, empty store)
NEW_STORE = "NEW_STORE"


#: the parameter of the 田管库 (one definition: :meth:`AlgorithmBase.add_store_parameter`)
STORE = "STORE"
#: the prefecture's shared store, read instead of the desk's 田管库
#: (:meth:`AlgorithmBase.add_prefecture_source_parameters`)
PREFECTURE_CONNECTION, PREFECTURE_SCHEMA = "PREFECTURE_CONNECTION", "PREFECTURE_SCHEMA"
#: the shared store's schema when none is given (the one 州库建库与授权 suggests): pg_connection.PREFECTURE_SCHEMA
#: the administrative code prefix of the algorithms that restrict to a unit (:meth:`AlgorithmBase.add_prefix_parameter`)
PREFIX = "PREFIX"
#: digits of an administrative code: prefecture 4, county 6, township 9, village 12, group 14
#: (core.grid.build.LEVEL_DIGITS)
ADMIN_CODE_LENGTHS = (4, 6, 9, 12, 14)

#: per algorithm: its Chinese tags (the toolbox search finds the tool by the words a desk uses) and the anchor of
#: its section in the bundled user guide (docs/guide/README.md, GitHub's anchors of its headings)
ALGORITHM_GUIDE: dict[str, tuple[tuple[str, ...], str]] = {
    "space_code": (("空间赋码", "一键赋码", "空间码", "地块编码", "耕地"), "3-一键赋码"),
    "undo_space_code": (("撤销赋码", "空间码", "回退", "赋码"), "3-一键赋码"),
    "validate_space_code": (("校验空间码", "空间码", "校验码", "质检"), "3-一键赋码"),
    "decode_space_code": (("解析空间码", "空间码", "警示桩", "查询"), "3-一键赋码"),
    "build_grid": (("巡田网格", "五级网格", "网格构建", "社级网格"), "4-巡田网格"),
    "grid_coverage": (("网格覆盖", "网格检查", "缝隙", "重叠"), "4-巡田网格"),
    "import_roster": (("田管员", "花名册", "导入", "网格长"), "5-田管员花名册"),
    "export_roster": (("田管员", "花名册", "导出", "Excel"), "5-田管员花名册"),
    "dispatch_tasks": (("巡田任务", "下发任务", "巡田频次", "任务"), "6-下发巡田任务"),
    "record_patrols": (("巡田记录", "登记巡田", "巡田", "台账"), "6-下发巡田任务"),
    "export_tasks": (("巡田任务", "导出任务", "过期任务", "通报"), "6-下发巡田任务"),
    "import_tracks": (("巡田轨迹", "轨迹导入", "GPX", "奥维"), "7-导入巡田轨迹与真实性检查"),
    "check_tracks": (("轨迹真实性", "轨迹检查", "开车", "造假"), "7-导入巡田轨迹与真实性检查"),
    "patrol_coverage": (("巡田覆盖", "覆盖率", "未巡地块", "轨迹"), "8-巡田覆盖分析与轨迹复现"),
    "parcel_status": (("地块巡管状态", "地块状态", "码上查", "巡田逾期", "整改"), "8-巡田覆盖分析与轨迹复现"),
    "field_package_export": (("外业巡田包", "QField", "外业", "导出"), "16-外业巡田包"),
    "field_package_import": (("外业成果", "QField", "外业", "导入"), "16-外业巡田包"),
    "enforcement_package_export": (("执法整改包", "整改", "执法", "QField", "导出"), "16-外业巡田包"),
    "enforcement_package_import": (("整改成果", "整改", "执法", "QField", "导入"), "16-外业巡田包"),
    "change_detection": (("变化图斑", "非农化", "非粮化", "预判", "案件"), "9-变化图斑提取与预判"),
    "import_video_alarms": (("视频告警", "视频互联", "摄像头", "告警", "案件"), "9-变化图斑提取与预判"),
    "export_cases": (("案件", "PostGIS", "导出案件", "数据库"), "11-导出案件到-postgis"),
    "verify_evidence": (("举证材料", "核查", "照片", "案件"), "10-案件审核"),
    "dashboard_report": (("驾驶舱", "报告", "统计", "领导"), "12-领导田管驾驶舱"),
    "statistics_map": (("统计专题图", "专题图", "地图", "图集"), "13-统计专题图"),
    "farmland_ledgers": (("耕地平衡", "进出平衡", "占补平衡", "台账", "耕地"), "13-统计专题图"),
    "import_survey_totals": (("变更调查", "年度变更", "耕地", "导入", "驾驶舱"), "12-领导田管驾驶舱"),
    "assessment": (("巡田考核", "考核", "排名", "通报"), "14-巡田考核"),
    "qr_labels": (("二维码", "标识牌", "警示牌", "打印"), "15-二维码标识与警示牌"),
    "register_warning_posts": (("警示桩", "警示牌", "登记", "巡查"), "15-二维码标识与警示牌"),
    "setup_prefecture_store": (("州库", "建库", "授权", "PostGIS", "角色"), "17-州库共享"),
    "publish_store": (("州库", "发布", "上报", "PostGIS", "共享"), "17-州库共享"),
    "pull_store": (("州库", "下载", "刷新", "PostGIS", "共享"), "17-州库共享"),
}


def guide_path() -> Path | None:
    """The user guide the plugin ships (``docs/guide/README.md`` inside the installed plugin; in a checkout, the
    repository's ``docs``), None when neither is there."""
    package = Path(__file__).resolve().parents[1]
    for root in (package, package.parent):
        path = root / "docs" / "guide" / "README.md"
        if path.is_file():
            return path
    return None


def help_url(algorithm_name: str) -> str:
    """The address of the algorithm's section of the bundled guide (a file:// URL: the desk has no internet)."""
    path = guide_path()
    if path is None:
        return ""
    url = QUrl.fromLocalFile(str(path))
    url.setFragment(ALGORITHM_GUIDE[algorithm_name][1])
    return url.toString()


def store_label() -> str:
    return tr("Tianguan store (GeoPackage)")


def configured_store() -> str:
    """The 田管库 of the plugin's settings (the toolbar's): the dialog's default, never a hidden run input."""
    from .. import settings

    try:
        return settings.store_path()
    except Exception:  # no settings, no project yet: the dialog then starts empty
        return ""


def user_text(err: UserError) -> str:
    """The user's sentence of a refusal: translated here, once, then formatted."""
    return err.text(tr)


def parse_date(value) -> dt.date | None:
    """A calendar date from what a run may carry: a QDate / QDateTime (the dialog's calendar), a date, or ISO
    text ``YYYY-MM-DD`` (qgis_process, scripts; an instant's text gives its Beijing date). None when empty;
    ``ValueError`` when it is not a date."""
    if isinstance(value, (QDate, QDateTime)):
        if value.isNull() or not value.isValid():
            return None
        return (value.date() if isinstance(value, QDateTime) else value).toPyDate()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if len(text) > 10 and text[10] in "T ":
        try:
            return task_rules.local_date(text)
        except task_rules.TaskError as err:
            raise ValueError(text) from err
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def parse_instant(value) -> dt.datetime | None:
    """An aware UTC instant from a QDateTime (the dialog's, read as Beijing time unless it carries UTC or an
    offset), a datetime, a date (its Beijing midnight) or text (``YYYY-MM-DD HH:MM``, ISO with Z or an
    offset; naive = Beijing). None when empty; ``ValueError`` when it is not a date and time."""
    if isinstance(value, QDateTime):
        if value.isNull() or not value.isValid():
            return None
        naive = dt.datetime.combine(value.date().toPyDate(), value.time().toPyTime())
        if value.timeSpec() == Qt.TimeSpec.UTC:
            return naive.replace(tzinfo=dt.timezone.utc)
        if value.timeSpec() == Qt.TimeSpec.OffsetFromUTC:
            return naive.replace(tzinfo=dt.timezone(dt.timedelta(seconds=value.offsetFromUtc())))
        return task_rules.parse_instant(naive)
    if isinstance(value, QDate):
        value = parse_date(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return task_rules.parse_instant(value)
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        return task_rules.parse_instant(text)
    except task_rules.TaskError as err:
        raise ValueError(text) from err


def admin_prefix(text: str | None, lengths: tuple[int, ...] = ADMIN_CODE_LENGTHS) -> str:
    """An administrative code restricting a run (spaces dropped), "" for none; :class:`UserError` naming the
    value when it is not digits of one of ``lengths``."""
    prefix = "".join((text or "").split())
    if prefix and not (prefix.isdigit() and prefix.isascii() and len(prefix) in lengths):
        raise UserError(tr("“{value}” is not an administrative code: digits only, {lengths} digits long (e.g. "
                           "622921 for a county, 622921101 for a township)."),
                        value=prefix, lengths="/".join(str(n) for n in lengths))
    return prefix


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
    ``QgsProcessingException(fault_message(fault))`` — the Chinese sentence, no traceback —, whose refusals
    (:class:`..core.errors.UserError`) leave as ``QgsProcessingException`` of their translated text, and whose locked
    writes say in the log that they wait to be tried again. Anything else (a QgsProcessingException, a cancel,
    a bug) passes unchanged. Every write of the store is one transaction, so a fault leaves the interrupted
    step unwritten, as the messages say."""
    if getattr(process, "_store_faults_wrapped", False):
        return process

    @functools.wraps(process)
    def processAlgorithm(self, parameters, context, feedback):  # the name of the QGIS virtual
        from ..storage.faults import StoreFaultError, classify, lock_waits_reported_to
        from ..store_messages import fault_message, lock_wait_message, os_error_message

        path = _store_parameter_path(self, parameters, context)

        def waiting(fault: StoreFaultError, attempt: int, delay: float) -> None:
            if feedback is not None:
                feedback.pushWarning(lock_wait_message(fault, attempt, delay))

        try:
            with lock_waits_reported_to(waiting):
                return process(self, parameters, context, feedback)
        except UserError as err:
            raise QgsProcessingException(user_text(err)) from err
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


def put_outputs_in_results_group(algorithm: QgsProcessingAlgorithm, context) -> int:
    """Load ``algorithm``'s outputs into the layer-tree group :func:`results_group_name` instead of the root of the
    layer tree (QGIS ≥ 3.32: ``LayerDetails.groupName``, honoured by Processing's post-processing, inside the
    user's own results group when one is set in the Processing options). A group an output already has (a model's,
    the caller's) is kept; returns how many outputs were given the group."""
    if context is None:
        return 0
    wanted = {d.name() for d in algorithm.destinationParameterDefinitions()}
    name = results_group_name()
    count = 0
    for layer_id in list(context.layersToLoadOnCompletion()):
        details = context.layerToLoadOnCompletionDetails(layer_id)
        if not hasattr(details, "groupName") or details.groupName:
            continue
        if details.outputName and details.outputName not in wanted:
            continue  # another algorithm's output in a shared context
        details.groupName = name
        count += 1
    return count


class AlgorithmBase(QgsProcessingAlgorithm):
    """Thin algorithms: read sources, call ``core``, write sinks, report progress.

    Every subclass's ``processAlgorithm`` is wrapped by :func:`store_faults_as_messages` when the class is made
    (``__init_subclass__``): QGIS calls the Python method through SIP's virtual lookup, which finds the wrapper
    as the class attribute, so no algorithm needs its own try/except for a locked or full store."""

    #: an algorithm's own icon (a file of ``icons/``); None: its group's (:data:`GROUP_ICONS`)
    icon_name: str | None = None

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("processAlgorithm")
        if own is not None:
            cls.processAlgorithm = store_faults_as_messages(own)

    def __init__(self) -> None:
        super().__init__()
        #: (first, last) date parameters that form a period (checked: not reversed)
        self._periods: list[tuple[str, str]] = []
        #: prefix parameter name → the code lengths it accepts
        self._prefixes: dict[str, tuple[int, ...]] = {}

    def createInstance(self):
        return type(self)()

    def direct_gpkg(self, parameters, name: str, context) -> str | None:
        """The path when sink output ``name`` is a new GeoPackage file with default options, else None.

        Such an output can be written with SQL from the 田管库 (:mod:`..storage.export`) instead of feature by
        feature through a sink; any other destination (memory, shapefile, a database, an existing file, a
        table in a GeoPackage) keeps the sink."""
        value = parameters.get(name)
        options = {}
        if isinstance(value, QgsProcessingOutputLayerDefinition):
            options = dict(value.createOptions or {})
            value, _ok = value.sink.valueAsString(context.expressionContext(), "")
        if not isinstance(value, str) or set(options) - {"fileEncoding"}:
            return None
        if "|" in value or "://" in value or value.startswith(("memory:", "ogr:", "postgres:", "spatialite:")):
            return None
        path = Path(value)
        if path.suffix.lower() != ".gpkg" or path.exists() or not path.parent.is_dir():
            return None
        return str(path.resolve())

    def load_direct(self, parameters, name: str, context, path: str) -> None:
        """Load a directly written output ``name`` as Processing loads a sink's (when the caller asked for it)."""
        value = parameters.get(name)
        if isinstance(value, QgsProcessingOutputLayerDefinition) and value.destinationProject is not None:
            label = value.destinationName or self.parameterDefinition(name).description()
            context.addLayerToLoadOnCompletion(path, QgsProcessingContext.LayerDetails(
                label, value.destinationProject, name))

    @property
    def group_id(self) -> str:
        """The toolbox group is the capability package the algorithm's module lives in (``processing/<group>/``):
        one place decides both, so the toolbox and the code tree cannot drift apart."""
        package = type(self).__module__.rsplit(".", 2)[-2]
        if package not in GROUP_ORDER:
            raise RuntimeError(f"{type(self).__module__}: an algorithm lives in processing/<group>/ ({GROUP_ORDER})")
        return package

    def group(self) -> str:
        return group_name(self.group_id)

    def groupId(self) -> str:
        return self.group_id

    def tags(self) -> list[str]:
        """Chinese words the toolbox search finds the algorithm by (:data:`ALGORITHM_GUIDE`)."""
        return list(ALGORITHM_GUIDE[self.name()][0])

    def helpUrl(self) -> str:
        """The algorithm's section of the user guide shipped with the plugin."""
        return help_url(self.name())

    # ------------------------------------------------------------------ the shared parameters
    def add_store_parameter(self, optional: bool = False, creatable: bool = False) -> QgsProcessingParameterFile:
        """The 田管库 (STORE), defined once. The dialog starts with the store of the plugin's settings (a GUI
        default only: qgis_process and scripts without STORE behave the same on every machine); ``creatable``
        adds the explicit choice to create it (NEW_STORE)."""
        parameter = QgsProcessingParameterFile(STORE, store_label(), extension="gpkg", optional=optional)
        default = configured_store()
        if default:
            parameter.setGuiDefaultValueOverride(default)
        self.addParameter(parameter)
        if creatable:
            self.add_new_store_parameter()
        return parameter

    def add_prefecture_source_parameters(self) -> None:
        """The prefecture's shared 田管库 (PostGIS) as the alternative source of a reading algorithm: a saved QGIS
        PostgreSQL connection (PREFECTURE_CONNECTION) and its schema (PREFECTURE_SCHEMA), both optional and
        Advanced — a county desk keeps reading its GeoPackage without seeing them, the 州 (or a county reading
        what it published) picks the connection. Exactly one of STORE and the connection is given
        (:meth:`source_refusal`); read them with :meth:`parameter_as_prefecture`."""
        connection = QgsProcessingParameterProviderConnection(
            PREFECTURE_CONNECTION, tr("Or read the prefecture store: PostgreSQL connection"), "postgres",
            optional=True)
        schema = QgsProcessingParameterString(PREFECTURE_SCHEMA, tr("Prefecture store schema"),
                                              DEFAULT_PREFECTURE_SCHEMA, optional=True)
        for parameter in (connection, schema):
            parameter.setFlags(parameter.flags() | compat.ProcessingParameterFlag.Advanced)
            self.addParameter(parameter)

    def parameter_as_prefecture(self, parameters, context) -> tuple[str, str] | None:
        """(the chosen connection's name, schema) when the run reads the prefecture's shared store, None when it
        reads the desk's 田管库; open it with :meth:`prefecture_store`."""
        if self.parameterDefinition(PREFECTURE_CONNECTION) is None:
            return None
        name = self.parameterAsConnectionName(parameters, PREFECTURE_CONNECTION, context)
        if not name:
            return None
        schema = (self.parameterAsString(parameters, PREFECTURE_SCHEMA, context) or "").strip() \
            or DEFAULT_PREFECTURE_SCHEMA
        return name, schema

    @staticmethod
    @contextlib.contextmanager
    def prefecture_store(shared: tuple[str, str], feedback=None) -> Iterator:
        """The prefecture's shared store of :meth:`parameter_as_prefecture` (a ``storage.postgis.PgStore``, checked
        by :func:`..pg_connection.open_prefecture`), closed afterwards; what keeps it from being read, and every
        database error inside, leave as a :class:`QgsProcessingException` in words (never a password)."""
        from ..pg_connection import PrefectureError, open_prefecture, prefecture_error
        from ..storage.postgis import PgStoreError

        name, schema = shared
        try:
            pg = open_prefecture(name, schema)
        except PrefectureError as err:
            raise QgsProcessingException(str(err)) from None
        try:
            if feedback is not None:
                feedback.pushInfo(tr("Reading the prefecture store: schema “{schema}”, {where}.").format(
                    schema=schema, where=pg.describe()))
            yield pg
        except PgStoreError as err:
            raise QgsProcessingException(prefecture_error(err, name, schema)) from None
        finally:
            pg.close()

    def source_refusal(self, parameters, context) -> str | None:
        """Why the run's source is not one source: an algorithm that reads either the desk's 田管库 (STORE) or the
        prefecture's shared store (PREFECTURE_CONNECTION) needs exactly one of them. None when exactly one is
        given, or the algorithm has not both parameters."""
        if self.parameterDefinition(PREFECTURE_CONNECTION) is None or self.parameterDefinition(STORE) is None:
            return None
        store = self.parameterAsFile(parameters, STORE, context)
        connection = self.parameterAsConnectionName(parameters, PREFECTURE_CONNECTION, context)
        if store and connection:
            return tr("Read either the tianguan store (GeoPackage) or the prefecture store (PostgreSQL connection), "
                      "not both: clear one of them.")
        if not store and not connection:
            return tr("Choose the tianguan store (GeoPackage), or a PostgreSQL connection to read the prefecture "
                      "store.")
        return None

    def add_new_store_parameter(self) -> None:
        """The explicit choice to create the 田管库 (for the algorithms that may start one)."""
        self.addParameter(QgsProcessingParameterBoolean(NEW_STORE, new_store_option(), defaultValue=False))

    def add_date_parameter(self, name: str, description: str, optional: bool = True, advanced: bool = False,
                           with_time: bool = False,
                           gui_default: dt.date | None = None) -> QgsProcessingParameterDateTime:
        """A date (or, ``with_time``, a date and time) with the dialog's calendar; qgis_process and scripts give
        ISO text. Read it with :meth:`parameter_as_date` / :meth:`parameter_as_instant` only. ``gui_default``: the
        day the dialog shows first (only the dialog: an empty value means the same to a run)."""
        kind = compat.ProcessingDateTimeParameterDataType
        parameter = QgsProcessingParameterDateTime(name, description, kind.DateTime if with_time else kind.Date,
                                                   None, optional)
        if gui_default is not None:
            parameter.setGuiDefaultValueOverride(QDate(gui_default.year, gui_default.month, gui_default.day))
        if advanced:
            parameter.setFlags(parameter.flags() | compat.ProcessingParameterFlag.Advanced)
        self.addParameter(parameter)
        return parameter

    def add_period_parameters(self, first: str, first_description: str, last: str, last_description: str) -> None:
        """Two optional dates forming a period: a period that ends before it starts is refused before the run."""
        self.add_date_parameter(first, first_description)
        self.add_date_parameter(last, last_description)
        self._periods.append((first, last))

    def add_prefix_parameter(self, description: str, lengths: tuple[int, ...] = ADMIN_CODE_LENGTHS,
                             name: str = PREFIX) -> None:
        """An optional administrative code restricting the run, of one of ``lengths`` digits."""
        self.addParameter(QgsProcessingParameterString(name, description, optional=True))
        self._prefixes[name] = lengths

    def _raw_value(self, parameters, name: str, context):
        value = parameters.get(name) if parameters is not None else None
        if value is None:
            value = self.parameterDefinition(name).defaultValue()
        if isinstance(value, QgsProperty):  # a model's expression: its evaluated text
            value = self.parameterAsString(parameters, name, context)
        return value

    def parameter_as_date(self, parameters, name: str, context) -> dt.date | None:
        """The date of parameter ``name`` (None when empty); :class:`UserError` naming the value when it is none."""
        value = self._raw_value(parameters, name, context)
        try:
            return parse_date(value)
        except ValueError as err:
            raise UserError(tr("{what}: “{value}” is not a date (YYYY-MM-DD)."),
                            what=self.parameterDefinition(name).description(), value=str(value).strip()) from err

    def parameter_as_instant(self, parameters, name: str, context) -> dt.datetime | None:
        """The instant (aware, UTC) of parameter ``name`` (None when empty; naive = Beijing time)."""
        value = self._raw_value(parameters, name, context)
        try:
            return parse_instant(value)
        except ValueError as err:
            raise UserError(tr("“{value}” is not a date and time (YYYY-MM-DD HH:MM)."),
                            value=str(value).strip()) from err

    def parameter_as_period(self, parameters, first: str, last: str, context) -> tuple[dt.date | None,
                                                                                        dt.date | None]:
        """(first day, last day) of a period, each None when empty; :class:`UserError` when it is reversed."""
        start = self.parameter_as_date(parameters, first, context)
        end = self.parameter_as_date(parameters, last, context)
        if start is not None and end is not None and end < start:
            raise UserError(tr("The end date {end} is before the start date {start}."), end=end, start=start)
        return start, end

    def parameter_as_prefix(self, parameters, context, name: str = PREFIX) -> str:
        """The administrative code restricting the run, "" for none (:func:`admin_prefix`)."""
        return admin_prefix(self.parameterAsString(parameters, name, context), self._prefixes[name])

    # ------------------------------------------------------------------ checks before the run
    def checkParameterValues(self, parameters, context) -> tuple[bool, str]:
        """Refuse in the dialog (and in qgis_process, processing.run) what the run would refuse: a date that is
        none, a reversed period, a malformed code prefix, a STORE that is not a 田管库 — in the user's words.
        QGIS's own checks then see the dates as parsed here (Qt reads some non-ISO text its own way)."""
        try:
            checked = self.checked_dates(parameters, context)
            for first, last in self._periods:
                self.parameter_as_period(parameters, first, last, context)
            for name in self._prefixes:
                self.parameter_as_prefix(parameters, context, name)
            refusal = self.source_refusal(parameters, context) or self.store_refusal(parameters, context)
        except UserError as err:
            return False, user_text(err)
        if refusal:
            return False, refusal
        return super().checkParameterValues(checked, context)

    def checked_dates(self, parameters, context) -> dict:
        """``parameters`` with every date parameter's value parsed (QDate / QDateTime, or removed when empty)."""
        checked = dict(parameters or {})
        for definition in self.parameterDefinitions():
            if definition.type() != QgsProcessingParameterDateTime.typeName() or definition.name() not in checked:
                continue
            name = definition.name()
            if definition.dataType() == compat.ProcessingDateTimeParameterDataType.DateTime:
                instant = self.parameter_as_instant(parameters, name, context)
                value = None if instant is None else QDateTime(
                    QDate(instant.year, instant.month, instant.day),
                    QTime(instant.hour, instant.minute, instant.second), Qt.TimeSpec.UTC)
            else:
                day = self.parameter_as_date(parameters, name, context)
                value = None if day is None else QDate(day.year, day.month, day.day)
            if value is None:
                checked.pop(name)
            else:
                checked[name] = value
        return checked

    def store_refusal(self, parameters, context) -> str | None:
        """Why the STORE given cannot be this run's 田管库 (not a store, a folder, another GeoPackage's data; no
        file where the algorithm cannot create one), None when it may be (a missing store of an algorithm that
        may create one is said by the run, which knows whether NEW_STORE was ticked)."""
        definition = self.parameterDefinition(STORE)
        if definition is None:
            return None
        path = self.parameterAsFile(parameters, STORE, context)
        if not path:
            optional = bool(definition.flags() & compat.ProcessingParameterFlag.Optional)
            return None if optional else tr("Choose the tianguan store (GeoPackage).")
        from ..storage import NotAStoreError
        from ..storage.store import store_kind

        try:
            kind = store_kind(path)
        except NotAStoreError as err:
            return store_error_message(err, path)
        except Exception:  # a fault (locked, I/O error …): the run waits for a lock and says a fault in its words
            return None
        if kind == "missing" and self.parameterDefinition(NEW_STORE) is None:
            return tr("There is no tianguan store at {path}: check the path (a typo?).").format(path=path)
        return None

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
        """Put the layers the run loads into the plugin's layer-tree group, and reload the project's layers read
        from a store this run wrote to (main thread, after the run, before QGIS loads the outputs: see
        :mod:`..store_layers`)."""
        put_outputs_in_results_group(self, context)
        stores = getattr(self, "_stores_used", set())
        self._stores_used = set()
        if stores:
            from ..store_layers import reload_store_layers

            # (a context made without a project, as scripts do, still runs under the application's project)
            reload_store_layers(stores, context.project() if context is not None else None)
        return {}

    def icon_file(self) -> str:
        """The algorithm's own icon when it has one, else its group's: the toolbox shows each group's tools
        with a picture of their step instead of one icon for all."""
        return self.icon_name or GROUP_ICONS[self.group_id]

    def icon(self) -> QIcon:
        return QIcon(icon_path(self.icon_file()))

    def svgIconPath(self) -> str:
        return icon_path(self.icon_file())


def write_sheets(path: str, sheets: list[tuple[str, list[str], list[list]]], integers: set[str], reals: set[str],
                 empty: str, feedback=None) -> None:
    """Sheets (name, headers, rows) as one workbook through :func:`..workbook.write` (renamed into place when
    complete), the columns named in ``integers``/``reals`` typed as numbers, a sheet without rows given one row
    reading ``empty``; a cancel, a refused workbook or a disk error is a QgsProcessingException and leaves no file."""
    types = {h: workbook.INTEGER for h in integers} | {h: workbook.REAL for h in reals}
    try:
        workbook.write(path, [workbook.Sheet(name, headers, rows, {h: types.get(h, workbook.TEXT) for h in headers},
                                             empty) for name, headers, rows in sheets],
                       cancelled=feedback.isCanceled if feedback is not None else None)
    except workbook.WorkbookCancelledError:
        raise QgsProcessingException(tr("Cancelled; no file was written.")) from None
    except workbook.WorkbookError as err:
        raise QgsProcessingException(str(err)) from err
    except OSError as err:
        raise QgsProcessingException(tr("Cannot write {path}: {error}").format(path=path, error=err)) from err
