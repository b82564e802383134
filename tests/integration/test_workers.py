"""Two real service processes on one PostgreSQL: a write through one is matched by the other.

Also the change feed's late commits: a transaction that took a lower feed id but commits after a
higher one must still be applied by a follower that has moved past it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from embeddings.encoder import Encoder
from models import LawyerStatus, ProfileChange
from service.db import make_engine, make_session_factory, migrate
from service.matching.catalog import Catalog
from service.repositories import lawyers as lawyer_repo
from tests.conftest import REPO, lawyer_record

KEY = "workers-admin-key"
NEED = {
    "description": "Our EPC contract for a solar plant in Kazakhstan is in ICC arbitration; we need counsel.",
    "countries": ["KZ"],
    "k": 10,
}


def _serve(url: str, data: Path, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "MATCHMAKER_DATABASE_URL": url,
        "MATCHMAKER_DATA_DIR": str(data),
        "MATCHMAKER_LOAD_DEMO_DATA": "false",
        "MATCHMAKER_ADMIN_API_KEY": KEY,
    }
    command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port)]
    return subprocess.Popen(command, env=env, cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _ready(port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"service on {port} not ready")


@pytest.fixture
def two_services(postgres_server: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    migrate(postgres_server)
    ports = (18750 + os.getpid() % 100, 18850 + os.getpid() % 100)
    processes = [_serve(postgres_server, tmp_path / f"data{i}", port) for i, port in enumerate(ports)]
    try:
        for port in ports:
            _ready(port)
        yield tuple(f"http://127.0.0.1:{port}" for port in ports)  # type: ignore[misc]
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)


def _matched_on(base: str, external_id: str) -> bool:
    response = httpx.post(f"{base}/v1/match", json=NEED, headers={"X-API-Key": KEY}, timeout=10)
    response.raise_for_status()
    return external_id in {m["lawyer"]["external_id"] for m in response.json()["results"]}


def _within(seconds: float, condition) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"not seen within {seconds}s")


def test_a_write_on_one_process_is_matched_on_the_other_within_two_seconds(two_services: tuple[str, str]) -> None:
    first, second = two_services
    record = lawyer_record(external_id="W-1", license_no="39999999999999991")
    headers = {"X-API-Key": KEY, "Content-Type": "application/x-ndjson"}

    def send(rec: dict) -> None:
        response = httpx.post(f"{first}/v1/lawyers/import", content=json.dumps(rec) + "\n", headers=headers, timeout=30)
        assert response.status_code == 200, response.text
        assert not response.json()["rejected"]

    send(record)
    assert _matched_on(first, "W-1")  # the writing process serves its own write at once
    _within(2.0, lambda: _matched_on(second, "W-1"))
    send(record | {"accepting_clients": False})  # an update that takes the lawyer out of matching
    _within(2.0, lambda: not _matched_on(second, "W-1"))
    send(record | {"accepting_clients": True})
    _within(2.0, lambda: _matched_on(second, "W-1"))


def test_a_late_commit_below_the_position_is_still_applied(postgres_server: str, encoder: Encoder) -> None:
    migrate(postgres_server)
    engine = make_engine(postgres_server)
    factory = make_session_factory(engine)
    catalog = Catalog(encoder)
    catalog.rebuild(factory)
    values = [lawyer_record(external_id=f"G-{i}", license_no=f"3888888888888888{i}") for i in range(2)]
    for v in values:
        v.pop("external_id")
        v.pop("status")
    slow: Session = factory()
    try:
        # The slow transaction takes its feed id first ...
        early = lawyer_repo.create(slow, {**values[0], "external_id": "G-0"}, status=LawyerStatus.verified)
        slow.flush()
        with factory() as fast, fast.begin():
            late = lawyer_repo.create(fast, {**values[1], "external_id": "G-1"}, status=LawyerStatus.verified)
        catalog.follow(factory)  # ... the follower moves past it while it is still open
        assert late.id in catalog.lawyers and early.id not in catalog.lawyers
        slow.commit()
    finally:
        slow.close()
    catalog.follow(factory)
    assert early.id in catalog.lawyers
    assert catalog.index.passage_ids(early.id)
    assert not catalog.gaps
    with factory() as session:
        assert session.get(ProfileChange, catalog.position) is not None
    engine.dispose()


def test_a_bulk_import_keeps_the_planner_statistics_current(postgres_server: str) -> None:
    # With autovacuum off or behind, the generic plans psycopg's prepared statements get were made
    # for an empty table (sequential scans) and the import slowed quadratically; the import now
    # analyzes the tables it grows, which also makes PostgreSQL re-plan them.
    from sqlalchemy import text

    from service import importing

    migrate(postgres_server)
    engine = make_engine(postgres_server)
    factory = make_session_factory(engine)
    lines = [
        json.dumps(lawyer_record(external_id=f"A-{i}", license_no=f"37777777{i:09d}"))
        for i in range(importing.ANALYZE_FROM_ROWS + 200)
    ]
    summary = importing.import_lawyers(factory, lines)
    assert summary.created == len(lines) and not summary.rejected
    with engine.connect() as connection:
        tuples = dict(
            connection.execute(
                text("SELECT relname, reltuples FROM pg_class WHERE relname IN ('lawyers', 'passages')")
            ).all()
        )
    # planner statistics exist and count what the import wrote (reltuples is -1 when never analyzed)
    assert tuples["lawyers"] >= importing.ANALYZE_FROM_ROWS
    assert tuples["passages"] >= importing.ANALYZE_FROM_ROWS
    engine.dispose()
