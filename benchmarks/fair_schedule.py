"""A trade fair at the issue's scale: 300 enterprises x 150 lawyers x 16 slots x 40 desks.

Prints the time of the schedule (CP-SAT, service.fairs.schedule.solve), its objective and greedy's,
must-meet pairs placed by each, and checks every hard constraint of the answer.

Every pair is scored by the real match engine (``recommend.judge_all``, as the API does: the bundled
encoder, 150 of the dev set's lawyers in a scratch SQLite database, those serving the needs'
countries first, made verified; the dev set's 70 needs cycled to 300 enterprises); that time is
printed apart (``scoring_seconds``). Interest marks and availability are seeded random: 1 in 250
pairs a must, 1 in 60 a would, 1 in 200 a no-thanks; a fifth of the parties there half the fair.
``--synthetic`` uses seeded random scores instead (~0.2-0.9, with rule-like exclusions).

    python benchmarks/fair_schedule.py [--seconds 50] [--workers 2] [--desks 40] [--synthetic]
    python benchmarks/fair_schedule.py --api   # the same fair through HTTP: create, schedule, exports
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from service.fairs.model import Meeting, Pair, Party, Problem, weight  # noqa: E402
from service.fairs.schedule import solve  # noqa: E402


def synthetic_scores(rng: random.Random, enterprises: int, lawyers: int) -> dict[tuple[int, int], float | None]:
    """Per pair a score, or None where a rule would exclude the lawyer (another country, language)."""
    scores: dict[tuple[int, int], float | None] = {}
    lawyer_region = [rng.randrange(5) for _ in range(lawyers)]
    for e in range(enterprises):
        region = rng.randrange(5)
        for law in range(lawyers):
            if lawyer_region[law] != region and rng.random() < 0.45:
                scores[(e, law)] = None
            else:
                scores[(e, law)] = round(rng.uniform(0.2, 0.9) + (0.1 if lawyer_region[law] == region else 0.0), 4)
    return scores


def engine_scores(enterprises: int, lawyers: int) -> tuple[dict[tuple[int, int], float | None], float]:
    """Every pair judged by the real engine (service.fairs.recommend.judge_all); the time it took."""
    from embeddings.encoder import load_encoder
    from service.fairs.recommend import judge_all
    from service.importing import import_lawyers
    from service.settings import Settings
    from service.state import Runtime

    dev = REPO / "eval" / "dev"
    records = [json.loads(line) for line in (dev / "lawyers.jsonl").read_text().splitlines() if line.strip()]
    needs = [json.loads(line) for line in (dev / "needs.jsonl").read_text().splitlines() if line.strip()]
    # the lawyers who serve the needs' countries first, so that the fair is not mostly exclusions
    wanted = {c for n in needs for c in n.get("countries", [])}
    records.sort(key=lambda r: (not wanted & set(r.get("countries", [])), r["external_id"]))
    records = [dict(r, status="verified", accepting_clients=True, consent_listing=True) for r in records[:lawyers]]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), load_demo_data=False, environment="test")
        runtime = Runtime.build(settings, encoder=load_encoder(threads=1))
        summary = import_lawyers(runtime.sessions, (json.dumps(r, ensure_ascii=False) for r in records))
        assert summary.created == len(records), summary
        runtime.sync()
        with runtime.sessions() as session:
            from sqlalchemy import text

            ids = [row[0] for row in session.execute(text("SELECT id FROM lawyers ORDER BY id"))]
        started = time.monotonic()
        with runtime.sessions() as session:
            judged = judge_all(runtime.matcher, {e: needs[e % len(needs)] for e in range(enterprises)},
                               {enterprises + i: lawyer_id for i, lawyer_id in enumerate(ids)}, session)
        seconds = time.monotonic() - started
        runtime.engine.dispose()
    return {(e, law - enterprises): j.score for (e, law), j in judged.items()}, seconds


def through_the_api(rng: random.Random, enterprises: int, lawyers: int, desks: int, seconds: float, workers: int) -> dict[str, object]:
    """The same fair through HTTP (in-process TestClient, scratch SQLite): create, mark, schedule,
    export; the time of each call."""
    from fastapi.testclient import TestClient

    from embeddings.encoder import load_encoder
    from service.main import create_app
    from service.settings import Settings
    from service.state import Runtime

    dev = REPO / "eval" / "dev"
    records = [json.loads(line) for line in (dev / "lawyers.jsonl").read_text().splitlines() if line.strip()]
    needs = [json.loads(line) for line in (dev / "needs.jsonl").read_text().splitlines() if line.strip()]
    wanted = {c for n in needs for c in n.get("countries", [])}
    records.sort(key=lambda r: (not wanted & set(r.get("countries", [])), r["external_id"]))
    records = [dict(r, status="verified", accepting_clients=True, consent_listing=True) for r in records[:lawyers]]
    admin = {"X-API-Key": "bench-admin"}
    times: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), load_demo_data=False, environment="test", admin_api_key="bench-admin",
                            fair_schedule_seconds=seconds, fair_solver_workers=workers, rate_limit_per_minute=100_000)
        runtime = Runtime.build(settings, encoder=load_encoder(threads=1))
        with TestClient(create_app(settings, runtime=runtime)) as client:
            while client.get("/readyz").status_code != 200:
                time.sleep(0.1)
            body = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
            assert client.post("/v1/lawyers/import", content=body, headers=admin).json()["created"] == len(records)
            half = [{"date": "2026-12-08", "start": "09:00", "end": "12:20"}]
            fair_body = {
                "name": "bench", "slot_minutes": 25, "tables": desks,
                "days": [{"date": "2026-12-08", "start": "09:00", "end": "15:40"}],  # 16 slots of 25 min
                "enterprises": [
                    {"name": f"E{e}", "need": {k: needs[e % len(needs)].get(k) or [] for k in ("countries", "practice_areas", "languages")}
                     | {"description": needs[e % len(needs)]["description"]},
                     "max_meetings": rng.randint(3, 6), "availability": half if rng.random() < 0.2 else []}
                    for e in range(enterprises)
                ],
                "lawyers": [{"external_id": r["external_id"], "max_meetings": rng.randint(8, 16)} for r in records],
            }
            started = time.monotonic()
            created = client.post("/v1/fairs", json=fair_body, headers=admin)
            assert created.status_code == 201, created.text
            times["create_seconds"] = round(time.monotonic() - started, 2)
            fair = created.json()
            e_ids = [p["id"] for p in fair["participants"] if p["kind"] == "enterprise"]
            l_ids = [p["id"] for p in fair["participants"] if p["kind"] == "lawyer"]
            marks = [{"enterprise": e, "lawyer": rng.choice(l_ids), "side": "enterprise", "mark": rng.choice(["must", "would", "would", "no_thanks"])}
                     for e in e_ids]
            assert client.put(f"/v1/fairs/{fair['id']}/interests", json={"marks": marks}, headers=admin).status_code == 200
            started = time.monotonic()
            report = client.post(f"/v1/fairs/{fair['id']}/schedule", headers=admin)
            assert report.status_code == 200, report.text
            times["schedule_seconds"] = round(time.monotonic() - started, 2)
            times["report"] = {k: v for k, v in report.json().items() if k != "unplaced_musts"}
            times["unplaced_must_reasons"] = dict(Counter(u["reason"] for u in report.json()["unplaced_musts"]))
            for fmt in ("json", "csv", "xlsx", "ics"):
                started = time.monotonic()
                assert client.get(f"/v1/fairs/{fair['id']}/schedule", params={"format": fmt}, headers=admin).status_code == 200
                times[f"export_{fmt}_seconds"] = round(time.monotonic() - started, 2)
        runtime.engine.dispose()
    return times


def build(rng: random.Random, scores: dict[tuple[int, int], float | None], enterprises: int, lawyers: int, slots: int, desks: int) -> Problem:
    parties: dict[int, Party] = {}
    for i in range(enterprises + lawyers):
        is_enterprise = i < enterprises
        # a fifth of the participants are there for half the fair only
        free = frozenset(range(slots))
        if rng.random() < 0.2:
            free = frozenset(range(slots // 2)) if rng.random() < 0.5 else frozenset(range(slots // 2, slots))
        parties[i] = Party(i, "enterprise" if is_enterprise else "lawyer", rng.randint(3, 6) if is_enterprise else rng.randint(8, 16), free)
    pairs = []
    for (e, law), score in scores.items():
        marks: dict[str, str] = {}
        r = rng.random()
        if r < 0.004:
            marks["enterprise"] = "must"
        elif r < 0.02:
            marks["enterprise"] = "would"
        elif r < 0.025:
            marks["enterprise"] = "no_thanks"
        if rng.random() < 0.01:
            marks["lawyer"] = "would"
        if score is None or "no_thanks" in marks.values():
            continue
        pairs.append(Pair(e, enterprises + law, weight(score, marks), "must" in marks.values()))
    return Problem(slots, desks, parties, pairs)


def violations(problem: Problem, meetings: list[Meeting]) -> int:
    bad = 0
    seen: Counter[tuple[object, ...]] = Counter()
    count: Counter[int] = Counter()
    allowed = {(p.enterprise, p.lawyer) for p in problem.pairs}
    for m in meetings:
        bad += (m.enterprise, m.lawyer) not in allowed
        bad += m.slot not in problem.parties[m.enterprise].free or m.slot not in problem.parties[m.lawyer].free
        for key in ((m.enterprise, m.slot), (m.lawyer, m.slot), ("desk", m.slot, m.desk), ("pair", m.enterprise, m.lawyer)):
            seen[key] += 1
        count[m.enterprise] += 1
        count[m.lawyer] += 1
    bad += sum(n - 1 for n in seen.values() if n > 1)
    bad += sum(max(0, n - problem.parties[p].cap) for p, n in count.items())
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=300)
    parser.add_argument("--lawyers", type=int, default=150)
    parser.add_argument("--slots", type=int, default=16)
    parser.add_argument("--desks", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=50.0, help="the solver's time limit")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--synthetic", action="store_true", help="seeded random scores instead of the engine's")
    parser.add_argument("--api", action="store_true", help="the whole fair through the HTTP API instead (create, schedule, exports)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if args.api:
        print(json.dumps(through_the_api(rng, args.enterprises, args.lawyers, args.desks, args.seconds, args.workers), ensure_ascii=False))
        return
    scoring_seconds = None
    if not args.synthetic:
        scores, scoring_seconds = engine_scores(args.enterprises, args.lawyers)
        args.lawyers = len({law for _, law in scores})
    else:
        scores = synthetic_scores(rng, args.enterprises, args.lawyers)
    problem = build(rng, scores, args.enterprises, args.lawyers, args.slots, args.desks)
    started = time.monotonic()
    solution = solve(problem, time_limit=args.seconds, workers=args.workers)
    seconds = time.monotonic() - started
    figures = {
        "enterprises": args.enterprises, "lawyers": args.lawyers, "slots": args.slots, "desks": args.desks,
        "scores": "synthetic" if args.synthetic else "engine", "scoring_seconds": None if scoring_seconds is None else round(scoring_seconds, 1),
        "candidate_pairs": len(problem.pairs), "must_pairs": sum(p.must for p in problem.pairs),
        "seconds": round(seconds, 2), "status": solution.status, "meetings": len(solution.meetings),
        "objective": solution.objective, "greedy_objective": solution.greedy_objective,
        "musts_placed": solution.musts_placed, "greedy_musts_placed": solution.greedy_musts_placed,
        "gain_over_greedy": f"{100 * (solution.objective / max(1, solution.greedy_objective) - 1):.1f}%",
        "violations": violations(problem, solution.meetings),
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
