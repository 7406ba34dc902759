"""生成二维码标识 — a QR code per parcel (its space-code URL), a printable PDF sheet of labels for the
warning posts and a larger warning sign per group (Processing algorithm ``linxia_tianguan:qr_labels``).

Parcels are chosen by codes or a village/group prefix (CODES), by a parcel layer (PARCELS, its space-code
field FIELD — ``KJM`` or ``code`` when not given; "selected features only" is honoured), or both (their union);
only codes active in the 田管库 are printed.

The QR symbols come from :mod:`..core.coding.qr` (no third-party library), one SVG (for sign makers) and one PNG
per parcel; the label sheet is a QGIS print layout exported to PDF: A4, 3 × 7 labels, each with the QR
code, the space code, village and group, farmland area, the 永久基本农田 mark, the responsible officer and
the reporting phone. With SIGNS, a second PDF (警示牌.pdf) has one A4 landscape warning sign per 社 group of
the chosen parcels: title (永久基本农田保护警示牌 when the group has permanent basic farmland, else
耕地保护警示牌), names and group code, the group's parcel count, 耕地 and 永久基本农田 area in 亩 (from
:mod:`..core.reports.statistics`, the figures the dashboard shows), the group officer and phone from the roster, the
reporting phone, a large QR of the group's URL (the parcels' URL template with the group code) and a small
map of the group's parcels. Layout export runs on the main thread (FlagNoThreading).

With SITE, the 码上查 static site of the same parcels (:mod:`..core.coding.site`: one HTML page per parcel at the
address its QR code holds, one per group, an index), written by :func:`write_site` into a temporary folder beside
SITE and swapped into place only when complete: a failed or cancelled run leaves the previous site as it was and
no half site. SITE must be new, empty or a site this algorithm wrote (its marker file); any other folder is refused
before anything is written, so a wrong choice cannot delete someone's files.
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

import shapely
from qgis.core import (
    Qgis,
    QgsFeatureRequest,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsPrintLayout,
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
    QgsProject,
)
from qgis.PyQt.QtCore import Qt

from ... import compat
from ...core.clock import today_beijing
from ...core.coding import qr
from ...core.coding import site as mashangcha
from ...core.coding.site import group_url
from ...core.reports import statistics as stats
from ...i18n import tr
from ...storage import space_codes
from ...storage import statistics as stats_store
from ...storage.cases import unit_names
from ...storage.tasks import officers_for
from ..base import AlgorithmBase
from ..layout_text import cjk_font, pdf_settings, set_label_text_format
from ..readers import find_field, source_for

COLUMNS, ROWS = 3, 7
LABEL_W, LABEL_H = 63.0, 38.0  # mm, on A4 portrait with 10.5 / 15.5 mm margins
MARGIN_X, MARGIN_Y = 10.5, 15.5
SIGN_W, SIGN_H = 297.0, 210.0  # mm, A4 landscape
SIGNS_PDF = "警示牌.pdf"
CODE_FIELDS = ("KJM", "code")  # the coded layer's field (space_code output), the store's column


__all__ = ["QrLabelsAlgorithm", "group_url", "parcels_svg", "site_refusal", "write_site"]


def site_refusal(site: Path, output: Path) -> str | None:
    """Why the 码上查 site may not be written to ``site`` (None: it may): replacing a folder deletes what it holds,
    so only a new or empty folder, or one holding a site written here (:data:`..core.coding.site.MARKER`), is
    taken; the labels' folder must not lie inside it (the swap would delete the labels)."""
    site, output = Path(os.path.abspath(site)), Path(os.path.abspath(output))
    if site == output or site in output.parents:
        return tr("The 码上查 site folder {site} must not be the output folder or contain it: choose a folder of "
                  "its own.").format(site=site)
    if site.exists() and not site.is_dir():
        return tr("The 码上查 site folder {site} is a file: choose a folder.").format(site=site)
    if site.is_dir() and any(site.iterdir()) and not (site / mashangcha.MARKER).is_file():
        return tr("The 码上查 site folder {site} is not empty and holds no site written by this tool: choose a new "
                  "or empty folder (an earlier 码上查 site in it is replaced).").format(site=site)
    return None


