"""Settings dialog: where the 田管库 lives and what the QR codes point to."""
from __future__ import annotations

from qgis.gui import QgsFileWidget
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QMessageBox

from .. import settings
from ..i18n import tr


class SettingsDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("linxia_tianguan_settings_dialog")
        self.setWindowTitle(tr("Linxia farmland patrol — settings"))
        layout = QFormLayout(self)
        self.store = QgsFileWidget(self)
        self.store.setStorageMode(QgsFileWidget.SaveFile)
        self.store.setFilter(tr("GeoPackage (*.gpkg)"))
        self.store.setFilePath(settings.store_path())
        layout.addRow(tr("Tianguan store (GeoPackage)"), self.store)
        self.qr = QLineEdit(settings.qr_template(), self)
        self.qr.setToolTip(tr("{code} is replaced by the space code"))
        layout.addRow(tr("QR content template"), self.qr)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
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
        super().accept()
