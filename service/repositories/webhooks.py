"""All SQL about webhooks: subscriptions, deliveries, and the fan-out cursor over the events table.

Callers pass the owner scope of subscriptions: (role, organisation), or None for administrators.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session

from models import DeliveryStatus, Event, WebhookCursor, WebhookDelivery, WebhookFannedOut, WebhookSubscription
from service.errors import NotFound
from service.repositories.paging import page_of

CURSOR = "deliveries"
Owner = tuple[str, str] | None  # (role, organisation); None: every owner (administrators)


def _owned(query: Any, owner: Owner) -> Any:
    if owner is None:
        return query
    return query.where(WebhookSubscription.owner_role == owner[0], WebhookSubscription.organisation == owner[1])


# ---- subscriptions


def add_subscription(session: Session, subscription: WebhookSubscription) -> WebhookSubscription:
    session.add(subscription)
    session.flush()
    return subscription


def count_owned(session: Session, owner: tuple[str, str]) -> int:
    return int(session.scalar(_owned(select(func.count()).select_from(WebhookSubscription), owner)) or 0)


def get_subscription(session: Session, subscription_id: int, *, owner: Owner) -> WebhookSubscription:
    subscription = session.get(WebhookSubscription, subscription_id)
    # someone else's subscription answers exactly like a missing one
    if subscription is None or (owner is not None and (subscription.owner_role, subscription.organisation) != owner):
        raise NotFound(f"no webhook subscription with id {subscription_id}")
    return subscription


def page_subscriptions(session: Session, *, owner: Owner, offset: int, limit: int) -> tuple[list[WebhookSubscription], int]:
    return page_of(session, _owned(select(WebhookSubscription), owner), order_by=WebhookSubscription.id, offset=offset, limit=limit)


def delete_subscription(session: Session, subscription: WebhookSubscription) -> None:
    # its deliveries first, in so many words (the foreign key cascades too, where it is enforced)
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id))
    session.delete(subscription)


# ---- deliveries, as the API shows them


def page_deliveries(
    session: Session, subscription_id: int, *, status: str | None, offset: int, limit: int
) -> tuple[list[tuple[WebhookDelivery, Event]], int]:
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    deliveries: list[WebhookDelivery]
    deliveries, total = page_of(session, query, order_by=WebhookDelivery.id.desc(), offset=offset, limit=limit)
    events = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_({d.event_pk for d in deliveries})))}
    return [(d, events[d.event_pk]) for d in deliveries], total


def get_delivery(session: Session, delivery_id: int, *, owner: Owner) -> tuple[WebhookDelivery, WebhookSubscription, Event]:
    found = session.execute(
        _owned(
            select(WebhookDelivery, WebhookSubscription, Event)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .join(Event, Event.id == WebhookDelivery.event_pk)
            .where(WebhookDelivery.id == delivery_id),
            owner,
        )
    ).first()
    if found is None:
        raise NotFound(f"no webhook delivery with id {delivery_id}")
    return found[0], found[1], found[2]


def pending_delivery_of(session: Session, subscription_id: int, event_pk: int) -> WebhookDelivery | None:
    return session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.subscription_id == subscription_id,
            WebhookDelivery.event_pk == event_pk,
            WebhookDelivery.status == DeliveryStatus.pending,
        ).limit(1)
    )


def add_deliveries(session: Session, deliveries: Sequence[WebhookDelivery]) -> None:
    session.add_all(deliveries)
    session.flush()


# ---- fan-out: events past the cursor


def lock_cursor(session: Session) -> WebhookCursor | None:
    """The cursor, locked for this transaction; None when another worker holds it (it is fanning
    out now). On SQLite the transaction's write lock (BEGIN IMMEDIATE) already excludes the others."""
    cursor = session.scalar(select(WebhookCursor).where(WebhookCursor.name == CURSOR).with_for_update(skip_locked=True))
    if cursor is not None:
        return cursor
    if session.scalar(select(func.count()).select_from(WebhookCursor).where(WebhookCursor.name == CURSOR)):
        return None  # it exists: locked by another worker
    cursor = WebhookCursor(name=CURSOR, last_event_pk=0)  # a database emptied by hand; a racing twin fails on the key
    session.add(cursor)
    session.flush()
    return cursor


def events_to_fan_out(session: Session, after_pk: int, *, limit: int) -> list[Event]:
    fanned = select(WebhookFannedOut.event_pk)
    return list(
        session.scalars(
            select(Event).where(Event.id > after_pk, Event.id.not_in(fanned)).order_by(Event.id).limit(limit)
        )
    )


def active_subscriptions(session: Session) -> list[WebhookSubscription]:
    return list(session.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True)).order_by(WebhookSubscription.id)))


def mark_fanned_out(session: Session, events: Sequence[Event]) -> None:
    session.add_all(WebhookFannedOut(event_pk=e.id, occurred_at=e.occurred_at) for e in events)
    session.flush()


def advance_cursor(session: Session, cursor: WebhookCursor, *, older_than: datetime) -> None:
    """Move the cursor over fanned-out events older than `older_than`: no event with a smaller id
    can still be committed after that long (see models.webhook.WebhookCursor), so forget them."""
    last = session.scalar(
        select(func.max(WebhookFannedOut.event_pk)).where(WebhookFannedOut.occurred_at < older_than)
    )
    if last is None or last <= cursor.last_event_pk:
        return
    cursor.last_event_pk = last
    session.execute(delete(WebhookFannedOut).where(WebhookFannedOut.event_pk <= last))


def prune_finished(session: Session, before: datetime) -> int:
    """Forget succeeded and failed deliveries made before `before`; pending ones stay."""
    result = session.execute(
        delete(WebhookDelivery)
        .where(WebhookDelivery.status != DeliveryStatus.pending, WebhookDelivery.created_at < before)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]  # a DELETE's result has a rowcount


# ---- claiming and recording attempts


def claim_due(session: Session, now: datetime, *, limit: int) -> list[WebhookDelivery]:
    """Pending deliveries that are due, locked so that no other worker takes them (PostgreSQL:
    SKIP LOCKED; SQLite: the write lock of the transaction)."""
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.status == DeliveryStatus.pending, WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def subscriptions_by_id(session: Session, ids: set[int]) -> dict[int, WebhookSubscription]:
    return {s.id: s for s in session.scalars(select(WebhookSubscription).where(WebhookSubscription.id.in_(ids)))}


def events_by_pk(session: Session, pks: set[int]) -> dict[int, Event]:
    return {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(pks)))}


def record_outcome(session: Session, delivery_id: int, claim: str, values: dict[str, Any]) -> bool:
    """Write an attempt's outcome if the claim is still this worker's (it is not when the claim ran
    out and another worker took the delivery); returns whether it was written."""
    result = session.execute(
        update(WebhookDelivery)
        .where(and_(WebhookDelivery.id == delivery_id, WebhookDelivery.claim == claim))
        .values(**values, claim=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE's result has a rowcount

