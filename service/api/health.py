from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from service.problems import PROBLEM_JSON, problem
from service.schemas import examples
from service.schemas.health import Health, NotReady, Readiness
from service.startup import RETRY_AFTER_SECONDS, Startup

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
    summary="Whether the service is ready, how far loading got, and what the directory holds",
    responses={
        200: examples.answer(examples.READY, "ready: the database answers and the index is loaded"),
        503: {
            "description": "not ready: loading (retry; `phase`, `done` and `of` say how far), failed, or the database unreachable",
            "content": {PROBLEM_JSON: {"schema": NotReady.schema_inline(), "example": examples.LOADING}},
        },
    },
)
def readyz(request: Request) -> Any:
    """Readiness. While the server loads (imports the demo directory, builds or loads the index)
    it answers 503 with the phase and its progress; when ready, 200 with what was indexed and how
    many lawyers the directory holds, with the reasons the others are not matched. A failed
    start-up stays a 503 with `state: failed` and the reason."""
    startup: Startup = request.app.state.startup
    progress = startup.progress()
    runtime = startup.runtime
    if progress["state"] != "ready" or runtime is None:
        return _not_ready(**progress)
    if not runtime.database_ok():
        return _not_ready(state="unavailable")
    try:
        counts = runtime.directory_standing()
    except SQLAlchemyError:  # the database went away between the two reads
        return _not_ready(state="unavailable")
    not_matched = {reason: n for reason, n in counts.items() if reason not in ("lawyers", "matchable")}
    return Readiness.model_validate(
        {
            "status": "ready",
            "lawyers_indexed": len(runtime.catalog),
            "passages": len(runtime.catalog.index),
            "directory": {"lawyers": counts["lawyers"], "matchable": counts["matchable"], "not_matched": not_matched},
        }
    )


def _not_ready(state: str, phase: str | None = None, done: int | None = None, of: int | None = None, detail: str | None = None) -> JSONResponse:
    if state == "loading":
        counted = f" ({done} of {of})" if of is not None else ""
        detail = f"the service is starting: {phase}{counted}; retry in {RETRY_AFTER_SECONDS} s"
    elif state == "unavailable":
        detail = "the database is unreachable; retry shortly"
    extra: dict[str, Any] = {key: value for key, value in (("phase", phase), ("done", done), ("of", of)) if value is not None}
    # a failed start-up stays failed: there is no point in retrying this process
    headers = None if state == "failed" else {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return problem(503, detail or "not ready", headers=headers, state=state, **extra)
