from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask

from service.deps import CallerDep, MatcherDep, QueryLogDep, RuntimeDep, match_budget
from service.problems import AUTH_RESPONSES, COMMON_RESPONSES
from service.schemas import examples
from service.schemas.common import json_response
from service.schemas.match import MatchRequest, MatchResponse

router = APIRouter(prefix="/v1", tags=["matching"], responses={**COMMON_RESPONSES, **AUTH_RESPONSES})


@router.post(
    "/match",
    response_model=MatchResponse,
    summary="Rank verified lawyers for a need, with reasons",
    responses={200: examples.answer(examples.MATCH_RESPONSE, "the ranked lawyers, with what was understood of the need")},
)
def match(
    body: Annotated[
        MatchRequest,
        Body(
            openapi_examples={
                "chinese": {"summary": "a need in Chinese: everything read from the text", "value": examples.MATCH_REQUEST},
                "english": {"summary": "a need in English, with the country given", "value": examples.MATCH_REQUEST_EN},
            }
        ),
    ],
    request: Request,
    caller: CallerDep,
    matcher: MatcherDep,
    query_log: QueryLogDep,
    runtime: RuntimeDep,
) -> Response:
    """Match a need without storing it. Fields given (`countries`, `languages`, `practice_areas`)
    are authoritative; what is left empty is read from the description, Chinese or English, and
    `understood` shows every reading with its confidence and the words it came from. Only verified
    lawyers who accept clients and consent to be listed are returned, each with its score, the
    score's components, the reasons in the need's language and the best-matching passage of its
    profile. `text_only` ignores the fields and reads everything from the text. Each key (and
    organisation) runs a few matches at once and spends from a budget a minute; longer text and
    larger `k` cost more; past either, 429 with `Retry-After`."""
    with match_budget(request, caller, text_length=len(body.description), k=body.k):
        query = matcher.understand(
            body.description,
            countries=[] if body.text_only else body.countries,
            practice_areas=[] if body.text_only else body.practice_areas,
            languages=[] if body.text_only else body.languages,
            locale=body.locale,
            counterparties=body.counterparties,  # never read from the text: only what is given binds
        )
        response = json_response(MatchResponse.from_outcome(matcher.match(query, k=body.k)))
    # the bureau's demand figures: the query's countries x practice areas counted, never its text
    query_log.record(query)
    if query_log.due():
        response.background = BackgroundTask(query_log.flush_quietly, runtime.sessions)
    return response
