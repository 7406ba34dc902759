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


def _imports(path: Path) -> list[str]:
    """Every module ``path`` imports from, resolved: the plugin's own as ``"<layer>.<module>"`` relative to the
    package (``"processing.base"``, ``"core.coding.qr"``), others absolute (``"qgis.core"``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = list(path.relative_to(PACKAGE).with_suffix("").parts)[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                name = node.module or ""
                own = name.startswith(PACKAGE.name + ".")
                found.append(name[len(PACKAGE.name) + 1:] if own else name)
            else:
                base = here[:len(here) - (node.level - 1)]
                found.append(".".join(base + ([node.module] if node.module else [])) or ".")
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def _top(module: str) -> str:
    return module.split(".")[0]


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
        for module in _imports(path):
            # (a top-level "processing" is QGIS's own Processing package; the plugin's resolves to the same name,
            # and neither belongs in storage)
            assert _top(module) not in ("qgis", "processing", "ui"), f"{_name(path)} imports {module}"


def test_processing_does_not_import_docks():
    for path in _modules("processing"):
        for module in _imports(path):
            assert _top(module) != "ui", f"{_name(path)} imports {module}"


def test_docks_import_algorithm_modules_only_where_listed():
    extra = {}
    for path in _modules("ui"):
        name = _name(path)
        used = {module.split(".", 1)[1] for module in _imports(path) if module.startswith("processing.")}
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


#: the modules that stay at the root of core/ and processing/: shared by every capability (the rest live in a
#: capability package named as the toolbox group, see docs/architecture.md)
CORE_SHARED = {"__init__", "admin", "clock", "crs", "dlbm", "errors", "geometry", "geos", "parallel"}
PROCESSING_SHARED = {"base", "provider", "fields", "readers", "issues", "layout_text", "table_files"}


def test_core_and_processing_are_grouped_by_capability():
    from linxia_tianguan_plugin.processing.base import GROUP_ORDER

    for layer, shared in (("core", CORE_SHARED), ("processing", PROCESSING_SHARED)):
        root = PACKAGE / layer
        loose = {p.stem for p in root.glob("*.py")} - shared
        assert not loose, f"{layer}/ modules outside a capability package ({GROUP_ORDER}): {sorted(loose)}"
        packages = {p.name for p in root.iterdir() if p.is_dir() and p.name != "__pycache__"}
        assert packages == set(GROUP_ORDER), f"{layer}/ packages {sorted(packages)} are not the groups {GROUP_ORDER}"
        for package in packages:
            assert (root / package / "__init__.py").is_file(), f"{layer}/{package} has no __init__.py"


def test_every_algorithm_sits_in_its_toolbox_groups_package(processing_registry):
    from linxia_tianguan_plugin.processing.base import GROUP_ORDER, group_name

    algorithms = processing_registry.providerById("linxia_tianguan").algorithms()
    assert len(algorithms) >= 20
    for algorithm in algorithms:
        package = type(algorithm).__module__.split(".")
        assert package[:2] == [PACKAGE.name, "processing"] and package[2] in GROUP_ORDER, type(algorithm).__module__
        assert algorithm.groupId() == package[2] and algorithm.group() == group_name(package[2])


def test_shared_core_modules_use_no_capability():
    """The shared kernels at the root of core/ (clock, crs, geometry, …) are what the capabilities build on: they
    import none of them, so any capability package can be read (and moved) alone."""
    for path in (PACKAGE / "core").glob("*.py"):
        for module in _imports(path):
            parts = module.split(".")
            assert not (parts[0] == "core" and len(parts) > 1 and parts[1] in ("coding", "grid", "patrol", "cases",
                                                                                 "reports")), \
                f"{_name(path)} imports {module}"
