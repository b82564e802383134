"""Consultation requests: a need offered to one lawyer, and, once accepted, the engagement that follows.

One row per (need, lawyer): a lawyer is never offered the same need twice, and the database says
so (a unique constraint), whichever worker makes the offer. The SLA clock is the row's
``deadline_at``; the sweeper claims expired pending rows (see service.engagement.sla).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TimestampMixin


class RequestState(enum.StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"
    withdrawn = "withdrawn"
    engaged = "engaged"
    closed = "closed"


# An engagement a lawyer has taken and not yet finished: what counts toward their capacity.
OPEN_STATES = (RequestState.accepted.value, RequestState.engaged.value)
# States that still hold the need (no further automatic offer while one of these exists).
LIVE_STATES = (RequestState.pending.value, *OPEN_STATES)


class ConsultationRequest(TimestampMixin, Base):
    __tablename__ = "consultation_requests"
    __table_args__ = (
        UniqueConstraint("need_id", "lawyer_id", name="uq_consultation_requests_need_id_lawyer_id"),
        # the sweeper's claim: pending rows by deadline
        Index("ix_consultation_requests_state_deadline_at", "state", "deadline_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    # an erased lawyer leaves the history (and the response-time figures) without a name
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id", ondelete="SET NULL"), index=True)
    organisation: Mapped[str | None] = mapped_column(String(200), index=True)
    state: Mapped[str] = mapped_column(String(16), default=RequestState.pending.value)
    # 1 for the first offer of a need, then one more for each further offer
    round: Mapped[int] = mapped_column(Integer, default=1)
    # offered by the service (the best eligible lawyer) rather than chosen by the enterprise
    auto: Mapped[bool] = mapped_column(Boolean, default=False)
    # the need's target country and first practice area when offered: the analytics' groups
    country: Mapped[str | None] = mapped_column(String(2))
    practice_area: Mapped[str | None] = mapped_column(String(64))
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    engaged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)  # why declined or withdrawn
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    solved: Mapped[bool | None] = mapped_column(Boolean)
