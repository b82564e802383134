"""PassageIndex: the passage vectors of every owner, searched per owner, behind one lock."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from threading import RLock
from typing import Any

import numpy as np

from embeddings.index.arrays import id_array
from embeddings.index.filters import Allowed
from embeddings.index.ivf import RowIvf
from embeddings.index.persistence import Snapshot, load_snapshot, save_snapshot
from embeddings.index.row_slots import RowSlots
from embeddings.index.rows import RowStore
from embeddings.index.scores import Scorer
from embeddings.index.search import OwnerHit, Search
from embeddings.index.slots import PassageSlots


class PassageIndex:
    """Passage vectors (L2-normalised float32, inner product) grouped by owner.

    Identical vectors (boilerplate sentences shared by many profiles; the catalog encodes each
    distinct text once) are stored once ("rows", RowStore) and reference-counted, so memory and
    search time follow the number of distinct passages, not of passages ("slots", PassageSlots:
    one run of slots per owner, with the passage and owner id maps). A row -> slots map (RowSlots)
    gathers the passages of the best rows. Scores are always exact inner products (Scorer); up to
    IVF_MIN_ROWS rows every row is scored, beyond an IVF over the rows (RowIvf, built in a thread)
    proposes the candidates (Search).

    All public methods take one re-entrant lock, so a background change-feed update and
    request-time searches may run on different threads.
    """

    def __init__(self, dim: int, encoder_name: str, encoder_version: str) -> None:
        self.dim = int(dim)
        self.encoder_name = encoder_name
        self.encoder_version = encoder_version
        self._lock = RLock()
        self._rows = RowStore(self.dim)
        self._slots = PassageSlots()
        self._scorer = Scorer(self._rows)
        # a new IVF proposes other candidates: a query's kept ones are dropped with its scores
        self._ivf = RowIvf(self._rows, self._lock, on_install=self._scorer.clear)
        # the IVF's most-shared rows are recounted whenever the row -> slots map is rebuilt: both
        # follow the same churn of the passages
        self._row_slots = RowSlots(self._rows, self._slots, on_rebuild=self._ivf.forget_popular)
        self._search = Search(self._rows, self._slots, self._row_slots, self._scorer, self._ivf)

    # -- updates ----------------------------------------------------------------------------------

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
            self._scorer.clear()
            self._slots.check_owner(owner_id, ids)
            self._remove(owner_id)
            if len(ids):
                rows, stored = self._rows.take(vectors)
                self._ivf.rows_added(stored)
                self._slots.append(owner_id, ids, rows)
            self._after_change()

    def remove_owner(self, owner_id: int) -> None:
        with self._lock:
            if self._remove(int(owner_id)):
                self._scorer.clear()
                self._after_change()

    def _remove(self, owner_id: int) -> bool:
        removed = self._slots.remove(owner_id)
        if removed is None:
            return False
        first_slot, rows = removed
        self._row_slots.forget(first_slot, len(rows))
        freed = self._rows.release(rows)
        if len(freed):
            self._ivf.rows_freed(freed)
        return True

    def _after_change(self) -> None:
        if self._slots.compact_if_sparse():
            self._row_slots.reset()
        self._ivf.after_change()

    # -- inspection -------------------------------------------------------------------------------

    def owners(self) -> set[int]:
        with self._lock:
            return self._slots.owners.keys()

    @property
    def owner_count(self) -> int:
        return self._slots.owner_count

    @property
    def distinct_vectors(self) -> int:
        return self._rows.distinct

    def __len__(self) -> int:
        return self._slots.live

    def passage_ids(self, owner_id: int) -> list[int]:
        with self._lock:
            return self._slots.passage_ids(int(owner_id))

    def memory_bytes(self) -> int:
        """Arrays (vectors, passages, id maps, row -> slots), the IVF, and the dicts (estimated)."""
        with self._lock:
            parts = (self._rows, self._slots, self._row_slots, self._ivf)
            return int(sum(part.nbytes() for part in parts))

    # -- search -----------------------------------------------------------------------------------

    def best_by_owner(
        self, query: np.ndarray, k: int, allowed_owners: Allowed | None = None
    ) -> list[OwnerHit]:
        """The k owners whose best passage is nearest the query, one hit each.

        ``allowed_owners``: owner ids, or a boolean mask indexed by owner id (ids past its end
        are not allowed). Returns exactly min(k, allowed owners present) hits, best first, ties by
        owner id (and an owner's equal passages by passage id), each with the owner's best passage
        and its exact score. For few allowed owners (or few allowed passages) their passages are
        scored; otherwise the best rows are scored first (all of them exactly, or IVF candidates
        re-scored exactly) and only their passages gathered, widening until k owners are found.
        """
        query = self._as_query(query)
        k = int(k)
        if k <= 0:
            return []
        with self._lock:
            return self._search.best_by_owner(query, k, allowed_owners)

    def nearest(self, query: np.ndarray, k: int) -> list[tuple[int, int, float]]:
        """The k nearest passages of any owner, as (passage_id, owner_id, score), best first."""
        query = self._as_query(query)
        with self._lock:
            return self._search.nearest(query, int(k))

    def scores_for_owners(self, query: np.ndarray, owners: Collection[int]) -> dict[int, OwnerHit]:
        """The best passage of each listed owner present in the index, scored exactly."""
        query = self._as_query(query)
        with self._lock:
            return self._search.scores_for_owners(query, id_array(owners))

    def passage_scores(self, query: np.ndarray, owners: Collection[int]) -> list[OwnerHit]:
        """Every passage of the listed owners present in the index, scored exactly (in no order):
        to choose, among a few results' passages, the one to quote."""
        query = self._as_query(query)
        with self._lock:
            return self._search.passage_scores(query, id_array(owners))

    def _as_query(self, query: np.ndarray) -> np.ndarray:
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if query.shape[1] != self.dim:
            raise ValueError(f"query has dimension {query.shape[1]}, index has {self.dim}")
        return query

    # -- persistence ------------------------------------------------------------------------------

    def save(
        self,
        directory: Path,
        extra: dict[str, Any] | None = None,
        attachments: dict[str, dict[str, np.ndarray]] | None = None,
    ) -> None:
        """Write a snapshot, then make it visible in one atomic step.

        ``attachments``: named sets of arrays derived with the index (the catalog's facts), saved
        in the same snapshot with a checksum each and handed back by ``load``.

        ``directory`` is a symlink to a hidden sibling folder holding one complete snapshot;
        a new snapshot is written and fsynced in its own folder and the link is swapped with
        os.replace, so readers see the old snapshot or the new one, never a partial one and
        never none.
        """
        save_snapshot(Path(directory), self._snapshot, extra or {}, attachments or {})

    @classmethod
    def load(
        cls, directory: Path, encoder_name: str, encoder_version: str, dim: int
    ) -> tuple[PassageIndex, dict[str, Any]] | None:
        """The saved index and its manifest (its "attachments" holding the saved arrays), or None
        (logged) when it cannot be used."""
        index = cls(dim, encoder_name, encoder_version)
        manifest = load_snapshot(
            Path(directory), encoder_name, encoder_version, index.dim, index._adopt
        )
        return None if manifest is None else (index, manifest)

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[Snapshot]:
        """The index as it is, locked while it is written: the arrays are the live ones."""
        with self._lock:
            self._ivf.flush()
            yield Snapshot(
                encoder_name=self.encoder_name,
                encoder_version=self.encoder_version,
                dim=self.dim,
                vectors=self._rows.vectors[: self._rows.used],
                triples=self._slots.triples(),
                ivf=self._ivf.index,
                ivf_rows=self._ivf.trained_rows,
                owner_count=self._slots.owner_count,
                vector_count=self._rows.distinct,
            )

    def _adopt(self, snapshot: Snapshot) -> None:
        """Take over a snapshot's arrays (vectorised: seconds at 1M profiles); raises ValueError if
        they disagree."""
        refs = np.bincount(snapshot.triples[:, 2], minlength=len(snapshot.vectors))
        self._rows.adopt(snapshot.vectors, refs, snapshot.vector_count)
        self._slots.adopt(snapshot.triples, snapshot.owner_count)
        self._ivf.adopt(snapshot.ivf, snapshot.ivf_rows)
