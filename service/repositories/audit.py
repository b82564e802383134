"""The audit log of lawyers' standing. Snapshots name standing only, never contact details."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import AuditEvent, Lawyer
from service.repositories.paging import page_of

# What an audit snapshot may hold. Email, phone and licence number are never among them.
STANDING_FIELDS = (
    "status",
    "accepting_clients",
    "consent_listing",
    "consent_contact_sharing",
    "verified_at",
    "last_verified_at",
    "verification_expires_at",
)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def snapshot(lawyer: Lawyer) -> dict[str, Any]:
    return {field: _json(getattr(lawyer, field)) for field in STANDING_FIELDS}


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    lawyer_id: int | None,
    reason: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(actor=actor, action=action, lawyer_id=lawyer_id, reason=reason, before=before, after=after)
    session.add(event)
    return event


def record_created(session: Session, lawyers: Sequence[Lawyer], *, actor: str) -> None:
    """The "created" events of lawyers just flushed, in one executemany (a bulk import's path)."""
    session.execute(
        insert(AuditEvent),
        [{"actor": actor, "action": "created", "lawyer_id": lawyer.id, "after": snapshot(lawyer)} for lawyer in lawyers],
    )


def page(
    session: Session, *, lawyer_id: int | None, offset: int, limit: int
) -> tuple[list[AuditEvent], int]:
    query = select(AuditEvent)
    if lawyer_id is not None:
        query = query.where(AuditEvent.lawyer_id == lawyer_id)
    return page_of(session, query, order_by=AuditEvent.id.desc(), offset=offset, limit=limit)
