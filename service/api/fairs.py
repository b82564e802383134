"""Trade fairs: a bureau (or an administrator) creates a fair, marks interest, schedules the
meetings, repairs the schedule after late changes and exports it. A fair belongs to the
organisation whose key made it; another organisation's fair answers 404."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request, status
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from service.deps import BureauDep, MatcherDep, SessionDep, SettingsDep
from service.errors import Invalid
from service.importing import parse_lines
from service.fairs import exports, plan, repair
from service.problems import AUTH_RESPONSES, COMMON_RESPONSES, CONFLICT_RESPONSES, NOT_FOUND_RESPONSES
from service.repositories import fairs as fair_repo
from service.schemas.common import exchange_lines_body, json_response
from service.schemas.lawyer import ImportRejection, ImportSummary, LawyerRecord
from service.schemas.fair import (
    FairCreate,
    FairLawyerImport,
    FairPage,
    FairPublic,
    FairSummary,
    InterestList,
    InterestPublic,
    InterestUpdate,
    ParticipantsAdd,
    Recommendations,
    RepairRequest,
    ScheduleReportOut,
    ScheduleView,
    SlotPublic,
)

router = APIRouter(prefix="/v1/fairs", tags=["fairs"], responses={**COMMON_RESPONSES, **AUTH_RESPONSES, **NOT_FOUND_RESPONSES})

FairId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the fair's id")]
Lang = Annotated[Literal["zh", "en"], Query(description="language of the reasons and headings")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# fairs are run by a commerce bureau (or an administrator); an enterprise's key may not
OrganiserDep = BureauDep


def _public(fair: Any) -> FairPublic:
    slots = [SlotPublic(index=s.index, date=s.day, start=s.start.isoformat("minutes"), end=s.end.isoformat("minutes")) for s in plan.slots(fair)]
    return FairPublic.model_validate({
        "id": fair.id, "name": fair.name, "organisation": fair.organisation, "timezone": fair.timezone, "days": fair.days,
        "slot_minutes": fair.slot_minutes, "tables": fair.tables, "slots": slots, "participants": fair.participants,
        "report": fair.report, "created_at": fair.created_at,
    })


@router.post("", status_code=status.HTTP_201_CREATED, response_model=FairPublic, summary="Create a fair", responses=CONFLICT_RESPONSES)
def create(body: FairCreate, session: SessionDep, caller: OrganiserDep) -> Response:
    """A fair with its days, slot length, breaks, desks and participants: enterprises with a need
    (typed, or a stored need of your organisation) and registered lawyers (by id, or by the
    `external_id` they were imported with in the exchange format), each with availability windows
    and a maximum number of meetings. The slots are generated from the days. A lawyer or need
    that does not exist is a 404; days that yield no slot, a date given twice, or a window off
    the fair's days a 409; each names the entry to fix."""
    fair = plan.create(session, body.model_dump(mode="json"), organisation=caller.organisation, owner_key_id=caller.key_id, scope=caller.scope)
    return Response(_public(fair).model_dump_json(), status_code=201, media_type="application/json")


@router.get("", response_model=FairPage, summary="List your organisation's fairs")
def list_fairs(
    session: SessionDep,
    caller: OrganiserDep,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="fairs to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=100, description="fairs per page")] = 20,
) -> FairPage:
    """The fairs of the calling key's organisation, newest first; an administrator's key lists all."""
    rows, total = fair_repo.page(session, organisation=caller.scope, offset=offset, limit=limit)
    return FairPage(items=[FairSummary.model_validate(r) for r in rows], total=total, offset=offset, limit=limit)


@router.get("/{fair_id:int}", response_model=FairPublic, summary="Read a fair")
def read(fair_id: FairId, session: SessionDep, caller: OrganiserDep) -> Response:
    """The fair with its slots, participants and the last schedule's report."""
    return json_response(_public(fair_repo.get(session, fair_id, organisation=caller.scope)))


@router.delete("/{fair_id:int}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a fair")
def delete(fair_id: FairId, session: SessionDep, caller: OrganiserDep) -> None:
    """Delete the fair, its participants, marks and meetings; answers 204 with no body."""
    fair_repo.delete_fair(session, fair_repo.get(session, fair_id, organisation=caller.scope))


