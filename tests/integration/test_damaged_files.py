"""Damaged snapshots: a truncated or corrupted index file or manifest is detected at start and the
index is rebuilt from the database; a full disk during a save leaves the previous snapshot serving.

The full disk is a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) on a subprocess that saves:
writes past the limit fail with EFBIG, as they would with ENOSPC, and no root is needed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from embeddings.encoder import Encoder
from embeddings.index import IDS_FILE, INDEX_FILE, IVF_FILE, MANIFEST_FILE, PassageIndex
from service import importing
from service.db import make_engine, make_session_factory, migrate
from service.repositories import lawyers as lawyer_repo
from service.settings import Settings
from service.state import Runtime
from tests.integration._integrity import (
    assert_agrees_with_database,
    assert_same,
    clean_rebuild,
    new_catalog,
    snapshot_dirs,
)
from tests.integration._procs import LAWYERS, LONG, REPO

COUNT = 60


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[tuple[sessionmaker[Session], Path, str]]:
    """A database with COUNT demo lawyers and its index directory.

    Damage is to files, whatever the database: PostgreSQL runs these in the long variant only.
    """
    if database_url.startswith("postgresql") and not LONG:
        pytest.skip("files are files: the PostgreSQL variant runs with MATCHMAKER_LONG_FAULT_TESTS=1")
    migrate(database_url)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    lines = LAWYERS.read_text(encoding="utf-8").splitlines()[:COUNT]
    summary = importing.import_lawyers(factory, lines)
    assert summary.created == COUNT and not summary.rejected
    yield factory, tmp_path / "data" / "index", database_url
    engine.dispose()


def _truncate(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(size // 2)


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) * 2 // 3] ^= 0xFF
    path.write_bytes(bytes(data))


def _edit_manifest(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def edit(snapshot: Path) -> None:
        manifest = json.loads((snapshot / MANIFEST_FILE).read_text())
        change(manifest)
        (snapshot / MANIFEST_FILE).write_text(json.dumps(manifest))

    return edit


def _garbage_with_valid_checksums(snapshot: Path) -> None:
    """Not a .npy file at all, yet the manifest's checksums fit: the loader must still refuse it."""
    import hashlib

    (snapshot / INDEX_FILE).write_bytes(os.urandom(4096))
    manifest = json.loads((snapshot / MANIFEST_FILE).read_text())
    manifest["index_sha256"] = hashlib.sha256((snapshot / INDEX_FILE).read_bytes()).hexdigest()
    (snapshot / MANIFEST_FILE).write_text(json.dumps(manifest))


def _wrong_mapping_with_valid_checksums(snapshot: Path) -> None:
    """A well-formed owners file pointing past the vectors, checksums updated."""
    import hashlib

    triples = np.load(snapshot / IDS_FILE)
    triples[:, 2] += 10_000
    np.save(snapshot / IDS_FILE, triples)
    manifest = json.loads((snapshot / MANIFEST_FILE).read_text())
    manifest["ids_sha256"] = hashlib.sha256((snapshot / IDS_FILE).read_bytes()).hexdigest()
    (snapshot / MANIFEST_FILE).write_text(json.dumps(manifest))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "vectors truncated": lambda s: _truncate(s / INDEX_FILE),
    "vectors corrupted": lambda s: _flip_byte(s / INDEX_FILE),
    "owners truncated": lambda s: _truncate(s / IDS_FILE),
    "owners corrupted": lambda s: _flip_byte(s / IDS_FILE),
    "vectors missing": lambda s: (s / INDEX_FILE).unlink(),
    "ivf missing": lambda s: (s / IVF_FILE).unlink(),
    "facts corrupted": lambda s: _flip_byte(s / "facts.npz"),
    "facts missing": lambda s: (s / "facts.npz").unlink(),
    "ivf replaced": lambda s: (s / IVF_FILE).write_bytes(b"not a faiss index"),
    "manifest truncated": lambda s: _truncate(s / MANIFEST_FILE),
    "manifest empty": lambda s: (s / MANIFEST_FILE).write_text(""),
    "manifest not an object": lambda s: (s / MANIFEST_FILE).write_text("[1, 2, 3]"),
    "manifest missing": lambda s: (s / MANIFEST_FILE).unlink(),
    "manifest checksum wrong": _edit_manifest(lambda m: m.update(index_sha256="0" * 64)),
    "manifest count wrong": _edit_manifest(lambda m: m.update(passage_count=m["passage_count"] + 1)),
    "manifest other encoder version": _edit_manifest(lambda m: m.update(encoder_version="0.0-other")),
    "manifest other dimension": _edit_manifest(lambda m: m.update(dim=m["dim"] + 1)),
    "vectors not a numpy file": _garbage_with_valid_checksums,
    "owners point past the vectors": _wrong_mapping_with_valid_checksums,
    "snapshot folder gone (dangling link)": lambda s: __import__("shutil").rmtree(s),
}


