"""Webhooks across real processes: a `matchmaker serve` killed while a delivery is in flight, and
two `matchmaker webhooks deliver` workers sharing one burst of events. A real local HTTP receiver
checks every signature and counts each event after dedup by id."""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from models import DeliveryStatus, WebhookDelivery
from service.db import make_engine, make_session_factory, migrate, transaction
from service.engagement import events, webhooks
from service.settings import Settings
from tests._receiver import Answer, Received, Receiver, receiving
from tests.api.test_authz_matrix import registration
from tests.integration._procs import ADMIN_KEY, Proc, Service, service_env, wait_for

ADMIN = {"X-API-Key": ADMIN_KEY}
WEBHOOK_ENV = {
    "MATCHMAKER_WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
    "MATCHMAKER_WEBHOOK_POLL_SECONDS": "0.2",
    "MATCHMAKER_WEBHOOK_TIMEOUT_SECONDS": "4",
    "MATCHMAKER_WEBHOOK_CLAIM_SECONDS": "5",
    "MATCHMAKER_WEBHOOK_BACKOFF_SECONDS": "0.2",
}


@pytest.fixture
def rx() -> Iterator[Receiver]:
    with receiving() as receiver:
        yield receiver


def test_a_delivery_in_flight_when_the_server_dies_is_sent_again(database_url: str, tmp_path: Path, rx: Receiver) -> None:
    # The first request is held until the server has been killed (within the send timeout): the
    # sender can record nothing. Its claim runs out after 12 s and the next server sends it again.
    killed = threading.Event()

    def hold_the_first(_request: Received, n: int) -> Answer:
        if n == 0:
            killed.wait(9)
        return Answer(204)

    rx.script = hold_the_first
    env = service_env(
        database_url, tmp_path / "data", **(WEBHOOK_ENV | {"MATCHMAKER_WEBHOOK_TIMEOUT_SECONDS": "10", "MATCHMAKER_WEBHOOK_CLAIM_SECONDS": "12"})
    )
    first = Service(env, tmp_path / "first.log")
    http = httpx.Client(timeout=30)
    try:
        first.wait_ready()
        made = http.post(f"{first.base}/v1/webhooks", json={"url": rx.url, "event_types": ["lawyer.verified"]}, headers=ADMIN)
        assert made.status_code == 201, made.text
        rx.secrets.append(made.json()["secret"])
        lawyer_id = http.post(f"{first.base}/v1/lawyers", json=registration()).json()["id"]
        verified = http.post(f"{first.base}/v1/lawyers/{lawyer_id}/verify", json={"reason": "checked"}, headers=ADMIN)
        assert verified.status_code == 200, verified.text
        assert rx.arrived.wait(15), f"no delivery arrived:\n{first.output()}"
        first.kill()  # SIGKILL mid-delivery: no chance to record anything
        killed.set()
    finally:
        killed.set()
        first.close()
    assert len(rx.received) == 1

    second = Service(env, tmp_path / "second.log")
    try:
        second.wait_ready()
        try:
            wait_for(lambda: len(rx.received) >= 2, timeout=40, what="the delivery sent again")
        except AssertionError as missing:
            state = http.get(f"{second.base}/v1/webhooks/{made.json()['id']}/deliveries", headers=ADMIN).text
            raise AssertionError(f"{missing}; deliveries: {state}; now {time.time()}:\n{second.output()[-1500:]}") from None
        log: list[dict[str, Any]] = []

        def settled() -> bool:
            nonlocal log
            log = http.get(f"{second.base}/v1/webhooks/{made.json()['id']}/deliveries", headers=ADMIN).json()["items"]
            return bool(log) and log[0]["status"] == "succeeded"

        wait_for(settled, timeout=10, what="the delivery recorded as succeeded")
    finally:
        second.close()
        http.close()
    assert [(d["status"], d["attempts"]) for d in log] == [("succeeded", 2)]
    assert rx.unsigned() == []
    assert len(rx.unique()) == 1 and len(rx.received) == 2  # sent twice, one event after dedup
    assert rx.received[0].body == rx.received[1].body


def test_two_workers_share_a_burst_without_sending_anything_twice(database_url: str, tmp_path: Path, rx: Receiver) -> None:
    """Two `matchmaker webhooks deliver` processes, both polling when a burst of events lands."""
    count = 200
    rx.script = lambda _request, _n: Answer(204, delay=0.03)
    migrate(database_url)
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    settings = Settings(environment="test", webhook_allow_private_addresses=True)

    def all_recorded() -> bool:
        with sessions() as session:
            rows = session.scalars(select(WebhookDelivery.status)).all()
        return len(rows) == count and set(rows) == {DeliveryStatus.succeeded}

    try:
        with transaction(sessions) as session:
            _, secret = webhooks.subscribe(session, settings, role="bureau", organisation="bureau", url=rx.url,
                                           event_types=["lawyer.verified"], active=True, description=None)
        rx.secrets.append(secret)
        env = service_env(database_url, tmp_path / "data", **WEBHOOK_ENV)
        workers = [Proc(["webhooks", "deliver"], env, tmp_path / f"worker{i}.log") for i in (1, 2)]
        try:
            for worker in workers:
                wait_for(lambda w=worker: "delivering webhooks" in w.output(), timeout=60, what="a worker polling")  # type: ignore[misc]
            with transaction(sessions) as session:
                for n in range(count):
                    events.publish(session, "lawyer.verified", subject=f"lawyer:{n}", data={"lawyer_id": n})
            wait_for(lambda: len(rx.unique()) >= count, timeout=60, what=f"{count} events delivered")
            wait_for(all_recorded, timeout=30, what="every delivery recorded as succeeded")
            for worker in workers:
                worker.signal(signal.SIGTERM)
            for worker in workers:
                assert worker.wait(30) == 0, worker.output()
        finally:
            for worker in workers:
                worker.close()
        with sessions() as session:
            rows = session.scalars(select(WebhookDelivery)).all()
    finally:
        engine.dispose()
    assert len(rx.received) == count and len(rx.unique()) == count, f"{len(rx.received)} requests, {len(rx.unique())} events"
    assert rx.unsigned() == []
    assert {(r.status, r.attempts) for r in rows} == {(DeliveryStatus.succeeded, 1)} and len(rows) == count
    sent = [int(re.search(r"(\d+) deliveries attempted", w.output()).group(1)) for w in workers]  # type: ignore[union-attr]
    assert sum(sent) == count
    if database_url.startswith("postgresql"):
        assert min(sent) > 0, f"one worker did everything: {sent}"  # both really worked at once
