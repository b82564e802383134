"""A lawyer's profile (every field of the exchange format) and the passages it is searched by."""

from __future__ import annotations

import enum
import re
import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, false, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.base import Base, TimestampMixin, as_utc, utcnow


# StrEnum: a member is its value wherever a string is expected (SQL parameters, JSON, f-strings).
class LawyerStatus(enum.StrEnum):
    verified = "verified"
    pending = "pending"
    suspended = "suspended"


def verification_lapsed(expires: datetime | None, now: datetime | None = None) -> bool:
    """True once a verification that runs out at ``expires`` has run out (None: it never does)."""
    if expires is None:
        return False
    return as_utc(expires) <= (now or utcnow())


_LICENCE_SEPARATORS = re.compile(r"[\s\-/._]")


def licence_key(license_no: str) -> str:
    """What makes two licence numbers the same: case, separators and full-width forms do not
    ("AB-123", "ab 123" and "ＡＢ１２３" are one licence)."""
    return _LICENCE_SEPARATORS.sub("", unicodedata.normalize("NFKC", license_no)).upper()


VERIFIED_ONLY = "status = 'verified'"


class Lawyer(TimestampMixin, Base):
    __tablename__ = "lawyers"
    # An erased lawyer's id must never be handed to someone else: the audit log still names it.
    # PostgreSQL sequences never reuse ids; SQLite needs AUTOINCREMENT for that.
    # One verified lawyer per licence (normalised). Pending registrations may share a licence, so
    # that nobody can lock a licence by registering it first; the clash goes to an administrator.
    __table_args__ = (
        Index(
            "uq_lawyers_license_key_verified", "license_key", unique=True,
            sqlite_where=text(VERIFIED_ONLY), postgresql_where=text(VERIFIED_ONLY),
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    firm: Mapped[str | None] = mapped_column(String(300))
    firm_en: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    license_no: Mapped[str] = mapped_column(String(64))
    license_key: Mapped[str] = mapped_column(String(64), index=True)
    years_of_practice: Mapped[int] = mapped_column(Integer, default=0)
    bar_admissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    offices: Mapped[list[str]] = mapped_column(JSON, default=list)
    practice_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    bio: Mapped[str] = mapped_column(Text, default="")
    cases: Mapped[list[str]] = mapped_column(JSON, default=list)
    talent_pools: Mapped[list[str]] = mapped_column(JSON, default=list)
    hourly_rate: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    accepting_clients: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default=LawyerStatus.pending.value, index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    # verified_at: when the current verified spell began; last_verified_at: the latest verification or
    # renewal. The expiry is stored, not derived, so eligibility can be read from the row alone.
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verification_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # PIPL consents, each with the time it was last given or withdrawn. A bureau's import is itself a
    # listing by the bureau, so imported records start listed; self-registration must opt in.
    consent_listing: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    consent_listing_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_contact_sharing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    consent_contact_sharing_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Credential fields a verified lawyer changed themself, waiting for an administrator: field ->
    # new value. The columns above keep the verified values (listed and matched) until approval.
    pending_changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # SHA-256 of the token a self-registered lawyer manages the profile with; shown once.
    management_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Capacity: at most this many open engagements (None: no limit). `open_engagements` is kept by
    # service.engagement in the transaction that opens or ends one, and `at_capacity` with it, so
    # that matching reads availability from the row (and the change feed) like any other fact.
    max_open_engagements: Mapped[int | None] = mapped_column(Integer)
    open_engagements: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    at_capacity: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # parties the lawyer cannot act against (conflicts), as the lawyer spells them (zh and en)
    adverse_parties: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # how the lawyer answered requests and how engagements ended (service.engagement.feedback):
    # counts only, kept in the transaction of each answer, read by matching like any fact
    track_record: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")

    passages: Mapped[list["Passage"]] = relationship(
        back_populates="lawyer", cascade="all, delete-orphan", lazy="raise", order_by="Passage.position"
    )

    def refresh_capacity(self) -> bool:
        """Set ``at_capacity`` from the maximum and the open count; returns whether it changed."""
        full = self.max_open_engagements is not None and (self.open_engagements or 0) >= self.max_open_engagements
        changed = full != bool(self.at_capacity)
        self.at_capacity = full
        return changed

    @validates("license_no")
    def _keep_licence_key(self, _: str, value: str) -> str:
        self.license_key = licence_key(value)
        return value

    def verification_expired(self, now: datetime | None = None) -> bool:
        """True once the verification's period has run out; every verification is stamped with one."""
        return verification_lapsed(self.verification_expires_at, now)


class Passage(Base):
    """One sentence of a bio or one case: the unit the vector index scores and quotes as evidence."""

    __tablename__ = "passages"
    # A worker replaying the change feed takes a passage id to name one passage for good: SQLite
    # would reuse the ids of replaced passages for the next profile written (see migration 0010).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("lawyers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)

    lawyer: Mapped[Lawyer] = relationship(back_populates="passages", lazy="raise")


class ProfileChange(Base):
    """The ordered change feed every worker follows to keep its index in step with the database."""

    __tablename__ = "profile_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    lawyer_id: Mapped[int] = mapped_column(Integer, index=True)
    operation: Mapped[str] = mapped_column(String(16))  # "upsert" | "delete"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
