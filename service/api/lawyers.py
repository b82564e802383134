from __future__ import annotations

import hashlib
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status

from service import importing
from service.deps import AdminDep, CallerDep, RuntimeDep, SessionDep
from service.errors import PayloadTooLarge
from service.repositories import lawyers as lawyer_repo
from service.schemas.lawyer import (
    ImportSummary,
    LawyerCreate,
    LawyerPage,
    LawyerPrivate,
    LawyerPublic,
    LawyerUpdate,
    StatusChange,
)

router = APIRouter(prefix="/v1/lawyers", tags=["lawyers"])


class Registered(LawyerPrivate):
    management_token: str


@router.post("/import", response_model=ImportSummary, summary="Bulk import in the exchange format (JSON Lines)")
async def import_lawyers(request: Request, _: AdminDep, runtime: RuntimeDep) -> ImportSummary:
    limit = runtime.settings.import_max_bytes
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise PayloadTooLarge(f"an import may be at most {limit} bytes; split the file")
    from starlette.concurrency import run_in_threadpool

    summary = await run_in_threadpool(importing.import_lawyers, runtime.sessions, bytes(body).splitlines())
    await run_in_threadpool(runtime.sync)
    return summary


@router.get("", response_model=LawyerPage, summary="List lawyers (public view)")
def list_lawyers(
    session: SessionDep,
    _: CallerDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    status_filter: Annotated[str | None, Query(alias="status", pattern="^(verified|pending|suspended)$")] = None,
) -> LawyerPage:
    rows, total = lawyer_repo.page(session, offset=offset, limit=limit, status=status_filter)
    return LawyerPage(items=[LawyerPublic.model_validate(r) for r in rows], total=total, offset=offset, limit=limit)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Registered, summary="Register a lawyer (starts pending)")
def register(body: LawyerCreate, session: SessionDep, _: CallerDep, runtime: RuntimeDep) -> Any:
    lawyer = lawyer_repo.create(session, body.model_dump(mode="json"), status="pending")
    token = "lt_" + secrets.token_urlsafe(32)
    lawyer.management_token_hash = hashlib.sha256(token.encode()).hexdigest()
    session.flush()
    return Registered(**LawyerPrivate.model_validate(lawyer).model_dump(), management_token=token)


@router.get("/{lawyer_id}", summary="Read a lawyer; contact fields only for administrators")
def read(lawyer_id: int, session: SessionDep, caller: CallerDep) -> LawyerPublic | LawyerPrivate:
    lawyer = lawyer_repo.get(session, lawyer_id)
    if caller.is_admin:
        return LawyerPrivate.model_validate(lawyer)
    return LawyerPublic.model_validate(lawyer)


@router.patch("/{lawyer_id}", response_model=LawyerPrivate, summary="Update a lawyer (administrators)")
def update(lawyer_id: int, body: LawyerUpdate, session: SessionDep, _: AdminDep) -> Any:
    lawyer = lawyer_repo.get(session, lawyer_id)
    lawyer_repo.update(session, lawyer, body.model_dump(mode="json", exclude_unset=True))
    session.flush()
    return LawyerPrivate.model_validate(lawyer)


@router.delete("/{lawyer_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a lawyer (administrators)")
def delete(lawyer_id: int, session: SessionDep, _: AdminDep) -> None:
    lawyer_repo.delete(session, lawyer_repo.get(session, lawyer_id))


@router.post("/{lawyer_id}/verify", response_model=LawyerPrivate, summary="Verify a lawyer (administrators)")
def verify(lawyer_id: int, session: SessionDep, _: AdminDep, body: StatusChange | None = None) -> Any:
    lawyer = lawyer_repo.get(session, lawyer_id)
    lawyer_repo.set_status(session, lawyer, "verified")
    return LawyerPrivate.model_validate(lawyer)


@router.post("/{lawyer_id}/suspend", response_model=LawyerPrivate, summary="Suspend a lawyer (administrators)")
def suspend(lawyer_id: int, session: SessionDep, _: AdminDep, body: StatusChange | None = None) -> Any:
    lawyer = lawyer_repo.get(session, lawyer_id)
    lawyer_repo.set_status(session, lawyer, "suspended")
    return LawyerPrivate.model_validate(lawyer)
