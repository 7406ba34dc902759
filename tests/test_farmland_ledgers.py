"""耕地平衡台账 (issue 18): the 进出平衡 and 占补平衡 ledgers of the change sample, checked against an independent
path — SpatiaLite SQL on the sample's GeoPackage itself: ST_Intersection of every pair of 图斑 of the two years whose
farmland status differs, summed per class pair, with the ledger of each pair decided in SQL from the class lists
written out here. No BSM pairing, no skip of unchanged 图斑, no merge: only the totals must agree (0.01 m²).

The sample only loses farmland, so every check also runs with the years swapped (DLTB_2025 → DLTB): what was 出 is
then 进 and what was 占 is 补.

The PDF map is read back with poppler (as tests/test_statistics_map.py reads its maps): one A3 landscape page whose
Chinese text — title, the legend's ledger names, the figures of the table, the ledger year — is text in an embedded
CJK font.
"""
from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import run

#: 农用地 other than farmland (三调): the ledger spec's list, written out apart from core/reports/ledgers.py
AGRICULTURAL = ("02", "03", "04", "1006", "1104", "1107", "1202", "1203")
LAYERS = {"forward": ("DLTB", "DLTB_2025"), "swapped": ("DLTB_2025", "DLTB")}


def _class_case(column: str) -> str:
    """SQL: the group of a DLBM column — farmland, construction (the change rules' 非农化 list), agricultural, other."""
    from linxia_tianguan_plugin.core.cases.change_rules import DEFAULT_RULES

    def like(prefixes):
        return " OR ".join(f"{column} LIKE '{p}%'" for p in prefixes)

    # longest prefix first: 1107A 干渠 is construction although 1107 沟渠 is agricultural
    construction_long = [p for p in DEFAULT_RULES.nonagri if len(p) >= 5]
    construction = [p for p in DEFAULT_RULES.nonagri if len(p) < 5]
    return (f"CASE WHEN {column} LIKE '01%' THEN 'farmland' WHEN {like(construction_long)} THEN 'construction' "
            f"WHEN {like(AGRICULTURAL)} THEN 'agricultural' WHEN {like(construction)} THEN 'construction' "
            f"WHEN coalesce({column}, '') = '' THEN 'empty' ELSE 'other' END")


def sql_ledgers(gpkg: Path, before: str, after: str) -> dict[str, float]:
    """Farmland area (田坎 deducted with the farmland side's KCXS) per ledger entry, by SpatiaLite alone."""
    conn = sqlite3.connect(gpkg)
    conn.enable_load_extension(True)
    conn.load_extension("mod_spatialite")
    pairs = f"""
        WITH pairs AS (
          SELECT {_class_case('b.DLBM')} AS gb, {_class_case('a.DLBM')} AS ga, b.KCXS AS kb, a.KCXS AS ka,
                 ST_Area(ST_Intersection(GeomFromGPB(b.geom), GeomFromGPB(a.geom))) AS m2
          FROM "{before}" b
          JOIN "rtree_{before}_geom" rb ON rb.id = b.fid
          JOIN "rtree_{after}_geom" ra ON ra.minx <= rb.maxx AND ra.maxx >= rb.minx
                                     AND ra.miny <= rb.maxy AND ra.maxy >= rb.miny
          JOIN "{after}" a ON a.fid = ra.id
          WHERE (b.DLBM LIKE '01%') <> (a.DLBM LIKE '01%')
            AND ST_Intersects(GeomFromGPB(b.geom), GeomFromGPB(a.geom)))
        SELECT CASE WHEN gb = 'farmland' THEN (CASE ga WHEN 'agricultural' THEN 'out' WHEN 'construction'
                                                   THEN 'occupy' ELSE 'other_out' END)
                    ELSE (CASE gb WHEN 'agricultural' THEN 'in' WHEN 'empty' THEN 'other_in' ELSE 'supplement' END)
               END AS ledger,
               sum(m2 * (1 - CASE WHEN gb = 'farmland' THEN coalesce(kb, 0) ELSE coalesce(ka, 0) END)),
               sum(m2)
        FROM pairs GROUP BY 1"""
    out = {row[0]: (row[1], row[2]) for row in conn.execute(pairs)}
    conn.close()
    return out


