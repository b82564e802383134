"""A lawyer at capacity or conflicted never appears in matches nor gets the need offered."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from embeddings.encoder import Encoder
from service.matching.catalog import Catalog
from service.settings import Settings
from service.state import Runtime
from tests.conftest import make_settings
from tests.engagement._world import World, build_world


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, registration_rate_limit_per_minute=1000, sweep_interval_seconds=0)


@pytest.fixture
def world(client: TestClient) -> World:
    return build_world(client, lawyers=3)


def _matched(world: World, description: str = "EPC arbitration in Kazakhstan", **fields: object) -> list[int]:
    body = {"description": description, "countries": ["KZ"]} | fields
    answer = world.client.post("/v1/match", json=body, headers=world.enterprise)
    assert answer.status_code == 200, answer.text
    return [r["lawyer"]["id"] for r in answer.json()["results"]]


def test_a_lawyer_at_capacity_is_unavailable_until_an_engagement_closes(world: World) -> None:
    client = world.client
    busy = world.lawyers[0]
    me = client.patch("/v1/lawyers/me", json={"max_open_engagements": 1}, headers=world.tokens[busy]).json()
    assert (me["max_open_engagements"], me["open_engagements"], me["at_capacity"]) == (1, 0, False)
    first = world.need()
    request_id = client.post(f"/v1/needs/{first}/requests", json={"lawyer_ids": [busy]}, headers=world.enterprise).json()["items"][0]["id"]
    # a second request before accepting the first is fine: pending requests are not engagements
    second = world.need()
    second_request = client.post(f"/v1/needs/{second}/requests", json={"lawyer_ids": [busy]}, headers=world.enterprise).json()["items"][0]["id"]
    assert client.post(f"/v1/requests/{request_id}/accept", headers=world.tokens[busy]).status_code == 200
    me = client.get("/v1/lawyers/me", headers=world.tokens[busy]).json()
    assert (me["open_engagements"], me["at_capacity"]) == (1, True)
    # at capacity: not matched, not offered (chosen or automatically), cannot accept another
    assert busy not in world.ranked(world.need()) and busy not in _matched(world)
    third = world.need()
    refused = client.post(f"/v1/needs/{third}/requests", json={"lawyer_ids": [busy]}, headers=world.enterprise)
    assert refused.status_code == 409 and "capacity" in refused.json()["detail"]
    offered = client.post(f"/v1/needs/{third}/requests", json={"auto": True}, headers=world.enterprise).json()["items"][0]
    assert offered["lawyer"]["id"] != busy
    full = client.post(f"/v1/requests/{second_request}/accept", headers=world.tokens[busy])
    assert full.status_code == 409 and "maximum" in full.json()["detail"]
    # the engagement runs and closes: available again, matched again
    client.post(f"/v1/requests/{request_id}/engage", headers=world.enterprise)
    client.post(f"/v1/requests/{request_id}/close", json={"rating": 5, "solved": True}, headers=world.enterprise)
    me = client.get("/v1/lawyers/me", headers=world.tokens[busy]).json()
    assert (me["open_engagements"], me["at_capacity"]) == (0, False)
    assert busy in _matched(world)
    # raising the maximum frees a lawyer at once as well
    assert client.post(f"/v1/requests/{second_request}/accept", headers=world.tokens[busy]).status_code == 200
    assert client.get("/v1/lawyers/me", headers=world.tokens[busy]).json()["at_capacity"] is True
    client.patch("/v1/lawyers/me", json={"max_open_engagements": 2}, headers=world.tokens[busy])
    assert busy in _matched(world)


def test_a_conflicted_lawyer_is_never_recommended_nor_offered(world: World) -> None:
    client = world.client
    conflicted = world.lawyers[2]  # the most senior: first in the ranking when not conflicted
    declared = client.patch(
        "/v1/lawyers/me", json={"adverse_parties": ["哈萨克电网有限公司", "Kazakh Grid Co., Ltd."]}, headers=world.tokens[conflicted]
    )
    assert declared.status_code == 200 and declared.json()["adverse_parties"] == ["哈萨克电网有限公司", "Kazakh Grid Co., Ltd."]
    plain = world.need()
    assert conflicted in world.ranked(plain)
    for spelling in ("ＫＡＺＡＫＨ　ＧＲＩＤ", "哈萨克电网", "kazakh grid ltd"):
        need = world.need(counterparties=[spelling])
        assert conflicted not in world.ranked(need), spelling
        refused = client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [conflicted]}, headers=world.enterprise)
        assert refused.status_code == 409 and "conflicts" in refused.json()["detail"]
        offered = client.post(f"/v1/needs/{need}/requests", json={"auto": True}, headers=world.enterprise).json()["items"][0]
        assert offered["lawyer"]["id"] != conflicted
    # an unstored need names its counterparties too
    assert conflicted in _matched(world) and conflicted not in _matched(world, counterparties=["Kazakh Grid"])
    # the need shows its counterparties to its owner; another organisation sees nothing of it
    shown = client.get(f"/v1/needs/{need}", headers=world.enterprise).json()
    assert shown["counterparties"] == ["kazakh grid ltd"]
    # adverse parties are the lawyer's and the administrators' only
    assert "adverse_parties" not in client.get(f"/v1/lawyers/{conflicted}", headers=world.enterprise).json()


def test_capacity_and_conflicts_survive_a_snapshot(world: World, runtime: Runtime, encoder: Encoder, tmp_path: Path) -> None:
    client = world.client
    a, b = world.lawyers[0], world.lawyers[1]
    client.patch("/v1/lawyers/me", json={"adverse_parties": ["Almaty Power JSC"]}, headers=world.tokens[a])
    client.patch("/v1/lawyers/me", json={"max_open_engagements": 1}, headers=world.tokens[b])
    need = world.need()
    request_id = client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [b]}, headers=world.enterprise).json()["items"][0]["id"]
    client.post(f"/v1/requests/{request_id}/accept", headers=world.tokens[b])
    runtime.catalog.save(tmp_path / "snap")
    loaded = Catalog(encoder)
    assert loaded.load_or_rebuild(runtime.sessions, tmp_path / "snap") == "loaded"
    assert loaded.lawyers[a].adverse == frozenset({"almatypower"}) and loaded.lawyers[b].at_capacity
    assert loaded.facts.mask("capacity", "full")[b] and loaded.facts.mask("adverse", "almatypower")[a]


def test_a_reimport_keeps_what_the_lawyer_declared(world: World) -> None:
    import json

    from tests.conftest import lawyer_record
    from tests.engagement._world import ADMIN

    client = world.client
    record = lawyer_record()
    assert client.post("/v1/lawyers/import", content=json.dumps(record).encode(), headers=ADMIN).json()["created"] == 1
    lawyer_id = client.get("/v1/lawyers", headers=ADMIN, params={"limit": 100}).json()["items"][-1]["id"]
    client.patch(f"/v1/lawyers/{lawyer_id}", json={"adverse_parties": ["Almaty Power"], "max_open_engagements": 2}, headers=ADMIN)
    again = client.post("/v1/lawyers/import", content=json.dumps({**record, "years_of_practice": 11}).encode(), headers=ADMIN).json()
    assert again["updated"] == 1
    kept = client.get(f"/v1/lawyers/{lawyer_id}", headers=ADMIN).json()
    assert (kept["adverse_parties"], kept["max_open_engagements"], kept["years_of_practice"]) == (["Almaty Power"], 2, 11)
