"""The layers of docs/architecture.md, held by the code's text: what may import what, and where SQL may be written.

Two rules are ratchets: the places that break them today are listed with how much they break them, and the lists
may only shrink (issue 16 moved every SQL statement into ``storage/``; shared labels move to a common layer). A new
module that writes SQL outside ``storage/``, or a dock that imports an algorithm module, fails here."""
from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "linxia_tianguan_plugin"

#: modules outside storage/ that still execute SQL themselves, with how many calls they may make at most (issue 16
#: moved the last of them into storage/: keep it empty)
SQL_OUTSIDE_STORAGE: dict[str, int] = {}

#: docks that still import from processing/ (labels and messages belong in the common layer): none any more
UI_IMPORTS_OF_PROCESSING: dict[str, set[str]] = {}

_EXECUTE = re.compile(r"\.execute(many)?\(")


def _modules(folder: str = "") -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _imports(path: Path) -> list[tuple[int, str]]:
    """(level, module) of every ``from … import`` and ``import …`` in ``path`` (level 0: absolute)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
        elif isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
    return found


def test_sql_is_written_in_storage_only():
    grown = {}
    for path in _modules():
        name = _name(path)
        if name.startswith("storage/"):
            continue
        calls = len(_EXECUTE.findall(path.read_text(encoding="utf-8")))
        if calls > SQL_OUTSIDE_STORAGE.get(name, 0):
            grown[name] = calls
    assert not grown, f"SQL outside storage/ (move it into a storage function): {grown}"


def test_the_storage_layer_knows_nothing_of_qgis_processing_or_docks():
    for path in _modules("storage"):
        for level, module in _imports(path):
            top = module.split(".")[0]
            assert not (level == 0 and top in ("qgis", "processing")), f"{_name(path)} imports {module}"
            assert not (level == 2 and top in ("processing", "ui")), f"{_name(path)} imports ..{module}"


def test_processing_does_not_import_docks():
    for path in _modules("processing"):
        for level, module in _imports(path):
            assert not (level == 2 and module.split(".")[0] == "ui"), f"{_name(path)} imports ..{module}"


def test_docks_import_algorithm_modules_only_where_listed():
    extra = {}
    for path in _modules("ui"):
        name = _name(path)
        used = {module.split(".")[1] for level, module in _imports(path)
                if level == 2 and module.startswith("processing.")}
        left = used - UI_IMPORTS_OF_PROCESSING.get(name, set())
        if left:
            extra[name] = sorted(left)
    assert not extra, f"docks importing processing modules (put shared labels/messages in a common layer): {extra}"


def test_algorithms_read_no_settings_behind_a_runs_back():
    """A setting may only pre-fill a dialog (``setGuiDefaultValueOverride``): a ``qgis_process`` call must give the
    same result on every desk. Every use of ``settings`` in processing/ is either the store's or the QR template's
    dialog default, or the plugin's own declarations."""
    allowed = re.compile(r"setGuiDefaultValueOverride\(settings\.|return settings\.store_path\(\)")
    read = re.compile(r"\bsettings\.(value|store_path|qr_template|[A-Z_]+\.get)\(")
    found = []
    for path in _modules("processing"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if read.search(line) and not allowed.search(line):
                found.append(f"{_name(path)}:{number}: {line.strip()}")
    assert not found, "settings read by an algorithm at run time:\n" + "\n".join(found)


def test_every_setting_is_declared_once():
    """QgsSettings is used in settings.py only (where every key is declared, typed); ``settings.value``/``set_value``
    refuse an undeclared key at run time."""
    import pytest

    from linxia_tianguan_plugin import settings

    for path in _modules():
        if _name(path) not in ("settings.py", "i18n.py"):  # (i18n reads QGIS's own locale setting)
            assert "QgsSettings()" not in path.read_text(encoding="utf-8"), f"{_name(path)} uses QgsSettings itself"
    with pytest.raises(KeyError):
        settings.value("some/undeclared_key")
