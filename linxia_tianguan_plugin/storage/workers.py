"""What a worker process does for one township when coding into the 田管库: code it, then stage
its rows, so that building and binding millions of rows runs beside the coding, not after it."""
from __future__ import annotations

from ..core.coding.chunk import ChunkResult, ChunkTask, code_task
from .store import insert_rows, stage_rows


def code_and_stage(task: ChunkTask, store: str | None, staging: str | None, srs_id: int,
                   keep_rows: bool, direct: bool = False) -> ChunkResult:
    """Code ``task``; write its rows to the store (when given): staged for the session's commit, or ``direct``
    into the registry of a store being built (:func:`.store.insert_rows`); return them only if ``keep_rows``."""
    result = code_task(task)
    if store and direct:
        result.first_fid, result.new_boxes, result.leaves = insert_rows(store, srs_id, result.columns, result.wkb,
                                                                         result.bounds)
    elif store:
        result.new_boxes = stage_rows(store, staging, srs_id, int(task.key), result.columns, result.wkb,
                                      result.bounds)
    return result if keep_rows else result.light()
