"""PYQGIS_STARTUP script of the desktop smoke test: records every message-log entry from the very
start, before any plugin loads, so that a Python error during plugin start-up cannot go unseen."""
import json
import os

from qgis.core import QgsApplication

_LOG = open(os.environ["TIANGUAN_SMOKE_LOG"], "a", encoding="utf-8")  # kept open as long as QGIS runs


def _record(message, tag, level):
    _LOG.write(json.dumps({"tag": tag, "level": int(level), "message": message}, ensure_ascii=False) + "\n")
    _LOG.flush()


QgsApplication.messageLog().messageReceived.connect(_record)
