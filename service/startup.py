"""Start-up in the background: the server answers at once while the directory is loaded.

uvicorn opens its port only when the lifespan's start-up is over, and loading the demo directory
and encoding it takes a minute on a fresh machine: a caller saw "connection refused" meanwhile.
Now the lifespan starts a thread that builds the runtime, imports the demo directory and loads the
index; /readyz reports its progress and every /v1 route answers 503 with Retry-After until it is
done. A failure is logged and reported by /readyz, in words that name no host, path or secret.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Receive, Scope, Send

from service.problems import problem
from service.settings import Settings
from service.state import Runtime

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class StartupStopped(Exception):
    """Raised inside the loading thread when the server shuts down before loading is over."""


def _why(exc: BaseException) -> str:
    """What went wrong, for anyone who may read /readyz: no URL, path or message of a library."""
    if isinstance(exc, DBAPIError | PoolTimeout):
        return "the database could not be reached or refused the connection"
    if isinstance(exc, OSError):
        reason = exc.strerror or "input/output error"
        return f"a file could not be read or written ({reason})"
    if isinstance(exc, MemoryError):
        return "out of memory"
    return f"unexpected {type(exc).__name__}"


class Startup:
    """Builds the runtime in a thread and says how far it got; thread-safe reads."""

    def __init__(self, settings: Settings, runtime: Runtime | None = None) -> None:
        self.settings = settings
        self._given = runtime
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._built: Runtime | None = None  # once built, whatever happens next (closed at shutdown)
        self.runtime: Runtime | None = None  # set when ready, and only then
        self.phase = "starting"
        self.done: int | None = None
        self.total: int | None = None
        self.failure: str | None = None

    @property
    def ready(self) -> bool:
        return self.runtime is not None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="startup-loader", daemon=True)
        self._thread.start()

    def progress(self) -> dict[str, Any]:
        """`state` (loading, failed, ready) and `phase`; `done` and `of` while counting; `detail` when failed."""
        with self._lock:
            if self.failure is not None:
                return {"state": "failed", "phase": self.phase, "detail": self.failure}
            if self.runtime is not None:
                return {"state": "ready"}
            state: dict[str, Any] = {"state": "loading", "phase": self.phase}
            if self.total is not None:
                state |= {"done": self.done, "of": self.total}
            return state

    def _enter(self, phase: str) -> None:
        if self._stop.is_set():
            raise StartupStopped
        with self._lock:
            self.phase, self.done, self.total = phase, None, None

    def _count(self, done: int, total: int) -> None:
        with self._lock:
            self.done, self.total = done, total

    def _count_or_stop(self, done: int, total: int) -> None:
        # the index rebuild calls this between batches: the place to stop it cleanly
        if self._stop.is_set():
            raise StartupStopped
        self._count(done, total)

    def _run(self) -> None:
        from service import demo  # demo imports the runtime's modules; keep this module light

        try:
            runtime = self._given or Runtime.build(self.settings)
            self._built = runtime
            if self.settings.load_demo_data:
                self._enter("importing demo")
                # not stopped half-way: a partly loaded demo would count as loaded at the next start
                demo.load_if_empty(runtime, progress=self._count)
            self._enter("indexing")
            runtime.load_index(progress=self._count_or_stop)
            runtime.start_follower()
            runtime.start_engagement()
            runtime.start_dispatcher()
            with self._lock:
                self.phase, self.done, self.total = "ready", None, None
                self.runtime = runtime
            log.info("ready: %d lawyers indexed", len(runtime.catalog))
        except StartupStopped:
            log.info("start-up stopped during %s: the server is shutting down", self.phase)
        except Exception as exc:  # noqa: BLE001 - every failure must reach /readyz, not die with the thread
            log.exception("start-up failed during %s", self.phase)
            with self._lock:
                self.failure = _why(exc)

    def stop(self, timeout: float) -> None:
        """Stop loading (at the next batch), then close what was built; bounded by `timeout`."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                # e.g. inside a migration or a database call; the thread is a daemon and ends with us
                log.warning("start-up still running after %.0f s; exiting without closing the runtime", timeout)
                return
        if self._built is not None:
            self._built.close()


def _is_api(scope: Scope) -> bool:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path == "/v1" or path.startswith("/v1/")


class LoadingGate:
    """Every /v1 request answers 503 with Retry-After until start-up is over (health and docs pass)."""

    def __init__(self, app: ASGIApp, startup: Startup) -> None:
        self.app = app
        self.startup = startup

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.startup.ready or not _is_api(scope):
            await self.app(scope, receive, send)
            return
        if self.startup.failure is not None:
            response = problem(503, "the service failed to start; GET /readyz says why, the server's log says more")
        else:
            response = problem(
                503,
                f"the service is starting ({self.startup.phase}); retry in {RETRY_AFTER_SECONDS} s, GET /readyz shows progress",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        await response(scope, receive, send)
