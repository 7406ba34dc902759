"""Case evidence in the GeoPackage 田管库: photos copied content-addressed next to the store and checked
against the case polygon, adding is idempotent, rows cannot be deleted, :func:`verify` finds altered
and missing files, and the evidence stays attached while the case moves through the workflow."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
import shapely
from pyproj import Transformer

from linxia_tianguan_plugin.core import clock
from linxia_tianguan_plugin.core.cases import workflow as wf
from linxia_tianguan_plugin.core.cases.keys import case_key, case_uuid
from linxia_tianguan_plugin.storage import GpkgStore
from linxia_tianguan_plugin.storage.cases import case_events, cases, rebuilt_state, save_cases, take_action
from linxia_tianguan_plugin.storage.evidence import (
    EvidenceError,
    add_evidence,
    add_sketch,
    evidence_dir,
    evidence_for,
    evidence_path,
    unknown_attachments,
    verify,
)
from tests.unit.test_evidence import photo

EPSG = 4522
LON, LAT = 103.2, 35.6
TO_XY = Transformer.from_crs(4490, EPSG, always_xy=True)
TO_LONLAT = Transformer.from_crs(EPSG, 4490, always_xy=True)


def _beijing(moment: dt.datetime) -> str:
    """EXIF DateTimeOriginal (Beijing time, no offset) of an aware moment."""
    return moment.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y:%m:%d %H:%M:%S")


@pytest.fixture
def store(tmp_path):
    """A store with one case: a 60 × 60 m parcel centred on the photo position (103.2°E 35.6°N)."""
    s = GpkgStore(tmp_path / "tianguan.gpkg", epsg=EPSG)
    x, y = TO_XY.transform(LON, LAT)
    geom = shapely.box(x - 30, y - 30, x + 30, y + 30)
    key = case_key("survey", "B1", "", "nonagri", "0702", "", geom)
    new, _ = save_cases(s, [{"case_key": key, "case_id": case_uuid(key), "kind": "nonagri", "category": "suspect",
                             "reasons": ["on_basic_farmland"], "source": "survey", "area_m2": geom.area,
                             "geom": geom}], "BHTEST", "2025.1", {}, {}, {})
    s.case_id = new[0]
    yield s
    s.close()


@pytest.fixture
def photos(tmp_path):
    """On the parcel, 2 km east of it, and without GPS; all taken a minute from now."""
    taken = _beijing(clock.now_utc() + dt.timedelta(minutes=1))
    x, y = TO_XY.transform(LON, LAT)
    far_lon, far_lat = TO_LONLAT.transform(x + 30 + 2000, y)
    folder = tmp_path / "phone"
    folder.mkdir()
    out = {}
    for name, data in (("IMG_0001.JPG", photo(taken=taken)), ("IMG_0002.jpg", photo(">", taken=taken, lon=far_lon,
                                                                                   lat=far_lat)),
                       ("IMG_0003.jpeg", photo(taken=taken, lon=None))):
        (folder / name).write_bytes(data)
        out[name] = folder / name
    return out


def _issue(store) -> int:
    case = cases(store)[0]
    return take_action(store, case["case_id"], "issue", "县审核员", wf.COUNTY_REVIEWER, case["version"])["version"]


def _files(store) -> list[str]:
    return sorted(str(p.relative_to(evidence_dir(store))) for p in evidence_dir(store).rglob("*") if p.is_file())


def test_photos_are_stored_content_addressed_and_checked(store, photos):
    _issue(store)
    rows = add_evidence(store, store.case_id, list(photos.values()), "田管员甲")
    assert [r["name"] for r in rows] == list(photos)
    assert all(r["new"] and r["kind"] == "photo" and r["added_by"] == "田管员甲" for r in rows)
    on, far, blind = rows
    assert on["checks"]["ok"] and on["checks"]["figures"]["distance_m"] == 0.0
    assert on["lon"] == pytest.approx(LON) and on["lat"] == pytest.approx(LAT) and on["taken_at"]
    assert on["checks"]["camera"] == "HUAWEI ALN-AL00"
    assert far["checks"]["flags"] == ["far_from_case"]
    assert far["checks"]["figures"]["distance_m"] == pytest.approx(2000, abs=0.05)
    assert blind["checks"]["flags"] == ["no_position"] and blind["lon"] is None
    # files: <store stem>_evidence/<case_id>/<sha256><suffix>, with the checksum of the original
    assert evidence_dir(store) == Path(store.path).parent / "tianguan_evidence"
    for row, source in zip(rows, photos.values()):
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        assert row["sha256"] == digest and row["size"] == source.stat().st_size
        assert row["rel_path"] == f"{store.case_id}/{digest}{source.suffix.lower()}"
        assert hashlib.sha256(evidence_path(store, row["rel_path"]).read_bytes()).hexdigest() == digest
    assert len(_files(store)) == 3  # no temporary files left behind
    assert verify(store) == []


def test_adding_again_is_idempotent(store, photos, tmp_path):
    first = add_evidence(store, store.case_id, list(photos.values()), "田管员甲")
    again = add_evidence(store, store.case_id, list(photos.values()), "田管员乙")
    assert [r["evidence_id"] for r in again] == [r["evidence_id"] for r in first]
    assert not any(r["new"] for r in again) and {r["added_by"] for r in again} == {"田管员甲"}
    renamed = tmp_path / "copy of photo.jpeg"
    renamed.write_bytes(photos["IMG_0001.JPG"].read_bytes())
    same = add_evidence(store, store.case_id, [renamed, renamed], "田管员乙")
    assert [r["evidence_id"] for r in same] == [first[0]["evidence_id"]] * 2 and not same[0]["new"]
    assert len(evidence_for(store, store.case_id)) == 3 and len(_files(store)) == 3


def test_photo_checks_follow_the_case_times(store, photos):
    # before the case is issued the window has no start: only the upload time bounds it
    early = add_evidence(store, store.case_id, [photos["IMG_0001.JPG"]], "田管员甲",
                         at=(clock.now_utc() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert early[0]["checks"]["flags"] == ["outside_window"]  # "taken" an hour after it was uploaded
    window = add_evidence(store, store.case_id, [photos["IMG_0003.jpeg"]], "田管员甲",
                          patrol_window=("2030-01-01T00:00:00Z", None))
    assert window[0]["checks"]["flags"] == ["no_position", "outside_window"]


def test_other_kinds_and_sketches(store, tmp_path):
    doc = tmp_path / "现场笔录.PDF"
    doc.write_bytes(b"%PDF-1.7\n" + bytes(5000))
    row = add_evidence(store, store.case_id, [doc], "田管员甲", kind="document")[0]
    assert row["kind"] == "document" and row["checks"] is None and row["rel_path"].endswith(".pdf")
    parcel = cases(store)[0]["geom"]
    sketch = add_sketch(store, store.case_id, parcel.buffer(-5), "田管员甲", properties={"note": "建房范围"})
    assert sketch["kind"] == "sketch" and sketch["name"] == "sketch.geojson"
    assert sketch["rel_path"].endswith(".geojson") and sketch["checks"]["ok"]
    assert sketch["checks"]["figures"]["shared_m2"] == pytest.approx(50 * 50, rel=1e-3)
    assert add_sketch(store, store.case_id, parcel.buffer(-5), "田管员甲",
                      properties={"note": "建房范围"})["evidence_id"] == sketch["evidence_id"]
    text = json.loads(evidence_path(store, sketch["rel_path"]).read_text(encoding="utf-8"))
    assert text["features"][0]["properties"] == {"note": "建房范围"}
    assert len(_files(store)) == 2


def test_bad_requests_write_nothing(store, photos, tmp_path):
    with pytest.raises(EvidenceError, match="does not exist"):
        add_evidence(store, "no-such-case", list(photos.values()), "田管员甲")
    with pytest.raises(EvidenceError, match="kind"):
        add_evidence(store, store.case_id, list(photos.values()), "田管员甲", kind="video")
    with pytest.raises(EvidenceError, match="list"):
        add_evidence(store, store.case_id, photos["IMG_0001.JPG"], "田管员甲")
    with pytest.raises(EvidenceError, match="do not exist"):
        add_evidence(store, store.case_id, [photos["IMG_0001.JPG"], tmp_path / "missing.jpg"], "田管员甲")
    with pytest.raises(EvidenceError):
        evidence_path(store, "../tianguan.gpkg")
    assert evidence_for(store, store.case_id) == [] and not evidence_dir(store).exists()


def test_refusals_carry_a_kind_the_user_is_told_in_chinese(store, photos, tmp_path, qgis_app):
    """The algorithms and the case dock word a refusal from its kind and files, not from storage's English log
    text: the Chinese sentence names the file and says what to do."""
    from linxia_tianguan_plugin import i18n
    from linxia_tianguan_plugin.store_messages import evidence_message

    missing = tmp_path / "现场照片.jpg"
    fake = tmp_path / "fake.jpg"
    fake.write_text("not a photo", encoding="utf-8")
    raised = {}
    for name, call in (("missing", lambda: add_evidence(store, store.case_id, [missing], "田管员甲")),
                       ("refused", lambda: add_evidence(store, store.case_id, [fake], "田管员甲")),
                       ("unknown_case", lambda: add_evidence(store, "no-such-case", [fake], "田管员甲")),
                       ("outside", lambda: evidence_path(store, "../tianguan.gpkg"))):
        with pytest.raises(EvidenceError) as info:
            call()
        raised[name] = info.value
        assert info.value.kind == name
    assert raised["missing"].files == (str(missing),) and raised["refused"].files == ("fake.jpg",)
    assert i18n.install_translator("zh_CN"), "compiled zh_CN translation missing (make i18n)"
    try:
        texts = {name: evidence_message(err) for name, err in raised.items()}
    finally:
        i18n.remove_translator()
    assert str(missing) in texts["missing"] and "不存在" in texts["missing"]
    assert "fake.jpg" in texts["refused"] and "拒收" in texts["refused"]
    assert "no-such-case" in texts["unknown_case"] and "../tianguan.gpkg" in texts["outside"]
    assert not any("do not exist" in t or "evidence folder" in t for t in texts.values())
    assert evidence_for(store, store.case_id) == []


def test_evidence_is_never_deleted_nor_rewritten(store, photos):
    rows = add_evidence(store, store.case_id, list(photos.values()), "田管员甲")
    for sql in ("DELETE FROM tg_case_evidence", "UPDATE tg_case_evidence SET sha256 = 'x'",
                "UPDATE tg_case_evidence SET rel_path = 'elsewhere.jpg'"):
        with pytest.raises(sqlite3.DatabaseError, match="never"):
            with store.transaction() as conn:
                conn.execute(sql)
    with store.transaction() as conn:  # the checks may be redone (e.g. after the case polygon was corrected)
        conn.execute("UPDATE tg_case_evidence SET checks = '{}' WHERE evidence_id = ?", (rows[0]["evidence_id"],))
    assert len(evidence_for(store, store.case_id)) == 3


def test_verify_finds_tampered_and_missing_files(store, photos):
    on, far, blind = add_evidence(store, store.case_id, list(photos.values()), "田管员甲")
    evidence_path(store, far["rel_path"]).write_bytes(b"retouched")
    evidence_path(store, blind["rel_path"]).unlink()
    problems = {p["evidence_id"]: p for p in verify(store)}
    assert set(problems) == {far["evidence_id"], blind["evidence_id"]}
    assert problems[far["evidence_id"]]["problem"] == "checksum"
    assert problems[far["evidence_id"]]["actual"] == hashlib.sha256(b"retouched").hexdigest()
    assert problems[blind["evidence_id"]]["problem"] == "missing"
    assert verify(store, "other-case") == []
    # adding the originals again repairs the files
    add_evidence(store, store.case_id, list(photos.values()), "田管员甲")
    assert verify(store) == []


def test_evidence_survives_the_case_moving(store, photos):
    version = _issue(store)
    rows = add_evidence(store, store.case_id, list(photos.values()), "田管员甲")
    attachments = [r["rel_path"] for r in rows]
    assert unknown_attachments(store, store.case_id, attachments) == []
    assert unknown_attachments(store, store.case_id, ["photos/1.jpg"]) == ["photos/1.jpg"]
    result = take_action(store, store.case_id, "submit_evidence", "田管员甲", wf.GROUP_OFFICER, version,
                         "现场已建房", attachments)
    assert result["state"] == wf.EVIDENCED and rebuilt_state(store, store.case_id) == wf.EVIDENCED
    take_action(store, store.case_id, "report", "村田管员", wf.VILLAGE_TOWNSHIP, result["version"])
    path = store.path
    store.close()
    reopened = GpkgStore(path, create=False)
    try:
        event = [e for e in case_events(reopened, store.case_id) if e["to_state"] == wf.EVIDENCED][0]
        assert json.loads(event["attachments"]) == attachments
        assert [r["rel_path"] for r in evidence_for(reopened, store.case_id)] == attachments
        assert all(evidence_path(reopened, a).is_file() for a in attachments)
        assert verify(reopened) == []
    finally:
        reopened.close()
    store.conn = sqlite3.connect(":memory:")  # the fixture closes it again


def test_a_version_6_store_gets_the_evidence_table(tmp_path):
    old = GpkgStore(tmp_path / "old.gpkg", epsg=EPSG, target_version=6)
    assert old.schema_version == 6 and not old.has_table("tg_case_evidence")
    old.close()
    new = GpkgStore(tmp_path / "old.gpkg", create=False)
    try:
        assert new.schema_version >= 7 and new.has_table("tg_case_evidence")
        assert new.conn.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'tg_case_evidence'"
                                ).fetchone() == ("attributes",)
    finally:
        new.close()


def test_photos_are_read_with_the_reader_given_and_the_own_reader_fills_in(store, photos, qgis_app):
    """QGIS's exiv2 reader (what the field package import passes) gives the same rows as the own reader; a
    reader that finds nothing leaves the photo to the own reader, so nothing is lost."""
    from linxia_tianguan_plugin.processing.cases.exif_reader import qgis_exif_tags

    _issue(store)
    exiv2 = add_evidence(store, store.case_id, [photos["IMG_0001.JPG"]], "田管员甲", reader=qgis_exif_tags)[0]
    assert exiv2["lon"] == pytest.approx(LON) and exiv2["lat"] == pytest.approx(LAT) and exiv2["taken_at"]
    assert exiv2["checks"]["camera"] == "HUAWEI ALN-AL00" and exiv2["checks"]["ok"]
    blind = add_evidence(store, store.case_id, [photos["IMG_0002.jpg"]], "田管员甲", reader=lambda _path: None)[0]
    assert blind["checks"]["flags"] == ["far_from_case"] and blind["taken_at"]
