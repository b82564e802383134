"""The match request and its answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, StrictBool

from service.schemas.common import Int
from service.schemas.need import NeedFields


class MatchRequest(NeedFields):
    k: Int = Field(10, ge=1, le=50, description="how many lawyers to return (at most 50)")
    text_only: StrictBool = Field(False, description="ignore the structured fields and read everything from the text")
    locale: Literal["zh", "en"] | None = Field(None, description="language of the reasons; default: the need's")


class Understood(BaseModel):
    countries: list[dict[str, Any]]
    languages: list[dict[str, Any]]
    practice_areas: list[dict[str, Any]]


class MatchResponse(BaseModel):
    need_id: int | None = None
    understood: Understood
    eligible: int = Field(description="how many lawyers passed the hard rules")
    results: list[dict[str, Any]]
