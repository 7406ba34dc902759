"""生成二维码标识 on the sample: one QR per parcel that decodes back to the parcel's exact space-code URL,
a PDF label sheet with the right number of pages and the Chinese text in it, one warning sign per group
(警示牌.pdf) whose QR scans to the group's URL, and parcels chosen from a layer's selection."""
from __future__ import annotations

import math
import re
import shutil
import sqlite3
import subprocess

import pytest

from tests.helpers import run
from tests.helpers import sql_rows as _sql

URL = "https://tianguan.example.cn/kjm/"  # the coding's default QR template, written out here on purpose
PBF_TITLES = ("Permanent basic farmland protection warning sign", "永久基本农田保护警示牌")
FARMLAND_TITLES = ("Farmland protection warning sign", "耕地保护警示牌")


def _pdf_pages(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _page_text(pdf, page: int) -> str:
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", text)


def _decode(png) -> list[str]:
    out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def store(filled_store, tmp_path_factory):
    """A copy of the session's filled 田管库 (coded, grid, roster, …): the shared one stays untouched even if
    opening it through OGR or the store were to write (SQLite's backup API copies what the WAL holds too)."""
    path = tmp_path_factory.mktemp("qr_store") / "tianguan.gpkg"
    source, target = sqlite3.connect(f"file:{filled_store}?mode=ro", uri=True), sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return path


@pytest.fixture(scope="module")
def labelled(store, tmp_path_factory):
    base = tmp_path_factory.mktemp("qr")
    # a village with more than one page of labels (21 a page)
    village = _sql(store, "SELECT substr(code, 1, 12) AS v FROM tg_space_code WHERE status = 'active' "
                          "GROUP BY v HAVING count(*) > 21 ORDER BY v LIMIT 1")[0][0]
    expected = dict(_sql(store, "SELECT code, qr FROM tg_space_code WHERE status = 'active' AND code LIKE ?",
                         (village + "%",)))
    result = run("linxia_tianguan:qr_labels", {"STORE": str(store), "CODES": village, "OUTPUT": str(base / "out")})
    return result, expected, base / "out"


def test_every_parcel_gets_a_qr_that_decodes_to_its_code(labelled):
    result, expected, out = labelled
    assert result["LABELS"] == len(expected) > 21  # more than one page
    assert shutil.which("zbarimg"), "zbarimg is required (apt-get install zbar-tools; tools/setup_env.sh does it)"
    for code in sorted(expected)[:: max(1, len(expected) // 6)]:  # a spread of the village's parcels
        assert (out / f"{code}.svg").read_text(encoding="utf-8").startswith("<svg")
        assert _decode(out / f"{code}.png") == [expected[code]]


def test_the_label_sheet_has_its_pages_and_chinese_text(labelled):
    result, expected, _ = labelled
    assert shutil.which("pdfinfo") and shutil.which("pdftotext"), "poppler-utils is required (tools/setup_env.sh)"
    assert _pdf_pages(result["PDF"]) == math.ceil(len(expected) / 21)
    text = subprocess.run(["pdftotext", result["PDF"], "-"], capture_output=True, text=True, check=True).stdout
    first = sorted(expected)[0]
    assert first in text and re.search("[\u4e00-\u9fff]{2,}", text)  # village names as Chinese text, not boxes


def test_one_warning_sign_per_group_with_its_names_title_and_figures(labelled, store):
    result, expected, out = labelled
    groups = sorted({code[:14] for code in expected})
    assert len(groups) > 1
    assert result["GROUPS"] == len(groups)
    assert result["SIGNS_PDF"] == str(out / "警示牌.pdf")
    assert _pdf_pages(result["SIGNS_PDF"]) == len(groups)
    names = dict(_sql(store, "SELECT code, name FROM tg_admin_unit"))
    # the whole group's active parcels, summed here in SQL (not through core.reports.statistics)
    sums = {g: (n, farm / (10000 / 15), basic / (10000 / 15)) for g, n, farm, basic in _sql(
        store, "SELECT substr(code, 1, 14), count(*), sum(gdmj_m2), sum(coalesce(yjmj_m2, 0)) FROM tg_space_code "
               "WHERE status = 'active' GROUP BY 1")}
    officers = dict(_sql(store, "SELECT o.grid_code, o.name FROM tg_officer o JOIN tg_roster_import r "
                                "USING (roster_id) WHERE r.active = 1 AND o.role = 'officer' AND o.vacant = 0 "
                                "ORDER BY o.rowid DESC"))  # the first officer of a grid wins
    for page, group in enumerate(groups, 1):
        text = _page_text(result["SIGNS_PDF"], page)
        assert names[group] in text and names[group[:12]] in text and group in text
        n, farm, basic = sums[group]
        titles = PBF_TITLES if basic > 0 else FARMLAND_TITLES
        assert any(t in text for t in titles), (group, text[:200])
        if basic <= 0:
            assert not any(t in text for t in PBF_TITLES)
        assert f"{farm:.2f}" in text and f"{basic:.2f}" in text and re.search(rf"\b{n}\b", text)
        if group in officers:
            assert officers[group] in text
        assert "12336" in text  # the default reporting phone


def test_the_group_qr_scans_to_the_group_url_on_the_printed_sign(labelled, tmp_path):
    result, expected, out = labelled
    groups = sorted({code[:14] for code in expected})
    assert shutil.which("pdftoppm"), "poppler-utils is required (tools/setup_env.sh)"
    for page in (1, len(groups)):
        prefix = tmp_path / f"sign{page}"
        subprocess.run(["pdftoppm", "-r", "120", "-f", str(page), "-l", str(page), "-singlefile", "-png",
                        result["SIGNS_PDF"], str(prefix)], check=True)
        assert _decode(prefix.with_suffix(".png")) == [URL + groups[page - 1]]
        assert _decode(out / f"{groups[page - 1]}.png") == [URL + groups[page - 1]]


def test_a_layer_with_selected_features_only_yields_exactly_those_codes(store, tmp_path):
    from qgis.core import (
        QgsFeatureRequest,
        QgsProcessingContext,
        QgsProcessingFeatureSourceDefinition,
        QgsProject,
        QgsVectorLayer,
    )

    layer = QgsVectorLayer(f"{store}|layername=tg_space_code", "赋码地块", "ogr")
    assert layer.isValid()
    active = [(f.id(), f["code"]) for f in layer.getFeatures(QgsFeatureRequest().setFilterExpression(
        "\"status\" = 'active'"))]
    picked = active[:: len(active) // 7][:7]  # spread over townships and villages
    layer.selectByIds([fid for fid, _ in picked])
    QgsProject.instance().addMapLayer(layer)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())  # as the toolbox runs it: the layer is found in the project
    try:
        result = run("linxia_tianguan:qr_labels", {
            "STORE": str(store), "PARCELS": QgsProcessingFeatureSourceDefinition(layer.id(), True),
            "OUTPUT": str(tmp_path / "out")}, context=context)
    finally:
        QgsProject.instance().removeMapLayer(layer.id())
    codes = {code for _, code in picked}
    assert result["LABELS"] == len(codes) == 7
    assert {p.stem for p in (tmp_path / "out").glob("*.png") if len(p.stem) == 20} == codes
    assert result["GROUPS"] == len({c[:14] for c in codes})
    assert _pdf_pages(result["SIGNS_PDF"]) == len({c[:14] for c in codes})
    text = subprocess.run(["pdftotext", result["PDF"], "-"], capture_output=True, text=True, check=True).stdout
    assert set(re.findall(r"\b\d{19}[\dX]\b", text)) == codes  # the check character may be X
