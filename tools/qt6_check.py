"""Qt6 / QGIS 4 readiness check of the code that runs inside QGIS (run by ``make lint``).

    python tools/qt6_check.py            # the plugin package and the scripts the QGIS desktop runs
    python tools/qt6_check.py PATH ...   # other files or folders

The plugin supports QGIS 3.34 (PyQt5) to 4.x (PyQt6), so its code must use only spellings both accept. Two
independent parts report findings as ``path:line: what``; the exit code is 1 when there is any, 0 (and
"0 findings") when there is none:

1. pyqt5to6 (the QGIS project's migration tool, PyPI ``qgis-pyqt5to6``), in its default QGIS-3-compatible mode,
   run file by file on a copy in a temporary folder: every line it would change is a finding ``old -> new``,
   every warning it prints is one, and so is a crash of the tool on a file. It needs PyQt6; without it the
   check says so and runs only part 2.
2. Checks of their own, on the code with strings and comments blanked: ``exec_``; ``QVariant.<type>`` field
   types (compat.make_field / compat.field_type instead); unscoped enum members (``Qt.AlignLeft``,
   ``QSizePolicy.Expanding``, ``QgsWkbTypes.Point``; the scoped spelling works on PyQt5 too); QGIS enums that
   moved into ``Qgis`` (``QgsWkbTypes.Type``); ``Qgis.<Enum>`` newer than the minimum QGIS (resolved in
   compat.py instead); ``QRegExp``, ``qApp``, ``QDesktopWidget``/``desktop()``, ``QFontMetrics(…).width(``,
   ``.setMargin(``; imports from ``PyQt5``/``PyQt6`` instead of ``qgis.PyQt``. ``QAction`` from
   ``qgis.PyQt.QtWidgets`` is fine: QGIS's Qt6 shim re-exports it from QtGui.

The only exception: a line of ``linxia_tianguan_plugin/compat.py`` (the version switches) that carries the
comment ``# qt6-check: allow``; the marker anywhere else is itself a finding.
"""
from __future__ import annotations

import argparse
import contextlib
import difflib
import enum
import importlib.util
import inspect
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import tokenize
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "linxia_tianguan_plugin"
#: what runs inside QGIS: the plugin, and the scripts the desktop runs (--code / PYQGIS_STARTUP; the smoke
#: tests' own are tests/smoke/qgis_*.py, their pytest drivers test_*.py run outside QGIS)
DEFAULT_TARGETS = (PACKAGE, "tools/screenshot_inside_qgis.py", "tests/smoke/qgis_*.py")
ALLOW_FILE = ROOT / PACKAGE / "compat.py"
ALLOW_MARK = "qt6-check: allow"
MIN_QGIS = (3, 34)

QVARIANT_TYPES = ("Int", "UInt", "LongLong", "ULongLong", "Double", "String", "Bool", "Date", "DateTime", "Time",
                  "Map", "List", "StringList", "ByteArray", "Invalid", "Type")
#: (pattern on code without strings and comments, what to write instead)
PATTERNS = [
    (re.compile(r"\bexec_\b"), "exec_ is gone in PyQt6: exec()"),
    (re.compile(r"\bQVariant\.(?:{})\b".format("|".join(QVARIANT_TYPES))),
     "QVariant field types are gone in Qt6 (and deprecated for QgsField from QGIS 3.38): compat.field_type() / "
     "compat.make_field()"),
    (re.compile(r"\bQRegExp\w*"), "QRegExp is gone in Qt6: QRegularExpression"),
    (re.compile(r"\bqApp\b"), "qApp is gone in PyQt6: QApplication.instance()"),
    (re.compile(r"\bQDesktopWidget\b|\.desktop\(\s*\)"), "QDesktopWidget is gone in Qt6: QScreen (QGuiApplication)"),
    (re.compile(r"\b(?:QFontMetricsF?\((?:[^()]|\([^()]*\))*\)|fontMetrics\(\))\.width\("),
     "QFontMetrics.width() is gone in Qt6: horizontalAdvance()"),
    (re.compile(r"\.setMargin\("), "QLayout.setMargin() is gone in Qt6: setContentsMargins()"),
    (re.compile(r"^\s*(?:from|import)\s+PyQt[56]\b", re.MULTILINE), "import from qgis.PyQt, not PyQt5/PyQt6"),
]
QT_MEMBER = re.compile(r"(?<![\w.])Qt\.([A-Za-z_]\w*)(\s*\.)?")
QT_QUALIFIED = re.compile(r"(?<![\w.])(Q\w*)\.([A-Za-z_]\w*)(\s*\.)?")
VERSION_ADDED = re.compile(r"versionadded:: (\d+)\.(\d+)")


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def python_files(targets: list[Path]) -> list[Path]:
    out = []
    for target in targets:
        if target.is_dir():
            out.extend(p for p in sorted(target.rglob("*.py")) if "__pycache__" not in p.parts)
        elif target.suffix == ".py":
            out.append(target)
    return out


