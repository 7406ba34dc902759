"""QGIS 3.34 … 4.x readiness (issue 14): the code that runs inside QGIS has no spelling Qt6/PyQt6 removes
(tools/qt6_check.py, run by ``make lint``), the checker does find each kind of bad spelling, and the field
helpers of ``compat`` build fields of the right type without a deprecation warning on the running QGIS."""
from __future__ import annotations

import importlib
import importlib.util
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "tools" / "qt6_check.py"
PYQT5TO6 = importlib.util.find_spec("PyQt6") is not None and importlib.util.find_spec("pyqt5to6") is not None


def run_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_the_plugin_has_no_spelling_qt6_removes():
    proc = run_check()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "0 findings"
    if PYQT5TO6:  # both parts ran
        assert "note:" not in proc.stdout, proc.stdout


# one planted file per kind of spelling: (file, source, [(line, what the finding says)])
BAD = {
    "exec_call.py": ("from qgis.PyQt.QtWidgets import QDialog\nQDialog().exec_()\n", [(2, "exec_")]),
    "qvariant_field.py": ("from qgis.core import QgsField\nfrom qgis.PyQt.QtCore import QVariant\n"
                          "field = QgsField('a', QVariant.String)\n", [(3, "QVariant.String")]),
    "qvariant_type.py": ("from qgis.PyQt.QtCore import QVariant\n\n\ndef kind(k: QVariant.Type):\n    return k\n",
                         [(4, "QVariant.Type")]),
    "qt_unscoped.py": ("from qgis.PyQt.QtCore import Qt\nalign = Qt.AlignLeft\nrole = Qt.UserRole\n",
                       [(2, "Qt.AlignmentFlag.AlignLeft"), (3, "Qt.ItemDataRole.UserRole")]),
    "class_unscoped.py": ("from qgis.PyQt.QtWidgets import QMessageBox, QSizePolicy\n"
                          "policy = QSizePolicy.Expanding\nanswer = QMessageBox.Yes\n",
                          [(2, "QSizePolicy.Policy.Expanding"), (3, "QMessageBox.StandardButton.Yes")]),
    "qgis_moved.py": ("from qgis.core import QgsWkbTypes\nkind = QgsWkbTypes.Point\nenum = QgsWkbTypes.Type\n",
                      [(2, "Qgis.WkbType.Point"), (3, "alias of Qgis.WkbType")]),
    "qgis_too_new.py": ("from qgis.core import Qgis, QgsProcessing\nold = QgsProcessing.TypeVectorLine\n"
                        "new = Qgis.ProcessingSourceType.VectorLine\n",
                        [(2, "compat.ProcessingSourceType.VectorLine"), (3, "new in QGIS 3.36")]),
    "removed_classes.py": ("from qgis.PyQt.QtCore import QRegExp\nfrom qgis.PyQt.QtWidgets import qApp\n"
                           "from qgis.PyQt.QtWidgets import QDesktopWidget\n",
                           [(1, "QRegExp"), (2, "qApp"), (3, "QDesktopWidget")]),
    "metrics_margin.py": ("from qgis.PyQt.QtGui import QFont, QFontMetrics\n\n\ndef size(layout):\n"
                          "    layout.setMargin(0)\n    return QFontMetrics(QFont()).width('x')\n",
                          [(5, "setMargin"), (6, "width(")]),
    "pyqt5_import.py": ("from PyQt5.QtCore import QTimer\n\nQTimer()\n", [(1, "qgis.PyQt")]),
    "allow_elsewhere.py": ("from qgis.PyQt.QtCore import QVariant\nkind = QVariant.Int  # qt6-check: allow\n",
                           [(2, "QVariant.Int"), (2, "counts only in linxia_tianguan_plugin/compat.py")]),
}
CLEAN = ('"""Qt.AlignLeft and exec_() in a docstring, QVariant.String in a comment: fine."""\n'
         "from qgis.core import Qgis\nfrom qgis.PyQt.QtCore import Qt\nfrom qgis.PyQt.QtWidgets import QAction\n"
         "align = Qt.AlignmentFlag.AlignLeft  # not QVariant.String\nkind = Qgis.WkbType.Point\n"
         "text = 'dialog.exec_()'\naction = QAction()\n")


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    package = tmp_path_factory.mktemp("qt6") / "bad_plugin"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "clean.py").write_text(CLEAN, encoding="utf-8")
    for name, (source, _) in BAD.items():
        (package / name).write_text(source, encoding="utf-8")
    return package


