"""Who may do what: every route × every kind of caller, with the status each must get.

Callers are real: API keys made through the admin API, lawyers registered through the public
registration (their management tokens). Placeholders in paths name objects of the world below;
`{fresh_*}` objects are made anew for each cell, so destructive calls never disturb other cells.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from models import WebhookDelivery
from service.db import transaction
from service.engagement import events
from service.engagement.dispatch import Dispatcher

from service.settings import Settings
from tests.conftest import ADMIN_KEY, lawyer_record, make_settings

CALLERS = ("anonymous", "lawyer_a", "lawyer_b", "enterprise_x", "enterprise_y", "bureau", "admin")

LAWYER_PATCH = {"bio": "Advised on EPC disputes in Kazakhstan and Uzbekistan."}
NEED = {"description": "哈萨克斯坦光伏EPC合同争议，需要仲裁律师", "countries": ["KZ"]}
MATCH = {"description": "EPC arbitration in Kazakhstan", "countries": ["KZ"]}
KEY = {"name": "k", "role": "enterprise", "organisation": "Z"}
DAYS = [{"date": "2026-12-08", "start": "09:00", "end": "10:00"}]
FAIR = {"name": "fair", "days": DAYS, "slot_minutes": 20, "tables": 2,
        "enterprises": [{"name": "E", "need": {"description": "EPC arbitration in Kazakhstan", "countries": ["KZ"]}}]}
# a public name that need not resolve: accepted with private addresses refused (the default)
WEBHOOK = {"url": "https://hooks.invalid/matchmaker", "event_types": ["request.accepted"]}

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
    # consultation requests: the need's organisation (and administrators) offer and follow them,
    # the lawyer asked answers them with the management token; anyone else's answers 404
    ("POST", "/v1/needs/{fresh_need_x}/requests", {"auto": True},
                                                              (401,  401,  401,  201,  404,  404,  201)),
    ("GET", "/v1/needs/{need_x}/requests", None,              (401,  401,  401,  200,  404,  404,  200)),
    ("GET", "/v1/lawyers/me/requests", None,                  (401,  200,  200,  401,  401,  401,  401)),
    ("POST", "/v1/requests/{fresh_request_a}/accept", None,   (401,  200,  404,  401,  401,  401,  401)),
    ("POST", "/v1/requests/{fresh_request_a}/decline", {"reason": "too busy"},
                                                              (401,  200,  404,  401,  401,  401,  401)),
    ("POST", "/v1/requests/{fresh_request_a}/withdraw", None, (401,  401,  401,  200,  404,  404,  200)),
    ("POST", "/v1/requests/{accepted_request_a}/engage", None,
                                                              (401,  401,  401,  200,  404,  404,  200)),
    ("POST", "/v1/requests/{engaged_request_a}/close", {"rating": 5, "solved": True},
                                                              (401,  401,  401,  200,  404,  404,  200)),
    # analytics: the bureau and administrators
    ("GET", "/v1/analytics/response-times", None,             (401,  401,  401,  403,  403,  200,  200)),
    # the directory is public (budgeted per address); reading one lawyer needs any key
    ("GET", "/v1/lawyers", None,                              (200,  200,  200,  200,  200,  200,  200)),
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
    # fairs: run by a bureau (or an administrator); enterprises' keys may not
    ("POST", "/v1/fairs", "{fair}",                           (401,  401,  401,  403,  403,  201,  201)),
    ("GET", "/v1/fairs", None,                                (401,  401,  401,  403,  403,  200,  200)),
    ("GET", "/v1/fairs/{fair}", None,                         (401,  401,  401,  403,  403,  200,  200)),
    ("POST", "/v1/fairs/{fair}/participants", "{participants}",
                                                              (401,  401,  401,  403,  403,  200,  200)),
    ("POST", "/v1/fairs/{fair}/lawyers/import", "{fair_import}",
                                                              (401,  401,  401,  403,  403,  200,  200)),
    ("PUT", "/v1/fairs/{fair}/interests", "{marks}",          (401,  401,  401,  403,  403,  200,  200)),
    ("GET", "/v1/fairs/{fair}/interests", None,               (401,  401,  401,  403,  403,  200,  200)),
    ("GET", "/v1/fairs/{fair}/recommendations?enterprise={fair_enterprise}", None,
                                                              (401,  401,  401,  403,  403,  200,  200)),
    ("POST", "/v1/fairs/{fair}/schedule", None,               (401,  401,  401,  403,  403,  200,  200)),
    ("GET", "/v1/fairs/{fair}/schedule", None,                (401,  401,  401,  403,  403,  200,  200)),
    ("POST", "/v1/fairs/{fair}/schedule/repair", "{repair}",  (401,  401,  401,  403,  403,  200,  200)),
    ("DELETE", "/v1/fairs/{fresh_fair}", None,                (401,  401,  401,  403,  403,  204,  204)),
    # the bureau's figures: bureau and administrator keys
    ("GET", "/v1/analytics/supply-demand", None,              (401,  401,  401,  403,  403,  200,  200)),
    # webhooks: bureau, admin or enterprise keys; each sees its own subscriptions (admins every one)
    ("POST", "/v1/webhooks", WEBHOOK,                         (401,  401,  401,  201,  201,  201,  201)),
    ("GET", "/v1/webhooks", None,                             (401,  401,  401,  200,  200,  200,  200)),
    ("GET", "/v1/webhooks/{webhook_x}", None,                 (401,  401,  401,  200,  404,  404,  200)),
    ("GET", "/v1/webhooks/{webhook_bureau}", None,            (401,  401,  401,  404,  404,  200,  200)),
    ("PATCH", "/v1/webhooks/{webhook_x}", {"active": True},   (401,  401,  401,  200,  404,  404,  200)),
    ("POST", "/v1/webhooks/{webhook_x}/rotate-secret", None,  (401,  401,  401,  200,  404,  404,  200)),
    ("GET", "/v1/webhooks/{webhook_x}/deliveries", None,      (401,  401,  401,  200,  404,  404,  200)),
    ("POST", "/v1/webhooks/deliveries/{delivery_x}/replay", None,
                                                              (401,  401,  401,  202,  404,  404,  202)),
    ("DELETE", "/v1/webhooks/{fresh_webhook_x}", None,        (401,  401,  401,  204,  404,  404,  204)),
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

    def fair_body(self) -> dict[str, Any]:
        return {**FAIR, "lawyers": [{"lawyer_id": self.lawyer_ids["lawyer_a"]}]}

    def fresh(self, kind: str) -> int:
        if kind == "fresh_need_x":
            response = self.client.post("/v1/needs", json=NEED, headers=self.headers["enterprise_x"])
        elif kind == "fresh_lawyer":
            response = self.client.post("/v1/lawyers", json=registration())
        elif kind in ("fresh_request_a", "accepted_request_a", "engaged_request_a"):
            return self.request_for_a(kind)
        elif kind == "fresh_fair":
            response = self.client.post("/v1/fairs", json=self.fair_body(), headers=self.headers["bureau"])
        elif kind == "fresh_key":
            response = self.client.post("/v1/admin/api-keys", json=KEY, headers=self.admin())
        elif kind == "fresh_webhook_x":
            response = self.client.post("/v1/webhooks", json=WEBHOOK, headers=self.headers["enterprise_x"])
        else:
            raise KeyError(kind)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])


    def request_for_a(self, kind: str) -> int:
        """A request of a fresh need of X Corp sent to lawyer A, then accepted and engaged as named."""
        need = self.fresh("fresh_need_x")
        sent = self.client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [self.ids["lawyer_a"]]}, headers=self.headers["enterprise_x"])
        assert sent.status_code == 201, sent.text
        request_id = int(sent.json()["items"][0]["id"])
        if kind in ("accepted_request_a", "engaged_request_a"):
            accepted = self.client.post(f"/v1/requests/{request_id}/accept", headers=self.headers["lawyer_a"])
            assert accepted.status_code == 200, accepted.text
        if kind == "engaged_request_a":
            engaged = self.client.post(f"/v1/requests/{request_id}/engage", headers=self.headers["enterprise_x"])
            assert engaged.status_code == 200, engaged.text
        return request_id


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


def _delivery_of(client: TestClient, organisation: str, webhook_id: int) -> int:
    """A delivery to the organisation's subscription: an event of theirs, fanned out by the dispatcher."""
    runtime = client.app.state.startup.runtime  # type: ignore[attr-defined]
    with transaction(runtime.sessions) as session:
        events.publish(session, "request.accepted", subject="request:1", data={"request_id": 1}, organisation=organisation)
    dispatcher = Dispatcher(runtime.sessions, runtime.settings)
    try:
        for _ in range(100):  # the service's own dispatcher may be fanning out at this moment
            dispatcher.fan_out()
            with runtime.sessions() as session:
                found = session.scalar(select(func.max(WebhookDelivery.id)).where(WebhookDelivery.subscription_id == webhook_id))
            if found is not None:
                return int(found)
            time.sleep(0.05)
    finally:
        dispatcher.close()
    raise AssertionError("the event was never fanned out")


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
    webhook_x = client.post("/v1/webhooks", json=WEBHOOK, headers=headers["enterprise_x"]).json()["id"]
    webhook_bureau = client.post("/v1/webhooks", json=WEBHOOK, headers=headers["bureau"]).json()["id"]
    delivery_x = _delivery_of(client, "X Corp", webhook_x)
    ids = {"lawyer_a": lawyer_a, "lawyer_b": lawyer_b, "pending": pending, "need_x": need_x, "need_bureau": need_bureau,
           "webhook_x": webhook_x, "webhook_bureau": webhook_bureau, "delivery_x": delivery_x}
    world = World(client, headers, ids, {"lawyer_a": lawyer_a, "lawyer_b": lawyer_b})
    fair = client.post("/v1/fairs", json=world.fair_body(), headers=headers["bureau"]).json()
    world.ids["fair"] = fair["id"]
    world.ids["fair_enterprise"], world.ids["fair_lawyer"] = (p["id"] for p in fair["participants"])
    return world


