"""Settings dialog: where the 田管库 lives, what the QR codes point to, how often each level patrols."""
from __future__ import annotations

from qgis.gui import QgsFileWidget
from qgis.PyQt.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QMessageBox

from .. import settings
from ..core.patrol.tasks import FrequencyRules, TaskError
from ..i18n import tr


def period_names() -> dict[str, str]:
    return {"week": tr("weekly"), "month": tr("monthly"), "quarter": tr("quarterly"),
            "half_year": tr("twice a year"), "year": tr("yearly")}


def level_labels() -> dict[int, str]:
    return {5: tr("Group (社) officers patrol"), 4: tr("Village (村) officers patrol"),
            3: tr("Township (乡) officers patrol"), 2: tr("County (县) officers patrol"),
            1: tr("Prefecture (州) officers patrol")}


def current_rules() -> FrequencyRules:
    try:
        return FrequencyRules.from_json(settings.TASK_FREQUENCIES.get())
    except (TaskError, ValueError):
        return FrequencyRules()


class SettingsDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("linxia_tianguan_settings_dialog")
        self.setWindowTitle(tr("Linxia farmland patrol — settings"))
        layout = QFormLayout(self)
        self.store = QgsFileWidget(self)
        self.store.setStorageMode(QgsFileWidget.StorageMode.SaveFile)
        self.store.setFilter(tr("GeoPackage (*.gpkg)"))
        self.store.setFilePath(settings.store_path())
        layout.addRow(tr("Tianguan store (GeoPackage)"), self.store)
        self.qr = QLineEdit(settings.qr_template(), self)
        self.qr.setToolTip(tr("{code} is replaced by the space code"))
        layout.addRow(tr("QR content template"), self.qr)
        rules = current_rules()
        self.frequency: dict[int, QComboBox] = {}
        for level, label in level_labels().items():
            combo = QComboBox(self)
            combo.setObjectName(f"linxia_tianguan_frequency_{level}")
            for kind, name in period_names().items():
                combo.addItem(name, kind)
            combo.setCurrentIndex(combo.findData(rules.kind(level)))
            layout.addRow(label, combo)
            self.frequency[level] = combo
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)

    def accept(self) -> None:
        template = self.qr.text().strip()
        if template and "{code}" not in template:
            QMessageBox.warning(self, self.windowTitle(), tr("The QR content template must contain {code}."))
            return
        settings.set_value("store_path", self.store.filePath())
        settings.set_value("qr_template", template)
        rules = FrequencyRules({level: combo.currentData() for level, combo in self.frequency.items()})
        settings.TASK_FREQUENCIES.set(rules.to_json())
        super().accept()
