from __future__ import annotations

import re
import tempfile
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request, status
from fastapi.responses import Response
from pydantic import BeforeValidator, WithJsonSchema
from starlette.concurrency import run_in_threadpool

from models import Lawyer
from models.lawyer import LawyerStatus
from service import directory, importing, taxonomy
from service.deps import (
    AdminDep,
    BureauDep,
    CallerDep,
    CurrentLawyerDep,
    LocaleDep,
    OptionalCallerDep,
    RuntimeDep,
    SessionDep,
    SettingsDep,
    limit_exports,
    limit_registrations,
)
# aliased: in this module `standing` is the directory's standing rule (a keyword, and a local name)
from service.engagement import standing as lawyer_standing
from service.errors import Invalid, PayloadTooLarge
from service.problems import AUTH_RESPONSES, COMMON_RESPONSES, CONFLICT_RESPONSES, NOT_FOUND_RESPONSES
from service.matching import rules
from service.repositories import directory as directory_repo
from service.repositories import lawyers as lawyer_repo
from service.schemas import examples
from service.schemas.common import CountryCode, LanguageCode, PracticeCode, exchange_lines_body, json_response
from service.schemas.directory import DIRECTORY_PAGE, DirectoryEntry, DirectoryPage
from service.settings import Settings
from service.schemas.lawyer import (
    ConsentUpdate,
    ConsentView,
    ImportSummary,
    LawyerCreate,
    LawyerPrivate,
    LawyerPublic,
    LawyerUpdate,
    ManagementToken,
    Registered,
    ReissueBody,
    ReviewBody,
    SuspendBody,
    VerifyBody,
)

router = APIRouter(prefix="/v1/lawyers", tags=["lawyers"], responses=COMMON_RESPONSES)

REGION_CODES = tuple(sorted(taxonomy.REGIONS))


def _day(value: object) -> object:
    # a calendar day as written, YYYY-MM-DD; pydantic alone would also take "0" as a timestamp
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("a day as YYYY-MM-DD, e.g. 2026-01-31")
    return value


Day = Annotated[date, BeforeValidator(_day), WithJsonSchema({"type": "string", "format": "date", "description": "YYYY-MM-DD"})]
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
    openapi_extra=exchange_lines_body(examples.IMPORT_LINES),
)
async def import_lawyers(request: Request, _: BureauDep, runtime: RuntimeDep) -> ImportSummary:
    """The bureau's directory in the exchange format, one lawyer a line (the bureau's keys and
    administrators). Each line is upserted on `external_id`; the file is the authority on each
    lawyer's status. All or nothing: if any line is bad, nothing is written, and the answer says
    `"committed": false` with the first 100 bad lines (`rejected`) and their count
    (`rejected_total`). Importing the same file again changes nothing. At most `MATCHMAKER_IMPORT_MAX_BYTES` (64 MiB by default)."""
    limit = runtime.settings.import_max_bytes
    # spooled to disk past 1 MiB and read back line by line: memory is bounded by a batch, not the body
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024, mode="w+b") as body:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"an import may be at most {limit} bytes; split the file")
            body.write(chunk)
        if not size:
            raise Invalid("body", "send the exchange file (JSON Lines, one lawyer per line) as the request body")
        body.seek(0)
        summary = await run_in_threadpool(importing.import_lawyers, runtime.sessions, body, atomic=True)
    if summary.committed:
        await run_in_threadpool(runtime.sync)
    return summary


