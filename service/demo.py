"""Demo data: the bundled lawyer directory, loaded when the database has no lawyers yet."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources

from sqlalchemy import func, select, text

from models import Lawyer
from service import importing
from service.state import Runtime

log = logging.getLogger(__name__)
DEMO_LOCK_KEY = 0x6D6D_6465  # any constant shared by every replica
DEMO_LAWYERS = resources.files("service") / "demo_data" / "lawyers.jsonl"


@contextmanager
def _one_replica_at_a_time(runtime: Runtime) -> Iterator[None]:
    """Replicas starting together on one PostgreSQL load the demo once: the rest wait, then find it."""
    if runtime.engine.dialect.name != "postgresql":
        yield
        return
    with runtime.engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": DEMO_LOCK_KEY})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": DEMO_LOCK_KEY})
            connection.commit()


def load_if_empty(runtime: Runtime, progress: Callable[[int, int], None] | None = None) -> int:
    """Import the demo directory into an empty database; `progress(lines done, lines)` after each batch."""
    with _one_replica_at_a_time(runtime):
        with runtime.sessions() as session:
            if session.scalar(select(func.count()).select_from(Lawyer)):
                return 0
        lines = DEMO_LAWYERS.read_bytes().splitlines()
        done = 0

        def step(batch: int) -> None:
            nonlocal done
            done += batch
            if progress is not None:
                progress(done, len(lines))

        summary = importing.import_lawyers(runtime.sessions, lines, progress=step)
    log.info("loaded %d demo lawyers", summary.created)
    return summary.created
