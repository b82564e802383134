"""Webhook subscriptions, and what a delivery looks like on the wire.

A delivery is `POST <url>` with the JSON body `{id, type, occurred_at, subject, data}` (`id` is the
event's id: the same on every retry and replay, so receivers dedupe by it) and three headers, in
the manner of the Standard Webhooks specification:

    Webhook-Id: <event id>
    Webhook-Timestamp: <Unix seconds when sent>
    Webhook-Signature: v1=<hex HMAC-SHA256(secret, f"{id}.{timestamp}.{body}")>

The secret is ours (`whsec_...`), shown once at creation and at each rotation; during a rotation's
grace the header carries a second signature, by the old secret, separated by a space.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from models import DeliveryStatus, Event, WebhookDelivery, WebhookSubscription
from models.base import as_utc, utcnow
from service.engagement import destinations
from service.engagement.events import EVENT_TYPES
from service.errors import Conflict, Invalid
from service.repositories import webhooks as repo
from service.settings import Settings

# Events about the directory as a whole, not about one organisation's need: an enterprise's
# subscription, which sees its own organisation's events only, would never receive them.
DIRECTORY_EVENTS = ("lawyer.verified", "lawyer.suspended")
SIGNATURE_VERSION = "v1"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def check_destination(url: str, settings: Settings) -> None:
    """Refuse a URL we must not send to (422 naming the field). A name that does not resolve now is
    accepted (DNS may follow); every send checks again before it connects."""
    try:
        destinations.resolve(
            url, allow_private=settings.webhook_allow_private_addresses, require_https=settings.environment == "production"
        )
    except destinations.Unresolvable:
        pass
    except destinations.Refused as refused:
        raise Invalid("url", str(refused)) from None


def _check_types(event_types: Sequence[str], role: str) -> list[str]:
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if unknown:
        raise Invalid("event_types", f"unknown event type(s) {', '.join(unknown)}; known: {', '.join(EVENT_TYPES)}")
    if role == "enterprise":
        directory = [t for t in event_types if t in DIRECTORY_EVENTS]
        if directory:
            raise Invalid(
                "event_types",
                f"{', '.join(directory)} concern the whole directory; an enterprise key receives its own organisation's events only",
            )
    return list(dict.fromkeys(event_types))


def subscribe(
    session: Session,
    settings: Settings,
    *,
    role: str,
    organisation: str,
    url: str,
    event_types: Sequence[str],
    active: bool,
    description: str | None,
) -> tuple[WebhookSubscription, str]:
    """A new subscription of the caller's organisation and its secret (to be shown this once)."""
    types = _check_types(event_types, role)
    check_destination(url, settings)
    if repo.count_owned(session, (role, organisation)) >= settings.webhook_max_subscriptions:
        raise Conflict(
            f"your organisation already has {settings.webhook_max_subscriptions} webhook subscriptions; "
            "delete one or subscribe one URL to more event types"
        )
    secret = new_secret()
    subscription = WebhookSubscription(
        owner_role=role,
        organisation=organisation,
        # an enterprise sees its own organisation's events; the bureau and administrators, all
        event_organisation=organisation if role == "enterprise" else None,
        url=url,
        event_types=types,
        active=active,
        secret=secret,
        description=description,
    )
    return repo.add_subscription(session, subscription), secret


def change(session: Session, settings: Settings, subscription: WebhookSubscription, changes: dict[str, Any]) -> WebhookSubscription:
    if "event_types" in changes:
        subscription.event_types = _check_types(changes["event_types"], subscription.owner_role)
    if "url" in changes:
        check_destination(changes["url"], settings)
        subscription.url = changes["url"]
    if "active" in changes:
        subscription.active = changes["active"]
    if "description" in changes:
        subscription.description = changes["description"]
    subscription.updated_at = utcnow()
    session.flush()
    return subscription


def rotate_secret(session: Session, subscription: WebhookSubscription, *, grace: timedelta) -> str:
    """A new secret. For `grace` the old one signs too (two signatures in the header), so a receiver
    can switch without refusing a delivery; a zero grace ends the old one at once (it leaked)."""
    now = utcnow()
    if grace > timedelta(0):
        subscription.previous_secret, subscription.previous_secret_until = subscription.secret, now + grace
    else:
        subscription.previous_secret, subscription.previous_secret_until = None, None
    subscription.secret = new_secret()
    subscription.updated_at = now
    session.flush()
    return subscription.secret


def signing_secrets(subscription: WebhookSubscription, now: datetime) -> tuple[str, ...]:
    """The secrets that sign a delivery now: the current one, and the previous one during its grace."""
    until = subscription.previous_secret_until
    if subscription.previous_secret and until is not None and as_utc(until) > now:
        return (subscription.secret, subscription.previous_secret)
    return (subscription.secret,)


def replay(session: Session, delivery: WebhookDelivery, subscription: WebhookSubscription) -> WebhookDelivery:
    """Send the delivery's event to its subscription again, as a new delivery due now (the event
    id, and so the receiver's dedup key, stays the same); if a delivery of it is still pending,
    that one is made due now instead."""
    if not subscription.active:
        raise Conflict(f"webhook subscription {subscription.id} is paused; resume it (PATCH active=true), then replay")
    pending = repo.pending_delivery_of(session, subscription.id, delivery.event_pk)
    if pending is not None:
        # One delivery of an event at a time, so replays cannot pile requests up on a receiver: a
        # pending one waiting for its retry is made due now; one being sent (claimed) is left alone.
        if pending.claim is None:
            pending.next_attempt_at = utcnow()
        return pending
    again = WebhookDelivery(
        subscription_id=delivery.subscription_id,
        event_pk=delivery.event_pk,
        replay_of=delivery.id,
        status=DeliveryStatus.pending,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    repo.add_deliveries(session, [again])
    return again


# ---- the wire format


def payload(event: Event) -> dict[str, Any]:
    return {
        "id": event.event_id,
        "type": event.type,
        "occurred_at": as_utc(event.occurred_at).isoformat().replace("+00:00", "Z"),
        "subject": event.subject,
        "data": event.data,
    }


def body_of(event: Event) -> bytes:
    return json.dumps(payload(event), ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One signature: `v1=<hex>`."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    return f"{SIGNATURE_VERSION}=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secrets_: tuple[str, ...], message_id: str, timestamp: int, body: bytes) -> str:
    """The `Webhook-Signature` header: one signature per signing secret, separated by spaces."""
    return " ".join(sign(s, message_id, timestamp, body) for s in secrets_)


def verify(secret: str, headers: dict[str, str], body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (the README shows the same in a few lines): recompute the signature,
    compare in constant time, and refuse a timestamp too far from now (a replayed capture)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        timestamp = int(lowered["webhook-timestamp"])
        message_id = lowered["webhook-id"]
        signatures = lowered["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, message_id, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in signatures)