def _land(gpkg: Path, name: str):
    """A survey as core reads it, straight from the GeoPackage through OGR."""
    from osgeo import ogr

    from linxia_tianguan_plugin.core.cases.change_detection import LandUse

    ds = ogr.Open(str(gpkg))
    rows = [(f.GetField("BSM"), f.GetField("DLBM"), f.GetField("ZZSXDM"), f.GetField("KCXS"),
             str(f.GetField("ZLDWDM") or "")[:9], bytes(f.GetGeometryRef().ExportToIsoWkb()))
            for f in ds.GetLayerByName(name)]
    bsm, dlbm, zzsx, kcxs, zone, wkb = (list(c) for c in zip(*rows))
    return LandUse(bsm, dlbm, zzsx, kcxs, wkb, np.array(zone, dtype=object))


# ------------------------------------------------------------------------------------------------ the rules


@pytest.mark.parametrize("before, after, entry", [
    ("0201", "0103", "in"), ("0404", "0102", "in"), ("1202", "0101", "in"), ("1203", "0103", "in"),
    ("0103", "0301", "out"), ("0103", "1104A", "out"), ("0103", "1104", "out"), ("0103", "1107", "out"),
    ("0103", "1006", "out"), ("0103", "0702", "occupy"), ("0103", "1107A", "occupy"), ("0103", "1201", "occupy"),
    ("0103", "1302", "occupy"), ("0702", "0103", "supplement"), ("1206", "0103", "supplement"),
    ("1101", "0102", "supplement"), ("0103", "1101", "other_out"), ("0103", "1206", "other_out"),
    ("0103", "", "other_out"), ("", "0103", "other_in"), ("0103", "0102", None), ("0301", "0702", None)])
def test_each_class_change_counts_in_one_ledger(before, after, entry):
    from linxia_tianguan_plugin.core.cases.change_rules import DEFAULT_RULES
    from linxia_tianguan_plugin.core.reports.ledgers import entry_kind

    assert entry_kind(before, after, DEFAULT_RULES) == entry


def test_construction_is_the_change_rules_group():
    """One list of construction classes: a rules file that adds a class to 非农化 moves it into 占 as well."""
    from dataclasses import replace

    from linxia_tianguan_plugin.core.cases.change_rules import DEFAULT_RULES
    from linxia_tianguan_plugin.core.reports.ledgers import entry_kind

    assert entry_kind("0103", "1206", DEFAULT_RULES) == "other_out"
    assert entry_kind("0103", "1206", replace(DEFAULT_RULES, nonagri=(*DEFAULT_RULES.nonagri, "1206"))) == "occupy"


# ------------------------------------------------------------------------------------------------ the sample


@pytest.fixture(scope="module")
def gpkg(change_sample) -> Path:
    return change_sample / "sample_county.gpkg"


@pytest.mark.parametrize("direction", sorted(LAYERS))
def test_core_totals_match_independent_sql(gpkg, direction):
    from linxia_tianguan_plugin.core.cases.change_rules import DEFAULT_RULES
    from linxia_tianguan_plugin.core.reports import ledgers

    before, after = LAYERS[direction]
    expected = sql_ledgers(gpkg, before, after)
    found, _ = ledgers.entries(_land(gpkg, before), _land(gpkg, after), DEFAULT_RULES)
    farmland, area = ledgers.totals(found), ledgers.totals(found, "area_m2")
    for kind in ledgers.KINDS:
        want = expected.get(kind, (0.0, 0.0))
        assert farmland[kind] == pytest.approx(want[0], abs=0.01), (direction, kind)
        assert area[kind] == pytest.approx(want[1], abs=0.01), (direction, kind)
    lost, won = ("out", "occupy") if direction == "forward" else ("in", "supplement")
    assert farmland[lost] > 1000 and farmland[won] > 1000  # the sample has both kinds of change
    # the ledgers add up to the change of farmland (both years cover the same land)
    rows = ledgers.summary(found, "area_m2")
    net = ledgers.farmland_area(_land(gpkg, after), DEFAULT_RULES) - ledgers.farmland_area(_land(gpkg, before),
                                                                                           DEFAULT_RULES)
    assert rows[0].township == "" and rows[0].net == pytest.approx(net, abs=0.01)
    # the townships add up to their county
    county = rows[0]
    towns = [r for r in rows if r.county == county.county and r.township]
    for kind in ledgers.KINDS:
        assert sum(r.get(kind) for r in towns) == pytest.approx(county.get(kind), abs=1e-6)


