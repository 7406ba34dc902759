"""Every algorithm of the installed release zip through ``qgis_process`` — the command line a county's
scripts and schedulers use.

The zip is built and unpacked into a throwaway QGIS profile (``tools/build_plugin.py install`` with
``QGIS_CUSTOM_CONFIG_PATH``), a saved PostgreSQL connection to a throwaway PostGIS is written into that
profile's QGIS3.ini (as the Data Source Manager would), and the whole desk workflow runs on the small
session sample in one chain, one ``qgis_process.bin run <id> --json`` each: coding, validation and
decoding, the grid, roster and tasks, tracks and coverage, change analysis, export to PostGIS, QR labels,
maps, dashboard report, assessment and the field package round trip. Each step must exit 0 and give one
result that is checked against the files or the database it wrote (plain SQL, openpyxl, pdfinfo) — not
against the plugin's own code. A last test makes sure no algorithm of the provider is left out of the chain.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

from tests.pg_cluster import pg  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
PROVIDER = "linxia_tianguan"
CONNECTION = "临夏田管测试库"
SCHEMA = "tianguan_cli"
COUNTY = "622921"
MONTH = ("2025-06-01", "2025-06-30")
WEEK = ("2025-06-09", "2025-06-15")  # the sample's week of tracks


def _qgis_process_binary() -> str:
    # Debian's /usr/bin/qgis_process wrapper adds a flag QGIS 3.22 rejects: call the binary
    return shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"


def _configure(profile: Path, params: dict) -> None:
    """The desk's profile settings: QGIS in Chinese (locale override, as Options → General sets it) and a saved
    PostgreSQL connection to the county's PostGIS, keys as QGIS 3.22 writes them."""
    from qgis.PyQt.QtCore import QSettings

    settings = QSettings(str(profile / "QGIS" / "QGIS3.ini"), QSettings.IniFormat)
    settings.setValue("locale/userLocale", "zh_CN")
    settings.setValue("locale/overrideFlag", True)
    key = f"PostgreSQL/connections/{CONNECTION}"
    for name, value in (("host", params["host"]), ("port", str(params["port"])), ("database", params["dbname"]),
                        ("username", params["user"]), ("saveUsername", "true"), ("password", ""),
                        ("savePassword", "false"), ("authcfg", ""), ("service", ""), ("sslmode", "SslPrefer")):
        settings.setValue(f"{key}/{name}", value)
    settings.sync()
    assert settings.status() == QSettings.NoError


