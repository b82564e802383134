"""Need models: the exchange record, the API body, and the stored view."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from service.schemas.lawyer import Email, PartyName
from service.schemas.common import (
    UtcDateTime,
    CountryCode,
    Float,
    LanguageCode,
    LenientCountryCode,
    LenientLanguageCode,
    LenientPracticeCode,
    PracticeCode,
    StrictModel,
    text,
    unique,
)

Description = Annotated[str, text(4000, min_length=2, prose=True)]
ExternalId = Annotated[str, text(128, one_line=True)]


class Budget(StrictModel):
    max: Float = Field(ge=0, le=1e12)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"
    unit: Literal["hour", "matter"] = "hour"


class NeedFields(StrictModel):
    description: Description = Field(description="the need as the enterprise tells it, in Chinese or English")
    countries: list[CountryCode] = Field(
        default_factory=list, max_length=20, description="target countries; empty: read from the description"
    )
    practice_areas: list[PracticeCode] = Field(
        default_factory=list, max_length=19, description="practice areas; empty: read from the description"
    )
    languages: list[LanguageCode] = Field(
        default_factory=list,
        max_length=10,
        description="working languages the lawyer must have besides Chinese; empty: read from the description",
    )
    counterparties: list[PartyName] = Field(
        default_factory=list,
        max_length=20,
        description="the other side(s) of the matter; a lawyer who declared one adverse is never recommended or offered the need",
    )

    @field_validator("countries", "practice_areas", "languages", "counterparties")
    @classmethod
    def _dedupe(cls, values: list[str]) -> list[str]:
        return unique(values)


class NeedCreate(NeedFields):
    contact_email: Email | None = Field(None, description="where to tell you that a lawyer accepted your request")

    external_id: ExternalId | None = Field(None, description="your own id for the need; unique")
    enterprise: Annotated[str, text(300, min_length=0, one_line=True)] | None = None
    industry: Annotated[str, text(200, min_length=0, one_line=True)] | None = None
    budget: Budget | None = None
    preferred_cities: list[Annotated[str, text(120, min_length=0, one_line=True)]] = Field(default_factory=list, max_length=20)


class NeedRecord(NeedCreate):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    external_id: ExternalId
    countries: list[LenientCountryCode] = Field(default_factory=list, max_length=20)
    practice_areas: list[LenientPracticeCode] = Field(default_factory=list, max_length=19)
    languages: list[LenientLanguageCode] = Field(default_factory=list, max_length=10)


class NeedPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str | None
    enterprise: str | None
    industry: str | None
    description: str
    countries: list[str]
    practice_areas: list[str]
    languages: list[str]
    budget: dict[str, Any] | None
    preferred_cities: list[str]
    organisation: str | None
    created_at: UtcDateTime
    counterparties: list[str] = Field(default_factory=list, description="the other side(s) of the matter")
    contact_email: str | None = Field(None, description="where acceptances are announced")


class NeedPage(BaseModel):
    items: list[NeedPublic]
    total: int
    offset: int
    limit: int
