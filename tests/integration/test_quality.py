"""The dev-set guard: the service stays well ahead of the simple peers and never breaks a hard rule.

Runs the service once in both modes (`service.matching.batch.run_modes`, ~25 s) and the peers of
benchmarks/quality.py (~30 s, mostly encoding 2,000 profiles), and scores them the way the
reference figures are quoted: mean nDCG@10 over the needs that have judgments.
Marked slow for selection (`-m "not slow"`), but it runs by default.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from service.evaluation import count_violations, covers_with_region, evaluate, load_qrels, read_jsonl
from service.evaluation.runs import MODES, run_modes
from service.settings import Settings
from tests.conftest import DEV_SET, REPO

pytestmark = pytest.mark.slow

MARGIN = 0.10
FILES = ("lawyers.jsonl", "needs.jsonl", "qrels.tsv")


@pytest.fixture(scope="module")
def dev_set() -> Path:
    missing = [name for name in FILES if not (DEV_SET / name).is_file()]
    if missing:
        pytest.skip(f"dev set not found at {DEV_SET} (missing {', '.join(missing)})")
    return DEV_SET


@pytest.fixture(scope="module")
def quality() -> ModuleType:
    """benchmarks/quality.py, imported by path: benchmarks/ is not a package."""
    path = REPO / "benchmarks" / "quality.py"
    spec = importlib.util.spec_from_file_location("matchmaker_benchmark_quality", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclass/annotation resolution looks the module up
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    return module


@pytest.fixture(scope="module")
def data(dev_set: Path) -> dict[str, Any]:
    lawyers = read_jsonl(dev_set / "lawyers.jsonl")
    needs = read_jsonl(dev_set / "needs.jsonl")
    return {
        "lawyers": lawyers,
        "needs": needs,
        "qrels": load_qrels(dev_set / "qrels.tsv"),
        "by_lawyer": {lw["external_id"]: lw for lw in lawyers},
        "by_need": {n["external_id"]: n for n in needs},
    }


@pytest.fixture(scope="module")
def service_runs(dev_set: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # database_url left empty: run_modes makes a throw-away SQLite beside a scratch data dir
    base = Settings(
        data_dir=tmp_path_factory.mktemp("quality"),
        database_url="",
        environment="test",
        load_demo_data=False,
    )
    runs = run_modes(dev_set / "lawyers.jsonl", dev_set / "needs.jsonl", k=10, settings=base)
    assert set(runs) == set(MODES)
    return runs


@pytest.fixture(scope="module")
def peer_ndcg(quality: ModuleType, data: dict[str, Any]) -> dict[str, dict[str, float]]:
    """mode -> {peer: judged nDCG@10} for every peer that applies to the mode."""
    peers = quality.Peers(data["lawyers"], data["needs"])
    by_mode: dict[str, dict[str, float]] = {mode: {} for mode in MODES}
    for name, builds in quality.peer_builders(peers).items():
        for mode, build in builds.items():
            by_mode[mode][name] = evaluate(build(), data["qrels"]).ndcg10
    return by_mode


@pytest.mark.parametrize("mode", MODES)
def test_service_beats_the_best_peer(
    mode: str, service_runs: dict[str, Any], peer_ndcg: dict[str, dict[str, float]], data: dict[str, Any]
) -> None:
    peers = peer_ndcg[mode]
    assert peers, f"no peer applies to {mode}"
    best = max(peers, key=peers.__getitem__)
    own = evaluate(service_runs[mode], data["qrels"]).ndcg10
    assert own >= peers[best] + MARGIN, (
        f"{mode}: service nDCG@10 {own:.3f} is not {MARGIN} above {best} ({peers[best]:.3f}); peers {peers}"
    )


@pytest.mark.parametrize("mode", MODES)
def test_only_eligible_lawyers(mode: str, service_runs: dict[str, Any], data: dict[str, Any]) -> None:
    run = service_runs[mode]
    assert sum(len(r) for r in run.values()) > 0
    violations = count_violations(run, data["by_lawyer"], data["by_need"], use_structured=False)
    assert violations == 0, f"{mode}: {violations} unknown, unverified or non-accepting lawyers returned"


def test_structured_mode_honours_languages_and_coverage(service_runs: dict[str, Any], data: dict[str, Any]) -> None:
    run = service_runs["structured"]
    offenders = [
        (need_id, lawyer_id)
        for need_id, ranking in run.items()
        for lawyer_id, _ in ranking
        if count_violations(
            {need_id: [lawyer_id]}, data["by_lawyer"], data["by_need"], use_structured=True, covers=covers_with_region
        )
    ]
    assert not offenders, f"{len(offenders)} returned lawyers break a need's languages or coverage: {offenders[:10]}"


def test_every_need_is_answered(service_runs: dict[str, Any], data: dict[str, Any]) -> None:
    for mode, run in service_runs.items():
        assert set(run) == set(data["by_need"]), mode
        judged_unanswered = [n for n in data["qrels"] if not run[n]]
        assert not judged_unanswered, f"{mode}: judged needs with no result: {judged_unanswered}"
