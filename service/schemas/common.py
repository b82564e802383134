"""Field types shared by request models: codes are normalised, then checked against reference data."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints

from service import taxonomy


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _country(code: str) -> str:
    code = taxonomy.normalise_country(code) or code
    if not taxonomy.is_country(code):
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code (e.g. 'KZ')")
    return code


def _jurisdiction(code: str) -> str:
    country, _, subdivision = code.partition("-")
    _country(country)
    if subdivision and not (1 <= len(subdivision) <= 3 and subdivision.isalnum()):
        raise ValueError(f"{code!r} is not a jurisdiction like 'CN' or 'US-NY'")
    return code


def _language(code: str) -> str:
    if not taxonomy.is_language(code):
        raise ValueError(f"{code!r} is not an ISO 639-1 language code (e.g. 'ru')")
    return code


def _practice(code: str) -> str:
    if not taxonomy.is_practice_area(code):
        known = ", ".join(sorted(taxonomy.PRACTICE_AREAS))
        raise ValueError(f"{code!r} is not a practice-area code; use one of: {known}")
    return code


CountryCode = Annotated[str, BeforeValidator(_upper), AfterValidator(_country)]
Jurisdiction = Annotated[str, BeforeValidator(_upper), AfterValidator(_jurisdiction)]
LanguageCode = Annotated[str, BeforeValidator(_lower), AfterValidator(_language)]
PracticeCode = Annotated[str, BeforeValidator(_lower), AfterValidator(_practice)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


def unique(values: list) -> list:  # type: ignore[type-arg]
    return list(dict.fromkeys(values))


class StrictModel(BaseModel):
    """Request bodies: unknown fields are refused so nobody sets status or owners through them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
