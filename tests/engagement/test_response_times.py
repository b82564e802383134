"""GET /v1/analytics/response-times agrees with the requests' history."""

from __future__ import annotations

import math
import statistics
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from models import ConsultationRequest
from service.settings import Settings
from service.state import Runtime
from tests.conftest import make_settings
from tests.engagement._world import ADMIN, World, build_world, enterprise_key, register_verified


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, registration_rate_limit_per_minute=1000, sweep_interval_seconds=0)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _expected(histories: dict[int, tuple[str, str, list[dict[str, Any]]]]) -> dict[str, Any]:
    """The figures computed independently from GET /v1/needs/{id}/requests."""
    groups: dict[tuple[str, str], list[float | None]] = {}
    for country, practice, items in histories.values():
        sent = min(_at(i["created_at"]) for i in items)
        accepted = [_at(i["answered_at"]) for i in items if i["answered_at"] and i["state"] != "declined"]
        wait = (min(accepted) - sent).total_seconds() if accepted else None
        for key in (("overall", ""), ("country", country), ("practice", practice)):
            groups.setdefault(key, []).append(wait)

    def figures(values: list[float | None]) -> dict[str, Any]:
        waits = sorted(v for v in values if v is not None)
        return {
            "needs": len(values),
            "accepted": len(waits),
            "median": statistics.median(waits) if waits else None,
            "p90": waits[math.ceil(0.9 * len(waits)) - 1] if waits else None,
            "within": sum(1 for w in waits if w <= 3600) / len(values),
        }

    return {key: figures(values) for key, values in groups.items()}


def _same(answer: dict[str, Any], expected: dict[str, Any]) -> None:
    assert answer["needs"] == expected["needs"] and answer["accepted"] == expected["accepted"]
    for ours, theirs in (("median_seconds", "median"), ("p90_seconds", "p90")):
        if expected[theirs] is None:
            assert answer[ours] is None
        else:
            assert answer[ours] == pytest.approx(expected[theirs], abs=0.002)
    assert answer["within_hour_share"] == pytest.approx(expected["within"], abs=1e-4)


def test_the_figures_agree_with_the_history(client: TestClient, runtime: Runtime) -> None:
    world = build_world(client, lawyers=3)
    thai, thai_token = register_verified(client, countries=["TH"], practice_areas=["intellectual_property"])
    world.tokens[thai] = thai_token
    bureau = {"X-API-Key": client.post("/v1/admin/api-keys", json={"name": "b", "role": "bureau", "organisation": "Shanghai Commerce Bureau"}, headers=ADMIN).json()["api_key"]}
    made: dict[int, tuple[str, str]] = {}

    def auto(need: int) -> dict[str, Any]:
        sent = client.post(f"/v1/needs/{need}/requests", json={"auto": True}, headers=world.enterprise)
        assert sent.status_code == 201, sent.text
        return sent.json()["items"][0]  # type: ignore[no-any-return]

    # accepted at once
    a = world.need()
    made[a] = ("KZ", "international_arbitration")
    offer = auto(a)
    client.post(f"/v1/requests/{offer['id']}/accept", headers=world.tokens[offer["lawyer"]["id"]])
    # declined, then accepted in the second round
    b = world.need()
    made[b] = ("KZ", "international_arbitration")
    offer = auto(b)
    client.post(f"/v1/requests/{offer['id']}/decline", json={"reason": "busy"}, headers=world.tokens[offer["lawyer"]["id"]])
    second = client.get(f"/v1/needs/{b}/requests", headers=world.enterprise).json()["items"][1]
    client.post(f"/v1/requests/{second['id']}/accept", headers=world.tokens[second["lawyer"]["id"]])
    # still pending
    c = world.need()
    made[c] = ("KZ", "international_arbitration")
    auto(c)
    # a trademark need in Thailand, accepted, then 2 hours later as the history will tell
    d = world.need(description="Our trademark was squatted in Thailand; we need counsel", countries=["TH"], practice_areas=["intellectual_property"])
    made[d] = ("TH", "intellectual_property")
    offer = auto(d)
    assert offer["lawyer"]["id"] == thai
    client.post(f"/v1/requests/{offer['id']}/accept", headers=world.tokens[thai])
    with runtime.sessions() as session, session.begin():
        row = session.get(ConsultationRequest, offer["id"])
        assert row is not None
        session.execute(update(ConsultationRequest).where(ConsultationRequest.id == row.id).values(answered_at=row.created_at + timedelta(hours=2)))
    # an enterprise's own need elsewhere counts too (the bureau sees every organisation)
    other = client.post("/v1/needs", json={"description": "ICC arbitration in Kazakhstan", "countries": ["KZ"], "practice_areas": ["international_arbitration"]}, headers=enterprise_key(client, "third-corp"))
    assert other.status_code == 201

    histories = {
        need: (country, practice, client.get(f"/v1/needs/{need}/requests", headers=world.enterprise).json()["items"])
        for need, (country, practice) in made.items()
    }
    expected = _expected(histories)
    answer = client.get("/v1/analytics/response-times", headers=bureau)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    _same(body["overall"], expected[("overall", "")])
    assert set(body["by_country"]) == {"KZ", "TH"} and set(body["by_practice_area"]) == {"international_arbitration", "intellectual_property"}
    for code in ("KZ", "TH"):
        _same(body["by_country"][code], expected[("country", code)])
    for code in ("international_arbitration", "intellectual_property"):
        _same(body["by_practice_area"][code], expected[("practice", code)])
    # 3 of the 4 needs were accepted, 2 within the hour
    assert (body["overall"]["needs"], body["overall"]["accepted"], body["overall"]["within_hour_share"]) == (4, 3, 0.5)
    assert body["by_country"]["TH"]["median_seconds"] == 7200.0
    # a window that ends before everything: nothing
    empty = client.get("/v1/analytics/response-times", params={"until": "2000-01-01T00:00:00Z"}, headers=ADMIN).json()
    assert empty["overall"] == {"needs": 0, "accepted": 0, "median_seconds": None, "p90_seconds": None, "within_hour_share": None}
    assert client.get("/v1/analytics/response-times", params={"since": "2026-01-01T00:00:00"}, headers=ADMIN).status_code == 422
    assert client.get("/v1/analytics/response-times", headers=world.enterprise).status_code == 403
