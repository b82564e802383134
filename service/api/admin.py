from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, StringConstraints

from service.deps import AdminDep, RuntimeDep, SessionDep
from service.repositories import api_keys
from service.schemas.common import StrictModel

router = APIRouter(prefix="/v1/admin", tags=["admin"])


class KeyCreate(StrictModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    role: Literal["admin", "bureau", "enterprise"]
    organisation: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class KeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: str
    organisation: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class KeyCreated(KeyPublic):
    api_key: str


@router.post("/api-keys", status_code=status.HTTP_201_CREATED, response_model=KeyCreated, summary="Create an API key (shown once)")
def create_key(body: KeyCreate, session: SessionDep, _: AdminDep) -> KeyCreated:
    key, plain = api_keys.create(session, name=body.name, role=body.role, organisation=body.organisation)
    return KeyCreated(**KeyPublic.model_validate(key).model_dump(), api_key=plain)


@router.get("/api-keys", response_model=list[KeyPublic], summary="List API keys")
def list_keys(session: SessionDep, _: AdminDep) -> list[KeyPublic]:
    return [KeyPublic.model_validate(k) for k in api_keys.listing(session)]


@router.delete("/api-keys/{key_id}", response_model=KeyPublic, summary="Revoke an API key")
def revoke_key(key_id: int, session: SessionDep, _: AdminDep) -> KeyPublic:
    return KeyPublic.model_validate(api_keys.revoke(session, key_id))


@router.post("/reindex", summary="Rebuild the index from the database")
def reindex(runtime: RuntimeDep, _: AdminDep) -> dict[str, int]:
    runtime.catalog.rebuild(runtime.sessions)
    runtime.catalog.save(runtime.settings.index_dir)
    return {"lawyers": len(runtime.catalog), "passages": len(runtime.catalog.index)}
