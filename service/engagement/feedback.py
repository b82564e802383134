"""Track records: how a lawyer answers requests and how their engagements end, as the counts the
score's ``track_record`` term reads (``service.matching.scoring.track_record_score``).

Kept on the lawyer's row, recomputed from the requests in the transaction of every answer, expiry
and closing (a few rows per lawyer), and passed to every worker through the change feed, like the
rest of a profile. Counts, never the enterprises' comments: nothing here is personal data.
"""

from __future__ import annotations

import statistics
from datetime import datetime

from sqlalchemy.orm import Session

from models import ConsultationRequest
from models.base import as_utc
from models.request import RequestState
from service.repositories import lawyers as lawyer_repo
from service.repositories import requests as request_repo


def _seconds(later: datetime, earlier: datetime) -> float:
    return (as_utc(later) - as_utc(earlier)).total_seconds()


def track_of(rows: list[ConsultationRequest]) -> dict[str, float]:
    """The counts of a lawyer's answered and expired requests."""
    offers = accepted = 0
    speed_sum = rating_sum = 0.0
    rated = solved = 0
    waits: list[float] = []
    for row in rows:
        offers += 1
        if row.answered_at is None:  # expired: speed 0
            continue
        wait = max(0.0, _seconds(row.answered_at, row.created_at))
        window = max(1.0, _seconds(row.deadline_at, row.created_at))
        waits.append(wait)
        speed_sum += max(0.0, 1.0 - wait / window)
        if row.state != RequestState.declined.value:
            accepted += 1
        if row.state == RequestState.closed.value and row.rating is not None:
            rated += 1
            rating_sum += (row.rating - 1) / 4
            solved += int(bool(row.solved))
    track: dict[str, float] = {"offers": offers, "accepted": accepted, "speed_sum": round(speed_sum, 4)}
    if waits:
        track["median_answer_seconds"] = round(statistics.median(waits), 1)
    if rated:
        track |= {"rated": rated, "rating_sum": round(rating_sum, 4), "solved": solved}
    return track


def refresh(session: Session, lawyer_id: int | None) -> None:
    """Recompute the lawyer's track record; when it changed, every worker re-reads the profile."""
    if lawyer_id is None:
        return
    lawyer = request_repo.lock_lawyer(session, lawyer_id)
    if lawyer is None:
        return
    track = track_of(request_repo.answered_history(session, lawyer_id))
    if track != (lawyer.track_record or {}):
        lawyer.track_record = track
        lawyer_repo.availability_changed(session, lawyer_id)
