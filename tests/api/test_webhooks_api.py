"""Webhooks end to end in one process: subscriptions through the API, events published by the
admin routes, deliveries sent by the real dispatcher to a real local HTTP receiver that checks
every signature. The dispatcher is driven by the test here (its background thread is off), so
each step is seen; tests/integration/test_webhooks_procs.py runs it in real server processes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.db import transaction
from service.engagement import events
from service.engagement.dispatch import Dispatcher, backoff
from service.settings import Settings
from service.state import Runtime
from tests._receiver import Answer, Receiver, receiving
from tests.api.test_authz_matrix import registration
from tests.conftest import ADMIN_KEY, make_settings

ADMIN = {"X-API-Key": ADMIN_KEY}
LAWYER_EVENTS = ["lawyer.verified", "lawyer.suspended"]


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        webhook_allow_private_addresses=True,  # the receiver is on 127.0.0.1
        webhook_dispatcher=False,  # driven by the tests
        webhook_backoff_seconds=0.01,
        webhook_backoff_max_seconds=0.05,
        webhook_timeout_seconds=2,
        webhook_claim_seconds=5,
        registration_rate_limit_per_minute=1000,
    )


@pytest.fixture
def dispatcher(runtime: Runtime, settings: Settings) -> Iterator[Dispatcher]:
    worker = Dispatcher(runtime.sessions, settings)
    yield worker
    worker.close()


@pytest.fixture
def rx() -> Iterator[Receiver]:
    with receiving() as receiver:
        yield receiver


def subscribe(client: TestClient, receiver: Receiver, types: list[str], headers: dict[str, str] = ADMIN) -> dict[str, Any]:
    response = client.post("/v1/webhooks", json={"url": receiver.url, "event_types": types}, headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    receiver.secrets.append(response.json()["secret"])
    return response.json()


def verified_lawyer(client: TestClient) -> int:
    lawyer_id = client.post("/v1/lawyers", json=registration()).json()["id"]
    assert client.post(f"/v1/lawyers/{lawyer_id}/verify", json={"reason": "documents checked"}, headers=ADMIN).status_code == 200
    return int(lawyer_id)


def deliveries(client: TestClient, webhook_id: int, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"/v1/webhooks/{webhook_id}/deliveries", params=params, headers=ADMIN)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def until(condition: Any, dispatcher: Dispatcher, timeout: float = 10) -> None:
    """Dispatch rounds until the condition holds (retries come due after their backoff)."""
    deadline = time.monotonic() + timeout
    while True:
        dispatcher.run_once()
        if condition():
            return
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.02)


def test_admin_verify_and_suspend_reach_the_subscriber_signed_and_once(
    client: TestClient, dispatcher: Dispatcher, rx: Receiver
) -> None:
    verified_lawyer(client)  # before the subscription: not sent to it
    hook = subscribe(client, rx, LAWYER_EVENTS)
    assert hook["secret"].startswith("whsec_") and hook["event_types"] == LAWYER_EVENTS
    shown = client.get(f"/v1/webhooks/{hook['id']}", headers=ADMIN)
    assert shown.status_code == 200 and "secret" not in shown.json()

    lawyer_id = verified_lawyer(client)
    assert client.post(f"/v1/lawyers/{lawyer_id}/suspend", json={"reason": "licence lapsed"}, headers=ADMIN).status_code == 200
    # suspending again changes nothing, and tells nobody
    assert client.post(f"/v1/lawyers/{lawyer_id}/suspend", json={"reason": "again"}, headers=ADMIN).status_code == 200
    dispatcher.run_until_idle()

    assert rx.unsigned() == []
    # sent side by side: in any order (receivers order by occurred_at)
    assert sorted(r.json()["type"] for r in rx.received) == sorted(LAWYER_EVENTS)
    for request in rx.received:
        body = request.json()
        assert body["id"] == request.headers["Webhook-Id"] and body["subject"] == f"lawyer:{lawyer_id}"
        assert set(body) == {"id", "type", "occurred_at", "subject", "data"}
        assert body["data"]["lawyer_id"] == lawyer_id
        assert "email" not in request.body.decode() and "licence lapsed" not in request.body.decode()
        assert request.headers["Content-Type"] == "application/json" and request.path == "/hook"
    assert [r.json()["data"]["renewal"] for r in rx.received if r.json()["type"] == "lawyer.verified"] == [False]

    dispatcher.run_until_idle()  # nothing is sent twice
    assert len(rx.received) == 2
    log = deliveries(client, hook["id"])
    assert [(d["event_type"], d["status"], d["attempts"], d["response_status"]) for d in log] == [
        ("lawyer.suspended", "succeeded", 1, 204),
        ("lawyer.verified", "succeeded", 1, 204),
    ]
    assert {d["event_id"] for d in log} == {r.id for r in rx.received}


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers_or_attempts_run_out(
    client: TestClient, runtime: Runtime, settings: Settings, rx: Receiver
) -> None:
    # the first two attempts get a 500, the third a 200
    rx.script = lambda _request, n: Answer(500, b"busy") if n < 2 else Answer(200, b"ok")
    hook = subscribe(client, rx, ["lawyer.verified"])
    verified_lawyer(client)
    worker = Dispatcher(runtime.sessions, settings)
    try:
        until(lambda: deliveries(client, hook["id"])[0]["status"] == "succeeded", worker)
    finally:
        worker.close()
    [delivery] = deliveries(client, hook["id"])
    assert (delivery["attempts"], delivery["response_status"], delivery["response_excerpt"], delivery["error"]) == (3, 200, "ok", None)
    assert len(rx.received) == 3 and len(rx.unique()) == 1 and rx.unsigned() == []
    assert len({r.body for r in rx.received}) == 1  # every retry carries the same event

    # a receiver that never answers 2xx: failed after MATCHMAKER_WEBHOOK_MAX_ATTEMPTS
    rx.script = lambda _request, _n: Answer(503)
    worker = Dispatcher(runtime.sessions, settings.model_copy(update={"webhook_max_attempts": 3}))
    try:
        verified_lawyer(client)
        until(lambda: deliveries(client, hook["id"])[0]["status"] == "failed", worker)
    finally:
        worker.close()
    failed = deliveries(client, hook["id"], status="failed")
    assert [(d["attempts"], d["response_status"], d["next_attempt_at"]) for d in failed] == [(3, 503, None)]
    assert "503" in failed[0]["error"]


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    assert [backoff(n, 10, 3600, rng=lambda low, high: high) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert [backoff(n, 10, 3600, rng=lambda low, high: low) for n in (1, 2, 3)] == [5, 10, 20]
    assert backoff(30, 10, 3600, rng=lambda low, high: high) == 3600
    assert len({backoff(3, 10, 3600) for _ in range(20)}) > 1  # jittered


def test_replay_sends_the_same_event_again_and_the_log_tells(client: TestClient, dispatcher: Dispatcher, rx: Receiver) -> None:
    hook = subscribe(client, rx, ["lawyer.verified"])
    verified_lawyer(client)
    dispatcher.run_until_idle()
    [first] = deliveries(client, hook["id"])

    replayed = client.post(f"/v1/webhooks/deliveries/{first['id']}/replay", headers=ADMIN)
    assert replayed.status_code == 202, replayed.text
    assert (replayed.json()["status"], replayed.json()["replay_of"], replayed.json()["event_id"]) == ("pending", first["id"], first["event_id"])
    again = client.post(f"/v1/webhooks/deliveries/{first['id']}/replay", headers=ADMIN)
    assert (again.status_code, again.json()["id"]) == (202, replayed.json()["id"])  # replays do not pile up
    dispatcher.run_until_idle()
    assert len(rx.received) == 2 and len(rx.unique()) == 1 and rx.unsigned() == []
    log = deliveries(client, hook["id"])
    assert [(d["status"], d["replay_of"]) for d in log] == [("succeeded", first["id"]), ("succeeded", None)]

    # a paused subscription receives nothing new and cannot be replayed to
    assert client.patch(f"/v1/webhooks/{hook['id']}", json={"active": False}, headers=ADMIN).json()["active"] is False
    assert client.post(f"/v1/webhooks/deliveries/{first['id']}/replay", headers=ADMIN).status_code == 409
    verified_lawyer(client)
    dispatcher.run_until_idle()
    assert len(rx.received) == 2 and len(deliveries(client, hook["id"])) == 2
    assert client.post("/v1/webhooks/deliveries/999999/replay", headers=ADMIN).status_code == 404


def test_a_rotated_secret_signs_beside_the_old_one_for_the_grace_then_alone(
    client: TestClient, dispatcher: Dispatcher, rx: Receiver
) -> None:
    hook = subscribe(client, rx, ["lawyer.verified"])
    old = hook["secret"]
    rotated = client.post(f"/v1/webhooks/{hook['id']}/rotate-secret", headers=ADMIN)
    assert rotated.status_code == 200 and rotated.headers["cache-control"] == "no-store"
    new = rotated.json()["secret"]
    assert new != old and new.startswith("whsec_") and "secret" not in client.get(f"/v1/webhooks/{hook['id']}", headers=ADMIN).json()
    verified_lawyer(client)
    dispatcher.run_until_idle()
    # during the grace (a day by default) both sign: receivers on either secret accept
    assert len(rx.received[0].headers["Webhook-Signature"].split()) == 2
    for secret in (old, new):
        rx.secrets[:] = [secret]
        assert rx.unsigned() == []

    # a leaked secret is ended at once
    newest = client.post(f"/v1/webhooks/{hook['id']}/rotate-secret", params={"grace_seconds": 0}, headers=ADMIN).json()["secret"]
    rx.received.clear()
    verified_lawyer(client)
    dispatcher.run_until_idle()
    [request] = rx.received
    assert len(request.headers["Webhook-Signature"].split()) == 1
    rx.secrets[:] = [new]
    assert rx.unsigned() == [request]
    rx.secrets[:] = [newest]
    assert rx.unsigned() == []


def test_redirects_are_not_followed_and_answers_are_read_only_in_part(
    client: TestClient, runtime: Runtime, settings: Settings, rx: Receiver
) -> None:
    rx.script = lambda request, _n: (
        Answer(302, headers={"Location": "/elsewhere"}) if request.path == "/hook" else Answer(200)
    )
    hook = subscribe(client, rx, ["lawyer.verified"])
    verified_lawyer(client)
    # a long backoff: the retry waits, and the replay below sends it at once
    worker = Dispatcher(runtime.sessions, settings.model_copy(update={"webhook_backoff_seconds": 3600.0, "webhook_backoff_max_seconds": 7200.0}))
    try:
        worker.run_until_idle()
        [delivery] = deliveries(client, hook["id"])
        assert (delivery["status"], delivery["attempts"], delivery["response_status"]) == ("pending", 1, 302), delivery
        assert "redirect" in delivery["error"]
        assert [r.path for r in rx.received] == ["/hook"]  # /elsewhere never asked

        rx.script = lambda _request, _n: Answer(200, b"x" * 2_000_000)
        assert client.post(f"/v1/webhooks/deliveries/{delivery['id']}/replay", headers=ADMIN).status_code == 202
        worker.run_until_idle()
    finally:
        worker.close()
    [delivery] = deliveries(client, hook["id"])
    assert (delivery["status"], delivery["response_status"], delivery["response_excerpt"]) == ("succeeded", 200, "x" * 500)


def test_an_enterprise_subscribes_to_its_own_organisations_events_only(
    client: TestClient, runtime: Runtime, dispatcher: Dispatcher, rx: Receiver
) -> None:
    def key(role: str, organisation: str) -> dict[str, str]:
        made = client.post("/v1/admin/api-keys", json={"name": "k", "role": role, "organisation": organisation}, headers=ADMIN)
        return {"X-API-Key": made.json()["api_key"]}

    x, y, bureau = key("enterprise", "X Corp"), key("enterprise", "Y Corp"), key("bureau", "Shanghai Commerce Bureau")
    refused = client.post("/v1/webhooks", json={"url": rx.url, "event_types": ["lawyer.verified"]}, headers=x)
    assert refused.status_code == 422 and "lawyer.verified" in refused.json()["detail"]
    hook_x = subscribe(client, rx, ["request.accepted"], headers=x)
    with receiving() as bureau_rx:
        subscribe(client, bureau_rx, ["request.accepted"], headers=bureau)
        assert client.get(f"/v1/webhooks/{hook_x['id']}", headers=y).status_code == 404
        assert client.get(f"/v1/webhooks/{hook_x['id']}", headers=bureau).status_code == 404
        assert client.get("/v1/webhooks", headers=y).json()["total"] == 0
        assert [h["id"] for h in client.get("/v1/webhooks", headers=x).json()["items"]] == [hook_x["id"]]
        assert client.get("/v1/webhooks", headers=ADMIN).json()["total"] == 2

        with transaction(runtime.sessions) as session:
            for organisation in ("X Corp", "Y Corp"):
                events.publish(session, "request.accepted", subject="request:1", data={"request_id": 1}, organisation=organisation)
        dispatcher.run_until_idle()
        assert [r.json()["subject"] for r in rx.received] == ["request:1"]
        assert len(bureau_rx.received) == 2 and bureau_rx.unsigned() == [] and rx.unsigned() == []


def test_bad_subscriptions_are_refused_with_what_to_fix(client: TestClient, settings: Settings, rx: Receiver) -> None:
    cases = [
        ({"url": rx.url, "event_types": ["request.acepted"]}, "event_types"),
        ({"url": rx.url, "event_types": []}, "event_types"),
        ({"url": "ftp://example.com/x", "event_types": ["request.accepted"]}, "url"),
        ({"url": "https://user:pw@example.com/x", "event_types": ["request.accepted"]}, "url"),
        ({"url": rx.url, "event_types": ["request.accepted"], "secret": "mine"}, "secret"),
    ]
    for body, field in cases:
        response = client.post("/v1/webhooks", json=body, headers=ADMIN)
        assert response.status_code == 422, (body, response.text)
        assert field in response.json()["detail"], response.text
    for _ in range(settings.webhook_max_subscriptions):
        assert client.post("/v1/webhooks", json={"url": rx.url, "event_types": ["request.accepted"]}, headers=ADMIN).status_code == 201
    too_many = client.post("/v1/webhooks", json={"url": rx.url, "event_types": ["request.accepted"]}, headers=ADMIN)
    assert too_many.status_code == 409 and "delete one" in too_many.json()["detail"]
    hook_id = client.get("/v1/webhooks", headers=ADMIN).json()["items"][0]["id"]
    assert client.delete(f"/v1/webhooks/{hook_id}", headers=ADMIN).status_code == 204
    assert client.get(f"/v1/webhooks/{hook_id}", headers=ADMIN).status_code == 404


def test_replaying_a_delivery_waiting_for_its_retry_sends_it_now(
    client: TestClient, runtime: Runtime, settings: Settings, rx: Receiver
) -> None:
    rx.script = lambda _request, n: Answer(500) if n == 0 else Answer(204)
    hook = subscribe(client, rx, ["lawyer.verified"])
    verified_lawyer(client)
    worker = Dispatcher(runtime.sessions, settings.model_copy(update={"webhook_backoff_seconds": 3600.0, "webhook_backoff_max_seconds": 7200.0}))
    try:
        worker.run_until_idle()
        [waiting] = deliveries(client, hook["id"])
        assert (waiting["status"], waiting["attempts"], len(rx.received)) == ("pending", 1, 1)  # next try in half an hour or more
        worker.run_until_idle()
        assert len(rx.received) == 1
        replayed = client.post(f"/v1/webhooks/deliveries/{waiting['id']}/replay", headers=ADMIN)
        assert (replayed.status_code, replayed.json()["id"]) == (202, waiting["id"])
        worker.run_until_idle()
    finally:
        worker.close()
    assert [(d["id"], d["status"], d["attempts"]) for d in deliveries(client, hook["id"])] == [(waiting["id"], "succeeded", 2)]
    assert len(rx.unique()) == 1 and rx.unsigned() == []
