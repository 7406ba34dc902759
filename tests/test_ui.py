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


def test_one_click_asks_before_creating_the_store_and_refuses_data(qgis_app, qgis_iface, monkeypatch, sample_gpkg,
                                                                  tmp_path):
    """One-click creates the desk's store only when the analyst says so; a data GeoPackage is never a store."""
    import shutil

    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.ui import one_click
    from tests.helpers import file_digest

    asked = []
    answer = [one_click.QMessageBox.StandardButton.No]
    monkeypatch.setattr(one_click.QMessageBox, "question", lambda *a: asked.append(a[2]) or answer[0])
    clicker = one_click.OneClickCoding(qgis_iface)
    missing = tmp_path / "tg.gpkg"
    assert clicker.store_choice(str(missing)) is None and str(missing) in asked[-1]  # "No": nothing runs
    answer[0] = one_click.QMessageBox.StandardButton.Yes
    assert clicker.store_choice(str(missing)) is True and not missing.exists()  # created by the run, not here
    GpkgStore(missing, epsg=4522).close()
    asked.clear()
    assert clicker.store_choice(str(missing)) is False and not asked  # a store is there: no question
    data = tmp_path / "data.gpkg"
    shutil.copy(sample_gpkg, data)
    before = file_digest(data)
    assert clicker.store_choice(str(data)) is None and not asked  # refused with a message, never asked
    assert file_digest(data) == before


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


def test_settings_dialog_sets_the_patrol_frequencies_that_dispatch_uses(qgis_app, processing_registry, tmp_path):
    from linxia_tianguan_plugin import settings
    from linxia_tianguan_plugin.storage import GpkgStore
    from linxia_tianguan_plugin.ui import settings_dialog
    from tests.helpers import run

    store = tmp_path / "tg.gpkg"
    s = GpkgStore(store)
    with s.transaction() as conn:  # a one-group grid is enough to dispatch
        conn.execute("INSERT INTO tg_grid_build VALUES ('WG1', '2026-01-01T00:00:00+08:00', '{}', '{}', 1)")
        conn.execute("INSERT INTO tg_grid_cell (geom, build_id, level, code, parent, name) "
                     "VALUES (NULL, 'WG1', 5, '62292110000101', '622921100001', '一社')")
    s.close()
    window = {"STORE": str(store), "START": "2026-03-01", "END": "2026-03-31", "LEVELS": [4], "OUTPUT": None}
    dialog = settings_dialog.SettingsDialog()
    assert dialog.frequency[5].currentData() == "week"
    combo = dialog.frequency[5]
    combo.setCurrentIndex(combo.findData("month"))
    dialog.store.setFilePath(str(tmp_path / "x.gpkg"))
    dialog.accept()
    try:
        assert settings_dialog.current_rules().kind(5) == "month"
        # the dispatch dialog is pre-filled with the desk's frequencies; a run given them uses them …
        from qgis.core import QgsApplication

        algorithm = QgsApplication.processingRegistry().createAlgorithmById("linxia_tianguan:dispatch_tasks")
        definition = algorithm.parameterDefinition("FREQUENCIES")
        assert definition.guiDefaultValueOverride() == settings.TASK_FREQUENCIES.get()
        assert not definition.defaultValue()  # … but nothing is read behind a qgis_process call's back
        import shutil

        again = tmp_path / "again.gpkg"
        shutil.copy(store, again)
        monthly = run("linxia_tianguan:dispatch_tasks", dict(window, LEVELS=[4],
                                                             FREQUENCIES=definition.guiDefaultValueOverride()))
        assert monthly["CREATED"] == 1  # one month, one 社 task instead of five weeks
        plain = run("linxia_tianguan:dispatch_tasks", dict(window, STORE=str(again), LEVELS=[4]))
        assert plain["CREATED"] > 1  # without the parameter: the plan's weekly 社 patrols, whatever the settings
    finally:
        settings.TASK_FREQUENCIES.set("")
        settings.set_value("store_path", "")
    assert settings_dialog.current_rules().kind(5) == "week"


