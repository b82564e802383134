"""create_app(): settings, database, encoder, index and the change-feed follower, wired in lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from service import demo
from service.api import admin, health, lawyers, matches, needs
from service.problems import install_handlers
from service.ratelimit import BodyLimitMiddleware, make_limiter
from service.settings import Settings, get_settings
from service.state import Runtime

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = runtime or await run_in_threadpool(Runtime.build, settings)
        app.state.runtime = rt
        if settings.load_demo_data:
            await run_in_threadpool(demo.load_if_empty, rt)
        await run_in_threadpool(rt.load_index)
        rt.start_follower()
        try:
            yield
        finally:
            await run_in_threadpool(rt.close)

    app = FastAPI(
        title="Matchmaker: going-out enterprises × foreign-related lawyers",
        version="0.1.0",
        description="Ranked, explained matches of verified foreign-related lawyers for an enterprise's need.",
        lifespan=lifespan,
    )
    install_handlers(app)
    app.state.limiter = make_limiter(
        settings.rate_limit_per_minute, redis_url=settings.redis_url, namespace="matchmaker:rate:requests"
    )
    app.state.registration_limiter = make_limiter(
        settings.registration_rate_limit_per_minute, redis_url=settings.redis_url, namespace="matchmaker:rate:registrations"
    )
    # the bulk import streams under its own, larger MATCHMAKER_IMPORT_MAX_BYTES
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, exempt=("/v1/lawyers/import",))
    for router in (health.router, matches.router, needs.router, lawyers.router, admin.router):
        app.include_router(router)
    return app
