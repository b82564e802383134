"""Webhook subscriptions and deliveries, as the API takes and shows them (never the secret, but once)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, StrictBool, UrlConstraints, WithJsonSchema, field_validator

from service.engagement.events import EVENT_TYPES
from service.schemas.common import STRIPPED, StrictModel, UtcDateTime, text, unique


def _event_type(value: str) -> str:
    if value not in EVENT_TYPES:
        raise ValueError(f"{value!r} is not an event type; use one of: {', '.join(EVENT_TYPES)}")
    return value


EventType = Annotated[
    str, AfterValidator(_event_type), WithJsonSchema({"type": "string", "enum": list(EVENT_TYPES), "description": "an event type"})
]
WebhookUrl = Annotated[HttpUrl, UrlConstraints(max_length=2000)]
Description = Annotated[str, text(300), STRIPPED]
DeliveryState = Literal["pending", "succeeded", "failed"]


class WebhookCreate(StrictModel):
    url: WebhookUrl = Field(
        description="where deliveries are POSTed: https:// (http:// is accepted outside production); a public address"
    )
    event_types: list[EventType] = Field(min_length=1, max_length=len(EVENT_TYPES), description="the event types to receive")
    active: StrictBool = Field(True, description="deliver events now; an inactive subscription receives nothing")
    description: Description | None = Field(None, description="your note on what this subscription is for")

    @field_validator("event_types")
    @classmethod
    def _dedupe(cls, values: list[str]) -> list[str]:
        return unique(values)


class WebhookUpdate(StrictModel):
    url: WebhookUrl | None = Field(None, description="a new URL (checked like a new subscription's)")
    event_types: list[EventType] | None = Field(None, min_length=1, max_length=len(EVENT_TYPES), description="the new event types")
    active: StrictBool | None = Field(None, description="pause (false) or resume (true) deliveries")
    description: Description | None = Field(None, description="a new note")

    def changes(self) -> dict[str, Any]:
        values = self.model_dump(mode="json", exclude_unset=True)
        # null means "leave it" for the required fields; the note may be cleared with null
        return {k: v for k, v in values.items() if v is not None or k == "description"}


class WebhookPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="the subscription's id")
    url: str = Field(description="where deliveries go")
    event_types: list[str] = Field(description="the event types it receives")
    active: bool = Field(description="whether events are delivered now")
    description: str | None = Field(description="the owner's note")
    owner_role: str = Field(description="the role of the key that owns it: admin, bureau or enterprise")
    organisation: str = Field(description="the organisation that owns it; an enterprise's receives that organisation's events only")
    created_at: UtcDateTime = Field(description="when it was made")
    updated_at: UtcDateTime = Field(description="when it last changed")


class WebhookCreated(WebhookPublic):
    secret: str = Field(
        description="the signing secret, shown this once: verify each delivery's Webhook-Signature with it (see the README)"
    )


class WebhookPage(BaseModel):
    items: list[WebhookPublic] = Field(description="subscriptions, oldest first")
    total: int = Field(description="subscriptions in all")
    offset: int = Field(description="subscriptions skipped")
    limit: int = Field(description="subscriptions per page")


class DeliveryPublic(BaseModel):
    id: int = Field(description="the delivery's id (for replay)")
    subscription_id: int = Field(description="the subscription it was made for")
    event_id: str = Field(description="the event's id: the Webhook-Id header and the body's `id`; the same on every retry and replay")
    event_type: str = Field(description="the event's type")
    status: DeliveryState = Field(description="pending (due or waiting for a retry), succeeded (a 2xx came back) or failed (attempts exhausted)")
    attempts: int = Field(description="attempts made so far")
    next_attempt_at: UtcDateTime | None = Field(description="when a pending delivery is tried next")
    created_at: UtcDateTime = Field(description="when the delivery was made")
    last_attempt_at: UtcDateTime | None = Field(description="when it was last tried")
    delivered_at: UtcDateTime | None = Field(description="when a 2xx came back")
    response_status: int | None = Field(description="the HTTP status of the last answer")
    response_excerpt: str | None = Field(description="the start of the last answer's body (at most 500 characters)")
    error: str | None = Field(description="why the last attempt failed")
    replay_of: int | None = Field(description="the delivery this one replays")


class DeliveryPage(BaseModel):
    items: list[DeliveryPublic] = Field(description="deliveries, newest first")
    total: int = Field(description="deliveries in all (with the filter)")
    offset: int = Field(description="deliveries skipped")
    limit: int = Field(description="deliveries per page")
