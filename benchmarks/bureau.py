"""What the bureau's reads cost: the supply-and-demand report, a directory page, and the CSV and
XLSX exports, on a throw-away SQLite database holding a directory (the demo one by default), with
stored needs and a filled match-query log. Times the functions the routes call (no HTTP), median
of --repeat runs; the last line printed is one JSON object.

    python benchmarks/bureau.py [--lawyers service/demo_data/lawyers.jsonl] [--needs 2000] [--repeat 5]
    python benchmarks/synth.py --count 10000 --out /tmp/synth-10k.jsonl && python benchmarks/bureau.py --lawyers /tmp/synth-10k.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from models import Need  # noqa: E402
from models.base import utcnow  # noqa: E402
from service import directory, importing  # noqa: E402
from service.analytics import supply_demand  # noqa: E402
from service.analytics.query_log import QueryLog, month_of  # noqa: E402
from service.matching.need import NeedQuery, given  # noqa: E402
from service.db import make_engine, make_session_factory, migrate  # noqa: E402
from service.matching import rules  # noqa: E402
from service.repositories import directory as directory_repo  # noqa: E402
from service.repositories import match_queries  # noqa: E402
from service.schemas.directory import DirectoryEntry  # noqa: E402
from service.schemas.lawyer import LawyerPublic  # noqa: E402
from service.taxonomy import PRACTICE_AREAS  # noqa: E402


def median_ms(run: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lawyers", type=Path, default=REPO / "service" / "demo_data" / "lawyers.jsonl")
    parser.add_argument("--needs", type=int, default=2000, help="stored needs to seed")
    parser.add_argument("--queries", type=int, default=50_000, help="match queries to count into the log")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bureau.sqlite3"
        migrate(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        lines = args.lawyers.read_bytes().splitlines()
        summary = importing.import_lawyers(sessions, lines)
        rng = random.Random(7)
        countries = sorted({c for line in lines[:2000] for c in json.loads(line)["countries"]})
        areas = sorted(PRACTICE_AREAS)
        month = month_of(utcnow())
        with sessions() as session, session.begin():
            session.add_all(
                Need(description="(benchmark)", countries=[rng.choice(countries)], practice_areas=[rng.choice(areas)])
                for _ in range(args.needs)
            )
            counts = Counter((month, rng.choice(countries), rng.choice(areas)) for _ in range(args.queries))
            match_queries.add(session, counts)
        period = supply_demand.Period(supply_demand.months_back(month, 12), month)

        def report() -> None:
            with sessions() as session:
                built = supply_demand.build(session, period, locale="zh")
                supply_demand.cell_rows(built)
                supply_demand.month_rows(built)
                supply_demand.group_rows(built)

        def entries(limit: int, **filters: Any) -> list[dict[str, Any]]:
            with sessions() as session:
                rows, _, _ = directory_repo.directory(
                    session, directory_repo.DirectoryFilter(**filters), standing=rules.LISTED, limit=limit, count=limit <= 100
                )
                return [
                    DirectoryEntry.model_validate({**LawyerPublic.model_validate(r).model_dump(), "labels": directory.labels(r, "zh")}).model_dump(mode="json")
                    for r in rows
                ]

        listed = len(entries(10**7))
        # what the match route pays per query (a tally in memory), and one flush of 1,000 queries
        log = QueryLog()
        queries = [NeedQuery("…", countries=given([rng.choice(countries)]), practice_areas=given([rng.choice(areas)])) for _ in range(1000)]
        started = time.perf_counter()
        for query in queries:
            log.record(query)
        record_us = round((time.perf_counter() - started) * 1e6 / len(queries), 1)
        started = time.perf_counter()
        log.flush(sessions)
        flush_ms = round((time.perf_counter() - started) * 1000, 1)
        figures = {
            "lawyers": summary.created,
            "listed": listed,
            "stored_needs": args.needs,
            "match_queries": args.queries,
            "query_log_record_us": record_us,
            "query_log_flush_1000_queries_ms": flush_ms,
            "report_ms": median_ms(report, args.repeat),
            "directory_page_ms": median_ms(lambda: entries(20), args.repeat),
            "directory_page_filtered_ms": median_ms(lambda: entries(20, countries=("KZ",), practice_area="international_arbitration"), args.repeat),
            "csv_export_ms": median_ms(lambda: directory.to_csv([directory.export_row(e) for e in entries(10**7)]), args.repeat),
            "xlsx_export_ms": median_ms(lambda: directory.to_xlsx([directory.export_row(e) for e in entries(10**7)], title="x"), max(1, args.repeat // 2)),
        }
        engine.dispose()
    for name, value in figures.items():
        print(f"{name:28} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
