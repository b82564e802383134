"""Field types shared by request models.

The API's types are exact (`KZ`, `ru`, `international_arbitration`) and publish their allowed values
in the OpenAPI schema, so the schema says precisely what is accepted. The bureau's exchange files
are read leniently (`kz`, `KAZ`, `UK` are normalised): see the `Lenient*` types.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, TypeVar

from fastapi.responses import Response
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import core_schema

from models.base import as_utc
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


def _talent_pool(code: str) -> str:
    if code not in taxonomy.TALENT_POOLS:
        raise ValueError(f"{code!r} is not a talent pool; use one of: {', '.join(taxonomy.TALENT_POOLS)}")
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

TalentPoolCode = Annotated[str, AfterValidator(_talent_pool), _enum_schema(taxonomy.TALENT_POOLS, "a talent pool")]
LenientTalentPoolCode = Annotated[str, BeforeValidator(_lower), AfterValidator(_talent_pool)]
LenientCountryCode = Annotated[str, BeforeValidator(_upper), AfterValidator(_lenient_country)]
LenientJurisdiction = Annotated[str, BeforeValidator(_upper), AfterValidator(_jurisdiction)]
LenientLanguageCode = Annotated[str, BeforeValidator(_lower), AfterValidator(_language)]
LenientPracticeCode = Annotated[str, BeforeValidator(_lower), AfterValidator(_practice)]


def _strip(value: str) -> str:
    return value.strip()


STRIPPED = AfterValidator(_strip)

# Free text, normalised in one place (every name, firm, city, bio, case, description, reason):
# - refused: C0/C1 control characters (tab and line breaks allowed where text may span lines),
#   bidi overrides and isolates (U+202A-202E, U+2066-2069: they make "gpj.exe" read "exe.jpg"),
#   NUL and lone surrogates (no database or UTF-8 can hold them), and angle brackets (raw markup
#   such as "<script>" or "<img onerror>" has no place in a name or a bio, and is echoed to clients);
# - stripped: zero-width characters (U+200B-200D, U+2060, U+FEFF), which make two equal-looking
#   names differ;
# - then NFC, so that "é" typed precomposed or decomposed is one string, and trimmed.
# Prose (a need as the enterprise writes it) keeps its angle brackets: "> " quoting of forwarded
# mail, "From: Li <li@acme.cn>", "预算<50万". Only what would open a tag is refused there: "<"
# before a letter, "/", "!" or "?", unless it encloses a mail address or a web address.
# The schema's pattern says the same (JSON Schema and Python read these escapes alike), so clients
# and fuzzers know what is refused; lengths count what was sent, as the schema's limits.
_CONTROLS_MULTI = r"\u0000-\u0008\u000B\u000C\u000E-\u001F"
_CONTROLS_ONE_LINE = r"\u0000-\u001F"
_REFUSED_COMMON = r"\u007F-\u009F\u202A-\u202E\u2066-\u2069"
_ANGLES = "<>"
# a "<" that opens no tag: one not before a tag's first character, or one enclosing an address
_ENCLOSED_ADDRESS = r"[^\s<>\"'=]+@[^\s<>\"'=]+>|https?://[^\s<>\"']+>"
_HARMLESS_LT = rf"<(?![A-Za-z/!?])|<(?={_ENCLOSED_ADDRESS})"
_TAG_OPENING = re.compile(rf"<(?!{_ENCLOSED_ADDRESS})(?=[A-Za-z/!?])")
# Lone surrogates are refused too (StrictModel, and below), but are left out of the published
# pattern: regex engines that validate UTF-8 (Rust's, in jsonschema-rs) cannot compile the range
# and then enforce no pattern at all; no UTF-8 body can carry one anyway.
_SURROGATES = "\ud800-\udfff"
_INVISIBLE = r"\u200B-\u200D\u2060\uFEFF"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")


def _refused_class(one_line: bool, prose: bool = False) -> str:
    return (_CONTROLS_ONE_LINE if one_line else _CONTROLS_MULTI) + _REFUSED_COMMON + ("" if prose else _ANGLES)


_REFUSED_RE = {
    (one_line, prose): re.compile(f"[{_refused_class(one_line, prose)}{_SURROGATES}]")
    for one_line in (False, True)
    for prose in (False, True)
}


def _describe(char: str) -> str:
    if char in "<>":
        return f"the angle bracket {char!r} (markup is not accepted in text; write it out in words)"
    name = unicodedata.name(char, "") if not "\ud800" <= char <= "\udfff" else "a lone surrogate"
    return f"the invisible or control character U+{ord(char):04X}{f' ({name})' if name else ''}"


@dataclass(frozen=True)
class FreeText:
    """Constraints and normalisation of a free-text field: `Annotated[str, FreeText(300)]`."""

    max_length: int
    min_length: int = 1
    one_line: bool = False
    prose: bool = False

    @property
    def pattern(self) -> str:
        refused = _refused_class(self.one_line, self.prose)
        # at least one character that is neither white space nor invisible
        visible = rf"[^\s{_INVISIBLE}{refused}]"
        allowed = f"[^{refused}]"
        if self.prose:
            allowed = f"(?:[^{refused}<]|{_HARMLESS_LT})"
            visible = rf"(?:[^\s{_INVISIBLE}{refused}<]|{_HARMLESS_LT})"
        if self.min_length == 0:
            return f"^{allowed}*$"
        return f"^{allowed}*{visible}{allowed}*$"

    def normalise(self, value: str) -> str:
        bad = _REFUSED_RE[self.one_line, self.prose].search(value)
        if bad:
            where = "in a one-line field, " if self.one_line and bad.group() in "\t\n\r" else ""
            raise ValueError(f"{where}{_describe(bad.group())} at position {bad.start()} is not accepted; remove it")
        tag = _TAG_OPENING.search(value) if self.prose else None
        if tag:
            raise ValueError(
                f"'<' before {value[tag.start() + 1]!r} at position {tag.start()} opens markup, which is not accepted; "
                "put a space after '<' or write it out in words"
            )
        value = unicodedata.normalize("NFC", _INVISIBLE_RE.sub("", value)).strip()
        if self.min_length and not value:
            raise ValueError("is blank; write some visible text")
        if len(value) > self.max_length:
            raise ValueError(f"is longer than {self.max_length} characters once normalised (NFC)")
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        raw = core_schema.str_schema(min_length=self.min_length, max_length=self.max_length)
        return core_schema.no_info_after_validator_function(self.normalise, raw)

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


def text(max_length: int, *, min_length: int = 1, one_line: bool = False, prose: bool = False) -> FreeText:
    """A free-text field: `Annotated[str, text(300)]` (written out at each alias, so that type
    checkers see a type). Not blank unless min_length=0; ``prose``: angle brackets that open no
    tag are kept."""
    return FreeText(max_length, min_length, one_line, prose)


# names and firms: one line
ShortText = Annotated[str, text(300, one_line=True)]


def _not_bool(value: object) -> object:
    # JSON true/false are not numbers, though Python's lax coercion would take them as 1/0
    if isinstance(value, bool):
        raise ValueError("expected a number, not a boolean")
    return value


Int = Annotated[int, BeforeValidator(_not_bool)]
Float = Annotated[float, BeforeValidator(_not_bool)]


def _utc(value: datetime | None) -> datetime | None:
    # RFC 3339 wants the offset, which SQLite's naive datetimes lack
    return None if value is None else as_utc(value)


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


def exchange_lines_body(example: str) -> dict[str, Any]:
    """The OpenAPI request body of a route that reads the exchange format (JSON Lines): any
    non-empty text, read line by line, each bad line reported in the answer."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/x-ndjson": {
                    "schema": {"type": "string", "minLength": 1, "description": "one exchange-format lawyer per line"},
                    "example": example,
                }
            },
        }
    }
