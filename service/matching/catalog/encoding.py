"""Encoding passages: each distinct text once, remembered across runs, spread over processes in bulk."""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import numpy as np

from embeddings.encoder import Encoder, load_encoder

log = logging.getLogger(__name__)

ENCODE_BATCH = 256
# Below this many texts to encode, a process pool costs more than it saves.
POOL_MIN_TEXTS = 512


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


# How often a pool worker checks that the process that started it is still there.
PARENT_CHECK_SECONDS = 0.5


def _die_with_parent(parent: int) -> None:
    """Exit as soon as the parent is gone, even killed by SIGKILL (which runs no clean-up): an
    orphaned worker would live on holding its encoder (~220 MB), and with it the resource tracker.
    Polling, not prctl(PR_SET_PDEATHSIG): that signal follows the parent *thread* that spawned
    the worker, and the pool spawns from whichever thread submits first."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _pool_init(spec: str, parent: int) -> None:
    global _pool_encoder
    _die_with_parent(parent)
    _pool_encoder = load_encoder(spec, threads=1)


def _pool_encode(texts: list[str]) -> np.ndarray:
    assert _pool_encoder is not None
    return _pool_encoder.encode_documents(texts)


class EncoderPool:
    """Encoder processes (one BLAS thread each) for bulk encoding; the service scales with processes."""

    def __init__(self, spec: str, processes: int) -> None:
        self.processes = processes
        # spawn: the parent holds threads (and maybe FAISS/OpenMP state) that fork would copy badly
        self._executor = ProcessPoolExecutor(
            processes, mp_context=multiprocessing.get_context("spawn"), initializer=_pool_init, initargs=(spec, os.getpid())
        )

    def submit(self, texts: Sequence[str]) -> list[Future[np.ndarray]]:
        size = max(64, -(-len(texts) // (2 * self.processes)))
        return [self._executor.submit(_pool_encode, list(texts[i : i + size])) for i in range(0, len(texts), size)]

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def default_encode_processes() -> int:
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))


class PassageEncoder:
    """Document vectors of texts, each distinct text encoded once and remembered in the cache."""

    def __init__(self, encoder: Encoder, cache: VectorCache) -> None:
        self.encoder = encoder
        self.cache = cache

    def encode(self, texts: Sequence[str], pool: EncoderPool | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        distinct = list(dict.fromkeys(texts))
        known, missing = self.cache.lookup(distinct)
        if missing:
            todo = [distinct[i] for i in missing]
            if pool is not None and len(todo) >= POOL_MIN_TEXTS:
                fresh = np.concatenate([f.result() for f in pool.submit(todo)])
            else:
                fresh = np.concatenate(
                    [self.encoder.encode_documents(todo[i : i + ENCODE_BATCH]) for i in range(0, len(todo), ENCODE_BATCH)]
                )
            known[missing] = fresh
            self.cache.store(todo, fresh)
        row_of = {text: i for i, text in enumerate(distinct)}
        return known[[row_of[t] for t in texts]]

    def start(self, texts: Sequence[str], pool: EncoderPool | None) -> list[Future[np.ndarray]] | None:
        """Send the distinct texts the cache lacks to the pool, when there are enough to be worth it;
        ``finish`` stores what comes back. Lets a rebuild read its next batch while this one encodes."""
        distinct = list(dict.fromkeys(texts))
        _, missing = self.cache.lookup(distinct)
        if pool is None or len(missing) < POOL_MIN_TEXTS:
            return None
        return pool.submit([distinct[i] for i in missing])

    def finish(self, texts: Sequence[str], futures: list[Future[np.ndarray]] | None) -> np.ndarray:
        if futures is not None:
            distinct = list(dict.fromkeys(texts))
            _, missing = self.cache.lookup(distinct)
            self.cache.store([distinct[i] for i in missing], np.concatenate([f.result() for f in futures]))
        return self.encode(texts)

    def save_cache(self) -> None:
        try:
            self.cache.save()
        except OSError:  # another process saving the same cache folder: ours is only a speed-up
            log.warning("vector cache not saved", exc_info=True)
