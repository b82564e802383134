"""Real processes for the fault tests: `matchmaker serve` / CLI subprocesses and a private PostgreSQL.

Everything here is bounded (every wait has a deadline) and cleans up after itself: a test that
fails still kills the processes it started, by their own process group, never by name.

The long variants of the fault tests run when MATCHMAKER_LONG_FAULT_TESTS=1.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
LONG = os.environ.get("MATCHMAKER_LONG_FAULT_TESTS", "") not in ("", "0", "false", "no")
ADMIN_KEY = "fault-admin-key"
# the bundled demo lawyers: real-looking profiles that ship with the repository
LAWYERS = REPO / "service" / "demo_data" / "lawyers.jsonl"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.1, what: str = "condition") -> float:
    """Seconds until the condition held; AssertionError after the timeout."""
    started = time.monotonic()
    while True:
        if condition():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what} not reached within {timeout:.0f} s")
        time.sleep(interval)


def service_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env |= {
        "MATCHMAKER_DATABASE_URL": database_url,
        "MATCHMAKER_DATA_DIR": str(data_dir),
        "MATCHMAKER_LOAD_DEMO_DATA": "false",
        "MATCHMAKER_ADMIN_API_KEY": ADMIN_KEY,
        "MATCHMAKER_ENVIRONMENT": "test",
        "MATCHMAKER_RATE_LIMIT_PER_MINUTE": "1000000",
        # load tests send many concurrent matches from one key: above the per-key match budgets
        "MATCHMAKER_MATCH_COST_PER_MINUTE": "1000000000",
        "MATCHMAKER_MATCH_COST_PER_MINUTE_PER_ORGANISATION": "1000000000",
        "MATCHMAKER_MATCH_CONCURRENCY_PER_KEY": "64",
        "MATCHMAKER_MATCH_CONCURRENCY_PER_ORGANISATION": "64",
        "PYTHONUNBUFFERED": "1",
    }
    return env | extra


class Proc:
    """A subprocess in its own process group, its output in a log file (shown when a test fails)."""

    def __init__(self, args: Sequence[str], env: dict[str, str], log: Path) -> None:
        self.args = list(args)
        self.log = log
        self._log_file = open(log, "ab")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", *args],
            env=env,
            cwd=REPO,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole group (the process and any encoder-pool children it spawned)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def output(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        try:
            return self.log.read_text(errors="replace")[-6000:]
        except OSError:
            return ""

    def close(self) -> None:
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
        self._log_file.close()


def run_cli(args: Sequence[str], env: dict[str, str], log: Path, timeout: float = 180) -> Proc:
    proc = Proc(args, env, log)
    try:
        code = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.close()
        raise AssertionError(f"matchmaker {' '.join(args)} did not finish in {timeout} s:\n{proc.output()}") from None
    proc.close()
    assert code == 0, f"matchmaker {' '.join(args)} exited {code}:\n{proc.output()}"
    return proc


class Service(Proc):
    """`matchmaker serve` on a free port of 127.0.0.1."""

    def __init__(self, env: dict[str, str], log: Path, port: int | None = None, extra_args: Sequence[str] = ()) -> None:
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        super().__init__(["serve", "--host", "127.0.0.1", "--port", str(self.port), *extra_args], env, log)

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise AssertionError(f"service exited {self.process.returncode} before ready:\n{self.output()}")
            if self.ready():
                return
            time.sleep(0.2)
        raise AssertionError(f"service on {self.port} not ready within {timeout} s:\n{self.output()}")


@contextlib.contextmanager
def serving(env: dict[str, str], log: Path, ready_timeout: float = 120, **kwargs: Any) -> Iterator[Service]:
    service = Service(env, log, **kwargs)
    try:
        service.wait_ready(ready_timeout)
        yield service
    finally:
        service.close()


# ---- a private PostgreSQL ------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if found:
        return str(found[-1])
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(name)
    return path


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on its own port: stopping it disturbs nobody else.

    initdb refuses to run as root, so as root the cluster is run by the `postgres` user.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="mm-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "sock"
        self.socket_dir.mkdir()
        self.log = self.root / "postgres.log"
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres")
            shutil.chown(self.socket_dir, "postgres")
        self._run([_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, command: list[str], timeout: float = 60) -> None:
        result = subprocess.run(self._as + command, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {result.stderr.decode(errors='replace')[-2000:]}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._run([_pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "30", "start"])

    def stop(self, mode: str = "fast") -> None:
        self._run([_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop"])

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        if self.running():
            with contextlib.suppress(Exception):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    try:
        server = PrivatePostgres()
    except (FileNotFoundError, RuntimeError, subprocess.SubprocessError) as exc:
        import pytest

        pytest.skip(f"cannot create a private PostgreSQL here: {exc}")
    try:
        server.start()
        yield server
    finally:
        server.destroy()


def jsonl_head(count: int, target: Path, source: Path = LAWYERS) -> Path:
    """The first `count` lawyers of the demo set, as a JSON Lines file."""
    lines = []
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                lines.append(line.rstrip("\n"))
            if len(lines) >= count:
                break
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target
