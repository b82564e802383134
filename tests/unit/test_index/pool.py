"""Random owners and their passages, with brute-force answers to compare the index against."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings.index import OwnerHit, PassageIndex
from embeddings.index import build as build_module
from embeddings.index import ivf as ivf_module
from embeddings.index import row_slots as row_slots_module
from embeddings.index import slots as slots_module

DIM = 32


def unit(rows: np.ndarray) -> np.ndarray:
    rows = rows.astype(np.float32)
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


class Pool:
    """Random owners with 1-6 passages each, and a brute-force answer to compare against."""

    def __init__(self, owners: int, seed: int = 0, dim: int = DIM, clusters: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.dim = dim
        self.passages: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        # clustered vectors (topics), as real passage embeddings are; 0: uniform on the sphere
        centres = unit(rng.normal(size=(clusters, dim))) if clusters else None
        next_id = 1_000
        for owner in rng.permutation(owners).tolist():
            n = int(rng.integers(1, 7))
            ids = np.arange(next_id, next_id + n, dtype=np.int64)
            next_id += n + int(rng.integers(0, 3))  # gaps, as in a database
            vectors = rng.normal(size=(n, dim))
            if centres is not None:
                vectors = centres[rng.integers(0, clusters, n)] + 0.35 * vectors / np.sqrt(dim)
            self.passages[owner] = (ids, unit(vectors))
        self.rng = rng
        self.centres = centres

    def query(self) -> np.ndarray:
        if self.centres is None:
            return unit(self.rng.normal(size=self.dim))
        centre = self.centres[int(self.rng.integers(0, len(self.centres)))]
        return unit(centre + 0.35 * self.rng.normal(size=self.dim) / np.sqrt(self.dim))

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


def same_hits(actual: list[OwnerHit], expected: list[OwnerHit]) -> None:
    assert [(h.owner_id, h.passage_id) for h in actual] == [
        (h.owner_id, h.passage_id) for h in expected
    ]
    np.testing.assert_allclose([h.score for h in actual], [h.score for h in expected], atol=1e-5)


def exact_per_owner(pool: Pool, query: np.ndarray, hits: list[OwnerHit]) -> None:
    """Each hit is its owner's best passage with its exact score, ranked by score, then owner."""
    owners = {h.owner_id for h in hits}
    best = {h.owner_id: h for h in pool.expected(query, len(pool.passages), owners)}
    same_hits(hits, [best[h.owner_id] for h in hits])
    assert hits == sorted(hits, key=lambda h: (-h.score, h.owner_id))
    assert len({h.owner_id for h in hits}) == len(hits)


def recall(hits: list[OwnerHit], expected: list[OwnerHit]) -> float:
    return len({h.owner_id for h in hits} & {h.owner_id for h in expected}) / len(expected)


def near(query: np.ndarray, rng: np.random.Generator, n: int, noise: float = 0.01) -> np.ndarray:
    return unit(query + noise * rng.normal(size=(n, query.shape[0])))


def boilerplate_pool(rng: np.random.Generator) -> tuple[PassageIndex, Pool, np.ndarray]:
    """3,000 owners with two own vectors and one of five shared ones (boilerplate)."""
    shared = unit(rng.normal(size=(5, DIM)))
    index = PassageIndex(DIM, "e", "1")
    pool = Pool(0)
    for owner in range(3_000):
        vectors = np.vstack([unit(rng.normal(size=(2, DIM))), shared[owner % 5 : owner % 5 + 1]])
        ids = np.arange(owner * 10, owner * 10 + 3)
        index.replace_owner(owner, ids, vectors)
        pool.passages[owner] = (ids, vectors)
    return index, pool, shared


def remove_every_seventh(index: PassageIndex, pool: Pool) -> None:
    for owner in range(0, 3_000, 7):
        index.remove_owner(owner)
        del pool.passages[owner]


# Thresholds lowered so that small pools take the approximate (IVF) path.
IVF_SMALL = [
    (ivf_module, "IVF_MIN_ROWS", 2_000),
    (ivf_module, "IVF_NPROBE", 4),
    (ivf_module, "IVF_MIN_CANDIDATES", 64),
    (build_module, "IVF_TRAIN_PER_LIST", 16),
    (ivf_module, "IVF_FLUSH_ROWS", 40),
    (build_module, "IVF_BACKGROUND", False),
    (slots_module, "COMPACT_MIN_DEAD", 16),
    (row_slots_module, "_CSR_DELTA_MIN", 32),
]


def lower_ivf_thresholds(patch: pytest.MonkeyPatch) -> None:
    for module, name, value in IVF_SMALL:
        patch.setattr(module, name, value)
