"""Real lawyers (registered, verified, with management tokens), an enterprise key and a need."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import ADMIN_KEY, lawyer_record

ADMIN = {"X-API-Key": ADMIN_KEY}
NEED = {
    "description": "Our EPC contract for a solar plant in Kazakhstan is in dispute; we need ICC arbitration counsel",
    "countries": ["KZ"],
    "practice_areas": ["international_arbitration"],
}


def registration(**overrides: Any) -> dict[str, Any]:
    body = {k: v for k, v in lawyer_record(**overrides).items() if k not in ("external_id", "status")}
    return {**body, "consent_listing": True} | overrides


def register_verified(client: TestClient, **overrides: Any) -> tuple[int, dict[str, str]]:
    response = client.post("/v1/lawyers", json=registration(**overrides))
    assert response.status_code == 201, response.text
    lawyer_id, token = response.json()["id"], response.json()["management_token"]
    verified = client.post(f"/v1/lawyers/{lawyer_id}/verify", headers=ADMIN)
    assert verified.status_code == 200, verified.text
    return lawyer_id, {"Authorization": f"Bearer {token}"}


def enterprise_key(client: TestClient, organisation: str) -> dict[str, str]:
    response = client.post(
        "/v1/admin/api-keys", json={"name": organisation, "role": "enterprise", "organisation": organisation}, headers=ADMIN
    )
    assert response.status_code == 201, response.text
    return {"X-API-Key": response.json()["api_key"]}


@dataclass
class World:
    client: TestClient
    enterprise: dict[str, str]
    other: dict[str, str]
    lawyers: list[int] = field(default_factory=list)
    tokens: dict[int, dict[str, str]] = field(default_factory=dict)

    def need(self, **overrides: Any) -> int:
        response = self.client.post("/v1/needs", json=NEED | overrides, headers=self.enterprise)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def ranked(self, need_id: int) -> list[int]:
        response = self.client.get(f"/v1/needs/{need_id}/matches", headers=self.enterprise)
        assert response.status_code == 200, response.text
        return [r["lawyer"]["id"] for r in response.json()["results"]]

    def inbox(self, lawyer_id: int, **params: Any) -> list[dict[str, Any]]:
        response = self.client.get("/v1/lawyers/me/requests", headers=self.tokens[lawyer_id], params=params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


def build_world(client: TestClient, lawyers: int = 3, **overrides: Any) -> World:
    world = World(client, enterprise_key(client, "sunpower-epc"), enterprise_key(client, "other-corp"))
    for n in range(lawyers):
        # different firms and seniority: a stable ranking
        lawyer_id, token = register_verified(
            client, years_of_practice=5 + 5 * n, firm=f"律所{n}", firm_en=f"Firm {n}", **overrides
        )
        world.lawyers.append(lawyer_id)
        world.tokens[lawyer_id] = token
    return world
