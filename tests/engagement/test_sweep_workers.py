"""Two sweeping workers on one PostgreSQL: a burst of 200 expiring requests, no double offers."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from embeddings.encoder import Encoder
from models import ConsultationRequest, Event, Need
from service.db import transaction
from service.engagement import requests
from service.main import create_app
from service.state import Runtime
from tests.conftest import lawyer_record, make_settings, started
from tests.engagement._world import ADMIN, NEED
from tests.integration._procs import Proc, service_env

BURST = 200


def test_two_workers_act_on_each_deadline_once(tmp_path: Path, database_url: str, encoder: Encoder) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers sweeping at once is PostgreSQL's case (SQLite has one writer)")
    settings = make_settings(tmp_path, database_url, sweep_interval_seconds=0, request_sla_seconds=1)
    runtime = Runtime.build(settings, encoder=encoder)
    try:
        with started(create_app(settings, runtime=runtime)) as client:
            lines = "\n".join(json.dumps(lawyer_record(years_of_practice=5 + n)) for n in range(4))
            assert client.post("/v1/lawyers/import", content=lines.encode(), headers=ADMIN).json()["created"] == 4
        policy = requests.Policy.of(settings)
        with transaction(runtime.sessions) as session:
            for n in range(BURST):
                need = Need(description=NEED["description"], countries=["KZ"], practice_areas=["international_arbitration"],
                            languages=[], preferred_cities=[], organisation=f"org-{n % 7}")
                session.add(need)
                session.flush()
                assert requests.offer_best(session, runtime.matcher, need, policy=policy) is not None
        time.sleep(1.2)  # every deadline has passed

        env = {"MATCHMAKER_REQUEST_SLA_SECONDS": "3600", "MATCHMAKER_REQUEST_MAX_ROUNDS": "5"}
        workers = [
            Proc(["sweep"], service_env(database_url, tmp_path / f"worker{i}", **env), tmp_path / f"worker{i}.log") for i in range(2)
        ]
        try:
            codes = [w.wait(timeout=300) for w in workers]
            outputs = [w.output() for w in workers]
        finally:
            for w in workers:
                w.close()
        assert codes == [0, 0], outputs
        handled = [int(re.search(r"(\d+) expired request", out).group(1)) for out in outputs]  # type: ignore[union-attr]
        assert sum(handled) == BURST, handled

        with runtime.sessions() as session:
            rows = list(session.scalars(select(ConsultationRequest)))
            types = Counter(e.type for e in session.scalars(select(Event)))
        by_need: dict[int, list[ConsultationRequest]] = {}
        for row in rows:
            by_need.setdefault(row.need_id, []).append(row)
        assert len(by_need) == BURST
        for need_rows in by_need.values():
            need_rows.sort(key=lambda r: r.round)
            # exactly one further offer per expiry, to another lawyer
            assert [(r.round, r.state) for r in need_rows] == [(1, "expired"), (2, "pending")]
            assert need_rows[0].lawyer_id != need_rows[1].lawyer_id
        assert types["request.expired"] == BURST and types["request.created"] == 2 * BURST
        print(f"requests handled by each worker: {handled}")
    finally:
        runtime.engine.dispose()
