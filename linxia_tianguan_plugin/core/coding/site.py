"""码上查 static site: the pages a parcel's QR code opens, as text (HTML templating only, no file is written here).

Why static: a county can publish the folder on any web server (no database, no server code, nothing to patch),
and a page is a snapshot of the 田管库 on the day it was written, which each page says. Why the page paths follow
the QR content: the codes on the warning posts were printed from the URL the parcel was coded with
(``tg_space_code.qr``, the template of one-click coding), so the site must answer at exactly that address:

- a URL ending in the code (``https://…/kjm/{code}``, the default template) or the code and ``/`` → the page is
  ``<code>/index.html`` (web servers answer ``…/kjm/<code>`` with the folder's index after redirecting to ``…/``);
- a URL ending in ``{code}.html`` (or ``.htm``) → the page is ``<code>.html``.

The folder is published at the *base URL*, the common part before the code (``https://…/kjm/``). A group (社)
page sits beside the parcels' under the same rule with the group code in place of the parcel code (the address
the group's warning sign prints), and ``index.html`` at the root lists the groups by village.

Pages are self-contained (inline CSS, no JavaScript, UTF-8, a mobile viewport) and in Chinese whatever the desk's
UI language (a public page of a Linxia county); every value coming from the store is escaped.
"""
from __future__ import annotations

import datetime as dt
import html
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .one_click import DEFAULT_QR_TEMPLATE

INDEX = "index.html"
#: the file marking a folder as a site written by the plugin: only such a folder may be replaced by a new site
MARKER = ".tianguan-mashangcha"
MARKER_TEXT = "码上查静态站点 · written by linxia_tianguan qr_labels; the folder is replaced by the next site.\n"
GENERATOR = "linxia_tianguan 码上查"
#: a code that may name a file (space codes are digits with a check character that may be X)
_SAFE_CODE = re.compile(r"[0-9A-Za-z]{1,40}\Z")
_HTML_TAILS = (".html", ".htm")
GROUP_LENGTH = 14
_LEVELS = ((6, "县"), (9, "乡镇"), (12, "村"), (14, "社"))

CSS = (
    "body{margin:0;background:#f4f6f1;color:#1d2a18;line-height:1.55;"
    "font-family:system-ui,-apple-system,\"PingFang SC\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",sans-serif}"
    "header{background:#2f6b1f;color:#fff;padding:.75rem 1rem}"
    "header h1{font-size:1.25rem;margin:0}"
    "main{max-width:40rem;margin:0 auto;padding:1rem}"
    "h2{font-size:1.15rem;margin:1.2rem 0 .5rem}"
    ".code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.25rem;word-break:break-all;margin:.2rem 0}"
    ".badge{display:inline-block;padding:.15rem .6rem;border-radius:.3rem;background:#c00000;color:#fff;"
    "font-weight:bold}"
    ".badge.plain{background:#4c9a2a}"
    "table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0}"
    "th,td{border:1px solid #d5dccf;padding:.4rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#eef3e8;font-weight:normal}"
    "td.num,th.num{text-align:right;white-space:nowrap}"
    ".report{font-size:1.15rem;font-weight:bold}"
    ".warn{color:#c00000}"
    "footer{color:#666;font-size:.85rem;margin-top:1.5rem;border-top:1px solid #d5dccf;padding-top:.5rem}"
    "a{color:#1f5aa8}"
)
NOTICE = ("耕地受法律保护，严禁在耕地上建房、挖砂、采石、采矿、取土、堆放固体废弃物；"
          "永久基本农田不得擅自占用或改变用途。发现违法占用耕地，请拨打举报电话。")


@dataclass(frozen=True)
class Parcel:
    """What a parcel's page shows; ``url`` is the parcel's QR content (None: the QR holds no address)."""
    code: str
    url: str | None
    farmland_mu: float
    basic_mu: float
    area_mu: float | None = None
    land_class: str | None = None


@dataclass(frozen=True)
class Site:
    """The pages (relative path with ``/`` → HTML text), the base URL the folder must be published at (None when
    no parcel's QR holds an address) and the codes whose QR content does not lead to their page under it."""
    pages: dict[str, str]
    base_url: str | None
    off_site: tuple[str, ...]
    parcels: int
    groups: int


def _check_code(code: str) -> str:
    if not _SAFE_CODE.match(code or ""):
        raise ValueError(f"not a code that can name a page: {code!r}")
    return code


def locate(code: str, url: str | None) -> tuple[str | None, str]:
    """(base URL, page path inside the site) of the page ``url`` opens; base None when the URL cannot reach a
    static page for ``code`` (no URL, the code not in it, a query string after it) — the page then gets the
    default place ``<code>/index.html``."""
    _check_code(code)
    if url:
        at = url.find(code)
        if at >= 0:
            base, tail = url[:at], url[at + len(code):]
            if tail in ("", "/"):
                return base, f"{code}/{INDEX}"
            if tail.lower() in _HTML_TAILS:
                return base, code + tail
    return None, f"{code}/{INDEX}"


