"""PassageIndex search latency on synthetic vectors: this tree against a git revision, in one run.

Builds the same index twice, in two worker processes, one importing embeddings/ from this tree
and one from the revision (git archive): normalised 512-d passage vectors, a share of them
repeated (boilerplate: 2,000 shared sentences, a few of them most of the repeats), the rest
clustered by topic. Then times the engine's calls on fresh queries (each call's first search of
its query, as in a request) in blocks that alternate between the two processes, so that both see
the same machine: nearest(q, 40); best_by_owner(q, 200) unfiltered and with 30% and 5% owner
masks; scores_for_owners(q, 2,000 owners); and a request's three searches of one query. Prints
the median and p95 per call and tree, the ratio of the medians and the median of per-query
ratios (paired: the same query on both trees), and whether every answer was identical; ends
with one JSON line. Each of --rounds rounds starts a fresh pair of workers. "exact" stays below
IVF_MIN_ROWS distinct vectors; "ivf" passes it (the IVF trained inline, as the index is built).

    python benchmarks/index_latency.py --against main
    python benchmarks/index_latency.py --against HEAD~3 --scenario exact --queries 500 --rounds 5
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DIM = 512
SCENARIOS = {  # owners (passages ~5 each), share of passages that are boilerplate
    "exact": (20_000, 0.3),
    "ivf": (30_000, 0.25),
}
CALLS = ("nearest40", "best200", "best200_mask30", "best200_mask5", "scores_2000", "request")


def synthetic(owners: int, boilerplate: float, queries: int, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    centres = _unit(rng.normal(size=(256, DIM)))

    def topical(n: int) -> np.ndarray:
        picks = centres[rng.integers(0, len(centres), n)]
        return _unit(picks + 0.6 * rng.normal(size=(n, DIM)).astype(np.float32) / np.sqrt(DIM))

    counts = rng.integers(1, 10, owners)
    total = int(counts.sum())
    shared = topical(2_000)
    popular = np.minimum(rng.zipf(1.3, total) - 1, len(shared) - 1)  # a few sentences most shared
    vectors = topical(total)
    repeated = rng.random(total) < boilerplate
    vectors[repeated] = shared[popular[repeated]]
    return {
        "vectors": vectors,
        "starts": np.r_[0, np.cumsum(counts)[:-1]],
        "counts": counts,
        "queries": topical(queries),
        "mask30": rng.random(owners + 1) < 0.3,
        "mask5": rng.random(owners + 1) < 0.05,
        "some": rng.choice(owners, size=2_000, replace=False) + 1,
    }


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = rows.astype(np.float32)
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


# -- worker: one tree's PassageIndex, driven over stdin/stdout -----------------------------------


def worker(tree: Path, data_path: Path) -> None:
    sys.path.insert(0, str(tree))
    import embeddings.index
    from embeddings.index import PassageIndex

    for name, module in list(sys.modules.items()):  # train the IVF inline: same IVF both sides
        if name.startswith("embeddings.index") and hasattr(module, "IVF_BACKGROUND"):
            module.IVF_BACKGROUND = False
    data = dict(np.load(data_path))
    started = time.perf_counter()
    index = PassageIndex(DIM, "bench", "1")
    for owner, (start, count) in enumerate(zip(data["starts"].tolist(), data["counts"].tolist())):
        ids = np.arange(start, start + count) * 2 + 1  # gaps, as deletions leave
        index.replace_owner(owner + 1, ids, data["vectors"][start : start + count])
    built = time.perf_counter() - started
    index.nearest(data["queries"][0], 1)  # builds the row -> slots map
    queries, some = data["queries"][1:], data["some"].tolist()
    calls = {
        "nearest40": lambda q: index.nearest(q, 40),
        "best200": lambda q: index.best_by_owner(q, 200),
        "best200_mask30": lambda q: index.best_by_owner(q, 200, data["mask30"]),
        "best200_mask5": lambda q: index.best_by_owner(q, 200, data["mask5"]),
        "scores_2000": lambda q: index.scores_for_owners(q, some),
        "request": lambda q: (
            index.nearest(q, 40),
            index.best_by_owner(q, 200),
            index.best_by_owner(q, 200, data["mask30"]),
        ),
    }
    _reply(
        {
            "module": embeddings.index.__file__,
            "build_s": round(built, 1),
            "distinct_vectors": index.distinct_vectors,
            "passages": len(index),
            "memory_mb": round(index.memory_bytes() / 2**20),
        }
    )
    for line in sys.stdin:
        command = json.loads(line)
        times, digest = [], hashlib.sha256()
        offset = CALLS.index(command["call"]) * (len(queries) // len(CALLS))
        for i in range(command["from"], command["to"]):
            query = queries[offset + i]  # a fresh query: its scores are not kept yet
            before = time.perf_counter()
            result = calls[command["call"]](query)
            times.append(time.perf_counter() - before)
            digest.update(repr(_plain(result)).encode())
        _reply({"times": times, "digest": digest.hexdigest()})


def _plain(result: Any) -> Any:
    """Hits as tuples: the two trees' OwnerHit classes differ, their contents must not."""
    if isinstance(result, dict):
        return sorted((key, _plain(value)) for key, value in result.items())
    if isinstance(result, (list, tuple)):
        return [_plain(item) for item in result]
    if hasattr(result, "owner_id"):
        return (result.owner_id, result.score, result.passage_id)
    return result


