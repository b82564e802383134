"""Tenant isolation: does one key flooding expensive matches starve another tenant?

Starts a real `matchmaker serve` process (uvicorn, the demo directory on SQLite, default match
budgets), makes two enterprise keys of two organisations, and measures tenant B's short-match
latency idle, then while tenant A keeps 48 long (4,000-character) k=50 matches in flight. A's
clients retry as soon as the server lets them (after Retry-After; --ignore-retry-after: at once).
Target (issue 13): B's flooded p50 within 5x of idle and under 50 ms. Ends with one JSON line.

    python benchmarks/tenant_isolation.py [--requests 200] [--flooders 48]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
LONG = (
    "我们公司在哈萨克斯坦阿拉木图附近投资建设的光伏电站EPC总承包合同与业主发生严重争议，涉及工期延误、变更索赔、"
    "并网验收和履约保函的兑付问题，合同约定适用英国法并在新加坡国际仲裁中心仲裁，需要会俄语、熟悉中亚能源项目的仲裁律师。"
    "Our EPC contract for a 200 MW solar plant near Almaty is in dispute over delay damages, variations, grid acceptance "
    "and a call on the performance bond; English law, SIAC arbitration; we need Russian-speaking arbitration counsel. "
) * 20
HEAVY = {"description": LONG[:4000], "k": 50}
LIGHT = {"description": "Trademark squatted in Thailand, need IP counsel", "countries": ["TH"], "k": 5}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def measure(base: str, key: str, count: int) -> list[float]:
    timings = []
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.post("/v1/match", json=LIGHT)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
    return timings


def flood(base: str, key: str, stop: threading.Event, outcomes: Counter[int], honour_retry_after: bool) -> None:
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as client:
        while not stop.is_set():
            response = client.post("/v1/match", json=HEAVY)
            outcomes[response.status_code] += 1
            if response.status_code == 429 and honour_retry_after:
                stop.wait(float(response.headers.get("Retry-After", "1")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="tenant B's short matches per phase")
    parser.add_argument("--flooders", type=int, default=48, help="tenant A's concurrent long matches")
    parser.add_argument("--ignore-retry-after", action="store_true", help="A re-sends at once after a 429")
    args = parser.parse_args()

    admin = secrets.token_urlsafe(32)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="mm-tenants-") as data:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")} | {
            "MATCHMAKER_DATA_DIR": data,
            "MATCHMAKER_ADMIN_API_KEY": admin,
            "MATCHMAKER_ENVIRONMENT": "production",
        }
        log = open(Path(data) / "serve.log", "wb")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"the service did not get ready:\n{(Path(data) / 'serve.log').read_text()[-3000:]}")
                time.sleep(0.5)
            keys = {}
            for tenant in ("A", "B"):
                response = httpx.post(
                    f"{base}/v1/admin/api-keys",
                    json={"name": f"tenant {tenant}", "role": "enterprise", "organisation": f"tenant-{tenant}"},
                    headers={"X-API-Key": admin},
                )
                keys[tenant] = response.json()["api_key"]
            measure(base, keys["B"], 20)  # warm-up
            idle = measure(base, keys["B"], args.requests)

            stop = threading.Event()
            outcomes: Counter[int] = Counter()
            flooders = [
                threading.Thread(target=flood, args=(base, keys["A"], stop, outcomes, not args.ignore_retry_after), daemon=True)
                for _ in range(args.flooders)
            ]
            for thread in flooders:
                thread.start()
            time.sleep(3)  # let the flood build up
            flooded = measure(base, keys["B"], args.requests)
            stop.set()
            for thread in flooders:
                thread.join(timeout=60)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            log.close()

    idle_p50, flooded_p50 = statistics.median(idle), statistics.median(flooded)
    print(f"tenant B short match, idle:    p50 {idle_p50:6.1f} ms  p95 {percentile(idle, 95):6.1f} ms")
    print(f"tenant B short match, flooded: p50 {flooded_p50:6.1f} ms  p95 {percentile(flooded, 95):6.1f} ms  ({flooded_p50 / idle_p50:.1f}x idle)")
    print(f"tenant A's {args.flooders} flooders: {dict(outcomes)} (status: count)")
    verdict = flooded_p50 <= 5 * idle_p50 and flooded_p50 < 50
    print(json.dumps({
        "idle_p50_ms": round(idle_p50, 2), "flooded_p50_ms": round(flooded_p50, 2),
        "idle_p95_ms": round(percentile(idle, 95), 2), "flooded_p95_ms": round(percentile(flooded, 95), 2),
        "ratio": round(flooded_p50 / idle_p50, 2), "flood_outcomes": dict(outcomes), "within_target": verdict,
        "ignore_retry_after": args.ignore_retry_after,
    }))


if __name__ == "__main__":
    main()
