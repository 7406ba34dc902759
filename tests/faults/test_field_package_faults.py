"""A hostile returned field package (issue 15): linked photos or DCIM, ``../`` paths, HTML named .jpg, empty
photos and a bad manifest never copy a desk file into the evidence nor move a case to 已举证; each refusal
is one conflict with its Chinese reason, the rest of the package is imported, and nothing raises a traceback.

Real stores, real packages exported and edited as the phone would (the helpers of
``tests/test_field_package.py``)."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from linxia_tianguan_plugin.core import field_package as rules
from tests.test_field_package import _case_row, _export, _import, _issue_group, _jpeg, _phone_evidence, _store_copy

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


def _prepared(filled_store, tmp_path, count: int = 2) -> tuple[Path, Path, list[str]]:
    store = _store_copy(filled_store, tmp_path / "desk")
    grid, issued = _issue_group(store, count)
    assert len(issued) == count
    _export(store, grid, tmp_path / "packages")
    return store, tmp_path / "packages" / grid, issued


def test_hostile_photos_are_refused_one_by_one_and_the_rest_is_imported(filled_store, tmp_path):
    from tests.helpers import recording_feedback

    store, package, (good_case, bad_case) = _prepared(filled_store, tmp_path)
    secret = _desk_secret(tmp_path)
    photo = _jpeg(package / "DCIM" / "evidence_0.jpg", 60)
    os.symlink(secret, package / "DCIM" / "evidence_1.jpg")  # a link to a desk file
    (package / "DCIM" / "page.jpg").write_bytes(HTML)  # an HTML page named .jpg
    (package / "DCIM" / "empty.jpg").write_bytes(b"")  # a 0-byte photo
    _phone_evidence(package, [(good_case, "DCIM/evidence_0.jpg", "真照片"),
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
    assert any("evidence_1.jpg" in d and "符号链接" in d for d in details)
    assert any("page.jpg" in d and "HTML" in d for d in details)
    assert any("empty.jpg" in d and "0 字节" in d for d in details)
    assert any("passwd" in d and ".." in d and "之外" in d for d in details)  # refused, not "photo missing"
    assert all(c["reason"] and c["case_id"] for c in conflicts.values())
    assert len(feedback.warnings) >= 4 and not feedback.errors
    assert not any("Traceback" in t for t in feedback.warnings + feedback.infos)

    again = _import(store, package)  # nothing doubles; the refusals are reported again
    assert (again["EVIDENCE"], again["EVENTS"], again["CONFLICTS"]) == (0, 0, 4)


def test_a_linked_dcim_is_refused_and_a_package_one_folder_down_is_found(filled_store, tmp_path):
    from tests.helpers import recording_feedback

    store, package, (case_id,) = _prepared(filled_store, tmp_path, 1)
    elsewhere = tmp_path / "desk_photos"
    real = _jpeg(elsewhere / "evidence_0.jpg", 120)
    shutil.rmtree(package / "DCIM", ignore_errors=True)
    os.symlink(elsewhere, package / "DCIM")  # the whole photo folder is a link out of the package
    _phone_evidence(package, [(case_id, "DCIM/evidence_0.jpg", "链接的文件夹")])

    feedback = recording_feedback()
    result = _import(store, package.parent, feedback)  # the user picked the folder above the package
    assert any(package.name in info for info in feedback.infos)
    assert (result["EVIDENCE"], result["EVENTS"], result["CONFLICTS"]) == (0, 0, 1)
    [conflict] = _conflicts(result)
    assert conflict["conflict"] == rules.REFUSED_PHOTO and "DCIM" in conflict["detail"]
    assert "符号链接" in conflict["detail"]
    assert _case_row(store, case_id) == ("issued", 2)
    assert all(p.read_bytes() != real for p in _evidence_files(store))


def test_a_zipped_package_and_several_packages_are_named(filled_store, tmp_path):
    store, package, _ = _prepared(filled_store, tmp_path, 1)
    phone = tmp_path / "from_phone"
    phone.mkdir()
    shutil.make_archive(str(phone / package.name), "zip", package)
    errors = _import(store, phone, table=False, fails=True)["errors"]
    assert f"{package.name}.zip" in errors and "unzip" in errors and "Traceback" not in errors
    twice = tmp_path / "twice"
    shutil.copytree(package, twice / "a")
    shutil.copytree(package, twice / "b")
    errors = _import(store, twice, table=False, fails=True)["errors"]
    assert "several field packages" in errors and "a、b" in errors


def test_a_bad_format_version_is_a_clear_message(filled_store, tmp_path):
    store, package, (case_id,) = _prepared(filled_store, tmp_path, 1)
    manifest = json.loads((package / rules.MANIFEST_NAME).read_text(encoding="utf-8"))
    for version in ("abc", None, 1.5, [], True, -1, 2):
        (package / rules.MANIFEST_NAME).write_text(json.dumps({**manifest, "format_version": version}),
                                                   encoding="utf-8")
        errors = _import(store, package, table=False, fails=True)["errors"]
        assert ("格式版本" in errors or "比本插件" in errors), (version, errors)
        assert "Traceback" not in errors and "invalid literal" not in errors
    assert _case_row(store, case_id) == ("issued", 2)


def test_read_manifest_refuses_broken_fields_with_field_package_errors():
    base = {"format": rules.FORMAT, "format_version": 1, "store_id": "s", "grid": "62292110000101",
            "exported_at": "2025-06-10T01:00:00Z", "cases": {"A": {"state": "issued", "version": 2}}}
    assert rules.read_manifest(json.dumps(base))["grid"] == base["grid"]
    for change in ({"format_version": "x"}, {"format_version": {"a": 1}}, {"cases": {"A": {"version": "two"}}},
                   {"cases": ["A"]}, {"grid": 62292110000101}, {"format_version": 99}):
        with pytest.raises(rules.FieldPackageError) as err:
            rules.read_manifest(json.dumps({**base, **change}))
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))  # says it in Chinese
    with pytest.raises(rules.FieldPackageError):
        rules.read_manifest("[1, 2")
