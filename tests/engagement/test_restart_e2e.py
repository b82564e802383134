"""From outside, with the clock shortened: an automatic offer, the first lawyer lets it expire, the
service restarts while the second offer is pending, the second still expires on time, and the
third lawyer gets the need exactly once and accepts; each lawyer's e-mail and the enterprise's
acceptance arrive at a local SMTP server once. Real `matchmaker serve` processes."""

from __future__ import annotations

import signal
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller

from tests.engagement.test_notifications import Inbox

from tests.engagement._world import NEED, registration
from tests.integration._procs import ADMIN_KEY, free_port, serving, service_env, wait_for

SLA = 12.0  # long enough for a restart to finish before the second deadline, on a busy machine too
ADMIN = {"X-API-Key": ADMIN_KEY}


def _history(base: str, need: int, key: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = httpx.get(f"{base}/v1/needs/{need}/requests", headers=key, timeout=10).json()["items"]
    return items


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_offer_expire_restart_expire_accept(tmp_path: Path, database_url: str) -> None:
    mail = Inbox()
    smtp = Controller(mail, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        _scenario(tmp_path, database_url, mail, smtp.port)
    finally:
        smtp.stop()


def _scenario(tmp_path: Path, database_url: str, mail: Inbox, smtp_port: int) -> None:
    env = service_env(
        database_url,
        tmp_path / "data",
        MATCHMAKER_REQUEST_SLA_SECONDS=str(SLA),
        MATCHMAKER_SWEEP_INTERVAL_SECONDS="0.2",
        MATCHMAKER_REQUEST_MAX_ROUNDS="5",
        MATCHMAKER_REGISTRATION_RATE_LIMIT_PER_MINUTE="1000",
        MATCHMAKER_SMTP_HOST="127.0.0.1",
        MATCHMAKER_SMTP_PORT=str(smtp_port),
        MATCHMAKER_MAIL_INTERVAL_SECONDS="0.2",
    )
    tokens: dict[int, dict[str, str]] = {}
    with serving(env, tmp_path / "first.log") as service:
        base = service.base
        for n in range(3):
            body = registration(years_of_practice=5 + 5 * n, firm=f"律所{n}", firm_en=f"Firm {n}")
            made = httpx.post(f"{base}/v1/lawyers", json=body, timeout=10).json()
            tokens[made["id"]] = {"Authorization": f"Bearer {made['management_token']}"}
            assert httpx.post(f"{base}/v1/lawyers/{made['id']}/verify", headers=ADMIN, timeout=10).status_code == 200
        key_answer = httpx.post(
            f"{base}/v1/admin/api-keys", json={"name": "e", "role": "enterprise", "organisation": "sunpower"}, headers=ADMIN, timeout=10
        )
        key = {"X-API-Key": key_answer.json()["api_key"]}
        need = httpx.post(f"{base}/v1/needs", json=NEED | {"contact_email": "legal@sunpower-epc.cn"}, headers=key, timeout=10).json()["id"]
        first = httpx.post(f"{base}/v1/needs/{need}/requests", json={"auto": True}, headers=key, timeout=30)
        assert first.status_code == 201, first.text
        # the first lawyer lets it expire; the second gets it when the deadline passes
        wait_for(lambda: len(_history(base, need, key)) == 2, timeout=SLA + 10, interval=0.1, what="the second offer")
        moved = datetime.now(timezone.utc)
        history = _history(base, need, key)
        assert history[0]["state"] == "expired" and history[1]["state"] == "pending"
        # acted on time: the next offer was made (its created_at) within a sweep or two of the deadline
        assert 0 <= (_at(history[1]["created_at"]) - _at(history[0]["deadline_at"])).total_seconds() < 1.5
        assert (moved - _at(history[0]["deadline_at"])).total_seconds() < 10.0  # as seen from outside, on a busy machine
        second_deadline = _at(history[1]["deadline_at"])
        service.signal(signal.SIGTERM)
        service.wait(timeout=30)
    # restart while the second offer is pending
    restarted_at = datetime.now(timezone.utc)
    assert restarted_at < second_deadline, "the restart began after the deadline: lengthen SLA"
    with serving(env, tmp_path / "second.log") as service:
        base = service.base
        ready_at = datetime.now(timezone.utc)
        # the deadline falls while this server runs (unless the machine made the restart slower than the SLA)
        due = max(second_deadline, ready_at)
        wait_for(lambda: len(_history(base, need, key)) == 3, timeout=SLA + 10, interval=0.1, what="the third offer")
        moved = datetime.now(timezone.utc)
        history = _history(base, need, key)
        assert [h["state"] for h in history] == ["expired", "expired", "pending"]
        # on time after the restart: not before the deadline, within a sweep or two after it
        late = (_at(history[2]["created_at"]) - second_deadline).total_seconds()
        print(f"restart ready {(second_deadline - ready_at).total_seconds():.1f} s before the deadline; second expiry acted on "
              f"{late:.2f} s after it; seen from outside after {(moved - second_deadline).total_seconds():.2f} s")
        assert 0 <= late and (_at(history[2]["created_at"]) - due).total_seconds() < 1.5
        assert (moved - second_deadline).total_seconds() < 10.0  # as seen from outside, on a busy machine
        third = history[2]["lawyer"]["id"]
        assert len({h["lawyer"]["id"] for h in history}) == 3
        inbox = httpx.get(f"{base}/v1/lawyers/me/requests", headers=tokens[third], timeout=10).json()["items"]
        assert [i["need"]["id"] for i in inbox] == [need]  # exactly once
        accepted = httpx.post(f"{base}/v1/requests/{history[2]['id']}/accept", headers=tokens[third], timeout=10)
        assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
        time.sleep(0.5)  # a sweep later, nothing moved on
        assert [h["state"] for h in _history(base, need, key)] == ["expired", "expired", "accepted"]
        # each lawyer was written to once, and the enterprise told of the acceptance once
        messages = mail.wait(4)
        time.sleep(1.0)  # no late duplicate
        recipients = sorted(m["To"] for m in mail.messages)
        emails = sorted(httpx.get(f"{base}/v1/lawyers/me", headers=t, timeout=10).json()["email"] for t in tokens.values())
        assert recipients == sorted([*emails, "legal@sunpower-epc.cn"])
        assert sum("accepted" in m["Subject"] for m in messages) == 1
