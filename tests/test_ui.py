"""Desktop pieces that hold no analysis: layer detection for one-click runs and the settings dialog."""
import pytest
from qgis.core import QgsProject, QgsVectorLayer

from tests.conftest import layer_uri


@pytest.fixture
def project_with_sample(qgis_app, sample_gpkg):
    project = QgsProject.instance()
    project.clear()
    for name in ("XZQ", "CJDCQ", "DLTB", "DLTB_2025", "YJJBNTTB", "DK"):
        project.addMapLayer(QgsVectorLayer(layer_uri(sample_gpkg, name), name, "ogr"))
    yield project
    project.clear()


def test_detect_finds_each_role_and_prefers_the_standard_names(project_with_sample):
    from linxia_tianguan_plugin.ui.layer_roles import detect

    roles = detect(project_with_sample)
    assert {role: layer.name() for role, layer in roles.items()} == {
        "DLTB": "DLTB", "DK": "DK", "YJJBNT": "YJJBNTTB", "CJDCQ": "CJDCQ"}


def test_one_click_parameters_use_the_loaded_layers_and_the_store(project_with_sample, qgis_iface, tmp_path):
    from linxia_tianguan_plugin import settings
    from linxia_tianguan_plugin.ui.one_click import OneClickCoding

    settings.set_value("store_path", str(tmp_path / "tg.gpkg"))
    try:
        params = OneClickCoding(qgis_iface).parameters()
    finally:
        settings.set_value("store_path", "")
    layers = {lyr.id(): lyr.name() for lyr in project_with_sample.mapLayers().values()}
    assert layers[params["DLTB"]] == "DLTB" and layers[params["DK"]] == "DK"
    assert params["STORE"] == str(tmp_path / "tg.gpkg") and params["OUTPUT"] is None


def test_no_dltb_means_no_one_click_parameters(qgis_app, qgis_iface):
    from linxia_tianguan_plugin.ui.one_click import OneClickCoding

    QgsProject.instance().clear()
    assert OneClickCoding(qgis_iface).parameters() is None


def test_settings_dialog_refuses_a_template_without_code(qgis_app, monkeypatch, tmp_path):
    from linxia_tianguan_plugin import settings
    from linxia_tianguan_plugin.ui import settings_dialog

    warned = []
    monkeypatch.setattr(settings_dialog.QMessageBox, "warning", lambda *a: warned.append(a))
    before = settings.qr_template()
    dialog = settings_dialog.SettingsDialog()
    dialog.qr.setText("https://example.org/qr")
    dialog.accept()
    assert warned and settings.qr_template() == before
    dialog.qr.setText("https://example.org/q/{code}")
    dialog.store.setFilePath(str(tmp_path / "x.gpkg"))
    dialog.accept()
    try:
        assert settings.qr_template() == "https://example.org/q/{code}"
        assert settings.store_path() == str(tmp_path / "x.gpkg")
    finally:
        settings.set_value("qr_template", "")
        settings.set_value("store_path", "")
