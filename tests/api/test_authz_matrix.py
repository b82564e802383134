"""Who may do what: every route × every kind of caller, with the status each must get.

Callers are real: API keys made through the admin API, lawyers registered through the public
registration (their management tokens). Placeholders in paths name objects of the world below;
`{fresh_*}` objects are made anew for each cell, so destructive calls never disturb other cells.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.settings import Settings
from tests.conftest import ADMIN_KEY, lawyer_record, make_settings

CALLERS = ("anonymous", "lawyer_a", "lawyer_b", "enterprise_x", "enterprise_y", "bureau", "admin")

LAWYER_PATCH = {"bio": "Advised on EPC disputes in Kazakhstan and Uzbekistan."}
NEED = {"description": "哈萨克斯坦光伏EPC合同争议，需要仲裁律师", "countries": ["KZ"]}
MATCH = {"description": "EPC arbitration in Kazakhstan", "countries": ["KZ"]}
KEY = {"name": "k", "role": "enterprise", "organisation": "Z"}

# (method, path, body) -> status for: anonymous, lawyer A, lawyer B, enterprise X, enterprise Y, bureau, admin
#                                                             anon  lawA  lawB  entX  entY  bur   admin
MATRIX: list[tuple[str, str, Any, tuple[int, ...]]] = [
    ("GET", "/healthz", None,                                 (200,  200,  200,  200,  200,  200,  200)),
    ("GET", "/readyz", None,                                  (200,  200,  200,  200,  200,  200,  200)),
    ("POST", "/v1/match", MATCH,                              (401,  401,  401,  200,  200,  200,  200)),
    # needs: each organisation sees its own; someone else's answers 404
    ("POST", "/v1/needs", NEED,                               (401,  401,  401,  201,  201,  201,  201)),
    ("GET", "/v1/needs", None,                                (401,  401,  401,  200,  200,  200,  200)),
    ("GET", "/v1/needs/{need_x}", None,                       (401,  401,  401,  200,  404,  404,  200)),
    ("GET", "/v1/needs/{need_bureau}", None,                  (401,  401,  401,  404,  404,  200,  200)),
    ("GET", "/v1/needs/{need_x}/matches", None,               (401,  401,  401,  200,  404,  404,  200)),
    ("DELETE", "/v1/needs/{fresh_need_x}", None,              (401,  401,  401,  204,  404,  404,  204)),
    # the directory and public reads: any key; lawyers' tokens are not keys
    ("GET", "/v1/lawyers", None,                              (401,  401,  401,  200,  200,  200,  200)),
    ("GET", "/v1/lawyers/{lawyer_a}", None,                   (401,  401,  401,  200,  200,  200,  200)),
    ("GET", "/v1/lawyers/{pending}", None,                    (401,  401,  401,  404,  404,  404,  200)),
    # registration is public (rate-limited per address)
    ("POST", "/v1/lawyers", "{registration}",                 (201,  201,  201,  201,  201,  201,  201)),
    # administration of lawyers
    ("PATCH", "/v1/lawyers/{lawyer_a}", LAWYER_PATCH,         (401,  401,  401,  403,  403,  403,  200)),
    ("POST", "/v1/lawyers/{fresh_lawyer}/verify", None,       (401,  401,  401,  403,  403,  403,  200)),
    ("POST", "/v1/lawyers/{fresh_lawyer}/token", {"reason": "identity checked by video call"},
                                                              (401,  401,  401,  403,  403,  403,  200)),
    ("POST", "/v1/lawyers/{fresh_lawyer}/suspend", {"reason": "licence lapsed"},
                                                              (401,  401,  401,  403,  403,  403,  200)),
    ("DELETE", "/v1/lawyers/{fresh_lawyer}", None,            (401,  401,  401,  403,  403,  403,  204)),
    # review of credential changes: nothing waits for a fresh lawyer, so the administrator gets 409
    ("POST", "/v1/lawyers/{fresh_lawyer}/changes/approve", None, (401, 401,  401,  403,  403,  403,  409)),
    ("POST", "/v1/lawyers/{fresh_lawyer}/changes/reject", {"reason": "not checked"},
                                                              (401,  401,  401,  403,  403,  403,  409)),
    # the bureau keeps its directory (README); enterprises may not
    ("POST", "/v1/lawyers/import", "{import}",                (401,  401,  401,  403,  403,  200,  200)),
    # a lawyer's own profile, by management token only
    ("GET", "/v1/lawyers/me", None,                           (401,  200,  200,  401,  401,  401,  401)),
    ("PATCH", "/v1/lawyers/me", LAWYER_PATCH,                 (401,  200,  200,  401,  401,  401,  401)),
    ("GET", "/v1/lawyers/me/consent", None,                   (401,  200,  200,  401,  401,  401,  401)),
    ("PUT", "/v1/lawyers/me/consent", {"contact_sharing": True},
                                                              (401,  200,  200,  401,  401,  401,  401)),
    # the caller's token is replaced: the cells after this one use the new token
    ("POST", "/v1/lawyers/me/token", None,                    (401,  200,  200,  401,  401,  401,  401)),
    # keys and the audit log: administrators only
    ("POST", "/v1/admin/api-keys", KEY,                       (401,  401,  401,  403,  403,  403,  201)),
    ("GET", "/v1/admin/api-keys", None,                       (401,  401,  401,  403,  403,  403,  200)),
    ("DELETE", "/v1/admin/api-keys/{fresh_key}", None,        (401,  401,  401,  403,  403,  403,  200)),
    ("GET", "/v1/admin/audit", None,                          (401,  401,  401,  403,  403,  403,  200)),
    ("POST", "/v1/admin/reindex", None,                       (401,  401,  401,  403,  403,  403,  200)),
    # last, as it ends the lawyer: erasure of one's own profile
    ("DELETE", "/v1/lawyers/me", None,                        (401,  204,  204,  401,  401,  401,  401)),
]


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # the matrix registers ~30 lawyers from one address; the registration limit has its own test
    return make_settings(tmp_path, database_url, registration_rate_limit_per_minute=1000, registrations_per_address_per_day=1000)


@dataclass
class World:
    client: TestClient
    headers: dict[str, dict[str, str]]
    ids: dict[str, int]
    lawyer_ids: dict[str, int] = field(default_factory=dict)

    def admin(self) -> dict[str, str]:
        return self.headers["admin"]

    def fresh(self, kind: str) -> int:
        if kind == "fresh_need_x":
            response = self.client.post("/v1/needs", json=NEED, headers=self.headers["enterprise_x"])
        elif kind == "fresh_lawyer":
            response = self.client.post("/v1/lawyers", json=registration())
        elif kind == "fresh_key":
            response = self.client.post("/v1/admin/api-keys", json=KEY, headers=self.admin())
        else:
            raise KeyError(kind)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])


def registration(**overrides: Any) -> dict[str, Any]:
    body = {k: v for k, v in lawyer_record(**overrides).items() if k not in ("external_id", "status")}
    return {**body, "consent_listing": True}


def _key(client: TestClient, role: str, organisation: str) -> dict[str, str]:
    response = client.post(
        "/v1/admin/api-keys",
        json={"name": f"{role} {organisation}", "role": role, "organisation": organisation},
        headers={"X-API-Key": ADMIN_KEY},
    )
    assert response.status_code == 201, response.text
    return {"X-API-Key": response.json()["api_key"]}


def _register_verified(client: TestClient) -> tuple[int, str]:
    response = client.post("/v1/lawyers", json=registration())
    assert response.status_code == 201, response.text
    lawyer_id, token = response.json()["id"], response.json()["management_token"]
    verified = client.post(f"/v1/lawyers/{lawyer_id}/verify", json={"reason": "documents checked"}, headers={"X-API-Key": ADMIN_KEY})
    assert verified.status_code == 200, verified.text
    return lawyer_id, token


@pytest.fixture
def world(client: TestClient) -> World:
    admin = {"X-API-Key": ADMIN_KEY}
    lawyer_a, token_a = _register_verified(client)
    lawyer_b, token_b = _register_verified(client)
    pending = client.post("/v1/lawyers", json=registration()).json()["id"]
    headers = {
        "anonymous": {},
        "lawyer_a": {"Authorization": f"Bearer {token_a}"},
        "lawyer_b": {"X-Lawyer-Token": token_b},  # the alternative header
        "enterprise_x": _key(client, "enterprise", "X Corp"),
        "enterprise_y": _key(client, "enterprise", "Y Corp"),
        "bureau": _key(client, "bureau", "Shanghai Commerce Bureau"),
        "admin": admin,
    }
    need_x = client.post("/v1/needs", json=NEED, headers=headers["enterprise_x"]).json()["id"]
    need_bureau = client.post("/v1/needs", json=NEED, headers=headers["bureau"]).json()["id"]
    ids = {"lawyer_a": lawyer_a, "lawyer_b": lawyer_b, "pending": pending, "need_x": need_x, "need_bureau": need_bureau}
    return World(client, headers, ids, {"lawyer_a": lawyer_a, "lawyer_b": lawyer_b})


def _body(world: World, body: Any) -> dict[str, Any]:
    if body == "{registration}":
        return {"json": registration()}
    if body == "{import}":
        return {"content": json.dumps(lawyer_record()).encode()}
    return {} if body is None else {"json": body}


def _path(world: World, template: str) -> str:
    for name in ("fresh_need_x", "fresh_lawyer", "fresh_key"):
        if "{" + name + "}" in template:
            template = template.replace("{" + name + "}", str(world.fresh(name)))
    return template.format(**world.ids)


def test_the_matrix_covers_every_route(client: TestClient) -> None:
    documented = {
        (method.upper(), path)
        for path, operations in client.get("/openapi.json").json()["paths"].items()
        for method in operations
    }
    tested = {(method, path.replace("{need_x}", "{need_id}").replace("{need_bureau}", "{need_id}")
               .replace("{fresh_need_x}", "{need_id}").replace("{lawyer_a}", "{lawyer_id}")
               .replace("{pending}", "{lawyer_id}").replace("{fresh_lawyer}", "{lawyer_id}")
               .replace("{fresh_key}", "{key_id}"))
              for method, path, _, _ in MATRIX}
    assert documented == tested, f"untested: {documented - tested}; unknown: {tested - documented}"


def test_authorization_matrix(world: World) -> None:
    mismatches = []
    for method, template, body, expected in MATRIX:
        for caller, status in zip(CALLERS, expected, strict=True):
            path = _path(world, template)
            response = world.client.request(method, path, headers=world.headers[caller], **_body(world, body))
            if response.status_code != status:
                mismatches.append(f"{caller:13} {method:6} {path}: {response.status_code}, expected {status}")
            if template == "/v1/lawyers/me/token" and response.status_code == 200:
                world.headers[caller] = {"Authorization": f"Bearer {response.json()['management_token']}"}
            if response.status_code >= 400:
                assert response.headers["content-type"].startswith("application/problem+json"), (caller, path)
    assert not mismatches, "\n".join(mismatches)


def test_a_lawyer_reaches_only_their_own_profile(world: World) -> None:
    client = world.client
    a = client.get("/v1/lawyers/me", headers=world.headers["lawyer_a"]).json()
    b = client.get("/v1/lawyers/me", headers=world.headers["lawyer_b"]).json()
    assert a["id"] == world.lawyer_ids["lawyer_a"] and b["id"] == world.lawyer_ids["lawyer_b"]
    # A's token cannot reach B's profile through the id routes either
    for method in ("GET", "PATCH", "DELETE"):
        response = client.request(method, f"/v1/lawyers/{b['id']}", headers=world.headers["lawyer_a"], json=LAWYER_PATCH)
        assert response.status_code == 401, method
    # A's update changes A only
    assert client.patch("/v1/lawyers/me", json={"city": "乌鲁木齐"}, headers=world.headers["lawyer_a"]).status_code == 200
    assert client.get("/v1/lawyers/me", headers=world.headers["lawyer_b"]).json()["city"] == "上海"
    # a wrong token is refused, not mistaken for someone
    assert client.get("/v1/lawyers/me", headers={"Authorization": "Bearer lt_not-a-token"}).status_code == 401
