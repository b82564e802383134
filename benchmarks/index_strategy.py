"""Index strategy by size: exact (one matrix-vector product over the distinct vectors) vs HNSW and IVF.

Uses real encoder vectors: the distinct passage vectors of the vector cache filled by synth.py
--encode (masked passage texts, as the catalog indexes them) and the dev needs encoded as queries
(masked, as the engine does). Recall@k is measured against the exact top k distinct vectors.
`--scale N` adds noisy copies of the real vectors (unit-normalised, sigma 0.05) up to N rows to
time the methods at a 1M-profile directory's distinct-vector count; recall there is against
exact search over the same enlarged set. Ends with one JSON line.

    python benchmarks/index_strategy.py --cache-dir /tmp/mmcache --scale 350000

`--owners N` also builds an embeddings.index.PassageIndex at directory scale: N owners with the
passages of the synthetic profiles (`--lawyers`, synth.py's output: which passages share a vector,
as the catalog would index them) cycled over the owners, padded to `--passages-per-owner`, and
where owners repeat a profile a share of their passages replaced by noisy copies of the vector so
that the distinct vectors reach `--scale`. It reports build time, memory (memory_bytes() and the
process RSS delta), recall@50 of best_by_owner against a brute-force per-owner computation, the
IVF's own row recall@50 by nprobe, latencies (cold score cache) of nearest(q, 40),
best_by_owner(q, 200, mask) for 100/30/5/0.5% owner masks, scores_for_owners for 2,000 owners and
one request's three searches (warm cache), the IVF flush cost and a save/load round trip:

    python benchmarks/index_strategy.py --cache-dir ~/.cache/matchmaker/vectors --scale 350000 \
        --owners 1000000 --lawyers /tmp/synth-100k.jsonl --skip-strategies
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEV_NEEDS = REPO / "eval" / "dev" / "needs.jsonl"


def timed(fn, queries: np.ndarray) -> tuple[list[np.ndarray], float, float]:
    out, times = [], []
    for q in queries:
        started = time.perf_counter()
        out.append(fn(q))
        times.append(time.perf_counter() - started)
    return out, float(np.percentile(times, 50) * 1e3), float(np.percentile(times, 95) * 1e3)


def recall(found: list[np.ndarray], truth: list[np.ndarray]) -> float:
    return float(np.mean([len(set(f.tolist()) & set(t.tolist())) / len(t) for f, t in zip(found, truth)]))


def measure(vectors: np.ndarray, queries: np.ndarray, k: int) -> dict:
    import faiss

    faiss.omp_set_num_threads(1)
    figures: dict = {"vectors": len(vectors)}

    def exact(q: np.ndarray) -> np.ndarray:
        scores = vectors @ q
        top = np.argpartition(-scores, k)[:k]
        return top[np.argsort(-scores[top])]

    truth, p50, p95 = timed(exact, queries)
    figures["exact"] = {"p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "recall": 1.0}
    started = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = 80
    hnsw.add(vectors)
    figures["hnsw_build_s"] = round(time.perf_counter() - started, 1)
    for ef in (64, 128, 256):
        hnsw.hnsw.efSearch = ef
        found, p50, p95 = timed(lambda q: hnsw.search(q[None], k)[1][0], queries)
        figures[f"hnsw_m32_ef{ef}"] = {"p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "recall": round(recall(found, truth), 4)}
    nlist = int(4 * np.sqrt(len(vectors)))
    started = time.perf_counter()
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(vectors.shape[1]), vectors.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.train(vectors[np.random.default_rng(0).permutation(len(vectors))[: max(nlist * 40, 10_000)]])
    ivf.add(vectors)
    figures["ivf_build_s"] = round(time.perf_counter() - started, 1)
    for nprobe in (8, 16, 32):
        ivf.nprobe = nprobe
        found, p50, p95 = timed(lambda q: ivf.search(q[None], k)[1][0], queries)
        figures[f"ivf{nlist}_nprobe{nprobe}"] = {"p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "recall": round(recall(found, truth), 4)}
    return figures


def rss_bytes() -> int:
    with open("/proc/self/statm") as file:
        return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def profile_rows(lawyers: Path, cache_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """Each synthetic profile's passages as vector-cache rows: (flat rows, offsets), memoised."""
    from embeddings.passages import profile_passages
    from service.matching.reading import mask_places

    stat = lawyers.stat()
    memo = Path(tempfile.gettempdir()) / f"index_strategy_{stat.st_size}_{int(stat.st_mtime)}.npz"
    if memo.exists():
        saved = np.load(memo)
        return saved["rows"], saved["offsets"]
    keys = np.load(cache_dir / "keys.npy")
    row_of = {bytes(key): i for i, key in enumerate(keys)}
    rows: list[int] = []
    offsets = [0]
    with lawyers.open(encoding="utf-8") as file:
        for line in file:
            if not line.strip():
                continue
            record = json.loads(line)
            for passage in profile_passages(record.get("bio"), record.get("cases")):
                text = mask_places(passage.text).encode("utf-8")
                row = row_of.get(hashlib.blake2b(text, digest_size=16).digest())
                if row is not None:  # every one is, once synth.py --encode filled the cache
                    rows.append(row)
            offsets.append(len(rows))
    flat, bounds = np.asarray(rows, dtype=np.int64), np.asarray(offsets, dtype=np.int64)
    np.savez(memo, rows=flat, offsets=bounds)
    return flat, bounds


