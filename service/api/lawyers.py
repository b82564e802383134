from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, status
from starlette.concurrency import run_in_threadpool

from models.lawyer import LawyerStatus
from service import importing
from service.deps import (
    AdminDep,
    CallerDep,
    CurrentLawyerDep,
    RuntimeDep,
    SessionDep,
    SettingsDep,
    limit_registrations,
)
# aliased: in this module `standing` is the directory's standing rule (a keyword, and a local name)
from service.engagement import standing as lawyer_standing
from service.errors import Invalid, PayloadTooLarge
from service.problems import AUTH_RESPONSES, COMMON_RESPONSES, CONFLICT_RESPONSES, NOT_FOUND_RESPONSES
from service.matching import rules
from service.repositories import lawyers as lawyer_repo
from service.schemas import examples
from service.settings import Settings
from service.schemas.lawyer import (
    ConsentUpdate,
    ConsentView,
    ImportSummary,
    LawyerCreate,
    LawyerPage,
    LawyerPrivate,
    LawyerPublic,
    LawyerUpdate,
    ManagementToken,
    Registered,
    ReissueBody,
    SuspendBody,
    VerifyBody,
)

router = APIRouter(prefix="/v1/lawyers", tags=["lawyers"], responses=COMMON_RESPONSES)

LawyerId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the lawyer's id")]
ADMIN_OBJECT = {**AUTH_RESPONSES, **NOT_FOUND_RESPONSES}


def _lawyer_actor(lawyer_id: int) -> str:
    return f"lawyer:{lawyer_id}"


def _valid_for(settings: Settings) -> timedelta:
    return timedelta(days=settings.verification_valid_days)


@router.post(
    "/import",
    response_model=ImportSummary,
    summary="Bulk import in the exchange format (JSON Lines)",
    responses={**AUTH_RESPONSES, 200: examples.answer(examples.IMPORT_SUMMARY, "what was created, updated, left unchanged and rejected")},
    openapi_extra={
        "requestBody": {
            "required": True,
            # any non-empty text: it is read line by line, and each bad line is reported in the answer
            "content": {
                "application/x-ndjson": {
                    "schema": {"type": "string", "minLength": 1, "description": "one exchange-format lawyer per line"},
                    "example": examples.IMPORT_LINES,
                }
            },
        }
    },
)
async def import_lawyers(request: Request, _: AdminDep, runtime: RuntimeDep) -> ImportSummary:
    """The bureau's directory in the exchange format, one lawyer a line (administrators). Each line
    is upserted on `external_id`; a bad line is reported with its number and reason and never stops
    the others; the file is the authority on each lawyer's status. Importing the same file again
    changes nothing. At most `MATCHMAKER_IMPORT_MAX_BYTES` (64 MiB by default)."""
    limit = runtime.settings.import_max_bytes
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise PayloadTooLarge(f"an import may be at most {limit} bytes; split the file")
    if not body:
        raise Invalid("body", "send the exchange file (JSON Lines, one lawyer per line) as the request body")
    summary = await run_in_threadpool(importing.import_lawyers, runtime.sessions, bytes(body).splitlines())
    await run_in_threadpool(runtime.sync)
    return summary


@router.get(
    "",
    response_model=LawyerPage,
    summary="The directory: listed lawyers (public view)",
    responses={**AUTH_RESPONSES, 200: examples.answer(examples.LAWYER_PAGE, "one page of lawyers, by id")},
)
def list_lawyers(
    session: SessionDep,
    caller: CallerDep,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="lawyers to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=100, description="lawyers per page")] = 20,
    status_filter: Annotated[
        LawyerStatus | None, Query(alias="status", description="only lawyers of this status; others than administrators see verified ones only")
    ] = None,
) -> LawyerPage:
    """Listed lawyers (verified, verification current, consenting to be listed), without email,
    phone or licence number. Administrators see every profile, pending and suspended ones too."""
    # Only administrators see unlisted profiles (pending, suspended, lapsed, or without consent).
    rows, total = lawyer_repo.page(
        session, offset=offset, limit=limit, status=status_filter, standing=None if caller.is_admin else rules.LISTED
    )
    return LawyerPage(items=[LawyerPublic.model_validate(r) for r in rows], total=total, offset=offset, limit=limit)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Registered,
    summary="Register yourself as a lawyer (no key; starts pending; the management token is shown once)",
    responses={**CONFLICT_RESPONSES, 201: examples.answer(examples.REGISTERED, "the profile as stored, with the management token")},
    dependencies=[Depends(limit_registrations)],
)
def register(
    body: Annotated[LawyerCreate, Body(openapi_examples=examples.request(examples.LAWYER_CREATE, "a lawyer's own profile"))],
    session: SessionDep,
    settings: SettingsDep,
) -> Any:
    """Self-registration, no key needed (rate-limited per client address). The profile starts
    `pending` until an administrator verifies it, and is listed and matched only with
    `consent_listing`. The answer carries the management token once: keep it to read, update or
    erase the profile. A licence number already registered is a 409."""
    token = lawyer_repo.new_management_token()
    lawyer = lawyer_repo.create(
        session, body.model_dump(mode="json"), status=LawyerStatus.pending, actor="registration", management_token=token
    )
    session.flush()
    return Registered(**LawyerPrivate.model_validate(lawyer).model_dump(), management_token=token)