def test_the_one_click_summary_stays_above_qgis_task_complete_bar(qgis_app, tmp_path):
    """QGIS pushes its own "Task complete" bar once the task's completion handlers ran; the summary is pushed
    after it (on top) and stays until closed, and it is in the log panel too."""
    from qgis.core import Qgis, QgsApplication, QgsProcessingFeedback
    from qgis.gui import QgsMessageBar

    from linxia_tianguan_plugin.ui import one_click

    class Iface:
        def __init__(self):
            self.bar = QgsMessageBar()

        def messageBar(self):
            return self.bar

    from qgis.PyQt.QtCore import QElapsedTimer

    iface = Iface()
    logged = []

    def record(message, tag, level):
        logged.append((message, tag, level))

    log = QgsApplication.messageLog()
    log.messageReceived.connect(record)
    try:
        clicker = one_click.OneClickCoding(iface)
        clicker.running = (None, None, QgsProcessingFeedback())
        results = {"CODED": 1200, "NEW": 1190, "KEPT": 10, "RETIRED": 2, "ISSUE_COUNT": 3}
        clicker._finished(True, results, {"STORE": str(tmp_path / "none.gpkg")})
        iface.bar.pushInfo("Task complete", "One-click space coding")  # what QGIS does right after the slot
        timer = QElapsedTimer()
        timer.start()
        while timer.elapsed() < one_click.SUMMARY_DELAY_MS + 1000:
            QgsApplication.processEvents()
        item = iface.bar.currentItem()
        assert item is not None and item.title() == one_click.tr("Space coding")
        assert "1200" in item.text() and item.level() == Qgis.MessageLevel.Success
        assert item.duration() == one_click.SUMMARY_DURATION_S == 0  # until the analyst closes it
        assert [m for m, tag, _ in logged if tag == one_click.LOG_TAG and "1200" in m]
        assert clicker.running is None
    finally:
        log.messageReceived.disconnect(record)
        iface.bar.clearWidgets()
        iface.bar.deleteLater()
        QgsApplication.processEvents()


def test_the_one_click_button_and_menu_item_say_which_layers_are_needed(qgis_iface):
    from linxia_tianguan_plugin.plugin import TianguanPlugin, one_click_tip

    plugin = TianguanPlugin(qgis_iface)
    plugin.initGui()
    try:
        action = next(a for a in plugin.actions if a.objectName() == "linxia_tianguan_one_click")
        tip = action.toolTip()
        assert tip == one_click_tip() == action.statusTip()
        for layer in ("DLTB", "DK", "YJJBNT", "CJDCQ"):
            assert layer in tip, layer
        assert tip.index("DLTB") < tip.index("DK")  # DLTB needed, the others optional
        cases = next(a for a in plugin.actions if a.objectName() == "linxia_tianguan_case_review")
        assert "tga" in cases.toolTip()  # the locator prefix that works
    finally:
        plugin.unload()
    assert plugin.actions == []


def test_one_click_loads_its_layers_into_the_plugins_group(qgis_app, tmp_path):
    """The coded parcels and the issues of one-click go into 临夏田管 with every other output, not the root."""
    from linxia_tianguan_plugin.labels import results_group_name
    from linxia_tianguan_plugin.ui.one_click import add_to_results_group

    project = QgsProject.instance()
    project.clear()
    try:
        first = QgsVectorLayer("Point?crs=EPSG:4522", "a", "memory")
        second = QgsVectorLayer("Point?crs=EPSG:4522", "b", "memory")
        add_to_results_group(first)
        add_to_results_group(second)
        group = project.layerTreeRoot().findGroup(results_group_name())
        assert group is not None and [n.layerId() for n in group.findLayers()] == [second.id(), first.id()]
        assert project.layerTreeRoot().findLayer(first.id()).parent() is group
        assert len([c for c in project.layerTreeRoot().children() if c.name() == results_group_name()]) == 1
    finally:
        project.clear()
