"""Webhooks: subscriptions of the bureau's platform (or an enterprise) to domain events, and the
deliveries made to them (one row per event and subscription: the sending side of the outbox)."""

from __future__ import annotations

from datetime import datetime
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TimestampMixin, utcnow


class WebhookSubscription(TimestampMixin, Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # who owns it: a key's role and organisation (a replaced key keeps its organisation's subscriptions)
    owner_role: Mapped[str] = mapped_column(String(16))
    organisation: Mapped[str] = mapped_column(String(200), index=True)
    # only the events of this organisation (enterprise subscriptions); None: every event
    event_organisation: Mapped[str | None] = mapped_column(String(200))
    # Text: the API takes at most 2000 characters, which normalising (IDNA, a trailing /) may lengthen
    url: Mapped[str] = mapped_column(Text)
    event_types: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # kept in clear: signing needs it; it is shown once and never answered again
    secret: Mapped[str] = mapped_column(String(100))
    # after a rotation the old secret signs too, until then, so receivers can switch without a gap
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    description: Mapped[str | None] = mapped_column(String(300))


class DeliveryStatus:
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


class WebhookDelivery(Base):
    """One event to one subscription. `next_attempt_at` is also the lease of a claimed delivery: a
    worker that claims it moves it past the send timeout, so a worker that dies mid-send leaves a
    delivery that becomes due again (and is sent again: receivers dedupe by the event id)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    # a replay is a new delivery of the same event; it names the one replayed
    replay_of: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # the current claim: only its holder may record the attempt's outcome
    claim: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    response_status: Mapped[int | None] = mapped_column(Integer)
    # a bounded excerpt of the receiver's answer, or why no answer came
    response_excerpt: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(String(300))


class WebhookCursor(Base):
    """How far fan-out has read the events table. Ids are taken at insert and committed in any order
    (PostgreSQL), so the cursor only passes events old enough that no earlier id can still commit;
    newer ones already fanned out are remembered in `webhook_fanned_out` until the cursor passes them."""

    __tablename__ = "webhook_cursor"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_pk: Mapped[int] = mapped_column(Integer, default=0)


class WebhookFannedOut(Base):
    """An event past the cursor already fanned out (its deliveries written)."""

    __tablename__ = "webhook_fanned_out"

    event_pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