@pytest.fixture(scope="module")
def ledger_runs(processing_registry, gpkg, tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("ledgers")
    out = {}
    for direction, (before, after) in LAYERS.items():
        out[direction] = run("linxia_tianguan:farmland_ledgers", {
            "BEFORE": f"{gpkg}|layername={before}", "AFTER": f"{gpkg}|layername={after}", "YEAR": 2025,
            "OUTPUT": str(base / f"{direction}.gpkg"), "XLSX": str(base / f"{direction}.xlsx"),
            "OUTPUT_PDF": str(base / f"{direction}.pdf")})
    return out


def _sheet(path: str, name: str) -> list[dict]:
    from osgeo import ogr

    ds = ogr.Open(path)
    layer = ds.GetLayerByName(name)
    assert layer is not None, name
    return [f.items() for f in layer]


@pytest.mark.parametrize("direction", sorted(LAYERS))
def test_layer_and_workbook_hold_the_sql_figures(ledger_runs, gpkg, direction):
    from qgis.core import QgsVectorLayer

    result = ledger_runs[direction]
    expected = sql_ledgers(gpkg, *LAYERS[direction])
    layer = QgsVectorLayer(result["OUTPUT"], "ledger", "ogr")
    assert layer.isValid()
    by_kind: dict[str, float] = {}
    numbers = []
    for f in layer.getFeatures():
        by_kind[f["TZ"]] = by_kind.get(f["TZ"], 0.0) + f["GDMJ"]
        numbers.append(f["XH"])
        assert f["ND"] == 2025 and f["QDLBM"] and f["HDLBM"] and f["TZMC"]
        assert f.geometry().area() == pytest.approx(f["MJ"], abs=0.006)
    n = layer.featureCount()
    assert n == result["PATCHES"] and sorted(numbers) == list(range(1, n + 1))
    rounding = 0.005 * n  # each part's area is written to 0.01 m²
    for kind, (m2, _area) in expected.items():
        assert by_kind.get(kind, 0.0) == pytest.approx(m2, abs=rounding), kind
    assert result["OUT_MU"] + result["IN_MU"] == pytest.approx(
        (expected.get("out", (0,))[0] + expected.get("in", (0,))[0]) * 0.0015, abs=1e-3)

    summary = _sheet(result["XLSX"], "汇总")
    county = [r for r in summary if r["乡镇名称"] == "合计"]
    assert len(county) == 1 and county[0]["县区编码"] == "622921" and county[0]["年度"] == 2025
    c = county[0]
    for figure, kind in (("进", "in"), ("出", "out"), ("占", "occupy"), ("补", "supplement")):
        assert c[f"{figure}(㎡)"] == pytest.approx(expected.get(kind, (0.0,))[0], abs=0.01), figure
        assert c[f"{figure}(亩)"] == pytest.approx(expected.get(kind, (0.0,))[0] * 0.0015, abs=1e-4), figure
    assert c["进出差(㎡)"] == pytest.approx(c["进(㎡)"] - c["出(㎡)"], abs=0.02)
    assert c["占补差(㎡)"] == pytest.approx(c["补(㎡)"] - c["占(㎡)"], abs=0.02)
    assert c["图斑数"] == n
    towns = [r for r in summary if r["乡镇名称"] != "合计"]
    assert towns and all(r["乡镇编码"].startswith("622921") for r in towns)
    assert sum(r["出(㎡)"] + r["进(㎡)"] for r in towns) == pytest.approx(c["出(㎡)"] + c["进(㎡)"],
                                                                     abs=0.01 * len(towns))

    patches = _sheet(result["XLSX"], "图斑明细")
    assert len(patches) == n
    assert sum(r["耕地面积(㎡)"] for r in patches) == pytest.approx(sum(by_kind.values()), abs=0.01)
    assert {r["台账代码"] for r in patches} == set(by_kind)


def test_the_year_comes_from_the_survey_when_not_given(processing_registry, gpkg, tmp_path):
    import sqlite3 as sq

    with sq.connect(gpkg) as conn:
        year = conn.execute('SELECT SJNF FROM "DLTB_2025" GROUP BY SJNF ORDER BY count(*) DESC LIMIT 1').fetchone()[0]
    result = run("linxia_tianguan:farmland_ledgers", {
        "BEFORE": f"{gpkg}|layername=DLTB", "AFTER": f"{gpkg}|layername=DLTB_2025",
        "XLSX": str(tmp_path / "ledgers.xlsx")})
    summary = _sheet(result["XLSX"], "汇总")
    assert summary and {r["年度"] for r in summary} == ({int(year)} if year else {None})


# ------------------------------------------------------------------------------------------------ the map


def _pdf_text(pdf) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", out)


def _pdf_info(pdf) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


@pytest.mark.parametrize("direction", sorted(LAYERS))
def test_pdf_map_is_an_a3_page_with_the_legend_names_and_the_figures(ledger_runs, direction):
    from linxia_tianguan_plugin.i18n import tr
    from linxia_tianguan_plugin.labels import ledger_labels

    result = ledger_runs[direction]
    pdf = Path(result["OUTPUT_PDF"])
    info = _pdf_info(pdf)
    assert info["Pages"] == "1"
    width, height = (float(v) for v in re.findall(r"[\d.]+", info["Page size"])[:2])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (420, 297)  # A3 landscape
    text = _pdf_text(pdf)
    title = tr("{county} {year} farmland in-out and occupation-supplement balance map").format(county="临夏县",
                                                                                             year=2025)
    assert title in text
    for kind in ("in", "out", "occupy", "supplement"):  # all four, even the ledger with no part this way round
        assert ledger_labels()[kind] in text, kind
    figures = {"进": result["IN_MU"], "出": result["OUT_MU"], "进出差": result["IN_MU"] - result["OUT_MU"],
               "占": result["OCCUPY_MU"], "补": result["SUPPLEMENT_MU"],
               "占补差": result["SUPPLEMENT_MU"] - result["OCCUPY_MU"]}
    for name, mu in figures.items():  # the table's row: the figure's name, then its mu
        row = re.search(rf"(?:^| ){name} (-?[\d.]+)", text)
        assert row and float(row.group(1)) == pytest.approx(mu, abs=0.006), (name, mu, text)
    assert tr("Data: survey year {year}").format(year=2025) in text
    assert "\ufffd" not in text and "□" not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines()
           if re.search(r"WenQuanYi|Noto ?Sans ?CJK|SourceHanSans|Microsoft ?YaHei|SimHei", line)]
    assert cjk and all(" yes " in line for line in cjk), fonts  # embedded


