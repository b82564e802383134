"""What one worker holds in memory: the facts of every matchable lawyer and the passage index.

The database is the source of truth. The catalog is derived from it: rebuilt from scratch, or
loaded from a snapshot and brought up to date by replaying the change feed. Only lawyers who may
be recommended (verified and accepting clients) are held, so every lookup starts eligible.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from embeddings.encoder import Encoder
from embeddings.index import PassageIndex
from models import Lawyer
from service import taxonomy
from service.matching.understand import mask_places, read_countries, read_practice_areas
from service.repositories import changes as change_feed
from service.repositories import lawyers as lawyer_repo

log = logging.getLogger(__name__)

# A country or practice area read from a profile's own text counts as covered above this confidence.
PROFILE_READING_THRESHOLD = 0.6
ENCODE_BATCH = 256
# A rebuild reads this many lawyers at a time; their new texts go to the encoder pool as one job.
REBUILD_BATCH = 1000
# Below this many texts to encode, a process pool costs more than it saves.
POOL_MIN_TEXTS = 512
# Change-feed ids are taken from a sequence when a transaction writes, but become visible when it
# commits, so a lower id can appear after a higher one was applied. Ids skipped over are watched
# this long (a rolled-back transaction leaves a hole that never fills).
GAP_TIMEOUT_SECONDS = 120.0
GAP_LIMIT = 100_000
# On a fresh build, ids this far below the feed head that are not yet visible are watched as gaps.
STARTUP_WINDOW = 2_000


@dataclass(frozen=True, slots=True)
class PassageFacts:
    lawyer_id: int
    kind: str
    text: str
    countries: frozenset[str]
    practice_areas: frozenset[str]
    practice_label: str | None  # the one practice area this passage is evidence of, when clear


@dataclass(slots=True)
class LawyerFacts:
    id: int
    external_id: str | None
    name: str
    name_en: str | None
    firm: str | None
    firm_en: str | None
    city: str | None
    years_of_practice: int
    talent_pools: tuple[str, ...]
    languages: dict[str, str]  # code -> level
    declared_countries: frozenset[str]
    office_countries: frozenset[str]
    read_countries: frozenset[str]
    declared_practice: frozenset[str]
    read_practice: frozenset[str]
    hourly_rate: dict | None  # type: ignore[type-arg]
    passage_ids: tuple[int, ...] = ()

    # Declared fields are authoritative; the text fills in only what the lawyer left empty, since a
    # bio also names countries and areas in passing (a WTO case "involving South Africa").
    @property
    def countries(self) -> frozenset[str]:
        if self.declared_countries:
            return self.declared_countries | self.office_countries
        return self.office_countries | self.read_countries

    @property
    def practice_areas(self) -> frozenset[str]:
        return self.declared_practice or self.read_practice

    @property
    def firm_key(self) -> str:
        return (self.firm_en or self.firm or f"solo-{self.id}").strip().lower()


def is_matchable(lawyer: Lawyer) -> bool:
    """The one rule for who may be recommended: verified, verification not lapsed, accepting, consenting."""
    return (
        lawyer.status == "verified"
        and bool(lawyer.accepting_clients)
        and bool(lawyer.consent_listing)
        and not lawyer.verification_expired()
    )


def _confident(readings: Iterable, threshold: float = PROFILE_READING_THRESHOLD) -> frozenset[str]:  # type: ignore[type-arg]
    return frozenset(r.code for r in readings if r.confidence >= threshold)


def read_profile(lawyer: Lawyer) -> tuple[LawyerFacts, dict[int, PassageFacts]]:
    """Read a profile the way a need is read, so empty structured fields are filled from the text."""
    passages: dict[int, PassageFacts] = {}
    read_c: set[str] = set()
    read_p: set[str] = set()
    sentence_readings = []
    for passage in lawyer.passages:
        countries = _confident(read_countries(passage.text))
        practice = _confident(read_practice_areas(passage.text))
        read_c |= countries
        read_p |= practice
        sentence_readings.append((passage, countries, practice))
    areas = frozenset(lawyer.practice_areas or ()) or frozenset(read_p)
    for passage, countries, practice in sentence_readings:
        # a sentence labelled with one of the lawyer's own areas is a worked example of that area
        own = practice & areas
        label = next(iter(own)) if len(own) == 1 else (next(iter(areas)) if len(areas) == 1 and practice else None)
        passages[passage.id] = PassageFacts(lawyer.id, passage.kind, passage.text, countries, practice, label)
    facts = LawyerFacts(
        id=lawyer.id,
        external_id=lawyer.external_id,
        name=lawyer.name,
        name_en=lawyer.name_en,
        firm=lawyer.firm,
        firm_en=lawyer.firm_en,
        city=lawyer.city,
        years_of_practice=lawyer.years_of_practice or 0,
        talent_pools=tuple(lawyer.talent_pools or ()),
        languages={entry["code"]: entry.get("level", "working") for entry in lawyer.languages or []},
        declared_countries=frozenset(lawyer.countries or ()),
        office_countries=frozenset(lawyer.offices or ()),
        read_countries=frozenset(read_c - {"CN"}),
        declared_practice=frozenset(lawyer.practice_areas or ()),
        read_practice=frozenset(read_p),
        hourly_rate=lawyer.hourly_rate,
        passage_ids=tuple(passages),
    )
    return facts, passages

def _text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class VectorCache:
    """Vectors of texts already encoded, keyed by a hash of the text, optionally kept on disk.

    Boilerplate sentences recur across thousands of profiles (and, with places masked, so do
    matter sentences that differ only by country); each is encoded once. Entries belong to one
    encoder: a cache saved by another encoder or version is not loaded. In memory it holds at
    most ``max_items`` vectors, dropping the oldest first.
    """

    def __init__(self, encoder_key: str, dim: int, directory: Path | None = None, max_items: int = 200_000) -> None:
        self.encoder_key = encoder_key
        self.dim = dim
        self.directory = Path(directory) if directory else None
        self.max_items = max_items
        self._rows: dict[bytes, int] = {}
        self._vectors = np.zeros((0, dim), dtype=np.float32)
        self._used = 0
        self._free: list[int] = []
        self._lock = threading.Lock()
        self._dirty = False
        if self.directory is not None:
            self._load()

    def __len__(self) -> int:
        return len(self._rows)

    def lookup(self, texts: Sequence[str]) -> tuple[np.ndarray, list[int]]:
        """Vectors for the texts (zeros where unknown) and the positions still to encode."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: list[int] = []
        with self._lock:
            for i, text in enumerate(texts):
                row = self._rows.get(_text_key(text))
                if row is None:
                    missing.append(i)
                else:
                    out[i] = self._vectors[row]
        return out, missing

    def store(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        with self._lock:
            for text, vector in zip(texts, vectors):
                key = _text_key(text)
                if key in self._rows:
                    continue
                if len(self._rows) >= self.max_items:
                    oldest = next(iter(self._rows))  # dicts keep insertion order
                    self._free.append(self._rows.pop(oldest))
                if self._free:
                    row = self._free.pop()
                else:
                    row = self._used
                    self._used += 1
                    if row >= len(self._vectors):
                        grown = np.zeros((max(1024, 2 * len(self._vectors)), self.dim), dtype=np.float32)
                        grown[: len(self._vectors)] = self._vectors
                        self._vectors = grown
                self._vectors[row] = vector
                self._rows[key] = row
                self._dirty = True

    def save(self) -> None:
        """Write the cache to its directory (atomically: a temporary folder, then a rename)."""
        if self.directory is None or not self._dirty:
            return
        with self._lock:
            keys = np.frombuffer(b"".join(self._rows), dtype=np.uint8).reshape(-1, 16)
            vectors = self._vectors[np.fromiter(self._rows.values(), dtype=np.int64, count=len(self._rows))]
            self._dirty = False
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        staging = self.directory.with_name(f".{self.directory.name}.{uuid.uuid4().hex[:8]}")
        staging.mkdir()
        np.save(staging / "keys.npy", keys, allow_pickle=False)
        np.save(staging / "vectors.npy", vectors, allow_pickle=False)
        (staging / "meta.json").write_text(json.dumps({"encoder": self.encoder_key, "dim": self.dim, "count": len(keys)}))
        old = self.directory.with_name(f".{self.directory.name}.old-{uuid.uuid4().hex[:8]}")
        if self.directory.exists():
            os.replace(self.directory, old)
        os.replace(staging, self.directory)
        if old.exists():
            import shutil

            shutil.rmtree(old, ignore_errors=True)

    def _load(self) -> None:
        assert self.directory is not None
        try:
            meta = json.loads((self.directory / "meta.json").read_text())
            if meta.get("encoder") != self.encoder_key or meta.get("dim") != self.dim:
                log.info("vector cache %s is for %s; not used", self.directory, meta.get("encoder"))
                return
            keys = np.load(self.directory / "keys.npy", allow_pickle=False)
            vectors = np.load(self.directory / "vectors.npy", allow_pickle=False)
            if len(keys) != len(vectors) or vectors.shape[1:] != (self.dim,):
                raise ValueError("keys and vectors disagree")
        except FileNotFoundError:
            return
        except Exception as exc:  # a damaged cache is only a slower start
            log.warning("vector cache %s not used: %s", self.directory, exc)
            return
        keep = vectors[-self.max_items :]
        self._vectors = np.ascontiguousarray(keep, dtype=np.float32)
        self._used = len(keep)
        self._rows = {bytes(key): i for i, key in enumerate(keys[-self.max_items :])}


_pool_encoder: Encoder | None = None


def _pool_init(spec: str) -> None:
    global _pool_encoder
    from embeddings.encoder import load_encoder

    _pool_encoder = load_encoder(spec, threads=1)


def _pool_encode(texts: list[str]) -> np.ndarray:
    assert _pool_encoder is not None
    return _pool_encoder.encode_documents(texts)


class EncoderPool:
    """Encoder processes (one BLAS thread each) for bulk encoding; the service scales with processes."""

    def __init__(self, spec: str, processes: int) -> None:
        import multiprocessing

        self.processes = processes
        # spawn: the parent holds threads (and maybe FAISS/OpenMP state) that fork would copy badly
        self._executor = ProcessPoolExecutor(
            processes, mp_context=multiprocessing.get_context("spawn"), initializer=_pool_init, initargs=(spec,)
        )

    def submit(self, texts: Sequence[str]) -> list[Future[np.ndarray]]:
        size = max(64, -(-len(texts) // (2 * self.processes)))
        return [self._executor.submit(_pool_encode, list(texts[i : i + size])) for i in range(0, len(texts), size)]

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def default_encode_processes() -> int:
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))



class Catalog:
    """Lawyer facts, inverted sets for the hard rules, and the passage vectors, kept in step."""

    def __init__(self, encoder: Encoder, vector_cache: VectorCache | None = None) -> None:
        self.encoder = encoder
        # `is not None`: an empty cache is falsy (it has a length) and must still be the one used
        self.vector_cache = vector_cache if vector_cache is not None else VectorCache(f"{encoder.name}@{encoder.version}", encoder.dim, max_items=50_000)
        # Set for bulk work (rebuild, large imports): encoder processes to spread encoding over cores.
        self.encode_processes = 1
        self.index = PassageIndex(encoder.dim, encoder.name, encoder.version)
        self.lawyers: dict[int, LawyerFacts] = {}
        self.passages: dict[int, PassageFacts] = {}
        self.by_country: dict[str, set[int]] = defaultdict(set)
        self.by_region: dict[str, set[int]] = defaultdict(set)
        self.by_language: dict[str, set[int]] = defaultdict(set)
        self.by_practice: dict[str, set[int]] = defaultdict(set)
        # Boolean masks over lawyer ids (index = id), built on first use from the sets above and kept
        # in step by _link/_unlink; the engine combines them with numpy instead of Python set algebra
        # (a 10^5-member set intersection costs milliseconds, a mask AND microseconds).
        self._capacity = 0
        self._masks: dict[tuple[str, str], np.ndarray] = {}
        self.position = 0  # the last change-feed id applied
        self.gaps: dict[int, float] = {}  # feed ids skipped over (not yet visible), and since when
        self.loaded = False
        self._lock = threading.RLock()
        self._follow_lock = threading.Lock()

    # ---- reads -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.lawyers)

    def with_any_country(self, countries: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for code in countries:
            found |= self.by_country.get(code, set())
        return found

    def with_region_of(self, countries: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for code in countries:
            region = taxonomy.region_of(code)
            if region:
                found |= self.by_region.get(region, set())
        return found

    def with_all_languages(self, languages: Iterable[str]) -> set[int] | None:
        result: set[int] | None = None
        for code in languages:
            members = self.by_language.get(code, set())
            result = set(members) if result is None else result & members
        return result

    def with_any_practice(self, areas: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for code in areas:
            found |= self.by_practice.get(code, set())
        return found

    # ---- masks (callers hold the catalog lock; the arrays are shared: combine, never modify) ----

    def _table(self, table: str) -> dict[str, set[int]]:
        return {"country": self.by_country, "region": self.by_region, "language": self.by_language, "practice": self.by_practice}[table]

    def mask(self, table: str, code: str) -> np.ndarray:
        """Lawyers holding this code ("country", "region", "language", "practice"; "*" for every lawyer)."""
        key = (table, code)
        found = self._masks.get(key)
        if found is None:
            found = np.zeros(self._capacity, dtype=bool)
            ids = self.lawyers.keys() if table == "*" else self._table(table).get(code, ())
            if ids:
                found[np.fromiter(ids, dtype=np.int64, count=len(ids))] = True
            self._masks[key] = found
        return found

    def matchable_mask(self) -> np.ndarray:
        return self.mask("*", "*")

    def any_mask(self, table: str, codes: Iterable[str]) -> np.ndarray:
        found = np.zeros(self._capacity, dtype=bool)
        for code in codes:
            found |= self.mask(table, code)
        return found

    def region_mask(self, countries: Iterable[str]) -> np.ndarray:
        return self.any_mask("region", {r for r in (taxonomy.region_of(c) for c in countries) if r})

    def _mark(self, table: str, code: str, lawyer_id: int, value: bool) -> None:
        found = self._masks.get((table, code))
        if found is not None:
            found[lawyer_id] = value

    def _reserve(self, lawyer_id: int) -> None:
        if lawyer_id < self._capacity:
            return
        capacity = max(lawyer_id + 1, 2 * self._capacity, 1024)
        for key, old in self._masks.items():
            grown = np.zeros(capacity, dtype=bool)
            grown[: len(old)] = old
            self._masks[key] = grown
        self._capacity = capacity

    # ---- writes ------------------------------------------------------------------------

    def _unlink(self, lawyer_id: int) -> None:
        facts = self.lawyers.pop(lawyer_id, None)
        if facts is None:
            return
        for pid in facts.passage_ids:
            self.passages.pop(pid, None)
        # Only the entries _link made (the facts say which), not every key of every table.
        self._mark("*", "*", lawyer_id, False)
        for code in facts.countries:
            self.by_country.get(code, set()).discard(lawyer_id)
            self._mark("country", code, lawyer_id, False)
            region = taxonomy.region_of(code)
            if region:
                self.by_region.get(region, set()).discard(lawyer_id)
                # another of the lawyer's countries may share the region: the mask follows the set
                self._mark("region", region, lawyer_id, lawyer_id in self.by_region.get(region, ()))
        for code in facts.languages:
            self.by_language.get(code, set()).discard(lawyer_id)
            self._mark("language", code, lawyer_id, False)
        for code in facts.practice_areas:
            self.by_practice.get(code, set()).discard(lawyer_id)
            self._mark("practice", code, lawyer_id, False)

    def _link(self, facts: LawyerFacts, passages: dict[int, PassageFacts]) -> None:
        self.lawyers[facts.id] = facts
        self.passages.update(passages)
        self._reserve(facts.id)
        self._mark("*", "*", facts.id, True)
        for code in facts.countries:
            self.by_country[code].add(facts.id)
            self._mark("country", code, facts.id, True)
            region = taxonomy.region_of(code)
            if region:
                self.by_region[region].add(facts.id)
                self._mark("region", region, facts.id, True)
        for code in facts.languages:
            self.by_language[code].add(facts.id)
            self._mark("language", code, facts.id, True)
        for code in facts.practice_areas:
            self.by_practice[code].add(facts.id)
            self._mark("practice", code, facts.id, True)

    def encode_passages(self, texts: Sequence[str], pool: EncoderPool | None = None) -> np.ndarray:
        # Places are masked so that passage similarity measures the matter; countries are scored apart.
        return self.encode_texts([mask_places(t) for t in texts], pool)

    def encode_texts(self, texts: Sequence[str], pool: EncoderPool | None = None) -> np.ndarray:
        """Document vectors, each distinct text encoded once and remembered in the vector cache."""
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        distinct = list(dict.fromkeys(texts))
        known, missing = self.vector_cache.lookup(distinct)
        if missing:
            todo = [distinct[i] for i in missing]
            if pool is not None and len(todo) >= POOL_MIN_TEXTS:
                fresh = np.concatenate([f.result() for f in pool.submit(todo)])
            else:
                fresh = np.concatenate(
                    [self.encoder.encode_documents(todo[i : i + ENCODE_BATCH]) for i in range(0, len(todo), ENCODE_BATCH)]
                )
            known[missing] = fresh
            self.vector_cache.store(todo, fresh)
        row_of = {text: i for i, text in enumerate(distinct)}
        return known[[row_of[t] for t in texts]]

    def _read(self, rows: Sequence[Lawyer]) -> list[tuple[LawyerFacts, dict[int, PassageFacts]]]:
        return [read_profile(row) for row in rows if is_matchable(row)]

    def apply(self, rows: Sequence[Lawyer], removed: Iterable[int] = (), *, vectors_known: bool = False) -> None:
        """Bring the given lawyers (loaded with passages) and removals into the catalog and index."""
        readings = self._read(rows)
        texts = [p.text for _, passages in readings for p in passages.values()]
        vectors = None if vectors_known else self.encode_passages(texts)
        self._commit(rows, readings, vectors, removed)

    def _commit(
        self,
        rows: Sequence[Lawyer],
        readings: list[tuple[LawyerFacts, dict[int, PassageFacts]]],
        vectors: np.ndarray | None,
        removed: Iterable[int] = (),
    ) -> None:
        with self._lock:
            for lawyer_id in removed:
                self._unlink(lawyer_id)
                self.index.remove_owner(lawyer_id)
            for row in rows:
                self._unlink(row.id)
                if not is_matchable(row):
                    self.index.remove_owner(row.id)
            offset = 0
            for facts, passages in readings:
                self._link(facts, passages)
                if vectors is not None:
                    count = len(passages)
                    self.index.replace_owner(facts.id, list(passages), vectors[offset : offset + count])
                    offset += count

    # ---- synchronisation with the database -------------------------------------------------

    def rebuild(self, factory: sessionmaker[Session], progress: Callable[[int, int], None] | None = None) -> None:
        """Read every lawyer and encode every passage again (distinct texts once, over the encoder pool)."""
        with factory() as session:
            position = change_feed.latest(session)
            gaps = self._invisible_ids(session, position)
            ids = lawyer_repo.all_ids(session)
        with self._lock:
            self.index = PassageIndex(self.encoder.dim, self.encoder.name, self.encoder.version)
            self.lawyers.clear()
            self.passages.clear()
            for table in (self.by_country, self.by_region, self.by_language, self.by_practice):
                table.clear()
            self._masks.clear()
        pool = None
        if self.encode_processes > 1 and len(ids) > REBUILD_BATCH:
            pool = EncoderPool(self.encoder.name, self.encode_processes)
        try:
            # Reading the next batch from the database overlaps with encoding the current one.
            pending: tuple[list[Lawyer], list, list[str], list[Future[np.ndarray]] | None] | None = None
            for start in range(0, len(ids) + REBUILD_BATCH, REBUILD_BATCH):
                batch = None
                if start < len(ids):
                    with factory() as session:
                        rows = lawyer_repo.load_many(session, ids[start : start + REBUILD_BATCH])
                    readings = self._read(rows)
                    texts = [mask_places(p.text) for _, ps in readings for p in ps.values()]
                    distinct = list(dict.fromkeys(texts))
                    _, missing = self.vector_cache.lookup(distinct)
                    futures = None
                    if pool is not None and len(missing) >= POOL_MIN_TEXTS:
                        futures = pool.submit([distinct[i] for i in missing])
                    batch = (rows, readings, texts, futures)
                if pending is not None:
                    rows_p, readings_p, texts_p, futures_p = pending
                    if futures_p is not None:
                        distinct_p = list(dict.fromkeys(texts_p))
                        _, missing_p = self.vector_cache.lookup(distinct_p)
                        self.vector_cache.store([distinct_p[i] for i in missing_p], np.concatenate([f.result() for f in futures_p]))
                    self._commit(rows_p, readings_p, self.encode_texts(texts_p))
                    if progress:
                        progress(min(start, len(ids)), len(ids))
                pending = batch
        finally:
            if pool is not None:
                pool.close()
        with self._lock:
            self.position = max(self.position, position) if self.loaded else position
            self.gaps = dict.fromkeys(gaps, time.monotonic()) if not self.loaded else self.gaps | dict.fromkeys(gaps, time.monotonic())
        self.loaded = True
        self._save_cache()
        # Anything written while we rebuilt is replayed now.
        self.follow(factory)

    @staticmethod
    def _invisible_ids(session: Session, position: int) -> list[int]:
        """Feed ids just below the head that are not visible yet: transactions still in flight."""
        low = max(0, position - STARTUP_WINDOW)
        seen = {change.id for change in change_feed.since(session, low, limit=STARTUP_WINDOW + 1) if change.id <= position}
        return [i for i in range(low + 1, position + 1) if i not in seen]

    def follow(self, factory: sessionmaker[Session]) -> int:
        """Replay the change feed past our position; returns how many changes were applied."""
        with self._follow_lock:
            return self._follow(factory)

    def _follow(self, factory: sessionmaker[Session]) -> int:
        """Apply changes past the position, and late commits that fill gaps left behind it."""
        applied = 0
        now = time.monotonic()
        for gap in [g for g, since in self.gaps.items() if now - since > GAP_TIMEOUT_SECONDS]:
            del self.gaps[gap]
        cursor = min(self.position, min(self.gaps, default=self.position + 1) - 1)
        while True:
            with factory() as session:
                batch = change_feed.since(session, cursor, limit=1000)
                if not batch:
                    return applied
                fresh = [c for c in batch if c.id > self.position or c.id in self.gaps]
                if fresh:
                    touched = list(dict.fromkeys(change.lawyer_id for change in fresh))
                    rows = lawyer_repo.load_many(session, touched)
                    present = {row.id for row in rows}
                    self.apply(rows, removed=[i for i in touched if i not in present])
                expected = self.position + 1
                for change in batch:
                    self.gaps.pop(change.id, None)
                    if change.id > self.position:
                        self.gaps.update(dict.fromkeys(range(expected, change.id), now))
                        expected = change.id + 1
                if len(self.gaps) > GAP_LIMIT:
                    for gap in sorted(self.gaps)[: len(self.gaps) - GAP_LIMIT]:
                        del self.gaps[gap]
                self.position = max(self.position, batch[-1].id)
                cursor = batch[-1].id
                applied += len(fresh)
                if len(batch) < 1000:
                    return applied

    def save(self, directory: Path) -> None:
        with self._lock:
            self.index.save(directory, extra={"position": self.position, "gaps": sorted(self.gaps)})
        self._save_cache()

    def _save_cache(self) -> None:
        try:
            self.vector_cache.save()
        except OSError:  # another process saving the same cache folder: ours is only a speed-up
            log.warning("vector cache not saved", exc_info=True)

    def save_if_possible(self, directory: Path) -> bool:
        """Save a snapshot, but serve on without one: a full disk must not stop the service."""
        try:
            self.save(directory)
            return True
        except OSError:
            log.warning("index snapshot not saved; the previous one stays", exc_info=True)
            return False

    def load_or_rebuild(self, factory: sessionmaker[Session], directory: Path) -> str:
        """Load the snapshot if it fits this encoder and is intact, else rebuild; then catch up."""
        loaded = PassageIndex.load(directory, self.encoder.name, self.encoder.version, self.encoder.dim)
        if loaded is None:
            self.rebuild(factory)
            self.save_if_possible(directory)
            return "rebuilt"
        index, manifest = loaded
        extra = manifest.get("extra") or {}
        position = int(extra.get("position", manifest.get("position", 0)))
        with factory() as session:
            if position > change_feed.latest(session):
                loaded = None  # a snapshot from another database
        if loaded is None:
            self.rebuild(factory)
            self.save_if_possible(directory)
            return "rebuilt"
        with self._lock:
            self.index = index
            self.lawyers.clear()
            self.passages.clear()
            for table in (self.by_country, self.by_region, self.by_language, self.by_practice):
                table.clear()
            self._masks.clear()
        with factory() as session:
            ids = lawyer_repo.all_ids(session)
            for start in range(0, len(ids), 2000):
                rows = lawyer_repo.load_many(session, ids[start : start + 2000])
                self.apply(rows, vectors_known=True)
        now = time.monotonic()
        self.position = position
        self.gaps = dict.fromkeys((int(g) for g in extra.get("gaps", ())), now)
        self.loaded = True
        if self.follow(factory):
            self.save_if_possible(directory)
        return "loaded"
