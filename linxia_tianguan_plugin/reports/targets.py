"""Township targets (farmland and permanent basic farmland 亩) from a CSV the county desk keeps: read apart
from the store, because the targets are set by the county, not recorded by the patrols.
"""
from __future__ import annotations

import csv
from pathlib import Path

from ..i18n import tr
from .model import DashboardError


# ---------------------------------------------------------------------------------------- targets
def read_targets(path) -> dict[str, tuple[float | None, float | None]]:
    """Township targets from a CSV (UTF-8, UTF-8 with BOM or GBK): code, farmland 亩, basic 亩; a header row
    (any names) is skipped, empty cells mean no target."""
    raw = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DashboardError(tr("Cannot read the targets file {path}: unknown encoding.").format(path=path))

    def number(cell: str):
        cell = (cell or "").strip().replace(",", "")
        return float(cell) if cell else None

    out = {}
    for row in csv.reader(text.splitlines()):
        if not row or not row[0].strip():
            continue
        code = row[0].strip()
        if not code.isdigit():
            continue  # the header
        try:
            out[code] = (number(row[1]) if len(row) > 1 else None, number(row[2]) if len(row) > 2 else None)
        except ValueError as err:
            raise DashboardError(tr("Targets file {path}: bad number in the row of {code}.").format(
                path=path, code=code)) from err
    return out
