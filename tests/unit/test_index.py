from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import embeddings.index as index_module
from embeddings.encoder import Encoder, load_encoder
from embeddings.index import IDS_FILE, INDEX_FILE, MANIFEST_FILE, OwnerHit, PassageIndex
from embeddings.passages import profile_passages

DIM = 32


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = rows.astype(np.float32)
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


class Pool:
    """Random owners with 1-6 passages each, and a brute-force answer to compare against."""

    def __init__(self, owners: int, seed: int = 0, dim: int = DIM, clusters: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.dim = dim
        self.passages: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        # clustered vectors (topics), as real passage embeddings are; 0: uniform on the sphere
        centres = _unit(rng.normal(size=(clusters, dim))) if clusters else None
        next_id = 1_000
        for owner in rng.permutation(owners).tolist():
            n = int(rng.integers(1, 7))
            ids = np.arange(next_id, next_id + n, dtype=np.int64)
            next_id += n + int(rng.integers(0, 3))  # gaps, as in a database
            vectors = rng.normal(size=(n, dim))
            if centres is not None:
                vectors = centres[rng.integers(0, clusters, n)] + 0.35 * vectors / np.sqrt(dim)
            self.passages[owner] = (ids, _unit(vectors))
        self.rng = rng
        self.centres = centres

    def query(self) -> np.ndarray:
        if self.centres is None:
            return _unit(self.rng.normal(size=self.dim))
        centre = self.centres[int(self.rng.integers(0, len(self.centres)))]
        return _unit(centre + 0.35 * self.rng.normal(size=self.dim) / np.sqrt(self.dim))

    def index(self) -> PassageIndex:
        index = PassageIndex(self.dim, "test-encoder", "1")
        for owner, (ids, vectors) in self.passages.items():
            index.replace_owner(owner, ids, vectors)
        return index

    def expected(
        self, query: np.ndarray, k: int, allowed: set[int] | None = None
    ) -> list[OwnerHit]:
        hits = []
        for owner, (ids, vectors) in self.passages.items():
            if allowed is None or owner in allowed:
                scores = vectors @ query
                best = int(np.argmax(scores))
                hits.append(OwnerHit(owner, float(scores[best]), int(ids[best])))
        return sorted(hits, key=lambda h: (-h.score, h.owner_id))[:k]


def _same_hits(actual: list[OwnerHit], expected: list[OwnerHit]) -> None:
    assert [(h.owner_id, h.passage_id) for h in actual] == [
        (h.owner_id, h.passage_id) for h in expected
    ]
    np.testing.assert_allclose([h.score for h in actual], [h.score for h in expected], atol=1e-5)


@pytest.fixture(scope="module")
def big_pool() -> Pool:
    return Pool(5_000, seed=1)


@pytest.fixture(scope="module")
def big_index(big_pool: Pool) -> PassageIndex:
    return big_pool.index()


@pytest.fixture(scope="module")
def use_encoder() -> Encoder:
    return load_encoder()


# -- search -----------------------------------------------------------------------------------


def test_unfiltered_search_matches_brute_force(big_pool: Pool, big_index: PassageIndex) -> None:
    assert big_index.owner_count == 5_000
    assert len(big_index) == sum(len(ids) for ids, _ in big_pool.passages.values())
    for _ in range(5):
        query = big_pool.query()
        _same_hits(big_index.best_by_owner(query, 50), big_pool.expected(query, 50))


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
        _same_hits(hits, big_pool.expected(query, k, allowed))


def test_filter_that_fights_the_query_still_fills_k(
    big_pool: Pool, big_index: PassageIndex
) -> None:
    # The owners nearest the query are all excluded: a top-n-then-filter search would starve.
    query = big_pool.query()
    ranked = [h.owner_id for h in big_pool.expected(query, 5_000)]
    allowed = set(ranked[-20:])
    hits = big_index.best_by_owner(query, 20, allowed)
    assert {h.owner_id for h in hits} == allowed
    _same_hits(hits, big_pool.expected(query, 20, allowed))


def test_search_widens_past_owners_with_many_near_passages() -> None:
    # Ten lawyers with 40 passages each close to the query fill the first windows.
    rng = np.random.default_rng(6)
    query = _unit(rng.normal(size=DIM))
    index = PassageIndex(DIM, "e", "1")
    for owner in range(10):
        near = _unit(query + 0.05 * rng.normal(size=(40, DIM)))
        index.replace_owner(owner, np.arange(owner * 100, owner * 100 + 40), near)
    for owner in range(10, 60):
        index.replace_owner(owner, [10_000 + owner], _unit(rng.normal(size=(1, DIM))))
    for allowed in (None, set(range(0, 60, 2))):
        hits = index.best_by_owner(query, 25, allowed)
        assert len(hits) == 25 and len({h.owner_id for h in hits}) == 25
        assert {h.owner_id for h in hits[: 5 if allowed else 10]} <= set(range(10))


def test_filter_ignores_unknown_owners_and_handles_empty(big_index: PassageIndex) -> None:
    query = _unit(np.ones(DIM))
    assert len(big_index.best_by_owner(query, 10, {1, 2, 99_999, -5})) == 2
    assert big_index.best_by_owner(query, 10, set()) == []
    assert big_index.best_by_owner(query, 10, {99_999}) == []
    assert big_index.best_by_owner(query, 0) == []
    with pytest.raises(ValueError, match="dimension"):
        big_index.best_by_owner(np.ones(DIM + 1, dtype=np.float32), 3)


def test_large_passage_ids_use_the_batch_selector() -> None:
    index = PassageIndex(4, "e", "1")
    index.replace_owner(1, [2**40, 2**40 + 1], _unit(np.eye(4)[:2]))
    index.replace_owner(2, [5], _unit(np.eye(4)[2:3]))
    hits = index.best_by_owner(np.eye(4)[1], 5, {1})
    assert hits == [OwnerHit(1, pytest.approx(1.0), 2**40 + 1)]  # type: ignore[arg-type]


def test_one_hit_per_owner_with_its_best_passage() -> None:
    index = PassageIndex(3, "e", "1")
    index.replace_owner(7, [70, 71, 72], _unit(np.array([[1, 0, 0], [0.9, 0.1, 0], [0.8, 0.2, 0]])))
    index.replace_owner(8, [80], _unit(np.array([[0, 1, 0]])))
    hits = index.best_by_owner(np.array([1, 0, 0], dtype=np.float32), 5)
    assert [(h.owner_id, h.passage_id) for h in hits] == [(7, 70), (8, 80)]


def test_ties_are_broken_by_owner_id_even_beyond_the_first_window() -> None:
    index = PassageIndex(DIM, "e", "1")
    rng = np.random.default_rng(3)
    shared = _unit(rng.normal(size=DIM))
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


# -- updates ------------------------------------------------------------------------------------


def test_replace_and_remove_owner() -> None:
    index = PassageIndex(3, "e", "1")
    x, y, z = _unit(np.eye(3))
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
    index.replace_owner(1, [10], _unit(np.eye(3)[:1]))
    with pytest.raises(ValueError, match="belongs to owner 1"):
        index.replace_owner(2, [10], _unit(np.eye(3)[:1]))
    with pytest.raises(ValueError, match="vectors"):
        index.replace_owner(2, [20, 21], _unit(np.eye(3)[:1]))
    with pytest.raises(ValueError, match="duplicate"):
        index.replace_owner(2, [20, 20], _unit(np.eye(3)[:2]))
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
                index.replace_owner(owner, ids, _unit(rng.normal(size=(3, DIM))))
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


# -- persistence ---------------------------------------------------------------------------------


def test_save_load_round_trip(big_pool: Pool, big_index: PassageIndex, tmp_path: Path) -> None:
    snapshot = tmp_path / "index"
    big_index.save(snapshot, extra={"feed_position": 1234})
    loaded = PassageIndex.load(snapshot, "test-encoder", "1", DIM)
    assert loaded is not None
    index, manifest = loaded
    assert (len(index), index.owner_count, index.owners()) == (
        len(big_index),
        big_index.owner_count,
        big_index.owners(),
    )
    assert manifest["extra"] == {"feed_position": 1234}
    assert manifest["passage_count"] == len(big_index)
    assert manifest["owner_count"] == 5_000
    assert (manifest["encoder_name"], manifest["encoder_version"], manifest["dim"]) == (
        "test-encoder",
        "1",
        DIM,
    )
    assert len(manifest["index_sha256"]) == 64 and manifest["created_at"]
    for _ in range(3):
        query = big_pool.query()
        allowed = set(big_pool.rng.choice(5_000, size=50, replace=False).tolist())
        assert index.best_by_owner(query, 20) == big_index.best_by_owner(query, 20)
        assert index.best_by_owner(query, 20, allowed) == big_index.best_by_owner(
            query, 20, allowed
        )
    # The loaded index keeps working as an index.
    index.remove_owner(next(iter(allowed)))
    assert index.owner_count == 4_999


def test_save_replaces_the_snapshot_and_cleans_up(tmp_path: Path) -> None:
    pool = Pool(50, seed=2)
    index = pool.index()
    snapshot = tmp_path / "index"
    for position in range(4):
        index.remove_owner(position)
        index.save(snapshot, extra={"feed_position": position})
    loaded = PassageIndex.load(snapshot, "test-encoder", "1", DIM)
    assert loaded is not None
    assert loaded[1]["extra"] == {"feed_position": 3} and loaded[0].owner_count == 46
    # The current snapshot and the one it replaced (a reader may still hold it); no others.
    assert len([p for p in tmp_path.iterdir() if not p.is_symlink()]) == 2


def test_save_over_a_plain_directory(tmp_path: Path) -> None:
    snapshot = tmp_path / "index"
    snapshot.mkdir()
    (snapshot / "junk").write_text("x")
    Pool(5).index().save(snapshot)
    assert PassageIndex.load(snapshot, "test-encoder", "1", DIM) is not None


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    snapshot = tmp_path / "index"
    Pool(200, seed=4).index().save(snapshot, extra={"feed_position": 7})
    return snapshot


def _refused(
    snapshot: Path, caplog: pytest.LogCaptureFixture, reason: str, **kwargs: object
) -> None:
    args = {"encoder_name": "test-encoder", "encoder_version": "1", "dim": DIM} | kwargs
    with caplog.at_level(logging.INFO, logger="embeddings.index"):
        assert PassageIndex.load(snapshot, **args) is None  # type: ignore[arg-type]
    assert reason in caplog.text


def test_load_refuses_a_missing_directory(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _refused(tmp_path / "nowhere", caplog, "no usable index snapshot")


def test_load_refuses_a_truncated_index_file(saved: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = (saved / INDEX_FILE).read_bytes()
    (saved / INDEX_FILE).write_bytes(data[: len(data) // 2])
    _refused(saved, caplog, "checksum")


def test_load_refuses_a_truncated_owner_file(saved: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = (saved / IDS_FILE).read_bytes()
    (saved / IDS_FILE).write_bytes(data[:-8])
    _refused(saved, caplog, "checksum")


def test_load_refuses_a_corrupted_manifest(saved: Path, caplog: pytest.LogCaptureFixture) -> None:
    (saved / MANIFEST_FILE).write_text('{"format_version": 1, "encoder_na')
    _refused(saved, caplog, "JSONDecodeError")


def test_load_refuses_a_manifest_that_is_not_an_object(
    saved: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (saved / MANIFEST_FILE).write_text("[1, 2]")
    _refused(saved, caplog, "not an object")


def test_load_refuses_a_missing_file(saved: Path, caplog: pytest.LogCaptureFixture) -> None:
    (saved / IDS_FILE).unlink()
    _refused(saved, caplog, "no usable index snapshot")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"encoder_name": "other-encoder"}, "encoder_name"),
        ({"encoder_version": "2"}, "encoder_version"),
        ({"dim": DIM * 2}, "dim"),
    ],
)
def test_load_refuses_another_encoder(
    saved: Path, caplog: pytest.LogCaptureFixture, change: dict[str, object], reason: str
) -> None:
    _refused(saved, caplog, reason, **change)


def test_load_refuses_another_format(saved: Path, caplog: pytest.LogCaptureFixture) -> None:
    manifest = json.loads((saved / MANIFEST_FILE).read_text())
    (saved / MANIFEST_FILE).write_text(json.dumps(manifest | {"format_version": 99}))
    _refused(saved, caplog, "format_version")


def test_load_refuses_a_consistent_but_mismatched_snapshot(
    saved: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Checksums that match files which disagree with each other (a buggy writer).
    import hashlib

    np.save(saved / IDS_FILE, np.zeros((3, 2), dtype=np.int64))
    manifest = json.loads((saved / MANIFEST_FILE).read_text())
    manifest["ids_sha256"] = hashlib.sha256((saved / IDS_FILE).read_bytes()).hexdigest()
    (saved / MANIFEST_FILE).write_text(json.dumps(manifest))
    _refused(saved, caplog, "disagree")


# -- with the real encoder ----------------------------------------------------------------------


def test_profiles_are_found_across_languages(use_encoder: Encoder) -> None:
    profiles = {
        1: ("专注于中亚基础设施项目。代理中国企业处理哈萨克斯坦EPC总承包合同争议仲裁。", []),
        2: ("知识产权律师。", ["为客户处理泰国商标抢注案件，成功撤销恶意注册商标。"]),
        3: (
            "Trade remedies lawyer in Brussels. "
            "Defended Chinese exporters in EU anti-dumping cases.",
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


@pytest.mark.parametrize("share", [0.02, 0.3, 0.9])
def test_boolean_owner_masks_answer_as_id_sets_do(big_pool: Pool, big_index: PassageIndex, share: float) -> None:
    # Broad filters pass as a mask over owner ids (the catalog's); the mask may be shorter or
    # longer than the index's owner range.
    for length in (3_000, 5_000, 20_000):
        mask = big_pool.rng.random(length) < share
        allowed = set(np.flatnonzero(mask).tolist())
        query = big_pool.query()
        for k in (10, 200):
            hits = big_index.best_by_owner(query, k, mask)
            _same_hits(hits, big_pool.expected(query, k, allowed))
            _same_hits(hits, big_index.best_by_owner(query, k, allowed))


def test_mask_filter_that_fights_the_query_still_fills_k(big_pool: Pool, big_index: PassageIndex) -> None:
    query = big_pool.query()
    ranked = [h.owner_id for h in big_pool.expected(query, 5_000)]
    mask = np.zeros(5_000, dtype=bool)
    mask[ranked[-2_500:]] = True  # the worse half: the best rows hold none of them
    hits = big_index.best_by_owner(query, 50, mask)
    _same_hits(hits, big_pool.expected(query, 50, set(ranked[-2_500:])))


def _boilerplate_pool(rng: np.random.Generator) -> tuple[PassageIndex, Pool, np.ndarray]:
    """3,000 owners with two own vectors and one of five shared ones (boilerplate)."""
    shared = _unit(rng.normal(size=(5, DIM)))
    index = PassageIndex(DIM, "e", "1")
    pool = Pool(0)
    for owner in range(3_000):
        vectors = np.vstack([_unit(rng.normal(size=(2, DIM))), shared[owner % 5 : owner % 5 + 1]])
        ids = np.arange(owner * 10, owner * 10 + 3)
        index.replace_owner(owner, ids, vectors)
        pool.passages[owner] = (ids, vectors)
    return index, pool, shared


def _remove_every_seventh(index: PassageIndex, pool: Pool) -> None:
    for owner in range(0, 3_000, 7):
        index.remove_owner(owner)
        del pool.passages[owner]


def test_shared_and_removed_vectors_stay_exact_in_broad_searches() -> None:
    # Many owners share a few vectors (boilerplate); removals free rows that must not be found.
    index, pool, shared = _boilerplate_pool(np.random.default_rng(11))
    _remove_every_seventh(index, pool)
    query = shared[2]
    _same_hits(index.best_by_owner(query, 100), pool.expected(query, 100))
    mask = np.zeros(3_000, dtype=bool)
    mask[::3] = True
    _same_hits(index.best_by_owner(query, 100, mask), pool.expected(query, 100, set(range(0, 3_000, 3))))
    near = index.nearest(query, 40)
    assert len(near) == 40 and all(abs(score - 1.0) < 1e-5 for _, _, score in near)
    assert [pid for pid, _, _ in near] == sorted(pid for pid, _, _ in near)  # ties by passage id
    assert all(owner in pool.passages for _, owner, _ in near)


# -- above the IVF threshold (thresholds lowered so that small pools take the approximate path) ----

IVF_SMALL = {
    "IVF_MIN_ROWS": 2_000,
    "IVF_NPROBE": 4,
    "IVF_MIN_CANDIDATES": 64,
    "IVF_TRAIN_PER_LIST": 16,
    "IVF_FLUSH_ROWS": 40,
    "IVF_BACKGROUND": False,
    "COMPACT_MIN_DEAD": 16,
    "_CSR_DELTA_MIN": 32,
}


@pytest.fixture
def small_ivf(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in IVF_SMALL.items():
        monkeypatch.setattr(index_module, name, value)


@pytest.fixture(scope="module")
def ivf_pool() -> Pool:
    return Pool(6_000, seed=21, clusters=64)


@pytest.fixture(scope="module")
def ivf_index(ivf_pool: Pool) -> PassageIndex:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in IVF_SMALL.items():
            patch.setattr(index_module, name, value)
        index = ivf_pool.index()
        assert index._use_ivf()  # built inline while crossing the lowered threshold
    return index


def _exact_per_owner(pool: Pool, query: np.ndarray, hits: list[OwnerHit]) -> None:
    """Each hit is its owner's best passage with its exact score, ranked by score, then owner."""
    owners = {h.owner_id for h in hits}
    best = {h.owner_id: h for h in pool.expected(query, len(pool.passages), owners)}
    _same_hits(hits, [best[h.owner_id] for h in hits])
    assert hits == sorted(hits, key=lambda h: (-h.score, h.owner_id))
    assert len({h.owner_id for h in hits}) == len(hits)


def _recall(hits: list[OwnerHit], expected: list[OwnerHit]) -> float:
    return len({h.owner_id for h in hits} & {h.owner_id for h in expected}) / len(expected)


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
            _exact_per_owner(ivf_pool, query, hits)
            recalls.append(_recall(hits, ivf_pool.expected(query, 50, allowed_set)))
        near = ivf_index.nearest(query, 40)
        assert len(near) == 40
        assert [s for _, _, s in near] == sorted((s for _, _, s in near), reverse=True)
        for pid, owner, score in near:
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
        _exact_per_owner(ivf_pool, query, hits)
        assert _recall(hits, ivf_pool.expected(query, k, set(worst))) >= 0.9


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
            _same_hits(hits, ivf_pool.expected(query, 40, allowed))
        scored = ivf_index.scores_for_owners(query, allowed)
        assert set(scored) == allowed
        ranked = sorted(scored.values(), key=lambda h: (-h.score, h.owner_id))
        _same_hits(ranked, ivf_pool.expected(query, size, allowed))


def _near(query: np.ndarray, rng: np.random.Generator, n: int, noise: float = 0.01) -> np.ndarray:
    return _unit(query + noise * rng.normal(size=(n, query.shape[0])))


@pytest.mark.usefixtures("small_ivf")
def test_ivf_sees_owners_added_replaced_and_removed_after_training() -> None:
    pool = Pool(3_000, seed=22, clusters=64)
    index = pool.index()
    assert index._use_ivf()
    rng = np.random.default_rng(23)
    query = pool.query()
    # added after training: first as pending rows, then (past IVF_FLUSH_ROWS) inside the IVF
    near_owners: set[int] = set()
    for round_ in range(3):
        added = list(range(10_000 + 100 * round_, 10_000 + 100 * round_ + 30))
        for owner in added:
            ids = np.arange(owner * 10, owner * 10 + 2)
            vectors = np.vstack([_near(query, rng, 1), _unit(rng.normal(size=(1, DIM)))])
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
    far = _unit(-query[None, :] + 0.01 * rng.normal(size=(1, DIM)))
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
        _exact_per_owner(pool, q, hits)
        assert _recall(hits, pool.expected(q, 50)) >= 0.8


@pytest.mark.usefixtures("small_ivf")
def test_ivf_shared_and_freed_rows() -> None:
    # boilerplate rows shared by many owners; removals free rows that are reused by new vectors
    rng = np.random.default_rng(24)
    index, pool, shared = _boilerplate_pool(rng)
    assert index._use_ivf()
    _remove_every_seventh(index, pool)
    for owner in range(3_000, 3_200):  # reuses the freed rows
        vectors = _unit(rng.normal(size=(2, DIM)))
        ids = np.arange(owner * 10, owner * 10 + 2)
        index.replace_owner(owner, ids, vectors)
        pool.passages[owner] = (ids, vectors)
    query = shared[2]
    hits = index.best_by_owner(query, 100)
    _exact_per_owner(pool, query, hits)
    assert all(h.score == pytest.approx(1.0, abs=1e-5) for h in hits)
    # ties by owner id
    assert [h.owner_id for h in hits] == sorted(o for o in pool.passages if o % 5 == 2)[:100]
    near = index.nearest(query, 40)
    assert len(near) == 40 and all(abs(score - 1.0) < 1e-5 for _, _, score in near)
    assert [pid for pid, _, _ in near] == sorted(pid for pid, _, _ in near)
    assert all(owner in pool.passages for _, owner, _ in near)
    assert index.distinct_vectors == 5 + 2 * len(pool.passages)


@pytest.mark.usefixtures("small_ivf")
def test_ivf_save_load_round_trip_keeps_results(
    ivf_pool: Pool, ivf_index: PassageIndex, tmp_path: Path
) -> None:
    snapshot = tmp_path / "index"
    ivf_index.save(snapshot, extra={"feed_position": 5})
    assert (snapshot / index_module.IVF_FILE).stat().st_size > 0
    loaded = PassageIndex.load(snapshot, "test-encoder", "1", DIM)
    assert loaded is not None
    index, manifest = loaded
    assert len(manifest["ivf_sha256"]) == 64
    assert (len(index), index.owner_count, index.distinct_vectors) == (
        len(ivf_index), ivf_index.owner_count, ivf_index.distinct_vectors
    )
    for _ in range(5):
        query = ivf_pool.query()
        mask = ivf_pool.rng.random(6_000) < 0.05
        assert index.nearest(query, 40) == ivf_index.nearest(query, 40)
        assert index.best_by_owner(query, 50) == ivf_index.best_by_owner(query, 50)
        assert index.best_by_owner(query, 200, mask) == ivf_index.best_by_owner(query, 200, mask)
    # and it keeps working as an index
    index.replace_owner(99_999, [99_999_0], _unit(np.ones((1, DIM))))
    assert index.best_by_owner(_unit(np.ones(DIM)), 1)[0].owner_id == 99_999


@pytest.mark.usefixtures("small_ivf")
def test_load_refuses_a_damaged_ivf_file(
    ivf_index: PassageIndex, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    snapshot = tmp_path / "index"
    ivf_index.save(snapshot)
    path = snapshot / index_module.IVF_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    _refused(snapshot, caplog, "checksum")
    path.unlink()
    _refused(snapshot, caplog, "no usable index snapshot")


@pytest.mark.usefixtures("small_ivf")
@pytest.mark.parametrize("ivf", [False, True])
def test_compaction_keeps_results(ivf: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not ivf:
        monkeypatch.setattr(index_module, "IVF_MIN_ROWS", 10**9)
    pool = Pool(2_500, seed=25, clusters=64)
    index = pool.index()
    assert index._use_ivf() == ivf
    rng = np.random.default_rng(26)
    owners = list(pool.passages)
    for step in range(3_000):  # replacing appends a new run; the dead ones are compacted away
        owner = owners[int(rng.integers(len(owners)))]
        ids, vectors = pool.passages[owner]
        if step % 3 == 0:  # new passages and vectors
            ids = ids + 1_000_000
            vectors = _unit(rng.normal(size=vectors.shape))
            pool.passages[owner] = (ids, vectors)
        index.replace_owner(owner, ids, vectors)
    assert index._slots_used <= 1.5 * len(index) + 16  # compacted at least once
    fresh = pool.index()
    assert (len(index), index.owners(), index.distinct_vectors) == (
        len(fresh), fresh.owners(), fresh.distinct_vectors
    )
    assert all(index.passage_ids(o) == pool.passages[o][0].tolist() for o in owners[:50])
    for _ in range(5):
        query = pool.query()
        mask = pool.rng.random(2_500) < 0.4
        for allowed in (None, mask):
            hits = index.best_by_owner(query, 50, allowed)
            _exact_per_owner(pool, query, hits)
            if not ivf:
                _same_hits(hits, fresh.best_by_owner(query, 50, allowed))
            else:
                allowed_set = None if allowed is None else set(np.flatnonzero(mask).tolist())
                assert _recall(hits, pool.expected(query, 50, allowed_set)) >= 0.85
        nearest = [p for p, _, _ in index.nearest(query, 20)]
        assert nearest[:5] == [p for p, _, _ in fresh.nearest(query, 20)][:5]


@pytest.mark.usefixtures("small_ivf")
def test_background_training_serves_meanwhile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "IVF_BACKGROUND", True)
    monkeypatch.setattr(index_module, "IVF_ADD_CHUNK", 500)
    pool = Pool(3_000, seed=27, clusters=64)
    index = pool.index()
    rng = np.random.default_rng(28)
    deadline = time.monotonic() + 60
    step = 0
    while True:  # updates and searches while the IVF is built in a thread
        step += 1
        owner = 5_000 + step
        ids = np.arange(owner * 10, owner * 10 + 2)
        vectors = _unit(rng.normal(size=(2, DIM)))
        index.replace_owner(owner, ids, vectors)
        pool.passages[owner] = (ids, vectors)
        query = pool.query()
        hits = index.best_by_owner(query, 20)
        assert len(hits) == 20
        _exact_per_owner(pool, query, hits)
        if index._use_ivf() and not index._building:
            break
        assert time.monotonic() < deadline, "the IVF was never built"
    for _ in range(5):
        query = pool.query()
        hits = index.best_by_owner(query, 50)
        _exact_per_owner(pool, query, hits)
        assert _recall(hits, pool.expected(query, 50)) >= 0.8


def test_hash_collisions_never_merge_different_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    # every vector hashes alike: only comparing the vectors tells them apart
    monkeypatch.setattr(index_module, "_hash_rows", lambda v: np.zeros(len(v), dtype=np.uint64))
    monkeypatch.setattr(index_module, "_RECENT_HASHES", 8)  # the sorted hash arrays in play too
    rng = np.random.default_rng(29)
    shared = _unit(rng.normal(size=(1, DIM)))
    pool = Pool(0)
    index = PassageIndex(DIM, "e", "1")
    for owner in range(300):
        vectors = np.vstack([_unit(rng.normal(size=(2, DIM))), shared])
        ids = np.arange(owner * 10, owner * 10 + 3)
        index.replace_owner(owner, ids, vectors)
        pool.passages[owner] = (ids, vectors)
    assert index.distinct_vectors >= 2 * 300 + 1
    for _ in range(5):
        query = pool.query()
        _same_hits(index.best_by_owner(query, 30), pool.expected(query, 30))
    assert [h.owner_id for h in index.best_by_owner(shared[0], 3)] == [0, 1, 2]
