"""A real service process for the browser tests: SQLite, the bundled encoder, a slice of the demo
directory, a bureau key, and demand (stored needs and match queries) to draw.

Browser tests need Playwright (the dev extra) and Debian's Chromium (`apt-get install -y chromium`,
as .ci/run does); without the browser they skip. Screenshots go to artefacts/e2e/ (gitignored),
or to MATCHMAKER_E2E_ARTEFACTS.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.integration._procs import free_port

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "service" / "demo_data" / "lawyers.jsonl"
CHROMIUM = os.environ.get("MATCHMAKER_CHROMIUM", "/usr/bin/chromium")
ARTEFACTS = Path(os.environ.get("MATCHMAKER_E2E_ARTEFACTS", REPO / "artefacts" / "e2e"))
ADMIN_KEY = "e2e-admin-key"

NEEDS = [
    {"description": "我们在哈萨克斯坦的光伏电站EPC合同发生争议，需要会俄语的仲裁律师", "countries": ["KZ"], "practice_areas": ["international_arbitration"]},
    {"description": "越南工厂裁员，需要劳动法律师", "countries": ["VN"], "practice_areas": ["labor_employment"]},
    {"description": "Anti-dumping investigation by the European Commission into our steel exports", "countries": ["BE"], "practice_areas": ["trade_remedies"]},
]


@dataclass
class Served:
    url: str
    bureau_key: str


# a profile written by an attacker: markup in every text the page shows
HOSTILE = {
    "external_id": "X-HOSTILE", "name": "<img src=x onerror=alert(1)>", "name_en": "<script>alert(2)</script>",
    "firm": "\"><svg onload=alert(3)>", "firm_en": "=HYPERLINK(\"http://evil.example\")", "city": "Xss City",
    "license_no": "31010120990000001", "countries": ["KZ"], "practice_areas": ["international_arbitration"],
    "languages": [{"code": "zh", "level": "native"}], "bio": "<b>bold</b>", "status": "verified",
}


# the texts the page shows, which the API now refuses with markup in them (service.schemas.common)
HOSTILE_TEXTS = ("name", "name_en", "firm", "firm_en", "bio")


def _demo_slice() -> bytes:
    """The demo lawyers who serve Kazakhstan (the Chinese search's country), 200 others, and the
    hostile one with plain texts (its markup is written into the database afterwards)."""
    lines = DEMO.read_text(encoding="utf-8").splitlines()
    chosen = [line for line in lines if '"KZ"' in line] + [line for line in lines[:300] if '"KZ"' not in line][:200]
    plain = {**HOSTILE, **{field: f"placeholder {field}" for field in HOSTILE_TEXTS}}
    return "\n".join([*chosen, json.dumps(plain)]).encode()


def _write_hostile_texts(database: Path) -> None:
    """The markup the API refuses, written as a row stored before that rule (or by hand) would
    hold it: the page must still show it as text, whatever the database holds."""
    with sqlite3.connect(database) as connection:
        assignments = ", ".join(f"{field} = ?" for field in HOSTILE_TEXTS)
        updated = connection.execute(
            f"UPDATE lawyers SET {assignments} WHERE external_id = ?",
            [HOSTILE[field] for field in HOSTILE_TEXTS] + [HOSTILE["external_id"]],
        )
        assert updated.rowcount == 1


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("e2e")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env |= {
        "MATCHMAKER_DATA_DIR": str(data),
        "MATCHMAKER_LOAD_DEMO_DATA": "false",
        "MATCHMAKER_ADMIN_API_KEY": ADMIN_KEY,
        "MATCHMAKER_ENVIRONMENT": "test",
        "MATCHMAKER_QUERY_LOG_FLUSH_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    log = open(data / "server.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "service.main:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    admin = {"X-API-Key": ADMIN_KEY}
    try:
        with httpx.Client(base_url=url, timeout=300) as http:
            deadline = time.monotonic() + 120
            while True:
                assert process.poll() is None, (data / "server.log").read_text()
                try:
                    if http.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the service did not start"
                time.sleep(0.2)
            imported = http.post("/v1/lawyers/import", content=_demo_slice(), headers=admin)
            assert imported.status_code == 200 and imported.json()["created"] > 250, imported.text
            _write_hostile_texts(data / "matchmaker.sqlite3")
            bureau = http.post("/v1/admin/api-keys", json={"name": "bureau", "role": "bureau", "organisation": "Shanghai Commerce Bureau"}, headers=admin)
            enterprise = http.post("/v1/admin/api-keys", json={"name": "e", "role": "enterprise", "organisation": "e"}, headers=admin)
            key = {"X-API-Key": enterprise.json()["api_key"]}
            for repeat, need in enumerate(NEEDS):
                assert http.post("/v1/needs", json=need, headers=key).status_code == 201
                for _ in range(repeat + 1):
                    assert http.post("/v1/match", json={**need, "k": 3}, headers=key).status_code == 200
            yield Served(url, bureau.json()["api_key"])
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    with sync_api.sync_playwright() as playwright:
        # root in a container has no user namespace for Chromium's sandbox
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def artefacts() -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS


def demo_json() -> list[dict[str, object]]:
    return [json.loads(line) for line in _demo_slice().decode().splitlines()]
