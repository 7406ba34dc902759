"""Hostile evidence files (issue 15): links, HTML named .jpg, empty photos and broken EXIF never reach the
county's evidence nor raise a traceback; each refusal says why in Chinese.

Real files and a real 田管库 (the fixtures of ``tests/test_evidence_store.py``); EXIF built by the
hand-written builder of ``tests/unit/test_evidence.py`` and fuzzed with a fixed seed."""
from __future__ import annotations

import math
import os
import random
import struct
from pathlib import Path

import pytest

from linxia_tianguan_plugin.core import evidence as core
from linxia_tianguan_plugin.core.evidence import check_file, read_exif
from linxia_tianguan_plugin.storage.evidence import EvidenceError, add_evidence, evidence_dir, evidence_for
from tests.test_case_review_dock import case_store_path, dock, store_path  # noqa: F401  (fixtures)
from tests.test_evidence_store import photos, store  # noqa: F401  (fixtures)
from tests.unit.test_evidence import LAT, LON, photo

HTML = b"<!DOCTYPE html><html><head><title>\xe7\x85\xa7\xe7\x89\x87</title></head><body>not a photo</body></html>"

needs_links = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="symbolic links (POSIX)")


def _outside(tmp_path: Path) -> Path:
    """A desk file that is no evidence (stands for /etc/passwd or the store itself)."""
    secret = tmp_path / "desk" / "passwd"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n")
    return secret


# ------------------------------------------------------------------------------------ check_file
def test_content_is_judged_by_its_first_bytes_not_its_name(tmp_path):
    cases = {"ok.jpg": photo(), "ok.png": b"\x89PNG\r\n\x1a\n" + bytes(40), "ok.pdf": b"%PDF-1.7\n" + bytes(40),
             "page.jpg": HTML, "empty.jpg": b"", "text.pdf": b"minutes of the visit", "png_bad.png": b"\x89PNX"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    assert [n for n in cases if check_file(tmp_path / n) is None] == ["ok.jpg", "ok.png", "ok.pdf"]
    assert "HTML" in check_file(tmp_path / "page.jpg") and "不是" in check_file(tmp_path / "page.jpg")
    assert "0 字节" in check_file(tmp_path / "empty.jpg")
    assert check_file(tmp_path / "gone.jpg") == core.MISSING
    assert "普通文件" in check_file(tmp_path)
    assert check_file(tmp_path / "ok.jpg", allowed=core.SKETCH_TYPES) is not None


@needs_links
def test_links_and_paths_leaving_the_root_are_refused(tmp_path):
    secret = _outside(tmp_path)
    package = tmp_path / "package"
    (package / "DCIM").mkdir(parents=True)
    (package / "DCIM" / "evidence_0.jpg").write_bytes(photo())
    os.symlink(secret, package / "DCIM" / "evidence_1.jpg")
    os.symlink(package / "DCIM" / "evidence_0.jpg", package / "DCIM" / "inside_link.jpg")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "evidence_2.jpg").write_bytes(photo())
    os.symlink(tmp_path / "elsewhere", package / "PHOTOS")

    assert check_file(package / "DCIM" / "evidence_0.jpg", package) is None
    assert "符号链接" in check_file(package / "DCIM" / "evidence_1.jpg", package)
    assert "符号链接" in check_file(package / "DCIM" / "evidence_1.jpg")  # without a root, too
    assert "符号链接" in check_file(package / "DCIM" / "inside_link.jpg", package)  # even pointing inside
    assert "PHOTOS" in check_file(package / "PHOTOS" / "evidence_2.jpg", package)
    assert "之外" in check_file(package / ".." / "elsewhere" / "evidence_2.jpg", package)
    assert "之外" in check_file(tmp_path / "elsewhere" / "evidence_2.jpg", package)


# ------------------------------------------------------------------------------------ add_evidence
@needs_links
def test_add_evidence_refuses_a_link_to_a_desk_file_and_stores_nothing(store, photos, tmp_path):  # noqa: F811
    link = tmp_path / "phone" / "IMG_0009.jpg"
    os.symlink(_outside(tmp_path), link)
    with pytest.raises(EvidenceError, match="符号链接") as err:
        add_evidence(store, store.case_id, [photos["IMG_0001.JPG"], link], "田管员甲")
    assert "IMG_0009.jpg" in str(err.value)
    assert evidence_for(store, store.case_id) == [] and not evidence_dir(store).exists()


@pytest.mark.parametrize("name, data, kind, reason", [
    ("IMG_0010.jpg", HTML, "photo", "HTML"),
    ("IMG_0011.jpg", b"", "photo", "0 字节"),
    ("现场笔录.pdf", b"<html>minutes</html>", "document", "不是"),
    ("sketch.geojson", photo(), "sketch", "GeoJSON"),
])
def test_add_evidence_refuses_content_that_is_not_evidence(store, photos, tmp_path, name, data, kind,  # noqa: F811
                                                           reason):
    bad = tmp_path / "phone" / name
    bad.write_bytes(data)
    with pytest.raises(EvidenceError, match=reason) as err:
        add_evidence(store, store.case_id, [bad], "田管员甲", kind=kind)
    assert name in str(err.value)
    assert evidence_for(store, store.case_id) == [] and not evidence_dir(store).exists()


def test_png_and_pdf_photos_are_still_taken(store, tmp_path):  # noqa: F811
    png, pdf = tmp_path / "a.png", tmp_path / "b.pdf"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    pdf.write_bytes(b"%PDF-1.4\n" + bytes(100))
    rows = add_evidence(store, store.case_id, [png, pdf], "田管员甲")
    assert [r["new"] for r in rows] == [True, True] and rows[0]["checks"]["flags"][0] == "no_exif"


