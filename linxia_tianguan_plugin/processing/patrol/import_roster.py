"""导入田管员花名册 — import the officer roster into the 田管库 (``linxia_tianguan:import_roster``)."""
from __future__ import annotations

from pathlib import Path

from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
    QgsVectorLayer,
)

from ... import compat
from ...core.patrol.roster import (
    ERROR,
    LEVEL_NAMES,
    Officer,
    RosterError,
    RosterProblem,
    counts_by_level,
    looks_like_header,
    map_headers,
    parse_rows,
    validate,
)
from ...i18n import tr
from ...labels import severity_labels
from ...storage import existing_store
from ...storage.roster import active_grid_codes, active_roster_id, save_roster
from ..base import AlgorithmBase, open_store
from ..fields import KeepsAliases, schema
from ..readers import find_field
from ..table_files import csv_rows

#: problems reported one by one through feedback; the rest are counted (all are in the issues layer)
MAX_REPORTED = 200


def _messages() -> dict[str, str]:
    """What went wrong and what to do, per problem kind (placeholders: the problem's details)."""
    return {
        "unknown_level": tr("level “{value}” is not one of 州, 县, 乡, 村, 社 (or 1–5). Correct the 层级 column."),
        "unknown_role": tr("role “{value}” is neither 田管员 nor 助理田管员. Correct the 角色 column."),
        "unknown_vacant": tr("“{value}” in the 是否空缺 column is neither 是 nor 否. Write 是 for a vacant post, "
                             "否 or nothing otherwise."),
        "bad_code": tr("the code does not fit a {level_name} grid, whose code has {digits} digits. Correct the "
                       "网格编码 or the 层级 column."),
        "parent_missing": tr("its {parent_level_name} grid {parent} has no row in the roster. Check the code, or "
                             "add the officers of {parent}."),
        "unknown_grid": tr("this {level_name} grid is not in the patrol grid. Check the code, or build the patrol "
                           "grid again if the grid has changed."),
        "no_grid_cell": tr("this {level_name} grid has no cell in the patrol grid, although its {parent_level_name} "
                           "grid {parent} has one: it has no coded farmland, or the code is mistyped. Check the "
                           "code; no patrol tasks are dispatched to a grid without a cell."),
        "level_mismatch": tr("the patrol grid has this code as a {grid_level_name} grid, not {level_name}. Correct "
                             "the 层级 column."),
        "duplicate_officer": tr("the grid already has a 田管员 in row {other_row}. Keep one 田管员 per grid; make "
                                "the others 助理田管员 or remove them."),
        "missing_name": tr("the post is not vacant but has no name. Fill in 姓名, or write 是 in 是否空缺."),
        "missing_phone": tr("the post is not vacant but has no phone number. Fill in 电话, or write 是 in 是否空缺."),
        "bad_phone": tr("phone “{phone}” is neither a mobile number (11 digits, 13…–19…) nor a landline such as "
                        "0930-1234567. Correct the 电话 column."),
        "two_groups": tr("{name} ({phone}) is already 田管员 of group {other_code} (row {other_row}); a person can "
                         "be 田管员 of one group only. Correct one of the two rows."),
        "missing_officer": tr("the {level_name} grid has no 田管员 in the roster. Add its 田管员, or a row marked "
                              "vacant."),
        "vacant": tr("the {role_name} post is vacant. Fill it as soon as possible and import the roster again."),
        "missing_assistant": tr("the {level_name} grid has no 助理田管员 (the plan requires one at 州, 县 and 乡 "
                                "level). Add the deputy in charge."),
    }


def problem_message(problem: RosterProblem, messages: dict[str, str] | None = None) -> str:
    return (messages or _messages())[problem.kind].format(**problem.details)




def read_csv(path: str) -> tuple[list[Officer], str]:
    """Officers of a CSV roster and the encoding it was read with."""
    try:
        numbered, encoding = csv_rows(Path(path).read_bytes())
    except UnicodeDecodeError as err:
        raise QgsProcessingException(tr("{file} is neither UTF-8 nor GBK text. Save it from Excel as “CSV UTF-8” "
                                         "or as .xlsx.").format(file=Path(path).name)) from err
    return _parse(path, numbered), encoding


