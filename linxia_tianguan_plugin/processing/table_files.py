"""Tables people keep in Excel — a CSV saved from it (UTF-8 with or without BOM, or GBK) or a workbook — read the
one way every importer reads them: the roster, track CSVs, video alarms, the warning-post register, the change-survey
totals.

Rows come back numbered as the user sees them (the CSV's line, the sheet's row), cells as text, no header guessed:
each importer finds its own columns and names the row and column of what it refuses.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..i18n import tr


@dataclass(frozen=True)
class Problem:
    """A cell that cannot be used: the row (as the user numbers it in the file), the column's name, and why."""

    row: int
    column: str
    message: str


def cell_text(value) -> str:
    """A cell as text, stripped: None and NULL give "", a float holding an integer (what a workbook stores for a
    code or a year typed as a number) gives its digits without ".0"."""
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class CheckedRows:
    """What every importer's row checker shares: the file's headers, where each wanted column is, the messages by
    kind (already in the user's language), and the problems found — each naming the row and the column as the file
    has it (its own header, else the column's first name), so the user finds the cell."""

    def __init__(self, headers: list[str], columns: dict[str, int], names: Mapping[str, Sequence[str]],
                 messages: Mapping[str, str]):
        self.headers, self.columns, self.names, self.messages = headers, columns, names, messages
        self.problems: list[Problem] = []

    def _column(self, column: str) -> str:
        index = self.columns.get(column)
        return self.headers[index] if index is not None else self.names[column][0]

    def _cell(self, cells: list, column: str) -> str:
        index = self.columns.get(column)
        return cell_text(cells[index]) if index is not None and index < len(cells) else ""

    def _refuse(self, row: int, column: str, kind: str, **details) -> None:
        self.problems.append(Problem(row, self._column(column), self.messages[kind].format(**details)))


class TableFileError(ValueError):
    """The file cannot be read as a table; the message says why in the user's language."""


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM) read strictly, else GB18030 (a superset of GBK)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    return data.decode("gb18030"), "GB18030"


def csv_rows(data: bytes) -> tuple[list[tuple[int, list[str]]], str]:
    """(line number, cells) of every row of a CSV — comma, tab or semicolon, whichever the first line has most
    of — and the encoding it was read with; raises UnicodeDecodeError (the caller says which file)."""
    text, encoding = decode_csv(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(reader.line_num, cells) for cells in reader], encoding


def sheet_rows(path: Path, sheet: str = "") -> list[tuple[int, list]]:
    """(row number, cells) of a workbook's sheet (the first when ``sheet`` is empty), every cell as text: GDAL is told
    to guess neither a header nor types. :class:`TableFileError` when the workbook or the sheet cannot be read."""
    from osgeo import gdal

    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        ds = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY, allowed_drivers=["XLSX"],
                         open_options=["HEADERS=DISABLE", "FIELD_TYPES=STRING"])
    finally:
        gdal.PopErrorHandler()
    if ds is None:
        raise TableFileError(tr("it cannot be opened as an Excel workbook"))
    layer = ds.GetLayerByName(sheet) if sheet else ds.GetLayer(0)
    if layer is None:
        names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
        raise TableFileError(tr("it has no sheet “{sheet}”; its sheets are: {sheets}").format(
            sheet=sheet, sheets=", ".join(names)))
    rows = [(int(f.GetFID()), [f.GetField(i) for i in range(f.GetFieldCount())]) for f in layer]
    ds = None
    return rows
