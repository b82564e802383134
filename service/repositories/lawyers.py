"""All SQL about lawyers. Every write also appends to the change feed, in the same transaction."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import ColumnElement, and_, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from embeddings.passages import profile_passages
from models import Lawyer, Passage, ProfileChange
from models.base import utcnow
from models.lawyer import LawyerStatus, licence_key
from service.errors import Conflict, NotFound
from service.repositories import audit
from service.repositories.paging import page_of

if TYPE_CHECKING:  # the rules are the engine's; a repository only turns them into SQL
    from service.matching.rules import StandingRule

# A change of any of these sends a verified profile back to review (administrators' edits).
IDENTITY_FIELDS = ("name", "license_no", "bar_admissions")
# What a verification vouches for: a verified lawyer's own change of these waits for an
# administrator (pending_changes) while the verified values stay listed and matched.
CREDENTIAL_FIELDS = frozenset({"name", "name_en", "license_no", "bar_admissions", "firm", "firm_en", "years_of_practice", "talent_pools"})
IMPORT_ACTOR = "import"  # the admin-only bulk import; the route's caller is an administrator


def _valid_for(valid_for: timedelta | None) -> timedelta:
    if valid_for is not None:
        return valid_for
    from service.settings import get_settings  # the import path has no request to carry settings

    return timedelta(days=get_settings().verification_valid_days)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_management_token() -> str:
    return "lt_" + secrets.token_urlsafe(32)


def reissue_token(session: Session, lawyer: Lawyer, *, actor: str, reason: str) -> str:
    """A new management token for the lawyer; the one before stops working at once. Only its
    hash is kept, and the audit log records that it changed, never the token."""
    token = new_management_token()
    lawyer.management_token_hash = token_hash(token)
    audit.record(session, actor=actor, action="token_reissued", lawyer_id=lawyer.id, reason=reason)
    return token


def by_management_token(session: Session, token: str) -> Lawyer | None:
    return session.scalar(select(Lawyer).where(Lawyer.management_token_hash == token_hash(token)))


def meeting(rule: StandingRule, now: datetime | None = None) -> ColumnElement[bool]:
    """SQL for a standing rule of ``service.matching.rules`` (the rule is declared there, once):
    its required column values, and a verification still running."""
    clauses: list[ColumnElement[bool]] = [getattr(Lawyer, column) == value for column, value in rule.required.items()]
    if rule.unlapsed:
        now = now or utcnow()
        clauses.append(or_(Lawyer.verification_expires_at.is_(None), Lawyer.verification_expires_at > now))
    return and_(*clauses)


def get_meeting(session: Session, lawyer_id: int, rule: StandingRule) -> Lawyer:
    lawyer = session.scalar(select(Lawyer).where(Lawyer.id == lawyer_id, meeting(rule)))
    if lawyer is None:
        raise NotFound(f"no {rule.name} lawyer with id {lawyer_id}")
    return lawyer


def get(session: Session, lawyer_id: int, *, with_passages: bool = False) -> Lawyer:
    query = select(Lawyer).where(Lawyer.id == lawyer_id)
    if with_passages:
        query = query.options(selectinload(Lawyer.passages))
    lawyer = session.scalars(query).one_or_none()
    if lawyer is None:
        raise NotFound(f"no lawyer with id {lawyer_id}")
    return lawyer


def by_external_ids(session: Session, external_ids: Sequence[str]) -> dict[str, Lawyer]:
    if not external_ids:
        return {}
    rows = session.scalars(select(Lawyer).where(Lawyer.external_id.in_(list(external_ids))))
    return {row.external_id: row for row in rows if row.external_id}


def page(
    session: Session, *, offset: int, limit: int, status: str | None = None, standing: StandingRule | None = None
) -> tuple[list[Lawyer], int]:
    query = select(Lawyer)
    if standing is not None:
        query = query.where(meeting(standing))
    if status:
        query = query.where(Lawyer.status == status)
    return page_of(session, query, order_by=Lawyer.id, offset=offset, limit=limit)


def load_many(session: Session, lawyer_ids: Sequence[int]) -> list[Lawyer]:
    if not lawyer_ids:
        return []
    query = select(Lawyer).where(Lawyer.id.in_(list(lawyer_ids))).options(selectinload(Lawyer.passages))
    return list(session.scalars(query))


def all_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Lawyer.id).order_by(Lawyer.id)))


def licences_taken(session: Session, numbers: set[str]) -> set[str]:
    """Which of these licence numbers (as normalised keys) a verified lawyer holds: one query for
    an import batch. Only verified lawyers hold a licence; pending ones may share it."""
    keys = {licence_key(number) for number in numbers}
    if not keys:
        return set()
    query = select(Lawyer.license_key).where(Lawyer.license_key.in_(keys), Lawyer.status == LawyerStatus.verified)
    return set(session.scalars(query))


def verified_holder(session: Session, license_no: str, *, except_id: int | None = None) -> int | None:
    """The id of the verified lawyer holding this licence (normalised), if any."""
    query = select(Lawyer.id).where(Lawyer.license_key == licence_key(license_no), Lawyer.status == LawyerStatus.verified)
    if except_id is not None:
        query = query.where(Lawyer.id != except_id)
    return session.scalar(query)


def _note_licence_clash(session: Session, lawyer: Lawyer, actor: str) -> None:
    """Another profile states the same licence: the administrators are told (audit), the caller
    is not (no oracle), and nothing is blocked (no lock); verification decides who holds it."""
    others = list(session.scalars(select(Lawyer.id).where(Lawyer.license_key == lawyer.license_key, Lawyer.id != lawyer.id).limit(20)))
    if others:
        audit.record(
            session, actor=actor, action="licence_clash", lawyer_id=lawyer.id,
            reason=f"states the licence of lawyer(s) {', '.join(map(str, others))}; check before verifying",
        )


def _note_licence_clashes(session: Session, lawyers: Sequence[Lawyer], actor: str) -> None:
    """_note_licence_clash for a batch of new lawyers, in one query (the import's bulk path)."""
    query = select(Lawyer.license_key, Lawyer.id).where(
        Lawyer.license_key.in_({lawyer.license_key for lawyer in lawyers}), Lawyer.id.not_in([lawyer.id for lawyer in lawyers])
    )
    others: dict[str, list[int]] = {}
    for key, other in session.execute(query):
        others.setdefault(key, []).append(other)
    for lawyer in lawyers:
        if lawyer.license_key in others:
            audit.record(
                session, actor=actor, action="licence_clash", lawyer_id=lawyer.id,
                reason=f"states the licence of lawyer(s) {', '.join(map(str, others[lawyer.license_key][:20]))}; check before verifying",
            )


def _refuse_second_holder(session: Session, lawyer: Lawyer) -> None:
    holder = verified_holder(session, lawyer.license_no, except_id=lawyer.id)
    if holder is not None:
        raise Conflict(
            f"lawyer {holder} holds this licence verified; suspend that profile or correct the licence before verifying this one"
        )


def _record_changes(session: Session, lawyer_ids: Sequence[int], operation: str) -> None:
    session.execute(insert(ProfileChange), [{"lawyer_id": i, "operation": operation} for i in lawyer_ids])
    session.info["profile_changed"] = True  # the request boundary replays the feed after commit


def _record_change(session: Session, lawyer_id: int, operation: str) -> None:
    _record_changes(session, [lawyer_id], operation)


def availability_changed(session: Session, lawyer_id: int) -> None:
    """The lawyer's capacity or track record changed (service.engagement): every worker re-reads the profile."""
    _record_change(session, lawyer_id, "upsert")


def _passage_rows(lawyers: Sequence[Lawyer]) -> list[dict[str, Any]]:
    return [
        {"lawyer_id": lawyer.id, "position": p.position, "kind": p.kind, "text": p.text}
        for lawyer in lawyers
        for p in profile_passages(lawyer.bio, lawyer.cases)
    ]


def _insert_passages(session: Session, lawyers: Sequence[Lawyer]) -> None:
    """Core executemany without RETURNING: psycopg pipelines it with one parsed statement, where
    ORM objects would become multi-row INSERT ... RETURNING statements parsed anew each batch."""
    rows = _passage_rows(lawyers)
    if rows:
        session.execute(insert(Passage), rows)


def _write_passages(session: Session, lawyer: Lawyer) -> None:
    session.execute(sql_delete(Passage).where(Passage.lawyer_id == lawyer.id))
    _insert_passages(session, [lawyer])


def _apply(lawyer: Lawyer, values: dict[str, Any]) -> set[str]:
    changed = set()
    for field, value in values.items():
        if getattr(lawyer, field) != value:
            setattr(lawyer, field, value)
            changed.add(field)
    return changed


def _stamp_verification(lawyer: Lawyer, valid_for: timedelta | None, *, renewal: bool = False) -> None:
    now = utcnow()
    if not renewal or lawyer.verified_at is None:
        lawyer.verified_at = now
    lawyer.last_verified_at = now
    lawyer.verification_expires_at = now + _valid_for(valid_for)


def _new_lawyer(values: dict[str, Any], status: str, management_token: str | None, valid_for: timedelta | None) -> Lawyer:
    lawyer = Lawyer(**values, status=status)
    now = utcnow()
    if management_token is not None:
        lawyer.management_token_hash = token_hash(management_token)
    if status == LawyerStatus.verified:
        _stamp_verification(lawyer, valid_for)
    # consent as given (self-registration) or implied by the bureau's listing (import), timestamped;
    # no consent, no time of consent
    if values.get("consent_listing", True):
        lawyer.consent_listing_at = now
    if values.get("consent_contact_sharing"):
        lawyer.consent_contact_sharing_at = now
    return lawyer


def _record_creation(session: Session, lawyers: Sequence[Lawyer], actor: str) -> None:
    """Passages, feed entries and audit events of lawyers just flushed (they have ids), each
    table in one executemany."""
    _insert_passages(session, lawyers)
    _record_changes(session, [lawyer.id for lawyer in lawyers], "upsert")
    audit.record_created(session, lawyers, actor=actor)


def create(
    session: Session,
    values: dict[str, Any],
    *,
    status: str = LawyerStatus.pending,
    actor: str = IMPORT_ACTOR,
    management_token: str | None = None,
    valid_for: timedelta | None = None,
) -> Lawyer:
    lawyer = _new_lawyer(values, status, management_token, valid_for)
    if status == LawyerStatus.verified:
        _refuse_second_holder(session, lawyer)
    session.add(lawyer)
    session.flush()
    _record_creation(session, [lawyer], actor)
    _note_licence_clash(session, lawyer, actor)
    return lawyer


def create_many(session: Session, records: Sequence[dict[str, Any]], *, actor: str = IMPORT_ACTOR) -> list[Lawyer]:
    """Create many new lawyers (each record's "status" as given, else pending) in a few statements:
    the import's path for new records. All or nothing: any licence already registered, or given
    twice, raises Conflict before anything is written."""
    licences = [licence_key(values["license_no"]) for values in records]
    taken = licences_taken(session, set(licences))
    if taken or len(set(licences)) != len(licences):
        raise Conflict("license_no held by a verified lawyer or repeated in the batch")
    lawyers = [_new_lawyer({k: v for k, v in values.items() if k != "status"}, values.get("status", LawyerStatus.pending), None, None) for values in records]
    session.add_all(lawyers)
    session.flush()  # one multi-row INSERT ... RETURNING for the ids
    _record_creation(session, lawyers, actor)
    _note_licence_clashes(session, lawyers, actor)
    return lawyers


def update(
    session: Session,
    lawyer: Lawyer,
    values: dict[str, Any],
    *,
    review_identity: bool = True,
    actor: str = IMPORT_ACTOR,
) -> set[str]:
    """Apply changes; returns the changed fields. Identity changes send a verified profile back to pending."""
    before = audit.snapshot(lawyer)
    changed = _apply(lawyer, values)
    if not changed:
        return changed
    identity = sorted(changed & set(IDENTITY_FIELDS))
    if review_identity and identity and lawyer.status == LawyerStatus.verified:
        lawyer.status = LawyerStatus.pending
        changed.add("status")
        audit.record(
            session,
            actor=actor,
            action="status_changed",
            lawyer_id=lawyer.id,
            reason=f"identity changed ({', '.join(identity)}); back to review",
            before=before,
            after=audit.snapshot(lawyer),
        )
    if "max_open_engagements" in changed:
        lawyer.refresh_capacity()
    if "license_no" in changed:
        if lawyer.status == LawyerStatus.verified:
            _refuse_second_holder(session, lawyer)
        _note_licence_clash(session, lawyer, actor)
    if changed & {"bio", "cases"}:
        _write_passages(session, lawyer)
    lawyer.updated_at = utcnow()
    _record_change(session, lawyer.id, "upsert")
    return changed


def submit_changes(session: Session, lawyer: Lawyer, values: dict[str, Any], *, actor: str) -> set[str]:
    """A lawyer's own edit. Unverified: applied (verification will look at it). Verified: the
    credential fields wait in pending_changes for an administrator, the rest apply at once.
    Returns the fields changed or held."""
    if lawyer.status != LawyerStatus.verified:
        return update(session, lawyer, values, actor=actor)
    pending = dict(lawyer.pending_changes or {})
    held = set()
    for field in CREDENTIAL_FIELDS & values.keys():
        value = values[field]
        if getattr(lawyer, field) == value:
            pending.pop(field, None)  # back to the verified value: nothing to review
        elif pending.get(field) != value:
            pending[field] = value
            held.add(field)
    if held or pending != (lawyer.pending_changes or {}):
        lawyer.pending_changes = pending or None
        if held:
            audit.record(
                session, actor=actor, action="changes_submitted", lawyer_id=lawyer.id,
                reason=f"waiting for review: {', '.join(sorted(held))}",
            )
    changed = update(session, lawyer, {f: v for f, v in values.items() if f not in CREDENTIAL_FIELDS}, actor=actor)
    return changed | held


def review_changes(session: Session, lawyer: Lawyer, *, approve: bool, actor: str, reason: str | None) -> set[str]:
    """Apply (approve) or drop (reject) the changes waiting for review; audited either way."""
    pending = dict(lawyer.pending_changes or {})
    if not pending:
        raise Conflict(f"lawyer {lawyer.id} has no changes waiting for review")
    lawyer.pending_changes = None
    changed: set[str] = set()
    if approve:
        changed = update(session, lawyer, pending, review_identity=False, actor=actor)
    else:
        lawyer.updated_at = utcnow()
    audit.record(
        session, actor=actor, action="changes_approved" if approve else "changes_rejected", lawyer_id=lawyer.id,
        reason=f"{', '.join(sorted(pending))}{f': {reason}' if reason else ''}",
    )
    return changed


def set_status(
    session: Session,
    lawyer: Lawyer,
    status: str,
    *,
    actor: str = IMPORT_ACTOR,
    reason: str | None = None,
    valid_for: timedelta | None = None,
) -> bool:
    """Change the status, or renew a verification; every change is audited. Returns whether anything changed."""
    renewal = status == LawyerStatus.verified and lawyer.status == LawyerStatus.verified
    if lawyer.status == status and not renewal:
        return False
    if renewal and actor == IMPORT_ACTOR:
        return False  # re-importing an unchanged file is not a fresh verification
    if status == LawyerStatus.verified and not renewal:
        _refuse_second_holder(session, lawyer)
    before = audit.snapshot(lawyer)
    lawyer.status = status
    if status == LawyerStatus.verified:
        _stamp_verification(lawyer, valid_for, renewal=renewal)
    lawyer.updated_at = utcnow()
    _record_change(session, lawyer.id, "upsert")
    audit.record(
        session,
        actor=actor,
        action="verification_renewed" if renewal else "status_changed",
        lawyer_id=lawyer.id,
        reason=reason,
        before=before,
        after=audit.snapshot(lawyer),
    )
    return True


def set_consent(
    session: Session, lawyer: Lawyer, *, listing: bool | None, contact_sharing: bool | None, actor: str
) -> bool:
    before = audit.snapshot(lawyer)
    now = utcnow()
    changed = False
    if listing is not None and listing != lawyer.consent_listing:
        lawyer.consent_listing, lawyer.consent_listing_at = listing, now
        _record_change(session, lawyer.id, "upsert")  # listing decides whether workers may match it
        changed = True
    if contact_sharing is not None and contact_sharing != lawyer.consent_contact_sharing:
        lawyer.consent_contact_sharing, lawyer.consent_contact_sharing_at = contact_sharing, now
        changed = True
    if changed:
        lawyer.updated_at = now
        audit.record(
            session, actor=actor, action="consent_changed", lawyer_id=lawyer.id, before=before, after=audit.snapshot(lawyer)
        )
    return changed


def delete(session: Session, lawyer: Lawyer, *, actor: str = IMPORT_ACTOR, reason: str | None = None) -> None:
    """Erase the profile and its passages; the feed removes it from every worker's index; an audit stub stays."""
    lawyer_id = lawyer.id
    before = {"status": lawyer.status}
    session.execute(sql_delete(Passage).where(Passage.lawyer_id == lawyer_id))
    session.delete(lawyer)
    _record_change(session, lawyer_id, "delete")
    audit.record(session, actor=actor, action="erased", lawyer_id=lawyer_id, reason=reason, before=before)


def stale_registrations(session: Session, before: datetime, limit: int) -> list[Lawyer]:
    """Self-registrations (a management token, no bureau id) still pending, never verified, made before `before`."""
    query = (
        select(Lawyer)
        .where(
            Lawyer.status == LawyerStatus.pending,
            Lawyer.verified_at.is_(None),
            Lawyer.external_id.is_(None),
            Lawyer.management_token_hash.is_not(None),
            Lawyer.created_at < before,
        )
        .order_by(Lawyer.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def lapsing(session: Session, after: datetime, until: datetime) -> list[Lawyer]:
    """Verified lawyers whose verification ran out in (after, until], with passages, for workers to drop."""
    query = (
        select(Lawyer)
        .where(
            Lawyer.status == LawyerStatus.verified,
            Lawyer.verification_expires_at > after,
            Lawyer.verification_expires_at <= until,
        )
        .options(selectinload(Lawyer.passages))
    )
    return list(session.scalars(query))


def upsert_record(session: Session, values: dict[str, Any], existing: Lawyer | None) -> tuple[str, Lawyer]:
    """Import one exchange record: 'created', 'updated' or 'unchanged'. The file is the authority on status."""
    if existing is None:
        return "created", create(session, values, status=values.pop("status", LawyerStatus.pending))
    status = values.pop("status", existing.status)
    changed = update(session, existing, values, review_identity=False)
    if status != existing.status:
        set_status(session, existing, status, reason="bulk import")
        changed.add("status")
    return ("updated" if changed else "unchanged"), existing
