"""Every error answered as problem+json (RFC 9457): the handlers, and the responses documented on routes."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import ServiceError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)

_PROBLEM_PROPERTIES: dict[str, Any] = {
    "type": {"type": "string"},
    "title": {"type": "string"},
    "status": {"type": "integer"},
    "detail": {"type": "string", "description": "what went wrong and what to fix"},
}
# Written out rather than generated: the schema must sit under application/problem+json, where
# FastAPI's `model=` would put it under application/json.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": _PROBLEM_PROPERTIES,
}
VALIDATION_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "errors"],
    "properties": {
        **_PROBLEM_PROPERTIES,
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def _problem_response(description: str, schema: dict[str, Any] = PROBLEM_SCHEMA) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": schema}}}


# Documented on every route, so clients (and schemathesis) know each answer's shape.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem_response("the body could not be read (not UTF-8, or not the declared content type)"),
    413: _problem_response("the request body is too large"),
    415: _problem_response("the body's content type (or charset) is not the one this route reads"),
    422: _problem_response("the request is invalid; `errors` names each field to fix", VALIDATION_PROBLEM_SCHEMA),
    429: _problem_response("too many requests; retry after the Retry-After header's seconds"),
    503: _problem_response("the service is starting (retry after the Retry-After header's seconds) or the database is unreachable"),
}
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _problem_response("no credentials, or unknown or revoked ones"),
    403: _problem_response("these credentials may not do this"),
}
NOT_FOUND_RESPONSES: dict[int | str, dict[str, Any]] = {404: _problem_response("no such object, or not yours")}
CONFLICT_RESPONSES: dict[int | str, dict[str, Any]] = {409: _problem_response("conflicts with an existing record")}

# Lone surrogates cannot be encoded as UTF-8; echoing one back (a field name, say) must not fail the answer.
_SURROGATES = re.compile("[\ud800-\udfff]")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {"type": "about:blank", "title": title or HTTPStatus(status).phrase, "status": status, "detail": detail}
    body.update(extra)
    all_headers = dict(headers or {})
    if status == 401:
        all_headers.setdefault("WWW-Authenticate", 'ApiKey header="X-API-Key"')
    return JSONResponse(_clean(body), status_code=status, media_type=PROBLEM_JSON, headers=all_headers or None)


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _allowed_methods(request: Request) -> list[str]:
    from starlette.routing import Match

    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        # a bare scope per method, so that matching leaves the request's own scope alone
        scope = {"type": "http", "path": request.scope["path"], "root_path": request.scope.get("root_path", ""), "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service_error(_: Request, exc: ServiceError) -> JSONResponse:
        return problem(exc.status, exc.detail, title=exc.title, headers=exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _location(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(422, detail or "invalid request", title="Invalid request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the first route that matched the path; list every method the path has
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return problem(exc.status_code, str(exc.detail), headers=headers)

    # Handlers by class, not inside the catch-all: Starlette re-raises what reaches the catch-all
    # after answering, so every database hiccup would log a traceback and drop the connection.
    @app.exception_handler(IntegrityError)
    async def _conflict(_: Request, exc: IntegrityError) -> JSONResponse:
        # two writers raced past the same uniqueness check; the loser is told, not crashed
        return problem(409, "this conflicts with a record written at the same moment; retry", title="Conflict")

    async def _database_unavailable(_: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", type(exc).__name__)
        return problem(
            503, "the database is unreachable; retry shortly", title="Service unavailable", headers={"Retry-After": "5"}
        )

    for unavailable in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(unavailable, _database_unavailable)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem(500, "internal error; it has been logged")
