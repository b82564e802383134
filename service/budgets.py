"""What one caller may spend on matching, so that one tenant cannot starve the others.

Two budgets, both per API key and per organisation:
- concurrency: matches running at once in this process (the CPU is the process's); a request
  past it is refused at once, before any work;
- cost: a token bucket (shared through Redis when configured, like the rate limits) charged by
  what a match costs: encoding grows with the text and explaining with k, so a 4,000-character
  k=50 match costs ~11 units and a short k=10 one ~1.4.
Past either, 429 with Retry-After. No web framework here: the dependency in service.deps applies it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from service.errors import TooManyRequests
from service.ratelimit import Limiter

# units: one for the request, one per 500 characters of text, one per 25 results
TEXT_CHARS_PER_UNIT = 500
RESULTS_PER_UNIT = 25
# a refused request is retried this much later (a running match takes well under a second)
BUSY_RETRY_SECONDS = 1.0


def match_cost(text_length: int, k: int) -> float:
    return 1.0 + text_length / TEXT_CHARS_PER_UNIT + k / RESULTS_PER_UNIT


class ConcurrencyGate:
    """Counts the matches each key and organisation runs at once in this process."""

    def __init__(self, per_key: int, per_organisation: int) -> None:
        self.per_key = per_key
        self.per_organisation = per_organisation
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, key: str, organisation: str) -> Iterator[None]:
        names = (f"key:{key}", f"org:{organisation}")
        with self._lock:
            if self._running[names[0]] >= self.per_key:
                raise TooManyRequests(
                    f"this key already runs {self.per_key} match(es) at once; wait for one to finish", retry_after=BUSY_RETRY_SECONDS
                )
            if self._running[names[1]] >= self.per_organisation:
                raise TooManyRequests(
                    f"your organisation already runs {self.per_organisation} matches at once; wait for one to finish",
                    retry_after=BUSY_RETRY_SECONDS,
                )
            self._running.update(names)
        try:
            yield
        finally:
            with self._lock:
                self._running.subtract(names)
                for name in names:
                    if self._running[name] <= 0:
                        del self._running[name]


class MatchBudget:
    def __init__(self, gate: ConcurrencyGate, key_costs: Limiter, organisation_costs: Limiter) -> None:
        self.gate = gate
        self.key_costs = key_costs
        self.organisation_costs = organisation_costs

    @contextmanager
    def spend(self, key: str, organisation: str, *, text_length: int, k: int) -> Iterator[None]:
        """Hold a slot for one match of this cost, or raise TooManyRequests."""
        cost = match_cost(text_length, k)
        with self.gate.slot(key, organisation):
            wait = self.key_costs.take(key, cost)
            if wait:
                raise TooManyRequests(
                    f"this key's matching budget is spent (this match costs {cost:.1f} units: longer text and larger k cost more); "
                    f"retry in {wait:.0f} s",
                    retry_after=wait,
                )
            wait = self.organisation_costs.take(organisation, cost)
            if wait:
                raise TooManyRequests(f"your organisation's matching budget is spent; retry in {wait:.0f} s", retry_after=wait)
            yield
