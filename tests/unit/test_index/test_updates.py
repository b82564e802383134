"""Replacing and removing owners: rows shared and freed, slots compacted, ids mapped."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from embeddings.index import PassageIndex
from embeddings.index import ivf as ivf_module
from embeddings.index import rows as rows_module
from embeddings.index.ids import IdMap
from embeddings.index.rows import RowStore
from tests.unit.test_index.pool import (
    DIM,
    Pool,
    exact_per_owner,
    recall,
    same_hits,
    unit,
)


def test_replace_and_remove_owner() -> None:
    index = PassageIndex(3, "e", "1")
    x, y, z = unit(np.eye(3))
    index.replace_owner(1, [10, 11], np.stack([x, y]))
    index.replace_owner(2, [20], z[None, :])
    assert (len(index), index.owner_count, index.owners()) == (3, 2, {1, 2})

    index.replace_owner(1, [12], z[None, :])  # the old passages 10 and 11 go
    assert (len(index), index.passage_ids(1)) == (2, [12])
    hits = index.best_by_owner(x, 5)
    assert {h.passage_id for h in hits} == {12, 20}
    assert all(h.score == pytest.approx(0.0, abs=1e-6) for h in hits)

    index.remove_owner(2)
    index.remove_owner(2)  # removing twice is harmless
    assert (len(index), index.owners()) == (1, {1})
    assert [h.owner_id for h in index.best_by_owner(z, 5)] == [1]

    index.replace_owner(1, [], np.zeros((0, 3), dtype=np.float32))
    assert (len(index), index.owner_count, index.best_by_owner(z, 5)) == (0, 0, [])


def test_replace_owner_refuses_bad_input() -> None:
    index = PassageIndex(3, "e", "1")
    index.replace_owner(1, [10], unit(np.eye(3)[:1]))
    with pytest.raises(ValueError, match="belongs to owner 1"):
        index.replace_owner(2, [10], unit(np.eye(3)[:1]))
    with pytest.raises(ValueError, match="vectors"):
        index.replace_owner(2, [20, 21], unit(np.eye(3)[:1]))
    with pytest.raises(ValueError, match="duplicate"):
        index.replace_owner(2, [20, 20], unit(np.eye(3)[:2]))
    assert (len(index), index.owners()) == (1, {1})


def test_searches_run_while_a_thread_updates() -> None:
    pool = Pool(500, seed=5)
    index = pool.index()
    stop = threading.Event()
    errors: list[BaseException] = []
    rng = np.random.default_rng(9)

    def update() -> None:
        try:
            step = 0
            while not stop.is_set():
                owner = step % 50
                step += 1
                ids = np.arange(10**6 + step * 10, 10**6 + step * 10 + 3, dtype=np.int64)
                index.replace_owner(owner, ids, unit(rng.normal(size=(3, DIM))))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=update)
    thread.start()
    try:
        for _ in range(300):
            allowed = set(range(0, 100, 3))
            hits = index.best_by_owner(pool.query(), 10, allowed)
            assert len(hits) == 10 and len({h.owner_id for h in hits}) == 10
    finally:
        stop.set()
        thread.join()
    assert not errors and index.owner_count == 500


@pytest.mark.usefixtures("small_ivf")
@pytest.mark.parametrize("ivf", [False, True])
def test_compaction_keeps_results(ivf: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not ivf:
        monkeypatch.setattr(ivf_module, "IVF_MIN_ROWS", 10**9)
    pool = Pool(2_500, seed=25, clusters=64)
    index = pool.index()
    assert index._ivf.usable() == ivf
    rng = np.random.default_rng(26)
    owners = list(pool.passages)
    for step in range(3_000):  # replacing appends a new run; the dead ones are compacted away
        owner = owners[int(rng.integers(len(owners)))]
        ids, vectors = pool.passages[owner]
        if step % 3 == 0:  # new passages and vectors
            ids = ids + 1_000_000
            vectors = unit(rng.normal(size=vectors.shape))
            pool.passages[owner] = (ids, vectors)
        index.replace_owner(owner, ids, vectors)
    assert index._slots.used <= 1.5 * len(index) + 16  # compacted at least once
    fresh = pool.index()
    assert (len(index), index.owners(), index.distinct_vectors) == (
        len(fresh), fresh.owners(), fresh.distinct_vectors
    )  # fmt: skip
    assert all(index.passage_ids(o) == pool.passages[o][0].tolist() for o in owners[:50])
    for _ in range(5):
        query = pool.query()
        mask = pool.rng.random(2_500) < 0.4
        for allowed in (None, mask):
            hits = index.best_by_owner(query, 50, allowed)
            exact_per_owner(pool, query, hits)
            if not ivf:
                same_hits(hits, fresh.best_by_owner(query, 50, allowed))
            else:
                allowed_set = None if allowed is None else set(np.flatnonzero(mask).tolist())
                assert recall(hits, pool.expected(query, 50, allowed_set)) >= 0.85
        nearest = [p for p, _, _ in index.nearest(query, 20)]
        assert nearest[:5] == [p for p, _, _ in fresh.nearest(query, 20)][:5]


def test_hash_collisions_never_merge_different_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    # every vector hashes alike: only comparing the vectors tells them apart
    monkeypatch.setattr(rows_module, "hash_rows", lambda v: np.zeros(len(v), dtype=np.uint64))
    monkeypatch.setattr(rows_module, "_RECENT_HASHES", 8)  # the sorted hash arrays in play too
    rng = np.random.default_rng(29)
    shared = unit(rng.normal(size=(1, DIM)))
    pool = Pool(0)
    index = PassageIndex(DIM, "e", "1")
    for owner in range(300):
        vectors = np.vstack([unit(rng.normal(size=(2, DIM))), shared])
        ids = np.arange(owner * 10, owner * 10 + 3)
        index.replace_owner(owner, ids, vectors)
        pool.passages[owner] = (ids, vectors)
    assert index.distinct_vectors >= 2 * 300 + 1
    for _ in range(5):
        query = pool.query()
        same_hits(index.best_by_owner(query, 30), pool.expected(query, 30))
    assert [h.owner_id for h in index.best_by_owner(shared[0], 3)] == [0, 1, 2]


def test_rows_are_shared_by_equal_vectors_and_freed_rows_reused() -> None:
    store = RowStore(DIM)
    a, b = unit(np.random.default_rng(30).normal(size=(2, DIM)))
    rows, stored = store.take(np.stack([a, b, a]))
    assert rows.tolist() == [0, 1, 0] and stored == [0, 1]
    assert (store.distinct, store.refs[:2].tolist()) == (2, [2, 1])
    assert store.release(np.array([0, 1])).tolist() == [1]  # a is still held once
    assert store.distinct == 1 and not store.vectors[1].any()
    rows, stored = store.take(np.stack([b, a]))
    assert rows.tolist() == [1, 0] and stored == [1]  # the freed row, reused
    assert (store.used, store.distinct, store.live().tolist()) == (2, 2, [0, 1])


def test_id_map_keeps_far_ids_in_a_dict_until_the_arrays_reach_them() -> None:
    ids = IdMap((-1, 0))
    ids.put(np.array([3, 2**40]), np.array([[30, 1], [40, 2]]))
    assert ids.sparse == {2**40: (40, 2)} and ids.size < 2**40
    assert ids.get(np.array([3, 2**40, 5])).tolist() == [[30, 1], [40, 2], [-1, 0]]
    assert (ids.get_one(3), ids.get_one(4), ids.keys(), ids.count) == ((30, 1), None, {3, 2**40}, 2)
    ids.remap_first(np.arange(64) * 2)  # compaction renumbers the first field of each record
    assert (ids.get_one(3), ids.get_one(2**40)) == ((60, 1), (80, 2))
    ids.drop(np.array([2**40, 3]))
    assert (ids.sparse, ids.count, ids.keys()) == ({}, 0, set())