def directory_layout(
    vectors: np.ndarray,
    flat: np.ndarray,
    offsets: np.ndarray,
    owners: int,
    per_owner: int,
    scale: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(all vectors, passage rows, owner run starts, passage ids); owner o has id o + 1."""
    from embeddings.index.arrays import ranges

    profiles = len(offsets) - 1
    counts = np.diff(offsets)
    profile = np.arange(owners) % profiles
    own = counts[profile]
    pad = np.maximum(0, per_owner - own)
    rows = flat[ranges(offsets[profile], own)]
    padding = flat[rng.integers(0, len(flat), int(pad.sum()))]  # as common as passages are
    everyone = np.arange(owners)
    owner_of = np.concatenate([np.repeat(everyone, own), np.repeat(everyone, pad)])
    order = np.argsort(owner_of, kind="stable")
    rows = np.concatenate([rows, padding])[order]
    owner_of = owner_of[order]
    # owners repeating a profile (from the second copy on) get details: new, similar vectors
    repeat = np.flatnonzero(owner_of >= profiles)
    new = min(max(0, scale - len(vectors)), len(repeat))
    chosen = np.sort(rng.choice(repeat, size=new, replace=False))
    extra = np.empty((new, vectors.shape[1]), dtype=np.float32)
    sigma = 0.05 / np.sqrt(vectors.shape[1]) * 10  # as the noisy copies above
    for start in range(0, new, 65_536):
        part = vectors[rows[chosen[start : start + 65_536]]]
        part = part + rng.normal(scale=sigma, size=part.shape).astype(np.float32)
        extra[start : start + len(part)] = part / np.linalg.norm(part, axis=1, keepdims=True)
    rows[chosen] = len(vectors) + np.arange(new)
    starts = np.flatnonzero(np.r_[True, owner_of[1:] != owner_of[:-1]])
    pids = 1 + np.arange(len(rows)) + owner_of  # a gap after each owner, as deletions leave
    return np.vstack([vectors, extra]), rows, starts, pids


def measure_passage_index(
    vectors: np.ndarray,
    queries: np.ndarray,
    cache_dir: Path,
    lawyers: Path | None,
    owners: int,
    per_owner: int,
    scale: int,
) -> dict:
    from embeddings.index import PassageIndex
    from embeddings.index import ivf as ivf_module
    from embeddings.index.arrays import return_free_memory

    rng = np.random.default_rng(7)
    dim = vectors.shape[1]
    figures: dict = {}
    if lawyers is not None and lawyers.exists():
        flat, offsets = profile_rows(lawyers, cache_dir)
        figures["profiles"] = len(offsets) - 1
    else:  # no profiles: every passage its own random row
        flat, offsets = np.arange(len(vectors)), np.arange(len(vectors) + 1)
    allv, rows, starts, pids = directory_layout(
        vectors, flat, offsets, owners, per_owner, scale, rng
    )
    ends = np.r_[starts[1:], len(rows)]
    figures |= {"owners": owners, "passages": len(rows), "vectors_given": len(allv)}
    built: list[tuple] = []

    class Built(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.msg.startswith("passage IVF built"):
                built.append(record.args)

    logging.getLogger("embeddings.index").addHandler(Built())
    logging.getLogger("embeddings.index").setLevel(logging.INFO)
    gc.collect()
    rss0 = rss_bytes()
    started = time.perf_counter()
    index = PassageIndex(dim, "bench", "1")
    for owner, (s, e) in enumerate(zip(starts.tolist(), ends.tolist())):
        index.replace_owner(owner + 1, pids[s:e], allv[rows[s:e]])
    figures["build_s"] = round(time.perf_counter() - started, 1)
    while index._ivf.building:  # the last IVF (re)training runs in a thread
        time.sleep(0.5)
    figures["build_with_ivf_s"] = round(time.perf_counter() - started, 1)
    figures["ivf_builds"] = [
        {"rows": r, "nlist": n, "train_s": round(t, 1), "fill_s": round(f, 1)}
        for r, n, t, f in built
    ]
    figures["distinct_vectors"] = index.distinct_vectors
    index.nearest(queries[0], 1)  # builds the row -> slots map
    gc.collect()
    figures["memory_bytes_mb"] = round(index.memory_bytes() / 2**20)
    figures["rss_delta_mb"] = round((rss_bytes() - rss0) / 2**20)
    return_free_memory()
    figures["rss_delta_after_malloc_trim_mb"] = round((rss_bytes() - rss0) / 2**20)

    # Brute force: every passage scored, best per owner. Owners tie often (profiles share template
    # sentences), so a found owner counts when its true best reaches the true k-th best score.
    def recall_of(q: np.ndarray, k: int, mask: np.ndarray | None, found: list) -> float:
        best = np.maximum.reduceat((allv @ q)[rows], starts)
        if mask is not None:
            best = np.where(mask[1:], best, -np.inf)
        kth = np.partition(best, len(best) - k)[len(best) - k]
        owners_found = np.array([h.owner_id for h in found], dtype=np.int64)
        return float(np.count_nonzero(best[owners_found - 1] >= kth - 1e-6)) / k

    masks = {}
    for share in (1.0, 0.3, 0.05, 0.005):
        mask = rng.random(owners + 1) < share
        mask[0] = False
        masks[share] = mask
    k = 50
    for name, mask in (("all", None), ("mask30", masks[0.3]), ("mask5", masks[0.05])):
        recalls = [recall_of(q, k, mask, index.best_by_owner(q, k, mask)) for q in queries]
        figures[f"recall@{k}_{name}"] = round(float(np.mean(recalls)), 4)
        figures[f"recall@{k}_{name}_min"] = round(float(np.min(recalls)), 2)

    # the candidate rows' recall of the exact top 50 rows, by nprobe (IVF + most-shared rows)
    if index._ivf.index is not None:
        saved_nprobe = ivf_module.IVF_NPROBE
        for nprobe in (8, 16, 32, 64):
            ivf_module.IVF_NPROBE = nprobe
            recalls = []
            for q in queries:
                scores = index._rows.vectors[: index._rows.used] @ q
                kth = np.partition(scores, len(scores) - k)[len(scores) - k]
                index._scorer.clear()
                top = index._search._candidates(q[None], ivf_module.IVF_MIN_CANDIDATES)[0][:k]
                recalls.append(np.count_nonzero(scores[top] >= kth - 1e-6) / k)
            figures[f"row_recall@{k}_nprobe{nprobe}"] = round(float(np.mean(recalls)), 4)
            figures[f"row_recall@{k}_nprobe{nprobe}_min"] = round(float(np.min(recalls)), 2)
        ivf_module.IVF_NPROBE = saved_nprobe
        index._scorer.clear()

    def latency(call) -> dict:
        times = []
        for q in queries:
            index._scorer.clear()  # cold: as a request's first search of its query
            started = time.perf_counter()
            call(q)
            times.append(time.perf_counter() - started)
        p50, p95 = np.percentile(times, [50, 95]) * 1e3
        return {"p50_ms": round(float(p50), 2), "p95_ms": round(float(p95), 2)}

    figures["nearest40"] = latency(lambda q: index.nearest(q, 40))
    for share, mask in masks.items():
        figures[f"best200_mask{share * 100:g}"] = latency(
            lambda q, m=mask: index.best_by_owner(q, 200, m)
        )
    some = (rng.choice(owners, size=2_000, replace=False) + 1).tolist()
    figures["scores_for_2000_owners"] = latency(lambda q: index.scores_for_owners(q, some))

    def request(q: np.ndarray) -> None:  # the engine's three searches of one query
        index.nearest(q, 40)
        index.best_by_owner(q, 200, masks[1.0])
        index.best_by_owner(q, 200, masks[0.3])

    figures["request_3_searches"] = latency(request)
    saved_min = ivf_module.IVF_MIN_ROWS
    ivf_module.IVF_MIN_ROWS = 10**12  # the exact path at the same size, for comparison
    try:
        for share in (1.0, 0.05):
            figures[f"exact_best200_mask{share * 100:g}"] = latency(
                lambda q, m=masks[share]: index.best_by_owner(q, 200, m)
            )
    finally:
        ivf_module.IVF_MIN_ROWS = saved_min

    # updates adding IVF_FLUSH_ROWS new distinct vectors: the last one flushes them into the IVF
    # (a writer holds the lock meanwhile)
    fresh = allv[rng.integers(0, len(allv), ivf_module.IVF_FLUSH_ROWS)]
    fresh = fresh + rng.normal(scale=0.02, size=fresh.shape).astype(np.float32)
    fresh /= np.linalg.norm(fresh, axis=1, keepdims=True)
    update_times = []
    for i, vector in enumerate(fresh):
        started = time.perf_counter()
        index.replace_owner(owners + 1 + i, [int(pids[-1]) + 1 + i], vector[None])
        update_times.append(time.perf_counter() - started)
    figures["update_p50_ms"] = round(float(np.percentile(update_times, 50) * 1e3), 3)
    figures["update_with_ivf_flush_ms"] = round(max(update_times) * 1e3, 1)

    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / "index"
        started = time.perf_counter()
        index.save(snapshot)
        figures["save_s"] = round(time.perf_counter() - started, 1)
        figures["snapshot_mb"] = round(sum(f.stat().st_size for f in snapshot.iterdir()) / 2**20)
        # a service start: load in a fresh process, its RSS before and after
        probe = f"""
import json, sys, time
sys.path.insert(0, {str(REPO)!r})
from pathlib import Path
import numpy as np
from embeddings.index import PassageIndex
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * {os.sysconf("SC_PAGE_SIZE")}
before = rss()
started = time.perf_counter()
index, _ = PassageIndex.load(Path({str(snapshot)!r}), "bench", "1", {dim})
seconds = time.perf_counter() - started
index.nearest(np.ones({dim}, dtype=np.float32), 1)
print(json.dumps({{"load_s": round(seconds, 1), "rss_delta_mb": round((rss() - before) / 2**20),
                  "memory_bytes_mb": round(index.memory_bytes() / 2**20)}}))
"""
        result = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        )
        figures["fresh_process_load"] = json.loads(result.stdout.strip().splitlines()[-1])
        loaded = PassageIndex.load(snapshot, "bench", "1", dim)
        assert loaded is not None
        figures["loaded_same_results"] = all(
            loaded[0].best_by_owner(q, 50, masks[0.05]) == index.best_by_owner(q, 50, masks[0.05])
            for q in queries[:10]
        )
        del loaded
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache-dir", type=Path, required=True, help="vector cache filled by synth.py --encode")
    parser.add_argument("--needs", type=Path, default=DEV_NEEDS)
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--scale", type=int, default=0, help="also time at this many vectors (noisy copies)")
    parser.add_argument(
        "--owners", type=int, default=0, help="also build a PassageIndex with this many owners"
    )
    parser.add_argument("--passages-per-owner", type=int, default=6)
    parser.add_argument(
        "--lawyers", type=Path, default=Path("/tmp/synth-100k.jsonl"), help="synth.py profiles"
    )
    parser.add_argument(
        "--skip-strategies", action="store_true", help="skip the exact/HNSW/IVF comparison"
    )
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    from embeddings.encoder import load_encoder
    from service.matching.reading import mask_places

    threadpool_limits(1, user_api="blas")
    vectors = np.ascontiguousarray(np.load(args.cache_dir / "vectors.npy"), dtype=np.float32)
    encoder = load_encoder()
    needs = [json.loads(line) for line in args.needs.open(encoding="utf-8") if line.strip()]
    queries = np.ascontiguousarray(encoder.encode_queries([mask_places(n["description"]) for n in needs]), dtype=np.float32)
    figures: dict = {"benchmark": "index_strategy", "k": args.k, "queries": len(queries)}
    if not args.skip_strategies:
        figures["real"] = measure(vectors, queries, args.k)
    if args.scale > len(vectors) and not args.skip_strategies:
        rng = np.random.default_rng(0)
        extra = vectors[rng.integers(0, len(vectors), args.scale - len(vectors))]
        extra = extra + rng.normal(scale=0.05 / np.sqrt(vectors.shape[1]) * 10, size=extra.shape).astype(np.float32)
        extra /= np.linalg.norm(extra, axis=1, keepdims=True)
        figures["scaled"] = measure(np.vstack([vectors, extra.astype(np.float32)]), queries, args.k)
    if args.owners:
        figures["passage_index"] = measure_passage_index(
            vectors,
            queries,
            args.cache_dir,
            args.lawyers,
            args.owners,
            args.passages_per_owner,
            max(args.scale, len(vectors)),
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
