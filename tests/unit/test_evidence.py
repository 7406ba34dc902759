"""举证照片 EXIF and checks on JPEGs built in memory with hand-written EXIF (both byte orders, with and
without GPS and time, truncated, damaged, not a JPEG at all): values as written, flags when they should."""
from __future__ import annotations

import hashlib
import math
import random
import struct

import pytest
import shapely
from pyproj import Transformer

from linxia_tianguan_plugin.core.cases.evidence import (
    PhotoInfo,
    check_photo,
    check_sketch,
    exif_segment,
    read_exif,
    read_sketch,
    sha256,
    sketch_geojson,
)

EPSG = 4522  # CGCS2000 3-degree GK zone 34 (x prefixed), the county's CRS near 103.2°E
LON, LAT = 103.2, 35.6


# ------------------------------------------------------------------------------------ EXIF builder
def ascii_(text: str):
    raw = text.encode("ascii") + b"\x00"
    return 2, len(raw), raw


def rationals(*pairs: tuple[int, int], endian: str = "<"):
    return 5, len(pairs), b"".join(struct.pack(endian + "II", n, d) for n, d in pairs)


def dms(value: float, endian: str):
    """Degrees, minutes and seconds (×1000) as three rationals, the way phones write them."""
    deg = int(value)
    minutes = int((value - deg) * 60)
    seconds = round(((value - deg) * 60 - minutes) * 60 * 1000)
    return rationals((deg, 1), (minutes, 1), (seconds, 1000), endian=endian)


def ifd(endian: str, entries: dict, start: int) -> bytes:
    """One IFD at offset ``start`` of the TIFF block, its long values right after it."""
    n = len(entries)
    data_at = start + 2 + 12 * n + 4
    head, extra = struct.pack(endian + "H", n), b""
    for tag in sorted(entries):
        kind, count, payload = entries[tag]
        if len(payload) <= 4:
            head += struct.pack(endian + "HHI", tag, kind, count) + payload.ljust(4, b"\x00")
        else:
            head += struct.pack(endian + "HHII", tag, kind, count, data_at + len(extra))
            extra += payload + (b"\x00" if len(payload) % 2 else b"")
    return head + struct.pack(endian + "I", 0) + extra


def tiff(endian: str = "<", ifd0: dict | None = None, exif: dict | None = None, gps: dict | None = None) -> bytes:
    order = b"II" if endian == "<" else b"MM"
    ifd0 = dict(ifd0 or {})
    long_ = 4  # LONG
    if exif is not None:
        ifd0[0x8769] = (long_, 1, struct.pack(endian + "I", 0))
    if gps is not None:
        ifd0[0x8825] = (long_, 1, struct.pack(endian + "I", 0))
    first = ifd(endian, ifd0, 8)  # pointers do not change the size: lay out, then fill them in
    at = 8 + len(first)
    blocks = []
    for tag, sub in ((0x8769, exif), (0x8825, gps)):
        if sub is not None:
            ifd0[tag] = (long_, 1, struct.pack(endian + "I", at))
            block = ifd(endian, sub, at)
            blocks.append(block)
            at += len(block)
    return order + struct.pack(endian + "HI", 42, 8) + ifd(endian, ifd0, 8) + b"".join(blocks)


