"""Project conventions that the suite enforces: lint, translations, and the core/Qt boundary."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "linxia_tianguan_plugin"


def test_ruff_is_clean():
    proc = subprocess.run([str(Path(sys.executable).with_name("ruff")), "check", "--output-format", "concise", "."],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_user_visible_string_has_a_chinese_translation():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "i18n.py"), "check"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-4000:]


def test_core_imports_neither_qgis_nor_qt():
    offenders = []
    for path in (PACKAGE / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("qgis", "PyQt5", "PyQt6")]
    assert offenders == []


def test_algorithms_are_processing_algorithms_with_fresh_instances(processing_registry):
    from qgis.core import QgsProcessingAlgorithm

    provider = processing_registry.providerById("linxia_tianguan")
    algorithms = provider.algorithms()
    assert {a.name() for a in algorithms} >= {"space_code", "validate_space_code", "decode_space_code"}
    for algorithm in algorithms:
        assert isinstance(algorithm, QgsProcessingAlgorithm)
        assert type(algorithm).__module__.startswith("linxia_tianguan_plugin.processing.")
        assert algorithm.createInstance() is not algorithm
        assert algorithm.shortHelpString() and algorithm.group() and algorithm.displayName()