def test_a_damaged_snapshot_is_rebuilt_from_the_database(
    world: tuple[sessionmaker[Session], Path, str], encoder: Encoder
) -> None:
    """Every kind of damage in turn; each start must detect it, rebuild, and leave a good snapshot."""
    factory, index_dir, _ = world
    first = new_catalog(encoder)
    assert first.load_or_rebuild(factory, index_dir) == "rebuilt"
    victims = sorted(first.lawyers)
    failures: list[str] = []
    for number, (damage, apply_damage) in enumerate(DAMAGE.items()):
        # the database moves on after the snapshot: the rebuild must see that too
        with factory() as session, session.begin():
            victim = lawyer_repo.get(session, victims[number])
            lawyer_repo.set_status(session, victim, "suspended", actor="admin:test", reason="damage test")
        apply_damage(index_dir.resolve())
        try:
            restarted = new_catalog(encoder)
            how = restarted.load_or_rebuild(factory, index_dir)
            assert how == "rebuilt", f"the damaged snapshot was {how}"
            assert_same(restarted, clean_rebuild(encoder, factory), encoder, damage)
            assert_agrees_with_database(restarted, factory, damage)
            # the rebuild wrote a good snapshot in place of the damaged one
            again = new_catalog(encoder)
            assert again.load_or_rebuild(factory, index_dir) == "loaded", "the rebuilt snapshot does not load"
            assert_same(again, restarted, encoder, f"{damage}, next start")
        except Exception as exc:  # noqa: BLE001 - report every kind of damage that is not handled
            failures.append(f"{damage}: {type(exc).__name__}: {exc}")
            restored = new_catalog(encoder)
            restored.rebuild(factory)
            restored.save(index_dir)
    assert not failures, "\n".join(failures)


def test_the_index_path_being_a_plain_file_is_rebuilt(world: tuple[sessionmaker[Session], Path, str], encoder: Encoder) -> None:
    factory, index_dir, _ = world
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    index_dir.write_bytes(b"\x00" * 100)
    catalog = new_catalog(encoder)
    assert catalog.load_or_rebuild(factory, index_dir) == "rebuilt"
    assert_same(catalog, clean_rebuild(encoder, factory), encoder)
    assert new_catalog(encoder).load_or_rebuild(factory, index_dir) == "loaded"


def test_a_stale_snapshot_is_caught_up_not_served_stale(
    world: tuple[sessionmaker[Session], Path, str], encoder: Encoder
) -> None:
    """An intact but old snapshot: the lawyers deleted, suspended or added since are not served stale."""
    factory, index_dir, _ = world
    first = new_catalog(encoder)
    first.load_or_rebuild(factory, index_dir)
    ids = sorted(first.lawyers)
    with factory() as session, session.begin():
        lawyer_repo.delete(session, lawyer_repo.get(session, ids[0]), actor="admin:test")
        lawyer_repo.set_status(session, lawyer_repo.get(session, ids[1]), "suspended", actor="admin:test", reason="r")
        lawyer_repo.update(session, lawyer_repo.get(session, ids[2]), {"accepting_clients": False}, actor="admin:test")
        lawyer_repo.update(session, lawyer_repo.get(session, ids[3]), {"bio": "Advised on a joint venture in Vietnam."})
    lines = LAWYERS.read_text(encoding="utf-8").splitlines()[COUNT : COUNT + 5]
    importing.import_lawyers(factory, lines)

    restarted = new_catalog(encoder)
    assert restarted.load_or_rebuild(factory, index_dir) == "loaded"
    assert_same(restarted, clean_rebuild(encoder, factory), encoder, "stale snapshot after catch-up")
    assert_agrees_with_database(restarted, factory)
    assert ids[0] not in restarted.lawyers and ids[1] not in restarted.lawyers and ids[2] not in restarted.lawyers


def test_the_service_start_rebuilds_a_damaged_snapshot(
    world: tuple[sessionmaker[Session], Path, str], encoder: Encoder, tmp_path: Path
) -> None:
    """The start-up path itself (Runtime.load_index, what `serve` runs in its lifespan)."""
    factory, index_dir, url = world
    settings = Settings(data_dir=tmp_path / "data", database_url=url, load_demo_data=False, environment="test")
    runtime = Runtime.build(settings, encoder=encoder)
    try:
        assert runtime.load_index() == "rebuilt"
        _truncate(index_dir.resolve() / INDEX_FILE)
        _truncate(index_dir.resolve() / MANIFEST_FILE)
        restarted = Runtime.build(settings, encoder=encoder)
        try:
            assert restarted.load_index() == "rebuilt"
            assert restarted.catalog.loaded
            assert_same(restarted.catalog, clean_rebuild(encoder, factory), encoder)
        finally:
            restarted.engine.dispose()
    finally:
        runtime.engine.dispose()


