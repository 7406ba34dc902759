"""The plugin speaks Chinese under a zh_CN QGIS and English otherwise."""
import re

import pytest

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def chinese():
    from linxia_tianguan_plugin import i18n

    assert i18n.install_translator("zh_CN"), "compiled zh_CN translation missing (make i18n)"
    yield
    i18n.remove_translator()


def _fresh_algorithms(registry):
    provider = registry.providerById("linxia_tianguan")
    out = []
    for algorithm in provider.algorithms():
        fresh = algorithm.createInstance()
        fresh.initAlgorithm()
        out.append(fresh)
    return out


def test_algorithms_parameters_and_help_are_chinese_under_zh_cn(processing_registry, chinese):
    from linxia_tianguan_plugin.processing.provider import TianguanProvider

    assert CJK.search(TianguanProvider().name())
    for algorithm in _fresh_algorithms(processing_registry):
        assert CJK.search(algorithm.displayName()), algorithm.name()
        assert CJK.search(algorithm.group()), algorithm.name()
        assert CJK.search(algorithm.shortHelpString()), algorithm.name()
        for parameter in algorithm.parameterDefinitions():
            assert CJK.search(parameter.description()), (algorithm.name(), parameter.name())
        for output in algorithm.outputDefinitions():
            assert CJK.search(output.description()), (algorithm.name(), output.name())


#: three or more Latin words in a row (an English phrase; names like grid_code、officer are not)
ENGLISH_PHRASE = re.compile(r"\b[A-Za-z]{2,}(?:[ ,;:]+[A-Za-z]{2,}){2,}\b")
TAG = re.compile(r"<[^>]+>")


def _english_phrases(text: str) -> list[str]:
    """The English phrases left in a Chinese text (HTML tags and the words of :data:`KEEP` aside)."""
    plain = TAG.sub(" ", text or "")
    return [m for m in ENGLISH_PHRASE.findall(plain) if not all(w in KEEP for w in re.findall(r"[A-Za-z]+", m))]


def test_every_help_and_parameter_reads_chinese_under_zh_cn(processing_registry, chinese):
    """Under zh, no algorithm's help and no parameter shows an English phrase (a help that only starts in Chinese,
    a pointer to an English file name, an untranslated parameter)."""
    for algorithm in _fresh_algorithms(processing_registry):
        assert not _english_phrases(algorithm.shortHelpString()), (algorithm.name(), _english_phrases(
            algorithm.shortHelpString()))
        assert "docs/" not in algorithm.shortHelpString(), algorithm.name()
        for parameter in algorithm.parameterDefinitions():
            text = parameter.description()
            assert not _untranslated(text) and not _english_phrases(text), (algorithm.name(), parameter.name(), text)


def test_every_help_is_translated(processing_registry, chinese):
    """The help under zh is not the English source (the CJK check above passes a help whose title alone is Chinese)."""
    from linxia_tianguan_plugin import i18n

    chinese_help = {a.name(): a.shortHelpString() for a in _fresh_algorithms(processing_registry)}
    i18n.remove_translator()
    try:
        english_help = {a.name(): a.shortHelpString() for a in _fresh_algorithms(processing_registry)}
    finally:
        assert i18n.install_translator("zh_CN")
    assert [name for name in chinese_help if chinese_help[name] == english_help[name]] == []


def test_refusals_before_the_run_are_chinese_under_zh_cn(processing_registry, chinese, tmp_path):
    """A bad code, a date that is none and a missing store are refused by checkParameterValues in Chinese."""
    from qgis.core import QgsApplication, QgsProcessingContext

    algorithm = QgsApplication.processingRegistry().createAlgorithmById("linxia_tianguan:dashboard_report")
    context = QgsProcessingContext()
    for params, value in (({"PREFIX": "62x"}, "62x"), ({"DATE_FROM": "2025-13-01"}, "2025-13-01"),
                          ({}, "none.gpkg")):
        ok, message = algorithm.checkParameterValues(
            {"STORE": str(tmp_path / "none.gpkg"), "OUTPUT_PDF": str(tmp_path / "r.pdf"), **params}, context)
        assert not ok and value in message and CJK.search(message) and not _english_phrases(message), message


def test_english_without_translator(processing_registry):
    from linxia_tianguan_plugin import i18n

    i18n.remove_translator()
    names = {a.name(): a.displayName() for a in _fresh_algorithms(processing_registry)}
    assert names["space_code"] == "One-click space coding"


def test_locale_mapping(monkeypatch):
    from linxia_tianguan_plugin import i18n

    assert i18n.install_translator("zh_TW")  # any Chinese locale gets the zh_CN translation
    i18n.remove_translator()
    assert not i18n.install_translator("fr_FR")


#: words that stay as they are in the Chinese UI (formats, products, units)
KEEP = {"PDF", "PNG", "XLSX", "CSV", "GPX", "KML", "GeoPackage", "GPKG", "PostGIS", "QGIS", "QR", "ID", "UUID",
        "QField", "DLTB", "DK", "CJDCQ", "XZQ", "EPSG", "URL", "UTC", "OK", "m", "km", "s", "h"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _untranslated(text: str) -> bool:
    """A text a Chinese user would read as English: Latin words other than formats and names, no CJK."""
    words = [w for w in LATIN_WORD.findall(text or "") if w not in KEEP]
    return bool(words) and not CJK.search(text)


def _ours(child) -> bool:
    """Not a part of a QGIS widget (a file chooser's “Browse”…): QGIS translates those itself."""
    from qgis.gui import QgsFileWidget

    parent = child.parent()
    while parent is not None:
        if isinstance(parent, QgsFileWidget):
            return False
        parent = parent.parent()
    return True


def _widget_texts(widget) -> list[str]:
    from qgis.PyQt.QtWidgets import QAbstractButton, QGroupBox, QLabel, QTableView, QTabWidget

    texts = [widget.windowTitle()]
    for child in filter(_ours, widget.findChildren(QAbstractButton)):
        texts += [child.text(), child.toolTip()]
    for child in filter(_ours, widget.findChildren(QLabel)):
        texts.append(child.text())
    for child in widget.findChildren(QGroupBox):
        texts.append(child.title())
    for child in widget.findChildren(QTabWidget):
        texts += [child.tabText(i) for i in range(child.count())]
    for child in widget.findChildren(QTableView):
        model = child.model()
        if model is not None:
            from qgis.PyQt.QtCore import Qt

            texts += [str(model.headerData(i, Qt.Horizontal) or "") for i in range(model.columnCount())]
    return [t for t in texts if t]


def test_the_plugin_ui_is_chinese_under_zh_cn(qgis_iface, chinese, tmp_path):
    """Menu, toolbar and every dock the plugin opens show Chinese (formats and product names aside)."""
    from linxia_tianguan_plugin.plugin import TianguanPlugin

    plugin = TianguanPlugin(qgis_iface)
    plugin.initGui()
    try:
        assert CJK.search(plugin.menu_title) and CJK.search(plugin.toolbar.windowTitle())
        assert plugin.actions
        for action in plugin.actions:
            assert CJK.search(action.text()), action.objectName()
        plugin.show_replay()
        plugin.show_cases()
        plugin.show_dashboard()
        docks = [d for d in (plugin.replay_dock, plugin.case_dock, plugin.dashboard_dock) if d]
        assert len(docks) == 3
        for dock in docks:
            texts = _widget_texts(dock)
            assert texts, dock.objectName()
            bad = [t for t in texts if _untranslated(t)]
            assert not bad, (dock.objectName(), bad)
    finally:
        plugin.unload()
