"""Hostile evidence files (issue 15): links, hard links, HTML named .jpg, empty photos and broken EXIF never
reach the county's evidence nor raise a traceback; each refusal says why (translated: English source text,
Chinese under zh_CN).

Real files and a real 田管库 (the fixtures of ``tests/test_evidence_store.py``); EXIF built by the
hand-written builder of ``tests/unit/test_evidence.py`` and fuzzed with a fixed seed, and EXIF written by
Pillow and by QGIS (exiv2) — tools the plugin did not write — read by both readers: QGIS's exiv2
(``processing/cases/exif_reader.py``, the primary one) and the plugin's own (the fallback)."""
from __future__ import annotations

import math
import os
import random
import struct
import time
from pathlib import Path

import pytest

from linxia_tianguan_plugin.core.cases import evidence as core
from linxia_tianguan_plugin.core.cases.evidence import check_file, read_exif
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
    assert "HTML" in check_file(tmp_path / "page.jpg") and "not a JPEG" in check_file(tmp_path / "page.jpg")
    assert "0 bytes" in check_file(tmp_path / "empty.jpg")
    assert check_file(tmp_path / "gone.jpg") == core.MISSING
    assert "regular file" in check_file(tmp_path)
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
    assert "symbolic link" in check_file(package / "DCIM" / "evidence_1.jpg", package)
    assert "symbolic link" in check_file(package / "DCIM" / "evidence_1.jpg")  # without a root, too
    assert "symbolic link" in check_file(package / "DCIM" / "inside_link.jpg", package)  # even pointing inside
    assert "PHOTOS" in check_file(package / "PHOTOS" / "evidence_2.jpg", package)
    assert "outside" in check_file(package / ".." / "elsewhere" / "evidence_2.jpg", package)
    assert "outside" in check_file(tmp_path / "elsewhere" / "evidence_2.jpg", package)


# ------------------------------------------------------------------------------------ add_evidence
@needs_links
def test_add_evidence_refuses_a_link_to_a_desk_file_and_stores_nothing(store, photos, tmp_path):  # noqa: F811
    link = tmp_path / "phone" / "IMG_0009.jpg"
    os.symlink(_outside(tmp_path), link)
    with pytest.raises(EvidenceError, match="symbolic link") as err:
        add_evidence(store, store.case_id, [photos["IMG_0001.JPG"], link], "田管员甲")
    assert "IMG_0009.jpg" in str(err.value)
    assert evidence_for(store, store.case_id) == [] and not evidence_dir(store).exists()