# ------------------------------------------------------------------------------------ read_exif
def test_an_overflowing_time_keeps_the_position_and_a_broken_position_keeps_the_time():
    # year 1 at Beijing time is year 0 in UTC: datetime overflows (what 700 of 50 000 mutated photos hit)
    info = read_exif(photo(taken="0001:01:01 00:00:00", gps_time=("2025:06:10", (1, 29, 58))))
    assert info.has_exif and info.has_position
    assert info.lat == pytest.approx(LAT, abs=1e-7) and info.lon == pytest.approx(LON, abs=1e-7)
    assert (info.taken_at, info.time_source) == ("2025-06-10T01:29:58Z", "gps")
    info = read_exif(photo(taken="9999:12:31 23:59:59", offset="-09:00"))
    assert info.has_position and info.taken_at == ""
    broken = bytearray(photo())
    at = broken.index(struct.pack("<IIII", 35, 1, 36, 1))  # latitude 35° 36′ …
    broken[at + 4:at + 8] = bytes(4)  # … its degrees over a zero denominator
    info = read_exif(bytes(broken))
    assert not info.has_position and info.taken_at == "2025-06-10T01:30:00Z"


def test_one_failing_tag_reader_loses_only_its_tag(monkeypatch):
    def boom(*_args, **_kw):
        raise OverflowError("date value out of range")

    monkeypatch.setattr(core, "_exif_time", boom)
    info = read_exif(photo())
    assert info.has_position and info.taken_at == "" and info.make == "HUAWEI"
    monkeypatch.undo()
    monkeypatch.setattr(core, "_coordinate", boom)
    info = read_exif(photo())
    assert not info.has_position and info.taken_at == "2025-06-10T01:30:00Z"


def _layout(data: bytes) -> tuple[int, range, int]:
    """(start of the TIFF block in the file, bytes of IFD0's values and the Exif IFD — everything between
    IFD0's entries and the GPS IFD —, end of the APP1 segment) of a photo made by ``photo()`` (little endian)."""
    app1 = data.index(b"\xff\xe1")
    end = app1 + 2 + struct.unpack(">H", data[app1 + 2:app1 + 4])[0]
    start = app1 + 10
    tiff = data[start:end]
    n = struct.unpack_from("<H", tiff, 8)[0]
    pointers = {}
    for i in range(n):
        tag, _, _, value = struct.unpack_from("<HHII", tiff, 10 + 12 * i)
        pointers[tag] = value
    values = 10 + 12 * n + 4
    assert pointers[0x8769] < pointers[0x8825]
    return start, range(start + values, start + pointers[0x8825]), end


def test_fuzzed_photos_never_raise_and_keep_an_untouched_gps_position():
    rng = random.Random(15)
    seeds = [photo(gps_time=("2025:06:10", (1, 29, 58))), photo(">", offset="+08:00"),
             photo(taken="2025:06:10 09:30:00", lat_ref="S", lon_ref="W")]
    start, free, end = _layout(seeds[0])
    for n in range(4000):
        data = bytearray(seeds[n % len(seeds)])
        targeted = n % 2 == 0 and n % len(seeds) == 0
        for _ in range(rng.choice((1, 1, 2, 4, 8))):
            if targeted:  # only IFD0's values and the Exif IFD: the GPS IFD and the path to it stay whole
                at = rng.choice(list(free) + list(range(end, len(data))))
            else:
                at = rng.randrange(len(data))
            data[at] = rng.choice((0x00, 0xFF, 0x30, 0x39, 0x80, rng.randrange(256)))
        info = read_exif(bytes(data))  # never raises
        assert isinstance(info, core.PhotoInfo)
        if targeted:
            assert info.has_position, (n, bytes(data).hex())
            assert info.lat == pytest.approx(LAT, abs=1e-7) and info.lon == pytest.approx(LON, abs=1e-7)
    # truncations and year edges as well
    for cut in range(0, len(seeds[0]), 7):
        read_exif(seeds[0][:cut])
    for year in ("0001", "9999"):
        for offset in ("+14:00", "-12:00", None):
            info = read_exif(photo(taken=f"{year}:01:01 00:00:00" if year == "0001" else f"{year}:12:31 23:59:59",
                                   offset=offset))
            assert info.has_position and not math.isnan(info.lat)


# ------------------------------------------------------------------------------------ the case-review dock
@needs_links
def test_the_dock_refuses_linked_and_fake_attachments_and_the_case_stays(dock, store_path, tmp_path):  # noqa: F811
    from tests.test_case_review_dock import _events, _move, _stored

    cid = _stored(store_path)[0]["case_id"]
    _move(store_path, cid, ("issue", "county_reviewer", "", ()))
    link, page, good = tmp_path / "IMG_1.jpg", tmp_path / "IMG_2.jpg", tmp_path / "IMG_3.jpg"
    os.symlink(_outside(tmp_path), link)
    page.write_bytes(HTML)
    good.write_bytes(photo())
    d = dock(store_path, role="group_officer")
    d.select_case(cid)
    for bad, reason in ((link, "符号链接"), (page, "HTML")):
        (_, ok, message), = d.take("submit_evidence", "", [str(good), str(bad)])
        assert not ok and bad.name in message and reason in message and "Traceback" not in message
        assert _events(store_path, cid)[-1]["to_state"] == "issued"
    folder = store_path.with_name(f"{store_path.stem}_evidence")
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))
