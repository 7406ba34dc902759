"""码上查 static site (``qr_labels`` SITE, :mod:`linxia_tianguan_plugin.core.coding.site`): a page for every chosen
parcel and group at the address its QR code holds, read back with the standard library's HTML parser (not the
writer's templates), the values checked against SQL on the store, hostile names escaped, and the folder written
atomically (a failed, cancelled or refused run leaves the previous site and nothing else)."""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import shutil
import sqlite3
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.helpers import recording_feedback, run, store_copy
from tests.helpers import sql_rows as _sql

AS_OF = "2025-07-20"
BASE = "https://tianguan.example.cn/kjm/"  # the coding's default QR template minus {code}, written out on purpose
HOSTILE = '<script>alert("社")</script>'


class Page(HTMLParser):
    """What a browser would show of a page: its text (not the title), the table rows (header cell → data cell
    text), the badges, the links and every start tag seen."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[str] = []
        self.rows: dict[str, str] = {}
        self.meta: list[dict] = []
        self.chunks: list[str] = []
        self.badges: list[str] = []
        self._badge = False
        self._cell: tuple[str, list[str]] | None = None
        self._row: list[tuple[str, str]] = []
        self._style = False
        self.feed(text)
        self.close()
        self.text = " ".join("".join(self.chunks).split())

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "meta":
            self.meta.append(attrs)
        if tag in ("th", "td"):
            self._cell = (tag, [])
        if tag == "tr":
            self._row = []
        self._style = tag in ("style", "title")
        self._badge = tag == "span" and "badge" in (attrs.get("class") or "").split()

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            self._row.append((self._cell[0], "".join(self._cell[1]).strip()))
            self._cell = None
        if tag == "tr" and len(self._row) == 2 and self._row[0][0] == "th":
            self.rows[self._row[0][1]] = self._row[1][1]
        if tag in ("style", "title"):
            self._style = False
        if tag == "span":
            self._badge = False

    def handle_data(self, data):
        if self._style:
            return
        self.chunks.append(data)
        if self._badge:
            self.badges.append(data)
        if self._cell is not None:
            self._cell[1].append(data)


def _read(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def _served(site: Path, url: str) -> Path:
    """The file a plain static web server publishing ``site`` at BASE answers ``url`` with (a folder: its
    index.html, after the redirect to ``…/``)."""
    assert url.startswith(BASE), url
    path = site / url[len(BASE):]
    return path / "index.html" if path.is_dir() else path


def _decode(png) -> list[str]:
    out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line.strip()]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ------------------------------------------------------------------------------------------- pure templating
def _parcel(code: str, url: str | None = None, farmland: float = 1.234, basic: float = 0.0, **kw):
    from linxia_tianguan_plugin.core.coding.site import Parcel

    return Parcel(code, url if url is not None else BASE + code, farmland, basic, **kw)


def _render(parcels, names=None, officers=None, phone="12336"):
    from linxia_tianguan_plugin.core.coding.site import render_site

    return render_site(parcels, names or {}, officers or {}, phone, dt.date(2025, 7, 20))


def test_the_page_path_follows_the_address_in_the_qr_code():
    from linxia_tianguan_plugin.core.coding.site import locate, url_of

    code = "62292110000101000011"
    assert locate(code, BASE + code) == (BASE, f"{code}/index.html")
    assert locate(code, BASE + code + "/") == (BASE, f"{code}/index.html")
    assert locate(code, f"https://x.gov.cn/mashangcha/{code}.html") == ("https://x.gov.cn/mashangcha/", code + ".html")
    assert locate(code, f"https://x.gov.cn/q?c={code}&v=1") == (None, f"{code}/index.html")  # needs a server
    assert locate(code, None) == (None, f"{code}/index.html")
    assert url_of(BASE, f"{code}/index.html") == BASE + code
    with pytest.raises(ValueError):
        locate("../../etc", "https://x/../../etc")


def test_html_template_pages_link_to_each_other_and_stray_addresses_are_named():
    codes = ["62292110000101000011", "62292110000101000029", "62292110000102000013"]
    site = _render([_parcel(c, f"https://x.gov.cn/mashangcha/{c}.html") for c in codes[:2]]
                   + [_parcel(codes[2], f"https://other.example/{codes[2]}")])
    assert site.base_url == "https://x.gov.cn/mashangcha/"
    assert site.off_site == (codes[2],)
    assert set(site.pages) == {codes[0] + ".html", codes[1] + ".html", "62292110000101.html", "index.html",
                               f"{codes[2]}/index.html", "62292110000102/index.html"}
    for path, text in site.pages.items():
        for href in Page(text).links:
            if not href.startswith("tel:"):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(path), href))
                assert target in site.pages, (path, href)


def test_every_value_is_escaped():
    code = "62292110000101000011"
    names = {"622921100": HOSTILE, "622921100001": "村&<b>", "62292110000101": HOSTILE}
    officers = {"62292110000101": (HOSTILE, '139"><img src=x onerror=alert()>')}
    site = _render([_parcel(code, basic=0.5, land_class=HOSTILE)], names, officers, phone="12336<i>")
    for text in site.pages.values():
        page = Page(text)
        assert not {"script", "img", "b", "i"} & set(page.tags)
        assert not [h for h in page.links if set(h) & set('<>"= ')]
        assert HOSTILE in page.text  # shown as text, as typed
    parcel = Page(site.pages[f"{code}/index.html"])
    assert parcel.rows["地类"] == HOSTILE and parcel.rows["村"] == "村&<b>"
    assert [h for h in parcel.links if h.startswith("tel:")] == ["tel:139", "tel:12336"]  # only digits dialled


def test_write_site_leaves_nothing_when_a_page_cannot_be_written(tmp_path):
    from linxia_tianguan_plugin.processing.reports.qr_labels import write_site

    target = tmp_path / "site"
    with pytest.raises(OSError):  # "a" is a file, so "a/index.html" cannot be made
        write_site({"a": "x", "a/index.html": "y"}, target)
    assert not target.exists() and _leftovers(tmp_path) == []
    assert write_site({"index.html": "old"}, target) == 1
    with pytest.raises(OSError):
        write_site({"index.html": "new", "b": "x", "b/index.html": "y"}, target)
    assert (target / "index.html").read_text(encoding="utf-8") == "old"  # the previous site, untouched
    assert _leftovers(tmp_path) == []
    with pytest.raises(ValueError):
        write_site({"../escape.html": "x"}, target)
    assert not (tmp_path / "escape.html").exists() and _leftovers(tmp_path) == []


def test_the_site_folder_is_refused_unless_new_empty_or_an_earlier_site(tmp_path):
    from linxia_tianguan_plugin.processing.reports.qr_labels import site_refusal, write_site

    out = tmp_path / "labels"
    assert site_refusal(tmp_path / "new", out) is None
    (tmp_path / "empty").mkdir()
    assert site_refusal(tmp_path / "empty", out) is None
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "report.docx").write_text("x")
    assert str(tmp_path / "mine") in site_refusal(tmp_path / "mine", out)
    (tmp_path / "file").write_text("x")
    assert site_refusal(tmp_path / "file", out)
    assert site_refusal(out, out) and site_refusal(tmp_path, out)  # would delete the labels
    write_site({"index.html": "x"}, tmp_path / "earlier")
    assert site_refusal(tmp_path / "earlier", out) is None


# ------------------------------------------------------------------------------------------- on the sample
@pytest.fixture(scope="module")
def store(filled_store, tmp_path_factory):
    """A copy of the session's filled 田管库 (the shared one stays untouched)."""
    path = tmp_path_factory.mktemp("site_store") / "tianguan.gpkg"
    source, target = sqlite3.connect(f"file:{filled_store}?mode=ro", uri=True), sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return path


