"""The QField project of a field package names the evidence photos the way both QFieldSync generations read it.

QField ≥ 2.7 (QFieldSync ≥ 4.3) reads the layer property ``QFieldSync/attachment_naming``, older ones
``QFieldSync/photo_naming``; both are JSON objects {field name: expression}. Without the new key a current
QField would fall back to the old one today and to its own default (photos not under ``DCIM/``, not named by
layer and time) once the fallback goes. Checked on the saved project as QGIS reads it back.
"""
from __future__ import annotations

import json

from linxia_tianguan_plugin.core.patrol import field_package as rules
from tests.test_field_package import _export, _issue_group


def test_the_evidence_layer_carries_attachment_naming_beside_photo_naming(filled_copy, tmp_path):
    from qgis.core import QgsExpression, QgsExpressionContext, QgsExpressionContextUtils, QgsProject

    store = filled_copy
    grid, _ = _issue_group(store, 1)
    _export(store, grid, tmp_path / "packages")
    project = QgsProject()
    try:
        assert project.read(str(tmp_path / "packages" / grid / rules.PROJECT_NAME))
        evidence = next(layer for layer in project.mapLayers().values()
                        if layer.source().endswith(f"layername={rules.EVIDENCE}"))
        attachment = json.loads(evidence.customProperty("QFieldSync/attachment_naming"))
        legacy = json.loads(evidence.customProperty("QFieldSync/photo_naming"))
        assert attachment == legacy  # the same naming for either QField generation
        assert set(attachment) == {"photo"} and evidence.fields().indexOf("photo") >= 0  # keyed by field name
        # what QField does with it: evaluate the expression for a new feature of the layer
        expression = QgsExpression(attachment["photo"])
        assert not expression.hasParserError(), expression.parserErrorString()
        context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(evidence))
        path = expression.evaluate(context)
        assert not expression.hasEvalError(), expression.evalErrorString()
        assert path.startswith(f"{rules.PHOTO_DIR}/{evidence.name()}_") and path.endswith(".jpg")
    finally:
        project.clear()
