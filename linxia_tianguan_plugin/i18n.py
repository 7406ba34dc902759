"""Translation of user-visible strings: one fixed context, English sources, zh_CN shipped.

Always ``tr("Source text {name}").format(name=...)`` — never an f-string inside ``tr()``, which the
extractor (tools/i18n.py) cannot see and the translator cannot match.
"""
from __future__ import annotations

from pathlib import Path

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

CONTEXT = "LinxiaTianguan"
_translator: QTranslator | None = None


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def user_locale() -> str:
    """QGIS's UI locale (QGIS records the one in use under locale/userLocale), else the system's."""
    return QgsSettings().value("locale/userLocale", "", type=str) or QLocale.system().name()


def install_translator(locale: str | None = None) -> bool:
    """Load ``i18n/linxia_tianguan_<locale>.qm`` when it exists (zh, zh_CN, zh_TW → zh_CN)."""
    global _translator
    locale = (locale or user_locale() or "en")[:5]
    if locale.startswith("zh"):
        locale = "zh_CN"
    qm = Path(__file__).parent / "i18n" / f"linxia_tianguan_{locale}.qm"
    if not qm.exists():
        return False
    remove_translator()
    translator = QTranslator()
    if not translator.load(str(qm)):
        return False
    QCoreApplication.installTranslator(translator)
    _translator = translator
    return True


def remove_translator() -> None:
    global _translator
    if _translator is not None:
        QCoreApplication.removeTranslator(_translator)
        _translator = None