def jpeg(tiff_block: bytes | None) -> bytes:
    """A small JPEG: SOI, JFIF APP0, the EXIF APP1, a quantisation table, start of scan, data, EOI."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    out = b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0
    if tiff_block is not None:
        body = b"Exif\x00\x00" + tiff_block
        out += b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    dqt = bytes(65)
    out += b"\xff\xdb" + struct.pack(">H", len(dqt) + 2) + dqt
    sos = b"\x01\x01\x00\x00\x3f\x00"
    return out + b"\xff\xda" + struct.pack(">H", len(sos) + 2) + sos + bytes(range(200)) + b"\xff\xd9"


def photo(endian: str = "<", taken: str | None = "2025:06:10 09:30:00", offset: str | None = None,
          lon: float | None = LON, lat: float | None = LAT, gps_time: tuple[str, tuple] | None = None,
          lat_ref: str = "N", lon_ref: str = "E") -> bytes:
    ifd0 = {0x010F: ascii_("HUAWEI"), 0x0110: ascii_("ALN-AL00")}
    exif = {}
    if taken is not None:
        exif[0x9003] = ascii_(taken)
    if offset is not None:
        exif[0x9011] = ascii_(offset)
    gps = None
    if lon is not None:
        gps = {0x0001: ascii_(lat_ref), 0x0002: dms(lat, endian), 0x0003: ascii_(lon_ref), 0x0004: dms(lon, endian)}
    if gps_time is not None:
        gps = gps or {}
        date, (h, m, s) = gps_time
        gps[0x001D] = ascii_(date)
        gps[0x0007] = rationals((h, 1), (m, 1), (s, 1), endian=endian)
    return jpeg(tiff(endian, ifd0, exif, gps))


# --------------------------------------------------------------------------------------- reading
@pytest.mark.parametrize("endian", ["<", ">"])
def test_time_position_and_camera_in_both_byte_orders(endian):
    info = read_exif(photo(endian))
    assert info.has_exif and info.has_position
    assert info.taken_at == "2025-06-10T01:30:00Z"  # no offset: Beijing time
    assert info.time_source == "original"
    assert info.lat == pytest.approx(LAT, abs=1e-7) and info.lon == pytest.approx(LON, abs=1e-7)
    assert (info.make, info.model) == ("HUAWEI", "ALN-AL00")


def test_both_byte_orders_read_the_same():
    a = read_exif(photo("<", gps_time=("2025:06:10", (1, 29, 58))))
    b = read_exif(photo(">", gps_time=("2025:06:10", (1, 29, 58))))
    assert a == b and a.gps_time == "2025-06-10T01:29:58Z"


def test_offset_time_original_is_honoured():
    assert read_exif(photo(offset="+05:00")).taken_at == "2025-06-10T04:30:00Z"
    assert read_exif(photo(offset="+00:00")).taken_at == "2025-06-10T09:30:00Z"
    assert read_exif(photo(">", offset="-03:30")).taken_at == "2025-06-10T13:00:00Z"
    assert read_exif(photo(offset="garbage")).taken_at == "2025-06-10T01:30:00Z"  # unreadable: Beijing


def test_without_gps_and_without_time():
    info = read_exif(photo(lon=None))
    assert info.has_exif and not info.has_position and math.isnan(info.lon) and math.isnan(info.lat)
    assert info.taken_at == "2025-06-10T01:30:00Z"
    info = read_exif(photo(taken=None))
    assert info.taken_at == "" and info.time_source == "" and info.has_position
    assert read_exif(photo(taken="0000:00:00 00:00:00")).taken_at == ""
    assert read_exif(photo(taken="    :  :     :  :  ")).taken_at == ""


def test_gps_time_stands_in_for_a_missing_original_time():
    info = read_exif(photo(">", taken=None, gps_time=("2025:06:10", (23, 5, 7))))
    assert (info.taken_at, info.time_source, info.gps_time) == ("2025-06-10T23:05:07Z", "gps", "2025-06-10T23:05:07Z")


def test_southern_and_western_references_are_negative():
    info = read_exif(photo(lat_ref="S", lon_ref="W"))
    assert info.lat == pytest.approx(-LAT) and info.lon == pytest.approx(-LON)


def test_null_island_and_impossible_coordinates_are_no_position():
    assert not read_exif(photo(lon=0.0, lat=0.0)).has_position
    assert not read_exif(photo(lat=95.0)).has_position
    zero_denominator = jpeg(tiff("<", {}, {}, {0x0001: ascii_("N"), 0x0002: rationals((35, 0), (36, 1), (0, 1)),
                                              0x0003: ascii_("E"), 0x0004: rationals((103, 1), (12, 1), (0, 1))}))
    info = read_exif(zero_denominator)
    assert info.has_exif and not info.has_position


def test_jpeg_without_exif_and_other_files_give_empty_info():
    empty = PhotoInfo()
    assert read_exif(jpeg(None)) == empty
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    for data in (b"", b"\xff", b"\xff\xd8", png, b"%PDF-1.7\n", bytes(1000), None, "not bytes"):
        assert read_exif(data) == empty
    assert exif_segment(png) is None
    assert read_exif(jpeg(b"XX*\x00\x08\x00\x00\x00")) == empty  # neither II nor MM
    assert read_exif(jpeg(b"II\x2b\x00\x08\x00\x00\x00")) == empty  # not 42


def test_truncated_at_every_byte_never_raises():
    data = photo(">", gps_time=("2025:06:10", (1, 29, 58)))
    full = read_exif(data)
    for cut in range(len(data)):
        info = read_exif(data[:cut])
        assert isinstance(info, PhotoInfo)
        if info.has_position:  # whatever is read is read right
            assert (info.lon, info.lat) == (full.lon, full.lat)
        if info.taken_at:
            assert info.taken_at in (full.taken_at, full.gps_time)
    # cut after the EXIF segment, in the image data: everything is there
    assert read_exif(data[:data.index(b"\xff\xdb")]) == full


def test_damaged_bytes_never_raise():
    data = bytearray(photo("<", gps_time=("2025:06:10", (1, 29, 58))))
    rng = random.Random(7)
    for _ in range(3000):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            damaged[rng.randrange(2, 260)] = rng.randrange(256)
        assert isinstance(read_exif(bytes(damaged)), PhotoInfo)


def test_huge_ifd_counts_and_offsets_are_ignored():
    block = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 60000) + bytes(20)
    assert read_exif(jpeg(block)) == PhotoInfo(has_exif=True)
    block = b"MM\x00*" + struct.pack(">I", 0xFFFFFFF0)
    assert read_exif(jpeg(block)) == PhotoInfo(has_exif=True)


def test_sha256_is_the_hex_digest():
    assert sha256(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert sha256(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


# ---------------------------------------------------------------------------------------- checks
@pytest.fixture(scope="module")
def parcel():
    """A 60 × 60 m case polygon centred on the photo position (projected to EPSG:4522)."""
    x, y = Transformer.from_crs(4490, EPSG, always_xy=True).transform(LON, LAT)
    return shapely.box(x - 30, y - 30, x + 30, y + 30)


def _at(lon: float, lat: float, **kw) -> PhotoInfo:
    return PhotoInfo(taken_at=kw.pop("taken_at", "2025-06-10T01:30:00Z"), lon=lon, lat=lat, has_exif=True,
                     time_source="original", **kw)


def test_photo_on_the_parcel_after_detection_is_ok(parcel):
    result = check_photo(read_exif(photo()), parcel, EPSG, ("2025-06-09T00:00:00Z", "2025-06-11T00:00:00Z"),
                         detected_at="2025-06-01T00:00:00Z")
    assert result["ok"] and result["flags"] == []
    f = result["figures"]
    assert f["distance_m"] == 0.0 and f["taken_at"] == "2025-06-10T01:30:00Z"
    assert f["hours_after_detection"] == pytest.approx(217.5)
    assert shapely.Point(f["x"], f["y"]).within(parcel)


def test_distance_to_the_parcel(parcel):
    to_lonlat = Transformer.from_crs(EPSG, 4490, always_xy=True)
    cx, cy = parcel.centroid.x, parcel.centroid.y
    near = check_photo(_at(*to_lonlat.transform(cx + 30 + 80, cy)), parcel, EPSG)
    assert near["figures"]["distance_m"] == pytest.approx(80, abs=0.01) and near["ok"]
    far = check_photo(_at(*to_lonlat.transform(cx + 30 + 2000, cy)), parcel, EPSG)
    assert far["flags"] == ["far_from_case"] and far["figures"]["distance_m"] == pytest.approx(2000, abs=0.01)
    assert check_photo(_at(*to_lonlat.transform(cx + 30 + 80, cy)), parcel, EPSG, max_distance_m=50)["flags"] == [
        "far_from_case"]
    # no case polygon: the distance cannot be known, and is not made up
    assert check_photo(_at(LON, LAT), None, EPSG)["figures"]["distance_m"] is None


def test_missing_position_time_and_exif(parcel):
    assert check_photo(read_exif(photo(lon=None)), parcel, EPSG)["flags"] == ["no_position"]
    assert check_photo(read_exif(photo(taken=None)), parcel, EPSG, ("2025-06-09T00:00:00Z", None),
                       detected_at="2025-06-01T00:00:00Z")["flags"] == ["no_time"]
    result = check_photo(read_exif(b"\x89PNG\r\n\x1a\n"), parcel, EPSG, detected_at="2025-06-01T00:00:00Z")
    assert result["flags"] == ["no_exif", "no_position", "no_time"] and not result["ok"]


def test_before_detection_and_outside_window(parcel):
    info = _at(LON, LAT, taken_at="2025-06-10T01:30:00Z")
    assert check_photo(info, parcel, EPSG, detected_at="2025-06-12T00:00:00Z")["flags"] == ["before_detection"]
    assert check_photo(info, parcel, EPSG, ("2025-06-11T00:00:00Z", None))["flags"] == ["outside_window"]
    assert check_photo(info, parcel, EPSG, (None, "2025-06-10T00:00:00Z"))["flags"] == ["outside_window"]
    assert check_photo(info, parcel, EPSG, ("2025-06-10T00:00:00Z", "2025-06-10T02:00:00Z"))["ok"]
    # clocks disagree a little: within the tolerance (300 s) is still on time
    assert check_photo(info, parcel, EPSG, ("2025-06-10T01:34:00Z", None), detected_at="2025-06-10T01:34:00Z")["ok"]
    late = check_photo(info, parcel, EPSG, ("2025-06-10T01:34:00Z", None), detected_at="2025-06-10T01:34:00Z",
                       tolerance_s=0)
    assert late["flags"] == ["before_detection", "outside_window"]


def test_clock_skew_between_camera_and_gps(parcel):
    info = read_exif(photo(gps_time=("2025:06:10", (0, 30, 0))))
    assert check_photo(info, parcel, EPSG)["figures"]["clock_skew_s"] == 3600.0


def test_sketch_geojson_round_trip_and_checks(parcel):
    data = sketch_geojson(parcel, EPSG, {"officer": "田管员甲"})
    assert data == sketch_geojson(parcel, EPSG, {"officer": "田管员甲"})  # same drawing, same bytes
    back = read_sketch(data)
    assert shapely.hausdorff_distance(back, parcel) < 0.001
    assert b"EPSG::4522" in data
    inside = check_sketch(parcel.buffer(-10), parcel)
    assert inside["ok"] and inside["figures"]["shared_m2"] == pytest.approx(1600, rel=1e-6)
    away = check_sketch(shapely.affinity.translate(parcel, 500, 0), parcel)
    assert away["flags"] == ["far_from_case"] and away["figures"]["distance_m"] == pytest.approx(440)
    assert read_sketch(b"not json") is None
