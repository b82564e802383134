"""The database's own facts (models.meta)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.meta import DATABASE_ID, ServiceMeta


def database_id(session: Session) -> str:
    """The id the migration gave this database (given here if a schema was made without it)."""
    found = session.scalar(select(ServiceMeta.value).where(ServiceMeta.key == DATABASE_ID))
    if found is not None:
        return found
    try:
        with session.begin_nested():
            session.add(ServiceMeta(key=DATABASE_ID, value=uuid.uuid4().hex))
    except IntegrityError:  # another process gave it first
        pass
    session.commit()
    return session.scalar(select(ServiceMeta.value).where(ServiceMeta.key == DATABASE_ID)) or ""
