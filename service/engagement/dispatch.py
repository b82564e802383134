"""The webhook dispatcher: fans events out into deliveries, claims due deliveries, sends them.

Steps 1 and 2 share one short transaction, step 4 has its own, and none is held while a receiver
answers:
1. fan-out: lock the cursor (one worker at a time; the others skip), read the events not yet fanned
   out, write one delivery per matching subscription, remember the events as fanned out;
2. claim: take due deliveries (PostgreSQL: FOR UPDATE SKIP LOCKED, so each goes to one worker; SQLite
   has one writer), count the attempt and move `next_attempt_at` past the claim time (the lease);
3. send, outside any transaction, with the SSRF guard checking the address it connects to;
4. record the outcome, if the claim is still ours: succeeded, due again after a backoff, or failed.
A worker that dies between 2 and 4 leaves its deliveries pending: they are due again when the
lease runs out, and sent again (the same event id: receivers dedupe).

Runs in every API process (a thread of the runtime) and as `matchmaker webhooks deliver`.
"""

from __future__ import annotations

import logging
import random
import secrets
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import DeliveryStatus, Event, WebhookDelivery, WebhookSubscription
from models.base import as_utc, utcnow
from service.db import transaction
from service.engagement import destinations, webhooks
from service.repositories import webhooks as repo
from service.settings import Settings

log = logging.getLogger(__name__)

FAN_OUT_BATCH = 500
# No event can still commit with a smaller id than one published this long ago (a request's
# transaction lasts seconds): the cursor passes events older than this (models.webhook.WebhookCursor).
SETTLED = timedelta(minutes=5)
RESPONSE_CAP = 4096  # bytes of a receiver's answer read at most; the rest is never read
EXCERPT_CHARS = 500
USER_AGENT = "matchmaker-webhooks/1"
PRUNE_EVERY = 600.0  # seconds between two clean-ups of the delivery log by one dispatcher


@dataclass(frozen=True)
class Job:
    """A claimed delivery, with everything needed to send it (read in the claiming transaction)."""

    delivery_id: int
    claim: str
    attempt: int
    url: str
    secrets: tuple[str, ...]  # the signing secrets (two during a rotation's grace)
    event_id: str
    body: bytes


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None = None
    excerpt: str | None = None
    error: str | None = None


def backoff(attempt: int, base: float, cap: float, rng: Callable[[float, float], float] = random.uniform) -> float:
    """Seconds to wait after the `attempt`-th failure: doubling from `base` up to `cap`, the second
    half of it random, so that receivers coming back up are not hit by every retry at once."""
    delay = min(cap, base * 2 ** (attempt - 1))
    return delay / 2 + rng(0, delay / 2)


def matches(subscription: WebhookSubscription, event: Event) -> bool:
    """Does this subscription receive this event: its type, (enterprises) its organisation, and
    it happened after the subscription was made (a new subscription is not sent the past)."""
    if event.type not in subscription.event_types or as_utc(event.occurred_at) < as_utc(subscription.created_at):
        return False
    return subscription.event_organisation is None or subscription.event_organisation == event.organisation


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:300]


