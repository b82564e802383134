"""E-mails reach a real local SMTP server (aiosmtpd): the lawyer's request in their language with
the link to accept, the enterprise's acceptance; written in the transaction they announce."""

from __future__ import annotations

import email
import time
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from models import OutboxEmail
from models.base import utcnow
from service.engagement import notifications
from service.settings import Settings
from service.state import Runtime
from tests.conftest import make_settings
from tests.engagement._world import World, build_world, register_verified
from tests.integration._procs import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def wait(self, count: int, timeout: float = 20) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} e-mails arrived"
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, smtp: tuple[Inbox, int]) -> Settings:
    return make_settings(
        tmp_path, database_url, registration_rate_limit_per_minute=1000, sweep_interval_seconds=0,
        smtp_host="127.0.0.1", smtp_port=smtp[1], smtp_from="matchmaker@mm.example.org",
        mail_interval_seconds=0.1, public_base_url="https://mm.example.org",
    )


@pytest.fixture
def world(client: TestClient) -> World:
    return build_world(client, lawyers=1)


def _body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_the_lawyer_gets_the_request_in_their_language_and_the_enterprise_the_acceptance(world: World, smtp: tuple[Inbox, int]) -> None:
    inbox, _ = smtp
    client = world.client
    chinese = world.lawyers[0]  # works in Chinese (and Russian)
    english, english_token = register_verified(client, languages=[{"code": "en", "level": "native"}, {"code": "ru", "level": "fluent"}],
                                               email="counsel@lexfirm.com", name_en="Anna Smith")
    world.tokens[english] = english_token
    need = world.need(contact_email="legal@sunpower-epc.cn")
    sent = client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [chinese, english]}, headers=world.enterprise).json()["items"]
    messages = inbox.wait(2)
    by_recipient = {m["To"]: m for m in messages}
    me = client.get("/v1/lawyers/me", headers=world.tokens[chinese]).json()
    zh, en = by_recipient[me["email"]], by_recipient["counsel@lexfirm.com"]
    assert "新的咨询请求" in zh["Subject"] and f"https://mm.example.org/v1/requests/{sent[0]['id']}/accept" in _body(zh)
    assert "New consultation request" in en["Subject"] and f"https://mm.example.org/v1/requests/{sent[1]['id']}/accept" in _body(en)
    assert "Dear Anna Smith" in _body(en) and zh["From"] == "matchmaker@mm.example.org"
    # the enterprise learns of the acceptance; the lawyer's contact details do not travel by e-mail
    assert client.post(f"/v1/requests/{sent[1]['id']}/accept", headers=world.tokens[english]).status_code == 200
    accepted = inbox.wait(3)[2]
    assert accepted["To"] == "legal@sunpower-epc.cn" and "accepted" in accepted["Subject"]
    assert "Anna Smith" in _body(accepted) and "counsel@lexfirm.com" not in _body(accepted)
    assert f"https://mm.example.org/v1/needs/{need}/requests" in _body(accepted)


def test_a_refused_request_writes_no_email(world: World, runtime: Runtime) -> None:
    client = world.client
    need = world.need()
    with runtime.sessions() as session:
        before = session.scalar(select(func.count()).select_from(OutboxEmail))
    # one recommended lawyer and one unknown: all or none, so no e-mail either
    refused = client.post(f"/v1/needs/{need}/requests", json={"lawyer_ids": [world.lawyers[0], 999999]}, headers=world.enterprise)
    assert refused.status_code == 409
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEmail)) == before


def test_an_unreachable_server_is_retried(world: World, runtime: Runtime, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    # stop the app's own sender so this test drives sending
    for loop in runtime._loops:
        loop.stop()
    need = world.need()
    world.client.post(f"/v1/needs/{need}/requests", json={"auto": True}, headers=world.enterprise)
    down = runtime.settings.model_copy(update={"smtp_port": free_port()})
    assert notifications.send_due(runtime.sessions, down) == 0
    with runtime.sessions() as session:
        queued = session.scalars(select(OutboxEmail)).one()
        assert queued.sent_at is None and queued.attempts == 1 and queued.last_error
        assert queued.next_attempt_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)
    # not due yet: nothing is sent, even with the server back
    assert notifications.send_due(runtime.sessions, runtime.settings) == 0
    with runtime.sessions() as session, session.begin():
        session.execute(update(OutboxEmail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    assert notifications.send_due(runtime.sessions, runtime.settings) == 1
    assert len(inbox.wait(1)) == 1
    assert notifications.send_due(runtime.sessions, runtime.settings) == 0  # sent once
