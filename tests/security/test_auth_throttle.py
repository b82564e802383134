"""Failed authentication is throttled per client address and per credential prefix: 429 with
Retry-After, and an audit event. Real app, real database; addresses come through a trusted proxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.main import create_app
from service.state import Runtime
from tests.conftest import ADMIN_KEY, lawyer_record, make_settings, started

BUDGET = 5


@pytest.fixture
def proxied(tmp_path: Path, database_url: str, runtime: Runtime) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, database_url, auth_failures_per_minute=BUDGET, trusted_proxies="127.0.0.1")
    app = create_app(settings, runtime=runtime)
    with started(app, client=("127.0.0.1", 40000)) as client:  # every request comes through "the proxy"
        yield client


def _from(address: str, **headers: str) -> dict[str, str]:
    return {"X-Forwarded-For": address, **headers}


def _audit(client: TestClient) -> list[dict]:
    items = client.get("/v1/admin/audit", headers=_from("192.0.2.250", **{"X-API-Key": ADMIN_KEY})).json()["items"]
    return [e for e in items if e["action"] == "authentication_throttled"]


def test_wrong_api_keys_are_throttled_per_address(proxied: TestClient) -> None:
    guesses = [proxied.get("/v1/lawyers", headers=_from("203.0.113.5", **{"X-API-Key": f"mk_guess{n:04d}xyz"})) for n in range(BUDGET + 3)]
    statuses = [r.status_code for r in guesses]
    assert statuses[: BUDGET - 1] == [401] * (BUDGET - 1) and set(statuses[BUDGET:]) == {429}, statuses
    assert int(guesses[-1].headers["Retry-After"]) >= 1
    # past the budget even the right key is not looked at from that address...
    assert proxied.get("/v1/lawyers", headers=_from("203.0.113.5", **{"X-API-Key": ADMIN_KEY})).status_code == 429
    # ...while another address is served
    assert proxied.get("/v1/lawyers", headers=_from("198.51.100.1", **{"X-API-Key": ADMIN_KEY})).status_code == 200
    events = _audit(proxied)
    assert len(events) == 1 and events[0]["actor"] == "ip:203.0.113.5"


def test_one_credential_guessed_from_many_addresses_is_throttled_by_prefix(proxied: TestClient) -> None:
    statuses = [
        proxied.get("/v1/lawyers/me", headers=_from(f"203.0.113.{n}", Authorization=f"Bearer lt_AbCdEfG{n:03d}")).status_code
        for n in range(1, BUDGET + 4)
    ]
    assert statuses[: BUDGET - 1] == [401] * (BUDGET - 1) and set(statuses[BUDGET:]) == {429}, statuses
    # a lawyer whose token starts otherwise is untouched
    body = {k: v for k, v in lawyer_record().items() if k not in ("external_id", "status")}
    token = proxied.post("/v1/lawyers", json=body, headers=_from("198.51.100.2")).json()["management_token"]
    assert proxied.get("/v1/lawyers/me", headers=_from("198.51.100.3", Authorization=f"Bearer {token}")).status_code == 200
    assert _audit(proxied)
