"""The Chinese fonts the plugin prints with — one list for the QR labels, the case list PDF and the dashboard's
charts. Without an installed CJK font every Chinese character of a PDF silently becomes a box, so the writers ask
here first and tell the user which font to install."""
from __future__ import annotations

#: CJK families, preferred first: those Debian/Ubuntu (fonts-wqy-microhei, fonts-noto-cjk) and Windows ship
CJK_FAMILIES: tuple[str, ...] = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC",
                                 "Source Han Sans SC", "Microsoft YaHei", "SimHei", "Noto Serif CJK SC")


def cjk_family() -> str | None:
    """The first of :data:`CJK_FAMILIES` Qt knows (needs a QGuiApplication: QGIS), or None."""
    from qgis.PyQt.QtGui import QFontDatabase

    try:
        families = set(QFontDatabase.families())  # Qt 6: static
    except TypeError:
        families = set(QFontDatabase().families())  # Qt 5
    return next((name for name in CJK_FAMILIES if name in families), None)


def missing_message() -> str:
    """What to tell the user when no Chinese font is installed."""
    from .i18n import tr

    return tr("No Chinese font is installed ({fonts}): the labels would print as boxes. Install one (e.g. "
              "WenQuanYi Micro Hei) and run again.").format(fonts="、".join(CJK_FAMILIES))