@pytest.fixture(scope="module")
def cli(tmp_path_factory, pg):  # noqa: F811
    """Environment for qgis_process with the release zip installed and enabled in a throwaway profile."""
    root = tmp_path_factory.mktemp("qgis_cli_profile")
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(root))
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_plugin.py"), "install"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    installed = Path(proc.stdout.strip().splitlines()[-1])
    assert installed == root / "profiles" / "default" / "python" / "plugins" / "linxia_tianguan_plugin"
    _configure(root / "profiles" / "default", pg)
    site = next(Path(sys.prefix).glob("lib/python3*/site-packages"))  # shapely 2 over Debian's 1.8
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def qgis_process(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([_qgis_process_binary(), *args], env=env, capture_output=True, text=True, timeout=600)


def listed_algorithms(env: dict) -> set[str]:
    proc = qgis_process(env, "list")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {line.split()[0] for line in proc.stdout.splitlines() if line.strip().startswith(PROVIDER + ":")}


# --- independent readers of what the algorithms wrote ---------------------------------------------------------

def sql(path: Path, query: str, *args):
    con = sqlite3.connect(str(path))
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


def scalar(path: Path, query: str, *args):
    return sql(path, query, *args)[0][0]


def feature_count(gpkg: Path) -> int:
    """Rows of the only data table (features or attributes; not QGIS's layer_styles) of a GeoPackage."""
    tables = [r[0] for r in sql(gpkg, "SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', "
                                      "'attributes') AND table_name <> 'layer_styles'")]
    assert len(tables) == 1, tables
    return scalar(gpkg, f'SELECT count(*) FROM "{tables[0]}"')


def xlsx_rows(path: Path) -> dict[str, int]:
    """Data rows (below the header) of every sheet of a workbook."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return {ws.title: sum(1 for row in ws.iter_rows(min_row=2, values_only=True)
                              if any(v not in (None, "") for v in row)) for ws in book.worksheets}
    finally:
        book.close()


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def active_group_cells(store: Path) -> list[str]:
    return [r[0] for r in sql(store, "SELECT c.code FROM tg_grid_cell c JOIN tg_grid_build b USING (build_id) "
                                     "WHERE b.active = 1 AND c.level = 5 ORDER BY c.code")]


# --- the chain: (algorithm, parameters from the run so far, check of its result) -------------------------------

def _space_code(c):
    s = c["sample"]
    return {"DLTB": f"{s}|layername=DLTB", "DK": f"{s}|layername=DK", "YJJBNT": f"{s}|layername=YJJBNTTB",
            "CJDCQ": f"{s}|layername=CJDCQ", "STORE": c["store"], "NEW_STORE": True,
            "OUTPUT": c["out"] / "coded.gpkg"}


def _check_space_code(c, r):
    coded = c["out"] / "coded.gpkg"
    assert r["CODED"] > 1000
    assert r["CODED"] == feature_count(coded) == scalar(c["store"], "SELECT count(*) FROM tg_space_code "
                                                                      "WHERE status = 'active'")
    assert r["NEW"] == r["CODED"] and r["RETIRED"] == 0  # a fresh store: every code new
    c["code"] = scalar(coded, "SELECT KJM FROM coded ORDER BY KJM LIMIT 1")


def _validate(c):
    s = c["sample"]
    return {"INPUT": c["out"] / "coded.gpkg", "CJDCQ": f"{s}|layername=CJDCQ", "DLTB": f"{s}|layername=DLTB",
            "STORE": c["store"], "OUTPUT": c["out"] / "validation.gpkg"}


def _check_validate(c, r):
    assert r["ERRORS"] == 0  # freshly coded parcels are valid
    assert r["ERRORS"] + r["WARNINGS"] == feature_count(c["out"] / "validation.gpkg")


def _decode(c):
    return {"CODE": c["code"], "STORE": c["store"]}


def _check_decode(c, r):
    code = c["code"]
    township = scalar(c["sample"], "SELECT XZQMC FROM XZQ WHERE substr(XZQDM, 1, 9) = ?", code[:9])
    assert r["VALID"] == 1 and r["COUNTY"] == f"{COUNTY} 临夏县" and r["TOWNSHIP"] == f"{code[:9]} {township}"
    assert r["VILLAGE"].startswith(code[:12]) and r["GROUP"].startswith(code[:14])
    assert r["SEQUENCE"] == int(code[14:19])
    assert scalar(c["store"], "SELECT status FROM tg_space_code WHERE code = ?", code) == "active"
    assert r["STATUS"].startswith("现行")  # the profile's QGIS runs in Chinese


def _build_grid(c):
    s = c["sample"]
    return {"XZQ": f"{s}|layername=XZQ", "CJDCQ": f"{s}|layername=CJDCQ", "STORE": c["store"],
            "OUTPUT": c["out"] / "grid.gpkg"}


def _check_build_grid(c, r):
    groups = active_group_cells(c["store"])
    codes = sql(c["store"], "SELECT DISTINCT substr(code, 1, 14) FROM tg_space_code WHERE status = 'active'")
    assert r["LEVEL5"] == len(groups) >= len(codes) > 10  # every coded group has its cell
    assert r["LEVEL1"] == 1 and r["LEVEL2"] == 1
    assert feature_count(c["out"] / "grid.gpkg") == sum(r[f"LEVEL{k}"] for k in range(1, 6))


def _grid_coverage(c):
    return {"STORE": c["store"], "OUTPUT": c["out"] / "grid_coverage.gpkg"}


def _check_grid_coverage(c, r):
    assert r["PROBLEMS"] == 0 == feature_count(c["out"] / "grid_coverage.gpkg")


def _import_roster(c):
    return {"INPUT": c["county"] / "roster.csv", "STORE": c["store"]}


def _check_import_roster(c, r):
    with open(c["county"] / "roster.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert r["ERRORS"] == 0 and r["IMPORTED"] == len(rows) > 10
    assert scalar(c["store"], "SELECT count(*) FROM tg_officer WHERE roster_id = ?", r["ROSTER_ID"]) == len(rows)
    c["roster"] = r["ROSTER_ID"]


def _export_roster(c):
    return {"STORE": c["store"], "PREFIX": COUNTY, "OUTPUT": c["out"] / "roster.xlsx"}


def _check_export_roster(c, r):
    county = scalar(c["store"], "SELECT count(*) FROM tg_officer WHERE roster_id = ? AND grid_code LIKE ?",
                    c["roster"], COUNTY + "%")  # the prefecture's own post is not the county's
    assert r["EXPORTED"] == county > 10
    assert max(xlsx_rows(c["out"] / "roster.xlsx").values()) == county


def _dispatch(c):
    return {"STORE": c["store"], "START": MONTH[0], "END": MONTH[1], "OUTPUT": c["out"] / "tasks.gpkg"}


def _check_dispatch(c, r):
    assert r["CREATED"] > 0 and r["EXISTING"] == 0
    assert r["CREATED"] == scalar(c["store"], "SELECT count(*) FROM tg_task")
    assert r["DONE"] + r["OPEN"] + r["OVERDUE"] == r["CREATED"] == feature_count(c["out"] / "tasks.gpkg")


def _record(c):
    path = c["out"] / "巡田记录.csv"
    groups = active_group_cells(c["store"])
    walked = groups[::2]
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["网格编码", "田管员", "开始时间", "结束时间", "有效", "备注"])
        for i, code in enumerate(walked):
            writer.writerow([code, "", f"2025-06-03T09:{i % 60:02d}:00+08:00", f"2025-06-03T10:{i % 60:02d}:00+08:00",
                             "是", "命令行"])
    c["walked"] = len(walked)
    return {"STORE": c["store"], "INPUT": path, "SOURCE": 1}


def _check_record(c, r):
    assert r["ADDED"] == c["walked"] and r["REJECTED"] == 0
    assert scalar(c["store"], "SELECT count(*) FROM tg_patrol") == c["walked"]


def _export_tasks(c):
    return {"STORE": c["store"], "PREFIX": COUNTY, "START": MONTH[0], "END": MONTH[1],
            "OUTPUT": c["out"] / "tasks.xlsx"}


def _check_export_tasks(c, r):
    county = scalar(c["store"], "SELECT count(*) FROM tg_task WHERE grid_code LIKE ?", COUNTY + "%")
    assert r["ROWS"] == county > 0
    assert xlsx_rows(c["out"] / "tasks.xlsx")["巡田任务"] == county


def _import_tracks(c):
    return {"FOLDER": c["county"] / "tracks", "STORE": c["store"]}


def _check_import_tracks(c, r):
    files = sorted((c["county"] / "tracks").glob("*.gpx"))  # not recursive: last week's folder stays out
    assert r["FILES"] == len(files) > 10 and r["FAILED"] == 0
    assert r["TRACKS"] == scalar(c["store"], "SELECT count(*) FROM tg_track") >= len(files)


def _check_tracks(c):
    return {"STORE": c["store"], "OUTPUT": c["out"] / "checked_tracks.gpkg"}


def _check_check_tracks(c, r):
    manifest = json.loads((c["county"] / "manifest.json").read_text(encoding="utf-8"))["tracks"]["scenarios"]
    driven = sum(len(s["files"]) for s in manifest if s["kind"] == "driveby")
    assert r["CHECKED"] == scalar(c["store"], "SELECT count(*) FROM tg_track") == feature_count(
        c["out"] / "checked_tracks.gpkg")
    assert r["ACCEPTED"] + r["REJECTED"] == r["CHECKED"]
    assert r["DRIVEN"] >= driven > 0  # the sample's drive-by walks are caught


def _coverage(c):
    return {"STORE": c["store"], "START": WEEK[0], "END": WEEK[1], "GRIDS_OUT": c["out"] / "group_coverage.gpkg"}


def _check_coverage(c, r):
    assert 0 < r["FARMLAND_RATE"] < 100 and r["TRACKS"] > 0
    run_ids = [row[0] for row in sql(c["store"], "SELECT run_id FROM tg_coverage_run")]
    assert r["COVERAGE_RUN"] in run_ids
    assert feature_count(c["out"] / "group_coverage.gpkg") == len(active_group_cells(c["store"]))


def _changes(c):
    s = c["sample"]
    return {"BEFORE": f"{s}|layername=DLTB", "AFTER": f"{s}|layername=DLTB_2025",
            "YJJBNT": f"{s}|layername=YJJBNTTB", "APPROVED": f"{s}|layername=PZYD",
            "FACILITY": f"{s}|layername=SSNYDBA", "TEMPORARY": f"{s}|layername=LSYD",
            "BOUNDARY": f"{s}|layername=CZKFBJ", "TODAY": "2025-06-30", "STORE": c["store"],
            "OUTPUT": c["out"] / "changes.gpkg"}


def _check_changes(c, r):
    assert r["CANDIDATES"] > 0 and r["CANDIDATES"] == feature_count(c["out"] / "changes.gpkg")
    assert r["NEW_CASES"] == scalar(c["store"], "SELECT count(*) FROM tg_case") > 0
    c["cases"] = r["NEW_CASES"]


def _export_cases(c):
    return {"STORE": c["store"], "CONNECTION": CONNECTION, "SCHEMA": SCHEMA}


def _setup_prefecture(c):
    # the chain's connection is the cluster's superuser: granted county 622921, it publishes the sample county
    return {"CONNECTION": CONNECTION, "SCHEMA": SCHEMA, "ROLE": c["pg"]["user"], "SCOPE": "622921"}


def _check_setup_prefecture(c, r):
    assert r["VERSION"] >= 6


def _publish(c):
    return {"STORE": c["store"], "CONNECTION": CONNECTION, "SCHEMA": SCHEMA}


def _check_publish(c, r):
    import psycopg2

    assert r["ROWS_SENT"] == r["ROWS_ADDED"] > 0 and r["BATCHES"] > 0
    con = psycopg2.connect(**c["pg"])
    try:
        with con.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {SCHEMA}.space_codes WHERE county_code = '622921'")
            codes = cur.fetchone()[0]
            cur.execute(f"SELECT count(*) FROM {SCHEMA}.tasks")
            tasks = cur.fetchone()[0]
    finally:
        con.close()
    assert codes == scalar(c["store"], "SELECT count(*) FROM tg_space_code") > 0
    assert tasks == scalar(c["store"], "SELECT count(*) FROM tg_task") > 0


def _pull(c):
    return {"CONNECTION": CONNECTION, "SCHEMA": SCHEMA, "PREFIX": "622921", "OUTPUT": c["out"] / "pulled.gpkg"}


def _check_pull(c, r):
    assert r["ROWS"] > 0 and (c["out"] / "pulled.gpkg").is_file()
    assert scalar(c["out"] / "pulled.gpkg", "SELECT count(*) FROM tg_space_code") == \
        scalar(c["store"], "SELECT count(*) FROM tg_space_code")


def _ledgers(c):
    s = c["sample"]
    return {"BEFORE": f"{s}|layername=DLTB", "AFTER": f"{s}|layername=DLTB_2025",
            "OUTPUT": c["out"] / "ledger_patches.gpkg", "XLSX": c["out"] / "耕地平衡台账.xlsx",
            "OUTPUT_PDF": c["out"] / "耕地平衡台账.pdf"}


def _check_ledgers(c, r):
    assert r["OUT_MU"] >= 0 and (c["out"] / "耕地平衡台账.xlsx").is_file()
    assert (c["out"] / "耕地平衡台账.pdf").read_bytes()[:5] == b"%PDF-"
    assert feature_count(c["out"] / "ledger_patches.gpkg") > 0


def _excel_csv_at_parcels(c, name: str, header: str, row) -> Path:
    """A CSV as Excel saves it (GBK, CRLF) with ``header`` and one line ``row(i, code, lon, lat)`` for each of two
    coded parcels of the chain's store."""
    import sqlite3

    con = sqlite3.connect(f"file:{c['store']}?mode=ro", uri=True)
    try:
        parcels = con.execute("SELECT code, lon, lat FROM tg_space_code WHERE status = 'active' ORDER BY code "
                              "LIMIT 2").fetchall()
    finally:
        con.close()
    path = c["out"] / name
    lines = [header] + [row(i, code, lon, lat) for i, (code, lon, lat) in enumerate(parcels, 1)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def _video(c):
    """Two alarms of the video platform, as its CSV export writes them, on two coded parcels."""
    path = _excel_csv_at_parcels(c, "视频告警.csv", "摄像头编号,告警时间,告警类型,经度,纬度",
                                 lambda i, code, lon, lat: f"CAM-{i},2025-06-1{i} 09:30:00,非农化,{lon},{lat}")
    return {"INPUT": path, "STORE": c["store"], "OUTPUT": c["out"] / "video_alarms.gpkg"}


def _check_video(c, r):
    assert r["ALARMS"] == 2 and r["NEW_CASES"] == 2 and r["REFUSED"] == 0


def _posts(c):
    """Two installed posts, as the county's CSV lists them, at two coded parcels."""
    path = _excel_csv_at_parcels(c, "警示桩.csv", "桩号,空间码,经度,纬度,安装日期,状况",
                                 lambda i, code, lon, lat: f"ZSZ-{i:03d},{code},{lon},{lat},2025/6/{i},完好")
    return {"INPUT": path, "STORE": c["store"], "OUTPUT": c["out"] / "warning_posts.gpkg"}


def _check_posts(c, r):
    assert r["POSTS"] == r["ADDED"] == 2 and r["REFUSED"] == 0


def _survey_totals(c):
    """Two years of the county's official 变更调查 totals, as its GBK CSV gives them, in 亩."""
    county = scalar(c["store"], "SELECT code FROM tg_admin_unit WHERE level = 'county' ORDER BY code LIMIT 1")
    farm = scalar(c["store"], "SELECT total(gdmj_m2) FROM tg_space_code WHERE status = 'active'") * 0.0015
    path = c["out"] / "变更调查.csv"
    path.write_bytes((f"行政区代码,年份,耕地面积(亩),永久基本农田面积(亩)\r\n{county},2023,{farm * 1.003:.2f},\r\n"
                      f"{county},2025,{farm * 0.998:.2f},\r\n").encode("gbk"))
    return {"INPUT": path, "STORE": c["store"]}


def _check_survey_totals(c, r):
    assert r["ADDED"] == 2 and r["REFUSED"] == 0 and r["YEARS"] == 2
    assert scalar(c["store"], "SELECT count(*) FROM tg_survey_total") == 2


def _parcel_status(c):
    return {"STORE": c["store"], "AS_OF": "2025-06-20T12:00:00+08:00", "OUTPUT": c["out"] / "parcel_status.gpkg"}


def _check_parcel_status(c, r):
    out = c["out"] / "parcel_status.gpkg"
    active = scalar(c["store"], "SELECT count(*) FROM tg_space_code WHERE status = 'active'")
    assert r["PARCELS"] == active == r["CASE"] + r["RECTIFYING"] + r["OVERDUE"] + r["CLEAN"] == feature_count(out) > 0
    # every parcel an unclosed case not yet enforced lists is red (a case listing none may add the ones it overlaps)
    listed = {row[0] for row in sql(c["store"], "SELECT DISTINCT json_each.value FROM tg_case, "
                                                "json_each(tg_case.parcel_codes) WHERE state NOT IN "
                                                "('closed', 'enforcing', 'rectified')")}
    red = {row[0] for row in sql(out, "SELECT code FROM parcel_status WHERE status = 'case'")}
    assert listed and listed <= red and r["CASE"] == len(red)


def _check_export_cases(c, r):
    import psycopg2

    assert r["INSERTED"] == c["cases"] and r["UPDATED"] == 0
    con = psycopg2.connect(**c["pg"])
    try:
        with con.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {SCHEMA}.cases")
            remote = cur.fetchone()[0]
            cur.execute(f"SELECT count(*) FROM {SCHEMA}.case_events")
            events = cur.fetchone()[0]
    finally:
        con.close()
    assert remote == c["cases"]
    assert r["EVENTS"] == events == scalar(c["store"], "SELECT count(*) FROM tg_case_event")


def _qr(c):
    c["qr_group"] = c["code"][:14]
    return {"STORE": c["store"], "CODES": c["qr_group"], "OUTPUT": c["out"] / "qr"}


def _check_qr(c, r):
    expected = scalar(c["store"], "SELECT count(*) FROM tg_space_code WHERE status = 'active' AND code LIKE ?",
                      c["qr_group"] + "%")
    assert r["LABELS"] == expected > 0
    per_parcel = [p for p in (c["out"] / "qr").rglob("*.svg") if len(p.stem) == 20 and p.stem[:19].isdigit()]
    assert len(per_parcel) == expected
    assert pdf_pages(Path(r["PDF"])) >= 1 and c["qr_group"][:6] in pdf_text(Path(r["PDF"])).replace(" ", "")


def _statistics_map(c):
    return {"STORE": c["store"], "INDICATOR": 0, "ATLAS": "true", "OUTPUT_PDF": c["out"] / "coverage_map.pdf"}


def _check_statistics_map(c, r):
    townships = scalar(c["store"], "SELECT count(*) FROM tg_grid_cell c JOIN tg_grid_build b USING (build_id) "
                                   "WHERE b.active = 1 AND c.level = 3")
    assert r["TOWNSHIPS"] == townships > 1
    atlas = Path(r["ATLAS_PDF"])
    assert pdf_pages(atlas) == townships  # a page per township
    assert pdf_pages(c["out"] / "coverage_map.pdf") + pdf_pages(atlas) == r["PAGES"]
    assert "临夏县" in pdf_text(c["out"] / "coverage_map.pdf").replace(" ", "")


def _dashboard(c):
    return {"STORE": c["store"], "OUTPUT_PDF": c["out"] / "dashboard.pdf", "OUTPUT_XLSX": c["out"] / "dashboard.xlsx"}


def _translation(source: str) -> str:
    """zh_CN of ``source`` read straight from the translation source file."""
    import xml.etree.ElementTree as ET

    ts = ROOT / "linxia_tianguan_plugin" / "i18n" / "linxia_tianguan_zh_CN.ts"
    return next(m.findtext("translation") for m in ET.parse(ts).getroot().iter("message")
                if m.findtext("source") == source)


def _check_dashboard(c, r):
    assert pdf_pages(c["out"] / "dashboard.pdf") == r["PAGES"] >= 1
    sheets = xlsx_rows(c["out"] / "dashboard.xlsx")
    # the installed zip's compiled translation is used: the profile's QGIS runs in Chinese
    tasks = _translation("Patrol tasks")
    assert tasks != "Patrol tasks" and sheets[tasks] > 0


def _assessment(c):
    return {"STORE": c["store"], "PERIOD": 0, "DATE": MONTH[1], "OUTPUT": c["out"] / "assessment.xlsx"}


def _check_assessment(c, r):
    grids = scalar(c["store"], "SELECT count(DISTINCT grid_code) FROM tg_officer WHERE roster_id = ?", c["roster"])
    assert r["GRIDS"] == grids  # every post of the roster is assessed
    sheets = xlsx_rows(c["out"] / "assessment.xlsx")
    assert sheets["考核明细"] == r["GRIDS"] and sheets["通报名单"] == r["NOTICES"] > 0


def _issue_a_case(c) -> str:
    """The desk issues the most urgent case of a group (what the review dock does); its group's package goes out."""
    from linxia_tianguan_plugin.core.cases import workflow as wf
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import take_action

    case_id, version, grid = sql(c["store"], "SELECT case_id, version, grid_code FROM tg_case "
                                             "WHERE grid_code IS NOT NULL AND length(grid_code) = 14 "
                                             "ORDER BY priority, case_id LIMIT 1")[0]
    store = GpkgStore(c["store"], create=False)
    try:
        take_action(store, case_id, "issue", "县审核员", wf.COUNTY_REVIEWER, version)
    finally:
        store.close()
    c["case"], c["grid"] = case_id, grid
    return grid


def _field_export(c):
    return {"STORE": c["store"], "GRID": _issue_a_case(c), "OUTPUT": c["out"] / "field"}


def _check_field_export(c, r):
    parcels = scalar(c["store"], "SELECT count(*) FROM tg_space_code WHERE status = 'active' AND code LIKE ?",
                     c["grid"] + "%")
    package = c["out"] / "field" / c["grid"]
    assert r["PACKAGES"] == 1 and r["PARCELS"] == parcels > 0
    assert r["CASES"] >= 1 and (package / "tianguan_field.gpkg").exists()
    assert list(package.glob("*.qgs")) or list(package.glob("*.qgz"))
    assert scalar(package / "tianguan_field.gpkg", "SELECT count(*) FROM parcels") == parcels


def _walk_and_photograph(c) -> Path:
    """On the phone: a 25-minute walk through the group and a photo for the issued case (QField writes these)."""
    from tools.phone import walk_and_photograph

    package = c["out"] / "field" / c["grid"]
    walk_and_photograph(package, c["grid"], c["case"])
    return package


def _field_import(c):
    c["tracks_before"] = scalar(c["store"], "SELECT count(*) FROM tg_track")
    return {"STORE": c["store"], "FOLDER": _walk_and_photograph(c)}


def _check_field_import(c, r):
    assert r["TRACKS"] == 1 and r["EVIDENCE"] == 1 and r["EVENTS"] == 1 and r["CONFLICTS"] == 0
    assert scalar(c["store"], "SELECT count(*) FROM tg_track") == c["tracks_before"] + 1
    assert scalar(c["store"], "SELECT state FROM tg_case WHERE case_id = ?", c["case"]) == "evidenced"


def _enforcement_export(c):
    """The county approves the evidenced case (reported, approved at the desk); the enforcement package of its county
    goes out."""
    from linxia_tianguan_plugin.core.cases import workflow as wf
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.storage.cases import take_action

    version = scalar(c["store"], "SELECT version FROM tg_case WHERE case_id = ?", c["case"])
    store = GpkgStore(c["store"], create=False)
    try:
        version = take_action(store, c["case"], "report", "村田管员", wf.VILLAGE_TOWNSHIP, version)["version"]
        take_action(store, c["case"], "approve", "县审核员", wf.COUNTY_REVIEWER, version)
    finally:
        store.close()
    return {"STORE": c["store"], "PREFIX": c["grid"][:6], "OUTPUT": c["out"] / "enforcement"}


def _check_enforcement_export(c, r):
    package = Path(r["FOLDER"])
    assert package == c["out"] / "enforcement" / f"enforcement-{c['grid'][:6]}"
    assert r["CASES"] == scalar(c["store"], "SELECT count(*) FROM tg_case WHERE state IN ('approved', 'enforcing') "
                                            "AND grid_code LIKE ?", c["grid"][:6] + "%") >= 1
    assert json.loads((package / "manifest.json").read_text(encoding="utf-8"))["kind"] == "enforcement"
    assert scalar(package / "tianguan_field.gpkg", "SELECT count(*) FROM cases WHERE case_id = ?", c["case"]) == 1
    c["enforcement"] = package


def _enforcement_import(c):
    """On the enforcement officer's phone: the case demolished and restored to farmland, with a photo (not the one
    of its evidence: content-addressed, the same picture would add nothing)."""
    from tests.test_enforcement_package import rectify
    from tests.test_field_package import _jpeg

    _jpeg(c["enforcement"] / "DCIM" / "rectified_1.jpg", 210)
    rectify(c["enforcement"], [(c["case"], "demolished", ["DCIM/rectified_1.jpg"], "违建已拆除并复耕")])
    return {"STORE": c["store"], "FOLDER": c["enforcement"]}


def _check_enforcement_import(c, r):
    assert r["ROWS"] == 1 and r["CASES"] == 1 and r["PHOTOS"] == 1 and r["CONFLICTS"] == 0
    assert scalar(c["store"], "SELECT state FROM tg_case WHERE case_id = ?", c["case"]) == "rectified"


def _verify(c):
    return {"STORE": c["store"]}


def _check_verify(c, r):
    # the evidence photo the field package brought back, intact
    assert r["CHECKED"] == scalar(c["store"], "SELECT count(*) FROM tg_case_evidence") >= 1
    assert r["MISSING"] == r["CHANGED"] == 0


def _undo(c):
    c["active_before_undo"] = scalar(c["store"], "SELECT count(*) FROM tg_space_code WHERE status = 'active'")
    return {"STORE": c["store"]}


def _check_undo(c, r):
    # the chain's one coding run issued every code: undone, they stay in the store retired as "undone"
    assert r["WITHDRAWN"] == c["active_before_undo"] > 0 and r["RESTORED"] == r["REVERTED"] == 0
    assert scalar(c["store"], "SELECT count(*) FROM tg_space_code WHERE status = 'active'") == 0
    assert scalar(c["store"], "SELECT count(*) FROM tg_space_code WHERE retire_reason = 'undone'") == r["WITHDRAWN"]


CHAIN = [
    ("space_code", _space_code, _check_space_code),
    ("validate_space_code", _validate, _check_validate),
    ("decode_space_code", _decode, _check_decode),
    ("build_grid", _build_grid, _check_build_grid),
    ("grid_coverage", _grid_coverage, _check_grid_coverage),
    ("import_roster", _import_roster, _check_import_roster),
    ("export_roster", _export_roster, _check_export_roster),
    ("dispatch_tasks", _dispatch, _check_dispatch),
    ("record_patrols", _record, _check_record),
    ("export_tasks", _export_tasks, _check_export_tasks),
    ("import_tracks", _import_tracks, _check_import_tracks),
    ("check_tracks", _check_tracks, _check_check_tracks),
    ("patrol_coverage", _coverage, _check_coverage),
    ("change_detection", _changes, _check_changes),
    ("export_cases", _export_cases, _check_export_cases),
    ("setup_prefecture_store", _setup_prefecture, _check_setup_prefecture),
    ("publish_store", _publish, _check_publish),
    ("pull_store", _pull, _check_pull),
    ("qr_labels", _qr, _check_qr),
    ("statistics_map", _statistics_map, _check_statistics_map),
    ("import_survey_totals", _survey_totals, _check_survey_totals),
    ("dashboard_report", _dashboard, _check_dashboard),
    ("assessment", _assessment, _check_assessment),
    ("farmland_ledgers", _ledgers, _check_ledgers),
    ("field_package_export", _field_export, _check_field_export),
    ("field_package_import", _field_import, _check_field_import),
    ("enforcement_package_export", _enforcement_export, _check_enforcement_export),
    ("enforcement_package_import", _enforcement_import, _check_enforcement_import),
    ("verify_evidence", _verify, _check_verify),
    ("import_video_alarms", _video, _check_video),
    ("register_warning_posts", _posts, _check_posts),
    ("parcel_status", _parcel_status, _check_parcel_status),
    ("undo_space_code", _undo, _check_undo),  # last: it withdraws the chain's codes
]


@pytest.fixture(scope="module")
def chain(cli, sample_county, pg, qgis_app, tmp_path_factory):  # noqa: F811
    """Runs the whole chain once; {algorithm: problem or None} — later steps still run after a failure."""
    out = tmp_path_factory.mktemp("qgis_cli_run")
    context = {"county": sample_county, "sample": sample_county / "sample_county.gpkg", "store": out / "tianguan.gpkg",
               "out": out, "pg": pg}
    problems = {}
    for name, parameters, check in CHAIN:
        try:
            params = parameters(context)
        except Exception:  # an earlier step failed and left nothing to go on
            problems[name] = "could not prepare the parameters:\n" + traceback.format_exc(limit=3)
            continue
        args = [f"{key}={value}" for key, value in params.items()]
        proc = qgis_process(cli, "run", f"{PROVIDER}:{name}", "--json", "--", *args)
        if proc.returncode != 0:
            problems[name] = f"exit {proc.returncode}\n{proc.stderr[-3000:]}\n{proc.stdout[-2000:]}"
            continue
        try:
            results = json.loads(proc.stdout)["results"]
        except (ValueError, KeyError):
            problems[name] = f"no JSON results:\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}"
            continue
        try:
            check(context, results)
        except Exception:
            shown = json.dumps(results, ensure_ascii=False, default=str)[:3000]
            problems[name] = f"{traceback.format_exc(limit=4)}\nresults: {shown}"
            continue
        problems[name] = None
    return problems


@pytest.mark.parametrize("algorithm", [name for name, _, _ in CHAIN])
def test_the_installed_algorithm_runs_from_qgis_process(chain, algorithm):
    assert chain[algorithm] is None, chain[algorithm]


def test_the_chain_runs_every_algorithm_qgis_process_lists(cli):
    """A new algorithm without a run in the chain above fails here."""
    listed = listed_algorithms(cli)
    assert len(listed) >= 20
    assert listed == {f"{PROVIDER}:{name}" for name, _, _ in CHAIN}
