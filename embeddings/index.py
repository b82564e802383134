"""The FAISS index of profile passages, keyed by database ids, with an owner per passage.

Passage ids are the database's; the owner of a passage is the lawyer it describes. Searches
answer per owner (a lawyer's best passage), pre-filtered to the owners that passed the hard
rules. The index is derived data: a snapshot that cannot be trusted is refused on load and
the caller rebuilds from the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import shutil
import threading
import time
import uuid
import weakref
from collections.abc import Collection, Iterable, Iterator, Sequence
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

FORMAT_VERSION = 3
INDEX_FILE = "vectors.npy"  # (rows, dim) float32: row r is vector r; rows without passages are 0
IDS_FILE = "owners.npy"  # (n, 3) int64: passage id, owner id, row; an owner's passages adjacent
IVF_FILE = "ivf.faiss"  # faiss.write_index of the IVF over the rows (ids = rows); empty if none
MANIFEST_FILE = "manifest.json"
# Below this many allowed owners, their passages are scored directly; above, the best rows are
# scored first and their passages gathered per owner.
_GATHER_OWNERS = 2_000
# ...and also directly when the allowed owners' passages are fewer than this share of the rows:
# scoring them costs less than widening a row search until enough of them turn up.
_DIRECT_SHARE = 1 / 8
# An unfinished snapshot folder (a crashed save) is removed after this long; another process
# may still be writing a younger one.
_STALE_SNAPSHOT_SECONDS = 3600.0
# Score vectors kept for repeated searches of one query (see PassageIndex._scores_of).
_SCORE_CACHE = 8

# -- approximate candidate rows (module constants so that tests can lower them) -----------------
# From this many distinct vectors on, candidate rows come from an IVF over the rows and are then
# re-scored exactly: the exact matrix-vector product is memory-bound, ~56 ms at 350k rows.
IVF_MIN_ROWS = 100_000
# nlist = factor * sqrt(rows): at 350k rows 4*sqrt took 78 s of k-means for no recall or latency
# gain over 1*sqrt (3 s); see benchmarks/index_strategy.py
IVF_LIST_FACTOR = 1.0
IVF_TRAIN_PER_LIST = 64  # training sample per centroid (k-means cost is sample * nlist)
IVF_TRAIN_ITERATIONS = 10
# lists probed for the smallest candidate set: at 350k rows 32 gave row recall@50 0.996 on average
# but 0.84 for the worst query, 64 gives 0.98 for the worst (~1 ms more)
IVF_NPROBE = 64
# 4-bit codes: candidates are re-scored exactly, and re-scored recall@50 is the same as with 8 bits
# (0.994 at 350k rows) for half the memory; twice the candidates are fetched to make up for the
# coarser ranking of the tail.
IVF_CODE = "SQ4"
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
IVF_BACKGROUND = True  # train in a thread (searches stay exact meanwhile); tests train inline
IVF_ADD_CHUNK = 16_384  # rows copied per lock hold while a background build fills a new IVF
# Rows registered since the sorted hash arrays were built are kept in a dict up to this many.
_RECENT_HASHES = 65_536
# Dead slots (replaced passages) are compacted away once they outnumber half the live ones.
COMPACT_MIN_DEAD = 65_536
# The row -> slots map covers the slots that existed when it was built; later ones are scanned
# until they exceed this (or a sixteenth of the live slots).
_CSR_DELTA_MIN = 65_536
# Ids are kept in arrays indexed by id while the largest stays below factor * count (or the floor).
_DENSE_MIN_IDS = 1 << 22
_DENSE_ID_FACTOR = 4
_SCORE_CHUNK = 1_024  # rows gathered per matrix-vector product: the copy stays in cache


@dataclass(frozen=True, slots=True)
class OwnerHit:
    owner_id: int
    score: float
    passage_id: int


@dataclass(slots=True)
class _Scores:
    """One query's scores, kept while the index does not change."""

    full: np.ndarray | None = None  # every row, exact (-inf for unused rows)
    rows: np.ndarray | None = None  # IVF candidate rows, best first by exact score
    scores: np.ndarray | None = None
    reach: int = 0  # how many candidates were asked for


@dataclass(slots=True)
class _Filter:
    """Allowed owners, as present in the index."""

    count: int  # allowed owners present
    passages: int  # their passages
    ids: np.ndarray | None = None  # the owners themselves (scored directly), or
    mask: np.ndarray | None = None  # a mask over the dense owner-id range
    extra: np.ndarray | None = None  # plus allowed owners outside that range (rare)


