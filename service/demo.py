"""Demo data: the bundled lawyer directory, loaded when the database has no lawyers yet."""

from __future__ import annotations

import logging
from importlib import resources

from sqlalchemy import func, select

from models import Lawyer
from service import importing
from service.state import Runtime

log = logging.getLogger(__name__)


def load_if_empty(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        if session.scalar(select(func.count()).select_from(Lawyer)):
            return 0
    source = resources.files("service") / "demo_data" / "lawyers.jsonl"
    with source.open("rb") as handle:
        summary = importing.import_lawyers(runtime.sessions, handle)
    log.info("loaded %d demo lawyers", summary.created)
    return summary.created
