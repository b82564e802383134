"""Consultation requests: the enterprise offers a need, the lawyer answers, the engagement follows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, status

from models import ConsultationRequest, Lawyer
from models.request import RequestState
from service.deps import CallerDep, CurrentLawyerDep, MatcherDep, SessionDep, SettingsDep
from service.engagement import requests as engagement
from service.problems import AUTH_RESPONSES, COMMON_RESPONSES, CONFLICT_RESPONSES, NOT_FOUND_RESPONSES
from service.repositories import needs as need_repo
from service.repositories import requests as request_repo
from service.schemas import examples
from service.schemas.request import (
    CloseBody,
    Contact,
    DeclineBody,
    InboxItem,
    InboxNeed,
    InboxPage,
    RequestAuto,
    RequestCreate,
    RequestLawyer,
    RequestList,
    RequestView,
    State,
    WithdrawBody,
)

router = APIRouter(tags=["requests"], responses={**COMMON_RESPONSES, **AUTH_RESPONSES})

NeedId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the need's id")]
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the request's id")]
OBJECT = {**NOT_FOUND_RESPONSES, **CONFLICT_RESPONSES}
# contact details go with a request in these states, and only with the lawyer's consent
SHARED_STATES = {RequestState.accepted.value, RequestState.engaged.value, RequestState.closed.value}


def _view(request: ConsultationRequest, lawyer: Lawyer | None) -> RequestView:
    contact = None
    if lawyer is not None and request.state in SHARED_STATES and lawyer.consent_contact_sharing:
        contact = Contact(email=lawyer.email, phone=lawyer.phone)
    return RequestView(
        id=request.id,
        need_id=request.need_id,
        lawyer=RequestLawyer.model_validate(lawyer) if lawyer is not None else None,
        state=request.state,
        round=request.round,
        auto=request.auto,
        created_at=request.created_at,
        deadline_at=request.deadline_at,
        answered_at=request.answered_at,
        engaged_at=request.engaged_at,
        closed_at=request.closed_at,
        reason=request.reason,
        rating=request.rating,
        solved=request.solved,
        contact=contact,
    )


def _views(session: Any, rows: list[ConsultationRequest]) -> list[RequestView]:
    lawyers = request_repo.lawyers_by_id(session, {r.lawyer_id for r in rows if r.lawyer_id is not None})
    return [_view(r, lawyers.get(r.lawyer_id) if r.lawyer_id is not None else None) for r in rows]


@router.post(
    "/v1/needs/{need_id:int}/requests",
    status_code=status.HTTP_201_CREATED,
    response_model=RequestList,
    summary="Send a consultation request for a need: to chosen matched lawyers, or to the best one",
    responses={**OBJECT, 201: examples.answer({**examples.REQUEST_LIST, "items": [{**examples.REQUEST_VIEW, "state": "pending", "answered_at": None, "contact": None}]}, "the requests sent")},
)
def create(
    need_id: NeedId,
    body: Annotated[
        RequestCreate,
        Body(openapi_examples={**examples.request(examples.REQUEST_AUTO, "the best eligible lawyer"),
                               "chosen": {"summary": "chosen matched lawyers", "value": examples.REQUEST_CHOSEN}}),
    ],
    session: SessionDep,
    caller: CallerDep,
    matcher: MatcherDep,
    settings: SettingsDep,
) -> RequestList:
    """`{"lawyer_ids": [...]}` sends the need to these lawyers (at most 10 a call, 20 a need), each of
    whom must be one the service recommends for it (else 409, naming the rule that excludes them).
    `{"auto": true}` offers it to the best eligible lawyer; on a decline or when the lawyer lets
    `MATCHMAKER_REQUEST_SLA_SECONDS` pass, the service offers it to the next best, up to
    `MATCHMAKER_REQUEST_MAX_ROUNDS` requests for the need. Nobody is asked about a need twice (409)."""
    need = need_repo.get(session, need_id, organisation=caller.scope)
    policy = engagement.Policy.of(settings)
    choice = body.root
    if isinstance(choice, RequestAuto):
        made = [engagement.start_auto(session, matcher, need, policy=policy)]
    else:
        made = engagement.offer_chosen(session, matcher, need, choice.lawyer_ids, policy=policy)
    return RequestList(need_id=need.id, items=_views(session, made))


@router.get(
    "/v1/needs/{need_id:int}/requests",
    response_model=RequestList,
    summary="The history of a need's requests",
    responses={**NOT_FOUND_RESPONSES, 200: examples.answer(examples.REQUEST_LIST, "every request of the need, oldest first")},
)
def history(need_id: NeedId, session: SessionDep, caller: CallerDep) -> RequestList:
    """Every request of one of your organisation's needs (any, for an administrator), oldest first,
    with its answers; a lawyer's e-mail and phone appear once they accepted, if they consent to sharing them."""
    need = need_repo.get(session, need_id, organisation=caller.scope)
    return RequestList(need_id=need.id, items=_views(session, request_repo.for_need(session, need.id)))


