"""The heavy things one process holds (database engine, encoder, catalog), built once at start."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from embeddings.encoder import Encoder, load_encoder
from service.db import make_engine, make_session_factory, migrate
from service.matching.catalog import Catalog, VectorCache, default_encode_processes
from service.matching import rules
from service.matching.engine import MatchEngine
from models.base import utcnow
from service.repositories import directory as directory_repo
from service.settings import Settings

log = logging.getLogger(__name__)

BULK_VECTOR_CACHE_ITEMS = 4_000_000
STANDING_SECONDS = 10.0


def _one_blas_thread() -> None:
    """One BLAS thread for numpy's index scoring, as for the encoder and FAISS: a process serves
    one request at a time on its core, and two BLAS threads per process on a 2-core machine with
    two processes only fight (we scale with processes; see DESIGN)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency (pyproject)
        return
    threadpool_limits(1, user_api="blas")


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    encoder: Encoder
    catalog: Catalog
    matcher: MatchEngine
    # API key hash -> (caller, valid until): see deps.get_caller
    callers: dict[str, Any] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _follower: threading.Thread | None = None
    _dispatcher: threading.Thread | None = None
    _lapse_checked: datetime | None = None
    _standing: tuple[float, dict[str, int]] | None = None
    _standing_lock: threading.Lock = field(default_factory=threading.Lock)
    # background loops of the engagement (the request sweeper, the e-mail sender), stopped on close
    _loops: list[Any] = field(default_factory=list)

    @classmethod
    def build(
        cls, settings: Settings, *, run_migrations: bool = True, encoder: Encoder | None = None, bulk: bool = False
    ) -> "Runtime":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        url = settings.resolved_database_url
        if run_migrations:
            migrate(url)
        engine = make_engine(url)
        _one_blas_thread()
        encoder = encoder or load_encoder(settings.embedding_model, threads=settings.encoder_threads)
        # The vector cache persists text -> vector across restarts and imports (boilerplate recurs).
        # A serving process keeps a bounded part in memory (it encodes only what the feed brings);
        # bulk commands (import, reindex) keep all of it.
        cache = VectorCache(
            f"{encoder.name}@{encoder.version}",
            encoder.dim,
            settings.vector_cache_dir or settings.data_dir / "vectors",
            max_items=BULK_VECTOR_CACHE_ITEMS if bulk else settings.vector_cache_items,
        )
        catalog = Catalog(encoder, cache)
        catalog.encode_processes = default_encode_processes()
        matcher = MatchEngine(catalog, max_per_firm=settings.max_per_firm)
        return cls(settings, engine, make_session_factory(engine), encoder, catalog, matcher)

    def drop_lapsed(self) -> int:
        """Re-read lawyers whose verification ran out since the last look; the standing rule drops them."""
        now = utcnow()
        since, self._lapse_checked = self._lapse_checked, now
        if since is None:
            return 0
        return self.catalog.drop_lapsed(self.sessions, since, now)

    def load_index(self, progress: Callable[[int, int], None] | None = None) -> str:
        """Load the snapshot or rebuild; a rebuild calls `progress(lawyers done, lawyers)` between batches."""
        self._lapse_checked = utcnow()  # loading judges everyone as of now
        how = self.catalog.load_or_rebuild(self.sessions, self.settings.index_dir, progress)
        log.info("index %s: %d lawyers, %d passages", how, len(self.catalog), len(self.catalog.index))
        # The readers compile their lexicons (the world's cities among them, ~0.3 s) on first use: here,
        # not in the first caller's request.
        self.matcher.understand("Need counsel in Navoiy; 越南的工厂需要会越南语的律师")
        # The catalog is millions of long-lived objects (facts, interned sets, dict entries). Left to the
        # cyclic GC, every full collection walks all of them: at 10^5 profiles the requests that
        # triggered one took over a second (p99 1.4 s against p50 0.1 s). Freezing moves them out
        # of the collector's view; later changes from the feed are few.
        gc.collect()
        gc.freeze()
        return how

    def sync(self) -> int:
        """Apply what other processes (and this one) wrote since the last look."""
        return self.catalog.follow(self.sessions)

    def database_ok(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means not ready
            return False

    def start_follower(self, interval: float = 0.5) -> None:
        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.sync()
                    self.drop_lapsed()
                except Exception:  # noqa: BLE001 - keep following through database outages
                    log.warning("change feed follow failed; retrying", exc_info=True)

        self._follower = threading.Thread(target=loop, name="change-feed-follower", daemon=True)
        self._follower.start()

    def start_engagement(self) -> None:
        """The request sweeper (MATCHMAKER_SWEEP_INTERVAL_SECONDS; 0: none in this process) and the
        e-mail sender (when MATCHMAKER_SMTP_HOST is set)."""
        from service.engagement import notifications, requests, sla

        if self.settings.sweep_interval_seconds > 0:
            sweeper = sla.Sweeper(self.sessions, self.matcher, requests.Policy.of(self.settings), self.settings.sweep_interval_seconds)
            sweeper.start()
            self._loops.append(sweeper)
        if self.settings.smtp_host:
            mailer = notifications.Mailer(self.sessions, self.settings)
            mailer.start()
            self._loops.append(mailer)

    def start_dispatcher(self) -> None:
        """Deliver webhooks from this process too (MATCHMAKER_WEBHOOK_DISPATCHER): workers share the
        work through the database, each delivery claimed by one."""
        if not self.settings.webhook_dispatcher:
            return
        from service.engagement.dispatch import Dispatcher

        dispatcher = Dispatcher(self.sessions, self.settings)

        def loop() -> None:
            try:
                dispatcher.run(self._stop)
            finally:
                dispatcher.close()

        self._dispatcher = threading.Thread(target=loop, name="webhook-dispatcher", daemon=True)
        self._dispatcher.start()

    def directory_standing(self) -> dict[str, int]:
        """How many lawyers the database holds and why the others are not matched (see
        repositories.lawyers.standing), re-counted at most every STANDING_SECONDS: /readyz is
        public and polled, and the count reads the whole table."""
        with self._standing_lock:
            now = time.monotonic()
            if self._standing is None or now - self._standing[0] > STANDING_SECONDS:
                with self.sessions() as session:
                    self._standing = (now, directory_repo.standing(session, rules.RECOMMENDABLE))
            return self._standing[1]

    def close(self) -> None:
        self._stop.set()
        for loop in self._loops:
            loop.stop()
        for thread in (self._follower, self._dispatcher):
            if thread is not None:
                # a webhook send still in flight after this is sent again once its claim runs out
                thread.join(timeout=5)
        if self.catalog.loaded:  # a load stopped half-way must not replace the last good snapshot
            try:
                self.catalog.save(self.settings.index_dir)
            except Exception:  # noqa: BLE001 - a failed save leaves the previous snapshot serving
                log.warning("index snapshot not saved at shutdown", exc_info=True)
        self.engine.dispose()
