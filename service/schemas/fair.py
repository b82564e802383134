"""Trade fairs: the fair as created, participants, interest marks, recommendations and schedules."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from functools import lru_cache
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema, model_validator

from service.schemas.common import Int, ShortText, StrictModel, UtcDateTime
from service.schemas.lawyer import ImportRejection
from service.schemas.need import NeedFields

# Limits that keep one fair's cost bounded: the schedule's model grows with pairs × slots.
MAX_DAYS = 14
MAX_ENTERPRISES = 1000
MAX_LAWYERS = 500
MAX_TABLES = 500
MAX_WINDOWS = 20
MAX_MARKS = 5000

def _zone(value: str) -> str:
    if value not in _zones():
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. 'Asia/Shanghai')")
    return value


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


TimeZone = Annotated[str, AfterValidator(_zone), WithJsonSchema({"type": "string", "enum": list(_zones()), "description": "IANA time zone"})]
Clock = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
def _no_bool(value: object) -> object:
    # JSON true/false are not ids, though Python's lax coercion would take them as 1/0
    if isinstance(value, bool):
        raise ValueError("expected an id, not a boolean")
    return value


# the bounds come before the validator, else the schema loses them (as over common.Int)
ParticipantId = Annotated[int, Field(ge=1, le=2**31 - 1), BeforeValidator(_no_bool)]


def _ordered(model: Any) -> Any:
    # a span typed the wrong way round is still the same span; an empty one holds no slot
    if model.end < model.start:
        model.start, model.end = model.end, model.start
    return model


class Span(StrictModel):
    start: Clock = Field(description="local time HH:MM")
    end: Clock = Field(description="local time HH:MM, after start")

    @model_validator(mode="after")
    def _order(self) -> "Span":
        return _ordered(self)


class FairDay(StrictModel):
    date: dt.date = Field(description="the day (ISO date)")
    start: Clock = Field(description="first slot starts at this local time, HH:MM")
    end: Clock = Field(description="the last slot ends by this local time, HH:MM")
    breaks: list[Span] = Field(default_factory=list, max_length=10, description="no meeting overlaps a break")

    @model_validator(mode="after")
    def _order(self) -> "FairDay":
        return _ordered(self)


class Window(StrictModel):
    date: dt.date = Field(description="a day of the fair")
    start: Clock = Field(description="free from this local time, HH:MM")
    end: Clock = Field(description="free until this local time, HH:MM")

    @model_validator(mode="after")
    def _order(self) -> "Window":
        return _ordered(self)


Availability = Annotated[
    list[Window], Field(max_length=MAX_WINDOWS, description="when the participant can meet; empty: the whole fair")
]


class _Participant(StrictModel):
    availability: Availability = Field(default_factory=list)


class TypedEnterprise(_Participant):
    name: ShortText = Field(description="the enterprise's name")
    need: NeedFields = Field(description="the need, typed (text, and fields if known)")
    max_meetings: Int = Field(8, ge=1, le=100, description="at most this many meetings")


class StoredNeedEnterprise(_Participant):
    name: ShortText = Field(description="the enterprise's name")
    need_id: ParticipantId = Field(description="a need your organisation stored (POST /v1/needs)")
    max_meetings: Int = Field(8, ge=1, le=100, description="at most this many meetings")


# exactly one of need / need_id: each form refuses the other's field (extra="forbid")
EnterpriseIn = TypedEnterprise | StoredNeedEnterprise


class RegisteredLawyer(_Participant):
    lawyer_id: ParticipantId = Field(description="a registered lawyer's id")
    max_meetings: Int = Field(12, ge=1, le=100, description="at most this many meetings")


class ImportedLawyer(_Participant):
    external_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] = Field(
        description="the exchange-format external_id of a lawyer imported into the directory"
    )
    max_meetings: Int = Field(12, ge=1, le=100, description="at most this many meetings")


LawyerIn = RegisteredLawyer | ImportedLawyer


_FAIR_CREATE_EXAMPLE: dict[str, Any] = {
    "name": "2026 中国—中亚投资促进洽谈会",
    "timezone": "Asia/Shanghai",
    "days": [{"date": "2026-12-08", "start": "09:00", "end": "12:00", "breaks": [{"start": "10:30", "end": "10:45"}]}],
    "slot_minutes": 20,
    "tables": 10,
    "enterprises": [
        {"name": "新疆光能工程有限公司", "need": {"description": "哈萨克斯坦光伏电站EPC合同争议，需要会俄语的仲裁律师", "countries": ["KZ"]},
         "max_meetings": 4},
    ],
    "lawyers": [{"lawyer_id": 453, "availability": [{"date": "2026-12-08", "start": "09:00", "end": "11:00"}]}],
}


class FairCreate(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_FAIR_CREATE_EXAMPLE]})

    name: ShortText = Field(description="the fair's name")
    timezone: TimeZone = Field("Asia/Shanghai", description="IANA time zone of the venue")
    days: list[FairDay] = Field(min_length=1, max_length=MAX_DAYS, description="the fair's days and hours")
    slot_minutes: Int = Field(ge=5, le=240, description="length of one meeting slot, minutes")
    tables: Int = Field(ge=1, le=MAX_TABLES, description="desks: at most this many meetings at once")
    enterprises: list[EnterpriseIn] = Field(default_factory=list, max_length=MAX_ENTERPRISES, description="enterprises and their needs")
    lawyers: list[LawyerIn] = Field(default_factory=list, max_length=MAX_LAWYERS, description="lawyers at the fair")



class ParticipantsAdd(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"enterprises": [
        {"name": "泰国品牌", "need": {"description": "我们的商标在泰国被抢注", "countries": ["TH"]}, "max_meetings": 3}],
        "lawyers": [{"external_id": "L-000120", "max_meetings": 10}]}]})

    enterprises: list[EnterpriseIn] = Field(default_factory=list, max_length=MAX_ENTERPRISES, description="enterprises to add")
    lawyers: list[LawyerIn] = Field(default_factory=list, max_length=MAX_LAWYERS, description="lawyers to add")


class FairLawyerImport(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"joined": 2, "already": 1, "rejected": [
        {"line": 4, "external_id": "L-999999", "reason": "not in the directory; an administrator imports lawyers (POST /v1/lawyers/import)"}]}]})

    joined: int = Field(description="lawyers who joined the fair")
    already: int = Field(description="lines of lawyers already at the fair")
    rejected: list[ImportRejection] = Field(description="lines not taken, with the line number and why")


class ParticipantPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="the participant's id within the fair (used in marks, schedules, agendas)")
    kind: Literal["enterprise", "lawyer"] = Field(description="enterprise or lawyer")
    name: str = Field(description="the enterprise's name, or the lawyer's name")
    lawyer_id: int | None = Field(description="the registered lawyer (lawyers only)")
    need_id: int | None = Field(description="the stored need it was copied from, if any")
    need: dict[str, Any] | None = Field(description="the enterprise's need: description, countries, practice_areas, languages")
    availability: list[dict[str, Any]] = Field(description="windows when the participant can meet; empty: the whole fair")
    max_meetings: int = Field(description="at most this many meetings")
    cancelled: bool = Field(description="cancelled (by a repair): no meetings")


class SlotPublic(BaseModel):
    index: int = Field(description="the slot's number, from 0 in time order")
    date: dt.date = Field(description="its day")
    start: str = Field(description="local start time HH:MM")
    end: str = Field(description="local end time HH:MM")


class UnplacedMust(BaseModel):
    enterprise: int = Field(description="enterprise participant id")
    lawyer: int = Field(description="lawyer participant id")
    reason: str = Field(description="no_thanks, ineligible, cancelled, no_common_slot, enterprise_cap, lawyer_cap or slots_taken")
    detail: str = Field(description="the reason in words")


class ScheduleReport(BaseModel):
    status: str = Field(description="OPTIMAL, FEASIBLE (time limit reached) or GREEDY (the baseline was kept)")
    meetings: int = Field(description="meetings in the schedule")
    objective: int = Field(description="sum of the weights of the meetings placed (match score × 100 plus interest)")
    musts_placed: int = Field(description="must-meet pairs placed")
    greedy_objective: int = Field(description="the greedy baseline's objective on the same fair")
    greedy_musts_placed: int = Field(description="must-meet pairs the greedy baseline placed")
    seconds: float = Field(description="time spent solving")
    unplaced_musts: list[UnplacedMust] = Field(description="each must-meet pair left out, and why")
    kept: int | None = Field(None, description="repairs: meetings kept exactly as they were")
    removed: int | None = Field(None, description="repairs: meetings the changes cancelled")
    added: int | None = Field(None, description="repairs: meetings newly placed")


_REPORT_EXAMPLE: dict[str, Any] = {
    "status": "OPTIMAL", "meetings": 3, "objective": 245, "musts_placed": 1, "greedy_objective": 230, "greedy_musts_placed": 1,
    "seconds": 0.04, "unplaced_musts": [
        {"enterprise": 2, "lawyer": 5, "reason": "no_common_slot", "detail": "the two are never free at the same time"}],
}


class ScheduleReportOut(ScheduleReport):
    model_config = ConfigDict(json_schema_extra={"examples": [_REPORT_EXAMPLE]})


_FAIR_PUBLIC_EXAMPLE: dict[str, Any] = {
    "id": 1, "name": "2026 中国—中亚投资促进洽谈会", "organisation": "Shanghai Commerce Bureau", "timezone": "Asia/Shanghai",
    "days": _FAIR_CREATE_EXAMPLE["days"], "slot_minutes": 20, "tables": 10,
    "slots": [{"index": 0, "date": "2026-12-08", "start": "09:00", "end": "09:20"}],
    "participants": [
        {"id": 1, "kind": "enterprise", "name": "新疆光能工程有限公司", "lawyer_id": None, "need_id": None,
         "need": {"description": "哈萨克斯坦光伏电站EPC合同争议，需要会俄语的仲裁律师", "countries": ["KZ"], "practice_areas": [], "languages": []},
         "availability": [], "max_meetings": 4, "cancelled": False},
        {"id": 2, "kind": "lawyer", "name": "何嘉怡", "lawyer_id": 453, "need_id": None, "need": None,
         "availability": [{"date": "2026-12-08", "start": "09:00", "end": "11:00"}], "max_meetings": 12, "cancelled": False},
    ],
    "report": None, "created_at": "2026-12-06T09:30:00Z",
}


class FairPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_FAIR_PUBLIC_EXAMPLE]})

    id: int = Field(description="the fair's id")
    name: str = Field(description="the fair's name")
    organisation: str = Field(description="the organisation that runs it")
    timezone: str = Field(description="IANA time zone of the venue")
    days: list[dict[str, Any]] = Field(description="the days, hours and breaks")
    slot_minutes: int = Field(description="length of one slot, minutes")
    tables: int = Field(description="desks")
    slots: list[SlotPublic] = Field(description="the slots generated from the days")
    participants: list[ParticipantPublic] = Field(description="enterprises and lawyers")
    report: ScheduleReport | None = Field(description="what the last schedule or repair reported")
    created_at: UtcDateTime = Field(description="when it was created")


class FairSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="the fair's id")
    name: str = Field(description="the fair's name")
    organisation: str = Field(description="the organisation that runs it")
    tables: int = Field(description="desks")
    created_at: UtcDateTime = Field(description="when it was created")


class FairPage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [
        {"id": 1, "name": "2026 中国—中亚投资促进洽谈会", "organisation": "Shanghai Commerce Bureau", "tables": 10,
         "created_at": "2026-12-06T09:30:00Z"}], "total": 1, "offset": 0, "limit": 20}]})

    items: list[FairSummary] = Field(description="one page of fairs, newest first")
    total: int = Field(description="fairs in all")
    offset: int = Field(description="fairs skipped")
    limit: int = Field(description="page size")


Mark = Literal["must", "would", "no_thanks"]


class InterestMark(StrictModel):
    enterprise: ParticipantId = Field(description="enterprise participant id")
    lawyer: ParticipantId = Field(description="lawyer participant id")
    side: Literal["enterprise", "lawyer"] = Field(description="whose mark this is")
    mark: Mark | None = Field(description="must, would or no_thanks; null clears this side's mark")


class InterestUpdate(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"marks": [
        {"enterprise": 1, "lawyer": 2, "side": "enterprise", "mark": "must"},
        {"enterprise": 1, "lawyer": 2, "side": "lawyer", "mark": "would"}]}]})

    marks: list[InterestMark] = Field(min_length=1, max_length=MAX_MARKS, description="marks to set or clear")


class InterestPublic(BaseModel):
    enterprise: int = Field(description="enterprise participant id")
    lawyer: int = Field(description="lawyer participant id")
    side: str = Field(description="whose mark")
    mark: str = Field(description="must, would or no_thanks")


class InterestList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [
        {"enterprise": 1, "lawyer": 2, "side": "enterprise", "mark": "must"}]}]})

    items: list[InterestPublic] = Field(description="every mark of the fair")


class Recommendation(BaseModel):
    lawyer: int = Field(description="lawyer participant id")
    lawyer_id: int = Field(description="the registered lawyer")
    name: str = Field(description="the lawyer's name")
    eligible: bool = Field(description="whether every matching rule admits the lawyer for this need")
    excluded_by: str | None = Field(description="the first rule that excludes them, when not eligible")
    score: float | None = Field(description="the engine's match score (same formula as /v1/match)")
    weight: int | None = Field(description="what the schedule maximises for this pair (score and interest); null: not schedulable")
    marks: dict[str, str] = Field(description="the sides' marks on this pair (side -> mark)")
    reasons: list[str] = Field(description="the match's reasons, in the language asked")


class Recommendations(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"enterprise": 1, "items": [
        {"lawyer": 2, "lawyer_id": 453, "name": "何嘉怡", "eligible": True, "excluded_by": None, "score": 0.71, "weight": 111,
         "marks": {"enterprise": "would"}, "reasons": ["服务国家：哈萨克斯坦"]}]}]})

    enterprise: int = Field(description="enterprise participant id")
    items: list[Recommendation] = Field(description="the fair's lawyers for this enterprise, best first; the excluded last")


class LateArrival(StrictModel):
    participant: ParticipantId = Field(description="participant id")
    date: dt.date = Field(description="the day")
    arrives: Clock = Field(description="free from this local time on that day (earlier slots of that day are lost)")


class NewWindows(StrictModel):
    participant: ParticipantId = Field(description="participant id")
    availability: Availability = Field(description="the new windows (replacing the old)")


class RepairRequest(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"cancelled": [3], "late_arrivals": [
        {"participant": 1, "date": "2026-12-08", "arrives": "10:00"}], "windows": []}]})

    cancelled: list[ParticipantId] = Field(default_factory=list, max_length=MAX_LAWYERS + MAX_ENTERPRISES, description="participants who cancelled")
    late_arrivals: list[LateArrival] = Field(default_factory=list, max_length=MAX_LAWYERS + MAX_ENTERPRISES, description="participants who arrive late")
    windows: list[NewWindows] = Field(default_factory=list, max_length=MAX_LAWYERS + MAX_ENTERPRISES, description="changed availability")


class PartyRef(BaseModel):
    id: int = Field(description="participant id")
    name: str = Field(description="name")


class MeetingView(BaseModel):
    slot: int = Field(description="slot number")
    date: dt.date = Field(description="day")
    start: str = Field(description="local start HH:MM")
    end: str = Field(description="local end HH:MM")
    desk: int = Field(description="desk number, from 1")
    enterprise: PartyRef = Field(description="the enterprise")
    lawyer: PartyRef = Field(description="the lawyer")
    score: float = Field(description="the engine's match score")
    must: bool = Field(description="a must-meet pair")
    reasons: list[str] = Field(description="why they meet: the match reasons, in the language asked")


class ScheduleView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "fair": 1, "name": "2026 中国—中亚投资促进洽谈会", "timezone": "Asia/Shanghai", "lang": "zh", "report": _REPORT_EXAMPLE,
        "meetings": [{"slot": 0, "date": "2026-12-08", "start": "09:00", "end": "09:20", "desk": 1,
                      "enterprise": {"id": 1, "name": "新疆光能工程有限公司"}, "lawyer": {"id": 2, "name": "何嘉怡"},
                      "score": 0.71, "must": True, "reasons": ["服务国家：哈萨克斯坦"]}]}]})

    fair: int = Field(description="the fair's id")
    name: str = Field(description="the fair's name")
    timezone: str = Field(description="IANA time zone of the times")
    lang: str = Field(description="language of the reasons")
    report: ScheduleReport | None = Field(description="what the last schedule or repair reported")
    meetings: list[MeetingView] = Field(description="meetings in time order, then desk (filtered by participant or desk if asked)")