def test_the_map_is_refused_under_another_suffix_and_leaves_no_file(processing_registry, gpkg, tmp_path):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException):
        run("linxia_tianguan:farmland_ledgers", {
            "BEFORE": f"{gpkg}|layername=DLTB", "AFTER": f"{gpkg}|layername=DLTB_2025", "YEAR": 2025,
            "OUTPUT_PDF": str(tmp_path / "map.png")})
    assert list(tmp_path.iterdir()) == []


def test_the_map_is_written_whole_or_not_at_all(processing_registry, gpkg, tmp_path):
    """Through a temporary file beside the target: an export that fails leaves neither a PDF nor the temporary."""
    from qgis.core import QgsProcessingException

    blocker = tmp_path / "taken"
    blocker.mkdir()
    target = blocker / "map.pdf"
    target.mkdir()  # a folder where the PDF should go: the final rename fails
    with pytest.raises(QgsProcessingException):
        run("linxia_tianguan:farmland_ledgers", {
            "BEFORE": f"{gpkg}|layername=DLTB", "AFTER": f"{gpkg}|layername=DLTB_2025", "YEAR": 2025,
            "OUTPUT_PDF": str(target)})
    assert sorted(p.name for p in blocker.iterdir()) == ["map.pdf"] and target.is_dir()


def test_the_algorithm_runs_on_the_main_thread_for_its_print_layout(processing_registry):
    from linxia_tianguan_plugin import compat
    from linxia_tianguan_plugin.processing.reports.farmland_ledgers import FarmlandLedgersAlgorithm

    alg = FarmlandLedgersAlgorithm()
    alg.initAlgorithm({})
    assert alg.flags() & compat.ProcessingAlgorithmFlag.NoThreading
    pdf = alg.parameterDefinition("OUTPUT_PDF")
    assert pdf.flags() & compat.ProcessingParameterFlag.Optional and not pdf.createByDefault()
