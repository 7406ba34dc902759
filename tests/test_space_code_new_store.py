"""A new 田管库 is built beside its path while the parcels are coded — the workers write each township's rows
straight into it — and is put in place only when the run succeeds: the same store as one coded by the staged
commit, nothing at the path (and no file left beside it) when the run fails or is cancelled, and a file that appeared
at the path meanwhile is never overwritten. Coding into a new GeoPackage without a store writes it township by
township the same way."""
from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import pytest
from qgis.core import QgsProcessingException, QgsProcessingFeedback

from tests.conftest import layer_uri
from tests.helpers import run

ALG = "linxia_tianguan:space_code"
VOLATILE = {"coded_at", "run_id", "fid"}  # the run's stamps; feature ids follow the order the workers wrote


def _params(gpkg: Path, **extra) -> dict:
    return {"DLTB": layer_uri(gpkg, "DLTB"), "DK": layer_uri(gpkg, "DK"), "YJJBNT": layer_uri(gpkg, "YJJBNTTB"),
            "CJDCQ": layer_uri(gpkg, "CJDCQ"), "ISSUES": None, **extra}


def _registry(path: Path) -> dict[str, tuple]:
    conn = sqlite3.connect(path)
    try:
        names = [r[1] for r in conn.execute("PRAGMA table_info(tg_space_code)") if r[1] not in VOLATILE]
        rows = conn.execute(f"SELECT {', '.join(chr(34) + n + chr(34) for n in names)} FROM tg_space_code").fetchall()
        return {r[names.index("code")]: r for r in rows}
    finally:
        conn.close()


def _facts(path: Path) -> dict:
    conn = sqlite3.connect(path)
    try:
        return {
            "journal": conn.execute("PRAGMA journal_mode").fetchone()[0],
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
            "rtree": conn.execute("SELECT rtreecheck('rtree_tg_space_code_geom')").fetchone()[0],
            # every row has its box, and the box holds the row's envelope (the blob header's)
            "boxes": sum(x0 <= e[0] and x1 >= e[1] and y0 <= e[2] and y1 >= e[3] for e, x0, x1, y0, y1 in (
                (struct.unpack("<4d", g[8:40]), *box) for g, *box in conn.execute(
                    "SELECT t.geom, r.minx, r.maxx, r.miny, r.maxy FROM tg_space_code t "
                    "JOIN rtree_tg_space_code_geom r ON r.id = t.fid"))),
            "triggers": sorted(r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tg_space_code'")),
            "runs": conn.execute("SELECT count(*) FROM tg_coding_run").fetchone()[0],
            "undo": conn.execute("SELECT value FROM tg_meta WHERE key = 'undo_run'").fetchone(),
        }
    finally:
        conn.close()


def _beside(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".staging" in p.name or p.name.startswith("."))


@pytest.fixture(scope="module")
def coded_both_ways(processing_registry, sample_gpkg, tmp_path_factory):
    """The sample coded into a new store (built beside its path; two worker processes write into it, as for a real
    county) and into an existing empty store (staged and committed at the end)."""
    from linxia_tianguan_plugin.core.coding.one_click import CodingJob
    from linxia_tianguan_plugin.storage import GpkgStore

    base = tmp_path_factory.mktemp("new_store")
    new = base / "new" / "tianguan.gpkg"
    new.parent.mkdir()
    with pytest.MonkeyPatch.context() as patch:  # the sample is small: workers anyway
        patch.setattr(CodingJob, "wants_pool", staticmethod(lambda options, townships, features: True))
        run(ALG, _params(sample_gpkg, STORE=str(new), NEW_STORE=True))
    existing = base / "existing" / "tianguan.gpkg"
    existing.parent.mkdir()
    GpkgStore(existing, epsg=4522).close()  # there already, empty: coded the usual way
    run(ALG, _params(sample_gpkg, STORE=str(existing)))
    return new, existing


def test_a_new_store_holds_what_the_staged_commit_writes(coded_both_ways):
    new, existing = coded_both_ways
    a, b = _registry(new), _registry(existing)
    assert len(a) > 1000 and a == b  # codes, shapes, areas, digests … row for row
    facts = _facts(new)
    assert facts == {**_facts(existing), "undo": facts["undo"]}
    assert facts["journal"] == "wal" and facts["integrity"] == "ok" and facts["rtree"] == "ok"
    assert facts["boxes"] == len(a) and "rtree_tg_space_code_geom_insert" in facts["triggers"]
    assert _beside(new.parent) == []  # no building file, no staging file


def test_the_new_store_codes_again_as_any_store(coded_both_ways, sample_gpkg, tmp_path):
    """Re-coding the new store on the same input keeps every code and writes nothing."""
    import shutil

    new, _ = coded_both_ways
    copy = tmp_path / "tianguan.gpkg"
    shutil.copy(new, copy)
    before = _registry(copy)
    result = run(ALG, _params(sample_gpkg, STORE=str(copy)))
    assert result["KEPT"] == result["CODED"] == len(before) and result["NEW"] == 0
    assert _registry(copy) == before


class _CancelAfter(QgsProcessingFeedback):
    """Cancels once ``townships`` townships are coded (the rows of some are in the store being built)."""

    def __init__(self, townships: int):
        super().__init__()
        self.left = townships

    def setProgressText(self, text: str) -> None:
        super().setProgressText(text)
        if "/" in text and "(" in text:  # "Coded township … (k/n)"
            self.left -= 1
            if self.left <= 0:
                self.cancel()


def test_a_cancelled_first_coding_leaves_no_store(processing_registry, sample_gpkg, tmp_path):
    store = tmp_path / "tianguan.gpkg"
    result = run(ALG, _params(sample_gpkg, STORE=str(store), NEW_STORE=True), feedback=_CancelAfter(2))
    assert result == {} and not store.exists()
    assert _beside(tmp_path) == []


def test_a_failed_first_coding_leaves_no_store(processing_registry, sample_gpkg, tmp_path):
    store = tmp_path / "tianguan.gpkg"
    with pytest.raises(QgsProcessingException, match="{code}"):  # refused when the run starts
        run(ALG, _params(sample_gpkg, STORE=str(store), NEW_STORE=True, QR_TEMPLATE="https://x.example/"))
    assert not store.exists() and _beside(tmp_path) == []


def test_a_file_made_at_the_path_meanwhile_is_never_overwritten(processing_registry, sample_gpkg, tmp_path):
    store = tmp_path / "tianguan.gpkg"

    class MakesTheFile(QgsProcessingFeedback):
        def setProgressText(self, text: str) -> None:
            super().setProgressText(text)
            if "(1/" in text and not store.exists():
                store.write_bytes(b"another program's file")

    with pytest.raises(QgsProcessingException) as raised:
        run(ALG, _params(sample_gpkg, STORE=str(store), NEW_STORE=True), feedback=MakesTheFile())
    assert str(store) in str(raised.value) and "Traceback" not in str(raised.value)
    assert store.read_bytes() == b"another program's file"
    assert _beside(tmp_path) == []


def test_a_cancelled_run_without_a_store_leaves_no_output(processing_registry, sample_gpkg, tmp_path):
    """Without a store the new GeoPackage is written township by township under a hidden name: a cancelled run
    leaves neither it nor the hidden file."""
    out = tmp_path / "coded.gpkg"
    result = run(ALG, _params(sample_gpkg, OUTPUT=str(out)), feedback=_CancelAfter(2))
    assert result == {} and not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []
