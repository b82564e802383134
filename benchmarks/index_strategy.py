"""Index strategy by size: exact (one matrix-vector product over the distinct vectors) vs HNSW and IVF.

Uses real encoder vectors: the distinct passage vectors of the vector cache filled by synth.py
--encode (masked passage texts, as the catalog indexes them) and the dev needs encoded as queries
(masked, as the engine does). Recall@k is measured against the exact top k distinct vectors.
`--scale N` adds noisy copies of the real vectors (unit-normalised, sigma 0.05) up to N rows to
time the methods at a 1M-profile directory's distinct-vector count; recall there is against
exact search over the same enlarged set. Ends with one JSON line.

    python benchmarks/index_strategy.py --cache-dir /tmp/mmcache --scale 350000
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEV_NEEDS = REPO.parent / "shared" / "eval" / "dev" / "needs.jsonl"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache-dir", type=Path, required=True, help="vector cache filled by synth.py --encode")
    parser.add_argument("--needs", type=Path, default=DEV_NEEDS)
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--scale", type=int, default=0, help="also time at this many vectors (noisy copies)")
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    from embeddings.encoder import load_encoder
    from service.matching.understand import mask_places

    threadpool_limits(1, user_api="blas")
    vectors = np.ascontiguousarray(np.load(args.cache_dir / "vectors.npy"), dtype=np.float32)
    encoder = load_encoder()
    needs = [json.loads(line) for line in args.needs.open(encoding="utf-8") if line.strip()]
    queries = np.ascontiguousarray(encoder.encode_queries([mask_places(n["description"]) for n in needs]), dtype=np.float32)
    figures: dict = {"benchmark": "index_strategy", "k": args.k, "queries": len(queries)}
    figures["real"] = measure(vectors, queries, args.k)
    if args.scale > len(vectors):
        rng = np.random.default_rng(0)
        extra = vectors[rng.integers(0, len(vectors), args.scale - len(vectors))]
        extra = extra + rng.normal(scale=0.05 / np.sqrt(vectors.shape[1]) * 10, size=extra.shape).astype(np.float32)
        extra /= np.linalg.norm(extra, axis=1, keepdims=True)
        figures["scaled"] = measure(np.vstack([vectors, extra.astype(np.float32)]), queries, args.k)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
