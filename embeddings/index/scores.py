"""Exact scores of a query against the rows, kept for the query's next searches."""

from __future__ import annotations

from dataclasses import dataclass

import faiss
import numpy as np

from embeddings.index.rows import RowStore

_SCORE_CACHE = 8  # queries whose scores are kept
_SCORE_CHUNK = 1_024  # rows gathered per matrix-vector product: the copy stays in cache


@dataclass(slots=True)
class QueryScores:
    """One query's scores, kept while the index does not change."""

    full: np.ndarray | None = None  # every row, exact (-inf for unused rows)
    rows: np.ndarray | None = None  # IVF candidate rows, best first by exact score
    scores: np.ndarray | None = None
    reach: int = 0  # how many candidates were asked for


class Scorer:
    """Inner products of (1, dim) float32 queries with the rows, and the last few queries' scores.

    A match scores the same query up to three times (practice neighbours, the eligible shortlist,
    the field-match shortlist); the last few results are kept, keyed by the query bytes, and the
    index clears them on any change. Called under the index's lock.
    """

    def __init__(self, rows: RowStore) -> None:
        self._rows = rows
        self._kept: dict[bytes, QueryScores] = {}

    def clear(self) -> None:
        self._kept.clear()

    def kept(self, query: np.ndarray) -> QueryScores:
        """The query's kept scores, a new (empty) entry if none."""
        key = query.tobytes()
        entry = self._kept.get(key)
        if entry is None:
            if len(self._kept) >= _SCORE_CACHE:
                del self._kept[next(iter(self._kept))]
            entry = self._kept[key] = QueryScores()
        return entry

    def rows(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact scores of these rows, gathered in cache-sized blocks."""
        q = query[0]
        vectors = self._rows.vectors
        if len(rows) <= _SCORE_CHUNK:
            return inner_products(vectors[rows], q)
        out = np.empty(len(rows), dtype=np.float32)
        for i in range(0, len(rows), _SCORE_CHUNK):
            out[i : i + _SCORE_CHUNK] = inner_products(vectors[rows[i : i + _SCORE_CHUNK]], q)
        return out

    def listed(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Scores of a list of rows that may repeat (the rows of some passages): from the query's
        scores of every row when kept, else each distinct row scored once."""
        entry = self._kept.get(query.tobytes())
        if entry is not None and entry.full is not None:
            scores: np.ndarray = entry.full[rows]
        else:
            unique, inverse = np.unique(rows, return_inverse=True)
            if len(unique) > self._rows.used // 4:
                scores = self.every_row(query)[rows]
            else:
                scores = self.rows(query, unique)[inverse]
        return scores

    def every_row(self, query: np.ndarray) -> np.ndarray:
        """The query's score against every row; unused rows score -inf. Read-only."""
        entry = self.kept(query)
        if entry.full is None:
            rows = self._rows
            scores = inner_products(rows.vectors[: rows.used], query[0])
            if rows.free:
                scores[rows.refs[: rows.used] == 0] = -np.inf
            entry.full = scores
        return entry.full


def inner_products(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """vectors @ query by FAISS's SIMD kernel: twice as fast as single-threaded BLAS here, and
    each row's score is computed alike whichever other rows are in the call, so a row scored
    alone, in a subset or in the full pass gets the same float."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    query = np.ascontiguousarray(query, dtype=np.float32)
    out = np.empty(len(vectors), dtype=np.float32)
    if len(vectors):
        faiss.fvec_inner_products_ny(  # type: ignore[attr-defined]  # in faiss, not in its stubs
            faiss.swig_ptr(out),
            faiss.swig_ptr(query),
            faiss.swig_ptr(vectors),
            len(query),
            len(vectors),
        )
    return out
