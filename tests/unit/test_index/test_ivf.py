"""Above the IVF threshold (lowered so that small pools take the approximate path)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from embeddings.index import PassageIndex
from embeddings.index import build as build_module
from tests.unit.test_index.pool import (
    DIM,
    Pool,
    boilerplate_pool,
    exact_per_owner,
    near,
    recall,
    remove_every_seventh,
    same_hits,
    unit,
)


@pytest.mark.usefixtures("small_ivf")
def test_ivf_search_is_exact_on_what_it_returns_and_finds_most(
    ivf_pool: Pool, ivf_index: PassageIndex
) -> None:
    recalls = []
    for _ in range(10):
        query = ivf_pool.query()
        for allowed in (None, ivf_pool.rng.random(6_000) < 0.3):
            allowed_set = None if allowed is None else set(np.flatnonzero(allowed).tolist())
            hits = ivf_index.best_by_owner(query, 50, allowed)
            assert len(hits) == 50
            assert allowed_set is None or {h.owner_id for h in hits} <= allowed_set
            exact_per_owner(ivf_pool, query, hits)
            recalls.append(recall(hits, ivf_pool.expected(query, 50, allowed_set)))
        nearest = ivf_index.nearest(query, 40)
        assert len(nearest) == 40
        assert [s for _, _, s in nearest] == sorted((s for _, _, s in nearest), reverse=True)
        for pid, owner, score in nearest:
            ids, vectors = ivf_pool.passages[owner]
            assert score == pytest.approx(float(vectors[list(ids).index(pid)] @ query), abs=1e-5)
    assert np.mean(recalls) >= 0.9


@pytest.mark.usefixtures("small_ivf")
@pytest.mark.parametrize("as_mask", [True, False])
def test_ivf_filter_that_fights_the_query_still_fills_k(
    ivf_pool: Pool, ivf_index: PassageIndex, as_mask: bool
) -> None:
    query = ivf_pool.query()
    ranked = [h.owner_id for h in ivf_pool.expected(query, 6_000)]
    worst = ranked[-2_500:]  # the best rows hold none of them: widening, then exact search
    allowed: set[int] | np.ndarray = set(worst)
    if as_mask:
        allowed = np.zeros(6_000, dtype=bool)
        allowed[worst] = True
    for k in (1, 50, 200):
        hits = ivf_index.best_by_owner(query, k, allowed)
        assert len(hits) == k and {h.owner_id for h in hits} <= set(worst)
        exact_per_owner(ivf_pool, query, hits)
        assert recall(hits, ivf_pool.expected(query, k, set(worst))) >= 0.9


@pytest.mark.usefixtures("small_ivf")
def test_ivf_narrow_filters_and_scores_for_owners_are_exact(
    ivf_pool: Pool, ivf_index: PassageIndex
) -> None:
    query = ivf_pool.query()
    for size in (30, 300, 3_000):
        allowed = set(ivf_pool.rng.choice(6_000, size=size, replace=False).tolist())
        hits = ivf_index.best_by_owner(query, 40, allowed)
        assert len(hits) == min(40, size)
        if size <= 300:  # few allowed passages: scored directly, exact
            same_hits(hits, ivf_pool.expected(query, 40, allowed))
        scored = ivf_index.scores_for_owners(query, allowed)
        assert set(scored) == allowed
        ranked = sorted(scored.values(), key=lambda h: (-h.score, h.owner_id))
        same_hits(ranked, ivf_pool.expected(query, size, allowed))


@pytest.mark.usefixtures("small_ivf")
def test_ivf_sees_owners_added_replaced_and_removed_after_training() -> None:
    pool = Pool(3_000, seed=22, clusters=64)
    index = pool.index()
    assert index._ivf.usable()
    rng = np.random.default_rng(23)
    query = pool.query()
    # added after training: first as pending rows, then (past IVF_FLUSH_ROWS) inside the IVF
    near_owners: set[int] = set()
    for round_ in range(3):
        added = list(range(10_000 + 100 * round_, 10_000 + 100 * round_ + 30))
        for owner in added:
            ids = np.arange(owner * 10, owner * 10 + 2)
            vectors = np.vstack([near(query, rng, 1), unit(rng.normal(size=(1, DIM)))])
            index.replace_owner(owner, ids, vectors)
            pool.passages[owner] = (ids, vectors)
        near_owners |= set(added)
        assert {h.owner_id for h in index.best_by_owner(query, len(near_owners))} == near_owners
        index.remove_owner(added[0])
        del pool.passages[added[0]]
        near_owners.discard(added[0])
        assert {h.owner_id for h in index.best_by_owner(query, len(near_owners))} == near_owners
    # replaced: the old near passages are gone, the new ones found
    moved = 10_001
    far = unit(-query[None, :] + 0.01 * rng.normal(size=(1, DIM)))
    index.replace_owner(moved, [moved * 10 + 5], far)
    pool.passages[moved] = (np.array([moved * 10 + 5]), far)
    assert moved not in {h.owner_id for h in index.best_by_owner(query, 200)}
    assert all(pid != moved * 10 for pid, _, _ in index.nearest(query, 100))
    assert index.best_by_owner(-query, 1)[0].owner_id == moved
    assert index.passage_ids(moved) == [moved * 10 + 5]
    for _ in range(5):
        q = pool.query()
        hits = index.best_by_owner(q, 50)
        assert len(hits) == 50
        exact_per_owner(pool, q, hits)
        assert recall(hits, pool.expected(q, 50)) >= 0.8


@pytest.mark.usefixtures("small_ivf")
def test_ivf_shared_and_freed_rows() -> None:
    # boilerplate rows shared by many owners; removals free rows that are reused by new vectors
    rng = np.random.default_rng(24)
    index, pool, shared = boilerplate_pool(rng)
    assert index._ivf.usable()
    remove_every_seventh(index, pool)
    for owner in range(3_000, 3_200):  # reuses the freed rows
        vectors = unit(rng.normal(size=(2, DIM)))
        ids = np.arange(owner * 10, owner * 10 + 2)
        index.replace_owner(owner, ids, vectors)
        pool.passages[owner] = (ids, vectors)
    query = shared[2]
    hits = index.best_by_owner(query, 100)
    exact_per_owner(pool, query, hits)
    assert all(h.score == pytest.approx(1.0, abs=1e-5) for h in hits)
    # ties by owner id
    assert [h.owner_id for h in hits] == sorted(o for o in pool.passages if o % 5 == 2)[:100]
    nearest = index.nearest(query, 40)
    assert len(nearest) == 40 and all(abs(score - 1.0) < 1e-5 for _, _, score in nearest)
    assert [pid for pid, _, _ in nearest] == sorted(pid for pid, _, _ in nearest)
    assert all(owner in pool.passages for _, owner, _ in nearest)
    assert index.distinct_vectors == 5 + 2 * len(pool.passages)


@pytest.mark.usefixtures("small_ivf")
def test_background_training_serves_meanwhile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "IVF_BACKGROUND", True)
    monkeypatch.setattr(build_module, "IVF_ADD_CHUNK", 500)
    pool = Pool(3_000, seed=27, clusters=64)
    index = pool.index()
    rng = np.random.default_rng(28)
    deadline = time.monotonic() + 60
    step = 0
    while True:  # updates and searches while the IVF is built in a thread
        step += 1
        owner = 5_000 + step
        ids = np.arange(owner * 10, owner * 10 + 2)
        vectors = unit(rng.normal(size=(2, DIM)))
        index.replace_owner(owner, ids, vectors)
        pool.passages[owner] = (ids, vectors)
        query = pool.query()
        hits = index.best_by_owner(query, 20)
        assert len(hits) == 20
        exact_per_owner(pool, query, hits)
        if index._ivf.usable() and not index._ivf.building:
            break
        assert time.monotonic() < deadline, "the IVF was never built"
    for _ in range(5):
        query = pool.query()
        hits = index.best_by_owner(query, 50)
        exact_per_owner(pool, query, hits)
        assert recall(hits, pool.expected(query, 50)) >= 0.8
