"""登记警示桩 — the register of installed warning posts (``linxia_tianguan:register_warning_posts``).

Thin: the list is read here (CSV as Excel writes it — UTF-8 with or without BOM, GBK —, a workbook through GDAL, or
a point layer), each row is checked and either kept or refused with its row and column named (never a traceback),
:mod:`..storage.warning_posts` keeps the register, and the output layer shows it with the group's name and the
status of the labelled code, so a desk sees the posts that still point at a retired code.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import shapely
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureSink,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ... import compat
from ...core.coding.space_code import GROUP_CODE_LENGTH, try_parse
from ...core.patrol.tracks import project
from ...i18n import tr
from ...labels import code_status_labels
from ...storage.warning_posts import CONDITIONS, Post, register, save_posts
from ..base import AlgorithmBase
from ..fields import KeepsAliases, schema
from ..table_files import CheckedRows, TableFileError, cell_text, csv_rows, sheet_rows

#: problems reported one by one in the log; the rest are counted
MAX_REPORTED = 200

#: column → the header names it is read from (lower-cased English, Chinese)
COLUMNS: dict[str, tuple[str, ...]] = {
    "post_id": ("桩号", "警示桩编号", "警示桩号", "post_id", "post", "post_no"),
    "space_code": ("空间码", "space_code"),
    "group_code": ("社编码", "社级编码", "group_code"),
    "label_code": ("编码", "标注编码", "label_code", "code"),
    "lon": ("经度", "lon", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "installed_on": ("安装日期", "安装时间", "installed_on", "installed", "install_date"),
    "condition": ("状况", "状态", "condition"),
    "note": ("备注", "说明", "note", "notes"),
}

#: what a condition cell may say → the stored condition
_CONDITION_WORDS = {"完好": "完好", "良好": "完好", "good": "完好", "intact": "完好", "ok": "完好",
                    "损坏": "损坏", "破损": "损坏", "damaged": "损坏", "缺失": "缺失", "丢失": "缺失",
                    "missing": "缺失", "其他": "其他", "其它": "其他", "other": "其他"}

_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$")
#: Excel's day 0 (serial numbers count from here, the 1900 leap-year bug included)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


class RegisterFileError(ValueError):
    """A file that cannot be read as a register at all (the message says why, in the user's words)."""




def map_columns(headers: list[str]) -> dict[str, int]:
    """Column → index in the header row (the first header naming it)."""
    found: dict[str, int] = {}
    for i, header in enumerate(headers):
        name = cell_text(header).lower()
        for column, names in COLUMNS.items():
            if column not in found and name in names:
                found[column] = i
    return found


def header_at(rows: list[tuple[int, list]]) -> int:
    """Index of the header row: the first of the first ten rows naming the post id (a title row may precede it)."""
    for i, (_, cells) in enumerate(rows[:10]):
        if "post_id" in map_columns([cell_text(c) for c in cells]):
            return i
    return 0


def parse_date(text: str) -> str | None:
    """ISO date of what a cell says (2025-06-01, 2025/6/1, 2025年6月1日, an Excel serial number); ValueError when it
    is not a date, None when empty."""
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return (_EXCEL_EPOCH + dt.timedelta(days=int(float(text)))).isoformat()
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(text)
    return dt.date(*(int(g) for g in match.groups())).isoformat()


def _messages() -> dict[str, str]:
    return {
        "missing_post_id": tr("the post has no number. Fill in 桩号."),
        "duplicate_post_id": tr("post {value} is already in row {other}. Keep one row per post."),
        "missing_code": tr("the post labels no code. Fill in the space code (20 characters) or the group code "
                           "(14 digits)."),
        "bad_code": tr("“{value}” is neither a space code (20 characters with a correct check character) nor a "
                       "group code (14 digits). Correct the code."),
        "bad_number": tr("“{value}” is not a number. Write degrees as a decimal number, e.g. 103.21."),
        "missing_position": tr("the post has no position. Fill in 经度 and 纬度 (or give the point)."),
        "outside": tr("{lon}, {lat} is not in China: check 经度 and 纬度 (not swapped? degrees, not metres?)."),
        "bad_date": tr("“{value}” is not a date. Write it as 2025-06-01."),
        "bad_condition": tr("“{value}” is not a condition: write 完好, 损坏, 缺失 or 其他."),
    }


class RowReader(CheckedRows):
    """Checks the rows of one register; keeps the posts and the problems (row, column, message)."""

    def __init__(self, headers: list[str], columns: dict[str, int]):
        super().__init__(headers, columns, COLUMNS, _messages())
        self.posts: list[tuple[int, Post, float, float]] = []  # (row, post without projection, lon, lat)
        self._seen: dict[str, int] = {}

    def read(self, row: int, cells: list, point: tuple[float, float] | None = None) -> None:
        """Check one row; ``point`` is a layer's lon/lat, which the 经度/纬度 columns then need not give."""
        before = len(self.problems)
        post_id = self._cell(cells, "post_id")
        if not post_id:
            self._refuse(row, "post_id", "missing_post_id")
        elif post_id in self._seen:
            self._refuse(row, "post_id", "duplicate_post_id", value=post_id, other=self._seen[post_id])
        code, code_column = self._code(row, cells)
        lon_lat = point if point is not None else self._lon_lat(row, cells)
        installed = self._date(row, cells)
        condition = self._cell(cells, "condition")
        stored = _CONDITION_WORDS.get(condition.lower(), None) if condition else CONDITIONS[0]
        if stored is None:
            self._refuse(row, "condition", "bad_condition", value=condition)
        if len(self.problems) > before or lon_lat is None:
            return
        self._seen[post_id] = row
        note = self._cell(cells, "note") or None
        self.posts.append((row, Post(post_id, code, 0.0, 0.0, installed, stored, note), *lon_lat))

    def _code(self, row: int, cells: list) -> tuple[str, str]:
        for column in ("space_code", "group_code", "label_code"):
            value = self._cell(cells, column).upper()
            if not value:
                continue
            if try_parse(value) is not None or (len(value) == GROUP_CODE_LENGTH and value.isdigit()):
                return value, column
            self._refuse(row, column, "bad_code", value=value)
            return "", column
        present = [c for c in ("space_code", "group_code", "label_code") if c in self.columns] or ["space_code"]
        self._refuse(row, present[0], "missing_code")
        return "", present[0]

    def _lon_lat(self, row: int, cells: list) -> tuple[float, float] | None:
        values = []
        for column in ("lon", "lat"):
            text = self._cell(cells, column)
            if not text:
                self._refuse(row, column, "missing_position")
                return None
            try:
                value = float(text.replace("°", ""))
            except ValueError:
                self._refuse(row, column, "bad_number", value=text)
                return None
            if not math.isfinite(value):
                self._refuse(row, column, "bad_number", value=text)
                return None
            values.append(value)
        lon, lat = values
        if not (73.0 <= lon <= 136.0 and 3.0 <= lat <= 54.0):
            self._refuse(row, "lon", "outside", lon=lon, lat=lat)
            return None
        return lon, lat

    def _date(self, row: int, cells: list) -> str | None:
        text = self._cell(cells, "installed_on")
        try:
            return parse_date(text)
        except ValueError:
            self._refuse(row, "installed_on", "bad_date", value=text)
            return None


def _csv_rows(data: bytes) -> tuple[list[tuple[int, list]], str]:
    try:
        return csv_rows(data)
    except UnicodeDecodeError as err:
        raise RegisterFileError(tr("it is neither UTF-8 nor GBK text")) from err


def _sheet_rows(path: Path, sheet: str) -> list[tuple[int, list]]:
    try:
        return sheet_rows(path, sheet)
    except TableFileError as err:
        raise RegisterFileError(str(err)) from None


def read_file(path: Path, sheet: str = "") -> tuple[RowReader, str]:
    """The checked rows of a register file and how it was read; :class:`RegisterFileError` when unreadable."""
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as err:
        raise RegisterFileError(tr("it cannot be read: {error}").format(error=err)) from err
    if suffix in (".csv", ".txt"):
        rows, note = _csv_rows(data)
    elif suffix == ".xlsx":
        rows, note = _sheet_rows(path, sheet), "XLSX"
    else:
        raise RegisterFileError(tr("its format is not supported (CSV or XLSX)"))
    rows = [(n, cells) for n, cells in rows if any(cell_text(c) for c in cells)]
    if not rows:
        raise RegisterFileError(tr("it has no rows"))
    at = header_at(rows)
    headers = [cell_text(c) for c in rows[at][1]]
    reader = _reader(headers, need_position=True)
    for n, cells in rows[at + 1:]:
        reader.read(n, list(cells))
    return reader, note


def _reader(headers: list[str], need_position: bool) -> RowReader:
    columns = map_columns(headers)
    needed = ["post_id"] + (["lon", "lat"] if need_position else [])
    missing = [COLUMNS[c][0] for c in needed if c not in columns]
    if not any(c in columns for c in ("space_code", "group_code", "label_code")):
        missing.append("空间码/社编码")
    if missing:
        raise RegisterFileError(tr("it has no column {columns}. The header row must name 桩号, 空间码 or 社编码, "
                                   "经度, 纬度, 安装日期, 状况, 备注 (or post_id, space_code or group_code, lon, "
                                   "lat, installed_on, condition, note).").format(columns="、".join(missing)))
    return RowReader(headers, columns)


def register_fields():
    return schema("warning_posts", [("ZH", "String", 40), ("BZBM", "String", 20), ("SBM", "String", 14),
                                    ("SMC", "String", 80), ("MZT", "String", 10), ("MZTMC", "String", 40),
                                    ("AZRQ", "String", 10), ("ZK", "String", 10), ("BZ", "String", 254),
                                    ("GXSJ", "String", 20)])


class RegisterWarningPostsAlgorithm(KeepsAliases, AlgorithmBase):
    INPUT, SHEET, LAYER, STORE, OUTPUT = "INPUT", "SHEET", "LAYER", "STORE", "OUTPUT"

    def name(self) -> str:
        return "register_warning_posts"

    def displayName(self) -> str:
        return tr("Register warning posts")

    def shortHelpString(self) -> str:
        return tr(
            "<p>登记警示桩 · Keeps the register of the warning posts installed in the fields: where each stands, "
            "which space code or group it labels, when it was installed and its condition. Reads a list (CSV from "
            "Excel in UTF-8 or GBK, or an Excel workbook) or a point layer.</p>"
            "<p>Columns (Chinese or English): 桩号 post_id, 空间码 space_code or 社编码 group_code, 经度/纬度 "
            "lon/lat (not needed for a point layer), 安装日期 installed_on, 状况 condition (完好, 损坏, 缺失, "
            "其他; empty: 完好), 备注 note.</p>"
            "<p>Rows that cannot be used are listed with their row and column and skipped. A post already "
            "registered keeps its installation date and position and gets the condition and note of the list: "
            "importing the officers' inspection list updates the register; the same list twice changes nothing. "
            "The output layer shows every registered post with its group's name and whether the space code it "
            "labels is still in use.</p>")

    def initAlgorithm(self, config=None) -> None:
        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, tr("Warning post list (.csv or .xlsx)"), optional=True,
            fileFilter=tr("Warning post list (*.csv *.xlsx *.CSV *.XLSX)")))
        sheet = QgsProcessingParameterString(self.SHEET, tr("Sheet (workbooks; empty: the first)"), optional=True)
        sheet.setFlags(sheet.flags() | compat.ProcessingParameterFlag.Advanced)
        self.addParameter(sheet)
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.LAYER, tr("Or: warning post points"), [compat.ProcessingSourceType.VectorPoint], optional=True))
        self.add_store_parameter()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Warning post register"), compat.ProcessingSourceType.VectorPoint, optional=True))
        for key, label in (("POSTS", tr("Posts registered")), ("ADDED", tr("Posts added")),
                           ("UPDATED", tr("Posts updated")), ("REFUSED", tr("Rows refused"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))

    # ------------------------------------------------------------------ reading
    def _read_layer(self, source, context) -> RowReader:
        headers = source.fields().names()
        reader = _reader(headers, need_position=False)
        to_lonlat = QgsCoordinateTransform(source.sourceCrs(), QgsCoordinateReferenceSystem("EPSG:4326"),
                                           context.transformContext())
        for n, feature in enumerate(source.getFeatures(), start=1):
            geometry = feature.geometry()
            point = None
            if not geometry.isNull() and not geometry.isEmpty():
                geometry.transform(to_lonlat)
                p = geometry.asPoint() if not geometry.isMultipart() else geometry.asMultiPoint()[0]
                point = (p.x(), p.y())
            reader.read(n, list(feature.attributes()), point)
        return reader

    def _read(self, parameters, context) -> tuple[RowReader, str]:
        source = self.parameterAsSource(parameters, self.LAYER, context)
        path_text = self.parameterAsFile(parameters, self.INPUT, context)
        if source is not None and path_text:
            raise QgsProcessingException(tr("Give either the warning post list or the point layer, not both."))
        if source is not None:
            try:
                return self._read_layer(source, context), source.sourceName()
            except RegisterFileError as err:
                raise QgsProcessingException(tr("The point layer cannot be read as warning posts: {reason}").format(
                    reason=err)) from err
        if not path_text:
            raise QgsProcessingException(tr("Choose the warning post list (.csv or .xlsx) or a point layer."))
        path = Path(path_text)
        try:
            reader, note = read_file(path, (self.parameterAsString(parameters, self.SHEET, context) or "").strip())
        except RegisterFileError as err:
            raise QgsProcessingException(tr("{file} cannot be read as warning posts: {reason}").format(
                file=path.name, reason=err)) from err
        return reader, f"{path.name} ({note})"

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):
        reader, name = self._read(parameters, context)
        refused = len({p.row for p in reader.problems})
        for p in reader.problems[:MAX_REPORTED]:
            feedback.pushWarning(tr("{name}, row {row}, column {column}: {message}").format(
                name=name, row=p.row, column=p.column, message=p.message))
        if len(reader.problems) > MAX_REPORTED:
            feedback.pushWarning(tr("… and {n} more problems.").format(n=len(reader.problems) - MAX_REPORTED))
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
            posts = self._projected(reader, store.srs_id)
            added, updated = save_posts(store, posts, name)
            rows = register(store)
            srs_id = store.srs_id
        feedback.pushInfo(tr("{name}: {n} posts read, {refused} rows refused; {added} posts added, {updated} "
                             "updated; the register holds {total} posts.").format(
            name=name, n=len(posts), refused=refused, added=len(added), updated=len(updated), total=len(rows)))
        retired = [r["post_id"] for r in rows if r["code_status"] == "retired"]
        if retired:
            feedback.pushWarning(tr("{n} posts label a retired space code (e.g. {posts}): replace their "
                                    "plates.").format(n=len(retired), posts="、".join(retired[:5])))
        out = {"POSTS": len(rows), "ADDED": len(added), "UPDATED": len(updated), "REFUSED": refused}
        if parameters.get(self.OUTPUT) not in (None, ""):
            out.update(self._write(parameters, context, rows, srs_id))
        return out

    @staticmethod
    def _projected(reader: RowReader, srs_id: int) -> list[Post]:
        if not reader.posts:
            return []
        lon = np.array([p[2] for p in reader.posts], dtype=float)
        lat = np.array([p[3] for p in reader.posts], dtype=float)
        x, y = project(lon, lat, srs_id)
        return [Post(p.post_id, p.label_code, float(xi), float(yi), p.installed_on, p.condition, p.note)
                for (_, p, _, _), xi, yi in zip(reader.posts, x.tolist(), y.tolist())]

    def _write(self, parameters, context, rows: list[dict], srs_id: int) -> dict:
        fields = register_fields()
        crs = QgsCoordinateReferenceSystem(f"EPSG:{srs_id}")
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, Qgis.WkbType.Point, crs)
        if sink is None:
            return {}
        statuses = code_status_labels()
        features = []
        for r in rows:
            f = QgsFeature(fields)
            f.setAttributes([r["post_id"], r["label_code"], r["group_code"], r["group_name"], r["code_status"],
                             statuses.get(r["code_status"]) if r["code_status"] else None, r["installed_on"],
                             r["condition"], (r["note"] or "")[:254] or None, r["updated_at"]])
            point = shapely.from_wkb(r["wkb"])
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(shapely.get_x(point), shapely.get_y(point))))
            features.append(f)
        sink.addFeatures(features, QgsFeatureSink.Flag.FastInsert)
        self.keep_aliases(dest, "warning_posts")
        return {self.OUTPUT: dest}
