from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter
from sqlalchemy.orm import Session

from service.deps import CallerDep, MatcherDep
from service.problems import AUTH_RESPONSES, COMMON_RESPONSES
from service.matching.engine import MatchEngine
from service.schemas.match import MatchRequest, MatchResponse, Understood

router = APIRouter(prefix="/v1", tags=["matching"], responses={**COMMON_RESPONSES, **AUTH_RESPONSES})


def run_match(
    matcher: MatchEngine,
    description: str,
    *,
    countries: Sequence[str],
    practice_areas: Sequence[str],
    languages: Sequence[str],
    k: int,
    locale: str | None = None,
    session: Session | None = None,
) -> MatchResponse:
    query = matcher.understand(
        description, countries=countries, practice_areas=practice_areas, languages=languages, locale=locale
    )
    outcome = matcher.match(query, k=k, session=session)
    return MatchResponse(
        understood=Understood(**query.understood()),
        eligible=outcome.eligible,
        results=[m.to_dict(rank) for rank, m in enumerate(outcome.matches, start=1)],
    )


@router.post("/match", response_model=MatchResponse, summary="Rank verified lawyers for a need, with reasons")
def match(body: MatchRequest, _: CallerDep, matcher: MatcherDep) -> MatchResponse:
    return run_match(
        matcher,
        body.description,
        countries=[] if body.text_only else body.countries,
        practice_areas=[] if body.text_only else body.practice_areas,
        languages=[] if body.text_only else body.languages,
        k=body.k,
        locale=body.locale,
    )
