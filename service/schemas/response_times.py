"""How fast needs find a lawyer: the response-time analytics answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from service.schemas.common import UtcDateTime


class WaitFigures(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    needs: int = Field(description="needs sent to at least one lawyer")
    accepted: int = Field(description="of them, needs some lawyer accepted")
    median_seconds: float | None = Field(description="median time from the first request to the first acceptance (null: none accepted)")
    p90_seconds: float | None = Field(description="90th percentile of that time, nearest rank (null: none accepted)")
    within_hour_share: float | None = Field(description="share of the needs sent that were accepted within one hour (null: none sent)")


class ResponseTimes(BaseModel):
    since: UtcDateTime | None = Field(description="needs whose first request was sent at or after this time")
    until: UtcDateTime | None = Field(description="and before this time")
    overall: WaitFigures = Field(description="every need")
    by_country: dict[str, WaitFigures] = Field(description="by the need's target country (ISO 3166-1 alpha-2)")
    by_practice_area: dict[str, WaitFigures] = Field(description="by the need's first practice area")
