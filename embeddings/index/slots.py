"""The passages ("slots"): passage id, owner id and row, one run of slots per owner."""

from __future__ import annotations

import numpy as np

from embeddings.index.arrays import grown_size, narrowest, ranges, resized
from embeddings.index.ids import IdMap

# Dead slots (replaced passages) are compacted away once they outnumber half the live ones.
COMPACT_MIN_DEAD = 65_536


class PassageSlots:
    """Parallel arrays over the slots, appended in owner runs, with the id maps into them.

    Each owner's passages are one run of consecutive slots: replacing an owner appends a new run
    and leaves the old one dead (row -1), and dead runs are compacted away. Passage and owner ids
    map to slots through IdMaps. Called under the index's lock.
    """

    def __init__(self) -> None:
        self.pid = np.zeros(0, dtype=np.int32)  # both widened to int64 for ids beyond int32
        self.owner = np.zeros(0, dtype=np.int32)
        self.row = np.zeros(0, dtype=np.int32)  # -1: dead
        self.used = 0
        self.live = 0
        self.owners = IdMap((-1, 0))  # owner -> (first slot, passage count)
        self.of_passage = IdMap((-1,))  # passage id -> slot

    @property
    def owner_count(self) -> int:
        return self.owners.count

    def passage_ids(self, owner_id: int) -> list[int]:
        run = self.owners.get_one(owner_id)
        return [] if run is None else self.pid[run[0] : run[0] + run[1]].tolist()

    def owner_slots(self, owners: np.ndarray) -> np.ndarray:
        """The slots of these owners (distinct ids), vectorised over their runs."""
        runs = self.owners.get(owners)
        runs = runs[runs[:, 0] >= 0]
        return ranges(runs[:, 0].astype(np.int64), runs[:, 1].astype(np.int64))

    def check_owner(self, owner_id: int, ids: np.ndarray) -> None:
        """Raises ValueError if one of these passages belongs to another owner."""
        slots = self.of_passage.get(ids)[:, 0]
        known = np.flatnonzero(slots >= 0)
        if len(known):
            holders = self.owner[slots[known]]
            other = np.flatnonzero(holders != owner_id)
            if len(other):
                pid, holder = int(ids[known[other[0]]]), int(holders[other[0]])
                raise ValueError(f"passage {pid} belongs to owner {holder}, not {owner_id}")

    def append(self, owner_id: int, ids: np.ndarray, rows: np.ndarray) -> None:
        """Add the owner (absent) with these passages and their rows, as a new run."""
        start = self.used
        end = start + len(ids)
        if end > len(self.row):
            size = grown_size(len(self.row), end)
            self.pid = resized(self.pid, size)
            self.owner = resized(self.owner, size)
            self.row = resized(self.row, size)
        if not -(2**31) <= owner_id < 2**31 and self.owner.dtype != np.int64:
            self.owner = self.owner.astype(np.int64)
        if len(ids) and self.pid.dtype != np.int64 and narrowest(ids) is np.int64:
            self.pid = self.pid.astype(np.int64)
        self.pid[start:end] = ids
        self.owner[start:end] = owner_id
        self.row[start:end] = rows
        self.used = end
        self.live += len(ids)
        self.of_passage.put(ids, np.arange(start, end))
        self.owners.put(np.array([owner_id]), np.array([[start, len(ids)]]))

    def remove(self, owner_id: int) -> tuple[int, np.ndarray] | None:
        """Drop the owner's run: its first slot and the rows its passages held (None: absent)."""
        run = self.owners.get_one(owner_id)
        if run is None:
            return None
        start, count = run
        end = start + count
        self.of_passage.drop(self.pid[start:end].copy())
        self.owners.drop(np.array([owner_id]))
        rows = self.row[start:end].astype(np.int64)
        self.row[start:end] = -1
        self.live -= count
        return start, rows

    def compact_if_sparse(self) -> bool:
        """Squeeze the dead slots out once there are many; True if the slots were renumbered."""
        dead = self.used - self.live
        if dead <= max(COMPACT_MIN_DEAD, self.live // 2):
            return False
        alive = self.row[: self.used] >= 0
        keep = np.flatnonzero(alive)
        moved = np.cumsum(alive, dtype=np.int64) - 1  # old slot -> new slot (runs keep their order)
        m = len(keep)
        size = grown_size(m, m)
        self.pid = _squeezed(self.pid, keep, size)
        self.owner = _squeezed(self.owner, keep, size)
        self.row = _squeezed(self.row, keep, size)
        self.used = m
        self.owners.remap_first(moved)
        self.of_passage.remap_first(moved)
        return True

    def triples(self) -> np.ndarray:
        """(passages, 3) int64: passage id, owner id, row of each live slot, in slot order."""
        alive = np.flatnonzero(self.row[: self.used] >= 0)
        triples = np.empty((len(alive), 3), dtype=np.int64)
        triples[:, 0] = self.pid[alive]
        triples[:, 1] = self.owner[alive]
        triples[:, 2] = self.row[alive]
        return triples

    def adopt(self, triples: np.ndarray, owner_count: int | None) -> None:
        """Take over a snapshot's passages (each owner's adjacent); raises ValueError if they are
        not ``owner_count`` runs of distinct owners or repeat a passage id."""
        n = len(triples)
        owners = triples[:, 1]
        self.pid = triples[:, 0].astype(narrowest(triples[:, 0]))
        self.owner = owners.astype(narrowest(owners))
        self.row = triples[:, 2].astype(np.int32)
        self.used = self.live = n
        starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if n else np.zeros(0, int)
        counts = np.diff(np.r_[starts, n])
        run_owners = owners[starts]
        if len(np.unique(run_owners)) != len(run_owners) or len(run_owners) != owner_count:
            raise ValueError("index and owner mapping disagree: owners' passages are not adjacent")
        self.owners.put(run_owners, np.stack([starts, counts], axis=1))
        self.of_passage.put(triples[:, 0], np.arange(n))
        if n and not np.array_equal(self.of_passage.get(triples[:, 0])[:, 0], np.arange(n)):
            raise ValueError("index and owner mapping disagree: duplicate passage ids")

    def nbytes(self) -> int:
        arrays = self.pid.nbytes + self.owner.nbytes + self.row.nbytes
        return arrays + self.owners.nbytes() + self.of_passage.nbytes()


def _squeezed(array: np.ndarray, keep: np.ndarray, size: int) -> np.ndarray:
    """The kept entries moved to the front (in place), the array resized to ``size``."""
    array[: len(keep)] = array[keep]
    return resized(array, size)
