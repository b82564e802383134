"""Webhook subscriptions, their delivery log and replays (bureau, administrator or enterprise keys;
an enterprise's subscription receives its own organisation's events only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response, status

from models import Event, WebhookDelivery, WebhookSubscription
from service.deps import Caller, CallerDep, SessionDep, SettingsDep
from service.engagement import webhooks
from service.problems import AUTH_RESPONSES, COMMON_RESPONSES, CONFLICT_RESPONSES, NOT_FOUND_RESPONSES
from service.repositories import webhooks as webhook_repo
from service.schemas import examples
from service.schemas.webhook import (
    DeliveryPage,
    DeliveryPublic,
    DeliveryState,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookPublic,
    WebhookUpdate,
)

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], responses={**COMMON_RESPONSES, **AUTH_RESPONSES})

WebhookId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the subscription's id")]
DeliveryId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the delivery's id")]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1, description="items to skip")]
Limit = Annotated[int, Query(ge=1, le=100, description="items per page")]
# the secret is in this answer: no cache, shared or private, may keep it
NO_STORE = {"Cache-Control": "no-store"}


def _owner(caller: Caller) -> webhook_repo.Owner:
    return None if caller.is_admin else (caller.role, caller.organisation)


def _created(subscription: WebhookSubscription, secret: str, response: Response) -> WebhookCreated:
    response.headers.update(NO_STORE)
    return WebhookCreated(**WebhookPublic.model_validate(subscription).model_dump(), secret=secret)


def _delivery(delivery: WebhookDelivery, event: Event) -> DeliveryPublic:
    return DeliveryPublic(
        id=delivery.id,
        subscription_id=delivery.subscription_id,
        event_id=event.event_id,
        event_type=event.type,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        created_at=delivery.created_at,
        last_attempt_at=delivery.last_attempt_at,
        delivered_at=delivery.delivered_at,
        response_status=delivery.response_status,
        response_excerpt=delivery.response_excerpt,
        error=delivery.error,
        replay_of=delivery.replay_of,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreated,
    summary="Subscribe a URL to events (the secret is shown once)",
    responses={**CONFLICT_RESPONSES, 201: examples.answer(examples.WEBHOOK_CREATED, "the subscription and its signing secret, shown this once")},
)
def create(
    body: Annotated[WebhookCreate, Body(openapi_examples=examples.request(examples.WEBHOOK_CREATE, "the platform's request board"))],
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    response: Response,
) -> WebhookCreated:
    """Events of the given types are POSTed to the URL, signed with a secret made for this
    subscription and shown only in this answer (and at each rotation). The URL must reach a public
    address (checked now and before every delivery); https is required in production. An enterprise
    key receives its own organisation's events only, and cannot subscribe to the directory's
    (`lawyer.*`). At most `MATCHMAKER_WEBHOOK_MAX_SUBSCRIPTIONS` per organisation (409 beyond)."""
    subscription, secret = webhooks.subscribe(
        session,
        settings,
        role=caller.role,
        organisation=caller.organisation,
        url=str(body.url),
        event_types=body.event_types,
        active=body.active,
        description=body.description,
    )
    return _created(subscription, secret, response)


@router.get(
    "",
    response_model=WebhookPage,
    summary="List your subscriptions",
    responses={200: examples.answer(examples.WEBHOOK_PAGE, "one page of subscriptions, oldest first")},
)
def list_webhooks(session: SessionDep, caller: CallerDep, offset: Offset = 0, limit: Limit = 20) -> WebhookPage:
    """The subscriptions of the calling key's organisation (and role); an administrator sees every one."""
    rows, total = webhook_repo.page_subscriptions(session, owner=_owner(caller), offset=offset, limit=limit)
    return WebhookPage(items=[WebhookPublic.model_validate(r) for r in rows], total=total, offset=offset, limit=limit)


@router.get(
    "/{webhook_id:int}",
    response_model=WebhookPublic,
    summary="Read a subscription",
    responses={**NOT_FOUND_RESPONSES, 200: examples.answer(examples.WEBHOOK_PUBLIC, "the subscription (never its secret)")},
)
def read(webhook_id: WebhookId, session: SessionDep, caller: CallerDep) -> WebhookPublic:
    """One of your subscriptions; someone else's answers 404, like a missing one."""
    return WebhookPublic.model_validate(webhook_repo.get_subscription(session, webhook_id, owner=_owner(caller)))


