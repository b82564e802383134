"""API keys: stored as SHA-256 hashes, shown once, revocable; each has a role and an organisation."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Role(str, enum.Enum):
    admin = "admin"
    bureau = "bureau"
    enterprise = "enterprise"


# Names of roles and of the service's own actors: an organisation named so could pass for them
# (the bootstrap administrator's needs are the organisation "admin"'s). Compared case-, space- and
# punctuation-blind, so "Admin", " ADMIN " and "a.d.m.i.n" are refused alike.
RESERVED_ORGANISATIONS = frozenset(
    {"admin", "admins", "administrator", "administrators", "bureau", "enterprise", "lawyer", "lawyers", "anonymous",
     "system", "root", "import", "registration", "service", "matchmaker", "null", "none"}
)


def reserved_organisation(name: str) -> bool:
    return "".join(c for c in name.casefold() if c.isalnum()) in RESERVED_ORGANISATIONS


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    organisation: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
