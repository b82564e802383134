"""Lawyers, needs, keys, import and health through the API."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.conftest import lawyer_record


def _key(client: TestClient, admin_headers: dict[str, str], role: str, organisation: str) -> dict[str, str]:
    response = client.post(
        "/v1/admin/api-keys", json={"name": f"{role} key", "role": role, "organisation": organisation}, headers=admin_headers
    )
    assert response.status_code == 201, response.text
    return {"X-API-Key": response.json()["api_key"]}


def test_health(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_writes_need_a_key(client):
    for method, path in (("post", "/v1/match"), ("post", "/v1/needs"), ("post", "/v1/lawyers/import")):
        response = getattr(client, method)(path, json={"description": "x"})
        assert response.status_code == 401, path
        assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/lawyers", headers={"X-API-Key": "wrong"}).status_code == 401


def test_import_is_idempotent_and_reports_bad_lines(client, admin_headers):
    good = [lawyer_record(), lawyer_record()]
    lines = [json.dumps(good[0]), "{not json", json.dumps({**lawyer_record(), "countries": ["XX"]}), json.dumps(good[1])]
    refused = client.post("/v1/lawyers/import", content="\n".join(lines).encode(), headers=admin_headers)
    first = refused.json()
    assert first["committed"] is False and first["created"] == 0  # all or nothing: the good lines were not written either
    assert [(r["line"], "JSON" in r["reason"]) for r in first["rejected"]] == [(2, True), (3, False)]
    assert "countries" in first["rejected"][1]["reason"] and first["rejected_total"] == 2
    assert client.get("/v1/lawyers", headers=admin_headers).json()["total"] == 0
    lines = [json.dumps(good[0]), json.dumps(good[1])]
    first = client.post("/v1/lawyers/import", content="\n".join(lines).encode(), headers=admin_headers).json()
    assert first["created"] == 2
    again = client.post("/v1/lawyers/import", content="\n".join(lines).encode(), headers=admin_headers).json()
    assert again["created"] == 0 and again["unchanged"] == 2
    changed = dict(good[0], years_of_practice=30)
    third = client.post("/v1/lawyers/import", content=json.dumps(changed).encode(), headers=admin_headers).json()
    assert third["updated"] == 1
    listing = client.get("/v1/lawyers", headers=admin_headers).json()
    assert listing["total"] == 2


def test_duplicate_licence_in_one_file_rejects_the_second(client, admin_headers):
    a = lawyer_record()
    b = lawyer_record(license_no=a["license_no"])
    summary = client.post(
        "/v1/lawyers/import", content=(json.dumps(a) + "\n" + json.dumps(b)).encode(), headers=admin_headers
    ).json()
    assert summary["rejected"][0]["line"] == 2 and summary["rejected_total"] == 1
    assert client.get("/v1/lawyers", headers=admin_headers).json()["total"] == 0


def test_only_admins_import_and_verify(client, admin_headers):
    enterprise = _key(client, admin_headers, "enterprise", "Acme")
    response = client.post("/v1/lawyers/import", content=json.dumps(lawyer_record()).encode(), headers=enterprise)
    assert response.status_code == 403
    assert client.post("/v1/lawyers/1/verify", headers=enterprise).status_code == 403


def test_registration_starts_pending_and_verification_makes_it_matchable(client, admin_headers):
    body = {k: v for k, v in lawyer_record(countries=["VN"], bio="Handled a labour dispute at a shoe factory in Vietnam.").items() if k not in ("external_id", "status")}
    body["consent_listing"] = True
    created = client.post("/v1/lawyers", json=body, headers=admin_headers)
    assert created.status_code == 201, created.text
    lawyer = created.json()
    assert lawyer["status"] == "pending" and lawyer["management_token"]
    query = {"description": "labour dispute at our factory", "countries": ["VN"]}
    assert client.post("/v1/match", json=query, headers=admin_headers).json()["results"] == []
    assert client.post(f"/v1/lawyers/{lawyer['id']}/verify", headers=admin_headers).status_code == 200
    results = client.post("/v1/match", json=query, headers=admin_headers).json()["results"]
    assert [r["lawyer"]["id"] for r in results] == [lawyer["id"]]
    # deleting it removes it from matching at once
    assert client.delete(f"/v1/lawyers/{lawyer['id']}", headers=admin_headers).status_code == 204
    assert client.post("/v1/match", json=query, headers=admin_headers).json()["results"] == []


def test_registration_refuses_status_and_duplicates(client, admin_headers):
    body = {k: v for k, v in lawyer_record().items() if k != "external_id"}
    response = client.post("/v1/lawyers", json=body, headers=admin_headers)
    assert response.status_code == 422 and "status" in response.json()["detail"]
    body.pop("status")
    assert client.post("/v1/lawyers", json=body, headers=admin_headers).status_code == 201
    # a duplicate licence is no oracle: answered as any registration (tests/security/test_licences.py)
    duplicate = client.post("/v1/lawyers", json=body, headers=admin_headers)
    assert duplicate.status_code == 201


def test_public_reads_hide_contact_fields(client, admin_headers):
    client.post("/v1/lawyers/import", content=json.dumps(lawyer_record()).encode(), headers=admin_headers)
    enterprise = _key(client, admin_headers, "enterprise", "Acme")
    lawyer_id = client.get("/v1/lawyers", headers=admin_headers).json()["items"][0]["id"]
    public = client.get(f"/v1/lawyers/{lawyer_id}", headers=enterprise).json()
    assert not {"email", "phone", "license_no"} & set(public)
    private = client.get(f"/v1/lawyers/{lawyer_id}", headers=admin_headers).json()
    assert private["email"].endswith("@example.com")


def test_needs_are_scoped_to_their_organisation(client, admin_headers):
    acme = _key(client, admin_headers, "enterprise", "Acme")
    rival = _key(client, admin_headers, "enterprise", "Rival")
    need = client.post("/v1/needs", json={"description": "裁员咨询，越南工厂"}, headers=acme).json()
    assert client.get(f"/v1/needs/{need['id']}", headers=acme).status_code == 200
    assert client.get(f"/v1/needs/{need['id']}", headers=rival).status_code == 404
    assert client.get(f"/v1/needs/{need['id']}/matches", headers=rival).status_code == 404
    assert client.delete(f"/v1/needs/{need['id']}", headers=rival).status_code == 404
    assert client.get("/v1/needs", headers=rival).json()["total"] == 0
    assert client.get("/v1/needs", headers=admin_headers).json()["total"] == 1
    assert client.delete(f"/v1/needs/{need['id']}", headers=acme).status_code == 204


def test_bad_input_gets_problem_json(client, admin_headers):
    cases = [
        {"description": ""},
        {"description": "x" * 4001},
        {"description": "ok need", "k": 51},
        {"description": "ok need", "countries": ["Kazakhstan"]},
        {"description": "ok need", "languages": ["russian"]},
        {"description": "ok need", "practice_areas": ["arbitration"]},
        {"description": "ok need", "status": "verified"},
    ]
    for body in cases:
        response = client.post("/v1/match", json=body, headers=admin_headers)
        assert response.status_code == 422, body
        problem = response.json()
        assert problem["status"] == 422 and problem["detail"], body
    response = client.post("/v1/match", content=b"{broken", headers={**admin_headers, "content-type": "application/json"})
    assert response.status_code == 422
    assert client.get("/v1/lawyers/999999", headers=admin_headers).status_code == 404


def test_revoked_key_stops_working(client, admin_headers):
    created = client.post(
        "/v1/admin/api-keys", json={"name": "b", "role": "bureau", "organisation": "Shanghai Commerce Bureau"}, headers=admin_headers
    ).json()
    headers = {"X-API-Key": created["api_key"]}
    assert client.get("/v1/needs", headers=headers).status_code == 200
    assert client.delete(f"/v1/admin/api-keys/{created['id']}", headers=admin_headers).status_code == 200
    assert client.get("/v1/needs", headers=headers).status_code == 401