def sheet_names(path: str) -> list[str]:
    from osgeo import ogr

    ds = ogr.Open(path)
    return [] if ds is None else [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]


def read_xlsx(path: str, sheet: str, feedback) -> list[Officer] | None:
    """Officers of a sheet (the first when ``sheet`` is empty), read by OGR's XLSX driver as text.

    OGR is told not to guess a header and to keep every cell as a string, so codes and phone numbers
    stay as typed; a sheet's feature id is its row number, which messages then quote.
    """
    uri = path + (f"|layername={sheet}" if sheet else "") + "|option:HEADERS=DISABLE|option:FIELD_TYPES=STRING"
    layer = QgsVectorLayer(uri, "roster", "ogr")
    if not layer.isValid():
        if sheet:
            raise QgsProcessingException(tr("{file} has no sheet “{sheet}”; its sheets are: {sheets}.").format(
                file=Path(path).name, sheet=sheet, sheets=", ".join(sheet_names(path))))
        raise QgsProcessingException(tr("Cannot open {file} as an Excel workbook.").format(file=Path(path).name))
    names = layer.fields().names()
    numbered = []
    request = QgsFeatureRequest().setFlags(compat.FeatureRequestFlag.NoGeometry)
    for n, feature in enumerate(layer.getFeatures(request)):
        if n % 500 == 0 and feedback.isCanceled():
            return None
        cells = ["" if v is None or (hasattr(v, "isNull") and v.isNull()) else v for v in feature.attributes()]
        numbered.append((int(feature.id()), cells))
    return _parse(path, numbered, names if looks_like_header(names) else None)


def _parse(path: str, numbered: list[tuple[int, list]], headers: list[str] | None = None) -> list[Officer]:
    """Officers of (row number, cells) rows. The header is the first of the first rows that names the
    roster's columns — sheets often start with a title row (临夏县田管员花名册) — else the first row."""
    if headers is None:
        filled = [i for i, (_, cells) in enumerate(numbered) if any(str(c).strip() for c in cells)]
        if not filled:
            raise QgsProcessingException(tr("{file} is empty.").format(file=Path(path).name))
        at = next((i for i in filled[:10] if looks_like_header([str(c) for c in numbered[i][1]])), filled[0])
        headers = [str(c) for c in numbered[at][1]]
        numbered = numbered[at + 1:]
    try:
        map_headers(headers)
    except RosterError as err:
        raise QgsProcessingException(tr(
            "{file} has no column {columns}. The header row must name the columns 层级, 网格编码, 网格名称, 姓名, "
            "角色, 职务, 电话, 是否空缺 (or level, grid_code, grid_name, name, role, post, phone, vacant).").format(
            file=Path(path).name, columns="、".join(err.missing))) from err
    return parse_rows([cells for _, cells in numbered], headers, row_numbers=[n for n, _ in numbered])


def issue_fields() -> QgsFields:
    return schema("roster_problems", [("HH", "Int"), ("WGBM", "String"), ("JB", "String"),
                                      ("LX", "String"), ("WT", "String")])