def group_url(parcel_url: str | None, parcel_code: str, group: str) -> str:
    """The URL of a group: its parcels' QR content with the group code in place of the parcel's (the template the
    store was coded with), else the built-in template — the address the group's warning sign prints."""
    if parcel_url and parcel_code in parcel_url:
        return parcel_url.replace(parcel_code, group, 1)
    return DEFAULT_QR_TEMPLATE.replace("{code}", group)


def url_of(base: str, path: str) -> str:
    """The address of the page at ``path`` when the folder is published at ``base`` (``…/index.html`` as its
    folder, the form the QR codes hold)."""
    if path.endswith("/" + INDEX):
        path = path[: -len(INDEX) - 1]
    return base + path


def _e(value) -> str:
    """A value as HTML text: escaped (quotes too, as it may sit in an attribute), an em dash when missing."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "—"
    return html.escape(str(value), quote=True)


def _mu(value: float | None) -> str:
    return "—" if value is None else f"{float(value):.2f} 亩"


def _tel(phone: str | None) -> str:
    """A phone number as a tap-to-call link (only digits, + and - reach the href), the number shown as given."""
    dial = re.sub(r"[^0-9+\-]", "", phone or "")
    if not dial:
        return _e(phone)
    return f'<a href="tel:{html.escape(dial, quote=True)}">{_e(phone)}</a>'


def _link(from_path: str, to_path: str, text: str) -> str:
    href = posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")
    return f'<a href="{html.escape(href, quote=True)}">{text}</a>'


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in pairs)


def _page(title: str, heading: str, body: str, as_of: dt.date) -> str:
    footer = (f"<footer><p>本页为静态页面，由临夏州耕地田管系统根据田管库生成，生成日期 {_e(as_of.isoformat())}；"
              "页面内容不随田管库实时更新，如有变化以县级自然资源部门最新登记为准。</p></footer>")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<meta name=\"generator\" content=\"{_e(GENERATOR)}\">\n"
            f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"<header><h1>{_e(heading)}</h1></header>\n<main>\n{body}\n{footer}\n</main>\n</body>\n</html>\n")


def _place(code: str, names: Mapping[str, str], upto: int) -> list[tuple[str, str]]:
    """(level, name) of the administrative units above ``code`` up to ``upto`` digits, the code when unnamed (the
    county only when named: its code says little to a passer-by)."""
    return [(level, names.get(code[:n]) or code[:n]) for n, level in _LEVELS
            if n <= upto and (n > 6 or names.get(code[:n]))]


def _contact(officer: tuple[str | None, str | None] | None, report_phone: str) -> tuple[str, str, str]:
    """(officer, officer's phone, report phone) as HTML: the report phone falls back on the officer's, as the
    labels print it."""
    name, phone = officer or (None, None)
    return _e(name), _tel(phone), _tel(report_phone or phone)


@dataclass(frozen=True)
class _Ctx:
    names: Mapping[str, str]
    officers: Mapping[str, tuple[str | None, str | None]]
    report_phone: str
    as_of: dt.date


def _parcel_page(p: Parcel, path: str, group_path: str, ctx: _Ctx) -> str:
    group = p.code[:GROUP_LENGTH]
    officer, officer_phone, report = _contact(ctx.officers.get(group), ctx.report_phone)
    badge = ('<p><span class="badge">永久基本农田</span></p>' if p.basic_mu > 0 else
             '<p><span class="badge plain">耕地</span></p>' if p.farmland_mu > 0 else "")
    place = _place(p.code, ctx.names, 12)
    group_name = _e(ctx.names.get(group) or group)
    rows = [(level, _e(name)) for level, name in place]
    rows.append(("社", f"{_link(path, group_path, group_name)}（{_e(group)}）"))
    if p.land_class:
        rows.append(("地类", _e(p.land_class)))
    if p.area_mu is not None:
        rows.append(("地块面积", _mu(p.area_mu)))
    rows += [("耕地面积", _mu(p.farmland_mu)), ("永久基本农田面积", _mu(p.basic_mu)),
             ("永久基本农田", "是" if p.basic_mu > 0 else "否"),
             ("责任田管员", officer), ("田管员电话", officer_phone)]
    body = (f'<p>耕地空间码</p>\n<p class="code">{_e(p.code)}</p>\n{badge}\n'
            f"<table>{_rows(rows)}</table>\n"
            f'<p class="report">举报电话：{report}</p>\n<p class="warn">{_e(NOTICE)}</p>\n'
            f"<p>{_link(path, group_path, '本社全部地块')} · {_link(path, INDEX, '码上查首页')}</p>")
    return _page(f"{p.code} · 码上查", "码上查 · 耕地信息", body, ctx.as_of)


def _group_page(group: str, parcels: list[tuple[Parcel, str]], path: str, ctx: _Ctx) -> str:
    officer, officer_phone, report = _contact(ctx.officers.get(group), ctx.report_phone)
    farmland = sum(p.farmland_mu for p, _ in parcels)
    basic = sum(p.basic_mu for p, _ in parcels)
    name = ctx.names.get(group) or group
    place = " ".join(_e(n) for _, n in _place(group, ctx.names, 12))
    summary = [("社代码", f'<span class="code">{_e(group)}</span>'), ("地块数", str(len(parcels))),
               ("耕地面积合计", _mu(farmland)), ("永久基本农田面积合计", _mu(basic)),
               ("责任田管员", officer), ("田管员电话", officer_phone)]
    lines = "".join(
        f"<tr><td>{_link(path, page, _e(p.code))}</td><td class=\"num\">{p.farmland_mu:.2f}</td>"
        f"<td class=\"num\">{p.basic_mu:.2f}</td><td>{'是' if p.basic_mu > 0 else '否'}</td></tr>"
        for p, page in parcels)
    body = (f"<h2>{_e(name)}</h2>\n<p>{place}</p>\n<table>{_rows(summary)}</table>\n"
            f'<p class="report">举报电话：{report}</p>\n<p class="warn">{_e(NOTICE)}</p>\n'
            "<h2>本社地块</h2>\n<table><thead><tr><th>空间码</th><th class=\"num\">耕地（亩）</th>"
            f"<th class=\"num\">永久基本农田（亩）</th><th>永久基本农田</th></tr></thead><tbody>{lines}</tbody>"
            "</table>\n<p>面积为本站所列地块之和。</p>\n"
            f"<p>{_link(path, INDEX, '码上查首页')}</p>")
    return _page(f"{name} · 码上查", "码上查 · 社耕地信息", body, ctx.as_of)


def _index_page(groups: dict[str, tuple[str, int]], base: str | None, ctx: _Ctx) -> str:
    by_village: dict[str, list[str]] = defaultdict(list)
    for group in groups:
        by_village[group[:12]].append(group)
    parts = ["<p>扫描警示桩、警示牌上的二维码，或在下列各社中查找地块。</p>"]
    if base:
        parts.append(f'<p>本站地址：<span class="code">{_e(base)}</span></p>')
    for village in sorted(by_village):
        title = " ".join(_e(n) for _, n in _place(village, ctx.names, 12))
        items = "".join(
            f"<li>{_link(INDEX, groups[g][0], _e(ctx.names.get(g) or g))}（{_e(g)}，{groups[g][1]} 块）</li>"
            for g in sorted(by_village[village]))
        parts.append(f"<h2>{title}</h2>\n<ul>{items}</ul>")
    parts.append(f'<p class="report">举报电话：{_tel(ctx.report_phone)}</p>')
    return _page("码上查 · 耕地空间码", "码上查 · 耕地空间码", "\n".join(parts), ctx.as_of)


def _base_of(located: Iterable[str | None]) -> str | None:
    """The base URL most parcels' QR codes share (ties: the first in code order)."""
    counts = Counter(b for b in located if b is not None)
    return counts.most_common(1)[0][0] if counts else None


def render_site(parcels: Iterable[Parcel], names: Mapping[str, str],
                officers: Mapping[str, tuple[str | None, str | None]], report_phone: str,
                as_of: dt.date) -> Site:
    """The 码上查 site of ``parcels``: one page per parcel, one per group (社, the first 14 digits) listing its
    parcels of this site, and ``index.html``. ``names``: administrative code → name; ``officers``: group code →
    (officer, phone) of the roster; ``report_phone`` is printed on every page (the officer's when empty);
    ``as_of`` is the date the pages say they were written."""
    chosen = sorted(parcels, key=lambda p: p.code)
    ctx = _Ctx(names, officers, report_phone or "", as_of)
    located = [locate(p.code, p.url) for p in chosen]
    base = _base_of(b for b, _ in located)
    off_site = tuple(p.code for p, (b, _) in zip(chosen, located) if b is None or b != base)
    members: dict[str, list[tuple[Parcel, str]]] = defaultdict(list)
    group_paths: dict[str, str] = {}
    for p, (_, path) in zip(chosen, located):
        group = _check_code(p.code[:GROUP_LENGTH])
        members[group].append((p, path))
        group_paths.setdefault(group, locate(group, group_url(p.url, p.code, group))[1])
    pages: dict[str, str] = {}
    for group, items in members.items():
        for p, path in items:
            pages[path] = _parcel_page(p, path, group_paths[group], ctx)
        pages[group_paths[group]] = _group_page(group, items, group_paths[group], ctx)
    pages[INDEX] = _index_page({g: (group_paths[g], len(items)) for g, items in members.items()}, base, ctx)
    return Site(pages, base, off_site, len(chosen), len(members))


__all__ = ["GENERATOR", "INDEX", "MARKER", "MARKER_TEXT", "Parcel", "Site", "group_url", "locate", "render_site",
           "url_of"]
