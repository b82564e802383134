"""The change feed: an ordered log of profile writes that every worker replays into its index."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import ProfileChange


def since(session: Session, position: int, limit: int = 10_000) -> list[ProfileChange]:
    query = select(ProfileChange).where(ProfileChange.id > position).order_by(ProfileChange.id).limit(limit)
    return list(session.scalars(query))


def latest(session: Session) -> int:
    return int(session.scalar(select(func.max(ProfileChange.id))) or 0)
