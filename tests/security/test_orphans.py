"""The encoder pool's workers die with their parent: after `matchmaker import` is killed with
SIGKILL (no clean-up runs), no worker and no resource tracker lives on. A real import, a real kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.integration._procs import LAWYERS, REPO, service_env


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def _descendants(pid: int) -> set[int]:
    result, frontier = set(), [pid]
    while frontier:
        for child in _children(frontier.pop()):
            if child not in result:
                result.add(child)
                frontier.append(child)
    return result


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has exited; only its exit status waits to be read


def test_pool_workers_die_with_a_killed_import(tmp_path: Path) -> None:
    env = service_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "data")
    log = open(tmp_path / "import.log", "wb")  # noqa: SIM115 - closed below
    importer = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "import", "lawyers", str(LAWYERS)],
        env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 240
        # wait for the encoder pool: at least two worker processes besides the resource tracker
        while len(seen := seen | _descendants(importer.pid)) < 3:
            assert importer.poll() is None, (tmp_path / "import.log").read_text()[-3000:]
            assert time.monotonic() < deadline, f"no encoder pool appeared: {seen}"
            time.sleep(0.2)
        time.sleep(1.0)  # the workers are loading their encoders, or encoding
        seen |= _descendants(importer.pid)
        os.kill(importer.pid, signal.SIGKILL)  # the import alone, not its process group
        importer.wait(timeout=10)
        deadline = time.monotonic() + 15
        while (alive := {pid for pid in seen if _alive(pid)}) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive, f"orphans left behind: {alive}"
    finally:
        try:
            os.killpg(importer.pid, signal.SIGKILL)  # whatever is left of our own group
        except ProcessLookupError:
            pass
        log.close()
