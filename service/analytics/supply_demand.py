"""Supply and demand of foreign-related legal services, by country x practice area and by month.

Demand ("needs posted") is the needs stored in the period plus the match queries of the period
(the query log: counts only, never the text). A stored need's empty countries or practice areas
are read from its text, as a match query's are (the lexicon readers; nothing is kept). A need or query counts once in each of its cells:
its countries x its practice areas, at most ``query_log.MAX_TERMS`` of each. Supply is the
lawyers who can be recommended now (verified, verification running, listed, accepting clients),
counted in each country they serve x each practice area they practise.

The gap score of a cell, with n the needs posted and a the lawyers available less those at
capacity:

    gap = n * n / (n + a)        (0 when n = 0)

that is, the needs posted times the share of demand the supply does not cover, n / (n + a). It is
n when no lawyer serves the cell, falls as lawyers are added, and grows with the volume of
demand, so that 40 needs with 2 lawyers rank above 1 need with none. ``unmet_share`` = n / (n + a)
is reported beside it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from models.base import as_utc
from service import taxonomy
from service.analytics.query_log import MAX_TERMS, counted, month_of
from service.matching import need, rules
from service.matching.need import NeedQuery
from service.matching.reading import read_target_countries
from service.matching.reading.practice import read_practice_areas
from service.repositories import directory as directory_repo
from service.repositories import match_queries
from service.repositories import needs as need_repo
from service.repositories import requests as request_repo

BELT_AND_ROAD = "belt_and_road"
_BRI_FILE = Path(__file__).with_name("belt_and_road.json")


@lru_cache(maxsize=1)
def _belt_and_road() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_BRI_FILE.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def belt_and_road_countries() -> frozenset[str]:
    """The Belt and Road partner countries of the data file beside this module."""
    return frozenset(c for members in _belt_and_road()["countries"].values() for c in members)


def group_name(group: str, locale: str) -> str:
    if group == BELT_AND_ROAD:
        names: dict[str, str] = _belt_and_road()["names"]
        return names["zh" if locale == "zh" else "en"]
    return taxonomy.region_name(group, locale)


@lru_cache(maxsize=1024)
def groups_of(country: str) -> tuple[str, ...]:
    """The groupings a country belongs to: its region, and the Belt and Road when a partner."""
    found = [r for r in (taxonomy.region_of(country),) if r]
    if country in belt_and_road_countries():
        found.append(BELT_AND_ROAD)
    return tuple(found)


# ---- capacity and accepted requests (service.engagement) --------------------------------------


def lawyers_at_capacity(session: Session, now: datetime | None = None) -> dict[tuple[str, str], int]:
    """(country, practice_area) -> recommendable lawyers at capacity. Capacity is a need rule, not
    part of the standing rule, so these lawyers are counted as available and subtracted here."""
    counts: Counter[tuple[str, str]] = Counter()
    for countries, areas in directory_repo.coverage(session, rules.RECOMMENDABLE, now, at_capacity=True):
        for country in set(countries):
            for area in set(areas):
                counts[(country, area)] += 1
    return dict(counts)


def requests_accepted(session: Session, start: datetime, end: datetime) -> dict[tuple[str, str, str], int]:
    """(month, country, practice_area) -> requests accepted in [start, end), by the month of the
    acceptance and the need's country and area as the request recorded them."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for answered_at, country, area in request_repo.accepted_between(session, start, end):
        if country and area:
            counts[(month_of(answered_at), country, area)] += 1
    return dict(counts)


# ---- the figures -----------------------------------------------------------------------------


def gap_score(needs: int, available: int) -> float:
    if needs <= 0:
        return 0.0
    return round(needs * needs / (needs + max(0, available)), 3)


def unmet_share(needs: int, available: int) -> float:
    if needs <= 0:
        return 0.0
    return round(needs / (needs + max(0, available)), 3)


@dataclass
class Tally:
    stored_needs: int = 0
    match_queries: int = 0
    lawyers_available: int = 0
    lawyers_at_capacity: int | None = None
    requests_accepted: int | None = None

    @property
    def needs_posted(self) -> int:
        return self.stored_needs + self.match_queries

    @property
    def effective_supply(self) -> int:
        return self.lawyers_available - (self.lawyers_at_capacity or 0)

    def figures(self) -> dict[str, Any]:
        return {
            "needs_posted": self.needs_posted,
            "stored_needs": self.stored_needs,
            "match_queries": self.match_queries,
            "lawyers_available": self.lawyers_available,
            "lawyers_at_capacity": self.lawyers_at_capacity,
            "requests_accepted": self.requests_accepted,
            "unmet_share": unmet_share(self.needs_posted, self.effective_supply),
            "gap_score": gap_score(self.needs_posted, self.effective_supply),
        }


