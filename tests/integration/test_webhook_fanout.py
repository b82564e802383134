"""Fan-out reads the events table by cursor, and ids are not committed in order on PostgreSQL: an
event whose transaction commits after a later one's must still be delivered, exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models import WebhookCursor, WebhookDelivery, WebhookFannedOut
from models.base import utcnow
from service.db import make_engine, make_session_factory, migrate, transaction
from service.engagement import events, webhooks
from service.engagement.dispatch import Dispatcher
from service.settings import Settings

SETTINGS = Settings(environment="test", webhook_allow_private_addresses=True)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    migrate(database_url)
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _subscribe(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        subscription, _ = webhooks.subscribe(session, SETTINGS, role="bureau", organisation="b", url="http://127.0.0.1:9/x",
                                             event_types=["lawyer.verified"], active=True, description=None)
        return subscription.id


def _delivered(sessions: sessionmaker[Session]) -> list[int]:
    with sessions() as session:
        return sorted(session.scalars(select(WebhookDelivery.event_pk)))


def test_an_event_committed_late_is_still_fanned_out_once(sessions: sessionmaker[Session], database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite takes its write lock at BEGIN: ids are committed in order there")
    _subscribe(sessions)
    dispatcher = Dispatcher(sessions, SETTINGS)
    slow = sessions()
    try:
        slow.begin()
        early = events.publish(slow, "lawyer.verified", subject="lawyer:1", data={})  # id taken, not committed
        with transaction(sessions) as session:
            late = events.publish(session, "lawyer.verified", subject="lawyer:2", data={})
        assert late.id > early.id
        dispatcher.fan_out()
        assert _delivered(sessions) == [late.id]
        slow.commit()
    finally:
        slow.close()
    dispatcher.fan_out()
    dispatcher.fan_out()
    assert _delivered(sessions) == [early.id, late.id]
    dispatcher.close()


def test_the_cursor_passes_settled_events_and_forgets_them(sessions: sessionmaker[Session]) -> None:
    _subscribe(sessions)
    with transaction(sessions) as session:
        published = [events.publish(session, "lawyer.verified", subject=f"lawyer:{n}", data={}).id for n in range(3)]
    dispatcher = Dispatcher(sessions, SETTINGS)
    dispatcher.fan_out()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(WebhookFannedOut)) == 3  # too recent to pass
        assert session.scalar(select(WebhookCursor.last_event_pk)) == 0
    dispatcher.settled = timedelta(0)
    dispatcher.fan_out()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(WebhookFannedOut)) == 0
        assert session.scalar(select(WebhookCursor.last_event_pk)) == max(published)
    dispatcher.fan_out()
    assert _delivered(sessions) == published  # each once
    dispatcher.close()


def test_finished_deliveries_leave_the_log_after_the_configured_days(sessions: sessionmaker[Session]) -> None:
    subscription_id = _subscribe(sessions)
    with transaction(sessions) as session:
        event = events.publish(session, "lawyer.verified", subject="lawyer:1", data={})
        old = utcnow() - timedelta(days=SETTINGS.webhook_log_days + 1)
        for status, created in (("succeeded", old), ("failed", old), ("pending", old), ("succeeded", utcnow())):
            session.add(WebhookDelivery(subscription_id=subscription_id, event_pk=event.id, status=status, attempts=1,
                                        next_attempt_at=utcnow() + timedelta(days=1), created_at=created))
    dispatcher = Dispatcher(sessions, SETTINGS)
    assert dispatcher.prune() == 2
    dispatcher.close()
    with sessions() as session:
        assert sorted(session.scalars(select(WebhookDelivery.status))) == ["pending", "succeeded"]
