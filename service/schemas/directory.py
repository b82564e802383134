"""The published directory: a lawyer's public view with its codes named in zh or en, page by page."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from service.schemas import examples
from service.schemas.lawyer import LawyerPublic


class Labels(BaseModel):
    countries: list[str] = Field(description="names of the countries served, in the order of `countries`")
    regions: list[str] = Field(description="names of the regions those countries belong to")
    offices: list[str] = Field(description="names of the countries with an office")
    practice_areas: list[str] = Field(description="labels of the practice areas")
    languages: list[str] = Field(description="names of the working languages, with the level")
    talent_pools: list[str] = Field(description="names of the talent pools the lawyer belongs to")


class DirectoryEntry(LawyerPublic):
    """A listed lawyer as the directory publishes it: never an e-mail, phone or licence number;
    e-mail addresses and long digit runs in bio and cases are blanked."""

    labels: Labels = Field(description="the codes' names in the answer's language (lang)")


class DirectoryPage(BaseModel):
    items: list[DirectoryEntry] = Field(description="one page of lawyers, by id")
    total: int = Field(description="lawyers matching the filters, on every page")
    offset: int = Field(description="lawyers skipped after the cursor (prefer the cursor, `after`)")
    limit: int = Field(description="lawyers per page")
    next_after: int | None = Field(description="the cursor of the next page (`after=`), or null on the last page")
    lang: str = Field(description="the language of the labels: zh or en")


_LABELS: dict[str, Any] = {
    "countries": ["吉尔吉斯斯坦", "哈萨克斯坦"],
    "regions": ["中亚"],
    "offices": [],
    "practice_areas": ["能源与矿产", "海外合规与反腐败"],
    "languages": ["中文（母语）", "俄语（工作语言）"],
    "talent_pools": ["省级领军人才"],
}
DIRECTORY_PAGE: dict[str, Any] = {
    "items": [{**examples.LAWYER_PUBLIC, "labels": _LABELS}],
    "total": 1629,
    "offset": 0,
    "limit": 20,
    "next_after": 453,
    "lang": "zh",
}
