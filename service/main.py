"""create_app(): settings, middleware and routers; the runtime (database, encoder, index and the
change-feed follower) is loaded in the background once the server listens (service.startup)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from service.addresses import parse_networks
from service.analytics.query_log import QueryLog
from service.api import admin, analytics, dashboard, docs, fairs, health, lawyers, matches, needs, requests, webhooks
from service.budgets import ConcurrencyGate, MatchBudget
from service.http_guard import RequestGuard, TrustedProxies
from service.problems import install_handlers
from service.ratelimit import BodyLimitMiddleware, make_limiter
from service.settings import Settings, get_settings
from service.startup import LoadingGate, Startup
from service.state import Runtime

log = logging.getLogger(__name__)

# On shutdown, how long to wait for a start-up still loading to stop at its next batch.
STARTUP_STOP_SECONDS = 5.0
IMPORT_PATH = "/v1/lawyers/import"

DESCRIPTION = """Ranked, explained matches of verified foreign-related lawyers for an enterprise's need.

Every `/v1` call but a lawyer's own needs an `X-API-Key` header; a lawyer manages their profile
with the management token they got at registration. Errors are `application/problem+json`.
Bodies are UTF-8 JSON (`application/json`; the bulk import JSON Lines). Free text is normalised
(NFC, zero-width characters removed); NUL and other control characters, lone surrogates, bidi
overrides and angle brackets are refused, as each field's pattern says.
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
            if startup.runtime is not None:  # the last match queries' counts, before the process ends
                await run_in_threadpool(app.state.query_log.flush_quietly, startup.runtime.sessions)

    app = FastAPI(
        title="Matchmaker: going-out enterprises × foreign-related lawyers",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # served from the package by service.api.docs, not from a CDN
        docs_url=None,
        redoc_url=None,
        # production hides the map of the API unless MATCHMAKER_DOCS_ENABLED says otherwise
        openapi_url="/openapi.json" if settings.serves_docs else None,
    )
    app.state.startup = startup
    app.state.query_log = QueryLog(settings.query_log_flush_seconds)
    install_handlers(app)
    app.state.limiter = make_limiter(
        settings.rate_limit_per_minute, redis_url=settings.redis_url, namespace="matchmaker:rate:requests"
    )
    app.state.match_budget = MatchBudget(
        ConcurrencyGate(settings.match_concurrency_per_key, settings.match_concurrency_per_organisation),
        make_limiter(settings.match_cost_per_minute, redis_url=settings.redis_url, namespace="matchmaker:cost:keys"),
        make_limiter(
            settings.match_cost_per_minute_per_organisation, redis_url=settings.redis_url, namespace="matchmaker:cost:organisations"
        ),
    )
    app.state.daily_registration_limiter = make_limiter(
        settings.registrations_per_address_per_day, redis_url=settings.redis_url,
        namespace="matchmaker:quota:registrations", window=86_400,
    )
    app.state.auth_failure_limiter = make_limiter(
        settings.auth_failures_per_minute, redis_url=settings.redis_url, namespace="matchmaker:rate:auth-failures"
    )
    app.state.registration_limiter = make_limiter(
        settings.registration_rate_limit_per_minute, redis_url=settings.redis_url, namespace="matchmaker:rate:registrations"
    )
    app.state.directory_limiter = make_limiter(
        settings.directory_rate_limit_per_minute, redis_url=settings.redis_url, namespace="matchmaker:rate:directory"
    )
    app.state.export_limiter = make_limiter(
        settings.directory_export_rate_limit_per_minute, redis_url=settings.redis_url, namespace="matchmaker:rate:exports"
    )
    # the bulk import streams under its own, larger MATCHMAKER_IMPORT_MAX_BYTES
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, exempt=(IMPORT_PATH,))
    # added last, so it runs first: a request during start-up is answered before its body is read
    app.add_middleware(LoadingGate, startup=startup)
    # outermost: content type and encoding are checked, and security headers added, on every answer
    app.add_middleware(
        RequestGuard, ndjson_paths=(re.escape(IMPORT_PATH), r"/v1/fairs/[^/]+/lawyers/import"), docs_paths=("/docs", "/redoc")
    )
    # first of all: who is calling, as the configured proxies (and only they) say
    app.add_middleware(TrustedProxies, trusted=parse_networks(settings.trusted_proxies))
    routers = [health.router, matches.router, needs.router, requests.router, lawyers.router, admin.router, fairs.router, analytics.router, dashboard.router, webhooks.router]
    if settings.serves_docs:
        routers.insert(1, docs.router)
    for router in routers:
        app.include_router(router)
    return app