def code_only(text: str) -> str:
    """``text`` with its strings and comments replaced by spaces (line and column numbers kept)."""
    lines = text.splitlines(keepends=True)
    blank = {"STRING", "COMMENT", "FSTRING_MIDDLE"}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    for token in tokens:
        if tokenize.tok_name[token.type] not in blank:
            continue
        (row, col), (end_row, end_col) = token.start, token.end
        for r in range(row, end_row + 1):
            line = lines[r - 1]
            start = col if r == row else 0
            stop = end_col if r == end_row else len(line.rstrip("\r\n"))
            lines[r - 1] = line[:start] + " " * (stop - start) + line[stop:]
    return "".join(lines)


# ------------------------------------------------------------------------------------------- introspection
class Bindings:
    """What the checks need to know about Qt and QGIS, from the bindings this Python has (None: not known)."""

    def __init__(self, qt6_qt_classes: set[str] | None):
        self.modules = []
        self.qgis = None
        try:
            from qgis.PyQt import QtCore, QtGui, QtWidgets

            self.modules += [QtCore, QtGui, QtWidgets]
        except ImportError:
            pass
        try:
            import qgis.core
            import qgis.gui

            self.modules += [qgis.core, qgis.gui]
            self.qgis = qgis.core.Qgis
        except ImportError:
            pass
        self.qt_classes = qt6_qt_classes
        if self.qt_classes is None and self.modules:
            qt = self.modules[0].Qt
            self.qt_classes = {name for name in dir(qt) if inspect.isclass(getattr(qt, name, None))}

    def lookup(self, name: str):
        for module in self.modules:
            if name in module.__dict__:
                return module.__dict__[name]
        return None

    def qgis_enum(self, cls) -> tuple[str, tuple[int, int]] | None:
        """(name, version that added it) when ``cls`` is an enum of the ``Qgis`` namespace."""
        if self.qgis is None or not inspect.isclass(cls):
            return None
        name = getattr(cls, "__name__", "")
        if getattr(self.qgis, name, None) is not cls:
            return None
        match = VERSION_ADDED.search((cls.__doc__ or "").split("* ``")[0])
        return name, (int(match.group(1)), int(match.group(2))) if match else (3, 0)


def is_enum_member(value) -> bool:
    return isinstance(value, enum.Enum) or type(type(value)).__name__ == "enumtype"  # Python enum or sip's


def qualified_findings(code: str, bindings: Bindings) -> list[tuple[int, str]]:
    """Unscoped enum members of Qt and QGIS classes, and QGIS enum spellings the minimum QGIS lacks or that
    moved into ``Qgis``."""
    found = []
    for match in QT_QUALIFIED.finditer(code):
        owner_name, attr, dotted = match.group(1), match.group(2), match.group(3)
        if owner_name in ("Qt", "QVariant"):  # own checks
            continue
        owner = bindings.lookup(owner_name)
        if owner is None or not inspect.isclass(owner):
            continue
        try:
            value = getattr(owner, attr)
        except AttributeError:
            continue
        line = code.count("\n", 0, match.start()) + 1
        spelled = f"{owner_name}.{attr}"
        moved = bindings.qgis_enum(value if inspect.isclass(value) else type(value))
        if inspect.isclass(value):
            if moved and owner is not bindings.qgis:
                found.append((line, f"{spelled} is an alias of Qgis.{moved[0]} -> {_qgis_spelling(moved)}"))
            elif moved and moved[1] > MIN_QGIS:
                found.append((line, f"{spelled} is new in QGIS {_version(moved[1])} (minimum "
                                    f"{_version(MIN_QGIS)}): resolve it in compat.py, with the old spelling"))
            continue
        if dotted or not is_enum_member(value):
            continue
        if moved:
            found.append((line, f"unscoped enum {spelled} -> {_qgis_spelling(moved, getattr(value, 'name', attr))}"))
        else:
            enum_name = type(value).__name__
            found.append((line, f"unscoped enum {spelled} -> {owner_name}.{enum_name}.{attr}"))
    return found


def _version(version: tuple[int, int]) -> str:
    return "{}.{}".format(*version)


def _qgis_spelling(moved: tuple[str, tuple[int, int]], member: str = "") -> str:
    name, added = moved
    spelled = f"{name}.{member}" if member else name
    if added > MIN_QGIS:
        return f"compat.{spelled} (Qgis.{name} is QGIS {_version(added)}+, the minimum {_version(MIN_QGIS)})"
    return f"Qgis.{spelled}"