DIRECTORY_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get(
    "",
    response_model=DirectoryPage,
    summary="The directory: listed lawyers, public (no key needed), filtered, in zh or en, as JSON, CSV or XLSX",
    responses={
        **AUTH_RESPONSES,
        200: {
            "description": "one page of lawyers, by id (JSON); or every lawyer matching the filters as a file",
            "content": {
                "application/json": {"example": DIRECTORY_PAGE},
                "text/csv": {"schema": {"type": "string"}, "example": ",".join(directory.EXPORT_COLUMNS) + "\r\n"},
                DIRECTORY_FORMATS["xlsx"]: {"schema": {"type": "string", "format": "binary"}, "example": "(an XLSX workbook)"},
            },
        },
    },
    # no key needed; a key sent is checked, and an administrator's sees every profile
    openapi_extra={"security": [{}]},
)
def list_lawyers(
    request: Request,
    session: SessionDep,
    caller: OptionalCallerDep,
    settings: SettingsDep,
    locale: LocaleDep,
    country: Annotated[CountryCode | None, Query(description="serves this country (ISO 3166-1 alpha-2)")] = None,
    region: Annotated[
        Literal[REGION_CODES] | None,  # type: ignore[valid-type]  # a Literal of the taxonomy's region codes
        Query(description="serves a country of this region"),
    ] = None,
    practice_area: Annotated[PracticeCode | None, Query(description="practises in this area")] = None,
    language: Annotated[LanguageCode | None, Query(description="works in this language (ISO 639-1)")] = None,
    city: Annotated[str | None, Query(min_length=1, max_length=120, description="based in this city (as written, any case)")] = None,
    talent_pool: Annotated[str | None, Query(pattern=r"^[a-z0-9_]{2,64}$", description="belongs to this talent pool")] = None,
    verified_since: Annotated[Day | None, Query(description="verified on or after this day (YYYY-MM-DD, UTC)")] = None,
    after: Annotated[int, Query(ge=0, le=2**31 - 1, description="the cursor: lawyers after this id (next_after of the page before)")] = 0,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="lawyers to skip after the cursor")] = 0,
    limit: Annotated[int, Query(ge=1, le=100, description="lawyers per page (JSON)")] = 20,
    status_filter: Annotated[
        LawyerStatus | None, Query(alias="status", description="only lawyers of this status; others than administrators see verified ones only")
    ] = None,
    format: Annotated[Literal["json", "csv", "xlsx"], Query(description="json: one page; csv or xlsx: every lawyer matching, as a file")] = "json",
) -> Response:
    """The bureau's published directory, readable without a key (budgeted per client address):
    listed lawyers (verified, verification current, consenting to be listed), never with an
    e-mail, phone or licence number (and e-mail addresses and long digit runs in their free
    text blanked). Filters combine: `country` or `region` served, `practice_area`, `language`,
    `city`, `talent_pool`, `verified_since`. Labels in zh or en (`lang`, else Accept-Language).
    Pages follow the id order; pass `next_after` as `after` for the next one (stable while the
    directory changes). `format=csv|xlsx` exports every lawyer matching, with the same columns in
    both files, up to `MATCHMAKER_DIRECTORY_EXPORT_MAX_ROWS` (then `X-Next-After` names the cursor of
    the rest); exports have their own, smaller budget. Administrators see every profile."""
    is_admin = caller is not None and caller.is_admin
    # a country and a region together: the country, if it is of the region (else nobody)
    served: tuple[str, ...] | None = (country,) if country else None
    if region:
        served = tuple(c for c in served or taxonomy.REGIONS[region] if c in taxonomy.REGIONS[region])
    filters = directory_repo.DirectoryFilter(
        countries=served,
        practice_area=practice_area,
        language=language,
        city=city,
        talent_pool=talent_pool,
        verified_since=datetime.combine(verified_since, time.min, tzinfo=timezone.utc) if verified_since else None,
        status=status_filter,
    )
    standing = None if is_admin else rules.LISTED
    if format == "json":
        rows, total, more = directory_repo.directory(session, filters, standing=standing, after=after, offset=offset, limit=limit)
        page = DirectoryPage(
            items=[_entry(r, locale) for r in rows],
            total=total or 0,
            offset=offset,
            limit=limit,
            next_after=rows[-1].id if more and rows else None,
            lang=locale,
        )
        return json_response(page)
    limit_exports(request, caller)
    cap = settings.directory_export_max_rows
    rows, _, more = directory_repo.directory(session, filters, standing=standing, after=after, offset=offset, limit=cap, count=False)
    table = [directory.export_row(_entry(r, locale).model_dump(mode="json")) for r in rows]
    title = "涉外律师名录" if locale == "zh" else "Foreign-related lawyers"
    content = directory.to_csv(table) if format == "csv" else directory.to_xlsx(table, title=title)
    headers = {"Content-Disposition": f'attachment; filename="lawyers-{locale}.{format}"', "X-Rows": str(len(table))}
    if more and rows:
        headers["X-Next-After"] = str(rows[-1].id)
    return Response(content, media_type=DIRECTORY_FORMATS[format], headers=headers)


