"""Publishing domain events. Every state change others may care about publishes one, in the same
transaction as the change (the caller's session; the request boundary commits both or neither).

Event types are a closed list: subscribers filter on them, and a typo must fail loudly, not
publish an event nobody can subscribe to.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from models import Event
from models.base import utcnow
from service.repositories import events as event_repo

EVENT_TYPES: tuple[str, ...] = (
    "request.created",
    "request.accepted",
    "request.declined",
    "request.expired",
    "request.withdrawn",
    "engagement.started",
    "engagement.closed",
    "lawyer.verified",
    "lawyer.suspended",
)


def publish(
    session: Session,
    type: str,
    *,
    subject: str,
    data: Mapping[str, Any],
    organisation: str | None = None,
) -> Event:
    """Record that something happened; returns the event (its ``event_id`` is the public id).

    ``data`` is what subscribers receive: never put secrets or personal information in it
    (contact details, tokens); subscribers read those, where allowed, through the API."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}; add it to EVENT_TYPES")
    event = Event(
        event_id=str(uuid.uuid4()),
        type=type,
        occurred_at=utcnow(),
        organisation=organisation,
        subject=subject,
        data=dict(data),
    )
    return event_repo.add(session, event)