@router.post("/{fair_id:int}/participants", response_model=FairPublic, summary="Add participants", responses=CONFLICT_RESPONSES)
def add_participants(fair_id: FairId, body: ParticipantsAdd, session: SessionDep, caller: OrganiserDep) -> Response:
    """More enterprises and lawyers, as in the fair's creation; the schedule is left as it is
    (schedule again, or repair with an empty body to fill free time with the newcomers). A lawyer
    already at the fair is a 409."""
    fair = fair_repo.get(session, fair_id, organisation=caller.scope)
    plan.add_participants(session, fair, body.model_dump(mode="json"), scope=caller.scope)
    return json_response(_public(fair))


_EXCHANGE_LINE = (
    '{"external_id": "L-000453", "name": "何嘉怡", "license_no": "31010120071234567", "years_of_practice": 17, '
    '"countries": ["KZ"], "practice_areas": ["energy_resources"], "languages": [{"code": "ru", "level": "working"}], '
    '"bio": "为中资企业在哈萨克斯坦开发光伏电站", "accepting_clients": true, "status": "verified"}'
)


@router.post(
    "/{fair_id:int}/lawyers/import",
    response_model=FairLawyerImport,
    summary="Lawyers join from an exchange-format list",
    openapi_extra=exchange_lines_body(_EXCHANGE_LINE),
)
async def import_lawyers(fair_id: FairId, request: Request, session: SessionDep, caller: OrganiserDep) -> FairLawyerImport:
    """The fair's registration list in the exchange format (JSON Lines, as the bureau's directory
    files): each valid line's lawyer, found in the directory by `external_id`, joins the fair
    (12 meetings at most, the whole fair). The directory itself is not changed: a lawyer not in
    it is reported, for an administrator to import (`POST /v1/lawyers/import`) first. At most
    the request body limit (1 MiB by default)."""
    body = await request.body()
    if not body.strip():
        raise Invalid("body", "send the fair's lawyers in the exchange format (JSON Lines, one lawyer per line)")
    summary = ImportSummary()
    entries = [(line, record.external_id) for line, record in parse_lines(body.splitlines(), LawyerRecord, summary)]

    def join() -> FairLawyerImport:
        fair = fair_repo.get(session, fair_id, organisation=caller.scope)
        joined, already, missing = plan.join_lawyers(session, fair, entries)
        rejected = summary.rejected + [ImportRejection(line=n, external_id=e, reason=r) for n, e, r in missing]
        return FairLawyerImport(joined=joined, already=already, rejected=sorted(rejected, key=lambda r: r.line))

    return await run_in_threadpool(join)


@router.put("/{fair_id:int}/interests", response_model=InterestList, summary="Set interest marks")
def set_interests(fair_id: FairId, body: InterestUpdate, session: SessionDep, caller: OrganiserDep) -> InterestList:
    """Either side of a pair marks it `must`, `would` or `no_thanks` (null clears the mark). A
    `no_thanks` from either side forbids the pair; a pair both sides want counts more. Answers
    every mark of the fair."""
    fair = fair_repo.get(session, fair_id, organisation=caller.scope)
    plan.set_marks(session, fair, [m.model_dump() for m in body.marks])
    return _interests(session, fair.id)


@router.get("/{fair_id:int}/interests", response_model=InterestList, summary="Read interest marks")
def get_interests(fair_id: FairId, session: SessionDep, caller: OrganiserDep) -> InterestList:
    """Every mark of the fair."""
    return _interests(session, fair_repo.get(session, fair_id, organisation=caller.scope).id)


def _interests(session: SessionDep, fair_id: int) -> InterestList:
    return InterestList(items=[
        InterestPublic(enterprise=m.enterprise_id, lawyer=m.lawyer_id, side=m.side, mark=m.mark) for m in fair_repo.marks(session, fair_id)
    ])


@router.get("/{fair_id:int}/recommendations", response_model=Recommendations, summary="Recommend the fair's lawyers to an enterprise")
def recommendations(
    fair_id: FairId,
    session: SessionDep,
    caller: OrganiserDep,
    matcher: MatcherDep,
    enterprise: Annotated[int, Query(ge=1, le=2**31 - 1, description="the enterprise's participant id")],
    lang: Lang = "zh",
) -> Response:
    """The fair's lawyers ranked for one enterprise by the match engine (the same rules, score and
    reasons as `/v1/match`, asked for this fair's lawyers only) and the marks on each pair; a lawyer
    a rule excludes is listed last with that rule and can not be scheduled with this enterprise."""
    fair = fair_repo.get(session, fair_id, organisation=caller.scope)
    items = plan.recommendations(session, matcher, fair, enterprise, lang)
    return json_response(Recommendations.model_validate({"enterprise": enterprise, "items": items}))


