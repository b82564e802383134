"""The match-query log: each match query counted in its month x country x practice-area cells.

Cheap on the match path: a query adds to an in-process tally (a dict under a lock); the tally is
written as one additive upsert at most every ``flush_seconds`` (after the answer is sent), before
supply and demand is read, and at shutdown. A process that dies loses at most that window of
counts, which analytics can afford; the text of a need is never kept.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from models.base import utcnow
from service.matching.need import NeedQuery, Term
from service.repositories import match_queries

log = logging.getLogger(__name__)

# A query counts in at most this many countries and practice areas (their product of cells): a
# need naming twenty countries is one need, not a flood of demand.
MAX_TERMS = 3
# A practice area read from the text counts as demand from this confidence up (given fields always).
PRACTICE_CONFIDENCE = 0.5
# Tallies are dropped, not kept growing, past this many distinct cells while the database is down.
MAX_PENDING_CELLS = 50_000


def month_of(moment: datetime) -> str:
    return moment.strftime("%Y-%m")


def _counted(terms: tuple[Term, ...], keep: Callable[[Term], bool]) -> list[str]:
    codes = [t.code for t in sorted(terms, key=lambda t: -t.confidence) if keep(t)]
    return list(dict.fromkeys(codes))[:MAX_TERMS] or [""]


def counted(query: NeedQuery) -> tuple[list[str], list[str]]:
    """What a need counts as demand for: its binding countries and its sure practice areas, at
    most MAX_TERMS of each, [""] for none."""
    countries = _counted(query.countries, lambda t: t.binding)
    practice = _counted(query.practice_areas, lambda t: t.source == "given" or t.confidence >= PRACTICE_CONFIDENCE)
    return countries, practice


def cells(query: NeedQuery, month: str) -> list[tuple[str, str, str]]:
    """The cells a query counts in: its binding countries x its sure practice areas ("" for none)."""
    countries, practice = counted(query)
    return [(month, c, p) for c in countries for p in practice]


class QueryLog:
    def __init__(self, flush_seconds: float = 10.0) -> None:
        self.flush_seconds = flush_seconds
        self._pending: Counter[tuple[str, str, str]] = Counter()
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._last_flush = time.monotonic()

    def record(self, query: NeedQuery, now: datetime | None = None) -> None:
        month = month_of(now or utcnow())
        with self._lock:
            self._pending.update(cells(query, month))

    def due(self) -> bool:
        return bool(self._pending) and time.monotonic() - self._last_flush >= self.flush_seconds

    def pending(self) -> int:
        with self._lock:
            return sum(self._pending.values())

    def flush(self, sessions: Callable[[], Session]) -> int:
        """Write the tally (one statement, its own transaction); returns the cells written. On a
        database error the counts go back into the tally for the next flush."""
        with self._flush_lock:  # one writer per process: two would only race for the same rows
            with self._lock:
                taken, self._pending = self._pending, Counter()
                self._last_flush = time.monotonic()
            if not taken:
                return 0
            try:
                with sessions() as session, session.begin():
                    match_queries.add(session, taken)
            except Exception as error:  # the database is the only failure here; keep the counts
                log.warning("match-query log: could not write %d cells (%s); kept for the next flush", len(taken), type(error).__name__)
                with self._lock:
                    if len(self._pending) + len(taken) <= MAX_PENDING_CELLS:
                        self._pending.update(taken)
                raise
            return len(taken)

    def flush_quietly(self, sessions: Callable[[], Session]) -> None:
        """flush() after an answer is sent or at shutdown, where an error has nobody to go to
        (flush has logged it and kept the counts)."""
        try:
            self.flush(sessions)
        except Exception:  # noqa: BLE001 - see above
            pass
