"""E-mail notifications: written to the outbox in the transaction of what they announce (so a
rolled-back request sends nothing and a committed one is never forgotten), sent by a loop.

The lawyer gets each request in their language (Chinese when they work in it, else English) with
the link to accept it; the enterprise gets the acceptance at the need's ``contact_email``. No
contact details of the lawyer travel by e-mail: the enterprise reads them through the API, where
the lawyer's consent is checked.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy.orm import Session, sessionmaker

from models import ConsultationRequest, Lawyer, Need, OutboxEmail
from models.base import utcnow
from service.db import transaction
from service.matching.explain import caller_locale
from service.repositories import outbox as outbox_repo
from service.settings import Settings

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 12
BATCH = 20


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def lawyer_locale(lawyer: Lawyer) -> str:
    """zh for a lawyer who works in Chinese (nearly all of the pool), else en."""
    return "zh" if any(entry.get("code") == "zh" for entry in lawyer.languages or []) else "en"


def _queue(session: Session, recipient: str, subject: str, body: str, ref: str) -> None:
    outbox_repo.add(session, OutboxEmail(recipient=recipient, subject=subject, body=body, subject_ref=ref, next_attempt_at=utcnow()))


def request_offered(session: Session, request: ConsultationRequest, lawyer: Lawyer, need: Need, *, base_url: str) -> None:
    """The lawyer learns of a new request, with the link to accept it before the deadline."""
    if not lawyer.email:
        return
    base = base_url.rstrip("/")
    accept = f"{base}/v1/requests/{request.id}/accept"
    inbox = f"{base}/v1/lawyers/me/requests?state=pending"
    where = ", ".join(need.countries or []) or "-"
    areas = ", ".join(need.practice_areas or []) or "-"
    if lawyer_locale(lawyer) == "zh":
        subject = f"新的咨询请求 #{request.id}：请于 {_when(request.deadline_at)} 前答复"
        body = (
            f"{lawyer.name}律师，您好：\n\n{need.enterprise or '一家企业'}希望就以下事项咨询您：\n\n{need.description}\n\n"
            f"目标国家：{where}\n执业领域：{areas}\n\n请于 {_when(request.deadline_at)} 前答复，逾期将转给下一位律师。\n"
            f"接受请求（以您的管理令牌 POST）：{accept}\n或在收件箱中查看：{inbox}\n"
        )
    else:
        subject = f"New consultation request #{request.id}: please answer by {_when(request.deadline_at)}"
        body = (
            f"Dear {lawyer.name_en or lawyer.name},\n\n{need.enterprise or 'An enterprise'} would like to consult you about:\n\n"
            f"{need.description}\n\nTarget countries: {where}\nPractice areas: {areas}\n\n"
            f"Please answer by {_when(request.deadline_at)}; after that the request goes to the next lawyer.\n"
            f"Accept (POST with your management token): {accept}\nOr see your inbox: {inbox}\n"
        )
    _queue(session, lawyer.email, subject, body, f"request:{request.id}")


def request_accepted(session: Session, request: ConsultationRequest, lawyer: Lawyer, *, base_url: str) -> None:
    """The enterprise learns that a lawyer accepted, at the need's contact e-mail (if it gave one)."""
    need = session.get(Need, request.need_id)
    if need is None or not need.contact_email:
        return
    base = base_url.rstrip("/")
    history = f"{base}/v1/needs/{need.id}/requests"
    if caller_locale(need.description) == "zh":
        subject = f"律师已接受您的咨询请求 #{request.id}"
        body = (
            f"您好：\n\n{lawyer.name}律师（{lawyer.firm or '独立执业'}）已接受您关于以下事项的咨询请求：\n\n{need.description}\n\n"
            f"请求记录及律师同意公开的联系方式：{history}\n"
        )
    else:
        subject = f"A lawyer accepted your consultation request #{request.id}"
        body = (
            f"Hello,\n\n{lawyer.name_en or lawyer.name} ({lawyer.firm_en or lawyer.firm or 'independent'}) accepted your request about:\n\n"
            f"{need.description}\n\nThe request's history, with the contact details the lawyer agreed to share: {history}\n"
        )
    _queue(session, need.contact_email, subject, body, f"request:{request.id}")


# ---- sending --------------------------------------------------------------------------------


def _deliver(settings: Settings, messages: list[EmailMessage]) -> list[str | None]:
    """Send over one SMTP connection; per message None when sent, else the error."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.smtp_tls == "tls":
        smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=10, context=context)
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10)
    results: list[str | None] = []
    with smtp:
        if settings.smtp_tls == "starttls":
            smtp.starttls(context=context)
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        for message in messages:
            try:
                smtp.send_message(message)
                results.append(None)
            except smtplib.SMTPException as exc:
                results.append(f"{type(exc).__name__}: {exc}")
    return results


def send_due(factory: sessionmaker[Session], settings: Settings) -> int:
    """Send what is due in the outbox; returns how many were sent. Retries back off (30 s, 1 min,
    2 min, ... at most an hour) up to MAX_ATTEMPTS."""
    with transaction(factory) as session:
        due = outbox_repo.lease_due(session, utcnow(), lease=LEASE, limit=BATCH, max_attempts=MAX_ATTEMPTS)
        batch = [(e.id, e.attempts, e.recipient, e.subject, e.body) for e in due]
    if not batch:
        return 0
    messages = []
    for _, _, recipient, subject, body in batch:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = settings.smtp_from, recipient, subject
        message.set_content(body)
        messages.append(message)
    try:
        results = _deliver(settings, messages)
    except (OSError, smtplib.SMTPException) as exc:  # the server is down or refused us: all retry
        results = [f"{type(exc).__name__}: {exc}"] * len(batch)
    now = utcnow()
    with transaction(factory) as session:
        for (email_id, attempts, *_), error in zip(batch, results):
            if error is None:
                outbox_repo.mark_sent(session, email_id, now)
            else:
                retry = now + timedelta(seconds=min(3600, 30 * 2 ** (attempts - 1)))
                outbox_repo.mark_failed(session, email_id, error, retry)
    sent = sum(1 for r in results if r is None)
    if sent < len(batch):
        log.warning("%d of %d e-mails not sent; retrying later", len(batch) - sent, len(batch))
    return sent


class Mailer:
    """A thread that sends what waits in the outbox every ``interval`` seconds until stopped."""

    def __init__(self, factory: sessionmaker[Session], settings: Settings) -> None:
        self.factory, self.settings = factory, settings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="mailer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.settings.mail_interval_seconds):
            try:
                while send_due(self.factory, self.settings) == BATCH and not self._stop.is_set():
                    pass
            except Exception:  # noqa: BLE001 - keep sending through database outages
                log.warning("sending e-mails failed; retrying", exc_info=True)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
