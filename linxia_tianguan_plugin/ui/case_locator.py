"""Find a case from QGIS's locator bar (Ctrl+K) by a space code, a 图斑 id or the start of a case id.

Typing ``tga 62292110`` lists the cases whose parcels, patches or ids match; choosing one opens the
案件审核 dock on it. The search runs in the locator's worker thread, so each search opens its own
read-only connection to the store (SQLite connections must not cross threads).

The prefix has three letters (田管案件, tian guan an jian) because QGIS ≥ 3.22 silently ignores a plugin
filter's prefix shorter than three characters (QgsLocator::registerFilter): the former ``aj`` did nothing.
A two-character Chinese prefix such as 案件 is dropped the same way, and typing it needs the input method
switched back and forth, so the prefix is ASCII. The old habit ``aj 62292110`` still finds the case: QGIS
passes the whole text to the filters used without a prefix, and the filter drops a leading ``aj ``.
"""
from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsLocatorFilter, QgsLocatorResult

from .. import settings
from ..i18n import tr

MAX_RESULTS = 30
#: the locator prefix; QGIS ignores a plugin's prefix of fewer than three characters
PREFIX = "tga"
#: the advertised prefix of 0.2.0 (never active in QGIS ≥ 3.22), still understood inside the search text
LEGACY_PREFIX = "aj"


def search_text(string: str) -> str:
    """The text to look for: ``string`` without a leading legacy ``aj `` (the whole text reaches the filter
    when the user typed the old two-letter prefix, which QGIS does not recognise)."""
    text = string.strip()
    head, _, rest = text.partition(" ")
    return rest.strip() if head.lower() == LEGACY_PREFIX and rest.strip() else text


def search_cases(store_path: str, text: str, limit: int = MAX_RESULTS) -> list[tuple[str, str]]:
    """(case_id, label) of the cases matching ``text`` — reading only, in the caller's thread."""
    from ..core.cases.workflow import STATE_NAMES
    from ..storage import existing_store
    from ..storage.cases import has_cases, search

    text = text.strip().replace("%", "").replace("_", "")  # LIKE wildcards are not a way to list everything
    if len(text) < 4:
        return []
    with existing_store(store_path) as store:
        if store is None or not has_cases(store):
            return []
        rows = search(store, text, limit)
    label = tr("Case {grid} · {state} · {area:.1f} mu")
    return [(cid, label.format(grid=grid or "—", state=STATE_NAMES.get(state, state), area=(area or 0.0) * 0.0015))
            for cid, state, grid, area in rows]


class CaseLocatorFilter(QgsLocatorFilter):
    """The 案件 filter of the locator bar: ``tga <space code | 图斑 id | case id start>``."""

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
        return PREFIX

    def fetchResults(self, string, context, feedback) -> None:
        for case_id, label in search_cases(self.store_path(), search_text(string)):
            if feedback.isCanceled():
                return
            result = QgsLocatorResult(self, label, case_id)
            self.resultFetched.emit(result)

    def triggerResult(self, result) -> None:
        self.open_case(str(result.userData))