def _publish_modes(folder: Path) -> None:
    """Give the folder made by ``tempfile.mkdtemp`` (mode 0700) the mode any new folder of the user gets: a web
    server running as another user must read the site."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(folder, 0o777 & ~mask)


def write_site(pages: Mapping[str, str], target: Path, canceled: Callable[[], bool] = lambda: False) -> int:
    """Write ``pages`` (relative path → HTML) as the folder ``target``: into a temporary folder beside it, then
    swapped in by renames (the previous site, if any, is moved aside and removed only once the new one is in
    place). Anything failing, or ``canceled()`` turning true, removes the temporary folder and leaves ``target``
    as it was. Returns the number of pages. Check :func:`site_refusal` first: this replaces ``target``."""
    target = Path(os.path.abspath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    try:
        for rel, text in pages.items():
            if canceled():
                raise QgsProcessingException(tr("Cancelled."))
            parts = rel.split("/")
            if not rel or rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
                raise ValueError(f"not a page path inside the site: {rel!r}")
            path = scratch.joinpath(*parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (scratch / mashangcha.MARKER).write_text(mashangcha.MARKER_TEXT, encoding="utf-8")
        _publish_modes(scratch)
        if canceled():
            raise QgsProcessingException(tr("Cancelled."))
        _swap_in(scratch, target)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return len(pages)


def _swap_in(new: Path, target: Path) -> None:
    """Put the folder ``new`` at ``target``: an existing ``target`` is renamed aside first and put back if the
    second rename fails, then removed."""
    if not target.exists():
        os.rename(new, target)
        return
    old = target.parent / f".{target.name}-old-{uuid.uuid4().hex[:8]}"
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def parcels_svg(wkbs, basic, width_mm: float, height_mm: float) -> str:
    """A small map of parcels (WKB) as SVG: 永久基本农田 parcels (``basic`` True) filled darker, north up."""
    geoms = shapely.from_wkb([w for w in wkbs if w is not None])
    flags = [b for w, b in zip(wkbs, basic) if w is not None]
    if len(geoms) == 0:
        return ""
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    pad = 4.0  # mm
    scale = min((width_mm - 2 * pad) / max(maxx - minx, 1e-9), (height_mm - 2 * pad) / max(maxy - miny, 1e-9))
    ox = pad + ((width_mm - 2 * pad) - (maxx - minx) * scale) / 2
    oy = pad + ((height_mm - 2 * pad) - (maxy - miny) * scale) / 2
    shown = shapely.transform(geoms, lambda xy: (xy - [minx, maxy]) * [scale, -scale] + [ox, oy])
    paths = []
    for geom, flag in zip(shown, flags):
        fill = "#4c9a2a" if flag else "#cfe8b0"
        paths.append(geom.svg(scale_factor=0.05, fill_color=fill, opacity=1.0)
                     .replace('stroke="#555555"', 'stroke="#333333"'))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width_mm:g}mm" '
            f'height="{height_mm:g}mm" viewBox="0 0 {width_mm:g} {height_mm:g}">'
            f'<rect width="{width_mm:g}" height="{height_mm:g}" fill="#ffffff"/>{"".join(paths)}</svg>')


class QrLabelsAlgorithm(AlgorithmBase):
    STORE, CODES, PARCELS, FIELD, PHONE, SIGNS, OUTPUT, SITE, DATE = (
        "STORE", "CODES", "PARCELS", "FIELD", "PHONE", "SIGNS", "OUTPUT", "SITE", "DATE")

    def name(self) -> str:
        return "qr_labels"

    def displayName(self) -> str:
        return tr("QR warning-post labels")

    def flags(self):
        return super().flags() | compat.ProcessingAlgorithmFlag.NoThreading  # print layouts need the main thread

    def shortHelpString(self) -> str:
        return tr("<p>生成二维码标识 · For the chosen active coded parcels — space codes or a prefix (a village, a "
                  "group, or whole codes separated by commas), a parcel layer (its selected features when "
                  "“selected features only” is ticked; the space-code field is KJM or code unless chosen), or "
                  "both — writes one QR code per parcel (its space-code URL, SVG and PNG) and a printable PDF "
                  "sheet of labels (A4, 3 × 7): QR code, space code, village and group, farmland area in mu, the "
                  "permanent basic farmland mark, the responsible officer and the reporting phone.</p>"
                  "<p>With “Warning signs per group”, also writes 警示牌.pdf: one A4 landscape sign per group of "
                  "the chosen parcels, with the group's names and code, its parcel count, farmland and permanent "
                  "basic farmland area in mu, the group officer and phone, the reporting phone, a large QR code "
                  "of the group's URL and a small map of its parcels.</p>"
                  "<p>With a 码上查 site folder, also writes a static website of the same parcels: one page per "
                  "parcel at the address its QR code holds (code, township, village and group, areas in mu, the "
                  "permanent basic farmland mark, the officer and phone, the reporting phone, the date), one "
                  "page per group and an index. Publish the folder's contents on any web server at the address "
                  "the run reports. The folder must be new, empty or an earlier site, which is replaced only "
                  "once the new one is complete.</p>")

    def initAlgorithm(self, config=None) -> None:
        self.add_store_parameter()
        self.addParameter(QgsProcessingParameterString(
            self.CODES, tr("Space codes or a prefix (village 12 / group 14 digits; several separated by commas)"),
            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.PARCELS, tr("Coded parcels (selected features only is honoured)"),
            [compat.ProcessingSourceType.VectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.FIELD, tr("Space-code field (KJM or code when empty)"), parentLayerParameterName=self.PARCELS,
            type=compat.ProcessingFieldParameterDataType.String, optional=True))
        self.addParameter(QgsProcessingParameterString(self.PHONE, tr("Reporting phone on the labels"),
                                                       "12336", optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.SIGNS, tr("Warning signs per group (警示牌.pdf)"), True))
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT, tr("Output folder")))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.SITE, tr("码上查 static site folder (optional; an earlier site in it is replaced)"),
            optional=True, createByDefault=False))
        self.add_date_parameter(self.DATE, tr("Date shown on the 码上查 pages (empty: today)"), advanced=True)
        self.addOutput(QgsProcessingOutputNumber("LABELS", tr("Labels")))
        self.addOutput(QgsProcessingOutputFile("PDF", tr("Label sheet (PDF)")))
        self.addOutput(QgsProcessingOutputNumber("GROUPS", tr("Warning signs")))
        self.addOutput(QgsProcessingOutputFile("SIGNS_PDF", tr("Warning signs (PDF)")))
        self.addOutput(QgsProcessingOutputNumber("PAGES", tr("码上查 pages")))

    def _layer_codes(self, parameters, context, feedback) -> list[str] | None:
        """Space codes of the PARCELS source (its selection when asked), None without a layer."""
        item = source_for(self, parameters, self.PARCELS, context, feedback)
        if item is None:
            return None
        source = item.source
        name = self.parameterAsString(parameters, self.FIELD, context)
        if not name:
            name = next((n for n in CODE_FIELDS if find_field(source.fields(), n) >= 0), "")
        index = find_field(source.fields(), name) if name else -1
        if index < 0:
            raise QgsProcessingException(tr("Layer “{layer}” has no space-code field ({fields}): choose it.").format(
                layer=item.label, fields=name or "、".join(CODE_FIELDS)))
        request = QgsFeatureRequest().setFlags(compat.FeatureRequestFlag.NoGeometry).setSubsetOfAttributes([index])
        total = max(1, source.featureCount())
        codes = []
        for k, feature in enumerate(source.getFeatures(request)):
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Cancelled."))
            value = feature.attributes()[index]
            if value is not None and str(value).strip() and str(value) != "NULL":
                codes.append(str(value).strip())
            if k % 1000 == 0:
                feedback.setProgress(10.0 * k / total)
        return codes

    def processAlgorithm(self, parameters, context, feedback):
        wanted = [c.strip() for c in (self.parameterAsString(parameters, self.CODES, context) or "").split(",")
                  if c.strip()]
        if wanted and not all(c.isdigit() for c in wanted):
            raise QgsProcessingException(tr("Give space codes or a code prefix (digits), e.g. 622921100001."))
        from_layer = self._layer_codes(parameters, context, feedback)
        if not wanted and from_layer is None:
            raise QgsProcessingException(tr("Give space codes or a code prefix (digits), or a layer of coded "
                                            "parcels, e.g. 622921100001."))
        phone = self.parameterAsString(parameters, self.PHONE, context) or ""
        signs = self.parameterAsBool(parameters, self.SIGNS, context)
        folder = Path(self.parameterAsString(parameters, self.OUTPUT, context))
        site_folder = self.parameterAsString(parameters, self.SITE, context) or None
        as_of = self.parameter_as_date(parameters, self.DATE, context) or today_beijing()
        if site_folder:
            refusal = site_refusal(Path(site_folder), folder)
            if refusal:
                raise QgsProcessingException(refusal)
        folder.mkdir(parents=True, exist_ok=True)
        font = cjk_font()
        with self.opened_store(parameters, self.STORE, context, create=False) as store:
            if store is None:
                raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
            chosen = space_codes.label_rows(store, wanted, from_layer or ())
            rows = [chosen[c] for c in sorted(chosen)]
            names = unit_names(store)
            officers = officers_for(store)
            groups = self._groups(store, rows, names, officers, feedback) if signs and rows else []
            details = {code: store.get_code(code) or {} for code, *_ in rows} if site_folder else {}
        if not rows:
            if from_layer is not None and not wanted:
                raise QgsProcessingException(tr("No feature of the layer carries a space code active in the store."))
            raise QgsProcessingException(tr("No active coded parcel matches {codes}.").format(codes=", ".join(wanted)))
        if from_layer:
            missing = len(set(from_layer) - set(chosen))
            if missing:
                feedback.pushWarning(tr("{n} codes of the layer are not active in the store: no label for them.")
                                     .format(n=missing))
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
            feedback.setProgress(15 + 45.0 * (k + 1) / len(rows))
        pdf = folder / "二维码标识.pdf"
        self._sheet(labels, pdf, font, phone)
        feedback.pushInfo(tr("{n} labels on {pages} pages: {pdf}").format(
            n=len(labels), pages=math.ceil(len(labels) / (COLUMNS * ROWS)), pdf=pdf))
        out = {self.OUTPUT: str(folder), "LABELS": len(labels), "PDF": str(pdf), "GROUPS": 0, "SIGNS_PDF": None}
        if groups:
            signs_pdf = folder / SIGNS_PDF
            for group in groups:
                matrix = qr.encode(group["url"], "M")
                group["svg"] = folder / f"{group['code']}.svg"
                group["svg"].write_text(qr.to_svg(matrix, module_mm=1.0), encoding="utf-8")
                (folder / f"{group['code']}.png").write_bytes(qr.to_png_bytes(matrix, scale=8))
            feedback.setProgressText(tr("Writing the warning signs…"))
            self._signs(groups, signs_pdf, font, phone, feedback)
            feedback.pushInfo(tr("{n} warning signs: {pdf}").format(n=len(groups), pdf=signs_pdf))
            out.update(GROUPS=len(groups), SIGNS_PDF=str(signs_pdf))
        out.update(SITE=None, PAGES=0)
        if site_folder:
            out.update(SITE=site_folder, PAGES=self._site(rows, details, names, officers, phone, as_of,
                                                          Path(site_folder), feedback))
        feedback.setProgress(100)
        return out

    @staticmethod
    def _site(rows, details, names, officers, phone: str, as_of, target: Path, feedback) -> int:
        """Render the 码上查 site of the labelled parcels (core.coding.site) and write it atomically; warns about
        parcels whose QR codes will not open their page (another address, or no address at all)."""
        feedback.setProgressText(tr("Writing the 码上查 site…"))
        parcels = []
        for code, content, mu, basic_mu in rows:
            row = details.get(code, {})
            area = row.get("area_m2")
            parcels.append(mashangcha.Parcel(code, content, float(mu), float(basic_mu),
                                             None if area is None else float(area) / stats.M2_PER_MU,
                                             row.get("dlmc") or None))
        site = mashangcha.render_site(parcels, names, officers, phone, as_of)
        pages = write_site(site.pages, target, feedback.isCanceled)
        if site.base_url is None:
            feedback.pushWarning(tr("The parcels' QR codes hold no web address, so scanning a label cannot open "
                                    "its page: code the parcels with a QR URL template to link them."))
        elif site.off_site:
            feedback.pushWarning(tr("{n} parcels' QR codes do not point into the site ({base}): their pages are "
                                    "written, but scanning their labels will not open them.").format(
                                        n=len(site.off_site), base=site.base_url))
        feedback.pushInfo(tr("码上查 site: {pages} pages ({parcels} parcels, {groups} groups) in {folder}. Publish "
                             "the folder's contents at {base} so that the labels' QR codes open them.").format(
                                 pages=pages, parcels=site.parcels, groups=site.groups, folder=target,
                                 base=site.base_url or "—"))
        return pages

    def _groups(self, store, rows, names, officers, feedback) -> list[dict]:
        """Per group of the chosen parcels: names, URL, officer and the group's figures (all its active parcels,
        through core.reports.statistics as the dashboard computes them) and its parcels' geometry for the map."""
        first: dict[str, tuple[str, str]] = {}
        for code, content, _, _ in rows:
            first.setdefault(code[:14], (code, content))
        out = []
        for group, (code, content) in sorted(first.items()):
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Cancelled."))
            figure = stats.farmland_by_township(stats_store.farmland(store.conn, group))
            parcels = sum(f.parcels for f in figure)
            farmland_mu = sum(f.farmland_mu for f in figure)
            basic_mu = sum(f.basic_mu for f in figure)
            shapes = space_codes.group_shapes(store, group)
            officer, officer_phone = officers.get(group, (None, None))
            out.append({
                "code": group, "url": group_url(content, code, group),
                "place": " ".join(names.get(group[:n], group[:n]) for n in (6, 9, 12)),
                "name": names.get(group, group), "parcels": parcels, "farmland_mu": farmland_mu,
                "basic_mu": basic_mu, "officer": officer, "officer_phone": officer_phone,
                "wkb": [g for g, _ in shapes], "basic": [b for _, b in shapes]})
        return out

    def _signs(self, groups, pdf: Path, font: str, phone: str, feedback) -> None:
        layout = QgsPrintLayout(QgsProject.instance())
        layout.initializeDefaults()
        layout.setName(tr("Farmland protection warning signs"))
        collection = layout.pageCollection()
        collection.page(0).setPageSize("A4", QgsLayoutItemPage.Orientation.Landscape)
        for _ in range(len(groups) - 1):
            page = QgsLayoutItemPage(layout)
            page.setPageSize("A4", QgsLayoutItemPage.Orientation.Landscape)
            collection.addPage(page)
        mm = Qgis.LayoutUnit.Millimeters

        def label(text: str, x: float, y: float, w: float, h: float, size: float, bold: bool = False,
                  color: str = "#000000", centre: bool = False) -> None:
            item = QgsLayoutItemLabel(layout)
            item.setText(text)
            set_label_text_format(item, font, int(size), bold, color)
            item.setHAlign(Qt.AlignmentFlag.AlignHCenter if centre else Qt.AlignmentFlag.AlignLeft)
            item.attemptMove(QgsLayoutPoint(x, y, mm))
            item.attemptResize(QgsLayoutSize(w, h, mm))
            layout.addLayoutItem(item)

        with tempfile.TemporaryDirectory(prefix="tianguan_signs_") as scratch:
            for k, g in enumerate(groups):
                if feedback.isCanceled():
                    raise QgsProcessingException(tr("Cancelled."))
                top = collection.page(k).pos().y()
                title = (tr("Permanent basic farmland protection warning sign") if g["basic_mu"] > 0
                         else tr("Farmland protection warning sign"))
                label(title, 10, top + 10, SIGN_W - 20, 20, 30, bold=True, color="#c00000", centre=True)
                label(g["name"], 14, top + 34, 118, 12, 24, bold=True)
                label(g["place"], 14, top + 47, 118, 8, 14)
                lines = [
                    tr("Group code: {code}").format(code=g["code"]),
                    tr("Parcels: {n}").format(n=g["parcels"]),
                    tr("Farmland {mu:.2f} mu").format(mu=g["farmland_mu"]),
                    tr("Permanent basic farmland {mu:.2f} mu").format(mu=g["basic_mu"]),
                    tr("Responsible officer: {name}").format(name=g["officer"] or "—"),
                    tr("Officer's phone: {phone}").format(phone=g["officer_phone"] or "—"),
                    tr("Report: {phone}").format(phone=phone or g["officer_phone"] or "—"),
                ]
                label("\n".join(lines), 14, top + 58, 118, 95, 16)
                map_svg = parcels_svg(g["wkb"], g["basic"], 62, 90)
                if map_svg:
                    path = Path(scratch) / f"{g['code']}_map.svg"
                    path.write_text(map_svg, encoding="utf-8")
                    picture = QgsLayoutItemPicture(layout)
                    picture.setPicturePath(str(path))
                    picture.attemptMove(QgsLayoutPoint(134, top + 36, mm))
                    picture.attemptResize(QgsLayoutSize(62, 90, mm))
                    picture.setFrameEnabled(True)
                    layout.addLayoutItem(picture)
                    label(tr("Parcels of the group (dark: permanent basic farmland)"), 134, top + 127, 62, 8, 8)
                qr_item = QgsLayoutItemPicture(layout)
                qr_item.setPicturePath(str(g["svg"]))
                qr_item.attemptMove(QgsLayoutPoint(204, top + 36, mm))
                qr_item.attemptResize(QgsLayoutSize(82, 82, mm))
                layout.addLayoutItem(qr_item)
                label(tr("Scan for the group's parcels"), 204, top + 119, 82, 8, 10, centre=True)
                label(tr("Farmland is protected by law: building, digging sand, quarrying, taking soil and dumping "
                         "waste on it are prohibited. Report illegal occupation to the number above."),
                      14, top + 160, SIGN_W - 28, 30, 14, bold=True, color="#c00000")
                feedback.setProgress(70 + 30.0 * (k + 1) / len(groups))
            self._export(layout, pdf, tr("The warning signs could not be written to {pdf} (error {code})."))

    @staticmethod
    def _export(layout, pdf: Path, message: str) -> None:
        settings_ = pdf_settings(300)
        tmp = pdf.with_suffix(".tmp.pdf")
        result = QgsLayoutExporter(layout).exportToPdf(str(tmp), settings_)
        if result != QgsLayoutExporter.ExportResult.Success:
            tmp.unlink(missing_ok=True)
            raise QgsProcessingException(message.format(pdf=pdf, code=int(result)))
        tmp.replace(pdf)  # atomic: a failed export never leaves half a sheet under the real name

    def _sheet(self, labels, pdf: Path, font: str, phone: str) -> None:
        layout = QgsPrintLayout(QgsProject.instance())
        layout.initializeDefaults()
        layout.setName(tr("QR warning-post labels"))
        per_page = COLUMNS * ROWS
        pages = math.ceil(len(labels) / per_page)
        collection = layout.pageCollection()
        collection.page(0).setPageSize("A4", QgsLayoutItemPage.Orientation.Portrait)
        for _ in range(pages - 1):
            page = QgsLayoutItemPage(layout)
            page.setPageSize("A4", QgsLayoutItemPage.Orientation.Portrait)
            collection.addPage(page)
        mm = Qgis.LayoutUnit.Millimeters
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
            set_label_text_format(text, font, 7)
            text.attemptMove(QgsLayoutPoint(x + 31, y + 2, mm))
            text.attemptResize(QgsLayoutSize(LABEL_W - 32, LABEL_H - 4, mm))
            layout.addLayoutItem(text)
        self._export(layout, pdf, tr("The label sheet could not be written to {pdf} (error {code})."))
