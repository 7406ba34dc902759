"""A headless QGIS with Processing and this plugin's provider — what the demo, the benchmarks and the tests'
child processes (a second writer, a run with a file-size limit) each need once, written once."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_qgis(native: bool = False, locale: str | None = None):
    """Start QGIS without a display, initialise Processing (with QGIS's native algorithms when ``native``) and
    register the plugin's provider, translated to ``locale`` if given. Returns (app, provider): keep both
    referenced while algorithms run."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for path in (str(ROOT), "/usr/share/qgis/python/plugins"):
        if path not in sys.path:
            sys.path.insert(0, path)
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    if native and QgsApplication.processingRegistry().providerById("native") is None:
        from qgis.analysis import QgsNativeAlgorithms

        QgsApplication.processingRegistry().addProvider(QgsNativeAlgorithms())
    if locale:
        from linxia_tianguan_plugin import i18n

        i18n.install_translator(locale)
    from linxia_tianguan_plugin.processing.provider import TianguanProvider

    provider = TianguanProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    return app, provider