def _entry(lawyer: Lawyer, locale: str) -> DirectoryEntry:
    entry = DirectoryEntry.model_validate({**LawyerPublic.model_validate(lawyer).model_dump(), "labels": directory.labels(lawyer, locale)})
    entry.bio = directory.scrub(entry.bio)
    entry.cases = [directory.scrub(case) for case in entry.cases]
    return entry


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Registered,
    summary="Register yourself as a lawyer (no key; starts pending; the management token is shown once)",
    responses={201: examples.answer(examples.REGISTERED, "the profile as stored, with the management token")},
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
    erase the profile. The answer never says whether the licence number is registered already:
    such a clash is recorded for the administrators, who verify one holder per licence."""
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
    summary="Update your profile; while verified, changed credentials wait for review",
    responses={**AUTH_RESPONSES, **CONFLICT_RESPONSES, 200: examples.answer(examples.LAWYER_PRIVATE, "the profile as updated")},
)
def update_me(
    body: Annotated[LawyerUpdate, Body(openapi_examples=examples.request(examples.LAWYER_UPDATE, "serve one more country"))],
    session: SessionDep,
    lawyer: CurrentLawyerDep,
) -> Any:
    """Change the fields sent, leave the rest. While your profile is verified, changes to what the
    verification vouched for (name, licence number, bar admissions, firm, years of practice,
    talent pools) wait in `pending_changes` for an administrator; your listed profile and your
    matches keep the verified values until then. Other fields change at once."""
    lawyer_repo.submit_changes(session, lawyer, body.changes(), actor=_lawyer_actor(lawyer.id))
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
    responses={**ADMIN_OBJECT, **CONFLICT_RESPONSES, 200: examples.answer(examples.LAWYER_PRIVATE, "the profile, verified")},
)
def verify(
    lawyer_id: LawyerId,
    session: SessionDep,
    caller: AdminDep,
    settings: SettingsDep,
    body: Annotated[VerifyBody | None, Body(openapi_examples=examples.request(examples.VERIFY, "what was checked"))] = None,
) -> Any:
    """Mark the lawyer verified, or renew a verification, for `MATCHMAKER_VERIFICATION_VALID_DAYS`;
    audited with the reason given. A 409 when another verified lawyer holds the same licence."""
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


@router.post(
    "/{lawyer_id:int}/changes/approve",
    response_model=LawyerPrivate,
    summary="Approve a lawyer's credential changes waiting for review (administrators)",
    responses={**ADMIN_OBJECT, **CONFLICT_RESPONSES, 200: examples.answer(examples.LAWYER_PRIVATE, "the profile with the changes applied")},
)
def approve_changes(
    lawyer_id: LawyerId,
    session: SessionDep,
    caller: AdminDep,
    body: Annotated[ReviewBody | None, Body(openapi_examples=examples.request(examples.VERIFY, "what was checked"))] = None,
) -> Any:
    """Apply the changes in `pending_changes`: the listed profile and matching take them; audited.
    A 409 when nothing waits (or the new licence is held by another verified lawyer)."""
    lawyer = lawyer_repo.get(session, lawyer_id)
    lawyer_repo.review_changes(session, lawyer, approve=True, actor=caller.actor, reason=body.reason if body else None)
    session.flush()
    return LawyerPrivate.model_validate(lawyer)


@router.post(
    "/{lawyer_id:int}/changes/reject",
    response_model=LawyerPrivate,
    summary="Reject a lawyer's credential changes waiting for review (administrators)",
    responses={**ADMIN_OBJECT, **CONFLICT_RESPONSES, 200: examples.answer(examples.LAWYER_PRIVATE, "the profile, unchanged")},
)
def reject_changes(
    lawyer_id: LawyerId,
    session: SessionDep,
    caller: AdminDep,
    body: Annotated[ReviewBody | None, Body(openapi_examples=examples.request(examples.VERIFY, "why"))] = None,
) -> Any:
    """Drop the changes in `pending_changes`; the verified values stay; audited with the reason.
    A 409 when nothing waits."""
    lawyer = lawyer_repo.get(session, lawyer_id)
    lawyer_repo.review_changes(session, lawyer, approve=False, actor=caller.actor, reason=body.reason if body else None)
    session.flush()
    return LawyerPrivate.model_validate(lawyer)
