"""Integer ids (passage ids, owner ids) -> fixed-size records, vectorised."""

from __future__ import annotations

import numpy as np

from embeddings.index.arrays import DICT_ENTRY_BYTES, grown_size, resized

# Ids are kept in arrays indexed by id while the largest stays below factor * count (or the floor).
_DENSE_MIN_IDS = 1 << 22
_DENSE_ID_FACTOR = 4


class IdMap:
    """Integer ids -> fixed-size int32 records (first field -1 when absent).

    Database ids are dense, so the records live in arrays indexed by id (one per field, contiguous
    for vectorised use) while the largest id stays within a few times the number held; ids far
    beyond (2**40) go to a dict.
    """

    def __init__(self, fill: tuple[int, ...]) -> None:
        self.fill = fill
        self.fields = [np.zeros(0, dtype=np.int32) for _ in fill]
        self.sparse: dict[int, tuple[int, ...]] = {}
        self.count = 0

    @property
    def size(self) -> int:
        return len(self.fields[0])

    def get(self, ids: np.ndarray) -> np.ndarray:
        out = np.empty((len(ids), len(self.fill)), dtype=np.int32)
        out[:] = self.fill
        inside = np.flatnonzero((ids >= 0) & (ids < self.size))
        for column, field in enumerate(self.fields):
            out[inside, column] = field[ids[inside]]
        if self.sparse and len(inside) < len(ids):
            outside = np.ones(len(ids), dtype=bool)
            outside[inside] = False
            for i in np.flatnonzero(outside).tolist():
                record = self.sparse.get(int(ids[i]))
                if record is not None:
                    out[i] = record
        return out

    def get_one(self, key: int) -> tuple[int, ...] | None:
        if 0 <= key < self.size:
            record = tuple(int(field[key]) for field in self.fields)
            return None if record[0] < 0 else record
        return self.sparse.get(key)

    def put(self, ids: np.ndarray, records: np.ndarray) -> None:
        """Add these ids (none of them present)."""
        ids = np.asarray(ids, dtype=np.int64)
        records = np.asarray(records).reshape(len(ids), len(self.fill))
        limit = max(_DENSE_MIN_IDS, _DENSE_ID_FACTOR * (self.count + len(ids)))
        fitting = ids[(ids >= 0) & (ids < limit)]
        if len(fitting) and int(fitting.max()) >= self.size:
            self._grow(int(fitting.max()) + 1)
        inside = (ids >= 0) & (ids < self.size)
        for column, field in enumerate(self.fields):
            field[ids[inside]] = records[inside, column]
        for i in np.flatnonzero(~inside).tolist():
            self.sparse[int(ids[i])] = tuple(records[i].tolist())
        self.count += len(ids)

    def drop(self, ids: np.ndarray) -> None:
        """Remove these ids (all of them present)."""
        inside = (ids >= 0) & (ids < self.size)
        for field, fill in zip(self.fields, self.fill):
            field[ids[inside]] = fill
        for key in ids[~inside].tolist():
            del self.sparse[key]
        self.count -= len(ids)

    def keys(self) -> set[int]:
        return set(np.flatnonzero(self.fields[0] >= 0).tolist()) | set(self.sparse)

    def remap_first(self, moved: np.ndarray) -> None:
        """Renumber the first field (a slot) after compaction."""
        first = self.fields[0]
        present = first >= 0
        first[present] = moved[first[present]]
        for key, record in self.sparse.items():
            self.sparse[key] = (int(moved[record[0]]), *record[1:])

    def nbytes(self) -> int:
        """The arrays, and the dict (estimated)."""
        return sum(field.nbytes for field in self.fields) + DICT_ENTRY_BYTES * len(self.sparse)

    def _grow(self, need: int) -> None:
        old = self.size
        size = grown_size(old, need)
        for column, fill in enumerate(self.fill):
            self.fields[column] = resized(self.fields[column], size)
            self.fields[column][old:] = fill
        for key in [k for k in self.sparse if 0 <= k < size]:  # now covered by the arrays
            record = self.sparse.pop(key)
            for field, value in zip(self.fields, record):
                field[key] = value
