"""The token buckets behind every budget (rate, failed authentication, match cost): costs and
looks without spending, the same in each process and in Redis."""

from __future__ import annotations

import os
import uuid

import pytest

from service.ratelimit import Limiter, RateLimiter, SharedRateLimiter

REDIS_URL = os.environ.get("MATCHMAKER_TEST_REDIS_URL", "")


def _limiters() -> list[Limiter]:
    limiters: list[Limiter] = [RateLimiter(60)]
    if REDIS_URL:
        limiters.append(SharedRateLimiter(REDIS_URL, 60, namespace=f"test:{uuid.uuid4().hex}"))
    return limiters


@pytest.mark.parametrize("limiter", _limiters(), ids=lambda l: type(l).__name__)
def test_costs_and_looks(limiter: Limiter) -> None:
    assert limiter.blocked("a") == 0  # a look at an unknown caller creates nothing and spends nothing
    assert limiter.take("a", cost=50) == 0
    assert limiter.blocked("a") == 0  # 10 left
    wait = limiter.take("a", cost=20)  # not enough: nothing spent, the wait for 10 more tokens
    assert 9 < wait <= 10.1
    assert limiter.take("a", cost=9.5) == 0
    assert 0 < limiter.blocked("a") <= 1.0
    assert limiter.take("b", cost=10_000) == 0  # a cost over the capacity costs the capacity
    assert limiter.blocked("b") > 0
