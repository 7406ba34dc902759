"""生成二维码标识 — a QR code per parcel (its space-code URL) and a printable PDF sheet of labels for the
warning posts (Processing algorithm ``linxia_tianguan:qr_labels``).

The QR symbols come from :mod:`..core.qr` (no third-party library), one SVG (for sign makers) and one PNG
per parcel; the label sheet is a QGIS print layout exported to PDF: A4, 3 × 7 labels, each with the QR
code, the space code, village and group, farmland area, the 永久基本农田 mark, the responsible officer and
the reporting phone. Layout export runs on the main thread (FlagNoThreading).
"""
from __future__ import annotations

import math
from pathlib import Path

from qgis.core import (
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsPrintLayout,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
    QgsProject,
    QgsUnitTypes,
)
from qgis.PyQt.QtGui import QFont, QFontDatabase

from ..core import qr
from ..i18n import tr
from ..storage.tasks import officers_for
from .base import AlgorithmBase

COLUMNS, ROWS = 3, 7
LABEL_W, LABEL_H = 63.0, 38.0  # mm, on A4 portrait with 10.5 / 15.5 mm margins
MARGIN_X, MARGIN_Y = 10.5, 15.5
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei")


def cjk_font() -> str:
    """An installed font that has Chinese glyphs; without one the labels would print boxes, so stop."""
    families = set(QFontDatabase().families())
    for name in CJK_FONTS:
        if name in families:
            return name
    raise QgsProcessingException(tr("No Chinese font is installed ({fonts}): the labels would print as boxes. "
                                    "Install one (e.g. WenQuanYi Micro Hei) and run again.").format(
        fonts="、".join(CJK_FONTS)))