def _officers(store) -> dict[str, tuple[str, str]]:
    """group → (name, phone) of the active roster's first officer in charge, read here in SQL."""
    return {g: (n, p) for g, n, p in _sql(
        store, "SELECT o.grid_code, o.name, o.phone FROM tg_officer o JOIN tg_roster_import r USING (roster_id) "
               "WHERE r.active = 1 AND o.role = 'officer' AND o.vacant = 0 ORDER BY o.rowid DESC")}


@pytest.fixture(scope="module")
def published(store, tmp_path_factory):
    base = tmp_path_factory.mktemp("qr_site")
    village = _sql(store, "SELECT substr(code, 1, 12) AS v FROM tg_space_code WHERE status = 'active' "
                          "GROUP BY v HAVING count(DISTINCT substr(code, 1, 14)) > 1 ORDER BY v LIMIT 1")[0][0]
    rows = {code: (qr, farm, basic, area) for code, qr, farm, basic, area in _sql(
        store, "SELECT code, qr, coalesce(gdmj_mu, 0), coalesce(yjmj_mu, 0), area_m2 FROM tg_space_code "
               "WHERE status = 'active' AND code LIKE ?", (village + "%",))}
    feedback = recording_feedback()
    result = run("linxia_tianguan:qr_labels", {
        "STORE": str(store), "CODES": village, "SIGNS": False, "OUTPUT": str(base / "out"),
        "SITE": str(base / "site"), "DATE": AS_OF}, feedback=feedback)
    return result, rows, base, feedback


