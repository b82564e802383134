"""Alembic migrations run up, down and up again, and agree with the ORM models.

On PostgreSQL the round trip gets a database of its own (the shared session database keeps
its schema for the other tests); on SQLite the per-test file is already private.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import models
from service.db import alembic_config, downgrade, make_engine, migrate

# every table the models declare; the core ones are named so an empty metadata cannot pass
TABLES = set(models.Base.metadata.tables)
assert {"api_keys", "lawyers", "needs", "passages", "profile_changes"} <= TABLES


@pytest.fixture
def private_url(database_url: str) -> Iterator[str]:
    """An empty database nobody else uses: the SQLite file as is, a fresh PostgreSQL database."""
    if not database_url.startswith("postgresql"):
        yield database_url
        return
    server = make_url(database_url)
    name = f"matchmaker_migr_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _state(url: str) -> tuple[set[str], str | None]:
    """Our tables present, and the revision alembic_version records."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
            revision = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    return tables, revision


def _drift(url: str) -> list:  # type: ignore[type-arg]
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), models.Base.metadata)
    finally:
        engine.dispose()


def _fill(url: str) -> None:
    """One row in every table, linked by foreign keys, so the downgrade drops tables holding data."""
    now = datetime.now(timezone.utc)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            key_id = connection.execute(
                text(
                    "INSERT INTO api_keys (name, role, organisation, prefix, key_hash, created_at) "
                    "VALUES ('k', 'enterprise', 'acme', 'mm_x', :h, :now) RETURNING id"
                ),
                {"h": "0" * 64, "now": now},
            ).scalar_one()
            lawyer_id = connection.execute(
                text(
                    "INSERT INTO lawyers (name, license_no, license_key, years_of_practice, bar_admissions, countries, offices, "
                    "practice_areas, languages, bio, cases, talent_pools, accepting_clients, status, created_at, updated_at) "
                    "VALUES ('律师', '31010120100000001', '31010120100000001', 3, '[]', '[\"KZ\"]', '[]', '[]', '[]', 'bio', '[]', '[]', "
                    ":yes, 'verified', :now, :now) RETURNING id"
                ),
                {"yes": True, "now": now},
            ).scalar_one()
            connection.execute(
                text("INSERT INTO passages (lawyer_id, position, kind, text) VALUES (:l, 0, 'bio', 'bio')"),
                {"l": lawyer_id},
            )
            connection.execute(
                text("INSERT INTO profile_changes (lawyer_id, operation, created_at) VALUES (:l, 'upsert', :now)"),
                {"l": lawyer_id, "now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO needs (owner_key_id, description, countries, practice_areas, languages, "
                    "preferred_cities, created_at, updated_at) VALUES (:k, 'need', '[]', '[]', '[]', '[]', :now, :now)"
                ),
                {"k": key_id, "now": now},
            )
            fair_id = connection.execute(
                text(
                    "INSERT INTO fairs (organisation, owner_key_id, name, timezone, days, slot_minutes, tables, created_at, updated_at) "
                    "VALUES ('bureau', :k, 'fair', 'Asia/Shanghai', '[]', 20, 2, :now, :now) RETURNING id"
                ),
                {"k": key_id, "now": now},
            ).scalar_one()
            people = [
                connection.execute(
                    text(
                        "INSERT INTO fair_participants (fair_id, kind, name, lawyer_id, availability, max_meetings, cancelled) "
                        "VALUES (:f, :kind, 'p', :l, '[]', 3, :no) RETURNING id"
                    ),
                    {"f": fair_id, "kind": kind, "l": lawyer, "no": False},
                ).scalar_one()
                for kind, lawyer in (("enterprise", None), ("lawyer", lawyer_id))
            ]
            connection.execute(
                text("INSERT INTO fair_interests (fair_id, enterprise_id, lawyer_id, side, mark) VALUES (:f, :e, :l, 'enterprise', 'must')"),
                {"f": fair_id, "e": people[0], "l": people[1]},
            )
            connection.execute(
                text(
                    "INSERT INTO fair_meetings (fair_id, enterprise_id, lawyer_id, slot, desk, score, weight, must, reasons) "
                    "VALUES (:f, :e, :l, 0, 1, 0.5, 50, :yes, '{}')"
                ),
                {"f": fair_id, "e": people[0], "l": people[1], "yes": True},
            )
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(private_url: str) -> None:
    head = ScriptDirectory.from_config(alembic_config(private_url)).get_current_head()
    assert head is not None

    migrate(private_url)
    tables, revision = _state(private_url)
    assert tables == TABLES
    assert revision == head

    _fill(private_url)
    downgrade(private_url, "base")
    tables, revision = _state(private_url)
    assert tables == set()
    assert revision is None

    migrate(private_url, "head")
    tables, revision = _state(private_url)
    assert tables == TABLES
    assert revision == head
    # the second upgrade rebuilt the same schema, not a partial one
    assert _drift(private_url) == []


def test_models_match_migrations(private_url: str) -> None:
    migrate(private_url)
    differences = _drift(private_url)
    assert differences == [], f"models and migrations disagree: {differences}"


def test_upgrade_is_idempotent(private_url: str) -> None:
    migrate(private_url)
    migrate(private_url)  # every process start migrates; a second run must be a no-op
    tables, _ = _state(private_url)
    assert tables == TABLES
