"""kill -9 at random moments during a bulk import or a reindex.

After each kill, a restart (the start-up path of `serve`: load the snapshot or rebuild, then
replay the feed) serves exactly what a clean rebuild from the database serves; at the end the
import is run again to completion and leaves every lawyer once, with its passages once.

Three processes are killed in turn: `matchmaker import lawyers`, `matchmaker reindex`, and a
`matchmaker serve` in the middle of an HTTP bulk import. The short variant kills 3 times; with
MATCHMAKER_LONG_FAULT_TESTS=1, 20 times. The random seed is printed; set
MATCHMAKER_FAULT_SEED to replay a run.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from embeddings.encoder import Encoder
from embeddings.passages import profile_passages
from models import Lawyer, Passage
from service.db import make_engine, make_session_factory, migrate
from tests.integration._integrity import assert_agrees_with_database, assert_same, clean_rebuild, new_catalog
from tests.integration._procs import ADMIN_KEY, LONG, Proc, Service, jsonl_head, run_cli, service_env, serving

ROUNDS = 20 if LONG else 3
COUNT = 400 if LONG else 200
KINDS = ("import", "reindex", "serve-import")
NEEDS = (
    {"description": "Our EPC contract for a solar plant in Kazakhstan is in ICC arbitration; we need counsel.", "k": 20},
    {"description": "我们在越南的工厂遇到劳动争议，需要懂越南语的律师", "k": 20},
    {"description": "Anti-dumping investigation by the European Commission into our steel exports", "k": 20},
)


@pytest.fixture
def factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    migrate(database_url)
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _variant(base: list[dict], round_no: int, rng: random.Random) -> list[dict]:
    """The file of one round: the base records, some of them changed, in a shuffled order."""
    records = []
    for record in base:
        record = dict(record)
        roll = rng.random()
        if roll < 0.1:
            record["status"] = "suspended"
        elif roll < 0.2:
            record["accepting_clients"] = not record.get("accepting_clients", True)
        elif roll < 0.3:
            record["bio"] = f"{record.get('bio', '')} Handled a customs valuation dispute in round {round_no}."
        records.append(record)
    rng.shuffle(records)
    return records


def _write(records: list[dict], path: Path) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _assert_no_duplicates(factory: sessionmaker[Session], expected: dict[str, dict]) -> None:
    with factory() as session:
        lawyers = session.scalars(select(Lawyer)).all()
        assert len(lawyers) == len(expected), f"{len(lawyers)} lawyers in the database, {len(expected)} in the file"
        assert {lawyer.external_id for lawyer in lawyers} == set(expected)
        counts = dict(session.execute(select(Passage.lawyer_id, func.count()).group_by(Passage.lawyer_id)).all())
        positions = session.execute(
            select(Passage.lawyer_id, Passage.position, func.count()).group_by(Passage.lawyer_id, Passage.position)
        ).all()
        assert all(n == 1 for _, _, n in positions), "a passage position appears twice"
        for lawyer in lawyers:
            want = len(profile_passages(lawyer.bio, lawyer.cases))
            assert counts.get(lawyer.id, 0) == want, f"{lawyer.external_id}: {counts.get(lawyer.id, 0)} passages, {want} expected"
            record = expected[lawyer.external_id]
            assert lawyer.status == record["status"] and lawyer.bio == record["bio"]


def _assert_serves_a_clean_rebuild(factory: sessionmaker[Session], encoder: Encoder, index_dir: Path, what: str) -> None:
    restarted = new_catalog(encoder)
    restarted.load_or_rebuild(factory, index_dir)  # what `serve` does at start
    assert_same(restarted, clean_rebuild(encoder, factory), encoder, what)
    assert_agrees_with_database(restarted, factory, what)


def _matches(base: str) -> list[list[tuple[int, float]]]:
    out = []
    for need in NEEDS:
        response = httpx.post(f"{base}/v1/match", json=need, headers={"X-API-Key": ADMIN_KEY}, timeout=30)
        assert response.status_code == 200, response.text
        out.append([(m["lawyer"]["id"], round(m["score"], 4)) for m in response.json()["results"]])
    return out


def _kill_serve_during_http_import(env: dict[str, str], file: Path, log: Path, delay: float) -> str:
    service = Service(env, log)
    try:
        service.wait_ready()
        outcome: list[str] = []

        def send() -> None:
            try:
                response = httpx.post(
                    f"{service.base}/v1/lawyers/import",
                    content=file.read_bytes(),
                    headers={"X-API-Key": ADMIN_KEY, "Content-Type": "application/x-ndjson"},
                    timeout=120,
                )
                outcome.append(f"answered {response.status_code}")
            except httpx.HTTPError as exc:
                outcome.append(f"cut off ({type(exc).__name__})")

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        time.sleep(delay)
        service.kill()
        sender.join(timeout=30)
        assert not sender.is_alive(), "the client hung after the server was killed"
        return outcome[0] if outcome else "no answer"
    finally:
        service.close()


def test_kill_9_during_import_and_reindex(
    database_url: str, factory: sessionmaker[Session], encoder: Encoder, tmp_path: Path
) -> None:
    seed = int(os.environ.get("MATCHMAKER_FAULT_SEED", random.randrange(1 << 30)))
    print(f"MATCHMAKER_FAULT_SEED={seed}")
    rng = random.Random(seed)
    base_file = jsonl_head(COUNT, tmp_path / "lawyers.jsonl")
    base = [json.loads(line) for line in base_file.read_text(encoding="utf-8").splitlines()]
    data_dir = tmp_path / "data"
    index_dir = data_dir / "index"
    env = service_env(database_url, data_dir)
    log: list[str] = []
    for round_no in range(ROUNDS):
        kind = KINDS[round_no % len(KINDS)]
        file = _write(_variant(base, round_no, rng), tmp_path / f"round{round_no}.jsonl")
        with factory() as session:
            before = session.scalar(select(func.count()).select_from(Lawyer))
        if kind == "serve-import":
            delay = rng.uniform(0.05, 2.5)
            outcome = _kill_serve_during_http_import(env, file, tmp_path / f"round{round_no}.log", delay)
        else:
            args = ["import", "lawyers", str(file)] if kind == "import" else ["reindex"]
            # the import and the reindex load the encoder (~1 s) before they write anything
            delay = rng.uniform(1.0, 5.0)
            proc = Proc(args, env, tmp_path / f"round{round_no}.log")
            try:
                time.sleep(delay)
                outcome = "killed" if proc.alive() else f"had finished ({proc.process.returncode})"
                proc.kill()
            finally:
                proc.close()
        with factory() as session:
            after = session.scalar(select(func.count()).select_from(Lawyer))
        log.append(f"round {round_no}: {kind} after {delay:.2f}s: {outcome}; lawyers {before} -> {after}")
        _assert_serves_a_clean_rebuild(factory, encoder, index_dir, f"round {round_no} ({kind}, {delay:.2f}s)")
    print("\n".join(log))

    # the import, run again to completion, leaves every lawyer once, as the file says
    run_cli(["import", "lawyers", str(base_file)], env, tmp_path / "final.log")
    _assert_no_duplicates(factory, {r["external_id"]: r for r in base})
    _assert_serves_a_clean_rebuild(factory, encoder, index_dir, "after the completed import")
    # and a second run changes nothing
    again = run_cli(["import", "lawyers", str(base_file)], env, tmp_path / "again.log")
    assert f"0 created, 0 updated, {COUNT} unchanged" in again.output().replace("\n", " "), again.output()
    _assert_no_duplicates(factory, {r["external_id"]: r for r in base})

    # the real service: started on the snapshot left behind, it answers as one started on no snapshot
    with serving(env, tmp_path / "restart.log") as service:
        restarted = _matches(service.base)
        ready = httpx.get(f"{service.base}/readyz", timeout=5).json()
    clean_dir = tmp_path / "clean"
    with serving(service_env(database_url, clean_dir), tmp_path / "clean.log") as service:
        clean = _matches(service.base)
        clean_ready = httpx.get(f"{service.base}/readyz", timeout=5).json()
    assert ready == clean_ready
    assert restarted == clean
