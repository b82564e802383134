from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from service.deps import AdminDep, RuntimeDep, SessionDep
from service.problems import AUTH_RESPONSES, COMMON_RESPONSES, CONFLICT_RESPONSES, NOT_FOUND_RESPONSES
from service.repositories import api_keys, audit
from service.schemas import examples
from service.schemas.common import StrictModel, UtcDateTime, text

router = APIRouter(prefix="/v1/admin", tags=["admin"], responses={**COMMON_RESPONSES, **AUTH_RESPONSES})


Name = Annotated[str, text(200, one_line=True)]


class Reindexed(BaseModel):
    lawyers: int = Field(description="lawyers in the new index (the matchable ones)")
    passages: int = Field(description="profile passages in the new index")


class KeyCreate(StrictModel):
    name: Name
    role: Literal["admin", "bureau", "enterprise"]
    organisation: Name


class KeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: str
    organisation: str
    prefix: str
    created_at: UtcDateTime
    revoked_at: UtcDateTime | None


class KeyCreated(KeyPublic):
    api_key: str


@router.post(
    "/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=KeyCreated,
    summary="Create an API key (shown once)",
    responses={**CONFLICT_RESPONSES, 201: examples.answer(examples.KEY_CREATED, "the key's record, and the key itself, shown this once")},
)
def create_key(
    body: Annotated[KeyCreate, Body(openapi_examples=examples.request(examples.KEY_CREATE, "a key for an enterprise"))],
    session: SessionDep,
    _: AdminDep,
) -> KeyCreated:
    """A new API key for an administrator, a bureau or an enterprise; an enterprise key sees the
    needs of its organisation only. The key is shown once and stored hashed."""
    key, plain = api_keys.create(session, name=body.name, role=body.role, organisation=body.organisation)
    return KeyCreated(**KeyPublic.model_validate(key).model_dump(), api_key=plain)


@router.get(
    "/api-keys",
    response_model=list[KeyPublic],
    summary="List API keys",
    responses={200: examples.answer([examples.KEY_PUBLIC], "every key, revoked ones too, by id")},
)
def list_keys(session: SessionDep, _: AdminDep) -> list[KeyPublic]:
    """Every API key with its role, organisation and prefix (never the key itself)."""
    return [KeyPublic.model_validate(k) for k in api_keys.listing(session)]


@router.delete(
    "/api-keys/{key_id:int}",
    response_model=KeyPublic,
    summary="Revoke an API key",
    responses={**NOT_FOUND_RESPONSES, 200: examples.answer(examples.KEY_REVOKED, "the key's record, revoked")},
)
def revoke_key(
    key_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="the key's id")],
    session: SessionDep,
    _: AdminDep,
    runtime: RuntimeDep,
) -> KeyPublic:
    """Revoke a key: refused at once by this process, by the others within 2 seconds."""
    revoked = KeyPublic.model_validate(api_keys.revoke(session, key_id))
    runtime.callers.clear()  # this process stops accepting the key at once (others within the cache time)
    return revoked


@router.post(
    "/reindex",
    response_model=Reindexed,
    summary="Rebuild the index from the database",
    responses={200: examples.answer(examples.REINDEXED, "what the new index holds")},
)
def reindex(runtime: RuntimeDep, _: AdminDep) -> dict[str, int]:
    """Read every lawyer and encode every passage again (known texts come from the vector cache),
    then save a snapshot. Rarely needed: every change reaches the index through the change feed."""
    runtime.catalog.rebuild(runtime.sessions)
    runtime.catalog.save(runtime.settings.index_dir)
    return {"lawyers": len(runtime.catalog), "passages": len(runtime.catalog.index)}


class AuditEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDateTime
    actor: str
    action: str
    lawyer_id: int | None
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[AuditEventPublic]
    total: int
    offset: int
    limit: int


@router.get(
    "/audit",
    response_model=AuditPage,
    summary="The audit log of lawyers' standing, newest first",
    responses={200: examples.answer(examples.AUDIT_PAGE, "one page of audit events, newest first")},
)
def audit_log(
    session: SessionDep,
    _: AdminDep,
    lawyer_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="only this lawyer's events")] = None,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="events to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=100, description="events per page")] = 50,
) -> AuditPage:
    """Who changed a lawyer's standing (status, verification, consent, token, erasure), when, why,
    and the fields before and after."""
    rows, total = audit.page(session, lawyer_id=lawyer_id, offset=offset, limit=limit)
    return AuditPage(items=[AuditEventPublic.model_validate(r) for r in rows], total=total, offset=offset, limit=limit)
