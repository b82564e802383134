from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from service.schemas import examples
from service.schemas.health import Health, Readiness
from service.startup import Startup

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    response_model=Health,
    summary="The process is alive",
    responses={200: examples.answer(examples.HEALTH, "the process answers")},
)
async def healthz() -> Health:
    """Liveness: answers 200 as soon as the server listens, while loading too; it reads nothing."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    response_model_exclude_none=True,
    summary="Whether the service is ready, how far loading got, and what the directory holds",
    responses={
        200: examples.answer(examples.READY, "ready: the database answers and the index is loaded"),
        503: {
            "model": Readiness,
            "description": "not ready: loading (retry; `phase`, `done` and `of` say how far), failed, or the database unreachable",
            "content": {"application/json": {"example": examples.LOADING}},
        },
    },
)
def readyz(request: Request) -> JSONResponse:
    """Readiness. While the server loads (imports the demo directory, builds or loads the index)
    it answers 503 with the phase and its progress; when ready, 200 with what was indexed and how
    many lawyers the directory holds, with the reasons the others are not matched. A failed
    start-up stays a 503 with `status: failed` and the reason."""
    startup: Startup = request.app.state.startup
    state = startup.status()
    runtime = startup.runtime
    if runtime is None:
        return _answer(503, state)
    if not runtime.database_ok():
        return _answer(503, {"status": "unavailable", "detail": "the database is unreachable"})
    try:
        counts = runtime.directory_standing()
    except SQLAlchemyError:  # the database went away between the two reads
        return _answer(503, {"status": "unavailable", "detail": "the database is unreachable"})
    not_matched = {reason: n for reason, n in counts.items() if reason not in ("lawyers", "matchable")}
    return _answer(
        200,
        {
            "status": "ready",
            "lawyers_indexed": len(runtime.catalog),
            "passages": len(runtime.catalog.index),
            "directory": {"lawyers": counts["lawyers"], "matchable": counts["matchable"], "not_matched": not_matched},
        },
    )


def _answer(status: int, body: dict[str, object]) -> JSONResponse:
    # validated against the documented model, then written without the fields this state lacks
    return JSONResponse(Readiness.model_validate(body).model_dump(exclude_none=True), status_code=status)
