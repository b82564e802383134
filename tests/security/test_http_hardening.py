"""The cheap, wide defences: security headers, no caching of secrets, docs off in production,
415 for the wrong content type, invalid UTF-8 refused, and who may bulk-import. Real app, real database."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from service.main import create_app
from service.state import Runtime
from tests.conftest import ADMIN_KEY, lawyer_record, make_settings, started

ADMIN = {"X-API-Key": ADMIN_KEY}
MATCH = {"description": "EPC arbitration in Kazakhstan", "countries": ["KZ"], "k": 3}


def _registration() -> dict:
    body = {k: v for k, v in lawyer_record().items() if k not in ("external_id", "status")}
    return {**body, "consent_listing": True}


def test_every_answer_says_nosniff_and_names_no_server(client: TestClient) -> None:
    for response in (
        client.get("/healthz"),
        client.post("/v1/match", json=MATCH, headers=ADMIN),
        client.post("/v1/match", json=MATCH),  # a 401 problem too
        client.get("/v1/nowhere", headers=ADMIN),
    ):
        assert response.headers["x-content-type-options"] == "nosniff", response.request.url
        assert response.headers["x-frame-options"] == "DENY"
        assert "server" not in response.headers


def test_secrets_are_never_cached(client: TestClient) -> None:
    registered = client.post("/v1/lawyers", json=_registration())
    assert registered.status_code == 201 and "management_token" in registered.json()
    key = client.post("/v1/admin/api-keys", json={"name": "k", "role": "enterprise", "organisation": "Acme"}, headers=ADMIN)
    assert key.status_code == 201 and "api_key" in key.json()
    token = {"Authorization": f"Bearer {registered.json()['management_token']}"}
    rotated = client.post("/v1/lawyers/me/token", headers=token)
    for response in (registered, key, rotated, client.get("/v1/lawyers/me", headers={"Authorization": f"Bearer {rotated.json()['management_token']}"})):
        assert response.headers["cache-control"] == "no-store"
    # documentation assets keep their own caching
    assert "no-store" not in client.get("/healthz").headers.get("cache-control", "")


def test_docs_and_schema_are_off_in_production_unless_enabled(tmp_path: Path, database_url: str, runtime: Runtime) -> None:
    strong = "kQ3v_9Zr-Lp2Wx8Ty5Nb7Hc4Md6Fg1Js"
    production = make_settings(tmp_path, database_url, environment="production", admin_api_key=strong)
    with started(create_app(production, runtime=runtime)) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert client.get(path).status_code == 404, path
    enabled = make_settings(tmp_path, database_url, environment="production", admin_api_key=strong, docs_enabled=True)
    with started(create_app(enabled, runtime=runtime)) as client:
        assert client.get("/openapi.json").status_code == 200
        assert client.get("/docs").status_code == 200


def test_wrong_content_type_is_415_not_422(client: TestClient) -> None:
    body = json.dumps(MATCH).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml", None,
                         "application/json; charset=latin-1"):
        headers = ADMIN | ({"Content-Type": content_type} if content_type else {})
        response = client.post("/v1/match", content=body, headers=headers)
        assert response.status_code == 415, (content_type, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert "application/json" in response.json()["detail"] or "UTF-8" in response.json()["detail"]
    ok = client.post("/v1/match", content=body, headers=ADMIN | {"Content-Type": "application/json; charset=UTF-8"})
    assert ok.status_code == 200, ok.text
    # the import reads JSON Lines; a form post is refused before anything is read
    form = client.post("/v1/lawyers/import", content=b"a=1", headers=ADMIN | {"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 415


def test_invalid_utf8_is_refused_not_replaced(client: TestClient) -> None:
    raw = b'{"description": "EPC arbitration in Kaz\xffakhstan", "k": 3}'
    response = client.post("/v1/match", content=raw, headers=ADMIN | {"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert "UTF-8" in response.json()["detail"]
    registration = json.dumps(_registration(), ensure_ascii=False).encode().replace(b"\xe6\xb5\x8b", b"\xe6\xb5")  # a truncated 测
    assert client.post("/v1/lawyers", content=registration, headers={"Content-Type": "application/json"}).status_code == 400
    line = json.dumps(lawyer_record(name="placeholder")).encode().replace(b"placeholder", b"bad\xc3(name")
    imported = client.post("/v1/lawyers/import", content=line, headers=ADMIN | {"Content-Type": "application/x-ndjson"})
    assert imported.status_code == 400, imported.text
    assert client.get("/v1/lawyers", headers=ADMIN).json()["total"] == 0  # nothing stored with U+FFFD


def test_the_bureau_imports_its_directory_as_the_readme_says(client: TestClient) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "| POST | `/v1/lawyers/import` | admin or bureau" in readme
    bureau = client.post("/v1/admin/api-keys", json={"name": "b", "role": "bureau", "organisation": "SH bureau"}, headers=ADMIN)
    enterprise = client.post("/v1/admin/api-keys", json={"name": "e", "role": "enterprise", "organisation": "Acme"}, headers=ADMIN)
    body = json.dumps(lawyer_record()).encode()
    ok = client.post("/v1/lawyers/import", content=body, headers={"X-API-Key": bureau.json()["api_key"]})
    assert ok.status_code == 200 and ok.json()["created"] == 1, ok.text
    refused = client.post("/v1/lawyers/import", content=body, headers={"X-API-Key": enterprise.json()["api_key"]})
    assert refused.status_code == 403
