"""The locator bar finds cases by a parcel's space code, a patch id or a case id prefix."""
from __future__ import annotations

import shapely

from linxia_tianguan_plugin.core.cases.keys import case_key, case_uuid
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage.cases import save_cases


def test_search_by_code_patch_and_id(qgis_app, tmp_path):
    from linxia_tianguan_plugin.ui.case_locator import CaseLocatorFilter, search_cases

    path = tmp_path / "tianguan.gpkg"
    store = GpkgStore(path)
    try:
        rows = []
        for k, codes in enumerate((["62292110000101000014", "62292110000101000022"], ["62292110000102000015"])):
            geom = shapely.box(34590000 + 100 * k, 3924000, 34590050 + 100 * k, 3924040)
            key = case_key("survey", f"6229212100000000{k:02d}", "", "nonagri", "0702", "", geom)
            rows.append({"case_key": key, "case_id": case_uuid(key), "kind": "nonagri", "category": "suspect",
                         "source": "survey", "area_m2": geom.area, "geom": geom, "parcel_codes": codes,
                         "bsm_before": f"6229212100000000{k:02d}", "grid_code": codes[0][:14], "priority": k + 1})
        save_cases(store, rows, "BHTEST", "2025.1", {}, {}, {})
    finally:
        store.close()
    found = search_cases(str(path), "62292110000101000022")
    assert [cid for cid, _ in found] == [rows[0]["case_id"]]
    assert "待下发" in found[0][1] and "62292110000101" in found[0][1]
    assert [cid for cid, _ in search_cases(str(path), "6229211000010")] == [rows[0]["case_id"], rows[1]["case_id"]]
    assert [cid for cid, _ in search_cases(str(path), "622921210000000001")] == [rows[1]["case_id"]]
    assert [cid for cid, _ in search_cases(str(path), rows[1]["case_id"][:8])] == [rows[1]["case_id"]]
    assert search_cases(str(path), "62") == [] and search_cases(str(tmp_path / "none.gpkg"), "62292110") == []
    assert search_cases(str(path), "%%%%") == []  # LIKE wildcards are not a way to list everything
    opened = []
    locator = CaseLocatorFilter(opened.append, lambda: str(path)).clone()
    assert locator.prefix() == "tga" and locator.name() == "linxia_tianguan_cases"


def test_qgis_accepts_the_prefix_and_the_legacy_aj_text_still_searches(qgis_app):
    """QGIS ≥ 3.22 drops a plugin filter's prefix shorter than three characters (``aj`` did nothing): a real
    QgsLocator keeps ``tga`` as the active prefix; ``aj <code>`` typed from habit reaches the filter whole
    (no prefix matched) and still searches the code."""
    from qgis.core import QgsLocator

    from linxia_tianguan_plugin.ui.case_locator import CaseLocatorFilter, search_text

    locator = QgsLocator()
    ours = CaseLocatorFilter(lambda _: None, lambda: "")
    locator.registerFilter(ours)
    assert ours.activePrefix() == "tga" and "tga" in locator.prefixedFilters()
    assert search_text("aj 62292110000101") == "62292110000101"
    assert search_text("AJ  62292110000101 ") == "62292110000101"
    assert search_text("62292110000101") == "62292110000101" and search_text("aj") == "aj"