def _reply(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


# -- driver -------------------------------------------------------------------------------------


class Worker:
    def __init__(self, name: str, tree: Path, data: Path) -> None:
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", str(tree), str(data)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=tree,
            env=os.environ | {"PYTHONPATH": str(tree)},
        )

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.name} worker died (exit {self.process.wait()})")
        result: dict[str, Any] = json.loads(line)
        return result

    def ask(self, call: str, first: int, last: int) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"call": call, "from": first, "to": last}) + "\n")
        self.process.stdin.flush()
        return self.read()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def run_scenario(
    name: str, baseline: Path, queries: int, block: int, rounds: int
) -> dict[str, Any]:
    """Each round starts a fresh pair of workers: where a process's vectors land in memory (huge
    pages or not) moved a whole round's full-scan timings by ~5% either way."""
    owners, boilerplate = SCENARIOS[name]
    trees = {"before": baseline, "after": REPO}
    times: dict[str, dict[str, list[float]]] = {tree: {c: [] for c in CALLS} for tree in trees}
    identical = {call: True for call in CALLS}
    by_round: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.npz"
        np.savez(data, **synthetic(owners, boilerplate, len(CALLS) * queries + 1))
        for round_ in range(rounds):
            workers = [Worker(tree, path, data) for tree, path in trees.items()]
            try:
                built = {w.name: w.read() for w in workers}  # built side by side
                for w in workers:
                    assert Path(built[w.name]["module"]).is_relative_to(trees[w.name]), built
                these: dict[str, dict[str, list[float]]] = {
                    t: {c: [] for c in CALLS} for t in trees
                }
                for first in range(0, queries, block):
                    last = min(queries, first + block)
                    for call in CALLS:
                        order = workers if (round_ + first // block) % 2 == 0 else workers[::-1]
                        answers = {w.name: w.ask(call, first, last) for w in order}
                        for w in workers:
                            these[w.name][call] += answers[w.name]["times"]
                        identical[call] &= answers["before"]["digest"] == answers["after"]["digest"]
            finally:
                for w in workers:
                    w.close()
            by_round.append({call: _paired(these, call) for call in CALLS})
            for tree in trees:
                for call in CALLS:
                    times[tree][call] += these[tree][call]
    figures: dict[str, Any] = {"owners": owners, "built": built, "calls": {}}
    for call in CALLS:
        row: dict[str, Any] = {}
        for tree in trees:
            ms = np.asarray(times[tree][call]) * 1e3
            row[tree] = {
                "p50_ms": round(float(np.median(ms)), 3),
                "p95_ms": round(float(np.percentile(ms, 95)), 3),
            }
        row["after/before_p50"] = round(row["after"]["p50_ms"] / row["before"]["p50_ms"], 3)
        row["paired_ratio_p50"] = _paired(times, call)
        row["paired_ratio_p50_by_round"] = [r[call] for r in by_round]
        row["identical"] = identical[call]
        figures["calls"][call] = row
    return figures


def _paired(times: dict[str, dict[str, list[float]]], call: str) -> float:
    """The median of per-query ratios: both trees timed the same queries in the same order."""
    paired = np.asarray(times["after"][call]) / np.asarray(times["before"][call])
    return round(float(np.median(paired)), 3)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--against", default="HEAD", help="git revision to compare this tree with")
    parser.add_argument("--scenario", choices=[*SCENARIOS, "both"], default="both")
    parser.add_argument("--queries", type=int, default=300, help="queries per call and tree")
    parser.add_argument("--block", type=int, default=25, help="queries per turn of a tree")
    parser.add_argument("--rounds", type=int, default=3, help="fresh pairs of worker processes")
    parser.add_argument("--worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    revision = subprocess.run(
        ["git", "rev-parse", "--short", args.against],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    report: dict[str, Any] = {
        "benchmark": "index_latency",
        "against": revision,
        "queries": args.queries,
        "rounds": args.rounds,
    }
    with tempfile.TemporaryDirectory() as baseline:
        archive = subprocess.run(
            ["git", "archive", revision, "embeddings"], cwd=REPO, check=True, capture_output=True
        )
        subprocess.run(["tar", "-x", "-C", baseline], input=archive.stdout, check=True)
        for name in SCENARIOS if args.scenario == "both" else [args.scenario]:
            figures = run_scenario(name, Path(baseline), args.queries, args.block, args.rounds)
            report[name] = figures
            built = figures["built"]
            print(
                f"\n{name}: {built['after']['passages']:,} passages, "
                f"{built['after']['distinct_vectors']:,} distinct; build s before/after "
                f"{built['before']['build_s']}/{built['after']['build_s']}, memory MB "
                f"{built['before']['memory_mb']}/{built['after']['memory_mb']}",
                file=sys.stderr,
            )
            print(
                f"{'call':16} {'p50 before':>11} {'p50 after':>10} {'ratio':>6} {'paired':>7} {'p95 before':>11} {'p95 after':>10}  same answers  paired by round",
                file=sys.stderr,
            )
            for call, row in figures["calls"].items():
                b, a = row["before"], row["after"]
                print(
                    f"{call:16} {b['p50_ms']:11.3f} {a['p50_ms']:10.3f} {row['after/before_p50']:6.3f} "
                    f"{row['paired_ratio_p50']:7.3f} "
                    f"{b['p95_ms']:11.3f} {a['p95_ms']:10.3f}  {row['identical']!s:12}  "
                    f"{' '.join(f'{r:.3f}' for r in row['paired_ratio_p50_by_round'])}",
                    file=sys.stderr,
                )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
