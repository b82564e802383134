"""An administrator verifies or suspends a lawyer: the status changes, and the bureau's platform is
told (`lawyer.verified`, `lawyer.suspended`) in the same transaction."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from models import Lawyer, LawyerStatus
from models.base import as_utc
from service.engagement import events
from service.repositories import lawyers as lawyer_repo


def _facts(lawyer: Lawyer) -> dict[str, object]:
    # no contact details: subscribers read the profile through the API, where allowed
    return {"lawyer_id": lawyer.id, "external_id": lawyer.external_id, "status": lawyer.status}


def verify(session: Session, lawyer: Lawyer, *, actor: str, reason: str | None, valid_for: timedelta) -> None:
    """Verify, or renew a verification; either publishes `lawyer.verified` (`renewal` says which)."""
    renewal = lawyer.status == LawyerStatus.verified
    if not lawyer_repo.set_status(session, lawyer, LawyerStatus.verified, actor=actor, reason=reason, valid_for=valid_for):
        return
    expires = lawyer.verification_expires_at
    events.publish(
        session,
        "lawyer.verified",
        subject=f"lawyer:{lawyer.id}",
        data={**_facts(lawyer), "renewal": renewal, "verification_expires_at": as_utc(expires).isoformat() if expires else None},
    )


def suspend(session: Session, lawyer: Lawyer, *, actor: str, reason: str) -> None:
    """Suspend; publishes `lawyer.suspended` when the lawyer was not suspended already. The reason
    goes to the audit log only: it is an administrator's free text."""
    if lawyer_repo.set_status(session, lawyer, LawyerStatus.suspended, actor=actor, reason=reason):
        events.publish(session, "lawyer.suspended", subject=f"lawyer:{lawyer.id}", data=_facts(lawyer))
