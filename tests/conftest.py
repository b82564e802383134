"""Fixtures build real data on a real database with the real encoder; nothing of ours is mocked.

Every database test runs on SQLite and, when MATCHMAKER_TEST_POSTGRES_URL is set (CI sets it), on
a fresh PostgreSQL database created for the test session.
"""

from __future__ import annotations

import itertools
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from embeddings.encoder import Encoder, load_encoder
from service.main import create_app
from service.settings import Settings
from service.state import Runtime

ADMIN_KEY = "test-admin-key"
REPO = Path(__file__).resolve().parent.parent
# the public development set kept with the repository (eval/README.md); another set may be named
DEV_SET = Path(os.environ.get("MATCHMAKER_DEV_SET", REPO / "eval" / "dev"))
POSTGRES_URL = os.environ.get("MATCHMAKER_TEST_POSTGRES_URL", "")


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return load_encoder()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A database of our own on the configured PostgreSQL server, dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip("MATCHMAKER_TEST_POSTGRES_URL is not set")
    server = make_url(POSTGRES_URL)
    name = f"matchmaker_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


_counter = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    server_url = request.getfixturevalue("postgres_server")
    # each test gets empty tables: a fresh schema would need search_path games, so truncate instead,
    # all but what the migrations themselves write (their version, the database's id); data dirs
    # are per test, so no snapshot meets another test's data under the shared id
    yield server_url
    engine = create_engine(server_url)
    with engine.begin() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename NOT IN ('alembic_version', 'service_meta')")
        ).scalars().all()
        if tables:
            connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


def make_settings(tmp_path: Path, database_url: str, **overrides: Any) -> Settings:
    """Settings of a test service: its own data dir, the given database, the test admin key."""
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "database_url": database_url,
        "admin_api_key": ADMIN_KEY,
        "load_demo_data": False,
        "environment": "test",
        # tests drive matches from one key far faster than a tenant may; the budgets have their
        # own tests (tests/security/test_match_budget.py), which set them
        "match_cost_per_minute": 1e9,
        "match_cost_per_minute_per_organisation": 1e9,
        "match_concurrency_per_key": 64,
        "match_concurrency_per_organisation": 64,
    }
    return Settings(**(values | overrides))


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def runtime(settings: Settings, encoder: Encoder) -> Iterator[Runtime]:
    rt = Runtime.build(settings, encoder=encoder)
    yield rt
    rt.engine.dispose()


@contextmanager
def started(app: FastAPI, timeout: float = 120, **client_options: Any) -> Iterator[TestClient]:
    """A test client of the app once its background start-up is over (the lifespan returns at once)."""
    with TestClient(app, **client_options) as test_client:
        deadline = time.monotonic() + timeout
        while (ready := test_client.get("/readyz")).status_code != 200:
            assert ready.json()["state"] == "loading", f"start-up failed: {ready.text}"
            assert time.monotonic() < deadline, f"not ready within {timeout} s: {ready.text}"
            time.sleep(0.02)
        yield test_client


@pytest.fixture
def client(settings: Settings, runtime: Runtime) -> Iterator[TestClient]:
    with started(create_app(settings, runtime=runtime)) as test_client:
        yield test_client


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"X-API-Key": ADMIN_KEY}


def lawyer_record(**overrides: Any) -> dict[str, Any]:
    """One exchange-format lawyer; every call gets a fresh external id and licence number."""
    n = next(_counter)
    record: dict[str, Any] = {
        "external_id": f"T-{n:05d}",
        "name": f"测试律师{n}",
        "name_en": f"Test Lawyer {n}",
        "firm": f"测试律师事务所{n % 7}",
        "firm_en": f"Test Law Firm {n % 7}",
        "city": "上海",
        "license_no": f"{31010120100000000 + n:017d}",
        "years_of_practice": 10,
        "bar_admissions": ["CN"],
        "countries": ["KZ"],
        "offices": [],
        "practice_areas": ["international_arbitration"],
        "languages": [{"code": "zh", "level": "native"}, {"code": "ru", "level": "fluent"}],
        "bio": "Represented a Chinese contractor in an ICC arbitration over an EPC contract for a solar plant in Kazakhstan.",
        "cases": [],
        "talent_pools": [],
        "hourly_rate": {"min": 1000, "max": 3000, "currency": "CNY"},
        "accepting_clients": True,
        "status": "verified",
        "email": f"lawyer{n}@example.com",
        "phone": "+86 138 0000 0000",
    }
    record.update(overrides)
    return record


def all_keys(value: Any) -> set[str]:
    """Every key at any depth of a JSON answer: contact fields must be nowhere in it."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in all_keys(v)}
    return set()
