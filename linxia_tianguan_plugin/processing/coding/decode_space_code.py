"""解析空间码 — decode a space code into its county/township/village/group names and its history."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterString,
)

from ...case_list import beijing_time
from ...core.admin import AdminDivisions, group_name
from ...core.coding import checkchar
from ...core.coding.space_code import BODY_LENGTH, CODE_LENGTH, SpaceCodeError, parse
from ...i18n import tr
from ...labels import retire_reason_labels
from ...resources import divisions_csv
from ..base import AlgorithmBase, open_store

_TEXT_OUTPUTS = ("COUNTY", "TOWNSHIP", "VILLAGE", "GROUP", "KIND", "STATUS", "PARENTS", "CHILDREN", "MESSAGE")


def problem(text: str | None) -> str:
    """Why ``text`` is not a space code, in the user's language (core's :class:`SpaceCodeError` says it in
    English for logs; the checks are the same, in the same order)."""
    code = str(text or "").strip().upper()
    if not code:
        return tr("the code is empty")
    if len(code) != CODE_LENGTH:
        return tr("a space code has {length} characters, “{code}” has {count}").format(
            length=CODE_LENGTH, code=code, count=len(code))
    body = code[:BODY_LENGTH]
    if not (body.isdigit() and body.isascii()):
        return tr("the first 19 characters of “{code}” must be digits").format(code=code)
    expected = checkchar.mod11_2(body)
    if code[BODY_LENGTH] != expected:
        return tr("the check character of “{code}” is {found}, expected {expected}").format(
            code=code, found=code[BODY_LENGTH], expected=expected)
    return tr("sequence 00000 in “{code}” is not used").format(code=code)


class DecodeSpaceCodeAlgorithm(AlgorithmBase):
    CODE, STORE = "CODE", "STORE"
    icon_name = "decode.svg"

    def name(self) -> str:
        return "decode_space_code"

    def displayName(self) -> str:
        return tr("Decode a space code")

    def shortHelpString(self) -> str:
        return tr(
            "<p>Reads a space code (for example keyed in from a warning post): checks its check character "
            "and gives the county, township, village and group it belongs to, its sequence number and type. "
            "With the tianguan store it also says whether the code is active or retired and what it came from "
            "or became.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        self.addParameter(QgsProcessingParameterString(self.CODE, tr("Space code")))
        self.add_store_parameter(optional=True)  # without: the code is checked and decoded only
        self.addOutput(QgsProcessingOutputNumber("VALID", tr("Valid (1) or not (0)")))
        self.addOutput(QgsProcessingOutputNumber("SEQUENCE", tr("Sequence")))
        labels = {
            "COUNTY": tr("County"), "TOWNSHIP": tr("Township"), "VILLAGE": tr("Village"), "GROUP": tr("Group"),
            "KIND": tr("Parcel type"), "STATUS": tr("Status"), "PARENTS": tr("Parent codes"),
            "CHILDREN": tr("Child codes"), "MESSAGE": tr("Message"),
        }
        for key in _TEXT_OUTPUTS:
            self.addOutput(QgsProcessingOutputString(key, labels[key]))

    def processAlgorithm(self, parameters, context, feedback):
        text = self.parameterAsString(parameters, self.CODE, context)
        result = {key: "" for key in _TEXT_OUTPUTS}
        result.update(VALID=0, SEQUENCE=0)
        try:
            code = parse(text)
        except SpaceCodeError:
            result["MESSAGE"] = tr("Not a valid space code: {reason}").format(reason=problem(text))
            feedback.reportError(result["MESSAGE"])
            return result
        divisions = AdminDivisions.from_csv(divisions_csv())
        store_path = self.parameterAsFile(parameters, self.STORE, context)
        row, lineage = None, {"parents": [], "children": []}
        if store_path:
            store = open_store(store_path, read_only=True)
            try:
                divisions = store.admin_divisions(divisions)
                row = store.get_code(code.code)
                lineage = store.lineage(code.code)
            finally:
                store.close()
        names = divisions.describe(code.group_code)
        unknown = tr("(unknown)")
        village = names["village"]
        result.update(
            VALID=1, SEQUENCE=code.seq,
            COUNTY="{} {}".format(code.county, names["county"] or unknown),
            TOWNSHIP="{} {}".format(code.township_code, names["township"] or unknown),
            VILLAGE=f"{code.village_code} {village or unknown}",
            GROUP=f"{code.group_code} {group_name(village, code.group) if village else unknown}",
            KIND=tr("farmland without contract parcel") if code.is_unassigned else tr("contract parcel"),
            PARENTS=";".join(lineage["parents"]), CHILDREN=";".join(lineage["children"]),
        )
        if store_path:
            if row is None:
                result["STATUS"] = tr("not in the store")
            elif row["status"] == "active":
                result["STATUS"] = tr("active since {when}").format(when=beijing_time(row["coded_at"]))
            else:
                reason = row["retire_reason"]
                result["STATUS"] = tr("retired on {when} ({reason})").format(
                    when=beijing_time(row["retired_at"]), reason=retire_reason_labels().get(reason, reason))
        result["MESSAGE"] = tr("{code}: {county} {township} {village} {group}, No. {seq}").format(
            code=code.code, county=result["COUNTY"], township=result["TOWNSHIP"], village=result["VILLAGE"],
            group=result["GROUP"], seq=code.seq)
        for key in ("MESSAGE", "KIND", "STATUS", "PARENTS", "CHILDREN"):
            if result[key]:
                feedback.pushInfo(result[key])
        return result