# ---- a full disk ------------------------------------------------------------------------

_SAVE_UNDER_LIMIT = textwrap.dedent(
    """
    import logging, resource, signal, sys
    from pathlib import Path
    from service.settings import Settings
    from service.state import Runtime

    logging.basicConfig(level=logging.WARNING)
    url, data_dir, limit, how = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    runtime = Runtime.build(Settings(data_dir=data_dir, database_url=url, load_demo_data=False), run_migrations=False)

    def full_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit, write() fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    if how == "start":
        full_disk()
        how_loaded = runtime.load_index()  # the snapshot is caught up from the feed, and its save fails
        print("STARTED", how_loaded, len(runtime.catalog))
        sys.exit(0)
    runtime.catalog.rebuild(runtime.sessions)  # in memory only: nothing saved yet
    full_disk()
    if how == "save":
        try:
            runtime.catalog.save(runtime.settings.index_dir)
        except OSError as exc:
            print("SAVE FAILED", exc.errno, exc)
            sys.exit(3)
        print("SAVED")
        sys.exit(0)
    runtime.close()  # the shutdown path: a failed save is logged, never raised
    print("CLOSED")
    """
)


def _full_disk_run(url: str, data_dir: Path, limit: int, how: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _SAVE_UNDER_LIMIT, url, str(data_dir), str(limit), how],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _snapshot_then_grow(
    world: tuple[sessionmaker[Session], Path, str], encoder: Encoder
) -> tuple[Path, tuple[PassageIndex, dict], int]:
    factory, index_dir, _ = world
    first = new_catalog(encoder)
    assert first.load_or_rebuild(factory, index_dir) == "rebuilt"
    previous = index_dir.resolve()
    before = PassageIndex.load(index_dir, encoder.name, encoder.version, encoder.dim)
    assert before is not None
    # more lawyers: the next snapshot is bigger than the limit
    importing.import_lawyers(factory, LAWYERS.read_text(encoding="utf-8").splitlines()[COUNT : COUNT + 40])
    limit = (previous / INDEX_FILE).stat().st_size // 2
    return previous, before, limit


def _previous_still_serves(
    world: tuple[sessionmaker[Session], Path, str], encoder: Encoder, previous: Path, before: tuple[PassageIndex, dict]
) -> None:
    factory, index_dir, _ = world
    # the link still names the previous, complete snapshot, which loads and verifies
    assert index_dir.resolve() == previous
    after = PassageIndex.load(index_dir, encoder.name, encoder.version, encoder.dim)
    assert after is not None, "the previous snapshot no longer loads"
    assert after[1]["index_sha256"] == before[1]["index_sha256"]
    assert after[1]["created_at"] == before[1]["created_at"]
    # the partial snapshot was cleaned away
    assert snapshot_dirs(index_dir) == [previous]
    # and the next start serves the database exactly (previous snapshot + the feed)
    restarted = new_catalog(encoder)
    assert restarted.load_or_rebuild(factory, index_dir) == "loaded"
    assert_same(restarted, clean_rebuild(encoder, factory), encoder, "after a full disk")


@pytest.mark.parametrize("how", ["save", "shutdown"])
def test_a_full_disk_during_a_save_leaves_the_previous_snapshot_serving(
    world: tuple[sessionmaker[Session], Path, str], encoder: Encoder, tmp_path: Path, how: str
) -> None:
    previous, before, limit = _snapshot_then_grow(world, encoder)
    result = _full_disk_run(world[2], tmp_path / "data", limit, how)
    output = result.stdout + result.stderr
    if how == "save":
        assert result.returncode == 3 and "SAVE FAILED" in result.stdout, output
    else:
        assert result.returncode == 0 and "CLOSED" in result.stdout, output
        assert "index snapshot not saved" in output
    _previous_still_serves(world, encoder, previous, before)


def test_a_full_disk_at_start_still_serves(
    world: tuple[sessionmaker[Session], Path, str], encoder: Encoder, tmp_path: Path
) -> None:
    previous, before, limit = _snapshot_then_grow(world, encoder)
    result = _full_disk_run(world[2], tmp_path / "data", limit, "start")
    output = result.stdout + result.stderr
    records = [json.loads(line) for line in LAWYERS.read_text(encoding="utf-8").splitlines()[: COUNT + 40]]
    matchable = sum(r["status"] == "verified" and r["accepting_clients"] for r in records)
    # loaded from the old snapshot, caught up from the feed to every lawyer, served though unsaved
    assert result.returncode == 0 and f"STARTED loaded {matchable}\n" in result.stdout, output
    _previous_still_serves(world, encoder, previous, before)