class ImportRosterAlgorithm(KeepsAliases, AlgorithmBase):
    INPUT, SHEET, STORE, GRID, CHECK_ONLY, ISSUES = "INPUT", "SHEET", "STORE", "GRID", "CHECK_ONLY", "ISSUES"

    def name(self) -> str:
        return "import_roster"

    def displayName(self) -> str:
        return tr("Import officer roster")

    def shortHelpString(self) -> str:
        return tr(
            "<p>Reads the officer roster (田管员花名册) from an Excel workbook (.xlsx) or a CSV file (UTF-8 or "
            "GBK), checks it, and makes it the current roster of the tianguan store. Columns: 层级 (州, 县, 乡, "
            "村, 社), 网格编码, 网格名称, 姓名, 角色 (田管员 or 助理田管员), 职务, 电话, 是否空缺 (是/否); English "
            "headers (level, grid_code, grid_name, name, role, post, phone, vacant) are read too.</p>"
            "<p>Errors stop the import and the previous roster stays current: unreadable levels or roles, grid "
            "codes that do not fit their level or are not in the patrol grid, two 田管员 in one grid, a person "
            "who is 田管员 of two groups, posts without a name or with a malformed phone number. Warnings do "
            "not stop it: vacant posts, grids without a 田管员, 州, 县 or 乡 grids without a 助理田管员, and "
            "grids that the patrol grid lacks although it has their parent (a 社 without coded farmland).</p>"
            "<p>Grid codes are checked against the patrol grid layer if given, else against the store's "
            "current patrol grid, else only their format and parents. Every problem is listed with its row "
            "in the issues table. Earlier rosters are kept in the store.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        self.addParameter(QgsProcessingParameterFile(
            self.INPUT, tr("Officer roster (.xlsx or .csv)"), fileFilter=tr("Roster (*.xlsx *.csv *.XLSX *.CSV)")))
        sheet = QgsProcessingParameterString(self.SHEET, tr("Sheet (empty: the first)"), optional=True)
        sheet.setFlags(sheet.flags() | compat.ProcessingParameterFlag.Advanced)
        self.addParameter(sheet)
        self.add_store_parameter(creatable=True)
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.GRID, tr("Patrol grid cells (fields code and level)"), [compat.ProcessingSourceType.Vector],
            optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.CHECK_ONLY, tr("Only check, do not import"), False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.ISSUES, tr("Roster problems"), compat.ProcessingSourceType.Vector, optional=True,
            createByDefault=True))
        for key, label in (("IMPORTED", tr("Officers imported")), ("ERRORS", tr("Errors")),
                           ("WARNINGS", tr("Warnings"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))
        self.addOutput(QgsProcessingOutputString("ROSTER_ID", tr("Roster")))

    # ------------------------------------------------------------------ helpers
    def _grid_codes(self, parameters, context, feedback, store_path: str) -> dict[str, int] | None:
        """Known grids: the GRID layer, else the store's active grid build, else none."""
        source = self.parameterAsSource(parameters, self.GRID, context)
        if source is not None:
            code_i, level_i = find_field(source.fields(), "code"), find_field(source.fields(), "level")
            if code_i < 0:
                raise QgsProcessingException(tr("The patrol grid layer has no field “code”."))
            request = QgsFeatureRequest().setFlags(compat.FeatureRequestFlag.NoGeometry)
            request.setSubsetOfAttributes([i for i in (code_i, level_i) if i >= 0])
            lengths = {4: 1, 6: 2, 9: 3, 12: 4, 14: 5}
            codes: dict[str, int] = {}
            for feature in source.getFeatures(request):
                code = str(feature.attributes()[code_i] or "").strip()
                level = feature.attributes()[level_i] if level_i >= 0 else None
                try:
                    codes[code] = int(level)
                except (TypeError, ValueError):
                    codes[code] = lengths.get(len(code), 0)
            feedback.pushInfo(tr("Grid codes are checked against the {n} cells of the patrol grid layer.").format(
                n=len(codes)))
            return codes
        with existing_store(store_path) as store:  # (none yet, or not a store: said when it is written)
            codes = active_grid_codes(store) if store is not None else None
        if codes is not None:
            feedback.pushInfo(tr("Grid codes are checked against the {n} cells of the store's current patrol "
                                 "grid.").format(n=len(codes)))
            return codes
        feedback.pushInfo(tr("No patrol grid is known yet: only the format of grid codes and their parents in the "
                             "roster are checked."))
        return None

    def _report(self, feedback, file: str, problems: list[RosterProblem]) -> None:
        messages = _messages()
        reported = {ERROR: 0, "warning": 0}
        for p in problems:
            reported[p.severity] += 1
            if reported[p.severity] > MAX_REPORTED:
                continue
            if p.row is not None:
                line = tr("{file}, row {row}, grid {code}: {message}").format(
                    file=file, row=p.row, code=p.grid_code or "—", message=problem_message(p, messages))
            else:
                line = tr("{file}, grid {code}: {message}").format(
                    file=file, code=p.grid_code, message=problem_message(p, messages))
            if p.blocking:
                feedback.reportError(line)
            else:
                feedback.pushWarning(line)
        for n in reported.values():
            if n > MAX_REPORTED:
                feedback.pushInfo(tr("… and {n} more; every problem is listed in the issues table.").format(
                    n=n - MAX_REPORTED))

    # ------------------------------------------------------------------ run
    def processAlgorithm(self, parameters, context, feedback):
        path = self.parameterAsFile(parameters, self.INPUT, context)
        store_path = self.parameterAsFile(parameters, self.STORE, context)
        if not path or not Path(path).is_file():
            raise QgsProcessingException(tr("Choose the roster file (.xlsx or .csv)."))
        if not store_path:
            raise QgsProcessingException(tr("Choose the tianguan store (GeoPackage)."))
        file = Path(path).name
        suffix = Path(path).suffix.lower()
        feedback.setProgressText(tr("Reading {file}…").format(file=file))
        if suffix == ".csv":
            officers, encoding = read_csv(path)
            feedback.pushInfo(tr("{file} was read as {encoding} text.").format(file=file, encoding=encoding))
        elif suffix == ".xlsx":
            officers = read_xlsx(path, self.parameterAsString(parameters, self.SHEET, context).strip(), feedback)
        else:
            raise QgsProcessingException(tr("{file} is neither an .xlsx workbook nor a .csv file.").format(
                file=file))
        if officers is None or feedback.isCanceled():
            return self._cancelled(feedback)
        if not officers:
            raise QgsProcessingException(tr("{file} has a header but no officers.").format(file=file))
        feedback.setProgress(30)

        feedback.setProgressText(tr("Checking {n} rows…").format(n=len(officers)))
        grid_codes = self._grid_codes(parameters, context, feedback, store_path)
        problems = validate(officers, grid_codes)
        errors = sum(1 for p in problems if p.blocking)
        warnings = len(problems) - errors
        feedback.setProgress(50)
        if feedback.isCanceled():
            return self._cancelled(feedback)

        fields = issue_fields()
        sink, dest = self.parameterAsSink(parameters, self.ISSUES, context, fields, Qgis.WkbType.NoGeometry,
                                          QgsCoordinateReferenceSystem())
        if sink is not None:
            messages = _messages()
            severities = severity_labels()
            for p in problems:
                feature = QgsFeature(fields)
                feature.setAttributes([p.row, p.grid_code or None, severities[p.severity], p.kind,
                                       problem_message(p, messages)])
                sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
            self.keep_aliases(dest, "roster_problems")
        self._report(feedback, file, problems)
        feedback.setProgress(70)

        result = {self.ISSUES: dest, "IMPORTED": 0, "ERRORS": errors, "WARNINGS": warnings, "ROSTER_ID": ""}
        counts = counts_by_level(officers)
        if errors:
            with existing_store(store_path) as store:
                current = active_roster_id(store) if store is not None else None
            feedback.reportError(tr(
                "The roster was not imported: {errors} errors in {file} ({warnings} warnings). Correct the rows "
                "named above and import it again; {current}").format(
                errors=errors, file=file, warnings=warnings,
                current=tr("roster {id} stays current.").format(id=current) if current
                else tr("the store has no roster yet.")))
            return result
        if self.parameterAsBoolean(parameters, self.CHECK_ONLY, context):
            feedback.pushInfo(tr("{file} has no errors ({warnings} warnings); it was only checked, not "
                                 "imported.").format(file=file, warnings=warnings))
            return result
        if feedback.isCanceled():
            return self._cancelled(feedback)

        feedback.setProgressText(tr("Saving the roster…"))
        store = open_store(store_path, create=self.may_create_store(parameters, context))
        try:
            sheet = self.parameterAsString(parameters, self.SHEET, context).strip()
            roster_id = save_roster(store, officers, str(Path(path).resolve()) + (f"|{sheet}" if sheet else ""),
                                    {"rows": len(officers), "warnings": warnings,
                                     "levels": {str(k): v for k, v in counts.items()}})
        finally:
            store.close()
        for level, c in counts.items():
            if c["grids"]:
                feedback.pushInfo(tr("{level}: {grids} grids, {officers} officers, {assistants} assistants, "
                                     "{vacancies} vacant posts").format(level=LEVEL_NAMES[level], **c))
        feedback.pushInfo(tr("Roster {id}: {n} rows of {file} imported; it is now the current roster.").format(
            id=roster_id, n=len(officers), file=file))
        feedback.setProgress(100)
        result.update(IMPORTED=len(officers), ROSTER_ID=roster_id)
        return result

    def _cancelled(self, feedback) -> dict:
        feedback.reportError(tr("Import cancelled; the store was not changed."))
        return {}
