"""E-mail notifications, written to the outbox in the transaction of what they announce."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import ConsultationRequest, Lawyer, Need


def request_offered(session: Session, request: ConsultationRequest, lawyer: Lawyer, need: Need) -> None:
    """The lawyer learns of a new request (slice 4 writes the e-mail)."""


def request_accepted(session: Session, request: ConsultationRequest, lawyer: Lawyer) -> None:
    """The enterprise learns that the lawyer accepted (slice 4 writes the e-mail)."""
