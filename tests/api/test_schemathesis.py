"""Property-based API testing: schemathesis drives every operation of the service's own OpenAPI
schema, in-process, with every check it has (no 5xx, documented statuses and content types,
response schemas, valid input accepted, invalid input rejected, auth not ignored, ...).

CI runs a handful of examples per operation; for a long run set MATCHMAKER_SCHEMATHESIS_EXAMPLES
(e.g. 500) or use the CLI against a running service (see the README).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI

from service.main import create_app
from service.settings import Settings
from service.state import Runtime
from tests.conftest import ADMIN_KEY, lawyer_record, make_settings, started

EXAMPLES = int(os.environ.get("MATCHMAKER_SCHEMATHESIS_EXAMPLES", "8"))


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx, value):  # type: ignore[no-untyped-def]
    # The import's body is JSON Lines, which the schema describes as one non-empty string. A value
    # that is not a string has no JSON Lines form: it is sent as the empty body, which must be refused.
    return value.encode("utf-8") if isinstance(value, str) else b""


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # Generous budgets: the fuzzer is one caller sending thousands of requests.
    return make_settings(
        tmp_path, database_url, rate_limit_per_minute=1_000_000, registration_rate_limit_per_minute=1_000_000,
        auth_failures_per_minute=1_000_000, registrations_per_address_per_day=1_000_000, match_cost_per_minute=1e9, match_cost_per_minute_per_organisation=1e9,
    )


@pytest.fixture
def served_app(settings: Settings, runtime: Runtime) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    app = create_app(settings, runtime=runtime)
    with started(app) as client:  # runs the lifespan once; schemathesis then calls the same app
        records = [lawyer_record(), lawyer_record(countries=["TH"], practice_areas=["intellectual_property"])]
        body = "\n".join(json.dumps(r) for r in records).encode()
        assert client.post("/v1/lawyers/import", content=body, headers={"X-API-Key": ADMIN_KEY}).status_code == 200
        registration = {k: v for k, v in lawyer_record().items() if k not in ("external_id", "status")}
        registered = client.post("/v1/lawyers", json=registration)
        assert registered.status_code == 201, registered.text
        token = registered.json()["management_token"]
        yield app, {"X-API-Key": ADMIN_KEY, "Authorization": f"Bearer {token}"}


def _run(app: FastAPI, headers: dict[str, str]) -> tuple[list[str], int, set[str]]:
    """Run every phase of schemathesis (examples, coverage, fuzzing, stateful) with all its checks."""
    from schemathesis.engine import Status, events, from_schema

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.update(headers=headers)
    # Text the database cannot store (NUL; lone surrogates, which are not UTF-8) is refused with a 422
    # that test_security checks; the schema cannot say so, so the fuzzer is told not to send it.
    schema.config.generation.update(max_examples=EXAMPLES, deterministic=True, allow_x00=False, codec="utf-8")
    failures: list[str] = []
    cases = 0
    operations: set[str] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases += len(event.recorder.cases)
            if event.label:
                operations.add(event.label)
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        failures.append(
                            f"{event.label}: {check.name}: {failure.title}: {failure.message}\n{check.failure_info.code_sample}"
                        )
            if event.status == Status.ERROR:
                failures.append(f"{event.label}: error during the run")
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"engine error: {getattr(event, 'info', event)}")
    return failures, cases, operations


def test_api_conforms_to_its_schema(served_app: tuple[FastAPI, dict[str, str]]) -> None:
    app, headers = served_app
    failures, cases, operations = _run(app, headers)
    assert not failures, f"{len(failures)} schemathesis failures:\n" + "\n\n".join(dict.fromkeys(failures))
    # every operation of the schema was exercised, with a real number of cases
    assert {op.split(" ", 1)[1] for op in operations if " " in op} >= {"/v1/match", "/v1/lawyers/me", "/v1/needs/{need_id}"}
    assert cases >= 17 * min(EXAMPLES, 5)
