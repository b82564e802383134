"""Webhook delivery throughput: N events fanned out to one subscription and sent by W dispatchers
(threads of this process, each with its own engine, as separate workers would be) to a local
receiver that answers 204 at once. Measures fan-out and the claim/send/record path, not a network.

    python benchmarks/webhook_throughput.py --events 1000 --workers 2
    python benchmarks/webhook_throughput.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/<db> --workers 2

Ends with one JSON line: events, workers, seconds, deliveries_per_second, duplicates.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.db import make_engine, make_session_factory, migrate, transaction  # noqa: E402
from service.engagement import events, webhooks  # noqa: E402
from service.engagement.dispatch import Dispatcher  # noqa: E402
from service.settings import Settings  # noqa: E402
from tests._receiver import receiving  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4, help="sends at once per worker")
    parser.add_argument("--database-url", default="", help="an empty database (default: a scratch SQLite file)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='mm-hooks-')}/bench.sqlite3"
    settings = Settings(environment="test", webhook_allow_private_addresses=True, webhook_concurrency=args.concurrency)
    migrate(url)
    setup = make_engine(url)
    with receiving() as receiver:
        with transaction(make_session_factory(setup)) as session:
            webhooks.subscribe(session, settings, role="bureau", organisation="bench", url=receiver.url,
                               event_types=["lawyer.verified"], active=True, description=None)
            for n in range(args.events):
                events.publish(session, "lawyer.verified", subject=f"lawyer:{n}", data={"lawyer_id": n})
        engines = [make_engine(url) for _ in range(args.workers)]
        dispatchers = [Dispatcher(make_session_factory(e), settings) for e in engines]
        started = time.perf_counter()
        threads = [threading.Thread(target=d.run_until_idle) for d in dispatchers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        for dispatcher, engine in zip(dispatchers, engines, strict=True):
            dispatcher.close()
            engine.dispose()
        received = len(receiver.received)
        duplicates = received - len(receiver.unique())
    setup.dispose()
    print(json.dumps({
        "database": url.split(":", 1)[0], "events": args.events, "workers": args.workers, "received": received,
        "seconds": round(seconds, 2), "deliveries_per_second": round(received / seconds, 1), "duplicates": duplicates,
    }))


if __name__ == "__main__":
    main()
