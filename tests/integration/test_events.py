"""Domain events are written in the caller's transaction: committed with the change, or not at all."""

from __future__ import annotations

import pytest

from service.db import make_engine, make_session_factory, migrate
from service.engagement import events
from service.repositories import events as event_repo


def test_an_event_lives_and_dies_with_its_transaction(database_url: str) -> None:
    migrate(database_url)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as session, session.begin():
            kept = events.publish(session, "lawyer.verified", subject="lawyer:7", data={"lawyer_id": 7})
        with factory() as session:
            session.begin()
            events.publish(session, "lawyer.suspended", subject="lawyer:7", data={"lawyer_id": 7})
            session.rollback()
        with factory() as session:
            found = event_repo.since(session, 0, limit=10)
            assert [(e.type, e.event_id) for e in found] == [("lawyer.verified", kept.event_id)]
            assert found[0].data == {"lawyer_id": 7} and found[0].organisation is None
            assert event_repo.by_event_id(session, kept.event_id) is not None
            assert event_repo.since(session, found[0].id, limit=10) == []
    finally:
        engine.dispose()


def test_an_unknown_event_type_is_refused(database_url: str) -> None:
    migrate(database_url)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session, pytest.raises(ValueError, match="unknown event type"):
            events.publish(session, "request.acepted", subject="request:1", data={})
    finally:
        engine.dispose()
