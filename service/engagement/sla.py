"""The SLA clock: pending requests past their deadline expire, and the need goes to the next lawyer.

The clock is the database's (``deadline_at``), so it survives restarts: whichever process sweeps
next acts on every deadline that passed meanwhile. Each expiry is its own transaction that claims
one row (``repositories.requests.claim_expired``: FOR UPDATE SKIP LOCKED on PostgreSQL, the one
writer on SQLite), expires it, publishes the event and makes the next offer, so with several
workers sweeping at once each deadline is acted on exactly once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from models.base import utcnow
from service.db import transaction
from service.engagement import requests
from service.matching.engine import MatchEngine
from service.repositories import requests as request_repo

log = logging.getLogger(__name__)


def sweep_one(factory: sessionmaker[Session], matcher: MatchEngine, policy: requests.Policy) -> bool:
    """Expire one overdue request (and offer its need onward); False when none is overdue."""
    started = time.monotonic()
    with transaction(factory) as session:
        now = utcnow()
        claimed = request_repo.claim_expired(session, now)
        if claimed is None:
            return False
        nxt = requests.expire(session, matcher, claimed, policy=policy, now=now)
        request_id, next_id = claimed.id, nxt.id if nxt is not None else None
    log.info(
        "request %d expired (%.3f s); %s",
        request_id, time.monotonic() - started, f"offered as request {next_id}" if next_id is not None else "not offered again",
    )
    return True


def sweep(
    factory: sessionmaker[Session],
    matcher: MatchEngine,
    policy: requests.Policy,
    *,
    stop: Callable[[], bool] = lambda: False,
    limit: int | None = None,
) -> int:
    """Expire every overdue request (at most ``limit``); returns how many."""
    done = 0
    while (limit is None or done < limit) and not stop() and sweep_one(factory, matcher, policy):
        done += 1
    return done


class Sweeper:
    """A thread that sweeps every ``interval`` seconds until stopped (one per server process)."""

    def __init__(self, factory: sessionmaker[Session], matcher: MatchEngine, policy: requests.Policy, interval: float) -> None:
        self.factory, self.matcher, self.policy, self.interval = factory, matcher, policy, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="request-sweeper", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                sweep(self.factory, self.matcher, self.policy, stop=self._stop.is_set)
            except Exception:  # noqa: BLE001 - keep sweeping through database outages
                log.warning("request sweep failed; retrying", exc_info=True)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