class PassageIndex:
    """Passage vectors (L2-normalised float32, inner product) grouped by owner.

    Identical vectors (boilerplate sentences shared by many profiles; the catalog encodes each
    distinct text once) are stored once ("rows") and reference-counted, so memory and search time
    follow the number of distinct passages, not of passages ("slots"). Each owner's passages are
    one run of consecutive slots (replacing an owner appends a new run; dead runs are compacted
    away), passage and owner ids map to slots through arrays, and a row -> slots map gathers the
    passages of the best rows. Scores are always exact inner products. Up to IVF_MIN_ROWS rows the
    search is exact too: every row is scored with one matrix-vector product. Beyond, an IVF over the
    rows proposes candidate rows, which are re-scored exactly from the float32 matrix; searches
    widen until k allowed owners are found and fall back to the exact product when the candidates
    would be a large share of the rows, so a filtered search always fills k when it can.

    All public methods take one re-entrant lock, so a background change-feed update and
    request-time searches may run on different threads.
    """

    def __init__(self, dim: int, encoder_name: str, encoder_version: str) -> None:
        self.dim = int(dim)
        self.encoder_name = encoder_name
        self.encoder_version = encoder_version
        # distinct vectors ("rows"); free rows are zero and reused
        self._vectors = np.zeros((0, self.dim), dtype=np.float32)
        self._row_refs = np.zeros(0, dtype=np.int32)
        self._row_hash = np.zeros(0, dtype=np.uint64)
        # hash -> row, for finding a vector already stored: sorted arrays, plus a dict of the rows
        # registered since they were built (a dict of every row cost ~37 MB at 350k rows)
        self._hash_keys = np.zeros(0, dtype=np.uint64)
        self._hash_rows = np.zeros(0, dtype=np.int32)
        self._recent_hashes: dict[int, int] = {}
        self._rows_used = 0
        self._free_rows: list[int] = []
        self._distinct = 0
        # passages ("slots"): parallel arrays, appended in owner runs; a dead slot has row -1
        self._slot_pid = np.zeros(0, dtype=np.int32)  # both widened to int64 for ids beyond int32
        self._slot_owner = np.zeros(0, dtype=np.int32)
        self._slot_row = np.zeros(0, dtype=np.int32)
        self._slots_used = 0
        self._live_slots = 0
        self._owners = _IdMap((-1, 0))  # owner -> (first slot, passage count)
        self._slot_of = _IdMap((-1,))  # passage id -> slot
        # row -> live slots, for slots [0, _csr_end); later slots are scanned
        self._csr_ptr: np.ndarray | None = None
        self._csr_slots: np.ndarray | None = None
        self._csr_end = 0
        self._csr_dead = 0
        self._marks = np.zeros(0, dtype=np.int32)  # scratch: row -> position in a row list, else -1
        # the IVF over the rows: rows changed since it was updated are listed and scored exactly
        self._ivf: Any = None
        self._ivf_rows = 0  # distinct rows when it was trained
        self._in_ivf = np.zeros(0, dtype=bool)  # the IVF holds this row's current vector
        self._ivf_add: list[int] = []
        self._ivf_drop: list[int] = []
        self._popular: np.ndarray | None = None
        self._next_build_at = 0
        self._building = False
        self._build_generation = 0
        self._build_changed: list[int] | None = None  # rows changed while a build runs
        self._lock = RLock()
        # A match scores the same query up to three times (practice neighbours, the eligible
        # shortlist, the field-match shortlist); the last few results are kept, keyed by the query
        # bytes, and dropped on any change to the index.
        self._score_cache: dict[bytes, _Scores] = {}

    # -- storage ------------------------------------------------------------------------------

    def _new_row(self, vector: np.ndarray, key: int) -> int:
        if self._free_rows:
            row = self._free_rows.pop()
        else:
            row = self._rows_used
            self._rows_used += 1
            if row >= len(self._row_refs):
                size = _grown_size(len(self._row_refs), row + 1)
                self._vectors = _resized(self._vectors, size)
                self._row_refs = _resized(self._row_refs, size)
                self._row_hash = _resized(self._row_hash, size)
                self._in_ivf = _resized(self._in_ivf, size)
        self._vectors[row] = vector
        self._row_hash[row] = key
        self._recent_hashes[key] = row
        self._distinct += 1
        if self._ivf is not None:
            self._ivf_add.append(row)
        if self._build_changed is not None:
            self._build_changed.append(row)
        return row

    def _take_rows(self, vectors: np.ndarray) -> np.ndarray:
        """The row of each vector, adding the new ones; each gains one reference."""
        keys = _hash_rows(vectors)
        words = vectors.view(np.uint32)
        at = np.searchsorted(self._hash_keys, keys)
        listed = at < len(self._hash_keys)
        listed[listed] = self._hash_keys[at[listed]] == keys[listed]
        rows = np.empty(len(vectors), dtype=np.int64)
        for i, key in enumerate(keys.tolist()):
            row = self._recent_hashes.get(key)
            if row is None and listed[i]:
                row = int(self._hash_rows[at[i]])
            # a listed row may since have been freed or reused, or (vanishingly rare) collide
            if (
                row is not None
                and self._row_refs[row] > 0
                and self._row_hash[row] == key
                and np.array_equal(self._vectors[row].view(np.uint32), words[i])
            ):
                self._row_refs[row] += 1
            else:
                row = self._new_row(vectors[i], key)
                self._row_refs[row] = 1
            rows[i] = row
        if len(self._recent_hashes) > max(_RECENT_HASHES, len(self._hash_keys) // 4):
            self._sort_hashes()
        return rows

    def _sort_hashes(self) -> None:
        live = np.flatnonzero(self._row_refs[: self._rows_used] > 0)
        keys = self._row_hash[live]
        order = np.argsort(keys)
        self._hash_keys = keys[order]
        self._hash_rows = live[order].astype(np.int32)
        self._recent_hashes = {}

    def _release_rows(self, rows: np.ndarray) -> None:
        np.subtract.at(self._row_refs, rows, 1)
        freed = np.unique(rows[self._row_refs[rows] == 0])
        if len(freed) == 0:
            return
        for row, key in zip(freed.tolist(), self._row_hash[freed].tolist()):
            if self._recent_hashes.get(key) == row:
                del self._recent_hashes[key]
        self._free_rows.extend(freed.tolist())
        self._vectors[freed] = 0.0
        self._distinct -= len(freed)
        stale = freed[self._in_ivf[freed]]
        self._in_ivf[stale] = False
        self._ivf_drop.extend(stale.tolist())
        if self._build_changed is not None:
            self._build_changed.extend(freed.tolist())

    def _append_run(self, ids: np.ndarray, owner_id: int, rows: np.ndarray) -> int:
        start = self._slots_used
        end = start + len(ids)
        if end > len(self._slot_row):
            size = _grown_size(len(self._slot_row), end)
            self._slot_pid = _resized(self._slot_pid, size)
            self._slot_owner = _resized(self._slot_owner, size)
            self._slot_row = _resized(self._slot_row, size)
        if not -(2**31) <= owner_id < 2**31 and self._slot_owner.dtype != np.int64:
            self._slot_owner = self._slot_owner.astype(np.int64)
        if len(ids) and self._slot_pid.dtype != np.int64 and _narrowest(ids) is np.int64:
            self._slot_pid = self._slot_pid.astype(np.int64)
        self._slot_pid[start:end] = ids
        self._slot_owner[start:end] = owner_id
        self._slot_row[start:end] = rows
        self._slots_used = end
        self._live_slots += len(ids)
        return start

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
            slots = self._slot_of.get(ids)[:, 0]
            known = np.flatnonzero(slots >= 0)
            if len(known):
                holders = self._slot_owner[slots[known]]
                other = np.flatnonzero(holders != owner_id)
                if len(other):
                    pid, holder = int(ids[known[other[0]]]), int(holders[other[0]])
                    raise ValueError(f"passage {pid} belongs to owner {holder}, not {owner_id}")
            self._remove(owner_id)
            if len(ids):
                rows = self._take_rows(vectors)
                start = self._append_run(ids, owner_id, rows)
                self._slot_of.put(ids, np.arange(start, start + len(ids)))
                self._owners.put(np.array([owner_id]), np.array([[start, len(ids)]]))
            self._after_change()

    def remove_owner(self, owner_id: int) -> None:
        with self._lock:
            if self._remove(int(owner_id)):
                self._score_cache.clear()
                self._after_change()

    def _remove(self, owner_id: int) -> bool:
        run = self._owners.get_one(owner_id)
        if run is None:
            return False
        start, count = run
        end = start + count
        self._slot_of.drop(self._slot_pid[start:end].copy())
        self._owners.drop(np.array([owner_id]))
        self._release_rows(self._slot_row[start:end].astype(np.int64))
        self._slot_row[start:end] = -1
        self._live_slots -= count
        if start < self._csr_end:
            self._csr_dead += count
        return True

    def _after_change(self) -> None:
        self._maybe_compact()
        if self._ivf is not None:
            if self._distinct < IVF_MIN_ROWS // 2:
                self._drop_ivf()  # shrunk far below the threshold: exact search, memory back
            elif len(self._ivf_add) + len(self._ivf_drop) >= IVF_FLUSH_ROWS:
                self._flush_ivf()
        self._maybe_build_ivf()

    def _maybe_compact(self) -> None:
        dead = self._slots_used - self._live_slots
        if dead <= max(COMPACT_MIN_DEAD, self._live_slots // 2):
            return
        n = self._slots_used
        alive = self._slot_row[:n] >= 0
        keep = np.flatnonzero(alive)
        moved = np.cumsum(alive, dtype=np.int64) - 1  # old slot -> new slot (runs keep their order)
        m = len(keep)
        size = _grown_size(m, m)
        for name in ("_slot_pid", "_slot_owner", "_slot_row"):
            array = getattr(self, name)
            array[:m] = array[keep]
            setattr(self, name, _resized(array, size))
        self._slots_used = m
        self._owners.remap_first(moved)
        self._slot_of.remap_first(moved)
        self._csr_ptr = self._csr_slots = None
        self._csr_end = self._csr_dead = 0
        self._popular = None

    # -- inspection -------------------------------------------------------------------------

    def owners(self) -> set[int]:
        with self._lock:
            return self._owners.keys()

    @property
    def owner_count(self) -> int:
        return self._owners.count

    @property
    def distinct_vectors(self) -> int:
        return self._distinct

    def __len__(self) -> int:
        return self._live_slots

    def passage_ids(self, owner_id: int) -> list[int]:
        with self._lock:
            run = self._owners.get_one(int(owner_id))
            return [] if run is None else self._slot_pid[run[0] : run[0] + run[1]].tolist()

    def memory_bytes(self) -> int:
        """Arrays (vectors, passages, id maps, row -> slots), the IVF, and the dicts (estimated)."""
        with self._lock:
            arrays = (
                self._vectors, self._row_refs, self._row_hash, self._hash_keys, self._hash_rows,
                self._in_ivf, self._popular, self._slot_pid,
                self._slot_owner, self._slot_row, self._marks, self._csr_ptr, self._csr_slots,
            )  # fmt: skip
            total = sum(a.nbytes for a in arrays if a is not None)
            total += self._owners.nbytes() + self._slot_of.nbytes()
            total += _ivf_bytes(self._ivf)
            # dict entry plus two int objects, roughly
            dicts = (self._recent_hashes, self._owners.sparse, self._slot_of.sparse)
            total += 100 * sum(len(d) for d in dicts)
            return int(total)

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
            if self._owners.count == 0:
                return []
            flt = self._filter(allowed_owners)
            if flt is not None:
                if flt.count == 0:
                    return []
                if flt.ids is not None:
                    slots = self._owner_slots(flt.ids)
                    return self._top_owners(slots, self._slot_scores(query, slots), k)
            if self._use_ivf():
                hits = self._top_by_candidates(query, k, flt)
                if hits is not None:
                    return hits
            return self._top_by_rows(query, k, flt)

    def nearest(self, query: np.ndarray, k: int) -> list[tuple[int, int, float]]:
        """The k nearest passages of any owner, as (passage_id, owner_id, score), best first."""
        query = self._as_query(query)
        k = int(k)
        with self._lock:
            if self._live_slots == 0 or k <= 0:
                return []
            # every used row has a live passage, so the top k rows hold the top k passages
            want = min(k, self._distinct)
            rows = scores = None
            if self._use_ivf() and want <= self._distinct * IVF_EXACT_SHARE:
                rows, scores = self._candidates(query, max(want, IVF_MIN_CANDIDATES))
            if rows is not None and scores is not None and len(rows) >= want:
                hot = np.flatnonzero(scores >= scores[want - 1])
                slots, which = self._slots_of_rows(rows[hot])
                scores = scores[hot][which]
            else:
                row_scores = self._full_scores(query)
                slots = self._slots_of_best_rows(row_scores, want)
                scores = row_scores[self._slot_row[slots]]
            k = min(k, len(slots))
            top = np.argpartition(-scores, k - 1)[:k] if k < len(slots) else np.arange(len(slots))
            pids = self._slot_pid[slots[top]]
            top = top[np.lexsort((pids, -scores[top]))]
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
            return self._best_of(query, self._owner_slots(_id_array(owners)))

    def _best_of(self, query: np.ndarray, slots: np.ndarray) -> dict[int, OwnerHit]:
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

    def _owner_slots(self, owners: np.ndarray) -> np.ndarray:
        """The slots of these owners (distinct ids), vectorised over their runs."""
        runs = self._owners.get(owners)
        runs = runs[runs[:, 0] >= 0]
        return _ranges(runs[:, 0].astype(np.int64), runs[:, 1].astype(np.int64))

    def _filter(self, allowed: Collection[int] | np.ndarray | None) -> _Filter | None:
        """The allowed owners present: as ids when they (or their passages) are few, else a mask."""
        if allowed is None:
            return None
        counts = self._owners.fields[1]  # passages per owner id, 0 when absent
        if isinstance(allowed, np.ndarray) and allowed.dtype == bool:
            given = allowed.reshape(-1)
            if np.count_nonzero(given) <= _GATHER_OWNERS:
                return self._filter_ids(np.flatnonzero(given))
            # owners not present have no passages: the mask needs no masking of its own
            if len(given) >= len(counts):
                mask = given[: len(counts)]
            else:
                mask = np.zeros(len(counts), dtype=bool)
                mask[: len(given)] = given
            extra = [o for o in self._owners.sparse if 0 <= o < len(given) and given[o]]
        else:
            ids = np.unique(_id_array(allowed))
            if len(ids) <= _GATHER_OWNERS:
                return self._filter_ids(ids)
            mask = np.zeros(len(counts), dtype=bool)
            mask[ids[(ids >= 0) & (ids < len(counts))]] = True
            outside = ids[(ids < 0) | (ids >= len(counts))].tolist()
            extra = [o for o in outside if o in self._owners.sparse]
        allowed_counts = counts[mask]
        count = int(np.count_nonzero(allowed_counts)) + len(extra)
        passages = int(allowed_counts.sum()) + sum(self._owners.sparse[o][1] for o in extra)
        extra_ids = np.asarray(extra, dtype=np.int64)
        if passages <= self._distinct * _DIRECT_SHARE:
            ids = np.concatenate([np.flatnonzero(mask & (counts > 0)), extra_ids])
            return _Filter(count, passages, ids=ids)
        return _Filter(count, passages, mask=mask, extra=extra_ids)

    def _filter_ids(self, ids: np.ndarray) -> _Filter:
        runs = self._owners.get(ids)
        present = runs[:, 0] >= 0
        return _Filter(int(present.sum()), int(runs[present, 1].sum()), ids=ids[present])

    def _admitted(self, flt: _Filter, slots: np.ndarray) -> np.ndarray:
        """Which of these slots have an owner the (mask) filter allows."""
        assert flt.mask is not None
        owners = self._slot_owner[slots]
        if not self._owners.sparse:  # every owner id indexes the mask
            return flt.mask[owners]
        inside = (owners >= 0) & (owners < len(flt.mask))
        ok = np.zeros(len(slots), dtype=bool)
        ok[inside] = flt.mask[owners[inside]]
        if flt.extra is not None and len(flt.extra):
            ok |= np.isin(owners, flt.extra)
        return ok

    def _scores_of(self, query: np.ndarray) -> _Scores:
        key = query.tobytes()
        entry = self._score_cache.get(key)
        if entry is None:
            if len(self._score_cache) >= _SCORE_CACHE:
                del self._score_cache[next(iter(self._score_cache))]
            entry = self._score_cache[key] = _Scores()
        return entry

    def _score_rows(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact scores of these rows, gathered in cache-sized blocks."""
        q = query[0]
        if len(rows) <= _SCORE_CHUNK:
            return _inner_products(self._vectors[rows], q)
        out = np.empty(len(rows), dtype=np.float32)
        for i in range(0, len(rows), _SCORE_CHUNK):
            out[i : i + _SCORE_CHUNK] = _inner_products(self._vectors[rows[i : i + _SCORE_CHUNK]], q)
        return out

    def _slot_scores(self, query: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """Scores of these passages: from the query's row scores when already computed, else each
        distinct vector among them scored once."""
        rows = self._slot_row[slots]
        entry = self._score_cache.get(query.tobytes())
        if entry is not None and entry.full is not None:
            return entry.full[rows]
        unique, inverse = np.unique(rows, return_inverse=True)
        if len(unique) > self._rows_used // 4:
            return self._full_scores(query)[rows]
        return self._score_rows(query, unique)[inverse]

    def _full_scores(self, query: np.ndarray) -> np.ndarray:
        """The query's score against every row; unused rows score -inf. Read-only."""
        entry = self._scores_of(query)
        if entry.full is None:
            scores = _inner_products(self._vectors[: self._rows_used], query[0])
            if self._free_rows:
                scores[self._row_refs[: self._rows_used] == 0] = -np.inf
            entry.full = scores
        return entry.full

    # -- rows -> slots ------------------------------------------------------------------------

    def _ensure_csr(self) -> None:
        delta = self._slots_used - self._csr_end
        limit = max(_CSR_DELTA_MIN, self._live_slots // 16)
        if self._csr_ptr is not None and delta <= limit and self._csr_dead <= 4 * limit:
            return
        n = self._slots_used
        rows = self._slot_row[:n]
        order = np.argsort(rows)  # dead slots (-1) first; order within a row does not matter
        dead = n - self._live_slots
        counts = np.bincount(rows[order[dead:]], minlength=self._rows_used)
        ptr = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=ptr[1:])
        self._csr_slots = order[dead:].astype(np.int32)
        self._csr_ptr = ptr
        self._csr_end = n
        self._csr_dead = 0
        self._popular = None  # reference counts have moved on too

    def _slots_of_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The live slots holding these distinct rows, and where each one's row is in ``rows``."""
        self._ensure_csr()
        ptr, members = self._csr_ptr, self._csr_slots
        assert ptr is not None and members is not None
        rows = rows.astype(np.int64, copy=False)
        known = np.flatnonzero(rows < len(ptr) - 1)
        starts = ptr[rows[known]]
        counts = ptr[rows[known] + 1] - starts
        slots = members[_ranges(starts, counts)].astype(np.int64)
        which = np.repeat(known, counts)
        alive = self._slot_row[slots] == rows[which]  # dead slots have row -1
        slots, which = slots[alive], which[alive]
        if self._csr_end < self._slots_used:
            if len(self._marks) < self._rows_used + 1:
                self._marks = np.full(len(self._row_refs) + 1, -1, dtype=np.int32)
            marks = self._marks  # its last cell stays -1: dead slots (row -1) land there
            marks[rows] = np.arange(len(rows), dtype=np.int32)
            recent = marks[self._slot_row[self._csr_end : self._slots_used]]
            marks[rows] = -1
            fresh = np.flatnonzero(recent >= 0)
            slots = np.concatenate([slots, fresh + self._csr_end])
            which = np.concatenate([which, recent[fresh].astype(np.int64)])
        return slots, which

    def _slots_of_best_rows(self, row_scores: np.ndarray, rows: int) -> np.ndarray:
        """Live slots whose vector is among the ``rows`` best-scoring rows (ties at the cut too)."""
        total = len(row_scores)
        if rows < total:
            threshold = np.partition(row_scores, total - rows)[total - rows]
            return self._slots_of_rows(np.flatnonzero(row_scores >= threshold))[0]
        return np.flatnonzero(self._slot_row[: self._slots_used] >= 0)

    # -- exact search ---------------------------------------------------------------------------

    def _top_by_rows(self, query: np.ndarray, k: int, flt: _Filter | None) -> list[OwnerHit]:
        """Exact top owners, gathering passages of the best rows first and widening as needed.

        The owners found among the passages scoring at least the cut are the true top k as soon
        as there are k of them: every other owner's passages all score below the cut.
        """
        row_scores = self._full_scores(query)
        total_rows = len(row_scores)
        share = 1.0 if flt is None else flt.count / max(1, self._owners.count)
        # rows that should hold twice k allowed passages, at the average passages per row: the
        # best rows are usually the most shared ones, and a short window widens cheaply
        per_row = self._live_slots / max(1, self._distinct)
        rows = min(total_rows, max(64, math.ceil(2 * k / (max(share, 1e-6) * per_row))))
        while True:
            slots = self._slots_of_best_rows(row_scores, rows)
            if flt is not None:
                slots = slots[self._admitted(flt, slots)]
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

    # -- IVF candidates -------------------------------------------------------------------------

    def _use_ivf(self) -> bool:
        return self._ivf is not None and self._distinct >= IVF_MIN_ROWS

    def _top_by_candidates(
        self, query: np.ndarray, k: int, flt: _Filter | None
    ) -> list[OwnerHit] | None:
        """Top owners among the passages of the IVF's candidate rows (exact scores); None when the
        candidates would have to be so many that scoring every row is as cheap."""
        wanted = min(k, self._owners.count if flt is None else flt.count)
        # allowed passages per row, on average: how many rows should hold k allowed owners
        per_row = (self._live_slots if flt is None else flt.passages) / max(1, self._distinct)
        reach = max(IVF_MIN_CANDIDATES, math.ceil(4 * k / max(per_row, 1e-9)))
        while reach <= self._distinct * IVF_EXACT_SHARE:
            rows, scores = self._candidates(query, reach)
            slots, which = self._slots_of_rows(rows)
            slot_scores = scores[which]
            if flt is not None:
                keep = self._admitted(flt, slots)
                slots, slot_scores = slots[keep], slot_scores[keep]
            hits = self._top_owners(slots, slot_scores, k)
            if len(hits) >= wanted:
                # each owner with its best passage overall, not only among the candidates
                best = self._best_of(query, self._owner_slots(np.array([h.owner_id for h in hits])))
                return sorted(best.values(), key=_rank)
            reach *= 4
        return None

    def _candidates(self, query: np.ndarray, reach: int) -> tuple[np.ndarray, np.ndarray]:
        """About the ``reach`` best rows (IVF, plus rows changed since its last update), best first
        by exact score; the query's largest set so far is kept for its next searches."""
        entry = self._scores_of(query)
        if entry.rows is not None and entry.reach >= reach:
            assert entry.scores is not None
            return entry.rows, entry.scores
        if len(self._ivf_add) > 4 * IVF_FLUSH_ROWS:
            self._flush_ivf()
        ivf = self._ivf
        found = np.zeros(0, dtype=np.int64)
        if ivf.ntotal:
            per_list = max(1.0, ivf.ntotal / ivf.nlist)
            nprobe = min(ivf.nlist, max(IVF_NPROBE, math.ceil(IVF_PROBE_SLACK * reach / per_list)))
            params = faiss.SearchParametersIVF(nprobe=int(nprobe))
            _, ids = ivf.search(query, int(min(IVF_FETCH * reach, ivf.ntotal)), params=params)
            found = ids[0][ids[0] >= 0]
            found = found[self._in_ivf[found]]  # drop entries of freed or changed rows
        popular = self._popular_rows()
        popular = popular[self._row_refs[popular] > 0]
        rows = np.unique(np.concatenate([found, self._pending_rows(), popular]))
        scores = self._score_rows(query, rows)
        order = np.lexsort((rows, -scores))[:reach]
        entry.rows, entry.scores, entry.reach = rows[order], scores[order], reach
        return entry.rows, entry.scores

    def _popular_rows(self) -> np.ndarray:
        if self._popular is None:
            refs = self._row_refs[: self._rows_used]
            count = min(IVF_POPULAR_ROWS, len(refs))
            if 0 < count < len(refs):
                top = np.argpartition(-refs, count - 1)[:count]
            else:
                top = np.arange(len(refs))
            self._popular = np.sort(top[refs[top] > 1]).astype(np.int64)
        return self._popular

    def _pending_rows(self) -> np.ndarray:
        """Rows in use whose current vector the IVF does not hold yet."""
        if not self._ivf_add:
            return np.zeros(0, dtype=np.int64)
        rows = np.unique(np.asarray(self._ivf_add, dtype=np.int64))
        return rows[(self._row_refs[rows] > 0) & ~self._in_ivf[rows]]

    def _flush_ivf(self) -> None:
        """Bring the IVF up to date with the rows (a few ms per thousand rows)."""
        if self._ivf_drop:
            self._ivf.remove_ids(np.unique(np.asarray(self._ivf_drop, dtype=np.int64)))
            self._ivf_drop = []
        if self._ivf_add:
            rows = self._pending_rows()
            if len(rows):
                self._ivf.add_with_ids(self._vectors[rows], rows)
                self._in_ivf[rows] = True
            self._ivf_add = []

    def _drop_ivf(self) -> None:
        self._ivf = None
        self._in_ivf[:] = False
        self._ivf_add, self._ivf_drop = [], []
        self._next_build_at = 0
        self._build_generation += 1  # a running build is abandoned
        self._building, self._build_changed = False, None

    def _maybe_build_ivf(self) -> None:
        """Train when the rows first reach IVF_MIN_ROWS, and again each time they double."""
        if self._building or self._distinct < max(IVF_MIN_ROWS, self._next_build_at):
            return
        self._building = True
        self._build_generation += 1
        self._build_changed = []
        self._next_build_at = 2 * self._distinct
        args = (weakref.ref(self), self._build_generation)
        if IVF_BACKGROUND:
            threading.Thread(target=_build_ivf, args=args, name="passage-ivf", daemon=True).start()
        else:
            _build_ivf(*args)

    def _install_ivf(self, ivf: Any, added: np.ndarray, trained_rows: int) -> None:
        """Swap in a freshly built IVF; rows changed while it was built become pending."""
        changed = np.unique(np.asarray(self._build_changed or [], dtype=np.int64))
        held = np.zeros(len(self._row_refs), dtype=bool)
        held[added] = True
        stale = changed[held[changed]]
        if len(stale):
            ivf.remove_ids(stale)
            held[stale] = False
        self._ivf = ivf
        self._in_ivf = held
        self._ivf_drop = []
        self._ivf_add = changed[(self._row_refs[changed] > 0) & ~held[changed]].tolist()
        self._ivf_rows = trained_rows
        self._building, self._build_changed = False, None
        self._popular = None
        self._score_cache.clear()

    # -- persistence ------------------------------------------------------------------------

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
        directory = Path(directory)
        parent = directory.parent
        parent.mkdir(parents=True, exist_ok=True)
        snapshot = (
            parent / f".{directory.name}.{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        )
        snapshot.mkdir()
        try:
            # Written under the lock, straight from the arrays: a copy of the vectors would double
            # their memory at 1M profiles (the catalog holds its own lock through a save anyway).
            # Rows keep their numbers (free rows are saved as zeros), so the IVF's ids stay valid.
            with self._lock:
                if self._ivf is not None:
                    self._flush_ivf()
                alive = np.flatnonzero(self._slot_row[: self._slots_used] >= 0)
                triples = np.empty((len(alive), 3), dtype=np.int64)
                triples[:, 0] = self._slot_pid[alive]
                triples[:, 1] = self._slot_owner[alive]
                triples[:, 2] = self._slot_row[alive]
                del alive
                np.save(snapshot / INDEX_FILE, self._vectors[: self._rows_used], allow_pickle=False)
                np.save(snapshot / IDS_FILE, triples, allow_pickle=False)
                del triples
                if self._ivf is not None:
                    faiss.write_index(self._ivf, str(snapshot / IVF_FILE))
                else:
                    (snapshot / IVF_FILE).write_bytes(b"")
                manifest: dict[str, Any] = {
                    "format_version": FORMAT_VERSION,
                    "encoder_name": self.encoder_name,
                    "encoder_version": self.encoder_version,
                    "dim": self.dim,
                    "passage_count": self._live_slots,
                    "owner_count": self._owners.count,
                    "vector_count": self._distinct,
                    "row_count": self._rows_used,
                    "ivf_rows": self._ivf_rows if self._ivf is not None else 0,
                }
            files = {name: f"{name}.npz" for name in attachments or {}}
            for name, arrays in (attachments or {}).items():
                np.savez(snapshot / files[name], **arrays)
            manifest |= {
                "created_at": datetime.now(UTC).isoformat(),
                "index_sha256": _sha256(snapshot / INDEX_FILE),
                "ids_sha256": _sha256(snapshot / IDS_FILE),
                "ivf_sha256": _sha256(snapshot / IVF_FILE),
                "attachments": {name: {"file": file, "sha256": _sha256(snapshot / file)} for name, file in files.items()},
                "extra": extra or {},
            }
            (snapshot / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True))
            for name in (INDEX_FILE, IDS_FILE, IVF_FILE, *files.values(), MANIFEST_FILE):
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
        """The saved index and its manifest (its "attachments" holding the saved arrays), or None
        (logged) when it cannot be used."""
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
            for name, key in (
                (INDEX_FILE, "index_sha256"),
                (IDS_FILE, "ids_sha256"),
                (IVF_FILE, "ivf_sha256"),
            ):
                if _sha256(directory / name) != manifest.get(key):
                    logger.warning(
                        "index snapshot %s not used: %s checksum differs", directory, name
                    )
                    return None
            attachments: dict[str, dict[str, np.ndarray]] = {}
            for name, entry in (manifest.get("attachments") or {}).items():
                file = directory / Path(entry["file"]).name
                if _sha256(file) != entry.get("sha256"):
                    logger.warning("index snapshot %s not used: %s checksum differs", directory, file.name)
                    return None
                with np.load(file, allow_pickle=False) as arrays:
                    attachments[name] = {key: arrays[key] for key in arrays.files}
            vectors = np.load(directory / INDEX_FILE, allow_pickle=False)
            triples = np.load(directory / IDS_FILE, allow_pickle=False)
            if (
                vectors.ndim != 2
                or vectors.dtype != np.float32
                or vectors.shape != (manifest.get("row_count"), dim)
                or triples.ndim != 2
                or triples.shape[1] != 3
                or triples.dtype != np.int64
                or len(triples) != manifest.get("passage_count")
                or (len(triples) and triples[:, 2].min() < 0)
                or (len(triples) and triples[:, 2].max() >= len(vectors))
            ):
                raise ValueError("index and owner mapping disagree")
            ivf = None
            if (directory / IVF_FILE).stat().st_size:
                ivf = faiss.read_index(str(directory / IVF_FILE))
            loaded = cls(dim, encoder_name, encoder_version)
            loaded._import(vectors, triples, ivf, manifest)
            manifest["attachments"] = attachments
            del vectors, triples
            _return_free_memory()
        except FileNotFoundError as exc:
            logger.info("no usable index snapshot at %s: %s", directory, exc)
            return None
        except Exception as exc:  # a damaged snapshot is rebuilt, never fatal
            logger.warning("index snapshot %s not used: %s: %s", directory, type(exc).__name__, exc)
            return None
        return loaded, manifest

    def _import(
        self, vectors: np.ndarray, triples: np.ndarray, ivf: Any, manifest: dict[str, Any]
    ) -> None:
        """Take over a snapshot's arrays (vectorised: seconds at 1M profiles); raises if they
        disagree."""
        if not (vectors.flags.owndata and vectors.flags.c_contiguous):
            vectors = np.array(vectors, dtype=np.float32, order="C")
        n = len(triples)
        self._vectors = vectors
        self._rows_used = len(vectors)
        refs = np.bincount(triples[:, 2], minlength=len(vectors))
        if len(refs) and refs.max() >= 2**31:
            raise ValueError("index and owner mapping disagree: reference counts overflow")
        self._row_refs = refs.astype(np.int32)
        live = np.flatnonzero(refs)
        self._distinct = len(live)
        if self._distinct != manifest.get("vector_count"):
            raise ValueError("index and owner mapping disagree: distinct vector count")
        self._free_rows = np.flatnonzero(refs == 0).tolist()
        self._row_hash = _hash_rows(vectors)
        self._sort_hashes()
        owners = triples[:, 1]
        self._slot_pid = triples[:, 0].astype(_narrowest(triples[:, 0]))
        self._slot_owner = owners.astype(_narrowest(owners))
        self._slot_row = triples[:, 2].astype(np.int32)
        self._slots_used = self._live_slots = n
        # each owner's passages are adjacent in the file: one run per owner
        starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if n else np.zeros(0, int)
        counts = np.diff(np.r_[starts, n])
        run_owners = owners[starts]
        if len(np.unique(run_owners)) != len(run_owners) or len(run_owners) != manifest.get(
            "owner_count"
        ):
            raise ValueError("index and owner mapping disagree: owners' passages are not adjacent")
        self._owners.put(run_owners, np.stack([starts, counts], axis=1))
        self._slot_of.put(triples[:, 0], np.arange(n))
        if n and not np.array_equal(self._slot_of.get(triples[:, 0])[:, 0], np.arange(n)):
            raise ValueError("index and owner mapping disagree: duplicate passage ids")
        self._in_ivf = np.zeros(len(vectors), dtype=bool)
        if ivf is not None:
            if not (
                isinstance(ivf, faiss.IndexIVF)
                and ivf.d == self.dim
                and ivf.metric_type == faiss.METRIC_INNER_PRODUCT
                and ivf.is_trained
                and np.array_equal(np.sort(_ivf_ids(ivf)), live)
            ):
                raise ValueError("the IVF does not match the vectors")
            self._ivf = ivf
            self._in_ivf[live] = True
            self._ivf_rows = int(manifest.get("ivf_rows") or self._distinct)
            self._next_build_at = 2 * self._ivf_rows
        self._maybe_build_ivf()


class _IdMap:
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
        return sum(field.nbytes for field in self.fields)

    def _grow(self, need: int) -> None:
        old = self.size
        size = _grown_size(old, need)
        for column, fill in enumerate(self.fill):
            self.fields[column] = _resized(self.fields[column], size)
            self.fields[column][old:] = fill
        for key in [k for k in self.sparse if 0 <= k < size]:  # now covered by the arrays
            record = self.sparse.pop(key)
            for field, value in zip(self.fields, record):
                field[key] = value


@contextlib.contextmanager
def _current(ref: weakref.ref[PassageIndex], generation: int) -> Iterator[PassageIndex | None]:
    """The index, locked, while this build is still wanted; None once the index is gone (a
    rebuild replaced it) or the build was abandoned."""
    index = ref()
    if index is None:
        yield None
        return
    with index._lock:
        yield index if index._build_generation == generation else None


def _build_ivf(ref: weakref.ref[PassageIndex], generation: int) -> None:
    """Train an IVF on a sample of the rows and fill it, holding the lock only to copy rows.

    Holds only a weak reference between steps: an index replaced meanwhile (a rebuild) is not
    kept alive, and the build stops.
    """
    started = time.perf_counter()
    try:
        with _current(ref, generation) as index:
            if index is None:
                return
            live = np.flatnonzero(index._row_refs[: index._rows_used] > 0)
            nlist = max(1, min(len(live), int(IVF_LIST_FACTOR * math.sqrt(len(live)))))
            rng = np.random.default_rng(generation)
            size = min(len(live), IVF_TRAIN_PER_LIST * nlist)
            sample = np.sort(rng.choice(live, size=size, replace=False))
            training = index._vectors[sample]
            dim = index.dim
        del index
        ivf = faiss.index_factory(dim, f"IVF{nlist},{IVF_CODE}", faiss.METRIC_INNER_PRODUCT)
        ivf.cp.niter = IVF_TRAIN_ITERATIONS
        ivf.cp.min_points_per_centroid = 1  # the sample is deliberately small
        ivf.cp.max_points_per_centroid = max(IVF_TRAIN_PER_LIST, 1)
        ivf.train(training)
        del training
        trained = time.perf_counter()
        added = []
        for start in range(0, len(live), IVF_ADD_CHUNK):
            with _current(ref, generation) as index:
                if index is None:
                    return
                rows = live[start : start + IVF_ADD_CHUNK]
                rows = rows[index._row_refs[rows] > 0]
                vectors = index._vectors[rows]
            del index
            ivf.add_with_ids(vectors, rows)
            added.append(rows)
        with _current(ref, generation) as index:
            if index is None:
                return
            held = np.concatenate(added) if added else np.zeros(0, dtype=np.int64)
            index._install_ivf(ivf, held, len(live))
        del index, ivf, added, held
        _return_free_memory()  # the training sample and the copied chunks
        logger.info(
            "passage IVF built: %d rows, %d lists, trained in %.1f s, filled in %.1f s",
            len(live), nlist, trained - started, time.perf_counter() - trained,
        )  # fmt: skip
    except Exception:
        logger.exception("passage IVF not built; searches stay exact")
        with _current(ref, generation) as index:
            if index is not None:
                index._building, index._build_changed = False, None


def _return_free_memory() -> None:
    """Hand freed heap memory back to the system: glibc keeps the arenas that one-off transients
    (a load's arrays, an IVF build's copies) grew, which showed as ~100 MB of RSS at 1M profiles."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _ivf_ids(ivf: Any) -> np.ndarray:
    lists = ivf.invlists
    parts = [
        faiss.rev_swig_ptr(lists.get_ids(i), lists.list_size(i)).copy()
        for i in range(ivf.nlist)
        if lists.list_size(i)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _ivf_bytes(ivf: Any) -> int:
    if ivf is None:
        return 0
    return int(ivf.ntotal * (ivf.code_size + 8) + ivf.nlist * ivf.d * 4)


_HASH_MULTIPLIERS: dict[int, np.ndarray] = {}


def _hash_rows(vectors: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row's bytes (a random linear form over its 32-bit words), vectorised;
    equal hashes are confirmed by comparing the vectors."""
    words = np.ascontiguousarray(vectors, dtype=np.float32).view(np.uint32)
    dim = words.shape[1]
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


def _id_array(ids: Iterable[int] | np.ndarray) -> np.ndarray:
    if isinstance(ids, np.ndarray):
        return ids.astype(np.int64, copy=False).reshape(-1)
    ids = ids if isinstance(ids, Collection) else list(ids)
    return np.fromiter((int(i) for i in ids), dtype=np.int64, count=len(ids))


def _inner_products(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """vectors @ query by FAISS's SIMD kernel: twice as fast as single-threaded BLAS here, and
    each row's score is computed alike whichever other rows are in the call, so a row scored
    alone, in a subset or in the full pass gets the same float."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    query = np.ascontiguousarray(query, dtype=np.float32)
    out = np.empty(len(vectors), dtype=np.float32)
    if len(vectors):
        faiss.fvec_inner_products_ny(faiss.swig_ptr(out), faiss.swig_ptr(query), faiss.swig_ptr(vectors), len(query), len(vectors))
    return out


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ranges [start, start + count), vectorised."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    return np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - counts), counts)


def _grown_size(size: int, need: int) -> int:
    # a 32nd more, not double: the vector matrix is most of the memory at 1M profiles, and growing
    # in place (realloc) costs little more than the new part
    return max(need, size + max(size // 32, 1024))


def _narrowest(values: np.ndarray) -> type:
    fits = not len(values) or (values.min() >= -(2**31) and values.max() < 2**31)
    return np.int32 if fits else np.int64


def _resized(array: np.ndarray, length: int) -> np.ndarray:
    """The array with ``length`` rows (new ones zero). In place when it owns its memory: realloc
    grows a large block without a second copy alive. No view of these arrays outlives the lock."""
    if array.flags.owndata and array.flags.c_contiguous and array.base is None:
        array.resize((length,) + array.shape[1:], refcheck=False)
        return array
    resized = np.zeros((length,) + array.shape[1:], dtype=array.dtype)
    keep = min(length, len(array))
    resized[:keep] = array[:keep]
    return resized


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
