"""The FAISS index of profile passages, keyed by database ids, with an owner per passage.

Passage ids are the database's; the owner of a passage is the lawyer it describes. Searches
answer per owner (a lawyer's best passage), pre-filtered to the owners that passed the hard
rules. The index is derived data: a snapshot that cannot be trusted is refused on load and
the caller rebuilds from the database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from threading import RLock
from typing import Any

import faiss
import numpy as np

logger = logging.getLogger(__name__)

# Two OpenMP threads made a single exact query 2x slower on a 2-core machine; we scale with
# processes instead.
faiss.omp_set_num_threads(1)

FORMAT_VERSION = 2
INDEX_FILE = "vectors.npy"  # (rows, dim) float32: one row per distinct passage vector
IDS_FILE = "owners.npy"  # (n, 3) int64: passage id, owner id, vector row
MANIFEST_FILE = "manifest.json"
# Owner-id filters become a dense boolean mask while owner ids stay below this; beyond, the
# allowed owners' passages are gathered one owner at a time (exact, slower).
_MASK_MAX_ID = 1 << 26
# Below this many allowed owners, their passages are scored directly; above, every distinct
# vector is scored once and the result is gathered per passage.
_GATHER_OWNERS = 2_000
# An unfinished snapshot folder (a crashed save) is removed after this long; another process
# may still be writing a younger one.
_STALE_SNAPSHOT_SECONDS = 3600.0
# Row-score vectors kept for repeated searches of one query (see PassageIndex._row_scores).
_SCORE_CACHE = 8


@dataclass(frozen=True, slots=True)
class OwnerHit:
    owner_id: int
    score: float
    passage_id: int


class PassageIndex:
    """Passage vectors (L2-normalised float32, inner product) grouped by owner.

    Identical vectors (boilerplate sentences shared by many profiles; the catalog encodes each
    distinct text once) are stored once and reference-counted, so memory and search time follow
    the number of distinct passages, not of passages. Search is exact: every distinct vector
    is scored with one matrix-vector product, then passages are gathered per owner; this stays
    a few milliseconds up to ~10^5 distinct vectors (see benchmarks/README.md).

    All public methods take one re-entrant lock, so a background change-feed update and
    request-time searches may run on different threads.
    """

    def __init__(self, dim: int, encoder_name: str, encoder_version: str) -> None:
        self.dim = int(dim)
        self.encoder_name = encoder_name
        self.encoder_version = encoder_version
        # distinct vectors
        self._vectors = np.zeros((0, self.dim), dtype=np.float32)
        self._row_refs = np.zeros(0, dtype=np.int64)
        self._row_key: dict[bytes, int] = {}
        self._key_of_row: dict[int, bytes] = {}
        self._rows_used = 0
        self._free_rows: list[int] = []
        # passages ("slots"): parallel arrays, a free list for reuse
        self._slot_pid = np.zeros(0, dtype=np.int64)
        self._slot_owner = np.zeros(0, dtype=np.int64)
        self._slot_row = np.zeros(0, dtype=np.int64)
        self._slot_alive = np.zeros(0, dtype=bool)
        self._slots_used = 0
        self._free_slots: list[int] = []
        self._slot_of: dict[int, int] = {}  # passage id -> slot
        self._slots_of: dict[int, np.ndarray] = {}  # owner -> slots, in the order given
        self._max_owner = -1
        self._lock = RLock()
        # A match scores the same query against every distinct vector up to three times (practice
        # neighbours, the eligible shortlist, the field-match shortlist); the last few results are
        # kept, keyed by the query bytes, and dropped on any change to the index.
        self._score_cache: dict[bytes, np.ndarray] = {}

    # -- storage ------------------------------------------------------------------------------

    @staticmethod
    def _grow(array: np.ndarray, need: int) -> np.ndarray:
        if need <= len(array):
            return array
        size = max(need, 2 * len(array), 1024)
        shape = (size,) + array.shape[1:]
        grown = np.zeros(shape, dtype=array.dtype)
        grown[: len(array)] = array
        return grown

    def _take_rows(self, vectors: np.ndarray) -> np.ndarray:
        rows = np.empty(len(vectors), dtype=np.int64)
        for i, vector in enumerate(vectors):
            key = hashlib.blake2b(vector.tobytes(), digest_size=16).digest()
            row = self._row_key.get(key)
            if row is None:
                if self._free_rows:
                    row = self._free_rows.pop()
                else:
                    row = self._rows_used
                    self._rows_used += 1
                    self._vectors = self._grow(self._vectors, self._rows_used)
                    self._row_refs = self._grow(self._row_refs, self._rows_used)
                self._vectors[row] = vector
                self._row_key[key] = row
                self._key_of_row[row] = key
            self._row_refs[row] += 1
            rows[i] = row
        return rows

    def _release_rows(self, rows: np.ndarray) -> None:
        for row in rows.tolist():
            self._row_refs[row] -= 1
            if self._row_refs[row] == 0:
                del self._row_key[self._key_of_row.pop(row)]
                self._vectors[row] = 0.0
                self._free_rows.append(row)

    def _take_slots(self, count: int) -> np.ndarray:
        reused = [self._free_slots.pop() for _ in range(min(count, len(self._free_slots)))]
        fresh = count - len(reused)
        start = self._slots_used
        self._slots_used += fresh
        for name in ("_slot_pid", "_slot_owner", "_slot_row", "_slot_alive"):
            setattr(self, name, self._grow(getattr(self, name), self._slots_used))
        return np.concatenate([np.asarray(reused, dtype=np.int64), np.arange(start, start + fresh)])

    # -- updates ----------------------------------------------------------------------------

    def replace_owner(
        self, owner_id: int, passage_ids: Sequence[int] | np.ndarray, vectors: np.ndarray
    ) -> None:
        """Make these the owner's passages, dropping whatever the owner had before."""
        owner_id = int(owner_id)
        ids = np.asarray(passage_ids, dtype=np.int64).reshape(-1)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} passage ids but {len(vectors)} vectors")
        if len(np.unique(ids)) != len(ids):
            raise ValueError("duplicate passage ids")
        with self._lock:
            self._score_cache.clear()
            for pid in ids.tolist():
                slot = self._slot_of.get(pid)
                if slot is not None and int(self._slot_owner[slot]) != owner_id:
                    raise ValueError(
                        f"passage {pid} belongs to owner {int(self._slot_owner[slot])}, not {owner_id}"
                    )
            self.remove_owner(owner_id)
            if len(ids) == 0:
                return
            rows = self._take_rows(vectors)
            slots = self._take_slots(len(ids))
            self._slot_pid[slots] = ids
            self._slot_owner[slots] = owner_id
            self._slot_row[slots] = rows
            self._slot_alive[slots] = True
            self._slots_of[owner_id] = slots
            self._slot_of.update(zip(ids.tolist(), slots.tolist()))
            self._max_owner = max(self._max_owner, owner_id)

    def remove_owner(self, owner_id: int) -> None:
        with self._lock:
            slots = self._slots_of.pop(int(owner_id), None)
            if slots is None:
                return
            self._score_cache.clear()
            for pid in self._slot_pid[slots].tolist():
                del self._slot_of[pid]
            self._release_rows(self._slot_row[slots])
            self._slot_alive[slots] = False
            self._slot_owner[slots] = -1
            self._free_slots.extend(slots.tolist())

    # -- inspection -------------------------------------------------------------------------

    def owners(self) -> set[int]:
        with self._lock:
            return set(self._slots_of)

    @property
    def owner_count(self) -> int:
        return len(self._slots_of)

    @property
    def distinct_vectors(self) -> int:
        return len(self._row_key)

    def __len__(self) -> int:
        return len(self._slot_of)

    def passage_ids(self, owner_id: int) -> list[int]:
        with self._lock:
            slots = self._slots_of.get(int(owner_id))
            return [] if slots is None else self._slot_pid[slots].tolist()

    def memory_bytes(self) -> int:
        """Array storage (vectors and passage arrays), not counting the Python dicts."""
        arrays = (self._vectors, self._row_refs, self._slot_pid, self._slot_owner, self._slot_row)
        return int(sum(a.nbytes for a in arrays))

    # -- search -----------------------------------------------------------------------------

    def best_by_owner(
        self,
        query: np.ndarray,
        k: int,
        allowed_owners: Collection[int] | np.ndarray | None = None,
    ) -> list[OwnerHit]:
        """The k owners whose best passage is nearest the query, one hit each.

        ``allowed_owners``: owner ids, or a boolean mask indexed by owner id (ids past its end
        are not allowed). Returns exactly min(k, allowed owners present) hits, best first, ties by
        owner id (and an owner's equal passages by passage id). Exact: for few allowed owners
        their passages are scored; otherwise every distinct vector is scored once and only the
        passages of the best-scoring vectors are gathered, widening until k owners are found.
        """
        query = self._as_query(query)
        if int(k) <= 0:
            return []
        with self._lock:
            mask, ids = self._allowed(allowed_owners)
            if ids is not None:
                slots = self._owner_slots(ids)
                return self._top_owners(slots, self._slot_scores(query, slots), int(k))
            return self._top_by_rows(query, int(k), mask)

    def nearest(self, query: np.ndarray, k: int) -> list[tuple[int, int, float]]:
        """The k nearest passages of any owner, as (passage_id, owner_id, score), best first."""
        query = self._as_query(query)
        with self._lock:
            if not self._slot_of or k <= 0:
                return []
            row_scores = self._row_scores(query)
            # every used row has a live passage, so the top k rows hold the top k passages
            slots = self._slots_of_rows(row_scores, min(int(k), self.distinct_vectors))
            scores = row_scores[self._slot_row[slots]]
            k = min(int(k), len(slots))
            top = np.argpartition(-scores, k - 1)[:k] if k < len(slots) else np.arange(len(slots))
            pids = self._slot_pid[slots[top]]
            order = np.lexsort((pids, -scores[top]))
            top = top[order]
            return [
                (int(pid), int(owner), float(score))
                for pid, owner, score in zip(
                    self._slot_pid[slots[top]].tolist(),
                    self._slot_owner[slots[top]].tolist(),
                    scores[top].tolist(),
                )
            ]

    def scores_for_owners(self, query: np.ndarray, owners: Collection[int]) -> dict[int, OwnerHit]:
        """The best passage of each listed owner present in the index, scored exactly."""
        query = self._as_query(query)
        with self._lock:
            slots = self._owner_slots(owners)
            if len(slots) == 0:
                return {}
            scores = self._slot_scores(query, slots)
            pids = self._slot_pid[slots]
            owner_ids = self._slot_owner[slots]
        order = np.lexsort((pids, -scores, owner_ids))
        owner_sorted = owner_ids[order]
        first = np.flatnonzero(np.r_[True, owner_sorted[1:] != owner_sorted[:-1]])
        chosen = order[first]
        return {
            owner: OwnerHit(owner, score, pid)
            for owner, score, pid in zip(
                owner_ids[chosen].tolist(), scores[chosen].tolist(), pids[chosen].tolist()
            )
        }

    def _as_query(self, query: np.ndarray) -> np.ndarray:
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if query.shape[1] != self.dim:
            raise ValueError(f"query has dimension {query.shape[1]}, index has {self.dim}")
        return query

    def _owner_slots(self, owners: Iterable[int]) -> np.ndarray:
        arrays = [a for a in (self._slots_of.get(int(o)) for o in set(owners)) if a is not None]
        return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)

    def _allowed(
        self, allowed: Collection[int] | np.ndarray | None
    ) -> tuple[np.ndarray | None, Collection[int] | None]:
        """(owner mask, None) for broad filters and no filter (mask None); (None, ids) for few owners."""
        if allowed is None:
            return None, None
        if isinstance(allowed, np.ndarray) and allowed.dtype == bool:
            count = int(np.count_nonzero(allowed))
            if count <= _GATHER_OWNERS:
                return None, np.flatnonzero(allowed).tolist()
            return self._fit_mask(allowed), None
        if len(allowed) <= _GATHER_OWNERS or self._max_owner >= _MASK_MAX_ID:
            return None, allowed
        return self._owner_mask_of(allowed), None

    def _fit_mask(self, mask: np.ndarray) -> np.ndarray:
        """The mask sized to index every owner, plus an always-False last cell for dead slots (-1)."""
        size = self._max_owner + 2
        if len(mask) >= size:
            fitted = mask[:size].copy()
        else:
            fitted = np.zeros(size, dtype=bool)
            fitted[: len(mask)] = mask
        fitted[-1] = False
        return fitted

    def _owner_mask_of(self, allowed: Collection[int]) -> np.ndarray:
        wanted = np.fromiter((int(o) for o in allowed), dtype=np.int64, count=len(allowed))
        wanted = wanted[(wanted >= 0) & (wanted <= self._max_owner)]
        mask = np.zeros(self._max_owner + 2, dtype=bool)
        mask[wanted] = True
        return mask

    def _slot_scores(self, query: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """Scores of these passages: from the query's row scores when already computed, else each
        distinct vector among them scored once."""
        rows = self._slot_row[slots]
        cached = self._score_cache.get(query.tobytes())
        if cached is not None:
            return cached[rows]
        unique, inverse = np.unique(rows, return_inverse=True)
        return (self._vectors[unique] @ query[0])[inverse]

    def _row_scores(self, query: np.ndarray) -> np.ndarray:
        """The query's score against every distinct vector; unused rows score -inf. Read-only."""
        key = query.tobytes()
        scores = self._score_cache.get(key)
        if scores is not None:
            return scores
        scores = self._vectors[: self._rows_used] @ query[0]
        if self._free_rows:
            scores[self._row_refs[: self._rows_used] == 0] = -np.inf
        if len(self._score_cache) >= _SCORE_CACHE:
            del self._score_cache[next(iter(self._score_cache))]
        self._score_cache[key] = scores
        return scores

    def _slots_of_rows(self, row_scores: np.ndarray, rows: int) -> np.ndarray:
        """Live slots whose vector is among the ``rows`` best-scoring rows (ties at the cut included)."""
        n = self._slots_used
        total = len(row_scores)
        if rows < total:
            threshold = np.partition(row_scores, total - rows)[total - rows]
            hot = row_scores >= threshold
            slots = np.flatnonzero(hot[self._slot_row[:n]])
            return slots[self._slot_alive[slots]]
        return np.flatnonzero(self._slot_alive[:n])

    def _top_by_rows(self, query: np.ndarray, k: int, mask: np.ndarray | None) -> list[OwnerHit]:
        """Exact top owners, gathering passages of the best rows first and widening as needed.

        The owners found among the passages scoring at least the cut are the true top k as soon
        as there are k of them: every other owner's passages all score below the cut.
        """
        if not self._slots_of:
            return []
        row_scores = self._row_scores(query)
        total_rows = len(row_scores)
        share = 1.0
        if mask is not None:
            allowed = int(np.count_nonzero(mask))
            if allowed == 0:
                return []
            share = allowed / max(1, len(self._slots_of))
        rows = min(total_rows, int(max(4 * k, 256) / max(share, 1e-6)))
        while True:
            slots = self._slots_of_rows(row_scores, rows)
            if mask is not None:
                slots = slots[mask[self._slot_owner[slots]]]
            hits = self._top_owners(slots, row_scores[self._slot_row[slots]], k)
            if len(hits) >= k or rows >= total_rows:
                return hits
            rows = min(total_rows, rows * 4)

    def _top_owners(self, slots: np.ndarray, scores: np.ndarray, k: int) -> list[OwnerHit]:
        """Best passage per owner, top k owners; widens the window until it is exact."""
        total = len(slots)
        if total == 0:
            return []
        window = min(total, max(8 * k, 64))
        while True:
            if window < total:
                threshold = np.partition(scores, total - window)[total - window]
                # every passage scoring at least the threshold, ties included
                picked = np.flatnonzero(scores >= threshold)
            else:
                picked = np.arange(total)
            chosen = slots[picked]
            owners = self._slot_owner[chosen]
            order = np.lexsort((self._slot_pid[chosen], owners, -scores[picked]))
            _, first = np.unique(owners[order], return_index=True)
            if len(first) >= k or window >= total:
                best = order[np.sort(first)[:k]]
                return [
                    OwnerHit(owner, score, pid)
                    for owner, score, pid in zip(
                        owners[best].tolist(),
                        scores[picked][best].tolist(),
                        self._slot_pid[chosen][best].tolist(),
                    )
                ]
            window = min(total, window * 4)

    def _export(self) -> tuple[np.ndarray, np.ndarray]:
        """Compact copies: the used vector rows and (passage, owner, row) triples."""
        slots = np.flatnonzero(self._slot_alive[: self._slots_used])
        rows = self._slot_row[slots]
        used, remapped = np.unique(rows, return_inverse=True)
        triples = np.stack(
            [self._slot_pid[slots], self._slot_owner[slots], remapped.astype(np.int64)], axis=1
        )
        return np.ascontiguousarray(self._vectors[used]), triples

    def _import(self, vectors: np.ndarray, triples: np.ndarray) -> None:
        self._score_cache.clear()
        n = len(triples)
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._rows_used = len(vectors)
        self._row_refs = np.bincount(triples[:, 2], minlength=len(vectors)).astype(np.int64)
        for row in range(len(vectors)):
            key = hashlib.blake2b(self._vectors[row].tobytes(), digest_size=16).digest()
            self._row_key[key] = row
            self._key_of_row[row] = key
        self._slot_pid = triples[:, 0].copy()
        self._slot_owner = triples[:, 1].copy()
        self._slot_row = triples[:, 2].copy()
        self._slot_alive = np.ones(n, dtype=bool)
        self._slots_used = n
        self._slot_of = dict(zip(self._slot_pid.tolist(), range(n)))
        order = np.argsort(self._slot_owner, kind="stable")
        owners, starts = np.unique(self._slot_owner[order], return_index=True)
        self._slots_of = dict(zip(owners.tolist(), np.split(order, starts[1:])))
        self._max_owner = int(owners.max()) if len(owners) else -1

    # -- persistence ------------------------------------------------------------------------

    def save(self, directory: Path, extra: dict[str, Any] | None = None) -> None:
        """Write a snapshot, then make it visible in one atomic step.

        ``directory`` is a symlink to a hidden sibling folder holding one complete snapshot;
        a new snapshot is written and fsynced in its own folder and the link is swapped with
        os.replace, so readers see the old snapshot or the new one, never a partial one and
        never none.
        """
        directory = Path(directory)
        parent = directory.parent
        parent.mkdir(parents=True, exist_ok=True)
        snapshot = (
            parent / f".{directory.name}.{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        )
        snapshot.mkdir()
        try:
            with self._lock:
                vectors, triples = self._export()
                manifest: dict[str, Any] = {
                    "format_version": FORMAT_VERSION,
                    "encoder_name": self.encoder_name,
                    "encoder_version": self.encoder_version,
                    "dim": self.dim,
                    "passage_count": len(self._slot_of),
                    "owner_count": len(self._slots_of),
                    "vector_count": len(vectors),
                }
            np.save(snapshot / INDEX_FILE, vectors, allow_pickle=False)
            np.save(snapshot / IDS_FILE, triples, allow_pickle=False)
            manifest |= {
                "created_at": datetime.now(UTC).isoformat(),
                "index_sha256": _sha256(snapshot / INDEX_FILE),
                "ids_sha256": _sha256(snapshot / IDS_FILE),
                "extra": extra or {},
            }
            (snapshot / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True))
            for name in (INDEX_FILE, IDS_FILE, MANIFEST_FILE):
                _fsync(snapshot / name)
            _fsync(snapshot)
            previous = directory.resolve() if directory.is_symlink() else None
            _swap_link(directory, snapshot)
        except BaseException:
            shutil.rmtree(snapshot, ignore_errors=True)
            raise
        _remove_stale_snapshots(directory, keep=snapshot, previous=previous)

    @classmethod
    def load(
        cls, directory: Path, encoder_name: str, encoder_version: str, dim: int
    ) -> tuple[PassageIndex, dict[str, Any]] | None:
        """The saved index and its manifest, or None (logged) when it cannot be used."""
        # Resolve the link once: a save that swaps it meanwhile must not mix two snapshots.
        directory = Path(directory).resolve()
        try:
            manifest = json.loads((directory / MANIFEST_FILE).read_text())
            if not isinstance(manifest, dict):
                raise TypeError("manifest is not an object")
            expected = {
                "format_version": FORMAT_VERSION,
                "encoder_name": encoder_name,
                "encoder_version": encoder_version,
                "dim": int(dim),
            }
            for key, value in expected.items():
                if manifest.get(key) != value:
                    logger.info(
                        "index snapshot %s not used: %s is %r, expected %r",
                        directory,
                        key,
                        manifest.get(key),
                        value,
                    )
                    return None
            for name, key in ((INDEX_FILE, "index_sha256"), (IDS_FILE, "ids_sha256")):
                if _sha256(directory / name) != manifest.get(key):
                    logger.warning(
                        "index snapshot %s not used: %s checksum differs", directory, name
                    )
                    return None
            vectors = np.load(directory / INDEX_FILE, allow_pickle=False)
            triples = np.load(directory / IDS_FILE, allow_pickle=False)
            if (
                vectors.ndim != 2
                or vectors.shape[1] != dim
                or triples.ndim != 2
                or triples.shape[1] != 3
                or len(triples) != manifest.get("passage_count")
                or (len(triples) and not (0 <= triples[:, 2].min() and triples[:, 2].max() < len(vectors)))
            ):
                raise ValueError("index and owner mapping disagree")
            loaded = cls(dim, encoder_name, encoder_version)
            loaded._import(vectors, triples.astype(np.int64, copy=False))
        except FileNotFoundError as exc:
            logger.info("no usable index snapshot at %s: %s", directory, exc)
            return None
        except Exception as exc:  # a damaged snapshot is rebuilt, never fatal
            logger.warning("index snapshot %s not used: %s: %s", directory, type(exc).__name__, exc)
            return None
        return loaded, manifest


def _rank(hit: OwnerHit) -> tuple[float, int]:
    return (-hit.score, hit.owner_id)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap_link(directory: Path, snapshot: Path) -> None:
    if directory.exists() and not directory.is_symlink():
        # A plain folder (from elsewhere) is moved aside once; from then on it is a link.
        directory.rename(directory.with_name(f".{directory.name}.legacy-{uuid.uuid4().hex[:8]}"))
    link = directory.with_name(f".{directory.name}.link-{uuid.uuid4().hex[:8]}")
    link.symlink_to(snapshot.name)  # relative: the pair can be moved together
    os.replace(link, directory)
    _fsync(directory.parent)


def _remove_stale_snapshots(directory: Path, keep: Path, previous: Path | None) -> None:
    """Remove snapshots older than the one just replaced, and long-abandoned partial ones.

    The replaced snapshot itself survives one more save: a reader may still be loading it.
    """
    spared = {keep.resolve()} | ({previous.resolve()} if previous is not None else set())
    cutoff = _mtime(previous / MANIFEST_FILE) if previous is not None else None
    now = time.time()
    for path in directory.parent.glob(f".{directory.name}.*"):
        if path.is_symlink() or not path.is_dir() or path.resolve() in spared:
            continue
        finished = _mtime(path / MANIFEST_FILE)
        if finished is not None:
            stale = cutoff is not None and finished < cutoff
        else:
            stale = (_mtime(path) or now) < now - _STALE_SNAPSHOT_SECONDS
        if stale:
            shutil.rmtree(path, ignore_errors=True)


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
