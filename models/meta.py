"""Facts about the database itself, one row each."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

# A random id given to the database when its schema is created: index snapshots name the database
# they were built from, so that one data directory serving another database never loads them.
DATABASE_ID = "database_id"


class ServiceMeta(Base):
    __tablename__ = "service_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
