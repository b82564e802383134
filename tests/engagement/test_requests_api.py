"""Consultation requests through the API: offering, answering, the states, who sees what."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from embeddings.encoder import Encoder
from service.main import create_app
from service.repositories import events as event_repo
from service.settings import Settings
from service.state import Runtime
from tests.conftest import all_keys, make_settings, started
from tests.engagement._world import ADMIN, World, build_world


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # no sweeper in these tests: nothing expires unless a test says so
    return make_settings(tmp_path, database_url, registration_rate_limit_per_minute=1000, sweep_interval_seconds=0)


@pytest.fixture
def world(client: TestClient) -> World:
    return build_world(client)


def test_chosen_lawyers_get_the_request_and_answer_it(world: World, runtime: Runtime) -> None:
    client = world.client
    need = world.need()
    a, b, _ = world.ranked(need)
    sent = client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [a, b]}, headers=world.enterprise)
    assert sent.status_code == 201, sent.text
    items = sent.json()["items"]
    assert [(i["lawyer"]["id"], i["state"], i["round"], i["auto"], i["contact"]) for i in items] == [
        (a, "pending", 1, False, None),
        (b, "pending", 2, False, None),
    ]
    # each lawyer sees their own request, with the need, and not the other's
    inbox_a = world.inbox(a)
    assert [i["id"] for i in inbox_a] == [items[0]["id"]] and inbox_a[0]["need"]["id"] == need
    assert "contact_email" not in all_keys(inbox_a)
    # B cannot answer A's request: it is not B's
    assert client.post(f"/v1/requests/{items[0]['id']}/accept", headers=world.tokens[b]).status_code == 404
    accepted = client.post(f"/v1/requests/{items[0]['id']}/accept", headers=world.tokens[a])
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    declined = client.post(f"/v1/requests/{items[1]['id']}/decline", json={"reason": "conflict of interest"}, headers=world.tokens[b])
    assert declined.status_code == 200 and declined.json()["reason"] == "conflict of interest"
    # answering twice is a state conflict
    again = client.post(f"/v1/requests/{items[0]['id']}/decline", json={"reason": "changed my mind"}, headers=world.tokens[a])
    assert again.status_code == 409 and "accepted" in again.json()["detail"]
    history = client.get(f"/v1/needs/{need}/requests", headers=world.enterprise).json()["items"]
    assert [h["state"] for h in history] == ["accepted", "declined"]
    # the lawyer did not consent to contact sharing (registration default): no contact even accepted
    assert history[0]["contact"] is None
    with runtime.sessions() as session:
        types = [e.type for e in event_repo.since(session, 0, limit=50)]
    assert types.count("request.created") == 2 and "request.accepted" in types and "request.declined" in types


def test_contact_details_only_after_acceptance_and_with_consent(world: World) -> None:
    client = world.client
    a = world.lawyers[0]
    assert client.put("/v1/lawyers/me/consent", json={"contact_sharing": True}, headers=world.tokens[a]).status_code == 200
    need = world.need()
    request_id = client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [a]}, headers=world.enterprise).json()["items"][0]["id"]
    pending = client.get(f"/v1/needs/{need}/requests", headers=world.enterprise).json()["items"][0]
    assert pending["contact"] is None
    client.post(f"/v1/requests/{request_id}/accept", headers=world.tokens[a])
    shared = client.get(f"/v1/needs/{need}/requests", headers=world.enterprise).json()["items"][0]
    me = client.get("/v1/lawyers/me", headers=world.tokens[a]).json()
    assert shared["contact"] == {"email": me["email"], "phone": me["phone"]}
    # another organisation sees neither the need's history nor can act on the request
    assert client.get(f"/v1/needs/{need}/requests", headers=world.other).status_code == 404
    assert client.post(f"/v1/requests/{request_id}/engage", headers=world.other).status_code == 404


def test_the_engagement_runs_accepted_engaged_closed(world: World) -> None:
    client = world.client
    a = world.lawyers[0]
    need = world.need()
    request_id = client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [a]}, headers=world.enterprise).json()["items"][0]["id"]
    # closing before engaging, engaging before acceptance: 409 with what is allowed
    assert client.post(f"/v1/requests/{request_id}/engage", headers=world.enterprise).status_code == 409
    assert client.post(f"/v1/requests/{request_id}/accept", headers=world.tokens[a]).status_code == 200
    assert client.get("/v1/lawyers/me", headers=world.tokens[a]).json()["open_engagements"] == 1
    bad = client.post(f"/v1/requests/{request_id}/close", json={"rating": 5, "solved": True}, headers=world.enterprise)
    assert bad.status_code == 409 and "engaged" in bad.json()["detail"]
    assert client.post(f"/v1/requests/{request_id}/engage", headers=world.enterprise).json()["state"] == "engaged"
    assert client.post(f"/v1/requests/{request_id}/close", json={"rating": 6, "solved": True}, headers=world.enterprise).status_code == 422
    closed = client.post(f"/v1/requests/{request_id}/close", json={"rating": 4, "solved": False}, headers=world.enterprise)
    assert closed.status_code == 200 and (closed.json()["state"], closed.json()["rating"], closed.json()["solved"]) == ("closed", 4, False)
    assert client.get("/v1/lawyers/me", headers=world.tokens[a]).json()["open_engagements"] == 0
    # a closed request cannot be withdrawn
    assert client.post(f"/v1/requests/{request_id}/withdraw", headers=world.enterprise).status_code == 409


def test_only_recommended_lawyers_may_be_asked_and_each_once(world: World) -> None:
    client = world.client
    need = world.need()
    a = world.lawyers[0]
    # a lawyer who does not serve the need's country is not recommended for it
    elsewhere = client.patch("/v1/lawyers/me", json={"countries": ["TH"]}, headers=world.tokens[world.lawyers[2]])
    assert elsewhere.status_code == 200
    refused = client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [a, world.lawyers[2]]}, headers=world.enterprise)
    assert refused.status_code == 409 and "countries" in refused.json()["detail"]
    # all or none: A was not asked either
    assert client.get(f"/v1/needs/{need}/requests", headers=world.enterprise).json()["items"] == []
    assert client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [a]}, headers=world.enterprise).status_code == 201
    twice = client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [a]}, headers=world.enterprise)
    assert twice.status_code == 409 and "once per need" in twice.json()["detail"]
    for body in ({}, {"auto": True, "lawyer_ids": [a]}, {"auto": False}, {"lawyer_ids": []}):
        assert client.post(f"/v1/needs/{need}/requests", json=body, headers=world.enterprise).status_code == 422, body
    assert client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [a]}, headers=world.other).status_code == 404


def test_auto_offers_the_best_and_moves_on_after_a_decline(world: World) -> None:
    client = world.client
    need = world.need()
    ranked = world.ranked(need)
    first = client.post(f"/v1/needs/{need}/requests", json={"auto": True}, headers=world.enterprise)
    assert first.status_code == 201, first.text
    offer = first.json()["items"][0]
    assert offer["lawyer"]["id"] == ranked[0] and offer["auto"] is True
    # one automatic offer at a time
    assert client.post(f"/v1/needs/{need}/requests", json={"auto": True}, headers=world.enterprise).status_code == 409
    client.post(f"/v1/requests/{offer['id']}/decline", json={"reason": "too busy"}, headers=world.tokens[ranked[0]])
    history = client.get(f"/v1/needs/{need}/requests", headers=world.enterprise).json()["items"]
    assert [(h["lawyer"]["id"], h["state"], h["round"]) for h in history] == [(ranked[0], "declined", 1), (ranked[1], "pending", 2)]
    assert len(world.inbox(ranked[1], state="pending")) == 1


def test_withdrawal_by_the_enterprise(world: World) -> None:
    client = world.client
    need = world.need()
    offer = client.post(f"/v1/needs/{need}/requests", json={"auto": True}, headers=world.enterprise).json()["items"][0]
    lawyer = offer["lawyer"]["id"]
    withdrawn = client.post(f"/v1/requests/{offer['id']}/withdraw", json={"reason": "settled"}, headers=world.enterprise)
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    # no further offer after a withdrawal; the lawyer can no longer accept
    assert len(client.get(f"/v1/needs/{need}/requests", headers=world.enterprise).json()["items"]) == 1
    assert client.post(f"/v1/requests/{offer['id']}/accept", headers=world.tokens[lawyer]).status_code == 409


def test_an_expired_request_cannot_be_accepted(tmp_path: Path, database_url: str, encoder: Encoder) -> None:
    settings = make_settings(tmp_path, database_url, registration_rate_limit_per_minute=1000, sweep_interval_seconds=0, request_sla_seconds=0.5)
    runtime = Runtime.build(settings, encoder=encoder)
    try:
        with started(create_app(settings, runtime=runtime)) as client:
            world = build_world(client, lawyers=1)
            need = world.need()
            offer = client.post(f"/v1/needs/{need}/requests", json={"auto": True}, headers=world.enterprise).json()["items"][0]
            import time

            time.sleep(0.7)
            late = client.post(f"/v1/requests/{offer['id']}/accept", headers=world.tokens[world.lawyers[0]])
            assert late.status_code == 409 and "expired" in late.json()["detail"]
    finally:
        runtime.engine.dispose()


def test_admin_sees_any_history(world: World) -> None:
    need = world.need()
    world.client.post(f"/v1/needs/{need}/requests", json={"auto": True}, headers=world.enterprise)
    assert len(world.client.get(f"/v1/needs/{need}/requests", headers=ADMIN).json()["items"]) == 1


def test_deleting_a_need_withdraws_its_requests_and_frees_the_lawyer(world: World, runtime: Runtime) -> None:
    client = world.client
    a = world.lawyers[0]
    client.patch("/v1/lawyers/me", json={"max_open_engagements": 1}, headers=world.tokens[a])
    need = world.need()
    request_id = client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [a]}, headers=world.enterprise).json()["items"][0]["id"]
    client.post(f"/v1/requests/{request_id}/accept", headers=world.tokens[a])
    assert client.get("/v1/lawyers/me", headers=world.tokens[a]).json()["at_capacity"] is True
    assert client.delete(f"/v1/needs/{need}", headers=world.enterprise).status_code == 204
    me = client.get("/v1/lawyers/me", headers=world.tokens[a]).json()
    assert (me["open_engagements"], me["at_capacity"]) == (0, False)
    assert world.inbox(a) == []
    with runtime.sessions() as session:
        withdrawn = [e for e in event_repo.since(session, 0, limit=100) if e.type == "request.withdrawn"]
    assert [e.data["request_id"] for e in withdrawn] == [request_id]
