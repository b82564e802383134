"""Snapshots of the index on disk: files, manifest and checksums, swapped in atomically.

A snapshot is a hidden folder beside ``directory`` holding the files below and a manifest with
their checksums; ``directory`` is a symlink to the current one. A snapshot that cannot be trusted
is refused on load (logged), and the caller rebuilds from the database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from embeddings.index.arrays import return_free_memory

logger = logging.getLogger(__name__)

FORMAT_VERSION = 3
INDEX_FILE = "vectors.npy"  # (rows, dim) float32: row r is vector r; rows without passages are 0
IDS_FILE = "owners.npy"  # (n, 3) int64: passage id, owner id, row; an owner's passages adjacent
IVF_FILE = "ivf.faiss"  # faiss.write_index of the IVF over the rows (ids = rows); empty if none
MANIFEST_FILE = "manifest.json"
# An unfinished snapshot folder (a crashed save) is removed after this long; another process
# may still be writing a younger one.
_STALE_SNAPSHOT_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the index saves of itself. Counts read back from a manifest may be missing (None)."""

    encoder_name: str
    encoder_version: str
    dim: int
    vectors: np.ndarray  # INDEX_FILE
    triples: np.ndarray  # IDS_FILE
    ivf: faiss.Index | None  # IVF_FILE
    ivf_rows: int | None  # distinct rows the IVF was trained on
    owner_count: int | None
    vector_count: int | None  # distinct vectors (rows in use)


def save_snapshot(
    directory: Path,
    snapshot: Callable[[], AbstractContextManager[Snapshot]],
    extra: dict[str, Any],
    attachments: dict[str, dict[str, np.ndarray]],
) -> None:
    """Write a snapshot in a folder of its own, then make ``directory`` link to it in one step.

    The index's files are written while ``snapshot()`` is entered (under the index's lock, straight
    from its arrays: a copy of the vectors would double their memory at 1M profiles); the
    attachments, checksums and fsyncs after. Readers see the old snapshot or the new one, never a
    partial one and never none.
    """
    parent = directory.parent
    parent.mkdir(parents=True, exist_ok=True)
    folder = parent / f".{directory.name}.{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    try:
        with snapshot() as parts:
            manifest = _write_index_files(folder, parts)
        files = {name: f"{name}.npz" for name in attachments}
        for name, arrays in attachments.items():
            path = folder / files[name]
            np.savez(path, **arrays)  # type: ignore[arg-type]  # **arrays taken for allow_pickle
        manifest |= {
            "created_at": datetime.now(UTC).isoformat(),
            "index_sha256": _sha256(folder / INDEX_FILE),
            "ids_sha256": _sha256(folder / IDS_FILE),
            "ivf_sha256": _sha256(folder / IVF_FILE),
            "attachments": {
                name: {"file": file, "sha256": _sha256(folder / file)}
                for name, file in files.items()
            },
            "extra": extra,
        }
        (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        for name in (INDEX_FILE, IDS_FILE, IVF_FILE, *files.values(), MANIFEST_FILE):
            _fsync(folder / name)
        _fsync(folder)
        previous = directory.resolve() if directory.is_symlink() else None
        _swap_link(directory, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _remove_stale_snapshots(directory, keep=folder, previous=previous)


def load_snapshot(
    directory: Path,
    encoder_name: str,
    encoder_version: str,
    dim: int,
    adopt: Callable[[Snapshot], None],
) -> dict[str, Any] | None:
    """Read the snapshot ``directory`` links to and hand it to ``adopt`` (which raises if its parts
    disagree); returns its manifest (its "attachments" holding the saved arrays), or None (logged)
    when it cannot be used."""
    # Resolve the link once: a save that swaps it meanwhile must not mix two snapshots.
    directory = directory.resolve()
    try:
        manifest = json.loads((directory / MANIFEST_FILE).read_text())
        if not isinstance(manifest, dict):
            raise TypeError("manifest is not an object")
        expected = {
            "format_version": FORMAT_VERSION,
            "encoder_name": encoder_name,
            "encoder_version": encoder_version,
            "dim": dim,
        }
        for key, value in expected.items():
            if manifest.get(key) != value:
                logger.info(
                    "index snapshot %s not used: %s is %r, expected %r",
                    directory, key, manifest.get(key), value,
                )  # fmt: skip
                return None
        for name, key in (
            (INDEX_FILE, "index_sha256"),
            (IDS_FILE, "ids_sha256"),
            (IVF_FILE, "ivf_sha256"),
        ):
            if _sha256(directory / name) != manifest.get(key):
                logger.warning("index snapshot %s not used: %s checksum differs", directory, name)
                return None
        attachments: dict[str, dict[str, np.ndarray]] = {}
        for name, entry in (manifest.get("attachments") or {}).items():
            file = directory / Path(entry["file"]).name
            if _sha256(file) != entry.get("sha256"):
                logger.warning(
                    "index snapshot %s not used: %s checksum differs", directory, file.name
                )
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
        adopt(
            Snapshot(
                encoder_name=encoder_name,
                encoder_version=encoder_version,
                dim=dim,
                vectors=vectors,
                triples=triples,
                ivf=ivf,
                ivf_rows=manifest.get("ivf_rows"),
                owner_count=manifest.get("owner_count"),
                vector_count=manifest.get("vector_count"),
            )
        )
        manifest["attachments"] = attachments
        del vectors, triples
        return_free_memory()
    except FileNotFoundError as exc:
        logger.info("no usable index snapshot at %s: %s", directory, exc)
        return None
    except Exception as exc:  # a damaged snapshot is rebuilt, never fatal
        logger.warning("index snapshot %s not used: %s: %s", directory, type(exc).__name__, exc)
        return None
    return manifest


def _write_index_files(folder: Path, parts: Snapshot) -> dict[str, Any]:
    """The vectors, passages and IVF; returns the manifest's description of them. Rows keep their
    numbers (free rows are saved as zeros), so the IVF's ids stay valid."""
    np.save(folder / INDEX_FILE, parts.vectors, allow_pickle=False)
    np.save(folder / IDS_FILE, parts.triples, allow_pickle=False)
    if parts.ivf is not None:
        faiss.write_index(parts.ivf, str(folder / IVF_FILE))
    else:
        (folder / IVF_FILE).write_bytes(b"")
    return {
        "format_version": FORMAT_VERSION,
        "encoder_name": parts.encoder_name,
        "encoder_version": parts.encoder_version,
        "dim": parts.dim,
        "passage_count": len(parts.triples),
        "owner_count": parts.owner_count,
        "vector_count": parts.vector_count,
        "row_count": len(parts.vectors),
        "ivf_rows": parts.ivf_rows if parts.ivf is not None else 0,
    }


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
