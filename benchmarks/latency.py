"""HTTP /v1/match latency and throughput against real service processes, next to the floor.

Starts N `matchmaker serve` processes (each a uvicorn worker holding the index) on one
PostgreSQL database that already holds the profiles (see import_rate.py --keep), drives them
with concurrent clients over loopback for a fixed time, and measures in this process the floor
for the same needs: query encoding plus an exact FAISS search (IndexFlatIP over every indexed
passage vector, k=50, one thread). Ends with one JSON line.

    python benchmarks/latency.py --database-url postgresql+psycopg://root@127.0.0.1:5432/mm_import_xxxx \
        --data-dir /tmp/mm-import-xxxx --processes 2 --clients 8 --seconds 30
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEV_NEEDS = REPO / "eval" / "dev" / "needs.jsonl"
KEY = "bench-admin-key"


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn workers), in MB."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def start_servers(args: argparse.Namespace) -> list[tuple[subprocess.Popen, int]]:
    servers = []
    for i in range(args.processes):
        port = args.port + i
        data = Path(args.data_dir) if i == 0 else Path(f"{args.data_dir}-p{i}")
        if i and not data.exists():
            shutil.copytree(args.data_dir, data, symlinks=True)
        env = os.environ | {
            "MATCHMAKER_DATABASE_URL": args.database_url,
            "MATCHMAKER_DATA_DIR": str(data),
            "MATCHMAKER_LOAD_DEMO_DATA": "false",
            "MATCHMAKER_ADMIN_API_KEY": KEY,
            "MATCHMAKER_RATE_LIMIT_PER_MINUTE": "100000000",
            # one key drives the throughput measurement: above the per-key match budgets
            "MATCHMAKER_MATCH_COST_PER_MINUTE": "1000000000",
            "MATCHMAKER_MATCH_COST_PER_MINUTE_PER_ORGANISATION": "1000000000",
            "MATCHMAKER_MATCH_CONCURRENCY_PER_KEY": "1024",
            "MATCHMAKER_MATCH_CONCURRENCY_PER_ORGANISATION": "1024",
        }
        command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", str(args.workers)]
        servers.append((subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True), port))
    deadline = time.monotonic() + args.start_timeout
    for _, port in servers:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"server on port {port} not ready in {args.start_timeout}s")
            time.sleep(0.5)
    return servers


def load(
    ports: list[int], needs: list[dict], clients: int, seconds: float, fresh: bool = False
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        with httpx.Client(base_url=f"http://127.0.0.1:{ports[n % len(ports)]}", headers={"X-API-Key": KEY}, timeout=30) as http:
            i = n
            while time.monotonic() < stop:
                need = needs[i % len(needs)]
                i += clients
                body = {key: need[key] for key in ("description", "countries", "practice_areas", "languages") if need.get(key)}
                if fresh:  # a need never seen before: nothing of it is in the service's query cache
                    body["description"] += f" (ref {n}-{i})"
                started = time.perf_counter()
                response = http.post("/v1/match", json=body | {"k": 10})
                elapsed = time.perf_counter() - started
                if response.status_code == 200:
                    mine.append(elapsed)
                else:
                    bad += 1
        with lock:
            latencies.extend(mine)
            errors += bad

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.monotonic() - started


# An exact index over every passage (not only the distinct vectors) is built for the floor up to
# this size; at 10^6 profiles it would be 12 GB, and only the distinct-vector floor is measured.
FLAT_FLOOR_MAX_BYTES = 3 << 30


def floor(data_dir: Path, needs: list[dict]) -> dict:
    """Encode + exact FAISS search of the same needs, in this process, one thread."""
    import faiss

    from embeddings.encoder import load_encoder
    from service.matching.reading import mask_places

    faiss.omp_set_num_threads(1)
    index_dir = (data_dir / "index").resolve()
    vectors = np.load(index_dir / "vectors.npy", mmap_mode="r")
    triples = np.load(index_dir / "owners.npy", mmap_mode="r")
    flat = None
    if len(triples) * vectors.shape[1] * 4 <= FLAT_FLOOR_MAX_BYTES:
        flat = faiss.IndexIDMap2(faiss.IndexFlatIP(vectors.shape[1]))
        flat.add_with_ids(np.ascontiguousarray(vectors[triples[:, 2]]), np.ascontiguousarray(triples[:, 0]))
    # The stricter floor: the same exact search over the distinct vectors only (what the service's
    # deduplicated index scores), so the ratio is not flattered by a floor that scores duplicates.
    distinct = faiss.IndexFlatIP(vectors.shape[1])
    distinct.add(np.ascontiguousarray(vectors[np.unique(triples[:, 2])]))
    encoder = load_encoder()
    timings, strict = [], []
    for need in needs * 3:
        text = mask_places(need["description"])
        started = time.perf_counter()
        query = encoder._encode([text])  # uncached: the service encodes each new need once
        encoded = time.perf_counter()
        if flat is not None:
            flat.search(query, 50)
        searched = time.perf_counter()
        distinct.search(query, 50)
        timings.append(searched - started)
        strict.append(encoded - started + time.perf_counter() - searched)
    figures = {
        "floor_distinct_p50_ms": round(percentile(strict, 50) * 1e3, 2),
        "floor_distinct_p95_ms": round(percentile(strict, 95) * 1e3, 2),
        "floor_distinct_vectors": int(distinct.ntotal),
        "floor_passages": int(len(triples)),
    }
    if flat is not None:
        figures |= {"floor_p50_ms": round(percentile(timings, 50) * 1e3, 2), "floor_p95_ms": round(percentile(timings, 95) * 1e3, 2)}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True, help="data dir holding the index snapshot of that database")
    parser.add_argument("--needs", type=Path, default=DEV_NEEDS)
    parser.add_argument("--processes", type=int, default=2, help="service processes")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per process")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=18600)
    parser.add_argument("--start-timeout", type=float, default=600)
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--fresh", action="store_true",
        help="make every request's text unique (the dev needs repeat; without this the service's "
        "query-encoding cache answers most encodes, which the floor does not get)",
    )
    args = parser.parse_args()
    needs = [json.loads(line) for line in args.needs.open(encoding="utf-8") if line.strip()]
    figures: dict = {
        "benchmark": "latency", "label": args.label, "processes": args.processes, "workers": args.workers,
        "clients": args.clients, "fresh_needs": args.fresh,
    }
    started = time.perf_counter()
    servers = start_servers(args)
    figures["start_seconds"] = round(time.perf_counter() - started, 1)
    try:
        ports = [port for _, port in servers]
        load(ports, needs, 2, 3)  # warm-up
        client_cpu = time.process_time()
        latencies, errors, elapsed = load(ports, needs, args.clients, args.seconds, args.fresh)
        figures |= {
            # the load generator shares the machine: the cores its own threads kept busy
            "client_cores_used": round((time.process_time() - client_cpu) / elapsed, 2),
            "requests": len(latencies),
            "errors": errors,
            "throughput_rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 50) * 1e3, 2),
            "p95_ms": round(percentile(latencies, 95) * 1e3, 2),
            "p99_ms": round(percentile(latencies, 99) * 1e3, 2),
            "mean_ms": round(statistics.fmean(latencies) * 1e3, 2) if latencies else None,
            "rss_mb_per_process": [round(rss_mb(p.pid), 1) for p, _ in servers],
        }
        single, _, single_elapsed = load(ports[:1], needs, 1, min(10, args.seconds), args.fresh)
        figures |= {"single_client_p50_ms": round(percentile(single, 50) * 1e3, 2), "single_client_p95_ms": round(percentile(single, 95) * 1e3, 2)}
    finally:
        for process, _ in servers:
            os.killpg(process.pid, signal.SIGTERM)
        for process, _ in servers:
            process.wait(timeout=60)
    figures |= floor(Path(args.data_dir), needs)
    if "floor_p50_ms" in figures:
        figures["p50_over_floor"] = round(figures["p50_ms"] / figures["floor_p50_ms"], 2)
        figures["p95_over_floor"] = round(figures["p95_ms"] / figures["floor_p95_ms"], 2)
    figures["p50_over_distinct_floor"] = round(figures["p50_ms"] / figures["floor_distinct_p50_ms"], 2)
    figures["p95_over_distinct_floor"] = round(figures["p95_ms"] / figures["floor_distinct_p95_ms"], 2)
    figures["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
