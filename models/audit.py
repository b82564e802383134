"""The audit log: who changed a lawyer's standing, when, why, and what it was before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class AuditEvent(Base):
    """One event. lawyer_id has no foreign key: the event outlives the profile (erasure leaves a stub).

    before/after hold standing only (status, consents, verification dates), never contact details.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(250))  # "<role>:<organisation>", "lawyer:<id>" or "import"
    action: Mapped[str] = mapped_column(String(32))
    lawyer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
