"""The user guide (docs/guide/): its images and links exist, the algorithms it names are the provider's and
every one of them is in it, and the troubleshooting page's generated error list is up to date and agrees with
the translation file. Fast: no QGIS desktop (the screenshots are made by tools/screenshots.py, not here)."""
from __future__ import annotations

import ast
import io
import re
import struct
import tokenize
import xml.dom.minidom
from pathlib import Path

import pytest

from tools import troubleshooting as ts_tool

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guide"
PAGES = {"zh": GUIDE / "README.md", "en": GUIDE / "en.md", "troubleshooting": GUIDE / "troubleshooting.md"}
TS = ROOT / "linxia_tianguan_plugin" / "i18n" / "linxia_tianguan_zh_CN.ts"
INSIDE = ROOT / "tools" / "screenshot_inside_qgis.py"
LINK = re.compile(r"(!?)\[[^\]]*\]\(([^)\s]+)\)")
ALGORITHM_ID = re.compile(r"linxia_tianguan:(\w+)")


def text(name: str) -> str:
    return PAGES[name].read_text(encoding="utf-8")


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (and proof that it is a PNG)."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path.name} is not a PNG"
    return struct.unpack(">II", head[16:24])


def ts_entries() -> dict[str, tuple[str, str]]:
    """source → (translation, type) read with minidom (the tool under test uses ElementTree)."""
    doc = xml.dom.minidom.parse(str(TS))
    out = {}
    for message in doc.getElementsByTagName("message"):
        source = "".join(n.data for n in message.getElementsByTagName("source")[0].childNodes)
        node = message.getElementsByTagName("translation")[0]
        out[source] = ("".join(n.data for n in node.childNodes), node.getAttribute("type"))
    return out


def finished(entries, source: str) -> str | None:
    translation, kind = entries.get(source, ("", "unfinished"))
    return translation if translation.strip() and kind not in ("unfinished", "vanished", "obsolete") else None