@router.post("/{fair_id:int}/schedule", response_model=ScheduleReportOut, summary="Schedule the fair's meetings")
def schedule(fair_id: FairId, session: SessionDep, caller: OrganiserDep, matcher: MatcherDep, settings: SettingsDep) -> ScheduleReportOut:
    """Assign meetings to slots and desks with OR-Tools CP-SAT within the time limit
    (`MATCHMAKER_FAIR_SCHEDULE_SECONDS`): must-meet pairs first, then the most match quality
    (score and interest), never a `no_thanks` pair or one a matching rule excludes, one meeting
    per party per slot, caps, windows and the desk count respected. Replaces any earlier
    schedule. The report gives the objective beside the greedy baseline's and, for each
    must-meet pair left out, why."""
    fair = fair_repo.get(session, fair_id, organisation=caller.scope)
    report = plan.schedule(session, matcher, fair, time_limit=settings.fair_schedule_seconds, workers=settings.fair_solver_workers)
    return ScheduleReportOut.model_validate(report)


@router.post(
    "/{fair_id:int}/schedule/repair", response_model=ScheduleReportOut, summary="Re-plan after late changes",
    responses=CONFLICT_RESPONSES,
)
def repair_schedule(
    fair_id: FairId,
    body: Annotated[RepairRequest, Body()],
    session: SessionDep,
    caller: OrganiserDep,
    matcher: MatcherDep,
    settings: SettingsDep,
) -> ScheduleReportOut:
    """Cancellations, late arrivals and changed windows: only the meetings they make impossible
    are removed; every other meeting keeps its slot and desk, and the freed time is filled again
    (an empty body only fills free time). 409 if the fair has no schedule yet."""
    fair = fair_repo.get(session, fair_id, organisation=caller.scope)
    report = repair.repair(
        session, matcher, fair, body.model_dump(mode="json"), time_limit=settings.fair_schedule_seconds, workers=settings.fair_solver_workers
    )
    return ScheduleReportOut.model_validate(report)


_FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the schedule: JSON, or a CSV, XLSX or ICS file",
        "content": {
            "text/csv": {"schema": {"type": "string"}, "example": "slot,date,start,end,desk,enterprise_id,enterprise,lawyer_id,lawyer,score,must,reasons\n"},
            XLSX: {"schema": {"type": "string", "format": "binary"}, "example": "(an XLSX workbook)"},
            "text/calendar": {"schema": {"type": "string"}, "example": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"},
        },
    }
}


@router.get("/{fair_id:int}/schedule", response_model=ScheduleView, summary="Read or export the schedule", responses=_FILES)
def read_schedule(
    fair_id: FairId,
    session: SessionDep,
    caller: OrganiserDep,
    format: Annotated[Literal["json", "csv", "xlsx", "ics"], Query(description="json, csv, xlsx (a sheet per desk) or ics")] = "json",
    participant: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="only this participant's agenda")] = None,
    desk: Annotated[int | None, Query(ge=1, le=10_000, description="only this desk's list")] = None,
    lang: Lang = "zh",
) -> Response:
    """The organiser's whole schedule, a desk's list (`desk=`) or a participant's agenda
    (`participant=`), each meeting with the match reasons in `lang`. `format=ics` is a calendar
    (one event per meeting) to send to a participant; all formats carry the same meetings."""
    fair = fair_repo.get(session, fair_id, organisation=caller.scope)
    rows = plan.view(session, fair, participant=participant, desk=desk, lang=lang)
    stem = f"fair-{fair.id}" + (f"-participant-{participant}" if participant else "") + (f"-desk-{desk}" if desk else "")
    if format == "csv":
        return _file(exports.to_csv(rows, lang), "text/csv; charset=utf-8", f"{stem}.csv")
    if format == "xlsx":
        desks = [desk] if desk else sorted({r["desk"] for r in rows})
        return _file(exports.to_xlsx(rows, lang, desks), XLSX, f"{stem}.xlsx")
    if format == "ics":
        return _file(exports.to_ics(rows, fair_id=fair.id, fair_name=fair.name, zone=fair.timezone, lang=lang), "text/calendar; charset=utf-8", f"{stem}.ics")
    view = ScheduleView.model_validate({"fair": fair.id, "name": fair.name, "timezone": fair.timezone, "lang": lang, "report": fair.report, "meetings": rows})
    return json_response(view)


def _file(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