def test_a_page_for_every_parcel_and_group_and_an_index(published):
    result, rows, base, feedback = published
    site = base / "site"
    groups = {c[:14] for c in rows}
    assert result["SITE"] == str(site)
    assert result["PAGES"] == len(rows) + len(groups) + 1
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")) == sorted(
        [f"{c}/index.html" for c in rows] + [f"{g}/index.html" for g in groups] + ["index.html"])
    assert (site / ".tianguan-mashangcha").is_file()
    assert _leftovers(base) == []
    assert not feedback.warnings  # every QR code points into the site
    assert any(BASE in info for info in feedback.infos)  # where to publish it
    index = _read(site / "index.html")
    assert {posixpath.dirname(h) for h in index.links if not h.startswith("tel:")} == groups


def test_the_label_qr_opens_the_parcel_page(published):
    result, rows, base, _ = published
    assert shutil.which("zbarimg"), "zbarimg is required (apt-get install zbar-tools; tools/setup_env.sh does it)"
    for code in sorted(rows)[:: max(1, len(rows) // 5)]:
        [url] = _decode(base / "out" / f"{code}.png")
        assert url == rows[code][0]
        page = _read(_served(base / "site", url))
        assert code in page.text and page.rows["耕地面积"].startswith(f"{rows[code][1]:.2f}")
    for group in sorted({c[:14] for c in rows}):
        page = _read(_served(base / "site", BASE + group))  # the address the group's warning sign prints
        assert group in page.text


def test_parcel_pages_show_the_stores_values(published, store):
    result, rows, base, _ = published
    names = dict(_sql(store, "SELECT code, name FROM tg_admin_unit"))
    officers = _officers(store)
    assert any(c[:14] in officers for c in rows)  # the sample's roster names this village's officers
    for code, (_, farm, basic, area) in rows.items():
        text = (base / "site" / code / "index.html").read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>") and "<script" not in text and "://" not in text.split("<body>")[1]
        page = Page(text)
        assert {"charset": "utf-8"} in page.meta
        assert any(m.get("name") == "viewport" and "width=device-width" in m.get("content", "") for m in page.meta)
        assert code in page.text
        assert page.rows["乡镇"] == names[code[:9]] and page.rows["村"] == names[code[:12]]
        assert page.rows["社"] == f"{names[code[:14]]}（{code[:14]}）"
        assert page.rows["耕地面积"] == f"{farm:.2f} 亩"
        assert page.rows["永久基本农田面积"] == f"{basic:.2f} 亩"
        assert page.rows["地块面积"] == f"{area / (10000 / 15):.2f} 亩"
        assert page.rows["永久基本农田"] == ("是" if basic > 0 else "否")
        assert page.badges == (["永久基本农田"] if basic > 0 else ["耕地"] if farm > 0 else [])
        name, phone = officers.get(code[:14], (None, None))
        assert page.rows["责任田管员"] == (name or "—") and page.rows["田管员电话"] == (phone or "—")
        assert "举报电话：12336" in page.text and AS_OF in page.text and "静态页面" in page.text


def test_group_pages_list_their_parcels_with_totals(published, store):
    result, rows, base, _ = published
    names = dict(_sql(store, "SELECT code, name FROM tg_admin_unit"))
    for group in sorted({c[:14] for c in rows}):
        members = sorted(c for c in rows if c.startswith(group))
        page = _read(base / "site" / group / "index.html")
        assert names[group] in page.text and names[group[:12]] in page.text
        assert page.rows["地块数"] == str(len(members))
        assert page.rows["耕地面积合计"] == f"{sum(rows[c][1] for c in members):.2f} 亩"
        assert page.rows["永久基本农田面积合计"] == f"{sum(rows[c][2] for c in members):.2f} 亩"
        assert sorted(h for h in page.links if h.startswith("../6") and len(h) > 20) == [
            f"../{c}/index.html" for c in members]


def test_hostile_names_are_escaped_in_the_written_site(store, tmp_path):
    desk = store_copy(store, tmp_path / "desk")
    group = _sql(desk, "SELECT substr(code, 1, 14) FROM tg_space_code WHERE status = 'active' LIMIT 1")[0][0]
    con = sqlite3.connect(desk)
    try:
        con.execute("UPDATE tg_admin_unit SET name = ? WHERE code IN (?, ?)", (HOSTILE, group, group[:12]))
        con.execute("UPDATE tg_officer SET name = ? WHERE grid_code = ?", (HOSTILE, group))
        con.commit()
    finally:
        con.close()
    result = run("linxia_tianguan:qr_labels", {
        "STORE": str(desk), "CODES": group, "SIGNS": False, "PHONE": '12336"><img src=x>',
        "OUTPUT": str(tmp_path / "out"), "SITE": str(tmp_path / "site"), "DATE": AS_OF})
    assert result["PAGES"] > 2
    for path in (tmp_path / "site").rglob("*.html"):
        page = _read(path)
        assert not {"script", "img"} & set(page.tags), path
        assert HOSTILE in page.text and '12336"><img src=x>' in page.text


def test_a_refused_or_cancelled_run_keeps_the_earlier_site(store, tmp_path):
    from qgis.core import QgsProcessingException

    group = _sql(store, "SELECT substr(code, 1, 14) FROM tg_space_code WHERE status = 'active' LIMIT 1")[0][0]
    params = {"STORE": str(store), "CODES": group, "SIGNS": False, "OUTPUT": str(tmp_path / "out"),
              "SITE": str(tmp_path / "site"), "DATE": AS_OF}
    first = run("linxia_tianguan:qr_labels", params)
    before = {p: p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert len(before) == first["PAGES"] + 1  # and the marker

    class CancelAtSite(type(recording_feedback())):
        def setProgressText(self, text):
            if "码上查" in text:
                self.cancel()

    with pytest.raises(QgsProcessingException):
        run("linxia_tianguan:qr_labels", {**params, "DATE": "2025-08-01"}, feedback=CancelAtSite())
    assert {p: p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()} == before
    assert _leftovers(tmp_path) == []

    again = run("linxia_tianguan:qr_labels", {**params, "DATE": "2025-08-01"})  # an earlier site is replaced
    assert again["PAGES"] == first["PAGES"] and "2025-08-01" in _read(tmp_path / "site" / "index.html").text
    assert _leftovers(tmp_path) == []

    other = tmp_path / "documents"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(QgsProcessingException, match=re.escape(str(other))):  # the message names it
        run("linxia_tianguan:qr_labels", {**params, "SITE": str(other), "OUTPUT": str(tmp_path / "out2")})
    assert [p.name for p in other.iterdir()] == ["notes.txt"] and not (tmp_path / "out2").exists()


def test_without_a_site_folder_no_site_is_written(store, tmp_path):
    group = _sql(store, "SELECT substr(code, 1, 14) FROM tg_space_code WHERE status = 'active' LIMIT 1")[0][0]
    result = run("linxia_tianguan:qr_labels", {"STORE": str(store), "CODES": group, "SIGNS": False,
                                               "OUTPUT": str(tmp_path / "out")})
    assert result["PAGES"] == 0 and not result["SITE"]
    assert not list((tmp_path / "out").rglob("*.html")) and sorted(p.name for p in tmp_path.iterdir()) == ["out"]
