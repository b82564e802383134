"""Lawyer models: the exchange record, the self-service create/update bodies, and the two views."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le
from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from models.lawyer import LawyerStatus
from service.schemas.common import (
    UtcDateTime,
    CountryCode,
    Float,
    Int,
    Jurisdiction,
    LanguageCode,
    LenientCountryCode,
    LenientJurisdiction,
    LenientLanguageCode,
    LenientPracticeCode,
    LenientTalentPoolCode,
    PracticeCode,
    TalentPoolCode,
    ShortText,
    StrictModel,
    text,
    unique,
    _not_bool,
)

# A 17-digit PRC practising-certificate number, or a foreign bar id (letters, digits and - / . space).
LICENCE_PATTERN = re.compile(r"^([0-9]{17}|[A-Za-z0-9][A-Za-z0-9\-/ .]{2,38}[A-Za-z0-9])$")
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()\-]{5,30}$")

LicenceNo = Annotated[
    str,
    StringConstraints(min_length=4, max_length=40, pattern=LICENCE_PATTERN.pattern),
    Field(description="a 17-digit PRC practising-certificate number or a foreign bar id"),
]
Phone = Annotated[str, StringConstraints(pattern=PHONE_PATTERN.pattern)]

# email-validator refuses addresses in the special-use domains (RFC 6761: .test, .localhost, ...),
# which can never receive mail; the pattern says so in the schema, for clients and fuzzers.
# (JSON Schema patterns have no flags: each letter is a class of both cases, as the check ignores case.)
SPECIAL_USE_DOMAINS = "(?:{})".format(
    "|".join("".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in name) for name in SPECIAL_USE_DOMAIN_NAMES)
)
Email = Annotated[
    EmailStr,
    StringConstraints(max_length=254),
    WithJsonSchema(
        {
            "type": "string",
            "format": "email",
            "maxLength": 254,
            "pattern": rf"^(?!.*@(?:.*\.)?{SPECIAL_USE_DOMAINS}$)",
            "description": "an email address outside the special-use domains (.test, .localhost, .invalid, ...)",
        }
    ),
]
City = Annotated[str, text(120, one_line=True)]
PersonName = Annotated[str, text(200, one_line=True)]  # the column holds 200 characters
Bio = Annotated[str, text(10_000, min_length=0)]  # may be empty or blank
Case = Annotated[str, text(2_000)]
# a party's name as written (any script); conflicts compare names case-, width- and space-insensitively
PartyName = Annotated[str, text(200, one_line=True)]
# the bounds inside, the boolean check outside: so the schema keeps minimum and maximum
MaxOpen = Annotated[Annotated[int, Ge(1), Le(1000)], BeforeValidator(_not_bool)]


class LanguageSkill(StrictModel):
    code: LanguageCode
    level: Literal["native", "fluent", "working"] = "working"


class HourlyRate(StrictModel):
    min: Float = Field(ge=0, le=1e9)
    max: Float = Field(ge=0, le=1e9)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"

    @model_validator(mode="after")
    def _ordered(self) -> "HourlyRate":
        # a range typed the wrong way round is still the same range
        if self.max < self.min:
            self.min, self.max = self.max, self.min
        return self


class LawyerFields(StrictModel):
    """Everything a lawyer may state about themself."""

    name: PersonName
    name_en: PersonName | None = None
    firm: ShortText | None = None
    firm_en: ShortText | None = None
    city: City | None = None
    license_no: LicenceNo
    years_of_practice: Int = Field(0, ge=0, le=70)
    bar_admissions: list[Jurisdiction] = Field(default_factory=list, max_length=30)
    countries: list[CountryCode] = Field(default_factory=list, max_length=100)
    offices: list[CountryCode] = Field(default_factory=list, max_length=100)
    practice_areas: list[PracticeCode] = Field(default_factory=list, max_length=19)
    languages: list[LanguageSkill] = Field(default_factory=list, max_length=30)
    bio: Bio = ""
    cases: list[Case] = Field(default_factory=list, max_length=100)
    talent_pools: list[TalentPoolCode] = Field(default_factory=list, max_length=20)
    hourly_rate: HourlyRate | None = None
    accepting_clients: StrictBool = True
    email: Email | None = None
    phone: Phone | None = None
    max_open_engagements: MaxOpen | None = Field(
        None, description="at most this many open engagements at once; at the maximum you are not matched (empty: no limit)"
    )
    adverse_parties: list[PartyName] = Field(
        default_factory=list,
        max_length=100,
        description="parties you cannot act against (conflicts), each spelling you want caught (e.g. both Chinese and English)",
    )

    @field_validator("bar_admissions", "countries", "offices", "practice_areas", "talent_pools", "adverse_parties")
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


class LenientLanguageSkill(LanguageSkill):

    code: LenientLanguageCode


class LawyerRecord(LawyerFields):
    """A line of the bureau's exchange file; administrators' imports may carry the status.

    Codes are read leniently here (case, alpha-3, aliases), since the files come from spreadsheets.
    Consent is not read from the file: a bureau listing counts as listed, and a lawyer's own
    withdrawal must survive the next re-import.
    """

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    external_id: Annotated[str, text(128, one_line=True)]
    status: LawyerStatus = LawyerStatus.pending
    accepting_clients: bool = True  # spreadsheets write 1/0
    bar_admissions: list[LenientJurisdiction] = Field(default_factory=list, max_length=30)
    countries: list[LenientCountryCode] = Field(default_factory=list, max_length=100)
    offices: list[LenientCountryCode] = Field(default_factory=list, max_length=100)
    practice_areas: list[LenientPracticeCode] = Field(default_factory=list, max_length=19)
    talent_pools: list[LenientTalentPoolCode] = Field(default_factory=list, max_length=20)
    languages: list[LenientLanguageSkill] = Field(default_factory=list, max_length=30)  # type: ignore[assignment]  # narrows LawyerFields' item type to the lenient one
    license_no: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=40, pattern=LICENCE_PATTERN.pattern)]


class LawyerCreate(LawyerFields):
    """Self-registration: status always starts pending, whatever the body says (it may not say).

    Consent is opt-in (PIPL): without consent_listing the profile is kept but never listed or matched.
    """

    consent_listing: StrictBool = Field(False, description="consent to being listed in the directory and matched")
    consent_contact_sharing: StrictBool = Field(
        False, description="consent to email and phone being given to an enterprise whose request you accepted"
    )


# Fields a PATCH may leave out but never null: their column has no empty value. Declared without
# `| None` so the schema says so; pydantic does not validate the None default. Each
# `type: ignore[assignment|arg-type]` below is that None default ("not sent"), which mypy reads as
# a value of the field's type.
class LawyerUpdate(StrictModel):
    name: PersonName = None  # type: ignore[assignment]
    name_en: PersonName | None = None
    firm: ShortText | None = None
    firm_en: ShortText | None = None
    city: City | None = None
    license_no: LicenceNo = None  # type: ignore[assignment]
    years_of_practice: Int = Field(None, ge=0, le=70)  # type: ignore[assignment]
    bar_admissions: list[Jurisdiction] = Field(None, max_length=30)  # type: ignore[arg-type]
    countries: list[CountryCode] = Field(None, max_length=100)  # type: ignore[arg-type]
    offices: list[CountryCode] = Field(None, max_length=100)  # type: ignore[arg-type]
    practice_areas: list[PracticeCode] = Field(None, max_length=19)  # type: ignore[arg-type]
    languages: list[LanguageSkill] = Field(None, max_length=30)  # type: ignore[arg-type]
    bio: Bio = None  # type: ignore[assignment]
    cases: list[Case] = Field(None, max_length=100)  # type: ignore[arg-type]
    talent_pools: list[TalentPoolCode] = Field(None, max_length=20)  # type: ignore[arg-type]
    hourly_rate: HourlyRate | None = None
    accepting_clients: StrictBool = None  # type: ignore[assignment]
    email: Email | None = None
    phone: Phone | None = None
    max_open_engagements: MaxOpen | None = Field(None, description="at most this many open engagements (null: no limit)")
    adverse_parties: list[PartyName] = Field(None, max_length=100, description="parties you cannot act against")  # type: ignore[arg-type]

    # the validators of LawyerFields, reused: a classmethod's __func__, which mypy does not know classmethods have
    _dedupe = field_validator("bar_admissions", "countries", "offices", "practice_areas", "talent_pools", "adverse_parties")(
        LawyerFields._dedupe.__func__  # type: ignore[attr-defined]
    )
    _one_level = field_validator("languages")(LawyerFields._one_level_per_language.__func__)  # type: ignore[attr-defined]

    def changes(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


class ConsentUpdate(StrictModel):
    listing: StrictBool | None = Field(None, description="consent to being listed and matched")
    contact_sharing: StrictBool | None = Field(
        None, description="consent to contact details going to an enterprise whose request you accepted"
    )


Reason = Annotated[str, text(1000)]


class ReviewBody(StrictModel):
    reason: Reason | None = Field(None, description="what was checked, or why the changes are refused")


class VerifyBody(StrictModel):
    reason: Reason | None = Field(None, description="why (documents checked, renewal, ...)")


class SuspendBody(StrictModel):
    reason: Reason = Field(description="why the profile is suspended; goes to the audit log")


class ReissueBody(StrictModel):
    reason: Reason = Field(description="how the lawyer's identity was checked; goes to the audit log")


class ManagementToken(BaseModel):
    management_token: str = Field(description="shown once: the token before it no longer works")


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
    hourly_rate: dict[str, Any] | None
    accepting_clients: bool
    status: LawyerStatus
    verified_at: UtcDateTime | None
    last_verified_at: UtcDateTime | None
    verification_expires_at: UtcDateTime | None
    updated_at: UtcDateTime


class ConsentView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    consent_listing: bool
    consent_listing_at: UtcDateTime | None
    consent_contact_sharing: bool
    consent_contact_sharing_at: UtcDateTime | None


class LawyerPrivate(LawyerPublic, ConsentView):
    """The owner's and administrators' view."""

    license_no: str
    email: str | None
    phone: str | None
    created_at: UtcDateTime
    max_open_engagements: int | None = Field(description="the most open engagements taken at once (null: no limit)")
    open_engagements: int = Field(description="engagements accepted or under way now")
    at_capacity: bool = Field(description="true: at the maximum, so unavailable: not matched nor offered requests until one closes")
    adverse_parties: list[str] = Field(description="parties declared adverse (conflicts)")
    pending_changes: dict[str, Any] | None = Field(
        None, description="credential fields you changed while verified, waiting for an administrator (field: new value)"
    )


class Registered(LawyerPrivate):
    management_token: str = Field(description="shown once: keep it to read, update or delete your profile")


class ImportRejection(BaseModel):
    line: int
    external_id: str | None
    reason: str


class ImportSummary(BaseModel):
    committed: bool = Field(
        True, description="whether the import was written: false when any line was rejected, and then nothing was"
    )
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[ImportRejection] = Field(
        default_factory=list, description="the first rejected lines (at most 100, by line number); `rejected_total` counts all"
    )
    rejected_total: int = Field(0, description="how many lines were rejected in all")
