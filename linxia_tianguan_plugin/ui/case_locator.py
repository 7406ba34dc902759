"""Find a case from QGIS's locator bar (Ctrl+K) by a space code, a 图斑 id or the start of a case id.

Typing ``aj 62292110`` lists the cases whose parcels, patches or ids match; choosing one opens the
案件审核 dock on it. The search runs in the locator's worker thread, so each search opens its own
read-only connection to the store (SQLite connections must not cross threads).
"""
from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsLocatorFilter, QgsLocatorResult

from .. import settings
from ..i18n import tr

MAX_RESULTS = 30


def search_cases(store_path: str, text: str, limit: int = MAX_RESULTS) -> list[tuple[str, str]]:
    """(case_id, label) of the cases matching ``text`` — reading only, in the caller's thread."""
    from ..core.case_workflow import STATE_NAMES
    from ..storage import existing_store
    from ..storage.cases import has_cases

    text = text.strip().replace("%", "").replace("_", "")  # LIKE wildcards are not a way to list everything
    if len(text) < 4:
        return []
    with existing_store(store_path) as store:
        if store is None or not has_cases(store):
            return []
        like = f"%{text}%"
        rows = store.conn.execute(
            "SELECT case_id, state, grid_code, area_m2 FROM tg_case WHERE parcel_codes LIKE ? "
            "OR bsm_before LIKE ? OR bsm_after LIKE ? OR case_id LIKE ? ORDER BY priority LIMIT ?",
            (like, like, like, text + "%", int(limit))).fetchall()
    label = tr("Case {grid} · {state} · {area:.1f} mu")
    return [(cid, label.format(grid=grid or "—", state=STATE_NAMES.get(state, state), area=(area or 0.0) * 0.0015))
            for cid, state, grid, area in rows]


class CaseLocatorFilter(QgsLocatorFilter):
    def __init__(self, open_case: Callable[[str], None], store_path: Callable[[], str] = settings.store_path):
        super().__init__()
        self.open_case = open_case
        self.store_path = store_path

    def clone(self) -> CaseLocatorFilter:
        return CaseLocatorFilter(self.open_case, self.store_path)

    def name(self) -> str:
        return "linxia_tianguan_cases"

    def displayName(self) -> str:
        return tr("Tianguan cases (space code)")

    def prefix(self) -> str:
        return "aj"

    def fetchResults(self, string, context, feedback) -> None:
        for case_id, label in search_cases(self.store_path(), string):
            if feedback.isCanceled():
                return
            result = QgsLocatorResult(self, label, case_id)
            self.resultFetched.emit(result)

    def triggerResult(self, result) -> None:
        self.open_case(str(result.userData))