@dataclass
class Period:
    first: str  # "YYYY-MM"
    last: str

    @property
    def months(self) -> list[str]:
        year, month = map(int, self.first.split("-"))
        out = []
        while (label := f"{year:04d}-{month:02d}") <= self.last:
            out.append(label)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    @property
    def start(self) -> datetime:
        year, month = map(int, self.first.split("-"))
        return datetime(year, month, 1, tzinfo=timezone.utc)

    @property
    def end(self) -> datetime:
        year, month = map(int, self.last.split("-"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return datetime(year, month, 1, tzinfo=timezone.utc)


def months_back(last: str, count: int) -> str:
    year, month = map(int, last.split("-"))
    index = year * 12 + (month - 1) - (count - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@lru_cache(maxsize=4096)
def _read(description: str) -> tuple[list[str], list[str]]:
    """The countries and practice areas a stored need's text names, read as a match query's are
    counted (the lexicons only: no encoder, so a report never waits for one)."""
    query = NeedQuery(
        description,
        countries=need.read(read_target_countries(description)),
        practice_areas=need.read(read_practice_areas(description)),
    )
    return counted(query)


def _codes(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))[:MAX_TERMS] or [""]


@dataclass
class Report:
    period: Period
    locale: str
    cells: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    months: dict[str, Tally] = field(default_factory=dict)
    groups: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    unspecified: Counter[str] = field(default_factory=Counter)
    capacity_known: bool = False
    requests_known: bool = False


def build(
    session: Session,
    period: Period,
    *,
    locale: str = "en",
    now: datetime | None = None,
) -> Report:
    """The report's figures, from the database: needs, the query log and the standing lawyers."""
    report = Report(period, locale)
    report.months = {m: Tally() for m in period.months}
    group_demand: Counter[str] = Counter()

    def demand(month: str, countries: Iterable[str], areas: Iterable[str], count: int, kind: str) -> None:
        tally = report.months.get(month)
        if tally is None:
            return
        setattr(tally, kind, getattr(tally, kind) + count)
        for country in countries:
            for area in areas:
                if not country or not area:
                    report.unspecified["country" if not country else "practice_area"] += count
                    continue
                cell = report.cells[(country, area)]
                setattr(cell, kind, getattr(cell, kind) + count)
        for group in {g for country in countries if country for g in groups_of(country)}:
            group_demand[group + "|" + kind] += count

    for countries, areas, created_at, description in need_repo.fields_between(session, period.start, period.end):
        if description is not None:  # a field left empty is read from the text, as a match would
            read_countries, read_areas = _read(description)
            countries, areas = countries or read_countries, areas or read_areas
        demand(month_of(_utc(created_at)), _codes(countries), _codes(areas), 1, "stored_needs")
    for month, country, area, count in match_queries.between(session, period.first, period.last):
        demand(month, [country], [area], count, "match_queries")

    group_lawyers: Counter[str] = Counter()
    supply = directory_repo.coverage(session, rules.RECOMMENDABLE, now)
    for tally in report.months.values():  # the trend sets each month's demand against today's supply
        tally.lawyers_available = len(supply)
    for countries, areas in supply:
        for country in set(countries):
            for area in set(areas):
                report.cells[(country, area)].lawyers_available += 1
        for group in {g for country in countries for g in groups_of(country)}:
            group_lawyers[group] += 1

    at_capacity = lawyers_at_capacity(session)
    if at_capacity is not None:
        report.capacity_known = True
        for key, tally in report.cells.items():
            tally.lawyers_at_capacity = at_capacity.get(key, 0)
    accepted = requests_accepted(session, period.start, period.end)
    if accepted is not None:
        report.requests_known = True
        for tally in [*report.cells.values(), *report.months.values()]:
            tally.requests_accepted = 0
        for (month, country, area), count in accepted.items():
            report.cells[(country, area)].requests_accepted = (report.cells[(country, area)].requests_accepted or 0) + count
            if month in report.months:
                report.months[month].requests_accepted = (report.months[month].requests_accepted or 0) + count

    for group in set(group_lawyers) | {key.split("|", 1)[0] for key in group_demand}:
        tally = report.groups[group]
        tally.stored_needs = group_demand[group + "|stored_needs"]
        tally.match_queries = group_demand[group + "|match_queries"]
        tally.lawyers_available = group_lawyers[group]
    return report


def _utc(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(timezone.utc)


# ---- the answer ------------------------------------------------------------------------------


def area_name(code: str, locale: str) -> str:
    area = taxonomy.PRACTICE_AREAS.get(code)
    return area.label(locale) if area else code


def cell_rows(report: Report, *, group: str | None = None) -> list[dict[str, Any]]:
    """Every country x practice area with demand or supply, optionally of one grouping only,
    by gap score (highest first), then needs, then codes."""
    locale = report.locale
    rows = []
    for (country, area), tally in report.cells.items():
        groups = groups_of(country)
        if group is not None and group not in groups:
            continue
        rows.append(
            {
                "country": country,
                "country_name": taxonomy.country_name(country, locale),
                "region": taxonomy.region_of(country),
                "belt_and_road": BELT_AND_ROAD in groups,
                "practice_area": area,
                "practice_area_name": area_name(area, locale),
                **tally.figures(),
            }
        )
    rows.sort(key=lambda r: (-r["gap_score"], -r["needs_posted"], r["country"], r["practice_area"]))
    return rows


def month_rows(report: Report) -> list[dict[str, Any]]:
    return [{"month": month, **tally.figures()} for month, tally in sorted(report.months.items())]


def group_rows(report: Report) -> list[dict[str, Any]]:
    rows = [
        {"group": group, "kind": "belt_and_road" if group == BELT_AND_ROAD else "region", "name": group_name(group, report.locale), **tally.figures()}
        for group, tally in report.groups.items()
    ]
    rows.sort(key=lambda r: (-r["gap_score"], r["group"]))
    return rows
