"""The searches: best passage per owner (filtered), nearest passages, scores of given owners."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from embeddings.index.filters import Allowed, OwnerFilter, owner_filter
from embeddings.index.ivf import RowIvf
from embeddings.index.row_slots import RowSlots
from embeddings.index.rows import RowStore
from embeddings.index.scores import Scorer
from embeddings.index.slots import PassageSlots


@dataclass(frozen=True, slots=True)
class OwnerHit:
    owner_id: int
    score: float
    passage_id: int


class Search:
    """Searches over the passages, exact in every score they return.

    Up to IVF_MIN_ROWS rows every row is scored with one matrix-vector product; beyond, the IVF
    proposes candidate rows, which are re-scored exactly. Searches widen until k allowed owners
    are found and fall back to scoring every row when the candidates would be a large share of
    them, so a filtered search always fills k when it can. Queries are (1, dim) float32; called
    under the index's lock.
    """

    def __init__(
        self, rows: RowStore, slots: PassageSlots, row_slots: RowSlots, scorer: Scorer, ivf: RowIvf
    ) -> None:
        self._rows = rows
        self._slots = slots
        self._row_slots = row_slots
        self._scorer = scorer
        self._ivf = ivf

    def best_by_owner(self, query: np.ndarray, k: int, allowed: Allowed | None) -> list[OwnerHit]:
        """The k (> 0) owners whose best passage is nearest the query (see PassageIndex)."""
        if self._slots.owner_count == 0:
            return []
        flt = owner_filter(self._slots.owners, allowed, self._rows.distinct)
        if flt is not None:
            if flt.count == 0:
                return []
            if flt.ids is not None:
                slots = self._slots.owner_slots(flt.ids)
                return self._top_owners(slots, self._slot_scores(query, slots), k)
        if self._ivf.usable():
            hits = self._top_by_candidates(query, k, flt)
            if hits is not None:
                return hits
        return self._top_by_rows(query, k, flt)

    def nearest(self, query: np.ndarray, k: int) -> list[tuple[int, int, float]]:
        """The k nearest passages of any owner, as (passage_id, owner_id, score), best first."""
        passages = self._slots
        if passages.live == 0 or k <= 0:
            return []
        # every used row has a live passage, so the top k rows hold the top k passages
        want = min(k, self._rows.distinct)
        rows = scores = None
        if self._ivf.serves(want):
            rows, scores = self._candidates(query, RowIvf.reach(want))
        if rows is not None and scores is not None and len(rows) >= want:
            hot = np.flatnonzero(scores >= scores[want - 1])
            slots, which = self._row_slots.of_rows(rows[hot])
            scores = scores[hot][which]
        else:
            row_scores = self._scorer.every_row(query)
            slots = self._row_slots.of_best_rows(row_scores, want)
            scores = row_scores[passages.row[slots]]
        k = min(k, len(slots))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(slots) else np.arange(len(slots))
        pids = passages.pid[slots[top]]
        top = top[np.lexsort((pids, -scores[top]))]
        return [
            (int(pid), int(owner), float(score))
            for pid, owner, score in zip(
                passages.pid[slots[top]].tolist(),
                passages.owner[slots[top]].tolist(),
                scores[top].tolist(),
            )
        ]

    def scores_for_owners(self, query: np.ndarray, owners: np.ndarray) -> dict[int, OwnerHit]:
        """The best passage of each listed owner (distinct ids) present, scored exactly."""
        return self._best_of(query, self._slots.owner_slots(owners))

    def passage_scores(self, query: np.ndarray, owners: np.ndarray) -> list[OwnerHit]:
        """Every passage of the listed owners (distinct ids) present, scored exactly."""
        slots = self._slots.owner_slots(owners)
        if len(slots) == 0:
            return []
        scores = self._slot_scores(query, slots)
        return [
            OwnerHit(owner, score, pid)
            for owner, score, pid in zip(self._slots.owner[slots].tolist(), scores.tolist(), self._slots.pid[slots].tolist())
        ]

    def _best_of(self, query: np.ndarray, slots: np.ndarray) -> dict[int, OwnerHit]:
        if len(slots) == 0:
            return {}
        scores = self._slot_scores(query, slots)
        pids = self._slots.pid[slots]
        owner_ids = self._slots.owner[slots]
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

    def _slot_scores(self, query: np.ndarray, slots: np.ndarray) -> np.ndarray:
        return self._scorer.listed(query, self._slots.row[slots])

    def _top_by_rows(self, query: np.ndarray, k: int, flt: OwnerFilter | None) -> list[OwnerHit]:
        """Exact top owners, gathering passages of the best rows first and widening as needed.

        The owners found among the passages scoring at least the cut are the true top k as soon
        as there are k of them: every other owner's passages all score below the cut.
        """
        row_scores = self._scorer.every_row(query)
        total_rows = len(row_scores)
        share = 1.0 if flt is None else flt.count / max(1, self._slots.owner_count)
        # rows that should hold twice k allowed passages, at the average passages per row: the
        # best rows are usually the most shared ones, and a short window widens cheaply
        per_row = self._slots.live / max(1, self._rows.distinct)
        rows = min(total_rows, max(64, math.ceil(2 * k / (max(share, 1e-6) * per_row))))
        while True:
            slots = self._row_slots.of_best_rows(row_scores, rows)
            if flt is not None:
                slots = slots[flt.admits(self._slots.owner[slots])]
            hits = self._top_owners(slots, row_scores[self._slots.row[slots]], k)
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
            owners = self._slots.owner[chosen]
            pids = self._slots.pid[chosen]
            order = np.lexsort((pids, owners, -scores[picked]))
            _, first = np.unique(owners[order], return_index=True)
            if len(first) >= k or window >= total:
                best = order[np.sort(first)[:k]]
                return [
                    OwnerHit(owner, score, pid)
                    for owner, score, pid in zip(
                        owners[best].tolist(), scores[picked][best].tolist(), pids[best].tolist()
                    )
                ]
            window = min(total, window * 4)

    def _top_by_candidates(
        self, query: np.ndarray, k: int, flt: OwnerFilter | None
    ) -> list[OwnerHit] | None:
        """Top owners among the passages of the IVF's candidate rows (exact scores); None when the
        candidates would have to be so many that scoring every row is as cheap."""
        wanted = min(k, self._slots.owner_count if flt is None else flt.count)
        # allowed passages per row, on average: how many rows should hold k allowed owners
        per_row = (self._slots.live if flt is None else flt.passages) / max(1, self._rows.distinct)
        reach = RowIvf.reach(math.ceil(4 * k / max(per_row, 1e-9)))
        while self._ivf.serves(reach):
            rows, scores = self._candidates(query, reach)
            slots, which = self._row_slots.of_rows(rows)
            slot_scores = scores[which]
            if flt is not None:
                keep = flt.admits(self._slots.owner[slots])
                slots, slot_scores = slots[keep], slot_scores[keep]
            hits = self._top_owners(slots, slot_scores, k)
            if len(hits) >= wanted:
                # each owner with its best passage overall, not only among the candidates
                owners = np.array([h.owner_id for h in hits])
                best = self._best_of(query, self._slots.owner_slots(owners))
                return sorted(best.values(), key=_rank)
            reach *= 4
        return None

    def _candidates(self, query: np.ndarray, reach: int) -> tuple[np.ndarray, np.ndarray]:
        """About the ``reach`` best rows, best first by exact score; the query's largest set so far
        is kept for its next searches."""
        entry = self._scorer.kept(query)
        if entry.rows is not None and entry.reach >= reach:
            assert entry.scores is not None
            return entry.rows, entry.scores
        rows = self._ivf.candidate_rows(query, reach)
        scores = self._scorer.rows(query, rows)
        order = np.lexsort((rows, -scores))[:reach]
        entry.rows, entry.scores, entry.reach = rows[order], scores[order], reach
        return entry.rows, entry.scores


def _rank(hit: OwnerHit) -> tuple[float, int]:
    return (-hit.score, hit.owner_id)
