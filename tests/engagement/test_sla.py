"""The SLA clock: an overdue pending request expires and the need goes to the next best lawyer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from embeddings.encoder import Encoder
from service.engagement import requests, sla
from service.main import create_app
from service.repositories import events as event_repo
from service.state import Runtime
from tests.conftest import make_settings, started
from tests.engagement._world import World, build_world


@pytest.fixture
def make(tmp_path: Path, database_url: str, encoder: Encoder) -> Iterator[Any]:
    runtimes: list[Runtime] = []

    def build(**overrides: Any) -> tuple[Runtime, Any]:
        values = {"registration_rate_limit_per_minute": 1000, "sweep_interval_seconds": 0, "request_sla_seconds": 0.4} | overrides
        settings = make_settings(tmp_path, database_url, **values)
        runtime = Runtime.build(settings, encoder=encoder)
        runtimes.append(runtime)
        return runtime, started(create_app(settings, runtime=runtime))

    yield build
    for runtime in runtimes:
        runtime.engine.dispose()


def _history(world: World, need: int) -> list[tuple[int, str, int]]:
    items = world.client.get(f"/v1/needs/{need}/requests", headers=world.enterprise).json()["items"]
    return [(i["lawyer"]["id"], i["state"], i["round"]) for i in items]


def test_expiry_offers_the_next_best_never_the_same_lawyer_twice_up_to_the_rounds(make: Any) -> None:
    runtime, app = make(request_max_rounds=3)
    policy = requests.Policy.of(runtime.settings)
    with app as client:
        world = build_world(client, lawyers=4)
        need = world.need()
        ranked = world.ranked(need)
        assert client.post(f"/v1/needs/{need}/requests", json={"auto": True}, headers=world.enterprise).status_code == 201
        # nothing is overdue yet
        assert sla.sweep(runtime.sessions, runtime.matcher, policy) == 0
        for round_ in (2, 3):
            time.sleep(0.45)
            assert sla.sweep(runtime.sessions, runtime.matcher, policy) == 1
            history = _history(world, need)
            assert history[-1] == (ranked[round_ - 1], "pending", round_)
            assert [state for _, state, _ in history[:-1]] == ["expired"] * (round_ - 1)
        time.sleep(0.45)
        assert sla.sweep(runtime.sessions, runtime.matcher, policy) == 1
        # the rounds are spent: the third expiry offers the need to nobody
        history = _history(world, need)
        assert [(lawyer, state) for lawyer, state, _ in history] == [(ranked[0], "expired"), (ranked[1], "expired"), (ranked[2], "expired")]
        assert len({lawyer for lawyer, _, _ in history}) == 3
        with runtime.sessions() as session:
            types = [e.type for e in event_repo.since(session, 0, limit=100) if e.type.startswith("request.")]
        assert types.count("request.expired") == 3 and types.count("request.created") == 3


def test_a_decline_before_an_expiry_moves_on_once(make: Any) -> None:
    runtime, app = make(request_max_rounds=5)
    with app as client:
        world = build_world(client, lawyers=3)
        need = world.need()
        ranked = world.ranked(need)
        offer = client.post(f"/v1/needs/{need}/requests", json={"auto": True}, headers=world.enterprise).json()["items"][0]
        client.post(f"/v1/requests/{offer['id']}/decline", json={"reason": "on leave"}, headers=world.tokens[ranked[0]])
        time.sleep(0.45)
        # the declined request is not pending: only the second offer expires
        assert sla.sweep(runtime.sessions, runtime.matcher, requests.Policy.of(runtime.settings)) == 1
        assert _history(world, need) == [(ranked[0], "declined", 1), (ranked[1], "expired", 2), (ranked[2], "pending", 3)]


def test_the_servers_own_sweeper_acts_on_time(make: Any) -> None:
    runtime, app = make(request_sla_seconds=1.0, sweep_interval_seconds=0.1)
    with app as client:
        world = build_world(client, lawyers=2)
        need = world.need()
        offer = client.post(f"/v1/needs/{need}/requests", json={"auto": True}, headers=world.enterprise).json()["items"][0]
        deadline = offer["deadline_at"]
        while len(_history(world, need)) < 2:
            time.sleep(0.05)
        history = client.get(f"/v1/needs/{need}/requests", headers=world.enterprise).json()["items"]
        assert history[0]["state"] == "expired" and history[1]["state"] == "pending"
        from datetime import datetime

        # acted on (the next offer made) within a sweep or two of the deadline, never before it
        late = (datetime.fromisoformat(history[1]["created_at"]) - datetime.fromisoformat(deadline)).total_seconds()
        assert 0 <= late < 1.0, late