def _findings(stdout: str) -> list[tuple[str, int, str]]:
    out = []
    for line in stdout.splitlines():
        match = re.match(r"(.+?\.py):(\d+): (.*)$", line)
        if match:
            out.append((Path(match.group(1)).name, int(match.group(2)), match.group(3)))
    return out


@pytest.mark.parametrize("pyqt5to6", [False, True], ids=["own checks", "with pyqt5to6"])
def test_the_check_reports_each_kind_of_bad_spelling(planted, pyqt5to6):
    if pyqt5to6 and not PYQT5TO6:
        pytest.skip("PyQt6 or pyqt5to6 is not installed here")
    proc = run_check(str(planted), *([] if pyqt5to6 else ["--no-pyqt5to6"]))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = _findings(proc.stdout)
    for name, (_, expected) in BAD.items():
        for line, what in expected:
            assert any(f == name and n == line and what in text for f, n, text in found), \
                f"{name}:{line} '{what}' not reported:\n{proc.stdout}"
    assert not [f for f in found if f[0] == "clean.py"], proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == f"{len(found)} findings"
    if pyqt5to6:  # the tool's own view: the line it rewrites, and its crash on a bare QVariant.Type
        assert ("qt_unscoped.py", 2, "align = Qt.AlignLeft -> align = Qt.AlignmentFlag.AlignLeft") in found
        assert any(f == "qvariant_type.py" and "pyqt5to6 crashed" in text for f, _, text in found), proc.stdout


