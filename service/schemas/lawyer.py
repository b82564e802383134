"""Lawyer models: the exchange record, the self-service create/update bodies, and the two views."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints, field_validator, model_validator

from service.schemas.common import (
    CountryCode,
    Jurisdiction,
    LanguageCode,
    PracticeCode,
    ShortText,
    StrictModel,
    unique,
)

LICENCE_PATTERN = re.compile(r"^(\d{17}|[A-Za-z0-9][A-Za-z0-9\-/ .]{2,38}[A-Za-z0-9])$")
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()\-]{5,30}$")


def _licence(value: str) -> str:
    if not LICENCE_PATTERN.match(value):
        raise ValueError("license_no must be a 17-digit PRC practising-certificate number or a foreign bar id")
    return value


LicenceNo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=40), AfterValidator(_licence)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=PHONE_PATTERN.pattern)]
Status = Literal["verified", "pending", "suspended"]


class LanguageSkill(StrictModel):
    code: LanguageCode
    level: Literal["native", "fluent", "working"] = "working"


class HourlyRate(StrictModel):
    min: float = Field(ge=0)
    max: float = Field(ge=0)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"

    @model_validator(mode="after")
    def _ordered(self) -> "HourlyRate":
        if self.max < self.min:
            raise ValueError("hourly_rate.max must be at least hourly_rate.min")
        return self


class LawyerFields(StrictModel):
    """Everything a lawyer may state about themself."""

    name: ShortText
    name_en: ShortText | None = None
    firm: ShortText | None = None
    firm_en: ShortText | None = None
    city: Annotated[str, StringConstraints(max_length=120)] | None = None
    license_no: LicenceNo
    years_of_practice: int = Field(0, ge=0, le=70)
    bar_admissions: list[Jurisdiction] = Field(default_factory=list, max_length=30)
    countries: list[CountryCode] = Field(default_factory=list, max_length=100)
    offices: list[CountryCode] = Field(default_factory=list, max_length=100)
    practice_areas: list[PracticeCode] = Field(default_factory=list, max_length=19)
    languages: list[LanguageSkill] = Field(default_factory=list, max_length=30)
    bio: Annotated[str, StringConstraints(max_length=10_000)] = ""
    cases: list[Annotated[str, StringConstraints(max_length=2_000)]] = Field(default_factory=list, max_length=100)
    talent_pools: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{2,64}$")]] = Field(
        default_factory=list, max_length=20
    )
    hourly_rate: HourlyRate | None = None
    accepting_clients: bool = True
    email: EmailStr | None = None
    phone: Phone | None = None

    @field_validator("bar_admissions", "countries", "offices", "practice_areas", "talent_pools")
    @classmethod
    def _dedupe(cls, values: list[str]) -> list[str]:
        return unique(values)

    @field_validator("languages")
    @classmethod
    def _one_level_per_language(cls, values: list[LanguageSkill]) -> list[LanguageSkill]:
        seen: dict[str, LanguageSkill] = {}
        for skill in values:
            seen.setdefault(skill.code, skill)
        return list(seen.values())


class LawyerRecord(LawyerFields):
    """A line of the bureau's exchange file; administrators' imports may carry the status."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    external_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
    status: Status = "pending"


class LawyerCreate(LawyerFields):
    """Self-registration: status always starts pending, whatever the body says (it may not say)."""


class LawyerUpdate(StrictModel):
    name: ShortText | None = None
    name_en: ShortText | None = None
    firm: ShortText | None = None
    firm_en: ShortText | None = None
    city: Annotated[str, StringConstraints(max_length=120)] | None = None
    license_no: LicenceNo | None = None
    years_of_practice: int | None = Field(None, ge=0, le=70)
    bar_admissions: list[Jurisdiction] | None = Field(None, max_length=30)
    countries: list[CountryCode] | None = Field(None, max_length=100)
    offices: list[CountryCode] | None = Field(None, max_length=100)
    practice_areas: list[PracticeCode] | None = Field(None, max_length=19)
    languages: list[LanguageSkill] | None = Field(None, max_length=30)
    bio: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    cases: list[Annotated[str, StringConstraints(max_length=2_000)]] | None = Field(None, max_length=100)
    talent_pools: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{2,64}$")]] | None = None
    hourly_rate: HourlyRate | None = None
    accepting_clients: bool | None = None
    email: EmailStr | None = None
    phone: Phone | None = None


class StatusChange(StrictModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)] | None = None


class LawyerPublic(BaseModel):
    """What anyone with a key may see: no email, phone or licence number."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str | None
    name: str
    name_en: str | None
    firm: str | None
    firm_en: str | None
    city: str | None
    years_of_practice: int
    bar_admissions: list[str]
    countries: list[str]
    offices: list[str]
    practice_areas: list[str]
    languages: list[dict[str, str]]
    bio: str
    cases: list[str]
    talent_pools: list[str]
    hourly_rate: dict | None  # type: ignore[type-arg]
    accepting_clients: bool
    status: str
    verified_at: datetime | None
    updated_at: datetime


class LawyerPrivate(LawyerPublic):
    """The owner's and administrators' view."""

    license_no: str
    email: str | None
    phone: str | None
    created_at: datetime


class LawyerPage(BaseModel):
    items: list[LawyerPublic]
    total: int
    offset: int
    limit: int


class ImportRejection(BaseModel):
    line: int
    external_id: str | None
    reason: str


class ImportSummary(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[ImportRejection] = Field(default_factory=list)
