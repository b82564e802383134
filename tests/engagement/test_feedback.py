"""Closing feedback and answers become the lawyer's track record: a soft factor of the score."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from models import ConsultationRequest
from models.base import utcnow
from service.engagement import requests, sla
from service.settings import Settings
from service.state import Runtime
from tests.conftest import make_settings
from tests.engagement._world import World, build_world

MATCH = {"description": "EPC arbitration in Kazakhstan over a solar plant", "countries": ["KZ"]}


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, registration_rate_limit_per_minute=1000, sweep_interval_seconds=0)


@pytest.fixture
def world(client: TestClient) -> World:
    return build_world(client, lawyers=2)


def _result(world: World, lawyer_id: int) -> dict:  # type: ignore[type-arg]
    results = world.client.post("/v1/match", json=MATCH, headers=world.enterprise).json()["results"]
    return next(r for r in results if r["lawyer"]["id"] == lawyer_id)


def test_good_engagements_lift_the_score_and_say_so(world: World) -> None:
    client = world.client
    lawyer = world.lawyers[0]
    before = _result(world, lawyer)
    assert before["components"]["track_record"] == 0.5
    assert not any(r.startswith("Track record") for r in before["reasons"])
    for _ in range(5):
        need = world.need()
        request_id = client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [lawyer]}, headers=world.enterprise).json()["items"][0]["id"]
        assert client.post(f"/v1/requests/{request_id}/accept", headers=world.tokens[lawyer]).status_code == 200
        client.post(f"/v1/requests/{request_id}/engage", headers=world.enterprise)
        closed = client.post(f"/v1/requests/{request_id}/close", json={"rating": 5, "solved": True}, headers=world.enterprise)
        assert closed.status_code == 200
    after = _result(world, lawyer)
    assert after["components"]["track_record"] > 0.55
    assert after["score"] > before["score"]
    assert any(r.startswith("Track record: answers in") and "rated 5.0/5 over 5 engagements" in r for r in after["reasons"])
    # the other lawyer, without history, is untouched
    other = _result(world, world.lawyers[1])
    assert other["components"]["track_record"] == 0.5


def test_requests_left_to_expire_lower_the_record_without_a_reason_line(world: World, runtime: Runtime) -> None:
    client = world.client
    lawyer = world.lawyers[1]
    for _ in range(4):
        need = world.need()
        client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [lawyer]}, headers=world.enterprise)
    with runtime.sessions() as session, session.begin():  # the clock runs out on all four
        session.execute(update(ConsultationRequest).values(deadline_at=utcnow() - timedelta(seconds=1)))
    assert sla.sweep(runtime.sessions, runtime.matcher, requests.Policy.of(runtime.settings)) == 4
    runtime.sync()  # the sweeper's profile changes reach matching through the feed (the follower, or now)
    result = _result(world, lawyer)
    assert result["components"]["track_record"] < 0.5
    assert not any(r.startswith("Track record") for r in result["reasons"])


def test_quick_declines_are_neutral(world: World) -> None:
    # answering at once but declining: responsive, not accepting; the two balance out
    client = world.client
    lawyer = world.lawyers[1]
    for _ in range(4):
        need = world.need()
        request_id = client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [lawyer]}, headers=world.enterprise).json()["items"][0]["id"]
        client.post(f"/v1/requests/{request_id}/decline", json={"reason": "busy"}, headers=world.tokens[lawyer])
    assert abs(_result(world, lawyer)["components"]["track_record"] - 0.5) < 0.01