def _body(world: World, body: Any) -> dict[str, Any]:
    if body == "{registration}":
        return {"json": registration()}
    if body == "{import}":
        return {"content": json.dumps(lawyer_record()).encode()}
    if body == "{fair}":
        return {"json": world.fair_body()}
    if body == "{participants}":
        return {"json": {"enterprises": FAIR["enterprises"]}}
    if body == "{fair_import}":
        return {"content": json.dumps(lawyer_record()).encode()}
    if body == "{marks}":
        return {"json": {"marks": [{"enterprise": world.ids["fair_enterprise"], "lawyer": world.ids["fair_lawyer"], "side": "lawyer", "mark": "would"}]}}
    if body == "{repair}":
        return {"json": {"cancelled": [world.ids["fair_enterprise"]]}}
    return {} if body is None else {"json": body}


def _path(world: World, template: str) -> str:
    for name in ("fresh_need_x", "fresh_lawyer", "fresh_key", "fresh_request_a", "accepted_request_a", "engaged_request_a", "fresh_fair", "fresh_webhook_x"):
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
               .replace("{fresh_key}", "{key_id}").replace("{fresh_request_a}", "{request_id}")
               .replace("{accepted_request_a}", "{request_id}").replace("{engaged_request_a}", "{request_id}")
               .replace("{fresh_fair}", "{fair_id}").replace("{fair}", "{fair_id}")
               .replace("{webhook_x}", "{webhook_id}").replace("{webhook_bureau}", "{webhook_id}")
               .replace("{fresh_webhook_x}", "{webhook_id}").replace("{delivery_x}", "{delivery_id}")
               .split("?")[0])
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
