"""PostgreSQL stopped under load: /readyz says 503 within 5 s, requests fail fast with a 503
problem+json (never a 500, never a hang), and the service recovers by itself.

The database is a private PostgreSQL cluster started for the test (stopping it disturbs nobody).
The short variant stops it for 6 s; MATCHMAKER_LONG_FAULT_TESTS=1 for 30 s.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from service import importing
from service.db import make_engine, make_session_factory, migrate, transaction
from service.repositories import api_keys
from tests.conftest import lawyer_record
from tests.integration._procs import ADMIN_KEY, LAWYERS, LONG, private_postgres, service_env, serving

OUTAGE_SECONDS = 30.0 if LONG else 6.0
READY_503_WITHIN = 5.0
FAIL_FAST = 5.0  # no answer may take longer than this, outage or not
CLIENT_TIMEOUT = 20.0  # a request still open after this is a hang
THREADS = 6
NEED = {"description": "Our EPC contract for a solar plant in Kazakhstan is in ICC arbitration; we need counsel.", "k": 10}


@dataclass
class Outcome:
    path: str
    started: float
    seconds: float
    status: int | None  # None: no HTTP answer at all
    content_type: str
    error: str = ""


class Load:
    """Threads sending a mix of requests that need the database and requests that do not."""

    def __init__(self, base: str, enterprise_key: str) -> None:
        self.base = base
        self.results: list[Outcome] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        admin = {"X-API-Key": ADMIN_KEY}
        enterprise = {"X-API-Key": enterprise_key}
        self.calls = [
            # a result's card and evidence are read from the database (the index holds what
            # scoring needs only), so matches too fail fast during an outage
            ("POST", "/v1/match (admin)", "/v1/match", admin, NEED),
            ("POST", "/v1/match (enterprise)", "/v1/match", enterprise, NEED),
            ("GET", "/v1/lawyers", "/v1/lawyers?limit=5", enterprise, None),
            ("GET", "/v1/lawyers/{id}", "/v1/lawyers/1", admin, None),
            ("GET", "/readyz", "/readyz", {}, None),
        ]
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(THREADS)]

    def __enter__(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=CLIENT_TIMEOUT + 5)
        assert not any(t.is_alive() for t in self._threads), "a load thread hung"

    def _run(self, offset: int) -> None:
        with httpx.Client(base_url=self.base, timeout=CLIENT_TIMEOUT) as client:
            n = offset
            while not self._stop.is_set():
                method, name, url, headers, body = self.calls[n % len(self.calls)]
                n += 1
                started = time.monotonic()
                try:
                    response = client.request(method, url, headers=headers, json=body)
                    outcome = Outcome(name, started, time.monotonic() - started, response.status_code,
                                      response.headers.get("content-type", ""))
                    if response.status_code >= 500:
                        outcome.error = response.text[:300]
                except httpx.HTTPError as exc:
                    outcome = Outcome(name, started, time.monotonic() - started, None, "", f"{type(exc).__name__}: {exc}")
                with self._lock:
                    self.results.append(outcome)
                time.sleep(0.02)

    def between(self, start: float, end: float) -> list[Outcome]:
        with self._lock:
            return [r for r in self.results if start <= r.started < end]


@dataclass
class Run:
    results: list[Outcome]
    down_at: float
    up_at: float
    settled: float
    ready_503_after: float | None
    recovered_after: float | None
    write_after_outage: str
    server_log: str = ""
    summary: str = ""


def _readyz(base: str) -> int | None:
    try:
        return httpx.get(f"{base}/readyz", timeout=FAIL_FAST).status_code
    except httpx.HTTPError:
        return None


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """One outage under load, observed once; the tests below each check one promise."""
    tmp_path = tmp_path_factory.mktemp("outage")
    with private_postgres() as database:
        url = database.url
        migrate(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        importing.import_lawyers(factory, LAWYERS.read_text(encoding="utf-8").splitlines()[:40])
        with transaction(factory) as session:
            _, enterprise_key = api_keys.create(session, name="load", role="enterprise", organisation="acme")
        engine.dispose()

        ready_503_after = recovered_after = None
        with serving(service_env(url, tmp_path / "data"), tmp_path / "serve.log") as service, Load(
            service.base, enterprise_key
        ) as load:
            time.sleep(1.5)  # traffic before the outage
            down_at = time.monotonic()
            database.stop("fast")
            try:
                while time.monotonic() - down_at < OUTAGE_SECONDS:
                    if ready_503_after is None and _readyz(service.base) == 503:
                        ready_503_after = time.monotonic() - down_at
                    time.sleep(0.1)
            finally:
                up_at = time.monotonic()
                database.start()
            # ... and the service comes back by itself
            while time.monotonic() - up_at < 20:
                if _readyz(service.base) == 200:
                    recovered_after = time.monotonic() - up_at
                    break
                time.sleep(0.2)
            time.sleep(1.5)  # traffic after the recovery
            settled = time.monotonic()
            time.sleep(1.5)

            # a write after the outage is served: the change-feed follower survived it
            record = lawyer_record(external_id="OUTAGE-1", license_no="37777777777777771")
            try:
                response = httpx.post(
                    f"{service.base}/v1/lawyers/import",
                    content=json.dumps(record) + "\n",
                    headers={"X-API-Key": ADMIN_KEY, "Content-Type": "application/x-ndjson"},
                    timeout=30,
                )
                matched = httpx.post(f"{service.base}/v1/match", json=NEED | {"countries": ["KZ"], "k": 50},
                                     headers={"X-API-Key": ADMIN_KEY}, timeout=30).json()
                found = "OUTAGE-1" in {m["lawyer"]["external_id"] for m in matched.get("results", [])}
                write = "matched" if found else f"not matched (import answered {response.status_code})"
            except httpx.HTTPError as exc:
                write = f"failed: {exc}"
        run = Run(load.results, down_at, up_at, settled, ready_503_after, recovered_after, write,
                  server_log=(tmp_path / "serve.log").read_text(errors="replace"))
        run.summary = (
            f"/readyz 503 after {ready_503_after}s; ready again {recovered_after}s after restart; "
            f"outage {OUTAGE_SECONDS:.0f}s\n" + _summarise(run.results, down_at, up_at)
        )
        print(run.summary)
        yield run


def test_readyz_says_503_within_5_seconds(outage: Run) -> None:
    assert outage.ready_503_after is not None and outage.ready_503_after <= READY_503_WITHIN, outage.summary


def test_requests_fail_fast_never_500_never_hang(outage: Run) -> None:
    results = outage.results
    assert len(results) > 50, outage.summary
    server_errors = [r for r in results if r.status is not None and r.status >= 500 and r.status != 503]
    assert not server_errors, f"{len(server_errors)} answers were 5xx but not 503, e.g. {server_errors[:3]}\n{outage.summary}"
    slow = [r for r in results if r.seconds > FAIL_FAST]
    assert not slow, f"{len(slow)} requests took longer than {FAIL_FAST}s, e.g. {slow[:3]}\n{outage.summary}"
    unavailable = [r for r in results if r.status == 503]
    assert unavailable, "nothing failed during the outage: the load did not reach the database"
    assert all(r.content_type.startswith("application/problem+json") for r in unavailable), unavailable[:3]
    during = [r for r in results if outage.down_at + 1 <= r.started < outage.up_at]
    # well inside the outage (past the 2 s a key stays cached) every answer is a 503
    inside = [r for r in during if r.started >= outage.down_at + 3 and r.status]
    assert inside and all(r.status == 503 for r in inside), outage.summary


def test_a_503_is_an_answer_not_a_crash(outage: Run) -> None:
    dropped = [r for r in outage.results if r.status is None]
    assert not dropped, f"{len(dropped)} requests got no answer, e.g. {dropped[:3]}\n{outage.summary}"
    crashes = outage.server_log.count("Exception in ASGI application")
    assert crashes == 0, f"{crashes} requests ended in 'Exception in ASGI application' (the connection is closed)"


def test_the_service_recovers_by_itself(outage: Run) -> None:
    assert outage.recovered_after is not None, outage.summary
    after = [r for r in outage.results if r.started >= outage.settled]
    assert after and all(r.status == 200 for r in after), f"failures after recovery: {[r for r in after if r.status != 200][:5]}"
    assert outage.write_after_outage == "matched", outage.write_after_outage


def _summarise(results: list[Outcome], down_at: float, up_at: float) -> str:
    lines = []
    for phase, (start, end) in {"before": (0, down_at), "outage": (down_at, up_at), "after": (up_at, float("inf"))}.items():
        by_path: dict[str, dict[str, int]] = {}
        for r in results:
            if start <= r.started < end:
                counts = by_path.setdefault(r.path, {})
                key = str(r.status)
                counts[key] = counts.get(key, 0) + 1
        worst = max((r.seconds for r in results if start <= r.started < end), default=0.0)
        lines.append(f"  {phase}: slowest {worst:.2f}s; " + "; ".join(f"{p} {c}" for p, c in sorted(by_path.items())))
    return "\n".join(lines)
