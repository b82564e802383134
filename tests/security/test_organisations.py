"""Organisations: need external ids are per organisation (no cross-tenant oracle), and names that
collide with roles are refused, so no enterprise can read the bootstrap administrator's needs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from models import ApiKey
from service.repositories.api_keys import hash_key
from service.state import Runtime
from tests.conftest import ADMIN_KEY

ADMIN = {"X-API-Key": ADMIN_KEY}
NEED = {"description": "EPC arbitration in Kazakhstan", "countries": ["KZ"], "external_id": "PO-2026-001"}


def _key(client: TestClient, organisation: str) -> dict[str, str]:
    response = client.post("/v1/admin/api-keys", json={"name": "k", "role": "enterprise", "organisation": organisation}, headers=ADMIN)
    assert response.status_code == 201, response.text
    return {"X-API-Key": response.json()["api_key"]}


def test_external_ids_are_per_organisation(client: TestClient) -> None:
    a, b = _key(client, "Tenant A"), _key(client, "Tenant B")
    assert client.post("/v1/needs", json=NEED, headers=a).status_code == 201
    # B may use the same id and learns nothing about A
    assert client.post("/v1/needs", json=NEED, headers=b).status_code == 201
    again = client.post("/v1/needs", json=NEED, headers=a)
    assert again.status_code == 409 and "your organisation" in again.json()["detail"]


@pytest.mark.parametrize("name", ["admin", "Admin", " ADMIN ", "a.d.m.i.n", "bureau", "Administrators", "system"])
def test_reserved_organisation_names_are_refused(client: TestClient, name: str) -> None:
    response = client.post("/v1/admin/api-keys", json={"name": "k", "role": "enterprise", "organisation": name}, headers=ADMIN)
    assert response.status_code == 409 and "reserved" in response.text


def test_an_organisation_named_admin_sees_no_admin_needs(client: TestClient, runtime: Runtime) -> None:
    secret = client.post("/v1/needs", json={"description": "Confidential: acquisition target in Vietnam"}, headers=ADMIN)
    assert secret.status_code == 201 and secret.json()["organisation"] == "admin"
    # a key from before names were checked, written straight to the database
    plain = "mk_legacyadminorgkey0123456789"
    with runtime.sessions() as session, session.begin():
        session.execute(insert(ApiKey).values(name="old", role="enterprise", organisation="admin", prefix=plain[:10], key_hash=hash_key(plain)))
    legacy = {"X-API-Key": plain}
    assert client.get("/v1/needs", headers=legacy).status_code == 403
    assert client.get(f"/v1/needs/{secret.json()['id']}", headers=legacy).status_code == 403
