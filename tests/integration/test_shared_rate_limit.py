"""Rate limits shared through Redis: one budget per caller however many processes serve.

Runs against the Redis of MATCHMAKER_TEST_REDIS_URL (CI sets it; its database 15 by default,
emptied by these tests). Without the variable, a Redis on 127.0.0.1:6379 is used when one answers.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.ratelimit import SharedRateLimiter
from tests.integration._procs import ADMIN_KEY, serving, service_env

REDIS_URL = os.environ.get("MATCHMAKER_TEST_REDIS_URL", "")


@pytest.fixture
def redis_url() -> Iterator[str]:
    import redis

    url = REDIS_URL or "redis://127.0.0.1:6379/15"
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if REDIS_URL:
            raise AssertionError(f"MATCHMAKER_TEST_REDIS_URL={REDIS_URL} does not answer: {error}") from error
        pytest.skip(f"no Redis at {url} ({error}); set MATCHMAKER_TEST_REDIS_URL")
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


def test_two_limiters_spend_one_budget(redis_url: str) -> None:
    namespace = f"test:{uuid.uuid4().hex}"
    first, second = (SharedRateLimiter(redis_url, 5, namespace=namespace) for _ in range(2))
    waits = [limiter.take("key:1") for _ in range(3) for limiter in (first, second)]
    assert waits[:5] == [0.0] * 5
    # 5 a minute: the next token is 12 s away
    assert 11.0 < waits[5] <= 12.0
    assert second.take("key:2") == 0.0  # another caller has its own bucket


def test_unreachable_redis_leaves_each_process_its_own_buckets() -> None:
    limiter = SharedRateLimiter("redis://127.0.0.1:1/0", 2, namespace="test:down")
    started = time.monotonic()
    waits = [limiter.take("key:1") for _ in range(3)]
    assert waits[:2] == [0.0, 0.0] and waits[2] > 0
    # one failed attempt, then local buckets until the retry: requests are not held up
    assert time.monotonic() - started < 2 * SharedRateLimiter.TIMEOUT_SECONDS + 1


def test_two_service_processes_share_a_callers_budget(redis_url: str, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    env = service_env(database, tmp_path / "data", MATCHMAKER_RATE_LIMIT_PER_MINUTE="6", MATCHMAKER_REDIS_URL=redis_url)
    env_b = env | {"MATCHMAKER_DATA_DIR": str(tmp_path / "data-b")}
    with serving(env, tmp_path / "a.log") as a, serving(env_b, tmp_path / "b.log") as b:
        statuses = [
            httpx.get(f"{service.base}/v1/needs", headers={"X-API-Key": ADMIN_KEY}, timeout=10).status_code
            for _ in range(4)
            for service in (a, b)
        ]
    # each process alone would have granted 6; together they grant 6
    assert statuses == [200] * 6 + [429] * 2


def test_a_redis_url_without_a_scheme_is_refused_at_start() -> None:
    from pydantic import ValidationError

    from service.settings import Settings

    with pytest.raises(ValidationError, match="redis_url"):
        Settings(redis_url="localhost:6379")
    assert Settings(redis_url="").redis_url == ""