def own_findings(path: Path, text: str, bindings: Bindings) -> list[tuple[int, str]]:
    code = code_only(text)
    found = []
    for pattern, advice in PATTERNS:
        for match in pattern.finditer(code):
            found.append((code.count("\n", 0, match.start()) + 1, f"{match.group(0).strip()}: {advice}"))
    for match in QT_MEMBER.finditer(code):
        member, dotted = match.group(1), match.group(2)
        scoped = member in bindings.qt_classes if bindings.qt_classes is not None else bool(dotted)
        value = getattr(bindings.lookup("Qt"), member, None)
        if scoped or (callable(value) and not inspect.isclass(value) and not is_enum_member(value)):
            continue  # Qt.AlignmentFlag, Qt.mightBeRichText(…)
        line = code.count("\n", 0, match.start()) + 1
        if inspect.isclass(value):  # a PyQt5 flags class (Qt.Alignment): PyQt6 has only the enum
            found.append((line, f"Qt.{member} is not in PyQt6: use its enum (Qt.<Enum>)"))
        else:
            enum_name = type(value).__name__ if is_enum_member(value) else "<Enum>"
            found.append((line, f"unscoped enum Qt.{member} -> Qt.{enum_name}.{member} (works on PyQt5 too)"))
    found.extend(qualified_findings(code, bindings))
    return found


# ------------------------------------------------------------------------------------------- pyqt5to6
def importable(name: str) -> bool:
    """Whether ``import name`` can work here (without importing it: PyQt6 stays out of this process)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # e.g. sys.modules[name] = None
        return False


def pyqt5to6_available() -> str | None:
    """None when pyqt5to6 can run here, else why not."""
    if not importable("PyQt6"):
        return "PyQt6 is not importable here: the pyqt5to6 part is skipped, only the own checks run"
    if not importable("pyqt5to6"):
        return "pyqt5to6 (PyPI qgis-pyqt5to6) is not installed here: only the own checks run"
    return None


def run_worker(copy_dir: str, files: list[str], result_path: str) -> None:
    """In a child process (PyQt6 next to PyQt5): pyqt5to6's fix_file on each copied file, one at a time."""
    with contextlib.redirect_stdout(io.StringIO()):  # it prints a notice when QGIS isn't importable
        from pyqt5to6 import pyqt5to6 as tool
    # Next to a PyQt5 QGIS, the tool's "from qgis.core import *" rebinds its QtCore to qgis.PyQt.QtCore (PyQt5,
    # whose sip enums it cannot read): it would never scope Qt.AlignLeft. Point it back at PyQt6's modules.
    for i, module in enumerate(tool.target_modules):
        if module.__name__.startswith("qgis.PyQt."):
            tool.target_modules[i] = importlib.import_module("PyQt6." + module.__name__.rsplit(".", 1)[1])
    for module in tool.target_modules:  # what its main() does before fixing files
        for value in list(module.__dict__.values()):
            tool.get_class_enums(value)
    results = []
    for rel in files:
        output, error, line = io.StringIO(), None, None
        try:
            with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                tool.fix_file(os.path.join(copy_dir, rel), True)
        except Exception as exc:  # a crash on one file is a finding, the others still run
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            error = f"{type(exc).__name__} in {frame.name}(): {frame.line}"
            line = _crash_line(exc)
        results.append({"file": rel, "error": error, "line": line, "output": output.getvalue()})
    Path(result_path).write_text(json.dumps(results), encoding="utf-8")


