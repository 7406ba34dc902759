"""生成二维码标识 on the sample: one QR per parcel that decodes back to the parcel's exact space-code URL,
and a PDF label sheet with the right number of pages and the Chinese text in it."""
from __future__ import annotations

import math
import re
import shutil
import sqlite3
import subprocess

import pytest

from tests.helpers import prepared_store, run


@pytest.fixture(scope="module")
def labelled(processing_registry, change_sample, tmp_path_factory):
    base = tmp_path_factory.mktemp("qr")
    store = base / "tianguan.gpkg"
    prepared_store(change_sample, store)
    conn = sqlite3.connect(store)
    try:
        village = conn.execute("SELECT substr(code, 1, 12) FROM tg_space_code WHERE status = 'active' "
                               "ORDER BY code LIMIT 1").fetchone()[0]
        expected = dict(conn.execute("SELECT code, qr FROM tg_space_code WHERE status = 'active' AND code LIKE ?",
                                     (village + "%",)))
    finally:
        conn.close()
    result = run("linxia_tianguan:qr_labels", {"STORE": str(store), "CODES": village, "OUTPUT": str(base / "out")})
    return result, expected, base / "out"


def test_every_parcel_gets_a_qr_that_decodes_to_its_code(labelled):
    result, expected, out = labelled
    assert result["LABELS"] == len(expected) > 21  # more than one page
    assert shutil.which("zbarimg"), "zbarimg is required (apt-get install zbar-tools; tools/setup_env.sh does it)"
    for code in sorted(expected)[:: max(1, len(expected) // 6)]:  # a spread of the village's parcels
        assert (out / f"{code}.svg").read_text(encoding="utf-8").startswith("<svg")
        decoded = subprocess.run(["zbarimg", "--raw", "-q", str(out / f"{code}.png")], capture_output=True,
                                 text=True, check=True).stdout.strip()
        assert decoded == expected[code]


def test_the_label_sheet_has_its_pages_and_chinese_text(labelled):
    result, expected, _ = labelled
    assert shutil.which("pdfinfo") and shutil.which("pdftotext"), "poppler-utils is required (tools/setup_env.sh)"
    info = subprocess.run(["pdfinfo", result["PDF"]], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == math.ceil(len(expected) / 21)
    text = subprocess.run(["pdftotext", result["PDF"], "-"], capture_output=True, text=True, check=True).stdout
    first = sorted(expected)[0]
    assert first in text and re.search("[\u4e00-\u9fff]{2,}", text)  # village names as Chinese text, not boxes
