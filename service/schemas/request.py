"""Consultation request models: offering a need, answering it, and what each side sees of it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, StrictBool, StringConstraints

from service.schemas.common import Int, StrictModel, UtcDateTime

Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=r"\S")]
LawyerIdItem = Annotated[int, Field(ge=1, le=2**31 - 1)]
State = Literal["pending", "accepted", "declined", "expired", "withdrawn", "engaged", "closed"]


class RequestChosen(StrictModel):
    """Send the need to these lawyers; each must be one the service recommends for it."""

    lawyer_ids: list[LawyerIdItem] = Field(min_length=1, max_length=10, description="lawyers to send the request to (as matched for this need)")


class RequestAuto(StrictModel):
    """Let the service offer the need to the best eligible lawyer, then the next on decline or expiry."""

    auto: Literal[True] = Field(description="true: offer the need to the best eligible lawyer, one at a time")


class RequestCreate(RootModel[RequestChosen | RequestAuto]):
    """Either `{"lawyer_ids": [...]}` or `{"auto": true}`."""


class DeclineBody(StrictModel):
    reason: Reason = Field(description="why you decline (shown to the enterprise)")


class WithdrawBody(StrictModel):
    reason: Reason | None = Field(None, description="why the request is withdrawn")


class CloseBody(StrictModel):
    rating: Int = Field(ge=1, le=5, description="how the lawyer served you, 1 (poorly) to 5 (excellently)")
    solved: StrictBool = Field(description="whether the matter was solved")


class RequestLawyer(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="the lawyer's id")
    name: str = Field(description="the lawyer's name")
    name_en: str | None = Field(description="the name in English")
    firm: str | None = Field(description="the lawyer's firm")
    firm_en: str | None = Field(description="the firm in English")


class Contact(BaseModel):
    email: str | None = Field(description="the lawyer's e-mail")
    phone: str | None = Field(description="the lawyer's phone")


class RequestView(BaseModel):
    """A request as the enterprise sees it."""

    id: int = Field(description="the request's id")
    need_id: int = Field(description="the need offered")
    lawyer: RequestLawyer | None = Field(description="the lawyer asked (null once the lawyer erased their profile)")
    state: State = Field(description="pending, then accepted | declined | expired | withdrawn; accepted, then engaged, then closed")
    round: int = Field(description="1 for the need's first request, one more for each further one")
    auto: bool = Field(description="offered by the service (the best eligible lawyer) rather than chosen")
    created_at: UtcDateTime = Field(description="when the request was sent")
    deadline_at: UtcDateTime = Field(description="when a pending request expires (MATCHMAKER_REQUEST_SLA_SECONDS after sending)")
    answered_at: UtcDateTime | None = Field(description="when the lawyer accepted or declined")
    engaged_at: UtcDateTime | None = Field(description="when the engagement began")
    closed_at: UtcDateTime | None = Field(description="when the engagement was closed")
    reason: str | None = Field(description="why declined or withdrawn")
    rating: int | None = Field(description="the enterprise's rating on closing, 1-5")
    solved: bool | None = Field(description="whether the matter was solved, said on closing")
    contact: Contact | None = Field(
        description="the lawyer's contact details: only once accepted, and only if the lawyer consents to sharing them"
    )


class RequestList(BaseModel):
    need_id: int = Field(description="the need")
    items: list[RequestView] = Field(description="every request of the need, oldest first")


class InboxNeed(BaseModel):
    id: int = Field(description="the need's id")
    enterprise: str | None = Field(description="the enterprise, as it named itself")
    description: str = Field(description="the need as the enterprise told it")
    countries: list[str] = Field(description="target countries")
    languages: list[str] = Field(description="working languages asked for")
    practice_areas: list[str] = Field(description="practice areas")


class InboxItem(BaseModel):
    id: int = Field(description="the request's id")
    state: State = Field(description="the request's state")
    round: int = Field(description="which offer of the need this is")
    created_at: UtcDateTime = Field(description="when it was sent")
    deadline_at: UtcDateTime = Field(description="answer before this, or it goes to another lawyer")
    answered_at: UtcDateTime | None = Field(description="when you answered")
    need: InboxNeed = Field(description="what the enterprise needs")


class InboxPage(BaseModel):
    items: list[InboxItem] = Field(description="your requests, newest first")
    total: int = Field(description="how many there are in all")
    offset: int = Field(description="skipped")
    limit: int = Field(description="page size")
