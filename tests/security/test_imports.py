"""Bulk imports against hostile input: all or nothing per request, bounded error reports, memory
bounded by the batch, and deep nesting a 4xx, never a 500. Real app, real database."""

from __future__ import annotations

import json
import tracemalloc

from fastapi.testclient import TestClient

from service import importing
from service.state import Runtime
from tests.conftest import ADMIN_KEY, lawyer_record

ADMIN = {"X-API-Key": ADMIN_KEY, "Content-Type": "application/x-ndjson"}


def _total(client: TestClient) -> int:
    return int(client.get("/v1/lawyers", headers={"X-API-Key": ADMIN_KEY}).json()["total"])


def test_deep_nesting_is_a_422_and_the_lines_before_are_not_written(client: TestClient) -> None:
    nested = '{"external_id": "X", "hourly_rate": ' + "[" * 200_000 + "]" * 200_000 + "}"
    body = "\n".join([json.dumps(lawyer_record()) for _ in range(250)] + [nested]).encode()  # past the first batch
    response = client.post("/v1/lawyers/import", content=body, headers=ADMIN)
    assert response.status_code == 200 and response.json()["committed"] is False, response.text[:500]
    assert response.json()["created"] == 0
    assert response.json()["rejected"] == [{"line": 251, "external_id": None, "reason": "JSON nested too deeply; a record is a flat object of the exchange format"}]
    assert _total(client) == 0
    # the JSON routes too: a 4xx problem, not a RecursionError
    deep = client.post("/v1/match", content=b"[" * 100_000 + b"]" * 100_000, headers={"X-API-Key": ADMIN_KEY, "Content-Type": "application/json"})
    assert 400 <= deep.status_code < 500


def test_a_conflict_late_in_the_file_rolls_back_everything(client: TestClient) -> None:
    records = [lawyer_record() for _ in range(300)]
    records.append(lawyer_record(license_no=records[0]["license_no"]))
    response = client.post("/v1/lawyers/import", content="\n".join(json.dumps(r) for r in records).encode(), headers=ADMIN)
    assert response.json()["committed"] is False and response.json()["rejected_total"] == 1
    assert _total(client) == 0
    ok = client.post("/v1/lawyers/import", content="\n".join(json.dumps(r) for r in records[:-1]).encode(), headers=ADMIN)
    assert ok.status_code == 200 and ok.json()["created"] == 300 and ok.json()["committed"] is True


def test_error_reports_are_bounded(client: TestClient) -> None:
    body = b"{not json\n" * 200_000
    response = client.post("/v1/lawyers/import", content=body, headers=ADMIN)
    answer = response.json()
    assert answer["committed"] is False
    assert answer["rejected_total"] == 200_000
    assert len(answer["rejected"]) == importing.REPORTED_REJECTIONS == 100
    assert [r["line"] for r in answer["rejected"]] == list(range(1, 101))
    assert len(response.content) < 64 * 1024


def test_memory_is_bounded_by_the_batch_not_the_file(runtime: Runtime) -> None:
    def lines(n: int):
        for i in range(n):
            yield b'{"external_id": "E%d", "name": "x"}' % i  # valid JSON, invalid record

    tracemalloc.start()
    try:
        summary = importing.import_lawyers(runtime.sessions, lines(50_000), atomic=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.rejected_total == 50_000 and len(summary.rejected) == 100
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for 50,000 bad lines"