# /me before /{lawyer_id}, so the literal path wins.
@router.get(
    "/me",
    response_model=LawyerPrivate,
    summary="Your own profile (management token)",
    responses={**AUTH_RESPONSES, 200: examples.answer(examples.LAWYER_PRIVATE, "your profile, contact fields included")},
)
def read_me(lawyer: CurrentLawyerDep) -> Any:
    """The profile of the lawyer whose management token is sent, with every field."""
    return LawyerPrivate.model_validate(lawyer)


@router.patch(
    "/me",
    response_model=LawyerPrivate,
    summary="Update your profile; a new name, licence or bar admission sends it back to review",
    responses={**AUTH_RESPONSES, **CONFLICT_RESPONSES, 200: examples.answer(examples.LAWYER_PRIVATE, "the profile as updated")},
)
def update_me(
    body: Annotated[LawyerUpdate, Body(openapi_examples=examples.request(examples.LAWYER_UPDATE, "serve one more country"))],
    session: SessionDep,
    lawyer: CurrentLawyerDep,
) -> Any:
    """Change the fields sent, leave the rest. A change of name, licence number or bar admissions
    sends a verified profile back to `pending` for an administrator to check again."""
    lawyer_repo.update(session, lawyer, body.changes(), actor=_lawyer_actor(lawyer.id))
    session.flush()
    return LawyerPrivate.model_validate(lawyer)


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase your profile: removed from the directory and from matching on every worker",
    responses=AUTH_RESPONSES,
)
def delete_me(session: SessionDep, lawyer: CurrentLawyerDep) -> None:
    """Erase the profile and its passages; the audit log keeps a stub naming the id. Answers 204."""
    lawyer_repo.delete(session, lawyer, actor=_lawyer_actor(lawyer.id), reason="erasure requested by the lawyer")


@router.post(
    "/me/token",
    response_model=ManagementToken,
    summary="Replace your management token (the one sent stops working at once; the new one is shown once)",
    responses={**AUTH_RESPONSES, 200: examples.answer(examples.MANAGEMENT_TOKEN, "the new token, shown once")},
)
def rotate_my_token(session: SessionDep, lawyer: CurrentLawyerDep) -> Any:
    """A new management token; only its hash is kept, and the audit log records that it changed."""
    token = lawyer_repo.reissue_token(session, lawyer, actor=_lawyer_actor(lawyer.id), reason="rotated by the lawyer")
    session.flush()
    return ManagementToken(management_token=token)


@router.get(
    "/me/consent",
    response_model=ConsentView,
    summary="Your consents",
    responses={**AUTH_RESPONSES, 200: examples.answer(examples.CONSENT_VIEW, "your consents and when each was given or withdrawn")},
)
def read_consent(lawyer: CurrentLawyerDep) -> Any:
    """Whether you consent to be listed and matched, and to your contact details being shared."""
    return ConsentView.model_validate(lawyer)


@router.put(
    "/me/consent",
    response_model=ConsentView,
    summary="Give or withdraw consent to being listed and matched, and to contact sharing",
    responses={**AUTH_RESPONSES, 200: examples.answer(examples.CONSENT_VIEW, "your consents as they are now")},
)
def update_consent(
    body: Annotated[ConsentUpdate, Body(openapi_examples=examples.request(examples.CONSENT_UPDATE, "consent to both"))],
    session: SessionDep,
    lawyer: CurrentLawyerDep,
) -> Any:
    """Give or withdraw either consent (a field left out stays as it is); each change is timestamped
    and audited. Withdrawing `listing` takes the profile out of the directory and of matching."""
    lawyer_repo.set_consent(
        session, lawyer, listing=body.listing, contact_sharing=body.contact_sharing, actor=_lawyer_actor(lawyer.id)
    )
    session.flush()
    return ConsentView.model_validate(lawyer)


