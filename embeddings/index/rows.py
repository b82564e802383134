"""Distinct vectors ("rows"), stored once however many passages share them."""

from __future__ import annotations

import numpy as np

from embeddings.index.arrays import DICT_ENTRY_BYTES, grown_size, resized

# Rows registered since the sorted hash arrays were built are kept in a dict up to this many.
_RECENT_HASHES = 65_536


class RowStore:
    """The distinct vectors, reference-counted by the passages that use them.

    Identical vectors (boilerplate sentences shared by many profiles) are stored once: a vector is
    found again by a hash of its bytes, confirmed by comparing the vectors. A row whose last
    reference goes is zeroed and reused; rows keep their numbers, so the IVF and a snapshot can name
    them. Called under the index's lock.
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.vectors = np.zeros((0, dim), dtype=np.float32)
        self.refs = np.zeros(0, dtype=np.int32)
        self.hashes = np.zeros(0, dtype=np.uint64)
        self.used = 0  # rows [0, used) are in use or free
        self.distinct = 0  # rows in use
        self.free: list[int] = []
        # hash -> row, for finding a vector already stored: sorted arrays, plus a dict of the rows
        # registered since they were built (a dict of every row cost ~37 MB at 350k rows)
        self._hash_keys = np.zeros(0, dtype=np.uint64)
        self._hash_rows = np.zeros(0, dtype=np.int32)
        self._recent: dict[int, int] = {}

    @property
    def capacity(self) -> int:
        return len(self.refs)

    def live(self) -> np.ndarray:
        """The rows in use, ascending."""
        return np.flatnonzero(self.refs[: self.used] > 0)

    def take(self, vectors: np.ndarray) -> tuple[np.ndarray, list[int]]:
        """The row of each vector, and the rows stored anew for it; each row gains one reference."""
        keys = hash_rows(vectors)
        words = vectors.view(np.uint32)
        at = np.searchsorted(self._hash_keys, keys)
        listed = at < len(self._hash_keys)
        listed[listed] = self._hash_keys[at[listed]] == keys[listed]
        rows = np.empty(len(vectors), dtype=np.int64)
        new: list[int] = []
        for i, key in enumerate(keys.tolist()):
            row = self._recent.get(key)
            if row is None and listed[i]:
                row = int(self._hash_rows[at[i]])
            # a listed row may since have been freed or reused, or (vanishingly rare) collide
            if (
                row is not None
                and self.refs[row] > 0
                and self.hashes[row] == key
                and np.array_equal(self.vectors[row].view(np.uint32), words[i])
            ):
                self.refs[row] += 1
            else:
                row = self._new_row(vectors[i], key)
                self.refs[row] = 1
                new.append(row)
            rows[i] = row
        if len(self._recent) > max(_RECENT_HASHES, len(self._hash_keys) // 4):
            self._sort_hashes()
        return rows, new

    def release(self, rows: np.ndarray) -> np.ndarray:
        """Drop one reference per entry; returns the rows freed (zeroed, to be reused)."""
        np.subtract.at(self.refs, rows, 1)
        freed = np.unique(rows[self.refs[rows] == 0])
        if len(freed) == 0:
            return freed
        for row, key in zip(freed.tolist(), self.hashes[freed].tolist()):
            if self._recent.get(key) == row:
                del self._recent[key]
        self.free.extend(freed.tolist())
        self.vectors[freed] = 0.0
        self.distinct -= len(freed)
        return freed

    def adopt(self, vectors: np.ndarray, refs: np.ndarray, distinct: int | None) -> None:
        """Take over a snapshot's vectors and reference counts; raises ValueError if the rows in use
        are not ``distinct`` many."""
        if not (vectors.flags.owndata and vectors.flags.c_contiguous):
            vectors = np.array(vectors, dtype=np.float32, order="C")
        if len(refs) and refs.max() >= 2**31:
            raise ValueError("index and owner mapping disagree: reference counts overflow")
        self.vectors = vectors
        self.used = len(vectors)
        self.refs = refs.astype(np.int32)
        self.distinct = int(np.count_nonzero(refs))
        if self.distinct != distinct:
            raise ValueError("index and owner mapping disagree: distinct vector count")
        self.free = np.flatnonzero(refs == 0).tolist()
        self.hashes = hash_rows(vectors)
        self._sort_hashes()

    def nbytes(self) -> int:
        """The arrays, and the dict (estimated)."""
        arrays = (self.vectors, self.refs, self.hashes, self._hash_keys, self._hash_rows)
        return sum(a.nbytes for a in arrays) + DICT_ENTRY_BYTES * len(self._recent)

    def _new_row(self, vector: np.ndarray, key: int) -> int:
        if self.free:
            row = self.free.pop()
        else:
            row = self.used
            self.used += 1
            if row >= self.capacity:
                size = grown_size(self.capacity, row + 1)
                self.vectors = resized(self.vectors, size)
                self.refs = resized(self.refs, size)
                self.hashes = resized(self.hashes, size)
        self.vectors[row] = vector
        self.hashes[row] = key
        self._recent[key] = row
        self.distinct += 1
        return row

    def _sort_hashes(self) -> None:
        live = self.live()
        keys = self.hashes[live]
        order = np.argsort(keys)
        self._hash_keys = keys[order]
        self._hash_rows = live[order].astype(np.int32)
        self._recent = {}


_HASH_MULTIPLIERS: dict[int, np.ndarray] = {}


def hash_rows(vectors: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row's bytes (a random linear form over its 32-bit words), vectorised;
    equal hashes are confirmed by comparing the vectors."""
    words = np.ascontiguousarray(vectors, dtype=np.float32).view(np.uint32)
    dim = int(words.shape[1])
    multipliers = _HASH_MULTIPLIERS.get(dim)
    if multipliers is None:
        rng = np.random.default_rng(0x5EED)
        multipliers = rng.integers(0, 2**63, size=dim, dtype=np.uint64) * np.uint64(2) + 1
        _HASH_MULTIPLIERS[dim] = multipliers
    out = np.empty(len(words), dtype=np.uint64)
    for i in range(0, len(words), 4_096):
        block = words[i : i + 4_096].astype(np.uint64) * multipliers
        out[i : i + 4_096] = block.sum(axis=1, dtype=np.uint64)
    return out
