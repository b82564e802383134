"""Privacy, erasure, verification, consent and input limits, through the API on a real database."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from models import Lawyer
from models.base import utcnow
from service.main import create_app
from service.settings import Settings
from service.state import Runtime
from tests.conftest import ADMIN_KEY, REPO, all_keys, lawyer_record, started

ADMIN = {"X-API-Key": ADMIN_KEY}
CONTACT_KEYS = {"email", "phone", "license_no", "management_token_hash", "management_token"}
KZ_QUERY = {"description": "EPC arbitration in Kazakhstan", "countries": ["KZ"], "k": 50}


def registration(**overrides: Any) -> dict[str, Any]:
    body = {k: v for k, v in lawyer_record(**overrides).items() if k not in ("external_id", "status")}
    body.setdefault("consent_listing", True)
    return body


def _register(client: TestClient, verify: bool = True, **overrides: Any) -> tuple[dict[str, Any], dict[str, str]]:
    response = client.post("/v1/lawyers", json=registration(**overrides))
    assert response.status_code == 201, response.text
    lawyer = response.json()
    if verify:
        assert client.post(f"/v1/lawyers/{lawyer['id']}/verify", headers=ADMIN).status_code == 200
    return lawyer, {"Authorization": f"Bearer {lawyer['management_token']}"}


def _matched_ids(client: TestClient | httpx.Client, body: dict[str, Any] = KZ_QUERY) -> list[int]:
    response = client.post("/v1/match", json=body, headers=ADMIN)
    assert response.status_code == 200, response.text
    return [r["lawyer"]["id"] for r in response.json()["results"]]


def _audit(client: TestClient, lawyer_id: int) -> list[dict[str, Any]]:
    response = client.get("/v1/admin/audit", params={"lawyer_id": lawyer_id}, headers=ADMIN)
    assert response.status_code == 200
    return response.json()["items"]


def _enterprise(client: TestClient, organisation: str = "Acme") -> dict[str, str]:
    response = client.post(
        "/v1/admin/api-keys", json={"name": "e", "role": "enterprise", "organisation": organisation}, headers=ADMIN
    )
    assert response.status_code == 201
    return {"X-API-Key": response.json()["api_key"]}


# ---- privacy -------------------------------------------------------------------------------


def test_contact_fields_never_reach_matches_directory_or_public_reads(client):
    lawyer, _ = _register(client, email="secret.person@example.org", phone="+86 139 1234 5678")
    secrets_ = {"secret.person@example.org", "+86 139 1234 5678", lawyer["license_no"]}
    enterprise = _enterprise(client)
    answers = {
        "match": client.post("/v1/match", json=KZ_QUERY, headers=enterprise),
        "directory": client.get("/v1/lawyers", headers=enterprise),
        "public read": client.get(f"/v1/lawyers/{lawyer['id']}", headers=enterprise),
    }
    need = client.post("/v1/needs", json={"description": "EPC arbitration", "countries": ["KZ"]}, headers=enterprise).json()
    answers["stored need's matches"] = client.get(f"/v1/needs/{need['id']}/matches", headers=enterprise)
    for what, response in answers.items():
        assert response.status_code == 200, what
        assert not all_keys(response.json()) & CONTACT_KEYS, what
        assert not any(secret in response.text for secret in secrets_), what
    assert lawyer["id"] in [r["lawyer"]["id"] for r in answers["match"].json()["results"]]
    assert lawyer["id"] in [item["id"] for item in answers["directory"].json()["items"]]
    assert answers["public read"].json()["last_verified_at"] is not None


def test_audit_snapshots_carry_no_contact_details(client):
    lawyer, _ = _register(client, email="audit.me@example.org")
    client.post(f"/v1/lawyers/{lawyer['id']}/suspend", json={"reason": "complaint"}, headers=ADMIN)
    events = _audit(client, lawyer["id"])
    assert events and not all_keys([e["before"] for e in events] + [e["after"] for e in events]) & CONTACT_KEYS
    assert "audit.me@example.org" not in json.dumps(events) and lawyer["license_no"] not in json.dumps(events)


# ---- registration and self-service ---------------------------------------------------------


def test_registration_validates_every_field(client):
    cases = {
        "countries": {"countries": ["Kazakhstan"]},
        "languages": {"languages": [{"code": "russian"}]},
        "practice_areas": {"practice_areas": ["arbitration"]},
        "license_no": {"license_no": "12"},
        "email": {"email": "not-an-email"},
        "name": {"name": "   "},
        "bar_admissions": {"bar_admissions": ["QQ"]},
        "status": {"status": "verified"},
        "management_token_hash": {"management_token_hash": "0" * 64},
        "years_of_practice": {"years_of_practice": True},
    }
    for field, override in cases.items():
        response = client.post("/v1/lawyers", json={**registration(), **override})
        assert response.status_code == 422, field
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in problem["detail"], (field, problem["detail"])
        assert problem["errors"] and all(e["message"] for e in problem["errors"])


def test_addresses_in_special_use_domains_are_refused_as_the_schema_says(client):
    pattern = re.compile(client.get("/openapi.json").json()["components"]["schemas"]["LawyerCreate"]["properties"]["email"]["anyOf"][0]["pattern"])
    for address, valid in (("a@lawfirm.cn", True), ("a@contest.com", True), ("a@x.test", False), ("a@b.LOCALHOST", False), ("a@hidden.onion", False)):
        assert bool(pattern.search(address)) is valid, address
        response = client.post("/v1/lawyers", json={**registration(), "email": address})
        assert (response.status_code == 201) is valid, (address, response.text)
        if not valid:
            assert "special-use" in response.json()["detail"]


def test_duplicate_licence_is_not_an_oracle_but_cannot_be_verified_twice(client):
    # (tests/security/test_licences.py has the whole mechanism)
    lawyer, _ = _register(client)
    again = client.post("/v1/lawyers", json=registration(license_no=lawyer["license_no"]))
    assert again.status_code == 201
    assert client.post(f"/v1/lawyers/{again.json()['id']}/verify", headers=ADMIN).status_code == 409


def test_credential_changes_wait_for_review_and_the_verified_values_stay_listed(client):
    # (tests/security/test_credential_review.py has the whole mechanism)
    lawyer, token = _register(client)
    assert lawyer["id"] in _matched_ids(client)
    unchanged = client.patch("/v1/lawyers/me", json={"bio": "EPC arbitration for a solar plant in Kazakhstan."}, headers=token)
    assert unchanged.status_code == 200 and unchanged.json()["pending_changes"] is None
    changed = client.patch("/v1/lawyers/me", json={"bar_admissions": ["CN", "GB"]}, headers=token)
    assert changed.status_code == 200 and changed.json()["status"] == "verified"
    assert changed.json()["bar_admissions"] == ["CN"] and changed.json()["pending_changes"] == {"bar_admissions": ["CN", "GB"]}
    assert lawyer["id"] in _matched_ids(client)
    event = _audit(client, lawyer["id"])[0]
    assert (event["actor"], event["action"]) == (f"lawyer:{lawyer['id']}", "changes_submitted")
    assert "bar_admissions" in event["reason"]


def test_requests_cannot_set_status_or_null_required_fields(client):
    lawyer, token = _register(client, verify=False)
    for body in ({"status": "verified"}, {"verified_at": "2026-01-01T00:00:00Z"}, {"name": None}, {"accepting_clients": None}):
        response = client.patch("/v1/lawyers/me", json=body, headers=token)
        assert response.status_code == 422, body
    assert client.get("/v1/lawyers/me", headers=token).json()["status"] == "pending"


# ---- verification, audit, expiry -----------------------------------------------------------


def test_verify_and_suspend_are_audited_with_reasons(client):
    lawyer, _ = _register(client, verify=False)
    assert client.post(f"/v1/lawyers/{lawyer['id']}/suspend", headers=ADMIN).status_code == 422  # a reason is required
    verified = client.post(f"/v1/lawyers/{lawyer['id']}/verify", json={"reason": "bar certificate checked"}, headers=ADMIN)
    assert verified.status_code == 200
    body = verified.json()
    assert body["last_verified_at"] and body["verification_expires_at"] > body["last_verified_at"]
    suspended = client.post(f"/v1/lawyers/{lawyer['id']}/suspend", json={"reason": "complaint upheld"}, headers=ADMIN)
    assert suspended.json()["status"] == "suspended"
    events = _audit(client, lawyer["id"])
    assert [(e["action"], e["reason"], e["before"]["status"], e["after"]["status"]) for e in events[:2]] == [
        ("status_changed", "complaint upheld", "verified", "suspended"),
        ("status_changed", "bar certificate checked", "pending", "verified"),
    ]
    assert events[0]["actor"] == "admin:admin" and events[0]["at"]


def test_verification_lasts_the_configured_period_and_renews(client, settings):
    lawyer, _ = _register(client)
    first = client.get(f"/v1/lawyers/{lawyer['id']}", headers=ADMIN).json()
    from datetime import datetime

    verified = datetime.fromisoformat(first["last_verified_at"])
    expires = datetime.fromisoformat(first["verification_expires_at"])
    assert abs((expires - verified) - timedelta(days=settings.verification_valid_days)) < timedelta(seconds=1)
    renewed = client.post(f"/v1/lawyers/{lawyer['id']}/verify", json={"reason": "annual renewal"}, headers=ADMIN).json()
    assert renewed["last_verified_at"] > first["last_verified_at"]
    assert renewed["verified_at"] == first["verified_at"]
    assert _audit(client, lawyer["id"])[0]["action"] == "verification_renewed"


def _expire(runtime: Runtime, lawyer_id: int) -> None:
    with runtime.sessions() as session, session.begin():
        session.execute(
            update(Lawyer).where(Lawyer.id == lawyer_id).values(verification_expires_at=utcnow() - timedelta(days=1))
        )


def test_expired_verification_leaves_the_directory(client, runtime):
    lawyer, _ = _register(client)
    enterprise = _enterprise(client)
    _expire(runtime, lawyer["id"])
    assert lawyer["id"] not in [i["id"] for i in client.get("/v1/lawyers", headers=enterprise).json()["items"]]
    assert client.get(f"/v1/lawyers/{lawyer['id']}", headers=enterprise).status_code == 404
    client.post(f"/v1/lawyers/{lawyer['id']}/verify", json={"reason": "renewed"}, headers=ADMIN)
    assert client.get(f"/v1/lawyers/{lawyer['id']}", headers=enterprise).status_code == 200


def test_expired_or_unconsenting_lawyers_are_not_matched(client, runtime):
    expired, _ = _register(client)
    unconsenting, _ = _register(client, consent_listing=False)
    _expire(runtime, expired["id"])
    client.post("/v1/admin/reindex", headers=ADMIN)
    matched = _matched_ids(client)
    assert expired["id"] not in matched and unconsenting["id"] not in matched


# ---- consent -------------------------------------------------------------------------------


def test_consent_is_opt_in_recorded_and_withdrawable(client):
    lawyer, token = _register(client, consent_listing=False)
    enterprise = _enterprise(client)
    assert lawyer["consent_listing"] is False and lawyer["consent_contact_sharing"] is False
    assert client.get(f"/v1/lawyers/{lawyer['id']}", headers=enterprise).status_code == 404
    given = client.put("/v1/lawyers/me/consent", json={"listing": True, "contact_sharing": True}, headers=token)
    assert given.status_code == 200
    assert given.json()["consent_listing"] and given.json()["consent_listing_at"]
    assert client.get(f"/v1/lawyers/{lawyer['id']}", headers=enterprise).status_code == 200
    withdrawn = client.put("/v1/lawyers/me/consent", json={"listing": False}, headers=token).json()
    assert withdrawn["consent_listing"] is False and withdrawn["consent_contact_sharing"] is True
    assert client.get(f"/v1/lawyers/{lawyer['id']}", headers=enterprise).status_code == 404
    actions = [e["action"] for e in _audit(client, lawyer["id"])]
    assert actions.count("consent_changed") == 2


# ---- erasure -------------------------------------------------------------------------------


def test_management_tokens_rotate_and_an_administrator_can_reissue_one(client):
    lawyer, first = _register(client)
    rotated = client.post("/v1/lawyers/me/token", headers=first)
    assert rotated.status_code == 200, rotated.text
    second = {"Authorization": f"Bearer {rotated.json()['management_token']}"}
    assert client.get("/v1/lawyers/me", headers=first).status_code == 401  # the old token stops at once
    assert client.get("/v1/lawyers/me", headers=second).json()["id"] == lawyer["id"]

    # a lawyer who lost the token: an administrator issues a new one, with how identity was checked
    assert client.post(f"/v1/lawyers/{lawyer['id']}/token", headers=ADMIN).status_code == 422
    reissued = client.post(f"/v1/lawyers/{lawyer['id']}/token", json={"reason": "identity checked by video call"}, headers=ADMIN)
    assert reissued.status_code == 200, reissued.text
    token = reissued.json()["management_token"]
    assert client.get("/v1/lawyers/me", headers=second).status_code == 401
    assert client.get("/v1/lawyers/me", headers={"X-Lawyer-Token": token}).json()["id"] == lawyer["id"]
    assert client.post("/v1/lawyers/999999/token", json={"reason": "x"}, headers=ADMIN).status_code == 404

    audit = client.get("/v1/admin/audit", params={"lawyer_id": lawyer["id"]}, headers=ADMIN)
    assert audit.status_code == 200, audit.text
    events = [e for e in audit.json()["items"] if e["action"] == "token_reissued"]
    assert sorted(e["reason"] for e in events) == ["identity checked by video call", "rotated by the lawyer"]
    assert token not in audit.text and rotated.json()["management_token"] not in audit.text


def test_erasure_leaves_only_an_audit_stub(client):
    lawyer, token = _register(client, email="erase.me@example.org")
    assert lawyer["id"] in _matched_ids(client)
    assert client.delete("/v1/lawyers/me", headers=token).status_code == 204
    assert lawyer["id"] not in _matched_ids(client)
    assert client.get("/v1/lawyers/me", headers=token).status_code == 401
    assert client.get(f"/v1/lawyers/{lawyer['id']}", headers=ADMIN).status_code == 404
    events = _audit(client, lawyer["id"])
    assert events[0]["action"] == "erased" and events[0]["actor"] == f"lawyer:{lawyer['id']}"
    text = json.dumps(events, ensure_ascii=False)
    assert "erase.me@example.org" not in text and lawyer["name"] not in text and lawyer["license_no"] not in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def second_worker(settings: Settings, tmp_path: Path) -> Iterator[httpx.Client]:
    """A real uvicorn process on the same database, with its own index and change-feed follower."""
    port = _free_port()
    env = {
        **os.environ,
        "MATCHMAKER_DATABASE_URL": settings.resolved_database_url,
        "MATCHMAKER_DATA_DIR": str(tmp_path / "worker2"),
        "MATCHMAKER_ADMIN_API_KEY": ADMIN_KEY,
        "MATCHMAKER_LOAD_DEMO_DATA": "false",
        "MATCHMAKER_ENVIRONMENT": "test",
    }
    log = open(tmp_path / "worker2.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "service.main:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port), "--no-server-header"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            deadline = time.monotonic() + 90
            while True:
                assert process.poll() is None, (tmp_path / "worker2.log").read_text()
                try:
                    if http.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the second worker did not become ready"
                time.sleep(0.2)
            yield http
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


def _poll(check, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def test_deleted_lawyer_is_gone_from_another_workers_matches(client, second_worker):
    lawyer, token = _register(client)
    assert _poll(lambda: lawyer["id"] in _matched_ids(second_worker), 3), "the second worker never saw the lawyer"
    assert client.delete("/v1/lawyers/me", headers=token).status_code == 204
    # the follower polls every 0.5 s: two seconds is ample
    assert _poll(lambda: lawyer["id"] not in _matched_ids(second_worker), 2), "still matched by the second worker"
    # and the other way round: erasure through the second worker leaves this one's matches too
    other, other_token = _register(client)
    assert lawyer["id"] not in _matched_ids(client) and other["id"] in _matched_ids(client)
    assert second_worker.delete("/v1/lawyers/me", headers=other_token).status_code == 204
    assert _poll(lambda: other["id"] not in _matched_ids(client), 2)


# ---- input limits --------------------------------------------------------------------------


def test_bodies_over_one_mebibyte_are_refused(client):
    big = {"description": "EPC arbitration " + "x" * (1024 * 1024)}
    response = client.post("/v1/match", json=big, headers=ADMIN)
    assert response.status_code == 413 and response.headers["content-type"].startswith("application/problem+json")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the streamed bytes are counted
        yield b'{"description": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    streamed = client.post("/v1/needs", content=chunks(), headers={**ADMIN, "content-type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["status"] == 413
    # imports have their own, larger limit
    records = [lawyer_record(bio="Advised on EPC arbitration in Kazakhstan. " * 200) for _ in range(150)]
    body = "\n".join(json.dumps(r) for r in records).encode()
    assert len(body) > 1024 * 1024
    imported = client.post("/v1/lawyers/import", content=body, headers=ADMIN)
    assert imported.status_code == 200 and imported.json()["created"] == 150


def test_limits_on_k_page_size_and_text(client):
    assert client.post("/v1/match", json={"description": "EPC", "k": 51}, headers=ADMIN).status_code == 422
    assert client.get("/v1/lawyers", params={"limit": 101}, headers=ADMIN).status_code == 422
    assert client.get("/v1/needs", params={"limit": 101}, headers=ADMIN).status_code == 422
    assert client.get("/v1/needs/1/matches", params={"k": 51}, headers=ADMIN).status_code == 422
    assert client.post("/v1/needs", json={"description": "x" * 4001}, headers=ADMIN).status_code == 422
    assert client.get("/v1/lawyers/99999999999999999999", headers=ADMIN).status_code == 422  # beyond any id


@pytest.mark.parametrize(
    "raw",
    [
        b'{"description": "EPC \\u0000 arbitration"}',
        b'{"description": "EPC \\ud800 arbitration"}',
        b'{"description": "EPC arbitration", "\\ud800": 1}',
        b'{"description": "\xff\xfe"}',
        b'{"description": "EPC arbitration", "k": 1e400}',
        b"[]",
        b"null",
    ],
)
def test_hostile_bodies_get_a_4xx_problem(client, raw):
    for path in ("/v1/match", "/v1/needs"):
        response = client.post(path, content=raw, headers={**ADMIN, "content-type": "application/json"})
        assert 400 <= response.status_code < 500, (path, raw, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"]


def test_unsupported_methods_name_the_allowed_ones(client):
    response = client.put("/v1/needs", headers=ADMIN)
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}


# ---- rate limits ---------------------------------------------------------------------------


@pytest.fixture
def tight_client(tmp_path: Path, database_url: str, runtime: Runtime) -> Iterator[TestClient]:
    tight = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        admin_api_key=ADMIN_KEY,
        load_demo_data=False,
        environment="test",
        rate_limit_per_minute=5,
        registration_rate_limit_per_minute=2,
    )
    with started(create_app(tight, runtime=runtime)) as test_client:
        yield test_client


def test_rate_limits_answer_429_with_retry_after(tight_client):
    client = tight_client
    statuses = [client.get("/v1/needs", headers=ADMIN).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    limited = client.get("/v1/needs", headers=ADMIN)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert limited.headers["content-type"].startswith("application/problem+json")
    # the budget is per key: another key is unaffected
    other = client.post("/v1/admin/api-keys", json={"name": "e", "role": "enterprise", "organisation": "A"}, headers=ADMIN)
    assert other.status_code == 429  # the admin's own budget is spent
    registrations = [client.post("/v1/lawyers", json=registration()).status_code for _ in range(3)]
    assert registrations == [201, 201, 429]


def test_lapsing_is_noticed_without_a_reindex(client, runtime):
    lawyer, _ = _register(client)
    assert lawyer["id"] in _matched_ids(client)
    with runtime.sessions() as session, session.begin():  # lapses now, after the index was loaded
        session.execute(update(Lawyer).where(Lawyer.id == lawyer["id"]).values(verification_expires_at=utcnow()))
    runtime.drop_lapsed()
    assert lawyer["id"] not in _matched_ids(client)
