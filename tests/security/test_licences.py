"""Licence numbers: unique once normalised (case, separators, full width) among verified lawyers;
anonymous registration is neither an oracle (a taken number answers exactly as a fresh one) nor a
lock (a pending registration never blocks the real holder's verification). Real app, real database."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from models.lawyer import licence_key
from tests.conftest import ADMIN_KEY, lawyer_record

ADMIN = {"X-API-Key": ADMIN_KEY}


def _registration(**overrides: Any) -> dict[str, Any]:
    body = {k: v for k, v in lawyer_record(**overrides).items() if k not in ("external_id", "status")}
    return {**body, "consent_listing": True}


def _shape(answer: dict[str, Any]) -> dict[str, Any]:
    volatile = {"id", "management_token", "created_at", "updated_at", "consent_listing_at", "license_no", "name", "name_en", "email", "firm", "firm_en"}
    return {k: v for k, v in answer.items() if k not in volatile}


def test_licence_keys_ignore_case_separators_and_width() -> None:
    assert licence_key("AB-123/45.6") == licence_key("ab 123456") == licence_key("ＡＢ１２３４５６") == "AB123456"


def test_a_taken_licence_answers_like_a_fresh_one_and_the_clash_goes_to_an_administrator(client: TestClient) -> None:
    holder = client.post("/v1/lawyers", json=_registration(license_no="AB-123-456"))
    assert client.post(f"/v1/lawyers/{holder.json()['id']}/verify", headers=ADMIN).status_code == 200
    taken = client.post("/v1/lawyers", json=_registration(license_no="ab123456"))
    fresh = client.post("/v1/lawyers", json=_registration(license_no="ZZ-999-000"))
    assert taken.status_code == fresh.status_code == 201
    assert _shape(taken.json()) == _shape(fresh.json()) and taken.headers.keys() == fresh.headers.keys()
    events = client.get("/v1/admin/audit", params={"lawyer_id": taken.json()["id"]}, headers=ADMIN).json()["items"]
    clash = [e for e in events if e["action"] == "licence_clash"]
    assert clash and str(holder.json()["id"]) in clash[0]["reason"]
    # the administrator cannot verify a second holder of one licence
    refused = client.post(f"/v1/lawyers/{taken.json()['id']}/verify", headers=ADMIN)
    assert refused.status_code == 409 and str(holder.json()["id"]) in refused.json()["detail"]


def test_a_squatter_does_not_lock_the_real_holder_out(client: TestClient) -> None:
    squatter = client.post("/v1/lawyers", json=_registration(license_no="31010120101234567"))
    owner = client.post("/v1/lawyers", json=_registration(license_no="310101-2010-1234567"))
    assert squatter.status_code == owner.status_code == 201
    assert client.post(f"/v1/lawyers/{owner.json()['id']}/verify", headers=ADMIN).status_code == 200
    # and the bureau's import of the real holder is not refused because of the squatter either
    record = lawyer_record(license_no="31010120109999999", status="verified")
    assert client.post("/v1/lawyers", json=_registration(license_no="3101 0120 1099 99999")).status_code == 201
    imported = client.post("/v1/lawyers/import", content=json.dumps(record), headers=ADMIN)
    assert imported.json()["committed"] is True and imported.json()["created"] == 1, imported.text
    listing = client.get("/v1/lawyers", params={"limit": 100}, headers=ADMIN).json()["items"]
    new_id = next(item["id"] for item in listing if item["external_id"] == record["external_id"])
    events = client.get("/v1/admin/audit", params={"lawyer_id": new_id}, headers=ADMIN).json()["items"]
    assert any(e["action"] == "licence_clash" for e in events)  # the administrators still learn of the squatter


def test_two_verified_lawyers_cannot_share_a_licence_written_differently(client: TestClient) -> None:
    first = lawyer_record(license_no="AB-123")
    second = lawyer_record(license_no="ab123")
    response = client.post("/v1/lawyers/import", content=json.dumps(first) + "\n" + json.dumps(second), headers=ADMIN)
    assert response.json()["committed"] is False and response.json()["rejected"][0]["line"] == 2
    assert client.post("/v1/lawyers/import", content=json.dumps(first), headers=ADMIN).status_code == 200
    later = client.post("/v1/lawyers/import", content=json.dumps(second), headers=ADMIN)
    assert later.json()["committed"] is False and "holds this licence" in later.json()["rejected"][0]["reason"]
