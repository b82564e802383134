"""Evaluation runs: import a lawyers file into a throw-away database and match every need in both modes."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service import importing
from service.matching.batch import Run, match_needs, read_needs
from service.settings import Settings
from service.state import Runtime

MODES = ("structured", "text_only")


@contextlib.contextmanager
def throwaway_settings(base: Settings) -> Iterator[Settings]:
    """A scratch data dir and database beside the configured ones, removed afterwards.

    On PostgreSQL a temporary database is created on the configured server; otherwise a SQLite file.
    """
    scratch = Path(tempfile.mkdtemp(prefix="matchmaker-eval-"))
    url = base.database_url
    created: str | None = None
    admin_url = None
    try:
        if url.startswith("postgresql"):
            parsed = make_url(url)
            created = f"matchmaker_eval_{uuid.uuid4().hex[:12]}"
            admin_url = parsed
            with create_engine(parsed, isolation_level="AUTOCOMMIT").connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{created}"'))
            url = parsed.set(database=created).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{scratch / 'eval.sqlite3'}"
        yield base.model_copy(update={"data_dir": scratch, "database_url": url, "load_demo_data": False})
    finally:
        if created and admin_url is not None:
            engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)'))
            engine.dispose()
        shutil.rmtree(scratch, ignore_errors=True)


def run_modes(
    lawyers_path: Path | str,
    needs_path: Path | str,
    *,
    k: int = 10,
    settings: Settings | None = None,
) -> dict[str, Run]:
    """Import the lawyers into a throw-away database and match every need in both modes."""
    base = settings or Settings()
    with throwaway_settings(base) as scratch:
        runtime = Runtime.build(scratch)
        try:
            with Path(lawyers_path).open("rb") as handle:
                importing.import_lawyers(runtime.sessions, handle)
            runtime.load_index()
            needs = read_needs(Path(needs_path))
            return {mode: match_needs(runtime.matcher, needs, text_only=(mode == "text_only"), k=k) for mode in MODES}
        finally:
            runtime.engine.dispose()