class QrLabelsAlgorithm(AlgorithmBase):
    STORE, CODES, PHONE, OUTPUT = "STORE", "CODES", "PHONE", "OUTPUT"
    group_id = "maps"

    def name(self) -> str:
        return "qr_labels"

    def displayName(self) -> str:
        return tr("QR warning-post labels")

    def flags(self):
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading  # print layouts need the main thread

    def shortHelpString(self) -> str:
        return tr("<p>生成二维码标识 · For the active coded parcels whose space code starts with the given prefix (a "
                  "village, a group, or whole codes separated by commas), writes one QR code per parcel (its "
                  "space-code URL, SVG and PNG) and a printable PDF sheet of labels (A4, 3 × 7): QR code, space "
                  "code, village and group, farmland area in mu, the permanent basic farmland mark, the responsible "
                  "officer and the reporting phone.</p>")

    def initAlgorithm(self, config=None) -> None:
        self.addParameter(QgsProcessingParameterFile(self.STORE, tr("Tianguan store (GeoPackage)"), extension="gpkg"))
        self.addParameter(QgsProcessingParameterString(
            self.CODES, tr("Space codes or a prefix (village 12 / group 14 digits; several separated by commas)")))
        self.addParameter(QgsProcessingParameterString(self.PHONE, tr("Reporting phone on the labels"),
                                                       "12336", optional=True))
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT, tr("Output folder")))
        self.addOutput(QgsProcessingOutputNumber("LABELS", tr("Labels")))
        self.addOutput(QgsProcessingOutputFile("PDF", tr("Label sheet (PDF)")))

    def processAlgorithm(self, parameters, context, feedback):
        wanted = [c.strip() for c in (self.parameterAsString(parameters, self.CODES, context) or "").split(",")
                  if c.strip()]
        if not wanted or not all(c.isdigit() for c in wanted):
            raise QgsProcessingException(tr("Give space codes or a code prefix (digits), e.g. 622921100001."))
        phone = self.parameterAsString(parameters, self.PHONE, context) or ""
        folder = Path(self.parameterAsString(parameters, self.OUTPUT, context))
        folder.mkdir(parents=True, exist_ok=True)
        font = cjk_font()
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
            clause = " OR ".join("code LIKE ?" for _ in wanted)
            rows = store.conn.execute(
                f"SELECT code, qr, coalesce(gdmj_mu, 0), coalesce(yjmj_mu, 0) FROM tg_space_code "
                f"WHERE status = 'active' AND ({clause}) ORDER BY code", [c + "%" for c in wanted]).fetchall()
            names = dict(store.conn.execute("SELECT code, name FROM tg_admin_unit"))
            officers = officers_for(store)
        if not rows:
            raise QgsProcessingException(tr("No active coded parcel matches {codes}.").format(codes=", ".join(wanted)))
        labels = []
        for k, (code, content, mu, basic_mu) in enumerate(rows):
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Cancelled."))
            matrix = qr.encode(content or code, "M")
            svg = folder / f"{code}.svg"
            svg.write_text(qr.to_svg(matrix, module_mm=0.5, label=code), encoding="utf-8")
            (folder / f"{code}.png").write_bytes(qr.to_png_bytes(matrix, scale=8))
            officer, officer_phone = officers.get(code[:14], (None, None))
            labels.append((code, svg, names.get(code[:12], code[:12]), names.get(code[:14], code[:14]), mu, basic_mu,
                           officer, officer_phone))
            feedback.setProgress(60.0 * (k + 1) / len(rows))
        pdf = folder / "二维码标识.pdf"
        self._sheet(labels, pdf, font, phone)
        feedback.pushInfo(tr("{n} labels on {pages} pages: {pdf}").format(
            n=len(labels), pages=math.ceil(len(labels) / (COLUMNS * ROWS)), pdf=pdf))
        feedback.setProgress(100)
        return {self.OUTPUT: str(folder), "LABELS": len(labels), "PDF": str(pdf)}

    def _sheet(self, labels, pdf: Path, font: str, phone: str) -> None:
        layout = QgsPrintLayout(QgsProject.instance())
        layout.initializeDefaults()
        layout.setName(tr("QR warning-post labels"))
        per_page = COLUMNS * ROWS
        pages = math.ceil(len(labels) / per_page)
        collection = layout.pageCollection()
        collection.page(0).setPageSize("A4", QgsLayoutItemPage.Portrait)
        for _ in range(pages - 1):
            page = QgsLayoutItemPage(layout)
            page.setPageSize("A4", QgsLayoutItemPage.Portrait)
            collection.addPage(page)
        mm = QgsUnitTypes.LayoutMillimeters
        for k, (code, svg, village, group, mu, basic_mu, officer, officer_phone) in enumerate(labels):
            page, slot = divmod(k, per_page)
            row, col = divmod(slot, COLUMNS)
            x = MARGIN_X + col * LABEL_W
            y = collection.page(page).pos().y() + MARGIN_Y + row * LABEL_H
            picture = QgsLayoutItemPicture(layout)
            picture.setPicturePath(str(svg))
            picture.attemptMove(QgsLayoutPoint(x + 1, y + 1, mm))
            picture.attemptResize(QgsLayoutSize(30, 34, mm))
            layout.addLayoutItem(picture)
            text = QgsLayoutItemLabel(layout)
            lines = [tr("Farmland space code"), code, f"{village} {group}",
                     tr("Farmland {mu:.2f} mu").format(mu=mu)]
            if basic_mu > 0:
                lines.append(tr("Permanent basic farmland"))
            lines.append(tr("Officer: {name}").format(name=officer or "—"))
            lines.append(tr("Report: {phone}").format(phone=phone or officer_phone or "—"))
            text.setText("\n".join(lines))
            text.setFont(QFont(font, 7))
            text.attemptMove(QgsLayoutPoint(x + 31, y + 2, mm))
            text.attemptResize(QgsLayoutSize(LABEL_W - 32, LABEL_H - 4, mm))
            layout.addLayoutItem(text)
        settings = QgsLayoutExporter.PdfExportSettings()
        settings.dpi = 300
        tmp = pdf.with_suffix(".tmp.pdf")
        result = QgsLayoutExporter(layout).exportToPdf(str(tmp), settings)
        if result != QgsLayoutExporter.Success:
            tmp.unlink(missing_ok=True)
            raise QgsProcessingException(tr("The label sheet could not be written to {pdf} (error {code}).").format(
                pdf=pdf, code=int(result)))
        tmp.replace(pdf)  # atomic: a failed export never leaves half a sheet under the real name
