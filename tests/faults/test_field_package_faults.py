"""A hostile returned field package (issue 15): linked or hard-linked photos, a linked DCIM, ``../`` paths, HTML
named .jpg, empty photos, hostile zips (zip slip, link members, duplicates, zip bombs) and a bad manifest never
copy a desk file into the evidence, never write outside the extraction folder, nor move a case to 已举证; each
refusal is one conflict or warning with its reason (translated; English source text here, no translator
installed) naming the file, the rest of the package is imported, and nothing raises a traceback.

Real stores, real packages exported and edited as the phone would (the ``phone`` and ``filled_copy`` fixtures
and the helpers of ``tests/test_field_package.py``)."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import tempfile
import uuid
import zipfile
from pathlib import Path

import pytest

from linxia_tianguan_plugin.core.patrol import field_package as rules
from tests.test_field_package import _case_row, _export, _import, _issue_group, _jpeg

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="symbolic links (POSIX)")

SECRET = b"root:x:0:0:root:/root:/bin/bash\nthe county's secrets\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def _desk_secret(tmp_path: Path) -> Path:
    """A file of the desk computer outside the package (stands for /etc/passwd)."""
    secret = tmp_path / "desk_files" / "passwd"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_bytes(SECRET)
    return secret


def _evidence_files(store: Path) -> list[Path]:
    folder = store.with_name(f"{store.stem}_evidence")
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _conflicts(result: dict) -> list[dict]:
    context = result["_context"]
    table = context.getMapLayer(result["OUTPUT"]) or context.takeResultLayer(result["OUTPUT"])
    return [{f.name(): feat[f.name()] for f in table.fields()} for feat in table.getFeatures()]


def _prepared(store: Path, tmp_path, count: int = 2) -> tuple[Path, Path, list[str]]:
    """``count`` cases of a group issued in the writable ``store`` and the group's package exported."""
    grid, issued = _issue_group(store, count)
    assert len(issued) == count
    _export(store, grid, tmp_path / "packages")
    return store, tmp_path / "packages" / grid, issued


def test_hostile_photos_are_refused_one_by_one_and_the_rest_is_imported(filled_copy, tmp_path, phone):
    from tests.helpers import recording_feedback

    store, package, (good_case, bad_case) = _prepared(filled_copy, tmp_path)
    secret = _desk_secret(tmp_path)
    photo = _jpeg(package / "DCIM" / "evidence_0.jpg", 60)
    os.symlink(secret, package / "DCIM" / "evidence_1.jpg")  # a link to a desk file
    (package / "DCIM" / "page.jpg").write_bytes(HTML)  # an HTML page named .jpg
    (package / "DCIM" / "empty.jpg").write_bytes(b"")  # a 0-byte photo
    phone.evidence(package, [(good_case, "DCIM/evidence_0.jpg", "真照片"),
                              (good_case, "DCIM/evidence_1.jpg", "链接"),
                              (bad_case, "DCIM/page.jpg", "网页"),
                              (bad_case, "DCIM/empty.jpg", "空文件"),
                              (bad_case, "../../desk_files/passwd", "跳出外业包")])

    feedback = recording_feedback()
    result = _import(store, package, feedback)
    assert (result["EVIDENCE"], result["EVENTS"], result["CONFLICTS"]) == (1, 1, 4)
    # the good photo went in; the case with only refused photos did not move
    assert _case_row(store, good_case) == ("evidenced", 3)
    assert _case_row(store, bad_case) == ("issued", 2)
    with sqlite3.connect(store) as conn:
        rows = conn.execute("SELECT case_id, sha256 FROM tg_case_evidence WHERE case_id IN (?, ?)",
                            (good_case, bad_case)).fetchall()
        attachments = conn.execute("SELECT attachments FROM tg_case_event WHERE case_id = ? ORDER BY event_id DESC "
                                   "LIMIT 1", (good_case,)).fetchone()[0]
    assert rows == [(good_case, hashlib.sha256(photo).hexdigest())] and len(json.loads(attachments)) == 1
    assert all(SECRET not in p.read_bytes() and p.read_bytes() != HTML for p in _evidence_files(store))

    conflicts = {c["row"]: c for c in _conflicts(result)}
    assert {c["conflict"] for c in conflicts.values()} == {rules.REFUSED_PHOTO}
    details = sorted(c["detail"] for c in conflicts.values())
    assert any("evidence_1.jpg" in d and "symbolic link" in d for d in details)
    assert any("page.jpg" in d and "HTML" in d for d in details)
    assert any("empty.jpg" in d and "0 bytes" in d for d in details)
    assert any("passwd" in d and ".." in d and "outside" in d for d in details)  # refused, not "photo missing"
    assert all(c["reason"] and c["case_id"] for c in conflicts.values())
    assert len(feedback.warnings) >= 4 and not feedback.errors
    assert not any("Traceback" in t for t in feedback.warnings + feedback.infos)

    again = _import(store, package)  # nothing doubles; the refusals are reported again
    assert (again["EVIDENCE"], again["EVENTS"], again["CONFLICTS"]) == (0, 0, 4)


