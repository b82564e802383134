"""Snapshots: round trips, atomic replacement, refusal of damaged ones."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from embeddings.index import IDS_FILE, INDEX_FILE, IVF_FILE, MANIFEST_FILE, PassageIndex
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
