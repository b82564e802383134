"""SQLite in WAL mode with a busy timeout: concurrent writers never fail with "database is locked".

Several processes write the same SQLite file at once, through the service's own code paths: bulk
imports (a transaction per batch, a savepoint per record), profile updates, status changes and
deletions, while others read. Every write must succeed; none may see "database is locked".
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlalchemy import func, select

from models import Lawyer, LawyerStatus
from service import importing
from service.db import make_engine, make_session_factory, migrate
from tests.integration._procs import LAWYERS, LONG, REPO

WRITERS = 6 if LONG else 4
SECONDS = 30.0 if LONG else 5.0

_WRITER = textwrap.dedent(
    """
    import json, random, sys, time, traceback
    from sqlalchemy import select
    from models import Lawyer, LawyerStatus
    from service import importing
    from service.db import make_engine, make_session_factory
    from service.repositories import lawyers as repo

    url, me, seconds, lines_path = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    lines = open(lines_path, encoding="utf-8").read().splitlines()
    factory = make_session_factory(make_engine(url))
    rng = random.Random(me)
    done, errors = 0, []
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        try:
            kind = ("import", "reimport", "update", "status", "read", "delete")[n % 6]
            if kind == "import":  # new lawyers of our own, in one batch with a savepoint per record
                batch = []
                for i in range(5):
                    record = json.loads(lines[rng.randrange(len(lines))])
                    record["external_id"] = f"W{me}-{n}-{i}"
                    record["license_no"] = f"{me}{n:07d}{i:02d}".rjust(17, "9")
                    batch.append(json.dumps(record))
                summary = importing.import_lawyers(factory, batch)
                assert summary.created == 5 and not summary.rejected, summary
            elif kind == "reimport":  # the shared records, upserted by every writer at once
                importing.import_lawyers(factory, lines[:20])
            else:
                with factory() as session, session.begin():
                    ids = list(session.scalars(select(Lawyer.id).order_by(Lawyer.id).limit(60)))
                    lawyer = repo.get(session, rng.choice(ids))
                    if kind == "update":
                        repo.update(session, lawyer, {"years_of_practice": rng.randrange(40), "bio": f"Bio {me} {n}."})
                    elif kind == "status":
                        repo.set_status(session, lawyer, rng.choice([LawyerStatus.verified, LawyerStatus.suspended]), actor="admin:test", reason="load")
                    elif kind == "delete" and lawyer.external_id and lawyer.external_id.startswith(f"W{me}-"):
                        repo.delete(session, lawyer, actor="admin:test")
            done += 1
        except Exception as exc:  # noqa: BLE001 - every failure is reported
            text = str(exc).splitlines()
            errors.append(type(exc).__name__ + ": " + " | ".join(l for l in text if "locked" in l or "Error" in l or "busy" in l)[:300])
    print(json.dumps({"done": done, "errors": errors[:20], "error_count": len(errors)}))
    """
)


def test_concurrent_writers_never_see_database_is_locked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    migrate(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    lines = LAWYERS.read_text(encoding="utf-8").splitlines()[:60]
    importing.import_lawyers(factory, lines)
    source = tmp_path / "lines.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    started = time.monotonic()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, url, str(i + 1), str(SECONDS), str(source)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(WRITERS)
    ]
    reports = []
    try:
        for writer in writers:
            out, err = writer.communicate(timeout=SECONDS + 120)
            assert writer.returncode == 0, err[-3000:]
            reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait(timeout=10)
    elapsed = time.monotonic() - started
    done = sum(r["done"] for r in reports)
    errors = [e for r in reports for e in r["errors"]]
    print(f"{WRITERS} writers, {done} units of work in {elapsed:.1f}s, {sum(r['error_count'] for r in reports)} errors")
    assert not [e for e in errors if "locked" in e or "busy" in e.lower()], errors[:10]
    assert not errors, errors[:10]
    assert done >= WRITERS * 5, "the writers hardly wrote"
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Lawyer)) >= 60
    engine.dispose()
