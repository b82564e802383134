"""Migration 0009 (security) on a database holding data: licence keys are back-filled, two verified lawyers
whose licences differ only in case or separators are not both left verified, and it runs down."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import text

from service.db import downgrade, make_engine, migrate
from tests.integration.test_migrations import private_url  # noqa: F401  # the fixture

INSERT = (
    "INSERT INTO lawyers (name, license_no, years_of_practice, bar_admissions, countries, offices, practice_areas, "
    "languages, bio, cases, talent_pools, accepting_clients, status, created_at, updated_at) VALUES "
    "(:name, :licence, 1, '[]', '[]', '[]', '[]', '[]', '', '[]', '[]', :yes, :status, :now, :now)"
)


def test_licence_keys_are_backfilled_and_duplicates_demoted(private_url: str) -> None:  # noqa: F811
    migrate(private_url, "0004")
    engine = make_engine(private_url)
    now = datetime.now(timezone.utc)
    try:
        with engine.begin() as connection:
            for name, licence, status in (("a", "AB-123", "verified"), ("b", "ab123", "verified"), ("c", "cd 45/6", "pending")):
                connection.execute(text(INSERT), {"name": name, "licence": licence, "status": status, "yes": True, "now": now})
        migrate(private_url, "head")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT name, license_key, status FROM lawyers ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("a", "AB123", "verified"), ("b", "AB123", "pending"), ("c", "CD456", "pending")]
        if engine.dialect.name == "sqlite":  # the rebuilt table still never reuses an erased lawyer's id
            with engine.connect() as connection:
                ddl = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'lawyers'")).scalar_one()
            assert "AUTOINCREMENT" in ddl
        downgrade(private_url, "0004")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM lawyers")).scalar_one() == 3
    finally:
        engine.dispose()
