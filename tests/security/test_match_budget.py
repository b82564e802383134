"""One key cannot starve everyone: concurrency and cost budgets per key and per organisation for
matches (long text and large k cost more); past them 429 with Retry-After. Real app, real database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.budgets import ConcurrencyGate, match_cost
from service.errors import TooManyRequests
from service.main import create_app
from service.state import Runtime
from tests.conftest import ADMIN_KEY, lawyer_record, make_settings, started

ADMIN = {"X-API-Key": ADMIN_KEY}
LONG = ("Our EPC contract for a solar plant in Kazakhstan is in dispute with the state utility over grid connection. " * 40)[:4000]
HEAVY = {"description": LONG, "k": 50}
LIGHT = {"description": "EPC arbitration in Kazakhstan", "countries": ["KZ"], "k": 5}


@pytest.fixture
def budgeted(tmp_path: Path, database_url: str, runtime: Runtime) -> Iterator[TestClient]:
    settings = make_settings(
        tmp_path, database_url, match_cost_per_minute=30, match_cost_per_minute_per_organisation=45,
        match_concurrency_per_key=1, match_concurrency_per_organisation=2,
    )
    with started(create_app(settings, runtime=runtime)) as client:
        body = "\n".join(json.dumps(lawyer_record()) for _ in range(5))
        assert client.post("/v1/lawyers/import", content=body, headers=ADMIN).status_code == 200
        yield client


def _key(client: TestClient, organisation: str) -> dict[str, str]:
    response = client.post("/v1/admin/api-keys", json={"name": "k", "role": "enterprise", "organisation": organisation}, headers=ADMIN)
    return {"X-API-Key": response.json()["api_key"]}


def test_cost_grows_with_text_and_k() -> None:
    assert match_cost(30, 5) < 1.5 < 10 < match_cost(4000, 50) < 12


def test_expensive_matches_spend_the_key_budget_not_the_others(budgeted: TestClient) -> None:
    a, b, a_again = _key(budgeted, "Tenant A"), _key(budgeted, "Tenant B"), None
    statuses = [budgeted.post("/v1/match", json=HEAVY, headers=a).status_code for _ in range(4)]
    assert statuses[:2] == [200, 200] and statuses[-1] == 429, statuses  # 30 units: two of ~11, not three
    refused = budgeted.post("/v1/match", json=HEAVY, headers=a)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "budget" in refused.json()["detail"]
    # another tenant is untouched; cheap matches of A's organisation through another key meet the organisation's budget
    assert [budgeted.post("/v1/match", json=LIGHT, headers=b).status_code for _ in range(5)] == [200] * 5
    a_again = _key(budgeted, "Tenant A")
    results = [budgeted.post("/v1/match", json=HEAVY, headers=a_again).status_code for _ in range(3)]
    assert results[0] == 200 and 429 in results, results  # the organisation's 45 units run out first


def test_a_key_runs_only_so_many_matches_at_once(budgeted: TestClient) -> None:
    gate = ConcurrencyGate(per_key=1, per_organisation=2)
    with gate.slot("1", "A"):
        with pytest.raises(TooManyRequests):
            with gate.slot("1", "A"):
                pass
        with gate.slot("2", "A"):  # another key of the organisation: its second slot
            with pytest.raises(TooManyRequests, match="organisation"):
                with gate.slot("3", "A"):
                    pass
    with gate.slot("1", "A"):  # released
        pass
    # through the API: concurrent matches of one key beyond the first are refused at once
    key = _key(budgeted, "Tenant C")
    light = dict(LIGHT, k=1)
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: budgeted.post("/v1/match", json=light, headers=key).status_code, range(16)))
    assert set(statuses) <= {200, 429} and 200 in statuses