def _crash_line(exc: BaseException) -> int | None:
    """The source line pyqt5to6 was rewriting when it crashed (its token list and index), when known."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        local = tb.tb_frame.f_locals
        tokens, index = local.get("tokens"), local.get("start_index", local.get("i"))
        if isinstance(tokens, list) and isinstance(index, int) and 0 <= index < len(tokens):
            offset = getattr(tokens[index], "line", None)
            line = offset if isinstance(offset, int) else line
        tb = tb.tb_next
    return line


#: what pyqt5to6 prints: "<file>:<line>:<column> WARNING: …", "<file>: …" (+ indented continuation lines)
_TOOL_MESSAGE = re.compile(r"^(?P<file>.+?\.py):(?:(?P<line>\d+):(?:\d+:?\s)?)?\s*(?P<text>.+)$")


def pyqt5to6_findings(texts: dict[Path, str]) -> list[tuple[Path, int, str]]:
    """Findings of pyqt5to6 on copies of the files (``texts``: path → its source as the own checks read it)."""
    found = []
    files = list(texts)
    with tempfile.TemporaryDirectory(prefix="qt6_check_") as tmp:
        rels = []
        for i, path in enumerate(files):
            shown = display(path)  # the package's layout under the temporary folder (outside files apart)
            rel = shown if not os.path.isabs(shown) else f"outside/{i:04d}/{path.name}"
            os.makedirs(os.path.join(tmp, os.path.dirname(rel)), exist_ok=True)
            Path(tmp, rel).write_text(texts[path], encoding="utf-8")
            rels.append(rel)
        result_path = os.path.join(tmp, "result.json")
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", tmp, result_path, *rels],
                              capture_output=True, text=True, env=env)
        if proc.returncode != 0 or not os.path.exists(result_path):
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            return [(ROOT / PACKAGE, 0, f"pyqt5to6 could not run: {tail[0]}")]
        for result, path in zip(json.loads(Path(result_path).read_text(encoding="utf-8")), files):
            copy = Path(tmp, result["file"])
            if result["error"]:
                found.append((path, result["line"] or 1, f"pyqt5to6 crashed on this file ({result['error']}): "
                                                          "fix the spelling by hand"))
            messages: list[list] = []
            for message in result["output"].splitlines():
                parsed = _TOOL_MESSAGE.match(message.strip())
                if parsed and parsed.group("file").endswith(result["file"]):
                    messages.append([int(parsed.group("line") or 1), parsed.group("text")])
                elif message[:1].isspace() and messages and message.strip():  # "Missing import, add\n\tfrom …"
                    messages[-1][1] += " " + message.strip()
                elif message.strip():
                    messages.append([1, message.strip()])
            found.extend((path, line, f"pyqt5to6: {text}") for line, text in messages)
            found.extend((path, line, text) for line, text in changed_lines(texts[path], copy))
    return found


def changed_lines(original: str, rewritten: Path) -> list[tuple[int, str]]:
    old = original.splitlines()
    new = rewritten.read_text(encoding="utf-8").splitlines()
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        before, after = old[i1:i2], new[j1:j2]
        for k in range(max(len(before), len(after))):
            was = before[k].strip() if k < len(before) else "(nothing)"
            now = after[k].strip() if k < len(after) else "(removed)"
            out.append((i1 + min(k, max(len(before) - 1, 0)) + 1, f"{was} -> {now}"))
    return out


# ------------------------------------------------------------------------------------------- main
def qt6_qt_classes() -> set[str] | None:
    """The enum and flag class names of PyQt6's Qt namespace (what ``Qt.<Name>.<Member>`` may use)."""
    code = ("import inspect, json\nfrom PyQt6.QtCore import Qt\n"
            "print(json.dumps([n for n in dir(Qt) if inspect.isclass(getattr(Qt, n, None))]))")
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        return set(json.loads(proc.stdout)) if proc.returncode == 0 else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def default_targets() -> list[Path]:
    return [path for target in DEFAULT_TARGETS for path in sorted(ROOT.glob(target))]


def check(targets: list[Path], use_pyqt5to6: bool = True) -> tuple[list[str], list[str]]:
    """(findings ``path:line: what``, notes) for the Python files under ``targets``."""
    notes = []
    files = python_files(targets)
    why_not = pyqt5to6_available() if use_pyqt5to6 else "pyqt5to6 part skipped (--no-pyqt5to6)"
    if why_not:
        notes.append(why_not)
    qt6_classes = qt6_qt_classes() if importable("PyQt6") else None
    bindings = Bindings(qt6_classes)
    if not bindings.modules:
        notes.append("neither qgis nor qgis.PyQt is importable: enum checks only by spelling")
    raw: list[tuple[Path, int, str]] = []
    texts = {}
    for path in files:
        texts[path] = path.read_text(encoding="utf-8")
        raw.extend((path, line, text) for line, text in own_findings(path, texts[path], bindings))
    if not why_not:
        raw.extend(pyqt5to6_findings(texts))
    findings = set()
    for path, line, text in raw:
        lines = texts.get(path, "").splitlines()
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        if ALLOW_MARK in source and _is_allow_file(path):
            continue
        findings.add((display(path), line, text))
    for path, text in texts.items():
        if _is_allow_file(path):
            continue
        for number, source in enumerate(text.splitlines(), 1):
            if ALLOW_MARK in source:
                findings.add((display(path), number, f"'# {ALLOW_MARK}' counts only in {display(ALLOW_FILE)}"))
    return [f"{p}:{n}: {t}" for p, n, t in sorted(findings)], notes


def _is_allow_file(path: Path) -> bool:
    return path.resolve() == ALLOW_FILE.resolve()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        run_worker(argv[1], argv[3:], argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the code run inside QGIS)")
    parser.add_argument("--no-pyqt5to6", action="store_true", help="only the own checks")
    args = parser.parse_args(argv)
    targets = args.paths or default_targets()
    missing = [t for t in targets if not t.exists()]
    if missing:
        parser.error("no such file or folder: " + ", ".join(map(str, missing)))
    findings, notes = check(targets, not args.no_pyqt5to6)
    for note in notes:
        print(f"note: {note}")
    for finding in findings:
        print(finding)
    print(f"{len(findings)} finding{'' if len(findings) == 1 else 's'}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
