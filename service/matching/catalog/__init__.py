"""What one worker holds to match: the facts of every lawyer it may recommend, the passage index,
and the passage labels, kept in step with the database.

The database is the source of truth. The catalog is derived from it: rebuilt from scratch, or
loaded from a snapshot and brought up to date by replaying the change feed. Only lawyers who meet
``rules.RECOMMENDABLE`` are held, so every lookup starts eligible. The parts, one job each:
``facts`` (facts and masks), ``labels``, ``encoding`` (vector cache, encoder pool), ``snapshot``
(the facts saved with the index) and ``feed`` (following the change feed).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from embeddings.encoder import Encoder
from embeddings.index import PassageIndex
from models import Lawyer
from models.base import utcnow
from service.matching import rules
from service.matching.catalog import snapshot
from service.matching.catalog.encoding import EncoderPool, PassageEncoder, VectorCache, default_encode_processes
from service.matching.catalog.facts import FactTable
from service.matching.catalog.feed import FeedFollower, invisible_ids
from service.matching.catalog.labels import PassageLabels
from service.matching.profile import LawyerFacts, encoded_text, read_profile
from service.repositories import changes as change_feed
from service.repositories import cards as card_repo
from service.repositories import lawyers as lawyer_repo
from service.repositories import meta as meta_repo

__all__ = ["Catalog", "VectorCache", "default_encode_processes"]

log = logging.getLogger(__name__)

# A rebuild reads this many lawyers at a time; their new texts go to the encoder pool as one job.
REBUILD_BATCH = 1000
DEFAULT_CACHE_ITEMS = 50_000

# A profile as read: its facts, the labels of its passages (by passage id), and their texts.
Reading = tuple[LawyerFacts, dict[int, str | None], list[str]]


class Catalog:
    def __init__(self, encoder: Encoder, vector_cache: VectorCache | None = None) -> None:
        self.encoder = encoder
        # `is not None`: an empty cache is falsy (it has a length) and must still be the one used
        cache = vector_cache if vector_cache is not None else VectorCache(f"{encoder.name}@{encoder.version}", encoder.dim, max_items=DEFAULT_CACHE_ITEMS)
        self.encoding = PassageEncoder(encoder, cache)
        # Set for bulk work (rebuild, large imports): encoder processes to spread encoding over cores.
        self.encode_processes = 1
        self.index = PassageIndex(encoder.dim, encoder.name, encoder.version)
        self.facts = FactTable()
        self.labels = PassageLabels()
        self.feed = FeedFollower()
        self.loaded = False
        # Where cards and evidence of the results shown are read (set on rebuild, load or follow).
        self.factory: sessionmaker[Session] | None = None
        # The database this catalog was read from (models.meta), recorded in its snapshots.
        self.database_id: str | None = None
        self._lock = threading.RLock()

    # ---- reads ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.facts)

    @property
    def lawyers(self) -> dict[int, LawyerFacts]:
        return self.facts.lawyers

    @property
    def position(self) -> int:
        """The last change-feed id applied."""
        return self.feed.position

    @property
    def gaps(self) -> dict[int, float]:
        return self.feed.gaps

    @contextmanager
    def reading(self) -> Iterator[FactTable]:
        """The facts, masks and index held still: no change from the feed lands meanwhile."""
        with self._lock:
            yield self.facts

    def describe(self, passages: Mapping[int, Sequence[int]], session: Session | None = None) -> dict[int, card_repo.Card]:
        """Lawyer id -> the card (repositories.lawyers.cards) of lawyers still recommendable: what
        a result shows. ``passages``: lawyer id -> the passages that may be quoted as evidence.

        In the caller's session when it has one (on SQLite a second one would wait for its lock).
        """
        if session is not None:
            return self._recommendable(card_repo.cards(session.connection(), passages))
        if self.factory is None:
            raise RuntimeError("catalog has no database to describe results from (rebuild, load or follow first)")
        engine = self.factory.kw["bind"]
        if engine.dialect.name == "postgresql":
            # one statement, no transaction: saves the BEGIN and ROLLBACK round trips of a session
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                return self._recommendable(card_repo.cards(connection, passages))
        with self.factory() as own:  # SQLite: through a session, which takes the lock its way
            return self.describe(passages, own)

    @staticmethod
    def _recommendable(cards: dict[int, card_repo.Card]) -> dict[int, card_repo.Card]:
        return {i: card for i, card in cards.items() if rules.RECOMMENDABLE.admits(card.row)}

    # ---- writes --------------------------------------------------------------------------

    def _read(self, rows: Sequence[Lawyer]) -> list[Reading]:
        return [
            (*read_profile(row, self.facts.intern), [p.text for p in row.passages])
            for row in rows
            if rules.RECOMMENDABLE.admits(row)
        ]

    def apply(self, rows: Sequence[Lawyer], removed: Iterable[int] = (), *, vectors_known: bool = False) -> None:
        """Bring the given lawyers (loaded with passages) and removals into the catalog and index."""
        readings = self._read(rows)
        texts = [encoded_text(text) for _, _, passage_texts in readings for text in passage_texts]
        vectors = None if vectors_known else self.encoding.encode(texts)
        self._commit(rows, readings, vectors, removed)

    def _commit(
        self, rows: Sequence[Lawyer], readings: list[Reading], vectors: np.ndarray | None, removed: Iterable[int] = ()
    ) -> None:
        with self._lock:
            for lawyer_id in removed:
                self._unlink(lawyer_id)
                self.index.remove_owner(lawyer_id)
            for row in rows:
                self._unlink(row.id)
                # with new vectors, every old run goes before any new one, so a passage id that
                # moved between two of these lawyers (ids reused before migration 0010) is free
                if vectors is not None or not rules.RECOMMENDABLE.admits(row):
                    self.index.remove_owner(row.id)
            offset = 0
            for facts, labels, _ in readings:
                self.facts.link(facts)
                for passage_id, label in labels.items():
                    self.labels.set(passage_id, label)
                if vectors is not None:
                    count = len(labels)
                    self.index.replace_owner(facts.id, list(labels), vectors[offset : offset + count])
                    offset += count

    def _unlink(self, lawyer_id: int) -> None:
        if self.facts.unlink(lawyer_id) is not None:
            for passage_id in self.index.passage_ids(lawyer_id):
                self.labels.set(passage_id, None)

    def _clear(self, index: PassageIndex | None = None) -> None:
        """Start empty, with this index (a loaded snapshot's) or a new one."""
        with self._lock:
            self.index = index if index is not None else PassageIndex(self.encoder.dim, self.encoder.name, self.encoder.version)
            self._clear_facts()

    def _clear_facts(self) -> None:
        with self._lock:
            self.facts.clear()
            self.labels.clear()

    def drop_lapsed(self, factory: sessionmaker[Session], since: datetime, until: datetime) -> int:
        """Re-read lawyers whose verification ran out in (since, until]; the standing rule drops them."""
        with factory() as session:
            rows = lawyer_repo.lapsing(session, since, until)
            if rows:
                self.apply(rows)
        return len(rows)

    # ---- synchronisation with the database -----------------------------------------------

    def rebuild(self, factory: sessionmaker[Session], progress: Callable[[int, int], None] | None = None) -> None:
        """Read every lawyer and encode every passage again (distinct texts once, over the encoder pool)."""
        with factory() as session:
            database_id = meta_repo.database_id(session)
            position = change_feed.latest(session)
            gaps = invisible_ids(session, position)
            ids = lawyer_repo.all_ids(session)
        self.factory = factory
        self.database_id = database_id
        self._clear()
        pool = None
        if self.encode_processes > 1 and len(ids) > REBUILD_BATCH:
            pool = EncoderPool(self.encoder.name, self.encode_processes)
        try:
            # Reading the next batch from the database overlaps with encoding the current one.
            pending: tuple[list[Lawyer], list[Reading], list[str], list[Future[np.ndarray]] | None] | None = None
            for start in range(0, len(ids) + REBUILD_BATCH, REBUILD_BATCH):
                batch = None
                if start < len(ids):
                    with factory() as session:
                        rows = lawyer_repo.load_many(session, ids[start : start + REBUILD_BATCH])
                    readings = self._read(rows)
                    texts = [encoded_text(text) for _, _, passage_texts in readings for text in passage_texts]
                    batch = (rows, readings, texts, self.encoding.start(texts, pool))
                if pending is not None:
                    rows_p, readings_p, texts_p, futures_p = pending
                    self._commit(rows_p, readings_p, self.encoding.finish(texts_p, futures_p))
                    if progress:
                        progress(min(start, len(ids)), len(ids))
                pending = batch
        finally:
            if pool is not None:
                pool.close()
        with self._lock:
            self.feed.start_at(position, gaps, keep_ahead=self.loaded)
        self.loaded = True
        self.encoding.save_cache()
        # Anything written while we rebuilt is replayed now.
        self.follow(factory)

    def follow(self, factory: sessionmaker[Session]) -> int:
        """Replay the change feed past our position; returns how many changes were applied."""
        self.factory = factory
        return self.feed.follow(factory, self._apply_changed)

    def _apply_changed(self, session: Session, lawyer_ids: list[int]) -> None:
        rows = lawyer_repo.load_many(session, lawyer_ids)
        present = {row.id for row in rows}
        self.apply(rows, removed=[i for i in lawyer_ids if i not in present])

    # ---- snapshots -----------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        with self._lock:
            self.index.save(
                directory,
                extra={
                    "database_id": self.database_id,
                    "position": self.position,
                    "gaps": sorted(self.gaps),
                    "saved_at": utcnow().isoformat(),
                },
                attachments={"facts": snapshot.export_facts(self.facts, self.labels)},
            )
        self.encoding.save_cache()

    def save_if_possible(self, directory: Path) -> bool:
        """Save a snapshot, but serve on without one: a full disk must not stop the service."""
        try:
            self.save(directory)
            return True
        except OSError:
            log.warning("index snapshot not saved; the previous one stays", exc_info=True)
            return False

    def load_or_rebuild(
        self, factory: sessionmaker[Session], directory: Path, progress: Callable[[int, int], None] | None = None
    ) -> str:
        """Load the snapshot if it fits this encoder and database and is intact, else rebuild; then catch up."""
        loaded = PassageIndex.load(directory, self.encoder.name, self.encoder.version, self.encoder.dim)
        if loaded is not None and not self._snapshot_usable(factory, directory, loaded[0], loaded[1]):
            loaded = None
        if loaded is None:
            self.rebuild(factory, progress)
            self.save_if_possible(directory)
            return "rebuilt"
        index, manifest = loaded
        extra = manifest.get("extra") or {}
        self.factory = factory
        self._clear(index)
        how = "loaded"
        if not self._import_saved_facts((manifest.get("attachments") or {}).get("facts"), extra.get("saved_at")):
            # facts read by other code (or none saved): read every profile again, vectors as saved
            how = "loaded, profiles read again"
            self._clear_facts()  # whatever a failed import left
            with factory() as session:
                ids = lawyer_repo.all_ids(session)
                for start in range(0, len(ids), 2000):
                    self.apply(lawyer_repo.load_many(session, ids[start : start + 2000]), vectors_known=True)
        self.feed.start_at(int(extra.get("position", manifest.get("position", 0))), extra.get("gaps", ()))
        self.loaded = True
        if self.follow(factory) or how != "loaded":
            self.save_if_possible(directory)
        return how

    def _snapshot_usable(self, factory: sessionmaker[Session], directory: Path, index: PassageIndex, manifest: dict[str, Any]) -> bool:
        """Whether a snapshot that loaded belongs to this database and is worth catching up."""
        extra = manifest.get("extra") or {}
        position = int(extra.get("position", manifest.get("position", 0)))
        with factory() as session:
            self.database_id = meta_repo.database_id(session)
            if extra.get("database_id") != self.database_id:
                why = "of another database" if extra.get("database_id") else "older than database ids (migration 0003)"
                log.info("index snapshot in %s is %s; rebuilding", directory, why)
                return False
            latest = change_feed.latest(session)
        if position > latest:
            log.info("index snapshot in %s is ahead of the database (restored from a backup?); rebuilding", directory)
            return False
        if latest - position > max(REBUILD_BATCH, index.owner_count):
            # e.g. a bulk import over a small snapshot: replaying the feed encodes in this
            # process alone, a rebuild over the encoder pool (known texts from the vector cache)
            log.info("%d changes since the snapshot in %s, more than it holds; rebuilding", latest - position, directory)
            return False
        return True

    def _import_saved_facts(self, facts: dict[str, np.ndarray] | None, saved_at: str | None) -> bool:
        """Take the snapshot's facts, then drop whoever's verification lapsed since it was saved
        (the facts judged the standing rule as of then)."""
        if facts is None or saved_at is None:
            return False
        try:
            with self._lock:
                if not snapshot.import_facts(facts, self.facts, self.labels):
                    return False
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            log.warning("saved facts not used: %s: %s", type(exc).__name__, exc)
            return False
        assert self.factory is not None
        self.drop_lapsed(self.factory, datetime.fromisoformat(saved_at), utcnow())
        return True
