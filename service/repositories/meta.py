"""The database's own facts (models.meta)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.meta import DATABASE_ID, ServiceMeta


def database_id(session: Session) -> str:
    """The id migration 0003 gave this database (every schema here is made by the migrations)."""
    found = session.scalar(select(ServiceMeta.value).where(ServiceMeta.key == DATABASE_ID))
    if found is None:
        raise RuntimeError("the database has no id: bring its schema up to date with `matchmaker migrate`")
    return found
