"""The FAISS index of profile passages, keyed by database ids, with an owner per passage.

Passage ids are the database's; the owner of a passage is the lawyer it describes. Searches
answer per owner (a lawyer's best passage), pre-filtered to the owners that passed the hard
rules. The index is derived data: a snapshot that cannot be trusted is refused on load and
the caller rebuilds from the database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from threading import RLock
from typing import Any

import faiss
import numpy as np

logger = logging.getLogger(__name__)

# Two OpenMP threads made a single exact query 2x slower on a 2-core machine; we scale with
# processes instead.
faiss.omp_set_num_threads(1)

FORMAT_VERSION = 1
INDEX_FILE = "passages.faiss"
IDS_FILE = "owners.npy"  # (n, 2) int64: passage id, owner id
MANIFEST_FILE = "manifest.json"
# Selection by bitmap is faster than by hash set, but its size follows the largest id.
_BITMAP_MAX_ID = 1 << 26
# An unfinished snapshot folder (a crashed save) is removed after this long; another process
# may still be writing a younger one.
_STALE_SNAPSHOT_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class OwnerHit:
    owner_id: int
    score: float
    passage_id: int


class PassageIndex:
    """Passage vectors (L2-normalised float32, inner product) grouped by owner.

    All public methods take one re-entrant lock, so a background change-feed update and
    request-time searches may run on different threads.
    """

    def __init__(self, dim: int, encoder_name: str, encoder_version: str) -> None:
        self.dim = int(dim)
        self.encoder_name = encoder_name
        self.encoder_version = encoder_version
        self._index = self._new_index(self.dim)
        self._owner_of: dict[int, int] = {}
        self._passages_of: dict[int, np.ndarray] = {}
        self._lock = RLock()

    # -- the inner index: the only place that knows its FAISS type -------------------------

    @staticmethod
    def _new_index(dim: int) -> faiss.Index:
        # Exact for now; an IVF or HNSW inner index will go here for large pools.
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    def _search(
        self, query: np.ndarray, k: int, selector: faiss.IDSelector | None
    ) -> tuple[np.ndarray, np.ndarray]:
        params = None
        if selector is not None:
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
        scores, labels = self._index.search(query, k, params=params)
        return scores[0], labels[0]

    # -- updates ----------------------------------------------------------------------------

    def replace_owner(
        self, owner_id: int, passage_ids: Sequence[int] | np.ndarray, vectors: np.ndarray
    ) -> None:
        """Make these the owner's passages, dropping whatever the owner had before."""
        owner_id = int(owner_id)
        ids = np.asarray(passage_ids, dtype=np.int64).reshape(-1)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} passage ids but {len(vectors)} vectors")
        if len(np.unique(ids)) != len(ids):
            raise ValueError("duplicate passage ids")
        with self._lock:
            for pid in ids.tolist():
                other = self._owner_of.get(pid)
                if other is not None and other != owner_id:
                    raise ValueError(f"passage {pid} belongs to owner {other}, not {owner_id}")
            self.remove_owner(owner_id)
            if len(ids) == 0:
                return
            self._index.add_with_ids(vectors, ids)
            self._passages_of[owner_id] = ids
            self._owner_of.update(dict.fromkeys(ids.tolist(), owner_id))

    def remove_owner(self, owner_id: int) -> None:
        with self._lock:
            ids = self._passages_of.pop(int(owner_id), None)
            if ids is None:
                return
            self._index.remove_ids(faiss.IDSelectorBatch(ids))
            for pid in ids.tolist():
                del self._owner_of[pid]

    # -- inspection -------------------------------------------------------------------------

    def owners(self) -> set[int]:
        with self._lock:
            return set(self._passages_of)

    @property
    def owner_count(self) -> int:
        return len(self._passages_of)

    def __len__(self) -> int:
        return len(self._owner_of)

    def passage_ids(self, owner_id: int) -> list[int]:
        with self._lock:
            ids = self._passages_of.get(int(owner_id))
            return [] if ids is None else ids.tolist()

    # -- search -----------------------------------------------------------------------------

    def best_by_owner(
        self, query: np.ndarray, k: int, allowed_owners: Collection[int] | None = None
    ) -> list[OwnerHit]:
        """The k owners whose best passage is nearest the query, one hit each.

        Returns exactly min(k, allowed owners present) hits, best first, ties by owner id.
        The passage search is pre-filtered to the allowed owners and widened (doubling)
        until k distinct owners are seen, so a narrow filter never starves the result.
        """
        query = self._as_query(query)
        with self._lock:
            if allowed_owners is None:
                present = len(self._passages_of)
                total, selector = len(self._owner_of), None
            else:
                allowed = {int(o) for o in allowed_owners} & self._passages_of.keys()
                ids = self._allowed_passage_ids(allowed)
                present, total, selector = len(allowed), len(ids), self._selector(ids)
            want = min(int(k), present)
            if want <= 0:
                return []
            # Profiles have a handful of passages; start with room for several per owner.
            passage_k = min(total, max(4 * want, 16))
            while True:
                scores, labels = self._search(query, passage_k, selector)
                best = self._best_per_owner(scores, labels)
                exhausted = passage_k >= total
                if len(best) >= want:
                    kth = sorted(h.score for h in best.values())[-want]
                    # Stop unless owners beyond the window could tie with the k-th (equal
                    # scores come from identical passages of different lawyers).
                    if exhausted or scores[passage_k - 1] < kth:
                        break
                elif exhausted:
                    break
                passage_k = min(total, passage_k * 2)
            return sorted(best.values(), key=_rank)[:want]

    def nearest(self, query: np.ndarray, k: int) -> list[tuple[int, int, float]]:
        """The k nearest passages of any owner, as (passage_id, owner_id, score), best first."""
        with self._lock:
            if not len(self._owner_of) or k <= 0:
                return []
            scores, labels = self._search(self._as_query(query), min(k, len(self._owner_of)), None)
            return [
                (int(pid), self._owner_of[int(pid)], float(score))
                for score, pid in zip(scores.tolist(), labels.tolist())
                if pid != -1 and int(pid) in self._owner_of
            ]

    def scores_for_owners(self, query: np.ndarray, owners: Collection[int]) -> dict[int, OwnerHit]:
        """The best passage of each listed owner present in the index, scored exactly."""
        query = self._as_query(query)
        with self._lock:
            ids = self._allowed_passage_ids(owners)
            if len(ids) == 0:
                return {}
            # Reconstructed vectors are scored directly, so the answer stays exact whatever
            # the inner index (a graph search with a selector is not).
            vectors = self._index.reconstruct_batch(ids)
            owners = [self._owner_of[pid] for pid in ids.tolist()]
        scores = vectors @ query[0]
        best: dict[int, OwnerHit] = {}
        for owner, pid, score in zip(owners, ids.tolist(), scores.tolist()):
            hit = best.get(owner)
            if hit is None or score > hit.score or (score == hit.score and pid < hit.passage_id):
                best[owner] = OwnerHit(owner, float(score), pid)
        return best

    def _as_query(self, query: np.ndarray) -> np.ndarray:
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if query.shape[1] != self.dim:
            raise ValueError(f"query has dimension {query.shape[1]}, index has {self.dim}")
        return query

    def _allowed_passage_ids(self, owners: Iterable[int]) -> np.ndarray:
        arrays = [a for a in (self._passages_of.get(int(o)) for o in set(owners)) if a is not None]
        return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)

    @staticmethod
    def _selector(ids: np.ndarray) -> faiss.IDSelector:
        if len(ids) and 0 <= int(ids.min()) and int(ids.max()) < _BITMAP_MAX_ID:
            bitmap = np.zeros((int(ids.max()) >> 3) + 1, dtype=np.uint8)
            np.bitwise_or.at(bitmap, ids >> 3, (1 << (ids & 7)).astype(np.uint8))
            selector = faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap))
            # The selector does not own the buffer: keep it alive as long as the selector.
            selector.referenced_bitmap = bitmap  # type: ignore[attr-defined]
            return selector
        return faiss.IDSelectorBatch(ids)

    def _owner_pairs(self) -> np.ndarray:
        if not self._passages_of:
            return np.zeros((0, 2), dtype=np.int64)
        ids = list(self._passages_of.values())
        owners = np.repeat(np.fromiter(self._passages_of, dtype=np.int64), [len(a) for a in ids])
        return np.stack([np.concatenate(ids), owners], axis=1)

    def _best_per_owner(self, scores: np.ndarray, labels: np.ndarray) -> dict[int, OwnerHit]:
        best: dict[int, OwnerHit] = {}
        for score, pid in zip(scores.tolist(), labels.tolist()):
            if pid < 0:
                continue
            owner = self._owner_of[pid]
            hit = best.get(owner)
            if hit is None or score > hit.score:
                best[owner] = OwnerHit(owner, float(score), pid)
        return best

    # -- persistence ------------------------------------------------------------------------

    def save(self, directory: Path, extra: dict[str, Any] | None = None) -> None:
        """Write a snapshot, then make it visible in one atomic step.

        ``directory`` is a symlink to a hidden sibling folder holding one complete snapshot;
        a new snapshot is written and fsynced in its own folder and the link is swapped with
        os.replace, so readers see the old snapshot or the new one, never a partial one and
        never none.
        """
        directory = Path(directory)
        parent = directory.parent
        parent.mkdir(parents=True, exist_ok=True)
        snapshot = (
            parent / f".{directory.name}.{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        )
        snapshot.mkdir()
        try:
            with self._lock:
                faiss.write_index(self._index, str(snapshot / INDEX_FILE))
                pairs = self._owner_pairs()
                manifest: dict[str, Any] = {
                    "format_version": FORMAT_VERSION,
                    "encoder_name": self.encoder_name,
                    "encoder_version": self.encoder_version,
                    "dim": self.dim,
                    "passage_count": len(self._owner_of),
                    "owner_count": len(self._passages_of),
                }
            np.save(snapshot / IDS_FILE, pairs, allow_pickle=False)
            manifest |= {
                "created_at": datetime.now(UTC).isoformat(),
                "index_sha256": _sha256(snapshot / INDEX_FILE),
                "ids_sha256": _sha256(snapshot / IDS_FILE),
                "extra": extra or {},
            }
            (snapshot / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True))
            for name in (INDEX_FILE, IDS_FILE, MANIFEST_FILE):
                _fsync(snapshot / name)
            _fsync(snapshot)
            previous = directory.resolve() if directory.is_symlink() else None
            _swap_link(directory, snapshot)
        except BaseException:
            shutil.rmtree(snapshot, ignore_errors=True)
            raise
        _remove_stale_snapshots(directory, keep=snapshot, previous=previous)

    @classmethod
    def load(
        cls, directory: Path, encoder_name: str, encoder_version: str, dim: int
    ) -> tuple[PassageIndex, dict[str, Any]] | None:
        """The saved index and its manifest, or None (logged) when it cannot be used."""
        # Resolve the link once: a save that swaps it meanwhile must not mix two snapshots.
        directory = Path(directory).resolve()
        try:
            manifest = json.loads((directory / MANIFEST_FILE).read_text())
            if not isinstance(manifest, dict):
                raise TypeError("manifest is not an object")
            expected = {
                "format_version": FORMAT_VERSION,
                "encoder_name": encoder_name,
                "encoder_version": encoder_version,
                "dim": int(dim),
            }
            for key, value in expected.items():
                if manifest.get(key) != value:
                    logger.info(
                        "index snapshot %s not used: %s is %r, expected %r",
                        directory,
                        key,
                        manifest.get(key),
                        value,
                    )
                    return None
            for name, key in ((INDEX_FILE, "index_sha256"), (IDS_FILE, "ids_sha256")):
                if _sha256(directory / name) != manifest.get(key):
                    logger.warning(
                        "index snapshot %s not used: %s checksum differs", directory, name
                    )
                    return None
            index = faiss.read_index(str(directory / INDEX_FILE))
            pairs = np.load(directory / IDS_FILE, allow_pickle=False)
            if (
                index.d != dim
                or pairs.ndim != 2
                or pairs.shape[1] != 2
                or index.ntotal != len(pairs)
            ):
                raise ValueError("index and owner mapping disagree")
            loaded = cls(dim, encoder_name, encoder_version)
            loaded._index = index
            loaded._owner_of = dict(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist()))
            order = np.argsort(pairs[:, 1], kind="stable")
            owners, starts = np.unique(pairs[order, 1], return_index=True)
            for owner, ids in zip(owners.tolist(), np.split(pairs[order, 0], starts[1:])):
                loaded._passages_of[owner] = ids
        except FileNotFoundError as exc:
            logger.info("no usable index snapshot at %s: %s", directory, exc)
            return None
        except Exception as exc:  # a damaged snapshot is rebuilt, never fatal
            logger.warning("index snapshot %s not used: %s: %s", directory, type(exc).__name__, exc)
            return None
        return loaded, manifest


def _rank(hit: OwnerHit) -> tuple[float, int]:
    return (-hit.score, hit.owner_id)


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
