"""A starting worker takes the lawyers' facts from the snapshot instead of re-reading every profile
(minutes at 10^6 profiles), and serves exactly what a clean rebuild serves either way."""

from __future__ import annotations

from pathlib import Path

import pytest

from embeddings.encoder import Encoder
from models import LawyerStatus
from service import importing
from service.db import make_engine, make_session_factory, migrate
from service.matching.catalog import snapshot as snapshot_module
from service.repositories import lawyers as lawyer_repo
from tests.integration._integrity import assert_same, clean_rebuild, new_catalog
from tests.integration._procs import LAWYERS


@pytest.fixture
def new_database(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Makes SQLite databases of these profile lines (migrated, imported); disposed at the end."""
    engines = []

    def make(name: str, lines: list[str]):  # type: ignore[no-untyped-def]
        url = f"sqlite:///{tmp_path / name}"
        migrate(url)
        engines.append(make_engine(url))
        factory = make_session_factory(engines[-1])
        importing.import_lawyers(factory, iter(lines))
        return factory

    yield make
    for engine in engines:
        engine.dispose()


def _profiles() -> list[str]:
    return LAWYERS.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.fixture
def factory(new_database):  # type: ignore[no-untyped-def]
    return new_database("facts.db", _profiles())


def test_a_restart_takes_facts_from_the_snapshot(factory, encoder: Encoder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = new_catalog(encoder)
    assert first.load_or_rebuild(factory, tmp_path / "index") == "rebuilt"
    # a change after the snapshot is replayed from the feed on top of the saved facts
    with factory() as session, session.begin():
        changed = lawyer_repo.page(session, offset=0, limit=1, status=LawyerStatus.verified)[0][0]
        lawyer_repo.update(session, changed, {"practice_areas": ["maritime_logistics"], "countries": ["PA"]}, review_identity=False)
    second = new_catalog(encoder)
    assert second.load_or_rebuild(factory, tmp_path / "index") == "loaded"
    assert second.lawyers[changed.id].declared_practice == frozenset({"maritime_logistics"})
    assert second.facts.mask("country", "PA")[changed.id]
    assert_same(second, clean_rebuild(encoder, factory), encoder, "catalog loaded with saved facts")


def test_facts_read_by_other_code_are_read_again(factory, encoder: Encoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    new_catalog(encoder).load_or_rebuild(factory, tmp_path / "index")
    monkeypatch.setattr(snapshot_module, "reader_fingerprint", lambda: "another reader")
    again = new_catalog(encoder)
    assert again.load_or_rebuild(factory, tmp_path / "index") == "loaded, profiles read again"
    assert_same(again, clean_rebuild(encoder, factory), encoder, "catalog with facts read again")


def test_a_snapshot_of_another_database_is_never_loaded(new_database, encoder: Encoder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two databases served in turn from one data directory (SQLite demo, then PostgreSQL): the
    second must not take the first one's lawyers for its own, though its feed has gone further."""
    lines = _profiles()
    first = new_database("first.db", lines[:40])
    new_catalog(encoder).load_or_rebuild(first, tmp_path / "index")
    second = new_database("second.db", lines[100:220])
    catalog = new_catalog(encoder)
    assert catalog.load_or_rebuild(second, tmp_path / "index") == "rebuilt"
    assert_same(catalog, clean_rebuild(encoder, second), encoder, "catalog of the second database")
    # and the second database's own snapshot is loaded on its next start
    assert new_catalog(encoder).load_or_rebuild(second, tmp_path / "index") == "loaded"


def test_a_backlog_larger_than_the_snapshot_is_rebuilt_not_replayed(new_database, encoder: Encoder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A bulk import over a small snapshot: the rebuild encodes over the pool, a replay would not."""
    lines = _profiles()
    factory = new_database("grown.db", lines[:40])
    new_catalog(encoder).load_or_rebuild(factory, tmp_path / "index")
    importing.import_lawyers(factory, iter(lines[40:1240]))
    catalog = new_catalog(encoder)
    assert catalog.load_or_rebuild(factory, tmp_path / "index") == "rebuilt"
    assert_same(catalog, clean_rebuild(encoder, factory), encoder, "catalog after a bulk import")
