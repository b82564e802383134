"""Annotated dependencies: the runtime's parts, one session per request, and who is calling."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from embeddings.encoder import Encoder
from service.errors import Forbidden, Unauthorized
from service.matching.catalog import Catalog
from service.matching.engine import MatchEngine
from service.repositories import api_keys
from service.settings import Settings
from service.state import Runtime


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_settings_dep(runtime: RuntimeDep) -> Settings:
    return runtime.settings


def get_encoder(runtime: RuntimeDep) -> Encoder:
    return runtime.encoder


def get_catalog(runtime: RuntimeDep) -> Catalog:
    return runtime.catalog


def get_matcher(runtime: RuntimeDep) -> MatchEngine:
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


def get_caller(
    runtime: RuntimeDep,
    x_api_key: Annotated[str | None, Header(description="your API key")] = None,
) -> Caller:
    if not x_api_key:
        raise Unauthorized("send your API key in the X-API-Key header")
    admin_key = runtime.settings.admin_api_key.get_secret_value()
    if admin_key and hmac.compare_digest(x_api_key.encode(), admin_key.encode()):
        return Caller("admin", "admin", None)
    with runtime.sessions() as session:
        key = api_keys.find_active(session, x_api_key)
    if key is None:
        raise Unauthorized("this API key is unknown or revoked")
    return Caller(key.role, key.organisation, key.id)


CallerDep = Annotated[Caller, Depends(get_caller)]


def require_admin(caller: CallerDep) -> Caller:
    if not caller.is_admin:
        raise Forbidden("this needs an administrator's key")
    return caller


AdminDep = Annotated[Caller, Depends(require_admin)]