def test_without_pyqt6_the_check_says_so_and_runs_its_own_checks(planted):
    code = ("import runpy, sys\nsys.modules['PyQt6'] = None  # as if PyQt6 were not installed\n"
            f"sys.argv = ['qt6_check.py', {str(planted)!r}]\nrunpy.run_path({str(CHECK)!r}, run_name='__main__')\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "note: PyQt6 is not importable here" in proc.stdout
    found = _findings(proc.stdout)
    assert ("exec_call.py", 2, "exec_: exec_ is gone in PyQt6: exec()") in found
    assert not [f for f in found if " -> " in f[2] and "unscoped" not in f[2] and "alias" not in f[2]], found


def test_the_allow_marker_counts_only_in_the_plugins_compat(tmp_path):
    compat = tmp_path / "compat.py"  # a compat.py, but not the plugin's
    compat.write_text("from qgis.PyQt.QtCore import QVariant\nkind = QVariant.Int  # qt6-check: allow\n",
                      encoding="utf-8")
    proc = run_check("--no-pyqt5to6", str(compat))
    assert proc.returncode == 1
    assert "compat.py:2: QVariant.Int" in proc.stdout


# ------------------------------------------------------------------------------------------- compat
KINDS = {  # kind → (QMetaType.Type member, memory provider's type name, QGIS's friendly type)
    "String": ("QString", "string", "Text (string)"), "Int": ("Int", "integer", "Integer (32 bit)"),
    "LongLong": ("LongLong", "int8", "Integer (64 bit)"), "Double": ("Double", "double", "Decimal (double)"),
    "Bool": ("Bool", "boolean", "Boolean"), "Date": ("QDate", "date", "Date"),
    "DateTime": ("QDateTime", "datetime", "Date & Time"), "Time": ("QTime", "time", "Time"),
}


@pytest.fixture
def message_log(qgis_app):
    """What reaches QGIS's message log while the test runs, with Python warnings routed there as the QGIS
    desktop routes them (qgis.utils.showWarning) and every warning shown, not just the first."""
    import qgis.utils
    from qgis.core import QgsApplication

    received = []

    def on_message(message, tag, level):
        received.append((tag, message))

    log = QgsApplication.messageLog()
    log.messageReceived.connect(on_message)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = qgis.utils.showWarning
        yield received
    QgsApplication.processEvents()
    log.messageReceived.disconnect(on_message)


def test_make_field_types_on_the_running_qgis(message_log):
    from qgis.core import Qgis, QgsVectorLayer
    from qgis.PyQt.QtCore import QMetaType

    from linxia_tianguan_plugin import compat

    fields = [compat.make_field(f"f_{kind}", kind, 20, 3) for kind in KINDS]
    for field, (kind, (metatype, _, friendly)) in zip(fields, KINDS.items()):
        assert field.type() == compat.field_type(kind)
        if Qgis.versionInt() >= 33800:
            assert field.type() == getattr(QMetaType.Type, metatype)
            assert isinstance(field.type(), QMetaType.Type)
        assert (field.length(), field.precision()) == (20, 3)
        assert field.typeName() == ""  # as QgsField(name, type) leaves it: the provider names it
        assert field.friendlyTypeString() == friendly
    layer = QgsVectorLayer("None", "types", "memory")
    assert layer.dataProvider().addAttributes(fields)
    layer.updateFields()
    assert [(f.name(), f.type(), f.typeName()) for f in layer.fields()] == [
        (f"f_{kind}", compat.field_type(kind), type_name) for kind, (_, type_name, _) in KINDS.items()]
    assert not [m for m in message_log if "deprecat" in m[1].lower()], message_log


def test_the_message_log_does_catch_a_deprecated_field_constructor(message_log):
    """The control of the test above: the QVariant.Type constructor does warn there on QGIS >= 3.38."""
    from qgis.core import Qgis, QgsField
    from qgis.PyQt import QtCore

    if Qgis.versionInt() < 33800 or not hasattr(QtCore.QVariant, "String"):
        pytest.skip("the QVariant.Type constructor is the current one before QGIS 3.38 (and gone in Qt6)")
    QgsField("old", QtCore.QVariant.String)
    assert [m for m in message_log if "deprecated" in m[1]], message_log


def test_enum_fallbacks_resolve_the_old_spellings(qgis_app):
    """Before QGIS 3.36 (no Qgis.ProcessingSourceType …) compat resolves the old names to the same values."""
    from qgis.core import Qgis, QgsProcessing

    from linxia_tianguan_plugin import compat

    old = compat._scoped("NoSuchEnumInQgis", QgsProcessing, {"VectorLine": "TypeVectorLine"})
    assert old.VectorLine == QgsProcessing.TypeVectorLine
    assert compat.ProcessingSourceType.VectorLine == QgsProcessing.TypeVectorLine
    if hasattr(Qgis, "ProcessingSourceType"):
        assert compat.ProcessingSourceType.VectorLine is Qgis.ProcessingSourceType.VectorLine


def test_field_types_before_qgis_3_38(qgis_app, monkeypatch):
    """The QGIS 3.34/3.36 branch of compat (QVariant.Type), run here by pretending to be QGIS 3.34."""
    from qgis.core import Qgis
    from qgis.PyQt import QtCore

    from linxia_tianguan_plugin import compat

    if not hasattr(QtCore.QVariant, "String"):
        pytest.skip("Qt6: no QVariant.Type (and no QGIS 3.34)")
    monkeypatch.setattr(Qgis, "versionInt", staticmethod(lambda: 33400))
    try:
        importlib.reload(compat)
        assert not compat.METATYPE_FIELDS
        assert compat.FieldType is type(QtCore.QVariant.String)
        for kind in KINDS:
            assert compat.field_type(kind) is getattr(QtCore.QVariant, kind)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # deprecated on the QGIS running this
                assert compat.make_field("f", kind).type() == compat.field_type(kind)
    finally:
        monkeypatch.undo()
        importlib.reload(compat)
    assert compat.METATYPE_FIELDS == (Qgis.versionInt() >= 33800)

