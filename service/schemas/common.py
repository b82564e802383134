"""Field types shared by request models.

The API's types are exact (`KZ`, `ru`, `international_arbitration`) and publish their allowed values
in the OpenAPI schema, so the schema says precisely what is accepted. The bureau's exchange files
are read leniently (`kz`, `KAZ`, `UK` are normalised): see the `Lenient*` types.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import lru_cache
from typing import Annotated, Any, TypeVar

from fastapi.responses import Response
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints, WithJsonSchema, model_validator

from service import taxonomy


@lru_cache(maxsize=1)
def countries() -> tuple[str, ...]:
    return tuple(taxonomy.all_countries())


@lru_cache(maxsize=1)
def languages() -> tuple[str, ...]:
    return tuple(taxonomy.all_languages())


@lru_cache(maxsize=1)
def practice_areas() -> tuple[str, ...]:
    return tuple(sorted(taxonomy.PRACTICE_AREAS))


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _country(code: str) -> str:
    if code not in countries():
        hint = taxonomy.normalise_country(code)
        suggestion = f"; did you mean {hint!r}?" if hint else ""
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code (e.g. 'KZ'){suggestion}")
    return code


def _lenient_country(code: str) -> str:
    return _country(taxonomy.normalise_country(code) or code)


@lru_cache(maxsize=1)
def jurisdiction_pattern() -> str:
    return r"^(" + "|".join(countries()) + r")(-[A-Z0-9]{1,3})?$"


def _jurisdiction(code: str) -> str:
    if not re.match(jurisdiction_pattern(), code):
        raise ValueError(f"{code!r} is not a jurisdiction like 'CN' or 'US-NY' (an ISO 3166 code, then an optional subdivision)")
    return code


def _language(code: str) -> str:
    if code not in languages():
        raise ValueError(f"{code!r} is not an ISO 639-1 language code in lower case (e.g. 'ru')")
    return code


def _practice(code: str) -> str:
    if code not in practice_areas():
        raise ValueError(f"{code!r} is not a practice-area code; use one of: {', '.join(practice_areas())}")
    return code


def _enum_schema(values: tuple[str, ...], description: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(values), "description": description})


CountryCode = Annotated[str, AfterValidator(_country), _enum_schema(countries(), "ISO 3166-1 alpha-2, e.g. KZ")]
LanguageCode = Annotated[str, AfterValidator(_language), _enum_schema(languages(), "ISO 639-1, e.g. ru")]
PracticeCode = Annotated[str, AfterValidator(_practice), _enum_schema(practice_areas(), "a practice-area code")]
Jurisdiction = Annotated[
    str,
    AfterValidator(_jurisdiction),
    WithJsonSchema({"type": "string", "pattern": jurisdiction_pattern(), "description": "e.g. CN or US-NY"}),
]

LenientCountryCode = Annotated[str, BeforeValidator(_upper), AfterValidator(_lenient_country)]
LenientJurisdiction = Annotated[str, BeforeValidator(_upper), AfterValidator(_jurisdiction)]
LenientLanguageCode = Annotated[str, BeforeValidator(_lower), AfterValidator(_language)]
LenientPracticeCode = Annotated[str, BeforeValidator(_lower), AfterValidator(_practice)]


def _strip(value: str) -> str:
    return value.strip()


# Not blank: at least one character other than white space. Lengths count what was sent, so the
# schema's minLength/maxLength mean exactly what the server checks; the stored value is stripped.
NOT_BLANK = r"\S"


STRIPPED = AfterValidator(_strip)


def text(max_length: int, *, min_length: int = 1) -> StringConstraints:
    """The constraints of a text field: `Annotated[str, text(300), STRIPPED]` (written out at each
    alias, so that type checkers see a type)."""
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=NOT_BLANK)


ShortText = Annotated[str, text(300), STRIPPED]


def _not_bool(value: object) -> object:
    # JSON true/false are not numbers, though Python's lax coercion would take them as 1/0
    if isinstance(value, bool):
        raise ValueError("expected a number, not a boolean")
    return value


Int = Annotated[int, BeforeValidator(_not_bool)]
Float = Annotated[float, BeforeValidator(_not_bool)]


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every stored time is UTC, and RFC 3339 wants the offset.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


Item = TypeVar("Item")


def unique(values: list[Item]) -> list[Item]:
    return list(dict.fromkeys(values))


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(value: Any) -> bool:
    if isinstance(value, str):
        return not _UNSTORABLE.search(value)
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_storable(v) for v in value)
    return True


class StrictModel(BaseModel):
    """Request bodies: unknown fields are refused so nobody sets status or owners through them."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        # Neither PostgreSQL nor UTF-8 can hold these; refuse them here rather than fail in the database.
        if not _storable(data):
            raise ValueError("the body contains a NUL character or a lone surrogate; send valid UTF-8 text")
        return data


def json_response(model: BaseModel) -> Response:
    """A model already validated, sent as is. FastAPI would dump it and validate the dump against
    the route's response_model again before serialising: a second pass on the hottest answer."""
    return Response(model.model_dump_json(), media_type="application/json")
