"""Row -> the live slots holding it: gathers the passages of the best-scoring rows."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from embeddings.index.arrays import ranges
from embeddings.index.rows import RowStore
from embeddings.index.slots import PassageSlots

# The map covers the slots that existed when it was built; later ones are scanned until they
# exceed this (or a sixteenth of the live slots).
_CSR_DELTA_MIN = 65_536


class RowSlots:
    """A compressed (CSR) map from each row to its live slots, built on demand.

    Slots appended since the map was built are found by a scan; the map is rebuilt once they (or
    the dead slots inside it) are too many. ``on_rebuild`` is called whenever it is rebuilt or
    discarded: reference counts have moved on by then too. Called under the index's lock.
    """

    def __init__(self, rows: RowStore, slots: PassageSlots, on_rebuild: Callable[[], None]) -> None:
        self._rows = rows
        self._slots = slots
        self._on_rebuild = on_rebuild
        self._ptr: np.ndarray | None = None
        self._members: np.ndarray | None = None
        self._end = 0  # slots [0, end) are mapped
        self._dead = 0  # mapped slots that died since
        self._marks = np.zeros(0, dtype=np.int32)  # scratch: row -> position in a row list, else -1

    def forget(self, first_slot: int, count: int) -> None:
        """These slots died."""
        if first_slot < self._end:
            self._dead += count

    def reset(self) -> None:
        """The slots were renumbered: rebuild on next use."""
        self._ptr = self._members = None
        self._end = self._dead = 0
        self._on_rebuild()

    def of_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The live slots holding these distinct rows, and where each one's row is in ``rows``."""
        self._ensure()
        ptr, members = self._ptr, self._members
        assert ptr is not None and members is not None
        slot_rows = self._slots.row
        rows = rows.astype(np.int64, copy=False)
        known = np.flatnonzero(rows < len(ptr) - 1)
        starts = ptr[rows[known]]
        counts = ptr[rows[known] + 1] - starts
        slots = members[ranges(starts, counts)].astype(np.int64)
        which = np.repeat(known, counts)
        alive = slot_rows[slots] == rows[which]  # dead slots have row -1
        slots, which = slots[alive], which[alive]
        used = self._slots.used
        if self._end < used:
            if len(self._marks) < self._rows.used + 1:
                self._marks = np.full(self._rows.capacity + 1, -1, dtype=np.int32)
            marks = self._marks  # its last cell stays -1: dead slots (row -1) land there
            marks[rows] = np.arange(len(rows), dtype=np.int32)
            recent = marks[slot_rows[self._end : used]]
            marks[rows] = -1
            fresh = np.flatnonzero(recent >= 0)
            slots = np.concatenate([slots, fresh + self._end])
            which = np.concatenate([which, recent[fresh].astype(np.int64)])
        return slots, which

    def of_best_rows(self, row_scores: np.ndarray, count: int) -> np.ndarray:
        """Live slots whose vector is among the ``count`` best-scoring rows (ties at the cut)."""
        total = len(row_scores)
        if count < total:
            threshold = np.partition(row_scores, total - count)[total - count]
            return self.of_rows(np.flatnonzero(row_scores >= threshold))[0]
        return np.flatnonzero(self._slots.row[: self._slots.used] >= 0)

    def nbytes(self) -> int:
        arrays = (self._ptr, self._members, self._marks)
        return sum(a.nbytes for a in arrays if a is not None)

    def _ensure(self) -> None:
        slots = self._slots
        delta = slots.used - self._end
        limit = max(_CSR_DELTA_MIN, slots.live // 16)
        if self._ptr is not None and delta <= limit and self._dead <= 4 * limit:
            return
        n = slots.used
        rows = slots.row[:n]
        order = np.argsort(rows)  # dead slots (-1) first; order within a row does not matter
        dead = n - slots.live
        counts = np.bincount(rows[order[dead:]], minlength=self._rows.used)
        ptr = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=ptr[1:])
        self._members = order[dead:].astype(np.int32)
        self._ptr = ptr
        self._end = n
        self._dead = 0
        self._on_rebuild()