# ------------------------------------------------------------------------------------------- images and links
@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_image_and_relative_link_of_the_guide_exists(page):
    links = LINK.findall(text(page))
    images = [target for bang, target in links if bang]
    if page != "troubleshooting":
        assert len(images) >= 15, "the guide lost its screenshots"
    for bang, target in links:
        if target.startswith(("http://", "https://", "#", "mailto:")):
            continue
        path = (PAGES[page].parent / target.split("#")[0]).resolve()
        assert path.is_file(), f"{PAGES[page].name} links {target}, which does not exist"
        if bang:
            width, height = png_size(path)
            assert width >= 400 and height >= 300, f"{target} is {width}×{height}: not a screenshot"


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    kept = "".join(c for c in heading.strip().lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_anchor_link_points_to_a_heading(page):
    content = text(page)
    anchors = {github_anchor(h) for h in re.findall(r"^#+ (.+)$", content, flags=re.M)}
    for _bang, target in LINK.findall(content):
        if "#" in target and not target.startswith("http"):
            where, anchor = target.split("#", 1)
            if where in ("", PAGES[page].name):
                assert anchor in anchors, f"{PAGES[page].name}: no heading for #{anchor}"
            elif where in ("README.md", "en.md", "troubleshooting.md"):
                other = (GUIDE / where).read_text(encoding="utf-8")
                assert anchor in {github_anchor(h) for h in re.findall(r"^#+ (.+)$", other, flags=re.M)}, target


def test_the_chinese_and_english_guides_show_the_same_screenshots():
    def shots(name):
        return sorted(t for bang, t in LINK.findall(text(name)) if bang)

    assert shots("zh") == shots("en")


def test_every_screenshot_the_guide_shows_is_made_by_the_screenshot_script():
    """Regenerating (python tools/screenshots.py) must produce every image the guide links."""
    literals = {n.value for n in ast.walk(ast.parse(INSIDE.read_text(encoding="utf-8")))
                if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    linked = {Path(t).stem for name in ("zh", "en") for bang, t in LINK.findall(text(name)) if bang}
    assert linked and linked <= literals, sorted(linked - literals)


def test_the_guide_covers_the_workflow_of_the_issue():
    zh, en = text("zh"), text("en")
    for words in ("从 ZIP", "一键赋码", "巡田网格", "花名册", "下发巡田任务", "导入巡田轨迹", "巡田覆盖分析",
                  "变化图斑提取与预判", "案件审核", "PostGIS", "驾驶舱", "专题图", "二维码标识", "authcfg"):
        assert words in zh, words
    for words in ("Install from ZIP", "make package", "dist/linxia_tianguan_plugin-", "authcfg", "Case review",
                  "Track replay", "dashboard", "layout designer"):
        assert words in en, words
    assert zh.index("# 临夏田管") < 5, "the Chinese guide comes first"


# ------------------------------------------------------------------------------------------- algorithms
@pytest.fixture(scope="module")
def algorithms(qgis_app):
    """{name: (English display name, Chinese display name)} of the provider's algorithms, instantiated."""
    from linxia_tianguan_plugin.processing.provider import ALGORITHMS

    entries = ts_entries()
    to_english = {t: s for s, (t, _) in entries.items() if t}
    out = {}
    for cls in ALGORITHMS:
        algorithm = cls()
        shown = algorithm.displayName()  # English, or Chinese if another test left a translator installed
        english = shown if shown in entries else to_english.get(shown, shown)
        out[algorithm.name()] = (english, finished(entries, english))
    return out


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_algorithm_id_the_guide_mentions_exists(page, algorithms):
    mentioned = set(ALGORITHM_ID.findall(text(page)))
    assert mentioned, f"{page} names no algorithm"
    assert mentioned <= set(algorithms), sorted(mentioned - set(algorithms))


def test_every_algorithm_of_the_provider_is_in_both_guides_by_id_and_toolbox_name(algorithms):
    zh, en = text("zh"), text("en")
    for name, (english, chinese) in algorithms.items():
        assert f"`linxia_tianguan:{name}`" in zh and f"`linxia_tianguan:{name}`" in en, name
        assert english in en, f"{name}: the English guide does not call it {english!r}"
        assert chinese, f"{name}: its display name {english!r} has no Chinese translation"
        assert chinese in zh, f"{name}: the Chinese guide does not call it {chinese!r} (the toolbox's name)"


# ------------------------------------------------------------------------------------------- troubleshooting
def generated_rows() -> list[tuple[str, str]]:
    """(Chinese cell, English message) of every row of the page's generated list, unescaped."""
    section = ts_tool.page_section(text("troubleshooting"))
    assert section is not None, "the troubleshooting page lost its generated section"
    rows = []
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith(("| 中文提示", "|---")):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        rows.append((ts_tool.unescape(cells[0]), ts_tool.unescape(cells[1])))
    return rows


def test_the_generated_error_list_is_up_to_date():
    """Run ``python tools/troubleshooting.py`` after changing a raised message or its translation."""
    assert ts_tool.page_section(text("troubleshooting")) == ts_tool.generated_section()


def test_every_listed_message_shows_the_translation_file_s_chinese_or_says_it_is_missing():
    entries = ts_entries()
    rows = generated_rows()
    assert len(rows) >= 100
    missing_marker = ts_tool.unescape(ts_tool.MISSING)
    for chinese, english in rows:
        translation = finished(entries, english)
        if translation is not None:
            assert chinese == " ".join(translation.split()), english
        else:
            assert chinese == missing_marker, f"{english!r} is not translated, the page must say so"
    summary = re.search(r"共 (\d+) 条提示，其中 (\d+) 条尚无中文翻译", text("troubleshooting"))
    assert summary and int(summary[2]) == sum(c == missing_marker for c, _ in rows)


def raised_messages_by_tokens() -> set[str]:
    """tr("…") literals inside ``raise`` statements, found with the tokenizer (not ast, as the tool does)."""
    found = set()
    for path in (ROOT / "linxia_tianguan_plugin").rglob("*.py"):
        tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline))
        in_raise = False
        for i, tok in enumerate(tokens):
            if tok.type == tokenize.NAME and tok.string == "raise":
                in_raise = True
            elif tok.type == tokenize.NEWLINE:
                in_raise = False
            elif (in_raise and tok.type == tokenize.NAME and tok.string == "tr" and tokens[i + 1].string == "("):
                parts, j = [], i + 2
                while tokens[j].type in (tokenize.STRING, tokenize.NL, tokenize.COMMENT):
                    if tokens[j].type == tokenize.STRING:
                        parts.append(ast.literal_eval(tokens[j].string))
                    j += 1
                if parts:
                    found.add("".join(parts))
    return found


