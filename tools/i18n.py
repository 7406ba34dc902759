"""Translations of the plugin: extract ``tr("...")`` strings, check them, compile them.

    python tools/i18n.py extract        # update linxia_tianguan_plugin/i18n/linxia_tianguan_zh_CN.ts
    python tools/i18n.py todo           # untranslated sources, as JSON {source: ""}
    python tools/i18n.py apply FILE     # fill translations from a JSON {source: translation}
    python tools/i18n.py check          # fail on untranslated, unfinished, stale or malformed entries
    python tools/i18n.py compile        # .ts → .qm with lrelease

All strings live in one fixed context (``linxia_tianguan_plugin.i18n.CONTEXT``). The extractor reads
the source with ``ast``, so it also catches ``tr()`` calls whose argument is not a literal (an
f-string, a variable), which could never be translated.
"""
from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "linxia_tianguan_plugin"
TS = PACKAGE / "i18n" / "linxia_tianguan_zh_CN.ts"
CONTEXT = "LinxiaTianguan"
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def extract_sources() -> tuple[list[str], list[str]]:
    """(translatable strings in order of first appearance, problems with non-literal tr() calls)."""
    seen: dict[str, None] = {}
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name != "tr" or not node.args:
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                seen.setdefault(arg.value, None)
            elif path.name != "i18n.py":
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: tr() needs a string literal")
    return list(seen), problems


def load_ts() -> dict[str, tuple[str, str]]:
    """source → (translation, type) from the .ts file."""
    if not TS.exists():
        return {}
    out = {}
    for message in ET.parse(TS).getroot().iter("message"):
        source = message.findtext("source") or ""
        node = message.find("translation")
        out[source] = ((node.text or "") if node is not None else "", node.get("type", "") if node is not None else "")
    return out


def write_ts(entries: list[tuple[str, str, str]]) -> None:
    root = ET.Element("TS", version="2.1", language="zh_CN")
    context = ET.SubElement(root, "context")
    ET.SubElement(context, "name").text = CONTEXT
    for source, translation, kind in entries:
        message = ET.SubElement(context, "message")
        ET.SubElement(message, "source").text = source
        node = ET.SubElement(message, "translation")
        node.text = translation
        if kind:
            node.set("type", kind)
    ET.indent(root, space="    ")
    TS.parent.mkdir(parents=True, exist_ok=True)
    body = ET.tostring(root, encoding="unicode")
    TS.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8")


def extract() -> int:
    sources, problems = extract_sources()
    for p in problems:
        print(p, file=sys.stderr)
    old = load_ts()
    entries = []
    for s in sources:
        translation, kind = old.get(s, ("", "unfinished"))
        entries.append((s, translation, "unfinished" if not translation else ("" if kind == "vanished" else kind)))
    write_ts(entries)
    dropped = len(set(old) - set(sources))
    print(f"{TS.relative_to(ROOT)}: {len(sources)} strings, {sum(1 for e in entries if e[2])} unfinished, "
          f"{dropped} dropped")
    return 1 if problems else 0


def todo() -> int:
    todo_items = {s: "" for s, (t, k) in load_ts().items() if not t or k == "unfinished"}
    print(json.dumps(todo_items, ensure_ascii=False, indent=1))
    return 0


def apply(path: str, force: bool = False) -> int:
    """Write the translations of the JSON file ``path`` ({English: 中文}) into the .ts. A source that already has a
    finished translation keeps it unless ``force`` (``apply FILE --force``): one English source is one string of the
    whole plugin, and a file written for one new feature must not re-translate a word other places show (it once
    turned the dashboard's 类型 into 类别)."""
    updates = json.loads(Path(path).read_text(encoding="utf-8"))
    sources, _ = extract_sources()
    old = load_ts()
    entries, kept = [], []
    for s in sources:
        translation, kind = old.get(s, ("", "unfinished"))
        if updates.get(s):
            if translation and kind != "unfinished" and translation != updates[s] and not force:
                kept.append(f"kept the finished translation of {s!r}: {translation!r} (not {updates[s]!r})")
            else:
                translation, kind = updates[s], ""
        entries.append((s, translation, kind if translation else "unfinished"))
    write_ts(entries)
    for line in kept:
        print(line, file=sys.stderr)
    return check()


def check() -> int:
    sources, problems = extract_sources()
    ts = load_ts()
    for s in sources:
        translation, kind = ts.get(s, ("", "missing"))
        if kind == "missing":
            problems.append(f"not in {TS.name} (run extract): {s!r}")
        elif not translation or kind == "unfinished":
            problems.append(f"untranslated: {s!r}")
        elif set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(translation)):
            problems.append(f"placeholders differ: {s!r} → {translation!r}")
    for s in set(ts) - set(sources):
        problems.append(f"stale entry (run extract): {s!r}")
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(sources)} strings, {len(problems)} problems")
    return 1 if problems else 0


def compile_qm() -> int:
    lrelease = shutil.which("lrelease") or "/usr/lib/qt5/bin/lrelease"
    qm = TS.with_suffix(".qm")
    # into a new file, then renamed over the old one: a QGIS or test process that has the old .qm mapped keeps
    # reading its own copy (lrelease writing in place would pull the pages from under it: SIGBUS)
    partial = qm.with_name(qm.name + ".partial")
    result = subprocess.run([lrelease, "-silent", str(TS), "-qm", str(partial)], capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        partial.unlink(missing_ok=True)
        return result.returncode
    partial.replace(qm)
    return 0


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "apply":
        return apply(sys.argv[2], force="--force" in sys.argv[3:])
    return {"extract": extract, "todo": todo, "check": check, "compile": compile_qm}[command]()


if __name__ == "__main__":
    sys.exit(main())