def test_a_linked_dcim_is_refused_and_a_package_one_folder_down_is_found(filled_copy, tmp_path, phone):
    from tests.helpers import recording_feedback

    store, package, (case_id,) = _prepared(filled_copy, tmp_path, 1)
    elsewhere = tmp_path / "desk_photos"
    real = _jpeg(elsewhere / "evidence_0.jpg", 120)
    shutil.rmtree(package / "DCIM", ignore_errors=True)
    os.symlink(elsewhere, package / "DCIM")  # the whole photo folder is a link out of the package
    phone.evidence(package, [(case_id, "DCIM/evidence_0.jpg", "链接的文件夹")])

    feedback = recording_feedback()
    result = _import(store, package.parent, feedback)  # the user picked the folder above the package
    assert any(package.name in info for info in feedback.infos)
    assert (result["EVIDENCE"], result["EVENTS"], result["CONFLICTS"]) == (0, 0, 1)
    [conflict] = _conflicts(result)
    assert conflict["conflict"] == rules.REFUSED_PHOTO and "DCIM" in conflict["detail"]
    assert "symbolic link" in conflict["detail"]
    assert _case_row(store, case_id) == ("issued", 2)
    assert all(p.read_bytes() != real for p in _evidence_files(store))


def test_several_packages_and_several_zips_are_named(filled_copy, tmp_path):
    store, package, _ = _prepared(filled_copy, tmp_path, 1)
    inbox = tmp_path / "from_phone"
    inbox.mkdir()
    _zip_package(package, inbox / "a.zip")
    _zip_package(package, inbox / "b.zip")
    errors = _import(store, inbox, table=False, fails=True)["errors"]
    assert "several zipped field packages" in errors and "a.zip、b.zip" in errors and "Traceback" not in errors
    twice = tmp_path / "twice"
    shutil.copytree(package, twice / "a")
    shutil.copytree(package, twice / "b")
    errors = _import(store, twice, table=False, fails=True)["errors"]
    assert "several field packages" in errors and "a、b" in errors


def test_a_bad_format_version_is_a_clear_message(filled_copy, tmp_path):
    store, package, (case_id,) = _prepared(filled_copy, tmp_path, 1)
    manifest = json.loads((package / rules.MANIFEST_NAME).read_text(encoding="utf-8"))
    for version in ("abc", None, 1.5, [], True, -1, 2):
        (package / rules.MANIFEST_NAME).write_text(json.dumps({**manifest, "format_version": version}),
                                                   encoding="utf-8")
        errors = _import(store, package, table=False, fails=True)["errors"]
        # names the field and what to do (in the QGIS language: English here, Chinese under zh — test_i18n)
        assert ("format_version" in errors or "update the plugin" in errors), (version, errors)
        assert "Traceback" not in errors and "invalid literal" not in errors
    assert _case_row(store, case_id) == ("issued", 2)


def test_read_manifest_refuses_broken_fields_with_field_package_errors():
    base = {"format": rules.FORMAT, "format_version": 1, "store_id": "s", "grid": "62292110000101",
            "exported_at": "2025-06-10T01:00:00Z", "cases": {"A": {"state": "issued", "version": 2}}}
    assert rules.read_manifest(json.dumps(base))["grid"] == base["grid"]
    said = {"format_version": "format_version", "cases": "cases", "grid": "grid"}
    for change in ({"format_version": "x"}, {"format_version": {"a": 1}}, {"cases": {"A": {"version": "two"}}},
                   {"cases": ["A"]}, {"grid": 62292110000101}, {"format_version": 99}):
        with pytest.raises(rules.FieldPackageError) as err:
            rules.read_manifest(json.dumps({**base, **change}))
        key = next(iter(change))
        assert said[key] in str(err.value) or (key == "format_version" and "99" in str(err.value)), err.value
    with pytest.raises(rules.FieldPackageError):
        rules.read_manifest("[1, 2")