class Dispatcher:
    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self._pool = ThreadPoolExecutor(settings.webhook_concurrency, thread_name_prefix="webhook-send")
        self.settled = SETTLED
        self._counts_lock = threading.Lock()
        self.attempted = 0  # attempts this dispatcher made, and how many were answered 2xx
        self.succeeded = 0
        self._pruned_at: float | None = None

    # ---- 1. fan-out

    def fan_out(self) -> int:
        """Write the deliveries of events not yet fanned out; returns how many events were read."""
        try:
            with transaction(self.sessions) as session:
                return self._fan_out(session, utcnow())
        except IntegrityError:
            # two workers created a missing cursor at once; the loser tries again next round
            log.info("webhook fan-out raced another worker; retrying")
            return 0

    def _fan_out(self, session: Session, now: datetime) -> int:
        cursor = repo.lock_cursor(session)
        if cursor is None:
            return 0  # another worker is fanning out
        events = repo.events_to_fan_out(session, cursor.last_event_pk, limit=FAN_OUT_BATCH)
        subscriptions = repo.active_subscriptions(session) if events else []
        repo.add_deliveries(
            session,
            [
                WebhookDelivery(subscription_id=s.id, event_pk=e.id, status=DeliveryStatus.pending, attempts=0, next_attempt_at=now)
                for e in events
                for s in subscriptions
                if matches(s, e)
            ],
        )
        repo.mark_fanned_out(session, events)
        if len(events) < FAN_OUT_BATCH:  # all visible events are fanned out: the cursor may move
            repo.advance_cursor(session, cursor, older_than=now - self.settled)
        return len(events)

    # ---- 2. claim

    def claim(self, limit: int) -> list[Job]:
        with transaction(self.sessions) as session:
            return self._claim(session, utcnow(), limit)

    def _claim(self, session: Session, now: datetime, limit: int) -> list[Job]:
        lease = now + timedelta(seconds=self.settings.webhook_claim_seconds)
        due = repo.claim_due(session, now, limit=limit)
        if not due:
            return []
        subscriptions = repo.subscriptions_by_id(session, {d.subscription_id for d in due})
        events = repo.events_by_pk(session, {d.event_pk for d in due})
        jobs: list[Job] = []
        for delivery in due:
            subscription = subscriptions[delivery.subscription_id]
            if not subscription.active:
                delivery.status = DeliveryStatus.failed
                delivery.error = "the subscription was deactivated before this delivery was sent; replay it if needed"
                continue
            delivery.claim = secrets.token_hex(8)
            delivery.attempts += 1
            delivery.last_attempt_at = now
            delivery.next_attempt_at = lease
            event = events[delivery.event_pk]
            jobs.append(
                Job(delivery.id, delivery.claim, delivery.attempts, subscription.url,
                    webhooks.signing_secrets(subscription, now), event.event_id, webhooks.body_of(event))
            )
        return jobs

    # ---- 3. send

    def send(self, job: Job) -> Outcome:
        settings = self.settings
        try:
            destination = destinations.resolve(
                job.url,
                allow_private=settings.webhook_allow_private_addresses,
                require_https=settings.environment == "production",
                timeout=settings.webhook_timeout_seconds,
            )
        except destinations.Refused as refused:
            return Outcome(False, error=f"refused: {refused}"[:300])
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Accept-Encoding": "identity",  # the excerpt is read raw: no compressed answers
            "Webhook-Id": job.event_id,
            "Webhook-Timestamp": str(timestamp),
            "Webhook-Signature": webhooks.signature_header(job.secrets, job.event_id, timestamp, job.body),
        }
        try:
            status, excerpt = post_pinned(destination, job.body, headers, settings.webhook_timeout_seconds)
        except (httpx.HTTPError, OSError) as exc:
            return Outcome(False, error=_short(exc))
        if 200 <= status < 300:
            return Outcome(True, status, excerpt)
        why = "redirects are not followed" if 300 <= status < 400 else "the receiver did not answer 2xx"
        return Outcome(False, status, excerpt, error=f"HTTP {status}: {why}")

    # ---- 4. record

    def record(self, job: Job, outcome: Outcome) -> None:
        now = utcnow()
        values: dict[str, Any] = {"response_status": outcome.status, "response_excerpt": outcome.excerpt, "error": outcome.error}
        if outcome.ok:
            values |= {"status": DeliveryStatus.succeeded, "delivered_at": now}
        elif job.attempt >= self.settings.webhook_max_attempts:
            values |= {"status": DeliveryStatus.failed}
        else:
            wait = backoff(job.attempt, self.settings.webhook_backoff_seconds, self.settings.webhook_backoff_max_seconds)
            values |= {"status": DeliveryStatus.pending, "next_attempt_at": now + timedelta(seconds=wait)}
        with transaction(self.sessions) as session:
            if not repo.record_outcome(session, job.delivery_id, job.claim, values):
                log.warning("webhook delivery %d: claim lost before the outcome was recorded", job.delivery_id)

    def _deliver(self, job: Job) -> Outcome:
        outcome = self.send(job)
        self.record(job, outcome)
        with self._counts_lock:
            self.attempted += 1
            self.succeeded += outcome.ok
        if not outcome.ok:
            log.info("webhook delivery %d attempt %d failed: %s", job.delivery_id, job.attempt, outcome.error)
        return outcome

    def prune(self) -> int:
        """Drop finished deliveries older than MATCHMAKER_WEBHOOK_LOG_DAYS from the log."""
        with transaction(self.sessions) as session:
            return repo.prune_finished(session, utcnow() - timedelta(days=self.settings.webhook_log_days))

    # ---- the loop

    def run_once(self) -> int:
        """One round: fan out, claim, send and record; returns events read plus deliveries attempted."""
        if self._pruned_at is None or time.monotonic() - self._pruned_at > PRUNE_EVERY:
            self._pruned_at = time.monotonic()
            self.prune()
        # Fan-out and claim share one short transaction: an idle round is one round trip, and on
        # SQLite one turn of the write lock that every other writer waits for.
        now = utcnow()
        try:
            with transaction(self.sessions) as session:
                read = self._fan_out(session, now)
                jobs = self._claim(session, now, self.settings.webhook_concurrency * 4)
        except IntegrityError:
            log.info("webhook fan-out raced another worker creating the cursor; again at once")
            return 1  # not idle: the next round finds the cursor
        list(self._pool.map(self._deliver, jobs))
        return read + len(jobs)

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set; rounds follow each other while there is work, else every poll interval."""
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # noqa: BLE001 - keep delivering through database outages
                log.warning("webhook dispatch round failed; retrying", exc_info=True)
                busy = 0
            if not busy:
                stop.wait(self.settings.webhook_poll_seconds)

    def run_until_idle(self, timeout: float | None = None) -> None:
        """Rounds until nothing is due now (later retries are left for later)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.run_once():
            if deadline is not None and time.monotonic() > deadline:
                return

    def close(self) -> None:
        self._pool.shutdown(wait=True)


