"""The client address used for per-address limits comes from trusted proxies only: a spoofed
X-Forwarded-For is ignored. Against a real `matchmaker serve` (uvicorn) process, as the README starts it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from service.addresses import client_address, parse_networks
from tests.conftest import lawyer_record
from tests.integration._procs import free_port, service_env, serving

TRUSTED = parse_networks("127.0.0.1, 10.0.0.0/8")


@pytest.mark.parametrize(
    "peer, header, expected",
    [
        ("203.0.113.7", "1.2.3.4", "203.0.113.7"),  # not a proxy: its header is the client's own words
        ("127.0.0.1", "1.2.3.4", "1.2.3.4"),  # the proxy says who connected
        ("127.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # the client's own entry, left of the proxy's, is ignored
        ("127.0.0.1", "6.6.6.6, 1.2.3.4, 10.1.1.1", "1.2.3.4"),  # past a chain of trusted proxies
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "not-an-ip, 1.2.3.4", "1.2.3.4"),
    ],
)
def test_client_address(peer: str, header: str | None, expected: str) -> None:
    assert client_address(peer, header, TRUSTED) == expected


def test_a_bad_trusted_proxy_setting_is_refused() -> None:
    from pydantic import ValidationError

    from service.settings import Settings

    with pytest.raises(ValidationError, match="MATCHMAKER_TRUSTED_PROXIES"):
        Settings(trusted_proxies="nginx", _env_file=None)


def _registration() -> dict:
    body = {k: v for k, v in lawyer_record().items() if k not in ("external_id", "status")}
    return {**body, "consent_listing": True}


def _register(base: str, forwarded_for: str) -> int:
    response = httpx.post(f"{base}/v1/lawyers", json=_registration(), headers={"X-Forwarded-For": forwarded_for}, timeout=30)
    return response.status_code


@pytest.mark.parametrize("trusted", ["", "127.0.0.1"])
def test_spoofed_forwarded_for_does_not_buy_registrations(tmp_path: Path, trusted: str) -> None:
    env = service_env(
        f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "data",
        MATCHMAKER_REGISTRATION_RATE_LIMIT_PER_MINUTE="3", MATCHMAKER_TRUSTED_PROXIES=trusted,
    )
    with serving(env, tmp_path / "serve.log", port=free_port()) as service:
        base = service.base
        health = httpx.get(f"{base}/healthz", timeout=10)
        assert "server" not in health.headers and health.headers["x-content-type-options"] == "nosniff"
        # without a trusted proxy every header is the client's: one budget for 127.0.0.1;
        # behind a trusted proxy the attacker's own entries sit left of the address the proxy appended
        statuses = [_register(base, f"{n}.{n}.{n}.{n}" + (", 198.51.100.9" if trusted else "")) for n in range(1, 7)]
        assert statuses[:3] == [201, 201, 201] and set(statuses[3:]) == {429}, statuses
        if trusted:  # another real client behind the same proxy has its own budget
            assert _register(base, "198.51.100.10") == 201