def test_the_list_holds_every_message_raised_with_tr():
    listed = {english for _, english in generated_rows()}
    raised = {" ".join(m.split()) for m in raised_messages_by_tokens()}
    assert len(raised) >= 100
    assert raised <= listed, sorted(raised - listed)[:10]


def test_the_generator_follows_messages_through_variables_and_helper_parameters(tmp_path):
    """A small package on disk: direct raises, a message in a variable, one handed to a helper that raises
    it, a non-raised tr() that must stay out, an unregistered algorithm and a shared module."""
    package = tmp_path / "pkg"
    (package / "processing").mkdir(parents=True)
    (package / "processing" / "provider.py").write_text(
        "from .second import SecondAlgorithm\nfrom .first import FirstAlgorithm\n"
        "ALGORITHMS = [SecondAlgorithm, FirstAlgorithm]\n", encoding="utf-8")
    (package / "processing" / "first.py").write_text('''
class FirstAlgorithm:
    def name(self):
        return "first"

    def displayName(self):
        return tr("First algorithm")

    def processAlgorithm(self, parameters, context, feedback):
        label = tr("Not an error | a label")
        if not parameters:
            raise QgsProcessingException(tr("Direct <b>{x}</b> *message*").format(x=label))
        message = tr("Held in a variable.")
        raise QgsProcessingException(message)

    def _dates(self):
        def parse(text, message):
            raise QgsProcessingException(message.format(value=text))

        parse("a", tr("Handed to a helper {value}."))
        self._export(1, tr("Handed to a method."))

    @staticmethod
    def _export(layout, message):
        raise QgsProcessingException(message)
''', encoding="utf-8")
    (package / "processing" / "second.py").write_text('''
class SecondAlgorithm:
    def name(self):
        return "second"

    def displayName(self):
        return tr("Second algorithm")

    def processAlgorithm(self, parameters, context, feedback):
        raise QgsProcessingException(tr("Direct <b>{x}</b> *message*"))
''', encoding="utf-8")
    (package / "processing" / "hidden.py").write_text('''
class HiddenAlgorithm:
    def name(self):
        return "hidden"

    def processAlgorithm(self, parameters, context, feedback):
        raise QgsProcessingException(tr("Not in the provider."))
''', encoding="utf-8")
    (package / "storage.py").write_text('def f():\n    raise StoreError(tr("Shared " "message."))\n',
                                        encoding="utf-8")
    ts = tmp_path / "zh.ts"
    ts.write_text('<?xml version="1.0" encoding="utf-8"?><TS><context><name>X</name>'
                  '<message><source>Direct &lt;b&gt;{x}&lt;/b&gt; *message*</source>'
                  '<translation>直接的 &lt;b&gt;{x}&lt;/b&gt; 提示</translation></message>'
                  '<message><source>First algorithm</source><translation>第一个算法</translation></message>'
                  '<message><source>Held in a variable.</source>'
                  '<translation type="unfinished">草稿</translation></message>'
                  '</context></TS>', encoding="utf-8")
    groups = ts_tool.collect(package)
    assert [(g.algorithm, g.registered) for g in groups] == [
        ("second", True), ("first", True), ("hidden", False), (ts_tool.SHARED, True)]
    first = groups[1]
    assert [m for m, _ in first.messages] == ["Direct <b>{x}</b> *message*", "Held in a variable.",
                                              "Handed to a helper {value}.", "Handed to a method."]
    assert [m for m, _ in groups[3].messages] == ["Shared message."]
    page = ts_tool.render(groups, ts_tool.translations(ts))
    assert "### 第一个算法 · First algorithm — `linxia_tianguan:first`" in page
    assert "— `hidden`（尚未加入工具箱" in page and "linxia_tianguan:hidden" not in page
    assert "| 直接的 &lt;b&gt;{x}&lt;/b&gt; 提示 | Direct &lt;b&gt;{x}&lt;/b&gt; \\*message\\* |" in page
    assert f"| {ts_tool.MISSING} | Held in a variable. |" in page  # unfinished counts as missing
    assert "Not an error" not in page
    assert "共 7 条提示，其中 5 条尚无中文翻译" in page
    assert ts_tool.unescape(ts_tool.escape("a|b *c* <d> [e]_f\\g")) == "a|b *c* <d> [e]_f\\g"