@lru_cache(maxsize=1)
def _trusted_cas() -> ssl.SSLContext:
    # built once: loading the CA bundle costs tens of milliseconds, more than a whole local delivery
    return httpx.create_ssl_context()


def post_pinned(
    destination: destinations.Destination,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    verify: ssl.SSLContext | None = None,
) -> tuple[int, str]:
    """POST to the address that was checked (not to a fresh resolution of the name), with the
    name in the Host header and in TLS (SNI and certificate check); no redirects, no proxies from
    the environment, and at most RESPONSE_CAP bytes of the answer read. `verify`: the system's
    CAs, or (tests) a context that trusts a certificate of their own."""
    address = destination.addresses[0]
    parts = urlsplit(destination.url)
    host = f"[{address}]" if address.version == 6 else str(address)
    target = f"{destination.scheme}://{host}:{destination.port}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    extensions = {"sni_hostname": destination.host} if destination.scheme == "https" else {}
    deadline = time.monotonic() + 3 * timeout
    with httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False, verify=verify or _trusted_cas()) as client:
        request = client.build_request("POST", target, content=body, headers={**headers, "Host": parts.netloc}, extensions=extensions)
        response = client.send(request, stream=True)
        try:
            received = bytearray()
            for chunk in response.iter_raw():
                received += chunk
                if len(received) >= RESPONSE_CAP or time.monotonic() > deadline:
                    break
        finally:
            response.close()
    excerpt = bytes(received[:RESPONSE_CAP]).decode("utf-8", errors="replace")[:EXCERPT_CHARS]
    return response.status_code, excerpt
