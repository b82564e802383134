"""The hour, measured: for each need, the time from its first request to its first acceptance.

That is the enterprise's wait, whichever round the acceptance came in. Per group (overall, by the
need's target country, by its first practice area): how many needs were sent, how many found a
lawyer, the median and 90th percentile of the wait (nearest rank: the smallest wait that at least
90 % of the accepted needs did not exceed), and the share of all sent needs accepted within the
hour. Percentiles are computed here, not in SQL, so SQLite and PostgreSQL answer alike.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.base import as_utc
from models.request import RequestState
from service.repositories import requests as request_repo

HOUR = 3600.0


@dataclass
class NeedWait:
    need_id: int
    country: str | None
    practice_area: str | None
    sent_at: datetime
    accepted_at: datetime | None = None

    @property
    def wait(self) -> float | None:
        return None if self.accepted_at is None else (self.accepted_at - self.sent_at).total_seconds()


@dataclass
class Figures:
    needs: int = 0
    accepted: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None
    within_hour_share: float | None = None
    waits: list[float] = field(default_factory=list, repr=False)

    def finish(self) -> "Figures":
        waits = sorted(self.waits)
        self.accepted = len(waits)
        if waits:
            self.median_seconds = round(statistics.median(waits), 3)
            self.p90_seconds = round(waits[max(0, math.ceil(0.9 * len(waits)) - 1)], 3)
        if self.needs:
            self.within_hour_share = round(sum(1 for w in waits if w <= HOUR) / self.needs, 4)
        return self


def waits(rows: list[Any]) -> list[NeedWait]:
    """Per need, from its requests in order: the first one's time and groups, the first acceptance."""
    by_need: dict[int, NeedWait] = {}
    for row in rows:
        need = by_need.get(row.need_id)
        if need is None:
            need = by_need[row.need_id] = NeedWait(row.need_id, row.country, row.practice_area, as_utc(row.created_at))
        # accepted, whatever became of it since (engaged, closed, or withdrawn by the enterprise)
        if row.answered_at is not None and row.state != RequestState.declined.value:
            answered = as_utc(row.answered_at)
            if need.accepted_at is None or answered < need.accepted_at:
                need.accepted_at = answered
    return list(by_need.values())


def response_times(session: Session, *, since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
    overall = Figures()
    countries: dict[str, Figures] = {}
    practices: dict[str, Figures] = {}
    for need in waits(request_repo.timeline(session, since=since, until=until)):
        groups = [overall]
        if need.country:
            groups.append(countries.setdefault(need.country, Figures()))
        if need.practice_area:
            groups.append(practices.setdefault(need.practice_area, Figures()))
        for figures in groups:
            figures.needs += 1
            if need.wait is not None:
                figures.waits.append(need.wait)
    return {
        "overall": overall.finish(),
        "by_country": {code: f.finish() for code, f in sorted(countries.items())},
        "by_practice_area": {code: f.finish() for code, f in sorted(practices.items())},
    }
