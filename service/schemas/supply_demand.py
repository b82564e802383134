"""The bureau's supply-and-demand report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

_NEEDS = "stored needs plus match queries of the period, each counted in every cell it names"
_AVAILABLE = "lawyers who can be recommended now (verified, listed, accepting clients)"
_AT_CAPACITY = "of those, lawyers at their maximum of open engagements (so not matched until one closes)"
_ACCEPTED = "consultation requests accepted in the period (by the month of acceptance)"
_GAP = "needs_posted² / (needs_posted + lawyers available less those at capacity); 0 without needs"
_UNMET = "needs_posted / (needs_posted + lawyers available less those at capacity)"


class Figures(BaseModel):
    needs_posted: int = Field(description=_NEEDS)
    stored_needs: int = Field(description="needs stored through the API or imported")
    match_queries: int = Field(description="match queries (POST /v1/match), counted without their text")
    lawyers_available: int = Field(description=_AVAILABLE)
    lawyers_at_capacity: int | None = Field(description=_AT_CAPACITY)
    requests_accepted: int | None = Field(description=_ACCEPTED)
    unmet_share: float = Field(description=_UNMET)
    gap_score: float = Field(description=_GAP)


class Cell(Figures):
    country: str = Field(description="ISO 3166-1 alpha-2 code of the target country")
    country_name: str = Field(description="the country's name in the answer's language")
    region: str | None = Field(description="the region the country belongs to (service taxonomy), e.g. central_asia")
    belt_and_road: bool = Field(description="whether the country is a Belt and Road partner country")
    practice_area: str = Field(description="practice-area code")
    practice_area_name: str = Field(description="the practice area's label in the answer's language")


class Month(Figures):
    month: str = Field(description="the month, YYYY-MM (UTC); lawyers_available is today's supply, all countries and areas")


class Group(Figures):
    group: str = Field(description="a region code, or belt_and_road")
    kind: str = Field(description="region or belt_and_road")
    name: str = Field(description="the grouping's name in the answer's language")


class Unspecified(BaseModel):
    country: int = Field(description="cells of demand with no country read or given (a need or query counts once per practice area)")
    practice_area: int = Field(description="cells of demand with a country but no practice area (once per country)")


class SupplyDemandReport(BaseModel):
    generated_at: datetime = Field(description="when the report was computed (UTC)")
    first_month: str = Field(description="first month of the period, YYYY-MM")
    last_month: str = Field(description="last month of the period, YYYY-MM")
    lang: str = Field(description="language of the names: zh or en")
    formula: str = Field(description="how the gap score is computed")
    capacity_known: bool = Field(description="whether lawyers_at_capacity is recorded yet (else null)")
    requests_known: bool = Field(description="whether requests_accepted is recorded yet (else null)")
    top_gaps: list[Cell] = Field(description="the cells with the highest gap score, highest first")
    cells: list[Cell] = Field(description="every country x practice area with demand or supply, by gap score")
    months: list[Month] = Field(description="demand month by month over the period (the trend)")
    groups: list[Group] = Field(description="regions and the Belt and Road partner countries, by gap score")
    unspecified: Unspecified = Field(description="demand that named no country or no practice area")


def example() -> dict[str, Any]:
    cell = {
        "country": "KZ", "country_name": "哈萨克斯坦", "region": "central_asia", "belt_and_road": True,
        "practice_area": "international_arbitration", "practice_area_name": "国际仲裁",
        "needs_posted": 42, "stored_needs": 6, "match_queries": 36, "lawyers_available": 3,
        "lawyers_at_capacity": 1, "requests_accepted": 4, "unmet_share": 0.955, "gap_score": 40.1,
    }
    figures = {k: v for k, v in cell.items() if k in Figures.model_fields}
    return {
        "generated_at": "2026-12-06T09:30:00Z",
        "first_month": "2026-01",
        "last_month": "2026-12",
        "lang": "zh",
        "formula": _GAP,
        "capacity_known": True,
        "requests_known": True,
        "top_gaps": [cell],
        "cells": [cell],
        "months": [{"month": "2026-12", **figures}],
        "groups": [{"group": "central_asia", "kind": "region", "name": "中亚", **figures}],
        "unspecified": {"country": 3, "practice_area": 5},
    }


FORMULA = _GAP
