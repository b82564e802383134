"""The consultation requests' events reach the subscribers they concern: the enterprise whose need
it is, and the bureau; never another enterprise; signed, each once, and without contact details.

Runs where the consultation requests exist (feat/engagement); skipped before they are merged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("service.engagement.requests", reason="consultation requests arrive with feat/engagement")

from fastapi.testclient import TestClient  # noqa: E402

from service.engagement.dispatch import Dispatcher  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.state import Runtime  # noqa: E402
from tests._receiver import Receiver, receiving  # noqa: E402
from tests.conftest import ADMIN_KEY, make_settings  # noqa: E402
from tests.engagement._world import build_world  # noqa: E402

ADMIN = {"X-API-Key": ADMIN_KEY}
REQUEST_EVENTS = ["request.created", "request.accepted", "request.declined", "request.expired", "request.withdrawn"]


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path, database_url, webhook_allow_private_addresses=True, webhook_dispatcher=False,
        registration_rate_limit_per_minute=1000,
    )


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver, Receiver]]:
    with receiving() as enterprise, receiving() as other, receiving() as bureau:
        yield enterprise, other, bureau


def _subscribe(client: TestClient, receiver: Receiver, headers: dict[str, str]) -> None:
    made = client.post("/v1/webhooks", json={"url": receiver.url, "event_types": REQUEST_EVENTS}, headers=headers)
    assert made.status_code == 201, made.text
    receiver.secrets.append(made.json()["secret"])


def test_request_events_reach_the_needs_enterprise_and_the_bureau_only(
    client: TestClient, runtime: Runtime, settings: Settings, receivers: tuple[Receiver, Receiver, Receiver]
) -> None:
    enterprise_rx, other_rx, bureau_rx = receivers
    world = build_world(client, lawyers=2)
    bureau = client.post("/v1/admin/api-keys", json={"name": "b", "role": "bureau", "organisation": "Shanghai"}, headers=ADMIN)
    _subscribe(client, enterprise_rx, world.enterprise)
    _subscribe(client, other_rx, world.other)
    _subscribe(client, bureau_rx, {"X-API-Key": bureau.json()["api_key"]})

    need_id = world.need()
    lawyer_id = world.ranked(need_id)[0]
    sent = client.post(f"/v1/needs/{need_id}/requests", json={"lawyer_ids": [lawyer_id]}, headers=world.enterprise)
    assert sent.status_code == 201, sent.text
    request_id = sent.json()["items"][0]["id"]
    accepted = client.post(f"/v1/requests/{request_id}/accept", headers=world.tokens[lawyer_id])
    assert accepted.status_code == 200, accepted.text

    dispatcher = Dispatcher(runtime.sessions, settings)
    try:
        dispatcher.run_until_idle()
    finally:
        dispatcher.close()
    for receiver in (enterprise_rx, bureau_rx):
        assert receiver.unsigned() == []
        assert sorted(r.json()["type"] for r in receiver.received) == ["request.accepted", "request.created"]
        assert {r.json()["subject"] for r in receiver.received} == {f"request:{request_id}"}
        for request in receiver.received:
            body = request.body.decode()
            assert "@" not in body and "+86" not in body, body  # no e-mail or phone, even after acceptance
    assert other_rx.received == []
