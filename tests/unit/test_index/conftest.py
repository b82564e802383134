from __future__ import annotations

import pytest

from embeddings.encoder import Encoder, load_encoder
from embeddings.index import PassageIndex
from tests.unit.test_index.pool import Pool, lower_ivf_thresholds


@pytest.fixture(scope="module")
def big_pool() -> Pool:
    return Pool(5_000, seed=1)


@pytest.fixture(scope="module")
def big_index(big_pool: Pool) -> PassageIndex:
    return big_pool.index()


@pytest.fixture(scope="module")
def use_encoder() -> Encoder:
    return load_encoder()


@pytest.fixture
def small_ivf(monkeypatch: pytest.MonkeyPatch) -> None:
    lower_ivf_thresholds(monkeypatch)


@pytest.fixture(scope="module")
def ivf_pool() -> Pool:
    return Pool(6_000, seed=21, clusters=64)


@pytest.fixture(scope="module")
def ivf_index(ivf_pool: Pool) -> PassageIndex:
    with pytest.MonkeyPatch.context() as patch:
        lower_ivf_thresholds(patch)
        index = ivf_pool.index()
        assert index._ivf.usable()  # built inline while crossing the lowered threshold
    return index
