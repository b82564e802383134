"""Annotated dependencies: the runtime's parts, one session per request, and who is calling."""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from embeddings.encoder import Encoder
from models import Lawyer
from service.analytics.query_log import QueryLog
from models.api_key import reserved_organisation
from service.budgets import MatchBudget
from service.errors import Forbidden, TooManyRequests, Unauthorized, Unavailable
from service.matching.catalog import Catalog
from service.matching.engine import MatchEngine
from service.ratelimit import Limiter
from service.repositories import api_keys, audit
from service.repositories import lawyers as lawyer_repo
from service.settings import Settings
from service.startup import RETRY_AFTER_SECONDS
from service.state import Runtime


# The plain accessors are async: FastAPI runs sync dependencies in its thread pool, a thread
# hop each per request for what is an attribute read.
async def get_runtime(request: Request) -> Runtime:
    runtime = request.app.state.startup.runtime
    if runtime is None:  # the loading gate answers /v1 first; this guards any route outside it
        raise Unavailable(
            "the service is starting; retry shortly (GET /readyz shows progress)",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_settings_dep(runtime: RuntimeDep) -> Settings:
    return runtime.settings


async def get_encoder(runtime: RuntimeDep) -> Encoder:
    return runtime.encoder


async def get_catalog(runtime: RuntimeDep) -> Catalog:
    return runtime.catalog


async def get_matcher(runtime: RuntimeDep) -> MatchEngine:
    return runtime.matcher


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    """One transaction per request, committed at the boundary so a failed commit fails the response."""
    session = runtime.sessions()
    try:
        yield session
        session.commit()
        if session.info.pop("profile_changed", False):
            runtime.sync()  # this worker serves its own writes at once; others follow the feed
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EncoderDep = Annotated[Encoder, Depends(get_encoder)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
MatcherDep = Annotated[MatchEngine, Depends(get_matcher)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@dataclass(frozen=True)
class Caller:
    role: str  # admin | bureau | enterprise
    organisation: str
    key_id: int | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def scope(self) -> str | None:
        """The organisation whose objects this caller may see; None means all of them."""
        return None if self.is_admin else self.organisation


    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"{self.role}:{self.organisation}"


# Declared as security schemes so the OpenAPI document says which credential each route takes.
api_key_scheme = APIKeyHeader(
    name="X-API-Key", scheme_name="ApiKey", auto_error=False, description="an API key (admin, bureau or enterprise)")
bearer_scheme = HTTPBearer(scheme_name="LawyerBearer", auto_error=False, description="a lawyer's management token, as `Bearer lt_...`")
lawyer_token_scheme = APIKeyHeader(
    name="X-Lawyer-Token", scheme_name="LawyerToken", auto_error=False, description="a lawyer's management token (alternative to Bearer)"
)


def _limit(request: Request, limiter_name: str, key: str) -> None:
    limiter: Limiter = getattr(request.app.state, limiter_name)
    wait = limiter.take(key)
    if wait:
        raise TooManyRequests(f"rate limit reached; retry in {wait:.0f} s or spread your requests", retry_after=wait)


def client_host(request: Request) -> str:
    """The caller's address, as the trusted proxies say (service.http_guard.TrustedProxies)."""
    return request.client.host if request.client else "unknown"


# Failed authentication is budgeted per client address and per credential prefix (its first
# characters, the part shown in key listings): a guesser is slowed whichever of the two it varies.
CREDENTIAL_PREFIX = 10


def _auth_buckets(request: Request, credential: str) -> tuple[str, str]:
    return f"ip:{client_host(request)}", f"prefix:{credential[:CREDENTIAL_PREFIX]}"


def _refuse_if_throttled(request: Request, credential: str) -> None:
    """Checked before the credential is: past the budget, even a right guess is not looked at."""
    limiter: Limiter = request.app.state.auth_failure_limiter
    wait = max(limiter.blocked(bucket) for bucket in _auth_buckets(request, credential))
    if wait:
        raise TooManyRequests(
            f"too many failed authentications from this address or for this credential; retry in {wait:.0f} s", retry_after=wait
        )


def _authentication_failed(request: Request, runtime: Runtime, credential: str, what: str) -> None:
    """Spend from the failure budgets; the failure that empties one is audited and answered 429."""
    limiter: Limiter = request.app.state.auth_failure_limiter
    buckets = _auth_buckets(request, credential)
    for bucket in buckets:
        limiter.take(bucket)
    wait = max(limiter.blocked(bucket) for bucket in buckets)
    if not wait:
        return
    # once per emptying (the checks above refuse the rest unread): the audit cannot be flooded
    with runtime.sessions() as session, session.begin():
        audit.record(
            session,
            actor=f"{buckets[0]}",
            action="authentication_throttled",
            lawyer_id=None,
            reason=f"failed {what} authentications over the budget ({buckets[0]}, credential {buckets[1]}...)",
        )
    raise TooManyRequests(f"too many failed authentications; retry in {wait:.0f} s", retry_after=wait)


def get_caller(
    request: Request,
    runtime: RuntimeDep,
    x_api_key: Annotated[str | None, Depends(api_key_scheme)] = None,
) -> Caller:
    if not x_api_key:
        raise Unauthorized("send your API key in the X-API-Key header")
    _refuse_if_throttled(request, x_api_key)
    admin_key = runtime.settings.admin_api_key.get_secret_value()
    if admin_key and hmac.compare_digest(x_api_key.encode(), admin_key.encode()):
        caller = Caller("admin", "admin", None)
    else:
        try:
            caller = _known_caller(runtime, x_api_key)
        except Unauthorized:
            _authentication_failed(request, runtime, x_api_key, "API key")
            raise
    _limit(request, "limiter", f"key:{caller.key_id if caller.key_id is not None else 'admin'}")
    return caller


# A key once looked up is trusted this long without asking the database again (a query saved per
# request). Revoking through this process takes effect at once; through another, within this time.
CALLER_CACHE_SECONDS = 2.0


def _known_caller(runtime: Runtime, plain_key: str) -> Caller:
    digest = api_keys.hash_key(plain_key)
    cached = runtime.callers.get(digest)
    now = time.monotonic()
    if cached is not None and cached[1] > now:
        return cached[0]
    with runtime.sessions() as session:
        key = api_keys.find_active(session, plain_key)
    if key is None:
        runtime.callers.pop(digest, None)
        raise Unauthorized("this API key is unknown or revoked")
    if reserved_organisation(key.organisation):
        # a key made before such names were refused could read as the bootstrap administrator's organisation
        raise Forbidden("this key's organisation name is reserved; ask an administrator for a new key")
    caller = Caller(key.role, key.organisation, key.id)
    if len(runtime.callers) > 10_000:  # unknown keys are never cached, so this is many real keys
        runtime.callers.clear()
    runtime.callers[digest] = (caller, now + CALLER_CACHE_SECONDS)
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


@contextmanager
def match_budget(request: Request, caller: Caller, *, text_length: int, k: int) -> Iterator[None]:
    """A match runs inside the caller's concurrency and cost budgets (service.budgets), or is a 429."""
    budget: MatchBudget = request.app.state.match_budget
    key = str(caller.key_id) if caller.key_id is not None else "admin"
    with budget.spend(key, caller.organisation, text_length=text_length, k=k):
        yield


def require_admin(caller: CallerDep) -> Caller:
    if not caller.is_admin:
        raise Forbidden("this needs an administrator's key")
    return caller


AdminDep = Annotated[Caller, Depends(require_admin)]


def get_current_lawyer(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)] = None,
    x_lawyer_token: Annotated[str | None, Depends(lawyer_token_scheme)] = None,
) -> Lawyer:
    """The lawyer whose management token was sent; they may touch their own profile only."""
    token = bearer.credentials if bearer is not None else x_lawyer_token
    if not token:
        raise Unauthorized(
            "send your management token as 'Authorization: Bearer <token>' or in the X-Lawyer-Token header",
            headers={"WWW-Authenticate": "Bearer"},
        )
    _refuse_if_throttled(request, token)
    lawyer = lawyer_repo.by_management_token(session, token)
    if lawyer is None:
        session.rollback()  # end the look-up's read transaction: SQLite lets no other writer past it
        _authentication_failed(request, runtime, token, "management token")
        raise Unauthorized("this management token is unknown (or its profile was deleted)", headers={"WWW-Authenticate": "Bearer"})
    _limit(request, "limiter", f"lawyer:{lawyer.id}")
    return lawyer


CurrentLawyerDep = Annotated[Lawyer, Depends(get_current_lawyer)]


def limit_registrations(request: Request) -> None:
    """Registration needs no key, so it is budgeted per client address instead."""
    address = f"ip:{client_host(request)}"
    _limit(request, "registration_limiter", address)
    # and a quota a day: an address cannot grow the database without bound at the per-minute pace
    wait = request.app.state.daily_registration_limiter.take(address)
    if wait:
        raise TooManyRequests(
            f"this address has used its registrations for today; retry in {wait / 3600:.1f} h", retry_after=wait
        )


def require_bureau(caller: CallerDep) -> Caller:
    """What the commerce bureau runs (the directory's import, fairs, its figures): bureau and
    administrator keys; an enterprise's may not."""
    if caller.role not in ("bureau", "admin"):
        raise Forbidden("this needs a bureau's or an administrator's key")
    return caller


BureauDep = Annotated[Caller, Depends(require_bureau)]


def get_locale(
    request: Request,
    lang: Annotated[
        Literal["zh", "en"] | None, Query(description="language of names and labels; default from Accept-Language, else en")
    ] = None,
) -> str:
    """zh or en: ?lang= wins, then the first of Accept-Language's languages (by q) that is one of them."""
    if lang:
        return lang
    ranked = []
    for position, part in enumerate(request.headers.get("accept-language", "")[:500].split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "en"


LocaleDep = Annotated[str, Depends(get_locale)]


async def get_query_log(request: Request) -> QueryLog:
    log: QueryLog = request.app.state.query_log
    return log


QueryLogDep = Annotated[QueryLog, Depends(get_query_log)]


def _address(request: Request) -> str:
    return f"ip:{client_host(request)}"


def get_optional_caller(
    request: Request,
    runtime: RuntimeDep,
    x_api_key: Annotated[str | None, Depends(api_key_scheme)] = None,
) -> Caller | None:
    """Public reads: a key sent is checked (and budgeted) as usual; without one the caller is
    anonymous, budgeted per client address."""
    if x_api_key:
        return get_caller(request, runtime, x_api_key)
    _limit(request, "directory_limiter", _address(request))
    return None


OptionalCallerDep = Annotated[Caller | None, Depends(get_optional_caller)]


def limit_exports(request: Request, caller: Caller | None) -> None:
    """A file export costs a page's work many times over: it has its own, smaller budget."""
    who = _address(request) if caller is None else f"key:{caller.key_id if caller.key_id is not None else 'admin'}"
    _limit(request, "export_limiter", who)
