from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from service.deps import CallerDep, MatcherDep, SessionDep
from service.problems import AUTH_RESPONSES, COMMON_RESPONSES, CONFLICT_RESPONSES, NOT_FOUND_RESPONSES
from service.repositories import needs as need_repo
from service.schemas.match import MatchResponse
from service.schemas.need import NeedCreate, NeedPage, NeedPublic
from service.api.matches import run_match

router = APIRouter(prefix="/v1/needs", tags=["needs"], responses={**COMMON_RESPONSES, **AUTH_RESPONSES})

NeedId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the need's id")]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=NeedPublic, summary="Store a need", responses=CONFLICT_RESPONSES)
def create(body: NeedCreate, session: SessionDep, caller: CallerDep) -> NeedPublic:
    need = need_repo.create(
        session, body.model_dump(mode="json"), organisation=caller.organisation, owner_key_id=caller.key_id
    )
    return NeedPublic.model_validate(need)


@router.get("", response_model=NeedPage, summary="List your organisation's needs")
def list_needs(
    session: SessionDep,
    caller: CallerDep,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> NeedPage:
    rows, total = need_repo.page(session, organisation=caller.scope, offset=offset, limit=limit)
    return NeedPage(items=[NeedPublic.model_validate(r) for r in rows], total=total, offset=offset, limit=limit)


@router.get("/{need_id:int}", response_model=NeedPublic, summary="Read a need", responses=NOT_FOUND_RESPONSES)
def read(need_id: NeedId, session: SessionDep, caller: CallerDep) -> NeedPublic:
    return NeedPublic.model_validate(need_repo.get(session, need_id, organisation=caller.scope))


@router.delete("/{need_id:int}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a need", responses=NOT_FOUND_RESPONSES)
def delete(need_id: NeedId, session: SessionDep, caller: CallerDep) -> None:
    need_repo.delete(session, need_repo.get(session, need_id, organisation=caller.scope))


@router.get("/{need_id:int}/matches", response_model=MatchResponse, summary="Match a stored need", responses=NOT_FOUND_RESPONSES)
def matches(
    need_id: NeedId,
    session: SessionDep,
    caller: CallerDep,
    matcher: MatcherDep,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
    text_only: bool = False,
) -> MatchResponse:
    need = need_repo.get(session, need_id, organisation=caller.scope)
    response = run_match(
        matcher,
        need.description,
        countries=[] if text_only else need.countries,
        practice_areas=[] if text_only else need.practice_areas,
        languages=[] if text_only else need.languages,
        k=k,
        session=session,
    )
    response.need_id = need.id
    return response
