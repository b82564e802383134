"""Training and filling a new IVF over the rows, in a thread, while searches stay exact."""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING

import faiss
import numpy as np

from embeddings.index.arrays import return_free_memory

if TYPE_CHECKING:
    from embeddings.index.ivf import RowIvf

logger = logging.getLogger(__name__)

# nlist = factor * sqrt(rows): at 350k rows 4*sqrt took 78 s of k-means for no recall or latency
# gain over 1*sqrt (3 s); see benchmarks/index_strategy.py
IVF_LIST_FACTOR = 1.0
IVF_TRAIN_PER_LIST = 64  # training sample per centroid (k-means cost is sample * nlist)
IVF_TRAIN_ITERATIONS = 10
# 4-bit codes: candidates are re-scored exactly, and re-scored recall@50 is the same as with 8 bits
# (0.994 at 350k rows) for half the memory (ivf.IVF_FETCH makes up for the coarser tail).
IVF_CODE = "SQ4"
IVF_BACKGROUND = True  # train in a thread (searches stay exact meanwhile); tests train inline
IVF_ADD_CHUNK = 16_384  # rows copied per lock hold while a background build fills a new IVF


def start(target: RowIvf, generation: int) -> None:
    """Build an IVF of the target's rows and install it, unless the target drops or replaces
    this build (``generation``) or is itself dropped meanwhile."""
    args = (weakref.ref(target), generation)
    if IVF_BACKGROUND:
        threading.Thread(target=_build, args=args, name="passage-ivf", daemon=True).start()
    else:
        _build(*args)


@contextlib.contextmanager
def _current(ref: weakref.ref[RowIvf], generation: int) -> Iterator[RowIvf | None]:
    """The target, locked, while this build is still wanted; None once the target is gone (a
    rebuild replaced its index) or the build was abandoned."""
    target = ref()
    if target is None:
        yield None
        return
    with target.lock:
        yield target if target.generation == generation else None


def _build(ref: weakref.ref[RowIvf], generation: int) -> None:
    """Train an IVF on a sample of the rows and fill it, holding the lock only to copy rows.

    Holds only a weak reference between steps: an index replaced meanwhile (a rebuild) is not
    kept alive, and the build stops.
    """
    started = time.perf_counter()
    try:
        with _current(ref, generation) as target:
            if target is None:
                return
            live = target.rows.live()
            nlist = max(1, min(len(live), int(IVF_LIST_FACTOR * math.sqrt(len(live)))))
            rng = np.random.default_rng(generation)
            size = min(len(live), IVF_TRAIN_PER_LIST * nlist)
            sample = np.sort(rng.choice(live, size=size, replace=False))
            training = target.rows.vectors[sample]
            dim = target.rows.dim
        del target
        ivf = faiss.index_factory(dim, f"IVF{nlist},{IVF_CODE}", faiss.METRIC_INNER_PRODUCT)
        if not isinstance(ivf, faiss.IndexIVF):
            raise TypeError(f"IVF{nlist},{IVF_CODE} made a {type(ivf).__name__}")
        ivf.cp.niter = IVF_TRAIN_ITERATIONS
        ivf.cp.min_points_per_centroid = 1  # the sample is deliberately small
        ivf.cp.max_points_per_centroid = max(IVF_TRAIN_PER_LIST, 1)
        ivf.train(training)
        del training
        trained = time.perf_counter()
        added = []
        for first in range(0, len(live), IVF_ADD_CHUNK):
            with _current(ref, generation) as target:
                if target is None:
                    return
                rows = live[first : first + IVF_ADD_CHUNK]
                rows = rows[target.rows.refs[rows] > 0]
                vectors = target.rows.vectors[rows]
            del target
            ivf.add_with_ids(vectors, rows)
            added.append(rows)
        with _current(ref, generation) as target:
            if target is None:
                return
            held = np.concatenate(added) if added else np.zeros(0, dtype=np.int64)
            target.install(ivf, held, len(live))
        del target, ivf, added, held
        return_free_memory()  # the training sample and the copied chunks
        logger.info(
            "passage IVF built: %d rows, %d lists, trained in %.1f s, filled in %.1f s",
            len(live), nlist, trained - started, time.perf_counter() - trained,
        )  # fmt: skip
    except Exception:
        logger.exception("passage IVF not built; searches stay exact")
        with _current(ref, generation) as target:
            if target is not None:
                target.build_failed()
