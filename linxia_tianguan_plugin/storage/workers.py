"""What a worker process does for one township when coding into the 田管库: code it, then stage
its rows, so that building and binding millions of rows runs beside the coding, not after it."""
from __future__ import annotations

from ..core.coding.chunk import ChunkResult, ChunkTask, code_task
from .store import stage_rows


def code_and_stage(task: ChunkTask, store: str | None, staging: str | None, srs_id: int,
                   keep_rows: bool) -> ChunkResult:
    """Code ``task``; write its rows to the store (when given); return them only if ``keep_rows``."""
    result = code_task(task)
    if store:
        result.new_boxes = stage_rows(store, staging, srs_id, int(task.key), result.columns, result.wkb,
                                      result.bounds)
    return result if keep_rows else result.light()
