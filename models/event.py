"""Domain events: what happened (a request offered, accepted, expired; a lawyer verified), written in
the same transaction as the change itself, so that nothing that happened is lost and nothing that
did not happen is told. Webhook deliveries and notifications are made from this table (an outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Event(Base):
    __tablename__ = "events"

    # the order events happened in (a consumer's cursor); `event_id` is the public, deduplicable id
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(64), index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # the enterprise organisation the event concerns (its need); None: the directory as a whole
    organisation: Mapped[str | None] = mapped_column(String(200), index=True)
    # what it is about, as "<kind>:<id>" (e.g. "request:12", "lawyer:453")
    subject: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