@router.get(
    "/v1/lawyers/me/requests",
    response_model=InboxPage,
    summary="Your inbox: the requests sent to you (management token)",
    responses={200: examples.answer(examples.INBOX_PAGE, "one page of your requests, newest first")},
)
def inbox(
    session: SessionDep,
    lawyer: CurrentLawyerDep,
    state: Annotated[State | None, Query(description="only requests in this state (e.g. pending)")] = None,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="requests to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=100, description="requests per page")] = 20,
) -> InboxPage:
    """The requests sent to you, newest first, with what each enterprise needs; answer a pending
    one before its `deadline_at` with `POST /v1/requests/{id}/accept` or `/decline`."""
    rows, total = request_repo.inbox(session, lawyer.id, state=state, offset=offset, limit=limit)
    needs = request_repo.needs_by_id(session, {r.need_id for r in rows})
    items = [
        InboxItem(
            id=r.id,
            state=r.state,
            round=r.round,
            created_at=r.created_at,
            deadline_at=r.deadline_at,
            answered_at=r.answered_at,
            need=InboxNeed(
                id=needs[r.need_id].id,
                enterprise=needs[r.need_id].enterprise,
                description=needs[r.need_id].description,
                countries=needs[r.need_id].countries,
                languages=needs[r.need_id].languages,
                practice_areas=needs[r.need_id].practice_areas,
            ),
        )
        for r in rows
    ]
    return InboxPage(items=items, total=total, offset=offset, limit=limit)


_ONE = examples.answer(examples.REQUEST_VIEW, "the request as it is now")


@router.post("/v1/requests/{request_id:int}/accept", response_model=RequestView, summary="Accept a request sent to you (management token)",
             responses={**OBJECT, 200: _ONE})
def accept(request_id: RequestId, session: SessionDep, lawyer: CurrentLawyerDep, settings: SettingsDep) -> RequestView:
    """Take the matter: a pending request before its deadline, while you are under your maximum
    of open engagements (else 409). The enterprise is told, and sees your contact details if you
    consent to sharing them."""
    request = engagement.accept(session, engagement.own_request(session, request_id, lawyer), lawyer, policy=engagement.Policy.of(settings))
    return _view(request, lawyer)


@router.post("/v1/requests/{request_id:int}/decline", response_model=RequestView, summary="Decline a request sent to you, with a reason (management token)",
             responses={**OBJECT, 200: examples.answer({**examples.REQUEST_VIEW, "state": "declined", "reason": examples.DECLINE["reason"], "contact": None}, "the request, declined")})
def decline(
    request_id: RequestId,
    body: Annotated[DeclineBody, Body(openapi_examples=examples.request(examples.DECLINE, "a conflict"))],
    session: SessionDep,
    lawyer: CurrentLawyerDep,
    matcher: MatcherDep,
    settings: SettingsDep,
) -> RequestView:
    """Decline a pending request; the need goes on to the next best lawyer."""
    request = engagement.own_request(session, request_id, lawyer)
    engagement.decline(session, matcher, request, body.reason, policy=engagement.Policy.of(settings))
    return _view(request, lawyer)


def _enterprise_view(session: Any, request: ConsultationRequest) -> RequestView:
    return _views(session, [request])[0]


@router.post("/v1/requests/{request_id:int}/withdraw", response_model=RequestView, summary="Withdraw a pending or accepted request",
             responses={**OBJECT, 200: examples.answer({**examples.REQUEST_VIEW, "state": "withdrawn", "reason": examples.WITHDRAW["reason"], "contact": None}, "the request, withdrawn")})
def withdraw(
    request_id: RequestId,
    session: SessionDep,
    caller: CallerDep,
    body: Annotated[WithdrawBody | None, Body(openapi_examples=examples.request(examples.WITHDRAW, "settled"))] = None,
) -> RequestView:
    """Withdraw a request of your organisation's need that is pending or accepted (not yet engaged)."""
    request = engagement.withdraw(session, engagement.need_request(session, request_id, caller.scope), body.reason if body else None)
    return _enterprise_view(session, request)


@router.post("/v1/requests/{request_id:int}/engage", response_model=RequestView, summary="Confirm the engagement of a lawyer who accepted",
             responses={**OBJECT, 200: examples.answer({**examples.REQUEST_VIEW, "state": "engaged", "engaged_at": "2026-11-21T11:00:00Z"}, "the engagement, under way")})
def engage(request_id: RequestId, session: SessionDep, caller: CallerDep) -> RequestView:
    """An accepted request becomes an engagement (it counts toward the lawyer's capacity until closed)."""
    request = engagement.engage(session, engagement.need_request(session, request_id, caller.scope))
    return _enterprise_view(session, request)


@router.post("/v1/requests/{request_id:int}/close", response_model=RequestView, summary="Close an engagement, with a rating and whether the matter was solved",
             responses={**OBJECT, 200: examples.answer({**examples.REQUEST_VIEW, "state": "closed", "engaged_at": "2026-11-21T11:00:00Z", "closed_at": "2026-12-01T08:00:00Z", "rating": 5, "solved": True}, "the engagement, closed")})
def close(
    request_id: RequestId,
    body: Annotated[CloseBody, Body(openapi_examples=examples.request(examples.CLOSE, "solved, excellent"))],
    session: SessionDep,
    caller: CallerDep,
) -> RequestView:
    """Close an engagement of your organisation's need: rate the lawyer 1-5 and say whether the
    matter was solved (the ratings feed the lawyer's score, shrunk toward the mean)."""
    request = engagement.close(session, engagement.need_request(session, request_id, caller.scope), body.rating, body.solved)
    return _enterprise_view(session, request)
