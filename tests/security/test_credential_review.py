"""A verified lawyer's own change of credentials (licence, bar admissions, firm, years, talent
pools, name) waits for an administrator: the listed profile and matching keep the verified values
until approval. Taxonomy codes are validated everywhere. Real app, real database, real encoder."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import ADMIN_KEY, lawyer_record

ADMIN = {"X-API-Key": ADMIN_KEY}
KZ = {"description": "EPC arbitration in Kazakhstan", "countries": ["KZ"], "k": 50}


def _verified(client: TestClient) -> tuple[dict[str, Any], dict[str, str]]:
    body = {k: v for k, v in lawyer_record(years_of_practice=3, talent_pools=[]).items() if k not in ("external_id", "status")}
    registered = client.post("/v1/lawyers", json={**body, "consent_listing": True})
    assert client.post(f"/v1/lawyers/{registered.json()['id']}/verify", headers=ADMIN).status_code == 200
    return registered.json(), {"Authorization": f"Bearer {registered.json()['management_token']}"}


def _match_card(client: TestClient, lawyer_id: int) -> dict[str, Any]:
    results = client.post("/v1/match", json=KZ, headers=ADMIN).json()["results"]
    return next(r for r in results if r["lawyer"]["id"] == lawyer_id)


def test_self_edited_credentials_stay_unverified_until_approved(client: TestClient) -> None:
    lawyer, token = _verified(client)
    before = _match_card(client, lawyer["id"])
    edit = {"years_of_practice": 70, "firm": "Big Famous Firm", "talent_pools": ["acla_foreign_related", "bri_cross_border"], "city": "北京"}
    response = client.patch("/v1/lawyers/me", json=edit, headers=token)
    assert response.status_code == 200
    me = response.json()
    assert me["status"] == "verified" and me["years_of_practice"] == 3 and me["firm"] == lawyer["firm"]
    assert me["city"] == "北京"  # not a credential: applied at once
    assert me["pending_changes"] == {k: v for k, v in edit.items() if k != "city"}
    # the public profile and matching keep the verified values
    public = client.get(f"/v1/lawyers/{lawyer['id']}", headers={"X-API-Key": ADMIN_KEY}).json()
    assert public["years_of_practice"] == 3 and public["talent_pools"] == []
    after = _match_card(client, lawyer["id"])
    assert after["lawyer"]["years_of_practice"] == 3 and after["components"]["credentials"] == before["components"]["credentials"]

    approved = client.post(f"/v1/lawyers/{lawyer['id']}/changes/approve", json={"reason": "bar records checked"}, headers=ADMIN)
    assert approved.status_code == 200 and approved.json()["years_of_practice"] == 70 and approved.json()["pending_changes"] is None
    assert _match_card(client, lawyer["id"])["components"]["credentials"] > before["components"]["credentials"]
    actions = [e["action"] for e in client.get("/v1/admin/audit", params={"lawyer_id": lawyer["id"]}, headers=ADMIN).json()["items"]]
    assert "changes_submitted" in actions and "changes_approved" in actions


def test_rejected_changes_leave_the_verified_values(client: TestClient) -> None:
    lawyer, token = _verified(client)
    assert client.patch("/v1/lawyers/me", json={"license_no": "ZZ-4242-4242"}, headers=token).status_code == 200
    rejected = client.post(f"/v1/lawyers/{lawyer['id']}/changes/reject", json={"reason": "no such licence"}, headers=ADMIN)
    assert rejected.status_code == 200
    assert rejected.json()["license_no"] == lawyer["license_no"] and rejected.json()["pending_changes"] is None
    assert client.post(f"/v1/lawyers/{lawyer['id']}/changes/reject", headers=ADMIN).status_code == 409  # nothing waits


def test_unknown_talent_pools_are_refused_everywhere(client: TestClient) -> None:
    lawyer, token = _verified(client)
    patched = client.patch("/v1/lawyers/me", json={"talent_pools": ["super_elite_pool"]}, headers=token)
    assert patched.status_code == 422 and "talent pool" in patched.text
    body = {k: v for k, v in lawyer_record(talent_pools=["made_up"]).items() if k not in ("external_id", "status")}
    assert client.post("/v1/lawyers", json=body).status_code == 422
    imported = client.post("/v1/lawyers/import", content=json.dumps(lawyer_record(talent_pools=["Made_Up"])), headers=ADMIN)
    assert imported.json()["committed"] is False and "talent pool" in imported.text
    ok = client.post("/v1/lawyers/import", content=json.dumps(lawyer_record(talent_pools=["PROVINCIAL_LEADING"])), headers=ADMIN)
    assert ok.json()["committed"] is True, ok.text
    assert client.patch("/v1/lawyers/me", json={"practice_areas": ["astrology"]}, headers=token).status_code == 422