# ------------------------------------------------------------------------------------------ hard links
def test_a_hard_linked_photo_of_a_desk_file_is_refused(filled_copy, tmp_path, phone):
    store, package, (case_id, other) = _prepared(filled_copy, tmp_path)
    desk_photo = tmp_path / "desk_files" / "county_secret.jpg"  # a desk file that even is a JPEG
    secret = _jpeg(desk_photo, 200)
    os.link(desk_photo, package / "DCIM" / "evidence_0.jpg")
    good = _jpeg(package / "DCIM" / "evidence_1.jpg", 30)
    phone.evidence(package, [(case_id, "DCIM/evidence_0.jpg", "硬链接"), (other, "DCIM/evidence_1.jpg", "真照片")])
    result = _import(store, package)
    assert (result["EVIDENCE"], result["EVENTS"], result["CONFLICTS"]) == (1, 1, 1)
    [conflict] = _conflicts(result)
    assert conflict["conflict"] == rules.REFUSED_PHOTO and conflict["case_id"] == case_id
    assert "evidence_0.jpg" in conflict["detail"] and "hard link" in conflict["detail"]
    assert _case_row(store, case_id) == ("issued", 2) and _case_row(store, other) == ("evidenced", 3)
    assert [p.read_bytes() for p in _evidence_files(store)] == [good] and secret != good