@pytest.mark.parametrize("name, data, kind, reason", [
    ("IMG_0010.jpg", HTML, "photo", "HTML"),
    ("IMG_0011.jpg", b"", "photo", "0 bytes"),
    ("现场笔录.pdf", b"<html>minutes</html>", "document", "not a JPEG"),
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
    for bad, reason in ((link, "symbolic link"), (page, "HTML")):
        (_, ok, message), = d.take("submit_evidence", "", [str(good), str(bad)])
        assert not ok and bad.name in message and reason in message and "Traceback" not in message
        assert _events(store_path, cid)[-1]["to_state"] == "issued"
    folder = store_path.with_name(f"{store_path.stem}_evidence")
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


# ------------------------------------------------------------------------------------ hard links
@needs_links
def test_a_hard_link_to_a_desk_file_is_refused_like_a_symbolic_link(tmp_path):
    secret = tmp_path / "desk" / "evidence.jpg"  # a desk file that even looks like a photo
    secret.parent.mkdir(parents=True)
    secret.write_bytes(photo())
    package = tmp_path / "package"
    (package / "DCIM").mkdir(parents=True)
    os.link(secret, package / "DCIM" / "evidence_0.jpg")
    (package / "DCIM" / "evidence_1.jpg").write_bytes(photo())
    reason = check_file(package / "DCIM" / "evidence_0.jpg", package)
    assert reason and "hard link" in reason and "evidence_0.jpg" in reason and "2" in reason
    assert check_file(package / "DCIM" / "evidence_1.jpg", package) is None
    from linxia_tianguan_plugin.core.patrol.field_package import photo_file

    assert photo_file(str(package), "DCIM/evidence_0.jpg") == (None, reason)


# ------------------------------------------------------------------------------------ reasons are translated
def test_refusal_reasons_go_through_the_installed_translator_and_are_extracted(tmp_path, qgis_app):
    import importlib.util

    from linxia_tianguan_plugin.processing.cases import exif_reader

    (tmp_path / "empty.jpg").write_bytes(b"")
    core.use_translator(lambda text: "【译】" + text)
    try:
        assert check_file(tmp_path / "empty.jpg").startswith("【译】the file is empty")
    finally:
        exif_reader.install()
    spec = importlib.util.spec_from_file_location("i18n_tool", Path(__file__).parents[2] / "tools" / "i18n.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    sources, problems = tool.extract_sources()
    assert not problems
    assert check_file(tmp_path / "empty.jpg") in sources  # tools/i18n.py sees core's tr() texts


def test_under_zh_cn_the_reasons_are_chinese_once_translated(tmp_path, qgis_app):
    from qgis.PyQt.QtCore import QCoreApplication

    from linxia_tianguan_plugin import i18n
    from linxia_tianguan_plugin.processing.cases import exif_reader

    exif_reader.install()
    source = "the file is empty (0 bytes), not a photo or document; not accepted"
    assert i18n.install_translator("zh_CN")
    try:
        if QCoreApplication.translate(i18n.CONTEXT, source) == source:
            pytest.skip("the zh_CN translation of the new reasons is not compiled yet (tools/i18n.py apply)")
        (tmp_path / "empty.jpg").write_bytes(b"")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in check_file(tmp_path / "empty.jpg"))
    finally:
        i18n.remove_translator()


# ------------------------------------------------------------------------------------ QGIS's exiv2 reader
def _pil_photo(path: Path, taken: str | None = "2025:06:10 09:30:00", offset: str | None = "+08:00",
               lat=(35, 36, 12.5), lon=(103, 12, 34.25), refs=("N", "E"), gps_time=(1, 29, 58),
               gps_date: str | None = "2025:06:10", make: str | None = "HUAWEI", model: str | None = "P40") -> Path:
    """A JPEG with EXIF written by Pillow (not by this plugin)."""
    from PIL import Image

    exif = Image.Exif()
    if make:
        exif[0x010F] = make
    if model:
        exif[0x0110] = model
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    if offset:
        exif.get_ifd(0x8769)[0x9011] = offset
    if lat is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = refs[0], tuple(float(v) for v in lat), refs[1], tuple(float(v) for v in lon)
        if gps_time:
            gps[7] = tuple(float(v) for v in gps_time)
        if gps_date:
            gps[29] = gps_date
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (24, 16), (40, 140, 60)).save(path, exif=exif)
    return path


def _same(a: core.PhotoInfo, b: core.PhotoInfo) -> bool:
    da, db = a.to_dict(), b.to_dict()
    for key in ("lon", "lat"):
        if (da[key] is None) != (db[key] is None):
            return False
        if da[key] is not None and abs(da[key] - db[key]) > 1e-9:
            return False
        da[key] = db[key] = None
    return da == db


def test_qgis_reader_and_own_reader_agree_on_photos_tagged_by_pillow_and_by_qgis(tmp_path, qgis_app):
    from qgis.core import QgsExifTools, QgsPointXY

    from linxia_tianguan_plugin.processing.cases.exif_reader import qgis_exif_tags

    variants = {
        "full.jpg": {},
        "south_west.jpg": {"refs": ("S", "W"), "offset": "-03:30"},
        "no_offset.jpg": {"offset": None},
        "no_time.jpg": {"taken": None, "offset": None},
        "no_gps.jpg": {"lat": None},
        "gps_only_time.jpg": {"taken": None, "offset": None, "make": None, "model": None},
    }
    files = [_pil_photo(tmp_path / name, **kw) for name, kw in variants.items()]
    # geotagged by QGIS itself (exiv2 writes it)
    from PIL import Image

    tagged = tmp_path / "qgis_tagged.jpg"
    Image.new("RGB", (24, 16)).save(tagged)
    details = QgsExifTools.GeoTagDetails()
    details.elevation = 1900.0
    assert QgsExifTools.geoTagImage(str(tagged), QgsPointXY(103.2051, 35.6012), details)
    assert QgsExifTools.tagImage(str(tagged), "Exif.Photo.DateTimeOriginal", "2025:06:10 09:30:00")
    assert QgsExifTools.tagImage(str(tagged), "Exif.Image.Make", "HONOR")
    files.append(tagged)
    for path in files:
        own = read_exif(path.read_bytes())
        qgis = core.photo_info(qgis_exif_tags(path))
        assert _same(own, qgis), (path.name, own, qgis)
        assert _same(core.read_photo(path, qgis_exif_tags), own)
    full = core.photo_info(qgis_exif_tags(files[0]))
    assert full.taken_at == "2025-06-10T01:30:00Z" and full.gps_time == "2025-06-10T01:29:58Z"
    assert full.lat == pytest.approx(35 + 36 / 60 + 12.5 / 3600) and full.make == "HUAWEI"
    south = core.photo_info(qgis_exif_tags(files[1]))
    assert south.lat < 0 and south.lon < 0 and south.taken_at == "2025-06-10T13:00:00Z"
    assert core.photo_info(qgis_exif_tags(tagged)).lon == pytest.approx(103.2051, abs=1e-7)


def test_each_tag_fails_on_its_own_in_the_qgis_reader(tmp_path, qgis_app):
    from linxia_tianguan_plugin.processing.cases.exif_reader import qgis_exif_tags

    for name, kw in {"year_one.jpg": {"taken": "0001:01:01 00:00:00"},
                     "garbage_time.jpg": {"taken": "yesterday at noon"},
                     "bad_date.jpg": {"taken": "2025:13:45 99:99:99"}}.items():
        path = _pil_photo(tmp_path / name, **kw)
        info = core.photo_info(qgis_exif_tags(path))
        assert info.has_position and info.lat == pytest.approx(35 + 36 / 60 + 12.5 / 3600), name
        assert info.taken_at == "2025-06-10T01:29:58Z" and info.time_source == "gps", name  # the GPS time stands
        assert _same(core.read_photo(path, qgis_exif_tags), read_exif(path.read_bytes()))
    bad_gps = _pil_photo(tmp_path / "bad_gps.jpg", lat=(95, 70, 80))
    info = core.read_photo(bad_gps, qgis_exif_tags)
    assert not info.has_position and info.taken_at == "2025-06-10T01:30:00Z" and info.make == "HUAWEI"


def test_the_own_reader_takes_over_when_the_primary_raises_finds_nothing_or_lacks_a_tag(tmp_path):
    path = tmp_path / "p.jpg"
    path.write_bytes(photo(gps_time=("2025:06:10", (1, 29, 58))))
    own = read_exif(path.read_bytes())
    assert own.has_position and own.time_source == "original"

    def raising(_path):
        raise RuntimeError("exiv2 exception")

    assert core.read_photo(path, raising) == own
    assert core.read_photo(path, lambda _p: None) == own
    assert core.read_photo(path, lambda _p: {}) == own
    partial = core.read_photo(path, lambda _p: {"make": "OPPO", "lat": "north"})  # a tag it could not convert
    assert partial.make == "OPPO" and partial.has_position and partial.taken_at == own.taken_at
    assert core.read_photo(tmp_path / "gone.jpg", raising) == core.PhotoInfo()


def test_fuzzed_photos_never_raise_through_the_qgis_reader(tmp_path, qgis_app):
    from linxia_tianguan_plugin.processing.cases.exif_reader import qgis_exif_tags

    rng = random.Random(1515)
    seeds = [photo(gps_time=("2025:06:10", (1, 29, 58))), photo(">", offset="+08:00"),
             photo(taken="2025:06:10 09:30:00", lat_ref="S", lon_ref="W"),
             _pil_photo(tmp_path / "seed.jpg").read_bytes()]
    start, free, end = _layout(seeds[0])
    began = time.monotonic()
    path = tmp_path / "fuzz.jpg"
    n = 0
    while n < 1200 and time.monotonic() - began < 12.0:  # bounded: the suite stays fast on slow desks
        data = bytearray(seeds[n % len(seeds)])
        targeted = n % 8 == 0
        for _ in range(rng.choice((1, 1, 2, 4, 8))):
            at = rng.choice(list(free) + list(range(end, len(data)))) if targeted else rng.randrange(len(data))
            data[at] = rng.choice((0x00, 0xFF, 0x30, 0x39, 0x80, rng.randrange(256)))
        if n % 5 == 4 and not targeted:  # truncated on the way
            data = data[:rng.randrange(len(data))]
        path.write_bytes(bytes(data))
        qgis_exif_tags(path)  # exiv2 itself: its errors are caught by QGIS, nothing raises
        info = core.read_photo(path, qgis_exif_tags)  # never raises
        assert isinstance(info, core.PhotoInfo)
        if targeted:
            assert info.has_position, (n, bytes(data).hex())
            assert info.lat == pytest.approx(LAT, abs=1e-7) and info.lon == pytest.approx(LON, abs=1e-7)
        n += 1
    assert n >= 200
