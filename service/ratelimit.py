"""Request budgets: a token bucket per caller, and a cap on the size of every request body.

Without MATCHMAKER_REDIS_URL the buckets live in each process, so N workers grant a caller up to
N times the budget. With it, every process spends from one bucket per caller in Redis, so the
budget holds however many replicas serve; should Redis be unreachable, each process falls back to
its own buckets rather than refusing or failing requests.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from typing import Any, Protocol

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.problems import PROBLEM_JSON


class RateLimiter:
    """Token buckets keyed by caller: `per_minute` requests a minute (or per `window` seconds),
    bursting up to that many."""

    def __init__(self, per_minute: float, *, max_buckets: int = 100_000, window: float = 60.0) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / window  # tokens per second
        self.max_buckets = max_buckets
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, stamp)
        self._lock = threading.Lock()

    def take(self, key: str, cost: float = 1.0) -> float:
        """Spend `cost` tokens (at most the capacity); returns 0 when allowed, else the seconds
        until that many are free (and spends nothing)."""
        cost = min(cost, self.capacity)
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - stamp) * self.rate)
            wait = 0.0
            if tokens >= cost:
                tokens -= cost
            else:
                wait = (cost - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_buckets:  # forget the longest-idle callers first
                self._buckets.popitem(last=False)
            return wait

    def blocked(self, key: str) -> float:
        """Seconds until the bucket holds a whole token again (0: it does), spending nothing."""
        now = time.monotonic()
        with self._lock:
            state = self._buckets.get(key)
            if state is None:
                return 0.0
            tokens = min(self.capacity, state[0] + (now - state[1]) * self.rate)
            return 0.0 if tokens >= 1 else (1 - tokens) / self.rate


class Limiter(Protocol):
    def take(self, key: str, cost: float = 1.0) -> float: ...

    def blocked(self, key: str) -> float: ...


# One atomic step of the token bucket in Redis, on the server's clock so that every process agrees.
# Numbers go back as strings: Redis truncates Lua numbers to integers.
_TAKE = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = math.min(tonumber(ARGV[3]), capacity)
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(state[1]) or capacity
local stamp = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - stamp) * rate)
local wait = 0
if ARGV[4] == '1' then
  -- a look without spending: seconds until a whole token is there
  if tokens < 1 then wait = (1 - tokens) / rate end
  return tostring(wait)
end
if tokens >= cost then tokens = tokens - cost else wait = (cost - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return tostring(wait)
"""

log = logging.getLogger(__name__)


class SharedRateLimiter:
    """The same token buckets, kept in Redis and shared by every process that names the same
    ``namespace``; a full bucket expires, so idle callers cost nothing."""

    # a request waits at most this long for Redis before this process decides alone
    TIMEOUT_SECONDS = 0.25
    # after a failure, Redis is tried again this much later (meanwhile: the local buckets)
    RETRY_SECONDS = 5.0

    def __init__(self, url: str, per_minute: float, *, namespace: str, window: float = 60.0) -> None:
        import redis

        self.capacity = float(per_minute)
        self.rate = per_minute / window
        self.namespace = namespace
        self._client: Any = redis.Redis.from_url(
            url, socket_timeout=self.TIMEOUT_SECONDS, socket_connect_timeout=self.TIMEOUT_SECONDS
        )
        self._script = self._client.register_script(_TAKE)
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._local = RateLimiter(per_minute, window=window)
        self._down_until = 0.0

    def _run(self, key: str, cost: float, peek: bool) -> float | None:
        now = time.monotonic()
        if now >= self._down_until:
            try:
                args = [self.capacity, self.rate, cost, "1" if peek else "0"]
                return float(self._script(keys=[f"{self.namespace}:{key}"], args=args))
            except self._errors as error:
                self._down_until = now + self.RETRY_SECONDS
                log.warning("rate limits: Redis unreachable (%s); this process limits alone for %.0f s", error, self.RETRY_SECONDS)
        return None

    def take(self, key: str, cost: float = 1.0) -> float:
        shared = self._run(key, cost, peek=False)
        return self._local.take(key, cost) if shared is None else shared

    def blocked(self, key: str) -> float:
        shared = self._run(key, 0.0, peek=True)
        return self._local.blocked(key) if shared is None else shared


def make_limiter(per_minute: float, *, redis_url: str | None, namespace: str, window: float = 60.0) -> Limiter:
    """`per_minute` tokens per `window` seconds (a minute unless said otherwise)."""
    if redis_url:
        return SharedRateLimiter(redis_url, per_minute, namespace=namespace, window=window)
    return RateLimiter(per_minute, window=window)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body may be at most {limit} bytes")


class BodyLimitMiddleware:
    """Refuse bodies over `max_bytes`: at once by Content-Length, else by counting the streamed bytes.

    Paths in `exempt` (the bulk import) enforce their own, larger limit while they stream.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                too_large = False  # the server rejects a malformed Content-Length itself
            if too_large:
                await self._refuse(send)
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI re-raises HTTPExceptions met while reading the body; the handler renders it
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counting_receive, send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Payload too large",
                "status": 413,
                "detail": f"the request body may be at most {self.max_bytes} bytes",
            }
        ).encode()
        headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
