"""An IVF over the rows that proposes candidate rows for a query (re-scored exactly elsewhere)."""

from __future__ import annotations

import math
from collections.abc import Callable
from threading import RLock

import faiss
import numpy as np

from embeddings.index import build
from embeddings.index.arrays import resized
from embeddings.index.rows import RowStore

# -- module constants so that tests can lower them ------------------------------------------------
# From this many distinct vectors on, candidate rows come from an IVF over the rows and are then
# re-scored exactly: the exact matrix-vector product is memory-bound, ~56 ms at 350k rows.
IVF_MIN_ROWS = 100_000
# lists probed for the smallest candidate set: at 350k rows 32 gave row recall@50 0.996 on average
# but 0.84 for the worst query, 64 gives 0.98 for the worst (~1 ms more)
IVF_NPROBE = 64
# 4-bit codes (build.IVF_CODE): candidates are re-scored exactly, so twice the candidates are
# fetched to make up for the coarser ranking of the tail.
IVF_FETCH = 2
# The most-shared rows (boilerplate: at 1M profiles 1,000 rows hold 88% of the passages) are always
# candidates, scored exactly: an IVF miss of one of them would lose thousands of tied owners.
IVF_POPULAR_ROWS = 1_024
IVF_PROBE_SLACK = 2.0  # larger candidate sets probe this many times the lists that could hold them
# every search asks for at least this many rows, so that one request's searches share them
IVF_MIN_CANDIDATES = 256
IVF_EXACT_SHARE = 1 / 8  # candidate sets beyond this share of the rows: score every row exactly
# Rows changed since the IVF was updated are scored exactly up to this many, then added (~7 ms under
# the lock at 350k rows; the first add after a load ~40 ms, as faiss regrows the lists).
IVF_FLUSH_ROWS = 1_024


