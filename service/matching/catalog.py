"""What one worker holds in memory: the facts of every matchable lawyer and the passage index.

The database is the source of truth. The catalog is derived from it: rebuilt from scratch, or
loaded from a snapshot and brought up to date by replaying the change feed. Only lawyers who may
be recommended (verified and accepting clients) are held, so every lookup starts eligible.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy import Row
from sqlalchemy.orm import Session, sessionmaker

from embeddings.encoder import Encoder
from embeddings.index import PassageIndex
from models import Lawyer
from models.base import utcnow
from models.lawyer import verification_lapsed
from service import taxonomy
from service.matching import scoring
from service.matching.understand import mask_places, read_countries, read_practice_areas
from service.repositories import changes as change_feed
from service.repositories import lawyers as lawyer_repo
from service.repositories import meta as meta_repo

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


@dataclass(slots=True)
class LawyerFacts:
    """What scoring needs of one lawyer. The card shown with a result (name, firm, contact-free
    fields) and the evidence text are read from the database for the k results only: at 10^6
    profiles, holding them would cost gigabytes per process. Sets and language maps are shared
    between lawyers holding the same value (see _Interner): never modify them."""

    id: int
    firm_key: str
    years_of_practice: int
    talent_pools: tuple[str, ...]
    languages: dict[str, str]  # code -> level
    declared_countries: frozenset[str]
    office_countries: frozenset[str]
    read_countries: frozenset[str]
    declared_practice: frozenset[str]
    read_practice: frozenset[str]

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


class _Interner:
    """One shared object per distinct value: a million lawyers hold a few thousand distinct sets."""

    def __init__(self) -> None:
        self._values: dict = {}  # type: ignore[type-arg]

    def __call__(self, value):  # type: ignore[no-untyped-def]
        return self._values.setdefault(value, value)

    def languages(self, pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
        key = ("languages", frozenset(pairs))
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = dict(sorted(key[1]))
        return found


def is_matchable(lawyer: Lawyer | Row) -> bool:  # type: ignore[type-arg]
    """The one rule for who may be recommended: verified, verification not lapsed, accepting, consenting.

    A model object or a row holding these columns (a match result's card)."""
    return (
        lawyer.status == "verified"
        and bool(lawyer.accepting_clients)
        and bool(lawyer.consent_listing)
        and not verification_lapsed(lawyer.verification_expires_at)
    )


def _confident(readings: Iterable, threshold: float = PROFILE_READING_THRESHOLD) -> frozenset[str]:  # type: ignore[type-arg]
    return frozenset(r.code for r in readings if r.confidence >= threshold)


@functools.lru_cache(maxsize=1 << 16)
def _read_passage(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Countries and practice areas a passage names; boilerplate recurs across profiles, so
    recent answers are remembered (the readers cost about a millisecond a profile)."""
    return _confident(read_countries(text)), _confident(read_practice_areas(text))


def firm_key(firm: str | None, firm_en: str | None, lawyer_id: int) -> str:
    return (firm_en or firm or f"solo-{lawyer_id}").strip().lower()


def read_profile(lawyer: Lawyer, intern: _Interner | None = None) -> tuple[LawyerFacts, dict[int, str | None]]:
    """Read a profile the way a need is read, so empty structured fields are filled from the text.

    Returns the facts and, per passage id, the one practice area the passage is evidence of
    (when clear): the labels the engine's neighbour vote reads.
    """
    intern = intern or _Interner()
    read_c: set[str] = set()
    read_p: set[str] = set()
    sentence_readings = []
    for passage in lawyer.passages:
        countries, practice = _read_passage(passage.text)
        read_c |= countries
        read_p |= practice
        sentence_readings.append((passage.id, practice))
    areas = frozenset(lawyer.practice_areas or ()) or frozenset(read_p)
    labels: dict[int, str | None] = {}
    for passage_id, practice in sentence_readings:
        # a sentence labelled with one of the lawyer's own areas is a worked example of that area
        own = practice & areas
        labels[passage_id] = next(iter(own)) if len(own) == 1 else (next(iter(areas)) if len(areas) == 1 and practice else None)
    facts = LawyerFacts(
        id=lawyer.id,
        firm_key=intern(firm_key(lawyer.firm, lawyer.firm_en, lawyer.id)),
        years_of_practice=lawyer.years_of_practice or 0,
        talent_pools=intern(tuple(lawyer.talent_pools or ())),
        languages=intern.languages((entry["code"], entry.get("level", "working")) for entry in lawyer.languages or []),
        declared_countries=intern(frozenset(lawyer.countries or ())),
        office_countries=intern(frozenset(lawyer.offices or ())),
        read_countries=intern(frozenset(read_c - {"CN"})),
        declared_practice=intern(frozenset(lawyer.practice_areas or ())),
        read_practice=intern(frozenset(read_p)),
    )
    return facts, labels


def reader_fingerprint() -> str:
    """Identifies the code that reads profiles into facts: saved facts read by other code are not used."""
    import inspect

    from service.matching import understand

    source = "".join(inspect.getsource(part) for part in (understand, taxonomy, _read_passage, read_profile))
    return hashlib.sha256(f"{source}{PROFILE_READING_THRESHOLD}".encode()).hexdigest()[:16]


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



class PassageLabels:
    """Passage id -> the practice area it is a worked example of, for the engine's neighbour vote.

    A byte per passage id (database ids are dense), a dict for ids beyond that range.
    """

    DENSE_LIMIT = 1 << 27

    def __init__(self) -> None:
        self.names: list[str] = []
        self._code_of: dict[str, int] = {}
        self._dense = np.full(0, -1, dtype=np.int8)
        self._sparse: dict[int, int] = {}

    def __len__(self) -> int:
        return int(np.count_nonzero(self._dense >= 0)) + len(self._sparse)

    def set(self, passage_id: int, label: str | None) -> None:
        code = -1 if label is None else self._code_of.setdefault(label, len(self._code_of))
        if code >= 0 and code == len(self.names):
            self.names.append(label)  # type: ignore[arg-type]
        if 0 <= passage_id < self.DENSE_LIMIT:
            if passage_id >= len(self._dense):
                if code < 0:
                    return
                grown = np.full(max(passage_id + 1, 2 * len(self._dense), 1024), -1, dtype=np.int8)
                grown[: len(self._dense)] = self._dense
                self._dense = grown
            self._dense[passage_id] = code
        elif code >= 0:
            self._sparse[passage_id] = code
        else:
            self._sparse.pop(passage_id, None)

    def get(self, passage_id: int) -> str | None:
        if 0 <= passage_id < len(self._dense):
            code = int(self._dense[passage_id])
        else:
            code = self._sparse.get(passage_id, -1)
        return self.names[code] if code >= 0 else None

    def items(self) -> dict[int, str]:
        dense = np.flatnonzero(self._dense >= 0)
        found = {int(pid): self.names[int(self._dense[pid])] for pid in dense}
        return found | {pid: self.names[code] for pid, code in self._sparse.items()}

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def load(self, pairs: np.ndarray, names: list[str]) -> None:
        """Replace every label with (passage id, index into names) pairs."""
        self.clear()
        self.names = list(names)
        self._code_of = {name: i for i, name in enumerate(self.names)}
        pids, codes = pairs[:, 0], pairs[:, 1].astype(np.int8)
        dense = (pids >= 0) & (pids < self.DENSE_LIMIT)
        if dense.any():
            self._dense = np.full(int(pids[dense].max()) + 1, -1, dtype=np.int8)
            self._dense[pids[dense]] = codes[dense]
        self._sparse = dict(zip(pids[~dense].tolist(), codes[~dense].tolist()))


class Catalog:
    """Lawyer facts, boolean masks for the hard rules, and the passage vectors, kept in step."""

    def __init__(self, encoder: Encoder, vector_cache: VectorCache | None = None) -> None:
        self.encoder = encoder
        # `is not None`: an empty cache is falsy (it has a length) and must still be the one used
        self.vector_cache = vector_cache if vector_cache is not None else VectorCache(f"{encoder.name}@{encoder.version}", encoder.dim, max_items=50_000)
        # Set for bulk work (rebuild, large imports): encoder processes to spread encoding over cores.
        self.encode_processes = 1
        self.index = PassageIndex(encoder.dim, encoder.name, encoder.version)
        self.lawyers: dict[int, LawyerFacts] = {}
        self.labels = PassageLabels()
        self._intern = _Interner()
        # Boolean masks over lawyer ids (index = id), one per (table, code) held by some lawyer; the
        # engine combines them with numpy (a 10^5-member set intersection costs milliseconds, a mask
        # AND microseconds). They are the only per-code membership kept: a million lawyers in
        # Python sets would cost hundreds of megabytes.
        self._capacity = 0
        self._masks: dict[tuple[str, str], np.ndarray] = {}
        # scoring's credentials component of each lawyer, by id (it depends on the lawyer only)
        self.credentials = np.zeros(0)
        self.position = 0  # the last change-feed id applied
        self.gaps: dict[int, float] = {}  # feed ids skipped over (not yet visible), and since when
        self.loaded = False
        # Where cards and evidence of the results shown are read (set on rebuild, load or follow).
        self.factory: sessionmaker[Session] | None = None
        # The database this catalog was read from (models.meta), recorded in its snapshots.
        self.database_id: str | None = None
        self._lock = threading.RLock()
        self._follow_lock = threading.Lock()

    # ---- reads -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.lawyers)

    def describe(self, evidence: dict[int, int | None], session: Session | None = None) -> dict[int, Row]:  # type: ignore[type-arg]
        """Lawyer id -> the card row (repositories.lawyers.cards) of lawyers still matchable:
        what a result shows. ``evidence``: lawyer id -> the passage id shown as evidence, or None.

        In the caller's session when it has one (on SQLite a second one would wait for its lock).
        """
        if session is not None:
            return self._matchable_cards(lawyer_repo.cards(session.connection(), evidence))
        if self.factory is None:
            raise RuntimeError("catalog has no database to describe results from (rebuild, load or follow first)")
        engine = self.factory.kw["bind"]
        if engine.dialect.name == "postgresql":
            # one statement, no transaction: saves the BEGIN and ROLLBACK round trips of a session
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                return self._matchable_cards(lawyer_repo.cards(connection, evidence))
        with self.factory() as own:  # SQLite: through a session, which takes the lock its way
            return self.describe(evidence, own)

    @staticmethod
    def _matchable_cards(cards: dict[int, Row]) -> dict[int, Row]:  # type: ignore[type-arg]
        return {i: card for i, card in cards.items() if is_matchable(card)}

    # ---- masks (callers hold the catalog lock; the arrays are shared: combine, never modify) ----

    def mask(self, table: str, code: str) -> np.ndarray:
        """Lawyers holding this code ("country", "region", "language", "practice"; "*" for every lawyer)."""
        found = self._masks.get((table, code))
        if found is None:
            return np.zeros(self._capacity, dtype=bool)
        return found

    def matchable_mask(self) -> np.ndarray:
        return self.mask("*", "*")

    def any_mask(self, table: str, codes: Iterable[str]) -> np.ndarray:
        found = np.zeros(self._capacity, dtype=bool)
        for code in codes:
            mask = self._masks.get((table, code))
            if mask is not None:
                found |= mask
        return found

    def region_mask(self, countries: Iterable[str]) -> np.ndarray:
        return self.any_mask("region", {r for r in (taxonomy.region_of(c) for c in countries) if r})

    def members(self, table: str, code: str) -> set[int]:
        return set(np.flatnonzero(self.mask(table, code)).tolist())

    def _keys_of(self, facts: LawyerFacts) -> list[tuple[str, str]]:
        keys = [("*", "*")]
        countries = facts.countries
        keys += [("country", code) for code in countries]
        keys += [("region", region) for region in {taxonomy.region_of(code) for code in countries} if region]
        keys += [("language", code) for code in facts.languages]
        keys += [("practice", code) for code in facts.practice_areas]
        if facts.declared_practice:
            keys.append(("declared", "practice"))  # practice areas as declared, not read from the bio
        return keys

    def _set_bits(self, keys: Iterable[tuple[str, str]], lawyer_ids: int | np.ndarray, value: bool) -> None:
        for key in keys:
            mask = self._masks.get(key)
            if mask is None:
                if not value:
                    continue
                mask = self._masks[key] = np.zeros(self._capacity, dtype=bool)
            mask[lawyer_ids] = value

    def _reserve(self, lawyer_id: int) -> None:
        if lawyer_id < self._capacity:
            return
        capacity = max(lawyer_id + 1, 2 * self._capacity, 1024)
        for key, old in self._masks.items():
            grown = np.zeros(capacity, dtype=bool)
            grown[: len(old)] = old
            self._masks[key] = grown
        credentials = np.zeros(capacity)
        credentials[: len(self.credentials)] = self.credentials
        self.credentials = credentials
        self._capacity = capacity

    # ---- writes ------------------------------------------------------------------------

    def _unlink(self, lawyer_id: int) -> None:
        facts = self.lawyers.pop(lawyer_id, None)
        if facts is None:
            return
        for pid in self.index.passage_ids(lawyer_id):
            self.labels.set(pid, None)
        self._set_bits(self._keys_of(facts), lawyer_id, False)

    def _link(self, facts: LawyerFacts, labels: dict[int, str | None]) -> None:
        self.lawyers[facts.id] = facts
        for pid, label in labels.items():
            self.labels.set(pid, label)
        self._reserve(facts.id)
        self._set_bits(self._keys_of(facts), facts.id, True)
        self.credentials[facts.id] = scoring.credentials_score(facts.years_of_practice, facts.talent_pools)

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

    def _read(self, rows: Sequence[Lawyer]) -> list[tuple[LawyerFacts, dict[int, str | None], list[str]]]:
        """Facts, passage labels and passage texts (in passage-id order of the labels) of the matchable rows."""
        return [(*read_profile(row, self._intern), [p.text for p in row.passages]) for row in rows if is_matchable(row)]

    def apply(self, rows: Sequence[Lawyer], removed: Iterable[int] = (), *, vectors_known: bool = False) -> None:
        """Bring the given lawyers (loaded with passages) and removals into the catalog and index."""
        readings = self._read(rows)
        texts = [text for _, _, passage_texts in readings for text in passage_texts]
        vectors = None if vectors_known else self.encode_passages(texts)
        self._commit(rows, readings, vectors, removed)

    def _commit(
        self,
        rows: Sequence[Lawyer],
        readings: list[tuple[LawyerFacts, dict[int, str | None], list[str]]],
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
            for facts, labels, _ in readings:
                self._link(facts, labels)
                if vectors is not None:
                    count = len(labels)
                    self.index.replace_owner(facts.id, list(labels), vectors[offset : offset + count])
                    offset += count

    def _clear(self, index: PassageIndex | None = None) -> None:
        """Start empty, with this index (a loaded snapshot's) or a new one."""
        with self._lock:
            self.index = index if index is not None else PassageIndex(self.encoder.dim, self.encoder.name, self.encoder.version)
            self._clear_facts()

    def _clear_facts(self) -> None:
        with self._lock:
            self.lawyers.clear()
            self.labels.clear()
            self._masks.clear()
            self._capacity = 0
            self.credentials = np.zeros(0)
            self._intern = _Interner()

    # ---- facts snapshot --------------------------------------------------------------------

    def export_facts(self) -> dict[str, np.ndarray]:
        """The facts and passage labels as arrays (distinct values once, as JSON), for a snapshot:
        a starting worker reads them instead of re-reading every profile (20 minutes at 10^6)."""
        with self._lock:
            numbers: dict[object, int] = {}
            values: list[object] = []

            def number(value: object, as_json: object) -> int:
                key = (type(value).__name__, value if not isinstance(value, dict) else frozenset(value.items()))
                found = numbers.get(key)
                if found is None:
                    found = numbers[key] = len(values)
                    values.append(as_json)
                return found

            rows = np.array(
                [
                    (
                        f.id,
                        f.years_of_practice,
                        number(f.firm_key, f.firm_key),
                        number(f.talent_pools, list(f.talent_pools)),
                        number(f.languages, sorted(f.languages.items())),
                        number(f.declared_countries, sorted(f.declared_countries)),
                        number(f.office_countries, sorted(f.office_countries)),
                        number(f.read_countries, sorted(f.read_countries)),
                        number(f.declared_practice, sorted(f.declared_practice)),
                        number(f.read_practice, sorted(f.read_practice)),
                    )
                    for f in self.lawyers.values()
                ],
                dtype=np.int64,
            ).reshape(-1, 10)
            labels = self.labels.items()
            label_names = sorted(set(labels.values()))
            code = {name: i for i, name in enumerate(label_names)}
            label_rows = np.array([(pid, code[name]) for pid, name in labels.items()], dtype=np.int64).reshape(-1, 2)
        header = {"reader": reader_fingerprint(), "values": values, "labels": label_names}
        return {"facts": rows, "labels": label_rows, "header": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)}

    def _import_saved_facts(self, facts: dict[str, np.ndarray] | None, saved_at: str | None) -> bool:
        """Take the snapshot's facts, then drop whoever's verification lapsed since it was saved
        (the facts judged matchability as of then)."""
        if facts is None or saved_at is None:
            return False
        try:
            if not self.import_facts(facts):
                return False
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            log.warning("saved facts not used: %s: %s", type(exc).__name__, exc)
            return False
        assert self.factory is not None
        self.drop_lapsed(self.factory, datetime.fromisoformat(saved_at), utcnow())
        return True

    def drop_lapsed(self, factory: sessionmaker[Session], since: datetime, until: datetime) -> int:
        """Re-read lawyers whose verification ran out in (since, until]; is_matchable drops them."""
        with factory() as session:
            rows = lawyer_repo.lapsing(session, since, until)
            if rows:
                self.apply(rows)
        return len(rows)

    def import_facts(self, arrays: dict[str, np.ndarray]) -> bool:
        """Load facts saved by export_facts (the index already loaded); False if they were read by
        other reading code, so the caller reads the profiles again."""
        header = json.loads(bytes(arrays["header"]).decode())
        if header.get("reader") != reader_fingerprint():
            return False
        intern = _Interner()
        raw = header["values"]
        kinds: dict[int, object] = {}

        def value(i: int, kind: str) -> object:
            found = kinds.get(i)
            if found is None:
                item = raw[i]
                if kind == "set":
                    found = intern(frozenset(item))
                elif kind == "tuple":
                    found = intern(tuple(item))
                elif kind == "languages":
                    found = intern.languages((c, lvl) for c, lvl in item)
                else:
                    found = intern(item)
                kinds[i] = found
            return found

        groups: dict[tuple[int, ...], list[int]] = {}
        with self._lock:
            self._clear_facts()
            self._intern = intern
            for lawyer_id, years, firm, pools, langs, dc, oc, rc, dp, rp in arrays["facts"].tolist():
                self.lawyers[lawyer_id] = LawyerFacts(
                    id=lawyer_id,
                    firm_key=value(firm, "str"),  # type: ignore[arg-type]
                    years_of_practice=years,
                    talent_pools=value(pools, "tuple"),  # type: ignore[arg-type]
                    languages=value(langs, "languages"),  # type: ignore[arg-type]
                    declared_countries=value(dc, "set"),  # type: ignore[arg-type]
                    office_countries=value(oc, "set"),  # type: ignore[arg-type]
                    read_countries=value(rc, "set"),  # type: ignore[arg-type]
                    declared_practice=value(dp, "set"),  # type: ignore[arg-type]
                    read_practice=value(rp, "set"),  # type: ignore[arg-type]
                )
                groups.setdefault((langs, dc, oc, rc, dp, rp), []).append(lawyer_id)
            if self.lawyers:
                self._reserve(max(self.lawyers))
            # lawyers with the same sets share their mask keys: one numpy assignment per group
            credentials: dict[tuple[int, int], float] = {}
            for ids in groups.values():
                self._set_bits(self._keys_of(self.lawyers[ids[0]]), np.asarray(ids, dtype=np.int64), True)
            for facts in self.lawyers.values():
                key = (facts.years_of_practice, id(facts.talent_pools))
                if key not in credentials:
                    credentials[key] = scoring.credentials_score(facts.years_of_practice, facts.talent_pools)
                self.credentials[facts.id] = credentials[key]
            self.labels.load(arrays["labels"], header["labels"])
        return True

    # ---- synchronisation with the database -------------------------------------------------

    def rebuild(self, factory: sessionmaker[Session], progress: Callable[[int, int], None] | None = None) -> None:
        """Read every lawyer and encode every passage again (distinct texts once, over the encoder pool)."""
        with factory() as session:
            database_id = meta_repo.database_id(session)
            position = change_feed.latest(session)
            gaps = self._invisible_ids(session, position)
            ids = lawyer_repo.all_ids(session)
        self.factory = factory
        self.database_id = database_id
        self._clear()
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
                    texts = [mask_places(text) for _, _, passage_texts in readings for text in passage_texts]
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
        self.factory = factory
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
            self.index.save(
                directory,
                extra={
                    "database_id": self.database_id,
                    "position": self.position,
                    "gaps": sorted(self.gaps),
                    "saved_at": utcnow().isoformat(),
                },
                attachments={"facts": self.export_facts()},
            )
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

    def load_or_rebuild(
        self, factory: sessionmaker[Session], directory: Path, progress: Callable[[int, int], None] | None = None
    ) -> str:
        """Load the snapshot if it fits this encoder and is intact, else rebuild; then catch up."""
        loaded = PassageIndex.load(directory, self.encoder.name, self.encoder.version, self.encoder.dim)
        if loaded is None:
            self.rebuild(factory, progress)
            self.save_if_possible(directory)
            return "rebuilt"
        index, manifest = loaded
        extra = manifest.get("extra") or {}
        position = int(extra.get("position", manifest.get("position", 0)))
        with factory() as session:
            database_id = meta_repo.database_id(session)
            if extra.get("database_id") != database_id:
                why = "of another database" if extra.get("database_id") else "older than database ids (migration 0003)"
                log.info("index snapshot in %s is %s; rebuilding", directory, why)
                loaded = None
            elif position > (latest := change_feed.latest(session)):
                log.info("index snapshot in %s is ahead of the database (restored from a backup?); rebuilding", directory)
                loaded = None
            elif latest - position > max(REBUILD_BATCH, index.owner_count):
                # e.g. a bulk import over a small snapshot: replaying the feed encodes in this
                # process alone, a rebuild over the encoder pool (known texts from the vector cache)
                log.info("%d changes since the snapshot in %s, more than it holds; rebuilding", latest - position, directory)
                loaded = None
        if loaded is None:
            self.rebuild(factory, progress)
            self.save_if_possible(directory)
            return "rebuilt"
        self.factory = factory
        self.database_id = database_id
        self._clear(index)
        facts = (manifest.get("attachments") or {}).get("facts")
        how = "loaded"
        if not self._import_saved_facts(facts, extra.get("saved_at")):
            # facts read by other code (or none saved): read every profile again, vectors as saved
            how = "loaded, profiles read again"
            self._clear_facts()  # whatever a failed import left
            with factory() as session:
                ids = lawyer_repo.all_ids(session)
                for start in range(0, len(ids), 2000):
                    rows = lawyer_repo.load_many(session, ids[start : start + 2000])
                    self.apply(rows, vectors_known=True)
        now = time.monotonic()
        self.position = position
        self.gaps = dict.fromkeys((int(g) for g in extra.get("gaps", ())), now)
        self.loaded = True
        if self.follow(factory) or how != "loaded":
            self.save_if_possible(directory)
        return how
