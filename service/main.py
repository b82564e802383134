"""create_app(): settings, middleware and routers; the runtime (database, encoder, index and the
change-feed follower) is loaded in the background once the server listens (service.startup)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from service.api import admin, docs, health, lawyers, matches, needs, webhooks
from service.problems import install_handlers
from service.ratelimit import BodyLimitMiddleware, make_limiter
from service.settings import Settings, get_settings
from service.startup import LoadingGate, Startup
from service.state import Runtime

log = logging.getLogger(__name__)

# On shutdown, how long to wait for a start-up still loading to stop at its next batch.
STARTUP_STOP_SECONDS = 5.0

DESCRIPTION = """Ranked, explained matches of verified foreign-related lawyers for an enterprise's need.

Every `/v1` call but a lawyer's own needs an `X-API-Key` header; a lawyer manages their profile
with the management token they got at registration. Errors are `application/problem+json`.
While the service starts, `/v1` answers 503 with `Retry-After` and `GET /readyz` shows progress."""


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """The application; `runtime` (tests) skips building one, loading still runs in the background."""
    settings = settings or get_settings()
    startup = Startup(settings, runtime)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        startup.start()
        try:
            yield
        finally:
            await run_in_threadpool(startup.stop, STARTUP_STOP_SECONDS)

    app = FastAPI(
        title="Matchmaker: going-out enterprises × foreign-related lawyers",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # served from the package by service.api.docs, not from a CDN
        docs_url=None,
        redoc_url=None,
    )
    app.state.startup = startup
    install_handlers(app)
    app.state.limiter = make_limiter(
        settings.rate_limit_per_minute, redis_url=settings.redis_url, namespace="matchmaker:rate:requests"
    )
    app.state.registration_limiter = make_limiter(
        settings.registration_rate_limit_per_minute, redis_url=settings.redis_url, namespace="matchmaker:rate:registrations"
    )
    # the bulk import streams under its own, larger MATCHMAKER_IMPORT_MAX_BYTES
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, exempt=("/v1/lawyers/import",))
    # added last, so it runs first: a request during start-up is answered before its body is read
    app.add_middleware(LoadingGate, startup=startup)
    for router in (health.router, docs.router, matches.router, needs.router, lawyers.router, admin.router, webhooks.router):
        app.include_router(router)
    return app
