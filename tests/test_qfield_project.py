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


def test_both_report_layers_name_all_three_photos_the_same_way(filled_copy, tmp_path):
    """巡田上报 points and sketches take up to three photos (photo, photo_2, photo_3): each attachment field is named
    into DCIM/ by both QFieldSync keys, and a new feature's photos would not land outside the package."""
    from qgis.core import QgsExpression, QgsExpressionContext, QgsExpressionContextUtils, QgsProject

    store = filled_copy
    grid, _ = _issue_group(store, 1)
    _export(store, grid, tmp_path / "packages")
    project = QgsProject()
    try:
        assert project.read(str(tmp_path / "packages" / grid / rules.PROJECT_NAME))
        for name in rules.REPORT_LAYERS:
            layer = next(x for x in project.mapLayers().values() if x.source().endswith(f"layername={name}"))
            attachment = json.loads(layer.customProperty("QFieldSync/attachment_naming"))
            assert attachment == json.loads(layer.customProperty("QFieldSync/photo_naming"))
            assert list(attachment) == list(rules.PHOTO_FIELDS)
            context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
            for field_name, text in attachment.items():
                assert layer.fields().indexOf(field_name) >= 0
                path = QgsExpression(text).evaluate(context)
                assert path.startswith(f"{rules.PHOTO_DIR}/{layer.name()}_") and path.endswith(".jpg")
    finally:
        project.clear()


def test_the_parcels_carry_their_status_coloured_as_on_the_desk(filled_copy, tmp_path):
    """The officer's phone shows which parcels need attention: each parcel's 码上查 status at export (the desk's
    rule for that parcel, as 码上查 gives it), coloured by the same style as the desk's status layer,
    the sequence-number labels kept, the Chinese names in the form."""
    import sqlite3

    from qgis import processing
    from qgis.core import QgsProject

    from linxia_tianguan_plugin.core.patrol import parcel_status

    store = filled_copy
    grid, _ = _issue_group(store, 1)
    _export(store, grid, tmp_path / "packages")
    folder = tmp_path / "packages" / grid
    con = sqlite3.connect(f"file:{folder / rules.GPKG_NAME}?mode=ro", uri=True)
    try:
        shown = dict(con.execute(f"SELECT code, status FROM {rules.PARCELS}").fetchall())
    finally:
        con.close()
    assert shown and set(shown.values()) <= set(parcel_status.PRECEDENCE)
    assert parcel_status.CASE in shown.values()  # the group's issued case is on some of its parcels
    manifest = json.loads((folder / rules.MANIFEST_NAME).read_text(encoding="utf-8"))
    # one parcel of each status shown, checked against 码上查 (decode_space_code: the one-parcel path) at the
    # package's export time
    for code in {status: code for code, status in shown.items()}.values():
        decoded = processing.run("linxia_tianguan:decode_space_code", {
            "CODE": code, "STORE": str(store), "AS_OF": manifest["exported_at"]})
        assert decoded["PARCEL_STATUS"] == shown[code], code
    project = QgsProject()
    try:
        assert project.read(str(folder / rules.PROJECT_NAME))
        parcels = next(x for x in project.mapLayers().values() if x.source().endswith(f"layername={rules.PARCELS}"))
        renderer = parcels.renderer()
        assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "status"
        colours = {c.value(): c.symbol().color().name() for c in renderer.categories()}
        assert colours == {k: v.lower() for k, v in parcel_status.COLOURS.items()}
        assert parcels.labelsEnabled()
        setup = parcels.editorWidgetSetup(parcels.fields().indexOf("status"))
        assert setup.type() == "ValueMap"
        names = {v: k for item in setup.config()["map"] for k, v in item.items()}
        assert names == parcel_status.STATUS_ZH
    finally:
        project.clear()