@router.patch(
    "/{webhook_id:int}",
    response_model=WebhookPublic,
    summary="Change a subscription: URL, event types, pause or resume",
    responses={**NOT_FOUND_RESPONSES, 200: examples.answer({**examples.WEBHOOK_PUBLIC, "active": False}, "the subscription as changed")},
)
def update(
    webhook_id: WebhookId,
    body: Annotated[WebhookUpdate, Body(openapi_examples=examples.request(examples.WEBHOOK_UPDATE, "pause deliveries"))],
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
) -> WebhookPublic:
    """Change the fields sent. A paused subscription gets no new deliveries, and those still
    pending fail (replay them after resuming if you need them)."""
    subscription = webhook_repo.get_subscription(session, webhook_id, owner=_owner(caller))
    return WebhookPublic.model_validate(webhooks.change(session, settings, subscription, body.changes()))


@router.delete(
    "/{webhook_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a subscription and its delivery log",
    responses=NOT_FOUND_RESPONSES,
)
def delete(webhook_id: WebhookId, session: SessionDep, caller: CallerDep) -> None:
    """Nothing more is delivered to it; its delivery log goes with it. Answers 204."""
    webhook_repo.delete_subscription(session, webhook_repo.get_subscription(session, webhook_id, owner=_owner(caller)))


@router.post(
    "/{webhook_id:int}/rotate-secret",
    response_model=WebhookCreated,
    summary="Replace the signing secret (the new one is shown once)",
    responses={**NOT_FOUND_RESPONSES, 200: examples.answer(examples.WEBHOOK_CREATED, "the subscription and its new secret, shown this once")},
)
def rotate_secret(
    webhook_id: WebhookId,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    grace_seconds: Annotated[
        int, Query(ge=0, le=7 * 86400, description="how long the old secret signs too; 0 ends it at once (it leaked)")
    ] = 86400,
) -> WebhookCreated:
    """A new secret for the subscription. For `grace_seconds` (a day by default) every delivery
    carries two signatures, by the new secret and by the old, so a receiver can switch to the new
    one without refusing anything; then the new one alone."""
    subscription = webhook_repo.get_subscription(session, webhook_id, owner=_owner(caller))
    secret = webhooks.rotate_secret(session, subscription, grace=timedelta(seconds=grace_seconds))
    return _created(subscription, secret, response)


@router.get(
    "/{webhook_id:int}/deliveries",
    response_model=DeliveryPage,
    summary="The delivery log of a subscription, newest first",
    responses={**NOT_FOUND_RESPONSES, 200: examples.answer(examples.DELIVERY_PAGE, "one page of deliveries, newest first")},
)
def deliveries(
    webhook_id: WebhookId,
    session: SessionDep,
    caller: CallerDep,
    delivery_status: Annotated[DeliveryState | None, Query(alias="status", description="only deliveries in this state")] = None,
    offset: Offset = 0,
    limit: Limit = 20,
) -> DeliveryPage:
    """Every delivery made to the subscription: its event, state, attempts, the last answer's
    status and the start of its body (at most 500 characters), or why it failed."""
    subscription = webhook_repo.get_subscription(session, webhook_id, owner=_owner(caller))
    rows, total = webhook_repo.page_deliveries(session, subscription.id, status=delivery_status, offset=offset, limit=limit)
    return DeliveryPage(items=[_delivery(d, e) for d, e in rows], total=total, offset=offset, limit=limit)


@router.post(
    "/deliveries/{delivery_id:int}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryPublic,
    summary="Send a delivery's event again",
    responses={
        **NOT_FOUND_RESPONSES,
        409: CONFLICT_RESPONSES[409] | {"description": "the subscription is paused; resume it first"},
        202: examples.answer(examples.DELIVERY_REPLAY, "the new delivery, due now"),
    },
)
def replay(delivery_id: DeliveryId, session: SessionDep, caller: CallerDep) -> DeliveryPublic:
    """A new delivery of the same event to the same subscription, due at once and retried like any
    other; it carries the same event id, so a receiver that already has the event can drop it.
    If a delivery of the event is still pending (waiting for a retry), that one is sent now instead.
    A paused subscription's deliveries cannot be replayed (409) until it is resumed."""
    delivery, subscription, event = webhook_repo.get_delivery(session, delivery_id, owner=_owner(caller))
    return _delivery(webhooks.replay(session, delivery, subscription), event)
