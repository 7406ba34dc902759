"""核查举证材料 (issue 15): every stored evidence file checked against its recorded SHA-256; missing and changed
files are listed (and written to a CSV) and, by default, the run fails so that a scheduled check is noticed."""
from __future__ import annotations

import csv

import pytest

from linxia_tianguan_plugin.storage.evidence import add_evidence, evidence_path
from tests.helpers import run
from tests.test_evidence_store import photos, store  # noqa: F401

ALG = "linxia_tianguan:verify_evidence"


def test_intact_evidence_passes(processing_registry, store, photos):  # noqa: F811
    add_evidence(store, store.case_id, list(photos.values()), "田管员甲")
    result = run(ALG, {"STORE": store.path})
    assert (result["CHECKED"], result["MISSING"], result["CHANGED"]) == (len(photos), 0, 0)


def test_missing_and_changed_files_are_listed_and_fail_the_run(processing_registry, store, photos,  # noqa: F811
                                                                tmp_path):
    from qgis.core import QgsProcessingException

    on, far, blind = add_evidence(store, store.case_id, list(photos.values()), "田管员甲")
    evidence_path(store, far["rel_path"]).write_bytes(b"retouched")
    evidence_path(store, blind["rel_path"]).unlink()
    report = tmp_path / "核查结果.csv"
    with pytest.raises(QgsProcessingException, match="2"):
        run(ALG, {"STORE": store.path, "OUTPUT": str(report)})
    with open(report, encoding="utf-8-sig", newline="") as handle:  # as Excel reads it
        rows = {r["rel_path"]: r["problem"] for r in csv.DictReader(handle)}
    assert rows == {far["rel_path"]: "checksum", blind["rel_path"]: "missing"}
    lenient = run(ALG, {"STORE": store.path, "STRICT": False})
    assert (lenient["CHECKED"], lenient["MISSING"], lenient["CHANGED"]) == (3, 1, 1)
    assert run(ALG, {"STORE": store.path, "STRICT": False, "CASE": "no-such-case"})["CHECKED"] == 0
