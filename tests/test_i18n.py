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