# ------------------------------------------------------------------------------------------ zip packages
def _zip_package(package: Path, target: Path, prefix: str = "", extra=()) -> Path:
    """Zip a package folder as a phone does (``prefix``: the folder inside the zip), then add ``extra``
    members: (ZipInfo or name, bytes)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(package.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + path.relative_to(package).as_posix())
        for info, data in extra:
            zf.writestr(info, data)
    return target


def _temp_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("tianguan-package-*")}


def test_a_zipped_package_is_extracted_imported_and_the_temporary_folder_removed(filled_copy, tmp_path, phone):
    from tests.helpers import recording_feedback

    store, package, (case_id, other) = _prepared(filled_copy, tmp_path)
    photo = _jpeg(package / "DCIM" / "evidence_0.jpg", 90)
    phone.evidence(package, [(case_id, "DCIM/evidence_0.jpg", "压缩包里的照片")])
    inbox = tmp_path / "from_phone"
    inbox.mkdir()
    archive = _zip_package(package, inbox / f"{package.name}.zip", prefix=f"{package.name}/")
    shutil.rmtree(package)  # only the zip is left
    before = _temp_folders()
    feedback = recording_feedback()
    result = _import(store, inbox, feedback)  # the folder the zip was saved in
    assert (result["EVIDENCE"], result["EVENTS"], result["CONFLICTS"]) == (1, 1, 0)
    assert _case_row(store, case_id) == ("evidenced", 3)
    assert [p.read_bytes() for p in _evidence_files(store)] == [photo]
    assert any(archive.name in i for i in feedback.infos)
    assert _temp_folders() == before  # extracted into a temporary folder, removed afterwards
    again = _import(store, archive)  # the zip file itself, a second time: nothing doubles
    assert (again["EVIDENCE"], again["EVENTS"], again["CONFLICTS"]) == (0, 0, 0)
    assert _temp_folders() == before


def test_hostile_zip_members_are_refused_by_name_and_nothing_is_written_outside(filled_copy, tmp_path, phone,
                                                                                 monkeypatch):
    from tests.helpers import recording_feedback

    monkeypatch.setattr(rules, "ZIP_MAX_MEMBER_BYTES", 1 << 20)  # 1 MB per file for the test
    store, package, (case_id, other) = _prepared(filled_copy, tmp_path)
    good = _jpeg(package / "DCIM" / "evidence_0.jpg", 70)
    phone.evidence(package, [(case_id, "DCIM/evidence_0.jpg", "真照片"),
                              (other, "DCIM/link.jpg", "链接成员"),
                              (other, "DCIM/dup.jpg", "重名成员"),
                              (other, "DCIM/huge.jpg", "超大成员")])
    token = uuid.uuid4().hex
    slip = f"../../../../../../tmp/zip_slip_{token}.jpg"
    absolute = f"/tmp/zip_abs_{token}.jpg"
    link = zipfile.ZipInfo("DCIM/link.jpg")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    first, second = zipfile.ZipInfo("DCIM/dup.jpg"), zipfile.ZipInfo("dcim/DUP.jpg")
    extra = [(slip, good), (absolute, good), ("C:/Windows/evil.jpg", good), ("..\\..\\evil_back.jpg", good),
             (link, str(tmp_path / "desk_files" / "passwd")), (first, good), (second, SECRET),
             ("DCIM/huge.jpg", b"\xff\xd8\xff" + bytes(2 << 20))]
    _desk_secret(tmp_path)
    archive = _zip_package(package, tmp_path / "hostile.zip", extra=extra)
    before = _temp_folders()
    feedback = recording_feedback()
    result = _import(store, archive, feedback)
    assert (result["EVIDENCE"], result["EVENTS"]) == (1, 1)
    assert _case_row(store, case_id) == ("evidenced", 3) and _case_row(store, other) == ("issued", 2)
    assert [p.read_bytes() for p in _evidence_files(store)] == [good]
    # nothing outside the extraction folder, and the folder is gone
    assert not Path(f"/tmp/zip_slip_{token}.jpg").exists() and not Path(absolute).exists()
    assert not list(Path("/").glob(f"*/zip_slip_{token}.jpg")) and _temp_folders() == before
    warnings = "\n".join(feedback.warnings)
    for member, why in ((slip, "outside the extraction folder"), (absolute, "absolute"),
                        ("C:/Windows/evil.jpg", "absolute"), ("..\\..\\evil_back.jpg", '".."'),
                        ("DCIM/link.jpg", "symbolic link"), ("DCIM/dup.jpg", "more than once"),
                        ("dcim/DUP.jpg", "more than once"), ("DCIM/huge.jpg", "MB")):
        assert any(member in w and why in w for w in feedback.warnings), (member, warnings)
    conflicts = {c["detail"].split("：")[0]: c for c in _conflicts(result)}
    assert set(conflicts) == {"DCIM/link.jpg", "DCIM/dup.jpg", "DCIM/huge.jpg"}
    assert all(c["conflict"] == rules.REFUSED_PHOTO for c in conflicts.values())
    assert "symbolic link" in conflicts["DCIM/link.jpg"]["detail"]
    assert "more than once" in conflicts["DCIM/dup.jpg"]["detail"]
    assert "MB" in conflicts["DCIM/huge.jpg"]["detail"]
    assert not any("Traceback" in t for t in feedback.warnings + feedback.infos)


def test_a_zip_bomb_or_a_zip_of_too_many_members_is_refused_whole(filled_copy, tmp_path, phone, monkeypatch):
    store, package, (case_id, _) = _prepared(filled_copy, tmp_path)
    _jpeg(package / "DCIM" / "evidence_0.jpg", 70)
    phone.evidence(package, [(case_id, "DCIM/evidence_0.jpg", "真照片")])
    bomb = _zip_package(package, tmp_path / "bomb.zip", extra=[("DCIM/zeros.bin", bytes(8 << 20))])
    assert bomb.stat().st_size < (1 << 20)  # 8 MB of zeros deflate to a few KB
    before = _temp_folders()
    monkeypatch.setattr(rules, "ZIP_MAX_TOTAL_BYTES", 4 << 20)
    errors = _import(store, bomb, table=False, fails=True)["errors"]
    assert "bomb.zip" in errors and "zip bomb" in errors and "Traceback" not in errors
    monkeypatch.undo()
    monkeypatch.setattr(rules, "ZIP_MAX_MEMBERS", 5)
    errors = _import(store, bomb, table=False, fails=True)["errors"]
    assert "bomb.zip" in errors and "entries" in errors
    (tmp_path / "not_a.zip").write_bytes(b"PK\x03\x04 this is no zip")
    errors = _import(store, tmp_path / "not_a.zip", table=False, fails=True)["errors"]
    assert "not_a.zip" in errors and "Traceback" not in errors
    assert _case_row(store, case_id) == ("issued", 2) and not _evidence_files(store) and _temp_folders() == before


def test_zip_plan_and_extract_zip_on_their_own(tmp_path):
    archive = tmp_path / "a.zip"
    link = zipfile.ZipInfo("DCIM/l.jpg")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("pkg/DCIM/ok.jpg", b"\xff\xd8\xff ok")
        zf.writestr("pkg/DCIM/", b"")
        zf.writestr("../up.jpg", b"x")
        zf.writestr(link, "/etc/passwd")
        zf.writestr("a/b.jpg", b"1")
        zf.writestr("A/B.JPG", b"2")
    dest = tmp_path / "out"
    dest.mkdir()
    refused = rules.extract_zip(archive, dest)
    assert sorted(r.member for r in refused) == ["../up.jpg", "A/B.JPG", "DCIM/l.jpg", "a/b.jpg"]
    assert all(r.member in r.reason for r in refused)
    written = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert written == ["pkg/DCIM/ok.jpg"] and not (tmp_path / "up.jpg").exists()
    assert not any(p.is_symlink() for p in dest.rglob("*"))
    assert [rules.zip_member_path(n) for n in ("a/./b", "/x", "c:x", "a/../b", "a\\b", "a:b", "a\x00b")] == [
        "a/b", None, None, None, "a/b", None, None]
