"""Snapshots: round trips, atomic replacement, refusal of damaged ones, and the file format."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import pytest

from embeddings.index import IDS_FILE, INDEX_FILE, IVF_FILE, MANIFEST_FILE, PassageIndex
from embeddings.index import build as build_module
from embeddings.index import ivf as ivf_module
from embeddings.index.ivf import ivf_ids
from tests.unit.test_index.pool import DIM, Pool, unit


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


@pytest.mark.usefixtures("small_ivf")
def test_ivf_save_load_round_trip_keeps_results(
    ivf_pool: Pool, ivf_index: PassageIndex, tmp_path: Path
) -> None:
    snapshot = tmp_path / "index"
    ivf_index.save(snapshot, extra={"feed_position": 5})
    assert (snapshot / IVF_FILE).stat().st_size > 0
    loaded = PassageIndex.load(snapshot, "test-encoder", "1", DIM)
    assert loaded is not None
    index, manifest = loaded
    assert len(manifest["ivf_sha256"]) == 64
    assert (len(index), index.owner_count, index.distinct_vectors) == (
        len(ivf_index), ivf_index.owner_count, ivf_index.distinct_vectors
    )  # fmt: skip
    for _ in range(5):
        query = ivf_pool.query()
        mask = ivf_pool.rng.random(6_000) < 0.05
        assert index.nearest(query, 40) == ivf_index.nearest(query, 40)
        assert index.best_by_owner(query, 50) == ivf_index.best_by_owner(query, 50)
        assert index.best_by_owner(query, 200, mask) == ivf_index.best_by_owner(query, 200, mask)
    # and it keeps working as an index
    index.replace_owner(99_999, [99_999_0], unit(np.ones((1, DIM))))
    assert index.best_by_owner(unit(np.ones(DIM)), 1)[0].owner_id == 99_999


@pytest.mark.usefixtures("small_ivf")
def test_load_refuses_a_damaged_ivf_file(
    ivf_index: PassageIndex, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    snapshot = tmp_path / "index"
    ivf_index.save(snapshot)
    path = snapshot / IVF_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    _refused(snapshot, caplog, "checksum")
    path.unlink()
    _refused(snapshot, caplog, "no usable index snapshot")


# -- the file format ------------------------------------------------------------------------------
# snapshot_v3/ was saved by embeddings/index.py as it was before it became a package (commit
# 446cb00), from golden_updates() with GOLDEN_THRESHOLDS set on that module. A snapshot saved then
# must load now, and an index saved now must write the files that code wrote (and loaded).

GOLDEN = Path(__file__).parent / "snapshot_v3"
GOLDEN_DIM = 16
GOLDEN_EXTRA = {"position": 7, "gaps": [3, 5]}
GOLDEN_UNCHANGING = ("vectors.npy", "owners.npy")  # byte for byte; the IVF by what it holds


def golden_attachments() -> dict[str, dict[str, np.ndarray]]:
    header = np.frombuffer(b'{"reader": "x"}', dtype=np.uint8)
    return {"facts": {"facts": np.arange(12, dtype=np.int64).reshape(4, 3), "header": header}}


# An IVF already at a few hundred rows, built inline, updated every few dozen.
GOLDEN_THRESHOLDS = [
    (ivf_module, "IVF_MIN_ROWS", 200),
    (build_module, "IVF_TRAIN_PER_LIST", 16),
    (ivf_module, "IVF_FLUSH_ROWS", 40),
    (build_module, "IVF_BACKGROUND", False),
]


def golden_updates(index: Any) -> None:
    """Boilerplate shared by owners, passage and owner ids beyond 32 bits, removed and replaced
    owners (freed rows saved as zeros, and reused), an IVF trained, retrained and flushed."""
    rng = np.random.default_rng(40)
    shared = unit(rng.normal(size=(3, GOLDEN_DIM)))
    for owner in range(1, 181):
        n = 1 + owner % 4
        vectors = unit(rng.normal(size=(n, GOLDEN_DIM)))
        if owner % 2:
            vectors[0] = shared[owner % 3]
        index.replace_owner(owner, owner * 10 + np.arange(n), vectors)
    index.replace_owner(2**40, [2**41, 2**41 + 1], unit(rng.normal(size=(2, GOLDEN_DIM))))
    for owner in range(5, 181, 11):
        index.remove_owner(owner)
    for owner in range(7, 181, 13):
        index.replace_owner(owner, [owner * 10 + 9], unit(rng.normal(size=(1, GOLDEN_DIM))))


@pytest.fixture
def golden_index(monkeypatch: pytest.MonkeyPatch) -> PassageIndex:
    for module, name, value in GOLDEN_THRESHOLDS:
        monkeypatch.setattr(module, name, value)
    index = PassageIndex(GOLDEN_DIM, "golden-encoder", "1")
    golden_updates(index)
    assert index._ivf.usable()
    return index


def test_a_snapshot_saved_before_the_package_loads_as_the_same_index(
    golden_index: PassageIndex,
) -> None:
    loaded = PassageIndex.load(GOLDEN, "golden-encoder", "1", GOLDEN_DIM)
    assert loaded is not None
    index, manifest = loaded
    assert manifest["extra"] == GOLDEN_EXTRA
    for name, arrays in golden_attachments().items():
        assert manifest["attachments"][name].keys() == arrays.keys()
        for key, array in arrays.items():
            np.testing.assert_array_equal(manifest["attachments"][name][key], array)
    assert (len(index), index.owners(), index.distinct_vectors) == (
        len(golden_index), golden_index.owners(), golden_index.distinct_vectors
    )  # fmt: skip
    assert index._ivf.usable()
    for owner in golden_index.owners():
        assert index.passage_ids(owner) == golden_index.passage_ids(owner)
    rng = np.random.default_rng(41)
    mask = rng.random(200) < 0.5
    for query in unit(rng.normal(size=(10, GOLDEN_DIM))):
        _same_nearest(index.nearest(query, 30), golden_index.nearest(query, 30))
        assert index.best_by_owner(query, 40) == golden_index.best_by_owner(query, 40)
        assert index.best_by_owner(query, 40, mask) == golden_index.best_by_owner(query, 40, mask)
    scored = index.scores_for_owners(query, [1, 2, 3, 2**40])
    assert scored == golden_index.scores_for_owners(query, [1, 2, 3, 2**40])


def _same_nearest(
    actual: list[tuple[int, int, float]], expected: list[tuple[int, int, float]]
) -> None:
    """The same up to which passages tied at the k-th score are taken: slot order picks them, and
    a loaded index has its slots in another order than the index that saved it."""
    assert [score for _, _, score in actual] == [score for _, _, score in expected]
    cut = expected[-1][2]
    assert [hit for hit in actual if hit[2] > cut] == [hit for hit in expected if hit[2] > cut]


def test_a_snapshot_saved_now_has_the_files_saved_before(
    golden_index: PassageIndex, tmp_path: Path
) -> None:
    golden_index.save(tmp_path / "index", extra=GOLDEN_EXTRA, attachments=golden_attachments())
    saved = (tmp_path / "index").resolve()
    assert sorted(p.name for p in saved.iterdir()) == sorted(p.name for p in GOLDEN.iterdir())
    for name in GOLDEN_UNCHANGING:
        assert (saved / name).read_bytes() == (GOLDEN / name).read_bytes()
    now = json.loads((saved / MANIFEST_FILE).read_text())
    before = json.loads((GOLDEN / MANIFEST_FILE).read_text())
    assert now.keys() == before.keys()
    files = [{name: a["file"] for name, a in m["attachments"].items()} for m in (now, before)]
    assert files[0] == files[1]
    varying = {"created_at", "ivf_sha256", "attachments"}  # a time; faiss's and zip's bytes
    assert {k: v for k, v in now.items() if k not in varying} == {
        k: v for k, v in before.items() if k not in varying
    }
    ivf_now = faiss.read_index(str(saved / IVF_FILE))
    ivf_before = faiss.read_index(str(GOLDEN / IVF_FILE))
    assert isinstance(ivf_now, faiss.IndexIVF) and isinstance(ivf_before, faiss.IndexIVF)
    shape = [(ivf.nlist, ivf.d, ivf.metric_type, ivf.code_size) for ivf in (ivf_now, ivf_before)]
    assert shape[0] == shape[1]
    np.testing.assert_array_equal(np.sort(ivf_ids(ivf_now)), np.sort(ivf_ids(ivf_before)))
