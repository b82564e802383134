"""An enterprise's need, as typed or as imported."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TimestampMixin


class Need(TimestampMixin, Base):
    __tablename__ = "needs"
    # external ids are the organisation's own: another organisation may use the same one, and
    # must not learn that it is taken
    __table_args__ = (UniqueConstraint("organisation", "external_id", name="uq_needs_organisation_external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(128))
    owner_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"), index=True)
    organisation: Mapped[str | None] = mapped_column(String(200), index=True)
    enterprise: Mapped[str | None] = mapped_column(String(300))
    industry: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    practice_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    budget: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    preferred_cities: Mapped[list[str]] = mapped_column(JSON, default=list)
    # the other side(s) of the matter: a lawyer who declared one of them adverse is never offered it
    counterparties: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # where the enterprise learns that a lawyer accepted (personal data: the owner's and admins' only)
    contact_email: Mapped[str | None] = mapped_column(String(320))
