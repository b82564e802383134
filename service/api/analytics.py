"""Analytics for the bureau: how fast needs find a lawyer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BeforeValidator

from service.analytics.response_times import response_times as measure
from service.deps import Caller, CallerDep, SessionDep
from service.errors import Forbidden, Invalid
from service.problems import AUTH_RESPONSES, COMMON_RESPONSES
from service.schemas import examples
from service.schemas.analytics import ResponseTimes, WaitFigures

router = APIRouter(prefix="/v1/analytics", tags=["analytics"], responses={**COMMON_RESPONSES, **AUTH_RESPONSES})


def _rfc3339(value: object) -> object:
    # pydantic would also take a number as seconds since 1970; the schema promises a date-time string
    if value is not None and not (isinstance(value, str) and "T" in value.upper()):
        raise ValueError("give a time as RFC 3339, e.g. 2026-11-01T00:00:00Z")
    return value


Instant = Annotated[datetime, BeforeValidator(_rfc3339)]


def require_bureau(caller: CallerDep) -> Caller:
    if caller.role not in ("bureau", "admin"):
        raise Forbidden("analytics need a bureau's or an administrator's key")
    return caller


BureauDep = Annotated[Caller, Depends(require_bureau)]


@router.get(
    "/response-times",
    response_model=ResponseTimes,
    summary="The hour, measured: time from a need's first request to its first acceptance",
    responses={200: examples.answer(examples.RESPONSE_TIMES, "median, 90th percentile and share within the hour")},
)
def response_times(
    session: SessionDep,
    _: BureauDep,
    since: Annotated[Instant | None, Query(description="only needs first sent at or after this time (RFC 3339)")] = None,
    until: Annotated[Instant | None, Query(description="only needs first sent before this time (RFC 3339)")] = None,
) -> ResponseTimes:
    """For each need sent to a lawyer, the time from its first request to its first acceptance, in
    whichever round: the median, the 90th percentile and the share accepted within one hour,
    overall, by target country and by practice area (bureau and administrator keys)."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise Invalid(name, "give the time with its offset, e.g. 2026-11-01T00:00:00Z")
    figures = measure(session, since=since, until=until)

    def view(f: object) -> WaitFigures:
        return WaitFigures.model_validate(f)

    return ResponseTimes(
        since=since,
        until=until,
        overall=view(figures["overall"]),
        by_country={k: view(v) for k, v in figures["by_country"].items()},
        by_practice_area={k: view(v) for k, v in figures["by_practice_area"].items()},
    )
