from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.deps import RuntimeDep
from service.problems import problem

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Database reachable and index loaded", responses={503: {"description": "not ready"}})
def readyz(runtime: RuntimeDep) -> JSONResponse:
    database = runtime.database_ok()
    index = runtime.catalog.loaded
    if database and index:
        return JSONResponse(
            {"status": "ready", "lawyers_indexed": len(runtime.catalog), "passages": len(runtime.catalog.index)}
        )
    missing = [name for name, ok in (("database", database), ("index", index)) if not ok]
    return problem(503, f"not ready: {', '.join(missing)} unavailable", title="Service unavailable")
