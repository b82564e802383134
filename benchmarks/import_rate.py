"""End-to-end import rate: parse, validate, store, encode and index, through `matchmaker import lawyers`.

Creates a scratch PostgreSQL database, imports the file with the real CLI (a fresh data dir, so
the index is built from the database; the vector cache dir is given or empty) and prints one JSON
line: profiles, seconds, profiles/s, and the index figures.

    python benchmarks/import_rate.py --lawyers /tmp/synth-10k.jsonl --server postgresql+psycopg://root@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def scratch_database(server: str, name: str) -> str:
    url = make_url(server)
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(server: str, name: str) -> None:
    with create_engine(make_url(server), isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def import_file(lawyers: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "service.cli", "import", "lawyers", str(lawyers)], env=env, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lawyers", type=Path, required=True)
    parser.add_argument("--server", default=os.environ.get("MATCHMAKER_BENCH_POSTGRES", "postgresql+psycopg://root@127.0.0.1:5432/test"))
    parser.add_argument("--cache-dir", type=Path, default=None, help="vector cache (default: empty, everything encoded)")
    parser.add_argument("--keep", action="store_true", help="keep the database and data dir")
    args = parser.parse_args()
    name = f"mm_import_{uuid.uuid4().hex[:8]}"
    data = Path(tempfile.mkdtemp(prefix="mm-import-"))
    env = os.environ | {
        "MATCHMAKER_DATABASE_URL": scratch_database(args.server, name),
        "MATCHMAKER_DATA_DIR": str(data),
        "MATCHMAKER_LOAD_DEMO_DATA": "false",
        "MATCHMAKER_VECTOR_CACHE_DIR": str(args.cache_dir or data / "vectors"),
        "TQDM_DISABLE": "1",
    }
    count = sum(1 for line in args.lawyers.open("rb") if line.strip())
    load_before = os.getloadavg()[0]
    try:
        seconds = import_file(args.lawyers, env)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        manifest = json.loads((data / "index" / "manifest.json").read_text())
    finally:
        if not args.keep:
            drop_database(args.server, name)
    print(json.dumps({
        "benchmark": "import_rate",
        "profiles": count,
        "seconds": round(seconds, 1),
        "profiles_per_s": round(count / seconds, 1),
        # CPU time of the import process and its encoder pool (PostgreSQL's own work not included),
        # and the machine's load: on a shared box the wall-clock rate depends on the neighbours.
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        # the largest resident set among the import process and its encoder processes
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "load_avg_1m_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "warm_vector_cache": args.cache_dir is not None,
        "indexed_passages": manifest["passage_count"],
        "indexed_lawyers": manifest["owner_count"],
        "distinct_vectors": manifest.get("vector_count"),
        "database": name if args.keep else None,
        "data_dir": str(data),
    }))


if __name__ == "__main__":
    main()
