"""All SQL about domain events (the outbox)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Event


def add(session: Session, event: Event) -> Event:
    session.add(event)
    session.flush()
    return event


def since(session: Session, after_id: int, *, limit: int, types: Sequence[str] | None = None) -> list[Event]:
    """Events after ``after_id`` in the order they happened (a consumer's cursor), at most ``limit``."""
    query = select(Event).where(Event.id > after_id).order_by(Event.id).limit(limit)
    if types is not None:
        query = query.where(Event.type.in_(list(types)))
    return list(session.scalars(query))


def by_event_id(session: Session, event_id: str) -> Event | None:
    return session.scalar(select(Event).where(Event.event_id == event_id))
