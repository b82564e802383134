"""All SQL about the e-mail outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OutboxEmail


def add(session: Session, email: OutboxEmail) -> OutboxEmail:
    session.add(email)
    session.flush()
    return email


def lease_due(session: Session, now: datetime, *, lease: timedelta, limit: int, max_attempts: int) -> list[OutboxEmail]:
    """Unsent messages due now, leased to the caller (their next attempt pushed ``lease`` ahead and
    the attempt counted) so that other senders skip them while this one sends outside any
    transaction. A sender that dies mid-way leaves them to be sent again when the lease runs out."""
    query = (
        select(OutboxEmail)
        .where(OutboxEmail.sent_at.is_(None), OutboxEmail.next_attempt_at <= now, OutboxEmail.attempts < max_attempts)
        .order_by(OutboxEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    due = list(session.scalars(query))
    for email in due:
        email.attempts += 1
        email.next_attempt_at = now + lease
    session.flush()
    return due


def mark_sent(session: Session, email_id: int, now: datetime) -> None:
    email = session.get(OutboxEmail, email_id)
    if email is not None:
        email.sent_at, email.last_error = now, None


def mark_failed(session: Session, email_id: int, error: str, retry_at: datetime) -> None:
    email = session.get(OutboxEmail, email_id)
    if email is not None:
        email.last_error, email.next_attempt_at = error[:500], retry_at


def about(session: Session, subject_ref: str) -> list[OutboxEmail]:
    return list(session.scalars(select(OutboxEmail).where(OutboxEmail.subject_ref == subject_ref).order_by(OutboxEmail.id)))
