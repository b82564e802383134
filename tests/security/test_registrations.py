"""Anonymous registration cannot grow the database without bound: a quota per address and day,
and `matchmaker prune` removing stale pending registrations (audited). Consent time only on consent."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from models import Lawyer
from models.base import utcnow
from service.main import create_app
from service.state import Runtime
from tests.conftest import ADMIN_KEY, REPO, lawyer_record, make_settings, started

ADMIN = {"X-API-Key": ADMIN_KEY}


def _registration(**overrides: Any) -> dict[str, Any]:
    return {k: v for k, v in lawyer_record(**overrides).items() if k not in ("external_id", "status")}


def test_registrations_have_a_daily_quota_per_address(tmp_path: Path, database_url: str, runtime: Runtime) -> None:
    settings = make_settings(
        tmp_path, database_url, registration_rate_limit_per_minute=1000, registrations_per_address_per_day=3,
        trusted_proxies="127.0.0.1",
    )
    with started(create_app(settings, runtime=runtime), client=("127.0.0.1", 1)) as client:
        first = {"X-Forwarded-For": "203.0.113.9"}
        statuses = [client.post("/v1/lawyers", json=_registration(), headers=first).status_code for _ in range(5)]
        assert statuses == [201, 201, 201, 429, 429]
        refused = client.post("/v1/lawyers", json=_registration(), headers=first)
        assert "today" in refused.json()["detail"] and int(refused.headers["Retry-After"]) > 3600
        assert client.post("/v1/lawyers", json=_registration(), headers={"X-Forwarded-For": "198.51.100.4"}).status_code == 201


def test_consent_time_only_when_consent_was_given(client: TestClient) -> None:
    without = client.post("/v1/lawyers", json=_registration()).json()
    assert without["consent_listing"] is False and without["consent_listing_at"] is None
    given = client.post("/v1/lawyers", json={**_registration(), "consent_listing": True}).json()
    assert given["consent_listing_at"] is not None


def test_prune_removes_stale_pending_registrations_and_audits(client: TestClient, runtime: Runtime, settings) -> None:
    stale = client.post("/v1/lawyers", json=_registration()).json()
    fresh = client.post("/v1/lawyers", json=_registration()).json()
    verified = client.post("/v1/lawyers", json=_registration()).json()
    assert client.post(f"/v1/lawyers/{verified['id']}/verify", headers=ADMIN).status_code == 200
    imported = client.post("/v1/lawyers/import", content=__import__("json").dumps(lawyer_record(status="pending")), headers=ADMIN)
    assert imported.status_code == 200
    with runtime.sessions() as session, session.begin():
        old = utcnow() - timedelta(days=40)
        session.execute(update(Lawyer).where(Lawyer.id.in_([stale["id"], verified["id"]])).values(created_at=old))
        session.execute(update(Lawyer).where(Lawyer.external_id.is_not(None)).values(created_at=old))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")} | {
        "MATCHMAKER_DATABASE_URL": settings.resolved_database_url, "MATCHMAKER_DATA_DIR": str(settings.data_dir),
        "MATCHMAKER_ENVIRONMENT": "test",
    }
    done = subprocess.run([sys.executable, "-m", "service.cli", "prune", "--older-than-days", "30"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "pruned 1 registration(s)" in done.stderr
    assert client.get(f"/v1/lawyers/{stale['id']}", headers=ADMIN).status_code == 404
    for kept in (fresh["id"], verified["id"]):
        assert client.get(f"/v1/lawyers/{kept}", headers=ADMIN).status_code == 200
    assert client.get("/v1/lawyers", headers=ADMIN).json()["total"] == 3  # the bureau's pending record stays
    events = client.get("/v1/admin/audit", params={"lawyer_id": stale["id"]}, headers=ADMIN).json()["items"]
    assert events[0]["action"] == "erased" and events[0]["actor"] == "prune" and "30 days" in events[0]["reason"]
