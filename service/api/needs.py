from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, status
from fastapi.responses import Response

from service.deps import CallerDep, MatcherDep, SessionDep, match_budget
from service.engagement import requests as engagement
from service.problems import AUTH_RESPONSES, COMMON_RESPONSES, CONFLICT_RESPONSES, NOT_FOUND_RESPONSES
from service.repositories import needs as need_repo
from service.schemas import examples
from service.schemas.common import json_response
from service.schemas.match import MatchResponse
from service.schemas.need import NeedCreate, NeedPage, NeedPublic

router = APIRouter(prefix="/v1/needs", tags=["needs"], responses={**COMMON_RESPONSES, **AUTH_RESPONSES})

NeedId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the need's id")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=NeedPublic,
    summary="Store a need",
    responses={**CONFLICT_RESPONSES, 201: examples.answer(examples.NEED_PUBLIC, "the need as stored")},
)
def create(
    body: Annotated[NeedCreate, Body(openapi_examples=examples.request(examples.NEED_CREATE, "a need with its fields"))],
    session: SessionDep,
    caller: CallerDep,
) -> NeedPublic:
    """Store an enterprise's need, owned by the calling key's organisation, to match it now and
    again later (`GET /v1/needs/{id}/matches`). `external_id`, your own id for it, must be unique."""
    need = need_repo.create(
        session, body.model_dump(mode="json"), organisation=caller.organisation, owner_key_id=caller.key_id
    )
    return NeedPublic.model_validate(need)


@router.get(
    "",
    response_model=NeedPage,
    summary="List your organisation's needs",
    responses={200: examples.answer(examples.NEED_PAGE, "one page of needs, newest first")},
)
def list_needs(
    session: SessionDep,
    caller: CallerDep,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="needs to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=100, description="needs per page")] = 20,
) -> NeedPage:
    """The needs of the calling key's organisation; an administrator's key lists every organisation's."""
    rows, total = need_repo.page(session, organisation=caller.scope, offset=offset, limit=limit)
    return NeedPage(items=[NeedPublic.model_validate(r) for r in rows], total=total, offset=offset, limit=limit)


@router.get(
    "/{need_id:int}",
    response_model=NeedPublic,
    summary="Read a need",
    responses={**NOT_FOUND_RESPONSES, 200: examples.answer(examples.NEED_PUBLIC, "the need")},
)
def read(need_id: NeedId, session: SessionDep, caller: CallerDep) -> NeedPublic:
    """One need of your organisation (any, for an administrator); another organisation's is a 404."""
    return NeedPublic.model_validate(need_repo.get(session, need_id, organisation=caller.scope))


@router.delete("/{need_id:int}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a need", responses=NOT_FOUND_RESPONSES)
def delete(need_id: NeedId, session: SessionDep, caller: CallerDep) -> None:
    """Delete one need of your organisation (any, for an administrator), with its consultation
    requests (pending or accepted ones are withdrawn first); answers 204 with no body."""
    engagement.delete_need(session, need_repo.get(session, need_id, organisation=caller.scope))


@router.get(
    "/{need_id:int}/matches",
    response_model=MatchResponse,
    summary="Match a stored need",
    responses={**NOT_FOUND_RESPONSES, 200: examples.answer(examples.NEED_MATCH_RESPONSE, "the ranked lawyers for the need")},
)
def matches(
    request: Request,
    need_id: NeedId,
    session: SessionDep,
    caller: CallerDep,
    matcher: MatcherDep,
    k: Annotated[int, Query(ge=1, le=50, description="how many lawyers to return")] = 10,
    text_only: Annotated[bool, Query(description="ignore the need's fields and read everything from its description")] = False,
) -> Response:
    """Match a stored need as `POST /v1/match` does, against the directory as it is now: the
    need's fields are authoritative and what it leaves empty is read from its description."""
    need = need_repo.get(session, need_id, organisation=caller.scope)
    with match_budget(request, caller, text_length=len(need.description), k=k):
        query = matcher.understand(
            need.description,
            countries=[] if text_only else need.countries,
            practice_areas=[] if text_only else need.practice_areas,
            languages=[] if text_only else need.languages,
            counterparties=need.counterparties or (),
        )
        return json_response(MatchResponse.from_outcome(matcher.match(query, k=k, session=session), need_id=need.id))
