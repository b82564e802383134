"""A trade fair: its days and desks, its participants, their mutual interest, and its meetings.

One aggregate: participants, interest marks and meetings belong to one fair and go with it.
The meeting table's unique constraints are the last line against double booking: one meeting
per desk per slot, one per enterprise per slot, one per lawyer per slot.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin


class Fair(TimestampMixin, Base):
    __tablename__ = "fairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation: Mapped[str] = mapped_column(String(200), index=True)
    owner_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    # [{"date": "2026-12-08", "start": "09:00", "end": "17:00", "breaks": [{"start", "end"}]}]
    days: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    tables: Mapped[int] = mapped_column(Integer)
    # what the last schedule or repair reported (objective, greedy's, unplaced must-meet pairs)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    participants: Mapped[list[FairParticipant]] = relationship(
        back_populates="fair", cascade="all, delete-orphan", passive_deletes=True, lazy="raise", order_by="FairParticipant.id"
    )


class FairParticipant(Base):
    __tablename__ = "fair_participants"
    __table_args__ = (UniqueConstraint("fair_id", "lawyer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # enterprise | lawyer
    name: Mapped[str] = mapped_column(String(300))
    # a lawyer participant is a registered lawyer; the engine judges them like any other
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id", ondelete="CASCADE"))
    # an enterprise's need: copied from a stored need (need_id) or typed for the fair
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"))
    need: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # [{"date", "start", "end"}] in the fair's local time; empty: the whole fair
    availability: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    max_meetings: Mapped[int] = mapped_column(Integer)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)

    fair: Mapped[Fair] = relationship(back_populates="participants", lazy="raise")


class FairInterest(Base):
    """One side's mark on an enterprise-lawyer pair: must, would or no_thanks."""

    __tablename__ = "fair_interests"
    __table_args__ = (UniqueConstraint("enterprise_id", "lawyer_id", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("fair_participants.id", ondelete="CASCADE"))
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("fair_participants.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(16))  # enterprise | lawyer
    mark: Mapped[str] = mapped_column(String(16))  # must | would | no_thanks


class FairMeeting(Base):
    __tablename__ = "fair_meetings"
    __table_args__ = (
        UniqueConstraint("fair_id", "slot", "desk", name="uq_fair_meetings_slot_desk"),
        UniqueConstraint("fair_id", "slot", "enterprise_id", name="uq_fair_meetings_slot_enterprise"),
        UniqueConstraint("fair_id", "slot", "lawyer_id", name="uq_fair_meetings_slot_lawyer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("fair_participants.id", ondelete="CASCADE"))
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("fair_participants.id", ondelete="CASCADE"))
    slot: Mapped[int] = mapped_column(Integer)  # index into the fair's generated slots
    desk: Mapped[int] = mapped_column(Integer)  # 1..tables
    score: Mapped[float] = mapped_column(Float)  # the engine's match score
    weight: Mapped[int] = mapped_column(Integer)  # what the schedule maximised for this pair
    must: Mapped[bool] = mapped_column(Boolean, default=False)
    # the match reasons, {"en": [...], "zh": [...]}
    reasons: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
