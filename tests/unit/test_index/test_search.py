"""Exact searches (below the IVF threshold) and their filters, against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings.encoder import Encoder
from embeddings.index import OwnerHit, PassageIndex
from embeddings.passages import profile_passages
from tests.unit.test_index.pool import (
    DIM,
    Pool,
    boilerplate_pool,
    remove_every_seventh,
    same_hits,
    unit,
)


def test_unfiltered_search_matches_brute_force(big_pool: Pool, big_index: PassageIndex) -> None:
    assert big_index.owner_count == 5_000
    assert len(big_index) == sum(len(ids) for ids, _ in big_pool.passages.values())
    for _ in range(5):
        query = big_pool.query()
        same_hits(big_index.best_by_owner(query, 50), big_pool.expected(query, 50))


@pytest.mark.parametrize("k", [1, 10, 50, 80])
def test_one_percent_filter_returns_k_when_k_owners_are_eligible(
    big_pool: Pool, big_index: PassageIndex, k: int
) -> None:
    for _ in range(5):
        allowed = set(big_pool.rng.choice(5_000, size=50, replace=False).tolist())
        query = big_pool.query()
        hits = big_index.best_by_owner(query, k, allowed)
        assert len(hits) == min(k, 50)
        assert len({h.owner_id for h in hits}) == len(hits)
        assert {h.owner_id for h in hits} <= allowed
        same_hits(hits, big_pool.expected(query, k, allowed))


def test_filter_that_fights_the_query_still_fills_k(
    big_pool: Pool, big_index: PassageIndex
) -> None:
    # The owners nearest the query are all excluded: a top-n-then-filter search would starve.
    query = big_pool.query()
    ranked = [h.owner_id for h in big_pool.expected(query, 5_000)]
    allowed = set(ranked[-20:])
    hits = big_index.best_by_owner(query, 20, allowed)
    assert {h.owner_id for h in hits} == allowed
    same_hits(hits, big_pool.expected(query, 20, allowed))


def test_search_widens_past_owners_with_many_near_passages() -> None:
    # Ten lawyers with 40 passages each close to the query fill the first windows.
    rng = np.random.default_rng(6)
    query = unit(rng.normal(size=DIM))
    index = PassageIndex(DIM, "e", "1")
    for owner in range(10):
        near = unit(query + 0.05 * rng.normal(size=(40, DIM)))
        index.replace_owner(owner, np.arange(owner * 100, owner * 100 + 40), near)
    for owner in range(10, 60):
        index.replace_owner(owner, [10_000 + owner], unit(rng.normal(size=(1, DIM))))
    for allowed in (None, set(range(0, 60, 2))):
        hits = index.best_by_owner(query, 25, allowed)
        assert len(hits) == 25 and len({h.owner_id for h in hits}) == 25
        assert {h.owner_id for h in hits[: 5 if allowed else 10]} <= set(range(10))


def test_filter_ignores_unknown_owners_and_handles_empty(big_index: PassageIndex) -> None:
    query = unit(np.ones(DIM))
    assert len(big_index.best_by_owner(query, 10, {1, 2, 99_999, -5})) == 2
    assert big_index.best_by_owner(query, 10, set()) == []
    assert big_index.best_by_owner(query, 10, {99_999}) == []
    assert big_index.best_by_owner(query, 0) == []
    with pytest.raises(ValueError, match="dimension"):
        big_index.best_by_owner(np.ones(DIM + 1, dtype=np.float32), 3)


def test_large_passage_ids_use_the_batch_selector() -> None:
    index = PassageIndex(4, "e", "1")
    index.replace_owner(1, [2**40, 2**40 + 1], unit(np.eye(4)[:2]))
    index.replace_owner(2, [5], unit(np.eye(4)[2:3]))
    hits = index.best_by_owner(np.eye(4)[1], 5, {1})
    assert hits == [OwnerHit(1, pytest.approx(1.0), 2**40 + 1)]  # type: ignore[arg-type]


def test_one_hit_per_owner_with_its_best_passage() -> None:
    index = PassageIndex(3, "e", "1")
    index.replace_owner(7, [70, 71, 72], unit(np.array([[1, 0, 0], [0.9, 0.1, 0], [0.8, 0.2, 0]])))
    index.replace_owner(8, [80], unit(np.array([[0, 1, 0]])))
    hits = index.best_by_owner(np.array([1, 0, 0], dtype=np.float32), 5)
    assert [(h.owner_id, h.passage_id) for h in hits] == [(7, 70), (8, 80)]


def test_ties_are_broken_by_owner_id_even_beyond_the_first_window() -> None:
    index = PassageIndex(DIM, "e", "1")
    rng = np.random.default_rng(3)
    shared = unit(rng.normal(size=DIM))
    # 100 lawyers with the same boilerplate sentence, added highest id first.
    for owner in range(100, 0, -1):
        index.replace_owner(owner, [owner * 10], shared[None, :])
    hits = index.best_by_owner(shared, 3)
    assert [h.owner_id for h in hits] == [1, 2, 3]


def test_scores_for_owners_is_exact(big_pool: Pool, big_index: PassageIndex) -> None:
    query = big_pool.query()
    owners = set(big_pool.rng.choice(5_000, size=300, replace=False).tolist()) | {10**9}
    scored = big_index.scores_for_owners(query, owners)
    expected = {h.owner_id: h for h in big_pool.expected(query, 5_000, owners)}
    assert scored.keys() == expected.keys()
    for owner, hit in expected.items():
        assert scored[owner].passage_id == hit.passage_id
        assert scored[owner].score == pytest.approx(hit.score, abs=1e-5)
    assert big_index.scores_for_owners(query, []) == {}


@pytest.mark.parametrize("share", [0.02, 0.3, 0.9])
def test_boolean_owner_masks_answer_as_id_sets_do(
    big_pool: Pool, big_index: PassageIndex, share: float
) -> None:
    # Broad filters pass as a mask over owner ids (the catalog's); the mask may be shorter or
    # longer than the index's owner range.
    for length in (3_000, 5_000, 20_000):
        mask = big_pool.rng.random(length) < share
        allowed = set(np.flatnonzero(mask).tolist())
        query = big_pool.query()
        for k in (10, 200):
            hits = big_index.best_by_owner(query, k, mask)
            same_hits(hits, big_pool.expected(query, k, allowed))
            same_hits(hits, big_index.best_by_owner(query, k, allowed))


def test_mask_filter_that_fights_the_query_still_fills_k(
    big_pool: Pool, big_index: PassageIndex
) -> None:
    query = big_pool.query()
    ranked = [h.owner_id for h in big_pool.expected(query, 5_000)]
    mask = np.zeros(5_000, dtype=bool)
    mask[ranked[-2_500:]] = True  # the worse half: the best rows hold none of them
    hits = big_index.best_by_owner(query, 50, mask)
    same_hits(hits, big_pool.expected(query, 50, set(ranked[-2_500:])))


def test_shared_and_removed_vectors_stay_exact_in_broad_searches() -> None:
    # Many owners share a few vectors (boilerplate); removals free rows that must not be found.
    index, pool, shared = boilerplate_pool(np.random.default_rng(11))
    remove_every_seventh(index, pool)
    query = shared[2]
    same_hits(index.best_by_owner(query, 100), pool.expected(query, 100))
    mask = np.zeros(3_000, dtype=bool)
    mask[::3] = True
    same_hits(
        index.best_by_owner(query, 100, mask), pool.expected(query, 100, set(range(0, 3_000, 3)))
    )
    near = index.nearest(query, 40)
    assert len(near) == 40 and all(abs(score - 1.0) < 1e-5 for _, _, score in near)
    assert [pid for pid, _, _ in near] == sorted(pid for pid, _, _ in near)  # ties by passage id
    assert all(owner in pool.passages for _, owner, _ in near)


def test_profiles_are_found_across_languages(use_encoder: Encoder) -> None:
    profiles = {
        1: ("专注于中亚基础设施项目。代理中国企业处理哈萨克斯坦EPC总承包合同争议仲裁。", []),
        2: ("知识产权律师。", ["为客户处理泰国商标抢注案件，成功撤销恶意注册商标。"]),
        3: (
            (
                "Trade remedies lawyer in Brussels. "
                "Defended Chinese exporters in EU anti-dumping cases."
            ),
            [],
        ),
    }
    index = PassageIndex(use_encoder.dim, use_encoder.name, use_encoder.version)
    texts: dict[int, str] = {}
    next_id = 1
    for owner, (bio, cases) in profiles.items():
        passages = profile_passages(bio, cases)
        ids = list(range(next_id, next_id + len(passages)))
        next_id += len(passages)
        texts.update(zip(ids, (p.text for p in passages)))
        index.replace_owner(owner, ids, use_encoder.encode_documents([p.text for p in passages]))

    query = use_encoder.encode_queries(["EPC contract dispute in Kazakhstan"])[0]
    hits = index.best_by_owner(query, 3)
    assert hits[0].owner_id == 1
    assert "哈萨克斯坦" in texts[hits[0].passage_id]
    assert index.best_by_owner(query, 1, {2, 3})[0].owner_id in {2, 3}

    trademark = use_encoder.encode_queries(["trademark squatting in Thailand"])[0]
    assert index.best_by_owner(trademark, 1)[0].owner_id == 2