class RowIvf:
    """The IVF over the rows, and the rows it does not hold yet.

    Trained (by ``build``, in a thread) when the distinct rows first reach IVF_MIN_ROWS and again
    each time they double; rows stored or freed since are listed, proposed as candidates as they
    are, and added in batches; dropped when the rows shrink far below the threshold. Called under
    ``lock``, the index's, which the build takes between its steps.
    """

    def __init__(self, rows: RowStore, lock: RLock, on_install: Callable[[], None]) -> None:
        self.rows = rows
        self.lock = lock
        self._on_install = on_install
        self.index: faiss.IndexIVF | None = None
        self.trained_rows = 0  # distinct rows when it was trained
        self._held = np.zeros(0, dtype=bool)  # the IVF holds this row's current vector
        self._add: list[int] = []
        self._drop: list[int] = []
        self._popular: np.ndarray | None = None
        self._next_build_at = 0
        self.building = False
        self.generation = 0  # of the wanted build; a build of another generation stops
        self._changed: list[int] | None = None  # rows changed while a build runs

    def usable(self) -> bool:
        return self.index is not None and self.rows.distinct >= IVF_MIN_ROWS

    def serves(self, reach: int) -> bool:
        """Whether ``reach`` candidates are few enough to beat scoring every row."""
        return self.usable() and reach <= self.rows.distinct * IVF_EXACT_SHARE

    @staticmethod
    def reach(wanted: int) -> int:
        """The candidates to ask for when ``wanted`` rows are needed."""
        return max(IVF_MIN_CANDIDATES, wanted)

    def candidate_rows(self, query: np.ndarray, reach: int) -> np.ndarray:
        """Distinct rows that should hold about the ``reach`` best for a (1, dim) query: the IVF's,
        the rows it does not hold yet, and the most-shared rows."""
        ivf = self.index
        assert ivf is not None
        if len(self._add) > 4 * IVF_FLUSH_ROWS:
            self.flush()
        found = np.zeros(0, dtype=np.int64)
        if ivf.ntotal:
            per_list = max(1.0, ivf.ntotal / ivf.nlist)
            params = faiss.SearchParametersIVF()
            params.nprobe = int(
                min(ivf.nlist, max(IVF_NPROBE, math.ceil(IVF_PROBE_SLACK * reach / per_list)))
            )
            _, ids = ivf.search(query, int(min(IVF_FETCH * reach, ivf.ntotal)), params=params)
            found = ids[0][ids[0] >= 0]
            found = found[self._held[found]]  # drop entries of freed or changed rows
        popular = self._popular_rows()
        popular = popular[self.rows.refs[popular] > 0]
        return np.unique(np.concatenate([found, self._pending_rows(), popular]))

    def rows_added(self, rows: list[int]) -> None:
        """These rows were stored (anew or reused)."""
        if self.index is not None:
            self._add.extend(rows)
            if len(self._held) < self.rows.capacity:
                self._held = resized(self._held, self.rows.capacity)
        if self._changed is not None:
            self._changed.extend(rows)

    def rows_freed(self, rows: np.ndarray) -> None:
        """These rows were freed: the IVF's entries for them are stale."""
        if self.index is not None:
            stale = rows[self._held[rows]]
            self._held[stale] = False
            self._drop.extend(stale.tolist())
        if self._changed is not None:
            self._changed.extend(rows.tolist())

    def forget_popular(self) -> None:
        self._popular = None

    def after_change(self) -> None:
        """Drop, bring up to date or (re)build the IVF as the rows have grown or shrunk."""
        if self.index is not None:
            if self.rows.distinct < IVF_MIN_ROWS // 2:
                self._drop_index()  # shrunk far below the threshold: exact search, memory back
            elif len(self._add) + len(self._drop) >= IVF_FLUSH_ROWS:
                self.flush()
        self._build_if_due()

    def flush(self) -> None:
        """Bring the IVF up to date with the rows (a few ms per thousand rows)."""
        if self.index is None:
            return
        if self._drop:
            _remove(self.index, np.unique(np.asarray(self._drop, dtype=np.int64)))
            self._drop = []
        if self._add:
            rows = self._pending_rows()
            if len(rows):
                self.index.add_with_ids(self.rows.vectors[rows], rows)
                self._held[rows] = True
            self._add = []

    def install(self, ivf: faiss.IndexIVF, added: np.ndarray, trained_rows: int) -> None:
        """Swap in a freshly built IVF; rows changed while it was built become pending."""
        changed = np.unique(np.asarray(self._changed or [], dtype=np.int64))
        held = np.zeros(self.rows.capacity, dtype=bool)
        held[added] = True
        stale = changed[held[changed]]
        if len(stale):
            _remove(ivf, stale)
            held[stale] = False
        self.index = ivf
        self._held = held
        self._drop = []
        self._add = changed[(self.rows.refs[changed] > 0) & ~held[changed]].tolist()
        self.trained_rows = trained_rows
        self.building, self._changed = False, None
        self._popular = None
        self._on_install()

    def build_failed(self) -> None:
        self.building, self._changed = False, None

    def adopt(self, ivf: faiss.Index | None, trained_rows: int | None) -> None:
        """Take over a snapshot's IVF (None: build one if due); raises ValueError if it does not
        hold exactly the rows in use."""
        live = self.rows.live()
        if ivf is not None:
            if not (
                isinstance(ivf, faiss.IndexIVF)
                and ivf.d == self.rows.dim
                and ivf.metric_type == faiss.METRIC_INNER_PRODUCT
                and ivf.is_trained
                and np.array_equal(np.sort(ivf_ids(ivf)), live)
            ):
                raise ValueError("the IVF does not match the vectors")
            self.index = ivf
            self._held = np.zeros(self.rows.capacity, dtype=bool)
            self._held[live] = True
            self.trained_rows = int(trained_rows or self.rows.distinct)
            self._next_build_at = 2 * self.trained_rows
        self._build_if_due()

    def nbytes(self) -> int:
        total = self._held.nbytes + (0 if self._popular is None else self._popular.nbytes)
        ivf = self.index
        if ivf is not None:
            total += int(ivf.ntotal * (ivf.code_size + 8) + ivf.nlist * ivf.d * 4)
        return total

    def _pending_rows(self) -> np.ndarray:
        """Rows in use whose current vector the IVF does not hold yet."""
        if not self._add:
            return np.zeros(0, dtype=np.int64)
        rows = np.unique(np.asarray(self._add, dtype=np.int64))
        pending: np.ndarray = rows[(self.rows.refs[rows] > 0) & ~self._held[rows]]
        return pending

    def _popular_rows(self) -> np.ndarray:
        if self._popular is None:
            refs = self.rows.refs[: self.rows.used]
            count = min(IVF_POPULAR_ROWS, len(refs))
            if 0 < count < len(refs):
                top = np.argpartition(-refs, count - 1)[:count]
            else:
                top = np.arange(len(refs))
            self._popular = np.sort(top[refs[top] > 1]).astype(np.int64)
        return self._popular

    def _drop_index(self) -> None:
        self.index = None
        self._held[:] = False
        self._add, self._drop = [], []
        self._next_build_at = 0
        self.generation += 1  # a running build is abandoned
        self.building, self._changed = False, None

    def _build_if_due(self) -> None:
        """Train when the rows first reach IVF_MIN_ROWS, and again each time they double."""
        if self.building or self.rows.distinct < max(IVF_MIN_ROWS, self._next_build_at):
            return
        self.building = True
        self.generation += 1
        self._changed = []
        self._next_build_at = 2 * self.rows.distinct
        build.start(self, self.generation)


def ivf_ids(ivf: faiss.IndexIVF) -> np.ndarray:
    """The ids the IVF holds, list by list."""
    lists = ivf.invlists
    assert lists is not None
    parts = [
        faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
        for i in range(ivf.nlist)
        if lists.list_size(i)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _remove(ivf: faiss.IndexIVF, rows: np.ndarray) -> None:
    """ivf.remove_ids(rows) as faiss's wrapper does it (its stubs take only a selector)."""
    ivf.remove_ids(faiss.IDSelectorBatch(len(rows), faiss.swig_ptr(rows)))