@router.get(
    "/{lawyer_id:int}",
    summary="Read a listed lawyer; administrators see any profile, with contact fields",
    response_model=LawyerPrivate | LawyerPublic,
    responses={**AUTH_RESPONSES, **NOT_FOUND_RESPONSES, 200: examples.answer(examples.LAWYER_PUBLIC, "the lawyer (public view)")},
)
def read(lawyer_id: LawyerId, session: SessionDep, caller: CallerDep) -> Any:
    """A listed lawyer's public view; an unlisted one is a 404. Administrators read any profile
    with its contact fields and consents."""
    if caller.is_admin:
        return LawyerPrivate.model_validate(lawyer_repo.get(session, lawyer_id))
    return LawyerPublic.model_validate(lawyer_repo.get_meeting(session, lawyer_id, rules.LISTED))


@router.patch(
    "/{lawyer_id:int}",
    response_model=LawyerPrivate,
    summary="Update a lawyer (administrators)",
    responses={**ADMIN_OBJECT, **CONFLICT_RESPONSES, 200: examples.answer(examples.LAWYER_PRIVATE, "the profile as updated")},
)
def update(
    lawyer_id: LawyerId,
    body: Annotated[LawyerUpdate, Body(openapi_examples=examples.request(examples.LAWYER_UPDATE, "serve one more country"))],
    session: SessionDep,
    caller: AdminDep,
) -> Any:
    """Change the fields sent, as the lawyer could; identity changes send a verified profile back to review."""
    lawyer = lawyer_repo.get(session, lawyer_id)
    lawyer_repo.update(session, lawyer, body.changes(), actor=caller.actor)
    session.flush()
    return LawyerPrivate.model_validate(lawyer)


@router.delete(
    "/{lawyer_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase a lawyer (administrators)",
    responses=ADMIN_OBJECT,
)
def delete(lawyer_id: LawyerId, session: SessionDep, caller: AdminDep) -> None:
    """Erase the profile and its passages from the directory and from matching; audited. Answers 204."""
    lawyer_repo.delete(session, lawyer_repo.get(session, lawyer_id), actor=caller.actor)


@router.post(
    "/{lawyer_id:int}/verify",
    response_model=LawyerPrivate,
    summary="Verify a lawyer, or renew a verification (administrators)",
    responses={**ADMIN_OBJECT, 200: examples.answer(examples.LAWYER_PRIVATE, "the profile, verified")},
)
def verify(
    lawyer_id: LawyerId,
    session: SessionDep,
    caller: AdminDep,
    settings: SettingsDep,
    body: Annotated[VerifyBody | None, Body(openapi_examples=examples.request(examples.VERIFY, "what was checked"))] = None,
) -> Any:
    """Mark the lawyer verified, or renew a verification, for `MATCHMAKER_VERIFICATION_VALID_DAYS`;
    audited with the reason given."""
    lawyer = lawyer_repo.get(session, lawyer_id)
    reason = body.reason if body else None
    lawyer_standing.verify(session, lawyer, actor=caller.actor, reason=reason, valid_for=_valid_for(settings))
    session.flush()
    return LawyerPrivate.model_validate(lawyer)


@router.post(
    "/{lawyer_id:int}/token",
    response_model=ManagementToken,
    summary="Issue a new management token to a lawyer who lost theirs, identity checked (administrators)",
    responses={**ADMIN_OBJECT, 200: examples.answer(examples.MANAGEMENT_TOKEN, "the new token, shown once")},
)
def reissue_token(
    lawyer_id: LawyerId,
    body: Annotated[ReissueBody, Body(openapi_examples=examples.request(examples.REISSUE, "how identity was checked"))],
    session: SessionDep,
    caller: AdminDep,
) -> Any:
    """A new management token for a lawyer who lost theirs; the old one stops working. The audit
    log records how identity was checked, never the token."""
    lawyer = lawyer_repo.get(session, lawyer_id)
    token = lawyer_repo.reissue_token(session, lawyer, actor=caller.actor, reason=body.reason)
    session.flush()
    return ManagementToken(management_token=token)


@router.post(
    "/{lawyer_id:int}/suspend",
    response_model=LawyerPrivate,
    summary="Suspend a lawyer, with a reason (administrators)",
    responses={**ADMIN_OBJECT, 200: examples.answer({**examples.LAWYER_PRIVATE, "status": "suspended"}, "the profile, suspended")},
)
def suspend(
    lawyer_id: LawyerId,
    body: Annotated[SuspendBody, Body(openapi_examples=examples.request(examples.SUSPEND, "why"))],
    session: SessionDep,
    caller: AdminDep,
) -> Any:
    """Take the lawyer out of the directory and of matching on every worker; audited with the reason."""
    lawyer = lawyer_repo.get(session, lawyer_id)
    lawyer_standing.suspend(session, lawyer, actor=caller.actor, reason=body.reason)
    session.flush()
    return LawyerPrivate.model_validate(lawyer)
