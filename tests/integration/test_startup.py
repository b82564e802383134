"""`matchmaker serve` answers as soon as it listens, while it loads the demo directory in the background.

A real process on a fresh data directory (the demo directory imported and encoded: ~10 s here):
/readyz is polled from the moment the process starts; once it has answered, it must never refuse
a connection again, it says 503 with the phase and progress until ready, then 200 with what the
directory holds. /v1 answers 503 with Retry-After meanwhile; a start-up that fails says so.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx

from tests.integration._procs import ADMIN_KEY, Service, service_env

DEMO_LAWYERS = 2000
DEMO_MATCHABLE = 1629  # 157 pending, 88 suspended, 126 verified but not accepting clients
NEED = {"description": "我们在哈萨克斯坦的光伏电站EPC合同发生争议，需要会俄语的仲裁律师", "k": 3}


def _get(service: Service, path: str) -> httpx.Response:
    return httpx.get(f"{service.base}{path}", timeout=5)


def _wait_listening(service: Service, timeout: float = 60) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert service.alive(), f"serve exited {service.process.returncode}:\n{service.output()}"
        try:
            _get(service, "/healthz")
            return time.monotonic()
        except httpx.ConnectError:
            time.sleep(0.05)
    raise AssertionError(f"not listening within {timeout} s:\n{service.output()}")


def test_serve_answers_while_it_loads_then_reports_the_directory(tmp_path: Path) -> None:
    env = service_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "data", MATCHMAKER_LOAD_DEMO_DATA="true")
    service = Service(env, tmp_path / "serve.log")
    try:
        _wait_listening(service)
        states: list[dict] = []
        gate_checked = False
        deadline = time.monotonic() + 180
        while True:
            assert time.monotonic() < deadline, f"not ready within 180 s; states {states[-3:]}\n{service.output()}"
            # never a refused connection once listening: httpx.ConnectError would fail the test here
            ready = _get(service, "/readyz")
            body = ready.json()
            if ready.status_code == 200:
                break
            assert ready.status_code == 503 and body["state"] == "loading", (ready.status_code, body)
            assert ready.headers["content-type"].startswith("application/problem+json")
            assert int(ready.headers["Retry-After"]) > 0
            assert body["phase"] in ("starting", "importing demo", "indexing"), body
            if "of" in body:
                assert 0 <= body["done"] <= body["of"], body
            states.append(body)
            if not gate_checked:
                assert _get(service, "/healthz").status_code == 200
                refused = httpx.post(f"{service.base}/v1/match", json=NEED, headers={"X-API-Key": ADMIN_KEY}, timeout=5)
                assert refused.status_code == 503, refused.text
                assert refused.headers["content-type"].startswith("application/problem+json")
                assert int(refused.headers["Retry-After"]) > 0
                assert "starting" in refused.json()["detail"]
                gate_checked = True
            time.sleep(0.05)

        assert gate_checked, "the service was never seen loading"
        assert any(s["phase"] == "indexing" and s.get("of") == DEMO_LAWYERS for s in states), states
        assert body["status"] == "ready"
        assert body["directory"] == {
            "lawyers": DEMO_LAWYERS,
            "matchable": DEMO_MATCHABLE,
            "not_matched": {
                "pending": 157,
                "suspended": 88,
                "verification_lapsed": 0,
                "not_accepting_clients": 126,
                "no_listing_consent": 0,
            },
        }
        assert body["lawyers_indexed"] == DEMO_MATCHABLE
        answer = httpx.post(f"{service.base}/v1/match", json=NEED, headers={"X-API-Key": ADMIN_KEY}, timeout=30)
        assert answer.status_code == 200 and answer.json()["results"], answer.text
    finally:
        service.close()


def test_a_failed_start_is_reported_without_internals(tmp_path: Path) -> None:
    # nothing listens on port 1: the migration's connection is refused at once
    secret_url = "postgresql+psycopg://matchmaker:s3cret-pw@127.0.0.1:1/directory"
    service = Service(service_env(secret_url, tmp_path / "data"), tmp_path / "serve.log")
    try:
        _wait_listening(service)
        deadline = time.monotonic() + 60
        while (body := _get(service, "/readyz").json())["state"] == "loading":
            assert time.monotonic() < deadline, body
            time.sleep(0.1)
        assert body["state"] == "failed" and body["status"] == 503, body
        assert body["phase"] == "starting"
        assert "database" in body["detail"]
        refused = httpx.get(f"{service.base}/v1/needs", headers={"X-API-Key": ADMIN_KEY}, timeout=5)
        assert refused.status_code == 503
        assert "failed to start" in refused.json()["detail"]
        for answer in (str(body), refused.text):
            for internal in ("s3cret", "127.0.0.1", "psycopg", "matchmaker:", "Traceback"):
                assert internal not in answer, (internal, answer)
        assert _get(service, "/healthz").status_code == 200
        assert "start-up failed during starting" in service.log.read_text(errors="replace")
    finally:
        service.close()


def test_sigterm_while_indexing_stops_promptly_and_the_next_start_serves(tmp_path: Path) -> None:
    env = service_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "data", MATCHMAKER_LOAD_DEMO_DATA="true")
    service = Service(env, tmp_path / "first.log")
    try:
        _wait_listening(service)
        deadline = time.monotonic() + 120
        while _get(service, "/readyz").json().get("phase") != "indexing":
            assert time.monotonic() < deadline, service.output()
            time.sleep(0.05)
        stopped_at = time.monotonic()
        service.signal(signal.SIGTERM)
        service.wait(timeout=15)
        assert time.monotonic() - stopped_at < 10, service.output()
        # stopped at the rebuild's next batch, or (a batch of encoding still running) left to end with the process
        log = service.log.read_text(errors="replace")
        assert "start-up stopped during indexing" in log or "start-up still running after" in log, log[-3000:]
    finally:
        service.close()

    again = Service(env, tmp_path / "second.log")
    try:
        again.wait_ready(180)
        body = _get(again, "/readyz").json()
        # the demo was imported whole before the stop, and the index is rebuilt, not a half-saved one
        assert body["directory"]["lawyers"] == DEMO_LAWYERS
        assert body["lawyers_indexed"] == DEMO_MATCHABLE
    finally:
        again.close()
