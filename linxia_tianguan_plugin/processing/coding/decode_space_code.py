"""解析空间码 — decode a space code into its county/township/village/group names and its history; with the store
also 码上查: the tracks that saw the parcel, its cases and its status (:mod:`..core.patrol.parcel_status`)."""
from __future__ import annotations

from qgis.core import (
    Qgis,
    QgsFeature,
    QgsFeatureSink,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterString,
)

from ... import labels
from ...case_list import beijing_time
from ...compat import ProcessingSourceType
from ...core.admin import AdminDivisions, group_name
from ...core.cases.workflow import TERMINAL_STATES
from ...core.clock import now_utc
from ...core.coding import checkchar
from ...core.coding.space_code import BODY_LENGTH, CODE_LENGTH, SpaceCodeError, parse
from ...core.patrol import parcel_status as rules
from ...core.patrol.tasks import local_date
from ...i18n import tr
from ...labels import retire_reason_labels
from ...resources import divisions_csv
from ...storage import parcel_history
from ..base import AlgorithmBase, open_store
from ..fields import schema

_TEXT_OUTPUTS = ("COUNTY", "TOWNSHIP", "VILLAGE", "GROUP", "KIND", "STATUS", "PARENTS", "CHILDREN", "MESSAGE",
                 "LAST_PATROL", "PARCEL_STATUS", "PARCEL_STATUS_NAME")


def parcel_status_names() -> dict[str, str]:
    """The parcel statuses' names (:func:`labels.parcel_status_labels`)."""
    return labels.parcel_status_labels()


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
    CODE, STORE, AS_OF, HISTORY = "CODE", "STORE", "AS_OF", "HISTORY"
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
            "<p>码上查: with the store it also lists the parcel's patrol history — the tracks that passed within "
            "50 m of it (when, who) — and its cases, and gives the parcel's status: 有未结案件 (a case not closed), "
            "整改中 (its cases are being enforced or rectified), 巡田逾期 (its group missed its last patrol task) or "
            "正常. The optional history table lists patrols and case events by time.</p>"
        )

    def initAlgorithm(self, config=None) -> None:
        self.addParameter(QgsProcessingParameterString(self.CODE, tr("Space code")))
        self.add_store_parameter(optional=True)  # without: the code is checked and decoded only
        self.add_date_parameter(self.AS_OF, tr("Status as of (empty: now)"), advanced=True, with_time=True)
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.HISTORY, tr("Parcel history"), ProcessingSourceType.Vector, optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("VALID", tr("Valid (1) or not (0)")))
        self.addOutput(QgsProcessingOutputNumber("SEQUENCE", tr("Sequence")))
        labels = {
            "COUNTY": tr("County"), "TOWNSHIP": tr("Township"), "VILLAGE": tr("Village"), "GROUP": tr("Group"),
            "KIND": tr("Parcel type"), "STATUS": tr("Status"), "PARENTS": tr("Parent codes"),
            "CHILDREN": tr("Child codes"), "MESSAGE": tr("Message"), "LAST_PATROL": tr("Last patrol"),
            "PARCEL_STATUS": tr("Parcel status (code)"), "PARCEL_STATUS_NAME": tr("Parcel status"),
        }
        self.addOutput(QgsProcessingOutputNumber("PATROLS", tr("Patrols (tracks that saw the parcel)")))
        self.addOutput(QgsProcessingOutputNumber("CASES_OPEN", tr("Open cases")))
        for key in _TEXT_OUTPUTS:
            self.addOutput(QgsProcessingOutputString(key, labels[key]))

    def processAlgorithm(self, parameters, context, feedback):
        text = self.parameterAsString(parameters, self.CODE, context)
        result = {key: "" for key in _TEXT_OUTPUTS}
        result.update(VALID=0, SEQUENCE=0, PATROLS=0, CASES_OPEN=0)
        try:
            code = parse(text)
        except SpaceCodeError:
            result["MESSAGE"] = tr("Not a valid space code: {reason}").format(reason=problem(text))
            feedback.reportError(result["MESSAGE"])
            return result
        divisions = AdminDivisions.from_csv(divisions_csv())
        store_path = self.parameterAsFile(parameters, self.STORE, context)
        row, lineage, facts = None, {"parents": [], "children": []}, None
        if store_path:
            now = self.parameter_as_instant(parameters, self.AS_OF, context) or now_utc()
            store = open_store(store_path, read_only=True)
            try:
                divisions = store.admin_divisions(divisions)
                row = store.get_code(code.code)
                lineage = store.lineage(code.code)
                facts = parcel_facts(store, code.code, code.group_code, now) if row is not None else None
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
        if facts is not None:
            self.report_facts(facts, result, feedback)
            self.write_history(parameters, context, facts, result)
        return result

    def report_facts(self, facts: dict, result: dict, feedback) -> None:
        """码上查: the counts, the last patrol and the status, into the outputs and the log."""
        last = rules.last_patrol(facts["tracks"])
        status = rules.parcel_status([c["state"] for c in facts["cases"]], facts["group_task"])
        result.update(
            PATROLS=sum(1 for t in facts["tracks"] if t["accepted"]),
            CASES_OPEN=sum(1 for c in facts["cases"] if c["state"] not in TERMINAL_STATES),
            LAST_PATROL="" if last is None else "{} {}".format(beijing_time(last["started_at"]), last["officer"] or ""
                                                               ).strip(),
            PARCEL_STATUS=status, PARCEL_STATUS_NAME=parcel_status_names().get(status, status))
        feedback.pushInfo(tr("Patrols within {distance} m: {count} (last: {last})").format(
            distance=int(rules.NEAR_M), count=result["PATROLS"], last=result["LAST_PATROL"] or tr("none")))
        feedback.pushInfo(tr("Cases: {total}, of which open: {open}").format(
            total=len(facts["cases"]), open=result["CASES_OPEN"]))
        feedback.pushInfo(tr("Parcel status: {name}").format(name=result["PARCEL_STATUS_NAME"]))

    def write_history(self, parameters, context, facts: dict, result: dict) -> None:
        """The optional HISTORY table: one row per track that saw the parcel and per event of its cases."""
        if not parameters.get(self.HISTORY):
            return
        fields = schema("parcel_history", [("KJM", "String", 20), ("SJ", "String", 16), ("LX", "String", 8),
                                           ("RY", "String", 40), ("NR", "String", 254)])
        sink, dest = self.parameterAsSink(parameters, self.HISTORY, context, fields, Qgis.WkbType.NoGeometry)
        if sink is None:
            return
        for row in rules.history(facts["tracks"], facts["events"]):
            feature = QgsFeature(fields)
            feature.setAttributes([facts["code"], beijing_time(row.at), rules.HISTORY_KIND_ZH[row.kind], row.who,
                                   row.what])
            sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
        result[self.HISTORY] = dest


def parcel_facts(store, code: str, group_code: str, now) -> dict:
    """What the store knows of the parcel for 码上查: tracks near it, its cases and their events, and its group's
    deciding task status (:func:`..core.patrol.parcel_status.group_task_status`)."""
    tracks = parcel_history.tracks_near(store, parcel_history.parcel_geometry(store, code))
    cases = parcel_history.cases_of(store, code)
    events = parcel_history.case_events(store, [c["case_id"] for c in cases])
    tasks, patrols = parcel_history.group_tasks(store, group_code, local_date(now))
    return {"code": code, "tracks": tracks, "cases": cases, "events": events,
            "group_task": rules.group_task_status(tasks, patrols, now)}
